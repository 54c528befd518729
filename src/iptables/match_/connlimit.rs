//! `-m connlimit` (revision 1, `struct xt_connlimit_info`, 32 bytes; 24
//! compared) and, where the kernel lacks it, revision 0 (the same layout,
//! without `--connlimit-saddr`/`--connlimit-daddr`).

use crate::iptables::addr::prefix_mask;
use crate::iptables::error::{IptError, Result};
use crate::iptables::ext::{Ctx, OptCall, OptDef, XtExt, F_INVERT};
use crate::iptables::family::Family;
use crate::iptables::num::strtoui;
use crate::iptables::text::parse_uint;
use crate::iptables::xlate::{XlCtx, Xlate};
use crate::iptables::xtbuf::{Blob, Rd};
use std::fmt::Write as _;

/// `XT_CONNLIMIT_INVERT`.
pub const INVERT: u32 = 1;
/// `XT_CONNLIMIT_DADDR`.
pub const DADDR: u32 = 2;

/// `struct xt_connlimit_info`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Connlimit {
    /// Address mask (IPv4 uses the first 4 bytes).
    pub mask: [u8; 16],
    /// Limit.
    pub limit: u32,
    /// `XT_CONNLIMIT_*` (revision 0: its `inverse` word).
    pub flags: u32,
    /// The revision written (0 or 1).
    pub rev: u32,
}

impl Default for Connlimit {
    fn default() -> Self {
        Connlimit {
            mask: [0xff; 16],
            limit: 0,
            flags: 0,
            rev: 1,
        }
    }
}

const F_UPTO: u32 = 1;
const F_ABOVE: u32 = 2;
const F_SADDR: u32 = 8;
const F_DADDR: u32 = 16;

const OPTS: &[OptDef] = &[
    OptDef::arg("connlimit-upto", 0, F_INVERT).excl(F_ABOVE),
    OptDef::arg("connlimit-above", 1, F_INVERT).excl(F_UPTO),
    OptDef::arg("connlimit-mask", 2, 0),
    OptDef::flag("connlimit-saddr", 3, 0).excl(F_DADDR),
    OptDef::flag("connlimit-daddr", 4, 0).excl(F_SADDR),
];

/// `XTTYPE_PLENMASK`: a prefix length or a mask (all 16 bytes).
pub fn parse_plenmask(f: Family, ext: &str, opt: &str, arg: &str) -> Result<[u8; 16]> {
    let hlen = (f.addr_len() * 8) as u64;
    if let Some(n) = strtoui(arg, 0, hlen) {
        return Ok(prefix_mask(f, n as u32));
    }
    // A mask in address form, as getaddrinfo reads a numeric host.
    let n = f.addr_len();
    let m = crate::iptables::gai::resolve(f, arg, true)
        .ok()
        .and_then(|v| v.first().copied())
        .map(|a| {
            let mut b = [0u8; 16];
            b[..n].copy_from_slice(&a[..n]);
            b
        });
    m.ok_or_else(|| {
        IptError::param(format!(
            "{ext}: bad value for option \"--{opt}\", neither a valid network mask nor valid CIDR (0-{hlen}).\n"
        ))
    })
}

/// `XTTYPE_PLEN`: a prefix length, or a mask in address form taken as its
/// prefix length (255 when it is none, as libxtables' `uint8_t` keeps -1).
pub fn parse_plen(f: Family, ext: &str, opt: &str, arg: &str) -> Result<u8> {
    let hlen = (f.addr_len() * 8) as u64;
    if let Some(n) = strtoui(arg, 0, hlen) {
        return Ok(n as u8);
    }
    let m = parse_plenmask(f, ext, opt, arg)?;
    Ok(crate::iptables::addr::mask_to_cidr(f, &m).map_or(u8::MAX, |n| n as u8))
}

impl Connlimit {
    /// `count_bits4`/`count_bits6`: address bits minus the position of
    /// the highest set bit of each inverted mask word.
    fn bits(&self, f: Family) -> u32 {
        let n = f.addr_len();
        let mut bits = 0u32;
        for w in self.mask[..n].chunks(4) {
            let v = !u32::from_be_bytes([w[0], w[1], w[2], w[3]]);
            bits += 32 - v.leading_zeros();
        }
        (n * 8) as u32 - bits
    }
}

impl XtExt for Connlimit {
    const NAME: &'static str = "connlimit";
    const REVISION: u32 = 1;
    const SIZE: usize = 32;
    const USERSPACE: usize = 24;
    const OPTIONS: &'static [OptDef] = OPTS;

