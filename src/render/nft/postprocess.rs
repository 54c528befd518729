//! Rule post-processing (nft's `rule_parse_postprocess`): type the raw
//! constants from the protocol context, split merged payload loads, turn
//! masks into prefixes and flag lists, merge `>=`/`<=` into ranges, and
//! drop protocol matches that a later match implies.

use super::dtype::{concat_add, concat_subtypes, Bo, Dt};
use super::expr::{flags, Expr, Kind, Op, BASE_LL, BASE_NETWORK, BASE_TRANSPORT};
use super::exthdr;
use super::keys;
use super::num::Num;
use super::payload;
use super::proto::{hook_desc, icmp_dep_to_type, ProtoCtx, ProtoId};
use super::set::{bitmask_to_binops, switch};
use super::stmt::Stmt;

const IN_CONCAT: u8 = 1;
const IN_SET_ELEM: u8 = 2;

/// Post-processing state of one rule.
pub struct Pp {
    pctx: ProtoCtx,
    deps: [Option<usize>; 6],
    prev: Option<usize>,
    icmp_type: u8,
    flags: u8,
    out: Vec<Option<Stmt>>,
    family: u8,
    dropped: bool,
}

fn rel_parts(e: &Expr) -> Option<(&Expr, &Expr)> {
    match &e.kind {
        Kind::Relational(l, r) => Some((l, r)),
        _ => None,
    }
}

fn u8_of(e: &Expr) -> u8 {
    e.num().map(|n| n.low_u64() as u8).unwrap_or(0)
}

fn u16_of(e: &Expr) -> u16 {
    e.num().map(|n| n.low_u64() as u16).unwrap_or(0)
}

impl Pp {
    fn new(family: u8) -> Pp {
        Pp {
            pctx: ProtoCtx::new(family),
            deps: [None; 6],
            prev: None,
            icmp_type: 0,
            flags: 0,
            out: Vec::new(),
            family,
            dropped: false,
        }
    }

    fn dep_reset(&mut self) {
        self.deps = [None; 6];
        self.prev = None;
        self.icmp_type = 0;
    }

    fn dep_slot(&self, base: u8) -> Option<usize> {
        let b = base as usize;
        if let Some(Some(i)) = self.deps.get(b) {
            return Some(*i);
        }
        if base == BASE_TRANSPORT {
            if let Some(i) = self.deps[4] {
                return Some(i);
            }
        }
        None
    }

    fn dep_exists(&self, base: u8) -> bool {
        self.dep_slot(base).is_some()
    }

    fn dep_expr(&self, base: u8) -> Option<&Expr> {
        let i = self.dep_slot(base)?;
        match self.out.get(i)? {
            Some(Stmt::Expr(e)) => Some(e),
            _ => None,
        }
    }

    fn dep_release(&mut self, base: u8) {
        let b = base as usize;
        let slot = if b < self.deps.len() && self.deps[b].is_some() {
            b
        } else if base == BASE_TRANSPORT && self.deps[4].is_some() {
            4
        } else {
            return;
        };
        if let Some(i) = self.deps[slot].take() {
            if let Some(s) = self.out.get_mut(i) {
                *s = None;
            }
            if self.prev == Some(i) {
                self.prev = None;
            }
        }
    }

    /// `payload_dependency_store`.
    fn dep_store(&mut self, idx: usize, stmt: &Expr, base: u8) {
        if self.store_icmp_type(stmt) {
            return;
        }
        if let Some(s) = self.deps.get_mut(base as usize + 1) {
            *s = Some(idx);
        }
    }

    fn store_icmp_type(&mut self, dep: &Expr) -> bool {
        let Some((l, r)) = rel_parts(dep) else {
            return false;
        };
        let Some(p) = payload::pl(l) else {
            return false;
        };
        if !r.is_value() || r.len != 8 {
            return false;
        }
        let mut t = u8_of(r);
        match p.desc {
            Some(ProtoId::Icmp) => {
                if t == 0 {
                    t = 8;
                }
                self.icmp_type = t;
                t == 8
            }
            Some(ProtoId::Icmp6) => {
                self.icmp_type = t;
                t == 128 || t == 129
            }
            _ => false,
        }
    }

    /// `payload_dependency_kill`.
    fn dep_kill(&mut self, e: &Expr) {
        let Some(p) = payload::pl(e) else { return };
        if p.desc.is_none() || !self.dep_exists(p.base) {
            return;
        }
        if self.may_kill(e) {
            self.dep_release(p.base);
        }
    }

