//! The creation form of dumped objects: what to send in a `NEW*` message
//! to recreate something the kernel dumped.
//!
//! A dump is not always a valid request. Some attributes are read-only
//! (handles, use counts, positions, element counts, expirations), and some
//! are reported in a form the kernel's own create path refuses or reads
//! differently. Every such case is mapped here, and only here; the table in
//! DEVELOPING.md ("Dump vs create") lists each one with the reason, and
//! `tests/lossless_matrix.rs` checks them against the kernel.
//!
//! Each function is idempotent (a creation form maps to itself), so it can
//! run both when a ruleset is saved and when a save file is restored (files
//! written before a mapping existed still restore).

use crate::consts::msg;
use crate::expr::Expr;
use crate::netlink::NfMsg;
use crate::object::{Chain, Flowtable, Kind, Obj, Object, Rule, Set, SetElems, Table};

/// `NFT_TABLE_F_OWNER`: needs the owner's netlink socket.
const TABLE_F_OWNER: u32 = 2;
/// `NFT_SET_ELEM_INTERVAL_END`.
const ELEM_INTERVAL_END: u32 = 1;
/// `NFT_DYNSET_F_EXPR`: the request carries `NFTA_DYNSET_EXPRESSIONS`.
const DYNSET_F_EXPR: u32 = 2;

/// A table: handle, use count and owner dropped, the owner flag cleared.
pub fn table(t: &mut Table) {
    t.attrs.handle = None;
    t.attrs.use_count = None;
    t.attrs.owner = None;
    if let Some(f) = t.attrs.flags.as_mut() {
        *f &= !TABLE_F_OWNER;
    }
}

/// A chain: handle and use count dropped.
pub fn chain(c: &mut Chain) {
    c.attrs.handle = None;
    c.attrs.use_count = None;
}

/// A set: handle, element count and backend dropped; the set's own
/// expressions (`counter`, `quota`, ... templates) in creation form.
pub fn set(s: &mut Set) {
    s.attrs.handle = None;
    s.attrs.count = None;
    s.attrs.backend = None;
    if let Some(e) = s.attrs.expr.as_mut() {
        expr(&mut e.0);
    }
    if let Some(l) = s.attrs.exprs.as_mut() {
        l.0.iter_mut().for_each(expr);
    }
}

/// A batch of elements: per element, the expiration dropped (it is a
/// countdown; the element restarts its timeout), the timeout dropped from
/// interval-end elements (the kernel dumps the set's difference, 0, for
/// them but refuses any timeout there), and the element's expressions in
/// creation form.
pub fn elements(e: &mut SetElems) {
    let Some(list) = e.attrs.elems.as_mut() else {
        return;
    };
    for el in list.0.iter_mut() {
        el.expiration = None;
        if el.flags.unwrap_or(0) & ELEM_INTERVAL_END != 0 {
            el.timeout = None;
        }
        if let Some(x) = el.expr.as_mut() {
            expr(&mut x.0);
        }
        if let Some(l) = el.exprs.as_mut() {
            l.0.iter_mut().for_each(expr);
        }
    }
}

/// A stateful object: handle and use count dropped; a quota's state flag
/// cleared (see [`quota_state`]); a tunnel's Geneve options one flagged
/// nest each (see [`tunnel_geneve_nests`]).
pub fn object(o: &mut Object) {
    use crate::object::obj::{ObjType, QuotaData, TunnelData};
    o.attrs.handle = None;
    o.attrs.use_count = None;
    let Some(data) = o.attrs.data.as_ref() else {
        return;
    };
    match o.attrs.obj_type {
        Some(ObjType::Quota) => {
            if let Some(mut q) = QuotaData::parse(data) {
                if quota_state(&mut q.flags, &mut q.consumed, q.bytes) {
                    o.attrs.data = Some(q.to_bytes().into());
                }
            }
        }
        Some(ObjType::Tunnel) => {
            if let Some(mut t) = TunnelData::parse(data) {
                if tunnel_geneve_nests(&mut t) {
                    o.attrs.data = Some(t.to_bytes().into());
                }
            }
        }
        _ => {}
    }
}

/// `NFTA_TUNNEL_KEY_OPTS_GENEVE`.
const TUNNEL_OPTS_GENEVE: u16 = 3;

