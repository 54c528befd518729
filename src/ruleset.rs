//! A whole ruleset read in one consistent snapshot, and applied back in one
//! atomic batch.

use crate::consts::msg;
use crate::error::{Error, Result};
use crate::netlink::{BatchOp, Conn, NfMsg};
use crate::nla::Writer;
use crate::object::element::SetElemsAttrs;
use crate::object::{parse_msgs as parse_all, selector};
use crate::object::{Chain, Flowtable, Object, Rule, Set, SetElem, SetElemList, SetElems, Table};
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
        let body = table.map(|t| selector(&[(1, t)])).unwrap_or_default();
        let mut tables: Vec<Table> =
            parse_all(conn.dump(msg::GETTABLE, family, Vec::new())?, msg::NEWTABLE)?;
        if let Some(t) = table {
            tables.retain(|x| x.name() == t);
        }
        let chains: Vec<Chain> = parse_all(
            conn.dump(msg::GETCHAIN, family, body.clone())?,
            msg::NEWCHAIN,
        )?;
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
        // One rule dump per chain: the kernel resumes a dump by walking from
        // the start again, so a single dump of a big ruleset is quadratic,
        // while per-chain dumps are linear (iptables-nft-save does the same).
        // Chains come in the kernel's table/chain order, which is also the
        // order of an unfiltered rule dump.
        let mut rules: Vec<Rule> = Vec::new();
        for c in &chains {
            let b = selector(&[(1, c.table()), (2, c.name())]);
            let msgs = conn.dump(msg::GETRULE, c.family, b)?;
            rules.extend(parse_all::<crate::object::RuleAttrs>(msgs, msg::NEWRULE)?);
        }
        let _ = body;
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
    /// objects, flowtables, named sets with elements (after the objects and
    /// chains their elements may refer to), then rules in chain order, with
    /// each anonymous set right before the rule that binds it and the rules
    /// of each bound chain (`jump { ... }`, which accepts no rules once
    /// bound) right before the rule that jumps to it. Read-only attributes
    /// (handles, use counts, positions, element counts and expirations, the
    /// table owner) are left out, and `NFTA_RULE_COMPAT`, which the kernel
    /// does not dump, is inferred for rules with xt expressions. Elements of
    /// sets without the interval flag are sorted (the kernel's hash order is
    /// random), so the same ruleset always gives the same batch. This is
    /// also what [`crate::save`] writes.
    pub fn create_ops(&self) -> Vec<BatchOp> {
        self.create_ops_indexed().0
    }

    /// [`Ruleset::create_ops`], plus for each op the index in `self.rules`
    /// of the rule it creates (None for other objects), so callers can show
    /// the typed rule beside its message without decoding it again.
    pub fn create_ops_indexed(&self) -> (Vec<BatchOp>, Vec<Option<usize>>) {
        let mut e = Emitter {
            rs: self,
            ops: Vec::new(),
            next_set_id: 0,
            anon_done: std::collections::HashSet::new(),
            rule_done: vec![false; self.rules.len()],
            by_chain: std::collections::HashMap::new(),
            source: Vec::new(),
            bound: self
                .chains
                .iter()
                .filter(|c| c.attrs.flags.unwrap_or(0) & CHAIN_BINDING != 0)
                .map(|c| (c.family, c.table(), c.name()))
                .collect(),
            anon: self
                .sets
                .iter()
                .enumerate()
                .filter(|(_, s)| s.set.is_anonymous())
                .map(|(i, s)| ((s.set.family, s.set.table(), s.set.name()), i))
                .collect(),
        };
        for (i, r) in self.rules.iter().enumerate() {
            e.by_chain
                .entry((r.family, r.table(), r.chain()))
                .or_default()
                .push(i);
        }
        for t in &self.tables {
            let mut t = t.clone();
            t.attrs.handle = None;
            t.attrs.use_count = None;
            t.attrs.owner = None;
            if let Some(f) = t.attrs.flags.as_mut() {
                *f &= !2; // owner flag needs the owner's socket
            }
            e.ops.push(creation_op(t.to_msg(msg::NEWTABLE, 0)));
        }
        for c in &self.chains {
            let mut c = c.clone();
            c.attrs.handle = None;
            c.attrs.use_count = None;
            e.ops.push(creation_op(c.to_msg(msg::NEWCHAIN, 0)));
        }
        for o in &self.objects {
            let mut o = o.clone();
            o.attrs.handle = None;
            o.attrs.use_count = None;
            e.ops.push(creation_op(o.to_msg(msg::NEWOBJ, 0)));
        }
        for f in &self.flowtables {
            let mut f = f.clone();
            f.attrs.handle = None;
            f.attrs.use_count = None;
            e.ops.push(creation_op(f.to_msg(msg::NEWFLOWTABLE, 0)));
        }
        for sw in self.sets.iter().filter(|s| !s.set.is_anonymous()) {
            e.set(sw);
        }
        for i in 0..self.rules.len() {
            e.rule(i, 0);
        }
        e.source.resize(e.ops.len(), None);
        (e.ops, e.source)
    }
}

