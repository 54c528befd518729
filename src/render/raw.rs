//! The netlink debug form of a ruleset, as `nft --debug=netlink list
//! ruleset` (nft 1.0.6 with libnftnl 1.2.4) prints it before the ruleset
//! itself.
//!
//! What nft prints, and so what [`render_raw`] reproduces, is, table by
//! table in the kernel's order:
//!
//! 1. every set of the table (named and anonymous, kernel order): a header
//!    `FAMILY TABLE @SET`, then one line per element, `\telement KEY  :
//!    DATA FLAGS [end]` (key and data as 32-bit words, `- KEY_END` for
//!    ranges, verdicts as `accept `/`jump -> CHAIN `, and
//!    `  userdata = { ... }` when the element has userdata);
//! 2. every rule of the table (kernel order): a header `FAMILY TABLE CHAIN
//!    HANDLE [POSITION]`, one `  [ expr ]` line per expression (see
//!    [`crate::expr::Expr`]'s `Display`), then either `  userdata = { ... }`
//!    or an empty line.
//!
//! Chains, objects and flowtables print nothing in nft's listing, and the
//! human-readable ruleset that follows (from the first `table` line on) is
//! not part of this form; [`netlink_part`] cuts it off nft's output so the
//! two can be compared line by line. Element timeouts and expirations,
//! element expressions and set attributes are not shown by nft either.

use crate::data::Data;
use crate::object::{Rule, SetElem};
use crate::ruleset::{Ruleset, SetWithElems};
use std::fmt::Write;

/// The whole netlink debug text of `rs`, in nft's order (see the module
/// documentation).
pub fn render_raw(rs: &Ruleset) -> String {
    let mut out = String::new();
    for t in &rs.tables {
        for sw in rs
            .sets
            .iter()
            .filter(|s| s.set.family == t.family && s.set.table() == t.name())
        {
            out.push_str(&render_set_elems(sw));
        }
        for r in rs
            .rules
            .iter()
            .filter(|r| r.family == t.family && r.table() == t.name())
        {
            out.push_str(&render_rule(r));
        }
    }
    out
}

/// One rule: header line, expression lines, and the userdata line or an
/// empty line.
pub fn render_rule(r: &Rule) -> String {
    let a = &r.attrs;
    let mut head: Vec<String> =
        vec![crate::expr::nftnl_fmt::family_name(u32::from(r.family)).into()];
    if let Some(t) = &a.table {
        head.push(t.clone());
    }
    if let Some(c) = &a.chain {
        head.push(c.clone());
    }
    if let Some(h) = a.handle {
        head.push(h.to_string());
    }
    if let Some(p) = a.position {
        head.push(p.to_string());
    }
    if let Some(id) = a.id {
        head.push(id.to_string());
    }
    if let Some(p) = a.position_id {
        head.push(p.to_string());
    }
    let mut out = head.join(" ");
    out.push('\n');
    for e in r.exprs() {
        out.push_str("  ");
        e.write_debug(&mut out);
        out.push('\n');
    }
    match a.userdata.as_deref() {
        Some(u) if !u.is_empty() => {
            out.push_str(&userdata(u));
            out.push('\n');
        }
        _ => out.push('\n'),
    }
    out
}

/// One set: the `FAMILY TABLE @NAME` header and its element lines.
pub fn render_set_elems(sw: &SetWithElems) -> String {
    let mut out = format!(
        "{} {} @{}\n",
        crate::expr::nftnl_fmt::family_name(u32::from(sw.set.family)),
        sw.set.table(),
        sw.set.name()
    );
    for msg in &sw.elems {
        if let Some(list) = &msg.attrs.elems {
            for e in &list.0 {
                out.push('\t');
                out.push_str(&render_elem(e));
                out.push('\n');
            }
        }
    }
    out
}

/// Data words without the `0x` prefix, each followed by a space (libnftnl's
/// `DATA_F_NOPFX` form).
fn nopfx_words(b: &[u8]) -> String {
    let mut s = String::new();
    for chunk in b.chunks(4) {
        let mut w = [0u8; 4];
        w[..chunk.len()].copy_from_slice(chunk);
        let _ = write!(s, "{:08x} ", u32::from_le_bytes(w));
    }
    s
}

fn data_text(d: &Data) -> String {
    if let Some(v) = &d.verdict {
        let mut s = v
            .code
            .map(crate::data::verdict_debug_name)
            .unwrap_or("unknown")
            .to_string();
        s.push(' ');
        if let Some(c) = &v.chain {
            let _ = write!(s, "-> {c} ");
        }
        return s;
    }
    d.value.as_deref().map(nopfx_words).unwrap_or_default()
}

/// One element, without the leading tab.
fn render_elem(e: &SetElem) -> String {
    let mut s = String::from("element ");
    if let Some(k) = &e.key {
        s.push_str(&data_text(k));
    }
    if let Some(k) = &e.key_end {
        s.push_str(" - ");
        s.push_str(&data_text(k));
    }
    s.push_str(" : ");
    if let Some(d) = &e.data {
        s.push_str(&data_text(d));
    }
    let _ = write!(s, "{} [end]", e.flags.unwrap_or(0));
    if let Some(u) = e.userdata.as_deref() {
        if !u.is_empty() {
            s.push_str(&userdata(u));
        }
    }
    s
}

/// `  userdata = { ... }` with printable bytes as is and others as `\xNN`.
fn userdata(u: &[u8]) -> String {
    let mut s = String::from("  userdata = { ");
    for &c in u {
        if (0x20..0x7f).contains(&c) {
            s.push(c as char);
        } else {
            let _ = write!(s, "\\x{c:02x}");
        }
    }
    s.push_str(" }");
    s
}

/// The netlink part of `nft --debug=netlink list ruleset` output: every
/// line before the first line of the human-readable ruleset (which starts
/// with `table `).
pub fn netlink_part(nft_output: &str) -> String {
    let mut out = String::new();
    for line in nft_output.split_inclusive('\n') {
        if line.starts_with("table ") {
            break;
        }
        out.push_str(line);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn netlink_part_stops_at_table() {
        let s = "ip t c 2\n  [ counter pkts 0 bytes 0 ]\n\ntable ip t {\n}\n";
        assert_eq!(
            netlink_part(s),
            "ip t c 2\n  [ counter pkts 0 bytes 0 ]\n\n"
        );
    }

    #[test]
    fn userdata_escapes() {
        assert_eq!(
            userdata(b"\x00\x06hi\x00"),
            "  userdata = { \\x00\\x06hi\\x00 }"
        );
    }

    #[test]
    fn element_text() {
        let e = SetElem {
            key: Some(Data::value(vec![10u8, 0, 0, 1])),
            ..Default::default()
        };
        assert_eq!(render_elem(&e), "element 0100000a  : 0 [end]");
        let e = SetElem {
            key: Some(Data::value(vec![1u8, 2, 3, 4])),
            data: Some(Data::verdict(crate::data::VerdictCode::Jump, Some("c2"))),
            ..Default::default()
        };
        assert_eq!(render_elem(&e), "element 04030201  : jump -> c2 0 [end]");
    }
}
