//! `quota` expression. (STUB: attributes not typed yet; all kept raw.)

use crate::attr_struct;
use std::fmt;

attr_struct! {
    /// `NFTA_QUOTA_*`.
    pub struct Quota {
    }
}

impl_expr!(Quota, "quota");

impl Quota {
    fn debug_body(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("quota")?;
        crate::expr::fmt_extras(f, &self.extra)
    }
}
