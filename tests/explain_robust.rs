//! The rule readers never panic: random expression lists (registers,
//! operators, lengths, verdicts, xt blobs and userdata all random) go
//! through explain (the reader, the printer and the suggester of every
//! modelled release), the nft-like listing (text and JSON, with each output
//! option) and the iptables model (decode and the iptables-save line).

use bytes::Bytes;
use nftwire::diagnose::explain::{explain_rule, Options};
use nftwire::diagnose::extprint::IptablesModel;
use nftwire::diagnose::save::NoExtensions;
use nftwire::diagnose::IptVersion;
use nftwire::expr::Expr;
use nftwire::nla::Writer;
use nftwire::object::Rule;

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
    fn bytes(&mut self, max: u64) -> Vec<u8> {
        let n = self.below(max + 1);
        (0..n).map(|_| self.next() as u8).collect()
    }
    fn reg(&mut self) -> u32 {
        [0u32, 1, 2, 3, 4, 5, 8, 9, 12, 23, 24, 99][self.below(12) as usize]
    }
}

fn u32a(w: &mut Writer, n: u16, v: u32) {
    w.put_raw(n, &v.to_be_bytes());
}

fn data(w: &mut Writer, n: u16, v: &[u8]) {
    let mut inner = Writer::new();
    inner.put_raw(1, v);
    // Nests as the kernel dumps them (`nla_nest_start_noflag`): a flagged
    // one is not the kernel's form and decodes as a raw expression.
    w.put_raw(n, &inner.buf);
}

fn expr(r: &mut Rng) -> Expr {
    let names = [
        "payload",
        "meta",
        "cmp",
        "bitwise",
        "immediate",
        "range",
        "lookup",
        "limit",
        "log",
        "counter",
        "ct",
        "fib",
        "match",
        "target",
        "nat",
        "byteorder",
        "quota",
        "exthdr",
    ];
    let name = names[r.below(names.len() as u64) as usize];
    let mut d = Writer::new();
    match name {
        "payload" => {
            u32a(&mut d, 1, r.reg());
            u32a(&mut d, 2, r.below(5) as u32);
            u32a(&mut d, 3, r.below(40) as u32);
            u32a(&mut d, 4, r.below(20) as u32);
            if r.below(4) == 0 {
                u32a(&mut d, 5, r.reg());
            }
        }
        "meta" | "ct" | "fib" | "byteorder" | "exthdr" => {
            u32a(&mut d, 1, r.reg());
            u32a(&mut d, 2, r.below(40) as u32);
            if r.below(3) == 0 {
                u32a(&mut d, 3, r.reg());
                u32a(&mut d, 4, r.reg());
                u32a(&mut d, 7, r.reg());
            }
        }
        "cmp" | "range" => {
            u32a(&mut d, 1, r.reg());
            u32a(&mut d, 2, r.below(8) as u32);
            let v = r.bytes(20);
            data(&mut d, 3, &v);
            let v = r.bytes(20);
            data(&mut d, 4, &v);
        }
        "bitwise" => {
            u32a(&mut d, 1, r.reg());
            u32a(&mut d, 2, r.reg());
            if r.below(4) != 0 {
                let v = r.bytes(20);
                data(&mut d, 4, &v);
                let v = r.bytes(20);
                data(&mut d, 5, &v);
            }
        }
        "immediate" => {
            u32a(&mut d, 1, r.reg());
            if r.below(2) == 0 {
                let v = r.bytes(20);
                data(&mut d, 2, &v);
            } else {
                let mut v = Writer::new();
                v.put_raw(1, &((r.below(12) as i32) - 6).to_be_bytes());
                if r.below(2) == 0 {
                    v.put_raw(2, b"X\0");
                }
                let mut dd = Writer::new();
                dd.put_raw(2, &v.buf);
                d.put_raw(2, &dd.buf);
            }
        }
        "lookup" => {
            d.put_raw(1, b"__set0\0");
            u32a(&mut d, 2, r.reg());
            if r.below(2) == 0 {
                u32a(&mut d, 3, r.reg());
            }
            u32a(&mut d, 5, r.below(2) as u32);
        }
        "limit" | "quota" => {
            d.put_raw(1, &r.below(3).to_be_bytes());
            d.put_raw(2, &r.below(100).to_be_bytes());
            u32a(&mut d, 3, r.below(10) as u32);
            u32a(&mut d, 4, r.below(2) as u32);
            u32a(&mut d, 5, r.below(2) as u32);
        }
        "log" => {
            if r.below(2) == 0 {
                d.put_raw(1, &(r.below(5) as u16).to_be_bytes());
            }
            let p = r.bytes(200);
            d.put_raw(2, &p);
        }
        "match" | "target" => {
            let ext = [
                "conntrack",
                "comment",
                "tcp",
                "udp",
                "multiport",
                "MARK",
                "DNAT",
                "LOG",
                "bogus",
                "mark",
                "icmp",
                "set",
            ];
            let n = ext[r.below(ext.len() as u64) as usize];
            let mut s = n.as_bytes().to_vec();
            s.push(0);
            d.put_raw(1, &s);
            u32a(&mut d, 2, r.below(4) as u32);
            let info = r.bytes(300);
            d.put_raw(3, &info);
        }
        "nat" => {
            u32a(&mut d, 1, r.below(2) as u32);
            u32a(&mut d, 3, r.reg());
            u32a(&mut d, 5, r.reg());
            u32a(&mut d, 7, r.below(64) as u32);
        }
        _ => {
            d.put_raw(1, &r.next().to_be_bytes());
        }
    }
    elem(name, d)
}

