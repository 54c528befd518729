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

/// The longest name nf_tables takes (`NFT_NAME_MAXLEN` less its NUL).
const NAME_MAX: usize = 255;

fn selection(what: &[String]) -> anyhow::Result<Selection> {
    let w: Vec<&str> = what.iter().map(String::as_str).collect();
    let bad = || -> anyhow::Error {
        nftwire::Error::Input(format!("cannot list '{}'", super::clip(&what.join(" ")))).into()
    };
    let is_family = |f: &str| family(f).is_ok();
    let usage = |what: &str, form: &str| -> anyhow::Error {
        nftwire::Error::Input(format!(
            "list {what}: {} names no {what} (usage: nftwire list {what} {form})",
            super::clip(&what_given(what, &w))
        ))
        .into()
    };
    if let Some(long) = w.iter().skip(1).find(|n| n.len() > NAME_MAX) {
        return Err(nftwire::Error::Input(format!(
            "cannot list '{}': a name of {} bytes is longer than the {NAME_MAX} bytes nf_tables allows",
            super::clip(&w.join(" ")),
            long.len()
        ))
        .into());
    }
    Ok(match w.as_slice() {
        // `list table ip`, `list chain ip filter`: the family, and no name.
        ["table", f] if is_family(f) => return Err(usage("table", "[FAMILY] NAME")),
        ["chain", f, _] if is_family(f) => return Err(usage("chain", "[FAMILY] TABLE NAME")),
        ["set" | "map", f, _] if is_family(f) => {
            return Err(usage(w[0], "[FAMILY] TABLE NAME"));
        }
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

/// The words after the kind, as given (`ip filter`).
fn what_given(_kind: &str, w: &[&str]) -> String {
    format!("`{}`", w[1..].join(" "))
}

/// The object a selection names, when it does not exist: `table ip nosuch
/// does not exist` (or the missing table of a chain or set).
fn missing(sel: &Selection) -> nftwire::Result<Option<String>> {
    use nftwire::consts::msg;
    let (fam, table) = match sel {
        Selection::Ruleset(_) => return Ok(None),
        Selection::Table(f, t) | Selection::Chain(f, t, _) | Selection::Set(f, t, _) => (*f, t),
    };
    let fname = nftwire::object::family_name(fam);
    let mut conn = Conn::open()?;
    let get = |conn: &mut Conn, ty: u16, attrs: &[(u16, &str)]| -> nftwire::Result<bool> {
        let mut w = nftwire::nla::Writer::new();
        for (a, v) in attrs {
            w.put(*a, &v.to_string());
        }
        match conn.request(nftwire::netlink::NfMsg::nft(ty, 0, fam, w.buf)) {
            Ok(_) => Ok(true),
            Err(nftwire::Error::Kernel { errno: 2, .. }) => Ok(false),
            Err(e) => Err(e),
        }
    };
    let q = |s: &str| nftwire::save::quote_name(Some(s.as_bytes()));
    if !get(&mut conn, msg::GETTABLE, &[(1, table)])? {
        return Ok(Some(super::clip(&format!(
            "table {fname} {} does not exist",
            q(table)
        ))));
    }
    Ok(match sel {
        Selection::Chain(_, t, c) if !get(&mut conn, msg::GETCHAIN, &[(1, t), (3, c)])? => Some(
            super::clip(&format!("chain {fname} {} {} does not exist", q(t), q(c))),
        ),
        Selection::Set(_, t, n) if !get(&mut conn, msg::GETSET, &[(1, t), (2, n)])? => Some(
            super::clip(&format!("set {fname} {} {} does not exist", q(t), q(n))),
        ),
        _ => None,
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
    // What does not exist is named as such (not as the kernel's answer to
    // whichever request first missed it).
    match missing(&sel) {
        Ok(Some(m)) => {
            eprintln!("nftwire: list: {m}");
            return Ok(1);
        }
        Ok(None) => {}
        Err(e) => return Err(e.into()),
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
