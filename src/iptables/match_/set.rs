//! `-m set` (revision 4, `struct xt_set_info_match_v4`, 48 bytes). The set
//! is referenced by its kernel ipset index. Where the kernel lacks
//! revision 4: 3 (`xt_set_info_match_v3`, counters with the operator
//! first, 48 bytes), 2 (`xt_set_info_match_v1` with `--return-nomatch` in
//! the set's flags, 8 bytes) and 1 (the same without it), with their
//! smaller option tables, as libxtables.

use crate::iptables::error::{IptError, Result};
use crate::iptables::ext::{Ctx, OptCall, OptDef, XtExt};
use crate::iptables::family::Family;
use crate::iptables::ipset;
use crate::iptables::num::strtoul_base;
use crate::iptables::xtbuf::{Blob, Rd};
use std::fmt::Write as _;

/// `IPSET_INV_MATCH`.
pub const INV_MATCH: u8 = 1;
/// `IPSET_FLAG_SKIP_COUNTER_UPDATE`.
pub const SKIP_COUNTER_UPDATE: u32 = 1 << 3;
/// `IPSET_FLAG_SKIP_SUBCOUNTER_UPDATE`.
pub const SKIP_SUBCOUNTER_UPDATE: u32 = 1 << 4;
/// `IPSET_FLAG_RETURN_NOMATCH`.
pub const RETURN_NOMATCH: u32 = 1 << 7;

/// A set reference (`struct xt_set_info`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SetInfo {
    /// Kernel set index.
    pub index: u16,
    /// Number of src/dst flags.
    pub dim: u8,
    /// Bit i (1..=dim) set = src; bit 0 = inverted.
    pub flags: u8,
    /// The set's name (from the command line or looked up).
    pub name: String,
}

impl SetInfo {
    /// ` [!] OPT NAME src,dst`.
    pub fn print(&self, opt: &str, out: &mut String) {
        let inv = if self.flags & INV_MATCH != 0 {
            " !"
        } else {
            ""
        };
        let _ = write!(out, "{inv} {opt} {}", self.name);
        for i in 1..=self.dim.min(6) {
            out.push_str(if i == 1 { " " } else { "," });
            out.push_str(if self.flags & (1 << i) != 0 {
                "src"
            } else {
                "dst"
            });
        }
    }
    /// `parse_dirs`.
    pub fn parse_dirs(&mut self, s: &str) -> Result<()> {
        let mut parts = s.split(',');
        while self.dim < 6 {
            let Some(p) = parts.next() else { break };
            self.dim += 1;
            if p.starts_with("src") {
                self.flags |= 1 << self.dim;
            } else if !p.starts_with("dst") {
                return Err(IptError::param(
                    "You must specify (the comma separated list of) 'src' or 'dst'.",
                ));
            }
        }
        if parts.next().is_some() {
            return Err(IptError::param("Can't be more src/dst options than 6."));
        }
        Ok(())
    }
}

/// `struct ip_set_counter_match`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Counter {
    /// Value.
    pub value: u64,
    /// `IPSET_COUNTER_*`.
    pub op: u8,
}

/// `struct xt_set_info_match_v4`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Set {
    /// The set.
    pub set: SetInfo,
    /// Packet counter test.
    pub packets: Counter,
    /// Byte counter test.
    pub bytes: Counter,
    /// `IPSET_FLAG_*` (revision 2: only `RETURN_NOMATCH`, carried in the
    /// set's flags byte).
    pub flags: u32,
    /// The revision written (1 to 4).
    pub rev: u32,
}

/// The options of revision `rev`: 1 knows `--match-set`/`--set`, 2 adds
/// `--return-nomatch`, 3 and 4 all.
fn opts(rev: u32) -> &'static [OptDef] {
    match rev {
        1 => &OPTS[..2],
        2 => &OPTS[..3],
        _ => OPTS,
    }
}

const OPTS: &[OptDef] = &[
    OptDef::arg("match-set", 1, 0),
    OptDef::arg("set", 2, 0),
    OptDef::flag("return-nomatch", 3, 0),
    OptDef::flag("update-counters", 4, 0),
    OptDef::arg("packets-eq", 5, 0),
    OptDef::arg("packets-lt", 6, 0),
    OptDef::arg("packets-gt", 7, 0),
    OptDef::arg("bytes-eq", 8, 0),
    OptDef::arg("bytes-lt", 9, 0),
    OptDef::arg("bytes-gt", 10, 0),
    OptDef::flag("update-subcounters", 11, 0),
];

