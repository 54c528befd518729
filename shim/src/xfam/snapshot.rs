//! One table of a non-IP family read whole, and the batch of changes made
//! to it (see the module docs of [`super`]).

use crate::kernel::{self, F_APPEND, F_CREATE, F_EXCL, F_NONREC, F_REPLACE};
use crate::model::{lib_err, MResult, ModelErr};
use crate::run::{too_many_changes, RETRIES};
use nftwire::consts::msg;
use nftwire::expr::Expr;
use nftwire::iptables::tables::BuiltinTable;
use nftwire::iptables::IptError;
use nftwire::netlink::{BatchOp, Conn};
use nftwire::object::{Chain, Rule, RuleAttrs};

/// One rule of a chain.
#[derive(Clone, Debug)]
pub struct SnapRule<R> {
    /// The kernel rule (or the one being added).
    pub rule: Rule,
    /// Kernel handle (None for rules added in this batch).
    pub handle: Option<u64>,
    /// `NFTA_RULE_ID` of a rule added in this batch.
    pub id: Option<u32>,
    /// The tool's rule, or why it is foreign.
    pub own: Result<R, String>,
}

/// One chain with its rules.
#[derive(Clone, Debug)]
pub struct SnapChain<R> {
    /// The kernel chain.
    pub chain: Chain,
    /// Its rules in order.
    pub rules: Vec<SnapRule<R>>,
}

impl<R> SnapChain<R> {
    /// Policy of a base chain (`ACCEPT`/`DROP`), None for a user chain.
    pub fn policy(&self) -> Option<&'static str> {
        self.chain.policy_name()
    }
    /// Base chain counters.
    pub fn counters(&self) -> (u64, u64) {
        self.chain.counter_values()
    }
}

/// A table snapshot and the pending batch.
pub struct Snapshot<R> {
    /// nf_tables family (`NFPROTO_ARP`, `NFPROTO_BRIDGE`).
    pub family: u8,
    /// Table name.
    pub table: String,
    /// The tool's builtin description of the table.
    pub builtin: &'static BuiltinTable,
    /// Whether the table exists (or is created in this batch).
    pub exists: bool,
    /// Chains in the kernel's order (then created ones).
    pub chains: Vec<SnapChain<R>>,
    /// Pending operations.
    pub ops: Vec<BatchOp>,
    /// Warnings to print after a successful commit.
    pub warnings: Vec<String>,
    /// Restore input line, for error messages.
    pub line: Option<usize>,
    /// For each kept foreign rule (chain, handle) of a full restore, how
    /// many of the tool's rules preceded it: restored rules are placed so
    /// that this holds again (as on the iptables side).
    pub anchors: std::collections::BTreeMap<(String, u64), usize>,
    next_id: u32,
    decode: Decoder<R>,
    /// The table's sets with their elements (read when a rule looks one
    /// up; ebtables' `among`).
    pub sets: SetMap,
}

/// The sets of a table by name, with their elements.
pub use nftwire::ebtables::decode::SetMap;

/// How a family reads a kernel rule (with the table's sets).
pub type Decoder<R> = fn(&Rule, &SetMap) -> Result<R, String>;

