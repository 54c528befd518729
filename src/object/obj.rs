//! Stateful objects (`NFTA_OBJ_*`): counter, quota, ct helper, limit,
//! connlimit, tunnel, ct timeout, secmark, ct expectation, synproxy.

use super::{impl_kind, Obj};
use crate::{attr_struct, wire_enum};
use bytes::Bytes;

wire_enum! {
    /// `NFT_OBJECT_*` types.
    pub enum ObjType: u32 {
        /// counter
        Counter = 1,
        /// quota
        Quota = 2,
        /// ct helper
        CtHelper = 3,
        /// limit
        Limit = 4,
        /// connlimit
        Connlimit = 5,
        /// tunnel
        Tunnel = 6,
        /// ct timeout
        CtTimeout = 7,
        /// secmark
        Secmark = 8,
        /// ct expectation
        CtExpect = 9,
        /// synproxy
        Synproxy = 10,
    }
}

impl ObjType {
    /// nft's keyword for the type.
    pub fn keyword(self) -> String {
        match self {
            ObjType::Counter => "counter".into(),
            ObjType::Quota => "quota".into(),
            ObjType::CtHelper => "ct helper".into(),
            ObjType::Limit => "limit".into(),
            ObjType::Connlimit => "connlimit".into(),
            ObjType::Tunnel => "tunnel".into(),
            ObjType::CtTimeout => "ct timeout".into(),
            ObjType::Secmark => "secmark".into(),
            ObjType::CtExpect => "ct expectation".into(),
            ObjType::Synproxy => "synproxy".into(),
            ObjType::Unknown(n) => format!("object-type-{n}"),
        }
    }
}

attr_struct! {
    /// Attributes of a stateful object, in the kernel's dump order. `data`
    /// is the type-specific nest, kept byte-exact; see [`crate::object::obj`]
    /// helpers for typed views.
    pub struct ObjectAttrs {
        /// `NFTA_OBJ_TABLE`
        1 => table: String,
        /// `NFTA_OBJ_NAME`
        2 => name: String,
        /// `NFTA_OBJ_TYPE`
        3 => obj_type: ObjType,
        /// `NFTA_OBJ_HANDLE`
        6 => handle: u64,
        /// `NFTA_OBJ_USE` (read-only)
        5 => use_count: u32,
        /// `NFTA_OBJ_DATA`
        4 => data: Bytes,
        /// `NFTA_OBJ_USERDATA`
        8 => userdata: Bytes,
    }
}

impl_kind!(ObjectAttrs, NEWOBJ, GETOBJ, DELOBJ);

/// A stateful object with its family.
pub type Object = Obj<ObjectAttrs>;

impl Object {
    /// The object name.
    pub fn name(&self) -> &str {
        self.attrs.name.as_deref().unwrap_or("")
    }
    /// The table name.
    pub fn table(&self) -> &str {
        self.attrs.table.as_deref().unwrap_or("")
    }
}

/// A 32-bit value in host byte order (`nla_put_u32`), as the kernel sends
/// the ct expectation timeout; every other nf_tables integer is big-endian.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct HostU32(pub u32);

impl crate::nla::Attribute for HostU32 {
    fn decode(p: &Bytes) -> Option<Self> {
        Self::decode_in(p, p)
    }
    fn decode_in(_parent: &Bytes, p: &[u8]) -> Option<Self> {
        Some(HostU32(u32::from_ne_bytes(p.try_into().ok()?)))
    }
    fn encode(&self, w: &mut crate::nla::Writer) {
        w.buf.extend_from_slice(&self.0.to_ne_bytes());
    }
}

attr_struct! {
    /// Counter object data (`NFTA_COUNTER_*`; the kernel dumps bytes first).
    pub struct CounterData {
        /// `NFTA_COUNTER_BYTES`
        1 => bytes: u64,
        /// `NFTA_COUNTER_PACKETS`
        2 => packets: u64,
    }
}

