//! `-m eui64` (revision 0, an `int` with nothing in it, 8 bytes): the
//! source address's interface id is the EUI-64 of the source MAC. No
//! options, and nothing in the save or list output besides `-m eui64`.

use crate::iptables::error::Result;
use crate::iptables::ext::{decode_exact, Ctx, OptCall, OptDef, XtExt};
use crate::iptables::xtbuf::{all_zero, Blob};

/// `-m eui64`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Eui64;

impl XtExt for Eui64 {
    const NAME: &'static str = "eui64";
    const REVISION: u32 = 0;
    const SIZE: usize = 8;
    const OPTIONS: &'static [OptDef] = &[];

    fn init(_: &Ctx<'_>) -> Self {
        Eui64
    }
    fn parse(&mut self, _: &mut OptCall<'_>, _: &Ctx<'_>) -> Result<()> {
        Ok(())
    }
    fn to_info(&self, _: &Ctx<'_>) -> Vec<u8> {
        Blob::new(Self::SIZE).into_vec()
    }
    fn from_info(info: &[u8], rev: u32, cx: &Ctx<'_>) -> Option<Self> {
        decode_exact(info, rev, cx, |r| all_zero(r.0).then_some(Eui64))
    }
    fn save(&self, _: &Ctx<'_>, _: &mut String) {}
    fn print(&self, _: &Ctx<'_>, _: bool, _: &mut String) {}
}
