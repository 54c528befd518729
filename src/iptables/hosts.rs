//! The static host table (`/etc/hosts`), which the C library consults for
//! host names in `-s`/`-d` and for names in `-L` output. Read once; a
//! missing or unreadable file is an empty table.

use std::net::IpAddr;
use std::sync::OnceLock;

/// `(address, [canonical name, aliases...])` in file order.
pub fn entries() -> &'static [(IpAddr, Vec<String>)] {
    static HOSTS: OnceLock<Vec<(IpAddr, Vec<String>)>> = OnceLock::new();
    HOSTS.get_or_init(|| {
        let text = std::fs::read_to_string("/etc/hosts").unwrap_or_default();
        parse(&text)
    })
}

/// Parse hosts-file text.
pub fn parse(text: &str) -> Vec<(IpAddr, Vec<String>)> {
    let mut v = Vec::new();
    for line in text.lines() {
        let line = line.split('#').next().unwrap_or("");
        let mut it = line.split_whitespace();
        let Some(a) = it.next() else { continue };
        let Ok(ip) = a.parse::<IpAddr>() else {
            continue;
        };
        let names: Vec<String> = it.map(str::to_owned).collect();
        if !names.is_empty() {
            v.push((ip, names));
        }
    }
    v
}
