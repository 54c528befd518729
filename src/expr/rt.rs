//! `rt`: load routing information (realm, next hop, path MSS, IPsec).

use crate::{attr_struct, wire_enum};
use std::fmt;
use std::fmt::Write as _;

wire_enum! {
    /// `NFT_RT_*` keys.
    pub enum RtKey: u32 {
        /// route realm (`rt classid`)
        Classid = 0,
        /// IPv4 next hop
        Nexthop4 = 1,
        /// IPv6 next hop
        Nexthop6 = 2,
        /// TCP MSS of the path (`rt mtu`)
        Tcpmss = 3,
        /// route has an xfrm (`rt ipsec`)
        Xfrm = 4,
    }
}

impl RtKey {
    /// libnftnl's name (`classid`, `nexthop4`, `nexthop6`, `tcpmss`,
    /// `ipsec`, else `unknown`).
    pub fn debug_name(self) -> String {
        match self {
            RtKey::Classid => "classid".into(),
            RtKey::Nexthop4 => "nexthop4".into(),
            RtKey::Nexthop6 => "nexthop6".into(),
            RtKey::Tcpmss => "tcpmss".into(),
            RtKey::Xfrm => "ipsec".into(),
            RtKey::Unknown(_) => "unknown".into(),
        }
    }
}

attr_struct! {
    /// `NFTA_RT_*`, in the kernel's dump order (key first).
    pub struct Rt {
        /// `NFTA_RT_KEY`
        2 => key: RtKey,
        /// `NFTA_RT_DREG`
        1 => dreg: u32,
    }
}

impl_expr!(Rt, "rt");

impl Rt {
    /// `rt load KEY => reg`.
    pub fn load(key: RtKey, dreg: u32) -> Self {
        Rt {
            key: Some(key),
            dreg: Some(dreg),
            ..Default::default()
        }
    }

    fn debug_body(&self, f: &mut String) -> fmt::Result {
        f.write_str("rt")?;
        if let Some(d) = self.dreg {
            // libnftnl looks the key up as a u8.
            let key = RtKey::from_value(u32::from(self.key.map_or(0, |k| k.value()) as u8));
            write!(f, " load {} => reg {d}", key.debug_name())?;
        }
        crate::expr::fmt_extras(f, self.extra())
    }
}
