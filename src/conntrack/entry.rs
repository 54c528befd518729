//! One conntrack entry, typed, and the NAT it applies in words.

use super::extra;
use crate::netlink::NfMsg;
use netlink_packet_core::ParseableParametrized;
use netlink_packet_netfilter::conntrack::{
    ConntrackAttribute, ConntrackMessage, IPTuple, ProtoInfo, ProtoInfoTCP, ProtoTuple, Tuple,
};
use std::net::IpAddr;

/// Which message carried the entry.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EventKind {
    /// `IPCTNL_MSG_CT_NEW` with `NLM_F_CREATE`: a new entry (or a dump line).
    New,
    /// `IPCTNL_MSG_CT_NEW` without `NLM_F_CREATE`: an update.
    Update,
    /// `IPCTNL_MSG_CT_DELETE`: the entry is gone.
    Destroy,
    /// Any other message number.
    Other(u8),
}

/// One direction's tuple.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Endpoints {
    /// Source address.
    pub src: Option<IpAddr>,
    /// Destination address.
    pub dst: Option<IpAddr>,
    /// Layer-4 protocol number.
    pub proto: Option<u8>,
    /// Source port (TCP, UDP, SCTP, ...).
    pub sport: Option<u16>,
    /// Destination port.
    pub dport: Option<u16>,
    /// ICMP type, code and id (ICMP and ICMPv6).
    pub icmp: Option<(Option<u8>, Option<u8>, Option<u16>)>,
}

impl Endpoints {
    /// `addr:port` of the source (`[v6]:port`; the address alone without
    /// a port).
    pub fn src_text(&self) -> String {
        hostport(self.src, self.sport)
    }
    /// `addr:port` of the destination.
    pub fn dst_text(&self) -> String {
        hostport(self.dst, self.dport)
    }
    /// `src -> dst`.
    pub fn text(&self) -> String {
        format!("{} -> {}", self.src_text(), self.dst_text())
    }
}

/// `addr:port`, `[v6]:port`, or the address alone.
pub fn hostport(a: Option<IpAddr>, p: Option<u16>) -> String {
    let a = a.map(|a| a.to_string()).unwrap_or_else(|| "?".into());
    match p {
        Some(p) if a.contains(':') => format!("[{a}]:{p}"),
        Some(p) => format!("{a}:{p}"),
        None => a,
    }
}

/// Packet and byte counters of one direction (`nf_conntrack_acct`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Counters {
    /// Packets.
    pub packets: u64,
    /// Bytes.
    pub bytes: u64,
}

/// The translation an entry applies, read from its tuples: the reply tuple
/// is the original one reversed and translated.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Nat {
    /// Source NAT: the address and port the original source appears as.
    pub snat: Option<(Option<IpAddr>, Option<u16>)>,
    /// Destination NAT: where the original destination really goes.
    pub dnat: Option<(Option<IpAddr>, Option<u16>)>,
}

/// One conntrack entry.
#[derive(Clone, Debug, PartialEq)]
pub struct Entry {
    /// Which message carried it.
    pub kind: EventKind,
    /// `nfgen_family` (`AF_INET` 2, `AF_INET6` 10).
    pub family: u8,
    /// The original direction.
    pub orig: Endpoints,
    /// The reply direction.
    pub reply: Endpoints,
    /// `CTA_STATUS` bits (`IPS_*`).
    pub status: Option<u32>,
    /// TCP state (`TCP_CONNTRACK_*`).
    pub tcp_state: Option<u8>,
    /// `CTA_MARK`.
    pub mark: Option<u32>,
    /// Seconds until the entry expires.
    pub timeout: Option<u32>,
    /// Counters of the original direction.
    pub counters_orig: Option<Counters>,
    /// Counters of the reply direction.
    pub counters_reply: Option<Counters>,
    /// `CTA_ID`.
    pub id: Option<u32>,
    /// `CTA_ZONE`.
    pub zone: Option<u16>,
    /// Attributes neither the crate nor [`extra`] reads: (type, payload).
    pub unknown: Vec<(u16, Vec<u8>)>,
}

const TCP_STATES: [&str; 10] = [
    "NONE",
    "SYN_SENT",
    "SYN_RECV",
    "ESTABLISHED",
    "FIN_WAIT",
    "CLOSE_WAIT",
    "LAST_ACK",
    "TIME_WAIT",
    "CLOSE",
    "SYN_SENT2",
];

const STATUS_BITS: [&str; 16] = [
    "EXPECTED",
    "SEEN_REPLY",
    "ASSURED",
    "CONFIRMED",
    "SRC_NAT",
    "DST_NAT",
    "SEQ_ADJUST",
    "SRC_NAT_DONE",
    "DST_NAT_DONE",
    "DYING",
    "FIXED_TIMEOUT",
    "TEMPLATE",
    "UNTRACKED",
    "HELPER",
    "OFFLOAD",
    "HW_OFFLOAD",
];

