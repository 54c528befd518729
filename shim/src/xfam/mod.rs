//! The table engine of the `arptables` and `ebtables` tools: a snapshot of
//! one table of the `arp` or `bridge` family (its chains and every rule,
//! each read as the tool's own rule or as a foreign one), the changes a
//! command makes to it as one batch, and the generation-guarded commit
//! that rebuilds the batch when another writer got in between.

pub mod snapshot;

pub use snapshot::{SnapChain, SnapRule, Snapshot};
