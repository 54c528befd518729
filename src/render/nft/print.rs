//! Text form of expressions and statements, as `nft list` prints them.

use super::dtype::Dt;
use super::expr::{Expr, Kind, Op, BASE_INNER, BASE_LL, BASE_NETWORK, BASE_TRANSPORT};
use super::exthdr;
use super::keys;
use super::octx::Octx;
use super::proto::ProtoId;
use super::stmt::{nat_type, Log, Nat, Stmt};
use super::value;
use std::fmt::Write;

/// True when nft's scanner reads `s` as one identifier.
pub fn plain_identifier(s: &str) -> bool {
    let mut it = s.chars();
    match it.next() {
        Some(c) if c.is_ascii_alphabetic() || c == '_' || c == '.' => {}
        _ => return false,
    }
    it.all(|c| c.is_ascii_alphanumeric() || matches!(c, '/' | '-' | '_' | '.'))
}

/// A chain name as printed: quoted when nft's parser could not read it
/// back (e.g. `svc:web`).
pub fn chain_name(s: &str) -> String {
    if plain_identifier(s) {
        s.to_string()
    } else {
        format!("\"{s}\"")
    }
}

/// Print an expression.
pub fn expr(o: &mut String, e: &Expr, oc: &Octx) {
    match &e.kind {
        Kind::Value(_) => value::print_value(o, e, oc),
        Kind::Verdict { code, chain } => verdict(o, *code, chain.as_deref()),
        Kind::Payload(p) => match (p.desc, p.tmpl) {
            (Some(d), Some(i)) if d != ProtoId::Unknown => {
                let _ = write!(o, "{} {}", d.desc().name, d.tmpl(i).token);
            }
            _ => {
                let b = match p.base {
                    BASE_LL => "ll",
                    BASE_NETWORK => "nh",
                    BASE_TRANSPORT => "th",
                    BASE_INNER => "ih",
                    _ => "invalid",
                };
                let _ = write!(o, "@{},{},{}", b, p.offset, e.len);
            }
        },
        Kind::Exthdr(_) => exthdr::print(o, e),
        Kind::Meta { key, .. } => {
            let tok = keys::meta_tmpl(*key).map(|t| t.0).unwrap_or("unknown");
            if keys::meta_unqualified(*key) {
                o.push_str(tok);
            } else {
                let _ = write!(o, "meta {tok}");
            }
        }
        Kind::Ct {
            key, dir, nfproto, ..
        } => ct(o, *key, *dir, *nfproto),
        Kind::Rt { key } => {
            let ip = match key {
                1 => "ip ",
                2 => "ip6 ",
                _ => "",
            };
            let tok = keys::rt_tmpl(*key).map(|t| t.0).unwrap_or("unknown");
            let _ = write!(o, "rt {ip}{tok}");
        }
        Kind::Socket { key, level } => {
            let tok = keys::socket_tmpl(*key).map(|t| t.0).unwrap_or("unknown");
            let _ = write!(o, "socket {tok}");
            if *key == 3 {
                let _ = write!(o, " level {level}");
            }
        }
        Kind::Osf { ttl, flags } => {
            let t = match ttl {
                1 => "ttl loose ",
                2 => "ttl skip ",
                _ => "",
            };
            let what = if flags & 1 != 0 { "version" } else { "name" };
            let _ = write!(o, "osf {t}{what}");
        }
        Kind::Fib { flags, result } => {
            o.push_str("fib ");
            let mut f = flags & !0x20;
            for (bit, name) in [
                (1, "saddr"),
                (2, "daddr"),
                (4, "mark"),
                (8, "iif"),
                (16, "oif"),
            ] {
                if f & bit == 0 {
                    continue;
                }
                o.push_str(name);
                f &= !bit;
                if f != 0 {
                    o.push_str(" . ");
                }
            }
            if f != 0 {
                let _ = write!(o, "0x{f:x}");
            }
            let _ = write!(o, " {}", keys::fib_result_name(*result));
        }
        Kind::Numgen {
            ty,
            modulus,
            offset,
        } => {
            let t = match ty {
                0 => "inc",
                1 => "random",
                _ => "[unknown numgen]",
            };
            let _ = write!(o, "numgen {t} mod {modulus}");
            if *offset != 0 {
                let _ = write!(o, " offset {offset}");
            }
        }
        Kind::Hash {
            ty,
            modulus,
            seed,
            offset,
            expr: inner,
        } => {
            if *ty == 1 {
                o.push_str("symhash");
            } else {
                o.push_str("jhash ");
                if let Some(i) = inner {
                    expr(o, i, oc);
                }
            }
            let _ = write!(o, " mod {modulus}");
            if let Some(s) = seed {
                let _ = write!(o, " seed 0x{s:x}");
            }
            if *offset != 0 {
                let _ = write!(o, " offset {offset}");
            }
        }
        Kind::Xfrm { key, dir, spnum } => {
            match dir {
                0 => o.push_str("ipsec in"),
                1 => o.push_str("ipsec out"),
                d => {
                    let _ = write!(o, "ipsec (unknown dir {d})");
                }
            }
            if *spnum != 0 {
                let _ = write!(o, " spnum {spnum}");
            }
            match key {
                1 | 3 => o.push_str(" ip"),
                2 | 4 => o.push_str(" ip6"),
                5 | 6 => {}
                k => {
                    let _ = write!(o, " (unknown key 0x{k:x})");
                    return;
                }
            }
            let tok = keys::xfrm_tmpl(*key).map(|t| t.0).unwrap_or("unknown");
            let _ = write!(o, " {tok}");
        }
        Kind::Prefix { expr: inner, plen } => {
            expr(o, inner, oc);
            let _ = write!(o, "/{plen}");
        }
        Kind::Range(l, r) => {
            let mut n = oc.numeric();
            n.handle = oc.handle;
            expr(o, l, &n);
            o.push('-');
            expr(o, r, &n);
        }
        Kind::Concat(parts) => {
            for (i, p) in parts.iter().enumerate() {
                if i > 0 {
                    o.push_str(" . ");
                }
                expr(o, p, oc);
            }
        }
        Kind::List(parts) => {
            for (i, p) in parts.iter().enumerate() {
                if i > 0 {
                    o.push(',');
                }
                expr(o, p, oc);
            }
        }
        Kind::Set { elems, set_flags } => set(o, elems, *set_flags, e.dt, oc),
        Kind::SetRef(s) => {
            if s.meter() {
                o.push_str(&s.name);
            } else if s.anonymous() {
                match &s.init {
                    Some(i) => expr(o, i, oc),
                    None => o.push_str("{ }"),
                }
            } else {
                let _ = write!(o, "@{}", s.name);
            }
        }
        Kind::SetElem(se) => {
            expr(o, &se.key, oc);
            for s in &se.stmts {
                o.push(' ');
                stmt(o, s, oc);
            }
            if se.timeout != 0 {
                o.push_str(" timeout ");
                o.push_str(&value::time_text(se.timeout, oc));
            }
            if !oc.stateless && se.expiration != 0 {
                o.push_str(" expires ");
                o.push_str(&value::time_text(se.expiration, oc));
            }
            if let Some(c) = &se.comment {
                let _ = write!(o, " comment \"{c}\"");
            }
        }
        Kind::Catchall => o.push('*'),
        Kind::Mapping(l, r) => {
            expr(o, l, oc);
            o.push_str(" : ");
            expr(o, r, oc);
        }
        Kind::Map(m, maps) => {
            expr(o, m, oc);
            let vmap = match &maps.kind {
                Kind::SetRef(s) => s.data_dt == Some(Dt::Verdict),
                Kind::Set { elems, .. } => matches!(
                    elems.first().map(|f| &f.kind),
                    Some(Kind::Mapping(_, r)) if matches!(r.kind, Kind::Verdict { .. })
                ),
                _ => false,
            };
            o.push_str(if vmap { " vmap " } else { " map " });
            expr(o, maps, oc);
        }
        Kind::Unary(a) => expr(o, a, oc),
        Kind::Binop(l, r) | Kind::Relational(l, r) => {
            arg(o, e.op, l, oc);
            let must_eq = (r.dt.is_bitmask() && r.is_value()) || matches!(l.kind, Kind::Binop(..));
            match e.op.symbol() {
                Some(sym) if e.op != Op::Eq || must_eq => {
                    let _ = write!(o, " {sym} ");
                }
                _ => o.push(' '),
            }
            arg(o, e.op, r, oc);
        }
        Kind::FlagCmp {
            expr: x,
            mask,
            value: v,
        } => {
            expr(o, x, oc);
            o.push_str(if e.op == Op::Neq { " != " } else { " " });
            expr(o, v, oc);
            o.push_str(" / ");
            expr(o, mask, oc);
        }
        Kind::Symbol(s) => o.push_str(s),
    }
}

