//! `-m ecn` (revision 0, `struct xt_ecn_info`, 8 bytes): the TCP CWR/ECE
//! bits and the IP ECN codepoint.

use crate::iptables::error::{IptError, Result};
use crate::iptables::ext::{decode_exact, Ctx, OptCall, OptDef, XtExt, F_INVERT};
use crate::iptables::text::parse_uint;
use crate::iptables::xlate::{XlCtx, Xlate};
use crate::iptables::xtbuf::Blob;
use std::fmt::Write as _;

const OP_IP: u8 = 0x01;
const OP_ECE: u8 = 0x10;
const OP_CWR: u8 = 0x20;

/// `struct xt_ecn_info`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Ecn {
    /// `XT_ECN_OP_MATCH_*` bits tested.
    pub operation: u8,
    /// The inverted ones.
    pub invert: u8,
    /// ECN codepoint.
    pub ip_ect: u8,
    /// `proto.tcp.ect` (unused by iptables).
    pub tcp_ect: u8,
}

const OPTS: &[OptDef] = &[
    OptDef::flag("ecn-tcp-cwr", 0, F_INVERT),
    OptDef::flag("ecn-tcp-ece", 1, F_INVERT),
    OptDef::arg("ecn-ip-ect", 2, F_INVERT),
];

impl Ecn {
    fn inv(&self, op: u8, bang: &'static str) -> &'static str {
        if self.invert & op != 0 {
            bang
        } else {
            ""
        }
    }
}

impl XtExt for Ecn {
    const NAME: &'static str = "ecn";
    const REVISION: u32 = 0;
    const SIZE: usize = 8;
    const OPTIONS: &'static [OptDef] = OPTS;

    fn init(_: &Ctx<'_>) -> Self {
        Ecn::default()
    }
    fn parse(&mut self, c: &mut OptCall<'_>, _: &Ctx<'_>) -> Result<()> {
        let op = match c.def.id {
            0 => OP_CWR,
            1 => OP_ECE,
            _ => {
                self.ip_ect = parse_uint("ecn", c.def.name, c.arg(), 0, 3)? as u8;
                OP_IP
            }
        };
        self.operation |= op;
        if c.invert {
            self.invert |= op;
        }
        Ok(())
    }
    fn check(&mut self, seen: u32, _: &Ctx<'_>) -> Result<()> {
        if seen == 0 {
            return Err(IptError::param("ECN match: some option required"));
        }
        Ok(())
    }
    fn to_info(&self, _: &Ctx<'_>) -> Vec<u8> {
        let mut b = Blob::new(Self::SIZE);
        b.u8(0, self.operation)
            .u8(1, self.invert)
            .u8(2, self.ip_ect)
            .u8(3, self.tcp_ect);
        b.into_vec()
    }
    fn from_info(info: &[u8], rev: u32, cx: &Ctx<'_>) -> Option<Self> {
        decode_exact(info, rev, cx, |r| {
            Some(Ecn {
                operation: r.u8(0)?,
                invert: r.u8(1)?,
                ip_ect: r.u8(2)?,
                tcp_ect: r.u8(3)?,
            })
        })
    }
    fn save(&self, _: &Ctx<'_>, out: &mut String) {
        if self.operation & OP_ECE != 0 {
            let _ = write!(out, "{} --ecn-tcp-ece", self.inv(OP_ECE, " !"));
        }
        if self.operation & OP_CWR != 0 {
            let _ = write!(out, "{} --ecn-tcp-cwr", self.inv(OP_CWR, " !"));
        }
        if self.operation & OP_IP != 0 {
            let _ = write!(
                out,
                "{} --ecn-ip-ect {}",
                self.inv(OP_IP, " !"),
                self.ip_ect
            );
        }
    }
    fn print(&self, _: &Ctx<'_>, _: bool, out: &mut String) {
        out.push_str(" ECN match");
        if self.operation & OP_ECE != 0 {
            let _ = write!(out, " {}ECE", self.inv(OP_ECE, "!"));
        }
        if self.operation & OP_CWR != 0 {
            let _ = write!(out, " {}CWR", self.inv(OP_CWR, "!"));
        }
        if self.operation & OP_IP != 0 {
            let _ = write!(out, " {}ECT={}", self.inv(OP_IP, "!"), self.ip_ect);
        }
    }

    fn xlate(&self, x: &mut Xlate, cx: &XlCtx) -> bool {
        let _ = cx;
        let neq = if self.invert != 0 { "!= " } else { "" };
        if self.operation & 0x10 != 0 {
            x.add("tcp flags ");
            x.add(neq);
            x.add("ecn");
        }
        if self.operation & 0x20 != 0 {
            x.add("tcp flags ");
            x.add(neq);
            x.add("cwr");
        }
        if self.operation & 0x01 != 0 {
            x.add("ip ecn ");
            x.add(neq);
            match self.ip_ect {
                0 => x.add("not-ect"),
                1 => x.add("ect1"),
                2 => x.add("ect0"),
                3 => x.add("ce"),
                _ => return false,
            }
        }
        true
    }
}
