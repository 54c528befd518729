//! The incremental `iptables-restore --noflush` planner: given the rules a
//! restore declares for one chain and the rules the kernel holds in it, the
//! fewest rule operations that turn the one into the other.
//!
//! Rules are compared by key (the shim passes each rule's encoded
//! expressions with counters cleared, see `model::rule_key`), never as
//! typed trees. Rules the kernel holds that iptables cannot express
//! ("foreign" rules) are never touched: they keep their handle and stay
//! beside the iptables rules that stay. An unchanged chain plans nothing.
//!
//! The plan is the minimal edit script (Myers' O(ND) diff of the two rule
//! lists) between the chain's iptables rules and the declared ones; within
//! each stretch between two kept rules, removed and added rules pair up as
//! replacements (one `NEWRULE` with `NLM_F_REPLACE` each), the rest are
//! deletions by handle and insertions before the next kept rule. When the
//! chain holds no foreign rule and one flush followed by appending every
//! declared rule takes fewer operations, that is planned instead.

/// One rule the kernel holds in the chain, in the chain's order.
#[derive(Clone, Copy, Debug)]
pub struct Held<'a> {
    /// Its kernel handle.
    pub handle: u64,
    /// Its comparison key (unused for foreign rules).
    pub key: &'a [u8],
    /// Whether it is a rule iptables cannot express (kept in place).
    pub foreign: bool,
}

/// One operation on the chain's rules, in batch order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    /// Delete every rule of the chain (planned only when it holds no
    /// foreign rule; the chain is then refilled with [`Op::Insert`]s
    /// without a position).
    Flush,
    /// Delete the rule with this handle.
    Delete {
        /// The kernel rule.
        handle: u64,
    },
    /// Replace the rule with this handle by declared rule `decl`.
    Replace {
        /// The kernel rule.
        handle: u64,
        /// Index into the declared rules.
        decl: usize,
    },
    /// Add declared rule `decl` just before the kept rule with handle
    /// `before`, or at the end of the chain (`None`).
    Insert {
        /// Index into the declared rules.
        decl: usize,
        /// A rule the plan keeps unchanged.
        before: Option<u64>,
    },
}

/// Above this many differences the edit script is not searched (its
/// bookkeeping grows with the square of the distance): the chain is
/// flushed and refilled, or, holding foreign rules, all its iptables rules
/// are replaced in place.
const MAX_EDITS: usize = 1024;

/// The operations that make the iptables rules of a chain holding `held`
/// equal to `declared` (in order), keeping its foreign rules.
pub fn plan(declared: &[&[u8]], held: &[Held]) -> Vec<Op> {
    let own: Vec<&Held> = held.iter().filter(|h| !h.foreign).collect();
    let any_foreign = own.len() != held.len();
    if own.is_empty() {
        return declared_appended(declared.len(), false);
    }
    let a: Vec<&[u8]> = own.iter().map(|h| h.key).collect();
    // Beyond this many edits a flush and refill is cheaper anyway (a
    // replacement stands for two edits).
    let refill_ops = 1 + declared.len();
    let limit = if any_foreign {
        MAX_EDITS
    } else {
        MAX_EDITS.min(2 * refill_ops)
    };
    let kept = match common(&a, declared, limit) {
        Some(k) => k,
        None if any_foreign => Vec::new(),
        None => return declared_appended(declared.len(), true),
    };
    let ops = edits(&own, declared.len(), &kept);
    if !any_foreign && ops.len() > refill_ops {
        return declared_appended(declared.len(), true);
    }
    ops
}

/// A flush (if asked) and every declared rule appended.
fn declared_appended(n: usize, flush: bool) -> Vec<Op> {
    let mut v = Vec::with_capacity(n + 1);
    if flush {
        v.push(Op::Flush);
    }
    v.extend((0..n).map(|decl| Op::Insert { decl, before: None }));
    v
}

/// The operations around the kept pairs `(own index, declared index)`.
fn edits(own: &[&Held], n_declared: usize, kept: &[(usize, usize)]) -> Vec<Op> {
    let mut ops = Vec::new();
    let (mut pa, mut pb) = (0usize, 0usize);
    let end = (own.len(), n_declared);
    for &(ka, kb) in kept.iter().chain(std::iter::once(&end)) {
        let before = own.get(ka).map(|h| h.handle);
        let (gone, new) = (ka - pa, kb - pb);
        let both = gone.min(new);
        for t in 0..both {
            ops.push(Op::Replace {
                handle: own[pa + t].handle,
                decl: pb + t,
            });
        }
        for h in &own[pa + both..ka] {
            ops.push(Op::Delete { handle: h.handle });
        }
        for decl in pb + both..kb {
            ops.push(Op::Insert { decl, before });
        }
        pa = ka + 1;
        pb = kb + 1;
    }
    ops
}

