//! The incremental `iptables-restore --noflush` (kube-proxy's resync)
//! leaves what iptables-nft 1.8.11's restore leaves: random kube-proxy-like
//! rulesets and random edits between successive `--noflush --counters`
//! restores (services and endpoints added, moved and removed with `-X`,
//! jumps to chains created in the same batch, `[p:b]` rule counters,
//! partial syncs, and `-I`/`-D`/`-R` lines), run by the shim and by the
//! real 1.8.11 in twin network namespaces; after each restore the
//! `iptables-save` output and the rules in the kernel must be the same
//! (counter values aside: the shim keeps the counters of rules it keeps).
//!
//! `NFTWIRE_FUZZ_SEED` and `NFTWIRE_FUZZ_ITERS` override the seed and the
//! number of random cases.

mod common;
mod oracle;

use common::Rng;
use oracle::{env, run_case, Impl, Step};
use std::process::Command;

/// One endpoint of a service.
#[derive(Clone)]
struct Endpoint {
    chain: String,
    ip: String,
}

/// One service: its chain, cluster IP, port and endpoints.
#[derive(Clone)]
struct Service {
    chain: String,
    ip: String,
    port: u16,
    eps: Vec<Endpoint>,
}

/// The generator's picture of what kube-proxy wants.
struct World {
    services: Vec<Service>,
    next: u64,
}

impl World {
    fn id(&mut self, kind: &str) -> String {
        self.next += 1;
        format!(
            "KUBE-{kind}-{:016X}",
            self.next.wrapping_mul(0x9e37_79b9_7f4a_7c15)
        )
    }
    fn endpoint(&mut self, r: &mut Rng) -> Endpoint {
        Endpoint {
            chain: self.id("SEP"),
            ip: format!("10.244.{}.{}", r.below(250), 1 + r.below(250)),
        }
    }
    fn service(&mut self, r: &mut Rng) -> Service {
        let eps = (0..1 + r.below(3)).map(|_| self.endpoint(r)).collect();
        Service {
            chain: self.id("SVC"),
            ip: format!("10.96.{}.{}", r.below(250), 1 + r.below(250)),
            port: 80 + r.below(5) as u16 * 1000,
            eps,
        }
    }
}

/// A `[p:b]` prefix (with --counters), sometimes.
fn ctr(r: &mut Rng) -> String {
    if r.chance(3) {
        format!("[{}:{}] ", r.below(1000), r.below(100_000))
    } else {
        String::new()
    }
}

/// The rules of one service's chains.
fn service_rules(r: &mut Rng, s: &Service, out: &mut String) {
    let n = s.eps.len();
    out.push_str(&format!(
        "{}-A {} ! -s 10.244.0.0/14 -d {}/32 -p tcp -m comment --comment \"svc {}\" -m tcp --dport {} -j KUBE-MARK-MASQ\n",
        ctr(r), s.chain, s.ip, s.chain, s.port
    ));
    for (i, e) in s.eps.iter().enumerate() {
        if i + 1 < n {
            out.push_str(&format!(
                "{}-A {} -m comment --comment \"svc -> {}\" -m statistic --mode random --probability {:.11} -j {}\n",
                ctr(r), s.chain, e.ip, 1.0 / (n - i) as f64, e.chain
            ));
        } else {
            out.push_str(&format!(
                "{}-A {} -m comment --comment \"svc -> {}\" -j {}\n",
                ctr(r),
                s.chain,
                e.ip,
                e.chain
            ));
        }
    }
    for e in &s.eps {
        out.push_str(&format!(
            "{}-A {} -s {}/32 -m comment --comment svc -j KUBE-MARK-MASQ\n",
            ctr(r),
            e.chain,
            e.ip
        ));
        out.push_str(&format!(
            "{}-A {} -p tcp -m comment --comment svc -m tcp -j DNAT --to-destination {}:8080\n",
            ctr(r),
            e.chain,
            e.ip
        ));
    }
}

