//! Executing one parsed iptables command on a table model.

use crate::model::{MResult, Model};
use crate::parse::{cmd, opt, Parsed};
use crate::show;
use nftwire::iptables::rule::Verdict;
use nftwire::iptables::{IptError, IptRule};
use nftwire::netlink::Conn;

fn op_err(m: &str) -> IptError {
    IptError::op(m)
}

/// Errors named after iptables' `nft_strerror` table.
pub mod msgs {
    /// ENOENT generic.
    pub const NO_CHAIN: &str = "No chain/target/match by that name";
    /// `-C`/`-D` miss.
    pub const BAD_RULE: &str = "Bad rule (does a matching rule exist in that chain?)";
}

fn verbose_print(r: &IptRule, table: &str, out: &mut String) {
    out.push_str(&show::print_rule_verbose(r, table));
}

fn check_jump(m: &mut Model, conn: &mut Conn, r: &IptRule) -> MResult<()> {
    if let Verdict::Jump(c) | Verdict::Goto(c) = &r.verdict {
        if !m.chain_exists(conn, c)? {
            return Err(IptError::param(format!("Chain '{c}' does not exist")).into());
        }
    }
    Ok(())
}

/// What iptables compares for `-C`/`-D`: the user's rule after encoding
/// (compat matches, native targets) and parsing it back.
pub fn as_compared(r: &IptRule, table: &str, fam: u8) -> IptRule {
    let Ok(enc) =
        nftwire::iptables::encode::encode(r, table, nftwire::iptables::encode::Purpose::Compare)
    else {
        return r.clone();
    };
    let rule = nftwire::object::Rule::new(fam, table, "", enc.exprs);
    nftwire::iptables::decode::parse_like_iptables(&rule, r.family, table)
        .unwrap_or_else(|_| r.clone())
}

fn find_rule(m: &mut Model, conn: &mut Conn, chain: &str, r: &IptRule) -> MResult<Option<usize>> {
    let table = m.table.clone();
    let r = &as_compared(r, &table, m.family.nfproto());
    let Some(v) = m.rules(conn, chain)? else {
        return Ok(None);
    };
    Ok(v.iter()
        .position(|e| e.ipt().is_some_and(|k| r.same_as(k, &table))))
}

