//! ebtables extensions: the matches `ip`, `arp`, `mark_m`, `pkttype`, the
//! watchers `log` and `nflog`, and the `mark` target — their xt info blobs
//! (x86_64 layout), option parsing and text (each printed item ends with a
//! space, as ebtables prints them).

use crate::arptables::target::{mac_text, parse_mac};
use crate::iptables::addr::{mask_suffix, parse_multiple, v4_str};
use crate::iptables::match_::conntrack::{parse_portrc, parse_u64rc_max};
use crate::iptables::match_::icmp::{icmp_name, parse_range, IcmpName, ICMPV6_CODES, ICMP_CODES};
use crate::iptables::match_::limit::SCALE as LIMIT_SCALE;
use crate::iptables::num;
use crate::iptables::{Family, IptError, Result};

/// A MAC address with its mask.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Mac {
    /// Address.
    pub addr: [u8; 6],
    /// Mask.
    pub mask: [u8; 6],
}

/// `xtables_print_mac_and_mask`.
pub fn mac_and_mask_text(m: &Mac) -> String {
    let mut s = mac_text(&m.addr);
    if m.mask != [0xff; 6] {
        s.push('/');
        s.push_str(&mac_text(&m.mask));
    }
    s
}

/// `struct ebt_ip_info`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Ip {
    /// Source address, destination address, and their masks.
    pub saddr: [u8; 4],
    /// Destination.
    pub daddr: [u8; 4],
    /// Source mask.
    pub smsk: [u8; 4],
    /// Destination mask.
    pub dmsk: [u8; 4],
    /// TOS.
    pub tos: u8,
    /// Protocol.
    pub proto: u8,
    /// `EBT_IP_*` bits given.
    pub bitmask: u8,
    /// Inverted bits.
    pub invflags: u8,
    /// Source ports (host order).
    pub sport: [u16; 2],
    /// Destination ports.
    pub dport: [u16; 2],
}

/// `struct ebt_ip6_info`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Ip6 {
    /// Source address.
    pub saddr: [u8; 16],
    /// Destination address.
    pub daddr: [u8; 16],
    /// Source mask.
    pub smsk: [u8; 16],
    /// Destination mask.
    pub dmsk: [u8; 16],
    /// Traffic class.
    pub tclass: u8,
    /// Protocol.
    pub proto: u8,
    /// `EBT_IP6_*` bits given.
    pub bitmask: u8,
    /// Inverted bits.
    pub invflags: u8,
    /// Source ports (host order).
    pub sport: [u16; 2],
    /// Destination ports.
    pub dport: [u16; 2],
}

/// `struct ebt_arp_info`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Arp {
    /// Hardware type (host order).
    pub htype: u16,
    /// Protocol type.
    pub ptype: u16,
    /// Opcode.
    pub opcode: u16,
    /// Sender IP and mask.
    pub saddr: [u8; 4],
    /// Sender mask.
    pub smsk: [u8; 4],
    /// Target IP.
    pub daddr: [u8; 4],
    /// Target mask.
    pub dmsk: [u8; 4],
    /// Sender MAC.
    pub smac: Mac,
    /// Target MAC.
    pub dmac: Mac,
    /// `EBT_ARP_*` bits given.
    pub bitmask: u8,
    /// Inverted bits.
    pub invflags: u8,
}

/// An ebtables extension in a rule (a match or a watcher), in order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Ext {
    /// `--stp-*`: `struct ebt_stp_info` kept as its 72 bytes.
    Stp(Box<[u8; 72]>),
    /// `--among-src`/`--among-dst` (a set lookup, not an xt blob).
    Among(super::among::Among),
    /// `--802_3-sap`/`--802_3-type` (type in host order).
    E802_3 {
        /// SAP.
        sap: u8,
        /// SNAP type.
        ty: u16,
        /// Bits given (`EBT_802_3_SAP` 1, `EBT_802_3_TYPE` 2).
        bitmask: u8,
        /// Inverted bits.
        invflags: u8,
    },
    /// `--limit`/`--limit-burst` (written as a native `limit`).
    Limit {
        /// Average (`XT_LIMIT_SCALE` units per packet).
        avg: u32,
        /// Burst.
        burst: u32,
    },
    /// `--vlan-id`/`--vlan-prio`/`--vlan-encap` (encap in host order).
    Vlan {
        /// VLAN id.
        id: u16,
        /// Priority.
        prio: u8,
        /// Encapsulated protocol.
        encap: u16,
        /// Bits given (`EBT_VLAN_ID` 1, `PRIO` 2, `ENCAP` 4).
        bitmask: u8,
        /// Inverted bits.
        invflags: u8,
    },
    /// `--ip-*`.
    Ip(Ip),
    /// `--ip6-*`.
    Ip6(Ip6),
    /// `--arp-*`.
    Arp(Arp),
    /// `--mark` (mark, mask, invert, bitmask).
    MarkM {
        /// Value.
        mark: u64,
        /// Mask.
        mask: u64,
        /// `!`.
        invert: bool,
        /// `EBT_MARK_AND` 1 / `EBT_MARK_OR` 2.
        bitmask: u8,
    },
    /// `--pkttype-type`.
    Pkttype {
        /// Class.
        ty: u8,
        /// `!`.
        invert: bool,
    },
    /// The `log` watcher.
    Log {
        /// Level.
        level: u8,
        /// Prefix.
        prefix: String,
        /// `EBT_LOG_IP`/`ARP`/`IP6` bits.
        bitmask: u32,
    },
    /// The `nflog` watcher.
    Nflog {
        /// Copy length.
        len: u32,
        /// Group.
        group: u16,
        /// Threshold.
        threshold: u16,
        /// Prefix.
        prefix: String,
    },
}

const LOG_LEVELS: [&str; 8] = [
    "emerg", "alert", "crit", "error", "warning", "notice", "info", "debug",
];
const PKTTYPES: [&str; 7] = [
    "host",
    "broadcast",
    "multicast",
    "otherhost",
    "outgoing",
    "loopback",
    "fastroute",
];
use crate::arptables::text::OPCODES as ARP_OPCODES;

/// Which extension an option belongs to, in the order ebtables loads
/// them (`ebt_load_match_extensions`).
pub const OPTIONS: &[(&str, &str, bool)] = &[
    // (option, extension, takes an argument)
    ("802_3-sap", "802_3", true),
    ("802_3-type", "802_3", true),
    ("arp-opcode", "arp", true),
    ("arp-op", "arp", true),
    ("arp-htype", "arp", true),
    ("arp-ptype", "arp", true),
    ("arp-ip-src", "arp", true),
    ("arp-ip-dst", "arp", true),
    ("arp-mac-src", "arp", true),
    ("arp-mac-dst", "arp", true),
    ("arp-gratuitous", "arp", false),
    ("ip-source", "ip", true),
    ("ip-src", "ip", true),
    ("ip-destination", "ip", true),
    ("ip-dst", "ip", true),
    ("ip-tos", "ip", true),
    ("ip-protocol", "ip", true),
    ("ip-proto", "ip", true),
    ("ip-source-port", "ip", true),
    ("ip-sport", "ip", true),
    ("ip-destination-port", "ip", true),
    ("ip-dport", "ip", true),
    ("ip-icmp-type", "ip", true),
    ("ip-igmp-type", "ip", true),
    ("ip6-source", "ip6", true),
    ("ip6-src", "ip6", true),
    ("ip6-destination", "ip6", true),
    ("ip6-dst", "ip6", true),
    ("ip6-tclass", "ip6", true),
    ("ip6-protocol", "ip6", true),
    ("ip6-proto", "ip6", true),
    ("ip6-source-port", "ip6", true),
    ("ip6-sport", "ip6", true),
    ("ip6-destination-port", "ip6", true),
    ("ip6-dport", "ip6", true),
    ("ip6-icmp-type", "ip6", true),
    ("mark", "mark_m", true),
    ("limit", "limit", true),
    ("stp-type", "stp", true),
    ("stp-flags", "stp", true),
    ("stp-root-prio", "stp", true),
    ("stp-root-addr", "stp", true),
    ("stp-root-cost", "stp", true),
    ("stp-sender-prio", "stp", true),
    ("stp-sender-addr", "stp", true),
    ("stp-port", "stp", true),
    ("stp-msg-age", "stp", true),
    ("stp-max-age", "stp", true),
    ("stp-hello-time", "stp", true),
    ("stp-forward-delay", "stp", true),
    ("among-dst", "among", true),
    ("among-src", "among", true),
    ("among-dst-file", "among", true),
    ("among-src-file", "among", true),
    ("limit-burst", "limit", true),
    ("pkttype-type", "pkttype", true),
    ("vlan-id", "vlan", true),
    ("vlan-prio", "vlan", true),
    ("vlan-encap", "vlan", true),
    ("log-prefix", "log", true),
    ("log-level", "log", true),
    ("log-arp", "log", false),
    ("log-ip", "log", false),
    ("log", "log", false),
    ("log-ip6", "log", false),
    ("nflog-group", "nflog", true),
    ("nflog-prefix", "nflog", true),
    ("nflog-range", "nflog", true),
    ("nflog-threshold", "nflog", true),
    ("nflog", "nflog", false),
];