/// `NFT_CHAIN_BINDING`: a chain bound to the one rule that jumps to it.
const CHAIN_BINDING: u32 = 4;

/// State of [`Ruleset::create_ops`] while it emits rules.
struct Emitter<'a> {
    rs: &'a Ruleset,
    ops: Vec<BatchOp>,
    next_set_id: u32,
    anon_done: std::collections::HashSet<(u8, &'a str, &'a str)>,
    rule_done: Vec<bool>,
    by_chain: std::collections::HashMap<(u8, &'a str, &'a str), Vec<usize>>,
    /// Chains with the binding flag.
    bound: std::collections::HashSet<(u8, &'a str, &'a str)>,
    /// Anonymous sets by (family, table, name), as indexes into `rs.sets`.
    anon: std::collections::HashMap<(u8, &'a str, &'a str), usize>,
    /// Per op: the index of the rule it creates.
    source: Vec<Option<usize>>,
}

impl<'a> Emitter<'a> {
    /// A set and its elements. The kernel requires NFTA_SET_ID (a
    /// transaction-local id) in NEWSET; it is not dumped, so sets are
    /// numbered in batch order.
    fn set(&mut self, sw: &SetWithElems) {
        let mut s = sw.set.clone();
        s.attrs.handle = None;
        s.attrs.count = None;
        s.attrs.backend = None;
        if s.attrs.id.is_none() {
            self.next_set_id += 1;
            s.attrs.id = Some(self.next_set_id);
        }
        self.ops.push(creation_op(s.to_msg(msg::NEWSET, 0)));
        for m in element_msgs(sw) {
            self.ops.push(creation_op(m.to_msg(msg::NEWSETELEM, 0)));
        }
    }

    /// Rule `i`, after the bound chains it jumps to and the anonymous sets
    /// it uses.
    fn rule(&mut self, i: usize, depth: usize) {
        let rs = self.rs;
        if self.rule_done[i] {
            return;
        }
        self.rule_done[i] = true;
        let r = &rs.rules[i];
        if depth < 64 {
            for target in jump_targets(r) {
                if !self.bound.contains(&(r.family, r.table(), target)) {
                    continue;
                }
                let key = (r.family, r.table(), target);
                let list = self.by_chain.get(&key).cloned().unwrap_or_default();
                for j in list {
                    self.rule(j, depth + 1);
                }
            }
        }
        for name in referenced_sets(r) {
            if let Some(&k) = self.anon.get(&(r.family, r.table(), name.as_str())) {
                let sw = &rs.sets[k];
                if self.anon_done.insert((r.family, r.table(), sw.set.name())) {
                    self.set(sw);
                }
            }
        }
        let mut r = r.clone();
        r.attrs.handle = None;
        r.attrs.position = None;
        if r.attrs.compat.is_none() {
            r.attrs.compat = crate::compat::infer_compat(&r);
        }
        if let Some(l) = r.attrs.exprs.as_mut() {
            l.0.iter_mut().for_each(undump_expr);
        }
        self.ops.push(creation_op(r.to_msg(msg::NEWRULE, 0)));
        self.source.resize(self.ops.len() - 1, None);
        self.source.push(Some(i));
    }
}

/// Chains a rule jumps or goes to (verdict immediates).
fn jump_targets(r: &Rule) -> Vec<&str> {
    r.exprs()
        .iter()
        .filter_map(|e| match e {
            crate::expr::Expr::Immediate(i) => i
                .data
                .as_ref()
                .and_then(|d| d.verdict.as_ref())
                .and_then(|v| v.chain.as_deref()),
            _ => None,
        })
        .collect()
}

/// Undo the few places where the kernel dumps an expression attribute that
/// its own create path rejects (only zero values, which mean the same as
/// absent, are removed):
/// * `osf` dumps `NFTA_OSF_FLAGS` 0 but accepts only `NFT_OSF_F_VERSION`;
/// * `exthdr` writes (`tcp option ... set`) dump `NFTA_EXTHDR_FLAGS` 0 but
///   refuse any flags, and TCP option removal (`tcp option ... reset`) also
///   dumps offset and length 0 but refuses them.
fn undump_expr(e: &mut crate::expr::Expr) {
    use crate::expr::exthdr::ExthdrOp;
    use crate::expr::Expr;
    match e {
        Expr::Osf(o) if o.flags == Some(0) => o.flags = None,
        Expr::Exthdr(x) if x.dreg.is_none() => {
            if x.flags == Some(0) {
                x.flags = None;
            }
            if x.sreg.is_none() && x.op == Some(ExthdrOp::TcpOpt) {
                if x.offset == Some(0) {
                    x.offset = None;
                }
                if x.len == Some(0) {
                    x.len = None;
                }
            }
        }
        _ => {}
    }
}

