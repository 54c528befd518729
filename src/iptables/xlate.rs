//! `iptables-translate`: an iptables rule as the nft command text iptables
//! 1.8.11 prints for it. This is 1.8.11's translation syntax (every rule
//! gets `counter`, `ip protocol` before the addresses, its own spacing
//! rules), not `nft list` output. The fixed part of the rule is translated
//! here; each extension translates itself (`XtExt::xlate`, next to its
//! parser); an extension without a translation makes the whole rule
//! untranslatable, as in 1.8.11.

use super::addr;
use super::family::Family;
use super::num;
use super::rule::{Iface, IptRule, Verdict};

/// The text being built: the rule part, the `add set` part (anonymous sets
/// some extensions declare) and the rule's comment (printed last).
#[derive(Clone, Debug, Default)]
pub struct Xlate {
    rule: String,
    set: String,
    comment: Option<String>,
}

/// What an extension's translation may look at: the family, the rule's
/// `-p` and whether `-n` was given.
#[derive(Clone, Copy, Debug)]
pub struct XlCtx {
    /// Address family.
    pub family: Family,
    /// The `-p` protocol (0 = any).
    pub proto: u8,
    /// `! -p`.
    pub proto_inv: bool,
    /// `-n`.
    pub numeric: bool,
}

/// 1.8.11 puts a space between two pieces when the first does not end in
/// white space and the next starts with a letter, a digit or a bracket.
fn append(buf: &mut String, s: &str, space: bool) {
    if space
        && !buf.is_empty()
        && !buf.ends_with(|c: char| c.is_ascii_whitespace())
        && s.starts_with(|c: char| c.is_ascii_alphanumeric() || "(){}[]".contains(c))
    {
        buf.push(' ');
    }
    buf.push_str(s);
}

impl Xlate {
    /// An empty translation.
    pub fn new() -> Xlate {
        Xlate::default()
    }
    /// Append to the rule, with 1.8.11's automatic separating space.
    pub fn add(&mut self, s: &str) {
        append(&mut self.rule, s, true);
    }
    /// Append to the rule exactly as given.
    pub fn add_nospc(&mut self, s: &str) {
        append(&mut self.rule, s, false);
    }
    /// Append to the `add set` part.
    pub fn set_add(&mut self, s: &str) {
        append(&mut self.set, s, true);
    }
    /// Set the rule's comment (printed after the verdict).
    pub fn set_comment(&mut self, c: &str) {
        self.comment = Some(c.to_string());
    }
    /// The rule text without trailing white space.
    pub fn rule(&self) -> &str {
        self.rule
            .trim_end_matches(|c: char| c.is_ascii_whitespace())
    }
    /// The `add set` text (empty if none).
    pub fn set(&self) -> &str {
        &self.set
    }
}

/// The family's word in nft commands.
pub fn family_word(f: Family) -> &'static str {
    match f {
        Family::V4 => "ip",
        Family::V6 => "ip6",
    }
}

/// An interface test (`iifname`/`oifname`): `+` at the end becomes `*`, a
/// final `*` is escaped, a lone `+` matches everything (nothing written) or,
/// negated, nothing (an impossible name).
pub fn ifname(x: &mut Xlate, meta: &str, name: &str, invert: bool) {
    let n = name.len();
    if n == 0 || n >= 16 {
        return;
    }
    let mut invert = invert;
    let text = if name == "+" {
        if !invert {
            return;
        }
        invert = false;
        "INVAL/D".to_string()
    } else {
        let mut t = String::with_capacity(n + 1);
        for (i, c) in name.chars().enumerate() {
            if c == '*' && i == n - 1 {
                t.push('\\');
            }
            t.push(c);
        }
        if t.ends_with('+') {
            t.pop();
            t.push('*');
        }
        t
    };
    let op = if invert { "!= " } else { "" };
    x.add(&format!("{meta} {op}\"{text}\" "));
}

fn iface(x: &mut Xlate, meta: &str, i: &Iface) {
    ifname(x, meta, &i.name, i.inv);
}

/// An address test of the fixed part (`ip saddr` ...).
fn address(x: &mut Xlate, f: Family, sel: &str, a: &addr::AddrMask, inv: bool) {
    let n = f.addr_len();
    if !inv && a.is_any() {
        return;
    }
    let mut masked = a.addr;
    for (b, m) in masked.iter_mut().zip(a.mask).take(n) {
        *b &= m;
    }
    let at = addr::addr_str(f, &masked[..n]);
    let op = if inv { "!= " } else { "" };
    match addr::mask_to_cidr(f, &a.mask) {
        None => {
            let m = addr::addr_str(f, &a.mask[..n]);
            let cmp = if inv { "!=" } else { "==" };
            x.add(&format!("{sel} & {m} {cmp} {at} "));
        }
        Some(c) if c as usize == n * 8 => x.add(&format!("{sel} {op}{at} ")),
        Some(c) => x.add(&format!("{sel} {op}{at}/{c} ")),
    }
}

