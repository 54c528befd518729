//! nft's datatypes: the type ids the kernel stores in set key/data types,
//! their names, sizes, byte orders, base types and symbol tables. Printing
//! of values lives in [`super::value`].

/// Byte order of an expression's value (`BYTEORDER_*`).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Bo {
    /// Unknown (imported as big endian).
    Invalid,
    /// Network order.
    Big,
    /// Host order (little endian here).
    Host,
}

/// A datatype (`TYPE_*`), plus nft's hex-printing integer alias and
/// concatenations (the kernel's composite type id).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
#[allow(missing_docs)]
pub enum Dt {
    Invalid,
    Verdict,
    Nfproto,
    Bitmask,
    Integer,
    /// Integer printed in hexadecimal (raw payloads).
    XInteger,
    String,
    LlAddr,
    IpAddr,
    Ip6Addr,
    EtherAddr,
    EtherType,
    ArpOp,
    InetProto,
    InetService,
    IcmpType,
    TcpFlag,
    DccpPktType,
    MhType,
    Time,
    Mark,
    Ifindex,
    Arphrd,
    Realm,
    Classid,
    Uid,
    Gid,
    CtState,
    CtDir,
    CtStatus,
    Icmp6Type,
    CtLabel,
    PktType,
    IcmpCode,
    Icmpv6Code,
    IcmpxCode,
    Devgroup,
    Dscp,
    Ecn,
    FibAddr,
    Boolean,
    CtEvent,
    Ifname,
    IgmpType,
    TimeDate,
    TimeHour,
    TimeDay,
    Cgroupv2,
    /// A concatenation: 6-bit subtype ids packed, first field highest.
    Concat(u32),
}

/// Bits per subtype id in a concatenation type.
pub const TYPE_BITS: u32 = 6;

/// Symbol table entry: name and the value as exported in the expression's
/// byte order and read as a little-endian integer.
pub type Sym = (&'static str, u64);

/// What prints a value of this type at this level of the type chain.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Printer {
    /// Nothing at this level (look at the symbol table, then the base type).
    None,
    /// `0x… [invalid type]`
    Invalid,
    /// Verdict keyword.
    Verdict,
    /// Integer with the nearest `basefmt`.
    Integer,
    /// `0x…`
    XInteger,
    /// Quoted string.
    String,
    /// `aa:bb:…`
    LlAddr,
    /// Dotted quad.
    IpAddr,
    /// IPv6 text form.
    Ip6Addr,
    /// Protocol name from `/etc/protocols`, else integer.
    InetProto,
    /// Port number.
    InetService,
    /// Symbolic from `/etc/iproute2/rt_marks`, quoted.
    Mark,
    /// `1d2h3m4s5ms`
    Time,
    /// Interface name (quoted) or index.
    Ifindex,
    /// `major:minor`, `root`, `none`.
    Classid,
    /// Symbolic from `/etc/iproute2/rt_realms`, quoted.
    Realm,
    /// Symbolic from `/etc/iproute2/group`, quoted.
    Devgroup,
    /// Label name from connlabel.conf or bit number.
    CtLabel,
    /// Date string.
    TimeDate,
    /// `"HH:MM[:SS]"`
    TimeHour,
    /// Quoted day name.
    TimeDay,
    /// cgroupv2 path or id.
    Cgroupv2,
    /// Base type printer (uid/gid without name resolution).
    Base,
}

/// Integer format of a type (`basefmt`).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Fmt {
    /// `%Zu`
    Dec,
    /// `0x%Zx`
    Hex,
    /// `0x%.Nzx`: zero padded to N hex digits.
    HexPad(u8),
}

/// Static properties of a datatype.
pub struct Info {
    /// nft's name (`ipv4_addr`, …).
    pub name: &'static str,
    /// Size in bits (0 = variable).
    pub size: u32,
    /// Natural byte order.
    pub bo: Bo,
    /// Base type.
    pub base: Option<Dt>,
    /// Values may be written as prefixes.
    pub prefix: bool,
    /// Integer format, if this level defines one.
    pub fmt: Option<Fmt>,
    /// Symbol table, if any.
    pub sym: Option<&'static [Sym]>,
    /// Printer at this level.
    pub print: Printer,
    /// JSON: this level has its own JSON function.
    pub json: bool,
}

