//! Listing straight from the kernel. The tables, chains, sets, objects
//! and flowtables are read first; then the rules are dumped one chain at a
//! time (linear in the ruleset size, where one big dump is quadratic), in
//! parts spread over one connection and thread per CPU, and each part is
//! decoded and printed on the thread that dumped it. The parts are put
//! together in chain order. The text (or JSON) is only returned when the
//! ruleset generation did not change meanwhile (else the listing is
//! redone), so the output is a consistent snapshot.

use super::model::{is_binding, ChainM, RuleM, TableM};
use super::wire_rule::RuleView;
use super::{text, Octx, Output, Selection};
use crate::consts::msg;
use crate::error::{Error, Result};
use crate::netlink::Conn;
use crate::object::{parse_msgs as parse, selector as filter_body};
use crate::object::{Chain, Flowtable, Object, Rule, Set, Table};
use crate::render::json;
use crate::ruleset::{Ruleset, SetWithElems, CHAINS_PER_PART};

/// Output format of a live listing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// `nft list` text.
    Text,
    /// `nft -j list` JSON.
    Json,
}

/// How often a listing is redone when the ruleset changes under it.
const RETRIES: usize = 16;

/// List `sel` from the kernel of the calling thread's network namespace.
pub fn list(sel: &Selection, oc: &Octx, fmt: Format) -> Result<Output> {
    let mut conn = Conn::open()?;
    for _ in 0..RETRIES {
        let gen0 = conn.generation()?;
        match attempt(&mut conn, sel, oc, fmt) {
            Ok(out) => {
                if conn.generation()? == gen0 {
                    return Ok(out);
                }
            }
            Err(Error::GenerationChanged) => {}
            Err(e) => return Err(e),
        }
    }
    Err(Error::GenerationChanged)
}

/// The non-rule objects of the selected tables.
struct Meta {
    tables: Vec<Table>,
    chains: Vec<Chain>,
    sets: Vec<SetWithElems>,
    objects: Vec<Object>,
    flowtables: Vec<Flowtable>,
}

fn read_meta(conn: &mut Conn, family: u8, table: Option<&str>) -> Result<Meta> {
    let body = match table {
        Some(t) => filter_body(&[(1, t)]),
        None => Vec::new(),
    };
    let mut tables: Vec<Table> =
        parse(conn.dump(msg::GETTABLE, family, Vec::new())?, msg::NEWTABLE)?;
    if let Some(t) = table {
        tables.retain(|x| x.name() == t);
    }
    let chains: Vec<Chain> = parse(
        conn.dump(msg::GETCHAIN, family, body.clone())?,
        msg::NEWCHAIN,
    )?;
    let set_list: Vec<Set> = parse(conn.dump(msg::GETSET, family, body.clone())?, msg::NEWSET)?;
    let mut sets = Vec::with_capacity(set_list.len());
    for s in set_list {
        let elems = crate::object::element::dump_elements(conn, s.family, s.table(), s.name())?;
        sets.push(SetWithElems { set: s, elems });
    }
    let objects: Vec<Object> = parse(conn.dump(msg::GETOBJ, family, body.clone())?, msg::NEWOBJ)?;
    let flowtables: Vec<Flowtable> = match conn.dump(msg::GETFLOWTABLE, family, body) {
        Ok(m) => parse(m, msg::NEWFLOWTABLE)?,
        Err(Error::Kernel { errno, .. }) if errno == 95 || errno == 2 => Vec::new(),
        Err(e) => return Err(e),
    };
    Ok(Meta {
        tables,
        chains,
        sets,
        objects,
        flowtables,
    })
}

/// An ENOENT answer to a chain's rule dump means the chain went away after
/// the chains were read: the ruleset changed, so the listing is redone.
/// (Linux 6.18 answers such a dump with no rules instead, and the
/// generation check around the listing catches it; see the test
/// `reads_retry_when_chains_vanish_under_them`.)
fn vanished(e: Error) -> Error {
    match e {
        Error::Kernel { errno: 2, .. } => Error::GenerationChanged,
        e => e,
    }
}

