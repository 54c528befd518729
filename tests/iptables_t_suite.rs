//! iptables' own conformance suite: `iptables-test.py -n` (nft mode) of
//! iptables 1.8.11's source tree over all of its `extensions/*.t` files,
//! once with the real iptables 1.8.11 (Debian 13's binaries, unpacked by
//! `tests/oracle/setup-oracle.sh`) and once with `nftwire-iptables`.
//!
//! Every file runs in its own network namespace, with its own log file
//! (the script's fixed `/tmp` log path is redirected, see `run_file`). The script calls `xtables-nft-multi` from
//! `PATH`; each side gets a directory whose `xtables-nft-multi` is that
//! side's implementation (checked to say 1.8.11 before anything runs).
//!
//! A file is *conformant* when no (tool, line) that passes with the real
//! 1.8.11 fails with the shim, and the script's log (every command, its
//! output and messages, the restore/save dumps) is the same for both. Lines
//! that fail with the real 1.8.11 on this kernel are only reported.
//! `tests/conformance/t-expected-gaps.txt` lists the files known not to be
//! conformant yet; the test fails on any other non-conformant file and on a
//! listed file that has become conformant, so the list stays exact.
//!
//! A second test checks what the `.t` run cannot see, the bytes written:
//! for every `OK` line of the iptables/ip6tables files, a rule added by the
//! real 1.8.11 must be found by the shim's `-C` and the other way round
//! (`-C` compares each extension's info blob).
//!
//! The source tree comes from `tests/conformance/fetch-iptables-source.sh`
//! (run by `scripts/test-all`; run here too, it returns at once when done).

mod common;
mod oracle;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

/// Which implementation a run used.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Side {
    Real,
    Shim,
}

impl Side {
    fn name(self) -> &'static str {
        match self {
            Side::Real => "real",
            Side::Shim => "shim",
        }
    }
}

/// What one run of the script over one file gave.
#[derive(Debug, Default)]
struct FileRun {
    /// Unit tests counted by the script (lines × tools).
    tests: usize,
    /// Unit tests it counted as passed.
    passed: usize,
    /// (tool, line) pairs reported as failing, with the reason.
    failed: BTreeMap<(String, usize), String>,
    /// The script's log (`/tmp/iptables-test.log`).
    log: String,
    /// The script's own stdout and stderr, for the report.
    output: String,
}