    fn may_kill(&self, e: &Expr) -> bool {
        let Some(p) = payload::pl(e) else {
            return false;
        };
        let Some(dep) = self.dep_expr(p.base) else {
            return true;
        };
        let Some((dl, dr)) = rel_parts(dep) else {
            return true;
        };
        let dp = payload::pl(dl);
        if matches!(self.family, 7 | 5 | 1) {
            if let Some(dp) = dp {
                if dp.base == BASE_NETWORK
                    && matches!(dp.desc, Some(ProtoId::Ip) | Some(ProtoId::Ip6))
                    && p.base == BASE_TRANSPORT
                {
                    return false;
                }
                if dep.op == Op::Eq && p.base == dp.base {
                    if e.flags & flags::PROTOCOL != 0 {
                        return false;
                    }
                    if p.base == BASE_LL {
                        if dp.desc == Some(ProtoId::Vlan) {
                            return false;
                        }
                        if dp.desc == Some(ProtoId::Eth) && dr.is_value() && dr.len == 16 {
                            return u16_of(dr) == 0x8100;
                        }
                        return true;
                    }
                }
            }
        }
        if p.base != BASE_TRANSPORT {
            return true;
        }
        let Some(dp) = dp else { return true };
        if dp.base != BASE_TRANSPORT {
            return true;
        }
        if matches!(dp.desc, Some(ProtoId::Icmp) | Some(ProtoId::Icmp6)) {
            let dep_t = p
                .desc
                .and_then(|d| p.tmpl.map(|i| d.tmpl(i).icmp_dep))
                .unwrap_or(0);
            if dep_t == 0 {
                return false;
            }
            if dp.desc != p.desc {
                return false;
            }
            return self.icmp_type == icmp_dep_to_type(dep_t);
        }
        true
    }

    /// `exthdr_dependency_kill`.
    fn exthdr_dep_kill(&mut self, e: &Expr) {
        if let Kind::Exthdr(x) = &e.kind {
            match x.op {
                exthdr::OP_TCPOPT if self.dep_exists(BASE_TRANSPORT) => {
                    self.dep_release(BASE_TRANSPORT);
                }
                exthdr::OP_IPV6 | exthdr::OP_IPV4 if self.dep_exists(BASE_NETWORK) => {
                    self.dep_release(BASE_NETWORK);
                }
                _ => {}
            }
        }
    }

    /// `relational_expr_pctx_update`.
    fn pctx_update_rel(&mut self, rel: &Expr) {
        let Some((l, r)) = rel_parts(rel) else { return };
        if l.flags & flags::PROTOCOL == 0 {
            return;
        }
        if r.is_singleton() {
            self.pctx_update(l, r);
        } else if let Kind::Set { elems, .. } = &r.kind {
            for i in elems {
                if let Kind::SetElem(se) = &i.kind {
                    if se.key.is_value() {
                        self.pctx_update(l, &se.key);
                    }
                }
            }
        }
    }

    fn pctx_update(&mut self, l: &Expr, r: &Expr) {
        match &l.kind {
            Kind::Payload(_) => payload::pctx_update(&mut self.pctx, l, r),
            Kind::Meta { key, .. } => self.meta_pctx_update(*key, r),
            Kind::Ct { base, .. } => {
                let nh = r.num().map(|n| n.low_u64() as u32).unwrap_or(0);
                let Some(b) = self.pctx.desc(*base) else {
                    return;
                };
                let Some(d) = b.find_upper(nh) else { return };
                self.pctx.update(base + 1, d);
            }
            _ => {}
        }
    }

    fn meta_pctx_update(&mut self, key: u32, r: &Expr) {
        let Some((hbase, hdesc)) = hook_desc(self.family) else {
            return;
        };
        match key {
            8 => {
                if hbase < BASE_NETWORK && self.family != 1 && self.family != 5 {
                    return;
                }
                let d = if u16_of(r) == 1 {
                    ProtoId::Eth
                } else {
                    ProtoId::Unknown
                };
                self.pctx.update(BASE_LL, d);
            }
            15 => {
                let n = u8_of(r);
                let d = match hdesc.find_upper(n as u32) {
                    Some(d) => d,
                    None => {
                        if n == self.family && hbase == BASE_NETWORK {
                            hdesc
                        } else {
                            ProtoId::Unknown
                        }
                    }
                };
                self.pctx.update(BASE_NETWORK, d);
            }
            16 => {
                let d = ProtoId::InetService
                    .find_upper(u8_of(r) as u32)
                    .unwrap_or(ProtoId::Unknown);
                self.pctx.update(BASE_TRANSPORT, d);
            }
            1 => {
                if hbase != BASE_LL || (self.family != 5 && self.family != 7) {
                    return;
                }
                let v = u16_of(r).swap_bytes() as u32;
                let d = hdesc.find_upper(v).unwrap_or(ProtoId::Unknown);
                self.pctx.update(BASE_NETWORK, d);
            }
            _ => {}
        }
    }

    /// The index the current statement will get.
    fn cur_index(&self) -> usize {
        self.out.len()
    }

    /// `ct_meta_common_postprocess`.
    fn ct_meta_common(&mut self, e: &mut Expr, base: u8) {
        let Kind::Relational(l, r) = &mut e.kind else {
            return;
        };
        if matches!(r.kind, Kind::Set { .. } | Kind::SetRef(_)) {
            r.set_type(l.dt, l.bo);
        }
        if e.op != Op::Eq {
            return;
        }
        if matches!(r.kind, Kind::Range(..) | Kind::Set { .. } | Kind::SetRef(_)) {
            return;
        }
        let e2 = e.clone();
        self.pctx_update_rel(&e2);
        if base < BASE_TRANSPORT {
            if self.dep_exists(base) && self.meta_may_kill(&e2) {
                self.dep_release(base);
            }
            let is_proto = rel_parts(&e2)
                .map(|(l, _)| l.flags & flags::PROTOCOL != 0)
                .unwrap_or(false);
            if is_proto {
                let idx = self.cur_index();
                self.dep_store(idx, &e2, base);
            }
        }
    }

