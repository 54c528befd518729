//! The `u32` id ranges of the IPv6/IPsec header matches (`--ahspi`,
//! `--espspi`, `--ipcompspi`, `--fragid`, `--rt-segsleft`): parsed as
//! `XTTYPE_UINT32RC`, written `[lo, hi]` with `0:4294967295` (not inverted)
//! meaning "any", saved and listed the same way by all of them.

use crate::iptables::error::Result;
use crate::iptables::match_::conntrack::parse_u32rc;
use std::fmt::Write as _;

/// The "any id" range every one of them starts with.
pub const ANY: [u32; 2] = [0, u32::MAX];

/// Parse `lo[:hi]` (one value means `lo:lo`).
pub fn parse(ext: &str, opt: &str, arg: &str) -> Result<[u32; 2]> {
    let (lo, hi, n) = parse_u32rc(ext, opt, arg)?;
    Ok([lo, if n == 1 { lo } else { hi }])
}

/// Whether the range is left out of save and list output.
pub fn is_any(r: [u32; 2], inv: bool) -> bool {
    r == ANY && !inv
}

/// Save form: `[ !] --OPT lo[:hi]`, nothing for "any".
pub fn save(out: &mut String, opt: &str, r: [u32; 2], inv: bool) {
    if is_any(r, inv) {
        return;
    }
    let bang = if inv { " !" } else { "" };
    let _ = write!(out, "{bang} --{opt} {}", r[0]);
    if r[0] != r[1] {
        let _ = write!(out, ":{}", r[1]);
    }
}

/// `-L` form: `NAME:[!]lo` or `NAMEs:[!]lo:hi` (no leading space), nothing
/// for "any".
pub fn print(out: &mut String, name: &str, r: [u32; 2], inv: bool) {
    if is_any(r, inv) {
        return;
    }
    let bang = if inv { "!" } else { "" };
    if r[0] == r[1] {
        let _ = write!(out, "{name}:{bang}{}", r[0]);
    } else {
        let _ = write!(out, "{name}s:{bang}{}:{}", r[0], r[1]);
    }
}
