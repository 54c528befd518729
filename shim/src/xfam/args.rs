//! Pieces of `do_parse` (xshared.c) that the arptables and ebtables
//! command lines share: commands and their conflicts, optional chain and
//! rule-number arguments, `--opt ! value`, MAC addresses with masks,
//! `-c PKTS BYTES`, and the chain and target name checks.

use crate::getopt::{Getopt, Got, HasArg, LongOpt, Val};
use crate::parse::cmd;
use nftwire::iptables::num;
use nftwire::iptables::{IptError, Result};

/// `add_command`: add `new` unless a command other than `others` is set.
pub fn add_command(command: &mut u32, new: u32, others: u32, invert: bool) -> Result<()> {
    if invert {
        return Err(IptError::param("unexpected '!' flag"));
    }
    if *command & !others != 0 {
        const F: [char; 15] = [
            'I', 'D', 'D', 'R', 'A', 'L', 'F', 'Z', 'N', 'X', 'P', 'E', 'S', 'Z', 'C',
        ];
        let c = |b: u32| F.get(b.trailing_zeros() as usize).copied().unwrap_or('?');
        return Err(IptError::param(format!(
            "Cannot use -{} with -{}",
            c(new),
            c(*command & !others)
        )));
    }
    *command |= new;
    Ok(())
}

/// `xs_has_arg`: the next word is an argument, not an option or `!`.
pub fn has_arg(g: &Getopt) -> bool {
    g.args
        .get(g.optind)
        .is_some_and(|a| !a.starts_with('-') && !a.starts_with('!'))
}

/// `parse_rulenumber`.
pub fn rulenumber(s: &str) -> Result<i64> {
    num::strtoui(s, 1, i32::MAX as u64)
        .map(|v| v as i64)
        .ok_or_else(|| IptError::param(format!("Invalid rule number `{s}'")))
}

/// `-N NAME` and `-E OLD NEW` (`c`): the command, its chain and, for
/// `-E`, the new name (the word after the option's argument), each name
/// checked by the tool's `valid`.
pub fn new_or_rename(
    c: char,
    (command, chain, newname): (&mut u32, &mut Option<String>, &mut Option<String>),
    optarg: Option<String>,
    (g, invert): (&mut Getopt, bool),
    valid: fn(&str) -> Result<()>,
) -> Result<()> {
    if c == 'N' {
        let a = optarg.unwrap_or_default();
        valid(&a)?;
        add_command(command, cmd::NEW_CHAIN, 0, invert)?;
        *chain = Some(a);
        return Ok(());
    }
    add_command(command, cmd::RENAME_CHAIN, 0, invert)?;
    *chain = optarg;
    if !has_arg(g) {
        return Err(IptError::param(
            "-E requires old-chain-name and new-chain-name",
        ));
    }
    let n = g.args[g.optind].clone();
    g.optind += 1;
    valid(&n)?;
    *newname = Some(n);
    Ok(())
}

/// `-L`, `-S`, `-F`, `-X`, `-Z` (`c`) with their optional chain and, for
/// `-L`/`-S`/`-Z`, rule number; `-Z N` becomes `CMD_ZERO_NUM`.
pub fn list_like(
    c: char,
    (command, chain, rulenum): (&mut u32, &mut Option<String>, &mut i64),
    optarg: Option<String>,
    g: &mut Getopt,
    invert: bool,
) -> Result<()> {
    let (c0, others) = match c {
        'L' => (cmd::LIST, cmd::ZERO | cmd::ZERO_NUM),
        'S' => (cmd::LIST_RULES, cmd::ZERO | cmd::ZERO_NUM),
        'F' => (cmd::FLUSH, 0),
        'X' => (cmd::DELETE_CHAIN, 0),
        _ => (cmd::ZERO, cmd::LIST | cmd::LIST_RULES),
    };
    add_command(command, c0, others, invert)?;
    if optarg.is_some() {
        *chain = optarg;
    } else if has_arg(g) {
        *chain = Some(g.args[g.optind].clone());
        g.optind += 1;
    }
    if matches!(c, 'L' | 'S' | 'Z') && has_arg(g) {
        g.optind += 1;
        *rulenum = rulenumber(&g.args[g.optind - 1])?;
        if c == 'Z' {
            *command = cmd::ZERO_NUM;
        }
    }
    Ok(())
}

