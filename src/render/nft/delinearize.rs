//! Register-level decoding of a rule's expressions into nft statements
//! (nft's `netlink_parse_*`): loads go into registers, consumers build
//! relational expressions and statements from them. Expressions nft cannot
//! decode, and loads no statement uses, become raw statements.

use super::attrs::{Attrs, Data};
use super::dtype::{padded_len, register_space, Bo, Dt};
use super::expr::{Expr, Kind, Op};
use super::exthdr;
use super::keys;
use super::num::Num;
use super::payload;
use super::set::SetInfo;
use super::stmt::{nat_type, Log, Nat, Stmt, Xt};
use crate::expr::Expr as KExpr;
use std::collections::HashMap;

/// Number of 32-bit registers.
const MAX_REGS: usize = 16;

/// The sets of one table, by name.
pub type Sets = HashMap<String, SetInfo>;

/// A set of expression indices (index 127 stands for all from 127 on).
type Src = u128;

fn bit(i: u16) -> Src {
    1u128 << (i.min(127))
}

/// A register value and the expressions it was built from.
#[derive(Clone)]
struct RegVal {
    e: Expr,
    src: Src,
}

/// Decoding state of one rule.
pub struct Ctx<'a> {
    family: u8,
    sets: &'a Sets,
    regs: Vec<Option<RegVal>>,
    /// Statements with the index of the expression that produced them.
    out: Vec<(u16, Stmt)>,
    produced: Src,
    read: Src,
    consumed: Src,
    nexprs: usize,
    cur: u16,
    buf: crate::nla::Writer,
    /// Set when an xt match/target was seen.
    pub has_xt: bool,
    /// Set when an expression could not be decoded.
    pub has_raw: bool,
}

/// Result of decoding one expression.
type R<T> = Result<T, ()>;

fn translate_reg(r: u32) -> u32 {
    if (1..=4).contains(&r) {
        1 + (r - 1) * 4
    } else if r >= 8 {
        1 + r - 8
    } else {
        r
    }
}