/// Names of the set bits of a conntrack status word (`IPS_*`, as
/// `SEEN_REPLY`, `SRC_NAT`, ...; unknown bits as `BIT_n`).
pub fn status_bit_names(s: u32) -> Vec<String> {
    (0..32)
        .filter(|b| s & (1 << b) != 0)
        .map(|b| {
            STATUS_BITS
                .get(b)
                .map(|n| n.to_string())
                .unwrap_or_else(|| format!("BIT_{b}"))
        })
        .collect()
}

/// A protocol number's name (`tcp`, `udp`, ... or the number).
pub fn proto_name(p: u8) -> String {
    match p {
        1 => "icmp".into(),
        2 => "igmp".into(),
        6 => "tcp".into(),
        17 => "udp".into(),
        33 => "dccp".into(),
        47 => "gre".into(),
        58 => "icmpv6".into(),
        132 => "sctp".into(),
        136 => "udplite".into(),
        n => n.to_string(),
    }
}

impl Entry {
    /// Decode a ctnetlink message (`IPCTNL_MSG_CT_NEW`/`_DELETE`).
    pub fn decode(m: &NfMsg) -> Result<Entry, String> {
        let msg = (m.ty & 0xff) as u8;
        let parsed = ConntrackMessage::parse_with_param(&m.body[..], msg)
            .map_err(|e| format!("conntrack message {msg}: {e}"))?;
        let create = m.flags & 0x400 != 0; // NLM_F_CREATE
        let (kind, attrs) = match parsed {
            ConntrackMessage::New(a) if create || m.flags & 0x2 != 0 => (EventKind::New, a),
            ConntrackMessage::New(a) => (EventKind::Update, a),
            ConntrackMessage::Delete(a) => (EventKind::Destroy, a),
            ConntrackMessage::Get(a) => (EventKind::New, a),
            _ => (EventKind::Other(msg), Vec::new()),
        };
        let mut e = Entry {
            kind,
            family: m.family,
            orig: Endpoints::default(),
            reply: Endpoints::default(),
            status: None,
            tcp_state: None,
            mark: None,
            timeout: None,
            counters_orig: None,
            counters_reply: None,
            id: None,
            zone: None,
            unknown: Vec::new(),
        };
        for a in attrs {
            match a {
                ConntrackAttribute::CtaTupleOrig(t) => e.orig = endpoints(&t),
                ConntrackAttribute::CtaTupleReply(t) => e.reply = endpoints(&t),
                ConntrackAttribute::CtaProtoInfo(p) => {
                    for pi in p {
                        if let ProtoInfo::TCP(tcp) = pi {
                            for x in tcp {
                                if let ProtoInfoTCP::State(s) = x {
                                    e.tcp_state = Some(s);
                                }
                            }
                        }
                    }
                }
                ConntrackAttribute::CtaStatus(s) => e.status = Some(s.bits()),
                ConntrackAttribute::CtaTimeout(t) => e.timeout = Some(t),
                ConntrackAttribute::CtaMark(mk) => e.mark = Some(mk),
                ConntrackAttribute::Other(n) => {
                    let (k, v) = extra::raw(&n);
                    match k {
                        extra::CTA_COUNTERS_ORIG => {
                            e.counters_orig = extra::counters(&v)
                                .map(|(packets, bytes)| Counters { packets, bytes })
                        }
                        extra::CTA_COUNTERS_REPLY => {
                            e.counters_reply = extra::counters(&v)
                                .map(|(packets, bytes)| Counters { packets, bytes })
                        }
                        extra::CTA_ID => e.id = extra::be(&v).map(|x| x as u32),
                        extra::CTA_ZONE => e.zone = extra::be(&v).map(|x| x as u16),
                        _ => e.unknown.push((k, v)),
                    }
                }
                _ => {}
            }
        }
        Ok(e)
    }

    /// The protocol name.
    pub fn proto(&self) -> String {
        self.orig
            .proto
            .map(proto_name)
            .unwrap_or_else(|| "?".into())
    }

    /// The TCP state's name (`ESTABLISHED`, ...), if the entry has one.
    pub fn state(&self) -> Option<String> {
        self.tcp_state.map(|s| {
            TCP_STATES
                .get(s as usize)
                .map(|n| n.to_string())
                .unwrap_or_else(|| format!("STATE_{s}"))
        })
    }

    /// Names of the set status bits.
    pub fn status_names(&self) -> Vec<String> {
        status_bit_names(self.status.unwrap_or(0))
    }

    /// The translation, from the tuples: the reply's destination differs
    /// from the original source under SNAT, the reply's source from the
    /// original destination under DNAT.
    pub fn nat(&self) -> Nat {
        let (o, r) = (&self.orig, &self.reply);
        let snat = (r.dst != o.src || r.dport != o.sport).then_some((r.dst, r.dport));
        let dnat = (r.src != o.dst || r.sport != o.dport).then_some((r.src, r.sport));
        Nat { snat, dnat }
    }