/// The first name of an option's entry (the one xtables names in
/// errors): aliases map to it.
pub fn canonical(name: &str) -> &str {
    match name {
        "ip-src" => "ip-source",
        "ip-dst" => "ip-destination",
        "ip-proto" => "ip-protocol",
        "ip-sport" => "ip-source-port",
        "ip-dport" => "ip-destination-port",
        "arp-op" => "arp-opcode",
        "ip6-src" => "ip6-source",
        "ip6-dst" => "ip6-destination",
        "ip6-proto" => "ip6-protocol",
        "ip6-sport" => "ip6-source-port",
        "ip6-dport" => "ip6-destination-port",
        // Target options.
        "to-src" => "to-source",
        "to-dst" => "to-destination",
        "mark-set" => "set-mark",
        n => n,
    }
}

fn u16_at(b: &[u8], o: usize) -> u16 {
    u16::from_ne_bytes([b[o], b[o + 1]])
}
fn u32_at(b: &[u8], o: usize) -> u32 {
    u32::from_ne_bytes([b[o], b[o + 1], b[o + 2], b[o + 3]])
}
fn arr4(b: &[u8], o: usize) -> [u8; 4] {
    [b[o], b[o + 1], b[o + 2], b[o + 3]]
}
fn arr6(b: &[u8], o: usize) -> [u8; 6] {
    let mut a = [0u8; 6];
    a.copy_from_slice(&b[o..o + 6]);
    a
}
fn cstr(b: &[u8]) -> String {
    let end = b.iter().position(|&c| c == 0).unwrap_or(b.len());
    String::from_utf8_lossy(&b[..end]).into_owned()
}
fn put_str(b: &mut [u8], s: &str) {
    for (d, c) in b.iter_mut().zip(s.bytes()) {
        *d = c;
    }
}

fn bad(ext: &str, opt: &str, arg: &str) -> IptError {
    IptError::param(format!(
        "{ext}: Bad value for \"--{opt}\" option: \"{arg}\""
    ))
}

fn hostmask(ext: &str, opt: &str, arg: &str) -> Result<([u8; 4], [u8; 4])> {
    let v = parse_multiple(Family::V4, arg).map_err(|_| bad(ext, opt, arg))?;
    let a = v.first().ok_or_else(|| bad(ext, opt, arg))?;
    Ok((arr4(&a.addr, 0), arr4(&a.mask, 0)))
}

/// `XTTYPE_PORTRC` of `ebt_ip`/`ebt_ip6`: `port[:port]`, a reversed range
/// refused ("Port range 4-3 is negative.").
fn ports(ext: &str, opt: &str, arg: &str) -> Result<[u16; 2]> {
    let (lo, hi, _) = parse_portrc(ext, opt, arg)?;
    Ok([lo, hi])
}

impl Ext {
    /// A new extension with its defaults (`init`).
    pub fn load(name: &str) -> Option<Ext> {
        Some(match name {
            "among" => Ext::Among(Default::default()),
            "stp" => Ext::Stp(Box::new([0u8; 72])),
            "802_3" => Ext::E802_3 {
                sap: 0,
                ty: 0,
                bitmask: 0,
                invflags: 0,
            },
            "limit" => Ext::Limit {
                avg: LIMIT_SCALE * 3600 / 3,
                burst: 5,
            },
            "vlan" => Ext::Vlan {
                id: 0,
                prio: 0,
                encap: 0,
                bitmask: 0,
                invflags: 0,
            },
            "ip" => Ext::Ip(Ip::default()),
            "ip6" => Ext::Ip6(Ip6::default()),
            "arp" => Ext::Arp(Arp::default()),
            "mark_m" => Ext::MarkM {
                mark: 0,
                mask: 0,
                invert: false,
                bitmask: 0,
            },
            "pkttype" => Ext::Pkttype {
                ty: 0,
                invert: false,
            },
            "log" => Ext::Log {
                level: 5,
                prefix: String::new(),
                bitmask: 0,
            },
            "nflog" => Ext::Nflog {
                len: 0,
                group: 1,
                threshold: 1,
                prefix: String::new(),
            },
            _ => return None,
        })
    }

