//! `-j CONNMARK` (revision 2, `struct xt_connmark_tginfo2`, 16 bytes) and,
//! where the kernel lacks it, revision 1 (`xt_connmark_tginfo1`: no shift
//! options, the mode right after the masks), as libxtables.

use crate::iptables::error::{IptError, Result};
use crate::iptables::ext::{Ctx, OptCall, OptDef, XtExt};
use crate::iptables::family::Family;
use crate::iptables::text::{parse_uint, parse_val_mask};
use crate::iptables::xlate::{XlCtx, Xlate};
use crate::iptables::xtbuf::{Blob, Rd};
use std::fmt::Write as _;

/// `XT_CONNMARK_SET`.
pub const SET: u8 = 0;
/// `XT_CONNMARK_SAVE`.
pub const SAVE: u8 = 1;
/// `XT_CONNMARK_RESTORE`.
pub const RESTORE: u8 = 2;

/// `struct xt_connmark_tginfo2`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConnmarkTarget {
    /// ctmark value.
    pub ctmark: u32,
    /// ctmark mask.
    pub ctmask: u32,
    /// nfmark mask.
    pub nfmask: u32,
    /// 0 left, 1 right.
    pub shift_dir: u8,
    /// Shift.
    pub shift_bits: u8,
    /// `XT_CONNMARK_*`.
    pub mode: u8,
    /// The revision written (1 or 2).
    pub rev: u32,
}

impl Default for ConnmarkTarget {
    fn default() -> Self {
        ConnmarkTarget {
            ctmark: 0,
            ctmask: u32::MAX,
            nfmask: u32::MAX,
            shift_dir: 0,
            shift_bits: 0,
            mode: 0,
            rev: 2,
        }
    }
}

const O_SET_MARK: u8 = 0;
const O_SAVE_MARK: u8 = 1;
const O_RESTORE_MARK: u8 = 2;
const O_AND_MARK: u8 = 3;
const O_OR_MARK: u8 = 4;
const O_XOR_MARK: u8 = 5;
const O_LEFT: u8 = 6;
const O_RIGHT: u8 = 7;
const O_SET_XMARK: u8 = 8;
const O_CTMASK: u8 = 9;
const O_NFMASK: u8 = 10;
const O_MASK: u8 = 11;
const F_OP_ANY: u32 = 0b1_0011_1111;
const F_MASK: u32 = 1 << O_MASK;

const OPTS: &[OptDef] = &[
    OptDef::arg("set-xmark", O_SET_XMARK, 0).excl(F_OP_ANY),
    OptDef::arg("set-mark", O_SET_MARK, 0).excl(F_OP_ANY),
    OptDef::arg("and-mark", O_AND_MARK, 0).excl(F_OP_ANY),
    OptDef::arg("or-mark", O_OR_MARK, 0).excl(F_OP_ANY),
    OptDef::arg("xor-mark", O_XOR_MARK, 0).excl(F_OP_ANY),
    OptDef::flag("save-mark", O_SAVE_MARK, 0).excl(F_OP_ANY),
    OptDef::flag("restore-mark", O_RESTORE_MARK, 0).excl(F_OP_ANY),
    OptDef::arg("left-shift-mark", O_LEFT, 0),
    OptDef::arg("right-shift-mark", O_RIGHT, 0),
    OptDef::arg("ctmask", O_CTMASK, 0).excl(F_MASK),
    OptDef::arg("nfmask", O_NFMASK, 0).excl(F_MASK),
    OptDef::arg("mask", O_MASK, 0).excl((1 << O_CTMASK) | (1 << O_NFMASK)),
];

/// Revision 1's options: no shifts.
const OPTS_V1: &[OptDef] = &[
    OptDef::arg("set-xmark", O_SET_XMARK, 0).excl(F_OP_ANY),
    OptDef::arg("set-mark", O_SET_MARK, 0).excl(F_OP_ANY),
    OptDef::arg("and-mark", O_AND_MARK, 0).excl(F_OP_ANY),
    OptDef::arg("or-mark", O_OR_MARK, 0).excl(F_OP_ANY),
    OptDef::arg("xor-mark", O_XOR_MARK, 0).excl(F_OP_ANY),
    OptDef::flag("save-mark", O_SAVE_MARK, 0).excl(F_OP_ANY),
    OptDef::flag("restore-mark", O_RESTORE_MARK, 0).excl(F_OP_ANY),
    OptDef::arg("ctmask", O_CTMASK, 0).excl(F_MASK),
    OptDef::arg("nfmask", O_NFMASK, 0).excl(F_MASK),
    OptDef::arg("mask", O_MASK, 0).excl((1 << O_CTMASK) | (1 << O_NFMASK)),
];

