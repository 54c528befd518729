//! `-m helper` (revision 0, `struct xt_helper_info`, 40 bytes): the
//! connection's helper name.

use crate::iptables::error::Result;
use crate::iptables::ext::{decode_exact, Ctx, OptCall, OptDef, XtExt, F_INVERT, F_MAND};
use crate::iptables::text::save_string;
use crate::iptables::xlate::{XlCtx, Xlate};
use crate::iptables::xtbuf::Blob;
use std::fmt::Write as _;

/// Size of `name` (29 characters and a NUL).
const NAME_LEN: usize = 30;

/// `struct xt_helper_info`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Helper {
    /// `!`.
    pub invert: u32,
    /// Helper name.
    pub name: String,
}

const OPTS: &[OptDef] = &[OptDef::arg("helper", 0, F_MAND | F_INVERT)];

impl XtExt for Helper {
    const NAME: &'static str = "helper";
    const REVISION: u32 = 0;
    const SIZE: usize = 40;
    const OPTIONS: &'static [OptDef] = OPTS;

    fn init(_: &Ctx<'_>) -> Self {
        Helper::default()
    }
    fn parse(&mut self, c: &mut OptCall<'_>, _: &Ctx<'_>) -> Result<()> {
        let b = c.arg().as_bytes();
        self.name = String::from_utf8_lossy(&b[..b.len().min(NAME_LEN - 1)]).into_owned();
        if c.invert {
            self.invert = 1;
        }
        Ok(())
    }
    fn to_info(&self, _: &Ctx<'_>) -> Vec<u8> {
        let mut b = Blob::new(Self::SIZE);
        b.u32(0, self.invert).str(4, NAME_LEN, &self.name);
        b.into_vec()
    }
    fn from_info(info: &[u8], rev: u32, cx: &Ctx<'_>) -> Option<Self> {
        decode_exact(info, rev, cx, |r| {
            Some(Helper {
                invert: r.u32(0)?,
                name: r.str(4, NAME_LEN)?,
            })
        })
    }
    fn save(&self, _: &Ctx<'_>, out: &mut String) {
        if self.invert != 0 {
            out.push_str(" !");
        }
        out.push_str(" --helper");
        save_string(&self.name, out);
    }
    fn print(&self, _: &Ctx<'_>, _: bool, out: &mut String) {
        let bang = if self.invert != 0 { "! " } else { "" };
        let _ = write!(out, " helper match {bang}\"{}\"", self.name);
    }

    fn xlate(&self, x: &mut Xlate, cx: &XlCtx) -> bool {
        let _ = cx;
        let op = if self.invert != 0 { " !=" } else { "" };
        x.add(&format!("ct helper{op} \"{}\"", self.name));
        true
    }
}
