//! `-m frag` (IPv6 fragment header; revision 0, `struct ip6t_frag`, 16
//! bytes).

use super::idrange;
use crate::iptables::error::Result;
use crate::iptables::ext::{decode_exact, Ctx, OptCall, OptDef, XtExt, F_INVERT};
use crate::iptables::text::parse_uint;
use crate::iptables::xlate::{XlCtx, Xlate};
use crate::iptables::xtbuf::Blob;
use std::fmt::Write as _;

const F_IDS: u8 = 0x01;
const F_LEN: u8 = 0x02;
const F_RES: u8 = 0x04;
const F_FST: u8 = 0x08;
const F_MF: u8 = 0x10;
const F_NMF: u8 = 0x20;
const INV_IDS: u8 = 0x01;
const INV_LEN: u8 = 0x02;
const INV_MASK: u8 = 0x03;

/// `struct ip6t_frag`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Frag {
    /// Identification range.
    pub ids: [u32; 2],
    /// Header length.
    pub hdrlen: u32,
    /// `IP6T_FRAG_*` flags.
    pub flags: u8,
    /// `IP6T_FRAG_INV_*` flags.
    pub invflags: u8,
}

const OPTS: &[OptDef] = &[
    OptDef::arg("fragid", 0, F_INVERT),
    OptDef::arg("fraglen", 1, F_INVERT),
    OptDef::flag("fragres", 2, 0),
    OptDef::flag("fragfirst", 3, 0),
    OptDef::flag("fragmore", 4, 0).excl(1 << 5),
    OptDef::flag("fraglast", 5, 0).excl(1 << 4),
];

/// Flag bits in the order save and list print them.
const WORDS: [(u8, &str, &str); 4] = [
    (F_RES, "--fragres", "reserved"),
    (F_FST, "--fragfirst", "first"),
    (F_MF, "--fragmore", "more"),
    (F_NMF, "--fraglast", "last"),
];

impl XtExt for Frag {
    const NAME: &'static str = "frag";
    const REVISION: u32 = 0;
    const SIZE: usize = 16;
    const OPTIONS: &'static [OptDef] = OPTS;

    fn init(_: &Ctx<'_>) -> Self {
        Frag {
            ids: idrange::ANY,
            hdrlen: 0,
            flags: 0,
            invflags: 0,
        }
    }
    fn parse(&mut self, c: &mut OptCall<'_>, _: &Ctx<'_>) -> Result<()> {
        let (flag, inv) = match c.def.id {
            0 => {
                self.ids = idrange::parse("frag", c.def.name, c.arg())?;
                (F_IDS, INV_IDS)
            }
            1 => {
                self.hdrlen = parse_uint("frag", c.def.name, c.arg(), 0, u32::MAX as u64)? as u32;
                (F_LEN, INV_LEN)
            }
            2 => (F_RES, 0),
            3 => (F_FST, 0),
            4 => (F_MF, 0),
            _ => (F_NMF, 0),
        };
        self.flags |= flag;
        if c.invert {
            self.invflags |= inv;
        }
        Ok(())
    }
    fn to_info(&self, _: &Ctx<'_>) -> Vec<u8> {
        let mut b = Blob::new(Self::SIZE);
        b.u32(0, self.ids[0])
            .u32(4, self.ids[1])
            .u32(8, self.hdrlen)
            .u8(12, self.flags)
            .u8(13, self.invflags);
        b.into_vec()
    }
    fn from_info(info: &[u8], rev: u32, cx: &Ctx<'_>) -> Option<Self> {
        decode_exact(info, rev, cx, |r| {
            Some(Frag {
                ids: [r.u32(0)?, r.u32(4)?],
                hdrlen: r.u32(8)?,
                flags: r.u8(12)?,
                invflags: r.u8(13)?,
            })
        })
    }
    fn save(&self, _: &Ctx<'_>, out: &mut String) {
        idrange::save(out, "fragid", self.ids, self.invflags & INV_IDS != 0);
        if self.flags & F_LEN != 0 {
            let bang = if self.invflags & INV_LEN != 0 {
                " !"
            } else {
                ""
            };
            let _ = write!(out, "{bang} --fraglen {}", self.hdrlen);
        }
        for (f, opt, _) in WORDS {
            if self.flags & f != 0 {
                let _ = write!(out, " {opt}");
            }
        }
    }
    fn print(&self, _: &Ctx<'_>, _: bool, out: &mut String) {
        out.push_str(" frag ");
        idrange::print(out, "id", self.ids, self.invflags & INV_IDS != 0);
        if self.flags & F_LEN != 0 {
            let bang = if self.invflags & INV_LEN != 0 {
                "!"
            } else {
                ""
            };
            let _ = write!(out, " length:{bang}{}", self.hdrlen);
        }
        for (f, _, word) in WORDS {
            if self.flags & f != 0 {
                let _ = write!(out, " {word}");
            }
        }
        if self.invflags & !INV_MASK != 0 {
            let _ = write!(out, " Unknown invflags: 0x{:X}", self.invflags & !INV_MASK);
        }
    }

    fn xlate(&self, x: &mut Xlate, cx: &XlCtx) -> bool {
        let _ = cx;
        let inv = self.invflags & 0x01 != 0;
        if self.ids != [0, u32::MAX] || inv {
            x.add(&format!("frag id {}", if inv { "!= " } else { "" }));
            if self.ids[0] != self.ids[1] {
                x.add(&format!("{}-{}", self.ids[0], self.ids[1]));
            } else {
                x.add(&self.ids[0].to_string());
            }
        } else if self.flags & (0x04 | 0x08 | 0x10 | 0x20) == 0 {
            x.add("exthdr frag exists");
            return true;
        }
        if self.flags & 0x04 != 0 {
            x.add("frag reserved 1");
        }
        if self.flags & 0x08 != 0 {
            x.add("frag frag-off 0");
        }
        if self.flags & 0x10 != 0 {
            x.add("frag more-fragments 1");
        }
        if self.flags & 0x20 != 0 {
            x.add("frag more-fragments 0");
        }
        true
    }
}
