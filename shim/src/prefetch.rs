//! Reading the kernel while a `--noflush` restore's lines are parsed: when
//! a table's input declares its chains before its first rule line (as
//! kube-proxy writes it) and declares only a few of them (a partial sync),
//! their rules are dumped on a thread of their own, with their comparison
//! keys, while the main thread parses the rule lines. The incremental path
//! ([`crate::noflush`]) uses the result only if the generation it was read
//! at is still the kernel's when the table is committed.

use crate::noflush::{dump_held, HeldRule};
use nftwire::iptables::Family;
use nftwire::netlink::Conn;
use std::collections::HashMap;
use std::thread::JoinHandle;

/// Above this many declared chains nothing is read ahead: the incremental
/// path reads them in parallel parts itself, and holding every rule of a
/// whole table until the commit costs more memory than it saves time.
pub const MAX_CHAINS: usize = 64;

/// The declared chains' rules as read ahead, at one generation.
pub struct Prefetched {
    /// The generation every read saw.
    pub generation: u32,
    /// Each declared chain's rules (empty for a chain that does not exist).
    pub chains: HashMap<String, Vec<HeldRule>>,
}

/// A read ahead under way.
pub struct Prefetch(JoinHandle<Option<Prefetched>>);

impl Prefetch {
    /// Start reading the rules of `chains` of `table`, or nothing when
    /// there are none or too many, or no connection or thread is to be had
    /// (the incremental path then reads them itself).
    pub fn start(family: Family, table: &str, chains: Vec<String>) -> Option<Prefetch> {
        if chains.is_empty() || chains.len() > MAX_CHAINS {
            return None;
        }
        // Opened here, in this thread's network namespace.
        let mut conn = Conn::open().ok()?;
        let fam = family.nfproto();
        let table = table.to_string();
        std::thread::Builder::new()
            .spawn(move || {
                let generation = conn.generation().ok()?;
                let mut read = HashMap::with_capacity(chains.len());
                for c in chains {
                    // keys are computed when compared, off this thread
                    let h = dump_held(&mut conn, fam, &table, &c, false).ok()?;
                    read.insert(c, h);
                }
                (conn.generation().ok()? == generation).then_some(Prefetched {
                    generation,
                    chains: read,
                })
            })
            .ok()
            .map(Prefetch)
    }

    /// The rules read, if every read succeeded within one generation.
    pub fn join(self) -> Option<Prefetched> {
        self.0.join().ok().flatten()
    }
}
