//! `log` expression. (STUB: attributes not typed yet; all kept raw.)

use crate::attr_struct;
use std::fmt;

attr_struct! {
    /// `NFTA_LOG_*`.
    pub struct Log {
    }
}

impl_expr!(Log, "log");

impl Log {
    fn debug_body(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("log")?;
        crate::expr::fmt_extras(f, &self.extra)
    }
}
