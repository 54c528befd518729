//! `redir` expression. (STUB: attributes not typed yet; all kept raw.)

use crate::attr_struct;
use std::fmt;

attr_struct! {
    /// `NFTA_REDIR_*`.
    pub struct Redir {
    }
}

impl_expr!(Redir, "redir");

impl Redir {
    fn debug_body(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("redir")?;
        crate::expr::fmt_extras(f, &self.extra)
    }
}
