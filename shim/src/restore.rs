//! `iptables-restore` / `ip6tables-restore`: input read line by line, one
//! atomic batch per table, committed when its `COMMIT` line arrives
//! (`--test` only parses). Without `--noflush` a table holding only what
//! iptables wrote is deleted and created again, as iptables-nft 1.8.11
//! does; otherwise the iptables rules and user chains of the table are
//! replaced, while rules iptables cannot express stay, together with the chains that hold or are referenced by
//! them and foreign base chains. A kept foreign rule keeps its place
//! relative to the iptables rules: if k iptables rules preceded it before
//! the restore, it follows the k-th restored rule of its chain (or ends the
//! chain when fewer are restored), so `iptables-save | iptables-restore`
//! leaves every chain exactly as it was. With `--noflush` the declared
//! chains are reconciled with the kernel's rules instead of flushed and
//! refilled ([`crate::noflush`]; `NFTWIRE_RESTORE=rebuild` turns that off).

use crate::exec;
use crate::getopt::{Getopt, Got, HasArg, LongOpt, Val};
use crate::model::{MResult, Model};
use crate::noflush;
use crate::parse::{assert_valid_chain_name, parse, Parsed};
use crate::prefetch::{Prefetch, Prefetched};
use crate::run::{connect, fail, transact_from};
use nftwire::iptables::error::Style;
use nftwire::iptables::rule::Verdict;
use nftwire::iptables::{tables, ExitCode, Family, IptError};
use nftwire::netlink::Conn;
use nftwire::nla::Writer;
use std::collections::{BTreeMap, BTreeSet};
use std::io::BufRead;

enum Item {
    Chain {
        name: String,
        policy: String,
        counters: Option<(u64, u64)>,
    },
    /// A command.
    Cmd(Box<Parsed>),
    /// An `-A` line of a partial `--noflush` sync, kept as its text and its
    /// rule's comparison key only ([`crate::noflush`] compares the key; the
    /// line is read again only when its rule has to be sent).
    Keyed(Box<KeyedLine>),
}

/// An `-A CHAIN` line of one rule that [`crate::fastline`] reads, with its
/// rule's comparison key ([`crate::rulekey`]).
pub struct KeyedLine {
    /// The chain it appends to.
    pub chain: String,
    /// The key of its rule.
    pub key: Vec<u8>,
    family: Family,
    table: &'static str,
    /// The line after its counters.
    rest: String,
    /// Its `[p:b]`, when `--counters` applies.
    ctr: Option<(String, String)>,
}

impl KeyedLine {
    /// The line read again: the same [`Parsed`] as the first time (the
    /// reader is deterministic, and an extension's revision, once chosen,
    /// stays chosen).
    pub fn parsed(&self) -> Option<Parsed> {
        let ctr = self.ctr.as_ref().map(|(a, b)| (a.as_str(), b.as_str()));
        crate::fastline::parse_append(self.family, self.table, &self.rest, ctr)
    }

    /// A keyed line for `l`, if the fast reader reads it as one appended
    /// rule that encodes (`p` is its reading).
    fn new(family: Family, o: &Opts, l: &Pending, p: &Parsed, w: &mut Writer) -> Option<Self> {
        let ([r], Some(chain)) = (p.rules.as_slice(), &p.chain) else {
            return None;
        };
        if p.command != crate::parse::cmd::APPEND {
            return None;
        }
        let mut key = Vec::new();
        crate::model::encoded_key(l.table, r, w, &mut key).ok()?;
        Some(KeyedLine {
            chain: chain.clone(),
            key,
            family,
            table: l.table,
            rest: l.rest.clone(),
            ctr: l.ctr.clone().filter(|_| o.counters),
        })
    }
}

struct Opts {
    counters: bool,
    /// `-v` count.
    verbose: u32,
    noflush: bool,
    test: bool,
    table: Option<String>,
}

/// `[p:b]`.
pub fn parse_counters(s: &str) -> Option<(u64, u64)> {
    // sscanf("[%llu:%llu]") == 2: the closing bracket is never checked;
    // each number may have white space and a sign before it.
    let rest = s.strip_prefix('[')?;
    let (a, n, _) = nftwire::iptables::num::strtoumax(rest, 10);
    let rest = rest[n..].strip_prefix(':').filter(|_| n > 0)?;
    let (b, m, _) = nftwire::iptables::num::strtoumax(rest, 10);
    (m > 0).then_some((a, b))
}

/// iptables' argument vector limit (`MAX_ARGC`): a line's words together
/// with the ones restore puts first must number fewer than this.
pub(crate) const MAX_ARGC: usize = 255;

/// How much of a line iptables' restore reads at once: it reads its input
/// with `fgets` into a 10,240-byte buffer, so a longer line arrives in
/// pieces of 10,239 bytes, each parsed and counted as a line of its own.
pub const LINE_PIECE: u64 = 10_239;

