//! Sets and maps: their key/data types (from the kernel type ids or the
//! `typeof` userdata), and their elements decoded, sorted and merged into
//! ranges and prefixes as nft prints them (`netlink_delinearize_set`,
//! `netlink_delinearize_setelem`, `interval_map_decompose`,
//! `concat_range_aggregate`).

use super::delinearize::{splice, Ctx};
use super::dtype::{concat_subtypes, padded_len, Bo, Dt};
use super::expr::{flags, Expr, Kind, SetRef};
use super::num::Num;
use super::stmt::Stmt;
use super::typeof_key;
use super::udata::{self, tlvs, u32_of};
use crate::data::Data as KData;
use crate::object::element::SetElem as KElem;
use crate::ruleset::SetWithElems;

/// `NFT_SET_ANONYMOUS`
pub const ANONYMOUS: u32 = 0x1;
/// `NFT_SET_CONSTANT`
pub const CONSTANT: u32 = 0x2;
/// `NFT_SET_INTERVAL`
pub const INTERVAL: u32 = 0x4;
/// `NFT_SET_MAP`
pub const MAP: u32 = 0x8;
/// `NFT_SET_TIMEOUT`
pub const TIMEOUT: u32 = 0x10;
/// `NFT_SET_EVAL`
pub const EVAL: u32 = 0x20;
/// `NFT_SET_OBJECT`
pub const OBJECT: u32 = 0x40;

/// A set as nft sees it.
#[derive(Clone, Debug)]
pub struct SetInfo {
    /// Family.
    pub family: u8,
    /// Table name.
    pub table: String,
    /// Set name.
    pub name: String,
    /// Handle.
    pub handle: u64,
    /// `NFT_SET_*` flags.
    pub flags: u32,
    /// Key (type, byte order, length; a real expression for `typeof`).
    pub key: Expr,
    /// The key came from `typeof` userdata.
    pub key_typeof: bool,
    /// Map data.
    pub data: Option<Expr>,
    /// Object type of an object map.
    pub objtype: u32,
    /// Default timeout (ms).
    pub timeout: u64,
    /// GC interval (ms).
    pub gc_int: u32,
    /// Policy.
    pub policy: u32,
    /// Size.
    pub size: u32,
    /// Concatenation field count.
    pub field_count: usize,
    /// Comment.
    pub comment: Option<String>,
    /// auto-merge.
    pub automerge: bool,
    /// Set statements (`counter`, `limit` …).
    pub stmts: Vec<Stmt>,
    /// Elements (an `EXPR_SET`).
    pub init: Expr,
    /// Something could not be decoded the way nft would.
    pub lossy: bool,
}

impl SetInfo {
    /// Map with data (not an object map).
    pub fn is_datamap(&self) -> bool {
        self.flags & MAP != 0
    }
    /// Object map.
    pub fn is_objmap(&self) -> bool {
        self.flags & OBJECT != 0
    }
    /// Anonymous.
    pub fn is_anonymous(&self) -> bool {
        self.flags & ANONYMOUS != 0
    }

    /// A set reference expression (`set_ref_expr_alloc`).
    pub fn reference(&self) -> Expr {
        let r = SetRef {
            name: self.name.clone(),
            flags: self.flags,
            data_dt: self.data.as_ref().map(|d| d.dt),
            data_interval: self
                .data
                .as_ref()
                .map(|d| d.flags & flags::INTERVAL != 0)
                .unwrap_or(false),
            data_len: self.data.as_ref().map(|d| d.len).unwrap_or(0),
            key: Box::new(self.key.clone()),
            data: self.data.clone().map(Box::new),
            objtype: self.objtype,
            size: self.size,
            init: if self.is_anonymous() {
                Some(Box::new(self.init.clone()))
            } else {
                None
            },
        };
        let mut e = Expr::new(Kind::SetRef(Box::new(r)), self.key.dt, Bo::Invalid, 0);
        e.flags |= flags::CONSTANT;
        e
    }

