//! `-j SET` (revision 3, `struct xt_set_info_target_v3`, 24 bytes): add the
//! packet to, or delete it from, an ipset, or map set data onto it.

use crate::iptables::error::{IptError, Result};
use crate::iptables::ext::{decode_exact, Ctx, OptCall, OptDef, XtExt};
use crate::iptables::ipset;
use crate::iptables::match_::set::SetInfo;
use crate::iptables::num::strtoui;
use crate::iptables::xtbuf::Blob;
use std::fmt::Write as _;

// Option ids; their bits are iptables' `SET_TARGET_*` flags.
const ADD: u8 = 0;
const DEL: u8 = 1;
const EXIST: u8 = 2;
const TIMEOUT: u8 = 3;
const MAP: u8 = 4;
const MAP_MARK: u8 = 5;
const MAP_PRIO: u8 = 6;
const MAP_QUEUE: u8 = 7;
const FLAG_EXIST: u32 = 1 << 0;
const FLAG_MAP_SKBMARK: u32 = 1 << 8;
const FLAG_MAP_SKBPRIO: u32 = 1 << 9;
const FLAG_MAP_SKBQUEUE: u32 = 1 << 10;

/// `struct xt_set_info_target_v3`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SetTarget {
    /// `--add-set`.
    pub add_set: SetInfo,
    /// `--del-set`.
    pub del_set: SetInfo,
    /// `--map-set`.
    pub map_set: SetInfo,
    /// `IPSET_FLAG_*`.
    pub flags: u32,
    /// Timeout of added entries (`u32::MAX`: the set's default).
    pub timeout: u32,
}

const OPTS: &[OptDef] = &[
    OptDef::arg("add-set", ADD, 0),
    OptDef::arg("del-set", DEL, 0),
    OptDef::flag("exist", EXIST, 0),
    OptDef::arg("timeout", TIMEOUT, 0),
    OptDef::arg("map-set", MAP, 0),
    OptDef::flag("map-mark", MAP_MARK, 0),
    OptDef::flag("map-prio", MAP_PRIO, 0),
    OptDef::flag("map-queue", MAP_QUEUE, 0),
];

fn unset() -> SetInfo {
    SetInfo {
        index: ipset::INVALID_ID,
        ..Default::default()
    }
}

/// `parse_target`: `NAME src|dst[,...]`.
fn parse_set(c: &mut OptCall<'_>, cx: &Ctx<'_>, info: &mut SetInfo) -> Result<()> {
    let what = c.def.name;
    if info.dim != 0 {
        return Err(IptError::param(format!(
            "--{what} can be specified only once"
        )));
    }
    let dirs = match c.argv.peek() {
        Some(a) if !a.starts_with('-') && !a.starts_with('!') => a.to_string(),
        _ => return Err(IptError::param(format!("--{what} requires two args."))),
    };
    let name = c.arg().to_string();
    if name.len() > ipset::MAXNAMELEN - 1 {
        return Err(IptError::param(format!(
            "setname `{name}' too long, max {} characters.",
            ipset::MAXNAMELEN - 1
        )));
    }
    info.index = ipset::index_by_name(&name, cx.family.nfproto())?;
    info.name = name;
    info.parse_dirs(&dirs)?;
    c.argv.take();
    Ok(())
}

/// A set reference as `print_target` shows it (nothing when unused).
fn show(info: &SetInfo, opt: &str, out: &mut String) {
    if info.index != ipset::INVALID_ID {
        info.print(opt, out);
    }
}

fn read_set(r: crate::iptables::xtbuf::Rd<'_>, at: usize) -> Option<SetInfo> {
    Some(SetInfo {
        index: r.u16(at)?,
        dim: r.u8(at + 2)?,
        flags: r.u8(at + 3)?,
        name: String::new(),
    })
}

impl SetTarget {
    fn dump(&self, p: &str, out: &mut String) {
        show(&self.add_set, &format!("{p}add-set"), out);
        if self.flags & FLAG_EXIST != 0 {
            let _ = write!(out, " {p}exist");
        }
        if self.timeout != u32::MAX {
            let _ = write!(out, " {p}timeout {}", self.timeout);
        }
        show(&self.del_set, &format!("{p}del-set"), out);
        show(&self.map_set, &format!("{p}map-set"), out);
        for (f, w) in [
            (FLAG_MAP_SKBMARK, "map-mark"),
            (FLAG_MAP_SKBPRIO, "map-prio"),
            (FLAG_MAP_SKBQUEUE, "map-queue"),
        ] {
            if self.flags & f != 0 {
                let _ = write!(out, " {p}{w}");
            }
        }
    }
}

