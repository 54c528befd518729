//! `arptables-save` and `arptables-restore`. The restore replaces what
//! arptables owns in the table (its rules, and its user chains that hold
//! no foreign rule) and keeps foreign rules in their chains, as the
//! iptables side does; tables are committed implicitly at the next
//! `*TABLE` line or at the end of input, or at `COMMIT`.

use super::{decode_rule, exec, FAMILY};
use crate::model::MResult;
use crate::parse::cmd;
use crate::run::{connect, fail};
use crate::xfam::Snapshot;
use nftwire::arptables::encode::encode;
use nftwire::arptables::text::save_body;
use nftwire::arptables::{tables, ArpRule};
use nftwire::iptables::{ExitCode, IptError};

/// The save text of the table (empty when it does not exist).
pub fn save_text(s: &Snapshot<ArpRule>, prog: &str, counters: bool) -> String {
    crate::xfam::save::save_text(
        s,
        prog,
        |_| "-",
        |n, out| {
            let Some(c) = s.chain(n) else { return };
            for e in &c.rules {
                match &e.own {
                    Ok(r) => {
                        if counters {
                            out.push_str(&format!("[{}:{}] ", r.packets, r.bytes));
                        }
                        out.push_str(&format!("-A {n}"));
                        save_body(r, out);
                    }
                    Err(_) => {
                        let sets = nftwire::render::nft::delinearize::Sets::new();
                        out.push_str(&crate::show::foreign_rule_line(&e.rule, e.handle, n, &sets));
                    }
                }
                out.push('\n');
            }
        },
    )
}

/// `arptables-save [-c] [-t TABLE]`.
pub fn main(prog: &str, args: Vec<String>) -> i32 {
    let (counters, _) =
        match crate::xfam::args::save_options(prog, &args, |t| tables::table(t).is_some()) {
            Ok(o) => o,
            Err(rc) => return rc,
        };
    let mut conn = match connect() {
        Ok(c) => c,
        Err(e) => return fail(&e, prog, None),
    };
    let r = crate::xfam::snapshot::transact(
        &mut conn,
        FAMILY,
        &tables::FILTER,
        decode_rule,
        |s, out| {
            out.push_str(&save_text(s, prog, counters));
            Ok(())
        },
    );
    match r {
        Ok((out, _)) => {
            print!("{out}");
            0
        }
        Err(e) => fail(&e, prog, None),
    }
}

enum Item {
    Chain(String, String, usize),
    Rule(Box<super::parse::ArpParsed>, usize),
}

/// Apply one table's lines to the snapshot: flush what arptables owns,
/// then the chain lines and rule commands.
fn apply(s: &mut Snapshot<ArpRule>, items: &[Item], out: &mut String) -> MResult<()> {
    // A table holding only arptables' own rules and chains is replaced
    // whole, as arptables-nft does (chains not declared again are gone,
    // builtin ones too); foreign rules and chains are kept otherwise.
    if s.exists && !s.has_foreign(|_| false) {
        s.delete_table();
    }
    let declared: Vec<&str> = items
        .iter()
        .filter_map(|i| match i {
            Item::Chain(n, ..) => Some(n.as_str()),
            _ => None,
        })
        .collect();
    for n in s.chain_order(false) {
        s.flush_own(&n);
    }
    // User chains not declared again go, unless foreign rules live in or
    // jump to them.
    for n in s.chain_order(false) {
        let Some(c) = s.chain(&n) else { continue };
        if c.chain.is_base() || declared.contains(&n.as_str()) || !c.rules.is_empty() {
            continue;
        }
        let used = s.chains.iter().flat_map(|c| c.rules.iter()).any(|r| {
            r.own.is_err() && format!("{:?}", r.rule.exprs()).contains(&format!("\"{n}\""))
        });
        if !used {
            s.del_chain(&n);
        }
    }
    for it in items {
        match it {
            Item::Chain(name, policy, line) => {
                s.line = Some(*line);
                if s.builtin.chain(name).is_some() {
                    let v = match policy.as_str() {
                        "ACCEPT" => 1,
                        "DROP" => 0,
                        _ => {
                            return Err(IptError::xt(
                                ExitCode::Other,
                                format!(
                                    "Can't set policy `{policy}' on `{name}' line {line}: Bad policy name"
                                ),
                            )
                            .into())
                        }
                    };
                    s.set_policy(name, v, (0, 0), false);
                } else if s.chain(name).is_none() {
                    s.new_chain(name);
                }
            }
            Item::Rule(p, line) => {
                s.line = Some(*line);
                crate::xfam::RESTORE_LINE.set(Some(*line));
                if p.command & (cmd::LIST | cmd::LIST_RULES) != 0 {
                    exec::run(s, p, out)?;
                    continue;
                }
                exec::run(s, p, out).map_err(|e| match e {
                    crate::model::ModelErr::Ipt(e) => with_line(e, *line).into(),
                    e => e,
                })?;
            }
        }
    }
    let _ = encode;
    Ok(())
}

