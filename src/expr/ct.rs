//! `ct`: load conntrack data into a register, or set it from one.

use crate::{attr_struct, wire_enum};
use std::fmt;
use std::fmt::Write as _;

wire_enum! {
    /// `NFT_CT_*` keys.
    pub enum CtKey: u32 {
        /// state bits (`NF_CT_STATE_*`)
        State = 0,
        /// packet direction
        Direction = 1,
        /// status bits (`IPS_*`)
        Status = 2,
        /// conntrack mark
        Mark = 3,
        /// conntrack secmark
        Secmark = 4,
        /// remaining lifetime (ms)
        Expiration = 5,
        /// helper name
        Helper = 6,
        /// layer 3 protocol
        L3Protocol = 7,
        /// layer 3 source (deprecated, any family)
        Src = 8,
        /// layer 3 destination (deprecated, any family)
        Dst = 9,
        /// layer 4 protocol
        Protocol = 10,
        /// layer 4 source port
        ProtoSrc = 11,
        /// layer 4 destination port
        ProtoDst = 12,
        /// labels
        Labels = 13,
        /// packets
        Pkts = 14,
        /// bytes
        Bytes = 15,
        /// average bytes per packet
        Avgpkt = 16,
        /// zone
        Zone = 17,
        /// event mask
        Eventmask = 18,
        /// IPv4 source
        SrcIp = 19,
        /// IPv4 destination
        DstIp = 20,
        /// IPv6 source
        SrcIp6 = 21,
        /// IPv6 destination
        DstIp6 = 22,
        /// conntrack id
        Id = 23,
    }
}

const CT_KEY_NAMES: [&str; 24] = [
    "state",
    "direction",
    "status",
    "mark",
    "secmark",
    "expiration",
    "helper",
    "l3protocol",
    "src",
    "dst",
    "protocol",
    "proto_src",
    "proto_dst",
    "label",
    "packets",
    "bytes",
    "avgpkt",
    "zone",
    "event",
    "src_ip",
    "dst_ip",
    "src_ip6",
    "dst_ip6",
    "id",
];

impl CtKey {
    /// libnftnl's name for the key (`state`, `proto_src`, `label`, ...),
    /// `unknown` for values it has no name for.
    pub fn debug_name(self) -> String {
        CT_KEY_NAMES
            .get(self.value() as usize)
            .map_or_else(|| "unknown".to_string(), |s| s.to_string())
    }

    /// The name libnftnl 1.2.4 prints: like [`CtKey::debug_name`], except
    /// that its bounds check also turns `id` (the last key) into `unknown`;
    /// later releases print `id`.
    fn libnftnl_name(self) -> String {
        if self.value() >= CtKey::Id.value() {
            "unknown".into()
        } else {
            self.debug_name()
        }
    }
}

wire_enum! {
    /// `IP_CT_DIR_*`: the direction of a directional key (`NLA_U8`).
    pub enum CtDirection: u8 {
        /// original direction
        Original = 0,
        /// reply direction
        Reply = 1,
    }
}

impl CtDirection {
    /// libnftnl's name (`original`, `reply`, else `unknown`).
    pub fn debug_name(self) -> String {
        match self {
            CtDirection::Original => "original".into(),
            CtDirection::Reply => "reply".into(),
            CtDirection::Unknown(_) => "unknown".into(),
        }
    }
}

attr_struct! {
    /// `NFTA_CT_*`, in the kernel's dump order: the register (dreg for
    /// loads, sreg for sets), then key, then direction.
    pub struct Ct {
        /// `NFTA_CT_DREG` (load)
        1 => dreg: u32,
        /// `NFTA_CT_SREG` (set)
        4 => sreg: u32,
        /// `NFTA_CT_KEY`
        2 => key: CtKey,
        /// `NFTA_CT_DIRECTION` (`NLA_U8`)
        3 => direction: CtDirection,
    }
}

impl_expr!(Ct, "ct");

impl Ct {
    /// `ct load KEY => reg`.
    pub fn load(key: CtKey, dreg: u32) -> Self {
        Ct {
            dreg: Some(dreg),
            key: Some(key),
            ..Default::default()
        }
    }

    /// `ct load KEY => reg , dir DIR` (for directional keys).
    pub fn load_dir(key: CtKey, dir: CtDirection, dreg: u32) -> Self {
        Ct {
            direction: Some(dir),
            ..Self::load(key, dreg)
        }
    }

    /// `ct set KEY with reg`.
    pub fn set(key: CtKey, sreg: u32) -> Self {
        Ct {
            sreg: Some(sreg),
            key: Some(key),
            ..Default::default()
        }
    }

    /// `ct set KEY with reg , dir DIR` (e.g. a directional zone).
    pub fn set_dir(key: CtKey, dir: CtDirection, sreg: u32) -> Self {
        Ct {
            direction: Some(dir),
            ..Self::set(key, sreg)
        }
    }

    fn debug_body(&self, f: &mut String) -> fmt::Result {
        f.write_str("ct")?;
        let key = self.key.unwrap_or(CtKey::State).libnftnl_name();
        if let Some(s) = self.sreg {
            write!(f, " set {key} with reg {s}")?;
        }
        if let Some(d) = self.dreg {
            write!(f, " load {key} => reg {d}")?;
        }
        if let Some(dir) = self.direction {
            write!(f, " , dir {}", dir.debug_name())?;
        }
        crate::expr::fmt_extras(f, self.extra())
    }
}
