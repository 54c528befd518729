//! `nftwire save [FILE]`: write the whole ruleset (all families) in the
//! lossless save format ([`nftwire::save`]), to FILE or standard output.
//! Exit codes: 0 done, 1 failure, 4 not permitted (no CAP_NET_ADMIN).

use super::save_file::SaveFile;
use nftwire::netlink::Conn;

/// Arguments of `nftwire save`.
#[derive(clap::Args)]
pub struct Args {
    /// Where to write the save file (standard output when absent or `-`).
    pub file: Option<std::path::PathBuf>,
    /// Follow FILE even when it is a symbolic link owned by someone other
    /// than you or root (such links are refused otherwise).
    #[arg(long)]
    pub follow: bool,
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
    let path = a.file.filter(|p| p.as_os_str() != "-");
    // The destination first: a refused path changes nothing and reads
    // nothing.
    let dest = match &path {
        Some(p) => match SaveFile::open(p, a.follow) {
            Ok(f) => Some(f),
            Err(e) => {
                eprintln!("nftwire: save: {e}");
                return Ok(1);
            }
        },
        None => None,
    };
    let mut conn = match Conn::open() {
        Ok(c) => c,
        Err(e) => {
            eprintln!("nftwire: save: {e}");
            if let Some(f) = dest {
                f.discard();
            }
            return Ok(lib_exit_code(&e));
        }
    };
    let shown = match &path {
        Some(p) => p.display().to_string(),
        None => "standard output".into(),
    };
    let res = match dest {
        None => nftwire::save::save(&mut conn, 0, &mut std::io::stdout().lock()),
        // The text goes to a new file that replaces FILE only once complete,
        // so a failed save leaves FILE as it was.
        Some(mut f) => match nftwire::save::save(&mut conn, 0, &mut f) {
            Ok(()) => match f.commit() {
                Ok(()) => Ok(()),
                Err(e) => {
                    eprintln!("nftwire: save: {e}");
                    return Ok(1);
                }
            },
            Err(e) => {
                f.discard();
                Err(e)
            }
        },
    };
    match res {
        Ok(()) => Ok(0),
        Err(nftwire::Error::Io(e)) => {
            eprintln!("nftwire: save: cannot write {shown}: {e}");
            Ok(1)
        }
        Err(e) => {
            eprintln!("nftwire: save: {e}");
            Ok(lib_exit_code(&e))
        }
    }
}