fn arg(o: &mut String, op: Op, a: &Expr, oc: &Octx) {
    let prec = matches!(a.kind, Kind::Binop(..))
        && op.precedence() != 0
        && op.precedence() < a.op.precedence();
    if prec {
        o.push('(');
    }
    expr(o, a, oc);
    if prec {
        o.push(')');
    }
}

/// A verdict keyword (with its chain).
pub fn verdict(o: &mut String, code: i32, chain: Option<&str>) {
    match code {
        -1 => o.push_str("continue"),
        -2 => o.push_str("break"),
        -3 => {
            let _ = write!(o, "jump {}", chain_name(chain.unwrap_or("")));
        }
        -4 => {
            let _ = write!(o, "goto {}", chain_name(chain.unwrap_or("")));
        }
        -5 => o.push_str("return"),
        c => match (c as u32) & 0xff {
            1 => o.push_str("accept"),
            0 => o.push_str("drop"),
            3 => o.push_str("queue"),
            2 => o.push_str("stolen"),
            _ => {
                let _ = write!(o, "unknown verdict value {}", c as u32);
            }
        },
    }
}

fn ct(o: &mut String, key: u32, dir: i8, nfproto: u8) {
    o.push_str("ct ");
    if dir >= 0 {
        if let Some(d) = keys::ct_dir_name(dir) {
            let _ = write!(o, "{d} ");
        }
        if key == 8 || key == 9 {
            match nfproto {
                2 => o.push_str("ip "),
                10 => o.push_str("ip6 "),
                _ => {}
            }
        }
    }
    o.push_str(keys::ct_tmpl(key).map(|t| t.0).unwrap_or("unknown"));
}

