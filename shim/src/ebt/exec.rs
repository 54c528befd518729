//! One ebtables command on a bridge table snapshot, with ebtables-nft's
//! user chain policies: a user chain's policy is a marked last rule
//! (`counter accept|drop`), kept last when rules are added and rewritten
//! when the policy changes or the chain is flushed.

use super::parse::{opt, CounterOp, EbtParsed, CMD_CHANGE_COUNTERS, CMD_INIT_TABLE};
use crate::exec::msgs;
use crate::model::{MResult, ModelErr};
use crate::parse::cmd;
use crate::xfam::listing::run_listing;
use crate::xfam::Snapshot;
use nftwire::data::VerdictCode;
use nftwire::ebtables::decode::policy_of;
use nftwire::ebtables::encode::{compat, encode, policy_rule};
use nftwire::ebtables::ext::Ext;
use nftwire::ebtables::rule::{EbtRule, EbtVerdict, Proto};
use nftwire::ebtables::text::{body, Counters};
use nftwire::iptables::IptError;

type Snap = Snapshot<EbtRule>;

/// A failed operation as ebtables-nft prints it (`ebtables: MSG`, no
/// final period, status 1).
fn op(m: &str) -> ModelErr {
    IptError {
        code: nftwire::iptables::ExitCode::Other,
        style: nftwire::iptables::error::Style::Plain,
        msg: format!("ebtables: {m}"),
    }
    .into()
}

/// The policy rule of user chain `chain`: its index and verdict.
pub fn policy(s: &Snap, chain: &str) -> Option<(usize, VerdictCode)> {
    let c = s.chain(chain)?;
    if c.chain.attrs.hook.is_some() {
        return None;
    }
    let last = c.rules.last()?;
    policy_of(&last.rule).map(|v| (c.rules.len() - 1, v))
}

/// The number of rules of `chain` without its policy rule.
pub fn own_len(s: &Snap, chain: &str) -> usize {
    let n = s.chain(chain).map(|c| c.rules.len()).unwrap_or(0);
    n - usize::from(policy(s, chain).is_some())
}

/// Append the policy rule `v` to user chain `chain`.
pub fn add_policy_rule(s: &mut Snap, chain: &str, v: VerdictCode) {
    let (exprs, udata) = policy_rule(v);
    s.add_rule_with(chain, exprs, Err("policy rule".into()), None, |r| {
        r.attrs.userdata = Some(udata.into());
    });
}

/// Set user chain `chain`'s policy (`ACCEPT`, `DROP`, `RETURN`).
fn set_user_policy(s: &mut Snap, chain: &str, p: &str) -> MResult<()> {
    let v = match p {
        "ACCEPT" => Some(VerdictCode::Accept),
        "DROP" => Some(VerdictCode::Drop),
        "RETURN" => None,
        _ => return Err(op("Bad policy name. Run `dmesg' for more information")),
    };
    if let Some((i, _)) = policy(s, chain) {
        s.delete_rule(chain, i);
    }
    if let Some(v) = v {
        add_policy_rule(s, chain, v);
    }
    Ok(())
}

fn add(s: &mut Snap, chain: &str, r: &EbtRule, pos: Option<usize>) {
    let table = s.table.clone();
    let (exprs, sets) = nftwire::ebtables::encode::encode_new(r, &table, s.ids());
    for (set, elems) in sets {
        s.push(
            set.to_msg(nftwire::consts::msg::NEWSET, crate::kernel::F_CREATE),
            "SET_ADD",
            format!("set __set%d ({table})"),
        );
        s.push(
            elems.to_msg(nftwire::consts::msg::NEWSETELEM, crate::kernel::F_CREATE),
            "SETELEM_ADD",
            format!("set __set%d ({table})"),
        );
    }
    // Before the policy rule, and before kept foreign rules that came
    // after fewer of ebtables' rules (a full restore).
    let pos = pos.or_else(|| {
        let p = policy(s, chain).map(|(i, _)| i);
        match (p, s.anchored_position(chain)) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    });
    let c = compat(r);
    s.add_rule_with(chain, exprs, Ok(r.clone()), pos, move |x| {
        x.attrs.compat = Some(c)
    });
}

