//! `iptables-restore-translate -f FILE`: a restore file as nft commands,
//! line by line as 1.8.11 reads it (tables need no `COMMIT`, counters are
//! read and dropped), printed as it goes.

use super::command;
use crate::parse::{assert_valid_chain_name, parse};
use crate::restore::{parse_counters, read_piece, split_words};
use crate::run::fail;
use nftwire::iptables::xlate::family_word;
use nftwire::iptables::{tables, Family, IptError};
use std::io::Write as _;

/// The name 1.8.11 uses in this tool's messages.
fn msg_prog(family: Family) -> &'static str {
    match family {
        Family::V4 => "iptables-translate-restore",
        Family::V6 => "ip6tables-translate-restore",
    }
}

fn usage(argv0: &str) -> i32 {
    eprint!(
        "{argv0} 1.8.11 (c) 2014 by Pablo Neira Ayuso <pablo@netfilter.org>\nUsage: {argv0} [-h] [-f <FILE>] [-V]\n\t[ --help ]\n\t[ --file=<FILE> ]\n\t[ --version ]\n"
    );
    1
}

/// `ctime(3)` of now in UTC (`Sat Dec  5 19:43:54 2026`, with newline).
fn ctime_now() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0);
    let (year, month, day, h, m, s, wday) = nftwire::iptables::xlate::gmtime(secs);
    const WD: [&str; 7] = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
    const MO: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    format!(
        "{} {} {day:2} {h:02}:{m:02}:{s:02} {year}\n",
        WD[wday as usize % 7],
        MO[(month as usize + 11) % 12],
    )
}

/// `xlate_chain_set`: a builtin chain with its type, hook, priority and
/// policy as 1.8.11's translation gives them.
fn chain_set(family: Family, table: &str, chain: &str, policy: &str) -> String {
    let ty = if table == "nat" {
        "nat"
    } else if table == "mangle" && chain == "OUTPUT" {
        "route"
    } else {
        "filter"
    };
    let prio = match (table, chain) {
        ("nat", "PREROUTING" | "OUTPUT") => -100,
        ("nat", "INPUT" | "POSTROUTING") => 100,
        ("nat", _) => 0,
        ("mangle", _) => -150,
        ("raw", _) => -300,
        // 1.8.11 compares the chain name with "security", so the security
        // table gets priority 0
        _ => 0,
    };
    let mut s = format!(
        "add chain {} {table} {chain} {{ type {ty} ",
        family_word(family)
    );
    let hook = match chain {
        "PREROUTING" => Some("prerouting"),
        "INPUT" => Some("input"),
        "FORWARD" => Some("forward"),
        "OUTPUT" => Some("output"),
        "POSTROUTING" => Some("postrouting"),
        _ => None,
    };
    if let Some(h) = hook {
        s.push_str(&format!("hook {h} priority {prio}; "));
    }
    match policy {
        "ACCEPT" => s.push_str("policy accept; "),
        "DROP" => s.push_str("policy drop; "),
        _ => {}
    }
    s.push_str("}\n");
    s
}

/// Output held until the next flush.
#[derive(Default)]
struct Held(String);

impl Held {
    fn push(&mut self, s: &str) {
        self.0.push_str(s);
    }
    fn flush(&mut self) {
        let mut o = std::io::stdout().lock();
        let _ = o.write_all(self.0.as_bytes());
        let _ = o.flush();
        self.0.clear();
    }
}

