//! The `iptables`/`ip6tables` tool and the transaction runner shared with
//! restore.

use crate::model::{lib_err, MResult, Model, ModelErr};
use crate::parse::{cmd, opt, parse, Parsed};
use crate::{exec, show};
use nftwire::iptables::list::Format;
use nftwire::iptables::{tables, ExitCode, Family, IptError};
use nftwire::netlink::Conn;

/// How often a batch is rebuilt (or a read redone) after a concurrent
/// change.
pub const RETRIES: usize = 64;

/// Kernel refusals as iptables prints them (exit 4).
pub fn batch_err(e: nftwire::Error) -> IptError {
    match e {
        nftwire::Error::Kernel {
            errno, op, what, ..
        } => IptError::xt(
            ExitCode::Resource,
            format!("{op} failed ({}): {what}", nftwire::error::strerror(errno)),
        ),
        e => lib_err(e),
    }
}

/// Open a connection and check that the ruleset is readable.
pub fn connect() -> Result<Conn, IptError> {
    let mut c = Conn::open().map_err(lib_err)?;
    let g = c.generation().map_err(lib_err)?;
    CONNECT_GEN.set(Some(g));
    Ok(c)
}

thread_local! {
    /// The generation [`connect`] read (it fails early without
    /// CAP_NET_ADMIN): the first [`transact`] starts from it instead of
    /// asking again, since nothing was read in between.
    static CONNECT_GEN: std::cell::Cell<Option<u32>> = const { std::cell::Cell::new(None) };
}

/// The generation a read or change starts from: the one [`connect`] read
/// if nothing was asked since, else the kernel's current one.
pub fn start_generation(conn: &mut Conn) -> Result<u32, IptError> {
    match CONNECT_GEN.take() {
        Some(g) => Ok(g),
        None => conn.generation().map_err(lib_err),
    }
}

/// Build on a fresh model and commit, rebuilding on generation changes.
/// Returns what `build` wrote to stdout and the warnings.
pub fn transact<F>(
    conn: &mut Conn,
    family: Family,
    table: &str,
    dry_run: bool,
    build: F,
) -> Result<(String, Vec<String>), IptError>
where
    F: FnMut(&mut Model, &mut Conn, &mut String) -> MResult<()>,
{
    transact_from(conn, family, table, dry_run, None, build)
}

/// [`transact`] starting, if the ruleset generation is still `pre`'s, from
/// its model (read earlier, at that generation) instead of an empty one.
/// (The batch carries the generation too, so a change after this check
/// makes the kernel refuse it and the model is built again.)
pub fn transact_from<F>(
    conn: &mut Conn,
    family: Family,
    table: &str,
    dry_run: bool,
    mut pre: Option<(u32, Model)>,
    mut build: F,
) -> Result<(String, Vec<String>), IptError>
where
    F: FnMut(&mut Model, &mut Conn, &mut String) -> MResult<()>,
{
    for _ in 0..RETRIES {
        let genid = start_generation(conn)?;
        let read_before = pre.take().filter(|(g, _)| *g == genid).map(|(_, m)| m);
        let Some(mut m) = read_before.or_else(|| Model::new(family, table)) else {
            return Err(IptError::version(format!("table '{table}' does not exist")));
        };
        let mut out = String::new();
        match build(&mut m, conn, &mut out) {
            Ok(()) => {}
            Err(ModelErr::Again) => continue,
            Err(ModelErr::Ipt(e)) => return Err(e),
        }
        if m.ops.is_empty() || dry_run {
            // What was read came from several dumps: it is one snapshot
            // only if no change was committed in between.
            if conn.generation().map_err(lib_err)? != genid {
                continue;
            }
            return Ok((out, m.warnings));
        }
        match conn.batch(&m.ops, Some(genid)) {
            Ok(_) => return Ok((out, m.warnings)),
            Err(nftwire::Error::GenerationChanged) => continue,
            Err(e) => return Err(crate::refusals::report(e, conn, &m.ops)),
        }
    }
    Err(too_many_changes())
}

/// The error when every retry met a concurrent change.
pub fn too_many_changes() -> IptError {
    IptError::xt(ExitCode::Resource, "ruleset changed concurrently too often")
}

/// Print an error and return the exit status.
pub fn fail(e: &IptError, prog: &str, line: Option<usize>) -> i32 {
    eprint!(
        "{}",
        e.render(prog, nftwire::iptables::VERSION_STRING, line)
    );
    e.code as i32
}

