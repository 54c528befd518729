//! The kernel floor for listing a ruleset: open a NETLINK_NETFILTER socket,
//! run the GETTABLE, GETCHAIN, GETSET and GETRULE dumps (all families) and
//! throw the messages away. Nothing is decoded beyond the netlink headers
//! needed to find the end of each dump.
//!
//! `bench/run` times this against `nftwire save`, `iptables-nft-save` and
//! `nft list ruleset`. With `-v` it prints message and byte counts per dump.
//!
//! `--per-chain` dumps the rules with one GETRULE request per chain (table
//! and chain as filter attributes) instead of one unfiltered dump; with
//! `--threads N` those dumps are spread over N sockets and threads, as
//! nftwire's readers spread them. `--chain FAMILY TABLE CHAIN` dumps only
//! one chain's rules (the floor of `iptables -S CHAIN`). The
//! kernel resumes an unfiltered rule dump by walking every rule again up to
//! where the previous skb stopped, so a single dump costs O(rules^2/skb);
//! per-chain dumps stay linear.

use netlink_sys::{Socket, SocketAddr};
use nftwire::consts::{self, msg, NLMSG_DONE, NLMSG_ERROR};
use nftwire::netlink::NfMsg;
use nftwire::nla::{AttrIter, Writer};
use std::os::fd::AsRawFd;

const NLM_F_REQUEST: u16 = 0x1;
const NLM_F_DUMP: u16 = 0x300;
const RECV_BUF: usize = 1 << 20;

fn set_rcvbuf(fd: i32, size: i32) {
    extern "C" {
        fn setsockopt(
            fd: i32,
            level: i32,
            name: i32,
            val: *const core::ffi::c_void,
            len: u32,
        ) -> i32;
    }
    const SOL_SOCKET: i32 = 1;
    const SO_RCVBUF: i32 = 8;
    const SO_RCVBUFFORCE: i32 = 33;
    let p = &size as *const i32 as *const core::ffi::c_void;
    // SAFETY: valid socket fd and a 4-byte int option value.
    unsafe {
        if setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, p, 4) != 0 {
            setsockopt(fd, SOL_SOCKET, SO_RCVBUF, p, 4);
        }
    }
}

/// Run one dump; returns (messages, bytes) received. With `keep`, the
/// message bodies (after nfgenmsg) are collected (used for chain names).
fn dump(
    sock: &Socket,
    buf: &mut Vec<u8>,
    ty: u16,
    family: u8,
    body: Vec<u8>,
    seq: u32,
    mut keep: Option<&mut Vec<(u8, Vec<u8>)>>,
) -> std::io::Result<(usize, usize)> {
    let mut m = NfMsg::nft(ty, NLM_F_REQUEST | NLM_F_DUMP, family, body);
    m.seq = seq;
    sock.send_to(&m.to_vec(), &SocketAddr::new(0, 0), 0)?;
    let (mut msgs, mut bytes) = (0usize, 0usize);
    loop {
        buf.clear();
        let n = loop {
            match sock.recv(buf, 0) {
                Ok(n) => break n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            }
        };
        bytes += n;
        let b = &buf[..n];
        let mut pos = 0usize;
        while pos + 16 <= b.len() {
            let len = u32::from_ne_bytes([b[pos], b[pos + 1], b[pos + 2], b[pos + 3]]) as usize;
            let mty = u16::from_ne_bytes([b[pos + 4], b[pos + 5]]);
            let mseq = u32::from_ne_bytes([b[pos + 8], b[pos + 9], b[pos + 10], b[pos + 11]]);
            if len < 16 {
                return Err(std::io::Error::other("bad netlink length"));
            }
            if mseq == seq {
                if mty == NLMSG_DONE {
                    return Ok((msgs, bytes));
                }
                if mty == NLMSG_ERROR && pos + 20 <= b.len() {
                    let err =
                        i32::from_ne_bytes([b[pos + 16], b[pos + 17], b[pos + 18], b[pos + 19]]);
                    if err != 0 {
                        return Err(std::io::Error::from_raw_os_error(-err));
                    }
                }
                msgs += 1;
                if let Some(k) = keep.as_deref_mut() {
                    if len >= 20 && pos + len <= b.len() {
                        k.push((b[pos + 16], b[pos + 20..pos + len].to_vec()));
                    }
                }
            }
            pos += (len + 3) & !3;
        }
    }
}

/// The (family, table, chain) of every chain message body.
fn chain_names(chains: &[(u8, Vec<u8>)]) -> Vec<(u8, Vec<u8>, Vec<u8>)> {
    let mut out = Vec::with_capacity(chains.len());
    for (family, body) in chains {
        let (mut table, mut name) = (Vec::new(), Vec::new());
        for a in AttrIter::new(bytes::Bytes::copy_from_slice(body)) {
            match a.kind() {
                1 => table = a.payload.to_vec(),
                3 => name = a.payload.to_vec(),
                _ => {}
            }
        }
        out.push((*family, table, name));
    }
    out
}

