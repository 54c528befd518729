//! `xfrm`: IPsec (secpath / route) state of the packet.

use crate::{attr_struct, wire_enum};
use std::fmt;

wire_enum! {
    /// `NFT_XFRM_KEY_*`.
    pub enum XfrmKey: u32 {
        /// unspecified
        Unspec = 0,
        /// IPv4 destination address
        DaddrIp4 = 1,
        /// IPv6 destination address
        DaddrIp6 = 2,
        /// IPv4 source address
        SaddrIp4 = 3,
        /// IPv6 source address
        SaddrIp6 = 4,
        /// request id
        Reqid = 5,
        /// SPI
        Spi = 6,
    }
}

impl XfrmKey {
    /// libnftnl's name for the key (`(null)` for 0, as printf prints it).
    pub fn debug_name(self) -> &'static str {
        match self.value() {
            0 => crate::expr::nftnl_fmt::NULL_STR,
            1 => "daddr4",
            2 => "daddr6",
            3 => "saddr4",
            4 => "saddr6",
            5 => "reqid",
            6 => "spi",
            _ => "unknown",
        }
    }
}

wire_enum! {
    /// `XFRM_POLICY_*` directions.
    pub enum XfrmDir: u8 {
        /// incoming
        In = 0,
        /// outgoing
        Out = 1,
    }
}

attr_struct! {
    /// `NFTA_XFRM_*`, in the kernel's dump order (`nft_xfrm_get_dump`).
    pub struct Xfrm {
        /// `NFTA_XFRM_DREG`
        1 => dreg: u32,
        /// `NFTA_XFRM_KEY`
        2 => key: XfrmKey,
        /// `NFTA_XFRM_DIR`
        3 => dir: XfrmDir,
        /// `NFTA_XFRM_SPNUM` (index in the secpath)
        4 => spnum: u32,
    }
}

impl_expr!(Xfrm, "xfrm");

impl Xfrm {
    fn debug_body(&self, f: &mut String) -> fmt::Result {
        let b = match self.dreg {
            Some(d) => {
                let dir = match self.dir.map(|x| x.value()).unwrap_or(0) {
                    0 => "in",
                    1 => "out",
                    _ => "unknown",
                };
                format!(
                    "load {dir} {} {} => reg {d} ",
                    self.spnum.unwrap_or(0),
                    self.key.unwrap_or(XfrmKey::Unspec).debug_name()
                )
            }
            None => String::new(),
        };
        crate::expr::nftnl_fmt::fmt_body(f, "xfrm", &b)?;
        crate::expr::fmt_extras(f, self.extra())
    }
}
