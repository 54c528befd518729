//! iptables-compatible equivalents of rules iptables cannot read.
//!
//! The rule is decoded with nf_tables' own register semantics (unlike
//! [`super::reader`], which reproduces iptables' misreadings) into
//! predicates (`cmp`, `range`, set lookups on loaded values) and statements
//! (verdicts, logging, NAT, marks...), and each is mapped to the iptables
//! option or extension with the same meaning: `ct state` →
//! `-m conntrack --ctstate`, `fib daddr type local` → `-m addrtype
//! --dst-type LOCAL`, an address range → `-m iprange`, an anonymous port
//! set → `-m multiport`, `masquerade` → `-j MASQUERADE`, and so on. When
//! one nft rule needs several iptables rules (a log statement plus a
//! verdict, a protocol set) the suggestion lists them in order. Anything
//! without an equivalent makes the whole suggestion `None`.
//!
//! Suggestions are advice: they are never applied, and a few need
//! something iptables keeps elsewhere (an ipset of the same name, the raw
//! table), which the notes say.

use super::json::Json;
use super::nlexpr::{value_u32_host, DataReg, NlExpr};
use crate::object::Rule;
use crate::ruleset::SetWithElems;
use bytes::Bytes;
use std::collections::HashMap;

/// A suggested replacement, in iptables syntax.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Suggestion {
    /// The replacement rule(s), each `-A CHAIN ...`, in order.
    pub rules: Vec<String>,
    /// Caveats (e.g. "needs an ipset named X").
    pub notes: Vec<String>,
}

impl Suggestion {
    /// JSON form.
    pub fn to_json(&self) -> Json {
        Json::obj(vec![
            ("rules", Json::Arr(self.rules.iter().map(Json::s).collect())),
            ("notes", Json::Arr(self.notes.iter().map(Json::s).collect())),
        ])
    }
}

/// A value in a register, as nf_tables computes it.
#[derive(Clone, Debug, PartialEq)]
enum Val {
    Meta(u32),
    Payload {
        base: u32,
        offset: u32,
        len: u32,
    },
    Ct {
        key: u32,
        dir: Option<u8>,
    },
    Fib {
        result: u32,
        flags: u32,
    },
    Rt(u32),
    Imm(Bytes),
    Masked {
        inner: Box<Val>,
        mask: Bytes,
        xor: Bytes,
    },
    Swapped(Box<Val>),
}

/// A compare-like test.
#[derive(Clone, Debug)]
enum Pred {
    Cmp {
        val: Val,
        op: u32,
        data: Bytes,
    },
    Range {
        val: Val,
        neq: bool,
        from: Bytes,
        to: Bytes,
    },
    Set {
        val: Val,
        set: String,
        neq: bool,
    },
    Vmap {
        val: Val,
        set: String,
    },
}

/// An action.
#[derive(Clone, Debug)]
enum Stmt {
    Verdict {
        code: i32,
        chain: Option<String>,
    },
    Log {
        group: Option<u16>,
        prefix: Option<String>,
        level: Option<u32>,
        snaplen: Option<u32>,
        qthreshold: Option<u16>,
    },
    Limit {
        rate: u64,
        unit: u64,
        burst: u32,
        bytes: bool,
        over: bool,
    },
    Quota {
        bytes: u64,
        over: bool,
    },
    Reject {
        ty: u32,
        code: u8,
    },
    Nat {
        dnat: bool,
        addr: Option<(Bytes, Bytes)>,
        ports: Option<(u16, u16)>,
        flags: u32,
    },
    Masq {
        ports: Option<(u16, u16)>,
        flags: u32,
    },
    Redir {
        ports: Option<(u16, u16)>,
    },
    Notrack,
    MetaSet {
        key: u32,
        val: Val,
    },
    CtSet {
        key: u32,
        val: Val,
    },
    MssSet(Val),
    PayloadSet {
        offset: u32,
        len: u32,
        base: u32,
        val: Val,
    },
    Queue {
        num: u16,
    },
}

const OP_EQ: u32 = 0;
const OP_NEQ: u32 = 1;
const OP_LT: u32 = 2;
const OP_LTE: u32 = 3;
const OP_GT: u32 = 4;
const OP_GTE: u32 = 5;

/// Why there is no suggestion.
type Blocked = String;

fn reg32(reg: u32) -> Option<u32> {
    match reg {
        1..=4 => Some(8 + (reg - 1) * 4),
        8..=23 => Some(reg),
        _ => None,
    }
}

struct Decoder {
    regs: HashMap<u32, Val>,
    preds: Vec<Pred>,
    stmts: Vec<Stmt>,
}

impl Decoder {
    fn get(&self, reg: u32) -> Result<Val, Blocked> {
        reg32(reg)
            .and_then(|r| self.regs.get(&r).cloned())
            .ok_or_else(|| format!("a register read before it is written (reg {reg})"))
    }

    fn set(&mut self, reg: u32, v: Val) -> Result<(), Blocked> {
        let r = reg32(reg).ok_or_else(|| format!("register {reg}"))?;
        self.regs.insert(r, v);
        Ok(())
    }

    fn port_reg(&self, n: &NlExpr, attr: u16) -> Result<Option<u16>, Blocked> {
        if !n.is_set(attr) {
            return Ok(None);
        }
        match self.get(n.u32(attr))? {
            Val::Imm(b) if b.len() == 2 => Ok(Some(u16::from_be_bytes([b[0], b[1]]))),
            _ => Err("a NAT port that is not a constant".into()),
        }
    }

