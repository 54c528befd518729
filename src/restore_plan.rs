//! The order in which `nftwire restore` creates a save file's objects, so
//! that every chain, set, object, flowtable and rule gets back the handle it
//! had when it was saved, and every list (chains, sets, rules of a chain)
//! comes back in the same order.
//!
//! How the kernel hands out handles (net/netfilter/nf_tables_api.c):
//! * each table has a counter, starting at 0 when the table is created,
//!   shared by its chains, rules, sets (anonymous ones and those of
//!   `jump { ... }` bindings included), objects and flowtables; every
//!   creation takes the next value when its message is processed, inside
//!   the batch, in batch order; a rule replaced by handle keeps its handle;
//!   nothing ever gives a value back;
//! * tables take theirs from one counter per network namespace (older
//!   kernels: one for the whole host), which no flush resets and nothing
//!   reports: a restore cannot choose table
//!   handles (the saved table handle is only read, never used);
//! * objects are listed in creation order, rules in their chain's order.
//!
//! So, per table, the plan walks the saved handles from 1 up and creates at
//! each value the object that had it:
//! * a rule at its place among the rules of its chain already made (after
//!   the closest one before it, or at the head), by position handle;
//! * a rule that needs something with a larger handle (it was replaced
//!   after that was made: a set, a chain, an object, a flowtable, an
//!   anonymous set or a bound chain with its rules) is first made empty at
//!   its handle, then replaced by the real one once all it needs exists;
//! * a set's elements right after it, or, when they name chains or
//!   objects made later (verdict maps, object maps), right after the last
//!   of those; an anonymous set's elements always before the rule that
//!   binds it (the kernel takes none once it is bound);
//! * a value no saved object has (the object was deleted before the save)
//!   is used up: the first one by a throwaway chain, the next ones by empty
//!   rules in it, and the chain is deleted, with its rules, at the end of
//!   the table, in the same batch (the kernel allows both, and never hands
//!   the values out again). Values after the largest saved handle cannot be
//!   known (the counter is not dumped): the next object made after a
//!   restore may get a smaller handle than it would have before.
//!
//! A table falls back to the file's order (what `nft -f` does, handles as
//! the kernel then hands them out) when its blocks have no handles (files
//! saved before handles were), two blocks have the same handle, a rule
//! comes before its chain, or more than [`MAX_GAP_FILL`] values would have
//! to be used up.

use crate::expr::Expr;
use crate::netlink::{BatchOp, NfMsg};
use crate::nla::{SliceIter, Writer, NLA_TYPE_MASK};
use crate::object::element::SetElemsAttrs;
use crate::object::RuleAttrs;
use crate::save::{body_name, Block, BlockKind};
use netlink_packet_core::{NLM_F_APPEND, NLM_F_CREATE, NLM_F_REPLACE};
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// The most handle values a table's plan uses up with throwaway objects
/// (one netlink message each); a table with bigger gaps is restored in file
/// order instead.
pub const MAX_GAP_FILL: u64 = 1 << 20;

/// Name of the throwaway chain that uses up handle gaps (a suffix is added
/// if the table has a chain of that name).
pub const GAP_CHAIN: &str = "nftwire-handle-gap";

/// One operation of a restore plan.
#[derive(Clone, Debug)]
pub struct PlannedOp {
    /// The operation.
    pub op: BatchOp,
    /// The block (index into the blocks) it comes from; None for the
    /// operations that use up handle gaps.
    pub block: Option<usize>,
}

/// The blocks' operations in file order (what restore sent before handles
/// were saved, and its fallback).
pub fn file_order(blocks: &[Block]) -> Vec<PlannedOp> {
    blocks
        .iter()
        .enumerate()
        .map(|(i, b)| PlannedOp {
            op: b.op.clone(),
            block: Some(i),
        })
        .collect()
}

/// The batch that restores a save file (after a flush): its blocks in
/// [`plan`] order when they carry handles, else in file order. `nftwire
/// restore` also falls back to the file's order when the kernel refuses the
/// planned one.
pub fn parse(text: &str) -> crate::error::Result<Vec<BatchOp>> {
    let blocks = crate::save::parse_blocks(text)?;
    let planned = if has_handles(&blocks) {
        plan(&blocks).ops
    } else {
        file_order(&blocks)
    };
    Ok(planned.into_iter().map(|p| p.op).collect())
}

