//! Userspace cost of reading rules, without the kernel: capture every rule
//! message of the current ruleset once, then time (or count instructions
//! of, under `valgrind --tool=callgrind`) decoding them again and again.
//!
//! ```text
//! decode_bench capture FILE          # needs CAP_NET_ADMIN; one dump per chain
//! decode_bench parse FILE [ROUNDS]   # RuleAttrs decode of every message
//! decode_bench debug FILE [ROUNDS]   # decode + the debug form of every expression
//! decode_bench iptables FILE [ROUNDS]  # decode + iptables::decode::decode
//! decode_bench iptables-save FILE [ROUNDS]  # ... + the iptables-save line
//! decode_bench save FILE [ROUNDS]    # decode + the rule block `nftwire save` writes
//! decode_bench list FILE [ROUNDS]    # the rule line `nftwire list` prints (its own decoder)
//! ```
//!
//! The file is a sequence of records: family (1 byte), body length (u32,
//! little-endian), then the message body (the attribute stream).

use nftwire::consts::msg;
use nftwire::netlink::{Conn, NfMsg};
use nftwire::object::{Chain, Rule};
use std::io::Write;
use std::time::Instant;

fn capture(path: &str) -> Result<(), Box<dyn std::error::Error>> {
    let mut conn = Conn::open()?;
    let chains: Vec<Chain> =
        nftwire::object::parse_msgs(conn.dump(msg::GETCHAIN, 0, Vec::new())?, msg::NEWCHAIN)?;
    let mut out = std::io::BufWriter::new(std::fs::File::create(path)?);
    let mut n = 0usize;
    for c in &chains {
        let body = nftwire::object::selector(&[(1, c.table()), (2, c.name())]);
        for m in conn.dump(msg::GETRULE, c.family, body)? {
            if m.msg() != msg::NEWRULE {
                continue;
            }
            out.write_all(&[m.family])?;
            out.write_all(&(m.body.len() as u32).to_le_bytes())?;
            out.write_all(&m.body)?;
            n += 1;
        }
    }
    out.flush()?;
    eprintln!("{n} rule messages from {} chains", chains.len());
    Ok(())
}

fn load(path: &str) -> Result<Vec<NfMsg>, Box<dyn std::error::Error>> {
    // One shared buffer sliced per message, as the receive path does.
    let data = bytes::BytesMut::from(&std::fs::read(path)?[..]).freeze();
    let mut v = Vec::new();
    let mut p = 0usize;
    while p + 5 <= data.len() {
        let family = data[p];
        let len = u32::from_le_bytes([data[p + 1], data[p + 2], data[p + 3], data[p + 4]]) as usize;
        if p + 5 + len > data.len() {
            return Err("truncated record".into());
        }
        let mut m = NfMsg::nft(msg::NEWRULE, 0, family, Vec::new());
        m.body = data.slice(p + 5..p + 5 + len);
        v.push(m);
        p += 5 + len;
    }
    Ok(v)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let (mode, path) = match (args.get(1), args.get(2)) {
        (Some(m), Some(p)) => (m.as_str(), p.as_str()),
        _ => {
            eprintln!(
                "usage: decode_bench capture|parse|debug|iptables|iptables-save|save|list FILE [ROUNDS]"
            );
            std::process::exit(2);
        }
    };
    if mode == "capture" {
        return capture(path);
    }
    let rounds: usize = args.get(3).and_then(|r| r.parse().ok()).unwrap_or(5);
    let msgs = load(path)?;
    let mut sink = 0usize;
    let mut text = String::new();
    // `list` resolves set references in the rule's table; the captured
    // rules are decoded without their sets, as if none were named.
    let sets = nftwire::render::nft::delinearize::Sets::new();
    let oc = nftwire::render::nft::Octx::default();
    let t = Instant::now();
    for _ in 0..rounds {
        for m in &msgs {
            if mode == "list" {
                use nftwire::render::nft::{text::rule_line, wire_rule::RuleView};
                text.clear();
                let (rm, _) = RuleView::parse(m).decode(&sets);
                rule_line(&mut text, &rm, &oc);
                sink += text.len();
                continue;
            }
            let Some(r) = Rule::from_msg(m) else {
                continue;
            };
            match mode {
                "parse" => sink += r.exprs().len(),
                "debug" => {
                    text.clear();
                    for e in r.exprs() {
                        e.write_debug(&mut text);
                        text.push('\n');
                    }
                    sink += text.len();
                }
                "iptables" => {
                    let d = nftwire::iptables::decode::decode(&r, r.table());
                    sink += matches!(d, nftwire::iptables::decode::Decoded::Rule(_)) as usize;
                }
                "iptables-save" => {
                    use nftwire::iptables::decode::{decode, Decoded};
                    use nftwire::iptables::save::{rule_line, Counters};
                    if let Decoded::Rule(ir) = decode(&r, r.table()) {
                        sink += rule_line(&ir, r.chain(), r.table(), Counters::None).len();
                    }
                }
                "save" => {
                    text.clear();
                    nftwire::save::write_dumped_rule(&mut text, m, r);
                    sink += text.len();
                }
                other => return Err(format!("unknown mode {other}").into()),
            }
        }
    }
    let per = t.elapsed() / (rounds * msgs.len()).max(1) as u32;
    println!(
        "{mode}: {} rules x {rounds} rounds, {per:?} per rule (check {sink})",
        msgs.len()
    );
    Ok(())
}
