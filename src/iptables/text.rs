//! Text helpers shared by the save and list formats (libxtables'
//! `xtables_save_string`, `xtables_print_val_mask`, `xtables_print_num`)
//! and the value parsers several extensions share.

use super::error::{IptError, Result};
use super::num::strtoui_prefix;
use std::fmt::Write as _;

/// `xtables_save_string`: ` VALUE` bare when it is only `[A-Za-z0-9_-]`,
/// otherwise double-quoted with `"`, `\` and `'` escaped.
pub fn save_string(v: &str, out: &mut String) {
    let plain = !v.is_empty()
        && v.bytes()
            .all(|c| c.is_ascii_alphanumeric() || c == b'_' || c == b'-');
    out.push(' ');
    if plain {
        out.push_str(v);
        return;
    }
    out.push('"');
    for c in v.chars() {
        if matches!(c, '"' | '\\' | '\'') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
}

/// `xtables_print_val_mask` without a name map: ` 0xV/0xM` or ` 0xV`.
pub fn val_mask(v: u32, m: u32, out: &mut String) {
    if m != u32::MAX {
        let _ = write!(out, " 0x{v:x}/0x{m:x}");
    } else {
        let _ = write!(out, " 0x{v:x}");
    }
}

/// `xtables_parse_val_mask` without a name map (`VALUE[/MASK]`).
pub fn parse_val_mask(ext: &str, opt: &str, arg: &str) -> Result<(u32, u32)> {
    parse_val_mask_named(ext, opt, arg, None)
}

/// A name map's lookup: the value of a name.
pub type NameLookup<'a> = &'a dyn Fn(&str) -> Option<u32>;

/// `xtables_parse_val_mask` (`VALUE[/MASK]`); with a name map (`lookup`),
/// an argument that is not a number, or a number followed by anything but
/// `/`, is looked up whole as a name (mask all ones).
pub fn parse_val_mask_named(
    ext: &str,
    opt: &str,
    arg: &str,
    lookup: Option<NameLookup<'_>>,
) -> Result<(u32, u32)> {
    let bad = || {
        IptError::param(format!(
            "{ext}: bad integer value for option \"--{opt}\", or out of range.\n"
        ))
    };
    let garbage = || {
        IptError::param(format!(
            "{ext}: trailing garbage after value for option \"--{opt}\".\n"
        ))
    };
    let by_name = |f: &dyn Fn(&str) -> Option<u32>| {
        f(arg).map(|v| (v, u32::MAX)).ok_or_else(|| {
            IptError::param(format!(
                "{ext}: could not map name {arg} to an integer value for option \"--{opt}\".\n"
            ))
        })
    };
    let Some((v, n)) = strtoui_prefix(arg, 0, u32::MAX as u64) else {
        return match lookup {
            Some(f) => by_name(f),
            None => Err(bad()),
        };
    };
    let rest = &arg[n..];
    if rest.is_empty() {
        return Ok((v as u32, u32::MAX));
    }
    let Some(m) = rest.strip_prefix('/') else {
        return match lookup {
            Some(f) => by_name(f),
            None => Err(garbage()),
        };
    };
    let (mv, n2) = strtoui_prefix(m, 0, u32::MAX as u64).ok_or_else(bad)?;
    if n2 != m.len() {
        return Err(garbage());
    }
    Ok((v as u32, mv as u32))
}

/// `xtables_print_num` for `-L -v` columns: `kmg` abbreviates with K/M/G/T
/// (5 wide), otherwise exact (8 wide); `notable` drops the padding.
pub fn print_num(n: u64, kmg: bool, notable: bool, out: &mut String) {
    if !kmg {
        if notable {
            let _ = write!(out, "{n} ");
        } else {
            let _ = write!(out, "{n:>8} ");
        }
        return;
    }
    if n <= 99999 {
        if notable {
            let _ = write!(out, "{n} ");
        } else {
            let _ = write!(out, "{n:>5} ");
        }
        return;
    }
    let mut n = n;
    for suffix in ['K', 'M', 'G'] {
        n = (n + 500) / 1000;
        if n <= 9999 {
            if notable {
                let _ = write!(out, "{n}{suffix} ");
            } else {
                let _ = write!(out, "{n:>4}{suffix} ");
            }
            return;
        }
    }
    n = (n + 500) / 1000;
    if notable {
        let _ = write!(out, "{n}T ");
    } else {
        let _ = write!(out, "{n:>4}T ");
    }
}

/// `strncasecmp(word, name, len) == 0` as the state parsers use it: `word`
/// (length `len`) is a case-insensitive prefix of... no: the first `len`
/// bytes of both compare equal, so a shorter `name` only matches if equal.
pub fn ncase_eq(word: &str, name: &str) -> bool {
    let (a, b) = (word.as_bytes(), name.as_bytes());
    for (i, c) in a.iter().enumerate() {
        let x = c.to_ascii_lowercase();
        let y = b.get(i).map(|c| c.to_ascii_lowercase()).unwrap_or(0);
        if x != y {
            return false;
        }
        if x == 0 {
            return true;
        }
    }
    true
}

/// `xtopt_parse_int`: an unsigned integer in `min..=max`.
pub fn parse_uint(ext: &str, opt: &str, arg: &str, min: u64, max: u64) -> Result<u64> {
    super::num::strtoul_base(arg, min, max, 0).ok_or_else(|| {
        IptError::param(format!(
            "{ext}: bad value for option \"--{opt}\", or out of range ({min}-{max}).\n"
        ))
    })
}