/// A kube-proxy sync of `w`: full (every chain) or partial (KUBE-SERVICES
/// and the services in `only`); chains in `gone` are declared and deleted.
fn sync(
    r: &mut Rng,
    w: &World,
    only: Option<&[usize]>,
    gone: &[String],
    extra: &[String],
) -> String {
    let mut out = String::new();
    if only.is_none() && r.chance(2) {
        out.push_str("*filter\n:KUBE-FORWARD - [0:0]\n:KUBE-SERVICES - [0:0]\n");
        out.push_str("-A KUBE-FORWARD -m conntrack --ctstate INVALID -j DROP\n");
        out.push_str("-A KUBE-FORWARD -m comment --comment \"kubernetes forwarding rules\" -m mark --mark 0x4000/0x4000 -j ACCEPT\n");
        out.push_str("COMMIT\n");
    }
    out.push_str("*nat\n:KUBE-SERVICES - [0:0]\n");
    if only.is_none() {
        out.push_str(
            ":KUBE-MARK-MASQ - [0:0]\n:KUBE-NODEPORTS - [0:0]\n:KUBE-POSTROUTING - [0:0]\n",
        );
    }
    let picked: Vec<&Service> = match only {
        None => w.services.iter().collect(),
        Some(ix) => ix.iter().map(|&i| &w.services[i]).collect(),
    };
    for s in &picked {
        out.push_str(&format!(":{} - [0:0]\n", s.chain));
        for e in &s.eps {
            out.push_str(&format!(":{} - [0:0]\n", e.chain));
        }
    }
    for g in gone {
        out.push_str(&format!(":{g} - [0:0]\n"));
    }
    if only.is_none() {
        out.push_str("-A KUBE-MARK-MASQ -j MARK --or-mark 0x4000\n");
        out.push_str("-A KUBE-POSTROUTING -m mark ! --mark 0x4000/0x4000 -j RETURN\n");
        out.push_str("-A KUBE-POSTROUTING -j MARK --xor-mark 0x4000\n");
    }
    for s in &w.services {
        out.push_str(&format!(
            "{}-A KUBE-SERVICES -d {}/32 -p tcp -m comment --comment \"svc {}\" -m tcp --dport {} -j {}\n",
            ctr(r), s.ip, s.chain, s.port, s.chain
        ));
    }
    out.push_str("-A KUBE-SERVICES -m comment --comment \"nodeports\" -m addrtype --dst-type LOCAL -j KUBE-NODEPORTS\n");
    for s in &picked {
        service_rules(r, s, &mut out);
    }
    for l in extra {
        out.push_str(l);
        out.push('\n');
    }
    for g in gone {
        out.push_str(&format!("-X {g}\n"));
    }
    out.push_str("COMMIT\n");
    out
}

/// Random changes to `w`: which services changed (for a partial sync) and
/// which chains are gone.
fn edit(r: &mut Rng, w: &mut World) -> (Vec<usize>, Vec<String>) {
    let mut changed = Vec::new();
    let mut gone = Vec::new();
    for _ in 0..r.below(4) {
        match r.below(5) {
            0 => {
                let s = w.service(r);
                let at = r.below(w.services.len() as u64 + 1) as usize;
                w.services.insert(at, s);
                changed.iter_mut().for_each(|c: &mut usize| {
                    if *c >= at {
                        *c += 1
                    }
                });
                changed.push(at);
            }
            1 if w.services.len() > 1 => {
                let at = r.below(w.services.len() as u64) as usize;
                let s = w.services.remove(at);
                gone.push(s.chain);
                gone.extend(s.eps.into_iter().map(|e| e.chain));
                changed.retain(|&c| c != at);
                changed.iter_mut().for_each(|c| {
                    if *c > at {
                        *c -= 1
                    }
                });
            }
            2 if !w.services.is_empty() => {
                // an endpoint moves: a new endpoint chain, the old one goes
                let at = r.below(w.services.len() as u64) as usize;
                let e = w.endpoint(r);
                let s = &mut w.services[at];
                let k = r.below(s.eps.len() as u64) as usize;
                let old = std::mem::replace(&mut s.eps[k], e);
                gone.push(old.chain);
                changed.push(at);
            }
            3 if !w.services.is_empty() => {
                // an endpoint is added (same chains otherwise)
                let at = r.below(w.services.len() as u64) as usize;
                let e = w.endpoint(r);
                w.services[at].eps.push(e);
                changed.push(at);
            }
            _ if !w.services.is_empty() => {
                // the port changes
                let at = r.below(w.services.len() as u64) as usize;
                w.services[at].port += 1;
                changed.push(at);
            }
            _ => {}
        }
    }
    changed.sort();
    changed.dedup();
    (changed, gone)
}

