//! `-m ttl` (IPv4, `struct ipt_ttl_info`) and `-m hl` (IPv6, `struct
//! ip6t_hl_info`): mode and value, 8 bytes, revision 0.

use crate::iptables::error::{IptError, Result};
use crate::iptables::ext::{Ctx, OptCall, OptDef, XtExt, F_INVERT};
use crate::iptables::text::parse_uint;
use crate::iptables::xlate::{XlCtx, Xlate};
use crate::iptables::xtbuf::{Blob, Rd};
use std::fmt::Write as _;

/// Mode and value (`EQ` 0, `NE` 1, `LT` 2, `GT` 3).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TtlInfo {
    /// Mode.
    pub mode: u8,
    /// TTL / hop limit.
    pub value: u8,
}

const ANY: u32 = 7;

impl TtlInfo {
    fn parse(&mut self, ext: &str, c: &OptCall<'_>) -> Result<()> {
        self.value = parse_uint(ext, c.def.name, c.arg(), 0, 255)? as u8;
        self.mode = match c.def.id {
            0 => {
                if c.invert {
                    1
                } else {
                    0
                }
            }
            1 => 2,
            _ => 3,
        };
        Ok(())
    }
    fn blob(&self) -> Vec<u8> {
        let mut b = Blob::new(8);
        b.u8(0, self.mode).u8(1, self.value);
        b.into_vec()
    }
    fn unblob(info: &[u8], rev: u32) -> Option<TtlInfo> {
        if rev != 0 || info.len() != 8 || info[2..].iter().any(|&b| b != 0) {
            return None;
        }
        let r = Rd(info);
        let t = TtlInfo {
            mode: r.u8(0)?,
            value: r.u8(1)?,
        };
        (t.mode <= 3).then_some(t)
    }
}

/// `-m ttl`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Ttl(pub TtlInfo);

const TTL_OPTS: &[OptDef] = &[
    OptDef::arg("ttl-lt", 1, 0).excl(ANY),
    OptDef::arg("ttl-gt", 2, 0).excl(ANY),
    OptDef::arg("ttl-eq", 0, F_INVERT).excl(ANY),
    OptDef::arg("ttl", 0, 0).excl(ANY),
];

impl XtExt for Ttl {
    const NAME: &'static str = "ttl";
    const REVISION: u32 = 0;
    const SIZE: usize = 8;
    const OPTIONS: &'static [OptDef] = TTL_OPTS;

    fn init(_: &Ctx<'_>) -> Self {
        Ttl::default()
    }
    fn parse(&mut self, c: &mut OptCall<'_>, _: &Ctx<'_>) -> Result<()> {
        self.0.parse("ttl", c)
    }
    fn check(&mut self, seen: u32, _: &Ctx<'_>) -> Result<()> {
        if seen & ANY == 0 {
            return Err(IptError::param(
                "TTL match: You must specify one of `--ttl-eq', `--ttl-lt', `--ttl-gt",
            ));
        }
        Ok(())
    }
    fn to_info(&self, _: &Ctx<'_>) -> Vec<u8> {
        self.0.blob()
    }
    fn from_info(info: &[u8], rev: u32, _: &Ctx<'_>) -> Option<Self> {
        TtlInfo::unblob(info, rev).map(Ttl)
    }
    fn save(&self, _: &Ctx<'_>, out: &mut String) {
        let o = ["--ttl-eq", "! --ttl-eq", "--ttl-lt", "--ttl-gt"];
        if let Some(s) = o.get(self.0.mode as usize) {
            let _ = write!(out, " {s}");
        }
        let _ = write!(out, " {}", self.0.value);
    }
    fn print(&self, _: &Ctx<'_>, _: bool, out: &mut String) {
        let o = ["TTL ==", "TTL !=", "TTL <", "TTL >"];
        out.push_str(" TTL match ");
        if let Some(s) = o.get(self.0.mode as usize) {
            out.push_str(s);
        }
        let _ = write!(out, " {}", self.0.value);
    }

    fn xlate(&self, x: &mut Xlate, cx: &XlCtx) -> bool {
        let _ = cx;
        let op = match self.0.mode {
            0 => "ip ttl",
            1 => "ip ttl !=",
            2 => "ip ttl lt",
            3 => "ip ttl gt",
            _ => return false,
        };
        x.add(op);
        x.add(&format!(" {}", self.0.value));
        true
    }
}

/// `-m hl`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Hl(pub TtlInfo);

const HL_OPTS: &[OptDef] = &[
    OptDef::arg("hl-lt", 1, 0).excl(ANY),
    OptDef::arg("hl-gt", 2, 0).excl(ANY),
    OptDef::arg("hl-eq", 0, F_INVERT).excl(ANY),
    OptDef::arg("hl", 0, 0).excl(ANY),
];

impl XtExt for Hl {
    const NAME: &'static str = "hl";
    const REVISION: u32 = 0;
    const SIZE: usize = 8;
    const OPTIONS: &'static [OptDef] = HL_OPTS;

    fn init(_: &Ctx<'_>) -> Self {
        Hl::default()
    }
    fn parse(&mut self, c: &mut OptCall<'_>, _: &Ctx<'_>) -> Result<()> {
        self.0.parse("hl", c)
    }
    fn check(&mut self, seen: u32, _: &Ctx<'_>) -> Result<()> {
        if seen & ANY == 0 {
            return Err(IptError::param(
                "HL match: You must specify one of `--hl-eq', `--hl-lt', `--hl-gt'",
            ));
        }
        Ok(())
    }
    fn to_info(&self, _: &Ctx<'_>) -> Vec<u8> {
        self.0.blob()
    }
    fn from_info(info: &[u8], rev: u32, _: &Ctx<'_>) -> Option<Self> {
        TtlInfo::unblob(info, rev).map(Hl)
    }
    fn save(&self, _: &Ctx<'_>, out: &mut String) {
        let o = ["--hl-eq", "! --hl-eq", "--hl-lt", "--hl-gt"];
        if let Some(s) = o.get(self.0.mode as usize) {
            let _ = write!(out, " {s} {}", self.0.value);
        }
    }
    fn print(&self, _: &Ctx<'_>, _: bool, out: &mut String) {
        let o = ["==", "!=", "<", ">"];
        if let Some(s) = o.get(self.0.mode as usize) {
            let _ = write!(out, " HL match HL {s} {}", self.0.value);
        }
    }

    fn xlate(&self, x: &mut Xlate, cx: &XlCtx) -> bool {
        let _ = cx;
        let op = match self.0.mode {
            0 => "",
            1 => "!= ",
            2 => "lt ",
            3 => "gt ",
            _ => "",
        };
        x.add(&format!("ip6 hoplimit {op}{}", self.0.value));
        true
    }
}
