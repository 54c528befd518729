//! Listing straight from the kernel. The rule dump (by far the largest)
//! is read on a second thread while this one dumps the other objects and
//! decodes and prints rules as they arrive, so the kernel's dump work and
//! nftwire's decoding overlap. Everything is rendered into one `String`
//! that is only returned when the ruleset generation did not change
//! meanwhile (else the listing is redone), so the output is a consistent
//! snapshot.

use super::model::{is_binding, TableM};
use super::wire_rule::RuleView;
use super::{text, Octx, Output, Selection};
use crate::consts::msg;
use crate::error::{Error, Result};
use crate::netlink::message::RawNlMsg;
use crate::netlink::Conn;
use crate::object::{parse_msgs as parse, selector as filter_body};
use crate::object::{Chain, Flowtable, Object, Rule, Set, Table};
use crate::render::json::{self, value::Json};
use crate::ruleset::{Ruleset, SetWithElems};
use std::sync::mpsc;

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

enum Chunk {
    Msgs(Vec<RawNlMsg>),
    Done { intr: bool },
    Failed(Error),
}

/// List `sel` from the kernel of the calling thread's network namespace.
pub fn list(sel: &Selection, oc: &Octx, fmt: Format) -> Result<Output> {
    let mut conn = Conn::open()?;
    for _ in 0..RETRIES {
        let gen0 = conn.generation()?;
        match attempt(&mut conn, sel, oc, fmt) {
            Ok(Some(out)) => {
                if conn.generation()? == gen0 {
                    return Ok(out);
                }
            }
            Ok(None) | Err(Error::GenerationChanged) => {}
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

/// Start the rule dump on its own socket and thread. Rules are dumped one
/// chain at a time (the chain list is dumped first on the same socket): the
/// kernel resumes an unfiltered dump by walking from the start again, so one
/// big dump is quadratic in the ruleset size while per-chain dumps are
/// linear. Chains come in table/chain order, the order of an unfiltered
/// dump, so the stream is the same.
fn start_rules(
    family: u8,
    table: Option<&str>,
    chain: Option<&str>,
) -> Result<(mpsc::Receiver<Chunk>, std::thread::JoinHandle<()>)> {
    // Opened here, in the caller's network namespace.
    let conn = Conn::open()?;
    let table = table.map(str::to_owned);
    let chain = chain.map(str::to_owned);
    let (tx, rx) = mpsc::sync_channel::<Chunk>(64);
    let h = std::thread::spawn(move || {
        let mut r = RuleReader {
            conn,
            intr: false,
            tx,
        };
        let outcome = match (&table, &chain) {
            (Some(t), Some(c)) => r.forward(family, &[(1, t), (2, c)]),
            _ => r.per_chain(family, table.as_deref()),
        };
        let last = match outcome {
            Ok(true) => Chunk::Done { intr: r.intr },
            Ok(false) => return,
            Err(e) => Chunk::Failed(e),
        };
        let _ = r.tx.send(last);
    });
    Ok((rx, h))
}

/// The rule-dumping side of a listing (runs on its own thread).
struct RuleReader {
    conn: Conn,
    intr: bool,
    tx: mpsc::SyncSender<Chunk>,
}

impl RuleReader {
    /// Dump the chains, then each chain's rules in turn.
    fn per_chain(&mut self, family: u8, table: Option<&str>) -> Result<bool> {
        let tattr: Vec<(u16, &str)> = table.map(|t| vec![(1u16, t)]).unwrap_or_default();
        let chains = match self.conn.dump(msg::GETCHAIN, family, filter_body(&tattr)) {
            Ok(c) => c,
            Err(Error::GenerationChanged) => {
                self.intr = true;
                return Ok(true);
            }
            Err(e) => return Err(e),
        };
        for nf in chains {
            if nf.msg() != msg::NEWCHAIN {
                continue;
            }
            let Some(c) = Chain::from_msg(&nf) else {
                return Err(Error::Protocol("malformed NEWCHAIN message".into()));
            };
            let (t, n) = (c.table().to_owned(), c.name().to_owned());
            if !self.forward(c.family, &[(1, &t), (2, &n)])? {
                return Ok(false);
            }
        }
        Ok(true)
    }

    /// Dump one chain's rules, forwarding each datagram to the printer.
    /// Ok(false) when the printer has gone away. A dump interrupted by a
    /// concurrent change, or a chain that vanished meanwhile, only marks
    /// the listing for a retry (the caller also checks the generation).
    fn forward(&mut self, family: u8, attrs: &[(u16, &str)]) -> Result<bool> {
        let tx = &self.tx;
        let body = bytes::Bytes::from(filter_body(attrs));
        match self
            .conn
            .dump_stream(msg::GETRULE, family, body, &mut |msgs| {
                tx.send(Chunk::Msgs(msgs)).is_ok()
            }) {
            Ok(alive) => Ok(alive),
            Err(Error::GenerationChanged) | Err(Error::Kernel { errno: 2, .. }) => {
                self.intr = true;
                Ok(true)
            }
            Err(e) => Err(e),
        }
    }
}

/// Streaming printer state.
struct Stream<'a, 'm> {
    tables: &'m mut [TableM<'a>],
    oc: Octx,
    fmt: Format,
    out: String,
    warnings: String,
    /// Current table (started), if any.
    ti: Option<usize>,
    /// Next chain index to open in the current table.
    ci: usize,
    /// A chain is open.
    open: bool,
    delim: &'static str,
    /// Only one chain is listed (no table wrapping but the header).
    chain_only: bool,
}

impl<'a, 'm> Stream<'a, 'm> {
    fn json_item(&mut self, j: &Json) {
        self.out.push_str(", ");
        j.write(&mut self.out);
    }

    fn start_table(&mut self, i: usize) {
        self.ti = Some(i);
        self.ci = 0;
        self.open = false;
        let t = &self.tables[i];
        match self.fmt {
            Format::Text => {
                self.delim = text::table_open(&mut self.out, t, &self.oc);
            }
            Format::Json => {
                let mut items = Vec::new();
                json::table_items(t, &self.oc, &mut items);
                for j in &items {
                    self.json_item(j);
                }
            }
        }
    }

    fn close_chain(&mut self) {
        if self.open && self.fmt == Format::Text {
            self.out.push_str("\t}\n");
        }
        self.open = false;
    }

    fn open_chain(&mut self, ci: usize) {
        let Some(ti) = self.ti else { return };
        if self.fmt == Format::Text {
            self.out.push_str(self.delim);
            text::chain_decl(&mut self.out, &self.tables[ti].chains[ci], &self.oc);
            self.delim = "\n";
        }
        self.open = true;
        self.ci = ci + 1;
    }

    /// Print the remaining chains of the current table and close it.
    fn finish_table(&mut self) {
        let Some(ti) = self.ti else { return };
        self.close_chain();
        let n = self.tables[ti].chains.len();
        while self.ci < n {
            let c = self.ci;
            self.open_chain(c);
            self.close_chain();
        }
        if self.fmt == Format::Text {
            self.out.push_str("}\n");
        }
        if let Some(w) = text::xt_warning(&self.tables[ti]) {
            self.warnings.push_str(&w);
        }
        self.ti = None;
    }

    fn rule(&mut self, r: &RuleView<'_>) {
        let Some(ti) = self
            .tables
            .iter()
            .position(|t| t.table.family == r.family && t.table.name() == r.table)
        else {
            return;
        };
        if self.chain_only {
            if self.ti.is_none() {
                self.ti = Some(ti);
            }
        } else if self.ti != Some(ti) {
            if let Some(cur) = self.ti {
                if ti < cur {
                    return;
                }
                self.finish_table();
                for j in cur + 1..ti {
                    self.start_table(j);
                    self.finish_table();
                }
            } else {
                for j in 0..ti {
                    self.start_table(j);
                    self.finish_table();
                }
            }
            self.start_table(ti);
        }
        let chains = &self.tables[ti].chains;
        let open_idx = if self.open {
            self.ci.checked_sub(1)
        } else {
            None
        };
        let ci = match open_idx {
            Some(i) if chains.get(i).map(|c| c.chain.name()) == Some(&*r.chain) => i,
            _ => {
                let Some(ci) = chains
                    .iter()
                    .enumerate()
                    .skip(self.ci)
                    .find(|(_, c)| c.chain.name() == r.chain)
                    .map(|(i, _)| i)
                else {
                    return;
                };
                self.close_chain();
                if !self.chain_only {
                    while self.ci < ci {
                        let c = self.ci;
                        self.open_chain(c);
                        self.close_chain();
                    }
                }
                self.open_chain(ci);
                ci
            }
        };
        let t = &mut self.tables[ti];
        let (rm, xt) = r.decode(&t.sets);
        t.has_xt |= xt;
        match self.fmt {
            Format::Text => text::rule_line(&mut self.out, &rm, &self.oc),
            Format::Json => {
                let j = json::rule_json(&t.chains[ci], &rm, &self.oc);
                self.out.push_str(", ");
                j.write(&mut self.out);
            }
        }
    }
}

fn attempt(conn: &mut Conn, sel: &Selection, oc: &Octx, fmt: Format) -> Result<Option<Output>> {
    let (family, table, chain) = match sel {
        Selection::Ruleset(f) => (f.unwrap_or(0), None, None),
        Selection::Table(f, t) => (*f, Some(t.as_str()), None),
        Selection::Chain(f, t, c) => (*f, Some(t.as_str()), Some(c.as_str())),
        Selection::Set(f, t, _) => (*f, Some(t.as_str()), None),
    };
    let wants_rules = !matches!(sel, Selection::Set(..));
    let reader = if wants_rules {
        Some(start_rules(family, table, chain)?)
    } else {
        None
    };
    let meta = read_meta(conn, family, table);
    let Some((rx, handle)) = reader else {
        let meta = meta?;
        return finish_batch(meta, Vec::new(), sel, oc, fmt).map(Some);
    };
    let meta = match meta {
        Ok(m) => m,
        Err(e) => {
            drop(rx);
            let _ = handle.join();
            return Err(e);
        }
    };
    let streamable = !meta.chains.iter().any(is_binding);
    let result = if streamable {
        stream(&meta, rx, sel, oc, fmt)
    } else {
        let mut rules = Vec::new();
        let mut intr = false;
        let mut failed = None;
        for c in rx.iter() {
            match c {
                Chunk::Msgs(v) => {
                    for m in v {
                        if let Some(nf) = m.to_nf() {
                            if nf.msg() == msg::NEWRULE {
                                match Rule::from_msg(&nf) {
                                    Some(r) => rules.push(r),
                                    None => {
                                        failed = Some(Error::Protocol(
                                            "malformed NEWRULE message".into(),
                                        ))
                                    }
                                }
                            }
                        }
                    }
                }
                Chunk::Done { intr: i } => intr = i,
                Chunk::Failed(e) => failed = Some(e),
            }
        }
        match (failed, intr) {
            (Some(e), _) => Err(e),
            (None, true) => Ok(None),
            (None, false) => finish_batch(meta, rules, sel, oc, fmt).map(Some),
        }
    };
    let _ = handle.join();
    result
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

fn stream(
    meta: &Meta,
    rx: mpsc::Receiver<Chunk>,
    sel: &Selection,
    oc: &Octx,
    fmt: Format,
) -> Result<Option<Output>> {
    let keep = |t: &Table| match sel {
        Selection::Ruleset(f) => f.map(|x| x == t.family).unwrap_or(true),
        Selection::Table(f, n) | Selection::Chain(f, n, _) | Selection::Set(f, n, _) => {
            t.family == *f && t.name() == n
        }
    };
    let mut tables: Vec<TableM<'_>> = meta
        .tables
        .iter()
        .filter(|t| keep(t))
        .map(|t| TableM::new(t, &meta.chains, &meta.sets, &meta.objects, &meta.flowtables))
        .collect();
    let chain_only = matches!(sel, Selection::Chain(..));
    if let Selection::Table(f, n) = sel {
        if tables.is_empty() {
            drain(rx);
            return Err(Error::Input(format!(
                "No such table: {} {}",
                text::family_name(*f),
                n
            )));
        }
    }
    let mut s = Stream {
        tables: &mut tables,
        oc: *oc,
        fmt,
        out: String::with_capacity(1 << 20),
        warnings: String::new(),
        ti: None,
        ci: 0,
        open: false,
        delim: "",
        chain_only,
    };
    if fmt == Format::Json {
        s.out.push_str("{\"nftables\": [");
        json::metainfo_json().write(&mut s.out);
    }
    if let Selection::Chain(f, tname, cname) = sel {
        let Some(ti) = s.tables.first().map(|_| 0usize) else {
            drain(rx);
            return Err(Error::Input(format!(
                "No such table: {} {}",
                text::family_name(*f),
                tname
            )));
        };
        let Some(ci) = s.tables[ti]
            .chains
            .iter()
            .position(|c| c.chain.name() == cname)
        else {
            drain(rx);
            return Err(Error::Input(format!("No such chain: {cname}")));
        };
        s.ti = Some(ti);
        s.ci = ci;
        match fmt {
            Format::Text => {
                s.out
                    .push_str(&format!("table {} {} {{\n", text::family_name(*f), tname));
            }
            Format::Json => {
                let j = json::chain_item(&s.tables[ti].chains[ci]);
                s.json_item(&j);
            }
        }
        s.delim = "";
        s.open_chain(ci);
    }
    let mut intr = false;
    for c in rx.iter() {
        match c {
            Chunk::Msgs(v) => {
                for m in v {
                    let Some(nf) = m.to_nf() else { continue };
                    if nf.msg() != msg::NEWRULE {
                        continue;
                    }
                    let r = RuleView::parse(&nf);
                    if chain_only && r.chain != chain_name(sel) {
                        continue;
                    }
                    s.rule(&r);
                }
            }
            Chunk::Done { intr: i } => intr = i,
            Chunk::Failed(e) => return Err(e),
        }
    }
    if intr {
        return Ok(None);
    }
    if chain_only {
        s.close_chain();
        if fmt == Format::Text {
            s.out.push_str("}\n");
        }
        if let Some(ti) = s.ti {
            if let Some(w) = text::xt_warning(&s.tables[ti]) {
                s.warnings.push_str(&w);
            }
        }
    } else {
        let n = s.tables.len();
        let from = match s.ti {
            Some(cur) => {
                s.finish_table();
                cur + 1
            }
            None => 0,
        };
        for j in from..n {
            s.start_table(j);
            s.finish_table();
        }
    }
    if fmt == Format::Json {
        s.out.push_str("]}\n");
    }
    Ok(Some(Output {
        text: s.out,
        warnings: s.warnings,
    }))
}

fn chain_name(sel: &Selection) -> &str {
    match sel {
        Selection::Chain(_, _, c) => c,
        _ => "",
    }
}

fn drain(rx: mpsc::Receiver<Chunk>) {
    for _ in rx.iter() {}
}
