//! Ethernet protocol names as Debian's `/etc/ethertypes` (netbase) lists
//! them, embedded (nothing is read at run time).

/// `(name, value, aliases)` in file order.
pub const ETHERTYPES: &[(&str, u16, &[&str])] = &[
    ("IPv4", 0x0800, &["ip", "ip4"]),
    ("X25", 0x0805, &[]),
    ("ARP", 0x0806, &["ether-arp"]),
    ("FR_ARP", 0x0808, &[]),
    ("BPQ", 0x08FF, &[]),
    ("TRILL", 0x22F3, &[]),
    ("L2-IS-IS", 0x22F4, &[]),
    ("TEB", 0x6558, &[]),
    ("RAW_FR", 0x6559, &[]),
    ("RARP", 0x8035, &[]),
    ("ATALK", 0x809B, &[]),
    ("AARP", 0x80F3, &[]),
    ("802_1Q", 0x8100, &["8021q", "1q", "802.1q", "dot1q"]),
    ("IPX", 0x8137, &[]),
    ("NetBEUI", 0x8191, &[]),
    ("IPv6", 0x86DD, &["ip6"]),
    ("PPP", 0x880B, &[]),
    ("MPLS", 0x8847, &[]),
    ("MPLS_MULTI", 0x8848, &[]),
    ("ATMMPOA", 0x884C, &[]),
    ("PPP_DISC", 0x8863, &[]),
    ("PPP_SES", 0x8864, &[]),
    ("ATMFATE", 0x8884, &[]),
    ("EAPOL", 0x888E, &[]),
    ("S-TAG", 0x88A8, &[]),
    ("EAP_PREAUTH", 0x88C7, &[]),
    ("LLDP", 0x88CC, &[]),
    ("MACSEC", 0x88E5, &[]),
    ("PBB", 0x88E7, &["macinmac"]),
    ("MVRP", 0x88F5, &[]),
    ("PTP", 0x88F7, &[]),
    ("FCOE", 0x8906, &[]),
    ("FIP", 0x8914, &[]),
    ("ROCE", 0x8915, &[]),
    ("LoWPAN", 0xA0ED, &[]),
];

/// The value of a name or alias (case-insensitive).
pub fn by_name(s: &str) -> Option<u16> {
    ETHERTYPES
        .iter()
        .find(|(n, _, a)| n.eq_ignore_ascii_case(s) || a.iter().any(|x| x.eq_ignore_ascii_case(s)))
        .map(|(_, v, _)| *v)
}

/// The name of a value.
pub fn by_number(v: u16) -> Option<&'static str> {
    ETHERTYPES
        .iter()
        .find(|(_, x, _)| *x == v)
        .map(|(n, _, _)| *n)
}
