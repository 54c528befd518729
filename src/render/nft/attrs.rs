//! A uniform view of an expression's `NFTA_<EXPR>_*` attributes, obtained
//! from its lossless encoding, so the renderer reads every expression the
//! same way whether its struct is fully typed, partly typed or raw.

use crate::expr::{Expr as KExpr, NFTA_EXPR_DATA, NFTA_EXPR_NAME};
use crate::nla::{AttrIter, Attribute, Writer};
use bytes::Bytes;

/// Name and top-level data attributes of one expression.
#[derive(Clone, Debug, Default)]
pub struct Attrs {
    /// Expression name.
    pub name: String,
    /// `(attribute number without flags, payload)` in wire order.
    pub a: Vec<(u16, Bytes)>,
}

/// `NFTA_DATA_*`: a value or a verdict.
#[derive(Clone, Debug, PartialEq)]
pub enum Data {
    /// Value bytes.
    Value(Bytes),
    /// Verdict code and chain.
    Verdict(i32, Option<String>),
}

/// Decode an `NFTA_DATA_*` nest.
pub fn parse_data(b: &Bytes) -> Option<Data> {
    for a in AttrIter::new(b.clone()) {
        match a.kind() {
            1 => return Some(Data::Value(a.payload)),
            2 => {
                let mut code = None;
                let mut chain = None;
                for v in AttrIter::new(a.payload.clone()) {
                    match v.kind() {
                        1 => code = i32::decode(&v.payload),
                        2 => chain = String::decode(&v.payload).or_else(|| {
                            let p = v.payload.as_ref();
                            let end = p.iter().position(|&c| c == 0).unwrap_or(p.len());
                            Some(String::from_utf8_lossy(&p[..end]).into_owned())
                        }),
                        _ => {}
                    }
                }
                return Some(Data::Verdict(code?, chain));
            }
            _ => {}
        }
    }
    None
}

impl Attrs {
    /// The attributes of an expression.
    pub fn of(e: &KExpr) -> Attrs {
        let mut w = Writer::with_capacity(64);
        e.write_elem(&mut w);
        let buf = Bytes::from(w.buf);
        let mut out = Attrs::default();
        let Some(elem) = AttrIter::new(buf).next() else {
            return out;
        };
        for a in AttrIter::new(elem.payload) {
            match a.kind() {
                NFTA_EXPR_NAME => {
                    out.name = String::decode(&a.payload).unwrap_or_default();
                }
                NFTA_EXPR_DATA => {
                    out.a = AttrIter::new(a.payload).map(|x| (x.kind(), x.payload)).collect();
                }
                _ => {}
            }
        }
        out
    }

    /// Payload of attribute `k`.
    pub fn get(&self, k: u16) -> Option<&Bytes> {
        self.a.iter().find(|(n, _)| *n == k).map(|(_, p)| p)
    }
    /// True when attribute `k` is present.
    pub fn has(&self, k: u16) -> bool {
        self.get(k).is_some()
    }
    /// Big-endian u32.
    pub fn u32(&self, k: u16) -> Option<u32> {
        self.get(k).and_then(u32::decode)
    }
    /// u32 or 0 (libnftnl returns 0 for unset attributes).
    pub fn u32z(&self, k: u16) -> u32 {
        self.u32(k).unwrap_or(0)
    }
    /// Big-endian u64 or 0.
    pub fn u64z(&self, k: u16) -> u64 {
        self.get(k).and_then(u64::decode).unwrap_or(0)
    }
    /// Big-endian u16 or 0.
    pub fn u16z(&self, k: u16) -> u16 {
        self.get(k).and_then(u16::decode).unwrap_or(0)
    }
    /// u8 or 0.
    pub fn u8z(&self, k: u16) -> u8 {
        self.get(k).and_then(u8::decode).unwrap_or(0)
    }
    /// NUL-terminated string (lossy).
    pub fn str(&self, k: u16) -> Option<String> {
        let p = self.get(k)?;
        let end = p.iter().position(|&c| c == 0).unwrap_or(p.len());
        Some(String::from_utf8_lossy(&p[..end]).into_owned())
    }
    /// An `NFTA_DATA_*` nest.
    pub fn data(&self, k: u16) -> Option<Data> {
        self.get(k).and_then(parse_data)
    }
    /// A nested single expression (`NFTA_*_EXPR`).
    pub fn expr(&self, k: u16) -> Option<KExpr> {
        let p = self.get(k)?;
        Some(KExpr::parse_elem(crate::expr::NFTA_LIST_ELEM, p.clone()))
    }
    /// A nested expression list (`NFTA_*_EXPRESSIONS`).
    pub fn exprs(&self, k: u16) -> Vec<KExpr> {
        match self.get(k) {
            Some(p) => AttrIter::new(p.clone())
                .map(|a| KExpr::parse_elem(a.ty, a.payload))
                .collect(),
            None => Vec::new(),
        }
    }
}
