//! Addresses and masks as iptables parses and prints them (`-s`/`-d` and
//! the address options of extensions).

use super::error::{IptError, Result};
use super::family::Family;
use super::num::strtoui;
use std::fmt::Write as _;
use std::net::{Ipv4Addr, Ipv6Addr};

/// An address with its mask; IPv4 uses the first 4 bytes of each.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct AddrMask {
    /// Address bytes (network order), already masked.
    pub addr: [u8; 16],
    /// Mask bytes.
    pub mask: [u8; 16],
}

impl AddrMask {
    /// True when both address and mask are zero (no test).
    pub fn is_any(&self) -> bool {
        self.addr == [0; 16] && self.mask == [0; 16]
    }
}

/// Dotted-quad text of 4 bytes.
pub fn v4_str(b: &[u8]) -> String {
    v4(b).to_string()
}

/// The first four bytes of `b` (zero-padded) as an IPv4 address.
fn v4(b: &[u8]) -> Ipv4Addr {
    Ipv4Addr::from(padded::<4>(b))
}

/// The first `N` bytes of `b`, zero-padded when it is shorter.
fn padded<const N: usize>(b: &[u8]) -> [u8; N] {
    let mut a = [0u8; N];
    for (d, x) in a.iter_mut().zip(b) {
        *d = *x;
    }
    a
}

/// glibc's `inet_ntop(AF_INET6)` of 16 bytes: the longest run of two or
/// more zero words (the first on ties) becomes `::`, and only IPv4-compatible
/// (`::a.b.c.d`, with a 6-word zero run) and IPv4-mapped (`::ffff:a.b.c.d`)
/// addresses end in dotted form (so `::2` stays `::2`).
pub fn v6_str(b: &[u8]) -> String {
    let a: [u8; 16] = padded(b);
    let words: Vec<u16> = (0..8)
        .map(|i| u16::from_be_bytes([a[2 * i], a[2 * i + 1]]))
        .collect();
    // Longest run of zero words (at least 2), first one on ties.
    let (mut best, mut best_len) = (usize::MAX, 0usize);
    let mut i = 0;
    while i < 8 {
        if words[i] == 0 {
            let start = i;
            while i < 8 && words[i] == 0 {
                i += 1;
            }
            if i - start > best_len {
                best = start;
                best_len = i - start;
            }
        } else {
            i += 1;
        }
    }
    if best_len < 2 {
        best = usize::MAX;
    }
    let mut o = String::new();
    let mut i = 0;
    while i < 8 {
        if i == best {
            if i == 0 {
                o.push(':');
            }
            o.push(':');
            i += best_len;
            continue;
        }
        if i == 6 && best == 0 && (best_len == 6 || (best_len == 5 && words[5] == 0xffff)) {
            let _ = write!(o, "{}.{}.{}.{}", a[12], a[13], a[14], a[15]);
            break;
        }
        let _ = write!(o, "{:x}", words[i]);
        if i < 7 {
            o.push(':');
        }
        i += 1;
    }
    o
}

/// Address text for the family.
pub fn addr_str(f: Family, b: &[u8]) -> String {
    match f {
        Family::V4 => v4_str(b),
        Family::V6 => v6_str(b),
    }
}

/// `xtables_ipmask_to_cidr` / `xtables_ip6mask_to_cidr`: prefix length or
/// `None` for a non-contiguous mask.
pub fn mask_to_cidr(f: Family, m: &[u8]) -> Option<u32> {
    let n = f.addr_len();
    let m = &m[..n.min(m.len())];
    let mut bits = 0u32;
    let mut seen_zero = false;
    for byte in m {
        for i in (0..8).rev() {
            if byte & (1 << i) != 0 {
                if seen_zero {
                    return None;
                }
                bits += 1;
            } else {
                seen_zero = true;
            }
        }
    }
    Some(bits)
}

/// A prefix-length mask.
pub fn prefix_mask(f: Family, bits: u32) -> [u8; 16] {
    let mut m = [0u8; 16];
    let n = (bits as usize).min(f.addr_len() * 8);
    for (i, b) in m.iter_mut().enumerate() {
        let left = n.saturating_sub(i * 8);
        *b = if left >= 8 {
            0xff
        } else if left == 0 {
            0
        } else {
            0xffu8 << (8 - left)
        };
    }
    m
}

