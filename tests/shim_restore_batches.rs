//! `iptables-restore` parses long runs of rule lines in batches on several
//! threads; what it prints (warnings in line order, the first error, its
//! line number) and what it leaves must be what 1.8.11 gives, which parses
//! one line after the other.

mod common;
mod oracle;

use oracle::{assert_same, Step};

/// A `*filter` table of `n` rule lines, every 37th
/// giving a parse warning; `bad` replaces line `i` of the table with a
/// given text.
fn table(n: usize, bad: Option<(usize, &str)>, commit: bool) -> String {
    let mut s = String::from("*filter\n:fw - [0:0]\n");
    for i in 0..n {
        if let Some((at, text)) = bad {
            if at == i {
                s.push_str(text);
                s.push('\n');
                continue;
            }
        }
        if i % 37 == 5 {
            // "weird character in interface" warning
            s.push_str(&format!("-A fw -i eth/{i} -j ACCEPT\n"));
        } else {
            s.push_str(&format!(
                "[{i}:{}] -A fw -s 10.{}.{}.0/24 -p tcp -m tcp --dport {} -m comment --comment \"rule {i}\" -j ACCEPT\n",
                i * 10,
                i / 256,
                i % 256,
                1 + i % 60000
            ));
        }
    }
    if commit {
        s.push_str("COMMIT\n");
    }
    s
}

fn restore(input: String, args: &[&str]) -> Step {
    Step {
        tool: "iptables-restore".into(),
        args: args.iter().map(|s| s.to_string()).collect(),
        stdin: Some(input),
    }
}

#[test]
fn long_inputs_print_and_fail_as_1_8_11_does() {
    // Runs of 2,048 lines or more are parsed in parallel, in batches of
    // up to 4,096 lines.
    let cases: Vec<(&str, String)> = vec![
        ("all valid, two batches", table(5000, None, true)),
        (
            "a bad option in the second batch",
            table(
                5000,
                Some((4500, "-A fw -p tcp --dport 99999 -j ACCEPT")),
                true,
            ),
        ),
        (
            "a bad option late in one batch",
            table(
                2500,
                Some((1900, "-A fw -p tcp --dport 99999 -j ACCEPT")),
                true,
            ),
        ),
        (
            "bad counters after a batch",
            table(4500, Some((4300, "[1:2 -A fw -j ACCEPT")), true),
        ),
        (
            "an unknown command early",
            table(2200, Some((3, "-Q fw")), true),
        ),
        ("no COMMIT", table(2200, None, false)),
        (
            "help in the middle",
            table(2400, Some((1600, "-A fw -m tcp -h")), true),
        ),
        ("a short input", table(300, Some((200, "-A fw -j")), true)),
    ];
    for (name, input) in cases {
        for args in [&["--counters"][..], &["--noflush"][..]] {
            let steps = [
                restore(input.clone(), args),
                Step::new("iptables-save", &[]),
            ];
            assert_same(&format!("{name} {args:?}"), &steps);
        }
    }
}
