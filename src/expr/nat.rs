//! `nat` expression. (STUB: attributes not typed yet; all kept raw.)

use crate::attr_struct;
use std::fmt;

attr_struct! {
    /// `NFTA_NAT_*`.
    pub struct Nat {
    }
}

impl_expr!(Nat, "nat");

impl Nat {
    fn debug_body(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("nat")?;
        crate::expr::fmt_extras(f, &self.extra)
    }
}