    fn expr(&mut self, n: &NlExpr) -> Result<(), Blocked> {
        match n.name.as_str() {
            "counter" | "last" => {}
            "payload" => {
                let base = n.u32(2);
                let offset = n.u32(3);
                let len = n.u32(4);
                if n.is_set(5) {
                    let val = self.get(n.u32(5))?;
                    self.stmts.push(Stmt::PayloadSet {
                        offset,
                        len,
                        base,
                        val,
                    });
                } else {
                    self.set(n.u32(1), Val::Payload { base, offset, len })?;
                }
            }
            "meta" => {
                if n.is_set(3) {
                    let val = self.get(n.u32(3))?;
                    self.stmts.push(Stmt::MetaSet { key: n.u32(2), val });
                } else {
                    self.set(n.u32(1), Val::Meta(n.u32(2)))?;
                }
            }
            "ct" => {
                if n.is_set(4) {
                    let val = self.get(n.u32(4))?;
                    self.stmts.push(Stmt::CtSet { key: n.u32(2), val });
                } else {
                    let dir = n.raw(3).and_then(|b| b.first().copied());
                    self.set(n.u32(1), Val::Ct { key: n.u32(2), dir })?;
                }
            }
            "fib" => self.set(
                n.u32(1),
                Val::Fib {
                    result: n.u32(2),
                    flags: n.u32(3),
                },
            )?,
            "rt" => self.set(n.u32(1), Val::Rt(n.u32(2)))?,
            "immediate" => match n.data(2) {
                Some(DataReg::Value(v)) => self.set(n.u32(1), Val::Imm(v))?,
                Some(DataReg::Verdict { code, chain }) => {
                    self.stmts.push(Stmt::Verdict { code, chain })
                }
                None => return Err("an immediate without data".into()),
            },
            "bitwise" => {
                if n.u32(6) != 0 {
                    return Err("a bit shift".into());
                }
                let inner = self.get(n.u32(1))?;
                let v = Val::Masked {
                    inner: Box::new(inner),
                    mask: n.value(4),
                    xor: n.value(5),
                };
                self.set(n.u32(2), v)?;
            }
            "byteorder" => {
                let inner = self.get(n.u32(1))?;
                self.set(n.u32(2), Val::Swapped(Box::new(inner)))?;
            }
            "cmp" => {
                let val = self.get(n.u32(1))?;
                self.preds.push(Pred::Cmp {
                    val,
                    op: n.u32(2),
                    data: n.value(3),
                });
            }
            "range" => {
                let val = self.get(n.u32(1))?;
                self.preds.push(Pred::Range {
                    val,
                    neq: n.u32(2) == 1,
                    from: n.value(3),
                    to: n.value(4),
                });
            }
            "lookup" => {
                if n.is_set(3) && n.u32(3) == 0 {
                    let val = self.get(n.u32(2))?;
                    self.preds.push(Pred::Vmap {
                        val,
                        set: n.str(1).unwrap_or_default(),
                    });
                    return Ok(());
                }
                if n.is_set(3) {
                    return Err("a map".into());
                }
                let val = self.get(n.u32(2))?;
                self.preds.push(Pred::Set {
                    val,
                    set: n.str(1).unwrap_or_default(),
                    neq: n.u32(5) & 1 != 0,
                });
            }
            "limit" => self.stmts.push(Stmt::Limit {
                rate: n.u64(1),
                unit: n.u64(2),
                burst: n.u32(3),
                bytes: n.u32(4) == 1,
                over: n.u32(5) & 1 != 0,
            }),
            "log" => self.stmts.push(Stmt::Log {
                group: n.is_set(1).then(|| n.u16(1)),
                prefix: n.str(2),
                level: n.is_set(5).then(|| n.u32(5)),
                snaplen: n.is_set(3).then(|| n.u32(3)),
                qthreshold: n.is_set(4).then(|| n.u16(4)),
            }),
            "quota" => self.stmts.push(Stmt::Quota {
                bytes: n.u64(1),
                over: n.u32(2) & 1 != 0,
            }),
            "reject" => self.stmts.push(Stmt::Reject {
                ty: n.u32(1),
                code: n.raw(2).and_then(|b| b.first().copied()).unwrap_or(0),
            }),
            "nat" => {
                let addr = if n.is_set(3) {
                    let lo = match self.get(n.u32(3))? {
                        Val::Imm(b) => b,
                        _ => return Err("a NAT address that is not a constant".into()),
                    };
                    let hi = if n.is_set(4) {
                        match self.get(n.u32(4))? {
                            Val::Imm(b) => b,
                            _ => return Err("a NAT address that is not a constant".into()),
                        }
                    } else {
                        lo.clone()
                    };
                    Some((lo, hi))
                } else {
                    None
                };
                let lo = self.port_reg(n, 5)?;
                let hi = self.port_reg(n, 6)?;
                self.stmts.push(Stmt::Nat {
                    dnat: n.u32(1) == 1,
                    addr,
                    ports: lo.map(|l| (l, hi.unwrap_or(l))),
                    flags: n.u32(7),
                });
            }
            "masq" => {
                let lo = self.port_reg(n, 2)?;
                let hi = self.port_reg(n, 3)?;
                self.stmts.push(Stmt::Masq {
                    ports: lo.map(|l| (l, hi.unwrap_or(l))),
                    flags: n.u32(1),
                });
            }
            "redir" => {
                let lo = self.port_reg(n, 1)?;
                let hi = self.port_reg(n, 2)?;
                self.stmts.push(Stmt::Redir {
                    ports: lo.map(|l| (l, hi.unwrap_or(l))),
                });
            }
            "notrack" => self.stmts.push(Stmt::Notrack),
            "exthdr" => {
                // Only `tcp option maxseg size set ...` has an iptables twin.
                let is_mss = n.u32(6) == 1
                    && n.raw(2).map(|b| b.as_ref()) == Some(&[2u8][..])
                    && n.u32(3) == 2
                    && n.u32(4) == 2;
                if n.is_set(7) && is_mss {
                    let v = self.get(n.u32(7))?;
                    self.stmts.push(Stmt::MssSet(v));
                } else {
                    return Err("an extension header match or edit".into());
                }
            }
            "queue" => {
                if n.is_set(4) {
                    return Err("a queue number taken from a register".into());
                }
                self.stmts.push(Stmt::Queue { num: n.u16(1) })
            }
            other => return Err(format!("`{other}`")),
        }
        Ok(())
    }
}

/// The builder of one iptables rule (several when the nft rule expands).
#[derive(Clone, Debug, Default)]
struct Line {
    head: Vec<String>,
    proto: Option<(bool, u8)>,
    matches: Vec<String>,
    target: Option<String>,
    /// The target came from a verdict map (nothing may follow it).
    vmap: bool,
}

impl Line {
    fn text(&self, chain: &str, ipv6: bool) -> String {
        let mut o = format!("-A {chain}");
        for h in &self.head {
            o.push(' ');
            o.push_str(h);
        }
        if let Some((inv, p)) = self.proto {
            o.push_str(&format!(
                "{} -p {}",
                if inv { " !" } else { "" },
                proto_name(p, ipv6)
            ));
        }
        for m in &self.matches {
            o.push(' ');
            o.push_str(m);
        }
        if let Some(t) = self.target.as_ref().filter(|t| !t.is_empty()) {
            o.push(' ');
            o.push_str(t);
        }
        o
    }
}

fn proto_name(p: u8, ipv6: bool) -> String {
    match p {
        6 => "tcp".into(),
        17 => "udp".into(),
        1 => "icmp".into(),
        58 if ipv6 => "ipv6-icmp".into(),
        132 => "sctp".into(),
        47 => "gre".into(),
        50 => "esp".into(),
        51 => "ah".into(),
        n => n.to_string(),
    }
}

fn quote(s: &str) -> String {
    if !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-' || b == b'.' || b == b':')
    {
        s.to_string()
    } else {
        format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
    }
}

fn bang(neq: bool) -> &'static str {
    if neq {
        "! "
    } else {
        ""
    }
}

fn addr_text(b: &[u8], ipv6: bool) -> Option<String> {
    if ipv6 {
        let a: [u8; 16] = b.try_into().ok()?;
        Some(super::save::v6_addr(&a))
    } else {
        let a: [u8; 4] = b.try_into().ok()?;
        Some(format!("{}.{}.{}.{}", a[0], a[1], a[2], a[3]))
    }
}

/// Prefix length of an address mask (4 or 16 bytes).
fn prefix_len(mask: &[u8]) -> Option<u32> {
    let f = if mask.len() == 16 {
        crate::iptables::Family::V6
    } else {
        crate::iptables::Family::V4
    };
    crate::iptables::addr::mask_to_cidr(f, mask)
}

/// Set contents: single values and closed ranges.
enum Elem {
    One(Bytes),
    Span(Bytes, Bytes),
}

fn set_elems(sets: &[SetWithElems], family: u8, table: &str, name: &str) -> Option<Vec<Elem>> {
    Some(
        set_items(sets, family, table, name)?
            .into_iter()
            .map(|(e, _)| e)
            .collect(),
    )
}

/// Set or map contents with each element's data (verdicts of a vmap).
fn set_items(
    sets: &[SetWithElems],
    family: u8,
    table: &str,
    name: &str,
) -> Option<Vec<(Elem, Option<crate::data::Data>)>> {
    let s = sets
        .iter()
        .find(|s| s.set.family == family && s.set.table() == table && s.set.name() == name)?;
    let interval = s.set.attrs.flags.unwrap_or(0) & crate::object::set::SET_INTERVAL != 0;
    let mut raw: Vec<(Bytes, bool, Option<Bytes>, Option<crate::data::Data>)> = Vec::new();
    for batch in &s.elems {
        for e in batch.attrs.elems.iter().flat_map(|l| l.0.iter()) {
            let key = e.key.as_ref()?.value.clone()?;
            let end = e.flags.unwrap_or(0) & 1 != 0;
            let key_end = e.key_end.as_ref().and_then(|d| d.value.clone());
            raw.push((key, end, key_end, e.data.clone()));
        }
    }
    raw.sort_by(|a, b| a.0.cmp(&b.0));
    let mut out = Vec::new();
    if !interval {
        for (k, _, _, d) in raw {
            out.push((Elem::One(k), d));
        }
        return Some(out);
    }
    let mut i = 0;
    while i < raw.len() {
        let (k, end, key_end, data) = &raw[i];
        if *end {
            i += 1;
            continue;
        }
        if let Some(ke) = key_end {
            let e = if ke == k {
                Elem::One(k.clone())
            } else {
                Elem::Span(k.clone(), ke.clone())
            };
            out.push((e, data.clone()));
            i += 1;
            continue;
        }
        // The range ends just before the next interval-end element.
        let next_end = raw[i + 1..].iter().find(|x| x.1).map(|x| x.0.clone());
        let last = match next_end {
            Some(e) => decrement(&e)?,
            None => Bytes::from(vec![0xff; k.len()]),
        };
        let e = if last == *k {
            Elem::One(k.clone())
        } else {
            Elem::Span(k.clone(), last)
        };
        out.push((e, data.clone()));
        i += 1;
    }
    Some(out)
}

