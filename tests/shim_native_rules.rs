//! Rules another tool wrote with native expressions that iptables 1.8.11
//! reads correctly and completely are iptables rules for every command
//! (listing, save, `-C`, `-D`, restore), exactly as with the real 1.8.11;
//! rules carrying anything 1.8.11 would drop (userdata such as NetBird's
//! tags) stay foreign.

mod common;
mod oracle;

use oracle::{compare, env, Impl, Step};

const NATIVE: &str = "nft add rule ip filter INPUT ip saddr 1.2.3.4 accept; \
    nft add rule ip filter INPUT tcp dport 22 accept; \
    nft add rule ip filter INPUT ip saddr 10.0.0.0/8 udp dport 53 counter drop; \
    nft add rule ip filter FORWARD iifname eth0 oifname eth1 accept; \
    nft add rule ip filter FORWARD ip ttl 1 drop comment \\\"short lived\\\"; \
    nft add rule ip filter FORWARD icmp type echo-request accept";

fn ipt(args: &str) -> Step {
    Step {
        tool: "iptables".into(),
        args: oracle::words(args),
        stdin: None,
    }
}

#[test]
fn native_rules_1_8_11_reads_are_iptables_rules_as_with_1_8_11() {
    assert!(env().root.is_some(), "the real iptables 1.8.11 is needed");
    let setup = format!(
        "{} -A INPUT -j ACCEPT; {} -A FORWARD -j DROP; {NATIVE}",
        env().wrap_oracle.join("iptables").display(),
        env().wrap_oracle.join("iptables").display()
    );
    let steps = [
        ipt("-S"),
        ipt("-L -n"),
        Step::new("iptables-save", &[]),
        ipt("-C INPUT -s 1.2.3.4/32 -j ACCEPT"),
        ipt("-C INPUT -p tcp --dport 22 -j ACCEPT"),
        ipt("-C FORWARD -i eth0 -o eth1 -j ACCEPT"),
        ipt("-C FORWARD -m ttl --ttl-eq 1 -m comment --comment \"short lived\" -j DROP"),
        ipt("-D FORWARD -p icmp --icmp-type echo-request -j ACCEPT"),
        ipt("-D INPUT -s 1.2.3.4/32 -j ACCEPT"),
        ipt("-S INPUT"),
        Step {
            tool: "iptables-restore".into(),
            args: vec!["--noflush".into()],
            stdin: Some("*filter\n-D INPUT -p tcp --dport 22 -j ACCEPT\n-I INPUT 2 -s 9.9.9.9 -j DROP\nCOMMIT\n".into()),
        },
        ipt("-S"),
        Step {
            tool: "iptables-restore".into(),
            args: Vec::new(),
            stdin: Some("*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -s 8.8.8.8 -j ACCEPT\nCOMMIT\n".into()),
        },
        ipt("-S"),
    ];
    // the setup made what the comparison is about
    let (out, _) = oracle::run_case(env(), Impl::Oracle, &steps[..1], Some(&setup));
    for want in [
        "-s 1.2.3.4/32 -j ACCEPT",
        "--ttl-eq 1",
        "--icmp-type 8",
        "-i eth0 -o eth1",
    ] {
        assert!(out[0].stdout.contains(want), "{want}: {}", out[0].stdout);
    }
    if let Some(d) = compare(env(), &steps, Some(&setup)) {
        panic!("{d}");
    }
}

/// Add `ip saddr 1.2.3.4 accept` to `ip filter INPUT` carrying `userdata`
/// as it is (NetBird puts its own bytes there, not an nft comment).
fn add_tagged_rule(userdata: &[u8]) {
    use nftwire::consts::msg;
    use nftwire::netlink::{BatchOp, Conn};
    use nftwire::ruleset::Ruleset;
    common::nft_load("add rule ip filter INPUT ip saddr 1.2.3.4 accept\n");
    let mut c = Conn::open().expect("netlink");
    let rs = Ruleset::read(&mut c, 2).expect("read");
    let mut r = rs
        .chain_rules(2, "filter", "INPUT")
        .last()
        .expect("the nft rule")
        .clone();
    let del = nftwire::object::Rule {
        family: 2,
        attrs: nftwire::object::RuleAttrs {
            table: Some("filter".into()),
            chain: Some("INPUT".into()),
            handle: r.attrs.handle,
            ..Default::default()
        },
    };
    r.attrs.handle = None;
    r.attrs.userdata = Some(userdata.to_vec().into());
    let op = |m, o: &str| BatchOp {
        msg: m,
        op: o.into(),
        what: "rule".into(),
    };
    c.batch(
        &[
            op(del.to_msg(msg::DELRULE, 0), "RULE_DELETE"),
            op(r.to_msg(msg::NEWRULE, 0x400 | 0x800), "RULE_APPEND"),
        ],
        None,
    )
    .expect("batch");
}

#[test]
fn native_rules_with_userdata_stay_foreign() {
    // NetBird tags its rules with userdata and finds them by it: the shim
    // must not own (and so not rewrite) them, though 1.8.11 lists them.
    let e = env().clone();
    let (listed, after) = common::netns(move || {
        let r0 = oracle::run_step(&e, Impl::Shim, &ipt("-A INPUT -j ACCEPT"));
        assert_eq!(r0.rc, 0, "{}", r0.stderr);
        add_tagged_rule(b"netbird-acl-tag");
        let listed = oracle::run_step(&e, Impl::Shim, &ipt("-S INPUT"));
        let checked = oracle::run_step(&e, Impl::Shim, &ipt("-C INPUT -s 1.2.3.4 -j ACCEPT"));
        assert_eq!(checked.rc, 1, "-C found a foreign rule");
        let mut restore = Step::new("iptables-restore", &[]);
        restore.stdin = Some("*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -j DROP\nCOMMIT\n".into());
        let r = oracle::run_step(&e, Impl::Shim, &restore);
        assert_eq!(r.rc, 0, "{}", r.stderr);
        let after =
            nftwire::ruleset::Ruleset::read(&mut nftwire::netlink::Conn::open().unwrap(), 2)
                .expect("read");
        let tags: Vec<Vec<u8>> = after
            .chain_rules(2, "filter", "INPUT")
            .filter_map(|r| r.attrs.userdata.as_ref().map(|u| u.to_vec()))
            .collect();
        (listed.stdout, tags)
    });
    assert!(
        listed.contains("not an iptables rule: ip saddr 1.2.3.4"),
        "{listed}"
    );
    assert_eq!(
        after,
        vec![b"netbird-acl-tag".to_vec()],
        "the tagged rule did not survive"
    );
}