/// `-I N`/`-D N`/`-R N`/`-D spec` lines on KUBE-EXTRA, a chain the
/// first restore fills (with `-A` only) and later ones do not declare
/// (positions then count the kernel's rules; on a chain declared in the
/// same restore 1.8.11's positions still count the rules its flush
/// removed, which the shim does not copy). `extra` is the chain's rules
/// (and whether this restore added them: 1.8.11 crashes replacing those),
/// kept up to date.
fn extra_lines(r: &mut Rng, extra: &mut Vec<(String, bool)>, first: bool) -> Vec<String> {
    extra.iter_mut().for_each(|e| e.1 = false);
    let mut v = Vec::new();
    for _ in 0..r.below(if first { 4 } else { 3 }) {
        let n = extra.len() as u64;
        let spec = format!(
            "-d 10.99.0.{}/32 -p tcp -m tcp --dport 81 -j KUBE-MARK-MASQ",
            r.below(200)
        );
        match if first { 9 } else { r.below(5) } {
            0 => {
                let at = 1 + r.below(n + 1);
                v.push(format!("-I KUBE-EXTRA {at} {spec}"));
                extra.insert(at as usize - 1, (spec, true));
            }
            1 if n > 0 => {
                let at = 1 + r.below(n);
                v.push(format!("-D KUBE-EXTRA {at}"));
                extra.remove(at as usize - 1);
            }
            2 if n > 0 && !extra.iter().any(|e| e.1) => {
                let at = 1 + r.below(n);
                v.push(format!("-R KUBE-EXTRA {at} {spec}"));
                extra[at as usize - 1] = (spec, true);
            }
            3 if n > 0 => {
                let at = r.below(n) as usize;
                v.push(format!("-D KUBE-EXTRA {}", extra[at].0));
                extra.remove(at);
            }
            _ => {
                v.push(format!("-A KUBE-EXTRA {spec}"));
                extra.push((spec, true));
            }
        }
    }
    v
}

/// The kernel state without counter values (kept rules keep theirs).
fn without_counters(state: &str) -> String {
    let mut out = String::new();
    for l in state.lines() {
        if l.trim_start().starts_with("bytes ") {
            continue;
        }
        let mut words: Vec<&str> = l.split(' ').collect();
        for i in 1..words.len() {
            if matches!(words[i - 1], "pkts" | "bytes") {
                words[i] = "N";
            }
        }
        out.push_str(&words.join(" "));
        out.push('\n');
    }
    out
}

fn restore(input: &str) -> Step {
    Step {
        tool: "iptables-restore".into(),
        args: vec!["--noflush".into(), "--counters".into()],
        stdin: Some(input.into()),
    }
}

fn state_step() -> Step {
    Step::new("@state", &[])
}

