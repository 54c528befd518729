//! The incremental `iptables-restore --noflush`: a declared user chain
//! (`:CHAIN - [0:0]`) is not flushed and refilled; the restore's commands
//! run on the model as usual, with each declared chain starting empty, and
//! at `COMMIT` the rule operations on those chains are replaced by the
//! difference between what the kernel holds in them and what the restore
//! leaves in them ([`crate::resync::plan`]). An unchanged chain costs one
//! dump and no operation; an input that changes nothing sends no batch.
//!
//! Two things differ from a rebuild (`NFTWIRE_RESTORE=rebuild` restores
//! the old behaviour): rules that stay keep their handles and counters, and
//! foreign rules of a declared chain stay beside the iptables rules that
//! stay instead of moving to the chain's start.

use crate::kernel::{self, F_APPEND, F_CREATE, F_REPLACE};
use crate::model::{MResult, Model};
use crate::parse::{cmd, opt, Parsed};
use crate::prefetch::Prefetched;
use crate::restore::KeyedLine;
use crate::resync::{plan, Held, Op};
use crate::rulekey::rule_key;
use nftwire::consts::msg;
use nftwire::iptables::decode::Decoded;
use nftwire::iptables::{IptError, IptRule};
use nftwire::netlink::{BatchOp, Conn, NfMsg};
use nftwire::nla::SliceIter;
use nftwire::object::{Rule, RuleAttrs};
use std::collections::{BTreeSet, HashMap, HashSet};

/// `NFTA_RULE_CHAIN`.
const RULE_CHAIN: u16 = 2;
/// `NFTA_RULE_HANDLE`.
const RULE_HANDLE: u16 = 3;
/// `NFTA_CHAIN_NAME`.
const CHAIN_NAME: u16 = 3;

/// Whether the environment asks for the rebuild path
/// (`NFTWIRE_RESTORE=rebuild`).
pub fn rebuild_forced() -> bool {
    std::env::var_os("NFTWIRE_RESTORE").is_some_and(|v| v == "rebuild")
}

/// Whether the incremental path handles a restore whose command lines are
/// `commands` (each: its `CMD_*` bits and whether it names a chain). Rule
/// commands, `-N`, `-X CHAIN` and `-P` are handled; `-F`, `-Z`, `-E` and
/// `-X` of every chain take the rebuild path.
pub fn handles(mut commands: impl Iterator<Item = (u32, bool)>) -> bool {
    commands.all(|(c, named)| match c {
        cmd::APPEND
        | cmd::INSERT
        | cmd::DELETE
        | cmd::DELETE_NUM
        | cmd::REPLACE
        | cmd::NEW_CHAIN
        | cmd::SET_POLICY
        | cmd::CHECK => true,
        cmd::DELETE_CHAIN => named,
        _ => false,
    })
}

/// The incremental path's state while one table's lines run.
#[derive(Default)]
pub struct Resync<'a> {
    /// Declared user chains that existed: reconciled at the end.
    reset: BTreeSet<String>,
    /// Chains named by a command other than `-A`: their rules are kept in
    /// the model, which counts positions.
    complex: HashSet<String>,
    /// Rules appended to the other declared chains (encoded only when
    /// compared, on the threads that read the chains, unless kept with
    /// their keys).
    appended: Vec<Vec<Want<'a>>>,
    /// Where each chain's list is in `appended`.
    appended_at: HashMap<String, usize>,
    /// The declared chains' rules, read while the lines were parsed.
    prefetched: Option<Prefetched>,
}