/// One expression element named `name` with the attributes in `d`.
fn elem(name: &str, d: Writer) -> Expr {
    let mut e = Writer::new();
    let mut nm = name.as_bytes().to_vec();
    nm.push(0);
    e.put_raw(1, &nm);
    e.put_raw(2, &d.buf);
    Expr::parse_elem(1, Bytes::from(e.buf))
}

/// `payload load LEN @ BASE + OFFSET => reg 1`
fn payload(base: u32, offset: u32, len: u32) -> Expr {
    let mut d = Writer::new();
    u32a(&mut d, 1, 1);
    u32a(&mut d, 2, base);
    u32a(&mut d, 3, offset);
    u32a(&mut d, 4, len);
    elem("payload", d)
}

/// `meta load KEY => reg 1`
fn meta(key: u32) -> Expr {
    let mut d = Writer::new();
    u32a(&mut d, 1, 1);
    u32a(&mut d, 2, key);
    elem("meta", d)
}

/// `cmp OP reg 1 VALUE`
fn cmp(op: u32, v: &[u8]) -> Expr {
    let mut d = Writer::new();
    u32a(&mut d, 1, 1);
    u32a(&mut d, 2, op);
    data(&mut d, 3, v);
    elem("cmp", d)
}

/// An xt match or target with its info blob.
fn xt(target: bool, name: &str, rev: u32, info: &[u8]) -> Expr {
    let mut d = Writer::new();
    let mut s = name.as_bytes().to_vec();
    s.push(0);
    d.put_raw(1, &s);
    u32a(&mut d, 2, rev);
    d.put_raw(3, info);
    elem(if target { "target" } else { "match" }, d)
}

/// A rule shaped like the ones iptables-nft writes (address, interface,
/// protocol and port matches, an xt match, counter, verdict or xt target)
/// with random values, and sometimes one expression replaced by a random
/// one or dropped: it exercises the iptables decoder past its first check.
fn iptables_shaped(r: &mut Rng) -> Vec<Expr> {
    let mut v = Vec::new();
    if r.below(2) == 0 {
        v.push(payload(1, [12, 16][r.below(2) as usize], 4));
        v.push(cmp(r.below(2) as u32, &r.next().to_be_bytes()[..4]));
    }
    if r.below(2) == 0 {
        let mut name = [0u8; 16];
        name[..4].copy_from_slice(b"eth0");
        let len = [16usize, 4, 3][r.below(3) as usize];
        v.push(meta([6, 7][r.below(2) as usize]));
        v.push(cmp(r.below(2) as u32, &name[..len]));
    }
    if r.below(2) == 0 {
        v.push(meta(16));
        v.push(cmp(0, &[[6u8, 17, 1, 132][r.below(4) as usize]]));
        if r.below(2) == 0 {
            v.push(payload(2, [0, 2][r.below(2) as usize], 2));
            v.push(cmp(
                [0, 5][r.below(2) as usize],
                &(r.next() as u16).to_be_bytes(),
            ));
        }
    }
    if r.below(3) == 0 {
        let (name, len) = [
            ("comment", 256usize),
            ("tcp", 16),
            ("conntrack", 200),
            ("mark", 16),
            ("multiport", 40),
        ][r.below(5) as usize];
        let info: Vec<u8> = (0..len).map(|_| r.next() as u8 & 0x7f).collect();
        v.push(xt(false, name, r.below(4) as u32, &info));
    }
    let mut counter = Writer::new();
    counter.put_raw(1, &0u64.to_be_bytes());
    counter.put_raw(2, &0u64.to_be_bytes());
    v.push(elem("counter", counter));
    match r.below(4) {
        0 => {
            let (name, len) =
                [("MARK", 8usize), ("DNAT", 40), ("LOG", 32), ("REJECT", 4)][r.below(4) as usize];
            let info = r.bytes(len as u64);
            v.push(xt(true, name, r.below(3) as u32, &info));
        }
        k => {
            let mut vd = Writer::new();
            vd.put_raw(1, &[1i32, 0, -3][k as usize - 1].to_be_bytes());
            if k == 3 {
                vd.put_raw(2, b"KUBE-SERVICES\0");
            }
            let mut dd = Writer::new();
            dd.put_raw(2, &vd.buf);
            let mut d = Writer::new();
            u32a(&mut d, 1, 0);
            d.put_raw(2, &dd.buf);
            v.push(elem("immediate", d));
        }
    }
    match r.below(6) {
        0 => {
            let i = r.below(v.len() as u64) as usize;
            v[i] = expr(r);
        }
        1 => {
            let i = r.below(v.len() as u64) as usize;
            v.remove(i);
        }
        _ => {}
    }
    v
}

