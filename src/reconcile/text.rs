//! The text format of `nftwire reconcile FILE`: one or more chain sections,
//! each a header line followed by one rule per line.
//!
//! ```text
//! # comments and blank lines are ignored
//! chain ip nat PREROUTING owner=calico placement=head base
//! web:  ip saddr 10.0.0.0/8 tcp dport 80 counter jump cali-PREROUTING comment "calico web"
//! dns:  udp dport 53 accept
//! ```
//!
//! Header: `chain FAMILY TABLE CHAIN owner=OWNER [placement=P] [CHAIN-KIND]`
//! * `placement=`: `head`, `tail` (the default), `after:OWNER/KEY` or
//!   `before:OWNER/KEY` (next to another owner's rule);
//! * chain kind: nothing (a regular chain, created when missing), `base`
//!   (a base chain that must exist), or `hook=HOOK type=TYPE
//!   priority=PRIO [policy=accept|drop] [device=DEV]` (a base chain created
//!   when missing). `HOOK` is `prerouting`, `input`, `forward`, `output`,
//!   `postrouting`, `ingress` or `egress`; `PRIO` a number or `raw`,
//!   `mangle`, `dstnat`, `filter`, `security`, `srcnat` (`out` for bridge).
//!
//! Rule: `KEY: STATEMENT...`, a stable key (printable ASCII, no spaces,
//! ending with `:`) then, in this order of evaluation:
//!
//! | statement | matches |
//! |---|---|
//! | `ip saddr\|daddr [!=] A.B.C.D[/N]` | IPv4 address or prefix |
//! | `ip6 saddr\|daddr [!=] ADDR[/N]` | IPv6 address or prefix |
//! | `[meta] iifname\|oifname [!=] NAME` | interface name (`eth*` for a prefix) |
//! | `[meta] l4proto [!=] tcp\|udp\|icmp\|icmpv6\|sctp\|N` | transport protocol |
//! | `tcp\|udp sport\|dport [!=] PORT[-PORT]` | port or port range |
//! | `ct state [!=] STATE[,STATE...]` | `new`, `established`, `related`, `invalid`, `untracked` |
//! | `[meta] mark [!=] N` | packet mark (decimal or 0x hex) |
//! | `counter` | count packets and bytes |
//! | `accept`, `drop`, `return`, `jump CHAIN`, `goto CHAIN` | verdict (last) |
//! | `comment "TEXT"` | the rule's comment (very last) |
//!
//! Protocol dependencies are added as nft adds them (`meta l4proto tcp`
//! before `tcp dport`, `meta nfproto ipv4` before `ip saddr` in inet
//! tables, `meta protocol ip` in bridge and netdev tables). Expressions use
//! register 1 and are encoded as the kernel dumps them, so a converged chain
//! compares equal.

use super::{Anchor, BaseChain, ChainKind, Desired, DesiredRule, Placement};
use crate::consts::family;
use crate::data::{Data, VerdictCode};
use crate::error::{Error, Result};
use crate::expr::bitwise::Bitwise;
use crate::expr::ct::{Ct, CtKey};
use crate::expr::range::{Range, RangeOp};
use crate::expr::{Cmp, CmpOp, Counter, Expr, Immediate, Meta, MetaKey, Payload, PayloadBase};
use std::net::{Ipv4Addr, Ipv6Addr};

/// One chain section of a file, with the text of its rules.
#[derive(Clone, Debug, PartialEq)]
pub struct Section {
    /// What the section asks for.
    pub desired: Desired,
    /// Line number of the header.
    pub line: usize,
    /// For each rule of `desired.rules`: its line number and text after the
    /// key.
    pub sources: Vec<(usize, String)>,
}

