//! `exthdr` expression. (STUB: attributes not typed yet; all kept raw.)

use crate::attr_struct;
use std::fmt;

attr_struct! {
    /// `NFTA_EXTHDR_*`.
    pub struct Exthdr {
    }
}

impl_expr!(Exthdr, "exthdr");

impl Exthdr {
    fn debug_body(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("exthdr")?;
        crate::expr::fmt_extras(f, &self.extra)
    }
}
