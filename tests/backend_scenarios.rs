//! `nftwire backend` in scenario namespaces: each builds a state with the
//! real iptables-legacy / iptables-nft / nft binaries, then asks nftwire
//! (which runs none of them) which backend is in use.

mod common;

use common::{netns, nft_load, run};

fn ok(prog: &str, args: &[&str]) {
    let o = run(prog, args);
    assert!(
        o.status.success(),
        "{prog} {args:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
}

/// Run `nftwire backend --json` and return (backend, json text).
fn backend() -> (String, String) {
    let o = run(
        common::bin("nftwire").to_str().unwrap(),
        &["backend", "--json"],
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let text = String::from_utf8_lossy(&o.stdout).to_string();
    let b = text
        .split("\"backend\": \"")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .unwrap_or("")
        .to_string();
    (b, text)
}

fn scenario<F: FnOnce() + Send + 'static>(setup: F) -> (String, String) {
    netns(move || {
        setup();
        backend()
    })
}

#[test]
fn empty_namespace_is_none() {
    let (b, j) = scenario(|| {});
    assert_eq!(b, "none", "{j}");
    assert!(j.contains("neither backend"), "{j}");
}

#[test]
fn legacy_rules_only_is_legacy() {
    let (b, j) = scenario(|| {
        ok(
            "iptables-legacy",
            &["-A", "INPUT", "-s", "10.0.0.1", "-j", "ACCEPT"],
        );
        ok("iptables-legacy", &["-N", "KUBE-SERVICES"]);
        ok("iptables-legacy", &["-A", "KUBE-SERVICES", "-j", "RETURN"]);
    });
    assert_eq!(b, "legacy", "{j}");
    assert!(
        j.contains("legacy table ip filter: 2 rule(s), 1 user chain(s) (KUBE-SERVICES)"),
        "{j}"
    );
}

#[test]
fn legacy_policy_only_is_legacy() {
    let (b, j) = scenario(|| ok("iptables-legacy", &["-P", "FORWARD", "DROP"]));
    assert_eq!(b, "legacy", "{j}");
    assert!(j.contains("policies FORWARD DROP"), "{j}");
}

#[test]
fn nft_rules_only_is_nft() {
    let (b, j) = scenario(|| {
        ok(
            "iptables-nft",
            &["-A", "FORWARD", "-s", "10.0.0.1", "-j", "ACCEPT"],
        );
        ok(
            "ip6tables-nft",
            &["-A", "INPUT", "-p", "tcp", "--dport", "22", "-j", "ACCEPT"],
        );
    });
    assert_eq!(b, "nft", "{j}");
    assert!(j.contains("iptables-nft table ip filter: 1 rule(s)"), "{j}");
    assert!(
        j.contains("iptables-nft table ip6 filter: 1 rule(s)"),
        "{j}"
    );
}

#[test]
fn native_nftables_only_is_none() {
    let (b, j) = scenario(|| {
        nft_load("table inet fw {\n chain input {\n type filter hook input priority 0;\n tcp dport 22 accept\n }\n}\n");
    });
    assert_eq!(b, "none", "{j}");
    assert!(
        j.contains("native nftables table inet fw (1 rule(s))"),
        "{j}"
    );
}

#[test]
fn foreign_rules_in_iptables_tables_are_not_iptables_nft() {
    let (b, j) = scenario(|| {
        nft_load("table ip filter {\n chain FORWARD {\n type filter hook forward priority 0;\n ct state established accept\n }\n}\n");
    });
    assert_eq!(b, "none", "{j}");
    assert!(
        j.contains("1 rule(s) written by another nftables tool"),
        "{j}"
    );
}

#[test]
fn probed_empty_legacy_tables_do_not_count() {
    let (b, j) = scenario(|| {
        // kube-ovn style probe: creates empty legacy nat (and filter) tables.
        let _ = run("iptables-legacy", &["-t", "nat", "-S", "INPUT", "1"]);
        let _ = run("iptables-legacy", &["-S"]);
        ok("iptables-nft", &["-A", "INPUT", "-i", "lo", "-j", "ACCEPT"]);
    });
    assert_eq!(b, "nft", "{j}");
    assert!(
        j.contains("legacy table ip nat exists but holds only empty builtin chains"),
        "{j}"
    );
}

#[test]
fn kubelet_hint_in_legacy_wins_over_more_nft_rules() {
    let (b, j) = scenario(|| {
        ok(
            "iptables-legacy",
            &["-t", "mangle", "-N", "KUBE-IPTABLES-HINT"],
        );
        for i in 1..5 {
            ok(
                "iptables-nft",
                &["-A", "INPUT", "-s", &format!("10.0.0.{i}"), "-j", "ACCEPT"],
            );
        }
    });
    assert_eq!(b, "legacy", "{j}");
    assert!(j.contains("KUBE-IPTABLES-HINT in legacy ip mangle"), "{j}");
}

#[test]
fn kubelet_hint_in_nft_wins_over_more_legacy_rules() {
    let (b, j) = scenario(|| {
        ok(
            "ip6tables-nft",
            &["-t", "mangle", "-N", "KUBE-KUBELET-CANARY"],
        );
        for i in 1..5 {
            ok(
                "iptables-legacy",
                &["-A", "INPUT", "-s", &format!("10.0.0.{i}"), "-j", "ACCEPT"],
            );
        }
    });
    assert_eq!(b, "nft", "{j}");
    assert!(
        j.contains("KUBE-KUBELET-CANARY in iptables-nft ip6 mangle"),
        "{j}"
    );
}

#[test]
fn more_legacy_rules_than_nft_is_legacy() {
    let (b, j) = scenario(|| {
        for i in 1..4 {
            ok(
                "iptables-legacy",
                &["-A", "INPUT", "-s", &format!("10.0.0.{i}"), "-j", "ACCEPT"],
            );
        }
        ok(
            "iptables-nft",
            &["-A", "INPUT", "-s", "10.0.0.9", "-j", "ACCEPT"],
        );
    });
    assert_eq!(b, "legacy", "{j}");
    assert!(j.contains("legacy has more (3 vs 1)"), "{j}");
}

#[test]
fn more_nft_rules_than_legacy_is_nft() {
    let (b, j) = scenario(|| {
        ok(
            "iptables-legacy",
            &["-A", "INPUT", "-s", "10.0.0.9", "-j", "ACCEPT"],
        );
        for i in 1..4 {
            ok(
                "iptables-nft",
                &["-A", "INPUT", "-s", &format!("10.0.0.{i}"), "-j", "ACCEPT"],
            );
        }
    });
    assert_eq!(b, "nft", "{j}");
    assert!(j.contains("iptables-nft has more (3 vs 1)"), "{j}");
}

#[test]
fn backend_reads_legacy_tables_without_creating_any() {
    netns(|| {
        // Nothing legacy exists; asking must not create tables.
        let _ = backend();
        let o = run("cat", &["/proc/thread-self/net/ip_tables_names"]);
        assert!(String::from_utf8_lossy(&o.stdout).trim().is_empty());
    });
}

#[test]
fn library_reads_the_calling_threads_namespace() {
    // The test process's main thread stays in the host namespace; the
    // reader must still see this thread's legacy tables.
    let tables = netns(|| {
        ok(
            "iptables-legacy",
            &["-A", "OUTPUT", "-d", "10.0.0.1", "-j", "DROP"],
        );
        ok("ip6tables-legacy", &["-N", "X"]);
        nftwire::diagnose::legacy::read_all()
    });
    let (ok_tables, failed) = tables;
    assert!(failed.is_empty(), "{failed:?}");
    let f = ok_tables
        .iter()
        .find(|t| !t.ipv6 && t.name == "filter")
        .expect("legacy ip filter");
    assert_eq!(f.rules(), 1);
    let out = f.chains.iter().find(|c| c.name == "OUTPUT").unwrap();
    assert_eq!((out.rules, out.policy.as_deref()), (1, Some("ACCEPT")));
    let f6 = ok_tables
        .iter()
        .find(|t| t.ipv6 && t.name == "filter")
        .expect("legacy ip6 filter");
    assert_eq!((f6.rules(), f6.user_chains()), (0, 1));
}
