//! Protocol header descriptions (nft's `proto_desc`): header fields with
//! their offsets, lengths and datatypes, and how protocols stack. Used to
//! turn raw payload loads back into `ip saddr`, `tcp dport`, ….

use super::dtype::{Bo, Dt};
use super::expr::{Base, BASE_INVALID, BASE_LL, BASE_NETWORK, BASE_TRANSPORT};

/// A protocol description.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Hash)]
#[allow(missing_docs)]
pub enum ProtoId {
    Unknown,
    Ah,
    Esp,
    Comp,
    Icmp,
    Igmp,
    Udp,
    Udplite,
    Tcp,
    Dccp,
    Sctp,
    Th,
    Ip,
    Ip6,
    Icmp6,
    Arp,
    Vlan,
    Eth,
    Inet,
    InetService,
    Netdev,
}

/// ICMP dependency of a header field (`enum icmp_hdr_field_type`).
pub type IcmpDep = u8;
/// Any ICMP type.
pub const ICMP_ANY: IcmpDep = 0;
/// echo/echo-reply
pub const ICMP_ECHO: IcmpDep = 1;
/// destination unreachable (mtu)
pub const ICMP_MTU: IcmpDep = 2;
/// redirect (gateway)
pub const ICMP_ADDRESS: IcmpDep = 3;
/// ICMPv6 packet too big
pub const ICMP6_MTU: IcmpDep = 4;
/// ICMPv6 parameter problem
pub const ICMP6_PPTR: IcmpDep = 5;
/// ICMPv6 echo
pub const ICMP6_ECHO: IcmpDep = 6;
/// ICMPv6 MLD query
pub const ICMP6_MGMQ: IcmpDep = 7;

/// The ICMP type implied by a field dependency (`icmp_dep_to_type`).
pub fn icmp_dep_to_type(d: IcmpDep) -> u8 {
    match d {
        ICMP_ECHO => 8,
        ICMP6_ECHO => 128,
        ICMP_MTU => 3,
        ICMP_ADDRESS => 5,
        ICMP6_MTU => 2,
        ICMP6_MGMQ => 130,
        ICMP6_PPTR => 4,
        _ => 0,
    }
}

/// A header field (`proto_hdr_template`).
#[derive(Clone, Copy, Debug)]
pub struct Tmpl {
    /// Field name (`saddr`); empty for unused slots.
    pub token: &'static str,
    /// Datatype.
    pub dt: Dt,
    /// Byte order.
    pub bo: Bo,
    /// Offset in bits.
    pub offset: u32,
    /// Length in bits (0 for unused slots).
    pub len: u32,
    /// Meta key of a meta template (index 0), else 0.
    pub meta_key: u32,
    /// ICMP dependency.
    pub icmp_dep: IcmpDep,
}

const fn f(token: &'static str, dt: Dt, offset: u32, len: u32) -> Tmpl {
    Tmpl {
        token,
        dt,
        bo: Bo::Big,
        offset,
        len,
        meta_key: 0,
        icmp_dep: 0,
    }
}
const fn icmpf(token: &'static str, offset: u32, len: u32, dep: IcmpDep) -> Tmpl {
    Tmpl {
        token,
        dt: Dt::Integer,
        bo: Bo::Big,
        offset,
        len,
        meta_key: 0,
        icmp_dep: dep,
    }
}
const fn meta_t(token: &'static str, dt: Dt, key: u32, len: u32) -> Tmpl {
    Tmpl {
        token,
        dt,
        bo: Bo::Invalid,
        offset: 0,
        len,
        meta_key: key,
        icmp_dep: 0,
    }
}
const NONE: Tmpl = f("", Dt::Invalid, 0, 0);
const I: Dt = Dt::Integer;

/// A protocol description (`proto_desc`).
pub struct Desc {
    /// Name (`ip`, `tcp`, …).
    pub name: &'static str,
    /// `PROTO_DESC_*` id (0 for the dummy protocols).
    pub id: u32,
    /// Header base.
    pub base: Base,
    /// Index of the field selecting the upper protocol (0 = none).
    pub protocol_key: usize,
    /// Header length in bits (link layer headers).
    pub length: u32,
    /// Upper protocols by number.
    pub protocols: &'static [(u32, ProtoId)],
    /// Fields.
    pub templates: &'static [Tmpl],
}