/// One read and rendering of `sel`; [`list`] checks the generation around
/// it. `GenerationChanged` when a dump saw the ruleset change.
fn attempt(conn: &mut Conn, sel: &Selection, oc: &Octx, fmt: Format) -> Result<Output> {
    let (family, table) = match sel {
        Selection::Ruleset(f) => (f.unwrap_or(0), None),
        Selection::Table(f, t) | Selection::Chain(f, t, _) | Selection::Set(f, t, _) => {
            (*f, Some(t.as_str()))
        }
    };
    // One chain: its rules are dumped on a second connection while the
    // rest is read here.
    let (meta, chain_msgs) = match sel {
        Selection::Chain(f, t, c) => {
            let mut rc = Conn::open()?;
            let (meta, msgs) = std::thread::scope(|s| {
                let h = std::thread::Builder::new()
                    .spawn_scoped(s, || crate::ruleset::dump_rules_named(&mut rc, *f, t, c));
                let meta = read_meta(conn, family, table);
                let msgs = match h {
                    Ok(h) => h.join().unwrap_or_else(|_| {
                        Err(Error::Protocol("the rule dump thread panicked".into()))
                    }),
                    // No thread could be started: dump here, after.
                    Err(_) => crate::ruleset::dump_rules_named(conn, *f, t, c),
                };
                (meta, msgs)
            });
            (meta?, Some(msgs))
        }
        _ => (read_meta(conn, family, table)?, None),
    };
    if matches!(sel, Selection::Set(..)) {
        return finish_batch(meta, Vec::new(), sel, oc, fmt);
    }
    let keep = |t: &Table| match sel {
        Selection::Ruleset(f) => f.map(|x| x == t.family).unwrap_or(true),
        Selection::Table(f, n) | Selection::Chain(f, n, _) | Selection::Set(f, n, _) => {
            t.family == *f && t.name() == n
        }
    };
    let kept = |c: &Chain| {
        meta.tables
            .iter()
            .any(|t| t.family == c.family && t.name() == c.table() && keep(t))
    };
    if meta.chains.iter().any(|c| is_binding(c) && kept(c)) {
        // Bound chains are printed inside the rules that jump to them, so
        // every rule of the listed tables is read before anything is
        // rendered.
        let chains: Vec<&Chain> = meta.chains.iter().filter(|c| kept(c)).collect();
        let rules = crate::ruleset::rules_of(conn, &chains).map_err(vanished)?;
        return finish_batch(meta, rules, sel, oc, fmt);
    }
    let mut tables: Vec<TableM<'_>> = meta
        .tables
        .iter()
        .filter(|t| keep(t))
        .map(|t| TableM::new(t, &meta.chains, &meta.sets, &meta.objects, &meta.flowtables))
        .collect();
    if tables.is_empty() {
        if let Selection::Table(f, n) | Selection::Chain(f, n, _) = sel {
            return Err(Error::Input(format!(
                "No such table: {} {}",
                text::family_name(*f),
                n
            )));
        }
    }
    let mut out = Listing::new(fmt);
    let xt = match (sel, chain_msgs) {
        (Selection::Chain(f, _, c), Some(msgs)) => {
            one_chain(&mut out, &tables[0], *f, c, msgs, oc)?
        }
        _ => all_chains(conn, &mut out, &tables, oc)?,
    };
    for (t, x) in tables.iter_mut().zip(xt) {
        t.has_xt = x;
        if let Some(w) = text::xt_warning(t) {
            out.warnings.push_str(&w);
        }
    }
    Ok(out.finish())
}

/// The text (or JSON) being built, and the warnings printed after it.
struct Listing {
    fmt: Format,
    text: String,
    warnings: String,
}

impl Listing {
    fn new(fmt: Format) -> Listing {
        let mut text = String::with_capacity(1 << 20);
        if fmt == Format::Json {
            text.push_str("{\"nftables\": [");
            json::metainfo_json().write(&mut text);
        }
        Listing {
            fmt,
            text,
            warnings: String::new(),
        }
    }

    fn finish(mut self) -> Output {
        if self.fmt == Format::Json {
            self.text.push_str("]}\n");
        }
        Output {
            text: self.text,
            warnings: self.warnings,
        }
    }
}

/// Append one decoded rule in the listing's format.
fn write_rule(out: &mut String, fmt: Format, ch: &ChainM<'_>, rm: &RuleM, oc: &Octx) {
    match fmt {
        Format::Text => text::rule_line(out, rm, oc),
        Format::Json => {
            out.push_str(", ");
            json::rule_json(ch, rm, oc).write(out);
        }
    }
}

/// Decode and append the dumped rules of `ch` (of table `t`); whether any
/// has an xt expression.
fn write_rules(
    out: &mut String,
    fmt: Format,
    t: &TableM<'_>,
    ch: &ChainM<'_>,
    msgs: &[crate::netlink::NfMsg],
    oc: &Octx,
) -> bool {
    let mut xt = false;
    for m in msgs {
        let (rm, x) = RuleView::parse(m).decode(&t.sets);
        xt |= x;
        write_rule(out, fmt, ch, &rm, oc);
    }
    xt
}

/// What one part of the chains produced: its text, split where a new
/// table starts, and the tables with xt rules.
#[derive(Default)]
struct ChainsPart {
    /// (table index, text) in order.
    pieces: Vec<(usize, String)>,
    /// Tables (by index) with a rule that has an xt expression.
    xt: Vec<usize>,
}

