//! The translations of ebtables' extensions, watchers and targets, as
//! ebtables-nft 1.8.11's `libebt_*` print them; false for those without
//! one.

use super::ext::{Ext, MarkTarget, NatTarget};
use crate::iptables::xlate::Xlate;

/// One match or watcher.
pub fn ext(_x: &mut Xlate, e: &Ext) -> bool {
    match e {
        _ => false,
    }
}

/// `-j mark`.
pub fn mark_target(_x: &mut Xlate, _m: &MarkTarget) -> bool {
    false
}

/// `-j snat|dnat|redirect`.
pub fn nat_target(_x: &mut Xlate, _n: &NatTarget) -> bool {
    false
}
