//! `-m iprange` (revision 1, `struct xt_iprange_mtinfo`, 72 bytes) and, for
//! IPv4 where the kernel lacks it, revision 0 (`struct ipt_iprange_info`:
//! 4-byte addresses, 24 bytes; the same options and text).

use crate::iptables::addr::{addr_str, numeric_to_v4, numeric_to_v6};
use crate::iptables::error::{IptError, Result};
use crate::iptables::ext::{Ctx, OptCall, OptDef, XtExt, F_INVERT};
use crate::iptables::family::Family;
use crate::iptables::xlate::{XlCtx, Xlate};
use crate::iptables::xtbuf::{Blob, Rd};
use std::fmt::Write as _;

/// `IPRANGE_SRC`.
pub const SRC: u8 = 1;
/// `IPRANGE_DST`.
pub const DST: u8 = 2;
/// `IPRANGE_SRC_INV`.
pub const SRC_INV: u8 = 0x10;
/// `IPRANGE_DST_INV`.
pub const DST_INV: u8 = 0x20;

/// `struct xt_iprange_mtinfo`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Iprange {
    /// Source range.
    pub src: [[u8; 16]; 2],
    /// Destination range.
    pub dst: [[u8; 16]; 2],
    /// `IPRANGE_*`.
    pub flags: u8,
    /// The revision written (0: IPv4 only).
    pub rev: u32,
}

fn spec(f: Family, s: &str, opt: &str) -> Result<[u8; 16]> {
    let v = match f {
        Family::V4 => numeric_to_v4(s, false).map(|a| {
            let mut b = [0u8; 16];
            b[..4].copy_from_slice(&a);
            b
        }),
        Family::V6 => numeric_to_v6(s),
    };
    v.ok_or_else(|| IptError::param(format!("iprange: Bad value for \"{opt}\" option: \"{s}\"")))
}

fn parse_range(
    f: Family,
    arg: &str,
    opt: &str,
    warnings: &mut Vec<String>,
) -> Result<[[u8; 16]; 2]> {
    match arg.find('-') {
        None => {
            let a = spec(f, arg, opt)?;
            Ok([a, a])
        }
        Some(d) => {
            let (x, y) = (&arg[..d], &arg[d + 1..]);
            let a = spec(f, x, opt)?;
            let b = spec(f, y, opt)?;
            if a > b {
                warnings.push(format!(
                    "xt_iprange: range {x}-{y} is reversed and will never match"
                ));
            }
            Ok([a, b])
        }
    }
}

const OPTS: &[OptDef] = &[
    OptDef::arg("src-range", 0, F_INVERT),
    OptDef::arg("dst-range", 1, F_INVERT),
];

impl Iprange {
    fn show(&self, f: Family, save: bool, out: &mut String) {
        for (flag, inv, r, label, opt) in [
            (SRC, SRC_INV, &self.src, " source IP range", " --src-range"),
            (
                DST,
                DST_INV,
                &self.dst,
                " destination IP range",
                " --dst-range",
            ),
        ] {
            if self.flags & flag == 0 {
                continue;
            }
            let i = self.flags & inv != 0;
            if save {
                if i {
                    out.push_str(" !");
                }
                out.push_str(opt);
            } else {
                out.push_str(label);
                if i {
                    out.push_str(" !");
                }
            }
            let _ = write!(out, " {}-{}", addr_str(f, &r[0]), addr_str(f, &r[1]));
        }
    }
}

impl XtExt for Iprange {
    const NAME: &'static str = "iprange";
    const REVISION: u32 = 1;
    const SIZE: usize = 72;
    const OPTIONS: &'static [OptDef] = OPTS;

