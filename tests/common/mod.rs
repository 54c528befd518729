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

/// Path of the shared reference data beside the repository, if present.
pub fn shared_dir() -> Option<std::path::PathBuf> {
    let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared");
    p.is_dir().then_some(p)
}

/// Path to a built binary of this workspace (target/<profile>/NAME).
pub fn bin(name: &str) -> std::path::PathBuf {
    let exe = std::env::current_exe().unwrap();
    // target/<profile>/deps/test-xxxx -> target/<profile>/NAME
    let dir = exe.parent().unwrap().parent().unwrap();
    dir.join(name)
}
