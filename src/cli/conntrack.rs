//! `nftwire conntrack`: list (or follow) conntrack entries over ctnetlink,
//! with the NAT each applies in words.

use nftwire::conntrack::{self, Endpoints, Entry, EventKind};
use nftwire::render::json::value::Json;
use std::io::Write;
use std::net::IpAddr;

/// Arguments of `nftwire conntrack`.
#[derive(clap::Args)]
pub struct Args {
    /// One JSON object per entry (one per line).
    #[arg(long)]
    pub json: bool,
    /// Only entries that translate addresses or ports (SNAT, DNAT).
    #[arg(long)]
    pub nat: bool,
    /// Only entries whose original source is this address (or in ADDR/LEN).
    #[arg(long, value_name = "ADDR", value_parser = parse_prefix)]
    pub src: Option<Prefix>,
    /// Only entries whose original destination is this address (or in ADDR/LEN).
    #[arg(long, value_name = "ADDR", value_parser = parse_prefix)]
    pub dst: Option<Prefix>,
    /// Follow events (new, update, destroy) instead of listing the table.
    #[arg(long)]
    pub watch: bool,
    /// With --watch, stop after this many printed entries.
    #[arg(long)]
    pub count: Option<usize>,
}

/// An address with a prefix length.
#[derive(Clone, Copy, Debug)]
pub struct Prefix {
    addr: IpAddr,
    len: u8,
}

fn parse_prefix(s: &str) -> Result<Prefix, String> {
    let (a, l) = match s.split_once('/') {
        Some((a, l)) => (a, Some(l)),
        None => (s, None),
    };
    let addr: IpAddr = a
        .parse()
        .map_err(|_| format!("'{a}' is not an IP address"))?;
    let max = if addr.is_ipv4() { 32 } else { 128 };
    let len = match l {
        Some(l) => l
            .parse::<u8>()
            .ok()
            .filter(|n| *n <= max)
            .ok_or_else(|| format!("bad prefix length '{l}' (0..={max})"))?,
        None => max,
    };
    Ok(Prefix { addr, len })
}

impl Prefix {
    fn contains(&self, a: Option<IpAddr>) -> bool {
        let Some(a) = a else { return false };
        let (x, y, bits) = match (self.addr, a) {
            (IpAddr::V4(p), IpAddr::V4(a)) => {
                (u128::from(u32::from(p)), u128::from(u32::from(a)), 32u32)
            }
            (IpAddr::V6(p), IpAddr::V6(a)) => (u128::from(p), u128::from(a), 128),
            _ => return false,
        };
        let len = u32::from(self.len);
        if len == 0 {
            return true;
        }
        let shift = bits - len;
        (x >> shift) == (y >> shift)
    }
}

fn wanted(a: &Args, e: &Entry) -> bool {
    let n = e.nat();
    (!a.nat || n.snat.is_some() || n.dnat.is_some())
        && a.src.is_none_or(|p| p.contains(e.orig.src))
        && a.dst.is_none_or(|p| p.contains(e.orig.dst))
}

/// One entry as a text line.
pub fn line(e: &Entry) -> String {
    let mut s = String::new();
    match e.kind {
        EventKind::New => {}
        EventKind::Update => s.push_str("[UPDATE] "),
        EventKind::Destroy => s.push_str("[DESTROY] "),
        EventKind::Other(n) => s.push_str(&format!("[MSG {n}] ")),
    }
    s.push_str(&e.proto());
    if let Some(st) = e.state() {
        s.push(' ');
        s.push_str(&st);
    }
    s.push(' ');
    s.push_str(&e.nat_text());
    if let Some((t, c, id)) = e.orig.icmp {
        let f = |v: Option<u64>| v.map(|x| x.to_string()).unwrap_or_else(|| "?".into());
        s.push_str(&format!(
            " type {} code {} id {}",
            f(t.map(u64::from)),
            f(c.map(u64::from)),
            f(id.map(u64::from))
        ));
    }
    s.push_str(&format!(" reply {}", e.reply.text()));
    let flags: Vec<String> = e
        .status_names()
        .into_iter()
        .filter(|n| n == "ASSURED" || n == "SEEN_REPLY" || n == "OFFLOAD")
        .collect();
    if !flags.is_empty() {
        s.push_str(&format!(" [{}]", flags.join(",")));
    }
    if let Some(m) = e.mark {
        s.push_str(&format!(" mark {m:#x}"));
    }
    if let Some(z) = e.zone {
        s.push_str(&format!(" zone {z}"));
    }
    if let Some(t) = e.timeout {
        s.push_str(&format!(" timeout {t}s"));
    }
    if let (Some(o), Some(r)) = (e.counters_orig, e.counters_reply) {
        s.push_str(&format!(
            " packets {}/{} bytes {}/{}",
            o.packets, r.packets, o.bytes, r.bytes
        ));
    }
    s
}

