//! The arptables model behind `nftwire-iptables`' `arptables` tools: rules
//! of the `arp filter` table as arptables-nft 1.8.11 writes and reads them.
//!
//! * [`rule::ArpRule`]: the fixed ARP header tests, interfaces and target.
//! * [`encode`]: rule → expressions (`nft_arp_add`).
//! * [`decode`]: expressions → rule; a rule that does not encode back to
//!   exactly the kernel's expressions is foreign (as on the iptables side).
//! * [`text`]: the `-L`, `-S`/save and `-v` forms.
//! * [`target`]: the `mangle`, `MARK` and `CLASSIFY` targets.

pub mod decode;
pub mod encode;
pub mod rule;
pub mod tables;
pub mod target;
pub mod text;
pub mod xlate;

pub use rule::{ArpRule, ArpVerdict};
