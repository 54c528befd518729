//! Element dumps of a hash set the kernel is still resizing.
//!
//! After a big insert the kernel grows a hash set's table in the background,
//! without changing the ruleset generation. An element dump that spans
//! several messages and meets that resize repeats some elements and misses
//! as many others (the kernel resumes each message by a skip count).
//! nftwire's element dump detects the repeat and reads again.
mod common;

use std::collections::HashSet;

use nftwire::consts::msg;
use nftwire::netlink::Conn;
use nftwire::nla::Writer;
use nftwire::object::element::{dump_elements, has_repeats, SetElems, SetElemsAttrs};
use nftwire::object::parse_msgs;
use nftwire::ruleset::Ruleset;

/// Enough elements for a resize to still be running after `nft -f` returns
/// on some rounds (20,000 keys: 1 to 4 rounds in 10 on a 2-core machine).
const N: u32 = 20_000;
const ROUNDS: usize = 40;

fn keys(elems: &[SetElems]) -> Vec<Vec<u8>> {
    elems
        .iter()
        .filter_map(|m| m.attrs.elems.as_ref())
        .flat_map(|l| l.0.iter())
        .map(|e| {
            e.key
                .as_ref()
                .and_then(|k| k.value.clone())
                .unwrap_or_default()
                .to_vec()
        })
        .collect()
}

#[test]
fn element_dumps_during_a_resize_are_whole() {
    common::netns(|| {
        let expected: HashSet<Vec<u8>> = (0..N)
            .map(|i| (0x0a00_0000 | i).to_be_bytes().to_vec())
            .collect();
        let hosts: Vec<String> = (0..N)
            .map(|i| format!("10.{}.{}.{}", i >> 16, (i >> 8) & 255, i & 255))
            .collect();
        let script = format!(
            "table ip t {{\n set h {{\n type ipv4_addr\n elements = {{ {} }}\n }}\n}}\n",
            hosts.join(", ")
        );
        let mut conn = Conn::open().unwrap();
        let mut torn = 0;
        for round in 0..ROUNDS {
            common::run("nft", &["delete", "table", "ip", "t"]);
            common::nft_load(&script);
            // Half the rounds read with the checked dump first, straight
            // after the insert (it must still be whole), and half with a
            // plain dump first (when the kernel tore it, it must also have
            // missed elements).
            if round % 2 == 0 {
                checked_dump(&mut conn, round, &expected);
                torn += plain_dump(&mut conn);
            } else {
                torn += plain_dump(&mut conn);
                checked_dump(&mut conn, round, &expected);
            }
        }
        eprintln!("plain dumps torn by a resize: {torn} of {ROUNDS}");
    });
}

/// A plain element dump of `t h`: 1 if the kernel tore it, else 0.
fn plain_dump(conn: &mut Conn) -> usize {
    let mut w = Writer::new();
    w.put(1, &"t".to_string());
    w.put(2, &"h".to_string());
    let raw = conn.dump(msg::GETSETELEM, 2, w.buf).unwrap();
    if !has_repeats(&raw) {
        return 0;
    }
    let got = keys(&parse_msgs::<SetElemsAttrs>(raw, msg::NEWSETELEM).unwrap());
    let distinct: HashSet<_> = got.into_iter().collect();
    assert!(distinct.len() < N as usize, "a repeat without a miss");
    1
}

/// The checked dump (by itself, or inside a ruleset read) has every
/// element, once.
fn checked_dump(conn: &mut Conn, round: usize, expected: &HashSet<Vec<u8>>) {
    let elems = if round % 4 < 2 {
        dump_elements(conn, 2, "t", "h").unwrap()
    } else {
        let rs = Ruleset::read(conn, 2).unwrap();
        rs.sets.into_iter().next().expect("set h").elems
    };
    let got = keys(&elems);
    assert_eq!(got.len(), N as usize, "round {round}");
    assert_eq!(
        &got.into_iter().collect::<HashSet<_>>(),
        expected,
        "round {round}"
    );
}
