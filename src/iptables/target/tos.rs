//! `-j TOS` (revision 1, `struct xt_tos_target_info`, 8 bytes): set, and,
//! or or xor the TOS byte. For IPv4 where the kernel lacks revision 1,
//! revision 0 (`struct ipt_tos_target_info`: `--set-tos` of a whole byte
//! only), as libxtables.

use crate::iptables::error::{IptError, Result};
use crate::iptables::ext::{Ctx, OptCall, OptDef, XtExt};
use crate::iptables::family::Family;
use crate::iptables::match_::tos::{parse_tosmask, symbolic};
use crate::iptables::text::parse_uint;
use crate::iptables::xlate::{XlCtx, Xlate};
use crate::iptables::xtbuf::{Blob, Rd};
use std::fmt::Write as _;

/// `struct xt_tos_target_info`: the new TOS is `(tos & ~mask) ^ value`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TosTarget {
    /// Value XORed in.
    pub tos_value: u8,
    /// Bits cleared first (revision 0: always 0xff).
    pub tos_mask: u8,
    /// The revision written (0: IPv4 only).
    pub rev: u32,
}

const ANY: u32 = 0xf;
const OPTS: &[OptDef] = &[
    OptDef::arg("set-tos", 0, 0).excl(ANY),
    OptDef::arg("and-tos", 1, 0).excl(ANY),
    OptDef::arg("or-tos", 2, 0).excl(ANY),
    OptDef::arg("xor-tos", 3, 0).excl(ANY),
];

impl XtExt for TosTarget {
    const NAME: &'static str = "TOS";
    const REVISION: u32 = 1;
    const SIZE: usize = 8;
    const OPTIONS: &'static [OptDef] = OPTS;

    fn init(_: &Ctx<'_>) -> Self {
        TosTarget {
            rev: 1,
            ..TosTarget::default()
        }
    }
    fn revisions(f: Family) -> &'static [u32] {
        match f {
            Family::V4 => &[1, 0],
            _ => &[1],
        }
    }
    crate::revision_in_field!();
    fn options_now(&self) -> &'static [OptDef] {
        if self.rev == 0 {
            &OPTS[..1]
        } else {
            OPTS
        }
    }
    fn parse(&mut self, c: &mut OptCall<'_>, _: &Ctx<'_>) -> Result<()> {
        if self.rev == 0 {
            let (v, m) = parse_tosmask(c.arg(), 0xff)?;
            if m != 0xff {
                return Err(IptError::param(
                    "tos match: Your kernel is too old to support anything besides /0xFF as a mask.",
                ));
            }
            (self.tos_value, self.tos_mask) = (v, m);
            return Ok(());
        }
        if c.def.id == 0 {
            (self.tos_value, self.tos_mask) = parse_tosmask(c.arg(), 0x3f)?;
            return Ok(());
        }
        let v = parse_uint("TOS", c.def.name, c.arg(), 0, 255)? as u8;
        (self.tos_value, self.tos_mask) = match c.def.id {
            1 => (0, !v),
            2 => (v, v),
            _ => (v, 0),
        };
        Ok(())
    }
    fn check(&mut self, seen: u32, _: &Ctx<'_>) -> Result<()> {
        if seen & ANY == 0 {
            return Err(IptError::param("TOS: An action is required"));
        }
        Ok(())
    }
    fn to_info(&self, _: &Ctx<'_>) -> Vec<u8> {
        let mut b = Blob::new(Self::SIZE);
        b.u8(0, self.tos_value);
        if self.rev != 0 {
            b.u8(1, self.tos_mask);
        }
        b.into_vec()
    }
    fn from_info(info: &[u8], rev: u32, cx: &Ctx<'_>) -> Option<Self> {
        if rev > 1 || info.len() != Self::SIZE || (rev == 0 && cx.family != Family::V4) {
            return None;
        }
        let r = Rd(info);
        let t = TosTarget {
            tos_value: r.u8(0)?,
            tos_mask: if rev == 0 { 0xff } else { r.u8(1)? },
            rev,
        };
        (t.to_info(cx) == info).then_some(t)
    }
    fn save(&self, _: &Ctx<'_>, out: &mut String) {
        if self.rev == 0 {
            let _ = write!(out, " --set-tos 0x{:02x}", self.tos_value);
            return;
        }
        let _ = write!(
            out,
            " --set-tos 0x{:02x}/0x{:02x}",
            self.tos_value, self.tos_mask
        );
    }
    fn print(&self, _: &Ctx<'_>, numeric: bool, out: &mut String) {
        let (v, m) = (self.tos_value, self.tos_mask);
        if self.rev == 0 {
            // never symbolic: revision 0 looks names up under mask 0xff
            let _ = write!(out, " TOS set 0x{v:02x}");
            return;
        }
        if numeric {
            let _ = write!(out, " TOS set 0x{v:02x}/0x{m:02x}");
        } else if let Some(n) = symbolic(v, m) {
            // tos_try_print_symbolic(" TOS set", ...) prints " %s%s".
            let _ = write!(out, "  TOS set{n}");
        } else if v == 0 {
            let _ = write!(out, " TOS and 0x{:02x}", !m);
        } else if v == m {
            let _ = write!(out, " TOS or 0x{v:02x}");
        } else if m == 0 {
            let _ = write!(out, " TOS xor 0x{v:02x}");
        } else {
            let _ = write!(out, " TOS set 0x{v:02x}/0x{m:02x}");
        }
    }

    fn xlate(&self, x: &mut Xlate, cx: &XlCtx) -> bool {
        let _ = cx;
        let (tos, mask) = (self.tos_value, self.tos_mask);
        // 1.8.11 translates revision 1 (the one written) as ip6 in both families
        let ip = "ip6";
        x.add(&format!("{ip} dscp set "));
        if mask & 0x3f == 0x3f {
            x.add(&format!("0x{:02x}", tos >> 2));
        } else if tos == 0 {
            x.add(&format!("{ip} dscp and 0x{:02x}", !mask >> 2));
        } else if tos == mask {
            x.add(&format!("{ip} dscp or 0x{:02x}", tos >> 2));
        } else if mask == 0 {
            x.add(&format!("{ip} dscp xor 0x{:02x}", tos >> 2));
        } else {
            x.add(&format!(
                "{ip} dscp and 0x{:02x} xor 0x{:02x}",
                !mask >> 2,
                tos >> 2
            ));
        }
        true
    }
}
