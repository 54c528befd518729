//! Rule → nf_tables expressions, exactly as iptables-nft 1.8.11 builds them
//! (`nft_ipv4_add`/`nft_ipv6_add`, `add_match`, `add_action`): fixed part in
//! the order src, dst, iif, oif, proto, frag; then the matches (tcp, udp,
//! mark and limit natively when possible, the rest as xt `match`); a
//! counter; then the verdict or target.

use super::addr::AddrMask;
use super::error::{IptError, Result};
use super::ext::Ctx;
use super::family::Family;
use super::match_::limit::native_rate;
use super::match_::Match;
use super::rule::{Iface, IptRule, Verdict};
use super::target::Target;
use crate::data::VerdictCode;
use crate::expr::bitwise::Bitwise;
use crate::expr::cmp::{Cmp, CmpOp};
use crate::expr::counter::Counter;
use crate::expr::immediate::Immediate;
use crate::expr::limit::Limit as LimitExpr;
use crate::expr::log::Log as LogExpr;
use crate::expr::meta::{Meta, MetaKey};
use crate::expr::payload::{Payload, PayloadBase};
use crate::expr::range::{Range, RangeOp};
use crate::expr::xt;
use crate::expr::Expr;
use crate::object::rule::RuleCompat;

/// What the rule is built for: adding it (native translations apply) or
/// comparing it (`-C`/`-D`, compat everywhere as in 1.8.10+).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Purpose {
    /// `-A`, `-I`, `-R`, restore.
    Add,
    /// `-C`, `-D` by spec.
    Compare,
}

/// Which iptables-nft release's encoding to produce (they differ in
/// expression order, IPv4 `-p`, `-i +` and merged inverted ports).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Writer {
    /// 1.8.9: iif, oif, proto (`meta l4proto`), src, dst.
    V1_8_9,
    /// 1.8.10: src, dst, iif, oif, proto (payload), inverted ports merged.
    V1_8_10,
    /// 1.8.11 (what the shim writes).
    V1_8_11,
}

/// The encoded rule body.
#[derive(Clone, Debug, PartialEq)]
pub struct Encoded {
    /// `NFTA_RULE_EXPRESSIONS`.
    pub exprs: Vec<Expr>,
    /// `NFTA_RULE_COMPAT`.
    pub compat: RuleCompat,
}

const REG1: u32 = 1;

fn cmp(op: CmpOp, v: &[u8]) -> Expr {
    Expr::Cmp(Cmp::new(REG1, op, v.to_vec()))
}

fn payload(base: PayloadBase, off: u32, len: u32) -> Expr {
    Expr::Payload(Payload::load(base, off, len, REG1))
}

fn meta(key: MetaKey) -> Expr {
    Expr::Meta(Meta::load(key, REG1))
}

fn inv_op(inv: bool) -> CmpOp {
    if inv {
        CmpOp::Neq
    } else {
        CmpOp::Eq
    }
}

/// `add_addr`.
fn add_addr(out: &mut Vec<Expr>, f: Family, off: u32, a: &AddrMask, inv: bool) {
    let n = f.addr_len();
    let m = &a.mask[..n];
    let mut i = n;
    let mut bitwise = false;
    for (k, &b) in m.iter().enumerate() {
        if b != 0xff {
            bitwise = b != 0;
            i = k;
            break;
        }
    }
    if !bitwise {
        bitwise = m.iter().skip(i + 1).any(|&b| b != 0);
    }
    let len = if bitwise { n } else { i };
    out.push(payload(PayloadBase::Network, off, len as u32));
    if bitwise {
        out.push(Expr::Bitwise(Bitwise::mask_xor(
            REG1,
            REG1,
            len as u32,
            m.to_vec(),
            vec![0u8; len],
        )));
    }
    out.push(cmp(inv_op(inv), &a.addr[..len]));
}

/// `add_iface`.
fn add_iface(out: &mut Vec<Expr>, key: MetaKey, i: &Iface, w: Writer) {
    let b = i.name.as_bytes();
    let mut op = inv_op(i.inv);
    let data: Vec<u8> = if b.last() == Some(&b'+') {
        if b.len() > 1 {
            b[..b.len() - 1].to_vec()
        } else if op != CmpOp::Eq {
            op = CmpOp::Eq;
            b"INVAL/D\0".to_vec()
        } else {
            if w == Writer::V1_8_9 {
                out.push(meta(key));
            }
            return;
        }
    } else {
        let mut v = b.to_vec();
        v.push(0);
        v
    };
    out.push(meta(key));
    out.push(cmp(op, &data));
}

