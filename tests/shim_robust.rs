//! Hostile arguments never crash `nftwire-iptables`: every option of every
//! extension is given odd values (empty, non-ASCII, huge numbers,
//! separators only), and iptables-restore gets garbage lines. Each run
//! must end with one of iptables' exit codes and no panic message.

mod common;

use nftwire::iptables::ext::{Ctx, HasArg};
use nftwire::iptables::match_::Match;
use nftwire::iptables::target::Target;
use nftwire::iptables::Family;
use std::process::{Command, Stdio};

const MATCHES: &[&str] = &[
    "tcp",
    "udp",
    "icmp",
    "icmp6",
    "comment",
    "conntrack",
    "state",
    "mark",
    "multiport",
    "addrtype",
    "statistic",
    "set",
    "physdev",
    "limit",
    "connlimit",
    "connmark",
    "dscp",
    "iprange",
    "length",
    "mac",
    "owner",
    "pkttype",
    "tos",
    "ttl",
    "hl",
    "recent",
    "socket",
    "hashlimit",
    "rpfilter",
];

const TARGETS: &[(&str, &str)] = &[
    ("LOG", "filter"),
    ("NFLOG", "filter"),
    ("REJECT", "filter"),
    ("MARK", "mangle"),
    ("SNAT", "nat"),
    ("DNAT", "nat"),
    ("MASQUERADE", "nat"),
    ("REDIRECT", "nat"),
    ("NETMAP", "nat"),
    ("TRACE", "raw"),
    ("CHECKSUM", "mangle"),
    ("CONNMARK", "mangle"),
    ("DSCP", "mangle"),
    ("TCPMSS", "mangle"),
    ("NOTRACK", "raw"),
    ("CT", "raw"),
];

const VALUES: &[&str] = &[
    "",
    "é",
    "€€€",
    "-",
    ":",
    "::",
    "/",
    ",",
    "!",
    "1-",
    "-1",
    "0x",
    "99999999999999999999999",
    "4294967296",
    "1:2:3",
    "1.2.3.4/",
    "1.2.3.4/99",
    "1.2.3.4-",
    "[::1]:80",
    "a/b",
    "1/é",
    "é:é",
    "1-é",
    "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
    "00:11:22:33:44:55:66",
    "1/s/2",
    "%",
];

