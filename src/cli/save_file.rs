//! Where `nftwire save FILE` writes, safely beside other users.
//!
//! * **Symbolic links.** FILE (and every link it leads through) is followed
//!   only when the link belongs to the caller or to root; a link anyone else
//!   owns (one planted in a shared directory like `/tmp`) is refused with an
//!   error naming it and its owner, unless `--follow` is given. A link to
//!   nothing is always refused.
//! * **Replacing.** A regular file (or a new one) is replaced atomically: the
//!   text goes to an unnamed file (`O_TMPFILE`) in the target's directory,
//!   which is linked under a random name there and renamed over the target
//!   only once complete. Nothing is left behind when the save fails or is
//!   killed (an unnamed file vanishes with the process). Where `O_TMPFILE`
//!   is not supported, a random-named file is created with
//!   `O_CREAT|O_EXCL|O_NOFOLLOW` (a name someone else took is skipped,
//!   never reused) and removed on failure and on SIGTERM, SIGINT or SIGHUP.
//! * **Permissions.** A new save file is mode 0600. A replaced file keeps its
//!   owner's and group's permission bits, never more, and loses those of
//!   others: a ruleset is never left readable or writable by everyone.
//! * Anything else that exists (`/dev/stdout`, a pipe, a device) is written
//!   directly, without creating or truncating anything.
//!
//! Setting `NFTWIRE_SAVE_NAMED_TEMP=1` makes the replacement use the named
//! temporary file even where `O_TMPFILE` works (for tests of that path).

use nix::errno::Errno;
use nix::fcntl::{AtFlags, OFlag};
use nix::sys::stat::Mode;
use std::fs::File;
use std::io::{self, Write};
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

/// Links followed at most (as the kernel's `MAXSYMLINKS`).
const MAX_HOPS: usize = 40;

/// Random temporary names tried before giving up.
const NAME_TRIES: usize = 64;

/// An open save destination: write the text, then [`SaveFile::commit`] or
/// [`SaveFile::discard`].
pub struct SaveFile {
    out: io::BufWriter<File>,
    how: How,
}

/// How the written file reaches its place.
enum How {
    /// Written in place (a device, a pipe): nothing to do at the end.
    Direct,
    /// A temporary file in `dir`, put in place of `name` by commit.
    Replace {
        /// The directory of the target, open.
        dir: OwnedFd,
        /// The target's path, for messages.
        target: PathBuf,
        /// The target's file name in `dir`.
        name: std::ffi::OsString,
        /// The temporary file's name in `dir` (`None` for an unnamed one).
        temp: Option<std::ffi::CString>,
    },
}

/// An error that already names what went wrong and with which file.
pub struct SaveFileError(pub String);

impl std::fmt::Display for SaveFileError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

fn err(msg: String) -> SaveFileError {
    SaveFileError(msg)
}

/// True when a link may be followed without `--follow`: it belongs to the
/// caller or to root.
fn trusted(m: &std::fs::Metadata) -> bool {
    m.uid() == 0 || m.uid() == nix::unistd::geteuid().as_raw()
}

/// Check every link `path` leads through against the link policy; returns
/// whether `path` itself is a link.
fn check_links(path: &Path, follow: bool) -> Result<bool, SaveFileError> {
    let mut cur = path.to_path_buf();
    let mut is_link = false;
    for hop in 0..MAX_HOPS {
        let m = match std::fs::symlink_metadata(&cur) {
            Ok(m) => m,
            // The rest of the way is not a path (a `/proc/self/fd` link to
            // a pipe) or does not exist: nothing more to check.
            Err(_) => return Ok(is_link),
        };
        if !m.file_type().is_symlink() {
            return Ok(is_link);
        }
        if hop == 0 {
            is_link = true;
        }
        let to = std::fs::read_link(&cur)
            .map_err(|e| err(format!("cannot read the link {}: {e}", cur.display())))?;
        if !follow && !trusted(&m) {
            let what = if cur == path {
                format!("{} is a symbolic link", path.display())
            } else {
                format!(
                    "{} leads through the symbolic link {}",
                    path.display(),
                    cur.display()
                )
            };
            return Err(err(format!(
                "{what} (to {}) owned by uid {}, neither you nor root; not following it \
                 (someone else may have put it there); remove it, or pass --follow to \
                 write where it points",
                to.display(),
                m.uid()
            )));
        }
        cur = match cur.parent() {
            Some(p) if to.is_relative() => p.join(&to),
            _ => to,
        };
    }
    Err(err(format!(
        "{}: too many levels of symbolic links",
        path.display()
    )))
}