fn manifest() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The unpacked iptables 1.8.11 source tree (fetched if missing).
fn source_tree() -> PathBuf {
    let dest = manifest().join("target/iptables-src");
    let out = Command::new("bash")
        .arg(manifest().join("tests/conformance/fetch-iptables-source.sh"))
        .arg(&dest)
        .output()
        .expect("run fetch-iptables-source.sh");
    assert!(
        out.status.success(),
        "fetching iptables 1.8.11's source failed (the conformance suite needs it):\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let tree = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
    assert!(
        tree.join("iptables-test.py").is_file(),
        "no iptables-test.py in {}",
        tree.display()
    );
    tree
}

/// `FILE.t -> reason` from the expected-gaps list.
fn expected_gaps() -> BTreeMap<String, String> {
    let p = manifest().join("tests/conformance/t-expected-gaps.txt");
    let text = std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
    let mut out = BTreeMap::new();
    for (n, l) in text.lines().enumerate() {
        let l = l.trim();
        if l.is_empty() || l.starts_with('#') {
            continue;
        }
        let (file, reason) = l.split_once(char::is_whitespace).unwrap_or((l, ""));
        let reason = reason.trim();
        assert!(
            file.ends_with(".t") && reason.contains("issue "),
            "{}:{}: want `FILE.t  reason (issue N)`",
            p.display(),
            n + 1
        );
        assert!(
            out.insert(file.to_string(), reason.to_string()).is_none(),
            "{}: {file} listed twice",
            p.display()
        );
    }
    out
}

/// The tool named by a failure reason (`cannot load: ip6tables -A ...`).
fn reason_tool(reason: &str) -> String {
    let cmd = reason.split_once(": ").map(|(_, c)| c).unwrap_or(reason);
    let mut words = cmd.split_whitespace();
    match words.next() {
        Some("xtables-nft-multi") => words.next().unwrap_or("").to_string(),
        Some(w) => w.to_string(),
        None => String::new(),
    }
}

/// Parse the script's stdout/stderr for one file.
fn parse_output(file: &str, stdout: &str, stderr: &str) -> FileRun {
    let mut r = FileRun::default();
    for l in stdout.lines() {
        // "nft: 1 test files, 78 unit tests, 78 passed"
        if let Some(rest) = l.strip_prefix("nft: ") {
            let nums: Vec<usize> = rest
                .split(|c: char| !c.is_ascii_digit())
                .filter_map(|w| w.parse().ok())
                .collect();
            if let [_, tests, passed] = nums[..] {
                r.tests = tests;
                r.passed = passed;
            }
        }
    }
    let prefix = format!("extensions/{file}: ERROR: line ");
    for l in stdout.lines().chain(stderr.lines()) {
        let Some(rest) = l.strip_prefix(&prefix) else {
            continue;
        };
        let Some((n, reason)) = rest.split_once(" (") else {
            continue;
        };
        let Ok(n) = n.parse::<usize>() else { continue };
        let reason = reason.strip_suffix(')').unwrap_or(reason).to_string();
        r.failed.entry((reason_tool(&reason), n)).or_insert(reason);
    }
    r.output = format!("{stdout}{stderr}");
    r
}

/// Run the script over one file with one side's `xtables-nft-multi`.
fn run_file(tree: &Path, bin: &Path, logdir: &Path, file: &str) -> FileRun {
    let _ = std::fs::remove_dir_all(logdir);
    std::fs::create_dir_all(logdir).expect("log dir");
    // A private network namespace. The script's log is a fixed
    // /tmp/iptables-test.log (its LOGFILE constant): the script is loaded as
    // a module and LOGFILE pointed at this run's log directory before its
    // main() runs, so nothing is mounted over /tmp (where a checkout, the
    // binaries and a pyenv interpreter may live).
    const RUNNER: &str = "import importlib.util, os, sys\n\
        sys.argv[0] = 'iptables-test.py'\n\
        spec = importlib.util.spec_from_file_location('iptables_test', 'iptables-test.py')\n\
        mod = importlib.util.module_from_spec(spec)\n\
        spec.loader.exec_module(mod)\n\
        mod.LOGFILE = os.environ['T_SUITE_LOG']\n\
        sys.exit(mod.main())\n";
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let out = Command::new("unshare")
        .args(["-n", "python3", "-c", RUNNER, "-H", "-n", "--no-netns"])
        .arg(format!("extensions/{file}"))
        .env("PATH", path)
        .env("T_SUITE_LOG", logdir.join("iptables-test.log"))
        .current_dir(tree)
        .output()
        .expect("run unshare");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    let mut r = parse_output(file, &stdout, &stderr);
    r.log = std::fs::read_to_string(logdir.join("iptables-test.log")).unwrap_or_default();
    assert!(
        r.tests > 0,
        "iptables-test.py ran no test of {file} with {}:\n{}",
        bin.display(),
        r.output
    );
    r
}

/// The first lines where two logs differ, for the report.
fn first_difference(a: &str, b: &str) -> String {
    let (la, lb): (Vec<&str>, Vec<&str>) = (a.lines().collect(), b.lines().collect());
    let i = la.iter().zip(&lb).take_while(|(x, y)| x == y).count();
    let show = |v: &[&str]| {
        v.iter()
            .skip(i.saturating_sub(1))
            .take(4)
            .map(|l| format!("      {l}\n"))
            .collect::<String>()
    };
    format!(
        "    log line {}: real:\n{}    shim:\n{}",
        i + 1,
        show(&la),
        show(&lb)
    )
}

/// Check that a side's `xtables-nft-multi` is there and says 1.8.11.
fn check_version(bin: &Path, side: Side) {
    let exe = bin.join("xtables-nft-multi");
    let out = Command::new(&exe)
        .args(["iptables", "--version"])
        .output()
        .unwrap_or_else(|e| panic!("{} ({}): {e}", exe.display(), side.name()));
    let v = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        v.trim(),
        "iptables v1.8.11 (nf_tables)",
        "{} side's xtables-nft-multi ({}) is not 1.8.11",
        side.name(),
        exe.display()
    );
}

