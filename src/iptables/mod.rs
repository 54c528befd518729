//! The iptables model behind `nftwire-iptables`: rules as iptables-nft
//! 1.8.11 sees them, each extension parsing its options, encoding itself
//! into nf_tables expressions (native or xt compat), decoding back, and
//! printing the save and list forms.
//!
//! * [`rule::IptRule`]: the rule; [`match_::Match`], [`target::Target`]: the
//!   extensions.
//! * [`encode`]: rule → expressions + `NFTA_RULE_COMPAT`.
//! * [`decode`]: expressions → rule, following iptables-nft's register
//!   tracking parser; rules it cannot express are reported as foreign.
//! * [`tables`]: the builtin tables and base chains.
//! * [`save`]/[`list`]: the `iptables-save`/`-S` and `-L` formats.
//! * [`xlate`]: `iptables-translate`'s nft text.

pub mod addr;
pub mod bpfobj;
pub mod decode;
pub mod encode;
pub mod error;
mod exact;
pub mod ext;
pub mod family;
pub mod gai;
pub mod hosts;
pub mod ipset;
pub mod list;
pub mod match_;
pub mod netdb;
pub mod num;
pub mod passwd;
pub mod registry;
pub mod revision;
pub mod rule;
pub mod save;
pub mod tables;
pub mod target;
pub mod text;
pub mod warn;
pub mod xlate;
pub mod xtbuf;

pub use error::{ExitCode, IptError, Result};
pub use family::Family;
pub use rule::{IptRule, Verdict};

/// The version this model reproduces.
pub const VERSION: &str = "1.8.11";
/// The version string iptables prints (`1.8.11 (nf_tables)`).
pub const VERSION_STRING: &str = "1.8.11 (nf_tables)";
