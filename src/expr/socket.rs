//! `socket` expression. (STUB: attributes not typed yet; all kept raw.)

use crate::attr_struct;
use std::fmt;

attr_struct! {
    /// `NFTA_SOCKET_*`.
    pub struct Socket {
    }
}

impl_expr!(Socket, "socket");

impl Socket {
    fn debug_body(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("socket")?;
        crate::expr::fmt_extras(f, &self.extra)
    }
}
