//! `-j CT` and its alias `-j NOTRACK` (revision 2, `struct
//! xt_ct_target_info_v1`, 72 bytes; 64 compared). Where the kernel lacks
//! revision 2: 1 (the same layout, no alias: `-j NOTRACK` is written as
//! `CT --notrack` and reads back so) and 0 (`xt_ct_target_info`, no
//! timeout policy, 40 bytes; 32 compared), as libxtables.

use crate::iptables::error::{IptError, Result};
use crate::iptables::ext::{Ctx, OptCall, OptDef, XtExt};
use crate::iptables::family::Family;
use crate::iptables::num::strtoul_base;
use crate::iptables::xlate::{XlCtx, Xlate};
use crate::iptables::xtbuf::{Blob, Rd};
use std::fmt::Write as _;

/// `XT_CT_NOTRACK`.
pub const NOTRACK: u16 = 1;
/// `XT_CT_NOTRACK_ALIAS`.
pub const NOTRACK_ALIAS: u16 = 2;
/// `XT_CT_ZONE_DIR_ORIG`.
pub const ZONE_DIR_ORIG: u16 = 4;
/// `XT_CT_ZONE_DIR_REPL`.
pub const ZONE_DIR_REPL: u16 = 8;
/// `XT_CT_ZONE_MARK`.
pub const ZONE_MARK: u16 = 16;

const CT_EVENTS: &[(&str, u32)] = &[
    ("new", 0),
    ("related", 1),
    ("destroy", 2),
    ("reply", 3),
    ("assured", 4),
    ("protoinfo", 5),
    ("helper", 6),
    ("mark", 7),
    ("natseqinfo", 8),
    ("secmark", 9),
];
const EXP_EVENTS: &[(&str, u32)] = &[("new", 0)];

/// `struct xt_ct_target_info_v1`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Ct {
    /// `XT_CT_*`.
    pub flags: u16,
    /// Zone id.
    pub zone: u16,
    /// Conntrack event mask.
    pub ct_events: u32,
    /// Expectation event mask.
    pub exp_events: u32,
    /// Helper name.
    pub helper: String,
    /// Timeout policy name (revisions 1 and 2).
    pub timeout: String,
    /// The revision written (0 to 2).
    pub rev: u32,
}

const O_NOTRACK: u8 = 0;
const O_HELPER: u8 = 1;
const O_TIMEOUT: u8 = 2;
const O_CTEVENTS: u8 = 3;
const O_EXPEVENTS: u8 = 4;
const O_ZONE: u8 = 5;
const O_ZONE_ORIG: u8 = 6;
const O_ZONE_REPLY: u8 = 7;

const OPTS: &[OptDef] = &[
    OptDef::flag("notrack", O_NOTRACK, 0),
    OptDef::arg("helper", O_HELPER, 0),
    OptDef::arg("timeout", O_TIMEOUT, 0),
    OptDef::arg("ctevents", O_CTEVENTS, 0),
    OptDef::arg("expevents", O_EXPEVENTS, 0),
    OptDef::arg("zone-orig", O_ZONE_ORIG, 0),
    OptDef::arg("zone-reply", O_ZONE_REPLY, 0),
    OptDef::arg("zone", O_ZONE, 0),
];

/// Revision 0's options: no `--timeout`.
const OPTS_V0: &[OptDef] = &[
    OptDef::flag("notrack", O_NOTRACK, 0),
    OptDef::arg("helper", O_HELPER, 0),
    OptDef::arg("ctevents", O_CTEVENTS, 0),
    OptDef::arg("expevents", O_EXPEVENTS, 0),
    OptDef::arg("zone-orig", O_ZONE_ORIG, 0),
    OptDef::arg("zone-reply", O_ZONE_REPLY, 0),
    OptDef::arg("zone", O_ZONE, 0),
];

fn parse_events(tbl: &[(&str, u32)], s: &str) -> Result<u32> {
    let mut mask = 0u32;
    for t in s.split(',') {
        match tbl.iter().find(|(n, _)| *n == t) {
            Some((_, e)) => mask |= 1 << e,
            None => return Err(IptError::param(format!("Unknown event type \"{t}\""))),
        }
    }
    Ok(mask)
}

