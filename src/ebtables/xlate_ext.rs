//! The translations of ebtables' extensions, watchers and targets, as
//! ebtables-nft 1.8.11's `libebt_*` print them; false for those without
//! one (`stp`, `among`, `802_3`, `arp`, `arpreply`).

use super::ext::{Ext, Ip, Ip6, MarkTarget, NatKind, NatTarget};
use crate::iptables::addr::{mask_suffix, v4_str};
use crate::iptables::family::Family;
use crate::iptables::num;
use crate::iptables::xlate::Xlate;

/// A verdict number of an ebtables target (`EBT_ACCEPT` ... `EBT_RETURN`).
fn verdict(v: i32) -> &'static str {
    match v {
        -1 => "accept",
        -2 => "drop",
        -3 => "continue",
        -4 => "return",
        _ => "",
    }
}

/// `ether_ntoa`: hex bytes without leading zeros.
fn ether_ntoa(m: &[u8; 6]) -> String {
    format!(
        "{:x}:{:x}:{:x}:{:x}:{:x}:{:x}",
        m[0], m[1], m[2], m[3], m[4], m[5]
    )
}

/// The transport protocols whose port tests nft names (`tcp dport`).
fn th_name(p: u8) -> Option<&'static str> {
    match p {
        6 => Some("tcp"),
        17 => Some("udp"),
        136 => Some("udplite"),
        132 => Some("sctp"),
        33 => Some("dccp"),
        _ => None,
    }
}

fn range_u16(r: [u16; 2]) -> String {
    if r[0] == r[1] {
        format!("{} ", r[0])
    } else {
        format!("{}-{} ", r[0], r[1])
    }
}

fn range_u8(r: [u8; 2]) -> String {
    if r[0] == r[1] {
        format!("{} ", r[0])
    } else {
        format!("{}-{} ", r[0], r[1])
    }
}

/// Port tests (`tcp dport 22`, or `@th,16,16` without a known protocol).
fn ports(x: &mut Xlate, bits: u8, inv: u8, sport: [u16; 2], dport: [u16; 2], pname: Option<&str>) {
    for (bit, what, raw, r) in [
        (0x10u8, "sport", "@th,0,16 ", sport),
        (0x20, "dport", "@th,16,16 ", dport),
    ] {
        if bits & bit == 0 {
            continue;
        }
        match pname {
            Some(p) => x.add(&format!("{p} {what} ")),
            None => x.add(raw),
        }
        if inv & bit != 0 {
            x.add("!= ");
        }
        x.add(&range_u16(r));
    }
}

/// `--proto`'s protocol: implicit in the port test when one is given and
/// not inverted, else `ip protocol`/`meta l4proto`.
fn proto(x: &mut Xlate, sel: &str, p: u8, inv: bool, implied: bool) -> Option<&'static str> {
    if implied && !inv {
        return th_name(p);
    }
    x.add(&format!("{sel} "));
    if inv {
        x.add("!= ");
    }
    match num::proto_by_number(p) {
        Some(n) => x.add(&format!("{n} ")),
        None => x.add(&format!("{p} ")),
    }
    None
}

fn ip(x: &mut Xlate, i: &Ip) {
    let (b, inv) = (i.bitmask, i.invflags);
    for (bit, sel, a, m) in [
        (0x01u8, "ip saddr ", i.saddr, i.smsk),
        (0x02, "ip daddr ", i.daddr, i.dmsk),
    ] {
        if b & bit != 0 {
            x.add(sel);
            if inv & bit != 0 {
                x.add("!= ");
            }
            x.add(&format!("{}{} ", v4_str(&a), mask_suffix(Family::V4, &m)));
        }
    }
    let skip_dep = b & 0x03 != 0 || b & 0x40 != 0 || (b & 0x08 != 0 && b & 0x70 == 0);
    if !skip_dep {
        x.add("ether type ip ");
    }
    if b & 0x04 != 0 {
        x.add("@nh,8,8 ");
        if inv & 0x04 != 0 {
            x.add("!= ");
        }
        x.add(&format!("0x{:02x} ", i.tos));
    }
    let mut pname = None;
    if b & 0x08 != 0 {
        pname = proto(x, "ip protocol", i.proto, inv & 0x08 != 0, b & 0x70 != 0);
    }
    ports(x, b, inv, i.sport, i.dport, pname);
    let (ty, code) = (i.sport[0].to_ne_bytes(), i.dport[0].to_ne_bytes());
    if b & 0x40 != 0 {
        x.add("icmp type ");
        if inv & 0x40 != 0 {
            x.add("!= ");
        }
        x.add(&range_u8(ty));
        if code != [0, 0xff] {
            x.add("icmp code ");
            if inv & 0x40 != 0 {
                x.add("!= ");
            }
            x.add(&range_u8(code));
        }
    }
    if b & 0x80 != 0 {
        x.add("@th,0,8 ");
        if inv & 0x80 != 0 {
            x.add("!= ");
        }
        x.add(&range_u8(ty));
    }
}