const ETH_LINKS: &[(u32, ProtoId)] = &[
    (0x0008, ProtoId::Ip),
    (0x0608, ProtoId::Arp),
    (0xdd86, ProtoId::Ip6),
    (0x0081, ProtoId::Vlan),
    (0xa888, ProtoId::Vlan),
];
const IPSEC_LINKS: &[(u32, ProtoId)] = &[
    (50, ProtoId::Esp),
    (51, ProtoId::Ah),
    (108, ProtoId::Comp),
    (17, ProtoId::Udp),
    (136, ProtoId::Udplite),
    (6, ProtoId::Tcp),
    (33, ProtoId::Dccp),
    (132, ProtoId::Sctp),
];
const IP_LINKS: &[(u32, ProtoId)] = &[
    (1, ProtoId::Icmp),
    (2, ProtoId::Igmp),
    (58, ProtoId::Icmp6),
    (50, ProtoId::Esp),
    (51, ProtoId::Ah),
    (108, ProtoId::Comp),
    (17, ProtoId::Udp),
    (136, ProtoId::Udplite),
    (6, ProtoId::Tcp),
    (33, ProtoId::Dccp),
    (132, ProtoId::Sctp),
];
const IP6_LINKS: &[(u32, ProtoId)] = &[
    (50, ProtoId::Esp),
    (51, ProtoId::Ah),
    (108, ProtoId::Comp),
    (17, ProtoId::Udp),
    (136, ProtoId::Udplite),
    (6, ProtoId::Tcp),
    (33, ProtoId::Dccp),
    (132, ProtoId::Sctp),
    (1, ProtoId::Icmp),
    (2, ProtoId::Igmp),
    (58, ProtoId::Icmp6),
];

