//! `hash`: hash registers (jhash) or the flow (symhash) into a register.

use crate::{attr_struct, wire_enum};
use std::fmt;
use std::fmt::Write as _;

wire_enum! {
    /// `NFT_HASH_*` types.
    pub enum HashType: u32 {
        /// Jenkins hash of `len` bytes from `sreg`
        Jenkins = 0,
        /// symmetric hash of the flow
        Sym = 1,
    }
}

impl HashType {
    /// libnftnl's name (`jhash`, `symhash`).
    pub fn debug_name(self) -> String {
        match self {
            HashType::Jenkins => "jhash".into(),
            HashType::Sym => "symhash".into(),
            HashType::Unknown(n) => format!("hash{n}"),
        }
    }
}

attr_struct! {
    /// `NFTA_HASH_*`, in the kernel's dump order (seed and offset only when
    /// set; the set name/id attributes are deprecated and never dumped).
    pub struct Hash {
        /// `NFTA_HASH_SREG` (jhash)
        1 => sreg: u32,
        /// `NFTA_HASH_DREG`
        2 => dreg: u32,
        /// `NFTA_HASH_LEN` (jhash: bytes to hash)
        3 => len: u32,
        /// `NFTA_HASH_MODULUS`
        4 => modulus: u32,
        /// `NFTA_HASH_SEED` (jhash)
        5 => seed: u32,
        /// `NFTA_HASH_OFFSET` (added to the result)
        6 => offset: u32,
        /// `NFTA_HASH_TYPE`
        7 => ty: HashType,
        /// `NFTA_HASH_SET_NAME` (deprecated)
        8 => set_name: String,
        /// `NFTA_HASH_SET_ID` (deprecated)
        9 => set_id: u32,
    }
}

impl_expr!(Hash, "hash");

impl Hash {
    /// `dreg = jhash(len bytes of sreg, seed) % modulus + offset`.
    pub fn jhash(sreg: u32, len: u32, modulus: u32, seed: u32, offset: u32, dreg: u32) -> Self {
        Hash {
            sreg: Some(sreg),
            dreg: Some(dreg),
            len: Some(len),
            modulus: Some(modulus),
            seed: Some(seed),
            offset: (offset != 0).then_some(offset),
            ty: Some(HashType::Jenkins),
            ..Default::default()
        }
    }

    /// `dreg = symhash(flow) % modulus + offset`.
    pub fn symhash(modulus: u32, offset: u32, dreg: u32) -> Self {
        Hash {
            dreg: Some(dreg),
            modulus: Some(modulus),
            offset: (offset != 0).then_some(offset),
            ty: Some(HashType::Sym),
            ..Default::default()
        }
    }

    fn debug_body(&self, f: &mut String) -> fmt::Result {
        let d = self.dreg.unwrap_or(0);
        let m = self.modulus.unwrap_or(0);
        // libnftnl prints every type but symhash as jhash.
        if self.ty == Some(HashType::Sym) {
            write!(f, "hash reg {d} = symhash() % mod {m}")?;
        } else {
            write!(
                f,
                "hash reg {d} = jhash(reg {}, {}, 0x{:x}) % mod {m}",
                self.sreg.unwrap_or(0),
                self.len.unwrap_or(0),
                self.seed.unwrap_or(0)
            )?;
        }
        let off = self.offset.unwrap_or(0);
        if off != 0 {
            write!(f, " offset {off}")?;
        }
        crate::expr::fmt_extras(f, self.extra())
    }
}