impl<'a> Ctx<'a> {
    /// A fresh context for a rule in a table of `family`.
    pub fn new(family: u8, sets: &'a Sets, nexprs: usize) -> Ctx<'a> {
        Ctx {
            family,
            sets,
            regs: vec![None; MAX_REGS + 1],
            out: Vec::with_capacity(nexprs),
            produced: 0,
            read: 0,
            consumed: 0,
            nexprs,
            cur: 0,
            buf: crate::nla::Writer::with_capacity(256),
            has_xt: false,
            has_raw: false,
        }
    }

    fn set_reg(&mut self, reg: u32, e: Expr) -> R<()> {
        let reg = translate_reg(reg) as usize;
        if reg == 0 || reg > MAX_REGS {
            return Err(());
        }
        self.produced |= bit(self.cur);
        self.regs[reg] = Some(RegVal {
            e,
            src: bit(self.cur),
        });
        Ok(())
    }

    fn set_reg_with(&mut self, reg: u32, e: Expr, src: Src) -> R<()> {
        let r = translate_reg(reg) as usize;
        if r == 0 || r > MAX_REGS {
            return Err(());
        }
        self.produced |= bit(self.cur);
        let src = src | bit(self.cur);
        self.regs[r] = Some(RegVal { e, src });
        Ok(())
    }

    /// Read a register (translated number), recording the read.
    fn get_raw(&mut self, reg: u32) -> Option<RegVal> {
        let reg = reg as usize;
        if reg == 0 || reg > MAX_REGS {
            return None;
        }
        let v = self.regs[reg].clone()?;
        self.read |= v.src;
        Some(v)
    }

    fn get(&mut self, reg: u32) -> R<RegVal> {
        self.get_raw(translate_reg(reg)).ok_or(())
    }

    fn consume(&mut self, src: &Src) {
        self.consumed |= *src;
    }

    fn emit(&mut self, s: Stmt) {
        self.out.push((self.cur, s));
    }

    /// `netlink_parse_concat_expr`.
    fn concat_expr(&mut self, reg: u32, len: u32) -> R<(Expr, Src)> {
        let mut reg = translate_reg(reg);
        let mut left = len;
        let mut parts = Vec::new();
        let mut src: Src = 0;
        while left > 0 {
            let v = self.get_raw(reg).ok_or(())?;
            let consumed = padded_len(v.e.len);
            if consumed == 0 || consumed > left {
                return Err(());
            }
            left -= consumed;
            reg += register_space(v.e.len);
            src |= v.src;
            parts.push(v.e);
        }
        Ok((
            Expr::new(Kind::Concat(parts), Dt::Invalid, Bo::Invalid, 0),
            src,
        ))
    }

    /// `netlink_parse_concat_key`: like concat_expr, typed by the set key.
    fn concat_key(&mut self, reg: u32, key: &Expr) -> R<(Expr, Src)> {
        let (mut c, src) = self.concat_expr(reg, key.len)?;
        if let (Dt::Concat(t), Kind::Concat(parts)) = (key.dt, &mut c.kind) {
            let subs = super::dtype::concat_subtypes(t).unwrap_or_default();
            for (i, p) in parts.iter_mut().enumerate() {
                if let Some(d) = subs.get(i) {
                    p.set_type(*d, d.byteorder());
                }
            }
        }
        Ok((c, src))
    }

    /// Decode one kernel expression.
    pub fn parse(&mut self, idx: usize, ke: &KExpr) {
        let mut buf = std::mem::take(&mut self.buf);
        {
            let a = Attrs::of(ke, &mut buf);
            self.parse_attrs(idx, &a, &|| ke.to_string());
        }
        self.buf = buf;
    }

    /// Decode one expression given as attributes; `raw` gives its netlink
    /// debug text when it cannot be decoded.
    pub fn parse_attrs(&mut self, idx: usize, a: &Attrs<'_>, raw: &dyn Fn() -> String) {
        self.cur = idx.min(u16::MAX as usize) as u16;
        if self.dispatch(a).is_err() {
            self.has_raw = true;
            self.emit(Stmt::Raw(raw()));
        }
    }

    /// Decode a single expression on its own (set and element statements);
    /// `None` when it is not a statement nft can print.
    pub fn parse_single(family: u8, ke: &KExpr) -> Option<Stmt> {
        let sets = Sets::new();
        let mut c = Ctx::new(family, &sets, 1);
        let mut buf = crate::nla::Writer::new();
        let a = Attrs::of(ke, &mut buf);
        c.dispatch(&a).ok()?;
        c.out.pop().map(|(_, s)| s)
    }

    fn dispatch(&mut self, a: &Attrs) -> R<()> {
        match a.name {
            "immediate" => self.immediate(a),
            "cmp" => self.cmp(a),
            "lookup" => self.lookup(a),
            "bitwise" => self.bitwise(a),
            "byteorder" => self.byteorder(a),
            "payload" => self.payload(a),
            "exthdr" | "tcpopt" => self.exthdr(a),
            "meta" => self.meta(a),
            "socket" => {
                let key = a.u32z(1);
                let (_, dt, bo, len) = keys::socket_tmpl(key).ok_or(())?;
                let e = Expr::new(
                    Kind::Socket {
                        key,
                        level: a.u32z(3),
                    },
                    dt,
                    bo,
                    len,
                );
                self.set_reg(a.u32z(2), e)
            }
            "osf" => {
                let e = Expr::new(
                    Kind::Osf {
                        ttl: a.u8z(2),
                        flags: a.u32z(3),
                    },
                    Dt::String,
                    Bo::Host,
                    16 * 8,
                );
                self.set_reg(a.u32z(1), e)
            }
            "rt" => {
                let key = a.u32z(2);
                let (_, dt, bo, len) = keys::rt_tmpl(key).ok_or(())?;
                self.set_reg(a.u32z(1), Expr::new(Kind::Rt { key }, dt, bo, len))
            }
            "ct" => self.ct(a),
            "connlimit" => {
                self.emit(Stmt::Connlimit {
                    count: a.u32z(1),
                    flags: a.u32z(2),
                });
                Ok(())
            }
            "counter" => {
                self.emit(Stmt::Counter {
                    bytes: a.u64z(1),
                    packets: a.u64z(2),
                });
                Ok(())
            }
            "log" => {
                let l = Log {
                    prefix: a.str(2),
                    group: a.has(1).then(|| a.u16z(1)),
                    snaplen: a.has(3).then(|| a.u32z(3)),
                    qthreshold: a.has(4).then(|| a.u16z(4)),
                    level: a.has(5).then(|| a.u32z(5)),
                    logflags: a.u32z(6),
                };
                self.emit(Stmt::Log(l));
                Ok(())
            }
            "limit" => {
                self.emit(Stmt::Limit {
                    rate: a.u64z(1),
                    unit: a.u64z(2),
                    burst: a.u32z(3),
                    ty: a.u32z(4),
                    flags: a.u32z(5),
                });
                Ok(())
            }
            "range" => self.range(a),
            "reject" => {
                self.emit(Stmt::Reject {
                    ty: a.u32z(1),
                    code: a.u8z(2),
                    family: 0,
                    verbose: false,
                    expr_dt: Dt::Integer,
                });
                Ok(())
            }
            "nat" => self.nat(a),
            "tproxy" => self.tproxy(a),
            "notrack" => {
                self.emit(Stmt::Notrack);
                Ok(())
            }
            "masq" => self.masq_redir(a, nat_type::MASQ, 1, 2, 3),
            "redir" => self.masq_redir(a, nat_type::REDIR, 3, 1, 2),
            "dup" => self.dup(a),
            "queue" => self.queue(a),
            "dynset" => self.dynset(a),
            "fwd" => self.fwd(a),
            "match" | "target" => {
                let xt = Xt {
                    target: a.name == "target",
                    name: a.str(1).ok_or(())?,
                    rev: a.u32z(2),
                    info: a.get(3).map(|b| b.to_vec()).unwrap_or_default(),
                    family: self.family,
                };
                self.has_xt = true;
                self.emit(Stmt::Xt(xt));
                Ok(())
            }
            "objref" => self.objref(a),
            "quota" => {
                self.emit(Stmt::Quota {
                    bytes: a.u64z(1),
                    flags: a.u32z(2),
                    used: a.u64z(4),
                });
                Ok(())
            }
            "numgen" => {
                let e = Expr::new(
                    Kind::Numgen {
                        ty: a.u32z(3),
                        modulus: a.u32z(2),
                        offset: a.u32z(4),
                    },
                    Dt::Integer,
                    Bo::Host,
                    32,
                );
                self.set_reg(a.u32z(1), e)
            }
            "hash" => self.hash(a),
            "fib" => {
                let e = keys::fib_expr(a.u32z(3), a.u32z(2)).ok_or(())?;
                self.set_reg(a.u32z(1), e)
            }
            "flow_offload" => {
                self.emit(Stmt::FlowOffload {
                    table: a.str(1).unwrap_or_default(),
                });
                Ok(())
            }
            "xfrm" => {
                let key = a.u32z(2);
                let (_, dt, bo, len) =
                    keys::xfrm_tmpl(key).unwrap_or(("", Dt::Invalid, Bo::Invalid, 0));
                let e = Expr::new(
                    Kind::Xfrm {
                        key,
                        dir: a.u8z(3),
                        spnum: a.u32z(4),
                    },
                    dt,
                    bo,
                    len,
                );
                self.set_reg(a.u32z(1), e)
            }
            "synproxy" => {
                self.emit(Stmt::Synproxy {
                    mss: a.u16z(1),
                    wscale: a.u8z(2),
                    flags: a.u32z(3),
                });
                Ok(())
            }
            _ => Err(()),
        }
    }

    fn immediate(&mut self, a: &Attrs) -> R<()> {
        let dreg = a.u32z(1);
        let data = a.data(2).ok_or(())?;
        if dreg == 0 {
            let (code, chain) = match data {
                Data::Verdict(c, ch) => (c, ch),
                Data::Value(_) => return Err(()),
            };
            let chain = if code == -3 || code == -4 {
                chain
            } else {
                None
            };
            let e = Expr::new(Kind::Verdict { code, chain }, Dt::Verdict, Bo::Invalid, 0);
            self.emit(Stmt::Verdict(e));
            Ok(())
        } else {
            match data {
                Data::Value(v) => self.set_reg(dreg, Expr::from_data(v)),
                Data::Verdict(..) => Err(()),
            }
        }
    }

    fn cmp(&mut self, a: &Attrs) -> R<()> {
        let sreg = a.u32z(1);
        let v = self.get(sreg)?;
        let op = match a.u32z(2) {
            0 => Op::Eq,
            1 => Op::Neq,
            2 => Op::Lt,
            3 => Op::Lte,
            4 => Op::Gt,
            5 => Op::Gte,
            _ => return Err(()),
        };
        let bytes = match a.data(3).ok_or(())? {
            Data::Value(b) => b,
            Data::Verdict(..) => return Err(()),
        };
        let mut left = v.e;
        let mut src = v.src;
        let mut right = Expr::from_data(bytes);
        if left.len > right.len && left.dt.root() != Dt::String {
            let shift = left.len - right.len;
            if let Some(n) = right.num_mut() {
                *n = n.shl(shift);
            }
            let plen = right.len;
            right.len = left.len;
            right = Expr::prefix(right, plen);
        } else if left.len > 0 && left.len < right.len {
            let (c, s) = self.concat_expr(sreg, right.len)?;
            src = s;
            let r = concat_data(&c, right)?;
            left = c;
            right = r;
        }
        self.consume(&src);
        self.emit(Stmt::Expr(Expr::relational(op, left, right)));
        Ok(())
    }

    fn set_ref(&self, name: &str) -> R<&'a SetInfo> {
        self.sets.get(name).ok_or(())
    }

