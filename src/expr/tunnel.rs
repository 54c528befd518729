//! `tunnel`: load tunnel metadata of the packet.

use crate::{attr_struct, wire_enum};
use std::fmt;

wire_enum! {
    /// `NFT_TUNNEL_*` keys.
    pub enum TunnelKey: u32 {
        /// whether the packet has tunnel metadata
        Path = 0,
        /// tunnel id
        Id = 1,
    }
}

impl TunnelKey {
    /// libnftnl's name for the key (read as an 8-bit value).
    pub fn debug_name(self) -> &'static str {
        match self.value() as u8 {
            0 => "path",
            1 => "id",
            _ => "unknown",
        }
    }
}

wire_enum! {
    /// `NFT_TUNNEL_MODE_*`.
    pub enum TunnelMode: u32 {
        /// any direction
        None = 0,
        /// receive
        Rx = 1,
        /// transmit
        Tx = 2,
    }
}

attr_struct! {
    /// `NFTA_TUNNEL_*`, in the kernel's dump order (`nft_tunnel_get_dump`).
    pub struct Tunnel {
        /// `NFTA_TUNNEL_KEY`
        1 => key: TunnelKey,
        /// `NFTA_TUNNEL_DREG`
        2 => dreg: u32,
        /// `NFTA_TUNNEL_MODE`
        3 => mode: TunnelMode,
    }
}

impl_expr!(Tunnel, "tunnel");

impl Tunnel {
    fn debug_body(&self, f: &mut String) -> fmt::Result {
        let b = match self.dreg {
            Some(d) => format!(
                "load {} => reg {d} ",
                self.key.unwrap_or(TunnelKey::Path).debug_name()
            ),
            None => String::new(),
        };
        crate::expr::nftnl_fmt::fmt_body(f, "tunnel", &b)?;
        crate::expr::fmt_extras(f, self.extra())
    }
}
