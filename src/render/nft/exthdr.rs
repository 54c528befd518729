//! Extension header expressions: IPv6 extension headers, TCP options and
//! IPv4 options (nft's `exthdr.c`, `tcpopt.c`, `ipopt.c`).

use super::dtype::{Bo, Dt};
use super::expr::{Expr, Exthdr, Kind};
use super::num::Num;
use super::udata::{tlvs, u32_of};

/// `NFT_EXTHDR_OP_IPV6`
pub const OP_IPV6: u32 = 0;
/// `NFT_EXTHDR_OP_TCPOPT`
pub const OP_TCPOPT: u32 = 1;
/// `NFT_EXTHDR_OP_IPV4`
pub const OP_IPV4: u32 = 2;
/// `NFT_EXTHDR_OP_SCTP`
pub const OP_SCTP: u32 = 3;
/// `NFT_EXTHDR_F_PRESENT`
pub const F_PRESENT: u32 = 1;

/// An extension header / option description.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Hash)]
#[allow(missing_docs)]
pub enum DescId {
    Hbh,
    Rt,
    Rt0,
    Rt2,
    Srh,
    Frag,
    Dst,
    Mh,
    TcpEol,
    TcpNop,
    TcpMaxseg,
    TcpWindow,
    TcpSackPerm,
    TcpSack,
    TcpTimestamp,
    TcpMd5sig,
    TcpMptcp,
    TcpFastopen,
    IpLsrr,
    IpRr,
    IpSsrr,
    IpRa,
    /// SCTP chunk types (`sctp chunk NAME`), by chunk type.
    Sctp(u8),
}