/// `__numeric_to_ipaddr`: dotted quad, with autocompletion of missing
/// trailing bytes unless parsing a mask.
pub fn numeric_to_v4(s: &str, is_mask: bool) -> Option<[u8; 4]> {
    let s: String = s.chars().take(19).collect();
    let mut out = [0u8; 4];
    let mut rest = s.as_str();
    for (i, slot) in out.iter_mut().enumerate().take(3) {
        match rest.find('.') {
            None => {
                if is_mask {
                    return None;
                }
                *slot = strtoui(rest, 0, 255)? as u8;
                let _ = i;
                return Some(out);
            }
            Some(p) => {
                *slot = strtoui(&rest[..p], 0, 255)? as u8;
                rest = &rest[p + 1..];
            }
        }
    }
    out[3] = strtoui(rest, 0, 255)? as u8;
    Some(out)
}

/// `inet_pton(AF_INET6)`.
pub fn numeric_to_v6(s: &str) -> Option<[u8; 16]> {
    s.parse::<Ipv6Addr>().ok().map(|a| a.octets())
}

fn parse_mask(f: Family, m: Option<&str>) -> Result<[u8; 16]> {
    let Some(m) = m else {
        return Ok(prefix_mask(f, 128));
    };
    match f {
        Family::V4 => {
            if let Some(a) = numeric_to_v4(m, true) {
                let mut b = [0u8; 16];
                b[..4].copy_from_slice(&a);
                return Ok(b);
            }
        }
        Family::V6 => {
            if let Some(a) = numeric_to_v6(m) {
                return Ok(a);
            }
        }
    }
    let max = (f.addr_len() * 8) as u64;
    let bits = strtoui(m, 0, max)
        .ok_or_else(|| IptError::param(format!("invalid mask `{m}' specified")))?;
    Ok(prefix_mask(f, bits as u32))
}

fn parse_hostnetwork(f: Family, name: &str) -> Result<Vec<[u8; 16]>> {
    let numeric = match f {
        Family::V4 => numeric_to_v4(name, false).map(|a| {
            let mut b = [0u8; 16];
            b[..4].copy_from_slice(&a);
            b
        }),
        Family::V6 => numeric_to_v6(name),
    };
    if let Some(a) = numeric {
        return Ok(vec![a]);
    }
    // Then getaddrinfo: inet_aton's forms (`256` is 0.0.1.0) and names.
    let mut v = super::gai::resolve(f, name, false)
        .map_err(|_| IptError::param(format!("host/network `{name}' not found")))?;
    v.dedup();
    Ok(v)
}

/// `xtables_ipparse_multiple`/`xtables_ip6parse_multiple`: a comma
/// separated list of `host[/mask]`.
pub fn parse_multiple(f: Family, s: &str) -> Result<Vec<AddrMask>> {
    let mut out = Vec::new();
    for part in s.split(',') {
        let part = part.trim_start();
        if part.len() > 255 {
            return Err(IptError::param("Hostname too long"));
        }
        let (host, mask) = match part.rfind('/') {
            Some(p) => (&part[..p], Some(&part[p + 1..])),
            None => (part, None),
        };
        let mask = parse_mask(f, mask)?;
        let zero = mask[..f.addr_len()].iter().all(|&b| b == 0);
        let host = if zero {
            match f {
                Family::V4 => "0.0.0.0",
                Family::V6 => "::",
            }
        } else {
            host
        };
        for a in parse_hostnetwork(f, host)? {
            let mut addr = [0u8; 16];
            for i in 0..16 {
                addr[i] = a[i] & mask[i];
            }
            out.push(AddrMask { addr, mask });
        }
    }
    Ok(out)
}

/// `mask_to_str` of save output: prefix length or dotted mask.
/// ` [!] -s ADDR/MASK` as `iptables-save` prints it (nothing for "any").
pub fn save(f: Family, letter: char, a: &AddrMask, inv: bool, out: &mut String) {
    match f {
        Family::V4 => {
            if a.mask[..4] == [0; 4] && !inv && a.addr[..4] == [0; 4] {
                return;
            }
        }
        Family::V6 => {
            if !inv && mask_to_cidr(f, &a.mask) == Some(0) {
                return;
            }
        }
    }
    if inv {
        out.push_str(" !");
    }
    let _ = write!(out, " -{letter} ");
    write_addr(out, f, &a.addr);
    out.push('/');
    match mask_to_cidr(f, &a.mask) {
        Some(n) => {
            let _ = write!(out, "{n}");
        }
        None => write_addr(out, f, &a.mask),
    }
}

