//! The lossless text save format (`nftwire save` / `nftwire restore`).
//!
//! A save file is the batch that recreates a ruleset from nothing
//! ([`Ruleset::create_ops`]), one block per message, with the exact netlink
//! attribute body of each message in hex. It is stable (the same ruleset
//! always gives the same text), diffable (one object per block, one rule
//! expression or set element per body line) and lossless (the bodies are the
//! kernel's own bytes, minus the read-only attributes).
//!
//! ```text
//! nftwire-save 2
//! table ip filter
//!   body 0b000100...
//! chain ip filter INPUT
//!   body ...
//! object ip filter cnt1
//!   body ...
//! flowtable inet t ft
//!   body ...
//! set ip filter blocked
//!   body ...
//! elements ip filter blocked
//!   body 0b00010066696c7465...
//!   body 1c000180...
//! rule ip filter INPUT
//!   # [ meta load l4proto => reg 1 ]
//!   # [ cmp eq reg 1 0x00000006 ]
//!   body ...
//! ```
//!
//! * Line 1 is exactly `nftwire-save 2` (files written before handles
//!   were saved begin `nftwire-save 1` and are read too; they have no
//!   handles, so a restore creates their blocks in file order).
//! * A block starts with an unindented header `KIND FAMILY NAME...`:
//!   `table F T`, `chain F T C`, `set F T S`, `elements F T S`,
//!   `object F T O`, `flowtable F T FT`, `rule F T C`. `FAMILY` is `ip`,
//!   `ip6`, `inet`, `arp`, `bridge`, `netdev` or a decimal number. Names
//!   made only of `[A-Za-z0-9_.:-]` are written as they are; any other name
//!   is double-quoted, with `\\`, `\"` and `\xHH` escapes for bytes outside
//!   printable ASCII; an absent name is `-`. The kind gives the message type
//!   (`NEWTABLE`, ...), the family the message's address family; the names
//!   must agree with the body (a check against corrupted files).
//! * Indented `body HEX` lines follow; their bytes, concatenated, are the
//!   message body (an `NFTA_*` attribute stream). The body is authoritative.
//!   HEX is lower-case hex digit pairs, except that a run of 8 or more zero
//!   bytes is written `(N)` with N in decimal (xt blobs are mostly zeros;
//!   N is at most 65,535, the most an attribute holds).
//!   Elements and rules are split after the list attribute's header so each
//!   element or expression is on a line of its own.
//! * Lines whose first non-blank character is `#` are comments and blank
//!   lines are ignored. Rules carry one `  # [ expr ]` line per expression
//!   (the `nft --debug=netlink` form) for people reading diffs.
//!
//! Blocks are in creation order, the order `nft -f` creates a ruleset in
//! (so a ruleset nft loaded in one go gets its handles back): tables,
//! chains (but bound ones), objects, named sets with their elements
//! (elements may name chains and objects), flowtables, then rules in chain
//! order; before each rule, in the order of its expressions, each
//! anonymous set it binds (with its elements) and each bound chain it
//! jumps to (`jump { ... }`), followed by that chain's rules (a bound chain
//! nothing jumps to, which only older kernels leave behind, comes at the
//! end). Sets are created with an `NFTA_SET_ID` hashed from family, table
//! and name. Bodies are in creation form (`object::create_form`; see
//! "Dump vs create" in DEVELOPING.md): read-only attributes are not saved
//! (table handles, use counts, rule positions, set element counts and
//! backends, element expirations, the table owner flag) and the few
//! attributes the kernel dumps in a form it refuses on input are mapped.
//! The one exception is the handle of chains, sets, objects, flowtables
//! and rules: it stays in the body, and `restore` takes it out
//! ([`Block::handle`]) and creates each table in handle order
//! ([`crate::restore_plan`]), so handles and orders come back. Elements keep the
//! kernel's order, except in hashed sets, whose order is random per set:
//! there they are sorted, so saving twice gives the same file. `restore`
//! maps every block to its creation form again, so files written before a
//! mapping existed restore too.

use crate::consts::{family, msg};
use crate::error::{Error, Result};
use crate::netlink::{BatchOp, BatchReply, Conn, NfMsg};
use crate::nla::{align, NLA_HDRLEN, NLA_TYPE_MASK};
use crate::object::RuleAttrs;
use crate::ruleset::Ruleset;
use bytes::Bytes;

/// The first line of every save file this nftwire writes (version 2: the
/// bodies of chains, sets, objects, flowtables and rules hold their
/// handles, which a restore must take out; an older nftwire would send
/// them and fail, so it is told the version is new instead).
pub const HEADER: &str = "nftwire-save 2";

/// The first line of version 1 files (no handles), which are still read.
pub const HEADER_V1: &str = "nftwire-save 1";

/// How many times [`replace_ruleset`] retries when the generation moves.
pub const RESTORE_RETRIES: usize = 64;

/// What a block creates.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BlockKind {
    /// `table F T` (`NEWTABLE`).
    Table,
    /// `chain F T C` (`NEWCHAIN`).
    Chain,
    /// `set F T S` (`NEWSET`).
    Set,
    /// `elements F T S` (`NEWSETELEM`).
    Elements,
    /// `object F T O` (`NEWOBJ`).
    Object,
    /// `flowtable F T FT` (`NEWFLOWTABLE`).
    Flowtable,
    /// `rule F T C` (`NEWRULE`, appended).
    Rule,
}

impl BlockKind {
    /// All kinds.
    pub const ALL: [BlockKind; 7] = [
        BlockKind::Table,
        BlockKind::Chain,
        BlockKind::Set,
        BlockKind::Elements,
        BlockKind::Object,
        BlockKind::Flowtable,
        BlockKind::Rule,
    ];

    /// The header keyword.
    pub fn keyword(self) -> &'static str {
        match self {
            BlockKind::Table => "table",
            BlockKind::Chain => "chain",
            BlockKind::Set => "set",
            BlockKind::Elements => "elements",
            BlockKind::Object => "object",
            BlockKind::Flowtable => "flowtable",
            BlockKind::Rule => "rule",
        }
    }

    /// The kind of a header keyword.
    pub fn from_keyword(s: &str) -> Option<BlockKind> {
        BlockKind::ALL.into_iter().find(|k| k.keyword() == s)
    }

    /// The `NFT_MSG_NEW*` message type of the block.
    pub fn msg_type(self) -> u16 {
        match self {
            BlockKind::Table => msg::NEWTABLE,
            BlockKind::Chain => msg::NEWCHAIN,
            BlockKind::Set => msg::NEWSET,
            BlockKind::Elements => msg::NEWSETELEM,
            BlockKind::Object => msg::NEWOBJ,
            BlockKind::Flowtable => msg::NEWFLOWTABLE,
            BlockKind::Rule => msg::NEWRULE,
        }
    }

    /// The kind whose message type is `t` (`NFT_MSG_NEW*`).
    pub fn from_msg_type(t: u16) -> Option<BlockKind> {
        BlockKind::ALL.into_iter().find(|k| k.msg_type() == t)
    }

    /// The attribute numbers of the names in the header, after the family
    /// (e.g. table and chain name for a chain).
    pub fn name_attrs(self) -> &'static [u16] {
        match self {
            BlockKind::Table => &[1],
            BlockKind::Chain => &[1, 3],
            BlockKind::Set
            | BlockKind::Elements
            | BlockKind::Object
            | BlockKind::Flowtable
            | BlockKind::Rule => &[1, 2],
        }
    }

    /// The attribute number of the object's handle (`NFTA_*_HANDLE`);
    /// None for elements, which have none.
    pub fn handle_attr(self) -> Option<u16> {
        match self {
            BlockKind::Table => Some(4),
            BlockKind::Chain => Some(2),
            BlockKind::Set => Some(16),
            BlockKind::Elements => None,
            BlockKind::Object => Some(6),
            BlockKind::Flowtable => Some(5),
            BlockKind::Rule => Some(3),
        }
    }

    /// The top-level list attribute whose items are written one per body
    /// line (rule expressions, set elements).
    fn split_attr(self) -> Option<u16> {
        match self {
            BlockKind::Rule => Some(4),
            BlockKind::Elements => Some(3),
            _ => None,
        }
    }
}

