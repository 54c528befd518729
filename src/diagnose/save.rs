//! Print a rule as iptables-nft prints it in `iptables -S` and
//! `iptables-save` (`-A CHAIN ...`), per release.
//!
//! The fixed part comes first (`-s`, `-d`, `-i`, `-o`, `-p`, `-f`), then each
//! match as ` -m NAME` and its options, then ` -j TARGET` or ` -g CHAIN`.
//! Release differences: 1.8.9 and 1.8.10 print interfaces from the
//! interface mask (so an empty name with a mask prints as `-i ` with
//! nothing after it), 1.8.11 from the name; 1.8.9 and 1.8.10 name
//! protocols through `/etc/protocols` as a fallback, 1.8.11 only from its
//! built-in table; 1.8.9 prints an ICMP match with type 255 as
//! `--icmp-type any` whatever its code; 1.8.11 prints an inverted full port
//! range, earlier releases drop it.
//!
//! xt compat matches and targets are printed by an [`ExtPrinter`], since
//! their option syntax belongs to each extension.

use super::cstate::*;
use super::version::IptVersion;
use std::fmt::Write;

/// Prints xt compat extensions (those iptables-nft sends as `match` /
/// `target` expressions) in iptables-save syntax.
pub trait ExtPrinter {
    /// How match `name` prints (name after ` -m ` and its options), or
    /// `None` when the extension is unknown to the printer.
    fn match_save(&self, name: &str, rev: u32, info: &[u8], cx: &ExtCtx<'_>) -> Option<ExtText>;
    /// How target `name` prints (after ` -j `), likewise.
    fn target_save(&self, name: &str, rev: u32, info: &[u8], cx: &ExtCtx<'_>) -> Option<ExtText>;
}

/// What an extension may need to know about the rule to print itself.
#[derive(Clone, Copy, Debug)]
pub struct ExtCtx<'a> {
    /// true for ip6 tables.
    pub ipv6: bool,
    /// The rule's `-p` protocol (0 = any).
    pub proto: u8,
    /// `! -p`.
    pub proto_inv: bool,
    /// The table name.
    pub table: &'a str,
}

/// How an extension prints.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExtText {
    /// The name printed after `-m`/`-j` (the alias when it has one).
    pub name: String,
    /// The options, each preceded by a space.
    pub options: String,
}

/// A printer that knows no xt extension: their options print as
/// `<info HEX>` so the line still shows which extension it is.
pub struct NoExtensions;

impl ExtPrinter for NoExtensions {
    fn match_save(&self, _: &str, _: u32, _: &[u8], _: &ExtCtx<'_>) -> Option<ExtText> {
        None
    }
    fn target_save(&self, _: &str, _: u32, _: &[u8], _: &ExtCtx<'_>) -> Option<ExtText> {
        None
    }
}

/// The name iptables-save prints for protocol `p`: 1.8.9 and 1.8.10 fall
/// back to `getprotobynumber`, 1.8.11 only uses its built-in table.
pub fn proto_name(p: u16, v: IptVersion) -> String {
    let nolookup = v == IptVersion::V1_8_11;
    u8::try_from(p)
        .ok()
        .and_then(|b| crate::iptables::num::proto_to_name(b, nolookup))
        .map(str::to_string)
        .unwrap_or_else(|| p.to_string())
}

/// `xtables_save_string`: bare when only `[A-Za-z0-9_-]`, else quoted.
pub fn save_string(s: &str) -> String {
    let mut o = String::new();
    crate::iptables::text::save_string(s, &mut o);
    o
}

/// `mask_to_str`: prefix length, or dotted mask when not contiguous.
fn v4_mask(m: &[u8]) -> String {
    match crate::iptables::addr::mask_to_cidr(crate::iptables::Family::V4, m) {
        Some(n) => n.to_string(),
        None => format!("{}.{}.{}.{}", m[0], m[1], m[2], m[3]),
    }
}

fn v4_addr(a: &[u8]) -> String {
    crate::iptables::addr::v4_str(a)
}

/// glibc's `inet_ntop(AF_INET6)` (the one implementation lives in
/// [`crate::iptables::addr::v6_str`]).
pub fn v6_addr(a: &[u8; 16]) -> String {
    crate::iptables::addr::v6_str(a)
}

