//! The exactness check behind [`super::decode`]: does encoding a rule as a
//! given iptables-nft release give back exactly a kernel rule's
//! expressions? The encoding is compared as it is produced, expression by
//! expression, without building the expressions and stopping at the first
//! difference.
//!
//! Each comparison decides typed equality (`==` on [`Expr`]) from the
//! encoder's inputs; when that says "different", the expression is built
//! and compared again by canonical bytes ([`super::decode::canon`]: the
//! kernel sets NLA flag bits that locally built values lack). Equal typed
//! values have equal canonical bytes, so this decides exactly as comparing
//! the whole built encoding by typed values, then by canonical bytes.

use super::encode::{self, encode_into, Purpose, Sink, Writer, REG1};
use super::ext::Ctx;
use super::match_::Match;
use super::rule::IptRule;
use super::target::Target;
use crate::data::{Data, Verdict, VerdictCode};
use crate::expr::bitwise::{Bitwise, BitwiseOp};
use crate::expr::cmp::{Cmp, CmpOp};
use crate::expr::counter::Counter;
use crate::expr::meta::{Meta, MetaKey};
use crate::expr::payload::{Payload, PayloadBase};
use crate::expr::range::{Range, RangeOp};
use crate::expr::{xt, Expr};
use crate::nla::Wire;

/// True if `r`, written by `w` for `table`, is exactly `have`.
pub(crate) fn writes_exactly(r: &IptRule, table: &str, w: Writer, have: &[Expr]) -> bool {
    let mut x = Exact {
        have,
        pos: 0,
        ok: true,
    };
    encode_into(&mut x, r, table, Purpose::Add, w).is_ok() && x.ok && x.pos == have.len()
}

/// A [`Sink`] comparing against the kernel's expressions.
struct Exact<'a> {
    have: &'a [Expr],
    /// Expressions compared so far.
    pos: usize,
    /// No difference found yet.
    ok: bool,
}

impl<'a> Exact<'a> {
    /// The next kernel expression, or `None` (and failure) past the end or
    /// after a difference.
    fn next(&mut self) -> Option<&'a Expr> {
        if !self.ok {
            return None;
        }
        let h = self.have.get(self.pos);
        self.pos += 1;
        self.ok = h.is_some();
        h
    }

    /// Compare the next expression: `same` decides typed equality with what
    /// `build` returns, without building it.
    fn step(&mut self, same: impl FnOnce(&Expr) -> bool, build: impl FnOnce() -> Expr) {
        if let Some(h) = self.next() {
            self.ok = same(h) || canon_eq(&build(), h);
        }
    }
}

fn canon_eq(a: &Expr, b: &Expr) -> bool {
    super::decode::canon(a) == super::decode::canon(b)
}

impl Sink for Exact<'_> {
    fn expr(&mut self, e: Expr) {
        if let Some(h) = self.next() {
            self.ok = *h == e || canon_eq(&e, h);
        }
    }
    fn payload(&mut self, base: PayloadBase, off: u32, len: u32) {
        self.step(
            |h| matches!(h, Expr::Payload(p) if *p == Payload::load(base, off, len, REG1)),
            || encode::payload(base, off, len),
        );
    }
    fn meta(&mut self, key: MetaKey) {
        self.step(
            |h| matches!(h, Expr::Meta(m) if *m == Meta::load(key, REG1)),
            || encode::meta(key),
        );
    }
    fn cmp(&mut self, op: CmpOp, v: &[u8]) {
        self.step(|h| is_cmp(h, op, v), || encode::cmp(op, v));
    }
    fn bitwise(&mut self, mask: &[u8]) {
        self.step(|h| is_bitwise(h, mask), || encode::bitwise(mask));
    }
    fn range(&mut self, op: RangeOp, from: &[u8], to: &[u8]) {
        self.step(
            |h| is_range(h, op, from, to),
            || encode::range(op, from, to),
        );
    }
    fn verdict(&mut self, code: VerdictCode, chain: Option<&str>) {
        self.step(
            |h| is_verdict(h, code, chain),
            || encode::verdict(code, chain),
        );
    }
    fn counter(&mut self, packets: u64, bytes: u64) {
        let built = Counter::new(packets, bytes);
        if let Some(h) = self.next() {
            self.ok =
                matches!(h, Expr::Counter(c) if *c == built) || canon_eq(&Expr::Counter(built), h);
        }
    }
    fn xt_match(&mut self, m: &Match, cx: &Ctx<'_>) {
        self.step(|h| is_xt_match(h, m, cx), || encode::xt_match(m, cx));
    }
    fn xt_target(&mut self, t: &Target, cx: &Ctx<'_>) {
        self.step(|h| is_xt_target(h, t, cx), || encode::xt_target(t, cx));
    }
    fn wants_more(&self) -> bool {
        self.ok
    }
}

