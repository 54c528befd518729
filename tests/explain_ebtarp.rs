//! `explain` for the ebtables/arptables readers against reality: each rule
//! below is loaded alone (written with `nft`, or by the shim's ebtables /
//! arptables) into a fresh network namespace, and explain's prediction for
//! 1.8.11 and 1.8.9 is compared with what ebtables-nft/arptables-nft 1.8.11
//! (target/oracle-root) and Debian 12's 1.8.9 (host) actually do for
//! `-L CHAIN`, `-save` and `-D CHAIN <absent rule>`: exit status, `Error:`
//! line, incompatibility message, and the printed rule.

mod common;
mod oracle;

use nftwire::diagnose::explain::{CheckOutcome, ListOutcome, RuleReport};
use nftwire::diagnose::save::NoExtensions;
use nftwire::diagnose::{explain, IptVersion, Options};
use nftwire::netlink::Conn;
use nftwire::ruleset::Ruleset;
use std::os::unix::process::CommandExt;
use std::process::{Command, Output, Stdio};

/// One case: family, how the rule gets there, what it is meant to show.
struct Case {
    bridge: bool,
    /// A native nft rule body, or (when `shim` is set) shim arguments.
    rule: &'static str,
    shim: bool,
    /// What the prediction must say (`ok`, `misread`, `error`,
    /// `incompatible`) for both releases, or `1.8.11-kind|1.8.9-kind`: a
    /// check that the case covers what it is meant to.
    expect: &'static str,
}

/// `family source expectation rule`, one case a line. `nft` rules go into
/// `bridge filter FORWARD` / `arp filter INPUT`; `shim` lines are
/// ebtables/arptables arguments run through the shim.
const CASES: &str = r#"
bridge nft  ok           ether saddr 00:11:22:33:44:55 drop
bridge nft  ok           ether saddr != 00:11:22:33:44:55 drop
bridge nft  ok           ether daddr & ff:ff:ff:00:00:00 == 01:00:5e:00:00:00 drop
bridge nft  ok           iifname "eth*" drop
bridge nft  ok           limit rate 5/second drop
bridge nft  misread      ip saddr 10.0.0.1 drop
bridge nft  misread      ether type ip ip saddr 10.0.0.1 drop
bridge nft  misread      meta protocol ip ether saddr 00:11:22:33:44:55 accept
bridge nft  error        meta l4proto tcp drop
bridge nft  error        meta mark 5 accept
bridge nft  error        ether type ip tcp dport 22 drop
bridge nft  error        ether type vlan vlan id 5 drop
bridge nft  incompatible counter log drop
bridge nft  ok           ether type arp oifname "veth0" accept
bridge nft  ok           ether type != ip counter drop
bridge nft  ok           ether type < 0x0600 drop
bridge nft  incompatible ether saddr 00:11:22:33:44:55 quota 100 bytes drop
bridge nft  incompatible quota 100 bytes meta l4proto tcp drop
bridge shim ok           -A FORWARD -p ARP --arp-ip-src 10.0.0.1 --arp-mac-src 00:11:22:33:44:55 -j ACCEPT
bridge shim ok           -A FORWARD --pkttype-type broadcast --mark 0x5/0xff -j mark --mark-set 0x7
bridge shim ok           -A FORWARD -p IPv4 -i eth0 ! -s 00:11:22:33:44:55 -j DROP
bridge shim ok           -t nat -A PREROUTING -p IPv4 --ip-src 10.0.0.1 -j dnat --to-dst 00:11:22:33:44:55
bridge shim ok|error     -t broute -A BROUTING -p ARP -i eth0 -j ACCEPT
bridge shim ok           -A FORWARD --among-src 00:11:22:33:44:55=10.0.0.1,00:11:22:33:44:66 -j ACCEPT
bridge shim ok           -A FORWARD -p 802_1Q --vlan-id 5 --log-prefix x --log-level info -j CONTINUE
arp    nft  error        meta l4proto tcp drop
arp    nft  error        ether saddr 00:11:22:33:44:55 drop
arp    nft  ok           iifname "eth0" drop
arp    nft  misread      meta mark 5 accept
arp    nft  ok|error     arp saddr ip 10.0.0.1 drop
arp    nft  incompatible counter log drop
arp    nft  ok           arp operation request drop
arp    nft  ok           arp saddr ether 00:11:22:33:44:55 drop
arp    nft  ok|error     arp daddr ether 00:11:22:33:44:55 drop
arp    nft  ok|error     arp daddr ip 10.0.0.0/8 accept
arp    nft  ok           arp hlen 6 arp saddr ip 10.0.0.1 drop
arp    shim ok           -A INPUT -s 10.0.0.1 -j DROP
"#;