/// Whether any block carries a saved handle (other than a table's).
pub fn has_handles(blocks: &[Block]) -> bool {
    blocks
        .iter()
        .any(|b| b.kind != BlockKind::Table && b.handle.is_some())
}

/// A restore plan: the operations, and for each table kept in file order
/// (its handles then come back only where the file order gives them) a
/// note saying which and why.
#[derive(Clone, Debug, Default)]
pub struct Plan {
    /// The operations, in batch order.
    pub ops: Vec<PlannedOp>,
    /// One line per table restored in file order despite saved handles.
    pub notes: Vec<String>,
}

/// A table: family and name.
type TableKey = (u8, Vec<u8>);

/// The restore plan of a save file's blocks: table by table, in the order
/// the tables first appear, each table's objects in handle order (see the
/// module documentation), or in file order when that is not possible.
pub fn plan(blocks: &[Block]) -> Plan {
    let mut groups: Vec<(TableKey, Vec<usize>)> = Vec::new();
    let mut index: HashMap<TableKey, usize> = HashMap::new();
    for (i, b) in blocks.iter().enumerate() {
        let key = (
            b.op.msg.family,
            body_name(&b.op.msg.body, 1).unwrap_or_default(),
        );
        let g = *index.entry(key.clone()).or_insert_with(|| {
            groups.push((key, Vec::new()));
            groups.len() - 1
        });
        groups[g].1.push(i);
    }
    let mut out = Plan {
        ops: Vec::with_capacity(blocks.len()),
        notes: Vec::new(),
    };
    for ((family, name), members) in &groups {
        let handled = members
            .iter()
            .any(|&i| blocks[i].kind != BlockKind::Table && blocks[i].handle.is_some());
        match table_plan(blocks, members) {
            Ok(ops) => out.ops.extend(ops),
            Err(why) => {
                if handled {
                    out.notes.push(format!(
                        "table {} {}: restored in the file's order, handles as the kernel gives them ({why})",
                        crate::object::family_name(*family),
                        crate::save::quote_name(Some(name))
                    ));
                }
                out.ops.extend(members.iter().map(|&i| PlannedOp {
                    op: blocks[i].op.clone(),
                    block: Some(i),
                }));
            }
        }
    }
    out
}

/// `NFT_SET_ANONYMOUS`.
const SET_ANONYMOUS: u32 = 1;
/// `NFT_CHAIN_BINDING`.
const CHAIN_BINDING: u32 = 4;

/// A top-level attribute's payload.
fn attr(body: &[u8], want: u16) -> Option<&[u8]> {
    SliceIter::new(body)
        .find(|(ty, _)| ty & NLA_TYPE_MASK == want)
        .map(|(_, p)| p)
}

/// A top-level big-endian u32 attribute.
fn attr_u32(body: &[u8], want: u16) -> Option<u32> {
    attr(body, want).and_then(|p| Some(u32::from_be_bytes(p.try_into().ok()?)))
}

/// A name as the kernel compares it (up to the NUL).
fn name_of(b: &[u8]) -> Vec<u8> {
    b.split(|&c| c == 0).next().unwrap_or_default().to_vec()
}

/// What one table's plan knows about its blocks.
struct Table<'a> {
    blocks: &'a [Block],
    /// Block of each handle.
    by_handle: BTreeMap<u64, usize>,
    /// Chains by name: handle, bound (`jump { ... }`).
    chains: HashMap<Vec<u8>, (u64, bool)>,
    /// Sets by name: handle, anonymous.
    sets: HashMap<Vec<u8>, (u64, bool)>,
    /// Largest handle of the objects of each name.
    objects: HashMap<Vec<u8>, u64>,
    /// Flowtables by name.
    flowtables: HashMap<Vec<u8>, u64>,
    /// Element blocks of each set, in file order.
    elements: HashMap<Vec<u8>, Vec<usize>>,
    /// Rule handles of each chain, in the chain's order.
    chain_rules: HashMap<Vec<u8>, Vec<u64>>,
}

