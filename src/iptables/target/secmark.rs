//! `-j SECMARK` (revision 1, `struct xt_secmark_target_info_v1`, 264
//! bytes) and `-j CONNSECMARK` (revision 0,
//! `struct xt_connsecmark_target_info`, 8 bytes): SELinux packet and
//! connection security marks. Where the kernel lacks SECMARK revision 1
//! (before Linux 5.12), revision 0 (`xt_secmark_target_info`: the secid
//! before the context, the same 264 bytes).

use crate::iptables::error::{IptError, Result};
use crate::iptables::ext::{decode_exact, Ctx, OptCall, OptDef, XtExt, F_MAND};
use crate::iptables::family::Family;
use crate::iptables::xtbuf::{Blob, Rd};

/// `SECMARK_MODE_SEL`.
const MODE_SEL: u8 = 0x01;
/// `SECMARK_SECCTX_MAX`.
const SECCTX_MAX: usize = 256;

/// `struct xt_secmark_target_info_v1`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Secmark {
    /// `SECMARK_MODE_*`.
    pub mode: u8,
    /// Security context.
    pub secctx: String,
    /// Kernel-filled security id.
    pub secid: u32,
    /// The revision written (0 or 1).
    pub rev: u32,
}

const SECMARK_OPTS: &[OptDef] = &[OptDef::arg("selctx", 0, F_MAND)];

impl Secmark {
    fn dump(&self, out: &mut String) {
        if self.mode == MODE_SEL {
            out.push_str("selctx ");
            out.push_str(&self.secctx);
        }
    }
}

impl XtExt for Secmark {
    const NAME: &'static str = "SECMARK";
    const REVISION: u32 = 1;
    const SIZE: usize = 264;
    const OPTIONS: &'static [OptDef] = SECMARK_OPTS;

    fn init(_: &Ctx<'_>) -> Self {
        Secmark {
            rev: 1,
            ..Secmark::default()
        }
    }
    fn revisions(_: Family) -> &'static [u32] {
        &[1, 0]
    }
    crate::revision_in_field!();
    fn parse(&mut self, c: &mut OptCall<'_>, _: &Ctx<'_>) -> Result<()> {
        let b = c.arg().as_bytes();
        self.secctx = String::from_utf8_lossy(&b[..b.len().min(SECCTX_MAX - 1)]).into_owned();
        self.mode = MODE_SEL;
        Ok(())
    }
    fn to_info(&self, _: &Ctx<'_>) -> Vec<u8> {
        let mut b = Blob::new(Self::SIZE);
        if self.rev == 0 {
            b.u8(0, self.mode)
                .u32(4, self.secid)
                .str(8, SECCTX_MAX, &self.secctx);
        } else {
            b.u8(0, self.mode)
                .str(1, SECCTX_MAX, &self.secctx)
                .u32(260, self.secid);
        }
        b.into_vec()
    }
    fn from_info(info: &[u8], rev: u32, cx: &Ctx<'_>) -> Option<Self> {
        if rev > 1 || info.len() != Self::SIZE {
            return None;
        }
        let r = Rd(info);
        let t = if rev == 0 {
            Secmark {
                mode: r.u8(0)?,
                secid: r.u32(4)?,
                secctx: r.str(8, SECCTX_MAX)?,
                rev,
            }
        } else {
            Secmark {
                mode: r.u8(0)?,
                secctx: r.str(1, SECCTX_MAX)?,
                secid: r.u32(260)?,
                rev,
            }
        };
        (t.to_info(cx) == info).then_some(t)
    }
    fn save(&self, _: &Ctx<'_>, out: &mut String) {
        out.push_str(" --");
        self.dump(out);
    }
    fn print(&self, _: &Ctx<'_>, _: bool, out: &mut String) {
        out.push_str(" SECMARK ");
        self.dump(out);
    }
}

/// `CONNSECMARK_SAVE`, `CONNSECMARK_RESTORE`.
const CONN_MODES: [(u8, &str); 2] = [(1, "save"), (2, "restore")];

/// `struct xt_connsecmark_target_info`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Connsecmark {
    /// `CONNSECMARK_SAVE` or `CONNSECMARK_RESTORE`.
    pub mode: u8,
}

const CONNSECMARK_OPTS: &[OptDef] = &[
    OptDef::flag("save", 0, 0).excl(1 << 1),
    OptDef::flag("restore", 1, 0).excl(1 << 0),
];

impl Connsecmark {
    fn mode_name(&self) -> &'static str {
        CONN_MODES
            .iter()
            .find(|(m, _)| *m == self.mode)
            .map(|(_, n)| *n)
            .unwrap_or("")
    }
}

impl XtExt for Connsecmark {
    const NAME: &'static str = "CONNSECMARK";
    const REVISION: u32 = 0;
    const SIZE: usize = 8;
    const OPTIONS: &'static [OptDef] = CONNSECMARK_OPTS;

    fn init(_: &Ctx<'_>) -> Self {
        Connsecmark::default()
    }
    fn parse(&mut self, c: &mut OptCall<'_>, _: &Ctx<'_>) -> Result<()> {
        self.mode = CONN_MODES[c.def.id as usize].0;
        Ok(())
    }
    fn check(&mut self, seen: u32, _: &Ctx<'_>) -> Result<()> {
        if seen == 0 {
            return Err(IptError::param("CONNSECMARK target: parameter required"));
        }
        Ok(())
    }
    fn to_info(&self, _: &Ctx<'_>) -> Vec<u8> {
        let mut b = Blob::new(Self::SIZE);
        b.u8(0, self.mode);
        b.into_vec()
    }
    fn from_info(info: &[u8], rev: u32, cx: &Ctx<'_>) -> Option<Self> {
        decode_exact(info, rev, cx, |r| {
            let c = Connsecmark { mode: r.u8(0)? };
            (!c.mode_name().is_empty()).then_some(c)
        })
    }
    fn save(&self, _: &Ctx<'_>, out: &mut String) {
        out.push_str(" --");
        out.push_str(self.mode_name());
    }
    fn print(&self, _: &Ctx<'_>, _: bool, out: &mut String) {
        out.push_str(" CONNSECMARK ");
        out.push_str(self.mode_name());
    }
}
