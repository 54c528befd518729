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
