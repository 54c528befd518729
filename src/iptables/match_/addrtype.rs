//! `-m addrtype` (revision 1, `struct xt_addrtype_info_v1`, 8 bytes) and,
//! for IPv4 where the kernel lacks it, revision 0 (`xt_addrtype_info`: two
//! inversion words, no `--limit-iface-*`, 16 bytes), as libxtables.

use crate::iptables::error::{IptError, Result};
use crate::iptables::ext::{Ctx, OptCall, OptDef, XtExt, F_INVERT};
use crate::iptables::family::Family;
use crate::iptables::text::ncase_eq;
use crate::iptables::xlate::{XlCtx, Xlate};
use crate::iptables::xtbuf::{Blob, Rd};

const NAMES: &[&str] = &[
    "UNSPEC",
    "UNICAST",
    "LOCAL",
    "BROADCAST",
    "ANYCAST",
    "MULTICAST",
    "BLACKHOLE",
    "UNREACHABLE",
    "PROHIBIT",
    "THROW",
    "NAT",
    "XRESOLVE",
];

/// `XT_ADDRTYPE_INVERT_SOURCE`.
pub const INVERT_SOURCE: u32 = 1;
/// `XT_ADDRTYPE_INVERT_DEST`.
pub const INVERT_DEST: u32 = 2;
/// `XT_ADDRTYPE_LIMIT_IFACE_IN`.
pub const LIMIT_IFACE_IN: u32 = 4;
/// `XT_ADDRTYPE_LIMIT_IFACE_OUT`.
pub const LIMIT_IFACE_OUT: u32 = 8;

/// `struct xt_addrtype_info_v1`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Addrtype {
    /// Source type bits (`1 << RTN_*`).
    pub source: u16,
    /// Destination type bits.
    pub dest: u16,
    /// `XT_ADDRTYPE_*` flags (revision 0: its two inversion words).
    pub flags: u32,
    /// The revision written (0: IPv4 only).
    pub rev: u32,
}

fn parse_types(arg: &str) -> Result<u16> {
    let mut mask = 0u16;
    let mut rest = arg;
    let find = |w: &str| NAMES.iter().position(|n| ncase_eq(w, n));
    while let Some(p) = rest.find(',') {
        let w = &rest[..p];
        match find(w).filter(|_| !w.is_empty()) {
            Some(i) => mask |= 1 << i,
            None => return Err(IptError::param(format!("addrtype: bad type `{rest}'"))),
        }
        rest = &rest[p + 1..];
    }
    match find(rest).filter(|_| !rest.is_empty()) {
        Some(i) => mask |= 1 << i,
        None => return Err(IptError::param(format!("addrtype: bad type \"{rest}\""))),
    }
    Ok(mask)
}

fn types_str(mask: u16) -> String {
    let mut v = Vec::new();
    for (i, n) in NAMES.iter().enumerate() {
        if mask & (1 << i) != 0 {
            v.push(*n);
        }
    }
    v.join(",")
}

const OPTS: &[OptDef] = &[
    OptDef::arg("src-type", 0, F_INVERT),
    OptDef::arg("dst-type", 1, F_INVERT),
    OptDef::flag("limit-iface-in", 2, 0).excl(1 << 3),
    OptDef::flag("limit-iface-out", 3, 0).excl(1 << 2),
];

impl XtExt for Addrtype {
    const NAME: &'static str = "addrtype";
    const REVISION: u32 = 1;
    const SIZE: usize = 8;
    const OPTIONS: &'static [OptDef] = OPTS;

