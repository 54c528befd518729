//! `iptables-restore` reads its input as a stream and commits each table
//! at its `COMMIT` line, as iptables-nft 1.8.11 does: a writer that keeps
//! the pipe open sees the table applied, and a later table that fails
//! leaves the tables committed before it in place.

mod common;
mod oracle;

use oracle::{compare, env, Impl, Step};
use std::io::Write;
use std::process::{Command, Stdio};

/// Start `iptables-restore` of `which` on a pipe, write one table and keep
/// the pipe open; poll `iptables -S foo` until the chain shows (or give up
/// after many tries). Returns whether it showed while the pipe was open.
fn applied_before_end_of_input(which: Impl) -> bool {
    let e = env().clone();
    common::netns(move || {
        let dir = match which {
            Impl::Oracle => e.wrap_oracle.clone(),
            Impl::Shim => e.wrap_shim.clone(),
        };
        let mut child = Command::new(dir.join("iptables-restore"))
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn iptables-restore");
        let mut stdin = child.stdin.take().expect("stdin");
        stdin
            .write_all(b"*filter\n:foo - [0:0]\nCOMMIT\n")
            .expect("write");
        stdin.flush().expect("flush");
        let mut seen = false;
        for _ in 0..200 {
            let o = common::run(dir.join("iptables").to_str().unwrap(), &["-S", "foo"]);
            if o.status.success() && String::from_utf8_lossy(&o.stdout).contains("-N foo") {
                seen = true;
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        drop(stdin);
        let out = child.wait_with_output().expect("wait");
        assert!(
            out.status.success(),
            "{which:?} restore failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        seen
    })
}

#[test]
fn a_table_is_applied_at_its_commit_line() {
    assert!(env().root.is_some(), "the real iptables 1.8.11 is needed");
    assert!(applied_before_end_of_input(Impl::Oracle), "1.8.11 did not");
    assert!(
        applied_before_end_of_input(Impl::Shim),
        "the shim did not apply the table before its input ended"
    );
}

#[test]
fn a_failing_later_table_leaves_earlier_ones_as_1_8_11_does() {
    assert!(env().root.is_some(), "the real iptables 1.8.11 is needed");
    let restore = |input: &str, args: &[&str]| Step {
        tool: "iptables-restore".into(),
        args: args.iter().map(|s| s.to_string()).collect(),
        stdin: Some(input.into()),
    };
    let cases = [
        // a parameter error in the second table
        "*filter\n:bar - [0:0]\n-A INPUT -j bar\nCOMMIT\n*nat\n-A PREROUTING -p udp -j DNAT --to-destination 1.2.3.4:0-\nCOMMIT\n",
        // a jump to a missing chain in the second table
        "*filter\n:bar - [0:0]\nCOMMIT\n*nat\n-A PREROUTING -j NOPE\nCOMMIT\n",
        // the second table is not closed
        "*filter\n:bar - [0:0]\nCOMMIT\n*mangle\n:m - [0:0]\n",
        // a bad line in the third table
        "*filter\n:bar - [0:0]\nCOMMIT\n*raw\n:r - [0:0]\nCOMMIT\n*mangle\nbogus\nCOMMIT\n",
    ];
    for input in cases {
        for args in [&[][..], &["--noflush"][..]] {
            let steps = [
                Step::new("iptables", &["-A", "OUTPUT", "-j", "ACCEPT"]),
                restore(input, args),
                Step::new("iptables-save", &[]),
            ];
            if let Some(d) = compare(env(), &steps, None) {
                panic!("{input}{args:?}: {d}");
            }
        }
    }
}

/// Run `steps` with `which` in a fresh namespace; `nft -a list ruleset`
/// after the last (handles and table order included).
fn listing_after(which: Impl, steps: &[Step]) -> String {
    let e = env().clone();
    let steps = steps.to_vec();
    common::netns(move || {
        for s in &steps {
            let o = oracle::run_step(&e, which, s);
            assert_eq!(o.rc, 0, "{which:?} {} {:?}: {}", s.tool, s.args, o.stderr);
        }
        let o = common::run("nft", &["-a", "list", "ruleset"]);
        String::from_utf8_lossy(&o.stdout).into_owned()
    })
}

#[test]
fn a_full_restore_of_a_pure_iptables_table_recreates_it_as_1_8_11_does() {
    assert!(env().root.is_some(), "the real iptables 1.8.11 is needed");
    let restore = |tool: &str, input: &str| Step {
        tool: tool.into(),
        args: Vec::new(),
        stdin: Some(input.into()),
    };
    let filter = "*filter\n:INPUT DROP [0:0]\n:FORWARD DROP [0:0]\n:OUTPUT ACCEPT [0:0]\n:ufw-in - [0:0]\n-A INPUT -j ufw-in\n-A ufw-in -p tcp --dport 22 -j ACCEPT\nCOMMIT\n";
    let mangle = "*mangle\n:PREROUTING ACCEPT [0:0]\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n:POSTROUTING ACCEPT [0:0]\n-A POSTROUTING -j MARK --set-mark 1\nCOMMIT\n";
    let mangle_reordered = "*mangle\n:POSTROUTING ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n:PREROUTING ACCEPT [0:0]\n-A OUTPUT -j MARK --set-mark 2\nCOMMIT\n";
    // ufw's reload: both families loaded, then each restored again (the
    // table order swaps with 1.8.11); ferm's re-apply with base chains
    // declared in another order.
    let steps = [
        restore("iptables-restore", filter),
        restore("ip6tables-restore", &filter.replace("22", "23")),
        restore("iptables-restore", filter),
        restore("iptables-restore", mangle),
        restore("ip6tables-restore", filter),
        restore("iptables-restore", mangle_reordered),
        restore("iptables-restore", &format!("{filter}{mangle}")),
    ];
    let real = listing_after(Impl::Oracle, &steps);
    let shim = listing_after(Impl::Shim, &steps);
    assert!(real.contains("ufw-in"), "{real}");
    assert_eq!(
        shim, real,
        "nft -a list ruleset differs (shim, then 1.8.11)"
    );
}