/// `check_inverse` of the ARP and bridge families: `--opt ! value`.
pub fn intrapositioned(arg: &mut Option<String>, invert: &mut bool, g: &mut Getopt) -> Result<()> {
    if arg.as_deref() != Some("!") {
        return Ok(());
    }
    eprintln!(
        "Using intrapositioned negation (`--option ! this`) is deprecated in favor of extrapositioned (`! --option this`)."
    );
    if *invert {
        return Err(IptError::param("Multiple `!' flags not allowed"));
    }
    *invert = true;
    g.optind += 1;
    if g.optind > g.args.len() {
        return Err(IptError::param("no argument following `!'"));
    }
    *arg = g.args.get(g.optind - 1).cloned();
    Ok(())
}

/// `xtables_parse_mac_and_mask`: a well-known name or `ADDR[/MASK]`
/// (the address masked); address and mask.
pub fn mac_and_mask(s: &str) -> Option<([u8; 6], [u8; 6])> {
    let named: Option<([u8; 6], [u8; 6])> = match s.to_ascii_lowercase().as_str() {
        "unicast" => Some(([0; 6], [1, 0, 0, 0, 0, 0])),
        "multicast" => Some(([1, 0, 0, 0, 0, 0], [1, 0, 0, 0, 0, 0])),
        "broadcast" => Some(([0xff; 6], [0xff; 6])),
        "bga" => Some(([1, 0x80, 0xc2, 0, 0, 0], [0xff; 6])),
        _ => None,
    };
    if named.is_some() {
        return named;
    }
    let p = nftwire::arptables::target::parse_mac;
    let (a, m) = match s.rsplit_once('/') {
        Some((a, m)) => (a, p(m)?),
        None => (s, [0xff; 6]),
    };
    let mut addr = p(a)?;
    for (x, k) in addr.iter_mut().zip(m) {
        *x &= k;
    }
    Some((addr, m))
}

/// `-c PKTS,BYTES` or `-c PKTS BYTES`.
pub fn set_counters(a: &str, g: &mut Getopt) -> Result<(u64, u64)> {
    let (pc, bc) = match a.split_once(',') {
        Some((x, y)) => (x.to_string(), Some(y.to_string())),
        None => (a.to_string(), None),
    };
    let bc = match bc {
        Some(b) => b,
        None if has_arg(g) => {
            g.optind += 1;
            g.args[g.optind - 1].clone()
        }
        None => {
            return Err(IptError::param(
                "--set-counters requires packet and byte counter",
            ))
        }
    };
    let sc = |s: &str| {
        let (v, n) = num::c_strtoul(s.trim_start(), 10);
        (n > 0).then_some(v)
    };
    let p = sc(&pc).ok_or_else(|| IptError::param("--set-counters packet counter not numeric"))?;
    let b = sc(&bc).ok_or_else(|| IptError::param("--set-counters byte counter not numeric"))?;
    Ok((p, b))
}

/// `xt_parse_target`'s length and character checks.
pub fn target_name(name: &str) -> Result<String> {
    if name.is_empty() {
        return Err(IptError::param("Invalid target name (too short)"));
    }
    if name.len() >= 29 {
        return Err(IptError::param(format!(
            "Invalid target name `{name}' (28 chars max)"
        )));
    }
    if name.chars().any(|c| c.is_whitespace()) {
        return Err(IptError::param(format!("Invalid target name `{name}'")));
    }
    Ok(name.to_string())
}

/// `assert_valid_chain_name` (`is_target`: the tool's target names).
pub fn valid_chain_name(name: &str, is_target: impl Fn(&str) -> bool) -> Result<()> {
    if name.len() >= 29 {
        return Err(IptError::param(format!(
            "chain name `{name}' too long (must be under 29 chars)"
        )));
    }
    if let Some(c) = name.chars().next().filter(|c| *c == '-' || *c == '!') {
        return Err(IptError::param(format!(
            "chain name not allowed to start with `{c}'"
        )));
    }
    if is_target(name) {
        return Err(IptError::param("chain name may not clash with target name"));
    }
    if name.chars().any(|c| c.is_whitespace()) {
        return Err(IptError::param(format!("Invalid chain name `{name}'")));
    }
    Ok(())
}

/// `interface name ... must be shorter than 16 characters` and the
/// warning about characters the kernel refuses.
pub fn interface(arg: &str) -> Result<String> {
    if arg.len() >= 16 {
        return Err(IptError::param(format!(
            "interface name `{arg}' must be shorter than 16 characters"
        )));
    }
    if arg.contains('/') || arg.contains(' ') {
        eprintln!(
            "Warning: weird character in interface `{arg}' ('/' and ' ' are not allowed by the kernel)."
        );
    }
    Ok(arg.to_string())
}