/// The oracle environment and the source tree, both sides checked to be
/// 1.8.11 (a missing prerequisite fails loudly).
fn prerequisites() -> (&'static oracle::Env, PathBuf) {
    let env = oracle::env();
    assert!(
        env.root.is_some(),
        "iptables 1.8.11 (tests/oracle/setup-oracle.sh) is needed for the conformance suite"
    );
    let tree = source_tree();
    for (bin, side) in [(&env.wrap_oracle, Side::Real), (&env.wrap_shim, Side::Shim)] {
        check_version(bin, side);
    }
    (env, tree)
}

/// Run `work` on every job, on one worker thread per CPU (2 to 4).
fn in_parallel<T: Sync>(jobs: &[T], work: impl Fn(&T) + Sync) {
    let next = AtomicUsize::new(0);
    let workers = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(2)
        .clamp(2, 4);
    std::thread::scope(|s| {
        for _ in 0..workers {
            s.spawn(|| {
                while let Some(job) = jobs.get(next.fetch_add(1, Ordering::Relaxed)) {
                    work(job);
                }
            });
        }
    });
}

#[test]
fn iptables_test_py_all_extensions() {
    let (env, tree) = prerequisites();
    let gaps = expected_gaps();
    let mut files: Vec<String> = std::fs::read_dir(tree.join("extensions"))
        .expect("extensions dir")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".t"))
        .collect();
    files.sort();
    assert_eq!(
        files.len(),
        144,
        "iptables 1.8.11 ships 144 extension .t files"
    );
    for g in gaps.keys() {
        assert!(
            files.contains(g),
            "t-expected-gaps.txt lists {g}, which is not a .t file"
        );
    }

    // Both sides of every file, spread over worker threads.
    let logs = manifest().join("target/t-suite");
    let jobs: Vec<(usize, Side)> = (0..files.len())
        .flat_map(|i| [(i, Side::Real), (i, Side::Shim)])
        .collect();
    let results: Mutex<BTreeMap<(usize, &'static str), FileRun>> = Mutex::new(BTreeMap::new());
    in_parallel(&jobs, |&(i, side)| {
        let bin = match side {
            Side::Real => &env.wrap_oracle,
            Side::Shim => &env.wrap_shim,
        };
        let dir = logs.join(side.name()).join(&files[i]);
        let r = run_file(&tree, bin, &dir, &files[i]);
        results.lock().unwrap().insert((i, side.name()), r);
    });
    let mut results = results.into_inner().unwrap();

    let mut table = format!(
        "{:<24} {:>5} {:>5} {:>5}  {}\n",
        "file", "tests", "real", "shim", "status"
    );
    let mut problems = Vec::new();
    let (mut t_tests, mut t_real, mut t_shim) = (0, 0, 0);
    let mut gap_files = BTreeSet::new();
    for (i, file) in files.iter().enumerate() {
        let real = results.remove(&(i, "real")).expect("real run");
        let shim = results.remove(&(i, "shim")).expect("shim run");
        t_tests += real.tests;
        t_real += real.passed;
        t_shim += shim.passed;
        // (tool, line) failing with the shim but not with the real one.
        let regressions: Vec<_> = shim
            .failed
            .iter()
            .filter(|(k, _)| !real.failed.contains_key(k))
            .collect();
        let same_log = real.log == shim.log;
        let conformant = regressions.is_empty() && same_log && shim.passed >= real.passed;
        let status = match (conformant, gaps.get(file)) {
            (true, None) => "ok".to_string(),
            (true, Some(_)) => {
                problems.push(format!(
                    "{file}: listed in t-expected-gaps.txt but now conformant: remove it"
                ));
                "ok, but listed as a gap".to_string()
            }
            (false, Some(_)) => {
                gap_files.insert(file.clone());
                "expected gap".to_string()
            }
            (false, None) => {
                let mut p = format!(
                    "{file}: shim {} of {} (real {})\n",
                    shim.passed, shim.tests, real.passed
                );
                for ((tool, line), why) in &regressions {
                    p.push_str(&format!("    {tool} line {line}: {why}\n"));
                }
                if !same_log {
                    p.push_str(&first_difference(&real.log, &shim.log));
                }
                if regressions.is_empty() && same_log {
                    p.push_str(&shim.output);
                }
                problems.push(p);
                "NOT CONFORMANT".to_string()
            }
        };
        let real_fail = if real.passed < real.tests {
            format!(" ({} fail with 1.8.11 here)", real.tests - real.passed)
        } else {
            String::new()
        };
        table.push_str(&format!(
            "{file:<24} {:>5} {:>5} {:>5}  {status}{real_fail}\n",
            real.tests, real.passed, shim.passed
        ));
    }
    table.push_str(&format!(
        "{:<24} {t_tests:>5} {t_real:>5} {t_shim:>5}  ({} files expected gaps)\n",
        "total",
        gap_files.len()
    ));
    println!("{table}");
    assert!(
        problems.is_empty(),
        "iptables-test.py: the shim differs from iptables 1.8.11 (logs in {}):\n{}",
        logs.display(),
        problems.join("\n")
    );
}

