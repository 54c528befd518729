//! `-j TCPOPTSTRIP` (revision 0, `struct xt_tcpoptstrip_target_info`, 32
//! bytes): a bitmap of TCP option kinds to remove.

use crate::iptables::error::{IptError, Result};
use crate::iptables::ext::{decode_exact, Ctx, OptCall, OptDef, XtExt};
use crate::iptables::num::strtoui;
use crate::iptables::xtbuf::Blob;
use std::fmt::Write as _;

/// Option names iptables knows, with their kinds.
const NAMES: &[(&str, u32)] = &[
    ("wscale", 3),
    ("mss", 2),
    ("sack-permitted", 4),
    ("sack", 5),
    ("timestamp", 8),
    ("md5", 19),
];

/// `struct xt_tcpoptstrip_target_info`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Tcpoptstrip {
    /// Bit per option kind.
    pub strip_bmap: [u32; 8],
}

const OPTS: &[OptDef] = &[OptDef::arg("strip-options", 0, 0)];

impl Tcpoptstrip {
    fn has(&self, k: u32) -> bool {
        self.strip_bmap[(k / 32) as usize] & (1 << (k % 32)) != 0
    }
    fn list(&self, numeric: bool, out: &mut String) {
        let mut first = true;
        for k in (0..256).filter(|&k| self.has(k)) {
            if !first {
                out.push(',');
            }
            first = false;
            // The last name of a kind wins, as in iptables' loop.
            let name = NAMES
                .iter()
                .rev()
                .find(|(_, v)| *v == k && !numeric)
                .map(|(n, _)| *n);
            match name {
                Some(n) => out.push_str(n),
                None => {
                    let _ = write!(out, "{k}");
                }
            }
        }
    }
}

impl XtExt for Tcpoptstrip {
    const NAME: &'static str = "TCPOPTSTRIP";
    const REVISION: u32 = 0;
    const SIZE: usize = 32;
    const OPTIONS: &'static [OptDef] = OPTS;

    fn init(_: &Ctx<'_>) -> Self {
        Tcpoptstrip::default()
    }
    fn parse(&mut self, c: &mut OptCall<'_>, _: &Ctx<'_>) -> Result<()> {
        for word in c.arg().split(',') {
            let mut kind = NAMES
                .iter()
                .find(|(n, _)| *n == word)
                .map(|(_, v)| *v)
                .unwrap_or(0);
            if kind == 0 {
                kind = strtoui(word, 0, 255)
                    .ok_or_else(|| IptError::param(format!("Bad TCP option value \"{word}\"")))?
                    as u32;
            }
            if kind < 2 {
                return Err(IptError::param("Option value may not be 0 or 1"));
            }
            if self.has(kind) {
                return Err(IptError::param(format!(
                    "Option \"{word}\" already specified"
                )));
            }
            self.strip_bmap[(kind / 32) as usize] |= 1 << (kind % 32);
        }
        Ok(())
    }
    fn to_info(&self, _: &Ctx<'_>) -> Vec<u8> {
        let mut b = Blob::new(Self::SIZE);
        for (i, w) in self.strip_bmap.iter().enumerate() {
            b.u32(4 * i, *w);
        }
        b.into_vec()
    }
    fn from_info(info: &[u8], rev: u32, cx: &Ctx<'_>) -> Option<Self> {
        decode_exact(info, rev, cx, |r| {
            let mut t = Tcpoptstrip::default();
            for (i, w) in t.strip_bmap.iter_mut().enumerate() {
                *w = r.u32(4 * i)?;
            }
            Some(t)
        })
    }
    fn save(&self, _: &Ctx<'_>, out: &mut String) {
        if self.strip_bmap == [0; 8] {
            return;
        }
        out.push_str(" --strip-options ");
        self.list(true, out);
    }
    fn print(&self, _: &Ctx<'_>, numeric: bool, out: &mut String) {
        if self.strip_bmap == [0; 8] {
            return;
        }
        out.push_str(" TCPOPTSTRIP options ");
        self.list(numeric, out);
    }
}