static AH: Desc = Desc {
    name: "ah",
    id: 1,
    base: BASE_TRANSPORT,
    protocol_key: 1,
    length: 0,
    protocols: IPSEC_LINKS,
    templates: &[
        NONE,
        f("nexthdr", Dt::InetProto, 0, 8),
        f("hdrlength", I, 8, 8),
        f("reserved", I, 16, 16),
        f("spi", I, 32, 32),
        f("sequence", I, 64, 32),
    ],
};
static ESP: Desc = Desc {
    name: "esp",
    id: 2,
    base: BASE_TRANSPORT,
    protocol_key: 0,
    length: 0,
    protocols: &[],
    templates: &[NONE, f("spi", I, 0, 32), f("sequence", I, 32, 32)],
};
static COMP: Desc = Desc {
    name: "comp",
    id: 3,
    base: BASE_TRANSPORT,
    protocol_key: 1,
    length: 0,
    protocols: IPSEC_LINKS,
    templates: &[
        NONE,
        f("nexthdr", Dt::InetProto, 0, 8),
        f("flags", Dt::Bitmask, 8, 8),
        f("cpi", I, 16, 16),
    ],
};
static ICMP: Desc = Desc {
    name: "icmp",
    id: 4,
    base: BASE_TRANSPORT,
    protocol_key: 1,
    length: 0,
    protocols: &[],
    templates: &[
        NONE,
        f("type", Dt::IcmpType, 0, 8),
        f("code", Dt::IcmpCode, 8, 8),
        icmpf("checksum", 16, 16, ICMP_ANY),
        icmpf("id", 32, 16, ICMP_ECHO),
        icmpf("sequence", 48, 16, ICMP_ECHO),
        icmpf("gateway", 32, 32, ICMP_ADDRESS),
        icmpf("mtu", 48, 16, ICMP_MTU),
    ],
};
static IGMP: Desc = Desc {
    name: "igmp",
    id: 5,
    base: BASE_TRANSPORT,
    protocol_key: 0,
    length: 0,
    protocols: &[],
    templates: &[
        NONE,
        f("type", Dt::IgmpType, 0, 8),
        f("checksum", I, 16, 16),
        f("mrt", I, 8, 8),
        f("group", I, 32, 32),
    ],
};
static UDP: Desc = Desc {
    name: "udp",
    id: 6,
    base: BASE_TRANSPORT,
    protocol_key: 0,
    length: 0,
    protocols: &[],
    templates: &[
        NONE,
        f("sport", Dt::InetService, 0, 16),
        f("dport", Dt::InetService, 16, 16),
        f("length", I, 32, 16),
        f("checksum", I, 48, 16),
    ],
};
static UDPLITE: Desc = Desc {
    name: "udplite",
    id: 7,
    base: BASE_TRANSPORT,
    protocol_key: 0,
    length: 0,
    protocols: &[],
    templates: &[
        NONE,
        f("sport", Dt::InetService, 0, 16),
        f("dport", Dt::InetService, 16, 16),
        f("csumcov", I, 32, 16),
        f("checksum", I, 48, 16),
    ],
};
static TCP: Desc = Desc {
    name: "tcp",
    id: 8,
    base: BASE_TRANSPORT,
    protocol_key: 0,
    length: 0,
    protocols: &[],
    templates: &[
        NONE,
        f("sport", Dt::InetService, 0, 16),
        f("dport", Dt::InetService, 16, 16),
        f("sequence", I, 32, 32),
        f("ackseq", I, 64, 32),
        f("doff", I, 96, 4),
        f("reserved", I, 100, 4),
        f("flags", Dt::TcpFlag, 104, 8),
        f("window", I, 112, 16),
        f("checksum", I, 128, 16),
        f("urgptr", I, 144, 16),
    ],
};
static DCCP: Desc = Desc {
    name: "dccp",
    id: 9,
    base: BASE_TRANSPORT,
    protocol_key: 0,
    length: 0,
    protocols: &[],
    templates: &[
        NONE,
        f("sport", Dt::InetService, 0, 16),
        f("dport", Dt::InetService, 16, 16),
        f("type", Dt::DccpPktType, 67, 4),
    ],
};
static SCTP: Desc = Desc {
    name: "sctp",
    id: 10,
    base: BASE_TRANSPORT,
    protocol_key: 0,
    length: 0,
    protocols: &[],
    templates: &[
        NONE,
        f("sport", Dt::InetService, 0, 16),
        f("dport", Dt::InetService, 16, 16),
        f("vtag", I, 32, 32),
        f("checksum", I, 64, 32),
    ],
};
static TH: Desc = Desc {
    name: "th",
    id: 11,
    base: BASE_TRANSPORT,
    protocol_key: 0,
    length: 0,
    protocols: &[],
    templates: &[
        NONE,
        f("sport", Dt::InetService, 0, 16),
        f("dport", Dt::InetService, 16, 16),
    ],
};
static IP: Desc = Desc {
    name: "ip",
    id: 12,
    base: BASE_NETWORK,
    protocol_key: 0,
    length: 0,
    protocols: IP_LINKS,
    templates: &[
        meta_t("l4proto", Dt::InetProto, 16, 8),
        f("version", I, 0, 4),
        f("hdrlength", I, 4, 4),
        f("dscp", Dt::Dscp, 8, 6),
        f("ecn", Dt::Ecn, 14, 2),
        f("length", I, 16, 16),
        f("id", I, 32, 16),
        f("frag-off", I, 48, 16),
        f("ttl", I, 64, 8),
        f("protocol", Dt::InetProto, 72, 8),
        f("checksum", I, 80, 16),
        f("saddr", Dt::IpAddr, 96, 32),
        f("daddr", Dt::IpAddr, 128, 32),
    ],
};
static ICMP6: Desc = Desc {
    name: "icmpv6",
    id: 14,
    base: BASE_TRANSPORT,
    protocol_key: 1,
    length: 0,
    protocols: &[],
    templates: &[
        NONE,
        f("type", Dt::Icmp6Type, 0, 8),
        f("code", Dt::Icmpv6Code, 8, 8),
        icmpf("checksum", 16, 16, ICMP_ANY),
        icmpf("parameter-problem", 32, 32, ICMP6_PPTR),
        icmpf("mtu", 32, 32, ICMP6_MTU),
        icmpf("id", 32, 16, ICMP6_ECHO),
        icmpf("sequence", 48, 16, ICMP6_ECHO),
        icmpf("max-delay", 32, 16, ICMP6_MGMQ),
    ],
};
static IP6: Desc = Desc {
    name: "ip6",
    id: 13,
    base: BASE_NETWORK,
    protocol_key: 0,
    length: 0,
    protocols: IP6_LINKS,
    templates: &[
        meta_t("l4proto", Dt::InetProto, 16, 8),
        f("version", I, 0, 4),
        f("dscp", Dt::Dscp, 4, 6),
        f("ecn", Dt::Ecn, 10, 2),
        f("flowlabel", I, 12, 20),
        f("length", I, 32, 16),
        f("nexthdr", Dt::InetProto, 48, 8),
        f("hoplimit", I, 56, 8),
        f("saddr", Dt::Ip6Addr, 64, 128),
        f("daddr", Dt::Ip6Addr, 192, 128),
    ],
};
static INET: Desc = Desc {
    name: "inet",
    id: 0,
    base: BASE_LL,
    protocol_key: 0,
    length: 0,
    protocols: &[(2, ProtoId::Ip), (10, ProtoId::Ip6)],
    templates: &[meta_t("nfproto", Dt::Nfproto, 15, 8)],
};
static INET_SERVICE: Desc = Desc {
    name: "inet-service",
    id: 0,
    base: BASE_TRANSPORT,
    protocol_key: 0,
    length: 0,
    protocols: IP6_LINKS,
    templates: &[meta_t("l4proto", Dt::InetProto, 16, 8)],
};
static ARP: Desc = Desc {
    name: "arp",
    id: 15,
    base: BASE_NETWORK,
    protocol_key: 0,
    length: 0,
    protocols: &[],
    templates: &[
        NONE,
        f("htype", I, 0, 16),
        f("ptype", Dt::EtherType, 16, 16),
        f("hlen", I, 32, 8),
        f("plen", I, 40, 8),
        f("operation", Dt::ArpOp, 48, 16),
        f("saddr ether", Dt::EtherAddr, 64, 48),
        f("saddr ip", Dt::IpAddr, 112, 32),
        f("daddr ether", Dt::EtherAddr, 144, 48),
        f("daddr ip", Dt::IpAddr, 192, 32),
    ],
};
static VLAN: Desc = Desc {
    name: "vlan",
    id: 16,
    base: BASE_LL,
    protocol_key: 5,
    length: 32,
    protocols: ETH_LINKS,
    templates: &[
        NONE,
        f("pcp", I, 0, 3),
        f("dei", I, 3, 1),
        f("cfi", I, 3, 1),
        f("id", I, 4, 12),
        f("type", Dt::EtherType, 16, 16),
    ],
};
static ETH: Desc = Desc {
    name: "ether",
    id: 17,
    base: BASE_LL,
    protocol_key: 3,
    length: 112,
    protocols: ETH_LINKS,
    templates: &[
        NONE,
        f("daddr", Dt::EtherAddr, 0, 48),
        f("saddr", Dt::EtherAddr, 48, 48),
        f("type", Dt::EtherType, 96, 16),
    ],
};
static NETDEV: Desc = Desc {
    name: "netdev",
    id: 0,
    base: BASE_LL,
    protocol_key: 0,
    length: 0,
    protocols: ETH_LINKS,
    templates: &[meta_t("protocol", Dt::EtherType, 1, 16)],
};
static UNKNOWN: Desc = Desc {
    name: "unknown",
    id: 0,
    base: BASE_INVALID,
    protocol_key: 0,
    length: 0,
    protocols: &[],
    templates: &[],
};

