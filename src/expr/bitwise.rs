//! `bitwise`: mask-and-xor, shifts, and (newer kernels) register-to-register
//! and/or/xor.

use crate::data::Data;
use crate::{attr_struct, wire_enum};
use std::fmt;
use std::fmt::Write as _;

wire_enum! {
    /// `NFT_BITWISE_*` operations.
    pub enum BitwiseOp: u32 {
        /// `dreg = (sreg & mask) ^ xor` (also called `NFT_BITWISE_BOOL`)
        MaskXor = 0,
        /// `dreg = sreg << data`
        Lshift = 1,
        /// `dreg = sreg >> data`
        Rshift = 2,
        /// `dreg = sreg & sreg2`
        And = 3,
        /// `dreg = sreg | sreg2`
        Or = 4,
        /// `dreg = sreg ^ sreg2`
        Xor = 5,
    }
}

impl BitwiseOp {
    /// The operator as the debug form shows it (`<<`, `>>`, `&`, `|`, `^`);
    /// mask-and-xor, shown as `( reg & mask ) ^ xor`, is named `mask_xor`.
    pub fn debug_name(self) -> String {
        match self {
            BitwiseOp::MaskXor => "mask_xor".into(),
            BitwiseOp::Lshift => "<<".into(),
            BitwiseOp::Rshift => ">>".into(),
            BitwiseOp::And => "&".into(),
            BitwiseOp::Or => "|".into(),
            BitwiseOp::Xor => "^".into(),
            BitwiseOp::Unknown(n) => format!("op{n}"),
        }
    }
}

attr_struct! {
    /// `NFTA_BITWISE_*`, in the kernel's dump order (sreg, dreg, len, op,
    /// then mask and xor, or data, or sreg2, depending on the operation).
    pub struct Bitwise {
        /// `NFTA_BITWISE_SREG`
        1 => sreg: u32,
        /// `NFTA_BITWISE_DREG`
        2 => dreg: u32,
        /// `NFTA_BITWISE_LEN` (bytes)
        3 => len: u32,
        /// `NFTA_BITWISE_OP` (absent means mask-and-xor)
        6 => op: BitwiseOp,
        /// `NFTA_BITWISE_MASK` (mask-and-xor)
        4 => mask: Data,
        /// `NFTA_BITWISE_XOR` (mask-and-xor)
        5 => xor: Data,
        /// `NFTA_BITWISE_DATA` (shift amount, a host-endian u32)
        7 => data: Data,
        /// `NFTA_BITWISE_SREG2` (and/or/xor with a second register)
        8 => sreg2: u32,
    }
}

impl_expr!(Bitwise, "bitwise");

impl Bitwise {
    /// `dreg = (sreg & mask) ^ xor` over `len` bytes (`mask` and `xor` must
    /// be `len` bytes long).
    pub fn mask_xor(
        sreg: u32,
        dreg: u32,
        len: u32,
        mask: impl Into<bytes::Bytes>,
        xor: impl Into<bytes::Bytes>,
    ) -> Self {
        Bitwise {
            sreg: Some(sreg),
            dreg: Some(dreg),
            len: Some(len),
            op: Some(BitwiseOp::MaskXor),
            mask: Some(Data::value(mask)),
            xor: Some(Data::value(xor)),
            ..Default::default()
        }
    }

    fn shift(op: BitwiseOp, sreg: u32, dreg: u32, len: u32, bits: u32) -> Self {
        Bitwise {
            sreg: Some(sreg),
            dreg: Some(dreg),
            len: Some(len),
            op: Some(op),
            data: Some(Data::value(bits.to_ne_bytes().to_vec())),
            ..Default::default()
        }
    }

    /// `dreg = sreg << bits` over `len` bytes.
    pub fn lshift(sreg: u32, dreg: u32, len: u32, bits: u32) -> Self {
        Self::shift(BitwiseOp::Lshift, sreg, dreg, len, bits)
    }

    /// `dreg = sreg >> bits` over `len` bytes.
    pub fn rshift(sreg: u32, dreg: u32, len: u32, bits: u32) -> Self {
        Self::shift(BitwiseOp::Rshift, sreg, dreg, len, bits)
    }

    /// `dreg = sreg OP sreg2` over `len` bytes, for `And`, `Or` or `Xor`
    /// (kernels from 6.13).
    pub fn reg_op(op: BitwiseOp, sreg: u32, sreg2: u32, dreg: u32, len: u32) -> Self {
        Bitwise {
            sreg: Some(sreg),
            dreg: Some(dreg),
            len: Some(len),
            op: Some(op),
            sreg2: Some(sreg2),
            ..Default::default()
        }
    }

    fn debug_body(&self, f: &mut String) -> fmt::Result {
        f.write_str("bitwise")?;
        let d = self.dreg.unwrap_or(0);
        let s = self.sreg.unwrap_or(0);
        let op = self.op.unwrap_or(BitwiseOp::MaskXor);
        match op {
            BitwiseOp::MaskXor => {
                write!(f, " reg {d} = ( reg {s} &")?;
                crate::data::write_spaced(f, self.mask.as_ref())?;
                f.write_str(" ) ^")?;
                crate::data::write_spaced(f, self.xor.as_ref())?;
            }
            BitwiseOp::Lshift | BitwiseOp::Rshift => {
                write!(f, " reg {d} = ( reg {s} {}", op.debug_name())?;
                crate::data::write_spaced(f, self.data.as_ref())?;
                f.write_str(" )")?;
            }
            // libnftnl 1.2.4 prints nothing for these; this is the form of
            // the libnftnl releases that know them.
            BitwiseOp::And | BitwiseOp::Or | BitwiseOp::Xor => {
                write!(f, " reg {d} = ( reg {s} {}", op.debug_name())?;
                match self.sreg2 {
                    Some(r) => write!(f, " reg {r}")?,
                    None => crate::data::write_spaced(f, self.data.as_ref())?,
                }
                f.write_str(" )")?;
            }
            BitwiseOp::Unknown(_) => {}
        }
        crate::expr::fmt_extras(f, self.extra())
    }
}
