//! `ct` expression. (STUB: attributes not typed yet; all kept raw.)

use crate::attr_struct;
use std::fmt;

attr_struct! {
    /// `NFTA_CT_*`.
    pub struct Ct {
    }
}

impl_expr!(Ct, "ct");

impl Ct {
    fn debug_body(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ct")?;
        crate::expr::fmt_extras(f, &self.extra)
    }
}