/// One block of a save file, parsed.
#[derive(Clone, Debug)]
pub struct Block {
    /// Line number (1-based) of the block's header.
    pub line: usize,
    /// What the block creates.
    pub kind: BlockKind,
    /// The creation operation (message, op name, object description).
    pub op: BatchOp,
    /// Where each body line's bytes start in the body, with its line
    /// number (see [`Block::line_of`]).
    pub body_lines: Vec<(usize, usize)>,
    /// The handle the object had when it was saved (taken out of the
    /// body, which is sent without it); None for elements and for files
    /// written before handles were saved. [`crate::restore_plan`] creates
    /// objects in handle order with it.
    pub handle: Option<u64>,
}

impl Block {
    /// The line holding byte `body_offset` of the block's body (the header
    /// line when it is past the end).
    pub fn line_of(&self, body_offset: usize) -> usize {
        let i = self
            .body_lines
            .partition_point(|&(start, _)| start <= body_offset);
        match i.checked_sub(1).and_then(|i| self.body_lines.get(i)) {
            Some(&(_, line)) if body_offset < self.op.msg.body.len() => line,
            _ => self.line,
        }
    }
}

/// True for names that are written unquoted.
fn is_plain(b: &[u8]) -> bool {
    !b.is_empty()
        && b != b"-"
        && b.iter()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'_' | b'.' | b':' | b'-'))
}

/// A name as it appears in headers and error messages: plain names as they
/// are, others double-quoted with `\\`, `\"` and `\xHH` escapes, an absent
/// name as `-`.
pub fn quote_name(name: Option<&[u8]>) -> String {
    let b = match name {
        None => return "-".into(),
        Some(b) => b,
    };
    if is_plain(b) {
        return String::from_utf8_lossy(b).into_owned();
    }
    let mut s = String::with_capacity(b.len() + 2);
    s.push('"');
    for &c in b {
        match c {
            b'\\' => s.push_str("\\\\"),
            b'"' => s.push_str("\\\""),
            0x20..=0x7e => s.push(c as char),
            _ => s.push_str(&format!("\\x{c:02x}")),
        }
    }
    s.push('"');
    s
}

/// The name carried by attribute `kind` (flags ignored; first occurrence)
/// of a message body, without its trailing NUL.
pub fn body_name(body: &Bytes, kind: u16) -> Option<Vec<u8>> {
    crate::object::raw_name(body, kind).map(<[u8]>::to_vec)
}

/// The header line of a message, or `None` for message types that are not
/// blocks.
fn header_of(m: &NfMsg) -> Option<(BlockKind, String)> {
    let mut s = String::new();
    let kind = write_header(&mut s, m)?;
    Some((kind, s))
}

/// Append the header line of a message (without its newline) to `out`;
/// `None` (and nothing written) for message types that are not blocks.
fn write_header(out: &mut String, m: &NfMsg) -> Option<BlockKind> {
    let kind = BlockKind::from_msg_type(m.msg())?;
    out.push_str(kind.keyword());
    out.push(' ');
    match family::name(m.family) {
        Some(n) => out.push_str(n),
        None => out.push_str(&m.family.to_string()),
    }
    for &a in kind.name_attrs() {
        out.push(' ');
        match crate::object::raw_name(&m.body, a) {
            Some(p) if is_plain(p) => {
                // Plain names are ASCII.
                out.push_str(std::str::from_utf8(p).unwrap_or("-"));
            }
            other => out.push_str(&quote_name(other)),
        }
    }
    Some(kind)
}

/// Split a body into line segments, handed to `each` in order: everything
/// up to and including the header of the list attribute `split`, then each
/// list item, then the rest. A body without a well-formed `split` list is
/// one segment.
fn body_segments<'a>(body: &'a [u8], split: Option<u16>, mut each: impl FnMut(&'a [u8])) {
    match split.and_then(|k| split_list(body, k)) {
        Some((start, end)) => {
            each(&body[..start]);
            let mut p = start;
            while p < end {
                let l = u16::from_ne_bytes([body[p], body[p + 1]]) as usize;
                let next = (p + align(l)).min(end);
                each(&body[p..next]);
                p = next;
            }
            if end < body.len() {
                each(&body[end..]);
            }
        }
        None => each(body),
    }
}

/// Where the items of list attribute `split` lie in `body` (after the
/// list's header, up to its end), if the body is well-formed up to it and
/// the list is a sequence of whole attributes.
fn split_list(body: &[u8], split: u16) -> Option<(usize, usize)> {
    let mut pos = 0usize;
    while pos + NLA_HDRLEN <= body.len() {
        let len = u16::from_ne_bytes([body[pos], body[pos + 1]]) as usize;
        let ty = u16::from_ne_bytes([body[pos + 2], body[pos + 3]]);
        if len < NLA_HDRLEN || pos + len > body.len() {
            return None;
        }
        if ty & NLA_TYPE_MASK == split {
            let (start, end) = (pos + NLA_HDRLEN, pos + len);
            let mut p = start;
            while p + NLA_HDRLEN <= end {
                let l = u16::from_ne_bytes([body[p], body[p + 1]]) as usize;
                if l < NLA_HDRLEN || p + l > end {
                    return None;
                }
                p = (p + align(l)).min(end);
            }
            return (p == end).then_some((start, end));
        }
        pos += align(len);
    }
    None
}

/// Append the block of one creation message to `out`. `rule` is the typed
/// rule the message was made from, when known (saves decoding it again for
/// the comment lines).
fn render_block(out: &mut String, m: &NfMsg, rule: Option<&crate::object::Rule>) -> Result<()> {
    let (kind, header) = header_of(m)
        .ok_or_else(|| Error::Input(format!("cannot save a {} message", msg::name(m.msg()))))?;
    out.push_str(&header);
    out.push('\n');
    if kind == BlockKind::Rule {
        match rule {
            Some(r) => comment_lines(out, r.exprs()),
            None => {
                let decoded = RuleAttrs::parse(&m.body);
                let exprs = decoded
                    .as_ref()
                    .and_then(|r| r.exprs.as_ref())
                    .map(|l| l.0.as_slice())
                    .unwrap_or(&[]);
                comment_lines(out, exprs);
            }
        }
    }
    body_lines(out, m, kind);
    Ok(())
}

/// The `  # [ expr ]` lines of a rule.
fn comment_lines(out: &mut String, exprs: &[crate::expr::Expr]) {
    for e in exprs {
        out.push_str("  # ");
        let start = out.len();
        e.write_debug(out);
        // A comment stays on one line whatever the expression holds.
        if crate::util::has_line_break(&out.as_bytes()[start..]) {
            let fixed = out[start..].replace(['\n', '\r'], " ");
            out.truncate(start);
            out.push_str(&fixed);
        }
        out.push('\n');
    }
}