    fn init(_: &Ctx<'_>) -> Self {
        Addrtype {
            rev: 1,
            ..Addrtype::default()
        }
    }
    fn revisions(f: Family) -> &'static [u32] {
        match f {
            Family::V4 => &[1, 0],
            _ => &[1],
        }
    }
    crate::revision_in_field!();
    fn options_now(&self) -> &'static [OptDef] {
        if self.rev == 0 {
            &OPTS[..2]
        } else {
            OPTS
        }
    }

    fn parse(&mut self, c: &mut OptCall<'_>, _: &Ctx<'_>) -> Result<()> {
        match c.def.id {
            0 => {
                self.source |= parse_types(c.arg())?;
                if c.invert {
                    self.flags |= INVERT_SOURCE;
                }
            }
            1 => {
                self.dest |= parse_types(c.arg())?;
                if c.invert {
                    self.flags |= INVERT_DEST;
                }
            }
            2 => self.flags |= LIMIT_IFACE_IN,
            _ => self.flags |= LIMIT_IFACE_OUT,
        }
        Ok(())
    }

    fn check(&mut self, seen: u32, _: &Ctx<'_>) -> Result<()> {
        if seen & 3 == 0 {
            return Err(IptError::param(
                "addrtype: you must specify --src-type or --dst-type",
            ));
        }
        Ok(())
    }

    fn to_info(&self, _: &Ctx<'_>) -> Vec<u8> {
        if self.rev == 0 {
            let mut b = Blob::new(16);
            b.u16(0, self.source)
                .u16(2, self.dest)
                .u32(4, self.flags & INVERT_SOURCE)
                .u32(8, (self.flags & INVERT_DEST) >> 1);
            return b.into_vec();
        }
        let mut b = Blob::new(Self::SIZE);
        b.u16(0, self.source).u16(2, self.dest).u32(4, self.flags);
        b.into_vec()
    }

    fn from_info(info: &[u8], rev: u32, cx: &Ctx<'_>) -> Option<Self> {
        let r = Rd(info);
        match (rev, info.len()) {
            (0, 16) if cx.family == Family::V4 => {
                let (is, id) = (r.u32(4)?, r.u32(8)?);
                let a = Addrtype {
                    source: r.u16(0)?,
                    dest: r.u16(2)?,
                    flags: is | id << 1,
                    rev,
                };
                (a.to_info(cx) == info).then_some(a)
            }
            (1, Self::SIZE) => Some(Addrtype {
                source: r.u16(0)?,
                dest: r.u16(2)?,
                flags: r.u32(4)?,
                rev,
            }),
            _ => None,
        }
    }

    fn save(&self, _: &Ctx<'_>, out: &mut String) {
        if self.source != 0 {
            if self.flags & INVERT_SOURCE != 0 {
                out.push_str(" !");
            }
            out.push_str(" --src-type ");
            out.push_str(&types_str(self.source));
        }
        if self.dest != 0 {
            if self.flags & INVERT_DEST != 0 {
                out.push_str(" !");
            }
            out.push_str(" --dst-type ");
            out.push_str(&types_str(self.dest));
        }
        if self.flags & LIMIT_IFACE_IN != 0 {
            out.push_str(" --limit-iface-in");
        }
        if self.flags & LIMIT_IFACE_OUT != 0 {
            out.push_str(" --limit-iface-out");
        }
    }

    fn print(&self, _: &Ctx<'_>, _numeric: bool, out: &mut String) {
        out.push_str(" ADDRTYPE match");
        if self.source != 0 {
            out.push_str(" src-type ");
            if self.flags & INVERT_SOURCE != 0 {
                out.push('!');
            }
            out.push_str(&types_str(self.source));
        }
        if self.dest != 0 {
            // revision 0 prints no blank after "dst-type"
            out.push_str(if self.rev == 0 {
                " dst-type"
            } else {
                " dst-type "
            });
            if self.flags & INVERT_DEST != 0 {
                out.push('!');
            }
            out.push_str(&types_str(self.dest));
        }
        if self.flags & LIMIT_IFACE_IN != 0 {
            out.push_str(" limit-in");
        }
        if self.flags & LIMIT_IFACE_OUT != 0 {
            out.push_str(" limit-out");
        }
    }

    fn xlate(&self, x: &mut Xlate, cx: &XlCtx) -> bool {
        let _ = cx;
        const NAMES: [&str; 9] = [
            "unspec",
            "unicast",
            "local",
            "broadcast",
            "anycast",
            "multicast",
            "blackhole",
            "unreachable",
            "prohibit",
        ];
        x.add("fib ");
        let val = if self.source != 0 {
            x.add("saddr ");
            self.source
        } else {
            x.add("daddr ");
            self.dest
        };
        if self.flags & 0x4 != 0 {
            x.add(". iif ");
        } else if self.flags & 0x8 != 0 {
            x.add(". oif ");
        }
        x.add("type ");
        if self.flags & 0x3 != 0 {
            x.add("!= ");
        }
        let braces = val.count_ones() > 1;
        if braces {
            x.add("{ ");
        }
        let mut sep = "";
        for (i, n) in NAMES.iter().enumerate() {
            if val & (1 << i) != 0 {
                x.add(&format!("{sep}{n}"));
                sep = ", ";
            }
        }
        if braces {
            x.add(" }");
        }
        true
    }
}