/// Run `p` (a rule or chain command) against `m`; text for stdout goes to
/// `out`.
pub fn run(m: &mut Model, conn: &mut Conn, p: &Parsed, out: &mut String) -> MResult<()> {
    let chain = p.chain.clone().unwrap_or_default();
    let verbose = p.options & opt::VERBOSE != 0;
    let table = m.table.clone();
    // A jump or goto to a chain that does not exist is refused before
    // anything else (1.8.11 checks it first when it runs a rule command).
    if matches!(
        p.command,
        cmd::APPEND | cmd::INSERT | cmd::CHECK | cmd::DELETE | cmd::REPLACE
    ) {
        if let Some(r) = p.rules.first() {
            check_jump(m, conn, r)?;
        }
    }
    match p.command {
        cmd::APPEND => {
            m.ensure_builtin(conn, &chain)?;
            if !m.chain_exists(conn, &chain)? {
                // 1.8.11 echoes the first rule before it finds the chain
                // missing.
                if let (true, Some(r)) = (verbose, p.rules.first()) {
                    verbose_print(r, &table, out);
                }
                return Err(op_err(msgs::NO_CHAIN).into());
            }
            for r in &p.rules {
                check_jump(m, conn, r)?;
                m.add_rule(conn, &chain, r, None)?;
                if verbose {
                    verbose_print(r, &table, out);
                }
            }
        }
        cmd::INSERT => {
            m.ensure_builtin(conn, &chain)?;
            if !m.chain_exists(conn, &chain)? {
                return Err(op_err(msgs::NO_CHAIN).into());
            }
            let first = (p.rulenum - 1).max(0) as usize;
            for (pos, r) in (first..).zip(&p.rules) {
                check_jump(m, conn, r)?;
                if pos == 0 {
                    m.add_rule(conn, &chain, r, Some(0))?;
                } else {
                    let n = m.rules(conn, &chain)?.map(|v| v.len()).unwrap_or(0);
                    if pos < n {
                        m.add_rule(conn, &chain, r, Some(pos))?;
                    } else if pos == n {
                        m.add_rule(conn, &chain, r, None)?;
                    } else {
                        return Err(op_err("Index of insertion too big").into());
                    }
                }
                if verbose {
                    verbose_print(r, &table, out);
                }
            }
        }
        cmd::CHECK | cmd::DELETE => {
            for r in &p.rules {
                if !m.chain_exists(conn, &chain)? {
                    return Err(op_err(msgs::BAD_RULE).into());
                }
                match find_rule(m, conn, &chain, r)? {
                    None => return Err(op_err(msgs::BAD_RULE).into()),
                    Some(i) => {
                        if p.command == cmd::DELETE {
                            m.delete_rule(&chain, i);
                        }
                        if verbose {
                            verbose_print(r, &table, out);
                        }
                    }
                }
            }
        }
        cmd::DELETE_NUM => {
            if !m.chain_exists(conn, &chain)? {
                return Err(op_err(msgs::NO_CHAIN).into());
            }
            let i = (p.rulenum - 1) as usize;
            let v = m.rules(conn, &chain)?.cloned().unwrap_or_default();
            let Some(e) = v.get(i) else {
                return Err(op_err("Index of deletion too big").into());
            };
            if e.ipt().is_none() {
                m.warnings.push(format!(
                    "Warning: rule {} of chain `{chain}' (handle {}) is not an iptables rule; deleting it anyway",
                    i + 1,
                    e.handle.unwrap_or(0)
                ));
            }
            m.delete_rule(&chain, i);
        }
        cmd::REPLACE => {
            if !m.chain_exists(conn, &chain)? {
                return Err(op_err(msgs::NO_CHAIN).into());
            }
            let i = (p.rulenum - 1) as usize;
            let v = m.rules(conn, &chain)?.cloned().unwrap_or_default();
            let Some(e) = v.get(i) else {
                return Err(op_err("Index of replacement too big").into());
            };
            if e.ipt().is_none() {
                m.warnings.push(format!(
                    "Warning: rule {} of chain `{chain}' (handle {}) is not an iptables rule; replacing it anyway",
                    i + 1,
                    e.handle.unwrap_or(0)
                ));
            }
            if let Some(r) = p.rules.first() {
                check_jump(m, conn, r)?;
                if e.handle.is_none() {
                    // Added earlier in this batch (no handle to replace;
                    // 1.8.11 crashes here): withdrawn, and the new rule
                    // put in its place.
                    m.delete_rule(&chain, i);
                    let pos = (i < v.len() - 1).then_some(i);
                    m.add_rule(conn, &chain, r, pos)?;
                } else {
                    m.replace_rule(&chain, i, r)?;
                }
                if verbose {
                    verbose_print(r, &table, out);
                }
            }
        }
        cmd::FLUSH => {
            if p.chain.is_some() || verbose {
                m.ensure_table(conn)?;
                if p.chain.is_some() {
                    m.ensure_builtin(conn, &chain)?;
                } else {
                    m.ensure_all_builtins(conn)?;
                }
            } else if !m.table_exists(conn)? || m.creates_table || m.declared.is_some() {
                // A quiet -F walks the chains 1.8.11's cache lists, and it
                // lists none of a table this batch creates, nor of one a
                // full restore (`declared` is set) has just replaced: rules
                // appended earlier in the same restore stay
                return Ok(());
            }
            if p.chain.is_some() {
                if !m.chain_exists(conn, &chain)? {
                    return Err(op_err(msgs::NO_CHAIN).into());
                }
                if verbose {
                    out.push_str(&format!("Flushing chain `{chain}'\n"));
                }
                m.flush_keeping_foreign(conn, &chain)?;
            } else {
                // Foreign rules survive a flush (shim/README): the table is
                // flushed in one message, as by 1.8.11, only when it holds
                // none; otherwise each chain loses its iptables rules.
                m.load_all_rules(conn)?;
                let foreign = m.holds_foreign_rules();
                if !verbose && !foreign {
                    m.flush(None);
                } else {
                    for c in m.chain_order() {
                        if verbose {
                            out.push_str(&format!("Flushing chain `{c}'\n"));
                        }
                        m.flush_keeping_foreign(conn, &c)?;
                    }
                }
            }
        }
        cmd::NEW_CHAIN => {
            m.ensure_table(conn)?;
            if m.builtin.chain(&chain).is_some()
                || m.renamed.contains_key(&chain)
                || m.chain_exists(conn, &chain)?
            {
                return Err(op_err("Chain already exists").into());
            }
            m.new_chain(&chain);
        }
        cmd::DELETE_CHAIN => delete_chain(m, conn, p.chain.as_deref(), verbose, out)?,
        cmd::RENAME_CHAIN => {
            let new = p.newname.clone().unwrap_or_default();
            if m.builtin.chain(&new).is_some() || m.chain_exists(conn, &new)? {
                return Err(op_err("File exists").into());
            }
            let Some(c) = m.chain(conn, &chain)? else {
                return Err(op_err(msgs::NO_CHAIN).into());
            };
            let h = c.chain.attrs.handle;
            m.rename_chain(&chain, &new, h);
        }
        cmd::SET_POLICY => {
            let pol = p.policy.clone().unwrap_or_default();
            let v = match pol.as_str() {
                "DROP" => 0,
                "ACCEPT" => 1,
                _ => return Err(op_err("Bad policy name. Run `dmesg' for more information").into()),
            };
            if m.builtin.chain(&chain).is_none() {
                return Err(op_err("Bad built-in chain name").into());
            }
            m.set_policy(conn, &chain, v, (0, 0), false)?;
        }
        c if c & (cmd::ZERO | cmd::ZERO_NUM) != 0 && c & (cmd::LIST | cmd::LIST_RULES) == 0 => {
            zero(m, conn, p, out)?;
        }
        _ => {}
    }
    Ok(())
}

