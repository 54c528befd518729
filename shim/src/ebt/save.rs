//! `ebtables-save` and `ebtables-restore`. The restore replaces what
//! ebtables owns in each table it names (its rules, user chains and their
//! policies) and keeps foreign rules in their chains, as the iptables
//! side does; a table is committed at `COMMIT`, at the next `*TABLE` line
//! or at the end of input.

use super::exec::{policy, save_text};
use super::{decode_rule, exec, FAMILY};
use crate::model::MResult;
use crate::run::{connect, fail};
use crate::xfam::Snapshot;
use nftwire::ebtables::decode::policy_of;
use nftwire::ebtables::text::Counters;
use nftwire::ebtables::{tables, EbtRule};
use nftwire::iptables::{ExitCode, IptError};

/// `ebtables-save [-c] [-t TABLE]`.
pub fn main(prog: &str, args: Vec<String>) -> i32 {
    let (counters, only) =
        match crate::xfam::args::save_options(prog, &args, |t| tables::table(t).is_some()) {
            Ok(o) => o,
            Err(rc) => return rc,
        };
    // `-c` prints `[P:B]` before each rule; without it,
    // EBTABLES_SAVE_COUNTER=yes appends ` -c P B` (a format switch only).
    let ctr = if counters {
        Counters::Prefix
    } else if std::env::var("EBTABLES_SAVE_COUNTER").is_ok_and(|v| v == "yes") {
        Counters::Save
    } else {
        Counters::None
    };
    let mut conn = match connect() {
        Ok(c) => c,
        Err(e) => return fail(&e, prog, None),
    };
    let mut all = String::new();
    for t in tables::TABLES {
        if only.as_deref().is_some_and(|o| o != t.name) {
            continue;
        }
        let r = crate::xfam::snapshot::transact(&mut conn, FAMILY, t, decode_rule, |s, out| {
            if only.is_some() && !s.exists {
                // A table named with -t is shown with its builtin chains
                // even when the kernel has none (1.8.11 initialises it in
                // its cache only): nothing is sent.
                s.ensure_all_builtins(1);
                s.ops.clear();
            }
            out.push_str(&save_text(s, prog, ctr));
            Ok(())
        });
        match r {
            Ok((out, _)) => all.push_str(&out),
            Err(e) => return fail(&e, prog, None),
        }
    }
    print!("{all}");
    0
}

enum Item {
    Chain(String, String, usize),
    Rule(Box<super::parse::EbtParsed>, usize),
}

fn apply(
    s: &mut Snapshot<EbtRule>,
    items: &[Item],
    noflush: bool,
    out: &mut String,
) -> MResult<()> {
    // A table holding only ebtables' own rules and chains is replaced
    // whole, as ebtables-nft does; foreign rules and chains are kept
    // otherwise.
    if !noflush && s.exists && !s.has_foreign(|r| policy_of(&r.rule).is_some()) {
        s.delete_table();
    }
    if !noflush {
        let declared: Vec<&str> = items
            .iter()
            .filter_map(|i| match i {
                Item::Chain(n, ..) => Some(n.as_str()),
                _ => None,
            })
            .collect();
        for n in s.chain_order(false) {
            if let Some((i, _)) = policy(s, &n) {
                s.delete_rule(&n, i);
            }
            s.flush_own(&n);
        }
        for n in s.chain_order(false) {
            let Some(c) = s.chain(&n) else { continue };
            if c.chain.is_base() || declared.contains(&n.as_str()) || !c.rules.is_empty() {
                continue;
            }
            let needle = format!("\"{n}\"");
            let used = s
                .chains
                .iter()
                .flat_map(|c| c.rules.iter())
                .any(|r| r.own.is_err() && format!("{:?}", r.rule.exprs()).contains(&needle));
            if !used {
                s.del_chain(&n);
            }
        }
    }
    for it in items {
        match it {
            Item::Chain(name, pol, line) => {
                s.line = Some(*line);
                let mut words = vec!["ebtables-restore".to_string(), "-t".into(), s.table.clone()];
                if s.builtin.chain(name).is_some() {
                    words.extend(["-P".to_string(), name.clone(), pol.clone()]);
                } else {
                    if s.chain(name).is_some() {
                        if let Some((i, _)) = policy(s, name) {
                            s.delete_rule(name, i);
                        }
                        s.flush_own(name);
                    } else {
                        s.new_chain(name);
                    }
                    words.extend(["-P".to_string(), name.clone(), pol.clone()]);
                }
                let builtin = s.builtin.chain(name).is_some();
                let p = super::parse::parse(words, true, "ebtables-restore")?;
                exec::run(s, &p, out).map_err(|e| match e {
                    // A base chain's policy is only set at the commit,
                    // which is where 1.8.11 fails.
                    crate::model::ModelErr::Ipt(_) if builtin => IptError::xt(
                        ExitCode::Other,
                        "ebtables-restore: final implicit COMMIT failed",
                    )
                    .into(),
                    crate::model::ModelErr::Ipt(_) => IptError::xt(
                        ExitCode::Other,
                        format!(
                            "Can't set policy `{pol}' on `{name}' line {line}: Bad policy name"
                        ),
                    )
                    .into(),
                    e => e,
                })?;
            }
            Item::Rule(p, line) => {
                s.line = Some(*line);
                crate::xfam::RESTORE_LINE.set(Some(*line));
                exec::run(s, p, out).inspect_err(|_| crate::xfam::FAILED_LINE.set(Some(*line)))?;
            }
        }
    }
    Ok(())
}

