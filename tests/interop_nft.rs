//! Interop with the real `nft` binary (1.0.6), each test in a fresh network
//! namespace:
//!
//! * rules built with nftwire's typed API and sent in one nftwire batch
//!   (payload+cmp, meta load/set, ct, bitwise, lookup into a set created in
//!   the same batch, counter, limit, log, nat, masquerade, verdicts and a
//!   jump to a chain created in the same batch) are listed by
//!   `nft list ruleset` as the intended nft rules;
//! * for rulesets loaded with `nft -f` (and with `iptables-nft-restore`),
//!   every rule's expressions printed with `Expr`'s `Display` equal the
//!   `[ ... ]` lines of `nft --debug=netlink list ruleset` for that rule.

mod common;

use common::{netns, nft_load, run, run_stdin};
use nftwire::consts::{family, msg};
use nftwire::data::{Data, VerdictCode};
use nftwire::expr::bitwise::Bitwise;
use nftwire::expr::ct::{Ct, CtKey};
use nftwire::expr::limit::Limit;
use nftwire::expr::log::Log;
use nftwire::expr::masq::Masq;
use nftwire::expr::nat::{Nat, NatType};
use nftwire::expr::{
    Cmp, CmpOp, Counter, Expr, Immediate, Lookup, Meta, MetaKey, Payload, PayloadBase,
};
use nftwire::netlink::{BatchOp, Conn, NfMsg};
use nftwire::object::chain::Hook;
use nftwire::object::element::SetElemsAttrs;
use nftwire::object::{family_name, Chain, Obj, Rule, SetAttrs, SetElem, SetElemList, Table};
use std::collections::BTreeMap;

const NLM_F_CREATE: u16 = 0x400;
const NLM_F_APPEND: u16 = 0x800;

fn op(msg: NfMsg, what: &str) -> BatchOp {
    BatchOp {
        msg,
        op: "ADD".into(),
        what: what.into(),
    }
}

fn base_chain(table: &str, name: &str, ty: &str, hook: u32, prio: i32) -> Chain {
    let mut c = Chain::regular(family::IPV4, table, name);
    c.attrs.hook = Some(Hook {
        num: Some(hook),
        priority: Some(prio),
        ..Default::default()
    });
    c.attrs.chain_type = Some(ty.into());
    c.attrs.policy = Some(1);
    c
}

fn ifname(name: &str) -> Vec<u8> {
    let mut v = name.as_bytes().to_vec();
    v.resize(16, 0);
    v
}

/// Rule lines of `nft list ruleset`, per "table/chain", in order.
fn nft_rules_by_chain(text: &str) -> BTreeMap<String, Vec<String>> {
    let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let (mut table, mut chain) = (String::new(), None::<String>);
    for line in text.lines() {
        let t = line.trim();
        if let Some(rest) = t.strip_prefix("table ") {
            table = rest.trim_end_matches(" {").to_string();
        } else if let Some(rest) = t.strip_prefix("chain ") {
            chain = Some(rest.trim_end_matches(" {").to_string());
            out.entry(format!("{table}/{}", chain.as_ref().unwrap()))
                .or_default();
        } else if t == "}" {
            chain = None;
        } else if let Some(c) = &chain {
            if !t.is_empty() && !t.starts_with("type ") && !t.starts_with("policy ") {
                out.get_mut(&format!("{table}/{c}"))
                    .unwrap()
                    .push(t.to_string());
            }
        }
    }
    out
}

