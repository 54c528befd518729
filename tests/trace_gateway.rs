//! `nftwire trace` on the gateway (see `common/gateway.rs`), beside
//! `nft monitor trace`: a DNAT rule and a FORWARD accept written through the
//! shim, a native rule in its own table; one connection from the server to
//! the forwarded port. For the SYN, nftwire must show the same sequence of
//! chains, rules and verdicts as nft's tracer, the iptables rules in
//! iptables syntax as `xtables-monitor --trace` shows them, and the native
//! one as nft prints it. Its arming table is
//! gone after SIGINT, and a table left by a dead run is removed.

mod common;

use common::gateway::Gateway;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{channel, Receiver};
use std::time::Duration;

const RULES: &str = "*nat
:PREROUTING ACCEPT [0:0]
:INPUT ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:POSTROUTING ACCEPT [0:0]
-A PREROUTING -d 198.51.100.1/32 -i g1 -p tcp -m tcp --dport 8080 -j DNAT --to-destination 10.0.0.5:80
COMMIT
*filter
:INPUT ACCEPT [0:0]
:FORWARD ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
-A FORWARD -d 10.0.0.5/32 -p tcp -m tcp --dport 80 -j ACCEPT
COMMIT
";

const NATIVE: &str = "table inet gwnative {
  chain forward_mark {
    type filter hook forward priority 10; policy accept;
    tcp dport 80 meta mark set 0x5
  }
}
";

