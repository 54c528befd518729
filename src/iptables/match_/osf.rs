//! `-m osf` (IPv4; revision 0, `struct xt_osf_info`, 48 bytes): passive OS
//! fingerprinting of TCP SYNs.

use crate::iptables::error::Result;
use crate::iptables::ext::{decode_exact, Ctx, OptCall, OptDef, XtExt, F_INVERT, F_MAND};
use crate::iptables::text::parse_uint;
use crate::iptables::xtbuf::Blob;
use std::fmt::Write as _;

/// `MAXGENRELEN`.
const GENRE_LEN: usize = 32;
const F_TTL: u32 = 1 << 1;
const F_LOG: u32 = 1 << 2;
const OSF_INVERT: u32 = 1 << 3;

/// `struct xt_osf_info`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Osf {
    /// OS genre.
    pub genre: String,
    /// Length of `genre`.
    pub len: u32,
    /// `XT_OSF_*`.
    pub flags: u32,
    /// Log level.
    pub loglevel: u32,
    /// TTL check mode.
    pub ttl: u32,
}

const OPTS: &[OptDef] = &[
    OptDef::arg("genre", 0, F_MAND | F_INVERT),
    OptDef::arg("ttl", 1, 0),
    OptDef::arg("log", 2, 0),
];

impl XtExt for Osf {
    const NAME: &'static str = "osf";
    const REVISION: u32 = 0;
    const SIZE: usize = 48;
    const OPTIONS: &'static [OptDef] = OPTS;

    fn init(_: &Ctx<'_>) -> Self {
        Osf::default()
    }
    fn parse(&mut self, c: &mut OptCall<'_>, _: &Ctx<'_>) -> Result<()> {
        match c.def.id {
            0 => {
                let b = c.arg().as_bytes();
                self.genre = String::from_utf8_lossy(&b[..b.len().min(GENRE_LEN - 1)]).into_owned();
                self.len = self.genre.len() as u32;
                if c.invert {
                    self.flags |= OSF_INVERT;
                }
            }
            1 => {
                self.ttl = parse_uint("osf", c.def.name, c.arg(), 0, 2)? as u32;
                self.flags |= F_TTL;
            }
            _ => {
                self.loglevel = parse_uint("osf", c.def.name, c.arg(), 0, 2)? as u32;
                self.flags |= F_LOG;
            }
        }
        Ok(())
    }
    fn to_info(&self, _: &Ctx<'_>) -> Vec<u8> {
        let mut b = Blob::new(Self::SIZE);
        b.str(0, GENRE_LEN, &self.genre)
            .u32(32, self.len)
            .u32(36, self.flags)
            .u32(40, self.loglevel)
            .u32(44, self.ttl);
        b.into_vec()
    }
    fn from_info(info: &[u8], rev: u32, cx: &Ctx<'_>) -> Option<Self> {
        decode_exact(info, rev, cx, |r| {
            Some(Osf {
                genre: r.str(0, GENRE_LEN)?,
                len: r.u32(32)?,
                flags: r.u32(36)?,
                loglevel: r.u32(40)?,
                ttl: r.u32(44)?,
            })
        })
    }
    fn save(&self, _: &Ctx<'_>, out: &mut String) {
        if self.flags & OSF_INVERT != 0 {
            out.push_str(" !");
        }
        let _ = write!(out, " --genre {}", self.genre);
        if self.flags & F_TTL != 0 {
            let _ = write!(out, " --ttl {}", self.ttl);
        }
        if self.flags & F_LOG != 0 {
            let _ = write!(out, " --log {}", self.loglevel);
        }
    }
    fn print(&self, _: &Ctx<'_>, _: bool, out: &mut String) {
        let bang = if self.flags & OSF_INVERT != 0 {
            "! "
        } else {
            ""
        };
        let _ = write!(out, " OS fingerprint match {bang}{}", self.genre);
    }
}