/// The `  body HEX` lines of a message.
fn body_lines(out: &mut String, m: &NfMsg, kind: BlockKind) {
    body_segments(&m.body, kind.split_attr(), |seg| {
        out.push_str("  body ");
        crate::util::hex_compact_into(out, seg);
        out.push('\n');
    });
}

/// Render creation messages (as made by [`Ruleset::create_ops`]) in the
/// save format. Fails only for messages that are not `NEW*` object messages.
pub fn render_ops(ops: &[BatchOp]) -> Result<String> {
    let mut out =
        String::with_capacity(64 + ops.iter().map(|o| 2 * o.msg.body.len() + 64).sum::<usize>());
    out.push_str(HEADER);
    out.push('\n');
    for op in ops {
        render_block(&mut out, &op.msg, None)?;
    }
    Ok(out)
}

/// The save file of a ruleset.
pub fn to_string(rs: &Ruleset) -> String {
    let mut v = Vec::new();
    // Writing to a Vec cannot fail.
    let _ = write_to(rs, &mut v);
    String::from_utf8(v).unwrap_or_default()
}

/// Write the save file of a ruleset to `w`. The blocks are rendered on one
/// thread per CPU, a part at a time, and written in order as parts finish
/// (the text is never held whole in memory).
pub fn write_to<W: std::io::Write>(rs: &Ruleset, w: &mut W) -> std::io::Result<()> {
    w.write_all(HEADER.as_bytes())?;
    w.write_all(b"\n")?;
    let mut io_err = None;
    let r = render_plan(rs, &rs.create_plan(), |part| {
        w.write_all(part.as_bytes()).map_err(|e| {
            let msg = e.to_string();
            io_err = Some(e);
            Error::Input(msg)
        })
    });
    if let Some(e) = io_err {
        return Err(e);
    }
    r.map_err(|e| std::io::Error::other(e.to_string()))?;
    w.flush()
}

/// Plan items rendered per part when rendering runs on several threads.
const ITEMS_PER_PART: usize = 512;

/// Render the blocks of `plan` (items of `rs`) part by part, on one thread
/// per CPU, handing the parts to `sink` in order.
fn render_plan(
    rs: &Ruleset,
    plan: &[crate::ruleset::CreateItem],
    sink: impl FnMut(String) -> Result<()>,
) -> Result<()> {
    crate::netlink::parallel::ordered_map(
        plan.len(),
        ITEMS_PER_PART,
        |range| {
            let mut out = String::with_capacity(range.len() * 512);
            for &item in &plan[range] {
                rs.save_item_msgs(item, |m, src| {
                    let rule = src.and_then(|i| rs.rules.get(i));
                    // Plans only hold the seven block kinds.
                    let _ = render_block(&mut out, &m, rule);
                });
            }
            Ok(out)
        },
        sink,
    )
}

/// Read everything in nf_tables of `family` (0 = all) and write its save
/// file to `w`: the same text as [`write_to`] of [`Ruleset::read`], made
/// without holding the decoded ruleset. First the ruleset is read: tables,
/// chains, sets, objects and flowtables decoded, then each chain's rule
/// messages dumped (one connection and thread per CPU) and kept as the
/// kernel sent them. Only once the generation id is known not to have moved
/// during the read (otherwise everything is read again) are the rules
/// decoded and rendered, a part at a time on one thread per CPU, and the
/// text written as the parts finish. So a concurrent change never leaves a
/// mixed file, and the text is never held whole in memory. An error while
/// writing (or a malformed message from the kernel) can leave `w` with part
/// of the text.
pub fn save<W: std::io::Write + ?Sized>(conn: &mut Conn, family: u8, w: &mut W) -> Result<()> {
    for _ in 0..crate::ruleset::SNAPSHOT_RETRIES {
        let before = conn.generation()?;
        let snap = match Snapshot::read(conn, family) {
            Ok(s) => s,
            Err(Error::GenerationChanged) => continue,
            Err(e) => return Err(e),
        };
        if conn.generation()? != before {
            continue;
        }
        w.write_all(HEADER.as_bytes())?;
        w.write_all(b"\n")?;
        snap.write(w)?;
        w.flush()?;
        return Ok(());
    }
    Err(Error::GenerationChanged)
}

/// One read of a ruleset for [`save`]: everything but the rules decoded,
/// and the rule messages of every chain as dumped.
struct Snapshot {
    /// Tables, chains, sets with elements, objects and flowtables.
    head: Ruleset,
    /// The dumped `NEWRULE` messages of each chain of `head.chains`, by
    /// chain index.
    rules: Vec<Vec<NfMsg>>,
}

impl Snapshot {
    /// Read the head, then the rules of every chain (bound chains too).
    fn read(conn: &mut Conn, family: u8) -> Result<Snapshot> {
        use crate::ruleset::{dump_chain_rules, CHAINS_PER_PART};
        let head = Ruleset::read_head(conn, family, None)?;
        let mut rules = Vec::with_capacity(head.chains.len());
        crate::netlink::parallel::ordered_chunks(
            conn,
            head.chains.len(),
            CHAINS_PER_PART,
            |conn, range| {
                head.chains[range]
                    .iter()
                    .map(|c| dump_chain_rules(conn, c))
                    .collect::<Result<Vec<_>>>()
            },
            |part| {
                rules.extend(part);
                Ok(())
            },
        )?;
        Ok(Snapshot { head, rules })
    }

    /// Write the blocks (not the header line) to `w`, in
    /// [`Ruleset::create_plan`] order.
    fn write<W: std::io::Write + ?Sized>(&self, w: &mut W) -> Result<()> {
        use crate::ruleset::{is_binding, CHAINS_PER_PART};
        let head = &self.head;
        render_plan(head, &crate::ruleset::head_plan(head), |text| {
            w.write_all(text.as_bytes())?;
            Ok(())
        })?;

        let st = RuleStream::new(self);
        let mut used = std::collections::HashSet::new();
        crate::netlink::parallel::ordered_map(
            head.chains.len(),
            CHAINS_PER_PART,
            |range| {
                let mut part = RulePart::default();
                for (c, msgs) in head.chains[range.clone()].iter().zip(&self.rules[range]) {
                    if !is_binding(c.attrs.flags) {
                        st.chain(&mut part, msgs, 0)?;
                    }
                }
                Ok(part)
            },
            |mut part| {
                used.extend(std::mem::take(&mut part.bound_used));
                st.pool.write(w, part)
            },
        )?;

        // Bound chains nothing jumps to (only older kernels leave them), with
        // their rules, at the end, as create_plan puts them.
        let mut tail = RulePart::default();
        for (i, c) in head.chains.iter().enumerate() {
            if is_binding(c.attrs.flags) && !used.contains(&i) {
                st.bound_chain(&mut tail, i, 0)?;
            }
        }
        st.pool.write(w, tail)
    }
}

/// Size of the text buffers a part writes into.
const TEXT_PIECE: usize = 256 << 10;

/// Text buffers kept for reuse at most (a few per thread).
const POOLED_PIECES: usize = 16;

/// Text buffers already written out, for the next parts to fill: a save
/// reuses memory it has touched instead of faulting in new pages for each
/// part.
#[derive(Default)]
struct TextPool(std::sync::Mutex<Vec<String>>);