fn decrement(b: &[u8]) -> Option<Bytes> {
    let mut v = b.to_vec();
    for x in v.iter_mut().rev() {
        if *x > 0 {
            *x -= 1;
            return Some(Bytes::from(v));
        }
        *x = 0xff;
    }
    None
}

const CT_STATES: [(u32, &str); 6] = [
    (1, "INVALID"),
    (2, "ESTABLISHED"),
    (4, "RELATED"),
    (8, "NEW"),
    (64, "UNTRACKED"),
    (0, ""),
];

fn ct_states(bits: u32) -> Option<String> {
    let mut names = Vec::new();
    let mut rest = bits;
    for (b, n) in CT_STATES.iter().filter(|(b, _)| *b != 0) {
        if rest & b != 0 {
            names.push(*n);
            rest &= !b;
        }
    }
    (rest == 0 && !names.is_empty()).then(|| names.join(","))
}

const RTN_TYPES: [&str; 10] = [
    "UNSPEC",
    "UNICAST",
    "LOCAL",
    "BROADCAST",
    "ANYCAST",
    "MULTICAST",
    "BLACKHOLE",
    "UNREACHABLE",
    "PROHIBIT",
    "THROW",
];

/// Expansion state while translating.
struct Tx<'a> {
    ipv6: bool,
    table: &'a str,
    chain: &'a str,
    family: u8,
    sets: &'a [SetWithElems],
    ifname: &'a dyn Fn(u32) -> Option<String>,
    notes: Vec<String>,
}

