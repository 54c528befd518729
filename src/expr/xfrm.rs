//! `xfrm` expression. (STUB: attributes not typed yet; all kept raw.)

use crate::attr_struct;
use std::fmt;

attr_struct! {
    /// `NFTA_XFRM_*`.
    pub struct Xfrm {
    }
}

impl_expr!(Xfrm, "xfrm");

impl Xfrm {
    fn debug_body(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("xfrm")?;
        crate::expr::fmt_extras(f, &self.extra)
    }
}
