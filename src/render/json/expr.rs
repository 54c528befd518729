//! JSON of expressions and statements (nft's `json.c`), plus nftwire's
//! extension objects for what nft cannot express:
//!
//! * `{"xt": {"type": "match"|"target", "name": N, "rev": R, "options": O}}`:
//!   nft's own `xt` object with the revision and, when decoded, the
//!   iptables options (see [`crate::render::nft::xt`]);
//! * `{"raw": "[ name … ]"}`: an expression in its netlink debug form.

use super::value::Json;
use crate::render::nft::dtype::{Dt, Printer};
use crate::render::nft::expr::{Expr, Kind, Op, BASE_INNER, BASE_LL, BASE_NETWORK, BASE_TRANSPORT};
use crate::render::nft::exthdr;
use crate::render::nft::keys;
use crate::render::nft::octx::Octx;
use crate::render::nft::print;
use crate::render::nft::proto::ProtoId;
use crate::render::nft::stmt::{nat_type, Stmt};
use crate::render::nft::sysdb;
use crate::render::nft::value;

fn int_json(e: &Expr) -> Json {
    let v = e.num().copied().unwrap_or_default();
    if v.fits_u64() {
        Json::Int(v.low_u64() as i128)
    } else {
        Json::Str(format!("0x{}", v.to_hex()))
    }
}

fn root_json(e: &Expr, oc: &Octx) -> Json {
    match e.dt.root() {
        Dt::String => Json::Str(value::value_string(e)),
        Dt::Integer => int_json(e),
        _ => {
            let mut s = String::new();
            value::print_root(&mut s, e, oc);
            Json::Str(s)
        }
    }
}

fn symbolic(name: Option<&str>, e: &Expr, oc: &Octx) -> Json {
    match name {
        None => root_json(e, oc),
        Some(_) if oc.numeric_symbol => Json::Int(e.export_u64() as i128),
        Some(n) => Json::s(n),
    }
}

/// `datatype_json` for a constant.
pub fn value_json(e: &Expr, oc: &Octx) -> Json {
    let mut d = Some(e.dt);
    while let Some(dt) = d {
        let info = dt.info();
        if info.json {
            return match dt {
                Dt::Integer | Dt::XInteger => int_json(e),
                Dt::String => Json::Str(value::value_string(e)),
                Dt::Boolean => Json::Bool(e.export_u64() != 0),
                Dt::InetProto => {
                    let n = e.num().map(|n| n.low_u64() as u8).unwrap_or(0);
                    match sysdb::proto_name(n) {
                        Some(p) if !oc.numeric_proto => Json::s(p),
                        _ => int_json(e),
                    }
                }
                Dt::InetService => int_json(e),
                Dt::Mark => symbolic(value::rt_lookup(sysdb::marks(), e), e, oc),
                Dt::Devgroup => symbolic(value::rt_lookup(sysdb::devgroups(), e), e, oc),
                Dt::CtLabel => {
                    let bit = e
                        .num()
                        .and_then(|n| n.scan1(0))
                        .map(|b| b as u64)
                        .unwrap_or(u64::MAX);
                    match sysdb::ct_labels().iter().find(|(x, _)| *x as u64 == bit) {
                        Some((_, n)) => Json::s(n.clone()),
                        None => Json::Int(bit as i128),
                    }
                }
                Dt::Time => Json::Int((e.num().map(|n| n.low_u64()).unwrap_or(0) / 1000) as i128),
                Dt::Uid | Dt::Gid => {
                    Json::Int(e.num().map(|n| n.low_u64() as u32).unwrap_or(0) as i128)
                }
                _ => int_json(e),
            };
        }
        if let Some(sym) = info.sym {
            return symbolic(value::sym_lookup(sym, e), e, oc);
        }
        if info.print != Printer::None {
            let mut s = String::new();
            value::print_with(&mut s, info.print, e, oc);
            if let Some(rest) = s.strip_prefix('"') {
                let end = rest.find('"').unwrap_or(rest.len());
                return Json::s(&rest[..end]);
            }
            return Json::Str(s);
        }
        d = info.base;
    }
    Json::Null
}

