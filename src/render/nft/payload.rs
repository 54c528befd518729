//! Payload expressions: raw loads, completion against the protocol context,
//! trimming by a mask, splitting merged loads, and protocol context updates
//! (nft's `payload.c`).

use super::dtype::{Bo, Dt};
use super::expr::{export_u64, flags, Expr, Kind, Payload, BASE_LL, BASE_TRANSPORT};
use super::num::Num;
use super::proto::{icmp_dep_to_type, ProtoCtx, ProtoId};

/// `payload_init_raw` on a fresh payload expression.
pub fn raw(base: u8, offset: u32, len: u32) -> Expr {
    let mut p = Payload {
        base,
        offset,
        desc: None,
        tmpl: None,
        is_raw: false,
    };
    let mut dt = Dt::XInteger;
    if base == BASE_TRANSPORT && len == 16 && (offset == 0 || offset == 16) {
        p.desc = Some(ProtoId::Th);
        p.tmpl = Some(if offset == 0 { 1 } else { 2 });
        dt = Dt::InetService;
    }
    Expr::new(Kind::Payload(p), dt, Bo::Invalid, len)
}

/// `payload_expr_alloc(desc, type)`.
pub fn alloc(desc: ProtoId, i: usize) -> Expr {
    let t = desc.tmpl(i);
    let mut e = Expr::new(
        Kind::Payload(Payload {
            base: desc.desc().base,
            offset: t.offset,
            desc: Some(desc),
            tmpl: Some(i),
            is_raw: false,
        }),
        t.dt,
        t.bo,
        t.len,
    );
    if desc.key_is_protocol(i) {
        e.flags |= flags::PROTOCOL;
    }
    e
}

/// The payload part of an expression.
pub fn pl(e: &Expr) -> Option<&Payload> {
    match &e.kind {
        Kind::Payload(p) => Some(p),
        _ => None,
    }
}

fn pl_mut(e: &mut Expr) -> Option<&mut Payload> {
    match &mut e.kind {
        Kind::Payload(p) => Some(p),
        _ => None,
    }
}

/// `payload_is_known`.
pub fn is_known(e: &Expr) -> bool {
    matches!(pl(e), Some(p) if p.desc.is_some() && p.tmpl.is_some())
}

/// `get_stacked_desc`: the link layer header an offset falls into.
fn stacked_desc(ctx: &ProtoCtx, top: ProtoId, p: &Payload) -> (ProtoId, u32) {
    if p.base != BASE_LL || p.offset < top.desc().length {
        return (top, 0);
    }
    let mut off = p.offset;
    let mut total = 0;
    for &s in &ctx.stacked_ll {
        let l = s.desc().length;
        if off < l {
            return (s, total);
        }
        off -= l;
        total += l;
    }
    (top, total)
}

/// `payload_expr_complete`: find the header field this raw load is.
pub fn complete(e: &mut Expr, ctx: &ProtoCtx) {
    let len = e.len;
    let Some(p) = pl(e) else { return };
    let Some(desc) = ctx.desc(p.base) else { return };
    if desc == ProtoId::Inet || desc.desc().base != p.base {
        return;
    }
    let (desc, total) = stacked_desc(ctx, desc, p);
    let off = p.offset.wrapping_sub(total);
    for i in 0..desc.ntmpl() {
        let t = desc.tmpl(i);
        if t.offset != off || t.len != len {
            continue;
        }
        if t.meta_key != 0 && i == 0 {
            continue;
        }
        if t.icmp_dep != 0 && ctx.icmp_type != 0 && ctx.icmp_type != icmp_dep_to_type(t.icmp_dep) {
            continue;
        }
        e.dt = t.dt;
        if let Some(p) = pl_mut(e) {
            p.desc = Some(desc);
            p.tmpl = Some(i);
        }
        return;
    }
}

fn mask_offset(mask: &Num) -> u32 {
    mask.scan1(0).unwrap_or(0)
}

fn mask_length(mask: &Num) -> u32 {
    mask.scan0(mask_offset(mask) + 1)
}

