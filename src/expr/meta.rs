//! `meta`: load packet metadata into a register, or set it from one.

use crate::{attr_struct, wire_enum};
use std::fmt;
use std::fmt::Write as _;

wire_enum! {
    /// `NFT_META_*` keys.
    pub enum MetaKey: u32 {
        /// packet length
        Len = 0, /// ethertype
        Protocol = 1, /// skb priority
        Priority = 2, /// packet mark
        Mark = 3, /// input ifindex
        Iif = 4, /// output ifindex
        Oif = 5, /// input ifname
        IifName = 6, /// output ifname
        OifName = 7, /// input iftype
        IifType = 8, /// output iftype
        OifType = 9, /// socket uid
        SkUid = 10, /// socket gid
        SkGid = 11, /// nftrace
        NfTrace = 12, /// route classid
        RtClassId = 13, /// secmark
        Secmark = 14, /// nf protocol
        NfProto = 15, /// layer 4 protocol
        L4Proto = 16, /// bridge input ifname
        BriIifName = 17, /// bridge output ifname
        BriOifName = 18, /// packet type
        PktType = 19, /// cpu
        Cpu = 20, /// input ifgroup
        IifGroup = 21, /// output ifgroup
        OifGroup = 22, /// cgroup classid
        Cgroup = 23, /// pseudo-random
        Prandom = 24, /// secpath
        Secpath = 25, /// input ifkind
        IifKind = 26, /// output ifkind
        OifKind = 27, /// bridge pvid
        BriIifPvid = 28, /// bridge vlan protocol
        BriIifVproto = 29, /// time (ns)
        TimeNs = 30, /// day of week
        TimeDay = 31, /// hour of day
        TimeHour = 32, /// slave device index
        Sdif = 33, /// slave device name
        SdifName = 34, /// bridge broute
        BriBroute = 35,
    }
}

impl MetaKey {
    /// libnftnl's name for the key: libnftnl 1.2.4 reads it as an 8-bit
    /// value and names keys up to `sdifname`; others print as `unknown`.
    pub fn debug_name(self) -> &'static str {
        const N: [&str; 35] = [
            "len",
            "protocol",
            "priority",
            "mark",
            "iif",
            "oif",
            "iifname",
            "oifname",
            "iiftype",
            "oiftype",
            "skuid",
            "skgid",
            "nftrace",
            "rtclassid",
            "secmark",
            "nfproto",
            "l4proto",
            "bri_iifname",
            "bri_oifname",
            "pkttype",
            "cpu",
            "iifgroup",
            "oifgroup",
            "cgroup",
            "prandom",
            "secpath",
            "iifkind",
            "oifkind",
            "bri_iifpvid",
            "bri_iifvproto",
            "time",
            "day",
            "hour",
            "sdif",
            "sdifname",
        ];
        N.get(usize::from(self.value() as u8))
            .copied()
            .unwrap_or("unknown")
    }
}

attr_struct! {
    /// `NFTA_META_*`, in the kernel's dump order (the key, then the
    /// destination register of a load or the source register of a set).
    pub struct Meta {
        /// the key
        2 => key: MetaKey,
        /// destination register (load)
        1 => dreg: u32,
        /// source register (set)
        3 => sreg: u32,
    }
}

impl_expr!(Meta, "meta");

impl Meta {
    /// `meta load KEY => reg`.
    pub fn load(key: MetaKey, dreg: u32) -> Self {
        Meta {
            dreg: Some(dreg),
            key: Some(key),
            ..Default::default()
        }
    }

    fn debug_body(&self, f: &mut String) -> fmt::Result {
        let key = self.key.unwrap_or(MetaKey::Len).debug_name();
        if let Some(sreg) = self.sreg {
            write!(f, "meta set {key} with reg {sreg}")?;
        } else if let Some(dreg) = self.dreg {
            f.push_str("meta load ");
            f.push_str(key);
            f.push_str(" => reg ");
            crate::util::push_decimal(f, dreg.into());
        } else {
            f.write_str("meta")?;
        }
        crate::expr::fmt_extras(f, self.extra())
    }
}
