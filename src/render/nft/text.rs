//! The `nft list` text layout of tables, chains, sets, maps, stateful
//! objects and flowtables.

use super::model::{ChainM, Model, TableM};
use super::obj::{self, ObjData};
use super::octx::Octx;
use super::print::{self, chain_name, rate, rule_body, unit};
use super::set::{SetInfo, CONSTANT, EVAL, INTERVAL, TIMEOUT};
use super::value::time_text;
use crate::object::{Chain, Flowtable, Object};
use std::fmt::Write;

/// `family2str`.
pub fn family_name(f: u8) -> &'static str {
    match f {
        2 => "ip",
        10 => "ip6",
        1 => "inet",
        5 => "netdev",
        3 => "arp",
        7 => "bridge",
        _ => "unknown",
    }
}

/// `hooknum2str`.
pub fn hook_name(family: u8, hook: u32) -> &'static str {
    match family {
        2 | 7 | 10 | 1 => match hook {
            0 => "prerouting",
            1 => "input",
            2 => "forward",
            4 => "postrouting",
            3 => "output",
            5 => "ingress",
            _ => "unknown",
        },
        3 => match hook {
            0 => "input",
            2 => "forward",
            1 => "output",
            3 => "ingress",
            _ => "unknown",
        },
        5 => match hook {
            0 => "ingress",
            1 => "egress",
            _ => "unknown",
        },
        _ => "unknown",
    }
}

fn prio_compat(prio: i32, family: u8, hook: u32) -> bool {
    if family == 7 {
        return match prio {
            -300 => hook == 0,
            -200 => true,
            100 => hook == 3,
            300 => hook == 4,
            _ => false,
        };
    }
    match prio {
        0 => matches!(family, 1 | 2 | 10 | 3 | 5),
        -300 | -150 | 50 => matches!(family, 1 | 2 | 10),
        -100 => matches!(family, 1 | 2 | 10) && hook == 0,
        100 => matches!(family, 1 | 2 | 10) && hook == 4,
        _ => false,
    }
}

/// `prio2str`: a standard priority name with offset, or the number.
pub fn prio_text(prio: i32, family: u8, hook: u32, oc: &Octx) -> String {
    let std: &[(i32, &str)] = if family == 7 {
        &[
            (-300, "dstnat"),
            (-200, "filter"),
            (100, "out"),
            (300, "srcnat"),
        ]
    } else {
        &[
            (-300, "raw"),
            (-150, "mangle"),
            (-100, "dstnat"),
            (0, "filter"),
            (50, "security"),
            (100, "srcnat"),
        ]
    };
    if !oc.numeric_prio {
        for &(v, name) in std {
            if (prio as i64 - v as i64).abs() <= 10 {
                if !prio_compat(v, family, hook) {
                    break;
                }
                let off = prio - v;
                return match off.cmp(&0) {
                    std::cmp::Ordering::Greater => format!("{name} + {off}"),
                    std::cmp::Ordering::Less => format!("{name} - {}", -off),
                    std::cmp::Ordering::Equal => name.to_string(),
                };
            }
        }
    }
    prio.to_string()
}

/// Base chain properties, when the chain is a base chain for nft.
pub struct BaseInfo {
    /// Chain type.
    pub ty: String,
    /// Hook number.
    pub hook: u32,
    /// Priority.
    pub prio: i32,
    /// Policy.
    pub policy: u32,
    /// Devices, sorted.
    pub devs: Vec<String>,
}

/// nft treats a chain as a base chain when hook, priority, type and policy
/// are all present.
pub fn base_info(c: &Chain) -> Option<BaseInfo> {
    let h = c.attrs.hook.as_ref()?;
    let ty = c.attrs.chain_type.clone()?;
    let policy = c.attrs.policy?;
    let mut devs: Vec<String> = match (&h.dev, &h.devs) {
        (Some(d), _) => vec![d.clone()],
        (None, Some(l)) => l.0.clone(),
        _ => Vec::new(),
    };
    devs.sort();
    Some(BaseInfo {
        ty,
        hook: h.num?,
        prio: h.priority?,
        policy,
        devs,
    })
}

fn policy_name(p: u32) -> &'static str {
    match p {
        0 => "drop",
        1 => "accept",
        _ => "unknown",
    }
}

