//! Whole-ruleset explanation: for every rule in an iptables table, what a
//! given iptables-nft release does with it when listing (`-S`, `-L`,
//! `iptables-save`: whitelist, then reader) and when searching (`-C`, `-D`:
//! reader only), and why; plus the base chains that taint a table.
//!
//! Per-rule outcomes are the rule's own: `list` says what listing would do
//! if this rule were the only foreign one in its table. Listing works per
//! table, so one incompatible rule makes `iptables -S`, `-L` and
//! `iptables-save` give up on the whole table; [`TableSummary`] says that.

use super::cstate::CommandState;
use super::ebtarp;
use super::json::Json;
use super::layout::{self, check_base_chain};
use super::nlexpr::NlExpr;
use super::reader::{self, Finding, ParseError, ReadContext};
use super::save::{self, ExtPrinter};
use super::suggest::{self, Suggestion};
use super::version::IptVersion;
use super::whitelist;
use crate::object::Rule;
use crate::ruleset::{Ruleset, SetWithElems};

/// What listing does with a rule.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ListOutcome {
    /// Printed.
    Ok,
    /// The whitelist refuses the table/chain (`-S`/`-L` exit 1,
    /// `iptables-save` prints a comment instead of the table).
    Incompatible,
    /// The reader fails (`Error: ...`, exit 3).
    Error,
}

impl ListOutcome {
    /// `ok` / `incompatible` / `error`.
    pub fn as_str(self) -> &'static str {
        match self {
            ListOutcome::Ok => "ok",
            ListOutcome::Incompatible => "incompatible",
            ListOutcome::Error => "error",
        }
    }
}

/// What `-C`/`-D` do when they reach a rule.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CheckOutcome {
    /// Read (correctly or not) and compared.
    Ok,
    /// The reader fails: the command exits 3.
    Error,
}

impl CheckOutcome {
    /// `ok` / `error`.
    pub fn as_str(self) -> &'static str {
        match self {
            CheckOutcome::Ok => "ok",
            CheckOutcome::Error => "error",
        }
    }
}

/// The first expression the whitelist refuses.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Culprit {
    /// Index in the rule.
    pub index: usize,
    /// `nft --debug=netlink` form.
    pub raw: String,
    /// Why it is refused.
    pub why: String,
}

/// The explanation of one rule.
#[derive(Clone, Debug)]
pub struct RuleReport {
    /// `NFPROTO_*` family.
    pub family: u8,
    /// Table name.
    pub table: String,
    /// Chain name.
    pub chain: String,
    /// Rule handle.
    pub handle: Option<u64>,
    /// Debug forms of the expressions.
    pub exprs: Vec<String>,
    /// Listing outcome.
    pub list: ListOutcome,
    /// `-C`/`-D` outcome.
    pub check: CheckOutcome,
    /// The whitelist culprit, when incompatible.
    pub culprit: Option<Culprit>,
    /// Reader errors.
    pub errors: Vec<ParseError>,
    /// Silent misreadings (meaningful when the reader succeeds).
    pub findings: Vec<Finding>,
    /// Undefined behaviour in iptables for this rule.
    pub undefined: Option<Finding>,
    /// True when the reader succeeds but its reading is wrong.
    pub misread: bool,
    /// The rule as the reader understood it (when it succeeds).
    pub read_as: Option<String>,
    /// The rule as listing prints it (only when `list` is ok).
    pub iptables: Option<String>,
    /// Set when the rule sits in a base chain iptables ignores.
    pub hidden_by: Option<String>,
    /// An iptables-compatible equivalent, for rules iptables cannot read.
    pub suggestion: Option<Suggestion>,
    /// Why there is no suggestion (for rules iptables cannot read).
    pub no_suggestion: Option<String>,
    /// One sentence.
    pub reason: String,
}

impl RuleReport {
    /// True when iptables reads this rule correctly everywhere.
    pub fn readable(&self) -> bool {
        self.list == ListOutcome::Ok && self.check == CheckOutcome::Ok && !self.misread
    }