/// Parse a whole file. Errors name the line.
pub fn parse_file(text: &str) -> Result<Vec<Section>> {
    let mut out: Vec<Section> = Vec::new();
    for (n, raw) in text.lines().enumerate() {
        let line = n + 1;
        let at = |e: Error| match e {
            Error::Input(m) => Error::Input(format!("line {line}: {m}")),
            other => other,
        };
        let s = raw.trim();
        if s.is_empty() || s.starts_with('#') {
            continue;
        }
        let toks = tokenize(s).map_err(at)?;
        if toks.first().map(|t| t.text.as_str()) == Some("chain") && !toks[0].quoted {
            let desired = parse_header(&toks).map_err(at)?;
            out.push(Section {
                desired,
                line,
                sources: Vec::new(),
            });
            continue;
        }
        let Some(sec) = out.last_mut() else {
            return Err(at(Error::Input(
                "a rule before the first `chain` header".into(),
            )));
        };
        let (key, body) = match s.split_once(char::is_whitespace) {
            Some((k, b)) => (k, b.trim()),
            None => (s, ""),
        };
        let Some(key) = key.strip_suffix(':') else {
            return Err(at(Error::Input(format!(
                "expected `KEY: statements` or a `chain` header, got {key:?}"
            ))));
        };
        super::tag::check_key(key).map_err(at)?;
        if sec.desired.rules.iter().any(|r| r.key == key) {
            return Err(at(Error::Input(format!(
                "rule key {key:?} is used twice in this chain section"
            ))));
        }
        let (exprs, comment) = compile_rule(sec.desired.family, body).map_err(at)?;
        sec.desired.rules.push(DesiredRule {
            key: key.to_string(),
            exprs,
            comment,
        });
        sec.sources.push((line, body.to_string()));
    }
    for s in &out {
        s.desired.validate().map_err(|e| match e {
            Error::Input(m) => Error::Input(format!("line {}: {m}", s.line)),
            other => other,
        })?;
    }
    Ok(out)
}

#[derive(Clone, Debug, PartialEq)]
struct Tok {
    text: String,
    quoted: bool,
}

fn tokenize(s: &str) -> Result<Vec<Tok>> {
    let mut out = Vec::new();
    let mut chars = s.chars().peekable();
    while let Some(&c) = chars.peek() {
        if c.is_whitespace() {
            chars.next();
            continue;
        }
        if c == '"' {
            chars.next();
            let mut t = String::new();
            loop {
                match chars.next() {
                    Some('"') => break,
                    Some(ch) => t.push(ch),
                    None => return Err(Error::Input("unterminated quoted string".into())),
                }
            }
            out.push(Tok {
                text: t,
                quoted: true,
            });
            continue;
        }
        let mut t = String::new();
        while let Some(&ch) = chars.peek() {
            if ch.is_whitespace() || ch == '"' {
                break;
            }
            t.push(ch);
            chars.next();
        }
        out.push(Tok {
            text: t,
            quoted: false,
        });
    }
    Ok(out)
}

fn parse_header(toks: &[Tok]) -> Result<Desired> {
    let words: Vec<&str> = toks.iter().map(|t| t.text.as_str()).collect();
    if words.len() < 4 {
        return Err(Error::Input(
            "chain header: expected `chain FAMILY TABLE CHAIN owner=OWNER ...`".into(),
        ));
    }
    let fam = match words[1] {
        "ip" => family::IPV4,
        "ip6" => family::IPV6,
        "inet" => family::INET,
        "arp" => family::ARP,
        "bridge" => family::BRIDGE,
        "netdev" => family::NETDEV,
        other => return Err(Error::Input(format!("unknown family {other:?}"))),
    };
    let mut owner = None;
    let mut placement = Placement::Tail;
    let mut base = false;
    let (mut hook, mut ctype, mut prio, mut policy, mut device) = (None, None, None, None, None);
    for w in &words[4..] {
        if *w == "base" {
            base = true;
            continue;
        }
        let Some((k, v)) = w.split_once('=') else {
            return Err(Error::Input(format!("chain header: unexpected {w:?}")));
        };
        match k {
            "owner" => owner = Some(v.to_string()),
            "placement" => placement = parse_placement(v)?,
            "hook" => hook = Some(hook_num(fam, v)?),
            "type" => ctype = Some(v.to_string()),
            "priority" => prio = Some(priority(fam, v)?),
            "policy" => {
                policy = Some(match v {
                    "accept" => 1,
                    "drop" => 0,
                    _ => return Err(Error::Input(format!("unknown policy {v:?}"))),
                })
            }
            "device" => device = Some(v.to_string()),
            _ => return Err(Error::Input(format!("chain header: unknown setting {k:?}"))),
        }
    }
    let Some(owner) = owner else {
        return Err(Error::Input("chain header: owner=OWNER is required".into()));
    };
    let kind = match (hook, ctype, prio) {
        (None, None, None) if policy.is_none() && device.is_none() => {
            if base {
                ChainKind::Base(None)
            } else {
                ChainKind::Regular
            }
        }
        (Some(hook), Some(chain_type), Some(priority)) => ChainKind::Base(Some(BaseChain {
            chain_type,
            hook,
            priority,
            policy,
            device,
        })),
        _ => {
            return Err(Error::Input(
                "chain header: a base chain to create needs hook=, type= and priority=".into(),
            ))
        }
    };
    Ok(Desired {
        family: fam,
        table: words[2].to_string(),
        chain: words[3].to_string(),
        kind,
        owner,
        placement,
        rules: Vec::new(),
    })
}

