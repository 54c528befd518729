//! `ebtables`, `ebtables-save` and `ebtables-restore` (also with `-nft`),
//! as ebtables-nft 1.8.11: commands on the bridge tables through the
//! shared table engine ([`crate::xfam`]).

pub mod exec;
pub mod parse;
pub mod save;

use nftwire::consts::family::BRIDGE;
use nftwire::ebtables::{tables, EbtRule};
use nftwire::object::Rule;

/// The family of every object these tools touch.
pub const FAMILY: u8 = BRIDGE;

/// The decoder the table engine uses.
pub fn decode_rule(r: &Rule, sets: &crate::xfam::snapshot::SetMap) -> Result<EbtRule, String> {
    nftwire::ebtables::decode::decode_with_sets(r, r.table(), sets)
}

/// `ebtables ARGS...`.
pub fn main(args: Vec<String>) -> i32 {
    let prog = "ebtables";
    crate::xfam::run_tool(
        prog,
        FAMILY,
        parse::parse(args, false, prog),
        |p| (p.stdout.as_deref(), &p.table),
        tables::table,
        decode_rule,
        exec::run,
    )
}
