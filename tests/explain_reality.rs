//! `explain` against reality: every native rule of the shared corpus and of
//! the list below is loaded alone after an iptables rule in a fresh network
//! namespace, and explain's prediction is compared with what Debian's
//! iptables-nft 1.8.9 (host) and 1.8.11 (unpacked into target/oracle-root)
//! actually do for `-S`, `iptables-save` and `-C <absent rule>`: exit-code
//! class, `Error:` lines, and the printed rule.

mod common;

use common::{netns, run, run_stdin};
use nftwire::diagnose::save::NoExtensions;
use nftwire::diagnose::{explain, IptVersion, Options};
use nftwire::netlink::Conn;
use nftwire::object::{Chain, Rule};
use nftwire::ruleset::{Ruleset, SetWithElems};
use std::path::PathBuf;
use std::process::Output;

/// How to run one iptables release.
#[derive(Clone)]
struct Oracle {
    version: IptVersion,
    root: Option<PathBuf>,
}

impl Oracle {
    fn run(&self, tool: &str, args: &[&str]) -> Output {
        match &self.root {
            None => run(tool, args),
            Some(root) => {
                let lib = root.join("usr/lib/x86_64-linux-gnu");
                let mut a: Vec<String> = vec![
                    "--library-path".into(),
                    lib.display().to_string(),
                    "--argv0".into(),
                    tool.into(),
                    root.join("usr/sbin/xtables-nft-multi")
                        .display()
                        .to_string(),
                ];
                a.extend(args.iter().map(|s| s.to_string()));
                let o = std::process::Command::new(lib.join("ld-linux-x86-64.so.2"))
                    .args(&a)
                    .env("XTABLES_LIBDIR", lib.join("xtables"))
                    .output()
                    .expect("run iptables 1.8.11");
                o
            }
        }
    }
}

/// The two oracles; 1.8.11 is unpacked on first use (`common::oracle_root`).
fn oracles() -> Vec<Oracle> {
    let root = common::oracle_root();
    let host = String::from_utf8_lossy(&run("iptables", &["-V"]).stdout).to_string();
    assert!(
        host.contains("v1.8.9 (nf_tables)"),
        "host iptables is {host}"
    );
    vec![
        Oracle {
            version: IptVersion::V1_8_9,
            root: None,
        },
        Oracle {
            version: IptVersion::V1_8_11,
            root: Some(root),
        },
    ]
}

/// One rule to test.
#[derive(Clone, Debug)]
struct Case {
    name: String,
    ipv6: bool,
    table: String,
    chain: String,
    /// nft commands run before the rule (sets, chains).
    setup: String,
    /// Load the rule: either an `nft add rule` body...
    body: Option<String>,
    /// ...or an exact rule (with its dependencies) from a corpus snapshot.
    exact: Option<Exact>,
}

#[derive(Clone, Debug)]
struct Exact {
    /// Table, user chains, named sets, objects (created before iptables).
    before: Ruleset,
    /// The foreign base chain the rule lives in, if any.
    base: Option<Chain>,
    /// Anonymous sets of the rule, and the rule.
    rule: Ruleset,
}

