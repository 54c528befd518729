//! Fight detection on a real kernel: two writers with different command
//! names (symlinks to Debian's `xtables-nft-multi`, which runs the applet
//! named by its first argument, so the kernel records the link's name), one
//! re-inserting a rule at position 1 of nat PREROUTING, one deleting rule 1,
//! alternately. Both the library and `nftwire monitor --fights` must name
//! both writers.

mod common;

use nftwire::monitor::{FightDetector, Monitor};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const MULTI: &str = "/usr/sbin/xtables-nft-multi";

/// A directory with `ovn-writer` and `calico-writer` links to the
/// xtables-nft-multi binary.
fn writers(test: &str) -> PathBuf {
    assert!(
        std::path::Path::new(MULTI).exists(),
        "{MULTI} is missing: install Debian's iptables package"
    );
    let dir = std::env::temp_dir().join(format!("nftwire-fight-{test}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    for n in ["ovn-writer", "calico-writer"] {
        std::os::unix::fs::symlink(MULTI, dir.join(n)).unwrap();
    }
    dir
}

fn write(dir: &std::path::Path, who: &str, args: &[&str]) {
    let o = Command::new(dir.join(who))
        .arg("iptables")
        .args(args)
        .output()
        .expect("run writer");
    assert!(
        o.status.success(),
        "{who} {args:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
}

/// One round of the war: ovn-writer puts its rule first, calico-writer
/// deletes the first rule.
fn round(dir: &std::path::Path) {
    let insert = [
        "-t",
        "nat",
        "-I",
        "PREROUTING",
        "1",
        "-p",
        "tcp",
        "--dport",
        "80",
        "-j",
        "ACCEPT",
    ];
    write(dir, "ovn-writer", &insert);
    std::thread::sleep(Duration::from_millis(100));
    write(
        dir,
        "calico-writer",
        &["-t", "nat", "-D", "PREROUTING", "1"],
    );
    std::thread::sleep(Duration::from_millis(100));
}

#[test]
fn library_names_both_writers() {
    common::netns(|| {
        let dir = writers("lib");
        let mut mon = Monitor::open().expect("subscribe");
        for _ in 0..5 {
            round(&dir);
        }
        let mut det = FightDetector::new(Duration::from_secs(30));
        let mut fights = Vec::new();
        let mut committers = Vec::new();
        // 10 commits: 5 inserts (the first also creates table and chain), 5 deletes.
        for _ in 0..10 {
            let t = mon.next_transaction().expect("transaction");
            committers.push(t.committer.name.clone());
            fights.extend(det.observe(Instant::now(), &t));
        }
        let _ = std::fs::remove_dir_all(&dir);
        assert_eq!(committers[0], "ovn-writer");
        assert_eq!(committers[1], "calico-writer");
        assert_eq!(fights.len(), 1, "one episode, one warning: {fights:?}");
        let f = &fights[0];
        assert_eq!((f.table.as_str(), f.chain.as_str()), ("nat", "PREROUTING"));
        let mut names = [f.process.name.clone(), f.rival.name.clone()];
        names.sort();
        assert_eq!(names, ["calico-writer", "ovn-writer"]);
        assert!(f.process.pid != 0 && f.rival.pid != 0);
        assert_eq!(f.count, nftwire::monitor::fight::DEFAULT_THRESHOLD);
    });
}

#[test]
fn cli_fights_json_names_both_writers() {
    common::netns(|| {
        let dir = writers("cli");
        let mut child = Command::new(common::bin("nftwire"))
            .args(["monitor", "--fights", "--json", "--count", "1"])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start nftwire monitor");
        // The monitor subscribes in a few ms; rounds go on until it has
        // reported (bounded: a missed early round only delays the report).
        let mut rounds = 0;
        while child.try_wait().unwrap().is_none() && rounds < 40 {
            round(&dir);
            rounds += 1;
        }
        if child.try_wait().unwrap().is_none() {
            child.kill().unwrap();
        }
        let out = child.wait_with_output().unwrap();
        let _ = std::fs::remove_dir_all(&dir);
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success(),
            "monitor did not report a fight in {rounds} rounds: {text} {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let line = text.lines().next().expect("one line");
        assert!(line.starts_with("{\"fight\": {\"family\": \"ip\", \"table\": \"nat\", \"chain\": \"PREROUTING\", \"processes\": [{\"name\": "), "{line}");
        assert!(line.contains("\"name\": \"ovn-writer\""), "{line}");
        assert!(line.contains("\"name\": \"calico-writer\""), "{line}");
        assert!(
            line.contains("\"count\": 4, \"window_ms\": 30000"),
            "{line}"
        );
    });
}
