//! Text renderings of a [`crate::ruleset::Ruleset`].
//!
//! * [`raw`]: the netlink debug form that `nft --debug=netlink list ruleset`
//!   prints (libnftnl's text of every rule and set element).

pub mod raw;

pub use raw::{netlink_part, render_raw, render_rule, render_set_elems};
