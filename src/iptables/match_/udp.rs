//! `-m udp` (`struct xt_udp`, revision 0, 16 bytes). Written natively unless
//! empty.

use super::conntrack::parse_portrc;
use super::tcp::{print_ports, save_ports};
use crate::iptables::error::Result;
use crate::iptables::ext::{Ctx, OptCall, OptDef, XtExt, F_INVERT};
use crate::iptables::xtbuf::{Blob, Rd};
use std::fmt::Write as _;

/// `XT_UDP_INV_SRCPT`.
pub const INV_SRCPT: u8 = 0x01;
/// `XT_UDP_INV_DSTPT`.
pub const INV_DSTPT: u8 = 0x02;
/// `XT_UDP_INV_MASK`.
pub const INV_MASK: u8 = 0x03;

/// `struct xt_udp`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Udp {
    /// Source port range.
    pub spts: [u16; 2],
    /// Destination port range.
    pub dpts: [u16; 2],
    /// `XT_UDP_INV_*`.
    pub invflags: u8,
}

impl Default for Udp {
    fn default() -> Self {
        Udp {
            spts: [0, 0xffff],
            dpts: [0, 0xffff],
            invflags: 0,
        }
    }
}

impl Udp {
    /// True when nothing is tested.
    pub fn all_zero(&self) -> bool {
        *self == Udp::default()
    }
}

const OPTS: &[OptDef] = &[
    OptDef::arg("source-port", 0, F_INVERT),
    OptDef::arg("sport", 0, F_INVERT),
    OptDef::arg("destination-port", 1, F_INVERT),
    OptDef::arg("dport", 1, F_INVERT),
];

impl XtExt for Udp {
    const NAME: &'static str = "udp";
    const REVISION: u32 = 0;
    const SIZE: usize = 16;
    const OPTIONS: &'static [OptDef] = OPTS;

    fn init(_: &Ctx<'_>) -> Self {
        Udp::default()
    }

    fn parse(&mut self, c: &mut OptCall<'_>, _: &Ctx<'_>) -> Result<()> {
        let (lo, hi, _) = parse_portrc("udp", c.def.name, c.arg())?;
        if c.def.id == 0 {
            self.spts = [lo, hi];
            if c.invert {
                self.invflags |= INV_SRCPT;
            }
        } else {
            self.dpts = [lo, hi];
            if c.invert {
                self.invflags |= INV_DSTPT;
            }
        }
        Ok(())
    }

    fn to_info(&self, _: &Ctx<'_>) -> Vec<u8> {
        let mut b = Blob::new(Self::SIZE);
        b.u16(0, self.spts[0])
            .u16(2, self.spts[1])
            .u16(4, self.dpts[0])
            .u16(6, self.dpts[1])
            .u8(8, self.invflags);
        b.into_vec()
    }

    fn from_info(info: &[u8], rev: u32, cx: &Ctx<'_>) -> Option<Self> {
        if rev != 0 || info.len() != Self::SIZE {
            return None;
        }
        let r = Rd(info);
        let u = Udp {
            spts: [r.u16(0)?, r.u16(2)?],
            dpts: [r.u16(4)?, r.u16(6)?],
            invflags: r.u8(8)?,
        };
        (u.to_info(cx) == info).then_some(u)
    }

    fn save(&self, _: &Ctx<'_>, out: &mut String) {
        save_ports("sport", self.spts, self.invflags & INV_SRCPT != 0, out);
        save_ports("dport", self.dpts, self.invflags & INV_DSTPT != 0, out);
    }

    fn print(&self, _: &Ctx<'_>, numeric: bool, out: &mut String) {
        out.push_str(" udp");
        print_ports(
            "spt",
            self.spts,
            self.invflags & INV_SRCPT != 0,
            numeric,
            "udp",
            out,
        );
        print_ports(
            "dpt",
            self.dpts,
            self.invflags & INV_DSTPT != 0,
            numeric,
            "udp",
            out,
        );
        if self.invflags & !INV_MASK != 0 {
            let _ = write!(out, " Unknown invflags: 0x{:X}", self.invflags & !INV_MASK);
        }
    }

    fn xlate(
        &self,
        x: &mut crate::iptables::xlate::Xlate,
        _: &crate::iptables::xlate::XlCtx,
    ) -> bool {
        use crate::iptables::xlate::ports;
        let mut done = ports(x, "udp sport", self.spts, self.invflags & INV_SRCPT != 0);
        done |= ports(x, "udp dport", self.dpts, self.invflags & INV_DSTPT != 0);
        if !done {
            x.add("meta l4proto udp");
        }
        true
    }
}
