//! NFLOG (nfnetlink_log): bind a log group and decode the packets that
//! `log group N` / `-j NFLOG --nflog-group N` rules send to it.
//!
//! Messages are built and parsed with `netlink-packet-netfilter`'s nflog
//! types; the packet header's hook (a private field there) is read from its
//! re-emitted bytes, and the layer-3/4 headers from the copied payload.

use crate::error::{Error, Result};
use crate::netlink::{Conn, NfMsg};
use netlink_packet_core::{Emitable, Nla, ParseableParametrized};
use netlink_packet_netfilter::nflog::{ConfigCmd, ConfigMode, ConfigNla, PacketNla, ULogMessage};
use std::net::IpAddr;

/// `NFNL_SUBSYS_ULOG`.
pub const NFNL_SUBSYS_ULOG: u16 = 4;
/// `NFULNL_MSG_PACKET`.
pub const NFULNL_MSG_PACKET: u16 = 0;
/// `NFULNL_MSG_CONFIG`.
pub const NFULNL_MSG_CONFIG: u16 = 1;

/// One logged packet.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Packet {
    /// `nfgen_family` of the hook (`NFPROTO_IPV4` 2, `NFPROTO_IPV6` 10, ...).
    pub family: u8,
    /// The log group.
    pub group: u16,
    /// The rule's log prefix.
    pub prefix: Option<String>,
    /// The netfilter hook number.
    pub hook: Option<u8>,
    /// Link-layer protocol (ethertype).
    pub hw_protocol: Option<u16>,
    /// Packet mark.
    pub mark: Option<u32>,
    /// Input interface index.
    pub indev: Option<u32>,
    /// Output interface index.
    pub outdev: Option<u32>,
    /// Socket owner's uid (when the rule's group asks for it).
    pub uid: Option<u32>,
    /// Layer-3 header fields read from the payload.
    pub l3: Option<L3>,
}

/// Addresses and layer-4 fields of a logged packet.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct L3 {
    /// Source address.
    pub src: IpAddr,
    /// Destination address.
    pub dst: IpAddr,
    /// Layer-4 protocol number (after IPv6 extension headers are not
    /// followed: the first next-header value).
    pub proto: u8,
    /// Total length from the IP header.
    pub len: u16,
    /// Source port (TCP, UDP, UDP-Lite, SCTP, DCCP).
    pub sport: Option<u16>,
    /// Destination port.
    pub dport: Option<u16>,
    /// ICMP/ICMPv6 type and code.
    pub icmp: Option<(u8, u8)>,
}

/// Read the IP and transport headers of a copied packet. `None` when the
/// payload is too short or not IP.
pub fn parse_l3(p: &[u8]) -> Option<L3> {
    let v = p.first()? >> 4;
    let (src, dst, proto, len, l4): (IpAddr, IpAddr, u8, u16, &[u8]) = match v {
        4 if p.len() >= 20 => {
            let ihl = usize::from(p[0] & 0x0f) * 4;
            let a = |o: usize| IpAddr::from([p[o], p[o + 1], p[o + 2], p[o + 3]]);
            let frag = u16::from_be_bytes([p[6], p[7]]) & 0x1fff != 0;
            let rest = if frag || ihl < 20 {
                &[][..]
            } else {
                p.get(ihl..).unwrap_or(&[])
            };
            (a(12), a(16), p[9], u16::from_be_bytes([p[2], p[3]]), rest)
        }
        6 if p.len() >= 40 => {
            let a = |o: usize| {
                let mut b = [0u8; 16];
                b.copy_from_slice(&p[o..o + 16]);
                IpAddr::from(b)
            };
            let len = u16::from_be_bytes([p[4], p[5]]).saturating_add(40);
            (a(8), a(24), p[6], len, &p[40..])
        }
        _ => return None,
    };
    let ports = matches!(proto, 6 | 17 | 33 | 132 | 136) && l4.len() >= 4;
    let icmp = matches!(proto, 1 | 58) && l4.len() >= 2;
    Some(L3 {
        src,
        dst,
        proto,
        len,
        sport: ports.then(|| u16::from_be_bytes([l4[0], l4[1]])),
        dport: ports.then(|| u16::from_be_bytes([l4[2], l4[3]])),
        icmp: icmp.then(|| (l4[0], l4[1])),
    })
}

impl Packet {
    /// Decode an `NFULNL_MSG_PACKET` message.
    pub fn decode(m: &NfMsg) -> std::result::Result<Packet, String> {
        let parsed = ULogMessage::parse_with_param(&m.body[..], m.msg() as u8)
            .map_err(|e| format!("nflog message: {e}"))?;
        let ULogMessage::Packet(nlas) = parsed else {
            return Err(format!("not a packet (message {})", m.msg()));
        };
        let mut p = Packet {
            family: m.family,
            group: m.res_id,
            ..Packet::default()
        };
        for n in nlas {
            match n {
                PacketNla::PacketHdr(h) => {
                    // struct nfulnl_msg_packet_hdr: be16 hw_protocol, u8 hook, pad.
                    let mut b = vec![0u8; h.value_len()];
                    h.emit_value(&mut b);
                    if b.len() >= 3 {
                        p.hw_protocol = Some(u16::from_be_bytes([b[0], b[1]]));
                        p.hook = Some(b[2]);
                    }
                }
                PacketNla::Mark(x) => p.mark = Some(x),
                PacketNla::IfIndexInDev(x) => p.indev = Some(x),
                PacketNla::IfIndexOutDev(x) => p.outdev = Some(x),
                PacketNla::Uid(x) => p.uid = Some(x),
                PacketNla::Prefix(s) => p.prefix = Some(s.to_string_lossy().into_owned()),
                PacketNla::Payload(b) => p.l3 = parse_l3(&b),
                _ => {}
            }
        }
        Ok(p)
    }

