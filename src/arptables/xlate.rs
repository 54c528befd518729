//! `arptables-translate`: an arptables rule as the nft text arptables-nft
//! 1.8.11 prints for it (`nft_arp_xlate`): interfaces, the ARP header
//! tests (hardware type and length always, `arp plen 4` added as
//! arptables-nft does), addresses, `counter` and the target.

use super::rule::{ArpRule, ArpVerdict, Field16, MacMask};
use super::target::ArpTarget;
use crate::iptables::xlate::{ifname, Xlate};
use std::net::Ipv4Addr;

fn mac_text(m: &[u8; 6]) -> String {
    format!(
        "{:02x}:{:02x}:{:02x}:{:02x}:{:02x}:{:02x}",
        m[0], m[1], m[2], m[3], m[4], m[5]
    )
}

fn field16(x: &mut Xlate, f: Field16, what: &str, hex: bool, inv: bool) {
    if f.mask == 0 {
        return;
    }
    let fmt = |v: u16| {
        if hex {
            format!("0x{v:x} ")
        } else {
            format!("{v} ")
        }
    };
    x.add(&format!("arp {what} "));
    if inv {
        x.add(" !=");
    }
    if f.mask != 0xffff {
        x.add("& ");
        x.add(&fmt(f.mask));
    }
    x.add(&fmt(f.val));
}

fn ipv4(x: &mut Xlate, what: &str, addr: [u8; 4], mask: [u8; 4], inv: bool) {
    if !inv && addr == [0; 4] && mask == [0; 4] {
        return;
    }
    let a = Ipv4Addr::from(addr);
    let op = if inv { "!= " } else { "" };
    let m = u32::from_be_bytes(mask);
    let cidr = m.leading_ones();
    if m.checked_shl(cidr).unwrap_or(0) != 0 {
        let cmp = if inv { "!=" } else { "==" };
        x.add(&format!(
            "arp {what} ip & {} {cmp} {a} ",
            Ipv4Addr::from(mask)
        ));
    } else if cidr == 32 {
        x.add(&format!("arp {what} ip {op}{a} "));
    } else {
        x.add(&format!("arp {what} ip {op}{a}/{cidr} "));
    }
}

fn devaddr(x: &mut Xlate, m: &MacMask, what: &str, inv: bool) {
    if m.mask == [0; 6] {
        return;
    }
    x.add(&format!("arp {what} ether "));
    if inv {
        x.add("!= ");
    }
    x.add(&mac_text(&m.addr));
    if m.mask != [0xff; 6] {
        x.add(&format!("/{}", mac_text(&m.mask)));
    }
}

/// A target extension's text; false when it has none.
fn target(x: &mut Xlate, t: &ArpTarget) -> bool {
    match t {
        ArpTarget::Mangle(m) => {
            if m.flags & 0x04 != 0 {
                x.add(&format!("arp saddr ip set {} ", Ipv4Addr::from(m.src_ip)));
            }
            if m.flags & 0x01 != 0 {
                x.add("arp saddr ether set ");
                x.add(&mac_text(&m.src_mac));
            }
            if m.flags & 0x08 != 0 {
                x.add(&format!("arp daddr ip set {} ", Ipv4Addr::from(m.dst_ip)));
            }
            if m.flags & 0x02 != 0 {
                x.add("arp daddr ether set ");
                x.add(&mac_text(&m.dst_mac));
            }
            match m.verdict {
                1 => x.add("accept"),
                0 => x.add("drop"),
                _ => {}
            }
            true
        }
        ArpTarget::Mark { mark, mask } => {
            let (mark, mask) = (*mark, *mask);
            x.add("meta mark set ");
            if mask == 0xffff_ffff {
                x.add(&format!("0x{mark:x} "));
            } else if mark == 0 {
                x.add(&format!("mark and 0x{:x} ", !mask));
            } else if mark == mask {
                x.add(&format!("mark or 0x{mark:x} "));
            } else if mask == 0 {
                x.add(&format!("mark xor 0x{mark:x} "));
            } else {
                x.add(&format!("mark and 0x{:x} xor 0x{mark:x} ", !mask));
            }
            true
        }
        ArpTarget::Classify(p) => {
            crate::iptables::xlate::classify(x, *p);
            true
        }
    }
}

/// The translation of `r`'s rule text, or `None` without one.
pub fn rule(r: &ArpRule) -> Option<Xlate> {
    let mut x = Xlate::new();
    ifname(&mut x, "iifname", &r.iniface.name, r.iniface.inv);
    ifname(&mut x, "oifname", &r.outiface.name, r.outiface.inv);
    if r.htype.val != 0 || r.htype.mask != 0xffff || r.inv.htype {
        field16(&mut x, r.htype, "htype", false, r.inv.htype);
    }
    let (hl, hm) = r.hlen;
    if hm != 255 || hl != 0 || r.inv.hlen {
        x.add("arp hlen ");
        if r.inv.hlen {
            x.add(" !=");
        }
        if hm != 255 {
            x.add(&format!("& {hm} "));
        }
        x.add(&format!("{hl} "));
    }
    x.add("arp plen 4");
    if r.op.mask != 0xffff || r.op.val != 0 || r.inv.op {
        field16(&mut x, r.op, "operation", false, r.inv.op);
    }
    if r.ptype.mask != 0xffff || r.inv.ptype || r.ptype.val != 0 {
        field16(&mut x, r.ptype, "ptype", true, r.inv.ptype);
    }
    if r.src.mask != [0; 4] {
        ipv4(&mut x, "saddr", r.src.addr, r.src.mask, r.inv.src);
    }
    if r.dst.mask != [0; 4] {
        ipv4(&mut x, "daddr", r.dst.addr, r.dst.mask, r.inv.dst);
    }
    devaddr(&mut x, &r.src_mac, "saddr", r.inv.src_mac);
    devaddr(&mut x, &r.dst_mac, "daddr", r.inv.dst_mac);
    x.add("counter");
    match &r.verdict {
        ArpVerdict::None => {}
        ArpVerdict::Accept => x.add(" accept"),
        ArpVerdict::Drop => x.add(" drop"),
        ArpVerdict::Return => x.add(" return"),
        ArpVerdict::Jump(c) => x.add(&format!(" jump {c}")),
        ArpVerdict::Target(t) => {
            if !target(&mut x, t) {
                return None;
            }
        }
    }
    Some(x)
}