/// A field.
pub type T = (&'static str, Dt, u32, u32);
const NO: T = ("", Dt::Invalid, 0, 0);
const IN: Dt = Dt::Integer;

/// A description: name, raw type, fields (10 slots as in nft).
pub struct Desc {
    /// Name.
    pub name: &'static str,
    /// Raw header/option type.
    pub ty: u8,
    /// `EXTHDR_DESC_*` id (IPv6 only).
    pub id: u32,
    /// Fields.
    pub t: [T; 10],
}

macro_rules! d {
    ($name:expr, $ty:expr, $id:expr, [$($t:expr),* $(,)?]) => {{
        let mut t = [NO; 10];
        let v: &[T] = &[$($t),*];
        let mut i = 0;
        while i < v.len() {
            t[i] = v[i];
            i += 1;
        }
        Desc { name: $name, ty: $ty, id: $id, t }
    }};
}

static HBH: Desc = d!(
    "hbh",
    0,
    1,
    [
        NO,
        ("nexthdr", Dt::InetProto, 0, 8),
        ("hdrlength", IN, 8, 8)
    ]
);
static RT: Desc = d!(
    "rt",
    43,
    2,
    [
        NO,
        ("nexthdr", Dt::InetProto, 0, 8),
        ("hdrlength", IN, 8, 8),
        ("type", IN, 16, 8),
        ("seg-left", IN, 24, 8)
    ]
);
static RT0: Desc = d!(
    "rt0",
    43,
    3,
    [
        NO,
        ("reserved", IN, 32, 8),
        ("addr[1]", Dt::Ip6Addr, 64, 128),
        ("addr[2]", Dt::Ip6Addr, 192, 128)
    ]
);
static RT2: Desc = d!("rt2", 43, 4, []);
static SRH: Desc = d!(
    "srh",
    43,
    5,
    [
        NO,
        ("last-entry", IN, 32, 8),
        ("flags", IN, 40, 8),
        ("tag", IN, 48, 16),
        ("sid[1]", Dt::Ip6Addr, 64, 128),
        ("sid[2]", Dt::Ip6Addr, 192, 128)
    ]
);
static FRAG: Desc = d!(
    "frag",
    44,
    6,
    [
        NO,
        ("nexthdr", Dt::InetProto, 0, 8),
        ("reserved", IN, 8, 8),
        ("frag-off", IN, 16, 13),
        ("reserved2", IN, 29, 2),
        ("more-fragments", IN, 31, 1),
        ("id", IN, 32, 32)
    ]
);
static DST: Desc = d!(
    "dst",
    60,
    7,
    [
        NO,
        ("nexthdr", Dt::InetProto, 0, 8),
        ("hdrlength", IN, 8, 8)
    ]
);
static MH: Desc = d!(
    "mh",
    135,
    8,
    [
        NO,
        ("nexthdr", Dt::InetProto, 0, 8),
        ("hdrlength", IN, 8, 8),
        ("type", Dt::MhType, 16, 8),
        ("reserved", IN, 24, 8),
        ("checksum", IN, 32, 16)
    ]
);
static EOL: Desc = d!("eol", 0, 0, [("kind", IN, 0, 8)]);
static NOP: Desc = d!("nop", 1, 0, [("kind", IN, 0, 8)]);
static MAXSEG: Desc = d!(
    "maxseg",
    2,
    0,
    [
        ("kind", IN, 0, 8),
        ("length", IN, 8, 8),
        ("size", IN, 16, 16)
    ]
);
static WINDOW: Desc = d!(
    "window",
    3,
    0,
    [
        ("kind", IN, 0, 8),
        ("length", IN, 8, 8),
        ("count", IN, 16, 8)
    ]
);
static SACKPERM: Desc = d!(
    "sack-perm",
    4,
    0,
    [("kind", IN, 0, 8), ("length", IN, 8, 8)]
);
static SACK: Desc = d!(
    "sack",
    5,
    0,
    [
        ("kind", IN, 0, 8),
        ("length", IN, 8, 8),
        ("left", IN, 16, 32),
        ("right", IN, 48, 32),
        ("left", IN, 80, 32),
        ("right", IN, 112, 32),
        ("left", IN, 144, 32),
        ("right", IN, 176, 32),
        ("left", IN, 208, 32),
        ("right", IN, 240, 32)
    ]
);
static TS: Desc = d!(
    "timestamp",
    8,
    0,
    [
        ("kind", IN, 0, 8),
        ("length", IN, 8, 8),
        ("tsval", IN, 16, 32),
        ("tsecr", IN, 48, 32)
    ]
);
static MD5: Desc = d!("md5sig", 19, 0, [("kind", IN, 0, 8), ("length", IN, 8, 8)]);
static MPTCP: Desc = d!(
    "mptcp",
    30,
    0,
    [
        ("kind", IN, 0, 8),
        ("length", IN, 8, 8),
        ("subtype", IN, 16, 4)
    ]
);
static FASTOPEN: Desc = d!(
    "fastopen",
    34,
    0,
    [("kind", IN, 0, 8), ("length", IN, 8, 8)]
);
static LSRR: Desc = d!(
    "lsrr",
    131,
    0,
    [
        NO,
        ("type", IN, 0, 8),
        ("length", IN, 8, 8),
        NO,
        ("ptr", IN, 16, 8),
        ("addr", IN, 24, 32)
    ]
);
static RR: Desc = d!(
    "rr",
    7,
    0,
    [
        NO,
        ("type", IN, 0, 8),
        ("length", IN, 8, 8),
        NO,
        ("ptr", IN, 16, 8),
        ("addr", IN, 24, 32)
    ]
);
static SSRR: Desc = d!(
    "ssrr",
    137,
    0,
    [
        NO,
        ("type", IN, 0, 8),
        ("length", IN, 8, 8),
        NO,
        ("ptr", IN, 16, 8),
        ("addr", IN, 24, 32)
    ]
);
static RA: Desc = d!(
    "ra",
    148,
    0,
    [
        NO,
        ("type", IN, 0, 8),
        ("length", IN, 8, 8),
        ("value", IN, 16, 16)
    ]
);

/// The fields every SCTP chunk starts with, then the fields of each chunk
/// type nft knows (RFC 4960, 5061, 3758, 6525 layouts, in bits).
macro_rules! sctp {
    ($name:expr, $ty:expr, [$($t:expr),* $(,)?]) => {
        d!($name, $ty, 0, [("type", IN, 0, 8), ("flags", IN, 8, 8), ("length", IN, 16, 16), $($t),*])
    };
}

static SCTP_DATA: Desc = sctp!(
    "data",
    0,
    [
        ("tsn", IN, 32, 32),
        ("stream", IN, 64, 16),
        ("ssn", IN, 80, 16),
        ("ppid", IN, 96, 32)
    ]
);
const SCTP_INIT_DESC: Desc = sctp!(
    "init",
    1,
    [
        ("init-tag", IN, 32, 32),
        ("a-rwnd", IN, 64, 32),
        ("num-outbound-streams", IN, 96, 16),
        ("num-inbound-streams", IN, 112, 16),
        ("initial-tsn", IN, 128, 32)
    ]
);
static SCTP_INIT: Desc = SCTP_INIT_DESC;
/// INIT ACK has INIT's layout.
static SCTP_INIT_ACK: Desc = Desc {
    name: "init-ack",
    ty: 2,
    ..SCTP_INIT_DESC
};
static SCTP_SACK: Desc = sctp!(
    "sack",
    3,
    [
        ("cum-tsn-ack", IN, 32, 32),
        ("a-rwnd", IN, 64, 32),
        ("num-gap-ack-blocks", IN, 96, 16),
        ("num-dup-tsns", IN, 112, 16)
    ]
);
static SCTP_HEARTBEAT: Desc = sctp!("heartbeat", 4, []);
static SCTP_HEARTBEAT_ACK: Desc = sctp!("heartbeat-ack", 5, []);
static SCTP_ABORT: Desc = sctp!("abort", 6, []);
static SCTP_SHUTDOWN: Desc = sctp!("shutdown", 7, [("cum-tsn-ack", IN, 32, 32)]);
static SCTP_SHUTDOWN_ACK: Desc = sctp!("shutdown-ack", 8, []);
static SCTP_ERROR: Desc = sctp!("error", 9, []);
static SCTP_COOKIE_ECHO: Desc = sctp!("cookie-echo", 10, []);
static SCTP_COOKIE_ACK: Desc = sctp!("cookie-ack", 11, []);
static SCTP_ECNE: Desc = sctp!("ecne", 12, [("lowest-tsn", IN, 32, 32)]);
static SCTP_CWR: Desc = sctp!("cwr", 13, [("lowest-tsn", IN, 32, 32)]);
static SCTP_SHUTDOWN_COMPLETE: Desc = sctp!("shutdown-complete", 14, []);
static SCTP_ASCONF_ACK: Desc = sctp!("asconf-ack", 128, [("seqno", IN, 32, 32)]);
static SCTP_FORWARD_TSN: Desc = sctp!("forward-tsn", 192, [("new-cum-tsn", IN, 32, 32)]);
static SCTP_ASCONF: Desc = sctp!("asconf", 193, [("seqno", IN, 32, 32)]);

/// The description of SCTP chunk type `ty`, when nft knows the type.
fn sctp_desc(ty: u8) -> Option<&'static Desc> {
    Some(match ty {
        0 => &SCTP_DATA,
        1 => &SCTP_INIT,
        2 => &SCTP_INIT_ACK,
        3 => &SCTP_SACK,
        4 => &SCTP_HEARTBEAT,
        5 => &SCTP_HEARTBEAT_ACK,
        6 => &SCTP_ABORT,
        7 => &SCTP_SHUTDOWN,
        8 => &SCTP_SHUTDOWN_ACK,
        9 => &SCTP_ERROR,
        10 => &SCTP_COOKIE_ECHO,
        11 => &SCTP_COOKIE_ACK,
        12 => &SCTP_ECNE,
        13 => &SCTP_CWR,
        14 => &SCTP_SHUTDOWN_COMPLETE,
        128 => &SCTP_ASCONF_ACK,
        192 => &SCTP_FORWARD_TSN,
        193 => &SCTP_ASCONF,
        _ => return None,
    })
}