impl TextPool {
    /// An empty buffer with room for at least `n` bytes.
    fn take(&self, n: usize) -> String {
        let reused = match self.0.lock() {
            Ok(mut v) => v
                .iter()
                .position(|s| s.capacity() >= n)
                .map(|i| v.swap_remove(i)),
            Err(_) => None,
        };
        reused.unwrap_or_else(|| String::with_capacity(n.max(TEXT_PIECE)))
    }

    /// Write a part's text to `w`, then keep its buffers.
    fn write<W: std::io::Write + ?Sized>(&self, w: &mut W, part: RulePart) -> Result<()> {
        for mut text in part.full.into_iter().chain([part.text]) {
            w.write_all(text.as_bytes())?;
            text.clear();
            if let Ok(mut v) = self.0.lock() {
                if v.len() < POOLED_PIECES && text.capacity() > 0 {
                    v.push(text);
                }
            }
        }
        Ok(())
    }
}

/// What one part of the rule stream produced.
#[derive(Default)]
struct RulePart {
    /// Filled text buffers, in order (the part's text is these, then
    /// `text`).
    full: Vec<String>,
    /// The buffer being written.
    text: String,
    /// Bound chains (indexes into the chains) whose rules were written.
    bound_used: Vec<usize>,
    /// Anonymous sets (indexes into the sets) already written.
    anon_done: std::collections::HashSet<usize>,
}

impl RulePart {
    /// The text buffer, with room for `n` more bytes: a full buffer is set
    /// aside and a new one started rather than grown, so text once written
    /// is never copied again (a 5,000-rule chain is megabytes of it).
    fn room(&mut self, pool: &TextPool, n: usize) -> &mut String {
        if self.text.capacity() - self.text.len() < n {
            let next = pool.take(n);
            let full = std::mem::replace(&mut self.text, next);
            if !full.is_empty() {
                self.full.push(full);
            }
        }
        &mut self.text
    }
}

/// Room a block takes at most (short of unusual names or comments, for
/// which its buffer just grows): a header, the comment lines and the body
/// lines, two digits per byte plus each line's prefix.
fn block_room(body_len: usize, comments: usize) -> usize {
    256 + comments + 3 * body_len
}

/// [`block_room`] of a rule with `exprs` expressions, before its comment
/// lines are written (a comment line is rarely longer than 128 bytes).
fn rule_room(body_len: usize, exprs: usize) -> usize {
    block_room(body_len, 128 * exprs)
}

/// Renders rules as they are dumped, with the anonymous sets they use and
/// the rules of the bound chains they jump to, in [`Ruleset::create_plan`]
/// order.
struct RuleStream<'a> {
    head: &'a Ruleset,
    /// Each chain's dumped rule messages (by chain index).
    rules: &'a [Vec<NfMsg>],
    /// Buffers for the text.
    pool: TextPool,
    /// Bound chains by (family, table, name), as indexes into the chains.
    bound: std::collections::HashMap<(u8, &'a str, &'a str), usize>,
    /// Anonymous sets by (family, table, name), as indexes into the sets.
    anon: std::collections::HashMap<(u8, &'a str, &'a str), usize>,
}

impl<'a> RuleStream<'a> {
    fn new(snap: &'a Snapshot) -> Self {
        let head = &snap.head;
        RuleStream {
            head,
            rules: &snap.rules,
            pool: TextPool::default(),
            bound: crate::ruleset::bound_chains(&head.chains),
            anon: crate::ruleset::anonymous_sets(&head.sets),
        }
    }

    /// The dumped rules of one chain, each as [`RuleStream::rule`].
    fn chain(&self, part: &mut RulePart, msgs: &[NfMsg], depth: usize) -> Result<()> {
        for m in msgs {
            self.rule(part, m, crate::object::decode_msg(m)?, depth)?;
        }
        Ok(())
    }

    /// The block of an object of the head (a set with its elements, a
    /// bound chain).
    fn head_item(&self, part: &mut RulePart, item: crate::ruleset::CreateItem) {
        self.head.save_item_msgs(item, |m, _| {
            let out = part.room(&self.pool, block_room(m.body.len(), 0));
            let _ = render_block(out, &m, None);
        });
    }

    /// Bound chain `ci` (index into the chains), then its rules.
    fn bound_chain(&self, part: &mut RulePart, ci: usize, depth: usize) -> Result<()> {
        if part.bound_used.contains(&ci) {
            return Ok(());
        }
        part.bound_used.push(ci);
        self.head_item(part, crate::ruleset::CreateItem::Chain(ci));
        self.chain(part, &self.rules[ci], depth + 1)
    }

    /// One dumped rule: first what it needs created before it
    /// ([`crate::ruleset::rule_prereqs`]: anonymous sets it uses, bound
    /// chains it jumps to, with their rules), then itself.
    fn rule(
        &self,
        part: &mut RulePart,
        dumped: &NfMsg,
        r: crate::object::Rule,
        depth: usize,
    ) -> Result<()> {
        use crate::ruleset::Prereq;
        for p in crate::ruleset::rule_prereqs(&r, &self.anon, &self.bound) {
            match p {
                Prereq::AnonSet(k) => {
                    if part.anon_done.insert(k) {
                        let item = crate::ruleset::CreateItem::Set {
                            index: k,
                            id: crate::ruleset::set_id(&self.head.sets[k].set),
                        };
                        self.head_item(part, item);
                    }
                }
                Prereq::BoundChain(ci) if depth < 64 => self.bound_chain(part, ci, depth)?,
                Prereq::BoundChain(_) => {}
            }
        }
        let out = part.room(&self.pool, rule_room(dumped.body.len(), r.exprs().len()));
        write_dumped_rule(out, dumped, r);
        Ok(())
    }
}

/// Append the block of a rule as the kernel dumped it (`dumped`, decoded
/// as `r`): its header, one comment line per expression as dumped, and the
/// body of the rule made ready for creation. This is how [`save`] writes
/// every rule.
pub fn write_dumped_rule(out: &mut String, dumped: &NfMsg, r: crate::object::Rule) {
    let (m, r) = match crate::ruleset::creation_body(&dumped.body, &r, true) {
        Some(body) => (NfMsg::nft(msg::NEWRULE, 0, r.family, body), r),
        None => {
            // Rare (non-canonical wire form): the comments still show the
            // rule as dumped.
            let mut made = r.clone();
            crate::ruleset::prepare_rule(&mut made);
            made.attrs.handle = r.attrs.handle;
            (made.to_msg(msg::NEWRULE, 0), r)
        }
    };
    if let Some(kind) = write_header(out, &m) {
        out.push('\n');
        comment_lines(out, r.exprs());
        body_lines(out, &m, kind);
    }
}

/// Split a header line into tokens; quoted tokens are unescaped. Returns
/// (bytes, was_quoted) per token.
fn tokenize(line: &str) -> std::result::Result<Vec<(Vec<u8>, bool)>, String> {
    let b = line.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i].is_ascii_whitespace() {
            i += 1;
            continue;
        }
        if b[i] == b'"' {
            i += 1;
            let mut tok = Vec::new();
            loop {
                match b.get(i) {
                    None => return Err("unterminated quoted name".into()),
                    Some(b'"') => {
                        i += 1;
                        break;
                    }
                    Some(b'\\') => match b.get(i + 1) {
                        Some(b'\\') => {
                            tok.push(b'\\');
                            i += 2;
                        }
                        Some(b'"') => {
                            tok.push(b'"');
                            i += 2;
                        }
                        Some(b'x') => {
                            let h = line
                                .get(i + 2..i + 4)
                                .and_then(crate::util::unhex)
                                .ok_or("bad \\x escape in quoted name (need two hex digits)")?;
                            tok.push(h[0]);
                            i += 4;
                        }
                        _ => {
                            return Err("bad escape in quoted name (use \\\\, \\\" or \\xHH)".into())
                        }
                    },
                    Some(&c) => {
                        tok.push(c);
                        i += 1;
                    }
                }
            }
            if i < b.len() && !b[i].is_ascii_whitespace() {
                return Err("text right after a closing quote".into());
            }
            out.push((tok, true));
        } else {
            let start = i;
            while i < b.len() && !b[i].is_ascii_whitespace() {
                if b[i] == b'"' {
                    return Err("quote inside an unquoted name".into());
                }
                i += 1;
            }
            out.push((b[start..i].to_vec(), false));
        }
    }
    Ok(out)
}

