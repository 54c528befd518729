//! `-m time` (revision 0, `struct xt_time_info`, 24 bytes): date range,
//! daytime window, weekdays and monthdays (UTC unless `--kerneltz`).

use crate::iptables::error::{IptError, Result};
use crate::iptables::ext::{decode_exact, Ctx, OptCall, OptDef, XtExt, F_INVERT};
use crate::iptables::num::c_strtoul;
use crate::iptables::xlate::{XlCtx, Xlate};
use crate::iptables::xtbuf::Blob;
use std::fmt::Write as _;

const LOCAL_TZ: u8 = 1 << 0;
const CONTIGUOUS: u8 = 1 << 1;
const ALL_MONTHDAYS: u32 = 0xffff_fffe;
const ALL_WEEKDAYS: u8 = 0xfe;
const MAX_DAYTIME: u32 = 24 * 60 * 60 - 1;
const F_LOCAL_TZ: u32 = 1 << 7;
const F_UTC: u32 = 1 << 8;
const F_KERNEL_TZ: u32 = 1 << 9;
const F_CONTIGUOUS: u32 = 1 << 4;
const WEEK_DAYS: [&str; 8] = ["", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

/// `struct xt_time_info`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Time {
    /// First second (UTC epoch).
    pub date_start: u32,
    /// Last second.
    pub date_stop: u32,
    /// Daytime window start (seconds of the day).
    pub daytime_start: u32,
    /// Daytime window end.
    pub daytime_stop: u32,
    /// Bit per day of the month (1-31).
    pub monthdays_match: u32,
    /// Bit per weekday (1 = Monday).
    pub weekdays_match: u8,
    /// `XT_TIME_*`.
    pub flags: u8,
}

const OPTS: &[OptDef] = &[
    OptDef::arg("datestart", 0, 0),
    OptDef::arg("datestop", 1, 0),
    OptDef::arg("timestart", 2, 0),
    OptDef::arg("timestop", 3, 0),
    OptDef::flag("contiguous", 4, 0),
    OptDef::arg("weekdays", 6, F_INVERT),
    OptDef::arg("monthdays", 5, F_INVERT),
    OptDef::flag("localtz", 7, 0).excl(F_UTC),
    OptDef::flag("utc", 8, 0).excl(F_LOCAL_TZ | F_KERNEL_TZ),
    OptDef::flag("kerneltz", 9, 0).excl(F_UTC),
];

/// Days since 1970-01-01 of a proleptic Gregorian date.
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146097 + doe - 719468
}

/// The date of a day count (inverse of [`days_from_civil`]).
fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719468;
    let era = z.div_euclid(146097);
    let doe = z - era * 146097;
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (
        if m <= 2 {
            yoe + era * 400 + 1
        } else {
            yoe + era * 400
        },
        m,
        d,
    )
}

/// `time_parse_date`: `YYYY[-MM[-DD[Thh[:mm[:ss]]]]]` as UTC seconds.
fn parse_date(s: &str) -> Result<u32> {
    let bad = || {
        IptError::param(format!(
            "Invalid date \"{s}\" specified. Should be YYYY[-MM[-DD[Thh[:mm[:ss]]]]]"
        ))
    };
    // (separator that may follow, maximum) per field after the year.
    let fields: [(u8, u64); 5] = [(b'-', 12), (b'T', 31), (b':', 23), (b':', 59), (0, 59)];
    let mut vals = [1970u64, 1, 1, 0, 0, 0];
    let mut rest = s;
    let (year, n) = c_strtoul(rest, 10);
    let sep = |r: &str, n: usize| r.as_bytes().get(n).copied().unwrap_or(0);
    if !(sep(rest, n) == b'-' || sep(rest, n) == 0) || !(1970..=2038).contains(&year) {
        return Err(bad());
    }
    vals[0] = year;
    let mut at = n;
    for (i, (next_sep, max)) in fields.iter().enumerate() {
        if sep(rest, at) == 0 {
            break;
        }
        rest = &rest[at + 1..];
        let (v, n) = c_strtoul(rest, 10);
        let c = sep(rest, n);
        if (c != *next_sep && c != 0) || v > *max {
            return Err(bad());
        }
        vals[i + 1] = v;
        at = n;
    }
    let days = days_from_civil(vals[0] as i64, vals[1] as i64, vals[2] as i64);
    let t = days * 86400 + (vals[3] * 3600 + vals[4] * 60 + vals[5]) as i64;
    if t < 0 {
        return Err(IptError::xt(
            crate::iptables::ExitCode::Other,
            "mktime returned an error",
        ));
    }
    Ok(t as u32)
}

