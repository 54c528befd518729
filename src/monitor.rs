//! Monitoring: decode the nf_tables event stream (`NFNLGRP_NFTABLES`), the
//! same notifications `nft monitor` shows, into typed objects.
//!
//! * [`txn`]: events grouped into committed transactions, with the process
//!   that committed each.
//! * [`fight`]: detection of processes that keep undoing each other's rules.

pub mod fight;
pub mod txn;

pub use fight::{Fight, FightDetector};
pub use txn::{Committer, Transaction, TxnBuilder};

use crate::consts::msg;
use crate::error::Result;
use crate::netlink::{Conn, NfMsg};
use crate::object::{
    element::SetElemsAttrs, ChainAttrs, FlowtableAttrs, GenAttrs, Obj, ObjectAttrs, RuleAttrs,
    SetAttrs, TableAttrs,
};

/// What an event carries.
#[derive(Clone, Debug, PartialEq)]
pub enum EventObject {
    /// A table.
    Table(Obj<TableAttrs>),
    /// A chain.
    Chain(Obj<ChainAttrs>),
    /// A rule.
    Rule(Obj<RuleAttrs>),
    /// A set.
    Set(Obj<SetAttrs>),
    /// Set elements.
    Elements(Obj<SetElemsAttrs>),
    /// A stateful object.
    Object(Obj<ObjectAttrs>),
    /// A flowtable.
    Flowtable(Obj<FlowtableAttrs>),
    /// The end of a transaction, with the new generation id.
    Generation(GenAttrs),
    /// A message nftwire does not type (kept whole).
    Other(NfMsg),
}

/// One nf_tables event.
#[derive(Clone, Debug, PartialEq)]
pub struct Event {
    /// True for NEW*, false for DEL* (and for other messages).
    pub added: bool,
    /// The message type (`NFT_MSG_*`).
    pub msg_type: u16,
    /// The decoded object.
    pub object: EventObject,
}

impl Event {
    /// Decode one notification. Never fails: anything malformed or unknown
    /// becomes [`EventObject::Other`].
    pub fn decode(m: NfMsg) -> Event {
        let t = m.msg();
        let added = matches!(
            t,
            msg::NEWTABLE
                | msg::NEWCHAIN
                | msg::NEWRULE
                | msg::NEWSET
                | msg::NEWSETELEM
                | msg::NEWOBJ
                | msg::NEWFLOWTABLE
                | msg::NEWGEN
        );
        let object = match t {
            msg::NEWTABLE | msg::DELTABLE => Obj::from_msg(&m).map(EventObject::Table),
            msg::NEWCHAIN | msg::DELCHAIN => Obj::from_msg(&m).map(EventObject::Chain),
            msg::NEWRULE | msg::DELRULE => Obj::from_msg(&m).map(EventObject::Rule),
            msg::NEWSET | msg::DELSET => Obj::from_msg(&m).map(EventObject::Set),
            msg::NEWSETELEM | msg::DELSETELEM => Obj::from_msg(&m).map(EventObject::Elements),
            msg::NEWOBJ | msg::DELOBJ => Obj::from_msg(&m).map(EventObject::Object),
            msg::NEWFLOWTABLE | msg::DELFLOWTABLE => Obj::from_msg(&m).map(EventObject::Flowtable),
            msg::NEWGEN => GenAttrs::parse(&m.body).map(EventObject::Generation),
            _ => None,
        }
        .unwrap_or_else(|| EventObject::Other(m.clone()));
        Event {
            added,
            msg_type: t,
            object,
        }
    }
}

/// A subscription to nf_tables events in the current network namespace.
pub struct Monitor {
    conn: Conn,
    builder: TxnBuilder,
    ready: std::collections::VecDeque<Transaction>,
}

impl Monitor {
    /// Subscribe.
    pub fn open() -> Result<Monitor> {
        let mut conn = Conn::open()?;
        conn.subscribe()?;
        Ok(Monitor {
            conn,
            builder: TxnBuilder::new(),
            ready: Default::default(),
        })
    }

    /// Block until the next batch of events arrives and return them.
    pub fn next_events(&mut self) -> Result<Vec<Event>> {
        let msgs = self.conn.recv_msgs()?;
        Ok(msgs
            .into_iter()
            .filter(|r| r.ty >> 8 == crate::consts::NFNL_SUBSYS_NFTABLES)
            .filter_map(|r| r.to_nf())
            .map(Event::decode)
            .collect())
    }

    /// Block until the next whole transaction has been committed and return
    /// it, with its generation and committer. Do not mix with
    /// [`Monitor::next_events`] on the same monitor.
    pub fn next_transaction(&mut self) -> Result<Transaction> {
        loop {
            if let Some(t) = self.ready.pop_front() {
                return Ok(t);
            }
            for e in self.next_events()? {
                if let Some(t) = self.builder.push(e) {
                    self.ready.push_back(t);
                }
            }
        }
    }
}
