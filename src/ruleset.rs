//! A whole ruleset read in one consistent snapshot, and applied back in one
//! atomic batch.

use crate::consts::msg;
use crate::error::{Error, Result};
use crate::netlink::{BatchOp, Conn, NfMsg};
use crate::object::create_form;
use crate::object::{parse_msgs as parse_all, selector};
use crate::object::{Chain, Flowtable, Object, Rule, Set, SetElem, SetElemList, SetElems, Table};
use netlink_packet_core::{NLM_F_APPEND, NLM_F_CREATE};
use std::collections::HashMap;

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
pub const SNAPSHOT_RETRIES: usize = 32;

/// Chains per part when rule dumps are spread over several connections.
pub const CHAINS_PER_PART: usize = 64;

/// The rules of one chain (one `GETRULE` dump filtered by table and chain).
pub fn chain_rules(conn: &mut Conn, c: &Chain) -> Result<Vec<Rule>> {
    dump_chain_rules(conn, c)?
        .iter()
        .map(crate::object::decode_msg)
        .collect()
}

/// The rules of `chains`, in chain order, one dump per chain spread over
/// one connection per CPU (`netlink::parallel::ordered_chunks`).
pub fn rules_of(conn: &mut Conn, chains: &[&Chain]) -> Result<Vec<Rule>> {
    let mut rules: Vec<Rule> = Vec::new();
    crate::netlink::parallel::ordered_chunks(
        conn,
        chains.len(),
        CHAINS_PER_PART,
        |conn, range| {
            let mut v = Vec::new();
            for c in &chains[range] {
                v.extend(chain_rules(conn, c)?);
            }
            Ok(v)
        },
        |v| {
            rules.extend(v);
            Ok(())
        },
    )?;
    Ok(rules)
}

/// The rule messages of one chain as dumped, in order, not decoded.
pub fn dump_chain_rules(conn: &mut Conn, c: &Chain) -> Result<Vec<NfMsg>> {
    dump_rules_named(conn, c.family, c.table(), c.name())
}

/// [`dump_chain_rules`] of the chain `chain` of table `table` in `family`
/// (the kernel answers ENOENT when there is no such table or chain).
pub fn dump_rules_named(
    conn: &mut Conn,
    family: u8,
    table: &str,
    chain: &str,
) -> Result<Vec<NfMsg>> {
    let b = selector(&[(1, table), (2, chain)]);
    let mut msgs = conn.dump(msg::GETRULE, family, b)?;
    msgs.retain(|m| m.msg() == msg::NEWRULE);
    Ok(msgs)
}