    /// The extension's name (and xt name).
    pub fn name(&self) -> &'static str {
        match self {
            Ext::Among(_) => "among",
            Ext::Stp(_) => "stp",
            Ext::E802_3 { .. } => "802_3",
            Ext::Limit { .. } => "limit",
            Ext::Vlan { .. } => "vlan",
            Ext::Ip(_) => "ip",
            Ext::Ip6(_) => "ip6",
            Ext::Arp(_) => "arp",
            Ext::MarkM { .. } => "mark_m",
            Ext::Pkttype { .. } => "pkttype",
            Ext::Log { .. } => "log",
            Ext::Nflog { .. } => "nflog",
        }
    }

    /// A watcher (an xt target before the counter) rather than a match.
    pub fn is_watcher(&self) -> bool {
        matches!(self, Ext::Log { .. } | Ext::Nflog { .. })
    }

    /// Parse option `opt` (its argument `arg`, `invert` for `!`).
    pub fn parse(&mut self, opt: &str, arg: &str, invert: bool) -> Result<()> {
        let bit = |v: &mut u8, i: &mut u8, b: u8| {
            *v |= b;
            if invert {
                *i |= b;
            }
        };
        match self {
            Ext::Among(a) => a.parse(opt, arg, invert)?,
            Ext::Stp(b) => stp_parse(b, opt, arg, invert)?,
            Ext::E802_3 {
                sap,
                ty,
                bitmask,
                invflags,
            } => {
                let (v, n) = num::c_strtoul(arg, 16);
                let ok = n == arg.len() && n > 0;
                if opt == "802_3-sap" {
                    if !ok || v > 255 {
                        return Err(IptError::param(
                            "802_3: bad value for option \"--802_3-sap\", or out of range (0-255).\n",
                        ));
                    }
                    *sap = v as u8;
                    bit(bitmask, invflags, 1);
                } else {
                    if !ok || v > 65535 {
                        return Err(IptError::param(
                            "802_3: bad value for option \"--802_3-type\", or out of range (0-65535).\n",
                        ));
                    }
                    *ty = v as u16;
                    bit(bitmask, invflags, 2);
                }
            }
            Ext::Limit { avg, burst } => {
                if opt == "limit" {
                    *avg = crate::iptables::match_::limit::parse_rate(arg)?
                        .ok_or_else(|| IptError::param(format!("bad rate \"{arg}\"'")))?;
                } else {
                    *burst = num::strtoui(arg, 0, 10000).ok_or_else(|| {
                        IptError::param(
                            "limit: bad value for option \"--limit-burst\", or out of range (0-10000).\n",
                        )
                    })? as u32;
                }
            }
            Ext::Vlan {
                id,
                prio,
                encap,
                bitmask,
                invflags,
            } => match opt {
                "vlan-id" => {
                    *id = num::strtoui(arg, 0, 4094).ok_or_else(|| {
                        IptError::param(
                            "vlan: bad value for option \"--vlan-id\", or out of range (0-4094).\n",
                        )
                    })? as u16;
                    bit(bitmask, invflags, 1);
                }
                "vlan-prio" => {
                    *prio = num::strtoui(arg, 0, 7).ok_or_else(|| {
                        IptError::param(
                            "vlan: bad value for option \"--vlan-prio\", or out of range (0-7).\n",
                        )
                    })? as u8;
                    bit(bitmask, invflags, 2);
                }
                _ => {
                    let (v, n) = num::c_strtoul(arg, 16);
                    let e = if n == arg.len() && n > 0 {
                        v
                    } else {
                        super::ethertypes::by_name(arg).ok_or_else(|| {
                            IptError::param(format!("Unknown --vlan-encap value ('{arg}')"))
                        })? as u64
                    };
                    if e < 60 {
                        return Err(IptError::param(format!(
                            "Invalid --vlan-encap range ('{arg}')"
                        )));
                    }
                    *encap = e as u16;
                    bit(bitmask, invflags, 4);
                }
            },
            Ext::Ip(x) => match opt {
                "ip-source" | "ip-src" => {
                    let (a, m) = hostmask("ip", opt, arg)?;
                    (x.saddr, x.smsk) = (a, m);
                    bit(&mut x.bitmask, &mut x.invflags, 0x01);
                }
                "ip-destination" | "ip-dst" => {
                    let (a, m) = hostmask("ip", opt, arg)?;
                    (x.daddr, x.dmsk) = (a, m);
                    bit(&mut x.bitmask, &mut x.invflags, 0x02);
                }
                "ip-tos" => {
                    x.tos = num::strtoui(arg, 0, 255).ok_or_else(|| bad("ip", opt, arg))? as u8;
                    bit(&mut x.bitmask, &mut x.invflags, 0x04);
                }
                "ip-protocol" | "ip-proto" => {
                    x.proto = num::parse_protocol(&arg.to_lowercase()).ok_or_else(|| {
                        IptError::param(format!("unknown protocol \"{arg}\" specified"))
                    })?;
                    bit(&mut x.bitmask, &mut x.invflags, 0x08);
                }
                "ip-source-port" | "ip-sport" => {
                    x.sport = ports("ip", canonical(opt), arg)?;
                    bit(&mut x.bitmask, &mut x.invflags, 0x10);
                }
                "ip-icmp-type" | "ip-igmp-type" => {
                    let igmp = opt == "ip-igmp-type";
                    let (ty, code) = if igmp {
                        icmp_types(IGMP_TYPES, "IGMP", arg, false)?
                    } else {
                        icmp_types(ICMP_CODES, "ICMP", arg, true)?
                    };
                    x.sport = [u16::from_ne_bytes(ty), 0];
                    if !igmp {
                        x.dport = [u16::from_ne_bytes(code), 0];
                    }
                    bit(
                        &mut x.bitmask,
                        &mut x.invflags,
                        if igmp { 0x80 } else { 0x40 },
                    );
                }
                _ => {
                    x.dport = ports("ip", canonical(opt), arg)?;
                    bit(&mut x.bitmask, &mut x.invflags, 0x20);
                }
            },
            Ext::Ip6(x) => match opt {
                "ip6-source" | "ip6-src" | "ip6-destination" | "ip6-dst" => {
                    let host = arg.split('/').next().unwrap_or("");
                    if host.parse::<std::net::Ipv4Addr>().is_ok() {
                        return Err(IptError::param(
                            "getaddrinfo: Address family for hostname not supported\n",
                        ));
                    }
                    let v = parse_multiple(Family::V6, arg).map_err(|_| bad("ip6", opt, arg))?;
                    let a = v.first().ok_or_else(|| bad("ip6", opt, arg))?;
                    if opt.contains("src") || opt.contains("source") {
                        (x.saddr, x.smsk) = (a.addr, a.mask);
                        bit(&mut x.bitmask, &mut x.invflags, 0x01);
                    } else {
                        (x.daddr, x.dmsk) = (a.addr, a.mask);
                        bit(&mut x.bitmask, &mut x.invflags, 0x02);
                    }
                }
                "ip6-tclass" => {
                    x.tclass = num::strtoui(arg, 0, 255).ok_or_else(|| bad("ip6", opt, arg))? as u8;
                    bit(&mut x.bitmask, &mut x.invflags, 0x04);
                }
                "ip6-protocol" | "ip6-proto" => {
                    x.proto = num::parse_protocol(&arg.to_lowercase()).ok_or_else(|| {
                        IptError::param(format!("unknown protocol \"{arg}\" specified"))
                    })?;
                    bit(&mut x.bitmask, &mut x.invflags, 0x08);
                }
                "ip6-source-port" | "ip6-sport" => {
                    x.sport = ports("ip6", canonical(opt), arg)?;
                    bit(&mut x.bitmask, &mut x.invflags, 0x10);
                }
                "ip6-icmp-type" => {
                    let (ty, code) = icmp_types(ICMPV6_CODES, "ICMPv6", arg, true)?;
                    x.sport = [u16::from_ne_bytes(ty), 0];
                    x.dport = [u16::from_ne_bytes(code), 0];
                    bit(&mut x.bitmask, &mut x.invflags, 0x40);
                }
                _ => {
                    x.dport = ports("ip6", canonical(opt), arg)?;
                    bit(&mut x.bitmask, &mut x.invflags, 0x20);
                }
            },
            Ext::Arp(x) => match opt {
                "arp-opcode" | "arp-op" => {
                    let (v, n) = num::c_strtoul(arg, 10);
                    x.opcode = if n == arg.len() && n > 0 && v < 0x10000 {
                        v as u16
                    } else {
                        let i = ARP_OPCODES
                            .iter()
                            .position(|o| o.eq_ignore_ascii_case(arg))
                            .ok_or_else(|| IptError::param("Problem with specified ARP opcode"))?;
                        i as u16 + 1
                    };
                    bit(&mut x.bitmask, &mut x.invflags, 0x01);
                }
                "arp-htype" => {
                    let (v, n) = num::c_strtoul(arg, 10);
                    x.htype = if n == arg.len() && n > 0 && v < 0x10000 {
                        v as u16
                    } else if arg.eq_ignore_ascii_case("Ethernet") {
                        1
                    } else {
                        return Err(IptError::param("Problem with specified ARP hardware type"));
                    };
                    bit(&mut x.bitmask, &mut x.invflags, 0x02);
                }
                "arp-ptype" => {
                    let (v, n) = num::c_strtoul(arg, 16);
                    x.ptype = if n == arg.len() && n > 0 && v < 0x10000 {
                        v as u16
                    } else {
                        super::ethertypes::by_name(arg).ok_or_else(|| {
                            IptError::param("Problem with specified ARP protocol type")
                        })?
                    };
                    bit(&mut x.bitmask, &mut x.invflags, 0x04);
                }
                "arp-ip-src" => {
                    let (a, m) = hostmask("arp", opt, arg)?;
                    (x.saddr, x.smsk) = (a, m);
                    bit(&mut x.bitmask, &mut x.invflags, 0x08);
                }
                "arp-ip-dst" => {
                    let (a, m) = hostmask("arp", opt, arg)?;
                    (x.daddr, x.dmsk) = (a, m);
                    bit(&mut x.bitmask, &mut x.invflags, 0x10);
                }
                "arp-mac-src" | "arp-mac-dst" => {
                    let m = ethermacmask(arg).ok_or_else(|| bad("arp", opt, arg))?;
                    if opt == "arp-mac-src" {
                        x.smac = m;
                        bit(&mut x.bitmask, &mut x.invflags, 0x20);
                    } else {
                        x.dmac = m;
                        bit(&mut x.bitmask, &mut x.invflags, 0x40);
                    }
                }
                _ => bit(&mut x.bitmask, &mut x.invflags, 0x80),
            },
            Ext::MarkM {
                mark,
                mask,
                invert: inv,
                bitmask,
            } => {
                *inv = invert;
                let (v, n) = num::c_strtoul(arg, 0);
                *mark = v;
                *bitmask = 1;
                let rest = &arg[n..];
                let end = if let Some(m) = rest.strip_prefix('/') {
                    if n == 0 {
                        *bitmask = 2;
                    }
                    let (mv, mn) = num::c_strtoul(m, 0);
                    *mask = mv;
                    &m[mn..]
                } else {
                    *mask = u32::MAX as u64;
                    rest
                };
                if !end.is_empty() || (n == 0 && *bitmask == 1) {
                    return Err(IptError::param(format!("Bad mark value '{arg}'")));
                }
            }
            Ext::Pkttype { ty, invert: inv } => {
                *inv = invert;
                let (v, n) = num::c_strtoul(arg, 16);
                let i = if n == arg.len() && n > 0 {
                    v
                } else {
                    PKTTYPES
                        .iter()
                        .position(|c| c.eq_ignore_ascii_case(arg))
                        .ok_or_else(|| IptError::param(format!("Could not parse class '{arg}'")))?
                        as u64
                };
                if i > 255 {
                    return Err(IptError::param("Problem with specified pkttype class"));
                }
                *ty = i as u8;
            }
            Ext::Log {
                level,
                prefix,
                bitmask,
            } => match opt {
                "log-prefix" => {
                    if arg.len() > 29 {
                        return Err(IptError::param(format!(
                            "log: Bad value for \"--log-prefix\" option: \"{arg}\""
                        )));
                    }
                    *prefix = arg.to_string();
                }
                "log-level" => {
                    *level = match LOG_LEVELS.iter().position(|l| *l == arg) {
                        Some(i) => i as u8,
                        None => num::strtoui(arg, 0, 7).ok_or_else(|| bad("log", opt, arg))? as u8,
                    };
                }
                "log-ip" => *bitmask |= 1,
                "log-arp" => *bitmask |= 2,
                "log-ip6" => *bitmask |= 8,
                _ => {}
            },
            Ext::Nflog {
                len,
                group,
                threshold,
                prefix,
            } => match opt {
                "nflog-group" => {
                    *group =
                        num::strtoui(arg, 0, 65535).ok_or_else(|| bad("nflog", opt, arg))? as u16
                }
                "nflog-prefix" => *prefix = arg.chars().take(63).collect(),
                "nflog-range" => {
                    *len = num::strtoui(arg, 0, u32::MAX as u64)
                        .ok_or_else(|| bad("nflog", opt, arg))? as u32
                }
                "nflog-threshold" => {
                    *threshold =
                        num::strtoui(arg, 0, 65535).ok_or_else(|| bad("nflog", opt, arg))? as u16
                }
                _ => {}
            },
        }
        Ok(())
    }

    /// The final check after all options.
    pub fn check(&self) -> Result<()> {
        match self {
            Ext::Ip(x) if x.bitmask == 0 => {
                Err(IptError::param("You must specify proper arguments"))
            }
            Ext::Ip6(x) if x.bitmask == 0 => {
                Err(IptError::param("You must specify proper arguments"))
            }
            // The options' exclusions (ports, ICMP and IGMP types share
            // their fields), checked in option order as xtables does.
            Ext::Ip(x) => exclusive(
                "ip",
                x.bitmask,
                &[
                    (4, 0xc0, "ip-source-port"),
                    (5, 0xc0, "ip-destination-port"),
                    (6, 0xb0, "ip-icmp-type"),
                    (7, 0x70, "ip-igmp-type"),
                ],
            ),
            Ext::Ip6(x) => exclusive(
                "ip6",
                x.bitmask,
                &[
                    (4, 0x40, "ip6-source-port"),
                    (5, 0x40, "ip6-destination-port"),
                    (6, 0x30, "ip6-icmp-type"),
                ],
            ),
            _ => Ok(()),
        }
    }

    /// The xt info blob.
    pub fn to_info(&self) -> Vec<u8> {
        match self {
            // Written as a set lookup, never as a blob.
            Ext::Among(_) => Vec::new(),
            Ext::Stp(b) => b.to_vec(),
            Ext::E802_3 {
                sap,
                ty,
                bitmask,
                invflags,
            } => {
                let mut b = vec![0u8; 8];
                b[0] = *sap;
                b[2..4].copy_from_slice(&ty.to_be_bytes());
                b[4] = *bitmask;
                b[5] = *invflags;
                b
            }
            Ext::Limit { avg, burst } => {
                let mut b = vec![0u8; 32];
                b[0..4].copy_from_slice(&avg.to_ne_bytes());
                b[4..8].copy_from_slice(&burst.to_ne_bytes());
                b
            }
            Ext::Vlan {
                id,
                prio,
                encap,
                bitmask,
                invflags,
            } => {
                let mut b = vec![0u8; 8];
                b[0..2].copy_from_slice(&id.to_ne_bytes());
                b[2] = *prio;
                b[4..6].copy_from_slice(&encap.to_be_bytes());
                b[6] = *bitmask;
                b[7] = *invflags;
                b
            }
            Ext::Ip(x) => {
                let mut b = vec![0u8; 32];
                b[0..4].copy_from_slice(&x.saddr);
                b[4..8].copy_from_slice(&x.daddr);
                b[8..12].copy_from_slice(&x.smsk);
                b[12..16].copy_from_slice(&x.dmsk);
                b[16] = x.tos;
                b[17] = x.proto;
                b[18] = x.bitmask;
                b[19] = x.invflags;
                b[20..22].copy_from_slice(&x.sport[0].to_ne_bytes());
                b[22..24].copy_from_slice(&x.sport[1].to_ne_bytes());
                b[24..26].copy_from_slice(&x.dport[0].to_ne_bytes());
                b[26..28].copy_from_slice(&x.dport[1].to_ne_bytes());
                b
            }
            Ext::Ip6(x) => {
                let mut b = vec![0u8; 80];
                b[0..16].copy_from_slice(&x.saddr);
                b[16..32].copy_from_slice(&x.daddr);
                b[32..48].copy_from_slice(&x.smsk);
                b[48..64].copy_from_slice(&x.dmsk);
                b[64] = x.tclass;
                b[65] = x.proto;
                b[66] = x.bitmask;
                b[67] = x.invflags;
                b[68..70].copy_from_slice(&x.sport[0].to_ne_bytes());
                b[70..72].copy_from_slice(&x.sport[1].to_ne_bytes());
                b[72..74].copy_from_slice(&x.dport[0].to_ne_bytes());
                b[74..76].copy_from_slice(&x.dport[1].to_ne_bytes());
                b
            }
            Ext::Arp(x) => {
                let mut b = vec![0u8; 56];
                b[0..2].copy_from_slice(&x.htype.to_be_bytes());
                b[2..4].copy_from_slice(&x.ptype.to_be_bytes());
                b[4..6].copy_from_slice(&x.opcode.to_be_bytes());
                b[8..12].copy_from_slice(&x.saddr);
                b[12..16].copy_from_slice(&x.smsk);
                b[16..20].copy_from_slice(&x.daddr);
                b[20..24].copy_from_slice(&x.dmsk);
                b[24..30].copy_from_slice(&x.smac.addr);
                b[30..36].copy_from_slice(&x.smac.mask);
                b[36..42].copy_from_slice(&x.dmac.addr);
                b[42..48].copy_from_slice(&x.dmac.mask);
                b[48] = x.bitmask;
                b[49] = x.invflags;
                b
            }
            Ext::MarkM {
                mark,
                mask,
                invert,
                bitmask,
            } => {
                let mut b = vec![0u8; 24];
                b[0..8].copy_from_slice(&mark.to_ne_bytes());
                b[8..16].copy_from_slice(&mask.to_ne_bytes());
                b[16] = u8::from(*invert);
                b[17] = *bitmask;
                b
            }
            Ext::Pkttype { ty, invert } => {
                let mut b = vec![0u8; 8];
                b[0] = *ty;
                b[1] = u8::from(*invert);
                b
            }
            Ext::Log {
                level,
                prefix,
                bitmask,
            } => {
                let mut b = vec![0u8; 40];
                b[0] = *level;
                put_str(&mut b[1..31], prefix);
                b[32..36].copy_from_slice(&bitmask.to_ne_bytes());
                b
            }
            Ext::Nflog {
                len,
                group,
                threshold,
                prefix,
            } => {
                let mut b = vec![0u8; 80];
                b[0..4].copy_from_slice(&len.to_ne_bytes());
                b[4..6].copy_from_slice(&group.to_ne_bytes());
                b[6..8].copy_from_slice(&threshold.to_ne_bytes());
                put_str(&mut b[12..76], prefix);
                b
            }
        }
    }

    /// The extension an xt blob holds (None: not one of ebtables', or not
    /// as ebtables writes it).
    pub fn from_info(name: &str, rev: u32, b: &[u8]) -> Option<Ext> {
        if rev != 0 {
            return None;
        }
        let e = match (name, b.len()) {
            ("stp", 72) => {
                let mut a = [0u8; 72];
                a.copy_from_slice(b);
                Ext::Stp(Box::new(a))
            }
            ("802_3", 8) => Ext::E802_3 {
                sap: b[0],
                ty: u16::from_be_bytes([b[2], b[3]]),
                bitmask: b[4],
                invflags: b[5],
            },
            ("vlan", 8) => Ext::Vlan {
                id: u16_at(b, 0),
                prio: b[2],
                encap: u16::from_be_bytes([b[4], b[5]]),
                bitmask: b[6],
                invflags: b[7],
            },
            ("ip", 32) => Ext::Ip(Ip {
                saddr: arr4(b, 0),
                daddr: arr4(b, 4),
                smsk: arr4(b, 8),
                dmsk: arr4(b, 12),
                tos: b[16],
                proto: b[17],
                bitmask: b[18],
                invflags: b[19],
                sport: [u16_at(b, 20), u16_at(b, 22)],
                dport: [u16_at(b, 24), u16_at(b, 26)],
            }),
            ("ip6", 80) => {
                let a16 = |o: usize| -> [u8; 16] {
                    let mut a = [0u8; 16];
                    a.copy_from_slice(&b[o..o + 16]);
                    a
                };
                Ext::Ip6(Ip6 {
                    saddr: a16(0),
                    daddr: a16(16),
                    smsk: a16(32),
                    dmsk: a16(48),
                    tclass: b[64],
                    proto: b[65],
                    bitmask: b[66],
                    invflags: b[67],
                    sport: [u16_at(b, 68), u16_at(b, 70)],
                    dport: [u16_at(b, 72), u16_at(b, 74)],
                })
            }
            ("arp", 56) => Ext::Arp(Arp {
                htype: u16::from_be_bytes([b[0], b[1]]),
                ptype: u16::from_be_bytes([b[2], b[3]]),
                opcode: u16::from_be_bytes([b[4], b[5]]),
                saddr: arr4(b, 8),
                smsk: arr4(b, 12),
                daddr: arr4(b, 16),
                dmsk: arr4(b, 20),
                smac: Mac {
                    addr: arr6(b, 24),
                    mask: arr6(b, 30),
                },
                dmac: Mac {
                    addr: arr6(b, 36),
                    mask: arr6(b, 42),
                },
                bitmask: b[48],
                invflags: b[49],
            }),
            ("mark_m", 24) => Ext::MarkM {
                mark: u64::from_ne_bytes(b[0..8].try_into().ok()?),
                mask: u64::from_ne_bytes(b[8..16].try_into().ok()?),
                invert: b[16] != 0,
                bitmask: b[17],
            },
            ("pkttype", 8) => Ext::Pkttype {
                ty: b[0],
                invert: b[1] != 0,
            },
            ("log", 40) => Ext::Log {
                level: b[0],
                prefix: cstr(&b[1..31]),
                bitmask: u32_at(b, 32),
            },
            ("nflog", 80) => Ext::Nflog {
                len: u32_at(b, 0),
                group: u16_at(b, 4),
                threshold: u16_at(b, 6),
                prefix: cstr(&b[12..76]),
            },
            _ => return None,
        };
        (e.to_info() == b).then_some(e)
    }

    /// The text `-L` and save print (each item followed by a space).
    pub fn write(&self, out: &mut String) {
        let bang = |inv: bool| if inv { "! " } else { "" };
        match self {
            Ext::Among(a) => a.write(out),
            Ext::Stp(b) => stp_write(b, out),
            Ext::E802_3 {
                sap,
                ty,
                bitmask,
                invflags,
            } => {
                if bitmask & 1 != 0 {
                    out.push_str(&format!(
                        "{}--802_3-sap 0x{sap:02x} ",
                        bang(invflags & 1 != 0)
                    ));
                }
                if bitmask & 2 != 0 {
                    out.push_str(&format!(
                        "{}--802_3-type 0x{ty:04x} ",
                        bang(invflags & 2 != 0)
                    ));
                }
            }
            Ext::Limit { avg, burst } => {
                out.push_str("--limit");
                crate::iptables::match_::limit::print_rate(*avg, out);
                out.push_str(&format!(" --limit-burst {burst} "));
            }
            Ext::Vlan {
                id,
                prio,
                encap,
                bitmask,
                invflags,
            } => {
                if bitmask & 1 != 0 {
                    out.push_str(&format!("{}--vlan-id {id} ", bang(invflags & 1 != 0)));
                }
                if bitmask & 2 != 0 {
                    out.push_str(&format!("{}--vlan-prio {prio} ", bang(invflags & 2 != 0)));
                }
                if bitmask & 4 != 0 {
                    out.push_str(&format!(
                        "{}--vlan-encap {encap:04X} ",
                        bang(invflags & 4 != 0)
                    ));
                }
            }
            Ext::Ip(x) => {
                let has = |b: u8| x.bitmask & b != 0;
                let inv = |b: u8| bang(x.invflags & b != 0);
                if has(1) {
                    out.push_str(&format!(
                        "{}--ip-src {}{} ",
                        inv(1),
                        v4_str(&x.saddr),
                        mask_suffix(Family::V4, &x.smsk)
                    ));
                }
                if has(2) {
                    out.push_str(&format!(
                        "{}--ip-dst {}{} ",
                        inv(2),
                        v4_str(&x.daddr),
                        mask_suffix(Family::V4, &x.dmsk)
                    ));
                }
                if has(4) {
                    out.push_str(&format!("{}--ip-tos 0x{:02X} ", inv(4), x.tos));
                }
                if has(8) {
                    let n = num::proto_by_number(x.proto)
                        .map(str::to_string)
                        .unwrap_or_else(|| x.proto.to_string());
                    out.push_str(&format!("{}--ip-proto {n} ", inv(8)));
                }
                let range = |p: &[u16; 2]| {
                    if p[0] == p[1] {
                        format!("{} ", p[0])
                    } else {
                        format!("{}:{} ", p[0], p[1])
                    }
                };
                if has(0x10) {
                    out.push_str(&format!("{}--ip-sport {}", inv(0x10), range(&x.sport)));
                }
                if has(0x20) {
                    out.push_str(&format!("{}--ip-dport {}", inv(0x20), range(&x.dport)));
                }
                let (ty, code) = (x.sport[0].to_ne_bytes(), x.dport[0].to_ne_bytes());
                if has(0x40) {
                    out.push_str(&format!("{}--ip-icmp-type ", inv(0x40)));
                    write_icmp(ICMP_CODES, ty, Some(code), out);
                }
                if has(0x80) {
                    out.push_str(&format!("{}--ip-igmp-type ", inv(0x80)));
                    write_icmp(IGMP_TYPES, ty, None, out);
                }
            }
            Ext::Ip6(x) => {
                let has = |b: u8| x.bitmask & b != 0;
                let inv = |b: u8| bang(x.invflags & b != 0);
                let addr = |a: &[u8; 16], m: &[u8; 16]| {
                    format!(
                        "{}{}",
                        crate::iptables::addr::addr_str(Family::V6, a),
                        mask_suffix(Family::V6, m)
                    )
                };
                if has(1) {
                    out.push_str(&format!("{}--ip6-src {} ", inv(1), addr(&x.saddr, &x.smsk)));
                }
                if has(2) {
                    out.push_str(&format!("{}--ip6-dst {} ", inv(2), addr(&x.daddr, &x.dmsk)));
                }
                if has(4) {
                    out.push_str(&format!("{}--ip6-tclass 0x{:02X} ", inv(4), x.tclass));
                }
                if has(8) {
                    let n = num::proto_by_number(x.proto)
                        .map(str::to_string)
                        .unwrap_or_else(|| x.proto.to_string());
                    out.push_str(&format!("{}--ip6-proto {n} ", inv(8)));
                }
                let range = |p: &[u16; 2]| {
                    if p[0] == p[1] {
                        format!("{} ", p[0])
                    } else {
                        format!("{}:{} ", p[0], p[1])
                    }
                };
                if has(0x10) {
                    out.push_str(&format!("{}--ip6-sport {}", inv(0x10), range(&x.sport)));
                }
                if has(0x20) {
                    out.push_str(&format!("{}--ip6-dport {}", inv(0x20), range(&x.dport)));
                }
                if has(0x40) {
                    out.push_str(&format!("{}--ip6-icmp-type ", inv(0x40)));
                    let (ty, code) = (x.sport[0].to_ne_bytes(), x.dport[0].to_ne_bytes());
                    write_icmp(ICMPV6_CODES, ty, Some(code), out);
                }
            }
            Ext::Arp(x) => {
                let has = |b: u8| x.bitmask & b != 0;
                let inv = |b: u8| bang(x.invflags & b != 0);
                if has(1) {
                    let o = x.opcode as usize;
                    let n = match ARP_OPCODES.get(o.wrapping_sub(1)) {
                        Some(n) => n.to_string(),
                        None => o.to_string(),
                    };
                    out.push_str(&format!("{}--arp-op {n} ", inv(1)));
                }
                if has(2) {
                    out.push_str(&format!("{}--arp-htype {} ", inv(2), x.htype));
                }
                if has(4) {
                    out.push_str(&format!("{}--arp-ptype 0x{:x} ", inv(4), x.ptype));
                }
                if has(8) {
                    out.push_str(&format!(
                        "{}--arp-ip-src {}{} ",
                        inv(8),
                        v4_str(&x.saddr),
                        mask_suffix(Family::V4, &x.smsk)
                    ));
                }
                if has(0x10) {
                    out.push_str(&format!(
                        "{}--arp-ip-dst {}{} ",
                        inv(0x10),
                        v4_str(&x.daddr),
                        mask_suffix(Family::V4, &x.dmsk)
                    ));
                }
                if has(0x20) {
                    out.push_str(&format!(
                        "{}--arp-mac-src {} ",
                        inv(0x20),
                        mac_and_mask_text(&x.smac)
                    ));
                }
                if has(0x40) {
                    out.push_str(&format!(
                        "{}--arp-mac-dst {} ",
                        inv(0x40),
                        mac_and_mask_text(&x.dmac)
                    ));
                }
                if has(0x80) {
                    out.push_str(&format!("{}--arp-gratuitous ", inv(0x80)));
                }
            }
            Ext::MarkM {
                mark,
                mask,
                invert,
                bitmask,
            } => {
                out.push_str(bang(*invert));
                out.push_str("--mark ");
                if *bitmask == 2 {
                    out.push_str(&format!("/0x{mask:x} "));
                } else if *mask != 0xffff_ffff {
                    out.push_str(&format!("0x{mark:x}/0x{mask:x} "));
                } else {
                    out.push_str(&format!("0x{mark:x} "));
                }
            }
            Ext::Pkttype { ty, invert } => {
                out.push_str(&format!("{}--pkttype-type ", bang(*invert)));
                match PKTTYPES.get(*ty as usize) {
                    Some(n) => out.push_str(&format!("{n} ")),
                    None => out.push_str(&format!("{ty} ")),
                }
            }
            Ext::Log {
                level,
                prefix,
                bitmask,
            } => {
                let l = LOG_LEVELS.get(*level as usize).copied().unwrap_or("");
                out.push_str(&format!("--log-level {l}"));
                if !prefix.is_empty() {
                    out.push_str(&format!(" --log-prefix \"{prefix}\""));
                }
                if bitmask & 1 != 0 {
                    out.push_str(" --log-ip");
                }
                if bitmask & 2 != 0 {
                    out.push_str(" --log-arp");
                }
                if bitmask & 8 != 0 {
                    out.push_str(" --log-ip6");
                }
                out.push(' ');
            }
            Ext::Nflog {
                len,
                group,
                threshold,
                prefix,
            } => {
                if !prefix.is_empty() {
                    out.push_str(&format!("--nflog-prefix \"{prefix}\" "));
                }
                if *group != 0 {
                    out.push_str(&format!("--nflog-group {group} "));
                }
                if *len != 0 {
                    out.push_str(&format!("--nflog-range {len} "));
                }
                if *threshold != 1 {
                    out.push_str(&format!("--nflog-threshold {threshold} "));
                }
            }
        }
    }
}

