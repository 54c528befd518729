//! Hostile input and hostile neighbours (issue 18): the save file, its
//! writer and every output path. Each test is the regression test of one
//! finding; kernel tests run in their own network namespace.
//!
//! `restore_fuzz_mutated_save_files` mutates real save files
//! (`tests/data/hostile/`) and checks every restore against the oracle:
//! exit 0 and a second save that means what the mutated file says (or what
//! the original said, when the kernel normalised the change away), or a
//! non-zero exit naming a line with the ruleset unchanged.
//! `NFTWIRE_FUZZ_ITERS` (mutations per file, default 60) and
//! `NFTWIRE_FUZZ_SEED` override the run.

mod common;

use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

const BIN: &str = env!("CARGO_BIN_EXE_nftwire");

fn nftwire(args: &[&str]) -> Output {
    common::run(BIN, args)
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// The shim binary, which `cargo test --workspace` builds.
fn shim() -> PathBuf {
    let p = common::bin("nftwire-iptables");
    assert!(
        p.is_file(),
        "{} is missing: run `cargo build -p nftwire-iptables` (or cargo test --workspace)",
        p.display()
    );
    p
}

/// A fresh directory for one test (removed at the end by the caller).
fn scratch(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("nftwire-hostile-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// The names in a directory, sorted.
fn names(d: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(d)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

fn save_text() -> String {
    let o = nftwire(&["save"]);
    assert!(o.status.success(), "save: {}", stderr(&o));
    stdout(&o)
}

fn data(name: &str) -> String {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/hostile")
        .join(name);
    std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

fn restore_text(text: &str) -> Output {
    common::run_stdin(BIN, &["restore", "-"], text)
}

// ---- 1, 5: `save FILE` beside other users ---------------------------------

#[test]
fn save_refuses_a_symlink_planted_by_another_user() {
    common::netns(|| {
        common::nft_load("table ip t {\n chain c {\n counter accept\n }\n}\n");
        let d = scratch("symlink");
        std::fs::set_permissions(&d, std::fs::Permissions::from_mode(0o1777)).unwrap();
        let victim = d.join("target.conf");
        std::fs::write(&victim, "secret\n").unwrap();
        std::fs::set_permissions(&victim, std::fs::Permissions::from_mode(0o600)).unwrap();
        let link = d.join("rules.save");
        std::os::unix::fs::symlink(&victim, &link).unwrap();
        std::os::unix::fs::lchown(&link, Some(65534), Some(65534)).unwrap();

        let o = nftwire(&["save", link.to_str().unwrap()]);
        assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
        let e = stderr(&o);
        assert!(
            e.contains("rules.save is a symbolic link") && e.contains("uid 65534"),
            "{e}"
        );
        assert_eq!(std::fs::read_to_string(&victim).unwrap(), "secret\n");

        // A link to nothing makes nothing either.
        let dangling = d.join("dangling.save");
        std::os::unix::fs::symlink(d.join("created-by-root"), &dangling).unwrap();
        std::os::unix::fs::lchown(&dangling, Some(65534), Some(65534)).unwrap();
        let o = nftwire(&["save", dangling.to_str().unwrap()]);
        assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
        assert!(!d.join("created-by-root").exists());

        // Predictable temporary names someone prepared do not matter.
        for pid in 0..2000 {
            let _ = std::os::unix::fs::symlink(
                &victim,
                d.join(format!(".own.save.nftwire-save.{pid}")),
            );
        }
        let own = d.join("own.save");
        let o = nftwire(&["save", own.to_str().unwrap()]);
        assert!(o.status.success(), "{}", stderr(&o));
        assert!(std::fs::read_to_string(&own)
            .unwrap()
            .starts_with("nftwire-save 2\n"));
        assert_eq!(std::fs::read_to_string(&victim).unwrap(), "secret\n");

        // With --follow the user asks for the link to be followed.
        let o = nftwire(&["save", "--follow", link.to_str().unwrap()]);
        assert!(o.status.success(), "{}", stderr(&o));
        assert!(std::fs::read_to_string(&victim)
            .unwrap()
            .starts_with("nftwire-save 2\n"));
        assert!(std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink());
        // A link of the caller's own is followed without asking.
        let mine = d.join("mine.save");
        std::os::unix::fs::symlink(&own, &mine).unwrap();
        let o = nftwire(&["save", mine.to_str().unwrap()]);
        assert!(o.status.success(), "{}", stderr(&o));
        let _ = std::fs::remove_dir_all(&d);
    });
}

#[test]
fn save_files_are_private_and_never_widened() {
    common::netns(|| {
        common::nft_load("table ip t {\n chain c {\n accept\n }\n}\n");
        let d = scratch("modes");
        let mode = |p: &Path| std::fs::metadata(p).unwrap().mode() & 0o7777;
        // New file: 0600 whatever the umask.
        let new = d.join("new.save");
        let o = nftwire(&["save", new.to_str().unwrap()]);
        assert!(o.status.success(), "{}", stderr(&o));
        assert_eq!(mode(&new), 0o600);
        // An existing world-writable file loses what others had.
        let wide = d.join("wide.save");
        std::fs::write(&wide, "old").unwrap();
        std::fs::set_permissions(&wide, std::fs::Permissions::from_mode(0o666)).unwrap();
        let o = nftwire(&["save", wide.to_str().unwrap()]);
        assert!(o.status.success(), "{}", stderr(&o));
        assert_eq!(mode(&wide), 0o660);
        // A narrower one stays as narrow.
        let narrow = d.join("narrow.save");
        std::fs::write(&narrow, "old").unwrap();
        std::fs::set_permissions(&narrow, std::fs::Permissions::from_mode(0o640)).unwrap();
        let o = nftwire(&["save", narrow.to_str().unwrap()]);
        assert!(o.status.success(), "{}", stderr(&o));
        assert_eq!(mode(&narrow), 0o640);
        assert!(std::fs::read_to_string(&narrow)
            .unwrap()
            .starts_with("nftwire-save 2\n"));
        let _ = std::fs::remove_dir_all(&d);
    });
}

// ---- 6: killed saves leave nothing behind -----------------------------------

/// A ruleset big enough that a save takes a while (3,000 rules).
fn big_ruleset() -> String {
    let mut s = String::from("table ip big {\n");
    for c in 0..30 {
        s.push_str(&format!("chain c{c} {{\n"));
        for r in 0..100 {
            s.push_str(&format!(
                "ip saddr 10.{c}.{r}.0/24 tcp dport {} counter accept comment \"rule {r}\"\n",
                1000 + r
            ));
        }
        s.push_str("}\n");
    }
    s.push_str("}\n");
    s
}

fn kill_saves(dir: &Path, signal: i32, named: bool) {
    let out = dir.join("rules.save");
    for i in 0..12u64 {
        let mut cmd = Command::new(BIN);
        cmd.args(["save", out.to_str().unwrap()])
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        if named {
            cmd.env("NFTWIRE_SAVE_NAMED_TEMP", "1");
        }
        let mut child = cmd.spawn().unwrap();
        // Kill at different points of the save (none of them asserted on).
        std::thread::sleep(std::time::Duration::from_millis(3 * i));
        let _ = nix::sys::signal::kill(
            nix::unistd::Pid::from_raw(child.id() as i32),
            nix::sys::signal::Signal::try_from(signal).unwrap(),
        );
        let _ = child.wait();
        let left: Vec<String> = names(dir)
            .into_iter()
            .filter(|n| n != "rules.save")
            .collect();
        assert!(
            left.is_empty(),
            "kill {i} (signal {signal}) left {left:?} in {}",
            dir.display()
        );
        if let Ok(t) = std::fs::read_to_string(&out) {
            // Either the old file or a complete new one, never a torn one.
            assert!(t.starts_with("nftwire-save 2\n") && t.ends_with('\n'));
        }
    }
}

#[test]
fn killed_saves_leave_no_temporary_file() {
    common::netns(|| {
        common::nft_load(&big_ruleset());
        let d = scratch("killed");
        kill_saves(&d, 9, false);
        // The named fallback cleans up on SIGTERM, SIGINT and SIGHUP.
        kill_saves(&d, 15, true);
        kill_saves(&d, 2, true);
        kill_saves(&d, 1, true);
        let o = nftwire(&["save", d.join("rules.save").to_str().unwrap()]);
        assert!(o.status.success(), "{}", stderr(&o));
        assert_eq!(names(&d), ["rules.save"]);
        let _ = std::fs::remove_dir_all(&d);
    });
}

// ---- 2, 3: corrupt and oversized save files ----------------------------------

/// A table with a set and a rule that looks it up, loaded; returns its
/// save file and the lookup expression's body line (index and text)
/// whose body contains `needle`.
fn lookup_ruleset(needle: &str) -> (String, usize, String) {
    common::nft_load(
        "table ip t {\n set s {\n type ipv4_addr\n }\n chain c {\n ip saddr @s counter accept\n }\n}\n",
    );
    let good = save_text();
    let (i, line) = good
        .lines()
        .enumerate()
        .find(|(_, l)| l.starts_with("  body ") && l.contains("6c6f6f6b7570") && l.contains(needle))
        .map(|(i, l)| (i, l.to_string()))
        .expect("the lookup expression's body line");
    (good, i, line)
}

#[test]
fn corrupt_nested_length_is_rejected_with_its_line() {
    common::netns(|| {
        // The lookup element's length 0x2c made 0x4e: it swallows the
        // counter (the kernel used to take it as `ip saddr @s` alone).
        let (good, i, line) = lookup_ruleset("body 2c000100");
        let lines: Vec<&str> = good.lines().collect();
        let bad = good.replacen(&line, &line.replacen("2c000100", "4e000100", 1), 1);
        let o = restore_text(&bad);
        assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
        assert!(
            stderr(&o).contains(&format!("line {}:", i + 1)),
            "{}",
            stderr(&o)
        );
        assert_eq!(save_text(), good);
        // Without the comment lines, the structure alone still catches it.
        let bare: String = bad
            .lines()
            .filter(|l| !l.trim_start().starts_with('#'))
            .map(|l| format!("{l}\n"))
            .collect();
        let o = restore_text(&bare);
        assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
        assert!(stderr(&o).contains("line "), "{}", stderr(&o));
        assert_eq!(save_text(), good);
        // A body that decodes to other expressions than its comments show
        // (the counter renamed, same size, still well-formed).
        let counter = lines
            .iter()
            .find(|l| l.contains("636f756e74657200"))
            .expect("the counter's body line");
        let renamed = good.replacen(
            counter,
            &counter.replacen("636f756e74657200", "636f756e74657800", 1),
            1,
        );
        let o = restore_text(&renamed);
        assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
        assert!(
            stderr(&o).contains(
                "the comment shows a `counter` expression but the body's expression #2 is `countex`"
            ),
            "{}",
            stderr(&o)
        );
        assert_eq!(save_text(), good);
    });
}

#[test]
fn zero_runs_cannot_blow_up_memory() {
    // 3,000 runs of (65535) in one block (about 45 KB of text) used to ask
    // for gigabytes before failing.
    let mut bomb = String::from("nftwire-save 1\ntable ip t\n  body 0600010074000000\n");
    for _ in 0..3000 {
        bomb.push_str("  body (65535)\n");
    }
    let e = nftwire::save::parse(&bomb).unwrap_err().to_string();
    assert!(
        e.starts_with("line 20: the table block of line 2 decodes to more than"),
        "{e}"
    );
    // Many blocks each within bounds: the total is bounded by the text's size.
    let mut many = String::from("nftwire-save 1\n");
    for i in 0..3000 {
        let name = format!("t{i}\0");
        let mut attr = vec![(4 + name.len()) as u8, 0, 1, 0];
        attr.extend_from_slice(name.as_bytes());
        while attr.len() % 4 != 0 {
            attr.push(0);
        }
        let hex: String = attr.iter().map(|b| format!("{b:02x}")).collect();
        many.push_str(&format!("table ip t{i}\n  body {hex}ecfd0600(65000)\n"));
    }
    let e = nftwire::save::parse(&many).unwrap_err().to_string();
    assert!(e.contains("the bodies decode to more than"), "{e}");
    // A run longer than any attribute is refused at once.
    let e = nftwire::save::parse("nftwire-save 1\ntable ip t\n  body 0600010074000000(1048576)\n")
        .unwrap_err()
        .to_string();
    assert!(e.starts_with("line 3: body is not valid hex"), "{e}");
    // And the binary, under a 1 GiB address-space limit, fails cleanly.
    let d = scratch("bomb");
    let f = d.join("bomb.save");
    std::fs::write(&f, &bomb).unwrap();
    let o = common::run(
        "prlimit",
        &["--as=1073741824", "--", BIN, "restore", f.to_str().unwrap()],
    );
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stderr(&o).contains("line 20:"), "{}", stderr(&o));
    let _ = std::fs::remove_dir_all(&d);
}

// ---- 8: restore input is read in pieces, never whole --------------------------

/// A 100 MB line without a newline (binary garbage, a truncated pipe) used to
/// be read whole before anything was parsed (about 280 MB resident). The
/// restores read as iptables does, in pieces of 10,239 bytes each counted as
/// a line, so the first piece already fails and memory stays small.
#[test]
fn a_huge_line_is_read_in_pieces() {
    use std::io::Write;
    let shim = shim();
    for tool in ["iptables-restore", "ebtables-restore", "arptables-restore"] {
        let mut child = Command::new("unshare")
            .args(["-n", "/usr/bin/time", "-f", "maxrss %M"])
            .arg(&shim)
            .arg(tool)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("unshare and /usr/bin/time (Debian's `time`)");
        let mut stdin = child.stdin.take().unwrap();
        let writer = std::thread::spawn(move || {
            let chunk = vec![b'x'; 1 << 20];
            for _ in 0..100 {
                // The restore stops reading at its first error: a broken
                // pipe here is the expected end.
                if stdin.write_all(&chunk).is_err() {
                    break;
                }
            }
        });
        let o = child.wait_with_output().unwrap();
        writer.join().unwrap();
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(1), "{tool}: {err}");
        assert!(
            err.contains(&format!("{tool}: line 1 failed")),
            "{tool}: {err}"
        );
        let kb: u64 = err
            .lines()
            .find_map(|l| l.strip_prefix("maxrss "))
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or_else(|| panic!("{tool}: no maxrss line in {err}"));
        assert!(kb < 64 * 1024, "{tool}: peak RSS {kb} KB for a 100 MB line");
    }
}

// ---- 4: closed standard output ------------------------------------------------

/// Run with standard output a pipe whose reader is already gone.
fn closed_stdout(prog: &Path, args: &[&str]) -> Output {
    let (r, w) = nix::unistd::pipe().unwrap();
    drop(r);
    Command::new(prog)
        .args(args)
        .stdout(Stdio::from(w))
        .stderr(Stdio::piped())
        .output()
        .unwrap()
}

fn assert_sigpipe(o: &Output, what: &str) {
    assert_eq!(
        o.status.signal(),
        Some(13),
        "{what}: {:?}, stderr {}",
        o.status,
        stderr(o)
    );
    assert!(o.stderr.is_empty(), "{what}: {}", stderr(o));
}

#[test]
fn closed_stdout_ends_quietly_by_sigpipe() {
    let shim = shim();
    common::netns(move || {
        common::nft_load(
            "table ip filter {\n chain INPUT {\n type filter hook input priority 0;\n }\n}\n",
        );
        let o = common::run(
            shim.to_str().unwrap(),
            &["iptables", "-A", "INPUT", "-j", "ACCEPT"],
        );
        assert!(o.status.success(), "{}", stderr(&o));
        for args in [
            &["iptables-save"][..],
            &["iptables", "-S"],
            &["iptables", "-L", "-n"],
            &["iptables", "--help"],
        ] {
            assert_sigpipe(&closed_stdout(&shim, args), &format!("shim {args:?}"));
        }
        let bin = Path::new(BIN);
        for args in [
            &["list"][..],
            &["list", "--raw"],
            &["save"],
            &["backend"],
            &["explain"],
            &["--help"],
        ] {
            assert_sigpipe(&closed_stdout(bin, args), &format!("nftwire {args:?}"));
        }
        let d = scratch("epipe");
        let rules = d.join("r.rules");
        std::fs::write(
            &rules,
            "chain ip filter FWD owner=me hook=forward type=filter priority=0\na: counter accept\n",
        )
        .unwrap();
        let r = rules.to_str().unwrap();
        assert_sigpipe(
            &closed_stdout(bin, &["reconcile", "--dry-run", r]),
            "reconcile --dry-run",
        );
        // reconcile | head -1: the changes are applied (in one batch, before
        // the report is written); the report's write then ends it.
        assert_sigpipe(&closed_stdout(bin, &["reconcile", r]), "reconcile");
        let listed = stdout(&nftwire(&["list", "chain", "ip", "filter", "FWD"]));
        assert!(listed.contains("counter"), "{listed}");
        let _ = std::fs::remove_dir_all(&d);
    });
}

// ---- 7: errors that name the right thing -------------------------------------------

#[test]
fn monitor_as_non_root_and_count_zero() {
    let d = scratch("monitor");
    std::fs::set_permissions(&d, std::fs::Permissions::from_mode(0o755)).unwrap();
    let copy = d.join("nftwire");
    std::fs::copy(BIN, &copy).unwrap();
    std::fs::set_permissions(&copy, std::fs::Permissions::from_mode(0o755)).unwrap();
    common::netns(move || {
        use std::os::unix::process::CommandExt;
        // The copy was just written: another test thread forking meanwhile
        // may still hold it open for writing for a moment (ETXTBSY).
        let o = (0..100)
            .find_map(|_| {
                match Command::new(&copy)
                    .arg("monitor")
                    .uid(65534)
                    .gid(65534)
                    .output()
                {
                    Err(e) if e.kind() == std::io::ErrorKind::ExecutableFileBusy => {
                        std::thread::sleep(std::time::Duration::from_millis(20));
                        None
                    }
                    r => Some(r.expect("run the copy of nftwire")),
                }
            })
            .expect("the copy of nftwire stayed busy (ETXTBSY) for 2 s");
        assert_eq!(o.status.code(), Some(4), "{}", stderr(&o));
        assert!(
            stderr(&o).contains("cannot listen to nf_tables events")
                && stderr(&o).contains("you must be root"),
            "{}",
            stderr(&o)
        );
        // --count 0 asks for no event: it ends at once (the bound only keeps
        // a regression from hanging the suite).
        let mut child = Command::new(&copy)
            .args(["monitor", "--count", "0"])
            .spawn()
            .unwrap();
        let mut waited = 0;
        let status = loop {
            if let Some(s) = child.try_wait().unwrap() {
                break Some(s);
            }
            if waited >= 200 {
                let _ = child.kill();
                break None;
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
            waited += 1;
        };
        assert_eq!(status.and_then(|s| s.code()), Some(0), "monitor --count 0");
        let _ = std::fs::remove_dir_all(copy.parent().unwrap());
    });
}

#[test]
fn list_names_what_is_missing() {
    common::netns(|| {
        common::nft_load(
            "table ip filter {\n chain INPUT {\n }\n set s {\n type ipv4_addr\n }\n}\n",
        );
        let cases: [(&[&str], &str); 5] = [
            (
                &["list", "table", "ip", "nosuch"],
                "table ip nosuch does not exist",
            ),
            (
                &["list", "chain", "ip", "filter", "nosuch"],
                "chain ip filter nosuch does not exist",
            ),
            (
                &["list", "chain", "ip", "nosuch", "x"],
                "table ip nosuch does not exist",
            ),
            (
                &["list", "set", "ip", "filter", "nosuch"],
                "set ip filter nosuch does not exist",
            ),
            (
                &["list", "chain", "ip", "filter"],
                "names no chain (usage: nftwire list chain [FAMILY] TABLE NAME)",
            ),
        ];
        for (args, want) in cases {
            let o = nftwire(args);
            assert!(!o.status.success(), "{args:?}");
            assert!(stderr(&o).contains(want), "{args:?}: {}", stderr(&o));
        }
    });
}

#[test]
fn huge_names_are_not_echoed_whole() {
    let name = "a".repeat(1 << 20);
    let text =
        format!("nftwire-save 1\ntable ip {name}\n  body 06000100740000000800020000000000\n");
    let o = restore_text(&text);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("line 2:"), "{}", &stderr(&o)[..200]);
    assert!(o.stderr.len() < 2000, "{} bytes of error", o.stderr.len());
    common::netns(move || {
        let o = nftwire(&["list", "chain", "ip", "filter", &name[..100_000]]);
        assert!(!o.status.success());
        assert!(o.stderr.len() < 2000, "{} bytes of error", o.stderr.len());
        assert!(stderr(&o).contains('\u{2026}'), "{}", stderr(&o));
    });
}

#[test]
fn reconcile_errors_name_the_line_and_the_size() {
    common::netns(|| {
        let d = scratch("reconcile");
        let f = d.join("bad.rules");
        std::fs::write(
            &f,
            b"chain ip filter INPUT owner=me hook=input type=filter priority=0\na: accept\n\xff\n",
        )
        .unwrap();
        let o = nftwire(&["reconcile", f.to_str().unwrap()]);
        assert!(!o.status.success());
        assert!(
            stderr(&o).contains("line 3: not text (invalid UTF-8)"),
            "{}",
            stderr(&o)
        );
        // A rule of more than 64 KiB of expressions: refused as too long,
        // never sent clamped.
        let big = format!(
            "chain ip filter INPUT owner=me hook=input type=filter priority=0\nbig: {} accept\n",
            vec!["ip saddr 10.0.0.1"; 800].join(" ")
        );
        std::fs::write(&f, big).unwrap();
        let o = nftwire(&["reconcile", f.to_str().unwrap()]);
        assert!(!o.status.success());
        assert!(
            stderr(&o).contains("longer than the 65,535 bytes a netlink attribute can hold"),
            "{}",
            stderr(&o)
        );
        assert_eq!(save_text(), "nftwire-save 2\n");
        let _ = std::fs::remove_dir_all(&d);
    });
}

#[test]
fn nested_attributes_too_long_are_an_error_not_clamped() {
    use nftwire::nla::{check_lengths, Writer};
    let mut w = Writer::new();
    w.put_raw(1, &[7u8; 70_000]);
    let e = check_lengths(&w.buf).unwrap_err();
    assert!(e.contains("attribute 1 at offset 0 is longer than"), "{e}");
    let mut w = Writer::new();
    let n = w.begin(0x8004);
    for _ in 0..100 {
        w.put_raw(1, &[0u8; 1000]);
    }
    w.end(n);
    assert!(check_lengths(&w.buf).is_err());
    let mut w = Writer::new();
    w.put_raw(1, &[7u8; 65_531]);
    assert!(check_lengths(&w.buf).is_ok());
}

#[test]
fn kernel_errors_name_the_body_line_they_point_at() {
    common::netns(|| {
        // The lookup names set `z`, which does not exist: nftwire's checks
        // pass it, the kernel refuses it, and its extended ack points at the
        // expression, whose body line is named (not the rule's header).
        let (good, i, line) = lookup_ruleset("0600010073000000");
        let bad = good.replacen(
            &line,
            &line.replacen("0600010073000000", "060001007a000000", 1),
            1,
        );
        let o = restore_text(&bad);
        assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
        let want = format!(
            "nftwire: restore: <stdin>: line {}: RULE_APPEND failed (No such file or directory)",
            i + 1
        );
        assert!(stderr(&o).starts_with(&want), "{}", stderr(&o));
        assert_eq!(save_text(), good);
    });
}

#[test]
fn install_shim_checks_everything_before_linking() {
    let d = scratch("install");
    let shim = shim();
    std::fs::write(d.join("iptables-save"), "not ours").unwrap();
    let o = nftwire(&[
        "install-shim",
        d.to_str().unwrap(),
        "--shim",
        shim.to_str().unwrap(),
    ]);
    assert!(!o.status.success());
    assert!(
        stderr(&o).contains("iptables-save already exists")
            && stderr(&o).contains("nothing was installed"),
        "{}",
        stderr(&o)
    );
    assert_eq!(names(&d), ["iptables-save"]);
    let tmp = std::env::temp_dir();
    let o = nftwire(&[
        "install-shim",
        d.to_str().unwrap(),
        "--shim",
        tmp.to_str().unwrap(),
    ]);
    assert!(!o.status.success());
    assert!(stderr(&o).contains("is a directory"), "{}", stderr(&o));
    assert_eq!(names(&d), ["iptables-save"]);
    let _ = std::fs::remove_dir_all(&d);
}

// ---- the restore fuzz target ------------------------------------------------------------

/// The fuzz crate's deterministic PRNG (and nothing else of it is used).
#[path = "../fuzz/src/lib.rs"]
mod fuzzlib;
use fuzzlib::Rng;

/// One mutation of a save file's body lines: a hex digit changed, a length
/// byte changed, a zero run resized, a body line dropped or repeated.
fn mutate(text: &str, r: &mut Rng) -> String {
    let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
    let bodies: Vec<usize> = (0..lines.len())
        .filter(|&i| lines[i].starts_with("  body "))
        .collect();
    let i = bodies[r.below(bodies.len().max(1))];
    let hex = lines[i][7..].to_string();
    // Positions of hex digits outside `(N)`.
    let mut digits = Vec::new();
    let mut depth = false;
    for (k, c) in hex.char_indices() {
        match c {
            '(' => depth = true,
            ')' => depth = false,
            _ if !depth => digits.push(k),
            _ => {}
        }
    }
    let hexd = b"0123456789abcdef";
    let new = match r.below(6) {
        0 | 1 if !digits.is_empty() => {
            let k = digits[r.below(digits.len())];
            let mut h = hex.clone().into_bytes();
            h[k] = hexd[r.below(16)];
            String::from_utf8(h).unwrap()
        }
        2 if hex.len() >= 4 => {
            // The first length byte of the line: off by a little.
            let v = u8::from_str_radix(&hex[..2], 16).unwrap_or(0);
            let d = [4u8, 8, 252, 248, 1][r.below(5)];
            format!("{:02x}{}", v.wrapping_add(d), &hex[2..])
        }
        3 if hex.contains('(') => hex.replacen('(', "(1", 1),
        4 => {
            lines.remove(i);
            return lines.join("\n") + "\n";
        }
        _ => {
            let l = lines[i].clone();
            lines.insert(i, l);
            return lines.join("\n") + "\n";
        }
    };
    lines[i] = format!("  body {new}");
    lines.join("\n") + "\n"
}

/// What a save file means, for comparing: its blocks (header and body
/// lines, comments dropped), with the elements of each elements block in
/// sorted order (the kernel's order is not the file's). Saved handles are
/// left out: restore follows them where it can (tests/restore_handles.rs)
/// and falls back to the file's order for handles that are not consistent,
/// which a mutation easily makes.
fn meaning(text: &str) -> Vec<(String, Vec<String>)> {
    let ops = nftwire::save::parse(text).expect("a restored file parses");
    let text = nftwire::save::render_ops(&ops).expect("render");
    let mut out: Vec<(String, Vec<String>)> = Vec::new();
    for l in text.lines() {
        let t = l.trim_start();
        if t.is_empty() || t.starts_with('#') || l.starts_with("nftwire-save ") {
            continue;
        }
        if !l.starts_with(' ') {
            out.push((l.to_string(), Vec::new()));
        } else if let Some(b) = out.last_mut() {
            b.1.push(t.to_string());
        }
    }
    for (h, b) in &mut out {
        if h.starts_with("elements") && b.len() > 1 {
            b[1..].sort();
        }
    }
    out
}

#[test]
fn restore_fuzz_mutated_save_files() {
    let env = |n: &str| std::env::var(n).ok().and_then(|v| v.parse::<u64>().ok());
    let iters = env("NFTWIRE_FUZZ_ITERS").unwrap_or(60) as usize;
    let seed = env("NFTWIRE_FUZZ_SEED").unwrap_or(0x9e37_79b9_7f4a_7c15) | 1;
    for file in [
        "firewalld.save",
        "docker-nft.save",
        "kube-proxy-nft.save",
        "iptables-nft.save",
    ] {
        let original = data(file);
        common::netns(move || {
            let o = restore_text(&original);
            assert!(o.status.success(), "{file}: {}", stderr(&o));
            let baseline = save_text();
            assert_eq!(meaning(&baseline), meaning(&original), "{file}");
            let mut r = Rng(seed ^ file.len() as u64);
            let (mut accepted, mut refused) = (0, 0);
            for it in 0..iters {
                let m = mutate(&baseline, &mut r);
                let o = restore_text(&m);
                let now = save_text();
                if o.status.success() {
                    accepted += 1;
                    assert!(
                        meaning(&now) == meaning(&m) || now == baseline,
                        "{file} mutation {it} restored as something else than it says:\n{}",
                        first_difference(&m, &now)
                    );
                    if now != baseline {
                        let o = restore_text(&baseline);
                        assert!(o.status.success(), "{}", stderr(&o));
                    }
                } else {
                    refused += 1;
                    let e = stderr(&o);
                    assert_eq!(o.status.code(), Some(1), "{file} mutation {it}: {e}");
                    assert!(e.contains("line "), "{file} mutation {it}: no line in: {e}");
                    assert!(
                        now == baseline,
                        "{file} mutation {it} failed ({e}) but changed the ruleset"
                    );
                }
            }
            eprintln!("{file}: {accepted} mutations restored as written, {refused} refused");
        });
    }
}

fn first_difference(a: &str, b: &str) -> String {
    let (ma, mb) = (meaning(a), meaning(b));
    for (x, y) in ma.iter().zip(&mb) {
        if x != y {
            return format!("file: {x:?}\nkernel: {y:?}");
        }
    }
    format!("{} blocks vs {}", ma.len(), mb.len())
}

/// The parsing side alone (what `fuzz/fuzz_targets/parse_save.rs` checks):
/// any byte of a real save file changed, dropped or doubled never makes
/// the parser panic, and what it accepts renders back to the same messages.
#[test]
fn parse_fuzz_mutated_save_text() {
    let env = |n: &str| std::env::var(n).ok().and_then(|v| v.parse::<u64>().ok());
    let iters = 20 * env("NFTWIRE_FUZZ_ITERS").unwrap_or(60) as usize;
    let mut r = Rng(env("NFTWIRE_FUZZ_SEED").unwrap_or(0x2545_f491_4f6c_dd1d) | 1);
    let files = [data("firewalld.save"), data("iptables-nft.save")];
    let alphabet = b"0123456789abcdef() \n#\"\\xbody-";
    let mut accepted = 0;
    for _ in 0..iters {
        let mut b = files[r.below(files.len())].clone().into_bytes();
        for _ in 0..=r.below(3) {
            let at = r.below(b.len());
            match r.below(3) {
                0 => b[at] = alphabet[r.below(alphabet.len())],
                1 => {
                    b.remove(at);
                }
                _ => b.insert(at, b[at]),
            }
        }
        let Ok(text) = String::from_utf8(b) else {
            continue;
        };
        let Ok(ops) = nftwire::save::parse(&text) else {
            continue;
        };
        accepted += 1;
        let again = nftwire::save::render_ops(&ops).unwrap();
        let back = nftwire::save::parse(&again).unwrap();
        assert_eq!(ops.len(), back.len());
        for (a, b) in ops.iter().zip(&back) {
            assert_eq!(a.msg, b.msg);
        }
    }
    eprintln!("{accepted} of {iters} mutated texts accepted");
}