    fn lookup(&mut self, a: &Attrs) -> R<()> {
        let name = a.str(1).ok_or(())?;
        let set = self.set_ref(&name)?;
        let sreg = a.u32z(2);
        let v = self.get(sreg)?;
        let (mut left, mut src) = (v.e, v.src);
        if left.len < set.key.len {
            let (c, s) = self.concat_expr(sreg, set.key.len)?;
            left = c;
            src = s;
        }
        let right = set.reference();
        let mut e;
        if a.has(3) {
            let dreg = a.u32z(3);
            e = Expr::map(left, right);
            if dreg != 0 {
                return self.set_reg_with(dreg, e, src);
            }
        } else {
            e = Expr::relational(Op::Eq, left, right);
        }
        if a.has(5) && a.u32z(5) & 1 != 0 {
            e.op = Op::Neq;
        }
        self.consume(&src);
        self.emit(Stmt::Expr(e));
        Ok(())
    }

    fn bitwise(&mut self, a: &Attrs) -> R<()> {
        let v = self.get(a.u32z(1))?;
        let left = v.e;
        let llen = left.len;
        let data = |k: u16| -> R<Expr> {
            match a.data(k) {
                Some(Data::Value(b)) => Ok(Expr::from_data(b)),
                _ => Err(()),
            }
        };
        let e = match a.u32z(6) {
            0 => {
                let mask = data(4)?;
                let xor = data(5)?;
                let mut m = mask.num().copied().unwrap_or(Num::ZERO);
                let mut x = xor.num().copied().unwrap_or(Num::ZERO);
                let mut o = Num::ZERO;
                if m.scan0(0) != mask.len || !x.is_zero() {
                    o = m.and(&x).xor(&x);
                    x = x.and(&m);
                    m = m.or(&o);
                }
                let mut e = left;
                if !(llen > 0 && m.scan0(0) == llen) {
                    let mut mk = mask.clone();
                    if let Some(n) = mk.num_mut() {
                        *n = m;
                    }
                    e = Expr::binop(Op::And, e, mk);
                    e.len = llen;
                }
                if !x.is_zero() {
                    let mut xe = xor.clone();
                    if let Some(n) = xe.num_mut() {
                        *n = x;
                    }
                    e = Expr::binop(Op::Xor, e, xe);
                    e.len = llen;
                }
                if !o.is_zero() {
                    let mut oe = xor;
                    if let Some(n) = oe.num_mut() {
                        *n = o;
                    }
                    e = Expr::binop(Op::Or, e, oe);
                    e.len = llen;
                }
                e
            }
            op @ (1 | 2) => {
                let mut r = data(7)?;
                r.bo = Bo::Host;
                let mut e = Expr::binop(if op == 1 { Op::Lshift } else { Op::Rshift }, left, r);
                e.len = llen;
                e
            }
            _ => return Err(()),
        };
        self.set_reg_with(a.u32z(2), e, v.src)
    }

