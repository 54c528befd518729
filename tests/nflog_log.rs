//! `nftwire log --group N` on a gateway (see `common/gateway.rs`): an NFLOG
//! rule written through the shim on FORWARD and a native `log group` rule
//! on prerouting; one TCP connection crosses; both log lines appear, with
//! prefix, hook, interfaces, addresses and ports.

mod common;

use common::gateway::Gateway;
use std::io::{BufRead, BufReader, Read};
use std::process::{Command, Stdio};

const NATIVE: &str = "table ip logtest {
  chain pre {
    type filter hook prerouting priority 0; policy accept;
    tcp dport 443 meta mark set 0x7 log prefix \"pre443 \" group 7
  }
}
";

#[test]
fn log_prints_both_rules_packets() {
    let g = Gateway::new("log");
    g.nft_load(NATIVE);
    let shim = common::bin("nftwire-iptables");
    g.exec(
        &g.gw,
        shim.to_str().unwrap(),
        &[
            "iptables",
            "-A",
            "FORWARD",
            "-p",
            "tcp",
            "--dport",
            "443",
            "-j",
            "NFLOG",
            "--nflog-group",
            "7",
            "--nflog-prefix",
            "fwd443",
        ],
    );
    let mut child = Command::new("ip")
        .args(["netns", "exec", &g.gw])
        .arg(common::bin("nftwire"))
        .args(["log", "--group", "7", "--count", "2"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start nftwire log");
    // Wait until the group is bound.
    let mut err = BufReader::new(child.stderr.take().unwrap());
    let mut first = String::new();
    err.read_line(&mut first).unwrap();
    assert_eq!(first.trim(), "nftwire: listening on NFLOG group 7");

    // A second listener on the same group is refused, with the reason.
    let second = g.exec_any(
        &g.gw,
        common::bin("nftwire").to_str().unwrap(),
        &["log", "--group", "7"],
        None,
    );
    assert_eq!(second.status.code(), Some(4));
    assert_eq!(
        String::from_utf8_lossy(&second.stderr).trim(),
        "nftwire: cannot bind NFLOG group 7: another process (ulogd?) has bound it"
    );

    g.listen(&g.server, "198.51.100.9:443");
    let c = g.connect(&g.client, "198.51.100.9:443");
    let cport = c.local_addr().unwrap().port();
    let mut out = String::new();
    child
        .stdout
        .take()
        .unwrap()
        .read_to_string(&mut out)
        .unwrap();
    let status = child.wait().unwrap();
    drop(c);
    println!("nftwire log --group 7:\n{out}");
    assert!(status.success(), "{out}");
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 2, "{out}");
    let pre = format!("prefix \"pre443 \" group 7 hook PREROUTING in g0 out - tcp 10.0.0.5:{cport} -> 198.51.100.9:443 len ");
    assert!(lines[0].starts_with(&pre), "{}\nwanted {pre}", lines[0]);
    assert!(lines[0].ends_with(" mark 0x7"), "{}", lines[0]);
    let fwd = format!("prefix \"fwd443\" group 7 hook FORWARD in g0 out g1 tcp 10.0.0.5:{cport} -> 198.51.100.9:443 len ");
    assert!(lines[1].starts_with(&fwd), "{}\nwanted {fwd}", lines[1]);
    assert!(lines[1].ends_with(" mark 0x7"), "{}", lines[1]);
}
