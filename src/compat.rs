//! `NFTA_RULE_COMPAT`: the kernel does not dump it, but xt extensions need
//! it when a rule is created. iptables-nft derives it from `-p`; so does
//! this module, from the rule's own expressions.

use crate::expr::{CmpOp, Expr, MetaKey, PayloadBase};
use crate::object::rule::RuleCompat;
use crate::object::Rule;

/// `NFT_RULE_COMPAT_F_INV`.
pub const COMPAT_F_INV: u32 = 2;

/// The compat info iptables-nft would have sent for this rule: only rules
/// with xt `match`/`target` expressions need one; the protocol comes from a
/// `meta l4proto` or IPv4/IPv6 protocol load followed by a 1-byte cmp.
pub fn infer_compat(r: &Rule) -> Option<RuleCompat> {
    let ex = r.exprs();
    if !ex
        .iter()
        .any(|e| matches!(e, Expr::Match(_) | Expr::Target(_)))
    {
        return None;
    }
    let mut proto = 0u32;
    let mut flags = 0u32;
    for w in ex.windows(2) {
        let loads_proto = match &w[0] {
            Expr::Meta(m) => m.key == Some(MetaKey::L4Proto) && m.sreg.is_none(),
            Expr::Payload(p) => {
                p.base == Some(PayloadBase::Network)
                    && p.len == Some(1)
                    && p.sreg.is_none()
                    && ((r.family == crate::consts::family::IPV4 && p.offset == Some(9))
                        || (r.family == crate::consts::family::IPV6 && p.offset == Some(6)))
            }
            _ => false,
        };
        if !loads_proto {
            continue;
        }
        if let Expr::Cmp(c) = &w[1] {
            if let Some(v) = c.data.as_ref().and_then(|d| d.bytes()) {
                if v.len() == 1 {
                    proto = v[0] as u32;
                    if c.op == Some(CmpOp::Neq) {
                        flags = COMPAT_F_INV;
                    }
                    break;
                }
            }
        }
    }
    Some(RuleCompat {
        proto: Some(proto),
        flags: Some(flags),
        ..Default::default()
    })
}