fn range_cmp16(out: &mut Vec<Expr>, lo: u16, hi: u16, inv: bool) {
    if lo == hi {
        out.push(cmp(inv_op(inv), &lo.to_be_bytes()));
    } else if lo == 0 && hi < 0xffff {
        out.push(cmp(
            if inv { CmpOp::Gt } else { CmpOp::Lte },
            &hi.to_be_bytes(),
        ));
    } else {
        out.push(Expr::Range(Range::new(
            REG1,
            if inv { RangeOp::Neq } else { RangeOp::Eq },
            lo.to_be_bytes().to_vec(),
            hi.to_be_bytes().to_vec(),
        )));
    }
}

/// `add_nft_tcpudp`.
fn tcpudp(
    out: &mut Vec<Expr>,
    src: [u16; 2],
    inv_src: bool,
    dst: [u16; 2],
    inv_dst: bool,
    w: Writer,
) {
    let old = w != Writer::V1_8_11;
    if (old || !inv_src)
        && src[0] != 0
        && src[0] == src[1]
        && dst[0] != 0
        && dst[0] == dst[1]
        && inv_src == inv_dst
    {
        let combined = (dst[0] as u32) | ((src[0] as u32) << 16);
        out.push(payload(PayloadBase::Transport, 0, 4));
        out.push(cmp(inv_op(inv_src), &combined.to_be_bytes()));
        return;
    }
    if src[0] != 0 || src[1] < 0xffff || (inv_src && !old) {
        out.push(payload(PayloadBase::Transport, 0, 2));
        range_cmp16(out, src[0], src[1], inv_src);
    }
    if dst[0] != 0 || dst[1] < 0xffff || (inv_dst && !old) {
        out.push(payload(PayloadBase::Transport, 2, 2));
        range_cmp16(out, dst[0], dst[1], inv_dst);
    }
}

fn xt_match(m: &Match, cx: &Ctx<'_>) -> Expr {
    Expr::Match(xt::Match {
        name: Some(m.real_name().to_string()),
        rev: Some(m.revision(cx.family)),
        info: Some(m.to_info(cx).into()),
        ..Default::default()
    })
}

fn add_match(
    out: &mut Vec<Expr>,
    m: &Match,
    cx: &Ctx<'_>,
    purpose: Purpose,
    w: Writer,
) -> Result<()> {
    if purpose == Purpose::Add {
        match m {
            Match::Limit(l) => {
                let (rate, unit) = native_rate(l.avg);
                out.push(Expr::Limit(LimitExpr::packets(rate, unit, l.burst)));
                return Ok(());
            }
            Match::Udp(u) if u.invflags <= super::match_::udp::INV_MASK && !u.all_zero() => {
                if cx.proto != 17 {
                    return Err(IptError::param("UDP match requires '-p udp'"));
                }
                tcpudp(
                    out,
                    u.spts,
                    u.invflags & super::match_::udp::INV_SRCPT != 0,
                    u.dpts,
                    u.invflags & super::match_::udp::INV_DSTPT != 0,
                    w,
                );
                return Ok(());
            }
            Match::Tcp(t)
                if t.invflags
                    & !(super::match_::tcp::INV_MASK & !super::match_::tcp::INV_OPTION)
                    == 0
                    && t.option == 0
                    && !t.all_zero() =>
            {
                if cx.proto != 6 {
                    return Err(IptError::param("TCP match requires '-p tcp'"));
                }
                use super::match_::tcp::{INV_DSTPT, INV_FLAGS, INV_SRCPT};
                if t.flg_mask != 0 {
                    out.push(payload(PayloadBase::Transport, 13, 1));
                    out.push(Expr::Bitwise(Bitwise::mask_xor(
                        REG1,
                        REG1,
                        1,
                        vec![t.flg_mask],
                        vec![0u8],
                    )));
                    out.push(cmp(inv_op(t.invflags & INV_FLAGS != 0), &[t.flg_cmp]));
                }
                tcpudp(
                    out,
                    t.spts,
                    t.invflags & INV_SRCPT != 0,
                    t.dpts,
                    t.invflags & INV_DSTPT != 0,
                    w,
                );
                return Ok(());
            }
            Match::Mark(mk) => {
                out.push(meta(MetaKey::Mark));
                if mk.mask != u32::MAX {
                    out.push(Expr::Bitwise(Bitwise::mask_xor(
                        REG1,
                        REG1,
                        4,
                        mk.mask.to_ne_bytes().to_vec(),
                        vec![0u8; 4],
                    )));
                }
                out.push(cmp(inv_op(mk.invert != 0), &mk.mark.to_ne_bytes()));
                return Ok(());
            }
            _ => {}
        }
    }
    out.push(xt_match(m, cx));
    Ok(())
}

