//! Interop with the real `nft` (1.0.6 / libnftnl 1.2.4) and the kernel:
//! rulesets loaded with `nft -f` in a fresh network namespace must
//!
//! 1. decode into typed expressions only (no `Expr::Raw` for a known name),
//!    with empty `extra` and `wire_order` everywhere (declared order ==
//!    kernel dump order);
//! 2. re-encode byte for byte to the bodies of the kernel's GETTABLE,
//!    GETCHAIN, GETSET, GETSETELEM, GETOBJ and GETRULE dump messages;
//! 3. render (`nftwire::render::render_raw`) exactly as the netlink part of
//!    `nft --debug=netlink list ruleset`: the same lines, per rule header,
//!    `[ expr ]` line, userdata line and set element line, in order.

mod common;

use bytes::Bytes;
use nftwire::consts::msg;
use nftwire::expr::Expr;
use nftwire::netlink::Conn;
use nftwire::nla::Writer;
use nftwire::object::obj::ObjData;
use nftwire::object::{Kind, Obj};
use nftwire::render::{netlink_part, render_raw};
use nftwire::ruleset::Ruleset;

/// Every `wire_order: [..]` / `extra: [..]` in a Debug dump must be empty:
/// this covers nested structures (verdicts, dynset expressions, ...) too.
fn non_empty_bookkeeping(debug: &str) -> Vec<String> {
    let mut bad = Vec::new();
    for key in ["wire_order: [", "extra: ["] {
        let mut rest = debug;
        while let Some(i) = rest.find(key) {
            let after = &rest[i + key.len()..];
            if !after.starts_with(']') {
                let end = after.len().min(120);
                bad.push(format!("{key}{}", &after[..end]));
            }
            rest = after;
        }
    }
    bad
}

/// Expressions of a rule, including those nested in dynset.
fn all_exprs(e: &Expr, out: &mut Vec<Expr>) {
    out.push(e.clone());
    if let Expr::Dynset(d) = e {
        if let Some(x) = &d.expr {
            all_exprs(&x.0, out);
        }
        if let Some(l) = &d.exprs {
            for x in &l.0 {
                all_exprs(x, out);
            }
        }
    }
}

fn check_bytes<T: Kind>(conn: &mut Conn, get: u16, new: u16, family: u8, body: Vec<u8>) -> usize {
    let msgs = conn.dump(get, family, body).expect("dump");
    let mut n = 0;
    for m in msgs.iter().filter(|m| m.msg() == new) {
        let o = Obj::<T>::from_msg(m)
            .unwrap_or_else(|| panic!("{} body does not parse", msg::name(new)));
        assert_eq!(
            Bytes::from(o.body()),
            m.body,
            "{} does not re-encode byte for byte: {:?}",
            msg::name(new),
            o
        );
        n += 1;
    }
    n
}

/// All three checks on the current namespace's ruleset. Returns the names
/// of the typed expressions seen.
fn check_namespace(label: &str) -> Vec<String> {
    check_namespace_opt(label, false)
}

