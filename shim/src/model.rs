//! A lazily loaded picture of one iptables table (only what a command
//! needs is read), and the batch of changes made to it.

use crate::kernel::{self, F_APPEND, F_CREATE, F_EXCL, F_NONREC, F_REPLACE};
use nftwire::consts::msg;
use nftwire::iptables::decode::{decode, Decoded};
use nftwire::iptables::encode::{encode, Purpose};
use nftwire::iptables::tables::{self, BuiltinTable};
use nftwire::iptables::{ExitCode, Family, IptError, IptRule};
use nftwire::netlink::{BatchOp, Conn};
use nftwire::object::{Chain, Rule, RuleAttrs};
use std::cell::OnceCell;
use std::collections::BTreeMap;
use std::sync::Arc;

/// One rule of a chain.
#[derive(Clone, Debug)]
pub struct Entry {
    /// Kernel handle (None for rules added in this batch).
    pub handle: Option<u64>,
    /// `NFTA_RULE_ID` for rules added in this batch.
    pub id: Option<u32>,
    /// The kernel object (or the one being sent), typed when first needed:
    /// see [`Entry::rule`]. Boxed, like `decoded`: most entries of a long
    /// restore never fill either, and inline they made each entry 536
    /// bytes.
    rule: OnceCell<Box<Rule>>,
    /// The dumped message the rule decodes from, kept
    /// instead of the typed rule for iptables rules read from the kernel
    /// (most of a long chain is only compared or printed from its decoded
    /// form, and the typed expressions are many times the message's size).
    dumped: Option<nftwire::netlink::NfMsg>,
    /// The table the rule is in (the decoder needs it).
    pub table: Arc<str>,
    /// What it decodes to, computed on first use: `-C`/`-D` stop at the
    /// first match, so most rules of a long chain are never decoded.
    decoded: OnceCell<Box<Decoded>>,
}

impl Entry {
    /// An entry for a rule known in full.
    pub fn new(rule: Rule, table: Arc<str>, decoded: Decoded) -> Entry {
        Entry {
            handle: rule.attrs.handle,
            id: None,
            rule: OnceCell::from(Box::new(rule)),
            dumped: None,
            table,
            decoded: OnceCell::from(Box::new(decoded)),
        }
    }

    /// An entry for a rule added in this batch: the message sent (its body
    /// shared with the batch), decoded only if a later command of the same
    /// batch looks at it, as iptables-nft parses its own cached rules.
    pub fn sent(m: nftwire::netlink::NfMsg, id: u32, table: Arc<str>) -> Entry {
        Entry {
            handle: None,
            id: Some(id),
            rule: OnceCell::new(),
            dumped: Some(m),
            table,
            decoded: OnceCell::new(),
        }
    }

    /// An entry for a dumped iptables rule kept as its message body.
    pub fn from_dump(
        m: nftwire::netlink::NfMsg,
        handle: Option<u64>,
        table: Arc<str>,
        d: Decoded,
    ) -> Entry {
        Entry {
            handle,
            id: None,
            rule: OnceCell::new(),
            dumped: Some(m),
            table,
            decoded: OnceCell::from(Box::new(d)),
        }
    }

    /// The kernel rule (decoded from the kept message on first use; that
    /// message decoded once already, so it cannot fail, but an empty rule
    /// stands in rather than a panic).
    pub fn rule(&self) -> &Rule {
        self.rule.get_or_init(|| {
            Box::new(
                self.dumped
                    .as_ref()
                    .and_then(Rule::from_msg)
                    .unwrap_or_else(|| Rule::new(0, &self.table, "", Vec::new())),
            )
        })
    }

    /// The message the rule was dumped in or is sent in, when kept.
    pub fn message(&self) -> Option<&nftwire::netlink::NfMsg> {
        self.dumped.as_ref()
    }

    /// Replace the kernel rule (the kept message no longer applies) and
    /// what it decodes to.
    pub fn set_rule(&mut self, r: Rule, d: Decoded) {
        self.rule = OnceCell::from(Box::new(r));
        self.dumped = None;
        self.decoded = OnceCell::from(Box::new(d));
    }

    /// What the rule decodes to: an iptables rule if iptables-nft wrote it,
    /// or if 1.8.11 reads it correctly and completely ([`read_by_1_8_11`]).
    pub fn decoded(&self) -> &Decoded {
        self.decoded
            .get_or_init(|| Box::new(decode_rule(self.rule(), &self.table)))
    }

    /// The iptables rule, if it is one.
    pub fn ipt(&self) -> Option<&IptRule> {
        match self.decoded() {
            Decoded::Rule(r) => Some(r),
            Decoded::Foreign(_) => None,
        }
    }
}

/// What a rule of an iptables table is to the shim: the iptables rule
/// iptables-nft wrote, or one 1.8.11 reads correctly and completely
/// ([`read_by_1_8_11`]), else foreign.
pub fn decode_rule(rule: &Rule, table: &str) -> Decoded {
    match decode(rule, table) {
        Decoded::Foreign(why) => read_by_1_8_11(rule, table).unwrap_or(Decoded::Foreign(why)),
        d => d,
    }
}

