//! `last`: when the rule last matched.

use crate::attr_struct;
use std::fmt;
use std::fmt::Write as _;

attr_struct! {
    /// `NFTA_LAST_*`, in the kernel's dump order.
    pub struct Last {
        /// `NFTA_LAST_SET` (0 = never used)
        1 => set: u32,
        /// `NFTA_LAST_MSECS` (milliseconds since last use)
        2 => msecs: u64,
    }
}

impl_expr!(Last, "last");

impl Last {
    /// A `last` that has never matched.
    pub fn never() -> Self {
        Last {
            set: Some(0),
            ..Default::default()
        }
    }

    /// A `last` that matched `msecs` milliseconds ago.
    pub fn used(msecs: u64) -> Self {
        Last {
            set: Some(1),
            msecs: Some(msecs),
            ..Default::default()
        }
    }

    fn debug_body(&self, f: &mut String) -> fmt::Result {
        if self.set.unwrap_or(0) == 0 {
            f.write_str("last never")?;
        } else {
            write!(f, "last {}", self.msecs.unwrap_or(0))?;
        }
        crate::expr::fmt_extras(f, self.extra())
    }
}
