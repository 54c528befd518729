//! `-m rt` (IPv6 routing header; revision 0, `struct ip6t_rt`, 280 bytes).

use super::idrange;
use crate::iptables::addr::{numeric_to_v6, v6_str};
use crate::iptables::error::{IptError, Result};
use crate::iptables::ext::{Ctx, OptCall, OptDef, XtExt, F_INVERT};
use crate::iptables::text::parse_uint;
use crate::iptables::xlate::{XlCtx, Xlate};
use crate::iptables::xtbuf::{Blob, Rd};
use std::fmt::Write as _;

/// `IP6T_RT_HOPS`: addresses a type-0 header list may hold.
pub const HOPS: usize = 16;
const F_TYP: u8 = 0x01;
const F_SGS: u8 = 0x02;
const F_LEN: u8 = 0x04;
const F_RES: u8 = 0x08;
const F_FST: u8 = 0x10;
const F_FST_NSTRICT: u8 = 0x20;
const INV_TYP: u8 = 0x01;
const INV_SGS: u8 = 0x02;
const INV_LEN: u8 = 0x04;
const INV_MASK: u8 = 0x07;
/// Offset of `addrs` (after two u8s, aligned to 4).
const ADDRS: usize = 20;
const ADDRNR: usize = ADDRS + 16 * HOPS;

/// `struct ip6t_rt`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rt {
    /// Routing type.
    pub rt_type: u32,
    /// Segments-left range.
    pub segsleft: [u32; 2],
    /// Header length.
    pub hdrlen: u32,
    /// `IP6T_RT_*` flags.
    pub flags: u8,
    /// `IP6T_RT_INV_*` flags.
    pub invflags: u8,
    /// Type-0 addresses (`addrnr` of them used).
    pub addrs: Vec<[u8; 16]>,
}

const OPTS: &[OptDef] = &[
    OptDef::arg("rt-type", 0, F_INVERT),
    OptDef::arg("rt-segsleft", 1, F_INVERT),
    OptDef::arg("rt-len", 2, F_INVERT),
    OptDef::flag("rt-0-res", 3, 0),
    OptDef::arg("rt-0-addrs", 4, 0),
    OptDef::flag("rt-0-not-strict", 5, 0),
];

impl Rt {
    fn addresses(&self, out: &mut String) {
        for (i, a) in self.addrs.iter().enumerate() {
            out.push(if i == 0 { ' ' } else { ',' });
            out.push_str(&v6_str(a));
        }
    }
    fn type0_required(&self, seen_type: bool, opt: &str) -> Result<()> {
        if !seen_type || self.rt_type != 0 || self.invflags & INV_TYP != 0 {
            return Err(IptError::param(format!(
                "`--rt-type 0' required before `--{opt}'"
            )));
        }
        Ok(())
    }
    fn inv_sgs(&self) -> bool {
        self.invflags & INV_SGS != 0
    }
}

impl XtExt for Rt {
    const NAME: &'static str = "rt";
    const REVISION: u32 = 0;
    const SIZE: usize = 280;
    const OPTIONS: &'static [OptDef] = OPTS;

    fn init(_: &Ctx<'_>) -> Self {
        Rt {
            rt_type: 0,
            segsleft: idrange::ANY,
            hdrlen: 0,
            flags: 0,
            invflags: 0,
            addrs: Vec::new(),
        }
    }

    fn parse(&mut self, c: &mut OptCall<'_>, _: &Ctx<'_>) -> Result<()> {
        let arg = c.arg().to_string();
        let name = c.def.name;
        match c.def.id {
            0 => {
                self.rt_type = parse_uint("rt", name, &arg, 0, u32::MAX as u64)? as u32;
                if c.invert {
                    self.invflags |= INV_TYP;
                }
                self.flags |= F_TYP;
            }
            1 => {
                self.segsleft = idrange::parse("rt", name, &arg)?;
                if c.invert {
                    self.invflags |= INV_SGS;
                }
                self.flags |= F_SGS;
            }
            2 => {
                self.hdrlen = parse_uint("rt", name, &arg, 0, u32::MAX as u64)? as u32;
                if c.invert {
                    self.invflags |= INV_LEN;
                }
                self.flags |= F_LEN;
            }
            3 => {
                self.type0_required(c.seen(0), name)?;
                self.flags |= F_RES;
            }
            4 => {
                self.type0_required(c.seen(0), name)?;
                let mut addrs = Vec::new();
                let mut parts = arg.split(',');
                for p in parts.by_ref().take(HOPS) {
                    addrs.push(
                        numeric_to_v6(p)
                            .ok_or_else(|| IptError::param(format!("bad address: {p}")))?,
                    );
                }
                if parts.next().is_some() {
                    return Err(IptError::param("too many addresses specified"));
                }
                self.addrs = addrs;
                self.flags |= F_FST;
            }
            _ => {
                if !c.seen(4) {
                    return Err(IptError::param(
                        "`--rt-0-addr ...' required before `--rt-0-not-strict'",
                    ));
                }
                self.flags |= F_FST_NSTRICT;
            }
        }
        Ok(())
    }