/// The `-v` echo of a rule command.
fn echo(r: &EbtRule, out: &mut String) {
    body(r, Counters::None, out);
    out.push('\n');
}

/// `nft_bridge_add_match`'s checks, made when the rule is built.
fn check_matches(r: &EbtRule) -> MResult<()> {
    for e in &r.exts {
        if let Ext::E802_3 { .. } = e {
            if r.proto != Some(Proto::Length) {
                return Err(IptError::param(
                    "For 802.3 DSAP/SSAP filtering the protocol must be LENGTH",
                )
                .into());
            }
        }
        if let Ext::Ip6(_) = e {
            if r.proto != Some(Proto::Type(0x86dd)) {
                return Err(IptError::param(
                    "For IPv6 filtering the protocol must be specified as IPv6.",
                )
                .into());
            }
        }
        if let Ext::Ip(_) = e {
            if r.proto != Some(Proto::Type(0x0800)) {
                return Err(IptError::param(
                    "For IP filtering the protocol must be specified as IPv4.",
                )
                .into());
            }
        }
    }
    Ok(())
}

/// What ebtables compares for `--check`/`-D`: the rule as it reads back
/// after encoding (`-i +` tests nothing, so it is not there any more).
fn as_compared(r: &EbtRule, table: &str) -> EbtRule {
    // among sets are not in the kernel yet: compared as parsed.
    if r.exts.iter().any(|e| matches!(e, Ext::Among(_))) {
        return r.clone();
    }
    let rule = nftwire::object::Rule::new(super::FAMILY, table, "", encode(r, table));
    nftwire::ebtables::decode::decode(&rule, table).unwrap_or_else(|_| r.clone())
}

fn check_jump(s: &Snap, r: &EbtRule) -> MResult<()> {
    match &r.verdict {
        EbtVerdict::Jump(c) => s.check_jump_target(c),
        _ => Ok(()),
    }
}

fn find(s: &Snap, chain: &str, r: &EbtRule) -> Option<usize> {
    let r = &as_compared(r, &s.table);
    let n = own_len(s, chain);
    s.chain(chain)?
        .rules
        .iter()
        .take(n)
        .position(|e| e.own.as_ref().is_ok_and(|k| r.same_as(k)))
}

/// Whether `chain` holds a foreign rule (its policy rule aside).
fn holds_foreign(s: &Snap, chain: &str) -> bool {
    let n = own_len(s, chain);
    s.chain(chain)
        .is_some_and(|c| c.rules.iter().take(n).any(|r| r.own.is_err()))
}

/// Flush `chain`, keeping a user chain's policy and its foreign rules
/// (1.8.11's one chain flush when it holds none).
fn flush_chain(s: &mut Snap, chain: &str) {
    let pol = policy(s, chain);
    if holds_foreign(s, chain) {
        if let Some((i, _)) = pol {
            s.delete_rule(chain, i);
        }
        s.flush_own(chain);
    } else {
        s.flush(Some(chain));
    }
    if let Some((_, v)) = pol {
        add_policy_rule(s, chain, v);
    }
}

