//! `byteorder` expression. (STUB: attributes not typed yet; all kept raw.)

use crate::attr_struct;
use std::fmt;

attr_struct! {
    /// `NFTA_BYTEORDER_*`.
    pub struct Byteorder {
    }
}

impl_expr!(Byteorder, "byteorder");

impl Byteorder {
    fn debug_body(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("byteorder")?;
        crate::expr::fmt_extras(f, &self.extra)
    }
}
