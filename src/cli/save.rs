//! `nftwire save [FILE]`: write the whole ruleset (all families) in the
//! lossless save format ([`nftwire::save`]), to FILE or standard output.
//! Exit codes: 0 done, 1 failure, 4 not permitted (no CAP_NET_ADMIN).

use nftwire::netlink::Conn;
use nftwire::ruleset::Ruleset;

/// Arguments of `nftwire save`.
#[derive(clap::Args)]
pub struct Args {
    /// Where to write the save file (standard output when absent or `-`).
    pub file: Option<std::path::PathBuf>,
}

/// Exit code for a library error: 4 when not permitted, 1 otherwise.
pub fn lib_exit_code(e: &nftwire::Error) -> i32 {
    match e {
        nftwire::Error::Permission(_) => 4,
        nftwire::Error::Kernel { errno, .. } if *errno == 1 || *errno == 13 => 4,
        _ => 1,
    }
}

/// Run the subcommand; returns the exit code.
pub fn run(a: Args) -> anyhow::Result<i32> {
    let rs = match Conn::open().and_then(|mut c| Ruleset::read(&mut c, 0)) {
        Ok(rs) => rs,
        Err(e) => {
            eprintln!("nftwire: save: {e}");
            return Ok(lib_exit_code(&e));
        }
    };
    let res = match a.file.as_deref() {
        None => write_stdout(&rs),
        Some(p) if p.as_os_str() == "-" => write_stdout(&rs),
        Some(p) => std::fs::File::create(p)
            .and_then(|f| {
                let mut bw = std::io::BufWriter::new(f);
                nftwire::save::write_to(&rs, &mut bw)
            })
            .map_err(|e| format!("cannot write {}: {e}", p.display())),
    };
    match res {
        Ok(()) => Ok(0),
        Err(m) => {
            eprintln!("nftwire: save: {m}");
            Ok(1)
        }
    }
}

fn write_stdout(rs: &Ruleset) -> Result<(), String> {
    let mut out = std::io::stdout().lock();
    nftwire::save::write_to(rs, &mut out)
        .map_err(|e| format!("cannot write to standard output: {e}"))
}
