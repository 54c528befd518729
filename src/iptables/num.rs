//! Number and name parsing with the C library's rules as libxtables uses
//! them (`strtoumax` with base 0: decimal, `0x` hex, leading-zero octal;
//! leading blanks allowed, a minus sign refused).

use super::netdb::{PROTOCOLS, SERVICES};

/// `strtoumax(s, &end, base)`: the value (saturated at `u64::MAX` with an
/// overflow flag) and the number of bytes consumed (0 = no number).
pub fn strtoumax(s: &str, base: u32) -> (u64, usize, bool) {
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() && (b[i] == b' ' || (9..=13).contains(&b[i])) {
        i += 1;
    }
    let mut neg = false;
    if i < b.len() && (b[i] == b'+' || b[i] == b'-') {
        neg = b[i] == b'-';
        i += 1;
    }
    let mut base = base;
    let hexdigit = |c: u8| c.is_ascii_hexdigit();
    if (base == 0 || base == 16)
        && i + 1 < b.len()
        && b[i] == b'0'
        && (b[i + 1] == b'x' || b[i + 1] == b'X')
        && i + 2 < b.len()
        && hexdigit(b[i + 2])
    {
        i += 2;
        base = 16;
    } else if base == 0 {
        base = if i < b.len() && b[i] == b'0' { 8 } else { 10 };
    }
    let start = i;
    let mut v: u64 = 0;
    let mut ovf = false;
    while i < b.len() {
        let d = match (b[i] as char).to_digit(36) {
            Some(d) if d < base => d as u64,
            _ => break,
        };
        match v.checked_mul(base as u64).and_then(|x| x.checked_add(d)) {
            Some(n) => v = n,
            None => ovf = true,
        }
        i += 1;
    }
    if i == start {
        return (0, 0, false);
    }
    if ovf {
        v = u64::MAX;
    } else if neg {
        v = v.wrapping_neg();
    }
    (v, i, ovf)
}

/// `xtables_strtoul_base` with `end == NULL`: the whole string must be a
/// number within `min..=max` (`max == 0` means no upper bound).
pub fn strtoul_base(s: &str, min: u64, max: u64, base: u32) -> Option<u64> {
    let (v, n) = strtoul_prefix_base(s, min, max, base)?;
    (n == s.len()).then_some(v)
}

/// `xtables_strtoul_base` with an end pointer: the number at the start of
/// `s` and the number of bytes consumed.
pub fn strtoul_prefix_base(s: &str, min: u64, max: u64, base: u32) -> Option<(u64, usize)> {
    let t = s.trim_start_matches([' ', '\t', '\n', '\r', '\x0b', '\x0c']);
    if t.starts_with('-') {
        return None;
    }
    let (v, n, ovf) = strtoumax(s, base);
    if n == 0 || ovf || v < min || (max != 0 && v > max) {
        return None;
    }
    Some((v, n))
}

/// `xtables_strtoui(s, NULL, ...)`, base 0.
pub fn strtoui(s: &str, min: u64, max: u64) -> Option<u64> {
    strtoul_base(s, min, max, 0)
}

/// `xtables_strtoui(s, &end, ...)`, base 0.
pub fn strtoui_prefix(s: &str, min: u64, max: u64) -> Option<(u64, usize)> {
    strtoul_prefix_base(s, min, max, 0)
}

/// C `strtoul(s, &end, base)` (no range check, minus allowed): value and
/// bytes consumed.
pub fn c_strtoul(s: &str, base: u32) -> (u64, usize) {
    let (v, n, _) = strtoumax(s, base);
    (v, n)
}

/// glibc's `atoi`/`atol`/`atoll`: `strtol(s, NULL, 10)`, leading white
/// space and a sign allowed, saturating at the `long` limits (take the
/// low 32 bits with `as i32` for `atoi`).
pub fn c_atol(s: &str) -> i64 {
    let t = s.trim_start_matches([' ', '\t', '\n', '\r', '\x0b', '\x0c']);
    let (neg, t) = match t.as_bytes().first() {
        Some(b'-') => (true, &t[1..]),
        Some(b'+') => (false, &t[1..]),
        _ => (false, t),
    };
    let mut v: i64 = 0;
    for c in t.bytes().take_while(u8::is_ascii_digit) {
        let d = i64::from(c - b'0');
        v = match v.checked_mul(10).and_then(|x| x.checked_add(d)) {
            Some(x) => x,
            None => return if neg { i64::MIN } else { i64::MAX },
        };
    }
    if neg {
        -v
    } else {
        v
    }
}

