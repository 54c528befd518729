//! `-m connbytes` (revision 0, `struct xt_connbytes_info`, 24 bytes):
//! packets, bytes or average packet size of a connection so far. `!` is
//! stored by swapping the bounds.

use super::conntrack::parse_u64rc_max;
use crate::iptables::error::{IptError, Result};
use crate::iptables::ext::{decode_exact, Ctx, OptCall, OptDef, XtExt, F_INVERT, F_MAND};
use crate::iptables::xlate::{XlCtx, Xlate};
use crate::iptables::xtbuf::Blob;
use std::fmt::Write as _;

const MODES: [&str; 3] = ["packets", "bytes", "avgpkt"];
const DIRS: [&str; 3] = ["original", "reply", "both"];

/// `struct xt_connbytes_info`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Connbytes {
    /// Lower bound (upper when inverted).
    pub from: u64,
    /// Upper bound (lower when inverted).
    pub to: u64,
    /// `XT_CONNBYTES_PKTS`/`BYTES`/`AVGPKT`.
    pub what: u8,
    /// `XT_CONNBYTES_DIR_*`.
    pub direction: u8,
}

const OPTS: &[OptDef] = &[
    OptDef::arg("connbytes", 0, F_MAND | F_INVERT),
    OptDef::arg("connbytes-dir", 1, F_MAND),
    OptDef::arg("connbytes-mode", 2, F_MAND),
];

impl Connbytes {
    fn dump(&self, prefix: &str, out: &mut String) {
        let (from, to) = if self.from > self.to {
            out.push_str(" !");
            (self.to, self.from)
        } else {
            (self.from, self.to)
        };
        let _ = write!(out, " {prefix}connbytes {from}");
        if to != 0 && to < u64::MAX {
            let _ = write!(out, ":{to}");
        }
    }
    fn word(list: &[&'static str], v: u8) -> &'static str {
        list.get(v as usize).copied().unwrap_or("unknown")
    }
}

impl XtExt for Connbytes {
    const NAME: &'static str = "connbytes";
    const REVISION: u32 = 0;
    const SIZE: usize = 24;
    const OPTIONS: &'static [OptDef] = OPTS;

    fn init(_: &Ctx<'_>) -> Self {
        Connbytes::default()
    }
    fn parse(&mut self, c: &mut OptCall<'_>, _: &Ctx<'_>) -> Result<()> {
        let arg = c.arg();
        match c.def.id {
            0 => {
                let (lo, hi, n) = parse_u64rc_max("connbytes", c.def.name, arg, u64::MAX)?;
                self.from = lo;
                self.to = if n == 2 { hi } else { u64::MAX };
                if c.invert {
                    std::mem::swap(&mut self.from, &mut self.to);
                }
            }
            1 => {
                self.direction =
                    DIRS.iter().position(|d| *d == arg).ok_or_else(|| {
                        IptError::param(format!("Unknown --connbytes-dir `{arg}'"))
                    })? as u8
            }
            _ => {
                self.what =
                    MODES.iter().position(|m| *m == arg).ok_or_else(|| {
                        IptError::param(format!("Unknown --connbytes-mode `{arg}'"))
                    })? as u8
            }
        }
        Ok(())
    }
    fn to_info(&self, _: &Ctx<'_>) -> Vec<u8> {
        let mut b = Blob::new(Self::SIZE);
        b.u64(0, self.from)
            .u64(8, self.to)
            .u8(16, self.what)
            .u8(17, self.direction);
        b.into_vec()
    }
    fn from_info(info: &[u8], rev: u32, cx: &Ctx<'_>) -> Option<Self> {
        decode_exact(info, rev, cx, |r| {
            Some(Connbytes {
                from: r.u64(0)?,
                to: r.u64(8)?,
                what: r.u8(16)?,
                direction: r.u8(17)?,
            })
        })
    }
    fn save(&self, _: &Ctx<'_>, out: &mut String) {
        self.dump("--", out);
        let _ = write!(
            out,
            " --connbytes-mode {} --connbytes-dir {}",
            Self::word(&MODES, self.what),
            Self::word(&DIRS, self.direction)
        );
    }
    fn print(&self, _: &Ctx<'_>, _: bool, out: &mut String) {
        self.dump("", out);
        let _ = write!(
            out,
            " connbytes mode {} connbytes direction {}",
            Self::word(&MODES, self.what),
            Self::word(&DIRS, self.direction)
        );
    }

    fn xlate(&self, x: &mut Xlate, cx: &XlCtx) -> bool {
        let _ = cx;
        x.add("ct ");
        match self.direction {
            0 => x.add("original "),
            1 => x.add("reply "),
            2 => {}
            _ => return false,
        }
        match self.what {
            0 => x.add("packets "),
            1 => x.add("bytes "),
            2 => x.add("avgpkt "),
            _ => return false,
        }
        let (from, to, inv) = if self.from > self.to {
            (self.to, self.from, true)
        } else {
            (self.from, self.to, false)
        };
        if from == to {
            x.add(&from.to_string());
        } else if to == u64::MAX {
            x.add(&format!("{} {from}", if inv { "lt" } else { "ge" }));
        } else {
            x.add(&format!("{}{from}-{to}", if inv { "!= " } else { "" }));
        }
        true
    }
}
