//! `fwd` expression. (STUB: attributes not typed yet; all kept raw.)

use crate::attr_struct;
use std::fmt;

attr_struct! {
    /// `NFTA_FWD_*`.
    pub struct Fwd {
    }
}

impl_expr!(Fwd, "fwd");

impl Fwd {
    fn debug_body(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("fwd")?;
        crate::expr::fmt_extras(f, &self.extra)
    }
}
