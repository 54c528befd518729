//! The transaction-aware part of `nftwire monitor`: `--json` (events grouped
//! under their generation and committer) and fight warnings (`--fights`,
//! `--fight-window`). Kept apart from the plain event printer in
//! `monitor.rs`.

use nftwire::monitor::{Event, EventObject, Fight, FightDetector, Transaction, TxnBuilder};
use nftwire::object::family_name;
use nftwire::render::json::value::Json;
use std::time::{Duration, Instant};

/// Parse a window such as `30s`, `500ms`, `2m` or `1h` (a bare number is
/// seconds).
pub fn parse_window(s: &str) -> Result<Duration, String> {
    let s = s.trim();
    let split = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
    let (num, unit) = s.split_at(split);
    let n: u64 = num
        .parse()
        .map_err(|_| format!("bad window '{s}': expected a number with s, ms, m or h"))?;
    let d = match unit {
        "" | "s" => Duration::from_secs(n),
        "ms" => Duration::from_millis(n),
        "m" => Duration::from_secs(n.saturating_mul(60)),
        "h" => Duration::from_secs(n.saturating_mul(3600)),
        _ => return Err(format!("bad window unit in '{s}': use s, ms, m or h")),
    };
    if d.is_zero() {
        return Err("the fight window must be longer than zero".into());
    }
    Ok(d)
}

/// Groups events into transactions and runs the fight detector over them.
pub struct FightWatch {
    builder: TxnBuilder,
    detector: FightDetector,
    window: Duration,
}

impl FightWatch {
    /// A watch with the given window.
    pub fn new(window: Duration) -> FightWatch {
        FightWatch {
            builder: TxnBuilder::new(),
            detector: FightDetector::new(window),
            window,
        }
    }

    /// Feed one event; returns the transaction it closes (if any) and the
    /// fights that transaction starts.
    pub fn feed(&mut self, e: Event) -> Option<(Transaction, Vec<Fight>)> {
        let t = self.builder.push(e)?;
        let f = self.detector.observe(Instant::now(), &t);
        Some((t, f))
    }

    /// A fight as one warning line.
    pub fn warning(&self, f: &Fight) -> String {
        format!(
            "warning: fight over chain {} {} {}: {} (pid {}) and {} (pid {}) undid each other's rules {} times within {}: {}",
            family_name(f.family),
            f.table,
            f.chain,
            f.process.name,
            f.process.pid,
            f.rival.name,
            f.rival.pid,
            f.count,
            window_text(self.window),
            f.rule
        )
    }

    /// A fight as a JSON object (`{"fight": {...}}`).
    pub fn warning_json(&self, f: &Fight) -> Json {
        let proc_ = |c: &nftwire::monitor::Committer| {
            Json::obj(vec![
                ("name", Json::s(c.name.clone())),
                ("pid", Json::i(c.pid)),
            ])
        };
        Json::one(
            "fight",
            Json::obj(vec![
                ("family", Json::s(family_name(f.family))),
                ("table", Json::s(f.table.clone())),
                ("chain", Json::s(f.chain.clone())),
                (
                    "processes",
                    Json::Arr(vec![proc_(&f.process), proc_(&f.rival)]),
                ),
                ("count", Json::i(f.count as u64)),
                ("window_ms", Json::i(self.window.as_millis() as u64)),
                ("rule", Json::s(f.rule.clone())),
            ]),
        )
    }
}

fn window_text(d: Duration) -> String {
    if d.subsec_millis() == 0 {
        format!("{}s", d.as_secs())
    } else {
        format!("{}ms", d.as_millis())
    }
}

/// One transaction as JSON: generation, committer, and its events.
pub fn transaction_json(t: &Transaction) -> Json {
    Json::obj(vec![
        ("generation", Json::i(t.generation)),
        ("pid", Json::i(t.committer.pid)),
        ("process", Json::s(t.committer.name.clone())),
        (
            "events",
            Json::Arr(t.events.iter().map(event_json).collect()),
        ),
    ])
}

fn event_json(e: &Event) -> Json {
    let op = Json::s(if e.added { "add" } else { "delete" });
    let named = |kind: &str, family: u8, table: &str, name: Option<(&str, &str)>| {
        let mut v = Json::obj(vec![
            ("op", op.clone()),
            ("kind", Json::s(kind)),
            ("family", Json::s(family_name(family))),
            ("table", Json::s(table)),
        ]);
        if let Some((k, n)) = name {
            v.set(k, Json::s(n));
        }
        v
    };
    match &e.object {
        EventObject::Table(t) => named("table", t.family, t.name(), None),
        EventObject::Chain(c) => named("chain", c.family, c.table(), Some(("name", c.name()))),
        EventObject::Rule(r) => {
            let mut v = named("rule", r.family, r.table(), Some(("chain", r.chain())));
            if let Some(h) = r.attrs.handle {
                v.set("handle", Json::i(h));
            }
            if let Some(p) = r.attrs.position {
                v.set("position", Json::i(p));
            }
            let exprs: Vec<String> = r.exprs().iter().map(|x| x.to_string()).collect();
            v.set("expr", Json::s(exprs.join(" ")));
            if let Some(c) = r.comment() {
                v.set("comment", Json::s(c));
            }
            v
        }
        EventObject::Set(s) => named("set", s.family, s.table(), Some(("name", s.name()))),
        EventObject::Elements(el) => {
            let mut v = named(
                "elements",
                el.family,
                el.attrs.table.as_deref().unwrap_or(""),
                Some(("set", el.attrs.set.as_deref().unwrap_or(""))),
            );
            let n = el.attrs.elems.as_ref().map(|l| l.0.len()).unwrap_or(0);
            v.set("count", Json::i(n as u64));
            v
        }
        EventObject::Object(o) => named("object", o.family, o.table(), Some(("name", o.name()))),
        EventObject::Flowtable(f) => named(
            "flowtable",
            f.family,
            f.attrs.table.as_deref().unwrap_or(""),
            Some(("name", f.attrs.name.as_deref().unwrap_or(""))),
        ),
        EventObject::Generation(g) => Json::obj(vec![
            ("kind", Json::s("generation")),
            ("id", Json::i(g.id.unwrap_or(0))),
        ]),
        EventObject::Other(m) => {
            Json::obj(vec![("kind", Json::s("other")), ("type", Json::i(m.ty))])
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_parse() {
        assert_eq!(parse_window("30s"), Ok(Duration::from_secs(30)));
        assert_eq!(parse_window("45"), Ok(Duration::from_secs(45)));
        assert_eq!(parse_window("500ms"), Ok(Duration::from_millis(500)));
        assert_eq!(parse_window("2m"), Ok(Duration::from_secs(120)));
        assert!(parse_window("0s").is_err());
        assert!(parse_window("s").is_err());
        assert!(parse_window("3 days").is_err());
    }
}
