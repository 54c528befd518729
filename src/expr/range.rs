//! `range` expression. (STUB: attributes not typed yet; all kept raw.)

use crate::attr_struct;
use std::fmt;

attr_struct! {
    /// `NFTA_RANGE_*`.
    pub struct Range {
    }
}

impl_expr!(Range, "range");

impl Range {
    fn debug_body(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("range")?;
        crate::expr::fmt_extras(f, &self.extra)
    }
}