    fn init(_: &Ctx<'_>) -> Self {
        Connlimit {
            rev: 1,
            ..Connlimit::default()
        }
    }
    fn revisions(_: Family) -> &'static [u32] {
        &[1, 0]
    }
    crate::revision_in_field!();
    fn parse(&mut self, c: &mut OptCall<'_>, cx: &Ctx<'_>) -> Result<()> {
        match c.def.id {
            0 | 1 => {
                self.limit =
                    parse_uint("connlimit", c.def.name, c.arg(), 0, u32::MAX as u64)? as u32;
                let inv = if c.def.id == 1 { c.invert } else { !c.invert };
                if inv {
                    self.flags |= INVERT;
                }
            }
            2 => self.mask = parse_plenmask(cx.family, "connlimit", c.def.name, c.arg())?,
            // revision 0 names --connlimit-daddr for both
            3 | 4 if self.rev == 0 => {
                return Err(IptError::param(
                    "xt_connlimit.0 does not support --connlimit-daddr",
                ))
            }
            3 => self.flags &= !DADDR,
            _ => self.flags |= DADDR,
        }
        Ok(())
    }
    fn check(&mut self, seen: u32, _: &Ctx<'_>) -> Result<()> {
        if seen & (F_UPTO | F_ABOVE) == 0 {
            return Err(IptError::param(
                "You must specify \"--connlimit-above\" or \"--connlimit-upto\".",
            ));
        }
        Ok(())
    }
    fn to_info(&self, _: &Ctx<'_>) -> Vec<u8> {
        let mut b = Blob::new(Self::SIZE);
        b.bytes(0, &self.mask)
            .u32(16, self.limit)
            .u32(20, self.flags);
        b.into_vec()
    }
    fn from_info(info: &[u8], rev: u32, cx: &Ctx<'_>) -> Option<Self> {
        if rev > 1 || info.len() != Self::SIZE {
            return None;
        }
        let r = Rd(info);
        let mut c = Connlimit {
            limit: r.u32(16)?,
            flags: r.u32(20)?,
            rev,
            ..Default::default()
        };
        c.mask.copy_from_slice(r.bytes(0, 16)?);
        (c.to_info(cx) == info).then_some(c)
    }
    fn save(&self, cx: &Ctx<'_>, out: &mut String) {
        if self.flags & INVERT != 0 {
            let _ = write!(out, " --connlimit-upto {}", self.limit);
        } else {
            let _ = write!(out, " --connlimit-above {}", self.limit);
        }
        let _ = write!(out, " --connlimit-mask {}", self.bits(cx.family));
        if self.rev == 0 {
            return;
        }
        if self.flags & DADDR != 0 {
            out.push_str(" --connlimit-daddr");
        } else {
            out.push_str(" --connlimit-saddr");
        }
    }
    fn print(&self, cx: &Ctx<'_>, _: bool, out: &mut String) {
        let _ = write!(
            out,
            " #conn {}/{} {} {}",
            if self.flags & DADDR != 0 {
                "dst"
            } else {
                "src"
            },
            self.bits(cx.family),
            if self.flags & INVERT != 0 { "<=" } else { ">" },
            self.limit
        );
    }

    fn xlate(&self, x: &mut Xlate, cx: &XlCtx) -> bool {
        use std::sync::atomic::{AtomicU32, Ordering};
        /// 1.8.11 numbers the sets it declares per process.
        static NEXT_ID: AtomicU32 = AtomicU32::new(0);
        let f = cx.family;
        let n = f.addr_len();
        let full = crate::iptables::addr::mask_to_cidr(f, &self.mask) == Some((n * 8) as u32);
        let netmask = if full {
            String::new()
        } else {
            format!(
                "and {} ",
                crate::iptables::addr::addr_str(f, &self.mask[..n])
            )
        };
        let id = NEXT_ID.fetch_add(1, Ordering::Relaxed);
        x.set_add(&format!(
            "connlimit{id} {{ type ipv4_addr; flags dynamic; }}"
        ));
        x.add(&format!(
            "add @connlimit{id} {{ {} {} {netmask}ct count {}{} }}",
            crate::iptables::xlate::family_word(f),
            if self.flags & 2 != 0 {
                "daddr"
            } else {
                "saddr"
            },
            if self.flags & 1 != 0 { "" } else { "over " },
            self.limit
        ));
        true
    }
}
