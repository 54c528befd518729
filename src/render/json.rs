//! `nft -j list` output: the same objects, keys and values nft 1.0.6
//! prints (`{"nftables": [{"metainfo": …}, {"table": …}, …]}`), built from
//! the decoded model of [`crate::render::nft`]. Extension objects for what
//! nft cannot express are documented in [`expr`].

pub mod expr;
pub mod value;

use crate::render::nft::model::{ChainM, Model, TableM};
use crate::render::nft::obj::{self, ObjData};
use crate::render::nft::print;
use crate::render::nft::set::{SetInfo, CONSTANT, INTERVAL, TIMEOUT};
use crate::render::nft::text::{base_info, family_name, hook_name};
use crate::render::nft::{NotFound, Octx, Selection};
use crate::ruleset::Ruleset;
use value::Json;

fn metainfo() -> Json {
    Json::one(
        "metainfo",
        Json::obj(vec![
            ("version", Json::s("1.0.6")),
            ("release_name", Json::s("Lester Gooch #5")),
            ("json_schema_version", Json::i(1)),
        ]),
    )
}

fn table_json(t: &TableM<'_>) -> Json {
    let tb = t.table;
    let mut o = Json::obj(vec![
        ("family", Json::s(family_name(tb.family))),
        ("name", Json::s(tb.name())),
        ("handle", Json::i(tb.attrs.handle.unwrap_or(0))),
    ]);
    let mut flags = tb.attrs.flags.unwrap_or(0);
    let mut names = Vec::new();
    let mut i = 0;
    while flags != 0 {
        if flags & 1 != 0 {
            names.push(Json::s(match i {
                0 => "dormant",
                1 => "owner",
                _ => "unknown",
            }));
        }
        flags >>= 1;
        i += 1;
    }
    if let Some(f) = Json::collapse(names) {
        o.set("flags", f);
    }
    Json::one("table", o)
}

fn chain_json(c: &ChainM<'_>) -> Json {
    let ch = c.chain;
    let mut o = Json::obj(vec![
        ("family", Json::s(family_name(ch.family))),
        ("table", Json::s(ch.table())),
        ("name", Json::s(ch.name())),
        ("handle", Json::i(ch.attrs.handle.unwrap_or(0))),
    ]);
    if let Some(b) = base_info(ch) {
        o.set("type", Json::s(b.ty));
        o.set("hook", Json::s(hook_name(ch.family, b.hook)));
        o.set("prio", Json::i(b.prio));
        o.set(
            "policy",
            Json::s(match b.policy {
                0 => "drop",
                1 => "accept",
                _ => "unknown",
            }),
        );
    }
    Json::one("chain", o)
}

/// JSON of one rule of a chain.
pub fn rule_json(c: &ChainM<'_>, r: &crate::render::nft::model::RuleM, oc: &Octx) -> Json {
    let ch = c.chain;
    let mut o = Json::obj(vec![
        ("family", Json::s(family_name(ch.family))),
        ("table", Json::s(ch.table())),
        ("chain", Json::s(ch.name())),
        ("handle", Json::i(r.handle)),
    ]);
    if let Some(cm) = &r.comment {
        o.set("comment", Json::s(cm.clone()));
    }
    if !r.stmts.is_empty() {
        o.set(
            "expr",
            Json::Arr(r.stmts.iter().map(|s| expr::stmt(s, oc)).collect()),
        );
    }
    Json::one("rule", o)
}

fn dtype_json(name: &str) -> Json {
    let toks: Vec<Json> = name
        .split([' ', '.'])
        .filter(|t| !t.is_empty())
        .map(Json::s)
        .collect();
    Json::collapse(toks).unwrap_or(Json::s(""))
}

