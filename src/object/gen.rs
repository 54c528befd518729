//! The ruleset generation (`NFTA_GEN_*`).

use crate::attr_struct;

attr_struct! {
    /// A `NEWGEN` message body.
    pub struct GenAttrs {
        /// `NFTA_GEN_ID`
        1 => id: u32,
        /// `NFTA_GEN_PROC_PID`
        2 => proc_pid: u32,
        /// `NFTA_GEN_PROC_NAME`
        3 => proc_name: String,
    }
}
