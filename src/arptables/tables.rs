//! The one table arptables-nft manages: `arp filter` with `INPUT` and
//! `OUTPUT` on `NF_ARP_IN`/`NF_ARP_OUT` (1.8.11 creates no `FORWARD`).

use crate::iptables::tables::{BuiltinChain, BuiltinTable};

/// `arp filter`.
pub const FILTER: BuiltinTable = BuiltinTable {
    name: "filter",
    chains: &[
        BuiltinChain {
            name: "INPUT",
            chain_type: "filter",
            prio: 0,
            hook: 0,
        },
        BuiltinChain {
            name: "OUTPUT",
            chain_type: "filter",
            prio: 0,
            hook: 1,
        },
    ],
};

/// The builtin table called `name` (only `filter`).
pub fn table(name: &str) -> Option<&'static BuiltinTable> {
    (name == "filter").then_some(&FILTER)
}
