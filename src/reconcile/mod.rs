//! Declarative rule reconciliation: converge one chain to the rules a
//! controller wants, with the fewest changes, atomically, without touching
//! anyone else's rules.
//!
//! Controllers that each insert "their" rules at position 1 and delete by
//! index fight forever: they duplicate rules and delete each other's. A
//! reconciler instead *owns* a tagged set of rules (see [`tag`]: an owner
//! name and a stable key per rule, in `NFTA_RULE_USERDATA`) and converges
//! the chain to a [`Desired`] state:
//!
//! * rules without a tag (foreign rules) and rules of other owners are never
//!   deleted, replaced or moved;
//! * each desired key ends up exactly once, with the desired expressions and
//!   comment, in the desired relative order, where the [`Placement`] wants
//!   it; duplicates and rules with keys no longer desired are deleted;
//! * when the chain already satisfies all that, [`plan`] is empty and
//!   nothing is sent (the generation id does not move);
//! * otherwise the plan is the minimum: rules already in an acceptable place
//!   and order (the longest such subsequence) stay, changed ones are
//!   replaced by handle (keeping their place and handle), and only the rest
//!   are deleted (by handle, never by index) and inserted next to a rule
//!   that stays (by handle, `NFTA_RULE_POSITION`);
//! * [`apply`] reads the chain and sends the plan in one batch guarded by
//!   the generation id it read ([`crate::netlink::transact`]); if anyone
//!   changed the ruleset meanwhile, the kernel refuses the batch and the
//!   chain is read and planned again.
//!
//! Placement is judged against *foreign* rules only: [`Placement::Head`]
//! means no untagged rule precedes any of ours, so two owners that both want
//! the head share it (the first one there stays first) instead of
//! leapfrogging each other forever: once both applied, neither has anything
//! to change.
//!
//! Expressions are compared by their encoding with netlink flag bits
//! removed and counter values ignored; when a rule must be re-created with
//! unchanged expressions (a move), its counter values are carried over.

pub mod tag;
pub mod text;

pub use tag::Tag;

use crate::consts::msg;
use crate::error::{Error, Result};
use crate::expr::{Counter, Expr};
use crate::netlink::{BatchOp, Conn, NfMsg};
use crate::nla::{Writer, NLA_F_NESTED, NLA_HDRLEN, NLA_TYPE_MASK};
use crate::object::chain::Hook;
use crate::object::{Chain, Rule, Table};
use netlink_packet_core::{NLM_F_APPEND, NLM_F_CREATE, NLM_F_REPLACE};
use std::collections::HashMap;
use std::fmt;

/// One rule the owner wants.
#[derive(Clone, Debug, PartialEq)]
pub struct DesiredRule {
    /// Stable identity of the rule among the owner's rules.
    pub key: String,
    /// The rule's expressions.
    pub exprs: Vec<Expr>,
    /// The comment nft shows (userdata TLV 0).
    pub comment: Option<String>,
}

impl DesiredRule {
    /// A rule without comment.
    pub fn new(key: &str, exprs: Vec<Expr>) -> DesiredRule {
        DesiredRule {
            key: key.to_string(),
            exprs,
            comment: None,
        }
    }
    /// The same rule with a comment.
    pub fn with_comment(mut self, comment: &str) -> DesiredRule {
        self.comment = Some(comment.to_string());
        self
    }
}

/// A rule used as a reference point for [`Placement::After`] and
/// [`Placement::Before`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Anchor {
    /// The rule another owner manages under this key.
    Rule {
        /// Its owner (must differ from the reconciling owner).
        owner: String,
        /// Its key.
        key: String,
    },
    /// The first rule with this nft comment.
    Comment(String),
}

impl fmt::Display for Anchor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Anchor::Rule { owner, key } => write!(f, "rule {owner}/{key}"),
            Anchor::Comment(c) => write!(f, "rule with comment {c:?}"),
        }
    }
}

/// Where the owner's rules go. Only foreign (untagged) rules count: rules
/// of other owners may sit between or around ours in any case.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Placement {
    /// No foreign rule before any of ours.
    Head,
    /// No foreign rule after any of ours.
    Tail,
    /// All of ours after the anchor, with no foreign rule in between.
    After(Anchor),
    /// All of ours before the anchor, with no foreign rule in between.
    Before(Anchor),
}

/// How to create a missing base chain.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BaseChain {
    /// `filter`, `nat` or `route`.
    pub chain_type: String,
    /// Hook number (`NF_INET_PRE_ROUTING` = 0, ...).
    pub hook: u32,
    /// Priority.
    pub priority: i32,
    /// Policy (0 drop, 1 accept); the kernel's default (accept) when absent.
    pub policy: Option<u32>,
    /// Device, for netdev chains.
    pub device: Option<String>,
}