    /// Decode a set and its elements.
    pub fn build(sw: &SetWithElems) -> SetInfo {
        let s = &sw.set;
        let a = &s.attrs;
        let mut lossy = false;
        let mut keybo = Bo::Invalid;
        let mut databo = Bo::Invalid;
        let mut automerge = false;
        let mut data_interval = false;
        let mut key_typeof = None;
        let mut data_typeof = None;
        let mut comment = None;
        if let Some(u) = a.userdata.as_deref() {
            for t in tlvs(u) {
                let bo = |t: &udata::Tlv<'_>| match u32_of(t) {
                    Some(1) => Bo::Host,
                    Some(2) => Bo::Big,
                    _ => Bo::Invalid,
                };
                match t.ty {
                    0 => keybo = bo(&t),
                    1 => databo = bo(&t),
                    2 => automerge = u32_of(&t).unwrap_or(0) != 0,
                    3 => key_typeof = Some(t.val),
                    4 => data_typeof = Some(t.val),
                    6 => data_interval = u32_of(&t).unwrap_or(0) != 0,
                    _ => {}
                }
            }
            match udata::comment(u, 7) {
                udata::Comment::Some(c) => comment = Some(c),
                udata::Comment::Invalid => lossy = true,
                udata::Comment::None => {}
            }
        }
        let flags_ = a.flags.unwrap_or(0);
        let keytype = Dt::from_kernel(a.key_type.unwrap_or(0)).unwrap_or_else(|| {
            lossy = true;
            Dt::Invalid
        });
        let mut data = None;
        let mut objtype = 0;
        let mut key_typeof_valid = false;
        let mut key_tmpl = key_typeof.and_then(typeof_key::make_key);
        if flags_ & MAP != 0 {
            let dtype = Dt::from_kernel(a.data_type.unwrap_or(0)).unwrap_or_else(|| {
                lossy = true;
                Dt::Invalid
            });
            let klen = a.data_len.unwrap_or(0) * 8;
            let typed = data_typeof.and_then(typeof_key::make_key);
            let mut d = match typed {
                Some(e) if e.len.div_ceil(8) == klen / 8 => e,
                _ => {
                    key_tmpl = None;
                    Expr::value(dtype, databo, klen, Num::ZERO)
                }
            };
            if data_interval {
                d.flags |= flags::INTERVAL;
            }
            data = Some(d);
        }
        if flags_ & OBJECT != 0 {
            objtype = a.obj_type.unwrap_or(0);
            if data.is_none() {
                data = Some(Expr::value(
                    Dt::String,
                    Bo::Invalid,
                    a.data_len.unwrap_or(0) * 8,
                    Num::ZERO,
                ));
            }
        }
        let klen = a.key_len.unwrap_or(0) * 8;
        let key = match key_tmpl {
            Some(e) if e.len.div_ceil(8) == klen / 8 => {
                key_typeof_valid = true;
                e
            }
            _ => Expr::value(keytype, keybo, klen, Num::ZERO),
        };
        let mut stmts = Vec::new();
        if let Some(e) = &a.expr {
            match Ctx::parse_single(s.family, &e.0) {
                Some(st) => stmts.push(st),
                None => lossy = true,
            }
        } else if let Some(l) = &a.exprs {
            for e in &l.0 {
                match Ctx::parse_single(s.family, e) {
                    Some(st) => stmts.push(st),
                    None => lossy = true,
                }
            }
        }
        let field_count = a
            .desc
            .as_ref()
            .and_then(|d| d.concat.as_ref())
            .map(|c| c.0.len())
            .unwrap_or(0);
        let mut info = SetInfo {
            family: s.family,
            table: s.table().to_string(),
            name: s.name().to_string(),
            handle: a.handle.unwrap_or(0),
            flags: flags_,
            key,
            key_typeof: key_typeof_valid,
            data,
            objtype,
            timeout: a.timeout.unwrap_or(0),
            gc_int: a.gc_interval.unwrap_or(0),
            policy: a.policy.unwrap_or(0),
            size: a.desc.as_ref().and_then(|d| d.size).unwrap_or(0),
            field_count,
            comment,
            automerge,
            stmts,
            init: Expr::new(
                Kind::Set {
                    elems: Vec::new(),
                    set_flags: flags_,
                },
                keytype,
                Bo::Invalid,
                0,
            ),
            lossy,
        };
        info.init.dt = info.key.dt;
        let mut elems = Vec::new();
        for batch in &sw.elems {
            if let Some(l) = &batch.attrs.elems {
                for e in &l.0 {
                    info.decode_elem(e, &mut elems);
                }
            }
        }
        if info.flags & INTERVAL != 0 && info.field_count > 1 {
            concat_range_aggregate(&mut elems);
        } else if info.flags & INTERVAL != 0 {
            elems = interval_map_decompose(elems);
        } else {
            list_sort(&mut elems);
        }
        if let Kind::Set { elems: v, .. } = &mut info.init.kind {
            *v = elems;
        }
        info
    }

    /// `netlink_delinearize_setelem`.
    fn decode_elem(&mut self, el: &KElem, out: &mut Vec<Expr>) {
        let mut eflags = el.flags.unwrap_or(0);
        let mut keydata: Option<&KData> = el.key.as_ref();
        let kexprs: Vec<&crate::expr::Expr> = if let Some(x) = &el.expr {
            vec![&*x.0]
        } else if let Some(l) = &el.exprs {
            l.0.iter().collect()
        } else {
            Vec::new()
        };
        let mut parsed = Vec::new();
        for k in kexprs {
            match Ctx::parse_single(self.family, k) {
                Some(st) => parsed.push(st),
                None => self.lossy = true,
            }
        }
        // The end element of a concatenated range is decoded from the
        // same kernel element and gets the statements too (nft keeps only
        // it once the pair is aggregated).
        let stmts = parsed;
        loop {
            let key = match keydata.and_then(|d| d.value.as_ref()) {
                Some(v) => {
                    let mut k = Expr::from_data(v);
                    k.dt = self.key.dt;
                    k.bo = self.key.bo;
                    if self.key.dt.subtypes() > 0 {
                        k = self.concat_elem_key(k);
                    }
                    if self.flags & INTERVAL == 0 && k.bo == Bo::Host {
                        switch(&mut k);
                    }
                    if k.dt.is_bitmask() {
                        k = bitmask_to_binops(k);
                    }
                    k
                }
                None if eflags & 2 != 0 => {
                    let mut c = Expr::new(Kind::Catchall, self.key.dt, self.key.bo, self.key.len);
                    c.flags = flags::CONSTANT | flags::SINGLETON;
                    c
                }
                None => {
                    self.lossy = true;
                    return;
                }
            };
            let mut e = Expr::set_elem(key);
            e.flags |= flags::KERNEL;
            if let Kind::SetElem(se) = &mut e.kind {
                se.timeout = el.timeout.unwrap_or(0);
                se.expiration = el.expiration.unwrap_or(0);
                if let Some(u) = el.userdata.as_deref() {
                    if let udata::Comment::Some(c) = udata::comment(u, 0) {
                        se.comment = Some(c);
                    }
                }
                se.stmts = stmts.clone();
            }
            if eflags & 1 != 0 {
                e.flags |= flags::INTERVAL_END;
            }
            if self.is_datamap() {
                let data = match el.data.as_ref() {
                    Some(d) => d,
                    None => {
                        out.push(e);
                        break;
                    }
                };
                let dtmpl = self
                    .data
                    .clone()
                    .unwrap_or_else(|| Expr::value(Dt::Invalid, Bo::Invalid, 0, Num::ZERO));
                let mut d = if dtmpl.dt == Dt::Verdict {
                    match &data.verdict {
                        Some(v) => {
                            let code = v.code.map(|c| c.value()).unwrap_or(0);
                            let chain = if code == -3 || code == -4 {
                                v.chain.clone()
                            } else {
                                None
                            };
                            Expr::new(Kind::Verdict { code, chain }, Dt::Verdict, Bo::Invalid, 0)
                        }
                        None => {
                            self.lossy = true;
                            Expr::from_data(data.value.as_deref().unwrap_or(&[]))
                        }
                    }
                } else {
                    match &data.value {
                        Some(v) => Expr::from_data(v),
                        None => {
                            self.lossy = true;
                            Expr::from_data(&[])
                        }
                    }
                };
                d.dt = dtmpl.dt;
                d.bo = dtmpl.bo;
                if dtmpl.dt.subtypes() > 0 {
                    d = self.concat_elem_data(d);
                } else if dtmpl.flags & flags::INTERVAL != 0 {
                    d = self.interval_elem(d);
                }
                if d.bo == Bo::Host && d.is_value() {
                    switch(&mut d);
                }
                e = Expr::mapping(e, d);
            }
            if self.is_objmap() {
                if let Some(name) = &el.objref {
                    let mut d =
                        Expr::value(Dt::String, Bo::Host, (name.len() as u32 + 1) * 8, Num::ZERO);
                    let mut b = name.as_bytes().to_vec();
                    b.push(0);
                    if let Some(n) = d.num_mut() {
                        *n = Num::from_le(&b);
                    }
                    e = Expr::mapping(e, d);
                }
            }
            out.push(e);
            if eflags & 1 == 0 && el.key_end.is_some() {
                eflags |= 1;
                keydata = el.key_end.as_ref();
                continue;
            }
            break;
        }
    }

    /// `netlink_parse_concat_elem_key`.
    fn concat_elem_key(&self, mut data: Expr) -> Expr {
        let subs = concat_subtypes(self.key.dt.id()).unwrap_or_default();
        let typed: Option<&Vec<Expr>> = match &self.key.kind {
            Kind::Concat(v) => Some(v),
            _ => None,
        };
        let mut parts = Vec::new();
        for (i, sub) in subs.iter().enumerate() {
            let tmpl = typed.and_then(|v| v.get(i));
            parts.push(self.concat_elem_expr(tmpl, *sub, &mut data));
        }
        Expr::new(Kind::Concat(parts), self.key.dt, self.key.bo, self.key.len)
    }

    /// `concat_elem_expr`.
    fn concat_elem_expr(&self, key: Option<&Expr>, sub: Dt, data: &mut Expr) -> Expr {
        let (sublen, dt, bo, len) = match key {
            Some(k) => (k.len.div_ceil(8) * 8, k.dt, k.bo, k.len),
            None => {
                let l = sub.size().div_ceil(8) * 8;
                (l, sub, sub.byteorder(), l)
            }
        };
        let mut e = splice(data, sublen);
        e.dt = dt;
        e.bo = bo;
        e.len = len;
        if e.dt.root() == Dt::String || (self.flags & INTERVAL == 0 && e.bo == Bo::Host) {
            switch(&mut e);
        }
        if e.dt.is_bitmask() {
            e = bitmask_to_binops(e);
        }
        data.len = data.len.saturating_sub(padded_len(sublen) - sublen);
        e
    }

    /// `netlink_parse_concat_elem`: map data that is a concatenation.
    fn concat_elem_data(&self, mut data: Expr) -> Expr {
        let dt = self.data.as_ref().map(|d| d.dt).unwrap_or(Dt::Invalid);
        let subs = concat_subtypes(dt.id()).unwrap_or_default();
        let mut first = Vec::new();
        for s in &subs {
            first.push(self.concat_elem_expr(None, *s, &mut data));
        }
        let interval = self
            .data
            .as_ref()
            .map(|d| d.flags & flags::INTERVAL != 0)
            .unwrap_or(false);
        let parts = if interval {
            let mut v = Vec::new();
            for (s, left) in subs.iter().zip(first) {
                let right = self.concat_elem_expr(None, *s, &mut data);
                v.push(range_reduce(Expr::range(left, right)));
            }
            v
        } else {
            first
        };
        Expr::new(Kind::Concat(parts), dt, Bo::Invalid, 0)
    }

    /// `netlink_parse_interval_elem`: map data that is a range.
    fn interval_elem(&self, d: Expr) -> Expr {
        let dt = d.dt;
        let bo = dt.byteorder();
        let len = d.len.div_ceil(8) as usize;
        let v = d.num().copied().unwrap_or(Num::ZERO);
        let bytes = match bo {
            Bo::Host => v.to_le(len),
            _ => v.to_be(len),
        };
        let half = len / 2;
        let imp = |b: &[u8]| match bo {
            Bo::Host => Num::from_le(b),
            _ => Num::from_be(b),
        };
        let l = Expr::value(dt, bo, half as u32 * 8, imp(&bytes[..half]));
        let r = Expr::value(dt, bo, half as u32 * 8, imp(&bytes[half..]));
        range_to_prefix(Expr::range(l, r))
    }
}

