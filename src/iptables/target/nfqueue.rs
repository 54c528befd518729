//! `-j NFQUEUE` (revision 3, `struct xt_NFQ_info_v3`, 8 bytes): queue
//! number or balanced range, bypass and CPU fanout flags.

use crate::iptables::error::{IptError, Result};
use crate::iptables::ext::{decode_exact, Ctx, OptCall, OptDef, XtExt};
use crate::iptables::match_::conntrack::parse_u32rc_max;
use crate::iptables::text::parse_uint;
use crate::iptables::xlate::{XlCtx, Xlate};
use crate::iptables::xtbuf::Blob;
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
    /// `NFQ_FLAG_*`.
    pub flags: u16,
}

const OPTS: &[OptDef] = &[
    OptDef::arg("queue-num", 0, 0).excl(1 << 1),
    OptDef::arg("queue-balance", 1, 0).excl(1 << 0),
    OptDef::flag("queue-bypass", 2, 0),
    OptDef::flag("queue-cpu-fanout", 3, 0).also(1 << 1),
];

impl Nfqueue {
    fn dump(&self, out: &mut String, balance: &str, num: &str, bypass: &str, fanout: &str) {
        if self.queues_total > 1 {
            let last = self.queues_total as u32 + self.queuenum as u32 - 1;
            let _ = write!(out, "{balance}{}:{last}", self.queuenum);
        } else {
            let _ = write!(out, "{num}{}", self.queuenum);
        }
        if self.flags & FLAG_BYPASS != 0 {
            out.push_str(bypass);
        }
        if self.flags & FLAG_CPU_FANOUT != 0 {
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
        }
    }
    fn parse(&mut self, c: &mut OptCall<'_>, _: &Ctx<'_>) -> Result<()> {
        match c.def.id {
            0 => self.queuenum = parse_uint("NFQUEUE", c.def.name, c.arg(), 0, 65535)? as u16,
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
            2 => self.flags |= FLAG_BYPASS,
            _ => self.flags |= FLAG_CPU_FANOUT,
        }
        Ok(())
    }
    fn to_info(&self, _: &Ctx<'_>) -> Vec<u8> {
        let mut b = Blob::new(Self::SIZE);
        b.u16(0, self.queuenum)
            .u16(2, self.queues_total)
            .u16(4, self.flags);
        b.into_vec()
    }
    fn from_info(info: &[u8], rev: u32, cx: &Ctx<'_>) -> Option<Self> {
        decode_exact(info, rev, cx, |r| {
            Some(Nfqueue {
                queuenum: r.u16(0)?,
                queues_total: r.u16(2)?,
                flags: r.u16(4)?,
            })
        })
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
