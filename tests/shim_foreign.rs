//! Foreign rules beside iptables rules: the NetBird + kube-router scenario
//! (k3s #11493, kube-router #1788, netbird #2926). NetBird's native
//! nf_tables rules (tests/data/corpus/netbird.nft + netbird-exact.py) are
//! loaded on top of a Kubernetes node's iptables state; then every
//! Kubernetes/CNI command stream of the corpus re-syncs with
//! `nftwire-iptables`. No command may fail because of the foreign rules,
//! exit codes must be those of a node without them, and the foreign rules
//! must be byte-identical afterwards.

mod common;
mod oracle;

use nftwire::iptables::decode::{decode, Decoded};
use nftwire::netlink::Conn;
use nftwire::nla::{Attribute, Writer};
use nftwire::ruleset::Ruleset;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The scripts of the corpus, in the order a node runs them.
const SCRIPTS: &[&str] = &[
    "kube-proxy-iptables.sh",
    "flannel.sh",
    "kube-router-netpol.sh",
    "calico.sh",
    "kube-ovn.sh",
    "kilo.sh",
];

/// The tables iptables-nft owns.
const IPT_TABLES: &[&str] = &["filter", "nat", "mangle", "raw", "security"];

/// (family, table, chain, handle) of a rule.
type Key = (u8, String, String, u64);

/// A foreign rule: its expressions and userdata as bytes, and its position
/// among the foreign rules of its chain.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Body {
    exprs: Vec<u8>,
    userdata: Option<Vec<u8>>,
    index: usize,
}

fn bytes_of<T: Attribute>(v: &T) -> Vec<u8> {
    let mut w = Writer::new();
    v.encode(&mut w);
    w.buf
}

