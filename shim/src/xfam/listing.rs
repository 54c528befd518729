//! The listing part of an `arptables`/`ebtables` command: `-L` or `-S`,
//! alone or with `-Z`.

use super::Snapshot;
use crate::model::{MResult, ModelErr};
use crate::parse::cmd;

/// Print the listing `command` asks for (`list` for `-L`, `list_rules`
/// for `-S`) after the snapshot's tainted note, refusing with `no_chain`
/// a `chain` that exists neither in the table nor as a built-in one.
/// `Ok(true)` when the command is done (a listing without `-Z`).
pub fn run_listing<R: Clone>(
    s: &Snapshot<R>,
    command: u32,
    chain: Option<&str>,
    out: &mut String,
    no_chain: impl FnOnce() -> ModelErr,
    list: impl FnOnce(&Snapshot<R>, &mut String),
    list_rules: impl FnOnce(&Snapshot<R>, &mut String),
) -> MResult<bool> {
    if command & (cmd::LIST | cmd::LIST_RULES) == 0 {
        return Ok(false);
    }
    if let Some(c) = chain {
        if s.chain(c).is_none() && s.builtin.chain(c).is_none() {
            return Err(no_chain());
        }
    }
    out.push_str(&s.tainted_note());
    if command & cmd::LIST != 0 {
        list(s, out);
    } else {
        list_rules(s, out);
    }
    Ok(command & (cmd::ZERO | cmd::ZERO_NUM) == 0)
}