fn add_target(out: &mut Vec<Expr>, v: &Verdict, cx: &Ctx<'_>) {
    let imm = |code, chain: Option<&str>| Expr::Immediate(Immediate::verdict(code, chain));
    match v {
        Verdict::None => {}
        Verdict::Accept => out.push(imm(VerdictCode::Accept, None)),
        Verdict::Drop => out.push(imm(VerdictCode::Drop, None)),
        Verdict::Return => out.push(imm(VerdictCode::Return, None)),
        Verdict::Jump(c) => out.push(imm(VerdictCode::Jump, Some(c))),
        Verdict::Goto(c) => out.push(imm(VerdictCode::Goto, Some(c))),
        Verdict::Target(Target::Nflog(n)) => {
            let mut l = LogExpr::new();
            if !n.prefix.is_empty() {
                l = l.prefix(&n.prefix);
            }
            l = l.group(n.group);
            if n.flags & super::target::nflog::F_COPY_LEN != 0 {
                l = l.snaplen(n.len);
            }
            if n.threshold != 0 {
                l = l.qthreshold(n.threshold);
            }
            out.push(Expr::Log(l));
        }
        Verdict::Target(Target::Trace(_)) => {
            out.push(Expr::Immediate(Immediate {
                dreg: Some(9),
                data: Some(crate::data::Data::value(vec![1u8])),
                ..Default::default()
            }));
            out.push(Expr::Meta(Meta {
                key: Some(MetaKey::NfTrace),
                sreg: Some(9),
                ..Default::default()
            }));
        }
        Verdict::Target(t) => out.push(Expr::Target(xt::Target {
            name: Some(t.real_name().to_string()),
            rev: Some(t.revision(cx.family)),
            info: Some(t.to_info(cx).into()),
            ..Default::default()
        })),
    }
}

/// Build the expressions and compat info of `r` for table `table`, as
/// iptables-nft 1.8.11 does.
pub fn encode(r: &IptRule, table: &str, purpose: Purpose) -> Result<Encoded> {
    encode_as(r, table, purpose, Writer::V1_8_11)
}

/// Like [`encode`], as the given release writes it.
pub fn encode_as(r: &IptRule, table: &str, purpose: Purpose, w: Writer) -> Result<Encoded> {
    let f = r.family;
    let cx = r.ctx(table);
    let mut out = Vec::new();
    let (soff, doff) = match f {
        Family::V4 => (12, 16),
        Family::V6 => (8, 24),
    };
    let n = f.addr_len();
    let zero = |b: &[u8]| b[..n].iter().all(|&x| x == 0);
    let addrs = |out: &mut Vec<Expr>| {
        if !zero(&r.src.addr) || !zero(&r.src.mask) || r.src_inv {
            add_addr(out, f, soff, &r.src, r.src_inv);
        }
        if !zero(&r.dst.addr) || !zero(&r.dst.mask) || r.dst_inv {
            add_addr(out, f, doff, &r.dst, r.dst_inv);
        }
    };
    if w != Writer::V1_8_9 {
        addrs(&mut out);
    }
    if !r.iniface.name.is_empty() {
        add_iface(&mut out, MetaKey::IifName, &r.iniface, w);
    }
    if !r.outiface.name.is_empty() {
        add_iface(&mut out, MetaKey::OifName, &r.outiface, w);
    }
    if r.proto != 0 {
        match f {
            Family::V4 if w != Writer::V1_8_9 => out.push(payload(PayloadBase::Network, 9, 1)),
            _ => out.push(meta(MetaKey::L4Proto)),
        }
        out.push(cmp(inv_op(r.proto_inv), &[r.proto]));
    }
    if w == Writer::V1_8_9 {
        addrs(&mut out);
    }
    if r.frag {
        out.push(payload(PayloadBase::Network, 6, 2));
        out.push(Expr::Bitwise(Bitwise::mask_xor(
            REG1,
            REG1,
            2,
            0x1fffu16.to_be_bytes().to_vec(),
            vec![0u8; 2],
        )));
        out.push(cmp(
            if r.frag_inv { CmpOp::Eq } else { CmpOp::Neq },
            &[0u8, 0u8],
        ));
    }
    for m in &r.matches {
        add_match(&mut out, m, &cx, purpose, w)?;
    }
    out.push(Expr::Counter(Counter::new(r.packets, r.bytes)));
    add_target(&mut out, &r.verdict, &cx);
    let compat = RuleCompat {
        proto: Some(r.proto as u32),
        flags: Some(if r.proto_inv { 2 } else { 0 }),
        ..Default::default()
    };
    Ok(Encoded { exprs: out, compat })
}
