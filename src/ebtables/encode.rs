//! ebtables rule → expressions and `NFTA_RULE_COMPAT`, in `nft_bridge_add`'s
//! order: source MAC, destination MAC, the four interfaces, the protocol,
//! the matches and watchers, counter, then the action (`_add_action`).

use super::ext::Ext;
use super::rule::{EbtRule, EbtVerdict, Proto};
use crate::data::VerdictCode;
use crate::expr::cmp::CmpOp;
use crate::expr::immediate::Immediate;
use crate::expr::limit::Limit as LimitExpr;
use crate::expr::meta::{Meta, MetaKey};
use crate::expr::payload::PayloadBase;
use crate::expr::{xt, Expr};
use crate::iptables::encode::{add_iface, add_masked, inv_op, Sink, Writer};
use crate::iptables::match_::limit::native_rate;
use crate::object::rule::RuleCompat;

fn xt_target(name: &str, info: Vec<u8>) -> Expr {
    Expr::Target(xt::Target {
        name: Some(name.to_string()),
        rev: Some(0),
        info: Some(info.into()),
        ..Default::default()
    })
}

/// The expressions ebtables-nft 1.8.11 writes for `r` in `table`; `among`
/// sets are referred to by the kernel names the rule was read with.
pub fn encode(r: &EbtRule, table: &str) -> Vec<Expr> {
    encode_inner(r, table, None)
}

/// The sets an added rule needs first (`among`), each with its elements.
pub type NewSets = Vec<(crate::object::Set, crate::object::SetElems)>;

/// [`encode`] for adding the rule: each `among` list gets a new anonymous
/// set (batch ids from `next_id` on), returned to be created before the
/// rule.
pub fn encode_new(r: &EbtRule, table: &str, next_id: &mut u32) -> (Vec<Expr>, NewSets) {
    let mut sets = Vec::new();
    let exprs = encode_inner(r, table, Some((next_id, &mut sets)));
    (exprs, sets)
}

fn encode_inner(r: &EbtRule, table: &str, mut new: Option<(&mut u32, &mut NewSets)>) -> Vec<Expr> {
    let mut out: Vec<Expr> = Vec::with_capacity(12);
    if let Some(m) = &r.src {
        add_masked(
            &mut out,
            PayloadBase::LinkLayer,
            6,
            &m.addr,
            &m.mask,
            r.src_inv,
        );
    }
    if let Some(m) = &r.dst {
        add_masked(
            &mut out,
            PayloadBase::LinkLayer,
            0,
            &m.addr,
            &m.mask,
            r.dst_inv,
        );
    }
    for (i, k) in [
        (&r.iniface, MetaKey::IifName),
        (&r.outiface, MetaKey::OifName),
        (&r.logical_in, MetaKey::BriIifName),
        (&r.logical_out, MetaKey::BriOifName),
    ] {
        if !i.name.is_empty() {
            add_iface(&mut out, k, i, Writer::V1_8_11);
        }
    }
    if let Some(p) = r.proto {
        out.payload(PayloadBase::LinkLayer, 12, 2);
        match p {
            Proto::Type(t) => out.cmp(inv_op(r.proto_inv), &t.to_be_bytes()),
            Proto::Length => {
                let op = if r.proto_inv { CmpOp::Gte } else { CmpOp::Lt };
                out.cmp(op, &0x0600u16.to_be_bytes());
            }
        }
    }
    for e in &r.exts {
        if let Ext::Among(a) = e {
            let ids = new.as_mut().map(|(next, sets)| {
                let mut id = |l: &Option<super::among::AmongList>| {
                    let l = l.as_ref().filter(|l| !l.pairs.is_empty())?;
                    let i = **next;
                    **next += 1;
                    sets.push((l.set(table, i), l.elements(table, i)));
                    Some(i)
                };
                let s = id(&a.src);
                let d = id(&a.dst);
                (s, d)
            });
            a.exprs(ids, &mut out);
            continue;
        }
        if let Ext::Limit { avg, burst } = e {
            let (rate, unit) = native_rate(*avg);
            out.push(Expr::Limit(LimitExpr::packets(rate, unit, *burst)));
            continue;
        }
        let info = e.to_info();
        if e.is_watcher() {
            out.push(xt_target(e.name(), info));
        } else {
            out.push(Expr::Match(xt::Match {
                name: Some(e.name().to_string()),
                rev: Some(0),
                info: Some(info.into()),
                ..Default::default()
            }));
        }
    }
    out.counter(r.packets, r.bytes);
    match &r.verdict {
        EbtVerdict::Continue => {}
        EbtVerdict::Accept => out.verdict(VerdictCode::Accept, None),
        EbtVerdict::Drop if table == "broute" => {
            out.push(Expr::Immediate(Immediate {
                dreg: Some(9),
                data: Some(crate::data::Data::value(vec![1u8])),
                ..Default::default()
            }));
            out.push(Expr::Meta(Meta {
                key: Some(MetaKey::BriBroute),
                sreg: Some(9),
                ..Default::default()
            }));
            out.verdict(VerdictCode::Accept, None);
        }
        EbtVerdict::Drop => out.verdict(VerdictCode::Drop, None),
        EbtVerdict::Return => out.verdict(VerdictCode::Return, None),
        EbtVerdict::Jump(c) => out.verdict(VerdictCode::Jump, Some(c)),
        EbtVerdict::Mark(m) => out.push(xt_target("mark", m.to_info())),
        EbtVerdict::Nat(n) => out.push(xt_target(n.name(), n.to_info())),
    }
    out
}

/// `add_compat(r, fw->ethproto, invflags & EBT_IPROTO)`: the protocol in
/// network order, as the kernel's compat layer reads it.
pub fn compat(r: &EbtRule) -> RuleCompat {
    RuleCompat {
        proto: Some(u16::from_ne_bytes(r.ethproto().to_be_bytes()) as u32),
        flags: Some(if r.proto_inv { 2 } else { 0 }),
        ..Default::default()
    }
}

/// The user chain policy rule (`ebt_add_policy_rule`): counter and
/// verdict, marked by userdata.
pub fn policy_rule(verdict: VerdictCode) -> (Vec<Expr>, Vec<u8>) {
    let mut out: Vec<Expr> = Vec::new();
    out.counter(0, 0);
    out.verdict(verdict, None);
    // UDATA_TYPE_EBTABLES_POLICY (1), length 4, value 1 (host order).
    let mut u = vec![1u8, 4];
    u.extend_from_slice(&1u32.to_ne_bytes());
    (out, u)
}
