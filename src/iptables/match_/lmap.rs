//! `xtables_lmap`: the `ID NAME` files of iproute2 (`/etc/iproute2/
//! rt_realms`, `group`) that some extensions use to name values. A missing
//! or unreadable file is an empty map, as in iptables.

/// The `(id, name)` pairs of `path` in file order (ids 0-255, `0x` hex or
/// decimal, `#` comments).
pub fn read(path: &str) -> Vec<(u32, String)> {
    let Ok(text) = std::fs::read_to_string(path) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for line in text.lines() {
        let cur = line.trim_start();
        if cur.is_empty() || cur.starts_with('#') {
            continue;
        }
        let (digits, radix) = match cur.strip_prefix("0x") {
            Some(h) => (h, 16),
            None => (cur, 10),
        };
        let end = digits
            .find(|c: char| !c.is_digit(radix))
            .unwrap_or(digits.len());
        let Ok(id) = u32::from_str_radix(&digits[..end], radix) else {
            continue;
        };
        let rest = &digits[end..];
        if id > 255 || !rest.starts_with(char::is_whitespace) {
            continue;
        }
        let name = rest.split_whitespace().next().unwrap_or("");
        if name.is_empty() || name.starts_with('#') {
            continue;
        }
        out.push((id, name.to_string()));
    }
    out
}
