//! The ebtables-nft and arptables-nft readers (`nft-ruleparse-bridge.c`,
//! `nft-ruleparse-arp.c` on top of the common register walk), for the
//! `bridge` tables filter/nat/broute and the `arp` table filter.
//!
//! The listing whitelist is the one of [`super::whitelist`] (shared by all
//! xtables-nft tools). The walk below tracks what each register holds and
//! reproduces the `Error:` lines the readers print (`unknown meta key`,
//! `unknown bridge meta key`, `unknown payload offset`, `invalid family
//! for TH match`, `Unknown arp meta key`). A rule both readers get through
//! is read correctly when it is exactly the encoding the tools write
//! ([`crate::ebtables::decode`], [`crate::arptables::decode`]); otherwise
//! it is misread, and the bridge reading (protocol, MAC addresses,
//! interfaces, verdict, as the reader fills `struct ebt_entry`) is printed
//! as the tools would.
//!
//! Release differences modelled: ebtables 1.8.9 prints an inversion after
//! the option (`-s ! MAC`), 1.8.10 and later before it (`! -s MAC`);
//! arptables before 1.8.11 places the fields after the sender hardware
//! address by the hardware length it has read, so a compare beyond offset 8
//! (`arp saddr ip`, `daddr ether`, `daddr ip`) that no `arp hlen` test
//! precedes fails (`unknown payload offset`); 1.8.10 is assumed to behave
//! as 1.8.9 there (only 1.8.9 and 1.8.11 are run by the tests).

use super::explain::{outcomes, prog, whitelist_culprit, ListOutcome, RuleReport};
use super::nlexpr::NlExpr;
use super::reader::{Finding, ParseError};
use super::version::IptVersion;
use crate::arptables::decode::iface_of;
use crate::ebtables::decode::SetMap;
use crate::ebtables::ext::Mac;
use crate::ebtables::rule::{EbtRule, EbtVerdict, Proto};
use crate::ebtables::text::{body, Counters};
use crate::object::Rule;
use crate::ruleset::SetWithElems;

/// `NFPROTO_ARP`.
pub const FAMILY_ARP: u8 = 3;
/// `NFPROTO_BRIDGE`.
pub const FAMILY_BRIDGE: u8 = 7;

/// Whether `table` of `family` is one ebtables-nft or arptables-nft manage.
pub fn managed(family: u8, table: &str) -> bool {
    match family {
        FAMILY_BRIDGE => crate::ebtables::tables::table(table).is_some(),
        FAMILY_ARP => crate::arptables::tables::table(table).is_some(),
        _ => false,
    }
}

// Kernel attribute numbers and values.
const CMP_SREG: u16 = 1;
const CMP_OP: u16 = 2;
const CMP_DATA: u16 = 3;
const META_DREG: u16 = 1;
const META_KEY: u16 = 2;
const PAYLOAD_DREG: u16 = 1;
const PAYLOAD_BASE: u16 = 2;
const PAYLOAD_OFFSET: u16 = 3;
const PAYLOAD_LEN: u16 = 4;
const BITWISE_SREG: u16 = 1;
const BITWISE_DREG: u16 = 2;
const BITWISE_MASK: u16 = 4;
const IMM_DREG: u16 = 1;
const OP_NEQ: u32 = 1;
const BASE_LL: u32 = 0;
const BASE_TRANSPORT: u32 = 2;
const KEY_PROTOCOL: u32 = 1;
const KEY_IIFNAME: u32 = 6;
const KEY_OIFNAME: u32 = 7;
const KEY_BRI_IIFNAME: u32 = 17;
const KEY_BRI_OIFNAME: u32 = 18;
/// Keys the common `parse_meta` accepts: mark, iif, oif, iifname, oifname,
/// the bridge port names and pkttype.
const COMMON_KEYS: [u32; 8] = [3, 4, 5, 6, 7, 17, 18, 19];

#[derive(Clone, Copy, Debug, Default)]
enum Held {
    #[default]
    Undef,
    Meta(u32),
    Payload {
        base: u32,
        offset: u32,
        len: u32,
    },
}

#[derive(Clone, Copy, Debug, Default)]
struct Slot {
    held: Held,
    mask: Option<[u8; 6]>,
}

/// What one release's bridge or arp reader does with a rule.
#[derive(Clone, Debug, Default)]
pub struct Reading {
    /// `Error:` lines (non-empty: listing and `-D` exit 3).
    pub errors: Vec<ParseError>,
    /// Where the reading differs from the rule.
    pub findings: Vec<Finding>,
    /// The bridge rule as the reader filled it (bridge family only).
    pub ebt: Option<EbtRule>,
    /// True when every expression is one this walk models fully (so
    /// [`Reading::ebt`] is the whole reading).
    pub complete: bool,
}