/// Verdict JSON.
pub fn verdict_json(code: i32, chain: Option<&str>) -> Json {
    let name = match code {
        -1 => "continue",
        -2 => "break",
        -3 => "jump",
        -4 => "goto",
        -5 => "return",
        1 => "accept",
        0 => "drop",
        3 => "queue",
        _ => return Json::one("verdict", Json::i(code)),
    };
    match (code, chain) {
        (-3 | -4, Some(c)) => Json::one(name, Json::one("target", Json::s(c))),
        _ => Json::one(name, Json::Null),
    }
}

fn op_name(op: Op) -> &'static str {
    op.symbol().unwrap_or("in")
}

/// Expression JSON.
pub fn expr(e: &Expr, oc: &Octx) -> Json {
    match &e.kind {
        Kind::Value(_) => value_json(e, oc),
        Kind::Verdict { code, chain } => verdict_json(*code, chain.as_deref()),
        Kind::Payload(p) => match (p.desc, p.tmpl) {
            (Some(d), Some(i)) if d != ProtoId::Unknown => Json::one(
                "payload",
                Json::obj(vec![
                    ("protocol", Json::s(d.desc().name)),
                    ("field", Json::s(d.tmpl(i).token)),
                ]),
            ),
            _ => {
                let b = match p.base {
                    BASE_LL => "ll",
                    BASE_NETWORK => "nh",
                    BASE_TRANSPORT => "th",
                    BASE_INNER => "ih",
                    _ => "invalid",
                };
                Json::one(
                    "payload",
                    Json::obj(vec![
                        ("base", Json::s(b)),
                        ("offset", Json::i(p.offset)),
                        ("len", Json::i(e.len)),
                    ]),
                )
            }
        },
        Kind::Exthdr(_) => exthdr_json(e),
        Kind::Meta { key, .. } => Json::one(
            "meta",
            Json::one(
                "key",
                Json::s(keys::meta_tmpl(*key).map(|t| t.0).unwrap_or("unknown")),
            ),
        ),
        Kind::Ct { key, dir, .. } => ct_json(*key, *dir),
        Kind::Rt { key } => {
            let mut o = Json::obj(vec![(
                "key",
                Json::s(keys::rt_tmpl(*key).map(|t| t.0).unwrap_or("unknown")),
            )]);
            match key {
                1 => o.set("family", Json::s("ip")),
                2 => o.set("family", Json::s("ip6")),
                _ => {}
            }
            Json::one("rt", o)
        }
        Kind::Socket { key, .. } => Json::one(
            "socket",
            Json::one(
                "key",
                Json::s(keys::socket_tmpl(*key).map(|t| t.0).unwrap_or("unknown")),
            ),
        ),
        Kind::Osf { ttl, flags } => {
            let mut o = Json::obj(vec![(
                "key",
                Json::s(if flags & 1 != 0 { "version" } else { "name" }),
            )]);
            match ttl {
                1 => o.set("ttl", Json::s("loose")),
                2 => o.set("ttl", Json::s("skip")),
                _ => {}
            }
            Json::one("osf", o)
        }
        Kind::Fib { flags, result } => {
            let mut o = Json::obj(vec![("result", Json::s(keys::fib_result_name(*result)))]);
            let mut f = flags & !0x20;
            if f != 0 {
                let mut a = Vec::new();
                for (i, n) in ["saddr", "daddr", "mark", "iif", "oif"].iter().enumerate() {
                    if f & (1 << i) != 0 {
                        a.push(Json::s(*n));
                        f &= !(1 << i);
                    }
                }
                if f != 0 {
                    a.push(Json::i(f));
                }
                o.set("flags", Json::Arr(a));
            }
            Json::one("fib", o)
        }
        Kind::Numgen {
            ty,
            modulus,
            offset,
        } => Json::one(
            "numgen",
            Json::obj(vec![
                (
                    "mode",
                    Json::s(match ty {
                        0 => "inc",
                        1 => "random",
                        _ => "unknown",
                    }),
                ),
                ("mod", Json::i(*modulus)),
                ("offset", Json::i(*offset)),
            ]),
        ),
        Kind::Hash {
            ty,
            modulus,
            seed,
            offset,
            expr: inner,
        } => {
            let mut o = Json::obj(vec![("mod", Json::i(*modulus))]);
            if let Some(s) = seed {
                o.set("seed", Json::i(*s));
            }
            if *offset != 0 {
                o.set("offset", Json::i(*offset));
            }
            if *ty != 1 {
                if let Some(i) = inner {
                    o.set("expr", expr(i, oc));
                }
            }
            Json::one(if *ty == 1 { "symhash" } else { "jhash" }, o)
        }
        Kind::Xfrm { key, dir, spnum } => {
            let mut o = Json::obj(vec![(
                "key",
                Json::s(keys::xfrm_tmpl(*key).map(|t| t.0).unwrap_or("unknown")),
            )]);
            match key {
                1 | 3 => o.set("family", Json::s("ip")),
                2 | 4 => o.set("family", Json::s("ip6")),
                _ => {}
            }
            o.set("dir", Json::s(if *dir == 1 { "out" } else { "in" }));
            o.set("spnum", Json::i(*spnum));
            Json::one("ipsec", o)
        }
        Kind::Prefix { expr: inner, plen } => Json::one(
            "prefix",
            Json::obj(vec![("addr", expr(inner, oc)), ("len", Json::i(*plen))]),
        ),
        Kind::Range(l, r) => {
            let n = Octx {
                numeric_proto: true,
                ..*oc
            };
            Json::one("range", Json::Arr(vec![expr(l, &n), expr(r, &n)]))
        }
        Kind::Concat(p) => Json::one("concat", Json::Arr(p.iter().map(|x| expr(x, oc)).collect())),
        Kind::List(p) => Json::Arr(p.iter().map(|x| expr(x, oc)).collect()),
        Kind::Set { elems, .. } => Json::one(
            "set",
            Json::Arr(elems.iter().map(|x| expr(x, oc)).collect()),
        ),
        Kind::SetRef(s) => {
            if s.anonymous() {
                match &s.init {
                    Some(i) => expr(i, oc),
                    None => Json::one("set", Json::Arr(Vec::new())),
                }
            } else {
                Json::s(format!("@{}", s.name))
            }
        }
        Kind::SetElem(se) => {
            let key = expr(&se.key, oc);
            if se.timeout != 0 || se.expiration != 0 || se.comment.is_some() || !se.stmts.is_empty()
            {
                let mut o = Json::obj(vec![("val", key)]);
                if se.timeout != 0 {
                    o.set("timeout", Json::i(se.timeout / 1000));
                }
                if se.expiration != 0 {
                    o.set("expires", Json::i(se.expiration / 1000));
                }
                if let Some(c) = &se.comment {
                    o.set("comment", Json::s(c.clone()));
                }
                if let Some(s) = se.stmts.first() {
                    o.update_missing(stmt(s, oc));
                }
                Json::one("elem", o)
            } else {
                key
            }
        }
        Kind::Catchall => Json::s("*"),
        Kind::Mapping(l, r) => Json::Arr(vec![expr(l, oc), expr(r, oc)]),
        Kind::Map(m, maps) => {
            let vmap = matches!(&maps.kind, Kind::SetRef(s) if s.data_dt == Some(Dt::Verdict));
            Json::one(
                if vmap { "vmap" } else { "map" },
                Json::obj(vec![("key", expr(m, oc)), ("data", expr(maps, oc))]),
            )
        }
        Kind::Unary(a) => expr(a, oc),
        Kind::Binop(l, r) => Json::one(op_name(e.op), Json::Arr(vec![expr(l, oc), expr(r, oc)])),
        Kind::Relational(l, r) => Json::one(
            "match",
            Json::obj(vec![
                ("op", Json::s(op_name(e.op))),
                ("left", expr(l, oc)),
                ("right", expr(r, oc)),
            ]),
        ),
        Kind::FlagCmp {
            expr: x,
            mask,
            value: v,
        } => Json::one(
            "match",
            Json::obj(vec![
                ("op", Json::s(op_name(e.op))),
                (
                    "left",
                    Json::one("&", Json::Arr(vec![expr(x, oc), expr(mask, oc)])),
                ),
                ("right", expr(v, oc)),
            ]),
        ),
        Kind::Symbol(s) => Json::s(s.clone()),
    }
}

