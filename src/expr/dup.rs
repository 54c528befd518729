//! `dup`: send a copy of the packet to an address and/or device.

use crate::attr_struct;
use std::fmt;

attr_struct! {
    /// `NFTA_DUP_*`, in the kernel's dump order (`nft_dup_ipv4_dump`,
    /// `nft_dup_ipv6_dump`: address then device; `nft_dup_netdev_dump`:
    /// device only).
    pub struct Dup {
        /// `NFTA_DUP_SREG_ADDR`
        1 => sreg_addr: u32,
        /// `NFTA_DUP_SREG_DEV`
        2 => sreg_dev: u32,
    }
}

impl_expr!(Dup, "dup");

impl Dup {
    fn debug_body(&self, f: &mut String) -> fmt::Result {
        let mut b = String::new();
        if let Some(r) = self.sreg_addr {
            b.push_str(&format!("sreg_addr {r} "));
        }
        if let Some(r) = self.sreg_dev {
            b.push_str(&format!("sreg_dev {r} "));
        }
        crate::expr::nftnl_fmt::fmt_body(f, "dup", &b)?;
        crate::expr::fmt_extras(f, self.extra())
    }
}