/// A bound netfilter socket with a large receive buffer.
fn open() -> Socket {
    let mut sock = Socket::new(consts::NETLINK_NETFILTER).expect("netlink socket");
    sock.bind_auto().expect("bind");
    set_rcvbuf(sock.as_raw_fd(), 8 << 20);
    sock
}

/// One filtered GETRULE dump per chain of `list`, on `sock`.
fn dump_chains(
    sock: &Socket,
    list: &[(u8, Vec<u8>, Vec<u8>)],
    seq: &mut u32,
) -> std::io::Result<(usize, usize)> {
    let mut buf: Vec<u8> = Vec::with_capacity(RECV_BUF);
    let (mut n, mut bytes) = (0, 0);
    for (family, table, chain) in list {
        let mut w = Writer::new();
        w.put_raw(1, table);
        w.put_raw(2, chain);
        *seq += 1;
        let (a, b) = dump(sock, &mut buf, msg::GETRULE, *family, w.buf, *seq, None)?;
        n += a;
        bytes += b;
    }
    Ok((n, bytes))
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let verbose = args.iter().any(|a| a == "-v");
    let per_chain = args.iter().any(|a| a == "--per-chain");
    // `--threads N`: the per-chain dumps spread over N sockets and threads
    // (what nftwire's readers do), in parts of 64 chains taken in turn.
    let threads: usize = args
        .iter()
        .position(|a| a == "--threads")
        .and_then(|i| args.get(i + 1))
        .and_then(|n| n.parse().ok())
        .unwrap_or(1)
        .max(1);
    let fail = |name: &str, e: std::io::Error| -> ! {
        eprintln!("bare_dump: {name}: {e}");
        std::process::exit(1);
    };
    // `--chain FAMILY TABLE CHAIN`: only that chain's rules (the floor of
    // `iptables -S CHAIN`); FAMILY is a number (2 = ip).
    if let Some(i) = args.iter().position(|a| a == "--chain") {
        let (Some(f), Some(t), Some(c)) = (args.get(i + 1), args.get(i + 2), args.get(i + 3))
        else {
            eprintln!("bare_dump: --chain FAMILY TABLE CHAIN");
            std::process::exit(2);
        };
        let family: u8 = f.parse().unwrap_or(2);
        let mut t = t.as_bytes().to_vec();
        t.push(0);
        let mut c = c.as_bytes().to_vec();
        c.push(0);
        let mut seq = 1;
        match dump_chains(&open(), &[(family, t, c)], &mut seq) {
            Ok((n, bytes)) if verbose => eprintln!("rules: {n} messages, {bytes} bytes"),
            Ok(_) => {}
            Err(e) => fail("rules", e),
        }
        return;
    }
    let sock = open();
    let mut buf: Vec<u8> = Vec::with_capacity(RECV_BUF);
    let mut seq = 1u32;
    let mut chains = Vec::new();
    for (name, ty) in [
        ("tables", msg::GETTABLE),
        ("chains", msg::GETCHAIN),
        ("sets", msg::GETSET),
        ("rules", msg::GETRULE),
    ] {
        seq += 1;
        if ty == msg::GETRULE && per_chain {
            // One filtered dump per chain: the kernel walks only that chain.
            let list = chain_names(&chains);
            let result = if threads == 1 {
                dump_chains(&sock, &list, &mut seq)
            } else {
                const PART: usize = 64;
                let next = std::sync::atomic::AtomicUsize::new(0);
                std::thread::scope(|s| {
                    let handles: Vec<_> = (0..threads)
                        .map(|_| {
                            let (list, next, sock) = (&list, &next, open());
                            s.spawn(move || {
                                let (mut n, mut bytes, mut seq) = (0, 0, 1u32);
                                loop {
                                    let i =
                                        next.fetch_add(PART, std::sync::atomic::Ordering::Relaxed);
                                    if i >= list.len() {
                                        return Ok((n, bytes));
                                    }
                                    let part = &list[i..(i + PART).min(list.len())];
                                    let (a, b) = dump_chains(&sock, part, &mut seq)?;
                                    n += a;
                                    bytes += b;
                                }
                            })
                        })
                        .collect();
                    let mut total = (0, 0);
                    for h in handles {
                        let (a, b) = h
                            .join()
                            .unwrap_or_else(|_| Err(std::io::Error::other("thread panicked")))?;
                        total.0 += a;
                        total.1 += b;
                    }
                    Ok(total)
                })
            };
            match result {
                Ok((n, bytes)) if verbose => {
                    eprintln!("{name}: {n} messages, {bytes} bytes ({} dumps)", list.len())
                }
                Ok(_) => {}
                Err(e) => fail(name, e),
            }
            continue;
        }
        let keep = (ty == msg::GETCHAIN && per_chain).then_some(&mut chains);
        match dump(&sock, &mut buf, ty, 0, Vec::new(), seq, keep) {
            Ok((n, bytes)) => {
                if verbose {
                    eprintln!("{name}: {n} messages, {bytes} bytes");
                }
            }
            Err(e) => fail(name, e),
        }
    }
}