    /// The first error text (after `Error: `).
    pub fn error(&self) -> Option<&str> {
        self.errors.first().map(|e| e.message.as_str())
    }

    /// The JSON object of the `--json` output.
    pub fn to_json(&self) -> Json {
        let culprit_index = self
            .culprit
            .as_ref()
            .map(|c| c.index)
            .or_else(|| self.errors.first().map(|e| e.expr))
            .or_else(|| {
                if self.misread {
                    self.findings.first().map(|f| f.expr)
                } else {
                    None
                }
            });
        let raw = culprit_index.and_then(|i| self.exprs.get(i).cloned());
        Json::obj(vec![
            ("family", Json::s(layout::family_str(self.family))),
            ("table", Json::s(&self.table)),
            ("chain", Json::s(&self.chain)),
            (
                "handle",
                self.handle
                    .map(|h| Json::Int(h as i64))
                    .unwrap_or(Json::Null),
            ),
            ("list", Json::s(self.list.as_str())),
            ("check", Json::s(self.check.as_str())),
            ("error", Json::opt_s(self.error())),
            ("misread", Json::Bool(self.misread)),
            ("iptables", Json::opt_s(self.iptables.clone())),
            ("reason", Json::s(&self.reason)),
            (
                "expr",
                culprit_index
                    .map(|i| Json::Int(i as i64))
                    .unwrap_or(Json::Null),
            ),
            ("expr_raw", Json::opt_s(raw)),
            (
                "errors",
                Json::Arr(self.errors.iter().map(|e| Json::s(&e.message)).collect()),
            ),
            (
                "findings",
                Json::Arr(self.findings.iter().map(|f| Json::s(&f.text)).collect()),
            ),
            ("read_as", Json::opt_s(self.read_as.clone())),
            ("hidden", Json::Bool(self.hidden_by.is_some())),
            (
                "suggestion",
                self.suggestion
                    .as_ref()
                    .map(|s| s.to_json())
                    .unwrap_or(Json::Null),
            ),
            ("no_suggestion", Json::opt_s(self.no_suggestion.clone())),
        ])
    }
}

/// A base chain that taints its table.
#[derive(Clone, Debug)]
pub struct BaseChainReport {
    /// Family.
    pub family: u8,
    /// Table.
    pub table: String,
    /// Chain.
    pub chain: String,
    /// What is wrong with it.
    pub problem: String,
    /// Whether it carries a builtin chain's name (then `iptables -A` on that
    /// chain fails with `CHAIN_ADD failed (Operation not supported)`).
    pub builtin_name: bool,
    /// Number of rules in it (invisible to iptables).
    pub rules: usize,
}

/// Per-table consequences of the rule outcomes.
#[derive(Clone, Debug)]
pub struct TableSummary {
    /// Family.
    pub family: u8,
    /// Table.
    pub table: String,
    /// Handles' reports index of the first incompatible rule.
    pub first_incompatible: Option<usize>,
    /// Index of the first rule whose reading errors (in listing order).
    pub first_error: Option<usize>,
    /// Whether a base chain taints the table.
    pub tainted: bool,
    /// Number of rules.
    pub rules: usize,
}

/// What [`explain`] looks at.
pub struct Options<'a> {
    /// The release to model.
    pub version: IptVersion,
    /// Only this family (`NFPROTO_IPV4`/`IPV6`).
    pub family: Option<u8>,
    /// Only this table.
    pub table: Option<String>,
    /// Only this chain.
    pub chain: Option<String>,
    /// `if_indextoname` where iptables would run.
    pub ifname: &'a dyn Fn(u32) -> Option<String>,
    /// Printer for xt compat extensions.
    pub ext: &'a dyn ExtPrinter,
}

/// The explanation of a ruleset.
#[derive(Clone, Debug)]
pub struct Explanation {
    /// The modelled release.
    pub version: IptVersion,
    /// One report per rule of an iptables table, in kernel order.
    pub rules: Vec<RuleReport>,
    /// Base chains that taint their table.
    pub base_chains: Vec<BaseChainReport>,
    /// Per-table summaries (tables with rules or issues).
    pub tables: Vec<TableSummary>,
}