/// Map the nft register number to a 4-byte slot (`NFT_REG_1..4` are 16
/// bytes each, `NFT_REG32_*` 4 bytes each).
fn slot_of(reg: u32) -> Option<usize> {
    match reg {
        1..=4 => Some(((reg - 1) * 4) as usize),
        8..=23 => Some((reg - 8) as usize),
        _ => None,
    }
}

/// Read `rule` as ebtables-nft/arptables-nft `v` do.
pub fn read(rule: &Rule, v: IptVersion) -> Reading {
    let bridge = rule.family == FAMILY_BRIDGE;
    let mut regs = [Slot::default(); 16];
    let mut out = Reading {
        complete: true,
        ..Default::default()
    };
    let mut ebt = EbtRule::default();
    let mut arp_hlen_seen = false;
    let err = |out: &mut Reading, i: usize, m: &str| {
        out.errors.push(ParseError {
            expr: i,
            message: m.to_string(),
        })
    };
    for (i, e) in rule.exprs().iter().enumerate() {
        let n = NlExpr::of(e);
        match n.name.as_str() {
            "meta" if n.is_set(META_DREG) => {
                if let Some(s) = slot_of(n.u32(META_DREG)) {
                    regs[s] = Slot {
                        held: Held::Meta(n.u32(META_KEY)),
                        mask: None,
                    };
                }
            }
            "payload" if n.is_set(PAYLOAD_DREG) => {
                if let Some(s) = slot_of(n.u32(PAYLOAD_DREG)) {
                    regs[s] = Slot {
                        held: Held::Payload {
                            base: n.u32(PAYLOAD_BASE),
                            offset: n.u32(PAYLOAD_OFFSET),
                            len: n.u32(PAYLOAD_LEN),
                        },
                        mask: None,
                    };
                }
            }
            "bitwise" => {
                if let (Some(s), Some(d)) =
                    (slot_of(n.u32(BITWISE_SREG)), slot_of(n.u32(BITWISE_DREG)))
                {
                    let mut m = [0u8; 6];
                    let raw = n.value(BITWISE_MASK);
                    let k = raw.len().min(6);
                    m[..k].copy_from_slice(&raw[..k]);
                    regs[d] = Slot {
                        held: regs[s].held,
                        mask: Some(m),
                    };
                }
            }
            "cmp" => {
                let Some(s) = slot_of(n.u32(CMP_SREG)) else {
                    continue;
                };
                let inv = n.u32(CMP_OP) == OP_NEQ;
                let data = n.value(CMP_DATA);
                match regs[s].held {
                    Held::Undef => err(&mut out, i, "cmp sreg undef"),
                    Held::Meta(key) if bridge => match key {
                        KEY_PROTOCOL => out.findings.push(Finding {
                            expr: i,
                            text: "ebtables ignores a `meta protocol` compare".into(),
                        }),
                        KEY_IIFNAME => ebt.iniface = iface(&data, inv),
                        KEY_OIFNAME => ebt.outiface = iface(&data, inv),
                        KEY_BRI_IIFNAME => ebt.logical_in = iface(&data, inv),
                        KEY_BRI_OIFNAME => ebt.logical_out = iface(&data, inv),
                        k if COMMON_KEYS.contains(&k) => {
                            err(&mut out, i, "unknown bridge meta key")
                        }
                        _ => err(&mut out, i, "unknown meta key"),
                    },
                    Held::Meta(key) => {
                        if !COMMON_KEYS.contains(&key) {
                            err(&mut out, i, "Unknown arp meta key");
                        } else if key != KEY_IIFNAME && key != KEY_OIFNAME {
                            out.findings.push(Finding {
                                expr: i,
                                text: "arptables keeps this meta compare only in `-L` and drops \
                                       it from save"
                                    .into(),
                            });
                        }
                    }
                    Held::Payload { base, .. } if base == BASE_TRANSPORT => {
                        err(&mut out, i, "invalid family for TH match")
                    }
                    Held::Payload { base, offset, len } if bridge => {
                        if base != BASE_LL {
                            out.findings.push(Finding {
                                expr: i,
                                text: format!(
                                    "ebtables ignores the header base and reads this {len}-byte \
                                     compare at offset {offset} as one on the Ethernet header"
                                ),
                            });
                        }
                        bridge_payload(&mut ebt, offset, &data, inv, regs[s].mask, len)
                            .unwrap_or_else(|m| err(&mut out, i, m));
                    }
                    Held::Payload { offset, len, .. } => {
                        out.complete = false;
                        // arp header: hardware type/length are at 0/4.
                        if offset == 4 && len == 1 {
                            arp_hlen_seen = true;
                        }
                        if v < IptVersion::V1_8_11 && offset > 8 && !arp_hlen_seen {
                            err(&mut out, i, "unknown payload offset");
                        }
                    }
                }
            }
            "immediate" if n.u32(IMM_DREG) == 0 => {
                ebt.verdict = match e {
                    crate::expr::Expr::Immediate(im) => {
                        let vd = im.data.as_ref().and_then(|d| d.verdict.as_ref());
                        match vd.and_then(|v| v.code) {
                            Some(crate::data::VerdictCode::Accept) => EbtVerdict::Accept,
                            Some(crate::data::VerdictCode::Drop) => EbtVerdict::Drop,
                            Some(crate::data::VerdictCode::Return) => EbtVerdict::Return,
                            Some(crate::data::VerdictCode::Jump)
                            | Some(crate::data::VerdictCode::Goto) => EbtVerdict::Jump(
                                vd.and_then(|v| v.chain.clone()).unwrap_or_default(),
                            ),
                            _ => EbtVerdict::Continue,
                        }
                    }
                    _ => EbtVerdict::Continue,
                };
            }
            "counter" => {}
            _ => out.complete = false,
        }
    }
    if bridge {
        out.ebt = Some(ebt);
    }
    out
}