/// `iptables-restore-translate ARGS...` (`args[0]` is the program name).
pub fn main(family: Family, args: Vec<String>) -> i32 {
    crate::revision::assume_all();
    let argv0 = args.first().cloned().unwrap_or_default();
    let prog = msg_prog(family);
    let mut file: Option<String> = None;
    let mut i = 1;
    // getopt_long "hf:V" with --help/--file/--version, errors silenced
    while i < args.len() {
        let a = &args[i];
        i += 1;
        if a == "--" {
            break;
        }
        let (name, inline): (&str, Option<String>) = if let Some(l) = a.strip_prefix("--") {
            match l.split_once('=') {
                Some((n, v)) => (n, Some(v.to_string())),
                None => (l, None),
            }
        } else if a.len() > 1 && a.starts_with('-') {
            let mut chars = a[1..].chars();
            let mut hit = None;
            for c in chars.by_ref() {
                match c {
                    'h' | 'V' => {
                        hit = Some((c, None));
                        break;
                    }
                    'f' => {
                        let rest: String = chars.clone().collect();
                        hit = Some(('f', (!rest.is_empty()).then_some(rest)));
                        break;
                    }
                    _ => {}
                }
            }
            match hit {
                Some(('h', _)) => ("help", None),
                Some(('V', _)) => ("version", None),
                Some((_, v)) => ("file", v),
                None => continue,
            }
        } else {
            continue;
        };
        match name {
            "help" => {
                usage(&argv0);
                return 1;
            }
            "version" => {
                println!("{argv0} v1.8.11");
                return 0;
            }
            "file" => match inline.or_else(|| {
                i += 1;
                args.get(i - 1).cloned()
            }) {
                Some(f) => file = Some(f),
                None => break,
            },
            _ => {}
        }
    }
    let Some(file) = file else {
        eprintln!("ERROR: missing file name");
        return usage(&argv0);
    };
    let Ok(f) = std::fs::File::open(&file) else {
        eprintln!("Cannot open file {file}");
        return 1;
    };
    let now = ctime_now();
    // Like 1.8.11's stdio, the output is held and written when 1.8.11
    // flushes it (after each rule line, and at exit), so that its order
    // relative to the messages is the same on a shared pipe.
    let mut out = Held::default();
    out.push(&format!("# Translated by {argv0} v1.8.11 on {now}"));
    let mut input = std::io::BufReader::new(f);
    let mut bytes = Vec::new();
    let mut line = 0usize;
    let mut table: Option<&'static tables::BuiltinTable> = None;
    let fam = family_word(family);
    loop {
        match read_piece(&mut input, &mut bytes) {
            Ok(0) | Err(_) => break,
            Ok(_) => {}
        }
        line += 1;
        let text = String::from_utf8_lossy(&bytes);
        let buf: &str = &text;
        if buf.starts_with('\n') || buf.starts_with('#') {
            continue;
        }
        let mut ok = false;
        let err = |e: IptError, out: &mut Held| {
            let rc = fail(&e, prog, Some(line));
            out.flush();
            rc
        };
        if table.is_some() && buf.starts_with("COMMIT") && matches!(&buf[6..], "" | "\n") {
            table = None;
            ok = true;
        } else if let Some(rest) = buf.strip_prefix('*') {
            let Some(name) = rest.split([' ', '\t', '\n']).find(|s| !s.is_empty()) else {
                let e = IptError::param(format!("{prog}: line {line} table name invalid"));
                return err(e, &mut out);
            };
            table = tables::table(name);
            let Some(t) = table else {
                let e = IptError::param(format!("{prog}: line {line} table name '{name}' invalid"));
                return err(e, &mut out);
            };
            out.push(&format!("add table {fam} {}\n", t.name));
            ok = true;
        } else if let (Some(rest), Some(t)) = (buf.strip_prefix(':'), table) {
            let mut it = rest.split([' ', '\t', '\n']).filter(|s| !s.is_empty());
            let Some(chain) = it.next() else {
                let e = IptError::param(format!("{prog}: line {line} chain name invalid"));
                return err(e, &mut out);
            };
            if let Err(e) = assert_valid_chain_name(chain, family) {
                return err(e, &mut out);
            }
            let Some(policy) = it.next() else {
                let e = IptError::param(format!("{prog}: line {line} policy invalid"));
                return err(e, &mut out);
            };
            if t.chain(chain).is_some() {
                if it.next().is_some_and(|c| parse_counters(c).is_none()) {
                    let e = IptError::param(format!("invalid policy counters for chain '{chain}'"));
                    return err(e, &mut out);
                }
                out.push(&chain_set(family, t.name, chain, policy));
            } else {
                out.push(&format!("add chain {fam} {} {chain}\n", t.name));
            }
            ok = true;
        } else if let Some(t) = table {
            let mut rest = buf;
            if rest.starts_with('[') {
                let Some(end) = rest.find(']') else {
                    return err(
                        IptError::param(format!("Bad line {line}: need ]")),
                        &mut out,
                    );
                };
                let counters = rest[1..end].split_once(':');
                if counters.is_none_or(|(a, _)| a.is_empty()) {
                    return err(
                        IptError::param(format!("Bad line {line}: need :")),
                        &mut out,
                    );
                }
                rest = &rest[end + 1..];
            }
            let mut argv = vec![prog.to_string(), "-t".into(), t.name.to_string()];
            if let Err(e) = split_words(rest, &mut argv) {
                return err(e, &mut out);
            }
            let p = match parse(family, argv.clone(), t.name, true, prog) {
                Ok(p) => p,
                Err(e) => return err(e, &mut out),
            };
            if let Some(s) = &p.stdout {
                out.push(s);
                out.flush();
                return 0;
            }
            let mut s = String::new();
            ok = command::translate(family, &p, &argv, true, &mut s);
            out.push(&s);
            out.flush();
        }
        if !ok {
            // (1.8.11 adds its errno's text when one happens to be set)
            eprintln!("{prog}: line {line} failed");
            out.flush();
            return 1;
        }
    }
    out.push(&format!("# Completed on {now}"));
    out.flush();
    0
}
