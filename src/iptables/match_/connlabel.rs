//! `-m connlabel` (revision 0, `struct xt_connlabel_mtinfo`, 8 bytes): a
//! conntrack label bit, by number or by name from
//! `/etc/xtables/connlabel.conf` (read each time a name is needed, with
//! iptables' warning when it cannot be opened).

use crate::iptables::error::{IptError, Result};
use crate::iptables::ext::{decode_exact, Ctx, OptCall, OptDef, XtExt, F_INVERT, F_MAND};
use crate::iptables::num::{c23_strtoul, c_strtoul};
use crate::iptables::xlate::{XlCtx, Xlate};
use crate::iptables::xtbuf::Blob;
use std::fmt::Write as _;

/// libnetfilter_conntrack's label map.
const LABELS: &str = "/etc/xtables/connlabel.conf";
const OP_INVERT: u16 = 1 << 0;
const OP_SET: u16 = 1 << 1;

/// `struct xt_connlabel_mtinfo`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Connlabel {
    /// Label bit.
    pub bit: u16,
    /// `XT_CONNLABEL_OP_*`.
    pub options: u16,
}

const OPTS: &[OptDef] = &[
    OptDef::arg("label", 0, F_MAND | F_INVERT),
    OptDef::flag("set", 1, 0),
];

/// The `(bit, name)` pairs of the label map, or `None` (after the
/// warning iptables prints) when it cannot be read.
fn label_map() -> Option<Vec<(u32, String)>> {
    match std::fs::read_to_string(LABELS) {
        Ok(text) => Some(
            text.lines()
                .filter_map(|l| {
                    let l = l.trim_start();
                    if l.starts_with('#') {
                        return None;
                    }
                    let (bit, n) = c_strtoul(l, 10);
                    let name = l[n..].split_whitespace().next()?;
                    (n > 0).then(|| (bit as u32, name.to_string()))
                })
                .collect(),
        ),
        Err(e) => {
            let msg = io_strerror(&e);
            crate::iptables::warn::warn(format!("Warning: cannot open {LABELS}: {msg}"));
            None
        }
    }
}

/// The C library's text for an I/O error (`strerror(errno)`).
fn io_strerror(e: &std::io::Error) -> String {
    match e.raw_os_error() {
        Some(n) => crate::error::strerror(n),
        None => e.to_string(),
    }
}

fn label_name(bit: u16) -> Option<String> {
    label_map()?
        .into_iter()
        .find(|(b, n)| *b == bit as u32 && !n.is_empty())
        .map(|(_, n)| n)
}

impl XtExt for Connlabel {
    const NAME: &'static str = "connlabel";
    const REVISION: u32 = 0;
    const SIZE: usize = 8;
    const OPTIONS: &'static [OptDef] = OPTS;

    fn init(_: &Ctx<'_>) -> Self {
        Connlabel::default()
    }
    fn parse(&mut self, c: &mut OptCall<'_>, _: &Ctx<'_>) -> Result<()> {
        if c.def.id == 1 {
            self.options |= OP_SET;
            return Ok(());
        }
        let arg = c.arg();
        if arg.is_empty() {
            return Err(IptError::param(
                "Argument must have a minimum length of 1 characters\n",
            ));
        }
        // libxt_connlabel's own strtoul: Debian 13 builds it for C23, where
        // base 0 also reads `0b` binary; the value is kept as a C int, and
        // a negative one is looked up as a name.
        let (v, n) = c23_strtoul(arg);
        let bit = if n == arg.len() && (v as i32) >= 0 {
            Some(v as i32)
        } else {
            label_map().and_then(|m| {
                m.into_iter()
                    .find(|(_, name)| name == arg)
                    .map(|(b, _)| b as i32)
            })
        };
        let bit = bit
            .filter(|b| *b >= 0)
            .ok_or_else(|| IptError::param(format!("label '{arg}' not found or invalid value")))?;
        self.bit = bit as u16;
        if c.invert {
            self.options |= OP_INVERT;
        }
        Ok(())
    }
    fn to_info(&self, _: &Ctx<'_>) -> Vec<u8> {
        let mut b = Blob::new(Self::SIZE);
        b.u16(0, self.bit).u16(2, self.options);
        b.into_vec()
    }
    fn from_info(info: &[u8], rev: u32, cx: &Ctx<'_>) -> Option<Self> {
        decode_exact(info, rev, cx, |r| {
            Some(Connlabel {
                bit: r.u16(0)?,
                options: r.u16(2)?,
            })
        })
    }
    fn save(&self, _: &Ctx<'_>, out: &mut String) {
        let name = label_name(self.bit);
        if self.options & OP_INVERT != 0 {
            out.push_str(" !");
        }
        match name {
            Some(n) => {
                let _ = write!(out, " --label \"{n}\"");
            }
            None => {
                let _ = write!(out, " --label \"{}\"", self.bit);
            }
        }
        if self.options & OP_SET != 0 {
            out.push_str(" --set");
        }
    }
    fn print(&self, _: &Ctx<'_>, numeric: bool, out: &mut String) {
        let name = label_name(self.bit);
        out.push_str(" connlabel");
        if self.options & OP_INVERT != 0 {
            out.push_str(" !");
        }
        match name.filter(|_| !numeric) {
            Some(n) => {
                let _ = write!(out, " '{n}'");
            }
            None => {
                let _ = write!(out, " {}", self.bit);
            }
        }
        if self.options & OP_SET != 0 {
            out.push_str(" set");
        }
    }

    fn xlate(&self, x: &mut Xlate, cx: &XlCtx) -> bool {
        let _ = cx;
        let name = label_name(self.bit).unwrap_or_else(|| self.bit.to_string());
        if self.options & 2 != 0 {
            x.add(&format!("ct label set {name} "));
        }
        x.add("ct label ");
        if self.options & 1 != 0 {
            x.add(&format!("and {name} != "));
        }
        x.add(&name);
        true
    }
}
