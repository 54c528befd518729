//! One expression as libnftnl presents it to iptables-nft: a name and its
//! attributes by number, read with libnftnl's getter rules.
//!
//! iptables never sees nftwire's typed structures; it sees what libnftnl
//! made of the kernel's attributes. This view is built from the
//! expression's exact wire form ([`Expr::write_elem`], lossless by
//! construction), so typed, partially typed and [`Expr::Raw`] expressions
//! are all read alike, and the model does not depend on how far the typed
//! decoders have got. The getters reproduce libnftnl's behaviour where it
//! matters to iptables: an absent attribute reads as 0, and an integer getter
//! whose stored length differs from the integer's size also returns 0 (so a
//! 1-byte cmp constant read as `u32` is 0). When an attribute repeats, the
//! last one wins, as with `mnl_attr_parse_nested`.

use crate::expr::{Expr, NFTA_EXPR_DATA, NFTA_EXPR_NAME};
use crate::nla::{AttrIter, Writer};
use bytes::Bytes;

/// `NFTA_DATA_VALUE`.
const NFTA_DATA_VALUE: u16 = 1;
/// `NFTA_DATA_VERDICT`.
const NFTA_DATA_VERDICT: u16 = 2;
/// `NFTA_VERDICT_CODE`.
const NFTA_VERDICT_CODE: u16 = 1;
/// `NFTA_VERDICT_CHAIN`.
const NFTA_VERDICT_CHAIN: u16 = 2;

/// The contents of a nested `NFTA_DATA_*` attribute as libnftnl keeps it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DataReg {
    /// `NFTA_DATA_VALUE`: constant bytes.
    Value(Bytes),
    /// `NFTA_DATA_VERDICT`: a verdict code and, for jump/goto, a chain.
    Verdict {
        /// The verdict code (`NF_ACCEPT`, `NFT_JUMP`, ...).
        code: i32,
        /// Target chain of jump/goto.
        chain: Option<String>,
    },
}

/// An expression's name and data attributes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NlExpr {
    /// `NFTA_EXPR_NAME` ("" when the element has none).
    pub name: String,
    /// `(attribute number, payload)` of `NFTA_EXPR_DATA`, in wire order.
    attrs: Vec<(u16, Bytes)>,
}

impl NlExpr {
    /// The libnftnl view of `e`.
    pub fn of(e: &Expr) -> NlExpr {
        let mut w = Writer::new();
        e.write_elem(&mut w);
        let buf = Bytes::from(w.buf);
        let elem = AttrIter::new(buf).next();
        let mut name = String::new();
        let mut attrs = Vec::new();
        if let Some(elem) = elem {
            for a in AttrIter::new(elem.payload) {
                match a.kind() {
                    NFTA_EXPR_NAME => {
                        let p = a.payload.as_ref();
                        let end = p.iter().position(|&b| b == 0).unwrap_or(p.len());
                        name = String::from_utf8_lossy(&p[..end]).into_owned();
                    }
                    NFTA_EXPR_DATA => {
                        attrs = AttrIter::new(a.payload)
                            .map(|x| (x.kind(), x.payload))
                            .collect();
                    }
                    _ => {}
                }
            }
        }
        NlExpr { name, attrs }
    }

    /// The payload of attribute `n` (the last occurrence), if present.
    pub fn raw(&self, n: u16) -> Option<&Bytes> {
        self.attrs
            .iter()
            .rev()
            .find(|(k, _)| *k == n)
            .map(|(_, p)| p)
    }

    /// Whether attribute `n` is present (`nftnl_expr_is_set`).
    pub fn is_set(&self, n: u16) -> bool {
        self.raw(n).is_some()
    }

    /// A big-endian 32-bit attribute; 0 when absent or not 4 bytes long.
    pub fn u32(&self, n: u16) -> u32 {
        match self.raw(n) {
            Some(p) if p.len() == 4 => u32::from_be_bytes([p[0], p[1], p[2], p[3]]),
            _ => 0,
        }
    }

    /// A big-endian 16-bit attribute; 0 when absent or not 2 bytes long.
    pub fn u16(&self, n: u16) -> u16 {
        match self.raw(n) {
            Some(p) if p.len() == 2 => u16::from_be_bytes([p[0], p[1]]),
            _ => 0,
        }
    }

