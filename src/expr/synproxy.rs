//! `synproxy` expression. (STUB: attributes not typed yet; all kept raw.)

use crate::attr_struct;
use std::fmt;

attr_struct! {
    /// `NFTA_SYNPROXY_*`.
    pub struct Synproxy {
    }
}

impl_expr!(Synproxy, "synproxy");

impl Synproxy {
    fn debug_body(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("synproxy")?;
        crate::expr::fmt_extras(f, &self.extra)
    }
}