    fn meta_may_kill(&self, e: &Expr) -> bool {
        let Some(dep) = self.dep_expr(BASE_NETWORK) else {
            return true;
        };
        let Some((dl, dr)) = rel_parts(dep) else {
            return true;
        };
        let nfproto: u8 = match &dl.kind {
            Kind::Meta { key: 15, .. } => u8_of(dr),
            Kind::Meta { key: 1, .. } => ether_to_nfproto(u16_of(dr)),
            Kind::Payload(p) => {
                if p.base != BASE_LL || dl.dt != Dt::EtherType {
                    return true;
                }
                ether_to_nfproto(u16_of(dr))
            }
            _ => return true,
        };
        match self.family {
            1 | 5 | 7 => {}
            2 | 10 => return self.family == nfproto,
            _ => return true,
        }
        let Some((l, r)) = rel_parts(e) else {
            return true;
        };
        if !matches!(l.kind, Kind::Meta { key: 16, .. }) {
            return true;
        }
        let l4 = u8_of(r);
        if l4 != 1 && l4 != 58 {
            return false;
        }
        if (nfproto == 2 && l4 == 58) || (nfproto == 10 && l4 == 1) {
            return false;
        }
        true
    }

    /// `payload_match_expand`.
    fn payload_match_expand(&mut self, e: Expr) {
        let op = e.op;
        let Kind::Relational(left, right) = e.kind else {
            return;
        };
        let mut right = *right;
        let list = payload::expand(&left, &self.pctx);
        for l in list {
            let mut tmp = super::delinearize::splice(&mut right, l.len);
            tmp.set_type(l.dt, l.bo);
            let tlen = payload::pl(&l)
                .and_then(|p| p.desc.zip(p.tmpl))
                .map(|(d, i)| d.tmpl(i).len);
            if let Some(tl) = tlen {
                if l.len < tl {
                    if let Some(n) = tmp.num_mut() {
                        *n = n.shl(tl - l.len);
                    }
                    tmp.len = tl;
                    tmp = Expr::prefix(tmp, l.len);
                }
            }
            let nexpr = Expr::relational(op, l, tmp);
            if op == Op::Eq {
                self.pctx_update_rel(&nexpr);
            }
            let idx = self.out.len();
            let (lbase, is_proto) = match rel_parts(&nexpr) {
                Some((ll, _)) => (
                    payload::pl(ll).map(|p| p.base).unwrap_or(0),
                    ll.flags & flags::PROTOCOL != 0,
                ),
                None => (0, false),
            };
            let mut base = lbase;
            if let Some(d) = self.pctx.desc(base) {
                if self.is_stacked(d, &nexpr) {
                    base = base.saturating_sub(1);
                }
            }
            if let Some((ll, _)) = rel_parts(&nexpr) {
                let ll = ll.clone();
                self.dep_kill(&ll);
            }
            self.out.push(Some(Stmt::Expr(nexpr.clone())));
            if op == Op::Eq && is_proto {
                self.dep_store(idx, &nexpr, base);
            }
        }
        self.dropped = true;
    }

    /// `payload_is_stacked`.
    fn is_stacked(&self, desc: ProtoId, e: &Expr) -> bool {
        let Some((l, r)) = rel_parts(e) else {
            return false;
        };
        if payload::pl(l).is_none() || l.flags & flags::PROTOCOL == 0 || e.op != Op::Eq {
            return false;
        }
        let v = u16_of(r).swap_bytes() as u32;
        match desc.find_upper(v) {
            Some(n) => n.desc().base == desc.desc().base,
            None => false,
        }
    }

    /// `payload_icmp_check`.
    fn icmp_check(&mut self, pl_expr: &mut Expr, value: &Expr) {
        let Some(p) = payload::pl(pl_expr) else {
            return;
        };
        if p.base != BASE_TRANSPORT
            || pl_expr.len != 8
            || value.len != 8
            || self.pctx.icmp_type != 0
        {
            return;
        }
        let Some(desc) = self.pctx.desc(p.base) else {
            return;
        };
        if desc != ProtoId::Icmp && desc != ProtoId::Icmp6 {
            return;
        }
        let off = p.offset;
        let t = u8_of(value);
        for i in 1..desc.ntmpl() {
            let tm = desc.tmpl(i);
            if tm.len == 0 {
                return;
            }
            if tm.offset != off || tm.len != pl_expr.len {
                continue;
            }
            if desc.desc().protocol_key != i {
                return;
            }
            if let Kind::Payload(p) = &mut pl_expr.kind {
                p.desc = Some(desc);
                p.tmpl = Some(i);
            }
            self.pctx.icmp_type = t;
            return;
        }
    }