const SHIFT: [&str; 2] = ["left-shift-mark", "right-shift-mark"];

impl XtExt for ConnmarkTarget {
    const NAME: &'static str = "CONNMARK";
    const REVISION: u32 = 2;
    const SIZE: usize = 16;
    const OPTIONS: &'static [OptDef] = OPTS;

    fn init(_: &Ctx<'_>) -> Self {
        ConnmarkTarget::default()
    }
    fn revisions(_: Family) -> &'static [u32] {
        &[2, 1]
    }
    crate::revision_in_field!();
    fn options_now(&self) -> &'static [OptDef] {
        if self.rev == 1 {
            OPTS_V1
        } else {
            OPTS
        }
    }
    fn parse(&mut self, c: &mut OptCall<'_>, _: &Ctx<'_>) -> Result<()> {
        let a = c.arg().to_string();
        let n = c.def.name;
        let u32v = |a: &str| parse_uint("CONNMARK", n, a, 0, u32::MAX as u64).map(|v| v as u32);
        match c.def.id {
            O_SET_XMARK => {
                (self.ctmark, self.ctmask) = parse_val_mask("CONNMARK", n, &a)?;
                self.mode = SET;
            }
            O_SET_MARK => {
                let (v, m) = parse_val_mask("CONNMARK", n, &a)?;
                self.mode = SET;
                self.ctmark = v;
                self.ctmask = v | m;
            }
            O_AND_MARK => {
                let v = u32v(&a)?;
                self.mode = SET;
                self.ctmark = 0;
                self.ctmask = !v;
            }
            O_OR_MARK => {
                let v = u32v(&a)?;
                self.mode = SET;
                self.ctmark = v;
                self.ctmask = v;
            }
            O_XOR_MARK => {
                let v = u32v(&a)?;
                self.mode = SET;
                self.ctmark = v;
                self.ctmask = 0;
            }
            O_SAVE_MARK => self.mode = SAVE,
            O_RESTORE_MARK => self.mode = RESTORE,
            O_MASK => {
                let v = u32v(&a)?;
                self.nfmask = v;
                self.ctmask = v;
            }
            O_CTMASK => self.ctmask = u32v(&a)?,
            O_NFMASK => self.nfmask = u32v(&a)?,
            O_LEFT | O_RIGHT => {
                self.shift_dir = if c.def.id == O_LEFT { 0 } else { 1 };
                self.shift_bits = parse_uint("CONNMARK", n, &a, 0, 32)? as u8;
            }
            _ => {}
        }
        Ok(())
    }
    fn check(&mut self, seen: u32, _: &Ctx<'_>) -> Result<()> {
        if seen & F_OP_ANY == 0 {
            return Err(IptError::param("CONNMARK target: No operation specified"));
        }
        Ok(())
    }
    fn to_info(&self, _: &Ctx<'_>) -> Vec<u8> {
        let mut b = Blob::new(Self::SIZE);
        if self.rev == 1 {
            b.u32(0, self.ctmark)
                .u32(4, self.ctmask)
                .u32(8, self.nfmask)
                .u8(12, self.mode);
            return b.into_vec();
        }
        b.u32(0, self.ctmark)
            .u32(4, self.ctmask)
            .u32(8, self.nfmask)
            .u8(12, self.shift_dir)
            .u8(13, self.shift_bits)
            .u8(14, self.mode);
        b.into_vec()
    }
    fn from_info(info: &[u8], rev: u32, cx: &Ctx<'_>) -> Option<Self> {
        if !(1..=2).contains(&rev) || info.len() != Self::SIZE {
            return None;
        }
        let r = Rd(info);
        let t = if rev == 1 {
            ConnmarkTarget {
                ctmark: r.u32(0)?,
                ctmask: r.u32(4)?,
                nfmask: r.u32(8)?,
                shift_dir: 0,
                shift_bits: 0,
                mode: r.u8(12)?,
                rev,
            }
        } else {
            ConnmarkTarget {
                ctmark: r.u32(0)?,
                ctmask: r.u32(4)?,
                nfmask: r.u32(8)?,
                shift_dir: r.u8(12)?,
                shift_bits: r.u8(13)?,
                mode: r.u8(14)?,
                rev,
            }
        };
        (t.to_info(cx) == info && t.shift_dir <= 1).then_some(t)
    }
    fn save(&self, _: &Ctx<'_>, out: &mut String) {
        match self.mode {
            SET => {
                let _ = write!(out, " --set-xmark 0x{:x}/0x{:x}", self.ctmark, self.ctmask);
            }
            SAVE => {
                let _ = write!(
                    out,
                    " --save-mark --nfmask 0x{:x} --ctmask 0x{:x}",
                    self.nfmask, self.ctmask
                );
            }
            RESTORE => {
                let _ = write!(
                    out,
                    " --restore-mark --nfmask 0x{:x} --ctmask 0x{:x}",
                    self.nfmask, self.ctmask
                );
            }
            _ => out.push_str(" ERROR: UNKNOWN CONNMARK MODE"),
        }
        if self.mode <= RESTORE && self.shift_bits != 0 {
            let _ = write!(
                out,
                " --{} {}",
                SHIFT[self.shift_dir as usize & 1],
                self.shift_bits
            );
        }
    }
    fn print(&self, _: &Ctx<'_>, _: bool, out: &mut String) {
        match self.mode {
            SET => {
                if self.ctmark == 0 {
                    let _ = write!(out, " CONNMARK and 0x{:x}", !self.ctmask);
                } else if self.ctmark == self.ctmask {
                    let _ = write!(out, " CONNMARK or 0x{:x}", self.ctmark);
                } else if self.ctmask == 0 {
                    let _ = write!(out, " CONNMARK xor 0x{:x}", self.ctmark);
                } else if self.ctmask == u32::MAX {
                    let _ = write!(out, " CONNMARK set 0x{:x}", self.ctmark);
                } else {
                    let _ = write!(
                        out,
                        " CONNMARK xset 0x{:x}/0x{:x}",
                        self.ctmark, self.ctmask
                    );
                }
            }
            SAVE => {
                if self.nfmask == u32::MAX && self.ctmask == u32::MAX {
                    out.push_str(" CONNMARK save");
                } else if self.nfmask == self.ctmask {
                    let _ = write!(out, " CONNMARK save mask 0x{:x}", self.nfmask);
                } else {
                    let _ = write!(
                        out,
                        " CONNMARK save nfmask 0x{:x} ctmask ~0x{:x}",
                        self.nfmask, self.ctmask
                    );
                }
            }
            RESTORE => {
                if self.ctmask == u32::MAX && self.nfmask == u32::MAX {
                    out.push_str(" CONNMARK restore");
                } else if self.ctmask == self.nfmask {
                    let _ = write!(out, " CONNMARK restore mask 0x{:x}", self.ctmask);
                } else {
                    let _ = write!(
                        out,
                        " CONNMARK restore ctmask 0x{:x} nfmask ~0x{:x}",
                        self.ctmask, self.nfmask
                    );
                }
            }
            _ => out.push_str(" ERROR: UNKNOWN CONNMARK MODE"),
        }
        if self.mode <= RESTORE && self.shift_bits != 0 {
            let _ = write!(
                out,
                " {} {}",
                SHIFT[self.shift_dir as usize & 1],
                self.shift_bits
            );
        }
    }

    fn xlate(&self, x: &mut Xlate, cx: &XlCtx) -> bool {
        let _ = cx;
        let braces = if self.shift_bits != 0 { "( " } else { "" };
        let (ctmark, ctmask, nfmask) = (self.ctmark, self.ctmask, self.nfmask);
        match self.mode {
            0 => {
                x.add(&format!("ct mark set {braces}"));
                if ctmask == 0xffff_ffff {
                    x.add(&format!("0x{ctmark:x} "));
                } else if ctmark == 0 {
                    x.add(&format!("ct mark and 0x{:x}", !ctmask));
                } else if ctmark == ctmask {
                    x.add(&format!("ct mark or 0x{ctmark:x}"));
                } else if ctmask == 0 {
                    x.add(&format!("ct mark xor 0x{ctmark:x}"));
                } else {
                    x.add(&format!("ct mark xor 0x{ctmark:x} and 0x{:x}", !ctmask));
                }
            }
            1 | 2 => {
                if self.mode == 1 {
                    x.add(&format!("ct mark set {braces}mark"));
                } else {
                    x.add(&format!("meta mark set {braces}ct mark"));
                }
                if !(nfmask == u32::MAX && ctmask == u32::MAX) {
                    if nfmask == ctmask {
                        x.add(&format!(" and 0x{nfmask:x}"));
                    } else {
                        return false;
                    }
                }
            }
            _ => {}
        }
        if self.mode <= 2 && self.shift_bits != 0 {
            let dir = if self.shift_dir != 0 { ">>" } else { "<<" };
            x.add(&format!(" ) {dir} {}", self.shift_bits));
        }
        true
    }
}
