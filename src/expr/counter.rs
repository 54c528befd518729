//! `counter`: count packets and bytes.

use crate::attr_struct;
use std::fmt;

attr_struct! {
    /// `NFTA_COUNTER_*` (the kernel dumps bytes first).
    pub struct Counter {
        /// bytes seen
        1 => bytes: u64,
        /// packets seen
        2 => packets: u64,
    }
}

impl_expr!(Counter, "counter");

impl Counter {
    /// A counter starting at the given values.
    pub fn new(packets: u64, bytes: u64) -> Self {
        Counter {
            bytes: Some(bytes),
            packets: Some(packets),
            ..Default::default()
        }
    }

    fn debug_body(&self, f: &mut String) -> fmt::Result {
        f.push_str("counter pkts ");
        crate::util::push_decimal(f, self.packets.unwrap_or(0));
        f.push_str(" bytes ");
        crate::util::push_decimal(f, self.bytes.unwrap_or(0));
        crate::expr::fmt_extras(f, self.extra())
    }
}
