//! `arptables`, `arptables-save` and `arptables-restore` (also with
//! `-nft`), as arptables-nft 1.8.11: commands on the `arp filter` table
//! through the shared table engine ([`crate::xfam`]).

pub mod exec;
pub mod parse;
pub mod save;

use nftwire::arptables::{decode::decode, tables, ArpRule};
use nftwire::consts::family::ARP;
use nftwire::object::Rule;

/// The family of every object these tools touch.
pub const FAMILY: u8 = ARP;

/// The decoder the table engine uses.
pub fn decode_rule(r: &Rule, _sets: &crate::xfam::snapshot::SetMap) -> Result<ArpRule, String> {
    decode(r)
}

/// `arptables ARGS...`.
pub fn main(args: Vec<String>) -> i32 {
    let prog = "arptables";
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
