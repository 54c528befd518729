//! `-m ipvs` (revision 0, `struct xt_ipvs_mtinfo`, 40 bytes): properties of
//! the IPVS connection a packet belongs to.

use super::conntrack::parse_hostmask;
use crate::iptables::addr::{addr_str, mask_suffix, to_anyname};
use crate::iptables::error::{IptError, Result};
use crate::iptables::ext::{decode_exact, Ctx, OptCall, OptDef, XtExt, F_INVERT};
use crate::iptables::family::Family;
use crate::iptables::num::{getportbyname, parse_protocol};
use crate::iptables::xtbuf::Blob;
use std::fmt::Write as _;

// Option ids; their bits are the `XT_IPVS_*` bits.
const IPVS: u8 = 0;
const VPROTO: u8 = 1;
const VADDR: u8 = 2;
const VPORT: u8 = 3;
const VDIR: u8 = 4;
const VMETHOD: u8 = 5;
const VPORTCTL: u8 = 6;
/// `XT_IPVS_ONCE_MASK`: everything but the IPVS property itself.
const ONCE_MASK: u8 = 0x7e;
/// `IP_VS_CONN_F_*` forwarding methods and their names.
const METHODS: [(u8, &str); 3] = [(3, "GATE"), (2, "IPIP"), (0, "MASQ")];

/// `struct xt_ipvs_mtinfo`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Ipvs {
    /// Virtual address.
    pub vaddr: [u8; 16],
    /// Its mask.
    pub vmask: [u8; 16],
    /// Virtual port.
    pub vport: u16,
    /// Virtual protocol.
    pub l4proto: u8,
    /// `IP_VS_CONN_F_*`.
    pub fwd_method: u8,
    /// Port of the controlling connection.
    pub vportctl: u16,
    /// Inverted tests.
    pub invert: u8,
    /// Tests present.
    pub bitmask: u8,
}

const OPTS: &[OptDef] = &[
    OptDef::flag("ipvs", IPVS, F_INVERT),
    OptDef::arg("vproto", VPROTO, F_INVERT),
    OptDef::arg("vaddr", VADDR, F_INVERT),
    OptDef::arg("vport", VPORT, F_INVERT),
    OptDef::arg("vdir", VDIR, 0),
    OptDef::arg("vmethod", VMETHOD, F_INVERT),
    OptDef::arg("vportctl", VPORTCTL, F_INVERT),
];

fn port(arg: &str) -> Result<u16> {
    getportbyname(arg)
        .ok_or_else(|| IptError::param(format!("Port \"{arg}\" does not resolve to anything.\n")))
}

impl Ipvs {
    fn has(&self, b: u8) -> bool {
        self.bitmask & (1 << b) != 0
    }
    fn bang(&self, b: u8, out: &mut String) {
        if self.invert & (1 << b) != 0 {
            out.push_str(" !");
        }
    }
    fn dump(&self, f: Family, numeric: bool, p: &str, out: &mut String) {
        if self.bitmask == 1 << IPVS {
            self.bang(IPVS, out);
            let _ = write!(out, " {p}ipvs");
        }
        if self.has(VPROTO) {
            self.bang(VPROTO, out);
            let _ = write!(out, " {p}vproto {}", self.l4proto);
        }
        if self.has(VADDR) {
            self.bang(VADDR, out);
            let _ = write!(out, " {p}vaddr");
            let n = f.addr_len();
            if !numeric && self.vaddr[..n].iter().all(|&b| b == 0) {
                out.push_str(" anywhere");
            } else {
                let a = if numeric {
                    addr_str(f, &self.vaddr[..n])
                } else {
                    to_anyname(f, &self.vaddr[..n])
                };
                let _ = write!(out, " {a}{}", mask_suffix(f, &self.vmask[..n]));
            }
        }
        if self.has(VPORT) {
            self.bang(VPORT, out);
            let _ = write!(out, " {p}vport {}", self.vport);
        }
        if self.has(VDIR) {
            let d = if self.invert & (1 << VDIR) != 0 {
                "REPLY"
            } else {
                "ORIGINAL"
            };
            let _ = write!(out, " {p}vdir {d}");
        }
        if self.has(VMETHOD) {
            self.bang(VMETHOD, out);
            let m = METHODS
                .iter()
                .find(|(v, _)| *v == self.fwd_method)
                .map(|(_, n)| *n)
                .unwrap_or("UNKNOWN");
            let _ = write!(out, " {p}vmethod {m}");
        }
        if self.has(VPORTCTL) {
            self.bang(VPORTCTL, out);
            let _ = write!(out, " {p}vportctl {}", self.vportctl);
        }
    }
}

