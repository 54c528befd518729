//! `-m pkttype` (revision 0, `struct xt_pkttype_info`, 8 bytes).

use crate::iptables::error::{IptError, Result};
use crate::iptables::ext::{Ctx, OptCall, OptDef, XtExt, F_INVERT, F_MAND};
use crate::iptables::xlate::{XlCtx, Xlate};
use crate::iptables::xtbuf::{Blob, Rd};
use std::fmt::Write as _;

const TYPES: &[(&str, i32)] = &[
    ("unicast", 0),
    ("broadcast", 1),
    ("multicast", 2),
    ("otherhost", 3),
    ("outgoing", 4),
    ("bcast", 1),
    ("mcast", 2),
    ("host", 0),
];

/// `struct xt_pkttype_info`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Pkttype {
    /// `PACKET_*`.
    pub pkttype: i32,
    /// `!`.
    pub invert: i32,
}

const OPTS: &[OptDef] = &[OptDef::arg("pkt-type", 0, F_MAND | F_INVERT)];

impl Pkttype {
    fn name(&self) -> String {
        TYPES
            .iter()
            .find(|(_, v)| *v == self.pkttype)
            .map(|t| t.0.to_string())
            .unwrap_or_else(|| self.pkttype.to_string())
    }
}

impl XtExt for Pkttype {
    const NAME: &'static str = "pkttype";
    const REVISION: u32 = 0;
    const SIZE: usize = 8;
    const OPTIONS: &'static [OptDef] = OPTS;

    fn init(_: &Ctx<'_>) -> Self {
        Pkttype::default()
    }

    fn parse(&mut self, c: &mut OptCall<'_>, _: &Ctx<'_>) -> Result<()> {
        let a = c.arg();
        self.pkttype = TYPES
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(a))
            .map(|t| t.1)
            .ok_or_else(|| IptError::param(format!("Bad packet type '{a}'")))?;
        if c.invert {
            self.invert = 1;
        }
        Ok(())
    }

    fn to_info(&self, _: &Ctx<'_>) -> Vec<u8> {
        let mut b = Blob::new(Self::SIZE);
        b.u32(0, self.pkttype as u32).u32(4, self.invert as u32);
        b.into_vec()
    }

    fn from_info(info: &[u8], rev: u32, _: &Ctx<'_>) -> Option<Self> {
        if rev != 0 || info.len() != Self::SIZE {
            return None;
        }
        let r = Rd(info);
        Some(Pkttype {
            pkttype: r.u32(0)? as i32,
            invert: r.u32(4)? as i32,
        })
    }

    fn save(&self, _: &Ctx<'_>, out: &mut String) {
        let inv = if self.invert != 0 { " !" } else { "" };
        let _ = write!(out, "{inv} --pkt-type {}", self.name());
    }

    fn print(&self, _: &Ctx<'_>, _: bool, out: &mut String) {
        let inv = if self.invert != 0 { "!" } else { "" };
        let _ = write!(out, " PKTTYPE {inv}= {}", self.name());
    }

    fn xlate(&self, x: &mut Xlate, cx: &XlCtx) -> bool {
        let _ = cx;
        let op = if self.invert != 0 { " !=" } else { "" };
        x.add(&format!("pkttype{op} "));
        match self.pkttype {
            0 => x.add("unicast"),
            1 => x.add("broadcast"),
            2 => x.add("multicast"),
            n => x.add(&n.to_string()),
        }
        true
    }
}
