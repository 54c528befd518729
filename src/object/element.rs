//! Set elements (`NFTA_SET_ELEM_LIST_*` and `NFTA_SET_ELEM_*`).

use super::lists::ExprAttr;
use super::{impl_kind, Obj};
use crate::attr_struct;
use crate::data::Data;
use crate::expr::{ExprList, NFTA_LIST_ELEM};
use crate::nla::{AttrIter, Attribute, Writer};
use bytes::Bytes;

attr_struct! {
    /// One element, in the kernel's dump order.
    pub struct SetElem {
        /// `NFTA_SET_ELEM_KEY`
        1 => key: Data,
        /// `NFTA_SET_ELEM_KEY_END`
        10 => key_end: Data,
        /// `NFTA_SET_ELEM_DATA`
        2 => data: Data,
        /// `NFTA_SET_ELEM_EXPR`
        7 => expr: ExprAttr,
        /// `NFTA_SET_ELEM_EXPRESSIONS`
        11 => exprs: ExprList,
        /// `NFTA_SET_ELEM_OBJREF`
        9 => objref: String,
        /// `NFTA_SET_ELEM_FLAGS` (interval end 1, catch-all 2)
        3 => flags: u32,
        /// `NFTA_SET_ELEM_TIMEOUT` (ms)
        4 => timeout: u64,
        /// `NFTA_SET_ELEM_EXPIRATION` (ms; read-only)
        5 => expiration: u64,
        /// `NFTA_SET_ELEM_USERDATA`
        6 => userdata: Bytes,
    }
}

/// A list of elements; each item keeps the full type of its list attribute.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SetElemList(pub Vec<SetElem>);

impl Attribute for SetElemList {
    fn decode(p: &Bytes) -> Option<Self> {
        let mut it = AttrIter::new(p.clone());
        let mut v = Vec::new();
        for a in it.by_ref() {
            if a.ty != NFTA_LIST_ELEM {
                return None;
            }
            v.push(SetElem::parse(&a.payload)?);
        }
        (!it.malformed()).then_some(SetElemList(v))
    }
    fn encode(&self, w: &mut Writer) {
        for e in &self.0 {
            w.put(NFTA_LIST_ELEM, e);
        }
    }
}

attr_struct! {
    /// A `NEWSETELEM`/`GETSETELEM` message body.
    pub struct SetElemsAttrs {
        /// `NFTA_SET_ELEM_LIST_TABLE`
        1 => table: String,
        /// `NFTA_SET_ELEM_LIST_SET`
        2 => set: String,
        /// `NFTA_SET_ELEM_LIST_ELEMENTS`
        3 => elems: SetElemList,
        /// `NFTA_SET_ELEM_LIST_SET_ID`
        4 => set_id: u32,
    }
}

impl_kind!(SetElemsAttrs, NEWSETELEM, GETSETELEM, DELSETELEM);

/// A batch of elements of one set, with the family.
pub type SetElems = Obj<SetElemsAttrs>;
