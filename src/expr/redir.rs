//! `redir`: redirect to the local machine (destination NAT to the incoming
//! interface's primary address).

use crate::attr_struct;
use std::fmt;

attr_struct! {
    /// `NFTA_REDIR_*`, in the kernel's dump order (`nft_redir_dump`: port
    /// range registers, then flags when not zero).
    pub struct Redir {
        /// `NFTA_REDIR_REG_PROTO_MIN`
        1 => reg_proto_min: u32,
        /// `NFTA_REDIR_REG_PROTO_MAX`
        2 => reg_proto_max: u32,
        /// `NFTA_REDIR_FLAGS` (`NF_NAT_RANGE_*`)
        3 => flags: u32,
    }
}

impl_expr!(Redir, "redir");

impl Redir {
    fn debug_body(&self, f: &mut String) -> fmt::Result {
        let mut b = String::new();
        if let Some(r) = self.reg_proto_min {
            b.push_str(&format!("proto_min reg {r} "));
        }
        if let Some(r) = self.reg_proto_max {
            b.push_str(&format!("proto_max reg {r} "));
        }
        if let Some(fl) = self.flags {
            b.push_str(&format!("flags 0x{fl:x} "));
        }
        crate::expr::nftnl_fmt::fmt_body(f, "redir", &b)?;
        crate::expr::fmt_extras(f, self.extra())
    }
}
