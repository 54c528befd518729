//! `-m mark` (revision 1, `struct xt_mark_mtinfo1`, 16 bytes). Written
//! natively as `meta mark` (+ `bitwise`) + `cmp`.

use crate::iptables::error::Result;
use crate::iptables::ext::{Ctx, OptCall, OptDef, XtExt, F_INVERT, F_MAND};
use crate::iptables::text::{parse_val_mask, val_mask};
use crate::iptables::xlate::{XlCtx, Xlate};
use crate::iptables::xtbuf::{Blob, Rd};

/// `struct xt_mark_mtinfo1`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Mark {
    /// Value.
    pub mark: u32,
    /// Mask.
    pub mask: u32,
    /// `!`.
    pub invert: u8,
}

const OPTS: &[OptDef] = &[OptDef::arg("mark", 0, F_MAND | F_INVERT)];

impl XtExt for Mark {
    const NAME: &'static str = "mark";
    const REVISION: u32 = 1;
    const SIZE: usize = 16;
    const OPTIONS: &'static [OptDef] = OPTS;

    fn init(_: &Ctx<'_>) -> Self {
        Mark::default()
    }

    fn parse(&mut self, c: &mut OptCall<'_>, _: &Ctx<'_>) -> Result<()> {
        let (v, m) = parse_val_mask("mark", "mark", c.arg())?;
        if c.invert {
            self.invert = 1;
        }
        self.mark = v;
        self.mask = m;
        Ok(())
    }

    fn to_info(&self, _: &Ctx<'_>) -> Vec<u8> {
        let mut b = Blob::new(Self::SIZE);
        b.u32(0, self.mark).u32(4, self.mask).u8(8, self.invert);
        b.into_vec()
    }

    fn from_info(info: &[u8], rev: u32, cx: &Ctx<'_>) -> Option<Self> {
        if rev != 1 || info.len() != Self::SIZE {
            return None;
        }
        let r = Rd(info);
        let m = Mark {
            mark: r.u32(0)?,
            mask: r.u32(4)?,
            invert: r.u8(8)?,
        };
        (m.to_info(cx) == info).then_some(m)
    }

    fn save(&self, _: &Ctx<'_>, out: &mut String) {
        if self.invert != 0 {
            out.push_str(" !");
        }
        out.push_str(" --mark");
        val_mask(self.mark, self.mask, out);
    }

    fn print(&self, _: &Ctx<'_>, _: bool, out: &mut String) {
        out.push_str(" mark match");
        if self.invert != 0 {
            out.push_str(" !");
        }
        val_mask(self.mark, self.mask, out);
    }

    fn xlate(&self, x: &mut Xlate, cx: &XlCtx) -> bool {
        let _ = cx;
        x.add("mark");
        crate::iptables::xlate::mark(x, self.mark, self.mask, self.invert != 0);
        true
    }
}