#[test]
fn resyncs_leave_what_1_8_11_leaves() {
    let e = env();
    assert!(
        e.root.is_some(),
        "the real iptables 1.8.11 (tests/oracle/setup-oracle.sh) is needed"
    );
    let var = |name: &str| std::env::var(name).ok().and_then(|v| v.parse::<u64>().ok());
    let mut r = Rng(var("NFTWIRE_FUZZ_SEED").unwrap_or(0x5eed_16f0_0c0f_fee1) | 1);
    let iters = var("NFTWIRE_FUZZ_ITERS").unwrap_or(24);
    let mut failed = Vec::new();
    let (mut restores, mut refused) = (0, 0);
    for case in 0..iters {
        let mut w = World {
            services: Vec::new(),
            next: case * 1000,
        };
        for _ in 0..1 + r.below(12) {
            let s = w.service(&mut r);
            w.services.push(s);
        }
        let mut kube_extra = Vec::new();
        let mut first = extra_lines(&mut r, &mut kube_extra, true);
        first.insert(0, ":KUBE-EXTRA - [0:0]".into());
        let mut steps = vec![restore(&sync(&mut r, &w, None, &[], &first))];
        for _ in 0..3 {
            let (changed, gone) = edit(&mut r, &mut w);
            let extra = extra_lines(&mut r, &mut kube_extra, false);
            let partial = r.chance(3) && gone.is_empty();
            let input = if partial {
                sync(&mut r, &w, Some(&changed), &gone, &extra)
            } else {
                sync(&mut r, &w, None, &gone, &extra)
            };
            steps.push(Step::new("iptables-save", &[]));
            steps.push(state_step());
            steps.push(restore(&input));
        }
        steps.push(Step::new("iptables-save", &[]));
        steps.push(state_step());
        let (oo, os) = run_case(e, Impl::Oracle, &steps, None);
        let (so, ss) = run_case(e, Impl::Shim, &steps, None);
        assert_eq!(
            oo[0].rc, 0,
            "case {case}: 1.8.11 failed the first restore: {}",
            oo[0].stderr
        );
        for (s, o) in steps.iter().zip(&oo) {
            if s.tool == "iptables-restore" {
                restores += 1;
                refused += usize::from(o.rc != 0);
            }
        }
        let mut diff = None;
        for (i, (a, b)) in oo.iter().zip(&so).enumerate() {
            let same = match steps[i].tool.as_str() {
                "@state" => without_counters(&a.stdout) == without_counters(&b.stdout),
                _ => a.rc == b.rc && a.stdout == b.stdout,
            };
            if !same {
                diff = Some(format!(
                    "step {i} ({}):\n--- 1.8.11 rc={} {}\n{}\n--- shim rc={} {}\n{}",
                    steps[i].tool, a.rc, a.stderr, a.stdout, b.rc, b.stderr, b.stdout
                ));
                break;
            }
        }
        if diff.is_none() && without_counters(&os) != without_counters(&ss) {
            diff = Some(format!("final state:\n--- 1.8.11\n{os}\n--- shim\n{ss}"));
        }
        if let Some(d) = diff {
            let inputs: Vec<String> = steps.iter().filter_map(|s| s.stdin.clone()).collect();
            failed.push(format!(
                "case {case}\ninputs:\n{}\n{d}",
                inputs.join("----\n")
            ));
        }
    }
    assert!(
        refused * 5 <= restores,
        "1.8.11 refused {refused} of {restores} restores: too few compared"
    );
    assert!(
        failed.is_empty(),
        "{} of {iters} cases differ from 1.8.11:\n{}",
        failed.len(),
        failed.join("\n")
    );
}

/// The generation id of the current namespace's ruleset.
fn generation() -> u32 {
    nftwire::netlink::Conn::open()
        .and_then(|mut c| c.generation())
        .expect("generation id")
}

