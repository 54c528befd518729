//! `-j CLASSIFY` (revision 0, `struct xt_classify_target_info`, 8 bytes):
//! set `skb->priority` to a tc class `MAJOR:MINOR` (hexadecimal).

use crate::iptables::error::{IptError, Result};
use crate::iptables::ext::{decode_exact, Ctx, OptCall, OptDef, XtExt, F_MAND};
use crate::iptables::num::c_strtoul;
use crate::iptables::xlate::{XlCtx, Xlate};
use crate::iptables::xtbuf::Blob;
use std::fmt::Write as _;

/// `struct xt_classify_target_info`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Classify {
    /// `TC_H_MAKE(major << 16, minor)`.
    pub priority: u32,
}

const OPTS: &[OptDef] = &[OptDef::arg("set-class", 0, F_MAND)];

/// `sscanf(s, "%x:%x")`: two hexadecimal numbers around a colon (each
/// `%x` skips leading blanks and takes a sign and `0x`).
fn scan_class(s: &str) -> Option<(u32, u32)> {
    let hex = |t: &str| -> Option<(u32, usize)> {
        let skip = t.len() - t.trim_start().len();
        let (v, n) = c_strtoul(&t[skip..], 16);
        (n > 0).then_some((v as u32, skip + n))
    };
    let (major, n) = hex(s)?;
    let rest = s[n..].strip_prefix(':')?;
    let (minor, _) = hex(rest)?;
    Some((major, minor))
}

impl XtExt for Classify {
    const NAME: &'static str = "CLASSIFY";
    const REVISION: u32 = 0;
    const SIZE: usize = 8;
    const OPTIONS: &'static [OptDef] = OPTS;

    fn init(_: &Ctx<'_>) -> Self {
        Classify::default()
    }
    fn parse(&mut self, c: &mut OptCall<'_>, _: &Ctx<'_>) -> Result<()> {
        let (major, minor) = scan_class(c.arg())
            .ok_or_else(|| IptError::param(format!("Bad class value \"{}\"", c.arg())))?;
        self.priority = (major << 16) | (minor & 0xffff);
        Ok(())
    }
    fn to_info(&self, _: &Ctx<'_>) -> Vec<u8> {
        let mut b = Blob::new(Self::SIZE);
        b.u32(0, self.priority);
        b.into_vec()
    }
    fn from_info(info: &[u8], rev: u32, cx: &Ctx<'_>) -> Option<Self> {
        decode_exact(info, rev, cx, |r| {
            Some(Classify {
                priority: r.u32(0)?,
            })
        })
    }
    fn save(&self, _: &Ctx<'_>, out: &mut String) {
        let (maj, min) = (self.priority >> 16, self.priority & 0xffff);
        let _ = write!(out, " --set-class {maj:04x}:{min:04x}");
    }
    fn print(&self, _: &Ctx<'_>, _: bool, out: &mut String) {
        let (maj, min) = (self.priority >> 16, self.priority & 0xffff);
        let _ = write!(out, " CLASSIFY set {maj:x}:{min:x}");
    }

    fn xlate(&self, x: &mut Xlate, cx: &XlCtx) -> bool {
        let _ = cx;
        crate::iptables::xlate::classify(x, self.priority);
        true
    }
}
