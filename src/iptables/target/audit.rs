//! `-j AUDIT` (revision 0, `struct xt_audit_info`, 8 bytes): record the
//! packet in the audit log with an action type.

use crate::iptables::error::{IptError, Result};
use crate::iptables::ext::{decode_exact, Ctx, OptCall, OptDef, XtExt, F_MAND};
use crate::iptables::xlate::{XlCtx, Xlate};
use crate::iptables::xtbuf::Blob;

/// `XT_AUDIT_TYPE_*` by value.
const TYPES: [&str; 3] = ["accept", "drop", "reject"];

/// `struct xt_audit_info`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Audit {
    /// `XT_AUDIT_TYPE_*`.
    pub ty: u8,
}

const OPTS: &[OptDef] = &[OptDef::arg("type", 0, F_MAND)];

impl XtExt for Audit {
    const NAME: &'static str = "AUDIT";
    const REVISION: u32 = 0;
    const SIZE: usize = 8;
    const OPTIONS: &'static [OptDef] = OPTS;

    fn init(_: &Ctx<'_>) -> Self {
        Audit::default()
    }
    fn parse(&mut self, c: &mut OptCall<'_>, _: &Ctx<'_>) -> Result<()> {
        self.ty = TYPES
            .iter()
            .position(|t| t.eq_ignore_ascii_case(c.arg()))
            .ok_or_else(|| IptError::param(format!("Bad action type value \"{}\"", c.arg())))?
            as u8;
        Ok(())
    }
    fn to_info(&self, _: &Ctx<'_>) -> Vec<u8> {
        let mut b = Blob::new(Self::SIZE);
        b.u8(0, self.ty);
        b.into_vec()
    }
    fn from_info(info: &[u8], rev: u32, cx: &Ctx<'_>) -> Option<Self> {
        decode_exact(info, rev, cx, |r| Some(Audit { ty: r.u8(0)? }))
    }
    fn save(&self, _: &Ctx<'_>, out: &mut String) {
        if let Some(t) = TYPES.get(self.ty as usize) {
            out.push_str(" --type ");
            out.push_str(t);
        }
    }
    fn print(&self, _: &Ctx<'_>, _: bool, out: &mut String) {
        out.push_str(" AUDIT ");
        out.push_str(TYPES.get(self.ty as usize).copied().unwrap_or(""));
    }

    fn xlate(&self, x: &mut Xlate, cx: &XlCtx) -> bool {
        let _ = cx;
        x.add("log level audit");
        true
    }
}