attr_struct! {
    /// Quota object data (`NFTA_QUOTA_*`, `nft_quota_do_dump` order).
    pub struct QuotaData {
        /// `NFTA_QUOTA_BYTES` (the quota)
        1 => bytes: u64,
        /// `NFTA_QUOTA_CONSUMED`
        4 => consumed: u64,
        /// `NFTA_QUOTA_FLAGS` (inverted 1, depleted 2)
        2 => flags: u32,
    }
}

attr_struct! {
    /// ct helper object data (`NFTA_CT_HELPER_*`, kernel dump order).
    pub struct CtHelperData {
        /// `NFTA_CT_HELPER_NAME`
        1 => name: String,
        /// `NFTA_CT_HELPER_L4PROTO` (IP protocol)
        3 => l4proto: u8,
        /// `NFTA_CT_HELPER_L3PROTO` (`NFPROTO_*`, 16 bits)
        2 => l3proto: u16,
    }
}

attr_struct! {
    /// Limit object data (`NFTA_LIMIT_*`, `nft_limit_dump` order).
    pub struct LimitData {
        /// `NFTA_LIMIT_RATE`
        1 => rate: u64,
        /// `NFTA_LIMIT_UNIT` (seconds)
        2 => unit: u64,
        /// `NFTA_LIMIT_BURST`
        3 => burst: u32,
        /// `NFTA_LIMIT_TYPE` (0 packets, 1 bytes)
        4 => limit_type: u32,
        /// `NFTA_LIMIT_FLAGS` (1 = inverted)
        5 => flags: u32,
    }
}

attr_struct! {
    /// connlimit object data (`NFTA_CONNLIMIT_*`).
    pub struct ConnlimitData {
        /// `NFTA_CONNLIMIT_COUNT`
        1 => count: u32,
        /// `NFTA_CONNLIMIT_FLAGS` (1 = inverted)
        2 => flags: u32,
    }
}

attr_struct! {
    /// `NFTA_TUNNEL_KEY_IP_*`: IPv4 tunnel endpoints.
    pub struct TunnelKeyIp {
        /// `NFTA_TUNNEL_KEY_IP_SRC` (4 bytes, network order)
        1 => src: Bytes,
        /// `NFTA_TUNNEL_KEY_IP_DST`
        2 => dst: Bytes,
    }
}

attr_struct! {
    /// `NFTA_TUNNEL_KEY_IP6_*`: IPv6 tunnel endpoints.
    pub struct TunnelKeyIp6 {
        /// `NFTA_TUNNEL_KEY_IP6_SRC` (16 bytes)
        1 => src: Bytes,
        /// `NFTA_TUNNEL_KEY_IP6_DST`
        2 => dst: Bytes,
        /// `NFTA_TUNNEL_KEY_IP6_FLOWLABEL`
        3 => flowlabel: u32,
    }
}

attr_struct! {
    /// `NFTA_TUNNEL_KEY_VXLAN_*`.
    pub struct TunnelVxlan {
        /// `NFTA_TUNNEL_KEY_VXLAN_GBP`
        1 => gbp: u32,
    }
}

attr_struct! {
    /// `NFTA_TUNNEL_KEY_ERSPAN_*`.
    pub struct TunnelErspan {
        /// `NFTA_TUNNEL_KEY_ERSPAN_VERSION`
        1 => version: u32,
        /// `NFTA_TUNNEL_KEY_ERSPAN_V1_INDEX`
        2 => v1_index: u32,
        /// `NFTA_TUNNEL_KEY_ERSPAN_V2_HWID`
        3 => v2_hwid: u8,
        /// `NFTA_TUNNEL_KEY_ERSPAN_V2_DIR`
        4 => v2_dir: u8,
    }
}

attr_struct! {
    /// `NFTA_TUNNEL_KEY_GENEVE_*`: one geneve option.
    pub struct TunnelGeneve {
        /// `NFTA_TUNNEL_KEY_GENEVE_CLASS`
        1 => class: u16,
        /// `NFTA_TUNNEL_KEY_GENEVE_TYPE`
        2 => opt_type: u8,
        /// `NFTA_TUNNEL_KEY_GENEVE_DATA`
        3 => data: Bytes,
    }
}

