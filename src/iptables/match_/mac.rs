//! `-m mac` (revision 0, `struct xt_mac_info`, 12 bytes → 16).

use crate::iptables::error::{IptError, Result};
use crate::iptables::ext::{Ctx, OptCall, OptDef, XtExt, F_INVERT, F_MAND};
use crate::iptables::num::c_strtoul;
use crate::iptables::xlate::{XlCtx, Xlate};
use crate::iptables::xtbuf::{Blob, Rd};
use std::fmt::Write as _;

/// `struct xt_mac_info`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Mac {
    /// Source MAC.
    pub srcaddr: [u8; 6],
    /// `!`.
    pub invert: i32,
}

/// `XTTYPE_ETHERMAC`.
pub fn parse_mac(s: &str) -> Result<[u8; 6]> {
    let bad = || IptError::param("Invalid MAC address specified.");
    let mut out = [0u8; 6];
    let mut rest = s;
    for (i, b) in out.iter_mut().enumerate() {
        let (v, n) = c_strtoul(rest, 16);
        if n > 2 {
            return Err(bad());
        }
        *b = v as u8;
        let after = &rest[n..];
        if i < 5 {
            rest = after.strip_prefix(':').ok_or_else(bad)?;
        } else if !after.is_empty() {
            return Err(bad());
        }
    }
    Ok(out)
}

/// `xtables_print_mac`.
pub fn mac_str(m: &[u8; 6]) -> String {
    m.iter()
        .map(|b| format!("{b:02x}"))
        .collect::<Vec<_>>()
        .join(":")
}

const OPTS: &[OptDef] = &[OptDef::arg("mac-source", 0, F_MAND | F_INVERT)];

impl XtExt for Mac {
    const NAME: &'static str = "mac";
    const REVISION: u32 = 0;
    const SIZE: usize = 16;
    const OPTIONS: &'static [OptDef] = OPTS;

    fn init(_: &Ctx<'_>) -> Self {
        Mac::default()
    }
    fn parse(&mut self, c: &mut OptCall<'_>, _: &Ctx<'_>) -> Result<()> {
        self.srcaddr = parse_mac(c.arg())?;
        if c.invert {
            self.invert = 1;
        }
        Ok(())
    }
    fn to_info(&self, _: &Ctx<'_>) -> Vec<u8> {
        let mut b = Blob::new(Self::SIZE);
        b.bytes(0, &self.srcaddr).u32(8, self.invert as u32);
        b.into_vec()
    }
    fn from_info(info: &[u8], rev: u32, cx: &Ctx<'_>) -> Option<Self> {
        if rev != 0 || info.len() != Self::SIZE {
            return None;
        }
        let r = Rd(info);
        let mut m = Mac {
            invert: r.u32(8)? as i32,
            ..Default::default()
        };
        m.srcaddr.copy_from_slice(r.bytes(0, 6)?);
        (m.to_info(cx) == info).then_some(m)
    }
    fn save(&self, _: &Ctx<'_>, out: &mut String) {
        if self.invert != 0 {
            out.push_str(" !");
        }
        let _ = write!(out, " --mac-source {}", mac_str(&self.srcaddr));
    }
    fn print(&self, _: &Ctx<'_>, _: bool, out: &mut String) {
        out.push_str(" MAC ");
        if self.invert != 0 {
            out.push_str("! ");
        }
        out.push_str(&mac_str(&self.srcaddr));
    }

    fn xlate(&self, x: &mut Xlate, cx: &XlCtx) -> bool {
        let _ = cx;
        let op = if self.invert != 0 { " !=" } else { "" };
        x.add(&format!("ether saddr{op} "));
        let m = self.srcaddr;
        x.add(&format!(
            "{:02x}:{:02x}:{:02x}:{:02x}:{:02x}:{:02x}",
            m[0], m[1], m[2], m[3], m[4], m[5]
        ));
        true
    }
}
