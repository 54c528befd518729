//! `numgen` expression. (STUB: attributes not typed yet; all kept raw.)

use crate::attr_struct;
use std::fmt;

attr_struct! {
    /// `NFTA_NUMGEN_*`.
    pub struct Numgen {
    }
}

impl_expr!(Numgen, "numgen");

impl Numgen {
    fn debug_body(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("numgen")?;
        crate::expr::fmt_extras(f, &self.extra)
    }
}
