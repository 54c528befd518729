//! `-m socket`: revision 3 (`struct xt_socket_mtinfo2`, 8 bytes) and,
//! where the kernel lacks it, 2 (same layout, no `--restore-skmark`), 1
//! (`xt_socket_mtinfo1`, only `--transparent`) and, for IPv4, 0 (no
//! data, no options).

use crate::iptables::error::Result;
use crate::iptables::ext::{Ctx, OptCall, OptDef, XtExt};
use crate::iptables::family::Family;
use crate::iptables::xlate::{XlCtx, Xlate};
use crate::iptables::xtbuf::{Blob, Rd};

/// `struct xt_socket_mtinfo2`: `XT_SOCKET_*` flags.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Socket {
    /// Flags (transparent 1, nowildcard 2, restore-skmark 4).
    pub flags: u8,
    /// The revision written (0 to 3).
    pub rev: u32,
}

/// Options of each revision (older ones know a prefix of the newest).
const fn opts(rev: u32) -> &'static [OptDef] {
    match rev {
        0 => &[],
        1 => OPTS.split_at(1).0,
        2 => OPTS.split_at(2).0,
        _ => OPTS,
    }
}

const OPTS: &[OptDef] = &[
    OptDef::flag("transparent", 0, 0),
    OptDef::flag("nowildcard", 1, 0),
    OptDef::flag("restore-skmark", 2, 0),
];

impl XtExt for Socket {
    const NAME: &'static str = "socket";
    const REVISION: u32 = 3;
    const SIZE: usize = 8;
    const OPTIONS: &'static [OptDef] = OPTS;

    fn init(_: &Ctx<'_>) -> Self {
        Socket { flags: 0, rev: 3 }
    }
    fn revisions(f: Family) -> &'static [u32] {
        match f {
            Family::V4 => &[3, 2, 1, 0],
            _ => &[3, 2, 1],
        }
    }
    crate::revision_in_field!();
    fn options_now(&self) -> &'static [OptDef] {
        opts(self.rev)
    }
    fn parse(&mut self, c: &mut OptCall<'_>, _: &Ctx<'_>) -> Result<()> {
        self.flags |= 1 << c.def.id;
        Ok(())
    }
    fn to_info(&self, _: &Ctx<'_>) -> Vec<u8> {
        if self.rev == 0 {
            return Vec::new();
        }
        let mut b = Blob::new(Self::SIZE);
        b.u8(0, self.flags);
        b.into_vec()
    }
    fn from_info(info: &[u8], rev: u32, cx: &Ctx<'_>) -> Option<Self> {
        if rev == 0 {
            return (info.is_empty() && cx.family == Family::V4)
                .then_some(Socket { flags: 0, rev });
        }
        if rev > 3 || info.len() != Self::SIZE || info[1..].iter().any(|&b| b != 0) {
            return None;
        }
        Some(Socket {
            flags: Rd(info).u8(0)?,
            rev,
        })
    }
    fn save(&self, _: &Ctx<'_>, out: &mut String) {
        for (b, n) in [
            (1, " --transparent"),
            (2, " --nowildcard"),
            (4, " --restore-skmark"),
        ]
        .iter()
        .take(self.rev as usize)
        {
            if self.flags & b != 0 {
                out.push_str(n);
            }
        }
    }
    fn print(&self, cx: &Ctx<'_>, _: bool, out: &mut String) {
        // revision 0 has no print function: nothing at all
        if self.rev == 0 {
            return;
        }
        out.push_str(" socket");
        self.save(cx, out);
    }

    fn xlate(&self, x: &mut Xlate, cx: &XlCtx) -> bool {
        let _ = cx;
        let f = self.flags;
        if f == 2 {
            x.add("socket wildcard le 1");
            return true;
        }
        if f & 2 == 0 {
            x.add("socket wildcard 0");
        }
        if f & 1 != 0 {
            x.add("socket transparent 1");
        }
        if f & 4 != 0 {
            x.add("meta mark set socket mark");
        }
        true
    }
}
