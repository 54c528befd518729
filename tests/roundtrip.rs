//! Kernel round trips of the save format: for foreign rulesets (the shared
//! corpus), rules written by the real iptables-nft/ip6tables-nft, and an nft
//! ruleset using every expression this kernel supports:
//! save -> `nft flush ruleset` -> restore -> save gives the identical file,
//! the raw kernel state (every dumped body, handles aside) is the same, and
//! `iptables-save` prints the same. Every dumped message also decodes and
//! re-encodes byte for byte.

mod common;

use nftwire::consts::msg;
use nftwire::expr::Expr;
use nftwire::netlink::{BatchOp, Conn, NfMsg};
use nftwire::nla::Writer;
use nftwire::object::element::SetElemsAttrs;
use nftwire::object::{
    Chain, ChainAttrs, FlowtableAttrs, Kind, Obj, ObjectAttrs, Rule, RuleAttrs, SetAttrs, Table,
    TableAttrs,
};
use nftwire::ruleset::{creation_op, Ruleset};
use nftwire::save;
use std::collections::BTreeSet;
use std::path::PathBuf;

fn conn() -> Conn {
    Conn::open().expect("netlink socket")
}

fn save_now() -> String {
    let rs = Ruleset::read(&mut conn(), 0).expect("read ruleset");
    save::to_string(&rs)
}

/// The save file as `nftwire save` makes it: rules dumped, decoded and
/// rendered a part at a time, on several connections and threads.
fn save_streamed() -> String {
    let mut v = Vec::new();
    save::save(&mut conn(), 0, &mut v).expect("streamed save");
    String::from_utf8(v).expect("save files are UTF-8")
}

fn restore(text: &str) {
    let ops = nftwire::restore_plan::parse(text).expect("parse own save file");
    if let Err(e) = save::replace_ruleset(&mut conn(), &ops) {
        panic!("restore failed: {e}");
    }
}

fn sh(cmd: &str) -> std::process::Output {
    common::run("sh", &["-c", cmd])
}

