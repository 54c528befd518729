//! `socket`: look up the packet's socket and load one of its properties.

use crate::{attr_struct, wire_enum};
use std::fmt;

wire_enum! {
    /// `NFT_SOCKET_*` keys.
    pub enum SocketKey: u32 {
        /// `IP_TRANSPARENT` socket option
        Transparent = 0,
        /// socket mark
        Mark = 1,
        /// socket bound to the wildcard address
        Wildcard = 2,
        /// cgroup v2 ancestor at `level`
        Cgroupv2 = 3,
    }
}

impl SocketKey {
    /// libnftnl's name for the key (read as an 8-bit value).
    pub fn debug_name(self) -> &'static str {
        match self.value() as u8 {
            0 => "transparent",
            1 => "mark",
            2 => "wildcard",
            3 => "cgroupv2",
            _ => "unknown",
        }
    }
}

attr_struct! {
    /// `NFTA_SOCKET_*`, in the kernel's dump order (`nft_socket_dump`; the
    /// level only for cgroupv2).
    pub struct Socket {
        /// `NFTA_SOCKET_KEY`
        1 => key: SocketKey,
        /// `NFTA_SOCKET_DREG`
        2 => dreg: u32,
        /// `NFTA_SOCKET_LEVEL` (cgroup v2 ancestor level)
        3 => level: u32,
    }
}

impl_expr!(Socket, "socket");

impl Socket {
    fn debug_body(&self, f: &mut String) -> fmt::Result {
        let key = self.key.unwrap_or(SocketKey::Transparent);
        let b = if let Some(d) = self.dreg {
            format!("load {} => reg {d} ", key.debug_name())
        } else if let Some(l) = self.level {
            format!("level {l} ")
        } else {
            String::new()
        };
        crate::expr::nftnl_fmt::fmt_body(f, "socket", &b)?;
        crate::expr::fmt_extras(f, self.extra())
    }
}
