//! `limit` expression. (STUB: attributes not typed yet; all kept raw.)

use crate::attr_struct;
use std::fmt;

attr_struct! {
    /// `NFTA_LIMIT_*`.
    pub struct Limit {
    }
}

impl_expr!(Limit, "limit");

impl Limit {
    fn debug_body(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("limit")?;
        crate::expr::fmt_extras(f, &self.extra)
    }
}
