//! `-j HMARK` (revision 0, `struct xt_hmark_info`, 64 bytes): set the mark
//! from a hash of the packet's (or connection's) addresses, ports and
//! protocol.

use crate::iptables::addr::{mask_to_cidr, v6_str};
use crate::iptables::error::{IptError, Result};
use crate::iptables::ext::{decode_exact, Ctx, OptCall, OptDef, XtExt};
use crate::iptables::family::Family;
use crate::iptables::match_::connlimit::parse_plenmask;
use crate::iptables::text::parse_uint;
use crate::iptables::xtbuf::Blob;
use std::fmt::Write as _;

// Option ids, which are also the bits of `flags` (`XT_HMARK_*`).
const SADDR_MASK: u8 = 0;
const DADDR_MASK: u8 = 1;
const SPI: u8 = 2;
const SPI_MASK: u8 = 3;
const SPORT: u8 = 4;
const DPORT: u8 = 5;
const SPORT_MASK: u8 = 6;
const DPORT_MASK: u8 = 7;
const PROTO_MASK: u8 = 8;
const RND: u8 = 9;
const MODULUS: u8 = 10;
const OFFSET: u8 = 11;
const CT: u8 = 12;
const TYPE: u8 = 13;
/// The packet fields one of which (or `ct`) must be hashed.
const PKT_MASK: u32 = bit(SADDR_MASK)
    | bit(DADDR_MASK)
    | bit(SPI_MASK)
    | bit(SPORT_MASK)
    | bit(DPORT_MASK)
    | bit(PROTO_MASK)
    | bit(SPORT)
    | bit(DPORT)
    | bit(SPI);

const fn bit(b: u8) -> u32 {
    1 << b
}

/// `struct xt_hmark_info`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Hmark {
    /// Source address mask.
    pub src_mask: [u8; 16],
    /// Destination address mask.
    pub dst_mask: [u8; 16],
    /// Port (or SPI) mask, as stored (network order).
    pub port_mask: [u8; 4],
    /// Port (or SPI) values ORed in, as stored.
    pub port_set: [u8; 4],
    /// `XT_HMARK_FLAG` bits.
    pub flags: u32,
    /// Protocol mask.
    pub proto_mask: u16,
    /// Hash seed.
    pub hashrnd: u32,
    /// Modulus.
    pub hmodulus: u32,
    /// Mark offset.
    pub hoffset: u32,
}

const OPTS: &[OptDef] = &[
    OptDef::arg("hmark-tuple", TYPE, 0),
    OptDef::arg("hmark-src-prefix", SADDR_MASK, 0),
    OptDef::arg("hmark-dst-prefix", DADDR_MASK, 0),
    OptDef::arg("hmark-sport-mask", SPORT_MASK, 0),
    OptDef::arg("hmark-dport-mask", DPORT_MASK, 0),
    OptDef::arg("hmark-spi-mask", SPI_MASK, 0),
    OptDef::arg("hmark-sport", SPORT, 0),
    OptDef::arg("hmark-dport", DPORT, 0),
    OptDef::arg("hmark-spi", SPI, 0),
    OptDef::arg("hmark-proto-mask", PROTO_MASK, 0),
    OptDef::arg("hmark-rnd", RND, 0),
    OptDef::arg("hmark-mod", MODULUS, 0),
    OptDef::arg("hmark-offset", OFFSET, 0),
];

impl Hmark {
    fn has(&self, b: u8) -> bool {
        self.flags & bit(b) != 0
    }
    /// One `--hmark-tuple` word (an abbreviation of a field name).
    fn tuple_word(&mut self, w: &str) -> bool {
        let is = |name: &str| {
            name.len() >= w.len() && name.as_bytes()[..w.len()].eq_ignore_ascii_case(w.as_bytes())
        };
        let b = if is("ct") {
            CT
        } else if is("src") {
            self.src_mask = [0xff; 16];
            SADDR_MASK
        } else if is("dst") {
            self.dst_mask = [0xff; 16];
            DADDR_MASK
        } else if is("sport") {
            self.port_mask[..2].copy_from_slice(&[0xff; 2]);
            SPORT_MASK
        } else if is("dport") {
            self.port_mask[2..].copy_from_slice(&[0xff; 2]);
            DPORT_MASK
        } else if is("proto") {
            self.proto_mask = 0xffff;
            PROTO_MASK
        } else if is("spi") {
            self.port_mask = [0xff; 4];
            SPI_MASK
        } else {
            return false;
        };
        self.flags |= bit(b);
        true
    }
    fn parse_tuple(&mut self, arg: &str) -> Result<()> {
        let bad = |a: &str| IptError::param(format!("Bad type \"{a}\""));
        let mut rest = arg;
        while let Some(p) = rest.find(',') {
            if p == 0 || !self.tuple_word(&rest[..p]) {
                return Err(bad(rest));
            }
            rest = &rest[p + 1..];
        }
        if rest.is_empty() {
            return Err(IptError::param(
                "\"--hmark-tuple\" requires a list of types with no spaces, e.g. src,dst,sport,dport,proto",
            ));
        }
        if !self.tuple_word(rest) {
            return Err(bad(rest));
        }
        Ok(())
    }
    fn prefix(&self, f: Family, m: &[u8; 16], save: bool) -> String {
        let n = f.addr_len();
        match (mask_to_cidr(f, &m[..n]), f, save) {
            (Some(c), _, _) => c.to_string(),
            (None, Family::V6, false) => v6_str(m),
            (None, Family::V6, true) => "-1".into(),
            (None, Family::V4, _) => u32::MAX.to_string(),
        }
    }
    fn port16(b: &[u8]) -> u16 {
        u16::from_be_bytes([b[0], b[1]])
    }
}

