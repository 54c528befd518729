//! `payload`: load packet bytes into a register, or write a register into
//! the packet (with optional checksum update).

use crate::{attr_struct, wire_enum};
use std::fmt;
use std::fmt::Write as _;

wire_enum! {
    /// `NFT_PAYLOAD_*` header bases.
    pub enum PayloadBase: u32 {
        /// link layer header
        LinkLayer = 0,
        /// network header
        Network = 1,
        /// transport header
        Transport = 2,
        /// inner header
        Inner = 3,
        /// tunnel header
        Tunnel = 4,
    }
}

impl PayloadBase {
    /// libnftnl's debug name.
    /// libnftnl 1.2.4 names the bases up to `inner`; later ones print as
    /// `unknown`.
    pub fn debug_name(self) -> &'static str {
        match self {
            PayloadBase::LinkLayer => "link",
            PayloadBase::Network => "network",
            PayloadBase::Transport => "transport",
            PayloadBase::Inner => "inner",
            PayloadBase::Tunnel | PayloadBase::Unknown(_) => "unknown",
        }
    }
}

attr_struct! {
    /// `NFTA_PAYLOAD_*`, in the kernel's dump order (a load dumps the
    /// destination register first, a write the source register; only one
    /// of the two is present).
    pub struct Payload {
        /// destination register (load)
        1 => dreg: u32,
        /// source register (write)
        5 => sreg: u32,
        /// header base
        2 => base: PayloadBase,
        /// offset within the header
        3 => offset: u32,
        /// number of bytes
        4 => len: u32,
        /// checksum type (write)
        6 => csum_type: u32,
        /// checksum offset (write)
        7 => csum_offset: u32,
        /// checksum flags (write)
        8 => csum_flags: u32,
    }
}

impl_expr!(Payload, "payload");

impl Payload {
    /// A payload load of `len` bytes at `base + offset` into `dreg`.
    pub fn load(base: PayloadBase, offset: u32, len: u32, dreg: u32) -> Self {
        Payload {
            dreg: Some(dreg),
            base: Some(base),
            offset: Some(offset),
            len: Some(len),
            ..Default::default()
        }
    }

    fn debug_body(&self, f: &mut String) -> fmt::Result {
        // libnftnl prints missing values as 0 and picks the write form by a
        // non-zero source register.
        let base = self.base.unwrap_or(PayloadBase::LinkLayer).debug_name();
        let len = self.len.unwrap_or(0);
        let off = self.offset.unwrap_or(0);
        let sreg = self.sreg.unwrap_or(0);
        if sreg != 0 {
            write!(
                f,
                "payload write reg {sreg} => {len}b @ {base} header + {off} csum_type {} csum_off {} csum_flags 0x{:x}",
                self.csum_type.unwrap_or(0),
                self.csum_offset.unwrap_or(0),
                self.csum_flags.unwrap_or(0)
            )?;
        } else {
            f.push_str("payload load ");
            crate::util::push_decimal(f, len.into());
            f.push_str("b @ ");
            f.push_str(base);
            f.push_str(" header + ");
            crate::util::push_decimal(f, off.into());
            f.push_str(" => reg ");
            crate::util::push_decimal(f, self.dreg.unwrap_or(0).into());
        }
        crate::expr::fmt_extras(f, self.extra())
    }
}