/// Run `p` against the snapshot of its table.
pub fn run(s: &mut Snap, p: &EbtParsed, out: &mut String) -> MResult<()> {
    let chain = p.chain.clone().unwrap_or_default();
    let verbose = p.options & opt::VERBOSE != 0;
    let no_chain = op(msgs::NO_CHAIN);
    let what = (p.command, p.chain.as_deref());
    if run_listing(s, p, what, out, no_chain, [list, list_rules])? {
        return Ok(());
    }
    let r = &p.rule;
    match p.command & !(cmd::LIST | cmd::LIST_RULES) {
        cmd::APPEND | cmd::INSERT => {
            s.ensure_builtin(&chain, 1);
            if s.chain(&chain).is_none() {
                return Err(op(msgs::NO_CHAIN));
            }
            check_jump(s, r)?;
            check_matches(r)?;
            let pos = if p.command == cmd::INSERT {
                let pos = (p.rulenum - 1) as usize;
                if pos > own_len(s, &chain) {
                    return Err(op("Index of insertion too big"));
                }
                Some(pos)
            } else {
                None
            };
            add(s, &chain, r, pos);
            if verbose {
                echo(r, out);
            }
        }
        cmd::CHECK | cmd::DELETE => {
            check_jump(s, r)?;
            check_matches(r)?;
            if s.chain(&chain).is_none() {
                return Err(op(msgs::BAD_RULE));
            }
            let Some(i) = find(s, &chain, r) else {
                return Err(op(msgs::BAD_RULE));
            };
            if p.command == cmd::DELETE {
                s.delete_rule(&chain, i);
            }
            if verbose {
                echo(r, out);
            }
        }
        cmd::DELETE_NUM => {
            if s.chain(&chain).is_none() {
                return Err(op(msgs::NO_CHAIN));
            }
            // As 1.8.11's delete_entry: index N-1, then the next index of
            // the shortened chain, ... while below the range's end.
            let mut i = p.rulenum - 1;
            loop {
                if i >= own_len(s, &chain) as i64 {
                    return Err(op("Index of deletion too big"));
                }
                s.delete_rule(&chain, i as usize);
                i += 1;
                if i >= p.rulenum_end {
                    break;
                }
            }
        }
        cmd::FLUSH => {
            if p.chain.is_some() {
                s.ensure_builtin(&chain, 1);
                if s.chain(&chain).is_none() {
                    return Err(op(msgs::NO_CHAIN));
                }
                if verbose {
                    out.push_str(&format!("Flushing chain `{chain}'\n"));
                }
                flush_chain(s, &chain);
            } else if verbose {
                s.ensure_all_builtins(1);
                for c in s.chain_order(false) {
                    out.push_str(&format!("Flushing chain `{c}'\n"));
                    flush_chain(s, &c);
                }
            } else if s.exists {
                let order = s.chain_order(false);
                if order.iter().any(|c| holds_foreign(s, c)) {
                    for c in order {
                        flush_chain(s, &c);
                    }
                } else {
                    let pols: Vec<(String, VerdictCode)> = order
                        .into_iter()
                        .filter_map(|c| policy(s, &c).map(|(_, v)| (c, v)))
                        .collect();
                    s.flush(None);
                    for (c, v) in pols {
                        add_policy_rule(s, &c, v);
                    }
                }
            }
        }
        c if c == cmd::NEW_CHAIN || c == cmd::NEW_CHAIN | cmd::SET_POLICY => {
            // A renamed base chain is not seen (the kernel refuses).
            if s.builtin.chain(&chain).is_some()
                || s.chain(&chain)
                    .is_some_and(|c| c.chain.attrs.hook.is_none())
            {
                return Err(op("Chain already exists"));
            }
            s.new_chain(&chain);
            let pol = p.policy.as_deref().unwrap_or("ACCEPT");
            set_user_policy(s, &chain, pol)?;
        }
        cmd::SET_POLICY => {
            let pol = p.policy.clone().unwrap_or_default();
            if s.builtin.chain(&chain).is_none() {
                if s.chain(&chain).is_none() {
                    return Err(op(msgs::NO_CHAIN));
                }
                return set_user_policy(s, &chain, &pol);
            }
            let v = match pol.as_str() {
                "DROP" => 0,
                "ACCEPT" => 1,
                "RETURN" => {
                    return Err(IptError::param(
                        "Policy RETURN only allowed for user defined chains",
                    )
                    .into())
                }
                _ => return Err(op("Bad policy name")),
            };
            s.set_policy(&chain, v, (0, 0), false);
        }
        cmd::DELETE_CHAIN => {
            let names = match &p.chain {
                Some(c) => {
                    if s.chain(c).is_none() {
                        return Err(op(msgs::NO_CHAIN));
                    }
                    if s.builtin.chain(c).is_some() {
                        return Err(op("Directory not empty"));
                    }
                    vec![c.clone()]
                }
                None => s
                    .chain_order(false)
                    .into_iter()
                    .filter(|c| s.builtin.chain(c).is_none())
                    .collect(),
            };
            for n in names {
                if let Some((i, _)) = policy(s, &n) {
                    s.delete_rule(&n, i);
                }
                s.drop_foreign_only(&n);
                s.del_chain(&n);
            }
        }
        cmd::RENAME_CHAIN => {
            let new = p.newname.as_deref().unwrap_or_default();
            crate::xfam::rename::rename_chain(s, &chain, new, op)?;
        }
        CMD_INIT_TABLE if s.exists => s.delete_table(),
        CMD_CHANGE_COUNTERS => change_counters(s, &chain, p)?,
        c if c & (cmd::ZERO | cmd::ZERO_NUM) != 0 => {
            let chains = match &p.chain {
                Some(c) => {
                    if s.chain(c).is_none() && s.builtin.chain(c).is_none() {
                        return Err(op(msgs::NO_CHAIN));
                    }
                    vec![c.clone()]
                }
                None => s.chain_order(true),
            };
            if c & cmd::ZERO_NUM != 0 {
                let ch = chains.first().cloned().unwrap_or_default();
                let i = (p.rulenum - 1) as usize;
                if i >= own_len(s, &ch) {
                    return Err(op("Index of counter too big"));
                }
                s.zero_rule(&ch, i);
                return Ok(());
            }
            for ch in chains {
                if verbose {
                    out.push_str(&format!("Zeroing chain `{ch}'\n"));
                }
                if s.chain(&ch).is_some_and(|x| x.chain.is_base()) {
                    s.zero_chain(&ch);
                }
                for i in 0..own_len(s, &ch) {
                    s.zero_rule(&ch, i);
                }
            }
        }
        _ => {}
    }
    Ok(())
}