fn delete_chain(
    m: &mut Model,
    conn: &mut Conn,
    chain: Option<&str>,
    verbose: bool,
    out: &mut String,
) -> MResult<()> {
    let deletable = |m: &mut Model, conn: &mut Conn, n: &str| -> MResult<bool> {
        let pol = m.chain(conn, n)?.and_then(|c| c.chain.attrs.policy);
        if pol.is_some_and(|p| p != 1) {
            return Ok(false);
        }
        Ok(m.rules(conn, n)?.is_none_or(|v| v.is_empty()))
    };
    match chain {
        Some(n) => {
            if let Some(new) = m.renamed.get(n).cloned() {
                // Renamed earlier in this batch: 1.8.11 still deletes by the
                // old name, which the kernel resolves to the renamed chain
                // until the commit (refused while it holds rules).
                m.del_chain(n);
                m.chains.insert(new, None);
                return Ok(());
            }
            let Some(c) = m.chain(conn, n)? else {
                return Err(op_err(msgs::NO_CHAIN).into());
            };
            let base = c.chain.is_base();
            if base {
                // Only the policy is checked for a named base chain (1.8.11
                // does not read its rules: the kernel refuses to delete a
                // chain holding rules, with EBUSY).
                if c.chain.attrs.policy.is_some_and(|p| p != 1) {
                    return Err(op_err("Directory not empty").into());
                }
            } else {
                if verbose {
                    out.push_str(&format!("Deleting chain `{n}'\n"));
                }
                m.drop_foreign_only(conn, n)?;
            }
            m.del_chain(n);
        }
        None => {
            m.load_all_rules(conn)?;
            let order = if verbose {
                m.chain_order()
            } else {
                m.chain_order_dump(false)
            };
            for n in order {
                let base = m.chain(conn, &n)?.is_some_and(|c| c.chain.is_base());
                if base {
                    if deletable(m, conn, &n)? {
                        m.del_chain(&n);
                    }
                    continue;
                }
                if verbose {
                    out.push_str(&format!("Deleting chain `{n}'\n"));
                }
                m.drop_foreign_only(conn, &n)?;
                m.del_chain(&n);
            }
        }
    }
    Ok(())
}

fn zero(m: &mut Model, conn: &mut Conn, p: &Parsed, out: &mut String) -> MResult<()> {
    let verbose = p.options & opt::VERBOSE != 0;
    let chains: Vec<String> = match &p.chain {
        Some(c) => {
            if !m.chain_exists(conn, c)? && m.builtin.chain(c).is_none() {
                // Zeroing one rule reports a missing chain as a missing rule.
                let e = if p.command & cmd::ZERO_NUM != 0 {
                    msgs::BAD_RULE
                } else {
                    msgs::NO_CHAIN
                };
                return Err(op_err(e).into());
            }
            vec![c.clone()]
        }
        None => {
            m.load_chains(conn)?;
            if verbose {
                m.chain_order_with_fakes()
            } else {
                m.chain_order_dump(true)
            }
        }
    };
    if p.command & cmd::ZERO_NUM != 0 {
        let c = chains.first().cloned().unwrap_or_default();
        let i = (p.rulenum - 1) as usize;
        let n = m.rules(conn, &c)?.map(|v| v.len()).unwrap_or(0);
        if i >= n {
            return Err(op_err(msgs::BAD_RULE).into());
        }
        m.zero_rule(&c, i);
        return Ok(());
    }
    for c in chains {
        if verbose {
            out.push_str(&format!("Zeroing chain `{c}'\n"));
        }
        if m.chain(conn, &c)?.is_some_and(|s| s.chain.is_base()) {
            m.zero_chain(&c);
        }
        let n = m.rules(conn, &c)?.map(|v| v.len()).unwrap_or(0);
        for i in 0..n {
            m.zero_rule(&c, i);
        }
    }
    Ok(())
}
