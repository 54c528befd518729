//! A NAT gateway made of three named network namespaces joined by veth
//! pairs, for the conntrack, log and trace tests:
//!
//! ```text
//! client 10.0.0.5/24 c0 ── g0 10.0.0.1/24 gateway 198.51.100.1/24 g1 ── s0 198.51.100.9/24 server
//! ```
//!
//! The gateway forwards (the server routes 10.0.0.0/24 through it); its NAT rules are written by the caller. Traffic
//! stays between these namespaces. Dropping the value deletes them.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::process::{Command, Output};

/// The three namespaces, by name.
pub struct Gateway {
    /// Client namespace name.
    pub client: String,
    /// Gateway namespace name.
    pub gw: String,
    /// Server namespace name.
    pub server: String,
}

fn ip(args: &[&str]) {
    let o = Command::new("ip").args(args).output().expect("run ip");
    assert!(
        o.status.success(),
        "ip {args:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
}

impl Gateway {
    /// Create the namespaces, links, addresses and routes; `tag` keeps the
    /// names of concurrent tests apart.
    pub fn new(tag: &str) -> Gateway {
        let id = std::process::id();
        let g = Gateway {
            client: format!("nftw-{tag}-c-{id}"),
            gw: format!("nftw-{tag}-g-{id}"),
            server: format!("nftw-{tag}-s-{id}"),
        };
        for n in [&g.client, &g.gw, &g.server] {
            let _ = Command::new("ip").args(["netns", "del", n]).output();
            ip(&["netns", "add", n]);
            ip(&["-n", n, "link", "set", "lo", "up"]);
        }
        let (c, gw, s) = (g.client.as_str(), g.gw.as_str(), g.server.as_str());
        ip(&[
            "-n", c, "link", "add", "c0", "type", "veth", "peer", "name", "g0", "netns", gw,
        ]);
        ip(&[
            "-n", gw, "link", "add", "g1", "type", "veth", "peer", "name", "s0", "netns", s,
        ]);
        ip(&["-n", c, "addr", "add", "10.0.0.5/24", "dev", "c0"]);
        ip(&["-n", gw, "addr", "add", "10.0.0.1/24", "dev", "g0"]);
        ip(&["-n", gw, "addr", "add", "198.51.100.1/24", "dev", "g1"]);
        ip(&["-n", s, "addr", "add", "198.51.100.9/24", "dev", "s0"]);
        for (n, dev) in [(c, "c0"), (gw, "g0"), (gw, "g1"), (s, "s0")] {
            ip(&["-n", n, "link", "set", dev, "up"]);
        }
        ip(&["-n", c, "route", "add", "default", "via", "10.0.0.1"]);
        ip(&[
            "-n",
            s,
            "route",
            "add",
            "10.0.0.0/24",
            "via",
            "198.51.100.1",
        ]);
        g.exec(gw, "sysctl", &["-qw", "net.ipv4.ip_forward=1"]);
        g
    }

    /// Run a program in namespace `ns` (`ip netns exec`), asserting success.
    pub fn exec(&self, ns: &str, prog: &str, args: &[&str]) -> Output {
        let o = self.exec_any(ns, prog, args, None);
        assert!(
            o.status.success(),
            "{prog} {args:?} in {ns}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        o
    }

    /// Run a program in namespace `ns`, with optional stdin, whatever its
    /// exit status.
    pub fn exec_any(&self, ns: &str, prog: &str, args: &[&str], stdin: Option<&str>) -> Output {
        let mut c = Command::new("ip");
        c.args(["netns", "exec", ns, prog]).args(args);
        match stdin {
            None => c
                .output()
                .unwrap_or_else(|e| panic!("cannot run {prog}: {e}")),
            Some(input) => {
                let mut ch = c
                    .stdin(std::process::Stdio::piped())
                    .stdout(std::process::Stdio::piped())
                    .stderr(std::process::Stdio::piped())
                    .spawn()
                    .unwrap_or_else(|e| panic!("cannot run {prog}: {e}"));
                ch.stdin
                    .take()
                    .unwrap()
                    .write_all(input.as_bytes())
                    .unwrap();
                ch.wait_with_output().unwrap()
            }
        }
    }

    /// Load an `iptables-restore` file into the gateway through the shim
    /// (`nftwire-iptables iptables-restore`).
    pub fn shim_restore(&self, rules: &str) {
        let shim = super::bin("nftwire-iptables");
        let o = self.exec_any(
            &self.gw,
            shim.to_str().unwrap(),
            &["iptables-restore"],
            Some(rules),
        );
        assert!(
            o.status.success(),
            "shim restore: {}",
            String::from_utf8_lossy(&o.stderr)
        );
    }

    /// Load an nft script into the gateway with the real `nft -f`.
    pub fn nft_load(&self, script: &str) {
        let o = self.exec_any(&self.gw, "nft", &["-f", "-"], Some(script));
        assert!(
            o.status.success(),
            "nft: {}",
            String::from_utf8_lossy(&o.stderr)
        );
    }

    /// Run `f` on a new thread inside namespace `ns`.
    pub fn in_ns<F, R>(&self, ns: &str, f: F) -> std::thread::JoinHandle<R>
    where
        F: FnOnce() -> R + Send + 'static,
        R: Send + 'static,
    {
        let path = format!("/run/netns/{ns}");
        std::thread::spawn(move || {
            nftwire::netns::enter(std::path::Path::new(&path))
                .unwrap_or_else(|e| panic!("{path}: {e}"));
            f()
        })
    }

    /// A TCP listener in `ns` on `addr` that answers `ok` to one connection
    /// and keeps it open until the peer closes it.
    pub fn listen(&self, ns: &str, addr: &str) {
        let addr: SocketAddr = addr.parse().unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        self.in_ns(ns, move || {
            let l = TcpListener::bind(addr).expect("bind listener");
            tx.send(()).unwrap();
            let (mut s, _) = l.accept().expect("accept");
            s.write_all(b"ok").unwrap();
            let mut sink = Vec::new();
            let _ = s.read_to_end(&mut sink);
        });
        rx.recv().expect("listener ready");
    }

    /// Connect from `ns` to `addr`, read the listener's `ok`, and return
    /// the open connection (close it by dropping it).
    pub fn connect(&self, ns: &str, addr: &str) -> TcpStream {
        let addr: SocketAddr = addr.parse().unwrap();
        self.in_ns(ns, move || {
            let mut s = TcpStream::connect_timeout(&addr, std::time::Duration::from_secs(10))
                .unwrap_or_else(|e| panic!("connect to {addr}: {e}"));
            let mut b = [0u8; 2];
            s.read_exact(&mut b).expect("read answer");
            assert_eq!(&b, b"ok");
            s
        })
        .join()
        .expect("connect thread")
    }
}

impl Drop for Gateway {
    fn drop(&mut self) {
        for n in [&self.client, &self.gw, &self.server] {
            let _ = Command::new("ip").args(["netns", "del", n]).output();
        }
    }
}
