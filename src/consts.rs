//! nf_tables and nfnetlink numbers from the kernel UAPI
//! (`linux/netfilter/nf_tables.h`, `linux/netfilter/nfnetlink.h`).

/// Netlink protocol number of NETLINK_NETFILTER.
pub const NETLINK_NETFILTER: isize = 12;
/// nfnetlink subsystem id of nf_tables.
pub const NFNL_SUBSYS_NFTABLES: u16 = 10;
/// nfnetlink subsystem id of nft_compat (xt revision probes).
pub const NFNL_SUBSYS_NFT_COMPAT: u16 = 11;
/// Batch begin message type.
pub const NFNL_MSG_BATCH_BEGIN: u16 = 0x10;
/// Batch end message type.
pub const NFNL_MSG_BATCH_END: u16 = 0x11;
/// Batch attribute: generation id the batch expects.
pub const NFNL_BATCH_GENID: u16 = 1;
/// Multicast group of nf_tables events.
pub const NFNLGRP_NFTABLES: u32 = 7;

/// `NLMSG_ERROR`.
pub const NLMSG_ERROR: u16 = 2;
/// `NLMSG_DONE`.
pub const NLMSG_DONE: u16 = 3;
/// `NLMSG_NOOP`.
pub const NLMSG_NOOP: u16 = 1;

/// nf_tables message types (`enum nf_tables_msg_types`).
#[allow(missing_docs)]
pub mod msg {
    pub const NEWTABLE: u16 = 0;
    pub const GETTABLE: u16 = 1;
    pub const DELTABLE: u16 = 2;
    pub const NEWCHAIN: u16 = 3;
    pub const GETCHAIN: u16 = 4;
    pub const DELCHAIN: u16 = 5;
    pub const NEWRULE: u16 = 6;
    pub const GETRULE: u16 = 7;
    pub const DELRULE: u16 = 8;
    pub const NEWSET: u16 = 9;
    pub const GETSET: u16 = 10;
    pub const DELSET: u16 = 11;
    pub const NEWSETELEM: u16 = 12;
    pub const GETSETELEM: u16 = 13;
    pub const DELSETELEM: u16 = 14;
    pub const NEWGEN: u16 = 15;
    pub const GETGEN: u16 = 16;
    pub const TRACE: u16 = 17;
    pub const NEWOBJ: u16 = 18;
    pub const GETOBJ: u16 = 19;
    pub const DELOBJ: u16 = 20;
    pub const GETOBJ_RESET: u16 = 21;
    pub const NEWFLOWTABLE: u16 = 22;
    pub const GETFLOWTABLE: u16 = 23;
    pub const DELFLOWTABLE: u16 = 24;
    pub const GETRULE_RESET: u16 = 25;
    pub const DESTROYTABLE: u16 = 26;
    pub const DESTROYCHAIN: u16 = 27;
    pub const DESTROYRULE: u16 = 28;
    pub const DESTROYSET: u16 = 29;
    pub const DESTROYSETELEM: u16 = 30;
    pub const DESTROYOBJ: u16 = 31;
    pub const DESTROYFLOWTABLE: u16 = 32;
    pub const GETSETELEM_RESET: u16 = 33;

    /// Name of a message type as the kernel/libnftnl call it.
    pub fn name(t: u16) -> &'static str {
        match t {
            NEWTABLE => "NEWTABLE",
            GETTABLE => "GETTABLE",
            DELTABLE => "DELTABLE",
            NEWCHAIN => "NEWCHAIN",
            GETCHAIN => "GETCHAIN",
            DELCHAIN => "DELCHAIN",
            NEWRULE => "NEWRULE",
            GETRULE => "GETRULE",
            DELRULE => "DELRULE",
            NEWSET => "NEWSET",
            GETSET => "GETSET",
            DELSET => "DELSET",
            NEWSETELEM => "NEWSETELEM",
            GETSETELEM => "GETSETELEM",
            DELSETELEM => "DELSETELEM",
            NEWGEN => "NEWGEN",
            GETGEN => "GETGEN",
            TRACE => "TRACE",
            NEWOBJ => "NEWOBJ",
            GETOBJ => "GETOBJ",
            DELOBJ => "DELOBJ",
            GETOBJ_RESET => "GETOBJ_RESET",
            NEWFLOWTABLE => "NEWFLOWTABLE",
            GETFLOWTABLE => "GETFLOWTABLE",
            DELFLOWTABLE => "DELFLOWTABLE",
            GETRULE_RESET => "GETRULE_RESET",
            DESTROYTABLE => "DESTROYTABLE",
            DESTROYCHAIN => "DESTROYCHAIN",
            DESTROYRULE => "DESTROYRULE",
            DESTROYSET => "DESTROYSET",
            DESTROYSETELEM => "DESTROYSETELEM",
            DESTROYOBJ => "DESTROYOBJ",
            DESTROYFLOWTABLE => "DESTROYFLOWTABLE",
            GETSETELEM_RESET => "GETSETELEM_RESET",
            _ => "UNKNOWN",
        }
    }
}

/// Address families used by nf_tables (`NFPROTO_*`).
#[allow(missing_docs)]
pub mod family {
    pub const UNSPEC: u8 = 0;
    pub const INET: u8 = 1;
    pub const IPV4: u8 = 2;
    pub const ARP: u8 = 3;
    pub const NETDEV: u8 = 5;
    pub const BRIDGE: u8 = 7;
    pub const IPV6: u8 = 10;

    /// nft's name for a family number.
    pub fn name(f: u8) -> Option<&'static str> {
        Some(match f {
            INET => "inet",
            IPV4 => "ip",
            ARP => "arp",
            NETDEV => "netdev",
            BRIDGE => "bridge",
            IPV6 => "ip6",
            _ => return None,
        })
    }

    /// Family number from nft's name (or a decimal number).
    pub fn from_name(s: &str) -> Option<u8> {
        Some(match s {
            "inet" => INET,
            "ip" => IPV4,
            "arp" => ARP,
            "netdev" => NETDEV,
            "bridge" => BRIDGE,
            "ip6" => IPV6,
            other => return other.parse().ok(),
        })
    }
}
