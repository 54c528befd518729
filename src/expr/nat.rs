//! `nat`: source or destination NAT from registers (`snat`/`dnat`).

use crate::{attr_struct, wire_enum};
use std::fmt;

wire_enum! {
    /// `NFT_NAT_*` types.
    pub enum NatType: u32 {
        /// source NAT
        Snat = 0,
        /// destination NAT
        Dnat = 1,
    }
}

impl NatType {
    /// libnftnl's debug name (`snat`, `dnat`, `unknown`); libnftnl reads
    /// the type as a 16-bit value.
    pub fn debug_name(self) -> &'static str {
        match self.value() as u16 {
            0 => "snat",
            1 => "dnat",
            _ => "unknown",
        }
    }
}

/// `NF_NAT_RANGE_MAP_IPS`: an address range is given.
pub const NAT_RANGE_MAP_IPS: u32 = 0x1;
/// `NF_NAT_RANGE_PROTO_SPECIFIED`: a port range is given.
pub const NAT_RANGE_PROTO_SPECIFIED: u32 = 0x2;
/// `NF_NAT_RANGE_PROTO_RANDOM`: `random`.
pub const NAT_RANGE_PROTO_RANDOM: u32 = 0x4;
/// `NF_NAT_RANGE_PERSISTENT`: `persistent`.
pub const NAT_RANGE_PERSISTENT: u32 = 0x8;
/// `NF_NAT_RANGE_PROTO_RANDOM_FULLY`: `fully-random`.
pub const NAT_RANGE_PROTO_RANDOM_FULLY: u32 = 0x10;
/// `NF_NAT_RANGE_PROTO_OFFSET`: port shift.
pub const NAT_RANGE_PROTO_OFFSET: u32 = 0x20;
/// `NF_NAT_RANGE_NETMAP`: prefix mapping.
pub const NAT_RANGE_NETMAP: u32 = 0x40;

attr_struct! {
    /// `NFTA_NAT_*`, in the kernel's dump order (`nft_nat_dump`).
    pub struct Nat {
        /// `NFTA_NAT_TYPE`
        1 => nat_type: NatType,
        /// `NFTA_NAT_FAMILY` (`NFPROTO_IPV4`/`NFPROTO_IPV6`)
        2 => family: u32,
        /// `NFTA_NAT_REG_ADDR_MIN`
        3 => reg_addr_min: u32,
        /// `NFTA_NAT_REG_ADDR_MAX`
        4 => reg_addr_max: u32,
        /// `NFTA_NAT_REG_PROTO_MIN`
        5 => reg_proto_min: u32,
        /// `NFTA_NAT_REG_PROTO_MAX`
        6 => reg_proto_max: u32,
        /// `NFTA_NAT_FLAGS` (`NF_NAT_RANGE_*`)
        7 => flags: u32,
    }
}

impl_expr!(Nat, "nat");

impl Nat {
    fn debug_body(&self, f: &mut String) -> fmt::Result {
        let mut b = String::new();
        let ty = self.nat_type.unwrap_or(NatType::Snat);
        b.push_str(ty.debug_name());
        b.push(' ');
        b.push_str(crate::expr::nftnl_fmt::family_name(
            self.family.unwrap_or(0),
        ));
        b.push(' ');
        if let Some(r) = self.reg_addr_min {
            b.push_str(&format!("addr_min reg {r} "));
        }
        if let Some(r) = self.reg_addr_max {
            b.push_str(&format!("addr_max reg {r} "));
        }
        if let Some(r) = self.reg_proto_min {
            b.push_str(&format!("proto_min reg {r} "));
        }
        if let Some(r) = self.reg_proto_max {
            b.push_str(&format!("proto_max reg {r} "));
        }
        if let Some(fl) = self.flags {
            b.push_str(&format!("flags 0x{fl:x} "));
        }
        crate::expr::nftnl_fmt::fmt_body(f, "nat", &b)?;
        crate::expr::fmt_extras(f, self.extra())
    }
}
