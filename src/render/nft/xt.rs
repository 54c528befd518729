//! xtables compat extensions (`match`/`target` expressions written by
//! iptables-nft), printed in an iptables-like form nftwire documents:
//!
//! ```text
//! xt match "NAME" OPTIONS      e.g.  xt match "comment" --comment "text"
//! xt target "NAME" OPTIONS     e.g.  xt target "DNAT" --to-destination 10.0.0.1:80
//! xt match "NAME" rev N        when the info blob is not decoded
//! ```
//!
//! OPTIONS are the iptables command line options (as `iptables-save`
//! prints them) decoded from the x86_64 kernel structs; a leading `!`
//! marks an inverted option. Unknown blobs keep name and revision only.

use super::stmt::Xt;
use super::value::ip6_text;
use std::fmt::Write;

fn u16h(b: &[u8], o: usize) -> Option<u16> {
    Some(u16::from_ne_bytes(b.get(o..o + 2)?.try_into().ok()?))
}
fn u16be(b: &[u8], o: usize) -> Option<u16> {
    Some(u16::from_be_bytes(b.get(o..o + 2)?.try_into().ok()?))
}
fn u32h(b: &[u8], o: usize) -> Option<u32> {
    Some(u32::from_ne_bytes(b.get(o..o + 4)?.try_into().ok()?))
}
fn cstr(b: &[u8]) -> std::borrow::Cow<'_, str> {
    let end = b.iter().position(|&c| c == 0).unwrap_or(b.len());
    String::from_utf8_lossy(&b[..end])
}
/// Append `s` in double quotes, with `"` and `\` escaped.
fn push_quoted(o: &mut String, s: &str) {
    o.push('"');
    if s.contains(['"', '\\']) {
        for c in s.chars() {
            if c == '"' || c == '\\' {
                o.push('\\');
            }
            o.push(c);
        }
    } else {
        o.push_str(s);
    }
    o.push('"');
}
fn quote(s: &str) -> String {
    let mut o = String::with_capacity(s.len() + 2);
    push_quoted(&mut o, s);
    o
}
fn ip4(b: &[u8], o: usize) -> Option<String> {
    let a: [u8; 4] = b.get(o..o + 4)?.try_into().ok()?;
    let mut s = String::with_capacity(15);
    crate::util::push_ipv4(&mut s, a);
    Some(s)
}
fn ip6(b: &[u8], o: usize) -> Option<String> {
    let a: [u8; 16] = b.get(o..o + 16)?.try_into().ok()?;
    Some(ip6_text(&a))
}
fn inv(flag: bool) -> &'static str {
    if flag {
        "! "
    } else {
        ""
    }
}

const CT_STATES: &[(u32, &str)] = &[
    (1, "INVALID"),
    (8, "NEW"),
    (4, "RELATED"),
    (2, "ESTABLISHED"),
    (0x100, "UNTRACKED"),
    (0x40, "SNAT"),
    (0x80, "DNAT"),
];
const CT_STATUS: &[(u32, &str)] = &[
    (1, "EXPECTED"),
    (2, "SEEN_REPLY"),
    (4, "ASSURED"),
    (8, "CONFIRMED"),
];

fn bits(v: u32, names: &[(u32, &str)]) -> String {
    let mut parts: Vec<String> = names
        .iter()
        .filter(|(b, _)| v & b != 0)
        .map(|(_, n)| n.to_string())
        .collect();
    let known: u32 = names.iter().map(|(b, _)| b).fold(0, |a, b| a | b);
    if v & !known != 0 {
        parts.push(format!("0x{:x}", v & !known));
    }
    parts.join(",")
}

