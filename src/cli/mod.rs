//! Subcommands of the `nftwire` binary, one file each.

pub mod backend;
pub mod conntrack;
pub mod demo;
pub mod explain;
pub mod install_shim;
pub mod list;
pub mod log;
pub mod monitor;
pub mod monitor_txn;
pub mod reconcile;
pub mod restore;
pub mod save;
pub mod save_file;
pub mod trace;

/// The name of interface `index` in this network namespace (`ifN` when it
/// has none any more).
pub fn ifname(index: Option<u32>) -> Option<String> {
    let i = index?;
    Some(
        nix::net::if_::if_indextoname(i)
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|_| format!("if{i}")),
    )
}

/// Exit code for an error: 4 when not permitted (no CAP_NET_ADMIN), 2 for
/// bad input, 1 otherwise (including other kernel refusals).
pub fn exit_code(e: &anyhow::Error) -> i32 {
    match e.downcast_ref::<nftwire::Error>() {
        Some(nftwire::Error::Permission(_)) => 4,
        Some(nftwire::Error::Kernel { errno: 1 | 13, .. }) => 4,
        Some(nftwire::Error::Input(_)) => 2,
        _ => 1,
    }
}

/// Longest text an error message echoes from its input (a name, a line).
pub const CLIP: usize = 200;

/// `s` with every run of more than [`CLIP`] characters without white space
/// cut to its start, an ellipsis and the length it had: an error message
/// never echoes a megabyte-long name whole.
pub fn clip(s: &str) -> String {
    let mut out = String::with_capacity(s.len().min(4 * CLIP));
    let mut rest = s;
    while !rest.is_empty() {
        let ws = rest
            .find(|c: char| !c.is_whitespace())
            .unwrap_or(rest.len());
        out.push_str(&rest[..ws]);
        rest = &rest[ws..];
        let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
        let word = &rest[..end];
        if word.chars().count() > CLIP {
            let cut: String = word.chars().take(CLIP).collect();
            out.push_str(&cut);
            out.push_str(&format!("\u{2026} ({} bytes)", word.len()));
        } else {
            out.push_str(word);
        }
        rest = &rest[end..];
    }
    out
}

/// `bytes` as text, or an error naming the line of the first byte that is
/// not UTF-8 (`LABEL: line N: not text (invalid UTF-8)`).
pub fn utf8_text(label: &str, bytes: Vec<u8>) -> Result<String, String> {
    String::from_utf8(bytes).map_err(|e| {
        let at = e.utf8_error().valid_up_to();
        let line = 1 + e.as_bytes()[..at].iter().filter(|&&c| c == b'\n').count();
        format!("{label}: line {line}: not text (invalid UTF-8)")
    })
}