/// The rules of iptables' tables that the shim lists as foreign (its
/// `# -A CHAIN handle N: not an iptables rule` lines of `iptables-save` and
/// `ip6tables-save`): native rules that iptables 1.8.11 reads correctly and
/// completely are iptables rules to the shim (as to 1.8.11), and a full
/// restore may rewrite them in iptables' encoding; these may not change.
fn listed_foreign(wrap: &Path) -> BTreeSet<Key> {
    let mut out = BTreeSet::new();
    for (family, tool) in [(2u8, "iptables-save"), (10u8, "ip6tables-save")] {
        let o = shell(wrap, tool);
        assert!(
            o.status.success(),
            "{tool}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        let mut table = String::new();
        for l in text(&o).lines() {
            if let Some(t) = l.strip_prefix('*') {
                table = t.to_string();
            } else if let Some(rest) = l.strip_prefix("# -A ") {
                let Some((chain, rest)) = rest.split_once(" handle ") else {
                    continue;
                };
                let Some((h, _)) = rest.split_once(": not an iptables rule") else {
                    continue;
                };
                let h: u64 = h.parse().expect("handle in a foreign-rule line");
                out.insert((family, table.clone(), chain.to_string(), h));
            }
        }
    }
    out
}

/// Every rule the iptables model does not own: rules outside iptables'
/// tables, and rules inside them that neither decode to what iptables-nft
/// writes nor read as iptables rules to the shim ([`listed_foreign`]).
fn foreign_rules(wrap: &Path) -> BTreeMap<Key, Body> {
    let mut conn = Conn::open().expect("netlink");
    let rs = Ruleset::read(&mut conn, 0).expect("ruleset");
    let listed = listed_foreign(wrap);
    let mut out = BTreeMap::new();
    let mut idx: BTreeMap<(u8, String, String), usize> = BTreeMap::new();
    for r in &rs.rules {
        let ipt_table = matches!(r.family, 2 | 10) && IPT_TABLES.contains(&r.table());
        if ipt_table && matches!(decode(r, r.table()), Decoded::Rule(_)) {
            continue;
        }
        let key = (
            r.family,
            r.table().to_string(),
            r.chain().to_string(),
            r.attrs.handle.unwrap_or(0),
        );
        if ipt_table && !listed.contains(&key) {
            continue;
        }
        let ck = (r.family, r.table().to_string(), r.chain().to_string());
        let n = idx.entry(ck).or_default();
        out.insert(
            key,
            Body {
                exprs: r.attrs.exprs.as_ref().map(bytes_of).unwrap_or_default(),
                userdata: r.attrs.userdata.as_ref().map(|u| u.to_vec()),
                index: *n,
            },
        );
        *n += 1;
    }
    out
}

fn shell(path: &Path, cmd: &str) -> Output {
    let p = format!(
        "{}:{}",
        path.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    Command::new("bash")
        .arg("-c")
        .arg(cmd)
        .env("PATH", p)
        .output()
        .expect("bash")
}

fn text(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// Run a corpus script; its transcript.
fn script(wrap: &Path, corpus: &Path, name: &str) -> String {
    let o = shell(wrap, &format!("bash {}", corpus.join(name).display()));
    text(&o)
}

/// The hard-failure count of a transcript's summary line.
fn hard_failures(t: &str) -> usize {
    t.lines()
        .rev()
        .find_map(|l| l.strip_prefix("### "))
        .and_then(|l| l.split(": ").nth(1))
        .and_then(|l| l.split(' ').next())
        .and_then(|n| n.parse().ok())
        .expect("summary line")
}

/// The commands and exit codes of a transcript.
fn exit_codes(t: &str) -> Vec<String> {
    let mut v = Vec::new();
    let mut cmd = String::new();
    for l in t.lines() {
        if let Some(c) = l.strip_prefix("+ ") {
            cmd = c.to_string();
        } else if let Some(rc) = l.trim().strip_prefix("-> rc=") {
            v.push(format!("{cmd} => {rc}"));
        }
    }
    v
}

fn baseline(wrap: &Path, corpus: &Path) {
    let _ = shell(wrap, "ip link set lo up");
    for s in &SCRIPTS[..3] {
        let t = script(wrap, corpus, s);
        assert_eq!(hard_failures(&t), 0, "baseline {s}:\n{t}");
    }
}

/// Load `NAME.nft` and, if present, `NAME-exact.py`.
fn load_foreign(corpus: &Path, name: &str) {
    let f = corpus.join(format!("{name}.nft"));
    let o = common::run("nft", &["-f", &f.to_string_lossy()]);
    assert!(
        o.status.success(),
        "nft -f {name}.nft: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    let x = corpus.join(format!("{name}-exact.py"));
    if x.exists() {
        let o = common::run("python3", &[&x.to_string_lossy()]);
        assert!(
            o.status.success(),
            "{name}-exact.py: {}",
            String::from_utf8_lossy(&o.stderr)
        );
    }
}

fn load_netbird(corpus: &Path) {
    load_foreign(corpus, "netbird");
}

/// Baseline + `foreign` + every script: transcripts and foreign rules
/// before and after.
fn layered(
    wrap: &Path,
    corpus: &Path,
    foreign: &str,
) -> (Vec<String>, BTreeMap<Key, Body>, BTreeMap<Key, Body>) {
    let (w, c, f) = (
        wrap.to_path_buf(),
        corpus.to_path_buf(),
        foreign.to_string(),
    );
    common::netns(move || {
        baseline(&w, &c);
        load_foreign(&c, &f);
        let before = foreign_rules(&w);
        let mixed: Vec<String> = SCRIPTS.iter().map(|s| script(&w, &c, s)).collect();
        (mixed, before, foreign_rules(&w))
    })
}

/// Transcripts of the scripts on a node without foreign rules.
fn clean(wrap: &Path, corpus: &Path) -> Vec<String> {
    let (w, c) = (wrap.to_path_buf(), corpus.to_path_buf());
    common::netns(move || {
        baseline(&w, &c);
        SCRIPTS.iter().map(|s| script(&w, &c, s)).collect()
    })
}

fn check_layered(foreign: &str, clean: &[String], mixed: &[String]) {
    for ((name, c), m) in SCRIPTS.iter().zip(clean).zip(mixed) {
        assert_eq!(hard_failures(m), 0, "{name} beside {foreign}:\n{m}");
        assert_eq!(
            exit_codes(c),
            exit_codes(m),
            "{name} beside {foreign}: exit codes differ from a clean node"
        );
    }
}

fn assert_kept(before: &BTreeMap<Key, Body>, after: &BTreeMap<Key, Body>, what: &str) {
    for (k, b) in before {
        let a = after
            .get(k)
            .unwrap_or_else(|| panic!("{what}: foreign rule {k:?} is gone"));
        assert_eq!(a.exprs, b.exprs, "{what}: expressions of {k:?} changed");
        assert_eq!(a.userdata, b.userdata, "{what}: userdata of {k:?} changed");
    }
    // Relative order within each chain is unchanged.
    let mut chains: BTreeMap<(u8, String, String), Vec<(usize, u64)>> = BTreeMap::new();
    for k in before.keys() {
        let a = &after[k];
        chains
            .entry((k.0, k.1.clone(), k.2.clone()))
            .or_default()
            .push((before[k].index, a.index as u64));
    }
    for (c, mut v) in chains {
        v.sort();
        assert!(
            v.windows(2).all(|w| w[0].1 < w[1].1),
            "{what}: order of foreign rules in {c:?} changed"
        );
    }
}

/// The oracle environment and the corpus directory. Panics when a
/// prerequisite is missing.
fn setup() -> (&'static oracle::Env, PathBuf) {
    // The corpus scripts create ipsets (kube-router, kube-ovn).
    assert!(
        Command::new("ipset").arg("version").output().is_ok(),
        "ipset is not installed (scripts/test-all installs it: apt-get install ipset)"
    );
    (oracle::env(), common::data_path("corpus"))
}

/// Every corpus script re-syncs on the mixed node without a failure, with
/// the exit codes it gets on a node without foreign rules, and the foreign
/// rules are byte-identical afterwards.
#[test]
fn netbird_beside_kubernetes() {
    common::netns(|| ());
    let (env, corpus) = setup();
    let clean = clean(&env.wrap_shim, &corpus);
    let (mixed, before, after) = layered(&env.wrap_shim, &corpus, "netbird");
    let in_filter = before
        .keys()
        .filter(|k| k.0 == 2 && k.1 == "filter")
        .count();
    // NetBird's tagged and ct-state rules stay foreign; its plain ones
    // (`iifname "wt0" accept`) read correctly in 1.8.11 and are iptables
    // rules to the shim too (shim/README).
    assert!(
        in_filter >= 3,
        "NetBird's rules in ip filter are foreign ({in_filter})"
    );
    check_layered("netbird", &clean, &mixed);
    assert_kept(&before, &after, "after the re-syncs");
}

/// The other foreign rulesets of the corpus (Tailscale, a Tailscale k8s
/// proxy with extra base chains, a user's `ct state` rule, a RHEL 8 nft
/// round trip, and the negative controls): same guarantees.
#[test]
fn other_foreign_rulesets() {
    common::netns(|| ());
    let (env, corpus) = setup();
    let clean = clean(&env.wrap_shim, &corpus);
    for f in [
        "tailscale",
        "tailscale-k8s-proxy",
        "user-nft-conntrack",
        "nft-roundtrip-rhel8-libvirt-firewalld",
        "docker-nft",
        "kube-proxy-nft",
        "firewalld",
    ] {
        let (mixed, before, after) = layered(&env.wrap_shim, &corpus, f);
        check_layered(f, &clean, &mixed);
        assert_kept(&before, &after, f);
    }
}

/// `-S`, `-L` and `iptables-save` show foreign rules as comment lines that
/// iptables-restore 1.8.11 accepts; `-C`/`-D` by spec never match them;
/// a full restore keeps them (at the head of their chains, in order);
/// `-D N` on one warns and deletes it; `-F` keeps them.
#[test]
fn foreign_rules_listing_and_removal() {
    common::netns(|| ());
    let (env, corpus) = setup();
    let wrap = env.wrap_shim.clone();
    let oracle_wrap = env.wrap_oracle.clone();
    common::netns(move || {
        baseline(&wrap, &corpus);
        load_netbird(&corpus);
        let before = foreign_rules(&wrap);
        let mut fwd: Vec<(usize, u64)> = before
            .iter()
            .filter(|(k, _)| k.0 == 2 && k.1 == "filter" && k.2 == "FORWARD")
            .map(|(k, b)| (b.index, k.3))
            .collect();
        fwd.sort();
        let fwd: Vec<u64> = fwd.into_iter().map(|x| x.1).collect();
        assert!(
            fwd.len() >= 2,
            "NetBird's FORWARD rules are foreign: {fwd:?}"
        );

        // Listings: rc 0, one comment line per foreign rule naming its handle.
        let save = shell(&wrap, "iptables-save");
        assert!(
            save.status.success(),
            "iptables-save: {}",
            String::from_utf8_lossy(&save.stderr)
        );
        let save = text(&save);
        for h in &fwd {
            assert!(
                save.contains(&format!("# -A FORWARD handle {h}: ")),
                "iptables-save shows foreign rule {h}:\n{save}"
            );
        }
        let s = shell(&wrap, "iptables -S FORWARD");
        assert_eq!(s.status.code(), Some(0));
        let comments = text(&s)
            .lines()
            .filter(|l| l.starts_with("# -A FORWARD"))
            .count();
        assert_eq!(comments, fwd.len(), "-S FORWARD:\n{}", text(&s));
        let l = shell(&wrap, "iptables -L FORWARD -n --line-numbers");
        assert_eq!(l.status.code(), Some(0));
        assert!(
            text(&l).contains("not an iptables rule"),
            "-L:\n{}",
            text(&l)
        );
        let v = shell(&wrap, "iptables -L -n -v -x");
        assert_eq!(
            v.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&v.stderr)
        );

        // Real iptables-restore 1.8.11 accepts the dump.
        let t = shell(&oracle_wrap, "iptables-save | iptables-restore --test");
        assert!(t.status.success(), "{}", String::from_utf8_lossy(&t.stderr));
        let t = shell(
            &oracle_wrap,
            &format!(
                "printf '%s' '{}' | iptables-restore --test",
                save.replace('\'', "'\\''")
            ),
        );
        assert!(
            t.status.success(),
            "real iptables-restore rejects the shim's save: {}",
            String::from_utf8_lossy(&t.stderr)
        );

        // -C / -D by spec of an absent rule: rc 1, the usual message.
        let c = shell(&wrap, "iptables -C FORWARD -s 192.0.2.1 -j ACCEPT");
        assert_eq!(c.status.code(), Some(1));
        assert_eq!(
            String::from_utf8_lossy(&c.stderr),
            "iptables: Bad rule (does a matching rule exist in that chain?).\n"
        );
        let d = shell(&wrap, "iptables -D FORWARD -o wt0 -j ACCEPT");
        assert_eq!(d.status.code(), Some(1));
        // -A/-D of an iptables rule in the mixed chain work.
        let a = shell(&wrap, "iptables -A FORWARD -s 192.0.2.1 -j ACCEPT && iptables -C FORWARD -s 192.0.2.1 -j ACCEPT && iptables -D FORWARD -s 192.0.2.1 -j ACCEPT");
        assert!(a.status.success(), "{}", String::from_utf8_lossy(&a.stderr));
        assert_kept(&before, &foreign_rules(&wrap), "after -A/-C/-D");

        // Full restore of the table: foreign rules kept byte-identical at
        // the head of their chains; iptables rules unchanged.
        let s1 = text(&shell(&wrap, "iptables-save -t filter | grep -v '^#'"));
        let r = shell(
            &wrap,
            "iptables-save -t filter | iptables-restore -T filter",
        );
        assert!(r.status.success(), "{}", String::from_utf8_lossy(&r.stderr));
        let s2 = text(&shell(&wrap, "iptables-save -t filter | grep -v '^#'"));
        assert_eq!(s1, s2, "restore round trip changed iptables rules");
        let after = foreign_rules(&wrap);
        assert_kept(&before, &after, "after a full restore");
        let mut conn = Conn::open().expect("netlink");
        let rs = Ruleset::read_filtered(&mut conn, 2, Some("filter")).expect("ruleset");
        let chain: Vec<u64> = rs
            .chain_rules(2, "filter", "FORWARD")
            .map(|r| r.attrs.handle.unwrap_or(0))
            .collect();
        assert_eq!(
            &chain[..fwd.len()],
            &fwd[..],
            "foreign rules lead FORWARD after a restore"
        );

        // -D by number on a foreign rule: deleted with a warning.
        let d = shell(&wrap, "iptables -D FORWARD 1");
        assert_eq!(d.status.code(), Some(0));
        let err = String::from_utf8_lossy(&d.stderr);
        assert!(
            err.contains("not an iptables rule"),
            "warning expected: {err}"
        );
        let now = foreign_rules(&wrap);
        assert!(!now.contains_key(&(2, "filter".into(), "FORWARD".into(), fwd[0])));

        // -F removes the iptables rules and keeps the foreign ones (the
        // rest of FORWARD's, and everything of other tables).
        let kept_before = foreign_rules(&wrap);
        let f = shell(&wrap, "iptables -F FORWARD");
        assert_eq!(f.status.code(), Some(0));
        let now = foreign_rules(&wrap);
        assert_kept(&kept_before, &now, "after -F FORWARD");
        let s = shell(&wrap, "iptables -S FORWARD");
        let listed = String::from_utf8_lossy(&s.stdout);
        assert!(
            !listed.lines().any(|l| l.starts_with("-A ")),
            "iptables rules left in FORWARD after -F:\n{listed}"
        );
    });
}