fn sh_ok(cmd: &str) {
    let o = sh(cmd);
    assert!(
        o.status.success(),
        "`{cmd}` failed: {}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
}

/// Decode every message of a dump, check that re-encoding gives the
/// original body, and return the bodies with the read-only attributes
/// `strip` removes.
fn dumped<T: Kind>(msgs: &[NfMsg], want: u16, mut strip: impl FnMut(&mut T)) -> Vec<String> {
    let mut out = Vec::new();
    for m in msgs.iter().filter(|m| m.msg() == want) {
        let o = Obj::<T>::from_msg(m)
            .unwrap_or_else(|| panic!("{} message does not decode", msg::name(want)));
        assert_eq!(
            o.body(),
            m.body.to_vec(),
            "decode->encode changed a {} body: {o:?}",
            msg::name(want)
        );
        let mut a = o.attrs.clone();
        strip(&mut a);
        let mut w = Writer::new();
        a.write_body(&mut w);
        out.push(format!(
            "{} {} {}",
            msg::name(want),
            o.family,
            nftwire::util::hex(&w.buf)
        ));
    }
    out
}

/// The raw kernel state: every object body as dumped, minus handles,
/// positions and element expirations (elements as a sorted set per set).
/// Also asserts the decode->encode invariant on every message.
fn raw_state() -> Vec<String> {
    let mut c = conn();
    let mut out = Vec::new();
    let d = |c: &mut Conn, t: u16| c.dump(t, 0, Vec::new()).expect("dump");
    out.extend(dumped::<TableAttrs>(
        &d(&mut c, msg::GETTABLE),
        msg::NEWTABLE,
        |a| a.handle = None,
    ));
    out.extend(dumped::<ChainAttrs>(
        &d(&mut c, msg::GETCHAIN),
        msg::NEWCHAIN,
        |a| a.handle = None,
    ));
    let sets = d(&mut c, msg::GETSET);
    // The kernel lists sets in creation order, and the batch creates
    // anonymous sets with the rules that bind them: compare as a set.
    let bodies = dumped::<SetAttrs>(&sets, msg::NEWSET, |a| a.handle = None);
    let mut set_state = Vec::new();
    for (s, body) in sets.iter().filter(|m| m.msg() == msg::NEWSET).zip(bodies) {
        let set = Obj::<SetAttrs>::from_msg(s).unwrap();
        let em = nftwire::object::element::dump_element_msgs(
            &mut c,
            s.family,
            set.table.as_deref().unwrap(),
            set.name.as_deref().unwrap(),
        )
        .expect("element dump");
        let mut elems = BTreeSet::new();
        dumped::<SetElemsAttrs>(&em, msg::NEWSETELEM, |a| {
            for e in a.elems.iter_mut().flat_map(|l| l.0.iter_mut()) {
                e.expiration = None;
                elems.insert(nftwire::util::hex(&e.to_bytes()));
            }
        });
        set_state.push(format!("{body} elements {elems:?}"));
    }
    set_state.sort();
    out.extend(set_state);
    out.extend(dumped::<ObjectAttrs>(
        &d(&mut c, msg::GETOBJ),
        msg::NEWOBJ,
        |a| a.handle = None,
    ));
    match c.dump(msg::GETFLOWTABLE, 0, Vec::new()) {
        Ok(m) => out.extend(dumped::<FlowtableAttrs>(&m, msg::NEWFLOWTABLE, |a| {
            a.handle = None
        })),
        Err(e) => eprintln!("no flowtable dump: {e}"),
    }
    out.extend(dumped::<RuleAttrs>(
        &d(&mut c, msg::GETRULE),
        msg::NEWRULE,
        |a| {
            a.handle = None;
            a.position = None;
        },
    ));
    out
}

/// `iptables-save` and `ip6tables-save` output without the timestamp lines.
fn iptables_save() -> String {
    let mut s = String::new();
    for prog in ["iptables-nft-save", "ip6tables-nft-save"] {
        let o = common::run(prog, &[]);
        s.push_str(&format!("{prog} rc {:?}\n", o.status.code()));
        for l in String::from_utf8_lossy(&o.stdout).lines() {
            if !l.starts_with("# Generated by") && !l.starts_with("# Completed on") {
                s.push_str(l);
                s.push('\n');
            }
        }
        s.push_str(&String::from_utf8_lossy(&o.stderr));
    }
    s
}

fn first_diff(a: &str, b: &str) -> String {
    for (i, (x, y)) in a.lines().zip(b.lines()).enumerate() {
        if x != y {
            return format!("line {}:\n- {x}\n+ {y}", i + 1);
        }
    }
    format!(
        "lengths {} vs {} lines",
        a.lines().count(),
        b.lines().count()
    )
}

/// save -> flush -> restore -> save; all three views must be unchanged.
/// Returns the save file.
fn roundtrip(label: &str, via_cli: bool) -> String {
    let raw1 = raw_state();
    let ipt1 = iptables_save();
    let s1 = if via_cli { cli_save() } else { save_now() };
    assert_eq!(s1, save_now(), "{label}: saving twice differs");
    assert_eq!(s1, save_streamed(), "{label}: streamed save differs");
    assert!(s1.lines().count() > 1, "{label}: nothing saved");
    sh_ok("nft flush ruleset");
    assert_eq!(
        save_now(),
        "nftwire-save 2\n",
        "{label}: flush left something"
    );
    if via_cli {
        cli_restore(&s1);
    } else {
        restore(&s1);
    }
    let s2 = save_now();
    assert!(
        s1 == s2,
        "{label}: save after restore differs: {}",
        first_diff(&s1, &s2)
    );
    let raw2 = raw_state();
    assert_eq!(raw1.len(), raw2.len(), "{label}: object count changed");
    for (a, b) in raw1.iter().zip(&raw2) {
        assert_eq!(a, b, "{label}: kernel state differs after restore");
    }
    let ipt2 = iptables_save();
    assert!(
        ipt1 == ipt2,
        "{label}: iptables-save differs: {}",
        first_diff(&ipt1, &ipt2)
    );
    // Restoring over a populated ruleset replaces it (idempotent).
    restore(&s1);
    assert_eq!(save_now(), s1, "{label}: restore over itself");
    s1
}

fn cli_save() -> String {
    let o = common::run(env!("CARGO_BIN_EXE_nftwire"), &["save"]);
    assert!(
        o.status.success(),
        "nftwire save: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8(o.stdout).unwrap()
}

fn cli_restore(text: &str) {
    let o = common::run_stdin(env!("CARGO_BIN_EXE_nftwire"), &["restore", "-"], text);
    assert!(
        o.status.success(),
        "nftwire restore: {}",
        String::from_utf8_lossy(&o.stderr)
    );
}

fn corpus() -> PathBuf {
    common::data_path("corpus")
}

#[test]
fn corpus_rulesets_roundtrip() {
    let dir = corpus();
    let files = common::data_files("corpus", "nft");
    let mut failed = Vec::new();
    for f in files {
        let name = f.file_stem().unwrap().to_string_lossy().into_owned();
        let exact = dir.join(format!("{name}-exact.py"));
        let r = common::netns(move || -> Result<String, String> {
            let o = common::run("nft", &["-f", f.to_str().unwrap()]);
            if !o.status.success() {
                return Err(format!("nft -f: {}", String::from_utf8_lossy(&o.stderr)));
            }
            if exact.exists() {
                let o = common::run("python3", &[exact.to_str().unwrap()]);
                if !o.status.success() {
                    return Err(format!(
                        "{}: {}",
                        exact.display(),
                        String::from_utf8_lossy(&o.stderr)
                    ));
                }
            }
            Ok(roundtrip(&f.display().to_string(), false))
        });
        match r {
            Ok(text) => {
                eprintln!("{name}: {} lines round-tripped", text.lines().count());
                if name == "tailscale-k8s-proxy" {
                    assert!(text.contains("\nchain ip nat svc:web\n"), "svc:web chain");
                }
            }
            Err(why) => failed.push(format!("{name} does not load: {why}")),
        }
    }
    assert!(failed.is_empty(), "{}", failed.join("\n"));
}

const OWN_IPTABLES: &str = r#"*filter
:INPUT ACCEPT [0:0]
:FORWARD DROP [0:0]
:OUTPUT ACCEPT [0:0]
:svc:web - [0:0]
-A INPUT -p tcp -m multiport --dports 22,80,443 -j ACCEPT
-A INPUT -p udp -m multiport --sports 53,123 -m comment --comment "dns and ntp" -j ACCEPT
-A INPUT ! -p udp -m comment --comment "not udp" -j DROP
-A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
-A INPUT ! -p tcp -m conntrack --ctstate INVALID -j DROP
-A INPUT -p tcp -m tcp --dport 8080 --tcp-flags SYN,ACK SYN -j LOG --log-prefix "web: " --log-level 4
-A INPUT -p tcp -m tcp --tcp-option 2 -j REJECT --reject-with tcp-reset
-A INPUT -p udp -m udp -j ACCEPT
-A INPUT -p icmp -j REJECT --reject-with icmp-host-prohibited
-A INPUT -m set --match-set myset src -j svc:web
-A INPUT -m mark --mark 0x10/0xff -j MARK --set-xmark 0x20/0xff
-A INPUT -i eth+ -s 10.0.0.0/8 -m limit --limit 5/min -j ACCEPT
-A INPUT -m iprange --src-range 10.0.0.1-10.0.0.9 -m length --length 100:200 -j DROP
-A FORWARD -p tcp -m tcp --sport 1000:2000 -m state --state NEW -j ACCEPT
-A svc:web -m statistic --mode random --probability 0.5 -j RETURN
-A svc:web -m addrtype --dst-type LOCAL -j CONNMARK --set-xmark 0x1/0x1
COMMIT
*nat
:PREROUTING ACCEPT [0:0]
:INPUT ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:POSTROUTING ACCEPT [0:0]
-A PREROUTING -p tcp -m tcp --dport 80 -j DNAT --to-destination 10.0.0.1:8080
-A PREROUTING -p udp -m udp --dport 53 -j DNAT --to-destination 10.0.0.2:5353-5360
-A PREROUTING -p tcp --dport 81 -j REDIRECT --to-ports 8081-8090
-A POSTROUTING -s 10.0.0.0/8 -p tcp -j SNAT --to-source 1.2.3.4:1024-65535
-A POSTROUTING -o eth0 -p udp -j MASQUERADE --to-ports 2000-3000 --random
-A POSTROUTING -o eth1 -j MASQUERADE
COMMIT
*mangle
:PREROUTING ACCEPT [0:0]
:INPUT ACCEPT [0:0]
:FORWARD ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:POSTROUTING ACCEPT [0:0]
-A FORWARD -p tcp -m tcp --tcp-flags SYN,RST SYN -j TCPMSS --clamp-mss-to-pmtu
-A PREROUTING -j TOS --set-tos 0x10/0x3f
-A POSTROUTING -p udp -m udp --dport 68 -j CHECKSUM --checksum-fill
COMMIT
*raw
:PREROUTING ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
-A PREROUTING -p tcp --dport 179 -j CT --notrack
COMMIT
"#;

const OWN_IP6TABLES: &str = r#"*filter
:INPUT ACCEPT [0:0]
:FORWARD ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
-A INPUT -p tcp -m multiport --dports 22,80 -j ACCEPT
-A INPUT -p ipv6-icmp -m icmp6 --icmpv6-type 128 -j ACCEPT
-A INPUT -m conntrack --ctstate INVALID -j DROP
-A INPUT -p udp -m udp --dport 546 -d fe80::/64 -j ACCEPT
-A INPUT -p tcp -j REJECT --reject-with tcp-reset
-A INPUT -j LOG --log-prefix "v6 "
COMMIT
*nat
:PREROUTING ACCEPT [0:0]
:INPUT ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:POSTROUTING ACCEPT [0:0]
-A PREROUTING -p tcp --dport 80 -j DNAT --to-destination [fd00::1]:8080
-A POSTROUTING -o eth0 -p tcp -j MASQUERADE --to-ports 1024-2000
COMMIT
"#;

/// The `ipset` tool, which the k8s baseline needs (scripts/test-all
/// installs it). Panics when it is missing.
fn require_ipset() {
    assert!(
        sh("command -v ipset").status.success(),
        "ipset is not installed (scripts/test-all installs it: apt-get install ipset)"
    );
}

#[test]
fn iptables_nft_rules_roundtrip() {
    require_ipset();
    let baseline = std::fs::read_to_string(corpus().join("baseline-k8s-node.iptables")).unwrap();
    let baseline_sets = corpus().join("baseline-k8s-node.ipset");
    common::netns(move || {
        sh_ok("ipset create myset hash:ip && ipset add myset 10.1.2.3");
        sh_ok(&format!("ipset restore < {}", baseline_sets.display()));
        let (own, base) = (OWN_IPTABLES.to_string(), baseline);
        let o = common::run_stdin("iptables-nft-restore", &[], &own);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let o = common::run_stdin("ip6tables-nft-restore", &[], OWN_IP6TABLES);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let o = common::run_stdin("iptables-nft-restore", &["--noflush"], &base);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let before = iptables_save();
        assert!(before.contains("--dports 22,80,443"), "{before}");
        assert!(
            before.contains("--to-destination 10.0.0.2:5353-5360"),
            "{before}"
        );
        assert!(
            before.contains("--to-destination [fd00::1]:8080"),
            "{before}"
        );
        let text = roundtrip("iptables-nft", false);
        // xt compat expressions are in the file, with their inferred
        // NFTA_RULE_COMPAT (multiport needs proto 6 / 17 to be accepted).
        assert!(text.contains("# [ match name multiport rev 1 ]"), "{text}");
        assert!(text.contains("# [ target name DNAT rev 2 ]"), "{text}");
        let rs = Ruleset::read(&mut conn(), 0).unwrap();
        let ops = rs.create_ops();
        let mut compat = 0;
        for op in ops.iter().filter(|o| o.msg.msg() == msg::NEWRULE) {
            let r = RuleAttrs::parse(&op.msg.body).unwrap();
            let xt = r
                .exprs
                .iter()
                .flat_map(|l| l.0.iter())
                .any(|e| matches!(e, Expr::Match(_) | Expr::Target(_)));
            if let Some(c) = &r.compat {
                compat += 1;
                assert!(xt, "compat on a rule without xt expressions");
                let s = nftwire::util::hex(&op.msg.body);
                if s.contains(&nftwire::util::hex(b"multiport")) {
                    assert!(matches!(c.proto, Some(6) | Some(17)), "{c:?}");
                }
            } else {
                assert!(!xt, "xt rule without compat: {r:?}");
            }
        }
        assert!(compat > 20, "only {compat} rules with compat");
        // The inverted protocol gives the inverted compat flag.
        let inv = ops
            .iter()
            .filter_map(|o| RuleAttrs::parse(&o.msg.body))
            .filter_map(|r| r.compat)
            .any(|c| c.flags == Some(nftwire::compat::COMPAT_F_INV) && c.proto == Some(17));
        assert!(inv, "no inverted compat for `! -p udp`");
    });
}

/// Every expression this kernel and nft 1.0.6 can make, plus every kind of
/// set, map, element option and stateful object.
const OWN_NFT: &str = r#"
table inet full {
  counter cnt1 { packets 5 bytes 100 }
  quota q1 { over 100 mbytes used 10 mbytes }
  limit l1 { rate 10/second burst 5 packets }
  ct helper ftp1 { type "ftp" protocol tcp; l3proto ip; }
  ct timeout tmo1 { protocol tcp; l3proto ip; policy = { established: 100, close: 10 }; }
  ct expectation exp1 { protocol tcp; dport 21; timeout 10s; size 8; l3proto ip; }
  synproxy sp1 { mss 1460 wscale 7 timestamp sack-perm }
  set plain { type ipv4_addr; elements = { 10.0.0.1, 10.0.0.2, 192.168.1.1 } }
  set iv { type ipv4_addr; flags interval; elements = { 10.0.0.0/8, 172.16.0.0-172.16.0.100, 192.168.0.1 } }
  set cc { type ipv4_addr . inet_service; elements = { 1.2.3.4 . 80, 1.2.3.5 . 443 } }
  set cci { type ipv4_addr . inet_service; flags interval; elements = { 10.0.0.0/24 . 1000-2000, 10.1.0.0/16 . 22 } }
  set tmo { type ipv4_addr; flags timeout; timeout 1h; elements = { 1.1.1.1 timeout 10m, 2.2.2.2 } }
  set withexpr { type ipv4_addr; counter; elements = { 3.3.3.3, 4.4.4.4 } }
  set dyn { type ipv4_addr; flags dynamic,timeout; timeout 30s; size 1024; }
  set commented { type inet_service; elements = { 22 comment "ssh", 80 comment "web" } }
  set big { type inet_service; flags interval; policy memory; elements = { 1-5000, 6000 } }
  map m1 { type ipv4_addr : mark; elements = { 1.2.3.4 : 0x10, 5.6.7.8 : 0x20 } }
  map vm { type inet_service : verdict; elements = { 22 : accept, 23 : drop, 80 : jump web } }
  map om { type ipv4_addr : counter; elements = { 1.2.3.4 : cnt1 } }
  map ivm { type ipv4_addr : ipv4_addr; flags interval; elements = { 10.0.0.0/8 : 1.1.1.1 } }
  map catch { type ipv4_addr : verdict; elements = { 9.9.9.9 : accept, * : drop } }
  chain web { counter; return; }
  chain input {
    type filter hook input priority 0; policy accept;
    ct state established,related accept
    ct state invalid drop
    iifname "lo" accept
    ip saddr @plain counter accept
    ip saddr @iv drop
    ip saddr . tcp dport @cc accept
    ip saddr . tcp dport @cci accept
    tcp dport vmap @vm
    ip saddr vmap @catch
    tcp dport { 22, 80, 443 } accept
    ip saddr . tcp dport { 1.1.1.1 . 22, 2.2.2.2 . 80 } accept
    tcp dport vmap { 8000 : accept, 8001 : drop }
    tcp dport != 1000-2000 counter
    tcp dport 3000-4000 counter
    meta mark set ip saddr map @m1
    meta mark set ip saddr map { 10.0.0.1 : 1, 10.0.0.2 : 2 }
    counter name ip saddr map @om
    counter name "cnt1"
    quota name "q1"
    limit name "l1"
    quota over 100 mbytes drop
    limit rate 10/second burst 5 packets accept
    limit rate over 1 mbytes/second drop
    ct count over 10 drop
    log prefix "in " level info
    log group 2 prefix "grp"
    meta l4proto tcp update @dyn { ip saddr timeout 10s counter }
    add @dyn { ip saddr }
    meta mark set jhash ip saddr mod 2 seed 0xdead
    meta mark set symhash mod 4 offset 100
    meta mark set numgen inc mod 2
    fib daddr type local accept
    ct mark set 0x1
    ct mark set meta mark
    meta mark set ct mark
    ip dscp cs1 counter
    tcp flags & (syn | ack) == syn counter
    tcp option maxseg size 1400-1500 counter
    ip option rr exists counter
    rt ip nexthop 192.168.0.1 counter
    meta skuid 0 counter
    socket transparent 1 accept
    meta ipsec exists counter
    ipsec in reqid 1 counter
    osf name "Linux" counter
    ip6 nexthdr tcp counter
    meta time "2024-01-01 00:00:00" - "2030-01-01 00:00:00" counter
    meta day "Monday" counter
    tcp dport 9999 reject with tcp reset
    udp dport 9999 reject
    reject with icmpx admin-prohibited
    tcp dport 22 jump { counter; ip saddr { 1.1.1.1, 2.2.2.2 } accept; }
    tcp dport 23 goto { counter; }
    jump web
  }
  chain forward_c {
    type filter hook forward priority 0;
    tcp flags syn tcp option maxseg size set rt mtu
    reset tcp option sack-perm
    ct state invalid,untracked synproxy name sp1
    tcp dport 80 synproxy mss 1460 wscale 7
  }
  chain pre {
    type filter hook prerouting priority -150;
    meta l4proto tcp tproxy ip to 127.0.0.1:8080
    ct helper set "ftp1"
    ct timeout set "tmo1"
    ct expectation set "exp1"
    ct zone set 1
  }
  chain raw {
    type filter hook prerouting priority -300;
    notrack
  }
  chain nat_pre {
    type nat hook prerouting priority -100;
    tcp dport 80 redirect to :8080
    tcp dport 81 dnat ip to 10.0.0.1:8080
    tcp dport 82 dnat ip to 10.0.0.1-10.0.0.5:8000-8010
  }
  chain nat_post {
    type nat hook postrouting priority 100;
    meta l4proto tcp oifname "eth0" masquerade to :1024-65535 random
    ip saddr 10.0.0.0/8 snat ip to 1.2.3.4 persistent
  }
}
table netdev nd {
  chain ingress {
    type filter hook ingress device "lo" priority 0;
    ether type arp counter
    ip daddr 1.2.3.4 dup to "lo"
    ip daddr 1.2.3.5 fwd to "lo"
  }
}
table bridge br {
  chain c {
    type filter hook forward priority 0;
    ether saddr 00:11:22:33:44:55 counter
  }
}
table arp a {
  chain c {
    type filter hook input priority 0;
    arp operation request counter
  }
}
table ip6 six {
  chain c {
    type filter hook input priority 0;
    ip6 saddr fe80::/10 counter
    icmpv6 type echo-request accept
    exthdr frag exists counter
    hbh nexthdr 6 counter
  }
}
table ip dormant {
  flags dormant
  chain c {
    type filter hook input priority 0;
    counter
  }
}
table ip plainip {
  chain c {
    type filter hook output priority 0;
    dup to 10.0.0.1
    ip daddr 10.9.9.9 dup to 10.0.0.2 device "lo"
  }
}
"#;

/// Objects nft 1.0.6 cannot write, made with nftwire itself: `last` and
/// `tunnel` expressions, and tables/chains with names that need quoting.
fn library_extras() {
    use nftwire::expr::last::Last;
    use nftwire::expr::tunnel::{Tunnel, TunnelKey};
    let weird_t = "odd table \"x\"";
    let weird_c = "a b\t\\c\u{e9}";
    let mut ops: Vec<BatchOp> = Vec::new();
    let t = Table::named(2, weird_t);
    ops.push(creation_op(t.to_msg(msg::NEWTABLE, 0)));
    let c = Chain::regular(2, weird_t, weird_c);
    ops.push(creation_op(c.to_msg(msg::NEWCHAIN, 0)));
    let r = Rule::new(2, weird_t, weird_c, vec![Expr::Last(Last::never())]);
    ops.push(creation_op(r.to_msg(msg::NEWRULE, 0)));
    let tun = Tunnel {
        key: Some(TunnelKey::Id),
        dreg: Some(1),
        ..Default::default()
    };
    let r = Rule::new(5, "nd", "ingress", vec![Expr::Tunnel(tun)]);
    ops.push(creation_op(r.to_msg(msg::NEWRULE, 0)));
    conn().batch(&ops, None).expect("library-made objects");
}

#[test]
fn every_expression_roundtrips_via_cli() {
    common::netns(|| {
        common::nft_load(OWN_NFT);
        library_extras();
        let rs = Ruleset::read(&mut conn(), 0).unwrap();
        let mut names = BTreeSet::new();
        for r in &rs.rules {
            for e in r.exprs() {
                names.insert(e.name());
            }
        }
        // This kernel has no nft_queue, no flowtables (flow_offload) and
        // nothing in nft 1.0.6 makes `inner`; match/target are covered by
        // the iptables test.
        for want in [
            "immediate",
            "cmp",
            "lookup",
            "bitwise",
            "byteorder",
            "payload",
            "dynset",
            "range",
            "meta",
            "rt",
            "exthdr",
            "last",
            "counter",
            "objref",
            "ct",
            "notrack",
            "limit",
            "quota",
            "connlimit",
            "log",
            "nat",
            "masq",
            "redir",
            "reject",
            "hash",
            "numgen",
            "fib",
            "dup",
            "fwd",
            "socket",
            "osf",
            "tproxy",
            "xfrm",
            "synproxy",
            "tunnel",
        ] {
            assert!(names.contains(want), "no {want} expression in {names:?}");
        }
        let text = roundtrip("own nft ruleset", true);
        assert!(
            text.contains("\nchain ip \"odd table \\\"x\\\"\" \"a b\\x09\\\\c\\xc3\\xa9\"\n"),
            "{text}"
        );
        for kind in [
            "object inet full ",
            "elements inet full catch",
            "set inet full __set",
        ] {
            assert!(text.contains(kind), "{kind}");
        }
        // Element timeouts survive; expirations are not saved.
        let sets = &Ruleset::read(&mut conn(), 0).unwrap().sets;
        let tmo = sets.iter().find(|s| s.set.name() == "tmo").unwrap();
        let els: Vec<_> = tmo
            .elems
            .iter()
            .flat_map(|m| m.elems.iter().flat_map(|l| l.0.iter()))
            .collect();
        assert_eq!(els.len(), 2);
        assert!(els.iter().any(|e| e.timeout == Some(600_000)), "{els:?}");
        assert!(els.iter().all(|e| e.expiration.is_some()));
    });
}

/// An nft listing with the value after each `expires` dropped (element
/// expirations tick), keeping what follows it (a separating comma).
fn without_countdowns(text: &str) -> String {
    let mut words = Vec::new();
    let mut skip = false;
    for w in text.split(' ') {
        if skip {
            // The duration (digits and d/h/m/s), not what follows.
            skip = false;
            words.push(w.trim_start_matches(|c: char| {
                c.is_ascii_digit() || matches!(c, 'd' | 'h' | 'm' | 's')
            }));
            continue;
        }
        skip = w == "expires";
        words.push(w);
    }
    words.join(" ")
}

#[test]
fn nft_reads_restored_ruleset_like_the_original() {
    common::netns(|| {
        common::nft_load(OWN_NFT);
        let listing = |_: ()| {
            let o = common::run("nft", &["list", "ruleset"]);
            assert!(o.status.success());
            without_countdowns(&String::from_utf8(o.stdout).unwrap())
        };
        let before = listing(());
        let text = save_now();
        sh_ok("nft flush ruleset");
        restore(&text);
        let after = listing(());
        assert!(
            before == after,
            "nft list differs: {}",
            first_diff(&before, &after)
        );
    });
}

#[test]
fn anonymous_sets_in_two_tables() {
    // Two tables with anonymous sets of the same name (__set0): each rule
    // must bind its own table's set.
    common::netns(|| {
        common::nft_load(
            "table ip a {\n chain c {\n tcp dport { 1, 2 } accept\n }\n}\n\
             table ip b {\n chain c {\n tcp dport { 3, 4 } accept\n }\n}\n",
        );
        let text = roundtrip("two anonymous sets", false);
        assert_eq!(text.matches("\nset ip ").count(), 2, "{text}");
        let o = common::run("nft", &["list", "ruleset"]);
        let l = String::from_utf8_lossy(&o.stdout);
        assert!(l.contains("{ 1, 2 }") && l.contains("{ 3, 4 }"), "{l}");
    });
}

#[test]
fn large_sets_span_several_messages() {
    common::netns(|| {
        let hosts: Vec<String> = (0..6000u32)
            .map(|i| format!("10.{}.{}.{}", i >> 16, (i >> 8) & 255, i & 255))
            .collect();
        let ranges: Vec<String> = (0..3000u32)
            .map(|i| format!("{}-{}", 10 + i * 20, 10 + i * 20 + 9))
            .collect();
        common::nft_load(&format!(
            "table ip big {{\n set h {{\n type ipv4_addr\n elements = {{ {} }}\n }}\n \
             set r {{\n type inet_service\n flags interval\n elements = {{ {} }}\n }}\n}}\n",
            hosts.join(", "),
            ranges.join(", ")
        ));
        let text = roundtrip("large sets", false);
        let blocks = text.matches("\nelements ip big h\n").count();
        assert!(blocks >= 3, "6000 elements in {blocks} messages");
        assert!(text.matches("\nelements ip big r\n").count() >= 3);
        let ops = save::parse(&text).unwrap();
        for op in ops.iter().filter(|o| o.msg.msg() == msg::NEWSETELEM) {
            assert!(op.msg.body.len() < 40 * 1024, "{}", op.msg.body.len());
        }
    });
}

#[test]
fn many_chains_save_in_parallel() {
    // Enough chains that the rules are dumped and rendered on several
    // connections and threads (parallel::MIN_PARALLEL_ITEMS), with
    // anonymous sets and bound chains spread over the parts: the streamed
    // save, the save of a whole Ruleset and a plain one-op-at-a-time
    // rendering of save_ops must be the same text, and it must restore.
    common::netns(|| {
        let mut script = String::from("table inet wide {\n");
        for i in 0..700u32 {
            script.push_str(&format!(
                " chain c{i} {{\n  tcp dport {{ {}, {} }} counter accept\n  \
                 ip saddr 10.{}.{}.0/24 jump {{ counter; udp dport {{ 53, {} }} accept; }}\n  \
                 meta mark {i} drop\n }}\n",
                1000 + i,
                2000 + i,
                i >> 8,
                i & 255,
                3000 + i
            ));
        }
        script.push_str("}\n");
        common::nft_load(&script);
        let rs = Ruleset::read(&mut conn(), 0).expect("read");
        assert!(rs.chains.len() > 2 * nftwire::netlink::parallel::MIN_PARALLEL_ITEMS);
        let whole = save::to_string(&rs);
        let one_by_one = save::render_ops(&rs.save_ops()).expect("render ops");
        assert!(whole == one_by_one, "{}", first_diff(&whole, &one_by_one));
        let streamed = save_streamed();
        assert!(whole == streamed, "{}", first_diff(&whole, &streamed));
        // Each bound chain's rules come right before the rule that jumps to
        // it, and each anonymous set right before the rule that uses it.
        let text = roundtrip("700 chains", false);
        assert_eq!(text.matches("\nrule inet wide c").count(), 700 * 3);
        assert_eq!(text.matches("\nrule inet wide __chain").count(), 700 * 2);
        assert_eq!(text.matches("\nset inet wide __set").count(), 700 * 2);
    });
}

/// The reproducers of issue 12: rulesets whose dump holds attributes the
/// kernel refuses on input (interval-end element timeouts, dynset timeout
/// 0, several dynset statements without `NFT_DYNSET_F_EXPR`, used-up
/// quotas), plus element order and handles that must come back.
const ISSUE12_REPRODUCERS: &[&str] = &[
    "table inet t { set s { type ipv4_addr; flags interval,timeout; timeout 1h; elements = { 192.0.2.0/24, 198.51.100.7 }; }; }",
    "table ip t { set dlist { type ipv4_addr; size 65535; flags dynamic; }
 set m2 { type ipv4_addr; size 65535; flags dynamic; }
 chain c { type filter hook output priority 0; update @dlist { ip daddr }; add @m2 { ip saddr counter }; meter mm { ip daddr limit rate 10/second }; add @m2 { ip saddr }; }; }",
    "table ip t { set y { type ipv4_addr; size 65535; flags dynamic,timeout; timeout 1h; }
 chain c { type filter hook output priority 0; update @y { ip daddr limit rate 1/second burst 5 packets counter }; }; }",
    "table ip t { quota q { 0 bytes; }
 quota q2 { over 10 bytes; }
 chain c { type filter hook output priority 0; quota over 100 bytes counter; quota name q2; }; }",
    "table inet t { set s { type tcp_flag; elements = { fin | ack, syn, ack, rst }; }
 chain c { ip daddr 1.1.1.1 jump { counter; ip saddr { 2.2.2.2, 3.3.3.3 } accept; }; tcp dport { 22, 80 } counter; }; }",
];