/// A block being collected.
struct Pending<'a> {
    line: usize,
    kind: BlockKind,
    family: u8,
    names: Vec<Option<Vec<u8>>>,
    body: Vec<u8>,
    /// Where each body line's bytes start in `body`, with its line number.
    body_lines: Vec<(usize, usize)>,
    /// The `# [ expr ]` comment lines of the block: line number and text
    /// (from `[`).
    comments: Vec<(usize, &'a str)>,
}

/// The largest body a block may have: sixteen top-level attributes of the
/// largest size netlink can carry (an attribute's length is 16 bits; no
/// kernel object has more than a few such big ones).
pub const MAX_BODY: usize = 16 << 16;

/// The longest zero run a `(N)` may stand for: a run lies within one
/// attribute, which holds at most 65,535 bytes.
pub const MAX_ZERO_RUN: usize = 65535;

/// Bytes all bodies of a file may decode to: 16 MiB plus 64 per byte of
/// text (real save files decode to less than their text; only `(N)` zero
/// runs expand).
fn max_decoded(text_len: usize) -> usize {
    (16usize << 20).saturating_add(text_len.saturating_mul(64))
}

/// The number of bytes compact hex (`0a0b(12)0c`) stands for, without
/// decoding it; `None` when it is not compact hex or a zero run is longer
/// than [`MAX_ZERO_RUN`].
fn compact_len(h: &str) -> Option<usize> {
    let b = h.as_bytes();
    let mut n = 0usize;
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'(' {
            let end = i + 1 + b[i + 1..].iter().position(|&c| c == b')')?;
            let digits = &h[i + 1..end];
            if digits.is_empty() || digits.len() > 6 || !digits.bytes().all(|c| c.is_ascii_digit())
            {
                return None;
            }
            let run: usize = digits.parse().ok()?;
            if run > MAX_ZERO_RUN {
                return None;
            }
            n += run;
            i = end + 1;
        } else {
            if i + 2 > b.len() || !b[i].is_ascii_hexdigit() || !b[i + 1].is_ascii_hexdigit() {
                return None;
            }
            n += 1;
            i += 2;
        }
    }
    Some(n)
}

/// Attribute numbers [`check_nesting`] accepts are below this.
const MAX_ATTR_NUMBER: u16 = crate::nla::ATTR_NUMBER_LIMIT;

/// Nesting depth [`check_nesting`] accepts (nf_tables nests a few levels:
/// rule, expression list, expression, data, verdict).
const MAX_DEPTH: usize = 16;

/// Check `buf` (at offset `at` of the body) as an attribute stream, and
/// every attribute flagged `NLA_F_NESTED` in it, recursively: lengths within
/// bounds, zero padding, nothing left over. With `items`, every attribute
/// of this stream is checked as nested too (the elements of an expression
/// or set element list, which the kernel does not flag). Returns the body
/// offset of the first attribute that is not well-formed.
fn check_stream(
    buf: &[u8],
    at: usize,
    depth: usize,
    items: bool,
) -> std::result::Result<(), usize> {
    let mut pos = 0usize;
    let mut it = crate::nla::SliceIter::new(buf);
    for (ty, payload) in it.by_ref() {
        let start = pos;
        pos += align(NLA_HDRLEN + payload.len());
        if ty & NLA_TYPE_MASK >= MAX_ATTR_NUMBER {
            return Err(at + start);
        }
        if items || ty & crate::nla::NLA_F_NESTED != 0 {
            if depth >= MAX_DEPTH {
                return Err(at + start);
            }
            check_stream(payload, at + start + NLA_HDRLEN, depth + 1, false)?;
        }
    }
    if it.malformed() {
        return Err(at + pos);
    }
    Ok(())
}

/// [`check_stream`] of a whole body of `kind`: its list attribute (rule
/// expressions, set elements) is checked element by element.
fn check_nesting(body: &[u8], kind: BlockKind) -> std::result::Result<(), usize> {
    let mut pos = 0usize;
    let mut it = crate::nla::SliceIter::new(body);
    for (ty, payload) in it.by_ref() {
        let start = pos;
        pos += align(NLA_HDRLEN + payload.len());
        if ty & NLA_TYPE_MASK >= MAX_ATTR_NUMBER {
            return Err(start);
        }
        let list = kind.split_attr() == Some(ty & NLA_TYPE_MASK);
        if list || ty & crate::nla::NLA_F_NESTED != 0 {
            check_stream(payload, start + NLA_HDRLEN, 1, list)?;
        }
    }
    if it.malformed() {
        return Err(pos);
    }
    Ok(())
}

impl Pending<'_> {
    /// The save-file line holding body byte `off`.
    fn line_of(&self, off: usize) -> usize {
        let i = self.body_lines.partition_point(|&(start, _)| start <= off);
        match i.checked_sub(1).and_then(|i| self.body_lines.get(i)) {
            Some(&(_, line)) => line,
            None => self.line,
        }
    }
}

/// Check a rule body against its own comment lines and the typed decoder:
/// every expression that has a known name must decode as that expression,
/// and when the block has `# [ expr ]` lines they must list the same
/// expressions, in order (a body corrupted into another ruleset is caught
/// here rather than restored).
/// The first word of an expression's debug text (`payload` of `[ payload
/// load ... ]`), with or without the opening bracket.
fn first_word(s: &str) -> &str {
    s.trim_start_matches('[')
        .split_whitespace()
        .next()
        .unwrap_or("")
}

fn check_rule(p: &Pending<'_>, body: &Bytes) -> std::result::Result<(), (usize, String)> {
    let Some(rule) = RuleAttrs::parse(body) else {
        return Err((p.line, "body is not a well-formed rule".into()));
    };
    let exprs = rule.exprs.as_ref().map(|l| l.0.as_slice()).unwrap_or(&[]);
    // Where each expression's line is: the body lines after the first.
    // The line of each expression: where its element starts in the body.
    let mut starts = Vec::with_capacity(exprs.len());
    if let Some((mut at, end)) = split_list(body, 4) {
        while at + NLA_HDRLEN <= end {
            starts.push(at);
            at += align(u16::from_ne_bytes([body[at], body[at + 1]]) as usize).max(NLA_HDRLEN);
        }
    }
    let expr_line = |i: usize| starts.get(i).map_or(p.line, |&off| p.line_of(off));
    for (i, e) in exprs.iter().enumerate() {
        if let Some(what) = e.undecoded() {
            return Err((
                expr_line(i),
                format!(
                    "expression #{i} (`{}`) does not decode: {what} (corrupted body?)",
                    e.name()
                ),
            ));
        }
    }
    if let Some(what) = rule.undecoded_attr() {
        return Err((
            p.line,
            format!(
                "the body does not decode as the rule it should be: {what} is not what its number stands for (corrupted body?)"
            ),
        ));
    }
    if p.comments.is_empty() {
        return Ok(());
    }
    if p.comments.len() != exprs.len() {
        return Err((
            p.line,
            format!(
                "the comment lines list {} expression(s) but the body holds {} (corrupted body?)",
                p.comments.len(),
                exprs.len()
            ),
        ));
    }
    let mut d = String::new();
    for (i, (e, (line, c))) in exprs.iter().zip(&p.comments).enumerate() {
        d.clear();
        e.write_debug(&mut d);
        let (want, have) = (first_word(c), first_word(&d));
        if want != have {
            return Err((
                *line,
                format!(
                    "the comment shows a `{want}` expression but the body's expression #{i} is `{have}` (corrupted body?)"
                ),
            ));
        }
    }
    Ok(())
}

