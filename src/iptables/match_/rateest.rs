//! `-m rateest` (revision 0, `struct xt_rateest_match_info`, 72 bytes; the
//! kernel's two estimator pointers after the first 56 are not compared):
//! compares the rate of a `-j RATEEST` estimator with a given rate, or two
//! estimators with each other, optionally as differences.

use crate::iptables::error::{IptError, Result};
use crate::iptables::ext::{decode_exact, Ctx, OptCall, OptDef, XtExt};
use crate::iptables::num::{c_double_to_uint, strtod_prefix, strtoui};
use crate::iptables::xtbuf::Blob;
use std::fmt::Write as _;

/// `IFNAMSIZ`.
const NAME_LEN: usize = 16;
/// `XT_RATEEST_MATCH_*` flags.
const F_INVERT: u16 = 1 << 0;
const F_ABS: u16 = 1 << 1;
const F_REL: u16 = 1 << 2;
const F_DELTA: u16 = 1 << 3;
const F_BPS: u16 = 1 << 4;
const F_PPS: u16 = 1 << 5;
/// `XT_RATEEST_MATCH_EQ/LT/GT`.
const MODE_EQ: u16 = 1;
const MODE_LT: u16 = 2;
const MODE_GT: u16 = 3;

/// Option ids (also the bits of the "given" word checked for repeats).
const O_NAME1: u8 = 0;
const O_NAME2: u8 = 1;
const O_BPS1: u8 = 2;
const O_PPS1: u8 = 3;
const O_BPS2: u8 = 4;
const O_PPS2: u8 = 5;
const O_DELTA: u8 = 6;
const O_LT: u8 = 7;
const O_GT: u8 = 8;
const O_EQ: u8 = 9;

/// Rate units (iproute2's), in bits per second per unit.
const RATE_UNITS: &[(&str, f64)] = &[
    ("bit", 1.),
    ("Kibit", 1024.),
    ("kbit", 1000.),
    ("Mibit", 1024. * 1024.),
    ("mbit", 1_000_000.),
    ("Gibit", 1024. * 1024. * 1024.),
    ("gbit", 1_000_000_000.),
    ("Tibit", 1024. * 1024. * 1024. * 1024.),
    ("tbit", 1_000_000_000_000.),
    ("Bps", 8.),
    ("KiBps", 8. * 1024.),
    ("KBps", 8000.),
    ("MiBps", 8. * 1024. * 1024.),
    ("MBps", 8_000_000.),
    ("GiBps", 8. * 1024. * 1024. * 1024.),
    ("GBps", 8_000_000_000.),
    ("TiBps", 8. * 1024. * 1024. * 1024. * 1024.),
    ("TBps", 8_000_000_000_000.),
];

/// `struct xt_rateest_match_info` (rates in bytes or packets per second).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RateestMatch {
    /// First estimator.
    pub name1: String,
    /// Second estimator (relative mode).
    pub name2: String,
    /// `XT_RATEEST_MATCH_*` flags.
    pub flags: u16,
    /// Comparison (`XT_RATEEST_MATCH_EQ/LT/GT`).
    pub mode: u16,
    /// Bytes per second, first side.
    pub bps1: u32,
    /// Packets per second, first side.
    pub pps1: u32,
    /// Bytes per second, second side.
    pub bps2: u32,
    /// Packets per second, second side.
    pub pps2: u32,
}

/// The ten options, with the three short forms of absolute mode.
const OPTS: &[OptDef] = &[
    OptDef::arg("rateest1", O_NAME1, 0),
    OptDef::arg("rateest", O_NAME1, 0),
    OptDef::arg("rateest2", O_NAME2, 0),
    OptDef::flag("rateest-bps1", O_BPS1, 0),
    OptDef::flag("rateest-pps1", O_PPS1, 0),
    OptDef::flag("rateest-bps2", O_BPS2, 0),
    OptDef::flag("rateest-pps2", O_PPS2, 0),
    OptDef::flag("rateest-bps", O_BPS2, 0),
    OptDef::flag("rateest-pps", O_PPS2, 0),
    OptDef::flag("rateest-delta", O_DELTA, 0),
    OptDef::flag("rateest-lt", O_LT, 0),
    OptDef::flag("rateest-gt", O_GT, 0),
    OptDef::flag("rateest-eq", O_EQ, 0),
];