/// A rule iptables-nft did not write, as an iptables rule, when 1.8.11
/// reads it correctly and completely: the library's model of 1.8.11's
/// reader (`nftwire explain`) lists it and finds it with `-C`/`-D`, finds
/// no misreading (nothing dropped or read wrong), the rule carries no
/// userdata (tools tag their rules that way), and the iptables rule it
/// decodes to prints exactly as 1.8.11 prints it. Anything else stays
/// foreign, so a full restore never rewrites a rule its owner looks for.
pub fn read_by_1_8_11(rule: &Rule, table: &str) -> Option<Decoded> {
    use nftwire::diagnose::explain::{read_correctly, Options};
    use nftwire::diagnose::version::IptVersion;
    if rule
        .attrs
        .userdata
        .as_deref()
        .is_some_and(|u| !is_one_comment(u))
    {
        return None;
    }
    let family = Family::from_nfproto(rule.family)?;
    let opts = Options {
        version: IptVersion::V1_8_11,
        family: None,
        table: None,
        chain: None,
        ifname: &nftwire::diagnose::explain::if_indextoname,
        ext: &nftwire::diagnose::extprint::IptablesModel,
    };
    let read = read_correctly(rule, &opts)?;
    let prints = |r: &IptRule| {
        let ours = nftwire::iptables::save::rule_line(
            r,
            rule.chain(),
            table,
            nftwire::iptables::save::Counters::None,
        );
        ours.trim_end() == read.trim_end()
    };
    // Decoded directly (the native forms the decoder knows), else the line
    // 1.8.11 prints parsed as a user's rule and taken the way `-C` compares
    // rules (encoded and read back).
    if rule.attrs.userdata.is_none() {
        if let Ok(r) = nftwire::iptables::decode::parse_like_iptables(rule, family, table) {
            if prints(&r) {
                return Some(Decoded::Rule(r));
            }
        }
    }
    let mut argv = vec![family.cmd().to_string(), "-t".into(), table.to_string()];
    crate::restore::split_words(&read, &mut argv).ok()?;
    let p = crate::parse::parse(family, argv, table, true, family.cmd()).ok()?;
    let [r] = &p.rules[..] else {
        return None;
    };
    let r = crate::exec::as_compared(r, table, rule.family);
    prints(&r).then_some(Decoded::Rule(r))
}

/// Whether rule userdata is exactly one well-formed comment TLV (type 0,
/// NUL-terminated, at most 256 bytes: what 1.8.11 reads as `-m comment`
/// without losing anything).
fn is_one_comment(u: &[u8]) -> bool {
    match u {
        [0, len, rest @ ..] => {
            let len = *len as usize;
            len > 0 && len <= 256 && rest.len() == len && rest[len - 1] == 0
        }
        _ => false,
    }
}

/// One chain.
#[derive(Clone, Debug)]
pub struct ChainState {
    /// The kernel chain (or the one created); boxed, so that the chain map
    /// of a 15,000-chain table moves small values when it grows.
    pub chain: Box<Chain>,
    /// Rules, when loaded.
    pub rules: Option<Vec<Entry>>,
    /// Created in this batch (rules known: none).
    pub created: bool,
    /// Rules added in this batch while `rules` was not loaded yet: inserted
    /// at the head (in chain order) and appended. A later dump of the
    /// chain (which shows the kernel's state before the batch) is framed
    /// by them, so positions count them as iptables-nft's cache does.
    pub pending: Pending,
}

/// Rules added to a chain whose rules were not read yet.
#[derive(Clone, Debug, Default)]
pub struct Pending {
    /// Inserted at position 1, first rule first.
    pub head: Vec<Entry>,
    /// Appended, in order.
    pub tail: Vec<Entry>,
}

impl ChainState {
    /// A chain state with nothing added yet.
    pub fn new(chain: Chain, rules: Option<Vec<Entry>>, created: bool) -> ChainState {
        ChainState {
            chain: Box::new(chain),
            rules,
            created,
            pending: Pending::default(),
        }
    }

    /// Record the chain's dumped rules, framed by the rules this batch
    /// added before they were read.
    pub fn set_loaded(&mut self, dumped: Vec<Entry>) {
        let p = std::mem::take(&mut self.pending);
        if p.head.is_empty() && p.tail.is_empty() {
            self.rules = Some(dumped);
            return;
        }
        let mut v = p.head;
        v.reserve(dumped.len() + p.tail.len());
        v.extend(dumped);
        v.extend(p.tail);
        self.rules = Some(v);
    }