/// Print a chain's opening line and base chain properties.
pub fn chain_decl(o: &mut String, ch: &ChainM<'_>, oc: &Octx) {
    let c = ch.chain;
    let _ = write!(o, "\tchain {} {{", chain_name(c.name()));
    if oc.handle {
        let _ = write!(o, " # handle {}", c.attrs.handle.unwrap_or(0));
    }
    if let Some(cm) = &ch.comment {
        let _ = write!(o, "\n\t\tcomment \"{cm}\"");
    }
    o.push('\n');
    if let Some(b) = base_info(c) {
        let _ = write!(o, "\t\ttype {} hook {}", b.ty, hook_name(c.family, b.hook));
        if b.devs.len() == 1 {
            let _ = write!(o, " device \"{}\"", b.devs[0]);
        } else if b.devs.len() > 1 {
            let _ = write!(o, " devices = {{ {} }}", b.devs.join(", "));
        }
        let _ = write!(o, " priority {};", prio_text(b.prio, c.family, b.hook, oc));
        let _ = write!(o, " policy {};", policy_name(b.policy));
        if c.attrs.flags.unwrap_or(0) & 2 != 0 {
            o.push_str(" flags offload;");
        }
        o.push('\n');
    }
}

/// Print one rule line of a chain.
pub fn rule_line(o: &mut String, r: &super::model::RuleM, oc: &Octx) {
    o.push_str("\t\t");
    rule_body(o, &r.stmts, r.comment.as_deref(), oc);
    if oc.handle {
        let _ = write!(o, " # handle {}", r.handle);
    }
    o.push('\n');
}

/// Print a chain with its rules.
pub fn chain(o: &mut String, ch: &ChainM<'_>, oc: &Octx) {
    chain_decl(o, ch, oc);
    for r in &ch.rules {
        rule_line(o, r, oc);
    }
    o.push_str("\t}\n");
}

fn set_key(o: &mut String, key: &super::expr::Expr, oc: &Octx) {
    let dt = key.dt;
    if dt.size() != 0 || dt == super::dtype::Dt::Verdict {
        o.push_str(&dt.name());
    } else {
        print::expr(o, key, oc);
    }
}

/// The `type …`/`typeof …` line content of a set.
pub fn set_type_text(s: &SetInfo, oc: &Octx) -> String {
    let mut o = String::new();
    o.push_str(if s.key_typeof { "typeof " } else { "type " });
    if s.key_typeof {
        print::expr(&mut o, &s.key, oc);
    } else {
        set_key(&mut o, &s.key, oc);
    }
    if s.is_datamap() {
        o.push_str(" : ");
        if let Some(d) = &s.data {
            if d.flags & super::expr::flags::INTERVAL != 0 {
                o.push_str("interval ");
            }
            if s.key_typeof {
                print::expr(&mut o, d, oc);
            } else {
                set_key(&mut o, d, oc);
            }
        }
    } else if s.is_objmap() {
        let _ = write!(o, " : {}", print::objref_type(s.objtype));
    }
    o
}

/// Print a set or map declaration and its elements.
pub fn set(o: &mut String, s: &SetInfo, oc: &Octx) {
    let kind = if s.flags & 0x21 == 0x21 {
        "meter"
    } else if s.is_datamap() || s.is_objmap() {
        "map"
    } else {
        "set"
    };
    let _ = write!(o, "\t{kind} {} {{", s.name);
    if oc.handle {
        let _ = write!(o, " # handle {}", s.handle);
    }
    o.push_str("\n\t\t");
    o.push_str(&set_type_text(s, oc));
    o.push('\n');
    if s.flags & CONSTANT == 0 {
        if s.policy != 0 {
            let _ = writeln!(
                o,
                "\t\tpolicy {}",
                if s.policy == 1 { "memory" } else { "unknown" }
            );
        }
        if s.size > 0 {
            let _ = writeln!(o, "\t\tsize {}", s.size);
        }
    }
    let mut f = s.flags;
    if s.timeout != 0 {
        f &= !TIMEOUT;
    }
    if f & (CONSTANT | INTERVAL | TIMEOUT | EVAL) != 0 {
        let mut names = Vec::new();
        if s.flags & CONSTANT != 0 {
            names.push("constant");
        }
        if s.flags & EVAL != 0 {
            names.push("dynamic");
        }
        if s.flags & INTERVAL != 0 {
            names.push("interval");
        }
        if s.flags & TIMEOUT != 0 {
            names.push("timeout");
        }
        let _ = writeln!(o, "\t\tflags {}", names.join(","));
    }
    if !s.stmts.is_empty() {
        let sl = Octx {
            stateless: true,
            ..*oc
        };
        o.push_str("\t\t");
        for (i, st) in s.stmts.iter().enumerate() {
            if i > 0 {
                o.push(' ');
            }
            print::stmt(o, st, &sl);
        }
        o.push('\n');
    }
    if s.automerge {
        o.push_str("\t\tauto-merge\n");
    }
    if s.timeout != 0 {
        let _ = writeln!(o, "\t\ttimeout {}", time_text(s.timeout, oc));
    }
    if s.gc_int != 0 {
        let _ = writeln!(o, "\t\tgc-interval {}", time_text(s.gc_int as u64, oc));
    }
    if let Some(c) = &s.comment {
        let _ = writeln!(o, "\t\tcomment \"{c}\"");
    }
    if (kind == "meter" && oc.stateless) || oc.terse {
        o.push_str("\t}\n");
        return;
    }
    let has_elems =
        matches!(&s.init.kind, super::expr::Kind::Set { elems, .. } if !elems.is_empty());
    if has_elems {
        o.push_str("\t\telements = ");
        print::expr(o, &s.init, oc);
        o.push('\n');
    }
    o.push_str("\t}\n");
}

