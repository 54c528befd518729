//! `-m realm` (IPv4; revision 0, `struct xt_realm_info`, 16 bytes): the
//! route's realm, by number or by name from `/etc/iproute2/rt_realms`.

use super::lmap;
use crate::iptables::error::Result;
use crate::iptables::ext::{decode_exact, Ctx, OptCall, OptDef, XtExt, F_INVERT, F_MAND};
use crate::iptables::text::{parse_val_mask_named, val_mask};
use crate::iptables::xlate::{XlCtx, Xlate};
use crate::iptables::xtbuf::Blob;

/// Where realm names are read from.
const REALMS: &str = "/etc/iproute2/rt_realms";

/// `struct xt_realm_info`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Realm {
    /// Realm id.
    pub id: u32,
    /// Mask.
    pub mask: u32,
    /// `!`.
    pub invert: u8,
}

const OPTS: &[OptDef] = &[OptDef::arg("realm", 0, F_MAND | F_INVERT)];

impl Realm {
    /// `xtables_print_val_mask` with the realm names.
    fn value(&self, names: bool, out: &mut String) {
        if names && self.mask == u32::MAX {
            if let Some((_, n)) = lmap::read(REALMS).into_iter().find(|(i, _)| *i == self.id) {
                out.push(' ');
                out.push_str(&n);
                return;
            }
        }
        val_mask(self.id, self.mask, out);
    }
}

impl XtExt for Realm {
    const NAME: &'static str = "realm";
    const REVISION: u32 = 0;
    const SIZE: usize = 16;
    const OPTIONS: &'static [OptDef] = OPTS;

    fn init(_: &Ctx<'_>) -> Self {
        Realm::default()
    }
    fn parse(&mut self, c: &mut OptCall<'_>, _: &Ctx<'_>) -> Result<()> {
        let arg = c.arg();
        let names = |n: &str| {
            lmap::read(REALMS)
                .into_iter()
                .find(|(_, name)| name == n)
                .map(|(i, _)| i)
        };
        (self.id, self.mask) = parse_val_mask_named("realm", c.def.name, arg, Some(&names))?;
        if c.invert {
            self.invert = 1;
        }
        Ok(())
    }
    fn to_info(&self, _: &Ctx<'_>) -> Vec<u8> {
        let mut b = Blob::new(Self::SIZE);
        b.u32(0, self.id).u32(4, self.mask).u8(8, self.invert);
        b.into_vec()
    }
    fn from_info(info: &[u8], rev: u32, cx: &Ctx<'_>) -> Option<Self> {
        decode_exact(info, rev, cx, |r| {
            Some(Realm {
                id: r.u32(0)?,
                mask: r.u32(4)?,
                invert: r.u8(8)?,
            })
        })
    }
    fn save(&self, _: &Ctx<'_>, out: &mut String) {
        if self.invert != 0 {
            out.push_str(" !");
        }
        out.push_str(" --realm");
        self.value(true, out);
    }
    fn print(&self, _: &Ctx<'_>, numeric: bool, out: &mut String) {
        if self.invert != 0 {
            out.push_str(" !");
        }
        out.push_str(" realm");
        self.value(!numeric, out);
    }

    fn xlate(&self, x: &mut Xlate, cx: &XlCtx) -> bool {
        let _ = cx;
        let inv = self.invert != 0;
        x.add("rtclassid");
        if self.mask != 0xffff_ffff {
            let op = if inv { "!=" } else { "==" };
            x.add(&format!(" and 0x{:x} {op} 0x{:x}", self.mask, self.id));
        } else {
            let op = if inv { "!= " } else { "" };
            match lmap::read(REALMS).into_iter().find(|(i, _)| *i == self.id) {
                Some((_, n)) => x.add(&format!(" {op}{n}")),
                None => x.add(&format!(" {op}0x{:x}", self.id)),
            }
        }
        true
    }
}