fn cases() -> Vec<Case> {
    CASES
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let fam = l.split(' ').next().expect("family");
            let mut rest = l[fam.len()..].trim_start().splitn(2, ' ');
            let src = rest.next().expect("source");
            let mut rest = rest
                .next()
                .expect("expectation")
                .trim_start()
                .splitn(2, ' ');
            let expect = rest.next().expect("expectation");
            let rule = rest.next().expect("rule").trim();
            Case {
                bridge: fam == "bridge",
                rule,
                shim: src == "shim",
                expect,
            }
        })
        .collect()
}

fn nft(script: &str) {
    use std::io::Write;
    let mut child = Command::new("nft")
        .args(["-f", "-"])
        .stdin(Stdio::piped())
        .spawn()
        .expect("nft (the nftables package) must be installed");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(script.as_bytes())
        .unwrap();
    assert!(child.wait().unwrap().success(), "nft -f failed:\n{script}");
}

/// Run `tool` of release `v` (1.8.11 from the oracle root, 1.8.9 the
/// host's, which must be installed).
fn tool(v: IptVersion, name: &str, args: &[&str]) -> Output {
    let env = oracle::env();
    let mut c = match v {
        IptVersion::V1_8_11 => {
            let root = env
                .root
                .as_ref()
                .expect("the 1.8.11 oracle root (setup-oracle.sh) failed");
            let lib = root.join("usr/lib/x86_64-linux-gnu");
            let mut c = Command::new(lib.join("ld-linux-x86-64.so.2"));
            c.env("XTABLES_LIBDIR", lib.join("xtables"))
                .arg("--library-path")
                .arg(&lib)
                .arg("--argv0")
                .arg(name)
                .arg(root.join("usr/sbin/xtables-nft-multi"));
            c
        }
        _ => {
            let p = std::path::Path::new("/usr/sbin/xtables-nft-multi");
            assert!(
                p.exists(),
                "Debian's iptables 1.8.9 (/usr/sbin/xtables-nft-multi) must be installed"
            );
            let mut c = Command::new(p);
            c.arg0(name);
            c
        }
    };
    c.args(args).output().expect("run xtables-nft-multi")
}

