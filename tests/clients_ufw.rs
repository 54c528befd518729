//! ufw (Debian's package, its defaults: IPv6 on, default deny incoming)
//! with 1.8.11 and with the shim; see `tests/clients/mod.rs`. ufw reads and
//! writes /etc/ufw, /etc/default/ufw and /lib/ufw: each sandbox has private
//! copies of them, so the host's ufw configuration is never touched.

#[path = "clients/mod.rs"]
mod clients;
mod common;

use clients::{check, require, Sandbox, Step};

/// Private copies of ufw's files in the sandbox (after checking ufw is
/// installed); the path of the /etc/default/ufw copy.
fn private_ufw(sb: &Sandbox) -> std::path::PathBuf {
    require(
        "ufw",
        &[
            "/usr/sbin/ufw",
            "/etc/ufw/before.rules",
            "/lib/ufw/ufw-init",
        ],
    );
    sb.private("/etc/ufw");
    sb.private("/lib/ufw");
    sb.private("/etc/default/ufw")
}

#[test]
fn ufw_enable_rules_reload_disable() {
    let setup = |sb: &Sandbox| {
        private_ufw(sb);
    };
    check("ufw", setup, &steps(true));
}

/// enable, rules of every kind, status, reload, delete, defaults, disable.
fn steps(ipv6: bool) -> Vec<Step> {
    vec![
        Step::new("enable", "ufw --force enable"),
        Step::new("allow 22/tcp", "ufw allow 22/tcp")
            .saved("-A ufw-user-input -p tcp -m tcp --dport 22 -j ACCEPT"),
        Step::new("deny from 10.0.0.0/8", "ufw deny from 10.0.0.0/8"),
        Step::new(
            "allow v6 net to port",
            "ufw allow from 2001:db8::/32 to any port 443 proto tcp",
        )
        // Without IPv6: "ERROR: IPv6 support not enabled".
        .rc(if ipv6 { 0 } else { 1 }),
        Step::new("limit 2222/tcp", "ufw limit 2222/tcp"),
        Step::new("allow in on lo", "ufw allow in on lo to any port 8080"),
        Step::new("route allow", "ufw route allow in on lo out on lo"),
        Step::new("status verbose", "ufw status verbose"),
        Step::new("status numbered", "ufw status numbered"),
        Step::new("reload", "ufw reload"),
        Step::new("delete allow 22/tcp", "ufw delete allow 22/tcp"),
        Step::new("default deny outgoing", "ufw default deny outgoing"),
        Step::new("logging medium", "ufw logging medium"),
        Step::new("disable", "ufw disable"),
        Step::new("enable again", "ufw --force enable"),
        Step::new("status after re-enable", "ufw status"),
    ]
}

/// The same with IPV6=no in /etc/default/ufw: ufw's IPv4 side on its own,
/// so it is compared step by step even while the IPv6 side cannot load.
#[test]
fn ufw_ipv4_only() {
    let setup = |sb: &Sandbox| {
        let d = private_ufw(sb);
        let text = std::fs::read_to_string(&d).expect("read /etc/default/ufw copy");
        assert!(
            text.contains("\nIPV6=yes\n"),
            "Debian's default has IPV6=yes"
        );
        std::fs::write(&d, text.replace("\nIPV6=yes\n", "\nIPV6=no\n")).expect("write");
    };
    check("ufw-ipv4", setup, &steps(false));
}