/// Read the next line, or the next [`LINE_PIECE`] bytes of a longer one, into
/// `buf` (cleared first) as iptables' restore reads it; `Ok(0)` at the end.
/// Memory stays bounded by one piece whatever the input (a 100 MB line
/// without a newline included).
pub fn read_piece<R: BufRead + ?Sized>(input: &mut R, buf: &mut Vec<u8>) -> std::io::Result<usize> {
    buf.clear();
    std::io::Read::take(&mut *input, LINE_PIECE).read_until(b'\n', buf)
}

/// iptables' word buffer: a word of this many bytes or more is refused.
pub(crate) const MAX_PARAM: usize = 1024;

/// `add_param_to_argv`: split a line into words, appending to `argv`.
/// Double quotes group (a closing quote ends the word, so `""` is an empty
/// word and `"a"b` two words), backslash escapes inside them; a word of
/// 1024 bytes or more and more than 254 words in all are parameter errors,
/// as in iptables.
pub fn split_words(line: &str, argv: &mut Vec<String>) -> Result<(), IptError> {
    let words = split_quoted(line, argv.len())?;
    argv.extend(words.into_iter().map(|(w, _)| w));
    Ok(())
}

/// [`split_words`] returning each word with whether it was quoted, for a
/// vector already holding `before` words.
///
/// Works on bytes: every byte that matters (quote, backslash, blank,
/// newline) is ASCII, so a multi-byte character is never split and the
/// words are the ones a character-by-character reading gives; runs of
/// ordinary bytes are copied at once.
pub fn split_quoted(line: &str, before: usize) -> Result<Vec<(String, bool)>, IptError> {
    let b = line.as_bytes();
    let mut out: Vec<(String, bool)> = Vec::new();
    let mut cur: Vec<u8> = Vec::new();
    let mut quote = false;
    let mut quoted = false;
    let mut i = 0usize;
    let too_long = || IptError::param("Parameter too long!");
    // Copy the run of ordinary bytes at `i` (up to the next one `stop`
    // takes) into the word; its length.
    let run = |cur: &mut Vec<u8>, i: usize, stop: &dyn Fn(u8) -> bool| {
        let n = b[i..].iter().position(|&x| stop(x)).unwrap_or(b.len() - i);
        cur.extend_from_slice(&b[i..i + n]);
        if cur.len() >= MAX_PARAM {
            return Err(too_long());
        }
        Ok(n)
    };
    let push = |out: &mut Vec<(String, bool)>, w: &mut Vec<u8>, q: bool| {
        if before + out.len() + 1 >= MAX_ARGC {
            return Err(IptError::param("Parser cannot handle more arguments"));
        }
        // Cut at ASCII bytes only, so still UTF-8.
        out.push((String::from_utf8_lossy(w).into_owned(), q));
        w.clear();
        Ok(())
    };
    while i < b.len() {
        let c = b[i];
        if quote {
            match c {
                b'\\' => {
                    // the next byte, whatever it is (none at the end)
                    if let Some(&n) = b.get(i + 1) {
                        cur.push(n);
                        if cur.len() >= MAX_PARAM {
                            return Err(too_long());
                        }
                    }
                    i += 2;
                    continue;
                }
                b'"' => {
                    quote = false;
                }
                _ => {
                    i += run(&mut cur, i, &|x| x == b'"' || x == b'\\')?;
                    continue;
                }
            }
        } else {
            match c {
                b'"' => {
                    quote = true;
                    quoted = true;
                    i += 1;
                    continue;
                }
                b' ' | b'\t' | b'\n' => {
                    if cur.is_empty() {
                        i += 1;
                        continue;
                    }
                }
                _ => {
                    i += run(&mut cur, i, &|x| matches!(x, b'"' | b' ' | b'\t' | b'\n'))?;
                    continue;
                }
            }
        }
        // a closing quote or a blank after a word: the word ends
        i += 1;
        push(&mut out, &mut cur, quoted)?;
        quoted = false;
    }
    if !cur.is_empty() {
        push(&mut out, &mut cur, false)?;
    }
    Ok(out)
}

/// A read of a table started when its `*TABLE` line is seen: a full
/// restore looks at every rule of the table (to keep the foreign ones), and
/// this way they are dumped and decoded while the table's lines are
/// parsed. It yields the model and the generation it was read at (checked
/// unchanged after the read), or nothing if anything failed; the commit
/// uses it only if the generation is still the same.
type Preload = std::thread::JoinHandle<Option<(u32, Model)>>;

fn start_preload(family: Family, table: &'static str) -> Option<Preload> {
    // Opened here, in this thread's network namespace.
    let mut conn = Conn::open().ok()?;
    std::thread::Builder::new()
        .spawn(move || {
            let g = conn.generation().ok()?;
            let mut m = Model::new(family, table)?;
            m.load_all_rules(&mut conn).ok()?;
            (conn.generation().ok()? == g).then_some((g, m))
        })
        .ok()
}

/// One table's input, as [`commit`] applies it.
#[derive(Clone, Copy)]
struct TableInput<'a> {
    family: Family,
    table: &'a str,
    items: &'a [(usize, Item)],
    o: &'a Opts,
    prog: &'a str,
}