const OWN: &str = r#"
meta-iifname|ip|filter|FORWARD||iifname "eth0" accept
meta-iifname-wild|ip|filter|FORWARD||iifname "eth*" accept
meta-iifname-neq|ip|filter|FORWARD||iifname != "eth0" accept
meta-oifname|ip|filter|FORWARD||oifname "wt0" counter accept
meta-iif|ip|filter|FORWARD||iif "lo" accept
meta-oif|ip|filter|FORWARD||oif "lo" accept
saddr|ip|filter|FORWARD||ip saddr 10.0.0.1 accept
saddr-prefix|ip|filter|FORWARD||ip saddr 10.0.0.0/8 accept
saddr-prefix10|ip|filter|FORWARD||ip saddr 10.64.0.0/10 accept
saddr-mask|ip|filter|FORWARD||ip saddr & 255.255.0.0 == 10.10.0.0 accept
saddr-noncontig|ip|filter|FORWARD||ip saddr & 255.0.255.0 == 10.0.10.0 accept
saddr-neq|ip|filter|FORWARD||ip saddr != 10.0.0.0/8 drop
daddr-prefix|ip|filter|FORWARD||ip daddr 192.168.1.0/24 accept
saddr-range|ip|filter|FORWARD||ip saddr 10.0.0.1-10.0.0.9 accept
saddr-anonset|ip|filter|FORWARD||ip saddr { 10.0.0.1, 10.0.0.2 } accept
saddr-named-set|ip|filter|FORWARD|add set ip filter s { type ipv4_addr; elements = { 10.9.9.9 }; }|ip saddr @s accept
saddr-named-set-neq|ip|filter|FORWARD|add set ip filter s { type ipv4_addr; elements = { 10.9.9.9 }; }|ip saddr != @s drop
concat-set|ip|filter|FORWARD||ip saddr . tcp dport { 10.0.0.1 . 22 } accept
tcp-dport|ip|filter|FORWARD||tcp dport 22 accept
tcp-dport-neq|ip|filter|FORWARD||tcp dport != 22 accept
tcp-dport-range|ip|filter|FORWARD||tcp dport 1000-2000 accept
tcp-dport-range-neq|ip|filter|FORWARD||tcp dport != 1000-2000 accept
tcp-dport-set|ip|filter|FORWARD||tcp dport { 22, 80 } accept
tcp-sport-dport|ip|filter|FORWARD||tcp sport 1024 tcp dport 80 accept
tcp-dport-lt|ip|filter|FORWARD||tcp dport < 1024 accept
tcp-dport-ge|ip|filter|FORWARD||tcp dport >= 1024 accept
tcp-dport-gt|ip|filter|FORWARD||tcp dport > 1024 drop
udp-sport|ip|filter|FORWARD||udp sport 53 accept
th-dport|ip|filter|FORWARD||meta l4proto tcp th dport 22 accept
l4proto-set|ip|filter|FORWARD||meta l4proto { tcp, udp } accept
l4proto-set-th|ip|filter|FORWARD||meta l4proto { tcp, udp } th dport 53 accept
ip-protocol|ip|filter|FORWARD||ip protocol tcp accept
ip-protocol-neq|ip|filter|FORWARD||ip protocol != udp accept
ip-protocol-gre|ip|filter|FORWARD||ip protocol gre accept
ip-protocol-num|ip|filter|FORWARD||ip protocol 253 accept
tcp-flags|ip|filter|FORWARD||tcp flags & (syn | ack) == syn accept
tcp-flags-syn|ip|filter|FORWARD||tcp flags syn accept
tcp-flags-neq|ip|filter|FORWARD||tcp flags & (fin | syn | rst | ack) != syn drop
tcp-seq|ip|filter|FORWARD||tcp sequence 5 accept
icmp-type|ip|filter|FORWARD||icmp type echo-request accept
icmp-type-code|ip|filter|FORWARD||icmp type destination-unreachable icmp code 3 accept
icmp-code-only|ip|filter|FORWARD||icmp code 3 accept
icmp-type-neq|ip|filter|FORWARD||icmp type != echo-request accept
ttl|ip|filter|FORWARD||ip ttl 64 accept
ttl-lt|ip|filter|FORWARD||ip ttl < 10 drop
ttl-le|ip|filter|FORWARD||ip ttl <= 10 drop
ttl-neq|ip|filter|FORWARD||ip ttl != 1 accept
dscp|ip|filter|FORWARD||ip dscp 0x0a accept
ip-length|ip|filter|FORWARD||ip length > 1000 drop
frag|ip|filter|FORWARD||ip frag-off & 0x1fff != 0 drop
frag-mf|ip|filter|FORWARD||ip frag-off & 0x2000 != 0 drop
mark|ip|filter|FORWARD||meta mark 0x10 accept
mark-masked|ip|filter|FORWARD||meta mark & 0xff00 == 0x1000 accept
mark-neq|ip|filter|FORWARD||meta mark != 0x10 accept
mark-gt|ip|filter|FORWARD||meta mark > 0x10 accept
mark-set|ip|filter|FORWARD||meta mark set 0x10
mark-set-or|ip|filter|FORWARD||meta mark set meta mark | 0x4000
mark-set-accept|ip|filter|FORWARD||meta mark set 0x1 accept
nftrace|ip|filter|FORWARD||meta nftrace set 1
nftrace-0|ip|filter|FORWARD||meta nftrace set 0
pkttype|ip|filter|FORWARD||meta pkttype broadcast accept
pkttype-neq|ip|filter|FORWARD||meta pkttype != host accept
skuid|ip|filter|OUTPUT||meta skuid 0 accept
priority|ip|filter|FORWARD||meta priority 1:2 accept
cpu|ip|filter|FORWARD||meta cpu 1 accept
iifgroup|ip|filter|FORWARD||meta iifgroup 1 accept
ether-saddr|ip|filter|FORWARD||ether saddr 00:11:22:33:44:55 accept
ct-state|ip|filter|FORWARD||ct state established,related accept
ct-state-counter|ip|filter|FORWARD||ct state established counter accept
ct-after-oifname|ip|filter|FORWARD||oifname "wt0" ct state established,related accept
ct-after-saddr|ip|filter|FORWARD||ip saddr 10.0.0.0/8 ct state new accept
ct-state-set|ip|filter|FORWARD||ct state { established, related } accept
ct-status|ip|filter|FORWARD||ct status dnat accept
ct-mark|ip|filter|FORWARD||ct mark 0x1 accept
ct-mark-set|ip|filter|FORWARD||ct mark set 0x1
ct-mark-save|ip|filter|FORWARD||ct mark set meta mark
mark-restore|ip|filter|FORWARD||meta mark set ct mark
ct-direction|ip|filter|FORWARD||ct direction original accept
fib-local|ip|filter|FORWARD||fib daddr type local accept
fib-after-iif|ip|filter|FORWARD||iifname "eth0" fib daddr type local accept
fib-rpf|ip|filter|FORWARD||fib saddr . iif oif missing drop
limit|ip|filter|FORWARD||limit rate 10/second accept
limit-burst|ip|filter|FORWARD||limit rate 10/second burst 20 packets accept
limit-min|ip|filter|FORWARD||limit rate 5/minute accept
limit-hour|ip|filter|FORWARD||limit rate 3/hour accept
limit-over|ip|filter|FORWARD||limit rate over 10/second drop
limit-bytes|ip|filter|FORWARD||limit rate 10 kbytes/second accept
log-group|ip|filter|FORWARD||log group 1
log-group-prefix|ip|filter|FORWARD||log prefix "hello world" group 2
log-group-snaplen|ip|filter|FORWARD||log group 1 snaplen 64 queue-threshold 5
log-group-accept|ip|filter|FORWARD||log group 3 accept
log-prefix|ip|filter|FORWARD||log prefix "x"
log-prefix-accept|ip|filter|FORWARD||log prefix "x" accept
log-level|ip|filter|FORWARD||log level debug
quota|ip|filter|FORWARD||quota 10 mbytes accept
quota-over|ip|filter|FORWARD||quota over 10 mbytes drop
numgen-vmap|ip|filter|FORWARD||numgen random mod 2 vmap { 0 : accept, 1 : drop }
numgen-cmp|ip|filter|FORWARD||numgen inc mod 2 == 0 accept
jhash|ip|filter|FORWARD||jhash ip saddr mod 2 == 0 accept
counter|ip|filter|FORWARD||counter
comment|ip|filter|FORWARD||accept comment "hello"
comment-space|ip|filter|FORWARD||iifname "eth0" accept comment "foo bar"
comment-quote|ip|filter|FORWARD||accept comment "it's"
goto|ip|filter|FORWARD|add chain ip filter X|goto X
jump|ip|filter|FORWARD|add chain ip filter X|ip saddr 10.0.0.0/8 jump X
return|ip|filter|FORWARD||return
continue|ip|filter|FORWARD||continue
drop|ip|filter|FORWARD||drop
reject|ip|filter|FORWARD||reject
reject-tcp|ip|filter|FORWARD||ip protocol tcp reject with tcp reset
notrack|ip|raw|PREROUTING||notrack
vmap-ifname|ip|filter|FORWARD||iifname vmap { "eth0" : accept }
tcpopt-mss|ip|filter|FORWARD||tcp flags syn tcp option maxseg size set 1200
tcpopt-mss-rt|ip|mangle|FORWARD||tcp flags syn tcp option maxseg size set rt mtu
dscp-set|ip|mangle|PREROUTING||ip dscp set cs1
mangle-ct-first|ip|mangle|PREROUTING||ct state established ct mark & 0xff0000 != 0 meta mark set ct mark & 0xff0000
mangle-mark-set|ip|mangle|PREROUTING||meta mark set 0x1
ct-zone-set|ip|raw|PREROUTING||ct zone set 1
masquerade|ip|nat|POSTROUTING||masquerade
masquerade-ports|ip|nat|POSTROUTING||ip protocol tcp masquerade to :1024-65535
snat|ip|nat|POSTROUTING||snat to 1.2.3.4
dnat|ip|nat|PREROUTING||tcp dport 80 dnat to 10.0.0.1:8080
redirect|ip|nat|PREROUTING||tcp dport 80 redirect to :8080
nat-accept|ip|nat|PREROUTING||ip daddr 10.0.0.1 accept
nat-output|ip|nat|OUTPUT||oifname "lo" accept
security|ip|security|INPUT||ct state new accept
user-chain|ip|filter|USR|add chain ip filter USR|ct state new accept
user-chain-ok|ip|filter|USR|add chain ip filter USR|tcp dport 443 accept
v6-saddr|ip6|filter|FORWARD||ip6 saddr 2001:db8::/32 accept
v6-saddr-host|ip6|filter|FORWARD||ip6 saddr 2001:db8::1 accept
v6-daddr-v4compat|ip6|filter|FORWARD||ip6 daddr ::1.2.3.4 accept
v6-daddr-mapped|ip6|filter|FORWARD||ip6 daddr ::ffff:1.2.3.4 accept
v6-saddr-mask|ip6|filter|FORWARD||ip6 saddr & ffff:0:ffff:: == 2001:0:1:: accept
v6-saddr-range|ip6|filter|FORWARD||ip6 saddr 2001:db8::1-2001:db8::9 accept
v6-nexthdr|ip6|filter|FORWARD||ip6 nexthdr tcp accept
v6-l4proto-dport|ip6|filter|FORWARD||meta l4proto tcp tcp dport 22 accept
v6-hoplimit|ip6|filter|FORWARD||ip6 hoplimit 1 drop
v6-icmpv6|ip6|filter|FORWARD||icmpv6 type echo-request accept
v6-iifname|ip6|filter|FORWARD||iifname "eth0" ip6 saddr fe80::/64 accept
v6-ct|ip6|filter|FORWARD||ct state established accept
v6-mark|ip6|filter|FORWARD||meta mark 0x1 accept
v6-skuid|ip6|filter|OUTPUT||meta skuid 0 accept
v6-flowlabel|ip6|filter|FORWARD||ip6 flowlabel 5 accept
v6-set|ip6|filter|FORWARD||ip6 saddr { 2001:db8::1, 2001:db8::2 } accept
v6-masq|ip6|nat|POSTROUTING||masquerade
vmap-dport|ip|filter|FORWARD||tcp dport vmap { 22 : accept, 80 : drop }
iifname-set|ip|filter|FORWARD||iifname { "eth0", "eth1" } accept
daddr-neq-set|ip|filter|FORWARD||ip daddr != { 10.0.0.1, 10.0.0.2 } drop
ct-invalid|ip|filter|FORWARD||ct state invalid drop
ct-new-est|ip|filter|INPUT||ct state new,established accept
ct-status-snat|ip|filter|FORWARD||ct status snat accept
icmp-set|ip|filter|FORWARD||icmp type { echo-request, echo-reply } accept
complex|ip|filter|FORWARD||ip saddr 10.0.0.0/8 ip daddr 10.0.0.0/8 tcp sport 1024-65535 tcp dport 443 ct state new counter accept
limit-log-accept|ip|filter|INPUT||udp dport 53 limit rate 5/second log prefix "dns " accept
syn-like|ip|filter|INPUT||tcp flags & (fin|syn|rst|ack) == syn accept
mark-and|ip|filter|FORWARD||meta mark & 0xff == 0x1 accept
comment-counter-drop|ip|filter|FORWARD||ip saddr 192.168.0.0/16 counter drop comment "block this"
jump-comment|ip|filter|FORWARD|add chain ip filter X|jump X comment "to x"
ip-length-range|ip|filter|FORWARD||ip length 100-200 accept
ether-mac|ip|filter|INPUT||ether saddr 00:11:22:33:44:55 accept
log-group-spaces|ip|filter|FORWARD||log prefix "a b" group 5
v6-daddr-mcast|ip6|filter|INPUT||ip6 daddr ff02::1 accept
v6-icmpv6-neq|ip6|filter|INPUT||icmpv6 type != echo-request accept
v6-iif|ip6|filter|INPUT||iif "lo" accept
v6-icmpv6-set|ip6|filter|INPUT||icmpv6 type { nd-neighbor-solicit, nd-neighbor-advert } accept
"#;