    fn byteorder(&mut self, a: &Attrs) -> R<()> {
        let v = self.get(a.u32z(1))?;
        let op = match a.u32z(3) {
            0 => Op::Ntoh,
            1 => Op::Hton,
            _ => return Err(()),
        };
        let len = v.e.len;
        let mut e = Expr::new(Kind::Unary(Box::new(v.e)), Dt::Invalid, Bo::Invalid, len);
        e.op = op;
        self.set_reg_with(a.u32z(2), e, v.src)
    }

    fn payload(&mut self, a: &Attrs) -> R<()> {
        let base = a.u32z(2).wrapping_add(1);
        if base > 255 {
            return Err(());
        }
        let off = a.u32z(3).wrapping_mul(8);
        let len = a.u32z(4).wrapping_mul(8);
        let e = payload::raw(base as u8, off, len);
        if a.has(1) {
            self.set_reg(a.u32z(1), e)
        } else {
            let v = self.get(a.u32z(5))?;
            self.consume(&v.src);
            self.emit(Stmt::Payload {
                expr: e,
                val: Box::new(v.e),
            });
            Ok(())
        }
    }

    fn exthdr(&mut self, a: &Attrs) -> R<()> {
        let e = exthdr::raw(
            a.u8z(2),
            a.u32z(3).wrapping_mul(8),
            a.u32z(4).wrapping_mul(8),
            a.u32z(6),
            a.u32z(5),
        );
        if a.has(1) {
            self.set_reg(a.u32z(1), e)
        } else if a.has(7) {
            let v = self.get(a.u32z(7))?;
            let mut val = v.e;
            val.set_type(e.dt, e.bo);
            self.consume(&v.src);
            self.emit(Stmt::Exthdr {
                expr: e,
                val: Box::new(val),
            });
            Ok(())
        } else {
            let mut e = e;
            if let Kind::Exthdr(x) = &mut e.kind {
                x.flags |= exthdr::F_PRESENT;
            }
            self.emit(Stmt::Optstrip(e));
            Ok(())
        }
    }

