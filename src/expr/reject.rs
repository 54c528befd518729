//! `reject` expression. (STUB: attributes not typed yet; all kept raw.)

use crate::attr_struct;
use std::fmt;

attr_struct! {
    /// `NFTA_REJECT_*`.
    pub struct Reject {
    }
}

impl_expr!(Reject, "reject");

impl Reject {
    fn debug_body(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("reject")?;
        crate::expr::fmt_extras(f, &self.extra)
    }
}