/// `-C CHAIN [N[:M]] PCNT BCNT` (or a rule specification instead of the
/// numbers): the rules' counters set, raised or lowered (a replace).
fn change_counters(s: &mut Snap, chain: &str, p: &EbtParsed) -> MResult<()> {
    if s.chain(chain).is_none() {
        return Err(op(msgs::NO_CHAIN));
    }
    let apply = |v: u64, (o, n): (CounterOp, u64)| match o {
        CounterOp::Set => n,
        CounterOp::Add => v.wrapping_add(n),
        CounterOp::Sub => v.wrapping_sub(n),
    };
    let mut todo: Vec<usize> = Vec::new();
    if p.rulenum == 0 {
        check_matches(&p.rule)?;
        match find(s, chain, &p.rule) {
            Some(i) => todo.push(i),
            None => return Err(op("Argument list too long")),
        }
    } else {
        let mut i = p.rulenum - 1;
        loop {
            todo.push(i.max(0) as usize);
            i += 1;
            if i >= p.rulenum_end {
                break;
            }
        }
    }
    for i in todo {
        let own = s
            .chain(chain)
            .and_then(|c| c.rules.get(i))
            .filter(|_| i < own_len(s, chain))
            .and_then(|e| e.own.as_ref().ok().cloned());
        // nft_rule_change_counters fails with E2BIG, which has no
        // message of its own in nft_strerror.
        let Some(mut r) = own else {
            return Err(op("Argument list too long"));
        };
        r.packets = apply(r.packets, p.counters[0]);
        r.bytes = apply(r.bytes, p.counters[1]);
        let exprs = encode(&r, &s.table);
        let c = compat(&r);
        s.replace_rule_with(chain, i, exprs, r, move |x| x.attrs.compat = Some(c));
    }
    Ok(())
}