const fn info(name: &'static str, size: u32, bo: Bo, base: Option<Dt>) -> Info {
    Info {
        name,
        size,
        bo,
        base,
        prefix: false,
        fmt: None,
        sym: None,
        print: Printer::None,
        json: false,
    }
}

/// Symbols of `nf_proto`.
pub const NFPROTO_SYMS: &[Sym] = &[("ipv4", 2), ("ipv6", 10)];
/// ICMP types.
pub const ICMP_TYPE_SYMS: &[Sym] = &[
    ("echo-reply", 0),
    ("destination-unreachable", 3),
    ("source-quench", 4),
    ("redirect", 5),
    ("echo-request", 8),
    ("router-advertisement", 9),
    ("router-solicitation", 10),
    ("time-exceeded", 11),
    ("parameter-problem", 12),
    ("timestamp-request", 13),
    ("timestamp-reply", 14),
    ("info-request", 15),
    ("info-reply", 16),
    ("address-mask-request", 17),
    ("address-mask-reply", 18),
];
/// IGMP types.
pub const IGMP_TYPE_SYMS: &[Sym] = &[
    ("membership-query", 0x11),
    ("membership-report-v1", 0x12),
    ("membership-report-v2", 0x16),
    ("membership-report-v3", 0x22),
    ("leave-group", 0x17),
];
/// TCP flags.
pub const TCP_FLAG_SYMS: &[Sym] = &[
    ("fin", 0x01),
    ("syn", 0x02),
    ("rst", 0x04),
    ("psh", 0x08),
    ("ack", 0x10),
    ("urg", 0x20),
    ("ecn", 0x40),
    ("cwr", 0x80),
];
/// DCCP packet types.
pub const DCCP_SYMS: &[Sym] = &[
    ("request", 0),
    ("response", 1),
    ("data", 2),
    ("ack", 3),
    ("dataack", 4),
    ("closereq", 5),
    ("close", 6),
    ("reset", 7),
    ("sync", 8),
    ("syncack", 9),
];
/// DSCP code points.
pub const DSCP_SYMS: &[Sym] = &[
    ("cs0", 0x00),
    ("cs1", 0x08),
    ("cs2", 0x10),
    ("cs3", 0x18),
    ("cs4", 0x20),
    ("cs5", 0x28),
    ("cs6", 0x30),
    ("cs7", 0x38),
    ("df", 0x00),
    ("be", 0x00),
    ("lephb", 0x01),
    ("af11", 0x0a),
    ("af12", 0x0c),
    ("af13", 0x0e),
    ("af21", 0x12),
    ("af22", 0x14),
    ("af23", 0x16),
    ("af31", 0x1a),
    ("af32", 0x1c),
    ("af33", 0x1e),
    ("af41", 0x22),
    ("af42", 0x24),
    ("af43", 0x26),
    ("va", 0x2c),
    ("ef", 0x2e),
];
/// ECN values.
pub const ECN_SYMS: &[Sym] = &[("not-ect", 0), ("ect1", 1), ("ect0", 2), ("ce", 3)];
/// ICMPv6 types.
pub const ICMP6_TYPE_SYMS: &[Sym] = &[
    ("destination-unreachable", 1),
    ("packet-too-big", 2),
    ("time-exceeded", 3),
    ("parameter-problem", 4),
    ("echo-request", 128),
    ("echo-reply", 129),
    ("mld-listener-query", 130),
    ("mld-listener-report", 131),
    ("mld-listener-done", 132),
    ("mld-listener-reduction", 132),
    ("nd-router-solicit", 133),
    ("nd-router-advert", 134),
    ("nd-neighbor-solicit", 135),
    ("nd-neighbor-advert", 136),
    ("nd-redirect", 137),
    ("router-renumbering", 138),
    ("ind-neighbor-solicit", 141),
    ("ind-neighbor-advert", 142),
    ("mld2-listener-report", 143),
];
/// ARP operations (network order values read little-endian).
pub const ARPOP_SYMS: &[Sym] = &[
    ("request", 0x0100),
    ("reply", 0x0200),
    ("rrequest", 0x0300),
    ("rreply", 0x0400),
    ("inrequest", 0x0800),
    ("inreply", 0x0900),
    ("nak", 0x0a00),
];
/// Ethernet protocols (network order values read little-endian).
pub const ETHERTYPE_SYMS: &[Sym] = &[
    ("ip", 0x0008),
    ("arp", 0x0608),
    ("ip6", 0xdd86),
    ("8021q", 0x0081),
    ("8021ad", 0xa888),
    ("vlan", 0x0081),
];
/// Interface types.
pub const ARPHRD_SYMS: &[Sym] = &[
    ("ether", 1),
    ("ppp", 512),
    ("ipip", 768),
    ("ipip6", 769),
    ("loopback", 772),
    ("sit", 776),
    ("ipgre", 778),
];
/// Packet types.
pub const PKTTYPE_SYMS: &[Sym] = &[
    ("host", 0),
    ("unicast", 0),
    ("broadcast", 1),
    ("multicast", 2),
    ("other", 3),
];
/// ICMP codes.
pub const ICMP_CODE_SYMS: &[Sym] = &[
    ("net-unreachable", 0),
    ("host-unreachable", 1),
    ("prot-unreachable", 2),
    ("port-unreachable", 3),
    ("net-prohibited", 9),
    ("host-prohibited", 10),
    ("admin-prohibited", 13),
    ("frag-needed", 4),
];
/// ICMPv6 codes.
pub const ICMPV6_CODE_SYMS: &[Sym] = &[
    ("no-route", 0),
    ("admin-prohibited", 1),
    ("addr-unreachable", 3),
    ("port-unreachable", 4),
    ("policy-fail", 5),
    ("reject-route", 6),
];
/// ICMPx codes.
pub const ICMPX_CODE_SYMS: &[Sym] = &[
    ("port-unreachable", 1),
    ("admin-prohibited", 3),
    ("no-route", 0),
    ("host-unreachable", 2),
];
/// Conntrack states.
pub const CT_STATE_SYMS: &[Sym] = &[
    ("invalid", 1),
    ("new", 8),
    ("established", 2),
    ("related", 4),
    ("untracked", 64),
];
/// Conntrack directions.
pub const CT_DIR_SYMS: &[Sym] = &[("original", 0), ("reply", 1)];
/// Conntrack status bits.
pub const CT_STATUS_SYMS: &[Sym] = &[
    ("expected", 1),
    ("seen-reply", 2),
    ("assured", 4),
    ("confirmed", 8),
    ("snat", 16),
    ("dnat", 32),
    ("dying", 512),
];
/// Conntrack event bits.
pub const CT_EVENT_SYMS: &[Sym] = &[
    ("new", 1),
    ("related", 2),
    ("destroy", 4),
    ("reply", 8),
    ("assured", 16),
    ("protoinfo", 32),
    ("helper", 64),
    ("mark", 128),
    ("seqadj", 256),
    ("secmark", 512),
    ("label", 1024),
];
/// FIB address types.
pub const FIB_ADDR_SYMS: &[Sym] = &[
    ("unspec", 0),
    ("unicast", 1),
    ("local", 2),
    ("broadcast", 3),
    ("anycast", 4),
    ("multicast", 5),
    ("blackhole", 6),
    ("unreachable", 7),
    ("prohibit", 8),
];
/// Booleans.
pub const BOOLEAN_SYMS: &[Sym] = &[("exists", 1), ("missing", 0)];
/// Days of the week.
pub const DAY_SYMS: &[Sym] = &[
    ("Sunday", 0),
    ("Monday", 1),
    ("Tuesday", 2),
    ("Wednesday", 3),
    ("Thursday", 4),
    ("Friday", 5),
    ("Saturday", 6),
];
/// Mobility header types.
pub const MH_TYPE_SYMS: &[Sym] = &[
    ("binding-refresh-request", 0),
    ("home-test-init", 1),
    ("careof-test-init", 2),
    ("home-test", 3),
    ("careof-test", 4),
    ("binding-update", 5),
    ("binding-acknowledgement", 6),
    ("binding-error", 7),
    ("fast-binding-update", 8),
    ("fast-binding-acknowledgement", 9),
    ("fast-binding-advertisement", 10),
    ("experimental-mobility-header", 11),
    ("home-agent-switch-message", 12),
];

