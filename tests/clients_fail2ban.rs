//! fail2ban (Debian's package) with 1.8.11 and with the shim; see
//! `tests/clients/mod.rs`. fail2ban-server runs in the sandbox with two
//! test jails, one per action (iptables-multiport, iptables-allports), and
//! bans and unbans IPv4 and IPv6 addresses through fail2ban-client as an
//! admin does; the server runs the actions' iptables/ip6tables commands.
//! Each sandbox has a private copy of /etc/fail2ban; the server's socket,
//! pid file, log and the watched log live on the sandbox's /run, its
//! database in memory.

#[path = "clients/mod.rs"]
mod clients;
mod common;

use clients::{check, require, Sandbox, Step};

/// `actionstart_on_demand`: the actions' start commands run with the first
/// ban, inside the (synchronous) banip command, not on a server thread at
/// some moment after `start`.
const JAILS: &str = r#"
[DEFAULT]
backend = polling
actionstart_on_demand = true

[mp]
enabled = true
filter = sshd
logpath = /run/f2b-watched.log
action = iptables-multiport[name=mp, port="ssh,http,https", protocol=tcp]

[ap]
enabled = true
filter = sshd
logpath = /run/f2b-watched.log
action = iptables-allports[name=ap, protocol=all]
"#;

const SERVER: &str = r#"
[Definition]
logtarget = /run/fail2ban.log
dbfile = :memory:
# Its default, set to silence a timestamped warning on stderr.
allowipv6 = auto
"#;

#[test]
fn fail2ban_ban_unban_multiport_allports() {
    require(
        "fail2ban",
        &[
            "/usr/bin/fail2ban-client",
            "/usr/bin/fail2ban-server",
            "/etc/fail2ban/action.d/iptables-multiport.conf",
            "/etc/fail2ban/action.d/iptables-allports.conf",
        ],
    );
    let setup = |sb: &Sandbox| {
        let dir = sb.private("/etc/fail2ban");
        // Debian enables an sshd jail reading the systemd journal: not here.
        let _ = std::fs::remove_file(dir.join("jail.d/defaults-debian.conf"));
        std::fs::write(dir.join("jail.local"), JAILS).expect("jail.local");
        std::fs::write(dir.join("fail2ban.local"), SERVER).expect("fail2ban.local");
        sb.ok("mkdir -p /run/fail2ban && touch /run/f2b-watched.log");
    };
    let steps = [
        Step::new("start", "fail2ban-client -x start"),
        Step::new("ban mp v4", "fail2ban-client set mp banip 192.0.2.1")
            .saved("-A INPUT -p tcp -m multiport --dports 22,80,443 -j f2b-mp")
            .saved("-A f2b-mp -s 192.0.2.1/32 -j REJECT --reject-with icmp-port-unreachable"),
        Step::new("ban mp v6", "fail2ban-client set mp banip 2001:db8::1"),
        Step::new("ban ap v4", "fail2ban-client set ap banip 198.51.100.7"),
        Step::new("ban ap v6", "fail2ban-client set ap banip 2001:db8::2")
            .saved("-A f2b-ap -s 2001:db8::2/128 -j REJECT --reject-with icmp6-port-unreachable"),
        Step::new("ban mp second v4", "fail2ban-client set mp banip 192.0.2.9"),
        Step::new("unban mp v4", "fail2ban-client set mp unbanip 192.0.2.1"),
        Step::new("unban ap v6", "fail2ban-client set ap unbanip 2001:db8::2"),
        Step::new("status mp", "fail2ban-client status mp"),
        Step::new("unban all", "fail2ban-client unban --all"),
        Step::new("ban mp again", "fail2ban-client set mp banip 192.0.2.1"),
        Step::new("stop", "fail2ban-client stop"),
    ];
    check("fail2ban", setup, &steps);
}
