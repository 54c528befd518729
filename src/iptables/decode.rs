//! nf_tables rule → iptables rule, following iptables-nft's parser
//! (`nft_rule_to_iptables_command_state`): registers remember what was
//! loaded into them (payload, meta key, immediate, bitwise mask) and each
//! `cmp`/`range` turns the register contents into a rule field or match.
//!
//! Unlike iptables, a rule is accepted only if encoding the result again
//! (as 1.8.11, 1.8.10 or 1.8.9 would) gives back exactly the kernel's
//! expressions; everything else is [`Decoded::Foreign`], so nothing is ever
//! misread (set lookups, ct loads, wildcard names written by nft, ...).

use super::encode::Writer;
use super::exact::writes_exactly;
use super::ext::Ctx;
use super::family::Family;
use super::match_::limit::{Limit, SCALE};
use super::match_::mark::Mark;
use super::match_::tcp::Tcp;
use super::match_::udp::Udp;
use super::match_::Match;
use super::rule::{Iface, IptRule, Verdict};
use super::target::nflog::{Nflog, F_COPY_LEN};
use super::target::trace::Trace;
use super::target::Target;
use crate::data::VerdictCode;
use crate::expr::cmp::CmpOp;
use crate::expr::meta::MetaKey;
use crate::expr::payload::PayloadBase;
use crate::expr::range::RangeOp;
use crate::expr::Expr;
use crate::object::Rule;
use std::sync::atomic::{AtomicUsize, Ordering};

/// The result of reading one kernel rule.
#[derive(Clone, Debug, PartialEq)]
// Rules are decoded one at a time; boxing would only add an allocation.
#[allow(clippy::large_enum_variant)]
pub enum Decoded {
    /// An iptables rule (encoded exactly as iptables-nft writes it).
    Rule(IptRule),
    /// Something the iptables model does not express; the reason.
    Foreign(String),
}

#[derive(Clone, Debug, Default, PartialEq)]
enum RegType {
    #[default]
    Undef,
    Payload {
        base: PayloadBase,
        offset: u32,
        len: u32,
    },
    Immediate(Vec<u8>),
    Meta(MetaKey),
}

#[derive(Clone, Debug, Default)]
struct Reg {
    ty: RegType,
    mask: Option<Vec<u8>>,
}

struct Parser<'a> {
    r: IptRule,
    regs: [Reg; 17],
    table: &'a str,
    err: Option<String>,
}

fn reg_index(reg: u32) -> Option<usize> {
    match reg {
        0 => Some(0),
        1 => Some(1),
        2 => Some(5),
        3 => Some(9),
        4 => Some(13),
        8..=23 => Some((reg - 8) as usize),
        _ => None,
    }
}

fn u16_be(d: &[u8]) -> Option<u16> {
    Some(u16::from_be_bytes([*d.first()?, *d.get(1)?]))
}