#[test]
fn random_rules_never_panic() {
    let mut r = Rng(0x9e37_79b9_7f4a_7c15);
    let none = |_: u32| None;
    for i in 0..6000 {
        let n = 1 + r.below(8);
        let exprs: Vec<Expr> = (0..n).map(|_| expr(&mut r)).collect();
        let family = if i % 2 == 0 { 2 } else { 10 };
        let table = ["filter", "nat", "mangle", "raw", "security"][r.below(5) as usize];
        let mut rule = Rule::new(family, table, "FORWARD", exprs);
        if r.below(3) == 0 {
            rule.attrs.userdata = Some(Bytes::from(r.bytes(40)));
        }
        for v in IptVersion::ALL {
            for ext in [
                &NoExtensions as &dyn nftwire::diagnose::save::ExtPrinter,
                &IptablesModel,
            ] {
                let opts = Options {
                    version: v,
                    family: None,
                    table: None,
                    chain: None,
                    ifname: &none,
                    ext,
                };
                let rep = explain_rule(&rule, &[], &opts, None);
                assert!(!rep.reason.is_empty());
                let _ = rep.to_json().to_text();
            }
        }
    }
}

#[test]
fn random_rules_list_and_decode_as_iptables_without_panic() {
    use nftwire::consts::msg;
    use nftwire::iptables::decode::{decode, Decoded};
    use nftwire::iptables::save::{rule_line as ipt_line, Counters};
    use nftwire::object::Chain;
    use nftwire::render::json::rule_json;
    use nftwire::render::nft::delinearize::Sets;
    use nftwire::render::nft::model::ChainM;
    use nftwire::render::nft::text::rule_line;
    use nftwire::render::nft::wire_rule::RuleView;
    use nftwire::render::nft::Octx;
    // NFTWIRE_FUZZ_SEED and NFTWIRE_FUZZ_ITERS override the seed and the
    // number of rules (as in tests/fuzz_decode.rs).
    let env = |name: &str| std::env::var(name).ok().and_then(|v| v.parse::<u64>().ok());
    let mut r = Rng(env("NFTWIRE_FUZZ_SEED").unwrap_or(0x2545_f491_4f6c_dd1d) | 1);
    let iters = env("NFTWIRE_FUZZ_ITERS").unwrap_or(20_000) as usize;
    let sets = Sets::new();
    let options = [
        Octx::default(),
        Octx::default().numeric(),
        Octx {
            handle: true,
            stateless: true,
            ..Octx::default()
        },
    ];
    let (mut listed, mut as_iptables) = (0usize, 0usize);
    for i in 0..iters {
        let exprs: Vec<Expr> = if i % 2 == 0 {
            iptables_shaped(&mut r)
        } else {
            let n = 1 + r.below(8);
            (0..n).map(|_| expr(&mut r)).collect()
        };
        let n = exprs.len();
        let family = [2u8, 10, 2, 1, 10, 0, 7][i % 7];
        let table = ["filter", "nat", "mangle", "raw", "security"][r.below(5) as usize];
        let mut rule = Rule::new(family, table, "FORWARD", exprs);
        // Userdata (comments, random bytes) on the random rules only: the
        // iptables model never reads a rule that has any.
        if i % 2 == 1 && r.below(3) == 0 {
            rule.attrs.userdata = Some(Bytes::from(r.bytes(40)));
        }
        let chain = Chain::regular(family, table, "FORWARD");
        let ch = ChainM {
            chain: &chain,
            comment: None,
            rules: Vec::new(),
        };
        let m = rule.to_msg(msg::NEWRULE, 0);
        let (rm, _) = RuleView::parse(&m).decode(&sets);
        assert_eq!(rm.nexprs, n, "every expression is seen");
        for oc in &options {
            let mut text = String::new();
            rule_line(&mut text, &rm, oc);
            assert!(text.starts_with("\t\t") && text.ends_with('\n'), "{text:?}");
            let mut json = String::new();
            rule_json(&ch, &rm, oc).write(&mut json);
            assert!(json.starts_with('{') && json.ends_with('}'), "{json}");
        }
        listed += 1;
        let dd = decode(&rule, table);
        if let Decoded::Rule(ir) = dd {
            let line = ipt_line(&ir, "FORWARD", table, Counters::Prefix);
            assert!(line.contains("-A FORWARD"), "{line}");
            as_iptables += 1;
        }
    }
    eprintln!("{listed} random rules listed, {as_iptables} decoded as iptables rules");
    assert!(
        as_iptables > 0,
        "the generator never produced an iptables rule"
    );
}
