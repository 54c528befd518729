//! `-m tcpmss` (revision 0, `struct xt_tcpmss_match_info`, 8 bytes): the
//! MSS option of TCP SYN packets.

use super::conntrack::parse_u32rc_max;
use crate::iptables::error::{IptError, Result};
use crate::iptables::ext::{decode_exact, Ctx, OptCall, OptDef, XtExt, F_INVERT, F_MAND};
use crate::iptables::xlate::{XlCtx, Xlate};
use crate::iptables::xtbuf::Blob;
use std::fmt::Write as _;

/// `struct xt_tcpmss_match_info`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TcpmssMatch {
    /// Minimum.
    pub mss_min: u16,
    /// Maximum.
    pub mss_max: u16,
    /// `!`.
    pub invert: u8,
}

const OPTS: &[OptDef] = &[OptDef::arg("mss", 0, F_MAND | F_INVERT)];

impl TcpmssMatch {
    fn range(&self, out: &mut String) {
        let _ = write!(out, "{}", self.mss_min);
        if self.mss_min != self.mss_max {
            let _ = write!(out, ":{}", self.mss_max);
        }
    }
}

impl XtExt for TcpmssMatch {
    const NAME: &'static str = "tcpmss";
    const REVISION: u32 = 0;
    const SIZE: usize = 8;
    const OPTIONS: &'static [OptDef] = OPTS;

    fn init(_: &Ctx<'_>) -> Self {
        TcpmssMatch::default()
    }
    fn parse(&mut self, c: &mut OptCall<'_>, _: &Ctx<'_>) -> Result<()> {
        let (lo, hi, n) = parse_u32rc_max("tcpmss", c.def.name, c.arg(), 65535)?;
        self.mss_min = lo as u16;
        self.mss_max = if n == 2 { hi as u16 } else { lo as u16 };
        if self.mss_max < self.mss_min {
            return Err(IptError::param("tcpmss: invalid range given"));
        }
        if c.invert {
            self.invert = 1;
        }
        Ok(())
    }
    fn to_info(&self, _: &Ctx<'_>) -> Vec<u8> {
        let mut b = Blob::new(Self::SIZE);
        b.u16(0, self.mss_min)
            .u16(2, self.mss_max)
            .u8(4, self.invert);
        b.into_vec()
    }
    fn from_info(info: &[u8], rev: u32, cx: &Ctx<'_>) -> Option<Self> {
        decode_exact(info, rev, cx, |r| {
            Some(TcpmssMatch {
                mss_min: r.u16(0)?,
                mss_max: r.u16(2)?,
                invert: r.u8(4)?,
            })
        })
    }
    fn save(&self, _: &Ctx<'_>, out: &mut String) {
        let bang = if self.invert != 0 { " !" } else { "" };
        let _ = write!(out, "{bang} --mss ");
        self.range(out);
    }
    fn print(&self, _: &Ctx<'_>, _: bool, out: &mut String) {
        let bang = if self.invert != 0 { "!" } else { "" };
        let _ = write!(out, " tcpmss match {bang}");
        self.range(out);
    }

    fn xlate(&self, x: &mut Xlate, cx: &XlCtx) -> bool {
        let _ = cx;
        let op = if self.invert != 0 { "!= " } else { "" };
        x.add(&format!("tcp option maxseg size {op}"));
        if self.mss_min == self.mss_max {
            x.add(&self.mss_min.to_string());
        } else {
            x.add(&format!("{}-{}", self.mss_min, self.mss_max));
        }
        true
    }
}
