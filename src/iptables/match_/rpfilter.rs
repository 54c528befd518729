//! `-m rpfilter` (revision 0, `struct xt_rpfilter_info`, 1 byte padded to 8).

use crate::iptables::error::Result;
use crate::iptables::ext::{Ctx, OptCall, OptDef, XtExt};
use crate::iptables::xlate::{XlCtx, Xlate};
use crate::iptables::xtbuf::{Blob, Rd};

/// `XT_RPFILTER_LOOSE`.
pub const LOOSE: u8 = 1;
/// `XT_RPFILTER_VALID_MARK`.
pub const VALID_MARK: u8 = 2;
/// `XT_RPFILTER_ACCEPT_LOCAL`.
pub const ACCEPT_LOCAL: u8 = 4;
/// `XT_RPFILTER_INVERT`.
pub const INVERT: u8 = 8;

/// Option names in flag order (bit `1 << index`).
const NAMES: [&str; 4] = ["loose", "validmark", "accept-local", "invert"];

/// `struct xt_rpfilter_info`: reverse-path filter flags.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Rpfilter {
    /// `XT_RPFILTER_*` bits.
    pub flags: u8,
}

const OPTS: &[OptDef] = &[
    OptDef::flag("loose", 0, 0),
    OptDef::flag("validmark", 1, 0),
    OptDef::flag("accept-local", 2, 0),
    OptDef::flag("invert", 3, 0),
];

impl Rpfilter {
    fn words(&self, prefix: &str, out: &mut String) {
        for (i, n) in NAMES.iter().enumerate() {
            if self.flags & (1 << i) != 0 {
                out.push(' ');
                out.push_str(prefix);
                out.push_str(n);
            }
        }
    }
}

impl XtExt for Rpfilter {
    const NAME: &'static str = "rpfilter";
    const REVISION: u32 = 0;
    const SIZE: usize = 8;
    const OPTIONS: &'static [OptDef] = OPTS;

    fn init(_: &Ctx<'_>) -> Self {
        Rpfilter::default()
    }

    fn parse(&mut self, c: &mut OptCall<'_>, _: &Ctx<'_>) -> Result<()> {
        self.flags |= match c.def.id {
            0 => LOOSE,
            1 => VALID_MARK,
            2 => ACCEPT_LOCAL,
            _ => INVERT,
        };
        Ok(())
    }

    fn to_info(&self, _: &Ctx<'_>) -> Vec<u8> {
        let mut b = Blob::new(Self::SIZE);
        b.u8(0, self.flags);
        b.into_vec()
    }

    fn from_info(info: &[u8], rev: u32, _: &Ctx<'_>) -> Option<Self> {
        if rev != 0 || info.len() != Self::SIZE {
            return None;
        }
        Some(Rpfilter {
            flags: Rd(info).u8(0)?,
        })
    }

    fn save(&self, _: &Ctx<'_>, out: &mut String) {
        self.words("--", out);
    }

    fn print(&self, _: &Ctx<'_>, _: bool, out: &mut String) {
        out.push_str(" rpfilter");
        self.words("", out);
    }

    fn xlate(&self, x: &mut Xlate, cx: &XlCtx) -> bool {
        let _ = cx;
        let inv = self.flags & 8 != 0;
        if self.flags & 4 != 0 {
            if inv {
                x.add("fib saddr type != local ");
            } else {
                return false;
            }
        }
        x.add("fib saddr ");
        if self.flags & 2 != 0 {
            x.add(". mark ");
        }
        if self.flags & 1 == 0 {
            x.add(". iif ");
        }
        x.add(&format!("oif {}0", if inv { "" } else { "!= " }));
        true
    }
}