/// `XTTYPE_ETHERMACMASK`: `addr[/mask]`.
pub fn ethermacmask(s: &str) -> Option<Mac> {
    let (a, m) = match s.split_once('/') {
        Some((a, m)) => (a, parse_mac(m)?),
        None => (s, [0xff; 6]),
    };
    let mut addr = parse_mac(a)?;
    for (x, k) in addr.iter_mut().zip(m) {
        *x &= k;
    }
    Some(Mac { addr, mask: m })
}

/// The `mark` target (`struct ebt_mark_t_info`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MarkTarget {
    /// Value.
    pub mark: u64,
    /// Operation bits and verdict (low 4 bits, `EBT_ACCEPT` -1 ...).
    pub target: i32,
}

/// ebtables' standard verdict names by value (`ebt_target_name`).
pub fn verdict_name(v: i32) -> &'static str {
    match v {
        -1 => "ACCEPT",
        -2 => "DROP",
        -3 => "CONTINUE",
        -4 => "RETURN",
        _ => "UNKNOWN",
    }
}

/// `ebt_fill_target`.
pub fn verdict_value(s: &str) -> Option<i32> {
    Some(match s {
        "ACCEPT" => -1,
        "DROP" => -2,
        "CONTINUE" => -3,
        "RETURN" => -4,
        _ => return None,
    })
}