impl XtExt for SetTarget {
    const NAME: &'static str = "SET";
    const REVISION: u32 = 3;
    const SIZE: usize = 24;
    const X6: bool = false;
    const OPTIONS: &'static [OptDef] = OPTS;

    fn init(_: &Ctx<'_>) -> Self {
        SetTarget {
            add_set: unset(),
            del_set: unset(),
            map_set: unset(),
            flags: 0,
            timeout: u32::MAX,
        }
    }
    fn parse(&mut self, c: &mut OptCall<'_>, cx: &Ctx<'_>) -> Result<()> {
        match c.def.id {
            ADD => parse_set(c, cx, &mut self.add_set)?,
            DEL => parse_set(c, cx, &mut self.del_set)?,
            MAP => parse_set(c, cx, &mut self.map_set)?,
            EXIST => self.flags |= FLAG_EXIST,
            TIMEOUT => {
                self.timeout = strtoui(c.arg(), 0, u32::MAX as u64 - 1).ok_or_else(|| {
                    IptError::param(format!(
                        "Invalid value for option --timeout or out of range 0-{}",
                        u32::MAX - 1
                    ))
                })? as u32
            }
            MAP_MARK => self.flags |= FLAG_MAP_SKBMARK,
            MAP_PRIO => self.flags |= FLAG_MAP_SKBPRIO,
            _ => self.flags |= FLAG_MAP_SKBQUEUE,
        }
        Ok(())
    }
    fn check(&mut self, seen: u32, _: &Ctx<'_>) -> Result<()> {
        let has = |b: u8| seen & (1 << b) != 0;
        if !has(ADD) && !has(DEL) && !has(MAP) {
            return Err(IptError::param(
                "You must specify either `--add-set' or `--del-set' or `--map-set'",
            ));
        }
        if !has(ADD) {
            if has(EXIST) {
                return Err(IptError::param(
                    "Flag `--exist' can be used with `--add-set' only",
                ));
            }
            if has(TIMEOUT) {
                return Err(IptError::param(
                    "Option `--timeout' can be used with `--add-set' only",
                ));
            }
        }
        if !has(MAP) {
            for (b, w) in [
                (MAP_MARK, "map-mark"),
                (MAP_PRIO, "map-prio"),
                (MAP_QUEUE, "map-queue"),
            ] {
                if has(b) {
                    return Err(IptError::param(format!(
                        "Flag `--{w}' can be used with `--map-set' only"
                    )));
                }
            }
        }
        if has(MAP) && !has(MAP_MARK) && !has(MAP_PRIO) && !has(MAP_QUEUE) {
            return Err(IptError::param(
                "You must specify flags `--map-mark' or '--map-prio` or `--map-queue'",
            ));
        }
        Ok(())
    }
    fn to_info(&self, _: &Ctx<'_>) -> Vec<u8> {
        let mut b = Blob::new(Self::SIZE);
        for (at, s) in [(0, &self.add_set), (4, &self.del_set), (8, &self.map_set)] {
            b.u16(at, s.index).u8(at + 2, s.dim).u8(at + 3, s.flags);
        }
        b.u32(12, self.flags).u32(16, self.timeout);
        b.into_vec()
    }
    fn from_info(info: &[u8], rev: u32, cx: &Ctx<'_>) -> Option<Self> {
        let mut t = decode_exact(info, rev, cx, |r| {
            Some(SetTarget {
                add_set: read_set(r, 0)?,
                del_set: read_set(r, 4)?,
                map_set: read_set(r, 8)?,
                flags: r.u32(12)?,
                timeout: r.u32(16)?,
            })
        })?;
        for s in [&mut t.add_set, &mut t.del_set, &mut t.map_set] {
            if s.index != ipset::INVALID_ID {
                s.name = ipset::name_by_index(s.index).ok()?;
            }
        }
        Some(t)
    }
    fn save(&self, _: &Ctx<'_>, out: &mut String) {
        self.dump("--", out);
    }
    fn print(&self, _: &Ctx<'_>, _: bool, out: &mut String) {
        self.dump("", out);
    }
}
