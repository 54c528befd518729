//! `arptables-translate ARGS...`: an arptables command as nft commands,
//! as 1.8.11 prints it (the same command handling as
//! `iptables-translate`, the `arp` family).

use crate::arp::parse::{parse, ArpParsed};
use crate::parse::cmd;
use crate::run::fail;
use crate::xlate::command::{chain_command, untranslated};
use nftwire::arptables::xlate;
use std::io::Write as _;

const PROG: &str = "arptables-translate";

/// `xlate` + `nft_rule_xlate_add` for the arp family: false when the
/// (last) rule has no translation.
fn rules(p: &ArpParsed, append: bool, out: &mut String) -> bool {
    let chain = p.chain.as_deref().unwrap_or("(null)");
    let mut ok = true;
    for r in &p.rules {
        match xlate::rule(r) {
            Some(x) => {
                let verb = if append { "add" } else { "insert" };
                out.push_str(&format!("'{verb} rule arp {} {chain} ", p.table));
                if !append && p.rulenum > 1 {
                    out.push_str(&format!("index {} ", p.rulenum));
                }
                out.push_str(&format!("{}'\n", x.rule()));
                ok = true;
            }
            None => ok = false,
        }
    }
    ok
}

/// `arptables-translate ARGS...` (`args[0]` is the program name).
pub fn main(args: Vec<String>) -> i32 {
    crate::revision::assume_all();
    let p = match parse(args.clone(), false, PROG) {
        Ok(p) => p,
        Err(e) => return fail(&e, PROG, None),
    };
    if let Some(s) = &p.stdout {
        print!("{s}");
        return 0;
    }
    let mut out = String::new();
    if p.command != 0 {
        out.push_str("nft ");
    }
    let t = &p.table;
    let ok = if let Some(s) = chain_command("arp", t, p.command, p.chain.as_deref()) {
        out.push_str(&s);
        true
    } else {
        match p.command {
            cmd::APPEND | cmd::INSERT => {
                if !rules(&p, p.command == cmd::APPEND, &mut out) {
                    untranslated(&args, &mut out);
                }
                true
            }
            0 => true,
            _ => false,
        }
    };
    // 1.8.11's stdout is buffered until it exits: its message comes first
    if !ok {
        eprintln!("Translation not implemented");
    }
    print!("{out}");
    let _ = std::io::stdout().flush();
    i32::from(!ok)
}