/// What kind of chain the rules live in, which decides what happens when it
/// does not exist.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ChainKind {
    /// A regular chain: created (with its table) when missing.
    Regular,
    /// A base chain: with `None` it must exist (an error otherwise); with a
    /// hook it is created (with its table) when missing. An existing chain
    /// is never modified.
    Base(Option<BaseChain>),
}

/// The state one owner wants in one chain.
#[derive(Clone, Debug, PartialEq)]
pub struct Desired {
    /// `NFPROTO_*` family of the table.
    pub family: u8,
    /// Table name.
    pub table: String,
    /// Chain name.
    pub chain: String,
    /// Regular or base chain.
    pub kind: ChainKind,
    /// The owner whose rules these are.
    pub owner: String,
    /// Where the rules go.
    pub placement: Placement,
    /// The rules, in order; keys are unique.
    pub rules: Vec<DesiredRule>,
}

fn check_name(what: &str, s: &str) -> Result<()> {
    if s.is_empty() || s.len() > 255 || s.contains('\0') {
        return Err(Error::Input(format!(
            "invalid {what} name {s:?}: 1 to 255 bytes, no NUL"
        )));
    }
    Ok(())
}

impl Desired {
    /// Check names, owner, keys (unique) and comments.
    pub fn validate(&self) -> Result<()> {
        if crate::consts::family::name(self.family).is_none() {
            return Err(Error::Input(format!("unknown family {}", self.family)));
        }
        check_name("table", &self.table)?;
        check_name("chain", &self.chain)?;
        tag::check_owner(&self.owner)?;
        let mut seen = std::collections::HashSet::new();
        for r in &self.rules {
            tag::check_key(&r.key)?;
            if !seen.insert(r.key.as_str()) {
                return Err(Error::Input(format!("rule key {:?} is used twice", r.key)));
            }
            if let Some(c) = &r.comment {
                tag::check_comment(c)?;
            }
        }
        match &self.placement {
            Placement::After(Anchor::Rule { owner, key })
            | Placement::Before(Anchor::Rule { owner, key }) => {
                tag::check_owner(owner)?;
                tag::check_key(key)?;
                if *owner == self.owner {
                    return Err(Error::Input(format!(
                        "placement anchor {owner}/{key} is one of the owner's own rules"
                    )));
                }
            }
            _ => {}
        }
        if let ChainKind::Base(Some(b)) = &self.kind {
            check_name("chain type", &b.chain_type)?;
            if let Some(d) = &b.device {
                check_name("device", d)?;
            }
        }
        Ok(())
    }

    /// `chain ip nat PREROUTING (owner calico)`, for messages.
    pub fn describe(&self) -> String {
        format!(
            "chain {} {} {} (owner {})",
            crate::object::family_name(self.family),
            self.table,
            self.chain,
            self.owner
        )
    }
}

/// What [`read_chain`] found: whether the table and chain exist, and the
/// chain's rules in order.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ChainState {
    /// The table exists.
    pub table_exists: bool,
    /// The chain, if it exists.
    pub chain: Option<Chain>,
    /// Its rules, in chain order.
    pub rules: Vec<Rule>,
    /// Generation id the state was read at (0 when not known).
    pub generation: u32,
}

/// How many times [`read_chain`] retries when the generation moves.
const READ_RETRIES: usize = 32;

/// Read a chain's state consistently (the generation id is the same before
/// and after).
pub fn read_chain(conn: &mut Conn, family: u8, table: &str, chain: &str) -> Result<ChainState> {
    for _ in 0..READ_RETRIES {
        let before = conn.generation()?;
        match read_once(conn, family, table, chain) {
            Ok(mut st) => {
                if conn.generation()? == before {
                    st.generation = before;
                    return Ok(st);
                }
            }
            Err(Error::GenerationChanged) => {}
            Err(e) => return Err(e),
        }
    }
    Err(Error::GenerationChanged)
}

fn is_enoent(e: &Error) -> bool {
    matches!(e, Error::Kernel { errno: 2, .. })
}

fn read_once(conn: &mut Conn, family: u8, table: &str, chain: &str) -> Result<ChainState> {
    let mut st = ChainState::default();
    let mut w = Writer::new();
    w.put(1, &table.to_string());
    match conn.request(NfMsg::nft(msg::GETTABLE, 0, family, w.buf)) {
        Ok(_) => st.table_exists = true,
        Err(e) if is_enoent(&e) => return Ok(st),
        Err(e) => return Err(e),
    }
    let mut w = Writer::new();
    w.put(1, &table.to_string());
    w.put(3, &chain.to_string());
    match conn.request(NfMsg::nft(msg::GETCHAIN, 0, family, w.buf)) {
        Ok(msgs) => {
            st.chain = msgs
                .iter()
                .filter(|m| m.msg() == msg::NEWCHAIN)
                .find_map(Chain::from_msg)
                .filter(|c| c.name() == chain);
        }
        Err(e) if is_enoent(&e) => return Ok(st),
        Err(e) => return Err(e),
    }
    if st.chain.is_none() {
        return Ok(st);
    }
    let mut w = Writer::new();
    w.put(1, &table.to_string());
    w.put(2, &chain.to_string());
    for m in conn.dump(msg::GETRULE, family, w.buf)? {
        if m.msg() != msg::NEWRULE {
            continue;
        }
        let r = Rule::from_msg(&m)
            .ok_or_else(|| Error::Protocol("malformed NEWRULE message from the kernel".into()))?;
        if r.family == family && r.table() == table && r.chain() == chain {
            st.rules.push(r);
        }
    }
    Ok(st)
}

