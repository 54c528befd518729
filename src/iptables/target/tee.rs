//! `-j TEE` (revision 1, `struct xt_tee_tginfo`, 40 bytes; the kernel's
//! pointer after the first 32 is not compared): clone the packet to a
//! gateway.

use crate::iptables::addr::{addr_str, to_anyname};
use crate::iptables::error::Result;
use crate::iptables::ext::{decode_exact, Ctx, OptCall, OptDef, XtExt, F_MAND};
use crate::iptables::match_::conntrack::parse_host;
use crate::iptables::xlate::{XlCtx, Xlate};
use crate::iptables::xtbuf::Blob;
use std::fmt::Write as _;

/// `struct xt_tee_tginfo`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Tee {
    /// Gateway (`union nf_inet_addr`).
    pub gw: [u8; 16],
    /// Output interface, if any.
    pub oif: String,
}

const OPTS: &[OptDef] = &[OptDef::arg("gateway", 0, F_MAND), OptDef::arg("oif", 1, 0)];

impl XtExt for Tee {
    const NAME: &'static str = "TEE";
    const REVISION: u32 = 1;
    const SIZE: usize = 40;
    const USERSPACE: usize = 32;
    const OPTIONS: &'static [OptDef] = OPTS;

    fn init(_: &Ctx<'_>) -> Self {
        Tee::default()
    }
    fn parse(&mut self, c: &mut OptCall<'_>, cx: &Ctx<'_>) -> Result<()> {
        if c.def.id == 0 {
            self.gw = parse_host(cx.family, c.arg())?;
        } else {
            let b = c.arg().as_bytes();
            self.oif = String::from_utf8_lossy(&b[..b.len().min(15)]).into_owned();
        }
        Ok(())
    }
    fn to_info(&self, _: &Ctx<'_>) -> Vec<u8> {
        let mut b = Blob::new(Self::SIZE);
        b.bytes(0, &self.gw).str(16, 16, &self.oif);
        b.into_vec()
    }
    fn from_info(info: &[u8], rev: u32, cx: &Ctx<'_>) -> Option<Self> {
        decode_exact(info, rev, cx, |r| {
            Some(Tee {
                gw: r.bytes(0, 16)?.try_into().ok()?,
                oif: r.str(16, 16)?,
            })
        })
    }
    fn save(&self, cx: &Ctx<'_>, out: &mut String) {
        let _ = write!(out, " --gateway {}", addr_str(cx.family, &self.gw));
        if !self.oif.is_empty() {
            let _ = write!(out, " --oif {}", self.oif);
        }
    }
    fn print(&self, cx: &Ctx<'_>, numeric: bool, out: &mut String) {
        let gw = if numeric {
            addr_str(cx.family, &self.gw)
        } else {
            to_anyname(cx.family, &self.gw)
        };
        let _ = write!(out, " TEE gw:{gw}");
        if !self.oif.is_empty() {
            let _ = write!(out, " oif={}", self.oif);
        }
    }

    fn xlate(&self, x: &mut Xlate, cx: &XlCtx) -> bool {
        let f = cx.family;
        let n = f.addr_len();
        let gw = if cx.numeric {
            crate::iptables::addr::addr_str(f, &self.gw[..n])
        } else {
            crate::iptables::addr::to_anyname(f, &self.gw[..n])
        };
        x.add(&format!("dup to {gw}"));
        if !self.oif.is_empty() {
            x.add(&format!(" device {}", self.oif));
        }
        true
    }
}
