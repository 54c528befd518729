//! Output of `-L`, `-S` and `iptables-save`, including the comment lines
//! for rules iptables cannot express.

use crate::kernel;
use crate::model::{lib_err, ChainState, Entry, MResult, Model};
use nftwire::iptables::list::{self, Format};
use nftwire::iptables::save::{write_rule_line, Counters};
use nftwire::iptables::IptRule;
use nftwire::netlink::Conn;
use nftwire::object::Rule;
use nftwire::render::nft::delinearize::Sets;
use nftwire::render::nft::set::SetInfo;
use std::fmt::Write as _;

/// The `-v` echo of a rule command (`FMT_PRINT_RULE`).
pub fn print_rule_verbose(r: &IptRule, table: &str) -> String {
    list::rule(
        r,
        table,
        0,
        Format {
            numeric: true,
            verbose: true,
            exact: false,
            linenumbers: false,
            notable: true,
        },
    )
}

/// The table's sets, read only when a shown foreign rule refers to sets
/// (so that it prints as nft would print it).
pub fn foreign_sets(
    m: &Model,
    conn: &mut Conn,
    chains: &[(String, Option<&ChainState>)],
) -> MResult<Sets> {
    use nftwire::expr::Expr;
    let needed = chains.iter().flat_map(|(_, c)| entries(c)).any(|e| {
        e.ipt().is_none()
            && e.rule()
                .exprs()
                .iter()
                .any(|x| matches!(x, Expr::Lookup(_) | Expr::Dynset(_) | Expr::Objref(_)))
    });
    let mut sets = Sets::new();
    if needed {
        for sw in kernel::dump_sets(conn, m.family.nfproto(), &m.table).map_err(lib_err)? {
            let info = SetInfo::build(&sw);
            sets.insert(info.name.clone(), info);
        }
    }
    Ok(sets)
}

/// A foreign rule as a comment: its handle and the rule as `nft list`
/// prints it (or its expressions, `[ ... ]`, when nft could not print it).
pub fn foreign_line(e: &Entry, chain: &str, sets: &Sets) -> String {
    foreign_rule_line(e.rule(), e.handle, chain, sets)
}

/// [`foreign_line`] of a kernel rule.
pub fn foreign_rule_line(rule: &Rule, handle: Option<u64>, chain: &str, sets: &Sets) -> String {
    use nftwire::render::nft::{model::decode_rule, print::rule_body, Octx};
    let mut s = format!(
        "# -A {chain} handle {}: not an iptables rule:",
        handle.unwrap_or(0)
    );
    let (rm, _) = decode_rule(rule, sets);
    if !rm.raw {
        let mut body = String::new();
        rule_body(
            &mut body,
            &rm.stmts,
            rm.comment.as_deref(),
            &Octx::default(),
        );
        if !body.trim().is_empty() {
            s.push(' ');
            s.push_str(&body.replace('\n', " "));
            return s;
        }
    }
    for x in rule.exprs() {
        s.push(' ');
        s.push_str(&x.to_string());
    }
    if let Some(c) = rule.comment() {
        s.push_str(&format!(" comment \"{c}\""));
    }
    s
}

/// Chains to show: builtins in hook order (missing ones as fakes), then
/// user chains by name; foreign base chains are skipped.
pub fn chains_to_show<'m>(
    m: &'m Model,
    only: Option<&str>,
) -> Vec<(String, Option<&'m ChainState>)> {
    let mut v = Vec::new();
    for b in m.builtin.chains_by_hook() {
        if only.is_some_and(|o| o != b.name) {
            continue;
        }
        let st = m.chains.get(b.name).and_then(|c| c.as_ref());
        match st {
            Some(s) if s.is_builtin(m.builtin) => v.push((b.name.to_string(), Some(s))),
            Some(_) => {}
            None => v.push((b.name.to_string(), None)),
        }
    }
    for (n, c) in &m.chains {
        let Some(c) = c else { continue };
        if c.chain.attrs.hook.is_some() || m.builtin.chain(n).is_some() {
            continue;
        }
        if only.is_some_and(|o| o != n) {
            continue;
        }
        v.push((n.clone(), Some(c)));
    }
    v
}

/// The line 1.8.11 prints first when the table has base chains it does not
/// manage (callers such as Calico grep for it), if there are any.
pub fn incompatible_note(m: &Model) -> Option<String> {
    let any = m
        .chains
        .values()
        .flatten()
        .any(|c| c.chain.attrs.hook.is_some() && !c.is_builtin(m.builtin));
    any.then(|| {
        format!(
            "# Table `{}' contains incompatible base-chains, use 'nft' tool to list them.\n",
            m.table
        )
    })
}