/// `mpz_switch_byteorder` on a constant.
pub fn switch(e: &mut Expr) {
    let len = (e.len / 8) as usize;
    if let Some(n) = e.num_mut() {
        *n = n.switch_byteorder(len);
    }
}

/// `bitmask_expr_to_binops`: a value with several flags becomes `a | b`.
pub fn bitmask_to_binops(e: Expr) -> Expr {
    let v = e.num().copied().unwrap_or(Num::ZERO);
    if v.popcount() <= 1 {
        return e;
    }
    let mut acc: Option<Expr> = None;
    let mut n = 0;
    while let Some(b) = v.scan1(n) {
        let mut f = Num::ZERO;
        f.set_bit(b);
        let fe = Expr::value(e.dt, e.bo, e.len, f);
        acc = Some(match acc {
            Some(a) => Expr::binop(super::expr::Op::Or, a, fe),
            None => fe,
        });
        n = b + 1;
    }
    acc.unwrap_or(e)
}

fn range_values(r: &Expr) -> Option<(Num, Num, u32)> {
    if let Kind::Range(l, h) = &r.kind {
        Some((*l.num()?, *h.num()?, l.len))
    } else {
        None
    }
}

/// `range_expr_to_prefix`.
pub fn range_to_prefix(r: Expr) -> Expr {
    let Some((lo, hi, len)) = range_values(&r) else {
        return r;
    };
    let bm = lo.xor(&hi);
    let n1 = bm.scan0(0);
    let ok = match bm.scan1(n1 + 1) {
        Some(n2) => n2 >= len,
        None => true,
    };
    if n1 < super::num::BITS && ok {
        let plen = len.saturating_sub(n1);
        let low1 = lo.scan1(0).unwrap_or(super::num::BITS);
        if low1 >= len - plen {
            if let Kind::Range(l, _) = r.kind {
                return Expr::prefix(*l, plen);
            }
        }
    }
    r
}

