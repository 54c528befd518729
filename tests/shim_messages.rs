//! Exit codes and messages of error paths, each compared with the real
//! iptables 1.8.11 (exit code, stdout, stderr and the kernel state after
//! every step): jumps to missing chains, deleting base chains, restore's
//! option errors, `--test`, parameter and argument limits, `-L -Z CHAIN N`.

mod oracle;

use oracle::{compare, env, Step};

fn ipt(args: &str) -> Step {
    Step {
        tool: "iptables".into(),
        args: oracle::words(args),
        stdin: None,
    }
}

fn restore(args: &[&str], input: String) -> Step {
    Step {
        tool: "iptables-restore".into(),
        args: args.iter().map(|s| s.to_string()).collect(),
        stdin: Some(input),
    }
}

fn check(name: &str, steps: &[Step]) {
    assert!(env().root.is_some(), "the real iptables 1.8.11 is needed");
    if let Some(d) = compare(env(), steps, None) {
        panic!("{name}: {d}");
    }
}

#[test]
fn jumps_to_missing_chains_are_parameter_errors_first() {
    check(
        "jumps",
        &[
            ipt("-A INPUT -j ACCEPT"),
            ipt("-N u"),
            ipt("-C INPUT -j NOPE"),
            ipt("-D INPUT -j NOPE"),
            ipt("-C INPUT -g NOPE"),
            ipt("-A KEEP -j KEEP"),
            ipt("-I KEEP 1 -j KEEP"),
            ipt("-R INPUT 1 -j NOPE"),
            ipt("-C NOPE -j ACCEPT"),
            ipt("-I NOPE -j ACCEPT"),
            ipt("-D NOPE 1"),
            ipt("-C INPUT -j u"),
            restore(&["--noflush"], "*filter\n-A INPUT -j NOPE\nCOMMIT\n".into()),
            restore(
                &["-t"],
                "*filter\n-A INPUT -j NOPE\n-D INPUT 9\nCOMMIT\n".into(),
            ),
            restore(&["--test"], "*filter\n-A NOPE -j ACCEPT\nCOMMIT\n".into()),
        ],
    );
}

#[test]
fn deleting_base_chains_as_1_8_11() {
    check(
        "base chains",
        &[
            ipt("-A INPUT -j ACCEPT"),
            ipt("-P OUTPUT DROP"),
            ipt("-P FORWARD ACCEPT"),
            ipt("-N u"),
            ipt("-A u -j ACCEPT"),
            ipt("-A INPUT -j u"),
            ipt("-X INPUT"),
            ipt("-X OUTPUT"),
            ipt("-X FORWARD"),
            ipt("-X u"),
            ipt("-X"),
        ],
    );
}

#[test]
fn restore_option_errors_as_getopt_prints_them() {
    check(
        "restore options",
        &[
            restore(&["--bogus"], String::new()),
            restore(&["-y"], String::new()),
            restore(&["--table"], String::new()),
            restore(&["--noflush=1"], String::new()),
        ],
    );
}

#[test]
fn restore_lines_past_iptables_limits() {
    let long = |n: usize| {
        format!(
            "*filter\n-A INPUT -m comment --comment {} -j ACCEPT\nCOMMIT\n",
            "a".repeat(n)
        )
    };
    let many = |n: usize| {
        format!(
            "*filter\n-A INPUT {}-j ACCEPT\nCOMMIT\n",
            "-s 10.0.0.1 ".repeat(n)
        )
    };
    check(
        "limits",
        &[
            restore(&[], long(1_000_000)),
            restore(&[], long(1023)),
            restore(&[], long(1022)),
            restore(&[], many(5_000)),
            restore(&[], many(125)),
            restore(&[], many(126)),
            restore(&[], "*filter\n-A INPUT -s \"\" -j ACCEPT\nCOMMIT\n".into()),
            restore(
                &[],
                "*filter\n-A INPUT -m comment --comment \"a b\"c -j ACCEPT\nCOMMIT\n".into(),
            ),
        ],
    );
}

#[test]
fn zeroing_one_rule_lists_nothing() {
    check(
        "-L -Z N",
        &[
            ipt("-v -L -Z FORWARD 1"),
            ipt("-A FORWARD -j ACCEPT"),
            ipt("-v -L -Z FORWARD 1"),
            ipt("-L -Z FORWARD 1"),
            ipt("-S -Z FORWARD 1"),
            ipt("-Z FORWARD 1 -L"),
            ipt("-L -Z FORWARD 2"),
            ipt("-L -Z NOPE 1"),
            ipt("-Z NOPE"),
        ],
    );
}

#[test]
fn kernel_errors_have_no_rust_suffix() {
    // A jump chain 17 deep: the kernel refuses it with EMLINK.
    let mut steps = Vec::new();
    for i in 0..18 {
        steps.push(ipt(&format!("-N c{i}")));
    }
    for i in 0..17 {
        steps.push(ipt(&format!("-A c{i} -j c{}", i + 1)));
    }
    steps.push(ipt("-A INPUT -j c0"));
    check("EMLINK", &steps);
}
