//! Expressions → ARP rule. The expressions are first read as a list of
//! steps (a load with its mask and the value it is compared with, the
//! counter, the verdict), then mapped onto the rule the way arptables-nft's
//! parser does (`nft_arp_parse_payload`). As on the iptables side, the rule
//! counts as arptables' own only if encoding it again gives exactly the
//! kernel's expressions and it carries no userdata; anything else is
//! foreign and reported, never misread. The step reader is shared with the
//! ebtables decoder.

use super::encode::{encode, ARPHDR_LEN};
use super::rule::{ArpRule, ArpVerdict, Field16};
use super::target::ArpTarget;
use crate::data::VerdictCode;
use crate::expr::cmp::CmpOp;
use crate::expr::meta::MetaKey;
use crate::expr::payload::PayloadBase;
use crate::expr::Expr;
use crate::iptables::decode::canon;
use crate::iptables::rule::Iface;
use crate::object::Rule;

/// What a register holds when it is compared.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Load {
    /// A payload field.
    Payload {
        /// Header.
        base: PayloadBase,
        /// Offset.
        off: u32,
        /// Length.
        len: u32,
    },
    /// A meta key.
    Meta(MetaKey),
}

/// One step of a rule as the xtables parsers see it.
#[derive(Clone, Debug, PartialEq)]
pub enum Step {
    /// `load [& mask] op data`.
    Test {
        /// What was loaded.
        load: Load,
        /// The `bitwise` mask applied, if any.
        mask: Option<Vec<u8>>,
        /// The comparison (`==`, `!=`; ebtables' `-p Length` uses `<`/`>=`).
        op: CmpOp,
        /// The compared value.
        data: Vec<u8>,
    },
    /// `counter`.
    Counter(u64, u64),
    /// An immediate verdict (chain for jump/goto).
    Verdict(VerdictCode, Option<String>),
    /// An xt target.
    Target(String, u32, Vec<u8>),
    /// An xt match.
    Match(String, u32, Vec<u8>),
    /// A set lookup of register 1 (what was loaded into it, then into the
    /// registers after it), its set name and whether it is inverted.
    Lookup(Vec<Load>, String, bool),
    /// Any other expression (the family decoder decides).
    Other(Expr),
}

/// Read `exprs` as steps; None when registers are used in ways the
/// xtables tools never write (the rule is then foreign).
pub fn steps(exprs: &[Expr]) -> Option<Vec<Step>> {
    let mut out = Vec::with_capacity(exprs.len());
    let mut reg: Option<(Load, Option<Vec<u8>>)> = None;
    // Loads into the 32-bit registers after register 1 (a concatenation).
    let mut more: Vec<Load> = Vec::new();
    for e in exprs {
        match e {
            Expr::Payload(p) if p.sreg.is_none() && reg.is_some() && p.dreg == Some(10) => {
                more.push(Load::Payload {
                    base: p.base?,
                    off: p.offset?,
                    len: p.len?,
                });
            }
            Expr::Lookup(l) if l.sreg == Some(1) && l.dreg.is_none() => {
                let (load, mask) = reg.take()?;
                if mask.is_some() {
                    return None;
                }
                let mut loads = vec![load];
                loads.append(&mut more);
                let inv = match l.flags.unwrap_or(0) {
                    0 => false,
                    1 => true,
                    _ => return None,
                };
                out.push(Step::Lookup(loads, l.set.clone()?, inv));
            }
            Expr::Payload(p) if p.sreg.is_none() && p.dreg == Some(1) => {
                let load = Load::Payload {
                    base: p.base?,
                    off: p.offset?,
                    len: p.len?,
                };
                reg = Some((load, None));
            }
            Expr::Meta(m) if m.sreg.is_none() && m.dreg == Some(1) => {
                reg = Some((Load::Meta(m.key?), None));
            }
            Expr::Bitwise(b) if b.sreg == Some(1) && b.dreg == Some(1) => {
                let r = reg.as_mut()?;
                let xor = b.xor.as_ref().and_then(|d| d.bytes())?;
                if xor.iter().any(|&x| x != 0) || r.1.is_some() {
                    return None;
                }
                r.1 = Some(b.mask.as_ref().and_then(|d| d.bytes())?.to_vec());
            }
            Expr::Cmp(c) if c.sreg == Some(1) => {
                let (load, mask) = reg.take()?;
                let data = c.data.as_ref().and_then(|d| d.bytes())?.to_vec();
                out.push(Step::Test {
                    load,
                    mask,
                    op: c.op?,
                    data,
                });
            }
            Expr::Counter(c) => out.push(Step::Counter(c.packets?, c.bytes?)),
            Expr::Immediate(im) if im.dreg == Some(0) => {
                let v = im.data.as_ref()?.verdict.as_ref()?;
                out.push(Step::Verdict(v.code?, v.chain.clone()));
            }
            Expr::Target(t) => out.push(Step::Target(
                t.name.clone()?,
                t.rev?,
                t.info.as_deref()?.to_vec(),
            )),
            Expr::Match(m) => out.push(Step::Match(
                m.name.clone()?,
                m.rev?,
                m.info.as_deref()?.to_vec(),
            )),
            e => {
                if reg.is_some() {
                    return None;
                }
                out.push(Step::Other(e.clone()))
            }
        }
    }
    (reg.is_none() && more.is_empty()).then_some(out)
}