fn conntrack(b: &[u8], rev: u32) -> Option<String> {
    let (mflags, iflags, state, status) = match rev {
        1 => (
            *b.get(146)? as u32,
            *b.get(147)? as u32,
            *b.get(148)? as u32,
            *b.get(149)? as u32,
        ),
        2 | 3 => (
            u16h(b, 146)? as u32,
            u16h(b, 148)? as u32,
            u16h(b, 150)? as u32,
            u16h(b, 152)? as u32,
        ),
        _ => return None,
    };
    let mut o = String::new();
    if mflags & 1 != 0 {
        if mflags & 0x2000 != 0 {
            let _ = write!(
                o,
                " {}--state {}",
                inv(iflags & 1 != 0),
                bits(state, CT_STATES)
            );
        } else {
            let _ = write!(
                o,
                " {}--ctstate {}",
                inv(iflags & 1 != 0),
                bits(state, CT_STATES)
            );
        }
    }
    if mflags & 0x40 != 0 {
        let _ = write!(
            o,
            " {}--ctstatus {}",
            inv(iflags & 0x40 != 0),
            bits(status, CT_STATUS)
        );
    }
    if mflags & !(1 | 0x40 | 0x2000) != 0 {
        let _ = write!(o, " match-flags 0x{:x}", mflags & !(1 | 0x40 | 0x2000));
    }
    Some(o)
}

fn ports(b: &[u8], o: usize, name: &str, inverted: bool) -> Option<String> {
    let lo = u16h(b, o)?;
    let hi = u16h(b, o + 2)?;
    if lo == 0 && hi == 0xffff && !inverted {
        return Some(String::new());
    }
    let v = if lo == hi {
        lo.to_string()
    } else {
        format!("{lo}:{hi}")
    };
    Some(format!(" {}--{name} {v}", inv(inverted)))
}

fn tcp(b: &[u8]) -> Option<String> {
    let invf = *b.get(11)?;
    let mut o = ports(b, 0, "sport", invf & 1 != 0)?;
    o.push_str(&ports(b, 4, "dport", invf & 2 != 0)?);
    let opt = *b.get(8)?;
    let mask = *b.get(9)?;
    let cmp = *b.get(10)?;
    if mask != 0 || invf & 4 != 0 {
        const F: &[(u32, &str)] = &[
            (1, "FIN"),
            (2, "SYN"),
            (4, "RST"),
            (8, "PSH"),
            (16, "ACK"),
            (32, "URG"),
            (64, "ECE"),
            (128, "CWR"),
        ];
        let m = if mask == 0 {
            "NONE".into()
        } else {
            bits(mask as u32, F)
        };
        let c = if cmp == 0 {
            "NONE".into()
        } else {
            bits(cmp as u32, F)
        };
        let _ = write!(o, " {}--tcp-flags {m} {c}", inv(invf & 4 != 0));
    }
    if opt != 0 {
        let _ = write!(o, " {}--tcp-option {opt}", inv(invf & 8 != 0));
    }
    Some(o)
}

fn udp(b: &[u8]) -> Option<String> {
    let invf = *b.get(8)?;
    let mut o = ports(b, 0, "sport", invf & 1 != 0)?;
    o.push_str(&ports(b, 4, "dport", invf & 2 != 0)?);
    Some(o)
}

fn multiport(b: &[u8], rev: u32) -> Option<String> {
    let flags = *b.first()?;
    let count = (*b.get(1)? as usize).min(15);
    let mut list = Vec::new();
    let mut i = 0;
    while i < count {
        let p = u16h(b, 2 + 2 * i)?;
        let is_range = rev >= 1 && *b.get(32 + i)? != 0;
        if is_range && i + 1 < count {
            list.push(format!("{p}:{}", u16h(b, 2 + 2 * (i + 1))?));
            i += 2;
        } else {
            list.push(p.to_string());
            i += 1;
        }
    }
    let invert = rev >= 1 && *b.get(47)? != 0;
    let opt = match flags {
        0 => "sports",
        1 => "dports",
        _ => "ports",
    };
    Some(format!(" {}--{opt} {}", inv(invert), list.join(",")))
}

