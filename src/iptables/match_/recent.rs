//! `-m recent` (revision 1, `struct xt_recent_mtinfo_v1`, 232 bytes) and,
//! where the kernel lacks it, revision 0 (`xt_recent_mtinfo`: no
//! `--mask`, 216 bytes), as libxtables.

use crate::iptables::addr::addr_str;
use crate::iptables::error::{IptError, Result};
use crate::iptables::ext::{Ctx, OptCall, OptDef, XtExt, F_INVERT};
use crate::iptables::family::Family;
use crate::iptables::match_::conntrack::parse_host;
use crate::iptables::text::parse_uint;
use crate::iptables::xtbuf::{Blob, Rd};
use std::fmt::Write as _;

/// `XT_RECENT_CHECK`.
pub const CHECK: u8 = 1;
/// `XT_RECENT_SET`.
pub const SET: u8 = 2;
/// `XT_RECENT_UPDATE`.
pub const UPDATE: u8 = 4;
/// `XT_RECENT_REMOVE`.
pub const REMOVE: u8 = 8;
/// `XT_RECENT_TTL`.
pub const TTL: u8 = 16;
/// `XT_RECENT_REAP`.
pub const REAP: u8 = 32;

/// `struct xt_recent_mtinfo_v1`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Recent {
    /// `--seconds`.
    pub seconds: u32,
    /// `--hitcount`.
    pub hit_count: u32,
    /// `XT_RECENT_*` operations.
    pub check_set: u8,
    /// `!`.
    pub invert: u8,
    /// The list name field as the kernel gets it (200 bytes): iptables
    /// starts from "DEFAULT" and writes `--name` over it with one NUL, so
    /// bytes of "DEFAULT" can remain after a shorter name.
    pub name_field: [u8; 200],
    /// 0 source, 1 destination.
    pub side: u8,
    /// Address mask (revision 1).
    pub mask: [u8; 16],
    /// The revision written (0 or 1).
    pub rev: u32,
}

impl Default for Recent {
    fn default() -> Self {
        Recent {
            seconds: 0,
            hit_count: 0,
            check_set: 0,
            invert: 0,
            name_field: {
                let mut f = [0u8; 200];
                f[..7].copy_from_slice(b"DEFAULT");
                f
            },
            side: 0,
            mask: [0xff; 16],
            rev: 1,
        }
    }
}

const O_SET: u8 = 0;
const O_RCHECK: u8 = 1;
const O_UPDATE: u8 = 2;
const O_REMOVE: u8 = 3;
const O_SECONDS: u8 = 4;
const O_REAP: u8 = 5;
const O_HITCOUNT: u8 = 6;
const O_RTTL: u8 = 7;
const O_NAME: u8 = 8;
const O_RSOURCE: u8 = 9;
const O_RDEST: u8 = 10;
const O_MASK: u8 = 11;
const F_ANY_OP: u32 = 0xf;

const OPTS: &[OptDef] = &[
    OptDef::flag("set", O_SET, F_INVERT).excl(F_ANY_OP),
    OptDef::flag("rcheck", O_RCHECK, F_INVERT).excl(F_ANY_OP),
    OptDef::flag("update", O_UPDATE, F_INVERT).excl(F_ANY_OP),
    OptDef::flag("remove", O_REMOVE, F_INVERT).excl(F_ANY_OP),
    OptDef::arg("seconds", O_SECONDS, 0),
    OptDef::flag("reap", O_REAP, 0).also(1 << O_SECONDS),
    OptDef::arg("hitcount", O_HITCOUNT, 0),
    OptDef::flag("rttl", O_RTTL, 0).excl((1 << O_SET) | (1 << O_REMOVE)),
    OptDef::arg("name", O_NAME, 0),
    OptDef::flag("rsource", O_RSOURCE, 0),
    OptDef::flag("rdest", O_RDEST, 0),
    OptDef::arg("mask", O_MASK, 0),
];

impl Recent {
    /// The list name (up to the first NUL).
    pub fn name(&self) -> String {
        let n = self.name_field.iter().position(|&b| b == 0).unwrap_or(200);
        String::from_utf8_lossy(&self.name_field[..n]).into_owned()
    }
}

impl XtExt for Recent {
    const NAME: &'static str = "recent";
    const REVISION: u32 = 1;
    const SIZE: usize = 232;
    const OPTIONS: &'static [OptDef] = OPTS;