    fn meta(&mut self, a: &Attrs) -> R<()> {
        let key = a.u32z(2);
        if a.has(1) {
            let e = keys::meta_expr(key).ok_or(())?;
            self.set_reg(a.u32z(1), e)
        } else {
            let v = self.get(a.u32z(3))?;
            let (_, dt, bo, _) = keys::meta_tmpl(key).ok_or(())?;
            let mut e = v.e;
            e.set_type(dt, bo);
            self.consume(&v.src);
            self.emit(Stmt::Meta { key, expr: e });
            Ok(())
        }
    }

    fn ct(&mut self, a: &Attrs) -> R<()> {
        let key = a.u32z(2);
        let dir = if a.has(3) { a.u8z(3) as i8 } else { -1 };
        if a.has(1) {
            let e = keys::ct_expr(key, dir).ok_or(())?;
            self.set_reg(a.u32z(1), e)
        } else {
            let v = self.get(a.u32z(4))?;
            let (_, dt, bo, _) = keys::ct_tmpl(key).ok_or(())?;
            let mut e = v.e;
            e.set_type(dt, bo);
            self.consume(&v.src);
            self.emit(Stmt::Ct { key, dir, expr: e });
            Ok(())
        }
    }

    fn range(&mut self, a: &Attrs) -> R<()> {
        let v = self.get(a.u32z(1))?;
        let op = match a.u32z(2) {
            0 => Op::Eq,
            1 => Op::Neq,
            _ => Op::Invalid,
        };
        let from = match a.data(3) {
            Some(Data::Value(b)) => Expr::from_data(b),
            _ => return Err(()),
        };
        let to = match a.data(4) {
            Some(Data::Value(b)) => Expr::from_data(b),
            _ => return Err(()),
        };
        self.consume(&v.src);
        self.emit(Stmt::Expr(Expr::relational(op, v.e, Expr::range(from, to))));
        Ok(())
    }

    fn nat(&mut self, a: &Attrs) -> R<()> {
        let mut n = Nat {
            ty: a.u32z(1),
            ..Default::default()
        };
        let family = a.u32z(2) as u8;
        if self.family == 1 {
            n.family = family;
        }
        if a.has(7) {
            n.flags = a.u32z(7);
        }
        if n.flags & 0x40 != 0 {
            n.type_flags |= 2;
        }
        let addr_ty = if family == 2 { Dt::IpAddr } else { Dt::Ip6Addr };
        let mut src: Src = 0;
        let reg1 = translate_reg(a.u32z(3));
        let mut addr: Option<Expr> = None;
        if reg1 != 0 {
            let v = self.get_raw(reg1).ok_or(())?;
            let mut e = v.e;
            e.set_type(addr_ty, Bo::Big);
            src |= v.src;
            addr = Some(e);
        }
        if let Some(x) = addr.as_ref() {
            if is_nat_addr_map(x, family, &mut n) {
                n.family = family;
                n.addr = addr;
                self.consume(&src);
                self.emit(Stmt::Nat(Box::new(n)));
                return Ok(());
            }
        }
        n.addr = addr.clone();
        let reg2 = translate_reg(a.u32z(4));
        if reg2 != 0 && reg2 != reg1 {
            let v = self.get_raw(reg2).ok_or(())?;
            let mut e = v.e;
            e.set_type(addr_ty, Bo::Big);
            src |= v.src;
            if let Some(lo) = n.addr.take() {
                e = super::set::range_to_prefix(Expr::range(lo, e));
            }
            n.addr = Some(e);
        }
        if let Some(x) = n.addr.as_ref() {
            if is_nat_proto_map(x, family) {
                n.family = family;
                n.type_flags |= 4;
                self.consume(&src);
                self.emit(Stmt::Nat(Box::new(n)));
                return Ok(());
            }
        }
        let p1 = translate_reg(a.u32z(5));
        if p1 != 0 {
            let v = self.get_raw(p1).ok_or(())?;
            let mut e = v.e;
            e.set_type(Dt::InetService, Bo::Big);
            src |= v.src;
            n.proto = Some(e);
        }
        let p2 = translate_reg(a.u32z(6));
        if p2 != 0 && p2 != p1 {
            let v = self.get_raw(p2).ok_or(())?;
            let mut e = v.e;
            e.set_type(Dt::InetService, Bo::Big);
            src |= v.src;
            if let Some(lo) = n.proto.take() {
                e = Expr::range(lo, e);
            }
            n.proto = Some(e);
        }
        self.consume(&src);
        self.emit(Stmt::Nat(Box::new(n)));
        Ok(())
    }

