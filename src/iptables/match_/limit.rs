//! `-m limit` (revision 0, `struct xt_rateinfo`, 32 bytes; only `avg` and
//! `burst` are compared). Written natively as a `limit` expression.

use crate::iptables::error::{IptError, Result};
use crate::iptables::ext::{Ctx, OptCall, OptDef, XtExt};
use crate::iptables::num::strtoui;
use crate::iptables::xlate::{XlCtx, Xlate};
use crate::iptables::xtbuf::{Blob, Rd};
use std::fmt::Write as _;

/// `XT_LIMIT_SCALE`.
pub const SCALE: u32 = 10000;

/// `struct xt_rateinfo` (user part).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Limit {
    /// Average time between packets × SCALE, in seconds.
    pub avg: u32,
    /// Burst.
    pub burst: u32,
}

impl Default for Limit {
    fn default() -> Self {
        Limit {
            avg: SCALE * 3600 / 3,
            burst: 5,
        }
    }
}

/// `parse_rate`: `N[/second|minute|hour|day]` (unit prefixes allowed).
pub fn parse_rate(rate: &str) -> Result<Option<u32>> {
    let mut mult: u32 = 1;
    if let Some(p) = rate.find('/') {
        let u = &rate[p + 1..];
        if u.is_empty() {
            return Ok(None);
        }
        let is = |name: &str| name.len() >= u.len() && name[..u.len()].eq_ignore_ascii_case(u);
        mult = if is("second") {
            1
        } else if is("minute") {
            60
        } else if is("hour") {
            3600
        } else if is("day") {
            86400
        } else {
            return Ok(None);
        };
    }
    let r = crate::iptables::num::c_atol(rate) as i32 as u32;
    if r == 0 {
        return Ok(None);
    }
    let v = ((SCALE as u64 * mult as u64) / r as u64) as u32;
    if v == 0 {
        return Err(IptError::param(format!("Rate too fast \"{rate}\"")));
    }
    Ok(Some(v))
}

const RATES: [(&str, u32); 4] = [
    ("day", SCALE * 86400),
    ("hour", SCALE * 3600),
    ("min", SCALE * 60),
    ("sec", SCALE),
];

/// The unit index `print_rate`/`add_nft_limit` choose for `avg`.
pub fn unit_index(avg: u32) -> usize {
    let mut i = 1;
    while i < RATES.len() {
        let m = RATES[i].1;
        if avg == 0 || avg > m || m / avg < m % avg {
            break;
        }
        i += 1;
    }
    i - 1
}

/// `(rate, unit seconds)` of the native `limit` expression.
pub fn native_rate(avg: u32) -> (u64, u64) {
    if avg == 0 {
        return (0, 1);
    }
    let i = unit_index(avg);
    ((RATES[i].1 / avg) as u64, (RATES[i].1 / SCALE) as u64)
}

/// ` RATE/UNIT` as `-L` and save print a limit (` inf` for 0).
pub fn print_rate(avg: u32, out: &mut String) {
    if avg == 0 {
        out.push_str(" inf");
        return;
    }
    let i = unit_index(avg);
    let _ = write!(out, " {}/{}", RATES[i].1 / avg, RATES[i].0);
}

const OPTS: &[OptDef] = &[OptDef::arg("limit", 0, 0), OptDef::arg("limit-burst", 1, 0)];

impl XtExt for Limit {
    const NAME: &'static str = "limit";
    const REVISION: u32 = 0;
    const SIZE: usize = 32;
    const USERSPACE: usize = 8;
    const OPTIONS: &'static [OptDef] = OPTS;

    fn init(_: &Ctx<'_>) -> Self {
        Limit::default()
    }

    fn parse(&mut self, c: &mut OptCall<'_>, _: &Ctx<'_>) -> Result<()> {
        let arg = c.arg().to_string();
        if c.def.id == 0 {
            match parse_rate(&arg)? {
                Some(v) => self.avg = v,
                None => return Err(IptError::param(format!("bad rate \"{arg}\"'"))),
            }
        } else {
            self.burst = strtoui(&arg, 0, 10000).ok_or_else(|| {
                IptError::param(
                    "limit: bad value for option \"--limit-burst\", or out of range (0-10000).\n",
                )
            })? as u32;
        }
        if c.invert {
            return Err(IptError::param("limit does not support invert"));
        }
        Ok(())
    }

    fn to_info(&self, _: &Ctx<'_>) -> Vec<u8> {
        let mut b = Blob::new(Self::SIZE);
        b.u32(0, self.avg).u32(4, self.burst);
        b.into_vec()
    }

    fn from_info(info: &[u8], rev: u32, _: &Ctx<'_>) -> Option<Self> {
        if rev != 0 || info.len() != Self::SIZE {
            return None;
        }
        let r = Rd(info);
        Some(Limit {
            avg: r.u32(0)?,
            burst: r.u32(4)?,
        })
    }

    fn save(&self, _: &Ctx<'_>, out: &mut String) {
        out.push_str(" --limit");
        print_rate(self.avg, out);
        if self.burst != 5 {
            let _ = write!(out, " --limit-burst {}", self.burst);
        }
    }

    fn print(&self, _: &Ctx<'_>, _: bool, out: &mut String) {
        out.push_str(" limit: avg");
        print_rate(self.avg, out);
        let _ = write!(out, " burst {}", self.burst);
    }

    fn xlate(&self, x: &mut Xlate, cx: &XlCtx) -> bool {
        let _ = cx;
        x.add("limit rate");
        if self.avg == 0 {
            x.add(" inf");
        } else {
            const UNITS: [&str; 4] = ["day", "hour", "minute", "second"];
            let i = unit_index(self.avg);
            x.add(&format!(" {}/{}", RATES[i].1 / self.avg, UNITS[i]));
        }
        if self.burst != 0 {
            x.add(&format!(" burst {} packets", self.burst));
        }
        true
    }
}
