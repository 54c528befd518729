//! `rt` expression. (STUB: attributes not typed yet; all kept raw.)

use crate::attr_struct;
use std::fmt;

attr_struct! {
    /// `NFTA_RT_*`.
    pub struct Rt {
    }
}

impl_expr!(Rt, "rt");

impl Rt {
    fn debug_body(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("rt")?;
        crate::expr::fmt_extras(f, &self.extra)
    }
}
