//! `-m tos` (revision 1, `struct xt_tos_match_info`, 8 bytes) and, for
//! IPv4 where the kernel lacks it, revision 0 (`struct ipt_tos_info`: a
//! value without mask, 8 bytes), as libxtables.

use crate::iptables::error::{IptError, Result};
use crate::iptables::ext::{Ctx, OptCall, OptDef, XtExt, F_INVERT, F_MAND};
use crate::iptables::family::Family;
use crate::iptables::num::strtoui_prefix;
use crate::iptables::xtbuf::{Blob, Rd};
use std::fmt::Write as _;

const SYMBOLS: &[(u8, &str)] = &[
    (0x10, "Minimize-Delay"),
    (0x08, "Maximize-Throughput"),
    (0x04, "Maximize-Reliability"),
    (0x02, "Minimize-Cost"),
    (0x00, "Normal-Service"),
];

/// `XTTYPE_TOSMASK`: `value[/mask]` or a symbolic name (mask `sym_mask`).
pub fn parse_tosmask(arg: &str, sym_mask: u8) -> Result<(u8, u8)> {
    if let Some((v, n)) = strtoui_prefix(arg, 0, 255) {
        let mut mask = 255u8;
        let rest = &arg[n..];
        if let Some(m) = rest.strip_prefix('/') {
            match strtoui_prefix(m, 0, 255) {
                Some((mv, k)) if k == m.len() => mask = mv as u8,
                _ => return Err(IptError::param(format!("Illegal value: \"{arg}\""))),
            }
        } else if !rest.is_empty() {
            return Err(IptError::param(format!("Illegal value: \"{arg}\"")));
        }
        return Ok((v as u8, mask));
    }
    SYMBOLS
        .iter()
        .find(|(_, n)| n.eq_ignore_ascii_case(arg))
        .map(|(v, _)| (*v, sym_mask))
        .ok_or_else(|| IptError::param(format!("Symbolic name \"{arg}\" is unknown")))
}

/// `tos_try_print_symbolic`.
pub fn symbolic(value: u8, mask: u8) -> Option<&'static str> {
    if mask != 0x3f {
        return None;
    }
    SYMBOLS.iter().find(|(v, _)| *v == value).map(|s| s.1)
}

/// `struct xt_tos_match_info`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Tos {
    /// Mask.
    pub tos_mask: u8,
    /// Value.
    pub tos_value: u8,
    /// `!`.
    pub invert: u8,
    /// The revision written (0: IPv4 only, the mask always 0xff).
    pub rev: u32,
}

const OPTS: &[OptDef] = &[OptDef::arg("tos", 0, F_INVERT | F_MAND)];

impl XtExt for Tos {
    const NAME: &'static str = "tos";
    const REVISION: u32 = 1;
    const SIZE: usize = 8;
    const OPTIONS: &'static [OptDef] = OPTS;

    fn init(_: &Ctx<'_>) -> Self {
        Tos {
            rev: 1,
            ..Tos::default()
        }
    }
    fn revisions(f: Family) -> &'static [u32] {
        match f {
            Family::V4 => &[1, 0],
            _ => &[1],
        }
    }
    crate::revision_in_field!();
    fn parse(&mut self, c: &mut OptCall<'_>, _: &Ctx<'_>) -> Result<()> {
        if self.rev == 0 {
            let (v, m) = parse_tosmask(c.arg(), 0xff)?;
            if m != 0xff {
                return Err(IptError::param(
                    "tos: Your kernel is too old to support anything besides /0xFF as a mask.",
                ));
            }
            self.tos_value = v;
            self.tos_mask = m;
            if c.invert {
                self.invert = 1;
            }
            return Ok(());
        }
        let (v, m) = parse_tosmask(c.arg(), 0x3f)?;
        self.tos_value = v;
        self.tos_mask = m;
        if c.invert {
            self.invert = 1;
        }
        Ok(())
    }
    fn to_info(&self, _: &Ctx<'_>) -> Vec<u8> {
        let mut b = Blob::new(Self::SIZE);
        if self.rev == 0 {
            b.u8(0, self.tos_value).u8(1, self.invert);
            return b.into_vec();
        }
        b.u8(0, self.tos_mask)
            .u8(1, self.tos_value)
            .u8(2, self.invert);
        b.into_vec()
    }
    fn from_info(info: &[u8], rev: u32, cx: &Ctx<'_>) -> Option<Self> {
        if rev > 1 || info.len() != Self::SIZE {
            return None;
        }
        let r = Rd(info);
        let t = if rev == 0 {
            if cx.family != Family::V4 {
                return None;
            }
            Tos {
                tos_mask: 0xff,
                tos_value: r.u8(0)?,
                invert: r.u8(1)?,
                rev,
            }
        } else {
            Tos {
                tos_mask: r.u8(0)?,
                tos_value: r.u8(1)?,
                invert: r.u8(2)?,
                rev,
            }
        };
        (t.to_info(cx) == info).then_some(t)
    }
    fn save(&self, _: &Ctx<'_>, out: &mut String) {
        if self.invert != 0 {
            out.push_str(" !");
        }
        if self.rev == 0 {
            let _ = write!(out, " --tos 0x{:02x}", self.tos_value);
            return;
        }
        let _ = write!(
            out,
            " --tos 0x{:02x}/0x{:02x}",
            self.tos_value, self.tos_mask
        );
    }
    fn print(&self, _: &Ctx<'_>, numeric: bool, out: &mut String) {
        if self.rev == 0 {
            // revision 0: a blank after "match", the symbol looked up as
            // if under mask 0x3f
            out.push_str(" tos match ");
            if self.invert != 0 {
                out.push('!');
            }
            match symbolic(self.tos_value, 0x3f).filter(|_| !numeric) {
                Some(n) => {
                    let _ = write!(out, " {n}");
                }
                None => {
                    let _ = write!(out, "0x{:02x}", self.tos_value);
                }
            }
            return;
        }
        out.push_str(" tos match");
        if self.invert != 0 {
            out.push('!');
        }
        match symbolic(self.tos_value, self.tos_mask).filter(|_| !numeric) {
            Some(n) => {
                let _ = write!(out, " {n}");
            }
            None => {
                let _ = write!(out, "0x{:02x}/0x{:02x}", self.tos_value, self.tos_mask);
            }
        }
    }
}