/// C23's `strtoul(s, &end, 0)` (what code built with glibc 2.38 or later
/// for C23 gets): as [`c_strtoul`], and a `0b`/`0B` prefix followed by a
/// binary digit reads binary.
pub fn c23_strtoul(s: &str) -> (u64, usize) {
    let t = s.trim_start_matches([' ', '\t', '\n', '\r', '\x0b', '\x0c']);
    let sign = usize::from(t.starts_with(['+', '-']));
    let b = t.as_bytes();
    let binary = b.get(sign) == Some(&b'0')
        && matches!(b.get(sign + 1), Some(b'b' | b'B'))
        && matches!(b.get(sign + 2), Some(b'0' | b'1'));
    if !binary {
        return c_strtoul(s, 0);
    }
    let lead = s.len() - t.len();
    let (v, n, _) = strtoumax(&format!("{}{}", &t[..sign], &t[sign + 2..]), 2);
    (v, lead + n + 2)
}

/// `xtables_chain_protos`: the names iptables knows without `/etc/protocols`.
pub const CHAIN_PROTOS: &[(&str, u8)] = &[
    ("tcp", 6),
    ("sctp", 132),
    ("udp", 17),
    ("udplite", 136),
    ("icmp", 1),
    ("ipv6-icmp", 58),
    ("icmpv6", 58),
    ("esp", 50),
    ("ah", 51),
    ("mobility-header", 135),
    ("ipv6-mh", 135),
    ("mh", 135),
    ("dccp", 33),
    ("ipcomp", 108),
    ("all", 0),
];

/// `getprotobyname`.
pub fn proto_by_name(s: &str) -> Option<u8> {
    PROTOCOLS
        .iter()
        .find(|(n, _, a)| *n == s || a.contains(&s))
        .map(|p| p.1)
}

/// `getprotobynumber`: the official name.
pub fn proto_by_number(n: u8) -> Option<&'static str> {
    PROTOCOLS.iter().find(|p| p.1 == n).map(|p| p.0)
}

/// `proto_to_name(proto, nolookup)` of xshared.c.
pub fn proto_to_name(p: u8, nolookup: bool) -> Option<&'static str> {
    if let Some((n, _)) = CHAIN_PROTOS.iter().find(|(_, v)| *v == p) {
        return Some(n);
    }
    if p != 0 && !nolookup {
        return proto_by_number(p);
    }
    None
}

/// `xtables_parse_protocol` without the error: number, builtin name, or
/// `/etc/protocols` name.
pub fn parse_protocol(s: &str) -> Option<u8> {
    if let Some(v) = strtoui(s, 0, 255) {
        return Some(v as u8);
    }
    if let Some((_, v)) = CHAIN_PROTOS.iter().find(|(n, _)| *n == s) {
        return Some(*v);
    }
    proto_by_name(s)
}

/// `getservbyname(name, proto)` (`proto` None = any).
pub fn service_port(name: &str, proto: Option<&str>) -> Option<u16> {
    SERVICES
        .iter()
        .find(|(n, _, p, a)| (*n == name || a.contains(&name)) && proto.is_none_or(|x| x == *p))
        .map(|s| s.1)
}

/// `getservbyport(port, proto)`: the service name.
pub fn service_name(port: u16, proto: &str) -> Option<&'static str> {
    SERVICES
        .iter()
        .find(|(_, p, pr, _)| *p == port && *pr == proto)
        .map(|s| s.0)
}

/// `xtables_getportbyname`: a port number or service name (any protocol),
/// as glibc's `getaddrinfo(NULL, s)` resolves it: a string that C
/// `strtoul` reads whole (leading white space and a sign allowed, base 10)
/// is a number, kept as a C `int` and then as its low 16 bits (so `70000`
/// is port 4464, and the empty string port 0); a number that is negative
/// as an `int` (`-1`, `2147483648`) or anything else is looked up as a
/// service name.
pub fn getportbyname(s: &str) -> Option<u16> {
    // glibc takes a service that strtoul stops at the end of as numeric,
    // so an empty one is port 0.
    if s.is_empty() {
        return Some(0);
    }
    if let Some(v) = c_strtoul_whole(s) {
        let n = v as i32;
        if n >= 0 {
            return Some(n as u16);
        }
    }
    service_port(s, None)
}

