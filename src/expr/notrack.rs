//! `notrack`: mark the packet untracked. It has no attributes and the
//! kernel dumps no `NFTA_EXPR_DATA` for it.

use crate::attr_struct;
use std::fmt;
use std::fmt::Write as _;

attr_struct! {
    /// `notrack` (no attributes).
    pub struct Notrack {
    }
}

impl_expr!(Notrack, "notrack", false);

impl Notrack {
    fn debug_body(&self, f: &mut String) -> fmt::Result {
        f.write_str("notrack")?;
        crate::expr::fmt_extras(f, self.extra())
    }
}
