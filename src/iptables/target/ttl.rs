//! `-j TTL` (IPv4, `struct ipt_TTL_info`) and `-j HL` (IPv6,
//! `struct ip6t_HL_info`): set, increment or decrement the TTL / hop limit
//! (revision 0, 8 bytes: mode, value).

use crate::iptables::error::{IptError, Result};
use crate::iptables::ext::{decode_exact, Ctx, OptCall, OptDef, XtExt};
use crate::iptables::text::parse_uint;
use crate::iptables::xtbuf::Blob;
use std::fmt::Write as _;

const MODE_SET: u8 = 0;
const MODE_INC: u8 = 1;
const MODE_DEC: u8 = 2;
const ANY: u32 = 7;

/// The TTL/HL target; `V6` selects `-j HL`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TtlTarget<const V6: bool> {
    /// `IPT_TTL_SET`/`INC`/`DEC`.
    pub mode: u8,
    /// The value.
    pub value: u8,
}

/// `-j TTL`.
pub type Ttl = TtlTarget<false>;
/// `-j HL`.
pub type Hl = TtlTarget<true>;

const TTL_OPTS: &[OptDef] = &[
    OptDef::arg("ttl-set", 0, 0).excl(ANY),
    OptDef::arg("ttl-dec", 2, 0).excl(ANY),
    OptDef::arg("ttl-inc", 1, 0).excl(ANY),
];
const HL_OPTS: &[OptDef] = &[
    OptDef::arg("hl-set", 0, 0).excl(ANY),
    OptDef::arg("hl-dec", 2, 0).excl(ANY),
    OptDef::arg("hl-inc", 1, 0).excl(ANY),
];

impl<const V6: bool> XtExt for TtlTarget<V6> {
    const NAME: &'static str = if V6 { "HL" } else { "TTL" };
    const REVISION: u32 = 0;
    const SIZE: usize = 8;
    const OPTIONS: &'static [OptDef] = if V6 { HL_OPTS } else { TTL_OPTS };

    fn init(_: &Ctx<'_>) -> Self {
        TtlTarget::default()
    }
    fn parse(&mut self, c: &mut OptCall<'_>, _: &Ctx<'_>) -> Result<()> {
        let min = if c.def.id == 0 { 0 } else { 1 };
        self.value = parse_uint(Self::NAME, c.def.name, c.arg(), min, 255)? as u8;
        self.mode = match c.def.id {
            0 => MODE_SET,
            1 => MODE_INC,
            _ => MODE_DEC,
        };
        Ok(())
    }
    fn check(&mut self, seen: u32, _: &Ctx<'_>) -> Result<()> {
        if seen & ANY == 0 {
            return Err(IptError::param(format!(
                "{}: You must specify an action",
                Self::NAME
            )));
        }
        Ok(())
    }
    fn to_info(&self, _: &Ctx<'_>) -> Vec<u8> {
        let mut b = Blob::new(Self::SIZE);
        b.u8(0, self.mode).u8(1, self.value);
        b.into_vec()
    }
    fn from_info(info: &[u8], rev: u32, cx: &Ctx<'_>) -> Option<Self> {
        decode_exact(info, rev, cx, |r| {
            Some(TtlTarget {
                mode: r.u8(0)?,
                value: r.u8(1)?,
            })
        })
    }
    fn save(&self, _: &Ctx<'_>, out: &mut String) {
        let p = if V6 { "hl" } else { "ttl" };
        match self.mode {
            MODE_SET => {
                let _ = write!(out, " --{p}-set");
            }
            MODE_DEC => {
                let _ = write!(out, " --{p}-dec");
            }
            MODE_INC => {
                let _ = write!(out, " --{p}-inc");
            }
            _ => {}
        }
        let _ = write!(out, " {}", self.value);
    }
    fn print(&self, _: &Ctx<'_>, _: bool, out: &mut String) {
        let _ = write!(out, " {} ", Self::NAME);
        out.push_str(match self.mode {
            MODE_SET => "set to",
            MODE_DEC => "decrement by",
            MODE_INC => "increment by",
            _ => "",
        });
        let _ = write!(out, " {}", self.value);
    }
}
