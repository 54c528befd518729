//! `nftwire conntrack` on a real NAT gateway (three namespaces, see
//! `common/gateway.rs`): the gateway's SNAT and DNAT rules are written
//! through the shim (`nftwire-iptables iptables-restore`), a native nft rule
//! sets a conntrack mark, and two TCP connections cross it. `conntrack --nat`
//! must show both translations with the right addresses, and every entry
//! must agree with conntrack-tools' `conntrack -L` on the same table.

mod common;

use common::gateway::Gateway;
use std::collections::BTreeSet;

const RULES: &str = "*nat
:PREROUTING ACCEPT [0:0]
:INPUT ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:POSTROUTING ACCEPT [0:0]
-A PREROUTING -d 198.51.100.1/32 -i g1 -p tcp -m tcp --dport 8080 -j DNAT --to-destination 10.0.0.5:80
-A POSTROUTING -s 10.0.0.0/24 -o g1 -p tcp -j SNAT --to-source 198.51.100.1:61000-61010
COMMIT
";

const NATIVE: &str = "table ip gwnative {
  chain forward_mark {
    type filter hook forward priority 0; policy accept;
    tcp dport 443 ct mark set 0x2a
  }
}
";

/// One flow as both tools describe it: (state, orig tuple, reply tuple,
/// mark, counters).
type Flow = (String, [String; 4], [String; 4], u32, [u64; 4]);

/// Parse `conntrack -L` lines (`tcp 6 119 ESTABLISHED src=.. dst=.. sport=..
/// dport=.. packets=.. bytes=.. src=.. ... [ASSURED] mark=42 use=1`).
fn conntrack_tool(out: &str) -> BTreeSet<Flow> {
    let mut flows = BTreeSet::new();
    for l in out.lines().filter(|l| l.starts_with("tcp ")) {
        let w: Vec<&str> = l.split_whitespace().collect();
        let state = w[3].to_string();
        let vals = |key: &str| -> Vec<String> {
            w.iter()
                .filter_map(|x| x.strip_prefix(key))
                .map(str::to_string)
                .collect()
        };
        let (src, dst, sp, dp) = (vals("src="), vals("dst="), vals("sport="), vals("dport="));
        let (pk, by) = (vals("packets="), vals("bytes="));
        assert_eq!(src.len(), 2, "{l}");
        assert_eq!(pk.len(), 2, "accounting is on, counters expected: {l}");
        let n = |s: &String| s.parse::<u64>().unwrap();
        flows.insert((
            state,
            [src[0].clone(), dst[0].clone(), sp[0].clone(), dp[0].clone()],
            [src[1].clone(), dst[1].clone(), sp[1].clone(), dp[1].clone()],
            vals("mark=")
                .first()
                .map(|m| m.parse().unwrap())
                .unwrap_or(0),
            [n(&pk[0]), n(&by[0]), n(&pk[1]), n(&by[1])],
        ));
    }
    flows
}

/// Pull `"key": value` out of one JSON line of ours (flat values only).
fn field(obj: &str, key: &str) -> String {
    let pat = format!("\"{key}\": ");
    let at = obj
        .find(&pat)
        .unwrap_or_else(|| panic!("no {key} in {obj}"))
        + pat.len();
    let rest = &obj[at..];
    let end = rest.find([',', '}']).unwrap();
    rest[..end].trim_matches('"').to_string()
}

fn part<'a>(line: &'a str, key: &str) -> &'a str {
    let pat = format!("\"{key}\": {{");
    let at = line
        .find(&pat)
        .unwrap_or_else(|| panic!("no {key} in {line}"))
        + pat.len()
        - 1;
    let end = line[at..].find('}').unwrap();
    &line[at..=at + end]
}

fn ours(json: &str) -> BTreeSet<Flow> {
    let mut flows = BTreeSet::new();
    for l in json.lines().filter(|l| l.contains("\"protocol\": \"tcp\"")) {
        let t = |p: &str| {
            let o = part(l, p);
            [
                field(o, "src"),
                field(o, "dst"),
                field(o, "sport"),
                field(o, "dport"),
            ]
        };
        let c = &l[l
            .find("\"counters\": ")
            .expect("counters (accounting is on)")..];
        let inner = |dir: &str| {
            let pat = format!("\"{dir}\": {{");
            let at = c.find(&pat).unwrap() + pat.len() - 1;
            let o = &c[at..at + c[at..].find('}').unwrap() + 1];
            [
                field(o, "packets").parse::<u64>().unwrap(),
                field(o, "bytes").parse::<u64>().unwrap(),
            ]
        };
        let (o, r) = (inner("orig"), inner("reply"));
        flows.insert((
            field(l, "state"),
            t("orig"),
            t("reply"),
            field(l, "mark").parse().unwrap(),
            [o[0], o[1], r[0], r[1]],
        ));
    }
    flows
}

