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
    let f = r.family;
    addr::save(f, 's', &r.src, r.src_inv, &mut out);
    addr::save(f, 'd', &r.dst, r.dst_inv, &mut out);
    save_iface('i', &r.iniface, &mut out);
    save_iface('o', &r.outiface, &mut out);
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
        m.save(&cx, &mut out);
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
            t.save(&cx, &mut out);
        }
        v => {
            let _ = write!(out, " -j {}", v.label());
        }
    }
    out
}

/// A complete `-A CHAIN ...` line (without newline).
pub fn rule_line(r: &IptRule, chain: &str, table: &str, counters: Counters) -> String {
    let mut s = String::new();
    if counters == Counters::Prefix {
        let _ = write!(s, "[{}:{}] ", r.packets, r.bytes);
    }
    s.push_str("-A ");
    s.push_str(chain);
    s.push_str(&rule_body(r, table, counters));
    s
}
