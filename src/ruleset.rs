//! A whole ruleset read in one consistent snapshot, and applied back in one
//! atomic batch.

use crate::consts::msg;
use crate::error::{Error, Result};
use crate::netlink::{BatchOp, Conn, NfMsg};
use crate::nla::Writer;
use crate::object::{
    Chain, Flowtable, Kind, Obj, Object, Rule, Set, SetElems, Table,
};
use crate::object::element::SetElemsAttrs;
use netlink_packet_core::{NLM_F_APPEND, NLM_F_CREATE};

/// A set and its elements (element batches as the kernel dumped them).
#[derive(Clone, Debug, PartialEq)]
pub struct SetWithElems {
    /// The set.
    pub set: Set,
    /// Element messages (one per dump message).
    pub elems: Vec<SetElems>,
}

/// Everything in nf_tables for the selected families, in kernel order.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Ruleset {
    /// Generation id the snapshot was taken at.
    pub generation: u32,
    /// Tables.
    pub tables: Vec<Table>,
    /// Chains.
    pub chains: Vec<Chain>,
    /// Sets (named and anonymous) with their elements.
    pub sets: Vec<SetWithElems>,
    /// Stateful objects.
    pub objects: Vec<Object>,
    /// Flowtables.
    pub flowtables: Vec<Flowtable>,
    /// Rules, in chain order.
    pub rules: Vec<Rule>,
}

/// How many times a snapshot is retried when the generation moves.
const SNAPSHOT_RETRIES: usize = 32;

fn parse_all<T: Kind>(msgs: Vec<NfMsg>, want: u16) -> Result<Vec<Obj<T>>> {
    msgs.iter()
        .filter(|m| m.msg() == want)
        .map(|m| {
            Obj::<T>::from_msg(m).ok_or_else(|| {
                Error::Protocol(format!("malformed {} message from the kernel", msg::name(want)))
            })
        })
        .collect()
}

/// Body selecting a table (and optionally a chain) for filtered dumps.
fn filter_body(table: Option<&str>, chain: Option<&str>, chain_attr: u16) -> Vec<u8> {
    let mut w = Writer::new();
    if let Some(t) = table {
        w.put(1, &t.to_string());
    }
    if let Some(c) = chain {
        w.put(chain_attr, &c.to_string());
    }
    w.buf
}

impl Ruleset {
    /// Read everything of `family` (0 = all families) consistently: the
    /// snapshot is retried until the generation id is the same before and
    /// after all dumps.
    pub fn read(conn: &mut Conn, family: u8) -> Result<Ruleset> {
        Self::read_filtered(conn, family, None)
    }

    /// Like [`Ruleset::read`], restricted to one table name when given.
    pub fn read_filtered(conn: &mut Conn, family: u8, table: Option<&str>) -> Result<Ruleset> {
        for _ in 0..SNAPSHOT_RETRIES {
            let before = conn.generation()?;
            match Self::read_once(conn, family, table) {
                Ok(mut rs) => {
                    let after = conn.generation()?;
                    if after == before {
                        rs.generation = before;
                        return Ok(rs);
                    }
                }
                Err(Error::GenerationChanged) => {}
                Err(e) => return Err(e),
            }
        }
        Err(Error::GenerationChanged)
    }

    fn read_once(conn: &mut Conn, family: u8, table: Option<&str>) -> Result<Ruleset> {
        let body = filter_body(table, None, 0);
        let mut tables: Vec<Table> =
            parse_all(conn.dump(msg::GETTABLE, family, Vec::new())?, msg::NEWTABLE)?;
        if let Some(t) = table {
            tables.retain(|x| x.name() == t);
        }
        let chains: Vec<Chain> =
            parse_all(conn.dump(msg::GETCHAIN, family, body.clone())?, msg::NEWCHAIN)?;
        let sets: Vec<Set> = parse_all(conn.dump(msg::GETSET, family, body.clone())?, msg::NEWSET)?;
        let mut with = Vec::with_capacity(sets.len());
        for s in sets {
            let mut w = Writer::new();
            w.put(1, &s.table().to_string());
            w.put(2, &s.name().to_string());
            let elems: Vec<SetElems> = parse_all::<SetElemsAttrs>(
                conn.dump(msg::GETSETELEM, s.family, w.buf)?,
                msg::NEWSETELEM,
            )?;
            with.push(SetWithElems { set: s, elems });
        }
        let objects: Vec<Object> =
            parse_all(conn.dump(msg::GETOBJ, family, body.clone())?, msg::NEWOBJ)?;
        let flowtables: Vec<Flowtable> = match conn.dump(msg::GETFLOWTABLE, family, body.clone()) {
            Ok(m) => parse_all(m, msg::NEWFLOWTABLE)?,
            // Kernels without flowtable support answer EOPNOTSUPP/ENOENT.
            Err(Error::Kernel { errno, .. }) if errno == 95 || errno == 2 => Vec::new(),
            Err(e) => return Err(e),
        };
        let rules: Vec<Rule> = parse_all(conn.dump(msg::GETRULE, family, body)?, msg::NEWRULE)?;
        Ok(Ruleset {
            generation: 0,
            tables,
            chains,
            sets: with,
            objects,
            flowtables,
            rules,
        })
    }

