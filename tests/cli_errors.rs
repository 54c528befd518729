//! `nftwire save` / `nftwire restore` messages and exit codes: success,
//! no permission (exit 4), bad save files (line-numbered, exit 1), kernel
//! rejections (the object and its save-file line, exit 1), and in every
//! failure case the ruleset is left exactly as it was.

mod common;

use nftwire::consts::msg;
use nftwire::netlink::Conn;
use nftwire::object::chain::Hook;
use nftwire::object::{Chain, Table};
use nftwire::ruleset::{creation_op, Ruleset};
use std::path::PathBuf;
use std::process::Output;

const BIN: &str = env!("CARGO_BIN_EXE_nftwire");

const RULESET: &str = "table ip filter {
  set s {
    type ipv4_addr
    elements = { 10.0.0.1, 10.0.0.2 }
  }
  chain INPUT {
    type filter hook input priority 0; policy accept;
    ip saddr @s counter accept
    tcp dport { 22, 80 } accept
  }
}
";

fn save_now() -> String {
    nftwire::save::to_string(&Ruleset::read(&mut Conn::open().unwrap(), 0).unwrap())
}

fn text(o: &Output) -> (i32, String, String) {
    (
        o.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

fn tmpfile(name: &str, content: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("nftwire-cli-errors-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let p = dir.join(name);
    std::fs::write(&p, content).unwrap();
    p
}

#[test]
fn save_and_restore_succeed_quietly() {
    common::netns(|| {
        common::nft_load(RULESET);
        let o = common::run(BIN, &["save"]);
        let (code, out, err) = text(&o);
        assert_eq!(code, 0, "{err}");
        assert!(err.is_empty(), "{err}");
        assert!(
            out.starts_with("nftwire-save 2\ntable ip filter\n"),
            "{out}"
        );
        let f = tmpfile("ok.save", "");
        let o = common::run(BIN, &["save", f.to_str().unwrap()]);
        assert_eq!(text(&o).0, 0);
        assert_eq!(std::fs::read_to_string(&f).unwrap(), out);
        // FILE was replaced by a complete new file: nothing is left beside it.
        let left: Vec<String> = std::fs::read_dir(f.parent().unwrap())
            .unwrap()
            .filter_map(|e| e.ok())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n.starts_with(".ok.save.nftwire-save"))
            .collect();
        assert!(left.is_empty(), "{left:?}");
        // An existing file keeps its permission bits; a symbolic link is
        // kept and the file it points to replaced.
        use std::os::unix::fs::PermissionsExt as _;
        let private = tmpfile("private.save", "old");
        std::fs::set_permissions(&private, std::fs::Permissions::from_mode(0o600)).unwrap();
        let link = private.with_file_name("link.save");
        let _ = std::fs::remove_file(&link);
        std::os::unix::fs::symlink(&private, &link).unwrap();
        let o = common::run(BIN, &["save", link.to_str().unwrap()]);
        assert_eq!(text(&o).0, 0, "{}", text(&o).2);
        assert!(std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink());
        assert_eq!(std::fs::read_to_string(&private).unwrap(), out);
        let mode = std::fs::metadata(&private).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
        // A path that is not a regular file is written to, not replaced.
        let o = common::run(BIN, &["save", "/dev/null"]);
        assert_eq!(text(&o).0, 0, "{}", text(&o).2);
        use std::os::unix::fs::FileTypeExt as _;
        assert!(std::fs::metadata("/dev/null")
            .unwrap()
            .file_type()
            .is_char_device());
        common::run("nft", &["flush", "ruleset"]);
        let o = common::run(BIN, &["restore", f.to_str().unwrap()]);
        let (code, out2, err) = text(&o);
        assert_eq!((code, out2.as_str(), err.as_str()), (0, "", ""));
        assert_eq!(save_now(), out);
        // From standard input, both implicitly and with `-`.
        for args in [&["restore"][..], &["restore", "-"][..]] {
            common::run("nft", &["flush", "ruleset"]);
            let o = common::run_stdin(BIN, args, &out);
            assert_eq!(text(&o).0, 0, "{}", text(&o).2);
            assert_eq!(save_now(), out);
        }
        // Saving to a path that cannot be written.
        let o = common::run(BIN, &["save", "/nonexistent-dir/x"]);
        let (code, _, err) = text(&o);
        assert_eq!(code, 1);
        assert!(err.contains("cannot write /nonexistent-dir/x"), "{err}");
    });
}

/// A copy of the binary that an unprivileged user can surely execute.
fn world_executable_bin() -> PathBuf {
    use std::os::unix::fs::PermissionsExt;
    let dir = std::env::temp_dir().join(format!("nftwire-cli-bin-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).unwrap();
    let p = dir.join("nftwire");
    std::fs::copy(BIN, &p).unwrap();
    std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o755)).unwrap();
    p
}

#[test]
fn without_cap_net_admin_exit_4() {
    let bin = world_executable_bin();
    common::netns(move || {
        common::nft_load(RULESET);
        let before = save_now();
        let unpriv = |args: &[&str], input: &str| {
            let mut a = vec!["--reuid", "65534", "--regid", "65534", "--clear-groups"];
            a.push(bin.to_str().unwrap());
            a.extend_from_slice(args);
            common::run_stdin("setpriv", &a, input)
        };
        let o = unpriv(&["save"], "");
        let (code, out, err) = text(&o);
        assert_eq!(code, 4, "{err}");
        assert!(out.is_empty());
        assert_eq!(
            err,
            "nftwire: save: Could not fetch rule set generation id: Permission denied (you must be root)\n"
        );
        let o = unpriv(&["restore"], &before);
        let (code, _, err) = text(&o);
        assert_eq!(code, 4, "{err}");
        assert!(
            err.contains("Permission denied (you must be root)"),
            "{err}"
        );
        assert_eq!(save_now(), before, "nothing may change");
    });
}

/// Restore `content` from a file over the loaded RULESET and check that it
/// fails with exit 1, a message containing every `want`, and no change.
fn bad_restore(name: &str, content: &str, want: &[&str]) {
    let f = tmpfile(&format!("{name}.save"), content);
    let before = save_now();
    let o = common::run(BIN, &["restore", f.to_str().unwrap()]);
    let (code, out, err) = text(&o);
    assert_eq!(code, 1, "{name}: {err}");
    assert!(out.is_empty(), "{name}: {out}");
    assert!(err.starts_with("nftwire: restore: "), "{name}: {err}");
    assert!(err.ends_with("; nothing was changed\n"), "{name}: {err}");
    for w in want {
        assert!(err.contains(w), "{name}: `{w}` not in: {err}");
    }
    assert_eq!(save_now(), before, "{name}: the ruleset changed");
}

#[test]
fn bad_save_files_name_the_line_and_change_nothing() {
    common::netns(|| {
        common::nft_load(RULESET);
        let good = save_now();
        let lines: Vec<&str> = good.lines().collect();
        let body_line = |n: usize| lines[n - 1];
        assert_eq!(lines[1], "table ip filter");
        bad_restore(
            "empty",
            "",
            &["empty.save: line 1: not an nftwire save file"],
        );
        bad_restore(
            "version",
            &good.replacen("nftwire-save 2", "nftwire-save 9", 1),
            &["line 1: unsupported save format version \"9\""],
        );
        bad_restore(
            "nft-syntax",
            "table ip filter {\n}\n",
            &["line 1: not an nftwire save file"],
        );
        bad_restore(
            "kind",
            &good.replacen("\ntable ip filter\n", "\ntabel ip filter\n", 1),
            &["kind.save: line 2: unknown block `tabel`"],
        );
        bad_restore(
            "family",
            &good.replacen("\ntable ip filter\n", "\ntable ipv9 filter\n", 1),
            &["line 2: unknown family `ipv9`"],
        );
        bad_restore(
            "mismatch",
            &good.replacen("\nchain ip filter INPUT\n", "\nchain ip filter OUTPUT\n", 1),
            &["line 4: header names chain OUTPUT but the body has chain INPUT"],
        );
        bad_restore(
            "hex",
            &good.replacen(body_line(3), "  body 0b00010066696c746572zz", 1),
            &["line 3: body is not valid hex"],
        );
        bad_restore(
            "truncated",
            &good.replacen(body_line(3), "  body 0b000100", 1),
            // The body line where the stream breaks.
            &["line 3: body is not a well-formed netlink attribute stream"],
        );
        bad_restore(
            "nobody",
            &good.replacen(&format!("{}\n", body_line(3)), "", 1),
            &["line 2: table block has no body line"],
        );
        bad_restore(
            "junk",
            &good.replacen(body_line(3), "  bogus 00", 1),
            &["line 3: unknown line `bogus`"],
        );
        bad_restore(
            "quote",
            &good.replacen("\ntable ip filter\n", "\ntable ip \"filter\n", 1),
            &["line 2: unterminated quoted name"],
        );
        // A missing file.
        let o = common::run(BIN, &["restore", "/nonexistent/file.save"]);
        let (code, _, err) = text(&o);
        assert_eq!(code, 1);
        assert!(err.contains("cannot read /nonexistent/file.save"), "{err}");
        // Not UTF-8.
        let f = tmpfile("latin1", "");
        std::fs::write(&f, b"nftwire-save 1\ntable ip \xe9\n").unwrap();
        let o = common::run(BIN, &["restore", f.to_str().unwrap()]);
        let (code, _, err) = text(&o);
        assert_eq!(code, 1);
        assert!(err.contains("line 2: not text"), "{err}");
    });
}

#[test]
fn kernel_rejection_names_object_and_line_and_changes_nothing() {
    common::netns(|| {
        common::nft_load(RULESET);
        // A well-formed file the kernel refuses: a base chain with policy 7
        // (EINVAL), after a table and a chain that are fine.
        let mut bad = Chain::regular(2, "t", "broken");
        bad.attrs.hook = Some(Hook {
            num: Some(1),
            priority: Some(0),
            ..Default::default()
        });
        bad.attrs.chain_type = Some("filter".into());
        bad.attrs.policy = Some(7);
        let ops = vec![
            creation_op(Table::named(2, "t").to_msg(msg::NEWTABLE, 0)),
            creation_op(Chain::regular(2, "t", "fine").to_msg(msg::NEWCHAIN, 0)),
            creation_op(bad.to_msg(msg::NEWCHAIN, 0)),
        ];
        let file = nftwire::save::render_ops(&ops).unwrap();
        let line = file.lines().position(|l| l == "chain ip t broken").unwrap() + 1;
        assert_eq!(line, 6);
        bad_restore(
            "kernel",
            &file,
            &[&format!(
                "CHAIN_ADD failed (Invalid argument): chain broken (table ip t), {} line {line}",
                std::env::temp_dir()
                    .join(format!("nftwire-cli-errors-{}", std::process::id()))
                    .join("kernel.save")
                    .display()
            )],
        );
        // A rule for a chain that is not in the file: ENOENT, named likewise.
        let mut text = save_now();
        text.push_str("rule ip filter nochain\n");
        let body = nftwire::object::Rule::new(2, "filter", "nochain", vec![]).body();
        text.push_str(&format!("  body {}\n", nftwire::util::hex(&body)));
        let n = text.lines().count() - 1;
        bad_restore(
            "enoent",
            &text,
            &[
                "RULE_APPEND failed (No such file or directory): rule in chain nochain (table ip filter)",
                &format!("line {n}"),
            ],
        );
    });
}

#[test]
fn tables_owned_by_another_process_are_reported() {
    common::netns(|| {
        // This socket owns the table while it stays open.
        let mut owner = Conn::open().unwrap();
        let mut t = Table::named(2, "owned");
        t.attrs.flags = Some(2);
        owner
            .batch(&[creation_op(t.to_msg(msg::NEWTABLE, 0))], None)
            .unwrap();
        common::nft_load(RULESET);
        let good = save_now();
        // The save file leaves the owner flag out (only the owner may set it).
        assert!(good.contains("\ntable ip owned\n"), "{good}");
        bad_restore(
            "owned",
            &good,
            &["table ip owned belongs to another process (netlink port "],
        );
        // Without that table: restored, with a warning that it was kept.
        let mut lines = good.lines();
        let mut kept = String::new();
        while let Some(l) = lines.next() {
            if l == "table ip owned" {
                lines.next();
                continue;
            }
            kept.push_str(l);
            kept.push('\n');
        }
        let f = tmpfile("without-owned.save", &kept);
        let o = common::run(BIN, &["restore", f.to_str().unwrap()]);
        let (code, _, err) = text(&o);
        assert_eq!(code, 0, "{err}");
        assert!(
            err.contains("warning: table ip owned belongs to another process")
                && err.contains("was left as it is"),
            "{err}"
        );
        assert_eq!(save_now(), good);
        drop(owner);
    });
}