/// The creation body of a dumped rule made straight from its dumped body
/// when that is exact: the same bytes as `prepare_rule` then encoding,
/// without encoding every expression again. `None` when the rule's wire
/// form is not canonical or an expression needs its dump form undone (the
/// caller then encodes).
/// With `keep_handle` the rule's handle stays (the save form, see
/// [`Ruleset::save_item_msgs`]).
pub fn creation_body(dumped: &[u8], r: &Rule, keep_handle: bool) -> Option<Vec<u8>> {
    use crate::nla::{SliceIter, NLA_TYPE_MASK};
    let a = &r.attrs;
    if !a.wire.is_plain() {
        return None;
    }
    // Expressions with a creation form of their own are encoded again.
    if r.exprs().iter().any(create_form::expr_may_change) {
        return None;
    }
    // NFTA_RULE_COMPAT goes right after the expressions, where encoding
    // puts it (the fields are declared in the kernel's order).
    let compat = match a.compat {
        Some(_) => None,
        None => crate::compat::infer_compat(r).map(|c| crate::object::RuleAttrs {
            compat: Some(c),
            ..Default::default()
        }),
    };
    let mut w = crate::nla::Writer::with_capacity(dumped.len() + 16);
    let mut it = SliceIter::new(dumped);
    for (ty, payload) in it.by_ref() {
        let k = ty & NLA_TYPE_MASK;
        if (k == 3 && !keep_handle) || k == 6 {
            continue; // handle, position: read-only
        }
        w.put_raw(ty, payload);
        if k == 4 {
            if let Some(only) = &compat {
                crate::object::Kind::write_body(only, &mut w);
            }
        }
    }
    (!it.malformed()).then_some(w.buf)
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
        let mut rs = Self::read_head(conn, family, table)?;
        // One rule dump per chain: the kernel resumes a dump by walking from
        // the start again, so a single dump of a big ruleset is quadratic,
        // while per-chain dumps are linear (iptables-nft-save does the same).
        // Chains come in the kernel's table/chain order, which is also the
        // order of an unfiltered rule dump. The chains are spread over one
        // connection per CPU.
        let chains: Vec<&Chain> = rs.chains.iter().collect();
        rs.rules = rules_of(conn, &chains)?;
        Ok(rs)
    }

    /// Everything but the rules (one dump per object kind, plus one element
    /// dump per set), with no consistency check of its own: callers bracket
    /// it, and whatever they read after it, with [`Conn::generation`].
    pub fn read_head(conn: &mut Conn, family: u8, table: Option<&str>) -> Result<Ruleset> {
        let body = table.map(|t| selector(&[(1, t)])).unwrap_or_default();
        let mut tables: Vec<Table> =
            parse_all(conn.dump(msg::GETTABLE, family, Vec::new())?, msg::NEWTABLE)?;
        if let Some(t) = table {
            tables.retain(|x| x.name() == t);
        }
        let chains: Vec<Chain> =
            crate::netlink::parallel::dump_objects(conn, family, body.clone())?;
        let sets: Vec<Set> = parse_all(conn.dump(msg::GETSET, family, body.clone())?, msg::NEWSET)?;
        let mut with = Vec::with_capacity(sets.len());
        for s in sets {
            let elems = crate::object::element::dump_elements(conn, s.family, s.table(), s.name())?;
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
        let _ = body;
        Ok(Ruleset {
            generation: 0,
            tables,
            chains,
            sets: with,
            objects,
            flowtables,
            rules: Vec::new(),
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

    /// The batch that creates this ruleset from nothing, in the order
    /// `nft -f` creates things (so handles come back for rulesets nft
    /// loaded in one go): tables, chains other than bound ones, objects,
    /// named sets with elements (after the objects and chains their
    /// elements may refer to), flowtables, then rules in chain order; before
    /// each rule, in the order of its expressions, each anonymous set it
    /// binds and each bound chain (`jump { ... }`, which accepts no rules
    /// once bound) it jumps to, with that chain's rules. Every object is in
    /// its creation form ([`create_form`]: read-only attributes left out,
    /// dumped forms the kernel refuses mapped, `NFTA_RULE_COMPAT` inferred
    /// for rules with xt expressions). Elements keep the kernel's order,
    /// except in hashed sets ([`hash_ordered`]), where they are sorted, so
    /// the same ruleset always gives the same batch. [`crate::save`] writes
    /// these blocks with handles ([`Ruleset::save_ops`]), and a restore
    /// creates them in handle order ([`crate::restore_plan`]), which brings
    /// the handles back for any ruleset.
    pub fn create_ops(&self) -> Vec<BatchOp> {
        let mut ops = Vec::new();
        for item in self.create_plan() {
            self.item_msgs(item, |m, _| ops.push(creation_op(m)));
        }
        ops
    }

    /// The order of [`Ruleset::create_ops`] as a list of what each step
    /// creates, without making any message (cheap; the messages are made by
    /// [`Ruleset::item_msgs`], which can run on several threads).
    pub fn create_plan(&self) -> Vec<CreateItem> {
        let mut e = Planner {
            rs: self,
            plan: Vec::with_capacity(
                self.tables.len() + self.chains.len() + self.sets.len() + self.rules.len(),
            ),
            anon_done: std::collections::HashSet::new(),
            rule_done: vec![false; self.rules.len()],
            by_chain: std::collections::HashMap::new(),
            bound: bound_chains(&self.chains),
            bound_done: std::collections::HashSet::new(),
            anon: anonymous_sets(&self.sets),
        };
        if !e.bound.is_empty() {
            for (i, r) in self.rules.iter().enumerate() {
                e.by_chain
                    .entry((r.family, r.table(), r.chain()))
                    .or_default()
                    .push(i);
            }
        }
        e.head();
        // The rules of bound chains come with the rule that jumps to them;
        // a bound chain nothing jumps to (only older kernels leave one) gets
        // its rules at the end.
        for i in 0..self.rules.len() {
            if !e.bound.is_empty() && e.is_bound(&self.rules[i]) {
                continue;
            }
            e.rule(i, 0);
        }
        for (ci, c) in self.chains.iter().enumerate() {
            if is_binding(c.attrs.flags) {
                e.bound_chain(ci, 0);
            }
        }
        for i in 0..self.rules.len() {
            e.rule(i, 0);
        }
        e.plan
    }

    /// The creation messages of one plan item (`NEW*` bodies; the batch
    /// flags are added by [`creation_op`]), handed to `each` with the index
    /// in `self.rules` of the rule a message creates (None for other
    /// objects), so callers can show the typed rule beside its message.
    pub fn item_msgs(&self, item: CreateItem, each: impl FnMut(NfMsg, Option<usize>)) {
        self.item_msgs_as(item, false, each)
    }

    /// [`Ruleset::item_msgs`] in save form: the same messages, but chains,
    /// sets, objects, flowtables and rules keep their handles, so
    /// that a restore can recreate them in handle order
    /// ([`crate::restore_plan`]). The handles are read-only to the kernel:
    /// a restore takes them out again ([`create_form::message`]).
    pub fn save_item_msgs(&self, item: CreateItem, each: impl FnMut(NfMsg, Option<usize>)) {
        self.item_msgs_as(item, true, each)
    }

    /// The messages of [`Ruleset::create_ops`] in save form
    /// ([`Ruleset::save_item_msgs`]): what [`crate::save`] writes, one
    /// operation per block. Not for sending (the kernel reads a handle in a
    /// `NEW*` request as "change the object with this handle").
    pub fn save_ops(&self) -> Vec<BatchOp> {
        let mut ops = Vec::new();
        for item in self.create_plan() {
            self.save_item_msgs(item, |m, _| ops.push(creation_op(m)));
        }
        ops
    }

    fn item_msgs_as(
        &self,
        item: CreateItem,
        keep_handles: bool,
        mut each: impl FnMut(NfMsg, Option<usize>),
    ) {
        let keep = |h: Option<u64>| if keep_handles { h } else { None };
        match item {
            CreateItem::Table(i) => {
                let mut t = self.tables[i].clone();
                // A table's handle comes from a per-namespace counter a
                // restore cannot set: it is not saved.
                create_form::table(&mut t);
                each(t.to_msg(msg::NEWTABLE, 0), None);
            }
            CreateItem::Chain(i) => {
                let mut c = self.chains[i].clone();
                create_form::chain(&mut c);
                c.attrs.handle = keep(self.chains[i].attrs.handle);
                each(c.to_msg(msg::NEWCHAIN, 0), None);
            }
            CreateItem::Object(i) => {
                let mut o = self.objects[i].clone();
                create_form::object(&mut o);
                o.attrs.handle = keep(self.objects[i].attrs.handle);
                each(o.to_msg(msg::NEWOBJ, 0), None);
            }
            CreateItem::Flowtable(i) => {
                let mut f = self.flowtables[i].clone();
                create_form::flowtable(&mut f);
                f.attrs.handle = keep(self.flowtables[i].attrs.handle);
                each(f.to_msg(msg::NEWFLOWTABLE, 0), None);
            }
            CreateItem::Set { index, id } => {
                let sw = &self.sets[index];
                let mut s = sw.set.clone();
                create_form::set(&mut s);
                s.attrs.handle = keep(sw.set.attrs.handle);
                if s.attrs.id.is_none() {
                    s.attrs.id = id;
                }
                each(s.to_msg(msg::NEWSET, 0), None);
                for m in element_msgs(sw) {
                    each(m.to_msg(msg::NEWSETELEM, 0), None);
                }
            }
            CreateItem::Rule(i) => {
                let mut r = self.rules[i].clone();
                prepare_rule(&mut r);
                r.attrs.handle = keep(self.rules[i].attrs.handle);
                each(r.to_msg(msg::NEWRULE, 0), Some(i));
            }
        }
    }

    /// [`Ruleset::create_ops`], plus for each op the index in `self.rules`
    /// of the rule it creates (None for other objects).
    pub fn create_ops_indexed(&self) -> (Vec<BatchOp>, Vec<Option<usize>>) {
        let (mut ops, mut source) = (Vec::new(), Vec::new());
        for item in self.create_plan() {
            self.item_msgs(item, |m, src| {
                ops.push(creation_op(m));
                source.push(src);
            });
        }
        (ops, source)
    }
}

/// One step of [`Ruleset::create_plan`]: what it creates, by index into the
/// ruleset's lists.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CreateItem {
    /// `tables[i]`.
    Table(usize),
    /// `chains[i]`.
    Chain(usize),
    /// `objects[i]`.
    Object(usize),
    /// `flowtables[i]`.
    Flowtable(usize),
    /// `sets[index]` and its elements; `id` is the `NFTA_SET_ID` it gets
    /// when the dump has none.
    Set {
        /// Index into `sets`.
        index: usize,
        /// Transaction-local set id.
        id: Option<u32>,
    },
    /// `rules[i]`.
    Rule(usize),
}

/// The anonymous sets of `sets` by (family, table, name), as indexes.
pub fn anonymous_sets(sets: &[SetWithElems]) -> HashMap<(u8, &str, &str), usize> {
    sets.iter()
        .enumerate()
        .filter(|(_, s)| s.set.is_anonymous())
        .map(|(i, s)| ((s.set.family, s.set.table(), s.set.name()), i))
        .collect()
}

/// The anonymous sets (indexes into the sets, as [`anonymous_sets`] maps
/// them) that a rule's expressions use, in expression order.
pub fn anonymous_sets_used(anon: &HashMap<(u8, &str, &str), usize>, r: &Rule) -> Vec<usize> {
    if anon.is_empty() {
        return Vec::new();
    }
    r.exprs()
        .iter()
        .filter_map(crate::expr::set_name_of)
        .filter_map(|name| anon.get(&(r.family, r.table(), name.as_str())).copied())
        .collect()
}

/// `NFT_CHAIN_BINDING`: a chain bound to the one rule that jumps to it.
const CHAIN_BINDING: u32 = 4;

/// The `NFTA_SET_ID` a set is created with. The kernel requires this
/// transaction-local id in `NEWSET` but does not dump it (nor check that it
/// is unique; it only matters to messages that refer to a set by id, which
/// a save never holds). A set without one gets a hash of its family, table
/// and name: the same however the batch is put together and after any
/// number of save/restore cycles, so saving is repeatable.
pub fn set_id(s: &Set) -> Option<u32> {
    if s.attrs.id.is_some() {
        return None;
    }
    // FNV-1a, 32 bits.
    let mut h: u32 = 0x811c_9dc5;
    let bytes = [s.family]
        .into_iter()
        .chain(s.table().bytes())
        .chain([0])
        .chain(s.name().bytes());
    for b in bytes {
        h ^= u32::from(b);
        h = h.wrapping_mul(0x0100_0193);
    }
    Some(h.max(1))
}

/// State of [`Ruleset::create_plan`] while it orders rules.
struct Planner<'a> {
    rs: &'a Ruleset,
    plan: Vec<CreateItem>,
    anon_done: std::collections::HashSet<usize>,
    rule_done: Vec<bool>,
    by_chain: std::collections::HashMap<(u8, &'a str, &'a str), Vec<usize>>,
    /// Chains with the binding flag, as indexes into `rs.chains`.
    bound: HashMap<(u8, &'a str, &'a str), usize>,
    /// Bound chains already planned.
    bound_done: std::collections::HashSet<usize>,
    /// Anonymous sets by (family, table, name), as indexes into `rs.sets`.
    anon: HashMap<(u8, &'a str, &'a str), usize>,
}

impl<'a> Planner<'a> {
    /// Everything but rules and bound chains, in nft's order
    /// ([`head_plan`]).
    fn head(&mut self) {
        self.plan.extend(head_plan(self.rs));
    }

    /// A set and its elements.
    fn set(&mut self, index: usize) {
        self.plan.push(CreateItem::Set {
            index,
            id: set_id(&self.rs.sets[index].set),
        });
    }

    fn is_bound(&self, r: &Rule) -> bool {
        self.bound.contains_key(&(r.family, r.table(), r.chain()))
    }

    /// Bound chain `ci`, then its rules.
    fn bound_chain(&mut self, ci: usize, depth: usize) {
        if !self.bound_done.insert(ci) {
            return;
        }
        self.plan.push(CreateItem::Chain(ci));
        let c = &self.rs.chains[ci];
        let list = self
            .by_chain
            .get(&(c.family, c.table(), c.name()))
            .cloned()
            .unwrap_or_default();
        for j in list {
            self.rule(j, depth + 1);
        }
    }

    /// Rule `i`, after what it needs created first ([`rule_prereqs`]).
    fn rule(&mut self, i: usize, depth: usize) {
        let rs = self.rs;
        if self.rule_done[i] {
            return;
        }
        self.rule_done[i] = true;
        for p in rule_prereqs(&rs.rules[i], &self.anon, &self.bound) {
            match p {
                Prereq::AnonSet(k) => {
                    if self.anon_done.insert(k) {
                        self.set(k);
                    }
                }
                Prereq::BoundChain(ci) if depth < 64 => self.bound_chain(ci, depth),
                Prereq::BoundChain(_) => {}
            }
        }
        self.plan.push(CreateItem::Rule(i));
    }
}

/// The first part of [`Ruleset::create_plan`], in the order `nft -f`
/// creates a table's contents (so the kernel hands out the same handles
/// for a ruleset nft loaded in one go): tables, chains other than bound
/// ones, objects, named sets with their elements, flowtables.
pub fn head_plan(rs: &Ruleset) -> Vec<CreateItem> {
    let mut plan = Vec::with_capacity(rs.tables.len() + rs.chains.len() + rs.sets.len());
    plan.extend((0..rs.tables.len()).map(CreateItem::Table));
    plan.extend(
        rs.chains
            .iter()
            .enumerate()
            .filter(|(_, c)| !is_binding(c.attrs.flags))
            .map(|(i, _)| CreateItem::Chain(i)),
    );
    plan.extend((0..rs.objects.len()).map(CreateItem::Object));
    for (k, sw) in rs.sets.iter().enumerate() {
        if !sw.set.is_anonymous() {
            plan.push(CreateItem::Set {
                index: k,
                id: set_id(&sw.set),
            });
        }
    }
    plan.extend((0..rs.flowtables.len()).map(CreateItem::Flowtable));
    plan
}

/// The bound chains (`jump { ... }`) of `chains` by (family, table, name),
/// as indexes.
pub fn bound_chains(chains: &[Chain]) -> HashMap<(u8, &str, &str), usize> {
    chains
        .iter()
        .enumerate()
        .filter(|(_, c)| is_binding(c.attrs.flags))
        .map(|(i, c)| ((c.family, c.table(), c.name()), i))
        .collect()
}

/// Something created right before the rule that needs it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Prereq {
    /// An anonymous set the rule uses (index into the sets).
    AnonSet(usize),
    /// A bound chain the rule jumps to (index into the chains); its rules
    /// come with it.
    BoundChain(usize),
}

