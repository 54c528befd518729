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

/// The register iptables-nft loads everything into.
pub(crate) const REG1: u32 = 1;

/// `cmp REG1 op v`.
pub(crate) fn cmp(op: CmpOp, v: &[u8]) -> Expr {
    Expr::Cmp(Cmp::new(REG1, op, v.to_vec()))
}

/// `payload load base+off/len => REG1`.
pub(crate) fn payload(base: PayloadBase, off: u32, len: u32) -> Expr {
    Expr::Payload(Payload::load(base, off, len, REG1))
}

/// `meta load key => REG1`.
pub(crate) fn meta(key: MetaKey) -> Expr {
    Expr::Meta(Meta::load(key, REG1))
}

/// `bitwise REG1 = (REG1 & mask) ^ 0`.
pub(crate) fn bitwise(mask: &[u8]) -> Expr {
    Bitwise::mask_xor(
        REG1,
        REG1,
        mask.len() as u32,
        mask.to_vec(),
        vec![0u8; mask.len()],
    )
    .into()
}

/// `range op REG1 from to`.
pub(crate) fn range(op: RangeOp, from: &[u8], to: &[u8]) -> Expr {
    Range::new(REG1, op, from.to_vec(), to.to_vec()).into()
}

/// An immediate verdict.
pub(crate) fn verdict(code: VerdictCode, chain: Option<&str>) -> Expr {
    Expr::Immediate(Immediate::verdict(code, chain))
}

/// An xt `match` expression.
pub(crate) fn xt_match(m: &Match, cx: &Ctx<'_>) -> Expr {
    Expr::Match(xt::Match {
        name: Some(m.real_name().to_string()),
        rev: Some(m.revision(cx.family)),
        info: Some(m.to_info(cx).into()),
        ..Default::default()
    })
}

/// An xt `target` expression.
pub(crate) fn xt_target(t: &Target, cx: &Ctx<'_>) -> Expr {
    Expr::Target(xt::Target {
        name: Some(t.real_name().to_string()),
        rev: Some(t.revision(cx.family)),
        info: Some(t.to_info(cx).into()),
        ..Default::default()
    })
}

/// Where an encoding goes, one expression at a time: collected into a
/// `Vec<Expr>`, or compared against a kernel rule's expressions without
/// building them (see [`super::decode`]). Every method's result must be the
/// same as passing the expression its builder returns to [`Sink::expr`].
pub(crate) trait Sink {
    /// Any expression.
    fn expr(&mut self, e: Expr);
    /// [`payload`].
    fn payload(&mut self, base: PayloadBase, off: u32, len: u32) {
        self.expr(payload(base, off, len))
    }
    /// [`meta`].
    fn meta(&mut self, key: MetaKey) {
        self.expr(meta(key))
    }
    /// [`cmp`].
    fn cmp(&mut self, op: CmpOp, v: &[u8]) {
        self.expr(cmp(op, v))
    }
    /// [`bitwise`].
    fn bitwise(&mut self, mask: &[u8]) {
        self.expr(bitwise(mask))
    }
    /// [`range`].
    fn range(&mut self, op: RangeOp, from: &[u8], to: &[u8]) {
        self.expr(range(op, from, to))
    }
    /// [`verdict`].
    fn verdict(&mut self, code: VerdictCode, chain: Option<&str>) {
        self.expr(verdict(code, chain))
    }
    /// `counter packets bytes`.
    fn counter(&mut self, packets: u64, bytes: u64) {
        self.expr(Expr::Counter(Counter::new(packets, bytes)))
    }
    /// [`xt_match`].
    fn xt_match(&mut self, m: &Match, cx: &Ctx<'_>) {
        self.expr(xt_match(m, cx))
    }
    /// [`xt_target`].
    fn xt_target(&mut self, t: &Target, cx: &Ctx<'_>) {
        self.expr(xt_target(t, cx))
    }
    /// False once the rest of the encoding no longer matters (a mismatch
    /// was found): the encoder may stop early.
    fn wants_more(&self) -> bool {
        true
    }
}

impl Sink for Vec<Expr> {
    fn expr(&mut self, e: Expr) {
        self.push(e);
    }
}

pub(crate) fn inv_op(inv: bool) -> CmpOp {
    if inv {
        CmpOp::Neq
    } else {
        CmpOp::Eq
    }
}

/// `add_addr`.
fn add_addr(out: &mut impl Sink, f: Family, off: u32, a: &AddrMask, inv: bool) {
    let n = f.addr_len();
    add_masked(
        out,
        PayloadBase::Network,
        off,
        &a.addr[..n],
        &a.mask[..n],
        inv,
    );
}

