//! `-m mh` (IPv6 mobility header; revision 0, `struct ip6t_mh`, 8 bytes).

use crate::iptables::error::{IptError, Result};
use crate::iptables::ext::{decode_exact, Ctx, OptCall, OptDef, XtExt, F_INVERT};
use crate::iptables::num::strtoui;
use crate::iptables::xlate::{XlCtx, Xlate};
use crate::iptables::xtbuf::Blob;
use std::fmt::Write as _;

const INV_TYPE: u8 = 0x01;
const INV_MASK: u8 = 0x01;

/// Mobility header type names (each followed by its alias).
pub const TYPES: &[(&str, u8)] = &[
    ("binding-refresh-request", 0),
    ("brr", 0),
    ("home-test-init", 1),
    ("hoti", 1),
    ("careof-test-init", 2),
    ("coti", 2),
    ("home-test", 3),
    ("hot", 3),
    ("careof-test", 4),
    ("cot", 4),
    ("binding-update", 5),
    ("bu", 5),
    ("binding-acknowledgement", 6),
    ("ba", 6),
    ("binding-error", 7),
    ("be", 7),
];

/// `struct ip6t_mh`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mh {
    /// Type range.
    pub types: [u8; 2],
    /// Inverse flags.
    pub invflags: u8,
}

const OPTS: &[OptDef] = &[OptDef::arg("mh-type", 0, F_INVERT)];

/// A type by (abbreviated, case-insensitive) name or number; an exact name
/// wins over an earlier abbreviation.
fn name_to_type(word: &str) -> Result<u8> {
    let mut found: Option<(usize, u8)> = None;
    for (name, ty) in TYPES {
        let is_prefix = name.len() >= word.len()
            && name.as_bytes()[..word.len()].eq_ignore_ascii_case(word.as_bytes());
        if is_prefix && (found.is_none() || name.len() == word.len()) {
            found = Some((name.len(), *ty));
        }
    }
    if let Some((_, ty)) = found {
        return Ok(ty);
    }
    strtoui(word, 0, 255)
        .map(|v| v as u8)
        .ok_or_else(|| IptError::param(format!("Invalid MH type `{word}'")))
}

fn type_name(ty: u8) -> Option<&'static str> {
    TYPES.iter().find(|(_, t)| *t == ty).map(|(n, _)| *n)
}

impl Mh {
    fn any(&self) -> bool {
        self.types == [0, 255] && self.invflags & INV_TYPE == 0
    }
}

impl XtExt for Mh {
    const NAME: &'static str = "mh";
    const REVISION: u32 = 0;
    const SIZE: usize = 8;
    const OPTIONS: &'static [OptDef] = OPTS;

    fn init(_: &Ctx<'_>) -> Self {
        Mh {
            types: [0, 255],
            invflags: 0,
        }
    }
    fn parse(&mut self, c: &mut OptCall<'_>, _: &Ctx<'_>) -> Result<()> {
        let arg = c.arg();
        self.types = match arg.split_once(':') {
            None => {
                let t = name_to_type(arg)?;
                [t, t]
            }
            Some((lo, hi)) => {
                let lo = if lo.is_empty() { 0 } else { name_to_type(lo)? };
                let hi = if hi.is_empty() {
                    255
                } else {
                    name_to_type(hi)?
                };
                if lo > hi {
                    return Err(IptError::param("Invalid MH type range (min > max)"));
                }
                [lo, hi]
            }
        };
        if c.invert {
            self.invflags |= INV_TYPE;
        }
        Ok(())
    }
    fn to_info(&self, _: &Ctx<'_>) -> Vec<u8> {
        let mut b = Blob::new(Self::SIZE);
        b.u8(0, self.types[0])
            .u8(1, self.types[1])
            .u8(2, self.invflags);
        b.into_vec()
    }
    fn from_info(info: &[u8], rev: u32, cx: &Ctx<'_>) -> Option<Self> {
        decode_exact(info, rev, cx, |r| {
            Some(Mh {
                types: [r.u8(0)?, r.u8(1)?],
                invflags: r.u8(2)?,
            })
        })
    }
    fn save(&self, _: &Ctx<'_>, out: &mut String) {
        if self.any() {
            return;
        }
        if self.invflags & INV_TYPE != 0 {
            out.push_str(" !");
        }
        let _ = write!(out, " --mh-type {}", self.types[0]);
        if self.types[0] != self.types[1] {
            let _ = write!(out, ":{}", self.types[1]);
        }
    }
    fn print(&self, _: &Ctx<'_>, numeric: bool, out: &mut String) {
        out.push_str(" mh");
        if !self.any() {
            let ty = |t: u8| match type_name(t).filter(|_| !numeric) {
                Some(n) => n.to_string(),
                None => t.to_string(),
            };
            let bang = if self.invflags & INV_TYPE != 0 {
                "!"
            } else {
                ""
            };
            let _ = write!(out, " {bang}{}", ty(self.types[0]));
            if self.types[0] != self.types[1] {
                let _ = write!(out, ":{}", ty(self.types[1]));
            }
        }
        if self.invflags & !INV_MASK != 0 {
            let _ = write!(out, " Unknown invflags: 0x{:X}", self.invflags & !INV_MASK);
        }
    }

    fn xlate(&self, x: &mut Xlate, cx: &XlCtx) -> bool {
        let _ = cx;
        let inv = self.invflags & 0x01 != 0;
        if self.types == [0, u8::MAX] && !inv {
            x.add("exthdr mh exists");
            return true;
        }
        let op = if inv { "!= " } else { "" };
        if self.types[0] != self.types[1] {
            x.add(&format!("mh type {op}{}-{}", self.types[0], self.types[1]));
        } else {
            x.add(&format!("mh type {op}{}", self.types[0]));
        }
        true
    }
}