/// How one rule is made.
#[derive(Clone, Copy, PartialEq, Eq)]
enum RuleMaking {
    /// At its handle, whole.
    Direct,
    /// Empty at its handle, replaced once the object with handle `.0` is
    /// made.
    ReplacedAfter(u64),
}

/// Something made after the object of a given handle.
enum Later {
    /// The elements of a set (by name).
    Elements(Vec<u8>),
    /// The real version of a rule made empty first (its block).
    Replace(usize),
}

/// The plan of one table, or why it must keep the file's order.
fn table_plan(blocks: &[Block], members: &[usize]) -> Result<Vec<PlannedOp>, String> {
    let mut t = Table {
        blocks,
        by_handle: BTreeMap::new(),
        chains: HashMap::new(),
        sets: HashMap::new(),
        objects: HashMap::new(),
        flowtables: HashMap::new(),
        elements: HashMap::new(),
        chain_rules: HashMap::new(),
    };
    let mut table_block = None;
    let mut orphans = Vec::new();
    for &i in members {
        let b = &blocks[i];
        let body = &b.op.msg.body[..];
        if b.kind == BlockKind::Table {
            table_block = Some(i);
            continue;
        }
        if b.kind == BlockKind::Elements {
            t.elements
                .entry(name_of(attr(body, 2).unwrap_or_default()))
                .or_default()
                .push(i);
            continue;
        }
        let Some(h) = b.handle.filter(|&h| h > 0) else {
            return Err(format!(
                "the {} block of line {} has no handle",
                b.kind.keyword(),
                b.line
            ));
        };
        if t.by_handle.insert(h, i).is_some() {
            return Err(format!("handle {h} is saved twice (line {})", b.line));
        }
        match b.kind {
            BlockKind::Chain => {
                let bound = attr_u32(body, 10).unwrap_or(0) & CHAIN_BINDING != 0;
                t.chains
                    .insert(name_of(attr(body, 3).unwrap_or_default()), (h, bound));
            }
            BlockKind::Set => {
                let anon = attr_u32(body, 3).unwrap_or(0) & SET_ANONYMOUS != 0;
                t.sets
                    .insert(name_of(attr(body, 2).unwrap_or_default()), (h, anon));
            }
            BlockKind::Object => {
                let e = t
                    .objects
                    .entry(name_of(attr(body, 2).unwrap_or_default()))
                    .or_insert(h);
                *e = (*e).max(h);
            }
            BlockKind::Flowtable => {
                t.flowtables
                    .insert(name_of(attr(body, 2).unwrap_or_default()), h);
            }
            BlockKind::Rule => t
                .chain_rules
                .entry(name_of(attr(body, 2).unwrap_or_default()))
                .or_default()
                .push(h),
            BlockKind::Table | BlockKind::Elements => {}
        }
    }
    let Some(&last) = t.by_handle.keys().next_back() else {
        return Err("no block has a handle".into());
    };
    let gaps = last - t.by_handle.len() as u64;
    if gaps > MAX_GAP_FILL {
        return Err(format!(
            "{gaps} handles are unused, more than the {MAX_GAP_FILL} a restore uses up"
        ));
    }
    for (set, list) in &t.elements {
        if !t.sets.contains_key(set) {
            orphans.extend(list.iter().copied());
        }
    }
    orphans.sort_unstable();

    // When each set's elements can be added, and how each rule is made.
    let elems_ready: HashMap<Vec<u8>, u64> = t
        .sets
        .iter()
        .map(|(name, &(h, _))| (name.clone(), t.elements_ready(name, h, last)))
        .collect();
    for (&h, &i) in &t.by_handle {
        if blocks[i].kind != BlockKind::Rule {
            continue;
        }
        let chain = name_of(attr(&blocks[i].op.msg.body, 2).unwrap_or_default());
        match t.chains.get(&chain) {
            Some(&(c, _)) if c < h => {}
            _ => return Err(format!("rule {h} comes before its chain")),
        }
    }
    // When each rule is whole (made, or replaced by its real version).
    let mut whole: HashMap<u64, u64> = HashMap::new();
    let rule_handles: Vec<u64> = t
        .by_handle
        .iter()
        .filter(|(_, &i)| blocks[i].kind == BlockKind::Rule)
        .map(|(&h, _)| h)
        .collect();
    for &h in &rule_handles {
        t.whole(h, &elems_ready, &mut whole, last, 0)
            .ok_or_else(|| format!("cannot order what rule {h} needs"))?;
    }
    let making: HashMap<u64, RuleMaking> = whole
        .iter()
        .map(|(&h, &w)| {
            let m = if w == h {
                RuleMaking::Direct
            } else {
                RuleMaking::ReplacedAfter(w)
            };
            (h, m)
        })
        .collect();

    let mut ops = Vec::with_capacity(members.len() + gaps as usize + 2);
    if let Some(i) = table_block {
        ops.push(PlannedOp {
            op: blocks[i].op.clone(),
            block: Some(i),
        });
    }
    let first = blocks[t.by_handle.first_key_value().map_or(0, |(_, &i)| i)]
        .op
        .msg
        .clone();
    let table_attr = attr(&first.body, 1).unwrap_or_default().to_vec();
    let gap_chain = t.gap_chain_name();
    let mut gap_used = false;
    let mut later: BTreeMap<u64, Vec<Later>> = BTreeMap::new();
    // Per chain, the places (in the chain's final order) of the rules made.
    let mut made: HashMap<Vec<u8>, BTreeSet<usize>> = HashMap::new();
    let place_of: HashMap<u64, usize> = t
        .chain_rules
        .values()
        .flat_map(|l| l.iter().enumerate().map(|(k, &h)| (h, k)))
        .collect();
    for h in 1..=last {
        let Some(&i) = t.by_handle.get(&h) else {
            ops.push(gap_op(first.family, &table_attr, &gap_chain, gap_used));
            gap_used = true;
            continue;
        };
        let b = &blocks[i];
        match b.kind {
            BlockKind::Set => {
                ops.push(PlannedOp {
                    op: b.op.clone(),
                    block: Some(i),
                });
                let name = name_of(attr(&b.op.msg.body, 2).unwrap_or_default());
                match elems_ready.get(&name) {
                    Some(&r) if r > h => later.entry(r).or_default().push(Later::Elements(name)),
                    _ => t.push_elements(&mut ops, &name),
                }
            }
            BlockKind::Rule => {
                let chain = name_of(attr(&b.op.msg.body, 2).unwrap_or_default());
                let at = place_of.get(&h).copied().unwrap_or(usize::MAX);
                let done = made.entry(chain.clone()).or_default();
                // After every rule made so far is a plain append (no
                // position for the kernel to look up in the chain).
                let pos = match done.range(..at).next_back() {
                    _ if done.range(at..).next().is_none() => Position::Append,
                    Some(&k) => match t.chain_rules.get(&chain).and_then(|l| l.get(k)) {
                        Some(&p) => Position::After(p),
                        None => Position::Append,
                    },
                    None => Position::Head,
                };
                done.insert(at);
                match making.get(&h) {
                    Some(RuleMaking::ReplacedAfter(r)) => {
                        ops.push(placeholder(b, i, pos));
                        later.entry(*r).or_default().push(Later::Replace(i));
                    }
                    _ => ops.push(positioned(b, i, pos)),
                }
            }
            _ => ops.push(PlannedOp {
                op: b.op.clone(),
                block: Some(i),
            }),
        }
        for l in later.remove(&h).unwrap_or_default() {
            match l {
                Later::Elements(name) => t.push_elements(&mut ops, &name),
                Later::Replace(i) => ops.push(replacement(&blocks[i], i)),
            }
        }
    }
    for (_, list) in std::mem::take(&mut later) {
        for l in list {
            match l {
                Later::Elements(name) => t.push_elements(&mut ops, &name),
                Later::Replace(i) => ops.push(replacement(&blocks[i], i)),
            }
        }
    }
    ops.extend(orphans.into_iter().map(|i| PlannedOp {
        op: blocks[i].op.clone(),
        block: Some(i),
    }));
    if gap_used {
        ops.push(gap_chain_delete(first.family, &table_attr, &gap_chain));
    }
    Ok(ops)
}