fn parse_placement(v: &str) -> Result<Placement> {
    let anchor = |s: &str| -> Result<Anchor> {
        match s.split_once('/') {
            Some((o, k)) if !o.is_empty() && !k.is_empty() => Ok(Anchor::Rule {
                owner: o.to_string(),
                key: k.to_string(),
            }),
            _ => Err(Error::Input(format!(
                "placement anchor {s:?}: expected OWNER/KEY"
            ))),
        }
    };
    match v {
        "head" => Ok(Placement::Head),
        "tail" => Ok(Placement::Tail),
        _ => {
            if let Some(a) = v.strip_prefix("after:") {
                Ok(Placement::After(anchor(a)?))
            } else if let Some(a) = v.strip_prefix("before:") {
                Ok(Placement::Before(anchor(a)?))
            } else {
                Err(Error::Input(format!(
                    "unknown placement {v:?} (head, tail, after:OWNER/KEY, before:OWNER/KEY)"
                )))
            }
        }
    }
}

fn hook_num(fam: u8, v: &str) -> Result<u32> {
    let n = match (fam, v) {
        (family::NETDEV, "ingress") => 0,
        (family::NETDEV, "egress") => 1,
        (family::ARP, "input") => 0,
        (family::ARP, "output") => 1,
        (family::NETDEV | family::ARP, _) => return Err(bad_hook(v)),
        (_, "prerouting") => 0,
        (_, "input") => 1,
        (_, "forward") => 2,
        (_, "output") => 3,
        (_, "postrouting") => 4,
        (family::INET, "ingress") => 5,
        _ => return Err(bad_hook(v)),
    };
    Ok(n)
}

fn bad_hook(v: &str) -> Error {
    Error::Input(format!("unknown hook {v:?} for this family"))
}

fn priority(fam: u8, v: &str) -> Result<i32> {
    if let Ok(n) = v.parse::<i32>() {
        return Ok(n);
    }
    let n = match (fam == family::BRIDGE, v) {
        (true, "dstnat") => -300,
        (true, "filter") => -200,
        (true, "out") => 100,
        (true, "srcnat") => 300,
        (false, "raw") => -300,
        (false, "mangle") => -150,
        (false, "dstnat") => -100,
        (false, "filter") => 0,
        (false, "security") => 50,
        (false, "srcnat") => 100,
        _ => return Err(Error::Input(format!("unknown priority {v:?}"))),
    };
    Ok(n)
}

/// Compile the statements of one rule (the text after `KEY:`) for a table
/// of `family`: its expressions and comment.
pub fn compile_rule(family: u8, text: &str) -> Result<(Vec<Expr>, Option<String>)> {
    let toks = tokenize(text)?;
    let mut c = Compiler {
        family,
        exprs: Vec::new(),
        l4proto: None,
        l3: None,
        verdict: false,
        comment: None,
    };
    let mut i = 0usize;
    while i < toks.len() {
        i = c.statement(&toks, i)?;
    }
    Ok((c.exprs, c.comment))
}

const REG: u32 = 1;

struct Compiler {
    family: u8,
    exprs: Vec<Expr>,
    /// The transport protocol already matched (for dependencies).
    l4proto: Option<u8>,
    /// The network protocol already matched (4 or 6).
    l3: Option<u8>,
    verdict: bool,
    comment: Option<String>,
}

