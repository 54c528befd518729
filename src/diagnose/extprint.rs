//! Printing xt compat extensions through nftwire's iptables model
//! ([`crate::iptables`]), which decodes each extension's info blob and
//! prints it in iptables-save syntax (as iptables 1.8.11 does).

use super::save::{ExtCtx, ExtPrinter, ExtText};
use crate::iptables::ext::Ctx;
use crate::iptables::family::Family;
use crate::iptables::match_::Match;
use crate::iptables::target::Target;

/// An [`ExtPrinter`] backed by [`crate::iptables`].
pub struct IptablesModel;

fn ctx<'a>(cx: &ExtCtx<'a>) -> Ctx<'a> {
    Ctx {
        family: if cx.ipv6 { Family::V6 } else { Family::V4 },
        proto: cx.proto,
        proto_inv: cx.proto_inv,
        table: cx.table,
    }
}

impl ExtPrinter for IptablesModel {
    fn match_save(&self, name: &str, rev: u32, info: &[u8], cx: &ExtCtx<'_>) -> Option<ExtText> {
        let c = ctx(cx);
        let m = Match::from_xt(name, rev, info, &c)?;
        let mut options = String::new();
        m.save(&c, &mut options);
        Some(ExtText {
            name: m.alias().to_string(),
            options,
        })
    }

    fn target_save(&self, name: &str, rev: u32, info: &[u8], cx: &ExtCtx<'_>) -> Option<ExtText> {
        let c = ctx(cx);
        let t = Target::from_xt(name, rev, info, &c)?;
        let mut options = String::new();
        t.save(&c, &mut options);
        Some(ExtText {
            name: t.alias().to_string(),
            options,
        })
    }
}
