//! `byteorder`: convert a register between host and network byte order.

use crate::{attr_struct, wire_enum};
use std::fmt;
use std::fmt::Write as _;

wire_enum! {
    /// `NFT_BYTEORDER_*` operations.
    pub enum ByteorderOp: u32 {
        /// network to host
        Ntoh = 0,
        /// host to network
        Hton = 1,
    }
}

impl ByteorderOp {
    /// libnftnl's name (`ntoh`, `hton`, else `unknown`).
    pub fn debug_name(self) -> String {
        match self {
            ByteorderOp::Ntoh => "ntoh".into(),
            ByteorderOp::Hton => "hton".into(),
            ByteorderOp::Unknown(_) => "unknown".into(),
        }
    }
}

attr_struct! {
    /// `NFTA_BYTEORDER_*`, in the kernel's dump order.
    pub struct Byteorder {
        /// `NFTA_BYTEORDER_SREG`
        1 => sreg: u32,
        /// `NFTA_BYTEORDER_DREG`
        2 => dreg: u32,
        /// `NFTA_BYTEORDER_OP`
        3 => op: ByteorderOp,
        /// `NFTA_BYTEORDER_LEN` (bytes)
        4 => len: u32,
        /// `NFTA_BYTEORDER_SIZE` (element size: 2, 4 or 8)
        5 => size: u32,
    }
}

impl_expr!(Byteorder, "byteorder");

impl Byteorder {
    /// Convert `len` bytes of `size`-byte elements from `sreg` into `dreg`.
    pub fn new(op: ByteorderOp, sreg: u32, dreg: u32, len: u32, size: u32) -> Self {
        Byteorder {
            sreg: Some(sreg),
            dreg: Some(dreg),
            op: Some(op),
            len: Some(len),
            size: Some(size),
            ..Default::default()
        }
    }

    fn debug_body(&self, f: &mut String) -> fmt::Result {
        write!(
            f,
            "byteorder reg {} = {}(reg {}, {}, {})",
            self.dreg.unwrap_or(0),
            self.op.unwrap_or(ByteorderOp::Ntoh).debug_name(),
            self.sreg.unwrap_or(0),
            self.size.unwrap_or(0),
            self.len.unwrap_or(0)
        )?;
        crate::expr::fmt_extras(f, self.extra())
    }
}