/// Largest element payload put in one `NEWSETELEM` message by
/// [`Ruleset::create_ops`] (the element list is a nested attribute, whose
/// length must fit in 16 bits).
pub const ELEMS_PER_MSG_BYTES: usize = 32 * 1024;

/// The element messages that recreate a set's elements: expirations
/// removed; for sets without the interval flag, all elements sorted by
/// their encoding and regrouped into messages of at most
/// [`ELEMS_PER_MSG_BYTES`]. Messages nftwire cannot decode element by
/// element are kept as dumped.
fn element_msgs(sw: &SetWithElems) -> Vec<SetElems> {
    let strip = |e: &SetElems| {
        let mut e = e.clone();
        if let Some(l) = e.attrs.elems.as_mut() {
            for el in l.0.iter_mut() {
                el.expiration = None;
            }
        }
        e
    };
    let regular = sw
        .elems
        .iter()
        .all(|e| e.attrs.extra().is_empty() && e.attrs.elems.is_some());
    let first = match sw.elems.first() {
        Some(f) if regular => f,
        _ => return sw.elems.iter().map(strip).collect(),
    };
    let mut all: Vec<(Vec<u8>, SetElem)> = sw
        .elems
        .iter()
        .flat_map(|e| e.attrs.elems.iter().flat_map(|l| l.0.iter()))
        .map(|el| {
            let mut el = el.clone();
            el.expiration = None;
            (el.to_bytes(), el)
        })
        .collect();
    if sw.set.attrs.flags.unwrap_or(0) & crate::object::set::SET_INTERVAL == 0 {
        all.sort_by(|a, b| a.0.cmp(&b.0));
    }
    let mut out = Vec::new();
    let mut chunk: Vec<SetElem> = Vec::new();
    let mut size = 0usize;
    let flush = |chunk: &mut Vec<SetElem>, out: &mut Vec<SetElems>| {
        let mut m = first.clone();
        m.attrs.elems = Some(SetElemList(std::mem::take(chunk)));
        out.push(m);
    };
    for (enc, el) in all {
        let n = crate::nla::align(enc.len() + crate::nla::NLA_HDRLEN);
        if !chunk.is_empty() && size + n > ELEMS_PER_MSG_BYTES {
            flush(&mut chunk, &mut out);
            size = 0;
        }
        size += n;
        chunk.push(el);
    }
    if !chunk.is_empty() {
        flush(&mut chunk, &mut out);
    }
    out
}

/// The batch operation that creates an object from its `NEW*` message: the
/// `NLM_F_CREATE` flag (and `NLM_F_APPEND` for rules) is added, and the
/// operation and object are named the way batch errors report them
/// (`CHAIN_ADD`, `chain INPUT (table ip filter)`).
pub fn creation_op(mut m: NfMsg) -> BatchOp {
    let name = |a: u16| crate::save::quote_name(crate::save::body_name(&m.body, a).as_deref());
    let table = format!("table {} {}", crate::object::family_name(m.family), name(1));
    let (op, what, flags) = match m.msg() {
        msg::NEWTABLE => ("TABLE_ADD", table, NLM_F_CREATE),
        msg::NEWCHAIN => (
            "CHAIN_ADD",
            format!("chain {} ({table})", name(3)),
            NLM_F_CREATE,
        ),
        msg::NEWSET => (
            "SET_ADD",
            format!("set {} ({table})", name(2)),
            NLM_F_CREATE,
        ),
        msg::NEWSETELEM => (
            "SETELEM_ADD",
            format!("elements of set {} ({table})", name(2)),
            NLM_F_CREATE,
        ),
        msg::NEWOBJ => (
            "OBJ_ADD",
            format!("obj {} ({table})", name(2)),
            NLM_F_CREATE,
        ),
        msg::NEWFLOWTABLE => (
            "FLOWTABLE_ADD",
            format!("flowtable {} ({table})", name(2)),
            NLM_F_CREATE,
        ),
        msg::NEWRULE => (
            "RULE_APPEND",
            format!("rule in chain {} ({table})", name(2)),
            NLM_F_CREATE | NLM_F_APPEND,
        ),
        other => (msg::name(other), String::new(), 0),
    };
    m.flags |= flags;
    BatchOp {
        msg: m,
        op: op.into(),
        what,
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
