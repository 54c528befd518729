//! `limit`: token-bucket rate limit on packets or bytes.

use crate::{attr_struct, wire_enum};
use std::fmt;
use std::fmt::Write as _;

wire_enum! {
    /// `NFT_LIMIT_*` types.
    pub enum LimitType: u32 {
        /// packets per unit
        Packets = 0,
        /// bytes per unit
        Bytes = 1,
    }
}

impl LimitType {
    /// libnftnl's name (`packets`, `bytes`); libnftnl prints `packets` for
    /// unknown types too.
    pub fn debug_name(self) -> String {
        match self {
            LimitType::Bytes => "bytes".into(),
            LimitType::Packets | LimitType::Unknown(_) => "packets".into(),
        }
    }
}

/// `NFT_LIMIT_F_INV`: match when over the limit (`limit rate over`).
pub const LIMIT_F_INV: u32 = 1;

/// Seconds per unit: second.
pub const UNIT_SECOND: u64 = 1;
/// Seconds per unit: minute.
pub const UNIT_MINUTE: u64 = 60;
/// Seconds per unit: hour.
pub const UNIT_HOUR: u64 = 3600;
/// Seconds per unit: day.
pub const UNIT_DAY: u64 = 86400;
/// Seconds per unit: week.
pub const UNIT_WEEK: u64 = 604800;

/// libnftnl's name of a unit in seconds (`second` ... `week`, else `error`).
pub fn unit_name(unit: u64) -> &'static str {
    match unit {
        UNIT_SECOND => "second",
        UNIT_MINUTE => "minute",
        UNIT_HOUR => "hour",
        UNIT_DAY => "day",
        UNIT_WEEK => "week",
        _ => "error",
    }
}

attr_struct! {
    /// `NFTA_LIMIT_*`, in the kernel's dump order.
    pub struct Limit {
        /// `NFTA_LIMIT_RATE`
        1 => rate: u64,
        /// `NFTA_LIMIT_UNIT` (seconds)
        2 => unit: u64,
        /// `NFTA_LIMIT_BURST`
        3 => burst: u32,
        /// `NFTA_LIMIT_TYPE`
        4 => ty: LimitType,
        /// `NFTA_LIMIT_FLAGS` (`LIMIT_F_INV`)
        5 => flags: u32,
    }
}

impl_expr!(Limit, "limit");

impl Limit {
    /// `rate` packets per `unit` seconds with a `burst` of packets.
    pub fn packets(rate: u64, unit: u64, burst: u32) -> Self {
        Limit {
            rate: Some(rate),
            unit: Some(unit),
            burst: Some(burst),
            ty: Some(LimitType::Packets),
            flags: Some(0),
            ..Default::default()
        }
    }

    /// `rate` bytes per `unit` seconds with a `burst` of bytes.
    pub fn bytes(rate: u64, unit: u64, burst: u32) -> Self {
        Limit {
            ty: Some(LimitType::Bytes),
            ..Self::packets(rate, unit, burst)
        }
    }

    /// Match when over the limit instead (`limit rate over`).
    pub fn inverted(mut self) -> Self {
        self.flags = Some(self.flags.unwrap_or(0) | LIMIT_F_INV);
        self
    }

    fn debug_body(&self, f: &mut String) -> fmt::Result {
        write!(
            f,
            "limit rate {}/{} burst {} type {} flags 0x{:x}",
            self.rate.unwrap_or(0),
            unit_name(self.unit.unwrap_or(0)),
            self.burst.unwrap_or(0),
            self.ty.unwrap_or(LimitType::Packets).debug_name(),
            self.flags.unwrap_or(0)
        )?;
        crate::expr::fmt_extras(f, self.extra())
    }
}