    fn masq_redir(&mut self, a: &Attrs, ty: u32, fl: u16, pmin: u16, pmax: u16) -> R<()> {
        let mut n = Nat {
            ty,
            ..Default::default()
        };
        if a.has(fl) {
            n.flags = a.u32z(fl);
        }
        let mut src: Src = 0;
        let r1 = translate_reg(a.u32z(pmin));
        if r1 != 0 {
            let v = self.get_raw(r1).ok_or(())?;
            let mut e = v.e;
            e.set_type(Dt::InetService, Bo::Big);
            src |= v.src;
            n.proto = Some(e);
        }
        let r2 = translate_reg(a.u32z(pmax));
        if r2 != 0 && r2 != r1 {
            let v = self.get_raw(r2).ok_or(())?;
            let mut e = v.e;
            e.set_type(Dt::InetService, Bo::Big);
            src |= v.src;
            if let Some(lo) = n.proto.take() {
                e = Expr::range(lo, e);
            }
            n.proto = Some(e);
        }
        self.consume(&src);
        self.emit(Stmt::Nat(Box::new(n)));
        Ok(())
    }

    fn tproxy(&mut self, a: &Attrs) -> R<()> {
        let family = a.u32z(1);
        let mut src: Src = 0;
        let mut addr = None;
        let r = translate_reg(a.u32z(2));
        if r != 0 {
            let v = self.get_raw(r).ok_or(())?;
            let mut e = v.e;
            match family {
                2 => e.set_type(Dt::IpAddr, Bo::Big),
                10 => e.set_type(Dt::Ip6Addr, Bo::Big),
                _ => return Err(()),
            }
            src |= v.src;
            addr = Some(Box::new(e));
        }
        let mut port = None;
        let r = translate_reg(a.u32z(3));
        if r != 0 {
            let v = self.get_raw(r).ok_or(())?;
            let mut e = v.e;
            e.set_type(Dt::InetService, Bo::Big);
            src |= v.src;
            port = Some(Box::new(e));
        }
        self.consume(&src);
        self.emit(Stmt::Tproxy {
            family,
            table_family: self.family,
            addr,
            port,
        });
        Ok(())
    }

    fn dup(&mut self, a: &Attrs) -> R<()> {
        let mut src: Src = 0;
        let mut to = None;
        let mut dev = None;
        let r1 = translate_reg(a.u32z(1));
        if r1 != 0 {
            let v = self.get_raw(r1).ok_or(())?;
            let mut e = v.e;
            match self.family {
                2 => e.set_type(Dt::IpAddr, Bo::Big),
                10 => e.set_type(Dt::Ip6Addr, Bo::Big),
                _ => {}
            }
            src |= v.src;
            to = Some(Box::new(e));
        }
        let r2 = translate_reg(a.u32z(2));
        if r2 != 0 {
            let v = self.get_raw(r2).ok_or(())?;
            let mut e = v.e;
            e.set_type(Dt::Ifindex, Bo::Host);
            src |= v.src;
            if to.is_none() {
                to = Some(Box::new(e));
            } else {
                dev = Some(Box::new(e));
            }
        }
        self.consume(&src);
        self.emit(Stmt::Dup { to, dev });
        Ok(())
    }

    fn fwd(&mut self, a: &Attrs) -> R<()> {
        let mut src: Src = 0;
        let mut dev = None;
        let r1 = translate_reg(a.u32z(1));
        if r1 != 0 {
            let v = self.get_raw(r1).ok_or(())?;
            let mut e = v.e;
            e.set_type(Dt::Ifindex, Bo::Host);
            src |= v.src;
            dev = Some(Box::new(e));
        }
        let family = a.u32z(3);
        let mut addr = None;
        if a.has(2) {
            let r2 = translate_reg(a.u32z(2));
            if r2 != 0 {
                let v = self.get_raw(r2).ok_or(())?;
                let mut e = v.e;
                match family {
                    2 => e.set_type(Dt::IpAddr, Bo::Big),
                    10 => e.set_type(Dt::Ip6Addr, Bo::Big),
                    _ => return Err(()),
                }
                src |= v.src;
                addr = Some(Box::new(e));
            }
        }
        self.consume(&src);
        self.emit(Stmt::Fwd { dev, addr, family });
        Ok(())
    }