fn print_events(pfx: &str, tbl: &[(&str, u32)], mask: u32, out: &mut String) {
    let _ = write!(out, " {pfx} ");
    let v: Vec<&str> = tbl
        .iter()
        .filter(|(_, e)| mask & (1 << e) != 0)
        .map(|t| t.0)
        .collect();
    out.push_str(&v.join(","));
}

impl Ct {
    fn dump(&self, pfx: &str, out: &mut String) {
        if self.flags & NOTRACK != 0 {
            let _ = write!(out, " {pfx}notrack");
        }
        if !self.helper.is_empty() {
            let _ = write!(out, " {pfx}helper {}", self.helper);
        }
        if !self.timeout.is_empty() {
            let _ = write!(out, " {pfx}timeout {}", self.timeout);
        }
        if self.ct_events != 0 {
            print_events(&format!("{pfx}ctevents"), CT_EVENTS, self.ct_events, out);
        }
        if self.exp_events != 0 {
            print_events(&format!("{pfx}expevents"), EXP_EVENTS, self.exp_events, out);
        }
        if self.flags & ZONE_MARK != 0 || self.zone != 0 {
            let _ = write!(out, " {pfx}zone");
            let d = self.flags & (ZONE_DIR_ORIG | ZONE_DIR_REPL);
            if d == ZONE_DIR_ORIG {
                out.push_str("-orig");
            }
            if d == ZONE_DIR_REPL {
                out.push_str("-reply");
            }
            if self.flags & ZONE_MARK != 0 {
                out.push_str(" mark");
            } else {
                let _ = write!(out, " {}", self.zone);
            }
        }
    }
    fn blob(&self) -> Vec<u8> {
        if self.rev == 0 {
            let mut b = Blob::new(40);
            b.u16(0, self.flags)
                .u16(2, self.zone)
                .u32(4, self.ct_events)
                .u32(8, self.exp_events)
                .str(12, 16, &self.helper);
            return b.into_vec();
        }
        let mut b = Blob::new(72);
        b.u16(0, self.flags)
            .u16(2, self.zone)
            .u32(4, self.ct_events)
            .u32(8, self.exp_events)
            .str(12, 16, &self.helper)
            .str(28, 32, &self.timeout);
        b.into_vec()
    }
    fn unblob(info: &[u8], rev: u32) -> Option<Ct> {
        match (rev, info.len()) {
            (0, 40) | (1 | 2, 72) => {}
            _ => return None,
        }
        let r = Rd(info);
        let c = Ct {
            flags: r.u16(0)?,
            zone: r.u16(2)?,
            ct_events: r.u32(4)?,
            exp_events: r.u32(8)?,
            helper: r.str(12, 16)?,
            timeout: if rev == 0 {
                String::new()
            } else {
                r.str(28, 32)?
            },
            rev,
        };
        (c.blob() == info).then_some(c)
    }
    /// Bytes compared by `-C`/`-D` (up to the kernel's pointer).
    fn userspace(&self) -> usize {
        if self.rev == 0 {
            32
        } else {
            64
        }
    }
}

impl XtExt for Ct {
    const NAME: &'static str = "CT";
    const REVISION: u32 = 2;
    const SIZE: usize = 72;
    const USERSPACE: usize = 64;
    const OPTIONS: &'static [OptDef] = OPTS;

