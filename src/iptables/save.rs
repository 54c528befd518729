//! The save format (`iptables-save`, `iptables -S`) of one rule.

use super::addr;
use super::family::Family;
use super::num::proto_to_name;
use super::rule::{Iface, IptRule, Verdict};
use std::fmt::Write as _;

/// How counters appear in a saved rule.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Counters {
    /// No counters.
    None,
    /// `[P:B] -A ...` (`iptables-save -c`).
    Prefix,
    /// ` -c P B` before the target (`iptables -S -v`).
    Inline,
}

fn save_iface(letter: char, i: &Iface, out: &mut String) {
    if !i.name.is_empty() && (i.name != "+" || i.inv) {
        if i.inv {
            out.push_str(" !");
        }
        let _ = write!(out, " -{letter} {}", i.name);
    }
}

/// The rule body after `-A CHAIN` (each part starting with a space).
pub fn rule_body(r: &IptRule, table: &str, counters: Counters) -> String {
    let mut out = String::new();
    write_rule_body(&mut out, r, table, counters);
    out
}

/// [`rule_body`], appended to `out`.
pub fn write_rule_body(out: &mut String, r: &IptRule, table: &str, counters: Counters) {
    let f = r.family;
    addr::save(f, 's', &r.src, r.src_inv, out);
    addr::save(f, 'd', &r.dst, r.dst_inv, out);
    save_iface('i', &r.iniface, out);
    save_iface('o', &r.outiface, out);
    if r.proto > 0 {
        if r.proto_inv {
            out.push_str(" !");
        }
        match proto_to_name(r.proto, true) {
            Some(n) => {
                let _ = write!(out, " -p {n}");
            }
            None => {
                let _ = write!(out, " -p {}", r.proto);
            }
        }
    }
    if r.frag && f == Family::V4 {
        if r.frag_inv {
            out.push_str(" !");
        }
        out.push_str(" -f");
    }
    let cx = r.ctx(table);
    for m in &r.matches {
        out.push_str(" -m ");
        out.push_str(m.alias());
        m.save(&cx, out);
    }
    if counters == Counters::Inline {
        let _ = write!(out, " -c {} {}", r.packets, r.bytes);
    }
    match &r.verdict {
        Verdict::None => {}
        Verdict::Goto(c) => {
            let _ = write!(out, " -g {c}");
        }
        Verdict::Target(t) => {
            let _ = write!(out, " -j {}", t.alias());
            t.save(&cx, out);
        }
        v => {
            let _ = write!(out, " -j {}", v.label());
        }
    }
}

/// A complete `-A CHAIN ...` line (without newline).
pub fn rule_line(r: &IptRule, chain: &str, table: &str, counters: Counters) -> String {
    let mut s = String::new();
    write_rule_line(&mut s, r, chain, table, counters);
    s
}

/// [`rule_line`], appended to `out`.
pub fn write_rule_line(
    out: &mut String,
    r: &IptRule,
    chain: &str,
    table: &str,
    counters: Counters,
) {
    if counters == Counters::Prefix {
        let _ = write!(out, "[{}:{}] ", r.packets, r.bytes);
    }
    out.push_str("-A ");
    out.push_str(chain);
    write_rule_body(out, r, table, counters);
}