#[test]
fn nat_gateway_flows_match_conntrack_tools() {
    let conntrack_bin = "/usr/sbin/conntrack";
    assert!(
        std::path::Path::new(conntrack_bin).exists(),
        "conntrack-tools missing: apt-get install conntrack (scripts/test-all does)"
    );
    let g = Gateway::new("ct");
    g.shim_restore(RULES);
    g.nft_load(NATIVE);
    g.exec(
        &g.gw,
        "sysctl",
        &["-qw", "net.netfilter.nf_conntrack_acct=1"],
    );

    // Flow 1, SNAT: client -> server:443 leaves as 198.51.100.1:61000-61010.
    g.listen(&g.server, "198.51.100.9:443");
    let c1 = g.connect(&g.client, "198.51.100.9:443");
    let cport = c1.local_addr().unwrap().port();
    // Flow 2, DNAT: server -> gateway:8080 is sent to client:80.
    g.listen(&g.client, "10.0.0.5:80");
    let c2 = g.connect(&g.server, "198.51.100.1:8080");
    let sport = c2.local_addr().unwrap().port();

    let nftwire = common::bin("nftwire");
    let nftwire = nftwire.to_str().unwrap();
    let text = g.exec(&g.gw, nftwire, &["conntrack", "--nat"]);
    let text = String::from_utf8(text.stdout).unwrap();
    let json = g.exec(&g.gw, nftwire, &["conntrack", "--json"]);
    let json = String::from_utf8(json.stdout).unwrap();
    let only = |args: &[&str]| {
        let o = g.exec(&g.gw, nftwire, args);
        String::from_utf8(o.stdout).unwrap()
    };
    let from_inside = only(&["conntrack", "--src", "10.0.0.0/24"]);
    let to_gateway = only(&["conntrack", "--dst", "198.51.100.1"]);
    let tool = g.exec(&g.gw, conntrack_bin, &["-L", "-f", "ipv4"]);
    let tool = String::from_utf8(tool.stdout).unwrap();
    drop((c1, c2));
    println!("nftwire conntrack --nat:\n{text}\nnftwire conntrack --json:\n{json}\nconntrack -L:\n{tool}");

    let snat =
        format!("tcp ESTABLISHED 10.0.0.5:{cport} -> 198.51.100.9:443 SNAT as 198.51.100.1:");
    let snat_line = text
        .lines()
        .find(|l| l.starts_with(&snat))
        .unwrap_or_else(|| panic!("no SNAT line {snat:?} in:\n{text}"));
    let port: u16 = snat_line[snat.len()..]
        .split(' ')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    assert!((61000..=61010).contains(&port), "{snat_line}");
    assert!(snat_line.contains(" mark 0x2a"), "{snat_line}");
    assert!(
        snat_line.contains(&format!(" reply 198.51.100.9:443 -> 198.51.100.1:{port}")),
        "{snat_line}"
    );
    let dnat = format!("tcp ESTABLISHED 198.51.100.9:{sport} -> 198.51.100.1:8080 DNAT to 10.0.0.5:80 reply 10.0.0.5:80 -> 198.51.100.9:{sport} [SEEN_REPLY,ASSURED] mark 0x0 timeout ");
    assert!(
        text.lines().any(|l| l.starts_with(&dnat)),
        "no DNAT line {dnat:?} in:\n{text}"
    );
    assert_eq!(
        text.lines().count(),
        2,
        "only the two translated flows:\n{text}"
    );

    assert_eq!(from_inside.lines().count(), 1, "{from_inside}");
    assert!(from_inside.contains(" SNAT as "), "{from_inside}");
    assert_eq!(to_gateway.lines().count(), 1, "{to_gateway}");
    assert!(to_gateway.contains(" DNAT to 10.0.0.5:80 "), "{to_gateway}");

    let theirs = conntrack_tool(&tool);
    let mine = ours(&json);
    assert_eq!(theirs.len(), 2, "{tool}");
    assert_eq!(mine, theirs, "nftwire:\n{json}\nconntrack -L:\n{tool}");
}

#[test]
fn watch_reports_the_new_translated_flow() {
    let g = Gateway::new("ctw");
    g.shim_restore(RULES);
    // Subscribe in the gateway before any traffic, then cross it once.
    let (tx, rx) = std::sync::mpsc::channel();
    let watcher = g.in_ns(&g.gw, move || {
        let mut w = nftwire::conntrack::Watch::open().expect("subscribe to conntrack events");
        tx.send(()).unwrap();
        let mut seen = Vec::new();
        // New, then updates (SYN_RECV, ESTABLISHED): wait for ESTABLISHED.
        while !seen
            .iter()
            .any(|e: &nftwire::conntrack::Entry| e.state().as_deref() == Some("ESTABLISHED"))
        {
            for ev in w.next_events().expect("events") {
                seen.push(ev.expect("every event decodes"));
            }
        }
        seen
    });
    rx.recv().unwrap();
    g.listen(&g.client, "10.0.0.5:80");
    let c = g.connect(&g.server, "198.51.100.1:8080");
    let sport = c.local_addr().unwrap().port();
    let seen = watcher.join().expect("watcher");
    drop(c);
    let first = &seen[0];
    assert_eq!(first.kind, nftwire::conntrack::EventKind::New, "{seen:?}");
    assert_eq!(
        first.nat_text(),
        format!("198.51.100.9:{sport} -> 198.51.100.1:8080 DNAT to 10.0.0.5:80")
    );
    let last = seen.last().unwrap();
    assert_eq!(last.kind, nftwire::conntrack::EventKind::Update);
    assert_eq!(last.nat_text(), first.nat_text());
}
