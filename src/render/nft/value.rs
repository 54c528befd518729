//! Printing constant values by datatype (nft's `datatype_print` and the
//! per-type print functions).

use super::dtype::{Bo, Dt, Fmt, Printer, Sym};
use super::expr::{export_u64, Expr};
use super::num::Num;
use super::octx::Octx;
use super::sysdb;
use std::fmt::Write;

/// Format an integer with a `basefmt`.
pub fn fmt_int(o: &mut String, v: &Num, f: Fmt) {
    match f {
        Fmt::Dec => o.push_str(&v.to_dec()),
        Fmt::Hex => {
            o.push_str("0x");
            o.push_str(&v.to_hex());
        }
        Fmt::HexPad(n) => {
            let h = v.to_hex();
            o.push_str("0x");
            for _ in h.len()..n as usize {
                o.push('0');
            }
            o.push_str(&h);
        }
    }
}

fn val(e: &Expr) -> Num {
    e.num().copied().unwrap_or(Num::ZERO)
}

fn bytes_len(e: &Expr) -> usize {
    e.len.div_ceil(8) as usize
}

/// The C string in a host-order value (up to the first NUL).
pub fn value_string(e: &Expr) -> String {
    let b = val(e).to_le(bytes_len(e));
    let end = b.iter().position(|&c| c == 0).unwrap_or(b.len());
    String::from_utf8_lossy(&b[..end]).into_owned()
}

/// IPv6 text form as glibc's `inet_ntop` writes it.
pub fn ip6_text(b: &[u8; 16]) -> String {
    let w: Vec<u16> = (0..8)
        .map(|i| u16::from_be_bytes([b[2 * i], b[2 * i + 1]]))
        .collect();
    let (mut best_base, mut best_len) = (-1i32, 0i32);
    let (mut cur_base, mut cur_len) = (-1i32, 0i32);
    for (i, &x) in w.iter().enumerate() {
        if x == 0 {
            if cur_base == -1 {
                cur_base = i as i32;
                cur_len = 1;
            } else {
                cur_len += 1;
            }
        } else if cur_base != -1 {
            if best_base == -1 || cur_len > best_len {
                best_base = cur_base;
                best_len = cur_len;
            }
            cur_base = -1;
        }
    }
    if cur_base != -1 && (best_base == -1 || cur_len > best_len) {
        best_base = cur_base;
        best_len = cur_len;
    }
    if best_base != -1 && best_len < 2 {
        best_base = -1;
    }
    let mut s = String::new();
    let mut i = 0i32;
    while i < 8 {
        if best_base != -1 && i >= best_base && i < best_base + best_len {
            if i == best_base {
                s.push(':');
            }
            i += 1;
            continue;
        }
        if i != 0 {
            s.push(':');
        }
        if i == 6 && best_base == 0 && (best_len == 6 || (best_len == 5 && w[5] == 0xffff)) {
            let _ = write!(s, "{}.{}.{}.{}", b[12], b[13], b[14], b[15]);
            return s;
        }
        let _ = write!(s, "{:x}", w[i as usize]);
        i += 1;
    }
    if best_base != -1 && best_base + best_len == 8 {
        s.push(':');
    }
    s
}

/// nft's `time_print`.
pub fn time_text(ms: u64, oc: &Octx) -> String {
    if oc.numeric_time {
        return format!("{}s", ms / 1000);
    }
    let mut ms = ms;
    let days = ms / 86_400_000;
    ms %= 86_400_000;
    let hours = ms / 3_600_000;
    ms %= 3_600_000;
    let minutes = ms / 60_000;
    ms %= 60_000;
    let seconds = ms / 1000;
    ms %= 1000;
    let mut s = String::new();
    if days > 0 {
        let _ = write!(s, "{days}d");
    }
    if hours > 0 {
        let _ = write!(s, "{hours}h");
    }
    if minutes > 0 {
        let _ = write!(s, "{minutes}m");
    }
    if seconds > 0 {
        let _ = write!(s, "{seconds}s");
    }
    if ms > 0 {
        let _ = write!(s, "{ms}ms");
    }
    s
}

/// Look a value up in a symbol table (value exported in the expression's
/// byte order).
pub fn sym_lookup(tbl: &[Sym], e: &Expr) -> Option<&'static str> {
    let v = e.export_u64();
    tbl.iter().find(|(_, x)| *x == v).map(|(n, _)| *n)
}