fn shim(name: &str, args: &[&str]) {
    let o = Command::new(&oracle::env().shim)
        .arg0(name)
        .args(args)
        .output()
        .expect("shim");
    assert!(
        o.status.success(),
        "shim {name} {args:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
}

fn predict(v: IptVersion) -> RuleReport {
    let mut conn = Conn::open().unwrap();
    let rs = Ruleset::read(&mut conn, 0).unwrap();
    let opts = Options {
        version: v,
        family: None,
        table: None,
        chain: None,
        ifname: &|_| None,
        ext: &NoExtensions,
    };
    let mut ex = explain(&rs, &opts);
    assert_eq!(ex.rules.len(), 1, "one rule expected: {:?}", ex.rules);
    ex.rules.remove(0)
}

fn text(o: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

/// Compare one prediction with one release; returns mismatches.
fn compare(c: &Case, v: IptVersion, p: &RuleReport) -> Vec<String> {
    let t = if c.bridge { "ebtables" } else { "arptables" };
    let (table, chain) = (p.table.as_str(), p.chain.as_str());
    let absent: Vec<&str> = if c.bridge {
        vec![
            "-t",
            table,
            "-D",
            chain,
            "-s",
            "00:0a:0b:0c:0d:0e",
            "-j",
            "ACCEPT",
        ]
    } else {
        vec!["-D", chain, "-s", "192.0.2.99", "-j", "ACCEPT"]
    };
    let mut bad = Vec::new();
    let mut want = |ok: bool, what: String| {
        if !ok {
            bad.push(format!("{v} `{}`: {what}", c.rule));
        }
    };
    let l = if c.bridge {
        tool(v, t, &["-t", table, "-L", chain])
    } else {
        tool(v, t, &["-L", chain])
    };
    let s = tool(v, &format!("{t}-save"), &[]);
    let d = tool(v, t, &absent);
    let (lo, le) = text(&l);
    let (so, se) = text(&s);
    let (_, de) = text(&d);
    match p.list {
        ListOutcome::Ok => {
            want(
                l.status.code() == Some(0),
                format!("-L should succeed: {le}"),
            );
            want(
                s.status.code() == Some(0),
                format!("save should succeed: {se}"),
            );
            if let Some(line) = &p.iptables {
                want(
                    so.lines().any(|x| x == line),
                    format!("save should print `{line}`, printed:\n{so}"),
                );
            }
        }
        ListOutcome::Error if p.error() == Some("table 'broute' does not exist") => {
            let e = format!("(nf_tables): {}", p.error().unwrap_or(""));
            want(
                l.status.code() == Some(3) && le.contains(&e),
                format!("-L should exit 3 with `{e}`: {le}"),
            );
            want(
                s.status.code() == Some(0) && !so.contains("*broute"),
                format!("save should omit broute: {so}"),
            );
        }
        ListOutcome::Error => {
            let e = format!("Error: {}", p.error().unwrap_or(""));
            want(
                l.status.code() == Some(3) && le.contains(&e),
                format!("-L should exit 3 with `{e}`: {le}"),
            );
            want(
                s.status.code() == Some(3) && se.contains(&e),
                format!("save should exit 3 with `{e}`: {se}"),
            );
        }
        ListOutcome::Incompatible => {
            let m = format!("chain `{chain}' in table `{table}' is incompatible, use 'nft' tool.");
            want(
                l.status.code() == Some(1) && le.contains(&m),
                format!("-L should exit 1 with `{m}`: {le}"),
            );
            want(
                so.contains("# Table `filter' is incompatible, use 'nft' tool."),
                format!("save should comment the table out: {so}"),
            );
        }
    }
    if p.misread {
        want(
            p.read_as
                .as_ref()
                .is_none_or(|r| so.lines().any(|x| x == r))
                || p.list != ListOutcome::Ok,
            format!("misread as {:?}, printed:\n{so}", p.read_as),
        );
    }
    let _ = lo;
    match p.check {
        CheckOutcome::Ok => want(
            d.status.code() == Some(1) && de.contains("Bad rule"),
            format!("-D should find no match (exit 1): {de}"),
        ),
        CheckOutcome::Error => {
            let e = match p.error() {
                Some(m) if m.starts_with("table ") => format!("(nf_tables): {m}"),
                m => format!("Error: {}", m.unwrap_or("")),
            };
            want(
                d.status.code() == Some(3) && de.contains(&e),
                format!("-D should exit 3 with `{e}`: {de}"),
            );
        }
    }
    bad
}

#[test]
fn explain_agrees_with_ebtables_and_arptables_1_8_9_and_1_8_11() {
    let _ = oracle::env();
    let bad = common::netns(|| {
        let mut bad = Vec::new();
        let mut counts = (0, 0, 0, 0);
        for c in &cases() {
            nft("flush ruleset\n");
            let (fam, chain, hook, prio) = if c.bridge {
                ("bridge", "FORWARD", "forward", -200)
            } else {
                ("arp", "INPUT", "input", 0)
            };
            if c.shim {
                let args: Vec<&str> = c.rule.split(' ').collect();
                shim(if c.bridge { "ebtables" } else { "arptables" }, &args);
            } else {
                nft(&format!(
                    "table {fam} filter {{\n chain {chain} {{ type filter hook {hook} priority {prio}; policy accept;\n  {}\n }}\n}}\n",
                    c.rule
                ));
            }
            for v in [IptVersion::V1_8_11, IptVersion::V1_8_9] {
                let p = predict(v);
                let kind = match (p.list, p.misread) {
                    (ListOutcome::Incompatible, _) => "incompatible",
                    (ListOutcome::Error, _) => "error",
                    (ListOutcome::Ok, true) => "misread",
                    (ListOutcome::Ok, false) => "ok",
                };
                match kind {
                    "ok" => counts.0 += 1,
                    "misread" => counts.1 += 1,
                    "error" => counts.2 += 1,
                    _ => counts.3 += 1,
                }
                let expect = match (c.expect.split_once('|'), v) {
                    (Some((new, _)), IptVersion::V1_8_11) => new,
                    (Some((_, old)), _) => old,
                    (None, _) => c.expect,
                };
                if kind != expect {
                    bad.push(format!(
                        "{v} `{}`: predicted {kind}, case says {expect} ({})",
                        c.rule, p.reason
                    ));
                }
                // The CLI's `--json` says the same as the library's report.
                let o = Command::new(env!("CARGO_BIN_EXE_nftwire"))
                    .args([
                        "explain",
                        "--json",
                        "--family",
                        fam,
                        "--iptables-version",
                        v.as_str(),
                    ])
                    .output()
                    .expect("nftwire explain");
                let j = String::from_utf8_lossy(&o.stdout);
                let error = match p.error() {
                    Some(e) => format!("\"error\": \"{e}\""),
                    None => "\"error\": null".to_string(),
                };
                for part in [
                    format!("\"family\": \"{fam}\""),
                    format!("\"list\": \"{}\"", p.list.as_str()),
                    format!("\"check\": \"{}\"", p.check.as_str()),
                    format!("\"misread\": {}", p.misread),
                    error,
                ] {
                    if !j.contains(&part) {
                        bad.push(format!(
                            "{v} `{}`: `nftwire explain --json` lacks {part}: {j}",
                            c.rule
                        ));
                    }
                }
                bad.extend(compare(c, v, &p));
            }
        }
        eprintln!(
            "predictions checked: ok {} misread {} error {} incompatible {}",
            counts.0, counts.1, counts.2, counts.3
        );
        bad
    });
    assert!(
        bad.is_empty(),
        "{} disagreement(s):\n{}",
        bad.len(),
        bad.join("\n")
    );
}