impl SaveFile {
    /// Open the destination for `path` (see the module documentation).
    pub fn open(path: &Path, follow: bool) -> Result<SaveFile, SaveFileError> {
        let is_link = check_links(path, follow)?;
        let target = match std::fs::metadata(path) {
            Ok(m) if m.is_dir() => {
                return Err(err(format!("{} is a directory", path.display())));
            }
            Ok(m) if !m.is_file() => {
                // A device or a pipe: written where it is, not replaced.
                let f = std::fs::OpenOptions::new()
                    .write(true)
                    .open(path)
                    .map_err(|e| err(format!("cannot open {}: {e}", path.display())))?;
                return Ok(SaveFile {
                    out: io::BufWriter::with_capacity(1 << 20, f),
                    how: How::Direct,
                });
            }
            Ok(_) if is_link => std::fs::canonicalize(path)
                .map_err(|e| err(format!("cannot resolve {}: {e}", path.display())))?,
            Ok(_) => path.to_path_buf(),
            Err(_) if is_link => {
                let to = std::fs::read_link(path).unwrap_or_default();
                return Err(err(format!(
                    "{} is a symbolic link to {}, which does not exist; not creating it",
                    path.display(),
                    to.display()
                )));
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => path.to_path_buf(),
            Err(e) => return Err(err(format!("cannot check {}: {e}", path.display()))),
        };
        Self::replacing(target)
    }

    /// A temporary file beside `target`, to replace it on commit; errors
    /// say `cannot write TARGET: ...`.
    fn replacing(target: PathBuf) -> Result<SaveFile, SaveFileError> {
        let shown = target.display().to_string();
        Self::replacing_in(target).map_err(|e| err(format!("cannot write {shown}: {}", e.0)))
    }

    fn replacing_in(target: PathBuf) -> Result<SaveFile, SaveFileError> {
        let name = match target.file_name() {
            Some(n) => n.to_os_string(),
            None => return Err(err(format!("{} names no file", target.display()))),
        };
        let dir_path = match target.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let dir = nix::fcntl::open(
            &dir_path,
            OFlag::O_DIRECTORY | OFlag::O_RDONLY | OFlag::O_CLOEXEC,
            Mode::empty(),
        )
        .map_err(|e| {
            err(format!(
                "cannot open the directory {}: {}",
                dir_path.display(),
                io::Error::from(e)
            ))
        })?;
        // SAFETY: `open` just returned this descriptor; nothing else owns it.
        let dir = unsafe { OwnedFd::from_raw_fd(dir) };
        // The permission bits: never wider than the replaced file's, never
        // anything for others; 0600 for a new file.
        let mode = match nix::sys::stat::fstatat(
            Some(dir.as_raw_fd()),
            name.as_os_str(),
            AtFlags::AT_SYMLINK_NOFOLLOW,
        ) {
            Ok(st) if st.st_mode & nix::libc::S_IFMT == nix::libc::S_IFREG => st.st_mode & 0o770,
            _ => 0o600,
        };
        let named = std::env::var_os("NFTWIRE_SAVE_NAMED_TEMP").is_some_and(|v| v == "1");
        let unnamed = if named {
            Err(Errno::EOPNOTSUPP)
        } else {
            nix::fcntl::openat(
                Some(dir.as_raw_fd()),
                ".",
                OFlag::O_TMPFILE | OFlag::O_WRONLY | OFlag::O_CLOEXEC,
                Mode::from_bits_truncate(0o600),
            )
        };
        let (fd, temp) = match unnamed {
            Ok(fd) => (fd, None),
            // Not supported by this file system (or kernel): a named one.
            Err(Errno::EOPNOTSUPP | Errno::EISDIR | Errno::EINVAL) => {
                let (fd, n) = create_named(dir.as_raw_fd(), &name).map_err(|e| {
                    err(format!(
                        "cannot create a temporary file in {}: {e}",
                        dir_path.display()
                    ))
                })?;
                (fd, Some(n))
            }
            Err(e) => {
                return Err(err(format!(
                    "cannot create a temporary file in {}: {}",
                    dir_path.display(),
                    io::Error::from(e)
                )))
            }
        };
        // SAFETY: a descriptor just opened, owned by nothing else.
        let file = unsafe { File::from_raw_fd(fd) };
        let how = How::Replace {
            dir,
            target,
            name,
            temp,
        };
        if let Err(e) = nix::sys::stat::fchmod(file.as_raw_fd(), Mode::from_bits_truncate(mode)) {
            let sf = SaveFile {
                out: io::BufWriter::new(file),
                how,
            };
            let t = sf.target_display();
            sf.discard();
            return Err(err(format!(
                "cannot set the permissions of the new {t}: {}",
                io::Error::from(e)
            )));
        }
        Ok(SaveFile {
            out: io::BufWriter::with_capacity(1 << 20, file),
            how,
        })
    }

    fn target_display(&self) -> String {
        match &self.how {
            How::Direct => "file".into(),
            How::Replace { target, .. } => target.display().to_string(),
        }
    }

    /// Flush, then put the new file in place of the target.
    pub fn commit(self) -> Result<(), SaveFileError> {
        let SaveFile { out, how } = self;
        let file = match out.into_inner() {
            Ok(f) => f,
            Err(e) => {
                let msg = e.error().to_string();
                let (_, file) = e.into_parts();
                drop_temp(&how);
                drop(file);
                return Err(err(format!("cannot write {}: {msg}", describe(&how))));
            }
        };
        let How::Replace {
            dir,
            target,
            name,
            temp,
        } = &how
        else {
            return Ok(());
        };
        if let Err(e) = file.sync_all() {
            drop_temp(&how);
            return Err(err(format!("cannot write {}: {e}", target.display())));
        }
        let dirfd = dir.as_raw_fd();
        let linked = match temp {
            Some(t) => t.clone(),
            None => link_unnamed(&file, dirfd, name)
                .map_err(|e| err(format!("cannot create {}: {e}", target.display())))?,
        };
        if let Err(e) = nix::fcntl::renameat(
            Some(dirfd),
            linked.as_c_str(),
            Some(dirfd),
            name.as_os_str(),
        ) {
            let _ = nix::unistd::unlinkat(
                Some(dirfd),
                linked.as_c_str(),
                nix::unistd::UnlinkatFlags::NoRemoveDir,
            );
            cleanup::forget();
            return Err(err(format!(
                "cannot replace {}: {}",
                target.display(),
                io::Error::from(e)
            )));
        }
        cleanup::forget();
        Ok(())
    }

    /// Remove the new file; the target is left as it was.
    pub fn discard(self) {
        let SaveFile { out, how } = self;
        // Unwritten text is dropped without being written.
        let (file, _) = out.into_parts();
        drop(file);
        drop_temp(&how);
    }
}

fn describe(how: &How) -> String {
    match how {
        How::Direct => "the output file".into(),
        How::Replace { target, .. } => target.display().to_string(),
    }
}

/// Remove a named temporary file, if there is one.
fn drop_temp(how: &How) {
    if let How::Replace {
        dir, temp: Some(t), ..
    } = how
    {
        let _ = nix::unistd::unlinkat(
            Some(dir.as_raw_fd()),
            t.as_c_str(),
            nix::unistd::UnlinkatFlags::NoRemoveDir,
        );
        cleanup::forget();
    }
}

/// A random temporary name for `name`: `.NAME.nftwire-save.HEX`.
fn temp_name(name: &std::ffi::OsStr) -> std::ffi::CString {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u32(std::process::id());
    if let Ok(d) = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH) {
        h.write_u128(d.as_nanos());
    }
    let mut v = Vec::with_capacity(name.len() + 32);
    v.push(b'.');
    // Keep the name short enough for NAME_MAX.
    let n = std::os::unix::ffi::OsStrExt::as_bytes(name);
    v.extend_from_slice(&n[..n.len().min(200)]);
    v.extend_from_slice(format!(".nftwire-save.{:016x}", h.finish()).as_bytes());
    // File names hold no NUL.
    std::ffi::CString::new(v).unwrap_or_default()
}

