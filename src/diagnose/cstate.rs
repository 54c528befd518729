//! The iptables rule as iptables-nft's reader builds it (its
//! `iptables_command_state`): the fixed header (addresses, interfaces,
//! protocol, fragment flag, inversion bits), the matches in the order the
//! reader created them, the target, and the jump label.

use bytes::Bytes;

/// `IPT_INV_VIA_IN` (same bit for IPv6).
pub const INV_VIA_IN: u8 = 0x01;
/// `IPT_INV_VIA_OUT`.
pub const INV_VIA_OUT: u8 = 0x02;
/// `IPT_INV_SRCIP`.
pub const INV_SRCIP: u8 = 0x08;
/// `IPT_INV_DSTIP`.
pub const INV_DSTIP: u8 = 0x10;
/// `IPT_INV_FRAG`.
pub const INV_FRAG: u8 = 0x20;
/// `XT_INV_PROTO`.
pub const INV_PROTO: u8 = 0x40;

/// `XT_TCP_INV_SRCPT` / `XT_UDP_INV_SRCPT`.
pub const PORT_INV_SRC: u8 = 0x01;
/// `XT_TCP_INV_DSTPT` / `XT_UDP_INV_DSTPT`.
pub const PORT_INV_DST: u8 = 0x02;
/// `XT_TCP_INV_FLAGS`.
pub const TCP_INV_FLAGS: u8 = 0x04;
/// `XT_TCP_INV_OPTION`.
pub const TCP_INV_OPTION: u8 = 0x08;

/// `IFNAMSIZ`.
pub const IFNAMSIZ: usize = 16;

/// A match in the rule.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MatchInfo {
    /// `-m tcp` (`struct xt_tcp`).
    Tcp {
        /// source port range
        spts: [u16; 2],
        /// destination port range
        dpts: [u16; 2],
        /// `--tcp-option`
        option: u8,
        /// flags mask
        flg_mask: u8,
        /// flags to compare
        flg_cmp: u8,
        /// `XT_TCP_INV_*`
        invflags: u8,
    },
    /// `-m udp` (`struct xt_udp`).
    Udp {
        /// source port range
        spts: [u16; 2],
        /// destination port range
        dpts: [u16; 2],
        /// `XT_UDP_INV_*`
        invflags: u8,
    },
    /// `-m icmp` / `-m icmp6`.
    Icmp {
        /// true for `icmp6`
        v6: bool,
        /// type (255 = any)
        ty: u8,
        /// code range
        code: [u8; 2],
        /// inversion
        invflags: u8,
    },
    /// `-m mark` revision 1.
    Mark {
        /// value
        mark: u32,
        /// mask
        mask: u32,
        /// inverted
        invert: bool,
    },
    /// `-m pkttype`.
    Pkttype {
        /// `PACKET_*`
        pkttype: u8,
        /// inverted
        invert: bool,
    },
    /// `-m ttl` (IPv4) / `-m hl` (IPv6).
    Ttl {
        /// true for `hl`
        v6: bool,
        /// 0 eq, 1 ne, 2 lt, 3 gt
        mode: u8,
        /// the value
        value: u8,
    },
    /// `-m limit`.
    Limit {
        /// average period in 1/10000 s
        avg: u32,
        /// burst
        burst: u32,
    },
    /// `-m comment` (from nft's rule userdata).
    Comment(String),
    /// An xt compat `match` expression, kept as the kernel has it.
    Compat {
        /// extension name
        name: String,
        /// revision
        rev: u32,
        /// the extension's info struct
        info: Bytes,
    },
}

impl MatchInfo {
    /// The extension name as the reader records it.
    pub fn name(&self) -> &str {
        match self {
            MatchInfo::Tcp { .. } => "tcp",
            MatchInfo::Udp { .. } => "udp",
            MatchInfo::Icmp { v6: false, .. } => "icmp",
            MatchInfo::Icmp { v6: true, .. } => "icmp6",
            MatchInfo::Mark { .. } => "mark",
            MatchInfo::Pkttype { .. } => "pkttype",
            MatchInfo::Ttl { v6: false, .. } => "ttl",
            MatchInfo::Ttl { v6: true, .. } => "hl",
            MatchInfo::Limit { .. } => "limit",
            MatchInfo::Comment(_) => "comment",
            MatchInfo::Compat { name, .. } => name,
        }
    }

    /// A fresh `tcp` match as the extension initialises it.
    pub fn new_tcp() -> MatchInfo {
        MatchInfo::Tcp {
            spts: [0, 0xffff],
            dpts: [0, 0xffff],
            option: 0,
            flg_mask: 0,
            flg_cmp: 0,
            invflags: 0,
        }
    }

    /// A fresh `udp` match as the extension initialises it.
    pub fn new_udp() -> MatchInfo {
        MatchInfo::Udp {
            spts: [0, 0xffff],
            dpts: [0, 0xffff],
            invflags: 0,
        }
    }
}

/// The target of the rule.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TargetInfo {
    /// ACCEPT, DROP or RETURN (the `standard` target).
    Standard,
    /// `-j TRACE`.
    Trace,
    /// `-j MARK` revision 2 (`--set-xmark mark/mask`).
    Mark {
        /// value
        mark: u32,
        /// mask
        mask: u32,
    },
    /// `-j NFLOG` from a native `log` with a group.
    Nflog {
        /// snaplen
        len: u32,
        /// group
        group: u16,
        /// queue threshold
        threshold: u16,
        /// `XT_NFLOG_F_COPY_LEN` when a snaplen is set
        flags: u16,
        /// prefix
        prefix: String,
    },
    /// An xt compat `target` expression.
    Compat {
        /// extension name
        name: String,
        /// revision
        rev: u32,
        /// the extension's info struct
        info: Bytes,
    },
}

/// The rule as the reader understood it.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct CommandState {
    /// true for ip6 tables.
    pub ipv6: bool,
    /// source address (first 4 bytes for IPv4).
    pub src: [u8; 16],
    /// source mask.
    pub smsk: [u8; 16],
    /// destination address.
    pub dst: [u8; 16],
    /// destination mask.
    pub dmsk: [u8; 16],
    /// input interface (NUL padded).
    pub iniface: [u8; IFNAMSIZ],
    /// input interface mask (1.8.9 and 1.8.10 print from it).
    pub iniface_mask: [u8; IFNAMSIZ],
    /// output interface.
    pub outiface: [u8; IFNAMSIZ],
    /// output interface mask.
    pub outiface_mask: [u8; IFNAMSIZ],
    /// layer 4 protocol (0 = any).
    pub proto: u16,
    /// `-f`.
    pub frag: bool,
    /// `-g` rather than `-j` for the jump label.
    pub goto: bool,
    /// `IPT_INV_*` bits.
    pub invflags: u8,
    /// matches, in order.
    pub matches: Vec<MatchInfo>,
    /// the target, if any.
    pub target: Option<TargetInfo>,
    /// the jump label (verdict name, chain, or target name).
    pub jumpto: String,
    /// counter values.
    pub counters: (u64, u64),
}

/// A NUL-padded interface field as a string (up to the first NUL).
pub fn ifname_str(b: &[u8]) -> String {
    let end = b.iter().position(|&c| c == 0).unwrap_or(b.len());
    String::from_utf8_lossy(&b[..end]).into_owned()
}
