//! Running code in a private, throwaway network namespace (used by
//! `nftwire demo` and by the tests; never touches the caller's namespace).

use crate::error::{Error, Result};
use nix::sched::{unshare, CloneFlags};

/// Run `f` on a fresh thread that first moves into a new network namespace
/// (with a new user namespace too when not root). Sockets opened and
/// processes spawned by `f` live in that namespace; it disappears when the
/// thread ends and nothing holds it.
pub fn in_new_netns<F, R>(f: F) -> Result<R>
where
    F: FnOnce() -> R + Send + 'static,
    R: Send + 'static,
{
    let h = std::thread::spawn(move || -> Result<R> {
        let flags = if nix::unistd::geteuid().is_root() {
            CloneFlags::CLONE_NEWNET
        } else {
            // Only possible in a single-threaded process; reported clearly
            // when it fails.
            CloneFlags::CLONE_NEWUSER | CloneFlags::CLONE_NEWNET
        };
        unshare(flags).map_err(|e| {
            Error::Permission(format!(
                "cannot create a network namespace ({e}); run as root or with CAP_SYS_ADMIN"
            ))
        })?;
        Ok(f())
    });
    match h.join() {
        Ok(r) => r,
        // A panic inside `f` is the caller's; pass it on unchanged.
        Err(payload) => std::panic::resume_unwind(payload),
    }
}

/// Move the calling thread into the network namespace at `path` (e.g.
/// `/run/netns/NAME`, made by `ip netns add`). Only this thread moves.
pub fn enter(path: &std::path::Path) -> Result<()> {
    use std::os::fd::AsFd;
    let file = std::fs::File::open(path)?;
    nix::sched::setns(file.as_fd(), CloneFlags::CLONE_NEWNET).map_err(|e| {
        Error::Permission(format!(
            "cannot enter the network namespace {}: {e}",
            path.display()
        ))
    })
}