fn print_counter(c: &Counter, name: &str, sep: &str, out: &mut String) {
    match c.op {
        1 => {
            let _ = write!(out, " {sep}{name}-eq {}", c.value);
        }
        2 => {
            let _ = write!(out, " ! {sep}{name}-eq {}", c.value);
        }
        3 => {
            let _ = write!(out, " {sep}{name}-lt {}", c.value);
        }
        4 => {
            let _ = write!(out, " {sep}{name}-gt {}", c.value);
        }
        _ => {}
    }
}

impl Set {
    fn dump(&self, opt: &str, sep: &str, out: &mut String) {
        self.set.print(opt, out);
        if self.flags & RETURN_NOMATCH != 0 {
            let _ = write!(out, " {sep}return-nomatch");
        }
        if self.flags & SKIP_COUNTER_UPDATE != 0 {
            let _ = write!(out, " ! {sep}update-counters");
        }
        if self.flags & SKIP_SUBCOUNTER_UPDATE != 0 {
            let _ = write!(out, " ! {sep}update-subcounters");
        }
        print_counter(&self.packets, "packets", sep, out);
        print_counter(&self.bytes, "bytes", sep, out);
    }
}

impl XtExt for Set {
    const NAME: &'static str = "set";
    const REVISION: u32 = 4;
    const SIZE: usize = 48;
    const X6: bool = false;
    const OPTIONS: &'static [OptDef] = OPTS;

