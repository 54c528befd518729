//! `cmp`: compare a register with constant data.

use crate::data::Data;
use crate::{attr_struct, wire_enum};
use std::fmt;

wire_enum! {
    /// `NFT_CMP_*` operators.
    pub enum CmpOp: u32 {
        /// `==`
        Eq = 0,
        /// `!=`
        Neq = 1,
        /// `<`
        Lt = 2,
        /// `<=`
        Lte = 3,
        /// `>`
        Gt = 4,
        /// `>=`
        Gte = 5,
    }
}

impl CmpOp {
    /// libnftnl's debug name (`eq`, `neq`, ...).
    pub fn debug_name(self) -> &'static str {
        match self {
            CmpOp::Eq => "eq",
            CmpOp::Neq => "neq",
            CmpOp::Lt => "lt",
            CmpOp::Lte => "lte",
            CmpOp::Gt => "gt",
            CmpOp::Gte => "gte",
            CmpOp::Unknown(_) => "unknown",
        }
    }
}

attr_struct! {
    /// `NFTA_CMP_*`.
    pub struct Cmp {
        /// source register
        1 => sreg: u32,
        /// operator
        2 => op: CmpOp,
        /// the constant
        3 => data: Data,
    }
}

impl_expr!(Cmp, "cmp");

impl Cmp {
    /// `reg OP value`.
    pub fn new(sreg: u32, op: CmpOp, value: impl Into<bytes::Bytes>) -> Self {
        Cmp {
            sreg: Some(sreg),
            op: Some(op),
            data: Some(Data::value(value)),
            ..Default::default()
        }
    }

    fn debug_body(&self, f: &mut String) -> fmt::Result {
        f.push_str("cmp ");
        f.push_str(self.op.unwrap_or(CmpOp::Eq).debug_name());
        f.push_str(" reg ");
        crate::util::push_decimal(f, self.sreg.unwrap_or(0).into());
        crate::data::write_spaced(f, self.data.as_ref())?;
        crate::expr::fmt_extras(f, self.extra())
    }
}
