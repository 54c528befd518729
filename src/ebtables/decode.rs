//! Expressions → ebtables rule, read step by step as ebtables-nft's parser
//! does (`nft-ruleparse-bridge.c`); the rule is ebtables' own only if it
//! encodes back to exactly the kernel's expressions (otherwise it is
//! foreign and reported, never misread). User chain policy rules are
//! recognized separately ([`policy_of`]).

use super::encode::encode;
use super::ext::{Ext, Mac, MarkTarget, NatTarget};
use super::rule::{EbtRule, EbtVerdict, Proto};
use crate::arptables::decode::{iface_of, steps, Load, Step};
use crate::data::VerdictCode;
use crate::expr::cmp::CmpOp;
use crate::expr::meta::MetaKey;
use crate::expr::payload::PayloadBase;
use crate::expr::Expr;
use crate::iptables::decode::canon;
use crate::object::Rule;

fn mac(data: &[u8], mask: &Option<Vec<u8>>) -> Option<Mac> {
    let mut m = Mac::default();
    if data.len() > 6 {
        return None;
    }
    m.addr[..data.len()].copy_from_slice(data);
    match mask {
        Some(k) if k.len() == 6 => m.mask.copy_from_slice(k),
        Some(_) => return None,
        None => m.mask[..data.len()].fill(0xff),
    }
    Some(m)
}

/// Whether `rule` is a user chain's policy rule (userdata type 1 = 1,
/// counter, accept or drop), and its verdict.
pub fn policy_of(rule: &Rule) -> Option<VerdictCode> {
    let u = rule.attrs.userdata.as_deref()?;
    if u.len() != 6 || u[0] != 1 || u[1] != 4 || u32::from_ne_bytes([u[2], u[3], u[4], u[5]]) != 1 {
        return None;
    }
    match rule.exprs() {
        [Expr::Counter(_), Expr::Immediate(im)] if im.dreg == Some(0) => {
            let code = im.data.as_ref()?.verdict.as_ref()?.code?;
            matches!(code, VerdictCode::Accept | VerdictCode::Drop).then_some(code)
        }
        _ => None,
    }
}

/// The sets of a table by name, with their elements (`among` reads them).
pub type SetMap =
    std::collections::BTreeMap<String, (crate::object::Set, Vec<crate::object::element::SetElem>)>;

/// Read a kernel rule of bridge table `table`: the ebtables rule, or why
/// it is not one.
pub fn decode(rule: &Rule, table: &str) -> Result<EbtRule, String> {
    decode_with_sets(rule, table, &SetMap::new())
}