/// What in a block's body does not decode as its kind's attributes (see
/// [`crate::nla::Attribute::undecoded`]).
fn undecoded(kind: BlockKind, body: &Bytes) -> Option<String> {
    use crate::object::{
        element::SetElemsAttrs, ChainAttrs, FlowtableAttrs, ObjectAttrs, SetAttrs, TableAttrs,
    };
    match kind {
        BlockKind::Table => TableAttrs::parse(body)?.undecoded_attr(),
        BlockKind::Chain => ChainAttrs::parse(body)?.undecoded_attr(),
        BlockKind::Set => SetAttrs::parse(body)?.undecoded_attr(),
        BlockKind::Elements => SetElemsAttrs::parse(body)?.undecoded_attr(),
        BlockKind::Object => ObjectAttrs::parse(body)?.undecoded_attr(),
        BlockKind::Flowtable => FlowtableAttrs::parse(body)?.undecoded_attr(),
        BlockKind::Rule => RuleAttrs::parse(body)?.undecoded_attr(),
    }
}

fn finish(mut p: Pending<'_>) -> Result<Block> {
    let err = |m: String| Error::Input(format!("line {}: {m}", p.line));
    if p.body.is_empty() {
        return Err(err(format!("{} block has no body line", p.kind.keyword())));
    }
    if let Err(off) = check_nesting(&p.body, p.kind) {
        return Err(Error::Input(format!(
            "line {}: body is not a well-formed netlink attribute stream (at byte {off} of the {} block of line {}: a length, padding, nesting or attribute number is wrong)",
            p.line_of(off),
            p.kind.keyword(),
            p.line
        )));
    }
    let body = Bytes::from(std::mem::take(&mut p.body));
    if crate::nla::parse_all(&body).is_none() {
        return Err(err(
            "body is not a well-formed netlink attribute stream".into()
        ));
    }
    if p.kind == BlockKind::Rule {
        if let Err((line, m)) = check_rule(&p, &body) {
            return Err(Error::Input(format!("line {line}: {m}")));
        }
    }
    // (A rule's attributes were checked by check_rule, decoded once.)
    let what = match p.kind {
        BlockKind::Rule => None,
        kind => undecoded(kind, &body),
    };
    if let Some(what) = what {
        return Err(err(format!(
            "the body does not decode as the {} it should be: {what} is not what its number stands for (corrupted body?)",
            p.kind.keyword()
        )));
    }
    for (i, (&attr, want)) in p.kind.name_attrs().iter().zip(&p.names).enumerate() {
        let have = body_name(&body, attr);
        if &have != want {
            let what = match (p.kind, i) {
                (BlockKind::Table, _) | (_, 0) => "table",
                (BlockKind::Chain, _) | (BlockKind::Rule, _) => "chain",
                (BlockKind::Set, _) | (BlockKind::Elements, _) => "set",
                (BlockKind::Object, _) => "object",
                (BlockKind::Flowtable, _) => "flowtable",
            };
            return Err(err(format!(
                "header names {what} {} but the body has {what} {}",
                quote_name(want.as_deref()),
                quote_name(have.as_deref())
            )));
        }
    }
    // The handle is read-only to the kernel: it is kept beside the body.
    let (body, handle) = match take_handle(&body, p.kind) {
        Some((rest, handle, at, len)) => {
            for (start, _) in p.body_lines.iter_mut() {
                if *start > at {
                    *start = start.saturating_sub(len).max(at);
                }
            }
            (Bytes::from(rest), Some(handle))
        }
        None => (body, None),
    };
    let m = NfMsg::nft(p.kind.msg_type(), 0, p.family, Vec::new());
    let m = NfMsg { body, ..m };
    Ok(Block {
        line: p.line,
        kind: p.kind,
        op: crate::ruleset::creation_op(crate::object::create_form::message(m)),
        body_lines: p.body_lines,
        handle,
    })
}

/// The body without its top-level handle attribute, the handle, and where
/// and how many bytes were taken out; None when the body has no (well-formed,
/// 8-byte) handle.
fn take_handle(body: &[u8], kind: BlockKind) -> Option<(Vec<u8>, u64, usize, usize)> {
    let want = kind.handle_attr()?;
    let mut off = 0usize;
    let mut it = crate::nla::SliceIter::new(body);
    for (ty, payload) in it.by_ref() {
        let len = align(NLA_HDRLEN + payload.len());
        if ty & NLA_TYPE_MASK == want {
            let handle = u64::from_be_bytes(payload.try_into().ok()?);
            let end = (off + len).min(body.len());
            let mut rest = Vec::with_capacity(body.len() - (end - off));
            rest.extend_from_slice(&body[..off]);
            rest.extend_from_slice(&body[end..]);
            return Some((rest, handle, off, end - off));
        }
        off += len;
    }
    None
}

fn parse_header(line: &str, n: usize) -> Result<Pending<'static>> {
    let err = |m: String| Error::Input(format!("line {n}: {m}"));
    let toks = tokenize(line).map_err(&err)?;
    let (kw, quoted) = toks.first().ok_or_else(|| err("empty header".into()))?;
    let kw = std::str::from_utf8(kw).unwrap_or("");
    let kind = match BlockKind::from_keyword(kw) {
        Some(k) if !quoted => k,
        _ => {
            return Err(err(format!(
            "unknown block `{}` (expected table, chain, set, elements, object, flowtable or rule)",
            line.split_whitespace().next().unwrap_or("")
        )))
        }
    };
    let want = 2 + kind.name_attrs().len();
    if toks.len() != want {
        let usage = match kind {
            BlockKind::Table => "table FAMILY NAME",
            BlockKind::Chain => "chain FAMILY TABLE CHAIN",
            BlockKind::Set => "set FAMILY TABLE SET",
            BlockKind::Elements => "elements FAMILY TABLE SET",
            BlockKind::Object => "object FAMILY TABLE NAME",
            BlockKind::Flowtable => "flowtable FAMILY TABLE NAME",
            BlockKind::Rule => "rule FAMILY TABLE CHAIN",
        };
        return Err(err(format!(
            "{} header has {} words, expected {want} ({usage})",
            kind.keyword(),
            toks.len()
        )));
    }
    let fam_word = std::str::from_utf8(&toks[1].0).unwrap_or("");
    let family = match family::from_name(fam_word) {
        Some(f) if !toks[1].1 => f,
        _ => {
            return Err(err(format!(
                "unknown family `{}` (expected ip, ip6, inet, arp, bridge, netdev or 0-255)",
                String::from_utf8_lossy(&toks[1].0)
            )))
        }
    };
    let names = toks[2..]
        .iter()
        .map(|(b, q)| {
            if !q && b == b"-" {
                None
            } else {
                Some(b.clone())
            }
        })
        .collect();
    Ok(Pending {
        line: n,
        kind,
        family,
        names,
        body: Vec::new(),
        body_lines: Vec::new(),
        comments: Vec::new(),
    })
}

