//! `-j ECN` (IPv4; revision 0, `struct ipt_ECN_info`, 8 bytes): clear or
//! set the ECN bits of the TCP header and the IPv4 ECT codepoint.

use crate::iptables::error::{IptError, Result};
use crate::iptables::ext::{decode_exact, Ctx, OptCall, OptDef, XtExt};
use crate::iptables::text::parse_uint;
use crate::iptables::xtbuf::Blob;
use std::fmt::Write as _;

const OP_SET_IP: u8 = 0x01;
const OP_SET_ECE: u8 = 0x10;
const OP_SET_CWR: u8 = 0x20;
/// Bits of the `proto.tcp` bitfield byte.
const TCP_ECE: u8 = 0x01;
const TCP_CWR: u8 = 0x02;

/// `struct ipt_ECN_info`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct EcnTarget {
    /// `IPT_ECN_OP_*` bits.
    pub operation: u8,
    /// ECT codepoint for the IPv4 header.
    pub ip_ect: u8,
    /// `proto.tcp`: ece (bit 0), cwr (bit 1).
    pub tcp: u8,
}

const OPTS: &[OptDef] = &[
    OptDef::flag("ecn-tcp-remove", 0, 0).excl(0b110),
    OptDef::arg("ecn-tcp-cwr", 1, 0).excl(0b1),
    OptDef::arg("ecn-tcp-ece", 2, 0).excl(0b1),
    OptDef::arg("ecn-ip-ect", 3, 0),
];

impl EcnTarget {
    fn is_remove(&self) -> bool {
        self.operation == OP_SET_ECE | OP_SET_CWR && self.tcp & (TCP_ECE | TCP_CWR) == 0
    }
    fn bit(&self, b: u8) -> u8 {
        (self.tcp & b != 0) as u8
    }
}

impl XtExt for EcnTarget {
    const NAME: &'static str = "ECN";
    const REVISION: u32 = 0;
    const SIZE: usize = 8;
    const OPTIONS: &'static [OptDef] = OPTS;

    fn init(_: &Ctx<'_>) -> Self {
        EcnTarget::default()
    }
    fn parse(&mut self, c: &mut OptCall<'_>, _: &Ctx<'_>) -> Result<()> {
        let set_bit = |t: &mut EcnTarget, b: u8, max: u64| -> Result<u8> {
            let v = parse_uint("ECN", c.def.name, c.arg(), 0, max)? as u8;
            if v != 0 {
                t.tcp |= b;
            } else {
                t.tcp &= !b;
            }
            Ok(v)
        };
        match c.def.id {
            0 => {
                self.operation = OP_SET_ECE | OP_SET_CWR;
                self.tcp &= !(TCP_ECE | TCP_CWR);
            }
            1 => {
                set_bit(self, TCP_CWR, 1)?;
                self.operation |= OP_SET_CWR;
            }
            2 => {
                set_bit(self, TCP_ECE, 1)?;
                self.operation |= OP_SET_ECE;
            }
            _ => {
                self.ip_ect = parse_uint("ECN", c.def.name, c.arg(), 0, 3)? as u8;
                self.operation |= OP_SET_IP;
            }
        }
        Ok(())
    }
    fn check(&mut self, seen: u32, _: &Ctx<'_>) -> Result<()> {
        if seen == 0 {
            return Err(IptError::param("ECN target: An operation is required"));
        }
        Ok(())
    }
    fn to_info(&self, _: &Ctx<'_>) -> Vec<u8> {
        let mut b = Blob::new(Self::SIZE);
        b.u8(0, self.operation).u8(1, self.ip_ect).u8(2, self.tcp);
        b.into_vec()
    }
    fn from_info(info: &[u8], rev: u32, cx: &Ctx<'_>) -> Option<Self> {
        decode_exact(info, rev, cx, |r| {
            Some(EcnTarget {
                operation: r.u8(0)?,
                ip_ect: r.u8(1)?,
                tcp: r.u8(2)?,
            })
        })
    }
    fn save(&self, _: &Ctx<'_>, out: &mut String) {
        if self.is_remove() {
            out.push_str(" --ecn-tcp-remove");
            return;
        }
        if self.operation & OP_SET_ECE != 0 {
            let _ = write!(out, " --ecn-tcp-ece {}", self.bit(TCP_ECE));
        }
        if self.operation & OP_SET_CWR != 0 {
            let _ = write!(out, " --ecn-tcp-cwr {}", self.bit(TCP_CWR));
        }
        if self.operation & OP_SET_IP != 0 {
            let _ = write!(out, " --ecn-ip-ect {}", self.ip_ect);
        }
    }
    fn print(&self, _: &Ctx<'_>, _: bool, out: &mut String) {
        out.push_str(" ECN");
        if self.is_remove() {
            out.push_str(" TCP remove");
            return;
        }
        if self.operation & OP_SET_ECE != 0 {
            let _ = write!(out, " ECE={}", self.bit(TCP_ECE));
        }
        if self.operation & OP_SET_CWR != 0 {
            let _ = write!(out, " CWR={}", self.bit(TCP_CWR));
        }
        if self.operation & OP_SET_IP != 0 {
            let _ = write!(out, " ECT codepoint={}", self.ip_ect);
        }
    }
}
