//! `bitwise` expression. (STUB: attributes not typed yet; all kept raw.)

use crate::attr_struct;
use std::fmt;

attr_struct! {
    /// `NFTA_BITWISE_*`.
    pub struct Bitwise {
    }
}

impl_expr!(Bitwise, "bitwise");

impl Bitwise {
    fn debug_body(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("bitwise")?;
        crate::expr::fmt_extras(f, &self.extra)
    }
}
