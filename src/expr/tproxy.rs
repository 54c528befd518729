//! `tproxy`: transparent proxying to a local socket.

use crate::attr_struct;
use std::fmt;

attr_struct! {
    /// `NFTA_TPROXY_*`, in the kernel's dump order (`nft_tproxy_dump`).
    pub struct Tproxy {
        /// `NFTA_TPROXY_FAMILY` (`NFPROTO_*`, 0 when taken from the table)
        1 => family: u32,
        /// `NFTA_TPROXY_REG_ADDR`
        2 => reg_addr: u32,
        /// `NFTA_TPROXY_REG_PORT`
        3 => reg_port: u32,
    }
}

impl_expr!(Tproxy, "tproxy");

impl Tproxy {
    fn debug_body(&self, f: &mut String) -> fmt::Result {
        let mut b = String::new();
        let fam = self.family.unwrap_or(0);
        if fam != 0 {
            b.push_str(crate::expr::nftnl_fmt::family_name(fam));
            b.push(' ');
        }
        if let Some(r) = self.reg_addr {
            b.push_str(&format!("addr reg {r} "));
        }
        if let Some(r) = self.reg_port {
            b.push_str(&format!("port reg {r} "));
        }
        crate::expr::nftnl_fmt::fmt_body(f, "tproxy", &b)?;
        crate::expr::fmt_extras(f, self.extra())
    }
}
