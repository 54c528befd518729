//! `nftwire list`: print the ruleset as `nft list` does (text or JSON), or
//! every expression in the `nft --debug=netlink` form.
//!
//! ```text
//! nftwire list [ruleset [FAMILY] | table FAMILY NAME | chain FAMILY TABLE NAME
//!               | set FAMILY TABLE NAME | map FAMILY TABLE NAME]
//!              [-a] [-n] [-s] [-t] [--json] [--raw]
//! ```
//!
//! Text output matches `nft list` line for line wherever nft can print the
//! kernel state. Where it cannot, nftwire still prints every rule: xtables
//! compat expressions as `xt match "NAME" OPTIONS` / `xt target "NAME"
//! OPTIONS` (iptables options decoded from the blob, or `rev N`), and any
//! other expression nft cannot turn into a statement in its netlink debug
//! form `[ name ... ]`. Chain names nft's parser cannot read are quoted.
//! Like nft, a `# Warning: table … is managed by iptables-nft` line goes to
//! stderr for tables with xt expressions.

use anyhow::Context;
use nftwire::netlink::Conn;
use nftwire::render::nft::live::{self, Format};
use nftwire::render::nft::{Octx, Selection};
use nftwire::ruleset::Ruleset;
use std::io::Write;

/// Arguments of `nftwire list`.
#[derive(clap::Args)]
pub struct Args {
    /// What to list: `ruleset [FAMILY]`, `table FAMILY NAME`, `chain FAMILY
    /// TABLE NAME`, `set FAMILY TABLE NAME` or `map FAMILY TABLE NAME`.
    what: Vec<String>,
    /// Print object handles (`# handle N`).
    #[arg(short = 'a', long = "handle")]
    handle: bool,
    /// Print numbers instead of names (protocols, priorities, symbols, times).
    #[arg(short = 'n', long = "numeric")]
    numeric: bool,
    /// Omit stateful information (counter values, quota usage).
    #[arg(short = 's', long = "stateless")]
    stateless: bool,
    /// Omit set elements.
    #[arg(short = 't', long = "terse")]
    terse: bool,
    /// Print chain priorities as numbers.
    #[arg(short = 'y', long = "numeric-priority")]
    numeric_prio: bool,
    /// Print protocols as numbers.
    #[arg(short = 'p', long = "numeric-protocol")]
    numeric_proto: bool,
    /// Print times in seconds.
    #[arg(short = 'T', long = "numeric-time")]
    numeric_time: bool,
    /// JSON, as `nft -j list` prints it.
    #[arg(short = 'j', long = "json")]
    json: bool,
    /// Every expression in the `nft --debug=netlink` form.
    #[arg(long = "raw", conflicts_with = "json")]
    raw: bool,
}

fn family(s: &str) -> anyhow::Result<u8> {
    match s {
        "ip" => Ok(2),
        "ip6" => Ok(10),
        "inet" => Ok(1),
        "arp" => Ok(3),
        "bridge" => Ok(7),
        "netdev" => Ok(5),
        _ => Err(nftwire::Error::Input(format!("unknown family '{s}'")).into()),
    }
}

fn selection(what: &[String]) -> anyhow::Result<Selection> {
    let w: Vec<&str> = what.iter().map(String::as_str).collect();
    let bad = || -> anyhow::Error {
        nftwire::Error::Input(format!("cannot list '{}'", what.join(" "))).into()
    };
    Ok(match w.as_slice() {
        [] | ["ruleset"] => Selection::Ruleset(None),
        ["ruleset", f] => Selection::Ruleset(Some(family(f)?)),
        ["table", n] => Selection::Table(2, n.to_string()),
        ["table", f, n] => Selection::Table(family(f)?, n.to_string()),
        ["chain", t, c] => Selection::Chain(2, t.to_string(), c.to_string()),
        ["chain", f, t, c] => Selection::Chain(family(f)?, t.to_string(), c.to_string()),
        ["set" | "map", t, s] => Selection::Set(2, t.to_string(), s.to_string()),
        ["set" | "map", f, t, s] => Selection::Set(family(f)?, t.to_string(), s.to_string()),
        _ => return Err(bad()),
    })
}

/// Keep only what a selection names (for the raw form).
fn restrict(rs: &mut Ruleset, sel: &Selection) {
    let (fam, table, chain, set): (Option<u8>, Option<&str>, Option<&str>, Option<&str>) = match sel
    {
        Selection::Ruleset(f) => (*f, None, None, None),
        Selection::Table(f, t) => (Some(*f), Some(t), None, None),
        Selection::Chain(f, t, c) => (Some(*f), Some(t), Some(c), None),
        Selection::Set(f, t, s) => (Some(*f), Some(t), None, Some(s)),
    };
    let keep = |f: u8, t: &str| {
        fam.map(|x| x == f).unwrap_or(true) && table.map(|x| x == t).unwrap_or(true)
    };
    rs.tables.retain(|t| keep(t.family, t.name()));
    rs.sets.retain(|s| {
        keep(s.set.family, s.set.table()) && set.map(|n| n == s.set.name()).unwrap_or(true)
    });
    rs.rules.retain(|r| {
        keep(r.family, r.table()) && chain.map(|c| c == r.chain()).unwrap_or(true) && set.is_none()
    });
    rs.chains.retain(|c| keep(c.family, c.table()));
}

/// Run the subcommand; returns the exit code.
pub fn run(a: Args) -> anyhow::Result<i32> {
    let sel = selection(&a.what)?;
    let mut oc = Octx {
        handle: a.handle,
        stateless: a.stateless,
        terse: a.terse,
        numeric_prio: a.numeric_prio,
        numeric_proto: a.numeric_proto,
        numeric_time: a.numeric_time,
        ..Default::default()
    };
    if a.numeric {
        oc = oc.numeric();
    }
    let stdout = std::io::stdout();
    let mut w = std::io::BufWriter::with_capacity(1 << 16, stdout.lock());
    if a.raw {
        let (fam, table) = match &sel {
            Selection::Ruleset(f) => (f.unwrap_or(0), None),
            Selection::Table(f, t) | Selection::Chain(f, t, _) | Selection::Set(f, t, _) => {
                (*f, Some(t.as_str()))
            }
        };
        let mut conn = Conn::open().context("opening the netlink socket")?;
        let mut rs = Ruleset::read_filtered(&mut conn, fam, table)?;
        restrict(&mut rs, &sel);
        w.write_all(nftwire::render::raw::render_raw(&rs).as_bytes())?;
        w.flush()?;
        return Ok(0);
    }
    let fmt = if a.json { Format::Json } else { Format::Text };
    let out = live::list(&sel, &oc, fmt)?;
    if !out.warnings.is_empty() {
        let _ = std::io::stderr().write_all(out.warnings.as_bytes());
    }
    w.write_all(out.text.as_bytes())?;
    w.flush()?;
    Ok(0)
}
