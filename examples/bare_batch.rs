//! The kernel floor for adding one rule: open a NETLINK_NETFILTER socket,
//! send one batch (BATCH_BEGIN, one NEWRULE, BATCH_END) and wait for the
//! rule's acknowledgement. Nothing is read first: no generation id, no
//! table or chain lookup, no revision check.
//!
//! ```text
//! bare_batch append|insert FAMILY BODY
//! ```
//!
//! FAMILY is the address family number (2 = ip) and BODY the rule's
//! creation body in the save format's hex (the concatenated `body` lines of
//! a `rule` block of `nftwire save`; it names the table and chain). `append`
//! adds the rule at the end of its chain, `insert` at the start, as
//! `iptables -A` and `iptables -I CHAIN` do. `bench/run` times this against
//! the shim's and iptables-nft's `-A`/`-I` of the same rule: what is left
//! above it is what the tools do besides the kernel's commit.

use netlink_sys::{Socket, SocketAddr};
use nftwire::consts::{self, msg, NLMSG_ERROR};
use nftwire::netlink::NfMsg;

const NLM_F_REQUEST: u16 = 0x1;
const NLM_F_ACK: u16 = 0x4;
const NLM_F_APPEND: u16 = 0x800;
const NLM_F_CREATE: u16 = 0x400;

/// A batch delimiter message (`NFNL_MSG_BATCH_BEGIN`/`_END`).
fn delimiter(ty: u16, seq: u32) -> Vec<u8> {
    let mut m = NfMsg::nft(0, NLM_F_REQUEST, 0, Vec::new());
    m.ty = ty;
    m.seq = seq;
    m.res_id = consts::NFNL_SUBSYS_NFTABLES;
    m.to_vec()
}

fn run(append: bool, family: u8, body: Vec<u8>) -> std::io::Result<()> {
    let mut sock = Socket::new(consts::NETLINK_NETFILTER)?;
    sock.bind_auto()?;
    let mut flags = NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE;
    if append {
        flags |= NLM_F_APPEND;
    }
    let mut rule = NfMsg::nft(msg::NEWRULE, flags, family, body);
    rule.seq = 2;
    let mut batch = delimiter(consts::NFNL_MSG_BATCH_BEGIN, 1);
    batch.extend_from_slice(&rule.to_vec());
    batch.extend_from_slice(&delimiter(consts::NFNL_MSG_BATCH_END, 3));
    sock.send_to(&batch, &SocketAddr::new(0, 0), 0)?;
    let mut buf: Vec<u8> = Vec::with_capacity(64 << 10);
    loop {
        buf.clear();
        let n = match sock.recv(&mut buf, 0) {
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        // The replies are parsed with the library's splitter (one small
        // datagram; nothing of the floor's time).
        let msgs = nftwire::netlink::message::split(&bytes::Bytes::copy_from_slice(&buf[..n]))
            .map_err(std::io::Error::other)?;
        for m in msgs {
            if m.ty == NLMSG_ERROR && m.seq == 2 && m.payload.len() >= 4 {
                let p = &m.payload;
                return match i32::from_ne_bytes([p[0], p[1], p[2], p[3]]) {
                    0 => Ok(()),
                    e => Err(std::io::Error::from_raw_os_error(-e)),
                };
            }
        }
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let parsed = match (args.get(1).map(String::as_str), args.get(2), args.get(3)) {
        (Some(mode @ ("append" | "insert")), Some(f), Some(hex)) => f
            .parse::<u8>()
            .ok()
            .zip(nftwire::util::unhex_compact(hex))
            .map(|(f, body)| (mode == "append", f, body)),
        _ => None,
    };
    let Some((append, family, body)) = parsed else {
        eprintln!("usage: bare_batch append|insert FAMILY BODY-HEX");
        std::process::exit(2);
    };
    if let Err(e) = run(append, family, body) {
        eprintln!("bare_batch: {e}");
        std::process::exit(1);
    }
}