impl DescId {
    /// The description.
    pub fn desc(self) -> &'static Desc {
        match self {
            DescId::Hbh => &HBH,
            DescId::Rt => &RT,
            DescId::Rt0 => &RT0,
            DescId::Rt2 => &RT2,
            DescId::Srh => &SRH,
            DescId::Frag => &FRAG,
            DescId::Dst => &DST,
            DescId::Mh => &MH,
            DescId::TcpEol => &EOL,
            DescId::TcpNop => &NOP,
            DescId::TcpMaxseg => &MAXSEG,
            DescId::TcpWindow => &WINDOW,
            DescId::TcpSackPerm => &SACKPERM,
            DescId::TcpSack => &SACK,
            DescId::TcpTimestamp => &TS,
            DescId::TcpMd5sig => &MD5,
            DescId::TcpMptcp => &MPTCP,
            DescId::TcpFastopen => &FASTOPEN,
            DescId::IpLsrr => &LSRR,
            DescId::IpRr => &RR,
            DescId::IpSsrr => &SSRR,
            DescId::IpRa => &RA,
            // Only made for known chunk types; an unknown one reads as DATA's.
            DescId::Sctp(ty) => sctp_desc(ty).unwrap_or(&SCTP_DATA),
        }
    }
}

fn ipv6_proto(ty: u8) -> Option<DescId> {
    Some(match ty {
        0 => DescId::Hbh,
        43 => DescId::Rt,
        44 => DescId::Frag,
        60 => DescId::Dst,
        135 => DescId::Mh,
        _ => return None,
    })
}