    fn queue(&mut self, a: &Attrs) -> R<()> {
        let queue = if a.has(4) {
            let v = self.get(a.u32z(4))?;
            self.consume(&v.src);
            v.e
        } else {
            let num = a.u16z(1);
            let total = a.u16z(2);
            let lo = Expr::value(Dt::Integer, Bo::Host, 16, Num::from_u64(num as u64));
            if total > 1 {
                let hi = Expr::value(
                    Dt::Integer,
                    Bo::Host,
                    16,
                    Num::from_u64((total as u64 + num as u64 - 1) & 0xffff),
                );
                Expr::range(lo, hi)
            } else {
                lo
            }
        };
        self.emit(Stmt::Queue {
            queue: Some(queue),
            flags: a.u16z(3),
        });
        Ok(())
    }

    fn dynset(&mut self, a: &Attrs) -> R<()> {
        let name = a.str(1).ok_or(())?;
        let set = self.set_ref(&name)?;
        let sreg = a.u32z(4);
        let v = self.get(sreg)?;
        let (mut key, mut src) = (v.e, v.src);
        if key.len < set.key.len {
            let (c, s) = self.concat_key(sreg, &set.key)?;
            key = c;
            src = s;
        }
        let mut elem = Expr::set_elem(key);
        if let Kind::SetElem(se) = &mut elem.kind {
            se.timeout = a.u64z(6);
        }
        let mut stmts = Vec::new();
        if let Some(inner) = a.expr(7) {
            let mut ib = crate::nla::Writer::new();
            let ia = Attrs::of(&inner, &mut ib);
            let before = self.out.len();
            self.dispatch(&ia)?;
            if self.out.len() != before + 1 {
                return Err(());
            }
            if let Some((_, s)) = self.out.pop() {
                stmts.push(s);
            }
        } else if a.has(10) {
            for inner in a.exprs(10) {
                let mut ib = crate::nla::Writer::new();
                let ia = Attrs::of(&inner, &mut ib);
                let before = self.out.len();
                self.dispatch(&ia)?;
                if self.out.len() != before + 1 {
                    return Err(());
                }
                if let Some((_, s)) = self.out.pop() {
                    stmts.push(s);
                }
            }
        }
        let mut data = None;
        if a.has(5) {
            let dreg = a.u32z(5);
            let v = self.get(dreg)?;
            let mut d = v.e;
            src |= v.src;
            let dlen = set.data.as_ref().map(|x| x.len).unwrap_or(0);
            if d.len < dlen {
                let (c, s) = self.concat_expr(dreg, dlen)?;
                d = c;
                src |= s;
            }
            data = Some(d);
        }
        let op = a.u32z(3);
        let setref = set.reference();
        let st = if let Some(mut d) = data {
            if let Some(sd) = &set.data {
                d.set_type(sd.dt, sd.bo);
            }
            Stmt::Map {
                op,
                set: Box::new(setref),
                key: Box::new(elem),
                data: Box::new(d),
                stmts,
            }
        } else if !stmts.is_empty() && set.flags & 1 != 0 {
            Stmt::Meter {
                set: Box::new(setref),
                key: Box::new(elem),
                stmt: Box::new(stmts.remove(0)),
                size: set.size,
            }
        } else {
            Stmt::Set {
                op,
                set: Box::new(setref),
                key: Box::new(elem),
                stmts,
            }
        };
        self.consume(&src);
        self.emit(st);
        Ok(())
    }

    fn objref(&mut self, a: &Attrs) -> R<()> {
        let (ty, e) = if a.has(2) {
            let name = a.get(2).ok_or(())?;
            let mut e = Expr::from_data(name);
            e.dt = Dt::String;
            e.bo = Bo::Host;
            (a.u32z(1), e)
        } else if a.has(3) {
            let name = a.str(4).ok_or(())?;
            let set = self.set_ref(&name)?;
            let sreg = a.u32z(3);
            let v = self.get(sreg)?;
            let (mut left, mut src) = (v.e, v.src);
            if left.len < set.key.len {
                let (c, s) = self.concat_expr(sreg, set.key.len)?;
                left = c;
                src = s;
            }
            self.consume(&src);
            let mut m = Expr::map(left, set.reference());
            m.set_type(Dt::String, Bo::Host);
            (set.objtype, m)
        } else {
            return Err(());
        };
        self.emit(Stmt::Objref { ty, expr: e });
        Ok(())
    }