fn set(o: &mut String, elems: &[Expr], set_flags: u32, dt: Dt, oc: &Octx) {
    o.push_str("{ ");
    let mut count = 0;
    let mut d = "";
    for e in elems {
        o.push_str(d);
        expr(o, e, oc);
        count += 1;
        d = delim(set_flags, dt, &mut count);
    }
    o.push_str(" }");
}

/// `calculate_delim`.
fn delim(set_flags: u32, dt: Dt, count: &mut i32) -> &'static str {
    const NL: &str = ",\n\t\t\t     ";
    const SL: &str = ", ";
    if set_flags & 1 != 0 {
        return SL;
    }
    match dt {
        Dt::Nfproto
        | Dt::Integer
        | Dt::XInteger
        | Dt::ArpOp
        | Dt::InetProto
        | Dt::InetService
        | Dt::TcpFlag
        | Dt::DccpPktType
        | Dt::Mark
        | Dt::Ifindex
        | Dt::Classid
        | Dt::Uid
        | Dt::Gid
        | Dt::CtDir => {
            if *count < 5 {
                return SL;
            }
            *count = 0;
        }
        Dt::IpAddr | Dt::CtState | Dt::CtStatus | Dt::PktType => {
            if *count < 2 {
                return SL;
            }
            *count = 0;
        }
        _ => {}
    }
    NL
}

/// `get_rate`: a byte count in the largest unit that divides it.
pub fn rate(bytes: u64) -> (u64, &'static str) {
    if bytes == 0 {
        return (0, "bytes");
    }
    let units = ["bytes", "kbytes", "mbytes"];
    let mut b = bytes;
    let mut i = 0;
    while i + 1 < units.len() {
        if b % 1024 != 0 {
            break;
        }
        b /= 1024;
        i += 1;
    }
    (b, units[i])
}

/// `get_unit`.
pub fn unit(u: u64) -> &'static str {
    match u {
        1 => "second",
        60 => "minute",
        3600 => "hour",
        86400 => "day",
        604800 => "week",
        _ => "error",
    }
}

/// Syslog level names.
pub fn log_level(l: u32) -> &'static str {
    match l {
        0 => "emerg",
        1 => "alert",
        2 => "crit",
        3 => "err",
        4 => "warn",
        5 => "notice",
        6 => "info",
        7 => "debug",
        8 => "audit",
        _ => "unknown",
    }
}