impl<'a> Parser<'a> {
    fn sreg(&mut self, reg: u32) -> Option<usize> {
        let i = reg_index(reg);
        if i.is_none() {
            self.fail("Unknown register requested");
        }
        i
    }
    fn dreg(&mut self, reg: u32) -> Option<usize> {
        let i = self.sreg(reg)?;
        self.regs[i] = Reg::default();
        Some(i)
    }
    fn fail(&mut self, m: &str) {
        if self.err.is_none() {
            self.err = Some(m.to_string());
        }
    }
    fn cx(&self) -> Ctx<'a> {
        self.r.ctx(self.table)
    }
    /// `nft_create_match(.., reuse = true)` for tcp: the rule's tcp match,
    /// created at the end if missing.
    fn tcp(&mut self) -> Option<&mut Tcp> {
        if !self.r.matches.iter().any(|m| matches!(m, Match::Tcp(_))) {
            self.r.matches.push(Match::Tcp(Tcp::default()));
        }
        self.r.matches.iter_mut().find_map(|m| match m {
            Match::Tcp(t) => Some(t),
            _ => None,
        })
    }
    /// Same for udp.
    fn udp(&mut self) -> Option<&mut Udp> {
        if !self.r.matches.iter().any(|m| matches!(m, Match::Udp(_))) {
            self.r.matches.push(Match::Udp(Udp::default()));
        }
        self.r.matches.iter_mut().find_map(|m| match m {
            Match::Udp(u) => Some(u),
            _ => None,
        })
    }

    fn parse(&mut self, e: &Expr) {
        match e {
            Expr::Counter(c) => {
                self.r.packets = c.packets.unwrap_or(0);
                self.r.bytes = c.bytes.unwrap_or(0);
            }
            Expr::Payload(p) => {
                let Some(i) = self.dreg(p.dreg.unwrap_or(0)) else {
                    return;
                };
                self.regs[i].ty = RegType::Payload {
                    base: p.base.unwrap_or(PayloadBase::LinkLayer),
                    offset: p.offset.unwrap_or(0),
                    len: p.len.unwrap_or(0),
                };
            }
            Expr::Meta(m) => {
                if let Some(s) = m.sreg {
                    self.meta_set(m.key.unwrap_or(MetaKey::Len), s);
                    return;
                }
                let Some(i) = self.dreg(m.dreg.unwrap_or(0)) else {
                    return;
                };
                self.regs[i].ty = RegType::Meta(m.key.unwrap_or(MetaKey::Len));
            }
            Expr::Bitwise(b) => {
                let Some(si) = self.sreg(b.sreg.unwrap_or(0)) else {
                    return;
                };
                let di = if b.sreg != b.dreg {
                    let Some(di) = self.sreg(b.dreg.unwrap_or(0)) else {
                        return;
                    };
                    self.regs[di] = self.regs[si].clone();
                    di
                } else {
                    si
                };
                let mask = b.mask.as_ref().and_then(|d| d.bytes()).unwrap_or(&[]);
                if mask.len() > 16 {
                    self.fail("bitwise mask too large");
                    return;
                }
                self.regs[di].mask = Some(mask.to_vec());
            }
            Expr::Cmp(c) => {
                let Some(i) = self.sreg(c.sreg.unwrap_or(0)) else {
                    return;
                };
                let data = c.data.as_ref().and_then(|d| d.bytes()).unwrap_or(&[]);
                let op = c.op.unwrap_or(CmpOp::Eq);
                let reg = self.regs[i].clone();
                match reg.ty {
                    RegType::Undef => self.fail("cmp sreg undef"),
                    RegType::Meta(k) => self.cmp_meta(k, &reg, op, data),
                    RegType::Payload { base, offset, len } => match base {
                        PayloadBase::Network => self.cmp_network(offset, len, &reg, op, data),
                        PayloadBase::Transport => self.cmp_transport(offset, &reg, op, data),
                        _ => {}
                    },
                    RegType::Immediate(_) => self.fail("cmp sreg has unknown type"),
                }
            }
            Expr::Immediate(im) => {
                let Some(d) = &im.data else { return };
                if let Some(v) = d.bytes() {
                    let Some(i) = self.dreg(im.dreg.unwrap_or(0)) else {
                        return;
                    };
                    if v.len() > 16 {
                        self.fail("oversized immediate data");
                        return;
                    }
                    self.regs[i].ty = RegType::Immediate(v.to_vec());
                    return;
                }
                let Some(v) = &d.verdict else { return };
                let goto = matches!(self.r.verdict, Verdict::Goto(_));
                let _ = goto;
                match v.code {
                    Some(VerdictCode::Accept) => self.r.verdict = Verdict::Accept,
                    Some(VerdictCode::Drop) => self.r.verdict = Verdict::Drop,
                    Some(VerdictCode::Return) => self.r.verdict = Verdict::Return,
                    Some(VerdictCode::Goto) => {
                        self.r.verdict = Verdict::Goto(v.chain.clone().unwrap_or_default())
                    }
                    Some(VerdictCode::Jump) => {
                        self.r.verdict = Verdict::Jump(v.chain.clone().unwrap_or_default())
                    }
                    _ => {}
                }
            }
            Expr::Match(m) => {
                let name = m.name.as_deref().unwrap_or("");
                let info = m.info.as_deref().unwrap_or(&[]);
                let cx = self.cx();
                match Match::from_xt(name, m.rev.unwrap_or(0), info, &cx) {
                    Some(x) => self.r.matches.push(x),
                    None => self.fail("match extension not found"),
                }
            }
            Expr::Target(t) => {
                let name = t.name.as_deref().unwrap_or("");
                let info = t.info.as_deref().unwrap_or(&[]);
                let cx = self.cx();
                match Target::from_xt(name, t.rev.unwrap_or(0), info, &cx) {
                    Some(x) => self.r.verdict = Verdict::Target(x),
                    None => self.fail("target extension not found"),
                }
            }
            Expr::Limit(l) => {
                let rate = l.rate.unwrap_or(0);
                let unit = l.unit.unwrap_or(0);
                if rate == 0 {
                    self.fail("limit rate is zero");
                    return;
                }
                self.r.matches.push(Match::Limit(Limit {
                    avg: (SCALE as u64 * unit / rate) as u32,
                    burst: l.burst.unwrap_or(0),
                }));
            }
            Expr::Log(l) => {
                let mut n = Nflog {
                    group: l.group.unwrap_or(0),
                    threshold: l.qthreshold.unwrap_or(0),
                    ..Default::default()
                };
                if let Some(s) = l.snaplen {
                    n.len = s;
                    n.flags = F_COPY_LEN;
                }
                if let Some(p) = &l.prefix {
                    n.prefix = p.chars().take(127).collect();
                }
                self.r.verdict = Verdict::Target(Target::Nflog(n));
            }
            Expr::Range(rg) => {
                let Some(i) = self.sreg(rg.sreg.unwrap_or(0)) else {
                    return;
                };
                match self.regs[i].ty.clone() {
                    RegType::Undef => self.fail("range sreg undef"),
                    RegType::Payload {
                        base: PayloadBase::Transport,
                        offset,
                        ..
                    } => {
                        let from = rg.from.as_ref().and_then(|d| d.bytes()).unwrap_or(&[]);
                        let to = rg.to.as_ref().and_then(|d| d.bytes()).unwrap_or(&[]);
                        if from.len() != 2 || to.len() != 2 {
                            return;
                        }
                        let (Some(lo), Some(hi)) = (u16_be(from), u16_be(to)) else {
                            return;
                        };
                        let inv = rg.op == Some(RangeOp::Neq);
                        self.ports(offset, lo, hi, inv);
                    }
                    RegType::Payload { .. } => self.fail("range with unknown payload base"),
                    _ => self.fail("range sreg type unsupported"),
                }
            }
            _ => {}
        }
    }

    fn ports(&mut self, offset: u32, lo: u16, hi: u16, inv: bool) {
        let proto = self.r.proto;
        match (proto, offset) {
            (6, 0) => {
                let Some(t) = self.tcp() else { return };
                t.spts = [lo, hi];
                if inv {
                    t.invflags |= super::match_::tcp::INV_SRCPT;
                }
            }
            (6, 2) => {
                let Some(t) = self.tcp() else { return };
                t.dpts = [lo, hi];
                if inv {
                    t.invflags |= super::match_::tcp::INV_DSTPT;
                }
            }
            (17, 0) => {
                let Some(u) = self.udp() else { return };
                u.spts = [lo, hi];
                if inv {
                    u.invflags |= super::match_::udp::INV_SRCPT;
                }
            }
            (17, 2) => {
                let Some(u) = self.udp() else { return };
                u.dpts = [lo, hi];
                if inv {
                    u.invflags |= super::match_::udp::INV_DSTPT;
                }
            }
            _ => {}
        }
    }

    fn meta_set(&mut self, key: MetaKey, sreg: u32) {
        let Some(i) = self.sreg(sreg) else { return };
        let reg = self.regs[i].clone();
        let RegType::Immediate(data) = &reg.ty else {
            self.fail("meta sreg is not an immediate");
            return;
        };
        match key {
            MetaKey::NfTrace => {
                if data.first().copied().unwrap_or(0) == 0 {
                    self.fail("meta sreg immediate is 0");
                    return;
                }
                self.r.verdict = Verdict::Target(Target::Trace(Trace));
            }
            MetaKey::Mark => {
                let w = |d: &[u8]| {
                    let mut b = [0u8; 4];
                    for (k, x) in d.iter().take(4).enumerate() {
                        b[k] = *x;
                    }
                    u32::from_ne_bytes(b)
                };
                let mark = w(data);
                let mask = reg.mask.as_deref().map(w).unwrap_or(u32::MAX);
                self.r.verdict = Verdict::Target(Target::Mark(super::target::mark::MarkTarget {
                    mark,
                    mask,
                    rev: 2,
                    ..Default::default()
                }));
            }
            _ => self.fail("meta sreg key not supported"),
        }
    }

    fn cmp_meta(&mut self, key: MetaKey, reg: &Reg, op: CmpOp, data: &[u8]) {
        let inv = op == CmpOp::Neq;
        match key {
            MetaKey::L4Proto => {
                self.r.proto = data.first().copied().unwrap_or(0);
                if inv {
                    self.r.proto_inv = true;
                }
            }
            MetaKey::IifName | MetaKey::OifName => {
                let name = parse_ifname(data);
                let i = if key == MetaKey::IifName {
                    &mut self.r.iniface
                } else {
                    &mut self.r.outiface
                };
                *i = Iface {
                    name,
                    inv: i.inv || inv,
                };
                if !i.inv && i.name == "INVAL/D" {
                    i.inv = true;
                    i.name = "+".into();
                }
            }
            MetaKey::Mark => {
                let w = |d: &[u8]| {
                    let mut b = [0u8; 4];
                    for (k, x) in d.iter().take(4).enumerate() {
                        b[k] = *x;
                    }
                    u32::from_ne_bytes(b)
                };
                self.r.matches.push(Match::Mark(Mark {
                    mark: w(data),
                    mask: reg.mask.as_deref().map(w).unwrap_or(u32::MAX),
                    invert: inv as u8,
                }));
            }
            _ => self.fail(match self.r.family {
                Family::V4 => "unknown ipv4 meta key",
                Family::V6 => "unknown ipv6 meta key",
            }),
        }
    }

    fn cmp_network(&mut self, offset: u32, len: u32, reg: &Reg, op: CmpOp, data: &[u8]) {
        let f = self.r.family;
        let inv = op == CmpOp::Neq;
        let (soff, doff, poff) = match f {
            Family::V4 => (12, 16, 9),
            Family::V6 => (8, 24, 6),
        };
        let n = f.addr_len();
        if offset == soff || offset == doff {
            let mut addr = [0u8; 16];
            for (k, x) in data.iter().take(n).enumerate() {
                addr[k] = *x;
            }
            let mut mask = [0u8; 16];
            match &reg.mask {
                Some(m) => {
                    for (k, x) in m.iter().take(n).enumerate() {
                        mask[k] = *x;
                    }
                }
                None => {
                    for x in mask.iter_mut().take((len as usize).min(n)) {
                        *x = 0xff;
                    }
                }
            }
            let am = super::addr::AddrMask { addr, mask };
            if offset == soff {
                self.r.src = am;
                self.r.src_inv |= inv;
            } else {
                self.r.dst = am;
                self.r.dst_inv |= inv;
            }
        } else if offset == poff {
            self.r.proto = data.first().copied().unwrap_or(0);
            self.r.proto_inv |= inv;
        } else if f == Family::V4 && offset == 6 {
            self.r.frag = true;
            if reg.mask.is_some() && op == CmpOp::Eq {
                self.r.frag_inv = true;
            }
        } else {
            self.fail("unknown payload offset");
        }
    }

    fn cmp_transport(&mut self, offset: u32, reg: &Reg, op: CmpOp, data: &[u8]) {
        let proto = self.r.proto;
        match proto {
            6 | 17 => {}
            1 | 58 => {
                self.fail("icmp payload match");
                return;
            }
            _ => {
                self.fail("unsupported layer 4 protocol value");
                return;
            }
        }
        let single = |ports: &mut [u16; 2], invflags: &mut u8, port: u16, bit: u8| match op {
            CmpOp::Neq => {
                *invflags |= bit;
                *ports = [port, port];
            }
            CmpOp::Eq => *ports = [port, port],
            CmpOp::Lt => ports[1] = port.saturating_sub(1).max(1),
            CmpOp::Lte => ports[1] = port,
            CmpOp::Gt => ports[0] = port.saturating_add(1),
            CmpOp::Gte => ports[0] = port,
            _ => {}
        };
        match (offset, data.len()) {
            (0, 2) | (2, 2) | (0, 4) => {
                let (sp, dp) = match (offset, data.len()) {
                    (0, 2) => (u16_be(data), None),
                    (2, 2) => (None, u16_be(data)),
                    _ => (u16_be(data), u16_be(&data[2..])),
                };
                use super::match_::{tcp, udp};
                if proto == 6 {
                    let Some(t) = self.tcp() else { return };
                    if let Some(p) = sp {
                        single(&mut t.spts, &mut t.invflags, p, tcp::INV_SRCPT);
                    }
                    if let Some(p) = dp {
                        single(&mut t.dpts, &mut t.invflags, p, tcp::INV_DSTPT);
                    }
                } else {
                    let Some(u) = self.udp() else { return };
                    if let Some(p) = sp {
                        single(&mut u.spts, &mut u.invflags, p, udp::INV_SRCPT);
                    }
                    if let Some(p) = dp {
                        single(&mut u.dpts, &mut u.invflags, p, udp::INV_DSTPT);
                    }
                }
            }
            (13, 1) if proto == 6 => {
                let mask = reg
                    .mask
                    .as_ref()
                    .and_then(|m| m.first().copied())
                    .unwrap_or(0xff);
                let Some(t) = self.tcp() else { return };
                if op == CmpOp::Neq {
                    t.invflags |= super::match_::tcp::INV_FLAGS;
                }
                t.flg_cmp = data[0];
                t.flg_mask = mask;
            }
            _ => {}
        }
    }
}