impl XtExt for Hmark {
    const NAME: &'static str = "HMARK";
    const REVISION: u32 = 0;
    const SIZE: usize = 64;
    const OPTIONS: &'static [OptDef] = OPTS;

    fn init(_: &Ctx<'_>) -> Self {
        Hmark::default()
    }
    fn parse(&mut self, c: &mut OptCall<'_>, cx: &Ctx<'_>) -> Result<()> {
        let (arg, name) = (c.arg(), c.def.name);
        let u16_ = |max| parse_uint("HMARK", name, arg, 0, max);
        match c.def.id {
            TYPE => return self.parse_tuple(arg),
            SADDR_MASK | DADDR_MASK => {
                let mut m = parse_plenmask(cx.family, "HMARK", name, arg)?;
                if cx.family == Family::V4 {
                    m[4..].fill(0);
                }
                if c.def.id == SADDR_MASK {
                    self.src_mask = m;
                } else {
                    self.dst_mask = m;
                }
            }
            SPORT_MASK => self.port_mask[..2].copy_from_slice(&(u16_(65535)? as u16).to_be_bytes()),
            DPORT_MASK => self.port_mask[2..].copy_from_slice(&(u16_(65535)? as u16).to_be_bytes()),
            SPI_MASK => self.port_mask = (u16_(u32::MAX as u64)? as u32).to_be_bytes(),
            SPORT => self.port_set[..2].copy_from_slice(&(u16_(65535)? as u16).to_be_bytes()),
            DPORT => self.port_set[2..].copy_from_slice(&(u16_(65535)? as u16).to_be_bytes()),
            SPI => self.port_set = (u16_(u32::MAX as u64)? as u32).to_be_bytes(),
            PROTO_MASK => self.proto_mask = u16_(65535)? as u16,
            RND => self.hashrnd = u16_(u32::MAX as u64)? as u32,
            MODULUS => self.hmodulus = parse_uint("HMARK", name, arg, 1, u32::MAX as u64)? as u32,
            _ => self.hoffset = u16_(u32::MAX as u64)? as u32,
        }
        self.flags |= bit(c.def.id);
        Ok(())
    }
    fn check(&mut self, seen: u32, _: &Ctx<'_>) -> Result<()> {
        let x = seen | self.flags;
        if x & bit(MODULUS) == 0 {
            return Err(IptError::param("--hmark-mod is mandatory"));
        }
        if x & bit(RND) == 0 {
            return Err(IptError::param("--hmark-rnd is mandatory"));
        }
        if x & bit(SPI_MASK) != 0 && x & (bit(SPORT_MASK) | bit(DPORT_MASK)) != 0 {
            return Err(IptError::param(
                "you cannot use --hmark-spi-mask and --hmark-?port-mask,at the same time",
            ));
        }
        if x & PKT_MASK == 0 && x & bit(CT) == 0 {
            return Err(IptError::param(
                "you have to specify --hmark-tuple at least",
            ));
        }
        Ok(())
    }
    fn to_info(&self, _: &Ctx<'_>) -> Vec<u8> {
        let mut b = Blob::new(Self::SIZE);
        b.bytes(0, &self.src_mask)
            .bytes(16, &self.dst_mask)
            .bytes(32, &self.port_mask)
            .bytes(36, &self.port_set)
            .u32(40, self.flags)
            .u16(44, self.proto_mask)
            .u32(48, self.hashrnd)
            .u32(52, self.hmodulus)
            .u32(56, self.hoffset);
        b.into_vec()
    }
    fn from_info(info: &[u8], rev: u32, cx: &Ctx<'_>) -> Option<Self> {
        decode_exact(info, rev, cx, |r| {
            Some(Hmark {
                src_mask: r.bytes(0, 16)?.try_into().ok()?,
                dst_mask: r.bytes(16, 16)?.try_into().ok()?,
                port_mask: r.bytes(32, 4)?.try_into().ok()?,
                port_set: r.bytes(36, 4)?.try_into().ok()?,
                flags: r.u32(40)?,
                proto_mask: r.u16(44)?,
                hashrnd: r.u32(48)?,
                hmodulus: r.u32(52)?,
                hoffset: r.u32(56)?,
            })
        })
    }
    fn save(&self, cx: &Ctx<'_>, out: &mut String) {
        let f = cx.family;
        if self.has(SADDR_MASK) {
            let _ = write!(
                out,
                " --hmark-src-prefix {}",
                self.prefix(f, &self.src_mask, true)
            );
        }
        if self.has(DADDR_MASK) {
            let _ = write!(
                out,
                " --hmark-dst-prefix {}",
                self.prefix(f, &self.dst_mask, true)
            );
        }
        let (pm, ps) = (&self.port_mask, &self.port_set);
        if self.has(SPORT_MASK) {
            let _ = write!(out, " --hmark-sport-mask 0x{:04x}", Self::port16(&pm[..2]));
        }
        if self.has(DPORT_MASK) {
            let _ = write!(out, " --hmark-dport-mask 0x{:04x}", Self::port16(&pm[2..]));
        }
        if self.has(SPI_MASK) {
            let _ = write!(out, " --hmark-spi-mask 0x{:08x}", u32::from_be_bytes(*pm));
        }
        if self.has(SPORT) {
            let _ = write!(out, " --hmark-sport 0x{:04x}", Self::port16(&ps[..2]));
        }
        if self.has(DPORT) {
            let _ = write!(out, " --hmark-dport 0x{:04x}", Self::port16(&ps[2..]));
        }
        if self.has(SPI) {
            let _ = write!(out, " --hmark-spi 0x{:08x}", u32::from_be_bytes(*ps));
        }
        if self.has(PROTO_MASK) {
            let _ = write!(out, " --hmark-proto-mask 0x{:02x}", self.proto_mask);
        }
        if self.has(RND) {
            let _ = write!(out, " --hmark-rnd 0x{:08x}", self.hashrnd);
        }
        if self.has(MODULUS) {
            let _ = write!(out, " --hmark-mod {}", self.hmodulus);
        }
        if self.has(OFFSET) {
            let _ = write!(out, " --hmark-offset {}", self.hoffset);
        }
        if self.has(CT) {
            out.push_str(" --hmark-tuple ct");
        }
    }
    fn print(&self, cx: &Ctx<'_>, _: bool, out: &mut String) {
        let f = cx.family;
        out.push_str(" HMARK ");
        if self.has(MODULUS) {
            let _ = write!(out, "mod {} ", self.hmodulus);
        }
        if self.has(OFFSET) {
            let _ = write!(out, "+ 0x{:x} ", self.hoffset);
        }
        if self.has(CT) {
            out.push_str("ct, ");
        }
        if self.has(SADDR_MASK) {
            let _ = write!(out, "src-prefix {} ", self.prefix(f, &self.src_mask, false));
        }
        if self.has(DADDR_MASK) {
            let _ = write!(out, "dst-prefix {} ", self.prefix(f, &self.dst_mask, false));
        }
        let (pm, ps) = (&self.port_mask, &self.port_set);
        if self.has(SPORT_MASK) {
            let _ = write!(out, "sport-mask 0x{:x} ", Self::port16(&pm[..2]));
        }
        if self.has(DPORT_MASK) {
            let _ = write!(out, "dport-mask 0x{:x} ", Self::port16(&pm[2..]));
        }
        if self.has(SPI_MASK) {
            let _ = write!(out, "spi-mask 0x{:x} ", u32::from_be_bytes(*pm));
        }
        if self.has(SPORT) {
            let _ = write!(out, "sport 0x{:x} ", Self::port16(&ps[..2]));
        }
        if self.has(DPORT) {
            let _ = write!(out, "dport 0x{:x} ", Self::port16(&ps[2..]));
        }
        if self.has(SPI) {
            let _ = write!(out, "spi 0x{:x} ", u32::from_be_bytes(*ps));
        }
        if self.has(PROTO_MASK) {
            let _ = write!(out, "proto-mask 0x{:x} ", self.proto_mask);
        }
        if self.has(RND) {
            let _ = write!(out, "rnd 0x{:x} ", self.hashrnd);
        }
    }
}