/// `time_parse_minutes`: `hh:mm[:ss]` as seconds of the day.
fn parse_daytime(s: &str) -> Result<u32> {
    let bad = |at: &str| {
        IptError::param(format!(
            "invalid time \"{at}\" specified, should be hh:mm[:ss] format and within the boundaries"
        ))
    };
    let (h, n) = c_strtoul(s, 10);
    if s.as_bytes().get(n) != Some(&b':') || h > 23 {
        return Err(bad(s));
    }
    let r = &s[n + 1..];
    let (m, n) = c_strtoul(r, 10);
    let c = r.as_bytes().get(n).copied().unwrap_or(0);
    if (c != b':' && c != 0) || m > 59 {
        return Err(bad(r));
    }
    let mut sec = 0;
    if c == b':' {
        let r2 = &r[n + 1..];
        let (v, n) = c_strtoul(r2, 10);
        if n != r2.len() || v > 59 {
            return Err(bad(r2));
        }
        sec = v;
    }
    Ok((h * 3600 + m * 60 + sec) as u32)
}

/// `my_strseg`: comma-separated pieces (an empty one in the middle
/// included), each cut to `keep` bytes; nothing after a trailing comma.
fn segments(arg: &str, keep: usize) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = arg;
    while !rest.is_empty() {
        let (seg, next) = match rest.find(',') {
            Some(p) => (&rest[..p], &rest[p + 1..]),
            None => (rest, ""),
        };
        let mut n = seg.len().min(keep);
        while !seg.is_char_boundary(n) {
            n -= 1;
        }
        out.push(&seg[..n]);
        rest = next;
    }
    out
}

fn parse_monthdays(arg: &str) -> Result<u32> {
    let mut ret = 0u32;
    for day in segments(arg, 2) {
        let (v, n) = c_strtoul(day, 0);
        let c = day.as_bytes().get(n).copied().unwrap_or(0);
        if (c != b',' && c != 0) || v > 31 {
            return Err(IptError::param(format!(
                "{day} is not a valid day for --monthdays"
            )));
        }
        ret |= 1 << v;
    }
    Ok(ret)
}

fn parse_weekdays(arg: &str) -> Result<u8> {
    let mut ret = 0u32;
    for day in segments(arg, 3) {
        let (v, n) = c_strtoul(day, 0);
        if n == day.len() {
            if v == 0 {
                return Err(IptError::param("No, the week does NOT begin with Sunday."));
            }
            ret |= 1u32.wrapping_shl(v as u32);
            continue;
        }
        let mut valid = false;
        for (i, w) in WEEK_DAYS.iter().enumerate().skip(1) {
            if day.as_bytes().get(..2) == w.as_bytes().get(..2) {
                ret |= 1 << i;
                valid = true;
            }
        }
        if !valid {
            return Err(IptError::param(format!(
                "{day} is not a valid day specifier"
            )));
        }
    }
    Ok(ret as u8)
}

fn hms(t: u32) -> String {
    format!("{:02}:{:02}:{:02}", t / 3600, t / 60 % 60, t % 60)
}

fn date_text(date: u32, sep: char) -> String {
    let (y, m, d) = civil_from_days(date as i64 / 86400);
    format!("{y:04}-{m:02}-{d:02}{sep}{}", hms(date % 86400))
}