/// [`decode`] with the table's sets (for `among`).
pub fn decode_with_sets(rule: &Rule, table: &str, sets: &SetMap) -> Result<EbtRule, String> {
    if rule.attrs.userdata.is_some() {
        return Err("rule has userdata".into());
    }
    let exprs = rule.exprs();
    let steps = steps(exprs).ok_or("registers used in a way ebtables does not")?;
    let mut r = EbtRule::default();
    let mut counted = false;
    let mut broute = 0u8;
    let mut ipv4_test = false;
    for s in steps {
        match s {
            Step::Test {
                load: Load::Meta(MetaKey::Protocol),
                mask: None,
                op: CmpOp::Eq,
                data,
            } if data == [8, 0] && !ipv4_test => ipv4_test = true,
            Step::Lookup(loads, set, inv) => {
                use super::among::{Among, AmongList};
                let dst = match loads.first() {
                    Some(Load::Payload {
                        base: PayloadBase::LinkLayer,
                        off: 0,
                        len: 6,
                    }) => true,
                    Some(Load::Payload {
                        base: PayloadBase::LinkLayer,
                        off: 6,
                        len: 6,
                    }) => false,
                    _ => return Err("lookup of a key ebtables does not use".into()),
                };
                let (st, elems) = sets.get(&set).ok_or("lookup of an unknown set")?;
                let l = AmongList::from_set(st, elems, inv).ok_or("set ebtables does not write")?;
                let at = r.exts.iter().position(|e| matches!(e, Ext::Among(_)));
                let i = match at {
                    Some(i) => i,
                    None => {
                        r.exts.push(Ext::Among(Among::default()));
                        r.exts.len() - 1
                    }
                };
                let Ext::Among(a) = &mut r.exts[i] else {
                    return Err("among".into());
                };
                let slot = if dst { &mut a.dst } else { &mut a.src };
                if slot.is_some() {
                    return Err("two lookups of one side".into());
                }
                *slot = Some(l);
            }
            Step::Test {
                load: Load::Meta(k),
                mask: None,
                op: op @ (CmpOp::Eq | CmpOp::Neq),
                data,
            } => {
                let i = iface_of(&data, op == CmpOp::Neq);
                match k {
                    MetaKey::IifName => r.iniface = i,
                    MetaKey::OifName => r.outiface = i,
                    MetaKey::BriIifName => r.logical_in = i,
                    MetaKey::BriOifName => r.logical_out = i,
                    _ => return Err("unknown bridge meta key".into()),
                }
            }
            Step::Test {
                load:
                    Load::Payload {
                        base: PayloadBase::LinkLayer,
                        off,
                        len,
                    },
                mask,
                op,
                data,
            } => match (off, len, op) {
                (6, _, CmpOp::Eq | CmpOp::Neq) => {
                    r.src = Some(mac(&data, &mask).ok_or("bad source address")?);
                    r.src_inv = op == CmpOp::Neq;
                }
                (0, _, CmpOp::Eq | CmpOp::Neq) => {
                    r.dst = Some(mac(&data, &mask).ok_or("bad destination address")?);
                    r.dst_inv = op == CmpOp::Neq;
                }
                (12, 2, CmpOp::Eq | CmpOp::Neq) if mask.is_none() && data.len() == 2 => {
                    r.proto = Some(Proto::Type(u16::from_be_bytes([data[0], data[1]])));
                    r.proto_inv = op == CmpOp::Neq;
                }
                (12, 2, CmpOp::Lt | CmpOp::Gte) if data == [6, 0] => {
                    r.proto = Some(Proto::Length);
                    r.proto_inv = op == CmpOp::Gte;
                }
                _ => return Err(format!("unknown link layer test at offset {off}")),
            },
            Step::Match(name, rev, info) => {
                let e = Ext::from_info(&name, rev, &info)
                    .ok_or_else(|| format!("match {name} unknown to ebtables"))?;
                r.exts.push(e);
            }
            Step::Target(name, rev, info) if !counted => {
                let e = Ext::from_info(&name, rev, &info)
                    .filter(Ext::is_watcher)
                    .ok_or_else(|| format!("watcher {name} unknown to ebtables"))?;
                r.exts.push(e);
            }
            Step::Target(name, 0, info) if name != "mark" => {
                r.verdict = EbtVerdict::Nat(
                    NatTarget::from_info(&name, &info)
                        .ok_or_else(|| format!("target {name} unknown to ebtables"))?,
                );
            }
            Step::Target(name, 0, info) if name == "mark" => {
                r.verdict =
                    EbtVerdict::Mark(MarkTarget::from_info(&info).ok_or("bad mark target")?);
            }
            Step::Other(Expr::Limit(l)) if !counted => {
                let (rate, unit) = (l.rate.unwrap_or(0), l.unit.unwrap_or(0));
                if rate == 0 {
                    return Err("limit rate is zero".into());
                }
                let scale = crate::iptables::match_::limit::SCALE as u64;
                r.exts.push(Ext::Limit {
                    avg: (scale * unit / rate) as u32,
                    burst: l.burst.unwrap_or(0),
                });
            }
            Step::Counter(p, b) => {
                (r.packets, r.bytes) = (p, b);
                counted = true;
            }
            Step::Other(Expr::Immediate(_)) if counted && broute == 0 => broute = 1,
            Step::Other(Expr::Meta(m)) if broute == 1 && m.key == Some(MetaKey::BriBroute) => {
                broute = 2
            }
            Step::Verdict(code, chain) => {
                r.verdict = match (code, chain) {
                    (VerdictCode::Accept, None) if broute == 2 => EbtVerdict::Drop,
                    (VerdictCode::Accept, None) => EbtVerdict::Accept,
                    (VerdictCode::Drop, None) => EbtVerdict::Drop,
                    (VerdictCode::Return, None) => EbtVerdict::Return,
                    (VerdictCode::Jump, Some(c)) => EbtVerdict::Jump(c),
                    _ => return Err("verdict ebtables does not write".into()),
                }
            }
            _ => return Err("expression ebtables does not write".into()),
        }
    }
    let again = encode(&r, table);
    if again.len() != exprs.len() || again.iter().zip(exprs).any(|(a, b)| canon(a) != canon(b)) {
        return Err("not encoded as ebtables-nft encodes it".into());
    }
    Ok(r)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::expr::cmp::Cmp;
    use crate::expr::payload::Payload;

    fn rule(exprs: Vec<Expr>) -> Rule {
        Rule::new(crate::consts::family::BRIDGE, "filter", "FORWARD", exprs)
    }

    #[test]
    fn short_or_odd_compares_are_foreign_not_a_panic() {
        for data in [vec![], vec![8u8], vec![8, 0, 0]] {
            let r = rule(vec![
                Expr::Payload(Payload::load(PayloadBase::LinkLayer, 12, 2, 1)),
                Expr::Cmp(Cmp::new(1, CmpOp::Eq, data.clone())),
            ]);
            assert!(decode(&r, "filter").is_err(), "{data:?}");
        }
        let r = rule(vec![
            Expr::Payload(Payload::load(PayloadBase::LinkLayer, 6, 9, 1)),
            Expr::Cmp(Cmp::new(1, CmpOp::Eq, vec![1u8; 9])),
        ]);
        assert!(decode(&r, "filter").is_err());
    }

    #[test]
    fn written_rules_read_back() {
        let mut r = EbtRule {
            proto: Some(Proto::Type(0x0806)),
            src: Some(Mac {
                addr: [0x52, 0x54, 0, 1, 2, 3],
                mask: [0xff; 6],
            }),
            src_inv: true,
            verdict: EbtVerdict::Drop,
            ..Default::default()
        };
        r.exts.push(Ext::load("arp").unwrap());
        if let Some(Ext::Arp(a)) = r.exts.last_mut() {
            a.opcode = 1;
            a.bitmask = 1;
        }
        for table in ["filter", "broute"] {
            let k = rule(encode(&r, table));
            assert_eq!(decode(&k, table).as_ref(), Ok(&r), "{table}");
        }
    }
}