/// A child process killed when the test ends, passed or not.
struct KillOnDrop(Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Lines of a child's stdout, through a channel (a hang guard, not a timing
/// assertion: every awaited line is already due when it is awaited).
fn lines(child: &mut Child) -> Receiver<String> {
    let out = child.stdout.take().unwrap();
    let (tx, rx) = channel();
    std::thread::spawn(move || {
        for l in BufReader::new(out).lines() {
            let Ok(l) = l else { break };
            if tx.send(l).is_err() {
                break;
            }
        }
    });
    rx
}

fn until(rx: &Receiver<String>, what: &str, mut stop: impl FnMut(&str) -> bool) -> Vec<String> {
    let mut got = Vec::new();
    loop {
        let l = rx
            .recv_timeout(Duration::from_secs(60))
            .unwrap_or_else(|e| panic!("{what}: no more output ({e}); got {got:#?}"));
        let done = stop(&l);
        got.push(l);
        if done {
            return got;
        }
    }
}

/// `(family table chain, rule|policy, verdict)` of an event line, from
/// nft's `trace id ID F T C rule TEXT (verdict V)` / `... policy V` or ours
/// (`trace ID F T C ...`).
fn step(l: &str) -> Option<(String, String, String)> {
    let w: Vec<&str> = l.split_whitespace().collect();
    let at = if w.get(1) == Some(&"id") { 3 } else { 2 };
    let place = w.get(at..at + 3)?.join(" ");
    match *w.get(at + 3)? {
        "rule" => {
            let v = l
                .rsplit_once("(verdict ")?
                .1
                .trim_end()
                .trim_end_matches(')');
            Some((place, "rule".into(), v.to_string()))
        }
        "policy" => Some((place, "policy".into(), w.get(at + 4)?.to_string())),
        _ => None,
    }
}

/// SIGINT to a tracer: it must disarm and exit with 130.
fn interrupt(child: &mut Child) {
    let pid = child.id().to_string();
    assert!(Command::new("kill")
        .args(["-INT", &pid])
        .status()
        .unwrap()
        .success());
    assert_eq!(child.wait().unwrap().code(), Some(130));
}

/// The string value of `"key": "..."` in a JSON line (no escapes inside).
fn field(l: &str, key: &str) -> Option<String> {
    let pat = format!("\"{key}\": \"");
    let at = l.find(&pat)? + pat.len();
    Some(l[at..at + l[at..].find('"')?].to_string())
}

/// The number value of `"key": N` in a JSON line.
fn num(l: &str, key: &str) -> Option<u64> {
    let pat = format!("\"{key}\": ");
    let at = l.find(&pat)? + pat.len();
    let n: String = l[at..].chars().take_while(|c| c.is_ascii_digit()).collect();
    n.parse().ok()
}

/// The running kernel's version is at least `major.minor`.
fn kernel_at_least(major: u32, minor: u32) -> bool {
    let r = std::fs::read_to_string("/proc/sys/kernel/osrelease").unwrap();
    let mut v = r
        .trim()
        .split(['.', '-'])
        .map(|x| x.parse::<u32>().unwrap_or(0));
    (v.next().unwrap(), v.next().unwrap()) >= (major, minor)
}

fn tables(g: &Gateway) -> String {
    String::from_utf8(g.exec(&g.gw, "nft", &["list", "tables"]).stdout).unwrap()
}

#[test]
fn trace_matches_nft_monitor_trace() {
    let g = Gateway::new("trace");
    g.shim_restore(RULES);
    g.nft_load(NATIVE);
    // A table left by a killed run: named after a process that has ended.
    let mut dead = Command::new("true").spawn().unwrap();
    let dead_pid = dead.id();
    dead.wait().unwrap();
    let stale = format!("nftwire-trace-{dead_pid}");
    g.exec(&g.gw, "nft", &["add", "table", "inet", &stale]);

    // iptables' own tracer (Debian 12's xtables-monitor), also subscribed
    // before the tracer arms.
    let mut xm = Command::new("ip")
        .args([
            "netns",
            "exec",
            &g.gw,
            "stdbuf",
            "-oL",
            "xtables-monitor",
            "--trace",
            "--event",
        ])
        .stdout(Stdio::piped())
        .spawn()
        .expect("xtables-monitor (Debian package iptables)");
    let xm_rx = lines(&mut xm);
    let mut xm = KillOnDrop(xm);
    // nft's monitor first (all events: it shows our arming table appear,
    // so it is listening before any traffic), then nftwire's tracer.
    let mut nft = Command::new("ip")
        // stdbuf: nft writes through stdio, block-buffered into a pipe.
        .args(["netns", "exec", &g.gw, "stdbuf", "-oL", "nft", "monitor"])
        .stdout(Stdio::piped())
        .spawn()
        .expect("nft monitor");
    let nft_rx = lines(&mut nft);
    let mut nft = KillOnDrop(nft);
    // Wait until nft listens: add and delete a probe table until it says so.
    let mut listening = false;
    for _ in 0..100 {
        g.exec(&g.gw, "nft", &["add", "table", "inet", "probe"]);
        g.exec(&g.gw, "nft", &["delete", "table", "inet", "probe"]);
        if let Ok(l) = nft_rx.recv_timeout(Duration::from_millis(200)) {
            listening = l.contains("table inet probe");
            if listening {
                break;
            }
        }
    }
    assert!(listening, "nft monitor never showed the probe table");
    until(&xm_rx, "xtables-monitor", |l| l.contains("NEWGEN:"));
    let mut ours = Command::new("ip")
        .args(["netns", "exec", &g.gw])
        .arg(common::bin("nftwire"))
        .args(["trace", "--iif", "g1", "--proto", "tcp", "--dport", "8080"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("nftwire trace");
    let ours_rx = lines(&mut ours);
    let mut ours = KillOnDrop(ours);
    let mut err = BufReader::new(ours.0.stderr.take().unwrap());
    let mut e1 = String::new();
    err.read_line(&mut e1).unwrap();
    assert_eq!(
        e1.trim(),
        format!("nftwire: removed table inet {stale} left by an earlier trace")
    );
    let mut e2 = String::new();
    err.read_line(&mut e2).unwrap();
    assert!(
        e2.starts_with("nftwire: tracing (table inet nftwire-trace-"),
        "{e2}"
    );
    // A second tracer with --json, for the same packet.
    let mut js = Command::new("ip")
        .args(["netns", "exec", &g.gw])
        .arg(common::bin("nftwire"))
        .args([
            "trace", "--json", "--iif", "g1", "--proto", "tcp", "--dport", "8080",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("nftwire trace --json");
    let js_rx = lines(&mut js);
    let mut js = KillOnDrop(js);
    let mut armed = 0;
    until(&nft_rx, "nft monitor", |l| {
        armed += (l.starts_with("add rule inet nftwire-trace-") && l.contains(" output ")) as u32;
        armed == 2
    });

    g.listen(&g.client, "10.0.0.5:80");
    let c = g.connect(&g.server, "198.51.100.1:8080");
    let sport = c.local_addr().unwrap().port();
    let last = |l: &str| l.contains(" ip nat POSTROUTING policy ");
    let nft_lines = until(&nft_rx, "nft monitor trace", last);
    let our_lines = until(&ours_rx, "nftwire trace", last);
    let js_lines = until(&js_rx, "nftwire trace --json", |l| {
        l.contains("\"chain\": \"POSTROUTING\", \"type\": \"policy\"")
    });
    // The connection's conntrack id, while it lives (conntrack-tools).
    let ct_list = g.exec(
        &g.gw,
        "/usr/sbin/conntrack",
        &["-L", "-p", "tcp", "--sport", &sport.to_string(), "-o", "id"],
    );
    let ct_list = String::from_utf8(ct_list.stdout).unwrap();
    let xm_lines = until(&xm_rx, "xtables-monitor", |l| {
        l.contains(" nat:POSTROUTING:policy:")
    });
    drop(c);
    let _ = xm.0.kill();
    interrupt(&mut ours.0);
    let _ = nft.0.kill();
    let _ = nft.0.wait();
    interrupt(&mut js.0);
    println!(
        "nft monitor:\n{}\n\nxtables-monitor:\n{}\n\nnftwire trace:\n{}\n\nnftwire trace --json:\n{}\n\nconntrack -L:\n{ct_list}",
        nft_lines.join("\n"),
        xm_lines.join("\n"),
        our_lines.join("\n"),
        js_lines.join("\n")
    );

    // The SYN's trace id is the one of our first line.
    let id = our_lines[0].split_whitespace().nth(1).unwrap().to_string();
    assert_eq!(
        our_lines[0],
        format!("trace {id} ip nat PREROUTING packet: iif g1 tcp 198.51.100.9:{sport} -> 198.51.100.1:8080 mark 0x0")
    );
    // A packet line for each base chain nft's tracer shows one for.
    let packet_places = |ls: &[String], pre: &str| -> Vec<String> {
        ls.iter()
            .filter(|l| {
                l.starts_with(pre) && l.contains(" packet: ") && !l.contains(" nftwire-trace-")
            })
            .map(|l| l[pre.len()..l.find(" packet: ").unwrap()].to_string())
            .collect()
    };
    assert_eq!(
        packet_places(&our_lines, &format!("trace {id} ")),
        packet_places(&nft_lines, &format!("trace id {id} "))
    );
    // The mark where nft's tracer shows it (the end of a chain): 0x5 from
    // the native rule on, in both.
    let marks = |ls: &[String], pre: &str, word: &str| -> Vec<(String, Option<u32>)> {
        ls.iter()
            .filter(|l| {
                l.starts_with(pre) && l.contains(" policy ") && !l.contains(" nftwire-trace-")
            })
            .map(|l| {
                let place = l[pre.len()..l.find(" policy ").unwrap()].to_string();
                let m = l.split_once(word).map(|(_, m)| {
                    u32::from_str_radix(
                        m.split_whitespace()
                            .next()
                            .unwrap()
                            .trim_start_matches("0x"),
                        16,
                    )
                    .unwrap()
                });
                (place, m)
            })
            .collect()
    };
    let nft_marks = marks(&nft_lines, &format!("trace id {id} "), " meta mark ");
    assert_eq!(
        marks(&our_lines, &format!("trace {id} "), " mark "),
        nft_marks
    );
    assert!(
        nft_marks.contains(&("ip nat POSTROUTING".to_string(), Some(5))),
        "{nft_marks:?}"
    );
    let theirs: Vec<_> = nft_lines
        .iter()
        .filter(|l| l.starts_with(&format!("trace id {id} ")) && !l.contains(" nftwire-trace-"))
        .filter_map(|l| step(l))
        .collect();
    let mine: Vec<_> = our_lines.iter().filter_map(|l| step(l)).collect();
    assert!(theirs.len() >= 4, "{nft_lines:#?}");
    assert_eq!(mine, theirs);
    let want = [
        format!("trace {id} ip nat PREROUTING rule -A PREROUTING -d 198.51.100.1/32 -i g1 -p tcp -m tcp --dport 8080 -j DNAT --to-destination 10.0.0.5:80 (verdict accept)"),
        format!("trace {id} ip filter FORWARD rule -A FORWARD -d 10.0.0.5/32 -p tcp -m tcp --dport 80 -j ACCEPT (verdict accept)"),
        format!("trace {id} inet gwnative forward_mark rule tcp dport 80 meta mark set 0x00000005 (verdict continue)"),
    ];
    for w in &want {
        assert!(our_lines.contains(w), "missing {w}\nin {our_lines:#?}");
    }
    // iptables' tracer shows the same iptables rules for this packet.
    let xt_rules: Vec<String> = xm_lines
        .iter()
        .filter(|l| l.starts_with(&format!(" TRACE: 2 {id} ")))
        .filter_map(|l| {
            l.split_once(" -A ")
                .map(|(_, r)| format!("-A {}", r.trim_end()))
        })
        .collect();
    assert_eq!(xt_rules.len(), 2, "{xm_lines:#?}");
    for r in &xt_rules {
        assert!(
            our_lines
                .iter()
                .any(|l| l.contains(&format!(" rule {r} (verdict "))),
            "xtables-monitor's {r} not in {our_lines:#?}"
        );
    }
    // The native rule's text is nft's own.
    let native =
        "inet gwnative forward_mark rule tcp dport 80 meta mark set 0x00000005 (verdict continue)";
    assert!(
        nft_lines
            .iter()
            .any(|l| l == &format!("trace id {id} {native}")),
        "{nft_lines:#?}"
    );

    // The conntrack view (kernels 6.17 and later send it; nft 1.0.6 does
    // not print it): new, original direction, the DNAT in the status from
    // the filter chain on, and the id conntrack-tools reports.
    let ct_lines: Vec<&String> = our_lines
        .iter()
        .filter(|l| l.contains(" conntrack: "))
        .collect();
    if kernel_at_least(6, 17) {
        let ct_id = ct_list
            .split_whitespace()
            .find_map(|w| w.strip_prefix("id="))
            .unwrap_or_else(|| panic!("no id in conntrack -L -o id: {ct_list}"));
        assert_eq!(
            ct_lines.len(),
            packet_places(&our_lines, &format!("trace {id} ")).len(),
            "{our_lines:#?}"
        );
        for l in &ct_lines {
            assert!(l.contains(": ct direction original ct state new "), "{l}");
            assert!(
                l.ends_with(&format!(" ct id {ct_id}")),
                "{l} (conntrack -L: {ct_list})"
            );
        }
        let fwd = format!("trace {id} ip filter FORWARD conntrack: ");
        let fwd = ct_lines
            .iter()
            .find(|l| l.starts_with(&fwd))
            .expect("FORWARD conntrack line");
        let status: Vec<&str> = fwd
            .split_once(" ct status ")
            .and_then(|(_, r)| r.split_whitespace().next())
            .map(|w| w.split(',').collect())
            .unwrap_or_default();
        assert!(
            status.contains(&"DST_NAT") && status.contains(&"DST_NAT_DONE"),
            "{fwd}"
        );
    } else {
        assert!(ct_lines.is_empty(), "{ct_lines:#?}");
    }

    // --json: the same packets, events and conntrack view, one object each.
    let text_of = |l: &str| -> String {
        let mut t = String::new();
        let f = |k: &str| field(l, k);
        let place = format!(
            "trace {} {} {} {}",
            f("trace").unwrap(),
            f("family").unwrap(),
            f("table").unwrap(),
            f("chain").unwrap()
        );
        if let Some(p) = f("packet") {
            t.push_str(&format!("{place} packet: {p}"));
        } else {
            t.push_str(&format!("{place} "));
            let v = f("verdict").unwrap();
            match f("type").unwrap().as_str() {
                "rule" => t.push_str(&format!("rule {} (verdict {v})", f("rule").unwrap())),
                "policy" => t.push_str(&format!("policy {v}")),
                other => panic!("{other} in {l}"),
            }
            if let (Some(m), false) = (num(l, "mark"), f("type").unwrap() == "rule") {
                t.push_str(&format!(" mark {m:#x}"));
            }
        }
        t
    };
    let from_json: Vec<String> = js_lines
        .iter()
        .filter(|l| l.contains(&format!("\"trace\": \"{id}\"")))
        .map(|l| text_of(l))
        .collect();
    let text_no_ct: Vec<String> = our_lines
        .iter()
        .filter(|l| !l.contains(" conntrack: "))
        .cloned()
        .collect();
    assert_eq!(from_json, text_no_ct, "{js_lines:#?}");
    let json_ct: Vec<&String> = js_lines
        .iter()
        .filter(|l| l.contains("\"ct\": {"))
        .collect();
    assert_eq!(json_ct.len(), ct_lines.len(), "{js_lines:#?}");
    for (j, t) in json_ct.iter().zip(&ct_lines) {
        let ct = &j[j.find("\"ct\": {").unwrap()..];
        assert_eq!(field(ct, "state").as_deref(), Some("new"), "{j}");
        assert_eq!(field(ct, "direction").as_deref(), Some("original"), "{j}");
        assert!(
            t.ends_with(&format!(" ct id {}", num(ct, "id").unwrap())),
            "{j} vs {t}"
        );
    }
    if let Some(j) = json_ct
        .iter()
        .find(|l| l.contains("\"chain\": \"FORWARD\""))
    {
        assert!(j.contains("\"nat\": [\"dnat\"]"), "{j}");
    }

    let after = tables(&g);
    assert!(
        !after.contains("nftwire-trace-"),
        "arming tables left: {after}"
    );
    assert!(after.contains("table inet gwnative"), "{after}");
}
