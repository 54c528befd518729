//! Long chains: the shim reads one chain's rules with the dump received on
//! one thread and decoded on others (`parallel::map_dump`), and
//! `iptables-save` reads many chains on several connections at once
//! (`parallel::ordered_chunks`). Rule order, output and exit codes must be
//! exactly those of iptables-nft 1.8.11, and foreign rules in a long chain
//! must stay where they are.

mod common;
mod oracle;

use oracle::Step;

/// An iptables-restore file: `rules` kube-proxy-like rules in nat chain
/// LONG, and 400 small chains (enough for the parallel iptables-save).
fn long_chain(rules: usize, offset: usize) -> String {
    let mut s = String::from("*nat\n:LONG - [0:0]\n");
    for c in 0..400 {
        s.push_str(&format!(":SVC-{c} - [0:0]\n"));
    }
    for i in offset..offset + rules {
        s.push_str(&format!(
            "-A LONG -d 10.{}.{}.{}/32 -p tcp -m comment --comment \"ns/svc-{i}:http\" -m tcp --dport {} -j SVC-{}\n",
            (i >> 16) & 255,
            (i >> 8) & 255,
            i & 255,
            1000 + i % 50000,
            i % 400
        ));
    }
    for c in 0..400 {
        s.push_str(&format!(
            "-A SVC-{c} -m statistic --mode random --probability 0.5 -j MARK --set-xmark 0x{c:x}/0xffff\n"
        ));
    }
    s.push_str("COMMIT\n");
    s
}

fn last_rule_args(rules: usize) -> Vec<String> {
    let i = rules - 1;
    oracle::words(&format!(
        "-t nat -C LONG -d 10.{}.{}.{}/32 -p tcp -m comment --comment \"ns/svc-{i}:http\" -m tcp --dport {} -j SVC-{}",
        (i >> 16) & 255,
        (i >> 8) & 255,
        i & 255,
        1000 + i % 50000,
        i % 400
    ))
}

fn step(tool: &str, args: &[String]) -> Step {
    let a: Vec<&str> = args.iter().map(String::as_str).collect();
    Step::new(tool, &a)
}

#[test]
fn long_chain_matches_iptables_nft() {
    const N: usize = 3000;
    let env = oracle::env();
    let mut restore = Step::new("iptables-restore", &[]);
    restore.stdin = Some(long_chain(N, 0));
    let check_last = last_rule_args(N);
    let mut delete_last = check_last.clone();
    delete_last[2] = "-D".into();
    let mut delete_mid = last_rule_args(N / 2 + 1);
    delete_mid[2] = "-D".into();
    let absent: Vec<String> = oracle::words(
        "-t nat -C LONG -d 10.99.0.1/32 -p tcp -m comment --comment absent -m tcp --dport 80 -j SVC-1",
    );
    let steps = vec![
        restore,
        Step::new("iptables", &["-t", "nat", "-S", "LONG"]),
        step("iptables", &check_last),
        step("iptables", &absent),
        step("iptables", &delete_mid),
        step("iptables", &delete_last),
        step("iptables", &check_last),
        Step::new("iptables", &["-t", "nat", "-S", "LONG"]),
        Step::new(
            "iptables",
            &["-t", "nat", "-L", "LONG", "-n", "--line-numbers"],
        ),
        Step::new("iptables", &["-t", "nat", "-D", "LONG", "1500"]),
        Step::new("iptables-save", &["-t", "nat"]),
    ];
    if let Some(diff) = oracle::compare(env, &steps, None) {
        panic!("{diff}");
    }
}

#[test]
fn foreign_rules_in_a_long_chain_stay_in_place() {
    const N: usize = 2000;
    let shim = common::bin("nftwire-iptables");
    let first = long_chain(N, 0);
    let second = long_chain(N, N).replace(":LONG - [0:0]\n", "");
    common::netns(move || {
        let run = |args: &[&str], stdin: Option<&str>| -> (i32, String) {
            let o = match stdin {
                Some(i) => common::run_stdin(shim.to_str().unwrap(), args, i),
                None => common::run(shim.to_str().unwrap(), args),
            };
            (
                o.status.code().unwrap_or(-1),
                String::from_utf8_lossy(&o.stdout).into_owned(),
            )
        };
        assert_eq!(run(&["iptables-restore"], Some(&first)).0, 0);
        // Two native rules in the middle of the chain, as NetBird adds them.
        common::nft_load(
            "add rule ip nat LONG ct state established counter accept\n\
             add rule ip nat LONG tcp dport { 22, 80 } counter drop\n",
        );
        // `-n`: append to the chain as it is, SVC-* chains already exist.
        assert_eq!(run(&["iptables-restore", "-n"], Some(&second)).0, 0);
        let (rc, s) = run(&["iptables", "-t", "nat", "-S", "LONG"], None);
        assert_eq!(rc, 0);
        let lines: Vec<&str> = s.lines().collect();
        assert_eq!(lines.len(), 1 + 2 * N + 2, "{}", &s[..s.len().min(400)]);
        // The foreign rules are shown as comments right after the first
        // N rules, in their order.
        assert!(
            lines[1 + N].starts_with("# -A LONG handle "),
            "{}",
            lines[1 + N]
        );
        assert!(
            lines[1 + N].contains("ct state established"),
            "{}",
            lines[1 + N]
        );
        assert!(
            lines[2 + N].contains("tcp dport { 22, 80 }"),
            "{}",
            lines[2 + N]
        );
        assert!(
            lines[3 + N].starts_with("-A LONG -d 10.0."),
            "{}",
            lines[3 + N]
        );
        // -C finds the last rule past them; -D removes it and nothing else.
        let last = last_rule_args(2 * N);
        let a: Vec<&str> = std::iter::once("iptables")
            .chain(last.iter().map(String::as_str))
            .collect();
        assert_eq!(run(&a, None).0, 0);
        let mut d = a.clone();
        d[3] = "-D";
        assert_eq!(run(&d, None).0, 0);
        assert_eq!(run(&a, None).0, 1);
        let (_, s2) = run(&["iptables", "-t", "nat", "-S", "LONG"], None);
        let mut want = lines.clone();
        want.pop();
        assert_eq!(s2.lines().collect::<Vec<_>>(), want);
        // iptables-save (several connections) prints the same chain.
        let (rc, save) = run(&["iptables-save", "-t", "nat"], None);
        assert_eq!(rc, 0);
        let saved: Vec<&str> = save
            .lines()
            .filter(|l| l.starts_with("-A LONG ") || l.starts_with("# -A LONG "))
            .collect();
        assert_eq!(saved, want[1..].to_vec());
    });
}