/// Foreign base chains: (name, family, table, chain spec, rule).
const BASE: &[(&str, &str, &str, &str, &str)] = &[
    (
        "base-prio",
        "ip",
        "filter",
        "FWD2 { type filter hook forward priority 10; }",
        "ct state established accept",
    ),
    (
        "base-builtin-prio",
        "ip",
        "filter",
        "INPUT { type filter hook input priority 10; }",
        "tcp dport 22 accept",
    ),
    (
        "base-mangle-output-type",
        "ip",
        "mangle",
        "OUTPUT { type filter hook output priority -150; }",
        "meta mark set 0x1",
    ),
    (
        "base-nat-name",
        "ip",
        "nat",
        "svc { type nat hook prerouting priority -100; }",
        "tcp dport 80 dnat to 10.0.0.1",
    ),
];

fn own_cases() -> Vec<Case> {
    let mut v = Vec::new();
    for line in OWN.lines().filter(|l| !l.trim().is_empty()) {
        let f: Vec<&str> = line.splitn(6, '|').collect();
        assert_eq!(f.len(), 6, "bad case line {line}");
        v.push(Case {
            name: f[0].into(),
            ipv6: f[1] == "ip6",
            table: f[2].into(),
            chain: f[3].into(),
            setup: f[4].into(),
            body: Some(f[5].into()),
            exact: None,
        });
    }
    for (name, fam, table, spec, rule) in BASE {
        let chain = spec.split_whitespace().next().unwrap().to_string();
        v.push(Case {
            name: name.to_string(),
            ipv6: *fam == "ip6",
            table: table.to_string(),
            chain: chain.clone(),
            setup: format!("add chain {fam} {table} {spec}"),
            body: Some(rule.to_string()),
            exact: None,
        });
    }
    v
}

