//! `tunnel` expression. (STUB: attributes not typed yet; all kept raw.)

use crate::attr_struct;
use std::fmt;

attr_struct! {
    /// `NFTA_TUNNEL_*`.
    pub struct Tunnel {
    }
}

impl_expr!(Tunnel, "tunnel");

impl Tunnel {
    fn debug_body(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("tunnel")?;
        crate::expr::fmt_extras(f, &self.extra)
    }
}
