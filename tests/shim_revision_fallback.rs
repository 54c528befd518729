//! libxtables' fallback to older extension revisions, on the real kernel.
//! This kernel has every revision, so the shim is told to believe it lacks
//! the newest ones (`NFTWIRE_XT_REVISION_CAP`, read only by the shim); the
//! rules it then writes must carry the older layouts (checked byte by byte
//! against the kernel headers' structs), and the real iptables 1.8.11 must
//! read them back and print exactly what the shim prints.

mod common;
mod oracle;

use nftwire::expr::Expr;
use nftwire::netlink::Conn;
use nftwire::ruleset::Ruleset;
use oracle::{Impl, Step};
use std::process::Command;

/// Run the shim as `tool` with the revision caps `caps` (`None`: unset).
fn shim(caps: Option<&str>, tool: &str, args: &[&str]) -> (i32, String, String) {
    let env = oracle::env();
    let mut c = Command::new(&env.shim);
    std::os::unix::process::CommandExt::arg0(&mut c, tool);
    c.args(args).env_remove("NFTWIRE_XT_REVISION_CAP");
    if let Some(v) = caps {
        c.env("NFTWIRE_XT_REVISION_CAP", v);
    }
    let o = c.output().expect("run the shim");
    (
        o.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

/// Add a rule with the shim under `caps`; it must succeed silently.
fn add(caps: &str, tool: &str, args: &[&str]) {
    let (rc, _, err) = shim(Some(caps), tool, args);
    assert_eq!((rc, err.as_str()), (0, ""), "{tool} {args:?} under {caps}");
}

/// Every xt match and target in the kernel, in rule order:
/// `(kind, name, revision, info)`.
fn xt_blobs() -> Vec<(&'static str, String, u32, Vec<u8>)> {
    let mut c = Conn::open().expect("netlink");
    let rs = Ruleset::read(&mut c, 0).expect("ruleset");
    let mut v = Vec::new();
    for r in &rs.rules {
        for e in r.exprs() {
            match e {
                Expr::Match(m) => v.push((
                    "match",
                    m.name.clone().unwrap_or_default(),
                    m.rev.unwrap_or(0),
                    m.info.as_deref().unwrap_or(&[]).to_vec(),
                )),
                Expr::Target(t) => v.push((
                    "target",
                    t.name.clone().unwrap_or_default(),
                    t.rev.unwrap_or(0),
                    t.info.as_deref().unwrap_or(&[]).to_vec(),
                )),
                _ => {}
            }
        }
    }
    v
}

/// `xt_conntrack_mtinfo1`/`2`: 152/160 bytes; ports big-endian at 138+,
/// match_flags at 146, state_mask at 150 (8 or 16 bits).
fn conntrack_old(rev: u32, flags: u16, state: u16, origdstport: u16) -> Vec<u8> {
    let mut b = vec![0u8; if rev == 1 { 152 } else { 160 }];
    b[140..142].copy_from_slice(&origdstport.to_be_bytes());
    b[146..148].copy_from_slice(&flags.to_le_bytes());
    if rev == 1 {
        b[150] = state as u8;
    } else {
        b[150..152].copy_from_slice(&state.to_le_bytes());
    }
    b
}

/// Compare the shim's listings with 1.8.11's.
fn same_listings(env: &oracle::Env, cmds: &[(&str, &[&str])]) {
    for (tool, args) in cmds {
        let o = oracle::run_step(env, Impl::Oracle, &Step::new(tool, args));
        let (rc, out, err) = shim(None, tool, args);
        assert_eq!((o.rc, o.stderr.as_str()), (0, ""), "oracle {tool} {args:?}");
        assert_eq!((rc, err.as_str()), (0, ""), "shim {tool} {args:?}");
        assert_eq!(oracle::normalize(&out), o.stdout, "{tool} {args:?}");
    }
}

const LISTINGS: &[(&str, &[&str])] = &[
    ("iptables", &["-S"]),
    ("iptables", &["-t", "mangle", "-S"]),
    ("iptables", &["-L", "-n", "-v"]),
    ("iptables", &["-t", "mangle", "-L"]),
    ("iptables-save", &[]),
    ("ip6tables", &["-S"]),
    ("ip6tables", &["-L", "-n"]),
    ("ip6tables-save", &[]),
];

/// Rules whose older layouts 1.8.11 prints like their own revision: the
/// real 1.8.11 lists them exactly as the shim does.
#[test]
fn older_revisions_read_by_1_8_11() {
    let env = oracle::env();
    common::netns(move || {
        // conntrack 2 + NFQUEUE 1 (drops --queue-bypass, as libxtables)
        add(
            "conntrack:2,NFQUEUE:1",
            "iptables",
            &[
                "-A",
                "INPUT",
                "-p",
                "tcp",
                "-m",
                "conntrack",
                "--ctstate",
                "NEW,ESTABLISHED",
                "-j",
                "NFQUEUE",
                "--queue-balance",
                "2:5",
                "--queue-bypass",
            ],
        );
        // conntrack 1 (8-bit masks) + NFQUEUE 0
        add(
            "conntrack:1,NFQUEUE:0",
            "iptables",
            &[
                "-A",
                "INPUT",
                "-m",
                "conntrack",
                "--ctstate",
                "RELATED",
                "-j",
                "NFQUEUE",
                "--queue-num",
                "3",
            ],
        );
        // socket 1
        add(
            "socket:1",
            "iptables",
            &[
                "-t",
                "mangle",
                "-A",
                "PREROUTING",
                "-m",
                "socket",
                "--transparent",
                "-j",
                "ACCEPT",
            ],
        );
        // IPv6: conntrack 1, NFQUEUE 2 (keeps bypass, drops fanout)
        add(
            "conntrack:1,NFQUEUE:2",
            "ip6tables",
            &[
                "-A",
                "INPUT",
                "-m",
                "conntrack",
                "!",
                "--ctstate",
                "INVALID",
                "-j",
                "NFQUEUE",
                "--queue-balance",
                "0:1",
                "--queue-bypass",
                "--queue-cpu-fanout",
            ],
        );
        let q = |n: u16, total: u16, flags: u16| {
            let mut b = vec![0u8; 8];
            b[0..2].copy_from_slice(&n.to_le_bytes());
            b[2..4].copy_from_slice(&total.to_le_bytes());
            b[4..6].copy_from_slice(&flags.to_le_bytes());
            b
        };
        let mut socket1 = vec![0u8; 8];
        socket1[0] = 1;
        // STATE 1; NEW 8, ESTABLISHED 2, RELATED 4, INVALID 1
        let mut inv = conntrack_old(1, 1, 1, 0);
        inv[148] = 1; // invert_flags: STATE
        let mut want = vec![
            (
                "match",
                "conntrack".to_string(),
                1,
                conntrack_old(1, 1, 4, 0),
            ),
            ("target", "NFQUEUE".to_string(), 0, q(3, 0, 0)),
            (
                "match",
                "conntrack".to_string(),
                2,
                conntrack_old(2, 1, 8 | 2, 0),
            ),
            ("target", "NFQUEUE".to_string(), 1, q(2, 4, 0)),
            ("match", "conntrack".to_string(), 1, inv),
            ("target", "NFQUEUE".to_string(), 2, q(0, 2, 1)),
            ("match", "socket".to_string(), 1, socket1),
        ];
        let mut got = xt_blobs();
        let key = |x: &(&str, String, u32, Vec<u8>)| (x.1.clone(), x.2, x.3.clone());
        want.sort_by_key(key);
        got.sort_by_key(key);
        assert_eq!(got, want);

        same_listings(env, LISTINGS);
        let (_, s, _) = shim(None, "ip6tables", &["-S", "INPUT"]);
        assert_eq!(
            s,
            "-P INPUT ACCEPT\n-A INPUT -m conntrack ! --ctstate INVALID -j NFQUEUE --queue-balance 0:1 --queue-bypass\n"
        );

        // A rule at an older revision is found and deleted.
        let (rc, _, err) = shim(
            Some("conntrack:1,NFQUEUE:0"),
            "iptables",
            &[
                "-D",
                "INPUT",
                "-m",
                "conntrack",
                "--ctstate",
                "RELATED",
                "-j",
                "NFQUEUE",
                "--queue-num",
                "3",
            ],
        );
        assert_eq!((rc, err.as_str()), (0, ""));
        same_listings(env, &LISTINGS[..1]);
        let (_, s, _) = shim(None, "iptables", &["-S", "INPUT"]);
        assert_eq!(
            s,
            "-P INPUT ACCEPT\n-A INPUT -p tcp -m conntrack --ctstate NEW,ESTABLISHED -j NFQUEUE --queue-balance 2:5\n"
        );
    });
}

/// Layouts 1.8.11 misreads on this kernel: it prints every compat rule
/// with the functions of the highest revision the kernel has, not the
/// rule's (`nft_parse_match` looks the extension up by name only). On a
/// kernel that really lacks the newer revision it picks the older one and
/// prints what the shim prints; here its output differs, as asserted.
#[test]
fn older_layouts_1_8_11_misreads_here() {
    let env = oracle::env();
    common::netns(move || {
        add(
            "conntrack:2",
            "iptables",
            &[
                "-A",
                "INPUT",
                "-p",
                "tcp",
                "-m",
                "conntrack",
                "--ctorigdstport",
                "22",
                "-j",
                "ACCEPT",
            ],
        );
        add(
            "socket:0,TPROXY:0",
            "iptables",
            &[
                "-t",
                "mangle",
                "-A",
                "PREROUTING",
                "-p",
                "tcp",
                "-m",
                "socket",
                "-j",
                "TPROXY",
                "--on-port",
                "80",
                "--on-ip",
                "1.2.3.4",
                "--tproxy-mark",
                "0x1/0x1",
            ],
        );
        let mut tproxy = vec![0u8; 16];
        tproxy[0] = 1; // mark_mask
        tproxy[4] = 1; // mark_value
        tproxy[8..12].copy_from_slice(&[1, 2, 3, 4]);
        tproxy[12..14].copy_from_slice(&80u16.to_be_bytes());
        let mut want = vec![
            // XT_CONNTRACK_ORIGDST_PORT is 1 << 9
            (
                "match",
                "conntrack".to_string(),
                2,
                conntrack_old(2, 1 << 9, 0, 22),
            ),
            ("match", "socket".to_string(), 0, vec![]),
            ("target", "TPROXY".to_string(), 0, tproxy),
        ];
        let mut got = xt_blobs();
        let key = |x: &(&str, String, u32, Vec<u8>)| (x.1.clone(), x.2, x.3.clone());
        want.sort_by_key(key);
        got.sort_by_key(key);
        assert_eq!(got, want);

        let (_, s, _) = shim(None, "iptables", &["-S", "INPUT"]);
        assert_eq!(
            s,
            "-P INPUT ACCEPT\n-A INPUT -p tcp -m conntrack --ctorigdstport 22 -j ACCEPT\n"
        );
        let (_, s, _) = shim(None, "iptables", &["-t", "mangle", "-S", "PREROUTING"]);
        assert_eq!(
            s,
            "-P PREROUTING ACCEPT\n-A PREROUTING -p tcp -m socket -j TPROXY --on-port 80 --on-ip 1.2.3.4 --tproxy-mark 0x1/0x1\n"
        );
        // revision 0 of socket has no print function
        let (_, s, _) = shim(
            None,
            "iptables",
            &["-t", "mangle", "-L", "PREROUTING", "-n"],
        );
        assert!(
            s.ends_with("TPROXY     tcp  --  0.0.0.0/0            0.0.0.0/0            TPROXY redirect 1.2.3.4:80 mark 0x1/0x1\n"),
            "{s}"
        );
        // 1.8.11 reads the big-endian port of revision 2 as revision 3's
        // host-order one.
        let o = oracle::run_step(env, Impl::Oracle, &Step::new("iptables", &["-S", "INPUT"]));
        assert_eq!(
            o.stdout,
            "-P INPUT ACCEPT\n-A INPUT -p tcp -m conntrack --ctorigdstport 5632 -j ACCEPT"
        );
    });
}

/// Older revisions refuse what they cannot carry, as libxtables does.
#[test]
fn older_revisions_refuse_what_they_cannot_carry() {
    common::netns(|| {
        for (caps, args, msg) in [
            (
                "conntrack:2",
                &[
                    "-A",
                    "INPUT",
                    "-m",
                    "conntrack",
                    "--ctorigsrcport",
                    "1000:2000",
                ][..],
                "conntrack rev 2 does not support port ranges",
            ),
            (
                "conntrack:1",
                &["-A", "INPUT", "-m", "conntrack", "--ctrepldstport", "7:"][..],
                "conntrack rev 1 does not support port ranges",
            ),
            (
                "NFQUEUE:0",
                &["-A", "INPUT", "-j", "NFQUEUE", "--queue-balance", "1:2"][..],
                "NFQUEUE target: --queue-balance not supported (kernel too old?)",
            ),
            (
                "socket:1",
                &["-A", "INPUT", "-m", "socket", "--nowildcard"][..],
                "unknown option \"--nowildcard\"",
            ),
            (
                "socket:0",
                &["-A", "INPUT", "-m", "socket", "--transparent"][..],
                "unknown option \"--transparent\"",
            ),
            (
                "hashlimit:1",
                &[
                    "-A",
                    "INPUT",
                    "-m",
                    "hashlimit",
                    "--hashlimit-upto",
                    "1/s",
                    "--hashlimit-name",
                    "x",
                    "--hashlimit-burst",
                    "20000",
                ][..],
                "bad value for option \"--hashlimit-burst\", or out of range (1-10000).",
            ),
            (
                "hashlimit:2",
                &[
                    "-A",
                    "INPUT",
                    "-m",
                    "hashlimit",
                    "--hashlimit-upto",
                    "1/s",
                    "--hashlimit-name",
                    "x",
                    "--hashlimit-rate-match",
                ][..],
                "unknown option \"--hashlimit-rate-match\"",
            ),
            (
                "DNAT:0",
                &[
                    "-t",
                    "nat",
                    "-A",
                    "PREROUTING",
                    "-p",
                    "tcp",
                    "-j",
                    "DNAT",
                    "--to-destination",
                    "1.2.3.4:80-90/100",
                ][..],
                "Shifted portmap ranges not supported with this kernel",
            ),
            (
                "CT:0",
                &[
                    "-t",
                    "raw",
                    "-A",
                    "PREROUTING",
                    "-j",
                    "CT",
                    "--timeout",
                    "t",
                ][..],
                "unknown option \"--timeout\"",
            ),
            (
                "set:1",
                &[
                    "-A",
                    "INPUT",
                    "-m",
                    "set",
                    "--return-nomatch",
                    "--match-set",
                    "s",
                    "src",
                ][..],
                "unknown option \"--return-nomatch\"",
            ),
        ] {
            let (rc, _, err) = shim(Some(caps), "iptables", args);
            assert_eq!(rc, 2, "{caps} {args:?}: {err}");
            assert!(err.contains(msg), "{caps} {args:?}: {err}");
        }
        // nothing was added
        let (_, s, _) = shim(None, "iptables", &["-S"]);
        assert_eq!(s, "-P INPUT ACCEPT\n-P FORWARD ACCEPT\n-P OUTPUT ACCEPT\n");
    });
}

/// Every xt blob in the kernel must be `want` (in any order).
fn assert_blobs(mut want: Vec<(&'static str, String, u32, Vec<u8>)>) {
    let mut got = xt_blobs();
    let key = |x: &(&str, String, u32, Vec<u8>)| (x.1.clone(), x.2, x.3.clone());
    want.sort_by_key(key);
    got.sort_by_key(key);
    // compact: name, revision, and the non-zero bytes with their offsets
    let show = |v: &[(&str, String, u32, Vec<u8>)]| -> Vec<String> {
        v.iter()
            .map(|(k, n, r, b)| {
                let nz: Vec<String> = b
                    .iter()
                    .enumerate()
                    .filter(|(_, x)| **x != 0)
                    .map(|(i, x)| format!("{i}:{x:02x}"))
                    .collect();
                format!("{k} {n} rev {r} len {} [{}]", b.len(), nz.join(" "))
            })
            .collect()
    };
    assert_eq!(show(&got), show(&want));
    assert_eq!(got, want);
}

/// A blob of `size` zero bytes with `parts` (offset, bytes) written in.
fn blob(size: usize, parts: &[(usize, &[u8])]) -> Vec<u8> {
    let mut b = vec![0u8; size];
    for (at, p) in parts {
        b[*at..at + p.len()].copy_from_slice(p);
    }
    b
}

/// Create ipset `name` (`hash:ip`, `family`) in this namespace.
fn ipset(name: &str, family: &str) {
    let o = Command::new("ipset")
        .args(["create", name, "hash:ip", "family", family])
        .output()
        .expect("ipset (the ipset tool is needed)");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
}

const MORE_LISTINGS: &[(&str, &[&str])] = &[
    ("iptables", &["-S"]),
    ("iptables", &["-t", "raw", "-S"]),
    ("iptables", &["-t", "mangle", "-S"]),
    ("iptables", &["-L", "-n"]),
    ("iptables", &["-t", "raw", "-L", "-n"]),
    ("iptables", &["-t", "mangle", "-L", "-n", "-v"]),
    ("iptables-save", &[]),
    ("ip6tables", &["-t", "nat", "-S"]),
    ("ip6tables", &["-t", "nat", "-L", "-n"]),
    ("ip6tables-save", &["-t", "nat"]),
];

/// More extensions whose older layouts 1.8.11 prints as their own: CT 1
/// (and NOTRACK, plain `CT --notrack` below revision 2), CONNMARK 1, set
/// 3, addrtype 0, DNAT 1 (IPv6).
#[test]
fn more_older_revisions_read_by_1_8_11() {
    let env = oracle::env();
    common::netns(move || {
        ipset("s4", "inet");
        add(
            "CT:1",
            "iptables",
            &[
                "-t",
                "raw",
                "-A",
                "PREROUTING",
                "-p",
                "tcp",
                "-j",
                "CT",
                "--zone",
                "5",
                "--ctevents",
                "new,related",
            ],
        );
        add(
            "CT:1",
            "iptables",
            &["-t", "raw", "-A", "OUTPUT", "-j", "NOTRACK"],
        );
        add(
            "CONNMARK:1",
            "iptables",
            &[
                "-t",
                "mangle",
                "-A",
                "FORWARD",
                "-j",
                "CONNMARK",
                "--set-xmark",
                "0x5/0xff",
            ],
        );
        add(
            "set:3",
            "iptables",
            &[
                "-A",
                "FORWARD",
                "-m",
                "set",
                "--match-set",
                "s4",
                "src",
                "-j",
                "ACCEPT",
            ],
        );
        add(
            "addrtype:0",
            "iptables",
            &[
                "-A",
                "OUTPUT",
                "-m",
                "addrtype",
                "--src-type",
                "LOCAL,BROADCAST",
                "-j",
                "ACCEPT",
            ],
        );
        add(
            "DNAT:1",
            "ip6tables",
            &[
                "-t",
                "nat",
                "-A",
                "PREROUTING",
                "-p",
                "tcp",
                "-j",
                "DNAT",
                "--to-destination",
                "[fd00::1]:80",
            ],
        );
        let fd00_1: [u8; 16] = "fd00::1".parse::<std::net::Ipv6Addr>().unwrap().octets();
        assert_blobs(vec![
            // xt_ct_target_info_v1: zone at 2, ct_events at 4
            (
                "target",
                "CT".into(),
                1,
                blob(72, &[(2, &[5, 0]), (4, &[3, 0, 0, 0])]),
            ),
            // XT_CT_NOTRACK, no alias flag
            ("target", "CT".into(), 1, blob(72, &[(0, &[1, 0])])),
            // xt_connmark_tginfo1: ctmark, ctmask, nfmask, mode
            (
                "target",
                "CONNMARK".into(),
                1,
                blob(
                    16,
                    &[(0, &[5, 0, 0, 0, 0xff, 0, 0, 0, 0xff, 0xff, 0xff, 0xff])],
                ),
            ),
            // xt_set_info_match_v3: index 0, dim 1, flags src (1 << 1)
            ("match", "set".into(), 3, blob(48, &[(0, &[0, 0, 1, 2])])),
            // xt_addrtype_info: source 1 << RTN_LOCAL | 1 << RTN_BROADCAST
            ("match", "addrtype".into(), 0, blob(16, &[(0, &[12, 0])])),
            // nf_nat_range: MAP_IPS | PROTO_SPECIFIED, addresses, ports
            (
                "target",
                "DNAT".into(),
                1,
                blob(
                    40,
                    &[
                        (0, &[3]),
                        (4, &fd00_1),
                        (20, &fd00_1),
                        (36, &[0, 80, 0, 80]),
                    ],
                ),
            ),
        ]);
        same_listings(env, MORE_LISTINGS);
        let (_, s, _) = shim(None, "iptables", &["-t", "raw", "-S"]);
        assert_eq!(
            s,
            "-P PREROUTING ACCEPT\n-P OUTPUT ACCEPT\n\
             -A PREROUTING -p tcp -j CT --ctevents new,related --zone 5\n\
             -A OUTPUT -j CT --notrack\n"
        );
    });
}

/// More older layouts that 1.8.11 misreads on this kernel (it prints them
/// with the newest revision's functions, reading past the blob for some):
/// the kernel's bytes and the shim's own text are checked.
#[test]
fn more_older_layouts_written_and_read() {
    common::netns(|| {
        ipset("s4", "inet");
        let rules: &[(&str, &str, &[&str])] = &[
            (
                "CT:0",
                "iptables",
                &["-t", "raw", "-A", "PREROUTING", "-j", "CT", "--zone", "7"],
            ),
            (
                "recent:0",
                "iptables",
                &["-A", "INPUT", "-m", "recent", "--name", "foo", "--set"],
            ),
            (
                "bpf:0",
                "iptables",
                &["-A", "INPUT", "-m", "bpf", "--bytecode", "1,6 0 0 65535"],
            ),
            (
                "cgroup:0",
                "iptables",
                &["-A", "OUTPUT", "-m", "cgroup", "!", "--cgroup", "1"],
            ),
            (
                "cgroup:1",
                "iptables",
                &["-A", "OUTPUT", "-m", "cgroup", "--cgroup", "2"],
            ),
            (
                "DNAT:0",
                "iptables",
                &[
                    "-t",
                    "nat",
                    "-A",
                    "PREROUTING",
                    "-p",
                    "tcp",
                    "-j",
                    "DNAT",
                    "--to-destination",
                    "10.0.0.1:80",
                ],
            ),
            (
                "set:1",
                "iptables",
                &[
                    "-A",
                    "FORWARD",
                    "-m",
                    "set",
                    "!",
                    "--match-set",
                    "s4",
                    "dst",
                ],
            ),
            (
                "set:2",
                "iptables",
                &[
                    "-A",
                    "FORWARD",
                    "-m",
                    "set",
                    "--match-set",
                    "s4",
                    "dst",
                    "--return-nomatch",
                ],
            ),
            (
                "SET:2",
                "iptables",
                &[
                    "-A",
                    "FORWARD",
                    "-j",
                    "SET",
                    "--add-set",
                    "s4",
                    "src",
                    "--exist",
                    "--timeout",
                    "10",
                ],
            ),
            (
                "SET:1",
                "iptables",
                &["-A", "FORWARD", "-j", "SET", "--del-set", "s4", "dst"],
            ),
            (
                "srh:0",
                "ip6tables",
                &[
                    "-A",
                    "INPUT",
                    "-m",
                    "srh",
                    "--srh-next-hdr",
                    "17",
                    "!",
                    "--srh-tag",
                    "9",
                ],
            ),
            (
                "hashlimit:1",
                "iptables",
                &[
                    "-A",
                    "INPUT",
                    "-m",
                    "hashlimit",
                    "--hashlimit-upto",
                    "10/sec",
                    "--hashlimit-name",
                    "hl1",
                ],
            ),
            (
                "hashlimit:2",
                "iptables",
                &[
                    "-A",
                    "INPUT",
                    "-m",
                    "hashlimit",
                    "--hashlimit-above",
                    "2/min",
                    "--hashlimit-mode",
                    "srcip",
                    "--hashlimit-name",
                    "hl2",
                ],
            ),
            // no conntrack match at all: -m state is the kernel's state 0
            (
                "conntrack:0",
                "iptables",
                &["-A", "OUTPUT", "-m", "state", "--state", "NEW,ESTABLISHED"],
            ),
            (
                "conntrack:0",
                "iptables",
                &["-A", "OUTPUT", "-m", "state", "!", "--state", "INVALID"],
            ),
        ];
        for (caps, tool, args) in rules {
            add(caps, tool, args);
        }
        let ff = [0xff, 0xff];
        assert_blobs(vec![
            ("target", "CT".into(), 0, blob(40, &[(2, &[7, 0])])),
            // xt_recent_mtinfo: check_set SET (2), name written over
            // "DEFAULT" with one NUL (as 1.8.11), side 0
            (
                "match",
                "recent".into(),
                0,
                blob(216, &[(8, &[2]), (10, b"foo\0ULT")]),
            ),
            // xt_bpf_info: 1 instruction from byte 4
            (
                "match",
                "bpf".into(),
                0,
                blob(528, &[(0, &[1]), (4, &[6, 0, 0, 0, 0xff, 0xff, 0, 0])]),
            ),
            // xt_cgroup_info_v0: id, invert
            (
                "match",
                "cgroup".into(),
                0,
                blob(8, &[(0, &[1]), (4, &[1])]),
            ),
            // xt_cgroup_info_v1: has_classid, classid at 4100
            (
                "match",
                "cgroup".into(),
                1,
                blob(4112, &[(1, &[1]), (4100, &[2])]),
            ),
            // nf_nat_ipv4_multi_range_compat
            (
                "target",
                "DNAT".into(),
                0,
                blob(
                    24,
                    &[
                        (0, &[1]),
                        (4, &[3]),
                        (8, &[10, 0, 0, 1, 10, 0, 0, 1]),
                        (16, &[0, 80, 0, 80]),
                    ],
                ),
            ),
            // xt_set_info: index 0, dim 1, flags inverted (1) / return-nomatch (0x80)
            ("match", "set".into(), 1, blob(8, &[(0, &[0, 0, 1, 1])])),
            ("match", "set".into(), 2, blob(8, &[(0, &[0, 0, 1, 0x80])])),
            // xt_set_info_target_v2: add, del (unused), flags EXIST, timeout
            (
                "target",
                "SET".into(),
                2,
                blob(16, &[(0, &[0, 0, 1, 2]), (4, &ff), (8, &[1]), (12, &[10])]),
            ),
            // xt_set_info_target_v1: add (unused), del
            (
                "target",
                "SET".into(),
                1,
                blob(8, &[(0, &ff), (4, &[0, 0, 1, 0])]),
            ),
            // ip6t_srh: next_hdr, tag, mt_flags NEXTHDR|TAG, invflags TAG
            (
                "match",
                "srh".into(),
                0,
                blob(16, &[(0, &[17]), (4, &[9, 0, 1, 4, 0, 4])]),
            ),
            // xt_hashlimit_mtinfo1: name[16], mode, avg 10000/10, burst 5,
            // size, max, gc 1000, expire 1000, masks 32
            (
                "match",
                "hashlimit".into(),
                1,
                blob(
                    56,
                    &[
                        (0, b"hl1"),
                        (20, &[0xe8, 3]),
                        (24, &[5]),
                        (36, &[0xe8, 3]),
                        (40, &[0xe8, 3]),
                        (44, &[32, 32]),
                    ],
                ),
            ),
            // xt_hashlimit_mtinfo2: avg 1000000*60/2, burst 5, mode
            // INVERT|HASH_SIP, expire 60000, masks at 292
            (
                "match",
                "hashlimit".into(),
                2,
                blob(
                    304,
                    &[
                        (0, b"hl2"),
                        (256, &30_000_000u64.to_le_bytes()),
                        (264, &[5]),
                        (272, &[16 | 4]),
                        (284, &[0xe8, 3]),
                        (288, &60_000u32.to_le_bytes()),
                        (292, &[32, 32]),
                    ],
                ),
            ),
            // xt_state_info: the mask (NEW | ESTABLISHED), then ~INVALID
            ("match", "state".into(), 0, blob(8, &[(0, &[10])])),
            (
                "match",
                "state".into(),
                0,
                blob(8, &[(0, &[0xfe, 0xff, 0xff, 0xff])]),
            ),
        ]);
        let (_, s, _) = shim(None, "iptables-save", &[]);
        for line in [
            "-A PREROUTING -j CT --zone 7",
            "-A INPUT -m recent --set --name foo --rsource",
            "-A INPUT -m bpf --bytecode \"1,6 0 0 65535\"",
            "-A OUTPUT -m cgroup ! --cgroup 1",
            "-A OUTPUT -m cgroup --cgroup 2",
            "-A PREROUTING -p tcp -j DNAT --to-destination 10.0.0.1:80",
            "-A FORWARD -m set ! --match-set s4 dst",
            "-A FORWARD -m set --match-set s4 dst --return-nomatch",
            "-A FORWARD -j SET --add-set s4 src --exist --timeout 10",
            "-A FORWARD -j SET --del-set s4 dst",
            "-A INPUT -m hashlimit --hashlimit-upto 10/sec --hashlimit-burst 5 --hashlimit-name hl1",
            "-A INPUT -m hashlimit --hashlimit-above 2/min --hashlimit-burst 5 --hashlimit-mode srcip --hashlimit-name hl2",
            "-A OUTPUT -m state --state NEW,ESTABLISHED",
            "-A OUTPUT -m state --state NEW,RELATED,ESTABLISHED,UNTRACKED,SNAT,DNAT",
        ] {
            assert!(s.contains(&format!("{line}\n")), "{line}\n{s}");
        }
        let (_, s, _) = shim(None, "ip6tables", &["-S", "INPUT"]);
        assert_eq!(
            s,
            "-P INPUT ACCEPT\n-A INPUT -m srh --srh-next-hdr 17 ! --srh-tag 9\n"
        );
        let (_, s, _) = shim(None, "iptables", &["-L", "INPUT", "-n"]);
        assert!(
            s.contains("  recent: SET name: foo side: source\n"),
            "revision 0 prints no mask: {s}"
        );
        let (_, s, _) = shim(None, "iptables", &["-L", "OUTPUT", "-n"]);
        assert!(
            s.contains(" cgroup ! 1\n") && s.contains(" cgroup 2\n"),
            "{s}"
        );
    });
}
