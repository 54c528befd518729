//! The bridge tables ebtables-nft creates, with their base chains
//! (`NF_BR_*` hooks and the bridge priorities).

use crate::iptables::tables::{BuiltinChain, BuiltinTable};

const fn c(name: &'static str, chain_type: &'static str, prio: i32, hook: u32) -> BuiltinChain {
    BuiltinChain {
        name,
        chain_type,
        prio,
        hook,
    }
}

/// `filter`, `nat`, `broute` (in ebtables-save's order).
pub const TABLES: &[BuiltinTable] = &[
    BuiltinTable {
        name: "filter",
        chains: &[
            c("INPUT", "filter", -200, 1),
            c("FORWARD", "filter", -200, 2),
            c("OUTPUT", "filter", -200, 3),
        ],
    },
    BuiltinTable {
        name: "nat",
        chains: &[
            c("PREROUTING", "filter", -300, 0),
            c("OUTPUT", "filter", 100, 3),
            c("POSTROUTING", "filter", 300, 4),
        ],
    },
    BuiltinTable {
        name: "broute",
        chains: &[c("BROUTING", "filter", i32::MIN, 0)],
    },
];

/// The builtin table called `name`.
pub fn table(name: &str) -> Option<&'static BuiltinTable> {
    TABLES.iter().find(|t| t.name == name)
}
