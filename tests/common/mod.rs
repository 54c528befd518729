//! Shared helpers for kernel integration tests. Every test runs in its own
//! network namespace (see `nftwire::netns`), never in the host's.
#![allow(dead_code)]

pub mod gateway;

use std::process::{Command, Output};

/// Run `f` in a fresh network namespace. Panics (failing the test) if the
/// namespace cannot be created: kernel tests need root (CI runs as root).
pub fn netns<F, R>(f: F) -> R
where
    F: FnOnce() -> R + Send + 'static,
    R: Send + 'static,
{
    nftwire::netns::in_new_netns(f).expect("network namespace for the test")
}

/// Run a program (in the calling thread's namespace) and return its output.
pub fn run(prog: &str, args: &[&str]) -> Output {
    Command::new(prog)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("cannot run {prog}: {e}"))
}

/// Run a program feeding `input` on stdin.
pub fn run_stdin(prog: &str, args: &[&str], input: &str) -> Output {
    use std::io::Write;
    let mut c = Command::new(prog)
        .args(args)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run {prog}: {e}"));
    c.stdin.take().unwrap().write_all(input.as_bytes()).unwrap();
    c.wait_with_output().unwrap()
}

/// Load an nft script with the real `nft -f`, panicking with nft's error.
pub fn nft_load(script: &str) {
    let o = run_stdin("nft", &["-f", "-"], script);
    assert!(
        o.status.success(),
        "nft -f failed: {}\n{script}",
        String::from_utf8_lossy(&o.stderr)
    );
}

/// The repository's root: the package's directory, or for a workspace
/// member that includes this file (interop/) the directory above it.
pub fn repo_root() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .find(|d| d.join("tests/common/mod.rs").is_file())
        .expect("repository root (the directory holding tests/common/mod.rs)")
        .to_path_buf()
}

/// The repository's test data directory (`tests/data`, see its README).
/// Panics when it is missing: a test never runs without its data.
pub fn data_dir() -> std::path::PathBuf {
    let p = repo_root().join("tests/data");
    assert!(
        p.join("README.md").is_file(),
        "test data directory {} is missing (it is part of the repository)",
        p.display()
    );
    p
}

/// A file or directory under `tests/data` (e.g. `corpus/netbird.nft`).
/// Panics naming the path when it does not exist.
pub fn data_path(rel: &str) -> std::path::PathBuf {
    let p = data_dir().join(rel);
    assert!(
        p.exists(),
        "test data {} is missing (tests/data is part of the repository)",
        p.display()
    );
    p
}