impl Tx<'_> {
    /// iptables refuses `-o` in PREROUTING/INPUT and `-i` in
    /// OUTPUT/POSTROUTING (builtin chains only).
    fn iface_allowed(&self, input: bool) -> bool {
        let c = self.chain;
        if input {
            c != "OUTPUT" && c != "POSTROUTING"
        } else {
            c != "PREROUTING" && c != "INPUT"
        }
    }

    fn pred(
        &mut self,
        p: &Pred,
        lines: Vec<Line>,
        pending: &mut Vec<Pred>,
    ) -> Result<Vec<Line>, Blocked> {
        let mut out = Vec::new();
        for l in lines {
            out.extend(self.pred_one(p, l, pending)?);
        }
        Ok(out)
    }

    fn pred_one(
        &mut self,
        p: &Pred,
        mut l: Line,
        pending: &mut Vec<Pred>,
    ) -> Result<Vec<Line>, Blocked> {
        let ipv6 = self.ipv6;
        match p {
            Pred::Cmp { val, op, data } => {
                let eqne = *op == OP_EQ || *op == OP_NEQ;
                let neq = *op == OP_NEQ;
                match val {
                    Val::Meta(6) | Val::Meta(7) if eqne => {
                        let name = iface_name(data);
                        let input = matches!(val, Val::Meta(6));
                        let flag = if input { "-i" } else { "-o" };
                        if !self.iface_allowed(input) {
                            // The kernel leaves this interface empty here.
                            if neq {
                                self.notes.push(format!(
                                    "the {flag} test is dropped: that interface is always empty in chain {}, so the nft test is always true",
                                    self.chain
                                ));
                                return Ok(vec![l]);
                            }
                            return Err(format!(
                                "an interface test that never matches in chain {}",
                                self.chain
                            ));
                        }
                        l.head.push(format!("{}{flag} {name}", bang(neq)));
                    }
                    Val::Meta(4) | Val::Meta(5) if eqne => {
                        if !self.iface_allowed(matches!(val, Val::Meta(4))) {
                            return Err(format!(
                                "an interface test iptables does not allow in chain {}",
                                self.chain
                            ));
                        }
                        let idx = value_u32_host(data);
                        let name =
                            (self.ifname)(idx).ok_or_else(|| format!("interface index {idx}"))?;
                        let flag = if matches!(val, Val::Meta(4)) {
                            "-i"
                        } else {
                            "-o"
                        };
                        l.head.push(format!("{}{flag} {name}", bang(neq)));
                        self.notes.push(format!(
                            "`{flag} {name}` matches the name, nft matched interface index {idx}"
                        ));
                    }
                    Val::Meta(16) if eqne && data.len() == 1 => l.proto = Some((neq, data[0])),
                    Val::Payload {
                        base: 1,
                        offset,
                        len: 1,
                    } if eqne
                        && data.len() == 1
                        && ((!ipv6 && *offset == 9) || (ipv6 && *offset == 6)) =>
                    {
                        if ipv6 {
                            self.notes.push(
                                "ip6tables -p matches the protocol after any extension headers; `ip6 nexthdr` only the first header".into(),
                            );
                        }
                        l.proto = Some((neq, data[0]))
                    }
                    Val::Meta(8)
                        if *op == OP_EQ
                            && data.len() == 2
                            && u16::from_ne_bytes([at(data, 0), at(data, 1)]) == 1 =>
                    {
                        // nft's implicit `meta iiftype ether` before an ether
                        // header test; `-m mac` implies it.
                    }
                    Val::Payload {
                        base: 0,
                        offset: 6,
                        len: 6,
                    } if eqne && data.len() == 6 => {
                        let mac: Vec<String> = data.iter().map(|b| format!("{b:02x}")).collect();
                        l.matches.push(format!(
                            "-m mac {}--mac-source {}",
                            bang(neq),
                            mac.join(":")
                        ));
                    }
                    Val::Payload {
                        base: 1,
                        offset: 2,
                        len: 2,
                    } if !ipv6 && data.len() == 2 => {
                        let v = u16::from_be_bytes([at(data, 0), at(data, 1)]);
                        let spec = match *op {
                            OP_EQ | OP_NEQ => v.to_string(),
                            OP_GT => format!("{}:65535", v.saturating_add(1)),
                            OP_GTE => format!("{v}:65535"),
                            OP_LT => format!("0:{}", v.saturating_sub(1)),
                            OP_LTE => format!("0:{v}"),
                            _ => return Err("a length comparison".into()),
                        };
                        l.matches
                            .push(format!("-m length {}--length {spec}", bang(neq)));
                    }
                    Val::Payload {
                        base: 1,
                        offset,
                        len,
                    } if is_addr(*offset, ipv6) => {
                        let alen = if ipv6 { 16 } else { 4 };
                        let flag = addr_flag(*offset, ipv6);
                        if eqne {
                            let mut a = data.to_vec();
                            a.resize(alen, 0);
                            let plen = (*len as usize).min(alen) * 8;
                            l.head.push(format!(
                                "{}{flag} {}/{plen}",
                                bang(neq),
                                addr_text(&a, ipv6).ok_or("address")?
                            ));
                        } else if *op == OP_GTE {
                            // Pair it with the matching <= that follows.
                            if let Some(pos) = pending.iter().position(
                                |q| matches!(q, Pred::Cmp { val: v2, op: OP_LTE, .. } if v2 == val),
                            ) {
                                let Pred::Cmp { data: hi, .. } = pending.remove(pos) else {
                                    unreachable!()
                                };
                                l.matches.push(format!(
                                    "-m iprange --{}-range {}-{}",
                                    if flag == "-s" { "src" } else { "dst" },
                                    addr_text(data, ipv6).ok_or("address")?,
                                    addr_text(&hi, ipv6).ok_or("address")?
                                ));
                            } else {
                                return Err("an open-ended address comparison".into());
                            }
                        } else {
                            return Err("an address comparison".into());
                        }
                    }
                    Val::Masked { inner, mask, xor } if xor.iter().all(|&b| b == 0) => {
                        return self.masked_cmp(inner, mask, *op, data, l);
                    }
                    Val::Payload {
                        base: 2,
                        offset,
                        len,
                    } => {
                        let proto = l
                            .proto
                            .filter(|p| !p.0)
                            .map(|p| p.1)
                            .ok_or("a transport header test without a protocol")?;
                        match (proto, offset, len) {
                            (6 | 17, 0 | 2, 2) => {
                                let port = u16::from_be_bytes([at(data, 0), at(data, 1)]);
                                let dir = if *offset == 0 { "--sport" } else { "--dport" };
                                let pname = if proto == 6 { "tcp" } else { "udp" };
                                let spec = match *op {
                                    OP_EQ | OP_NEQ => port.to_string(),
                                    OP_GTE => {
                                        if let Some(pos) = pending.iter().position(|q| {
                                            matches!(q, Pred::Cmp { val: v2, op: OP_LTE, .. } if v2 == val)
                                        }) {
                                            let Pred::Cmp { data: hi, .. } = pending.remove(pos) else {
                                                unreachable!()
                                            };
                                            format!("{port}:{}", u16::from_be_bytes([at(&hi, 0), at(&hi, 1)]))
                                        } else {
                                            format!("{port}:")
                                        }
                                    }
                                    OP_GT => format!("{}:", port.saturating_add(1)),
                                    OP_LTE => format!(":{port}"),
                                    OP_LT => format!(":{}", port.saturating_sub(1)),
                                    _ => return Err("a port comparison".into()),
                                };
                                l.matches
                                    .push(format!("-m {pname} {}{dir} {spec}", bang(neq)));
                            }
                            (1, 0, 1) if eqne && data.len() == 1 => {
                                l.matches.push(format!(
                                    "-m icmp {}--icmp-type {}",
                                    bang(neq),
                                    data[0]
                                ));
                            }
                            (1, 0, 2) if eqne && data.len() == 2 => {
                                l.matches.push(format!(
                                    "-m icmp {}--icmp-type {}/{}",
                                    bang(neq),
                                    data[0],
                                    data[1]
                                ));
                            }
                            (58, 0, 1) if eqne && ipv6 && data.len() == 1 => {
                                l.matches.push(format!(
                                    "-m icmp6 {}--icmpv6-type {}",
                                    bang(neq),
                                    data[0]
                                ));
                            }
                            _ => return Err("a transport header test".into()),
                        }
                    }
                    Val::Meta(3) if eqne => {
                        l.matches.push(format!(
                            "-m mark {}--mark 0x{:x}",
                            bang(neq),
                            value_u32_host(data)
                        ));
                    }
                    Val::Meta(19) if eqne && data.len() == 1 => {
                        let n = ["unicast", "broadcast", "multicast", "otherhost"]
                            .get(data[0] as usize)
                            .ok_or("a packet type")?;
                        l.matches
                            .push(format!("-m pkttype {}--pkt-type {n}", bang(neq)));
                    }
                    Val::Meta(10) | Val::Meta(11) if eqne => {
                        let opt = if matches!(val, Val::Meta(10)) {
                            "--uid-owner"
                        } else {
                            "--gid-owner"
                        };
                        l.matches.push(format!(
                            "-m owner {}{opt} {}",
                            bang(neq),
                            value_u32_host(data)
                        ));
                        self.notes
                            .push("the owner match only works in OUTPUT and POSTROUTING".into());
                    }
                    Val::Meta(21) | Val::Meta(22) if eqne => {
                        let opt = if matches!(val, Val::Meta(21)) {
                            "--src-group"
                        } else {
                            "--dst-group"
                        };
                        l.matches.push(format!(
                            "-m devgroup {}{opt} {}",
                            bang(neq),
                            value_u32_host(data)
                        ));
                    }
                    Val::Meta(20) if eqne => {
                        l.matches.push(format!(
                            "-m cpu {}--cpu {}",
                            bang(neq),
                            value_u32_host(data)
                        ));
                    }
                    Val::Payload {
                        base: 1,
                        offset: 8,
                        len: 1,
                    } if !ipv6 => {
                        l.matches.push(ttl_match("ttl", *op, at(data, 0))?);
                    }
                    Val::Payload {
                        base: 1,
                        offset: 7,
                        len: 1,
                    } if ipv6 => {
                        l.matches.push(ttl_match("hl", *op, at(data, 0))?);
                    }
                    Val::Ct { key: 3, .. } if eqne => {
                        l.matches.push(format!(
                            "-m connmark {}--mark 0x{:x}",
                            bang(neq),
                            value_u32_host(data)
                        ));
                    }
                    Val::Ct { key: 1, .. } if eqne => {
                        let d = match value_u32_host(data) {
                            0 => "ORIGINAL",
                            1 => "REPLY",
                            _ => return Err("a conntrack direction".into()),
                        };
                        if neq {
                            return Err("a negated conntrack direction".into());
                        }
                        l.matches.push(format!("-m conntrack --ctdir {d}"));
                    }
                    Val::Fib { result: 3, flags } if eqne => {
                        let t = RTN_TYPES
                            .get(value_u32_host(data) as usize)
                            .ok_or("an address type")?;
                        let (dir, rest) = if flags & 2 != 0 {
                            ("--dst-type", flags & !2)
                        } else {
                            ("--src-type", flags & !1)
                        };
                        let mut m = format!("-m addrtype {}{dir} {t}", bang(neq));
                        match rest {
                            0 => {}
                            8 => m.push_str(" --limit-iface-in"),
                            16 => m.push_str(" --limit-iface-out"),
                            _ => return Err("a fib address-type lookup with other keys".into()),
                        }
                        l.matches.push(m);
                    }
                    Val::Fib { result: 1, flags }
                        if *op == OP_EQ
                            && data.iter().all(|&b| b == 0)
                            && flags & 1 != 0
                            && flags & 8 != 0 =>
                    {
                        l.matches.push("-m rpfilter --invert".into());
                        self.notes.push(
                            "rpfilter only works in the raw and mangle PREROUTING chains".into(),
                        );
                    }
                    _ => return Err("a comparison".into()),
                }
                Ok(vec![l])
            }
            Pred::Range { val, neq, from, to } => match val {
                Val::Payload {
                    base: 1,
                    offset,
                    len: 1,
                } if !*neq
                    && from.len() == 1
                    && to.len() == 1
                    && ((!ipv6 && *offset == 8) || (ipv6 && *offset == 7)) =>
                {
                    // ttl/hl a-b: two bounds.
                    let name = if ipv6 { "hl" } else { "ttl" };
                    if from[0] > 0 {
                        l.matches
                            .push(format!("-m {name} --{name}-gt {}", from[0] - 1));
                    }
                    if to[0] < 255 {
                        l.matches
                            .push(format!("-m {name} --{name}-lt {}", to[0] + 1));
                    }
                    Ok(vec![l])
                }
                Val::Payload {
                    base: 2,
                    offset: 0 | 2,
                    len: 2,
                } if from.len() == 2 && to.len() == 2 => {
                    let proto = l
                        .proto
                        .filter(|p| !p.0)
                        .map(|p| p.1)
                        .ok_or("a port range without a protocol")?;
                    let pname = match proto {
                        6 => "tcp",
                        17 => "udp",
                        _ => return Err("a port range".into()),
                    };
                    let dir = if matches!(val, Val::Payload { offset: 0, .. }) {
                        "--sport"
                    } else {
                        "--dport"
                    };
                    l.matches.push(format!(
                        "-m {pname} {}{dir} {}:{}",
                        bang(*neq),
                        u16::from_be_bytes([from[0], from[1]]),
                        u16::from_be_bytes([to[0], to[1]])
                    ));
                    Ok(vec![l])
                }
                Val::Payload {
                    base: 1,
                    offset: 2,
                    len: 2,
                } if !ipv6 && from.len() == 2 && to.len() == 2 => {
                    l.matches.push(format!(
                        "-m length {}--length {}:{}",
                        bang(*neq),
                        u16::from_be_bytes([from[0], from[1]]),
                        u16::from_be_bytes([to[0], to[1]])
                    ));
                    Ok(vec![l])
                }
                Val::Payload {
                    base: 1, offset, ..
                } if is_addr(*offset, ipv6) => {
                    let which = if addr_flag(*offset, ipv6) == "-s" {
                        "src"
                    } else {
                        "dst"
                    };
                    l.matches.push(format!(
                        "-m iprange {}--{which}-range {}-{}",
                        bang(*neq),
                        addr_text(from, ipv6).ok_or("address")?,
                        addr_text(to, ipv6).ok_or("address")?
                    ));
                    Ok(vec![l])
                }
                _ => Err("a range".into()),
            },
            Pred::Set { val, set, neq } => self.set_pred(val, set, *neq, l),
            Pred::Vmap { val, set } => {
                if !pending.is_empty() {
                    return Err("a test after a verdict map".into());
                }
                let items =
                    set_items(self.sets, self.family, self.table, set).ok_or("a verdict map")?;
                let mut out = Vec::new();
                for (e, d) in items {
                    let v = d
                        .and_then(|d| d.verdict)
                        .ok_or("a verdict map element without verdict")?;
                    let code = v.code.map(|c| c.value()).ok_or("a verdict map element")?;
                    let p = match e {
                        Elem::One(k) => Pred::Cmp {
                            val: val.clone(),
                            op: OP_EQ,
                            data: k,
                        },
                        Elem::Span(a, b) => Pred::Range {
                            val: val.clone(),
                            neq: false,
                            from: a,
                            to: b,
                        },
                    };
                    for mut c in self.pred_one(&p, l.clone(), &mut Vec::new())? {
                        if c.target.is_some() {
                            return Err("a verdict map after an action".into());
                        }
                        c.target =
                            Some(verdict_target(code, v.chain.as_deref()).ok_or("a verdict")?);
                        c.vmap = true;
                        out.push(c);
                    }
                }
                self.notes
                    .push("one rule per element of the verdict map".into());
                Ok(out)
            }
        }
    }

    fn masked_cmp(
        &mut self,
        inner: &Val,
        mask: &[u8],
        op: u32,
        data: &[u8],
        mut l: Line,
    ) -> Result<Vec<Line>, Blocked> {
        let ipv6 = self.ipv6;
        let zero = data.iter().all(|&b| b == 0);
        match inner {
            Val::Ct { key: 0, .. } if (op == OP_NEQ || op == OP_EQ) && zero => {
                // Only these bits are ever set in ct state; others in the
                // mask cannot change the outcome.
                let states =
                    ct_states(value_u32_host(mask) & 0x4f).ok_or("a conntrack state mask")?;
                l.matches.push(format!(
                    "-m conntrack {}--ctstate {states}",
                    bang(op == OP_EQ)
                ));
            }
            Val::Ct { key: 2, .. } if (op == OP_NEQ || op == OP_EQ) && zero => {
                let st = match value_u32_host(mask) {
                    0x10 => "SNAT",
                    0x20 => "DNAT",
                    0x30 => "SNAT,DNAT",
                    _ => {
                        let names = [
                            (1, "EXPECTED"),
                            (2, "SEEN_REPLY"),
                            (4, "ASSURED"),
                            (8, "CONFIRMED"),
                        ];
                        let m = value_u32_host(mask);
                        let mut v = Vec::new();
                        for (b, n) in names {
                            if m & b != 0 {
                                v.push(n);
                            }
                        }
                        if v.is_empty() || m & !0xf != 0 {
                            return Err("a conntrack status bit".into());
                        }
                        l.matches.push(format!(
                            "-m conntrack {}--ctstatus {}",
                            bang(op == OP_EQ),
                            v.join(",")
                        ));
                        return Ok(vec![l]);
                    }
                };
                l.matches
                    .push(format!("-m conntrack {}--ctstate {st}", bang(op == OP_EQ)));
            }
            Val::Ct { key: 3, .. } if op == OP_EQ || op == OP_NEQ => {
                l.matches.push(format!(
                    "-m connmark {}--mark 0x{:x}/0x{:x}",
                    bang(op == OP_NEQ),
                    value_u32_host(data),
                    value_u32_host(mask)
                ));
            }
            Val::Meta(3) if op == OP_EQ || op == OP_NEQ => {
                l.matches.push(format!(
                    "-m mark {}--mark 0x{:x}/0x{:x}",
                    bang(op == OP_NEQ),
                    value_u32_host(data),
                    value_u32_host(mask)
                ));
            }
            Val::Payload {
                base: 1, offset, ..
            } if is_addr(*offset, ipv6) && (op == OP_EQ || op == OP_NEQ) => {
                let alen = if ipv6 { 16 } else { 4 };
                let mut a = data.to_vec();
                a.resize(alen, 0);
                let mut m = mask.to_vec();
                m.resize(alen, 0);
                let suffix = match prefix_len(&m) {
                    Some(p) => p.to_string(),
                    None => addr_text(&m, ipv6).ok_or("mask")?,
                };
                l.head.push(format!(
                    "{}{} {}/{suffix}",
                    bang(op == OP_NEQ),
                    addr_flag(*offset, ipv6),
                    addr_text(&a, ipv6).ok_or("address")?
                ));
            }
            Val::Payload {
                base: 2,
                offset: 13,
                len: 1,
            } if l.proto == Some((false, 6)) && mask.len() == 1 => {
                let m = mask[0];
                let names = tcp_flag_names(m);
                if op == OP_EQ || (op == OP_NEQ && !zero) {
                    l.matches.push(format!(
                        "-m tcp {}--tcp-flags {names} {}",
                        bang(op == OP_NEQ),
                        tcp_flag_names(at(data, 0))
                    ));
                } else if op == OP_NEQ && zero && m.count_ones() == 1 {
                    l.matches
                        .push(format!("-m tcp --tcp-flags {names} {names}"));
                } else {
                    return Err("a TCP flags test".into());
                }
            }
            Val::Payload {
                base: 1,
                offset: 1,
                len: 1,
            } if !ipv6 && mask == [0xfc] && (op == OP_EQ || op == OP_NEQ) => {
                l.matches.push(format!(
                    "-m dscp {}--dscp 0x{:02x}",
                    bang(op == OP_NEQ),
                    at(data, 0) >> 2
                ));
            }
            Val::Payload {
                base: 1,
                offset: 0,
                len: 2,
            } if ipv6 && mask == [0x0f, 0xc0] && (op == OP_EQ || op == OP_NEQ) => {
                let v = u16::from_be_bytes([at(data, 0), at(data, 1)]) >> 6;
                l.matches
                    .push(format!("-m dscp {}--dscp 0x{v:02x}", bang(op == OP_NEQ)));
            }
            _ => return Err("a masked comparison".into()),
        }
        Ok(vec![l])
    }

    fn set_pred(
        &mut self,
        val: &Val,
        set: &str,
        neq: bool,
        mut l: Line,
    ) -> Result<Vec<Line>, Blocked> {
        let anonymous = set.contains("__set") || set.contains('%');
        let ipv6 = self.ipv6;
        if !anonymous {
            let dir = match val {
                Val::Payload {
                    base: 1, offset, ..
                } if is_addr(*offset, ipv6) => {
                    if addr_flag(*offset, ipv6) == "-s" {
                        "src"
                    } else {
                        "dst"
                    }
                }
                _ => return Err(format!("a lookup in set @{set}")),
            };
            l.matches
                .push(format!("-m set {}--match-set {set} {dir}", bang(neq)));
            self.notes.push(format!(
                "`-m set` needs an ipset named {set} with the same addresses; nft sets are not ipsets"
            ));
            return Ok(vec![l]);
        }
        let elems = set_elems(self.sets, self.family, self.table, set).ok_or("an anonymous set")?;
        match val {
            Val::Meta(16) if !neq => {
                // One rule per protocol.
                let mut out = Vec::new();
                for e in elems {
                    let Elem::One(b) = e else {
                        return Err("a protocol range".into());
                    };
                    let mut c = l.clone();
                    c.proto = Some((false, *b.first().ok_or("a protocol")?));
                    out.push(c);
                }
                self.notes.push("one rule per protocol of the set".into());
                Ok(out)
            }
            Val::Payload {
                base: 2,
                offset: 0 | 2,
                len: 2,
            } => {
                let proto = l
                    .proto
                    .filter(|p| !p.0)
                    .map(|p| p.1)
                    .ok_or("a port set without a protocol")?;
                if proto != 6 && proto != 17 {
                    return Err("a port set for this protocol".into());
                }
                let mut items = Vec::new();
                let mut slots = 0;
                for e in elems {
                    match e {
                        Elem::One(b) if b.len() == 2 => {
                            items.push(u16::from_be_bytes([b[0], b[1]]).to_string());
                            slots += 1;
                        }
                        Elem::Span(a, b) if a.len() == 2 && b.len() == 2 => {
                            items.push(format!(
                                "{}:{}",
                                u16::from_be_bytes([a[0], a[1]]),
                                u16::from_be_bytes([b[0], b[1]])
                            ));
                            slots += 2;
                        }
                        _ => return Err("a port set".into()),
                    }
                }
                if slots > 15 {
                    return Err("a port set larger than multiport's 15 slots".into());
                }
                let dir = if matches!(val, Val::Payload { offset: 0, .. }) {
                    "--sports"
                } else {
                    "--dports"
                };
                l.matches.push(format!(
                    "-m multiport {}{dir} {}",
                    bang(neq),
                    items.join(",")
                ));
                Ok(vec![l])
            }
            Val::Payload {
                base: 1, offset, ..
            } if is_addr(*offset, ipv6) && !neq => {
                let mut items = Vec::new();
                for e in elems {
                    match e {
                        Elem::One(b) => items.push(addr_text(&b, ipv6).ok_or("address")?),
                        Elem::Span(a, b) => {
                            let n = cidr_of(&a, &b).ok_or("an address range in a set")?;
                            items.push(format!("{}/{n}", addr_text(&a, ipv6).ok_or("address")?));
                        }
                    }
                }
                l.head
                    .push(format!("{} {}", addr_flag(*offset, ipv6), items.join(",")));
                self.notes
                    .push("iptables expands an address list into one rule per address".into());
                Ok(vec![l])
            }
            Val::Ct { key: 0, .. } => {
                let mut bits = 0u32;
                for e in elems {
                    let Elem::One(b) = e else {
                        return Err("a conntrack state range".into());
                    };
                    bits |= value_u32_host(&b);
                }
                let states = ct_states(bits).ok_or("a conntrack state")?;
                l.matches
                    .push(format!("-m conntrack {}--ctstate {states}", bang(neq)));
                Ok(vec![l])
            }
            Val::Meta(6) | Val::Meta(7) if !neq => {
                let flag = if matches!(val, Val::Meta(6)) {
                    "-i"
                } else {
                    "-o"
                };
                let mut out = Vec::new();
                for e in elems {
                    let Elem::One(b) = e else {
                        return Err("an interface range".into());
                    };
                    let mut c = l.clone();
                    c.head.push(format!("{flag} {}", iface_name(&b)));
                    out.push(c);
                }
                self.notes.push("one rule per interface of the set".into());
                Ok(out)
            }
            _ if !neq => {
                // One rule per element, each an equality (or range) test.
                let mut out = Vec::new();
                for e in elems {
                    let p = match e {
                        Elem::One(k) => Pred::Cmp {
                            val: val.clone(),
                            op: OP_EQ,
                            data: k,
                        },
                        Elem::Span(a, b) => Pred::Range {
                            val: val.clone(),
                            neq: false,
                            from: a,
                            to: b,
                        },
                    };
                    out.extend(self.pred_one(&p, l.clone(), &mut Vec::new())?);
                }
                self.notes.push("one rule per element of the set".into());
                Ok(out)
            }
            _ => Err("a negated set lookup".into()),
        }
    }

    fn stmt(&mut self, s: &Stmt, lines: Vec<Line>) -> Result<Vec<Line>, Blocked> {
        // A statement that is not the last action needs its own rule.
        let mut out = Vec::new();
        for mut l in lines {
            match s {
                _ if l.vmap => return Err("an action after a verdict map".into()),
                Stmt::Verdict { code, chain } => {
                    let t = verdict_target(*code, chain.as_deref()).ok_or("a verdict")?;
                    out.extend(self.with_target(l, t));
                }
                Stmt::Log {
                    group: Some(g),
                    prefix,
                    snaplen,
                    qthreshold,
                    ..
                } => {
                    let mut t = "-j NFLOG".to_string();
                    if let Some(p) = prefix {
                        t.push_str(&format!(" --nflog-prefix {}", quote(p)));
                    }
                    t.push_str(&format!(" --nflog-group {g}"));
                    if let Some(s) = snaplen {
                        t.push_str(&format!(" --nflog-size {s}"));
                    }
                    if let Some(q) = qthreshold {
                        t.push_str(&format!(" --nflog-threshold {q}"));
                    }
                    out.extend(self.with_target(l, t));
                }
                Stmt::Log {
                    group: None,
                    prefix,
                    level,
                    ..
                } => {
                    let mut t = "-j LOG".to_string();
                    if let Some(p) = prefix {
                        if p.len() > 29 {
                            return Err("a log prefix longer than LOG's 29 characters".into());
                        }
                        t.push_str(&format!(" --log-prefix {}", quote(p)));
                    }
                    if let Some(lv) = level {
                        if *lv > 7 {
                            return Err("a log level".into());
                        }
                        if *lv != 4 {
                            t.push_str(&format!(" --log-level {lv}"));
                        }
                    }
                    out.extend(self.with_target(l, t));
                }
                Stmt::Limit { .. } | Stmt::Quota { .. } if l.target.is_some() => {
                    return Err("a rate limit or quota after an action".into());
                }
                Stmt::Limit {
                    rate,
                    unit,
                    burst,
                    bytes: false,
                    over: false,
                } => {
                    let per = unit_name(*unit).ok_or("a limit unit")?;
                    let mut m = format!("-m limit --limit {rate}/{per}");
                    if *burst != 5 {
                        m.push_str(&format!(" --limit-burst {burst}"));
                    }
                    l.matches.push(m);
                    out.push(l);
                }
                Stmt::Limit {
                    rate,
                    unit,
                    burst,
                    bytes,
                    over,
                } => {
                    let per = unit_name(*unit).ok_or("a limit unit")?;
                    let amount = if *bytes {
                        if rate % (1 << 20) == 0 {
                            format!("{}mb", rate >> 20)
                        } else if rate % 1024 == 0 {
                            format!("{}kb", rate >> 10)
                        } else {
                            format!("{rate}b")
                        }
                    } else {
                        rate.to_string()
                    };
                    let mut m = format!(
                        "-m hashlimit --hashlimit-{} {amount}/{per} --hashlimit-name nftwire",
                        if *over { "above" } else { "upto" }
                    );
                    if !*bytes && *burst != 5 {
                        m.push_str(&format!(" --hashlimit-burst {burst}"));
                    }
                    l.matches.push(m);
                    self.notes.push("hashlimit without --hashlimit-mode keeps one bucket for all packets, like nft's limit".into());
                    out.push(l);
                }
                Stmt::Quota { bytes, over } => {
                    l.matches
                        .push(format!("-m quota {}--quota {bytes}", bang(*over)));
                    out.push(l);
                }
                Stmt::Reject { ty, code } => {
                    let with = reject_with(*ty, *code, self.ipv6).ok_or("a reject type")?;
                    out.extend(self.with_target(l, format!("-j REJECT --reject-with {with}")));
                }
                Stmt::Nat {
                    dnat,
                    addr,
                    ports,
                    flags,
                } => {
                    let mut spec = String::new();
                    if let Some((lo, hi)) = addr {
                        let a = addr_text(lo, self.ipv6).ok_or("a NAT address")?;
                        let b = addr_text(hi, self.ipv6).ok_or("a NAT address")?;
                        let a = if self.ipv6 { format!("[{a}]") } else { a };
                        let b = if self.ipv6 { format!("[{b}]") } else { b };
                        spec.push_str(&if a == b { a } else { format!("{a}-{b}") });
                    }
                    if let Some((lo, hi)) = ports {
                        spec.push_str(&if lo == hi {
                            format!(":{lo}")
                        } else {
                            format!(":{lo}-{hi}")
                        });
                    }
                    let mut t = if *dnat {
                        format!("-j DNAT --to-destination {spec}")
                    } else {
                        format!("-j SNAT --to-source {spec}")
                    };
                    t.push_str(&nat_flags(*flags)?);
                    out.extend(self.with_target(l, t));
                }
                Stmt::Masq { ports, flags } => {
                    let mut t = "-j MASQUERADE".to_string();
                    if let Some((lo, hi)) = ports {
                        t.push_str(&if lo == hi {
                            format!(" --to-ports {lo}")
                        } else {
                            format!(" --to-ports {lo}-{hi}")
                        });
                    }
                    t.push_str(&nat_flags(*flags)?);
                    out.extend(self.with_target(l, t));
                }
                Stmt::Redir { ports } => {
                    let mut t = "-j REDIRECT".to_string();
                    if let Some((lo, hi)) = ports {
                        t.push_str(&if lo == hi {
                            format!(" --to-ports {lo}")
                        } else {
                            format!(" --to-ports {lo}-{hi}")
                        });
                    }
                    out.extend(self.with_target(l, t));
                }
                Stmt::Notrack => {
                    if self.table != "raw" {
                        self.notes
                            .push("-j CT --notrack only works in the raw table".into());
                    }
                    out.extend(self.with_target(l, "-j CT --notrack".into()));
                }
                Stmt::MetaSet { key: 3, val } => {
                    let t = match val {
                        Val::Imm(b) => {
                            format!("-j MARK --set-xmark 0x{:x}/0xffffffff", value_u32_host(b))
                        }
                        Val::Masked { inner, mask, xor } if **inner == Val::Meta(3) => format!(
                            "-j MARK --set-xmark 0x{:x}/0x{:x}",
                            value_u32_host(xor),
                            !value_u32_host(mask)
                        ),
                        Val::Ct { key: 3, .. } => "-j CONNMARK --restore-mark".into(),
                        Val::Masked { inner, mask, xor }
                            if matches!(**inner, Val::Ct { key: 3, .. })
                                && xor.iter().all(|&b| b == 0) =>
                        {
                            format!(
                                "-j CONNMARK --restore-mark --ctmask 0x{:x} --nfmask 0xffffffff",
                                value_u32_host(mask)
                            )
                        }
                        _ => return Err("a mark computed from other data".into()),
                    };
                    out.extend(self.with_target(l, t));
                }
                Stmt::MetaSet {
                    key: 12,
                    val: Val::Imm(b),
                } if value_u32_host(b) != 0 || b.first() == Some(&1) => {
                    if self.table != "raw" {
                        self.notes
                            .push("-j TRACE only works in the raw table".into());
                    }
                    out.extend(self.with_target(l, "-j TRACE".into()));
                }
                Stmt::CtSet { key: 3, val } => {
                    let t = match val {
                        Val::Imm(b) => format!(
                            "-j CONNMARK --set-xmark 0x{:x}/0xffffffff",
                            value_u32_host(b)
                        ),
                        Val::Meta(3) => "-j CONNMARK --save-mark".into(),
                        Val::Masked { inner, mask, xor }
                            if **inner == Val::Meta(3) && xor.iter().all(|&b| b == 0) =>
                        {
                            format!(
                                "-j CONNMARK --save-mark --nfmask 0x{:x} --ctmask 0xffffffff",
                                value_u32_host(mask)
                            )
                        }
                        Val::Masked { inner, mask, xor }
                            if matches!(**inner, Val::Ct { key: 3, .. }) =>
                        {
                            format!(
                                "-j CONNMARK --set-xmark 0x{:x}/0x{:x}",
                                value_u32_host(xor),
                                !value_u32_host(mask)
                            )
                        }
                        _ => return Err("a conntrack mark computed from other data".into()),
                    };
                    out.extend(self.with_target(l, t));
                }
                Stmt::CtSet {
                    key: 17,
                    val: Val::Imm(b),
                } if b.len() == 2 => {
                    if self.table != "raw" {
                        self.notes
                            .push("-j CT --zone only works in the raw table".into());
                    }
                    let zone = u16::from_ne_bytes([b[0], b[1]]);
                    out.extend(self.with_target(l, format!("-j CT --zone {zone}")));
                }
                Stmt::MssSet(v) => {
                    let t = match v {
                        Val::Rt(3) => "-j TCPMSS --clamp-mss-to-pmtu".to_string(),
                        Val::Swapped(inner) if **inner == Val::Rt(3) => {
                            "-j TCPMSS --clamp-mss-to-pmtu".to_string()
                        }
                        Val::Imm(b) if b.len() == 2 => {
                            format!("-j TCPMSS --set-mss {}", u16::from_be_bytes([b[0], b[1]]))
                        }
                        _ => return Err("an MSS computed from other data".into()),
                    };
                    if l.proto != Some((false, 6)) {
                        return Err("TCPMSS without -p tcp".into());
                    }
                    out.extend(self.with_target(l, t));
                }
                Stmt::PayloadSet {
                    offset: 0 | 1,
                    len: 2 | 1,
                    base: 1,
                    val,
                } => {
                    // nft's `ip dscp set` rewrites the TOS byte keeping ECN.
                    let Val::Masked { inner, xor, .. } = val else {
                        return Err("a header edit".into());
                    };
                    if !matches!(**inner, Val::Payload { base: 1, .. }) {
                        return Err("a header edit".into());
                    }
                    let dscp = if self.ipv6 {
                        (u16::from_be_bytes([at(xor, 0), at(xor, 1)]) >> 6) as u8
                    } else {
                        at(xor, 1) >> 2
                    };
                    out.extend(self.with_target(l, format!("-j DSCP --set-dscp 0x{dscp:02x}")));
                }
                Stmt::Queue { num } => {
                    out.extend(self.with_target(l, format!("-j NFQUEUE --queue-num {num}")))
                }
                _ => return Err("a statement".into()),
            }
        }
        Ok(out)
    }

    /// Put `t` as the target; when the rule already has one, the earlier
    /// target stays in its own rule and a copy carries the new one.
    fn with_target(&mut self, mut l: Line, t: String) -> Vec<Line> {
        if t.is_empty() {
            return vec![l];
        }
        match &l.target {
            None => {
                l.target = Some(t);
                vec![l]
            }
            Some(_) => {
                let mut second = l.clone();
                second.target = Some(t);
                // Only the final rule may end the traversal; earlier ones
                // carry non-terminal targets (LOG, NFLOG, MARK...).
                vec![l, second]
            }
        }
    }
}