/// `ebtables-restore [--noflush] [--verbose]` (reads standard input).
pub fn restore_main(prog: &str, args: Vec<String>) -> i32 {
    use crate::getopt::{Getopt, Got, HasArg, LongOpt, Val};
    let long = [
        LongOpt {
            name: "noflush",
            has_arg: HasArg::No,
            val: Val::Base('n'),
        },
        LongOpt {
            name: "verbose",
            has_arg: HasArg::No,
            val: Val::Base('v'),
        },
    ];
    let mut noflush = false;
    let mut g = Getopt::new(args.clone());
    loop {
        match g.next("nv", &[&long]) {
            Got::End => break,
            Got::Opt(Val::Base('n'), _) => noflush = true,
            // Words that are not options are left alone, as by 1.8.11.
            Got::Opt(Val::Base('v'), _) | Got::NonOpt(_) => {}
            other => {
                // getopt_long's complaint, then the usage line.
                if let Some(m) = other.complaint(args.first().map_or(prog, |a| a), &[&long]) {
                    eprintln!("{m}");
                }
                eprintln!("Usage: ebtables-restore [ --verbose ] [ --noflush ]");
                return 1;
            }
        }
    }
    let mut conn = match connect() {
        Ok(c) => c,
        Err(e) => return fail(&e, prog, None),
    };
    let mut items: Vec<Item> = Vec::new();
    let mut table: Option<&'static nftwire::iptables::tables::BuiltinTable> = None;
    let commit = |conn: &mut nftwire::netlink::Conn,
                  t: &'static nftwire::iptables::tables::BuiltinTable,
                  items: &mut Vec<Item>|
     -> Result<(), IptError> {
        crate::xfam::FAILED_LINE.set(None);
        let (out, _) = crate::xfam::snapshot::transact(conn, FAMILY, t, decode_rule, |s, out| {
            apply(s, items, noflush, out)
        })?;
        print!("{out}");
        items.clear();
        Ok(())
    };
    // Each table is committed at its COMMIT, while the writer may still be
    // writing: memory stays bounded by one table.
    let mut lines = crate::xfam::restore_lines::RestoreLines::new(std::io::stdin().lock());
    while let Some((line, raw)) = lines.next_line() {
        if let (Some(t), true) = (table, raw == "COMMIT" || raw.starts_with("COMMIT ")) {
            if let Err(e) = commit(&mut conn, t, &mut items) {
                return fail(&e, prog, crate::xfam::FAILED_LINE.take().or(Some(line)));
            }
            table = None;
        } else if let Some(t) = raw.strip_prefix('*') {
            let t = t.split_whitespace().next().unwrap_or("");
            let Some(bt) = tables::table(t) else {
                let e = IptError::param(format!("{prog}: line {line} table name '{t}' invalid"));
                return fail(&e, prog, Some(line));
            };
            if let Some(prev) = table {
                if let Err(e) = commit(&mut conn, prev, &mut items) {
                    return fail(&e, prog, crate::xfam::FAILED_LINE.take().or(Some(line)));
                }
            }
            table = Some(bt);
        } else if let (Some(rest), Some(_)) = (raw.strip_prefix(':'), table) {
            let valid = super::parse::valid_chain_name;
            match crate::xfam::restore_lines::chain_line(prog, line, rest, valid) {
                Ok((name, policy)) => items.push(Item::Chain(name, policy, line)),
                Err(rc) => return rc,
            }
        } else if let Some(t) = table {
            let mut words = vec![prog.to_string(), "-t".into(), t.name.to_string()];
            // The line with its newline, as fgets reads it (an unclosed quote
            // keeps it in the last word).
            if let Err(e) = crate::restore::split_words(&format!("{raw}\n"), &mut words) {
                return fail(&e, prog, Some(line));
            }
            match super::parse::parse(words, true, "ebtables-restore") {
                Ok(p) => items.push(Item::Rule(Box::new(p), line)),
                Err(e) => return fail(&e, prog, Some(line)),
            }
        } else {
            // Anything else outside a table (COMMIT included).
            eprintln!("{prog}: line {line} failed");
            return 1;
        }
    }
    if let Some(t) = table {
        if let Err(e) = commit(&mut conn, t, &mut items) {
            let line = crate::xfam::FAILED_LINE.take();
            return fail(&e, prog, line.or(crate::xfam::RESTORE_LINE.take()));
        }
    }
    0
}