fn fam(ipv6: bool) -> &'static str {
    if ipv6 {
        "ip6"
    } else {
        "ip"
    }
}

fn ipt(ipv6: bool) -> &'static str {
    if ipv6 {
        "ip6tables"
    } else {
        "iptables"
    }
}

/// The builtin chain of `table` an iptables rule goes into: the case's own
/// chain when it is a valid builtin one, else another builtin chain.
fn iptables_chain(case: &Case, foreign_base: bool) -> (String, bool) {
    let t = nftwire::diagnose::layout::builtin_table(2, &case.table).expect("iptables table");
    let builtin = t.chains.iter().any(|b| b.name == case.chain);
    if builtin && !foreign_base {
        return (case.chain.clone(), false);
    }
    if !builtin && !foreign_base {
        // A user chain: iptables creates it and puts its rule there.
        return (case.chain.clone(), true);
    }
    let other = t
        .chains
        .iter()
        .find(|b| b.name != case.chain)
        .expect("another builtin chain");
    (other.name.to_string(), false)
}

/// Outcome of the real commands for one release.
#[derive(Debug)]
struct Real {
    list_rc: i32,
    list_out: String,
    list_err: String,
    save_rc: i32,
    save_out: String,
    check_rc: i32,
    check_err: String,
}

fn errors_of(s: &str) -> Vec<String> {
    s.lines()
        .filter_map(|l| l.strip_prefix("Error: ").map(str::to_string))
        .collect()
}

