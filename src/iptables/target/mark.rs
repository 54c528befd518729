//! `-j MARK`: revision 2 (`struct xt_mark_tginfo2`, 8 bytes) and, where
//! the kernel lacks it, 1 (IPv4 only, `xt_mark_target_info_v1`: an
//! `unsigned long` mark and a mode, 16 bytes) and 0 (`xt_mark_target_info`,
//! an `unsigned long`, 8 bytes). The older ones know only `--set-mark`,
//! `--and-mark` and `--or-mark` with a plain value, revision 0 only the
//! first ("kernel too old" for the others), as libxtables.

use crate::iptables::error::{IptError, Result};
use crate::iptables::ext::{Ctx, OptCall, OptDef, XtExt};
use crate::iptables::family::Family;
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
    /// Revisions 0 and 1: the `unsigned long` mark.
    pub long_mark: u64,
    /// Revision 1: `XT_MARK_SET` 0, `XT_MARK_AND` 1, `XT_MARK_OR` 2.
    pub mode: u8,
    /// The revision written (0 to 2).
    pub rev: u32,
}

/// `--set-mark`, `--and-mark`, `--or-mark` of revisions 0 and 1 (plain
/// values; same ids as in revision 2's table).
const OLD_OPTS: &[OptDef] = &[
    OptDef::arg("set-mark", 1, 0).excl(ANY),
    OptDef::arg("and-mark", 2, 0).excl(ANY),
    OptDef::arg("or-mark", 3, 0).excl(ANY),
];

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
        MarkTarget {
            rev: 2,
            ..MarkTarget::default()
        }
    }
    fn revisions(f: Family) -> &'static [u32] {
        match f {
            Family::V4 => &[2, 1, 0],
            _ => &[2, 0],
        }
    }
    crate::revision_in_field!();
    fn options_now(&self) -> &'static [OptDef] {
        if self.rev < 2 {
            OLD_OPTS
        } else {
            OPTS
        }
    }

    fn parse(&mut self, c: &mut OptCall<'_>, _: &Ctx<'_>) -> Result<()> {
        let arg = c.arg().to_string();
        if self.rev < 2 {
            let v = parse_uint("MARK", c.def.name, &arg, 0, u32::MAX as u64)?;
            if self.rev == 0 && c.def.id != 1 {
                return Err(IptError::param(format!(
                    "MARK target: kernel too old for --{}",
                    c.def.name
                )));
            }
            self.long_mark = v;
            self.mode = c.def.id - 1;
            return Ok(());
        }
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
        if seen == 0 && self.rev < 2 {
            return Err(IptError::param(
                "MARK target: Parameter --set/and/or-mark is required",
            ));
        }
        if seen == 0 {
            return Err(IptError::param(
                "MARK: One of the --set-xmark, --{and,or,xor,set}-mark options is required",
            ));
        }
        Ok(())
    }

    fn to_info(&self, _: &Ctx<'_>) -> Vec<u8> {
        match self.rev {
            0 => {
                let mut b = Blob::new(8);
                b.u64(0, self.long_mark);
                b.into_vec()
            }
            1 => {
                let mut b = Blob::new(16);
                b.u64(0, self.long_mark).u8(8, self.mode);
                b.into_vec()
            }
            _ => {
                let mut b = Blob::new(Self::SIZE);
                b.u32(0, self.mark).u32(4, self.mask);
                b.into_vec()
            }
        }
    }

    fn from_info(info: &[u8], rev: u32, cx: &Ctx<'_>) -> Option<Self> {
        let r = Rd(info);
        let t = match (rev, info.len()) {
            (0, 8) => MarkTarget {
                long_mark: r.u64(0)?,
                rev,
                ..MarkTarget::default()
            },
            (1, 16) if cx.family == Family::V4 => MarkTarget {
                long_mark: r.u64(0)?,
                mode: r.u8(8)?,
                rev,
                ..MarkTarget::default()
            },
            (2, 8) => MarkTarget {
                mark: r.u32(0)?,
                mask: r.u32(4)?,
                rev,
                ..MarkTarget::default()
            },
            _ => return None,
        };
        (t.to_info(cx) == info).then_some(t)
    }

    fn save(&self, _: &Ctx<'_>, out: &mut String) {
        if self.rev < 2 {
            out.push_str(match (self.rev, self.mode) {
                (0, _) | (_, 0) => " --set-mark",
                (_, 1) => " --and-mark",
                (_, 2) => " --or-mark",
                _ => "",
            });
            let _ = write!(out, " 0x{:x}", self.long_mark);
            return;
        }
        let _ = write!(out, " --set-xmark 0x{:x}/0x{:x}", self.mark, self.mask);
    }

    fn print(&self, _: &Ctx<'_>, _: bool, out: &mut String) {
        if self.rev < 2 {
            out.push_str(match (self.rev, self.mode) {
                (0, _) | (_, 0) => " MARK set",
                (_, 1) => " MARK and",
                (_, 2) => " MARK or",
                _ => "",
            });
            let _ = write!(out, " 0x{:x}", self.long_mark);
            return;
        }
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