/// [`addr_str`], appended to `out` (without a string of its own for IPv4).
fn write_addr(out: &mut String, f: Family, b: &[u8]) {
    match f {
        Family::V4 => {
            let _ = write!(out, "{}", v4(b));
        }
        Family::V6 => out.push_str(&v6_str(b)),
    }
}

/// `xtables_ipmask_to_numeric`: `""` for a host mask, `/N`, or `/MASK`.
pub fn mask_suffix(f: Family, m: &[u8]) -> String {
    match mask_to_cidr(f, m) {
        None => format!("/{}", addr_str(f, m)),
        Some(n) if n as usize == f.addr_len() * 8 => String::new(),
        Some(n) => format!("/{n}"),
    }
}

/// Reverse lookup through `/etc/hosts` (getnameinfo without DNS), else the
/// numeric form.
pub fn to_anyname(f: Family, b: &[u8]) -> String {
    let ip: std::net::IpAddr = match f {
        Family::V4 => v4(b).into(),
        Family::V6 => Ipv6Addr::from(padded::<16>(b)).into(),
    };
    for (addr, names) in super::hosts::entries() {
        if *addr == ip {
            if let Some(n) = names.first() {
                return n.clone();
            }
        }
    }
    addr_str(f, b)
}

/// `ipv4_addr_to_string`/`ipv6_addr_to_string` of `-L`.
pub fn list_str(f: Family, a: &AddrMask, numeric: bool) -> String {
    let any = match f {
        Family::V4 => a.mask[..4] == [0; 4],
        Family::V6 => a.addr == [0; 16],
    };
    if any && !numeric {
        return "anywhere".into();
    }
    let base = if numeric {
        addr_str(f, &a.addr)
    } else {
        to_anyname(f, &a.addr)
    };
    base + &mask_suffix(f, &a.mask)
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn short_addresses_are_zero_padded_not_a_panic() {
        assert_eq!(v4_str(&[10, 1]), "10.1.0.0");
        assert_eq!(v4_str(&[]), "0.0.0.0");
        assert_eq!(v6_str(&[0x20, 0x01]), "2001::");
        assert_eq!(to_anyname(Family::V4, &[192]), "192.0.0.0");
    }
    #[test]
    fn parse_v4() {
        let v = parse_multiple(Family::V4, "10.11.12.13/255.0.255.0").unwrap();
        assert_eq!(&v[0].addr[..4], &[10, 0, 12, 0]);
        let mut s = String::new();
        save(Family::V4, 's', &v[0], false, &mut s);
        assert_eq!(s, " -s 10.0.12.0/255.0.255.0");
        let v = parse_multiple(Family::V4, "10").unwrap();
        assert_eq!(&v[0].addr[..4], &[10, 0, 0, 0]);
        assert!(parse_multiple(Family::V4, "1.2.3.400").is_err());
        let v = parse_multiple(Family::V6, "2001:db8::1/64").unwrap();
        let mut s = String::new();
        save(Family::V6, 'd', &v[0], true, &mut s);
        assert_eq!(s, " ! -d 2001:db8::/64");
    }
}

#[cfg(test)]
mod v6_tests {
    #[test]
    fn glibc_forms() {
        let mut a = [0u8; 16];
        assert_eq!(super::v6_str(&a), "::");
        a[15] = 1;
        assert_eq!(super::v6_str(&a), "::1");
        a[15] = 2;
        assert_eq!(super::v6_str(&a), "::2");
        let b: [u8; 16] = [0x20, 1, 0xd, 0xb8, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1];
        assert_eq!(super::v6_str(&b), "2001:db8::1:0:0:1");
        let c: [u8; 16] = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 1, 2, 3, 4];
        assert_eq!(super::v6_str(&c), "::ffff:1.2.3.4");
        let d: [u8; 16] = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4];
        assert_eq!(super::v6_str(&d), "::1.2.3.4");
    }
}