/// Run the case in a fresh namespace; returns (name, version, mismatch or None).
fn run_case(case: Case, oracles: Vec<Oracle>) -> Vec<(String, IptVersion, Option<String>, usize)> {
    netns(move || {
        let foreign_base = case
            .exact
            .as_ref()
            .map(|e| e.base.is_some())
            .unwrap_or_else(|| case.name.starts_with("base-"));
        let mut conn = Conn::open().expect("netlink");
        if let Some(e) = &case.exact {
            conn.batch(&e.before.create_ops(), None)
                .unwrap_or_else(|err| panic!("{}: cannot create dependencies: {err}", case.name));
            if let Some(b) = &e.base {
                let rs = Ruleset {
                    chains: vec![b.clone()],
                    ..Default::default()
                };
                conn.batch(&rs.create_ops(), None)
                    .unwrap_or_else(|err| panic!("{}: cannot create base chain: {err}", case.name));
            }
        } else if foreign_base {
            common::nft_load(&format!(
                "add table {} {}\n{}\n",
                fam(case.ipv6),
                case.table,
                case.setup
            ));
        }
        let (ichain, user) = iptables_chain(&case, foreign_base);
        let src = if case.ipv6 {
            "2001:db8::1234"
        } else {
            "1.2.3.4"
        };
        if user && case.exact.is_none() {
            let o = run(ipt(case.ipv6), &["-t", &case.table, "-N", &ichain]);
            assert!(
                o.status.success(),
                "{}: -N: {}",
                case.name,
                String::from_utf8_lossy(&o.stderr)
            );
        }
        let o = run(
            ipt(case.ipv6),
            &["-t", &case.table, "-A", &ichain, "-s", src, "-j", "ACCEPT"],
        );
        assert!(
            o.status.success(),
            "{}: iptables -A: {}",
            case.name,
            String::from_utf8_lossy(&o.stderr)
        );
        match (&case.body, &case.exact) {
            (Some(body), _) => {
                let mut script = String::new();
                if !foreign_base
                    && !case.setup.is_empty()
                    && !case.setup.starts_with("add chain ip filter USR")
                {
                    script.push_str(&case.setup);
                    script.push('\n');
                }
                script.push_str(&format!(
                    "add rule {} {} {} {}\n",
                    fam(case.ipv6),
                    case.table,
                    case.chain,
                    body
                ));
                let o = run_stdin("nft", &["-f", "-"], &script);
                assert!(
                    o.status.success(),
                    "{}: nft cannot load it: {}",
                    case.name,
                    String::from_utf8_lossy(&o.stderr)
                );
            }
            (None, Some(e)) => {
                conn.batch(&e.rule.create_ops(), None)
                    .unwrap_or_else(|err| panic!("{}: cannot add the rule: {err}", case.name));
            }
            _ => unreachable!(),
        }
        let rs = Ruleset::read(&mut conn, 0).expect("read ruleset");
        let family = if case.ipv6 { 10 } else { 2 };
        let mut out = Vec::new();
        for oracle in &oracles {
            let opts = Options {
                version: oracle.version,
                family: Some(family),
                table: Some(case.table.clone()),
                chain: None,
                ifname: &nftwire::diagnose::explain::if_indextoname,
                ext: &NoExtensions,
            };
            let ex = explain(&rs, &opts);
            let tool = ipt(case.ipv6);
            let save_tool = format!("{tool}-save");
            let l = oracle.run(tool, &["-t", &case.table, "-S"]);
            let s = oracle.run(&save_tool, &["-t", &case.table]);
            let absent = if case.ipv6 {
                "2001:db8::99"
            } else {
                "192.0.2.9"
            };
            let c = oracle.run(
                tool,
                &[
                    "-t",
                    &case.table,
                    "-C",
                    &case.chain,
                    "-s",
                    absent,
                    "-j",
                    "ACCEPT",
                ],
            );
            let real = Real {
                list_rc: l.status.code().unwrap_or(-1),
                list_out: String::from_utf8_lossy(&l.stdout).into(),
                list_err: String::from_utf8_lossy(&l.stderr).into(),
                save_rc: s.status.code().unwrap_or(-1),
                save_out: String::from_utf8_lossy(&s.stdout).into(),
                check_rc: c.status.code().unwrap_or(-1),
                check_err: String::from_utf8_lossy(&c.stderr).into(),
            };
            let mut verdict = compare(&case, &ex, &real, &ichain);
            let mut accepted = 0;
            if verdict.is_none() && oracle.root.is_none() {
                match try_suggestion(&case, &ex) {
                    Ok(n) => accepted = n,
                    Err(e) => verdict = Some(e),
                }
            }
            out.push((case.name.clone(), oracle.version, verdict, accepted));
        }
        out
    })
}