/// An interface name as `parse_meta` reads it: a trailing NUL means the
/// exact name, none a `+` prefix; `INVAL/D` is `! -i +`.
pub fn iface_of(data: &[u8], inv: bool) -> Iface {
    if data == b"INVAL/D\0" && !inv {
        return Iface {
            name: "+".into(),
            inv: true,
        };
    }
    let name = match data.split_last() {
        Some((0, rest)) => String::from_utf8_lossy(rest).into_owned(),
        _ => format!("{}+", String::from_utf8_lossy(data)),
    };
    Iface { name, inv }
}

/// Copy `data` over the start of `dst` and set the mask: the bitwise mask,
/// or 0xff over the bytes compared.
fn masked<const N: usize>(data: &[u8], mask: &Option<Vec<u8>>) -> ([u8; N], [u8; N]) {
    let mut a = [0u8; N];
    let mut m = [0u8; N];
    for (i, b) in data.iter().take(N).enumerate() {
        a[i] = *b;
    }
    match mask {
        Some(mk) => {
            for (i, b) in mk.iter().take(N).enumerate() {
                m[i] = *b;
            }
        }
        None => {
            for x in m.iter_mut().take(data.len().min(N)) {
                *x = 0xff;
            }
        }
    }
    (a, m)
}

fn u16_of(data: &[u8], mask: &Option<Vec<u8>>) -> Option<Field16> {
    let val = u16::from_be_bytes(data.try_into().ok()?);
    let mask = match mask {
        Some(m) => u16::from_be_bytes(m.as_slice().try_into().ok()?),
        None => 0xffff,
    };
    Some(Field16 { val, mask })
}

