//! `-j TCPMSS` (revision 0, `struct xt_tcpmss_info`, 8 bytes).

use crate::iptables::error::{IptError, Result};
use crate::iptables::ext::{Ctx, OptCall, OptDef, XtExt};
use crate::iptables::family::Family;
use crate::iptables::text::parse_uint;
use crate::iptables::xlate::{XlCtx, Xlate};
use crate::iptables::xtbuf::{Blob, Rd};
use std::fmt::Write as _;

/// `XT_TCPMSS_CLAMP_PMTU`.
pub const CLAMP_PMTU: u16 = 0xffff;

/// `struct xt_tcpmss_info`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Tcpmss {
    /// MSS, or `CLAMP_PMTU`.
    pub mss: u16,
}

const OPTS: &[OptDef] = &[
    OptDef::arg("set-mss", 0, 0),
    OptDef::flag("clamp-mss-to-pmtu", 1, 0),
];

impl XtExt for Tcpmss {
    const NAME: &'static str = "TCPMSS";
    const REVISION: u32 = 0;
    const SIZE: usize = 8;
    const OPTIONS: &'static [OptDef] = OPTS;

    fn init(_: &Ctx<'_>) -> Self {
        Tcpmss::default()
    }
    fn parse(&mut self, c: &mut OptCall<'_>, cx: &Ctx<'_>) -> Result<()> {
        if c.def.id == 1 {
            self.mss = CLAMP_PMTU;
        } else {
            let max = match cx.family {
                Family::V4 => 65535 - 20,
                Family::V6 => 65535 - 40,
            };
            self.mss = parse_uint("TCPMSS", "set-mss", c.arg(), 0, max)? as u16;
        }
        Ok(())
    }
    fn check(&mut self, seen: u32, _: &Ctx<'_>) -> Result<()> {
        if seen == 0 {
            return Err(IptError::param(
                "TCPMSS target: At least one parameter is required",
            ));
        }
        Ok(())
    }
    fn to_info(&self, _: &Ctx<'_>) -> Vec<u8> {
        let mut b = Blob::new(Self::SIZE);
        b.u16(0, self.mss);
        b.into_vec()
    }
    fn from_info(info: &[u8], rev: u32, _: &Ctx<'_>) -> Option<Self> {
        if rev != 0 || info.len() != Self::SIZE || info[2..].iter().any(|&b| b != 0) {
            return None;
        }
        Some(Tcpmss {
            mss: Rd(info).u16(0)?,
        })
    }
    fn save(&self, _: &Ctx<'_>, out: &mut String) {
        if self.mss == CLAMP_PMTU {
            out.push_str(" --clamp-mss-to-pmtu");
        } else {
            let _ = write!(out, " --set-mss {}", self.mss);
        }
    }
    fn print(&self, _: &Ctx<'_>, _: bool, out: &mut String) {
        if self.mss == CLAMP_PMTU {
            out.push_str(" TCPMSS clamp to PMTU");
        } else {
            let _ = write!(out, " TCPMSS set {}", self.mss);
        }
    }

    fn xlate(&self, x: &mut Xlate, cx: &XlCtx) -> bool {
        let _ = cx;
        if self.mss == 0xffff {
            x.add("tcp option maxseg size set rt mtu");
        } else {
            x.add(&format!("tcp option maxseg size set {}", self.mss));
        }
        true
    }
}