impl<R: Clone> Snapshot<R> {
    /// Read `table` of `family` (all chains, all rules).
    pub fn read(
        conn: &mut Conn,
        family: u8,
        builtin: &'static BuiltinTable,
        decode: Decoder<R>,
    ) -> MResult<Self> {
        let table = builtin.name;
        let exists = kernel::get_table(conn, family, table)?.is_some();
        let mut chains = Vec::new();
        let mut sets = SetMap::new();
        if exists {
            for c in kernel::dump_chains(conn, family, table)? {
                chains.push(SnapChain {
                    chain: c,
                    rules: Vec::new(),
                });
            }
            let rules = kernel::dump_rules(conn, family, table, None)?;
            let lookups = rules.iter().any(|r| {
                r.exprs()
                    .iter()
                    .any(|e| matches!(e, Expr::Lookup(_) | Expr::Dynset(_)))
            });
            if lookups {
                for sw in kernel::dump_sets(conn, family, table)? {
                    let elems = sw
                        .elems
                        .iter()
                        .flat_map(|m| m.attrs.elems.iter().flat_map(|l| l.0.iter().cloned()))
                        .collect();
                    let name = sw.set.attrs.name.clone().unwrap_or_default();
                    sets.insert(name, (sw.set, elems));
                }
            }
            for r in rules {
                let own = decode(&r, &sets);
                if let Some(c) = chains.iter_mut().find(|c| c.chain.name() == r.chain()) {
                    c.rules.push(SnapRule {
                        handle: r.attrs.handle,
                        id: None,
                        rule: r,
                        own,
                    });
                }
            }
        }
        Ok(Snapshot {
            family,
            table: table.to_string(),
            builtin,
            exists,
            chains,
            ops: Vec::new(),
            warnings: Vec::new(),
            line: None,
            anchors: Default::default(),
            next_id: 1,
            decode,
            sets,
        })
    }

    /// The next batch id (sets created with a rule take theirs from the
    /// same counter).
    pub fn ids(&mut self) -> &mut u32 {
        &mut self.next_id
    }

    /// Queue a message (`op` and `what` name it in errors).
    pub fn push(&mut self, m: nftwire::netlink::NfMsg, op: &str, what: String) {
        let name = match self.line {
            Some(n) => format!("\nline {n}: {op}"),
            None => format!(" {op}"),
        };
        self.ops.push(kernel::op(m, &name, what));
    }

    /// The chain called `name`.
    pub fn chain(&self, name: &str) -> Option<&SnapChain<R>> {
        self.chains.iter().find(|c| c.chain.name() == name)
    }

    /// A jump target must be a user chain (a renamed base chain is not one,
    /// as 1.8.11 sees it): "Chain 'C' does not exist" otherwise.
    pub fn check_jump_target(&self, name: &str) -> MResult<()> {
        if self.chain(name).is_none_or(|x| x.chain.is_base()) {
            return Err(IptError::param(format!("Chain '{name}' does not exist")).into());
        }
        Ok(())
    }

    fn chain_mut(&mut self, name: &str) -> Option<&mut SnapChain<R>> {
        self.chains.iter_mut().find(|c| c.chain.name() == name)
    }

    /// Create the table if missing.
    pub fn ensure_table(&mut self) {
        if !self.exists {
            let o = kernel::table_add(self.family, &self.table);
            self.push(o.msg, "TABLE_ADD", o.what);
            self.exists = true;
        }
    }

    /// Create builtin chain `name` if it is one and missing (`policy` is
    /// the policy it gets).
    pub fn ensure_builtin(&mut self, name: &str, policy: u32) {
        let Some(b) = self.builtin.chain(name) else {
            return;
        };
        self.ensure_table();
        if self.chain(name).is_some() {
            return;
        }
        let c = b.to_chain(self.family, &self.table, policy, (0, 0));
        self.push(
            c.to_msg(msg::NEWCHAIN, F_CREATE),
            "CHAIN_ADD",
            format!("chain {name}"),
        );
        let at = self
            .chains
            .iter()
            .position(|x| x.chain.attrs.hook.is_none())
            .unwrap_or(self.chains.len());
        self.chains.insert(
            at,
            SnapChain {
                chain: c,
                rules: Vec::new(),
            },
        );
    }

    /// Every builtin chain of the table, created if missing.
    pub fn ensure_all_builtins(&mut self, policy: u32) {
        for b in self.builtin.chains {
            self.ensure_builtin(b.name, policy);
        }
    }

    /// Add `exprs` (the rule `own`) to `chain` before index `pos` (None:
    /// append).
    pub fn add_rule(&mut self, chain: &str, exprs: Vec<Expr>, own: R, pos: Option<usize>) {
        self.add_rule_with(chain, exprs, Ok(own), pos, |_| {})
    }

