//! Arbitrary bytes as one expression element and as an expression list.
//! The first two bytes pick the element's attribute type (so flagged and
//! odd types are covered); `Expr::parse_elem` must keep every byte.
#![no_main]

use bytes::Bytes;
use libfuzzer_sys::fuzz_target;
use nftwire::expr::ExprList;
use nftwire::nla::{Attribute, Writer};

fuzz_target!(|data: &[u8]| {
    let (ty, body) = match data {
        [a, b, rest @ ..] => (u16::from_ne_bytes([*a, *b]), rest),
        _ => (1, data),
    };
    let mut acc = nftwire_fuzz::Accepted::default();
    if let Err(m) = nftwire_fuzz::check_elem(ty, &Bytes::copy_from_slice(body), &mut acc) {
        panic!("{m}");
    }
    if let Some(list) = ExprList::decode(&Bytes::copy_from_slice(data)) {
        for e in &list.0 {
            let _ = e.to_string();
        }
        let mut w = Writer::new();
        list.encode(&mut w);
        assert_eq!(w.buf, data, "ExprList decode->encode changed the bytes");
    }
});