    fn init(_: &Ctx<'_>) -> Self {
        Ct {
            rev: 2,
            ..Ct::default()
        }
    }
    fn revisions(_: Family) -> &'static [u32] {
        &[2, 1, 0]
    }
    crate::revision_in_field!();
    fn options_now(&self) -> &'static [OptDef] {
        if self.rev == 0 {
            OPTS_V0
        } else {
            OPTS
        }
    }
    fn userspace_now(&self) -> usize {
        self.userspace()
    }
    fn parse(&mut self, c: &mut OptCall<'_>, _: &Ctx<'_>) -> Result<()> {
        let a = c.arg().to_string();
        match c.def.id {
            O_NOTRACK => self.flags |= NOTRACK,
            O_HELPER => self.helper = a.chars().take(15).collect(),
            O_TIMEOUT => self.timeout = a.chars().take(31).collect(),
            O_CTEVENTS => self.ct_events = parse_events(CT_EVENTS, &a)?,
            O_EXPEVENTS => self.exp_events = parse_events(EXP_EVENTS, &a)?,
            id => {
                if id == O_ZONE_ORIG {
                    self.flags |= ZONE_DIR_ORIG;
                }
                if id == O_ZONE_REPLY {
                    self.flags |= ZONE_DIR_REPL;
                }
                self.zone = 0;
                if a.eq_ignore_ascii_case("mark") {
                    self.flags |= ZONE_MARK;
                } else {
                    self.zone = strtoul_base(&a, 0, u16::MAX as u64, 0)
                        .ok_or_else(|| IptError::param(format!("Cannot parse {a} as a zone ID")))?
                        as u16;
                }
            }
        }
        Ok(())
    }
    fn to_info(&self, _: &Ctx<'_>) -> Vec<u8> {
        self.blob()
    }
    fn from_info(info: &[u8], rev: u32, _: &Ctx<'_>) -> Option<Self> {
        Ct::unblob(info, rev).filter(|c| c.flags & NOTRACK_ALIAS == 0)
    }
    fn save(&self, _: &Ctx<'_>, out: &mut String) {
        self.dump("--", out)
    }
    fn print(&self, _: &Ctx<'_>, _: bool, out: &mut String) {
        out.push_str(" CT");
        self.dump("", out)
    }

    fn xlate(&self, x: &mut Xlate, cx: &XlCtx) -> bool {
        let _ = cx;
        if self.flags & 1 == 0 {
            return false;
        }
        x.add("notrack");
        true
    }
}

/// `-j NOTRACK`: CT with the notrack and alias flags.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Notrack(pub Ct);

impl Default for Notrack {
    fn default() -> Self {
        Notrack(Ct {
            flags: NOTRACK | NOTRACK_ALIAS,
            rev: 2,
            ..Default::default()
        })
    }
}

impl XtExt for Notrack {
    const NAME: &'static str = "NOTRACK";
    const REAL_NAME: &'static str = "CT";
    const REVISION: u32 = 2;
    const SIZE: usize = 72;
    const USERSPACE: usize = 64;
    const OPTIONS: &'static [OptDef] = &[];

    fn init(_: &Ctx<'_>) -> Self {
        Notrack::default()
    }
    fn revisions(f: Family) -> &'static [u32] {
        Ct::revisions(f)
    }
    fn revision_of(&self, _: Family) -> u32 {
        self.0.rev
    }
    /// Revisions 0 and 1 have no alias: plain `CT --notrack`.
    fn set_revision(&mut self, rev: u32) {
        self.0.rev = rev;
        if rev < 2 {
            self.0.flags = NOTRACK;
        }
    }
    fn userspace_now(&self) -> usize {
        self.0.userspace()
    }
    fn parse(&mut self, _: &mut OptCall<'_>, _: &Ctx<'_>) -> Result<()> {
        Ok(())
    }
    fn to_info(&self, _: &Ctx<'_>) -> Vec<u8> {
        self.0.blob()
    }
    fn from_info(info: &[u8], rev: u32, _: &Ctx<'_>) -> Option<Self> {
        Ct::unblob(info, rev)
            .filter(|c| rev == 2 && c.flags & NOTRACK_ALIAS != 0)
            .map(Notrack)
    }
    fn save(&self, _: &Ctx<'_>, _: &mut String) {}
    fn print(&self, _: &Ctx<'_>, _: bool, out: &mut String) {
        out.push_str(" NOTRACK");
    }

    fn xlate(&self, x: &mut Xlate, cx: &XlCtx) -> bool {
        self.0.xlate(x, cx)
    }
}
