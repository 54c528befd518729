//! ARP rule → expressions, in `nft_arp_add`'s order: interfaces, hardware
//! type, protocol type, hardware length, the implicit protocol length 4,
//! opcode, sender MAC, sender IP, target MAC, target IP, counter, target.

use super::rule::{ArpRule, ArpVerdict, Field16};
use crate::data::VerdictCode;
use crate::expr::meta::MetaKey;
use crate::expr::payload::PayloadBase;
use crate::expr::{xt, Expr};
use crate::iptables::encode::{add_iface, add_masked, inv_op, Sink, Writer};

/// `sizeof(struct arphdr)`: where the addresses start.
pub const ARPHDR_LEN: u32 = 8;

fn field16(out: &mut Vec<Expr>, off: u32, f: Field16, inv: bool, always: bool) {
    if !(always || f.val != 0 || f.mask != 0xffff || inv) {
        return;
    }
    out.payload(PayloadBase::Network, off, 2);
    if f.mask != 0xffff {
        out.bitwise(&f.mask.to_be_bytes());
    }
    out.cmp(inv_op(inv), &f.val.to_be_bytes());
}

/// The expressions arptables-nft 1.8.11 writes for `r`.
pub fn encode(r: &ArpRule) -> Vec<Expr> {
    let mut out: Vec<Expr> = Vec::with_capacity(16);
    if !r.iniface.name.is_empty() {
        add_iface(&mut out, MetaKey::IifName, &r.iniface, Writer::V1_8_11);
    }
    if !r.outiface.name.is_empty() {
        add_iface(&mut out, MetaKey::OifName, &r.outiface, Writer::V1_8_11);
    }
    field16(&mut out, 0, r.htype, r.inv.htype, false);
    field16(&mut out, 2, r.ptype, r.inv.ptype, false);
    let (hln, hln_mask) = r.hlen;
    if hln != 0 || hln_mask != 255 || r.inv.hlen {
        out.payload(PayloadBase::Network, 4, 1);
        if hln_mask != 255 {
            out.bitwise(&[hln_mask]);
        }
        out.cmp(inv_op(r.inv.hlen), &[hln]);
    }
    out.payload(PayloadBase::Network, 5, 1);
    out.cmp(inv_op(false), &[4]);
    field16(&mut out, 6, r.op, r.inv.op, false);
    let hl = u32::from(hln);
    let n = (hl as usize).min(6);
    if r.src_mac.is_set() {
        let m = &r.src_mac;
        add_masked(
            &mut out,
            PayloadBase::Network,
            ARPHDR_LEN,
            &m.addr[..n],
            &m.mask[..n],
            r.inv.src_mac,
        );
    }
    if r.src.addr != [0; 4] || r.src.mask != [0; 4] || r.inv.src {
        add_masked(
            &mut out,
            PayloadBase::Network,
            ARPHDR_LEN + hl,
            &r.src.addr,
            &r.src.mask,
            r.inv.src,
        );
    }
    if r.dst_mac.is_set() {
        let m = &r.dst_mac;
        add_masked(
            &mut out,
            PayloadBase::Network,
            ARPHDR_LEN + hl + 4,
            &m.addr[..n],
            &m.mask[..n],
            r.inv.dst_mac,
        );
    }
    if r.dst.addr != [0; 4] || r.dst.mask != [0; 4] || r.inv.dst {
        add_masked(
            &mut out,
            PayloadBase::Network,
            ARPHDR_LEN + 2 * hl + 4,
            &r.dst.addr,
            &r.dst.mask,
            r.inv.dst,
        );
    }
    out.counter(r.packets, r.bytes);
    match &r.verdict {
        ArpVerdict::None => {}
        ArpVerdict::Accept => out.verdict(VerdictCode::Accept, None),
        ArpVerdict::Drop => out.verdict(VerdictCode::Drop, None),
        ArpVerdict::Return => out.verdict(VerdictCode::Return, None),
        ArpVerdict::Jump(c) => out.verdict(VerdictCode::Jump, Some(c)),
        ArpVerdict::Target(t) => out.push(Expr::Target(xt::Target {
            name: Some(t.name().to_string()),
            rev: Some(t.revision()),
            info: Some(t.to_info().into()),
            ..Default::default()
        })),
    }
    out
}