/// Where a new rule goes in its chain.
#[derive(Clone, Copy)]
enum Position {
    /// At the end (no rule of the chain made yet).
    Append,
    /// Right after the rule with this handle.
    After(u64),
    /// Before every rule already made.
    Head,
}

impl Table<'_> {
    /// The handle after which the elements of set `name` (handle `h`) can
    /// be added: the set's, or that of the last chain or object they name.
    fn elements_ready(&self, name: &[u8], h: u64, last: u64) -> u64 {
        let mut ready = h;
        for &i in self.elements.get(name).map(Vec::as_slice).unwrap_or(&[]) {
            let Some(e) = SetElemsAttrs::parse(&self.blocks[i].op.msg.body) else {
                return last;
            };
            for el in e.elems.map(|l| l.0).unwrap_or_default() {
                let chain = el
                    .data
                    .as_ref()
                    .and_then(|d| d.verdict.as_ref())
                    .and_then(|v| v.chain.as_deref());
                if let Some(&(c, _)) = chain.and_then(|c| self.chains.get(c.as_bytes())) {
                    ready = ready.max(c);
                }
                if let Some(&o) = el
                    .objref
                    .as_deref()
                    .and_then(|o| self.objects.get(o.as_bytes()))
                {
                    ready = ready.max(o);
                }
            }
        }
        ready
    }

    /// When the rule with handle `h` is whole: `h` when everything it
    /// needs has a smaller handle, else the largest handle among what it
    /// needs (it is then made empty at `h` and replaced after that): its
    /// sets (an anonymous set with its elements), the chains it jumps to (a
    /// bound chain once all its rules are whole), its objects and
    /// flowtables. Memoized in `whole`; None for bound chains nested too
    /// deep or in a loop.
    fn whole(
        &self,
        h: u64,
        elems_ready: &HashMap<Vec<u8>, u64>,
        whole: &mut HashMap<u64, u64>,
        last: u64,
        depth: usize,
    ) -> Option<u64> {
        if let Some(&w) = whole.get(&h) {
            return Some(w);
        }
        if depth > 64 {
            return None;
        }
        let i = *self.by_handle.get(&h)?;
        let body = &self.blocks[i].op.msg.body;
        let Some(r) = RuleAttrs::parse(body) else {
            whole.insert(h, last.max(h));
            return Some(last.max(h));
        };
        let mut ready = 0u64;
        for e in r.exprs.map(|l| l.0).unwrap_or_default() {
            if let Some(set) = crate::expr::set_name_of(&e) {
                if let Some(&(s, anon)) = self.sets.get(set.as_bytes()) {
                    let r = if anon {
                        elems_ready.get(set.as_bytes()).copied().unwrap_or(s)
                    } else {
                        s
                    };
                    ready = ready.max(r);
                }
            }
            match &e {
                Expr::Immediate(im) => {
                    let target = im
                        .data
                        .as_ref()
                        .and_then(|d| d.verdict.as_ref())
                        .and_then(|v| v.chain.as_deref())
                        .unwrap_or_default();
                    if let Some(&(c, bound)) = self.chains.get(target.as_bytes()) {
                        ready = ready.max(c);
                        if bound {
                            let rules = self
                                .chain_rules
                                .get(target.as_bytes())
                                .cloned()
                                .unwrap_or_default();
                            for b in rules {
                                if b == h {
                                    return None;
                                }
                                let w = self.whole(b, elems_ready, whole, last, depth + 1)?;
                                ready = ready.max(w);
                            }
                        }
                    }
                }
                Expr::Objref(o) => {
                    if let Some(&o) = o
                        .imm_name
                        .as_deref()
                        .and_then(|n| self.objects.get(n.as_bytes()))
                    {
                        ready = ready.max(o);
                    }
                }
                Expr::FlowOffload(f) => {
                    if let Some(&f) = f
                        .table_name
                        .as_deref()
                        .and_then(|n| self.flowtables.get(n.as_bytes()))
                    {
                        ready = ready.max(f);
                    }
                }
                _ => {}
            }
        }
        let w = if ready < h { h } else { ready };
        whole.insert(h, w);
        Some(w)
    }

    /// Push the element blocks of set `name`.
    fn push_elements(&self, ops: &mut Vec<PlannedOp>, name: &[u8]) {
        for &i in self.elements.get(name).map(Vec::as_slice).unwrap_or(&[]) {
            ops.push(PlannedOp {
                op: self.blocks[i].op.clone(),
                block: Some(i),
            });
        }
    }

    /// A chain name the table does not use, for the gap chain.
    fn gap_chain_name(&self) -> Vec<u8> {
        let mut name = GAP_CHAIN.as_bytes().to_vec();
        let mut n = 0u32;
        while self.chains.contains_key(&name) {
            n += 1;
            name = format!("{GAP_CHAIN}-{n}").into_bytes();
        }
        name
    }
}