/// The pairs `(i, j)` with `a[i] == b[j]` of a longest common subsequence
/// found by the shortest edit script, increasing in both; `None` when more
/// than `limit` insertions and deletions are needed.
fn common(a: &[&[u8]], b: &[&[u8]], limit: usize) -> Option<Vec<(usize, usize)>> {
    let pre = a.iter().zip(b).take_while(|(x, y)| x == y).count();
    let (a2, b2) = (&a[pre..], &b[pre..]);
    let suf = a2
        .iter()
        .rev()
        .zip(b2.iter().rev())
        .take_while(|(x, y)| x == y)
        .count();
    let (am, bm) = (&a2[..a2.len() - suf], &b2[..b2.len() - suf]);
    let mut out: Vec<(usize, usize)> = (0..pre).map(|i| (i, i)).collect();
    out.extend(
        myers(am, bm, limit)?
            .into_iter()
            .map(|(i, j)| (i + pre, j + pre)),
    );
    let (sa, sb) = (pre + am.len(), pre + bm.len());
    out.extend((0..suf).map(|t| (sa + t, sb + t)));
    Some(out)
}

/// Myers' greedy shortest edit script, traced back into the matched pairs.
fn myers(a: &[&[u8]], b: &[&[u8]], limit: usize) -> Option<Vec<(usize, usize)>> {
    let (n, m) = (a.len() as i64, b.len() as i64);
    if n == 0 || m == 0 {
        return ((n + m) as usize <= limit).then(Vec::new);
    }
    let max = ((n + m) as usize).min(limit) as i64;
    let off = max + 1;
    // v[k + off]: the furthest x reached on diagonal k = x - y.
    let mut v = vec![0i64; (2 * max + 3) as usize];
    // trace[d]: v on diagonals -d..=d after step d.
    let mut trace: Vec<Vec<i64>> = Vec::new();
    let mut found = None;
    'outer: for d in 0..=max {
        for k in (-d..=d).step_by(2) {
            let down = k == -d || (k != d && v[(k - 1 + off) as usize] < v[(k + 1 + off) as usize]);
            let mut x = if down {
                v[(k + 1 + off) as usize]
            } else {
                v[(k - 1 + off) as usize] + 1
            };
            let mut y = x - k;
            while x < n && y < m && a[x as usize] == b[y as usize] {
                x += 1;
                y += 1;
            }
            v[(k + off) as usize] = x;
            if x >= n && y >= m {
                trace.push(v[(off - d) as usize..=(off + d) as usize].to_vec());
                found = Some(d);
                break 'outer;
            }
        }
        trace.push(v[(off - d) as usize..=(off + d) as usize].to_vec());
    }
    let dmax = found?;
    let mut pairs = Vec::new();
    let (mut x, mut y) = (n, m);
    for d in (1..=dmax).rev() {
        let prev = &trace[(d - 1) as usize];
        let at = |k: i64| prev[(k + d - 1) as usize];
        let k = x - y;
        let down = k == -d || (k != d && at(k - 1) < at(k + 1));
        let pk = if down { k + 1 } else { k - 1 };
        let px = at(pk);
        let py = px - pk;
        while x > px && y > py {
            x -= 1;
            y -= 1;
            pairs.push((x as usize, y as usize));
        }
        x = px;
        y = py;
    }
    while x > 0 && y > 0 {
        x -= 1;
        y -= 1;
        pairs.push((x as usize, y as usize));
    }
    pairs.reverse();
    Some(pairs)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A kernel chain in the test's simulation: (handle, key, foreign).
    type Chain = Vec<(u64, Vec<u8>, bool)>;

    /// Apply `ops` as the kernel would (a replaced rule gets a new handle).
    fn apply(chain: &Chain, declared: &[Vec<u8>], ops: &[Op]) -> Chain {
        let mut c = chain.clone();
        let mut next = c.iter().map(|r| r.0).max().unwrap_or(0) + 1000;
        let find = |c: &Chain, h: u64| c.iter().position(|r| r.0 == h).expect("handle exists");
        for op in ops {
            match *op {
                Op::Flush => c.clear(),
                Op::Delete { handle } => {
                    let i = find(&c, handle);
                    assert!(!c[i].2, "foreign rule deleted");
                    c.remove(i);
                }
                Op::Replace { handle, decl } => {
                    let i = find(&c, handle);
                    assert!(!c[i].2, "foreign rule replaced");
                    c[i] = (next, declared[decl].clone(), false);
                    next += 1;
                }
                Op::Insert { decl, before } => {
                    let r = (next, declared[decl].clone(), false);
                    next += 1;
                    match before {
                        Some(h) => {
                            let i = find(&c, h);
                            c.insert(i, r);
                        }
                        None => c.push(r),
                    }
                }
            }
        }
        c
    }

    fn run(chain: &Chain, declared: &[Vec<u8>]) -> (Vec<Op>, Chain) {
        let held: Vec<Held> = chain
            .iter()
            .map(|(h, k, f)| Held {
                handle: *h,
                key: k,
                foreign: *f,
            })
            .collect();
        let d: Vec<&[u8]> = declared.iter().map(Vec::as_slice).collect();
        let ops = plan(&d, &held);
        let after = apply(chain, declared, &ops);
        (ops, after)
    }

    /// The properties every plan has.
    fn check(chain: &Chain, declared: &[Vec<u8>]) -> Vec<Op> {
        let (ops, after) = run(chain, declared);
        let own: Vec<&Vec<u8>> = after.iter().filter(|r| !r.2).map(|r| &r.1).collect();
        let want: Vec<&Vec<u8>> = declared.iter().collect();
        assert_eq!(own, want, "iptables rules differ; ops {ops:?}");
        let foreign = |c: &Chain| -> Vec<u64> { c.iter().filter(|r| r.2).map(|r| r.0).collect() };
        assert_eq!(
            foreign(&after),
            foreign(chain),
            "foreign rules moved or lost"
        );
        if ops.contains(&Op::Flush) {
            assert!(foreign(chain).is_empty());
            assert_eq!(ops[0], Op::Flush);
        }
        // without foreign rules, never more than a flush and refill
        if foreign(chain).is_empty() && !chain.is_empty() {
            assert!(ops.len() <= declared.len() + 1, "{} ops", ops.len());
        }
        ops
    }

    /// xorshift64*: deterministic test input.
    struct Rng(u64);
    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 >> 12;
            self.0 ^= self.0 << 25;
            self.0 ^= self.0 >> 27;
            self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
        }
        fn below(&mut self, n: usize) -> usize {
            (self.next() % n.max(1) as u64) as usize
        }
    }

    fn key(n: u64) -> Vec<u8> {
        format!("rule-{n}").into_bytes()
    }

    fn chain_of(keys: &[u64], foreign_at: &[usize]) -> Chain {
        let mut c: Chain = keys
            .iter()
            .enumerate()
            .map(|(i, k)| (i as u64 + 1, key(*k), false))
            .collect();
        for (t, &p) in foreign_at.iter().enumerate() {
            let p = p.min(c.len());
            c.insert(p, (10_000 + t as u64, b"foreign".to_vec(), true));
        }
        c
    }

    #[test]
    fn unchanged_chain_plans_nothing() {
        let c = chain_of(&[1, 2, 3, 4], &[2]);
        let d: Vec<Vec<u8>> = [1, 2, 3, 4].iter().map(|&k| key(k)).collect();
        assert!(check(&c, &d).is_empty());
        assert!(check(&Vec::new(), &[]).is_empty());
    }

    #[test]
    fn one_change_is_one_op() {
        let c = chain_of(&[1, 2, 3, 4, 5, 6], &[]);
        let d = |v: &[u64]| v.iter().map(|&k| key(k)).collect::<Vec<_>>();
        let ops = check(&c, &d(&[1, 2, 9, 4, 5, 6]));
        assert_eq!(ops, vec![Op::Replace { handle: 3, decl: 2 }]);
        let ops = check(&c, &d(&[1, 2, 4, 5, 6]));
        assert_eq!(ops, vec![Op::Delete { handle: 3 }]);
        let ops = check(&c, &d(&[1, 2, 3, 7, 4, 5, 6]));
        assert_eq!(
            ops,
            vec![Op::Insert {
                decl: 3,
                before: Some(4)
            }]
        );
        let ops = check(&c, &d(&[1, 2, 3, 4, 5, 6, 7]));
        assert_eq!(
            ops,
            vec![Op::Insert {
                decl: 6,
                before: None
            }]
        );
        let ops = check(&c, &d(&[0, 1, 2, 3, 4, 5, 6]));
        assert_eq!(
            ops,
            vec![Op::Insert {
                decl: 0,
                before: Some(1)
            }]
        );
    }

    #[test]
    fn different_chain_is_flushed_and_refilled() {
        let c = chain_of(&[1, 2, 3, 4], &[]);
        let d: Vec<Vec<u8>> = [7, 8].iter().map(|&k| key(k)).collect();
        let ops = check(&c, &d);
        // two replacements and two deletions (4 ops) against a flush and two
        // appends (3 ops)
        assert_eq!(ops[0], Op::Flush);
        assert_eq!(ops.len(), 3);
    }

    #[test]
    fn foreign_rules_stay_beside_kept_rules() {
        // F after rule 2; rule 2 is deleted and a rule added: F stays in
        // place, the iptables rules around it become the declared ones
        let c = chain_of(&[1, 2, 3], &[2]);
        let d: Vec<Vec<u8>> = [1, 3, 4].iter().map(|&k| key(k)).collect();
        let ops = check(&c, &d);
        assert_eq!(ops.len(), 2);
        // everything replaced around a foreign rule, never flushed
        let d: Vec<Vec<u8>> = [7, 8, 9, 10, 11].iter().map(|&k| key(k)).collect();
        let ops = check(&c, &d);
        assert!(!ops.contains(&Op::Flush));
        // only foreign rules: appended after them
        let c = chain_of(&[], &[0, 0]);
        check(&c, &d);
    }

    /// Random chains (with foreign rules) and random edits of them: every
    /// plan yields the declared rules with the foreign ones in place, and
    /// takes no more operations than the edits made (a flush and refill
    /// excepted, which is never more than the declared rules plus one).
    #[test]
    fn random_edits() {
        let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
        let mut fresh = 1_000_000u64;
        for round in 0..2000 {
            let n = match round % 4 {
                0 => rng.below(8),
                1 => rng.below(40),
                2 => rng.below(300),
                _ => rng.below(2000),
            };
            // keys repeat sometimes (identical rules are legal)
            let keys: Vec<u64> = (0..n).map(|_| rng.below(n * 2 + 1) as u64).collect();
            let nf = if rng.below(3) == 0 { rng.below(4) } else { 0 };
            let foreign: Vec<usize> = (0..nf).map(|_| rng.below(n + 1)).collect();
            let chain = chain_of(&keys, &foreign);
            let mut d: Vec<u64> = keys.clone();
            let edits = match rng.below(4) {
                0 => 0,
                1 => 1 + rng.below(3),
                2 => 1 + rng.below(n / 10 + 1),
                _ => 1 + rng.below(n + 1),
            };
            for _ in 0..edits {
                match rng.below(3) {
                    0 => {
                        fresh += 1;
                        let at = rng.below(d.len() + 1);
                        d.insert(at, fresh);
                    }
                    1 if !d.is_empty() => {
                        let at = rng.below(d.len());
                        d.remove(at);
                    }
                    _ if !d.is_empty() => {
                        fresh += 1;
                        let at = rng.below(d.len());
                        d[at] = fresh;
                    }
                    _ => {}
                }
            }
            let declared: Vec<Vec<u8>> = d.iter().map(|&k| key(k)).collect();
            let ops = check(&chain, &declared);
            if edits == 0 {
                assert!(ops.is_empty());
            }
            // each edit costs at most two operations of the plan (a
            // replacement the diff sees as a deletion and an insertion)
            assert!(
                ops.len() <= 2 * edits || ops.first() == Some(&Op::Flush),
                "round {round}: {} ops for {edits} edits",
                ops.len()
            );
        }
    }

    #[test]
    fn distance_over_the_limit_still_converges() {
        let a: Vec<u64> = (0..3000).collect();
        let d: Vec<Vec<u8>> = (0..3000u64).map(|k| key(k + 100_000)).collect();
        check(&chain_of(&a, &[]), &d);
        check(&chain_of(&a, &[5, 1500]), &d);
    }
}