/// Runs in a private network namespace with `$1` = tool, `$2` = .t file,
/// `$3`/`$4` = the real and the shim `xtables-nft-multi`: for each `OK`
/// line (first chain of its `:` line, in its `*` table), one side adds the
/// rule and the other must find it with `-C`; prints `CHECKED` per check
/// and `MISMATCH ...` (with the checker's message) per failure.
const CROSS_CHECK: &str = r#"
tool=$1; file=$2; R=$3; S=$4; table=filter; chain=
while IFS= read -r line; do
  case "$line" in
    '#'*|''|@*|%*) continue ;;
    '*'*) table=${line#\*}; continue ;;
    :*) chain=${line#:}; chain=${chain%%,*}; continue ;;
  esac
  rule=${line%%;*}; rest=${line#*;}; res=${rest#*;}; res=${res%%;*}
  [ "$res" = OK ] || continue
  for dir in real-shim shim-real; do
    if [ $dir = real-shim ]; then a=$R; c=$S; else a=$S; c=$R; fi
    eval "$a $tool -t $table -A $chain $rule" >/dev/null 2>&1 || continue
    echo CHECKED
    err=$(eval "$c $tool -t $table -C $chain $rule" 2>&1 >/dev/null) || echo "MISMATCH $tool $dir: $rule (${err:-no message})"
    $R $tool -t $table -F $chain >/dev/null 2>&1
  done
done < "$file"
"#;

#[test]
fn minus_c_finds_rules_across_implementations() {
    let (env, tree) = prerequisites();
    let gaps = expected_gaps();
    let real = env.wrap_oracle.join("xtables-nft-multi");
    let shim = env.wrap_shim.join("xtables-nft-multi");
    let mut jobs: Vec<(String, &str)> = Vec::new();
    for e in std::fs::read_dir(tree.join("extensions")).expect("extensions dir") {
        let name = e
            .expect("dir entry")
            .file_name()
            .to_string_lossy()
            .into_owned();
        let tools: &[&str] = if name.starts_with("libipt_") {
            &["iptables"]
        } else if name.starts_with("libip6t_") {
            &["ip6tables"]
        } else if name.starts_with("libxt_") {
            &["iptables", "ip6tables"]
        } else {
            &[]
        };
        if name.ends_with(".t") {
            jobs.extend(tools.iter().map(|t| (name.clone(), *t)));
        }
    }
    jobs.sort();
    let found: Mutex<Vec<(String, String)>> = Mutex::new(Vec::new());
    let checked = AtomicUsize::new(0);
    in_parallel(&jobs, |(file, tool)| {
        let out = Command::new("unshare")
            .args(["-n", "sh", "-c", CROSS_CHECK, "cross-check", tool])
            .arg(tree.join("extensions").join(file))
            .arg(&real)
            .arg(&shim)
            .output()
            .expect("run unshare");
        let text = String::from_utf8_lossy(&out.stdout);
        for l in text.lines() {
            if l == "CHECKED" {
                checked.fetch_add(1, Ordering::Relaxed);
            } else if let Some(m) = l.strip_prefix("MISMATCH ") {
                found.lock().unwrap().push((file.clone(), m.to_string()));
            }
        }
    });
    let found = found.into_inner().unwrap();
    let checked = checked.into_inner();
    let unexpected: Vec<String> = found
        .iter()
        .filter(|(f, _)| !gaps.contains_key(f))
        .map(|(f, m)| format!("{f}: {m}"))
        .collect();
    println!(
        "-C cross-check: {checked} checks, {} mismatches ({} in files listed as gaps)",
        found.len(),
        found.len() - unexpected.len()
    );
    assert!(checked > 1000, "only {checked} cross-checks ran");
    assert!(
        unexpected.is_empty(),
        "a rule written by one implementation is not found by the other's -C:\n{}",
        unexpected.join("\n")
    );
}
