//! The `among` match (`--among-src`, `--among-dst` and their `-file`
//! forms): MAC addresses, optionally each with an IPv4 address, that
//! ebtables-nft 1.8.11 writes as an anonymous constant set and a `lookup`
//! (`add_nft_among`), not as an xt blob. Pairs are kept sorted as
//! ebtables-nft keeps them (`nft_among_insert_pair`).

use crate::expr::lookup::Lookup;
use crate::expr::meta::MetaKey;
use crate::expr::payload::{Payload, PayloadBase};
use crate::expr::Expr;
use crate::iptables::encode::Sink;
use crate::iptables::{IptError, Result};
use crate::object::element::{SetElem, SetElemList, SetElemsAttrs};
use crate::object::set::{SetAttrs, SetDesc};
use crate::object::{Obj, SetElems};

/// One side of the match.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AmongList {
    /// `!`.
    pub inv: bool,
    /// Pairs carry IP addresses (the set key is MAC . IPv4).
    pub ip: bool,
    /// `(MAC, IPv4)` pairs, sorted; the address is 0 when not given.
    pub pairs: Vec<([u8; 6], [u8; 4])>,
    /// The kernel's name of the set (`__setN`), for a rule read back.
    pub set: Option<String>,
}

/// `--among-src` and `--among-dst`.
#[derive(Clone, Debug, Default, Eq)]
pub struct Among {
    /// Source side.
    pub src: Option<AmongList>,
    /// Destination side.
    pub dst: Option<AmongList>,
}

impl PartialEq for Among {
    /// Same lists (the kernel's set names aside).
    fn eq(&self, o: &Among) -> bool {
        let same = |a: &Option<AmongList>, b: &Option<AmongList>| match (a, b) {
            (Some(x), Some(y)) => x.inv == y.inv && x.ip == y.ip && x.pairs == y.pairs,
            (None, None) => true,
            _ => false,
        };
        same(&self.src, &o.src) && same(&self.dst, &o.dst)
    }
}

/// `NFT_DATATYPE_ETHERADDR`, `NFT_DATATYPE_IPADDR`, `CONCAT_TYPE_BITS`.
const ETHERADDR: u32 = 9;
const IPADDR: u32 = 7;
const CONCAT_BITS: u32 = 6;
/// `NFT_SET_ANONYMOUS | NFT_SET_CONSTANT`, `NFT_SET_INTERVAL`, `NFT_SET_CONCAT`.
const F_ANON_CONST: u32 = 0x1 | 0x2;
const F_INTERVAL: u32 = 0x4;
const F_CONCAT: u32 = 0x80;

/// `ether_ntoa`: hex bytes without leading zeros.
fn ether_ntoa(m: &[u8; 6]) -> String {
    m.iter()
        .map(|b| format!("{b:x}"))
        .collect::<Vec<_>>()
        .join(":")
}

impl AmongList {
    /// Parse a list (`MAC[=IP],...`), as `bramong_parse` does.
    pub fn parse(arg: &str, inv: bool) -> Result<AmongList> {
        let ip = arg.contains('=');
        let mut l = AmongList {
            inv,
            ip,
            pairs: Vec::new(),
            set: None,
        };
        for item in arg.split(',').filter(|s| !s.is_empty()) {
            let (m, a) = match item.split_once('=') {
                Some((m, a)) => (m, Some(a)),
                None => (item, None),
            };
            let mut addr = [0u8; 4];
            if let Some(a) = a {
                addr = a
                    .parse::<std::net::Ipv4Addr>()
                    .map_err(|_| IptError::param(format!("Invalid IP address '{a}'")))?
                    .octets();
            }
            let mac = crate::arptables::target::parse_mac(m)
                .ok_or_else(|| IptError::param(format!("Invalid MAC address '{m}'")))?;
            let p = (mac, addr);
            let at = l.pairs.partition_point(|q| key(q) < key(&p));
            if l.pairs.get(at) != Some(&p) {
                l.pairs.insert(at, p);
            }
        }
        Ok(l)
    }

    /// The set's key length (a MAC, or MAC . IPv4 aligned to 4 bytes).
    fn key_len(&self) -> u32 {
        if self.ip {
            12
        } else {
            6
        }
    }

    /// The anonymous set to create (`name` `__set%d`, `id` its batch id).
    pub fn set(&self, table: &str, id: u32) -> crate::object::Set {
        let (ty, flags) = if self.ip {
            (
                (ETHERADDR << CONCAT_BITS) | IPADDR,
                F_ANON_CONST | F_INTERVAL | F_CONCAT,
            )
        } else {
            (ETHERADDR, F_ANON_CONST)
        };
        let attrs = SetAttrs {
            table: Some(table.into()),
            name: Some("__set%d".into()),
            flags: Some(flags),
            key_type: Some(ty),
            key_len: Some(self.key_len()),
            desc: Some(SetDesc {
                size: Some(self.pairs.len() as u32),
                concat: self
                    .ip
                    .then(|| crate::object::lists::ConcatDesc(vec![6, 4])),
                ..Default::default()
            }),
            id: Some(id),
            ..Default::default()
        };
        Obj {
            family: crate::consts::family::BRIDGE,
            attrs,
        }
    }

    /// The elements of the set (an address 0 matches any: its range ends
    /// at 255.255.255.255).
    pub fn elements(&self, table: &str, id: u32) -> SetElems {
        let elems = self
            .pairs
            .iter()
            .map(|(m, a)| {
                let mut k = m.to_vec();
                let mut end = None;
                if self.ip {
                    k.extend_from_slice(&[0, 0]);
                    let mut e = k.clone();
                    k.extend_from_slice(a);
                    e.extend_from_slice(if *a == [0; 4] { &[0xff; 4] } else { a });
                    end = Some(crate::data::Data::value(e));
                }
                SetElem {
                    key: Some(crate::data::Data::value(k)),
                    key_end: end,
                    ..Default::default()
                }
            })
            .collect();
        Obj {
            family: crate::consts::family::BRIDGE,
            attrs: SetElemsAttrs {
                table: Some(table.into()),
                set: Some("__set%d".into()),
                elems: Some(SetElemList(elems)),
                set_id: Some(id),
                ..Default::default()
            },
        }
    }

