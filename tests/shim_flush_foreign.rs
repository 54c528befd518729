//! `iptables -F` beside rules other tools wrote (NetBird's, Tailscale's):
//! the flush removes every iptables rule and keeps the foreign ones, by
//! chain, for the whole table, verbose or not, and as a line of
//! `iptables-restore --noflush`. A chain with no foreign rule is flushed
//! exactly as 1.8.11 flushes it (the real 1.8.11 reads the result the
//! same way), and `-X` still deletes a user chain whatever it holds.

mod common;
mod oracle;

use std::path::Path;

/// Run the shim as `tool` with `args` (and `stdin`); (exit code, stdout, stderr).
fn shim(tool: &str, args: &[&str], stdin: &str) -> (i32, String, String) {
    let path = Path::new(&oracle::env().wrap_shim).join(tool);
    let o = common::run_stdin(&path.display().to_string(), args, stdin);
    (
        o.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

/// Like [`shim`] but for the real iptables 1.8.11.
fn real(tool: &str, args: &[&str]) -> String {
    let path = Path::new(&oracle::env().wrap_oracle).join(tool);
    let o = common::run(&path.display().to_string(), args);
    assert!(o.status.success(), "1.8.11 {tool} {args:?}: {o:?}");
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn ok(tool: &str, args: &[&str]) -> String {
    let (rc, out, err) = shim(tool, args, "");
    assert_eq!(rc, 0, "{tool} {args:?}: {err}");
    out
}

fn nft_list() -> String {
    let o = common::run("nft", &["list", "table", "ip", "filter"]);
    assert!(o.status.success(), "nft list: {o:?}");
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// NetBird-style native rules (none of which 1.8.11 can read, so foreign
/// to the shim too) in iptables' own chains, one of them in a user chain,
/// between iptables rules.
fn load() {
    ok("iptables", &["-N", "KEEP"]);
    ok(
        "iptables",
        &["-A", "INPUT", "-s", "10.0.0.1/32", "-j", "ACCEPT"],
    );
    ok(
        "iptables",
        &["-A", "FORWARD", "-s", "10.0.0.2/32", "-j", "DROP"],
    );
    ok(
        "iptables",
        &["-A", "KEEP", "-s", "10.0.0.3/32", "-j", "RETURN"],
    );
    common::nft_load(
        "add rule ip filter INPUT iifname \"wt0\" ct state established,related counter accept\n\
         add rule ip filter FORWARD oifname \"wt0\" tcp dport { 22, 443 } counter accept\n\
         add rule ip filter KEEP iifname \"wt0\" udp dport { 51820, 51821 } counter accept\n",
    );
    ok(
        "iptables",
        &["-A", "INPUT", "-s", "10.0.0.4/32", "-j", "DROP"],
    );
}

const NATIVE: [&str; 3] = [
    "iifname \"wt0\" ct state established,related",
    "oifname \"wt0\" tcp dport { 22, 443 }",
    "iifname \"wt0\" udp dport { 51820, 51821 }",
];
const OWN: [&str; 4] = ["10.0.0.1", "10.0.0.2", "10.0.0.3", "10.0.0.4"];

fn assert_native_kept(k: &str) {
    for n in NATIVE {
        assert!(k.contains(n), "native rule `{n}` lost:\n{k}");
    }
}

#[test]
fn flush_of_one_chain_keeps_its_foreign_rules() {
    common::netns(|| {
        load();
        ok("iptables", &["-F", "INPUT"]);
        let k = nft_list();
        assert_native_kept(&k);
        assert!(!k.contains("10.0.0.1") && !k.contains("10.0.0.4"), "{k}");
        assert!(k.contains("10.0.0.2") && k.contains("10.0.0.3"), "{k}");
        // A rule appended after the flush follows the kept foreign rule.
        ok(
            "iptables",
            &["-A", "INPUT", "-s", "10.0.0.5/32", "-j", "ACCEPT"],
        );
        let s = ok("iptables", &["-S", "INPUT"]);
        let lines: Vec<&str> = s.lines().collect();
        assert_eq!(lines.len(), 3, "{s}");
        assert!(lines[1].contains("not an iptables rule"), "{s}");
        assert_eq!(lines[2], "-A INPUT -s 10.0.0.5/32 -j ACCEPT", "{s}");
        // A chain without foreign rules is flushed as 1.8.11 flushes it;
        // 1.8.11 then reads an empty FORWARD apart from the native rule.
        ok("iptables", &["-F", "FORWARD"]);
        let r = real("iptables", &["-S", "FORWARD"]);
        assert!(!r.contains("10.0.0.2"), "{r}");
    });
}

#[test]
fn flush_of_the_table_keeps_foreign_rules() {
    for verbose in [false, true] {
        common::netns(move || {
            load();
            let args: &[&str] = if verbose { &["-v", "-F"] } else { &["-F"] };
            let out = ok("iptables", args);
            if verbose {
                assert_eq!(
                    out,
                    "Flushing chain `INPUT'\nFlushing chain `FORWARD'\n\
                     Flushing chain `OUTPUT'\nFlushing chain `KEEP'\n"
                );
            }
            let k = nft_list();
            assert_native_kept(&k);
            for o in OWN {
                assert!(!k.contains(o), "iptables rule {o} left after -F:\n{k}");
            }
            // -X deletes the user chain even though it holds a native rule
            // (an explicit request for that chain), and the base chains,
            // which still hold native rules, stay.
            ok("iptables", &["-X"]);
            let k = nft_list();
            assert!(!k.contains("chain KEEP"), "{k}");
            assert!(k.contains(NATIVE[0]) && k.contains(NATIVE[1]), "{k}");
        });
    }
}

#[test]
fn flush_without_foreign_rules_is_1_8_11s_flush() {
    common::netns(|| {
        ok(
            "iptables",
            &["-A", "INPUT", "-s", "10.0.0.1/32", "-j", "ACCEPT"],
        );
        ok(
            "iptables",
            &["-A", "OUTPUT", "-d", "10.0.0.2/32", "-j", "DROP"],
        );
        ok("iptables", &["-F"]);
        let s = real("iptables-save", &[]);
        assert!(!s.contains("10.0.0."), "{s}");
        assert!(
            s.contains(":INPUT ACCEPT") && s.contains(":OUTPUT ACCEPT"),
            "{s}"
        );
    });
}

#[test]
fn flush_line_of_a_noflush_restore_keeps_foreign_rules() {
    common::netns(|| {
        load();
        let input = "*filter\n-F INPUT\n-A INPUT -s 10.0.0.9/32 -j ACCEPT\nCOMMIT\n";
        let (rc, _, err) = shim("iptables-restore", &["--noflush"], input);
        assert_eq!(rc, 0, "{err}");
        let k = nft_list();
        assert_native_kept(&k);
        assert!(!k.contains("10.0.0.1 ") && !k.contains("10.0.0.4"), "{k}");
        assert!(k.contains("10.0.0.9"), "{k}");
    });
}
