//! Oracle comparison of `nftwire-iptables` with iptables 1.8.11: the
//! iptables project's `.t` vectors, the Kubernetes/CNI command streams of
//! the corpus, and hand-written command sequences (tests/oracle/cases.txt),
//! each run with both implementations in fresh network namespaces.
//! Differences that are known and documented are listed in
//! tests/oracle/known-diffs.txt; anything else fails the test.

mod common;
mod oracle;

use oracle::{compare, env, read_cases, words, Env, Step};
use std::collections::BTreeSet;
use std::path::Path;

fn known_diffs() -> BTreeSet<String> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/oracle/known-diffs.txt");
    std::fs::read_to_string(p)
        .unwrap_or_default()
        .lines()
        .map(|l| l.trim())
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(str::to_owned)
        .collect()
}

struct Tally {
    passed: usize,
    failed: Vec<(String, String)>,
}

impl Tally {
    fn new() -> Tally {
        Tally {
            passed: 0,
            failed: Vec::new(),
        }
    }
    fn add(&mut self, id: String, r: Option<String>) {
        match r {
            None => self.passed += 1,
            Some(d) => self.failed.push((id, d)),
        }
    }
    fn finish(self, what: &str) {
        let known = known_diffs();
        let unexpected: Vec<_> = self
            .failed
            .iter()
            .filter(|(id, _)| !known.contains(id))
            .collect();
        let report = std::env::var("ORACLE_REPORT").ok();
        for (id, d) in &self.failed {
            let tag = if known.contains(id) { "known" } else { "NEW" };
            if report.is_some() || tag == "NEW" {
                eprintln!("[{tag}] {id}\n{d}\n");
            }
        }
        eprintln!(
            "{what}: {} passed, {} failed ({} known, {} unexpected)",
            self.passed,
            self.failed.len(),
            self.failed.len() - unexpected.len(),
            unexpected.len()
        );
        assert!(
            unexpected.is_empty(),
            "{} unexpected differences from iptables 1.8.11 (see stderr)",
            unexpected.len()
        );
    }
}

fn t_cases(env: &Env, path: &Path, tally: &mut Tally) {
    let name = path.file_name().unwrap().to_string_lossy().to_string();
    let tools: &[&str] = if name.starts_with("libipt_") {
        &["iptables"]
    } else if name.starts_with("libip6t_") {
        &["ip6tables"]
    } else {
        &["iptables", "ip6tables"]
    };
    let text = std::fs::read_to_string(path).unwrap();
    for tool in tools {
        let mut chains: Vec<String> = Vec::new();
        let mut table = "filter".to_string();
        let mut setup: Vec<String> = Vec::new();
        for (ln, line) in text.lines().enumerate() {
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            if let Some(c) = line.strip_prefix(':') {
                chains = c.split(',').map(str::to_owned).collect();
                continue;
            }
            if let Some(t) = line.strip_prefix('*') {
                table = t.to_string();
                continue;
            }
            if let Some(c) = line.strip_prefix('@').or_else(|| line.strip_prefix('%')) {
                setup.push(c.to_string());
                continue;
            }
            let parts: Vec<&str> = line.split(';').collect();
            let args = words(parts[0]);
            let mut steps = Vec::new();
            for c in &chains {
                let mut base = vec![];
                if table != "filter" {
                    base.push("-t".to_string());
                    base.push(table.clone());
                }
                for op in ["-A", "-C", "-D"] {
                    let mut a = vec![op.to_string(), c.clone()];
                    a.extend(base.clone());
                    a.extend(args.clone());
                    steps.push(Step {
                        tool: tool.to_string(),
                        args: a,
                        stdin: None,
                    });
                    if op == "-A" {
                        steps.push(Step::new("@state", &[]));
                        steps.push(Step::new(&format!("{tool}-save"), &[]));
                        steps.push(Step::new(tool, &["-S", c, "-t", &table]));
                        // put it back for -C after save/-S looked at it
                    }
                }
                // leave nothing behind for the next chain
                steps.push(Step::new(tool, &["-t", &table, "-F"]));
            }
            let s = if setup.is_empty() {
                None
            } else {
                Some(setup.join("; "))
            };
            let id = format!("t:{name}:{}:{tool}", ln + 1);
            tally.add(id, compare(env, &steps, s.as_deref()));
        }
    }
}