/// Read a kernel rule of the `arp filter` table: the arptables rule, or
/// why it is not one.
pub fn decode(rule: &Rule) -> Result<ArpRule, String> {
    if rule.attrs.userdata.is_some() {
        return Err("rule has userdata".into());
    }
    let exprs = rule.exprs();
    let steps = steps(exprs).ok_or("registers used in a way arptables does not")?;
    // What arptables-nft reads only after a header field sets it (the
    // address offsets depend on the hardware length).
    let mut r = ArpRule {
        htype: Field16 {
            val: 0,
            mask: 0xffff,
        },
        hlen: (0, 255),
        ..ArpRule::default()
    };
    let mut pln = false;
    for s in steps {
        // arptables compares with `==` and `!=` only.
        let s = match s {
            Step::Test {
                op: CmpOp::Eq | CmpOp::Neq,
                ..
            }
            | Step::Counter(..)
            | Step::Verdict(..)
            | Step::Target(..) => s,
            _ => return Err("expression arptables does not write".into()),
        };
        match s {
            Step::Test {
                load: Load::Meta(k),
                mask: None,
                op,
                data,
            } => match (k, op == CmpOp::Neq) {
                (MetaKey::IifName, inv) => r.iniface = iface_of(&data, inv),
                (MetaKey::OifName, inv) => r.outiface = iface_of(&data, inv),
                _ => return Err("unknown arp meta key".into()),
            },
            Step::Test {
                load:
                    Load::Payload {
                        base: PayloadBase::Network,
                        off,
                        len,
                    },
                mask,
                op,
                data,
            } => {
                let inv = op == CmpOp::Neq;
                let hl = u32::from(r.hlen.0);
                match off {
                    0 => {
                        r.htype = u16_of(&data, &mask).ok_or("bad hardware type")?;
                        r.inv.htype = inv;
                    }
                    2 => {
                        r.ptype = u16_of(&data, &mask).ok_or("bad protocol type")?;
                        r.inv.ptype = inv;
                    }
                    4 => {
                        let v = *data.first().ok_or("bad length")?;
                        let m = mask
                            .as_ref()
                            .and_then(|m| m.first().copied())
                            .unwrap_or(255);
                        r.hlen = (v, m);
                        r.inv.hlen = inv;
                    }
                    5 => {
                        if data != [4] || inv || mask.is_some() {
                            return Err("unexpected ARP protocol length match".into());
                        }
                        pln = true;
                    }
                    6 => {
                        r.op = u16_of(&data, &mask).ok_or("bad opcode")?;
                        r.inv.op = inv;
                    }
                    o if o == ARPHDR_LEN => {
                        (r.src_mac.addr, r.src_mac.mask) = masked(&data, &mask);
                        r.inv.src_mac = inv;
                    }
                    o if o == ARPHDR_LEN + hl => {
                        (r.src.addr, r.src.mask) = masked(&data, &mask);
                        r.inv.src = inv;
                    }
                    o if o == ARPHDR_LEN + hl + 4 => {
                        (r.dst_mac.addr, r.dst_mac.mask) = masked(&data, &mask);
                        r.inv.dst_mac = inv;
                    }
                    o if o == ARPHDR_LEN + 2 * hl + 4 => {
                        (r.dst.addr, r.dst.mask) = masked(&data, &mask);
                        r.inv.dst = inv;
                    }
                    _ => return Err(format!("unknown payload offset {off} (length {len})")),
                }
            }
            Step::Counter(p, b) => (r.packets, r.bytes) = (p, b),
            Step::Verdict(code, chain) => {
                r.verdict = match (code, chain) {
                    (VerdictCode::Accept, None) => ArpVerdict::Accept,
                    (VerdictCode::Drop, None) => ArpVerdict::Drop,
                    (VerdictCode::Return, None) => ArpVerdict::Return,
                    (VerdictCode::Jump, Some(c)) => ArpVerdict::Jump(c),
                    _ => return Err("verdict arptables does not write".into()),
                }
            }
            Step::Target(name, rev, info) => {
                let t = ArpTarget::from_info(&name, rev, &info)
                    .ok_or_else(|| format!("target {name} revision {rev} unknown to arptables"))?;
                r.verdict = ArpVerdict::Target(t);
            }
            _ => return Err("expression arptables does not write".into()),
        }
    }
    if !pln {
        return Err("no protocol length test".into());
    }
    let again = encode(&r);
    if again.len() != exprs.len() || again.iter().zip(exprs).any(|(a, b)| canon(a) != canon(b)) {
        return Err("not encoded as arptables-nft encodes it".into());
    }
    Ok(r)
}
