//! Rules (`NFTA_RULE_*`).

use super::{impl_kind, Obj};
use crate::attr_struct;
use crate::expr::{Expr, ExprList};
use bytes::Bytes;

attr_struct! {
    /// `NFTA_RULE_COMPAT_*`: the protocol info xt extensions check against.
    pub struct RuleCompat {
        /// `NFTA_RULE_COMPAT_PROTO`
        1 => proto: u32,
        /// `NFTA_RULE_COMPAT_FLAGS` (2 = inverted)
        2 => flags: u32,
    }
}

attr_struct! {
    /// Attributes of a rule, in the kernel's dump order.
    pub struct RuleAttrs {
        /// `NFTA_RULE_TABLE`
        1 => table: String,
        /// `NFTA_RULE_CHAIN`
        2 => chain: String,
        /// `NFTA_RULE_HANDLE`
        3 => handle: u64,
        /// `NFTA_RULE_POSITION` (handle of the previous rule in dumps; insert position in requests)
        6 => position: u64,
        /// `NFTA_RULE_EXPRESSIONS`
        4 => exprs: ExprList,
        /// `NFTA_RULE_COMPAT`
        5 => compat: RuleCompat,
        /// `NFTA_RULE_USERDATA` (nft stores comments here as TLVs)
        7 => userdata: Bytes,
        /// `NFTA_RULE_ID` (transaction-local id)
        9 => id: u32,
        /// `NFTA_RULE_POSITION_ID`
        10 => position_id: u32,
        /// `NFTA_RULE_CHAIN_ID`
        11 => chain_id: u32,
    }
}

impl_kind!(RuleAttrs, NEWRULE, GETRULE, DELRULE);

/// A rule with its family.
pub type Rule = Obj<RuleAttrs>;

impl Rule {
    /// A new rule for `table`/`chain` with the given expressions.
    pub fn new(family: u8, table: &str, chain: &str, exprs: Vec<Expr>) -> Rule {
        Obj {
            family,
            attrs: RuleAttrs {
                table: Some(table.into()),
                chain: Some(chain.into()),
                exprs: Some(ExprList(exprs)),
                ..Default::default()
            },
        }
    }
    /// The expressions (empty if absent).
    pub fn exprs(&self) -> &[Expr] {
        self.attrs
            .exprs
            .as_ref()
            .map(|l| l.0.as_slice())
            .unwrap_or(&[])
    }
    /// The chain name.
    pub fn chain(&self) -> &str {
        self.attrs.chain.as_deref().unwrap_or("")
    }
    /// The table name.
    pub fn table(&self) -> &str {
        self.attrs.table.as_deref().unwrap_or("")
    }
    /// The comment nft stores in userdata (TLV type 0, NUL-terminated).
    pub fn comment(&self) -> Option<String> {
        udata_comment(self.attrs.userdata.as_deref()?, 0)
    }
}

/// Find a NUL-terminated string TLV of type `ty` in nft-style userdata
/// (1-byte type, 1-byte length, value).
pub fn udata_comment(u: &[u8], ty: u8) -> Option<String> {
    let mut i = 0;
    while i + 2 <= u.len() {
        let t = u[i];
        let l = u[i + 1] as usize;
        let v = u.get(i + 2..i + 2 + l)?;
        if t == ty {
            let v = v.strip_suffix(&[0]).unwrap_or(v);
            return std::str::from_utf8(v).ok().map(str::to_owned);
        }
        i += 2 + l;
    }
    None
}