fn word(toks: &[Tok], i: usize, what: &str) -> Result<String> {
    match toks.get(i) {
        Some(t) => Ok(t.text.clone()),
        None => Err(Error::Input(format!(
            "expected {what} at the end of the rule"
        ))),
    }
}

impl Compiler {
    /// Compile the statement at `i`; returns the index after it.
    fn statement(&mut self, toks: &[Tok], i: usize) -> Result<usize> {
        let t = &toks[i];
        if t.quoted {
            return Err(Error::Input(format!("unexpected string \"{}\"", t.text)));
        }
        if self.comment.is_some() {
            return Err(Error::Input("`comment` must be the last statement".into()));
        }
        let kw = t.text.as_str();
        if self.verdict && kw != "comment" {
            return Err(Error::Input(format!(
                "{kw:?} after the verdict (the verdict must come last)"
            )));
        }
        // `meta` is optional before iifname/oifname/l4proto/mark.
        let (kw, i) = if kw == "meta" {
            (word(toks, i + 1, "a meta key")?, i + 1)
        } else {
            (kw.to_string(), i)
        };
        match kw.as_str() {
            "ip" | "ip6" => {
                let v6 = kw == "ip6";
                let field = word(toks, i + 1, "saddr or daddr")?;
                let (op, vi) = self.op(toks, i + 2);
                let val = word(toks, vi, "an address")?;
                self.l3_dep(v6)?;
                self.addr(v6, &field, op, &val)?;
                Ok(vi + 1)
            }
            "iifname" | "oifname" => {
                let (op, vi) = self.op(toks, i + 1);
                let name = word(toks, vi, "an interface name")?;
                let key = if kw == "iifname" {
                    MetaKey::IifName
                } else {
                    MetaKey::OifName
                };
                let bytes = ifname(&name)?;
                self.push(Meta::load(key, REG));
                self.push(Cmp::new(REG, op, bytes));
                Ok(vi + 1)
            }
            "l4proto" => {
                let (op, vi) = self.op(toks, i + 1);
                let p = proto_num(&word(toks, vi, "a protocol")?)?;
                self.push(Meta::load(MetaKey::L4Proto, REG));
                self.push(Cmp::new(REG, op, vec![p]));
                if op == CmpOp::Eq {
                    self.l4proto = Some(p);
                }
                Ok(vi + 1)
            }
            "tcp" | "udp" => {
                let proto = if kw == "tcp" { 6 } else { 17 };
                let field = word(toks, i + 1, "sport or dport")?;
                let offset = match field.as_str() {
                    "sport" => 0,
                    "dport" => 2,
                    f => return Err(Error::Input(format!("unknown {kw} field {f:?}"))),
                };
                let (op, vi) = self.op(toks, i + 2);
                let val = word(toks, vi, "a port")?;
                match self.l4proto {
                    Some(p) if p == proto => {}
                    Some(p) => {
                        return Err(Error::Input(format!(
                            "{kw} after a match on protocol {p}: conflicting protocols"
                        )))
                    }
                    None => {
                        self.push(Meta::load(MetaKey::L4Proto, REG));
                        self.push(Cmp::new(REG, CmpOp::Eq, vec![proto]));
                        self.l4proto = Some(proto);
                    }
                }
                self.push(Payload::load(PayloadBase::Transport, offset, 2, REG));
                match val.split_once('-') {
                    Some((lo, hi)) => {
                        let (lo, hi) = (port(lo)?, port(hi)?);
                        if lo > hi {
                            return Err(Error::Input(format!("empty port range {val:?}")));
                        }
                        self.push(Range {
                            sreg: Some(REG),
                            op: Some(if op == CmpOp::Eq {
                                RangeOp::Eq
                            } else {
                                RangeOp::Neq
                            }),
                            from: Some(Data::value(lo.to_be_bytes().to_vec())),
                            to: Some(Data::value(hi.to_be_bytes().to_vec())),
                            ..Default::default()
                        });
                    }
                    None => self.push(Cmp::new(REG, op, port(&val)?.to_be_bytes().to_vec())),
                }
                Ok(vi + 1)
            }
            "ct" => {
                let what = word(toks, i + 1, "state")?;
                if what != "state" {
                    return Err(Error::Input(format!(
                        "unsupported ct key {what:?} (only state)"
                    )));
                }
                let (op, vi) = self.op(toks, i + 2);
                let mut bits = 0u32;
                for s in word(toks, vi, "a conntrack state")?.split(',') {
                    bits |= match s {
                        "invalid" => 1,
                        "established" => 2,
                        "related" => 4,
                        "new" => 8,
                        "untracked" => 64,
                        _ => return Err(Error::Input(format!("unknown ct state {s:?}"))),
                    };
                }
                self.push(Ct::load(CtKey::State, REG));
                self.push(Bitwise::mask_xor(
                    REG,
                    REG,
                    4,
                    bits.to_ne_bytes().to_vec(),
                    vec![0u8; 4],
                ));
                // "in any of these states" is "masked value != 0".
                let cmp_op = if op == CmpOp::Eq {
                    CmpOp::Neq
                } else {
                    CmpOp::Eq
                };
                self.push(Cmp::new(REG, cmp_op, vec![0u8; 4]));
                Ok(vi + 1)
            }
            "mark" => {
                let (op, vi) = self.op(toks, i + 1);
                let v = word(toks, vi, "a mark")?;
                let n = parse_u32(&v).ok_or_else(|| Error::Input(format!("bad mark {v:?}")))?;
                self.push(Meta::load(MetaKey::Mark, REG));
                self.push(Cmp::new(REG, op, n.to_ne_bytes().to_vec()));
                Ok(vi + 1)
            }
            "counter" => {
                self.push(Counter::new(0, 0));
                Ok(i + 1)
            }
            "accept" | "drop" | "return" => {
                let code = match kw.as_str() {
                    "accept" => VerdictCode::Accept,
                    "drop" => VerdictCode::Drop,
                    _ => VerdictCode::Return,
                };
                self.push(Immediate::verdict(code, None));
                self.verdict = true;
                Ok(i + 1)
            }
            "jump" | "goto" => {
                let chain = word(toks, i + 1, "a chain name")?;
                if chain.is_empty() || chain.len() > 255 {
                    return Err(Error::Input(format!("bad chain name {chain:?}")));
                }
                let code = if kw == "jump" {
                    VerdictCode::Jump
                } else {
                    VerdictCode::Goto
                };
                self.push(Immediate::verdict(code, Some(&chain)));
                self.verdict = true;
                Ok(i + 2)
            }
            "comment" => {
                let c = word(toks, i + 1, "the comment text")?;
                super::tag::check_comment(&c)?;
                self.comment = Some(c);
                Ok(i + 2)
            }
            other => Err(Error::Input(format!("unknown statement {other:?}"))),
        }
    }