/// Comment lines for foreign base chains of the table (`iptables-save`
/// prints them after 1.8.11's note, [`incompatible_note`]).
pub fn foreign_chain_notes(m: &Model) -> Vec<String> {
    let mut v = Vec::new();
    for (n, c) in &m.chains {
        let Some(c) = c else { continue };
        if c.chain.attrs.hook.is_some() && !c.is_builtin(m.builtin) {
            let h = c.chain.attrs.hook.as_ref();
            v.push(format!(
                "# chain {n} (handle {}): base chain not managed by iptables (type {}, hook {}, priority {})",
                c.chain.attrs.handle.unwrap_or(0),
                c.chain.attrs.chain_type.as_deref().unwrap_or("?"),
                h.and_then(|h| h.num).unwrap_or(0),
                h.and_then(|h| h.priority).unwrap_or(0)
            ));
        }
    }
    v
}

fn entries<'a>(c: &Option<&'a ChainState>) -> &'a [Entry] {
    c.and_then(|c| c.rules.as_deref()).unwrap_or(&[])
}

/// `iptables -S [CHAIN [N]]`.
pub fn list_rules(
    m: &mut Model,
    conn: &mut Conn,
    chain: Option<&str>,
    rulenum: i64,
    counters: bool,
) -> MResult<String> {
    // `-S CHAIN` costs one chain's dump, not the table's.
    match chain {
        Some(c) => {
            m.rules(conn, c)?;
        }
        None => m.load_all_rules(conn)?,
    }
    let chains = chains_to_show(m, chain);
    let rules: usize = chains.iter().map(|(_, c)| entries(c).len()).sum();
    let mut out = String::with_capacity(64 * chains.len() + 128 * rules);
    let sets = foreign_sets(m, conn, &chains)?;
    let ctr = if counters {
        Counters::Inline
    } else {
        Counters::None
    };
    let table = m.table.clone();
    if chain.is_none() {
        out.extend(incompatible_note(m));
    }
    if rulenum == 0 {
        for (n, c) in &chains {
            out.push_str(&chain_decl_s(m, n, c, counters));
        }
    }
    for (n, c) in &chains {
        for (i, e) in entries(c).iter().enumerate() {
            if rulenum != 0 && i as i64 + 1 != rulenum {
                continue;
            }
            match e.ipt() {
                Some(r) => write_rule_line(&mut out, r, n, &table, ctr),
                None => out.push_str(&foreign_line(e, n, &sets)),
            }
            out.push('\n');
        }
    }
    Ok(out)
}

fn chain_decl_s(m: &Model, n: &str, c: &Option<&ChainState>, counters: bool) -> String {
    if m.builtin.chain(n).is_some() {
        let pol = c.as_ref().and_then(|c| c.policy()).unwrap_or("ACCEPT");
        let mut s = format!("-P {n} {pol}");
        if counters {
            let (p, b) = c.as_ref().map(|c| c.counters()).unwrap_or((0, 0));
            let _ = write!(s, " -c {p} {b}");
        }
        s.push('\n');
        s
    } else {
        format!("-N {n}\n")
    }
}

/// `iptables -L [CHAIN [N]]`.
pub fn list(
    m: &mut Model,
    conn: &mut Conn,
    chain: Option<&str>,
    rulenum: i64,
    fmt: Format,
) -> MResult<String> {
    m.load_all_rules(conn)?;
    let table = m.table.clone();
    let mut out = String::new();
    if chain.is_none() {
        out.extend(incompatible_note(m));
    }
    let chains = chains_to_show(m, chain);
    let sets = foreign_sets(m, conn, &chains)?;
    let mut first = true;
    for (n, c) in &chains {
        let rules = entries(c);
        if rulenum == 0 {
            if !first {
                out.push('\n');
            }
            first = false;
            let policy = if m.builtin.chain(n).is_some() {
                Some(c.as_ref().and_then(|c| c.policy()).unwrap_or("ACCEPT"))
            } else {
                None
            };
            let counters = c.as_ref().map(|c| c.counters()).unwrap_or((0, 0));
            let uses = c
                .as_ref()
                .and_then(|c| c.chain.attrs.use_count)
                .unwrap_or(0);
            let refs = uses.saturating_sub(rules.len() as u32);
            out.push_str(&list::header(fmt, n, policy, counters, refs));
        }
        for (i, e) in rules.iter().enumerate() {
            if rulenum != 0 && i as i64 + 1 != rulenum {
                continue;
            }
            match e.ipt() {
                Some(r) => out.push_str(&list::rule(r, &table, i + 1, fmt)),
                None => {
                    if fmt.linenumbers {
                        let _ = write!(out, "{:<4} ", i + 1);
                    }
                    out.push_str(&foreign_line(e, n, &sets));
                    out.push('\n');
                }
            }
        }
    }
    Ok(out)
}

