//! Bounded randomized decoding test (no kernel needed): about 200,000
//! inputs from a fixed seed, made of
//! * hand-built encodings of every kernel expression and object kind
//!   (`fuzz/src/lib.rs`, shared with the cargo-fuzz targets),
//! * those mutated (bit flips, length fields, flags, duplicated, swapped,
//!   dropped and spliced attributes, odd padding, at any nesting depth),
//! * random well-framed attribute trees and random bytes.
//!
//! Each input is decoded as every object kind, as nested attribute types,
//! as an `ExprList` and with `Expr::parse_elem`; nothing may panic, and
//! whatever decodes must re-encode byte for byte.
//!
//! `NFTWIRE_FUZZ_SEED` and `NFTWIRE_FUZZ_ITERS` override the seed and the
//! number of inputs.

#[path = "../fuzz/src/lib.rs"]
mod oracle;

use nftwire::expr::Expr;
use oracle::{all_seeds, check_all, check_all_opts, expr_seeds, mutate, Rng};

fn env_u64(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// A random well-framed attribute tree: random types and flags, payloads
/// of the sizes typed fields use, or nested streams.
fn random_tree(rng: &mut Rng, depth: usize, out: &mut nftwire::nla::Writer) {
    for _ in 0..rng.below(6) {
        let ty = rng.below(21) as u16;
        if depth < 3 && rng.one_in(3) {
            let n = out.begin(ty | 0x8000);
            random_tree(rng, depth + 1, out);
            out.end(n);
        } else {
            let len = [0, 1, 2, 3, 4, 5, 8, 12, 16][rng.below(9)];
            let mut p: Vec<u8> = (0..len).map(|_| rng.next() as u8).collect();
            if rng.one_in(3) && !p.is_empty() {
                // A plausible string.
                for c in p.iter_mut() {
                    *c = b'a' + (*c % 26);
                }
                *p.last_mut().unwrap() = 0;
            }
            out.put_raw(ty | if rng.one_in(8) { 0x4000 } else { 0 }, &p);
        }
    }
}

#[test]
fn seeds_decode_typed_and_roundtrip() {
    // The unmutated seeds are what the kernel sends: every known
    // expression name must decode typed, unknown ones raw, and all of them
    // re-encode exactly.
    let ex = expr_seeds();
    let odd_from = ex.len() - oracle::ODD_EXPR_SEEDS;
    for (i, e) in ex.into_iter().enumerate() {
        let x = Expr::parse_elem(1, bytes::Bytes::from(e));
        if i < odd_from {
            assert!(!x.is_raw(), "seed {i} ({}) decoded raw: {x:?}", x.name());
        } else {
            assert!(x.is_raw(), "odd seed {i} decoded typed: {x:?}");
        }
    }
    let mut decoded = 0;
    for s in all_seeds() {
        match check_all(&s) {
            Ok(a) => decoded += a.decoded,
            Err(m) => panic!("seed: {m}"),
        }
    }
    assert!(decoded > 100, "seeds hardly decode ({decoded})");
    // Every kind name the kernel has is covered by a seed.
    let seeded: std::collections::HashSet<String> = expr_seeds()
        .into_iter()
        .map(|e| Expr::parse_elem(1, e.into()).name())
        .collect();
    for k in Expr::KNOWN {
        assert!(seeded.contains(*k), "no seed for expression {k}");
    }
}

/// The NLA flag bits of the element body's top-level attributes (NAME and
/// DATA) set to random ones.
fn random_top_flags(rng: &mut Rng, body: &mut [u8]) {
    let mut at = 0;
    while at + 4 <= body.len() {
        let len = u16::from_ne_bytes([body[at], body[at + 1]]) as usize;
        if len < 4 || at + len > body.len() {
            return;
        }
        let ty = u16::from_ne_bytes([body[at + 2], body[at + 3]]) & 0x3fff;
        let ty = ty | ((rng.below(4) as u16) << 14);
        body[at + 2..at + 4].copy_from_slice(&ty.to_ne_bytes());
        at += (len + 3) & !3;
    }
}

/// The element body with its first attribute (NAME) one byte shorter: the
/// name without its NUL, as rustables writes it.
fn strip_name_nul(body: &[u8]) -> Vec<u8> {
    let mut w = nftwire::nla::Writer::new();
    for (i, (ty, p)) in nftwire::nla::SliceIter::new(body).enumerate() {
        let p = if i == 0 { &p[..p.len() - 1] } else { p };
        w.put_raw(ty, p);
    }
    w.buf
}

#[test]
fn flagged_seeds_decode_typed_and_roundtrip() {
    // Userspace requests (libmnl, rustables) set NLA_F_NESTED on every
    // nest: the expression element (0x8001), NFTA_EXPR_DATA and the nests
    // inside it; rustables also leaves out the name's NUL. Every known
    // expression must still decode typed, with any flags on its element,
    // NAME and DATA, and re-encode exactly.
    let plain = expr_seeds();
    let flagged = oracle::userspace_style(expr_seeds);
    let odd_from = plain.len() - oracle::ODD_EXPR_SEEDS;
    let mut rng = Rng(0x666c_6167_7321);
    for (i, (p, u)) in plain.iter().zip(&flagged).enumerate().take(odd_from) {
        let kernel = Expr::parse_elem(1, bytes::Bytes::from(p.clone()));
        for round in 0..32 {
            // Round 0: as rustables sends it; then random flags.
            let (ty, body) = if round == 0 {
                (0x8001, u.clone())
            } else {
                let ty = 1 | ((rng.below(4) as u16) << 14);
                let mut b = if rng.one_in(2) { u.clone() } else { p.clone() };
                if rng.one_in(2) {
                    b = strip_name_nul(&b);
                }
                random_top_flags(&mut rng, &mut b);
                (ty, b)
            };
            let x = Expr::parse_elem(ty, bytes::Bytes::from(body.clone()));
            assert!(
                !x.is_raw(),
                "seed {i} ({}) with type {ty:#x} decoded raw: {x:?}",
                kernel.name()
            );
            assert_eq!(x.name(), kernel.name());
            assert_eq!(x.to_string(), kernel.to_string(), "seed {i}");
            let mut acc = oracle::Accepted::default();
            if let Err(m) = oracle::check_elem(ty, &bytes::Bytes::from(body), &mut acc) {
                panic!("seed {i} with type {ty:#x}: {m}");
            }
        }
    }
}

#[test]
fn randomized_decode_encode_is_lossless() {
    let seed = env_u64("NFTWIRE_FUZZ_SEED", 0x6e66_7477_6972_6521);
    let iters = env_u64("NFTWIRE_FUZZ_ITERS", 200_000) as usize;
    let seeds = all_seeds();
    let mut rng = Rng(seed);
    let mut failures: Vec<String> = Vec::new();
    let (mut decoded, mut typed) = (0usize, 0usize);
    let start = std::time::Instant::now();
    let mut done = 0usize;
    for i in 0..iters {
        done += 1;
        let input: Vec<u8> = match rng.below(10) {
            0 => {
                let n = rng.below(64);
                (0..n).map(|_| rng.next() as u8).collect()
            }
            1 => {
                let mut w = nftwire::nla::Writer::new();
                random_tree(&mut rng, 0, &mut w);
                w.buf
            }
            _ => {
                let mut b = seeds[rng.below(seeds.len())].clone();
                let donor = &seeds[rng.below(seeds.len())];
                for _ in 0..1 + rng.below(4) {
                    mutate(&mut rng, &mut b, donor);
                }
                b
            }
        };
        // Rendering (Display) is checked on every 4th input: it costs as
        // much as all the decoding in a debug build.
        let r = std::panic::catch_unwind(|| check_all_opts(&input, i % 4 == 0));
        match r {
            Ok(Ok(a)) => {
                decoded += a.decoded;
                typed += a.typed_exprs;
            }
            Ok(Err(m)) => failures.push(format!("input #{i}: {m}")),
            Err(_) => failures.push(format!(
                "input #{i}: PANIC on {}",
                input.iter().map(|x| format!("{x:02x}")).collect::<String>()
            )),
        }
        if failures.len() >= 10 {
            break;
        }
    }
    eprintln!(
        "{done} inputs in {:.1?}: {decoded} accepted decodes, {typed} typed expressions (seed {seed:#x})",
        start.elapsed()
    );
    assert!(
        failures.is_empty(),
        "{} failing inputs (seed {seed:#x}), first ones:\n{}",
        failures.len(),
        failures.join("\n")
    );
    // The generator must actually reach the typed decoders.
    assert!(decoded > iters, "too few inputs decoded: {decoded}");
    assert!(typed > iters / 20, "too few typed expressions: {typed}");
}