/// Why a managed rule is deleted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DeleteReason {
    /// Its key is no longer desired.
    Stale,
    /// Another rule of the owner has the same key.
    Duplicate,
    /// It is out of place or out of order; it is inserted again.
    Misplaced,
}

/// Where a rule is inserted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Position {
    /// At the start of the chain.
    Top,
    /// At the end of the chain.
    End,
    /// Right before the rule with this handle.
    Before(u64),
    /// Right after the rule with this handle.
    After(u64),
}

/// One change of a [`Plan`], for display.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Step {
    /// Create the table.
    CreateTable,
    /// Create the chain (regular, or base with its hook).
    CreateChain,
    /// Delete a managed rule by handle.
    Delete {
        /// The rule's handle.
        handle: u64,
        /// Its key.
        key: String,
        /// Why.
        reason: DeleteReason,
    },
    /// Replace a managed rule's expressions/comment, keeping its place.
    Replace {
        /// The rule's handle (kept).
        handle: u64,
        /// Its key.
        key: String,
    },
    /// Insert a rule.
    Insert {
        /// Its key.
        key: String,
        /// Where.
        at: Position,
    },
}

impl fmt::Display for Step {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Step::CreateTable => f.write_str("create table"),
            Step::CreateChain => f.write_str("create chain"),
            Step::Delete {
                handle,
                key,
                reason,
            } => {
                let why = match reason {
                    DeleteReason::Stale => "no longer desired",
                    DeleteReason::Duplicate => "duplicate",
                    DeleteReason::Misplaced => "misplaced, inserted again",
                };
                write!(f, "delete {key} (handle {handle}, {why})")
            }
            Step::Replace { handle, key } => write!(f, "replace {key} (handle {handle})"),
            Step::Insert { key, at } => match at {
                Position::Top => write!(f, "insert {key} at the top"),
                Position::End => write!(f, "insert {key} at the end"),
                Position::Before(h) => write!(f, "insert {key} before handle {h}"),
                Position::After(h) => write!(f, "insert {key} after handle {h}"),
            },
        }
    }
}

/// The changes that converge a chain: steps (for display) and the batch
/// operations implementing them, in the same order.
#[derive(Clone, Debug, Default)]
pub struct Plan {
    /// What is done.
    pub steps: Vec<Step>,
    /// The batch (one operation per step).
    pub ops: Vec<BatchOp>,
}

impl Plan {
    /// True when the chain is already converged.
    pub fn is_empty(&self) -> bool {
        self.ops.is_empty()
    }
}

/// The encoding of expressions used to compare them: netlink flag bits
/// removed (the kernel sets `NLA_F_NESTED` on nests it dumps) and counter
/// values ignored.
pub fn canonical_exprs(exprs: &[Expr]) -> Vec<u8> {
    let mut w = Writer::new();
    for e in exprs {
        match e {
            Expr::Counter(_) => Expr::Counter(Counter::default()).write_elem(&mut w),
            e => e.write_elem(&mut w),
        }
    }
    let mut out = Writer::with_capacity(w.buf.len());
    strip_flags(&w.buf, &mut out);
    out.buf
}

fn strip_flags(buf: &[u8], out: &mut Writer) {
    let mut i = 0usize;
    while i + NLA_HDRLEN <= buf.len() {
        let len = u16::from_ne_bytes([buf[i], buf[i + 1]]) as usize;
        let ty = u16::from_ne_bytes([buf[i + 2], buf[i + 3]]);
        if len < NLA_HDRLEN || i + len > buf.len() {
            break;
        }
        let payload = &buf[i + NLA_HDRLEN..i + len];
        if ty & NLA_F_NESTED != 0 {
            let n = out.begin(ty & NLA_TYPE_MASK);
            strip_flags(payload, out);
            out.end(n);
        } else {
            out.put_raw(ty & NLA_TYPE_MASK, payload);
        }
        i += crate::nla::align(len);
    }
    if i < buf.len() {
        out.buf.extend_from_slice(&buf[i..]);
    }
}