/// `parse_ifname`: a trailing NUL means an exact name, otherwise a prefix
/// (shown with `+`).
fn parse_ifname(d: &[u8]) -> String {
    if d.is_empty() {
        return String::new();
    }
    let exact = d.last() == Some(&0);
    let end = d.iter().position(|&c| c == 0).unwrap_or(d.len());
    let mut s = String::from_utf8_lossy(&d[..end]).into_owned();
    if !exact && d.len() < 16 {
        s.push('+');
    }
    s
}

/// The expressions iptables-nft's compatibility check accepts
/// (`nft_is_expr_compatible`).
pub fn whitelisted(e: &Expr) -> bool {
    match e {
        Expr::Match(_)
        | Expr::Target(_)
        | Expr::Payload(_)
        | Expr::Meta(_)
        | Expr::Cmp(_)
        | Expr::Bitwise(_)
        | Expr::Counter(_)
        | Expr::Immediate(_)
        | Expr::Lookup(_)
        | Expr::Range(_) => true,
        Expr::Limit(l) => l.ty.map(|t| t.value()).unwrap_or(0) == 0 && l.flags.unwrap_or(0) == 0,
        Expr::Log(l) => l.group.is_some(),
        _ => false,
    }
}

/// Parse like iptables-nft does, without the exactness check: the rule
/// iptables would show, or the first parse error.
pub fn parse_like_iptables(rule: &Rule, family: Family, table: &str) -> Result<IptRule, String> {
    let mut p = Parser {
        r: IptRule::new(family),
        regs: Default::default(),
        table,
        err: None,
    };
    for e in rule.exprs() {
        p.parse(e);
    }
    if let Some(e) = p.err {
        return Err(e);
    }
    if let Some(c) = rule.comment() {
        p.r.matches
            .push(Match::Comment(super::match_::comment::Comment::new(&c)));
    }
    Ok(p.r)
}