/// Apply the suggested equivalent of the foreign rule with the host's
/// iptables: it must be accepted (unless its notes say it needs something
/// this test does not set up).
fn try_suggestion(case: &Case, ex: &nftwire::diagnose::Explanation) -> Result<usize, String> {
    let mut accepted = 0;
    for r in ex.rules.iter().filter(|r| r.chain == case.chain) {
        let Some(s) = &r.suggestion else { continue };
        if s.notes
            .iter()
            .any(|n| n.contains("ipset") || n.contains("only works in"))
        {
            continue;
        }
        for line in &s.rules {
            let cmd = format!("{} -t {} {line}", ipt(case.ipv6), case.table);
            let o = run("sh", &["-c", &cmd]);
            if !o.status.success() {
                return Err(format!(
                    "suggestion `{cmd}` rejected: {}",
                    String::from_utf8_lossy(&o.stderr).trim()
                ));
            }
        }
        accepted += 1;
    }
    Ok(accepted)
}

/// Compare a prediction with reality; `None` when they agree.
fn compare(
    case: &Case,
    ex: &nftwire::diagnose::Explanation,
    real: &Real,
    ichain: &str,
) -> Option<String> {
    let mut bad = Vec::new();
    // The iptables rule itself must be predicted readable.
    let src = if case.ipv6 {
        "2001:db8::1234/128"
    } else {
        "1.2.3.4/32"
    };
    let ipt_line = format!("-A {ichain} -s {src} -j ACCEPT");
    let Some(mine) = ex
        .rules
        .iter()
        .find(|r| r.iptables.as_deref() == Some(&ipt_line))
    else {
        return Some(format!("no prediction `{ipt_line}` for the iptables rule"));
    };
    let _ = mine;
    let foreign: Vec<_> = ex
        .rules
        .iter()
        .filter(|r| r.chain == case.chain && r.iptables.as_deref() != Some(&ipt_line))
        .collect();
    if foreign.len() != 1 {
        return Some(format!(
            "expected one foreign rule in {}, got {}",
            case.chain,
            foreign.len()
        ));
    }
    let r = foreign[0];
    if std::env::var_os("EXPLAIN_VERBOSE").is_some() {
        eprintln!(
            "{}: list={} check={} misread={} errors={:?} iptables={:?} | real -S rc {} -C rc {} {:?}\n    reason: {}\n    suggestion: {:?} {:?}",
            case.name,
            r.list.as_str(),
            r.check.as_str(),
            r.misread,
            r.errors.iter().map(|e| &e.message).collect::<Vec<_>>(),
            r.iptables,
            real.list_rc,
            real.check_rc,
            errors_of(&real.check_err),
            r.reason,
            r.suggestion.as_ref().map(|s| &s.rules),
            r.no_suggestion
        );
    }
    let tainted = !ex.base_chains.is_empty();
    if tainted != real.list_out.contains("contains incompatible base-chains") {
        bad.push(format!("tainted: predicted {tainted}"));
    }
    let pred_errors: Vec<String> = r.errors.iter().map(|e| e.message.clone()).collect();
    match r.list.as_str() {
        "ok" => {
            if real.list_rc != 0 {
                bad.push(format!(
                    "-S: predicted ok, rc {} {}",
                    real.list_rc,
                    real.list_err.trim()
                ));
            }
            if r.hidden_by.is_none() {
                let want = r.iptables.clone().unwrap_or_default();
                if !real.list_out.lines().any(|l| l == want) {
                    bad.push(format!(
                        "-S: predicted `{want}`, got {:?}",
                        real.list_out
                            .lines()
                            .filter(|l| l.starts_with(&format!("-A {}", case.chain)))
                            .collect::<Vec<_>>()
                    ));
                }
                if !real.save_out.lines().any(|l| l == want) {
                    bad.push(format!("save: predicted `{want}` missing"));
                }
            }
            if real.save_rc != 0 {
                bad.push(format!("save: predicted rc 0, got {}", real.save_rc));
            }
        }
        "incompatible" => {
            if real.list_rc != 1 || !real.list_err.contains("is incompatible") {
                bad.push(format!(
                    "-S: predicted incompatible, rc {} {}",
                    real.list_rc,
                    real.list_err.trim()
                ));
            }
            if real.save_rc != 0
                || !real
                    .save_out
                    .contains(&format!("# Table `{}' is incompatible", case.table))
            {
                bad.push(format!(
                    "save: predicted incompatible comment, rc {} {}",
                    real.save_rc,
                    real.save_out.trim()
                ));
            }
        }
        _ => {
            if real.list_rc != 3 || errors_of(&real.list_err) != pred_errors {
                bad.push(format!(
                    "-S: predicted rc 3 {:?}, got rc {} {:?}",
                    pred_errors,
                    real.list_rc,
                    errors_of(&real.list_err)
                ));
            }
            if real.save_rc != 3 {
                bad.push(format!("save: predicted rc 3, got {}", real.save_rc));
            }
        }
    }
    match r.check.as_str() {
        "ok" => {
            if real.check_rc != 1 {
                bad.push(format!(
                    "-C: predicted rc 1, got {} {}",
                    real.check_rc,
                    real.check_err.trim()
                ));
            }
        }
        _ => {
            if real.check_rc != 3 || errors_of(&real.check_err) != pred_errors {
                bad.push(format!(
                    "-C: predicted rc 3 {:?}, got rc {} {:?}",
                    pred_errors,
                    real.check_rc,
                    errors_of(&real.check_err)
                ));
            }
        }
    }
    (!bad.is_empty()).then(|| format!("{} [{}]", bad.join("; "), r.reason))
}

