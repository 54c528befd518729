//! dockerd (Debian's docker.io) with 1.8.11 and with the shim; see
//! `tests/clients/mod.rs`. dockerd runs inside the sandbox (its own network,
//! mount and PID namespaces: it and the containerd it starts die with the
//! sandbox), with its data root, exec root and socket on the sandbox's
//! /run and a private copy of /etc/docker (it writes key.json there), so
//! it touches neither the host's networking nor its files. No container
//! is run (no image is needed): the daemon's own rules at start, network
//! create/rm and restart are compared.

#[path = "clients/mod.rs"]
mod clients;
mod common;

use clients::{check, require, Sandbox, Step};

const DOCKER: &str = "docker -H unix:///run/dk.sock";

/// Start dockerd in the background and wait (at most 30 s) until it
/// answers: it sets up its iptables chains before it serves the API.
fn start() -> String {
    format!(
        "(dockerd --data-root /run/docker-data --exec-root /run/docker-exec \
          --pidfile /run/dockerd.pid --host unix:///run/dk.sock --storage-driver vfs \
          >>/run/dockerd.log 2>&1 &); \
         for i in $(seq 150); do {DOCKER} info >/dev/null 2>&1 && exit 0; sleep 0.2; done; \
         tail -20 /run/dockerd.log; exit 1"
    )
}

/// Stop dockerd (SIGTERM) and wait until it has exited (it is a zombie
/// then: the sandbox's init does not reap).
fn stop() -> String {
    "p=$(cat /run/dockerd.pid) && kill $p && \
     for i in $(seq 150); do \
         grep -q '^State:.*Z' /proc/$p/status 2>/dev/null || [ ! -e /proc/$p ] && exit 0; \
         sleep 0.2; done; exit 1"
        .to_string()
}

#[test]
fn dockerd_start_networks_restart() {
    require(
        "docker.io",
        &[
            "/usr/sbin/dockerd",
            "/usr/bin/docker",
            "/usr/bin/containerd",
        ],
    );
    let setup = |sb: &Sandbox| {
        sb.private("/etc/docker");
    };
    let steps = [
        Step::new("start", &start()).saved("-A DOCKER-USER -j RETURN"),
        Step::new(
            "network create",
            &format!(
                "{DOCKER} network create --subnet 172.30.0.0/16 \
                 -o com.docker.network.bridge.name=brtest testnet >/dev/null"
            ),
        )
        .saved("-A POSTROUTING -s 172.30.0.0/16 ! -o brtest -j MASQUERADE"),
        Step::new(
            "network create internal",
            &format!(
                "{DOCKER} network create --internal --subnet 172.31.0.0/16 \
                 -o com.docker.network.bridge.name=brint internal >/dev/null"
            ),
        ),
        Step::new("network rm", &format!("{DOCKER} network rm testnet")),
        Step::new("stop", &stop()),
        Step::new("restart", &start()),
        Step::new(
            "network rm internal",
            &format!("{DOCKER} network rm internal"),
        ),
        Step::new(
            "network ls",
            &format!("{DOCKER} network ls --format '{{{{.Name}}}} {{{{.Driver}}}}'"),
        ),
        Step::new("stop again", &stop()),
    ];
    check("docker", setup, &steps);
}
