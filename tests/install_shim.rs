//! `nftwire install-shim` creates every tool name as a symlink to the shim.

use std::process::Command;

#[test]
fn creates_all_links_and_refuses_to_clobber() {
    let dir = std::env::temp_dir().join(format!("nftwire-shim-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let fake = dir.join("bin/nftwire-iptables");
    std::fs::create_dir_all(fake.parent().unwrap()).unwrap();
    std::fs::write(&fake, b"#!/bin/sh\n").unwrap();
    let out = dir.join("sbin");
    let run = |extra: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_nftwire"))
            .arg("install-shim")
            .arg(&out)
            .arg("--shim")
            .arg(&fake)
            .args(extra)
            .output()
            .unwrap()
    };
    let o = run(&[]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    for name in [
        "iptables",
        "ip6tables-restore",
        "iptables-nft-save",
        "ebtables",
        "ebtables-nft-restore",
        "arptables-save",
        "arptables-nft",
    ] {
        let target = std::fs::read_link(out.join(name)).unwrap();
        assert_eq!(target, fake.canonicalize().unwrap());
    }
    let again = run(&[]);
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("already exist in"));
    assert!(run(&["--force"]).status.success());
    std::fs::remove_dir_all(&dir).unwrap();
}