/// Load every corpus file in a namespace and turn each rule of an iptables
/// table into an exact case.
fn corpus_cases() -> Vec<Case> {
    let dir = common::data_path("corpus");
    let files = common::data_files("corpus", "nft");
    let mut cases = Vec::new();
    for f in files {
        let stem = f.file_stem().unwrap().to_string_lossy().to_string();
        let exact = dir.join(format!("{stem}-exact.py"));
        let variants: Vec<(String, Option<PathBuf>)> = if exact.exists() {
            vec![(stem.clone(), None), (format!("{stem}-exact"), Some(exact))]
        } else {
            vec![(stem.clone(), None)]
        };
        for (label, py) in variants {
            let f2 = f.clone();
            let rs = netns(move || {
                let o = run("nft", &["-f", f2.to_str().unwrap()]);
                assert!(
                    o.status.success(),
                    "nft -f {}: {}",
                    f2.display(),
                    String::from_utf8_lossy(&o.stderr)
                );
                if let Some(py) = py {
                    let o = run("python3", &[py.to_str().unwrap()]);
                    assert!(
                        o.status.success(),
                        "{}: {}",
                        py.display(),
                        String::from_utf8_lossy(&o.stderr)
                    );
                }
                Ruleset::read(&mut Conn::open().unwrap(), 0).unwrap()
            });
            for (i, r) in rs.rules.iter().enumerate() {
                if nftwire::diagnose::layout::builtin_table(r.family, r.table()).is_none() {
                    continue;
                }
                cases.push(exact_case(&rs, r, format!("{label}#{i}")));
            }
        }
    }
    cases
}

