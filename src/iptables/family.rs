//! The two address families iptables-nft manages.

/// IPv4 (`iptables`) or IPv6 (`ip6tables`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Family {
    /// `NFPROTO_IPV4`, table family `ip`.
    V4,
    /// `NFPROTO_IPV6`, table family `ip6`.
    V6,
}

impl Family {
    /// The nf_tables family number (2 or 10).
    pub fn nfproto(self) -> u8 {
        match self {
            Family::V4 => crate::consts::family::IPV4,
            Family::V6 => crate::consts::family::IPV6,
        }
    }
    /// From an nf_tables family number.
    pub fn from_nfproto(f: u8) -> Option<Family> {
        match f {
            crate::consts::family::IPV4 => Some(Family::V4),
            crate::consts::family::IPV6 => Some(Family::V6),
            _ => None,
        }
    }
    /// Address length in bytes.
    pub fn addr_len(self) -> usize {
        match self {
            Family::V4 => 4,
            Family::V6 => 16,
        }
    }
    /// The command name (`iptables`/`ip6tables`).
    pub fn cmd(self) -> &'static str {
        match self {
            Family::V4 => "iptables",
            Family::V6 => "ip6tables",
        }
    }
}
