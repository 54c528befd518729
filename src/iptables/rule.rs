//! An iptables rule: the fixed part (addresses, interfaces, protocol,
//! fragment flag), the matches, the target, the counters.

use super::addr::AddrMask;
use super::ext::Ctx;
use super::family::Family;
use super::match_::Match;
use super::target::Target;

/// An interface test (`-i`/`-o`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Iface {
    /// Name; a trailing `+` makes it a prefix test. Empty = any.
    pub name: String,
    /// `!`.
    pub inv: bool,
}

impl Iface {
    /// `iface_to_mask`: the bytes compared by `is_same_interfaces`.
    pub fn mask(&self) -> [u8; 16] {
        let mut m = [0u8; 16];
        let b = self.name.as_bytes();
        let n = if b.is_empty() {
            0
        } else if b.last() == Some(&b'+') {
            b.len() - 1
        } else {
            b.len() + 1
        };
        for x in m.iter_mut().take(n.min(16)) {
            *x = 0xff;
        }
        m
    }
    /// The name as a 16-byte field.
    pub fn bytes(&self) -> [u8; 16] {
        let mut v = [0u8; 16];
        for (i, c) in self.name.bytes().take(16).enumerate() {
            v[i] = c;
        }
        v
    }
}

/// What the rule does when it matches.
#[derive(Clone, Debug, Default, PartialEq)]
pub enum Verdict {
    /// No target (`-j` absent): continue.
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
    /// `-g CHAIN`.
    Goto(String),
    /// A target extension.
    Target(Target),
}

impl Verdict {
    /// The name shown in `-L`'s target column and after `-j`.
    pub fn label(&self) -> String {
        match self {
            Verdict::None => String::new(),
            Verdict::Accept => "ACCEPT".into(),
            Verdict::Drop => "DROP".into(),
            Verdict::Return => "RETURN".into(),
            Verdict::Jump(c) | Verdict::Goto(c) => c.clone(),
            Verdict::Target(t) => t.alias().to_string(),
        }
    }
}

/// One iptables rule.
#[derive(Clone, Debug, PartialEq)]
pub struct IptRule {
    /// Family.
    pub family: Family,
    /// `-s`.
    pub src: AddrMask,
    /// `! -s`.
    pub src_inv: bool,
    /// `-d`.
    pub dst: AddrMask,
    /// `! -d`.
    pub dst_inv: bool,
    /// `-i`.
    pub iniface: Iface,
    /// `-o`.
    pub outiface: Iface,
    /// `-p` (0 = all).
    pub proto: u8,
    /// `! -p`.
    pub proto_inv: bool,
    /// `-f`.
    pub frag: bool,
    /// `! -f`.
    pub frag_inv: bool,
    /// Matches in order.
    pub matches: Vec<Match>,
    /// Target or verdict.
    pub verdict: Verdict,
    /// Packet counter.
    pub packets: u64,
    /// Byte counter.
    pub bytes: u64,
}

impl IptRule {
    /// An empty rule (matches everything, no target).
    pub fn new(family: Family) -> IptRule {
        IptRule {
            family,
            src: AddrMask::default(),
            src_inv: false,
            dst: AddrMask::default(),
            dst_inv: false,
            iniface: Iface::default(),
            outiface: Iface::default(),
            proto: 0,
            proto_inv: false,
            frag: false,
            frag_inv: false,
            matches: Vec::new(),
            verdict: Verdict::None,
            packets: 0,
            bytes: 0,
        }
    }

    /// The context extensions see for this rule.
    pub fn ctx<'a>(&self, table: &'a str) -> Ctx<'a> {
        Ctx {
            family: self.family,
            proto: self.proto,
            proto_inv: self.proto_inv,
            table,
        }
    }

    /// `nft_rule_cmp`: the same rule for `-C`/`-D` (fixed part, matches by
    /// name/size/userspace bytes, target likewise, counters ignored).
    pub fn same_as(&self, o: &IptRule, table: &str) -> bool {
        let n = self.family.addr_len();
        if self.family != o.family
            || self.src.addr[..n] != o.src.addr[..n]
            || self.src.mask[..n] != o.src.mask[..n]
            || self.dst.addr[..n] != o.dst.addr[..n]
            || self.dst.mask[..n] != o.dst.mask[..n]
            || self.proto != o.proto
            || self.src_inv != o.src_inv
            || self.dst_inv != o.dst_inv
            || self.proto_inv != o.proto_inv
            || self.frag != o.frag
            || self.frag_inv != o.frag_inv
            || self.iniface.inv != o.iniface.inv
            || self.outiface.inv != o.outiface.inv
            || matches!(self.verdict, Verdict::Goto(_)) != matches!(o.verdict, Verdict::Goto(_))
        {
            return false;
        }
        for (a, b) in [(&self.iniface, &o.iniface), (&self.outiface, &o.outiface)] {
            let (ma, mb) = (a.mask(), b.mask());
            if ma != mb {
                return false;
            }
            let (na, nb) = (a.bytes(), b.bytes());
            if (0..16).any(|i| na[i] & ma[i] != nb[i] & mb[i]) {
                return false;
            }
        }
        if self.matches.len() != o.matches.len() {
            return false;
        }
        let cx = self.ctx(table);
        let ocx = o.ctx(table);
        for (a, b) in self.matches.iter().zip(&o.matches) {
            if a.cmp_key(&cx) != b.cmp_key(&ocx) {
                return false;
            }
        }
        match (&self.verdict, &o.verdict) {
            (Verdict::Target(a), Verdict::Target(b)) => a.cmp_key(&cx) == b.cmp_key(&ocx),
            (a, b) => {
                a.label() == b.label()
                    && !matches!(a, Verdict::Target(_))
                    && !matches!(b, Verdict::Target(_))
            }
        }
    }
}