    /// A base chain with the hook iptables expects for its name.
    pub fn is_builtin(&self, t: &BuiltinTable) -> bool {
        let Some(h) = &self.chain.attrs.hook else {
            return false;
        };
        t.chain(self.chain.name()).is_some_and(|b| {
            h.num == Some(b.hook)
                && h.priority == Some(b.prio)
                && self.chain.attrs.chain_type.as_deref() == Some(b.chain_type)
        })
    }
    /// Whether iptables-nft would not have made this chain: a base chain
    /// other than the builtin one of its name, or a chain with userdata
    /// (an nft comment) or flags other than "base".
    pub fn is_foreign(&self, t: &BuiltinTable) -> bool {
        let a = &self.chain.attrs;
        (a.hook.is_some() && !self.is_builtin(t))
            || a.hook
                .as_ref()
                .is_some_and(|h| h.dev.is_some() || h.devs.is_some())
            || a.userdata.is_some()
            || a.flags.unwrap_or(0) & !1 != 0
    }
    /// Policy name of a base chain.
    pub fn policy(&self) -> Option<&'static str> {
        self.chain.policy_name()
    }
    /// Base chain counters (packets, bytes).
    pub fn counters(&self) -> (u64, u64) {
        self.chain.counter_values()
    }
}

/// Where error messages point (restore line numbers).
#[derive(Clone, Copy, Debug, Default)]
pub struct Line(pub Option<usize>);

/// The table model and the pending batch.
pub struct Model {
    /// Family.
    pub family: Family,
    /// Table name.
    pub table: String,
    /// Builtin description.
    pub builtin: &'static BuiltinTable,
    /// Whether the table exists (None = not asked yet).
    pub exists: Option<bool>,
    /// Chains asked about: Some = exists.
    pub chains: BTreeMap<String, Option<ChainState>>,
    /// All chains loaded.
    pub all_chains: bool,
    /// Chain names in kernel dump order (then created ones).
    pub order: Vec<String>,
    /// Pending operations.
    pub ops: Vec<BatchOp>,
    next_id: u32,
    /// Current input line (restore).
    pub line: Line,
    /// Warnings to print.
    pub warnings: Vec<String>,
    /// Full restore: for each kept foreign rule (chain, handle), how many
    /// iptables rules preceded it before the flush. Appended iptables rules
    /// are placed so that this count holds again, so `iptables-save |
    /// iptables-restore` leaves the chain's order as it was.
    pub anchors: BTreeMap<(String, u64), usize>,
    /// Chains renamed in this batch, old name to new: the kernel renames
    /// at commit, so the old name stays taken until then (`-N OLD` fails,
    /// `-X OLD` deletes the renamed chain).
    pub renamed: BTreeMap<String, String>,
    /// Base chains whose policy a restore line set in this batch, with the
    /// policy 1.8.11's cache still holds for them (the kernel's with
    /// `--noflush`, ACCEPT in a full restore): its `-Z` sends the cached
    /// chain, so a zeroed base chain gets that policy back.
    pub cached_policy: BTreeMap<String, u32>,
    /// In a full restore, the user chains in the order the input declared
    /// or created them: 1.8.11's cache lists them so (its `-F`, `-Z` and
    /// `-X` walk them in that order), elsewhere by name.
    pub declared: Option<Vec<String>>,
    /// This batch creates the table (it was not in the kernel).
    pub creates_table: bool,
    /// The table name shared by the entries of added rules.
    shared_table: Arc<str>,
}

/// The kernel rule that adds `r` to `chain` of `table` (family `fam`).
pub fn encode_rule(
    fam: u8,
    table: &str,
    chain: &str,
    r: &IptRule,
) -> std::result::Result<Rule, IptError> {
    let enc = encode(r, table, Purpose::Add)?;
    let mut rule = Rule::new(fam, table, chain, enc.exprs);
    rule.attrs.compat = Some(enc.compat);
    Ok(rule)
}

/// Write into `out` the comparison key ([`crate::rulekey`]) of the message
/// [`encode_rule`] builds for `r` in `table`, without building it.
pub fn encoded_key(
    table: &str,
    r: &IptRule,
    scratch: &mut nftwire::nla::Writer,
    out: &mut Vec<u8>,
) -> std::result::Result<(), IptError> {
    scratch.buf.clear();
    nftwire::iptables::encode::write_exprs(r, table, Purpose::Add, scratch)?;
    crate::rulekey::elems_key(&scratch.buf, out);
    Ok(())
}

/// Library errors as iptables reports them.
pub fn lib_err(e: nftwire::Error) -> IptError {
    match e {
        nftwire::Error::Permission(m) => IptError::xt(ExitCode::Resource, m),
        nftwire::Error::Kernel { errno: 1, .. } | nftwire::Error::Kernel { errno: 13, .. } => {
            IptError::xt(
                ExitCode::Resource,
                "Could not fetch rule set generation id: Permission denied (you must be root)",
            )
        }
        other => IptError::xt(ExitCode::Resource, other.to_string()),
    }
}

/// A model result.
pub type MResult<T> = std::result::Result<T, ModelErr>;

/// Errors while building: either an iptables error or a generation change
/// (rebuild).
#[derive(Debug)]
pub enum ModelErr {
    /// Report this.
    Ipt(IptError),
    /// The ruleset changed while reading.
    Again,
}

