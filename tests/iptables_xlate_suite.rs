//! iptables' translation suite: `xlate-test.py -H` of iptables 1.8.11's
//! source tree over all of its `extensions/*.txlate` files, once with the
//! real iptables 1.8.11 (Debian 13's binaries, unpacked by
//! `tests/oracle/setup-oracle.sh`) and once with `nftwire-iptables`. The
//! script calls `xtables-nft-multi TOOL-translate ARGS` from `PATH` and
//! compares its output with the expected nft command; it is pure text, but
//! each run still happens in a private network namespace (`unshare -n`).
//!
//! A line (an `*tables-translate` command of a file) *passes* when the
//! script does not report it. The test fails on every line that passes
//! with the real 1.8.11 and fails with the shim, unless
//! `tests/conformance/xlate-expected-gaps.txt` lists it (as `FILE:LINE`) or
//! its whole file (as `FILE`), with the reason; it also fails when a listed
//! line or file has no such failure any more, so the list stays exact.
//! A per-file table (lines, passing with real, passing with shim) is
//! printed.

mod common;
mod oracle;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

fn manifest() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// One translate command of a `.txlate` file: its line number and text.
#[derive(Clone, Debug)]
struct Case {
    line: usize,
    source: String,
}

/// The commands of a `.txlate` file, read as `xlate-test.py` reads them
/// (a command line, one or two `nft` lines; the part after `;` is for the
/// replay mode only).
fn cases(text: &str) -> Vec<Case> {
    const KEYWORDS: [&str; 4] = [
        "iptables-translate",
        "ip6tables-translate",
        "arptables-translate",
        "ebtables-translate",
    ];
    let lines: Vec<&str> = text.lines().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let l = lines[i];
        if !KEYWORDS.iter().any(|k| l.starts_with(k)) {
            i += 1;
            continue;
        }
        let source = l.split(';').next().unwrap_or(l).to_string();
        out.push(Case {
            line: i + 1,
            source,
        });
        // the expected line, then possibly a second `nft` line
        i += 2;
        if lines.get(i).is_some_and(|n| n.starts_with("nft")) {
            i += 1;
        }
    }
    out
}

/// Python's `shlex.split` (POSIX mode, no comments), enough for the
/// `.txlate` command lines.
fn shlex_split(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut in_word = false;
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\'' => {
                in_word = true;
                for d in chars.by_ref() {
                    if d == '\'' {
                        break;
                    }
                    cur.push(d);
                }
            }
            '"' => {
                in_word = true;
                while let Some(d) = chars.next() {
                    match d {
                        '"' => break,
                        '\\' if matches!(chars.peek(), Some('"' | '\\' | '$' | '`')) => {
                            cur.push(chars.next().unwrap_or('\\'));
                        }
                        d => cur.push(d),
                    }
                }
            }
            '\\' => {
                in_word = true;
                if let Some(d) = chars.next() {
                    cur.push(d);
                }
            }
            c if c.is_whitespace() => {
                if in_word {
                    out.push(std::mem::take(&mut cur));
                    in_word = false;
                }
            }
            c => {
                in_word = true;
                cur.push(c);
            }
        }
    }
    if in_word {
        out.push(cur);
    }
    out
}

/// The lines the script reported as failing: file name → source lines
/// (the text after `src:` for a wrong translation, the command for a
/// failed call).
fn failures(stderr: &str) -> BTreeMap<String, Vec<String>> {
    let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let lines: Vec<&str> = stderr.lines().collect();
    for (i, l) in lines.iter().enumerate() {
        let Some((file, what)) = l.split_once(".txlate: ") else {
            continue;
        };
        let file = format!(
            "{}.txlate",
            file.rsplit('/').next().unwrap_or(file).trim_start()
        );
        if what == "Fail" {
            let src = lines
                .get(i + 1)
                .and_then(|s| s.strip_prefix("src: "))
                .unwrap_or_else(|| panic!("no src: line after {l}"));
            out.entry(file).or_default().push(src.to_string());
        } else if let Some(cmd) = what.strip_prefix("Error: Call failed: xtables-nft-multi ") {
            out.entry(file).or_default().push(format!("CALL {cmd}"));
        } else {
            panic!("unexpected report from xlate-test.py: {l}");
        }
    }
    out
}

