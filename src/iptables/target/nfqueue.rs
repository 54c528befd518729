//! `-j NFQUEUE`: queue number or balanced range, bypass and CPU fanout
//! flags. Revision 3 (`struct xt_NFQ_info_v3`) and, where the kernel
//! lacks it, 2 (`xt_NFQ_info_v2`, no fanout), 1 (`xt_NFQ_info_v1`, no
//! bypass) and 0 (`xt_NFQ_info`, one queue); all 8 bytes. Like
//! libxtables, an older revision drops the flags it cannot carry and
//! revision 0 refuses `--queue-balance`.

use crate::iptables::error::{IptError, Result};
use crate::iptables::ext::{Ctx, OptCall, OptDef, XtExt};
use crate::iptables::family::Family;
use crate::iptables::match_::conntrack::parse_u32rc_max;
use crate::iptables::text::parse_uint;
use crate::iptables::xlate::{XlCtx, Xlate};
use crate::iptables::xtbuf::{Blob, Rd};
use std::fmt::Write as _;

const FLAG_BYPASS: u16 = 0x01;
const FLAG_CPU_FANOUT: u16 = 0x02;

/// `struct xt_NFQ_info_v3`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Nfqueue {
    /// First queue.
    pub queuenum: u16,
    /// Number of queues balanced over.
    pub queues_total: u16,
    /// `NFQ_FLAG_*` (revision 2: only bypass, its `bypass` field).
    pub flags: u16,
    /// The revision written (0 to 3).
    pub rev: u32,
}

const OPTS: &[OptDef] = &[
    OptDef::arg("queue-num", 0, 0).excl(1 << 1),
    OptDef::arg("queue-balance", 1, 0).excl(1 << 0),
    OptDef::flag("queue-bypass", 2, 0),
    OptDef::flag("queue-cpu-fanout", 3, 0).also(1 << 1),
];

impl Nfqueue {
    fn dump(&self, out: &mut String, balance: &str, num: &str, bypass: &str, fanout: &str) {
        if self.rev >= 1 && self.queues_total > 1 {
            let last = self.queues_total as u32 + self.queuenum as u32 - 1;
            let _ = write!(out, "{balance}{}:{last}", self.queuenum);
        } else {
            let _ = write!(out, "{num}{}", self.queuenum);
        }
        if self.rev >= 2 && self.flags & FLAG_BYPASS != 0 {
            out.push_str(bypass);
        }
        if self.rev >= 3 && self.flags & FLAG_CPU_FANOUT != 0 {
            out.push_str(fanout);
        }
    }
}

impl XtExt for Nfqueue {
    const NAME: &'static str = "NFQUEUE";
    const REVISION: u32 = 3;
    const SIZE: usize = 8;
    const OPTIONS: &'static [OptDef] = OPTS;

    fn init(_: &Ctx<'_>) -> Self {
        Nfqueue {
            queuenum: 0,
            queues_total: 1,
            flags: 0,
            rev: 3,
        }
    }
    fn revisions(_: Family) -> &'static [u32] {
        &[3, 2, 1, 0]
    }
    fn revision_of(&self, _: Family) -> u32 {
        self.rev
    }
    fn set_revision(&mut self, rev: u32) {
        self.rev = rev;
        if rev == 0 {
            self.queues_total = 0;
        }
    }
    fn parse(&mut self, c: &mut OptCall<'_>, _: &Ctx<'_>) -> Result<()> {
        match c.def.id {
            0 => self.queuenum = parse_uint("NFQUEUE", c.def.name, c.arg(), 0, 65535)? as u16,
            1 if self.rev == 0 => {
                return Err(IptError::param(
                    "NFQUEUE target: --queue-balance not supported (kernel too old?)",
                ))
            }
            1 => {
                let (lo, hi, n) = parse_u32rc_max("NFQUEUE", c.def.name, c.arg(), 65534)?;
                if n != 2 {
                    return Err(IptError::param(format!("Bad range \"{}\"", c.arg())));
                }
                if lo >= hi {
                    return Err(IptError::param(format!("{lo} should be less than {hi}")));
                }
                self.queuenum = lo as u16;
                self.queues_total = (hi - lo + 1) as u16;
            }
            // older revisions accept and drop what they cannot carry
            2 if self.rev >= 2 => self.flags |= FLAG_BYPASS,
            3 if self.rev >= 3 => self.flags |= FLAG_CPU_FANOUT,
            _ => {}
        }
        Ok(())
    }
    fn to_info(&self, _: &Ctx<'_>) -> Vec<u8> {
        let mut b = Blob::new(Self::SIZE);
        b.u16(0, self.queuenum);
        if self.rev >= 1 {
            b.u16(2, self.queues_total);
        }
        if self.rev >= 2 {
            b.u16(4, self.flags);
        }
        b.into_vec()
    }
    fn from_info(info: &[u8], rev: u32, cx: &Ctx<'_>) -> Option<Self> {
        if rev > 3 || info.len() != Self::SIZE {
            return None;
        }
        let r = Rd(info);
        let q = Nfqueue {
            queuenum: r.u16(0)?,
            queues_total: if rev >= 1 { r.u16(2)? } else { 0 },
            flags: if rev >= 2 { r.u16(4)? } else { 0 },
            rev,
        };
        (q.to_info(cx) == info).then_some(q)
    }
    fn save(&self, _: &Ctx<'_>, out: &mut String) {
        self.dump(
            out,
            " --queue-balance ",
            " --queue-num ",
            " --queue-bypass",
            " --queue-cpu-fanout",
        );
    }
    fn print(&self, _: &Ctx<'_>, _: bool, out: &mut String) {
        self.dump(
            out,
            " NFQUEUE balance ",
            " NFQUEUE num ",
            " bypass",
            " cpu-fanout",
        );
    }

    fn xlate(&self, x: &mut Xlate, cx: &XlCtx) -> bool {
        let _ = cx;
        let total = u32::from(self.queues_total);
        if total > 1 {
            let last = total + u32::from(self.queuenum) - 1;
            x.add(&format!("queue num {}-{last} ", self.queuenum));
        } else {
            x.add(&format!("queue num {} ", self.queuenum));
        }
        if self.flags & 1 != 0 {
            x.add("bypass");
        }
        if self.flags & 2 != 0 {
            x.add(&format!(
                "{}fanout ",
                if self.flags & 1 != 0 { "," } else { "" }
            ));
        }
        true
    }
}
