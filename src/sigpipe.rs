//! Closed standard output, as C tools handle it.
//!
//! Rust programs start with `SIGPIPE` ignored, so writing to a pipe whose
//! reader is gone (`nftwire list | head -1`, `iptables-save | grep -q X`)
//! returns `EPIPE`, and `println!` panics on it. C tools, iptables-nft
//! 1.8.11 among them, keep the default disposition and are killed by the
//! signal instead: quietly, with status 141 in a shell. Both nftwire
//! binaries call [`restore_default`] first thing in `main`, which gives them
//! that behaviour for every write at once.

/// Give `SIGPIPE` its default disposition (terminate the process).
pub fn restore_default() {
    use nix::sys::signal::{signal, SigHandler, Signal};
    // SAFETY: installing the default disposition runs no code of ours in
    // signal context.
    unsafe {
        let _ = signal(Signal::SIGPIPE, SigHandler::SigDfl);
    }
}
