//! A uniform view of an expression's `NFTA_<EXPR>_*` attributes, read from
//! its lossless encoding (written into a reusable buffer), so the renderer
//! reads every expression the same way whether its struct is fully typed,
//! partly typed or raw.

use crate::expr::{Expr as KExpr, NFTA_EXPR_DATA, NFTA_EXPR_NAME};
use crate::nla::{align, Writer, NLA_HDRLEN, NLA_TYPE_MASK};

/// Maximum number of attributes kept per expression.
const MAX: usize = 16;

/// Name and top-level data attributes of one expression, borrowed from a
/// buffer.
#[derive(Clone, Debug)]
pub struct Attrs<'b> {
    /// Expression name.
    pub name: &'b str,
    a: [(u16, &'b [u8]); MAX],
    n: usize,
}

/// `NFTA_DATA_*`: a value or a verdict.
#[derive(Clone, Debug, PartialEq)]
pub enum Data<'b> {
    /// Value bytes.
    Value(&'b [u8]),
    /// Verdict code and chain.
    Verdict(i32, Option<String>),
}

/// Iterate over `(type without flags, payload)` of an attribute stream;
/// stops at the first malformed attribute.
pub fn iter(mut b: &[u8]) -> impl Iterator<Item = (u16, &[u8])> {
    std::iter::from_fn(move || {
        if b.len() < NLA_HDRLEN {
            return None;
        }
        let len = u16::from_ne_bytes([b[0], b[1]]) as usize;
        let ty = u16::from_ne_bytes([b[2], b[3]]) & NLA_TYPE_MASK;
        if len < NLA_HDRLEN || len > b.len() {
            return None;
        }
        let payload = &b[NLA_HDRLEN..len];
        b = &b[align(len).min(b.len())..];
        Some((ty, payload))
    })
}

fn cstr(p: &[u8]) -> String {
    let end = p.iter().position(|&c| c == 0).unwrap_or(p.len());
    String::from_utf8_lossy(&p[..end]).into_owned()
}

fn be32(p: &[u8]) -> Option<u32> {
    Some(u32::from_be_bytes(p.try_into().ok()?))
}

/// Decode an `NFTA_DATA_*` nest.
pub fn parse_data(b: &[u8]) -> Option<Data<'_>> {
    for (k, p) in iter(b) {
        match k {
            1 => return Some(Data::Value(p)),
            2 => {
                let mut code = None;
                let mut chain = None;
                for (vk, vp) in iter(p) {
                    match vk {
                        1 => code = be32(vp).map(|c| c as i32),
                        2 => chain = Some(cstr(vp)),
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

impl<'b> Attrs<'b> {
    /// The attributes of an expression, encoded into `buf`.
    pub fn of(e: &KExpr, buf: &'b mut Writer) -> Attrs<'b> {
        buf.buf.clear();
        e.write_elem(buf);
        Self::parse_elem(&buf.buf)
    }

    /// Parse an encoded `NFTA_LIST_ELEM`.
    fn parse_elem(buf: &'b [u8]) -> Attrs<'b> {
        match iter(buf).next() {
            Some((_, elem)) => Self::from_elem(elem),
            None => Self::from_elem(&[]),
        }
    }

    /// Parse the payload of an `NFTA_LIST_ELEM` (NAME and DATA).
    pub fn from_elem(elem: &'b [u8]) -> Attrs<'b> {
        let mut out = Attrs {
            name: "",
            a: [(0, &[][..]); MAX],
            n: 0,
        };
        for (k, p) in iter(elem) {
            match k {
                NFTA_EXPR_NAME => {
                    let end = p.iter().position(|&c| c == 0).unwrap_or(p.len());
                    out.name = std::str::from_utf8(&p[..end]).unwrap_or("");
                }
                NFTA_EXPR_DATA => {
                    for (dk, dp) in iter(p) {
                        if out.n < MAX {
                            out.a[out.n] = (dk, dp);
                            out.n += 1;
                        }
                    }
                }
                _ => {}
            }
        }
        out
    }

    /// Payload of attribute `k`.
    pub fn get(&self, k: u16) -> Option<&'b [u8]> {
        self.a[..self.n]
            .iter()
            .find(|(n, _)| *n == k)
            .map(|(_, p)| *p)
    }
    /// True when attribute `k` is present.
    pub fn has(&self, k: u16) -> bool {
        self.get(k).is_some()
    }
    /// Big-endian u32.
    pub fn u32(&self, k: u16) -> Option<u32> {
        self.get(k).and_then(be32)
    }
    /// u32 or 0 (libnftnl returns 0 for unset attributes).
    pub fn u32z(&self, k: u16) -> u32 {
        self.u32(k).unwrap_or(0)
    }
    /// Big-endian u64 or 0.
    pub fn u64z(&self, k: u16) -> u64 {
        self.get(k)
            .and_then(|p| p.try_into().ok())
            .map(u64::from_be_bytes)
            .unwrap_or(0)
    }
    /// Big-endian u16 or 0.
    pub fn u16z(&self, k: u16) -> u16 {
        self.get(k)
            .and_then(|p| p.try_into().ok())
            .map(u16::from_be_bytes)
            .unwrap_or(0)
    }
    /// u8 or 0.
    pub fn u8z(&self, k: u16) -> u8 {
        match self.get(k) {
            Some([b]) => *b,
            _ => 0,
        }
    }
    /// NUL-terminated string (lossy).
    pub fn str(&self, k: u16) -> Option<String> {
        self.get(k).map(cstr)
    }
    /// An `NFTA_DATA_*` nest.
    pub fn data(&self, k: u16) -> Option<Data<'b>> {
        self.get(k).and_then(parse_data)
    }
    /// A nested single expression (`NFTA_*_EXPR`).
    pub fn expr(&self, k: u16) -> Option<KExpr> {
        let p = self.get(k)?;
        Some(KExpr::parse_elem(
            crate::expr::NFTA_LIST_ELEM,
            bytes::Bytes::copy_from_slice(p),
        ))
    }
    /// A nested expression list (`NFTA_*_EXPRESSIONS`).
    pub fn exprs(&self, k: u16) -> Vec<KExpr> {
        match self.get(k) {
            Some(p) => {
                let b = bytes::Bytes::copy_from_slice(p);
                crate::nla::AttrIter::new(b)
                    .map(|a| KExpr::parse_elem(a.ty, a.payload))
                    .collect()
            }
            None => Vec::new(),
        }
    }
}