/// `range_expr_reduce`.
fn range_reduce(r: Expr) -> Expr {
    let Some((lo, hi, _)) = range_values(&r) else {
        return r;
    };
    if lo == hi {
        if let Kind::Range(l, _) = r.kind {
            return *l;
        }
        return r;
    }
    let dt = match &r.kind {
        Kind::Range(l, _) => l.dt,
        _ => Dt::Invalid,
    };
    if dt != Dt::IpAddr && dt != Dt::Ip6Addr {
        return r;
    }
    range_to_prefix(r)
}

/// The sort key of an element (`expr_msort_value`).
fn msort_value(e: &Expr) -> Num {
    match &e.kind {
        Kind::SetElem(se) => msort_value(&se.key),
        Kind::Binop(l, _) | Kind::Mapping(l, _) | Kind::Range(l, _) => msort_value(l),
        Kind::Value(v) => *v,
        Kind::Concat(parts) => {
            let mut b = Vec::new();
            for p in parts {
                let l = p.len.div_ceil(8) as usize;
                let v = p.num().copied().unwrap_or_else(|| msort_value(p));
                match p.bo {
                    Bo::Host => b.extend(v.to_le(l)),
                    _ => b.extend(v.to_be(l)),
                }
            }
            Num::from_le(&b)
        }
        Kind::Catchall => Num::mask(e.len),
        _ => Num::ZERO,
    }
}

