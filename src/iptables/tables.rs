//! The builtin tables and base chains iptables-nft creates (identical for
//! `ip` and `ip6`), in its fixed table order.

use crate::object::chain::{ChainCounters, Hook};
use crate::object::{Chain, ChainAttrs};

/// A builtin base chain.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BuiltinChain {
    /// Name (`INPUT`, ...).
    pub name: &'static str,
    /// Chain type (`filter`, `nat`, `route`).
    pub chain_type: &'static str,
    /// Priority.
    pub prio: i32,
    /// Hook number (`NF_INET_*`).
    pub hook: u32,
}

/// A builtin table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BuiltinTable {
    /// Name.
    pub name: &'static str,
    /// Base chains in iptables' declaration order.
    pub chains: &'static [BuiltinChain],
}

const fn c(name: &'static str, chain_type: &'static str, prio: i32, hook: u32) -> BuiltinChain {
    BuiltinChain {
        name,
        chain_type,
        prio,
        hook,
    }
}

/// Tables in `enum nft_table_type` order (mangle, security, raw, filter,
/// nat), the order `iptables-save` prints them in.
pub const TABLES: &[BuiltinTable] = &[
    BuiltinTable {
        name: "mangle",
        chains: &[
            c("PREROUTING", "filter", -150, 0),
            c("INPUT", "filter", -150, 1),
            c("FORWARD", "filter", -150, 2),
            c("OUTPUT", "route", -150, 3),
            c("POSTROUTING", "filter", -150, 4),
        ],
    },
    BuiltinTable {
        name: "security",
        chains: &[
            c("INPUT", "filter", 150, 1),
            c("FORWARD", "filter", 150, 2),
            c("OUTPUT", "filter", 150, 3),
        ],
    },
    BuiltinTable {
        name: "raw",
        chains: &[
            c("PREROUTING", "filter", -300, 0),
            c("OUTPUT", "filter", -300, 3),
        ],
    },
    BuiltinTable {
        name: "filter",
        chains: &[
            c("INPUT", "filter", 0, 1),
            c("FORWARD", "filter", 0, 2),
            c("OUTPUT", "filter", 0, 3),
        ],
    },
    BuiltinTable {
        name: "nat",
        chains: &[
            c("PREROUTING", "nat", -100, 0),
            c("INPUT", "nat", 100, 1),
            c("POSTROUTING", "nat", 100, 4),
            c("OUTPUT", "nat", -100, 3),
        ],
    },
];

/// The builtin table called `name`.
pub fn table(name: &str) -> Option<&'static BuiltinTable> {
    TABLES.iter().find(|t| t.name == name)
}

impl BuiltinTable {
    /// The builtin chain called `name`.
    pub fn chain(&self, name: &str) -> Option<&'static BuiltinChain> {
        self.chains.iter().find(|c| c.name == name)
    }
    /// The builtin chain on `hook`.
    pub fn chain_by_hook(&self, hook: u32) -> Option<&'static BuiltinChain> {
        self.chains.iter().find(|c| c.hook == hook)
    }
    /// Base chains in hook order (the order lists and saves print them).
    pub fn chains_by_hook(&self) -> Vec<&'static BuiltinChain> {
        let mut v: Vec<_> = self.chains.iter().collect();
        v.sort_by_key(|c| c.hook);
        v
    }
}

impl BuiltinChain {
    /// The `NEWCHAIN` body iptables-nft 1.8.10+ sends when it creates this
    /// base chain: TABLE, NAME, HOOK{NUM, PRIORITY}, POLICY, COUNTERS{0,0},
    /// TYPE (libnftnl's attribute order).
    pub fn to_chain(&self, family: u8, table: &str, policy: u32, counters: (u64, u64)) -> Chain {
        let attrs = ChainAttrs {
            table: Some(table.into()),
            name: Some(self.name.into()),
            hook: Some(Hook {
                num: Some(self.hook),
                priority: Some(self.prio),
                ..Default::default()
            }),
            policy: Some(policy),
            counters: Some(ChainCounters {
                packets: Some(counters.0),
                bytes: Some(counters.1),
                ..Default::default()
            }),
            chain_type: Some(self.chain_type.into()),
            ..Default::default()
        };
        Chain { family, attrs }
    }
}
