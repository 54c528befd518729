//! `-j RATEEST` (revision 0, `struct xt_rateest_target_info`, 32 bytes;
//! the kernel's pointer after the first 24 is not compared): a named rate
//! estimator, its interval and averaging constant stored as the kernel's
//! logarithms.

use crate::iptables::error::{IptError, Result};
use crate::iptables::ext::{decode_exact, Ctx, OptCall, OptDef, XtExt, F_MAND};
use crate::iptables::num::{c_double_to_uint, strtod_prefix};
use crate::iptables::xtbuf::Blob;
use std::fmt::Write as _;

/// `IFNAMSIZ`.
const NAME_LEN: usize = 16;
/// iproute2's time unit: microseconds.
const UNITS_PER_SEC: f64 = 1_000_000.0;

/// `struct xt_rateest_target_info` (and the times given, until the final
/// check turns them into the two logarithms).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Rateest {
    /// Estimator name.
    pub name: String,
    /// Interval as the kernel encodes it: 1 s << (interval + 2), over 4.
    pub interval: i8,
    /// Averaging constant (log2 of intervals).
    pub ewma_log: u8,
    /// `--rateest-interval` in microseconds (parsing only).
    given_interval: u32,
    /// `--rateest-ewmalog` in microseconds (parsing only).
    given_ewma: u32,
}

const OPTS: &[OptDef] = &[
    OptDef::arg("rateest-name", 0, F_MAND),
    OptDef::arg("rateest-interval", 1, F_MAND),
    OptDef::arg("rateest-ewmalog", 2, F_MAND),
];

/// `RATEEST_get_time`: a number with an optional s/ms/us unit.
fn parse_time(s: &str) -> Option<u32> {
    let (v, unit) = strtod_prefix(s)?;
    let mult = match unit.to_ascii_lowercase().as_str() {
        "" => 1.0,
        "s" | "sec" | "secs" => UNITS_PER_SEC,
        "ms" | "msec" | "msecs" => UNITS_PER_SEC / 1000.0,
        "us" | "usec" | "usecs" => 1.0,
        _ => return None,
    };
    Some(c_double_to_uint(v * mult))
}

fn time_text(t: u64, out: &mut String) {
    let x = t as f64;
    if x >= UNITS_PER_SEC {
        let _ = write!(out, " {:.1}s", x / UNITS_PER_SEC);
    } else if x >= UNITS_PER_SEC / 1000.0 {
        let _ = write!(out, " {:.1}ms", x / (UNITS_PER_SEC / 1000.0));
    } else {
        let _ = write!(out, " {t}us");
    }
}

impl Rateest {
    fn dump(&self, p: &str, out: &mut String) {
        let interval = (1_000_000u64 << (self.interval as i32 + 2).clamp(0, 40)) / 4;
        let ewma = interval.wrapping_mul(1u64 << self.ewma_log.min(40));
        let _ = write!(out, " {p}name {} {p}interval", self.name);
        time_text(interval as u32 as u64, out);
        let _ = write!(out, " {p}ewmalog");
        time_text(ewma as u32 as u64, out);
    }
}

impl XtExt for Rateest {
    const NAME: &'static str = "RATEEST";
    const REVISION: u32 = 0;
    const SIZE: usize = 32;
    const USERSPACE: usize = 24;
    const OPTIONS: &'static [OptDef] = OPTS;

    fn init(_: &Ctx<'_>) -> Self {
        Rateest::default()
    }
    fn parse(&mut self, c: &mut OptCall<'_>, _: &Ctx<'_>) -> Result<()> {
        let arg = c.arg();
        match c.def.id {
            0 => {
                let b = arg.as_bytes();
                self.name = String::from_utf8_lossy(&b[..b.len().min(NAME_LEN - 1)]).into_owned();
            }
            1 => {
                self.given_interval = parse_time(arg).ok_or_else(|| {
                    IptError::param(format!("RATEEST: bad interval value \"{arg}\""))
                })?
            }
            _ => {
                self.given_ewma = parse_time(arg).ok_or_else(|| {
                    IptError::param(format!("RATEEST: bad ewmalog value \"{arg}\""))
                })?
            }
        }
        Ok(())
    }
    fn check(&mut self, _: u32, _: &Ctx<'_>) -> Result<()> {
        let mut iv = 0i32;
        while iv <= 5 && self.given_interval as u64 > (1u64 << iv) * 250_000 {
            iv += 1;
        }
        if iv > 5 {
            return Err(IptError::param("RATEEST: interval value is too large"));
        }
        self.interval = (iv - 2) as i8;
        let mut e = 1u32;
        while e < 32 {
            let w = 1.0 - 1.0 / (1u64 << e) as f64;
            if self.given_interval as f64 / -w.ln() > self.given_ewma as f64 {
                break;
            }
            e += 1;
        }
        let e = e - 1;
        if e == 0 || e >= 31 {
            return Err(IptError::param("RATEEST: ewmalog value is out of range"));
        }
        self.ewma_log = e as u8;
        // Only the blob's fields remain (as in a rule read back).
        self.given_interval = 0;
        self.given_ewma = 0;
        Ok(())
    }
    fn to_info(&self, _: &Ctx<'_>) -> Vec<u8> {
        let mut b = Blob::new(Self::SIZE);
        b.str(0, NAME_LEN, &self.name)
            .u8(16, self.interval as u8)
            .u8(17, self.ewma_log);
        b.into_vec()
    }
    fn from_info(info: &[u8], rev: u32, cx: &Ctx<'_>) -> Option<Self> {
        decode_exact(info, rev, cx, |r| {
            Some(Rateest {
                name: r.str(0, NAME_LEN)?,
                interval: r.u8(16)? as i8,
                ewma_log: r.u8(17)?,
                ..Default::default()
            })
        })
    }
    fn save(&self, _: &Ctx<'_>, out: &mut String) {
        self.dump("--rateest-", out);
    }
    fn print(&self, _: &Ctx<'_>, _: bool, out: &mut String) {
        self.dump("", out);
    }
}
