//! The ruleset as nft sees it: tables with their objects, sets,
//! flowtables, chains and delinearized rules, in kernel dump order. Both
//! the text and the JSON renderers work from this.

use super::delinearize::{Ctx, Sets};
use super::postprocess::postprocess;
use super::set::SetInfo;
use super::stmt::Stmt;
use super::udata;
use crate::object::{Chain, Flowtable, Object, Rule, Table};
use crate::ruleset::Ruleset;
use std::collections::HashMap;

/// One decoded rule.
#[derive(Clone, Debug)]
pub struct RuleM {
    /// Handle.
    pub handle: u64,
    /// Statements.
    pub stmts: Vec<Stmt>,
    /// Comment from userdata.
    pub comment: Option<String>,
    /// Some expression could not be printed as nft would.
    pub raw: bool,
    /// Number of kernel expressions.
    pub nexprs: usize,
}

/// A chain and its rules.
pub struct ChainM<'a> {
    /// The chain.
    pub chain: &'a Chain,
    /// Comment.
    pub comment: Option<String>,
    /// Rules in order.
    pub rules: Vec<RuleM>,
}

/// A table with everything in it.
pub struct TableM<'a> {
    /// The table.
    pub table: &'a Table,
    /// Comment.
    pub comment: Option<String>,
    /// Contains xt compat expressions (iptables-nft).
    pub has_xt: bool,
    /// Stateful objects.
    pub objects: Vec<&'a Object>,
    /// Sets by name.
    pub sets: Sets,
    /// Set names in dump order.
    pub set_order: Vec<String>,
    /// Flowtables.
    pub flowtables: Vec<&'a Flowtable>,
    /// Chains in dump order (binding chains excluded).
    pub chains: Vec<ChainM<'a>>,
}

/// The whole ruleset decoded.
pub struct Model<'a> {
    /// Tables in dump order.
    pub tables: Vec<TableM<'a>>,
}

/// Decode one rule; also tells whether it has xt compat expressions.
pub fn decode_rule(r: &Rule, sets: &Sets) -> (RuleM, bool) {
    let exprs = r.exprs();
    let mut ctx = Ctx::new(r.family, sets, exprs.len());
    for (i, e) in exprs.iter().enumerate() {
        ctx.parse(i, e);
    }
    let has_xt = ctx.has_xt;
    let (stmts, raw) = ctx.finish(exprs);
    let stmts = postprocess(r.family, stmts);
    let comment = udata::comment_opt(r.attrs.userdata.as_deref(), 0);
    (
        RuleM {
            handle: r.attrs.handle.unwrap_or(0),
            stmts,
            comment,
            raw,
            nexprs: exprs.len(),
        },
        has_xt,
    )
}

/// True when a chain is a binding chain (printed inline in `jump { … }`).
pub fn is_binding(c: &Chain) -> bool {
    c.attrs.flags.unwrap_or(0) & 4 != 0
}

impl<'a> TableM<'a> {
    /// A table with its objects, sets, flowtables and (rule-less, non
    /// binding) chains, from slices holding objects of any table.
    pub fn new(
        t: &'a Table,
        chains: &'a [Chain],
        sets: &[crate::ruleset::SetWithElems],
        objects: &'a [Object],
        flowtables: &'a [Flowtable],
    ) -> TableM<'a> {
        let fam = t.family;
        let tname = t.name();
        let mut smap = Sets::new();
        let mut set_order = Vec::new();
        for sw in sets
            .iter()
            .filter(|s| s.set.family == fam && s.set.table() == tname)
        {
            let info = SetInfo::build(sw);
            set_order.push(info.name.clone());
            smap.insert(info.name.clone(), info);
        }
        TableM {
            table: t,
            comment: udata::comment_opt(t.attrs.userdata.as_deref(), 0),
            has_xt: false,
            objects: objects
                .iter()
                .filter(|o| o.family == fam && o.table() == tname)
                .collect(),
            sets: smap,
            set_order,
            flowtables: flowtables
                .iter()
                .filter(|f| f.family == fam && f.table.as_deref() == Some(tname))
                .collect(),
            chains: chains
                .iter()
                .filter(|c| c.family == fam && c.table() == tname && !is_binding(c))
                .map(|c| ChainM {
                    chain: c,
                    comment: udata::comment_opt(c.attrs.userdata.as_deref(), 0),
                    rules: Vec::new(),
                })
                .collect(),
        }
    }
}

impl<'a> Model<'a> {
    /// Decode the tables accepted by `keep` (family, table name).
    pub fn build(rs: &'a Ruleset, keep: &dyn Fn(u8, &str) -> bool) -> Model<'a> {
        let mut rules_by: HashMap<(u8, &str, &str), Vec<&'a Rule>> = HashMap::new();
        for r in &rs.rules {
            rules_by
                .entry((r.family, r.table(), r.chain()))
                .or_default()
                .push(r);
        }
        let mut tables = Vec::new();
        for t in &rs.tables {
            if !keep(t.family, t.name()) {
                continue;
            }
            let mut tm = TableM::new(t, &rs.chains, &rs.sets, &rs.objects, &rs.flowtables);
            let fam = t.family;
            let tname = t.name();
            let mut bindings: HashMap<String, Vec<RuleM>> = HashMap::new();
            for c in rs
                .chains
                .iter()
                .filter(|c| c.family == fam && c.table() == tname && is_binding(c))
            {
                let mut rules = Vec::new();
                if let Some(list) = rules_by.get(&(fam, tname, c.name())) {
                    for r in list {
                        let (rm, xt) = decode_rule(r, &tm.sets);
                        tm.has_xt |= xt;
                        rules.push(rm);
                    }
                }
                bindings.insert(c.name().to_string(), rules);
            }
            let mut has_xt = tm.has_xt;
            for ch in tm.chains.iter_mut() {
                if let Some(list) = rules_by.get(&(fam, tname, ch.chain.name())) {
                    for r in list {
                        let (mut rm, xt) = decode_rule(r, &tm.sets);
                        has_xt |= xt;
                        if !bindings.is_empty() {
                            inline_bindings(&mut rm.stmts, &bindings);
                        }
                        ch.rules.push(rm);
                    }
                }
            }
            tm.has_xt = has_xt;
            tables.push(tm);
        }
        Model { tables }
    }
}

/// Replace `jump`/`goto` to binding chains by inline chain blocks.
pub fn inline_bindings(stmts: &mut [Stmt], bindings: &HashMap<String, Vec<RuleM>>) {
    for s in stmts.iter_mut() {
        let Stmt::Verdict(e) = s else { continue };
        let super::expr::Kind::Verdict {
            code,
            chain: Some(name),
        } = &e.kind
        else {
            continue;
        };
        if let Some(rules) = bindings.get(name) {
            *s = Stmt::Chain {
                code: *code,
                rules: rules
                    .iter()
                    .map(|r| (r.stmts.clone(), r.comment.clone()))
                    .collect(),
            };
        }
    }
}
