//! The listing part of an `arptables`/`ebtables` command: `-L` or `-S`,
//! alone or with `-Z`.

use super::Snapshot;
use crate::model::{MResult, ModelErr};
use crate::parse::cmd;

/// Print the listing `command` asks for (`listers[0]` for `-L`,
/// `listers[1]` for `-S`, given the tool's parsed command `p`) after the
/// snapshot's tainted note, refusing with `no_chain` a `chain` that exists
/// neither in the table nor as a built-in one. `Ok(true)` when the command
/// is done (a listing without `-Z`).
pub fn run_listing<R: Clone, P>(
    s: &Snapshot<R>,
    p: &P,
    (command, chain): (u32, Option<&str>),
    out: &mut String,
    no_chain: ModelErr,
    listers: [fn(&Snapshot<R>, &P, &mut String); 2],
) -> MResult<bool> {
    if command & (cmd::LIST | cmd::LIST_RULES) == 0 {
        return Ok(false);
    }
    if let Some(c) = chain {
        if s.chain(c).is_none() && s.builtin.chain(c).is_none() {
            return Err(no_chain);
        }
    }
    out.push_str(&s.tainted_note());
    let [list, list_rules] = listers;
    if command & cmd::LIST != 0 {
        list(s, p, out);
    } else {
        list_rules(s, p, out);
    }
    Ok(command & (cmd::ZERO | cmd::ZERO_NUM) == 0)
}