fn ipv6_by_id(id: u32) -> Option<DescId> {
    Some(match id {
        1 => DescId::Hbh,
        2 => DescId::Rt,
        3 => DescId::Rt0,
        4 => DescId::Rt2,
        5 => DescId::Srh,
        6 => DescId::Frag,
        7 => DescId::Dst,
        8 => DescId::Mh,
        _ => return None,
    })
}

/// `tcpopt_protocols[kind]`.
pub fn tcpopt_proto(kind: u32) -> Option<DescId> {
    Some(match kind {
        0 => DescId::TcpEol,
        1 => DescId::TcpNop,
        2 => DescId::TcpMaxseg,
        3 => DescId::TcpWindow,
        4 => DescId::TcpSackPerm,
        5 => DescId::TcpSack,
        8 => DescId::TcpTimestamp,
        19 => DescId::TcpMd5sig,
        30 => DescId::TcpMptcp,
        34 => DescId::TcpFastopen,
        _ => return None,
    })
}

fn ipopt_proto(ty: u32) -> Option<DescId> {
    Some(match ty {
        131 => DescId::IpLsrr,
        7 => DescId::IpRr,
        137 => DescId::IpSsrr,
        148 => DescId::IpRa,
        _ => return None,
    })
}

fn ex(e: &Expr) -> Option<&Exthdr> {
    match &e.kind {
        Kind::Exthdr(x) => Some(x),
        _ => None,
    }
}

fn ex_mut(e: &mut Expr) -> Option<&mut Exthdr> {
    match &mut e.kind {
        Kind::Exthdr(x) => Some(x),
        _ => None,
    }
}

/// `exthdr_init_raw` on a fresh exthdr expression.
pub fn raw(ty: u8, offset: u32, len: u32, op: u32, flags: u32) -> Expr {
    let mut e = Expr::new(
        Kind::Exthdr(Exthdr {
            op,
            raw_type: ty,
            offset,
            flags,
            desc: None,
            tmpl: None,
        }),
        Dt::Invalid,
        Bo::Big,
        len,
    );
    init_raw(&mut e, ty, offset, len, op, flags, true);
    e
}