/// `-V` (and `! -V`).
pub fn version(prog: &str, invert: bool) -> String {
    if invert {
        format!("Not {} ;-)\n", nftwire::iptables::VERSION_STRING)
    } else {
        format!("{prog} v{}\n", nftwire::iptables::VERSION_STRING)
    }
}

/// The next option of `do_parse`'s loop: `!` words set `invert` (twice is
/// an error), other words and unknown or incomplete options are errors;
/// None at the end.
pub fn next_option(
    g: &mut Getopt,
    optstring: &str,
    tables: &[&[LongOpt]],
    invert: &mut bool,
) -> Result<Option<(Val, Option<String>)>> {
    loop {
        return match g.next(optstring, tables) {
            Got::End => Ok(None),
            Got::NonOpt(a) if a == "!" => {
                if *invert {
                    return Err(IptError::param("multiple consecutive ! not allowed"));
                }
                *invert = true;
                continue;
            }
            Got::NonOpt(a) => Err(IptError::tryhelp(format!("Bad argument `{a}'"))),
            Got::Missing(w) => Err(IptError::param(format!(
                "option \"{w}\" requires an argument"
            ))),
            Got::Unknown(c, w) => {
                let w = match c {
                    Some(ch) => format!("-{ch}"),
                    None => w,
                };
                Err(IptError::param(format!("unknown option \"{w}\"")))
            }
            Got::Opt(v, a) => Ok(Some((v, a))),
        };
    }
}

/// The options of `arptables-save`/`ebtables-save` as 1.8.11's shared
/// save tool reads them (getopt with each tool's table): `-c`, `-V`, `-M
/// X` (ignored), and for ebtables `-t TABLE` (checked with `exists`). Err
/// is the exit status after the message was printed.
pub fn save_options(
    prog: &str,
    args: &[String],
    exists: impl Fn(&str) -> bool,
) -> std::result::Result<(bool, Option<String>), i32> {
    let ebt = prog.starts_with("ebtables");
    let l = |n: &'static str, h: HasArg, c: char| LongOpt {
        name: n,
        has_arg: h,
        val: Val::Base(c),
    };
    let mut long = vec![
        l("counters", HasArg::No, 'c'),
        l("version", HasArg::No, 'V'),
        l("table", HasArg::Required, 't'),
        l("modprobe", HasArg::Required, 'M'),
    ];
    if !ebt {
        long.remove(2);
    }
    let short = if ebt { "ct:M:V" } else { "cM:V" };
    let mut counters = false;
    let mut only = None;
    let mut g = Getopt::new(args.to_vec());
    loop {
        match g.next(short, &[&long]) {
            Got::End => break,
            Got::Opt(Val::Base('c'), _) => counters = true,
            Got::Opt(Val::Base('M'), _) => {}
            Got::Opt(Val::Base('V'), _) => {
                println!("{prog} v{}", nftwire::iptables::VERSION_STRING);
                return Err(0);
            }
            Got::Opt(Val::Base('t'), t) => {
                let t = t.unwrap_or_default();
                if !exists(&t) {
                    eprintln!("Table `{t}' does not exist");
                    return Err(1);
                }
                only = Some(t);
            }
            Got::NonOpt(_) => {
                eprintln!("Unknown arguments found on commandline");
                return Err(1);
            }
            other => {
                if let Some(m) = other.complaint(args.first().map_or(prog, |a| a), &[&long]) {
                    eprintln!("{m}");
                }
                eprintln!("Look at manual page `{prog}.8' for more information.");
                return Err(1);
            }
        }
    }
    Ok((counters, only))
}

/// The first line of a save (`# Generated by ...`) and the table line.
pub fn save_header(prog: &str, table: &str) -> String {
    format!(
        "# Generated by {prog} v{} on {}\n*{table}\n",
        nftwire::iptables::VERSION_STRING,
        crate::show::ctime_now()
    )
}

/// An entry of a tool's long-option table: `--name`, with `has_arg`,
/// returning option character `c`.
pub const fn long_opt(name: &'static str, has_arg: HasArg, c: char) -> LongOpt {
    LongOpt {
        name,
        has_arg,
        val: Val::Base(c),
    }
}
