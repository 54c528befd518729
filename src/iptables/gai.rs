//! What glibc's `getaddrinfo(host, NULL, {.ai_family = family})` makes of
//! a host string, as libxtables' option types call it (`XTTYPE_HOST`,
//! `XTTYPE_HOSTMASK`, and with `AI_NUMERICHOST` the mask of
//! `XTTYPE_PLENMASK`). This is not the parser of `-s`/`-d`
//! ([`super::addr`]): glibc reads IPv4 with `inet_aton`, so `1.5` is
//! 1.0.0.5, `0x10` is 0.0.0.16 and `010` is 0.0.0.8, while a sign or white
//! space is no address at all.
//!
//! Names are looked up in `/etc/hosts` only: nftwire sends no DNS query.
//! Where glibc would ask DNS, the answer here is "Name or service not
//! known" (glibc's own answer without a reachable server is "Temporary
//! failure in name resolution").

use super::family::Family;

/// A `getaddrinfo` failure, with `gai_strerror`'s text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GaiError {
    /// `EAI_NONAME`.
    NoName,
    /// `EAI_ADDRFAMILY`: a numeric address of the other family.
    AddrFamily,
}

impl GaiError {
    /// `gai_strerror`.
    pub fn text(self) -> &'static str {
        match self {
            GaiError::NoName => "Name or service not known",
            GaiError::AddrFamily => "Address family for hostname not supported",
        }
    }
}

/// glibc's `inet_aton` when it reads all of `s`: one to four parts
/// separated by dots, each a C number (`0x` hex, leading-zero octal,
/// decimal) starting with a digit; the last part fills the remaining
/// bytes (`a`, `a.b` with 24 bits in `b`, `a.b.c` with 16 bits in `c`).
pub fn inet_aton_exact(s: &str) -> Option<[u8; 4]> {
    let mut bytes: Vec<u8> = Vec::with_capacity(3);
    let mut rest = s;
    loop {
        if !rest.as_bytes().first()?.is_ascii_digit() {
            return None;
        }
        let (val, used) = c_number(rest)?;
        rest = &rest[used..];
        match rest.strip_prefix('.') {
            Some(r) => {
                if bytes.len() > 2 || val > 0xff {
                    return None;
                }
                bytes.push(val as u8);
                rest = r;
            }
            None => {
                if !rest.is_empty() {
                    return None;
                }
                let max: u64 = [0xffff_ffff, 0xff_ffff, 0xffff, 0xff][bytes.len()];
                if val > max {
                    return None;
                }
                let mut word = val as u32;
                for (i, b) in bytes.iter().enumerate() {
                    word |= u32::from(*b) << (24 - 8 * i);
                }
                return Some(word.to_be_bytes());
            }
        }
    }
}

/// `strtoul(s, &end, 0)` as `inet_aton` uses it: the value (refused past
/// 32 bits) and the bytes consumed; `s` starts with a digit.
fn c_number(s: &str) -> Option<(u64, usize)> {
    let b = s.as_bytes();
    let (base, start) = match (b.first(), b.get(1), b.get(2)) {
        (Some(b'0'), Some(b'x' | b'X'), Some(c)) if c.is_ascii_hexdigit() => (16, 2),
        (Some(b'0'), _, _) => (8, 0),
        _ => (10, 0),
    };
    let mut v: u64 = 0;
    let mut i = start;
    while let Some(d) = b.get(i).and_then(|c| (*c as char).to_digit(base)) {
        v = v.checked_mul(u64::from(base))?.checked_add(u64::from(d))?;
        if v > 0xffff_ffff {
            return None;
        }
        i += 1;
    }
    Some((v, i))
}

