//! `-j TRACE`: written natively (`immediate` 1 into a 32-bit register,
//! `meta nftrace set`); the compat target has no data.

use crate::iptables::error::Result;
use crate::iptables::ext::{Ctx, OptCall, OptDef, XtExt};
use crate::iptables::xlate::{XlCtx, Xlate};

/// `-j TRACE`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Trace;

impl XtExt for Trace {
    const NAME: &'static str = "TRACE";
    const REVISION: u32 = 0;
    const SIZE: usize = 0;
    const OPTIONS: &'static [OptDef] = &[];

    fn init(_: &Ctx<'_>) -> Self {
        Trace
    }
    fn parse(&mut self, _: &mut OptCall<'_>, _: &Ctx<'_>) -> Result<()> {
        Ok(())
    }
    fn to_info(&self, _: &Ctx<'_>) -> Vec<u8> {
        Vec::new()
    }
    fn from_info(info: &[u8], rev: u32, _: &Ctx<'_>) -> Option<Self> {
        (rev == 0 && info.is_empty()).then_some(Trace)
    }
    fn save(&self, _: &Ctx<'_>, _: &mut String) {}
    fn print(&self, _: &Ctx<'_>, _: bool, _: &mut String) {}

    fn xlate(&self, x: &mut Xlate, cx: &XlCtx) -> bool {
        let _ = cx;
        x.add("nftrace set 1");
        true
    }
}