/// An interface compare as the reader takes it: the name up to the first
/// NUL (nft pads names to 16 bytes), a wildcard when there is none.
fn iface(data: &[u8], inv: bool) -> crate::iptables::rule::Iface {
    match data.iter().position(|&b| b == 0) {
        Some(p) => iface_of(&data[..=p], inv),
        None => iface_of(data, inv),
    }
}

fn bridge_payload(
    ebt: &mut EbtRule,
    offset: u32,
    data: &[u8],
    inv: bool,
    mask: Option<[u8; 6]>,
    len: u32,
) -> Result<(), &'static str> {
    let mac = || {
        let mut m = Mac::default();
        let k = data.len().min(6);
        m.addr[..k].copy_from_slice(&data[..k]);
        match mask {
            Some(x) => m.mask = x,
            None => m.mask[..(len as usize).min(6)].fill(0xff),
        }
        m
    };
    match offset {
        0 => {
            ebt.dst = Some(mac());
            ebt.dst_inv = inv;
        }
        6 => {
            ebt.src = Some(mac());
            ebt.src_inv = inv;
        }
        12 => {
            // The reader copies the first two bytes, whatever the length.
            let t = match data {
                [a, b, ..] => u16::from_be_bytes([*a, *b]),
                _ => 0,
            };
            ebt.proto = Some(if t == 0x0600 {
                Proto::Length
            } else {
                Proto::Type(t)
            });
            ebt.proto_inv = inv;
        }
        _ => return Err("unknown payload offset"),
    }
    Ok(())
}

/// The save line (`-A CHAIN ...`) of a bridge rule as release `v` prints it.
pub fn ebt_save_line(r: &EbtRule, chain: &str, v: IptVersion) -> String {
    let mut b = String::new();
    body(r, Counters::None, &mut b);
    let b = b.trim_end();
    let b = if v == IptVersion::V1_8_9 {
        old_inversions(b)
    } else {
        b.to_string()
    };
    format!("-A {chain} {b}")
}

/// 1.8.9 prints `-s ! X` where later releases print `! -s X`.
fn old_inversions(s: &str) -> String {
    let w: Vec<&str> = s.split(' ').collect();
    let mut out: Vec<&str> = Vec::new();
    let mut i = 0;
    while i < w.len() {
        if w[i] == "!" && i + 1 < w.len() && w[i + 1].starts_with('-') {
            out.push(w[i + 1]);
            out.push("!");
            i += 2;
        } else {
            out.push(w[i]);
            i += 1;
        }
    }
    out.join(" ")
}

/// The sets of `rule`'s table by name, with their elements (`among`).
pub fn table_sets(rule: &Rule, sets: &[SetWithElems]) -> SetMap {
    sets.iter()
        .filter(|sw| sw.set.family == rule.family && sw.set.table() == rule.table())
        .map(|sw| {
            let elems = sw
                .elems
                .iter()
                .flat_map(|m| m.attrs.elems.iter().flat_map(|l| l.0.iter().cloned()))
                .collect();
            (sw.set.name().to_string(), (sw.set.clone(), elems))
        })
        .collect()
}