fn proto_text(l4: u8) -> String {
    super::sysdb::proto_name(l4)
        .map(str::to_string)
        .unwrap_or_else(|| l4.to_string())
}

/// Print a stateful object.
pub fn object(o: &mut String, ob: &Object, oc: &Octx) {
    let data = obj::decode(ob);
    let ty = ob.attrs.obj_type.map(|t| t.value()).unwrap_or(0);
    let _ = write!(o, "\t{}", print::objref_type(ty));
    let comment = super::udata::comment_opt(ob.attrs.userdata.as_deref(), 0);
    let head = |o: &mut String| {
        let _ = write!(o, " {} {{", ob.name());
        if oc.handle {
            let _ = write!(o, " # handle {}", ob.attrs.handle.unwrap_or(0));
        }
        if let Some(c) = &comment {
            let _ = write!(o, "\n\t\tcomment \"{c}\"");
        }
    };
    match data {
        ObjData::Counter { packets, bytes } => {
            head(o);
            if oc.stateless {
                o.push('\n');
            } else {
                let _ = writeln!(o, "\n\t\tpackets {packets} bytes {bytes}");
            }
        }
        ObjData::Quota { bytes, used, flags } => {
            head(o);
            let (b, u) = rate(bytes);
            let _ = write!(
                o,
                "\n\t\t{}{b} {u}",
                if flags & 1 != 0 { "over " } else { "" }
            );
            if !oc.stateless && used != 0 {
                let (b, u) = rate(used);
                let _ = write!(o, " used {b} {u}");
            }
            o.push('\n');
        }
        ObjData::Secmark { ctx } => {
            head(o);
            let _ = writeln!(o, "\n\t\t\"{ctx}\"");
        }
        ObjData::CtHelper {
            name,
            l3proto,
            l4proto,
        } => {
            head(o);
            let _ = writeln!(o, "\n\t\ttype \"{name}\" protocol {}", proto_text(l4proto));
            let _ = writeln!(o, "\t\tl3proto {}", family_name(l3proto as u8));
        }
        ObjData::CtTimeout {
            l3proto,
            l4proto,
            timeout,
        } => {
            head(o);
            let _ = writeln!(o, "\n\t\tprotocol {}", proto_text(l4proto));
            let _ = writeln!(o, "\t\tl3proto {}", family_name(l3proto as u8));
            o.push_str("\t\tpolicy = { ");
            let mut first = true;
            for (i, (name, dflt)) in obj::timeout_states(l4proto).iter().enumerate() {
                let v = timeout.get(i).copied().unwrap_or(0);
                if v != *dflt {
                    if !first {
                        o.push_str(", ");
                    }
                    let _ = write!(o, "{name} : {v}");
                    first = false;
                }
            }
            o.push_str(" }\n");
        }
        ObjData::CtExpect {
            l3proto,
            l4proto,
            dport,
            timeout,
            size,
        } => {
            head(o);
            let _ = writeln!(o, "\n\t\tprotocol {}", proto_text(l4proto));
            let _ = writeln!(o, "\t\tdport {dport}");
            let _ = writeln!(o, "\t\ttimeout {}", time_text(timeout as u64, oc));
            let _ = writeln!(o, "\t\tsize {size}");
            let _ = writeln!(o, "\t\tl3proto {}", family_name(l3proto as u8));
        }
        ObjData::Limit {
            rate: r,
            unit: u,
            burst,
            ty,
            flags,
        } => {
            head(o);
            o.push_str("\n\t\t");
            let inv = if flags & 1 != 0 { "over " } else { "" };
            match ty {
                0 => {
                    let _ = write!(o, "rate {inv}{r}/{}", unit(u));
                    if burst > 0 && burst != 5 {
                        let _ = write!(o, " burst {burst} packets");
                    }
                }
                1 => {
                    let (rv, ru) = rate(r);
                    let _ = write!(o, "rate {inv}{rv} {ru}/{}", unit(u));
                    if burst > 0 {
                        let (bv, bu) = rate(burst as u64);
                        let _ = write!(o, " burst {bv} {bu}");
                    }
                }
                _ => {}
            }
            o.push('\n');
        }
        ObjData::Synproxy { mss, wscale, flags } => {
            head(o);
            if flags & 1 != 0 {
                let _ = write!(o, "\n\t\tmss {mss}");
            }
            if flags & 2 != 0 {
                let _ = write!(o, "\n\t\twscale {wscale}");
            }
            if flags & (4 | 8) != 0 {
                let ts = if flags & 8 != 0 { "timestamp" } else { "" };
                let sack = if flags & 4 != 0 { "sack-perm" } else { "" };
                let _ = write!(o, "\n\t\t{ts} {sack}");
            }
            o.push('\n');
        }
        ObjData::Unknown(_) => {
            o.push_str(" unknown {\n");
        }
    }
    o.push_str("\t}\n");
}

