//! `queue`: hand the packet to a userspace nfqueue.

use crate::attr_struct;
use std::fmt;
use std::fmt::Write as _;

/// `NFT_QUEUE_FLAG_BYPASS`: accept the packet if no program listens.
pub const QUEUE_F_BYPASS: u16 = 0x01;
/// `NFT_QUEUE_FLAG_CPU_FANOUT`: pick the queue by CPU, not by hash.
pub const QUEUE_F_FANOUT: u16 = 0x02;

attr_struct! {
    /// `NFTA_QUEUE_*`, in the kernel's dump order: number, total and flags
    /// for a fixed queue, or sreg and flags for a queue number taken from a
    /// register.
    pub struct Queue {
        /// `NFTA_QUEUE_NUM` (`NLA_U16`, big-endian)
        1 => num: u16,
        /// `NFTA_QUEUE_TOTAL` (`NLA_U16`, big-endian: number of queues)
        2 => total: u16,
        /// `NFTA_QUEUE_SREG_QNUM`
        4 => sreg_qnum: u32,
        /// `NFTA_QUEUE_FLAGS` (`NLA_U16`, big-endian: `QUEUE_F_*`)
        3 => flags: u16,
    }
}

impl_expr!(Queue, "queue");

impl Queue {
    /// Queue to `num`.
    pub fn num(num: u16) -> Self {
        Queue {
            num: Some(num),
            total: Some(1),
            flags: Some(0),
            ..Default::default()
        }
    }

    /// Spread over the `total` queues starting at `num`.
    pub fn range(num: u16, total: u16) -> Self {
        Queue {
            total: Some(total),
            ..Self::num(num)
        }
    }

    /// Queue to the number found in register `sreg`.
    pub fn sreg(sreg: u32) -> Self {
        Queue {
            sreg_qnum: Some(sreg),
            flags: Some(0),
            ..Default::default()
        }
    }

    /// Accept the packet when no program listens (`bypass`).
    pub fn bypass(mut self) -> Self {
        self.flags = Some(self.flags.unwrap_or(0) | QUEUE_F_BYPASS);
        self
    }

    /// Pick the queue by CPU (`fanout`).
    pub fn fanout(mut self) -> Self {
        self.flags = Some(self.flags.unwrap_or(0) | QUEUE_F_FANOUT);
        self
    }

    fn debug_body(&self, f: &mut String) -> fmt::Result {
        f.write_str("queue")?;
        if let Some(n) = self.num {
            write!(f, " num {n}")?;
            let total = self.total.unwrap_or(0);
            // libnftnl computes the last queue in 16 bits.
            let last = n.wrapping_add(total).wrapping_sub(1);
            if total != 0 && last != n {
                write!(f, "-{last}")?;
            }
        }
        if let Some(r) = self.sreg_qnum {
            write!(f, " sreg_qnum {r}")?;
        }
        if let Some(fl) = self.flags {
            if fl & QUEUE_F_BYPASS != 0 {
                f.write_str(" bypass")?;
            }
            if fl & QUEUE_F_FANOUT != 0 {
                f.write_str(" fanout")?;
            }
        }
        crate::expr::fmt_extras(f, self.extra())
    }
}