impl From<IptError> for ModelErr {
    fn from(e: IptError) -> Self {
        ModelErr::Ipt(e)
    }
}

impl From<nftwire::Error> for ModelErr {
    fn from(e: nftwire::Error) -> Self {
        match e {
            nftwire::Error::GenerationChanged => ModelErr::Again,
            e => ModelErr::Ipt(lib_err(e)),
        }
    }
}

impl Model {
    /// An empty model of `table` (which must be builtin).
    pub fn new(family: Family, table: &str) -> Option<Model> {
        Some(Model {
            family,
            table: table.to_string(),
            builtin: tables::table(table)?,
            exists: None,
            chains: BTreeMap::new(),
            all_chains: false,
            order: Vec::new(),
            ops: Vec::new(),
            next_id: 1,
            line: Line::default(),
            warnings: Vec::new(),
            anchors: BTreeMap::new(),
            renamed: Default::default(),
            cached_policy: Default::default(),
            declared: None,
            creates_table: false,
            shared_table: Arc::from(table),
        })
    }

    fn fam(&self) -> u8 {
        self.family.nfproto()
    }

    fn op_name(&self, op: &str) -> String {
        match self.line.0 {
            Some(n) => format!("\nline {n}: {op}"),
            None => format!(" {op}"),
        }
    }

    fn push(&mut self, m: nftwire::netlink::NfMsg, op: &str, what: String) {
        let name = self.op_name(op);
        self.ops.push(kernel::op(m, &name, what));
    }

    /// Whether the table exists.
    pub fn table_exists(&mut self, conn: &mut Conn) -> MResult<bool> {
        if let Some(e) = self.exists {
            return Ok(e);
        }
        let e = kernel::get_table(conn, self.fam(), &self.table)?.is_some();
        self.exists = Some(e);
        Ok(e)
    }

    /// Create the table if missing (`nft_xt_builtin_table_init`).
    pub fn ensure_table(&mut self, conn: &mut Conn) -> MResult<()> {
        if !self.table_exists(conn)? {
            let t = self.table.clone();
            let o = kernel::table_add(self.fam(), &t);
            self.ops
                .push(kernel::op(o.msg, &self.op_name("TABLE_ADD"), o.what));
            self.exists = Some(true);
            self.all_chains = true;
            self.creates_table = true;
        }
        Ok(())
    }

    /// Look a chain up (GETCHAIN once).
    pub fn chain(&mut self, conn: &mut Conn, name: &str) -> MResult<Option<&mut ChainState>> {
        if !self.chains.contains_key(name) {
            let c = if self.all_chains || !self.table_exists(conn)? {
                None
            } else {
                kernel::get_chain(conn, self.fam(), &self.table, name)?
            };
            self.chains.insert(
                name.to_string(),
                c.map(|chain| ChainState::new(chain, None, false)),
            );
        }
        Ok(self.chains.get_mut(name).and_then(|c| c.as_mut()))
    }

    /// Whether a chain exists.
    pub fn chain_exists(&mut self, conn: &mut Conn, name: &str) -> MResult<bool> {
        Ok(self.chain(conn, name)?.is_some())
    }

    /// Load every chain of the table.
    pub fn load_chains(&mut self, conn: &mut Conn) -> MResult<()> {
        if self.all_chains {
            return Ok(());
        }
        if self.table_exists(conn)? {
            let chains = kernel::dump_chains(conn, self.fam(), &self.table)?;
            self.set_chains(chains);
        }
        self.all_chains = true;
        Ok(())
    }

    /// Start from what was read elsewhere in the same snapshot: whether the
    /// table exists and its chains (as [`Model::load_chains`] reads them).
    pub fn preload(&mut self, exists: bool, chains: Vec<Chain>) {
        self.exists = Some(exists);
        if exists {
            self.set_chains(chains);
        }
        self.all_chains = true;
    }

    /// Record the dumped chains of the table, in order.
    fn set_chains(&mut self, dumped: Vec<Chain>) {
        let created: Vec<String> = self.order.drain(..).collect();
        let mut states = Vec::with_capacity(dumped.len());
        for c in dumped {
            let n = c.name().to_string();
            self.order.push(n.clone());
            let state = ChainState::new(c, None, false);
            states.push((n, Some(state)));
        }
        if self.chains.is_empty() {
            // Built in one go (sorted, then filled bottom up): far cheaper
            // than 15,000 inserts.
            self.chains = states.into_iter().collect();
        } else {
            // A chain known here wins over the kernel's: one created in
            // this batch, or one deleted or renamed away in it (still in
            // the kernel until the commit).
            for (n, state) in states {
                self.chains.entry(n).or_insert(state);
            }
        }
        // chains looked up before but absent stay absent
        for n in created {
            if !self.order.contains(&n) {
                self.order.push(n);
            }
        }
    }