/// A tunnel object's Geneve options in creation form: one nest per option,
/// each with `NLA_F_NESTED`. The kernel dumps them without the flag
/// (`nla_nest_start_noflag`) but parses each strictly on input
/// (`nla_parse_nested`), which refuses a nest without it (`EINVAL`); and
/// kernels before the 2025 dump fix put every option (class, type, data,
/// class, ...) in one nest, of which input would keep only the last, so
/// such a nest is split at each repeated attribute. Returns whether
/// anything changed.
fn tunnel_geneve_nests(t: &mut crate::object::obj::TunnelData) -> bool {
    use crate::nla::{parse_all, RawAttr, Writer, NLA_F_NESTED};
    let Some(opts) = t.opts.as_ref() else {
        return false;
    };
    let before: bytes::Bytes = opts.to_bytes().into();
    let Some(attrs) = parse_all(&before) else {
        return false;
    };
    if !attrs.iter().any(|a| a.kind() == TUNNEL_OPTS_GENEVE) {
        return false;
    }
    let mut w = Writer::new();
    for a in attrs {
        if a.kind() != TUNNEL_OPTS_GENEVE {
            a.write(&mut w);
            continue;
        }
        let Some(inner) = parse_all(&a.payload) else {
            a.write(&mut w);
            continue;
        };
        // Options in order: a new one starts where an attribute repeats.
        let mut groups: Vec<Vec<RawAttr>> = vec![Vec::new()];
        for x in inner {
            let cur = groups.last_mut().expect("never empty");
            if cur.iter().any(|y| y.kind() == x.kind()) {
                groups.push(vec![x]);
            } else {
                cur.push(x);
            }
        }
        for g in groups {
            let mut body = Writer::new();
            g.iter().for_each(|x| x.write(&mut body));
            w.put_raw(NLA_F_NESTED | TUNNEL_OPTS_GENEVE, &body.buf);
        }
    }
    if w.buf[..] == before[..] {
        return false;
    }
    match crate::object::obj::TunnelOpts::parse(&w.buf.to_vec().into()) {
        Some(o) => {
            t.opts = Some(o);
            true
        }
        None => false,
    }
}

/// A flowtable: handle and use count dropped.
pub fn flowtable(f: &mut Flowtable) {
    f.attrs.handle = None;
    f.attrs.use_count = None;
}

/// A rule: handle and position dropped, `NFTA_RULE_COMPAT` (never dumped)
/// inferred for rules with xt expressions, expressions in creation form.
pub fn rule(r: &mut Rule) {
    r.attrs.handle = None;
    r.attrs.position = None;
    if r.attrs.compat.is_none() {
        r.attrs.compat = crate::compat::infer_compat(r);
    }
    if let Some(l) = r.attrs.exprs.as_mut() {
        l.0.iter_mut().for_each(expr);
    }
}

/// Whether [`expr`] may change `e` (a cheap test on the expression type,
/// for callers that copy dumped bytes when nothing needs mapping).
pub fn expr_may_change(e: &Expr) -> bool {
    matches!(
        e,
        Expr::Osf(_) | Expr::Exthdr(_) | Expr::Quota(_) | Expr::Dynset(_)
    )
}

/// Names (as they appear in an `NFTA_EXPR_NAME`, with the NUL) of the
/// expressions [`expr_may_change`] selects.
const MAPPED_EXPR_NAMES: [&[u8]; 4] = [b"osf\0", b"exthdr\0", b"quota\0", b"dynset\0"];

/// An expression in creation form:
/// * `quota`: the depleted flag cleared (state; see [`quota_state`]);
/// * `dynset`: `NFTA_DYNSET_TIMEOUT` 0 dropped (the kernel dumps 0 for "no
///   timeout of its own" but refuses any timeout on a set without the
///   timeout flag), and `NFT_DYNSET_F_EXPR` set when
///   `NFTA_DYNSET_EXPRESSIONS` is present (required on input, never
///   dumped); its expressions in creation form;
/// * `osf`: `NFTA_OSF_FLAGS` 0 dropped (only `NFT_OSF_F_VERSION` is
///   accepted);
/// * `exthdr` writes: `NFTA_EXTHDR_FLAGS` 0 dropped (no flags accepted),
///   and for TCP option removal also offset and length 0.
pub fn expr(e: &mut Expr) {
    use crate::expr::exthdr::ExthdrOp;
    match e {
        Expr::Quota(q) => {
            quota_state(&mut q.flags, &mut q.consumed, q.bytes);
        }
        Expr::Dynset(d) => {
            if d.timeout == Some(0) {
                d.timeout = None;
            }
            if let Some(x) = d.expr.as_mut() {
                expr(&mut x.0);
            }
            if let Some(l) = d.exprs.as_mut() {
                l.0.iter_mut().for_each(expr);
                if !l.0.is_empty() {
                    d.flags = Some(d.flags.unwrap_or(0) | DYNSET_F_EXPR);
                }
            }
        }
        Expr::Osf(o) if o.flags == Some(0) => o.flags = None,
        Expr::Exthdr(x) if x.dreg.is_none() => {
            if x.flags == Some(0) {
                x.flags = None;
            }
            if x.sreg.is_none() && x.op == Some(ExthdrOp::TcpOpt) {
                if x.offset == Some(0) {
                    x.offset = None;
                }
                if x.len == Some(0) {
                    x.len = None;
                }
            }
        }
        _ => {}
    }
}