// The field-by-field comparisons below destructure every field, so that a
// field added to an expression type fails to compile here instead of being
// silently ignored.

/// `w == Wire::default()`.
fn plain(w: &Wire) -> bool {
    w.is_plain()
}

/// `d` is `Data::value(v)`.
fn is_value(d: &Option<Data>, v: &[u8]) -> bool {
    let Some(Data {
        value,
        verdict,
        wire,
    }) = d
    else {
        return false;
    };
    value.as_deref() == Some(v) && verdict.is_none() && plain(wire)
}

/// `h == encode::cmp(op, v)`.
fn is_cmp(h: &Expr, op: CmpOp, v: &[u8]) -> bool {
    let Expr::Cmp(Cmp {
        sreg,
        op: o,
        data,
        wire,
    }) = h
    else {
        return false;
    };
    *sreg == Some(REG1) && *o == Some(op) && is_value(data, v) && plain(wire)
}

/// `h == encode::bitwise(mask)`.
fn is_bitwise(h: &Expr, mask: &[u8]) -> bool {
    let Expr::Bitwise(b) = h else {
        return false;
    };
    let Bitwise {
        sreg,
        dreg,
        len,
        op,
        mask: m,
        xor,
        data,
        sreg2,
        wire,
    } = &**b;
    let zeros = [0u8; 16];
    *sreg == Some(REG1)
        && *dreg == Some(REG1)
        && *len == Some(mask.len() as u32)
        && *op == Some(BitwiseOp::MaskXor)
        && is_value(m, mask)
        && zeros.get(..mask.len()).is_some_and(|z| is_value(xor, z))
        && data.is_none()
        && sreg2.is_none()
        && plain(wire)
}

/// `h == encode::range(op, from, to)`.
fn is_range(h: &Expr, op: RangeOp, from: &[u8], to: &[u8]) -> bool {
    let Expr::Range(r) = h else {
        return false;
    };
    let Range {
        sreg,
        op: o,
        from: f,
        to: t,
        wire,
    } = &**r;
    *sreg == Some(REG1) && *o == Some(op) && is_value(f, from) && is_value(t, to) && plain(wire)
}

/// `h == encode::verdict(code, chain)`.
fn is_verdict(h: &Expr, code: VerdictCode, chain: Option<&str>) -> bool {
    let Expr::Immediate(crate::expr::immediate::Immediate { dreg, data, wire }) = h else {
        return false;
    };
    let Some(Data {
        value: None,
        verdict: Some(v),
        wire: dwire,
    }) = data
    else {
        return false;
    };
    let Verdict {
        code: c,
        chain: ch,
        chain_id,
        wire: vwire,
    } = &**v;
    *dreg == Some(0)
        && plain(wire)
        && plain(dwire)
        && *c == Some(code)
        && ch.as_deref() == chain
        && chain_id.is_none()
        && plain(vwire)
}