/// The lines of one chain's rules (`prefix` before each, foreign rules as
/// comments).
pub fn rule_lines(
    s: &Snap,
    chain: &str,
    counters: Counters,
    prefix: &str,
    (nums, only): (bool, i64),
    out: &mut String,
) {
    let Some(c) = s.chain(chain) else { return };
    for (i, e) in c.rules.iter().take(own_len(s, chain)).enumerate() {
        if only > 0 && i as i64 + 1 != only {
            continue;
        }
        match &e.own {
            Ok(r) => {
                if nums {
                    out.push_str(&format!("{}. ", i + 1));
                }
                if counters == Counters::Prefix {
                    out.push_str(&format!("[{}:{}] ", r.packets, r.bytes));
                }
                out.push_str(prefix);
                body(r, counters, out);
            }
            Err(_) => {
                let sets = nftwire::render::nft::delinearize::Sets::new();
                out.push_str(&crate::show::foreign_rule_line(
                    &e.rule, e.handle, chain, &sets,
                ));
            }
        }
        out.push('\n');
    }
}

fn list(s: &Snap, p: &EbtParsed, out: &mut String) {
    let counters = if p.options & opt::LIST_C != 0 {
        Counters::List
    } else {
        Counters::None
    };
    let nums = p.options & opt::LINENUMBERS != 0;
    if p.rulenum > 0 {
        rule_lines(
            s,
            &p.chain.clone().unwrap_or_default(),
            counters,
            "",
            (nums, p.rulenum),
            out,
        );
        return;
    }
    out.push_str(&format!("Bridge table: {}\n\n", s.table));
    for (k, n) in s.shown(p.chain.as_deref()).iter().enumerate() {
        if k > 0 {
            out.push('\n');
        }
        let pol = match s.builtin.chain(n) {
            Some(_) => s.chain(n).and_then(|c| c.policy()).unwrap_or("ACCEPT"),
            None => "RETURN",
        };
        out.push_str(&format!(
            "Bridge chain: {n}, entries: {}, policy: {pol}\n",
            own_len(s, n)
        ));
        rule_lines(s, n, counters, "", (nums, 0), out);
    }
}

fn list_rules(s: &Snap, p: &EbtParsed, out: &mut String) {
    let names = s.shown(p.chain.as_deref());
    let ctr = if p.options & opt::VERBOSE != 0 {
        Counters::Prefix
    } else {
        Counters::None
    };
    if p.rulenum > 0 {
        for n in &names {
            rule_lines(s, n, ctr, &format!("-A {n} "), (false, p.rulenum), out);
        }
        return;
    }
    for n in &names {
        match s.builtin.chain(n) {
            Some(_) => {
                let c = s.chain(n);
                let pol = c.and_then(|c| c.policy()).unwrap_or("ACCEPT");
                out.push_str(&format!("-P {n} {pol}"));
                if ctr == Counters::Prefix {
                    let (pk, b) = c.map(|c| c.counters()).unwrap_or((0, 0));
                    out.push_str(&format!(" -c {pk} {b}"));
                }
                out.push('\n');
            }
            None => out.push_str(&format!("-N {n}\n")),
        }
    }
    for n in &names {
        rule_lines(s, n, ctr, &format!("-A {n} "), (false, 0), out);
    }
}

/// The save text of the table (empty when it does not exist).
pub fn save_text(s: &Snap, prog: &str, counters: Counters) -> String {
    crate::xfam::save::save_text(
        s,
        prog,
        |n| match policy(s, n) {
            Some((_, VerdictCode::Drop)) => "DROP",
            Some(_) => "ACCEPT",
            None => "RETURN",
        },
        |n, out| rule_lines(s, n, counters, &format!("-A {n} "), (false, 0), out),
    )
}
