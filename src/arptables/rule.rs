//! An arptables rule: `struct arpt_arp` as arptables-nft fills it, plus
//! the target and counters.

use super::target::ArpTarget;
use crate::iptables::rule::Iface;

/// A hardware address test (`--source-mac`/`--destination-mac`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct MacMask {
    /// Address (already masked).
    pub addr: [u8; 6],
    /// Mask (all zero: no test).
    pub mask: [u8; 6],
}

impl MacMask {
    /// Whether the rule tests it (`need_devaddr`).
    pub fn is_set(&self) -> bool {
        self.addr != [0; 6] || self.mask != [0; 6]
    }
}

/// An IPv4 address test (`-s`/`-d`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Ip4Mask {
    /// Address (already masked).
    pub addr: [u8; 4],
    /// Mask.
    pub mask: [u8; 4],
}

/// A 16-bit header field test with its mask (host order values).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Field16 {
    /// Value.
    pub val: u16,
    /// Mask (0xffff: exact).
    pub mask: u16,
}

/// What the rule does.
#[derive(Clone, Debug, Default, PartialEq)]
pub enum ArpVerdict {
    /// No `-j`.
    #[default]
    None,
    /// `-j ACCEPT`.
    Accept,
    /// `-j DROP`.
    Drop,
    /// `-j RETURN`.
    Return,
    /// `-j CHAIN`.
    Jump(String),
    /// A target extension.
    Target(ArpTarget),
}

impl ArpVerdict {
    /// The name after `-j` (empty for none).
    pub fn label(&self) -> &str {
        match self {
            ArpVerdict::None => "",
            ArpVerdict::Accept => "ACCEPT",
            ArpVerdict::Drop => "DROP",
            ArpVerdict::Return => "RETURN",
            ArpVerdict::Jump(c) => c,
            ArpVerdict::Target(t) => t.name(),
        }
    }
}

/// Inversion flags (`!` before an option).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ArpInv {
    /// `! -s`.
    pub src: bool,
    /// `! -d`.
    pub dst: bool,
    /// `! --source-mac`.
    pub src_mac: bool,
    /// `! --destination-mac`.
    pub dst_mac: bool,
    /// `! --h-length`.
    pub hlen: bool,
    /// `! --opcode`.
    pub op: bool,
    /// `! --h-type`.
    pub htype: bool,
    /// `! --proto-type`.
    pub ptype: bool,
}

/// One arptables rule.
#[derive(Clone, Debug, PartialEq)]
pub struct ArpRule {
    /// `-i` (with its own `!`).
    pub iniface: Iface,
    /// `-o`.
    pub outiface: Iface,
    /// `-s`.
    pub src: Ip4Mask,
    /// `-d`.
    pub dst: Ip4Mask,
    /// `--source-mac`.
    pub src_mac: MacMask,
    /// `--destination-mac`.
    pub dst_mac: MacMask,
    /// `--h-length` value and mask (default 6/255).
    pub hlen: (u8, u8),
    /// `--opcode` (default 0/0xffff: no test).
    pub op: Field16,
    /// `--h-type` (default 1/0xffff, always tested).
    pub htype: Field16,
    /// `--proto-type` (default 0/0xffff: no test).
    pub ptype: Field16,
    /// The `!` flags.
    pub inv: ArpInv,
    /// Target.
    pub verdict: ArpVerdict,
    /// Packet counter.
    pub packets: u64,
    /// Byte counter.
    pub bytes: u64,
}

impl Default for ArpRule {
    /// `nft_arp_init_cs`: hardware length 6, Ethernet, nothing else.
    fn default() -> Self {
        ArpRule {
            iniface: Iface::default(),
            outiface: Iface::default(),
            src: Ip4Mask::default(),
            dst: Ip4Mask::default(),
            src_mac: MacMask::default(),
            dst_mac: MacMask::default(),
            hlen: (6, 255),
            op: Field16 {
                val: 0,
                mask: 0xffff,
            },
            htype: Field16 {
                val: 1,
                mask: 0xffff,
            },
            ptype: Field16 {
                val: 0,
                mask: 0xffff,
            },
            inv: ArpInv::default(),
            verdict: ArpVerdict::None,
            packets: 0,
            bytes: 0,
        }
    }
}

impl ArpRule {
    /// `nft_arp_is_same` plus the target comparison of `nft_rule_cmp`: the
    /// rule `-C`/`-D` find. Like arptables-nft it compares addresses,
    /// protocol type, inversions and interfaces, but not hardware
    /// addresses, length, type or opcode.
    pub fn same_as(&self, o: &ArpRule) -> bool {
        self.src == o.src
            && self.dst == o.dst
            && self.ptype.val == o.ptype.val
            && self.inv == o.inv
            && self.iniface.inv == o.iniface.inv
            && self.outiface.inv == o.outiface.inv
            && same_iface(&self.iniface, &o.iniface)
            && same_iface(&self.outiface, &o.outiface)
            && self.verdict == o.verdict
    }
}

/// `is_same_interfaces` for one interface.
fn same_iface(a: &Iface, b: &Iface) -> bool {
    let (ma, mb) = (a.mask(), b.mask());
    let (na, nb) = (a.bytes(), b.bytes());
    ma == mb && (0..16).all(|i| na[i] & ma[i] == nb[i] & mb[i])
}