    /// The hook's name for the packet's family.
    pub fn hook_name(&self) -> Option<String> {
        let h = self.hook?;
        let names: &[&str] = match self.family {
            2 | 10 | 1 => &["PREROUTING", "INPUT", "FORWARD", "OUTPUT", "POSTROUTING"],
            7 => &["PREROUTING", "INPUT", "FORWARD", "OUTPUT", "POSTROUTING"],
            3 => &["INPUT", "OUTPUT", "FORWARD"],
            5 => &["INGRESS", "EGRESS"],
            _ => &[],
        };
        Some(
            names
                .get(usize::from(h))
                .map(|s| s.to_string())
                .unwrap_or_else(|| format!("hook {h}")),
        )
    }
}

/// A bound NFLOG group.
pub struct LogGroup {
    conn: Conn,
    group: u16,
}

fn config(group: u16, family: u8, nlas: Vec<ConfigNla>) -> NfMsg {
    let mut body = vec![0u8; nlas.as_slice().buffer_len()];
    nlas.as_slice().emit(&mut body);
    let mut m = NfMsg::nft(0, 0, family, body);
    m.ty = (NFNL_SUBSYS_ULOG << 8) | NFULNL_MSG_CONFIG;
    m.res_id = group;
    m
}

impl LogGroup {
    /// Bind group `group` in the current network namespace, copying up to
    /// 128 bytes of each packet (enough for its IP and transport headers),
    /// delivered one by one.
    /// Fails if another process has bound the group.
    pub fn bind(group: u16) -> Result<LogGroup> {
        let mut conn = Conn::open()?;
        // Old kernels want the log backend bound per family; newer ones
        // ignore these commands, so their answer does not matter.
        for fam in [2u8, 10] {
            let _ = conn.request(config(0, fam, vec![ConfigNla::Cmd(ConfigCmd::PfBind)]));
        }
        conn.request(config(group, 0, vec![ConfigNla::Cmd(ConfigCmd::Bind)]))
            .map_err(|e| match e {
                // The kernel answers EPERM both to a caller without
                // CAP_NET_ADMIN and when another socket owns the group.
                Error::Kernel { errno: 1, .. } if nix::unistd::geteuid().is_root() => {
                    Error::Permission(format!(
                        "cannot bind NFLOG group {group}: another process (ulogd?) has bound it"
                    ))
                }
                Error::Kernel { errno: 1 | 13, .. } => Error::Permission(format!(
                    "cannot bind NFLOG group {group}: permission denied (you must be root)"
                )),
                other => other,
            })?;
        // Each packet at once (the kernel's default batches up to 100 for 1 s).
        conn.request(config(
            group,
            0,
            vec![
                ConfigNla::Mode(ConfigMode::new_packet(128)),
                ConfigNla::QThresh(1),
            ],
        ))?;
        Ok(LogGroup { conn, group })
    }

    /// The bound group.
    pub fn group(&self) -> u16 {
        self.group
    }

    /// Block until packets arrive; each decodes or says why not.
    pub fn next_packets(&mut self) -> Result<Vec<std::result::Result<Packet, String>>> {
        let msgs = self.conn.recv_msgs()?;
        Ok(msgs
            .into_iter()
            .filter(|r| r.ty == (NFNL_SUBSYS_ULOG << 8) | NFULNL_MSG_PACKET)
            .map(|r| {
                r.to_nf()
                    .ok_or_else(|| "short message".to_string())
                    .and_then(|m| Packet::decode(&m))
            })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_from_payload_and_short_input() {
        let mut p = vec![0x45, 0, 0, 28, 0, 0, 0x40, 0, 64, 17, 0, 0];
        p.extend_from_slice(&[10, 0, 0, 5, 198, 51, 100, 9]);
        p.extend_from_slice(&[0x30, 0x39, 0x01, 0xbb, 0, 8, 0, 0]);
        let l = parse_l3(&p).unwrap();
        assert_eq!(l.src.to_string(), "10.0.0.5");
        assert_eq!(l.dst.to_string(), "198.51.100.9");
        assert_eq!(
            (l.proto, l.sport, l.dport, l.len),
            (17, Some(12345), Some(443), 28)
        );
        for cut in 0..p.len() {
            let _ = parse_l3(&p[..cut]);
        }
        assert_eq!(parse_l3(&[0x45; 10]), None);
        assert_eq!(parse_l3(&[]), None);
        let mut bad_ihl = p.clone();
        bad_ihl[0] = 0x4f;
        assert_eq!(parse_l3(&bad_ihl).unwrap().sport, None);
    }
}