/// Run `make` with random temporary names for `name` until one is free
/// (`make` fails with `EEXIST` for a taken one): the name is registered for
/// removal on SIGTERM/SIGINT/SIGHUP from just before `make` runs, and
/// unregistered when it fails.
fn with_free_name<T>(
    dir: RawFd,
    name: &std::ffi::OsStr,
    mut make: impl FnMut(&std::ffi::CStr) -> nix::Result<T>,
) -> io::Result<(T, std::ffi::CString)> {
    for _ in 0..NAME_TRIES {
        let t = temp_name(name);
        cleanup::register(dir, &t);
        match make(&t) {
            Ok(v) => return Ok((v, t)),
            Err(e) => {
                cleanup::forget();
                if e != Errno::EEXIST {
                    return Err(e.into());
                }
            }
        }
    }
    Err(io::Error::other("no free temporary name"))
}

/// Create a new random-named file in `dir` (never an existing name or a
/// link), registered for removal on SIGTERM/SIGINT/SIGHUP.
fn create_named(dir: RawFd, name: &std::ffi::OsStr) -> io::Result<(RawFd, std::ffi::CString)> {
    with_free_name(dir, name, |t| {
        nix::fcntl::openat(
            Some(dir),
            t,
            OFlag::O_CREAT | OFlag::O_EXCL | OFlag::O_NOFOLLOW | OFlag::O_WRONLY | OFlag::O_CLOEXEC,
            Mode::from_bits_truncate(0o600),
        )
    })
}