fn set_json(s: &SetInfo, oc: &Octx) -> Json {
    let (kind, ext) = if s.is_datamap() {
        ("map", s.data.as_ref().map(|d| d.dt.name()))
    } else if s.is_objmap() {
        ("map", Some(print::objref_type(s.objtype).to_string()))
    } else if s.flags & 0x21 == 0x21 {
        ("meter", None)
    } else {
        ("set", None)
    };
    let mut o = Json::obj(vec![
        ("family", Json::s(family_name(s.family))),
        ("name", Json::s(s.name.clone())),
        ("table", Json::s(s.table.clone())),
        ("type", dtype_json(&s.key.dt.name())),
        ("handle", Json::i(s.handle)),
    ]);
    if let Some(c) = &s.comment {
        o.set("comment", Json::s(c.clone()));
    }
    if let Some(e) = ext {
        o.set("map", Json::s(e));
    }
    if s.flags & CONSTANT == 0 {
        if s.policy != 0 {
            o.set(
                "policy",
                Json::s(if s.policy == 1 { "memory" } else { "unknown" }),
            );
        }
        if s.size != 0 {
            o.set("size", Json::i(s.size));
        }
    }
    let mut fl = Vec::new();
    if s.flags & CONSTANT != 0 {
        fl.push(Json::s("constant"));
    }
    if s.flags & INTERVAL != 0 {
        fl.push(Json::s("interval"));
    }
    if s.flags & TIMEOUT != 0 {
        fl.push(Json::s("timeout"));
    }
    if !fl.is_empty() {
        o.set("flags", Json::Arr(fl));
    }
    if s.timeout != 0 {
        o.set("timeout", Json::i(s.timeout / 1000));
    }
    if s.gc_int != 0 {
        o.set("gc-interval", Json::i(s.gc_int / 1000));
    }
    if !oc.terse {
        if let crate::render::nft::expr::Kind::Set { elems, .. } = &s.init.kind {
            if !elems.is_empty() {
                o.set(
                    "elem",
                    Json::Arr(elems.iter().map(|e| expr::expr(e, oc)).collect()),
                );
            }
        }
    }
    if !s.stmts.is_empty() {
        let sl = Octx {
            stateless: true,
            ..*oc
        };
        o.set(
            "stmt",
            Json::Arr(s.stmts.iter().map(|x| expr::stmt(x, &sl)).collect()),
        );
    }
    Json::one(kind, o)
}

fn proto_json(l4: u8) -> Json {
    match crate::render::nft::sysdb::proto_name(l4) {
        Some(n) => Json::s(n),
        None => Json::i(l4),
    }
}

fn object_json(ob: &crate::object::Object) -> Json {
    let ty = ob.attrs.obj_type.map(|t| t.value()).unwrap_or(0);
    let mut o = Json::obj(vec![
        ("family", Json::s(family_name(ob.family))),
        ("name", Json::s(ob.name())),
        ("table", Json::s(ob.table())),
        ("handle", Json::i(ob.attrs.handle.unwrap_or(0))),
    ]);
    if let Some(c) = crate::render::nft::udata::comment_opt(ob.attrs.userdata.as_deref(), 0) {
        o.set("comment", Json::s(c));
    }
    match obj::decode(ob) {
        ObjData::Counter { packets, bytes } => {
            o.set("packets", Json::i(packets));
            o.set("bytes", Json::i(bytes));
        }
        ObjData::Quota { bytes, used, flags } => {
            o.set("bytes", Json::i(bytes));
            o.set("used", Json::i(used));
            o.set("inv", Json::Bool(flags & 1 != 0));
        }
        ObjData::Secmark { ctx } => o.set("context", Json::s(ctx)),
        ObjData::CtHelper {
            name,
            l3proto,
            l4proto,
        } => {
            o.set("type", Json::s(name));
            o.set("protocol", proto_json(l4proto));
            o.set("l3proto", Json::s(family_name(l3proto as u8)));
        }
        ObjData::CtTimeout {
            l3proto,
            l4proto,
            timeout,
        } => {
            let mut pol = Json::Obj(Vec::new());
            for (i, (name, dflt)) in obj::timeout_states(l4proto).iter().enumerate() {
                let v = timeout.get(i).copied().unwrap_or(0);
                if v != *dflt {
                    pol.set(name, Json::i(v));
                }
            }
            let pol = match &pol {
                Json::Obj(p) if p.is_empty() => Json::Null,
                _ => pol,
            };
            o.set("protocol", proto_json(l4proto));
            o.set("l3proto", Json::s(family_name(l3proto as u8)));
            o.set("policy", pol);
        }
        ObjData::CtExpect {
            l3proto,
            l4proto,
            dport,
            timeout,
            size,
        } => {
            o.set("protocol", proto_json(l4proto));
            o.set("dport", Json::i(dport));
            o.set("timeout", Json::i(timeout));
            o.set("size", Json::i(size));
            o.set("l3proto", Json::s(family_name(l3proto as u8)));
        }
        ObjData::Limit {
            rate,
            unit,
            burst,
            ty,
            flags,
        } => {
            let (mut r, mut b) = (rate, burst as u64);
            let (mut ru, mut bu) = (None, None);
            if ty == 1 {
                let x = print::rate(rate);
                r = x.0;
                ru = Some(x.1);
                let y = print::rate(burst as u64);
                b = y.0;
                bu = Some(y.1);
            }
            o.set("rate", Json::i(r));
            o.set("per", Json::s(print::unit(unit)));
            if flags & 1 != 0 {
                o.set("inv", Json::Bool(true));
            }
            if let Some(u) = ru {
                o.set("rate_unit", Json::s(u));
            }
            if b != 0 {
                o.set("burst", Json::i(b));
                if let Some(u) = bu {
                    o.set("burst_unit", Json::s(u));
                }
            }
        }
        ObjData::Synproxy { mss, wscale, flags } => {
            o.set("mss", Json::i(mss));
            o.set("wscale", Json::i(wscale));
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
        }
        ObjData::Unknown(t) => o.set("type", Json::i(t)),
    }
    Json::one(print::objref_type(ty), o)
}

