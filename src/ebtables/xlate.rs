//! `ebtables-translate`: an ebtables rule as the nft text ebtables-nft
//! 1.8.11 prints for it (`nft_bridge_xlate`): interfaces, bridge ports,
//! the Ethernet type, the MAC addresses, the extensions in order, `counter`
//! and the verdict. `None` when a part of the rule has no translation.

use super::ext::{Ext, Mac};
use super::rule::{EbtRule, EbtVerdict, Proto};
use crate::iptables::xlate::{ifname, Xlate};

/// `aa:bb:cc:dd:ee:ff`.
pub fn mac_text(m: &[u8; 6]) -> String {
    format!(
        "{:02x}:{:02x}:{:02x}:{:02x}:{:02x}:{:02x}",
        m[0], m[1], m[2], m[3], m[4], m[5]
    )
}

fn mac(x: &mut Xlate, what: &str, inv: bool, m: &Mac) {
    let op = if inv { "!= " } else { "" };
    x.add(&format!("ether {what} {op}"));
    if m.mask != [0xff; 6] {
        x.add("and");
        x.add(&mac_text(&m.mask));
        let mut masked = m.addr;
        for (b, k) in masked.iter_mut().zip(m.mask) {
            *b &= k;
        }
        x.add(&format!(" == {}", mac_text(&masked)));
    } else {
        x.add(&mac_text(&m.addr));
    }
}

/// The name of the extension a rule's `-p` may be implied by.
fn ext_name(e: &Ext) -> &'static str {
    match e {
        Ext::Ip(_) => "ip",
        Ext::Ip6(_) => "ip6",
        Ext::Vlan { .. } => "vlan",
        _ => "",
    }
}

/// The translation of `r`'s rule text (after `add rule bridge T C `).
pub fn rule(r: &EbtRule) -> Option<Xlate> {
    let mut x = Xlate::new();
    ifname(&mut x, "iifname", &r.iniface.name, r.iniface.inv);
    ifname(&mut x, "meta ibrname", &r.logical_in.name, r.logical_in.inv);
    ifname(&mut x, "oifname", &r.outiface.name, r.outiface.inv);
    ifname(
        &mut x,
        "meta obrname",
        &r.logical_out.name,
        r.logical_out.inv,
    );
    match r.proto {
        Some(Proto::Length) => {
            let op = if r.proto_inv { ">=" } else { "<" };
            x.add(&format!("ether type {op} 0x0600 "));
        }
        Some(Proto::Type(t)) => {
            let implicit = match t {
                0x0800 => "ip",
                0x86dd => "ip6",
                0x8100 => "vlan",
                _ => "",
            };
            if implicit.is_empty() || !r.exts.iter().any(|e| ext_name(e) == implicit) {
                let op = if r.proto_inv { "!= " } else { "" };
                x.add(&format!("ether type {op}0x{t:x} "));
            }
        }
        None => {}
    }
    if let Some(m) = &r.src {
        mac(&mut x, "saddr", r.src_inv, m);
    }
    if let Some(m) = &r.dst {
        mac(&mut x, "daddr", r.dst_inv, m);
    }
    for e in &r.exts {
        if !super::xlate_ext::ext(&mut x, e) {
            return None;
        }
    }
    x.add("counter");
    match &r.verdict {
        EbtVerdict::Continue => {}
        EbtVerdict::Accept => x.add(" accept"),
        EbtVerdict::Drop => x.add(" drop"),
        EbtVerdict::Return => x.add(" return"),
        EbtVerdict::Jump(c) => x.add(&format!(" jump {c}")),
        EbtVerdict::Mark(m) => {
            if !super::xlate_ext::mark_target(&mut x, m) {
                return None;
            }
        }
        EbtVerdict::Nat(n) => {
            if !super::xlate_ext::nat_target(&mut x, n) {
                return None;
            }
        }
    }
    Some(x)
}