    /// A big-endian 64-bit attribute; 0 when absent or not 8 bytes long.
    pub fn u64(&self, n: u16) -> u64 {
        match self.raw(n) {
            Some(p) if p.len() == 8 => {
                let mut a = [0u8; 8];
                a.copy_from_slice(p);
                u64::from_be_bytes(a)
            }
            _ => 0,
        }
    }

    /// A string attribute (up to its first NUL).
    pub fn str(&self, n: u16) -> Option<String> {
        self.raw(n).map(|p| {
            let end = p.iter().position(|&b| b == 0).unwrap_or(p.len());
            String::from_utf8_lossy(&p[..end]).into_owned()
        })
    }

    /// A nested `NFTA_DATA_*` attribute.
    pub fn data(&self, n: u16) -> Option<DataReg> {
        let p = self.raw(n)?;
        let mut value = None;
        let mut verdict = None;
        for a in AttrIter::new(p.clone()) {
            match a.kind() {
                NFTA_DATA_VALUE => value = Some(a.payload),
                NFTA_DATA_VERDICT => verdict = Some(a.payload),
                _ => {}
            }
        }
        if let Some(v) = verdict {
            let mut code = None;
            let mut chain = None;
            for a in AttrIter::new(v) {
                match a.kind() {
                    NFTA_VERDICT_CODE if a.payload.len() == 4 => {
                        let b = &a.payload;
                        code = Some(i32::from_be_bytes([b[0], b[1], b[2], b[3]]));
                    }
                    NFTA_VERDICT_CHAIN => {
                        let b = a.payload.as_ref();
                        let end = b.iter().position(|&c| c == 0).unwrap_or(b.len());
                        chain = Some(String::from_utf8_lossy(&b[..end]).into_owned());
                    }
                    _ => {}
                }
            }
            return code.map(|code| DataReg::Verdict { code, chain });
        }
        value.map(DataReg::Value)
    }

    /// The constant bytes of a nested data attribute (empty if it is a
    /// verdict or absent).
    pub fn value(&self, n: u16) -> Bytes {
        match self.data(n) {
            Some(DataReg::Value(b)) => b,
            _ => Bytes::new(),
        }
    }

    /// Whether a nested data attribute holds a constant value (libnftnl's
    /// `DATA_VALUE` case).
    pub fn has_value(&self, n: u16) -> bool {
        matches!(self.data(n), Some(DataReg::Value(_)))
    }
}

/// libnftnl's `nftnl_expr_get_u32` on a data register: the first four bytes
/// in host byte order, or 0 unless the value is exactly 4 bytes.
pub fn value_u32_host(b: &[u8]) -> u32 {
    match b {
        [a, b2, c, d] => u32::from_ne_bytes([*a, *b2, *c, *d]),
        _ => 0,
    }
}

/// `nftnl_expr_get_u16` on a data register, as the raw (network order)
/// value iptables then passes to `ntohs`; 0 unless exactly 2 bytes.
pub fn value_u16_be(b: &[u8]) -> u16 {
    match b {
        [a, b2] => u16::from_be_bytes([*a, *b2]),
        _ => 0,
    }
}

/// `nftnl_expr_get_u8` on a data register; 0 unless exactly 1 byte.
pub fn value_u8(b: &[u8]) -> u8 {
    match b {
        [a] => *a,
        _ => 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::expr::{Cmp, CmpOp, Meta, MetaKey};

    #[test]
    fn reads_typed_expressions_by_attribute_number() {
        let e = Expr::Cmp(Cmp::new(1, CmpOp::Neq, vec![6u8]));
        let n = NlExpr::of(&e);
        assert_eq!(n.name, "cmp");
        assert_eq!(n.u32(1), 1);
        assert_eq!(n.u32(2), 1);
        assert_eq!(n.value(3).as_ref(), &[6u8]);
        assert_eq!(
            value_u32_host(&n.value(3)),
            0,
            "libnftnl: wrong length reads 0"
        );
        assert_eq!(value_u8(&n.value(3)), 6);
        let m = NlExpr::of(&Expr::Meta(Meta::load(MetaKey::Mark, 1)));
        assert_eq!(m.u32(2), 3);
        assert!(!m.is_set(3));
    }
}