fn v6_cidr(m: &[u8; 16]) -> Option<u32> {
    crate::iptables::addr::mask_to_cidr(crate::iptables::Family::V6, m)
}

fn save_iface(
    o: &mut String,
    letter: char,
    name: &[u8; IFNAMSIZ],
    mask: &[u8; IFNAMSIZ],
    inv: bool,
    v: IptVersion,
) {
    if v == IptVersion::V1_8_11 {
        let s = ifname_str(name);
        if !s.is_empty() && (s != "+" || inv) {
            let _ = write!(o, "{} -{letter} {s}", if inv { " !" } else { "" });
        }
        return;
    }
    if mask[0] == 0 {
        return;
    }
    let _ = write!(o, "{} -{letter} ", if inv { " !" } else { "" });
    for i in 0..IFNAMSIZ {
        if mask[i] != 0 {
            if name[i] != 0 {
                o.push(name[i] as char);
            }
        } else {
            if name[i - 1] != 0 {
                o.push('+');
            }
            break;
        }
    }
}

fn ports(o: &mut String, flag: &str, pts: [u16; 2], inv: bool, v: IptVersion) {
    let skip = if v == IptVersion::V1_8_11 {
        pts == [0, 0xffff] && !inv
    } else {
        pts == [0, 0xffff]
    };
    if skip {
        return;
    }
    if inv {
        o.push_str(" !");
    }
    if pts[0] != pts[1] {
        let _ = write!(o, " {flag} {}:{}", pts[0], pts[1]);
    } else {
        let _ = write!(o, " {flag} {}", pts[0]);
    }
}

fn tcp_flags(f: u8) -> String {
    const NAMES: [(&str, u8); 8] = [
        ("FIN", 0x01),
        ("SYN", 0x02),
        ("RST", 0x04),
        ("PSH", 0x08),
        ("ACK", 0x10),
        ("URG", 0x20),
        ("ALL", 0x3f),
        ("NONE", 0),
    ];
    let mut flags = f;
    let mut out = Vec::new();
    while flags != 0 {
        let Some((n, bit)) = NAMES.iter().find(|(_, b)| flags & b != 0) else {
            break;
        };
        out.push(*n);
        flags &= !bit;
    }
    if out.is_empty() {
        "NONE".into()
    } else {
        out.join(",")
    }
}

fn rate(period: u32) -> String {
    const RATES: [(&str, u64); 4] = [
        ("day", 10000 * 86400),
        ("hour", 10000 * 3600),
        ("min", 10000 * 60),
        ("sec", 10000),
    ];
    if period == 0 {
        return " inf".into();
    }
    let p = period as u64;
    let mut i = 1;
    while i < RATES.len() {
        let m = RATES[i].1;
        if p > m || m / p < m % p {
            break;
        }
        i += 1;
    }
    format!(" {}/{}", RATES[i - 1].1 / p, RATES[i - 1].0)
}