extern "C" {
    fn time(t: *mut i64) -> i64;
    fn localtime_r(t: *const i64, tm: *mut Tm) -> *mut Tm;
}

#[repr(C)]
#[derive(Default)]
struct Tm {
    sec: i32,
    min: i32,
    hour: i32,
    mday: i32,
    mon: i32,
    year: i32,
    wday: i32,
    yday: i32,
    isdst: i32,
    gmtoff: i64,
    zone: usize,
}

/// `ctime(time(NULL))` without the newline.
pub fn ctime_now() -> String {
    let mut tm = Tm::default();
    // SAFETY: plain libc calls with valid pointers.
    unsafe {
        let t = time(std::ptr::null_mut());
        localtime_r(&t, &mut tm);
    }
    const D: [&str; 7] = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
    const M: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    format!(
        "{} {} {:>2} {:02}:{:02}:{:02} {}",
        D[(tm.wday.clamp(0, 6)) as usize],
        M[(tm.mon.clamp(0, 11)) as usize],
        tm.mday,
        tm.hour,
        tm.min,
        tm.sec,
        tm.year + 1900
    )
}

/// One table of `iptables-save`. The chains' rules are dumped, decoded
/// and printed a part at a time on one connection and thread per CPU
/// (`nftwire::netlink::parallel`), never all held at once.
pub fn save_table(m: &mut Model, conn: &mut Conn, prog: &str, counters: bool) -> MResult<String> {
    use nftwire::iptables::decode::Decoded;
    m.load_chains(conn)?;
    let table = m.table.clone();
    let fam = m.family.nfproto();
    let mut out = String::new();
    out.extend(incompatible_note(m));
    out.push_str(&format!(
        "# Generated by {prog} v{} on {}\n",
        nftwire::iptables::VERSION_STRING,
        ctime_now()
    ));
    out.push_str(&format!("*{table}\n"));
    for n in foreign_chain_notes(m) {
        out.push_str(&n);
        out.push('\n');
    }
    let chains = chains_to_show(m, None);
    for (n, c) in &chains {
        let (p, b) = c.as_ref().map(|c| c.counters()).unwrap_or((0, 0));
        let pol = if m.builtin.chain(n).is_some() {
            c.as_ref().and_then(|c| c.policy()).unwrap_or("ACCEPT")
        } else {
            "-"
        };
        let _ = writeln!(out, ":{n} {pol} [{p}:{b}]");
    }
    // Chains to dump: those in the kernel (a missing builtin is shown
    // empty, a chain created in this batch has no rules yet).
    let names: Vec<&str> = chains
        .iter()
        .filter(|(_, c)| c.is_some_and(|c| !c.created))
        .map(|(n, _)| n.as_str())
        .collect();
    // Foreign rules that use sets print them as nft does.
    let sets = if names.is_empty() {
        Sets::new()
    } else {
        let mut sets = Sets::new();
        for sw in kernel::dump_sets(conn, fam, &table).map_err(lib_err)? {
            let info = SetInfo::build(&sw);
            sets.insert(info.name.clone(), info);
        }
        sets
    };
    let ctr = if counters {
        Counters::Prefix
    } else {
        Counters::None
    };
    nftwire::netlink::parallel::ordered_chunks(
        conn,
        names.len(),
        nftwire::ruleset::CHAINS_PER_PART,
        |conn, range| {
            let mut part = String::new();
            for n in &names[range] {
                for r in kernel::dump_rules(conn, fam, &table, Some(n))? {
                    match crate::model::decode_rule(&r, &table) {
                        Decoded::Rule(ir) => write_rule_line(&mut part, &ir, n, &table, ctr),
                        Decoded::Foreign(_) => {
                            part.push_str(&foreign_rule_line(&r, r.attrs.handle, n, &sets))
                        }
                    }
                    part.push('\n');
                }
            }
            Ok(part)
        },
        |part| {
            out.push_str(&part);
            Ok(())
        },
    )?;
    out.push_str("COMMIT\n");
    out.push_str(&format!("# Completed on {}\n", ctime_now()));
    Ok(out)
}
