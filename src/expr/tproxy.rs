//! `tproxy` expression. (STUB: attributes not typed yet; all kept raw.)

use crate::attr_struct;
use std::fmt;

attr_struct! {
    /// `NFTA_TPROXY_*`.
    pub struct Tproxy {
    }
}

impl_expr!(Tproxy, "tproxy");

impl Tproxy {
    fn debug_body(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("tproxy")?;
        crate::expr::fmt_extras(f, &self.extra)
    }
}