/// A rule's body with `extra` attributes appended.
fn with_attrs(body: &[u8], extra: &[(u16, &[u8])]) -> Vec<u8> {
    let mut w = Writer::with_capacity(body.len() + 16 * extra.len());
    w.buf.extend_from_slice(body);
    for (ty, payload) in extra {
        w.put_raw(*ty, payload);
    }
    w.buf
}

/// `NFTA_RULE_POSITION`.
const RULE_POSITION: u16 = 6;
/// `NFTA_RULE_HANDLE`.
const RULE_HANDLE: u16 = 3;

/// A rule message body and flags for a position.
fn place(body: &[u8], pos: Position) -> (Vec<u8>, u16) {
    match pos {
        Position::Append => (body.to_vec(), NLM_F_CREATE | NLM_F_APPEND),
        Position::Head => (body.to_vec(), NLM_F_CREATE),
        Position::After(p) => (
            with_attrs(body, &[(RULE_POSITION, &p.to_be_bytes())]),
            NLM_F_CREATE | NLM_F_APPEND,
        ),
    }
}

/// The rule of block `b` (index `i`) made at `pos`.
fn positioned(b: &Block, i: usize, pos: Position) -> PlannedOp {
    let (body, flags) = place(&b.op.msg.body, pos);
    let mut op = b.op.clone();
    op.msg = NfMsg::nft(b.op.msg.msg(), flags, b.op.msg.family, body);
    if !matches!(pos, Position::Append) {
        op.op = "RULE_INSERT".into();
    }
    PlannedOp { op, block: Some(i) }
}