impl Explanation {
    /// True when every rule is read correctly and no table is tainted.
    pub fn all_readable(&self) -> bool {
        self.rules.iter().all(|r| r.readable()) && self.base_chains.is_empty()
    }

    /// The `--json` array.
    pub fn to_json(&self) -> Json {
        Json::Arr(self.rules.iter().map(|r| r.to_json()).collect())
    }
}

/// `if_indextoname` in the calling thread's network namespace.
pub fn if_indextoname(index: u32) -> Option<String> {
    let mut buf = [0 as nix::libc::c_char; 64];
    // SAFETY: `buf` is larger than IF_NAMESIZE, as if_indextoname requires.
    let p = unsafe { nix::libc::if_indextoname(index, buf.as_mut_ptr()) };
    if p.is_null() {
        return None;
    }
    let bytes: Vec<u8> = buf
        .iter()
        .take_while(|&&c| c != 0)
        .map(|&c| c as u8)
        .collect();
    Some(String::from_utf8_lossy(&bytes).into_owned())
}

/// The program name iptables uses for a family.
pub fn prog(family: u8) -> &'static str {
    match family {
        layout::FAMILY_IP6 => "ip6tables",
        super::ebtarp::FAMILY_BRIDGE => "ebtables",
        super::ebtarp::FAMILY_ARP => "arptables",
        _ => "iptables",
    }
}

fn expr_ref(exprs: &[String], i: usize) -> String {
    match exprs.get(i) {
        Some(raw) => format!("expression #{i} `{raw}`"),
        None => "the rule's userdata".into(),
    }
}

/// The first expression of `rule` the listing whitelist refuses (`exprs`:
/// the rule's expressions in debug form).
pub fn whitelist_culprit(rule: &Rule, exprs: &[String]) -> Option<Culprit> {
    rule.exprs().iter().enumerate().find_map(|(i, e)| {
        whitelist::rejects(&NlExpr::of(e)).map(|why| Culprit {
            index: i,
            raw: exprs[i].clone(),
            why,
        })
    })
}

/// Listing and searching outcomes from whether the whitelist refuses the
/// rule and whether the reader fails on it.
pub fn outcomes(incompatible: bool, failed: bool) -> (ListOutcome, CheckOutcome) {
    let check = if failed {
        CheckOutcome::Error
    } else {
        CheckOutcome::Ok
    };
    let list = if incompatible {
        ListOutcome::Incompatible
    } else if failed {
        ListOutcome::Error
    } else {
        ListOutcome::Ok
    };
    (list, check)
}

/// Explain one rule.
pub fn explain_rule(
    rule: &Rule,
    sets: &[SetWithElems],
    opts: &Options<'_>,
    hidden_by: Option<String>,
) -> RuleReport {
    let exprs: Vec<String> = rule.exprs().iter().map(|e| e.to_string()).collect();
    let culprit = whitelist_culprit(rule, &exprs);
    let reading = read_rule(rule, opts);
    let failed = !reading.errors.is_empty() || reading.undefined.is_some();
    let (list, check) = outcomes(culprit.is_some(), failed);
    let misread = !failed && !reading.findings.is_empty() && hidden_by.is_none();
    let read_as = (!failed).then(|| line(&reading.state, rule.table(), rule.chain(), opts));
    let iptables = if list == ListOutcome::Ok && hidden_by.is_none() {
        read_as.clone()
    } else {
        None
    };
    let mut rep = RuleReport {
        family: rule.family,
        table: rule.table().to_string(),
        chain: rule.chain().to_string(),
        handle: rule.attrs.handle,
        exprs,
        list,
        check,
        culprit,
        errors: reading.errors,
        findings: reading.findings,
        undefined: reading.undefined,
        misread,
        read_as,
        iptables,
        hidden_by,
        suggestion: None,
        no_suggestion: None,
        reason: String::new(),
    };
    if rep.hidden_by.is_some() {
        // iptables never reads rules of a base chain it dropped.
        rep.list = ListOutcome::Ok;
        rep.check = CheckOutcome::Ok;
        rep.misread = false;
        rep.errors.clear();
        rep.findings.clear();
        rep.undefined = None;
        rep.read_as = None;
    }
    if !rep.readable() && rep.hidden_by.is_none() {
        match suggest::suggest(rule, sets, opts.ifname) {
            Ok(s) => rep.suggestion = Some(s),
            Err(why) => rep.no_suggestion = Some(format!("iptables has no equivalent for {why}")),
        }
    }
    rep.reason = reason(&rep, opts.version);
    rep
}

