//! `osf` expression. (STUB: attributes not typed yet; all kept raw.)

use crate::attr_struct;
use std::fmt;

attr_struct! {
    /// `NFTA_OSF_*`.
    pub struct Osf {
    }
}

impl_expr!(Osf, "osf");

impl Osf {
    fn debug_body(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("osf")?;
        crate::expr::fmt_extras(f, &self.extra)
    }
}
