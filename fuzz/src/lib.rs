//! Decode/encode oracle shared by the cargo-fuzz targets (`fuzz_targets/`)
//! and by the bounded randomized test `tests/fuzz_decode.rs`, which
//! includes this file as a module.
//!
//! The property is nftwire's lossless rule: whenever a typed decoder accepts
//! some bytes, encoding the result gives back exactly those bytes, and
//! nothing panics on any input. [`Expr::parse_elem`] never fails, so for it
//! the property holds for every input.
//!
//! Also here: hand-built encodings of every kernel expression and object
//! kind ([`seeds`]), used as the starting points for mutation, and a small
//! deterministic PRNG and mutator ([`Rng`], [`mutate`]).
#![allow(dead_code)]

use bytes::Bytes;
use nftwire::expr::{Expr, ExprList};
use nftwire::nla::{Attribute, Writer};
use nftwire::object::chain::{ChainAttrs, Hook};
use nftwire::object::element::{SetElem, SetElemsAttrs};
use nftwire::object::flowtable::FlowtableAttrs;
use nftwire::object::gen::GenAttrs;
use nftwire::object::obj::ObjectAttrs;
use nftwire::object::rule::RuleAttrs;
use nftwire::object::set::SetAttrs;
use nftwire::object::table::TableAttrs;
use nftwire::object::Kind;

/// A decode-then-encode that did not reproduce its input.
#[derive(Debug)]
pub struct Mismatch {
    /// What the bytes were decoded as.
    pub what: &'static str,
    /// The input.
    pub input: Vec<u8>,
    /// What encoding produced.
    pub output: Vec<u8>,
}

impl std::fmt::Display for Mismatch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}: decode->encode changed the bytes\n  input  {}\n  output {}",
            self.what,
            hex(&self.input),
            hex(&self.output)
        )
    }
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// How many decoders accepted the input (for statistics).
#[derive(Default, Debug, Clone, Copy)]
pub struct Accepted {
    /// Decoders that returned `Some`.
    pub decoded: usize,
    /// Typed (non-raw) expressions seen in accepted expression lists.
    pub typed_exprs: usize,
}

fn kind<T: Kind>(what: &'static str, b: &Bytes, acc: &mut Accepted) -> Result<(), Mismatch> {
    if let Some(v) = T::parse_body(b) {
        acc.decoded += 1;
        let mut w = Writer::new();
        v.write_body(&mut w);
        if w.buf != b[..] {
            return Err(Mismatch {
                what,
                input: b.to_vec(),
                output: w.buf,
            });
        }
    }
    Ok(())
}

fn attr<T: Attribute>(what: &'static str, b: &Bytes, acc: &mut Accepted) -> Result<(), Mismatch> {
    if let Some(v) = T::decode(b) {
        acc.decoded += 1;
        let mut w = Writer::new();
        v.encode(&mut w);
        if w.buf != b[..] {
            return Err(Mismatch {
                what,
                input: b.to_vec(),
                output: w.buf,
            });
        }
    }
    Ok(())
}

/// `Expr::parse_elem` keeps every byte: re-encoding the element gives the
/// same attribute `put_raw(elem_type, body)` would.
pub fn check_elem(elem_type: u16, body: &Bytes, acc: &mut Accepted) -> Result<(), Mismatch> {
    check_elem_opts(elem_type, body, acc, true)
}

fn check_elem_opts(
    elem_type: u16,
    body: &Bytes,
    acc: &mut Accepted,
    display: bool,
) -> Result<(), Mismatch> {
    let e = Expr::parse_elem(elem_type, body.clone());
    if !e.is_raw() {
        acc.typed_exprs += 1;
    }
    // Display must not panic either (it is used for `--debug=netlink` text).
    if display {
        let _ = e.to_string();
    }
    let mut got = Writer::new();
    e.write_elem(&mut got);
    let mut want = Writer::new();
    want.put_raw(elem_type, body);
    if got.buf != want.buf {
        return Err(Mismatch {
            what: "Expr::parse_elem",
            input: want.buf,
            output: got.buf,
        });
    }
    Ok(())
}

/// Decode `data` as every object kind body, as nested attribute types and
/// as an expression list; each accepted decode must re-encode to `data`.
pub fn check_all(data: &[u8]) -> Result<Accepted, Mismatch> {
    check_all_opts(data, true)
}