fn init_raw(e: &mut Expr, ty: u8, offset: u32, len: u32, op: u32, flags: u32, set_unknown: bool) {
    e.len = len;
    let present = flags & F_PRESENT != 0;
    let mut dt = Dt::Invalid;
    {
        let Some(x) = ex_mut(e) else { return };
        x.raw_type = ty;
        x.flags = flags;
        x.offset = offset;
        match op {
            OP_TCPOPT => {
                x.op = OP_TCPOPT;
                x.tmpl = None;
                dt = if present { Dt::Boolean } else { Dt::Integer };
                if let Some(d) = tcpopt_proto(ty as u32) {
                    x.desc = Some(d);
                    for (i, t) in d.desc().t.iter().enumerate() {
                        if t.2 != offset || t.3 != len {
                            continue;
                        }
                        if !present {
                            dt = t.1;
                        }
                        x.tmpl = Some(i);
                        break;
                    }
                }
            }
            OP_IPV4 => {
                x.op = op;
                match ipopt_proto(ty as u32) {
                    Some(d) => {
                        x.desc = Some(d);
                        let mut found = false;
                        for (i, t) in d.desc().t.iter().enumerate() {
                            if t.2 != offset || t.3 != len {
                                continue;
                            }
                            dt = if present { Dt::Boolean } else { t.1 };
                            x.tmpl = Some(i);
                            found = true;
                            break;
                        }
                        if !found && set_unknown {
                            x.tmpl = None;
                        }
                    }
                    None => {
                        x.desc = None;
                        x.tmpl = None;
                    }
                }
            }
            OP_SCTP => {
                x.op = op;
                x.desc = sctp_desc(ty).map(|_| DescId::Sctp(ty));
                x.tmpl = x.desc.and_then(|d| {
                    d.desc()
                        .t
                        .iter()
                        .position(|t| t.3 != 0 && t.2 == offset && t.3 == len)
                });
                dt = if present {
                    Dt::Boolean
                } else {
                    match (x.desc, x.tmpl) {
                        (Some(d), Some(i)) => d.desc().t[i].1,
                        _ => Dt::Invalid,
                    }
                };
            }
            _ => {
                x.op = op;
                x.desc = ipv6_proto(ty);
                x.tmpl = None;
                if let Some(d) = x.desc {
                    let mut found = d.desc().t.iter().position(|t| t.2 == offset && t.3 == len);
                    if found.is_none() && d == DescId::Rt {
                        for alt in [DescId::Srh, DescId::Rt0, DescId::Rt2] {
                            if let Some(i) = alt
                                .desc()
                                .t
                                .iter()
                                .position(|t| t.2 == offset && t.3 == len)
                            {
                                x.desc = Some(alt);
                                found = Some(i);
                                break;
                            }
                        }
                    }
                    x.tmpl = found;
                }
                dt = if present {
                    Dt::Boolean
                } else {
                    match (x.desc, x.tmpl) {
                        (Some(d), Some(i)) => d.desc().t[i].1,
                        _ => Dt::Invalid,
                    }
                };
            }
        }
    }
    e.dt = dt;
}

/// `exthdr_find_template`: narrow a masked load to a known field.
pub fn find_template(e: &mut Expr, mask: &Expr) -> Option<u32> {
    let m = mask.num().copied().unwrap_or(Num::ZERO);
    let moff = m.scan1(0).unwrap_or(0);
    let mlen = m.scan0(moff + 1);
    let x = ex(e)?.clone();
    let off = x.offset + mask.len.div_ceil(8) * 8 - mlen;
    let flen = mlen - moff;
    match x.op {
        OP_IPV4 | OP_TCPOPT => {
            if x.tmpl.is_some() {
                return None;
            }
            let ty = x.desc.map(|d| d.desc().ty)?;
            let mut probe = e.clone();
            init_raw(&mut probe, ty, off, flen, x.op, 0, false);
            ex(&probe)?.tmpl?;
            *e = probe;
            Some(moff)
        }
        OP_IPV6 => {
            let ty = x.desc.map(|d| d.desc().ty)?;
            init_raw(e, ty, off, flen, x.op, 0, true);
            ex(e)?.tmpl?;
            Some(moff)
        }
        _ => None,
    }
}

