//! `dup` expression. (STUB: attributes not typed yet; all kept raw.)

use crate::attr_struct;
use std::fmt;

attr_struct! {
    /// `NFTA_DUP_*`.
    pub struct Dup {
    }
}

impl_expr!(Dup, "dup");

impl Dup {
    fn debug_body(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("dup")?;
        crate::expr::fmt_extras(f, &self.extra)
    }
}