/// A rule a declared chain is to hold.
enum Want<'a> {
    /// As the model would send it.
    Sent(NfMsg),
    /// An appended rule, not encoded yet.
    Parsed(&'a IptRule),
    /// An appended line kept with its key (read again only to be sent).
    Line(&'a KeyedLine),
}

/// Buffers reused while keys are computed.
#[derive(Default)]
struct Scratch {
    want: Vec<u8>,
    held: Vec<u8>,
    writer: nftwire::nla::Writer,
}

impl Want<'_> {
    /// The message that adds it to `chain`.
    fn message(&self, fam: u8, table: &str, chain: &str) -> Result<NfMsg, IptError> {
        match self {
            Want::Sent(m) => Ok(m.clone()),
            Want::Parsed(r) => Ok(crate::model::encode_rule(fam, table, chain, r)?
                .to_msg(msg::NEWRULE, F_CREATE | F_APPEND)),
            Want::Line(k) => {
                let p = k
                    .parsed()
                    .ok_or_else(|| IptError::param("line read differently"))?;
                let [r] = p.rules.as_slice() else {
                    return Err(IptError::param("line read differently"));
                };
                Ok(crate::model::encode_rule(fam, table, chain, r)?
                    .to_msg(msg::NEWRULE, F_CREATE | F_APPEND))
            }
        }
    }

    /// Its comparison key ([`rule_key`] of [`Want::message`]), computed
    /// into `out` unless it is known.
    fn key<'s>(
        &'s self,
        table: &str,
        out: &'s mut Vec<u8>,
        writer: &mut nftwire::nla::Writer,
    ) -> Result<&'s [u8], IptError> {
        match self {
            Want::Line(k) => return Ok(&k.key),
            Want::Sent(m) => rule_key(&m.body, out),
            Want::Parsed(r) => crate::model::encoded_key(table, r, writer, out)?,
        }
        Ok(out)
    }
}

impl<'a> Resync<'a> {
    /// The state for a restore whose command lines are `commands` (each:
    /// its `CMD_*` bits and the chain it names).
    pub fn new<'b>(
        commands: impl Iterator<Item = (u32, Option<&'b str>)>,
        prefetched: Option<Prefetched>,
    ) -> Resync<'a> {
        let mut r = Resync {
            prefetched,
            ..Default::default()
        };
        for (c, chain) in commands {
            if c != cmd::APPEND {
                r.complex.extend(chain.map(str::to_string));
            }
        }
        r
    }

    /// `:CHAIN` of an existing user chain: the chain starts empty (its
    /// rules are reconciled at the end by [`Resync::reconcile`]) and
    /// nothing is sent. Returns false for a chain created in this batch,
    /// which is flushed as usual.
    pub fn declare(&mut self, m: &mut Model, name: &str) -> bool {
        match m.chains.get_mut(name) {
            Some(Some(c)) if !c.created => {
                c.rules = Some(Vec::new());
                c.pending = Default::default();
                if let Some(&at) = self.appended_at.get(name) {
                    self.appended[at].clear();
                }
                self.reset.insert(name.to_string());
                true
            }
            _ => false,
        }
    }

    /// `-A` to a declared chain no other command names: the rules are kept
    /// aside (no model entry, no batch operation). Nothing is looked up:
    /// an encoding error shows when the rules are compared, a jump to a
    /// missing chain when the kernel refuses the rule (a rule already in
    /// the kernel jumps to a chain that exists), and the rebuild path then
    /// reports either as 1.8.11 does. Returns false for any other command,
    /// which runs on the model.
    pub fn append(&mut self, p: &'a Parsed) -> bool {
        let Some(chain) = p.chain.as_deref() else {
            return false;
        };
        if p.command != cmd::APPEND
            || p.options & opt::VERBOSE != 0
            || !self.reset.contains(chain)
            || self.complex.contains(chain)
        {
            return false;
        }
        self.to(chain).extend(p.rules.iter().map(Want::Parsed));
        true
    }

    /// [`Resync::append`] for a line kept as its key.
    pub fn append_keyed(&mut self, k: &'a KeyedLine) -> bool {
        if !self.reset.contains(&k.chain) || self.complex.contains(&k.chain) {
            return false;
        }
        self.to(&k.chain).push(Want::Line(k));
        true
    }

    /// The rules appended to `chain` so far.
    fn to(&mut self, chain: &str) -> &mut Vec<Want<'a>> {
        let at = match self.appended_at.get(chain) {
            Some(&at) => at,
            None => {
                self.appended_at
                    .insert(chain.to_string(), self.appended.len());
                self.appended.push(Vec::new());
                self.appended.len() - 1
            }
        };
        &mut self.appended[at]
    }

    /// At the end of the table's lines: see [`reconcile`].
    pub fn reconcile(self, m: &mut Model, conn: &mut Conn) -> MResult<bool> {
        // Read in the same snapshot as the batch, or not used: the batch is
        // guarded by the generation the transaction started at, so a read
        // at this generation that is older than the transaction's start
        // fails the batch, which is then built again without it.
        let pre = match self.prefetched {
            Some(p) if conn.generation().ok() == Some(p.generation) => Some(p),
            _ => None,
        };
        let mut lists: Vec<Option<Vec<Want>>> = self.appended.into_iter().map(Some).collect();
        let appended = self
            .appended_at
            .into_iter()
            .filter_map(|(name, at)| Some((name, lists.get_mut(at)?.take()?)))
            .collect();
        reconcile(m, conn, &self.reset, appended, pre)
    }
}