/// Print an exthdr expression.
pub fn print(o: &mut String, e: &Expr) {
    let Some(x) = ex(e) else { return };
    let present = x.flags & F_PRESENT != 0;
    let token = match (x.desc, x.tmpl) {
        (Some(d), Some(i)) => d.desc().t[i].0,
        _ => "unknown",
    };
    match x.op {
        OP_TCPOPT => {
            let Some(d) = x.desc else {
                if x.offset == 0 && present {
                    o.push_str(&format!("tcp option {}", x.raw_type));
                } else {
                    o.push_str(&format!(
                        "tcp option @{},{},{}",
                        x.raw_type, x.offset, e.len
                    ));
                }
                return;
            };
            o.push_str("tcp option ");
            o.push_str(d.desc().name);
            if present {
                return;
            }
            let off = x.offset / 64;
            if off != 0 {
                o.push_str(&off.to_string());
            }
            o.push(' ');
            o.push_str(token);
        }
        OP_IPV4 => {
            o.push_str("ip option ");
            o.push_str(x.desc.map(|d| d.desc().name).unwrap_or("unknown-exthdr"));
            if present {
                return;
            }
            o.push(' ');
            o.push_str(token);
        }
        OP_SCTP => match x.desc {
            Some(d) => {
                o.push_str("sctp chunk ");
                o.push_str(d.desc().name);
                if !present {
                    o.push(' ');
                    o.push_str(token);
                }
            }
            None => o.push_str(&format!("sctp chunk {}", x.raw_type)),
        },
        _ => {
            let name = x.desc.map(|d| d.desc().name).unwrap_or("unknown-exthdr");
            if present {
                o.push_str("exthdr ");
                o.push_str(name);
            } else {
                o.push_str(name);
                o.push(' ');
                o.push_str(token);
            }
        }
    }
}

/// What the JSON form of an exthdr expression needs.
pub struct JsonParts {
    /// Description name.
    pub name: Option<&'static str>,
    /// Field name.
    pub field: Option<&'static str>,
    /// `NFT_EXTHDR_OP_*`.
    pub op: u32,
    /// Offset in bits.
    pub offset: u32,
    /// Raw type.
    pub raw_type: u8,
    /// Length in bits.
    pub len: u32,
    /// Presence check.
    pub present: bool,
}

/// JSON parts of an exthdr expression.
pub fn json_parts(e: &Expr) -> Option<JsonParts> {
    let x = ex(e)?;
    let field = match (x.desc, x.tmpl) {
        (Some(d), Some(i)) => Some(d.desc().t[i].0),
        _ => Some("unknown"),
    };
    Some(JsonParts {
        name: x.desc.map(|d| d.desc().name),
        field,
        op: x.op,
        offset: x.offset,
        raw_type: x.raw_type,
        len: e.len,
        present: x.flags & F_PRESENT != 0,
    })
}

/// `exthdr_expr_parse_udata` for set `typeof` keys.
pub fn parse_udata(d: &[u8]) -> Option<Expr> {
    let mut v = [None; 3];
    for t in tlvs(d) {
        if (t.ty as usize) < 3 {
            v[t.ty as usize] = Some(u32_of(&t)?);
        }
    }
    let desc_id = v[0]?;
    let ty = v[1]? as usize;
    let op = v[2].unwrap_or(OP_IPV6);
    let (desc, idx) = match op {
        OP_IPV6 => (ipv6_by_id(desc_id), ty),
        OP_TCPOPT => (tcpopt_proto(desc_id), ty),
        OP_IPV4 => (ipopt_proto(desc_id), ty),
        _ => return None,
    };
    let d = desc?;
    let t = *d.desc().t.get(idx)?;
    if t.3 == 0 {
        return None;
    }
    Some(Expr::new(
        Kind::Exthdr(Exthdr {
            op,
            raw_type: d.desc().ty,
            offset: t.2,
            flags: 0,
            desc: Some(d),
            tmpl: Some(idx),
        }),
        t.1,
        Bo::Big,
        t.3,
    ))
}