/// nft's `list_expr_sort` (a merge sort where, on ties, elements of the
/// second half come first).
pub fn list_sort(v: &mut Vec<Expr>) {
    if v.len() < 2 {
        return;
    }
    let mut keyed: Vec<(Num, Expr)> = v.drain(..).map(|e| (msort_value(&e), e)).collect();
    keyed = msort(keyed);
    v.extend(keyed.into_iter().map(|(_, e)| e));
}

fn msort(mut v: Vec<(Num, Expr)>) -> Vec<(Num, Expr)> {
    if v.len() < 2 {
        return v;
    }
    let first_len = v.len().div_ceil(2);
    let second = v.split_off(first_len);
    let first = msort(v);
    let second = msort(second);
    let mut out = Vec::with_capacity(first.len() + second.len());
    let mut a = first.into_iter().peekable();
    let mut b = second.into_iter().peekable();
    loop {
        match (a.peek(), b.peek()) {
            (Some(x), Some(y)) => {
                if x.0 < y.0 {
                    out.push(a.next().unwrap_or_else(unreachable_pair));
                } else {
                    out.push(b.next().unwrap_or_else(unreachable_pair));
                }
            }
            (Some(_), None) => out.extend(a.by_ref()),
            (None, Some(_)) => out.extend(b.by_ref()),
            (None, None) => break,
        }
    }
    out
}