/// The releases whose encodings are accepted.
const WRITERS: [Writer; 3] = [Writer::V1_8_11, Writer::V1_8_10, Writer::V1_8_9];

/// Index into [`WRITERS`] of the one that matched last (a hint).
static LAST_WRITER: AtomicUsize = AtomicUsize::new(0);

/// Decode a kernel rule of `table`. Only rules whose expressions are
/// exactly what iptables-nft 1.8.9, 1.8.10 or 1.8.11 writes for the parsed
/// rule come back as [`Decoded::Rule`].
pub fn decode(rule: &Rule, table: &str) -> Decoded {
    let Some(family) = Family::from_nfproto(rule.family) else {
        return Decoded::Foreign("not an ip/ip6 rule".into());
    };
    if rule.attrs.userdata.is_some() {
        return Decoded::Foreign("rule has userdata".into());
    }
    if let Some(e) = rule.exprs().iter().find(|e| !whitelisted(e)) {
        return Decoded::Foreign(format!("expression `{}' not used by iptables", e.name()));
    }
    let r = match parse_like_iptables(rule, family, table) {
        Ok(r) => r,
        Err(e) => return Decoded::Foreign(e),
    };
    let have = rule.exprs();
    // The alternative forms are only built when `r` itself does not match.
    if written_by(&r, table, have, false)
        || written_forms(&r)
            .iter()
            .any(|c| written_by(c, table, have, added_any_iface(c, &r)))
    {
        return Decoded::Rule(r);
    }
    Decoded::Foreign("not encoded the way iptables-nft writes it".into())
}

