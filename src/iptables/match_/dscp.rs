//! `-m dscp` (revision 0, `struct xt_dscp_info`, 8 bytes) and the DSCP
//! class names it shares with `-j DSCP`.

use crate::iptables::error::{IptError, Result};
use crate::iptables::ext::{Ctx, OptCall, OptDef, XtExt, F_INVERT};
use crate::iptables::text::parse_uint;
use crate::iptables::xlate::{XlCtx, Xlate};
use crate::iptables::xtbuf::{Blob, Rd};
use std::fmt::Write as _;

const CLASSES: &[(&str, u8)] = &[
    ("CS0", 0x00),
    ("CS1", 0x08),
    ("CS2", 0x10),
    ("CS3", 0x18),
    ("CS4", 0x20),
    ("CS5", 0x28),
    ("CS6", 0x30),
    ("CS7", 0x38),
    ("BE", 0x00),
    ("AF11", 0x0a),
    ("AF12", 0x0c),
    ("AF13", 0x0e),
    ("AF21", 0x12),
    ("AF22", 0x14),
    ("AF23", 0x16),
    ("AF31", 0x1a),
    ("AF32", 0x1c),
    ("AF33", 0x1e),
    ("AF41", 0x22),
    ("AF42", 0x24),
    ("AF43", 0x26),
    ("EF", 0x2e),
];

/// `class_to_dscp`: a class name (prefix match as iptables does).
pub fn class_to_dscp(name: &str) -> Result<u8> {
    for (n, v) in CLASSES {
        let b = name.as_bytes();
        if b.len() >= n.len() && b[..n.len()].eq_ignore_ascii_case(n.as_bytes()) {
            return Ok(*v);
        }
    }
    Err(IptError::param(format!("Invalid DSCP value `{name}'")))
}

/// `struct xt_dscp_info`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Dscp {
    /// DSCP value (0-63).
    pub dscp: u8,
    /// `!`.
    pub invert: u8,
}

const OPTS: &[OptDef] = &[
    OptDef::arg("dscp", 0, F_INVERT).excl(2),
    OptDef::arg("dscp-class", 1, F_INVERT).excl(1),
];

impl XtExt for Dscp {
    const NAME: &'static str = "dscp";
    const REVISION: u32 = 0;
    const SIZE: usize = 8;
    const OPTIONS: &'static [OptDef] = OPTS;

    fn init(_: &Ctx<'_>) -> Self {
        Dscp::default()
    }
    fn parse(&mut self, c: &mut OptCall<'_>, _: &Ctx<'_>) -> Result<()> {
        self.dscp = if c.def.id == 0 {
            parse_uint("dscp", "dscp", c.arg(), 0, 0x3f)? as u8
        } else {
            class_to_dscp(c.arg())?
        };
        if c.invert {
            self.invert = 1;
        }
        Ok(())
    }
    fn check(&mut self, seen: u32, _: &Ctx<'_>) -> Result<()> {
        if seen == 0 {
            return Err(IptError::param("DSCP match: Parameter --dscp is required"));
        }
        Ok(())
    }
    fn to_info(&self, _: &Ctx<'_>) -> Vec<u8> {
        let mut b = Blob::new(Self::SIZE);
        b.u8(0, self.dscp).u8(1, self.invert);
        b.into_vec()
    }
    fn from_info(info: &[u8], rev: u32, cx: &Ctx<'_>) -> Option<Self> {
        if rev != 0 || info.len() != Self::SIZE {
            return None;
        }
        let r = Rd(info);
        let d = Dscp {
            dscp: r.u8(0)?,
            invert: r.u8(1)?,
        };
        (d.to_info(cx) == info).then_some(d)
    }
    fn save(&self, _: &Ctx<'_>, out: &mut String) {
        let inv = if self.invert != 0 { " !" } else { "" };
        let _ = write!(out, "{inv} --dscp 0x{:02x}", self.dscp);
    }
    fn print(&self, _: &Ctx<'_>, _: bool, out: &mut String) {
        let inv = if self.invert != 0 { "!" } else { "" };
        let _ = write!(out, " DSCP match {inv}0x{:02x}", self.dscp);
    }

    fn xlate(&self, x: &mut Xlate, cx: &XlCtx) -> bool {
        x.add(crate::iptables::xlate::family_word(cx.family));
        x.add(" ");
        let op = if self.invert != 0 { "!= " } else { "" };
        x.add(&format!("dscp {op}0x{:02x}", self.dscp));
        true
    }
}
