//! Race-safe transactions: read the generation, build a batch from what was
//! read, send it guarded by that generation, and start over when another
//! writer got in between.

use super::socket::{BatchOp, BatchReply, Conn};
use crate::error::{Error, Result};

/// How many times [`transact`] rebuilds a batch after a concurrent change.
pub const TXN_RETRIES: usize = 64;

/// Run one atomic change. `build` gets the connection (to read what it
/// needs) and the generation id its reads must be consistent with, and
/// returns the operations; they are sent in one batch carrying that id. If
/// the ruleset changed meanwhile ([`Error::GenerationChanged`]), everything
/// is re-read and rebuilt, up to [`TXN_RETRIES`] times. An empty batch is not
/// sent.
pub fn transact<F>(conn: &mut Conn, mut build: F) -> Result<BatchReply>
where
    F: FnMut(&mut Conn, u32) -> Result<Vec<BatchOp>>,
{
    for _ in 0..TXN_RETRIES {
        let genid = conn.generation()?;
        let ops = match build(conn, genid) {
            Ok(ops) => ops,
            Err(Error::GenerationChanged) => continue,
            Err(e) => return Err(e),
        };
        if ops.is_empty() {
            return Ok(BatchReply::default());
        }
        match conn.batch(&ops, Some(genid)) {
            Err(Error::GenerationChanged) => continue,
            other => return other,
        }
    }
    Err(Error::GenerationChanged)
}
