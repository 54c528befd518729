//! `lookup`: test a register against a set, or map it to data.

use crate::attr_struct;
use std::fmt;
use std::fmt::Write as _;

attr_struct! {
    /// `NFTA_LOOKUP_*`, in the kernel's dump order.
    pub struct Lookup {
        /// `NFTA_LOOKUP_SET` (set name)
        1 => set: String,
        /// `NFTA_LOOKUP_SREG`
        2 => sreg: u32,
        /// `NFTA_LOOKUP_DREG` (maps)
        3 => dreg: u32,
        /// `NFTA_LOOKUP_FLAGS` (1 = inverted)
        5 => flags: u32,
        /// `NFTA_LOOKUP_SET_ID` (transaction-local set id)
        4 => set_id: u32,
    }
}

impl_expr!(Lookup, "lookup");

impl Lookup {
    fn debug_body(&self, f: &mut String) -> fmt::Result {
        write!(
            f,
            "lookup reg {} set {}",
            self.sreg.unwrap_or(0),
            self.set
                .as_deref()
                .unwrap_or(crate::expr::nftnl_fmt::NULL_STR)
        )?;
        if let Some(d) = self.dreg {
            write!(f, " dreg {d}")?;
        }
        // The kernel always dumps the flags; libnftnl prints them when
        // present (`0x0` for a plain lookup, `0x1` inverted).
        if let Some(fl) = self.flags {
            write!(f, " 0x{fl:x}")?;
        }
        crate::expr::fmt_extras(f, self.extra())
    }
}