    /// `payload_match_postprocess` on a relational (or map) whose left is a
    /// payload.
    fn payload_match(&mut self, e: &mut Expr) {
        if matches!(e.op, Op::Eq | Op::Neq) {
            if let Kind::Relational(_, r) = &e.kind {
                if r.is_value() {
                    let taken = std::mem::replace(
                        e,
                        Expr::new(Kind::Catchall, Dt::Invalid, Bo::Invalid, 0),
                    );
                    self.payload_match_expand(taken);
                    return;
                }
            }
            let first_key = match &e.kind {
                Kind::Relational(_, r) => match &r.kind {
                    Kind::SetRef(s) if s.anonymous() => {
                        s.init.as_ref().and_then(|i| match &i.kind {
                            Kind::Set { elems, .. } => elems.first().and_then(|f| match &f.kind {
                                Kind::SetElem(se) if se.key.is_value() => Some(se.key.clone()),
                                _ => None,
                            }),
                            _ => None,
                        })
                    }
                    _ => None,
                },
                _ => None,
            };
            if let (Some(k), Kind::Relational(l, _)) = (first_key, &mut e.kind) {
                self.icmp_check(l, &k);
            }
        }
        let (left, right) = match &mut e.kind {
            Kind::Relational(l, r) | Kind::Map(l, r) | Kind::Binop(l, r) => (l, r),
            _ => return,
        };
        payload::complete(left, &self.pctx);
        right.set_type(left.dt, left.bo);
        let l = (**left).clone();
        self.dep_kill(&l);
    }

    /// `binop_adjust`.
    fn binop_adjust(right: &mut Expr, left_len: u32, shift: u32) {
        fn one(v: &mut Expr, len: u32, shift: u32) {
            if let Some(n) = v.num_mut() {
                *n = n.shr(shift);
            }
            v.len = len;
        }
        match &mut right.kind {
            Kind::Value(_) => one(right, left_len, shift),
            Kind::SetRef(s) => {
                if !s.anonymous() {
                    return;
                }
                if let Some(init) = s.init.as_mut() {
                    if let Kind::Set { elems, .. } = &mut init.kind {
                        for i in elems {
                            i.with_key(|k| match &mut k.kind {
                                Kind::Value(_) => one(k, left_len, shift),
                                Kind::Range(a, b) => {
                                    one(a, left_len, shift);
                                    one(b, left_len, shift);
                                }
                                _ => {}
                            });
                        }
                    }
                }
            }
            Kind::Range(a, b) => {
                one(a, left_len, shift);
                one(b, left_len, shift);
            }
            _ => {}
        }
    }

    /// `__binop_postprocess`: `expr` contains (in its left or map slot) a
    /// binop `payload & mask`; if the mask selects a known field, the binop
    /// is replaced by the narrowed payload.
    fn binop_pp(&mut self, e: &mut Expr) {
        let (slot, other) = match &mut e.kind {
            Kind::Relational(l, r) | Kind::Binop(l, r) | Kind::Map(l, r) => (l, r),
            _ => return,
        };
        let Kind::Binop(bl, mask) = &mut slot.kind else {
            return;
        };
        let mask = (**mask).clone();
        let shift = match &bl.kind {
            Kind::Payload(_) => payload::trim(bl, &mask, &self.pctx),
            Kind::Exthdr(_) => exthdr::find_template(bl, &mask),
            _ => None,
        };
        let Some(shift) = shift else { return };
        let left = (**bl).clone();
        Self::binop_adjust(other, left.len, shift);
        let is_payload = matches!(left.kind, Kind::Payload(_));
        let is_exthdr = matches!(left.kind, Kind::Exthdr(_));
        **slot = left;
        if is_payload {
            self.payload_match(e);
        } else if is_exthdr {
            if let Kind::Relational(l, r) | Kind::Binop(l, r) | Kind::Map(l, r) = &mut e.kind {
                r.set_type(l.dt, l.bo);
            }
        }
    }

    /// `__binop_postprocess` on a bare `payload & mask` (inside set
    /// elements and concatenations): replace it by the narrowed payload.
    fn binop_self(&mut self, e: &mut Expr) {
        let Kind::Binop(l, mask) = &mut e.kind else {
            return;
        };
        let m = (**mask).clone();
        if payload::trim(l, &m, &self.pctx).is_none() {
            return;
        }
        let mut left = (**l).clone();
        payload::complete(&mut left, &self.pctx);
        let c = left.clone();
        self.dep_kill(&c);
        *e = left;
    }

