//! `-m hashlimit` (revision 3, `struct xt_hashlimit_mtinfo3`, 312 bytes;
//! 304 compared) and, where the kernel lacks it (before Linux 4.11 and
//! 4.9), revision 2 (`xt_hashlimit_mtinfo2`: no rate match or interval,
//! 304 bytes; 296 compared) and revision 1 (`xt_hashlimit_mtinfo1`: a
//! 16-byte name, 32-bit rates on a 10000 scale, bursts up to 10000, 56
//! bytes; 48 compared), with libxtables' per-revision parsing and text.

use crate::iptables::error::{IptError, Result};
use crate::iptables::ext::{Ctx, OptCall, OptDef, XtExt, F_INVERT, F_MAND};
use crate::iptables::family::Family;
use crate::iptables::num::strtoul_prefix_base;
use crate::iptables::text::parse_uint;
use crate::iptables::xlate::{XlCtx, Xlate};
use crate::iptables::xtbuf::{Blob, Rd};
use std::fmt::Write as _;

/// `XT_HASHLIMIT_HASH_DIP`.
pub const HASH_DIP: u32 = 1;
/// `XT_HASHLIMIT_HASH_DPT`.
pub const HASH_DPT: u32 = 2;
/// `XT_HASHLIMIT_HASH_SIP`.
pub const HASH_SIP: u32 = 4;
/// `XT_HASHLIMIT_HASH_SPT`.
pub const HASH_SPT: u32 = 8;
/// `XT_HASHLIMIT_INVERT`.
pub const INVERT: u32 = 16;
/// `XT_HASHLIMIT_BYTES`.
pub const BYTES: u32 = 32;
/// `XT_HASHLIMIT_RATE_MATCH`.
pub const RATE_MATCH: u32 = 64;

const SCALE: u64 = 1_000_000;
/// `XT_HASHLIMIT_SCALE` (revision 1).
const SCALE_V1: u64 = 10_000;
/// `XT_HASHLIMIT_BURST_MAX_v1`.
const BURST_MAX_V1: u64 = 10_000;
const GCINTERVAL: u32 = 1000;
const BURST_MAX: u64 = 1_000_000;

/// `struct xt_hashlimit_mtinfo3` (with the parser's unit multiplier).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Hashlimit {
    /// Table name.
    pub name: String,
    /// Average (scaled period or byte cost).
    pub avg: u64,
    /// Burst.
    pub burst: u64,
    /// `XT_HASHLIMIT_*`.
    pub mode: u32,
    /// Buckets.
    pub size: u32,
    /// Max entries.
    pub max: u32,
    /// GC interval (ms).
    pub gc_interval: u32,
    /// Expiry (ms).
    pub expire: u32,
    /// Rate interval.
    pub interval: u32,
    /// Source prefix length.
    pub srcmask: u8,
    /// Destination prefix length.
    pub dstmask: u8,
    /// Unit multiplier of the parsed rate (parser state, not in the blob).
    pub mult: u32,
    /// The revision written (1 to 3).
    pub rev: u32,
}

const O_UPTO: u8 = 0;
const O_ABOVE: u8 = 1;
const O_MODE: u8 = 3;
const O_SRCMASK: u8 = 4;
const O_DSTMASK: u8 = 5;
const O_NAME: u8 = 6;
const O_BURST: u8 = 7;
const O_HTABLE_SIZE: u8 = 8;
const O_HTABLE_MAX: u8 = 9;
const O_HTABLE_GCINT: u8 = 10;
const O_HTABLE_EXPIRE: u8 = 11;
const O_RATEMATCH: u8 = 12;
const O_INTERVAL: u8 = 13;
const F_UPTO: u32 = 1 << O_UPTO;
const F_ABOVE: u32 = 1 << O_ABOVE;
const F_BURST: u32 = 1 << O_BURST;
const F_EXPIRE: u32 = 1 << O_HTABLE_EXPIRE;
const F_RATEMATCH: u32 = 1 << O_RATEMATCH;

