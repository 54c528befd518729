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
    if !restore && p.command != 0 {
        out.push_str("nft ");
    }
    if let Some(s) = chain_command(fam, table, p.command, p.chain.as_deref()) {
        out.push_str(&s);
        return true;
    }
    match p.command {
        cmd::APPEND | cmd::INSERT => {
            if !rules(family, p, restore, p.command == cmd::APPEND, out) {
                untranslated(argv, out);
            }
            true
        }
        0 => true,
        _ => false,
    }
}

/// The nft form of a table or chain command (`-F`, `-L`, `-N`, `-X`) in
/// family `fam` (`ip`, `ip6`, `arp`, `bridge`), as every 1.8.11
/// translator prints it; `None` for any other command.
pub fn chain_command(fam: &str, table: &str, command: u32, chain: Option<&str>) -> Option<String> {
    let name = chain.unwrap_or("(null)");
    Some(match command {
        cmd::FLUSH => match chain {
            Some(c) => format!("flush chain {fam} {table} {c}\n"),
            None => format!("flush table {fam} {table}\n"),
        },
        c if c & cmd::LIST != 0 => format!("list table {fam} {table}\n"),
        cmd::NEW_CHAIN => format!("add chain {fam} {table} {name}\n"),
        cmd::DELETE_CHAIN => format!("delete chain {fam} {table} {name}\n"),
        _ => return None,
    })
}

/// The line 1.8.11 prints for a rule it cannot translate: `# ` and the
/// command line's words after the program name.
pub fn untranslated(argv: &[String], out: &mut String) {
    out.push_str("# ");
    for a in argv.iter().skip(1) {
        out.push_str(a);
        out.push(' ');
    }
    out.push('\n');
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
