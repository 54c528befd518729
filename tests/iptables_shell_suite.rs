//! iptables 1.8.11's own shell test suite (`iptables/tests/shell/testcases`
//! of its source, fetched by `tests/conformance/fetch-iptables-source.sh`),
//! nft variant, run as its `run-tests.sh` runs it: each testcase in its own
//! network namespace with `XT_MULTI` naming the multi-call binary, its exit
//! code compared with the one its name ends in (`_0`, `_1`).
//!
//! Every testcase runs with the real 1.8.11 (`target/oracle-root`) and with
//! `nftwire-iptables` (as `xtables-nft-multi`). The test prints a table of
//! both results and fails when a testcase passes with the real one and
//! fails with the shim, unless `tests/conformance/shell-expected-failures.txt`
//! lists it (with the reason and the issue that will fix it); it also fails
//! when a listed testcase now passes with the shim, so the list only
//! shrinks. `NFTWIRE_SHELL_TESTS=PATTERN` runs only testcases whose path
//! contains PATTERN (the list is then checked for those only).

mod oracle;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// Longest a testcase may run (the slowest, the restore races, take a few
/// seconds); one that runs longer is killed and counts as failed.
const TIMEOUT_SECS: &str = "120";

fn source_tree() -> PathBuf {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dest = oracle::env()
        .shim
        .parent()
        .and_then(Path::parent)
        .expect("target dir")
        .join("iptables-src");
    let out = Command::new("bash")
        .arg(manifest.join("tests/conformance/fetch-iptables-source.sh"))
        .arg(&dest)
        .output()
        .expect("run fetch-iptables-source.sh");
    assert!(
        out.status.success(),
        "fetching iptables 1.8.11's source failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let tree = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
    assert!(tree.join("iptables/tests/shell/testcases").is_dir());
    tree
}

/// The testcases as `run-tests.sh` finds them: executable files whose name
/// ends in `_` and the expected exit code; relative paths, sorted.
fn testcases(dir: &Path) -> Vec<(String, i32)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).expect("read testcases").flatten() {
            let p = e.path();
            let meta = e.metadata().expect("metadata");
            if meta.is_dir() {
                stack.push(p);
                continue;
            }
            if std::os::unix::fs::PermissionsExt::mode(&meta.permissions()) & 0o111 == 0 {
                continue;
            }
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            let Some((_, rc)) = name.rsplit_once('_') else {
                continue;
            };
            if rc.is_empty() || !rc.bytes().all(|b| b.is_ascii_digit()) {
                continue;
            }
            let Ok(rc) = rc.parse::<i32>() else { continue };
            let rel = p.strip_prefix(dir).unwrap().to_string_lossy().into_owned();
            out.push((rel, rc));
        }
    }
    out.sort();
    out
}

/// Run one testcase with `multi` as `XT_MULTI`: its exit code (-1 when
/// killed by the timeout or a signal) and its output's tail.
fn run_testcase(dir: &Path, rel: &str, multi: &Path) -> (i32, String) {
    let out = Command::new("timeout")
        .args(["-s", "KILL", TIMEOUT_SECS, "unshare", "-n"])
        .arg(dir.join(rel))
        .current_dir(dir.join(rel).parent().unwrap())
        .env("XT_MULTI", multi)
        .stdin(Stdio::null())
        .output()
        .expect("run testcase");
    let mut text = String::from_utf8_lossy(&out.stdout).into_owned();
    text.push_str(&String::from_utf8_lossy(&out.stderr));
    let tail: Vec<&str> = text.lines().rev().take(15).collect();
    let tail: Vec<&str> = tail.into_iter().rev().collect();
    (out.status.code().unwrap_or(-1), tail.join("\n"))
}

