//! One arptables command on the table snapshot: rule and chain commands
//! with iptables-nft's messages, `-L` and `-S`.

use super::parse::{opt, ArpParsed};
use crate::exec::msgs;
use crate::model::MResult;
use crate::parse::cmd;
use crate::xfam::listing::run_listing;
use crate::xfam::{SnapChain, Snapshot};
use nftwire::arptables::encode::encode;
use nftwire::arptables::text::{details, list_line, save_body, Fmt};
use nftwire::arptables::{ArpRule, ArpVerdict};
use nftwire::iptables::IptError;

type Snap = Snapshot<ArpRule>;

fn op(m: &str) -> crate::model::ModelErr {
    IptError::op(m).into()
}

/// The `-v` echo of a rule command.
fn echo(r: &ArpRule, out: &mut String) {
    details(
        r,
        Fmt {
            numeric: true,
            via: true,
        },
        out,
    );
    if let ArpVerdict::Target(t) = &r.verdict {
        t.write(true, out);
    }
    out.push('\n');
}

fn check_jump(s: &Snap, r: &ArpRule) -> MResult<()> {
    match &r.verdict {
        ArpVerdict::Jump(c) => s.check_jump_target(c),
        _ => Ok(()),
    }
}

fn find(s: &Snap, chain: &str, r: &ArpRule) -> Option<usize> {
    s.chain(chain)?
        .rules
        .iter()
        .position(|e| e.own.as_ref().is_ok_and(|k| r.same_as(k)))
}

