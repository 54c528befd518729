//! Grouping of nf_tables events into transactions: the kernel sends every
//! object notification of a commit, then one `NFT_MSG_NEWGEN` naming the new
//! generation and the process that committed it.

use super::{Event, EventObject};
use crate::object::GenAttrs;

/// The process that committed a transaction, as `NFT_MSG_NEWGEN` names it
/// (`NFTA_GEN_PROC_PID`, `NFTA_GEN_PROC_NAME`: the kernel's `comm`, at most
/// 15 bytes).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Committer {
    /// Process id (0 when the message had none).
    pub pid: u32,
    /// Command name (`?` when the message had none).
    pub name: String,
}

/// One committed transaction: its object events and its generation.
#[derive(Clone, Debug, PartialEq)]
pub struct Transaction {
    /// The generation id the commit produced (0 when absent).
    pub generation: u32,
    /// Who committed it.
    pub committer: Committer,
    /// The object events, in the order the kernel sent them.
    pub events: Vec<Event>,
}

/// Collects events until a generation message closes the transaction.
#[derive(Default, Debug)]
pub struct TxnBuilder {
    pending: Vec<Event>,
}

impl TxnBuilder {
    /// An empty builder.
    pub fn new() -> TxnBuilder {
        TxnBuilder::default()
    }

    /// Add one event; returns the transaction it closes, if it is a
    /// generation message.
    pub fn push(&mut self, e: Event) -> Option<Transaction> {
        match &e.object {
            EventObject::Generation(g) => Some(self.close(g)),
            _ => {
                self.pending.push(e);
                None
            }
        }
    }

    fn close(&mut self, g: &GenAttrs) -> Transaction {
        Transaction {
            generation: g.id.unwrap_or(0),
            committer: Committer {
                pid: g.proc_pid.unwrap_or(0),
                name: g.proc_name.clone().unwrap_or_else(|| "?".to_string()),
            },
            events: std::mem::take(&mut self.pending),
        }
    }
}