/// [`check_all`], optionally without rendering the expressions with
/// `Display` (about half the cost in a debug build).
pub fn check_all_opts(data: &[u8], display: bool) -> Result<Accepted, Mismatch> {
    let b = Bytes::copy_from_slice(data);
    let mut acc = Accepted::default();
    kind::<TableAttrs>("table", &b, &mut acc)?;
    kind::<ChainAttrs>("chain", &b, &mut acc)?;
    kind::<RuleAttrs>("rule", &b, &mut acc)?;
    kind::<SetAttrs>("set", &b, &mut acc)?;
    kind::<SetElemsAttrs>("set elements", &b, &mut acc)?;
    kind::<ObjectAttrs>("object", &b, &mut acc)?;
    kind::<FlowtableAttrs>("flowtable", &b, &mut acc)?;
    attr::<GenAttrs>("generation", &b, &mut acc)?;
    attr::<SetElem>("set element", &b, &mut acc)?;
    attr::<Hook>("chain hook", &b, &mut acc)?;
    attr::<nftwire::data::Data>("data", &b, &mut acc)?;
    if let Some(list) = ExprList::decode(&b) {
        acc.decoded += 1;
        acc.typed_exprs += list.0.iter().filter(|e| !e.is_raw()).count();
        if display {
            for e in &list.0 {
                let _ = e.to_string();
            }
        }
        let mut w = Writer::new();
        list.encode(&mut w);
        if w.buf != data {
            return Err(Mismatch {
                what: "ExprList",
                input: data.to_vec(),
                output: w.buf,
            });
        }
    }
    check_elem_opts(1, &b, &mut acc, display)?;
    check_elem_opts(0x8001, &b, &mut acc, display)?;
    Ok(acc)
}

// ------------------------------------------------------------------ seeds

/// splitmix64: tiny, deterministic, good enough for test input generation.
#[derive(Clone, Debug)]
pub struct Rng(pub u64);

impl Rng {
    /// Next 64 random bits.
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    /// Uniform in `0..n` (n > 0).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    /// True with probability 1/n.
    pub fn one_in(&mut self, n: usize) -> bool {
        self.below(n) == 0
    }
}

/// A small builder for attribute streams.
pub struct A(Writer);

const N: u16 = 0x8000; // NLA_F_NESTED

thread_local! {
    /// The flag [`A::n`] puts on nests: 0 as the kernel dumps them
    /// (`nla_nest_start_noflag`), `NLA_F_NESTED` as libmnl sends them.
    static NEST_FLAG: std::cell::Cell<u16> = const { std::cell::Cell::new(0) };
}

fn nest_flag() -> u16 {
    NEST_FLAG.with(|c| c.get())
}

/// Run `f` with nests built the way userspace (libmnl) writes them, with
/// `NLA_F_NESTED` set.
pub fn userspace_style<R>(f: impl FnOnce() -> R) -> R {
    NEST_FLAG.with(|c| c.set(N));
    let r = f();
    NEST_FLAG.with(|c| c.set(0));
    r
}

impl A {
    /// Empty stream.
    pub fn new() -> Self {
        A(Writer::new())
    }
    /// big-endian u32 attribute.
    pub fn u32(mut self, t: u16, v: u32) -> Self {
        self.0.put_raw(t, &v.to_be_bytes());
        self
    }
    /// big-endian u64 attribute.
    pub fn u64(mut self, t: u16, v: u64) -> Self {
        self.0.put_raw(t, &v.to_be_bytes());
        self
    }
    /// big-endian u16 attribute.
    pub fn u16(mut self, t: u16, v: u16) -> Self {
        self.0.put_raw(t, &v.to_be_bytes());
        self
    }
    /// u8 attribute.
    pub fn u8(mut self, t: u16, v: u8) -> Self {
        self.0.put_raw(t, &[v]);
        self
    }
    /// NUL-terminated string attribute.
    pub fn s(mut self, t: u16, v: &str) -> Self {
        let mut p = v.as_bytes().to_vec();
        p.push(0);
        self.0.put_raw(t, &p);
        self
    }
    /// Raw bytes attribute.
    pub fn b(mut self, t: u16, v: &[u8]) -> Self {
        self.0.put_raw(t, v);
        self
    }
    /// Nested attribute (flag per [`userspace_style`]).
    pub fn n(mut self, t: u16, inner: A) -> Self {
        self.0.put_raw(t | nest_flag(), &inner.0.buf);
        self
    }
    /// The encoded stream.
    pub fn done(self) -> Vec<u8> {
        self.0.buf
    }
}