/// Object type keyword (`objref_type`).
pub fn objref_type(t: u32) -> &'static str {
    match t {
        1 => "counter",
        2 => "quota",
        3 => "ct helper",
        4 => "limit",
        7 => "ct timeout",
        8 => "secmark",
        10 => "synproxy",
        9 => "ct expectation",
        _ => "unknown",
    }
}

fn log(o: &mut String, l: &Log) {
    o.push_str("log");
    if let Some(p) = &l.prefix {
        let _ = write!(o, " prefix \"{p}\"");
    }
    if let Some(g) = l.group {
        let _ = write!(o, " group {g}");
    }
    if let Some(s) = l.snaplen {
        let _ = write!(o, " snaplen {s}");
    }
    if let Some(q) = l.qthreshold {
        let _ = write!(o, " queue-threshold {q}");
    }
    if let Some(lv) = l.level {
        if lv != 4 {
            let _ = write!(o, " level {}", log_level(lv));
        }
    }
    let f = l.logflags;
    if f & 0x2f == 0x2f {
        o.push_str(" flags all");
    } else {
        if f & 0x3 != 0 {
            let mut d = " ";
            o.push_str(" flags tcp");
            if f & 1 != 0 {
                o.push_str(" sequence");
                d = ",";
            }
            if f & 2 != 0 {
                let _ = write!(o, "{d}options");
            }
        }
        if f & 4 != 0 {
            o.push_str(" flags ip options");
        }
        if f & 8 != 0 {
            o.push_str(" flags skuid");
        }
        if f & 0x20 != 0 {
            o.push_str(" flags ether");
        }
    }
}

fn nat(o: &mut String, n: &Nat, oc: &Octx) {
    o.push_str(match n.ty {
        nat_type::SNAT => "snat",
        nat_type::DNAT => "dnat",
        nat_type::MASQ => "masquerade",
        nat_type::REDIR => "redirect",
        _ => "nat",
    });
    if n.addr.is_some() || n.proto.is_some() {
        match n.family {
            2 => o.push_str(" ip"),
            10 => o.push_str(" ip6"),
            _ => {}
        }
        if n.type_flags & 2 != 0 {
            o.push_str(" prefix");
        }
        o.push_str(" to");
    }
    if let Some(a) = &n.addr {
        o.push(' ');
        if n.proto.is_some() {
            match &a.kind {
                Kind::Value(_) if a.dt == Dt::Ip6Addr => {
                    o.push('[');
                    expr(o, a, oc);
                    o.push(']');
                }
                Kind::Range(l, r) if l.dt == Dt::Ip6Addr => {
                    o.push('[');
                    expr(o, l, oc);
                    o.push_str("]-[");
                    expr(o, r, oc);
                    o.push(']');
                }
                _ => expr(o, a, oc),
            }
        } else {
            expr(o, a, oc);
        }
    }
    if let Some(p) = &n.proto {
        if n.addr.is_none() {
            o.push(' ');
        }
        o.push(':');
        expr(o, p, oc);
    }
    nat_flags(o, n.flags);
}

fn nat_flags(o: &mut String, f: u32) {
    let mut d = " ";
    if f & 0x4 != 0 {
        let _ = write!(o, "{d}random");
        d = ",";
    }
    if f & 0x10 != 0 {
        let _ = write!(o, "{d}fully-random");
        d = ",";
    }
    if f & 0x8 != 0 {
        let _ = write!(o, "{d}persistent");
    }
}