impl Dt {
    /// The static properties of this type (concatenations share one entry;
    /// use [`Dt::name`] and [`Dt::size`] for them).
    pub fn info(self) -> &'static Info {
        use Bo::*;
        macro_rules! st {
            ($e:expr) => {{
                static I: Info = $e;
                &I
            }};
        }
        match self {
            Dt::Invalid => st!(Info {
                print: Printer::Invalid,
                ..info("invalid", 0, Invalid, None)
            }),
            Dt::Verdict => st!(Info {
                print: Printer::Verdict,
                ..info("verdict", 0, Invalid, None)
            }),
            Dt::Nfproto => st!(Info {
                sym: Some(NFPROTO_SYMS),
                ..info("nf_proto", 8, Invalid, Some(Dt::Integer))
            }),
            Dt::Bitmask => st!(Info {
                fmt: Some(Fmt::Hex),
                ..info("bitmask", 0, Invalid, Some(Dt::Integer))
            }),
            Dt::Integer => st!(Info {
                print: Printer::Integer,
                json: true,
                ..info("integer", 0, Invalid, None)
            }),
            Dt::XInteger => st!(Info {
                print: Printer::XInteger,
                json: true,
                ..info("integer", 0, Invalid, Some(Dt::Integer))
            }),
            Dt::String => st!(Info {
                print: Printer::String,
                json: true,
                ..info("string", 0, Host, None)
            }),
            Dt::LlAddr => st!(Info {
                print: Printer::LlAddr,
                ..info("ll_addr", 0, Big, Some(Dt::Integer))
            }),
            Dt::IpAddr => st!(Info {
                print: Printer::IpAddr,
                prefix: true,
                ..info("ipv4_addr", 32, Big, Some(Dt::Integer))
            }),
            Dt::Ip6Addr => st!(Info {
                print: Printer::Ip6Addr,
                prefix: true,
                ..info("ipv6_addr", 128, Big, Some(Dt::Integer))
            }),
            Dt::EtherAddr => st!(info("ether_addr", 48, Big, Some(Dt::LlAddr))),
            Dt::EtherType => st!(Info {
                fmt: Some(Fmt::HexPad(4)),
                sym: Some(ETHERTYPE_SYMS),
                ..info("ether_type", 16, Big, Some(Dt::Integer))
            }),
            Dt::ArpOp => st!(Info {
                sym: Some(ARPOP_SYMS),
                ..info("arp_op", 16, Big, Some(Dt::Integer))
            }),
            Dt::InetProto => st!(Info {
                print: Printer::InetProto,
                json: true,
                ..info("inet_proto", 8, Invalid, Some(Dt::Integer))
            }),
            Dt::InetService => st!(Info {
                print: Printer::InetService,
                json: true,
                ..info("inet_service", 16, Big, Some(Dt::Integer))
            }),
            Dt::IcmpType => st!(Info {
                sym: Some(ICMP_TYPE_SYMS),
                ..info("icmp_type", 8, Big, Some(Dt::Integer))
            }),
            Dt::TcpFlag => st!(Info {
                sym: Some(TCP_FLAG_SYMS),
                ..info("tcp_flag", 8, Big, Some(Dt::Bitmask))
            }),
            Dt::DccpPktType => st!(Info {
                sym: Some(DCCP_SYMS),
                ..info("dccp_pkttype", 4, Invalid, Some(Dt::Integer))
            }),
            Dt::MhType => st!(Info {
                sym: Some(MH_TYPE_SYMS),
                ..info("mh_type", 8, Big, Some(Dt::Integer))
            }),
            Dt::Time => st!(Info {
                print: Printer::Time,
                json: true,
                ..info("time", 32, Host, Some(Dt::Integer))
            }),
            Dt::Mark => st!(Info {
                print: Printer::Mark,
                json: true,
                prefix: true,
                fmt: Some(Fmt::HexPad(8)),
                ..info("mark", 32, Host, Some(Dt::Integer))
            }),
            Dt::Ifindex => st!(Info {
                print: Printer::Ifindex,
                ..info("iface_index", 32, Host, Some(Dt::Integer))
            }),
            Dt::Arphrd => st!(Info {
                sym: Some(ARPHRD_SYMS),
                ..info("iface_type", 16, Host, Some(Dt::Integer))
            }),
            Dt::Realm => st!(Info {
                print: Printer::Realm,
                prefix: true,
                ..info("realm", 32, Host, Some(Dt::Integer))
            }),
            Dt::Classid => st!(Info {
                print: Printer::Classid,
                ..info("classid", 32, Host, Some(Dt::Integer))
            }),
            Dt::Uid => st!(Info {
                print: Printer::Base,
                json: true,
                ..info("uid", 32, Host, Some(Dt::Integer))
            }),
            Dt::Gid => st!(Info {
                print: Printer::Base,
                json: true,
                ..info("gid", 32, Host, Some(Dt::Integer))
            }),
            Dt::CtState => st!(Info {
                sym: Some(CT_STATE_SYMS),
                ..info("ct_state", 32, Host, Some(Dt::Bitmask))
            }),
            Dt::CtDir => st!(Info {
                sym: Some(CT_DIR_SYMS),
                ..info("ct_dir", 8, Invalid, Some(Dt::Integer))
            }),
            Dt::CtStatus => st!(Info {
                sym: Some(CT_STATUS_SYMS),
                ..info("ct_status", 32, Host, Some(Dt::Bitmask))
            }),
            Dt::Icmp6Type => st!(Info {
                sym: Some(ICMP6_TYPE_SYMS),
                ..info("icmpv6_type", 8, Big, Some(Dt::Integer))
            }),
            Dt::CtLabel => st!(Info {
                print: Printer::CtLabel,
                json: true,
                ..info("ct_label", 128, Host, Some(Dt::Bitmask))
            }),
            Dt::PktType => st!(Info {
                sym: Some(PKTTYPE_SYMS),
                ..info("pkt_type", 8, Host, Some(Dt::Integer))
            }),
            Dt::IcmpCode => st!(Info {
                sym: Some(ICMP_CODE_SYMS),
                ..info("icmp_code", 8, Big, Some(Dt::Integer))
            }),
            Dt::Icmpv6Code => st!(Info {
                sym: Some(ICMPV6_CODE_SYMS),
                ..info("icmpv6_code", 8, Big, Some(Dt::Integer))
            }),
            Dt::IcmpxCode => st!(Info {
                sym: Some(ICMPX_CODE_SYMS),
                ..info("icmpx_code", 8, Big, Some(Dt::Integer))
            }),
            Dt::Devgroup => st!(Info {
                print: Printer::Devgroup,
                json: true,
                prefix: true,
                ..info("devgroup", 32, Host, Some(Dt::Integer))
            }),
            Dt::Dscp => st!(Info {
                fmt: Some(Fmt::HexPad(2)),
                sym: Some(DSCP_SYMS),
                ..info("dscp", 6, Big, Some(Dt::Integer))
            }),
            Dt::Ecn => st!(Info {
                fmt: Some(Fmt::HexPad(1)),
                sym: Some(ECN_SYMS),
                ..info("ecn", 2, Big, Some(Dt::Integer))
            }),
            Dt::FibAddr => st!(Info {
                sym: Some(FIB_ADDR_SYMS),
                ..info("fib_addrtype", 32, Host, Some(Dt::Integer))
            }),
            Dt::Boolean => st!(Info {
                sym: Some(BOOLEAN_SYMS),
                json: true,
                ..info("boolean", 1, Invalid, Some(Dt::Integer))
            }),
            Dt::CtEvent => st!(Info {
                sym: Some(CT_EVENT_SYMS),
                ..info("ct_event", 32, Host, Some(Dt::Bitmask))
            }),
            Dt::Ifname => st!(info("ifname", 128, Host, Some(Dt::String))),
            Dt::IgmpType => st!(Info {
                sym: Some(IGMP_TYPE_SYMS),
                ..info("igmp_type", 8, Big, Some(Dt::Integer))
            }),
            Dt::TimeDate => st!(Info {
                print: Printer::TimeDate,
                ..info("time", 64, Host, Some(Dt::Integer))
            }),
            Dt::TimeHour => st!(Info {
                print: Printer::TimeHour,
                ..info("hour", 32, Host, Some(Dt::Integer))
            }),
            Dt::TimeDay => st!(Info {
                print: Printer::TimeDay,
                sym: Some(DAY_SYMS),
                ..info("day", 8, Host, Some(Dt::Integer))
            }),
            Dt::Cgroupv2 => st!(Info {
                print: Printer::Cgroupv2,
                ..info("cgroupsv2", 64, Host, Some(Dt::Integer))
            }),
            Dt::Concat(_) => st!(info("concat", 0, Invalid, None)),
        }
    }

    /// The kernel's type id.
    pub fn id(self) -> u32 {
        match self {
            Dt::Invalid => 0,
            Dt::Verdict => 1,
            Dt::Nfproto => 2,
            Dt::Bitmask => 3,
            Dt::Integer | Dt::XInteger => 4,
            Dt::String => 5,
            Dt::LlAddr => 6,
            Dt::IpAddr => 7,
            Dt::Ip6Addr => 8,
            Dt::EtherAddr => 9,
            Dt::EtherType => 10,
            Dt::ArpOp => 11,
            Dt::InetProto => 12,
            Dt::InetService => 13,
            Dt::IcmpType => 14,
            Dt::TcpFlag => 15,
            Dt::DccpPktType => 16,
            Dt::MhType => 17,
            Dt::Time => 18,
            Dt::Mark => 19,
            Dt::Ifindex => 20,
            Dt::Arphrd => 21,
            Dt::Realm => 22,
            Dt::Classid => 23,
            Dt::Uid => 24,
            Dt::Gid => 25,
            Dt::CtState => 26,
            Dt::CtDir => 27,
            Dt::CtStatus => 28,
            Dt::Icmp6Type => 29,
            Dt::CtLabel => 30,
            Dt::PktType => 31,
            Dt::IcmpCode => 32,
            Dt::Icmpv6Code => 33,
            Dt::IcmpxCode => 34,
            Dt::Devgroup => 35,
            Dt::Dscp => 36,
            Dt::Ecn => 37,
            Dt::FibAddr => 38,
            Dt::Boolean => 39,
            Dt::CtEvent => 40,
            Dt::Ifname => 41,
            Dt::IgmpType => 42,
            Dt::TimeDate => 43,
            Dt::TimeHour => 44,
            Dt::TimeDay => 45,
            Dt::Cgroupv2 => 46,
            Dt::Concat(t) => t,
        }
    }

    /// `datatype_lookup`: the registered type with this id (ct_label and
    /// ct_event are not registered in nft 1.0.6).
    pub fn lookup(id: u32) -> Option<Dt> {
        Some(match id {
            0 => Dt::Invalid,
            1 => Dt::Verdict,
            2 => Dt::Nfproto,
            3 => Dt::Bitmask,
            4 => Dt::Integer,
            5 => Dt::String,
            6 => Dt::LlAddr,
            7 => Dt::IpAddr,
            8 => Dt::Ip6Addr,
            9 => Dt::EtherAddr,
            10 => Dt::EtherType,
            11 => Dt::ArpOp,
            12 => Dt::InetProto,
            13 => Dt::InetService,
            14 => Dt::IcmpType,
            15 => Dt::TcpFlag,
            16 => Dt::DccpPktType,
            17 => Dt::MhType,
            18 => Dt::Time,
            19 => Dt::Mark,
            20 => Dt::Ifindex,
            21 => Dt::Arphrd,
            22 => Dt::Realm,
            23 => Dt::Classid,
            24 => Dt::Uid,
            25 => Dt::Gid,
            26 => Dt::CtState,
            27 => Dt::CtDir,
            28 => Dt::CtStatus,
            29 => Dt::Icmp6Type,
            31 => Dt::PktType,
            32 => Dt::IcmpCode,
            33 => Dt::Icmpv6Code,
            34 => Dt::IcmpxCode,
            35 => Dt::Devgroup,
            36 => Dt::Dscp,
            37 => Dt::Ecn,
            38 => Dt::FibAddr,
            39 => Dt::Boolean,
            41 => Dt::Ifname,
            42 => Dt::IgmpType,
            43 => Dt::TimeDate,
            44 => Dt::TimeHour,
            45 => Dt::TimeDay,
            46 => Dt::Cgroupv2,
            _ => return None,
        })
    }

    /// `dtype_map_from_kernel`: the set key/data type for a kernel type id
    /// (`NFT_DATA_VERDICT` is 0xffffff00; ids above 6 bits are
    /// concatenations).
    pub fn from_kernel(id: u32) -> Option<Dt> {
        if id == 0xffff_ff00 {
            return Some(Dt::Verdict);
        }
        if id & !((1 << TYPE_BITS) - 1) != 0 {
            return concat_subtypes(id).map(|_| Dt::Concat(id));
        }
        Dt::lookup(id)
    }

    /// nft's name; for concatenations the subtype names joined by " . ".
    pub fn name(self) -> String {
        match self {
            Dt::Concat(t) => concat_subtypes(t)
                .unwrap_or_default()
                .iter()
                .map(|d| d.info().name)
                .collect::<Vec<_>>()
                .join(" . "),
            d => d.info().name.to_string(),
        }
    }

    /// Size in bits (concatenations: sum of padded subtype sizes).
    pub fn size(self) -> u32 {
        match self {
            Dt::Concat(t) => concat_subtypes(t)
                .unwrap_or_default()
                .iter()
                .map(|d| padded_len(d.size()))
                .sum(),
            d => d.info().size,
        }
    }

    /// Natural byte order.
    pub fn byteorder(self) -> Bo {
        self.info().bo
    }

    /// Number of subtypes (0 unless a concatenation).
    pub fn subtypes(self) -> usize {
        match self {
            Dt::Concat(t) => concat_subtypes(t).map(|v| v.len()).unwrap_or(0),
            _ => 0,
        }
    }

    /// The base type.
    pub fn base(self) -> Option<Dt> {
        self.info().base
    }

    /// The root of the base type chain (`expr_basetype`).
    pub fn root(self) -> Dt {
        let mut d = self;
        for _ in 0..8 {
            match d.base() {
                Some(b) => d = b,
                None => break,
            }
        }
        d
    }

    /// True when `Bitmask` is the direct base type.
    pub fn is_bitmask(self) -> bool {
        self.base() == Some(Dt::Bitmask)
    }

    /// True when prefixes are allowed (`DTYPE_F_PREFIX`).
    pub fn prefix_ok(self) -> bool {
        self.info().prefix
    }

    /// The nearest integer format along the chain.
    pub fn fmt(self) -> Fmt {
        let mut d = Some(self);
        while let Some(x) = d {
            if let Some(f) = x.info().fmt {
                return f;
            }
            if x == Dt::XInteger {
                return Fmt::Hex;
            }
            d = x.base();
        }
        Fmt::Dec
    }
}

/// Subtypes of a concatenation id, first field first; `None` when a
/// subtype is unknown.
pub fn concat_subtypes(t: u32) -> Option<Vec<Dt>> {
    let bits = 32 - t.leading_zeros();
    let mut n = bits.div_ceil(TYPE_BITS);
    let mut v = Vec::new();
    while n > 0 {
        n -= 1;
        let id = (t >> (TYPE_BITS * n)) & ((1 << TYPE_BITS) - 1);
        if id == 0 {
            break;
        }
        v.push(Dt::lookup(id)?);
    }
    Some(v)
}

/// Append a subtype to a concatenation id.
pub fn concat_add(t: u32, sub: u32) -> u32 {
    (t << TYPE_BITS) | sub
}

/// Bits a value of `bits` takes in registers (rounded up to 32).
pub fn padded_len(bits: u32) -> u32 {
    bits.div_ceil(32) * 32
}

/// Number of 32-bit registers a value of `bits` takes.
pub fn register_space(bits: u32) -> u32 {
    bits.div_ceil(32)
}