    /// The loads and the lookup (`dst`: the destination side); `id` the
    /// batch id of a set being created, else the list's kernel set name.
    pub fn exprs(&self, dst: bool, id: Option<u32>, out: &mut Vec<Expr>) {
        let off = if dst { 0 } else { 6 };
        out.payload(PayloadBase::LinkLayer, off, 6);
        if self.ip {
            out.push(Expr::Payload(Payload::load(
                PayloadBase::Network,
                if dst { 16 } else { 12 },
                4,
                10,
            )));
        }
        let name = match (id, &self.set) {
            (None, Some(n)) => n.clone(),
            _ => "__set%d".to_string(),
        };
        out.push(Expr::Lookup(Lookup {
            set: Some(name),
            sreg: Some(1),
            set_id: id,
            flags: Some(u32::from(self.inv)),
            ..Default::default()
        }));
    }

    /// Read a list back from its set: it must be an anonymous constant set
    /// of the key ebtables writes, with elements as ebtables writes them.
    pub fn from_set(set: &crate::object::Set, elems: &[SetElem], inv: bool) -> Option<AmongList> {
        let a = &set.attrs;
        let ip = match (a.key_type?, a.key_len?) {
            (ETHERADDR, 6) => false,
            (t, 12) if t == (ETHERADDR << CONCAT_BITS) | IPADDR => true,
            _ => return None,
        };
        if a.flags? & F_ANON_CONST != F_ANON_CONST || a.data_type.is_some() {
            return None;
        }
        let mut l = AmongList {
            inv,
            ip,
            pairs: Vec::new(),
            set: Some(a.name.clone()?),
        };
        for e in elems {
            let k = e.key.as_ref()?.bytes()?;
            let mut mac = [0u8; 6];
            mac.copy_from_slice(k.get(..6)?);
            let mut addr = [0u8; 4];
            if ip {
                addr.copy_from_slice(k.get(8..12)?);
            } else if k.len() != 6 {
                return None;
            }
            let p = (mac, addr);
            let at = l.pairs.partition_point(|q| key(q) < key(&p));
            l.pairs.insert(at, p);
        }
        Some(l)
    }

    /// `--among-src LIST ` as listed (with `!` first when inverted).
    pub fn write(&self, dst: bool, out: &mut String) {
        if self.inv {
            out.push_str("! ");
        }
        out.push_str(if dst { "--among-dst " } else { "--among-src " });
        let items: Vec<String> = self
            .pairs
            .iter()
            .map(|(m, a)| {
                if self.ip && *a != [0; 4] {
                    format!("{}={}", ether_ntoa(m), std::net::Ipv4Addr::from(*a))
                } else {
                    ether_ntoa(m)
                }
            })
            .collect();
        out.push_str(&items.join(","));
        out.push(' ');
    }
}

/// The order ebtables-nft keeps pairs in (`memcmp` of the pair struct).
fn key(p: &([u8; 6], [u8; 4])) -> [u8; 12] {
    let mut k = [0u8; 12];
    k[..6].copy_from_slice(&p.0);
    k[8..].copy_from_slice(&p.1);
    k
}

impl Among {
    /// Whether a side carries IP addresses (the rule then first checks
    /// that the frame is IPv4).
    pub fn needs_ipv4(&self) -> bool {
        [&self.src, &self.dst]
            .iter()
            .any(|l| l.as_ref().is_some_and(|l| l.ip && !l.pairs.is_empty()))
    }

    /// The expressions (`ids`: batch ids of the sets being created, source
    /// then destination; None to refer to the kernel's sets by name).
    pub fn exprs(&self, ids: Option<(Option<u32>, Option<u32>)>, out: &mut Vec<Expr>) {
        if self.needs_ipv4() {
            out.meta(MetaKey::Protocol);
            out.cmp(crate::expr::cmp::CmpOp::Eq, &0x0800u16.to_be_bytes());
        }
        let (si, di) = ids.unwrap_or((None, None));
        if let Some(l) = self.src.as_ref().filter(|l| !l.pairs.is_empty()) {
            l.exprs(false, si, out);
        }
        if let Some(l) = self.dst.as_ref().filter(|l| !l.pairs.is_empty()) {
            l.exprs(true, di, out);
        }
    }

    /// Parse one option.
    pub fn parse(&mut self, opt: &str, arg: &str, invert: bool) -> Result<()> {
        let text;
        let list = if opt.ends_with("-file") {
            text = std::fs::read_to_string(arg)
                .map_err(|_| IptError::param(format!("Couldn't open file '{arg}'")))?;
            if !text.ends_with('\n') {
                return Err(IptError::param("File should end with a newline"));
            }
            if text.matches('\n').count() != 1 {
                return Err(IptError::param("File should only contain one line"));
            }
            text.trim_end_matches('\n')
        } else {
            arg
        };
        let l = AmongList::parse(list, invert)?;
        if opt.starts_with("among-dst") {
            self.dst = Some(l);
        } else {
            self.src = Some(l);
        }
        Ok(())
    }

    /// The listing text.
    pub fn write(&self, out: &mut String) {
        if let Some(l) = &self.src {
            l.write(false, out);
        }
        if let Some(l) = &self.dst {
            l.write(true, out);
        }
    }
}