    /// `relational_binop_postprocess`.
    fn relational_binop(&mut self, e: &mut Expr) {
        let op = e.op;
        let Kind::Relational(binop, right) = &mut e.kind else {
            return;
        };
        let bop = binop.op;
        let right_bitmask = right.dt.is_bitmask();
        if bop == Op::And && matches!(op, Op::Neq | Op::Eq) && right_bitmask {
            let Kind::Binop(bl, br) = &binop.kind else {
                return;
            };
            match &right.kind {
                Kind::Value(v) => {
                    if v.is_zero() {
                        let nl = (**bl).clone();
                        let nr = tree_to_list(br);
                        **binop = nl;
                        **right = nr;
                        e.op = if op == Op::Neq { Op::Implicit } else { Op::Neg };
                    } else if br.num().is_some() && br.num() == Some(v) {
                    } else {
                        let fc = flagcmp(op, (**bl).clone(), tree_to_list(br), (**right).clone());
                        *e = fc;
                    }
                }
                Kind::Binop(..) => {
                    let fc = flagcmp(op, (**bl).clone(), tree_to_list(br), tree_to_list(right));
                    *e = fc;
                }
                _ => {}
            }
            return;
        }
        let Kind::Binop(bl, br) = &binop.kind else {
            return;
        };
        if bl.dt.prefix_ok()
            && bop == Op::And
            && right.is_value()
            && br.is_value()
            && mask_is_prefix(br)
        {
            let plen = mask_to_prefix(br);
            let nl = (**bl).clone();
            let nr = Expr::prefix((**right).clone(), plen);
            **binop = nl;
            **right = nr;
            return;
        }
        if bop == Op::And && br.is_value() {
            self.binop_pp(e);
            return;
        }
        if bop == Op::Rshift && bl.op == Op::And && br.is_value() {
            if let Kind::Binop(_, inner_mask) = &bl.kind {
                if !inner_mask.is_value() {
                    return;
                }
            } else {
                return;
            }
            self.binop_pp(binop);
            if let Kind::Binop(l, r) = &binop.kind {
                if binop.op == Op::Rshift
                    && r.is_value()
                    && r.num().map(|n| n.is_zero()).unwrap_or(false)
                {
                    let nl = (**l).clone();
                    **binop = nl;
                }
            }
        }
    }

    /// `expr_postprocess`.
    fn expr(&mut self, e: &mut Expr) {
        match &mut e.kind {
            Kind::Map(m, _) => {
                let is_payload_and = match &m.kind {
                    Kind::Binop(bl, br) => {
                        m.op == Op::And && matches!(bl.kind, Kind::Payload(_)) && br.is_value()
                    }
                    _ => false,
                };
                if is_payload_and {
                    self.binop_pp(e);
                }
                if let Kind::Map(m, maps) = &mut e.kind {
                    self.expr(m);
                    self.expr(maps);
                }
            }
            Kind::Mapping(l, r) => {
                self.expr(l);
                self.expr(r);
            }
            Kind::Set { elems, .. } => {
                for i in elems {
                    self.expr(i);
                }
            }
            Kind::Concat(parts) => {
                let ty = match e.dt {
                    Dt::Concat(t) => t,
                    _ => 0,
                };
                let subs = concat_subtypes(ty).unwrap_or_default();
                let mut off = subs.len();
                let mut ntype = 0u32;
                self.flags |= IN_CONCAT;
                for p in parts.iter_mut() {
                    if ty != 0 && off > 0 {
                        off -= 1;
                        if let Some(d) = subs.get(subs.len() - 1 - off) {
                            p.set_type(*d, d.byteorder());
                        }
                    }
                    self.expr(p);
                    ntype = concat_add(ntype, p.dt.id());
                }
                self.flags &= !IN_CONCAT;
                e.dt = Dt::Concat(ntype);
            }
            Kind::Unary(arg) => {
                self.expr(arg);
                let (dt, bo) = (arg.dt, arg.bo);
                e.dt = dt;
                e.bo = if bo == Bo::Invalid {
                    Bo::Host
                } else {
                    Bo::Invalid
                };
            }
            Kind::Binop(l, r) => {
                self.expr(l);
                match e.op {
                    Op::Lshift | Op::Rshift => r.set_type(Dt::Integer, Bo::Host),
                    Op::And => {
                        r.set_type(l.dt, l.bo);
                        if self.flags & (IN_CONCAT | IN_SET_ELEM) != 0
                            && matches!(l.kind, Kind::Payload(_))
                            && r.is_value()
                        {
                            self.binop_self(e);
                            return;
                        }
                    }
                    _ => r.set_type(l.dt, l.bo),
                }
                if let Kind::Binop(l, r) = &mut e.kind {
                    self.expr(r);
                    let (dt, bo) = (l.dt, l.bo);
                    e.dt = dt;
                    e.bo = bo;
                }
            }
            Kind::Relational(l, _) => {
                if matches!(l.kind, Kind::Payload(_)) {
                    self.payload_match(e);
                    return;
                }
                if let Kind::Relational(l, r) = &mut e.kind {
                    self.expr(l);
                    r.set_type(l.dt, l.bo);
                    self.expr(r);
                }
                let lkind = match &e.kind {
                    Kind::Relational(l, _) => match &l.kind {
                        Kind::Ct { base, .. } => Some((1u8, *base)),
                        Kind::Meta { base, .. } => Some((1, *base)),
                        Kind::Binop(..) => Some((2, 0)),
                        _ => None,
                    },
                    _ => None,
                };
                match lkind {
                    Some((1, base)) => self.ct_meta_common(e, base),
                    Some((2, _)) => self.relational_binop(e),
                    _ => {}
                }
            }
            Kind::Payload(_) => {
                payload::complete(e, &self.pctx);
                let c = e.clone();
                self.dep_kill(&c);
            }
            Kind::Value(_) => {
                if e.bo == Bo::Host {
                    switch(e);
                }
                if e.dt.root() == Dt::String {
                    postprocess_string(e);
                }
                if e.dt.is_bitmask() {
                    let v = std::mem::replace(
                        e,
                        Expr::new(Kind::Catchall, Dt::Invalid, Bo::Invalid, 0),
                    );
                    *e = bitmask_to_binops(v);
                }
            }
            Kind::Range(l, r) => {
                self.expr(l);
                self.expr(r);
            }
            Kind::Prefix { expr, .. } => self.expr(expr),
            Kind::SetElem(se) => {
                self.flags |= IN_SET_ELEM;
                self.expr(&mut se.key);
                self.flags &= !IN_SET_ELEM;
            }
            Kind::Exthdr(_) => {
                let c = e.clone();
                self.exthdr_dep_kill(&c);
            }
            Kind::Hash { expr: Some(h), .. } => self.expr(h),
            Kind::Ct { .. } => ct_update_type(&self.pctx, e),
            _ => {}
        }
    }