const OPTS: &[OptDef] = &[
    OptDef::arg("hashlimit-upto", O_UPTO, F_INVERT).excl(F_ABOVE),
    OptDef::arg("hashlimit-above", O_ABOVE, F_INVERT).excl(F_UPTO),
    OptDef::arg("hashlimit", O_UPTO, F_INVERT).excl(F_ABOVE),
    OptDef::arg("hashlimit-srcmask", O_SRCMASK, 0),
    OptDef::arg("hashlimit-dstmask", O_DSTMASK, 0),
    OptDef::arg("hashlimit-burst", O_BURST, 0),
    OptDef::arg("hashlimit-htable-size", O_HTABLE_SIZE, 0),
    OptDef::arg("hashlimit-htable-max", O_HTABLE_MAX, 0),
    OptDef::arg("hashlimit-htable-gcinterval", O_HTABLE_GCINT, 0),
    OptDef::arg("hashlimit-htable-expire", O_HTABLE_EXPIRE, 0),
    OptDef::arg("hashlimit-mode", O_MODE, 0),
    OptDef::arg("hashlimit-name", O_NAME, F_MAND),
    OptDef::flag("hashlimit-rate-match", O_RATEMATCH, 0),
    OptDef::arg("hashlimit-rate-interval", O_INTERVAL, 0),
];

fn factor(c: Option<u8>) -> u64 {
    match c {
        Some(b'm') => 1024 * 1024,
        Some(b'k') => 1024,
        _ => 1,
    }
}

fn cost_to_bytes(cost: u64) -> u64 {
    let r = (u32::MAX as u64)
        .checked_div(cost)
        .unwrap_or(u32::MAX as u64);
    (r.wrapping_sub(1)) << 4
}

fn bytes_to_cost(bytes: u64) -> u64 {
    let r = (bytes >> 4) as u32;
    u32::MAX as u64 / (r as u64 + 1)
}

fn bad(opt: &str, a: &str) -> IptError {
    IptError::param(format!(
        "hashlimit: Bad value for \"{opt}\" option: \"{a}\""
    ))
}

impl Hashlimit {
    fn burst_max(&self) -> u64 {
        if self.rev == 1 {
            BURST_MAX_V1
        } else {
            BURST_MAX
        }
    }

    fn parse_bytes(&mut self, rate: &str) -> Result<bool> {
        let Some(pos) = rate.find("b/s") else {
            return Ok(false);
        };
        if pos == 0 {
            return Ok(false);
        }
        let r = crate::iptables::num::c_atol(rate) as u64;
        if r == 0 {
            return Ok(false);
        }
        let tmp = r.wrapping_mul(factor(rate.as_bytes().get(pos - 1).copied()));
        if self.rev == 1 && tmp > u32::MAX as u64 {
            return Err(IptError::param(format!(
                "Rate value too large \"{tmp}\" (max {})",
                u32::MAX
            )));
        }
        let cost = bytes_to_cost(tmp);
        if cost == 0 {
            return Err(IptError::param(format!("Rate too high \"{rate}\"")));
        }
        self.mult = 15;
        self.avg = cost;
        Ok(true)
    }

    fn parse_rate(&mut self, rate: &str) -> Result<bool> {
        self.mult = 1;
        if let Some(p) = rate.find('/') {
            let u = &rate[p + 1..];
            if u.is_empty() {
                return Ok(false);
            }
            let is = |n: &str| n.len() >= u.len() && n[..u.len()].eq_ignore_ascii_case(u);
            self.mult = if is("second") {
                1
            } else if is("minute") {
                60
            } else if is("hour") {
                3600
            } else if is("day") {
                86400
            } else {
                return Ok(false);
            };
        }
        let r = crate::iptables::num::c_atol(rate) as u64;
        if r == 0 {
            return Ok(false);
        }
        let scale = if self.rev == 1 { SCALE_V1 } else { SCALE };
        let tmp = scale * self.mult as u64 / r;
        if tmp == 0 {
            return Err(IptError::param(format!("Rate too fast \"{rate}\"")));
        }
        // revision 1 stores it in 32 bits
        self.avg = if self.rev == 1 {
            tmp as u32 as u64
        } else {
            tmp
        };
        Ok(true)
    }

