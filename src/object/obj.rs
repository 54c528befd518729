//! Stateful objects (`NFTA_OBJ_*`): counter, quota, ct helper, limit,
//! connlimit, tunnel, ct timeout, secmark, ct expectation, synproxy.

use super::{impl_kind, Obj};
use crate::{attr_struct, wire_enum};
use bytes::Bytes;

wire_enum! {
    /// `NFT_OBJECT_*` types.
    pub enum ObjType: u32 {
        /// counter
        Counter = 1,
        /// quota
        Quota = 2,
        /// ct helper
        CtHelper = 3,
        /// limit
        Limit = 4,
        /// connlimit
        Connlimit = 5,
        /// tunnel
        Tunnel = 6,
        /// ct timeout
        CtTimeout = 7,
        /// secmark
        Secmark = 8,
        /// ct expectation
        CtExpect = 9,
        /// synproxy
        Synproxy = 10,
    }
}

impl ObjType {
    /// nft's keyword for the type.
    pub fn keyword(self) -> String {
        match self {
            ObjType::Counter => "counter".into(),
            ObjType::Quota => "quota".into(),
            ObjType::CtHelper => "ct helper".into(),
            ObjType::Limit => "limit".into(),
            ObjType::Connlimit => "connlimit".into(),
            ObjType::Tunnel => "tunnel".into(),
            ObjType::CtTimeout => "ct timeout".into(),
            ObjType::Secmark => "secmark".into(),
            ObjType::CtExpect => "ct expectation".into(),
            ObjType::Synproxy => "synproxy".into(),
            ObjType::Unknown(n) => format!("object-type-{n}"),
        }
    }
}

attr_struct! {
    /// Attributes of a stateful object, in the kernel's dump order. `data`
    /// is the type-specific nest, kept byte-exact; see [`crate::object::obj`]
    /// helpers for typed views.
    pub struct ObjectAttrs {
        /// `NFTA_OBJ_TABLE`
        1 => table: String,
        /// `NFTA_OBJ_NAME`
        2 => name: String,
        /// `NFTA_OBJ_TYPE`
        3 => obj_type: ObjType,
        /// `NFTA_OBJ_HANDLE`
        6 => handle: u64,
        /// `NFTA_OBJ_USE` (read-only)
        5 => use_count: u32,
        /// `NFTA_OBJ_DATA`
        4 => data: Bytes,
        /// `NFTA_OBJ_USERDATA`
        8 => userdata: Bytes,
    }
}

impl_kind!(ObjectAttrs, NEWOBJ, GETOBJ, DELOBJ);

/// A stateful object with its family.
pub type Object = Obj<ObjectAttrs>;

impl Object {
    /// The object name.
    pub fn name(&self) -> &str {
        self.attrs.name.as_deref().unwrap_or("")
    }
    /// The table name.
    pub fn table(&self) -> &str {
        self.attrs.table.as_deref().unwrap_or("")
    }
}
