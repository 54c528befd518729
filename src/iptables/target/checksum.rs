//! `-j CHECKSUM` (revision 0, `struct xt_CHECKSUM_info`, 8 bytes).

use crate::iptables::error::Result;
use crate::iptables::ext::{Ctx, OptCall, OptDef, XtExt, F_MAND};
use crate::iptables::xtbuf::{Blob, Rd};

/// `struct xt_CHECKSUM_info`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Checksum {
    /// `XT_CHECKSUM_OP_FILL` (1).
    pub operation: u8,
}

const OPTS: &[OptDef] = &[OptDef::flag("checksum-fill", 0, F_MAND)];

impl XtExt for Checksum {
    const NAME: &'static str = "CHECKSUM";
    const REVISION: u32 = 0;
    const SIZE: usize = 8;
    const OPTIONS: &'static [OptDef] = OPTS;

    fn init(_: &Ctx<'_>) -> Self {
        Checksum::default()
    }
    fn parse(&mut self, _: &mut OptCall<'_>, _: &Ctx<'_>) -> Result<()> {
        self.operation = 1;
        Ok(())
    }
    fn to_info(&self, _: &Ctx<'_>) -> Vec<u8> {
        let mut b = Blob::new(Self::SIZE);
        b.u8(0, self.operation);
        b.into_vec()
    }
    fn from_info(info: &[u8], rev: u32, _: &Ctx<'_>) -> Option<Self> {
        if rev != 0 || info.len() != Self::SIZE || info[1..].iter().any(|&b| b != 0) {
            return None;
        }
        Some(Checksum {
            operation: Rd(info).u8(0)?,
        })
    }
    fn save(&self, _: &Ctx<'_>, out: &mut String) {
        if self.operation & 1 != 0 {
            out.push_str(" --checksum-fill");
        }
    }
    fn print(&self, _: &Ctx<'_>, _: bool, out: &mut String) {
        out.push_str(" CHECKSUM");
        if self.operation & 1 != 0 {
            out.push_str(" fill");
        }
    }
}