const VERDICT_BITS: i32 = 0xf;

impl MarkTarget {
    /// `init`.
    pub fn new() -> MarkTarget {
        MarkTarget {
            mark: 0,
            target: -1,
        }
    }
    /// The option names.
    pub const OPTIONS: &'static [&'static str] = &[
        "mark-target",
        "set-mark",
        "mark-set",
        "mark-or",
        "mark-and",
        "mark-xor",
    ];
    /// Parse one option.
    pub fn parse(&mut self, opt: &str, arg: &str) -> Result<()> {
        if opt == "mark-target" {
            let v = verdict_value(arg)
                .ok_or_else(|| IptError::param("Illegal --mark-target target"))?;
            self.target = (self.target & !VERDICT_BITS) | (v & VERDICT_BITS);
            return Ok(());
        }
        let orval = match opt {
            // MARK_SET_VALUE 0xfffffff0, MARK_OR_VALUE 0xffffffe0, ...
            "set-mark" | "mark-set" => -16,
            "mark-or" => -32,
            "mark-and" => -48,
            _ => -64,
        };
        let v = num::strtoui(arg, 0, u32::MAX as u64).ok_or_else(|| bad("mark", opt, arg))?;
        self.mark = v;
        self.target = (self.target & VERDICT_BITS) | orval;
        Ok(())
    }
    /// The blob.
    pub fn to_info(&self) -> Vec<u8> {
        let mut b = vec![0u8; 16];
        b[0..8].copy_from_slice(&self.mark.to_ne_bytes());
        b[8..12].copy_from_slice(&self.target.to_ne_bytes());
        b
    }
    /// From a blob.
    pub fn from_info(b: &[u8]) -> Option<MarkTarget> {
        if b.len() != 16 {
            return None;
        }
        let t = MarkTarget {
            mark: u64::from_ne_bytes(b[0..8].try_into().ok()?),
            target: u32_at(b, 8) as i32,
        };
        (t.to_info() == b).then_some(t)
    }
    /// `brmark_print`.
    pub fn write(&self, out: &mut String) {
        let op = match self.target & !VERDICT_BITS {
            -16 => "--mark-set",
            -32 => "--mark-or",
            -64 => "--mark-xor",
            _ => "--mark-and",
        };
        out.push_str(&format!(
            "{op} 0x{:x} --mark-target {}",
            self.mark,
            verdict_name(self.target | !VERDICT_BITS)
        ));
    }
}