/// `xlate_find_protomatch`: a match named after the protocol translates
/// it itself (`tcp dport 22` without `ip protocol tcp`).
fn proto_has_match(r: &IptRule) -> bool {
    let has = |n: &str| r.matches.iter().any(|m| m.name() == n);
    num::CHAIN_PROTOS
        .iter()
        .any(|(n, v)| *v == r.proto && has(n))
        || num::proto_by_number(r.proto).is_some_and(has)
}

/// The translation of one rule (`nft_ipv4_xlate`/`nft_ipv6_xlate`), or
/// `None` when some part of it has no translation.
pub fn rule(r: &IptRule, numeric: bool) -> Option<Xlate> {
    let f = r.family;
    let mut x = Xlate::new();
    iface(&mut x, "iifname", &r.iniface);
    iface(&mut x, "oifname", &r.outiface);
    if r.frag {
        let op = if r.frag_inv { "" } else { "!= " };
        x.add(&format!("ip frag-off & 0x1fff {op}0 "));
    }
    if r.proto != 0 && !proto_has_match(r) {
        x.add(match f {
            Family::V4 => "ip protocol",
            Family::V6 => "meta l4proto",
        });
        if r.proto_inv {
            x.add(" !=");
        }
        match num::proto_to_name(r.proto, false) {
            Some(n) => x.add(n),
            None => x.add(&r.proto.to_string()),
        }
    }
    let (s, d) = match f {
        Family::V4 => ("ip saddr", "ip daddr"),
        Family::V6 => ("ip6 saddr", "ip6 daddr"),
    };
    address(&mut x, f, s, &r.src, r.src_inv);
    address(&mut x, f, d, &r.dst, r.dst_inv);
    let cx = XlCtx {
        family: f,
        proto: r.proto,
        proto_inv: r.proto_inv,
        numeric,
    };
    for m in &r.matches {
        if !m.xlate(&mut x, &cx) {
            return None;
        }
    }
    x.add("counter");
    match &r.verdict {
        Verdict::None => {}
        Verdict::Accept => x.add(" accept"),
        Verdict::Drop => x.add(" drop"),
        Verdict::Return => x.add(" return"),
        Verdict::Jump(c) if c == "QUEUE" => return None,
        Verdict::Jump(c) => x.add(&format!(" jump {c}")),
        Verdict::Goto(c) => x.add(&format!(" goto {c}")),
        Verdict::Target(t) => {
            if !t.xlate(&mut x, &cx) {
                return None;
            }
        }
    }
    if let Some(c) = x.comment.take() {
        x.add(&format!(" comment {c}"));
    }
    Some(x)
}

/// A port range test (`tcp dport 22`, `udp sport != 1-2`); false when it
/// matches every port (nothing written).
pub fn ports(x: &mut Xlate, what: &str, r: [u16; 2], inv: bool) -> bool {
    if r == [0, 0xffff] && !inv {
        return false;
    }
    let op = if inv { "!= " } else { "" };
    if r[0] != r[1] {
        x.add(&format!("{what} {op}{}-{}", r[0], r[1]));
    } else {
        x.add(&format!("{what} {op}{}", r[0]));
    }
    true
}

/// A mark comparison after its selector (` 0x1`, ` != 0x1`,
/// ` and 0xff == 0x1`).
pub fn mark(x: &mut Xlate, mark: u32, mask: u32, inv: bool) {
    if mask != 0xffff_ffff {
        let op = if inv { "!=" } else { "==" };
        x.add(&format!(" and 0x{mask:x} {op} 0x{mark:x}"));
    } else {
        let op = if inv { "!= " } else { "" };
        x.add(&format!(" {op}0x{mark:x}"));
    }
}

/// `meta priority set` of a `CLASSIFY` handle (`root`, `none`, `1:2`).
pub fn classify(x: &mut Xlate, handle: u32) {
    x.add("meta priority set ");
    match handle {
        0xffff_ffff => x.add("root"),
        0 => x.add("none"),
        h => x.add(&format!("{:x}:{:x}", h >> 16, h & 0xffff)),
    }
}

/// `gmtime`: (year, month 1-12, day, hour, minute, second, weekday with
/// Sunday 0) of seconds since the epoch.
pub fn gmtime(secs: i64) -> (i64, u32, u32, u32, u32, u32, u32) {
    let days = secs.div_euclid(86_400);
    let tod = secs.rem_euclid(86_400);
    // civil date from days since 1970-01-01 (proleptic Gregorian)
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (
        year,
        month as u32,
        day as u32,
        (tod / 3600) as u32,
        (tod / 60 % 60) as u32,
        (tod % 60) as u32,
        (days + 4).rem_euclid(7) as u32,
    )
}
