//! `-m cgroup` (revision 2, `struct xt_cgroup_info_v2`, 528 bytes; the
//! kernel's pointer after the first 520 is not compared): the socket's
//! cgroup v2 path or net_cls class id, which share one union. Where the
//! kernel lacks revision 2: 1 (`xt_cgroup_info_v1`, a 4096-byte path and
//! a separate class id, 4112 bytes, 4104 compared) and 0
//! (`xt_cgroup_info_v0`, a class id and an inversion word, `--cgroup`
//! only and mandatory), as libxtables.

use crate::iptables::error::Result;
use crate::iptables::ext::{Ctx, OptCall, OptDef, XtExt, F_INVERT, F_MAND};
use crate::iptables::family::Family;
use crate::iptables::text::{parse_uint, save_string};
use crate::iptables::xlate::{XlCtx, Xlate};
use crate::iptables::xtbuf::{Blob, Rd};
use std::fmt::Write as _;

/// `XT_CGROUP_PATH_MAX`: the union's size.
const PATH_MAX: usize = 512;
/// `PATH_MAX`: revision 1's path buffer.
const PATH_MAX_V1: usize = 4096;

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
    /// The union of `path` and `classid`, as the options wrote it
    /// (revision 1: the path buffer; revision 0: the class id).
    pub data: Vec<u8>,
    /// Revision 1's separate class id.
    pub classid_v1: u32,
    /// The revision written (0 to 2).
    pub rev: u32,
}

/// Revision 0's only option.
const OPTS_V0: &[OptDef] = &[OptDef::arg("cgroup", 1, F_INVERT | F_MAND)];

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
        if self.rev == 1 {
            return self.classid_v1;
        }
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
            classid_v1: 0,
            rev: 2,
        }
    }
    fn revisions(_: Family) -> &'static [u32] {
        &[2, 1, 0]
    }
    fn revision_of(&self, _: Family) -> u32 {
        self.rev
    }
    fn set_revision(&mut self, rev: u32) {
        self.rev = rev;
        self.data = vec![0; if rev == 1 { PATH_MAX_V1 } else { PATH_MAX }];
    }
    fn options_now(&self) -> &'static [OptDef] {
        if self.rev == 0 {
            OPTS_V0
        } else {
            OPTS
        }
    }
    fn userspace_now(&self) -> usize {
        match self.rev {
            0 => 8,
            1 => 4104,
            _ => Self::USERSPACE,
        }
    }
    fn parse(&mut self, c: &mut OptCall<'_>, _: &Ctx<'_>) -> Result<()> {
        if c.def.id == 0 {
            // strncpy of the argument's length, then a NUL: bytes after it
            // keep what was there.
            let b = c.arg().as_bytes();
            let n = b.len().min(self.data.len() - 1);
            self.data[..n].copy_from_slice(&b[..n]);
            self.data[n] = 0;
            self.has_path = 1;
            if c.invert {
                self.invert_path = 1;
            }
        } else {
            let v = parse_uint("cgroup", c.def.name, c.arg(), 0, u32::MAX as u64)? as u32;
            if self.rev == 1 {
                self.classid_v1 = v;
            } else {
                self.data[..4].copy_from_slice(&v.to_ne_bytes());
            }
            self.has_classid = 1;
            if c.invert {
                self.invert_classid = 1;
            }
        }
        Ok(())
    }
    fn to_info(&self, _: &Ctx<'_>) -> Vec<u8> {
        if self.rev == 0 {
            let mut b = Blob::new(8);
            b.u32(0, self.classid()).u32(4, self.invert_classid.into());
            return b.into_vec();
        }
        if self.rev == 1 {
            let mut b = Blob::new(4112);
            b.u8(0, self.has_path)
                .u8(1, self.has_classid)
                .u8(2, self.invert_path)
                .u8(3, self.invert_classid)
                .bytes(4, &self.data)
                .u32(4100, self.classid_v1);
            return b.into_vec();
        }
        let mut b = Blob::new(Self::SIZE);
        b.u8(0, self.has_path)
            .u8(1, self.has_classid)
            .u8(2, self.invert_path)
            .u8(3, self.invert_classid)
            .bytes(4, &self.data);
        b.into_vec()
    }
    fn from_info(info: &[u8], rev: u32, cx: &Ctx<'_>) -> Option<Self> {
        let r = Rd(info);
        let g = match (rev, info.len()) {
            (0, 8) => {
                let mut data = vec![0; PATH_MAX];
                data[..4].copy_from_slice(r.bytes(0, 4)?);
                Cgroup {
                    has_path: 0,
                    has_classid: 1,
                    invert_path: 0,
                    invert_classid: u8::try_from(r.u32(4)?).ok()?,
                    data,
                    classid_v1: 0,
                    rev,
                }
            }
            (1, 4112) => Cgroup {
                has_path: r.u8(0)?,
                has_classid: r.u8(1)?,
                invert_path: r.u8(2)?,
                invert_classid: r.u8(3)?,
                data: r.bytes(4, PATH_MAX_V1)?.to_vec(),
                classid_v1: r.u32(4100)?,
                rev,
            },
            (2, Self::SIZE) => Cgroup {
                has_path: r.u8(0)?,
                has_classid: r.u8(1)?,
                invert_path: r.u8(2)?,
                invert_classid: r.u8(3)?,
                data: r.bytes(4, PATH_MAX)?.to_vec(),
                classid_v1: 0,
                rev,
            },
            _ => return None,
        };
        // the kernel's pointer (revisions 1 and 2) is not compared
        let n = g.userspace_now();
        (g.to_info(cx)[..n] == info[..n]).then_some(g)
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