impl Default for A {
    fn default() -> Self {
        Self::new()
    }
}

/// `NFTA_DATA_VALUE` nest.
pub fn value(v: &[u8]) -> A {
    A::new().b(1, v)
}

/// `NFTA_DATA_VERDICT` nest.
pub fn verdict(code: i32, chain: Option<&str>) -> A {
    let mut v = A::new().u32(1, code as u32);
    if let Some(c) = chain {
        v = v.s(2, c);
    }
    A::new().n(2, v)
}

/// One expression element payload: NAME and (optionally) DATA.
pub fn elem(name: &str, data: Option<A>) -> Vec<u8> {
    let mut a = A::new().s(1, name);
    if let Some(d) = data {
        a = a.n(2, d);
    }
    a.done()
}

/// How many of the last [`expr_seeds`] are deliberately odd (unknown name,
/// extra top-level attribute, DATA before NAME) and must decode raw.
pub const ODD_EXPR_SEEDS: usize = 3;

/// Element payloads for every expression the kernel knows (40 names), with
/// the attributes the kernel dumps for a typical use, some in several forms;
/// the last [`ODD_EXPR_SEEDS`] are malformed on purpose.
pub fn expr_seeds() -> Vec<Vec<u8>> {
    let e = |n: &str, a: A| elem(n, Some(a));
    vec![
        e("immediate", A::new().u32(1, 0).n(2, verdict(1, None))),
        e(
            "immediate",
            A::new().u32(1, 0).n(2, verdict(-3, Some("KUBE-SVC-ABC"))),
        ),
        e("immediate", A::new().u32(1, 1).n(2, value(&[10, 0, 0, 1]))),
        e("cmp", A::new().u32(1, 1).u32(2, 0).n(3, value(&[6]))),
        e(
            "cmp",
            A::new()
                .u32(1, 1)
                .u32(2, 1)
                .n(3, value(b"eth0\0\0\0\0\0\0\0\0\0\0\0\0")),
        ),
        e("lookup", A::new().s(1, "__set0").u32(2, 1).u32(4, 0)),
        e(
            "lookup",
            A::new()
                .s(1, "allowed")
                .u32(2, 1)
                .u32(3, 0)
                .u32(5, 1)
                .u32(4, 7),
        ),
        e(
            "bitwise",
            A::new()
                .u32(1, 1)
                .u32(2, 1)
                .u32(3, 4)
                .u32(6, 0)
                .n(4, value(&[255, 255, 0, 0]))
                .n(5, value(&[0; 4])),
        ),
        e(
            "bitwise",
            A::new()
                .u32(1, 1)
                .u32(2, 1)
                .u32(3, 4)
                .u32(6, 1)
                .n(7, value(&[0, 0, 0, 8])),
        ),
        e(
            "byteorder",
            A::new().u32(1, 1).u32(2, 1).u32(3, 1).u32(4, 2).u32(5, 2),
        ),
        e("payload", A::new().u32(1, 1).u32(2, 1).u32(3, 12).u32(4, 4)),
        e(
            "payload",
            A::new()
                .u32(5, 1)
                .u32(2, 2)
                .u32(3, 0)
                .u32(4, 2)
                .u32(6, 1)
                .u32(7, 16)
                .u32(8, 0),
        ),
        e(
            "dynset",
            A::new()
                .u32(4, 1)
                .s(1, "flows")
                .u32(3, 1)
                .u64(6, 60000)
                .u32(9, 0)
                .n(
                    7,
                    A::new().s(1, "counter").n(2, A::new().u64(1, 0).u64(2, 0)),
                )
                .u32(2, 3),
        ),
        e(
            "range",
            A::new()
                .u32(1, 1)
                .u32(2, 0)
                .n(3, value(&[0, 80]))
                .n(4, value(&[0, 90])),
        ),
        e("meta", A::new().u32(1, 1).u32(2, 16)),
        e("meta", A::new().u32(2, 3).u32(3, 1)),
        e("rt", A::new().u32(1, 1).u32(2, 0)),
        e(
            "exthdr",
            A::new()
                .u32(1, 1)
                .u8(2, 2)
                .u32(3, 0)
                .u32(4, 2)
                .u32(5, 0)
                .u32(6, 1),
        ),
        e("last", A::new().u32(1, 1).u64(2, 1234)),
        e("counter", A::new().u64(1, 1500).u64(2, 3)),
        e("objref", A::new().u32(1, 1).s(2, "cnt")),
        e("objref", A::new().u32(3, 1).s(4, "__objmap0").u32(5, 2)),
        e(
            "inner",
            A::new()
                .u32(1, 0)
                .u32(2, 1)
                .u32(3, 1)
                .u32(4, 8)
                .n(5, A::new().s(1, "meta").n(2, A::new().u32(1, 1).u32(2, 16))),
        ),
        e("ct", A::new().u32(1, 1).u32(2, 0)),
        e("ct", A::new().u32(1, 1).u32(2, 3).u8(3, 0)),
        e("ct", A::new().u32(2, 3).u32(4, 1)),
        elem("notrack", None),
        e(
            "limit",
            A::new().u64(1, 10).u64(2, 60).u32(3, 5).u32(4, 0).u32(5, 0),
        ),
        e("quota", A::new().u64(1, 1 << 20).u32(2, 0).u64(4, 0)),
        e("connlimit", A::new().u32(1, 10).u32(2, 0)),
        e("log", A::new().s(2, "DROP: ").u32(5, 4).u32(6, 0)),
        e("log", A::new().u16(1, 5).s(2, "grp").u32(3, 64).u16(4, 1)),
        e("queue", A::new().u16(1, 0).u16(2, 1).u16(3, 1)),
        e("queue", A::new().u32(4, 1).u16(3, 0)),
        e(
            "nat",
            A::new().u32(1, 1).u32(2, 2).u32(3, 1).u32(5, 2).u32(7, 0x2),
        ),
        e(
            "nat",
            A::new()
                .u32(1, 0)
                .u32(2, 2)
                .u32(3, 1)
                .u32(4, 2)
                .u32(5, 3)
                .u32(6, 4)
                .u32(7, 0x3),
        ),
        e("masq", A::new().u32(1, 0x10)),
        e("masq", A::new().u32(1, 0x4).u32(2, 1).u32(3, 2)),
        e("redir", A::new().u32(1, 1).u32(2, 1).u32(3, 0x4)),
        e("reject", A::new().u32(1, 0).u8(2, 3)),
        e("reject", A::new().u32(1, 1).u8(2, 0)),
        e(
            "match",
            A::new().s(1, "comment").u32(2, 0).b(3, &[b'x'; 256]),
        ),
        e(
            "match",
            A::new().s(1, "statistic").u32(2, 0).b(3, &{
                let mut v = vec![0u8; 24];
                v[4..8].copy_from_slice(&0x8000_0000u32.to_ne_bytes());
                v
            }),
        ),
        e("target", A::new().s(1, "DNAT").u32(2, 2).b(3, &[0u8; 40])),
        e(
            "target",
            A::new()
                .s(1, "MARK")
                .u32(2, 2)
                .b(3, &[0, 0x40, 0, 0, 0xff, 0xbf, 0xff, 0xff]),
        ),
        e(
            "hash",
            A::new()
                .u32(1, 1)
                .u32(2, 1)
                .u32(3, 4)
                .u32(4, 10)
                .u32(5, 0xdead)
                .u32(6, 0)
                .u32(7, 0),
        ),
        e("hash", A::new().u32(2, 1).u32(4, 2).u32(6, 0).u32(7, 1)),
        e("numgen", A::new().u32(1, 1).u32(2, 3).u32(3, 0).u32(4, 0)),
        e("fib", A::new().u32(1, 1).u32(2, 1).u32(3, 0x5)),
        e("dup", A::new().u32(1, 1).u32(2, 2)),
        e("fwd", A::new().u32(1, 1).u32(2, 2).u32(3, 2)),
        e("flow_offload", A::new().s(1, "ft")),
        e("socket", A::new().u32(1, 0).u32(2, 1)),
        e("socket", A::new().u32(1, 3).u32(2, 1).u32(3, 1)),
        e("osf", A::new().u32(1, 1).u8(2, 1).u32(3, 1)),
        e("tproxy", A::new().u32(1, 2).u32(2, 1).u32(3, 2)),
        e("xfrm", A::new().u32(1, 1).u32(2, 1).u8(3, 0).u32(4, 0)),
        e("synproxy", A::new().u16(1, 1460).u8(2, 7).u32(3, 0x3)),
        e("tunnel", A::new().u32(1, 0).u32(2, 1).u32(3, 0)),
        // Unknown name and odd shapes: must stay raw.
        e("frobnicate", A::new().u32(1, 1)),
        A::new()
            .s(1, "counter")
            .n(2, A::new().u64(1, 0).u64(2, 0))
            .u32(3, 9)
            .done(),
        A::new().n(2, A::new().u32(1, 1)).s(1, "meta").done(),
    ]
}