/// nft writes `x a-b` as `x >= a` followed by `x <= b`; fold such pairs
/// into one range test.
fn merge_ranges(mut preds: Vec<Pred>) -> Vec<Pred> {
    let mut i = 0;
    while i < preds.len() {
        let lower = match &preds[i] {
            Pred::Cmp {
                val,
                op: OP_GTE,
                data,
            } => Some((val.clone(), data.clone())),
            _ => None,
        };
        if let Some((val, from)) = lower {
            let partner = preds[i + 1..].iter().position(|q| {
                matches!(q, Pred::Cmp { val: v2, op: OP_LTE, data: d2 } if *v2 == val && d2.len() == from.len())
            });
            if let Some(j) = partner {
                if let Pred::Cmp { data: to, .. } = preds.remove(i + 1 + j) {
                    preds[i] = Pred::Range {
                        val,
                        neq: false,
                        from,
                        to,
                    };
                }
            }
        }
        i += 1;
    }
    preds
}

fn verdict_target(code: i32, chain: Option<&str>) -> Option<String> {
    Some(match (code, chain) {
        (1, _) => "-j ACCEPT".to_string(),
        (0, _) => "-j DROP".to_string(),
        (-5, _) => "-j RETURN".to_string(),
        (-3, Some(c)) => format!("-j {c}"),
        (-4, Some(c)) => format!("-g {c}"),
        (-1, _) => String::new(),
        _ => return None,
    })
}