fn run(shim: &std::path::Path, tool: &str, args: &[String], stdin: Option<&str>) -> (i32, String) {
    let mut c = Command::new(shim);
    std::os::unix::process::CommandExt::arg0(&mut c, tool);
    c.args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    let mut ch = c.spawn().expect("spawn");
    if let Some(mut i) = ch.stdin.take() {
        use std::io::Write;
        let _ = i.write_all(stdin.unwrap_or("").as_bytes());
    }
    let o = ch.wait_with_output().expect("wait");
    (
        o.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

fn check(shim: &std::path::Path, tool: &str, args: Vec<String>, stdin: Option<&str>) {
    let (rc, err) = run(shim, tool, &args, stdin);
    assert!(
        (0..=4).contains(&rc) && !err.contains("panicked"),
        "{tool} {args:?}: rc {rc}\n{err}"
    );
}

fn words(s: &str) -> Vec<String> {
    s.split(' ').map(str::to_owned).collect()
}

#[test]
fn hostile_option_values() {
    let shim = common::bin("nftwire-iptables");
    common::netns(move || {
        for family in [Family::V4, Family::V6] {
            let tool = family.cmd();
            let cx = Ctx {
                family,
                proto: 6,
                proto_inv: false,
                table: "filter",
            };
            for name in MATCHES {
                let Some(m) = Match::load(name, &cx) else {
                    continue;
                };
                for o in m.options() {
                    let vals: &[&str] = if o.has_arg == HasArg::No {
                        &[""]
                    } else {
                        VALUES
                    };
                    for v in vals {
                        let mut a = words(&format!("-C INPUT -p tcp -m {name} --{}", o.name));
                        if o.has_arg != HasArg::No {
                            a.push(v.to_string());
                        }
                        check(&shim, tool, a, None);
                    }
                }
            }
            for (name, table) in TARGETS {
                let Some(t) = Target::load(name, &Ctx { table, ..cx }) else {
                    continue;
                };
                for o in t.options() {
                    let vals: &[&str] = if o.has_arg == HasArg::No {
                        &[""]
                    } else {
                        VALUES
                    };
                    for v in vals {
                        let mut a = words(&format!(
                            "-t {table} -C POSTROUTING -p tcp -j {name} --{}",
                            o.name
                        ));
                        if o.has_arg != HasArg::No {
                            a.push(v.to_string());
                        }
                        check(&shim, tool, a, None);
                    }
                }
            }
            // Generic options.
            for opt in [
                "-s", "-d", "-i", "-o", "-p", "-t", "-j", "-g", "-m", "-w", "-W", "-c", "-N", "-E",
                "-P", "-I",
            ] {
                for v in VALUES {
                    check(
                        &shim,
                        tool,
                        vec!["-A".into(), "INPUT".into(), opt.into(), v.to_string()],
                        None,
                    );
                    check(
                        &shim,
                        tool,
                        vec![opt.into(), v.to_string(), v.to_string()],
                        None,
                    );
                }
            }
        }
    });
}

#[test]
fn hostile_restore_input() {
    let shim = common::bin("nftwire-iptables");
    common::netns(move || {
        let lines = [
            "*filter\n",
            "*é\n",
            "*\n",
            ":INPUT\n",
            ":INPUT ACCEPT\n",
            ":INPUT ACCEPT [\n",
            ":INPUT ACCEPT [1:\n",
            ":X - [0:0]\n",
            ":é - [0:0]\n",
            "-A X -j é\n",
            "-A\n",
            "-A INPUT \"\n",
            "-A INPUT \"\\\n",
            "-A INPUT -m comment --comment \"a\\\"b\n",
            "[1:2] -A INPUT\n",
            "[é] -A INPUT\n",
            "[1:2\n",
            "COMMIT\n",
            "COMMITé\n",
            "# x\n",
            "\n",
            "\t\n",
            "-P INPUT é\n",
            "-X é\n",
            "-F\n",
        ];
        let mut seed: u32 = 12345;
        for _ in 0..400 {
            let mut input = String::new();
            for _ in 0..6 {
                seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12345);
                input.push_str(lines[(seed >> 16) as usize % lines.len()]);
            }
            for args in [
                vec!["--test".to_string()],
                vec!["--noflush".to_string(), "--counters".to_string()],
            ] {
                check(&shim, "iptables-restore", args.clone(), Some(&input));
                check(&shim, "ip6tables-restore", args, Some(&input));
            }
        }
    });
}

/// Concurrent writers: every batch carries the generation it was computed
/// from and is recomputed when another writer got in between, so parallel
/// `-A`/`-I`/`-N` all succeed and nothing is lost or duplicated.
#[test]
fn concurrent_writers() {
    let shim = common::bin("nftwire-iptables");
    common::netns(move || {
        let workers: Vec<_> = (0..4)
            .map(|w| {
                let shim = shim.clone();
                std::thread::spawn(move || {
                    for i in 0..25 {
                        let (op, pos) = if i % 2 == 0 {
                            ("-A", None)
                        } else {
                            ("-I", Some("1"))
                        };
                        let mut a = vec![op.to_string(), "INPUT".into()];
                        a.extend(pos.map(str::to_string));
                        a.extend(words(&format!("-s 10.{w}.0.{i} -j ACCEPT")));
                        let (rc, err) = run(&shim, "iptables", &a, None);
                        assert_eq!(rc, 0, "worker {w} rule {i}: {err}");
                        let (rc, err) =
                            run(&shim, "iptables", &words(&format!("-N W{w}C{i}")), None);
                        assert_eq!(rc, 0, "worker {w} chain {i}: {err}");
                    }
                })
            })
            .collect();
        for w in workers {
            w.join().expect("worker");
        }
        let o = Command::new(&shim)
            .arg("iptables-save")
            .output()
            .expect("save");
        let text = String::from_utf8_lossy(&o.stdout);
        let rules = text
            .lines()
            .filter(|l| l.starts_with("-A INPUT -s 10."))
            .count();
        let chains = text.lines().filter(|l| l.starts_with(":W")).count();
        assert_eq!((rules, chains), (100, 100), "{text}");
    });
}

#[test]
fn full_restore_keeps_foreign_rules_added_while_it_runs() {
    // A full iptables-restore starts reading the table when it sees
    // `*filter` and uses that read at COMMIT only if the ruleset is still
    // at the same generation (and its batch carries the generation, which
    // the kernel checks). Here another program keeps appending native
    // rules to the same chain while restores run: not one of them may be
    // lost (a stale read would flush the whole table, foreign rules too).
    use nftwire::consts::msg;
    use nftwire::data::VerdictCode;
    use nftwire::expr::{Expr, Immediate};
    use nftwire::iptables::decode::{decode, Decoded};
    use nftwire::netlink::Conn;
    use nftwire::object::Rule;
    use nftwire::ruleset::{creation_op, Ruleset};
    use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
    use std::sync::Arc;
    let shim = common::bin("nftwire-iptables");
    common::netns(move || {
        let (rc, err) = run(
            &shim,
            "iptables",
            &words("-A INPUT -s 10.0.0.1 -j ACCEPT"),
            None,
        );
        assert_eq!(rc, 0, "{err}");
        let mut input = String::from("*filter\n:INPUT ACCEPT [0:0]\n");
        for i in 0..3000 {
            input.push_str(&format!(
                "-A INPUT -s 10.1.{}.{} -j ACCEPT\n",
                i / 250,
                i % 250
            ));
        }
        input.push_str("COMMIT\n");
        let mut writer = Conn::open().expect("netlink");
        let stop = Arc::new(AtomicBool::new(false));
        let started = Arc::new(AtomicUsize::new(0));
        let (stop2, started2) = (stop.clone(), started.clone());
        // One foreign rule per restore, 0 to 20 ms after it starts (while
        // it parses its input and reads the table): each restore meets one
        // change and must retry, and its retry is not starved however slow
        // the machine is.
        let w = std::thread::spawn(move || {
            let (mut added, mut seen) = (0usize, 0usize);
            while !stop2.load(Ordering::Relaxed) {
                let now = started2.load(Ordering::Relaxed);
                if now == seen {
                    std::thread::sleep(std::time::Duration::from_millis(1));
                    continue;
                }
                seen = now;
                std::thread::sleep(std::time::Duration::from_millis(5 * (added % 5) as u64));
                let mut r = Rule::new(
                    2,
                    "filter",
                    "INPUT",
                    vec![Expr::Immediate(Immediate::verdict(
                        VerdictCode::Accept,
                        None,
                    ))],
                );
                // Userdata makes it a rule iptables does not own.
                r.attrs.userdata = Some(bytes::Bytes::from(added.to_be_bytes().to_vec()));
                writer
                    .batch(&[creation_op(r.to_msg(msg::NEWRULE, 0))], None)
                    .expect("foreign rule");
                added += 1;
            }
            added
        });
        let restores = 30;
        for _ in 0..restores {
            started.fetch_add(1, Ordering::Relaxed);
            let (rc, err) = run(&shim, "iptables-restore", &[], Some(&input));
            assert_eq!(rc, 0, "{err}");
        }
        stop.store(true, Ordering::Relaxed);
        let added = w.join().expect("writer");
        let mut conn = Conn::open().expect("netlink");
        let rs = Ruleset::read(&mut conn, 2).expect("read");
        let (mut own, mut foreign) = (0usize, 0usize);
        for r in rs.chain_rules(2, "filter", "INPUT") {
            match decode(r, "filter") {
                Decoded::Rule(_) => own += 1,
                Decoded::Foreign(_) => foreign += 1,
            }
        }
        eprintln!("{added} foreign rules added during {restores} restores");
        assert!(added >= restores / 2, "the writer hardly ran ({added})");
        assert_eq!(foreign, added, "foreign rules lost");
        assert_eq!(own, 3000, "the restored iptables rules");
    });
}