/// A rate with an optional unit (bytes per second without one).
fn parse_rate(s: &str) -> Option<u32> {
    let (v, unit) = strtod_prefix(s)?;
    if unit.is_empty() {
        return Some(c_double_to_uint(v / 8.));
    }
    let (_, scale) = RATE_UNITS
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(unit))?;
    Some(c_double_to_uint(v * scale / 8.))
}

/// A rate as 1.8.11 prints it: bytes when numeric, else bits with a unit.
fn rate_text(rate: u32, numeric: bool, out: &mut String) {
    let bits = rate as f64 * 8.;
    if numeric {
        let _ = write!(out, " {rate}");
    } else if bits >= 1e9 {
        let _ = write!(out, " {:.0}Mbit", bits / 1e6);
    } else if bits >= 1e6 {
        let _ = write!(out, " {:.0}Kbit", bits / 1e3);
    } else {
        let _ = write!(out, " {bits:.0}bit");
    }
}

impl RateestMatch {
    fn mode_text(&self, prefix: &str, out: &mut String) {
        if self.flags & F_INVERT != 0 {
            out.push_str(" !");
        }
        let m = match self.mode {
            MODE_EQ => "eq",
            MODE_LT => "lt",
            MODE_GT => "gt",
            _ => return,
        };
        let _ = write!(out, " {prefix}{m}");
    }

    fn save_rate(&self, unit: &str, r1: u32, r2: u32, numeric: bool, out: &mut String) {
        if self.flags & F_DELTA != 0 {
            let _ = write!(out, " --rateest-{unit}1");
            rate_text(r1, numeric, out);
            self.mode_text("--rateest-", out);
            let _ = write!(out, " --rateest-{unit}2");
        } else {
            self.mode_text("--rateest-", out);
            let _ = write!(out, " --rateest-{unit}");
        }
        if self.flags & (F_ABS | F_DELTA) != 0 {
            rate_text(r2, numeric, out);
        }
    }

    fn save_rates(&self, out: &mut String) {
        if self.flags & F_BPS != 0 {
            self.save_rate("bps", self.bps1, self.bps2, false, out);
        }
        if self.flags & F_PPS != 0 {
            self.save_rate("pps", self.pps1, self.pps2, true, out);
        }
    }

    /// `--rateest-bps1/2`, `--rateest-pps1/2`: the flag, then the rate if
    /// the next word is not an option (it is optional in relative mode).
    fn parse_rate_opt(&mut self, c: &mut OptCall<'_>, id: u8) -> Result<()> {
        let bps = matches!(id, O_BPS1 | O_BPS2);
        let what = if bps { "bps" } else { "pps" };
        if c.invert {
            return Err(IptError::param(format!(
                "rateest: rateest-{what} can't be inverted"
            )));
        }
        if c.seen(id) {
            let n = if matches!(id, O_BPS1 | O_PPS1) { 1 } else { 2 };
            return Err(IptError::param(format!(
                "rateest: can't specify --rateest-{what}{n} twice"
            )));
        }
        self.flags |= if bps { F_BPS } else { F_PPS };
        if !c.argv.has_arg() {
            return Ok(());
        }
        let word = c.argv.take().unwrap_or_default();
        let v = if bps {
            parse_rate(&word)
                .ok_or_else(|| IptError::param(format!("rateest: could not parse rate `{word}'")))?
        } else {
            strtoui(&word, 0, u32::MAX as u64)
                .ok_or_else(|| IptError::param(format!("rateest: could not parse pps `{word}'")))?
                as u32
        };
        match id {
            O_BPS1 => self.bps1 = v,
            O_PPS1 => self.pps1 = v,
            O_BPS2 => self.bps2 = v,
            _ => self.pps2 = v,
        }
        Ok(())
    }
}

impl XtExt for RateestMatch {
    const NAME: &'static str = "rateest";
    const REVISION: u32 = 0;
    const SIZE: usize = 72;
    const USERSPACE: usize = 56;
    const X6: bool = false;
    const OPTIONS: &'static [OptDef] = OPTS;

    fn init(_: &Ctx<'_>) -> Self {
        RateestMatch::default()
    }