/// List every chain of `tables` with its rules. Chains are dumped in
/// parts, each dumped, decoded and rendered on one worker thread with its
/// own connection (`ordered_chunks`), so the kernel's and nftwire's work
/// both use every CPU; the parts are stitched together in chain order with
/// each table's head and end around its chains. Returns, per table,
/// whether it has xt rules.
fn all_chains(
    conn: &mut Conn,
    out: &mut Listing,
    tables: &[TableM<'_>],
    oc: &Octx,
) -> Result<Vec<bool>> {
    let fmt = out.fmt;
    // Each table's head (table line, objects, sets, flowtables), and what
    // goes before its first chain.
    let heads: Vec<(String, &'static str)> = tables
        .iter()
        .map(|t| {
            let mut h = String::new();
            let delim = match fmt {
                Format::Text => text::table_open(&mut h, t, oc),
                Format::Json => {
                    let mut items = Vec::new();
                    json::table_items(t, oc, &mut items);
                    for j in &items {
                        h.push_str(", ");
                        j.write(&mut h);
                    }
                    ""
                }
            };
            (h, delim)
        })
        .collect();
    let items: Vec<(usize, usize)> = tables
        .iter()
        .enumerate()
        .flat_map(|(ti, t)| (0..t.chains.len()).map(move |ci| (ti, ci)))
        .collect();
    let mut xt = vec![false; tables.len()];
    // Tables whose head has been written; the last of them is open.
    let mut opened = 0usize;
    let close = |o: &mut String| {
        if fmt == Format::Text {
            o.push_str("}\n");
        }
    };
    crate::netlink::parallel::ordered_chunks(
        conn,
        items.len(),
        CHAINS_PER_PART,
        |conn, range| {
            let mut part = ChainsPart::default();
            for &(ti, ci) in &items[range] {
                let (t, ch) = (&tables[ti], &tables[ti].chains[ci]);
                if part.pieces.last().map(|p| p.0) != Some(ti) {
                    part.pieces.push((ti, String::with_capacity(64 << 10)));
                }
                let Some((_, o)) = part.pieces.last_mut() else {
                    continue;
                };
                if fmt == Format::Text {
                    o.push_str(if ci == 0 { heads[ti].1 } else { "\n" });
                    text::chain_decl(o, ch, oc);
                }
                let msgs = crate::ruleset::dump_chain_rules(conn, ch.chain).map_err(vanished)?;
                if write_rules(o, fmt, t, ch, &msgs, oc) && !part.xt.contains(&ti) {
                    part.xt.push(ti);
                }
                if fmt == Format::Text {
                    o.push_str("\t}\n");
                }
            }
            Ok(part)
        },
        |part| {
            for (ti, text) in part.pieces {
                while opened <= ti {
                    if opened > 0 {
                        close(&mut out.text);
                    }
                    out.text.push_str(&heads[opened].0);
                    opened += 1;
                }
                out.text.push_str(&text);
            }
            for ti in part.xt {
                xt[ti] = true;
            }
            Ok(())
        },
    )?;
    // The tables after the last one with chains.
    while opened < tables.len() {
        if opened > 0 {
            close(&mut out.text);
        }
        out.text.push_str(&heads[opened].0);
        opened += 1;
    }
    if opened > 0 {
        close(&mut out.text);
    }
    Ok(xt)
}

/// Rules per part when one chain's rules are decoded on several threads.
const RULES_PER_PART: usize = 512;

/// List one chain of `t` with its dumped rules (`msgs`, the result of its
/// dump), decoded and rendered in parts on one thread per CPU. Returns
/// whether the table has xt rules (as a one-table list).
fn one_chain(
    out: &mut Listing,
    t: &TableM<'_>,
    family: u8,
    cname: &str,
    msgs: Result<Vec<crate::netlink::NfMsg>>,
    oc: &Octx,
) -> Result<Vec<bool>> {
    let Some(ch) = t.chains.iter().find(|c| c.chain.name() == cname) else {
        return Err(Error::Input(format!("No such chain: {cname}")));
    };
    // The chain was there when the chains were read: a failed dump of it
    // means it changed meanwhile.
    let msgs = msgs.map_err(vanished)?;
    let fmt = out.fmt;
    match fmt {
        Format::Text => {
            out.text.push_str(&format!(
                "table {} {} {{\n",
                text::family_name(family),
                t.table.name()
            ));
            text::chain_decl(&mut out.text, ch, oc);
        }
        Format::Json => {
            out.text.push_str(", ");
            json::chain_item(ch).write(&mut out.text);
        }
    }
    let mut xt = false;
    crate::netlink::parallel::ordered_map(
        msgs.len(),
        RULES_PER_PART,
        |range| {
            let mut o = String::with_capacity(64 << 10);
            let x = write_rules(&mut o, fmt, t, ch, &msgs[range], oc);
            Ok((o, x))
        },
        |(o, x)| {
            out.text.push_str(&o);
            xt |= x;
            Ok(())
        },
    )?;
    if fmt == Format::Text {
        out.text.push_str("\t}\n}\n");
    }
    Ok(vec![xt])
}

/// Render from a complete ruleset (binding chains, single sets).
fn finish_batch(
    meta: Meta,
    rules: Vec<Rule>,
    sel: &Selection,
    oc: &Octx,
    fmt: Format,
) -> Result<Output> {
    let rs = Ruleset {
        generation: 0,
        tables: meta.tables,
        chains: meta.chains,
        sets: meta.sets,
        objects: meta.objects,
        flowtables: meta.flowtables,
        rules,
    };
    match fmt {
        Format::Text => super::render(&rs, sel, oc).map_err(|e| Error::Input(e.0)),
        Format::Json => json::render(&rs, sel, oc)
            .map(|text| Output {
                text,
                warnings: String::new(),
            })
            .map_err(|e| Error::Input(e.0)),
    }
}