impl XtExt for Ipvs {
    const NAME: &'static str = "ipvs";
    const REVISION: u32 = 0;
    const SIZE: usize = 40;
    const OPTIONS: &'static [OptDef] = OPTS;

    fn init(_: &Ctx<'_>) -> Self {
        Ipvs::default()
    }
    fn parse(&mut self, c: &mut OptCall<'_>, cx: &Ctx<'_>) -> Result<()> {
        let arg = c.arg();
        let bad =
            |opt: &str| IptError::param(format!("ipvs: Bad value for \"{opt}\" option: \"{arg}\""));
        match c.def.id {
            VPROTO => {
                self.l4proto = parse_protocol(&arg.to_lowercase()).ok_or_else(|| {
                    IptError::param(format!("unknown protocol \"{arg}\" specified"))
                })?
            }
            VADDR => {
                let am = parse_hostmask(cx.family, "ipvs", c.def.name, arg)?;
                self.vaddr = am.addr;
                self.vmask = am.mask;
            }
            VPORT => self.vport = port(arg)?,
            VPORTCTL => self.vportctl = port(arg)?,
            VDIR => {
                if arg.eq_ignore_ascii_case("ORIGINAL") {
                    self.invert &= !(1 << VDIR);
                } else if arg.eq_ignore_ascii_case("REPLY") {
                    self.invert |= 1 << VDIR;
                } else {
                    return Err(bad("--vdir"));
                }
            }
            VMETHOD => {
                self.fwd_method = METHODS
                    .iter()
                    .find(|(_, n)| n.eq_ignore_ascii_case(arg))
                    .map(|(v, _)| *v)
                    .ok_or_else(|| bad("--vmethod"))?
            }
            _ => {}
        }
        self.bitmask |= 1 << c.def.id;
        if c.invert {
            self.invert |= 1 << c.def.id;
        }
        Ok(())
    }
    fn check(&mut self, seen: u32, _: &Ctx<'_>) -> Result<()> {
        if seen == 0 {
            return Err(IptError::param("IPVS: At least one option is required"));
        }
        if self.bitmask & ONCE_MASK != 0 {
            if self.invert & (1 << IPVS) != 0 {
                return Err(IptError::param(
                    "! --ipvs cannot be together with other options",
                ));
            }
            self.bitmask |= 1 << IPVS;
        }
        Ok(())
    }
    fn to_info(&self, _: &Ctx<'_>) -> Vec<u8> {
        let mut b = Blob::new(Self::SIZE);
        b.bytes(0, &self.vaddr)
            .bytes(16, &self.vmask)
            .be16(32, self.vport)
            .u8(34, self.l4proto)
            .u8(35, self.fwd_method)
            .be16(36, self.vportctl)
            .u8(38, self.invert)
            .u8(39, self.bitmask);
        b.into_vec()
    }
    fn from_info(info: &[u8], rev: u32, cx: &Ctx<'_>) -> Option<Self> {
        decode_exact(info, rev, cx, |r| {
            Some(Ipvs {
                vaddr: r.bytes(0, 16)?.try_into().ok()?,
                vmask: r.bytes(16, 16)?.try_into().ok()?,
                vport: r.be16(32)?,
                l4proto: r.u8(34)?,
                fwd_method: r.u8(35)?,
                vportctl: r.be16(36)?,
                invert: r.u8(38)?,
                bitmask: r.u8(39)?,
            })
        })
    }
    fn save(&self, cx: &Ctx<'_>, out: &mut String) {
        self.dump(cx.family, true, "--", out);
    }
    fn print(&self, cx: &Ctx<'_>, numeric: bool, out: &mut String) {
        self.dump(cx.family, numeric, "", out);
    }
}
