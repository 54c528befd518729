//! The translate tools: `iptables-translate`, `ip6tables-translate`
//! (one command line) and `iptables-restore-translate`,
//! `ip6tables-restore-translate` (a restore file), `ebtables-translate`
//! and `arptables-translate`, printing the nft
//! commands iptables 1.8.11 prints. They parse exactly as `iptables` does
//! (same parser, messages and exit codes) and never touch the kernel. The
//! rule text comes from the library (`nftwire::iptables::xlate`).

pub mod arp;
mod command;
pub mod ebt;
mod restore;

pub use restore::main as restore_main;

use crate::parse::parse;
use crate::run::fail;
use nftwire::iptables::Family;
use std::io::Write as _;

/// The tool's name as 1.8.11 calls it in messages.
fn prog(family: Family) -> &'static str {
    match family {
        Family::V4 => "iptables-translate",
        Family::V6 => "ip6tables-translate",
    }
}

/// `iptables-translate ARGS...` (`args[0]` is the program name).
pub fn main(family: Family, args: Vec<String>) -> i32 {
    crate::revision::assume_all();
    let prog = prog(family);
    let p = match parse(family, args.clone(), "filter", false, prog) {
        Ok(p) => p,
        Err(e) => return fail(&e, prog, None),
    };
    if let Some(s) = &p.stdout {
        print!("{s}");
        return 0;
    }
    let mut out = String::new();
    let ok = command::translate(family, &p, &args, false, &mut out);
    // 1.8.11's stdout is buffered until it exits: its message comes first
    if !ok {
        eprintln!("Translation not implemented");
    }
    print!("{out}");
    let _ = std::io::stdout().flush();
    i32::from(!ok)
}