/// Commit one table: `pre` is the table as read while its lines were read
/// (full restore), `ahead` the declared chains' rules being read (see
/// [`crate::prefetch`]).
fn commit(
    conn: &mut Conn,
    t: TableInput,
    pre: Option<(u32, Model)>,
    ahead: Option<Prefetch>,
) -> Result<String, (String, IptError)> {
    let TableInput { items, o, .. } = t;
    let incremental = o.noflush
        && !noflush::rebuild_forced()
        && noflush::handles(items.iter().filter_map(|(_, i)| match i {
            Item::Cmd(p) if !p.skipped => Some((p.command, p.chain.is_some())),
            Item::Keyed(_) => Some((crate::parse::cmd::APPEND, true)),
            _ => None,
        }));
    if incremental {
        // Any failure is reported as the rebuild path reports it (the
        // model's errors are the same; a kernel error is found again).
        let ahead = ahead.and_then(Prefetch::join);
        if let Ok(s) = commit_as(conn, &t, pre, Some(ahead)) {
            return Ok(s);
        }
        return commit_as(conn, &t, None, None);
    }
    commit_as(conn, &t, pre, None)
}

/// [`commit`] on the incremental path (`Some(ahead)`: the declared chains'
/// rules read while the lines were parsed, if any) or the rebuild path.
fn commit_as(
    conn: &mut Conn,
    t: &TableInput,
    pre: Option<(u32, Model)>,
    ahead: Option<Option<Prefetched>>,
) -> Result<String, (String, IptError)> {
    let incremental = ahead.is_some();
    let mut ahead = ahead.flatten();
    let TableInput {
        family,
        table,
        items,
        o,
        prog,
    } = *t;
    let declared: BTreeSet<String> = items
        .iter()
        .filter_map(|(_, i)| match i {
            Item::Chain { name, .. } => Some(name.clone()),
            _ => None,
        })
        .collect();
    // (Never called with --test: that only parses.)
    let mut build = |m: &mut Model, conn: &mut Conn, out: &mut String| -> MResult<()> {
        let mut resync = incremental.then(|| {
            noflush::Resync::new(
                items.iter().filter_map(|(_, i)| match i {
                    Item::Cmd(p) if !p.skipped => Some((p.command, p.chain.as_deref())),
                    Item::Keyed(k) => Some((crate::parse::cmd::APPEND, Some(k.chain.as_str()))),
                    _ => None,
                }),
                ahead.take(),
            )
        });
        if incremental && declared.len() > 32 {
            // one chain dump rather than a GETCHAIN per declared chain
            m.load_chains(conn)?;
        }
        if !o.noflush {
            m.declared = Some(Vec::new());
            let said = replace_own(m, conn, &declared, o.verbose > 0)?;
            if o.verbose > 0 {
                out.push_str(&said);
                // 1.8.11's verbose flush sets the table up, so even an
                // empty block leaves the table.
                m.ensure_table(conn)?;
            }
        }
        for (line, it) in items {
            m.line.0 = Some(*line);
            match it {
                Item::Chain {
                    name,
                    policy,
                    counters,
                } => {
                    if m.builtin.chain(name).is_some() {
                        let ctr = if o.counters {
                            counters.unwrap_or((0, 0))
                        } else {
                            (0, 0)
                        };
                        if matches!(policy.as_str(), "ACCEPT" | "DROP")
                            && !m.cached_policy.contains_key(name)
                        {
                            let held = if o.noflush {
                                m.chain(conn, name)?.and_then(|c| c.chain.attrs.policy)
                            } else {
                                None
                            };
                            m.cached_policy.insert(name.clone(), held.unwrap_or(1));
                        }
                        match policy.as_str() {
                            "ACCEPT" => m.set_policy(conn, name, 1, ctr, true)?,
                            "DROP" => m.set_policy(conn, name, 0, ctr, true)?,
                            "-" => m.ensure_builtin(conn, name)?,
                            _ => {
                                return Err(IptError {
                                    code: ExitCode::Other,
                                    style: Style::Plain,
                                    msg: format!("{prog}: line {line} failed: Bad policy name."),
                                }
                                .into())
                            }
                        }
                    } else {
                        m.ensure_table(conn)?;
                        m.declare(name);
                        if m.chain_exists(conn, name)? {
                            if !resync.as_mut().is_some_and(|r| r.declare(m, name)) {
                                m.flush_own(conn, name)?;
                            }
                        } else {
                            m.new_chain(name);
                        }
                    }
                }
                Item::Keyed(k) => {
                    if resync.as_mut().is_some_and(|r| r.append_keyed(k)) {
                        continue;
                    }
                    let Some(p) = k.parsed() else {
                        return Err(IptError::xt(ExitCode::Other, "line read differently").into());
                    };
                    run_line(m, conn, &p, out, prog, *line)?;
                }
                Item::Cmd(p) => {
                    if p.skipped {
                        continue;
                    }
                    if resync.as_mut().is_some_and(|r| r.append(p)) {
                        continue;
                    }
                    run_line(m, conn, p, out, prog, *line)?;
                }
            }
        }
        m.line.0 = None;
        if let Some(r) = resync {
            if !r.reconcile(m, conn)? {
                return Err(
                    IptError::xt(ExitCode::Other, "incremental restore not possible").into(),
                );
            }
        }
        Ok(())
    };
    // What `-v` printed before a failure is printed too, as 1.8.11 prints
    // it while it parses.
    let mut partial = String::new();
    let r = transact_from(conn, family, table, false, pre, |m, conn, out| {
        let r = build(m, conn, out);
        // kept for a failure of the build or of the batch after it
        partial.clone_from(out);
        r
    });
    let r = r.map_err(|e| (partial, e))?;
    for w in r.1 {
        eprintln!("{w}");
    }
    Ok(r.0)
}