/// An `NFTA_RULE_EXPRESSIONS` payload from element payloads.
pub fn expr_list(elems: &[Vec<u8>]) -> Vec<u8> {
    let mut w = Writer::new();
    for e in elems {
        w.put_raw(1 | nest_flag(), e);
    }
    w.buf
}

/// Message bodies of every object kind, plus rules made of the expression
/// seeds (a few per rule, in order).
pub fn object_seeds() -> Vec<Vec<u8>> {
    let ex = expr_seeds();
    let mut v = vec![
        A::new().s(1, "filter").u32(3, 2).u64(4, 1).u32(2, 0).done(),
        A::new()
            .s(1, "nat")
            .u32(3, 0)
            .u64(4, 7)
            .u32(2, 1)
            .b(6, b"\x00\x04abc")
            .u32(7, 1234)
            .done(),
        A::new()
            .s(1, "filter")
            .s(3, "INPUT")
            .u64(2, 1)
            .n(4, A::new().u32(1, 1).u32(2, 0))
            .u32(5, 1)
            .s(7, "filter")
            .n(8, A::new().u64(1, 0).u64(2, 0))
            .u32(10, 1)
            .u32(6, 2)
            .done(),
        A::new()
            .s(1, "netdev")
            .s(3, "ingress")
            .u64(2, 3)
            .n(
                4,
                A::new()
                    .u32(1, 0)
                    .u32(2, -500i32 as u32)
                    .n(4, A::new().s(1, "eth0").s(1, "eth1")),
            )
            .u32(5, 1)
            .s(7, "filter")
            .u32(10, 1)
            .u32(6, 0)
            .done(),
        A::new()
            .s(1, "nat")
            .s(3, "KUBE-SVC-ABCDEFGHIJKLMNOP")
            .u64(2, 99)
            .u32(10, 0)
            .u32(6, 1)
            .b(12, b"\x00\x03hi")
            .done(),
        A::new()
            .s(1, "filter")
            .s(2, "allowed")
            .u64(16, 3)
            .u32(3, 0x4 | 0x80)
            .u32(4, 7)
            .u32(5, 8)
            .u32(8, 0)
            .b(13, b"\x00\x04\x01\x00\x00\x00")
            .n(
                9,
                A::new().u32(1, 10).n(
                    2,
                    A::new().n(1, A::new().u32(1, 4)).n(1, A::new().u32(1, 4)),
                ),
            )
            .s(19, "nft_set_pipapo")
            .u32(20, 2)
            .done(),
        A::new()
            .s(1, "filter")
            .s(2, "meters")
            .u64(16, 4)
            .u32(3, 0x10 | 0x20 | 0x100)
            .u32(4, 7)
            .u32(5, 4)
            .u64(11, 60000)
            .u32(12, 1000)
            .n(
                17,
                A::new().s(1, "limit").n(
                    2,
                    A::new().u64(1, 10).u64(2, 1).u32(3, 0).u32(4, 0).u32(5, 0),
                ),
            )
            .done(),
        A::new()
            .s(1, "filter")
            .s(2, "allowed")
            .n(
                3,
                A::new()
                    .n(1, A::new().n(1, value(&[10, 0, 0, 1])).u32(3, 0))
                    .n(
                        1,
                        A::new()
                            .n(1, value(&[10, 0, 0, 9]))
                            .n(10, value(&[10, 0, 0, 20]))
                            .u64(4, 1000)
                            .u64(5, 500)
                            .b(6, b"\x00\x01x"),
                    )
                    .n(
                        1,
                        A::new()
                            .n(1, value(&[0, 80]))
                            .n(2, verdict(-3, Some("web"))),
                    ),
            )
            .done(),
        A::new()
            .s(1, "filter")
            .s(2, "cnt")
            .u32(3, 1)
            .u64(6, 5)
            .u32(5, 0)
            .n(4, A::new().u64(1, 0).u64(2, 0))
            .done(),
        A::new()
            .s(1, "filter")
            .s(2, "ft")
            .u32(4, 0)
            .u32(7, 0)
            .u64(5, 6)
            .n(3, A::new().u32(1, 0).u32(2, 0).n(3, A::new().s(1, "eth0")))
            .done(),
        A::new().u32(1, 42).u32(2, 1000).s(3, "nft").done(),
    ];
    // Rules: a chunk of consecutive expression seeds each, plus compat and
    // userdata (nft's comment TLV), as the kernel dumps them.
    for (i, chunk) in ex.chunks(4).enumerate() {
        let mut r = A::new().s(1, "filter").s(2, "INPUT").u64(3, 10 + i as u64);
        if i % 2 == 1 {
            r = r.u64(6, 9 + i as u64);
        }
        r = r.n(4, {
            let mut l = A::new();
            for e in chunk {
                l = l.b(1 | nest_flag(), e);
            }
            l
        });
        if i % 3 == 0 {
            r = r.n(5, A::new().u32(1, 6).u32(2, 0));
        }
        if i % 4 == 0 {
            r = r.b(7, b"\x00\x08comment\x00");
        }
        v.push(r.done());
    }
    v
}

