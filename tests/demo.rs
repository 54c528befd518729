//! `nftwire demo` builds its scene in a throwaway namespace of its own,
//! predicts iptables' behaviour without running it, and leaves nothing
//! behind.

mod common;

use common::{netns, run};

#[test]
fn demo_predicts_the_conflict_and_leaves_nothing_behind() {
    let (out, rc, after) = netns(|| {
        let o = run(
            common::bin("nftwire").to_str().unwrap(),
            &["demo", "--iptables-version", "1.8.9"],
        );
        let after = run("nft", &["list", "ruleset"]);
        (
            String::from_utf8_lossy(&o.stdout).to_string() + &String::from_utf8_lossy(&o.stderr),
            o.status.code(),
            String::from_utf8_lossy(&after.stdout).to_string(),
        )
    });
    assert_eq!(rc, Some(0), "{out}");
    // The namespace the demo ran from is untouched.
    assert!(after.trim().is_empty(), "demo left rules behind: {after}");
    for want in [
        "nothing on this host was touched and no program was run",
        "-A FORWARD -m comment --comment \"kube-router netpol - TEMCG2JMHZYE7H7T\" -j KUBE-ROUTER-FORWARD",
        "PREDICTION",
        "iptables was not run",
        "iptables v1.8.9 (nf_tables): table `filter' is incompatible, use 'nft' tool.",
        "-> exit 3: Error: cmp sreg undef / iptables v1.8.9 (nf_tables): Parsing nftables rule failed",
        "iptables v1.8.11 (nf_tables): table `filter' is incompatible",
        "expression #2 `[ ct load state => reg 2 ]` makes the table incompatible",
        "iptables -t filter -A FORWARD -o wt0 -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT",
        "not an iptables rule",
        "found (handle",
    ] {
        assert!(out.contains(want), "missing `{want}` in:\n{out}");
    }
}

#[test]
fn demo_rejects_unknown_versions() {
    netns(|| {
        let o = run(
            common::bin("nftwire").to_str().unwrap(),
            &["demo", "--iptables-version", "1.7.0"],
        );
        assert_eq!(o.status.code(), Some(2));
        assert!(String::from_utf8_lossy(&o.stderr).contains("unsupported --iptables-version"));
    });
}
