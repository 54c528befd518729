//! `exthdr`: load, test, write or remove IPv6 extension headers, TCP and
//! IPv4 options, SCTP chunks and DCCP options.

use crate::{attr_struct, wire_enum};
use std::fmt;
use std::fmt::Write as _;

wire_enum! {
    /// `NFT_EXTHDR_OP_*`: which kind of header or option.
    pub enum ExthdrOp: u32 {
        /// IPv6 extension header
        Ipv6 = 0,
        /// TCP option
        TcpOpt = 1,
        /// IPv4 option
        Ipv4 = 2,
        /// SCTP chunk
        Sctp = 3,
        /// DCCP option
        Dccp = 4,
    }
}

impl ExthdrOp {
    /// Name of the operation (`ipv6`, `tcpopt`, `ipv4`, `sctp`, `dccp`).
    /// libnftnl's debug form names only the first three and omits the rest.
    pub fn debug_name(self) -> String {
        match self {
            ExthdrOp::Ipv6 => "ipv6".into(),
            ExthdrOp::TcpOpt => "tcpopt".into(),
            ExthdrOp::Ipv4 => "ipv4".into(),
            ExthdrOp::Sctp => "sctp".into(),
            ExthdrOp::Dccp => "dccp".into(),
            ExthdrOp::Unknown(n) => format!("op{n}"),
        }
    }

    /// The ` NAME` libnftnl inserts after `load`/`write` (empty for SCTP,
    /// DCCP and unknown operations; it looks the op up as a u8).
    fn libnftnl_suffix(self) -> &'static str {
        match self.value() as u8 {
            0 => " ipv6",
            1 => " tcpopt",
            2 => " ipv4",
            _ => "",
        }
    }
}

/// `NFT_EXTHDR_F_PRESENT`: load 1 if the header/option exists, else 0.
pub const EXTHDR_F_PRESENT: u32 = 1;

attr_struct! {
    /// `NFTA_EXTHDR_*`, in the kernel's dump order: the register (dreg for
    /// loads, sreg for writes, none for removal), then type, offset, len,
    /// flags and op.
    pub struct Exthdr {
        /// `NFTA_EXTHDR_DREG` (load)
        1 => dreg: u32,
        /// `NFTA_EXTHDR_SREG` (write)
        7 => sreg: u32,
        /// `NFTA_EXTHDR_TYPE` (header/option/chunk type, `NLA_U8`)
        2 => ty: u8,
        /// `NFTA_EXTHDR_OFFSET`
        3 => offset: u32,
        /// `NFTA_EXTHDR_LEN` (bytes; 0 with no register = remove the option)
        4 => len: u32,
        /// `NFTA_EXTHDR_FLAGS` (`EXTHDR_F_PRESENT`)
        5 => flags: u32,
        /// `NFTA_EXTHDR_OP`
        6 => op: ExthdrOp,
    }
}

impl_expr!(Exthdr, "exthdr");

impl Exthdr {
    /// Load `len` bytes at `offset` of header/option `ty` into `dreg`.
    pub fn load(op: ExthdrOp, ty: u8, offset: u32, len: u32, dreg: u32) -> Self {
        Exthdr {
            dreg: Some(dreg),
            ty: Some(ty),
            offset: Some(offset),
            len: Some(len),
            flags: Some(0),
            op: Some(op),
            ..Default::default()
        }
    }

    /// Load 1 into `dreg` if header/option `ty` exists, else 0.
    pub fn present(op: ExthdrOp, ty: u8, dreg: u32) -> Self {
        Exthdr {
            flags: Some(EXTHDR_F_PRESENT),
            ..Self::load(op, ty, 0, 1, dreg)
        }
    }

    /// Write `len` bytes from `sreg` at `offset` of option `ty`.
    pub fn write(op: ExthdrOp, ty: u8, offset: u32, len: u32, sreg: u32) -> Self {
        Exthdr {
            sreg: Some(sreg),
            ty: Some(ty),
            offset: Some(offset),
            len: Some(len),
            flags: Some(0),
            op: Some(op),
            ..Default::default()
        }
    }

    /// Remove TCP option `ty` (`reset tcp option ...`).
    pub fn reset_tcpopt(ty: u8) -> Self {
        Exthdr {
            ty: Some(ty),
            offset: Some(0),
            len: Some(0),
            flags: Some(0),
            op: Some(ExthdrOp::TcpOpt),
            ..Default::default()
        }
    }

    fn debug_body(&self, f: &mut String) -> fmt::Result {
        let op = self.op.unwrap_or(ExthdrOp::Ipv6);
        let ty = self.ty.unwrap_or(0);
        let off = self.offset.unwrap_or(0);
        let len = self.len.unwrap_or(0);
        if let Some(d) = self.dreg {
            let present = if self.flags.unwrap_or(0) & EXTHDR_F_PRESENT != 0 {
                " present"
            } else {
                ""
            };
            write!(
                f,
                "exthdr load{} {len}b @ {ty} + {off}{present} => reg {d}",
                op.libnftnl_suffix()
            )?;
        } else if let Some(s) = self.sreg {
            write!(
                f,
                "exthdr write{} reg {s} => {len}b @ {ty} + {off}",
                op.libnftnl_suffix()
            )?;
        } else if op == ExthdrOp::TcpOpt && len == 0 {
            write!(f, "exthdr reset tcpopt {ty}")?;
        } else {
            write!(
                f,
                "exthdr op {} len {len} type {ty} offset {off}",
                op.value()
            )?;
        }
        crate::expr::fmt_extras(f, self.extra())
    }
}
