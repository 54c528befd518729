//! `-m dccp` (revision 0, `struct xt_dccp_info`, 16 bytes): ports, packet
//! types and an option number of DCCP packets.

use super::conntrack::parse_portrc;
use super::tcp::{print_ports, save_given_ports};
use crate::iptables::error::{IptError, Result};
use crate::iptables::ext::{decode_exact, Ctx, OptCall, OptDef, XtExt, F_INVERT};
use crate::iptables::text::parse_uint;
use crate::iptables::xlate::{XlCtx, Xlate};
use crate::iptables::xtbuf::Blob;
use std::fmt::Write as _;

const SRC_PORTS: u16 = 0x01;
const DEST_PORTS: u16 = 0x02;
const TYPE: u16 = 0x04;
const OPTION: u16 = 0x08;
/// Packet type names by type number.
const TYPES: [&str; 11] = [
    "REQUEST", "RESPONSE", "DATA", "ACK", "DATAACK", "CLOSEREQ", "CLOSE", "RESET", "SYNC",
    "SYNCACK", "INVALID",
];
/// `DCCP_PKT_INVALID`.
const INVALID: u32 = 10;
/// Types 11-15, matched along with INVALID.
const INVALID_OTHER: u16 = 0xf800;

/// `struct xt_dccp_info`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Dccp {
    /// Destination ports.
    pub dpts: [u16; 2],
    /// Source ports.
    pub spts: [u16; 2],
    /// `XT_DCCP_*` tests present.
    pub flags: u16,
    /// `XT_DCCP_*` tests inverted.
    pub invflags: u16,
    /// Packet types (bit per type).
    pub typemask: u16,
    /// Option number.
    pub option: u8,
}

const OPTS: &[OptDef] = &[
    OptDef::arg("source-port", 0, F_INVERT),
    OptDef::arg("sport", 0, F_INVERT),
    OptDef::arg("destination-port", 1, F_INVERT),
    OptDef::arg("dport", 1, F_INVERT),
    OptDef::arg("dccp-types", 2, F_INVERT),
    OptDef::arg("dccp-option", 3, F_INVERT),
];

fn parse_types(list: &str) -> Result<u16> {
    let mut mask = 0u16;
    for w in list.split(',').filter(|w| !w.is_empty()) {
        let i = TYPES
            .iter()
            .position(|t| t.eq_ignore_ascii_case(w))
            .ok_or_else(|| IptError::param(format!("Unknown DCCP type `{w}'")))?;
        mask |= 1 << i;
    }
    if mask & (1 << INVALID) != 0 {
        mask |= INVALID_OTHER;
    }
    Ok(mask)
}

/// `print_types`.
fn types(mask: u16, inv: bool, numeric: bool, out: &mut String) {
    if inv {
        out.push_str(" !");
    }
    out.push(' ');
    let mut first = true;
    for i in 0..16u32 {
        if mask & (1 << i) == 0 {
            continue;
        }
        if !first {
            out.push(',');
        }
        first = false;
        if numeric {
            let _ = write!(out, "{i}");
        } else {
            out.push_str(TYPES.get(i as usize).copied().unwrap_or("(null)"));
            if i == INVALID {
                break;
            }
        }
    }
}

impl XtExt for Dccp {
    const NAME: &'static str = "dccp";
    const REVISION: u32 = 0;
    const SIZE: usize = 16;
    const OPTIONS: &'static [OptDef] = OPTS;