/// C `strtoul(s, &end, 10)` when it reads all of `s`: leading white space,
/// an optional sign (a minus negates modulo 2^64), at least one digit;
/// saturates at `u64::MAX` on overflow.
fn c_strtoul_whole(s: &str) -> Option<u64> {
    let t = s.trim_start_matches([' ', '\t', '\n', '\x0b', '\x0c', '\r']);
    let (neg, digits) = match t.as_bytes().first() {
        Some(b'-') => (true, &t[1..]),
        Some(b'+') => (false, &t[1..]),
        _ => (false, t),
    };
    if digits.is_empty() || !digits.bytes().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let v = digits
        .bytes()
        .try_fold(0u64, |a, c| {
            a.checked_mul(10)?.checked_add(u64::from(c - b'0'))
        })
        .unwrap_or(u64::MAX);
    Some(if neg && v != u64::MAX {
        v.wrapping_neg()
    } else {
        v
    })
}

/// C `strtod(s, &end)`: leading blanks, a sign, then a decimal number
/// (digits, fraction, exponent), a hexadecimal one (`0x`, hex digits,
/// fraction, binary exponent `p`), `inf`/`infinity` or `nan`/`nan(...)`,
/// in any case: the value and the rest of the string, `None` when no
/// number starts `s`.
pub fn strtod_prefix(s: &str) -> Option<(f64, &str)> {
    let t = s.trim_start_matches([' ', '\t', '\n', '\r', '\x0b', '\x0c']);
    let b = t.as_bytes();
    let sign = usize::from(matches!(b.first(), Some(b'+' | b'-')));
    let neg = b.first() == Some(&b'-');
    let signed = |v: f64| if neg { -v } else { v };
    let rest = &t[sign..];
    let lower = rest.get(..8).unwrap_or(rest).to_ascii_lowercase();
    if lower.starts_with("infinity") {
        return Some((signed(f64::INFINITY), &rest[8..]));
    }
    if lower.starts_with("inf") {
        return Some((signed(f64::INFINITY), &rest[3..]));
    }
    if lower.starts_with("nan") {
        let mut end = 3;
        if let Some(close) = rest[3..].strip_prefix('(').and_then(|r| r.find(')')) {
            let inner = &rest[4..4 + close];
            if inner
                .bytes()
                .all(|c| c.is_ascii_alphanumeric() || c == b'_')
            {
                end = 4 + close + 1;
            }
        }
        return Some((signed(f64::NAN), &rest[end..]));
    }
    let r = rest.as_bytes();
    let run = |mut i: usize, ok: fn(&u8) -> bool| {
        while r.get(i).is_some_and(ok) {
            i += 1;
        }
        i
    };
    let hex = r.first() == Some(&b'0')
        && matches!(r.get(1), Some(b'x' | b'X'))
        && (r.get(2).is_some_and(u8::is_ascii_hexdigit)
            || (r.get(2) == Some(&b'.') && r.get(3).is_some_and(u8::is_ascii_hexdigit)));
    if hex {
        let int_end = run(2, u8::is_ascii_hexdigit);
        let mut end = int_end;
        let mut v = 0f64;
        for c in &r[2..int_end] {
            v = v * 16.0 + f64::from((*c as char).to_digit(16).unwrap_or(0));
        }
        if r.get(end) == Some(&b'.') {
            let frac_end = run(end + 1, u8::is_ascii_hexdigit);
            let mut scale = 1.0 / 16.0;
            for c in &r[end + 1..frac_end] {
                v += f64::from((*c as char).to_digit(16).unwrap_or(0)) * scale;
                scale /= 16.0;
            }
            end = frac_end;
        }
        if matches!(r.get(end), Some(b'p' | b'P')) {
            let j = end + 1 + usize::from(matches!(r.get(end + 1), Some(b'+' | b'-')));
            let k = run(j, u8::is_ascii_digit);
            if k > j {
                let e: i32 = rest[j..k].parse().unwrap_or(i32::MAX);
                let e = if r[end + 1] == b'-' { -e } else { e };
                v *= 2f64.powi(e);
                end = k;
            }
        }
        return Some((signed(v), &rest[end..]));
    }
    let int_end = run(0, u8::is_ascii_digit);
    let mut end = int_end;
    if r.get(end) == Some(&b'.') {
        end = run(end + 1, u8::is_ascii_digit);
    }
    // At least one digit before or after the point.
    if end <= usize::from(end > int_end) {
        return None;
    }
    if matches!(r.get(end), Some(b'e' | b'E')) {
        let j = end + 1 + usize::from(matches!(r.get(end + 1), Some(b'+' | b'-')));
        let k = run(j, u8::is_ascii_digit);
        if k > j {
            end = k;
        }
    }
    let v = rest[..end].parse::<f64>().ok()?;
    Some((signed(v), &rest[end..]))
}

