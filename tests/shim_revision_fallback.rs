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
