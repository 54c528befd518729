//! `-m socket` (revision 3, `struct xt_socket_mtinfo2`, 8 bytes).

use crate::iptables::error::Result;
use crate::iptables::ext::{Ctx, OptCall, OptDef, XtExt};
use crate::iptables::xlate::{XlCtx, Xlate};
use crate::iptables::xtbuf::{Blob, Rd};

/// `struct xt_socket_mtinfo2`: `XT_SOCKET_*` flags.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Socket {
    /// Flags (transparent 1, nowildcard 2, restore-skmark 4).
    pub flags: u8,
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
        Socket::default()
    }
    fn parse(&mut self, c: &mut OptCall<'_>, _: &Ctx<'_>) -> Result<()> {
        self.flags |= 1 << c.def.id;
        Ok(())
    }
    fn to_info(&self, _: &Ctx<'_>) -> Vec<u8> {
        let mut b = Blob::new(Self::SIZE);
        b.u8(0, self.flags);
        b.into_vec()
    }
    fn from_info(info: &[u8], rev: u32, _: &Ctx<'_>) -> Option<Self> {
        if rev != 3 || info.len() != Self::SIZE || info[1..].iter().any(|&b| b != 0) {
            return None;
        }
        Some(Socket {
            flags: Rd(info).u8(0)?,
        })
    }
    fn save(&self, _: &Ctx<'_>, out: &mut String) {
        for (b, n) in [
            (1, " --transparent"),
            (2, " --nowildcard"),
            (4, " --restore-skmark"),
        ] {
            if self.flags & b != 0 {
                out.push_str(n);
            }
        }
    }
    fn print(&self, cx: &Ctx<'_>, _: bool, out: &mut String) {
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