/// The save line of `rule` when it is exactly the tools' own encoding.
pub fn own_line(rule: &Rule, sets: &SetMap, v: IptVersion) -> Option<String> {
    match rule.family {
        FAMILY_BRIDGE => crate::ebtables::decode::decode_with_sets(rule, rule.table(), sets)
            .ok()
            .map(|r| ebt_save_line(&r, rule.chain(), v)),
        FAMILY_ARP => crate::arptables::decode::decode(rule).ok().map(|r| {
            let mut s = format!("-A {}", rule.chain());
            crate::arptables::text::save_body(&r, &mut s);
            s
        }),
        _ => None,
    }
}

/// Explain one rule of a bridge or arp table for release `v`: listing
/// (`-L`, save: whitelist, then reader) and `-D` by spec (reader only).
pub fn explain_rule(rule: &Rule, sets: &[SetWithElems], v: IptVersion) -> RuleReport {
    let exprs: Vec<String> = rule.exprs().iter().map(|e| e.to_string()).collect();
    let culprit = whitelist_culprit(rule, &exprs);
    let mut reading = read(rule, v);
    if v == IptVersion::V1_8_9 && rule.family == FAMILY_BRIDGE && rule.table() == "broute" {
        // 1.8.9 has no broute table: `-t broute` fails before reading any
        // rule, and ebtables-save leaves the table out.
        reading.errors.insert(
            0,
            ParseError {
                expr: 0,
                message: "table 'broute' does not exist".into(),
            },
        );
    }
    let failed = !reading.errors.is_empty();
    let own = own_line(rule, &table_sets(rule, sets), v);
    let (list, check) = outcomes(culprit.is_some(), failed);
    let mut findings = reading.findings;
    // A dropped protocol dependency matters less than what is read wrongly.
    findings.sort_by_key(|f| f.text.contains("`meta protocol`"));
    // The tools' own encoding reads back as written; anything else is
    // read correctly only when the walk models every expression and found
    // nothing dropped or reinterpreted.
    let misread = !failed && own.is_none() && !findings.is_empty();
    let read_as = if failed {
        None
    } else if own.is_some() {
        own.clone()
    } else if reading.complete {
        reading
            .ebt
            .as_ref()
            .map(|r| ebt_save_line(r, rule.chain(), v))
    } else {
        None
    };
    let printed = if list == ListOutcome::Ok {
        read_as.clone()
    } else {
        None
    };
    let tool = prog(rule.family);
    let reason = match (list, &culprit) {
        (ListOutcome::Incompatible, Some(c)) => format!(
            "expression #{} `{}` makes the table incompatible: {}, so `{tool} -L` fails (exit 1) \
             and {tool}-save prints a comment instead of the table{}.",
            c.index,
            c.raw,
            c.why,
            match (failed, &read_as) {
                (true, _) => format!(
                    "; -D stops with `Error: {}` (exit 3)",
                    reading.errors[0].message
                ),
                (false, Some(r)) => format!("; -D reads it as `{r}`"),
                _ => String::new(),
            }
        ),
        _ if failed && reading.errors[0].message.starts_with("table ") => format!(
            "ebtables {v} has no broute table: `ebtables -t broute` exits 3 with `table 'broute' \
             does not exist` and ebtables-save omits the table."
        ),
        _ if failed => {
            let e = &reading.errors[0];
            format!(
                "The {tool} reader fails with `Error: {}` at expression #{} `{}`, so listing and \
                 -D exit with status 3.",
                e.message,
                e.expr,
                exprs.get(e.expr).map(String::as_str).unwrap_or("")
            )
        }
        _ if misread => format!(
            "{tool} reads it silently wrong as `{}`: {}.",
            read_as.as_deref().unwrap_or("(not printable)"),
            findings[0].text
        ),
        _ if read_as.is_none() => format!(
            "{tool} reads it without an error (nftwire does not model how it prints this rule)."
        ),
        _ => format!("{tool} reads it as written."),
    };
    RuleReport {
        family: rule.family,
        table: rule.table().to_string(),
        chain: rule.chain().to_string(),
        handle: rule.attrs.handle,
        exprs,
        list,
        check,
        culprit,
        errors: reading.errors,
        findings,
        undefined: None,
        misread,
        read_as,
        iptables: printed,
        hidden_by: None,
        suggestion: None,
        no_suggestion: None,
        reason,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inversion_moves_after_option_for_1_8_9() {
        assert_eq!(
            old_inversions("! -s 00:11:22:33:44:55 -j DROP"),
            "-s ! 00:11:22:33:44:55 -j DROP"
        );
        assert_eq!(
            old_inversions("-p IPv4 ! -i eth0 -j ACCEPT"),
            "-p IPv4 -i ! eth0 -j ACCEPT"
        );
    }
}
