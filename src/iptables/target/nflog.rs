//! `-j NFLOG`: written natively as a `log` expression with a group; the
//! compat struct (`struct xt_nflog_info`, 80 bytes) is what `-C` compares.

use crate::iptables::error::{IptError, Result};
use crate::iptables::ext::{Ctx, OptCall, OptDef, XtExt};
use crate::iptables::text::{parse_uint, save_string};
use crate::iptables::xlate::{XlCtx, Xlate};
use crate::iptables::xtbuf::{Blob, Rd};
use std::fmt::Write as _;

/// `XT_NFLOG_F_COPY_LEN`.
pub const F_COPY_LEN: u16 = 1;

/// `struct xt_nflog_info` plus the full prefix (nft allows 127 bytes).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Nflog {
    /// Snap length.
    pub len: u32,
    /// Netlink group.
    pub group: u16,
    /// Queue threshold.
    pub threshold: u16,
    /// `XT_NFLOG_F_*`.
    pub flags: u16,
    /// Prefix (up to 127 bytes).
    pub prefix: String,
}

const F_RANGE: u32 = 1 << 2;
const F_SIZE: u32 = 1 << 3;
const OPTS: &[OptDef] = &[
    OptDef::arg("nflog-group", 0, 0),
    OptDef::arg("nflog-prefix", 1, 0),
    OptDef::arg("nflog-range", 2, 0).excl(F_SIZE),
    OptDef::arg("nflog-size", 3, 0).excl(F_RANGE),
    OptDef::arg("nflog-threshold", 4, 0),
];

impl Nflog {
    fn dump(&self, pfx: &str, out: &mut String) {
        if !self.prefix.is_empty() {
            let _ = write!(out, " {pfx}nflog-prefix");
            save_string(&self.prefix, out);
        }
        if self.group != 0 {
            let _ = write!(out, " {pfx}nflog-group {}", self.group);
        }
        if self.flags & F_COPY_LEN != 0 {
            let _ = write!(out, " {pfx}nflog-size {}", self.len);
        } else if self.len != 0 {
            let _ = write!(out, " {pfx}nflog-range {}", self.len);
        }
        if self.threshold != 0 {
            let _ = write!(out, " {pfx}nflog-threshold {}", self.threshold);
        }
    }
}

impl XtExt for Nflog {
    const NAME: &'static str = "NFLOG";
    const REVISION: u32 = 0;
    const SIZE: usize = 80;
    const OPTIONS: &'static [OptDef] = OPTS;

    fn init(_: &Ctx<'_>) -> Self {
        Nflog::default()
    }

    fn parse(&mut self, c: &mut OptCall<'_>, _: &Ctx<'_>) -> Result<()> {
        let arg = c.arg().to_string();
        let n = c.def.name;
        match c.def.id {
            0 => self.group = parse_uint("NFLOG", n, &arg, 0, 65535)? as u16,
            1 => {
                if arg.is_empty() {
                    return Err(IptError::param(
                        "Argument must have a minimum length of 1 characters\n",
                    ));
                }
                if arg.contains('\n') {
                    return Err(IptError::param("Newlines not allowed in --log-prefix"));
                }
                let mut p = arg.clone();
                while p.len() > 127 {
                    p.pop();
                }
                self.prefix = p;
            }
            2 | 3 => self.len = parse_uint("NFLOG", n, &arg, 0, u32::MAX as u64)? as u32,
            _ => self.threshold = parse_uint("NFLOG", n, &arg, 0, 65535)? as u16,
        }
        Ok(())
    }

    fn check(&mut self, seen: u32, _: &Ctx<'_>) -> Result<()> {
        if seen & F_RANGE != 0 {
            crate::iptables::warn::warn("warn: --nflog-range has never worked and is no longer supported, please use --nflog-size instead");
        }
        if seen & F_SIZE != 0 {
            self.flags |= F_COPY_LEN;
        }
        Ok(())
    }

    fn to_info(&self, _: &Ctx<'_>) -> Vec<u8> {
        let mut b = Blob::new(Self::SIZE);
        b.u32(0, self.len)
            .u16(4, self.group)
            .u16(6, self.threshold)
            .u16(8, self.flags)
            .str(12, 64, &self.prefix);
        b.into_vec()
    }

    fn from_info(info: &[u8], rev: u32, cx: &Ctx<'_>) -> Option<Self> {
        if rev != 0 || info.len() != Self::SIZE {
            return None;
        }
        let r = Rd(info);
        let n = Nflog {
            len: r.u32(0)?,
            group: r.u16(4)?,
            threshold: r.u16(6)?,
            flags: r.u16(8)?,
            prefix: r.str(12, 64)?,
        };
        (n.to_info(cx) == info).then_some(n)
    }

    fn save(&self, _: &Ctx<'_>, out: &mut String) {
        self.dump("--", out)
    }

    fn print(&self, _: &Ctx<'_>, _: bool, out: &mut String) {
        self.dump("", out)
    }

    fn xlate(&self, x: &mut Xlate, cx: &XlCtx) -> bool {
        let _ = cx;
        x.add("log ");
        if !self.prefix.is_empty() {
            x.add(&format!("prefix \"{}\" ", self.prefix));
        }
        if self.flags & 1 != 0 {
            x.add(&format!("snaplen {} ", self.len));
        }
        if self.threshold != 0 {
            x.add(&format!("queue-threshold {} ", self.threshold));
        }
        x.add(&format!("group {} ", self.group));
        true
    }
}