attr_struct! {
    /// `NFTA_TUNNEL_KEY_OPTS_*` (further geneve options stay in `extra`).
    pub struct TunnelOpts {
        /// `NFTA_TUNNEL_KEY_OPTS_VXLAN`
        1 => vxlan: TunnelVxlan,
        /// `NFTA_TUNNEL_KEY_OPTS_ERSPAN`
        2 => erspan: TunnelErspan,
        /// `NFTA_TUNNEL_KEY_OPTS_GENEVE`
        3 => geneve: TunnelGeneve,
    }
}

attr_struct! {
    /// Tunnel object data (`NFTA_TUNNEL_KEY_*`, `nft_tunnel_obj_dump` order).
    pub struct TunnelData {
        /// `NFTA_TUNNEL_KEY_ID`
        1 => id: u32,
        /// `NFTA_TUNNEL_KEY_IP`
        2 => ip: TunnelKeyIp,
        /// `NFTA_TUNNEL_KEY_IP6`
        3 => ip6: TunnelKeyIp6,
        /// `NFTA_TUNNEL_KEY_SPORT`
        7 => sport: u16,
        /// `NFTA_TUNNEL_KEY_DPORT`
        8 => dport: u16,
        /// `NFTA_TUNNEL_KEY_FLAGS` (`NFT_TUNNEL_F_*`)
        4 => flags: u32,
        /// `NFTA_TUNNEL_KEY_TOS`
        5 => tos: u8,
        /// `NFTA_TUNNEL_KEY_TTL`
        6 => ttl: u8,
        /// `NFTA_TUNNEL_KEY_OPTS`
        9 => opts: TunnelOpts,
    }
}

attr_struct! {
    /// ct timeout object data (`NFTA_CT_TIMEOUT_*`, kernel dump order).
    pub struct CtTimeoutData {
        /// `NFTA_CT_TIMEOUT_L4PROTO`
        2 => l4proto: u8,
        /// `NFTA_CT_TIMEOUT_L3PROTO` (16 bits)
        1 => l3proto: u16,
        /// `NFTA_CT_TIMEOUT_DATA`: the protocol's `CTA_TIMEOUT_*` values
        /// (32-bit seconds), kept as the raw nest
        3 => data: Bytes,
    }
}

attr_struct! {
    /// secmark object data (`NFTA_SECMARK_*`).
    pub struct SecmarkData {
        /// `NFTA_SECMARK_CTX` (security context)
        1 => ctx: String,
    }
}

attr_struct! {
    /// ct expectation object data (`NFTA_CT_EXPECT_*`).
    pub struct CtExpectData {
        /// `NFTA_CT_EXPECT_L3PROTO` (16 bits)
        1 => l3proto: u16,
        /// `NFTA_CT_EXPECT_L4PROTO`
        2 => l4proto: u8,
        /// `NFTA_CT_EXPECT_DPORT`
        3 => dport: u16,
        /// `NFTA_CT_EXPECT_TIMEOUT` (ms, host byte order on the wire)
        4 => timeout: HostU32,
        /// `NFTA_CT_EXPECT_SIZE`
        5 => size: u8,
    }
}

/// synproxy object data: the same `NFTA_SYNPROXY_*` attributes as the
/// `synproxy` expression.
pub type SynproxyData = crate::expr::synproxy::Synproxy;

/// A typed view of an object's `NFTA_OBJ_DATA` nest, by object type.
#[derive(Clone, Debug, PartialEq)]
pub enum ObjData {
    /// `counter`
    Counter(CounterData),
    /// `quota`
    Quota(QuotaData),
    /// `ct helper`
    CtHelper(CtHelperData),
    /// `limit`
    Limit(LimitData),
    /// `connlimit`
    Connlimit(ConnlimitData),
    /// `tunnel` (boxed: by far the largest)
    Tunnel(Box<TunnelData>),
    /// `ct timeout`
    CtTimeout(CtTimeoutData),
    /// `secmark`
    Secmark(SecmarkData),
    /// `ct expectation`
    CtExpect(CtExpectData),
    /// `synproxy`
    Synproxy(SynproxyData),
    /// Unknown type, or data that is not a well-formed attribute stream.
    Raw(Bytes),
}

