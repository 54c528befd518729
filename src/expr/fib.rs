//! `fib` expression. (STUB: attributes not typed yet; all kept raw.)

use crate::attr_struct;
use std::fmt;

attr_struct! {
    /// `NFTA_FIB_*`.
    pub struct Fib {
    }
}

impl_expr!(Fib, "fib");

impl Fib {
    fn debug_body(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("fib")?;
        crate::expr::fmt_extras(f, &self.extra)
    }
}
