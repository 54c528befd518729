//! Batches the kernel refuses in several places, compared with the real
//! iptables 1.8.11 (exit code, stdout, stderr and the kernel state after
//! every step). This kernel has no LED class and no SELinux, so LED and
//! SECMARK rules are refused by the kernel (not by the parser) for both
//! tools: the kernel checks the whole batch and refuses each such rule, and
//! iptables-restore names every failing line (cut at its message buffer).
//! Also the library side: `Conn::last_errors` keeps every refusal.

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

#[test]
fn ebtables_restore_names_every_refused_line_too() {
    // dnat/snat/arpreply belong to the nat table: the kernel refuses them
    // in filter's INPUT.
    let input = "*filter\n:INPUT ACCEPT\n-A INPUT -j dnat --to-dst 1:2:3:4:5:6\n\
                 -A INPUT -j ACCEPT\n-A INPUT -p ARP -j arpreply --arpreply-mac 1:2:3:4:5:6\n\
                 -A INPUT -j snat --to-src 1:2:3:4:5:6\nCOMMIT\n";
    check(
        "ebtables",
        &[
            restore("ebtables-restore", &[], input.into()),
            restore("ebtables-restore", &["--noflush"], input.into()),
            ipt("ebtables", "-A INPUT -j dnat --to-dst 1:2:3:4:5:6"),
        ],
    );
}

/// The library side: `Conn::batch` keeps every refusal of a failed batch
/// (`last_errors`), still returns the first, and forgets them after a
/// batch that succeeds.
#[test]
fn the_connection_keeps_every_refusal() {
    use nftwire::expr::{Expr, Immediate};
    use nftwire::netlink::{BatchOp, Conn};
    use nftwire::object::{Chain, Rule, Table};
    use nftwire::ruleset::creation_op;

    fn rule(t: &str, c: &str) -> BatchOp {
        let accept = Immediate::verdict(nftwire::data::VerdictCode::Accept, None);
        let r = Rule::new(2, t, c, vec![Expr::Immediate(accept)]);
        creation_op(r.to_msg(nftwire::consts::msg::NEWRULE, 0))
    }
    common::netns(|| {
        let mut conn = Conn::open().expect("netlink socket");
        let t = || creation_op(Table::named(2, "t").to_msg(nftwire::consts::msg::NEWTABLE, 0));
        let c = creation_op(Chain::regular(2, "t", "c").to_msg(nftwire::consts::msg::NEWCHAIN, 0));
        let ops = vec![
            t(),
            c,
            rule("t", "missing"),
            rule("t", "c"),
            rule("t", "gone"),
        ];
        let e = conn.batch(&ops, None).expect_err("rules in missing chains");
        assert_eq!(e.errno(), Some(2), "{e}");
        assert!(e.to_string().contains("missing"), "{e}");
        let all = conn.last_errors();
        let refused: Vec<(Option<usize>, i32)> = all.iter().map(|f| (f.at.op, f.errno)).collect();
        assert_eq!(refused, vec![(Some(2), 2), (Some(4), 2)]);
        assert_eq!(conn.last_error_at(), Some(all[0].at));
        // nothing was applied
        let rs = nftwire::ruleset::Ruleset::read(&mut conn, 0).expect("ruleset dump");
        assert!(rs.tables.is_empty(), "{:?}", rs.tables);
        conn.batch(&[t()], None).expect("a good batch");
        assert!(conn.last_errors().is_empty());
        assert_eq!(conn.last_error_at(), None);
    });
}
