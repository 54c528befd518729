//! ferm (Debian's package) with 1.8.11 and with the shim; see
//! `tests/clients/mod.rs`. ferm feeds whole tables to `iptables-restore`
//! (saving the previous state first, to roll back to when loading fails),
//! or runs one `iptables` command per rule with `--slow`. Each sandbox has
//! a private copy of /etc/ferm holding the configurations below.

#[path = "clients/mod.rs"]
mod clients;
mod common;

use clients::{check, require, Sandbox, Step};

/// Added to Debian's /etc/ferm/ferm.conf through its ferm.d/: NAT and
/// mangle rules for both families.
const EXTRA: &str = r#"
domain ip table nat {
    chain POSTROUTING outerface eth0 saddr 10.0.0.0/8 MASQUERADE;
    chain PREROUTING proto tcp dport 8080 DNAT to 10.0.0.2:80;
}
domain (ip ip6) table mangle chain PREROUTING proto tcp dport 22 MARK set-mark 7;
domain (ip ip6) table filter chain INPUT {
    saddr @ipfilter((192.0.2.0/24 2001:db8::/32)) proto tcp dport (http https) ACCEPT;
    proto udp dport 53 mod comment comment "dns" ACCEPT;
}
"#;

/// A different configuration: other policies, a user chain, no NAT.
const CHANGED: &str = r#"
domain (ip ip6) table filter {
    chain INPUT {
        policy DROP;
        mod conntrack ctstate (ESTABLISHED RELATED) ACCEPT;
        interface lo ACCEPT;
        proto tcp dport ssh jump ssh_in;
    }
    chain ssh_in {
        mod limit limit 5/minute ACCEPT;
        REJECT reject-with tcp-reset proto tcp;
    }
    chain FORWARD policy ACCEPT;
}
"#;

/// ferm accepts it, iptables-restore does not (a port out of range):
/// ferm must roll back to the previous state.
const BROKEN: &str = r#"
domain ip table filter chain INPUT {
    policy DROP;
    proto tcp dport 99999 ACCEPT;
}
"#;

/// The TOS target (mangle), as ferm configurations commonly use it.
const TOS: &str = r#"
domain ip table mangle chain OUTPUT proto tcp dport 22 TOS set-tos Minimize-Delay;
"#;

#[test]
fn ferm_apply_reapply_rollback() {
    require("ferm", &["/usr/sbin/ferm", "/etc/ferm/ferm.conf"]);
    let setup = |sb: &Sandbox| {
        let dir = sb.private("/etc/ferm");
        std::fs::create_dir_all(dir.join("ferm.d")).expect("ferm.d");
        for (f, text) in [
            ("ferm.d/extra.conf", EXTRA),
            ("changed.conf", CHANGED),
            ("broken.conf", BROKEN),
            ("tos.conf", TOS),
        ] {
            std::fs::write(dir.join(f), text).expect("write ferm config");
        }
    };
    let steps = [
        Step::new("apply", "ferm /etc/ferm/ferm.conf")
            .saved("-A POSTROUTING -s 10.0.0.0/8 -o eth0 -j MASQUERADE")
            .saved("-A INPUT -p tcp -m tcp --dport 22 -j ACCEPT"),
        Step::new("re-apply", "ferm /etc/ferm/ferm.conf"),
        Step::new("apply changed", "ferm /etc/ferm/changed.conf"),
        Step::new("rollback", "ferm /etc/ferm/broken.conf").rc(1),
        Step::new("apply again", "ferm /etc/ferm/ferm.conf"),
        Step::new("flush", "ferm --flush /etc/ferm/ferm.conf"),
        Step::new("apply --slow", "ferm --slow /etc/ferm/ferm.conf"),
        Step::new("re-apply --slow", "ferm --slow /etc/ferm/changed.conf"),
        Step::new("apply TOS", "ferm /etc/ferm/tos.conf")
            .saved("-A OUTPUT -p tcp -m tcp --dport 22 -j TOS --set-tos 0x10/0x3f"),
    ];
    check("ferm", setup, &steps);
}
