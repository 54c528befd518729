//! nftwire: a lossless nf_tables netlink library.
//!
//! * [`nla`]: attribute codec and the `attr_struct!`/`wire_enum!` macros that
//!   make every typed structure lossless by construction.
//! * [`expr`]: all kernel expressions, typed, with unknown ones kept raw.
//! * [`object`]: tables, chains, rules, sets, elements, objects, flowtables.
//! * [`netlink`]: the socket, dumps, batches.
//! * [`ruleset`]: a whole ruleset, read in one consistent dump.
//! * [`save`]: the lossless text save/restore format; [`restore_plan`]: the
//!   order a restore creates it in, so handles come back.
#![warn(missing_docs)]

pub mod arptables;
pub mod compat;
pub mod conntrack;
pub mod consts;
pub mod data;
pub mod diagnose;
pub mod ebtables;
pub mod error;
pub mod expr;
pub mod iptables;
pub mod monitor;
pub mod netlink;
pub mod netns;
pub mod nflog;
pub mod nla;
pub mod object;
pub mod reconcile;
pub mod render;
pub mod restore_plan;
pub mod ruleset;
pub mod save;
pub mod sigpipe;
pub mod trace;
pub mod util;

pub use error::{Error, Result};
