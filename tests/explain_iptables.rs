//! Rules written by iptables itself: explain must find them all readable
//! and print each exactly as iptables-save 1.8.9 (host) and 1.8.11
//! (target/oracle-root, unpacked on first use by `common::oracle_root`) do.

mod common;

use common::{netns, run, run_stdin};
use nftwire::diagnose::extprint::IptablesModel;
use nftwire::diagnose::{explain, IptVersion, Options};
use nftwire::netlink::Conn;
use nftwire::ruleset::Ruleset;

fn save_1_8_11(tool: &str) -> String {
    let root = common::oracle_root();
    let lib = root.join("usr/lib/x86_64-linux-gnu");
    let o = std::process::Command::new(lib.join("ld-linux-x86-64.so.2"))
        .args([
            "--library-path",
            lib.to_str().unwrap(),
            "--argv0",
            tool,
            root.join("usr/sbin/xtables-nft-multi").to_str().unwrap(),
        ])
        .env("XTABLES_LIBDIR", lib.join("xtables"))
        .output()
        .unwrap();
    String::from_utf8_lossy(&o.stdout).to_string()
}

/// (version, predicted lines, real lines) per family.
fn compare_saves() -> Vec<(IptVersion, Vec<String>, Vec<String>)> {
    let rs = Ruleset::read(&mut Conn::open().unwrap(), 0).unwrap();
    let mut out = Vec::new();
    for v in [IptVersion::V1_8_9, IptVersion::V1_8_11] {
        for (family, tool) in [(2u8, "iptables-save"), (10u8, "ip6tables-save")] {
            let opts = Options {
                version: v,
                family: Some(family),
                table: None,
                chain: None,
                ifname: &nftwire::diagnose::explain::if_indextoname,
                ext: &IptablesModel,
            };
            let ex = explain(&rs, &opts);
            for r in &ex.rules {
                assert!(
                    r.readable(),
                    "{v}: {:?} not readable: {}",
                    r.iptables,
                    r.reason
                );
            }
            let predicted: Vec<String> =
                ex.rules.iter().filter_map(|r| r.iptables.clone()).collect();
            let real = match v {
                IptVersion::V1_8_9 => String::from_utf8_lossy(&run(tool, &[]).stdout).to_string(),
                _ => save_1_8_11(tool),
            };
            let real: Vec<String> = real
                .lines()
                .filter(|l| l.starts_with("-A "))
                .map(str::to_string)
                .collect();
            out.push((v, predicted, real));
        }
    }
    out
}

fn assert_same(results: Vec<(IptVersion, Vec<String>, Vec<String>)>, label: &str) {
    let mut bad = Vec::new();
    for (v, mut p, mut r) in results {
        let n = r.len();
        p.sort();
        r.sort();
        let missing: Vec<_> = r.iter().filter(|l| !p.contains(l)).collect();
        let extra: Vec<_> = p.iter().filter(|l| !r.contains(l)).collect();
        eprintln!(
            "{label}: iptables {v}: {}/{n} rules printed identically",
            n - missing.len()
        );
        if !missing.is_empty() || !extra.is_empty() {
            bad.push(format!(
                "{v}: real but not predicted {missing:#?}\npredicted but not real {extra:#?}"
            ));
        }
    }
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}

#[test]
fn k8s_node_baseline_is_read_like_iptables_save() {
    let dir = common::data_path("corpus");
    let ipset = std::fs::read_to_string(dir.join("baseline-k8s-node.ipset")).unwrap();
    let rules = std::fs::read_to_string(dir.join("baseline-k8s-node.iptables")).unwrap();
    let results = netns(move || {
        let o = run_stdin("ipset", &["restore"], &ipset);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let o = run_stdin("iptables-restore", &[], &rules);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        compare_saves()
    });
    assert_same(results, "k8s baseline");
}

const COMMANDS: &[&str] = &[
    "iptables -A INPUT -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT",
    "iptables -A INPUT -m state --state NEW -p tcp --dport 22 -j ACCEPT",
    "iptables -A INPUT -p tcp -m multiport --dports 80,443,8000:8080 -j ACCEPT",
    "iptables -A INPUT -p tcp --tcp-flags SYN,RST SYN -j DROP",
    "iptables -A INPUT -p icmp --icmp-type echo-request -m limit --limit 5/min --limit-burst 10 -j ACCEPT",
    "iptables -A INPUT -m addrtype --dst-type LOCAL -m comment --comment \"local traffic\" -j ACCEPT",
    "iptables -A INPUT -m mark --mark 0x4000/0x4000 -j DROP",
    "iptables -A INPUT -i eth+ ! -s 10.0.0.0/8 -j LOG --log-prefix \"drop: \" --log-level 6",
    "iptables -A INPUT -p udp --sport 53 -j NFLOG --nflog-group 2",
    "iptables -A FORWARD -o br0 -m physdev --physdev-is-bridged -j ACCEPT",
    "iptables -A FORWARD -p tcp -j REJECT --reject-with tcp-reset",
    "iptables -A OUTPUT -m statistic --mode random --probability 0.25 -j ACCEPT",
    "iptables -t mangle -A PREROUTING -j MARK --set-xmark 0x1/0xff",
    "iptables -t mangle -A PREROUTING -j CONNMARK --restore-mark",
    "iptables -t nat -A POSTROUTING -s 10.42.0.0/16 ! -d 10.42.0.0/16 -j MASQUERADE --random-fully",
    "iptables -t nat -A PREROUTING -p tcp --dport 80 -j DNAT --to-destination 10.0.0.1:8080",
    "iptables -t nat -A POSTROUTING -o eth0 -j SNAT --to-source 1.2.3.4",
    "iptables -t raw -A OUTPUT -j TRACE",
    "ip6tables -A INPUT -p ipv6-icmp --icmpv6-type 128 -j ACCEPT",
    "ip6tables -A INPUT -s 2001:db8::/32 -m conntrack ! --ctstate INVALID -j ACCEPT",
    "ip6tables -t nat -A POSTROUTING -j MASQUERADE",
];

#[test]
fn iptables_commands_are_read_like_iptables_save() {
    let results = netns(|| {
        for c in COMMANDS {
            let o = run("sh", &["-c", c]);
            assert!(
                o.status.success(),
                "{c}: {}",
                String::from_utf8_lossy(&o.stderr)
            );
        }
        compare_saves()
    });
    assert_same(results, "iptables commands");
}
