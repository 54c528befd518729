//! Tables (`NFTA_TABLE_*`).

use super::{impl_kind, Obj};
use crate::attr_struct;
use bytes::Bytes;

attr_struct! {
    /// Attributes of a table, in the kernel's dump order.
    pub struct TableAttrs {
        /// `NFTA_TABLE_NAME`
        1 => name: String,
        /// `NFTA_TABLE_USE` (number of chains; read-only)
        3 => use_count: u32,
        /// `NFTA_TABLE_HANDLE`
        4 => handle: u64,
        /// `NFTA_TABLE_FLAGS` (dormant 1, owner 2, persist 4)
        2 => flags: u32,
        /// `NFTA_TABLE_USERDATA`
        6 => userdata: Bytes,
        /// `NFTA_TABLE_OWNER` (netlink port id of the owner)
        7 => owner: u32,
    }
}

impl_kind!(TableAttrs, NEWTABLE, GETTABLE, DELTABLE);

/// A table with its family.
pub type Table = Obj<TableAttrs>;

impl Table {
    /// A table with just a name.
    pub fn named(family: u8, name: &str) -> Table {
        Obj {
            family,
            attrs: TableAttrs {
                name: Some(name.to_string()),
                ..Default::default()
            },
        }
    }
    /// The table name ("" if absent).
    pub fn name(&self) -> &str {
        self.attrs.name.as_deref().unwrap_or("")
    }
}