    /// Load the rules of every chain of the table that has not been loaded
    /// yet, one chain dump each: the kernel resumes an unfiltered dump by
    /// walking from the start again, so one big dump is quadratic while
    /// per-chain dumps are linear (iptables-nft does the same). The chains
    /// are spread over one connection and thread per CPU, which also decode
    /// the rules.
    pub fn load_all_rules(&mut self, conn: &mut Conn) -> MResult<()> {
        self.load_chains(conn)?;
        if !self.exists.unwrap_or(false) {
            return Ok(());
        }
        let fam = self.fam();
        let table = self.table.clone();
        let todo: Vec<String> = self
            .chains
            .iter()
            .filter_map(|(n, c)| c.as_ref().map(|c| (n, c)))
            .filter(|(_, c)| c.rules.is_none() && !c.created)
            .map(|(n, _)| n.clone())
            .collect();
        let mut loaded: Vec<Vec<Entry>> = Vec::with_capacity(todo.len());
        nftwire::netlink::parallel::ordered_chunks(
            conn,
            todo.len(),
            nftwire::ruleset::CHAINS_PER_PART,
            |conn, range| {
                todo[range]
                    .iter()
                    .map(|n| kernel::dump_chain_entries(conn, fam, &table, n, false))
                    .collect::<nftwire::Result<Vec<_>>>()
            },
            |part| {
                loaded.extend(part);
                Ok(())
            },
        )?;
        for (n, v) in todo.iter().zip(loaded) {
            if let Some(Some(c)) = self.chains.get_mut(n) {
                c.set_loaded(v);
            }
        }
        for c in self.chains.values_mut().flatten() {
            if c.rules.is_none() {
                c.set_loaded(Vec::new());
            }
        }
        Ok(())
    }

    /// The rules of a chain (GETRULE dump of that chain once).
    pub fn rules(&mut self, conn: &mut Conn, name: &str) -> MResult<Option<&mut Vec<Entry>>> {
        let fam = self.fam();
        let table = self.table.clone();
        let Some(c) = self.chain(conn, name)? else {
            return Ok(None);
        };
        if c.rules.is_none() {
            let v = if c.created {
                Vec::new()
            } else {
                kernel::dump_chain_entries(conn, fam, &table, name, true)?
            };
            c.set_loaded(v);
        }
        Ok(c.rules.as_mut())
    }

    /// Create a builtin base chain if missing (`nft_xt_builtin_init`).
    pub fn ensure_builtin(&mut self, conn: &mut Conn, name: &str) -> MResult<()> {
        let Some(b) = self.builtin.chain(name) else {
            return Ok(());
        };
        self.ensure_table(conn)?;
        if self.chain_exists(conn, name)? {
            return Ok(());
        }
        let c = b.to_chain(self.fam(), &self.table, 1, (0, 0));
        self.push(
            c.to_msg(msg::NEWCHAIN, F_CREATE),
            "CHAIN_ADD",
            format!("chain {name}"),
        );
        self.chains.insert(
            name.to_string(),
            Some(ChainState::new(c, Some(Vec::new()), true)),
        );
        Ok(())
    }

    /// Create all builtin chains of the table that are missing.
    pub fn ensure_all_builtins(&mut self, conn: &mut Conn) -> MResult<()> {
        for b in self.builtin.chains {
            self.ensure_builtin(conn, b.name)?;
        }
        Ok(())
    }

    fn new_id(&mut self) -> u32 {
        let i = self.next_id;
        self.next_id += 1;
        i
    }

    /// Encode `r` for chain `chain`.
    pub fn build_rule(&self, r: &IptRule, chain: &str) -> std::result::Result<Rule, IptError> {
        encode_rule(self.fam(), &self.table, chain, r)
    }

    /// Append (`pos` None) or insert before rule index `pos` of `chain`.
    pub fn add_rule(
        &mut self,
        conn: &mut Conn,
        chain: &str,
        r: &IptRule,
        pos: Option<usize>,
    ) -> MResult<()> {
        let mut rule = self.build_rule(r, chain)?;
        let pos = match pos {
            None => self.anchored_position(chain),
            p => p,
        };
        let id = self.new_id();
        let (flags, op) = match pos {
            None => (F_CREATE | F_APPEND, "RULE_APPEND"),
            Some(_) => (F_CREATE, "RULE_INSERT"),
        };
        // Inserting at the head needs no position (iptables-nft sends none)
        // and so no dump of the chain.
        if let Some(p) = pos.filter(|&p| p > 0) {
            let refr = self
                .rules(conn, chain)?
                .and_then(|v| v.get(p))
                .map(|e| (e.handle, e.id));
            match refr {
                Some((Some(h), _)) => rule.attrs.position = Some(h),
                Some((None, Some(i))) => rule.attrs.position_id = Some(i),
                _ => {}
            }
        }
        if self.line.0.is_some() || pos.is_some() {
            rule.attrs.id = Some(id);
        }
        let m = rule.to_msg(msg::NEWRULE, flags);
        let e = Entry::sent(m.clone(), id, self.shared_table.clone());
        if let Some(Some(c)) = self.chains.get_mut(chain) {
            match (c.rules.as_mut(), pos) {
                (Some(v), Some(p)) if p <= v.len() => v.insert(p, e),
                (Some(v), _) => v.push(e),
                // Not read yet (an append, or an insert at the head, which
                // needs no read): remembered for when it is.
                (None, Some(_)) => c.pending.head.insert(0, e),
                (None, None) => c.pending.tail.push(e),
            }
        }
        self.push(m, op, format!("rule in chain {chain}"));
        Ok(())
    }