/// Parse a save file into blocks, each with its line number. Errors are
/// [`Error::Input`] naming the line and what is wrong. Every block is
/// checked before it is accepted, so that a corrupted file is refused
/// rather than sent as a different ruleset: sizes ([`MAX_ZERO_RUN`],
/// [`MAX_BODY`], and all bodies at most 16 MiB plus 64 bytes per byte of
/// text, checked before decoding), the structure of every attribute
/// stream down to each expression and set element (lengths, padding,
/// nesting, attribute numbers below [`crate::nla::ATTR_NUMBER_LIMIT`]),
/// every known attribute decoding as its type
/// ([`crate::nla::Attribute::undecoded`]), a rule's expressions matching
/// its `# [ expr ]` lines (when it has them), and the header's names.
pub fn parse_blocks(text: &str) -> Result<Vec<Block>> {
    let mut blocks = Vec::new();
    let mut cur: Option<Pending> = None;
    let mut seen_header = false;
    let budget = max_decoded(text.len());
    let mut decoded = 0usize;
    for (i, raw) in text.lines().enumerate() {
        let n = i + 1;
        let line = raw.trim_end();
        let trimmed = line.trim_start();
        if trimmed.is_empty() {
            continue;
        }
        if !seen_header {
            if line == HEADER || line == HEADER_V1 {
                seen_header = true;
                continue;
            }
            if let Some(v) = line.strip_prefix("nftwire-save ") {
                return Err(Error::Input(format!(
                    "line {n}: unsupported save format version {v:?} (this nftwire reads versions 1 and 2)"
                )));
            }
            return Err(Error::Input(format!(
                "line {n}: not an nftwire save file (the first line must be `{HEADER}`)"
            )));
        }
        if let Some(comment) = trimmed.strip_prefix('#') {
            // A rule's `# [ expr ]` lines are checked against its body.
            if let (Some(p), Some(c)) = (cur.as_mut(), comment.trim_start().strip_prefix('[')) {
                if trimmed.len() != line.len() && p.kind == BlockKind::Rule {
                    p.comments.push((n, c));
                }
            }
            continue;
        }
        if trimmed.len() != line.len() {
            // Indented: a line of the current block.
            let Some(p) = cur.as_mut() else {
                return Err(Error::Input(format!(
                    "line {n}: indented line outside a block"
                )));
            };
            let mut words = trimmed.split_whitespace();
            match (words.next(), words.next(), words.next()) {
                (Some("body"), Some(h), None) => {
                    // The size first, so a small file never makes a big
                    // allocation.
                    let Some(len) = compact_len(h) else {
                        return Err(Error::Input(format!(
                            "line {n}: body is not valid hex (need pairs of 0-9a-f digits, or (N) for N zero bytes, N at most {MAX_ZERO_RUN})"
                        )));
                    };
                    if p.body.len() + len > MAX_BODY {
                        return Err(Error::Input(format!(
                            "line {n}: the {} block of line {} decodes to more than {MAX_BODY} bytes, more than a netlink message of it can carry",
                            p.kind.keyword(),
                            p.line
                        )));
                    }
                    decoded += len;
                    if decoded > budget {
                        return Err(Error::Input(format!(
                            "line {n}: the bodies decode to more than {budget} bytes, far more than a save file of {} bytes can hold (zero runs `(N)` expand too much)",
                            text.len()
                        )));
                    }
                    match crate::util::unhex_compact(h) {
                        Some(b) => {
                            p.body_lines.push((p.body.len(), n));
                            p.body.extend_from_slice(&b);
                        }
                        None => {
                            return Err(Error::Input(format!(
                                "line {n}: body is not valid hex (need pairs of 0-9a-f digits, or (N) for N zero bytes)"
                            )))
                        }
                    }
                }
                (Some("body"), None, None) => {
                    return Err(Error::Input(format!("line {n}: body line without hex")))
                }
                (Some("body"), Some(_), Some(_)) => {
                    return Err(Error::Input(format!(
                        "line {n}: body line has more than one word of hex"
                    )))
                }
                (Some(w), _, _) => {
                    return Err(Error::Input(format!(
                    "line {n}: unknown line `{w}` in a block (expected `body HEX` or a # comment)"
                )))
                }
                (None, _, _) => continue,
            }
            continue;
        }
        if let Some(p) = cur.take() {
            blocks.push(finish(p)?);
        }
        cur = Some(parse_header(line, n)?);
    }
    if !seen_header {
        return Err(Error::Input(format!(
            "line 1: not an nftwire save file (empty; the first line must be `{HEADER}`)"
        )));
    }
    if let Some(p) = cur.take() {
        blocks.push(finish(p)?);
    }
    Ok(blocks)
}

/// Parse a save file into the creation batch it describes.
pub fn parse(text: &str) -> Result<Vec<BatchOp>> {
    Ok(parse_blocks(text)?.into_iter().map(|b| b.op).collect())
}

/// The operation that deletes every table of every family
/// (`NFT_MSG_DELTABLE` with family 0 and no attributes).
pub fn flush_op() -> BatchOp {
    BatchOp {
        msg: NfMsg::nft(msg::DELTABLE, 0, family::UNSPEC, Vec::new()),
        op: "TABLE_FLUSH".into(),
        what: "ruleset".into(),
    }
}