/// Run one command of a restore on the model, naming its line in an
/// operation's error as 1.8.11 does.
fn run_line(
    m: &mut Model,
    conn: &mut Conn,
    p: &Parsed,
    out: &mut String,
    prog: &str,
    line: usize,
) -> crate::model::MResult<()> {
    exec::run(m, conn, p, out).map_err(|e| match e {
        crate::model::ModelErr::Ipt(e) if e.style == Style::Op => IptError {
            code: ExitCode::Other,
            style: Style::Plain,
            msg: format!("{prog}: line {line} failed: {}.", e.msg),
        }
        .into(),
        e => e,
    })
}

/// Remove what iptables owns in the table before it is restored: its
/// rules everywhere, and user chains that are not declared again, hold no
/// foreign rule and are not referenced from outside iptables' rules.
/// Returns what `-v` prints about it (chains flushed, user chains
/// deleted; declared chains count as deleted and created again).
fn replace_own(
    m: &mut Model,
    conn: &mut Conn,
    declared: &BTreeSet<String>,
    verbose: bool,
) -> MResult<String> {
    m.load_all_rules(conn)?;
    let names: Vec<String> = m
        .chains
        .iter()
        .filter(|(_, c)| c.is_some())
        .map(|(n, _)| n.clone())
        .collect();
    // references to each chain from iptables rules
    let mut own_refs: BTreeMap<String, u32> = BTreeMap::new();
    let mut keep: BTreeSet<String> = BTreeSet::new();
    for n in &names {
        if let Some(Some(c)) = m.chains.get(n) {
            for e in c.rules.as_deref().unwrap_or(&[]) {
                match e.ipt() {
                    Some(r) => {
                        if let Verdict::Jump(t) | Verdict::Goto(t) = &r.verdict {
                            *own_refs.entry(t.clone()).or_default() += 1;
                        }
                    }
                    None => {
                        keep.insert(n.clone());
                    }
                }
            }
        }
    }
    // the kernel's use count is the chain's rules plus the references to
    // it: keep chains referenced by anything that is not an iptables rule
    let mut deletable = Vec::new();
    for n in &names {
        let Some(Some(c)) = m.chains.get(n) else {
            continue;
        };
        if c.chain.attrs.hook.is_some() || declared.contains(n) || keep.contains(n) {
            continue;
        }
        let rules = c.rules.as_ref().map(|v| v.len()).unwrap_or(0) as u32;
        let uses = c.chain.attrs.use_count.unwrap_or(0);
        let own = own_refs.get(n).copied().unwrap_or(0);
        if uses <= rules + own {
            deletable.push(n.clone());
        }
    }
    let mut said = String::new();
    for b in m.builtin.chains_by_hook() {
        said.push_str(&format!("Flushing chain `{}'\n", b.name));
    }
    let user: Vec<&String> = names
        .iter()
        .filter(|n| {
            m.builtin.chain(n).is_none()
                && matches!(m.chains.get(*n), Some(Some(c)) if c.chain.attrs.hook.is_none())
        })
        .collect();
    for n in &user {
        said.push_str(&format!("Flushing chain `{n}'\n"));
    }
    for n in &user {
        if declared.contains(*n) || deletable.contains(*n) {
            said.push_str(&format!("Deleting chain `{n}'\n"));
        }
    }
    let foreign_chain = m.chains.values().flatten().any(|c| c.is_foreign(m.builtin));
    if keep.is_empty()
        && !foreign_chain
        && !crate::kernel::table_holds_other_objects(conn, m.family.nfproto(), &m.table)?
    {
        // Nothing in the table but what iptables wrote: do what 1.8.11
        // does, delete the table and create it again with the chains the
        // input declares (so handles and table order are 1.8.11's). With
        // -v, 1.8.11 keeps the table and deletes every chain instead.
        if verbose {
            if m.chains
                .values()
                .flatten()
                .any(|c| c.rules.as_ref().is_some_and(|v| !v.is_empty()))
            {
                m.flush(None);
            }
            for n in &names {
                m.del_chain(n);
            }
        } else if m.table_exists(conn)? {
            m.delete_table();
        }
        return Ok(said);
    } else if keep.is_empty() {
        // No foreign rule anywhere: one flush of the whole table (which
        // exists when a chain has rules).
        let any_rules = m
            .chains
            .values()
            .flatten()
            .any(|c| c.rules.as_ref().is_some_and(|v| !v.is_empty()));
        if any_rules {
            m.flush(None);
        }
    } else {
        for n in &names {
            m.record_anchors(conn, n)?;
            m.flush_own(conn, n)?;
        }
    }
    for n in deletable {
        m.del_chain(&n);
    }
    Ok(said)
}

