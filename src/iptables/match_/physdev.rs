//! `-m physdev` (revision 0, `struct xt_physdev_info`, 72 bytes).

use crate::iptables::error::{IptError, Result};
use crate::iptables::ext::{Ctx, OptCall, OptDef, XtExt, F_INVERT};
use crate::iptables::xtbuf::{Blob, Rd};
use std::fmt::Write as _;

/// `XT_PHYSDEV_OP_IN`.
pub const OP_IN: u8 = 1;
/// `XT_PHYSDEV_OP_OUT`.
pub const OP_OUT: u8 = 2;
/// `XT_PHYSDEV_OP_BRIDGED`.
pub const OP_BRIDGED: u8 = 4;
/// `XT_PHYSDEV_OP_ISIN`.
pub const OP_ISIN: u8 = 8;
/// `XT_PHYSDEV_OP_ISOUT`.
pub const OP_ISOUT: u8 = 16;

/// `struct xt_physdev_info`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Physdev {
    /// Input bridge port.
    pub physindev: [u8; 16],
    /// Its mask.
    pub in_mask: [u8; 16],
    /// Output bridge port.
    pub physoutdev: [u8; 16],
    /// Its mask.
    pub out_mask: [u8; 16],
    /// Inverted `OP_*`.
    pub invert: u8,
    /// Given `OP_*`.
    pub bitmask: u8,
}

/// `xtables_parse_interface`: name and mask (16 bytes each).
pub fn parse_interface(arg: &str) -> Result<([u8; 16], [u8; 16])> {
    let b = arg.as_bytes();
    if b.len() + 1 > 16 {
        return Err(IptError::param(format!(
            "interface name `{arg}' must be shorter than IFNAMSIZ (15)"
        )));
    }
    let mut name = [0u8; 16];
    let mut mask = [0u8; 16];
    name[..b.len()].copy_from_slice(b);
    if !b.is_empty() {
        let n = if b[b.len() - 1] == b'+' {
            b.len() - 1
        } else {
            b.len() + 1
        };
        for m in mask.iter_mut().take(n) {
            *m = 0xff;
        }
        if b.iter().any(|&c| c == b'/' || c == b' ') {
            crate::iptables::warn::warn(format!(
                "Warning: weird character in interface `{arg}' ('/' and ' ' are not allowed by the kernel)."
            ));
        }
    }
    Ok((name, mask))
}

fn name(b: &[u8; 16]) -> String {
    let end = b.iter().position(|&c| c == 0).unwrap_or(16);
    String::from_utf8_lossy(&b[..end]).into_owned()
}

const OPTS: &[OptDef] = &[
    OptDef::arg("physdev-in", 0, F_INVERT),
    OptDef::arg("physdev-out", 1, F_INVERT),
    OptDef::flag("physdev-is-in", 2, F_INVERT),
    OptDef::flag("physdev-is-out", 3, F_INVERT),
    OptDef::flag("physdev-is-bridged", 4, F_INVERT),
];

impl Physdev {
    fn dump(&self, out: &mut String) {
        let inv = |f: u8| if self.invert & f != 0 { " !" } else { "" };
        if self.bitmask & OP_ISIN != 0 {
            let _ = write!(out, "{} --physdev-is-in", inv(OP_ISIN));
        }
        if self.bitmask & OP_IN != 0 {
            let _ = write!(out, "{} --physdev-in {}", inv(OP_IN), name(&self.physindev));
        }
        if self.bitmask & OP_ISOUT != 0 {
            let _ = write!(out, "{} --physdev-is-out", inv(OP_ISOUT));
        }
        if self.bitmask & OP_OUT != 0 {
            let _ = write!(
                out,
                "{} --physdev-out {}",
                inv(OP_OUT),
                name(&self.physoutdev)
            );
        }
        if self.bitmask & OP_BRIDGED != 0 {
            let _ = write!(out, "{} --physdev-is-bridged", inv(OP_BRIDGED));
        }
    }
}

impl XtExt for Physdev {
    const NAME: &'static str = "physdev";
    const REVISION: u32 = 0;
    const SIZE: usize = 72;
    const OPTIONS: &'static [OptDef] = OPTS;

    fn init(_: &Ctx<'_>) -> Self {
        Physdev::default()
    }

    fn parse(&mut self, c: &mut OptCall<'_>, _: &Ctx<'_>) -> Result<()> {
        let op = [OP_IN, OP_OUT, OP_ISIN, OP_ISOUT, OP_BRIDGED][c.def.id as usize];
        match c.def.id {
            0 => (self.physindev, self.in_mask) = parse_interface(c.arg())?,
            1 => (self.physoutdev, self.out_mask) = parse_interface(c.arg())?,
            _ => {}
        }
        if c.invert {
            self.invert |= op;
        }
        self.bitmask |= op;
        Ok(())
    }

    fn check(&mut self, seen: u32, _: &Ctx<'_>) -> Result<()> {
        if seen == 0 {
            return Err(IptError::param("PHYSDEV: no physdev option specified"));
        }
        Ok(())
    }

    fn to_info(&self, _: &Ctx<'_>) -> Vec<u8> {
        let mut b = Blob::new(Self::SIZE);
        b.bytes(0, &self.physindev)
            .bytes(16, &self.in_mask)
            .bytes(32, &self.physoutdev)
            .bytes(48, &self.out_mask)
            .u8(64, self.invert)
            .u8(65, self.bitmask);
        b.into_vec()
    }

    fn from_info(info: &[u8], rev: u32, cx: &Ctx<'_>) -> Option<Self> {
        if rev != 0 || info.len() != Self::SIZE {
            return None;
        }
        let r = Rd(info);
        let mut p = Physdev::default();
        p.physindev.copy_from_slice(r.bytes(0, 16)?);
        p.in_mask.copy_from_slice(r.bytes(16, 16)?);
        p.physoutdev.copy_from_slice(r.bytes(32, 16)?);
        p.out_mask.copy_from_slice(r.bytes(48, 16)?);
        p.invert = r.u8(64)?;
        p.bitmask = r.u8(65)?;
        (p.to_info(cx) == info).then_some(p)
    }

    fn save(&self, _: &Ctx<'_>, out: &mut String) {
        self.dump(out)
    }

    fn print(&self, _: &Ctx<'_>, _: bool, out: &mut String) {
        out.push_str(" PHYSDEV match");
        self.dump(out)
    }
}
