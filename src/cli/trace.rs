//! `nftwire trace`: arm tracing for matching packets and print, per packet,
//! every chain and rule it went through with the verdicts, each rule in
//! iptables syntax when iptables-nft wrote it and in nft syntax otherwise.

use super::ifname;
use nftwire::iptables::decode::{decode, Decoded};
use nftwire::iptables::save::{rule_line, Counters};
use nftwire::netlink::Conn;
use nftwire::object::family_name;
use nftwire::render::json::value::Json;
use nftwire::render::nft::{octx::Octx, render, Selection};
use nftwire::ruleset::Ruleset;
use nftwire::trace::{self, TraceCt, TraceEvent, TraceType};
use std::collections::HashMap;
use std::io::Write;

/// Arguments of `nftwire trace`.
#[derive(clap::Args)]
pub struct Args {
    /// One JSON object per trace event.
    #[arg(long)]
    pub json: bool,
    /// Trace packets from this address (or ADDR/LEN).
    #[arg(long)]
    pub src: Option<String>,
    /// Trace packets to this address (or ADDR/LEN).
    #[arg(long)]
    pub dst: Option<String>,
    /// Trace packets of this protocol (tcp, udp, ...).
    #[arg(long)]
    pub proto: Option<String>,
    /// Trace packets to this port (needs --proto, default tcp).
    #[arg(long)]
    pub dport: Option<u16>,
    /// Trace packets arriving on this interface.
    #[arg(long)]
    pub iif: Option<String>,
    /// More match statements, nft-like (as `nftwire reconcile` reads them).
    #[arg(long = "match", value_name = "STATEMENTS")]
    pub matches: Option<String>,
    /// Stop after this many printed rule, return and policy events.
    #[arg(long)]
    pub count: Option<usize>,
}

fn match_text(a: &Args) -> String {
    let mut parts = Vec::new();
    for (kw, v) in [("saddr", &a.src), ("daddr", &a.dst)] {
        if let Some(v) = v {
            let l3 = if v.contains(':') { "ip6" } else { "ip" };
            parts.push(format!("{l3} {kw} {v}"));
        }
    }
    if let Some(i) = &a.iif {
        parts.push(format!("iifname {i}"));
    }
    match (&a.proto, a.dport) {
        (p, Some(d)) => parts.push(format!("{} dport {d}", p.as_deref().unwrap_or("tcp"))),
        (Some(p), None) => parts.push(format!("meta l4proto {p}")),
        (None, None) => {}
    }
    if let Some(m) = &a.matches {
        parts.push(m.clone());
    }
    parts.join(" ")
}