    /// Delete rule index `i` of `chain`.
    pub fn delete_rule(&mut self, chain: &str, i: usize) {
        let Some(Some(c)) = self.chains.get_mut(chain) else {
            return;
        };
        let Some(v) = c.rules.as_mut() else { return };
        if i >= v.len() {
            return;
        }
        let e = v.remove(i);
        let mut attrs = RuleAttrs {
            table: Some(self.table.clone()),
            chain: Some(chain.to_string()),
            ..Default::default()
        };
        match (e.handle, e.id) {
            (Some(h), _) => attrs.handle = Some(h),
            (None, Some(id)) => attrs.id = Some(id),
            _ => return,
        }
        let r = Rule {
            family: self.fam(),
            attrs,
        };
        self.push(
            r.to_msg(msg::DELRULE, 0),
            "RULE_DELETE",
            format!("rule in chain {chain}"),
        );
    }

    /// Replace rule index `i` of `chain` with `r`.
    pub fn replace_rule(&mut self, chain: &str, i: usize, r: &IptRule) -> MResult<()> {
        let mut rule = self.build_rule(r, chain)?;
        let Some(Some(c)) = self.chains.get_mut(chain) else {
            return Ok(());
        };
        let Some(v) = c.rules.as_mut() else {
            return Ok(());
        };
        let Some(old) = v.get_mut(i) else {
            return Ok(());
        };
        rule.attrs.handle = old.handle;
        old.set_rule(rule.clone(), Decoded::Rule(r.clone()));
        self.push(
            rule.to_msg(msg::NEWRULE, F_CREATE | F_REPLACE),
            "RULE_REPLACE",
            format!("rule in chain {chain}"),
        );
        Ok(())
    }

    /// Flush a chain (all rules, foreign ones too) or, with `None`, the
    /// whole table.
    pub fn flush(&mut self, chain: Option<&str>) {
        let mut attrs = RuleAttrs {
            table: Some(self.table.clone()),
            ..Default::default()
        };
        attrs.chain = chain.map(str::to_owned);
        let r = Rule {
            family: self.fam(),
            attrs,
        };
        self.push(
            r.to_msg(msg::DELRULE, 0),
            "RULE_FLUSH",
            format!("rule in chain {}", chain.unwrap_or("(null)")),
        );
        for (n, c) in self.chains.iter_mut() {
            if chain.is_none_or(|x| x == n) {
                if let Some(c) = c {
                    c.rules = Some(Vec::new());
                    c.pending = Pending::default();
                }
            }
        }
    }

    /// Where an appended iptables rule goes during a full restore: before
    /// the first kept foreign rule that was preceded by more iptables rules
    /// than the chain holds now (None: at the end).
    fn anchored_position(&self, chain: &str) -> Option<usize> {
        if self.anchors.is_empty() {
            return None;
        }
        let Some(Some(c)) = self.chains.get(chain) else {
            return None;
        };
        let v = c.rules.as_ref()?;
        let own = v.iter().filter(|e| e.ipt().is_some()).count();
        v.iter().position(|e| {
            e.ipt().is_none()
                && e.handle
                    .and_then(|h| self.anchors.get(&(chain.to_string(), h)))
                    .is_some_and(|&k| k > own)
        })
    }

    /// Record, for each foreign rule of `chain`, how many iptables rules
    /// come before it (see [`Model::anchors`]).
    pub fn record_anchors(&mut self, conn: &mut Conn, chain: &str) -> MResult<()> {
        let Some(v) = self.rules(conn, chain)? else {
            return Ok(());
        };
        let mut own = 0usize;
        let mut found = Vec::new();
        for e in v.iter() {
            match (e.ipt(), e.handle) {
                (Some(_), _) => own += 1,
                (None, Some(h)) => found.push((h, own)),
                (None, None) => {}
            }
        }
        for (h, k) in found {
            self.anchors.insert((chain.to_string(), h), k);
        }
        Ok(())
    }

    /// Whether any loaded chain holds a rule iptables cannot express.
    pub fn holds_foreign_rules(&self) -> bool {
        self.chains
            .values()
            .flatten()
            .filter_map(|c| c.rules.as_ref())
            .any(|v| v.iter().any(|e| e.ipt().is_none()))
    }

    /// `-F CHAIN`: 1.8.11's one chain flush, unless the chain holds foreign
    /// rules; then only its iptables rules are deleted and the foreign
    /// ones stay (shim/README, "Foreign rules").
    pub fn flush_keeping_foreign(&mut self, conn: &mut Conn, chain: &str) -> MResult<()> {
        let foreign = self
            .rules(conn, chain)?
            .is_some_and(|v| v.iter().any(|e| e.ipt().is_none()));
        if foreign {
            self.flush_own(conn, chain)
        } else {
            self.flush(Some(chain));
            Ok(())
        }
    }