/// `add_addr` of nft-shared.c for any field length: a payload load of the
/// leading bytes the mask covers whole (with a `bitwise` and the full
/// length when the mask is not a prefix), then `cmp`. Shared with the
/// arptables and ebtables encoders.
pub(crate) fn add_masked(
    out: &mut impl Sink,
    base: PayloadBase,
    off: u32,
    addr: &[u8],
    m: &[u8],
    inv: bool,
) {
    let n = m.len();
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
    out.payload(base, off, len as u32);
    if bitwise {
        out.bitwise(m);
    }
    out.cmp(inv_op(inv), &addr[..len]);
}

/// `add_iface` (shared with the arptables and ebtables encoders).
pub(crate) fn add_iface(out: &mut impl Sink, key: MetaKey, i: &Iface, w: Writer) {
    match i.name.as_bytes().split_last() {
        Some((b'+', prefix)) if !prefix.is_empty() => {
            out.meta(key);
            out.cmp(inv_op(i.inv), prefix);
        }
        Some((b'+', _)) if i.inv => {
            out.meta(key);
            out.cmp(CmpOp::Eq, b"INVAL/D\0");
        }
        // `-i +`: any interface; only 1.8.9 still loads the name.
        Some((b'+', _)) => {
            if w == Writer::V1_8_9 {
                out.meta(key);
            }
        }
        _ => {
            out.meta(key);
            with_nul(i.name.as_bytes(), |d| out.cmp(inv_op(i.inv), d));
        }
    }
}

/// Call `f` with `b` and a NUL after it (on the stack when short).
fn with_nul<R>(b: &[u8], f: impl FnOnce(&[u8]) -> R) -> R {
    let mut buf = [0u8; 32];
    if b.len() < buf.len() {
        buf[..b.len()].copy_from_slice(b);
        f(&buf[..=b.len()])
    } else {
        let mut v = b.to_vec();
        v.push(0);
        f(&v)
    }
}

fn range_cmp16(out: &mut impl Sink, lo: u16, hi: u16, inv: bool) {
    if lo == hi {
        out.cmp(inv_op(inv), &lo.to_be_bytes());
    } else if lo == 0 && hi < 0xffff {
        out.cmp(if inv { CmpOp::Gt } else { CmpOp::Lte }, &hi.to_be_bytes());
    } else {
        out.range(
            if inv { RangeOp::Neq } else { RangeOp::Eq },
            &lo.to_be_bytes(),
            &hi.to_be_bytes(),
        );
    }
}

/// `add_nft_tcpudp`.
fn tcpudp(
    out: &mut impl Sink,
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
        out.payload(PayloadBase::Transport, 0, 4);
        out.cmp(inv_op(inv_src), &combined.to_be_bytes());
        return;
    }
    if src[0] != 0 || src[1] < 0xffff || (inv_src && !old) {
        out.payload(PayloadBase::Transport, 0, 2);
        range_cmp16(out, src[0], src[1], inv_src);
    }
    if dst[0] != 0 || dst[1] < 0xffff || (inv_dst && !old) {
        out.payload(PayloadBase::Transport, 2, 2);
        range_cmp16(out, dst[0], dst[1], inv_dst);
    }
}

fn add_match(
    out: &mut impl Sink,
    m: &Match,
    cx: &Ctx<'_>,
    purpose: Purpose,
    w: Writer,
) -> Result<()> {
    if purpose == Purpose::Add {
        match m {
            Match::Limit(l) => {
                let (rate, unit) = native_rate(l.avg);
                out.expr(Expr::Limit(LimitExpr::packets(rate, unit, l.burst)));
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
                    out.payload(PayloadBase::Transport, 13, 1);
                    out.bitwise(&[t.flg_mask]);
                    out.cmp(inv_op(t.invflags & INV_FLAGS != 0), &[t.flg_cmp]);
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
                out.meta(MetaKey::Mark);
                if mk.mask != u32::MAX {
                    out.bitwise(&mk.mask.to_ne_bytes());
                }
                out.cmp(inv_op(mk.invert != 0), &mk.mark.to_ne_bytes());
                return Ok(());
            }
            _ => {}
        }
    }
    out.xt_match(m, cx);
    Ok(())
}

