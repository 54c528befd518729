//! Helpers shared by the `debug_body` implementations: libnftnl builds each
//! expression's text as `"name "` followed by fragments that each end in a
//! space, framed as `[ name body]`; nftwire frames it as `[ ` ... ` ]`, so
//! the body is written with its single trailing space removed.

use std::fmt;

/// Write `name`, then ` body` (without its trailing space) when the body is
/// not empty: together with the `[ `/` ]` frame this is libnftnl's text.
pub fn fmt_body(f: &mut String, name: &str, body: &str) -> fmt::Result {
    f.push_str(name);
    if !body.is_empty() {
        f.push(' ');
        f.push_str(body.strip_suffix(' ').unwrap_or(body));
    }
    Ok(())
}

/// libnftnl's family names (`nftnl_family2str`): `ip`, `ip6`, `inet`,
/// `arp`, `bridge`, `netdev`, otherwise `unknown`.
pub fn family_name(family: u32) -> &'static str {
    match family {
        1 => "inet",
        2 => "ip",
        3 => "arp",
        5 => "netdev",
        7 => "bridge",
        10 => "ip6",
        _ => "unknown",
    }
}

/// What C's `printf("%s", NULL)` prints (glibc), for libnftnl name tables
/// with holes.
pub const NULL_STR: &str = "(null)";