/// One rule the kernel holds in a declared chain.
pub struct HeldRule {
    /// Its handle.
    handle: u64,
    /// Its comparison key ([`rule_key`]).
    key: Vec<u8>,
    /// The dumped message.
    msg: NfMsg,
}

/// The payload of attribute `ty` of a message body.
fn attr(body: &[u8], ty: u16) -> Option<&[u8]> {
    SliceIter::new(body)
        .find(|(t, _)| t & 0x3fff == ty)
        .map(|(_, p)| p)
}

/// A string attribute of a message body, without its NUL.
fn name_attr(body: &[u8], ty: u16) -> Option<&[u8]> {
    attr(body, ty).map(|p| p.strip_suffix(b"\0").unwrap_or(p))
}

/// The chain a rule message body names.
fn chain_of(body: &[u8]) -> Option<&[u8]> {
    name_attr(body, RULE_CHAIN)
}

/// The handle of a rule message body.
fn handle_of(body: &[u8]) -> Option<u64> {
    attr(body, RULE_HANDLE).and_then(|p| p.try_into().ok().map(u64::from_be_bytes))
}

/// Replace the rule operations the batch holds for the declared chains
/// `reset` by the difference between the kernel's rules of those chains and
/// what the restore leaves in them (the model's entries, then `appended`).
/// Returns false (and leaves the batch unusable) when the batch creates a
/// chain after deleting one, which the reordering cannot keep: the caller
/// then takes the rebuild path.
fn reconcile(
    m: &mut Model,
    conn: &mut Conn,
    reset: &BTreeSet<String>,
    mut appended: HashMap<String, Vec<Want>>,
    pre: Option<Prefetched>,
) -> MResult<bool> {
    if reset.is_empty() {
        return Ok(true);
    }
    let fam = m.family.nfproto();
    let table = m.table.clone();
    // The batch without the rule operations of the declared chains. The
    // planned operations go after every chain creation (a new rule may jump
    // to a chain created here) and before every chain deletion (a removed
    // rule may have jumped to it).
    let mut kept: Vec<BatchOp> = Vec::with_capacity(m.ops.len());
    let (mut after_create, mut first_delete) = (0usize, None);
    // Declared chains holding a rule this batch appended (since their last
    // flush): deleting one fails in the kernel (EBUSY), as it does for
    // 1.8.11, which the rebuild path then reports.
    let mut filled: HashSet<Vec<u8>> = HashSet::new();
    for op in std::mem::take(&mut m.ops) {
        let t = op.msg.msg();
        let chain = if t == msg::DELCHAIN {
            name_attr(&op.msg.body, CHAIN_NAME)
        } else {
            chain_of(&op.msg.body)
        }
        .map(<[u8]>::to_vec);
        let declared = chain
            .as_deref()
            .is_some_and(|c| std::str::from_utf8(c).is_ok_and(|c| reset.contains(c)));
        if declared && t == msg::DELCHAIN && chain.as_ref().is_some_and(|c| filled.contains(c)) {
            return Ok(false);
        }
        if declared && (t == msg::NEWRULE || t == msg::DELRULE) {
            if let Some(c) = chain {
                if t == msg::NEWRULE {
                    filled.insert(c);
                } else if handle_of(&op.msg.body).is_none() {
                    filled.remove(&c);
                }
            }
            continue;
        }
        if t == msg::NEWCHAIN || t == msg::NEWTABLE {
            after_create = kept.len() + 1;
        }
        if t == msg::DELCHAIN && first_delete.is_none() {
            first_delete = Some(kept.len());
        }
        kept.push(op);
    }
    let at = first_delete.unwrap_or(kept.len());
    if at < after_create {
        return Ok(false);
    }
    // What each declared chain holds at the end (a deleted chain: nothing).
    let names: Vec<&String> = reset.iter().collect();
    let mut wanted: Vec<Vec<Want>> = Vec::with_capacity(names.len());
    for n in &names {
        let mut v = Vec::new();
        if let Some(Some(c)) = m.chains.get_mut(n.as_str()) {
            for e in c.rules.take().unwrap_or_default() {
                v.push(Want::Sent(match e.message() {
                    Some(nf) => nf.clone(),
                    None => e.rule().to_msg(msg::NEWRULE, F_CREATE),
                }));
            }
            c.rules = Some(Vec::new());
        }
        v.extend(appended.remove(n.as_str()).unwrap_or_default());
        wanted.push(v);
    }
    // The kernel's rules of those chains: read while the lines were parsed
    // (then compared here), or one dump each, spread over one connection
    // per CPU; a chain that already holds exactly the wanted rules is
    // dropped right there.
    let mut pre = pre.map(|p| p.chains).unwrap_or_default();
    let mut held: Vec<Option<Vec<HeldRule>>> = Vec::with_capacity(names.len());
    let mut missing: Vec<usize> = Vec::new();
    for (i, n) in names.iter().enumerate() {
        match pre.remove(n.as_str()) {
            Some(h) if same_rules(&h, &wanted[i], &table) => held.push(None),
            Some(mut h) => {
                for r in &mut h {
                    if r.key.is_empty() {
                        rule_key(&r.msg.body, &mut r.key);
                    }
                }
                held.push(Some(h))
            }
            None => {
                missing.push(i);
                held.push(None);
            }
        }
    }
    let mut at_missing = 0usize;
    nftwire::netlink::parallel::ordered_chunks(
        conn,
        missing.len(),
        nftwire::ruleset::CHAINS_PER_PART,
        |conn, range| {
            let mut scratch = Scratch::default();
            range
                .map(|j| {
                    let i = missing[j];
                    held_if_changed(conn, fam, &table, names[i], &wanted[i], &mut scratch)
                })
                .collect::<nftwire::Result<Vec<_>>>()
        },
        |part| {
            for h in part {
                held[missing[at_missing]] = h;
                at_missing += 1;
            }
            Ok(())
        },
    )?;
    let mut planned: Vec<BatchOp> = Vec::new();
    for (i, h) in held.into_iter().enumerate() {
        let Some(h) = h else { continue };
        let chain = names[i].as_str();
        let msgs: Vec<NfMsg> = wanted[i]
            .iter()
            .map(|w| w.message(fam, &table, chain))
            .collect::<Result<_, _>>()?;
        let mut writer = nftwire::nla::Writer::new();
        let keys: Vec<Vec<u8>> = wanted[i]
            .iter()
            .map(|w| {
                let mut k = Vec::new();
                w.key(&table, &mut k, &mut writer).map(<[u8]>::to_vec)
            })
            .collect::<Result<_, _>>()?;
        let want: Vec<&[u8]> = keys.iter().map(Vec::as_slice).collect();
        let known: HashSet<&[u8]> = want.iter().copied().collect();
        let held_list: Vec<Held> = h
            .iter()
            .map(|r| Held {
                handle: r.handle,
                key: &r.key,
                foreign: !known.contains(r.key.as_slice()) && is_foreign(&r.msg, &table),
            })
            .collect();
        for op in plan(&want, &held_list) {
            planned.push(batch_op(fam, &table, chain, op, &msgs));
        }
    }
    m.ops = kept;
    m.ops.splice(at..at, planned);
    Ok(true)
}