    /// [`Snapshot::add_rule`] with what the rule is taken as (`own`) and a
    /// last change to the kernel rule (`tweak`: userdata, compat).
    pub fn add_rule_with(
        &mut self,
        chain: &str,
        exprs: Vec<Expr>,
        own: Result<R, String>,
        pos: Option<usize>,
        tweak: impl FnOnce(&mut Rule),
    ) {
        let id = self.next_id;
        self.next_id += 1;
        let mut rule = Rule::new(self.family, &self.table, chain, exprs);
        tweak(&mut rule);
        let pos = pos.or_else(|| self.anchored_position(chain));
        let Some(c) = self.chain_mut(chain) else {
            return;
        };
        let pos = pos.filter(|&p| p < c.rules.len());
        if let Some(p) = pos.filter(|&p| p > 0) {
            match (c.rules[p].handle, c.rules[p].id) {
                (Some(h), _) => rule.attrs.position = Some(h),
                (None, Some(i)) => rule.attrs.position_id = Some(i),
                _ => {}
            }
        }
        let (flags, op) = match pos {
            None => (F_CREATE | F_APPEND, "RULE_APPEND"),
            Some(_) => (F_CREATE, "RULE_INSERT"),
        };
        if self.line.is_some() || pos.is_some() {
            rule.attrs.id = Some(id);
        }
        let m = rule.to_msg(msg::NEWRULE, flags);
        let entry = SnapRule {
            rule,
            handle: None,
            id: Some(id),
            own,
        };
        if let Some(c) = self.chain_mut(chain) {
            match pos {
                Some(p) => c.rules.insert(p, entry),
                None => c.rules.push(entry),
            }
        }
        self.push(m, op, format!("rule in chain {chain}"));
    }

    /// Replace rule `i` of `chain`.
    pub fn replace_rule(&mut self, chain: &str, i: usize, exprs: Vec<Expr>, own: R) {
        self.replace_rule_with(chain, i, exprs, own, |_| {})
    }

    /// [`Snapshot::replace_rule`] with a last change to the kernel rule.
    pub fn replace_rule_with(
        &mut self,
        chain: &str,
        i: usize,
        exprs: Vec<Expr>,
        own: R,
        tweak: impl FnOnce(&mut Rule),
    ) {
        let mut rule = Rule::new(self.family, &self.table, chain, exprs);
        tweak(&mut rule);
        let Some(old) = self.chain_mut(chain).and_then(|c| c.rules.get_mut(i)) else {
            return;
        };
        rule.attrs.handle = old.handle;
        old.rule = rule.clone();
        old.own = Ok(own);
        self.push(
            rule.to_msg(msg::NEWRULE, F_CREATE | F_REPLACE),
            "RULE_REPLACE",
            format!("rule in chain {chain}"),
        );
    }

    /// Delete rule `i` of `chain`.
    pub fn delete_rule(&mut self, chain: &str, i: usize) {
        let (fam, table) = (self.family, self.table.clone());
        let Some(c) = self.chain_mut(chain) else {
            return;
        };
        if i >= c.rules.len() {
            return;
        }
        let e = c.rules.remove(i);
        let mut attrs = RuleAttrs {
            table: Some(table),
            chain: Some(chain.to_string()),
            ..Default::default()
        };
        match (e.handle, e.id) {
            (Some(h), _) => attrs.handle = Some(h),
            (None, Some(id)) => attrs.id = Some(id),
            _ => return,
        }
        let r = Rule { family: fam, attrs };
        self.push(
            r.to_msg(msg::DELRULE, 0),
            "RULE_DELETE",
            format!("rule in chain {chain}"),
        );
    }

    /// Flush a chain, or with `None` every chain of the table.
    pub fn flush(&mut self, chain: Option<&str>) {
        let attrs = RuleAttrs {
            table: Some(self.table.clone()),
            chain: chain.map(str::to_owned),
            ..Default::default()
        };
        let r = Rule {
            family: self.family,
            attrs,
        };
        self.push(
            r.to_msg(msg::DELRULE, 0),
            "RULE_FLUSH",
            format!("rule in chain {}", chain.unwrap_or("(null)")),
        );
        for c in self.chains.iter_mut() {
            if chain.is_none_or(|n| n == c.chain.name()) {
                c.rules.clear();
            }
        }
    }