    fn push(&mut self, e: impl Into<Expr>) {
        self.exprs.push(e.into());
    }

    /// An optional `!=` (or `==`) at `i`.
    fn op(&self, toks: &[Tok], i: usize) -> (CmpOp, usize) {
        match toks.get(i) {
            Some(t) if !t.quoted && t.text == "!=" => (CmpOp::Neq, i + 1),
            Some(t) if !t.quoted && t.text == "==" => (CmpOp::Eq, i + 1),
            _ => (CmpOp::Eq, i),
        }
    }

    /// The network protocol dependency of an ip/ip6 match.
    fn l3_dep(&mut self, v6: bool) -> Result<()> {
        let want = if v6 { 6 } else { 4 };
        if let Some(have) = self.l3 {
            if have != want {
                return Err(Error::Input("ip and ip6 matches in one rule".into()));
            }
            return Ok(());
        }
        match self.family {
            family::IPV4 if !v6 => {}
            family::IPV6 if v6 => {}
            family::INET => {
                self.push(Meta::load(MetaKey::NfProto, REG));
                let p = if v6 { family::IPV6 } else { family::IPV4 };
                self.push(Cmp::new(REG, CmpOp::Eq, vec![p]));
            }
            family::BRIDGE | family::NETDEV => {
                self.push(Meta::load(MetaKey::Protocol, REG));
                let et: u16 = if v6 { 0x86dd } else { 0x0800 };
                self.push(Cmp::new(REG, CmpOp::Eq, et.to_be_bytes().to_vec()));
            }
            _ => {
                return Err(Error::Input(format!(
                    "{} matches are not possible in a {} table",
                    if v6 { "ip6" } else { "ip" },
                    crate::object::family_name(self.family)
                )))
            }
        }
        self.l3 = Some(want);
        Ok(())
    }