/// The expressions to send: `want`, with counter values taken from `from`
/// (expression by expression) when both have a counter at the same place.
fn carry_counters(want: &[Expr], from: &[Expr]) -> Vec<Expr> {
    want.iter()
        .enumerate()
        .map(|(i, e)| match (e, from.get(i)) {
            (Expr::Counter(_), Some(Expr::Counter(c))) => Expr::Counter(Counter {
                bytes: c.bytes,
                packets: c.packets,
                ..Default::default()
            }),
            _ => e.clone(),
        })
        .collect()
}

/// A rule of the current chain, classified.
struct Cur<'a> {
    rule: &'a Rule,
    tag: Option<Tag>,
    /// Number of foreign rules before this one (in chain order).
    foreign_before: usize,
}

/// Plan the changes that converge `current` to `desired` (see the module
/// documentation). Pure: reads nothing, sends nothing.
pub fn plan(current: &ChainState, desired: &Desired) -> Result<Plan> {
    desired.validate()?;
    let d = desired;
    let mut p = Plan::default();
    let fam = crate::object::family_name(d.family);
    let where_ = format!("chain {} (table {fam} {})", d.chain, d.table);

    if current.chain.is_none() {
        let base = match &d.kind {
            ChainKind::Regular => None,
            ChainKind::Base(Some(b)) => Some(b),
            ChainKind::Base(None) => {
                return Err(Error::Input(format!(
                    "base chain {fam} {} {} does not exist (give its hook to create it)",
                    d.table, d.chain
                )))
            }
        };
        if !current.table_exists {
            p.steps.push(Step::CreateTable);
            p.ops.push(BatchOp {
                msg: Table::named(d.family, &d.table).to_msg(msg::NEWTABLE, NLM_F_CREATE),
                op: "TABLE_ADD".into(),
                what: format!("table {fam} {}", d.table),
            });
        }
        let mut c = Chain::regular(d.family, &d.table, &d.chain);
        if let Some(b) = base {
            c.attrs.hook = Some(Hook {
                num: Some(b.hook),
                priority: Some(b.priority),
                dev: b.device.clone(),
                ..Default::default()
            });
            c.attrs.chain_type = Some(b.chain_type.clone());
            c.attrs.policy = b.policy;
        }
        p.steps.push(Step::CreateChain);
        p.ops.push(BatchOp {
            msg: c.to_msg(msg::NEWCHAIN, NLM_F_CREATE),
            op: "CHAIN_ADD".into(),
            what: where_.clone(),
        });
    }

    // Classify the current rules.
    let mut cur: Vec<Cur<'_>> = Vec::with_capacity(current.rules.len());
    let mut foreign = 0usize;
    for r in &current.rules {
        let tag = Tag::of_rule(r);
        cur.push(Cur {
            rule: r,
            tag: tag.clone(),
            foreign_before: foreign,
        });
        if tag.is_none() {
            foreign += 1;
        }
    }
    let total_foreign = foreign;
    let handle_of = |i: usize| -> Result<u64> {
        cur[i].rule.attrs.handle.ok_or_else(|| {
            Error::Protocol(format!("a rule in {where_} was dumped without a handle"))
        })
    };
    // Foreign rules strictly between chain indices a < b.
    let foreign_between = |a: usize, b: usize| -> usize {
        let after_a = cur[a].foreign_before + usize::from(cur[a].tag.is_none());
        cur[b].foreign_before - after_a
    };

    // The anchor, for After/Before.
    let anchor = match &d.placement {
        Placement::After(a) | Placement::Before(a) => {
            let found = cur.iter().position(|c| match a {
                Anchor::Rule { owner, key } => c
                    .tag
                    .as_ref()
                    .is_some_and(|t| t.owner == *owner && t.key == *key),
                Anchor::Comment(text) => c.rule.comment().as_deref() == Some(text.as_str()),
            });
            match found {
                Some(i) if cur[i].tag.as_ref().is_some_and(|t| t.owner == d.owner) => {
                    return Err(Error::Input(format!(
                        "placement anchor ({a}) is one of {}'s own rules",
                        d.owner
                    )))
                }
                Some(i) => Some(i),
                None => {
                    return Err(Error::Input(format!(
                        "placement anchor ({a}) not found in {where_}"
                    )))
                }
            }
        }
        _ => None,
    };
    let in_zone = |i: usize| -> bool {
        match (&d.placement, anchor) {
            (Placement::Head, _) => cur[i].foreign_before == 0,
            (Placement::Tail, _) => cur[i].foreign_before == total_foreign,
            (Placement::After(_), Some(a)) => i > a && foreign_between(a, i) == 0,
            (Placement::Before(_), Some(a)) => i < a && foreign_between(i, a) == 0,
            _ => false,
        }
    };

    // What each desired rule should look like.
    let want: Vec<(Vec<u8>, Vec<u8>)> = d
        .rules
        .iter()
        .map(|r| -> Result<(Vec<u8>, Vec<u8>)> {
            let t = Tag::new(&d.owner, &r.key)?;
            Ok((canonical_exprs(&r.exprs), t.userdata(r.comment.as_deref())?))
        })
        .collect::<Result<_>>()?;
    let index: HashMap<&str, usize> = d
        .rules
        .iter()
        .enumerate()
        .map(|(i, r)| (r.key.as_str(), i))
        .collect();
    let same_exprs = |i: usize, k: usize| canonical_exprs(cur[i].rule.exprs()) == want[k].0;
    let same_all = |i: usize, k: usize| {
        same_exprs(i, k) && cur[i].rule.attrs.userdata.as_deref() == Some(want[k].1.as_slice())
    };

    // Our rules per desired index; stale ones are deleted.
    let mut deletes: Vec<(usize, DeleteReason)> = Vec::new();
    let mut cands: Vec<Vec<usize>> = vec![Vec::new(); d.rules.len()];
    for (i, c) in cur.iter().enumerate() {
        let Some(t) = &c.tag else { continue };
        if t.owner != d.owner {
            continue;
        }
        match index.get(t.key.as_str()) {
            Some(&k) => cands[k].push(i),
            None => deletes.push((i, DeleteReason::Stale)),
        }
    }
    // One keeper per key among those in place: preferably unchanged.
    let mut keeper: Vec<Option<usize>> = vec![None; d.rules.len()];
    // The old rule of a key that is re-created, for counter carry-over.
    let mut old: Vec<Option<usize>> = vec![None; d.rules.len()];
    for (k, list) in cands.iter().enumerate() {
        let pick = list
            .iter()
            .copied()
            .find(|&i| in_zone(i) && same_all(i, k))
            .or_else(|| list.iter().copied().find(|&i| in_zone(i)));
        keeper[k] = pick;
        let mut first_misplaced = pick.is_none();
        for &i in list {
            if Some(i) == pick {
                continue;
            }
            if first_misplaced {
                first_misplaced = false;
                old[k] = Some(i);
                deletes.push((i, DeleteReason::Misplaced));
            } else {
                deletes.push((i, DeleteReason::Duplicate));
            }
        }
    }
    // Keep the longest subsequence of keepers already in desired order.
    let mut seq: Vec<(usize, usize)> = keeper
        .iter()
        .enumerate()
        .filter_map(|(k, i)| i.map(|i| (i, k)))
        .collect();
    seq.sort_unstable();
    let keys_in_chain_order: Vec<usize> = seq.iter().map(|&(_, k)| k).collect();
    let lis = longest_increasing(&keys_in_chain_order);
    let mut kept: Vec<Option<usize>> = vec![None; d.rules.len()];
    for (n, &(i, k)) in seq.iter().enumerate() {
        if lis[n] {
            kept[k] = Some(i);
        } else {
            old[k] = Some(i);
            deletes.push((i, DeleteReason::Misplaced));
        }
    }

    // Deletes, in chain order.
    deletes.sort_unstable_by_key(|&(i, _)| i);
    for &(i, reason) in &deletes {
        let h = handle_of(i)?;
        let key = cur[i]
            .tag
            .as_ref()
            .map(|t| t.key.clone())
            .unwrap_or_default();
        let mut r = Rule::new(d.family, &d.table, &d.chain, Vec::new());
        r.attrs.exprs = None;
        r.attrs.handle = Some(h);
        p.steps.push(Step::Delete {
            handle: h,
            key: key.clone(),
            reason,
        });
        p.ops.push(BatchOp {
            msg: r.to_msg(msg::DELRULE, 0),
            op: "RULE_DELETE".into(),
            what: format!("rule {}/{key} handle {h} in {where_}", d.owner),
        });
    }

    let new_rule = |k: usize, from: Option<usize>| -> Rule {
        let r = &d.rules[k];
        let exprs = match from {
            Some(i) if same_exprs(i, k) => carry_counters(&r.exprs, cur[i].rule.exprs()),
            _ => r.exprs.clone(),
        };
        let mut rule = Rule::new(d.family, &d.table, &d.chain, exprs);
        rule.attrs.userdata = Some(want[k].1.clone().into());
        rule
    };

    // Replaces of kept rules that changed.
    for (k, &i) in kept.iter().enumerate() {
        let Some(i) = i else { continue };
        if same_all(i, k) {
            continue;
        }
        let h = handle_of(i)?;
        let mut rule = new_rule(k, Some(i));
        rule.attrs.handle = Some(h);
        p.steps.push(Step::Replace {
            handle: h,
            key: d.rules[k].key.clone(),
        });
        p.ops.push(BatchOp {
            msg: rule.to_msg(msg::NEWRULE, NLM_F_REPLACE),
            op: "RULE_REPLACE".into(),
            what: format!("rule {}/{} handle {h} in {where_}", d.owner, d.rules[k].key),
        });
    }

    // Inserts: before the next kept rule; the ones after the last kept rule
    // right after it (in reverse order); with nothing kept, where the
    // placement says.
    let last_kept = (0..d.rules.len()).rev().find(|&k| kept[k].is_some());
    let mut order: Vec<(usize, Position)> = Vec::new();
    let mut trailing: Vec<usize> = Vec::new();
    for k in 0..d.rules.len() {
        if kept[k].is_some() {
            continue;
        }
        match (k + 1..d.rules.len()).find_map(|n| kept[n]) {
            Some(i) => order.push((k, Position::Before(handle_of(i)?))),
            None => trailing.push(k),
        }
    }
    let (trail_at, reverse) = match (last_kept.and_then(|k| kept[k]), &d.placement, anchor) {
        (Some(i), _, _) => (Position::After(handle_of(i)?), true),
        (None, Placement::Head, _) => (Position::Top, true),
        (None, Placement::Tail, _) => (Position::End, false),
        (None, Placement::After(_), Some(a)) => (Position::After(handle_of(a)?), true),
        (None, Placement::Before(_), Some(a)) => (Position::Before(handle_of(a)?), false),
        (None, _, None) => (Position::End, false),
    };
    if reverse {
        trailing.reverse();
    }
    order.extend(trailing.into_iter().map(|k| (k, trail_at)));
    for (k, at) in order {
        let mut rule = new_rule(k, old[k]);
        let (flags, op) = match at {
            Position::Top => (NLM_F_CREATE, "RULE_INSERT"),
            Position::End => (NLM_F_CREATE | NLM_F_APPEND, "RULE_APPEND"),
            Position::Before(h) => {
                rule.attrs.position = Some(h);
                (NLM_F_CREATE, "RULE_INSERT")
            }
            Position::After(h) => {
                rule.attrs.position = Some(h);
                (NLM_F_CREATE | NLM_F_APPEND, "RULE_APPEND")
            }
        };
        let key = d.rules[k].key.clone();
        p.ops.push(BatchOp {
            msg: rule.to_msg(msg::NEWRULE, flags),
            op: op.into(),
            what: format!("rule {}/{key} in {where_}", d.owner),
        });
        p.steps.push(Step::Insert { key, at });
    }
    Ok(p)
}

