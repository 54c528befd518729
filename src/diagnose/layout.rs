//! The tables and base chains iptables-nft expects, and its base-chain check.
//!
//! iptables-nft recognises its tables only by family (ip, ip6) and name. When
//! it loads a table, every base chain must be the builtin one for its hook:
//! same name, same chain type, same priority. Any other base chain is
//! dropped from its view (with its rules) and the table is marked
//! "tainted": listings then start with
//! ``# Table `T' contains incompatible base-chains, use 'nft' tool to list them.``

use crate::object::Chain;

// The layout itself is shared with the iptables model.

/// `NFPROTO_IPV4`.
pub const FAMILY_IP: u8 = 2;
/// `NFPROTO_IPV6`.
pub const FAMILY_IP6: u8 = 10;

pub use crate::iptables::tables::{BuiltinChain, BuiltinTable, TABLES};

/// The builtin table `name` of an iptables family, if it is one.
pub fn builtin_table(family: u8, name: &str) -> Option<&'static BuiltinTable> {
    if family != FAMILY_IP && family != FAMILY_IP6 {
        return None;
    }
    crate::iptables::tables::table(name)
}

/// Name of a netfilter hook number.
pub fn hook_name(hook: u32) -> String {
    match hook {
        0 => "prerouting".into(),
        1 => "input".into(),
        2 => "forward".into(),
        3 => "output".into(),
        4 => "postrouting".into(),
        n => format!("hook {n}"),
    }
}

/// "ip" / "ip6" / the family number.
pub fn family_str(family: u8) -> String {
    match family {
        FAMILY_IP => "ip".into(),
        FAMILY_IP6 => "ip6".into(),
        f => crate::object::family_name(f),
    }
}

/// Why iptables-nft drops a base chain from its view.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BaseChainProblem {
    /// The hook is not one of the table's builtin hooks.
    Hook,
    /// The name differs from the builtin chain of that hook.
    Name(&'static str),
    /// The chain type differs.
    Type(&'static str),
    /// The priority differs.
    Priority(i32),
}

impl BaseChainProblem {
    /// One phrase describing the mismatch.
    pub fn describe(&self, c: &Chain) -> String {
        let hook = c.attrs.hook.as_ref();
        let h = hook.and_then(|h| h.num).unwrap_or(u32::MAX);
        match self {
            BaseChainProblem::Hook => {
                format!("the table has no builtin chain on hook {}", hook_name(h))
            }
            BaseChainProblem::Name(n) => format!(
                "the builtin chain on hook {} is named {n}, not {}",
                hook_name(h),
                c.name()
            ),
            BaseChainProblem::Type(t) => format!(
                "type {} where iptables expects type {t}",
                c.attrs.chain_type.as_deref().unwrap_or("?")
            ),
            BaseChainProblem::Priority(p) => format!(
                "priority {} where iptables expects {p}",
                hook.and_then(|h| h.priority).unwrap_or(0)
            ),
        }
    }
}

/// The base-chain check of `nft_cache_add_base_chain` for a base chain of
/// an iptables table: `None` when iptables accepts it (or it is not a base
/// chain of a builtin table).
pub fn check_base_chain(c: &Chain) -> Option<BaseChainProblem> {
    let t = builtin_table(c.family, c.table())?;
    let hook = c.attrs.hook.as_ref()?;
    let num = hook.num.unwrap_or(0);
    let Some(b) = t.chains.iter().find(|b| b.hook == num) else {
        return Some(BaseChainProblem::Hook);
    };
    // iptables compares the priority as an unsigned 32-bit value, which is
    // the same test as comparing the signed values.
    if hook.priority.unwrap_or(0) != b.prio {
        return Some(BaseChainProblem::Priority(b.prio));
    }
    if c.name() != b.name {
        return Some(BaseChainProblem::Name(b.name));
    }
    if c.attrs.chain_type.as_deref().unwrap_or("") != b.chain_type {
        return Some(BaseChainProblem::Type(b.chain_type));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::object::chain::Hook;

    fn base(table: &str, name: &str, hook: u32, ty: &str, prio: i32) -> Chain {
        let mut c = Chain::regular(FAMILY_IP, table, name);
        c.attrs.hook = Some(Hook {
            num: Some(hook),
            priority: Some(prio),
            ..Default::default()
        });
        c.attrs.chain_type = Some(ty.into());
        c
    }

    #[test]
    fn base_chain_rules() {
        assert_eq!(
            check_base_chain(&base("filter", "INPUT", 1, "filter", 0)),
            None
        );
        assert_eq!(
            check_base_chain(&base("filter", "INPUT", 1, "filter", 10)),
            Some(BaseChainProblem::Priority(0))
        );
        assert_eq!(
            check_base_chain(&base("filter", "input", 1, "filter", 0)),
            Some(BaseChainProblem::Name("INPUT"))
        );
        assert_eq!(
            check_base_chain(&base("mangle", "OUTPUT", 3, "filter", -150)),
            Some(BaseChainProblem::Type("route"))
        );
        assert_eq!(
            check_base_chain(&base("filter", "PREROUTING", 0, "filter", 0)),
            Some(BaseChainProblem::Hook)
        );
        assert_eq!(check_base_chain(&base("other", "x", 0, "filter", 0)), None);
    }
}