fn endpoints_json(p: &Endpoints) -> Json {
    let mut v = Json::obj(vec![]);
    if let Some(a) = p.src {
        v.set("src", Json::s(a.to_string()));
    }
    if let Some(a) = p.dst {
        v.set("dst", Json::s(a.to_string()));
    }
    if let Some(x) = p.sport {
        v.set("sport", Json::i(x));
    }
    if let Some(x) = p.dport {
        v.set("dport", Json::i(x));
    }
    if let Some((t, c, id)) = p.icmp {
        let o = |x: Option<u16>| x.map(Json::i).unwrap_or(Json::Null);
        v.set("icmp_type", o(t.map(u16::from)));
        v.set("icmp_code", o(c.map(u16::from)));
        v.set("icmp_id", o(id));
    }
    v
}

/// One entry as JSON.
pub fn json(e: &Entry) -> Json {
    let kind = match e.kind {
        EventKind::New => "new".to_string(),
        EventKind::Update => "update".to_string(),
        EventKind::Destroy => "destroy".to_string(),
        EventKind::Other(n) => format!("message {n}"),
    };
    let family = match e.family {
        2 => "ipv4".to_string(),
        10 => "ipv6".to_string(),
        n => n.to_string(),
    };
    let mut v = Json::obj(vec![
        ("event", Json::s(kind)),
        ("family", Json::s(family)),
        ("protocol", Json::s(e.proto())),
    ]);
    if let Some(st) = e.state() {
        v.set("state", Json::s(st));
    }
    v.set("orig", endpoints_json(&e.orig));
    v.set("reply", endpoints_json(&e.reply));
    let n = e.nat();
    let to = |(a, p): (Option<IpAddr>, Option<u16>)| {
        let mut o = Json::obj(vec![]);
        if let Some(a) = a {
            o.set("addr", Json::s(a.to_string()));
        }
        if let Some(p) = p {
            o.set("port", Json::i(p));
        }
        o
    };
    if let Some(x) = n.snat {
        v.set("snat", to(x));
    }
    if let Some(x) = n.dnat {
        v.set("dnat", to(x));
    }
    v.set("nat", Json::s(e.nat_text()));
    v.set(
        "status",
        Json::Arr(e.status_names().into_iter().map(Json::s).collect()),
    );
    if let Some(m) = e.mark {
        v.set("mark", Json::i(m));
    }
    if let Some(z) = e.zone {
        v.set("zone", Json::i(z));
    }
    if let Some(t) = e.timeout {
        v.set("timeout", Json::i(t));
    }
    if let (Some(o), Some(r)) = (e.counters_orig, e.counters_reply) {
        let c = |c: conntrack::Counters| {
            Json::obj(vec![
                ("packets", Json::i(c.packets)),
                ("bytes", Json::i(c.bytes)),
            ])
        };
        v.set("counters", Json::obj(vec![("orig", c(o)), ("reply", c(r))]));
    }
    if let Some(id) = e.id {
        v.set("id", Json::i(id));
    }
    v
}

fn print(out: &mut impl Write, a: &Args, e: &Entry) -> std::io::Result<()> {
    if a.json {
        let mut s = String::new();
        json(e).write(&mut s);
        writeln!(out, "{s}")
    } else {
        writeln!(out, "{}", line(e))
    }
}

/// Run the subcommand; returns the exit code.
pub fn run(a: Args) -> anyhow::Result<i32> {
    let stdout = std::io::stdout();
    if !a.watch {
        let (entries, bad) = conntrack::dump(0)?;
        let mut out = stdout.lock();
        for e in entries.iter().filter(|e| wanted(&a, e)) {
            print(&mut out, &a, e)?;
        }
        for b in &bad {
            eprintln!(
                "nftwire: skipped a conntrack message ({:#06x}): {}",
                b.ty, b.reason
            );
        }
        return Ok(0);
    }
    let mut w = conntrack::Watch::open()?;
    let mut n = 0usize;
    loop {
        for ev in w.next_events()? {
            match ev {
                Ok(e) if wanted(&a, &e) => {
                    let mut out = stdout.lock();
                    print(&mut out, &a, &e)?;
                    out.flush()?;
                    n += 1;
                    if a.count.is_some_and(|c| n >= c) {
                        return Ok(0);
                    }
                }
                Ok(_) => {}
                Err(b) => {
                    eprintln!(
                        "nftwire: skipped a conntrack message ({:#06x}): {}",
                        b.ty, b.reason
                    )
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefixes() {
        let p = parse_prefix("10.0.0.0/24").unwrap();
        assert!(p.contains(Some("10.0.0.5".parse().unwrap())));
        assert!(!p.contains(Some("10.0.1.5".parse().unwrap())));
        assert!(!p.contains(Some("::1".parse().unwrap())));
        assert!(parse_prefix("0.0.0.0/0")
            .unwrap()
            .contains(Some("1.2.3.4".parse().unwrap())));
        assert!(parse_prefix("10.0.0.0/33").is_err());
        assert!(parse_prefix("nope").is_err());
        let h = parse_prefix("2001:db8::1").unwrap();
        assert!(h.contains(Some("2001:db8::1".parse().unwrap())));
    }
}