/// A C `double` converted to `unsigned int` as x86-64 code does it (the
/// conversion goes through a 64-bit signed integer, so -1.0 is 0xffffffff
/// and anything out of that range, or NaN, is 0).
pub fn c_double_to_uint(x: f64) -> u32 {
    // 2^63: the first value a 64-bit signed integer cannot hold.
    const LIMIT: f64 = 9_223_372_036_854_775_808.0;
    if x.is_nan() || !(-LIMIT..LIMIT).contains(&x) {
        return 0;
    }
    x as i64 as u32
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn bases() {
        assert_eq!(strtoui("10", 0, 0), Some(10));
        assert_eq!(strtoui("0x10", 0, 0), Some(16));
        assert_eq!(strtoui("010", 0, 0), Some(8));
        assert_eq!(strtoui("-1", 0, 0), None);
        assert_eq!(strtoui("1x", 0, 0), None);
        assert_eq!(strtoui("", 0, 0), None);
        assert_eq!(strtoui("99999999999999999999999", 0, 0), None);
        assert_eq!(strtoui_prefix("12:3", 0, 0), Some((12, 2)));
        assert_eq!(parse_protocol("tcp"), Some(6));
        assert_eq!(parse_protocol("gre"), Some(47));
        assert_eq!(getportbyname("ssh"), Some(22));
    }
    #[test]
    fn c23_binary_prefix() {
        assert_eq!(c23_strtoul("0b101"), (5, 5));
        assert_eq!(c23_strtoul(" -0b1"), (u64::MAX, 5));
        assert_eq!(c23_strtoul("0b2"), (0, 1));
        assert_eq!(c23_strtoul("0x1f"), (31, 4));
    }
    #[test]
    fn numeric_services_as_glibc_reads_them() {
        // Each pair checked against ebtables-nft 1.8.11 (`--ip-sport`).
        for (s, want) in [
            ("70000", Some(4464)),
            ("65536", Some(0)),
            ("99999999999", Some(59391)),
            ("4294967296", Some(0)),
            ("2147483647", Some(65535)),
            ("2147483648", None),
            ("18446744073709551616", None),
            ("+80", Some(80)),
            (" 80", Some(80)),
            ("080", Some(80)),
            ("-0", Some(0)),
            ("-1", None),
            ("0x50", None),
            ("80 ", None),
            ("", Some(0)),
            (" ", None),
        ] {
            assert_eq!(getportbyname(s), want, "{s:?}");
        }
    }
    #[test]
    fn decimal_prefix() {
        assert_eq!(strtod_prefix("250.0ms"), Some((250.0, "ms")));
        assert_eq!(strtod_prefix(" 5kbit"), Some((5.0, "kbit")));
        assert_eq!(strtod_prefix(".5"), Some((0.5, "")));
        assert_eq!(strtod_prefix("1e3bit"), Some((1000.0, "bit")));
        assert_eq!(strtod_prefix("2e"), Some((2.0, "e")));
        assert_eq!(strtod_prefix("-3."), Some((-3.0, "")));
        assert_eq!(strtod_prefix("."), None);
        assert_eq!(strtod_prefix("bit"), None);
        assert_eq!(strtod_prefix("0x10s"), Some((16.0, "s")));
        assert_eq!(strtod_prefix("0x1.8p1"), Some((3.0, "")));
        assert_eq!(strtod_prefix("-inf"), Some((f64::NEG_INFINITY, "")));
        assert_eq!(strtod_prefix("Infinityx"), Some((f64::INFINITY, "x")));
        assert!(strtod_prefix("nan(x1)s").is_some_and(|(v, r)| v.is_nan() && r == "s"));
        assert_eq!(strtod_prefix("0x"), Some((0.0, "x")));
        assert_eq!(c_double_to_uint(-1.0), u32::MAX);
        assert_eq!(c_double_to_uint(1e30), 0);
    }
}
