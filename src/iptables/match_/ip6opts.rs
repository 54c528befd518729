//! `-m hbh` and `-m dst`: the IPv6 hop-by-hop and destination options
//! headers (revision 0, both `struct ip6t_opts`, 40 bytes).

use crate::iptables::error::{IptError, Result};
use crate::iptables::ext::{decode_exact, Ctx, OptCall, OptDef, XtExt, F_INVERT};
use crate::iptables::num::strtoumax;
use crate::iptables::text::parse_uint;
use crate::iptables::xlate::{XlCtx, Xlate};
use crate::iptables::xtbuf::Blob;
use std::fmt::Write as _;

/// `IP6T_OPTS_OPTSNR`: options a list may hold.
pub const OPTSNR: usize = 16;
const F_LEN: u8 = 0x01;
const F_OPTS: u8 = 0x02;
const INV_LEN: u8 = 0x01;
const INV_MASK: u8 = 0x01;
const OPTS_AT: usize = 6;
const OPTSNR_AT: usize = OPTS_AT + 2 * OPTSNR;

/// `struct ip6t_opts`; `DST` selects `-m dst` over `-m hbh`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ip6Opts<const DST: bool> {
    /// Header length.
    pub hdrlen: u32,
    /// `IP6T_OPTS_*` flags.
    pub flags: u8,
    /// `IP6T_OPTS_INV_*` flags.
    pub invflags: u8,
    /// Options: type in the high byte, length in the low one (0xff: any).
    pub opts: Vec<u16>,
}

/// `-m hbh`.
pub type Hbh = Ip6Opts<false>;
/// `-m dst`.
pub type Dst = Ip6Opts<true>;

const HBH_OPTS: &[OptDef] = &[
    OptDef::arg("hbh-len", 0, F_INVERT),
    OptDef::arg("hbh-opts", 1, 0),
];
const DST_OPTS: &[OptDef] = &[
    OptDef::arg("dst-len", 0, F_INVERT),
    OptDef::arg("dst-opts", 1, 0),
];

impl<const DST: bool> Ip6Opts<DST> {
    /// `parse_opts_num`: a C `strtoul` number filling the whole word.
    fn num(word: &str, what: &str) -> Result<u64> {
        let name = Self::NAME;
        let (v, n, overflow) = strtoumax(word, 0);
        if n == 0 {
            return Err(IptError::param(format!(
                "{name}: no valid digits in {what} `{word}'"
            )));
        }
        if overflow {
            return Err(IptError::param(format!(
                "{what} `{word}' specified too big: would overflow"
            )));
        }
        if n != word.len() {
            return Err(IptError::param(format!(
                "{name}: error parsing {what} `{word}'"
            )));
        }
        Ok(v)
    }
    /// `parse_options`: `TYPE[:LEN]`, comma separated.
    fn parse_list(arg: &str) -> Result<Vec<u16>> {
        let mut out = Vec::new();
        let mut parts = arg.split(',');
        for (i, p) in parts.by_ref().take(OPTSNR).enumerate() {
            let (ty, len) = match p.split_once(':') {
                Some((t, l)) => {
                    if i == OPTSNR - 1 {
                        return Err(IptError::param("too many ports specified"));
                    }
                    (t, Some(l))
                }
                None => (p, None),
            };
            let mut o = ((Self::num(ty, "opt")? & 0xff) as u16) << 8;
            match len {
                Some(l) => {
                    if o == 0 {
                        return Err(IptError::param(if DST {
                            "PAD0 hasn't got length"
                        } else {
                            "PAD0 has not got length"
                        }));
                    }
                    o |= (Self::num(l, "length")? & 0xff) as u16;
                }
                None => o |= 0xff,
            }
            out.push(o);
        }
        if parts.next().is_some() {
            return Err(IptError::param("too many addresses specified"));
        }
        Ok(out)
    }
    fn list(&self, out: &mut String) {
        for (i, o) in self.opts.iter().enumerate() {
            out.push(if i == 0 { ' ' } else { ',' });
            let _ = write!(out, "{}", o >> 8);
            if o & 0xff != 0xff {
                let _ = write!(out, ":{}", o & 0xff);
            }
        }
    }
}