fn add_target(out: &mut impl Sink, v: &Verdict, cx: &Ctx<'_>) {
    match v {
        Verdict::None => {}
        Verdict::Accept => out.verdict(VerdictCode::Accept, None),
        Verdict::Drop => out.verdict(VerdictCode::Drop, None),
        Verdict::Return => out.verdict(VerdictCode::Return, None),
        Verdict::Jump(c) => out.verdict(VerdictCode::Jump, Some(c)),
        Verdict::Goto(c) => out.verdict(VerdictCode::Goto, Some(c)),
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
            out.expr(Expr::Log(l));
        }
        Verdict::Target(Target::Trace(_)) => {
            out.expr(Expr::Immediate(Immediate {
                dreg: Some(9),
                data: Some(crate::data::Data::value(vec![1u8])),
                ..Default::default()
            }));
            out.expr(Expr::Meta(Meta {
                key: Some(MetaKey::NfTrace),
                sreg: Some(9),
                ..Default::default()
            }));
        }
        Verdict::Target(t) => out.xt_target(t, cx),
    }
}

/// Build the expressions and compat info of `r` for table `table`, as
/// iptables-nft 1.8.11 does.
pub fn encode(r: &IptRule, table: &str, purpose: Purpose) -> Result<Encoded> {
    encode_as(r, table, purpose, Writer::V1_8_11)
}

/// Like [`encode`], as the given release writes it.
pub fn encode_as(r: &IptRule, table: &str, purpose: Purpose, w: Writer) -> Result<Encoded> {
    let mut out = Vec::new();
    encode_into(&mut out, r, table, purpose, w)?;
    let compat = RuleCompat {
        proto: Some(r.proto as u32),
        flags: Some(if r.proto_inv { 2 } else { 0 }),
        ..Default::default()
    };
    Ok(Encoded { exprs: out, compat })
}

/// The expressions [`encode`] builds for `r`, written straight into `out`
/// as the elements of an expression list (what the rule message carries in
/// its `NFTA_RULE_EXPRESSIONS` nest), without collecting them first.
pub fn write_exprs(
    r: &IptRule,
    table: &str,
    purpose: Purpose,
    out: &mut crate::nla::Writer,
) -> Result<()> {
    /// A [`Sink`] writing each expression as it comes.
    struct Elems<'a>(&'a mut crate::nla::Writer);
    impl Sink for Elems<'_> {
        fn expr(&mut self, e: Expr) {
            e.write_elem(self.0);
        }
    }
    encode_into(&mut Elems(out), r, table, purpose, Writer::V1_8_11)
}

/// The expressions of [`encode_as`], given to `out` one by one; stops early
/// once `out` wants no more.
pub(crate) fn encode_into(
    out: &mut impl Sink,
    r: &IptRule,
    table: &str,
    purpose: Purpose,
    w: Writer,
) -> Result<()> {
    if w != Writer::V1_8_9 {
        add_addrs(out, r);
    }
    if !r.iniface.name.is_empty() {
        add_iface(out, MetaKey::IifName, &r.iniface, w);
    }
    if !r.outiface.name.is_empty() {
        add_iface(out, MetaKey::OifName, &r.outiface, w);
    }
    if r.proto != 0 {
        match r.family {
            Family::V4 if w != Writer::V1_8_9 => out.payload(PayloadBase::Network, 9, 1),
            _ => out.meta(MetaKey::L4Proto),
        }
        out.cmp(inv_op(r.proto_inv), &[r.proto]);
    }
    if w == Writer::V1_8_9 {
        add_addrs(out, r);
    }
    if r.frag {
        out.payload(PayloadBase::Network, 6, 2);
        out.bitwise(&0x1fffu16.to_be_bytes());
        out.cmp(if r.frag_inv { CmpOp::Eq } else { CmpOp::Neq }, &[0u8, 0u8]);
    }
    let cx = r.ctx(table);
    for m in &r.matches {
        if !out.wants_more() {
            return Ok(());
        }
        add_match(out, m, &cx, purpose, w)?;
    }
    out.counter(r.packets, r.bytes);
    add_target(out, &r.verdict, &cx);
    Ok(())
}

/// The `-s` and `-d` tests, when given.
fn add_addrs(out: &mut impl Sink, r: &IptRule) {
    let f = r.family;
    let (soff, doff) = match f {
        Family::V4 => (12, 16),
        Family::V6 => (8, 24),
    };
    let n = f.addr_len();
    let zero = |b: &[u8]| b[..n].iter().all(|&x| x == 0);
    if !zero(&r.src.addr) || !zero(&r.src.mask) || r.src_inv {
        add_addr(out, f, soff, &r.src, r.src_inv);
    }
    if !zero(&r.dst.addr) || !zero(&r.dst.mask) || r.dst_inv {
        add_addr(out, f, doff, &r.dst, r.dst_inv);
    }
}