    /// `-F`: flush `chain` (or with `None` the table) as 1.8.11 does,
    /// except that foreign rules stay: a chain holding any loses only the
    /// tool's own rules (shim/README, "Foreign rules").
    pub fn flush_keeping_foreign(&mut self, chain: Option<&str>) {
        let foreign = |c: &SnapChain<R>| c.rules.iter().any(|r| r.own.is_err());
        match chain {
            Some(n) if self.chain(n).is_some_and(foreign) => self.flush_own(n),
            Some(n) => self.flush(Some(n)),
            None if self.chains.iter().any(foreign) => {
                let names: Vec<String> = self
                    .chains
                    .iter()
                    .map(|c| c.chain.name().to_string())
                    .collect();
                for n in names {
                    self.flush_keeping_foreign(Some(&n));
                }
            }
            None => self.flush(None),
        }
    }

    /// Where an appended rule of a full restore goes: before the first
    /// kept foreign rule that followed more of the tool's rules than the
    /// chain holds now (None: at the end).
    pub fn anchored_position(&self, chain: &str) -> Option<usize> {
        let c = self.chain(chain)?;
        let own = c.rules.iter().filter(|r| r.own.is_ok()).count();
        c.rules.iter().position(|r| {
            r.own.is_err()
                && r.handle
                    .and_then(|h| self.anchors.get(&(chain.to_string(), h)))
                    .is_some_and(|&k| k > own)
        })
    }

    /// Remove the tool's own rules of `chain`, keeping foreign ones (and
    /// recording where they stood, see [`Snapshot::anchors`]).
    pub fn flush_own(&mut self, chain: &str) {
        let Some(c) = self.chain(chain) else { return };
        let mut own = 0usize;
        let mut found = Vec::new();
        for r in &c.rules {
            match (&r.own, r.handle) {
                (Ok(_), _) => own += 1,
                (Err(_), Some(h)) => found.push((h, own)),
                _ => {}
            }
        }
        for (h, k) in found {
            self.anchors.insert((chain.to_string(), h), k);
        }
        let Some(c) = self.chain(chain) else { return };
        if c.rules.iter().all(|r| r.own.is_ok()) {
            if !c.rules.is_empty() {
                self.flush(Some(chain));
            }
            return;
        }
        let own: Vec<usize> = c
            .rules
            .iter()
            .enumerate()
            .filter(|(_, r)| r.own.is_ok())
            .map(|(i, _)| i)
            .collect();
        for i in own.into_iter().rev() {
            self.delete_rule(chain, i);
        }
    }

    /// Delete the whole table (ebtables' `--init-table`).
    pub fn delete_table(&mut self) {
        let t = nftwire::object::Table::named(self.family, &self.table);
        self.push(
            t.to_msg(msg::DELTABLE, 0),
            "TABLE_DEL",
            format!("table {}", self.table),
        );
        self.exists = false;
        self.chains.clear();
    }

    /// A base chain other than the builtin ones (1.8.11 calls the table
    /// "tainted").
    pub fn tainted(&self) -> bool {
        self.has_foreign(|_| true)
    }

    /// The note listings and saves print first for a tainted table.
    pub fn tainted_note(&self) -> String {
        if self.tainted() {
            format!(
                "# Table `{}' contains incompatible base-chains, use 'nft' tool to list them.\n",
                self.table
            )
        } else {
            String::new()
        }
    }

    /// Whether anything in the table is not the tool's own: a rule that
    /// is not (other than those `own_extra` accepts, such as ebtables'
    /// policy rules), or a base chain other than the builtin ones.
    pub fn has_foreign(&self, own_extra: impl Fn(&SnapRule<R>) -> bool) -> bool {
        self.chains.iter().any(|c| {
            let foreign_base = c.chain.attrs.hook.as_ref().is_some_and(|h| {
                self.builtin.chain(c.chain.name()).is_none_or(|b| {
                    h.num != Some(b.hook)
                        || h.priority != Some(b.prio)
                        || c.chain.attrs.chain_type.as_deref() != Some(b.chain_type)
                })
            });
            foreign_base || c.rules.iter().any(|r| r.own.is_err() && !own_extra(r))
        })
    }

