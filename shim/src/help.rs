//! `-h`/`--help`: the general help followed by the help of the target and
//! of each match of the command line so far, as iptables 1.8.11 prints it.

mod general;
mod table;

pub use general::general;
pub use table::{text, Kind};

use nftwire::iptables::Family;

/// Whether `-j NAME` is one of the verdicts 1.8.11 handles with its
/// built-in `standard` target (whose help `-h` prints).
pub fn is_standard(name: &str) -> bool {
    matches!(name, "ACCEPT" | "DROP" | "RETURN" | "QUEUE")
}

/// What `-h` prints: the general help of `prog`, then the help of the
/// target extension (`standard` for a verdict) and of every match in
/// command-line order, each after a blank line.
pub fn help(family: Family, prog: &str, target: Option<&str>, matches: &[&str]) -> String {
    let mut s = general(family, prog);
    let exts = target
        .map(|t| (Kind::Target, t))
        .into_iter()
        .chain(matches.iter().map(|m| (Kind::Match, *m)));
    for (kind, name) in exts {
        s.push('\n');
        match text(kind, name, family) {
            Some(t) => s.push_str(t),
            None => {
                s.push_str(name);
                s.push_str(" does not take any options\n");
            }
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use nftwire::iptables::match_::Match;
    use nftwire::iptables::target::Target;

    /// Every extension the library's registry knows has its help text.
    #[test]
    fn every_registered_extension_has_help() {
        let mut missing = Vec::new();
        for f in [Family::V4, Family::V6] {
            for n in Match::names(f) {
                if text(Kind::Match, n, f).is_none() {
                    missing.push(format!("-m {n} ({f:?})"));
                }
            }
            for n in Target::names(f) {
                if text(Kind::Target, n, f).is_none() {
                    missing.push(format!("-j {n} ({f:?})"));
                }
            }
        }
        assert!(missing.is_empty(), "no help text for {missing:?}");
    }

    /// `iptables -h` keeps 1.8.11's indentation and family lines.
    #[test]
    fn general_help_shape() {
        let v4 = general(Family::V4, "iptables");
        assert!(v4.starts_with("iptables v1.8.11 (nf_tables)\n\nUsage: iptables -[ACD]"));
        assert!(v4.contains("\n  --append  -A chain\t\tAppend to chain\n"));
        assert!(v4.contains("\n            -X [chain]\t\tDelete a user-defined chain\n"));
        assert!(v4.contains("\n[!] --fragment\t-f\t"));
        let v6 = general(Family::V6, "ip6tables");
        assert!(v6.contains("    --ipv6\t-6\t\tNothing (line is ignored by iptables-restore)\n"));
        assert!(!v6.contains("--fragment"));
    }
}