    fn stmt_expr(&mut self, mut e: Expr) {
        self.expr(&mut e);
        if self.dropped {
            return;
        }
        let Some(pi) = self.prev else {
            self.push_cur(Stmt::Expr(e));
            return;
        };
        let merged = match self.out.get(pi) {
            Some(Some(Stmt::Expr(prev))) => may_merge_range(&e, prev).map(|op| (op, prev.clone())),
            _ => None,
        };
        match merged {
            Some((op, prev)) => {
                let (Some((_, pr)), Some((sl, sr))) = (rel_parts(&prev), rel_parts(&e)) else {
                    self.push_cur(Stmt::Expr(e));
                    return;
                };
                let mut r = Expr::range(pr.clone(), sr.clone());
                r.set_type(sr.dt, sr.bo);
                let rel = Expr::relational(op, sl.clone(), r);
                if let Some(s) = self.out.get_mut(pi) {
                    *s = None;
                }
                for d in self.deps.iter_mut() {
                    if *d == Some(pi) {
                        *d = None;
                    }
                }
                self.push_cur(Stmt::Expr(rel));
            }
            None => self.push_cur(Stmt::Expr(e)),
        }
    }

    fn push_cur(&mut self, s: Stmt) {
        self.out.push(Some(s));
    }

    fn stmt_payload(&mut self, mut expr: Expr, mut val: Expr) {
        payload::complete(&mut expr, &self.pctx);
        if !payload::is_known(&expr) {
            self.payload_binop(&mut expr, &mut val);
        }
        self.expr(&mut expr);
        val.set_type(expr.dt, expr.bo);
        self.expr(&mut val);
        self.push_cur(Stmt::Payload {
            expr,
            val: Box::new(val),
        });
    }

    /// `stmt_payload_binop_postprocess`.
    fn payload_binop(&mut self, pexpr: &mut Expr, val: &mut Expr) {
        let Kind::Binop(l, value) = &val.kind else {
            return;
        };
        match &l.kind {
            Kind::Binop(pl_e, mask) => {
                if val.op != Op::Or || !value.is_value() || l.op != Op::And {
                    return;
                }
                if !matches!(pl_e.kind, Kind::Payload(_))
                    || !payload::same(pexpr, pl_e)
                    || !mask.is_value()
                {
                    return;
                }
                let m = mask.num().copied().unwrap_or(Num::ZERO);
                let vv = value.num().copied().unwrap_or(Num::ZERO);
                let newmask = Num::mask(pl_e.len).xor(&m).xor(&vv);
                let mut work = val.clone();
                if let Kind::Binop(l2, _) = &mut work.kind {
                    if let Kind::Binop(_, mk) = &mut l2.kind {
                        if let Some(n) = mk.num_mut() {
                            *n = newmask;
                        }
                    }
                }
                self.binop_pp(&mut work);
                let Kind::Binop(nl, nv) = &work.kind else {
                    return;
                };
                if !payload::is_known(nl) {
                    return;
                }
                *pexpr = (**nl).clone();
                *val = (**nv).clone();
            }
            Kind::Payload(_) => {
                if !value.is_value() {
                    return;
                }
                let mut work = val.clone();
                match val.op {
                    Op::And => {
                        if let Kind::Binop(pl_e, v) = &mut work.kind {
                            let len = pl_e.len;
                            if let Some(n) = v.num_mut() {
                                *n = Num::mask(len).xor(n);
                            }
                        }
                    }
                    Op::Or => {}
                    _ => return,
                }
                if let Kind::Binop(pl_e, mask) = &mut work.kind {
                    let m = (**mask).clone();
                    if let Some(shift) = payload::trim(pl_e, &m, &self.pctx) {
                        let len = pl_e.len;
                        Self::binop_adjust(mask, len, shift);
                        payload::complete(pl_e, &self.pctx);
                        mask.set_type(pl_e.dt, pl_e.bo);
                    }
                    if !payload::is_known(pl_e) {
                        // nft changes the statement in place: a write it
                        // cannot narrow keeps the flipped mask (`@ih,58,6
                        // set 0` lists as `@ih,48,16 set @ih,48,16 & 0x3f`).
                        *val = work;
                        return;
                    }
                }
                let op = work.op;
                let Kind::Binop(pl_e, mut v) = work.kind else {
                    return;
                };
                if op == Op::And {
                    if let Some(n) = v.num_mut() {
                        *n = Num::ZERO;
                    }
                }
                *pexpr = *pl_e;
                *val = *v;
            }
            _ => {}
        }
    }