/// Every seed: object bodies, expression lists, single elements, each
/// with nests as the kernel dumps them and as userspace sends them.
pub fn all_seeds() -> Vec<Vec<u8>> {
    fn one() -> Vec<Vec<u8>> {
        let ex = expr_seeds();
        let mut v = object_seeds();
        v.push(expr_list(&ex));
        for e in &ex {
            v.push(e.clone());
            v.push(expr_list(std::slice::from_ref(e)));
        }
        v
    }
    let mut v = one();
    v.extend(userspace_style(one));
    v
}

// ------------------------------------------------------------------ mutation

/// Top-level attribute boundaries of a well-formed prefix of `b`:
/// (offset, total padded length).
fn attr_spans(b: &[u8]) -> Vec<(usize, usize)> {
    let mut v = Vec::new();
    let mut pos = 0;
    while pos + 4 <= b.len() {
        let len = u16::from_ne_bytes([b[pos], b[pos + 1]]) as usize;
        if len < 4 || pos + len > b.len() {
            break;
        }
        let padded = ((len + 3) & !3).min(b.len() - pos);
        v.push((pos, padded));
        pos += padded;
    }
    v
}

/// Apply one random mutation to `b`, structure-aware half of the time
/// (operating on whole attributes, at any nesting depth), byte-level
/// otherwise. `donor` is another seed used for splicing.
pub fn mutate(rng: &mut Rng, b: &mut Vec<u8>, donor: &[u8]) {
    // Descend into a random nested attribute now and then.
    if b.len() >= 8 && rng.one_in(2) {
        let spans = attr_spans(b);
        if !spans.is_empty() {
            let (off, padded) = spans[rng.below(spans.len())];
            let len = u16::from_ne_bytes([b[off], b[off + 1]]) as usize;
            if len > 8 && rng.one_in(2) {
                let mut inner = b[off + 4..off + len].to_vec();
                mutate(rng, &mut inner, donor);
                let mut out = b[..off].to_vec();
                let new_len = (inner.len() + 4).min(0xffff);
                out.extend_from_slice(&(new_len as u16).to_ne_bytes());
                out.extend_from_slice(&b[off + 2..off + 4]);
                out.extend_from_slice(&inner);
                while out.len() % 4 != 0 {
                    out.push(0);
                }
                out.extend_from_slice(&b[off + padded..]);
                *b = out;
                return;
            }
        }
    }
    let spans = attr_spans(b);
    match rng.below(14) {
        // Byte-level.
        0 if !b.is_empty() => {
            let i = rng.below(b.len());
            b[i] ^= 1 << rng.below(8);
        }
        1 if !b.is_empty() => {
            let i = rng.below(b.len());
            b[i] = [0, 1, 0xff, 0x7f, 0x80, 4, 8][rng.below(7)];
        }
        2 if !b.is_empty() => {
            let n = rng.below(b.len());
            b.truncate(n);
        }
        3 => {
            let i = rng.below(b.len() + 1);
            let n = 1 + rng.below(8);
            for _ in 0..n {
                b.insert(i, rng.next() as u8);
            }
        }
        4 if b.len() > 1 => {
            let i = rng.below(b.len());
            let n = (1 + rng.below(8)).min(b.len() - i);
            b.drain(i..i + n);
        }
        // Attribute-level.
        5 if !spans.is_empty() => {
            // Change a length field.
            let (off, _) = spans[rng.below(spans.len())];
            let len = u16::from_ne_bytes([b[off], b[off + 1]]);
            let new = match rng.below(4) {
                0 => len.wrapping_add(1 + rng.below(4) as u16),
                1 => len.wrapping_sub(1 + rng.below(4) as u16),
                2 => rng.below(8) as u16,
                _ => 0xffff,
            };
            b[off..off + 2].copy_from_slice(&new.to_ne_bytes());
        }
        6 if !spans.is_empty() => {
            // Toggle NLA_F_NESTED / NLA_F_NET_BYTEORDER or change the type.
            let (off, _) = spans[rng.below(spans.len())];
            let mut ty = u16::from_ne_bytes([b[off + 2], b[off + 3]]);
            match rng.below(3) {
                0 => ty ^= 0x8000,
                1 => ty ^= 0x4000,
                _ => ty = (ty & 0xc000) | rng.below(24) as u16,
            }
            b[off + 2..off + 4].copy_from_slice(&ty.to_ne_bytes());
        }
        7 if !spans.is_empty() => {
            // Duplicate an attribute.
            let (off, padded) = spans[rng.below(spans.len())];
            let a = b[off..off + padded].to_vec();
            let at = spans[rng.below(spans.len())].0;
            b.splice(at..at, a);
        }
        8 if spans.len() > 1 => {
            // Swap two attributes.
            let i = rng.below(spans.len());
            let j = rng.below(spans.len());
            let (i, j) = (i.min(j), i.max(j));
            if i != j {
                let (oi, pi) = spans[i];
                let (oj, pj) = spans[j];
                let mut out = b[..oi].to_vec();
                out.extend_from_slice(&b[oj..oj + pj]);
                out.extend_from_slice(&b[oi + pi..oj]);
                out.extend_from_slice(&b[oi..oi + pi]);
                out.extend_from_slice(&b[oj + pj..]);
                *b = out;
            }
        }
        9 if !spans.is_empty() => {
            // Drop an attribute.
            let (off, padded) = spans[rng.below(spans.len())];
            b.drain(off..off + padded);
        }
        10 => {
            // Splice an attribute (or a prefix) of the donor in.
            let ds = attr_spans(donor);
            let piece: Vec<u8> = if ds.is_empty() {
                donor[..rng.below(donor.len() + 1)].to_vec()
            } else {
                let (o, p) = ds[rng.below(ds.len())];
                donor[o..o + p].to_vec()
            };
            let at = if spans.is_empty() || rng.one_in(4) {
                b.len()
            } else {
                spans[rng.below(spans.len())].0
            };
            b.splice(at..at, piece);
        }
        11 if !spans.is_empty() => {
            // Non-zero padding bytes, or a missing final pad.
            let (off, padded) = spans[rng.below(spans.len())];
            let len = u16::from_ne_bytes([b[off], b[off + 1]]) as usize;
            if padded > len {
                if rng.one_in(2) {
                    b[off + len] = 0xaa;
                } else if off + padded == b.len() {
                    b.truncate(off + len);
                }
            }
        }
        12 if !spans.is_empty() => {
            // Resize a payload (keeps the stream well framed).
            let (off, padded) = spans[rng.below(spans.len())];
            let len = u16::from_ne_bytes([b[off], b[off + 1]]) as usize;
            let mut payload = b[off + 4..off + len].to_vec();
            if rng.one_in(2) && !payload.is_empty() {
                payload.truncate(rng.below(payload.len()));
            } else {
                for _ in 0..1 + rng.below(9) {
                    payload.push(rng.next() as u8);
                }
            }
            let mut a = Writer::new();
            a.put_raw(u16::from_ne_bytes([b[off + 2], b[off + 3]]), &payload);
            b.splice(off..off + padded, a.buf);
        }
        _ => {
            // Append a random small attribute.
            let mut a = Writer::new();
            let n = rng.below(12);
            let p: Vec<u8> = (0..n).map(|_| rng.next() as u8).collect();
            a.put_raw(rng.below(20) as u16 | if rng.one_in(3) { N } else { 0 }, &p);
            b.extend_from_slice(&a.buf);
        }
    }
    if b.len() > 8192 {
        b.truncate(8192);
    }
}