    fn init(_: &Ctx<'_>) -> Self {
        Dccp {
            dpts: [0, 0],
            spts: [0, 0],
            flags: 0,
            invflags: 0,
            typemask: 0,
            option: 0,
        }
    }
    fn parse(&mut self, c: &mut OptCall<'_>, _: &Ctx<'_>) -> Result<()> {
        let bit = match c.def.id {
            0 | 1 => {
                let (lo, hi, _) = parse_portrc("dccp", c.def.name, c.arg())?;
                if c.def.id == 0 {
                    self.spts = [lo, hi];
                    SRC_PORTS
                } else {
                    self.dpts = [lo, hi];
                    DEST_PORTS
                }
            }
            2 => {
                self.typemask = parse_types(c.arg())?;
                TYPE
            }
            _ => {
                self.option = parse_uint("dccp", c.def.name, c.arg(), 1, 255)? as u8;
                OPTION
            }
        };
        self.flags |= bit;
        if c.invert {
            self.invflags |= bit;
        }
        Ok(())
    }
    fn to_info(&self, _: &Ctx<'_>) -> Vec<u8> {
        let mut b = Blob::new(Self::SIZE);
        b.u16(0, self.dpts[0])
            .u16(2, self.dpts[1])
            .u16(4, self.spts[0])
            .u16(6, self.spts[1])
            .u16(8, self.flags)
            .u16(10, self.invflags)
            .u16(12, self.typemask)
            .u8(14, self.option);
        b.into_vec()
    }
    fn from_info(info: &[u8], rev: u32, cx: &Ctx<'_>) -> Option<Self> {
        decode_exact(info, rev, cx, |r| {
            Some(Dccp {
                dpts: [r.u16(0)?, r.u16(2)?],
                spts: [r.u16(4)?, r.u16(6)?],
                flags: r.u16(8)?,
                invflags: r.u16(10)?,
                typemask: r.u16(12)?,
                option: r.u8(14)?,
            })
        })
    }
    fn save(&self, _: &Ctx<'_>, out: &mut String) {
        let inv = |b: u16| self.invflags & b != 0;
        if self.flags & SRC_PORTS != 0 {
            save_given_ports(out, "sport", self.spts, inv(SRC_PORTS));
        }
        if self.flags & DEST_PORTS != 0 {
            save_given_ports(out, "dport", self.dpts, inv(DEST_PORTS));
        }
        if self.flags & TYPE != 0 {
            let bang = if inv(TYPE) { " !" } else { "" };
            let _ = write!(out, "{bang} --dccp-types");
            types(self.typemask, false, false, out);
        }
        if self.flags & OPTION != 0 {
            let bang = if inv(OPTION) { " !" } else { "" };
            let _ = write!(out, "{bang} --dccp-option {}", self.option);
        }
    }
    fn print(&self, _: &Ctx<'_>, numeric: bool, out: &mut String) {
        let inv = |b: u16| self.invflags & b != 0;
        out.push_str(" dccp");
        if self.flags & SRC_PORTS != 0 {
            print_ports("spt", self.spts, inv(SRC_PORTS), numeric, "dccp", out);
        }
        if self.flags & DEST_PORTS != 0 {
            print_ports("dpt", self.dpts, inv(DEST_PORTS), numeric, "dccp", out);
        }
        if self.flags & TYPE != 0 {
            types(self.typemask, inv(TYPE), numeric, out);
        }
        if self.flags & OPTION != 0 && (self.option != 0 || inv(OPTION)) {
            let bang = if inv(OPTION) { "!" } else { "" };
            let _ = write!(out, " option={bang}{}", self.option);
        }
    }

    fn xlate(&self, x: &mut Xlate, cx: &XlCtx) -> bool {
        let _ = cx;
        const NAMES: [&str; 11] = [
            "request", "response", "data", "ack", "dataack", "closereq", "close", "reset", "sync",
            "syncack", "10-15",
        ];
        let neq = |f: u16| if self.invflags & f != 0 { " !=" } else { "" };
        for (f, what, r) in [
            (SRC_PORTS, "sport", self.spts),
            (DEST_PORTS, "dport", self.dpts),
        ] {
            if self.flags & f != 0 {
                x.add(&format!("dccp {what}{} {}", neq(f), r[0]));
                if r[0] != r[1] {
                    x.add(&format!("-{}", r[1]));
                }
            }
        }
        if self.flags & TYPE != 0 && self.typemask != 0 {
            x.add(&format!("dccp type{} ", neq(TYPE)));
            let mut types = self.typemask;
            if types & INVALID_OTHER != 0 {
                types &= !INVALID_OTHER;
                types |= 1 << INVALID;
            }
            let set = types.count_ones() > 1;
            if set {
                x.add("{");
            }
            let mut first = true;
            for (i, n) in NAMES.iter().enumerate() {
                if types & (1 << i) != 0 {
                    if !first {
                        x.add(", ");
                    }
                    first = false;
                    x.add(n);
                }
            }
            if set {
                x.add("}");
            }
        }
        self.flags & OPTION == 0
    }
}
