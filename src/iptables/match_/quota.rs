//! `-m quota` (revision 0, `struct xt_quota_info`, 24 bytes; the kernel's
//! counter pointer after the first 16 is not compared).

use crate::iptables::error::Result;
use crate::iptables::ext::{decode_exact, Ctx, OptCall, OptDef, XtExt, F_INVERT, F_MAND};
use crate::iptables::text::parse_uint;
use crate::iptables::xlate::{XlCtx, Xlate};
use crate::iptables::xtbuf::Blob;
use std::fmt::Write as _;

/// `XT_QUOTA_INVERT`.
const INVERT: u32 = 0x1;

/// `struct xt_quota_info`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Quota {
    /// `XT_QUOTA_*` flags.
    pub flags: u32,
    /// Bytes.
    pub quota: u64,
}

const OPTS: &[OptDef] = &[OptDef::arg("quota", 0, F_MAND | F_INVERT)];

impl XtExt for Quota {
    const NAME: &'static str = "quota";
    const REVISION: u32 = 0;
    const SIZE: usize = 24;
    const USERSPACE: usize = 16;
    const OPTIONS: &'static [OptDef] = OPTS;

    fn init(_: &Ctx<'_>) -> Self {
        Quota::default()
    }
    fn parse(&mut self, c: &mut OptCall<'_>, _: &Ctx<'_>) -> Result<()> {
        self.quota = parse_uint("quota", c.def.name, c.arg(), 0, u64::MAX)?;
        if c.invert {
            self.flags |= INVERT;
        }
        Ok(())
    }
    fn to_info(&self, _: &Ctx<'_>) -> Vec<u8> {
        let mut b = Blob::new(Self::SIZE);
        b.u32(0, self.flags).u64(8, self.quota);
        b.into_vec()
    }
    fn from_info(info: &[u8], rev: u32, cx: &Ctx<'_>) -> Option<Self> {
        decode_exact(info, rev, cx, |r| {
            Some(Quota {
                flags: r.u32(0)?,
                quota: r.u64(8)?,
            })
        })
    }
    fn save(&self, _: &Ctx<'_>, out: &mut String) {
        if self.flags & INVERT != 0 {
            out.push_str(" !");
        }
        let _ = write!(out, " --quota {}", self.quota);
    }
    fn print(&self, _: &Ctx<'_>, _: bool, out: &mut String) {
        let _ = write!(out, " quota: {} bytes", self.quota);
    }

    fn xlate(&self, x: &mut Xlate, cx: &XlCtx) -> bool {
        let _ = cx;
        let over = if self.flags & 1 != 0 { "over " } else { "" };
        x.add(&format!("quota {over}{} bytes", self.quota));
        true
    }
}
