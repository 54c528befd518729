//! `-j NETMAP` (revision 0; IPv4 `nf_nat_ipv4_multi_range_compat`, IPv6
//! `nf_nat_range`): a whole network mapped onto another.

use super::nat::{NatRange, MAP_IPS};
use crate::iptables::addr::{addr_str, mask_to_cidr};
use crate::iptables::error::Result;
use crate::iptables::ext::{Ctx, OptCall, OptDef, XtExt, F_MAND};
use crate::iptables::family::Family;
use crate::iptables::match_::conntrack::parse_hostmask;
use std::fmt::Write as _;

/// The mapped range.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Netmap(pub NatRange);

impl Default for Netmap {
    fn default() -> Self {
        Netmap(NatRange {
            rangesize: 1,
            ..Default::default()
        })
    }
}

const OPTS: &[OptDef] = &[OptDef::arg("to", 0, F_MAND)];

impl Netmap {
    fn show(&self, f: Family, out: &mut String) {
        let n = f.addr_len();
        out.push_str(&addr_str(f, &self.0.min_addr));
        let mut m = [0u8; 16];
        for (i, b) in m.iter_mut().enumerate().take(n) {
            *b = !(self.0.min_addr[i] ^ self.0.max_addr[i]);
        }
        match mask_to_cidr(f, &m) {
            Some(b) => {
                let _ = write!(out, "/{b}");
            }
            None => {
                let _ = write!(out, "/{}", addr_str(f, &m));
            }
        }
    }
}

impl XtExt for Netmap {
    const NAME: &'static str = "NETMAP";
    const REVISION: u32 = 0;
    const SIZE: usize = 40;
    const OPTIONS: &'static [OptDef] = OPTS;

    fn init(_: &Ctx<'_>) -> Self {
        Netmap::default()
    }
    fn parse(&mut self, c: &mut OptCall<'_>, cx: &Ctx<'_>) -> Result<()> {
        let am = parse_hostmask(cx.family, "NETMAP", "to", c.arg())?;
        self.0.flags |= MAP_IPS;
        for i in 0..16 {
            self.0.min_addr[i] = am.addr[i] & am.mask[i];
            self.0.max_addr[i] = self.0.min_addr[i] | !am.mask[i];
        }
        if cx.family == Family::V4 {
            for i in 4..16 {
                self.0.min_addr[i] = 0;
                self.0.max_addr[i] = 0;
            }
        }
        Ok(())
    }
    fn to_info(&self, cx: &Ctx<'_>) -> Vec<u8> {
        match cx.family {
            Family::V4 => self.0.v4_compat(),
            Family::V6 => self.0.range(false),
        }
    }
    fn from_info(info: &[u8], rev: u32, cx: &Ctx<'_>) -> Option<Self> {
        if rev != 0 {
            return None;
        }
        match cx.family {
            Family::V4 => NatRange::from_v4_compat(info).map(Netmap),
            Family::V6 => NatRange::from_range(info, false).map(Netmap),
        }
    }
    fn save(&self, cx: &Ctx<'_>, out: &mut String) {
        out.push_str(" --to ");
        self.show(cx.family, out);
    }
    fn print(&self, cx: &Ctx<'_>, _: bool, out: &mut String) {
        out.push_str(" to:");
        self.show(cx.family, out);
    }
}