fn with_line(mut e: IptError, line: usize) -> IptError {
    if e.style == nftwire::iptables::error::Style::Op {
        e.msg = format!("line {line} failed: {}", e.msg);
        e.style = nftwire::iptables::error::Style::Plain;
    }
    e
}

/// `arptables-restore` (reads standard input).
pub fn restore_main(prog: &str, _args: Vec<String>) -> i32 {
    let mut conn = match connect() {
        Ok(c) => c,
        Err(e) => return fail(&e, prog, None),
    };
    let mut items: Vec<Item> = Vec::new();
    let mut in_table = false;
    let commit =
        |conn: &mut nftwire::netlink::Conn, items: &mut Vec<Item>| -> Result<String, IptError> {
            let (out, _) = crate::xfam::snapshot::transact(
                conn,
                FAMILY,
                &tables::FILTER,
                decode_rule,
                |s, out| apply(s, items, out),
            )?;
            items.clear();
            Ok(out)
        };
    // Each table is committed at its COMMIT, while the writer may still be
    // writing: memory stays bounded by one table.
    let mut lines = crate::xfam::restore_lines::RestoreLines::new(std::io::stdin().lock());
    while let Some((line, raw)) = lines.next_line() {
        if in_table && (raw == "COMMIT" || raw.starts_with("COMMIT ")) {
            match commit(&mut conn, &mut items) {
                Ok(o) => print!("{o}"),
                Err(e) => return fail(&e, prog, crate::xfam::RESTORE_LINE.take().or(Some(line))),
            }
            in_table = false;
        } else if let Some(t) = raw.strip_prefix('*') {
            let t = t.split_whitespace().next().unwrap_or("");
            if t.is_empty() {
                let e = IptError::param(format!("{prog}: line {line} table name invalid"));
                return fail(&e, prog, Some(line));
            }
            if tables::table(t).is_none() {
                let e = IptError::param(format!("{prog}: line {line} table name '{t}' invalid"));
                return fail(&e, prog, Some(line));
            }
            if in_table {
                match commit(&mut conn, &mut items) {
                    Ok(o) => print!("{o}"),
                    Err(e) => return fail(&e, prog, Some(line)),
                }
            }
            in_table = true;
        } else if let (Some(rest), true) = (raw.strip_prefix(':'), in_table) {
            let valid = super::parse::valid_chain_name;
            match crate::xfam::restore_lines::chain_line(prog, line, rest, valid) {
                Ok((name, policy)) => items.push(Item::Chain(name, policy, line)),
                Err(rc) => return rc,
            }
        } else if in_table {
            let mut words = vec![prog.to_string(), "-t".into(), "filter".into()];
            // The line with its newline, as fgets reads it (an unclosed quote
            // keeps it in the last word).
            if let Err(e) = crate::restore::split_words(&format!("{raw}\n"), &mut words) {
                return fail(&e, prog, Some(line));
            }
            match super::parse::parse(words, true, "arptables-restore") {
                Ok(p) => items.push(Item::Rule(Box::new(p), line)),
                Err(e) => return fail(&e, prog, Some(line)),
            }
        } else {
            // Anything else outside a table (COMMIT included).
            eprintln!("{prog}: line {line} failed");
            return 1;
        }
    }
    if in_table {
        if let Err(e) = commit(&mut conn, &mut items) {
            return fail(&e, prog, crate::xfam::RESTORE_LINE.take());
        }
    }
    0
}
