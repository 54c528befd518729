//! The IPsec header matches: `-m esp` (`struct xt_esp`), `-m ah` for IPv4
//! (`struct ipt_ah`) and IPv6 (`struct ip6t_ah`), `-m ipcomp`
//! (`struct xt_ipcomp`); all revision 0, 16 bytes, an SPI range first.

use super::idrange;
use crate::iptables::error::Result;
use crate::iptables::ext::{decode_exact, Ctx, OptCall, OptDef, XtExt, F_INVERT};
use crate::iptables::text::parse_uint;
use crate::iptables::xlate::{XlCtx, Xlate};
use crate::iptables::xtbuf::Blob;
use std::fmt::Write as _;

/// Bit 0 of every `invflags`: the SPI range is inverted.
const INV_SPI: u8 = 0x01;
/// `IP6T_AH_INV_LEN`.
const INV_LEN: u8 = 0x02;

/// `Unknown invflags` of the list form, for bits outside `known`.
fn unknown_inv(out: &mut String, invflags: u8, known: u8) {
    if invflags & !known != 0 {
        let _ = write!(out, " Unknown invflags: 0x{:X}", invflags & !known);
    }
}

/// `struct xt_esp` / `struct ipt_ah`: SPI range and invflags.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SpiMatch<const AH: bool> {
    /// SPI range.
    pub spis: [u32; 2],
    /// Inverse flags.
    pub invflags: u8,
}

/// `-m esp`.
pub type Esp = SpiMatch<false>;
/// `-m ah` (IPv4).
pub type Ah = SpiMatch<true>;

const ESP_OPTS: &[OptDef] = &[OptDef::arg("espspi", 0, F_INVERT)];
const AH_OPTS: &[OptDef] = &[OptDef::arg("ahspi", 0, F_INVERT)];

impl<const AH: bool> SpiMatch<AH> {
    fn opt() -> &'static str {
        if AH {
            "ahspi"
        } else {
            "espspi"
        }
    }
    fn inv(&self) -> bool {
        self.invflags & INV_SPI != 0
    }
}

impl<const AH: bool> XtExt for SpiMatch<AH> {
    const NAME: &'static str = if AH { "ah" } else { "esp" };
    const REVISION: u32 = 0;
    const SIZE: usize = 16;
    const OPTIONS: &'static [OptDef] = if AH { AH_OPTS } else { ESP_OPTS };

    fn init(_: &Ctx<'_>) -> Self {
        SpiMatch {
            spis: idrange::ANY,
            invflags: 0,
        }
    }
    fn parse(&mut self, c: &mut OptCall<'_>, _: &Ctx<'_>) -> Result<()> {
        self.spis = idrange::parse(Self::NAME, c.def.name, c.arg())?;
        if c.invert {
            self.invflags |= INV_SPI;
        }
        Ok(())
    }
    fn to_info(&self, _: &Ctx<'_>) -> Vec<u8> {
        let mut b = Blob::new(Self::SIZE);
        b.u32(0, self.spis[0])
            .u32(4, self.spis[1])
            .u8(8, self.invflags);
        b.into_vec()
    }
    fn from_info(info: &[u8], rev: u32, cx: &Ctx<'_>) -> Option<Self> {
        decode_exact(info, rev, cx, |r| {
            Some(SpiMatch {
                spis: [r.u32(0)?, r.u32(4)?],
                invflags: r.u8(8)?,
            })
        })
    }
    fn save(&self, _: &Ctx<'_>, out: &mut String) {
        idrange::save(out, Self::opt(), self.spis, self.inv());
    }
    fn print(&self, _: &Ctx<'_>, _: bool, out: &mut String) {
        if AH {
            out.push_str(" ah ");
        } else {
            out.push_str(" esp");
            if !idrange::is_any(self.spis, self.inv()) {
                out.push(' ');
            }
        }
        idrange::print(out, "spi", self.spis, self.inv());
        unknown_inv(out, self.invflags, INV_SPI);
    }

