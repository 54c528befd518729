//! `last` expression. (STUB: attributes not typed yet; all kept raw.)

use crate::attr_struct;
use std::fmt;

attr_struct! {
    /// `NFTA_LAST_*`.
    pub struct Last {
    }
}

impl_expr!(Last, "last");

impl Last {
    fn debug_body(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("last")?;
        crate::expr::fmt_extras(f, &self.extra)
    }
}