/// The modelled reader run over `rule`.
fn read_rule(rule: &Rule, opts: &Options<'_>) -> reader::Reading {
    let ctx = ReadContext {
        version: opts.version,
        ipv6: rule.family == layout::FAMILY_IP6,
        table: rule.table(),
        ifname: opts.ifname,
    };
    reader::read(rule.exprs(), rule.attrs.userdata.as_deref(), &ctx)
}

/// The line `opts.version` lists for `rule` when it reads the rule
/// correctly and completely (the whitelist takes every expression; the
/// reader neither fails nor misreads, drops or skips anything), else
/// `None`: what [`explain_rule`] calls readable, without the report and
/// the suggestion (the shim asks this of every rule it did not write).
pub fn read_correctly(rule: &Rule, opts: &Options<'_>) -> Option<String> {
    let whitelisted = rule
        .exprs()
        .iter()
        .all(|e| whitelist::rejects(&NlExpr::of(e)).is_none());
    let reading = whitelisted.then(|| read_rule(rule, opts))?;
    let clean =
        reading.errors.is_empty() && reading.undefined.is_none() && reading.findings.is_empty();
    clean.then(|| line(&reading.state, rule.table(), rule.chain(), opts))
}

fn line(cs: &CommandState, table: &str, chain: &str, opts: &Options<'_>) -> String {
    save::save_line(cs, table, chain, opts.version, opts.ext)
}

fn reason(r: &RuleReport, v: IptVersion) -> String {
    if let Some(h) = &r.hidden_by {
        return format!(
            "The rule sits in base chain {} which iptables {v} ignores ({h}), so iptables never \
             sees it and lists the table with a `contains incompatible base-chains` note.",
            r.chain
        );
    }
    let errors_text = |r: &RuleReport| -> String {
        let e = &r.errors[0];
        format!("`Error: {}` at {}", e.message, expr_ref(&r.exprs, e.expr))
    };
    let undefined_text = |f: &Finding, r: &RuleReport| -> String {
        format!(
            "iptables' behaviour is undefined at {}: {}",
            expr_ref(&r.exprs, f.expr),
            f.text
        )
    };
    let misread_text = |r: &RuleReport| -> String {
        let f = &r.findings[0];
        format!("at {}: {}", expr_ref(&r.exprs, f.expr), f.text)
    };
    match (r.list, r.check) {
        (ListOutcome::Incompatible, _) => {
            let c = r.culprit.as_ref().map(|c| {
                format!(
                    "{} makes the table incompatible: {}",
                    expr_ref(&r.exprs, c.index),
                    c.why
                )
            });
            let c = c.unwrap_or_default();
            let search = if let Some(u) = &r.undefined {
                format!("and for -C/-D {}", undefined_text(u, r))
            } else if !r.errors.is_empty() {
                format!("and -C/-D stop with {} (exit 3)", errors_text(r))
            } else if let (true, Some(read)) = (!r.findings.is_empty(), &r.read_as) {
                format!(
                    "and -C/-D read it silently wrong as `{read}` ({})",
                    misread_text(r)
                )
            } else if let Some(read) = &r.read_as {
                format!("while -C/-D read it as `{read}`")
            } else {
                String::new()
            };
            format!("{c}, so `-S`/`-L` fail and iptables-save omits the table, {search}.")
        }
        (ListOutcome::Error, _) => {
            if let Some(u) = &r.undefined {
                format!("{}.", undefined_text(u, r))
            } else {
                format!(
                    "The reader fails with {}, so listing and -C/-D exit with status 3.",
                    errors_text(r)
                )
            }
        }
        (ListOutcome::Ok, _) if r.misread => format!(
            "iptables reads it silently wrong as `{}`: {}.",
            r.read_as.as_deref().unwrap_or(""),
            misread_text(r)
        ),
        (ListOutcome::Ok, _) => "iptables reads it as written.".into(),
    }
}