/// Give the unnamed file `file` a random name in `dir` (registered for
/// removal on a signal until renamed).
fn link_unnamed(file: &File, dir: RawFd, name: &std::ffi::OsStr) -> io::Result<std::ffi::CString> {
    let proc_path =
        std::ffi::CString::new(format!("/proc/self/fd/{}", file.as_raw_fd())).unwrap_or_default();
    let ((), t) = with_free_name(dir, name, |t| {
        // AT_EMPTY_PATH needs CAP_DAC_READ_SEARCH; /proc works without it.
        nix::unistd::linkat(
            Some(file.as_raw_fd()),
            c"",
            Some(dir),
            t,
            AtFlags::AT_EMPTY_PATH,
        )
        .or_else(|e| match e {
            Errno::EEXIST => Err(e),
            _ => nix::unistd::linkat(
                None,
                proc_path.as_c_str(),
                Some(dir),
                t,
                AtFlags::AT_SYMLINK_FOLLOW,
            ),
        })
    })?;
    Ok(t)
}

/// Removal of a named temporary file when the process is told to stop
/// (SIGTERM, SIGINT, SIGHUP): the handler unlinks it, then dies of the
/// same signal.
mod cleanup {
    use nix::sys::signal::{self, SigHandler, Signal};
    use std::os::fd::RawFd;
    use std::sync::atomic::{AtomicI32, AtomicPtr, Ordering};

    /// The directory of the registered file (-1: none).
    static DIR: AtomicI32 = AtomicI32::new(-1);
    /// Its name (a leaked `CString`; null: none).
    static NAME: AtomicPtr<nix::libc::c_char> = AtomicPtr::new(std::ptr::null_mut());

    const SIGNALS: [Signal; 3] = [Signal::SIGTERM, Signal::SIGINT, Signal::SIGHUP];

    extern "C" fn on_signal(sig: nix::libc::c_int) {
        let dir = DIR.load(Ordering::SeqCst);
        let name = NAME.load(Ordering::SeqCst);
        if dir >= 0 && !name.is_null() {
            // SAFETY: unlinkat, signal and raise are async-signal-safe;
            // `name` is a leaked NUL-terminated string that is never freed.
            unsafe {
                nix::libc::unlinkat(dir, name, 0);
            }
        }
        unsafe {
            nix::libc::signal(sig, nix::libc::SIG_DFL);
            nix::libc::raise(sig);
        }
    }

    /// Remove `dir`/`name` if a stopping signal arrives (from now on).
    pub fn register(dir: RawFd, name: &std::ffi::CStr) {
        let p = name.to_owned().into_raw();
        // The previous name (if any) is leaked: a handler may still read it.
        NAME.store(p, Ordering::SeqCst);
        DIR.store(dir, Ordering::SeqCst);
        for s in SIGNALS {
            // SAFETY: the handler only calls async-signal-safe functions.
            unsafe {
                if let Ok(SigHandler::SigIgn) = signal::signal(s, SigHandler::Handler(on_signal)) {
                    // A signal the parent chose to ignore stays ignored.
                    let _ = signal::signal(s, SigHandler::SigIgn);
                }
            }
        }
    }

    /// Nothing to remove any more.
    pub fn forget() {
        DIR.store(-1, Ordering::SeqCst);
    }
}

impl Write for SaveFile {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.out.write(buf)
    }

    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        self.out.write_all(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.out.flush()
    }
}