/// Run one parsed command (list, save-like or change) on `conn`.
pub fn execute(
    conn: &mut Conn,
    family: Family,
    p: &Parsed,
) -> Result<(String, Vec<String>), IptError> {
    let table = p.table.clone();
    let chain = p.chain.clone();
    let listing = p.command & (cmd::LIST | cmd::LIST_RULES) != 0;
    let zero = p.command & (cmd::ZERO | cmd::ZERO_NUM) != 0;
    let mut listed = String::new();
    if listing {
        let (o, _) = transact(conn, family, &table, true, |m, conn, out| {
            if let Some(c) = &chain {
                if !m.chain_exists(conn, c)? && m.builtin.chain(c).is_none() {
                    return Err(IptError::op(exec::msgs::NO_CHAIN).into());
                }
                m.chain(conn, c)?;
            }
            if p.command & cmd::LIST != 0 {
                let fmt = Format {
                    numeric: p.options & opt::NUMERIC != 0,
                    verbose: p.options & opt::VERBOSE != 0,
                    exact: p.options & opt::EXPANDED != 0,
                    linenumbers: p.options & opt::LINENUMBERS != 0,
                    notable: false,
                };
                out.push_str(&show::list(m, conn, chain.as_deref(), p.rulenum, fmt)?);
            } else {
                out.push_str(&show::list_rules(
                    m,
                    conn,
                    chain.as_deref(),
                    p.rulenum,
                    p.options & opt::VERBOSE != 0,
                )?);
            }
            Ok(())
        })?;
        listed = o;
        if !zero {
            return Ok((listed, Vec::new()));
        }
    }
    let mut q = p.clone();
    if listing {
        q.command &= !(cmd::LIST | cmd::LIST_RULES);
    }
    // What `-v` printed before a failure is printed too (1.8.11 echoes a
    // rule before the kernel refuses it).
    let mut partial = String::new();
    let r = transact(conn, family, &table, false, |m, conn, out| {
        let r = exec::run(m, conn, &q, out);
        if r.is_err() {
            partial.clone_from(out);
        }
        r
    });
    match r {
        Ok((o, w)) => Ok((listed + &o, w)),
        Err(e) => {
            PARTIAL.with(|p| *p.borrow_mut() = listed + &partial);
            Err(e)
        }
    }
}

thread_local! {
    /// The output of a command that failed, printed after its error as
    /// 1.8.11's buffered stdout comes out at exit.
    static PARTIAL: std::cell::RefCell<String> = const { std::cell::RefCell::new(String::new()) };
}

/// `iptables ARGS...` (`prog` is `iptables` or `ip6tables`).
pub fn main(family: Family, args: Vec<String>) -> i32 {
    let prog = family.cmd();
    let p = match parse(family, args, "filter", false, prog) {
        Ok(p) => p,
        Err(e) => return fail(&e, prog, None),
    };
    if let Some(s) = &p.stdout {
        print!("{s}");
        return 0;
    }
    if tables::table(&p.table).is_none() {
        return fail(
            &IptError::version(format!("table '{}' does not exist", p.table)),
            prog,
            None,
        );
    }
    let mut conn = match connect() {
        Ok(c) => c,
        Err(e) => return fail(&e, prog, None),
    };
    if p.command & (cmd::LIST | cmd::LIST_RULES) != 0 {
        legacy_warning(family, false);
    }
    match execute(&mut conn, family, &p) {
        Ok((out, warnings)) => {
            print!("{out}");
            for w in warnings {
                eprintln!("{w}");
            }
            0
        }
        Err(e) => {
            let rc = fail(&e, prog, None);
            print!("{}", PARTIAL.with(|p| std::mem::take(&mut *p.borrow_mut())));
            let _ = std::io::Write::flush(&mut std::io::stdout());
            rc
        }
    }
}

/// The note iptables-nft prints when the legacy (x_tables) backend has
/// tables in this network namespace too (`save`: for the save tools).
pub fn legacy_warning(family: Family, save: bool) {
    let (path, p) = match family {
        Family::V4 => ("/proc/net/ip_tables_names", "ip"),
        Family::V6 => ("/proc/net/ip6_tables_names", "ip6"),
    };
    if std::fs::read(path).is_ok_and(|b| !b.is_empty()) {
        let s = if save { "-save" } else { "" };
        eprintln!(
            "# Warning: {p}tables-legacy tables present, use {p}tables-legacy{s} to see them"
        );
    }
}