/// The `.t` vectors of iptables 1.8.11's `extensions/` that the shim is
/// compared on (read from its fetched source, see
/// `common::iptables_source`): the extensions iptables-nft users and the
/// corpus's tools use.
const T_FILES: &[&str] = &[
    "libip6t_DNAT.t",
    "libip6t_LOG.t",
    "libip6t_MASQUERADE.t",
    "libip6t_NETMAP.t",
    "libip6t_REJECT.t",
    "libip6t_SNAT.t",
    "libip6t_connlimit.t",
    "libip6t_conntrack.t",
    "libip6t_hl.t",
    "libip6t_icmp6.t",
    "libip6t_iprange.t",
    "libip6t_recent.t",
    "libip6t_standard.t",
    "libipt_DNAT.t",
    "libipt_LOG.t",
    "libipt_MASQUERADE.t",
    "libipt_NETMAP.t",
    "libipt_REJECT.t",
    "libipt_SNAT.t",
    "libipt_connlimit.t",
    "libipt_conntrack.t",
    "libipt_icmp.t",
    "libipt_iprange.t",
    "libipt_recent.t",
    "libipt_standard.t",
    "libipt_ttl.t",
    "libxt_CHECKSUM.t",
    "libxt_CONNMARK.t",
    "libxt_CT.t",
    "libxt_DSCP.t",
    "libxt_MARK.t",
    "libxt_NFLOG.t",
    "libxt_NOTRACK.t",
    "libxt_REDIRECT.t",
    "libxt_TCPMSS.t",
    "libxt_TRACE.t",
    "libxt_addrtype.t",
    "libxt_comment.t",
    "libxt_connlimit.t",
    "libxt_connmark.t",
    "libxt_conntrack.t",
    "libxt_dscp.t",
    "libxt_hashlimit.t",
    "libxt_iprange.t",
    "libxt_length.t",
    "libxt_limit.t",
    "libxt_mac.t",
    "libxt_mark.t",
    "libxt_multiport.t",
    "libxt_owner.t",
    "libxt_physdev.t",
    "libxt_pkttype.t",
    "libxt_recent.t",
    "libxt_set.t",
    "libxt_socket.t",
    "libxt_standard.t",
    "libxt_state.t",
    "libxt_statistic.t",
    "libxt_tcp.t",
    "libxt_tos.t",
    "libxt_udp.t",
];

#[test]
fn t_vectors() {
    common::netns(|| ()); // needs root
    let env = env();
    let mut files = common::iptables_t_files(T_FILES);
    if let Ok(only) = std::env::var("ORACLE_ONLY") {
        files.retain(|f| f.to_string_lossy().contains(&only));
    }
    let mut tally = Tally::new();
    for f in &files {
        t_cases(env, f, &mut tally);
    }
    tally.finish("t vectors");
}

#[test]
fn command_cases() {
    common::netns(|| ());
    let env = env();
    let mut tally = Tally::new();
    for (name, steps, setup) in read_cases("cases.txt") {
        if let Ok(only) = std::env::var("ORACLE_ONLY") {
            if !name.contains(&only) {
                continue;
            }
        }
        tally.add(
            format!("case:{name}"),
            compare(env, &steps, setup.as_deref()),
        );
    }
    tally.finish("command cases");
}

fn run_script(env: &Env, wrap: &Path, script: &Path, pre: Option<&str>) -> (String, String) {
    let wrap = wrap.to_path_buf();
    let script = script.to_path_buf();
    let pre = pre.map(str::to_owned);
    nftwire::netns::in_new_netns(move || {
        let path = format!(
            "{}:{}",
            wrap.display(),
            std::env::var("PATH").unwrap_or_default()
        );
        if let Some(p) = pre {
            let _ = std::process::Command::new("bash")
                .arg("-c")
                .arg(p)
                .env("PATH", &path)
                .output();
        }
        let o = std::process::Command::new("bash")
            .arg(&script)
            .env("PATH", &path)
            .output()
            .expect("script");
        let out = oracle::normalize(&String::from_utf8_lossy(&o.stdout));
        (out, oracle::state())
    })
    .expect("netns")
    .clone()
    .into_iter_pair(env)
}

trait Pair {
    fn into_iter_pair(self, env: &Env) -> (String, String);
}

impl Pair for (String, String) {
    fn into_iter_pair(self, _: &Env) -> (String, String) {
        self
    }
}

#[test]
fn corpus_scripts() {
    common::netns(|| ());
    let corpus = common::data_path("corpus");
    let env = env();
    let mut tally = Tally::new();
    for s in [
        "kube-proxy-iptables.sh",
        "kube-router-netpol.sh",
        "flannel.sh",
        "kilo.sh",
        "kube-ovn.sh",
        "calico.sh",
    ] {
        let p = corpus.join(s);
        let o = run_script(env, &env.wrap_oracle, &p, None);
        let m = run_script(env, &env.wrap_shim, &p, None);
        let r = if o == m {
            None
        } else {
            Some(
                first_diff(&o.0, &m.0)
                    .unwrap_or_else(|| format!("state:\n--- oracle\n{}--- shim\n{}", o.1, m.1)),
            )
        };
        tally.add(format!("script:{s}"), r);
    }
    tally.finish("corpus scripts");
}

fn first_diff(a: &str, b: &str) -> Option<String> {
    let (al, bl): (Vec<_>, Vec<_>) = (a.lines().collect(), b.lines().collect());
    for i in 0..al.len().max(bl.len()) {
        let (x, y) = (al.get(i), bl.get(i));
        if x != y {
            let ctx = i.saturating_sub(3);
            return Some(format!(
                "line {i}:\n  context: {:?}\n  oracle: {:?}\n  shim:   {:?}",
                &al[ctx..i.min(al.len())],
                x,
                y
            ));
        }
    }
    None
}

