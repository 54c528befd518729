//! The text forms of an ARP rule: `nft_arp_print_rule_details` (shared by
//! `-L`, `-S` and save), the `-L` line with counters, and the save line.

use super::rule::{ArpRule, ArpVerdict, MacMask};
use super::target::mac_text;
use crate::iptables::addr::{mask_suffix, to_anyname, v4_str};
use crate::iptables::rule::Iface;
use crate::iptables::text::print_num;
use crate::iptables::Family;

/// `arp_opcodes`.
pub const OPCODES: [&str; 9] = [
    "Request",
    "Reply",
    "Request_Reverse",
    "Reply_Reverse",
    "DRARP_Request",
    "DRARP_Reply",
    "DRARP_Error",
    "InARP_Request",
    "ARP_NAK",
];

/// Output options.
#[derive(Clone, Copy, Debug, Default)]
pub struct Fmt {
    /// `-n` (and every save form).
    pub numeric: bool,
    /// `FMT_VIA`: `-i`/`-o` printed even when any (`-v`).
    pub via: bool,
}

fn iface(letter: char, i: &Iface, f: Fmt, sep: &mut &'static str, out: &mut String) {
    let name = if i.name.is_empty() || (i.name == "+" && !i.inv) {
        if !f.via {
            return;
        }
        if f.numeric {
            "*"
        } else {
            "any"
        }
    } else {
        i.name.as_str()
    };
    let bang = if i.inv { "! " } else { "" };
    out.push_str(&format!("{sep}{bang}-{letter} {name}"));
    *sep = " ";
}

/// Whether arptables-nft's parser sees a hardware address test: it reads
/// only 6-byte compares, so an address whose mask is a shorter prefix is
/// silently not listed (as 1.8.11 does).
fn mac_listed(m: &MacMask) -> bool {
    if !m.is_set() {
        return false;
    }
    let prefix = m.mask.iter().take_while(|&&b| b == 0xff).count();
    prefix == 6 || m.mask[prefix..].iter().any(|&b| b != 0)
}

fn mac(tag: &str, m: &MacMask, inv: bool, sep: &mut &'static str, out: &mut String) {
    if !mac_listed(m) {
        return;
    }
    let bang = if inv { "! " } else { "" };
    out.push_str(&format!("{sep}{bang}--{tag} {}", mac_text(&m.addr)));
    if m.mask != [0xff; 6] {
        out.push('/');
        out.push_str(&mac_text(&m.mask));
    }
    *sep = " ";
}

fn ip(
    letter: char,
    a: &[u8; 4],
    m: &[u8; 4],
    inv: bool,
    f: Fmt,
    sep: &mut &'static str,
    out: &mut String,
) {
    if *m == [0; 4] {
        return;
    }
    let bang = if inv { "! " } else { "" };
    let host = if f.numeric {
        v4_str(a)
    } else {
        to_anyname(Family::V4, a)
    };
    out.push_str(&format!(
        "{sep}{bang}-{letter} {host}{}",
        mask_suffix(Family::V4, m)
    ));
    *sep = " ";
}

/// `nft_arp_print_rule_details`: `-j TARGET` first, then the tests.
pub fn details(r: &ArpRule, f: Fmt, out: &mut String) {
    let mut sep: &'static str = "";
    let label = r.verdict.label();
    if !label.is_empty() {
        out.push_str(&format!("-j {label}"));
        sep = " ";
    }
    iface('i', &r.iniface, f, &mut sep, out);
    iface('o', &r.outiface, f, &mut sep, out);
    ip('s', &r.src.addr, &r.src.mask, r.inv.src, f, &mut sep, out);
    mac("src-mac", &r.src_mac, r.inv.src_mac, &mut sep, out);
    ip('d', &r.dst.addr, &r.dst.mask, r.inv.dst, f, &mut sep, out);
    mac("dst-mac", &r.dst_mac, r.inv.dst_mac, &mut sep, out);
    let bang = |b: bool| if b { "! " } else { "" };
    if r.hlen.1 != 255 || r.hlen.0 != 6 || r.inv.hlen {
        out.push_str(&format!("{sep}{}--h-length {}", bang(r.inv.hlen), r.hlen.0));
        if r.hlen.1 != 255 {
            out.push_str(&format!("/{}", r.hlen.1));
        }
        sep = " ";
    }
    if r.op.mask != 0xffff || r.op.val != 0 || r.inv.op {
        out.push_str(&format!("{sep}{}", bang(r.inv.op)));
        let v = r.op.val as usize;
        match OPCODES.get(v.wrapping_sub(1)) {
            Some(n) if !f.numeric => out.push_str(&format!("--opcode {n}")),
            // 1.8.11 reads past its table for 0; only 1..=9 have names.
            _ => out.push_str(&format!("--opcode {v}")),
        }
        if r.op.mask != 0xffff {
            out.push_str(&format!("/{}", r.op.mask));
        }
        sep = " ";
    }
    if r.htype.mask != 0xffff || r.htype.val != 1 || r.inv.htype {
        out.push_str(&format!("{sep}{}", bang(r.inv.htype)));
        if r.htype.val == 1 && !f.numeric {
            out.push_str("--h-type Ethernet");
        } else {
            out.push_str(&format!("--h-type 0x{:x}", r.htype.val));
        }
        if r.htype.mask != 0xffff {
            out.push_str(&format!("/0x{:x}", r.htype.mask));
        }
        sep = " ";
    }
    if r.ptype.mask != 0xffff || r.ptype.val != 0 || r.inv.ptype {
        out.push_str(&format!("{sep}{}", bang(r.inv.ptype)));
        if r.ptype.val == 0x800 && !f.numeric {
            out.push_str("--proto-type IPv4");
        } else {
            out.push_str(&format!("--proto-type 0x{:x}", r.ptype.val));
        }
        if r.ptype.mask != 0xffff {
            out.push_str(&format!("/0x{:x}", r.ptype.mask));
        }
    }
}

/// The rule as `-S` and `arptables-save` print it after `-A CHAIN`
/// (starting with a space, no newline).
pub fn save_body(r: &ArpRule, out: &mut String) {
    out.push(' ');
    details(
        r,
        Fmt {
            numeric: true,
            via: false,
        },
        out,
    );
    if let ArpVerdict::Target(t) = &r.verdict {
        t.write(false, out);
    }
}

/// `nft_arp_print_rule`: one `-L` line (with `counters` the `-v` form).
pub fn list_line(r: &ArpRule, num: Option<usize>, f: Fmt, counters: bool, out: &mut String) {
    if let Some(n) = num {
        out.push_str(&format!("{n} "));
    }
    details(r, f, out);
    if let ArpVerdict::Target(t) = &r.verdict {
        t.write(f.numeric, out);
    }
    if counters {
        out.push_str(" , pcnt=");
        print_num(r.packets, false, true, out);
        out.push_str("-- bcnt=");
        print_num(r.bytes, false, true, out);
    }
    out.push('\n');
}