    fn reject(&mut self, ty: u32, code: u8) -> Stmt {
        let mut family = 0u8;
        let mut verbose = false;
        let mut dt = Dt::Integer;
        match self.family {
            2 | 10 => {
                family = self.family;
                dt = if self.family == 2 {
                    Dt::IcmpCode
                } else {
                    Dt::Icmpv6Code
                };
                if ty == 1 && self.dep_exists(BASE_TRANSPORT) {
                    self.dep_release(BASE_TRANSPORT);
                }
            }
            1 | 7 | 5 => {
                if ty == 2 {
                    dt = Dt::IcmpxCode;
                } else {
                    verbose = true;
                    let base = self.pctx.desc(BASE_LL);
                    let desc = self.pctx.desc(BASE_NETWORK);
                    let proto = match (base, desc) {
                        (Some(b), Some(d)) => b.find_num(d),
                        _ => None,
                    };
                    match proto {
                        Some(2) | Some(0x0008) => {
                            family = 2;
                            dt = Dt::IcmpCode;
                        }
                        Some(10) | Some(0xdd86) => {
                            family = 10;
                            dt = Dt::Icmpv6Code;
                        }
                        _ => {}
                    }
                    if self.dep_exists(BASE_NETWORK) {
                        self.dep_release(BASE_NETWORK);
                    }
                }
            }
            _ => {}
        }
        Stmt::Reject {
            ty,
            code,
            family,
            verbose,
            expr_dt: dt,
        }
    }

    fn opt(&mut self, e: Option<&mut Expr>) {
        if let Some(x) = e {
            self.expr(x);
        }
    }

    fn stmt(&mut self, s: Stmt) {
        self.dropped = false;
        let is_expr = s.is_expr();
        let before = self.out.len();
        match s {
            Stmt::Expr(e) => self.stmt_expr(e),
            Stmt::Payload { expr, val } => self.stmt_payload(expr, *val),
            Stmt::Meter {
                set,
                mut key,
                stmt,
                size,
            } => {
                self.expr(&mut key);
                self.push_cur(Stmt::Meter {
                    set,
                    key,
                    stmt,
                    size,
                });
            }
            Stmt::Meta { key, mut expr } => {
                self.expr(&mut expr);
                self.push_cur(Stmt::Meta { key, expr });
            }
            Stmt::Ct { key, dir, mut expr } => {
                self.expr(&mut expr);
                if key == 18 && matches!(expr.kind, Kind::Binop(..)) {
                    expr = tree_to_list(&expr);
                }
                self.push_cur(Stmt::Ct { key, dir, expr });
            }
            Stmt::Nat(mut n) => {
                self.opt(n.addr.as_mut());
                if n.proto.is_some() {
                    self.dep_reset();
                    self.opt(n.proto.as_mut());
                }
                self.push_cur(Stmt::Nat(n));
            }
            Stmt::Tproxy {
                family,
                table_family,
                mut addr,
                mut port,
            } => {
                self.opt(addr.as_deref_mut());
                if port.is_some() {
                    self.dep_reset();
                    self.opt(port.as_deref_mut());
                }
                self.push_cur(Stmt::Tproxy {
                    family,
                    table_family,
                    addr,
                    port,
                });
            }
            Stmt::Reject { ty, code, .. } => {
                let r = self.reject(ty, code);
                self.push_cur(r);
            }
            Stmt::Set {
                op,
                set,
                mut key,
                stmts,
            } => {
                self.expr(&mut key);
                self.push_cur(Stmt::Set {
                    op,
                    set,
                    key,
                    stmts,
                });
            }
            Stmt::Map {
                op,
                set,
                mut key,
                mut data,
                stmts,
            } => {
                self.expr(&mut key);
                self.expr(&mut data);
                self.push_cur(Stmt::Map {
                    op,
                    set,
                    key,
                    data,
                    stmts,
                });
            }
            Stmt::Dup { mut to, mut dev } => {
                self.opt(to.as_deref_mut());
                self.opt(dev.as_deref_mut());
                self.push_cur(Stmt::Dup { to, dev });
            }
            Stmt::Fwd {
                mut dev,
                mut addr,
                family,
            } => {
                self.opt(dev.as_deref_mut());
                self.opt(addr.as_deref_mut());
                self.push_cur(Stmt::Fwd { dev, addr, family });
            }
            Stmt::Objref { ty, mut expr } => {
                self.expr(&mut expr);
                self.push_cur(Stmt::Objref { ty, expr });
            }
            Stmt::Queue { mut queue, flags } => {
                if let Some(q) = queue.as_mut() {
                    if !matches!(q.kind, Kind::Value(_) | Kind::Range(..)) {
                        self.expr(q);
                    }
                }
                self.push_cur(Stmt::Queue { queue, flags });
            }
            other => self.push_cur(other),
        }
        let cur = if self.dropped || self.out.len() == before {
            None
        } else {
            Some(self.out.len() - 1)
        };
        self.prev = cur;
        if !is_expr {
            self.dep_reset();
        }
    }
}

