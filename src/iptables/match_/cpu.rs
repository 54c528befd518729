//! `-m cpu` (revision 0, `struct xt_cpu_info`, 8 bytes).

use crate::iptables::error::Result;
use crate::iptables::ext::{decode_exact, Ctx, OptCall, OptDef, XtExt, F_INVERT, F_MAND};
use crate::iptables::text::parse_uint;
use crate::iptables::xlate::{XlCtx, Xlate};
use crate::iptables::xtbuf::Blob;
use std::fmt::Write as _;

/// `struct xt_cpu_info`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Cpu {
    /// CPU number.
    pub cpu: u32,
    /// `!`.
    pub invert: u32,
}

const OPTS: &[OptDef] = &[OptDef::arg("cpu", 0, F_MAND | F_INVERT)];

impl XtExt for Cpu {
    const NAME: &'static str = "cpu";
    const REVISION: u32 = 0;
    const SIZE: usize = 8;
    const OPTIONS: &'static [OptDef] = OPTS;

    fn init(_: &Ctx<'_>) -> Self {
        Cpu::default()
    }
    fn parse(&mut self, c: &mut OptCall<'_>, _: &Ctx<'_>) -> Result<()> {
        self.cpu = parse_uint("cpu", c.def.name, c.arg(), 0, u32::MAX as u64)? as u32;
        if c.invert {
            self.invert = 1;
        }
        Ok(())
    }
    fn to_info(&self, _: &Ctx<'_>) -> Vec<u8> {
        let mut b = Blob::new(Self::SIZE);
        b.u32(0, self.cpu).u32(4, self.invert);
        b.into_vec()
    }
    fn from_info(info: &[u8], rev: u32, cx: &Ctx<'_>) -> Option<Self> {
        decode_exact(info, rev, cx, |r| {
            Some(Cpu {
                cpu: r.u32(0)?,
                invert: r.u32(4)?,
            })
        })
    }
    fn save(&self, _: &Ctx<'_>, out: &mut String) {
        let bang = if self.invert != 0 { " !" } else { "" };
        let _ = write!(out, "{bang} --cpu {}", self.cpu);
    }
    fn print(&self, _: &Ctx<'_>, _: bool, out: &mut String) {
        let bang = if self.invert != 0 { "! " } else { "" };
        let _ = write!(out, " cpu {bang}{}", self.cpu);
    }

    fn xlate(&self, x: &mut Xlate, cx: &XlCtx) -> bool {
        let _ = cx;
        let op = if self.invert != 0 { " !=" } else { "" };
        x.add(&format!("cpu{op} {}", self.cpu));
        true
    }
}
