//! Rules other tools put into the bridge and arp tables the shim's
//! ebtables and arptables manage: never fatal, listed as comment lines
//! (`-L`, `-S`, save), skipped by `--check`/`-D`, kept by a full restore,
//! kept by a flush (`-F`) — the same treatment as in the ip tables.

mod common;
mod oracle;

use std::process::Command;

fn run(shim: &str, tool: &str, args: &[&str], stdin: Option<&str>) -> (i32, String, String) {
    use std::io::Write;
    use std::os::unix::process::CommandExt;
    let mut c = Command::new(shim);
    c.arg0(tool)
        .args(args)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    let mut child = c.spawn().expect("shim");
    if let Some(mut i) = child.stdin.take() {
        let _ = i.write_all(stdin.unwrap_or("").as_bytes());
    }
    let o = child.wait_with_output().expect("wait");
    (
        o.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

fn nft(script: &str) {
    let mut c = Command::new("nft");
    c.arg("-f").arg("-").stdin(std::process::Stdio::piped());
    let mut child = c
        .spawn()
        .expect("nft (the nftables package) must be installed");
    {
        use std::io::Write;
        child
            .stdin
            .take()
            .unwrap()
            .write_all(script.as_bytes())
            .unwrap();
    }
    assert!(
        child.wait().unwrap().success(),
        "nft -f failed for:\n{script}"
    );
}

fn nft_list(table: &str) -> String {
    let o = Command::new("nft")
        .args(["list", "table"])
        .args(table.split(' '))
        .output()
        .expect("nft");
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn ok(r: (i32, String, String)) -> String {
    assert_eq!(r.0, 0, "stdout: {}\nstderr: {}", r.1, r.2);
    r.1
}

#[test]
fn ebtables_keeps_foreign_rules() {
    let shim = oracle::env().shim.display().to_string();
    common::netns(move || {
        nft("table bridge filter {\n\
             chain FORWARD { type filter hook forward priority -200; policy accept;\n\
             ether type ip ip saddr 192.0.2.7 counter drop\n\
             }\n\
             chain other { type filter hook input priority 10; }\n\
             }\n");
        let eb = |args: &[&str]| run(&shim, "ebtables", args, None);
        ok(eb(&[
            "-A",
            "FORWARD",
            "-s",
            "00:11:22:33:44:55",
            "-j",
            "ACCEPT",
        ]));
        let l = ok(eb(&["-L"]));
        assert!(
            l.contains("not an iptables rule") && l.contains("ip saddr 192.0.2.7"),
            "{l}"
        );
        assert!(l.contains("-s 00:11:22:33:44:55 -j ACCEPT"), "{l}");
        let s = ok(eb(&["-S"]));
        assert!(
            s.contains("# Table `filter' contains incompatible base-chains"),
            "{s}"
        );
        assert!(s.contains("# -A FORWARD handle"), "{s}");
        // --check and -D look at ebtables' own rules only.
        ok(eb(&[
            "--check",
            "FORWARD",
            "-s",
            "00:11:22:33:44:55",
            "-j",
            "ACCEPT",
        ]));
        let (rc, _, _) = eb(&["--check", "FORWARD", "-j", "DROP"]);
        assert_eq!(rc, 1);
        // A full save and restore keeps the foreign rule and chain, in its
        // place between the ebtables rules.
        ok(eb(&[
            "-I",
            "FORWARD",
            "1",
            "-s",
            "00:11:22:33:44:66",
            "-j",
            "DROP",
        ]));
        let saved = ok(run(&shim, "ebtables-save", &[], None));
        ok(run(&shim, "ebtables-restore", &[], Some(&saved)));
        let k = nft_list("bridge filter");
        assert!(k.contains("ip saddr 192.0.2.7"), "{k}");
        assert!(k.contains("chain other"), "{k}");
        let at = |s: &str| k.find(s).unwrap_or_else(|| panic!("{s} missing:\n{k}"));
        assert!(
            at("ether saddr 00:11:22:33:44:66") < at("ip saddr 192.0.2.7")
                && at("ip saddr 192.0.2.7") < at("ether saddr 00:11:22:33:44:55"),
            "order changed by the restore:\n{k}"
        );
        ok(eb(&[
            "-D",
            "FORWARD",
            "-s",
            "00:11:22:33:44:66",
            "-j",
            "DROP",
        ]));
        assert_eq!(
            k.matches("ether saddr 00:11:22:33:44:55").count(),
            1,
            "the ebtables rule must be restored exactly once:\n{k}"
        );
        // Deleting by number warns for a foreign rule and deletes it.
        let (rc, _, err) = eb(&["-D", "FORWARD", "1"]);
        assert_eq!(rc, 0, "{err}");
        let k = nft_list("bridge filter");
        assert!(!k.contains("ip saddr 192.0.2.7"), "{k}");
        // A flush removes the ebtables rules and keeps the foreign ones,
        // by chain and for the whole table.
        nft("add rule bridge filter FORWARD meta pkttype broadcast counter drop\n");
        ok(eb(&["-F", "FORWARD"]));
        let k = nft_list("bridge filter");
        assert!(k.contains("pkttype"), "{k}");
        assert!(!k.contains("ether saddr 00:11:22:33:44:55"), "{k}");
        ok(eb(&[
            "-A",
            "FORWARD",
            "-s",
            "00:11:22:33:44:55",
            "-j",
            "DROP",
        ]));
        ok(eb(&["-F"]));
        let k = nft_list("bridge filter");
        assert!(k.contains("pkttype"), "{k}");
        assert!(!k.contains("ether saddr 00:11:22:33:44:55"), "{k}");
        // Deleting the foreign rule by number still works.
        ok(eb(&["-D", "FORWARD", "1"]));
        let k = nft_list("bridge filter");
        assert!(!k.contains("pkttype"), "{k}");
        // A user chain left holding only foreign rules by a flush is
        // deleted by -X with them.
        ok(eb(&["-N", "USR"]));
        ok(eb(&[
            "-A",
            "USR",
            "-s",
            "00:11:22:33:44:77",
            "-j",
            "ACCEPT",
        ]));
        nft("add rule bridge filter USR meta pkttype multicast counter drop\n");
        ok(eb(&["-F"]));
        let k = nft_list("bridge filter");
        assert!(k.contains("pkttype multicast"), "{k}");
        ok(eb(&["-X"]));
        let k = nft_list("bridge filter");
        assert!(!k.contains("chain USR"), "{k}");
    });
}

#[test]
fn arptables_keeps_foreign_rules() {
    let shim = oracle::env().shim.display().to_string();
    common::netns(move || {
        nft("table arp filter {\n\
             chain INPUT { type filter hook input priority 0; policy accept;\n\
             arp operation reply counter drop\n\
             }\n\
             }\n");
        let arp = |args: &[&str]| run(&shim, "arptables", args, None);
        ok(arp(&["-A", "INPUT", "-s", "10.0.0.1", "-j", "ACCEPT"]));
        let l = ok(arp(&["-L", "-n"]));
        assert!(
            l.contains("not an iptables rule") && l.contains("arp operation reply"),
            "{l}"
        );
        assert!(l.contains("-j ACCEPT -s 10.0.0.1"), "{l}");
        ok(arp(&["-C", "INPUT", "-s", "10.0.0.1", "-j", "ACCEPT"]));
        let saved = ok(run(&shim, "arptables-save", &[], None));
        assert!(saved.contains("# -A INPUT handle"), "{saved}");
        ok(run(&shim, "arptables-restore", &[], Some(&saved)));
        let k = nft_list("arp filter");
        assert!(k.contains("arp operation reply"), "{k}");
        assert_eq!(
            k.matches("arp saddr ip 10.0.0.1").count(),
            1,
            "the arptables rule must be restored exactly once:\n{k}"
        );
        ok(arp(&["-F"]));
        let k = nft_list("arp filter");
        assert!(k.contains("arp operation reply"), "{k}");
        assert!(!k.contains("arp saddr ip 10.0.0.1"), "{k}");
        ok(arp(&["-A", "INPUT", "-s", "10.0.0.1", "-j", "ACCEPT"]));
        ok(arp(&["-F", "INPUT"]));
        let k = nft_list("arp filter");
        assert!(k.contains("arp operation reply"), "{k}");
        assert!(!k.contains("arp saddr ip 10.0.0.1"), "{k}");
    });
}