    /// Before `-X` deletes a user chain: when the chain holds only foreign
    /// rules (a flush kept them), delete those too, so that the chain goes
    /// as it would after 1.8.11's flush. A chain still holding iptables
    /// rules is left alone: the kernel refuses to delete it, as for 1.8.11.
    pub fn drop_foreign_only(&mut self, conn: &mut Conn, chain: &str) -> MResult<()> {
        let n = match self.rules(conn, chain)? {
            Some(v) if !v.is_empty() && v.iter().all(|e| e.ipt().is_none()) => v.len(),
            _ => return Ok(()),
        };
        for i in (0..n).rev() {
            self.delete_rule(chain, i);
        }
        Ok(())
    }

    /// Remove only the iptables rules of a chain (foreign ones stay): one
    /// chain flush when the chain holds nothing else, else one delete per
    /// rule (the kernel finds each by a walk of the chain).
    pub fn flush_own(&mut self, conn: &mut Conn, chain: &str) -> MResult<()> {
        let Some(v) = self.rules(conn, chain)? else {
            return Ok(());
        };
        if v.is_empty() {
            return Ok(());
        }
        if v.iter().all(|e| e.ipt().is_some()) {
            self.flush(Some(chain));
            return Ok(());
        }
        let own: Vec<usize> = v
            .iter()
            .enumerate()
            .filter(|(_, e)| e.ipt().is_some())
            .map(|(i, _)| i)
            .collect();
        for i in own.into_iter().rev() {
            self.delete_rule(chain, i);
        }
        Ok(())
    }

    /// Delete the whole table (and so every chain and rule in it), as
    /// iptables-nft's full restore does: a `NEWTABLE` first, so that the
    /// delete cannot fail on a missing table, then `DELTABLE`. Chains and
    /// the table are created again as the restore declares them.
    pub fn delete_table(&mut self) {
        let t = self.table.clone();
        let fam = self.fam();
        let name = self.op_name("TABLE_FLUSH");
        self.ops.push(kernel::op(
            nftwire::object::Table::named(fam, &t).to_msg(msg::NEWTABLE, 0),
            &name,
            format!("table {t}"),
        ));
        self.ops.push(kernel::op(
            nftwire::object::Table::named(fam, &t).to_msg(msg::DELTABLE, 0),
            &name,
            format!("table {t}"),
        ));
        self.exists = Some(false);
        self.chains.clear();
        self.order.clear();
        self.all_chains = true;
        self.anchors.clear();
    }

    /// `-N`: a new user chain.
    pub fn new_chain(&mut self, name: &str) {
        let c = Chain::regular(self.fam(), &self.table, name);
        self.push(
            c.to_msg(msg::NEWCHAIN, F_EXCL),
            "CHAIN_USER_ADD",
            format!("chain {name}"),
        );
        self.chains.insert(
            name.to_string(),
            Some(ChainState::new(c, Some(Vec::new()), true)),
        );
        self.order.push(name.to_string());
        self.declare(name);
    }

    /// Note that the input declared user chain `name` (see
    /// [`Model::declared`]).
    pub fn declare(&mut self, name: &str) {
        if let Some(v) = self.declared.as_mut() {
            if !v.iter().any(|n| n == name) {
                v.push(name.to_string());
            }
        }
    }

    /// `-X`: delete a chain.
    pub fn del_chain(&mut self, name: &str) {
        let c = Chain::regular(self.fam(), &self.table, name);
        self.push(
            c.to_msg(msg::DELCHAIN, F_NONREC),
            "CHAIN_DEL",
            format!("chain {name}"),
        );
        self.chains.insert(name.to_string(), None);
    }

    /// `-E`: rename.
    pub fn rename_chain(&mut self, old: &str, new: &str, handle: Option<u64>) {
        let mut c = Chain::regular(self.fam(), &self.table, new);
        // A chain created earlier in this batch has no handle yet: 1.8.11
        // then sends handle 0 and the kernel refuses (ENOENT); without a
        // handle the message would create a second chain.
        c.attrs.handle = Some(handle.unwrap_or(0));
        self.push(
            c.to_msg(msg::NEWCHAIN, 0),
            "CHAIN_RENAME",
            format!("chain {new}"),
        );
        let st = self.chains.remove(old).flatten();
        self.chains.insert(old.to_string(), None);
        self.renamed.insert(old.to_string(), new.to_string());
        if let Some(mut s) = st {
            s.chain.attrs.name = Some(new.to_string());
            self.chains.insert(new.to_string(), Some(s));
        }
    }