/// Replace the whole ruleset with `ops` in one atomic batch: a flush of
/// everything, then `ops`, sent with the generation id read just before.
/// When the ruleset changes in between, the generation is re-read and the
/// batch sent again after a short, growing pause (up to [`RESTORE_RETRIES`]
/// times). On any error nothing is
/// applied. The reply's echoes are indexed like `ops`.
pub fn replace_ruleset(conn: &mut Conn, ops: &[BatchOp]) -> Result<BatchReply> {
    let mut all = Vec::with_capacity(ops.len() + 1);
    all.push(flush_op());
    all.extend_from_slice(ops);
    for attempt in 0..RESTORE_RETRIES {
        let genid = conn.generation()?;
        match conn.batch(&all, Some(genid)) {
            Err(Error::GenerationChanged) => {
                // Back off a little (growing, up to ~10 ms) so that a busy
                // writer leaves a gap.
                let us = 50 * (1u64 << attempt.min(8));
                std::thread::sleep(std::time::Duration::from_micros(us));
                continue;
            }
            Err(e) => return Err(e),
            Ok(mut r) => {
                if !r.echoes.is_empty() {
                    r.echoes.remove(0);
                }
                return Ok(r);
            }
        }
    }
    Err(Error::GenerationChanged)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::expr::{Expr, RawExpr};
    use crate::nla::{Extra, RawAttr, Writer};
    use crate::object::{Chain, Rule, Table};
    use crate::ruleset::Ruleset;

    fn sample() -> Ruleset {
        let mut t = Table::named(2, "filter");
        t.attrs.handle = Some(7);
        t.attrs.use_count = Some(1);
        let mut c = Chain::regular(2, "filter", "svc:web");
        c.attrs.handle = Some(1);
        let mut w = Writer::new();
        w.put(1, &"zz\0".to_string()); // name with odd content
        let raw = Expr::Raw(RawExpr {
            elem_type: 1,
            body: Bytes::from_static(
                b"\x0c\x00\x01\x00frobnic\x00\x0c\x00\x02\x80\x08\x00\x01\x00\x00\x00\x00\x07",
            ),
        });
        let mut r = Rule::new(2, "filter", "svc:web", vec![raw]);
        r.attrs.handle = Some(3);
        r.attrs.position = Some(2);
        r.attrs.extra_mut().push(Extra {
            pos: 1,
            attr: RawAttr {
                ty: 0x4033, // unknown, but below ATTR_NUMBER_LIMIT
                payload: Bytes::from_static(&[1, 2, 3]),
            },
        });
        let mut weird = Table::named(10, "a b\"\\\u{e9}");
        weird.attrs.userdata = Some(Bytes::from_static(b"\x00\x03ab\x00"));
        Ruleset {
            tables: vec![t, weird],
            chains: vec![c],
            rules: vec![r],
            ..Default::default()
        }
    }

    #[test]
    fn roundtrip_is_byte_exact_and_stable() {
        let rs = sample();
        let text = to_string(&rs);
        assert!(
            text.starts_with("nftwire-save 2\ntable ip filter\n"),
            "{text}"
        );
        assert!(text.contains("\nchain ip filter svc:web\n"), "{text}");
        assert!(
            text.contains("\ntable ip6 \"a b\\\"\\\\\\xc3\\xa9\"\n"),
            "{text}"
        );
        assert!(text.contains("  # [ frobnic attr1=00000007 ]\n"), "{text}");
        let ops = parse(&text).unwrap();
        let want = rs.create_ops();
        assert_eq!(ops.len(), want.len());
        for (a, b) in ops.iter().zip(&want) {
            assert_eq!(a.msg, b.msg);
            assert_eq!(a.op, b.op);
            assert_eq!(a.what, b.what);
        }
        // The raw expression and the unknown rule attribute survive exactly.
        let rule = ops.last().unwrap();
        let back = RuleAttrs::parse(&rule.msg.body).unwrap();
        assert!(back.handle.is_none() && back.position.is_none());
        assert_eq!(back.extra().len(), 1);
        assert_eq!(back.extra()[0].attr.ty, 0x4033);
        assert!(back.exprs.as_ref().unwrap().0[0].is_raw());
        assert_eq!(back.to_bytes(), rule.msg.body.to_vec());
        let mut orig = rs.rules[0].attrs.clone();
        orig.handle = None;
        orig.position = None;
        assert_eq!(orig.to_bytes(), rule.msg.body.to_vec());
        // The file keeps the handles (beside the bodies once parsed); the
        // creation messages have none.
        assert_eq!(render_ops(&rs.save_ops()).unwrap(), text);
        let handles: Vec<_> = parse_blocks(&text)
            .unwrap()
            .iter()
            .map(|b| (b.kind, b.handle))
            .collect();
        assert_eq!(
            handles,
            [
                (BlockKind::Table, None),
                (BlockKind::Table, None),
                (BlockKind::Chain, Some(1)),
                (BlockKind::Rule, Some(3))
            ]
        );
    }

    #[test]
    fn version_1_files_are_read() {
        let v2 = to_string(&sample());
        let v1 = v2.replacen(HEADER, HEADER_V1, 1);
        let (a, b) = (parse(&v2).unwrap(), parse(&v1).unwrap());
        assert_eq!(a.len(), b.len());
        assert!(a.iter().zip(&b).all(|(x, y)| x.msg == y.msg));
    }

    fn err_of(text: &str) -> String {
        match parse(text) {
            Err(Error::Input(m)) => m,
            other => panic!("expected an input error, got {other:?}"),
        }
    }

    #[test]
    fn errors_name_the_line() {
        let good = to_string(&sample());
        assert!(err_of("").starts_with("line 1: not an nftwire save file"));
        assert!(err_of("nftwire-save 3\n").contains("version"));
        assert!(err_of("hello\n").starts_with("line 1:"));
        let e = err_of(&good.replacen("table ip filter", "tabel ip filter", 1));
        assert!(e.starts_with("line 2: unknown block `tabel`"), "{e}");
        let e = err_of(&good.replacen("table ip filter", "table ipx filter", 1));
        assert!(e.starts_with("line 2: unknown family"), "{e}");
        let e = err_of(&good.replacen("table ip filter", "table ip other", 1));
        assert!(
            e.contains("line 2: header names table other but the body has table filter"),
            "{e}"
        );
        let e = err_of(&good.replacen("table ip filter", "table ip filter x", 1));
        assert!(e.starts_with("line 2: table header has 4 words"), "{e}");
        let lines: Vec<&str> = good.lines().collect();
        let body3 = lines[2];
        let e = err_of(&good.replacen(body3, "  body 0g", 1));
        assert!(e.starts_with("line 3: body is not valid hex"), "{e}");
        let e = err_of(&good.replacen(body3, "  body 0800", 1));
        assert!(e.starts_with("line 3: body is not a well-formed"), "{e}");
        let e = err_of(&good.replacen(body3, "  bogus", 1));
        assert!(e.starts_with("line 3: unknown line `bogus`"), "{e}");
        let e = err_of(&good.replacen(body3, "", 1));
        assert!(e.starts_with("line 2: table block has no body"), "{e}");
        let e = err_of("nftwire-save 1\n  body 00\n");
        assert!(
            e.starts_with("line 2: indented line outside a block"),
            "{e}"
        );
        let e = err_of("nftwire-save 1\ntable ip \"abc\n");
        assert!(e.starts_with("line 2: unterminated"), "{e}");
        // Comments and blank lines are fine anywhere after the header.
        let commented = good.replacen(
            "\ntable ip filter\n",
            "\n\n# hi\ntable ip filter\n  # x\n",
            1,
        );
        assert_eq!(
            parse(&commented).unwrap().len(),
            parse(&good).unwrap().len()
        );
    }

    #[test]
    fn names_quote_and_unquote() {
        for n in [
            &b"INPUT"[..],
            b"svc:web",
            b"a b",
            b"-",
            b"",
            b"\x00\xff\"\\",
            b"x\ny",
        ] {
            let q = quote_name(Some(n));
            let toks = tokenize(&format!("table ip {q}")).unwrap();
            assert_eq!(toks[2].0, n, "{q}");
            assert!(!q.contains('\n'));
        }
        assert_eq!(quote_name(None), "-");
        assert_eq!(quote_name(Some(b"svc:web")), "svc:web");
    }

    #[test]
    fn body_lines_split_at_list_items() {
        let mut w = Writer::new();
        w.put(1, &"t".to_string());
        let n = w.begin(0x8004);
        w.put_raw(0x8001, &[0; 8]);
        w.put_raw(0x8001, &[1; 5]);
        w.end(n);
        w.put(7, &3u32);
        let segs = |b: &[u8], split| {
            let mut v: Vec<Vec<u8>> = Vec::new();
            body_segments(b, Some(split), |s| v.push(s.to_vec()));
            v
        };
        let s = segs(&w.buf, 4);
        assert_eq!(s.len(), 4);
        assert_eq!(s[1], w.buf[12..24]);
        assert_eq!(s.concat(), w.buf);
        assert_eq!(segs(&w.buf, 9), [w.buf.clone()]);
        assert_eq!(segs(&w.buf[..10], 4), [w.buf[..10].to_vec()]);
    }
}
