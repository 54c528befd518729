//! Attribute payloads that are lists: device names, concatenation field
//! lengths, a single embedded expression.

use crate::expr::{Expr, NFTA_LIST_ELEM};
use crate::nla::{AttrIter, Attribute, Writer};
use bytes::Bytes;

/// A list of `NFTA_DEVICE_NAME` strings (chain/flowtable devices).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DeviceList(pub Vec<String>);

impl Attribute for DeviceList {
    fn decode(p: &Bytes) -> Option<Self> {
        let mut it = AttrIter::new(p.clone());
        let mut v = Vec::new();
        for a in it.by_ref() {
            if a.ty != 1 {
                return None;
            }
            v.push(String::decode(&a.payload)?);
        }
        (!it.malformed()).then_some(DeviceList(v))
    }
    fn encode(&self, w: &mut Writer) {
        for d in &self.0 {
            w.put(1, d);
        }
    }
}

/// `NFTA_SET_DESC_CONCAT`: field lengths of a concatenated key.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ConcatDesc(pub Vec<u32>);

impl Attribute for ConcatDesc {
    fn decode(p: &Bytes) -> Option<Self> {
        let mut it = AttrIter::new(p.clone());
        let mut v = Vec::new();
        for a in it.by_ref() {
            if a.ty != NFTA_LIST_ELEM {
                return None;
            }
            let inner: Vec<_> = AttrIter::new(a.payload.clone()).collect();
            if inner.len() != 1 || inner[0].ty != 1 {
                return None;
            }
            let want = 8usize;
            if a.payload.len() != want {
                return None;
            }
            v.push(u32::decode(&inner[0].payload)?);
        }
        (!it.malformed()).then_some(ConcatDesc(v))
    }
    fn encode(&self, w: &mut Writer) {
        for len in &self.0 {
            let n = w.begin(NFTA_LIST_ELEM);
            w.put(1, len);
            w.end(n);
        }
    }
}

/// A single expression stored directly in an attribute (`NFTA_SET_EXPR`,
/// `NFTA_SET_ELEM_EXPR`): the payload is the expression's NAME/DATA.
#[derive(Clone, Debug, PartialEq)]
pub struct ExprAttr(pub Box<Expr>);

impl Attribute for ExprAttr {
    fn decode(p: &Bytes) -> Option<Self> {
        Self::decode_in(p, p)
    }
    fn decode_in(parent: &Bytes, p: &[u8]) -> Option<Self> {
        let e = Expr::parse_elem_in(NFTA_LIST_ELEM, parent, p);
        Some(ExprAttr(Box::new(e)))
    }
    fn encode(&self, w: &mut Writer) {
        let mut tmp = Writer::new();
        self.0.write_elem(&mut tmp);
        let len = (u16::from_ne_bytes([tmp.buf[0], tmp.buf[1]]) as usize).min(tmp.buf.len());
        w.buf.extend_from_slice(&tmp.buf[4..len]);
    }
}