fn mark_mask(v: u32, m: u32) -> String {
    if m == 0xffff_ffff {
        format!("0x{v:x}")
    } else {
        format!("0x{v:x}/0x{m:x}")
    }
}

const ADDRTYPES: &[(u32, &str)] = &[
    (1, "UNSPEC"),
    (2, "UNICAST"),
    (4, "LOCAL"),
    (8, "BROADCAST"),
    (16, "ANYCAST"),
    (32, "MULTICAST"),
    (64, "BLACKHOLE"),
    (128, "UNREACHABLE"),
    (256, "PROHIBIT"),
    (512, "THROW"),
    (1024, "NAT"),
    (2048, "XRESOLVE"),
];

fn addrtype(b: &[u8], rev: u32) -> Option<String> {
    if rev != 1 {
        return None;
    }
    let src = u16h(b, 0)? as u32;
    let dst = u16h(b, 2)? as u32;
    let flags = u32h(b, 4)?;
    let mut o = String::new();
    if src != 0 {
        let _ = write!(
            o,
            " {}--src-type {}",
            inv(flags & 1 != 0),
            bits(src, ADDRTYPES)
        );
    }
    if dst != 0 {
        let _ = write!(
            o,
            " {}--dst-type {}",
            inv(flags & 2 != 0),
            bits(dst, ADDRTYPES)
        );
    }
    if flags & 4 != 0 {
        o.push_str(" --limit-iface-in");
    }
    if flags & 8 != 0 {
        o.push_str(" --limit-iface-out");
    }
    Some(o)
}

fn physdev(b: &[u8]) -> Option<String> {
    let indev = cstr(b.get(0..16)?);
    let outdev = cstr(b.get(32..48)?);
    let invert = *b.get(64)?;
    let mask = *b.get(65)?;
    let mut o = String::new();
    if mask & 1 != 0 {
        let _ = write!(o, " {}--physdev-in {indev}", inv(invert & 1 != 0));
    }
    if mask & 2 != 0 {
        let _ = write!(o, " {}--physdev-out {outdev}", inv(invert & 2 != 0));
    }
    if mask & 8 != 0 {
        let _ = write!(o, " {}--physdev-is-in", inv(invert & 8 != 0));
    }
    if mask & 16 != 0 {
        let _ = write!(o, " {}--physdev-is-out", inv(invert & 16 != 0));
    }
    if mask & 4 != 0 {
        let _ = write!(o, " {}--physdev-is-bridged", inv(invert & 4 != 0));
    }
    Some(o)
}

fn set_match(b: &[u8]) -> Option<String> {
    let index = u16h(b, 0)?;
    let dim = *b.get(2)?;
    let flags = *b.get(3)?;
    let mut dirs = Vec::new();
    for i in 1..=dim.min(6) {
        dirs.push(if flags & (1 << i) != 0 { "src" } else { "dst" });
    }
    let invert = flags & 1 != 0;
    Some(format!(
        " {}--match-set #{index} {}",
        inv(invert),
        dirs.join(",")
    ))
}

fn statistic(b: &[u8]) -> Option<String> {
    let mode = u16h(b, 0)?;
    let flags = u16h(b, 2)?;
    let invert = flags & 1 != 0;
    match mode {
        0 => {
            let p = u32h(b, 4)? as f64 / 2147483648.0;
            Some(format!(
                " --mode random {}--probability {p:.11}",
                inv(invert)
            ))
        }
        1 => {
            let every = u32h(b, 4)? as u64 + 1;
            let packet = u32h(b, 8)?;
            let mut o = format!(" --mode nth {}--every {every}", inv(invert));
            if packet != 0 {
                let _ = write!(o, " --packet {packet}");
            }
            Some(o)
        }
        _ => None,
    }
}