/// The kernel's rules of `chain`, or None when they are exactly `want`.
fn held_if_changed(
    conn: &mut Conn,
    fam: u8,
    table: &str,
    chain: &str,
    want: &[Want],
    scratch: &mut Scratch,
) -> nftwire::Result<Option<Vec<HeldRule>>> {
    let mut out = dump_held(conn, fam, table, chain, true)?;
    if out.len() == want.len()
        && out
            .iter()
            .zip(want)
            .all(|(h, w)| same_rule(h, w, table, scratch))
    {
        return Ok(None);
    }
    // A dumped message shares the 512 KiB receive chunk it came in (taken
    // back only when every message of it is dropped): the kept ones are
    // copied, so a few changed chains do not pin every chunk.
    for r in &mut out {
        r.msg.body = r.msg.body.to_vec().into();
    }
    Ok(Some(out))
}

/// The iptables-visible rules the kernel holds in `chain` (none when the
/// chain does not exist), in order, each with its handle and, if `keys`,
/// its key (else an empty one, computed when compared).
pub fn dump_held(
    conn: &mut Conn,
    fam: u8,
    table: &str,
    chain: &str,
    keys: bool,
) -> nftwire::Result<Vec<HeldRule>> {
    let sel = nftwire::object::selector(&[(1, table), (2, chain)]);
    let v = match conn.dump(msg::GETRULE, fam, sel) {
        Ok(v) => v,
        Err(nftwire::Error::Kernel { errno: 2, .. }) => Vec::new(),
        Err(e) => return Err(e),
    };
    let mut out: Vec<HeldRule> = Vec::with_capacity(v.len());
    for nf in v {
        if nf.msg() != msg::NEWRULE || chain_of(&nf.body) != Some(chain.as_bytes()) {
            continue;
        }
        let Some(handle) = handle_of(&nf.body) else {
            continue;
        };
        let mut key = Vec::new();
        if keys {
            rule_key(&nf.body, &mut key);
        }
        out.push(HeldRule {
            handle,
            key,
            msg: nf,
        });
    }
    Ok(out)
}