/// UDP datagrams through the output hook (loopback must be up).
fn udp_traffic() {
    sh_ok("ip link set lo up");
    let s = std::net::UdpSocket::bind("127.0.0.1:0").expect("udp socket");
    for _ in 0..10 {
        let _ = s.send_to(&[0u8; 100], "127.0.0.1:9");
    }
}

/// `nft -a list ruleset` with table handles (a counter the kernel never
/// resets) and element countdowns masked.
fn listing_with_handles() -> String {
    let o = common::run("nft", &["-a", "list", "ruleset"]);
    assert!(o.status.success(), "nft list failed");
    let text: Vec<&str> = std::str::from_utf8(&o.stdout)
        .expect("nft prints UTF-8")
        .lines()
        .map(|l| {
            if l.starts_with("table ") {
                l.split(" # handle").next().unwrap_or(l)
            } else {
                l
            }
        })
        .collect();
    without_countdowns(&text.join("\n"))
}

#[test]
fn issue12_reproducers_restore_with_handles_and_order() {
    for nft in ISSUE12_REPRODUCERS {
        common::netns(move || {
            common::nft_load(&format!("{nft}\n"));
            udp_traffic();
            let before = listing_with_handles();
            let s1 = cli_save();
            sh_ok("nft flush ruleset");
            cli_restore(&s1);
            let after = listing_with_handles();
            assert!(
                before == after,
                "{nft}: nft -a list differs: {}",
                first_diff(&before, &after)
            );
            let s2 = cli_save();
            assert!(
                s1 == s2,
                "{nft}: second save differs: {}",
                first_diff(&s1, &s2)
            );
        });
    }
}

