//! One parsed iptables command as `iptables-translate` prints it
//! (`do_command_xlate` of 1.8.11): rule commands become `add rule`/`insert
//! rule` (one per address pair), chain commands their nft form, and
//! commands without a translation report failure.

use crate::parse::{cmd, opt, Parsed};
use nftwire::iptables::xlate::{self, family_word};
use nftwire::iptables::Family;

/// Translate `p` into `out`; false when 1.8.11 has no translation for the
/// command ("Translation not implemented" from the caller). `argv` is the
/// command line (its first word is the program or, in a restore, `-t`'s
/// prefix starts at index 1), printed as an `nft #` comment when an
/// extension of the rule has no translation. `restore`: inside
/// `iptables-restore-translate` (no `nft` prefix, no quotes).
pub fn translate(
    family: Family,
    p: &Parsed,
    argv: &[String],
    restore: bool,
    out: &mut String,
) -> bool {
    let fam = family_word(family);
    let table = &p.table;
    let chain = p.chain.as_deref().unwrap_or("(null)");
    if !restore && p.command != 0 {
        out.push_str("nft ");
    }
    match p.command {
        cmd::APPEND | cmd::INSERT => {
            if !rules(family, p, restore, p.command == cmd::APPEND, out) {
                out.push_str("# ");
                for a in argv.iter().skip(1) {
                    out.push_str(a);
                    out.push(' ');
                }
                out.push('\n');
            }
            true
        }
        cmd::FLUSH => {
            match &p.chain {
                Some(c) => out.push_str(&format!("flush chain {fam} {table} {c}\n")),
                None => out.push_str(&format!("flush table {fam} {table}\n")),
            }
            true
        }
        c if c & cmd::LIST != 0 => {
            out.push_str(&format!("list table {fam} {table}\n"));
            true
        }
        cmd::NEW_CHAIN => {
            out.push_str(&format!("add chain {fam} {table} {chain}\n"));
            true
        }
        cmd::DELETE_CHAIN => {
            out.push_str(&format!("delete chain {fam} {table} {chain}\n"));
            true
        }
        0 => true,
        _ => false,
    }
}

/// `xlate` + `nft_rule_xlate_add`: every rule of the command; false when
/// one has no translation (what was printed before stays).
fn rules(family: Family, p: &Parsed, restore: bool, append: bool, out: &mut String) -> bool {
    let tick = if restore { "" } else { "'" };
    let fam = family_word(family);
    let chain = p.chain.as_deref().unwrap_or("(null)");
    let numeric = p.options & opt::NUMERIC != 0;
    let per_src = (p.rules.len() / p.naddrs_src.max(1)).max(1);
    let mut ok = true;
    for (i, r) in p.rules.iter().enumerate() {
        match xlate::rule(r, numeric) {
            Some(x) => {
                if !x.set().is_empty() {
                    out.push_str(&format!(
                        "{tick}add set {fam} {} {}{tick}\n",
                        p.table,
                        x.set()
                    ));
                    if !restore {
                        out.push_str("nft ");
                    }
                }
                let verb = if append { "add" } else { "insert" };
                out.push_str(&format!("{tick}{verb} rule {fam} {} {chain} ", p.table));
                if !append && p.rulenum > 1 {
                    out.push_str(&format!("index {} ", p.rulenum));
                }
                out.push_str(&format!("{}{tick}\n", x.rule()));
                ok = true;
            }
            None => ok = false,
        }
        let last_of_src = (i + 1) % per_src == 0;
        if last_of_src && !restore && i + 1 < p.rules.len() {
            out.push_str("nft ");
        }
    }
    ok
}