/// A quota's flags and consumed bytes in creation form: the depleted flag
/// (`NFT_QUOTA_F_DEPLETED`, which the kernel sets when the quota is used
/// up and refuses on input) cleared, and consumed bytes above the quota
/// (older kernels dump the raw count; input above the quota is refused)
/// capped at the quota. The quota stays used up: the kernel derives
/// depletion from the consumed bytes. Returns whether anything changed.
fn quota_state(flags: &mut Option<u32>, consumed: &mut Option<u64>, bytes: Option<u64>) -> bool {
    let mut changed = false;
    if let Some(f) = flags.as_mut() {
        if *f & crate::expr::quota::QUOTA_F_DEPLETED != 0 {
            *f &= !crate::expr::quota::QUOTA_F_DEPLETED;
            changed = true;
        }
    }
    if let (Some(c), Some(b)) = (consumed.as_mut(), bytes) {
        if *c > b {
            *c = b;
            changed = true;
        }
    }
    changed
}

/// Whether `needle` occurs in `hay`.
fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

/// The creation form of a `NEW*` message read from a save file (or made
/// any other way): decoded, mapped with the function of its kind, and
/// encoded again, or returned unchanged when nothing needs mapping (a rule
/// is only decoded when its body names an expression that may need it) or
/// the body does not decode.
pub fn message(m: NfMsg) -> NfMsg {
    fn remake<T: Kind>(m: NfMsg, f: impl FnOnce(&mut T)) -> NfMsg {
        let Some(mut v) = T::parse_body(&m.body) else {
            return m;
        };
        let before = v.clone();
        f(&mut v);
        if v == before {
            return m;
        }
        let mut w = crate::nla::Writer::with_capacity(m.body.len());
        v.write_body(&mut w);
        NfMsg {
            body: w.buf.into(),
            ..m
        }
    }
    /// [`remake`] through the object wrapper (`Obj<T>`) the mapping
    /// functions take.
    fn remake_obj<T: Kind + Default>(m: NfMsg, f: fn(&mut Obj<T>)) -> NfMsg {
        let family = m.family;
        remake(m, |a: &mut T| {
            let mut o = Obj {
                family,
                attrs: std::mem::take(a),
            };
            f(&mut o);
            *a = o.attrs;
        })
    }
    match m.msg() {
        msg::NEWTABLE => remake_obj(m, table),
        msg::NEWCHAIN => remake_obj(m, chain),
        msg::NEWSET => remake_obj(m, set),
        msg::NEWSETELEM => remake_obj(m, elements),
        msg::NEWOBJ => remake_obj(m, object),
        msg::NEWFLOWTABLE => remake_obj(m, flowtable),
        msg::NEWRULE => {
            if !MAPPED_EXPR_NAMES.iter().any(|n| contains(&m.body, n)) {
                return m;
            }
            remake(m, |a: &mut crate::object::RuleAttrs| {
                // Only the expressions: compat inference and read-only
                // attributes are the saving side's business.
                if let Some(l) = a.exprs.as_mut() {
                    l.0.iter_mut().for_each(expr);
                }
            })
        }
        _ => m,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::expr::counter::Counter;
    use crate::expr::dynset::Dynset;
    use crate::expr::quota::Quota;
    use crate::expr::ExprList;
    use crate::object::obj::{ObjType, QuotaData};
    use crate::object::{SetElem, SetElemList};

    #[test]
    fn quota_state_is_cleared_and_capped_once() {
        let mut e = Expr::Quota(Quota {
            bytes: Some(100),
            consumed: Some(150),
            flags: Some(3),
            ..Default::default()
        });
        expr(&mut e);
        let Expr::Quota(q) = &e else { panic!() };
        assert_eq!((q.flags, q.consumed), (Some(1), Some(100)));
        let again = e.clone();
        expr(&mut e);
        assert_eq!(e, again, "idempotent");
    }

    #[test]
    fn dynset_timeout_zero_and_expression_flag() {
        let mut d = Dynset {
            timeout: Some(0),
            flags: Some(0),
            exprs: Some(ExprList(vec![
                Counter::new(0, 0).into(),
                Counter::new(1, 2).into(),
            ])),
            ..Default::default()
        };
        let mut e: Expr = d.clone().into();
        expr(&mut e);
        let Expr::Dynset(m) = &e else { panic!() };
        assert_eq!((m.timeout, m.flags), (None, Some(DYNSET_F_EXPR)));
        // A real timeout stays.
        d.timeout = Some(5000);
        let mut e: Expr = d.into();
        expr(&mut e);
        let Expr::Dynset(m) = &e else { panic!() };
        assert_eq!(m.timeout, Some(5000));
    }

    #[test]
    fn interval_end_elements_lose_timeouts_and_all_lose_expirations() {
        let el = |flags, timeout| SetElem {
            flags,
            timeout,
            expiration: Some(7),
            ..Default::default()
        };
        let mut e = SetElems {
            family: 2,
            attrs: Default::default(),
        };
        e.attrs.elems = Some(SetElemList(vec![
            el(None, Some(60_000)),
            el(Some(ELEM_INTERVAL_END), Some(0)),
        ]));
        elements(&mut e);
        let l = &e.attrs.elems.as_ref().unwrap().0;
        assert_eq!((l[0].timeout, l[0].expiration), (Some(60_000), None));
        assert_eq!((l[1].timeout, l[1].expiration), (None, None));
    }

    #[test]
    fn tunnel_geneve_options_become_one_flagged_nest_each() {
        use crate::nla::{parse_all, RawAttr, Writer, NLA_F_NESTED};
        use crate::object::obj::{TunnelData, TunnelGeneve, TunnelOpts};
        let opt = |class| TunnelGeneve {
            class: Some(class),
            opt_type: Some(1),
            data: Some(vec![class as u8; 4].into()),
            ..Default::default()
        };
        // The options of a dump: per option a nest without the flag
        // (6.x), and an older kernel's single nest holding two options.
        let mut w = Writer::new();
        w.put_raw(TUNNEL_OPTS_GENEVE, &opt(1).to_bytes());
        let mut two = opt(2).to_bytes();
        two.extend(opt(3).to_bytes());
        w.put_raw(TUNNEL_OPTS_GENEVE, &two);
        let mut t = TunnelData {
            id: Some(1),
            opts: TunnelOpts::parse(&w.buf.to_vec().into()),
            ..Default::default()
        };
        assert!(tunnel_geneve_nests(&mut t));
        let out: bytes::Bytes = t.opts.as_ref().unwrap().to_bytes().into();
        let nests = parse_all(&out).unwrap();
        let want: Vec<RawAttr> = [1, 2, 3]
            .iter()
            .map(|c| RawAttr {
                ty: NLA_F_NESTED | TUNNEL_OPTS_GENEVE,
                payload: opt(*c).to_bytes().into(),
            })
            .collect();
        assert_eq!(nests, want);
        // Idempotent, and the typed view sees the first option.
        let again = t.clone();
        assert!(!tunnel_geneve_nests(&mut t));
        assert_eq!(t, again);
        let typed = t.opts.as_ref().unwrap().geneve.as_ref().unwrap();
        assert_eq!(typed.class, Some(1));
        // Nothing to do without Geneve options.
        let mut plain = TunnelData {
            id: Some(2),
            ..Default::default()
        };
        assert!(!tunnel_geneve_nests(&mut plain));
    }

    #[test]
    fn messages_are_mapped_only_when_needed() {
        let mut o = Object {
            family: 2,
            attrs: Default::default(),
        };
        o.attrs.table = Some("t".into());
        o.attrs.name = Some("q".into());
        o.attrs.obj_type = Some(ObjType::Quota);
        let q = QuotaData {
            bytes: Some(10),
            consumed: Some(10),
            flags: Some(2),
            ..Default::default()
        };
        o.attrs.data = Some(q.to_bytes().into());
        let m = message(o.to_msg(msg::NEWOBJ, 0));
        let back = Object::from_msg(&m).unwrap();
        let Some(crate::object::obj::ObjData::Quota(d)) = back.typed_data() else {
            panic!()
        };
        assert_eq!((d.flags, d.consumed), (Some(0), Some(10)));
        // A rule naming no mapped expression is passed through untouched.
        let r = Rule::new(2, "t", "c", vec![Counter::new(1, 2).into()]);
        let m = r.to_msg(msg::NEWRULE, 0);
        let body = m.body.clone();
        assert_eq!(message(m).body, body);
    }
}