    /// `-N`.
    pub fn new_chain(&mut self, name: &str) {
        self.ensure_table();
        let c = Chain::regular(self.family, &self.table, name);
        self.push(
            c.to_msg(msg::NEWCHAIN, F_EXCL),
            "CHAIN_USER_ADD",
            format!("chain {name}"),
        );
        self.chains.push(SnapChain {
            chain: c,
            rules: Vec::new(),
        });
    }

    /// Before `-X` of a user chain: when it holds only foreign rules (a
    /// flush kept them), delete those too, so the chain goes as after
    /// 1.8.11's flush; one still holding the tool's rules is left to the
    /// kernel's refusal, as in 1.8.11.
    pub fn drop_foreign_only(&mut self, name: &str) {
        let Some(c) = self.chain(name) else { return };
        if c.rules.is_empty() || c.rules.iter().any(|r| r.own.is_ok()) {
            return;
        }
        for i in (0..c.rules.len()).rev() {
            self.delete_rule(name, i);
        }
    }

    /// `-X` of one chain.
    pub fn del_chain(&mut self, name: &str) {
        let c = Chain::regular(self.family, &self.table, name);
        self.push(
            c.to_msg(msg::DELCHAIN, F_NONREC),
            "CHAIN_DEL",
            format!("chain {name}"),
        );
        self.chains.retain(|c| c.chain.name() != name);
    }

    /// `-E`.
    pub fn rename_chain(&mut self, old: &str, new: &str) {
        let handle = self.chain(old).and_then(|c| c.chain.attrs.handle);
        let mut c = Chain::regular(self.family, &self.table, new);
        // Handle 0 for a chain created in this batch, as 1.8.11 (the
        // kernel refuses it; no handle at all would create a second chain).
        c.attrs.handle = Some(handle.unwrap_or(0));
        self.push(
            c.to_msg(msg::NEWCHAIN, 0),
            "CHAIN_RENAME",
            format!("chain {new}"),
        );
        if let Some(s) = self.chain_mut(old) {
            s.chain.attrs.name = Some(new.to_string());
        }
    }

    /// `-P` (and restore's policy lines): the full base chain update.
    pub fn set_policy(&mut self, name: &str, policy: u32, counters: (u64, u64), create: bool) {
        let Some(b) = self.builtin.chain(name) else {
            return;
        };
        self.ensure_builtin(name, 1);
        let c = b.to_chain(self.family, &self.table, policy, counters);
        self.push(
            c.to_msg(msg::NEWCHAIN, if create { F_CREATE } else { 0 }),
            "CHAIN_UPDATE",
            format!("chain {name}"),
        );
        if let Some(s) = self.chain_mut(name) {
            s.chain.attrs.policy = Some(policy);
            s.chain.attrs.counters = c.attrs.counters.clone();
        }
    }

    /// Zero a base chain's counters.
    pub fn zero_chain(&mut self, name: &str) {
        let Some(s) = self.chain(name) else { return };
        let c = super::zero::zeroed_base_chain(self.family, &self.table, name, &s.chain);
        self.push(
            c.to_msg(msg::NEWCHAIN, F_CREATE),
            "CHAIN_ZERO",
            format!("chain {name}"),
        );
    }