    fn xlate(&self, x: &mut Xlate, cx: &XlCtx) -> bool {
        let inv = self.inv();
        let any = self.spis == [0, u32::MAX] && !inv;
        if AH {
            if !any {
                x.add(&format!("ah spi{} ", if inv { " !=" } else { "" }));
                x.add(&spi_range(self.spis));
            } else {
                x.add("meta l4proto ah");
            }
        } else if !any {
            x.add(&format!("esp spi{}", if inv { " !=" } else { "" }));
            x.add(&format!(" {}", spi_range(self.spis)));
        } else if cx.family == crate::iptables::family::Family::V4 {
            x.add("meta l4proto esp");
        } else {
            x.add("exthdr esp exists");
        }
        true
    }
}

/// `struct ip6t_ah`: `-m ah` for IPv6.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ah6 {
    /// SPI range.
    pub spis: [u32; 2],
    /// Header length.
    pub hdrlen: u32,
    /// Test the reserved field.
    pub hdrres: u8,
    /// Inverse flags.
    pub invflags: u8,
}

const AH6_OPTS: &[OptDef] = &[
    OptDef::arg("ahspi", 0, F_INVERT),
    OptDef::arg("ahlen", 1, F_INVERT),
    OptDef::flag("ahres", 2, 0),
];

impl XtExt for Ah6 {
    const NAME: &'static str = "ah";
    const REVISION: u32 = 0;
    const SIZE: usize = 16;
    const OPTIONS: &'static [OptDef] = AH6_OPTS;

    fn init(_: &Ctx<'_>) -> Self {
        Ah6 {
            spis: idrange::ANY,
            hdrlen: 0,
            hdrres: 0,
            invflags: 0,
        }
    }
    fn parse(&mut self, c: &mut OptCall<'_>, _: &Ctx<'_>) -> Result<()> {
        let bit = match c.def.id {
            0 => {
                self.spis = idrange::parse("ah", c.def.name, c.arg())?;
                INV_SPI
            }
            1 => {
                self.hdrlen = parse_uint("ah", c.def.name, c.arg(), 0, u32::MAX as u64)? as u32;
                INV_LEN
            }
            _ => {
                self.hdrres = 1;
                0
            }
        };
        if c.invert {
            self.invflags |= bit;
        }
        Ok(())
    }
    fn to_info(&self, _: &Ctx<'_>) -> Vec<u8> {
        let mut b = Blob::new(Self::SIZE);
        b.u32(0, self.spis[0])
            .u32(4, self.spis[1])
            .u32(8, self.hdrlen)
            .u8(12, self.hdrres)
            .u8(13, self.invflags);
        b.into_vec()
    }
    fn from_info(info: &[u8], rev: u32, cx: &Ctx<'_>) -> Option<Self> {
        decode_exact(info, rev, cx, |r| {
            Some(Ah6 {
                spis: [r.u32(0)?, r.u32(4)?],
                hdrlen: r.u32(8)?,
                hdrres: r.u8(12)?,
                invflags: r.u8(13)?,
            })
        })
    }
    fn save(&self, _: &Ctx<'_>, out: &mut String) {
        idrange::save(out, "ahspi", self.spis, self.invflags & INV_SPI != 0);
        let inv_len = self.invflags & INV_LEN != 0;
        if self.hdrlen != 0 || inv_len {
            let bang = if inv_len { " !" } else { "" };
            let _ = write!(out, "{bang} --ahlen {}", self.hdrlen);
        }
        if self.hdrres != 0 {
            out.push_str(" --ahres");
        }
    }
    fn print(&self, _: &Ctx<'_>, _: bool, out: &mut String) {
        out.push_str(" ah ");
        idrange::print(out, "spi", self.spis, self.invflags & INV_SPI != 0);
        let inv_len = self.invflags & INV_LEN != 0;
        if self.hdrlen != 0 || inv_len {
            let bang = if inv_len { "!" } else { "" };
            let _ = write!(out, "length:{bang}{}", self.hdrlen);
        }
        if self.hdrres != 0 {
            out.push_str(" reserved");
        }
        unknown_inv(out, self.invflags, INV_SPI | INV_LEN);
    }

