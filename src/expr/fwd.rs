//! `fwd`: forward the packet out of a device (netdev family), optionally
//! to a next-hop address.

use crate::attr_struct;
use std::fmt;

attr_struct! {
    /// `NFTA_FWD_*`, in the kernel's dump order (`nft_fwd_netdev_dump`).
    pub struct Fwd {
        /// `NFTA_FWD_SREG_DEV`
        1 => sreg_dev: u32,
        /// `NFTA_FWD_SREG_ADDR`
        2 => sreg_addr: u32,
        /// `NFTA_FWD_NFPROTO` (`NFPROTO_IPV4`/`NFPROTO_IPV6` of the address)
        3 => nfproto: u32,
    }
}

impl_expr!(Fwd, "fwd");

impl Fwd {
    fn debug_body(&self, f: &mut String) -> fmt::Result {
        let mut b = String::new();
        if let Some(r) = self.sreg_dev {
            b.push_str(&format!("sreg_dev {r} "));
        }
        if let Some(r) = self.sreg_addr {
            b.push_str(&format!("sreg_addr {r} "));
        }
        if let Some(p) = self.nfproto {
            b.push_str(&format!("nfproto {p} "));
        }
        crate::expr::nftnl_fmt::fmt_body(f, "fwd", &b)?;
        crate::expr::fmt_extras(f, self.extra())
    }
}
