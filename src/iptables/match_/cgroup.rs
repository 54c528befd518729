//! `-m cgroup` (revision 2, `struct xt_cgroup_info_v2`, 528 bytes; the
//! kernel's pointer after the first 520 is not compared): the socket's
//! cgroup v2 path or net_cls class id, which share one union.

use crate::iptables::error::Result;
use crate::iptables::ext::{decode_exact, Ctx, OptCall, OptDef, XtExt, F_INVERT};
use crate::iptables::text::{parse_uint, save_string};
use crate::iptables::xlate::{XlCtx, Xlate};
use crate::iptables::xtbuf::Blob;
use std::fmt::Write as _;

/// `XT_CGROUP_PATH_MAX`: the union's size.
const PATH_MAX: usize = 512;

/// `struct xt_cgroup_info_v2`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cgroup {
    /// `--path` given.
    pub has_path: u8,
    /// `--cgroup` given.
    pub has_classid: u8,
    /// `! --path`.
    pub invert_path: u8,
    /// `! --cgroup`.
    pub invert_classid: u8,
    /// The union of `path` and `classid`, as the options wrote it.
    pub data: Vec<u8>,
}

const OPTS: &[OptDef] = &[
    OptDef::arg("path", 0, F_INVERT),
    OptDef::arg("cgroup", 1, F_INVERT),
];

impl Cgroup {
    fn path(&self) -> String {
        let end = self
            .data
            .iter()
            .position(|&c| c == 0)
            .unwrap_or(self.data.len());
        String::from_utf8_lossy(&self.data[..end]).into_owned()
    }
    fn classid(&self) -> u32 {
        u32::from_ne_bytes([self.data[0], self.data[1], self.data[2], self.data[3]])
    }
}

impl XtExt for Cgroup {
    const NAME: &'static str = "cgroup";
    const REVISION: u32 = 2;
    const SIZE: usize = 528;
    const USERSPACE: usize = 520;
    const OPTIONS: &'static [OptDef] = OPTS;

    fn init(_: &Ctx<'_>) -> Self {
        Cgroup {
            has_path: 0,
            has_classid: 0,
            invert_path: 0,
            invert_classid: 0,
            data: vec![0; PATH_MAX],
        }
    }
    fn parse(&mut self, c: &mut OptCall<'_>, _: &Ctx<'_>) -> Result<()> {
        if c.def.id == 0 {
            // strncpy of the argument's length, then a NUL: bytes after it
            // keep what was there.
            let b = c.arg().as_bytes();
            let n = b.len().min(PATH_MAX - 1);
            self.data[..n].copy_from_slice(&b[..n]);
            self.data[n] = 0;
            self.has_path = 1;
            if c.invert {
                self.invert_path = 1;
            }
        } else {
            let v = parse_uint("cgroup", c.def.name, c.arg(), 0, u32::MAX as u64)? as u32;
            self.data[..4].copy_from_slice(&v.to_ne_bytes());
            self.has_classid = 1;
            if c.invert {
                self.invert_classid = 1;
            }
        }
        Ok(())
    }
    fn to_info(&self, _: &Ctx<'_>) -> Vec<u8> {
        let mut b = Blob::new(Self::SIZE);
        b.u8(0, self.has_path)
            .u8(1, self.has_classid)
            .u8(2, self.invert_path)
            .u8(3, self.invert_classid)
            .bytes(4, &self.data);
        b.into_vec()
    }
    fn from_info(info: &[u8], rev: u32, cx: &Ctx<'_>) -> Option<Self> {
        decode_exact(info, rev, cx, |r| {
            Some(Cgroup {
                has_path: r.u8(0)?,
                has_classid: r.u8(1)?,
                invert_path: r.u8(2)?,
                invert_classid: r.u8(3)?,
                data: r.bytes(4, PATH_MAX)?.to_vec(),
            })
        })
    }
    fn save(&self, _: &Ctx<'_>, out: &mut String) {
        if self.has_path != 0 {
            let bang = if self.invert_path != 0 { " !" } else { "" };
            let _ = write!(out, "{bang} --path");
            save_string(&self.path(), out);
        }
        if self.has_classid != 0 {
            let bang = if self.invert_classid != 0 { " !" } else { "" };
            let _ = write!(out, "{bang} --cgroup {}", self.classid());
        }
    }
    fn print(&self, _: &Ctx<'_>, _: bool, out: &mut String) {
        out.push_str(" cgroup");
        if self.has_path != 0 {
            let bang = if self.invert_path != 0 { "! " } else { "" };
            let _ = write!(out, " {bang}{}", self.path());
        }
        if self.has_classid != 0 {
            let bang = if self.invert_classid != 0 { "! " } else { "" };
            let _ = write!(out, " {bang}{}", self.classid());
        }
    }

    fn xlate(&self, x: &mut Xlate, cx: &XlCtx) -> bool {
        let _ = cx;
        if self.has_path != 0 {
            return false;
        }
        if self.has_classid != 0 {
            let op = if self.invert_classid != 0 { "!= " } else { "" };
            x.add(&format!("meta cgroup {op}{}", self.classid()));
        }
        true
    }
}