    fn hash(&mut self, a: &Attrs) -> R<()> {
        let ty = a.u32z(7);
        let mut inner = None;
        let mut src: Src = 0;
        if ty != 1 {
            let sreg = a.u32z(1);
            let v = self.get(sreg)?;
            let len = a.u32z(3).wrapping_mul(8);
            let (mut h, mut s) = (v.e, v.src);
            if h.len < len {
                let (c, s2) = self.concat_expr(sreg, len)?;
                h = c;
                s = s2;
            }
            inner = Some(Box::new(h));
            src = s;
        }
        let e = Expr::new(
            Kind::Hash {
                ty,
                modulus: a.u32z(4),
                seed: if a.has(5) { Some(a.u32z(5)) } else { None },
                offset: a.u32z(6),
                expr: inner,
            },
            Dt::Integer,
            Bo::Host,
            32,
        );
        self.set_reg_with(a.u32z(2), e, src)
    }

    /// Finish: add raw statements for loads no statement used (or that
    /// only undecodable expressions read), and return the statements in
    /// expression order plus whether anything had to be printed raw.
    pub fn finish(self, exprs: &[KExpr]) -> (Vec<Stmt>, bool) {
        self.finish_with(&|i| exprs.get(i).map(|e| e.to_string()).unwrap_or_default())
    }

    /// [`Ctx::finish`] with the raw text of expression `i` from `raw`.
    pub fn finish_with(self, raw: &dyn Fn(usize) -> String) -> (Vec<Stmt>, bool) {
        let mut live: Src = 0;
        for v in self.regs.iter().flatten() {
            live |= v.src;
        }
        let extra = self.produced & !self.consumed & (self.read | live);
        let has_raw = self.has_raw || extra != 0;
        if extra == 0 {
            return (self.out.into_iter().map(|(_, s)| s).collect(), has_raw);
        }
        let mut all: Vec<(u16, u8, Stmt)> = self.out.into_iter().map(|(i, s)| (i, 1, s)).collect();
        for i in 0..self.nexprs.min(128) {
            if extra & bit(i as u16) != 0 {
                let text = raw(i);
                all.push((i as u16, 0, Stmt::Raw(text)));
            }
        }
        all.sort_by_key(|(i, k, _)| (*i, *k));
        (all.into_iter().map(|(_, _, s)| s).collect(), has_raw)
    }
}

/// `netlink_parse_concat_data`: split a constant to match register sizes.
fn concat_data(concat: &Expr, data: Expr) -> R<Expr> {
    let Kind::Concat(parts) = &concat.kind else {
        return Err(());
    };
    let mut d = data;
    let mut out = Vec::new();
    for p in parts {
        out.push(splice(&mut d, p.len));
        d.len = d.len.saturating_sub(padded_len(p.len) - p.len);
    }
    Ok(Expr::new(Kind::Concat(out), Dt::Invalid, Bo::Invalid, 0))
}

/// `constant_expr_splice`: cut the top `len` bits off a constant.
pub fn splice(e: &mut Expr, len: u32) -> Expr {
    let len = len.min(e.len);
    let v = e.num().copied().unwrap_or(Num::ZERO);
    let slice = v.shr(e.len - len).and(&Num::mask(len));
    e.len -= len;
    let rest = v.and(&Num::mask(e.len));
    if let Some(n) = e.num_mut() {
        *n = rest;
    }
    Expr::value(Dt::Invalid, Bo::Invalid, len, slice)
}

fn set_data_len_interval(e: &Expr) -> Option<(u32, bool)> {
    if let Kind::Map(_, m) = &e.kind {
        if let Kind::SetRef(s) = &m.kind {
            return Some((s.data_len, s.data_interval));
        }
    }
    None
}

fn is_nat_addr_map(addr: &Expr, family: u8, n: &mut Nat) -> bool {
    let Some((len, interval)) = set_data_len_interval(addr) else {
        return false;
    };
    if !interval {
        return false;
    }
    n.family = family;
    match family {
        2 => {
            if len == 64 {
                n.type_flags |= 1;
                return true;
            } else if len == 128 {
                n.type_flags |= 1 | 4;
                return true;
            }
        }
        10 => {
            if len == 256 {
                n.type_flags |= 1;
                return true;
            } else if len == 128 + 32 + 128 + 32 {
                n.type_flags |= 1 | 4;
                return true;
            }
        }
        _ => {}
    }
    false
}

fn is_nat_proto_map(addr: &Expr, family: u8) -> bool {
    let Some((len, _)) = set_data_len_interval(addr) else {
        return false;
    };
    match family {
        2 => len == 64,
        10 => len == 160,
        _ => false,
    }
}
