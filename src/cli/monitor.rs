//! `nftwire monitor`: print nf_tables events as they happen.

use nftwire::monitor::{EventObject, Monitor};
use nftwire::object::family_name;
use std::io::Write;

/// Arguments of `nftwire monitor`.
#[derive(clap::Args)]
pub struct Args {
    /// Stop after this many events (default: run until interrupted).
    #[arg(long)]
    pub count: Option<usize>,
}

fn line(e: &nftwire::monitor::Event) -> String {
    let verb = if e.added { "new" } else { "delete" };
    match &e.object {
        EventObject::Table(t) => format!("{verb} table {} {}", family_name(t.family), t.name()),
        EventObject::Chain(c) => format!(
            "{verb} chain {} {} {}",
            family_name(c.family),
            c.table(),
            c.name()
        ),
        EventObject::Rule(r) => {
            let exprs: Vec<String> = r.exprs().iter().map(|x| x.to_string()).collect();
            format!(
                "{verb} rule {} {} {} handle {}: {}",
                family_name(r.family),
                r.table(),
                r.chain(),
                r.attrs.handle.unwrap_or(0),
                exprs.join(" ")
            )
        }
        EventObject::Set(s) => format!(
            "{verb} set {} {} {}",
            family_name(s.family),
            s.table(),
            s.name()
        ),
        EventObject::Elements(el) => format!(
            "{verb} elements {} {} {} ({} elements)",
            family_name(el.family),
            el.attrs.table.as_deref().unwrap_or(""),
            el.attrs.set.as_deref().unwrap_or(""),
            el.attrs.elems.as_ref().map(|l| l.0.len()).unwrap_or(0)
        ),
        EventObject::Object(o) => format!(
            "{verb} object {} {} {}",
            family_name(o.family),
            o.table(),
            o.name()
        ),
        EventObject::Flowtable(f) => format!(
            "{verb} flowtable {} {} {}",
            family_name(f.family),
            f.attrs.table.as_deref().unwrap_or(""),
            f.attrs.name.as_deref().unwrap_or("")
        ),
        EventObject::Generation(g) => format!(
            "generation {} by {} (pid {})",
            g.id.unwrap_or(0),
            g.proc_name.as_deref().unwrap_or("?"),
            g.proc_pid.unwrap_or(0)
        ),
        EventObject::Other(m) => format!("message type {:#x}", m.ty),
    }
}

/// Run the subcommand; returns the exit code.
pub fn run(a: Args) -> anyhow::Result<i32> {
    if a.count == Some(0) {
        // Nothing to wait for.
        return Ok(0);
    }
    let mut mon = match Monitor::open() {
        Ok(m) => m,
        Err(e) if matches!(e.errno(), Some(1 | 13)) => {
            eprintln!(
                "nftwire: monitor: cannot listen to nf_tables events: {} (you must be root)",
                nftwire::error::strerror(e.errno().unwrap_or(1))
            );
            return Ok(4);
        }
        Err(e) => return Err(e.into()),
    };
    let mut n = 0usize;
    let stdout = std::io::stdout();
    loop {
        for e in mon.next_events()? {
            let mut out = stdout.lock();
            writeln!(out, "{}", line(&e))?;
            out.flush()?;
            n += 1;
            if a.count.is_some_and(|c| n >= c) {
                return Ok(0);
            }
        }
    }
}
