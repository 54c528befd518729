//! The table engine of the `arptables` and `ebtables` tools: a snapshot of
//! one table of the `arp` or `bridge` family (its chains and every rule,
//! each read as the tool's own rule or as a foreign one), the changes a
//! command makes to it as one batch, and the generation-guarded commit
//! that rebuilds the batch when another writer got in between.

pub mod args;
pub mod listing;
pub mod rename;
pub mod restore_lines;
pub mod save;
pub mod snapshot;
pub mod zero;

pub use snapshot::{SnapChain, Snapshot};

use crate::model::MResult;
use crate::run::{connect, fail};
use nftwire::iptables::tables::BuiltinTable;
use nftwire::iptables::{IptError, Result};

thread_local! {
    /// The restore input line being applied (errors found while applying a
    /// table's lines at its commit name it, as 1.8.11 does).
    pub static RESTORE_LINE: std::cell::Cell<Option<usize>> = const { std::cell::Cell::new(None) };
    /// The restore input line whose command failed while its table was
    /// applied (a check made when the rule is built): 1.8.11 names that
    /// line rather than the `COMMIT` line.
    pub static FAILED_LINE: std::cell::Cell<Option<usize>> = const { std::cell::Cell::new(None) };
}

/// The `arptables`/`ebtables` tool: print the text `head` says to print
/// instead (`-V`, `-h`), or look up the table it names, connect and run
/// the command on a snapshot of that table (see [`snapshot::transact`]);
/// the exit status.
pub fn run_tool<R: Clone, P>(
    prog: &str,
    family: u8,
    parsed: Result<P>,
    head: fn(&P) -> (Option<&str>, &str),
    lookup: fn(&str) -> Option<&'static BuiltinTable>,
    decode: snapshot::Decoder<R>,
    exec: fn(&mut Snapshot<R>, &P, &mut String) -> MResult<()>,
) -> i32 {
    let p = match parsed {
        Ok(p) => p,
        Err(e) => return fail(&e, prog, None),
    };
    let (stdout, table) = head(&p);
    if let Some(s) = stdout {
        print!("{s}");
        return 0;
    }
    let Some(t) = lookup(table) else {
        let e = IptError::version(format!("table '{table}' does not exist"));
        return fail(&e, prog, None);
    };
    let mut conn = match connect() {
        Ok(c) => c,
        Err(e) => return fail(&e, prog, None),
    };
    match snapshot::transact(&mut conn, family, t, decode, |s, out| exec(s, &p, out)) {
        Ok((out, warnings)) => {
            print!("{out}");
            for w in warnings {
                eprintln!("{w}");
            }
            0
        }
        Err(e) => fail(&e, prog, None),
    }
}