fn limit(b: &[u8]) -> Option<String> {
    let avg = u32h(b, 0)?;
    let burst = u32h(b, 4)?;
    if avg == 0 {
        return None;
    }
    const SCALE: u64 = 10000;
    let rates = [
        ("day", SCALE * 86400),
        ("hour", SCALE * 3600),
        ("min", SCALE * 60),
        ("sec", SCALE),
    ];
    let mut pick = rates[3];
    for r in rates {
        if r.1 / avg as u64 >= 1 && (r.1 % avg as u64 == 0 || r.1 == SCALE) {
            pick = r;
            break;
        }
    }
    Some(format!(
        " --limit {}/{} --limit-burst {burst}",
        pick.1 / avg as u64,
        pick.0
    ))
}

fn icmp(b: &[u8]) -> Option<String> {
    let ty = *b.first()?;
    let lo = *b.get(1)?;
    let hi = *b.get(2)?;
    let invf = *b.get(3)?;
    let t = if ty == 0xff && lo == 0 && hi == 0xff {
        "any".to_string()
    } else if lo == 0 && hi == 0xff {
        ty.to_string()
    } else {
        format!("{ty}/{lo}")
    };
    Some(format!(" {}--icmp-type {t}", inv(invf & 1 != 0)))
}

fn nat_range_v4(b: &[u8], opt: &str) -> Option<String> {
    if u32h(b, 0)? == 0 {
        return Some(String::new());
    }
    let flags = u32h(b, 4)?;
    let mut o = format!(" {opt} ");
    if flags & 1 != 0 {
        let lo = ip4(b, 8)?;
        let hi = ip4(b, 12)?;
        o.push_str(&lo);
        if hi != lo {
            let _ = write!(o, "-{hi}");
        }
    }
    if flags & 2 != 0 {
        let lo = u16be(b, 16)?;
        let hi = u16be(b, 18)?;
        let _ = write!(o, ":{lo}");
        if hi != lo {
            let _ = write!(o, "-{hi}");
        }
    }
    nat_flag_opts(&mut o, flags);
    Some(o)
}

fn nat_flag_opts(o: &mut String, flags: u32) {
    if flags & 4 != 0 {
        o.push_str(" --random");
    }
    if flags & 0x10 != 0 {
        o.push_str(" --random-fully");
    }
    if flags & 8 != 0 {
        o.push_str(" --persistent");
    }
}

fn nat_range2(b: &[u8], opt: &str, family: u8) -> Option<String> {
    let flags = u32h(b, 0)?;
    let mut o = format!(" {opt} ");
    let v6 = family == 10;
    if flags & 1 != 0 {
        let (lo, hi) = if v6 {
            (ip6(b, 4)?, ip6(b, 20)?)
        } else {
            (ip4(b, 4)?, ip4(b, 20)?)
        };
        if v6 && flags & 2 != 0 {
            let _ = write!(o, "[{lo}]");
        } else {
            o.push_str(&lo);
        }
        if hi != lo {
            let _ = write!(o, "-{hi}");
        }
    }
    if flags & 2 != 0 {
        let lo = u16be(b, 36)?;
        let hi = u16be(b, 38)?;
        let _ = write!(o, ":{lo}");
        if hi != lo {
            let _ = write!(o, "-{hi}");
        }
    }
    nat_flag_opts(&mut o, flags);
    Some(o)
}

fn masquerade(b: &[u8], family: u8, opt: &str) -> Option<String> {
    let mut o = String::new();
    let (flags, lo, hi) = if family == 10 {
        (u32h(b, 0)?, u16be(b, 36)?, u16be(b, 38)?)
    } else {
        (u32h(b, 4)?, u16be(b, 16)?, u16be(b, 18)?)
    };
    if flags & 2 != 0 {
        let _ = write!(o, " {opt} {lo}");
        if hi != lo {
            let _ = write!(o, "-{hi}");
        }
    }
    nat_flag_opts(&mut o, flags);
    Some(o)
}

