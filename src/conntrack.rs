//! Conntrack over ctnetlink: dump the connection tracking table and follow
//! its events, decoded into [`Entry`] values.
//!
//! Messages are decoded with `netlink-packet-netfilter`'s conntrack types
//! (tuples, TCP state, status, timeout, mark); what that crate leaves as
//! opaque attributes (counters, id, zone, ICMP tuple fields) is read in
//! [`extra`], the one place nftwire extends it.
//!
//! * [`entry`]: the typed view of one conntrack entry, and its NAT in words.
//! * [`extra`]: attributes the crate does not type.

pub mod entry;
pub mod extra;

pub use entry::{Counters, Endpoints, Entry, EventKind, Nat};

use crate::error::{Error, Result};
use crate::netlink::Conn;
use bytes::Bytes;

/// `NFNL_SUBSYS_CTNETLINK`.
pub const NFNL_SUBSYS_CTNETLINK: u16 = 1;
/// `IPCTNL_MSG_CT_GET`.
pub const IPCTNL_MSG_CT_GET: u16 = 1;
/// `NFNLGRP_CONNTRACK_NEW`, `_UPDATE`, `_DESTROY`.
pub const NFNLGRP_CONNTRACK: [u32; 3] = [1, 2, 3];

/// A message that could not be decoded (kept for the caller to report).
#[derive(Clone, Debug)]
pub struct Undecodable {
    /// Full netlink message type.
    pub ty: u16,
    /// Why.
    pub reason: String,
}

/// Dump the conntrack table of the current network namespace (`family` 0
/// for all, or `AF_INET`/`AF_INET6`). Entries that do not decode are
/// returned apart, never dropped silently.
pub fn dump(family: u8) -> Result<(Vec<Entry>, Vec<Undecodable>)> {
    let mut conn = Conn::open()?;
    let mut out = Vec::new();
    let mut bad = Vec::new();
    let ty = (NFNL_SUBSYS_CTNETLINK << 8) | IPCTNL_MSG_CT_GET;
    conn.dump_subsys(ty, family, Bytes::new(), &mut |msgs| {
        for r in msgs {
            match r.to_nf().ok_or_else(|| "short message".to_string()) {
                Ok(m) => match Entry::decode(&m) {
                    Ok(e) => out.push(e),
                    Err(reason) => bad.push(Undecodable { ty: r.ty, reason }),
                },
                Err(reason) => bad.push(Undecodable { ty: r.ty, reason }),
            }
        }
        true
    })
    .map_err(|e| match e {
        Error::Kernel { errno: 1 | 13, .. } => Error::Permission(
            "cannot read the conntrack table: permission denied (you must be root)".into(),
        ),
        other => other,
    })?;
    Ok((out, bad))
}

/// A subscription to conntrack events (new, updated, destroyed entries).
pub struct Watch {
    conn: Conn,
}

impl Watch {
    /// Subscribe in the current network namespace.
    pub fn open() -> Result<Watch> {
        let mut conn = Conn::open()?;
        for g in NFNLGRP_CONNTRACK {
            conn.join_group(g)?;
        }
        Ok(Watch { conn })
    }

    /// Block until the next events arrive; each is an entry or a message
    /// that did not decode.
    pub fn next_events(&mut self) -> Result<Vec<std::result::Result<Entry, Undecodable>>> {
        let msgs = self.conn.recv_msgs()?;
        Ok(msgs
            .into_iter()
            .filter(|r| r.ty >> 8 == NFNL_SUBSYS_CTNETLINK)
            .map(|r| {
                r.to_nf()
                    .ok_or_else(|| "short message".to_string())
                    .and_then(|m| Entry::decode(&m))
                    .map_err(|reason| Undecodable { ty: r.ty, reason })
            })
            .collect())
    }
}