/// A rule line read but not parsed yet: lines are parsed in batches, on
/// one thread per CPU ([`flush`]).
struct Pending {
    line: usize,
    table: &'static str,
    /// `[p:b]` given before the command.
    ctr: Option<(String, String)>,
    /// The line after the counters.
    rest: String,
}

/// Rule lines read before they are parsed (bounds the memory they hold:
/// a few hundred bytes each).
const PENDING_MAX: usize = 4096;

/// Below this many pending lines they are parsed on the calling thread
/// (threads cost more than they save on short inputs, above all on a busy
/// machine).
const PARALLEL_LINES: usize = 2048;

/// Lines per part when they are parsed on several threads.
const PARALLEL_PART: usize = 256;

/// Parse one rule line as iptables' restore does: its words after the
/// table (and counters, with `--counters`).
fn parse_line(family: Family, o: &Opts, prog: &str, l: &Pending) -> Result<Parsed, IptError> {
    let verbose = !o.noflush && !o.test && o.verbose > 0;
    if !verbose {
        let ctr = l.ctr.as_ref().filter(|_| o.counters);
        let ctr = ctr.map(|(a, b)| (a.as_str(), b.as_str()));
        if let Some(p) = crate::fastline::parse_append(family, l.table, &l.rest, ctr) {
            return Ok(p);
        }
    }
    let mut argv = vec![family.cmd().to_string(), "-t".into(), l.table.to_string()];
    if !o.noflush && !o.test {
        argv.extend((0..o.verbose).map(|_| "-v".to_string()));
    }
    if let Some((a, b)) = l.ctr.clone().filter(|_| o.counters) {
        argv.extend(["--set-counters".to_string(), a, b]);
    }
    split_words(&l.rest, &mut argv)?;
    parse(family, argv, l.table, true, prog)
}

/// Parse the pending lines and append their commands to `items`, in line
/// order; returns the exit status when a line ends the run (an error, or
/// `-h` output). Long runs of lines are parsed on one thread per CPU, each
/// line's warnings kept and printed in line order; a line whose parse
/// depends on the lines before it (see [`crate::revision::speculating`]) is
/// parsed again in its turn. Output and errors are those of parsing the
/// lines one after the other. With `keys` (a partial `--noflush` sync
/// whose chains are being read), the threads also compute each appended
/// rule's comparison key ([`crate::rulekey`]).
fn flush(
    family: Family,
    o: &Opts,
    prog: &str,
    keys: bool,
    pending: &mut Vec<Pending>,
    items: &mut Vec<(usize, Item)>,
    out: &mut String,
) -> Option<i32> {
    if pending.is_empty() {
        return None;
    }
    if keys {
        // A partial sync whose chains are being read on a thread of their
        // own (one CPU's work, most of it in the kernel): the lines are
        // read on this one, in order, and each `-A` line the fast reader
        // takes is kept as its text and key.
        let mut w = Writer::new();
        for l in pending.drain(..) {
            let ctr = l.ctr.as_ref().filter(|_| o.counters);
            let ctr = ctr.map(|(a, b)| (a.as_str(), b.as_str()));
            let fast = crate::fastline::parse_append(family, l.table, &l.rest, ctr);
            if let Some(k) = fast
                .as_ref()
                .and_then(|p| KeyedLine::new(family, o, &l, p, &mut w))
            {
                items.push((l.line, Item::Keyed(Box::new(k))));
                continue;
            }
            let parsed = fast.map_or_else(|| parse_line(family, o, prog, &l), Ok);
            if let Some(code) = take(parsed, l.line, prog, items, out) {
                return Some(code);
            }
        }
        return None;
    }
    type Ahead = Option<(Result<Parsed, IptError>, Vec<String>)>;
    let mut ahead: Vec<Ahead> = Vec::with_capacity(pending.len());
    if pending.len() >= PARALLEL_LINES {
        let lines = &pending[..];
        let r = nftwire::netlink::parallel::ordered_map(
            lines.len(),
            PARALLEL_PART,
            |range| {
                Ok(lines[range]
                    .iter()
                    .map(|l| {
                        crate::revision::speculating(|| {
                            nftwire::iptables::warn::collected(|| parse_line(family, o, prog, l))
                        })
                    })
                    .collect::<Vec<Ahead>>())
            },
            |part| {
                ahead.extend(part);
                Ok(())
            },
        );
        if r.is_err() {
            ahead.clear();
        }
    }
    let mut ahead = ahead.into_iter();
    for l in pending.drain(..) {
        let parsed = match ahead.next().flatten() {
            Some((r, warnings)) => {
                for w in warnings {
                    eprintln!("{w}");
                }
                r
            }
            None => parse_line(family, o, prog, &l),
        };
        if let Some(code) = take(parsed, l.line, prog, items, out) {
            return Some(code);
        }
    }
    None
}

