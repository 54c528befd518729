//! `quota`: match until (or once) a byte quota is used up.

use crate::attr_struct;
use std::fmt;
use std::fmt::Write as _;

/// `NFT_QUOTA_F_INV`: match once over the quota (`quota over`).
pub const QUOTA_F_INV: u32 = 1;
/// `NFT_QUOTA_F_DEPLETED`: the quota is used up.
pub const QUOTA_F_DEPLETED: u32 = 2;

attr_struct! {
    /// `NFTA_QUOTA_*`, in the kernel's dump order (consumed before flags).
    pub struct Quota {
        /// `NFTA_QUOTA_BYTES`
        1 => bytes: u64,
        /// `NFTA_QUOTA_CONSUMED`
        4 => consumed: u64,
        /// `NFTA_QUOTA_FLAGS` (`QUOTA_F_*`)
        2 => flags: u32,
    }
}

impl_expr!(Quota, "quota");

impl Quota {
    /// A quota of `bytes`, none used yet.
    pub fn new(bytes: u64) -> Self {
        Quota {
            bytes: Some(bytes),
            consumed: Some(0),
            flags: Some(0),
            ..Default::default()
        }
    }

    /// Match once over the quota instead (`quota over`).
    pub fn inverted(mut self) -> Self {
        self.flags = Some(self.flags.unwrap_or(0) | QUOTA_F_INV);
        self
    }

    fn debug_body(&self, f: &mut String) -> fmt::Result {
        write!(
            f,
            "quota bytes {} consumed {} flags {}",
            self.bytes.unwrap_or(0),
            self.consumed.unwrap_or(0),
            self.flags.unwrap_or(0)
        )?;
        crate::expr::fmt_extras(f, self.extra())
    }
}