    /// `-P` (and restore's `:CHAIN POLICY`): a full base chain update.
    pub fn set_policy(
        &mut self,
        conn: &mut Conn,
        name: &str,
        policy: u32,
        counters: (u64, u64),
        create: bool,
    ) -> MResult<()> {
        let Some(b) = self.builtin.chain(name) else {
            return Ok(());
        };
        self.ensure_builtin(conn, name)?;
        let c = b.to_chain(self.fam(), &self.table, policy, counters);
        self.push(
            c.to_msg(msg::NEWCHAIN, if create { F_CREATE } else { 0 }),
            "CHAIN_UPDATE",
            format!("chain {name}"),
        );
        if let Some(Some(s)) = self.chains.get_mut(name) {
            s.chain.attrs.policy = Some(policy);
            s.chain.attrs.counters = c.attrs.counters.clone();
        }
        Ok(())
    }

    /// Zero the counters of base chain `name` (NEWCHAIN with COUNTERS 0).
    pub fn zero_chain(&mut self, name: &str) {
        let fam = self.fam();
        let cached = self.cached_policy.get(name).copied();
        let Some(Some(s)) = self.chains.get_mut(name) else {
            return;
        };
        if cached.is_some() {
            s.chain.attrs.policy = cached;
        }
        let c = crate::xfam::zero::zeroed_base_chain(fam, &self.table, name, &s.chain);
        self.push(
            c.to_msg(msg::NEWCHAIN, F_CREATE),
            "CHAIN_ZERO",
            format!("chain {name}"),
        );
    }

    /// Zero the counter of rule `i` of `chain` (REPLACE with the same
    /// expressions, counter 0).
    pub fn zero_rule(&mut self, chain: &str, i: usize) {
        let Some(Some(c)) = self.chains.get_mut(chain) else {
            return;
        };
        let Some(v) = c.rules.as_mut() else { return };
        let Some(e) = v.get_mut(i) else { return };
        // A rule added earlier in this batch has no handle yet: 1.8.11
        // sends the replacement without one, which the kernel refuses
        // (EINVAL).
        let h = e.handle;
        let mut r = e.rule().clone();
        let mut changed = false;
        if let Some(l) = r.attrs.exprs.as_mut() {
            for x in l.0.iter_mut() {
                if let nftwire::expr::Expr::Counter(k) = x {
                    if k.packets.unwrap_or(0) != 0 || k.bytes.unwrap_or(0) != 0 {
                        k.packets = Some(0);
                        k.bytes = Some(0);
                        changed = true;
                    }
                }
            }
        }
        if !changed {
            return;
        }
        // The entry's counters are zero from now on (a second `-Z` in the
        // same batch sends nothing, as 1.8.11's cache has them zeroed).
        let mut d = e.decoded().clone();
        if let Decoded::Rule(ir) = &mut d {
            ir.packets = 0;
            ir.bytes = 0;
        }
        e.set_rule(r.clone(), d);
        r.attrs.handle = h;
        r.attrs.position = None;
        if r.attrs.compat.is_none() {
            r.attrs.compat = nftwire::compat::infer_compat(&r);
        }
        self.push(
            r.to_msg(msg::NEWRULE, F_CREATE | F_REPLACE),
            "RULE_REPLACE",
            format!("rule in chain {chain}"),
        );
    }

    /// Base chains in hook order (with `fakes`, missing builtin ones too),
    /// then user chains in kernel order: iptables' unsorted chain walk.
    pub fn chain_order_dump(&self, fakes: bool) -> Vec<String> {
        let mut v: Vec<String> = Vec::new();
        for b in self.builtin.chains_by_hook() {
            let exists = matches!(self.chains.get(b.name), Some(Some(_)));
            if exists || fakes {
                v.push(b.name.to_string());
            }
        }
        for n in &self.order {
            if let Some(Some(c)) = self.chains.get(n) {
                if c.chain.attrs.hook.is_none() && !v.contains(n) {
                    v.push(n.clone());
                }
            }
        }
        v
    }

    /// Like [`Model::chain_order`] with missing builtin chains included.
    pub fn chain_order_with_fakes(&self) -> Vec<String> {
        let mut v: Vec<String> = self
            .builtin
            .chains_by_hook()
            .iter()
            .map(|b| b.name.to_string())
            .collect();
        for n in self.chain_order() {
            if !v.contains(&n) {
                v.push(n);
            }
        }
        v
    }

    /// Loaded chains that exist, base chains first in hook order, then
    /// user chains by name.
    pub fn chain_order(&self) -> Vec<String> {
        let mut base: Vec<(u32, String)> = Vec::new();
        let mut user: Vec<String> = Vec::new();
        for (n, c) in &self.chains {
            let Some(c) = c else { continue };
            if c.is_builtin(self.builtin) {
                base.push((
                    c.chain.attrs.hook.as_ref().and_then(|h| h.num).unwrap_or(0),
                    n.clone(),
                ));
            } else if c.chain.attrs.hook.is_none() {
                user.push(n.clone());
            }
        }
        base.sort();
        user.sort();
        if let Some(d) = &self.declared {
            // declared ones first, in their order (the sort is stable)
            user.sort_by_key(|n| d.iter().position(|x| x == n).unwrap_or(usize::MAX));
        }
        base.into_iter().map(|(_, n)| n).chain(user).collect()
    }
}
