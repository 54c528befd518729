//! `masq` expression. (STUB: attributes not typed yet; all kept raw.)

use crate::attr_struct;
use std::fmt;

attr_struct! {
    /// `NFTA_MASQ_*`.
    pub struct Masq {
    }
}

impl_expr!(Masq, "masq");

impl Masq {
    fn debug_body(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("masq")?;
        crate::expr::fmt_extras(f, &self.extra)
    }
}