/// An empty rule at `pos`, in the chain of rule block `b`, holding its
/// handle until [`replacement`] puts the real rule there.
fn placeholder(b: &Block, i: usize, pos: Position) -> PlannedOp {
    let body = &b.op.msg.body[..];
    let mut w = Writer::new();
    for (ty, p) in SliceIter::new(body) {
        if matches!(ty & NLA_TYPE_MASK, 1 | 2) {
            w.put_raw(ty, p);
        }
    }
    let (body, flags) = place(&w.buf, pos);
    PlannedOp {
        op: BatchOp {
            msg: NfMsg::nft(b.op.msg.msg(), flags, b.op.msg.family, body),
            op: "RULE_ADD".into(),
            what: format!("{} (made empty first, to keep its handle)", b.op.what),
        },
        block: Some(i),
    }
}

/// The real rule of block `b` replacing its placeholder (same handle, same
/// place).
fn replacement(b: &Block, i: usize) -> PlannedOp {
    let handle = b.handle.unwrap_or(0).to_be_bytes();
    let body = with_attrs(&b.op.msg.body, &[(RULE_HANDLE, &handle)]);
    PlannedOp {
        op: BatchOp {
            msg: NfMsg::nft(b.op.msg.msg(), NLM_F_REPLACE, b.op.msg.family, body),
            op: "RULE_REPLACE".into(),
            what: b.op.what.clone(),
        },
        block: Some(i),
    }
}

/// The operation that uses up one handle value of a gap: the gap chain
/// itself first (`used` false), then an empty rule in it.
fn gap_op(family: u8, table: &[u8], chain: &[u8], used: bool) -> PlannedOp {
    let mut w = Writer::new();
    w.put_raw(1, table);
    let mut name = chain.to_vec();
    name.push(0);
    let (msg, op, flags) = if used {
        w.put_raw(2, &name);
        (
            crate::consts::msg::NEWRULE,
            "RULE_APPEND",
            NLM_F_CREATE | NLM_F_APPEND,
        )
    } else {
        w.put_raw(3, &name);
        (crate::consts::msg::NEWCHAIN, "CHAIN_ADD", NLM_F_CREATE)
    };
    PlannedOp {
        op: BatchOp {
            msg: NfMsg::nft(msg, flags, family, w.buf),
            op: op.into(),
            what: "a handle left unused by a deleted object (restore uses it up)".into(),
        },
        block: None,
    }
}

