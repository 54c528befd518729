//! `-j DSCP` (revision 0, `struct xt_DSCP_info`, 8 bytes).

use crate::iptables::error::{IptError, Result};
use crate::iptables::ext::{Ctx, OptCall, OptDef, XtExt};
use crate::iptables::match_::dscp::class_to_dscp;
use crate::iptables::text::parse_uint;
use crate::iptables::xlate::{XlCtx, Xlate};
use crate::iptables::xtbuf::{Blob, Rd};
use std::fmt::Write as _;

/// `struct xt_DSCP_info`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DscpTarget {
    /// DSCP value to set.
    pub dscp: u8,
}

const OPTS: &[OptDef] = &[
    OptDef::arg("set-dscp", 0, 0).excl(2),
    OptDef::arg("set-dscp-class", 1, 0).excl(1),
];

impl XtExt for DscpTarget {
    const NAME: &'static str = "DSCP";
    const REVISION: u32 = 0;
    const SIZE: usize = 8;
    const OPTIONS: &'static [OptDef] = OPTS;

    fn init(_: &Ctx<'_>) -> Self {
        DscpTarget::default()
    }
    fn parse(&mut self, c: &mut OptCall<'_>, _: &Ctx<'_>) -> Result<()> {
        self.dscp = if c.def.id == 0 {
            parse_uint("DSCP", "set-dscp", c.arg(), 0, 0x3f)? as u8
        } else {
            class_to_dscp(c.arg())?
        };
        Ok(())
    }
    fn check(&mut self, seen: u32, _: &Ctx<'_>) -> Result<()> {
        if seen == 0 {
            return Err(IptError::param(
                "DSCP target: Parameter --set-dscp is required",
            ));
        }
        Ok(())
    }
    fn to_info(&self, _: &Ctx<'_>) -> Vec<u8> {
        let mut b = Blob::new(Self::SIZE);
        b.u8(0, self.dscp);
        b.into_vec()
    }
    fn from_info(info: &[u8], rev: u32, _: &Ctx<'_>) -> Option<Self> {
        if rev != 0 || info.len() != Self::SIZE || info[1..].iter().any(|&b| b != 0) {
            return None;
        }
        Some(DscpTarget {
            dscp: Rd(info).u8(0)?,
        })
    }
    fn save(&self, _: &Ctx<'_>, out: &mut String) {
        let _ = write!(out, " --set-dscp 0x{:02x}", self.dscp);
    }
    fn print(&self, _: &Ctx<'_>, _: bool, out: &mut String) {
        let _ = write!(out, " DSCP set 0x{:02x}", self.dscp);
    }

    fn xlate(&self, x: &mut Xlate, cx: &XlCtx) -> bool {
        let w = crate::iptables::xlate::family_word(cx.family);
        x.add(&format!("{w} dscp set 0x{:02x}", self.dscp));
        true
    }
}