/// A save file holding the kernel's dump forms (as files written before
/// `create_form` existed do): restore maps every block itself.
#[test]
fn save_files_with_dump_forms_restore() {
    common::netns(|| {
        for nft in &ISSUE12_REPRODUCERS[1..4] {
            common::nft_load(&format!(
                "{}\n",
                nft.replacen("table ip t", &format!("table ip t{}", nft.len()), 1)
            ));
        }
        udp_traffic();
        let rs = Ruleset::read(&mut conn(), 0).expect("read");
        let mut ops = Vec::new();
        for t in &rs.tables {
            let mut t = t.clone();
            t.attrs.handle = None;
            ops.push(creation_op(t.to_msg(msg::NEWTABLE, 0)));
        }
        for c in &rs.chains {
            let mut c = c.clone();
            c.attrs.handle = None;
            ops.push(creation_op(c.to_msg(msg::NEWCHAIN, 0)));
        }
        for o in &rs.objects {
            let mut o = o.clone();
            o.attrs.handle = None;
            ops.push(creation_op(o.to_msg(msg::NEWOBJ, 0)));
        }
        for sw in &rs.sets {
            let mut s = sw.set.clone();
            s.attrs.handle = None;
            s.attrs.id = nftwire::ruleset::set_id(&sw.set);
            ops.push(creation_op(s.to_msg(msg::NEWSET, 0)));
            for e in &sw.elems {
                let mut e = e.clone();
                for el in e.attrs.elems.iter_mut().flat_map(|l| l.0.iter_mut()) {
                    el.expiration = None;
                }
                ops.push(creation_op(e.to_msg(msg::NEWSETELEM, 0)));
            }
        }
        for r in &rs.rules {
            let mut r = r.clone();
            r.attrs.handle = None;
            r.attrs.position = None;
            ops.push(creation_op(r.to_msg(msg::NEWRULE, 0)));
        }
        let text = save::render_ops(&ops).expect("render");
        // The dump forms are in the file: a used-up quota's flags (3) and
        // dynset timeouts of 0.
        assert!(text.contains("flags 3 ]"), "{text}");
        assert!(text.contains("timeout 0ms"), "{text}");
        // The sets nft made for the meter come with the rule, so handles
        // differ from this hand-made order; compare without them.
        let unhandled = || {
            listing_with_handles()
                .lines()
                .map(|l| l.split(" # handle").next().unwrap_or(l).to_owned())
                .collect::<Vec<_>>()
                .join("\n")
        };
        let before = unhandled();
        sh_ok("nft flush ruleset");
        cli_restore(&text);
        let after = unhandled();
        assert!(
            before == after,
            "nft list differs: {}",
            first_diff(&before, &after)
        );
    });
}
