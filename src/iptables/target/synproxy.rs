//! `-j SYNPROXY` (revision 0, `struct xt_synproxy_info`, 8 bytes): the
//! TCP options the SYN proxy announces.

use crate::iptables::error::Result;
use crate::iptables::ext::{decode_exact, Ctx, OptCall, OptDef, XtExt};
use crate::iptables::text::parse_uint;
use crate::iptables::xlate::{XlCtx, Xlate};
use crate::iptables::xtbuf::Blob;
use std::fmt::Write as _;

const OPT_MSS: u8 = 0x01;
const OPT_WSCALE: u8 = 0x02;
const OPT_SACK_PERM: u8 = 0x04;
const OPT_TIMESTAMP: u8 = 0x08;
const OPT_ECN: u8 = 0x10;

/// `struct xt_synproxy_info`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Synproxy {
    /// `XT_SYNPROXY_OPT_*`.
    pub options: u8,
    /// Window scale.
    pub wscale: u8,
    /// MSS.
    pub mss: u16,
}

const OPTS: &[OptDef] = &[
    OptDef::flag("sack-perm", 0, 0),
    OptDef::flag("timestamp", 1, 0),
    OptDef::arg("wscale", 2, 0),
    OptDef::arg("mss", 3, 0),
    OptDef::flag("ecn", 4, 0),
];

impl XtExt for Synproxy {
    const NAME: &'static str = "SYNPROXY";
    const REVISION: u32 = 0;
    const SIZE: usize = 8;
    const OPTIONS: &'static [OptDef] = OPTS;

    fn init(_: &Ctx<'_>) -> Self {
        Synproxy::default()
    }
    fn parse(&mut self, c: &mut OptCall<'_>, _: &Ctx<'_>) -> Result<()> {
        self.options |= match c.def.id {
            0 => OPT_SACK_PERM,
            1 => OPT_TIMESTAMP,
            2 => {
                self.wscale =
                    parse_uint("SYNPROXY", c.def.name, c.arg(), 0, u32::MAX as u64)? as u8;
                OPT_WSCALE
            }
            3 => {
                self.mss = parse_uint("SYNPROXY", c.def.name, c.arg(), 0, u32::MAX as u64)? as u16;
                OPT_MSS
            }
            _ => OPT_ECN,
        };
        Ok(())
    }
    fn to_info(&self, _: &Ctx<'_>) -> Vec<u8> {
        let mut b = Blob::new(Self::SIZE);
        b.u8(0, self.options).u8(1, self.wscale).u16(2, self.mss);
        b.into_vec()
    }
    fn from_info(info: &[u8], rev: u32, cx: &Ctx<'_>) -> Option<Self> {
        decode_exact(info, rev, cx, |r| {
            Some(Synproxy {
                options: r.u8(0)?,
                wscale: r.u8(1)?,
                mss: r.u16(2)?,
            })
        })
    }
    fn save(&self, _: &Ctx<'_>, out: &mut String) {
        let o = self.options;
        if o & OPT_SACK_PERM != 0 {
            out.push_str(" --sack-perm");
        }
        if o & OPT_TIMESTAMP != 0 {
            out.push_str(" --timestamp");
        }
        if o & OPT_WSCALE != 0 {
            let _ = write!(out, " --wscale {}", self.wscale);
        }
        if o & OPT_MSS != 0 {
            let _ = write!(out, " --mss {}", self.mss);
        }
        if o & OPT_ECN != 0 {
            out.push_str(" --ecn");
        }
    }
    fn print(&self, _: &Ctx<'_>, _: bool, out: &mut String) {
        let o = self.options;
        out.push_str(" SYNPROXY ");
        if o & OPT_SACK_PERM != 0 {
            out.push_str("sack-perm ");
        }
        if o & OPT_TIMESTAMP != 0 {
            out.push_str("timestamp ");
        }
        if o & OPT_WSCALE != 0 {
            let _ = write!(out, "wscale {} ", self.wscale);
        }
        if o & OPT_MSS != 0 {
            let _ = write!(out, "mss {} ", self.mss);
        }
        if o & OPT_ECN != 0 {
            out.push_str("ecn ");
        }
    }

    fn xlate(&self, x: &mut Xlate, cx: &XlCtx) -> bool {
        let _ = cx;
        let o = self.options;
        x.add("synproxy ");
        if o & 0x04 != 0 {
            x.add("sack-perm ");
        }
        if o & 0x08 != 0 {
            x.add("timestamp ");
        }
        if o & 0x02 != 0 {
            x.add(&format!("wscale {} ", self.wscale));
        }
        if o & 0x01 != 0 {
            x.add(&format!("mss {} ", self.mss));
        }
        if o & 0x10 != 0 {
            x.add("ecn ");
        }
        true
    }
}
