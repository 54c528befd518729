//! `connlimit`: match on the number of conntrack entries (`ct count`).

use crate::attr_struct;
use std::fmt;
use std::fmt::Write as _;

/// `NFT_CONNLIMIT_F_INV`: match when over the count (`ct count over`).
pub const CONNLIMIT_F_INV: u32 = 1;

attr_struct! {
    /// `NFTA_CONNLIMIT_*`, in the kernel's dump order (the kernel omits
    /// flags when they are 0).
    pub struct Connlimit {
        /// `NFTA_CONNLIMIT_COUNT`
        1 => count: u32,
        /// `NFTA_CONNLIMIT_FLAGS` (`CONNLIMIT_F_INV`)
        2 => flags: u32,
    }
}

impl_expr!(Connlimit, "connlimit");

impl Connlimit {
    /// Match while there are at most `count` connections.
    pub fn new(count: u32) -> Self {
        Connlimit {
            count: Some(count),
            ..Default::default()
        }
    }

    /// Match when over `count` instead (`ct count over`).
    pub fn inverted(mut self) -> Self {
        self.flags = Some(self.flags.unwrap_or(0) | CONNLIMIT_F_INV);
        self
    }

    fn debug_body(&self, f: &mut String) -> fmt::Result {
        write!(
            f,
            "connlimit count {} flags {:x}",
            self.count.unwrap_or(0),
            self.flags.unwrap_or(0)
        )?;
        crate::expr::fmt_extras(f, self.extra())
    }
}