/// `tests/conformance/shell-expected-failures.txt`: testcase -> reason.
fn expected_failures() -> BTreeMap<String, String> {
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/conformance/shell-expected-failures.txt");
    let text = std::fs::read_to_string(&path).expect("shell-expected-failures.txt");
    let mut out = BTreeMap::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let (tc, reason) = line.split_once(char::is_whitespace).unwrap_or((line, ""));
        let reason = reason.trim();
        assert!(
            reason.contains("issue "),
            "{}:{}: each line is `TESTCASE REASON (issue N)`: {line}",
            path.display(),
            n + 1
        );
        out.insert(tc.to_string(), reason.to_string());
    }
    out
}

#[test]
fn iptables_1_8_11_shell_suite_passes_with_the_shim_as_with_1_8_11() {
    let e = oracle::env();
    assert!(
        e.root.is_some(),
        "the real iptables 1.8.11 (tests/oracle/setup-oracle.sh) is needed"
    );
    let tree = source_tree();
    let dir = tree.join("iptables/tests/shell/testcases");
    let real = e.wrap_oracle.join("xtables-nft-multi");
    // The testcases check that XT_MULTI ends in "xtables-nft-multi".
    let shim = e.wrap_shim.join("xtables-nft-multi");
    let only = std::env::var("NFTWIRE_SHELL_TESTS").ok();
    let expected = expected_failures();
    let cases: Vec<(String, i32)> = testcases(&dir)
        .into_iter()
        .filter(|(rel, _)| only.as_deref().is_none_or(|o| rel.contains(o)))
        .collect();
    assert!(
        only.is_some() || cases.len() > 60,
        "only {} testcases found under {}",
        cases.len(),
        dir.display()
    );
    for tc in expected.keys() {
        assert!(
            only.is_some() || cases.iter().any(|(rel, _)| rel == tc),
            "shell-expected-failures.txt lists {tc}, which is not a testcase"
        );
    }
    let mut table = format!("{:<52} {:<5} {:<5}\n", "testcase", "real", "shim");
    let (mut real_ok, mut shim_ok) = (0, 0);
    let mut regressions = Vec::new();
    let mut now_passing = Vec::new();
    for (rel, want) in &cases {
        let (rr, rout) = run_testcase(&dir, rel, &real);
        let (sr, sout) = run_testcase(&dir, rel, &shim);
        let (rp, sp) = (rr == *want, sr == *want);
        // progress, for a long CI log
        eprintln!("shell suite: {rel}: real {rr}, shim {sr} (want {want})");
        real_ok += rp as usize;
        shim_ok += sp as usize;
        let listed = expected.get(rel);
        let note = match (rp, sp, listed) {
            (true, false, Some(why)) => format!("expected: {why}"),
            (true, false, None) => {
                regressions.push(format!(
                    "{rel}: real 1.8.11 exits {rr} as expected, the shim {sr}; its output:\n{sout}"
                ));
                "REGRESSION".to_string()
            }
            (_, true, Some(why)) => {
                now_passing.push(format!("{rel} ({why})"));
                "PASSES NOW: remove it from shell-expected-failures.txt".to_string()
            }
            (false, _, _) => format!(
                "real 1.8.11 exits {rr}: {}",
                rout.lines().last().unwrap_or("")
            ),
            _ => String::new(),
        };
        let word = |p: bool| if p { "ok" } else { "FAIL" };
        table.push_str(&format!(
            "{rel:<52} {:<5} {:<5} {note}\n",
            word(rp),
            word(sp)
        ));
    }
    table.push_str(&format!(
        "{} testcases: real 1.8.11 passes {real_ok}, the shim {shim_ok}\n",
        cases.len()
    ));
    println!("{table}");
    if !now_passing.is_empty() {
        println!(
            "*** listed as expected failures but passing with the shim now:\n  {}",
            now_passing.join("\n  ")
        );
    }
    assert!(
        regressions.is_empty() && now_passing.is_empty(),
        "{table}\n{} testcase(s) pass with 1.8.11 and fail with the shim:\n{}\n\n{} listed testcase(s) pass now (remove them from tests/conformance/shell-expected-failures.txt):\n  {}",
        regressions.len(),
        regressions.join("\n\n"),
        now_passing.len(),
        now_passing.join("\n  ")
    );
}
