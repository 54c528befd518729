//! A libvirt-like bridge, with real traffic: a bridge in the test's own
//! network namespace, a "guest" and a "peer" namespace attached to it by
//! veth pairs, and the guest's anti-spoofing rules written with the shim's
//! `ebtables` as libvirt's nwfilter `clean-traffic` writes them (MAC, IP and
//! ARP checks in a `nat` PREROUTING chain per guest port). Frames from the
//! guest's own MAC and IP pass; a changed IP or MAC is dropped (and counted
//! by the rule that drops it); `arptables` in the peer namespace drops the
//! guest's ARP requests until the rule is deleted again.

mod common;
mod oracle;

use std::process::{Command, Output};

const GUEST_MAC: &str = "52:54:00:11:22:33";
const GUEST_IP: &str = "10.77.0.5";
const PEER_IP: &str = "10.77.0.1";

/// Named network namespaces (`ip netns`), deleted when dropped.
struct Namespaces(Vec<String>);

impl Drop for Namespaces {
    fn drop(&mut self) {
        for n in &self.0 {
            let _ = Command::new("ip").args(["netns", "del", n]).output();
        }
    }
}

fn sh(cmd: &str) -> Output {
    let o = Command::new("sh").arg("-c").arg(cmd).output().expect("sh");
    o
}