    fn to_info(&self, _: &Ctx<'_>) -> Vec<u8> {
        let mut b = Blob::new(Self::SIZE);
        b.u32(0, self.rt_type)
            .u32(4, self.segsleft[0])
            .u32(8, self.segsleft[1])
            .u32(12, self.hdrlen)
            .u8(16, self.flags)
            .u8(17, self.invflags);
        for (i, a) in self.addrs.iter().enumerate() {
            b.bytes(ADDRS + 16 * i, a);
        }
        b.u8(ADDRNR, self.addrs.len() as u8);
        b.into_vec()
    }

    fn from_info(info: &[u8], rev: u32, cx: &Ctx<'_>) -> Option<Self> {
        if rev != 0 || info.len() != Self::SIZE {
            return None;
        }
        let r = Rd(info);
        let n = (r.u8(ADDRNR)? as usize).min(HOPS);
        let rt = Rt {
            rt_type: r.u32(0)?,
            segsleft: [r.u32(4)?, r.u32(8)?],
            hdrlen: r.u32(12)?,
            flags: r.u8(16)?,
            invflags: r.u8(17)?,
            addrs: (0..n)
                .map(|i| r.bytes(ADDRS + 16 * i, 16)?.try_into().ok())
                .collect::<Option<_>>()?,
        };
        (rt.to_info(cx) == info).then_some(rt)
    }

    fn save(&self, _: &Ctx<'_>, out: &mut String) {
        let inv = |f: u8| if self.invflags & f != 0 { " !" } else { "" };
        if self.flags & F_TYP != 0 {
            let _ = write!(out, "{} --rt-type {}", inv(INV_TYP), self.rt_type);
        }
        idrange::save(out, "rt-segsleft", self.segsleft, self.inv_sgs());
        if self.flags & F_LEN != 0 {
            let _ = write!(out, "{} --rt-len {}", inv(INV_LEN), self.hdrlen);
        }
        if self.flags & F_RES != 0 {
            out.push_str(" --rt-0-res");
        }
        if self.flags & F_FST != 0 {
            out.push_str(" --rt-0-addrs");
        }
        self.addresses(out);
        if self.flags & F_FST_NSTRICT != 0 {
            out.push_str(" --rt-0-not-strict");
        }
    }

    fn print(&self, _: &Ctx<'_>, _: bool, out: &mut String) {
        let inv = |f: u8| if self.invflags & f != 0 { "!" } else { "" };
        out.push_str(" rt");
        if self.flags & F_TYP != 0 {
            let _ = write!(out, " type:{}{}", inv(INV_TYP), self.rt_type as i32);
        }
        if !idrange::is_any(self.segsleft, self.inv_sgs()) {
            out.push(' ');
            idrange::print(out, "segsleft", self.segsleft, self.inv_sgs());
        }
        if self.flags & F_LEN != 0 {
            let _ = write!(out, " length:{}{}", inv(INV_LEN), self.hdrlen);
        }
        if self.flags & F_RES != 0 {
            out.push_str(" reserved");
        }
        if self.flags & F_FST != 0 {
            out.push_str(" 0-addrs");
        }
        self.addresses(out);
        if self.flags & F_FST_NSTRICT != 0 {
            out.push_str(" 0-not-strict");
        }
        if self.invflags & !INV_MASK != 0 {
            let _ = write!(out, " Unknown invflags: 0x{:X}", self.invflags & !INV_MASK);
        }
    }

    fn xlate(&self, x: &mut Xlate, cx: &XlCtx) -> bool {
        let _ = cx;
        let xlate_flags = 0x01 | 0x04 | 0x08 | 0x10 | 0x20;
        let inv_sgs = self.invflags & 0x02 != 0;
        if self.flags & 0x01 != 0 {
            let op = if self.invflags & 0x01 != 0 { " !=" } else { "" };
            x.add(&format!("rt type{op} {}", self.rt_type));
        }
        if self.segsleft != [0, u32::MAX] || inv_sgs {
            x.add(&format!("rt seg-left{} ", if inv_sgs { " !=" } else { "" }));
            if self.segsleft[0] != self.segsleft[1] {
                x.add(&format!("{}-{}", self.segsleft[0], self.segsleft[1]));
            } else {
                x.add(&self.segsleft[0].to_string());
            }
        } else if self.flags & xlate_flags == 0 {
            x.add("exthdr rt exists");
            return true;
        }
        if self.flags & 0x04 != 0 {
            let op = if self.invflags & 0x04 != 0 { " !=" } else { "" };
            x.add(&format!("rt hdrlength{op} {}", self.hdrlen));
        }
        self.flags & (0x08 | 0x10 | 0x20) == 0
    }
}