    fn parse(&mut self, c: &mut OptCall<'_>, _: &Ctx<'_>) -> Result<()> {
        let id = c.def.id;
        match id {
            O_NAME1 | O_NAME2 => {
                if c.invert {
                    return Err(IptError::param("rateest: rateest can't be inverted"));
                }
                let n = id + 1;
                if c.seen(id) {
                    return Err(IptError::param(format!(
                        "rateest: can't specify --rateest{n} twice"
                    )));
                }
                let b = c.arg().as_bytes();
                let name = String::from_utf8_lossy(&b[..b.len().min(NAME_LEN - 1)]).into_owned();
                if id == O_NAME1 {
                    self.name1 = name;
                } else {
                    self.name2 = name;
                    self.flags |= F_REL;
                }
            }
            O_BPS1 | O_PPS1 | O_BPS2 | O_PPS2 => self.parse_rate_opt(c, id)?,
            O_DELTA => {
                if c.invert {
                    return Err(IptError::param("rateest: rateest-delta can't be inverted"));
                }
                if c.seen(id) {
                    return Err(IptError::param(
                        "rateest: can't specify --rateest-delta twice",
                    ));
                }
                self.flags |= F_DELTA;
            }
            _ => {
                if c.seen(id) {
                    return Err(IptError::param("rateest: can't specify lt/gt/eq twice"));
                }
                self.mode = match id {
                    O_LT => MODE_LT,
                    O_GT => MODE_GT,
                    _ => MODE_EQ,
                };
                if c.invert {
                    self.flags |= F_INVERT;
                }
            }
        }
        Ok(())
    }

    fn check(&mut self, _: u32, _: &Ctx<'_>) -> Result<()> {
        if self.flags & F_REL == 0 {
            self.flags |= F_ABS;
        }
        Ok(())
    }

    fn to_info(&self, _: &Ctx<'_>) -> Vec<u8> {
        let mut b = Blob::new(Self::SIZE);
        b.str(0, NAME_LEN, &self.name1)
            .str(16, NAME_LEN, &self.name2)
            .u16(32, self.flags)
            .u16(34, self.mode)
            .u32(36, self.bps1)
            .u32(40, self.pps1)
            .u32(44, self.bps2)
            .u32(48, self.pps2);
        b.into_vec()
    }

    fn from_info(info: &[u8], rev: u32, cx: &Ctx<'_>) -> Option<Self> {
        decode_exact(info, rev, cx, |r| {
            Some(RateestMatch {
                name1: r.str(0, NAME_LEN)?,
                name2: r.str(16, NAME_LEN)?,
                flags: r.u16(32)?,
                mode: r.u16(34)?,
                bps1: r.u32(36)?,
                pps1: r.u32(40)?,
                bps2: r.u32(44)?,
                pps2: r.u32(48)?,
            })
        })
    }

    fn save(&self, _: &Ctx<'_>, out: &mut String) {
        if self.flags & F_DELTA != 0 {
            out.push_str(" --rateest-delta");
        }
        if self.flags & F_REL != 0 {
            let _ = write!(out, " --rateest1 {}", self.name1);
            self.save_rates(out);
            let _ = write!(out, " --rateest2 {}", self.name2);
        } else {
            let _ = write!(out, " --rateest {}", self.name1);
            self.save_rates(out);
        }
    }

    fn print(&self, _: &Ctx<'_>, numeric: bool, out: &mut String) {
        let delta = self.flags & F_DELTA != 0;
        let abs = self.flags & F_ABS != 0;
        let _ = write!(out, " rateest match {}", self.name1);
        if delta {
            out.push_str(" delta");
        }
        if self.flags & F_BPS != 0 {
            out.push_str(" bps");
            if delta {
                rate_text(self.bps1, numeric, out);
            }
            if abs {
                rate_text(self.bps2, numeric, out);
                self.mode_text("", out);
            }
        }
        if self.flags & F_PPS != 0 {
            out.push_str(" pps");
            if delta {
                let _ = write!(out, " {}", self.pps1);
            }
            if abs {
                self.mode_text("", out);
                let _ = write!(out, " {}", self.pps2);
            }
        }
        if self.flags & F_REL != 0 {
            self.mode_text("", out);
            let _ = write!(out, " {}", self.name2);
            if self.flags & F_BPS != 0 {
                out.push_str(" bps");
                if delta {
                    rate_text(self.bps2, numeric, out);
                }
            }
            if self.flags & F_PPS != 0 {
                out.push_str(" pps");
                if delta {
                    let _ = write!(out, " {}", self.pps2);
                }
            }
        }
    }
}
