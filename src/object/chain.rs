//! Chains (`NFTA_CHAIN_*`), base and regular.

use super::lists::DeviceList;
use super::{impl_kind, Obj};
use crate::attr_struct;
use bytes::Bytes;

attr_struct! {
    /// `NFTA_HOOK_*`: where a base chain hooks in.
    pub struct Hook {
        /// `NFTA_HOOK_HOOKNUM`
        1 => num: u32,
        /// `NFTA_HOOK_PRIORITY`
        2 => priority: i32,
        /// `NFTA_HOOK_DEV`
        3 => dev: String,
        /// `NFTA_HOOK_DEVS`
        4 => devs: DeviceList,
    }
}

attr_struct! {
    /// `NFTA_COUNTER_*` as used by base chain counters (bytes first).
    pub struct ChainCounters {
        /// bytes
        1 => bytes: u64,
        /// packets
        2 => packets: u64,
    }
}

attr_struct! {
    /// Attributes of a chain, in the kernel's dump order.
    pub struct ChainAttrs {
        /// `NFTA_CHAIN_TABLE`
        1 => table: String,
        /// `NFTA_CHAIN_NAME`
        3 => name: String,
        /// `NFTA_CHAIN_HANDLE`
        2 => handle: u64,
        /// `NFTA_CHAIN_HOOK`
        4 => hook: Hook,
        /// `NFTA_CHAIN_POLICY` (0 drop, 1 accept)
        5 => policy: u32,
        /// `NFTA_CHAIN_TYPE` (filter, nat, route)
        7 => chain_type: String,
        /// `NFTA_CHAIN_COUNTERS`
        8 => counters: ChainCounters,
        /// `NFTA_CHAIN_FLAGS` (base 1, hw offload 2, binding 4)
        10 => flags: u32,
        /// `NFTA_CHAIN_USE` (references; read-only)
        6 => use_count: u32,
        /// `NFTA_CHAIN_USERDATA`
        12 => userdata: Bytes,
        /// `NFTA_CHAIN_ID` (transaction-local id)
        11 => id: u32,
    }
}

impl_kind!(ChainAttrs, NEWCHAIN, GETCHAIN, DELCHAIN);

/// A chain with its family.
pub type Chain = Obj<ChainAttrs>;

impl Chain {
    /// A regular chain.
    pub fn regular(family: u8, table: &str, name: &str) -> Chain {
        Obj {
            family,
            attrs: ChainAttrs {
                table: Some(table.into()),
                name: Some(name.into()),
                ..Default::default()
            },
        }
    }
    /// The chain name ("" if absent).
    pub fn name(&self) -> &str {
        self.attrs.name.as_deref().unwrap_or("")
    }
    /// The table name ("" if absent).
    pub fn table(&self) -> &str {
        self.attrs.table.as_deref().unwrap_or("")
    }
    /// True for base chains (with a hook).
    pub fn is_base(&self) -> bool {
        self.attrs.hook.is_some()
    }
    /// The policy of a base chain as iptables names it (`DROP` for verdict
    /// 0, else `ACCEPT`); `None` for a regular chain.
    pub fn policy_name(&self) -> Option<&'static str> {
        self.attrs.hook.as_ref()?;
        Some(match self.attrs.policy {
            Some(0) => "DROP",
            _ => "ACCEPT",
        })
    }
    /// The chain's counters (packets, bytes); zero when it has none.
    pub fn counter_values(&self) -> (u64, u64) {
        self.attrs
            .counters
            .as_ref()
            .map(|c| (c.packets.unwrap_or(0), c.bytes.unwrap_or(0)))
            .unwrap_or((0, 0))
    }
}