/// Print a flowtable.
pub fn flowtable(o: &mut String, f: &Flowtable, oc: &Octx) {
    let _ = write!(o, "\tflowtable {} {{", f.name.as_deref().unwrap_or(""));
    if oc.handle {
        let _ = write!(o, " # handle {}", f.handle.unwrap_or(0));
    }
    o.push('\n');
    let (num, prio, mut devs) = match &f.hook {
        Some(h) => (
            h.num.unwrap_or(0),
            h.priority.unwrap_or(0),
            h.devs.as_ref().map(|d| d.0.clone()).unwrap_or_default(),
        ),
        None => (0, 0, Vec::new()),
    };
    devs.sort();
    let _ = writeln!(
        o,
        "\t\thook {} priority {}",
        hook_name(5, num),
        prio_text(prio, 5, num, oc)
    );
    if !devs.is_empty() {
        let _ = writeln!(o, "\t\tdevices = {{ {} }}", devs.join(", "));
    }
    let flags = f.flags.unwrap_or(0);
    if flags & 1 != 0 {
        o.push_str("\t\tflags offload\n");
    }
    if flags & 2 != 0 {
        o.push_str("\t\tcounter\n");
    }
    o.push_str("\t}\n");
}

/// The `# Warning` line nft writes to stderr for iptables-nft tables.
pub fn xt_warning(t: &TableM<'_>) -> Option<String> {
    t.has_xt.then(|| {
        format!(
            "# Warning: table {} {} is managed by iptables-nft, do not touch!\n",
            family_name(t.table.family),
            t.table.name()
        )
    })
}

/// Print a whole table.
pub fn table(o: &mut String, t: &TableM<'_>, oc: &Octx) {
    let mut delim = table_open(o, t, oc);
    for c in &t.chains {
        o.push_str(delim);
        chain(o, c, oc);
        delim = "\n";
    }
    o.push_str("}\n");
}

/// Print a table's header, objects, sets and flowtables; returns the
/// separator to print before the first chain.
pub fn table_open(o: &mut String, t: &TableM<'_>, oc: &Octx) -> &'static str {
    let tb = t.table;
    let flags = tb.attrs.flags.unwrap_or(0);
    let _ = write!(o, "table {} {} {{", family_name(tb.family), tb.name());
    if oc.handle || flags & 2 != 0 {
        o.push_str(" #");
    }
    if oc.handle {
        let _ = write!(o, " handle {}", tb.attrs.handle.unwrap_or(0));
    }
    if flags & 2 != 0 {
        let name = super::sysdb::progname(tb.attrs.owner.unwrap_or(0));
        let _ = write!(o, " progname {}", name.as_deref().unwrap_or("(null)"));
    }
    o.push('\n');
    let mut delim = "";
    if flags != 0 {
        let names: Vec<&str> = [(1, "dormant"), (2, "owner")]
            .iter()
            .filter(|(b, _)| flags & b != 0)
            .map(|(_, n)| *n)
            .collect();
        let _ = writeln!(o, "\tflags {}", names.join(","));
        delim = "\n";
    }
    if let Some(c) = &t.comment {
        let _ = writeln!(o, "\tcomment \"{c}\"");
    }
    for ob in &t.objects {
        o.push_str(delim);
        object(o, ob, oc);
        delim = "\n";
    }
    for name in &t.set_order {
        let Some(s) = t.sets.get(name) else { continue };
        if s.is_anonymous() {
            continue;
        }
        o.push_str(delim);
        set(o, s, oc);
        delim = "\n";
    }
    for f in &t.flowtables {
        o.push_str(delim);
        flowtable(o, f, oc);
        delim = "\n";
    }
    delim
}

/// Text and stderr warnings of a whole model.
pub fn model(m: &Model<'_>, oc: &Octx, out: &mut String, warn: &mut String) {
    for t in &m.tables {
        if let Some(w) = xt_warning(t) {
            warn.push_str(&w);
        }
        table(out, t, oc);
    }
}
