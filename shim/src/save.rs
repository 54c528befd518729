//! `iptables-save` / `ip6tables-save`.

use crate::getopt::{Getopt, Got, HasArg, LongOpt, Val};
use crate::model::ModelErr;
use crate::run::{connect, fail, transact};
use crate::show;
use nftwire::iptables::{tables, Family};

/// Run the save tool; `prog` is the name it was invoked as.
pub fn main(family: Family, prog: &str, args: Vec<String>) -> i32 {
    let l = |n: &str, h: HasArg, c: char| LongOpt {
        name: n.into(),
        has_arg: h,
        val: Val::Base(c),
    };
    let long = vec![
        l("binary", HasArg::No, 'b'),
        l("counters", HasArg::No, 'c'),
        l("dump", HasArg::No, 'd'),
        l("table", HasArg::Required, 't'),
        l("modprobe", HasArg::Required, 'M'),
        l("file", HasArg::Required, 'f'),
        l("version", HasArg::No, 'V'),
    ];
    let mut g = Getopt::new(args);
    let mut table: Option<String> = None;
    let mut counters = false;
    let mut file: Option<String> = None;
    loop {
        match g.next("bcdt:M:f:V", &long) {
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
            _ => {
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
    let mut out = String::new();
    for t in names {
        let explicit = table.is_some();
        let r = transact(&mut conn, family, t, true, |m, conn, o| {
            if !explicit && !m.table_exists(conn)? {
                return Ok(());
            }
            o.push_str(&show::save_table(m, conn, prog, counters)?);
            Ok::<(), ModelErr>(())
        });
        match r {
            Ok((o, _)) => out.push_str(&o),
            Err(e) => {
                print!("{out}");
                return fail(&e, prog, None);
            }
        }
    }
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