/// Look a value up in an iproute2 table.
pub fn rt_lookup(tbl: &'static sysdb::RtTable, e: &Expr) -> Option<&'static str> {
    let v = e.export_u64();
    tbl.iter()
        .find(|(x, _)| *x as u64 == v)
        .map(|(_, n)| n.as_str())
}

/// Print with the root type's printer (`expr_basetype(expr)->print`).
pub fn print_root(o: &mut String, e: &Expr, oc: &Octx) {
    match e.dt.root() {
        Dt::String => print_string(o, e),
        Dt::Invalid => print_invalid(o, e),
        Dt::Verdict => o.push_str("verdict"),
        _ => fmt_int(o, &val(e), e.dt.fmt()),
    }
    let _ = oc;
}

fn print_invalid(o: &mut String, e: &Expr) {
    o.push_str("0x");
    o.push_str(&val(e).to_hex());
    o.push_str(" [invalid type]");
}

fn print_string(o: &mut String, e: &Expr) {
    o.push('"');
    o.push_str(&value_string(e));
    o.push('"');
}

/// `symbolic_constant_print`.
fn symbolic(o: &mut String, name: Option<&str>, quotes: bool, e: &Expr, oc: &Octx) {
    match name {
        Some(n) if !oc.numeric_symbol => {
            if quotes {
                let _ = write!(o, "\"{n}\"");
            } else {
                o.push_str(n);
            }
        }
        _ => print_root(o, e, oc),
    }
}

/// `datatype_print` for a constant value.
pub fn print_value(o: &mut String, e: &Expr, oc: &Octx) {
    let mut d = Some(e.dt);
    while let Some(dt) = d {
        let info = dt.info();
        if info.print != Printer::None {
            print_with(o, info.print, e, oc);
            return;
        }
        if let Some(sym) = info.sym {
            symbolic(o, sym_lookup(sym, e), false, e, oc);
            return;
        }
        d = info.base;
    }
    print_invalid(o, e);
}

/// Print with one level's printer.
pub fn print_with(o: &mut String, p: Printer, e: &Expr, oc: &Octx) {
    let v = val(e);
    match p {
        Printer::None | Printer::Invalid => print_invalid(o, e),
        Printer::Verdict => o.push_str("verdict"),
        Printer::Integer => fmt_int(o, &v, e.dt.fmt()),
        Printer::XInteger => fmt_int(o, &v, Fmt::Hex),
        Printer::String => print_string(o, e),
        Printer::LlAddr => {
            let b = v.to_be(bytes_len(e));
            for (i, x) in b.iter().enumerate() {
                if i > 0 {
                    o.push(':');
                }
                let _ = write!(o, "{x:02x}");
            }
        }
        Printer::IpAddr => {
            // The low 32 bits, most significant byte first (`to_be(4)`).
            crate::util::push_ipv4(o, (v.low_u64() as u32).to_be_bytes());
        }
        Printer::Ip6Addr => {
            let b = v.to_be(16);
            let mut a = [0u8; 16];
            a.copy_from_slice(&b);
            o.push_str(&ip6_text(&a));
        }
        Printer::InetProto => {
            let n = (v.low_u64() & 0xff) as u8;
            match sysdb::proto_name(n) {
                Some(name) if !oc.numeric_proto => o.push_str(name),
                _ => fmt_int(o, &v, e.dt.fmt()),
            }
        }
        Printer::InetService => fmt_int(o, &v, e.dt.fmt()),
        Printer::Mark => symbolic(o, rt_lookup(sysdb::marks(), e), true, e, oc),
        Printer::Realm => symbolic(o, rt_lookup(sysdb::realms(), e), true, e, oc),
        Printer::Devgroup => symbolic(o, rt_lookup(sysdb::devgroups(), e), true, e, oc),
        Printer::Time => o.push_str(&time_text(v.low_u64(), oc)),
        Printer::Ifindex => {
            let idx = v.low_u64() as u32;
            match sysdb::ifname(idx) {
                Some(n) => {
                    let _ = write!(o, "\"{n}\"");
                }
                None => {
                    let _ = write!(o, "{}", idx as i32);
                }
            }
        }
        Printer::Classid => {
            let h = v.low_u64() as u32;
            match h {
                0xffff_ffff => o.push_str("root"),
                0 => o.push_str("none"),
                _ => {
                    let _ = write!(o, "{:x}:{:x}", h >> 16, h & 0xffff);
                }
            }
        }
        Printer::CtLabel => {
            let bit = v.scan1(0).map(|b| b as u64).unwrap_or(u64::MAX);
            match sysdb::ct_labels().iter().find(|(x, _)| *x as u64 == bit) {
                Some((_, n)) => {
                    let _ = write!(o, "\"{n}\"");
                }
                None => {
                    let _ = write!(o, "{bit}");
                }
            }
        }
        Printer::TimeDate => {
            let secs = (v.low_u64() / 1_000_000_000) as i64;
            o.push('"');
            o.push_str(&date_text(secs));
            o.push('"');
        }
        Printer::TimeHour => {
            let secs = (v.low_u64() as u32) % 86400;
            let (h, m, s) = (secs / 3600, (secs / 60) % 60, secs % 60);
            let _ = write!(o, "\"{h:02}:{m:02}");
            if s != 0 {
                let _ = write!(o, ":{s:02}");
            }
            o.push('"');
        }
        Printer::TimeDay => symbolic(o, sym_lookup(super::dtype::DAY_SYMS, e), true, e, oc),
        Printer::Cgroupv2 => {
            let id = v.low_u64();
            match sysdb::cgroup_path(id) {
                Some(p) => {
                    let _ = write!(o, "\"{p}\"");
                }
                None => {
                    let _ = write!(o, "{id}");
                }
            }
        }
        Printer::Base => print_root(o, e, oc),
    }
}

/// `YYYY-MM-DD HH:MM:SS` of a Unix time (UTC).
pub fn date_text(secs: i64) -> String {
    let days = secs.div_euclid(86400);
    let rem = secs.rem_euclid(86400);
    // Civil from days (proleptic Gregorian).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = if m <= 2 { y + 1 } else { y };
    format!(
        "{y:04}-{m:02}-{d:02} {:02}:{:02}:{:02}",
        rem / 3600,
        (rem / 60) % 60,
        rem % 60
    )
}

/// Byte order helper used by set element decoding.
pub fn is_host(bo: Bo) -> bool {
    bo == Bo::Host
}

/// Export helper re-exported for printers.
pub fn export(e: &Expr) -> u64 {
    let v = val(e);
    export_u64(&v, e.bo, bytes_len(e))
}