impl Default for MarkTarget {
    fn default() -> Self {
        MarkTarget::new()
    }
}

/// Which NAT target.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NatKind {
    /// `-j snat` (`struct ebt_nat_info`).
    Snat,
    /// `-j dnat` (`struct ebt_nat_info`).
    Dnat,
    /// `-j redirect` (`struct ebt_redirect_info`).
    Redirect,
    /// `-j arpreply` (`struct ebt_arpreply_info`, laid out as nat's).
    ArpReply,
}

/// The `snat`, `dnat` and `redirect` targets.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NatTarget {
    /// Which one.
    pub kind: NatKind,
    /// New address (snat/dnat).
    pub mac: [u8; 6],
    /// Verdict (and for snat `NAT_ARP_BIT`, cleared by `--snat-arp`).
    pub target: i32,
    /// Options given.
    pub given: u32,
}

/// `NAT_ARP_BIT`.
const NAT_ARP_BIT: i32 = 0x10;

impl NatTarget {
    /// `init`: verdict ACCEPT.
    pub fn new(kind: NatKind) -> NatTarget {
        NatTarget {
            kind,
            mac: [0; 6],
            // arpreply defaults to DROP, the others to ACCEPT.
            target: if kind == NatKind::ArpReply { -2 } else { -1 },
            given: 0,
        }
    }
    /// The name after `-j`.
    pub fn name(&self) -> &'static str {
        match self.kind {
            NatKind::Snat => "snat",
            NatKind::Dnat => "dnat",
            NatKind::Redirect => "redirect",
            NatKind::ArpReply => "arpreply",
        }
    }
    /// The option names.
    pub fn options(kind: NatKind) -> &'static [&'static str] {
        match kind {
            NatKind::Snat => &["to-source", "to-src", "snat-target", "snat-arp"],
            NatKind::Dnat => &["to-destination", "to-dst", "dnat-target"],
            NatKind::Redirect => &["redirect-target"],
            NatKind::ArpReply => &["arpreply-mac", "arpreply-target"],
        }
    }
    /// Whether option `opt` takes an argument.
    pub fn takes_arg(opt: &str) -> bool {
        opt != "snat-arp"
    }
    /// Parse one option.
    pub fn parse(&mut self, opt: &str, arg: &str) -> Result<()> {
        self.given += 1;
        match opt {
            "to-source" | "to-src" | "to-destination" | "to-dst" | "arpreply-mac" => {
                self.mac = parse_mac(arg)
                    .ok_or_else(|| IptError::param("Invalid MAC address specified."))?;
            }
            "snat-arp" => self.target ^= NAT_ARP_BIT,
            _ => {
                let v = verdict_value(arg)
                    .ok_or_else(|| IptError::param(format!("Illegal --{opt} target")))?;
                if self.kind == NatKind::Snat {
                    self.target = (self.target & !VERDICT_BITS) | (v & VERDICT_BITS);
                } else {
                    self.target = v;
                }
            }
        }
        Ok(())
    }
    /// The final check.
    pub fn check(&self) -> Result<()> {
        if matches!(self.kind, NatKind::Snat | NatKind::Dnat) && self.given == 0 {
            return Err(IptError::param("You must specify proper arguments"));
        }
        Ok(())
    }
    /// The blob.
    pub fn to_info(&self) -> Vec<u8> {
        match self.kind {
            NatKind::Redirect => {
                let mut b = vec![0u8; 8];
                b[0..4].copy_from_slice(&self.target.to_ne_bytes());
                b
            }
            _ => {
                let mut b = vec![0u8; 16];
                b[0..6].copy_from_slice(&self.mac);
                b[8..12].copy_from_slice(&self.target.to_ne_bytes());
                b
            }
        }
    }
    /// From a blob.
    pub fn from_info(name: &str, b: &[u8]) -> Option<NatTarget> {
        let kind = match name {
            "snat" => NatKind::Snat,
            "dnat" => NatKind::Dnat,
            "redirect" => NatKind::Redirect,
            "arpreply" => NatKind::ArpReply,
            _ => return None,
        };
        let mut t = NatTarget::new(kind);
        match (kind, b.len()) {
            (NatKind::Redirect, 8) => t.target = u32_at(b, 0) as i32,
            (NatKind::Snat | NatKind::Dnat | NatKind::ArpReply, 16) => {
                t.mac = arr6(b, 0);
                t.target = u32_at(b, 8) as i32;
            }
            _ => return None,
        }
        (t.to_info() == b).then_some(t)
    }
    /// The print form (after `-j NAME `).
    pub fn write(&self, out: &mut String) {
        match self.kind {
            NatKind::Snat => {
                out.push_str(&format!("--to-src {}", mac_text(&self.mac)));
                if self.target & NAT_ARP_BIT == 0 {
                    out.push_str(" --snat-arp");
                }
                out.push_str(&format!(
                    " --snat-target {}",
                    verdict_name(self.target | !VERDICT_BITS)
                ));
            }
            NatKind::Dnat => out.push_str(&format!(
                "--to-dst {} --dnat-target {}",
                mac_text(&self.mac),
                verdict_name(self.target)
            )),
            NatKind::ArpReply => {
                out.push_str(&format!("--arpreply-mac {}", mac_text(&self.mac)));
                if self.target != -2 {
                    out.push_str(&format!(" --arpreply-target {}", verdict_name(self.target)));
                }
            }
            NatKind::Redirect => {
                if self.target != -1 {
                    out.push_str(&format!("--redirect-target {}", verdict_name(self.target)));
                }
            }
        }
    }
}

