//! `masq`: masquerade (source NAT to the outgoing interface's address).

use crate::attr_struct;
use std::fmt;

attr_struct! {
    /// `NFTA_MASQ_*`, in the kernel's dump order (`nft_masq_dump`: flags
    /// first, when not zero, then the port range registers).
    pub struct Masq {
        /// `NFTA_MASQ_FLAGS` (`NF_NAT_RANGE_*`)
        1 => flags: u32,
        /// `NFTA_MASQ_REG_PROTO_MIN`
        2 => reg_proto_min: u32,
        /// `NFTA_MASQ_REG_PROTO_MAX`
        3 => reg_proto_max: u32,
    }
}

impl_expr!(Masq, "masq");

impl Masq {
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
        crate::expr::nftnl_fmt::fmt_body(f, "masq", &b)?;
        crate::expr::fmt_extras(f, self.extra())
    }
}
