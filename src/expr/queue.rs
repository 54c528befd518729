//! `queue` expression. (STUB: attributes not typed yet; all kept raw.)

use crate::attr_struct;
use std::fmt;

attr_struct! {
    /// `NFTA_QUEUE_*`.
    pub struct Queue {
    }
}

impl_expr!(Queue, "queue");

impl Queue {
    fn debug_body(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("queue")?;
        crate::expr::fmt_extras(f, &self.extra)
    }
}