/// Explain every rule of the iptables tables in `rs`.
pub fn explain(rs: &Ruleset, opts: &Options<'_>) -> Explanation {
    let wanted = |family: u8, table: &str| {
        (layout::builtin_table(family, table).is_some() || ebtarp::managed(family, table))
            && opts.family.is_none_or(|f| f == family)
            && opts.table.as_deref().is_none_or(|t| t == table)
    };
    let mut base_chains = Vec::new();
    let mut hidden: Vec<(u8, String, String, String)> = Vec::new();
    for c in &rs.chains {
        if !wanted(c.family, c.table()) || !c.is_base() {
            continue;
        }
        if let Some(p) = check_base_chain(c) {
            let problem = p.describe(c);
            let builtin_name = layout::builtin_table(c.family, c.table())
                .is_some_and(|t| t.chains.iter().any(|b| b.name == c.name()));
            base_chains.push(BaseChainReport {
                family: c.family,
                table: c.table().to_string(),
                chain: c.name().to_string(),
                problem: problem.clone(),
                builtin_name,
                rules: rs.chain_rules(c.family, c.table(), c.name()).count(),
            });
            hidden.push((
                c.family,
                c.table().to_string(),
                c.name().to_string(),
                problem,
            ));
        }
    }
    if let Some(ch) = &opts.chain {
        base_chains.retain(|b| &b.chain == ch);
    }
    let mut rules = Vec::new();
    for r in &rs.rules {
        if !wanted(r.family, r.table()) {
            continue;
        }
        if opts.chain.as_deref().is_some_and(|c| c != r.chain()) {
            continue;
        }
        if ebtarp::managed(r.family, r.table()) {
            rules.push(ebtarp::explain_rule(r, &rs.sets, opts.version));
            continue;
        }
        let h = hidden
            .iter()
            .find(|(f, t, c, _)| *f == r.family && t == r.table() && c == r.chain())
            .map(|x| x.3.clone());
        rules.push(explain_rule(r, &rs.sets, opts, h));
    }
    let mut tables: Vec<TableSummary> = Vec::new();
    for (i, r) in rules.iter().enumerate() {
        let pos = match tables
            .iter()
            .position(|t| t.family == r.family && t.table == r.table)
        {
            Some(p) => p,
            None => {
                tables.push(TableSummary {
                    family: r.family,
                    table: r.table.clone(),
                    first_incompatible: None,
                    first_error: None,
                    tainted: false,
                    rules: 0,
                });
                tables.len() - 1
            }
        };
        let t = &mut tables[pos];
        t.rules += 1;
        if r.list == ListOutcome::Incompatible && t.first_incompatible.is_none() {
            t.first_incompatible = Some(i);
        }
        if r.list == ListOutcome::Error && t.first_error.is_none() {
            t.first_error = Some(i);
        }
    }
    for b in &base_chains {
        match tables
            .iter_mut()
            .find(|t| t.family == b.family && t.table == b.table)
        {
            Some(t) => t.tainted = true,
            None => tables.push(TableSummary {
                family: b.family,
                table: b.table.clone(),
                first_incompatible: None,
                first_error: None,
                tainted: true,
                rules: 0,
            }),
        }
    }
    Explanation {
        version: opts.version,
        rules,
        base_chains,
        tables,
    }
}

/// The message iptables prints (stderr, exit 1) when listing refuses a
/// table or chain.
pub fn incompatible_message(v: IptVersion, family: u8, table: &str, chain: Option<&str>) -> String {
    match chain {
        Some(c) => format!(
            "{} v{v} (nf_tables): chain `{c}' in table `{table}' is incompatible, use 'nft' tool.",
            prog(family)
        ),
        None => format!(
            "{} v{v} (nf_tables): table `{table}' is incompatible, use 'nft' tool.",
            prog(family)
        ),
    }
}
