//! Text renderings of a [`crate::ruleset::Ruleset`].
//!
//! * [`json`]: what `nft -j list` prints.
//! * [`nft`]: what `nft list` prints (statements, sets, objects).
//! * [`raw`]: the netlink debug form that `nft --debug=netlink list ruleset`
//!   prints (libnftnl's text of every rule and set element).

pub mod json;
pub mod nft;
pub mod raw;

pub use raw::{netlink_part, render_raw, render_rule, render_set_elems};
