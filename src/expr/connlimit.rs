//! `connlimit` expression. (STUB: attributes not typed yet; all kept raw.)

use crate::attr_struct;
use std::fmt;

attr_struct! {
    /// `NFTA_CONNLIMIT_*`.
    pub struct Connlimit {
    }
}

impl_expr!(Connlimit, "connlimit");

impl Connlimit {
    fn debug_body(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("connlimit")?;
        crate::expr::fmt_extras(f, &self.extra)
    }
}
