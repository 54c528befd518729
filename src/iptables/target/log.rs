//! `-j LOG` (revision 0, `struct xt_log_info`, 32 bytes).

use crate::iptables::error::{IptError, Result};
use crate::iptables::ext::{Ctx, OptCall, OptDef, XtExt};
use crate::iptables::num::strtoui;
use crate::iptables::text::save_string;
use crate::iptables::xlate::{XlCtx, Xlate};
use crate::iptables::xtbuf::{Blob, Rd};
use std::fmt::Write as _;

/// `LOG_WARNING`, the default level.
pub const DEFAULT_LEVEL: u8 = 4;

/// `struct xt_log_info`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Log {
    /// Syslog level.
    pub level: u8,
    /// `XT_LOG_*` flags.
    pub logflags: u8,
    /// Prefix (at most 29 bytes).
    pub prefix: String,
}

impl Default for Log {
    fn default() -> Self {
        Log {
            level: DEFAULT_LEVEL,
            logflags: 0,
            prefix: String::new(),
        }
    }
}

const LEVELS: &[(&str, u8)] = &[
    ("alert", 1),
    ("crit", 2),
    ("debug", 7),
    ("emerg", 0),
    ("error", 3),
    ("info", 6),
    ("notice", 5),
    ("panic", 0),
    ("warning", 4),
];

/// syslog `prioritynames` order for printing.
const PRIO_NAMES: &[(&str, u8)] = &[
    ("alert", 1),
    ("crit", 2),
    ("debug", 7),
    ("emerg", 0),
    ("err", 3),
    ("error", 3),
    ("info", 6),
    ("none", 0x10),
    ("notice", 5),
    ("panic", 0),
    ("warn", 4),
    ("warning", 4),
];

/// `XTTYPE_SYSLOGLEVEL`.
pub fn parse_level(arg: &str) -> Result<u8> {
    if let Some(v) = strtoui(arg, 0, 7) {
        return Ok(v as u8);
    }
    LEVELS
        .iter()
        .find(|(n, _)| *n == arg)
        .map(|l| l.1)
        .ok_or_else(|| IptError::param(format!("log level \"{arg}\" unknown\n")))
}

const OPTS: &[OptDef] = &[
    OptDef::arg("log-level", 6, 0),
    OptDef::arg("log-prefix", 7, 0),
    OptDef::flag("log-tcp-sequence", 0, 0),
    OptDef::flag("log-tcp-options", 1, 0),
    OptDef::flag("log-ip-options", 2, 0),
    OptDef::flag("log-uid", 3, 0),
    OptDef::flag("log-macdecode", 5, 0),
];

impl XtExt for Log {
    const NAME: &'static str = "LOG";
    const REVISION: u32 = 0;
    const SIZE: usize = 32;
    const OPTIONS: &'static [OptDef] = OPTS;

    fn init(_: &Ctx<'_>) -> Self {
        Log::default()
    }

    fn parse(&mut self, c: &mut OptCall<'_>, _: &Ctx<'_>) -> Result<()> {
        let arg = c.arg().to_string();
        match c.def.id {
            6 => self.level = parse_level(&arg)?,
            7 => {
                if arg.is_empty() {
                    return Err(IptError::param(
                        "Argument must have a minimum length of 1 characters\n",
                    ));
                }
                let mut p = arg.clone();
                while p.len() > 29 {
                    p.pop();
                }
                self.prefix = p;
                if arg.contains('\n') {
                    return Err(IptError::param("Newlines not allowed in --log-prefix"));
                }
            }
            id => self.logflags |= 1 << id,
        }
        Ok(())
    }

    fn to_info(&self, _: &Ctx<'_>) -> Vec<u8> {
        let mut b = Blob::new(Self::SIZE);
        b.u8(0, self.level)
            .u8(1, self.logflags)
            .str(2, 30, &self.prefix);
        b.into_vec()
    }

    fn from_info(info: &[u8], rev: u32, cx: &Ctx<'_>) -> Option<Self> {
        if rev != 0 || info.len() != Self::SIZE {
            return None;
        }
        let r = Rd(info);
        let l = Log {
            level: r.u8(0)?,
            logflags: r.u8(1)?,
            prefix: r.str(2, 30)?,
        };
        (l.to_info(cx) == info).then_some(l)
    }

    fn save(&self, _: &Ctx<'_>, out: &mut String) {
        if !self.prefix.is_empty() {
            out.push_str(" --log-prefix");
            save_string(&self.prefix, out);
        }
        if self.level != DEFAULT_LEVEL {
            let _ = write!(out, " --log-level {}", self.level);
        }
        for (bit, n) in [
            (1, "--log-tcp-sequence"),
            (2, "--log-tcp-options"),
            (4, "--log-ip-options"),
            (8, "--log-uid"),
            (0x20, "--log-macdecode"),
        ] {
            if self.logflags & bit != 0 {
                out.push(' ');
                out.push_str(n);
            }
        }
    }

    fn print(&self, _: &Ctx<'_>, numeric: bool, out: &mut String) {
        out.push_str(" LOG");
        if numeric {
            let _ = write!(out, " flags {} level {}", self.logflags, self.level);
        } else {
            match PRIO_NAMES.iter().find(|(_, v)| *v == self.level) {
                Some((n, _)) => {
                    let _ = write!(out, " level {n}");
                }
                None => {
                    let _ = write!(out, " UNKNOWN level {}", self.level);
                }
            }
            for (bit, n) in [
                (1, " tcp-sequence"),
                (2, " tcp-options"),
                (4, " ip-options"),
                (8, " uid"),
                (0x20, " macdecode"),
            ] {
                if self.logflags & bit != 0 {
                    out.push_str(n);
                }
            }
            if self.logflags & !0x2f != 0 {
                out.push_str(" unknown-flags");
            }
        }
        if !self.prefix.is_empty() {
            let _ = write!(out, " prefix \"{}\"", self.prefix);
        }
    }

    fn xlate(&self, x: &mut Xlate, cx: &XlCtx) -> bool {
        let _ = cx;
        let pname = PRIO_NAMES.iter().find(|p| p.1 == self.level).map(|p| p.0);
        x.add("log");
        if !self.prefix.is_empty() {
            x.add(&format!(" prefix \"{}\"", self.prefix));
        }
        match pname {
            Some(n) if self.level != 4 => x.add(&format!(" level {n}")),
            Some(_) => {}
            None => return false,
        }
        let f = self.logflags;
        if f & 0x2f == 0x2f {
            x.add(" flags all");
        } else {
            if f & 0x03 != 0 {
                let mut delim = " ";
                x.add(" flags tcp");
                if f & 0x01 != 0 {
                    x.add(" sequence");
                    delim = ",";
                }
                if f & 0x02 != 0 {
                    x.add(&format!("{delim}options"));
                }
            }
            if f & 0x04 != 0 {
                x.add(" flags ip options");
            }
            if f & 0x08 != 0 {
                x.add(" flags skuid");
            }
            if f & 0x20 != 0 {
                x.add(" flags ether");
            }
        }
        true
    }
}
