//! Oracle comparison of `nftwire-iptables`' arptables and ebtables tools
//! with arptables-nft/ebtables-nft 1.8.11 (the real ones, from the oracle
//! root of `tests/oracle/setup-oracle.sh`): every rule of
//! tests/data/ebtarp/*.rules appended, listed, saved, checked and deleted,
//! and the command sequences of tests/oracle/ebtarp-cases.txt, each in a
//! fresh network namespace with both implementations; exit codes, stdout,
//! stderr and the kernel state (rules as bytes) must be identical.

mod common;
mod oracle;

use oracle::{compare, env, read_cases, words, Step};
use std::path::Path;

fn oracle_env() -> &'static oracle::Env {
    let e = env();
    assert!(
        e.root.is_some(),
        "the iptables 1.8.11 oracle could not be set up (tests/oracle/setup-oracle.sh)"
    );
    e
}

/// The steps for one rule: append, state, save, list, check, delete, state.
fn rule_steps(tool: &str, table: &str, chain: &str, rule: &[String]) -> Vec<Step> {
    let with = |args: &[&str], rest: &[String]| -> Step {
        let mut a: Vec<String> = vec!["-t".into(), table.into()];
        a.extend(args.iter().map(|s| s.to_string()));
        a.extend(rest.iter().cloned());
        Step {
            tool: tool.to_string(),
            args: a,
            stdin: None,
        }
    };
    let (check, list): (&str, &[&str]) = if tool == "ebtables" {
        ("--check", &["-L", "--Lc", "--Ln"])
    } else {
        ("-C", &["-L", "-n", "-v", "--line-numbers"])
    };
    vec![
        with(&["-A", chain], rule),
        Step::new("@state", &[]),
        Step::new(&format!("{tool}-save"), &[]),
        with(&["-S", chain], &[]),
        with(list, &[]),
        with(&[check, chain], rule),
        with(&["-D", chain], rule),
        with(&["-S"], &[]),
        Step::new("@state", &[]),
    ]
}

fn rules_file(tool: &str, file: &str) -> Vec<String> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/ebtarp")
        .join(file);
    let text = std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
    let env = oracle_env();
    let mut table = "filter".to_string();
    let mut chain = String::new();
    let mut failed = Vec::new();
    let mut n = 0;
    for (ln, line) in text.lines().enumerate() {
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if let Some(c) = line.strip_prefix(':') {
            chain = c.to_string();
            continue;
        }
        if let Some(t) = line.strip_prefix('*') {
            table = t.to_string();
            continue;
        }
        n += 1;
        let steps = rule_steps(tool, &table, &chain, &words(line));
        if let Some(d) = compare(env, &steps, None) {
            failed.push(format!("{file}:{} `{line}`: {d}", ln + 1));
        }
    }
    eprintln!("{file}: {n} rules, {} differences", failed.len());
    failed
}

#[test]
fn arptables_rules() {
    common::netns(|| ());
    let failed = rules_file("arptables", "arptables.rules");
    assert!(failed.is_empty(), "{}", failed.join("\n\n"));
}

#[test]
fn ebtables_rules() {
    common::netns(|| ());
    let failed = rules_file("ebtables", "ebtables.rules");
    assert!(failed.is_empty(), "{}", failed.join("\n\n"));
}

#[test]
fn command_cases() {
    common::netns(|| ());
    let env = oracle_env();
    let mut failed = Vec::new();
    let cases = read_cases("ebtarp-cases.txt");
    assert!(cases.len() > 10, "ebtarp-cases.txt holds too few cases");
    for (name, steps, setup) in &cases {
        if let Some(d) = compare(env, steps, setup.as_deref()) {
            failed.push(format!("case {name}: {d}"));
        }
    }
    eprintln!("{} cases, {} differences", cases.len(), failed.len());
    assert!(failed.is_empty(), "{}", failed.join("\n\n"));
}
