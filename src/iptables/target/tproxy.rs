//! `-j TPROXY`: deliver to a local socket on another port/address, marking
//! the packet. Revision 1 (`struct xt_tproxy_target_info_v1`, 32 bytes)
//! and, for IPv4 where the kernel lacks it, 0 (`xt_tproxy_target_info`,
//! a 4-byte address, 16 bytes; same options and text).

use crate::iptables::addr::addr_str;
use crate::iptables::error::{IptError, Result};
use crate::iptables::ext::{Ctx, OptCall, OptDef, XtExt, F_MAND};
use crate::iptables::family::Family;
use crate::iptables::match_::conntrack::parse_host;
use crate::iptables::num::getportbyname;
use crate::iptables::text::parse_val_mask;
use crate::iptables::xlate::{XlCtx, Xlate};
use crate::iptables::xtbuf::{Blob, Rd};
use std::fmt::Write as _;

/// `struct xt_tproxy_target_info_v1`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Tproxy {
    /// Mark bits cleared.
    pub mark_mask: u32,
    /// Mark value XORed in.
    pub mark_value: u32,
    /// Local address (`union nf_inet_addr`).
    pub laddr: [u8; 16],
    /// Local port.
    pub lport: u16,
    /// The revision written (0: IPv4 only).
    pub rev: u32,
}

const OPTS: &[OptDef] = &[
    OptDef::arg("on-port", 0, F_MAND),
    OptDef::arg("on-ip", 1, 0),
    OptDef::arg("tproxy-mark", 2, 0),
];

impl Tproxy {
    fn mark(&self) -> String {
        format!("0x{:x}/0x{:x}", self.mark_value, self.mark_mask)
    }
}

impl XtExt for Tproxy {
    const NAME: &'static str = "TPROXY";
    const REVISION: u32 = 1;
    const SIZE: usize = 32;
    const OPTIONS: &'static [OptDef] = OPTS;

    fn init(_: &Ctx<'_>) -> Self {
        Tproxy {
            rev: 1,
            ..Tproxy::default()
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
        let arg = c.arg();
        match c.def.id {
            0 => {
                self.lport = getportbyname(arg).ok_or_else(|| {
                    IptError::param(format!("Port \"{arg}\" does not resolve to anything.\n"))
                })?
            }
            1 => self.laddr = parse_host(cx.family, arg)?,
            _ => (self.mark_value, self.mark_mask) = parse_val_mask("TPROXY", c.def.name, arg)?,
        }
        Ok(())
    }
    fn to_info(&self, _: &Ctx<'_>) -> Vec<u8> {
        if self.rev == 0 {
            let mut b = Blob::new(16);
            b.u32(0, self.mark_mask)
                .u32(4, self.mark_value)
                .bytes(8, &self.laddr[..4])
                .be16(12, self.lport);
            return b.into_vec();
        }
        let mut b = Blob::new(Self::SIZE);
        b.u32(0, self.mark_mask)
            .u32(4, self.mark_value)
            .bytes(8, &self.laddr)
            .be16(24, self.lport);
        b.into_vec()
    }
    fn from_info(info: &[u8], rev: u32, cx: &Ctx<'_>) -> Option<Self> {
        let r = Rd(info);
        let t = match (rev, info.len()) {
            (0, 16) if cx.family == Family::V4 => {
                let mut laddr = [0u8; 16];
                laddr[..4].copy_from_slice(r.bytes(8, 4)?);
                Tproxy {
                    mark_mask: r.u32(0)?,
                    mark_value: r.u32(4)?,
                    laddr,
                    lport: r.be16(12)?,
                    rev,
                }
            }
            (1, Self::SIZE) => Tproxy {
                mark_mask: r.u32(0)?,
                mark_value: r.u32(4)?,
                laddr: r.bytes(8, 16)?.try_into().ok()?,
                lport: r.be16(24)?,
                rev,
            },
            _ => return None,
        };
        (t.to_info(cx) == info).then_some(t)
    }
    fn save(&self, cx: &Ctx<'_>, out: &mut String) {
        let _ = write!(
            out,
            " --on-port {} --on-ip {} --tproxy-mark {}",
            self.lport,
            addr_str(cx.family, &self.laddr),
            self.mark()
        );
    }
    fn print(&self, cx: &Ctx<'_>, _: bool, out: &mut String) {
        let _ = write!(
            out,
            " TPROXY redirect {}:{} mark {}",
            addr_str(cx.family, &self.laddr),
            self.lport,
            self.mark()
        );
    }

    fn xlate(&self, x: &mut Xlate, cx: &XlCtx) -> bool {
        let f = cx.family;
        let n = f.addr_len();
        let any = self.laddr[..n].iter().all(|b| *b == 0);
        x.add("tproxy to");
        let a = crate::iptables::addr::addr_str(f, &self.laddr[..n]);
        let mut port_mandatory = false;
        if any {
            port_mandatory = true;
        } else if f == crate::iptables::family::Family::V6 {
            x.add(&format!("[{a}]"));
        } else {
            x.add(&a);
        }
        if port_mandatory {
            x.add(&format!(" :{}", self.lport));
        } else if self.lport != 0 {
            x.add(&format!(":{}", self.lport));
        }
        let mask = self.mark_mask;
        if mask == 0xffff_ffff {
            x.add(&format!("meta mark set 0x{:x}", self.mark_value));
        } else if mask != 0 || self.mark_value != 0 {
            x.add(&format!(
                "meta mark set meta mark & 0x{:x} xor 0x{:x}",
                !mask, self.mark_value
            ));
        }
        x.add("accept");
        true
    }
}