    fn init(_: &Ctx<'_>) -> Self {
        Set {
            rev: 4,
            ..Set::default()
        }
    }
    fn revisions(_: Family) -> &'static [u32] {
        &[4, 3, 2, 1]
    }
    crate::revision_in_field!();
    fn options_now(&self) -> &'static [OptDef] {
        opts(self.rev)
    }

    fn parse(&mut self, c: &mut OptCall<'_>, cx: &Ctx<'_>) -> Result<()> {
        let arg = c.arg().to_string();
        let counter = |c: &OptCall<'_>, target: &mut Counter, which: &str, op: u8| -> Result<()> {
            if target.op != 0 {
                return Err(IptError::param(format!(
                    "only one of the --{which}-[eq|lt|gt] is allowed"
                )));
            }
            if c.invert && op != 1 {
                return Err(IptError::param(format!(
                    "--{} option cannot be inverted",
                    c.def.name
                )));
            }
            target.op = if c.invert { 2 } else { op };
            target.value = strtoul_base(c.arg(), 0, u64::MAX, 0).ok_or_else(|| {
                IptError::param(format!("Cannot parse {} as a counter value", c.arg()))
            })?;
            Ok(())
        };
        match c.def.id {
            11 => {
                if c.invert {
                    self.flags |= SKIP_SUBCOUNTER_UPDATE;
                }
            }
            10 => counter(c, &mut self.bytes, "bytes", 4)?,
            9 => counter(c, &mut self.bytes, "bytes", 3)?,
            8 => counter(c, &mut self.bytes, "bytes", 1)?,
            7 => counter(c, &mut self.packets, "packets", 4)?,
            6 => counter(c, &mut self.packets, "packets", 3)?,
            5 => counter(c, &mut self.packets, "packets", 1)?,
            4 => {
                if c.invert {
                    self.flags |= SKIP_COUNTER_UPDATE;
                }
            }
            // revision 2 takes it inverted or not
            3 if self.rev == 2 => self.flags |= RETURN_NOMATCH,
            3 => {
                if c.invert {
                    return Err(IptError::param("--return-nomatch flag cannot be inverted"));
                }
                self.flags |= RETURN_NOMATCH;
            }
            _ => {
                if c.def.id == 2 {
                    crate::iptables::warn::warn("--set option deprecated, please use --match-set");
                }
                if self.set.dim != 0 {
                    return Err(IptError::param("--match-set can be specified only once"));
                }
                if c.invert {
                    self.set.flags |= INV_MATCH;
                }
                let dirs = match c.argv.peek() {
                    Some(a) if !a.starts_with('-') && !a.starts_with('!') => a.to_string(),
                    _ => return Err(IptError::param("--match-set requires two args.")),
                };
                if arg.len() > ipset::MAXNAMELEN - 1 {
                    return Err(IptError::param(format!(
                        "setname `{arg}' too long, max {} characters.",
                        ipset::MAXNAMELEN - 1
                    )));
                }
                self.set.index = ipset::index_by_name(&arg, cx.family.nfproto())?;
                self.set.name = arg;
                self.set.parse_dirs(&dirs)?;
                c.argv.take();
            }
        }
        Ok(())
    }

    fn check(&mut self, seen: u32, _: &Ctx<'_>) -> Result<()> {
        if seen & ((1 << 1) | (1 << 2)) == 0 {
            return Err(IptError::param(
                "You must specify `--match-set' with proper arguments",
            ));
        }
        Ok(())
    }

    fn to_info(&self, _: &Ctx<'_>) -> Vec<u8> {
        if self.rev <= 2 {
            let mut flags = self.set.flags;
            if self.rev == 2 && self.flags & RETURN_NOMATCH != 0 {
                flags |= RETURN_NOMATCH as u8;
            }
            let mut b = Blob::new(8);
            b.u16(0, self.set.index).u8(2, self.set.dim).u8(3, flags);
            return b.into_vec();
        }
        let mut b = Blob::new(Self::SIZE);
        if self.rev == 3 {
            b.u16(0, self.set.index)
                .u8(2, self.set.dim)
                .u8(3, self.set.flags)
                .u8(8, self.packets.op)
                .u64(16, self.packets.value)
                .u8(24, self.bytes.op)
                .u64(32, self.bytes.value)
                .u32(40, self.flags);
            return b.into_vec();
        }
        b.u16(0, self.set.index)
            .u8(2, self.set.dim)
            .u8(3, self.set.flags)
            .u64(8, self.packets.value)
            .u8(16, self.packets.op)
            .u64(24, self.bytes.value)
            .u8(32, self.bytes.op)
            .u32(40, self.flags);
        b.into_vec()
    }

    fn from_info(info: &[u8], rev: u32, cx: &Ctx<'_>) -> Option<Self> {
        let r = Rd(info);
        let index = r.u16(0)?;
        let mut s = match (rev, info.len()) {
            (1 | 2, 8) => {
                let mut s = Set {
                    set: SetInfo {
                        index,
                        dim: r.u8(2)?,
                        flags: r.u8(3)?,
                        name: String::new(),
                    },
                    rev,
                    ..Set::default()
                };
                if rev == 2 && s.set.flags & RETURN_NOMATCH as u8 != 0 {
                    s.set.flags &= !(RETURN_NOMATCH as u8);
                    s.flags = RETURN_NOMATCH;
                }
                s
            }
            (3, Self::SIZE) => Set {
                set: SetInfo {
                    index,
                    dim: r.u8(2)?,
                    flags: r.u8(3)?,
                    name: String::new(),
                },
                packets: Counter {
                    op: r.u8(8)?,
                    value: r.u64(16)?,
                },
                bytes: Counter {
                    op: r.u8(24)?,
                    value: r.u64(32)?,
                },
                flags: r.u32(40)?,
                rev,
            },
            (4, Self::SIZE) => Set {
                set: SetInfo {
                    index,
                    dim: r.u8(2)?,
                    flags: r.u8(3)?,
                    name: String::new(),
                },
                packets: Counter {
                    value: r.u64(8)?,
                    op: r.u8(16)?,
                },
                bytes: Counter {
                    value: r.u64(24)?,
                    op: r.u8(32)?,
                },
                flags: r.u32(40)?,
                rev,
            },
            _ => return None,
        };
        if s.to_info(cx) != info {
            return None;
        }
        s.set.name = ipset::name_by_index(index).ok()?;
        Some(s)
    }

    fn save(&self, _: &Ctx<'_>, out: &mut String) {
        self.dump("--match-set", "--", out)
    }

    fn print(&self, _: &Ctx<'_>, _: bool, out: &mut String) {
        self.dump("match-set", "", out)
    }
}