/// Run `p` against the snapshot.
pub fn run(s: &mut Snap, p: &ArpParsed, out: &mut String) -> MResult<()> {
    let chain = p.chain.clone().unwrap_or_default();
    let verbose = p.options & opt::VERBOSE != 0;
    let no_chain = op(msgs::NO_CHAIN);
    let what = (p.command, p.chain.as_deref());
    if run_listing(s, p, what, out, no_chain, [list, list_rules])? {
        return Ok(());
    }
    match p.command & !(cmd::LIST | cmd::LIST_RULES) {
        cmd::APPEND | cmd::INSERT => {
            s.ensure_builtin(&chain, 1);
            if s.chain(&chain).is_none() {
                return Err(op(msgs::NO_CHAIN));
            }
            let first = (p.rulenum - 1).max(0) as usize;
            for (k, r) in p.rules.iter().enumerate() {
                check_jump(s, r)?;
                let pos = if p.command == cmd::APPEND {
                    None
                } else {
                    let pos = first + k;
                    let n = s.chain(&chain).map(|c| c.rules.len()).unwrap_or(0);
                    if pos > n {
                        return Err(op("Index of insertion too big"));
                    }
                    Some(pos)
                };
                s.add_rule(&chain, encode(r), r.clone(), pos);
                if verbose {
                    echo(r, out);
                }
            }
        }
        cmd::CHECK | cmd::DELETE => {
            for r in &p.rules {
                check_jump(s, r)?;
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
        }
        cmd::DELETE_NUM | cmd::REPLACE => {
            let Some(c) = s.chain(&chain) else {
                return Err(op(msgs::NO_CHAIN));
            };
            let i = (p.rulenum - 1) as usize;
            let Some(e) = c.rules.get(i) else {
                return Err(op(if p.command == cmd::REPLACE {
                    "Index of replacement too big"
                } else {
                    "Index of deletion too big"
                }));
            };
            if e.own.is_err() {
                let what = if p.command == cmd::REPLACE {
                    "replacing"
                } else {
                    "deleting"
                };
                s.warnings.push(format!(
                    "Warning: rule {} of chain `{chain}' (handle {}) is not an arptables rule; {what} it anyway",
                    i + 1,
                    e.handle.unwrap_or(0)
                ));
            }
            if p.command == cmd::DELETE_NUM {
                s.delete_rule(&chain, i);
            } else if let Some(r) = p.rules.first() {
                check_jump(s, r)?;
                s.replace_rule(&chain, i, encode(r), r.clone());
                if verbose {
                    echo(r, out);
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
                s.flush_keeping_foreign(Some(&chain));
            } else if verbose {
                s.ensure_all_builtins(1);
                for c in s.chain_order(false) {
                    out.push_str(&format!("Flushing chain `{c}'\n"));
                    s.flush_keeping_foreign(Some(&c));
                }
            } else if s.exists {
                s.flush_keeping_foreign(None);
            }
        }
        cmd::NEW_CHAIN => {
            // A renamed base chain is not seen (the kernel refuses).
            if s.builtin.chain(&chain).is_some()
                || s.chain(&chain)
                    .is_some_and(|c| c.chain.attrs.hook.is_none())
            {
                return Err(op("Chain already exists"));
            }
            s.new_chain(&chain);
        }
        cmd::DELETE_CHAIN => delete_chain(s, p.chain.as_deref(), verbose, out)?,
        cmd::RENAME_CHAIN => {
            let new = p.newname.as_deref().unwrap_or_default();
            crate::xfam::rename::rename_chain(s, &chain, new, op)?;
        }
        cmd::SET_POLICY => {
            let v = match p.policy.as_deref() {
                Some("DROP") => 0,
                Some("ACCEPT") => 1,
                _ => return Err(op("Bad policy name. Run `dmesg' for more information")),
            };
            if s.builtin.chain(&chain).is_none() {
                return Err(op("Bad built-in chain name"));
            }
            s.set_policy(&chain, v, (0, 0), false);
        }
        c if c & (cmd::ZERO | cmd::ZERO_NUM) != 0 => zero(s, p, out)?,
        _ => {}
    }
    Ok(())
}

fn delete_chain(s: &mut Snap, chain: Option<&str>, verbose: bool, out: &mut String) -> MResult<()> {
    let deletable =
        |c: &SnapChain<ArpRule>| c.chain.attrs.policy.is_none_or(|p| p == 1) && c.rules.is_empty();
    match chain {
        Some(n) => {
            let Some(c) = s.chain(n) else {
                return Err(op(msgs::NO_CHAIN));
            };
            if c.chain.is_base() {
                if !deletable(c) {
                    return Err(op("Directory not empty"));
                }
            } else {
                if verbose {
                    out.push_str(&format!("Deleting chain `{n}'\n"));
                }
                s.drop_foreign_only(n);
            }
            s.del_chain(n);
        }
        None => {
            for n in s.chain_order(false) {
                let Some(c) = s.chain(&n) else { continue };
                if c.chain.is_base() {
                    if deletable(c) {
                        s.del_chain(&n);
                    }
                    continue;
                }
                if verbose {
                    out.push_str(&format!("Deleting chain `{n}'\n"));
                }
                s.drop_foreign_only(&n);
                s.del_chain(&n);
            }
        }
    }
    Ok(())
}

fn zero(s: &mut Snap, p: &ArpParsed, out: &mut String) -> MResult<()> {
    let verbose = p.options & opt::VERBOSE != 0;
    let chains = match &p.chain {
        Some(c) => {
            if s.chain(c).is_none() && s.builtin.chain(c).is_none() {
                return Err(op(msgs::NO_CHAIN));
            }
            vec![c.clone()]
        }
        None => s.chain_order(true),
    };
    if p.command & cmd::ZERO_NUM != 0 {
        let c = chains.first().cloned().unwrap_or_default();
        let i = (p.rulenum - 1) as usize;
        if i >= s.chain(&c).map(|x| x.rules.len()).unwrap_or(0) {
            return Err(op("Index of counter too big"));
        }
        s.zero_rule(&c, i);
        return Ok(());
    }
    for c in chains {
        if verbose {
            out.push_str(&format!("Zeroing chain `{c}'\n"));
        }
        if s.chain(&c).is_some_and(|x| x.chain.is_base()) {
            s.zero_chain(&c);
        }
        let n = s.chain(&c).map(|x| x.rules.len()).unwrap_or(0);
        for i in 0..n {
            s.zero_rule(&c, i);
        }
    }
    Ok(())
}

fn list(s: &Snap, p: &ArpParsed, out: &mut String) {
    let numeric = p.options & opt::NUMERIC != 0;
    let verbose = p.options & opt::VERBOSE != 0;
    let lines = p.options & opt::LINENUMBERS != 0;
    let fmt = Fmt {
        numeric,
        via: verbose,
    };
    let exact = p.options & opt::EXPANDED != 0;
    let _ = exact;
    for (k, n) in s.shown(p.chain.as_deref()).iter().enumerate() {
        let c = s.chain(n);
        if p.rulenum == 0 {
            if k > 0 {
                out.push('\n');
            }
            out.push_str(&format!("Chain {n}"));
            match (s.builtin.chain(n), c) {
                (Some(_), c) => {
                    let pol = c.and_then(|c| c.policy()).unwrap_or("ACCEPT");
                    out.push_str(&format!(" (policy {pol}"));
                    if verbose {
                        let (pk, b) = c.map(|c| c.counters()).unwrap_or((0, 0));
                        out.push_str(&format!(" {pk} packets, {b} bytes"));
                    }
                    out.push_str(")\n");
                }
                (None, _) => {
                    out.push_str(&format!(" ({} references)\n", s.references(n)));
                }
            }
        }
        let Some(c) = c else { continue };
        for (i, e) in c.rules.iter().enumerate() {
            if p.rulenum > 0 && i + 1 != p.rulenum as usize {
                continue;
            }
            let num = lines.then_some(i + 1);
            match &e.own {
                Ok(r) => list_line(r, num, fmt, verbose, out),
                Err(_) => {
                    out.push_str(&Snap::foreign_line(e, n));
                    out.push('\n');
                }
            }
        }
    }
}

fn list_rules(s: &Snap, p: &ArpParsed, out: &mut String) {
    let verbose = p.options & opt::VERBOSE != 0;
    let names = s.shown(p.chain.as_deref());
    if p.rulenum == 0 {
        for n in &names {
            match s.builtin.chain(n) {
                Some(_) => {
                    let c = s.chain(n);
                    let pol = c.and_then(|c| c.policy()).unwrap_or("ACCEPT");
                    out.push_str(&format!("-P {n} {pol}"));
                    if verbose {
                        let (pk, b) = c.map(|c| c.counters()).unwrap_or((0, 0));
                        out.push_str(&format!(" -c {pk} {b}"));
                    }
                    out.push('\n');
                }
                None => out.push_str(&format!("-N {n}\n")),
            }
        }
    }
    for n in &names {
        let Some(c) = s.chain(n) else { continue };
        for (i, e) in c.rules.iter().enumerate() {
            if p.rulenum > 0 && i + 1 != p.rulenum as usize {
                continue;
            }
            match &e.own {
                Ok(r) => {
                    out.push_str(&format!("-A {n}"));
                    save_body(r, out);
                }
                Err(_) => out.push_str(&Snap::foreign_line(e, n)),
            }
            out.push('\n');
        }
    }
}
