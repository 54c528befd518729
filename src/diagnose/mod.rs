//! Diagnose how iptables-nft sees a ruleset: a model of its reader per
//! release (`explain`) and the choice of iptables backend (`backend`).
//!
//! * [`version`]: which release to model; the host's, found without
//!   running it.
//! * [`layout`]: the tables and base chains iptables expects.
//! * [`nlexpr`]: expressions as libnftnl presents them to iptables.
//! * [`whitelist`]: the expression list listing commands insist on.
//! * [`reader`]: the rule reader, register by register, with the places it
//!   silently misreads.
//! * [`cstate`]: the rule as the reader builds it.
//! * [`save`]: printing that rule as `iptables -S` does.
//! * [`suggest`]: iptables-compatible equivalents of foreign rules.
//! * [`ebtarp`]: the ebtables-nft and arptables-nft readers (bridge, arp).
//! * [`mod@explain`]: all of it over a ruleset.
//! * [`json`]: the JSON writer for reports.
//! * [`extprint`]: printing xt extensions through [`crate::iptables`].
//! * [`legacy`]: reading legacy x_tables tables via socket options.
//! * [`backend`]: deciding between iptables-nft and iptables-legacy.

pub mod backend;
pub mod cstate;
pub mod ebtarp;
pub mod explain;
pub mod extprint;
pub mod json;
pub mod layout;
pub mod legacy;
pub mod nlexpr;
pub mod reader;
pub mod save;
pub mod suggest;
pub mod version;
pub mod whitelist;

pub use explain::{explain, Explanation, Options, RuleReport};
pub use version::IptVersion;