/// The deletion of the gap chain and its rules.
fn gap_chain_delete(family: u8, table: &[u8], chain: &[u8]) -> PlannedOp {
    let mut w = Writer::new();
    w.put_raw(1, table);
    let mut name = chain.to_vec();
    name.push(0);
    w.put_raw(3, &name);
    PlannedOp {
        op: BatchOp {
            msg: NfMsg::nft(crate::consts::msg::DELCHAIN, 0, family, w.buf),
            op: "CHAIN_DEL".into(),
            what: format!(
                "chain {} (restore's throwaway chain for unused handles)",
                String::from_utf8_lossy(chain)
            ),
        },
        block: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::consts::msg;
    use crate::expr::flow_offload::FlowOffload;
    use crate::expr::Expr;
    use crate::object::{Chain, FlowtableAttrs, Obj, Rule, Table};
    use crate::ruleset::Ruleset;

    fn chain(name: &str, handle: u64) -> Chain {
        let mut c = Chain::regular(2, "t", name);
        c.attrs.handle = Some(handle);
        c
    }

    fn rule(chain: &str, handle: u64, exprs: Vec<Expr>) -> Rule {
        let mut r = Rule::new(2, "t", chain, exprs);
        r.attrs.handle = Some(handle);
        r
    }

    /// The plan of a ruleset's save file, as (operation, message type,
    /// handle or position attribute) per op.
    /// An op as the tests look at it: name, message type, rule handle,
    /// rule position.
    type Seen = (String, u16, Option<u64>, Option<u64>);

    fn planned(rs: &Ruleset) -> (Vec<Seen>, Vec<String>) {
        let text = crate::save::to_string(rs);
        let blocks = crate::save::parse_blocks(&text).expect("own save file parses");
        let p = plan(&blocks);
        let u64_of = |b: &[u8], a: u16| {
            attr(b, a).and_then(|p| Some(u64::from_be_bytes(p.try_into().ok()?)))
        };
        let ops = p
            .ops
            .iter()
            .map(|o| {
                let b = &o.op.msg.body[..];
                let m = o.op.msg.msg();
                let (h, pos) = if m == msg::NEWRULE {
                    (u64_of(b, RULE_HANDLE), u64_of(b, RULE_POSITION))
                } else {
                    (None, None)
                };
                (o.op.op.clone(), m, h, pos)
            })
            .collect();
        (ops, p.notes)
    }

    fn table() -> Table {
        let mut t = Table::named(2, "t");
        t.attrs.handle = Some(9);
        t
    }

    #[test]
    fn rule_replaced_after_a_later_flowtable() {
        let mut ft = Obj {
            family: 2,
            attrs: FlowtableAttrs {
                table: Some("t".into()),
                name: Some("ft".into()),
                handle: Some(3),
                ..Default::default()
            },
        };
        ft.attrs.use_count = Some(1);
        let flow = Expr::FlowOffload(FlowOffload {
            table_name: Some("ft".into()),
            ..Default::default()
        });
        let rs = Ruleset {
            tables: vec![table()],
            chains: vec![chain("c", 1)],
            flowtables: vec![ft],
            rules: vec![rule("c", 2, vec![flow])],
            ..Default::default()
        };
        let (ops, notes) = planned(&rs);
        assert!(notes.is_empty(), "{notes:?}");
        let kinds: Vec<&str> = ops.iter().map(|o| o.0.as_str()).collect();
        assert_eq!(
            kinds,
            [
                "TABLE_ADD",
                "CHAIN_ADD",
                "RULE_ADD",
                "FLOWTABLE_ADD",
                "RULE_REPLACE"
            ]
        );
        assert_eq!(ops[4].2, Some(2), "the replacement names handle 2");
    }

    #[test]
    fn gaps_are_used_up_and_rules_placed() {
        // Chain c has handle 3; its rules, in chain order, have handles 8, 5,
        // 7, 6 (8 was inserted at the head, 7 after 5); 1, 2 and 4 are
        // unused.
        let rs = Ruleset {
            tables: vec![table()],
            chains: vec![chain("c", 3)],
            rules: vec![
                rule("c", 8, Vec::new()),
                rule("c", 5, Vec::new()),
                rule("c", 7, Vec::new()),
                rule("c", 6, Vec::new()),
            ],
            ..Default::default()
        };
        let (ops, notes) = planned(&rs);
        assert!(notes.is_empty(), "{notes:?}");
        let got: Vec<(&str, u16, Option<u64>)> =
            ops.iter().map(|o| (o.0.as_str(), o.1, o.3)).collect();
        assert_eq!(
            got,
            [
                ("TABLE_ADD", msg::NEWTABLE, None),
                ("CHAIN_ADD", msg::NEWCHAIN, None), // gap 1: the gap chain
                ("RULE_APPEND", msg::NEWRULE, None), // gap 2
                ("CHAIN_ADD", msg::NEWCHAIN, None), // c
                ("RULE_APPEND", msg::NEWRULE, None), // gap 4
                ("RULE_APPEND", msg::NEWRULE, None), // 5, first of c
                ("RULE_APPEND", msg::NEWRULE, None), // 6, after all made
                ("RULE_INSERT", msg::NEWRULE, Some(5)), // 7 after 5
                ("RULE_INSERT", msg::NEWRULE, None), // 8 at the head
                ("CHAIN_DEL", msg::DELCHAIN, None),
            ]
        );
        // The head insert has no NLM_F_APPEND; the rest do.
        let text = crate::save::to_string(&rs);
        let blocks = crate::save::parse_blocks(&text).unwrap();
        let p = plan(&blocks);
        assert_eq!(p.ops[8].op.msg.flags & NLM_F_APPEND, 0);
        assert_ne!(p.ops[7].op.msg.flags & NLM_F_APPEND, 0);
        assert_eq!(p.ops[2].block, None);
        assert_eq!(p.ops[5].block.map(|i| blocks[i].handle), Some(Some(5)));
    }

    #[test]
    fn the_gap_chain_gets_a_name_the_table_does_not_use() {
        let rs = Ruleset {
            tables: vec![table()],
            chains: vec![chain(GAP_CHAIN, 2), chain(&format!("{GAP_CHAIN}-1"), 3)],
            ..Default::default()
        };
        let text = crate::save::to_string(&rs);
        let blocks = crate::save::parse_blocks(&text).unwrap();
        let p = plan(&blocks);
        let gap = &p.ops[1];
        assert_eq!(gap.block, None);
        assert_eq!(
            body_name(&gap.op.msg.body, 3).as_deref(),
            Some(format!("{GAP_CHAIN}-2").as_bytes())
        );
        let del = p.ops.last().unwrap();
        assert_eq!(del.op.msg.msg(), msg::DELCHAIN);
        assert_eq!(
            body_name(&del.op.msg.body, 3),
            body_name(&gap.op.msg.body, 3)
        );
    }

    #[test]
    fn inconsistent_handles_keep_the_file_order() {
        let rs = Ruleset {
            tables: vec![table()],
            chains: vec![chain("c", 2)],
            rules: vec![rule("c", 2, Vec::new())],
            ..Default::default()
        };
        let (ops, notes) = planned(&rs);
        assert_eq!(notes.len(), 1, "{notes:?}");
        assert!(notes[0].contains("handle 2 is saved twice"), "{notes:?}");
        let kinds: Vec<&str> = ops.iter().map(|o| o.0.as_str()).collect();
        assert_eq!(kinds, ["TABLE_ADD", "CHAIN_ADD", "RULE_APPEND"]);
        // A file without handles (saved before they were) is not planned.
        let mut old = rs.clone();
        old.chains[0].attrs.handle = None;
        old.rules[0].attrs.handle = None;
        let text = crate::save::to_string(&old);
        let blocks = crate::save::parse_blocks(&text).unwrap();
        assert!(!has_handles(&blocks));
    }
}
