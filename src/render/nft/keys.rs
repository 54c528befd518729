//! Templates of the keyed expressions: meta, ct, rt, socket, xfrm, fib,
//! numgen, hash and osf (name, datatype, byte order, length), and the
//! constructors `netlink_delinearize` uses for them.

use super::dtype::{Bo, Dt};
use super::expr::{flags, Expr, Kind, BASE_LL, BASE_NETWORK, BASE_TRANSPORT};

/// A key template: token, datatype, byte order, length in bits.
pub type KeyTmpl = (&'static str, Dt, Bo, u32);

/// `meta_templates[key]`.
pub fn meta_tmpl(key: u32) -> Option<KeyTmpl> {
    use Bo::*;
    Some(match key {
        0 => ("length", Dt::Integer, Host, 32),
        1 => ("protocol", Dt::EtherType, Big, 16),
        2 => ("priority", Dt::Classid, Host, 32),
        3 => ("mark", Dt::Mark, Host, 32),
        4 => ("iif", Dt::Ifindex, Host, 32),
        5 => ("oif", Dt::Ifindex, Host, 32),
        6 => ("iifname", Dt::Ifname, Host, 128),
        7 => ("oifname", Dt::Ifname, Host, 128),
        8 => ("iiftype", Dt::Arphrd, Host, 16),
        9 => ("oiftype", Dt::Arphrd, Host, 16),
        10 => ("skuid", Dt::Uid, Host, 32),
        11 => ("skgid", Dt::Gid, Host, 32),
        12 => ("nftrace", Dt::Integer, Host, 1),
        13 => ("rtclassid", Dt::Realm, Host, 32),
        14 => ("secmark", Dt::Integer, Host, 32),
        15 => ("nfproto", Dt::Nfproto, Host, 8),
        16 => ("l4proto", Dt::InetProto, Host, 8),
        17 => ("ibrname", Dt::Ifname, Host, 128),
        18 => ("obrname", Dt::Ifname, Host, 128),
        19 => ("pkttype", Dt::PktType, Host, 8),
        20 => ("cpu", Dt::Integer, Host, 32),
        21 => ("iifgroup", Dt::Devgroup, Host, 32),
        22 => ("oifgroup", Dt::Devgroup, Host, 32),
        23 => ("cgroup", Dt::Integer, Host, 32),
        24 => ("random", Dt::Integer, Big, 32),
        25 => ("ipsec", Dt::Boolean, Host, 8),
        26 => ("iifkind", Dt::Ifname, Host, 128),
        27 => ("oifkind", Dt::Ifname, Host, 128),
        28 => ("ibrpvid", Dt::Integer, Host, 16),
        29 => ("ibrvproto", Dt::EtherType, Big, 16),
        30 => ("time", Dt::TimeDate, Host, 64),
        31 => ("day", Dt::TimeDay, Host, 8),
        32 => ("hour", Dt::TimeHour, Host, 32),
        33 => ("sdif", Dt::Ifindex, Host, 32),
        34 => ("sdifname", Dt::Ifname, Host, 128),
        _ => return None,
    })
}

/// Meta keys printed without the `meta` keyword.
pub fn meta_unqualified(key: u32) -> bool {
    matches!(key, 4 | 5 | 6 | 7 | 21 | 22)
}

/// `meta_expr_alloc`.
pub fn meta_expr(key: u32) -> Option<Expr> {
    let (_, dt, bo, len) = meta_tmpl(key)?;
    let (f, base) = match key {
        8 => (flags::PROTOCOL, 0),
        15 => (flags::PROTOCOL, BASE_LL),
        16 => (flags::PROTOCOL, BASE_NETWORK),
        1 => (flags::PROTOCOL, BASE_LL),
        _ => (0, 0),
    };
    let mut e = Expr::new(Kind::Meta { key, base }, dt, bo, len);
    e.flags = f;
    Some(e)
}

/// `ct_templates[key]`.
pub fn ct_tmpl(key: u32) -> Option<KeyTmpl> {
    use Bo::*;
    Some(match key {
        0 => ("state", Dt::CtState, Host, 32),
        1 => ("direction", Dt::CtDir, Host, 8),
        2 => ("status", Dt::CtStatus, Host, 32),
        3 => ("mark", Dt::Mark, Host, 32),
        4 => ("secmark", Dt::Integer, Host, 32),
        5 => ("expiration", Dt::Time, Host, 32),
        6 => ("helper", Dt::String, Host, 128),
        7 => ("l3proto", Dt::Nfproto, Host, 8),
        8 => ("saddr", Dt::Invalid, Big, 0),
        9 => ("daddr", Dt::Invalid, Big, 0),
        10 => ("protocol", Dt::InetProto, Big, 8),
        11 => ("proto-src", Dt::Invalid, Big, 16),
        12 => ("proto-dst", Dt::Invalid, Big, 16),
        13 => ("label", Dt::CtLabel, Host, 128),
        14 => ("packets", Dt::Integer, Host, 64),
        15 => ("bytes", Dt::Integer, Host, 64),
        16 => ("avgpkt", Dt::Integer, Host, 64),
        17 => ("zone", Dt::Integer, Host, 16),
        18 => ("event", Dt::CtEvent, Host, 32),
        19 => ("ip saddr", Dt::IpAddr, Big, 32),
        20 => ("ip daddr", Dt::IpAddr, Big, 32),
        21 => ("ip6 saddr", Dt::Ip6Addr, Big, 128),
        22 => ("ip6 daddr", Dt::Ip6Addr, Big, 128),
        23 => ("id", Dt::Integer, Big, 32),
        _ => return None,
    })
}

/// `ct_expr_alloc`.
pub fn ct_expr(key: u32, dir: i8) -> Option<Expr> {
    let (_, dt, bo, len) = ct_tmpl(key)?;
    let (f, base) = match key {
        8 | 9 => (0, BASE_NETWORK),
        11 | 12 => (0, BASE_TRANSPORT),
        10 => (flags::PROTOCOL, BASE_NETWORK),
        7 => (flags::PROTOCOL, BASE_LL),
        _ => (0, 0),
    };
    let mut e = Expr::new(
        Kind::Ct {
            key,
            dir,
            nfproto: 0,
            base,
        },
        dt,
        bo,
        len,
    );
    e.flags = f;
    Some(e)
}

/// Name of a conntrack direction.
pub fn ct_dir_name(dir: i8) -> Option<&'static str> {
    match dir {
        0 => Some("original"),
        1 => Some("reply"),
        _ => None,
    }
}