/// `--stp-*` options in bit order (`EBT_STP_*`), with the byte offset of
/// their value in `struct ebt_stp_info` and its kind.
const STP: [(&str, usize, StpKind); 12] = [
    ("stp-type", 0, StpKind::Type),
    ("stp-flags", 4, StpKind::Flags),
    ("stp-root-prio", 6, StpKind::R16),
    ("stp-root-addr", 10, StpKind::Mac),
    ("stp-root-cost", 24, StpKind::R32),
    ("stp-sender-prio", 32, StpKind::R16),
    ("stp-sender-addr", 36, StpKind::Mac),
    ("stp-port", 48, StpKind::R16),
    ("stp-msg-age", 52, StpKind::R16),
    ("stp-max-age", 56, StpKind::R16),
    ("stp-hello-time", 60, StpKind::R16),
    ("stp-forward-delay", 64, StpKind::R16),
];

#[derive(Clone, Copy, PartialEq, Eq)]
enum StpKind {
    Type,
    Flags,
    R16,
    R32,
    Mac,
}

fn stp_parse(b: &mut [u8; 72], opt: &str, arg: &str, invert: bool) -> Result<()> {
    let Some(i) = STP.iter().position(|(n, _, _)| *n == opt) else {
        return Ok(());
    };
    let (_, off, kind) = STP[i];
    let mut bm = u16::from_ne_bytes([b[68], b[69]]) | 1 << i;
    b[68..70].copy_from_slice(&bm.to_ne_bytes());
    if invert {
        bm = u16::from_ne_bytes([b[70], b[71]]) | 1 << i;
        b[70..72].copy_from_slice(&bm.to_ne_bytes());
    }
    // XTTYPE_UINT16RC/UINT32RC: "a[:b]", each bound at least the one
    // before it; a single value is both bounds.
    let range = |max: u64| -> Result<(u64, u64)> {
        let (l, u, n) = parse_u64rc_max("stp", opt, arg, max)?;
        Ok((l, if n > 1 { u } else { l }))
    };
    match kind {
        StpKind::Type | StpKind::Flags => {
            let (v, n) = num::c_strtoul(arg, 0);
            let named = match (kind, arg.to_ascii_lowercase().as_str()) {
                (StpKind::Type, "config") => Some(0),
                (StpKind::Type, "tcn") => Some(0x80),
                (StpKind::Flags, "topology-change") => Some(1),
                (StpKind::Flags, "topology-change-ack") => Some(0x80),
                _ => None,
            };
            b[off] = if n == arg.len() && n > 0 && v <= 255 {
                v as u8
            } else {
                named.ok_or_else(|| {
                    IptError::param(if kind == StpKind::Type {
                        "Bad --stp-type argument"
                    } else {
                        "Bad --stp-flags argument"
                    })
                })?
            };
        }
        StpKind::R16 => {
            let (l, u) = range(65535)?;
            b[off..off + 2].copy_from_slice(&(l as u16).to_ne_bytes());
            b[off + 2..off + 4].copy_from_slice(&(u as u16).to_ne_bytes());
        }
        StpKind::R32 => {
            let (l, u) = range(u32::MAX as u64)?;
            b[off..off + 4].copy_from_slice(&(l as u32).to_ne_bytes());
            b[off + 4..off + 8].copy_from_slice(&(u as u32).to_ne_bytes());
        }
        StpKind::Mac => {
            let m = ethermacmask(arg).ok_or_else(|| bad("stp", opt, arg))?;
            b[off..off + 6].copy_from_slice(&m.addr);
            b[off + 6..off + 12].copy_from_slice(&m.mask);
        }
    }
    Ok(())
}

