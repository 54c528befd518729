//! `ebtables-translate ARGS...`: an ebtables command as nft commands, as
//! ebtables-nft 1.8.11's translator prints it (`nft` first, rules quoted,
//! `insert` without an index).

use crate::ebt::parse::{parse, EbtParsed, CMD_INIT_TABLE};
use crate::parse::cmd;
use crate::run::fail;
use crate::xlate::command::{chain_command, untranslated};
use nftwire::ebtables::{tables, xlate};
use nftwire::iptables::IptError;
use std::io::Write as _;

const PROG: &str = "ebtables-translate";

fn rule(p: &EbtParsed, append: bool, out: &mut String) -> bool {
    let verb = if append { "add" } else { "insert" };
    let chain = p.chain.as_deref().unwrap_or("(null)");
    match xlate::rule(&p.rule) {
        Some(x) => {
            out.push_str(&format!(
                "'{verb} rule bridge {} {chain} {}'\n",
                p.table,
                x.rule()
            ));
            true
        }
        None => {
            out.push_str("' ");
            false
        }
    }
}

/// `ebtables-translate ARGS...` (`args[0]` is the program name).
pub fn main(args: Vec<String>) -> i32 {
    crate::revision::assume_all();
    let p = match parse(args.clone(), false, PROG) {
        Ok(p) => p,
        Err(e) => return fail(&e, PROG, None),
    };
    if let Some(s) = &p.stdout {
        if s.contains("\nUsage:") {
            // `-h`: the translator has its own help, on stderr
            eprint!(
                "{PROG}: Translate ebtables command to nft syntax\nno side effects occur, the translated command is written to standard output.\nA '#' followed by input means no translation is available.\n"
            );
        } else {
            print!("{s}");
        }
        return 0;
    }
    if tables::table(&p.table).is_none() {
        let e = IptError::version(format!("table '{}' does not exist", p.table));
        return fail(&e, PROG, None);
    }
    let mut out = String::from("nft ");
    let t = &p.table;
    let ok = match p.command {
        // (ebtables-translate lists only for a plain -L.)
        c @ (cmd::FLUSH | cmd::LIST | cmd::NEW_CHAIN | cmd::DELETE_CHAIN) => {
            out.push_str(&chain_command("bridge", t, c, p.chain.as_deref()).unwrap_or_default());
            true
        }
        cmd::APPEND | cmd::INSERT => {
            let ok = rule(&p, p.command == cmd::APPEND, &mut out);
            if !ok {
                untranslated(&args, &mut out);
            }
            ok
        }
        CMD_INIT_TABLE => {
            out.push_str(&format!("flush table bridge {t}\n"));
            true
        }
        _ => false,
    };
    // 1.8.11's stdout is buffered until it exits: its message comes first
    if !ok {
        eprintln!("Translation not implemented");
    }
    print!("{out}");
    let _ = std::io::stdout().flush();
    i32::from(!ok)
}
