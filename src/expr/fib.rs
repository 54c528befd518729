//! `fib`: FIB (routing table) lookup.

use crate::{attr_struct, wire_enum};
use std::fmt;

wire_enum! {
    /// `NFT_FIB_RESULT_*`: what the lookup returns.
    pub enum FibResult: u32 {
        /// unspecified
        Unspec = 0,
        /// output interface index
        Oif = 1,
        /// output interface name
        OifName = 2,
        /// address type (`RTN_*`)
        AddrType = 3,
    }
}

/// `NFTA_FIB_F_SADDR`: look up the source address.
pub const FIB_F_SADDR: u32 = 1 << 0;
/// `NFTA_FIB_F_DADDR`: look up the destination address.
pub const FIB_F_DADDR: u32 = 1 << 1;
/// `NFTA_FIB_F_MARK`: use the packet mark.
pub const FIB_F_MARK: u32 = 1 << 2;
/// `NFTA_FIB_F_IIF`: restrict to the input interface.
pub const FIB_F_IIF: u32 = 1 << 3;
/// `NFTA_FIB_F_OIF`: restrict to the output interface.
pub const FIB_F_OIF: u32 = 1 << 4;
/// `NFTA_FIB_F_PRESENT`: only test for existence.
pub const FIB_F_PRESENT: u32 = 1 << 5;

attr_struct! {
    /// `NFTA_FIB_*`, in the kernel's dump order (`nft_fib_dump`).
    pub struct Fib {
        /// `NFTA_FIB_DREG`
        1 => dreg: u32,
        /// `NFTA_FIB_RESULT`
        2 => result: FibResult,
        /// `NFTA_FIB_FLAGS` (`NFTA_FIB_F_*`)
        3 => flags: u32,
    }
}

impl_expr!(Fib, "fib");

impl Fib {
    fn debug_body(&self, f: &mut String) -> fmt::Result {
        const TAB: [(u32, &str); 5] = [
            (FIB_F_SADDR, "saddr"),
            (FIB_F_DADDR, "daddr"),
            (FIB_F_MARK, "mark"),
            (FIB_F_IIF, "iif"),
            (FIB_F_OIF, "oif"),
        ];
        let all = self.flags.unwrap_or(0);
        let mut flags = all & !FIB_F_PRESENT;
        let mut b = String::new();
        for (bit, name) in TAB {
            if flags & bit != 0 {
                b.push_str(name);
                b.push(' ');
                flags &= !bit;
                if flags != 0 {
                    b.push_str(". ");
                }
            }
        }
        if flags != 0 {
            b.push_str(&format!("unknown 0x{flags:x}"));
        }
        let result = match self.result.map(|r| r.value()).unwrap_or(0) {
            1 => "oif",
            2 => "oifname",
            3 => "type",
            0 => crate::expr::nftnl_fmt::NULL_STR,
            _ => "unknown",
        };
        b.push_str(&format!(
            "{result}{} => reg {} ",
            if all & FIB_F_PRESENT != 0 {
                " present"
            } else {
                ""
            },
            self.dreg.unwrap_or(0) as i32
        ));
        crate::expr::nftnl_fmt::fmt_body(f, "fib", &b)?;
        crate::expr::fmt_extras(f, self.extra())
    }
}