#[test]
fn rules_built_by_nftwire_are_listed_by_nft_as_intended() {
    netns(|| {
        let t = "nftwire_t";
        let f = family::IPV4;
        let mut ops = vec![op(
            Table::named(f, t).to_msg(msg::NEWTABLE, NLM_F_CREATE),
            "table",
        )];
        // The jump target is created in the same batch, before its users.
        ops.push(op(
            Chain::regular(f, t, "d").to_msg(msg::NEWCHAIN, NLM_F_CREATE),
            "chain d",
        ));
        for c in [
            base_chain(t, "input", "filter", 1, 0),
            base_chain(t, "pre", "nat", 0, -100),
            base_chain(t, "post", "nat", 4, 100),
        ] {
            ops.push(op(c.to_msg(msg::NEWCHAIN, NLM_F_CREATE), "chain"));
        }
        // A named set with two elements, looked up by a rule of the batch.
        let set = Obj {
            family: f,
            attrs: SetAttrs {
                table: Some(t.into()),
                name: Some("allowed".into()),
                flags: Some(0),
                key_type: Some(7), // ipv4_addr
                key_len: Some(4),
                id: Some(1),
                ..Default::default()
            },
        };
        ops.push(op(set.to_msg(msg::NEWSET, NLM_F_CREATE), "set"));
        let elems = Obj {
            family: f,
            attrs: SetElemsAttrs {
                table: Some(t.into()),
                set: Some("allowed".into()),
                elems: Some(SetElemList(
                    [[10u8, 0, 0, 1], [10, 0, 0, 2]]
                        .iter()
                        .map(|k| SetElem {
                            key: Some(Data::value(k.to_vec())),
                            ..Default::default()
                        })
                        .collect(),
                )),
                ..Default::default()
            },
        };
        ops.push(op(elems.to_msg(msg::NEWSETELEM, NLM_F_CREATE), "elements"));

        let accept = || Expr::from(Immediate::verdict(VerdictCode::Accept, None));
        let rules: Vec<(&str, Vec<Expr>, &str)> = vec![
            (
                "input",
                vec![
                    Payload::load(PayloadBase::Network, 12, 1, 1).into(),
                    Cmp::new(1, CmpOp::Eq, vec![10u8]).into(),
                    Meta::load(MetaKey::L4Proto, 1).into(),
                    Cmp::new(1, CmpOp::Eq, vec![6u8]).into(),
                    Payload::load(PayloadBase::Transport, 2, 2, 1).into(),
                    Cmp::new(1, CmpOp::Eq, 22u16.to_be_bytes().to_vec()).into(),
                    Counter::new(0, 0).into(),
                    accept(),
                ],
                "ip saddr 10.0.0.0/8 tcp dport 22 counter packets 0 bytes 0 accept",
            ),
            (
                "input",
                vec![
                    Payload::load(PayloadBase::Network, 12, 4, 1).into(),
                    Lookup {
                        set: Some("allowed".into()),
                        sreg: Some(1),
                        set_id: Some(1),
                        ..Default::default()
                    }
                    .into(),
                    Ct::load(CtKey::State, 1).into(),
                    Bitwise::mask_xor(1, 1, 4, 6u32.to_ne_bytes().to_vec(), vec![0u8; 4]).into(),
                    Cmp::new(1, CmpOp::Neq, vec![0u8; 4]).into(),
                    Log::new().prefix("x: ").into(),
                    Immediate::verdict(VerdictCode::Drop, None).into(),
                ],
                "ip saddr @allowed ct state established,related log prefix \"x: \" drop",
            ),
            (
                "input",
                vec![
                    Immediate {
                        dreg: Some(1),
                        data: Some(Data::value(0x10u32.to_ne_bytes().to_vec())),
                        ..Default::default()
                    }
                    .into(),
                    Meta {
                        key: Some(MetaKey::Mark),
                        sreg: Some(1),
                        ..Default::default()
                    }
                    .into(),
                    Limit::packets(10, 1, 5).into(),
                    Immediate::verdict(VerdictCode::Jump, Some("d")).into(),
                ],
                "meta mark set 0x00000010 limit rate 10/second jump d",
            ),
            (
                "input",
                vec![
                    Meta::load(MetaKey::IifName, 1).into(),
                    Cmp::new(1, CmpOp::Eq, ifname("lo")).into(),
                    Immediate::verdict(VerdictCode::Goto, Some("d")).into(),
                ],
                "iifname \"lo\" goto d",
            ),
            (
                "d",
                vec![
                    Meta::load(MetaKey::IifName, 1).into(),
                    Cmp::new(1, CmpOp::Eq, ifname("eth0")).into(),
                    Immediate::verdict(VerdictCode::Return, None).into(),
                ],
                "iifname \"eth0\" return",
            ),
            (
                "pre",
                vec![
                    Payload::load(PayloadBase::Network, 16, 4, 1).into(),
                    Cmp::new(1, CmpOp::Eq, vec![10u8, 1, 0, 1]).into(),
                    Meta::load(MetaKey::L4Proto, 1).into(),
                    Cmp::new(1, CmpOp::Eq, vec![6u8]).into(),
                    Payload::load(PayloadBase::Transport, 2, 2, 1).into(),
                    Cmp::new(1, CmpOp::Eq, 80u16.to_be_bytes().to_vec()).into(),
                    Immediate {
                        dreg: Some(1),
                        data: Some(Data::value(vec![10u8, 2, 0, 1])),
                        ..Default::default()
                    }
                    .into(),
                    Immediate {
                        dreg: Some(2),
                        data: Some(Data::value(8080u16.to_be_bytes().to_vec())),
                        ..Default::default()
                    }
                    .into(),
                    Nat {
                        nat_type: Some(NatType::Dnat),
                        family: Some(family::IPV4 as u32),
                        reg_addr_min: Some(1),
                        reg_proto_min: Some(2),
                        ..Default::default()
                    }
                    .into(),
                ],
                "ip daddr 10.1.0.1 tcp dport 80 dnat to 10.2.0.1:8080",
            ),
            (
                "post",
                vec![
                    Meta::load(MetaKey::OifName, 1).into(),
                    Cmp::new(1, CmpOp::Eq, ifname("eth0")).into(),
                    Masq::default().into(),
                ],
                "oifname \"eth0\" masquerade",
            ),
            (
                "post",
                vec![Counter::new(0, 0).into(), accept()],
                "counter packets 0 bytes 0 accept",
            ),
        ];
        let mut want: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for name in ["d", "input", "pre", "post"] {
            want.insert(format!("ip {t}/{name}"), Vec::new());
        }
        for (chain, exprs, text) in &rules {
            let r = Rule::new(f, t, chain, exprs.clone());
            ops.push(op(
                r.to_msg(msg::NEWRULE, NLM_F_CREATE | NLM_F_APPEND),
                "rule",
            ));
            want.get_mut(&format!("ip {t}/{chain}"))
                .unwrap()
                .push(text.to_string());
        }

        let mut conn = Conn::open().expect("netlink socket");
        conn.batch(&ops, None)
            .expect("kernel accepts the nftwire batch");

        let o = run("nft", &["list", "ruleset"]);
        assert!(
            o.status.success(),
            "nft list ruleset: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        let text = String::from_utf8_lossy(&o.stdout).to_string();
        let got = nft_rules_by_chain(&text);
        assert_eq!(
            got, want,
            "nft lists the nftwire-built rules differently:\n{text}"
        );
        assert!(
            text.contains("type filter hook input priority filter; policy accept;"),
            "{text}"
        );
        assert!(
            text.contains("type nat hook prerouting priority dstnat; policy accept;"),
            "{text}"
        );
        assert!(
            text.contains("type nat hook postrouting priority srcnat; policy accept;"),
            "{text}"
        );
        assert!(text.contains("elements = { 10.0.0.1, 10.0.0.2 }"), "{text}");

        // And what nft lists, nft can load again: the listing is real nft.
        let again = run_stdin("nft", &["-c", "-f", "-"], &text);
        assert!(
            again.status.success(),
            "nft -c rejects its own listing: {}",
            String::from_utf8_lossy(&again.stderr)
        );
    });
}

/// `[ ... ]` lines per rule from `nft --debug=netlink list ruleset`, keyed
/// by "family table chain handle".
fn nft_debug_rules() -> BTreeMap<String, Vec<String>> {
    let o = run("nft", &["--debug=netlink", "list", "ruleset"]);
    assert!(
        o.status.success(),
        "nft --debug=netlink: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    let text = String::from_utf8_lossy(&o.stdout);
    let mut out = BTreeMap::new();
    let mut cur: Option<(String, Vec<String>)> = None;
    for line in text.lines() {
        if let Some(e) = line.strip_prefix("  [") {
            if let Some((_, v)) = cur.as_mut() {
                v.push(format!("[{e}"));
            }
            continue;
        }
        if let Some((k, v)) = cur.take() {
            out.insert(k, v);
        }
        // A rule header: family table chain handle [position].
        let w: Vec<&str> = line.split(' ').collect();
        let fam = ["ip", "ip6", "inet", "arp", "bridge", "netdev"];
        if (w.len() == 4 || w.len() == 5)
            && fam.contains(&w[0])
            && w[3].parse::<u64>().is_ok()
            && !w[2].starts_with('@')
        {
            cur = Some((w[..4].join(" "), Vec::new()));
        }
    }
    if let Some((k, v)) = cur.take() {
        out.insert(k, v);
    }
    out
}

/// Every rule in the namespace, with its expressions rendered by nftwire.
fn nftwire_rules() -> BTreeMap<String, Vec<String>> {
    let mut conn = Conn::open().expect("netlink socket");
    let mut out = BTreeMap::new();
    for m in conn
        .dump(msg::GETRULE, family::UNSPEC, Vec::new())
        .expect("rule dump")
    {
        if m.msg() != msg::NEWRULE {
            continue;
        }
        let r = Rule::from_msg(&m).expect("rule decodes");
        let key = format!(
            "{} {} {} {}",
            family_name(r.family),
            r.table(),
            r.chain(),
            r.attrs.handle.expect("dumped rules have a handle")
        );
        for e in r.exprs() {
            assert!(!e.is_raw(), "{key}: raw expression {e:?}");
        }
        out.insert(key, r.exprs().iter().map(|e| e.to_string()).collect());
    }
    out
}

/// Compare nftwire's rendering of every rule with nft's, listing all
/// differences at once.
fn assert_same_debug(label: &str) {
    let nft = nft_debug_rules();
    let ours = nftwire_rules();
    assert!(!ours.is_empty(), "{label}: no rules loaded");
    assert_eq!(
        nft.keys().collect::<Vec<_>>(),
        ours.keys().collect::<Vec<_>>(),
        "{label}: nft and nftwire see different rules"
    );
    let mut diffs = Vec::new();
    for (k, theirs) in &nft {
        let mine = &ours[k];
        if mine != theirs {
            diffs.push(format!(
                "{k}\n  nft:     {}\n  nftwire: {}",
                theirs.join("\n           "),
                mine.join("\n           ")
            ));
        }
    }
    assert!(
        diffs.is_empty(),
        "{label}: {} of {} rules render differently:\n{}",
        diffs.len(),
        nft.len(),
        diffs.join("\n")
    );
    let lines: usize = nft.values().map(Vec::len).sum();
    assert!(
        lines >= 2 * nft.len(),
        "{label}: suspiciously few expression lines ({lines})"
    );
    eprintln!(
        "{label}: {} rules, {lines} expression lines identical",
        nft.len()
    );
}

#[test]
fn debug_lines_of_an_nft_ruleset_match() {
    netns(|| {
        nft_load(
            r#"
table inet fw {
    set blocked { type ipv4_addr; flags interval; elements = { 192.0.2.0/24, 198.51.100.7 }; }
    set ports { type inet_service; elements = { 22, 80, 443 }; }
    map verdicts { type ipv4_addr : verdict; elements = { 10.9.0.1 : accept, 10.9.0.2 : drop }; }
    set meters { type ipv4_addr; size 65535; flags dynamic,timeout; timeout 1m; }
    counter hits { }
    quota q { over 100 mbytes }
    chain input {
        type filter hook input priority filter; policy drop;
        ct state established,related accept
        ct state invalid drop
        iif "lo" accept
        ip saddr @blocked counter drop
        ip daddr vmap @verdicts
        meta l4proto { tcp, udp } th dport @ports accept
        tcp dport 22 ct state new limit rate 3/minute burst 5 packets log prefix "ssh: " level info accept
        tcp flags & (syn | ack) == syn meta mark set 0x1
        update @meters { ip saddr limit rate 10/second } counter
        ip6 nexthdr icmpv6 icmpv6 type { echo-request, nd-neighbor-solicit } accept
        ip protocol icmp icmp type echo-request limit rate over 5/second drop
        tcp dport 8000-8080 counter name "hits"
        udp dport 53 quota name "q" drop
        meta skuid 0 meta nfproto ipv4 ip dscp cs1 ct mark set 0x2
        ip ttl != 64 ip length > 1000 counter
        jump extra
        reject with icmpx type admin-prohibited
    }
    chain extra {
        ip saddr 10.0.0.0/8 ip daddr != 10.0.0.0/8 return
        ether saddr 00:11:22:33:44:55 drop
        numgen random mod 4 vmap { 0 : accept, 1-3 : drop }
        ip daddr . tcp dport { 10.1.1.1 . 80, 10.1.1.2 . 443 } accept
        meta mark & 0xff00 == 0x100 meta priority set 1:2
        tcp option maxseg size set 1360
        fib daddr type local accept
        goto last
    }
    chain last {
        ct helper "ftp" accept
        meta iifname "veth*" notrack
    }
}
table ip nat {
    chain pre {
        type nat hook prerouting priority dstnat;
        ip daddr 203.0.113.1 tcp dport 80 dnat to 10.0.0.2:8080
        ip daddr 203.0.113.2 tcp dport 80 redirect to :3128
        ip daddr 203.0.113.3 dnat to jhash ip saddr mod 2 map { 0 : 10.0.0.3, 1 : 10.0.0.4 }
    }
    chain post {
        type nat hook postrouting priority srcnat;
        oifname "eth0" masquerade random,persistent
        ip saddr 10.0.0.0/24 snat to 198.51.100.1-198.51.100.9
    }
}
"#,
        );
        assert_same_debug("nft -f ruleset");
    });
}

#[test]
fn debug_lines_of_an_iptables_nft_ruleset_match() {
    netns(|| {
        // iptables-nft writes native expressions plus xt match/target ones.
        let o = run_stdin(
            "iptables-nft-restore",
            &[],
            r#"*filter
:INPUT ACCEPT [0:0]
:KUBE-FIREWALL - [0:0]
-A INPUT -j KUBE-FIREWALL
-A INPUT -s 10.0.0.0/8 -p tcp -m tcp --dport 22 -j ACCEPT
-A INPUT -i lo -m comment --comment "loopback" -j ACCEPT
-A KUBE-FIREWALL ! -s 127.0.0.0/8 -d 127.0.0.0/8 -m comment --comment "block incoming localnet connections" -m conntrack ! --ctstate RELATED,ESTABLISHED,DNAT -j DROP
COMMIT
*nat
:PREROUTING ACCEPT [0:0]
:KUBE-SERVICES - [0:0]
:KUBE-SVC-ABC - [0:0]
:KUBE-SEP-1 - [0:0]
:KUBE-MARK-MASQ - [0:0]
-A PREROUTING -m comment --comment "kubernetes service portals" -j KUBE-SERVICES
-A KUBE-MARK-MASQ -j MARK --or-mark 0x4000
-A KUBE-SERVICES -d 10.96.0.10/32 -p udp -m comment --comment "kube-system/kube-dns:dns cluster IP" -m udp --dport 53 -j KUBE-SVC-ABC
-A KUBE-SVC-ABC -m comment --comment "kube-system/kube-dns:dns -> 10.244.0.2:53" -m statistic --mode random --probability 0.50000000000 -j KUBE-SEP-1
-A KUBE-SEP-1 -s 10.244.0.2/32 -m comment --comment "kube-system/kube-dns:dns" -j KUBE-MARK-MASQ
-A KUBE-SEP-1 -p udp -m comment --comment "kube-system/kube-dns:dns" -m udp -j DNAT --to-destination 10.244.0.2:53
COMMIT
"#,
        );
        assert!(
            o.status.success(),
            "iptables-nft-restore: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        assert_same_debug("iptables-nft-restore ruleset");
    });
}