/// Whether the kernel rule `h` is the wanted rule `w` (each key computed
/// in `scratch` unless known). A rule that does not encode is not the
/// same: the planning reports its error.
fn same_rule(h: &HeldRule, w: &Want, table: &str, scratch: &mut Scratch) -> bool {
    let Ok(want) = w.key(table, &mut scratch.want, &mut scratch.writer) else {
        return false;
    };
    if h.key.is_empty() {
        rule_key(&h.msg.body, &mut scratch.held);
        return *want == *scratch.held;
    }
    *want == *h.key
}

/// Whether the kernel rules `held` (read before, see [`crate::prefetch`])
/// are exactly `want`: compared in parts on one thread per CPU when the
/// chain is long (encoding the wanted rules is most of the cost).
fn same_rules(held: &[HeldRule], want: &[Want], table: &str) -> bool {
    if held.len() != want.len() {
        return false;
    }
    let mut same = true;
    let r = nftwire::netlink::parallel::ordered_map(
        want.len(),
        COMPARE_PART,
        |range| {
            let mut scratch = Scratch::default();
            Ok(range
                .into_iter()
                .all(|i| same_rule(&held[i], &want[i], table, &mut scratch)))
        },
        |part| {
            same &= part;
            Ok(())
        },
    );
    r.is_ok() && same
}

/// Rules per part when one chain's rules are compared in parallel.
const COMPARE_PART: usize = 512;

/// Whether a kernel rule is one iptables cannot express (decoded only for
/// rules the restore does not declare again).
fn is_foreign(nf: &NfMsg, table: &str) -> bool {
    match nftwire::object::decode_msg::<RuleAttrs>(nf) {
        Ok(r) => matches!(crate::model::decode_rule(&r, table), Decoded::Foreign(_)),
        Err(_) => true,
    }
}

/// The batch operation for one planned step on `chain`.
fn batch_op(fam: u8, table: &str, chain: &str, op: Op, wanted: &[NfMsg]) -> BatchOp {
    let named = |handle: Option<u64>| Rule {
        family: fam,
        attrs: RuleAttrs {
            table: Some(table.to_string()),
            chain: Some(chain.to_string()),
            handle,
            ..Default::default()
        },
    };
    // A wanted rule as sent by the model, without its batch id or position.
    let new_rule = |decl: usize| -> Rule {
        let mut r = Rule::from_msg(&wanted[decl]).unwrap_or_else(|| named(None));
        r.attrs.id = None;
        r.attrs.position = None;
        r.attrs.position_id = None;
        r.attrs.handle = None;
        r
    };
    let what = format!("rule in chain {chain}");
    match op {
        Op::Flush => kernel::op(named(None).to_msg(msg::DELRULE, 0), " RULE_FLUSH", what),
        Op::Delete { handle } => kernel::op(
            named(Some(handle)).to_msg(msg::DELRULE, 0),
            " RULE_DELETE",
            what,
        ),
        Op::Replace { handle, decl } => {
            let mut r = new_rule(decl);
            r.attrs.handle = Some(handle);
            kernel::op(
                r.to_msg(msg::NEWRULE, F_CREATE | F_REPLACE),
                " RULE_REPLACE",
                what,
            )
        }
        Op::Insert { decl, before } => {
            let mut r = new_rule(decl);
            let flags = match before {
                Some(h) => {
                    r.attrs.position = Some(h);
                    F_CREATE
                }
                None => F_CREATE | F_APPEND,
            };
            let name = if before.is_some() {
                " RULE_INSERT"
            } else {
                " RULE_APPEND"
            };
            kernel::op(r.to_msg(msg::NEWRULE, flags), name, what)
        }
    }
}
