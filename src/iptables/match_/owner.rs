//! `-m owner` (revision 1, `struct xt_owner_match_info`, 24 bytes).

use crate::iptables::error::{IptError, Result};
use crate::iptables::ext::{Ctx, OptCall, OptDef, XtExt, F_INVERT};
use crate::iptables::num::strtoui_prefix;
use crate::iptables::passwd;
use crate::iptables::xlate::{XlCtx, Xlate};
use crate::iptables::xtbuf::{Blob, Rd};
use std::fmt::Write as _;

/// `XT_OWNER_UID`.
pub const UID: u8 = 1;
/// `XT_OWNER_GID`.
pub const GID: u8 = 2;
/// `XT_OWNER_SOCKET`.
pub const SOCKET: u8 = 4;
/// `XT_OWNER_SUPPL_GROUPS`.
pub const SUPPL_GROUPS: u8 = 8;

/// `struct xt_owner_match_info`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Owner {
    /// UID range.
    pub uid: [u32; 2],
    /// GID range.
    pub gid: [u32; 2],
    /// Tests.
    pub match_: u8,
    /// Inverted tests.
    pub invert: u8,
}

const OPTS: &[OptDef] = &[
    OptDef::arg("uid-owner", 0, F_INVERT),
    OptDef::arg("gid-owner", 1, F_INVERT),
    OptDef::flag("socket-exists", 2, F_INVERT),
    OptDef::flag("suppl-groups", 3, 0),
];

fn bad(opt: &str, s: &str) -> IptError {
    IptError::param(format!("owner: Bad value for \"{opt}\" option: \"{s}\""))
}

fn parse_range(s: &str, opt: &str) -> Result<[u32; 2]> {
    let (from, n) = strtoui_prefix(s, 0, u32::MAX as u64 - 1).ok_or_else(|| bad(opt, s))?;
    let mut to = from;
    let mut rest = &s[n..];
    if rest.starts_with('-') || rest.starts_with(':') {
        let (t, m) =
            strtoui_prefix(&rest[1..], 0, u32::MAX as u64 - 1).ok_or_else(|| bad(opt, s))?;
        to = t;
        rest = &rest[1 + m..];
    }
    if !rest.is_empty() {
        return Err(bad(opt, s));
    }
    Ok([from as u32, to as u32])
}

impl Owner {
    fn item(&self, label: &str, flag: u8, numeric: bool, out: &mut String) {
        if self.match_ & flag == 0 {
            return;
        }
        if self.invert & flag != 0 {
            out.push_str(" !");
        }
        let _ = write!(out, " {label}");
        type Lookup = fn(u32) -> Option<&'static str>;
        let (r, name): ([u32; 2], Lookup) = match flag {
            UID => (self.uid, passwd::user_by_uid),
            GID => (self.gid, passwd::group_by_gid),
            _ => return,
        };
        if r[0] != r[1] {
            let _ = write!(out, " {}-{}", r[0], r[1]);
            return;
        }
        if !numeric {
            if let Some(n) = name(r[0]) {
                let _ = write!(out, " {n}");
                return;
            }
        }
        let _ = write!(out, " {}", r[0]);
    }
}

impl XtExt for Owner {
    const NAME: &'static str = "owner";
    const REVISION: u32 = 1;
    const SIZE: usize = 24;
    const OPTIONS: &'static [OptDef] = OPTS;

    fn init(_: &Ctx<'_>) -> Self {
        Owner::default()
    }
    fn parse(&mut self, c: &mut OptCall<'_>, _: &Ctx<'_>) -> Result<()> {
        let a = c.arg().to_string();
        let flag = match c.def.id {
            0 => {
                self.uid = match passwd::uid_by_name(&a) {
                    Some(u) => [u, u],
                    None => parse_range(&a, "--uid-owner")?,
                };
                UID
            }
            1 => {
                self.gid = match passwd::gid_by_name(&a) {
                    Some(g) => [g, g],
                    None => parse_range(&a, "--gid-owner")?,
                };
                GID
            }
            2 => SOCKET,
            _ => {
                if self.match_ & GID == 0 {
                    return Err(bad("--suppl-groups", "you need to use --gid-owner first"));
                }
                SUPPL_GROUPS
            }
        };
        if c.invert {
            self.invert |= flag;
        }
        self.match_ |= flag;
        Ok(())
    }
    fn check(&mut self, seen: u32, _: &Ctx<'_>) -> Result<()> {
        if seen == 0 {
            return Err(IptError::param(
                "owner: At least one of --uid-owner, --gid-owner or --socket-exists is required",
            ));
        }
        Ok(())
    }
    fn to_info(&self, _: &Ctx<'_>) -> Vec<u8> {
        let mut b = Blob::new(Self::SIZE);
        b.u32(0, self.uid[0])
            .u32(4, self.uid[1])
            .u32(8, self.gid[0])
            .u32(12, self.gid[1])
            .u8(16, self.match_)
            .u8(17, self.invert);
        b.into_vec()
    }
    fn from_info(info: &[u8], rev: u32, cx: &Ctx<'_>) -> Option<Self> {
        if rev != 1 || info.len() != Self::SIZE {
            return None;
        }
        let r = Rd(info);
        let o = Owner {
            uid: [r.u32(0)?, r.u32(4)?],
            gid: [r.u32(8)?, r.u32(12)?],
            match_: r.u8(16)?,
            invert: r.u8(17)?,
        };
        (o.to_info(cx) == info).then_some(o)
    }
    fn save(&self, _: &Ctx<'_>, out: &mut String) {
        self.item("--socket-exists", SOCKET, true, out);
        self.item("--uid-owner", UID, true, out);
        self.item("--gid-owner", GID, true, out);
        self.item("--suppl-groups", SUPPL_GROUPS, true, out);
    }
    fn print(&self, _: &Ctx<'_>, numeric: bool, out: &mut String) {
        self.item("owner socket exists", SOCKET, numeric, out);
        self.item("owner UID match", UID, numeric, out);
        self.item("owner GID match", GID, numeric, out);
        self.item("incl. suppl. groups", SUPPL_GROUPS, numeric, out);
    }

    fn xlate(&self, x: &mut Xlate, cx: &XlCtx) -> bool {
        let _ = cx;
        let op = if self.invert != 0 { " !=" } else { "" };
        let (what, r) = match self.match_ {
            1 => ("skuid", self.uid),
            2 => ("skgid", self.gid),
            _ => return false,
        };
        x.add(&format!("{what}{op} "));
        if r[0] != r[1] {
            x.add(&format!("{}-{}", r[0], r[1]));
        } else {
            x.add(&r[0].to_string());
        }
        true
    }
}
