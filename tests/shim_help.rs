//! `-h`/`--help` against the real iptables 1.8.11, byte for byte (stdout,
//! stderr, exit code): the general help of `iptables` and `ip6tables`, the
//! help of every match and target the library's registry knows (so a new
//! extension without its help text fails here), and combinations (several
//! matches, `-p` implying its match, a target with matches, standard
//! verdicts, `-h` before or after the extensions, errors before `-h`).

mod common;
mod oracle;

use nftwire::iptables::match_::Match;
use nftwire::iptables::target::Target;
use nftwire::iptables::Family;
use oracle::{Impl, Step};

/// Run `steps` with both implementations (each in one fresh network
/// namespace) and list every step whose outcome differs.
fn differences(steps: &[Step]) -> Vec<String> {
    let env = oracle::env();
    assert!(
        env.root.is_some(),
        "iptables 1.8.11 (tests/oracle/setup-oracle.sh) is needed: the host's iptables prints other help texts"
    );
    let (oo, _) = oracle::run_case(env, Impl::Oracle, steps, None);
    let (so, _) = oracle::run_case(env, Impl::Shim, steps, None);
    assert_eq!(oo.len(), steps.len());
    let mut out = Vec::new();
    for ((s, a), b) in steps.iter().zip(&oo).zip(&so) {
        if a != b {
            out.push(format!(
                "`{} {}`:\n  1.8.11 rc={} err={:?}\n  shim   rc={} err={:?}\n  stdout 1.8.11:\n{}\n  stdout shim:\n{}",
                s.tool,
                s.args.join(" "),
                a.rc,
                a.stderr,
                b.rc,
                b.stderr,
                a.stdout,
                b.stdout
            ));
        }
    }
    out
}

fn tool(f: Family) -> &'static str {
    match f {
        Family::V4 => "iptables",
        Family::V6 => "ip6tables",
    }
}

#[test]
fn every_extension_help_as_1_8_11() {
    let mut steps = Vec::new();
    for f in [Family::V4, Family::V6] {
        let t = tool(f);
        steps.push(Step::new(t, &["-h"]));
        let matches = Match::names(f);
        let targets = Target::names(f);
        assert!(
            matches.len() > 20 && targets.len() > 20,
            "registry: {matches:?} {targets:?}"
        );
        for n in matches {
            steps.push(Step::new(t, &["-m", n, "-h"]));
        }
        for n in targets {
            steps.push(Step::new(t, &["-j", n, "--help"]));
        }
    }
    let d = differences(&steps);
    assert!(
        d.is_empty(),
        "{} of {} differ:\n{}",
        d.len(),
        steps.len(),
        d.join("\n")
    );
}

/// Command lines combining extensions, as scripts and users write them.
const COMBINED: &[&str] = &[
    "iptables --help",
    "iptables -p tcp --help",
    "iptables -p icmp --help",
    "iptables -w2 -p icmp --help",
    "iptables -p tcp -j DNAT --help",
    "iptables -j DNAT -p tcp --help",
    "iptables -m limit -m tcp -h",
    "iptables -m tcp -m limit -h",
    "iptables -m limit -m limit -h",
    "iptables -p TCP -h",
    "iptables -p 6 -h",
    "iptables -p all -h",
    "iptables -p esp -h",
    "iptables -p sctp -h",
    "iptables -p udplite -h",
    "iptables -p ipv6-icmp -h",
    "iptables -p tcp -m limit -h",
    "iptables -p tcp -m tcp -h",
    "iptables -p tcp --dport 80 -h",
    "iptables ! -p tcp -h",
    "iptables -p tcp -m udp -h",
    "iptables -m udp -p tcp -h",
    "iptables -h -m limit",
    "iptables -m limit -h -j DNAT",
    "iptables -j DNAT -m limit -h",
    "iptables -j DNAT -j SNAT -h",
    "iptables -j ACCEPT -h",
    "iptables -j DROP -h",
    "iptables -j RETURN -h",
    "iptables -j QUEUE -h",
    "iptables -j FOO -h",
    "iptables -g FOO -h",
    "iptables -h icmp",
    "iptables --help=icmp",
    "iptables -h -h",
    "iptables -m state -m conntrack -h",
    "iptables -m mark -j MARK -h",
    "iptables -j NOTRACK -m comment -h",
    "iptables -p tcp -j REJECT -m limit -h",
    "iptables -m limit --limit 3/s -h",
    "iptables -m limit --bogus -h",
    "iptables -m foo -h",
    "iptables -m icmp6 -h",
    "iptables -p tcp -p udp -h",
    "iptables -A INPUT -h",
    "iptables -t nat -j MASQUERADE -h",
    "iptables-nft -m limit -h",
    "ip6tables -h",
    "ip6tables -p icmpv6 --help",
    "ip6tables -p ipv6-icmp --help",
    "ip6tables -p icmp6 --help",
    "ip6tables -p icmp --help",
    "ip6tables -m icmpv6 -h",
    "ip6tables -p 58 -h",
    "ip6tables -p ah -h",
    "ip6tables -p tcp -j REJECT -h",
    "ip6tables -m ttl -h",
    "ip6tables -m rt -m frag -j HL -h",
];

#[test]
fn combined_help_as_1_8_11() {
    let mut steps: Vec<Step> = COMBINED
        .iter()
        .map(|l| {
            let w: Vec<&str> = l.split(' ').collect();
            Step::new(w[0], &w[1..])
        })
        .collect();
    // A rule line of a restore asking for help prints it and ends the
    // restore with exit code 0.
    steps.push(Step {
        tool: "iptables-restore".into(),
        args: Vec::new(),
        stdin: Some("*filter\n-A INPUT -m limit -h\nCOMMIT\n".into()),
    });
    let d = differences(&steps);
    assert!(
        d.is_empty(),
        "{} of {} differ:\n{}",
        d.len(),
        steps.len(),
        d.join("\n")
    );
}