fn match_options(
    m: &MatchInfo,
    v: IptVersion,
    ext: &dyn ExtPrinter,
    cx: &ExtCtx<'_>,
) -> (String, String) {
    let mut o = String::new();
    let name = m.name().to_string();
    match m {
        MatchInfo::Tcp {
            spts,
            dpts,
            option,
            flg_mask,
            flg_cmp,
            invflags,
        } => {
            ports(&mut o, "--sport", *spts, invflags & PORT_INV_SRC != 0, v);
            ports(&mut o, "--dport", *dpts, invflags & PORT_INV_DST != 0, v);
            if *option != 0 || invflags & TCP_INV_OPTION != 0 {
                if invflags & TCP_INV_OPTION != 0 {
                    o.push_str(" !");
                }
                let _ = write!(o, " --tcp-option {option}");
            }
            if *flg_mask != 0 || invflags & TCP_INV_FLAGS != 0 {
                if invflags & TCP_INV_FLAGS != 0 {
                    o.push_str(" !");
                }
                let _ = write!(
                    o,
                    " --tcp-flags {} {}",
                    tcp_flags(*flg_mask),
                    tcp_flags(*flg_cmp)
                );
            }
        }
        MatchInfo::Udp {
            spts,
            dpts,
            invflags,
        } => {
            ports(&mut o, "--sport", *spts, invflags & PORT_INV_SRC != 0, v);
            ports(&mut o, "--dport", *dpts, invflags & PORT_INV_DST != 0, v);
        }
        MatchInfo::Icmp {
            v6,
            ty,
            code,
            invflags,
        } => {
            if *invflags & 1 != 0 {
                o.push_str(" !");
            }
            if *v6 {
                let _ = write!(o, " --icmpv6-type {ty}");
                if code[0] != 0 || code[1] != 0xff {
                    let _ = write!(o, "/{}", code[0]);
                }
            } else if *ty == 0xff && (v == IptVersion::V1_8_9 || *code == [0, 0xff]) {
                o.push_str(" --icmp-type any");
            } else {
                let _ = write!(o, " --icmp-type {ty}");
                if code[0] != 0 || code[1] != 0xff {
                    let _ = write!(o, "/{}", code[0]);
                }
            }
        }
        MatchInfo::Mark { mark, mask, invert } => {
            if *invert {
                o.push_str(" !");
            }
            if *mask != u32::MAX {
                let _ = write!(o, " --mark 0x{mark:x}/0x{mask:x}");
            } else {
                let _ = write!(o, " --mark 0x{mark:x}");
            }
        }
        MatchInfo::Pkttype { pkttype, invert } => {
            let n = match pkttype {
                0 => "unicast".to_string(),
                1 => "broadcast".to_string(),
                2 => "multicast".to_string(),
                3 => "otherhost".to_string(),
                p => p.to_string(),
            };
            let _ = write!(o, "{} --pkt-type {n}", if *invert { " !" } else { "" });
        }
        MatchInfo::Ttl { v6, mode, value } => {
            let op = match (v6, mode) {
                (false, 0) => " --ttl-eq",
                (false, 1) => " ! --ttl-eq",
                (false, 2) => " --ttl-lt",
                (false, 3) => " --ttl-gt",
                (true, 0) => " --hl-eq",
                (true, 1) => " ! --hl-eq",
                (true, 2) => " --hl-lt",
                (true, 3) => " --hl-gt",
                _ => "",
            };
            let _ = write!(o, "{op} {value}");
        }
        MatchInfo::Limit { avg, burst } => {
            let _ = write!(o, " --limit{}", rate(*avg));
            if *burst != 5 {
                let _ = write!(o, " --limit-burst {burst}");
            }
        }
        MatchInfo::Comment(c) => {
            o.push_str(" --comment");
            o.push_str(&save_string(c));
        }
        MatchInfo::Compat { name, rev, info } => {
            return match ext.match_save(name, *rev, info, cx) {
                Some(t) => (t.name, t.options),
                None => (name.clone(), format!(" <info {}>", crate::util::hex(info))),
            };
        }
    }
    (name, o)
}

fn target_options(
    t: &TargetInfo,
    ext: &dyn ExtPrinter,
    cx: &ExtCtx<'_>,
) -> Option<(String, String)> {
    let mut o = String::new();
    match t {
        TargetInfo::Standard | TargetInfo::Trace => return None,
        TargetInfo::Mark { mark, mask } => {
            let _ = write!(o, " --set-xmark 0x{mark:x}/0x{mask:x}");
        }
        TargetInfo::Nflog {
            len,
            group,
            threshold,
            flags,
            prefix,
        } => {
            if !prefix.is_empty() {
                o.push_str(" --nflog-prefix");
                o.push_str(&save_string(prefix));
            }
            if *group != 0 {
                let _ = write!(o, " --nflog-group {group}");
            }
            if flags & 1 != 0 {
                let _ = write!(o, " --nflog-size {len}");
            } else if *len != 0 {
                let _ = write!(o, " --nflog-range {len}");
            }
            if *threshold != 0 {
                let _ = write!(o, " --nflog-threshold {threshold}");
            }
        }
        TargetInfo::Compat { name, rev, info } => {
            return Some(match ext.target_save(name, *rev, info, cx) {
                Some(t) => (t.name, t.options),
                None => (name.clone(), format!(" <info {}>", crate::util::hex(info))),
            });
        }
    }
    Some((String::new(), o))
}

