//! `-j MARK` (revision 2, `struct xt_mark_tginfo2`, 8 bytes).

use crate::iptables::error::{IptError, Result};
use crate::iptables::ext::{Ctx, OptCall, OptDef, XtExt};
use crate::iptables::text::{parse_uint, parse_val_mask};
use crate::iptables::xlate::{XlCtx, Xlate};
use crate::iptables::xtbuf::{Blob, Rd};
use std::fmt::Write as _;

/// `struct xt_mark_tginfo2`: `mark = (mark & ~mask) ^ value`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MarkTarget {
    /// Value (xor).
    pub mark: u32,
    /// Mask (cleared bits).
    pub mask: u32,
}

const ANY: u32 = 0x1f;
const OPTS: &[OptDef] = &[
    OptDef::arg("set-xmark", 0, 0).excl(ANY),
    OptDef::arg("set-mark", 1, 0).excl(ANY),
    OptDef::arg("and-mark", 2, 0).excl(ANY),
    OptDef::arg("or-mark", 3, 0).excl(ANY),
    OptDef::arg("xor-mark", 4, 0).excl(ANY),
];

impl XtExt for MarkTarget {
    const NAME: &'static str = "MARK";
    const REVISION: u32 = 2;
    const SIZE: usize = 8;
    const OPTIONS: &'static [OptDef] = OPTS;

    fn init(_: &Ctx<'_>) -> Self {
        MarkTarget::default()
    }

    fn parse(&mut self, c: &mut OptCall<'_>, _: &Ctx<'_>) -> Result<()> {
        let arg = c.arg().to_string();
        match c.def.id {
            0 => (self.mark, self.mask) = parse_val_mask("MARK", c.def.name, &arg)?,
            1 => {
                let (v, m) = parse_val_mask("MARK", c.def.name, &arg)?;
                self.mark = v;
                self.mask = v | m;
            }
            id => {
                let v = parse_uint("MARK", c.def.name, &arg, 0, u32::MAX as u64)? as u32;
                match id {
                    2 => {
                        self.mark = 0;
                        self.mask = !v;
                    }
                    3 => {
                        self.mark = v;
                        self.mask = v;
                    }
                    _ => {
                        self.mark = v;
                        self.mask = 0;
                    }
                }
            }
        }
        Ok(())
    }

    fn check(&mut self, seen: u32, _: &Ctx<'_>) -> Result<()> {
        if seen == 0 {
            return Err(IptError::param(
                "MARK: One of the --set-xmark, --{and,or,xor,set}-mark options is required",
            ));
        }
        Ok(())
    }

    fn to_info(&self, _: &Ctx<'_>) -> Vec<u8> {
        let mut b = Blob::new(Self::SIZE);
        b.u32(0, self.mark).u32(4, self.mask);
        b.into_vec()
    }

    fn from_info(info: &[u8], rev: u32, _: &Ctx<'_>) -> Option<Self> {
        if rev != 2 || info.len() != Self::SIZE {
            return None;
        }
        let r = Rd(info);
        Some(MarkTarget {
            mark: r.u32(0)?,
            mask: r.u32(4)?,
        })
    }

    fn save(&self, _: &Ctx<'_>, out: &mut String) {
        let _ = write!(out, " --set-xmark 0x{:x}/0x{:x}", self.mark, self.mask);
    }

    fn print(&self, _: &Ctx<'_>, _: bool, out: &mut String) {
        if self.mark == 0 {
            let _ = write!(out, " MARK and 0x{:x}", !self.mask);
        } else if self.mark == self.mask {
            let _ = write!(out, " MARK or 0x{:x}", self.mark);
        } else if self.mask == 0 {
            let _ = write!(out, " MARK xor 0x{:x}", self.mark);
        } else if self.mask == u32::MAX {
            let _ = write!(out, " MARK set 0x{:x}", self.mark);
        } else {
            let _ = write!(out, " MARK xset 0x{:x}/0x{:x}", self.mark, self.mask);
        }
    }

    fn xlate(&self, x: &mut Xlate, cx: &XlCtx) -> bool {
        let _ = cx;
        x.add("meta mark set ");
        let (mark, mask) = (self.mark, self.mask);
        if mask == 0xffff_ffff {
            x.add(&format!("0x{mark:x} "));
        } else if mark == 0 {
            x.add(&format!("mark and 0x{:x} ", !mask));
        } else if mark == mask {
            x.add(&format!("mark or 0x{mark:x} "));
        } else if mask == 0 {
            x.add(&format!("mark xor 0x{mark:x} "));
        } else {
            x.add(&format!("mark and 0x{:x} xor 0x{mark:x} ", !mask));
        }
        true
    }
}
