//! Flowtables (`NFTA_FLOWTABLE_*`).

use super::lists::DeviceList;
use super::{impl_kind, Obj};
use crate::attr_struct;

attr_struct! {
    /// `NFTA_FLOWTABLE_HOOK_*`.
    pub struct FlowtableHook {
        /// `NFTA_FLOWTABLE_HOOK_NUM`
        1 => num: u32,
        /// `NFTA_FLOWTABLE_HOOK_PRIORITY`
        2 => priority: i32,
        /// `NFTA_FLOWTABLE_HOOK_DEVS`
        3 => devs: DeviceList,
    }
}

attr_struct! {
    /// Attributes of a flowtable, in the kernel's dump order.
    pub struct FlowtableAttrs {
        /// `NFTA_FLOWTABLE_TABLE`
        1 => table: String,
        /// `NFTA_FLOWTABLE_NAME`
        2 => name: String,
        /// `NFTA_FLOWTABLE_USE` (read-only)
        4 => use_count: u32,
        /// `NFTA_FLOWTABLE_FLAGS` (hw offload 1, counter 2)
        7 => flags: u32,
        /// `NFTA_FLOWTABLE_HANDLE`
        5 => handle: u64,
        /// `NFTA_FLOWTABLE_HOOK`
        3 => hook: FlowtableHook,
    }
}

impl_kind!(FlowtableAttrs, NEWFLOWTABLE, GETFLOWTABLE, DELFLOWTABLE);

/// A flowtable with its family.
pub type Flowtable = Obj<FlowtableAttrs>;