    fn addr(&mut self, v6: bool, field: &str, op: CmpOp, val: &str) -> Result<()> {
        let (a, plen) = match val.split_once('/') {
            Some((a, p)) => (
                a,
                Some(
                    p.parse::<u32>()
                        .map_err(|_| Error::Input(format!("bad prefix length in {val:?}")))?,
                ),
            ),
            None => (val, None),
        };
        let (bytes, max, offset) = if v6 {
            let a: Ipv6Addr = a
                .parse()
                .map_err(|_| Error::Input(format!("bad IPv6 address {a:?}")))?;
            let off = match field {
                "saddr" => 8,
                "daddr" => 24,
                f => return Err(Error::Input(format!("unknown ip6 field {f:?}"))),
            };
            (a.octets().to_vec(), 128u32, off)
        } else {
            let a: Ipv4Addr = a
                .parse()
                .map_err(|_| Error::Input(format!("bad IPv4 address {a:?}")))?;
            let off = match field {
                "saddr" => 12,
                "daddr" => 16,
                f => return Err(Error::Input(format!("unknown ip field {f:?}"))),
            };
            (a.octets().to_vec(), 32u32, off)
        };
        let plen = plen.unwrap_or(max);
        if plen > max {
            return Err(Error::Input(format!(
                "prefix length {plen} is longer than {max}"
            )));
        }
        if plen == 0 {
            // Matches every address (of this protocol).
            return if op == CmpOp::Eq {
                Ok(())
            } else {
                Err(Error::Input(format!("{val:?} with != never matches")))
            };
        }
        if plen % 8 == 0 {
            let n = (plen / 8) as usize;
            self.push(Payload::load(PayloadBase::Network, offset, n as u32, REG));
            self.push(Cmp::new(REG, op, bytes[..n].to_vec()));
        } else {
            let mut mask = vec![0u8; bytes.len()];
            for (b, m) in mask.iter_mut().enumerate() {
                let bits = plen.saturating_sub(8 * b as u32).min(8);
                *m = (0xffu16 << (8 - bits)) as u8;
            }
            let masked: Vec<u8> = bytes.iter().zip(&mask).map(|(a, m)| a & m).collect();
            let len = bytes.len() as u32;
            self.push(Payload::load(PayloadBase::Network, offset, len, REG));
            self.push(Bitwise::mask_xor(
                REG,
                REG,
                len,
                mask,
                vec![0u8; len as usize],
            ));
            self.push(Cmp::new(REG, op, masked));
        }
        Ok(())
    }
}

/// An interface name as `meta iifname` compares it: 16 bytes padded with
/// NUL, or (for `NAME*`) just the prefix.
fn ifname(name: &str) -> Result<Vec<u8>> {
    let (base, wildcard) = match name.strip_suffix('*') {
        Some(b) => (b, true),
        None => (name, false),
    };
    if base.len() >= 16 || base.contains('\0') || (!wildcard && base.is_empty()) {
        return Err(Error::Input(format!("bad interface name {name:?}")));
    }
    if wildcard {
        if base.is_empty() {
            return Err(Error::Input(
                "interface wildcard `*` matches everything".into(),
            ));
        }
        return Ok(base.as_bytes().to_vec());
    }
    let mut v = base.as_bytes().to_vec();
    v.resize(16, 0);
    Ok(v)
}

fn proto_num(s: &str) -> Result<u8> {
    Ok(match s {
        "icmp" => 1,
        "tcp" => 6,
        "udp" => 17,
        "icmpv6" => 58,
        "sctp" => 132,
        _ => s
            .parse::<u8>()
            .map_err(|_| Error::Input(format!("unknown protocol {s:?}")))?,
    })
}

fn port(s: &str) -> Result<u16> {
    s.parse::<u16>()
        .map_err(|_| Error::Input(format!("bad port {s:?}")))
}

