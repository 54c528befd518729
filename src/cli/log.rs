//! `nftwire log --group N`: print the packets NFLOG rules send to a group.

use super::ifname;
use nftwire::nflog::{LogGroup, Packet};
use nftwire::render::json::value::Json;
use std::io::Write;

/// Arguments of `nftwire log`.
#[derive(clap::Args)]
pub struct Args {
    /// The NFLOG group to bind (`log group N`, `--nflog-group N`).
    #[arg(long)]
    pub group: u16,
    /// One JSON object per packet.
    #[arg(long)]
    pub json: bool,
    /// Stop after this many packets (default: run until interrupted).
    #[arg(long)]
    pub count: Option<usize>,
}

fn proto_name(p: u8) -> String {
    nftwire::conntrack::entry::proto_name(p)
}

/// One packet as a text line.
pub fn line(p: &Packet) -> String {
    let mut s = String::new();
    if let Some(pre) = &p.prefix {
        s.push_str(&format!("prefix {pre:?} "));
    }
    s.push_str(&format!("group {}", p.group));
    if let Some(h) = p.hook_name() {
        s.push_str(&format!(" hook {h}"));
    }
    s.push_str(&format!(
        " in {} out {}",
        ifname(p.indev).unwrap_or_else(|| "-".into()),
        ifname(p.outdev).unwrap_or_else(|| "-".into())
    ));
    if let Some(l) = &p.l3 {
        s.push_str(&format!(" {} ", proto_name(l.proto)));
        s.push_str(&nftwire::conntrack::entry::hostport(Some(l.src), l.sport));
        s.push_str(" -> ");
        s.push_str(&nftwire::conntrack::entry::hostport(Some(l.dst), l.dport));
        if let Some((t, c)) = l.icmp {
            s.push_str(&format!(" type {t} code {c}"));
        }
        s.push_str(&format!(" len {}", l.len));
    }
    s.push_str(&format!(" mark {:#x}", p.mark.unwrap_or(0)));
    if let Some(u) = p.uid {
        s.push_str(&format!(" uid {u}"));
    }
    s
}

/// One packet as JSON.
pub fn json(p: &Packet) -> Json {
    let mut v = Json::obj(vec![("group", Json::i(p.group))]);
    if let Some(pre) = &p.prefix {
        v.set("prefix", Json::s(pre.clone()));
    }
    if let Some(h) = p.hook_name() {
        v.set("hook", Json::s(h));
    }
    if let Some(i) = ifname(p.indev) {
        v.set("iif", Json::s(i));
    }
    if let Some(i) = ifname(p.outdev) {
        v.set("oif", Json::s(i));
    }
    if let Some(l) = &p.l3 {
        v.set("protocol", Json::s(proto_name(l.proto)));
        v.set("src", Json::s(l.src.to_string()));
        v.set("dst", Json::s(l.dst.to_string()));
        if let Some(x) = l.sport {
            v.set("sport", Json::i(x));
        }
        if let Some(x) = l.dport {
            v.set("dport", Json::i(x));
        }
        if let Some((t, c)) = l.icmp {
            v.set("icmp_type", Json::i(t));
            v.set("icmp_code", Json::i(c));
        }
        v.set("len", Json::i(l.len));
    }
    v.set("mark", Json::i(p.mark.unwrap_or(0)));
    if let Some(u) = p.uid {
        v.set("uid", Json::i(u));
    }
    v
}

/// Run the subcommand; returns the exit code.
pub fn run(a: Args) -> anyhow::Result<i32> {
    let mut g = LogGroup::bind(a.group)?;
    eprintln!("nftwire: listening on NFLOG group {}", g.group());
    let stdout = std::io::stdout();
    let mut n = 0usize;
    loop {
        for p in g.next_packets()? {
            match p {
                Ok(p) => {
                    let mut out = stdout.lock();
                    if a.json {
                        let mut s = String::new();
                        json(&p).write(&mut s);
                        writeln!(out, "{s}")?;
                    } else {
                        writeln!(out, "{}", line(&p))?;
                    }
                    out.flush()?;
                    n += 1;
                    if a.count.is_some_and(|c| n >= c) {
                        return Ok(0);
                    }
                }
                Err(why) => eprintln!("nftwire: skipped an NFLOG message: {why}"),
            }
        }
    }
}
