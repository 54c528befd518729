//! The bytes two rules are compared by in an incremental restore: a rule
//! message's expressions (and userdata) as encoded, with `NLA_F_NESTED`
//! cleared at every level (the kernel sets it on the nests it dumps;
//! requests built here do not) and each counter's values left out (a kept
//! rule keeps its counters). A rule dumped by the kernel and the request
//! that would add the same rule have equal keys; no typed tree is built.

use nftwire::nla::{SliceIter, NLA_F_NESTED};

/// `NFTA_RULE_EXPRESSIONS`.
const RULE_EXPRESSIONS: u16 = 4;
/// `NFTA_RULE_USERDATA`.
const RULE_USERDATA: u16 = 7;
/// `NFTA_EXPR_NAME`.
const EXPR_NAME: u16 = 1;
/// `NFTA_EXPR_DATA`.
const EXPR_DATA: u16 = 2;
/// The bits of an attribute type that are not flags.
const TYPE_MASK: u16 = 0x3fff;
/// Stands for a counter expression (an attribute header of length 0,
/// which no encoded expression holds).
const COUNTER: [u8; 4] = [0; 4];
/// Introduces the userdata.
const USERDATA: [u8; 4] = [0xff; 4];

/// Write the key of the rule message body `body` (its attribute stream)
/// into `out`, which is cleared first.
pub fn rule_key(body: &[u8], out: &mut Vec<u8>) {
    out.clear();
    out.reserve(body.len());
    for (ty, payload) in SliceIter::new(body) {
        match ty & TYPE_MASK {
            RULE_EXPRESSIONS => {
                for (_, elem) in SliceIter::new(payload) {
                    push_expr(elem, out);
                }
            }
            RULE_USERDATA => {
                out.extend_from_slice(&USERDATA);
                out.extend_from_slice(&(payload.len() as u32).to_ne_bytes());
                out.extend_from_slice(payload);
            }
            _ => {}
        }
    }
}

/// Write into `out` the key of a rule without userdata whose expressions
/// are the encoded list elements `elems` (what [`rule_key`] gives for the
/// message that carries them), without building the message.
pub fn elems_key(elems: &[u8], out: &mut Vec<u8>) {
    out.clear();
    out.reserve(elems.len());
    for (_, elem) in SliceIter::new(elems) {
        push_expr(elem, out);
    }
}

/// The key of one expression (the payload of an `NFTA_LIST_ELEM`).
fn push_expr(elem: &[u8], out: &mut Vec<u8>) {
    let is_counter = SliceIter::new(elem)
        .any(|(ty, p)| ty & TYPE_MASK == EXPR_NAME && p.strip_suffix(b"\0") == Some(b"counter"));
    if is_counter {
        out.extend_from_slice(&COUNTER);
        return;
    }
    out.extend_from_slice(&(elem.len() as u32).to_ne_bytes());
    let start = out.len();
    out.extend_from_slice(elem);
    clear_nested(&mut out[start..], true);
}

/// Clear `NLA_F_NESTED` in the attribute headers of `b` and, recursively,
/// of the nests in it (those flagged, and an expression's data, which is
/// always one). Lengths never change, so this works in place; malformed
/// bytes are left as they are.
fn clear_nested(b: &mut [u8], expr_level: bool) {
    let mut off = 0usize;
    while off + 4 <= b.len() {
        let len = u16::from_ne_bytes([b[off], b[off + 1]]) as usize;
        if len < 4 || off + len > b.len() {
            return;
        }
        let ty = u16::from_ne_bytes([b[off + 2], b[off + 3]]);
        let nest = ty & NLA_F_NESTED != 0 || (expr_level && ty & TYPE_MASK == EXPR_DATA);
        b[off + 2..off + 4].copy_from_slice(&(ty & !NLA_F_NESTED).to_ne_bytes());
        if nest {
            clear_nested(&mut b[off + 4..off + len], false);
        }
        off += (len + 3) & !3;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use nftwire::nla::Writer;

    fn attr(ty: u16, payload: &[u8]) -> Vec<u8> {
        let mut w = Writer::new();
        w.put_raw(ty, payload);
        w.buf
    }

    fn expr(name: &str, data: &[u8], nested: u16) -> Vec<u8> {
        let mut n = name.as_bytes().to_vec();
        n.push(0);
        let mut e = attr(EXPR_NAME, &n);
        e.extend(attr(EXPR_DATA | nested, data));
        attr(1 | nested, &e)
    }

    fn rule(exprs: &[Vec<u8>], extra: &[u8], nested: u16) -> Vec<u8> {
        let mut b = attr(1, b"nat\0");
        b.extend(attr(2, b"KUBE-SERVICES\0"));
        b.extend_from_slice(extra);
        b.extend(attr(RULE_EXPRESSIONS | nested, &exprs.concat()));
        b
    }

    fn key(b: &[u8]) -> Vec<u8> {
        let mut k = Vec::new();
        rule_key(b, &mut k);
        k
    }

    #[test]
    fn dumped_and_requested_forms_compare_equal() {
        // the kernel's dump: nests flagged, a handle, counter values
        let inner = attr(1 | NLA_F_NESTED, &attr(2, &[0, 0, 0, 1]));
        let dumped = rule(
            &[
                expr("immediate", &inner, NLA_F_NESTED),
                expr("counter", &attr(1, &[0, 0, 0, 0, 0, 0, 0, 9]), NLA_F_NESTED),
            ],
            &attr(3, &[0, 0, 0, 0, 0, 0, 0, 42]),
            NLA_F_NESTED,
        );
        // the request: no flags, no handle, counter values zero
        let inner = attr(1, &attr(2, &[0, 0, 0, 1]));
        let request = rule(
            &[
                expr("immediate", &inner, 0),
                expr("counter", &attr(2, &[0; 8]), 0),
            ],
            &[],
            0,
        );
        assert_eq!(key(&dumped), key(&request));
        assert!(!key(&dumped).is_empty());
    }

    #[test]
    fn different_expressions_or_userdata_differ() {
        let a = rule(&[expr("immediate", &attr(2, &[0, 0, 0, 1]), 0)], &[], 0);
        let b = rule(&[expr("immediate", &attr(2, &[0, 0, 0, 2]), 0)], &[], 0);
        assert_ne!(key(&a), key(&b));
        let c = rule(
            &[expr("immediate", &attr(2, &[0, 0, 0, 1]), 0)],
            &attr(RULE_USERDATA, b"x"),
            0,
        );
        assert_ne!(key(&a), key(&c));
        // order matters
        let two = |x: &[u8], y: &[u8]| rule(&[expr("cmp", x, 0), expr("cmp", y, 0)], &[], 0);
        assert_ne!(
            key(&two(b"\x01\0\0\0", b"\x02\0\0\0")),
            key(&two(b"\x02\0\0\0", b"\x01\0\0\0"))
        );
    }

    #[test]
    fn malformed_input_does_not_panic() {
        for n in 0..64usize {
            let junk: Vec<u8> = (0..n).map(|i| (i * 37 + n) as u8).collect();
            key(&junk);
            key(&rule(std::slice::from_ref(&junk), &[], 0));
            key(&rule(&[attr(1, &junk)], &[], NLA_F_NESTED));
        }
    }
}
