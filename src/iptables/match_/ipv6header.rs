//! `-m ipv6header` (revision 0, `struct ip6t_ipv6header_info`, 8 bytes):
//! which extension headers a packet has.

use crate::iptables::error::{IptError, Result};
use crate::iptables::ext::{decode_exact, Ctx, OptCall, OptDef, XtExt, F_INVERT, F_MAND};
use crate::iptables::num::{proto_by_name, proto_by_number};
use crate::iptables::xtbuf::Blob;
use std::fmt::Write as _;

/// The header names the extension knows besides `/etc/protocols`.
const NAMES: &[(&str, u8)] = &[
    ("hop-by-hop", 0),
    ("protocol", 255),
    ("hop", 0),
    ("dst", 60),
    ("route", 43),
    ("frag", 44),
    ("auth", 51),
    ("esp", 50),
    ("none", 59),
    ("prot", 255),
    ("0", 0),
    ("60", 60),
    ("43", 43),
    ("44", 44),
    ("51", 51),
    ("50", 50),
    ("59", 59),
    ("255", 255),
];

/// Header protocol → bit of `matchflags`, highest bit first.
const FLAGS: &[(u8, u8)] = &[
    (0, 128),
    (60, 64),
    (43, 32),
    (44, 16),
    (51, 8),
    (50, 4),
    (59, 2),
    (255, 1),
];

/// `struct ip6t_ipv6header_info`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Ipv6Header {
    /// Header bits.
    pub matchflags: u8,
    /// 0xff when inverted.
    pub invflags: u8,
    /// 0xff with `--soft`.
    pub modeflag: u8,
}

const OPTS: &[OptDef] = &[
    OptDef::arg("header", 0, F_MAND | F_INVERT),
    OptDef::flag("soft", 1, 0),
];

fn header_bit(word: &str) -> Result<u8> {
    let proto = match proto_by_name(word) {
        Some(p) => p,
        None => NAMES
            .iter()
            .find(|(n, _)| *n == word)
            .map(|(_, p)| *p)
            .ok_or_else(|| IptError::param(format!("unknown header `{word}' specified")))?,
    };
    FLAGS
        .iter()
        .find(|(p, _)| *p == proto)
        .map(|(_, f)| *f)
        .ok_or_else(|| IptError::param(format!("unknown header `{proto}' specified")))
}

/// `print_header`: the names of the set bits, comma separated.
fn headers(flags: u8, out: &mut String) {
    let mut first = true;
    for (proto, bit) in FLAGS {
        if flags & bit == 0 {
            continue;
        }
        if !first {
            out.push(',');
        }
        first = false;
        let name = (*proto != 0)
            .then(|| proto_by_number(*proto))
            .flatten()
            .or_else(|| NAMES.iter().find(|(_, p)| p == proto).map(|(n, _)| *n))
            .unwrap_or("");
        out.push_str(name);
    }
    if first {
        out.push_str("NONE");
    }
}

impl XtExt for Ipv6Header {
    const NAME: &'static str = "ipv6header";
    const REVISION: u32 = 0;
    const SIZE: usize = 8;
    const OPTIONS: &'static [OptDef] = OPTS;

    fn init(_: &Ctx<'_>) -> Self {
        Ipv6Header::default()
    }
    fn parse(&mut self, c: &mut OptCall<'_>, _: &Ctx<'_>) -> Result<()> {
        if c.def.id == 1 {
            self.modeflag = 0xff;
            return Ok(());
        }
        let mut flags = 0u8;
        for w in c.arg().split(',').filter(|w| !w.is_empty()) {
            flags |= header_bit(w)?;
        }
        if flags == 0 {
            return Err(IptError::param(
                "ip6t_ipv6header: cannot parse header names",
            ));
        }
        self.matchflags = flags;
        if c.invert {
            self.invflags = 0xff;
        }
        Ok(())
    }
    fn to_info(&self, _: &Ctx<'_>) -> Vec<u8> {
        let mut b = Blob::new(Self::SIZE);
        b.u8(0, self.matchflags)
            .u8(1, self.invflags)
            .u8(2, self.modeflag);
        b.into_vec()
    }
    fn from_info(info: &[u8], rev: u32, cx: &Ctx<'_>) -> Option<Self> {
        decode_exact(info, rev, cx, |r| {
            Some(Ipv6Header {
                matchflags: r.u8(0)?,
                invflags: r.u8(1)?,
                modeflag: r.u8(2)?,
            })
        })
    }
    fn save(&self, _: &Ctx<'_>, out: &mut String) {
        if self.invflags != 0 {
            out.push_str(" !");
        }
        out.push_str(" --header ");
        headers(self.matchflags, out);
        if self.modeflag != 0 {
            out.push_str(" --soft");
        }
    }
    fn print(&self, _: &Ctx<'_>, numeric: bool, out: &mut String) {
        out.push_str(" ipv6header");
        if self.matchflags != 0 || self.invflags != 0 {
            let bang = if self.invflags != 0 { "!" } else { "" };
            let _ = write!(out, " flags:{bang}");
            if numeric {
                let _ = write!(out, "0x{:02X}", self.matchflags);
            } else {
                headers(self.matchflags, out);
            }
        }
        if self.modeflag != 0 {
            out.push_str(" soft");
        }
    }
}
