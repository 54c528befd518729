//! `flow_offload`: add the connection to a flowtable (`flow add @ft`).

use crate::attr_struct;
use std::fmt;

attr_struct! {
    /// `NFTA_FLOW_*` (`nft_flow_offload_dump`).
    pub struct FlowOffload {
        /// `NFTA_FLOW_TABLE_NAME` (the flowtable)
        1 => table_name: String,
    }
}

impl_expr!(FlowOffload, "flow_offload");

impl FlowOffload {
    fn debug_body(&self, f: &mut String) -> fmt::Result {
        let b = format!(
            "flowtable {} ",
            self.table_name
                .as_deref()
                .unwrap_or(crate::expr::nftnl_fmt::NULL_STR)
        );
        crate::expr::nftnl_fmt::fmt_body(f, "flow_offload", &b)?;
        crate::expr::fmt_extras(f, self.extra())
    }
}