    /// `10.0.0.5:43210 -> 203.0.113.9:443 DNAT to 10.0.1.2:8443 SNAT as
    /// 198.51.100.1:61000`: the original tuple and its translation.
    pub fn nat_text(&self) -> String {
        let mut s = self.orig.text();
        let n = self.nat();
        if let Some((a, p)) = n.dnat {
            s.push_str(&format!(" DNAT to {}", hostport(a, p)));
        }
        if let Some((a, p)) = n.snat {
            s.push_str(&format!(" SNAT as {}", hostport(a, p)));
        }
        s
    }
}

fn endpoints(t: &[Tuple]) -> Endpoints {
    let mut e = Endpoints::default();
    for x in t {
        match x {
            Tuple::Ip(ips) => {
                for ip in ips {
                    match ip {
                        IPTuple::SourceAddress(a) => e.src = Some(*a),
                        IPTuple::DestinationAddress(a) => e.dst = Some(*a),
                        _ => {}
                    }
                }
            }
            Tuple::Proto(ps) => {
                for p in ps {
                    match p {
                        ProtoTuple::Protocol(n) => e.proto = Some(u8::from(*n)),
                        ProtoTuple::SourcePort(n) => e.sport = Some(*n),
                        ProtoTuple::DestinationPort(n) => e.dport = Some(*n),
                        ProtoTuple::Other(n) => {
                            let (k, v) = extra::raw(n);
                            if !(4..=9).contains(&k) {
                                continue;
                            }
                            let icmp = e.icmp.get_or_insert((None, None, None));
                            // v4 ids 4..6, v6 ids 7..9, in the same order.
                            match k {
                                extra::CTA_PROTO_ICMP_ID | 7 => {
                                    icmp.2 = extra::be(&v).map(|x| x as u16)
                                }
                                extra::CTA_PROTO_ICMP_TYPE | 8 => {
                                    icmp.0 = extra::be(&v).map(|x| x as u8)
                                }
                                extra::CTA_PROTO_ICMP_CODE | 9 => {
                                    icmp.1 = extra::be(&v).map(|x| x as u8)
                                }
                                _ => {}
                            }
                        }
                        _ => {}
                    }
                }
            }
            _ => {}
        }
    }
    e
}

#[cfg(test)]
mod tests {
    use super::*;
    use netlink_packet_core::Emitable;
    use netlink_packet_netfilter::conntrack::Protocol;

    fn tuple(src: &str, dst: &str, sp: u16, dp: u16) -> Vec<Tuple> {
        vec![
            Tuple::Ip(vec![
                IPTuple::SourceAddress(src.parse().unwrap()),
                IPTuple::DestinationAddress(dst.parse().unwrap()),
            ]),
            Tuple::Proto(vec![
                ProtoTuple::Protocol(Protocol::Tcp),
                ProtoTuple::SourcePort(sp),
                ProtoTuple::DestinationPort(dp),
            ]),
        ]
    }

    fn message() -> NfMsg {
        let attrs = vec![
            ConntrackAttribute::CtaTupleOrig(tuple("10.0.0.5", "203.0.113.9", 43210, 443)),
            ConntrackAttribute::CtaTupleReply(tuple("203.0.113.9", "198.51.100.1", 443, 61000)),
            ConntrackAttribute::CtaMark(7),
            ConntrackAttribute::CtaTimeout(120),
        ];
        let mut body = vec![0u8; attrs.as_slice().buffer_len()];
        attrs.as_slice().emit(&mut body);
        let mut m = NfMsg::nft(0, 0x2, 2, body);
        m.ty = 1 << 8; // ctnetlink, IPCTNL_MSG_CT_NEW
        m
    }

    #[test]
    fn snat_in_words() {
        let e = Entry::decode(&message()).unwrap();
        assert_eq!(
            e.nat_text(),
            "10.0.0.5:43210 -> 203.0.113.9:443 SNAT as 198.51.100.1:61000"
        );
        assert_eq!((e.mark, e.timeout), (Some(7), Some(120)));
        assert_eq!(e.proto(), "tcp");
        assert_eq!(e.nat().dnat, None);
    }

    #[test]
    fn damaged_messages_never_panic() {
        let m = message();
        let body = m.body.to_vec();
        for cut in 0..body.len() {
            let mut t = m.clone();
            t.body = bytes::Bytes::from(body[..cut].to_vec());
            let _ = Entry::decode(&t);
        }
        for i in 0..body.len() {
            for x in [0x00u8, 0xff, 0x01, 0x80] {
                let mut b = body.clone();
                b[i] = x;
                let mut t = m.clone();
                t.body = bytes::Bytes::from(b);
                if let Ok(e) = Entry::decode(&t) {
                    let _ = (e.nat_text(), e.state(), e.status_names());
                }
            }
        }
    }
}