    fn dmask(f: Family) -> u8 {
        match f {
            Family::V4 => 32,
            Family::V6 => 128,
        }
    }

    /// `print_rate` (returns the quantum in ms); revision 1 has its own
    /// scale.
    fn print_rate(period: u64, v1: bool, out: &mut String) -> u64 {
        let scale = if v1 { SCALE_V1 } else { SCALE };
        let r = [
            ("day", scale * 86400),
            ("hour", scale * 3600),
            ("min", scale * 60),
            ("sec", scale),
        ];

        if period == 0 {
            out.push_str(" inf");
            return 0;
        }
        let mut i = 1;
        while i < r.len() {
            if period > r[i].1 || r[i].1 / period < r[i].1 % period {
                break;
            }
            i += 1;
        }
        let _ = write!(out, " {}/{}", r[i - 1].1 / period, r[i - 1].0);
        r[i - 1].1 / scale * 1000
    }

    fn print_bytes(avg: u64, burst: u64, prefix: &str, out: &mut String) -> u64 {
        const U: [(&str, u64); 3] = [("m", 1024 * 1024), ("k", 1024), ("", 1)];
        let mut r = cost_to_bytes(avg);
        let mut i = 0;
        while i < U.len() - 1 {
            if r >= U[i].1 && bytes_to_cost(r & !(U[i].1 - 1)) == avg {
                break;
            }
            i += 1;
        }
        let _ = write!(out, " {}{}b/s", r / U[i].1, U[i].0);
        if burst == 0 {
            return 15 * 1000;
        }
        r = r.wrapping_mul(burst);
        let _ = write!(out, " {prefix}");
        let mut i = 0;
        while i < U.len() - 1 {
            if r >= U[i].1 {
                break;
            }
            i += 1;
        }
        let _ = write!(out, "burst {}{}b", r / U[i].1, U[i].0);
        60 * 1000
    }

    fn mode_str(&self, sep: char) -> String {
        let mut v = Vec::new();
        for (b, n) in [
            (HASH_SIP, "srcip"),
            (HASH_SPT, "srcport"),
            (HASH_DIP, "dstip"),
            (HASH_DPT, "dstport"),
        ] {
            if self.mode & b != 0 {
                v.push(n);
            }
        }
        format!(" {}", v.join(&sep.to_string()))
    }
}

impl XtExt for Hashlimit {
    const NAME: &'static str = "hashlimit";
    const REVISION: u32 = 3;
    const SIZE: usize = 312;
    const USERSPACE: usize = 304;
    const OPTIONS: &'static [OptDef] = OPTS;