    fn init(_: &Ctx<'_>) -> Self {
        Iprange {
            rev: 1,
            ..Iprange::default()
        }
    }
    fn revisions(f: Family) -> &'static [u32] {
        match f {
            Family::V4 => &[1, 0],
            _ => &[1],
        }
    }
    crate::revision_in_field!();
    fn parse(&mut self, c: &mut OptCall<'_>, cx: &Ctx<'_>) -> Result<()> {
        let mut w = Vec::new();
        if c.def.id == 0 {
            self.src = parse_range(cx.family, c.arg(), "--src-range", &mut w)?;
            self.flags |= SRC;
            if c.invert {
                self.flags |= SRC_INV;
            }
        } else {
            self.dst = parse_range(cx.family, c.arg(), "--dst-range", &mut w)?;
            self.flags |= DST;
            if c.invert {
                self.flags |= DST_INV;
            }
        }
        for m in w {
            crate::iptables::warn::warn(m);
        }
        Ok(())
    }
    fn check(&mut self, seen: u32, _: &Ctx<'_>) -> Result<()> {
        if seen == 0 {
            return Err(IptError::param(
                "iprange match: You must specify `--src-range' or `--dst-range'",
            ));
        }
        Ok(())
    }
    fn to_info(&self, _: &Ctx<'_>) -> Vec<u8> {
        if self.rev == 0 {
            let mut b = Blob::new(24);
            b.bytes(0, &self.src[0][..4])
                .bytes(4, &self.src[1][..4])
                .bytes(8, &self.dst[0][..4])
                .bytes(12, &self.dst[1][..4])
                .u8(16, self.flags);
            return b.into_vec();
        }
        let mut b = Blob::new(Self::SIZE);
        b.bytes(0, &self.src[0])
            .bytes(16, &self.src[1])
            .bytes(32, &self.dst[0])
            .bytes(48, &self.dst[1])
            .u8(64, self.flags);
        b.into_vec()
    }
    fn from_info(info: &[u8], rev: u32, cx: &Ctx<'_>) -> Option<Self> {
        let r = Rd(info);
        if rev == 0 && info.len() == 24 && cx.family == Family::V4 {
            let mut x = Iprange {
                flags: r.u8(16)?,
                rev,
                ..Default::default()
            };
            x.src[0][..4].copy_from_slice(r.bytes(0, 4)?);
            x.src[1][..4].copy_from_slice(r.bytes(4, 4)?);
            x.dst[0][..4].copy_from_slice(r.bytes(8, 4)?);
            x.dst[1][..4].copy_from_slice(r.bytes(12, 4)?);
            return (x.to_info(cx) == info).then_some(x);
        }
        if rev != 1 || info.len() != Self::SIZE {
            return None;
        }
        let mut x = Iprange {
            flags: r.u8(64)?,
            rev,
            ..Default::default()
        };
        x.src[0].copy_from_slice(r.bytes(0, 16)?);
        x.src[1].copy_from_slice(r.bytes(16, 16)?);
        x.dst[0].copy_from_slice(r.bytes(32, 16)?);
        x.dst[1].copy_from_slice(r.bytes(48, 16)?);
        (x.to_info(cx) == info).then_some(x)
    }
    fn save(&self, cx: &Ctx<'_>, out: &mut String) {
        self.show(cx.family, true, out)
    }
    fn print(&self, cx: &Ctx<'_>, _: bool, out: &mut String) {
        self.show(cx.family, false, out)
    }

    fn xlate(&self, x: &mut Xlate, cx: &XlCtx) -> bool {
        let f = cx.family;
        let n = f.addr_len();
        let sel = match f {
            crate::iptables::family::Family::V4 => "ip",
            crate::iptables::family::Family::V6 => "ip6",
        };
        for (bit, inv, dir, r) in [
            (1u8, 0x10u8, "saddr", &self.src),
            (2, 0x20, "daddr", &self.dst),
        ] {
            if self.flags & bit != 0 {
                let op = if self.flags & inv != 0 { " !=" } else { "" };
                let lo = crate::iptables::addr::addr_str(f, &r[0][..n]);
                let hi = crate::iptables::addr::addr_str(f, &r[1][..n]);
                x.add(&format!("{sel} {dir}{op} {lo}"));
                x.add(&format!("-{hi}"));
            }
        }
        true
    }
}