    /// Zero rule `i`'s counter (a replace with the counter at 0), if it
    /// counted anything.
    pub fn zero_rule(&mut self, chain: &str, i: usize) {
        let Some(e) = self.chain(chain).and_then(|c| c.rules.get(i)) else {
            return;
        };
        let Some(h) = e.handle else { return };
        let mut r = e.rule.clone();
        let mut changed = false;
        if let Some(l) = r.attrs.exprs.as_mut() {
            for x in l.0.iter_mut() {
                if let Expr::Counter(k) = x {
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
        r.attrs.handle = Some(h);
        r.attrs.position = None;
        let own = (self.decode)(&r, &self.sets);
        if let Some(e) = self.chain_mut(chain).and_then(|c| c.rules.get_mut(i)) {
            e.rule = r.clone();
            e.own = own;
        }
        self.push(
            r.to_msg(msg::NEWRULE, F_CREATE | F_REPLACE),
            "RULE_REPLACE",
            format!("rule in chain {chain}"),
        );
    }

    /// Base chains in hook order (with `fakes`, missing builtins too), then
    /// user chains in kernel order.
    pub fn chain_order(&self, fakes: bool) -> Vec<String> {
        let mut v: Vec<String> = Vec::new();
        for b in self.builtin.chains_by_hook() {
            if fakes || self.chain(b.name).is_some() {
                v.push(b.name.to_string());
            }
        }
        for c in &self.chains {
            if c.chain.attrs.hook.is_none() {
                v.push(c.chain.name().to_string());
            }
        }
        v
    }

    /// Chains as listings and saves show them: base chains in hook order
    /// (missing builtin ones too), then user chains by name; with `only`,
    /// that one.
    pub fn shown(&self, only: Option<&str>) -> Vec<String> {
        let mut v: Vec<String> = self
            .builtin
            .chains_by_hook()
            .iter()
            .map(|b| b.name.to_string())
            .collect();
        let mut user: Vec<String> = self
            .chains
            .iter()
            .filter(|c| c.chain.attrs.hook.is_none())
            .map(|c| c.chain.name().to_string())
            .collect();
        user.sort();
        v.extend(user);
        if let Some(o) = only {
            v.retain(|n| n == o);
        }
        v
    }

    /// A foreign rule as the listings' comment line.
    pub fn foreign_line(e: &SnapRule<R>, chain: &str) -> String {
        let sets = nftwire::render::nft::delinearize::Sets::new();
        crate::show::foreign_rule_line(&e.rule, e.handle, chain, &sets)
    }

    /// How many rules jump to `chain` (`-L`'s references).
    pub fn references(&self, chain: &str) -> usize {
        self.chains
            .iter()
            .flat_map(|c| c.rules.iter())
            .filter(|r| {
                r.rule.exprs().iter().any(|e| match e {
                    Expr::Immediate(im) => {
                        im.data
                            .as_ref()
                            .and_then(|d| d.verdict.as_ref())
                            .and_then(|v| v.chain.as_deref())
                            == Some(chain)
                    }
                    _ => false,
                })
            })
            .count()
    }
}

/// Read the table, let `build` change the snapshot and commit its batch
/// with the generation it was read at; rebuilt from a fresh read when
/// another writer changed the ruleset in between. Returns what `build`
/// wrote for stdout and the warnings.
pub fn transact<R: Clone, F>(
    conn: &mut Conn,
    family: u8,
    builtin: &'static BuiltinTable,
    decode: Decoder<R>,
    mut build: F,
) -> Result<(String, Vec<String>), IptError>
where
    F: FnMut(&mut Snapshot<R>, &mut String) -> MResult<()>,
{
    for _ in 0..RETRIES {
        let genid = crate::run::start_generation(conn)?;
        let mut s = match Snapshot::read(conn, family, builtin, decode) {
            Ok(s) => s,
            Err(ModelErr::Again) => continue,
            Err(ModelErr::Ipt(e)) => return Err(e),
        };
        let mut out = String::new();
        match build(&mut s, &mut out) {
            Ok(()) => {}
            Err(ModelErr::Again) => continue,
            Err(ModelErr::Ipt(e)) => return Err(e),
        }
        if s.ops.is_empty() {
            if conn.generation().map_err(lib_err)? != genid {
                continue;
            }
            return Ok((out, s.warnings));
        }
        match conn.batch(&s.ops, Some(genid)) {
            Ok(_) => return Ok((out, s.warnings)),
            Err(nftwire::Error::GenerationChanged) => continue,
            Err(e) => return Err(crate::refusals::report(e, conn, &s.ops)),
        }
    }
    Err(too_many_changes())
}
