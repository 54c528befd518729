//! `reject`: answer with an ICMP error or a TCP reset.

use crate::{attr_struct, wire_enum};
use std::fmt;

wire_enum! {
    /// `NFT_REJECT_*` types.
    pub enum RejectType: u32 {
        /// ICMP (or ICMPv6) unreachable with a family-specific code
        IcmpUnreach = 0,
        /// TCP reset
        TcpRst = 1,
        /// family-independent ICMP unreachable (`icmpx`)
        IcmpxUnreach = 2,
    }
}

wire_enum! {
    /// `NFT_REJECT_ICMPX_*` codes (for [`RejectType::IcmpxUnreach`]).
    pub enum IcmpxCode: u8 {
        /// no route
        NoRoute = 0,
        /// port unreachable
        PortUnreach = 1,
        /// host unreachable
        HostUnreach = 2,
        /// administratively prohibited
        AdminProhibited = 3,
    }
}

attr_struct! {
    /// `NFTA_REJECT_*`, in the kernel's dump order (`nft_reject_dump`; the
    /// code only for the ICMP types).
    pub struct Reject {
        /// `NFTA_REJECT_TYPE`
        1 => reject_type: RejectType,
        /// `NFTA_REJECT_ICMP_CODE` (ICMP, ICMPv6 or `NFT_REJECT_ICMPX_*` code)
        2 => icmp_code: u8,
    }
}

impl_expr!(Reject, "reject");

impl Reject {
    fn debug_body(&self, f: &mut String) -> fmt::Result {
        let b = format!(
            "type {} code {} ",
            self.reject_type.map(|t| t.value()).unwrap_or(0),
            self.icmp_code.unwrap_or(0)
        );
        crate::expr::nftnl_fmt::fmt_body(f, "reject", &b)?;
        crate::expr::fmt_extras(f, self.extra())
    }
}
