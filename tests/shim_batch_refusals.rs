//! Batches the kernel refuses in several places, compared with the real
//! iptables 1.8.11 (exit code, stdout, stderr and the kernel state after
//! every step). This kernel has no LED class and no SELinux, so LED and
//! SECMARK rules are refused by the kernel (not by the parser) for both
//! tools: the kernel checks the whole batch and refuses each such rule, and
//! iptables-restore names every failing line (cut at its message buffer).

mod common;
mod oracle;

use oracle::{assert_same as check, Step};

fn ipt(tool: &str, args: &str) -> Step {
    Step {
        tool: tool.into(),
        args: oracle::words(args),
        stdin: None,
    }
}

fn restore(tool: &str, args: &[&str], input: String) -> Step {
    let mut s = ipt(tool, &args.join(" "));
    s.stdin = Some(input);
    s
}

const LED: &str = "-A INPUT -j LED --led-trigger-id foo";
const SECMARK: &str = "-A INPUT -j SECMARK --selctx system_u:object_r:ssh_packet_t:s0";

/// A `*filter` table of `lines`, committed.
fn filter(lines: &[&str]) -> String {
    let mut s = String::from("*filter\n:INPUT ACCEPT [0:0]\n");
    for l in lines {
        s.push_str(l);
        s.push('\n');
    }
    s + "COMMIT\n"
}

#[test]
fn every_refused_line_is_named() {
    let input = filter(&[
        "-A INPUT -p tcp --dport 22 -j ACCEPT",
        LED,
        "-A INPUT -p udp -j ACCEPT",
        SECMARK,
        "-A INPUT -j LED --led-trigger-id bar",
        "-A INPUT -j DROP",
    ]);
    check(
        "three refused lines",
        &[
            ipt("iptables", "-A INPUT -j ACCEPT"),
            restore("iptables-restore", &[], input.clone()),
            restore("iptables-restore", &["--noflush"], input.clone()),
            restore("ip6tables-restore", &[], input),
        ],
    );
}

#[test]
fn refusals_in_several_tables_and_chains() {
    let input = format!(
        "*filter\n:INPUT ACCEPT [0:0]\n:u - [0:0]\n{LED}\n-A u -j LED --led-trigger-id x\n\
         -A INPUT -j u\nCOMMIT\n*mangle\n:PREROUTING ACCEPT [0:0]\n\
         -A PREROUTING -j SECMARK --selctx a_u:b_r:c_t:s0\n-A PREROUTING -j ACCEPT\nCOMMIT\n"
    );
    check(
        "tables",
        &[
            restore("iptables-restore", &[], input.clone()),
            restore("iptables-restore", &["--noflush"], input),
        ],
    );
}

#[test]
fn a_single_refusal_as_before() {
    check(
        "single",
        &[
            ipt("iptables", LED),
            ipt("ip6tables", SECMARK),
            restore("iptables-restore", &[], filter(&[LED])),
        ],
    );
}

#[test]
fn many_refused_lines_are_cut_as_iptables_cuts_them() {
    // 100 refusals are far more than iptables' 1,024-byte message holds;
    // 20 and 21 lie around its edge.
    for n in [13, 14, 20, 21, 100] {
        let lines: Vec<String> = (0..n)
            .map(|i| format!("-A INPUT -j LED --led-trigger-id t{i}"))
            .collect();
        let refs: Vec<&str> = lines.iter().map(String::as_str).collect();
        check(
            &format!("{n} refusals"),
            &[restore("iptables-restore", &[], filter(&refs))],
        );
    }
}