fn ether_to_nfproto(l3: u16) -> u8 {
    match l3 {
        0x0800 => 2,
        0x86dd => 10,
        _ => 0,
    }
}

fn mask_to_prefix(m: &Expr) -> u32 {
    let v = m.num().copied().unwrap_or(Num::ZERO);
    match v.scan1(0) {
        None => 0,
        Some(n) => v.scan0(n + 1) - n,
    }
}

fn mask_is_prefix(m: &Expr) -> bool {
    let v = m.num().copied().unwrap_or(Num::ZERO);
    match v.scan1(0) {
        None => true,
        Some(n1) => {
            let n2 = v.scan0(n1 + 1);
            !(n2 < m.len || n2 >= super::num::BITS)
        }
    }
}

/// `binop_tree_to_list`.
fn tree_to_list(e: &Expr) -> Expr {
    fn collect(e: &Expr, v: &mut Vec<Expr>) {
        if let (Kind::Binop(l, r), Op::Or) = (&e.kind, e.op) {
            collect(l, v);
            collect(r, v);
        } else {
            v.push(e.clone());
        }
    }
    if let (Kind::Binop(..), Op::Or) = (&e.kind, e.op) {
        let mut v = Vec::new();
        collect(e, &mut v);
        Expr::new(Kind::List(v), Dt::Invalid, Bo::Invalid, 0)
    } else {
        e.clone()
    }
}

fn flagcmp(op: Op, expr: Expr, mut mask: Expr, value: Expr) -> Expr {
    let (dt, bo, len) = (expr.dt, expr.bo, expr.len);
    mask.op = Op::Or;
    let mut e = Expr::new(
        Kind::FlagCmp {
            expr: Box::new(expr),
            mask: Box::new(mask),
            value: Box::new(value),
        },
        dt,
        bo,
        len,
    );
    e.op = op;
    e
}

fn may_merge_range(e: &Expr, prev: &Expr) -> Option<Op> {
    let (l, _) = rel_parts(e)?;
    let (pl, _) = rel_parts(prev)?;
    let l = match &l.kind {
        Kind::Unary(a) => a,
        _ => l,
    };
    let pl = match &pl.kind {
        Kind::Unary(a) => a,
        _ => pl,
    };
    if std::mem::discriminant(&l.kind) != std::mem::discriminant(&pl.kind) {
        return None;
    }
    if e.op == Op::Lte && prev.op == Op::Gte {
        Some(Op::Eq)
    } else if e.op == Op::Gt && prev.op == Op::Lt {
        Some(Op::Neq)
    } else {
        None
    }
}

/// `expr_postprocess_string`: escape a trailing `*`, or mark a string
/// compared without its NUL as a wildcard (`eth*`).
fn postprocess_string(e: &mut Expr) {
    let len = e.len.div_ceil(8) as usize;
    if len == 0 {
        return;
    }
    let v = e.num().copied().unwrap_or(Num::ZERO);
    let data = v.to_le(len);
    if data[len - 1] == 0 {
        let slen = data.iter().position(|&c| c == 0).unwrap_or(len);
        if slen > 0 && data[slen - 1] == b'*' {
            let mut b = data[..slen - 1].to_vec();
            b.extend_from_slice(b"\\*");
            b.push(0);
            e.len = (slen as u32 + 2) * 8;
            if let Some(n) = e.num_mut() {
                *n = Num::from_le(&b);
            }
        }
        return;
    }
    let mut b = data;
    b.push(b'*');
    e.len += 8;
    if let Some(n) = e.num_mut() {
        *n = Num::from_le(&b);
    }
}

/// `ct_expr_update_type`.
fn ct_update_type(pctx: &ProtoCtx, e: &mut Expr) {
    let Kind::Ct {
        key, base, nfproto, ..
    } = &mut e.kind
    else {
        return;
    };
    let desc = pctx.desc(*base);
    match *key {
        8 | 9 => {
            if desc == Some(ProtoId::Ip) {
                e.dt = Dt::IpAddr;
                *nfproto = 2;
            } else if desc == Some(ProtoId::Ip6) {
                e.dt = Dt::Ip6Addr;
                *nfproto = 10;
            }
            e.len = e.dt.size();
        }
        11 | 12 if desc.is_some() => {
            e.dt = Dt::InetService;
        }
        19 | 20 => {
            e.dt = Dt::IpAddr;
            e.len = 32;
        }
        21 | 22 => {
            e.dt = Dt::Ip6Addr;
            e.len = 128;
        }
        _ => {}
    }
    let _ = keys::ct_tmpl;
}

/// Post-process a rule's statements.
pub fn postprocess(family: u8, stmts: Vec<Stmt>) -> Vec<Stmt> {
    let mut pp = Pp::new(family);
    for s in stmts {
        pp.stmt(s);
    }
    pp.out.into_iter().flatten().collect()
}
