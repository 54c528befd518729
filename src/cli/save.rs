//! `nftwire save [FILE]`: write the whole ruleset (all families) in the
//! lossless save format ([`nftwire::save`]), to FILE or standard output.
//! Exit codes: 0 done, 1 failure, 4 not permitted (no CAP_NET_ADMIN).

use nftwire::netlink::Conn;

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
    let mut conn = match Conn::open() {
        Ok(c) => c,
        Err(e) => {
            eprintln!("nftwire: save: {e}");
            return Ok(lib_exit_code(&e));
        }
    };
    let path = a.file.filter(|p| p.as_os_str() != "-");
    let res = match &path {
        None => {
            let mut out = std::io::stdout().lock();
            nftwire::save::save(&mut conn, 0, &mut out)
        }
        Some(p) => {
            // The file is created only when the text is ready, so a failed
            // read leaves an existing file as it was.
            let mut f = LazyFile {
                path: p,
                file: None,
            };
            nftwire::save::save(&mut conn, 0, &mut f)
        }
    };
    match res {
        Ok(()) => Ok(0),
        Err(nftwire::Error::Io(e)) => {
            match &path {
                Some(p) => eprintln!("nftwire: save: cannot write {}: {e}", p.display()),
                None => eprintln!("nftwire: save: cannot write to standard output: {e}"),
            }
            Ok(1)
        }
        Err(e) => {
            eprintln!("nftwire: save: {e}");
            Ok(lib_exit_code(&e))
        }
    }
}

/// A file opened (created or truncated) on the first write.
struct LazyFile<'a> {
    path: &'a std::path::Path,
    file: Option<std::io::BufWriter<std::fs::File>>,
}

impl std::io::Write for LazyFile<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if self.file.is_none() {
            let f = std::fs::File::create(self.path)?;
            self.file = Some(std::io::BufWriter::with_capacity(1 << 20, f));
        }
        match self.file.as_mut() {
            Some(f) => f.write(buf),
            None => Ok(0),
        }
    }

    fn flush(&mut self) -> std::io::Result<()> {
        match self.file.as_mut() {
            Some(f) => f.flush(),
            None => Ok(()),
        }
    }
}