/// Mark a longest strictly increasing subsequence of `v` (O(n log n)).
fn longest_increasing(v: &[usize]) -> Vec<bool> {
    // tails[l] = index in v of the smallest tail of an increasing
    // subsequence of length l+1; prev links for reconstruction.
    let mut tails: Vec<usize> = Vec::new();
    let mut prev: Vec<Option<usize>> = vec![None; v.len()];
    for i in 0..v.len() {
        let l = tails.partition_point(|&t| v[t] < v[i]);
        if l > 0 {
            prev[i] = Some(tails[l - 1]);
        }
        if l == tails.len() {
            tails.push(i);
        } else {
            tails[l] = i;
        }
    }
    let mut mark = vec![false; v.len()];
    let mut at = tails.last().copied();
    while let Some(i) = at {
        mark[i] = true;
        at = prev[i];
    }
    mark
}

/// What [`apply`] did.
#[derive(Debug, Default)]
pub struct Applied {
    /// The plans that were sent (one per [`Desired`]; all empty when the
    /// chains were already converged and nothing was sent).
    pub plans: Vec<Plan>,
    /// How many times the state was read and planned (more than 1 when a
    /// concurrent change made the kernel refuse a batch).
    pub attempts: usize,
    /// Generation id the sent plan was based on.
    pub generation: u32,
}