fn ip6(x: &mut Xlate, i: &Ip6) {
    let (b, inv) = (i.bitmask, i.invflags);
    // source 0x01, destination 0x02, tclass 0x04, proto 0x08, ports
    // 0x10/0x20, icmpv6 0x40
    if b & (0x01 | 0x02 | 0x40 | 0x04) == 0 {
        x.add("ether type ip6 ");
    }
    for (bit, sel, a, m) in [
        (0x01u8, "ip6 saddr ", i.saddr, i.smsk),
        (0x02, "ip6 daddr ", i.daddr, i.dmsk),
    ] {
        if b & bit != 0 {
            x.add(sel);
            if inv & bit != 0 {
                x.add("!= ");
            }
            x.add(&format!(
                "{}{} ",
                crate::iptables::addr::v6_str(&a),
                mask_suffix(Family::V6, &m)
            ));
        }
    }
    if b & 0x04 != 0 {
        x.add("ip6 dscp ");
        if inv & 0x04 != 0 {
            x.add("!= ");
        }
        x.add(&format!("0x{:02x} ", i.tclass & 0x3f));
    }
    let mut pname = None;
    if b & 0x08 != 0 {
        pname = proto(x, "meta l4proto", i.proto, inv & 0x08 != 0, b & 0x70 != 0);
    }
    ports(x, b, inv, i.sport, i.dport, pname);
    if b & 0x40 != 0 {
        let (ty, code) = (i.sport[0].to_ne_bytes(), i.dport[0].to_ne_bytes());
        x.add("icmpv6 type ");
        if inv & 0x40 != 0 {
            x.add("!= ");
        }
        x.add(&range_u8(ty));
        if code != [0, 0xff] {
            x.add("icmpv6 code ");
            if inv & 0x40 != 0 {
                x.add("!= ");
            }
            x.add(&range_u8(code));
        }
    }
}

/// One match or watcher.
pub fn ext(x: &mut Xlate, e: &Ext) -> bool {
    match e {
        Ext::Ip(i) => ip(x, i),
        Ext::Ip6(i) => ip6(x, i),
        Ext::Limit { avg, burst } => {
            let l = crate::iptables::match_::limit::Limit {
                avg: *avg,
                burst: *burst,
            };
            let cx = crate::iptables::xlate::XlCtx {
                family: Family::V4,
                proto: 0,
                proto_inv: false,
                numeric: false,
            };
            crate::iptables::ext::XtExt::xlate(&l, x, &cx);
            x.add(" ");
        }
        Ext::Vlan {
            id,
            prio,
            encap,
            bitmask,
            invflags,
        } => {
            let neq = |b: u8| if invflags & b != 0 { "!= " } else { "" };
            if bitmask & 1 != 0 {
                x.add(&format!("vlan id {}{id} ", neq(1)));
            }
            if bitmask & 2 != 0 {
                x.add(&format!("vlan pcp {}{prio} ", neq(2)));
            }
            if bitmask & 4 != 0 {
                x.add(&format!("vlan type {}0x{encap:04x} ", neq(4)));
            }
        }
        Ext::MarkM {
            mark,
            mask,
            invert,
            bitmask,
        } => {
            let (mark, mask) = (*mark as u32, *mask as u32);
            x.add("meta mark ");
            if *bitmask == 2 {
                x.add(&format!(
                    "and 0x{mask:x} {}0 ",
                    if *invert { "" } else { "!= " }
                ));
            } else if mask != u32::MAX {
                x.add(&format!(
                    "and 0x{mask:x} {}0x{mark:x} ",
                    if *invert { "!= " } else { "" }
                ));
            } else {
                x.add(&format!("{}0x{mark:x} ", if *invert { "!= " } else { "" }));
            }
        }
        Ext::Pkttype { ty, invert } => {
            x.add(&format!(
                "meta pkttype {}",
                if *invert { "!= " } else { "" }
            ));
            match ty {
                0 => x.add("host "),
                1 => x.add("broadcast "),
                2 => x.add("multicast "),
                3 => x.add("other "),
                n => x.add(&format!("{n} ")),
            }
        }
        Ext::Log { level, prefix, .. } => {
            const LEVELS: [&str; 8] = [
                "emerg", "alert", "crit", "error", "warning", "notice", "info", "debug",
            ];
            x.add("log");
            if !prefix.is_empty() {
                x.add(&format!(" prefix \"{prefix}\""));
            }
            if *level != 6 {
                x.add(&format!(
                    " level {}",
                    LEVELS.get(*level as usize).copied().unwrap_or("(null)")
                ));
            }
            x.add(" flags ether ");
        }
        Ext::Nflog {
            len,
            group,
            threshold,
            prefix,
        } => {
            x.add("log ");
            if !prefix.is_empty() {
                x.add(&format!("prefix \"{prefix}\" "));
            }
            x.add(&format!("group {group} "));
            if *len != 0 {
                x.add(&format!("snaplen {len} "));
            }
            if *threshold != 1 {
                x.add(&format!("queue-threshold {threshold} "));
            }
        }
        _ => return false,
    }
    true
}

/// `-j mark`.
pub fn mark_target(x: &mut Xlate, m: &MarkTarget) -> bool {
    let op = m.target & !0xf;
    x.add("meta mark set ");
    match op as u32 {
        0xffff_fff0 => {}
        0xffff_ffe0 => x.add("meta mark or "),
        0xffff_ffc0 => x.add("meta mark xor "),
        0xffff_ffd0 => x.add("meta mark and "),
        _ => return false,
    }
    x.add(&format!("0x{:x} {} ", m.mark, verdict(m.target | !0xf)));
    true
}

/// `-j snat|dnat|redirect`.
pub fn nat_target(x: &mut Xlate, n: &NatTarget) -> bool {
    match n.kind {
        NatKind::Snat => {
            x.add(&format!("ether saddr set {} ", ether_ntoa(&n.mac)));
            if n.target & 0x10 == 0 {
                return false;
            }
            x.add(&format!("{} ", verdict(n.target | !0xf)));
        }
        NatKind::Dnat => {
            x.add(&format!(
                "ether daddr set {} {} ",
                ether_ntoa(&n.mac),
                verdict(n.target)
            ));
        }
        NatKind::Redirect => {
            x.add("meta pkttype set host");
            if n.target != -3 {
                x.add(&format!(" {} ", verdict(n.target)));
            }
        }
        NatKind::ArpReply => return false,
    }
    true
}
