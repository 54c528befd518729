//! Checks of the real-client harness itself (`tests/clients/mod.rs`): the
//! sandbox runs the iptables under test and its checks notice what they
//! are meant to notice.

#[path = "clients/mod.rs"]
mod clients;
mod common;

use clients::{compare, run, Impl, Step};

/// A NetBird rule flushed away is reported as lost, at that step only
/// (the run with nothing removed reports nothing).
#[test]
fn lost_native_rules_are_noticed() {
    let steps = [
        Step::new("list", "nft list table ip netbird >/dev/null"),
        Step::new("flush FORWARD", "nft flush chain ip filter FORWARD"),
        Step::new("delete netbird", "nft delete table ip netbird"),
    ];
    let recs = run("harness-lost", Impl::Shim, true, &|_| {}, &steps);
    assert!(recs[0].lost_native.is_empty(), "{:?}", recs[0].lost_native);
    assert!(
        recs[1]
            .lost_native
            .iter()
            .any(|l| l.starts_with("rule ip filter FORWARD")),
        "{:?}",
        recs[1].lost_native
    );
    assert!(
        recs[2]
            .lost_native
            .iter()
            .any(|l| l.starts_with("set ip netbird")),
        "{:?}",
        recs[2].lost_native
    );
}

/// Both sandboxes run the implementation they are meant to, and a
/// different result (here: a rule only one of them adds) is reported.
#[test]
fn sandboxes_differ_when_the_iptables_differ() {
    let steps = [Step::new(
        "version-dependent rule",
        // The oracle is a wrapper script, the shim an ELF binary.
        "head -c2 /usr/sbin/xtables-nft-multi | grep -q '#!' && iptables -A INPUT -j ACCEPT; iptables -S INPUT",
    )];
    let o = run("harness-diff", Impl::Oracle, false, &|_| {}, &steps);
    let s = run("harness-diff", Impl::Shim, false, &|_| {}, &steps);
    assert!(
        o[0].state.save.contains("-A INPUT -j ACCEPT"),
        "{}",
        o[0].state.save
    );
    let f = compare("harness", &o, &s);
    let whats: Vec<&str> = f.diffs.iter().map(|d| d.what.as_str()).collect();
    assert!(
        whats.contains(&"nft") && whats.contains(&"save"),
        "{whats:?}\n{}",
        f.report
    );
}
