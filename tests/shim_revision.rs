//! The kernel revision question libxtables asks (NFT_COMPAT GET).

mod common;

use nftwire::iptables::revision::probe;
use nftwire::iptables::Family;
use nftwire::netlink::Conn;

#[test]
fn kernel_knows_extension_revisions() {
    common::netns(|| {
        let mut c = Conn::open().expect("netlink");
        probe(&mut c, Family::V4, "conntrack", 3, false).expect("conntrack rev 3");
        probe(&mut c, Family::V6, "conntrack", 3, false).expect("conntrack rev 3 (ip6)");
        probe(&mut c, Family::V4, "MASQUERADE", 0, true).expect("MASQUERADE rev 0");
        probe(&mut c, Family::V4, "MARK", 2, true).expect("MARK rev 2");
        let e = probe(&mut c, Family::V4, "conntrack", 99, false).expect_err("no conntrack rev 99");
        assert!(e.errno().is_some(), "{e:?}");
        let e = probe(&mut c, Family::V4, "nosuchmatch", 0, false).expect_err("no such match");
        assert_eq!(e.errno(), Some(2), "{e:?}");
        // A match name asked as a target is not found.
        assert!(probe(&mut c, Family::V4, "conntrack", 3, true).is_err());
    });
}

/// The shim works the same after asking: a rule with several extensions.
#[test]
fn shim_asks_and_adds() {
    let shim = common::bin("nftwire-iptables");
    common::netns(move || {
        let o = std::process::Command::new(&shim)
            .args([
                "iptables",
                "-A",
                "INPUT",
                "-m",
                "conntrack",
                "--ctstate",
                "NEW",
                "-j",
                "MARK",
                "--set-mark",
                "1",
            ])
            .output()
            .expect("shim");
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        assert!(
            o.stderr.is_empty(),
            "{}",
            String::from_utf8_lossy(&o.stderr)
        );
        let o = std::process::Command::new(&shim)
            .args(["iptables", "-S", "INPUT"])
            .output()
            .expect("shim");
        assert_eq!(
            String::from_utf8_lossy(&o.stdout),
            "-P INPUT ACCEPT\n-A INPUT -m conntrack --ctstate NEW -j MARK --set-xmark 0x1/0xffffffff\n"
        );
    });
}