    /// Rules of one chain, in order.
    pub fn chain_rules<'a>(
        &'a self,
        family: u8,
        table: &'a str,
        chain: &'a str,
    ) -> impl Iterator<Item = &'a Rule> + 'a {
        self.rules
            .iter()
            .filter(move |r| r.family == family && r.table() == table && r.chain() == chain)
    }

    /// The batch that creates this ruleset from nothing: tables, chains,
    /// named sets with elements, objects, flowtables, then rules (anonymous
    /// sets right before the rule that binds them). Read-only attributes
    /// (handles, use counts, positions, element counts) are left out.
    pub fn create_ops(&self) -> Vec<BatchOp> {
        let mut ops = Vec::new();
        let create = NLM_F_CREATE;
        for t in &self.tables {
            let mut t = t.clone();
            t.attrs.handle = None;
            t.attrs.use_count = None;
            t.attrs.owner = None;
            if let Some(f) = t.attrs.flags.as_mut() {
                *f &= !2; // owner flag needs the owner's socket
            }
            ops.push(BatchOp {
                op: "TABLE_ADD".into(),
                what: format!("table {}", t.name()),
                msg: t.to_msg(msg::NEWTABLE, create),
            });
        }
        for c in &self.chains {
            let mut c = c.clone();
            c.attrs.handle = None;
            c.attrs.use_count = None;
            ops.push(BatchOp {
                op: "CHAIN_ADD".into(),
                what: format!("chain {}", c.name()),
                msg: c.to_msg(msg::NEWCHAIN, create),
            });
        }
        // The kernel requires a transaction-local NFTA_SET_ID on NEWSET.
        let next_id = std::cell::Cell::new(0u32);
        let strip_set = |s: &Set| {
            let mut s = s.clone();
            next_id.set(next_id.get() + 1);
            s.attrs.id = Some(next_id.get());
            s.attrs.handle = None;
            s.attrs.count = None;
            s.attrs.backend = None;
            s
        };
        let elem_ops = |sw: &SetWithElems, ops: &mut Vec<BatchOp>| {
            for e in &sw.elems {
                let mut e = e.clone();
                if let Some(l) = e.attrs.elems.as_mut() {
                    for el in l.0.iter_mut() {
                        el.expiration = None;
                    }
                }
                ops.push(BatchOp {
                    op: "SETELEM_ADD".into(),
                    what: format!("set {}", sw.set.name()),
                    msg: e.to_msg(msg::NEWSETELEM, create),
                });
            }
        };
        for sw in self.sets.iter().filter(|s| !s.set.is_anonymous()) {
            ops.push(BatchOp {
                op: "SET_ADD".into(),
                what: format!("set {}", sw.set.name()),
                msg: strip_set(&sw.set).to_msg(msg::NEWSET, create),
            });
            elem_ops(sw, &mut ops);
        }
        for o in &self.objects {
            let mut o = o.clone();
            o.attrs.handle = None;
            o.attrs.use_count = None;
            ops.push(BatchOp {
                op: "OBJ_ADD".into(),
                what: format!("obj {}", o.name()),
                msg: o.to_msg(msg::NEWOBJ, create),
            });
        }
        for f in &self.flowtables {
            let mut f = f.clone();
            f.attrs.handle = None;
            f.attrs.use_count = None;
            ops.push(BatchOp {
                op: "FLOWTABLE_ADD".into(),
                what: format!("flowtable {}", f.name.as_deref().unwrap_or("")),
                msg: f.to_msg(msg::NEWFLOWTABLE, create),
            });
        }
        let mut anon_done = std::collections::HashSet::new();
        for r in &self.rules {
            // Anonymous sets used by this rule go right before it.
            for name in referenced_sets(r) {
                if let Some(sw) = self.sets.iter().find(|s| {
                    s.set.is_anonymous()
                        && s.set.family == r.family
                        && s.set.table() == r.table()
                        && s.set.name() == name
                }) {
                    if anon_done.insert((r.family, r.table().to_string(), name.clone())) {
                        ops.push(BatchOp {
                            op: "SET_ADD".into(),
                            what: format!("set {}", name),
                            msg: strip_set(&sw.set).to_msg(msg::NEWSET, create),
                        });
                        elem_ops(sw, &mut ops);
                    }
                }
            }
            let mut r = r.clone();
            r.attrs.handle = None;
            r.attrs.position = None;
            if r.attrs.compat.is_none() {
                r.attrs.compat = crate::compat::infer_compat(&r);
            }
            ops.push(BatchOp {
                op: "RULE_APPEND".into(),
                what: format!("rule in chain {}", r.chain()),
                msg: r.to_msg(msg::NEWRULE, create | NLM_F_APPEND),
            });
        }
        ops
    }
}

/// Names of sets a rule refers to (lookup and dynset expressions).
pub fn referenced_sets(r: &Rule) -> Vec<String> {
    let mut v = Vec::new();
    for e in r.exprs() {
        if let Some(n) = crate::expr::set_name_of(e) {
            v.push(n);
        }
    }
    v
}