fn stp_write(b: &[u8; 72], out: &mut String) {
    let bm = u16::from_ne_bytes([b[68], b[69]]);
    let inv = u16::from_ne_bytes([b[70], b[71]]);
    for (i, (name, off, kind)) in STP.iter().enumerate() {
        if bm & (1 << i) == 0 {
            continue;
        }
        let bang = if inv & (1 << i) != 0 { "! " } else { "" };
        out.push_str(&format!("{bang}--{name} "));
        let range = |l: u64, u: u64| {
            if l == u {
                l.to_string()
            } else {
                format!("{l}:{u}")
            }
        };
        let v = match kind {
            StpKind::Type => match b[*off] {
                0 => "config".to_string(),
                0x80 => "tcn".to_string(),
                t => t.to_string(),
            },
            StpKind::Flags => match b[*off] {
                1 => "topology-change".to_string(),
                0x80 => "topology-change-ack".to_string(),
                f => f.to_string(),
            },
            StpKind::R16 => range(u16_at(b, *off) as u64, u16_at(b, off + 2) as u64),
            StpKind::R32 => range(u32_at(b, *off) as u64, u32_at(b, off + 4) as u64),
            StpKind::Mac => mac_and_mask_text(&Mac {
                addr: arr6(b, *off),
                mask: arr6(b, off + 6),
            }),
        };
        out.push_str(&v);
        out.push(' ');
    }
}

/// `igmp_types`.
const IGMP_TYPES: &[IcmpName] = &[
    ("membership-query", 0x11, 0, 0),
    ("membership-report-v1", 0x12, 0, 0),
    ("membership-report-v2", 0x16, 0, 0),
    ("leave-group", 0x17, 0, 0),
    ("membership-report-v3", 0x22, 0, 0),
];

/// `__parse_icmp` as ebtables uses it: a name, or `TYPE[:TYPE]` with
/// (`with_code`) an optional `/CODE[:CODE]`; type and code ranges.
fn icmp_types(
    codes: &[IcmpName],
    what: &str,
    s: &str,
    with_code: bool,
) -> Result<([u8; 2], [u8; 2])> {
    if let Some(c) = icmp_name(codes, what, s)? {
        return Ok(([c.1, c.1], [c.2, c.3]));
    }
    let (ty, n) =
        parse_range(s).ok_or_else(|| IptError::param(format!("Unknown {what} type `{s}'")))?;
    let rest = &s[n..];
    let mut code = if with_code { [0, 255] } else { [0, 0] };
    match rest.chars().next() {
        None => {}
        Some('/') if !with_code => {}
        Some('/') => {
            let (c, m) = parse_range(&rest[1..])
                .ok_or_else(|| IptError::param(format!("Unknown {what} code `{s}'")))?;
            code = c;
            if let Some(ch) = rest[1 + m..].chars().next() {
                return Err(IptError::param(format!("unknown character {ch}")));
            }
        }
        Some(ch) => return Err(IptError::param(format!("unknown character {ch}"))),
    }
    Ok((ty, code))
}

/// `ebt_print_icmp_type`: a name when one fits, else numbers (`code`
/// None for IGMP).
fn write_icmp(codes: &[IcmpName], ty: [u8; 2], code: Option<[u8; 2]>, out: &mut String) {
    let write_code = |out: &mut String| {
        if let Some(c) = code {
            if c[0] == c[1] {
                out.push_str(&format!("/{} ", c[0]));
            } else {
                out.push_str(&format!("/{}:{} ", c[0], c[1]));
            }
        }
    };
    if ty[0] != ty[1] {
        out.push_str(&format!("{}:{}", ty[0], ty[1]));
        write_code(out);
        return;
    }
    let named = codes
        .iter()
        .find(|c| c.1 == ty[0] && code.is_none_or(|k| c.2 == k[0] && c.3 == k[1]));
    match named {
        Some(c) => out.push_str(&format!("{} ", c.0)),
        None => {
            out.push_str(&ty[0].to_string());
            write_code(out);
        }
    }
}

/// `xtables_options_fcheck`'s exclusions: `(id, excluded ids, name)` in
/// option order; the first pair given together is the error.
fn exclusive(ext: &str, given: u8, rules: &[(u8, u8, &str)]) -> Result<()> {
    for (id, excl, name) in rules {
        if given & (1 << id) == 0 {
            continue;
        }
        for other in 0..8u8 {
            if excl & (1 << other) != 0 && given & (1 << other) != 0 {
                let oname = rules
                    .iter()
                    .find(|r| r.0 == other)
                    .map(|r| r.2)
                    .unwrap_or("");
                return Err(IptError::param(format!(
                    "{ext}: option \"--{name}\" cannot be used together with \"--{oname}\".\n"
                )));
            }
        }
    }
    Ok(())
}