/// What a rule needs created first, in the order nft creates it: its
/// expressions in order, each anonymous set it uses and each bound chain it
/// jumps to (nft evaluates the rule's statements in order, creating each
/// anonymous set and bound chain as it meets it).
pub fn rule_prereqs(
    r: &Rule,
    anon: &HashMap<(u8, &str, &str), usize>,
    bound: &HashMap<(u8, &str, &str), usize>,
) -> Vec<Prereq> {
    if anon.is_empty() && bound.is_empty() {
        return Vec::new();
    }
    let mut v = Vec::new();
    for e in r.exprs() {
        if let Some(name) = crate::expr::set_name_of(e) {
            if let Some(&k) = anon.get(&(r.family, r.table(), name.as_str())) {
                v.push(Prereq::AnonSet(k));
            }
        }
        if let Some(target) = jump_target(e) {
            if let Some(&ci) = bound.get(&(r.family, r.table(), target)) {
                v.push(Prereq::BoundChain(ci));
            }
        }
    }
    v
}

/// Turn a dumped rule into one that creates it
/// ([`create_form::rule`]).
pub fn prepare_rule(r: &mut Rule) {
    create_form::rule(r);
}

/// Whether `flags` (a chain's `NFTA_CHAIN_FLAGS`) mark a bound chain.
pub fn is_binding(flags: Option<u32>) -> bool {
    flags.unwrap_or(0) & CHAIN_BINDING != 0
}