fn unreachable_pair() -> (Num, Expr) {
    (
        Num::ZERO,
        Expr::new(Kind::Catchall, Dt::Invalid, Bo::Invalid, 0),
    )
}

fn value_of(e: &Expr) -> Num {
    e.elem_key().num().copied().unwrap_or(Num::ZERO)
}

/// Copy comment, timeout, expiration and statements of an element.
fn interval_copy(dst: &mut Expr, src: &Expr) {
    let s = match &src.kind {
        Kind::Mapping(l, _) => l,
        _ => src,
    };
    let (Kind::SetElem(d), Kind::SetElem(s)) = (&mut dst.kind, &s.kind) else {
        return;
    };
    if s.comment.is_some() {
        d.comment = s.comment.clone();
    }
    if s.timeout != 0 {
        d.timeout = s.timeout;
    }
    if s.expiration != 0 {
        d.expiration = s.expiration;
    }
    d.stmts = s.stmts.clone();
}

/// `__expr_to_set_elem`: wrap a new key like `low` (element or mapping).
fn to_set_elem(low: &Expr, key: Expr) -> Expr {
    let mut elem = Expr::set_elem(key);
    interval_copy(&mut elem, low);
    elem.flags |= flags::KERNEL;
    match &low.kind {
        Kind::Mapping(_, r) => Expr::mapping(elem, (**r).clone()),
        _ => elem,
    }
}

fn add_interval(out: &mut Vec<Expr>, mut low: Expr, i: &Expr) {
    let lk = low.elem_key().clone();
    let lv = lk.num().copied().unwrap_or(Num::ZERO);
    let mut range = value_of(i).sub(&lv);
    if !i.is_value() {
        range = range.sub(&Num::from_u64(1));
    }
    let p = lv.and(&range);
    let is_prefix = range.and(&range.add(&Num::from_u64(1))).is_zero();
    let ilen = i.elem_key().len;
    let e = if range.is_zero() {
        if lk.dt.root() == Dt::String {
            low.with_key(switch);
        }
        low.flags |= flags::KERNEL;
        low
    } else if is_prefix && p.is_zero() {
        let idt = i.elem_key().dt;
        let plen = ilen.saturating_sub(range.scan0(0));
        if idt.prefix_ok() {
            let mut pre = Expr::prefix(lk.clone(), plen);
            pre.len = ilen;
            to_set_elem(&low, pre)
        } else if idt.root() == Dt::String {
            interval_to_string(&low, &lk, ilen, plen, &range)
        } else {
            interval_to_range(&low, &lk, range)
        }
    } else {
        interval_to_range(&low, &lk, range)
    };
    out.push(e);
}

fn interval_to_string(low: &Expr, lk: &Expr, ilen: u32, plen: u32, range: &Num) -> Expr {
    let len = ilen.div_ceil(8) as usize;
    if plen > ilen || plen % 8 != 0 {
        let mut pre = Expr::prefix(lk.clone(), plen);
        pre.len = ilen;
        let _ = range;
        return to_set_elem(low, pre);
    }
    let data = lk.num().copied().unwrap_or(Num::ZERO).to_be(len);
    let slen = data.iter().position(|&c| c == 0).unwrap_or(len);
    if slen >= len || slen == 0 {
        let mut pre = Expr::prefix(lk.clone(), plen);
        pre.len = ilen;
        return to_set_elem(low, pre);
    }
    let mut b = data[..slen].to_vec();
    b.push(b'*');
    let k = Expr::value(lk.dt, Bo::Host, (slen as u32 + 1) * 8, Num::from_le(&b));
    to_set_elem(low, k)
}

fn interval_to_range(low: &Expr, lk: &Expr, range: Num) -> Expr {
    let hi = range.add(lk.num().unwrap_or(&Num::ZERO));
    let h = Expr::value(lk.dt, lk.bo, lk.len, hi);
    to_set_elem(low, Expr::range(lk.clone(), h))
}