    fn xlate(&self, x: &mut Xlate, cx: &XlCtx) -> bool {
        let _ = cx;
        let inv_spi = self.invflags & 0x01 != 0;
        let inv_len = self.invflags & 0x02 != 0;
        let mut space = "";
        if self.spis != [0, u32::MAX] || inv_spi {
            x.add(&format!("ah spi{} ", if inv_spi { " !=" } else { "" }));
            x.add(&spi_range(self.spis));
            space = " ";
        }
        if self.hdrlen != 0 || inv_len {
            let op = if inv_len { " !=" } else { "" };
            x.add(&format!("{space}ah hdrlength{op} {}", self.hdrlen));
            space = " ";
        }
        if self.hdrres != 0 {
            x.add(&format!("{space}ah reserved {}", self.hdrres));
            space = " ";
        }
        if space.is_empty() {
            x.add("exthdr ah exists");
        }
        true
    }
}

/// `struct xt_ipcomp`: `-m ipcomp`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ipcomp {
    /// SPI (CPI) range.
    pub spis: [u32; 2],
    /// Inverse flags.
    pub invflags: u8,
    /// Test the reserved field.
    pub hdrres: u8,
}

const IPCOMP_OPTS: &[OptDef] = &[
    OptDef::arg("ipcompspi", 0, F_INVERT),
    OptDef::flag("compres", 1, 0),
];

impl XtExt for Ipcomp {
    const NAME: &'static str = "ipcomp";
    const REVISION: u32 = 0;
    const SIZE: usize = 16;
    const OPTIONS: &'static [OptDef] = IPCOMP_OPTS;

    fn init(_: &Ctx<'_>) -> Self {
        Ipcomp {
            spis: idrange::ANY,
            invflags: 0,
            hdrres: 0,
        }
    }
    fn parse(&mut self, c: &mut OptCall<'_>, _: &Ctx<'_>) -> Result<()> {
        if c.def.id == 0 {
            self.spis = idrange::parse("ipcomp", c.def.name, c.arg())?;
            if c.invert {
                self.invflags |= INV_SPI;
            }
        } else {
            self.hdrres = 1;
        }
        Ok(())
    }
    fn to_info(&self, _: &Ctx<'_>) -> Vec<u8> {
        let mut b = Blob::new(Self::SIZE);
        b.u32(0, self.spis[0])
            .u32(4, self.spis[1])
            .u8(8, self.invflags)
            .u8(9, self.hdrres);
        b.into_vec()
    }
    fn from_info(info: &[u8], rev: u32, cx: &Ctx<'_>) -> Option<Self> {
        decode_exact(info, rev, cx, |r| {
            Some(Ipcomp {
                spis: [r.u32(0)?, r.u32(4)?],
                invflags: r.u8(8)?,
                hdrres: r.u8(9)?,
            })
        })
    }
    fn save(&self, _: &Ctx<'_>, out: &mut String) {
        idrange::save(out, "ipcompspi", self.spis, self.invflags & INV_SPI != 0);
        if self.hdrres != 0 {
            out.push_str(" --compres");
        }
    }
    fn print(&self, _: &Ctx<'_>, _: bool, out: &mut String) {
        out.push_str(" comp ");
        idrange::print(out, "spi", self.spis, self.invflags & INV_SPI != 0);
        if self.hdrres != 0 {
            out.push_str(" reserved");
        }
        unknown_inv(out, self.invflags, INV_SPI);
    }

    fn xlate(&self, x: &mut Xlate, cx: &XlCtx) -> bool {
        let _ = cx;
        let op = if self.invflags & 0x01 != 0 { "!= " } else { "" };
        x.add(&format!("comp cpi {op}"));
        x.add(&spi_range(self.spis));
        true
    }
}

/// `N` or `N-M`.
fn spi_range(r: [u32; 2]) -> String {
    if r[0] != r[1] {
        format!("{}-{}", r[0], r[1])
    } else {
        r[0].to_string()
    }
}
