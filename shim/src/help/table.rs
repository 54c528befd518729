//! The help text of every match and target of iptables 1.8.11, keyed by
//! kind, name and family (texts in `text/`, see its README).

use nftwire::iptables::Family;

/// Match (`-m`) or target (`-j`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// `-m NAME`.
    Match,
    /// `-j NAME`.
    Target,
}

/// Which families a text is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Fam {
    /// Both (`NAME.txt`).
    Any,
    /// `iptables` only (`NAME.ipv4.txt`).
    V4,
    /// `ip6tables` only (`NAME.ipv6.txt`).
    V6,
}

use Fam::{Any, V4, V6};
use Kind::{Match, Target};

/// `(kind, name, family, text)`.
const TEXTS: &[(Kind, &str, Fam, &str)] = &[
    (
        Match,
        "addrtype",
        Any,
        include_str!("text/match/addrtype.txt"),
    ),
    (Match, "ah", V4, include_str!("text/match/ah.ipv4.txt")),
    (Match, "ah", V6, include_str!("text/match/ah.ipv6.txt")),
    (Match, "bpf", Any, include_str!("text/match/bpf.txt")),
    (Match, "cgroup", Any, include_str!("text/match/cgroup.txt")),
    (
        Match,
        "cluster",
        Any,
        include_str!("text/match/cluster.txt"),
    ),
    (
        Match,
        "comment",
        Any,
        include_str!("text/match/comment.txt"),
    ),
    (
        Match,
        "connbytes",
        Any,
        include_str!("text/match/connbytes.txt"),
    ),
    (
        Match,
        "connlabel",
        Any,
        include_str!("text/match/connlabel.txt"),
    ),
    (
        Match,
        "connlimit",
        Any,
        include_str!("text/match/connlimit.txt"),
    ),
    (
        Match,
        "connmark",
        Any,
        include_str!("text/match/connmark.txt"),
    ),
    (
        Match,
        "conntrack",
        Any,
        include_str!("text/match/conntrack.txt"),
    ),
    (Match, "cpu", Any, include_str!("text/match/cpu.txt")),
    (Match, "dccp", Any, include_str!("text/match/dccp.txt")),
    (
        Match,
        "devgroup",
        Any,
        include_str!("text/match/devgroup.txt"),
    ),
    (Match, "dscp", Any, include_str!("text/match/dscp.txt")),
    (Match, "dst", Any, include_str!("text/match/dst.txt")),
    (Match, "ecn", Any, include_str!("text/match/ecn.txt")),
    (Match, "esp", Any, include_str!("text/match/esp.txt")),
    (Match, "eui64", Any, include_str!("text/match/eui64.txt")),
    (Match, "frag", Any, include_str!("text/match/frag.txt")),
    (
        Match,
        "hashlimit",
        Any,
        include_str!("text/match/hashlimit.txt"),
    ),
    (Match, "hbh", Any, include_str!("text/match/hbh.txt")),
    (Match, "helper", Any, include_str!("text/match/helper.txt")),
    (Match, "hl", Any, include_str!("text/match/hl.txt")),
    (Match, "icmp", Any, include_str!("text/match/icmp.txt")),
    (Match, "icmp6", Any, include_str!("text/match/icmp6.txt")),
    (Match, "ipcomp", Any, include_str!("text/match/ipcomp.txt")),
    (
        Match,
        "iprange",
        Any,
        include_str!("text/match/iprange.txt"),
    ),
    (
        Match,
        "ipv6header",
        Any,
        include_str!("text/match/ipv6header.txt"),
    ),
    (Match, "ipvs", Any, include_str!("text/match/ipvs.txt")),
    (Match, "length", Any, include_str!("text/match/length.txt")),
    (Match, "limit", Any, include_str!("text/match/limit.txt")),
    (Match, "mac", Any, include_str!("text/match/mac.txt")),
    (Match, "mark", Any, include_str!("text/match/mark.txt")),
    (Match, "mh", Any, include_str!("text/match/mh.txt")),
    (
        Match,
        "multiport",
        Any,
        include_str!("text/match/multiport.txt"),
    ),
    (Match, "nfacct", Any, include_str!("text/match/nfacct.txt")),
    (Match, "osf", Any, include_str!("text/match/osf.txt")),
    (Match, "owner", Any, include_str!("text/match/owner.txt")),
    (
        Match,
        "physdev",
        Any,
        include_str!("text/match/physdev.txt"),
    ),
    (
        Match,
        "pkttype",
        Any,
        include_str!("text/match/pkttype.txt"),
    ),
    (Match, "policy", Any, include_str!("text/match/policy.txt")),
    (Match, "quota", Any, include_str!("text/match/quota.txt")),
    (
        Match,
        "rateest",
        Any,
        include_str!("text/match/rateest.txt"),
    ),
    (Match, "realm", Any, include_str!("text/match/realm.txt")),
    (Match, "recent", Any, include_str!("text/match/recent.txt")),
    (
        Match,
        "rpfilter",
        Any,
        include_str!("text/match/rpfilter.txt"),
    ),
    (Match, "rt", Any, include_str!("text/match/rt.txt")),
    (Match, "sctp", Any, include_str!("text/match/sctp.txt")),
    (Match, "set", Any, include_str!("text/match/set.txt")),
    (Match, "socket", Any, include_str!("text/match/socket.txt")),
    (Match, "srh", Any, include_str!("text/match/srh.txt")),
    (Match, "state", Any, include_str!("text/match/state.txt")),
    (
        Match,
        "statistic",
        Any,
        include_str!("text/match/statistic.txt"),
    ),
    (Match, "string", Any, include_str!("text/match/string.txt")),
    (Match, "tcp", Any, include_str!("text/match/tcp.txt")),
    (Match, "tcpmss", Any, include_str!("text/match/tcpmss.txt")),
    (Match, "time", Any, include_str!("text/match/time.txt")),
    (Match, "tos", Any, include_str!("text/match/tos.txt")),
    (Match, "ttl", Any, include_str!("text/match/ttl.txt")),
    (Match, "u32", Any, include_str!("text/match/u32.txt")),
    (Match, "udp", Any, include_str!("text/match/udp.txt")),
    (Target, "AUDIT", Any, include_str!("text/target/AUDIT.txt")),
    (
        Target,
        "CHECKSUM",
        Any,
        include_str!("text/target/CHECKSUM.txt"),
    ),
    (
        Target,
        "CLASSIFY",
        Any,
        include_str!("text/target/CLASSIFY.txt"),
    ),
    (
        Target,
        "CONNMARK",
        Any,
        include_str!("text/target/CONNMARK.txt"),
    ),
    (
        Target,
        "CONNSECMARK",
        Any,
        include_str!("text/target/CONNSECMARK.txt"),
    ),
    (Target, "CT", Any, include_str!("text/target/CT.txt")),
    (Target, "DNAT", Any, include_str!("text/target/DNAT.txt")),
    (Target, "DNPT", Any, include_str!("text/target/DNPT.txt")),
    (Target, "DSCP", Any, include_str!("text/target/DSCP.txt")),
    (Target, "ECN", Any, include_str!("text/target/ECN.txt")),
    (Target, "HL", Any, include_str!("text/target/HL.txt")),
    (Target, "HMARK", Any, include_str!("text/target/HMARK.txt")),
    (
        Target,
        "IDLETIMER",
        Any,
        include_str!("text/target/IDLETIMER.txt"),
    ),
    (Target, "LED", Any, include_str!("text/target/LED.txt")),
    (Target, "LOG", Any, include_str!("text/target/LOG.txt")),
    (Target, "MARK", Any, include_str!("text/target/MARK.txt")),
    (
        Target,
        "MASQUERADE",
        Any,
        include_str!("text/target/MASQUERADE.txt"),
    ),
    (
        Target,
        "NETMAP",
        Any,
        include_str!("text/target/NETMAP.txt"),
    ),
    (Target, "NFLOG", Any, include_str!("text/target/NFLOG.txt")),
    (
        Target,
        "NFQUEUE",
        Any,
        include_str!("text/target/NFQUEUE.txt"),
    ),
    (
        Target,
        "NOTRACK",
        Any,
        include_str!("text/target/NOTRACK.txt"),
    ),
    (
        Target,
        "RATEEST",
        Any,
        include_str!("text/target/RATEEST.txt"),
    ),
    (
        Target,
        "REDIRECT",
        Any,
        include_str!("text/target/REDIRECT.txt"),
    ),
    (
        Target,
        "REJECT",
        V4,
        include_str!("text/target/REJECT.ipv4.txt"),
    ),
    (
        Target,
        "REJECT",
        V6,
        include_str!("text/target/REJECT.ipv6.txt"),
    ),
    (
        Target,
        "SECMARK",
        Any,
        include_str!("text/target/SECMARK.txt"),
    ),
    (Target, "SET", Any, include_str!("text/target/SET.txt")),
    (Target, "SNAT", Any, include_str!("text/target/SNAT.txt")),
    (Target, "SNPT", Any, include_str!("text/target/SNPT.txt")),
    (
        Target,
        "SYNPROXY",
        Any,
        include_str!("text/target/SYNPROXY.txt"),
    ),
    (
        Target,
        "TCPMSS",
        V4,
        include_str!("text/target/TCPMSS.ipv4.txt"),
    ),
    (
        Target,
        "TCPMSS",
        V6,
        include_str!("text/target/TCPMSS.ipv6.txt"),
    ),
    (
        Target,
        "TCPOPTSTRIP",
        Any,
        include_str!("text/target/TCPOPTSTRIP.txt"),
    ),
    (Target, "TEE", Any, include_str!("text/target/TEE.txt")),
    (Target, "TOS", Any, include_str!("text/target/TOS.txt")),
    (
        Target,
        "TPROXY",
        Any,
        include_str!("text/target/TPROXY.txt"),
    ),
    (Target, "TRACE", Any, include_str!("text/target/TRACE.txt")),
    (Target, "TTL", Any, include_str!("text/target/TTL.txt")),
    (
        Target,
        "standard",
        Any,
        include_str!("text/target/standard.txt"),
    ),
];

/// The help text 1.8.11 prints for extension `name` of `kind` in `family`
/// (without the blank line before it).
pub fn text(kind: Kind, name: &str, family: Family) -> Option<&'static str> {
    let fam_ok = |f: Fam| match f {
        Any => true,
        V4 => family == Family::V4,
        V6 => family == Family::V6,
    };
    TEXTS
        .iter()
        .find(|(k, n, f, _)| *k == kind && *n == name && fam_ok(*f))
        .map(|e| e.3)
}