fn reject(b: &[u8], family: u8) -> Option<String> {
    let with = u32h(b, 0)?;
    let name = if family == 10 {
        match with {
            0 => "icmp6-no-route",
            1 => "icmp6-adm-prohibited",
            2 => "icmp6-not-neighbour",
            3 => "icmp6-addr-unreachable",
            4 => "icmp6-port-unreachable",
            6 => "tcp-reset",
            7 => "icmp6-policy-fail",
            8 => "icmp6-reject-route",
            _ => return None,
        }
    } else {
        match with {
            0 => "icmp-net-unreachable",
            1 => "icmp-host-unreachable",
            2 => "icmp-proto-unreachable",
            3 => "icmp-port-unreachable",
            5 => "icmp-net-prohibited",
            6 => "icmp-host-prohibited",
            7 => "tcp-reset",
            8 => "icmp-admin-prohibited",
            _ => return None,
        }
    };
    Some(format!(" --reject-with {name}"))
}

fn log_target(b: &[u8]) -> Option<String> {
    let level = *b.first()?;
    let flags = *b.get(1)?;
    let prefix = cstr(b.get(2..32)?);
    let mut o = String::new();
    if !prefix.is_empty() {
        let _ = write!(o, " --log-prefix {}", quote(&prefix));
    }
    if level != 4 {
        let _ = write!(o, " --log-level {level}");
    }
    if flags & 1 != 0 {
        o.push_str(" --log-tcp-sequence");
    }
    if flags & 2 != 0 {
        o.push_str(" --log-tcp-options");
    }
    if flags & 4 != 0 {
        o.push_str(" --log-ip-options");
    }
    if flags & 8 != 0 {
        o.push_str(" --log-uid");
    }
    Some(o)
}