fn ok(cmd: &str) -> String {
    let o = sh(cmd);
    assert!(
        o.status.success(),
        "`{cmd}` failed: {}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// Run `f` on a thread inside the named network namespace.
fn in_ns<R: Send + 'static>(name: &str, f: impl FnOnce() -> R + Send + 'static) -> R {
    let path = format!("/run/netns/{name}");
    std::thread::spawn(move || {
        let fd = std::fs::File::open(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
        nix::sched::setns(&fd, nix::sched::CloneFlags::CLONE_NEWNET).expect("setns");
        f()
    })
    .join()
    .expect("namespace thread")
}

/// Whether a UDP datagram from the guest (from address `src`, default its
/// own) reaches the peer: the peer listens while the guest sends (ARP
/// runs first, since neighbours were forgotten). A datagram that gets
/// through is seen within the receive wait; a dropped one never is.
fn ping(guest: &str, peer: &str, src: Option<&str>) -> bool {
    use std::net::UdpSocket;
    use std::time::Duration;
    let rx = in_ns(peer, || {
        let s = UdpSocket::bind((PEER_IP, 0)).expect("peer socket");
        s.set_read_timeout(Some(Duration::from_millis(1500)))
            .expect("timeout");
        s
    });
    let port = rx.local_addr().expect("port").port();
    let from = src.unwrap_or(GUEST_IP).to_string();
    let sender = in_ns(guest, move || {
        UdpSocket::bind((from.as_str(), 0)).expect("guest socket")
    });
    // A few datagrams: the first may wait for ARP.
    for _ in 0..3 {
        let _ = sender.send_to(b"clean-traffic", (PEER_IP, port));
        let mut buf = [0u8; 64];
        if let Ok((n, _)) = rx.recv_from(&mut buf) {
            return &buf[..n] == b"clean-traffic";
        }
    }
    false
}

/// Forget the peer's and guest's neighbour entries (so ARP runs again).
fn forget(guest: &str, peer: &str) {
    ok(&format!("ip netns exec {guest} ip neigh flush all"));
    ok(&format!("ip netns exec {peer} ip neigh flush all"));
}

/// The packet counter of rule `n` (1-based) of `chain` in the nat table.
fn counter(shim: &str, chain: &str, n: usize) -> u64 {
    let out = ok(&format!("{shim} ebtables -t nat -L {chain} --Lc --Ln"));
    let line = out
        .lines()
        .find(|l| l.starts_with(&format!("{n}. ")))
        .unwrap_or_else(|| panic!("no rule {n} in:\n{out}"));
    let p = line.split("pcnt = ").nth(1).expect("pcnt");
    p.split_whitespace()
        .next()
        .unwrap()
        .parse()
        .expect("number")
}

#[test]
fn clean_traffic_drops_spoofed_frames() {
    let shim = oracle::env().shim.display().to_string();
    common::netns(move || {
        let id = std::process::id();
        let guest = format!("ebtarp-guest-{id}");
        let peer = format!("ebtarp-peer-{id}");
        let _ns = Namespaces(vec![guest.clone(), peer.clone()]);
        for n in [&guest, &peer] {
            ok(&format!("ip netns add {n}"));
        }
        ok("ip link add br0 type bridge && ip link set br0 up");
        ok(&format!(
            "ip link add vm0 type veth peer name eth0 netns {guest} && ip link set vm0 master br0 up"
        ));
        ok(&format!(
            "ip link add pe0 type veth peer name eth0 netns {peer} && ip link set pe0 master br0 up"
        ));
        ok(&format!(
            "ip netns exec {guest} sh -c 'ip link set lo up && ip link set eth0 address {GUEST_MAC} && ip addr add {GUEST_IP}/24 dev eth0 && ip link set eth0 up'"
        ));
        ok(&format!(
            "ip netns exec {peer} sh -c 'ip link set lo up && ip addr add {PEER_IP}/24 dev eth0 && ip link set eth0 up'"
        ));
        // The links come up asynchronously: a bounded number of attempts.
        let up = (0..10).any(|_| ping(&guest, &peer, None));
        assert!(up, "no connectivity through the bridge before any rule");

        // libvirt's clean-traffic for the guest's port vm0.
        let chain = "libvirt-I-vm0";
        let rules = [
            format!("-t nat -N {chain}"),
            format!("-t nat -A PREROUTING -i vm0 -j {chain}"),
            format!("-t nat -A {chain} -s ! {GUEST_MAC} -j DROP"),
            format!("-t nat -A {chain} -p IPv4 --ip-src ! {GUEST_IP} -j DROP"),
            format!("-t nat -A {chain} -p ARP --arp-mac-src ! {GUEST_MAC} -j DROP"),
            format!("-t nat -A {chain} -p ARP --arp-ip-src ! {GUEST_IP} -j DROP"),
            format!("-t nat -A {chain} -p ARP --arp-op Request -j ACCEPT"),
            format!("-t nat -A {chain} -p ARP --arp-op Reply -j ACCEPT"),
            format!("-t nat -A {chain} -p IPv4 -j ACCEPT"),
            format!("-t nat -A {chain} -j DROP"),
        ];
        for r in &rules {
            ok(&format!("{shim} ebtables {r}"));
        }
        forget(&guest, &peer);
        assert!(
            ping(&guest, &peer, None),
            "the guest's own MAC and IP must pass"
        );

        // A second address on the guest: its ARP and IP are dropped.
        ok(&format!(
            "ip netns exec {guest} ip addr add 10.77.0.66/24 dev eth0"
        ));
        forget(&guest, &peer);
        assert!(
            !ping(&guest, &peer, Some("10.77.0.66")),
            "a spoofed source IP must be dropped"
        );
        assert!(
            counter(&shim, chain, 4) > 0,
            "the ARP IP check must have dropped the spoofed ARP request"
        );
        assert!(ping(&guest, &peer, None), "the guest's own IP still passes");

        // A changed MAC: everything from it is dropped by the first rule.
        let before = counter(&shim, chain, 1);
        ok(&format!(
            "ip netns exec {guest} ip link set eth0 address 52:54:00:99:99:99"
        ));
        forget(&guest, &peer);
        assert!(
            !ping(&guest, &peer, None),
            "a spoofed source MAC must be dropped"
        );
        assert!(
            counter(&shim, chain, 1) > before,
            "the MAC check counted nothing"
        );
        ok(&format!(
            "ip netns exec {guest} ip link set eth0 address {GUEST_MAC}"
        ));
        forget(&guest, &peer);
        assert!(
            ping(&guest, &peer, None),
            "the guest's own MAC passes again"
        );

        // The rules read back as written.
        let saved = ok(&format!("{shim} ebtables-save -t nat"));
        assert!(
            saved.contains(&format!(
                "-A {chain} -p ARP ! --arp-ip-src {GUEST_IP} -j DROP"
            )) && saved.contains(&format!("-A PREROUTING -i vm0 -j {chain}")),
            "{saved}"
        );

        // arptables in the peer: its ARP requests from the guest are dropped.
        let arp = format!("ip netns exec {peer} {shim} arptables");
        ok(&format!(
            "{arp} -A INPUT -s {GUEST_IP} --opcode Request -j DROP"
        ));
        forget(&guest, &peer);
        assert!(
            !ping(&guest, &peer, None),
            "arptables must drop the guest's ARP"
        );
        let listed = ok(&format!("{arp} -L -n -v"));
        assert!(
            !listed.contains("pcnt=0 "),
            "the arptables rule counted nothing:\n{listed}"
        );
        ok(&format!(
            "{arp} -D INPUT -s {GUEST_IP} --opcode Request -j DROP"
        ));
        forget(&guest, &peer);
        assert!(
            ping(&guest, &peer, None),
            "ARP passes once the rule is gone"
        );
    });
}
