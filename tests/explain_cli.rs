//! The `nftwire explain` command line: JSON shape, filters, exit codes.

mod common;

use common::{netns, nft_load, run};

fn explain(args: &[&str]) -> (Option<i32>, String, String) {
    let mut a = vec!["explain"];
    a.extend_from_slice(args);
    let o = run(common::bin("nftwire").to_str().unwrap(), &a);
    (
        o.status.code(),
        String::from_utf8_lossy(&o.stdout).to_string(),
        String::from_utf8_lossy(&o.stderr).to_string(),
    )
}

const KEYS: [&str; 10] = [
    "\"family\": ",
    "\"table\": ",
    "\"chain\": ",
    "\"handle\": ",
    "\"list\": ",
    "\"check\": ",
    "\"error\": ",
    "\"misread\": ",
    "\"iptables\": ",
    "\"reason\": ",
];

#[test]
fn readable_rules_exit_0() {
    netns(|| {
        let o = run(
            "iptables",
            &["-A", "FORWARD", "-s", "1.2.3.4", "-j", "ACCEPT"],
        );
        assert!(o.status.success());
        let (rc, out, err) = explain(&["--json", "--iptables-version", "1.8.9"]);
        assert_eq!(rc, Some(0), "{out}{err}");
        assert!(out.trim_start().starts_with('['), "{out}");
        for k in KEYS {
            assert_eq!(out.matches(k).count(), 1, "{k} in {out}");
        }
        assert!(
            out.contains("\"iptables\": \"-A FORWARD -s 1.2.3.4/32 -j ACCEPT\""),
            "{out}"
        );
        assert!(out.contains("\"list\": \"ok\""), "{out}");
        let (rc, human, _) = explain(&[]);
        assert_eq!(rc, Some(0));
        assert!(
            human.contains("iptables -S / -L / iptables-save: work"),
            "{human}"
        );
    });
}

#[test]
fn foreign_rules_exit_1_with_reasons() {
    netns(|| {
        let o = run(
            "iptables",
            &["-A", "FORWARD", "-s", "1.2.3.4", "-j", "ACCEPT"],
        );
        assert!(o.status.success());
        nft_load("add rule ip filter FORWARD ct state established counter accept\nadd rule ip filter FORWARD ip saddr 10.0.0.1-10.0.0.9 accept\nadd rule ip filter FORWARD meta mark set 0x10\n");
        let (rc, out, err) = explain(&[
            "--json",
            "--iptables-version",
            "1.8.9",
            "--chain",
            "FORWARD",
        ]);
        assert_eq!(rc, Some(1), "{out}{err}");
        for k in KEYS {
            assert_eq!(out.matches(k).count(), 4, "{k} in {out}");
        }
        assert!(out.contains("\"list\": \"incompatible\""));
        assert!(out.contains("\"error\": \"cmp sreg undef\""));
        assert!(out.contains("\"error\": \"meta sreg key not supported\""));
        assert!(out.contains("\"misread\": true"));
        assert!(out.contains("\"iptables\": \"-A FORWARD -s 10.0.0.9/32 -j ACCEPT\""));
        assert!(
            out.contains("-m conntrack --ctstate ESTABLISHED -j ACCEPT"),
            "{out}"
        );
        assert!(
            out.contains("-m iprange --src-range 10.0.0.1-10.0.0.9"),
            "{out}"
        );
        // 1.8.11 reads `meta mark set` as a MARK target.
        let (_, out11, _) = explain(&["--json", "--iptables-version", "1.8.11"]);
        assert!(
            out11.contains("\"iptables\": \"-A FORWARD -j MARK --set-xmark 0x10/0xffffffff\""),
            "{out11}"
        );
        // Filters.
        let (rc, out6, _) = explain(&["--json", "--family", "ip6"]);
        assert_eq!((rc, out6.trim()), (Some(0), "[]"));
        let (_, outnat, _) = explain(&["--json", "--table", "nat"]);
        assert_eq!(outnat.trim(), "[]");
        let (_, human, _) = explain(&["--iptables-version", "1.8.9"]);
        assert!(
            human.contains("INCOMPATIBLE") && human.contains("MISREAD") && human.contains("ERROR"),
            "{human}"
        );
        assert!(
            human.contains("suggestion (an iptables-compatible equivalent; not applied)"),
            "{human}"
        );
    });
}

#[test]
fn tainted_tables_are_reported() {
    netns(|| {
        nft_load("table ip filter {\n chain INPUT {\n type filter hook input priority 10;\n tcp dport 22 accept\n }\n}\n");
        let (rc, human, _) = explain(&["--iptables-version", "1.8.11"]);
        assert_eq!(rc, Some(1), "{human}");
        assert!(
            human.contains("contains incompatible base-chains"),
            "{human}"
        );
        assert!(
            human.contains("priority 10 where iptables expects 0"),
            "{human}"
        );
        assert!(
            human.contains("CHAIN_ADD failed (Operation not supported)"),
            "{human}"
        );
        let (_, json, _) = explain(&["--json"]);
        assert!(json.contains("\"hidden\": true"), "{json}");
    });
}

#[test]
fn bad_usage_exits_2() {
    netns(|| {
        for args in [
            &["--iptables-version", "1.7.0"][..],
            &["--family", "inet"][..],
            &["--table", "postrouting"][..],
            &["--bogus"][..],
        ] {
            let (rc, _, err) = explain(args);
            assert_eq!(rc, Some(2), "{args:?}: {err}");
        }
    });
}