impl Time {
    fn monthdays(&self, human: bool, out: &mut String) {
        out.push(' ');
        let mut first = true;
        for i in (1..=31).filter(|i| self.monthdays_match & (1 << i) != 0) {
            if !first {
                out.push(',');
            }
            first = false;
            let _ = write!(out, "{i}");
            if human {
                out.push_str(match i % 10 {
                    1 => "st",
                    2 => "nd",
                    3 => "rd",
                    _ => "th",
                });
            }
        }
    }
    fn weekdays(&self, out: &mut String) {
        out.push(' ');
        let names: Vec<&str> = (1..=7)
            .filter(|i| self.weekdays_match & (1 << i) != 0)
            .map(|i| WEEK_DAYS[i])
            .collect();
        out.push_str(&names.join(","));
    }
    fn has_window(&self) -> bool {
        self.daytime_start != 0 || self.daytime_stop != MAX_DAYTIME
    }
}

impl XtExt for Time {
    const NAME: &'static str = "time";
    const REVISION: u32 = 0;
    const SIZE: usize = 24;
    const OPTIONS: &'static [OptDef] = OPTS;

    fn init(_: &Ctx<'_>) -> Self {
        Time {
            date_start: 0,
            date_stop: i32::MAX as u32,
            daytime_start: 0,
            daytime_stop: MAX_DAYTIME,
            monthdays_match: ALL_MONTHDAYS,
            weekdays_match: ALL_WEEKDAYS,
            flags: 0,
        }
    }
    fn parse(&mut self, c: &mut OptCall<'_>, _: &Ctx<'_>) -> Result<()> {
        let arg = c.arg();
        match c.def.id {
            0 => self.date_start = parse_date(arg)?,
            1 => self.date_stop = parse_date(arg)?,
            2 => self.daytime_start = parse_daytime(arg)?,
            3 => self.daytime_stop = parse_daytime(arg)?,
            4 => self.flags |= CONTIGUOUS,
            5 => {
                self.monthdays_match = parse_monthdays(arg)?;
                if c.invert {
                    self.monthdays_match ^= ALL_MONTHDAYS;
                }
            }
            6 => {
                self.weekdays_match = parse_weekdays(arg)?;
                if c.invert {
                    self.weekdays_match ^= ALL_WEEKDAYS;
                }
            }
            7 => {
                crate::iptables::warn::warn("WARNING: --localtz is being replaced by --kerneltz, since \"local\" is ambiguous. Note the kernel timezone has caveats - see manpage for details.");
                self.flags |= LOCAL_TZ;
            }
            8 => {}
            _ => self.flags |= LOCAL_TZ,
        }
        Ok(())
    }
    fn check(&mut self, seen: u32, _: &Ctx<'_>) -> Result<()> {
        if seen & F_CONTIGUOUS != 0 && self.daytime_start < self.daytime_stop {
            return Err(IptError::param(
                "time: --contiguous only makes sense when stoptime is smaller than starttime",
            ));
        }
        Ok(())
    }
    fn to_info(&self, _: &Ctx<'_>) -> Vec<u8> {
        let mut b = Blob::new(Self::SIZE);
        b.u32(0, self.date_start)
            .u32(4, self.date_stop)
            .u32(8, self.daytime_start)
            .u32(12, self.daytime_stop)
            .u32(16, self.monthdays_match)
            .u8(20, self.weekdays_match)
            .u8(21, self.flags);
        b.into_vec()
    }
    fn from_info(info: &[u8], rev: u32, cx: &Ctx<'_>) -> Option<Self> {
        decode_exact(info, rev, cx, |r| {
            Some(Time {
                date_start: r.u32(0)?,
                date_stop: r.u32(4)?,
                daytime_start: r.u32(8)?,
                daytime_stop: r.u32(12)?,
                monthdays_match: r.u32(16)?,
                weekdays_match: r.u8(20)?,
                flags: r.u8(21)?,
            })
        })
    }
    fn save(&self, _: &Ctx<'_>, out: &mut String) {
        if self.has_window() {
            let _ = write!(
                out,
                " --timestart {} --timestop {}",
                hms(self.daytime_start),
                hms(self.daytime_stop)
            );
        }
        if self.monthdays_match != ALL_MONTHDAYS {
            out.push_str(" --monthdays");
            self.monthdays(false, out);
        }
        if self.weekdays_match != ALL_WEEKDAYS {
            out.push_str(" --weekdays");
            self.weekdays(out);
        }
        // Only 0 is left out: the default stop (INT_MAX) is printed, as
        // iptables compares it with LONG_MAX.
        if self.date_start != 0 {
            let _ = write!(out, " --datestart {}", date_text(self.date_start, 'T'));
        }
        if self.date_stop != 0 {
            let _ = write!(out, " --datestop {}", date_text(self.date_stop, 'T'));
        }
        if self.flags & LOCAL_TZ != 0 {
            out.push_str(" --kerneltz");
        }
        if self.flags & CONTIGUOUS != 0 {
            out.push_str(" --contiguous");
        }
    }
    fn print(&self, _: &Ctx<'_>, _: bool, out: &mut String) {
        out.push_str(" TIME");
        if self.has_window() {
            let _ = write!(
                out,
                " from {} to {}",
                hms(self.daytime_start),
                hms(self.daytime_stop)
            );
        }
        if self.weekdays_match != ALL_WEEKDAYS {
            out.push_str(" on");
            self.weekdays(out);
        }
        if self.monthdays_match != ALL_MONTHDAYS {
            out.push_str(" on");
            self.monthdays(true, out);
        }
        if self.date_start != 0 {
            let _ = write!(out, " starting from {}", date_text(self.date_start, ' '));
        }
        if self.date_stop != i32::MAX as u32 {
            out.push_str(" until date");
            if self.date_stop != 0 {
                let _ = write!(out, " {}", date_text(self.date_stop, ' '));
            }
        }
        if self.flags & LOCAL_TZ == 0 {
            out.push_str(" UTC");
        }
        if self.flags & CONTIGUOUS != 0 {
            out.push_str(" contiguous");
        }
    }