/// `rt_templates[key]`.
pub fn rt_tmpl(key: u32) -> Option<KeyTmpl> {
    Some(match key {
        0 => ("classid", Dt::Realm, Bo::Host, 32),
        1 => ("nexthop", Dt::IpAddr, Bo::Big, 32),
        2 => ("nexthop", Dt::Ip6Addr, Bo::Big, 128),
        3 => ("mtu", Dt::Integer, Bo::Host, 16),
        4 => ("ipsec", Dt::Boolean, Bo::Host, 8),
        _ => return None,
    })
}

/// `socket_templates[key]`.
pub fn socket_tmpl(key: u32) -> Option<KeyTmpl> {
    Some(match key {
        0 => ("transparent", Dt::Integer, Bo::Host, 8),
        1 => ("mark", Dt::Mark, Bo::Host, 32),
        2 => ("wildcard", Dt::Integer, Bo::Host, 8),
        3 => ("cgroupv2", Dt::Cgroupv2, Bo::Host, 64),
        _ => return None,
    })
}

/// `xfrm_templates[key]`.
pub fn xfrm_tmpl(key: u32) -> Option<KeyTmpl> {
    Some(match key {
        1 => ("daddr", Dt::IpAddr, Bo::Big, 32),
        2 => ("daddr", Dt::Ip6Addr, Bo::Big, 128),
        3 => ("saddr", Dt::IpAddr, Bo::Big, 32),
        4 => ("saddr", Dt::Ip6Addr, Bo::Big, 128),
        5 => ("reqid", Dt::Integer, Bo::Host, 32),
        6 => ("spi", Dt::Integer, Bo::Big, 32),
        _ => return None,
    })
}

/// `fib_expr_alloc`: datatype and length by result and flags.
pub fn fib_expr(flags_: u32, result: u32) -> Option<Expr> {
    let (mut dt, len) = match result {
        1 => (Dt::Ifindex, 32),
        2 => (Dt::String, 128),
        3 => (Dt::FibAddr, 32),
        _ => return None,
    };
    if flags_ & 0x20 != 0 {
        dt = Dt::Boolean;
    }
    Some(Expr::new(
        Kind::Fib {
            flags: flags_,
            result,
        },
        dt,
        Bo::Host,
        len,
    ))
}

/// Name of a fib result.
pub fn fib_result_name(result: u32) -> &'static str {
    match result {
        1 => "oif",
        2 => "oifname",
        3 => "type",
        _ => "unknown",
    }
}
