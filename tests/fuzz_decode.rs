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