/// Quote a word for `bash -c`.
fn sq(w: &str) -> String {
    format!("'{}'", w.replace('\'', "'\\''"))
}

/// Rules written by an older iptables-nft (the host's 1.8.9, whose
/// encodings differ): after `setup` wrote them, 1.8.11 and the shim must
/// list them identically, find each with `-C` and delete each with `-D`.
fn older_case(env: &Env, setup: &str) -> Option<String> {
    let (e, s) = (env.clone(), setup.to_string());
    let saves: Vec<(String, String)> = common::netns(move || {
        let _ = std::process::Command::new("bash")
            .arg("-c")
            .arg(&s)
            .output();
        ["iptables", "ip6tables"]
            .iter()
            .map(|t| {
                let o = oracle::run_step(
                    &e,
                    oracle::Impl::Oracle,
                    &Step::new(&format!("{t}-save"), &[]),
                );
                (t.to_string(), o.stdout)
            })
            .collect()
    });
    let mut steps = Vec::new();
    let mut checks = Vec::new();
    let mut deletes = Vec::new();
    for (tool, save) in &saves {
        steps.push(Step::new(&format!("{tool}-save"), &[]));
        steps.push(Step::new(&format!("{tool}-save"), &["-c"]));
        let mut table = String::new();
        for l in save.lines() {
            if let Some(t) = l.strip_prefix('*') {
                table = t.to_string();
                for a in [
                    &["-S"][..],
                    &["-L", "-n", "-v", "-x"],
                    &["-L", "-n", "--line-numbers"],
                ] {
                    let mut v = vec!["-t", table.as_str()];
                    v.extend_from_slice(a);
                    steps.push(Step::new(tool, &v));
                }
            } else if let Some(r) = l.strip_prefix("-A ") {
                for (op, list) in [("-C", &mut checks), ("-D", &mut deletes)] {
                    let mut a = vec!["-t".to_string(), table.clone(), op.to_string()];
                    a.extend(words(r));
                    list.push(Step {
                        tool: tool.clone(),
                        args: a,
                        stdin: None,
                    });
                }
            }
        }
    }
    steps.extend(checks);
    steps.extend(deletes);
    compare(env, &steps, Some(setup))
}

#[test]
fn older_writers() {
    common::netns(|| ());
    let corpus = common::data_path("corpus");
    let env = env();
    let host = env.wrap_host.clone().expect(
        "the host's iptables-nft (/usr/sbin/xtables-nft-multi, Debian's iptables package) is not installed",
    );
    let only = std::env::var("ORACLE_ONLY").ok();
    let pre = format!("export PATH={}:$PATH; ip link set lo up; ", host.display());
    let mut tally = Tally::new();
    for s in [
        "kube-proxy-iptables.sh",
        "kube-router-netpol.sh",
        "flannel.sh",
        "kilo.sh",
        "kube-ovn.sh",
        "calico.sh",
    ] {
        let p = corpus.join(s);
        if only.as_ref().is_some_and(|o| !s.contains(o.as_str())) {
            continue;
        }
        let setup = format!("{pre}bash {} >/dev/null 2>&1", p.display());
        tally.add(format!("older:script:{s}"), older_case(env, &setup));
    }
    for f in common::iptables_t_files(T_FILES) {
        let name = f.file_name().unwrap().to_string_lossy().to_string();
        if only.as_ref().is_some_and(|o| !name.contains(o.as_str())) {
            continue;
        }
        let tools: &[&str] = if name.starts_with("libipt_") {
            &["iptables"]
        } else if name.starts_with("libip6t_") {
            &["ip6tables"]
        } else {
            &["iptables", "ip6tables"]
        };
        let text = std::fs::read_to_string(&f).unwrap();
        for tool in tools {
            let mut cmds = vec![pre.clone()];
            let mut chains: Vec<String> = Vec::new();
            let mut table = "filter".to_string();
            for line in text.lines() {
                if line.is_empty() || line.starts_with('#') {
                    continue;
                }
                if let Some(c) = line.strip_prefix(':') {
                    chains = c.split(',').map(str::to_owned).collect();
                } else if let Some(t) = line.strip_prefix('*') {
                    table = t.to_string();
                } else if let Some(c) = line.strip_prefix('@').or_else(|| line.strip_prefix('%')) {
                    cmds.push(format!("{c} >/dev/null 2>&1; "));
                } else {
                    let parts: Vec<&str> = line.split(';').collect();
                    if parts.get(2).map(|s| s.trim()) != Some("OK") {
                        continue;
                    }
                    let args: Vec<String> = words(parts[0]).iter().map(|w| sq(w)).collect();
                    for c in &chains {
                        cmds.push(format!(
                            "{tool} -t {table} -A {c} {} >/dev/null 2>&1; ",
                            args.join(" ")
                        ));
                    }
                }
            }
            tally.add(
                format!("older:t:{name}:{tool}"),
                older_case(env, &cmds.concat()),
            );
        }
    }
    tally.finish("rules written by the host's iptables-nft");
}
