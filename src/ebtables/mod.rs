//! The ebtables model behind `nftwire-iptables`' `ebtables` tools: rules of
//! the `bridge` tables (filter, nat, broute) as ebtables-nft 1.8.11 writes
//! and reads them.
//!
//! * [`rule::EbtRule`]: protocol, MAC addresses, interfaces, the matches
//!   and watchers in order, the target.
//! * [`ext`]: the extensions (`ip`, `arp`, `mark_m`, `pkttype`; the `log`
//!   and `nflog` watchers; the `mark` target) as xt blobs, options and text.
//! * [`encode`]/[`decode`]: rule ↔ expressions (`nft_bridge_add`); a rule
//!   that does not encode back to the kernel's expressions is foreign.
//! * [`text`]: the `-L` and save forms.
//! * [`tables`]: the builtin tables and chains; [`ethertypes`]: names of
//!   Ethernet protocols (`/etc/ethertypes`).

pub mod among;
pub mod decode;
pub mod encode;
pub mod ethertypes;
pub mod ext;
pub mod rule;
pub mod tables;
pub mod text;
pub mod xlate;
pub mod xlate_ext;

pub use rule::{EbtRule, EbtVerdict};