impl ProtoId {
    /// The description.
    pub fn desc(self) -> &'static Desc {
        match self {
            ProtoId::Unknown => &UNKNOWN,
            ProtoId::Ah => &AH,
            ProtoId::Esp => &ESP,
            ProtoId::Comp => &COMP,
            ProtoId::Icmp => &ICMP,
            ProtoId::Igmp => &IGMP,
            ProtoId::Udp => &UDP,
            ProtoId::Udplite => &UDPLITE,
            ProtoId::Tcp => &TCP,
            ProtoId::Dccp => &DCCP,
            ProtoId::Sctp => &SCTP,
            ProtoId::Th => &TH,
            ProtoId::Ip => &IP,
            ProtoId::Ip6 => &IP6,
            ProtoId::Icmp6 => &ICMP6,
            ProtoId::Arp => &ARP,
            ProtoId::Vlan => &VLAN,
            ProtoId::Eth => &ETH,
            ProtoId::Inet => &INET,
            ProtoId::InetService => &INET_SERVICE,
            ProtoId::Netdev => &NETDEV,
        }
    }

    /// Field `i`, or an empty template.
    pub fn tmpl(self, i: usize) -> Tmpl {
        self.desc().templates.get(i).copied().unwrap_or(NONE)
    }

    /// Number of field slots (nft iterates over `PROTO_HDRS_MAX` slots;
    /// trailing empty ones never match).
    pub fn ntmpl(self) -> usize {
        self.desc().templates.len()
    }

    /// `proto_find_desc`: by `PROTO_DESC_*` id.
    pub fn from_id(id: u32) -> Option<ProtoId> {
        Some(match id {
            1 => ProtoId::Ah,
            2 => ProtoId::Esp,
            3 => ProtoId::Comp,
            4 => ProtoId::Icmp,
            5 => ProtoId::Igmp,
            6 => ProtoId::Udp,
            7 => ProtoId::Udplite,
            8 => ProtoId::Tcp,
            9 => ProtoId::Dccp,
            10 => ProtoId::Sctp,
            11 => ProtoId::Th,
            12 => ProtoId::Ip,
            13 => ProtoId::Ip6,
            14 => ProtoId::Icmp6,
            15 => ProtoId::Arp,
            16 => ProtoId::Vlan,
            17 => ProtoId::Eth,
            _ => return None,
        })
    }

    /// `proto_find_upper`.
    pub fn find_upper(self, num: u32) -> Option<ProtoId> {
        self.desc()
            .protocols
            .iter()
            .find(|(n, _)| *n == num)
            .map(|(_, d)| *d)
    }

    /// `proto_find_num`.
    pub fn find_num(self, upper: ProtoId) -> Option<u32> {
        self.desc()
            .protocols
            .iter()
            .find(|(_, d)| *d == upper)
            .map(|(n, _)| *n)
    }

    /// True when `i` is the field selecting the upper protocol
    /// (`proto_key_is_protocol`).
    pub fn key_is_protocol(self, i: usize) -> bool {
        i == self.desc().protocol_key
            || (self == ProtoId::Ip6 && i == 6)
            || (self == ProtoId::Ip && i == 9)
    }
}

