//! The `iptables -L` format: chain headers and rule lines.

use super::addr;
use super::num::proto_to_name;
use super::rule::{IptRule, Verdict};
use super::text::print_num;
use std::fmt::Write as _;

/// `-L` options (`FMT_*`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Format {
    /// `-n`.
    pub numeric: bool,
    /// `-v` (counters and interfaces).
    pub verbose: bool,
    /// `-x` (exact counters).
    pub exact: bool,
    /// `--line-numbers`.
    pub linenumbers: bool,
    /// Unpadded one-line form (`FMT_NOTABLE`, the `-v` echo of rule
    /// commands).
    pub notable: bool,
}

/// `Chain NAME (...)` and the column header line, each with a newline.
pub fn header(
    fmt: Format,
    chain: &str,
    policy: Option<&str>,
    counters: (u64, u64),
    refs: u32,
) -> String {
    let mut out = format!("Chain {chain}");
    match policy {
        Some(p) => {
            let _ = write!(out, " (policy {p}");
            if fmt.verbose {
                out.push(' ');
                print_num(counters.0, !fmt.exact, true, &mut out);
                out.push_str("packets, ");
                print_num(counters.1, !fmt.exact, true, &mut out);
                out.push_str("bytes");
            }
            out.push_str(")\n");
        }
        None => {
            let _ = writeln!(out, " ({refs} references)");
        }
    }
    if fmt.linenumbers {
        let _ = write!(out, "{:<4} ", "num");
    }
    if fmt.verbose {
        if !fmt.exact {
            let _ = write!(out, "{:>5} {:>5} ", "pkts", "bytes");
        } else {
            let _ = write!(out, "{:>8} {:>10} ", "pkts", "bytes");
        }
    }
    let _ = write!(out, "{:<9} ", "target");
    out.push_str(" prot ");
    out.push_str("opt");
    if fmt.verbose {
        let _ = write!(out, " {:<6} ", "in");
        let _ = write!(out, "{:<6} ", "out");
    }
    let _ = write!(out, " {:<19} ", "source");
    let _ = write!(out, " {:<19} ", "destination");
    out.push('\n');
    out
}

/// One rule line (with newline); `num` is its 1-based position.
pub fn rule(r: &IptRule, table: &str, num: usize, fmt: Format) -> String {
    let nt = fmt.notable;
    let pad = |s: &str, w: usize, left: bool| -> String {
        if nt {
            format!("{s} ")
        } else if left {
            format!("{s:<w$} ")
        } else {
            format!("{s:>w$} ")
        }
    };
    let mut out = String::new();
    if fmt.linenumbers {
        out.push_str(&pad(&num.to_string(), 4, true));
    }
    if fmt.verbose && !nt {
        print_num(r.packets, !fmt.exact, false, &mut out);
        print_num(r.bytes, !fmt.exact, false, &mut out);
    }
    let target = match &r.verdict {
        Verdict::None => String::new(),
        Verdict::Target(t) => t.real_name().to_string(),
        v => v.label(),
    };
    out.push_str(&pad(&target, 9, true));
    out.push(if r.proto_inv { '!' } else { ' ' });
    match proto_to_name(r.proto, fmt.numeric) {
        Some(n) => out.push_str(&pad(n, 4, true)),
        None => out.push_str(&pad(&r.proto.to_string(), 4, true)),
    }
    if nt {
        out.push_str("opt ");
    }
    if r.family == super::family::Family::V4 {
        out.push(if r.frag_inv { '!' } else { '-' });
        out.push(if r.frag { 'f' } else { '-' });
    } else {
        out.push_str("--");
    }
    out.push(' ');
    if fmt.verbose {
        let any = if fmt.numeric { "*" } else { "any" };
        let name = |i: &super::rule::Iface| {
            format!(
                "{}{}",
                if i.inv { "!" } else { "" },
                if i.name.is_empty() {
                    any
                } else {
                    i.name.as_str()
                }
            )
        };
        if nt {
            let _ = write!(out, "in {} ", name(&r.iniface));
            let _ = write!(out, "out {} ", name(&r.outiface));
        } else {
            let _ = write!(out, " {:<6} ", name(&r.iniface));
            let _ = write!(out, "{:<6} ", name(&r.outiface));
        }
    }
    out.push(if r.src_inv { '!' } else { ' ' });
    let src = addr::list_str(r.family, &r.src, fmt.numeric);
    out.push_str(&pad(&src, 19, true));
    out.push(if r.dst_inv { '!' } else { ' ' });
    let dst = addr::list_str(r.family, &r.dst, fmt.numeric);
    if nt {
        let _ = write!(out, "-> {dst}");
        out.push_str("  ");
    } else {
        let _ = write!(out, "{dst:<19} ");
    }
    if matches!(r.verdict, Verdict::Goto(_)) {
        out.push_str("[goto] ");
    }
    let cx = r.ctx(table);
    for m in &r.matches {
        m.print(&cx, fmt.numeric, &mut out);
    }
    if let Verdict::Target(t) = &r.verdict {
        t.print(&cx, fmt.numeric, &mut out);
    }
    out.push('\n');
    out
}
