//! Hostile command lines and restore input for the shim's ebtables and
//! arptables: whatever the words, the tools answer with one of iptables'
//! exit statuses (0-4) and never panic. The words are drawn from a fixed
//! list by a seeded generator (`NFTWIRE_FUZZ_SEED` overrides the seed).

mod common;
mod oracle;

use std::io::Write;
use std::os::unix::process::CommandExt;
use std::process::{Command, Stdio};

const WORDS: &[&str] = &[
    "-A",
    "-I",
    "-D",
    "-C",
    "-L",
    "-S",
    "-F",
    "-Z",
    "-N",
    "-X",
    "-E",
    "-P",
    "INPUT",
    "FORWARD",
    "OUTPUT",
    "foo",
    "-p",
    "ARP",
    "IPv4",
    "length",
    "--ip-src",
    "1.2.3.4/ü",
    "--mark",
    "0x1/é",
    "--among-src",
    "aa:bb:cc:dd:ee:ff=1.2.3.4,zz",
    "--among-dst-file",
    "/nonexistent",
    "--stp-port",
    "1:ü",
    "--ip-icmp-type",
    "3/ü",
    "-j",
    "mark",
    "snat",
    "--mark-set",
    "é",
    "--limit",
    "5/ü",
    "!",
    "-s",
    "Broadcast",
    "--vlan-encap",
    "é",
    "--arp-op",
    "ü",
    "+1",
    "-1",
    "1:",
    ":",
    "--log-prefix",
    "éééééééééééééééééééééééééééééééé",
    "1:2",
    "-i",
    "",
    "--802_3-sap",
    "zz",
    "--opcode",
    "Request/x",
    "--h-length",
    "6/",
    "--source-mac",
    "ff:ff",
    "-j",
    "mangle",
    "--mangle-mac-s",
    "--Lc",
    "--Ln",
    "--Lx",
    "-t",
    "nat",
    "broute",
    "-v",
    "--init-table",
    "-c",
];

/// xorshift64*: a small deterministic generator.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn pick(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

fn run(shim: &str, tool: &str, args: &[String], stdin: &str) -> i32 {
    let mut child = Command::new(shim)
        .arg0(tool)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("shim");
    if let Some(mut i) = child.stdin.take() {
        let _ = i.write_all(stdin.as_bytes());
    }
    child.wait().expect("wait").code().unwrap_or(-1)
}

#[test]
fn hostile_arguments_and_restore_input() {
    let shim = oracle::env().shim.display().to_string();
    let seed = std::env::var("NFTWIRE_FUZZ_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0x5eed_eb7a_u64);
    common::netns(move || {
        let mut rng = Rng(seed | 1);
        let mut bad = Vec::new();
        for _ in 0..150 {
            let n = 1 + rng.pick(8);
            let args: Vec<String> = (0..n)
                .map(|_| WORDS[rng.pick(WORDS.len())].to_string())
                .collect();
            for tool in ["ebtables", "arptables"] {
                let rc = run(&shim, tool, &args, "");
                if !(0..=4).contains(&rc) {
                    bad.push(format!("{tool} {args:?} -> {rc}"));
                }
            }
            // The same words as a restore line of a table.
            let input = format!("*filter\n:foo ACCEPT\n{}\nCOMMIT\n", args.join(" "));
            for tool in ["ebtables-restore", "arptables-restore"] {
                let rc = run(&shim, tool, &[], &input);
                if !(0..=4).contains(&rc) {
                    bad.push(format!("{tool} <<< {input:?} -> {rc}"));
                }
            }
        }
        assert!(bad.is_empty(), "seed {seed}:\n{}", bad.join("\n"));
    });
}
