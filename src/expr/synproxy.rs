//! `synproxy`: answer SYNs with cookies and hand over validated
//! connections. The same attributes form the synproxy object's data.

use crate::attr_struct;
use std::fmt;

/// `NF_SYNPROXY_OPT_MSS`.
pub const SYNPROXY_OPT_MSS: u32 = 0x01;
/// `NF_SYNPROXY_OPT_WSCALE`.
pub const SYNPROXY_OPT_WSCALE: u32 = 0x02;
/// `NF_SYNPROXY_OPT_SACK_PERM`.
pub const SYNPROXY_OPT_SACK_PERM: u32 = 0x04;
/// `NF_SYNPROXY_OPT_TIMESTAMP`.
pub const SYNPROXY_OPT_TIMESTAMP: u32 = 0x08;
/// `NF_SYNPROXY_OPT_ECN`.
pub const SYNPROXY_OPT_ECN: u32 = 0x10;

attr_struct! {
    /// `NFTA_SYNPROXY_*`, in the kernel's dump order (`nft_synproxy_do_dump`).
    pub struct Synproxy {
        /// `NFTA_SYNPROXY_MSS`
        1 => mss: u16,
        /// `NFTA_SYNPROXY_WSCALE`
        2 => wscale: u8,
        /// `NFTA_SYNPROXY_FLAGS` (`NF_SYNPROXY_OPT_*`)
        3 => flags: u32,
    }
}

impl_expr!(Synproxy, "synproxy");

impl Synproxy {
    fn debug_body(&self, f: &mut String) -> fmt::Result {
        let b = match (self.mss, self.wscale) {
            (Some(m), Some(w)) => format!("mss {m} wscale {w} "),
            _ => String::new(),
        };
        crate::expr::nftnl_fmt::fmt_body(f, "synproxy", &b)?;
        crate::expr::fmt_extras(f, self.extra())
    }
}
