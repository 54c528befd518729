//! `osf`: passive OS fingerprinting of TCP SYNs.

use crate::attr_struct;
use std::fmt;

/// `NFT_OSF_F_VERSION`: also match the OS version.
pub const OSF_F_VERSION: u32 = 1;

attr_struct! {
    /// `NFTA_OSF_*`, in the kernel's dump order (`nft_osf_dump`: TTL,
    /// flags, then the register).
    pub struct Osf {
        /// `NFTA_OSF_TTL` (0 global, 1 loose, 2 skip)
        2 => ttl: u8,
        /// `NFTA_OSF_FLAGS` (`NFT_OSF_F_*`)
        3 => flags: u32,
        /// `NFTA_OSF_DREG`
        1 => dreg: u32,
    }
}

impl_expr!(Osf, "osf");

impl Osf {
    fn debug_body(&self, f: &mut String) -> fmt::Result {
        let b = match self.dreg {
            Some(d) => format!("dreg {d} "),
            None => String::new(),
        };
        crate::expr::nftnl_fmt::fmt_body(f, "osf", &b)?;
        crate::expr::fmt_extras(f, self.extra())
    }
}
