//! Which iptables-nft release to model, and how to find the host's.
//!
//! The host's `iptables` is never executed: its symlink chain is followed
//! with `readlink`, and the release is read from a `"1.8.N (nf_tables)"`
//! string inside the final binary file.

use std::fmt;
use std::path::{Path, PathBuf};

/// An iptables-nft release whose reader nftwire models.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum IptVersion {
    /// 1.8.9 (Debian 12).
    V1_8_9,
    /// 1.8.10.
    V1_8_10,
    /// 1.8.11 (Debian 13).
    V1_8_11,
}

impl IptVersion {
    /// All modelled releases, oldest first.
    pub const ALL: [IptVersion; 3] = [IptVersion::V1_8_9, IptVersion::V1_8_10, IptVersion::V1_8_11];

    /// Parse `1.8.9`, `v1.8.10`, ... (only modelled releases).
    pub fn parse(s: &str) -> Option<IptVersion> {
        match s.trim().trim_start_matches('v') {
            "1.8.9" => Some(IptVersion::V1_8_9),
            "1.8.10" => Some(IptVersion::V1_8_10),
            "1.8.11" => Some(IptVersion::V1_8_11),
            _ => None,
        }
    }

    /// The release string, e.g. `1.8.9`.
    pub fn as_str(self) -> &'static str {
        match self {
            IptVersion::V1_8_9 => "1.8.9",
            IptVersion::V1_8_10 => "1.8.10",
            IptVersion::V1_8_11 => "1.8.11",
        }
    }

    /// The model to use for any 1.8.x patch level: releases before 1.8.9
    /// are modelled as 1.8.9, later ones as 1.8.11.
    pub fn nearest(patch: u32) -> IptVersion {
        match patch {
            0..=9 => IptVersion::V1_8_9,
            10 => IptVersion::V1_8_10,
            _ => IptVersion::V1_8_11,
        }
    }
}

impl fmt::Display for IptVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What the host's `iptables` command is, found without running it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HostIptables {
    /// The path looked up first (e.g. `/usr/sbin/iptables`).
    pub path: PathBuf,
    /// Every path of the symlink chain, the final file last.
    pub chain: Vec<PathBuf>,
    /// `Some(true)` for iptables-nft, `Some(false)` for iptables-legacy,
    /// `None` when neither could be told.
    pub nft: Option<bool>,
    /// The release string found in the binary (e.g. `1.8.9`).
    pub release: Option<String>,
}

impl HostIptables {
    /// The model to use for the host: its release when it is iptables-nft.
    pub fn model(&self) -> Option<IptVersion> {
        if self.nft != Some(true) {
            return None;
        }
        let r = self.release.as_deref()?;
        if let Some(v) = IptVersion::parse(r) {
            return Some(v);
        }
        let patch = r.strip_prefix("1.8.")?.parse::<u32>().ok()?;
        Some(IptVersion::nearest(patch))
    }
}

/// Directories searched for `iptables`, in order.
const SBIN_DIRS: [&str; 4] = ["/usr/sbin", "/sbin", "/usr/bin", "/bin"];
/// Longest symlink chain followed.
const MAX_LINKS: usize = 16;
/// Largest binary scanned for a version string.
const MAX_SCAN: u64 = 64 << 20;

/// Follow `path`'s symlinks one at a time (relative targets resolved
/// against the link's directory); the result starts with `path` and ends
/// with the first non-link (or the last readable link).
pub fn symlink_chain(path: &Path) -> Vec<PathBuf> {
    let mut chain = vec![path.to_path_buf()];
    let mut cur = path.to_path_buf();
    for _ in 0..MAX_LINKS {
        let Ok(target) = std::fs::read_link(&cur) else {
            break;
        };
        let next = if target.is_absolute() {
            target
        } else {
            cur.parent().unwrap_or(Path::new("/")).join(target)
        };
        chain.push(next.clone());
        cur = next;
    }
    chain
}

/// Find `"1.8.N (nf_tables)"` or `"1.8.N (legacy)"` in a binary's bytes.
pub fn scan_release(bytes: &[u8]) -> Option<(String, bool)> {
    for (suffix, nft) in [(&b" (nf_tables)"[..], true), (&b" (legacy)"[..], false)] {
        let mut from = 0;
        while let Some(pos) = find(&bytes[from..], suffix) {
            let end = from + pos;
            let mut start = end;
            while start > 0 && (bytes[start - 1].is_ascii_digit() || bytes[start - 1] == b'.') {
                start -= 1;
            }
            if let Ok(s) = std::str::from_utf8(&bytes[start..end]) {
                if s.starts_with("1.") && s.matches('.').count() == 2 {
                    return Some((s.to_string(), nft));
                }
            }
            from = end + suffix.len();
        }
    }
    None
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// Inspect the host's `iptables` (first one found in the usual sbin
/// directories). `None` when there is none.
pub fn host_iptables() -> Option<HostIptables> {
    let path = SBIN_DIRS
        .iter()
        .map(|d| Path::new(d).join("iptables"))
        .find(|p| std::fs::symlink_metadata(p).is_ok())?;
    let chain = symlink_chain(&path);
    let last = chain.last().cloned().unwrap_or_else(|| path.clone());
    let names_nft = chain.iter().any(|p| {
        p.file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| n.contains("-nft"))
    });
    let names_legacy = chain.iter().any(|p| {
        p.file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| n.contains("-legacy"))
    });
    let scanned = std::fs::metadata(&last)
        .ok()
        .filter(|m| m.is_file() && m.len() <= MAX_SCAN)
        .and_then(|_| std::fs::read(&last).ok())
        .and_then(|b| scan_release(&b));
    let nft = match (&scanned, names_nft, names_legacy) {
        (Some((_, n)), _, _) => Some(*n),
        (None, true, false) => Some(true),
        (None, false, true) => Some(false),
        _ => None,
    };
    Some(HostIptables {
        path,
        chain,
        nft,
        release: scanned.map(|(r, _)| r),
    })
}

/// The default model: the host's iptables-nft release, else 1.8.11.
pub fn default_version() -> IptVersion {
    host_iptables()
        .and_then(|h| h.model())
        .unwrap_or(IptVersion::V1_8_11)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn release_strings() {
        assert_eq!(
            scan_release(b"\0xx\0 1.8.9\0%s v1.8.9 (nf_tables)\0"),
            Some(("1.8.9".into(), true))
        );
        assert_eq!(
            scan_release(b"1.8.9 (legacy)\0"),
            Some(("1.8.9".into(), false))
        );
        assert_eq!(scan_release(b"nothing here"), None);
        assert_eq!(IptVersion::parse("v1.8.10"), Some(IptVersion::V1_8_10));
        assert_eq!(IptVersion::nearest(7), IptVersion::V1_8_9);
        assert_eq!(IptVersion::nearest(13), IptVersion::V1_8_11);
    }
}