/// Whether `case` is among a file's reported failures.
fn failed(case: &Case, reported: &[String]) -> bool {
    let joined = shlex_split(&case.source).join(" ");
    reported
        .iter()
        .any(|r| *r == case.source.trim_end() || r.strip_prefix("CALL ") == Some(&joined))
}

/// Run the script over every file with one side's `xtables-nft-multi`.
fn run_side(tree: &Path, bin: &Path) -> (String, String) {
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let out = Command::new("unshare")
        .args(["-n", "python3", "xlate-test.py", "-H"])
        .current_dir(tree)
        .env("PATH", path)
        .output()
        .expect("run unshare -n python3 xlate-test.py");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(
        stdout.contains("85 test files"),
        "xlate-test.py with {} did not run all 85 files:\n{stdout}\n{stderr}",
        bin.display()
    );
    (stdout, stderr)
}

/// Gap list entries: `FILE` or `FILE:LINE` → reason.
fn expected_gaps() -> BTreeMap<String, String> {
    let p = manifest().join("tests/conformance/xlate-expected-gaps.txt");
    let text = std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
    let mut out = BTreeMap::new();
    for (n, l) in text.lines().enumerate() {
        let l = l.trim();
        if l.is_empty() || l.starts_with('#') {
            continue;
        }
        let (key, reason) = l.split_once(char::is_whitespace).unwrap_or((l, ""));
        assert!(
            key.split(':')
                .next()
                .is_some_and(|f| f.ends_with(".txlate"))
                && !reason.trim().is_empty(),
            "{}:{}: want `FILE.txlate[:LINE] reason`",
            p.display(),
            n + 1
        );
        assert!(
            out.insert(key.to_string(), reason.trim().to_string())
                .is_none(),
            "{}: {key} listed twice",
            p.display()
        );
    }
    out
}

#[test]
fn xlate_test_py_all_extensions() {
    let env = oracle::env();
    assert!(
        env.root.is_some(),
        "iptables 1.8.11 (tests/oracle/setup-oracle.sh) is needed for the translation suite"
    );
    let tree: PathBuf = common::iptables_source();
    assert!(tree.join("xlate-test.py").is_file(), "no xlate-test.py");
    let mut files: Vec<String> = std::fs::read_dir(tree.join("extensions"))
        .expect("extensions dir")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".txlate"))
        .collect();
    files.sort();
    assert_eq!(files.len(), 85, "iptables 1.8.11 ships 85 .txlate files");

    let (_, real_err) = run_side(&tree, &env.wrap_oracle);
    let (_, shim_err) = run_side(&tree, &env.wrap_shim);
    let real = failures(&real_err);
    let shim = failures(&shim_err);
    let gaps = expected_gaps();
    for k in gaps.keys() {
        let f = k.split(':').next().unwrap_or(k);
        assert!(
            files.iter().any(|x| x == f),
            "xlate-expected-gaps.txt lists {k}, not a .txlate file"
        );
    }

    let mut table = format!(
        "{:<28} {:>5} {:>5} {:>5}  status\n",
        "file", "lines", "real", "shim"
    );
    let (mut t_lines, mut t_real, mut t_shim) = (0, 0, 0);
    let mut problems = Vec::new();
    let mut used: BTreeSet<String> = BTreeSet::new();
    let empty = Vec::new();
    for f in &files {
        let text = std::fs::read_to_string(tree.join("extensions").join(f)).expect("read txlate");
        let cs = cases(&text);
        let rf = real.get(f).unwrap_or(&empty);
        let sf = shim.get(f).unwrap_or(&empty);
        let (mut n_real, mut n_shim, mut only_shim) = (0, 0, 0);
        for c in &cs {
            let r_ok = !failed(c, rf);
            let s_ok = !failed(c, sf);
            n_real += usize::from(r_ok);
            n_shim += usize::from(s_ok);
            if r_ok && !s_ok {
                only_shim += 1;
                let key = format!("{f}:{}", c.line);
                if gaps.contains_key(&key) {
                    used.insert(key);
                } else if gaps.contains_key(f) {
                    used.insert(f.clone());
                } else {
                    problems.push(format!(
                        "{key}: passes with 1.8.11, fails with the shim: {}",
                        c.source
                    ));
                }
            }
        }
        let status = if only_shim == 0 {
            "ok"
        } else if gaps.contains_key(f) {
            "expected gap"
        } else {
            "lines listed or failing"
        };
        table.push_str(&format!(
            "{f:<28} {:>5} {n_real:>5} {n_shim:>5}  {status}\n",
            cs.len()
        ));
        t_lines += cs.len();
        t_real += n_real;
        t_shim += n_shim;
    }
    table.push_str(&format!(
        "{:<28} {t_lines:>5} {t_real:>5} {t_shim:>5}\n",
        "total"
    ));
    println!("{table}");
    for k in gaps.keys() {
        if !used.contains(k) {
            problems.push(format!(
                "{k}: listed in xlate-expected-gaps.txt but has no line failing only with the shim: remove it"
            ));
        }
    }
    assert!(
        problems.is_empty(),
        "{table}\n{}\n\nshim's report:\n{shim_err}",
        problems.join("\n")
    );
}