/// [`check_namespace`]; with `nft_may_fail`, nft's exit status is ignored
/// (it prints the netlink part and then fails on expressions it cannot
/// turn back into its own syntax).
fn check_namespace_opt(label: &str, nft_may_fail: bool) -> Vec<String> {
    let mut conn = Conn::open().expect("netlink socket");

    // (2) byte-exact re-encoding of every dump message.
    use nftwire::object::element::SetElemsAttrs;
    use nftwire::object::{ChainAttrs, ObjectAttrs, RuleAttrs, SetAttrs, TableAttrs};
    check_bytes::<TableAttrs>(&mut conn, msg::GETTABLE, msg::NEWTABLE, 0, vec![]);
    check_bytes::<ChainAttrs>(&mut conn, msg::GETCHAIN, msg::NEWCHAIN, 0, vec![]);
    check_bytes::<ObjectAttrs>(&mut conn, msg::GETOBJ, msg::NEWOBJ, 0, vec![]);
    let nrules = check_bytes::<RuleAttrs>(&mut conn, msg::GETRULE, msg::NEWRULE, 0, vec![]);
    let sets = conn.dump(msg::GETSET, 0, vec![]).expect("set dump");
    for m in sets.iter().filter(|m| m.msg() == msg::NEWSET) {
        let s = Obj::<SetAttrs>::from_msg(m).expect("set parses");
        assert_eq!(Bytes::from(s.body()), m.body, "set {} re-encodes", s.name());
        let mut w = Writer::new();
        w.put(1, &s.table().to_string());
        w.put(2, &s.name().to_string());
        check_bytes::<SetElemsAttrs>(&mut conn, msg::GETSETELEM, msg::NEWSETELEM, m.family, w.buf);
    }

    let rs = Ruleset::read(&mut conn, 0).expect("ruleset");
    assert_eq!(rs.rules.len(), nrules);

    // (1) typed, in kernel order.
    let mut names = Vec::new();
    let mut problems = Vec::new();
    for r in &rs.rules {
        let mut exprs = Vec::new();
        for e in r.exprs() {
            all_exprs(e, &mut exprs);
        }
        for e in &exprs {
            match e {
                Expr::Raw(raw) => {
                    let n = raw.name().unwrap_or_default();
                    if Expr::KNOWN.contains(&n.as_str()) {
                        problems.push(format!("{label}: known expression {n} stayed raw: {e}"));
                    }
                }
                _ => {
                    names.push(e.name());
                    for b in non_empty_bookkeeping(&format!("{e:?}")) {
                        problems.push(format!("{label}: {} {e}: {b}", e.name()));
                    }
                }
            }
        }
    }
    for sw in &rs.sets {
        for em in &sw.elems {
            for b in non_empty_bookkeeping(&format!("{:?}", em.attrs)) {
                problems.push(format!("{label}: elements of {}: {b}", sw.set.name()));
            }
        }
    }
    for o in &rs.objects {
        let d = o.typed_data().expect("object data");
        assert!(
            !matches!(d, ObjData::Raw(_)),
            "{label}: object {} ({:?}) not typed",
            o.name(),
            o.attrs.obj_type
        );
        assert_eq!(
            Some(Bytes::from(d.to_bytes())),
            o.attrs.data,
            "{label}: object data re-encodes"
        );
        for b in non_empty_bookkeeping(&format!("{d:?}")) {
            problems.push(format!("{label}: object {} data: {b}", o.name()));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));

    // (3) the netlink debug text. The kernel may resize a hash set in the
    // background after a load, which reorders its elements between two
    // dumps; so nft's text and ours are read again (up to 10 times) until
    // both come from the same state. A rendering difference persists.
    let mut rs = rs;
    let mut attempt = 0;
    let (want, got) = loop {
        let out = common::run("nft", &["--debug=netlink", "list", "ruleset"]);
        assert!(
            nft_may_fail || out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let want = netlink_part(&String::from_utf8_lossy(&out.stdout));
        let got = render_raw(&rs);
        attempt += 1;
        if want == got || attempt == 10 {
            break (want, got);
        }
        std::thread::sleep(std::time::Duration::from_millis(10 * attempt));
        rs = Ruleset::read(&mut conn, 0).expect("ruleset");
    };
    assert!(
        !want.is_empty() || (rs.rules.is_empty() && rs.sets.is_empty()),
        "{label}: nft printed no netlink lines"
    );
    if want != got {
        let w: Vec<&str> = want.lines().collect();
        let g: Vec<&str> = got.lines().collect();
        let mut diff = String::new();
        for i in 0..w.len().max(g.len()) {
            let (a, b) = (w.get(i).copied(), g.get(i).copied());
            if a != b {
                diff.push_str(&format!("line {i}:\n  nft: {a:?}\n  us:  {b:?}\n"));
            }
        }
        panic!("{label}: render_raw differs from nft --debug=netlink:\n{diff}");
    }
    names.sort();
    names.dedup();
    names
}

/// Load `script` into a fresh namespace and check it. Panics when nft
/// cannot load it.
fn load_and_check(label: &str, script: &str, setup: &[&[&str]]) -> Vec<String> {
    let label = label.to_string();
    let script = script.to_string();
    let setup: Vec<Vec<String>> = setup
        .iter()
        .map(|c| c.iter().map(|s| s.to_string()).collect())
        .collect();
    common::netns(move || {
        for c in &setup {
            let args: Vec<&str> = c[1..].iter().map(String::as_str).collect();
            let o = common::run(&c[0], &args);
            assert!(
                o.status.success(),
                "{c:?}: {}",
                String::from_utf8_lossy(&o.stderr)
            );
        }
        let o = common::run_stdin("nft", &["-f", "-"], &script);
        assert!(
            o.status.success(),
            "{label}: nft -f cannot load it: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        check_namespace(&label)
    })
}

const NAT: &str = r#"
table ip nat4 {
  map m { type ipv4_addr : ipv4_addr; elements = { 10.0.0.1 : 192.168.0.1 } }
  chain pre { type nat hook prerouting priority dstnat;
    tcp dport 80 dnat to 10.1.1.1:8080
    tcp dport 81 dnat to 10.1.1.1-10.1.1.9:8000-8100 random persistent
    ip daddr 10.9.9.9 dnat to 10.2.2.2
    dnat to ip saddr map @m
    tcp dport 22 redirect to :2222
    udp dport 53 redirect to :5300-5310 random
    redirect
  }
  chain post { type nat hook postrouting priority srcnat;
    oifname "eth0" masquerade
    oifname "eth1" masquerade random,persistent
    tcp dport 5 masquerade to :1024-2000 fully-random
    ip daddr 1.1.1.1 snat to 10.0.0.1
    ip daddr 1.1.1.2 tcp dport 5 snat to 10.0.0.1-10.0.0.5:1000-2000 fully-random
    ip daddr 1.1.1.3 snat to 10.0.0.0/24
  }
}
table inet natx {
  chain pre { type nat hook prerouting priority dstnat;
    meta nfproto ipv4 tcp dport 80 dnat ip to 10.1.1.1:8080
    meta nfproto ipv6 tcp dport 80 dnat ip6 to [fd00::1]:8080
  }
  chain post { type nat hook postrouting priority srcnat;
    ip daddr 1.1.1.1 snat ip to 10.0.0.1
    ip6 daddr ::1 snat ip6 to fd00::1-fd00::5
    masquerade
  }
}
"#;

const REJECT_FIB: &str = r#"
table ip f4 {
  chain in { type filter hook input priority 0;
    tcp dport 1 reject
    tcp dport 2 reject with icmp host-unreachable
    tcp dport 3 reject with tcp reset
    fib saddr . iif oif missing drop
    fib daddr type local accept
    fib daddr . mark oifname "lo" accept
    fib saddr . iif oif exists accept
    fib daddr oif 1 accept
  }
}
table ip6 f6 {
  chain in { type filter hook input priority 0;
    reject with icmpv6 addr-unreachable
    fib saddr . iif oif missing drop
  }
}
table inet fi {
  chain in { type filter hook input priority 0;
    tcp dport 1 reject with icmpx admin-prohibited
    meta l4proto udp reject
    tcp dport 3 reject with tcp reset
    reject
  }
}
"#;

const NETDEV: &str = r#"
table netdev nd {
  chain ing { type filter hook ingress device "lo" priority 0;
    ip saddr 10.0.0.1 dup to "lo"
    ip saddr 10.0.0.2 fwd to "lo"
    ip saddr 10.0.0.3 fwd ip to 10.0.0.9 device "lo"
  }
}
table ip d4 {
  chain pre { type filter hook prerouting priority 0;
    ip saddr 10.0.0.1 dup to 10.0.0.2
    ip saddr 10.0.0.3 dup to 10.0.0.4 device "lo"
  }
}
"#;

const SOCKET_ETC: &str = r#"
table inet s {
  synproxy sp { mss 1460 wscale 7 timestamp sack-perm }
  chain pre { type filter hook prerouting priority -150;
    socket transparent 1 accept
    socket mark 0x5 accept
    socket wildcard 0 accept
    meta l4proto tcp socket transparent 1 meta mark set 1 accept
    osf name "Linux" accept
    osf ttl loose version "Linux:4.0" accept
    meta l4proto tcp tproxy ip to 127.0.0.1:50080
    meta l4proto tcp tproxy ip6 to [::1]:50080
    meta l4proto udp tproxy to :50053
    ipsec in reqid 1 accept
    ipsec in spnum 1 ip saddr 10.0.0.1 accept
    ipsec in ip6 daddr ::1 accept
  }
  chain raw { type filter hook prerouting priority raw;
    tcp dport 22 notrack
  }
  chain in { type filter hook input priority 0;
    tcp flags syn ct state untracked synproxy mss 1460 wscale 7 timestamp sack-perm
    tcp dport 8 synproxy name sp
  }
  chain out { type filter hook output priority 0;
    ipsec out spi 256 accept
  }
}
table ip tp {
  chain pre { type filter hook prerouting priority mangle;
    meta l4proto tcp tproxy to 127.0.0.1
    meta l4proto tcp tproxy to :1234 meta mark set 1
  }
}
"#;

const CORE: &str = r#"
table ip c {
  counter cnt { packets 5 bytes 10 }
  quota q { over 100 mbytes used 1 mbytes }
  limit l { rate over 10/minute burst 5 packets }
  ct helper ftp1 { type "ftp" protocol tcp; l3proto ip; }
  ct timeout tmo { protocol tcp; l3proto ip; policy = { established: 100, close: 4 }; }
  ct expectation ex { protocol tcp; dport 5000; timeout 1m; size 12; l3proto ip; }
  set s { type ipv4_addr; elements = { 10.0.0.1, 10.0.0.2 } }
  set iv { type ipv4_addr; flags interval; elements = { 10.0.0.0/8, 192.168.1.1 } }
  set d { type ipv4_addr; flags dynamic,timeout; timeout 1m; }
  set d2 { type ipv4_addr; size 100; flags dynamic; }
  set d3 { type ipv4_addr; flags dynamic,timeout; elements = { 1.2.3.4 timeout 1h, 1.2.3.5 } }
  set ec { type ipv4_addr; counter; elements = { 1.1.1.1 counter packets 1 bytes 2 comment "x\ty" } }
  set cr { type ipv4_addr . inet_service; flags interval; elements = { 10.0.0.0/8 . 80-90, 1.2.3.4 . 22 } }
  map cw { type ipv4_addr : verdict; elements = { 1.1.1.1 : accept, * : drop } }
  set e6 { type ipv6_addr; flags interval; auto-merge; elements = { ::1, fd00::/8 } }
  map vm { type ipv4_addr : verdict; elements = { 1.2.3.4 : accept, 5.6.7.8 : jump c2, 5.6.7.9 : goto c2 } }
  map cm { type ipv4_addr . inet_service : ipv4_addr . inet_service; elements = { 1.1.1.1 . 80 : 2.2.2.2 . 8080 } }
  chain c2 { return; }
  chain c { type filter hook forward priority 0; policy accept;
    ip saddr @s counter accept
    ip daddr != @s drop
    tcp dport { 22, 80 } accept comment "hello"
    ip saddr vmap @vm
    ip saddr vmap { 9.9.9.9 : drop, 9.9.9.8 : continue }
    meta mark set 0x10
    meta priority set ip saddr map { 1.1.1.1 : 1:2 }
    ip ttl set 64
    tcp dport set 80
    ip dscp set cs1
    update @d { ip saddr counter }
    add @d { ip daddr timeout 30s }
    add @d2 { ip saddr limit rate 10/second counter }
    delete @d { ip saddr }
    counter name cnt
    quota name q
    limit name l
    ct helper set "ftp1"
    ct timeout set "tmo"
    ct expectation set "ex"
    tcp dport 1-100 drop
    ip daddr 10.0.0.0/8 jump c2
    goto c2
  }
}
"#;

#[test]
fn nat_masq_redir() {
    let seen = load_and_check("nat", NAT, &[]);
    for n in ["nat", "masq", "redir"] {
        assert!(seen.iter().any(|s| s == n), "{n} not covered: {seen:?}");
    }
}

#[test]
fn reject_and_fib() {
    let seen = load_and_check("reject/fib", REJECT_FIB, &[]);
    for n in ["reject", "fib"] {
        assert!(seen.iter().any(|s| s == n), "{n} not covered: {seen:?}");
    }
}

#[test]
fn dup_and_fwd() {
    let seen = load_and_check("netdev", NETDEV, &[]);
    for n in ["dup", "fwd"] {
        assert!(seen.iter().any(|s| s == n), "{n} not covered: {seen:?}");
    }
}

#[test]
fn socket_osf_tproxy_xfrm_synproxy_notrack() {
    let seen = load_and_check("socket etc", SOCKET_ETC, &[]);
    for n in ["socket", "osf", "tproxy", "xfrm", "synproxy", "notrack"] {
        assert!(seen.iter().any(|s| s == n), "{n} not covered: {seen:?}");
    }
}

#[test]
fn core_expressions_sets_and_objects() {
    let seen = load_and_check("core", CORE, &[]);
    for n in [
        "payload",
        "cmp",
        "immediate",
        "meta",
        "counter",
        "lookup",
        "dynset",
        "objref",
    ] {
        assert!(seen.iter().any(|s| s == n), "{n} not covered: {seen:?}");
    }
}

#[test]
fn xt_match_and_target() {
    let seen = common::netns(|| {
        for args in [
            &[
                "-A", "INPUT", "-m", "string", "--algo", "bm", "--string", "xyz", "-j", "ACCEPT",
            ][..],
            &[
                "-A",
                "INPUT",
                "-m",
                "hashlimit",
                "--hashlimit-upto",
                "5/s",
                "--hashlimit-name",
                "h",
                "-j",
                "ACCEPT",
            ][..],
            &[
                "-t",
                "mangle",
                "-A",
                "POSTROUTING",
                "-p",
                "tcp",
                "--tcp-flags",
                "SYN,RST",
                "SYN",
                "-j",
                "TCPMSS",
                "--clamp-mss-to-pmtu",
            ][..],
        ] {
            let o = common::run("iptables-nft", args);
            assert!(
                o.status.success(),
                "iptables-nft {args:?}: {}",
                String::from_utf8_lossy(&o.stderr)
            );
        }
        check_namespace("xt")
    });
    for n in ["match", "target"] {
        assert!(seen.iter().any(|s| s == n), "{n} not covered: {seen:?}");
    }
}

/// `reject` in a netdev ingress chain. (Flowtables, `socket cgroupv2` and
/// secmark objects need kernel features the test machines lack, see
/// `debug_text_of_forms_this_kernel_cannot_load`; nft 1.0.6 only accepts
/// `fwd` in the netdev family, see `dup_and_fwd`.)
#[test]
fn netdev_reject() {
    let seen = load_and_check(
        "netdev reject",
        "table netdev nr { chain ing { type filter hook ingress device \"lo\" priority 0; ip saddr 10.0.0.1 reject with icmp host-unreachable; }\n}",
        &[],
    );
    assert!(
        seen.iter().any(|s| s == "reject"),
        "reject not covered: {seen:?}"
    );
}

#[test]
fn tunnel_expression_built_by_nftwire() {
    // nft 1.0.6 has no syntax for the tunnel expression: add one with
    // nftwire and check the kernel's dump order and nft's rendering.
    use nftwire::expr::tunnel::{Tunnel, TunnelKey, TunnelMode};
    use nftwire::expr::{Cmp, CmpOp};
    use nftwire::netlink::BatchOp;
    use nftwire::object::Rule;
    let seen = common::netns(|| {
        common::nft_load(
            "table netdev tn { chain c { type filter hook ingress device \"lo\" priority 0; }\n}",
        );
        let mut conn = Conn::open().expect("socket");
        for (key, mode) in [
            (TunnelKey::Path, None),
            (TunnelKey::Id, Some(TunnelMode::Rx)),
        ] {
            let t = Tunnel {
                key: Some(key),
                dreg: Some(1),
                mode,
                ..Default::default()
            };
            let r = Rule::new(
                nftwire::consts::family::NETDEV,
                "tn",
                "c",
                vec![t.into(), Cmp::new(1, CmpOp::Eq, vec![1u8, 0, 0, 0]).into()],
            );
            let op = BatchOp {
                msg: r.to_msg(msg::NEWRULE, 0x400 | 0x800),
                op: "RULE_APPEND".into(),
                what: "tunnel rule".into(),
            };
            conn.batch(&[op], None)
                .expect("kernel accepts the tunnel rule");
        }
        check_namespace_opt("tunnel", true)
    });
    assert!(seen.iter().any(|s| s == "tunnel"), "{seen:?}");
}

#[test]
fn corpus_rulesets() {
    for f in common::data_files("corpus", "nft") {
        let script = std::fs::read_to_string(&f).expect("read corpus file");
        let label = f
            .file_name()
            .unwrap_or_default()
            .to_string_lossy()
            .to_string();
        load_and_check(&label, &script, &[]);
    }
}

#[test]
fn objects_built_by_nftwire() {
    // connlimit and tunnel objects have no nft 1.0.6 syntax: create them
    // with nftwire and check the typed views against the kernel's dump.
    use nftwire::netlink::BatchOp;
    use nftwire::object::obj::{
        ConnlimitData, ObjType, ObjectAttrs, TunnelData, TunnelKeyIp, TunnelOpts, TunnelVxlan,
    };
    let types = common::netns(|| {
        common::nft_load("table ip o {\n}\ntable netdev o {\n}");
        let mut conn = Conn::open().expect("socket");
        let datas: Vec<(&str, ObjType, Vec<u8>)> = vec![
            (
                "cl",
                ObjType::Connlimit,
                ConnlimitData {
                    count: Some(5),
                    flags: Some(1),
                    ..Default::default()
                }
                .to_bytes(),
            ),
            (
                "tun",
                ObjType::Tunnel,
                TunnelData {
                    id: Some(42),
                    ip: Some(TunnelKeyIp {
                        src: Some(Bytes::from_static(&[10, 0, 0, 1])),
                        dst: Some(Bytes::from_static(&[10, 0, 0, 2])),
                        ..Default::default()
                    }),
                    sport: Some(1000),
                    dport: Some(4789),
                    tos: Some(0),
                    ttl: Some(64),
                    opts: Some(TunnelOpts {
                        vxlan: Some(TunnelVxlan {
                            gbp: Some(7),
                            ..Default::default()
                        }),
                        ..Default::default()
                    }),
                    ..Default::default()
                }
                .to_bytes(),
            ),
        ];
        for (name, ty, data) in datas {
            // The tunnel object type exists for the netdev family only.
            let family = if ty == ObjType::Tunnel {
                nftwire::consts::family::NETDEV
            } else {
                nftwire::consts::family::IPV4
            };
            let o = Obj {
                family,
                attrs: ObjectAttrs {
                    table: Some("o".into()),
                    name: Some(name.into()),
                    obj_type: Some(ty),
                    data: Some(Bytes::from(data)),
                    wire: nftwire::nla::Wire::from_parts(1 << (2 * 5), Vec::new(), Vec::new()), // NLA_F_NESTED on `data` (field 5)
                    ..Default::default()
                },
            };
            let op = BatchOp {
                msg: o.to_msg(msg::NEWOBJ, 0x400),
                op: "OBJ_ADD".into(),
                what: name.into(),
            };
            conn.batch(&[op], None)
                .unwrap_or_else(|e| panic!("kernel refuses object {name}: {e}"));
        }
        check_namespace_opt("objects", true);
        let rs = Ruleset::read(&mut conn, 0).expect("ruleset");
        rs.objects
            .iter()
            .map(|o| (o.name().to_string(), o.typed_data()))
            .collect::<Vec<_>>()
    });
    let cl = types
        .iter()
        .find(|(n, _)| n == "cl")
        .expect("connlimit object");
    assert!(
        matches!(&cl.1, Some(ObjData::Connlimit(c)) if c.count == Some(5) && c.flags == Some(1)),
        "{cl:?}"
    );
    let tun = types
        .iter()
        .find(|(n, _)| n == "tun")
        .expect("tunnel object");
    match &tun.1 {
        Some(ObjData::Tunnel(t)) => {
            assert_eq!(t.id, Some(42));
            assert_eq!(t.dport, Some(4789));
            assert_eq!(t.ttl, Some(64));
            assert_eq!(
                t.opts
                    .as_ref()
                    .and_then(|o| o.vxlan.as_ref())
                    .and_then(|v| v.gbp),
                Some(7)
            );
        }
        other => panic!("tunnel object not typed: {other:?}"),
    }
}

#[test]
fn debug_text_of_forms_this_kernel_cannot_load() {
    // No flowtables (CONFIG_NF_FLOW_TABLE off), no cgroup2 mount, no
    // SELinux policy here: check the libnftnl text and the typed views from
    // hand-built attributes instead.
    use nftwire::expr::flow_offload::FlowOffload;
    use nftwire::expr::socket::{Socket, SocketKey};
    use nftwire::object::obj::{ObjType, SecmarkData};
    let fo: Expr = FlowOffload {
        table_name: Some("f".into()),
        ..Default::default()
    }
    .into();
    assert_eq!(fo.to_string(), "[ flow_offload flowtable f ]");
    let so: Expr = Socket {
        key: Some(SocketKey::Cgroupv2),
        dreg: Some(1),
        level: Some(2),
        ..Default::default()
    }
    .into();
    assert_eq!(so.to_string(), "[ socket load cgroupv2 => reg 1 ]");
    let mut w = Writer::new();
    so.write_elem(&mut w);
    let back = Expr::parse_elem(1, Bytes::from(w.buf[4..].to_vec()));
    assert_eq!(back, so);
    let sm = SecmarkData {
        ctx: Some("system_u:object_r:ssh_server_packet_t:s0".into()),
        ..Default::default()
    };
    let bytes = Bytes::from(sm.to_bytes());
    assert_eq!(
        ObjData::parse(ObjType::Secmark, &bytes),
        ObjData::Secmark(sm)
    );
}
