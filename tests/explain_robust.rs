//! explain never panics: random expression lists (registers, operators,
//! lengths, verdicts and userdata all random) go through the reader, the
//! printer and the suggester of every modelled release.

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
    w.put_raw(0x8000 | n, &inner.buf);
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
                dd.put_raw(0x8002, &v.buf);
                d.put_raw(0x8002, &dd.buf);
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
    let mut e = Writer::new();
    let mut nm = name.as_bytes().to_vec();
    nm.push(0);
    e.put_raw(1, &nm);
    e.put_raw(0x8002, &d.buf);
    Expr::parse_elem(1, Bytes::from(e.buf))
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
