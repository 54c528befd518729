//! `match` / `target`: xtables compat extensions (iptables-nft's `-m` and
//! `-j` that have no native form). The info blob is kept byte-exact.

use crate::attr_struct;
use bytes::Bytes;
use std::fmt;

attr_struct! {
    /// `NFTA_MATCH_*`.
    pub struct Match {
        /// extension name
        1 => name: String,
        /// revision
        2 => rev: u32,
        /// the xt struct, as the kernel stores it
        3 => info: Bytes,
    }
}

attr_struct! {
    /// `NFTA_TARGET_*`.
    pub struct Target {
        /// extension name
        1 => name: String,
        /// revision
        2 => rev: u32,
        /// the xt struct, as the kernel stores it
        3 => info: Bytes,
    }
}

impl_expr!(Match, "match");
impl_expr!(Target, "target");

impl Match {
    fn debug_body(&self, f: &mut String) -> fmt::Result {
        f.push_str("match name ");
        f.push_str(
            self.name
                .as_deref()
                .unwrap_or(crate::expr::nftnl_fmt::NULL_STR),
        );
        f.push_str(" rev ");
        crate::util::push_decimal(f, self.rev.unwrap_or(0).into());
        crate::expr::fmt_extras(f, self.extra())
    }
}

impl Target {
    fn debug_body(&self, f: &mut String) -> fmt::Result {
        f.push_str("target name ");
        f.push_str(
            self.name
                .as_deref()
                .unwrap_or(crate::expr::nftnl_fmt::NULL_STR),
        );
        f.push_str(" rev ");
        crate::util::push_decimal(f, self.rev.unwrap_or(0).into());
        crate::expr::fmt_extras(f, self.extra())
    }
}