/// Byte `i` of `b`, 0 when it is shorter.
fn at(b: &[u8], i: usize) -> u8 {
    b.get(i).copied().unwrap_or(0)
}

fn iface_name(d: &[u8]) -> String {
    let end = d.iter().position(|&b| b == 0);
    match end {
        Some(e) => String::from_utf8_lossy(&d[..e]).into_owned(),
        None => format!("{}+", String::from_utf8_lossy(d)),
    }
}

fn is_addr(offset: u32, ipv6: bool) -> bool {
    if ipv6 {
        offset == 8 || offset == 24
    } else {
        offset == 12 || offset == 16
    }
}

fn addr_flag(offset: u32, ipv6: bool) -> &'static str {
    if (ipv6 && offset == 8) || (!ipv6 && offset == 12) {
        "-s"
    } else {
        "-d"
    }
}

fn cidr_of(a: &[u8], b: &[u8]) -> Option<u32> {
    let mask: Vec<u8> = a.iter().zip(b).map(|(x, y)| !(x ^ y)).collect();
    let p = prefix_len(&mask)?;
    let ok = a
        .iter()
        .zip(b)
        .zip(&mask)
        .all(|((x, y), m)| x & !m == 0 && y | m == 0xff);
    ok.then_some(p)
}

fn ttl_match(name: &str, op: u32, v: u8) -> Result<String, Blocked> {
    let (flag, val) = match op {
        OP_EQ => ("eq", v),
        OP_NEQ => return Ok(format!("-m {name} ! --{name}-eq {v}")),
        OP_LT => ("lt", v),
        OP_GT => ("gt", v),
        OP_LTE if v < 255 => ("lt", v + 1),
        OP_GTE if v > 0 => ("gt", v - 1),
        _ => return Err("a ttl comparison".into()),
    };
    Ok(format!("-m {name} --{name}-{flag} {val}"))
}