impl Applied {
    /// True when something was sent.
    pub fn changed(&self) -> bool {
        self.plans.iter().any(|p| !p.is_empty())
    }
}

/// Converge one chain (see [`apply_all`]).
pub fn apply(conn: &mut Conn, desired: &Desired) -> Result<Applied> {
    apply_all(conn, std::slice::from_ref(desired))
}

/// Converge several chains (or owners) in one atomic, generation-guarded
/// batch; if the ruleset changes between reading and sending, everything is
/// read and planned again.
pub fn apply_all(conn: &mut Conn, desired: &[Desired]) -> Result<Applied> {
    apply_with(conn, desired, |_, _| {})
}

/// Like [`apply_all`], calling `hook(attempt, plans)` after each planning
/// and before the batch is sent (attempts count from 0); for logging, and
/// for tests that change the ruleset at exactly that moment.
pub fn apply_with<H>(conn: &mut Conn, desired: &[Desired], mut hook: H) -> Result<Applied>
where
    H: FnMut(usize, &[Plan]),
{
    for d in desired {
        d.validate()?;
    }
    let mut out = Applied::default();
    crate::netlink::transact(conn, |conn, genid| {
        let mut plans = Vec::with_capacity(desired.len());
        let mut created: Vec<(u8, String, Option<String>)> = Vec::new();
        for d in desired {
            let st = read_once(conn, d.family, &d.table, &d.chain)?;
            let mut p = plan(&st, d)?;
            // Two sections creating the same table or chain: once is enough.
            let keep: Vec<bool> = p
                .steps
                .iter()
                .map(|s| {
                    let id = match s {
                        Step::CreateTable => (d.family, d.table.clone(), None),
                        Step::CreateChain => (d.family, d.table.clone(), Some(d.chain.clone())),
                        _ => return true,
                    };
                    if created.contains(&id) {
                        false
                    } else {
                        created.push(id);
                        true
                    }
                })
                .collect();
            let mut it = keep.iter();
            p.steps.retain(|_| *it.next().unwrap_or(&true));
            let mut it = keep.iter();
            p.ops.retain(|_| *it.next().unwrap_or(&true));
            plans.push(p);
        }
        if conn.generation()? != genid {
            return Err(Error::GenerationChanged);
        }
        hook(out.attempts, &plans);
        out.attempts += 1;
        out.generation = genid;
        let ops: Vec<BatchOp> = plans.iter().flat_map(|p| p.ops.iter().cloned()).collect();
        out.plans = plans;
        Ok(ops)
    })?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::VerdictCode;
    use crate::expr::Immediate;

    fn rule(handle: u64, tag: Option<(&str, &str)>, verdict: VerdictCode) -> Rule {
        let mut r = Rule::new(
            2,
            "nat",
            "PRE",
            vec![Immediate::verdict(verdict, None).into()],
        );
        r.attrs.handle = Some(handle);
        if let Some((o, k)) = tag {
            r.attrs.userdata = Some(Tag::new(o, k).unwrap().userdata(None).unwrap().into());
        }
        r
    }

    fn desired(owner: &str, placement: Placement, keys: &[(&str, VerdictCode)]) -> Desired {
        Desired {
            family: 2,
            table: "nat".into(),
            chain: "PRE".into(),
            kind: ChainKind::Regular,
            owner: owner.into(),
            placement,
            rules: keys
                .iter()
                .map(|(k, v)| DesiredRule::new(k, vec![Immediate::verdict(*v, None).into()]))
                .collect(),
        }
    }

    fn state(rules: Vec<Rule>) -> ChainState {
        ChainState {
            table_exists: true,
            chain: Some(Chain::regular(2, "nat", "PRE")),
            rules,
            generation: 1,
        }
    }

    use VerdictCode::{Accept as A, Drop as D};

    #[test]
    fn lis_marks_a_longest_run() {
        let m = longest_increasing(&[2, 0, 1, 3]);
        assert_eq!(m, vec![false, true, true, true]);
        assert_eq!(longest_increasing(&[]), Vec::<bool>::new());
        assert_eq!(
            longest_increasing(&[1, 0]).iter().filter(|&&b| b).count(),
            1
        );
    }

    #[test]
    fn converged_is_empty() {
        let st = state(vec![
            rule(1, Some(("b", "x")), A),
            rule(2, Some(("a", "k1")), A),
            rule(3, Some(("a", "k2")), D),
            rule(4, None, A),
        ]);
        let d = desired("a", Placement::Head, &[("k1", A), ("k2", D)]);
        assert!(plan(&st, &d).unwrap().is_empty());
    }

    #[test]
    fn swap_moves_one_rule() {
        let st = state(vec![
            rule(1, Some(("a", "k2")), D),
            rule(2, Some(("a", "k1")), A),
            rule(3, None, A),
        ]);
        let d = desired("a", Placement::Head, &[("k1", A), ("k2", D)]);
        let p = plan(&st, &d).unwrap();
        assert_eq!(p.steps.len(), 2, "{:?}", p.steps);
        assert!(matches!(
            p.steps[0],
            Step::Delete {
                reason: DeleteReason::Misplaced,
                ..
            }
        ));
        assert!(matches!(p.steps[1], Step::Insert { .. }));
    }

    #[test]
    fn changed_is_replaced_duplicate_and_stale_deleted() {
        let st = state(vec![
            rule(1, Some(("a", "k1")), D),
            rule(2, Some(("a", "k1")), A),
            rule(3, Some(("a", "old")), A),
            rule(4, None, A),
        ]);
        let d = desired("a", Placement::Head, &[("k1", A)]);
        let p = plan(&st, &d).unwrap();
        // The unchanged copy (handle 2) is kept; 1 and 3 go.
        assert_eq!(
            p.steps,
            vec![
                Step::Delete {
                    handle: 1,
                    key: "k1".into(),
                    reason: DeleteReason::Duplicate
                },
                Step::Delete {
                    handle: 3,
                    key: "old".into(),
                    reason: DeleteReason::Stale
                },
            ]
        );
        let d = desired("a", Placement::Head, &[("k1", D), ("old", A)]);
        let p = plan(&st, &d).unwrap();
        assert_eq!(
            p.steps,
            vec![Step::Delete {
                handle: 2,
                key: "k1".into(),
                reason: DeleteReason::Duplicate
            }]
        );
    }

    #[test]
    fn foreign_before_ours_violates_head() {
        let st = state(vec![rule(1, None, A), rule(2, Some(("a", "k1")), A)]);
        let d = desired("a", Placement::Head, &[("k1", A)]);
        let p = plan(&st, &d).unwrap();
        assert_eq!(p.steps.len(), 2);
        assert_eq!(
            p.steps[1],
            Step::Insert {
                key: "k1".into(),
                at: Position::Top
            }
        );
        let d = desired("a", Placement::Tail, &[("k1", A)]);
        assert!(plan(&st, &d).unwrap().is_empty());
    }

    #[test]
    fn anchors() {
        let st = state(vec![
            rule(1, None, A),
            rule(2, Some(("b", "x")), A),
            rule(3, None, D),
        ]);
        let anchor = Anchor::Rule {
            owner: "b".into(),
            key: "x".into(),
        };
        let d = desired(
            "a",
            Placement::After(anchor.clone()),
            &[("k1", A), ("k2", D)],
        );
        let p = plan(&st, &d).unwrap();
        assert_eq!(
            p.steps,
            vec![
                Step::Insert {
                    key: "k2".into(),
                    at: Position::After(2)
                },
                Step::Insert {
                    key: "k1".into(),
                    at: Position::After(2)
                },
            ]
        );
        let d = desired("a", Placement::Before(anchor), &[("k1", A), ("k2", D)]);
        let p = plan(&st, &d).unwrap();
        assert_eq!(
            p.steps,
            vec![
                Step::Insert {
                    key: "k1".into(),
                    at: Position::Before(2)
                },
                Step::Insert {
                    key: "k2".into(),
                    at: Position::Before(2)
                },
            ]
        );
        let missing = Anchor::Comment("nope".into());
        let d = desired("a", Placement::After(missing), &[("k1", A)]);
        assert!(matches!(plan(&st, &d), Err(Error::Input(_))));
    }

    #[test]
    fn missing_base_chain_is_an_error() {
        let st = ChainState::default();
        let mut d = desired("a", Placement::Head, &[("k1", A)]);
        d.kind = ChainKind::Base(None);
        assert!(matches!(plan(&st, &d), Err(Error::Input(_))));
        d.kind = ChainKind::Regular;
        let p = plan(&st, &d).unwrap();
        assert_eq!(p.steps[..2], [Step::CreateTable, Step::CreateChain]);
    }

    #[test]
    fn canonical_ignores_flags_and_counters() {
        let a = vec![
            Expr::Counter(Counter::new(5, 500)),
            Immediate::verdict(A, None).into(),
        ];
        let b = vec![
            Expr::Counter(Counter::new(0, 0)),
            Immediate::verdict(A, None).into(),
        ];
        assert_eq!(canonical_exprs(&a), canonical_exprs(&b));
        // libmnl's form (NLA_F_NESTED on every nest; the kernel itself
        // dumps nf_tables nests without it) compares equal too.
        let imm: Vec<Expr> = vec![Immediate::verdict(A, None).into()];
        let mut w = Writer::new();
        imm[0].write_elem(&mut w);
        let mut flagged = Writer::new();
        add_nested_flags(&w.buf, &mut flagged, 0);
        assert_ne!(flagged.buf, w.buf);
        let parsed =
            <crate::expr::ExprList as crate::nla::Attribute>::decode(&flagged.buf.into()).unwrap();
        assert_eq!(canonical_exprs(&parsed.0), canonical_exprs(&imm));
        assert_ne!(canonical_exprs(&parsed.0), canonical_exprs(&b));
    }

    /// Set NLA_F_NESTED on the list elements, expression data and verdict
    /// nests, as the kernel does.
    fn add_nested_flags(buf: &[u8], out: &mut Writer, depth: usize) {
        for a in crate::nla::AttrIter::new(bytes::Bytes::copy_from_slice(buf)) {
            let nested = match depth {
                0 => true,          // NFTA_LIST_ELEM
                1 => a.kind() == 2, // NFTA_EXPR_DATA
                2 => a.kind() == 2, // NFTA_IMMEDIATE_DATA
                3 => a.kind() == 2, // NFTA_DATA_VERDICT
                _ => false,
            };
            if nested {
                let n = out.begin(a.ty | NLA_F_NESTED);
                add_nested_flags(&a.payload, out, depth + 1);
                out.end(n);
            } else {
                a.write(out);
            }
        }
    }
}