impl ObjData {
    /// Decode `data` as the nest of an object of type `ty`; never fails
    /// (anything else is [`ObjData::Raw`]).
    pub fn parse(ty: ObjType, data: &Bytes) -> ObjData {
        let typed = match ty {
            ObjType::Counter => CounterData::parse(data).map(ObjData::Counter),
            ObjType::Quota => QuotaData::parse(data).map(ObjData::Quota),
            ObjType::CtHelper => CtHelperData::parse(data).map(ObjData::CtHelper),
            ObjType::Limit => LimitData::parse(data).map(ObjData::Limit),
            ObjType::Connlimit => ConnlimitData::parse(data).map(ObjData::Connlimit),
            ObjType::Tunnel => TunnelData::parse(data).map(|d| ObjData::Tunnel(Box::new(d))),
            ObjType::CtTimeout => CtTimeoutData::parse(data).map(ObjData::CtTimeout),
            ObjType::Secmark => SecmarkData::parse(data).map(ObjData::Secmark),
            ObjType::CtExpect => CtExpectData::parse(data).map(ObjData::CtExpect),
            ObjType::Synproxy => SynproxyData::parse(data).map(ObjData::Synproxy),
            ObjType::Unknown(_) => None,
        };
        typed.unwrap_or_else(|| ObjData::Raw(data.clone()))
    }

    /// Encode back to the nest payload (byte-exact for parsed data).
    pub fn to_bytes(&self) -> Vec<u8> {
        match self {
            ObjData::Counter(d) => d.to_bytes(),
            ObjData::Quota(d) => d.to_bytes(),
            ObjData::CtHelper(d) => d.to_bytes(),
            ObjData::Limit(d) => d.to_bytes(),
            ObjData::Connlimit(d) => d.to_bytes(),
            ObjData::Tunnel(d) => d.to_bytes(),
            ObjData::CtTimeout(d) => d.to_bytes(),
            ObjData::Secmark(d) => d.to_bytes(),
            ObjData::CtExpect(d) => d.to_bytes(),
            ObjData::Synproxy(d) => d.to_bytes(),
            ObjData::Raw(b) => b.to_vec(),
        }
    }
}

impl Object {
    /// The typed view of the object's data nest (`None` without data). The
    /// `data` bytes themselves stay the lossless source of truth.
    pub fn typed_data(&self) -> Option<ObjData> {
        let data = self.attrs.data.as_ref()?;
        let ty = self.attrs.obj_type.unwrap_or(ObjType::Unknown(0));
        Some(ObjData::parse(ty, data))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::nla::Writer;

    #[test]
    fn typed_data_roundtrips_and_falls_back() {
        let mut w = Writer::new();
        w.put(1, &5u64);
        w.put(2, &7u64);
        let data = Bytes::from(w.buf);
        let d = ObjData::parse(ObjType::Counter, &data);
        assert!(matches!(&d, ObjData::Counter(c) if c.bytes == Some(5) && c.packets == Some(7)));
        assert_eq!(d.to_bytes(), data.to_vec());
        let bad = Bytes::from_static(&[9, 0, 1]);
        assert_eq!(
            ObjData::parse(ObjType::Counter, &bad),
            ObjData::Raw(bad.clone())
        );
        assert_eq!(
            ObjData::parse(ObjType::Unknown(99), &data),
            ObjData::Raw(data.clone())
        );
        let mut w = Writer::new();
        w.put(4, &HostU32(3000));
        let d = CtExpectData::parse(&Bytes::from(w.buf.clone())).unwrap();
        assert_eq!(d.timeout, Some(HostU32(3000)));
        assert_eq!(d.to_bytes(), w.buf);
    }
}