fn exact_case(rs: &Ruleset, r: &Rule, name: String) -> Case {
    let family = r.family;
    let table = rs
        .tables
        .iter()
        .find(|t| t.family == family && t.name() == r.table())
        .unwrap()
        .clone();
    let mut before = Ruleset {
        tables: vec![table],
        ..Default::default()
    };
    let own = rs
        .chains
        .iter()
        .find(|c| c.family == family && c.table() == r.table() && c.name() == r.chain())
        .unwrap();
    let base = (own.is_base() && nftwire::diagnose::layout::check_base_chain(own).is_some())
        .then(|| own.clone());
    for c in rs
        .chains
        .iter()
        .filter(|c| c.family == family && c.table() == r.table())
    {
        if !c.is_base() {
            before.chains.push(c.clone());
        }
    }
    let mut rule_rs = Ruleset::default();
    for s in rs
        .sets
        .iter()
        .filter(|s| s.set.family == family && s.set.table() == r.table())
    {
        if s.set.is_anonymous() {
            if nftwire::ruleset::referenced_sets(r).contains(&s.set.name().to_string()) {
                rule_rs.sets.push(SetWithElems {
                    set: s.set.clone(),
                    elems: s.elems.clone(),
                });
            }
        } else {
            before.sets.push(s.clone());
        }
    }
    before.objects = rs
        .objects
        .iter()
        .filter(|o| o.family == family && o.table() == r.table())
        .cloned()
        .collect();
    rule_rs.rules.push(r.clone());
    Case {
        name,
        ipv6: family == 10,
        table: r.table().into(),
        chain: r.chain().into(),
        setup: String::new(),
        body: None,
        exact: Some(Exact {
            before,
            base,
            rule: rule_rs,
        }),
    }
}

fn check_all(cases: Vec<Case>, label: &str) {
    let oracles = oracles();
    let mut agree = std::collections::BTreeMap::<IptVersion, (usize, usize)>::new();
    let mut failures = Vec::new();
    let mut suggestions = 0;
    for case in cases {
        for (name, v, res, accepted) in run_case(case, oracles.clone()) {
            suggestions += accepted;
            let e = agree.entry(v).or_default();
            e.1 += 1;
            match res {
                None => e.0 += 1,
                Some(m) => failures.push(format!("{name} ({v}): {m}")),
            }
        }
    }
    for (v, (a, n)) in &agree {
        eprintln!("{label}: iptables {v}: {a}/{n} predictions agree");
    }
    eprintln!("{label}: {suggestions} suggested equivalents accepted by iptables 1.8.9");
    assert!(
        failures.is_empty(),
        "{} disagreements:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn own_rules_agree_with_iptables() {
    check_all(own_cases(), "own list");
}

#[test]
fn corpus_rules_agree_with_iptables() {
    check_all(corpus_cases(), "corpus");
}
