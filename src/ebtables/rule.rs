//! An ebtables rule (`struct ebt_entry` as ebtables-nft fills it), its
//! extensions in order, the target and counters.

use super::ext::{Ext, Mac, MarkTarget, NatTarget};
use crate::iptables::rule::Iface;

/// What the rule does.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum EbtVerdict {
    /// `-j CONTINUE` (or none).
    #[default]
    Continue,
    /// `-j ACCEPT`.
    Accept,
    /// `-j DROP` (in `broute`: route the frame, written as a broute mark
    /// and accept).
    Drop,
    /// `-j RETURN`.
    Return,
    /// `-j CHAIN`.
    Jump(String),
    /// `-j mark ...`.
    Mark(MarkTarget),
    /// `-j snat|dnat|redirect ...`.
    Nat(NatTarget),
}

impl EbtVerdict {
    /// The name after `-j`.
    pub fn label(&self) -> &str {
        match self {
            EbtVerdict::Continue => "CONTINUE",
            EbtVerdict::Accept => "ACCEPT",
            EbtVerdict::Drop => "DROP",
            EbtVerdict::Return => "RETURN",
            EbtVerdict::Jump(c) => c,
            EbtVerdict::Mark(_) => "mark",
            EbtVerdict::Nat(n) => n.name(),
        }
    }
}

/// The `-p` test.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Proto {
    /// An Ethernet type (host order).
    Type(u16),
    /// `-p Length`: an 802.3 frame (type field below 0x0600).
    Length,
}

/// One ebtables rule.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct EbtRule {
    /// `-p`.
    pub proto: Option<Proto>,
    /// `! -p`.
    pub proto_inv: bool,
    /// `-s`.
    pub src: Option<Mac>,
    /// `! -s`.
    pub src_inv: bool,
    /// `-d`.
    pub dst: Option<Mac>,
    /// `! -d`.
    pub dst_inv: bool,
    /// `-i`.
    pub iniface: Iface,
    /// `-o`.
    pub outiface: Iface,
    /// `--logical-in`.
    pub logical_in: Iface,
    /// `--logical-out`.
    pub logical_out: Iface,
    /// Matches and watchers in command line order.
    pub exts: Vec<Ext>,
    /// Target.
    pub verdict: EbtVerdict,
    /// Packet counter.
    pub packets: u64,
    /// Byte counter.
    pub bytes: u64,
}

impl EbtRule {
    /// The `struct ebt_entry` ethproto (network order, 0 for none).
    pub fn ethproto(&self) -> u16 {
        match self.proto {
            Some(Proto::Type(t)) => t,
            _ => 0,
        }
    }

    /// `nft_bridge_is_same` and the extension and target comparison of
    /// `nft_rule_cmp`: the rule `-D`/`--check` find (counters ignored;
    /// MAC masks and interface inversion compared through the flags).
    pub fn same_as(&self, o: &EbtRule) -> bool {
        let macs = |a: &Option<Mac>, b: &Option<Mac>| {
            a.map(|m| m.addr).unwrap_or_default() == b.map(|m| m.addr).unwrap_or_default()
                && a.is_some() == b.is_some()
        };
        self.proto == o.proto
            && self.proto_inv == o.proto_inv
            && self.src_inv == o.src_inv
            && self.dst_inv == o.dst_inv
            && macs(&self.src, &o.src)
            && macs(&self.dst, &o.dst)
            && self.iniface == o.iniface
            && self.outiface == o.outiface
            && self.logical_in == o.logical_in
            && self.logical_out == o.logical_out
            && self.exts == o.exts
            && self.verdict == o.verdict
    }
}