fn handles() -> String {
    let o = Command::new("nft")
        .args(["-a", "list", "table", "ip", "nat"])
        .output()
        .expect("nft");
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn shim_restore(input: &str, rebuild: bool) {
    let e = env();
    let mut c = Command::new(&e.shim);
    std::os::unix::process::CommandExt::arg0(&mut c, "iptables-restore");
    c.args(["--noflush", "--counters"]);
    if rebuild {
        c.env("NFTWIRE_RESTORE", "rebuild");
    } else {
        c.env_remove("NFTWIRE_RESTORE");
    }
    let mut child = c
        .stdin(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("spawn");
    use std::io::Write;
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(input.as_bytes())
        .expect("write");
    let o = child.wait_with_output().expect("wait");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
}

#[test]
fn an_unchanged_resync_sends_nothing_and_rebuild_replaces_everything() {
    let mut r = Rng(0x0bad_cafe_f00d_0001);
    let mut w = World {
        services: Vec::new(),
        next: 0,
    };
    for _ in 0..6 {
        let s = w.service(&mut r);
        w.services.push(s);
    }
    let input = sync(&mut r, &w, None, &[], &[]);
    nftwire::netns::in_new_netns(move || {
        shim_restore(&input, false);
        let (g, h) = (generation(), handles());
        assert!(h.contains("KUBE-SERVICES"), "{h}");
        // the same input again: no batch at all, every rule kept
        shim_restore(&input, false);
        assert_eq!(generation(), g, "an unchanged resync committed a batch");
        assert_eq!(handles(), h);
        // forced rebuild: the same rules, added again (new handles)
        shim_restore(&input, true);
        assert_ne!(generation(), g);
        let after = handles();
        assert_ne!(after, h, "the rebuild kept the rules");
        let strip = |s: &str| -> String {
            s.lines()
                .map(|l| l.split(" # handle").next().unwrap_or(""))
                .collect::<Vec<_>>()
                .join("\n")
        };
        assert_eq!(strip(&after), strip(&h));
    })
    .expect("netns");
}

/// Failures on the incremental path are reported as 1.8.11 reports them
/// (exit code, message, nothing changed): a jump to a missing chain from a
/// declared chain, `-X` of a chain a kept rule still jumps to, and a
/// partial failure inside a declared chain's new rules.
#[test]
fn failing_resyncs_fail_as_1_8_11() {
    let e = env();
    assert!(e.root.is_some(), "the real iptables 1.8.11 is needed");
    let first = "*nat\n:KUBE-SERVICES - [0:0]\n:KUBE-SVC-A - [0:0]\n:KUBE-SVC-B - [0:0]\n\
                 -A KUBE-SERVICES -d 10.96.0.1/32 -j KUBE-SVC-A\n\
                 -A KUBE-SERVICES -d 10.96.0.2/32 -j KUBE-SVC-B\n\
                 -A KUBE-SVC-A -p tcp -j DNAT --to-destination 10.244.0.1:80\nCOMMIT\n";
    for bad in [
        // a new rule jumping to a chain that does not exist
        "*nat\n:KUBE-SERVICES - [0:0]\n-A KUBE-SERVICES -d 10.96.0.1/32 -j KUBE-SVC-A\n\
         -A KUBE-SERVICES -d 10.96.0.3/32 -j KUBE-SVC-NONE\nCOMMIT\n",
        // a kept rule still jumps to the chain deleted
        "*nat\n:KUBE-SERVICES - [0:0]\n:KUBE-SVC-B - [0:0]\n\
         -A KUBE-SERVICES -d 10.96.0.1/32 -j KUBE-SVC-A\n\
         -A KUBE-SERVICES -d 10.96.0.2/32 -j KUBE-SVC-B\n-X KUBE-SVC-B\nCOMMIT\n",
        // the chain's rules change, then a later line fails to parse
        "*nat\n:KUBE-SVC-A - [0:0]\n-A KUBE-SVC-A -p tcp -j DNAT --to-destination 10.244.0.9:80\n\
         -A KUBE-SVC-A -m nosuchmatch -j ACCEPT\nCOMMIT\n",
        // a second table fails after the first changed
        "*nat\n:KUBE-SVC-A - [0:0]\n-A KUBE-SVC-A -p tcp -j DNAT --to-destination 10.244.0.7:80\nCOMMIT\n\
         *filter\n:KUBE-X - [0:0]\n-A KUBE-X -j KUBE-NONE\nCOMMIT\n",
    ] {
        let steps = [
            restore(first),
            restore(bad),
            Step::new("iptables-save", &[]),
            state_step(),
        ];
        let (oo, _) = run_case(e, Impl::Oracle, &steps, None);
        let (so, _) = run_case(e, Impl::Shim, &steps, None);
        assert_eq!(oo[0].rc, 0, "{}", oo[0].stderr);
        assert_ne!(oo[1].rc, 0, "1.8.11 accepted:\n{bad}");
        for i in 1..3 {
            assert_eq!(
                (oo[i].rc, &oo[i].stdout, &oo[i].stderr),
                (so[i].rc, &so[i].stdout, &so[i].stderr),
                "step {i} of\n{bad}"
            );
        }
        assert_eq!(
            without_counters(&oo[3].stdout),
            without_counters(&so[3].stdout),
            "{bad}"
        );
    }
}
