//! `-E OLD NEW` of `arptables` and `ebtables`.

use super::Snapshot;
use crate::exec::msgs;
use crate::model::{MResult, ModelErr};

/// Rename user chain `chain` to `new`, refused (with the tool's `op`
/// error) when `new` exists or is built in, or `chain` does not exist or
/// is a base chain that is not built in (no chain to 1.8.11).
pub fn rename_chain<R: Clone>(
    s: &mut Snapshot<R>,
    chain: &str,
    new: &str,
    op: fn(&str) -> ModelErr,
) -> MResult<()> {
    if s.builtin.chain(new).is_some() || s.chain(new).is_some() {
        return Err(op("File exists"));
    }
    let builtin = s.builtin.chain(chain).is_some();
    if s.chain(chain)
        .is_none_or(|c| c.chain.attrs.hook.is_some() && !builtin)
    {
        return Err(op(msgs::NO_CHAIN));
    }
    s.rename_chain(chain, new);
    Ok(())
}