/// `interval_map_decompose`: interval elements (start, end-flagged) into
/// values, prefixes and ranges.
pub fn interval_map_decompose(elems: Vec<Expr>) -> Vec<Expr> {
    if elems.is_empty() {
        return elems;
    }
    let mut catchall = None;
    let mut v = Vec::new();
    for e in elems {
        if matches!(e.elem_key().kind, Kind::Catchall) {
            catchall = Some(e);
        } else {
            v.push(e);
        }
    }
    v.sort_by(|a, b| {
        if matches!(a.elem_key().kind, Kind::Concat(_)) {
            return std::cmp::Ordering::Less;
        }
        let c = value_of(a).cmp(&value_of(b));
        if c == std::cmp::Ordering::Equal {
            if a.flags & flags::INTERVAL_END != 0 {
                return std::cmp::Ordering::Less;
            } else if b.flags & flags::INTERVAL_END != 0 {
                return std::cmp::Ordering::Greater;
            }
        }
        c
    });
    let mut ranges = Vec::new();
    let mut interval = false;
    for i in v {
        if i.flags & flags::INTERVAL_END != 0 {
            interval = false;
        } else if interval {
            let mut end = i.clone();
            end.flags |= flags::INTERVAL_END;
            ranges.push(end);
        } else {
            interval = true;
        }
        ranges.push(i);
    }
    let mut out = Vec::new();
    let mut low: Option<Expr> = None;
    for i in ranges {
        match low.take() {
            None => {
                if i.flags & flags::INTERVAL_END == 0 {
                    low = Some(i);
                }
            }
            Some(l) => {
                let end = i.flags & flags::INTERVAL_END != 0;
                add_interval(&mut out, l.clone(), &i);
                if !end {
                    low = Some(l);
                }
            }
        }
    }
    if let Some(l) = low {
        let lk = l.elem_key();
        let max = Num::mask(lk.len);
        if lk.num().copied() == Some(max) {
            out.push(l);
        } else {
            let i = Expr::value(lk.dt, lk.bo, lk.len, max);
            add_interval(&mut out, l, &i);
        }
    }
    if let Some(c) = catchall {
        out.push(c);
    }
    out
}

/// `range_mask_len`.
fn range_mask_len(start: &Num, end: &Num, len: u32) -> i32 {
    let (mut s, mut e) = (*start, *end);
    let mut len = len as i32;
    while s <= e && !s.bit(0) && e.bit(0) && len > 0 {
        len -= 1;
        s = s.shr(1);
        e = e.shr(1);
    }
    if s == e {
        len
    } else {
        -1
    }
}

/// `concat_range_aggregate`: pairs of concatenated start/end elements into
/// concatenations of ranges and prefixes.
pub fn concat_range_aggregate(elems: &mut Vec<Expr>) {
    let mut out = Vec::new();
    let mut it = std::mem::take(elems).into_iter();
    while let Some(start) = it.next() {
        let Some(mut end) = it.next() else {
            out.push(start);
            break;
        };
        let starts: Vec<Expr> = match &start.elem_key().kind {
            Kind::Concat(v) => v.clone(),
            _ => {
                out.push(start);
                out.push(end);
                continue;
            }
        };
        end.with_key(|k| aggregate_pair(k, starts));
        out.push(end);
    }
    *elems = out;
}

fn aggregate_pair(endkey: &mut Expr, starts: Vec<Expr>) {
    if let Kind::Concat(ends) = &mut endkey.kind {
        for (r1, r2) in starts.into_iter().zip(ends.iter_mut()) {
            let (Some(v1), Some(v2)) = (r1.num().copied(), r2.num().copied()) else {
                continue;
            };
            if v1 == v2 {
                continue;
            }
            let is_str = r1.dt.root() == Dt::String && r2.dt.root() == Dt::String;
            let (a1, a2) = if is_str {
                (
                    v1.switch_byteorder((r1.len / 8) as usize),
                    v2.switch_byteorder((r2.len / 8) as usize),
                )
            } else {
                (v1, v2)
            };
            let plen = range_mask_len(&a1, &a2, r1.len);
            if plen >= 0 && plen % 8 == 0 && is_str {
                let slen = (plen / 8) as usize;
                let mut b = v1.to_le(slen);
                b.push(b'*');
                let mut t = Expr::value(r1.dt, Bo::Host, (slen as u32 + 1) * 8, Num::from_le(&b));
                t.len = r2.len;
                *r2 = t;
                continue;
            }
            if plen < 0 || !r1.dt.prefix_ok() {
                let r2v = r2.clone();
                *r2 = Expr::range(r1, r2v);
            } else {
                let l = r2.len;
                let mut p = Expr::prefix(r1, plen as u32);
                p.len = l;
                *r2 = p;
            }
        }
    }
}
