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
            // The text goes to a file beside FILE that replaces it only
            // once complete, so a failed save leaves FILE as it was.
            let mut f = ReplaceFile::new(p);
            let res = nftwire::save::save(&mut conn, 0, &mut f);
            match res {
                Ok(()) => f.commit().map_err(nftwire::Error::Io),
                Err(e) => {
                    f.discard();
                    Err(e)
                }
            }
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

/// Where `nftwire save FILE` writes: a new file beside FILE, created on
/// the first write and renamed over FILE by [`ReplaceFile::commit`]. An
/// existing FILE's permission bits are kept; when FILE is a symbolic link,
/// the file it points to is replaced and the link kept. A path that exists
/// and is not a regular file (`/dev/stdout`, a pipe), or a link to nothing,
/// is written directly.
struct ReplaceFile<'a> {
    path: &'a std::path::Path,
    /// The file that is replaced (FILE, or what it links to).
    target: std::path::PathBuf,
    /// The temporary file's path, once created (`None` when writing
    /// `path` directly).
    tmp: Option<std::path::PathBuf>,
    file: Option<std::io::BufWriter<std::fs::File>>,
}

impl<'a> ReplaceFile<'a> {
    fn new(path: &'a std::path::Path) -> Self {
        ReplaceFile {
            path,
            target: path.to_path_buf(),
            tmp: None,
            file: None,
        }
    }

    fn open(&mut self) -> std::io::Result<std::fs::File> {
        use std::fs::{self, OpenOptions};
        let direct = || {
            OpenOptions::new()
                .write(true)
                .create(true)
                .truncate(true)
                .open(self.path)
        };
        let link = fs::symlink_metadata(self.path).is_ok_and(|m| m.file_type().is_symlink());
        let existing = fs::metadata(self.path);
        match &existing {
            Ok(m) if !m.is_file() => return direct(),
            Err(_) if link => return direct(),
            _ => {}
        }
        if link {
            self.target = fs::canonicalize(self.path)?;
        }
        let name = self
            .target
            .file_name()
            .unwrap_or_default()
            .to_string_lossy();
        let tmp = self
            .target
            .with_file_name(format!(".{name}.nftwire-save.{}", std::process::id()));
        // create_new: never follows or reuses a file someone else put there.
        let f = OpenOptions::new().write(true).create_new(true).open(&tmp)?;
        self.tmp = Some(tmp);
        if let Ok(m) = existing {
            f.set_permissions(m.permissions())?;
        }
        Ok(f)
    }

    /// Flush and put the new file in place of FILE.
    fn commit(mut self) -> std::io::Result<()> {
        self.ensure_open()?;
        if let Some(f) = self.file.take() {
            f.into_inner().map_err(|e| e.into_error())?;
        }
        match self.tmp.take() {
            Some(tmp) => std::fs::rename(&tmp, &self.target).inspect_err(|_| {
                let _ = std::fs::remove_file(&tmp);
            }),
            None => Ok(()),
        }
    }

    /// The open file, created on the first call.
    fn ensure_open(&mut self) -> std::io::Result<&mut std::io::BufWriter<std::fs::File>> {
        if self.file.is_none() {
            let f = self.open()?;
            self.file = Some(std::io::BufWriter::with_capacity(1 << 20, f));
        }
        match self.file.as_mut() {
            Some(f) => Ok(f),
            None => Err(std::io::Error::other("save file not open")),
        }
    }

    /// Remove the new file (FILE is left as it was).
    fn discard(mut self) {
        self.file = None;
        if let Some(tmp) = self.tmp.take() {
            let _ = std::fs::remove_file(tmp);
        }
    }
}

impl std::io::Write for ReplaceFile<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.ensure_open()?.write(buf)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        match self.file.as_mut() {
            Some(f) => f.flush(),
            None => Ok(()),
        }
    }
}