fn ct_json(key: u32, dir: i8) -> Json {
    let mut o = Json::obj(vec![(
        "key",
        Json::s(keys::ct_tmpl(key).map(|t| t.0).unwrap_or("unknown")),
    )]);
    if dir >= 0 {
        if let Some(d) = keys::ct_dir_name(dir) {
            o.set("dir", Json::s(d));
        }
    }
    Json::one("ct", o)
}

fn exthdr_json(e: &Expr) -> Json {
    let Some(exthdr::JsonParts {
        name,
        field,
        op,
        offset,
        raw_type,
        len,
        present,
    }) = exthdr::json_parts(e)
    else {
        return Json::Null;
    };
    if op == exthdr::OP_TCPOPT {
        let root = match name {
            Some(n) => {
                let off = offset / 64;
                let suffix = if (1..4).contains(&off) {
                    off.to_string()
                } else {
                    String::new()
                };
                let mut o = Json::obj(vec![("name", Json::s(format!("{n}{suffix}")))]);
                if !present {
                    o.set("field", Json::s(field.unwrap_or("unknown")));
                }
                o
            }
            None => Json::obj(vec![
                ("base", Json::i(raw_type)),
                ("offset", Json::i(offset)),
                ("len", Json::i(len)),
            ]),
        };
        return Json::one("tcp option", root);
    }
    let mut root = Json::obj(vec![("name", name.map(Json::s).unwrap_or(Json::Null))]);
    if !present {
        root.set("field", Json::s(field.unwrap_or("unknown")));
    }
    match op {
        exthdr::OP_IPV4 => Json::one("ip option", root),
        exthdr::OP_SCTP => Json::one("sctp chunk", root),
        _ => Json::one("exthdr", root),
    }
}