/// Keep a parsed line's command in `items`, or end the run: the exit
/// status after `-h` output or an error.
fn take(
    parsed: Result<Parsed, IptError>,
    line: usize,
    prog: &str,
    items: &mut Vec<(usize, Item)>,
    out: &mut String,
) -> Option<i32> {
    match parsed {
        Ok(p) => {
            if let Some(s) = &p.stdout {
                // after whatever was printed before, as 1.8.11's buffered
                // stdout has it
                out.push_str(s);
                return Some(0);
            }
            items.push((line, Item::Cmd(Box::new(p))));
            None
        }
        Err(e) => Some(fail(&e, prog, Some(line))),
    }
}

/// What the restore printed on standard output, written out when the run
/// ends, however it ends: 1.8.11's stdout is a buffered stream flushed at
/// exit, so everything it printed before an error (the output of tables
/// committed earlier, `-v` echoes) still comes out, after the error text.
struct AtExit(String);

impl Drop for AtExit {
    fn drop(&mut self) {
        use std::io::Write;
        let mut out = std::io::stdout();
        let _ = out.write_all(self.0.as_bytes());
        let _ = out.flush();
    }
}

/// Run the restore tool; `prog` is the name it was invoked as.
pub fn main(family: Family, prog: &str, args: Vec<String>) -> i32 {
    let l = |n: &'static str, h: HasArg, c: char| LongOpt {
        name: n,
        has_arg: h,
        val: Val::Base(c),
    };
    let long = vec![
        l("counters", HasArg::No, 'c'),
        l("verbose", HasArg::No, 'v'),
        l("version", HasArg::No, 'V'),
        l("test", HasArg::No, 't'),
        l("help", HasArg::No, 'h'),
        l("noflush", HasArg::No, 'n'),
        l("modprobe", HasArg::Required, 'M'),
        l("table", HasArg::Required, 'T'),
        l("ipv4", HasArg::No, '4'),
        l("ipv6", HasArg::No, '6'),
        l("wait", HasArg::Optional, 'w'),
        l("wait-interval", HasArg::Optional, 'W'),
    ];
    let mut o = Opts {
        counters: false,
        verbose: 0,
        noflush: false,
        test: false,
        table: None,
    };
    let mut g = Getopt::new(args);
    let mut positional = Vec::new();
    loop {
        match g.next("bcvVthnM:T:wW", &[&long]) {
            Got::End => break,
            Got::NonOpt(a) => positional.push(a),
            Got::Opt(Val::Base(c), a) => match c {
                'b' => eprintln!("-b/--binary option is not implemented"),
                'c' => o.counters = true,
                'v' => o.verbose += 1,
                'V' => {
                    println!("{prog} v{}", nftwire::iptables::VERSION_STRING);
                    return 0;
                }
                't' => o.test = true,
                'h' => {
                    eprint!("Usage: {prog} [-c] [-v] [-V] [-t] [-h] [-n] [-T table] [-M command] [-4] [-6] [file]\n\t   [ --counters ]\n\t   [ --verbose ]\n\t   [ --version]\n\t   [ --test ]\n\t   [ --help ]\n\t   [ --noflush ]\n\t   [ --table=<TABLE> ]\n\t   [ --modprobe=<command> ]\n\t   [ --ipv4 ]\n\t   [ --ipv6 ]\n");
                    return 0;
                }
                'n' => o.noflush = true,
                'M' => {}
                'T' => o.table = a,
                'w' | 'W' => {
                    if a.is_none()
                        && g.args
                            .get(g.optind)
                            .is_some_and(|x| !x.starts_with('-') && !x.starts_with('!'))
                    {
                        g.optind += 1;
                    }
                }
                _ => {
                    eprintln!("Try `{prog} -h' for more information.");
                    return 1;
                }
            },
            other => {
                if let Some(m) = other.complaint(g.args.first().map_or(prog, |a| a), &[&long]) {
                    eprintln!("{m}");
                }
                eprintln!("Try `{prog} -h' for more information.");
                return 1;
            }
        }
    }
    positional.extend(g.args.iter().skip(g.optind).cloned());
    // Read line by line: each table is committed when its COMMIT line
    // arrives (a writer may keep the pipe open after it), and only one
    // table's lines are held.
    let mut input: Box<dyn BufRead> = match positional.len() {
        0 => Box::new(std::io::stdin().lock()),
        1 => match std::fs::File::open(&positional[0]) {
            Ok(f) => Box::new(std::io::BufReader::with_capacity(1 << 16, f)),
            Err(e) => {
                let msg = e.to_string();
                let msg = msg.split(" (os error").next().unwrap_or("");
                eprintln!("Can't open {}: {msg}", positional[0]);
                return 1;
            }
        },
        _ => {
            eprintln!("Unknown arguments found on commandline");
            return 1;
        }
    };
    let mut conn: Option<Conn> = None;
    let mut cur: Option<&'static tables::BuiltinTable> = None;
    let mut in_table = false;
    let mut items: Vec<(usize, Item)> = Vec::new();
    let mut preload: Option<Preload> = None;
    // --noflush: the user chains the table declares before its first rule
    // line, read ahead from its first rule line on (see crate::prefetch).
    let mut declared: Vec<String> = Vec::new();
    let mut ahead: Option<Prefetch> = None;
    let mut rule_seen = false;
    let mut pending: Vec<Pending> = Vec::new();
    let mut line = 0usize;
    let mut stdout = AtExit(String::new());
    let skip_table = |cur: Option<&tables::BuiltinTable>| -> bool {
        o.table
            .as_deref()
            .is_some_and(|t| cur.is_some_and(|c| c.name != t))
    };
    // Parse the rule lines read so far, ending the run on an error or `-h`.
    macro_rules! flush_pending {
        () => {
            let keys = ahead.is_some();
            if let Some(code) = flush(
                family,
                &o,
                prog,
                keys,
                &mut pending,
                &mut items,
                &mut stdout.0,
            ) {
                return code;
            }
        };
    }
    let mut bytes = Vec::new();
    loop {
        // A read error ends the input, as a short read does for iptables.
        match read_piece(&mut input, &mut bytes) {
            Ok(0) | Err(_) => break,
            Ok(_) => {}
        }
        line += 1;
        let text = String::from_utf8_lossy(&bytes);
        let buf: &str = &text;
        if buf.starts_with('\n') {
            continue;
        }
        if buf.starts_with('#') {
            if o.verbose > 0 {
                // echoed in its turn: an error in an earlier rule line
                // ends the run before it
                flush_pending!();
                stdout.0.push_str(buf);
            }
            continue;
        }
        let mut ok = false;
        let commit_line = in_table && buf.starts_with("COMMIT") && matches!(&buf[6..], "" | "\n");
        if !(in_table && !commit_line && !buf.starts_with(':')) {
            // not a rule line: the rule lines before it are parsed first
            flush_pending!();
        }
        if commit_line {
            // With --test, 1.8.11 only parses: the table's commands are
            // dropped at COMMIT without being run against the kernel.
            if !skip_table(cur) && !o.test {
                let c = match &mut conn {
                    Some(c) => c,
                    None => match connect() {
                        Ok(c) => conn.insert(c),
                        Err(e) => return fail(&e, prog, None),
                    },
                };
                let name = cur.map(|c| c.name).unwrap_or("filter");
                let pre = preload.take().and_then(|h| h.join().ok().flatten());
                let ahead = ahead.take();
                let t = TableInput {
                    family,
                    table: name,
                    items: &items,
                    o: &o,
                    prog,
                };
                match commit(c, t, pre, ahead) {
                    Ok(s) => stdout.0.push_str(&s),
                    Err((partial, e)) => {
                        stdout.0.push_str(&partial);
                        return fail(&e, prog, Some(line));
                    }
                }
            }
            items.clear();
            declared.clear();
            ahead = None;
            rule_seen = false;
            in_table = false;
            ok = true;
        } else if buf.starts_with('*') && !in_table {
            let name = buf[1..].split([' ', '\t', '\n']).find(|s| !s.is_empty());
            let Some(name) = name else {
                return fail(
                    &IptError::param(format!("{prog}: line {line} table name invalid")),
                    prog,
                    Some(line),
                );
            };
            cur = tables::table(name);
            if cur.is_none() {
                return fail(
                    &IptError::param(format!("{prog}: line {line} table name '{name}' invalid")),
                    prog,
                    Some(line),
                );
            }
            if skip_table(cur) {
                continue;
            }
            if !o.noflush {
                preload = cur.and_then(|t| start_preload(family, t.name));
            }
            in_table = true;
            ok = true;
        } else if buf.starts_with(':') && in_table {
            let mut it = buf[1..].split([' ', '\t', '\n']).filter(|s| !s.is_empty());
            let Some(chain) = it.next() else {
                return fail(
                    &IptError::param(format!("{prog}: line {line} chain name invalid")),
                    prog,
                    Some(line),
                );
            };
            if let Err(e) = assert_valid_chain_name(chain, family) {
                return fail(&e, prog, Some(line));
            }
            let Some(policy) = it.next() else {
                return fail(
                    &IptError::param(format!("{prog}: line {line} policy invalid")),
                    prog,
                    Some(line),
                );
            };
            let mut counters = None;
            if cur.is_some_and(|t| t.chain(chain).is_some()) {
                let c = it.next();
                match c {
                    Some(c) => match parse_counters(c) {
                        Some(v) => counters = Some(v),
                        None => {
                            return fail(
                                &IptError::param(format!(
                                    "invalid policy counters for chain '{chain}'"
                                )),
                                prog,
                                Some(line),
                            )
                        }
                    },
                    None if o.counters => {
                        return fail(
                            &IptError::param(format!(
                                "invalid policy counters for chain '{chain}'"
                            )),
                            prog,
                            Some(line),
                        )
                    }
                    None => {}
                }
            }
            if o.noflush && !rule_seen && cur.is_some_and(|t| t.chain(chain).is_none()) {
                declared.push(chain.to_string());
            }
            items.push((
                line,
                Item::Chain {
                    name: chain.to_string(),
                    policy: policy.to_string(),
                    counters,
                },
            ));
            ok = true;
        } else if in_table {
            if !rule_seen && o.noflush && !o.test && !skip_table(cur) {
                let name = cur.map(|c| c.name).unwrap_or("filter");
                ahead = Prefetch::start(family, name, std::mem::take(&mut declared));
            }
            rule_seen = true;
            let mut rest = buf;
            let mut ctr: Option<(String, String)> = None;
            if rest.starts_with('[') {
                let Some(end) = rest.find(']') else {
                    flush_pending!();
                    return fail(
                        &IptError::param(format!("Bad line {line}: need ]")),
                        prog,
                        Some(line),
                    );
                };
                let inner = &rest[1..end];
                let Some((a, b)) = inner.split_once(':').filter(|(a, _)| !a.is_empty()) else {
                    flush_pending!();
                    return fail(
                        &IptError::param(format!("Bad line {line}: need :")),
                        prog,
                        Some(line),
                    );
                };
                ctr = Some((a.to_string(), b.to_string()));
                rest = &rest[end + 1..];
            }
            pending.push(Pending {
                line,
                table: cur.map(|c| c.name).unwrap_or("filter"),
                ctr,
                rest: rest.to_string(),
            });
            if pending.len() >= PENDING_MAX {
                flush_pending!();
            }
            ok = true;
        }
        if skip_table(cur) {
            continue;
        }
        if !ok {
            eprintln!("{prog}: line {line} failed");
            return 1;
        }
    }
    flush_pending!();
    if in_table {
        eprintln!("{prog}: COMMIT expected at line {}", line + 1);
        return 1;
    }
    0
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The reading `split_quoted` must give: iptables' word splitting, one
    /// character at a time.
    fn by_chars(line: &str, before: usize) -> Result<Vec<(String, bool)>, String> {
        let mut out: Vec<(String, bool)> = Vec::new();
        let (mut cur, mut quote, mut quoted, mut esc) = (String::new(), false, false, false);
        let push = |out: &mut Vec<(String, bool)>, w: String, q: bool| {
            if before + out.len() + 1 >= MAX_ARGC {
                return Err("Parser cannot handle more arguments".to_string());
            }
            out.push((w, q));
            Ok(())
        };
        for c in line.chars() {
            let word_char = if quote {
                if esc {
                    esc = false;
                    true
                } else if c == '\\' {
                    esc = true;
                    continue;
                } else if c == '"' {
                    quote = false;
                    false
                } else {
                    true
                }
            } else if c == '"' {
                quote = true;
                quoted = true;
                continue;
            } else if matches!(c, ' ' | '\t' | '\n') {
                if cur.is_empty() {
                    continue;
                }
                false
            } else {
                true
            };
            if word_char {
                cur.push(c);
                if cur.len() >= MAX_PARAM {
                    return Err("Parameter too long!".to_string());
                }
                continue;
            }
            push(&mut out, std::mem::take(&mut cur), quoted)?;
            quoted = false;
        }
        if !cur.is_empty() {
            push(&mut out, cur, false)?;
        }
        Ok(out)
    }

    #[test]
    fn split_quoted_reads_like_iptables() {
        let fixed = [
            "-A X -m comment --comment \"a b\" -j ACCEPT\n",
            "\"\" \"a\"b \"x\\\"y\\\\\" \"é\\ü\" plain\ttab",
            "\"unterminated \\",
            "  lead  trail  ",
        ];
        let mut cases: Vec<String> = fixed.iter().map(|s| s.to_string()).collect();
        // random lines over the bytes that matter, some long ones
        let alphabet = ['a', '"', '\\', ' ', '\t', '\n', 'é', '-', '€'];
        let mut x = 0x2545_f491_4f6c_dd1du64;
        for n in 0..3000 {
            let len = if n % 50 == 0 { 2100 } else { n % 40 };
            let mut s = String::new();
            for _ in 0..len {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                s.push(alphabet[(x % alphabet.len() as u64) as usize]);
            }
            cases.push(s);
        }
        cases.push("w ".repeat(300));
        for line in &cases {
            for before in [0, 3, 250] {
                let got = split_quoted(line, before).map_err(|e| e.msg);
                assert_eq!(got, by_chars(line, before), "{line:?}");
            }
        }
    }
}