fn flowtable_json(f: &crate::object::Flowtable) -> Json {
    let (num, prio, mut devs) = match &f.hook {
        Some(h) => (
            h.num.unwrap_or(0),
            h.priority.unwrap_or(0),
            h.devs.as_ref().map(|d| d.0.clone()).unwrap_or_default(),
        ),
        None => (0, 0, Vec::new()),
    };
    devs.sort();
    let mut o = Json::obj(vec![
        ("family", Json::s(family_name(f.family))),
        ("name", Json::s(f.name.clone().unwrap_or_default())),
        ("table", Json::s(f.table.clone().unwrap_or_default())),
        ("handle", Json::i(f.handle.unwrap_or(0))),
        ("hook", Json::s(hook_name(5, num))),
        ("prio", Json::i(prio)),
    ]);
    if let Some(d) = Json::collapse(devs.into_iter().map(Json::s).collect()) {
        o.set("dev", d);
    }
    Json::one("flowtable", o)
}

/// The table, its objects, sets, flowtables and chains (no rules).
pub fn table_items(t: &TableM<'_>, oc: &Octx, out: &mut Vec<Json>) {
    out.push(table_json(t));
    for ob in &t.objects {
        out.push(object_json(ob));
    }
    for name in &t.set_order {
        if let Some(s) = t.sets.get(name) {
            if !s.is_anonymous() {
                out.push(set_json(s, oc));
            }
        }
    }
    for f in &t.flowtables {
        out.push(flowtable_json(f));
    }
    for c in &t.chains {
        out.push(chain_json(c));
    }
}

/// JSON of a chain object.
pub fn chain_item(c: &ChainM<'_>) -> Json {
    chain_json(c)
}

/// The metainfo object that opens every listing.
pub fn metainfo_json() -> Json {
    metainfo()
}

/// JSON of a set (for single-set listings).
pub fn set_item(s: &SetInfo, oc: &Octx) -> Json {
    set_json(s, oc)
}

fn table_full(t: &TableM<'_>, oc: &Octx, out: &mut Vec<Json>) {
    out.push(table_json(t));
    for ob in &t.objects {
        out.push(object_json(ob));
    }
    for name in &t.set_order {
        if let Some(s) = t.sets.get(name) {
            if !s.is_anonymous() {
                out.push(set_json(s, oc));
            }
        }
    }
    for f in &t.flowtables {
        out.push(flowtable_json(f));
    }
    let mut rules = Vec::new();
    for c in &t.chains {
        out.push(chain_json(c));
        for r in &c.rules {
            rules.push(rule_json(c, r, oc));
        }
    }
    out.extend(rules);
}

/// Render `nft -j list …` output (one line, newline-terminated).
pub fn render(rs: &Ruleset, sel: &Selection, oc: &Octx) -> Result<String, NotFound> {
    let mut items = vec![metainfo()];
    match sel {
        Selection::Ruleset(fam) => {
            let m = Model::build(rs, &|f, _| fam.map(|x| x == f).unwrap_or(true));
            for t in &m.tables {
                table_full(t, oc, &mut items);
            }
        }
        Selection::Table(fam, name) => {
            let m = Model::build(rs, &|f, n| f == *fam && n == name);
            let Some(t) = m.tables.first() else {
                return Err(NotFound(format!(
                    "No such table: {} {}",
                    family_name(*fam),
                    name
                )));
            };
            table_full(t, oc, &mut items);
        }
        Selection::Chain(fam, table, chain) => {
            let m = Model::build(rs, &|f, n| f == *fam && n == table);
            let Some(t) = m.tables.first() else {
                return Err(NotFound(format!(
                    "No such table: {} {}",
                    family_name(*fam),
                    table
                )));
            };
            for c in t.chains.iter().filter(|c| c.chain.name() == chain) {
                items.push(chain_json(c));
                for r in &c.rules {
                    items.push(rule_json(c, r, oc));
                }
            }
        }
        Selection::Set(fam, table, name) => {
            let m = Model::build(rs, &|f, n| f == *fam && n == table);
            let Some(s) = m.tables.first().and_then(|t| t.sets.get(name)) else {
                return Err(NotFound(format!("No such set: {name}")));
            };
            items.push(set_json(s, oc));
        }
    }
    let root = Json::one("nftables", Json::Arr(items));
    let mut out = String::with_capacity(rs.rules.len() * 200 + 256);
    root.write(&mut out);
    out.push('\n');
    Ok(out)
}
