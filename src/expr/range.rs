//! `range`: test whether a register lies in (or outside) `[from, to]`.

use crate::data::Data;
use crate::{attr_struct, wire_enum};
use std::fmt;
use std::fmt::Write as _;

wire_enum! {
    /// `NFT_RANGE_*` operators.
    pub enum RangeOp: u32 {
        /// inside the range
        Eq = 0,
        /// outside the range
        Neq = 1,
    }
}

impl RangeOp {
    /// libnftnl's name (`eq`, `neq`, else `unknown`).
    pub fn debug_name(self) -> String {
        match self {
            RangeOp::Eq => "eq".into(),
            RangeOp::Neq => "neq".into(),
            RangeOp::Unknown(_) => "unknown".into(),
        }
    }
}

attr_struct! {
    /// `NFTA_RANGE_*`, in the kernel's dump order.
    pub struct Range {
        /// `NFTA_RANGE_SREG`
        1 => sreg: u32,
        /// `NFTA_RANGE_OP`
        2 => op: RangeOp,
        /// `NFTA_RANGE_FROM_DATA`
        3 => from: Data,
        /// `NFTA_RANGE_TO_DATA`
        4 => to: Data,
    }
}

impl_expr!(Range, "range");

impl Range {
    /// `sreg OP [from, to]` (both bounds in the register's byte order).
    pub fn new(
        sreg: u32,
        op: RangeOp,
        from: impl Into<bytes::Bytes>,
        to: impl Into<bytes::Bytes>,
    ) -> Self {
        Range {
            sreg: Some(sreg),
            op: Some(op),
            from: Some(Data::value(from)),
            to: Some(Data::value(to)),
            ..Default::default()
        }
    }

    fn debug_body(&self, f: &mut String) -> fmt::Result {
        write!(
            f,
            "range {} reg {}",
            self.op.unwrap_or(RangeOp::Eq).debug_name(),
            self.sreg.unwrap_or(0)
        )?;
        crate::data::write_spaced(f, self.from.as_ref())?;
        crate::data::write_spaced(f, self.to.as_ref())?;
        crate::expr::fmt_extras(f, self.extra())
    }
}