fn rate_pair(bytes: u64) -> (u64, &'static str) {
    print::rate(bytes)
}

/// Statement JSON.
pub fn stmt(s: &Stmt, oc: &Octx) -> Json {
    match s {
        Stmt::Expr(e) | Stmt::Verdict(e) => expr(e, oc),
        Stmt::Counter { packets, bytes } => {
            if oc.stateless {
                Json::one("counter", Json::Null)
            } else {
                Json::one(
                    "counter",
                    Json::obj(vec![
                        ("packets", Json::i(*packets)),
                        ("bytes", Json::i(*bytes)),
                    ]),
                )
            }
        }
        Stmt::Payload { expr: k, val } | Stmt::Exthdr { expr: k, val } => Json::one(
            "mangle",
            Json::obj(vec![("key", expr(k, oc)), ("value", expr(val, oc))]),
        ),
        Stmt::Meta { key, expr: v } => Json::one(
            "mangle",
            Json::obj(vec![
                (
                    "key",
                    Json::one(
                        "meta",
                        Json::one(
                            "key",
                            Json::s(keys::meta_tmpl(*key).map(|t| t.0).unwrap_or("unknown")),
                        ),
                    ),
                ),
                ("value", expr(v, oc)),
            ]),
        ),
        Stmt::Ct { key, dir, expr: v } => Json::one(
            "mangle",
            Json::obj(vec![("key", ct_json(*key, *dir)), ("value", expr(v, oc))]),
        ),
        Stmt::Notrack => Json::one("notrack", Json::Null),
        Stmt::FlowOffload { table } => Json::one(
            "flow",
            Json::obj(vec![
                ("op", Json::s("add")),
                ("flowtable", Json::s(format!("@{table}"))),
            ]),
        ),
        Stmt::Connlimit { count, flags } => {
            let mut o = Json::obj(vec![("val", Json::i(*count))]);
            if flags & 1 != 0 {
                o.set("inv", Json::Bool(true));
            }
            Json::one("ct count", o)
        }
        Stmt::Log(l) => {
            let mut o = Json::Obj(Vec::new());
            if let Some(p) = &l.prefix {
                o.set("prefix", Json::s(p.clone()));
            }
            if let Some(g) = l.group {
                o.set("group", Json::i(g));
            }
            if let Some(x) = l.snaplen {
                o.set("snaplen", Json::i(x));
            }
            if let Some(x) = l.qthreshold {
                o.set("queue-threshold", Json::i(x));
            }
            if let Some(lv) = l.level {
                if lv != 4 {
                    o.set("level", Json::s(print::log_level(lv)));
                }
            }
            let f = l.logflags;
            let mut flags = Vec::new();
            if f & 0x2f == 0x2f {
                flags.push(Json::s("all"));
            } else {
                for (b, n) in [
                    (1, "tcp sequence"),
                    (2, "tcp options"),
                    (4, "ip options"),
                    (8, "skuid"),
                    (0x20, "ether"),
                ] {
                    if f & b != 0 {
                        flags.push(Json::s(n));
                    }
                }
            }
            if let Some(fj) = Json::collapse(flags) {
                o.set("flags", fj);
            }
            match &o {
                Json::Obj(p) if p.is_empty() => Json::one("log", Json::Null),
                _ => Json::one("log", o),
            }
        }
        Stmt::Limit {
            rate,
            unit,
            ty,
            burst,
            flags,
        } => {
            let (mut r, mut b) = (*rate, *burst as u64);
            let (mut ru, mut bu) = (None, None);
            if *ty == 1 {
                let x = rate_pair(*rate);
                r = x.0;
                ru = Some(x.1);
                let y = rate_pair(*burst as u64);
                b = y.0;
                bu = Some(y.1);
            }
            let mut o = Json::obj(vec![
                ("rate", Json::i(r)),
                ("burst", Json::i(b)),
                ("per", Json::s(print::unit(*unit))),
            ]);
            if flags & 1 != 0 {
                o.set("inv", Json::Bool(true));
            }
            if let Some(u) = ru {
                o.set("rate_unit", Json::s(u));
            }
            if let Some(u) = bu {
                o.set("burst_unit", Json::s(u));
            }
            Json::one("limit", o)
        }
        Stmt::Quota { bytes, used, flags } => {
            let (b, u) = rate_pair(*bytes);
            let mut o = Json::obj(vec![("val", Json::i(b)), ("val_unit", Json::s(u))]);
            if flags & 1 != 0 {
                o.set("inv", Json::Bool(true));
            }
            if !oc.stateless && *used != 0 {
                let (b, u) = rate_pair(*used);
                o.set("used", Json::i(b));
                o.set("used_unit", Json::s(u));
            }
            Json::one("quota", o)
        }
        Stmt::Reject {
            ty,
            code,
            family,
            expr_dt,
            ..
        } => {
            let code_expr = || {
                Expr::value(
                    *expr_dt,
                    crate::render::nft::dtype::Bo::Invalid,
                    8,
                    crate::render::nft::num::Num::from_u64(*code as u64),
                )
            };
            let (t, x) = match ty {
                1 => (Some("tcp reset"), None),
                2 => (Some("icmpx"), Some(expr(&code_expr(), oc))),
                0 => match family {
                    2 => (Some("icmp"), Some(expr(&code_expr(), oc))),
                    10 => (Some("icmpv6"), Some(expr(&code_expr(), oc))),
                    _ => (None, None),
                },
                _ => (None, None),
            };
            if t.is_none() && x.is_none() {
                return Json::one("reject", Json::Null);
            }
            let mut o = Json::Obj(Vec::new());
            if let Some(t) = t {
                o.set("type", Json::s(t));
            }
            if let Some(x) = x {
                o.set("expr", x);
            }
            Json::one("reject", o)
        }
        Stmt::Nat(n) => {
            let mut o = Json::Obj(Vec::new());
            if n.family == 2 || n.family == 10 {
                o.set("family", Json::s(if n.family == 2 { "ip" } else { "ip6" }));
            }
            if let Some(a) = &n.addr {
                o.set("addr", expr(a, oc));
            }
            if let Some(p) = &n.proto {
                o.set("port", expr(p, oc));
            }
            let mut fl = Vec::new();
            for (b, name) in [
                (4, "random"),
                (0x10, "fully-random"),
                (8, "persistent"),
                (0x40, "netmap"),
            ] {
                if n.flags & b != 0 {
                    fl.push(Json::s(name));
                }
            }
            if let Some(f) = Json::collapse(fl) {
                o.set("flags", f);
            }
            if n.type_flags != 0 {
                let mut tf = Vec::new();
                if n.type_flags & 2 != 0 {
                    tf.push(Json::s("prefix"));
                }
                if let Some(f) = Json::collapse(tf) {
                    o.set("type_flags", f);
                }
            }
            let name = match n.ty {
                nat_type::SNAT => "snat",
                nat_type::DNAT => "dnat",
                nat_type::MASQ => "masquerade",
                _ => "redirect",
            };
            match &o {
                Json::Obj(p) if p.is_empty() => Json::one(name, Json::Null),
                _ => Json::one(name, o),
            }
        }
        Stmt::Tproxy {
            family,
            table_family,
            addr,
            port,
        } => {
            let mut o = Json::Obj(Vec::new());
            if *table_family == 1 && *family != 0 {
                o.set(
                    "family",
                    Json::s(crate::render::nft::text::family_name(*family as u8)),
                );
            }
            if let Some(a) = addr {
                o.set("addr", expr(a, oc));
            }
            if let Some(p) = port {
                o.set("port", expr(p, oc));
            }
            Json::one("tproxy", o)
        }
        Stmt::Dup { to, dev } => match to {
            Some(t) => {
                let mut o = Json::obj(vec![("addr", expr(t, oc))]);
                if let Some(d) = dev {
                    o.set("dev", expr(d, oc));
                }
                Json::one("dup", o)
            }
            None => Json::one("dup", Json::Null),
        },
        Stmt::Fwd { dev, addr, family } => {
            let mut o = Json::obj(vec![(
                "dev",
                dev.as_ref().map(|d| expr(d, oc)).unwrap_or(Json::Null),
            )]);
            if let Some(a) = addr {
                o.set(
                    "family",
                    Json::s(crate::render::nft::text::family_name(*family as u8)),
                );
                o.set("addr", expr(a, oc));
            }
            Json::one("fwd", o)
        }
        Stmt::Queue { queue, flags } => {
            let mut o = Json::Obj(Vec::new());
            if let Some(q) = queue {
                o.set("num", expr(q, oc));
            }
            let mut fl = Vec::new();
            if flags & 1 != 0 {
                fl.push(Json::s("bypass"));
            }
            if flags & 2 != 0 {
                fl.push(Json::s("fanout"));
            }
            if let Some(f) = Json::collapse(fl) {
                o.set("flags", f);
            }
            match &o {
                Json::Obj(p) if p.is_empty() => Json::one("queue", Json::Null),
                _ => Json::one("queue", o),
            }
        }
        Stmt::Set {
            op,
            set,
            key,
            stmts,
        } => {
            let name = match &set.kind {
                Kind::SetRef(s) => s.name.clone(),
                _ => String::new(),
            };
            let mut o = Json::obj(vec![
                (
                    "op",
                    Json::s(match op {
                        1 => "update",
                        2 => "delete",
                        _ => "add",
                    }),
                ),
                ("elem", expr(key, oc)),
                ("set", Json::s(format!("@{name}"))),
            ]);
            if !stmts.is_empty() {
                let sl = Octx {
                    stateless: true,
                    ..*oc
                };
                o.set(
                    "stmt",
                    Json::Arr(stmts.iter().map(|x| stmt(x, &sl)).collect()),
                );
            }
            Json::one("set", o)
        }
        Stmt::Meter {
            set,
            key,
            stmt: st,
            size,
        } => {
            let sl = Octx {
                stateless: true,
                ..*oc
            };
            let mut o = Json::obj(vec![
                ("key", expr(key, oc)),
                ("stmt", stmt(st, &sl)),
                ("size", Json::i(*size)),
            ]);
            if let Kind::SetRef(s) = &set.kind {
                o.set("name", Json::s(s.name.clone()));
            }
            Json::one("meter", o)
        }
        Stmt::Objref { ty, expr: e } => Json::one(print::objref_type(*ty), expr(e, oc)),
        Stmt::Synproxy { mss, wscale, flags } => {
            let mut o = Json::Obj(Vec::new());
            if flags & 1 != 0 {
                o.set("mss", Json::i(*mss));
            }
            if flags & 2 != 0 {
                o.set("wscale", Json::i(*wscale));
            }
            let mut fl = Vec::new();
            if flags & 8 != 0 {
                fl.push(Json::s("timestamp"));
            }
            if flags & 4 != 0 {
                fl.push(Json::s("sack-perm"));
            }
            if !fl.is_empty() {
                o.set("flags", Json::Arr(fl));
            }
            match &o {
                Json::Obj(p) if p.is_empty() => Json::one("synproxy", Json::Null),
                _ => Json::one("synproxy", o),
            }
        }
        Stmt::Optstrip(e) => Json::one("reset", expr(e, oc)),
        Stmt::Xt(x) => {
            let mut o = Json::obj(vec![
                ("type", Json::s(if x.target { "target" } else { "match" })),
                ("name", Json::s(x.name.clone())),
                ("rev", Json::i(x.rev)),
            ]);
            if let Some(opts) = crate::render::nft::xt::options(x) {
                o.set("options", Json::s(opts));
            }
            Json::one("xt", o)
        }
        Stmt::Raw(t) => Json::one("raw", Json::s(t.clone())),
        Stmt::Map { .. } | Stmt::Chain { .. } => {
            let mut t = String::new();
            print::stmt(&mut t, s, oc);
            Json::Str(t)
        }
    }
}
