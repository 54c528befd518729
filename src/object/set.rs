//! Sets and maps (`NFTA_SET_*`).

use super::lists::{ConcatDesc, ExprAttr};
use super::{impl_kind, Obj};
use crate::attr_struct;
use crate::expr::ExprList;
use bytes::Bytes;

attr_struct! {
    /// `NFTA_SET_DESC_*`.
    pub struct SetDesc {
        /// `NFTA_SET_DESC_SIZE`
        1 => size: u32,
        /// `NFTA_SET_DESC_CONCAT`
        2 => concat: ConcatDesc,
    }
}

attr_struct! {
    /// Attributes of a set, in the kernel's dump order.
    pub struct SetAttrs {
        /// `NFTA_SET_TABLE`
        1 => table: String,
        /// `NFTA_SET_NAME`
        2 => name: String,
        /// `NFTA_SET_HANDLE`
        16 => handle: u64,
        /// `NFTA_SET_FLAGS` (anonymous 1, constant 2, interval 4, map 8, timeout 0x10, eval 0x20, object 0x40, concat 0x80, expr 0x100)
        3 => flags: u32,
        /// `NFTA_SET_KEY_TYPE` (nft datatype id, or concatenation)
        4 => key_type: u32,
        /// `NFTA_SET_KEY_LEN`
        5 => key_len: u32,
        /// `NFTA_SET_DATA_TYPE`
        6 => data_type: u32,
        /// `NFTA_SET_DATA_LEN`
        7 => data_len: u32,
        /// `NFTA_SET_OBJ_TYPE`
        15 => obj_type: u32,
        /// `NFTA_SET_TIMEOUT` (ms)
        11 => timeout: u64,
        /// `NFTA_SET_GC_INTERVAL` (ms)
        12 => gc_interval: u32,
        /// `NFTA_SET_POLICY`
        8 => policy: u32,
        /// `NFTA_SET_USERDATA`
        13 => userdata: Bytes,
        /// `NFTA_SET_DESC`
        9 => desc: SetDesc,
        /// `NFTA_SET_EXPR`
        17 => expr: ExprAttr,
        /// `NFTA_SET_EXPRESSIONS`
        18 => exprs: ExprList,
        /// `NFTA_SET_TYPE` (backend name; read-only)
        19 => backend: String,
        /// `NFTA_SET_COUNT` (element count; read-only)
        20 => count: u32,
        /// `NFTA_SET_ID` (transaction-local id)
        10 => id: u32,
    }
}

impl_kind!(SetAttrs, NEWSET, GETSET, DELSET);

/// A set with its family.
pub type Set = Obj<SetAttrs>;

/// Set flag: anonymous.
pub const SET_ANONYMOUS: u32 = 0x1;
/// Set flag: constant.
pub const SET_CONSTANT: u32 = 0x2;
/// Set flag: interval.
pub const SET_INTERVAL: u32 = 0x4;
/// Set flag: map.
pub const SET_MAP: u32 = 0x8;
/// Set flag: timeout.
pub const SET_TIMEOUT: u32 = 0x10;
/// Set flag: evaluation (dynamic).
pub const SET_EVAL: u32 = 0x20;
/// Set flag: object map.
pub const SET_OBJECT: u32 = 0x40;
/// Set flag: concatenation.
pub const SET_CONCAT: u32 = 0x80;

impl Set {
    /// The set name.
    pub fn name(&self) -> &str {
        self.attrs.name.as_deref().unwrap_or("")
    }
    /// The table name.
    pub fn table(&self) -> &str {
        self.attrs.table.as_deref().unwrap_or("")
    }
    /// True for anonymous sets (bound to a rule).
    pub fn is_anonymous(&self) -> bool {
        self.attrs.flags.unwrap_or(0) & SET_ANONYMOUS != 0
    }
}
