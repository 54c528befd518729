//! `-j SET` (revision 3, `struct xt_set_info_target_v3`, 24 bytes): add the
//! packet to, or delete it from, an ipset, or map set data onto it. Where
//! the kernel lacks revision 3: 2 (`xt_set_info_target_v2`, no map set,
//! 16 bytes) and 1 (`xt_set_info_target_v1`, only the add and del sets, 8
//! bytes), with their smaller option tables and checks, as libxtables.

use crate::iptables::error::{IptError, Result};
use crate::iptables::ext::{Ctx, OptCall, OptDef, XtExt};
use crate::iptables::family::Family;
use crate::iptables::ipset;
use crate::iptables::match_::set::SetInfo;
use crate::iptables::num::strtoui;
use crate::iptables::xtbuf::{Blob, Rd};
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
    /// The revision written (1 to 3).
    pub rev: u32,
}

/// The options of revision `rev`: 1 knows the add and del sets, 2 adds
/// `--exist` and `--timeout`, 3 the map set.
fn opts(rev: u32) -> &'static [OptDef] {
    match rev {
        1 => &OPTS[..2],
        2 => &OPTS[..4],
        _ => OPTS,
    }
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
        if self.rev < 3 {
            return;
        }
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
            rev: 3,
        }
    }
    fn revisions(_: Family) -> &'static [u32] {
        &[3, 2, 1]
    }
    crate::revision_in_field!();
    fn options_now(&self) -> &'static [OptDef] {
        opts(self.rev)
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
        if self.rev < 3 && !has(ADD) && !has(DEL) {
            return Err(IptError::param(
                "You must specify either `--add-set' or `--del-set'",
            ));
        }
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
        let (size, sets) = match self.rev {
            1 => (8, 2),
            2 => (16, 2),
            _ => (Self::SIZE, 3),
        };
        let mut b = Blob::new(size);
        for (at, s) in [(0, &self.add_set), (4, &self.del_set), (8, &self.map_set)]
            .into_iter()
            .take(sets)
        {
            b.u16(at, s.index).u8(at + 2, s.dim).u8(at + 3, s.flags);
        }
        if self.rev >= 2 {
            let at = 4 * sets;
            b.u32(at, self.flags).u32(at + 4, self.timeout);
        }
        b.into_vec()
    }
    fn from_info(info: &[u8], rev: u32, cx: &Ctx<'_>) -> Option<Self> {
        let r = Rd(info);
        let mut t = SetTarget::init(cx);
        t.rev = rev;
        t.add_set = read_set(r, 0)?;
        t.del_set = read_set(r, 4)?;
        match (rev, info.len()) {
            (1, 8) => {}
            (2, 16) => {
                t.flags = r.u32(8)?;
                t.timeout = r.u32(12)?;
            }
            (3, Self::SIZE) => {
                t.map_set = read_set(r, 8)?;
                t.flags = r.u32(12)?;
                t.timeout = r.u32(16)?;
            }
            _ => return None,
        }
        if t.to_info(cx) != info {
            return None;
        }
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