/// Print a statement.
pub fn stmt(o: &mut String, s: &Stmt, oc: &Octx) {
    match s {
        Stmt::Expr(e) | Stmt::Verdict(e) => expr(o, e, oc),
        Stmt::Counter { packets, bytes } => {
            o.push_str("counter");
            if !oc.stateless {
                let _ = write!(o, " packets {packets} bytes {bytes}");
            }
        }
        Stmt::Payload { expr: e, val } | Stmt::Exthdr { expr: e, val } => {
            expr(o, e, oc);
            o.push_str(" set ");
            expr(o, val, oc);
        }
        Stmt::Meta { key, expr: e } => {
            let tok = keys::meta_tmpl(*key).map(|t| t.0).unwrap_or("unknown");
            if keys::meta_unqualified(*key) {
                let _ = write!(o, "{tok} set ");
            } else {
                let _ = write!(o, "meta {tok} set ");
            }
            expr(o, e, oc);
        }
        Stmt::Ct { key, dir, expr: e } => {
            ct(o, *key, *dir, 0);
            o.push_str(" set ");
            expr(o, e, oc);
        }
        Stmt::Notrack => o.push_str("notrack"),
        Stmt::FlowOffload { table } => {
            let _ = write!(o, "flow add @{table}");
        }
        Stmt::Connlimit { count, flags } => {
            let _ = write!(
                o,
                "ct count {}{count}",
                if *flags != 0 { "over " } else { "" }
            );
        }
        Stmt::Log(l) => log(o, l),
        Stmt::Limit {
            rate: r,
            unit: u,
            ty,
            burst,
            flags,
        } => {
            let inv = if flags & 1 != 0 { "over " } else { "" };
            match ty {
                0 => {
                    let _ = write!(o, "limit rate {inv}{r}/{}", unit(*u));
                    if *burst != 0 && *burst != 5 {
                        let _ = write!(o, " burst {burst} packets");
                    }
                }
                1 => {
                    let (rv, ru) = rate(*r);
                    let _ = write!(o, "limit rate {inv}{rv} {ru}/{}", unit(*u));
                    if *burst != 0 {
                        let (bv, bu) = rate(*burst as u64);
                        let _ = write!(o, " burst {bv} {bu}");
                    }
                }
                _ => {}
            }
        }
        Stmt::Quota { bytes, used, flags } => {
            let (b, u) = rate(*bytes);
            let _ = write!(
                o,
                "quota {}{b} {u}",
                if flags & 1 != 0 { "over " } else { "" }
            );
            if !oc.stateless && *used != 0 {
                let (b, u) = rate(*used);
                let _ = write!(o, " used {b} {u}");
            }
        }
        Stmt::Reject {
            ty,
            code,
            family,
            verbose,
            expr_dt,
        } => {
            o.push_str("reject");
            let code_expr = || {
                let mut e = Expr::value(
                    *expr_dt,
                    super::dtype::Bo::Invalid,
                    8,
                    super::num::Num::from_u64(*code as u64),
                );
                e.dt = *expr_dt;
                e
            };
            match ty {
                1 => o.push_str(" with tcp reset"),
                2 if *code != 1 => {
                    o.push_str(" with icmpx ");
                    expr(o, &code_expr(), oc);
                }
                0 => match family {
                    2 if *verbose || *code != 3 => {
                        o.push_str(" with icmp ");
                        expr(o, &code_expr(), oc);
                    }
                    10 if *verbose || *code != 4 => {
                        o.push_str(" with icmpv6 ");
                        expr(o, &code_expr(), oc);
                    }
                    _ => {}
                },
                _ => {}
            }
        }
        Stmt::Nat(n) => nat(o, n, oc),
        Stmt::Tproxy {
            family,
            table_family,
            addr,
            port,
        } => {
            o.push_str("tproxy");
            if *table_family == 1 && *family != 0 {
                let _ = write!(
                    o,
                    " {}",
                    match family {
                        2 => "ip",
                        10 => "ip6",
                        _ => "unknown",
                    }
                );
            }
            o.push_str(" to");
            if let Some(a) = addr {
                o.push(' ');
                if a.is_value() && a.dt == Dt::Ip6Addr {
                    o.push('[');
                    expr(o, a, oc);
                    o.push(']');
                } else {
                    expr(o, a, oc);
                }
            }
            if let Some(p) = port {
                if p.is_value() {
                    if addr.is_none() {
                        o.push(' ');
                    }
                    o.push(':');
                    expr(o, p, oc);
                }
            }
        }
        Stmt::Dup { to, dev } => {
            o.push_str("dup");
            if let Some(t) = to {
                o.push_str(" to ");
                expr(o, t, oc);
                if let Some(d) = dev {
                    o.push_str(" device ");
                    expr(o, d, oc);
                }
            }
        }
        Stmt::Fwd { dev, addr, family } => {
            if let Some(a) = addr {
                let _ = write!(
                    o,
                    "fwd {} to ",
                    match family {
                        2 => "ip",
                        10 => "ip6",
                        _ => "unknown",
                    }
                );
                expr(o, a, oc);
                o.push_str(" device ");
                if let Some(d) = dev {
                    expr(o, d, oc);
                }
            } else {
                o.push_str("fwd to ");
                if let Some(d) = dev {
                    expr(o, d, oc);
                }
            }
        }
        Stmt::Queue { queue, flags } => {
            o.push_str("queue");
            let mut d = " flags ";
            if flags & 1 != 0 {
                let _ = write!(o, "{d}bypass");
                d = ",";
            }
            if flags & 2 != 0 {
                let _ = write!(o, "{d}fanout");
            }
            match queue {
                Some(q) => {
                    o.push_str(" to ");
                    expr(o, q, oc);
                }
                None => o.push_str(" to 0"),
            }
        }
        Stmt::Set {
            op,
            set,
            key,
            stmts,
        } => {
            let _ = write!(o, "{} ", set_op(*op));
            expr(o, set, oc);
            o.push_str(" { ");
            expr(o, key, oc);
            let sl = Octx {
                stateless: true,
                ..*oc
            };
            for s in stmts {
                o.push(' ');
                stmt(o, s, &sl);
            }
            o.push_str(" }");
        }
        Stmt::Map {
            op,
            set,
            key,
            data,
            stmts,
        } => {
            let _ = write!(o, "{} ", set_op(*op));
            expr(o, set, oc);
            o.push_str(" { ");
            expr(o, key, oc);
            let sl = Octx {
                stateless: true,
                ..*oc
            };
            for s in stmts {
                o.push(' ');
                stmt(o, s, &sl);
            }
            o.push_str(" : ");
            expr(o, data, oc);
            o.push_str(" }");
        }
        Stmt::Meter {
            set,
            key,
            stmt: st,
            size,
        } => {
            o.push_str("meter ");
            expr(o, set, oc);
            let _ = write!(o, " size {size} {{ ");
            expr(o, key, oc);
            o.push(' ');
            let sl = Octx {
                stateless: true,
                ..*oc
            };
            stmt(o, st, &sl);
            o.push_str(" }");
        }
        Stmt::Objref { ty, expr: e } => {
            match ty {
                3 => o.push_str("ct helper set "),
                7 => o.push_str("ct timeout set "),
                9 => o.push_str("ct expectation set "),
                8 => o.push_str("meta secmark set "),
                t => {
                    let _ = write!(o, "{} name ", objref_type(*t));
                }
            }
            expr(o, e, oc);
        }
        Stmt::Synproxy { mss, wscale, flags } => {
            // NF_SYNPROXY_OPT_TIMESTAMP is 8, NF_SYNPROXY_OPT_SACK_PERM 4.
            let ts = if flags & 8 != 0 { " timestamp" } else { "" };
            let sack = if flags & 4 != 0 { " sack-perm" } else { "" };
            if flags & 3 == 3 || (flags & 1 != 0 && flags & 2 != 0) {
                let _ = write!(o, "synproxy mss {mss} wscale {wscale}{ts}{sack}");
            } else if flags & 1 != 0 {
                let _ = write!(o, "synproxy mss {mss}{ts}{sack}");
            } else if flags & 2 != 0 {
                let _ = write!(o, "synproxy wscale {wscale}{ts}{sack}");
            } else {
                let _ = write!(o, "synproxy{ts}{sack}");
            }
        }
        Stmt::Optstrip(e) => {
            o.push_str("reset ");
            expr(o, e, oc);
        }
        Stmt::Xt(x) => super::xt::print(o, x),
        Stmt::Raw(t) => o.push_str(t),
        Stmt::Chain { code, rules } => {
            o.push_str(if *code == -4 { "goto {\n" } else { "jump {\n" });
            let inner = Octx {
                handle: false,
                ..*oc
            };
            for (stmts, comment) in rules {
                o.push_str("\t\t\t");
                rule_body(o, stmts, comment.as_deref(), &inner);
                o.push('\n');
            }
            o.push_str("\t\t}");
        }
    }
}

fn set_op(op: u32) -> &'static str {
    match op {
        0 => "add",
        1 => "update",
        2 => "delete",
        _ => "add",
    }
}

/// Statements of a rule separated by spaces, then its comment.
pub fn rule_body(o: &mut String, stmts: &[Stmt], comment: Option<&str>, oc: &Octx) {
    for (i, s) in stmts.iter().enumerate() {
        if i > 0 {
            o.push(' ');
        }
        stmt(o, s, oc);
    }
    if let Some(c) = comment {
        let _ = write!(o, " comment \"{c}\"");
    }
}