/// Chains a rule jumps or goes to (verdict immediates).
pub fn jump_targets(r: &Rule) -> Vec<&str> {
    r.exprs().iter().filter_map(jump_target).collect()
}

/// The chain a verdict immediate jumps or goes to.
fn jump_target(e: &crate::expr::Expr) -> Option<&str> {
    match e {
        crate::expr::Expr::Immediate(i) => i
            .data
            .as_ref()
            .and_then(|d| d.verdict.as_ref())
            .and_then(|v| v.chain.as_deref()),
        _ => None,
    }
}

/// Largest element payload put in one `NEWSETELEM` message by
/// [`Ruleset::create_ops`] (the element list is a nested attribute, whose
/// length must fit in 16 bits).
pub const ELEMS_PER_MSG_BYTES: usize = 32 * 1024;

/// Whether the kernel keeps a set's elements in a hash table, whose dump
/// order comes from a random per-set seed: no interval flag, and a key
/// longer than two bytes, a map, timeout, dynamic or object flag, or set
/// expressions (anything else is a bitmap, an rbtree or pipapo, whose
/// order depends only on the elements).
pub fn hash_ordered(s: &Set) -> bool {
    use crate::object::set::SET_INTERVAL;
    // NFT_SET_MAP | NFT_SET_TIMEOUT | NFT_SET_EVAL | NFT_SET_OBJECT.
    const NOT_BITMAP: u32 = 0x08 | 0x10 | 0x20 | 0x40;
    let flags = s.attrs.flags.unwrap_or(0);
    flags & SET_INTERVAL == 0
        && (s.attrs.key_len.unwrap_or(u32::MAX) > 2
            || flags & NOT_BITMAP != 0
            || s.attrs.expr.is_some()
            || s.attrs.exprs.is_some())
}

/// The element messages that recreate a set's elements, in creation form
/// ([`create_form::elements`]), regrouped into messages of at most
/// [`ELEMS_PER_MSG_BYTES`]. Elements keep the kernel's dump order, except
/// in sets the kernel hashes ([`hash_ordered`]), where the dump order is
/// random per set and no insertion order brings it back: those are sorted
/// by their encoding, so saving the same set twice gives the same text.
/// Messages nftwire cannot decode element by element are kept as dumped
/// (in creation form).
fn element_msgs(sw: &SetWithElems) -> Vec<SetElems> {
    let strip = |e: &SetElems| {
        let mut e = e.clone();
        create_form::elements(&mut e);
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
        .map(strip)
        .flat_map(|e| e.attrs.elems.map(|l| l.0).unwrap_or_default())
        .map(|el| (el.to_bytes(), el))
        .collect();
    if hash_ordered(&sw.set) {
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
