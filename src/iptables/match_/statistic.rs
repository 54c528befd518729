//! `-m statistic` (revision 0, `struct xt_statistic_info`, 24 bytes; the
//! first 12 are compared).

use crate::iptables::error::{IptError, Result};
use crate::iptables::ext::{Ctx, OptCall, OptDef, XtExt, F_INVERT, F_MAND};
use crate::iptables::num::strtoui;
use crate::iptables::xlate::{XlCtx, Xlate};
use crate::iptables::xtbuf::{Blob, Rd};
use std::fmt::Write as _;

/// `XT_STATISTIC_MODE_RANDOM`.
pub const MODE_RANDOM: u16 = 0;
/// `XT_STATISTIC_MODE_NTH`.
pub const MODE_NTH: u16 = 1;

/// `struct xt_statistic_info`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Statistic {
    /// Mode.
    pub mode: u16,
    /// `XT_STATISTIC_INVERT` (1).
    pub flags: u16,
    /// `probability` (random) or `every` (nth), same slot.
    pub every: u32,
    /// `packet` (nth).
    pub packet: u32,
    /// `count` (filled by the final check).
    pub count: u32,
}

const F_PROB: u32 = 1 << 1;
const F_EVERY: u32 = 1 << 2;
const F_PACKET: u32 = 1 << 3;

const OPTS: &[OptDef] = &[
    OptDef::arg("mode", 0, F_MAND),
    OptDef::arg("probability", 1, F_INVERT).excl(F_EVERY | F_PACKET),
    OptDef::arg("every", 2, F_INVERT)
        .excl(F_PROB)
        .also(F_PACKET),
    OptDef::arg("packet", 3, 0).excl(F_PROB).also(F_EVERY),
];

fn c_strtod(s: &str) -> Option<f64> {
    let t = s.trim_start();
    if t.is_empty() || t.contains(|c: char| c.is_whitespace()) {
        return None;
    }
    let l = t.to_ascii_lowercase();
    if l.contains("inf") || l.contains("nan") {
        return l.parse::<f64>().ok();
    }
    if let Some(h) = l.strip_prefix("0x") {
        return u64::from_str_radix(h, 16).ok().map(|v| v as f64);
    }
    t.parse::<f64>().ok()
}

impl Statistic {
    fn dump(&self, prefix: &str, out: &mut String) {
        let inv = if self.flags & 1 != 0 { " !" } else { "" };
        match self.mode {
            MODE_RANDOM => {
                let _ = write!(
                    out,
                    " {prefix}mode random{inv} {prefix}probability {:.11}",
                    self.every as f64 / 2147483648.0
                );
            }
            MODE_NTH => {
                let _ = write!(
                    out,
                    " {prefix}mode nth{inv} {prefix}every {}",
                    self.every.wrapping_add(1)
                );
                if self.packet != 0 || !prefix.is_empty() {
                    let _ = write!(out, " {prefix}packet {}", self.packet);
                }
            }
            _ => {}
        }
    }
}

impl XtExt for Statistic {
    const NAME: &'static str = "statistic";
    const REVISION: u32 = 0;
    const SIZE: usize = 24;
    const USERSPACE: usize = 12;
    const OPTIONS: &'static [OptDef] = OPTS;

    fn init(_: &Ctx<'_>) -> Self {
        Statistic::default()
    }

    fn parse(&mut self, c: &mut OptCall<'_>, _: &Ctx<'_>) -> Result<()> {
        if c.invert {
            self.flags |= 1;
        }
        let arg = c.arg().to_string();
        match c.def.id {
            0 => {
                self.mode = match arg.as_str() {
                    "random" => MODE_RANDOM,
                    "nth" => MODE_NTH,
                    _ => return Err(IptError::param(format!("Bad mode \"{arg}\""))),
                }
            }
            1 => {
                let v = c_strtod(&arg).filter(|v| (0.0..=1.0).contains(v)).ok_or_else(|| {
                    IptError::param(
                        "statistic: bad value for option \"--probability\", or out of range (0-1).\n",
                    )
                })?;
                self.every = (2147483648.0 * v).round() as u32;
            }
            2 => {
                let v = strtoui(&arg, 1, u32::MAX as u64).ok_or_else(|| {
                    IptError::param(
                        "statistic: bad value for option \"--every\", or out of range (1-4294967295).\n",
                    )
                })?;
                self.every = (v as u32).wrapping_sub(1);
            }
            _ => {
                let v = strtoui(&arg, 0, u32::MAX as u64).ok_or_else(|| {
                    IptError::param(
                        "statistic: bad value for option \"--packet\", or out of range (0-4294967295).\n",
                    )
                })?;
                self.packet = v as u32;
            }
        }
        Ok(())
    }

    fn check(&mut self, seen: u32, _: &Ctx<'_>) -> Result<()> {
        if self.mode == MODE_RANDOM && seen & F_PROB == 0 {
            return Err(IptError::param(
                "--probability must be specified when using random mode",
            ));
        }
        if self.mode == MODE_NTH && seen & (F_EVERY | F_PACKET) == 0 {
            return Err(IptError::param(
                "--every and --packet must be specified when using nth mode",
            ));
        }
        if self.packet > self.every {
            return Err(IptError::param("the --packet p must be 0 <= p <= n-1"));
        }
        self.count = self.every.wrapping_sub(self.packet);
        Ok(())
    }

    fn to_info(&self, _: &Ctx<'_>) -> Vec<u8> {
        let mut b = Blob::new(Self::SIZE);
        b.u16(0, self.mode)
            .u16(2, self.flags)
            .u32(4, self.every)
            .u32(8, self.packet)
            .u32(12, self.count);
        b.into_vec()
    }

    fn from_info(info: &[u8], rev: u32, _: &Ctx<'_>) -> Option<Self> {
        if rev != 0 || info.len() != Self::SIZE {
            return None;
        }
        let r = Rd(info);
        Some(Statistic {
            mode: r.u16(0)?,
            flags: r.u16(2)?,
            every: r.u32(4)?,
            packet: r.u32(8)?,
            count: r.u32(12)?,
        })
    }

    fn save(&self, _: &Ctx<'_>, out: &mut String) {
        self.dump("--", out)
    }

    fn print(&self, _: &Ctx<'_>, _: bool, out: &mut String) {
        out.push_str(" statistic");
        self.dump("", out)
    }

    fn xlate(&self, x: &mut Xlate, cx: &XlCtx) -> bool {
        let _ = cx;
        let inv = self.flags & 1 != 0;
        match self.mode {
            0 => x.add(&format!(
                "meta random & {} {} {}",
                i32::MAX,
                if inv { ">=" } else { "<" },
                self.every
            )),
            1 => x.add(&format!(
                "numgen inc mod {} {}{}",
                self.every.wrapping_add(1),
                if inv { "!= " } else { "" },
                self.packet
            )),
            _ => return false,
        }
        true
    }
}
