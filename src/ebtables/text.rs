//! The text of an ebtables rule (`__nft_bridge_save_rule`), shared by
//! `-L` (with `--Ln`/`--Lc`), `-S` and `ebtables-save`.

use super::ethertypes;
use super::ext::{mac_and_mask_text, Mac};
use super::rule::{EbtRule, EbtVerdict, Proto};
use crate::iptables::rule::Iface;

/// How counters are shown.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Counters {
    /// Not at all.
    None,
    /// `-L --Lc`: ` , pcnt = P -- bcnt = B`.
    List,
    /// `ebtables-save` with `EBTABLES_SAVE_COUNTER=yes`: ` -c P B`.
    Save,
    /// `ebtables-save -c`: `[P:B] ` before the rule (printed by the
    /// caller).
    Prefix,
}

/// `ebt_print_mac_and_mask`: the well-known names first.
fn mac(m: &Mac) -> String {
    let known: [(&str, [u8; 6], [u8; 6]); 4] = [
        ("Unicast", [0; 6], [1, 0, 0, 0, 0, 0]),
        ("Multicast", [1, 0, 0, 0, 0, 0], [1, 0, 0, 0, 0, 0]),
        ("Broadcast", [0xff; 6], [0xff; 6]),
        ("BGA", [1, 0x80, 0xc2, 0, 0, 0], [0xff; 6]),
    ];
    for (n, a, k) in known {
        if m.addr == a && m.mask == k {
            return n.to_string();
        }
    }
    mac_and_mask_text(m)
}

fn iface(opt: &str, i: &Iface, out: &mut String) {
    if !i.name.is_empty() && (i.name != "+" || i.inv) {
        let bang = if i.inv { "! " } else { "" };
        out.push_str(&format!("{bang}{opt} {} ", i.name));
    }
}

/// The rule body (no chain, no newline).
pub fn body(r: &EbtRule, counters: Counters, out: &mut String) {
    let bang = |b: bool| if b { "! " } else { "" };
    if let Some(p) = r.proto {
        out.push_str(&format!("{}-p ", bang(r.proto_inv)));
        match p {
            Proto::Length => out.push_str("Length "),
            Proto::Type(t) => match ethertypes::by_number(t) {
                Some(n) => out.push_str(&format!("{n} ")),
                None => out.push_str(&format!("0x{t:x} ")),
            },
        }
    }
    if let Some(m) = &r.src {
        out.push_str(&format!("{}-s {} ", bang(r.src_inv), mac(m)));
    }
    if let Some(m) = &r.dst {
        out.push_str(&format!("{}-d {} ", bang(r.dst_inv), mac(m)));
    }
    iface("-i", &r.iniface, out);
    iface("--logical-in", &r.logical_in, out);
    iface("-o", &r.outiface, out);
    iface("--logical-out", &r.logical_out, out);
    for e in &r.exts {
        e.write(out);
    }
    out.push_str("-j ");
    out.push_str(r.verdict.label());
    match &r.verdict {
        EbtVerdict::Mark(m) => {
            out.push(' ');
            m.write(out);
        }
        EbtVerdict::Nat(n) => {
            out.push(' ');
            n.write(out);
        }
        _ => {}
    }
    match counters {
        Counters::None | Counters::Prefix => {}
        Counters::List => out.push_str(&format!(" , pcnt = {} -- bcnt = {}", r.packets, r.bytes)),
        Counters::Save => out.push_str(&format!(" -c {} {}", r.packets, r.bytes)),
    }
}