/// A table's rule texts by handle, each with its syntax (`iptables`/`nft`).
type TableTexts = HashMap<u64, (String, &'static str)>;

/// Rule texts by handle, per (family, table), read when first needed.
#[derive(Default)]
struct RuleTexts {
    tables: HashMap<(u8, String), TableTexts>,
}

impl RuleTexts {
    fn get(&mut self, family: u8, table: &str, handle: u64) -> Option<(String, &'static str)> {
        let key = (family, table.to_string());
        if !self
            .tables
            .get(&key)
            .is_some_and(|m| m.contains_key(&handle))
        {
            self.tables
                .insert(key.clone(), read_table(family, table).unwrap_or_default());
        }
        self.tables.get(&key)?.get(&handle).cloned()
    }
}

fn read_table(family: u8, table: &str) -> nftwire::Result<TableTexts> {
    let mut conn = Conn::open()?;
    let rs = Ruleset::read_filtered(&mut conn, family, Some(table))?;
    let mut out = HashMap::new();
    let oc = Octx {
        handle: true,
        stateless: true,
        ..Octx::default()
    };
    if let Ok(o) = render(&rs, &Selection::Table(family, table.to_string()), &oc) {
        for l in o.text.lines() {
            let Some((text, h)) = l.trim().rsplit_once(" # handle ") else {
                continue;
            };
            if text.ends_with('{') {
                continue;
            }
            if let Ok(h) = h.trim().parse::<u64>() {
                out.insert(h, (text.to_string(), "nft"));
            }
        }
    }
    for r in rs
        .rules
        .iter()
        .filter(|r| r.family == family && r.table() == table)
    {
        let (Some(h), Decoded::Rule(ipt)) = (r.attrs.handle, decode(r, table)) else {
            continue;
        };
        out.insert(
            h,
            (
                rule_line(&ipt, r.chain(), table, Counters::None),
                "iptables",
            ),
        );
    }
    Ok(out)
}

fn packet_text(e: &TraceEvent) -> Option<String> {
    let mut h = e.network_header.clone()?;
    h.extend_from_slice(e.transport_header.as_deref().unwrap_or(&[]));
    let l = nftwire::nflog::parse_l3(&h)?;
    let mut s = String::new();
    if let Some(i) = ifname(e.iif) {
        s.push_str(&format!("iif {i} "));
    }
    if let Some(o) = ifname(e.oif) {
        s.push_str(&format!("oif {o} "));
    }
    s.push_str(&format!(
        "{} {} -> {}",
        nftwire::conntrack::entry::proto_name(l.proto),
        nftwire::conntrack::entry::hostport(Some(l.src), l.sport),
        nftwire::conntrack::entry::hostport(Some(l.dst), l.dport)
    ));
    s.push_str(&format!(" mark {:#x}", e.mark.unwrap_or(0)));
    Some(s)
}

/// Run the subcommand; returns the exit code.
pub fn run(a: Args) -> anyhow::Result<i32> {
    let (matches, _) =
        nftwire::reconcile::text::compile_rule(nftwire::consts::family::INET, &match_text(&a))?;
    // SIGINT/SIGTERM are handled by one thread that disarms and exits; the
    // mask is set before any thread starts so they all inherit it.
    let mut sigs = nix::sys::signal::SigSet::empty();
    sigs.add(nix::sys::signal::Signal::SIGINT);
    sigs.add(nix::sys::signal::Signal::SIGTERM);
    sigs.thread_block()?;
    let mut conn = Conn::open()?;
    for t in trace::remove_stale(&mut conn)? {
        eprintln!("nftwire: removed table inet {t} left by an earlier trace");
    }
    let mut watch = trace::TraceWatch::open()?;
    let armed = trace::arm(&mut conn, &matches)?;
    let table = armed.table().to_string();
    let sig_table = table.clone();
    std::thread::spawn(move || {
        let code = match sigs.wait() {
            Ok(nix::sys::signal::Signal::SIGINT) => 130,
            _ => 143,
        };
        let _ = trace::disarm_table(&sig_table);
        std::process::exit(code);
    });
    eprintln!("nftwire: tracing (table inet {table}); interrupt to stop");
    let mut texts = RuleTexts::default();
    let stdout = std::io::stdout();
    let mut n = 0usize;
    let result = (|| -> anyhow::Result<()> {
        loop {
            for e in watch.next_events()? {
                // Arming rules: ours and those of concurrent tracers.
                if e.table.starts_with(trace::TABLE_PREFIX) {
                    continue;
                }
                let mut out = stdout.lock();
                let fam = family_name(e.family);
                let place = format!("{fam} {} {}", e.table, e.chain);
                // The kernel sends the headers (and the conntrack view) with
                // the first message of each base chain the packet enters.
                if let Some(p) = packet_text(&e) {
                    if a.json {
                        let mut j = event_json(&e);
                        j.set("packet", Json::s(p));
                        j.set("mark", Json::i(e.mark.unwrap_or(0)));
                        if let Some(ct) = &e.ct {
                            j.set("ct", ct_json(ct));
                        }
                        writeln!(out, "{}", json_text(&j))?;
                    } else {
                        writeln!(out, "trace {:08x} {place} packet: {p}", e.id)?;
                        if let Some(ct) = &e.ct {
                            writeln!(out, "trace {:08x} {place} conntrack: {}", e.id, ct.text())?;
                        }
                    }
                }
                // A rule event without a handle (the end of a chain) may
                // carry the headers, but nft prints nothing else for it.
                if e.kind == TraceType::Rule && e.rule_handle.is_none() {
                    continue;
                }
                let what = match e.kind {
                    TraceType::Rule => "rule",
                    TraceType::Return => "return",
                    TraceType::Policy => "policy",
                    TraceType::Other(_) => "event",
                };
                let rule = match (e.kind, e.rule_handle) {
                    (TraceType::Rule, Some(h)) => texts.get(e.family, &e.table, h),
                    _ => None,
                };
                let verdict = e.verdict_text();
                if a.json {
                    let mut j = event_json(&e);
                    j.set("type", Json::s(what));
                    if let Some(h) = e.rule_handle {
                        j.set("handle", Json::i(h));
                    }
                    if let Some((t, syntax)) = &rule {
                        j.set("rule", Json::s(t.clone()));
                        j.set("syntax", Json::s(*syntax));
                    }
                    if let Some(v) = &verdict {
                        j.set("verdict", Json::s(v.clone()));
                    }
                    if let Some(m) = e.mark {
                        j.set("mark", Json::i(m));
                    }
                    writeln!(out, "{}", json_text(&j))?;
                } else {
                    let mut s = format!("trace {:08x} {place} ", e.id);
                    match e.kind {
                        TraceType::Rule => {
                            let t = rule.map(|r| r.0).unwrap_or_else(|| {
                                format!("handle {}", e.rule_handle.unwrap_or(0))
                            });
                            s.push_str(&format!(
                                "rule {t} (verdict {})",
                                verdict.unwrap_or_else(|| "?".into())
                            ));
                        }
                        TraceType::Policy => {
                            s.push_str(&format!("policy {}", verdict.unwrap_or_else(|| "?".into())))
                        }
                        _ => s.push_str(what),
                    }
                    // As nft's tracer: the mark at the end of a chain, when set.
                    if let (TraceType::Policy | TraceType::Return, Some(m)) = (e.kind, e.mark) {
                        s.push_str(&format!(" mark {m:#x}"));
                    }
                    writeln!(out, "{s}")?;
                }
                out.flush()?;
                n += 1;
                if a.count.is_some_and(|c| n >= c) {
                    return Ok(());
                }
            }
        }
    })();
    armed.disarm()?;
    result.map(|()| 0)
}

/// `{"trace": ID, "family": F, "table": T, "chain": C}`: where an event
/// happened.
fn event_json(e: &TraceEvent) -> Json {
    Json::obj(vec![
        ("trace", Json::s(format!("{:08x}", e.id))),
        ("family", Json::s(family_name(e.family))),
        ("table", Json::s(e.table.clone())),
        ("chain", Json::s(e.chain.clone())),
    ])
}

/// `{"state": "new", "direction": "original", "status": [...], "nat":
/// ["dnat"], "id": N}`, the parts the kernel sent.
fn ct_json(ct: &TraceCt) -> Json {
    let mut j = Json::obj(vec![]);
    if let Some(s) = ct.state_text() {
        j.set("state", Json::s(s));
    }
    if let Some(d) = ct.direction_text() {
        j.set("direction", Json::s(d));
    }
    if ct.status.is_some() {
        j.set(
            "status",
            Json::Arr(ct.status_names().into_iter().map(Json::s).collect()),
        );
        j.set(
            "nat",
            Json::Arr(ct.nat().into_iter().map(Json::s).collect()),
        );
    }
    if let Some(i) = ct.id {
        j.set("id", Json::i(i));
    }
    j
}

fn json_text(j: &Json) -> String {
    let mut s = String::new();
    j.write(&mut s);
    s
}