fn tcp_flag_names(f: u8) -> String {
    let names = [
        (0x01, "FIN"),
        (0x02, "SYN"),
        (0x04, "RST"),
        (0x08, "PSH"),
        (0x10, "ACK"),
        (0x20, "URG"),
    ];
    let v: Vec<&str> = names
        .iter()
        .filter(|(b, _)| f & b != 0)
        .map(|(_, n)| *n)
        .collect();
    if v.is_empty() {
        "NONE".into()
    } else {
        v.join(",")
    }
}

fn unit_name(unit: u64) -> Option<&'static str> {
    Some(match unit {
        1 => "second",
        60 => "minute",
        3600 => "hour",
        86400 => "day",
        _ => return None,
    })
}

fn reject_with(ty: u32, code: u8, ipv6: bool) -> Option<&'static str> {
    Some(match (ty, ipv6) {
        (1, _) => "tcp-reset",
        (0, false) => match code {
            0 => "icmp-net-unreachable",
            1 => "icmp-host-unreachable",
            2 => "icmp-proto-unreachable",
            3 => "icmp-port-unreachable",
            9 => "icmp-net-prohibited",
            10 => "icmp-host-prohibited",
            13 => "icmp-admin-prohibited",
            _ => return None,
        },
        (0, true) => match code {
            0 => "icmp6-no-route",
            1 => "icmp6-adm-prohibited",
            3 => "icmp6-addr-unreachable",
            4 => "icmp6-port-unreachable",
            _ => return None,
        },
        (2, false) => match code {
            0 => "icmp-net-unreachable",
            1 => "icmp-port-unreachable",
            2 => "icmp-host-unreachable",
            3 => "icmp-admin-prohibited",
            _ => return None,
        },
        (2, true) => match code {
            0 => "icmp6-no-route",
            1 => "icmp6-port-unreachable",
            2 => "icmp6-addr-unreachable",
            3 => "icmp6-adm-prohibited",
            _ => return None,
        },
        _ => return None,
    })
}