#[test]
fn shlex_split_reads_quotes_like_python() {
    assert_eq!(
        shlex_split(r#"a -m comment --comment "foo bar" 'x y' z\ w"#),
        vec!["a", "-m", "comment", "--comment", "foo bar", "x y", "z w"]
    );
}

/// Exit code, stdout (the dates of restore-translate's header and footer
/// removed) and stderr of `xtables-nft-multi ARGS` from `dir`.
fn run_tool(dir: &Path, args: &[String]) -> (i32, String, String) {
    let out = Command::new("unshare")
        .arg("-n")
        .arg(dir.join("xtables-nft-multi"))
        .args(args)
        .current_dir(manifest())
        .output()
        .expect("run xtables-nft-multi");
    let stdout: String = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| match l.split_once(" on ") {
            Some((head, _)) if l.starts_with("# Translated by") || l.starts_with("# Completed") => {
                format!("{head} on DATE\n")
            }
            _ => format!("{l}\n"),
        })
        .collect();
    (
        out.status.code().unwrap_or(-1),
        stdout,
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// What `xlate-test.py` does not check: the other commands, errors, exit
/// codes, untranslatable rules, several addresses, the restore-translate
/// tools over the restore files of `tests/data/xlate/` (both families):
/// everything must be what iptables 1.8.11 prints.
#[test]
fn translate_commands_and_restore_files_match_1_8_11() {
    let env = oracle::env();
    assert!(
        env.root.is_some(),
        "iptables 1.8.11 (tests/oracle/setup-oracle.sh) is needed"
    );
    let data = common::data_dir().join("xlate");
    let mut cmds: Vec<Vec<String>> = std::fs::read_to_string(data.join("cases.txt"))
        .expect("tests/data/xlate/cases.txt")
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(shlex_split)
        .collect();
    let rules = common::data_files("xlate", "rules");
    assert!(
        rules.len() >= 5,
        "restore files missing from tests/data/xlate"
    );
    for f in &rules {
        for tool in ["iptables-restore-translate", "ip6tables-restore-translate"] {
            cmds.push(vec![tool.to_string(), "-f".into(), f.display().to_string()]);
        }
    }
    for extra in [
        vec!["iptables-restore-translate"],
        vec!["iptables-restore-translate", "-f", "/nonexistent/rules"],
        vec!["ip6tables-restore-translate", "-V"],
        vec!["iptables-restore-translate", "-h"],
    ] {
        cmds.push(extra.into_iter().map(String::from).collect());
    }
    let mut diffs = Vec::new();
    for c in &cmds {
        let real = run_tool(&env.wrap_oracle, c);
        let shim = run_tool(&env.wrap_shim, c);
        if real != shim {
            diffs.push(format!(
                "{}\n  real: {real:?}\n  shim: {shim:?}",
                c.join(" ")
            ));
        }
    }
    println!("{} translate commands compared", cmds.len());
    assert!(diffs.is_empty(), "{}", diffs.join("\n"));
}