/// The `-A CHAIN ...` line for a rule read by [`super::reader`].
pub fn save_line(
    cs: &CommandState,
    table: &str,
    chain: &str,
    v: IptVersion,
    ext: &dyn ExtPrinter,
) -> String {
    let cx = ExtCtx {
        ipv6: cs.ipv6,
        proto: cs.proto as u8,
        proto_inv: cs.invflags & INV_PROTO != 0,
        table,
    };
    let mut o = format!("-A {chain}");
    if cs.ipv6 {
        for (letter, a, m, bit) in [
            ('s', &cs.src, &cs.smsk, INV_SRCIP),
            ('d', &cs.dst, &cs.dmsk, INV_DSTIP),
        ] {
            let inv = cs.invflags & bit != 0;
            let l = v6_cidr(m);
            if !inv && l == Some(0) {
                continue;
            }
            let _ = write!(
                o,
                "{} -{letter} {}",
                if inv { " !" } else { "" },
                v6_addr(a)
            );
            match l {
                Some(l) => {
                    let _ = write!(o, "/{l}");
                }
                None => {
                    let _ = write!(o, "/{}", v6_addr(m));
                }
            }
        }
    } else {
        for (letter, a, m, bit) in [
            ('s', &cs.src, &cs.smsk, INV_SRCIP),
            ('d', &cs.dst, &cs.dmsk, INV_DSTIP),
        ] {
            let inv = cs.invflags & bit != 0;
            if m[..4] == [0; 4] && !inv && a[..4] == [0; 4] {
                continue;
            }
            let _ = write!(
                o,
                "{} -{letter} {}/{}",
                if inv { " !" } else { "" },
                v4_addr(&a[..4]),
                v4_mask(&m[..4])
            );
        }
    }
    save_iface(
        &mut o,
        'i',
        &cs.iniface,
        &cs.iniface_mask,
        cs.invflags & INV_VIA_IN != 0,
        v,
    );
    save_iface(
        &mut o,
        'o',
        &cs.outiface,
        &cs.outiface_mask,
        cs.invflags & INV_VIA_OUT != 0,
        v,
    );
    if cs.proto > 0 {
        if cs.invflags & INV_PROTO != 0 {
            o.push_str(" !");
        }
        let _ = write!(o, " -p {}", proto_name(cs.proto, v));
    }
    if cs.frag {
        if cs.invflags & INV_FRAG != 0 {
            o.push_str(" !");
        }
        o.push_str(" -f");
    }
    for m in &cs.matches {
        let (name, opts) = match_options(m, v, ext, &cx);
        let _ = write!(o, " -m {name}{opts}");
    }
    match &cs.target {
        Some(t) => {
            let (alias, opts) = target_options(t, ext, &cx).unwrap_or_default();
            let name = if alias.is_empty() {
                cs.jumpto.clone()
            } else {
                alias
            };
            let _ = write!(o, " -j {name}{opts}");
        }
        None if !cs.jumpto.is_empty() => {
            let _ = write!(o, " -{} {}", if cs.goto { 'g' } else { 'j' }, cs.jumpto);
        }
        None => {}
    }
    o
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_and_strings() {
        assert_eq!(v4_mask(&[255, 255, 255, 0]), "24");
        assert_eq!(v4_mask(&[0, 0, 0, 0]), "0");
        assert_eq!(v4_mask(&[255, 0, 255, 0]), "255.0.255.0");
        let mut a = [0u8; 16];
        assert_eq!(v6_addr(&a), "::");
        a[15] = 1;
        assert_eq!(v6_addr(&a), "::1");
        let b: [u8; 16] = [0x20, 1, 0xd, 0xb8, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1];
        assert_eq!(v6_addr(&b), "2001:db8::1:0:0:1");
        let c: [u8; 16] = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 1, 2, 3, 4];
        assert_eq!(v6_addr(&c), "::ffff:1.2.3.4");
        assert_eq!(save_string("foo"), " foo");
        assert_eq!(save_string("foo bar"), " \"foo bar\"");
        assert_eq!(save_string("a\"b"), " \"a\\\"b\"");
        assert_eq!(save_string(""), " \"\"");
        assert_eq!(rate(1000), " 10/sec");
        assert_eq!(rate(10000 * 60 / 5), " 5/min");
        assert_eq!(tcp_flags(0x12), "SYN,ACK");
        assert_eq!(tcp_flags(0x3f), "FIN,SYN,RST,PSH,ACK,URG");
    }
}