/// `inet_pton(AF_INET6)`; glibc's `getaddrinfo` also takes a `%scope`
/// suffix (a number or an interface of this network namespace).
fn inet_pton6(s: &str) -> Option<Result<[u8; 16], GaiError>> {
    let (addr, scope) = match s.split_once('%') {
        Some((a, sc)) => (a, Some(sc)),
        None => (s, None),
    };
    let a = addr.parse::<std::net::Ipv6Addr>().ok()?.octets();
    let scope_ok = match scope {
        None => true,
        Some(sc) if !sc.is_empty() && sc.bytes().all(|c| c.is_ascii_digit()) => true,
        Some(sc) => nix::net::if_::if_nametoindex(sc).is_ok(),
    };
    Some(if scope_ok {
        Ok(a)
    } else {
        Err(GaiError::NoName)
    })
}

/// The address bytes `host` stands for in family `f` (an IPv4 address in
/// the first 4 of 16 bytes): numeric forms as glibc reads them, then, when
/// `numeric_only` is false, the names of `/etc/hosts` (every address of
/// the family, in file order).
pub fn resolve(f: Family, host: &str, numeric_only: bool) -> Result<Vec<[u8; 16]>, GaiError> {
    let mut out = [0u8; 16];
    if let Some(a) = inet_aton_exact(host) {
        return match f {
            Family::V4 => {
                out[..4].copy_from_slice(&a);
                Ok(vec![out])
            }
            Family::V6 => Err(GaiError::AddrFamily),
        };
    }
    if let Some(r) = inet_pton6(host) {
        let a = r?;
        return match f {
            Family::V6 => Ok(vec![a]),
            // An IPv4-mapped address is taken as its IPv4 address.
            Family::V4 if a[..12] == [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff] => {
                out[..4].copy_from_slice(&a[12..]);
                Ok(vec![out])
            }
            Family::V4 => Err(GaiError::AddrFamily),
        };
    }
    if numeric_only {
        return Err(GaiError::NoName);
    }
    let mut v: Vec<[u8; 16]> = Vec::new();
    for (addr, names) in super::hosts::entries() {
        if !names.iter().any(|n| n.eq_ignore_ascii_case(host)) {
            continue;
        }
        let mut b = [0u8; 16];
        match (f, addr) {
            (Family::V4, std::net::IpAddr::V4(a)) => b[..4].copy_from_slice(&a.octets()),
            (Family::V6, std::net::IpAddr::V6(a)) => b = a.octets(),
            _ => continue,
        }
        v.push(b);
    }
    if v.is_empty() {
        return Err(GaiError::NoName);
    }
    Ok(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inet_aton_forms() {
        // Each checked against getaddrinfo through iptables 1.8.11
        // (`-m conntrack --ctorigsrc`).
        for (s, want) in [
            ("1.2.3.4", Some([1, 2, 3, 4])),
            ("1.5", Some([1, 0, 0, 5])),
            ("1.2.5", Some([1, 2, 0, 5])),
            ("0x10", Some([0, 0, 0, 16])),
            ("0X1f", Some([0, 0, 0, 31])),
            ("010", Some([0, 0, 0, 8])),
            ("256", Some([0, 0, 1, 0])),
            ("4294967295", Some([255, 255, 255, 255])),
            ("4294967296", None),
            ("08", None),
            ("+1", None),
            (" 1", None),
            ("1 ", None),
            ("1.", None),
            ("1.2.3.4.5", None),
            ("1.256.0", None),
            ("1.2.3.256", None),
            ("0b1", None),
            ("", None),
        ] {
            assert_eq!(inet_aton_exact(s), want, "{s:?}");
        }
    }

    #[test]
    fn families() {
        assert_eq!(resolve(Family::V6, "0", true), Err(GaiError::AddrFamily));
        assert_eq!(resolve(Family::V4, "::1", true), Err(GaiError::AddrFamily));
        let mapped = resolve(Family::V4, "::ffff:1.2.3.4", true).unwrap();
        assert_eq!(&mapped[0][..4], &[1, 2, 3, 4]);
        assert_eq!(
            resolve(Family::V4, "no.such.name", true),
            Err(GaiError::NoName)
        );
    }
}
