//! The ctnetlink attributes `netlink-packet-netfilter` 0.4 does not type,
//! read from the raw attributes it hands back (`DefaultNla`): counters,
//! entry id, zone, and the ICMP fields of a tuple. Everything else it leaves
//! raw is kept as `(type, bytes)` for the caller.

use netlink_packet_core::{DefaultNla, Nla};

/// `CTA_COUNTERS_ORIG`.
pub const CTA_COUNTERS_ORIG: u16 = 9;
/// `CTA_COUNTERS_REPLY`.
pub const CTA_COUNTERS_REPLY: u16 = 10;
/// `CTA_USE`.
pub const CTA_USE: u16 = 11;
/// `CTA_ID`.
pub const CTA_ID: u16 = 12;
/// `CTA_ZONE`.
pub const CTA_ZONE: u16 = 18;
/// `CTA_PROTO_ICMP_ID` (and the v6 one, 7).
pub const CTA_PROTO_ICMP_ID: u16 = 4;
/// `CTA_PROTO_ICMP_TYPE` (and the v6 one, 8).
pub const CTA_PROTO_ICMP_TYPE: u16 = 5;
/// `CTA_PROTO_ICMP_CODE` (and the v6 one, 9).
pub const CTA_PROTO_ICMP_CODE: u16 = 6;

/// The kind and payload of an attribute the crate kept raw.
pub fn raw(n: &DefaultNla) -> (u16, Vec<u8>) {
    let mut v = vec![0u8; n.value_len()];
    n.emit_value(&mut v);
    (n.kind() & 0x3fff, v)
}

/// A big-endian integer of 1, 2, 4 or 8 bytes.
pub fn be(v: &[u8]) -> Option<u64> {
    match v.len() {
        1 | 2 | 4 | 8 => Some(v.iter().fold(0u64, |a, b| (a << 8) | u64::from(*b))),
        _ => None,
    }
}

/// `CTA_COUNTERS_*`: (packets, bytes) from the nested
/// `CTA_COUNTERS_PACKETS` (1) and `CTA_COUNTERS_BYTES` (2), 64-bit
/// big-endian (the kernel also knows 32-bit forms, 3 and 4).
pub fn counters(nested: &[u8]) -> Option<(u64, u64)> {
    let mut packets = None;
    let mut bytes = None;
    for (k, v) in attrs(nested) {
        match k {
            1 | 3 => packets = be(v),
            2 | 4 => bytes = be(v),
            _ => {}
        }
    }
    Some((packets?, bytes?))
}

/// Walk a netlink attribute stream; stops at the first malformed header.
pub fn attrs(mut b: &[u8]) -> impl Iterator<Item = (u16, &[u8])> {
    std::iter::from_fn(move || {
        if b.len() < 4 {
            return None;
        }
        let len = u16::from_ne_bytes([b[0], b[1]]) as usize;
        let kind = u16::from_ne_bytes([b[2], b[3]]) & 0x3fff;
        if len < 4 || len > b.len() {
            b = &[];
            return None;
        }
        let v = &b[4..len];
        let adv = ((len + 3) & !3).min(b.len());
        b = &b[adv..];
        Some((kind, v))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counters_and_malformed_input() {
        let mut b = Vec::new();
        b.extend_from_slice(&12u16.to_ne_bytes());
        b.extend_from_slice(&1u16.to_ne_bytes());
        b.extend_from_slice(&7u64.to_be_bytes());
        b.extend_from_slice(&12u16.to_ne_bytes());
        b.extend_from_slice(&2u16.to_ne_bytes());
        b.extend_from_slice(&420u64.to_be_bytes());
        assert_eq!(counters(&b), Some((7, 420)));
        assert_eq!(counters(&b[..13]), None);
        assert_eq!(attrs(&[200, 0, 1, 0, 0]).count(), 0);
        assert_eq!(be(&[1, 2, 3]), None);
        let raw_nla = DefaultNla::new(CTA_ID, vec![0, 0, 1, 0]);
        assert_eq!(raw(&raw_nla), (CTA_ID, vec![0, 0, 1, 0]));
    }
}
