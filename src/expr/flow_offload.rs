//! `flow_offload` expression. (STUB: attributes not typed yet; all kept raw.)

use crate::attr_struct;
use std::fmt;

attr_struct! {
    /// `NFTA_FLOW_OFFLOAD_*`.
    pub struct FlowOffload {
    }
}

impl_expr!(FlowOffload, "flow_offload");

impl FlowOffload {
    fn debug_body(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("flow_offload")?;
        crate::expr::fmt_extras(f, &self.extra)
    }
}
