//! `numgen`: incremental or random numbers into a register.

use crate::{attr_struct, wire_enum};
use std::fmt;
use std::fmt::Write as _;

wire_enum! {
    /// `NFT_NG_*` types.
    pub enum NumgenType: u32 {
        /// counter, wrapping at the modulus
        Inc = 0,
        /// random
        Random = 1,
    }
}

impl NumgenType {
    /// libnftnl's name (`inc`, `random`).
    pub fn debug_name(self) -> String {
        match self {
            NumgenType::Inc => "inc".into(),
            NumgenType::Random => "random".into(),
            NumgenType::Unknown(n) => format!("type{n}"),
        }
    }
}

attr_struct! {
    /// `NFTA_NG_*`, in the kernel's dump order (the set name/id attributes
    /// are deprecated and never dumped).
    pub struct Numgen {
        /// `NFTA_NG_DREG`
        1 => dreg: u32,
        /// `NFTA_NG_MODULUS`
        2 => modulus: u32,
        /// `NFTA_NG_TYPE`
        3 => ty: NumgenType,
        /// `NFTA_NG_OFFSET` (added to the result)
        4 => offset: u32,
        /// `NFTA_NG_SET_NAME` (deprecated)
        5 => set_name: String,
        /// `NFTA_NG_SET_ID` (deprecated)
        6 => set_id: u32,
    }
}

impl_expr!(Numgen, "numgen");

impl Numgen {
    /// `dreg = (next number of type ty) % modulus + offset`.
    pub fn new(ty: NumgenType, modulus: u32, offset: u32, dreg: u32) -> Self {
        Numgen {
            dreg: Some(dreg),
            modulus: Some(modulus),
            ty: Some(ty),
            offset: Some(offset),
            ..Default::default()
        }
    }

    fn debug_body(&self, f: &mut String) -> fmt::Result {
        f.write_str("numgen")?;
        let d = self.dreg.unwrap_or(0);
        let m = self.modulus.unwrap_or(0);
        // libnftnl prints nothing at all for unknown types.
        match self.ty.unwrap_or(NumgenType::Inc) {
            NumgenType::Unknown(_) => {}
            t => {
                write!(f, " reg {d} = {} mod {m}", t.debug_name())?;
                let off = self.offset.unwrap_or(0);
                if off != 0 {
                    write!(f, " offset {off}")?;
                }
            }
        }
        crate::expr::fmt_extras(f, self.extra())
    }
}
