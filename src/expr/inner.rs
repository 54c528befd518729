//! `inner` expression. (STUB: attributes not typed yet; all kept raw.)

use crate::attr_struct;
use std::fmt;

attr_struct! {
    /// `NFTA_INNER_*`.
    pub struct Inner {
    }
}

impl_expr!(Inner, "inner");

impl Inner {
    fn debug_body(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("inner")?;
        crate::expr::fmt_extras(f, &self.extra)
    }
}
