//! `nftwire restore [FILE|-]`: replace the whole ruleset with a save file in
//! one atomic batch (flush everything, then recreate), or change nothing.
//!
//! Exit codes: 0 done; 1 bad save file, unreadable input or a kernel
//! rejection (the message names the object and its save-file line); 4 not
//! permitted (no CAP_NET_ADMIN). Tables owned by another process (`flags
//! owner`) cannot be flushed: restoring one is refused (exit 1), others are
//! left in place with a warning.

use super::save::lib_exit_code;
use nftwire::consts::msg;
use nftwire::netlink::{Conn, ErrorAt};
use nftwire::object::{family_name, Obj, TableAttrs};
use nftwire::save::{body_name, quote_name, BlockKind};
use std::io::Read;

/// Arguments of `nftwire restore`.
#[derive(clap::Args)]
pub struct Args {
    /// The save file (standard input when absent or `-`).
    pub file: Option<std::path::PathBuf>,
}

/// Run the subcommand; returns the exit code.
pub fn run(a: Args) -> anyhow::Result<i32> {
    let (label, text) = match a.file.as_deref() {
        Some(p) if p.as_os_str() != "-" => match std::fs::read(p) {
            Ok(b) => (p.display().to_string(), b),
            Err(e) => {
                eprintln!("nftwire: restore: cannot read {}: {e}", p.display());
                return Ok(1);
            }
        },
        _ => {
            let mut b = Vec::new();
            if let Err(e) = std::io::stdin().lock().read_to_end(&mut b) {
                eprintln!("nftwire: restore: cannot read standard input: {e}");
                return Ok(1);
            }
            ("<stdin>".to_string(), b)
        }
    };
    // Save files are ASCII; report the line of the first bad byte.
    let text = match super::utf8_text(&label, text) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("nftwire: restore: {e}; nothing was changed");
            return Ok(1);
        }
    };
    let blocks = match nftwire::save::parse_blocks(&text) {
        Ok(b) => b,
        Err(e) => {
            eprintln!(
                "nftwire: restore: {label}: {}; nothing was changed",
                super::clip(&e.to_string())
            );
            return Ok(1);
        }
    };
    let in_file: Vec<(u8, Vec<u8>)> = blocks
        .iter()
        .filter(|b| b.kind == BlockKind::Table)
        .filter_map(|b| Some((b.op.msg.family, body_name(&b.op.msg.body, 1)?)))
        .collect();
    // Objects are created in the order of their saved handles, so that they
    // get them back (restore_plan); if the kernel refuses that order, the
    // file's own order is tried, as restore did before handles were saved.
    let label_op = |p: nftwire::restore_plan::PlannedOp| {
        let mut op = p.op;
        if let Some(b) = p.block.and_then(|i| blocks.get(i)) {
            op.what = format!("{}, {label} line {}", op.what, b.line);
        }
        (op, p.block)
    };
    let mut notes = Vec::new();
    let mut first = None;
    if nftwire::restore_plan::has_handles(&blocks) {
        let plan = nftwire::restore_plan::plan(&blocks);
        notes = plan.notes;
        first = Some(plan.ops);
    }
    // The file's order: the only plan for files without handles, the
    // fallback for the others (made only when needed).
    let attempts = if first.is_some() { 2 } else { 1 };
    let fail = |e: nftwire::Error| {
        let code = lib_exit_code(&e);
        let e = super::clip(&e.to_string());
        if code == 4 {
            eprintln!("nftwire: restore: {e}");
        } else {
            eprintln!("nftwire: restore: {e}; nothing was changed");
        }
        Ok(code)
    };
    let mut conn = match Conn::open() {
        Ok(c) => c,
        Err(e) => return fail(e),
    };
    // Permission problems show up here, with a clear message.
    if let Err(e) = conn.generation() {
        return fail(e);
    }
    // Tables owned by another process (`flags owner`) survive the flush and
    // only their owner may change them.
    let owned = match owned_tables(&mut conn) {
        Ok(o) => o,
        Err(e) => return fail(e),
    };
    for (family, name, port) in &owned {
        if in_file.iter().any(|(f, n)| f == family && n == name) {
            eprintln!(
                "nftwire: restore: table {} {} belongs to another process (netlink port {port}, \
                 flags owner); only that process can replace it; nothing was changed",
                family_name(*family),
                quote_name(Some(name))
            );
            return Ok(1);
        }
    }
    let mut refused = String::new();
    for n in 0..attempts {
        let planned: Vec<_> = match first.take() {
            Some(ops) => ops,
            None => nftwire::restore_plan::file_order(&blocks),
        }
        .into_iter()
        .map(label_op)
        .collect();
        let ops: Vec<_> = planned.iter().map(|(op, _)| op.clone()).collect();
        let e = match nftwire::save::replace_ruleset(&mut conn, &ops) {
            Ok(_) => {
                if n == 0 {
                    for note in &notes {
                        eprintln!("nftwire: restore: warning: {label}: {note}");
                    }
                }
                if n > 0 {
                    eprintln!(
                        "nftwire: restore: warning: the kernel refused to recreate the ruleset in \
                         the order of its saved handles ({refused}); it was restored in the \
                         file's order, with the handles the kernel gave"
                    );
                }
                for (family, name, port) in &owned {
                    eprintln!(
                        "nftwire: restore: warning: table {} {} belongs to another process \
                         (netlink port {port}, flags owner) and was left as it is",
                        family_name(*family),
                        quote_name(Some(name))
                    );
                }
                return Ok(0);
            }
            Err(e) => e,
        };
        if lib_exit_code(&e) == 4 {
            return fail(e);
        }
        if n + 1 < attempts && matches!(e, nftwire::Error::Kernel { .. }) {
            refused = super::clip(&e.to_string());
            continue;
        }
        // Say where the kernel points, when it does.
        let block = |i: usize| planned.get(i - 1).and_then(|(_, b)| *b).map(|b| &blocks[b]);
        return match conn.last_error_at() {
            // Reported against the first message (the flush): the
            // kernel refused the batch as a whole, at commit.
            Some(ErrorAt { op: Some(0), .. }) | Some(ErrorAt { op: None, .. }) => {
                eprintln!(
                    "nftwire: restore: {label}: the kernel refused the new ruleset as a whole \
                     ({}) without naming an object (it checks jumps and loops, and which \
                     expressions each chain's hook allows, when committing); nothing was changed",
                    errno_text(&e)
                );
                Ok(1)
            }
            Some(ErrorAt {
                op: Some(i),
                body_offset: Some(off),
            }) if i >= 1 && block(i).is_some() => {
                let line = block(i).map_or(0, |b| b.line_of(off));
                eprintln!(
                    "nftwire: restore: {label}: line {line}: {}; nothing was changed",
                    super::clip(&e.to_string())
                );
                Ok(1)
            }
            _ => fail(e),
        };
    }
    Ok(1)
}

/// The errno text of a kernel refusal (or the whole error otherwise).
fn errno_text(e: &nftwire::Error) -> String {
    match e {
        nftwire::Error::Kernel { errno, ext_msg, .. } => match ext_msg {
            Some(m) => format!("{}: {m}", nftwire::error::strerror(*errno)),
            None => nftwire::error::strerror(*errno),
        },
        e => e.to_string(),
    }
}

/// Tables with the owner flag: (family, name, owner's netlink port).
fn owned_tables(conn: &mut Conn) -> nftwire::Result<Vec<(u8, Vec<u8>, u32)>> {
    let msgs = conn.dump(msg::GETTABLE, 0, Vec::new())?;
    Ok(msgs
        .iter()
        .filter(|m| m.msg() == msg::NEWTABLE)
        .filter_map(|m| {
            let t = Obj::<TableAttrs>::from_msg(m)?;
            (t.attrs.flags.unwrap_or(0) & TABLE_F_OWNER != 0).then(|| {
                (
                    m.family,
                    body_name(&m.body, 1).unwrap_or_default(),
                    t.attrs.owner.unwrap_or(0),
                )
            })
        })
        .collect())
}

/// `NFT_TABLE_F_OWNER`.
const TABLE_F_OWNER: u32 = 2;