    fn xlate(&self, x: &mut Xlate, cx: &XlCtx) -> bool {
        let _ = cx;
        use crate::iptables::xlate::gmtime;
        if self.date_start != 0 || self.date_stop != i32::MAX as u32 {
            x.add("meta time ");
            let (y, mo, d, h, mi, s, _) = gmtime(i64::from(self.date_start));
            x.add(&format!("\"{y:04}-{mo:02}-{d:02} {h:02}:{mi:02}:{s:02}\""));
            let (y, mo, d, h, mi, s, _) = gmtime(i64::from(self.date_stop));
            x.add(&format!("-\"{y:04}-{mo:02}-{d:02} {h:02}:{mi:02}:{s:02}\""));
        }
        if self.daytime_start != 0 || self.daytime_stop != 86_399 {
            let hms = |t: u32| format!("\"{:02}:{:02}:{:02}\"", t / 3600, t / 60 % 60, t % 60);
            x.add(&format!(" meta hour {}", hms(self.daytime_start)));
            x.add(&format!("-{}", hms(self.daytime_stop)));
        }
        if self.monthdays_match != 0xffff_fffe {
            return false;
        }
        if self.weekdays_match != 0xfe {
            let mask = self.weekdays_match;
            let count = (1..=7).filter(|i| mask & (1 << i) != 0).count();
            x.add(" meta day ");
            if count > 1 {
                x.add("{");
            }
            let mut sep = "";
            for i in 1..=7u32 {
                if mask & (1 << i) != 0 {
                    x.add(&format!("{sep}{}", i % 7));
                    sep = ", ";
                }
            }
            if count > 1 {
                x.add("}");
            }
        }
        true
    }
}