fn decode(x: &Xt) -> Option<String> {
    let b = &x.info[..];
    if !x.target {
        match (x.name.as_str(), x.rev) {
            ("comment", 0) => {
                let text = cstr(b);
                let mut o = String::with_capacity(text.len() + 13);
                o.push_str(" --comment ");
                push_quoted(&mut o, &text);
                Some(o)
            }
            ("conntrack", r) => conntrack(b, r),
            ("state", 0) => {
                let m = u32h(b, 0)?;
                let named = bits(
                    m,
                    &[
                        (1, "INVALID"),
                        (8, "NEW"),
                        (4, "RELATED"),
                        (2, "ESTABLISHED"),
                        (16, "UNTRACKED"),
                    ],
                );
                Some(format!(" --state {named}"))
            }
            ("tcp", 0) => tcp(b),
            ("udp", 0) => udp(b),
            ("multiport", r) => multiport(b, r),
            ("mark", 1) => {
                let v = u32h(b, 0)?;
                let m = u32h(b, 4)?;
                Some(format!(
                    " {}--mark {}",
                    inv(*b.get(8)? != 0),
                    mark_mask(v, m)
                ))
            }
            ("connmark", 1) => {
                let v = u32h(b, 0)?;
                let m = u32h(b, 4)?;
                Some(format!(
                    " {}--mark {}",
                    inv(*b.get(8)? != 0),
                    mark_mask(v, m)
                ))
            }
            ("addrtype", r) => addrtype(b, r),
            ("physdev", 0) => physdev(b),
            ("set", r) if r >= 1 => set_match(b),
            ("statistic", 0) => statistic(b),
            ("limit", 0) => limit(b),
            ("icmp", 0) | ("icmp6", 0) => icmp(b),
            ("pkttype", 0) => {
                let t = u32h(b, 0)?;
                let name = match t {
                    0 => "unicast",
                    1 => "broadcast",
                    2 => "multicast",
                    _ => return None,
                };
                Some(format!(" {}--pkt-type {name}", inv(u32h(b, 4)? != 0)))
            }
            _ => None,
        }
    } else {
        match (x.name.as_str(), x.rev) {
            ("DNAT", 0) => nat_range_v4(b, "--to-destination"),
            ("SNAT", 0) => nat_range_v4(b, "--to-source"),
            ("DNAT", 1) | ("DNAT", 2) => nat_range2(b, "--to-destination", x.family),
            ("SNAT", 1) | ("SNAT", 2) => nat_range2(b, "--to-source", x.family),
            ("MASQUERADE", 0) => masquerade(b, x.family, "--to-ports"),
            ("REDIRECT", 0) => masquerade(b, x.family, "--to-ports"),
            ("MARK", 2) => {
                let v = u32h(b, 0)?;
                let m = u32h(b, 4)?;
                Some(format!(" --set-xmark 0x{v:x}/0x{m:x}"))
            }
            ("CONNMARK", 1) | ("CONNMARK", 2) => {
                let mark = u32h(b, 0)?;
                let ctmask = u32h(b, 4)?;
                let nfmask = u32h(b, 8)?;
                let mode = if x.rev == 2 { *b.get(14)? } else { *b.get(12)? };
                match mode {
                    0 => Some(format!(" --set-xmark 0x{mark:x}/0x{ctmask:x}")),
                    1 => Some(format!(
                        " --save-mark --nfmask 0x{nfmask:x} --ctmask 0x{ctmask:x}"
                    )),
                    2 => Some(format!(
                        " --restore-mark --nfmask 0x{nfmask:x} --ctmask 0x{ctmask:x}"
                    )),
                    _ => None,
                }
            }
            ("LOG", 0) => log_target(b),
            ("REJECT", 0) => reject(b, x.family),
            ("TCPMSS", 0) => {
                let mss = u16h(b, 0)?;
                if mss == 0xffff {
                    Some(" --clamp-mss-to-pmtu".into())
                } else {
                    Some(format!(" --set-mss {mss}"))
                }
            }
            ("CT", r) if r >= 1 => {
                let flags = u16h(b, 0)?;
                if flags & 1 != 0 {
                    Some(" --notrack".into())
                } else {
                    let zone = u16h(b, 2)?;
                    Some(format!(" --zone {zone}"))
                }
            }
            ("NFLOG", 0) => {
                let group = u16h(b, 4)?;
                let prefix = cstr(b.get(16..80)?);
                let mut o = format!(" --nflog-group {group}");
                if !prefix.is_empty() {
                    let _ = write!(o, " --nflog-prefix {}", quote(&prefix));
                }
                Some(o)
            }
            _ => None,
        }
    }
}

/// Print an xt statement in nftwire's documented form.
pub fn print(o: &mut String, x: &Xt) {
    o.push_str(if x.target { "xt target " } else { "xt match " });
    push_quoted(o, &x.name);
    match decode(x) {
        Some(opts) => o.push_str(&opts),
        None => {
            let _ = write!(o, " rev {}", x.rev);
        }
    }
}

/// The decoded options alone (for JSON), when known.
pub fn options(x: &Xt) -> Option<String> {
    decode(x).map(|s| s.trim_start().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting_escapes_quotes_and_backslashes_only() {
        assert_eq!(quote("plain text"), "\"plain text\"");
        assert_eq!(quote(""), "\"\"");
        assert_eq!(quote(r#"a"b\c"#), r#""a\"b\\c""#);
        assert_eq!(quote("ünï \"x\""), "\"ünï \\\"x\\\"\"");
    }

    #[test]
    fn comment_stops_at_nul_and_keeps_invalid_utf8_visible() {
        let mut info = b"kube \"svc\"".to_vec();
        info.resize(256, 0);
        let x = Xt {
            target: false,
            name: "comment".into(),
            rev: 0,
            info,
            family: 2,
        };
        let mut o = String::new();
        print(&mut o, &x);
        assert_eq!(o, r#"xt match "comment" --comment "kube \"svc\"""#);
        let x = Xt {
            info: vec![b'a', 0xff, b'b', 0, b'z'],
            ..x
        };
        assert_eq!(options(&x).as_deref(), Some("--comment \"a\u{fffd}b\""));
    }
}
