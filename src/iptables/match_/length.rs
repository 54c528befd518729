//! `-m length` (revision 0, `struct xt_length_info`, 8 bytes).

use crate::iptables::error::Result;
use crate::iptables::ext::{Ctx, OptCall, OptDef, XtExt, F_INVERT, F_MAND};
use crate::iptables::match_::conntrack::parse_u32rc_max;
use crate::iptables::xlate::{XlCtx, Xlate};
use crate::iptables::xtbuf::{Blob, Rd};
use std::fmt::Write as _;

/// `struct xt_length_info`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Length {
    /// Minimum.
    pub min: u16,
    /// Maximum.
    pub max: u16,
    /// `!`.
    pub invert: u8,
}

const OPTS: &[OptDef] = &[OptDef::arg("length", 0, F_MAND | F_INVERT)];

impl Length {
    fn range(&self) -> String {
        if self.min == self.max {
            self.min.to_string()
        } else {
            format!("{}:{}", self.min, self.max)
        }
    }
}

impl XtExt for Length {
    const NAME: &'static str = "length";
    const REVISION: u32 = 0;
    const SIZE: usize = 8;
    const OPTIONS: &'static [OptDef] = OPTS;

    fn init(_: &Ctx<'_>) -> Self {
        Length::default()
    }

    fn parse(&mut self, c: &mut OptCall<'_>, _: &Ctx<'_>) -> Result<()> {
        let (lo, hi, n) = parse_u32rc_max("length", c.def.name, c.arg(), u16::MAX as u64)?;
        self.min = lo as u16;
        self.max = if n >= 2 { hi as u16 } else { lo as u16 };
        if c.invert {
            self.invert = 1;
        }
        Ok(())
    }

    fn to_info(&self, _: &Ctx<'_>) -> Vec<u8> {
        let mut b = Blob::new(Self::SIZE);
        b.u16(0, self.min).u16(2, self.max).u8(4, self.invert);
        b.into_vec()
    }

    fn from_info(info: &[u8], rev: u32, cx: &Ctx<'_>) -> Option<Self> {
        if rev != 0 || info.len() != Self::SIZE {
            return None;
        }
        let r = Rd(info);
        let l = Length {
            min: r.u16(0)?,
            max: r.u16(2)?,
            invert: r.u8(4)?,
        };
        (l.to_info(cx) == info).then_some(l)
    }

    fn save(&self, _: &Ctx<'_>, out: &mut String) {
        let inv = if self.invert != 0 { " !" } else { "" };
        let _ = write!(out, "{inv} --length {}", self.range());
    }

    fn print(&self, _: &Ctx<'_>, _: bool, out: &mut String) {
        let inv = if self.invert != 0 { "!" } else { "" };
        let _ = write!(out, " length {inv}{}", self.range());
    }

    fn xlate(&self, x: &mut Xlate, cx: &XlCtx) -> bool {
        let _ = cx;
        let op = if self.invert != 0 { "!= " } else { "" };
        x.add(&format!("meta length {op}"));
        if self.min == self.max {
            x.add(&self.min.to_string());
        } else {
            x.add(&format!("{}-{}", self.min, self.max));
        }
        true
    }
}