fn nat_flags(f: u32) -> Result<String, Blocked> {
    let mut o = String::new();
    if f & 4 != 0 {
        o.push_str(" --random");
    }
    if f & 8 != 0 {
        o.push_str(" --persistent");
    }
    if f & 16 != 0 {
        o.push_str(" --random-fully");
    }
    if f & !(1 | 2 | 4 | 8 | 16) != 0 {
        return Err("NAT flags iptables has no option for".into());
    }
    Ok(o)
}

/// An equivalent of `rule` in iptables syntax, when there is one. `sets`
/// supplies the elements of anonymous sets; `ifname` names interface
/// indexes.
pub fn suggest(
    rule: &Rule,
    sets: &[SetWithElems],
    ifname: &dyn Fn(u32) -> Option<String>,
) -> Result<Suggestion, String> {
    let mut d = Decoder {
        regs: HashMap::new(),
        preds: Vec::new(),
        stmts: Vec::new(),
    };
    // Tests must all precede the actions for a faithful translation.
    let mut seen_action = false;
    for e in rule.exprs() {
        let n = NlExpr::of(e);
        let before = d.preds.len();
        d.expr(&n)?;
        if d.preds.len() > before && seen_action {
            return Err("a match after an action".into());
        }
        if d.stmts
            .iter()
            .any(|s| !matches!(s, Stmt::Limit { .. } | Stmt::Quota { .. }))
        {
            seen_action = true;
        }
    }
    let ipv6 = rule.family == super::layout::FAMILY_IP6;
    let mut tx = Tx {
        ipv6,
        table: rule.table(),
        chain: rule.chain(),
        family: rule.family,
        sets,
        ifname,
        notes: Vec::new(),
    };
    let mut lines = vec![Line::default()];
    let mut pending: Vec<Pred> = merge_ranges(d.preds.clone());
    while !pending.is_empty() {
        let p = pending.remove(0);
        lines = tx.pred(&p, lines, &mut pending)?;
    }
    for s in &d.stmts {
        lines = tx.stmt(s, lines)?;
    }
    if let Some(u) = rule.comment() {
        for l in lines.iter_mut() {
            l.matches
                .push(format!("-m comment --comment {}", quote(&u)));
        }
    }
    if rule.attrs.userdata.is_some() && rule.comment().is_none() {
        tx.notes.push(
            "the rule's raw userdata (which its owner may use to find it) has no iptables equivalent"
                .into(),
        );
    }
    let mut notes: Vec<String> = Vec::new();
    for n in tx.notes {
        if !notes.contains(&n) {
            notes.push(n);
        }
    }
    Ok(Suggestion {
        rules: lines.iter().map(|l| l.text(rule.chain(), ipv6)).collect(),
        notes,
    })
}