/// Whether form `c` of `r` has a `-i +`/`-o +` that `r` lacks. After 1.8.9
/// it writes nothing, the same as the form without it (tried anyway).
fn added_any_iface(c: &IptRule, r: &IptRule) -> bool {
    let added = |c: &Iface, r: &Iface| c.name == "+" && !c.inv && r.name.is_empty();
    added(&c.iniface, &r.iniface) || added(&c.outiface, &r.outiface)
}

/// Whether some release (only 1.8.9 if `only_1_8_9`) writes `r` as exactly
/// `have`.
fn written_by(r: &IptRule, table: &str, have: &[Expr], only_1_8_9: bool) -> bool {
    // Rules in one table were usually written by one iptables version: try
    // the writer that matched last first.
    let first = LAST_WRITER.load(Ordering::Relaxed) % WRITERS.len();
    (0..WRITERS.len())
        .map(|k| (first + k) % WRITERS.len())
        .filter(|&wi| !only_1_8_9 || WRITERS[wi] == Writer::V1_8_9)
        .any(|wi| {
            let ok = writes_exactly(r, table, WRITERS[wi], have);
            if ok {
                LAST_WRITER.store(wi, Ordering::Relaxed);
            }
            ok
        })
}

/// The other rules iptables may have been given to write what parses as
/// `r`: the same with `-i +`/`-o +`, and, for a port range reaching 65535,
/// the inverted range below it (`! --dport 0:1023` is written as `> 1023`
/// and read back as `1024:65535`); and their combinations.
fn written_forms(r: &IptRule) -> Vec<IptRule> {
    let mut out = vec![r.clone()];
    // `-i +` / `-o +` match any interface and read back as nothing (1.8.9
    // still loaded the name).
    for out_side in [false, true] {
        let any = if out_side { &r.outiface } else { &r.iniface };
        if !any.name.is_empty() {
            continue;
        }
        let more: Vec<IptRule> = out
            .iter()
            .map(|c| {
                let mut c = c.clone();
                let i = if out_side {
                    &mut c.outiface
                } else {
                    &mut c.iniface
                };
                i.name = "+".into();
                c
            })
            .collect();
        out.extend(more);
    }
    for (mi, m) in r.matches.iter().enumerate() {
        let slots: Vec<(u8, [u16; 2], u8)> = match m {
            Match::Tcp(t) => vec![
                (0, t.spts, t.invflags & super::match_::tcp::INV_SRCPT),
                (1, t.dpts, t.invflags & super::match_::tcp::INV_DSTPT),
            ],
            Match::Udp(u) => vec![
                (0, u.spts, u.invflags & super::match_::udp::INV_SRCPT),
                (1, u.dpts, u.invflags & super::match_::udp::INV_DSTPT),
            ],
            _ => continue,
        };
        for (which, range, inv) in slots {
            if inv != 0 || range[1] != 0xffff || range[0] == 0 || range[0] == 0xffff {
                continue;
            }
            let alt = [0u16, range[0] - 1];
            let mut more = Vec::new();
            for c in &out {
                let mut c = c.clone();
                match &mut c.matches[mi] {
                    Match::Tcp(t) => {
                        if which == 0 {
                            t.spts = alt;
                            t.invflags |= super::match_::tcp::INV_SRCPT;
                        } else {
                            t.dpts = alt;
                            t.invflags |= super::match_::tcp::INV_DSTPT;
                        }
                    }
                    Match::Udp(u) => {
                        if which == 0 {
                            u.spts = alt;
                            u.invflags |= super::match_::udp::INV_SRCPT;
                        } else {
                            u.dpts = alt;
                            u.invflags |= super::match_::udp::INV_DSTPT;
                        }
                    }
                    _ => {}
                }
                more.push(c);
            }
            out.extend(more);
        }
    }
    out.remove(0);
    out
}

/// An expression's encoding with `NLA_F_NESTED` cleared at every level (the
/// kernel sets it on nests it dumps; requests built here do not), so that
/// kernel and locally built expressions compare by content.
pub fn canon(e: &Expr) -> Vec<u8> {
    let mut w = crate::nla::Writer::new();
    e.write_elem(&mut w);
    norm(&w.buf, 0)
}

/// Clear `NLA_F_NESTED` recursively; the element (depth 0) and its
/// `NFTA_EXPR_DATA` (depth 1) are always nests.
fn norm(b: &[u8], depth: u32) -> Vec<u8> {
    let mut out = crate::nla::Writer::new();
    let mut it = crate::nla::AttrIter::new(bytes::Bytes::copy_from_slice(b));
    for a in it.by_ref() {
        let nest = a.ty & crate::nla::NLA_F_NESTED != 0
            || depth == 0
            || (depth == 1 && a.kind() == crate::expr::NFTA_EXPR_DATA);
        if nest {
            let inner = norm(&a.payload, depth + 1);
            out.put_raw(a.kind(), &inner);
        } else {
            out.put_raw(a.ty, &a.payload);
        }
    }
    if it.malformed() {
        return b.to_vec();
    }
    out.buf
}