    fn init(_: &Ctx<'_>) -> Self {
        Recent::default()
    }
    fn revisions(_: Family) -> &'static [u32] {
        &[1, 0]
    }
    fn revision_of(&self, _: Family) -> u32 {
        self.rev
    }
    fn set_revision(&mut self, rev: u32) {
        self.rev = rev;
        if rev == 0 {
            self.mask = [0; 16];
        }
    }
    fn options_now(&self) -> &'static [OptDef] {
        if self.rev == 0 {
            &OPTS[..OPTS.len() - 1]
        } else {
            OPTS
        }
    }
    fn parse(&mut self, c: &mut OptCall<'_>, cx: &Ctx<'_>) -> Result<()> {
        let a = c.arg().to_string();
        match c.def.id {
            O_SET | O_RCHECK | O_UPDATE | O_REMOVE => {
                self.check_set |= [SET, CHECK, UPDATE, REMOVE][c.def.id as usize];
                if c.invert {
                    self.invert = 1;
                }
            }
            O_SECONDS => {
                self.seconds = parse_uint("recent", "seconds", &a, 1, u32::MAX as u64)? as u32
            }
            O_REAP => self.check_set |= REAP,
            O_HITCOUNT => {
                self.hit_count = parse_uint("recent", "hitcount", &a, 0, u32::MAX as u64)? as u32
            }
            O_RTTL => self.check_set |= TTL,
            O_NAME => {
                let z = a.len().min(199);
                self.name_field[..z].copy_from_slice(&a.as_bytes()[..z]);
                self.name_field[z] = 0;
            }
            O_RSOURCE => self.side = 0,
            O_RDEST => self.side = 1,
            _ => self.mask = parse_host(cx.family, &a)?,
        }
        Ok(())
    }
    fn check(&mut self, seen: u32, _: &Ctx<'_>) -> Result<()> {
        if seen & F_ANY_OP == 0 {
            return Err(IptError::param(
                "recent: you must specify one of `--set', `--rcheck' `--update' or `--remove'",
            ));
        }
        Ok(())
    }
    fn to_info(&self, _: &Ctx<'_>) -> Vec<u8> {
        let mut b = Blob::new(if self.rev == 0 { 216 } else { Self::SIZE });
        b.u32(0, self.seconds)
            .u32(4, self.hit_count)
            .u8(8, self.check_set)
            .u8(9, self.invert)
            .bytes(10, &self.name_field)
            .u8(210, self.side);
        if self.rev != 0 {
            b.bytes(212, &self.mask);
        }
        b.into_vec()
    }
    fn from_info(info: &[u8], rev: u32, cx: &Ctx<'_>) -> Option<Self> {
        match (rev, info.len()) {
            (0, 216) | (1, Self::SIZE) => {}
            _ => return None,
        }
        let r = Rd(info);
        let mut x = Recent {
            seconds: r.u32(0)?,
            hit_count: r.u32(4)?,
            check_set: r.u8(8)?,
            invert: r.u8(9)?,
            name_field: [0; 200],
            side: r.u8(210)?,
            mask: [0; 16],
            rev,
        };
        if rev != 0 {
            x.mask.copy_from_slice(r.bytes(212, 16)?);
        }
        x.name_field.copy_from_slice(r.bytes(10, 200)?);
        (x.to_info(cx) == info).then_some(x)
    }
    fn save(&self, cx: &Ctx<'_>, out: &mut String) {
        if self.invert != 0 {
            out.push_str(" !");
        }
        for (b, n) in [
            (SET, " --set"),
            (CHECK, " --rcheck"),
            (UPDATE, " --update"),
            (REMOVE, " --remove"),
        ] {
            if self.check_set & b != 0 {
                out.push_str(n);
            }
        }
        if self.seconds != 0 {
            let _ = write!(out, " --seconds {}", self.seconds);
        }
        if self.check_set & REAP != 0 {
            out.push_str(" --reap");
        }
        if self.hit_count != 0 {
            let _ = write!(out, " --hitcount {}", self.hit_count);
        }
        if self.check_set & TTL != 0 {
            out.push_str(" --rttl");
        }
        let _ = write!(out, " --name {}", self.name());
        if self.rev != 0 {
            let _ = write!(out, " --mask {}", addr_str(cx.family, &self.mask));
        }
        match self.side {
            0 => out.push_str(" --rsource"),
            1 => out.push_str(" --rdest"),
            _ => {}
        }
    }
    fn print(&self, cx: &Ctx<'_>, _: bool, out: &mut String) {
        if self.invert != 0 {
            out.push_str(" !");
        }
        out.push_str(" recent:");
        for (b, n) in [
            (SET, " SET"),
            (CHECK, " CHECK"),
            (UPDATE, " UPDATE"),
            (REMOVE, " REMOVE"),
        ] {
            if self.check_set & b != 0 {
                out.push_str(n);
            }
        }
        if self.seconds != 0 {
            let _ = write!(out, " seconds: {}", self.seconds);
        }
        if self.check_set & REAP != 0 {
            out.push_str(" reap");
        }
        if self.hit_count != 0 {
            let _ = write!(out, " hit_count: {}", self.hit_count);
        }
        if self.check_set & TTL != 0 {
            out.push_str(" TTL-Match");
        }
        let _ = write!(out, " name: {}", self.name());
        match self.side {
            0 => out.push_str(" side: source"),
            1 => out.push_str(" side: dest"),
            _ => {}
        }
        if self.rev != 0 {
            let _ = write!(out, " mask: {}", addr_str(cx.family, &self.mask));
        }
    }
}