/// `payload_expr_trim`: if a field matches the masked part of the load,
/// narrow the load to it and return the shift for the constant.
pub fn trim(e: &mut Expr, mask: &Expr, ctx: &ProtoCtx) -> Option<u32> {
    let m = mask.num().copied().unwrap_or(Num::ZERO);
    let moff = mask_offset(&m);
    let mlen = mask_length(&m);
    let p = pl(e)?;
    let desc = ctx.desc(p.base)?;
    if desc.desc().base != p.base {
        return None;
    }
    let (desc, total) = stacked_desc(ctx, desc, p);
    let mut poff = p.offset.wrapping_sub(total);
    let off = mask.len.div_ceil(8) * 8 - mlen;
    poff = poff.wrapping_add(off);
    let mut plen = e.len;
    let mut len = 0u32;
    for i in 1..desc.ntmpl() {
        let t = desc.tmpl(i);
        if t.offset != poff {
            continue;
        }
        if t.len > plen {
            return None;
        }
        plen -= t.len;
        poff += t.len;
        len += t.len;
        if plen == 0 {
            return None;
        }
        if moff + len == mlen {
            if let Some(p) = pl_mut(e) {
                p.offset += off;
            }
            e.len = len;
            return Some(moff);
        }
    }
    None
}

/// `payload_expr_expand`: split a merged load into the fields it covers.
pub fn expand(e: &Expr, ctx: &ProtoCtx) -> Vec<Expr> {
    let mut out = Vec::new();
    let Some(p) = pl(e) else {
        return vec![e.clone()];
    };
    let mut cur_off = p.offset;
    let mut cur_len = e.len;
    let mut poff = p.offset;
    if let Some(desc) = ctx.desc(p.base) {
        if desc.desc().base == p.base {
            let (desc, total) = stacked_desc(ctx, desc, p);
            poff = p.offset.wrapping_sub(total);
            for i in 1..desc.ntmpl() {
                let t = desc.tmpl(i);
                if t.len == 0 {
                    break;
                }
                if t.offset != poff {
                    continue;
                }
                if t.icmp_dep != 0
                    && ctx.icmp_type != 0
                    && ctx.icmp_type != icmp_dep_to_type(t.icmp_dep)
                {
                    continue;
                }
                if t.len <= cur_len {
                    out.push(alloc(desc, i));
                    cur_len -= t.len;
                    cur_off += t.len;
                    poff += t.len;
                    if cur_len == 0 {
                        return out;
                    }
                } else if cur_len > 0 {
                    let mut n = alloc(desc, i);
                    n.len = cur_len;
                    out.push(n);
                    return out;
                } else {
                    break;
                }
            }
        }
    }
    let _ = cur_off;
    out.push(raw(p.base, poff, cur_len));
    out
}

/// `payload_expr_pctx_update`.
pub fn pctx_update(ctx: &mut ProtoCtx, left: &Expr, right: &Expr) {
    let Some(p) = pl(left) else { return };
    let v = right.num().copied().unwrap_or(Num::ZERO);
    let proto = export_u64(&v, right.bo, (right.len / 8) as usize) as u32;
    let Some(base) = ctx.desc(p.base) else { return };
    let Some(desc) = base.find_upper(proto) else {
        if base == ProtoId::Icmp {
            ctx.icmp_type = if proto != 0 { proto as u8 } else { 8 };
        } else if base == ProtoId::Icmp6 {
            ctx.icmp_type = if proto == 129 { 128 } else { proto as u8 };
        }
        return;
    };
    if desc.desc().base == base.desc().base
        && !p.is_raw
        && desc.desc().base == BASE_LL
        && ctx.stacked_ll.len() < 16
    {
        ctx.stacked_ll.push(base);
    }
    ctx.update(desc.desc().base, desc);
}

/// `payload_expr_cmp`.
pub fn same(a: &Expr, b: &Expr) -> bool {
    match (pl(a), pl(b)) {
        (Some(x), Some(y)) => {
            x.desc == y.desc && x.tmpl == y.tmpl && x.base == y.base && x.offset == y.offset
        }
        _ => false,
    }
}