    fn init(cx: &Ctx<'_>) -> Self {
        let d = Hashlimit::dmask(cx.family);
        Hashlimit {
            name: String::new(),
            avg: 0,
            burst: 5,
            mode: 0,
            size: 0,
            max: 0,
            gc_interval: GCINTERVAL,
            expire: 0,
            interval: 0,
            srcmask: d,
            dstmask: d,
            mult: 0,
            rev: 3,
        }
    }
    fn revisions(_: Family) -> &'static [u32] {
        &[3, 2, 1]
    }
    crate::revision_in_field!();
    fn options_now(&self) -> &'static [OptDef] {
        if self.rev < 3 {
            &OPTS[..OPTS.len() - 2]
        } else {
            OPTS
        }
    }
    fn userspace_now(&self) -> usize {
        match self.rev {
            1 => 48,
            2 => 296,
            _ => Self::USERSPACE,
        }
    }

    fn parse(&mut self, c: &mut OptCall<'_>, cx: &Ctx<'_>) -> Result<()> {
        let a = c.arg().to_string();
        let n = c.def.name;
        match c.def.id {
            O_BURST => {
                let bmax = self.burst_max();
                let max = if self.rev == 1 {
                    u32::MAX as u64
                } else {
                    u64::MAX
                };
                let berr = || {
                    IptError::param(format!(
                        "bad value for option \"--hashlimit-burst\", or out of range (1-{bmax})."
                    ))
                };
                let (v, k) = strtoul_prefix_base(&a, 1, max, 0).ok_or_else(berr)?;
                let rest = &a[k..];
                if rest.is_empty() && v > bmax {
                    return Err(berr());
                }
                let v = v.wrapping_mul(factor(rest.as_bytes().first().copied()));
                if v > max {
                    return Err(IptError::param(format!(
                        "bad value for option \"--hashlimit-burst\", value \"{a}\" too large (max {}mb).",
                        max / 1024 / 1024
                    )));
                }
                self.burst = v;
            }
            O_UPTO | O_ABOVE => {
                let inv = if c.def.id == O_UPTO {
                    c.invert
                } else {
                    !c.invert
                };
                if inv {
                    self.mode |= INVERT;
                }
                if self.parse_bytes(&a)? {
                    self.mode |= BYTES;
                } else if !self.parse_rate(&a)? {
                    let opt = if c.def.id == O_UPTO {
                        "--hashlimit-upto"
                    } else {
                        "--hashlimit-above"
                    };
                    return Err(bad(opt, &a));
                }
            }
            O_MODE => {
                for tok in a.split([',', '|']).filter(|t| !t.is_empty()) {
                    self.mode |= match tok {
                        "dstip" => HASH_DIP,
                        "srcip" => HASH_SIP,
                        "srcport" => HASH_SPT,
                        "dstport" => HASH_DPT,
                        _ => return Err(bad("--hashlimit-mode", &a)),
                    };
                }
            }
            O_SRCMASK | O_DSTMASK => {
                let v = super::connlimit::parse_plen(cx.family, "hashlimit", n, &a)?;
                if c.def.id == O_SRCMASK {
                    self.srcmask = v;
                } else {
                    self.dstmask = v;
                }
            }
            O_NAME => {
                if a.is_empty() {
                    return Err(IptError::param(
                        "Argument must have a minimum length of 1 characters\n",
                    ));
                }
                // XTOPT_PUT: the name field's size less one
                let cap = if self.rev == 1 { 15 } else { 254 };
                let mut end = a.len().min(cap);
                while !a.is_char_boundary(end) {
                    end -= 1;
                }
                self.name = a[..end].to_string();
            }
            O_HTABLE_SIZE => self.size = parse_uint("hashlimit", n, &a, 0, u32::MAX as u64)? as u32,
            O_HTABLE_MAX => self.max = parse_uint("hashlimit", n, &a, 0, u32::MAX as u64)? as u32,
            O_HTABLE_GCINT => {
                self.gc_interval = parse_uint("hashlimit", n, &a, 0, u32::MAX as u64)? as u32
            }
            O_HTABLE_EXPIRE => {
                self.expire = parse_uint("hashlimit", n, &a, 0, u32::MAX as u64)? as u32
            }
            O_RATEMATCH => self.mode |= RATE_MATCH,
            _ => {
                let r = crate::iptables::num::c_atol(&a) as i32;
                if r <= 0 {
                    return Err(bad("--hashlimit-rate-interval", &a));
                }
                self.interval = r as u32;
            }
        }
        Ok(())
    }

    fn check(&mut self, seen: u32, _: &Ctx<'_>) -> Result<()> {
        if seen & (F_UPTO | F_ABOVE) == 0 {
            return Err(IptError::param("You have to specify --hashlimit"));
        }
        if seen & F_EXPIRE == 0 {
            self.expire = self.mult.wrapping_mul(1000);
        }
        if self.mode & BYTES != 0 {
            let mut burst: u32 = 0;
            if seen & F_BURST != 0 {
                let cb = cost_to_bytes(self.avg);
                if self.burst < cb {
                    return Err(IptError::param(format!(
                        "burst cannot be smaller than {cb}b"
                    )));
                }
                burst = (self.burst / cb.max(1)) as u32;
                if self.burst % cb.max(1) != 0 {
                    burst = burst.wrapping_add(1);
                }
                if seen & F_EXPIRE == 0 {
                    self.expire = 60 * 1000;
                }
            }
            self.burst = burst as u64;
        } else if self.burst > self.burst_max() {
            return Err(IptError::param(format!(
                "bad value for option \"--hashlimit-burst\", or out of range (1-{}).",
                self.burst_max()
            )));
        }
        if seen & F_RATEMATCH != 0 {
            if self.mode & BYTES == 0 && self.mult != 0 {
                self.avg /= self.mult as u64;
            }
            if self.interval == 0 {
                self.interval = if self.mode & BYTES != 0 { 1 } else { self.mult };
            }
        }
        Ok(())
    }

    fn to_info(&self, _: &Ctx<'_>) -> Vec<u8> {
        if self.rev == 1 {
            let mut b = Blob::new(56);
            b.str(0, 16, &self.name)
                .u32(16, self.mode)
                .u32(20, self.avg as u32)
                .u32(24, self.burst as u32)
                .u32(28, self.size)
                .u32(32, self.max)
                .u32(36, self.gc_interval)
                .u32(40, self.expire)
                .u8(44, self.srcmask)
                .u8(45, self.dstmask);
            return b.into_vec();
        }
        // Revisions 2 and 3 share the 64-bit config up to `expire`; 3 adds
        // `interval` before the masks.
        let mut b = Blob::new(if self.rev == 2 { 304 } else { Self::SIZE });
        b.str(0, 255, &self.name)
            .u64(256, self.avg)
            .u64(264, self.burst)
            .u32(272, self.mode)
            .u32(276, self.size)
            .u32(280, self.max)
            .u32(284, self.gc_interval)
            .u32(288, self.expire);
        if self.rev == 2 {
            b.u8(292, self.srcmask).u8(293, self.dstmask);
        } else {
            b.u32(292, self.interval)
                .u8(296, self.srcmask)
                .u8(297, self.dstmask);
        }
        b.into_vec()
    }

    fn from_info(info: &[u8], rev: u32, cx: &Ctx<'_>) -> Option<Self> {
        let r = Rd(info);
        let h = match (rev, info.len()) {
            (1, 56) => Hashlimit {
                name: r.str(0, 16)?,
                mode: r.u32(16)?,
                avg: r.u32(20)?.into(),
                burst: r.u32(24)?.into(),
                size: r.u32(28)?,
                max: r.u32(32)?,
                gc_interval: r.u32(36)?,
                expire: r.u32(40)?,
                interval: 0,
                srcmask: r.u8(44)?,
                dstmask: r.u8(45)?,
                mult: 0,
                rev,
            },
            (2, 304) => Hashlimit {
                name: r.str(0, 255)?,
                avg: r.u64(256)?,
                burst: r.u64(264)?,
                mode: r.u32(272)?,
                size: r.u32(276)?,
                max: r.u32(280)?,
                gc_interval: r.u32(284)?,
                expire: r.u32(288)?,
                interval: 0,
                srcmask: r.u8(292)?,
                dstmask: r.u8(293)?,
                mult: 0,
                rev,
            },
            (3, Self::SIZE) => Hashlimit {
                name: r.str(0, 255)?,
                avg: r.u64(256)?,
                burst: r.u64(264)?,
                mode: r.u32(272)?,
                size: r.u32(276)?,
                max: r.u32(280)?,
                gc_interval: r.u32(284)?,
                expire: r.u32(288)?,
                interval: r.u32(292)?,
                srcmask: r.u8(296)?,
                dstmask: r.u8(297)?,
                mult: 0,
                rev,
            },
            _ => return None,
        };
        (h.to_info(cx) == info).then_some(h)
    }

    fn save(&self, cx: &Ctx<'_>, out: &mut String) {
        if self.mode & INVERT != 0 {
            out.push_str(" --hashlimit-above");
        } else {
            out.push_str(" --hashlimit-upto");
        }
        let quantum = if self.mode & BYTES != 0 {
            Hashlimit::print_bytes(self.avg, self.burst, "--hashlimit-", out)
        } else {
            let q = Hashlimit::print_rate(self.avg, self.rev == 1, out);
            let _ = write!(out, " --hashlimit-burst {}", self.burst);
            q
        };
        if self.mode & (HASH_SIP | HASH_SPT | HASH_DIP | HASH_DPT) != 0 {
            out.push_str(" --hashlimit-mode");
            out.push_str(&self.mode_str(','));
        }
        let _ = write!(out, " --hashlimit-name {}", self.name);
        if self.size != 0 {
            let _ = write!(out, " --hashlimit-htable-size {}", self.size);
        }
        if self.max != 0 {
            let _ = write!(out, " --hashlimit-htable-max {}", self.max);
        }
        if self.gc_interval != GCINTERVAL {
            let _ = write!(out, " --hashlimit-htable-gcinterval {}", self.gc_interval);
        }
        if self.expire as u64 != quantum {
            let _ = write!(out, " --hashlimit-htable-expire {}", self.expire);
        }
        let d = Hashlimit::dmask(cx.family);
        if self.srcmask != d {
            let _ = write!(out, " --hashlimit-srcmask {}", self.srcmask);
        }
        if self.dstmask != d {
            let _ = write!(out, " --hashlimit-dstmask {}", self.dstmask);
        }
        if self.rev == 3 && self.mode & RATE_MATCH != 0 {
            out.push_str(" --hashlimit-rate-match");
            if self.interval != 1 {
                let _ = write!(out, " --hashlimit-rate-interval {}", self.interval);
            }
        }
    }

    fn print(&self, cx: &Ctx<'_>, _: bool, out: &mut String) {
        if self.mode & INVERT != 0 {
            out.push_str(" limit: above");
        } else {
            out.push_str(" limit: up to");
        }
        let quantum = if self.mode & BYTES != 0 {
            Hashlimit::print_bytes(self.avg, self.burst, "", out)
        } else {
            let mut period = self.avg;
            if self.rev == 3 && self.interval != 0 {
                period = period.wrapping_mul(self.interval as u64);
            }
            let q = Hashlimit::print_rate(period, self.rev == 1, out);
            let _ = write!(out, " burst {}", self.burst);
            q
        };
        if self.mode & (HASH_SIP | HASH_SPT | HASH_DIP | HASH_DPT) != 0 {
            out.push_str(" mode");
            out.push_str(&self.mode_str('-'));
        }
        if self.size != 0 {
            let _ = write!(out, " htable-size {}", self.size);
        }
        if self.max != 0 {
            let _ = write!(out, " htable-max {}", self.max);
        }
        if self.gc_interval != GCINTERVAL {
            let _ = write!(out, " htable-gcinterval {}", self.gc_interval);
        }
        if self.expire as u64 != quantum {
            let _ = write!(out, " htable-expire {}", self.expire);
        }
        let d = Hashlimit::dmask(cx.family);
        if self.srcmask != d {
            let _ = write!(out, " srcmask {}", self.srcmask);
        }
        if self.dstmask != d {
            let _ = write!(out, " dstmask {}", self.dstmask);
        }
        if self.rev == 3 && self.mode & RATE_MATCH != 0 {
            out.push_str(" rate-match");
            if self.interval != 1 {
                let _ = write!(out, " rate-interval {}", self.interval);
            }
        }
    }

    fn xlate(&self, x: &mut Xlate, cx: &XlCtx) -> bool {
        let f = cx.family;
        let v4 = f == Family::V4;
        x.add(&format!("meter {} {{", self.name));
        let names: [(u32, &str); 4] = [
            (HASH_DIP, if v4 { "ip daddr" } else { "ip6 daddr" }),
            (HASH_DPT, "tcp dport"),
            (HASH_SIP, if v4 { "ip saddr" } else { "ip6 saddr" }),
            (HASH_SPT, "tcp sport"),
        ];
        let full = if v4 { 32 } else { 128 };
        let mut first = true;
        for (bit, name) in names {
            if self.mode & bit == 0 {
                continue;
            }
            x.add(if first { " " } else { " . " });
            first = false;
            x.add(name);
            let plen = match bit {
                HASH_DIP => Some(self.dstmask),
                HASH_SIP => Some(self.srcmask),
                _ => None,
            };
            if let Some(p) = plen.filter(|p| *p != full) {
                xlate_subnet(x, u32::from(p), v4);
            }
        }
        if self.expire != 1000 {
            x.add(&format!(" timeout {}s", self.expire / 1000));
        }
        x.add(" limit rate");
        if self.mode & INVERT != 0 {
            x.add(" over");
        }
        if self.mode & BYTES != 0 {
            const UNITS: [(&str, u64); 3] = [("m", 1024 * 1024), ("k", 1024), ("", 1)];
            let mut r = cost_to_bytes(self.avg);
            let mut i = 0;
            while i < UNITS.len() - 1 {
                let t = UNITS[i].1;
                if r >= t && bytes_to_cost(r & !(t - 1)) == self.avg {
                    break;
                }
                i += 1;
            }
            x.add(&format!(" {} {}bytes/second", r / UNITS[i].1, UNITS[i].0));
            r = r.wrapping_mul(self.burst);
            let mut i = 0;
            while i < UNITS.len() - 1 {
                if r >= UNITS[i].1 {
                    break;
                }
                i += 1;
            }
            if self.burst > 0 {
                x.add(&format!(" burst {} {}bytes", r / UNITS[i].1, UNITS[i].0));
            }
        } else {
            const RATES: [(&str, u64); 4] = [
                ("day", SCALE * 86_400),
                ("hour", SCALE * 3_600),
                ("minute", SCALE * 60),
                ("second", SCALE),
            ];
            let avg = self.avg.max(1);
            let mut i = 1;
            while i < RATES.len() {
                let m = RATES[i].1;
                if avg > m || m / avg < m % avg {
                    break;
                }
                i += 1;
            }
            x.add(&format!(" {}/{} ", RATES[i - 1].1 / avg, RATES[i - 1].0));
            if self.burst != 5 {
                x.add(&format!("burst {} packets", self.burst));
            }
        }
        x.add("}");
        true
    }
}

/// ` and MASK` of a `--hashlimit-srcmask`/`-dstmask` prefix, written
/// block by block as 1.8.11 writes it (IPv6 blocks zero-padded).
fn xlate_subnet(x: &mut Xlate, plen: u32, v4: bool) {
    let (blocks, bits) = if v4 { (4, 8) } else { (8, 16) };
    let mut left = plen;
    x.add(" and ");
    for b in 0..blocks {
        let mut acm = 0u32;
        for _ in 0..bits {
            acm <<= 1;
            if left > 0 {
                acm += 1;
                left -= 1;
            }
        }
        if v4 {
            x.add_nospc(&acm.to_string());
        } else {
            x.add_nospc(&format!("{acm:04x}"));
        }
        if b + 1 < blocks {
            x.add(if v4 { "." } else { ":" });
        }
    }
}