/// The hook's base protocol of a family (`hook_proto_desc`).
pub fn hook_desc(family: u8) -> Option<(Base, ProtoId)> {
    Some(match family {
        7 => (BASE_LL, ProtoId::Eth),
        5 => (BASE_LL, ProtoId::Netdev),
        1 => (BASE_LL, ProtoId::Inet),
        2 => (BASE_NETWORK, ProtoId::Ip),
        10 => (BASE_NETWORK, ProtoId::Ip6),
        3 => (BASE_NETWORK, ProtoId::Arp),
        _ => return None,
    })
}

/// Number of protocols tracked per base.
const NUM_PROTOS: usize = 16;

/// Protocol context of one header base.
#[derive(Clone, Debug, Default)]
pub struct Layer {
    /// The current protocol.
    pub desc: Option<ProtoId>,
    /// All protocols seen (transport base).
    pub protos: Vec<ProtoId>,
}

/// The protocol context (`proto_ctx`) while post-processing a rule.
#[derive(Clone, Debug, Default)]
pub struct ProtoCtx {
    /// Table family.
    pub family: u8,
    /// ICMP type seen (`th_dep.icmp.type`).
    pub icmp_type: u8,
    /// Per base.
    pub protocol: [Layer; 5],
    /// Stacked link layer headers.
    pub stacked_ll: Vec<ProtoId>,
}

impl ProtoCtx {
    /// `proto_ctx_init`.
    pub fn new(family: u8) -> ProtoCtx {
        let mut c = ProtoCtx {
            family,
            ..Default::default()
        };
        if let Some((b, d)) = hook_desc(family) {
            c.protocol[b as usize].desc = Some(d);
        }
        c
    }

    /// The current protocol at `base`.
    pub fn desc(&self, base: Base) -> Option<ProtoId> {
        self.protocol.get(base as usize).and_then(|l| l.desc)
    }

    /// `proto_ctx_update`.
    pub fn update(&mut self, base: Base, desc: ProtoId) {
        let Some(l) = self.protocol.get_mut(base as usize) else {
            return;
        };
        if base == BASE_TRANSPORT && l.protos.len() < NUM_PROTOS && !l.protos.contains(&desc) {
            l.protos.push(desc);
        }
        l.desc = Some(desc);
    }
}
