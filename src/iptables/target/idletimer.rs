//! `-j IDLETIMER` (revision 1, `struct idletimer_tg_info_v1`, 48 bytes;
//! the kernel's pointer after the first 40 is not compared) and, where the
//! kernel lacks it, revision 0 (`idletimer_tg_info`: no `--alarm`, 40
//! bytes; 32 compared).

use crate::iptables::error::Result;
use crate::iptables::ext::{Ctx, OptCall, OptDef, XtExt, F_MAND};
use crate::iptables::family::Family;
use crate::iptables::text::parse_uint;
use crate::iptables::xtbuf::{Blob, Rd};
use std::fmt::Write as _;

/// `MAX_IDLETIMER_LABEL_SIZE`.
const LABEL_SIZE: usize = 28;
/// `XT_IDLETIMER_ALARM`.
const ALARM: u8 = 0x01;

/// `struct idletimer_tg_info_v1`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Idletimer {
    /// Seconds.
    pub timeout: u32,
    /// Timer label.
    pub label: String,
    /// `send_nl_msg` (unused).
    pub send_nl_msg: u8,
    /// `XT_IDLETIMER_ALARM` or 0.
    pub timer_type: u8,
    /// The revision written (0 or 1).
    pub rev: u32,
}

const OPTS: &[OptDef] = &[
    OptDef::arg("timeout", 0, F_MAND),
    OptDef::arg("label", 1, F_MAND),
    OptDef::flag("alarm", 2, 0),
];

impl XtExt for Idletimer {
    const NAME: &'static str = "IDLETIMER";
    const REVISION: u32 = 1;
    const SIZE: usize = 48;
    const USERSPACE: usize = 40;
    const OPTIONS: &'static [OptDef] = OPTS;

    fn init(_: &Ctx<'_>) -> Self {
        Idletimer {
            rev: 1,
            ..Idletimer::default()
        }
    }
    fn revisions(_: Family) -> &'static [u32] {
        &[1, 0]
    }
    crate::revision_in_field!();
    fn options_now(&self) -> &'static [OptDef] {
        if self.rev == 0 {
            &OPTS[..2]
        } else {
            OPTS
        }
    }
    fn userspace_now(&self) -> usize {
        if self.rev == 0 {
            32
        } else {
            Self::USERSPACE
        }
    }
    fn parse(&mut self, c: &mut OptCall<'_>, _: &Ctx<'_>) -> Result<()> {
        match c.def.id {
            0 => {
                self.timeout =
                    parse_uint("IDLETIMER", c.def.name, c.arg(), 0, u32::MAX as u64)? as u32
            }
            1 => {
                let b = c.arg().as_bytes();
                self.label =
                    String::from_utf8_lossy(&b[..b.len().min(LABEL_SIZE - 1)]).into_owned();
            }
            _ => self.timer_type = ALARM,
        }
        Ok(())
    }
    fn to_info(&self, _: &Ctx<'_>) -> Vec<u8> {
        if self.rev == 0 {
            let mut b = Blob::new(40);
            b.u32(0, self.timeout).str(4, LABEL_SIZE, &self.label);
            return b.into_vec();
        }
        let mut b = Blob::new(Self::SIZE);
        b.u32(0, self.timeout)
            .str(4, LABEL_SIZE, &self.label)
            .u8(32, self.send_nl_msg)
            .u8(33, self.timer_type);
        b.into_vec()
    }
    fn from_info(info: &[u8], rev: u32, cx: &Ctx<'_>) -> Option<Self> {
        let r = Rd(info);
        let t = match (rev, info.len()) {
            (0, 40) => Idletimer {
                timeout: r.u32(0)?,
                label: r.str(4, LABEL_SIZE)?,
                rev,
                ..Idletimer::default()
            },
            (1, Self::SIZE) => Idletimer {
                timeout: r.u32(0)?,
                label: r.str(4, LABEL_SIZE)?,
                send_nl_msg: r.u8(32)?,
                timer_type: r.u8(33)?,
                rev,
            },
            _ => return None,
        };
        (t.to_info(cx) == info).then_some(t)
    }
    fn save(&self, _: &Ctx<'_>, out: &mut String) {
        let _ = write!(out, " --timeout {} --label {}", self.timeout, self.label);
        if self.timer_type == ALARM {
            out.push_str(" --alarm");
        }
    }
    fn print(&self, _: &Ctx<'_>, _: bool, out: &mut String) {
        let _ = write!(out, " timeout:{} label:{}", self.timeout, self.label);
        if self.timer_type == ALARM {
            out.push_str(" alarm");
        }
    }
}