/// The files of a `tests/data` directory whose names end in `.EXT`, sorted.
/// Panics when the directory is missing or holds no such file.
pub fn data_files(dir: &str, ext: &str) -> Vec<std::path::PathBuf> {
    let d = data_path(dir);
    let mut v: Vec<_> = std::fs::read_dir(&d)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", d.display()))
        .map(|e| e.expect("directory entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == ext))
        .collect();
    v.sort();
    assert!(!v.is_empty(), "no *.{ext} file in {}", d.display());
    v
}

/// Path to an executable of this workspace, built first if needed.
///
/// The root package's `nftwire` is built by cargo before its integration
/// tests run. Other packages' binaries (`nftwire-iptables`) are not, so
/// the first call in a test process runs `cargo build --bin NAME` for the
/// test's own profile into the test's own target directory (a no-op when
/// it is up to date). That nested cargo does not wait on the outer one:
/// `cargo test` releases the target directory's lock once compilation is
/// done, before it runs test binaries (the oracle suite has relied on this
/// since it was written). Concurrent callers (test threads, or two cargo
/// processes) are serialized by a mutex and by cargo's own lock.
pub fn bin(name: &str) -> std::path::PathBuf {
    if let (Some(exe), "nftwire") = (option_env!("CARGO_BIN_EXE_nftwire"), name) {
        return std::path::PathBuf::from(exe);
    }
    static BUILT: std::sync::Mutex<Vec<String>> = std::sync::Mutex::new(Vec::new());
    let mut built = BUILT.lock().unwrap_or_else(|e| e.into_inner());
    let (target_dir, triple, profile_dir) = target_layout();
    let path = profile_dir.join(name);
    if built.iter().any(|b| b == name) {
        return path;
    }
    let profile = profile_dir
        .file_name()
        .unwrap()
        .to_string_lossy()
        .into_owned();
    let mut c = Command::new(env!("CARGO"));
    c.current_dir(repo_root())
        .args(["build", "--quiet", "--workspace", "--bin", name])
        .arg("--target-dir")
        .arg(&target_dir);
    match profile.as_str() {
        "debug" => {}
        "release" => {
            c.arg("--release");
        }
        p => {
            c.args(["--profile", p]);
        }
    }
    if let Some(t) = &triple {
        c.args(["--target", t]);
    }
    let o = c
        .output()
        .unwrap_or_else(|e| panic!("cannot run cargo to build {name}: {e}"));
    assert!(
        o.status.success(),
        "cargo build --bin {name} failed:\n{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(
        path.is_file(),
        "cargo built {name}, but {} does not exist",
        path.display()
    );
    built.push(name.to_string());
    path
}

/// The private root holding the oracle, Debian 13's iptables 1.8.11
/// (`<target>/oracle-root/usr/sbin/xtables-nft-multi`), unpacked on first
/// use by `tests/oracle/setup-oracle.sh` (which takes a lock, so parallel
/// tests and processes do not race). Panics when it cannot be unpacked.
pub fn oracle_root() -> std::path::PathBuf {
    static ROOT: std::sync::OnceLock<std::path::PathBuf> = std::sync::OnceLock::new();
    ROOT.get_or_init(|| {
        let root = target_layout().0.join("oracle-root");
        run_setup(
            "tests/oracle/setup-oracle.sh",
            &root,
            "unpack the oracle, iptables 1.8.11,",
        );
        root
    })
    .clone()
}

/// Run the setup script `script` (relative to the repository) with `dest`
/// as its argument; panics saying it cannot `what` into `dest`, with the
/// script's error output, when it fails.
fn run_setup(script: &str, dest: &std::path::Path, what: &str) {
    let script = repo_root().join(script);
    let o = Command::new("bash")
        .arg(&script)
        .arg(dest)
        .output()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", script.display()));
    assert!(
        o.status.success(),
        "cannot {what} into {} ({}): {}",
        dest.display(),
        script.display(),
        String::from_utf8_lossy(&o.stderr)
    );
}

/// The unpacked source tree of iptables 1.8.11
/// (`<target>/iptables-src/iptables-1.8.11`), whose `extensions/*.t`
/// vectors some tests run. It is GPL-licensed upstream material, so it is
/// not part of this repository: `tests/conformance/fetch-iptables-source.sh`
/// downloads and checks it on first use (`scripts/test-all` runs it before
/// the tests; it takes a lock, so parallel tests and processes do not race).
/// Panics when it cannot be fetched.
pub fn iptables_source() -> std::path::PathBuf {
    static TREE: std::sync::OnceLock<std::path::PathBuf> = std::sync::OnceLock::new();
    TREE.get_or_init(|| {
        let dest = target_layout().0.join("iptables-src");
        let script = "tests/conformance/fetch-iptables-source.sh";
        run_setup(script, &dest, "fetch iptables 1.8.11's source");
        let tree = dest.join("iptables-1.8.11");
        assert!(
            tree.join("extensions").is_dir(),
            "{script} succeeded but {} has no extensions/",
            tree.display()
        );
        tree
    })
    .clone()
}

/// The `.t` test vectors `names` (e.g. `libxt_mark.t`) from iptables
/// 1.8.11's `extensions/` ([`iptables_source`]). Panics naming a file the
/// source does not have.
pub fn iptables_t_files(names: &[&str]) -> Vec<std::path::PathBuf> {
    let ext = iptables_source().join("extensions");
    names
        .iter()
        .map(|n| {
            let p = ext.join(n);
            assert!(
                p.is_file(),
                "{} is missing from iptables' source",
                p.display()
            );
            p
        })
        .collect()
}

/// (target dir, target triple if built with `--target`, profile dir) of
/// the running test executable, which cargo puts at
/// `<target>[/<triple>]/<profile>/deps/`. A triple directory is named
/// `<arch>-...-<os>...` after the machine the test runs on.
fn target_layout() -> (std::path::PathBuf, Option<String>, std::path::PathBuf) {
    let exe = std::env::current_exe().expect("path of the test executable");
    let profile_dir = exe
        .parent()
        .filter(|d| d.ends_with("deps"))
        .and_then(|d| d.parent())
        .unwrap_or_else(|| panic!("{} is not in <target>/<profile>/deps", exe.display()))
        .to_path_buf();
    let up = profile_dir.parent().expect("target dir").to_path_buf();
    let name = up.file_name().unwrap_or_default().to_string_lossy();
    let arch = std::env::consts::ARCH;
    let os = std::env::consts::OS;
    if name.starts_with(&format!("{arch}-")) && name.contains(&format!("-{os}")) {
        let triple = name.into_owned();
        let top = up.parent().expect("target dir").to_path_buf();
        return (top, Some(triple), profile_dir);
    }
    (up, None, profile_dir)
}

/// SplitMix64: the small deterministic generator of the seeded random
/// tests (the same seed gives the same cases on every machine).
pub struct Rng(pub u64);

impl Rng {
    /// A number below `n` (0 when `n` is 0).
    pub fn below(&mut self, n: u64) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        (z ^ (z >> 31)) % n.max(1)
    }
    /// True once in `one_in` draws on average.
    pub fn chance(&mut self, one_in: u64) -> bool {
        self.below(one_in) == 0
    }
    /// One of `v`.
    pub fn pick<'a>(&mut self, v: &[&'a str]) -> &'a str {
        v[self.below(v.len() as u64) as usize]
    }
}

/// The two kernel states of a differential test, for its report, when they
/// differ (else nothing).
pub fn states_if_different(oracle: &str, shim: &str) -> String {
    if oracle == shim {
        return String::new();
    }
    format!("\n  1.8.11 state:\n{oracle}\n  shim state:\n{shim}")
}