impl<const DST: bool> XtExt for Ip6Opts<DST> {
    const NAME: &'static str = if DST { "dst" } else { "hbh" };
    const REVISION: u32 = 0;
    const SIZE: usize = 40;
    const OPTIONS: &'static [OptDef] = if DST { DST_OPTS } else { HBH_OPTS };

    fn init(_: &Ctx<'_>) -> Self {
        Ip6Opts {
            hdrlen: 0,
            flags: 0,
            invflags: 0,
            opts: Vec::new(),
        }
    }
    fn parse(&mut self, c: &mut OptCall<'_>, _: &Ctx<'_>) -> Result<()> {
        if c.def.id == 0 {
            self.hdrlen = parse_uint(Self::NAME, c.def.name, c.arg(), 0, u32::MAX as u64)? as u32;
            if c.invert {
                self.invflags |= INV_LEN;
            }
            self.flags |= F_LEN;
        } else {
            self.opts = Self::parse_list(c.arg())?;
            self.flags |= F_OPTS;
        }
        Ok(())
    }
    fn to_info(&self, _: &Ctx<'_>) -> Vec<u8> {
        let mut b = Blob::new(Self::SIZE);
        b.u32(0, self.hdrlen).u8(4, self.flags).u8(5, self.invflags);
        for (i, o) in self.opts.iter().enumerate() {
            b.u16(OPTS_AT + 2 * i, *o);
        }
        b.u8(OPTSNR_AT, self.opts.len() as u8);
        b.into_vec()
    }
    fn from_info(info: &[u8], rev: u32, cx: &Ctx<'_>) -> Option<Self> {
        decode_exact(info, rev, cx, |r| {
            let n = (r.u8(OPTSNR_AT)? as usize).min(OPTSNR);
            Some(Ip6Opts {
                hdrlen: r.u32(0)?,
                flags: r.u8(4)?,
                invflags: r.u8(5)?,
                opts: (0..n)
                    .map(|i| r.u16(OPTS_AT + 2 * i))
                    .collect::<Option<_>>()?,
            })
        })
    }
    fn save(&self, _: &Ctx<'_>, out: &mut String) {
        let name = Self::NAME;
        if self.flags & F_LEN != 0 {
            let bang = if self.invflags & INV_LEN != 0 {
                " !"
            } else {
                ""
            };
            let _ = write!(out, "{bang} --{name}-len {}", self.hdrlen);
        }
        if self.flags & F_OPTS != 0 {
            let _ = write!(out, " --{name}-opts");
        }
        self.list(out);
    }
    fn print(&self, _: &Ctx<'_>, _: bool, out: &mut String) {
        let _ = write!(out, " {}", Self::NAME);
        if self.flags & F_LEN != 0 {
            let bang = if self.invflags & INV_LEN != 0 {
                "!"
            } else {
                ""
            };
            let _ = write!(out, " length:{bang}{}", self.hdrlen);
        }
        if self.flags & F_OPTS != 0 {
            out.push_str(" opts");
        }
        self.list(out);
        if self.invflags & !INV_MASK != 0 {
            let _ = write!(out, " Unknown invflags: 0x{:X}", self.invflags & !INV_MASK);
        }
    }

    fn xlate(&self, x: &mut Xlate, cx: &XlCtx) -> bool {
        let _ = cx;
        if DST || self.flags & 0x01 == 0 || self.flags & 0x02 != 0 {
            return false;
        }
        let op = if self.invflags & 0x01 != 0 { "!= " } else { "" };
        x.add(&format!("hbh hdrlength {op}{}", self.hdrlen));
        true
    }
}