/// `h == encode::xt_match(m, cx)`.
fn is_xt_match(h: &Expr, m: &Match, cx: &Ctx<'_>) -> bool {
    let Expr::Match(xt::Match {
        name,
        rev,
        info,
        wire,
    }) = h
    else {
        return false;
    };
    name.as_deref() == Some(m.real_name())
        && *rev == Some(m.revision(cx.family))
        && plain(wire)
        && info.as_deref().is_some_and(|i| m.info_is(cx, i))
}

/// `h == encode::xt_target(t, cx)`.
fn is_xt_target(h: &Expr, t: &Target, cx: &Ctx<'_>) -> bool {
    let Expr::Target(xt::Target {
        name,
        rev,
        info,
        wire,
    }) = h
    else {
        return false;
    };
    name.as_deref() == Some(t.real_name())
        && *rev == Some(t.revision(cx.family))
        && plain(wire)
        && info.as_deref().is_some_and(|i| t.info_is(cx, i))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::iptables::family::Family;
    use crate::iptables::match_::comment::Comment;

    /// Each comparison agrees with `==` on the built expression, for the
    /// built expression itself and for near misses.
    #[test]
    fn fast_comparisons_agree_with_typed_equality() {
        let cx = Ctx {
            family: Family::V4,
            proto: 6,
            proto_inv: false,
            table: "filter",
        };
        let m = Match::Comment(Comment::new("hello"));
        type Same<'a> = Box<dyn Fn(&Expr) -> bool + 'a>;
        let cases: Vec<(Expr, Same)> = vec![
            (
                encode::cmp(CmpOp::Eq, &[1, 2]),
                Box::new(|h| is_cmp(h, CmpOp::Eq, &[1, 2])),
            ),
            (
                encode::bitwise(&[0xff, 0]),
                Box::new(|h| is_bitwise(h, &[0xff, 0])),
            ),
            (
                encode::range(RangeOp::Neq, &[0, 1], &[0, 9]),
                Box::new(|h| is_range(h, RangeOp::Neq, &[0, 1], &[0, 9])),
            ),
            (
                encode::verdict(VerdictCode::Jump, Some("X")),
                Box::new(|h| is_verdict(h, VerdictCode::Jump, Some("X"))),
            ),
            (
                encode::verdict(VerdictCode::Accept, None),
                Box::new(|h| is_verdict(h, VerdictCode::Accept, None)),
            ),
            (
                encode::xt_match(&m, &cx),
                Box::new(|h| is_xt_match(h, &m, &cx)),
            ),
        ];
        let others: Vec<Expr> = vec![
            encode::cmp(CmpOp::Neq, &[1, 2]),
            encode::cmp(CmpOp::Eq, &[1]),
            encode::bitwise(&[0xff, 1]),
            encode::bitwise(&[0xff]),
            encode::range(RangeOp::Eq, &[0, 1], &[0, 9]),
            encode::verdict(VerdictCode::Jump, Some("Y")),
            encode::verdict(VerdictCode::Jump, None),
            encode::verdict(VerdictCode::Drop, None),
            encode::xt_match(&Match::Comment(Comment::new("hell")), &cx),
            encode::payload(PayloadBase::Network, 12, 4),
            encode::meta(MetaKey::IifName),
        ];
        for (built, same) in &cases {
            assert!(same(built), "{built:?}");
            let mut flagged = built.clone();
            if let Expr::Cmp(c) = &mut flagged {
                c.set_wire_flags(1);
            }
            assert_eq!(same(&flagged), flagged == *built, "{flagged:?}");
            for o in cases.iter().map(|c| &c.0).chain(&others) {
                assert_eq!(same(o), o == built, "{o:?} vs {built:?}");
            }
        }
    }

    /// The previous check: build the whole encoding, then compare typed
    /// values or, failing that, canonical bytes.
    fn built_and_compared(r: &IptRule, table: &str, w: Writer, have: &[Expr]) -> bool {
        let Ok(enc) = encode::encode_as(r, table, Purpose::Add, w) else {
            return false;
        };
        enc.exprs.len() == have.len()
            && (enc.exprs == have
                || enc
                    .exprs
                    .iter()
                    .map(super::super::decode::canon)
                    .eq(have.iter().map(super::super::decode::canon)))
    }

    fn sample_rules() -> Vec<IptRule> {
        use crate::iptables::addr::AddrMask;
        use crate::iptables::match_::{limit::Limit, mark::Mark, tcp::Tcp, udp::Udp};
        use crate::iptables::rule::{Iface, Verdict};
        use crate::iptables::target::nflog::Nflog;
        let iface = |name: &str, inv| Iface {
            name: name.into(),
            inv,
        };
        let mut v = Vec::new();
        let mut r = IptRule::new(Family::V4);
        r.src = AddrMask {
            addr: [10, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
            mask: [255, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
        };
        r.iniface = iface("eth0", false);
        r.proto = 6;
        r.matches.push(Match::Tcp(Tcp {
            dpts: [80, 80],
            ..Default::default()
        }));
        r.matches.push(Match::Comment(Comment::new("web")));
        r.verdict = Verdict::Jump("X".into());
        v.push(r.clone());
        r.matches[0] = Match::Tcp(Tcp {
            spts: [5, 5],
            dpts: [80, 80],
            flg_mask: 0x17,
            flg_cmp: 2,
            invflags: 3,
            ..Default::default()
        });
        r.dst_inv = true;
        r.verdict = Verdict::Goto("Y".into());
        v.push(r);
        let mut r = IptRule::new(Family::V6);
        r.outiface = iface("veth+", true);
        r.iniface = iface("+", false);
        r.proto = 17;
        r.matches.push(Match::Udp(Udp {
            spts: [1024, 0xffff],
            dpts: [0, 1023],
            invflags: 2,
        }));
        r.verdict = Verdict::Accept;
        v.push(r);
        let mut r = IptRule::new(Family::V4);
        r.iniface = iface("+", true);
        r.frag = true;
        r.matches.push(Match::Mark(Mark {
            mark: 1,
            mask: 0xff,
            invert: 1,
        }));
        r.matches.push(Match::Limit(Limit { avg: 100, burst: 5 }));
        r.verdict = Verdict::Target(Target::Nflog(Nflog {
            group: 3,
            prefix: "p".into(),
            ..Default::default()
        }));
        v.push(r);
        let mut r = IptRule::new(Family::V4);
        r.proto = 6;
        r.proto_inv = true;
        r.packets = 7;
        r.verdict = Verdict::Return;
        v.push(r);
        v
    }

    /// Kernel-like variants of an encoding: itself, with NLA_F_NESTED seen
    /// on a cmp's data (equal only by canonical bytes), shortened, and with
    /// the last two expressions swapped.
    fn variants(exprs: &[Expr]) -> Vec<Vec<Expr>> {
        let mut out = vec![exprs.to_vec()];
        let mut nested = exprs.to_vec();
        for e in &mut nested {
            if let Expr::Cmp(c) = e {
                c.set_wire_flags(2 << 4);
            }
        }
        out.push(nested);
        out.push(exprs[..exprs.len() - 1].to_vec());
        let mut swapped = exprs.to_vec();
        let n = swapped.len();
        swapped.swap(n - 1, n - 2);
        out.push(swapped);
        out
    }

    /// Comparing while encoding decides exactly as building the whole
    /// encoding and comparing it did.
    #[test]
    fn same_decisions_as_building_the_encoding() {
        let writers = [Writer::V1_8_9, Writer::V1_8_10, Writer::V1_8_11];
        let mut matched = 0;
        for r in sample_rules() {
            for w in writers {
                let enc = encode::encode_as(&r, "filter", Purpose::Add, w).unwrap();
                for have in variants(&enc.exprs) {
                    for w2 in writers {
                        let want = built_and_compared(&r, "filter", w2, &have);
                        assert_eq!(
                            writes_exactly(&r, "filter", w2, &have),
                            want,
                            "{r:?} {w2:?}"
                        );
                        matched += want as usize;
                    }
                }
            }
        }
        assert!(matched > 20, "{matched}");
    }
}
