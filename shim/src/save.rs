//! `iptables-save` / `ip6tables-save`.

use crate::getopt::{Getopt, Got, HasArg, LongOpt, Val};
use crate::kernel;
use crate::model::{lib_err, Model, ModelErr};
use crate::run::{connect, fail, start_generation, too_many_changes, RETRIES};
use crate::show;
use nftwire::iptables::{tables, Family, IptError};
use nftwire::netlink::Conn;

/// Run the save tool; `prog` is the name it was invoked as.
pub fn main(family: Family, prog: &str, args: Vec<String>) -> i32 {
    let l = |n: &'static str, h: HasArg, c: char| LongOpt {
        name: n,
        has_arg: h,
        val: Val::Base(c),
    };
    // 1.8.11's table, in its order (no long form of -b).
    let long = vec![
        l("counters", HasArg::No, 'c'),
        l("version", HasArg::No, 'V'),
        l("dump", HasArg::No, 'd'),
        l("table", HasArg::Required, 't'),
        l("modprobe", HasArg::Required, 'M'),
        l("file", HasArg::Required, 'f'),
    ];
    let mut g = Getopt::new(args);
    let mut table: Option<String> = None;
    let mut counters = false;
    let mut file: Option<String> = None;
    loop {
        match g.next("bcdt:M:f:V", &[&long]) {
            Got::End => break,
            Got::Opt(Val::Base('b'), _) => eprintln!("-b/--binary option is not implemented"),
            Got::Opt(Val::Base('c'), _) => counters = true,
            Got::Opt(Val::Base('t'), a) => table = a,
            Got::Opt(Val::Base('M'), _) | Got::Opt(Val::Base('d'), _) => {}
            Got::Opt(Val::Base('f'), a) => file = a,
            Got::Opt(Val::Base('V'), _) => {
                println!("{prog} v{}", nftwire::iptables::VERSION_STRING);
                return 0;
            }
            Got::NonOpt(_) => {
                // getopt permutes: a stray word ends up after the options
                eprintln!("Unknown arguments found on commandline");
                return 1;
            }
            other => {
                if let Some(m) = other.complaint(g.args.first().map_or(prog, |a| a), &[&long]) {
                    eprintln!("{m}");
                }
                eprintln!("Look at manual page `{prog}.8' for more information.");
                return 1;
            }
        }
    }
    let mut conn = match connect() {
        Ok(c) => c,
        Err(e) => return fail(&e, prog, None),
    };
    let names: Vec<&str> = match &table {
        Some(t) => {
            if tables::table(t).is_none() {
                eprintln!("Table `{t}' does not exist");
                return 1;
            }
            vec![t.as_str()]
        }
        None => tables::TABLES.iter().map(|t| t.name).collect(),
    };
    let out = match save_tables(&mut conn, family, &names, table.is_some(), prog, counters) {
        Ok(o) => o,
        Err((done, e)) => {
            print!("{done}");
            return fail(&e, prog, None);
        }
    };
    match file {
        Some(f) => {
            if let Err(e) = std::fs::write(&f, out) {
                eprintln!("Failed to open file, error: {e}");
                return 1;
            }
        }
        None => print!("{out}"),
    }
    crate::run::legacy_warning(family, true);
    0
}

/// The save text of `names`, all read in one snapshot: one table dump and
/// one chain dump for them all, then each table's rules; everything is read
/// again if the generation moved meanwhile. Tables that do not exist are
/// left out unless named explicitly. On an error, the text of the tables
/// before the failing one comes back with it (iptables-save prints those).
fn save_tables(
    conn: &mut Conn,
    family: Family,
    names: &[&str],
    explicit: bool,
    prog: &str,
    counters: bool,
) -> Result<String, (String, IptError)> {
    let fam = family.nfproto();
    'read: for _ in 0..RETRIES {
        let genid = start_generation(conn).map_err(|e| (String::new(), e))?;
        let lib = |e| (String::new(), lib_err(e));
        let existing = kernel::table_names(conn, fam).map_err(lib)?;
        let present: Vec<&str> = names
            .iter()
            .copied()
            .filter(|n| existing.iter().any(|e| e == n))
            .collect();
        let mut chains = if present.is_empty() {
            Vec::new()
        } else {
            kernel::dump_chains_of(conn, fam, &present).map_err(lib)?
        };
        let mut chains_of = |t: &str| {
            present
                .iter()
                .position(|p| *p == t)
                .map(|i| std::mem::take(&mut chains[i]))
                .unwrap_or_default()
        };
        let mut out = String::new();
        for &t in names {
            let exists = present.contains(&t);
            if !explicit && !exists {
                continue;
            }
            let Some(mut m) = Model::new(family, t) else {
                continue;
            };
            m.preload(exists, chains_of(t));
            match show::save_table(&mut m, conn, prog, counters) {
                Ok(s) => out.push_str(&s),
                Err(ModelErr::Again) => continue 'read,
                Err(ModelErr::Ipt(e)) => return Err((out, e)),
            }
        }
        if conn.generation().map_err(|e| (String::new(), lib_err(e)))? == genid {
            return Ok(out);
        }
    }
    Err((String::new(), too_many_changes()))
}
