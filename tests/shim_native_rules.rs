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
    nft add rule ip filter FORWARD iifname eth0 oifname eth1 accept";

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
    if let Some(d) = compare(env(), &steps, Some(&setup)) {
        panic!("{d}");
    }
}

#[test]
fn native_rules_with_userdata_stay_foreign() {
    // NetBird tags its rules with userdata and finds them by it: the shim
    // must not own (and so not rewrite) them, though 1.8.11 lists them.
    let e = env();
    let steps = [
        ipt("-A INPUT -j ACCEPT"),
        Step::new("iptables", &["-S", "INPUT"]),
        Step::new("iptables-save", &[]),
        Step::new("iptables-restore", &[]),
    ];
    let mut steps = steps.to_vec();
    steps[3].stdin = Some("*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -j DROP\nCOMMIT\n".into());
    let e2 = e.clone();
    let out = common::netns(move || {
        let r0 = oracle::run_step(&e2, Impl::Shim, &steps[0]);
        assert_eq!(r0.rc, 0, "{}", r0.stderr);
        common::nft_load(
            "add rule ip filter INPUT ip saddr 1.2.3.4 counter accept comment \"netbird-tag\"\n",
        );
        let listed = oracle::run_step(&e2, Impl::Shim, &steps[1]);
        let r = oracle::run_step(&e2, Impl::Shim, &steps[3]);
        assert_eq!(r.rc, 0, "{}", r.stderr);
        let after = common::run("nft", &["list", "chain", "ip", "filter", "INPUT"]);
        (
            listed.stdout,
            String::from_utf8_lossy(&after.stdout).into_owned(),
        )
    });
    assert!(
        out.0.contains("not an iptables rule: ip saddr 1.2.3.4"),
        "{}",
        out.0
    );
    assert!(out.1.contains("comment \"netbird-tag\""), "{}", out.1);
}