fn parse_u32(s: &str) -> Option<u32> {
    match s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")) {
        Some(h) => u32::from_str_radix(h, 16).ok(),
        None => s.parse().ok(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn debug(exprs: &[Expr]) -> Vec<String> {
        exprs.iter().map(|e| e.to_string()).collect()
    }

    #[test]
    fn compiles_like_nft() {
        let (e, c) = compile_rule(
            family::IPV4,
            "ip saddr 10.0.0.0/8 tcp dport 80 counter jump cali-PREROUTING comment \"calico web\"",
        )
        .unwrap();
        assert_eq!(c.as_deref(), Some("calico web"));
        assert_eq!(
            debug(&e),
            [
                "[ payload load 1b @ network header + 12 => reg 1 ]",
                "[ cmp eq reg 1 0x0000000a ]",
                "[ meta load l4proto => reg 1 ]",
                "[ cmp eq reg 1 0x00000006 ]",
                "[ payload load 2b @ transport header + 2 => reg 1 ]",
                "[ cmp eq reg 1 0x00005000 ]",
                "[ counter pkts 0 bytes 0 ]",
                "[ immediate reg 0 jump -> cali-PREROUTING ]",
            ]
        );
        let (e, _) = compile_rule(family::INET, "ip daddr != 192.168.1.0/25 drop").unwrap();
        assert_eq!(
            debug(&e),
            [
                "[ meta load nfproto => reg 1 ]",
                "[ cmp eq reg 1 0x00000002 ]",
                "[ payload load 4b @ network header + 16 => reg 1 ]",
                "[ bitwise reg 1 = ( reg 1 & 0x80ffffff ) ^ 0x00000000 ]",
                "[ cmp neq reg 1 0x0001a8c0 ]",
                "[ immediate reg 0 drop ]",
            ]
        );
    }

    #[test]
    fn statements() {
        for (text, n) in [
            ("iifname eth0 oifname \"veth*\" accept", 5),
            ("meta l4proto udp udp sport 1-1024 return", 5),
            ("ct state established,related accept", 4),
            ("meta mark 0x10 mark != 3 goto x", 5),
            ("ip6 saddr fe80::/10 counter", 4),
            ("", 0),
        ] {
            let (e, _) = compile_rule(family::IPV6, text).unwrap();
            assert_eq!(e.len(), n, "{text}: {:?}", debug(&e));
        }
        for bad in [
            "accept drop",
            "ip saddr 10.0.0.1",
            "ip6 saddr 1.2.3.4",
            "tcp dport 99999",
            "udp dport 1 tcp dport 2",
            "comment \"x\" accept",
            "ct state bogus",
            "frobnicate",
            "jump",
            "comment \"unterminated",
        ] {
            assert!(
                matches!(compile_rule(family::IPV6, bad), Err(Error::Input(_))),
                "{bad}"
            );
        }
    }

    #[test]
    fn file_format() {
        let text = "# x\nchain ip nat PREROUTING owner=calico placement=head base\n\
                    web: tcp dport 80 accept\n\n\
                    chain inet t c owner=o placement=after:calico/web hook=input type=filter priority=filter policy=drop\n\
                    a: counter\n";
        let s = parse_file(text).unwrap();
        assert_eq!(s.len(), 2);
        assert_eq!(s[0].desired.kind, ChainKind::Base(None));
        assert_eq!(s[0].desired.placement, Placement::Head);
        assert_eq!(s[0].desired.rules[0].key, "web");
        assert_eq!(s[0].sources[0], (3, "tcp dport 80 accept".to_string()));
        assert_eq!(
            s[1].desired.kind,
            ChainKind::Base(Some(BaseChain {
                chain_type: "filter".into(),
                hook: 1,
                priority: 0,
                policy: Some(0),
                device: None
            }))
        );
        for (bad, line) in [
            ("web: accept\n", 1),
            ("chain ip t c\n", 1),
            ("chain ip t c owner=a\nx: accept\nx: drop\n", 3),
            ("chain ip t c owner=a hook=input\n", 1),
            ("chain ip t c owner=a\nnokey accept\n", 2),
            ("chain ip t c owner=a placement=after:a/b\n", 1),
        ] {
            match parse_file(bad) {
                Err(Error::Input(m)) => assert!(m.starts_with(&format!("line {line}:")), "{m}"),
                other => panic!("{bad:?}: {other:?}"),
            }
        }
    }
}
