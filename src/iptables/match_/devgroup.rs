//! `-m devgroup` (revision 0, `struct xt_devgroup_info`, 24 bytes): the
//! device group of the incoming and/or outgoing interface, by number
//! (`VALUE[/MASK]`) or by name from `/etc/iproute2/group`.

use super::lmap;
use crate::iptables::error::{IptError, Result};
use crate::iptables::ext::{decode_exact, Ctx, OptCall, OptDef, XtExt, F_INVERT};
use crate::iptables::num::strtoui_prefix;
use crate::iptables::text::{parse_val_mask, val_mask};
use crate::iptables::xlate::{XlCtx, Xlate};
use crate::iptables::xtbuf::Blob;

/// Where group names are read from.
const GROUPS: &str = "/etc/iproute2/group";

/// `XT_DEVGROUP_MATCH_SRC`.
const MATCH_SRC: u32 = 0x1;
/// `XT_DEVGROUP_INVERT_SRC`.
const INVERT_SRC: u32 = 0x2;
/// `XT_DEVGROUP_MATCH_DST`.
const MATCH_DST: u32 = 0x4;
/// `XT_DEVGROUP_INVERT_DST`.
const INVERT_DST: u32 = 0x8;

/// `struct xt_devgroup_info`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Devgroup {
    /// `XT_DEVGROUP_*` bits.
    pub flags: u32,
    /// Source group.
    pub src_group: u32,
    /// Source mask.
    pub src_mask: u32,
    /// Destination group.
    pub dst_group: u32,
    /// Destination mask.
    pub dst_mask: u32,
}

const OPTS: &[OptDef] = &[
    OptDef::arg("src-group", 0, F_INVERT),
    OptDef::arg("dst-group", 1, F_INVERT),
];

/// `xtables_parse_val_mask` with the group names: a number with an
/// optional `/mask`, anything else a name.
fn parse_group(opt: &str, arg: &str) -> Result<(u32, u32)> {
    let numeric = match strtoui_prefix(arg, 0, u32::MAX as u64) {
        Some((_, n)) => n == arg.len() || arg[n..].starts_with('/'),
        None => false,
    };
    if numeric {
        return parse_val_mask("devgroup", opt, arg);
    }
    lmap::read(GROUPS)
        .into_iter()
        .find(|(_, n)| n == arg)
        .map(|(i, _)| (i, u32::MAX))
        .ok_or_else(|| {
            IptError::param(format!(
                "devgroup: could not map name {arg} to an integer value for option \"--{opt}\".\n"
            ))
        })
}

/// `xtables_print_val_mask` with the group names (`names`).
fn value(v: u32, mask: u32, names: bool, out: &mut String) {
    if names && mask == u32::MAX {
        if let Some((_, n)) = lmap::read(GROUPS).into_iter().find(|(i, _)| *i == v) {
            out.push(' ');
            out.push_str(&n);
            return;
        }
    }
    val_mask(v, mask, out);
}

impl Devgroup {
    fn show(&self, pfx: &str, names: bool, out: &mut String) {
        for (m, inv, what, v, mask) in [
            (
                MATCH_SRC,
                INVERT_SRC,
                "src-group",
                self.src_group,
                self.src_mask,
            ),
            (
                MATCH_DST,
                INVERT_DST,
                "dst-group",
                self.dst_group,
                self.dst_mask,
            ),
        ] {
            if self.flags & m != 0 {
                if self.flags & inv != 0 {
                    out.push_str(" !");
                }
                out.push_str(&format!(" {pfx}{what}"));
                value(v, mask, names, out);
            }
        }
    }
}

impl XtExt for Devgroup {
    const NAME: &'static str = "devgroup";
    const REVISION: u32 = 0;
    const SIZE: usize = 24;
    const OPTIONS: &'static [OptDef] = OPTS;

    fn init(_: &Ctx<'_>) -> Self {
        Devgroup::default()
    }
    fn parse(&mut self, c: &mut OptCall<'_>, _: &Ctx<'_>) -> Result<()> {
        let (g, m) = parse_group(c.def.name, c.arg())?;
        if c.def.id == 0 {
            (self.src_group, self.src_mask) = (g, m);
            self.flags |= MATCH_SRC;
            if c.invert {
                self.flags |= INVERT_SRC;
            }
        } else {
            (self.dst_group, self.dst_mask) = (g, m);
            self.flags |= MATCH_DST;
            if c.invert {
                self.flags |= INVERT_DST;
            }
        }
        Ok(())
    }
    fn check(&mut self, seen: u32, _: &Ctx<'_>) -> Result<()> {
        if seen == 0 {
            return Err(IptError::param(
                "devgroup match: You must specify either '--src-group' or '--dst-group'",
            ));
        }
        Ok(())
    }
    fn to_info(&self, _: &Ctx<'_>) -> Vec<u8> {
        let mut b = Blob::new(Self::SIZE);
        b.u32(0, self.flags)
            .u32(4, self.src_group)
            .u32(8, self.src_mask)
            .u32(12, self.dst_group)
            .u32(16, self.dst_mask);
        b.into_vec()
    }
    fn from_info(info: &[u8], rev: u32, cx: &Ctx<'_>) -> Option<Self> {
        decode_exact(info, rev, cx, |r| {
            Some(Devgroup {
                flags: r.u32(0)?,
                src_group: r.u32(4)?,
                src_mask: r.u32(8)?,
                dst_group: r.u32(12)?,
                dst_mask: r.u32(16)?,
            })
        })
    }
    fn save(&self, _: &Ctx<'_>, out: &mut String) {
        self.show("--", true, out);
    }
    fn print(&self, _: &Ctx<'_>, numeric: bool, out: &mut String) {
        self.show("", !numeric, out);
    }

    fn xlate(&self, x: &mut Xlate, _: &XlCtx) -> bool {
        // as in 1.8.11, a negated source test negates the destination's too
        let mut neq = false;
        for (m, inv, sel, v, mask) in [
            (
                MATCH_SRC,
                INVERT_SRC,
                "iifgroup ",
                self.src_group,
                self.src_mask,
            ),
            (
                MATCH_DST,
                INVERT_DST,
                "oifgroup ",
                self.dst_group,
                self.dst_mask,
            ),
        ] {
            if self.flags & m == 0 {
                continue;
            }
            neq |= self.flags & inv != 0;
            x.add(sel);
            if mask != u32::MAX {
                x.add(&format!(
                    "and 0x{mask:x} {} 0x{v:x}",
                    if neq { "!=" } else { "==" }
                ));
            } else {
                x.add(if neq { "!= " } else { "" });
                match lmap::read(GROUPS).into_iter().find(|(i, _)| *i == v) {
                    Some((_, n)) => x.add(&n),
                    None => x.add(&format!("0x{v:x}")),
                }
            }
        }
        true
    }
}
