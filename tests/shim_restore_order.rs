//! A full `iptables-restore` (no `--noflush`) keeps foreign rules where they
//! were relative to the iptables rules, so `iptables-save | iptables-restore`
//! is a no-op even in a chain shared with native nftables rules.

mod common;
mod oracle;

use nftwire::netlink::Conn;
use nftwire::ruleset::Ruleset;
use std::path::Path;

fn chain_exprs(chain: &str) -> Vec<String> {
    let mut c = Conn::open().expect("netlink");
    let rs = Ruleset::read(&mut c, 2).expect("read");
    rs.chain_rules(2, "filter", chain)
        .map(|r| {
            r.exprs()
                .iter()
                .map(|e| e.to_string())
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect()
}

fn shim(dir: &Path, tool: &str, args: &[&str], stdin: Option<&str>) -> String {
    let o = match stdin {
        Some(s) => common::run_stdin(dir.join(tool).to_str().unwrap(), args, s),
        None => common::run(dir.join(tool).to_str().unwrap(), args),
    };
    assert!(
        o.status.success(),
        "{tool} {args:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8_lossy(&o.stdout).into_owned()
}

#[test]
fn save_restore_is_a_no_op_with_interleaved_foreign_rules() {
    let dir = oracle::env().wrap_shim.clone();
    common::netns(move || {
        let ipt = |args: &[&str]| shim(&dir, "iptables", args, None);
        ipt(&["-A", "FORWARD", "-s", "10.0.0.1", "-j", "ACCEPT"]);
        common::nft_load("add rule ip filter FORWARD ct state established accept\n");
        ipt(&["-A", "FORWARD", "-s", "10.0.0.2", "-j", "DROP"]);
        common::nft_load("insert rule ip filter FORWARD ct state invalid drop\n");
        ipt(&["-A", "FORWARD", "-s", "10.0.0.3", "-j", "ACCEPT"]);
        common::nft_load("add rule ip filter FORWARD ct mark 0x5 accept\n");
        let before = chain_exprs("FORWARD");
        assert_eq!(before.len(), 6);

        let saved = shim(&dir, "iptables-save", &["-t", "filter"], None);
        assert!(
            saved.contains("-A FORWARD -s 10.0.0.2/32 -j DROP"),
            "{saved}"
        );
        shim(&dir, "iptables-restore", &[], Some(&saved));
        assert_eq!(
            chain_exprs("FORWARD"),
            before,
            "save|restore changed the chain"
        );

        // Fewer iptables rules: foreign rules anchored past the end follow
        // the last restored rule, in their original order.
        let fewer: String = saved
            .lines()
            .filter(|l| !l.contains("10.0.0.2") && !l.contains("10.0.0.3"))
            .map(|l| format!("{l}\n"))
            .collect();
        shim(&dir, "iptables-restore", &[], Some(&fewer));
        let after = chain_exprs("FORWARD");
        assert_eq!(after.len(), 4, "{after:#?}");
        assert!(after[0].contains("ct load state"), "{after:#?}");
        assert!(after[1].contains("0x0100000a"), "{after:#?}");
        assert!(after[2].contains("ct load state"), "{after:#?}");
        assert!(after[3].contains("ct load mark"), "{after:#?}");
    });
}
