//! `-m tcp` (`struct xt_tcp`, revision 0, 16 bytes). Written natively
//! (payload/cmp/range/bitwise) unless it uses `--tcp-option` or is empty.

use crate::iptables::error::{IptError, Result};
use crate::iptables::ext::{Ctx, OptCall, OptDef, XtExt};
use crate::iptables::num;
use crate::iptables::xtbuf::{Blob, Rd};
use std::fmt::Write as _;

/// `XT_TCP_INV_SRCPT`.
pub const INV_SRCPT: u8 = 0x01;
/// `XT_TCP_INV_DSTPT`.
pub const INV_DSTPT: u8 = 0x02;
/// `XT_TCP_INV_FLAGS`.
pub const INV_FLAGS: u8 = 0x04;
/// `XT_TCP_INV_OPTION`.
pub const INV_OPTION: u8 = 0x08;
/// `XT_TCP_INV_MASK`.
pub const INV_MASK: u8 = 0x0f;

/// `struct xt_tcp`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Tcp {
    /// Source port range.
    pub spts: [u16; 2],
    /// Destination port range.
    pub dpts: [u16; 2],
    /// `--tcp-option`.
    pub option: u8,
    /// Flags mask.
    pub flg_mask: u8,
    /// Flags compare value.
    pub flg_cmp: u8,
    /// `XT_TCP_INV_*`.
    pub invflags: u8,
}

impl Default for Tcp {
    fn default() -> Self {
        Tcp {
            spts: [0, 0xffff],
            dpts: [0, 0xffff],
            option: 0,
            flg_mask: 0,
            flg_cmp: 0,
            invflags: 0,
        }
    }
}

const FLAGS: &[(&str, u8)] = &[
    ("FIN", 0x01),
    ("SYN", 0x02),
    ("RST", 0x04),
    ("PSH", 0x08),
    ("ACK", 0x10),
    ("URG", 0x20),
    ("ALL", 0x3f),
    ("NONE", 0),
];

fn parse_flag(s: &str) -> Result<u8> {
    let mut r = 0u8;
    for w in s.split(',').filter(|w| !w.is_empty()) {
        let f = FLAGS
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(w))
            .ok_or_else(|| IptError::param(format!("Unknown TCP flag `{w}'")))?;
        r |= f.1;
    }
    Ok(r)
}

/// `print_tcpf`: `FIN,SYN` or `NONE`.
pub fn flags_str(mut f: u8) -> String {
    let mut s = String::new();
    while f != 0 {
        let Some((n, b)) = FLAGS[..6].iter().find(|(_, b)| f & b != 0) else {
            break;
        };
        if !s.is_empty() {
            s.push(',');
        }
        s.push_str(n);
        f &= !b;
    }
    if s.is_empty() {
        s.push_str("NONE");
    }
    s
}

/// `parse_tcp_ports`/`parse_udp_ports`: `port[:port]` via
/// `xtables_parse_port(_, proto)`.
pub fn parse_ports(s: &str, proto: &str) -> Result<[u16; 2]> {
    let one = |p: &str| -> Result<u16> {
        if let Some(v) = num::strtoui(p, 0, 65535) {
            return Ok(v as u16);
        }
        num::service_port(p, Some(proto))
            .ok_or_else(|| IptError::param(format!("invalid port/service `{p}' specified")))
    };
    match s.find(':') {
        None => {
            let v = one(s)?;
            Ok([v, v])
        }
        Some(i) => {
            let (a, b) = (&s[..i], &s[i + 1..]);
            let lo = if a.is_empty() { 0 } else { one(a)? };
            let hi = if b.is_empty() { 0xffff } else { one(b)? };
            if lo > hi {
                return Err(IptError::param("invalid portrange (min > max)"));
            }
            Ok([lo, hi])
        }
    }
}

/// `print_ports` of `-L`: ` spt:22`, ` dpts:!1:2`, service names unless
/// numeric.
pub fn print_ports(
    name: &str,
    r: [u16; 2],
    inv: bool,
    numeric: bool,
    proto: &str,
    out: &mut String,
) {
    if r[0] == 0 && r[1] == 0xffff && !inv {
        return;
    }
    let port = |p: u16| -> String {
        if numeric {
            return p.to_string();
        }
        num::service_name(p, proto)
            .map(str::to_owned)
            .unwrap_or_else(|| p.to_string())
    };
    let i = if inv { "!" } else { "" };
    if r[0] == r[1] {
        let _ = write!(out, " {name}:{i}{}", port(r[0]));
    } else {
        let _ = write!(out, " {name}s:{i}{}:{}", port(r[0]), port(r[1]));
    }
}

/// Save form of a port range that is always printed once given (sctp,
/// dccp): ` [!] --OPT A[:B]`.
pub fn save_given_ports(out: &mut String, opt: &str, r: [u16; 2], inv: bool) {
    if inv {
        out.push_str(" !");
    }
    let _ = write!(out, " --{opt} {}", r[0]);
    if r[0] != r[1] {
        let _ = write!(out, ":{}", r[1]);
    }
}

/// Save form of a port range option (` [!] --dport A[:B]`).
pub fn save_ports(opt: &str, r: [u16; 2], inv: bool, out: &mut String) {
    if r[0] == 0 && r[1] == 0xffff && !inv {
        return;
    }
    if inv {
        out.push_str(" !");
    }
    if r[0] != r[1] {
        let _ = write!(out, " --{opt} {}:{}", r[0], r[1]);
    } else {
        let _ = write!(out, " --{opt} {}", r[0]);
    }
}

const OPTS: &[OptDef] = &[
    OptDef::arg("source-port", 1, 0),
    OptDef::arg("sport", 1, 0),
    OptDef::arg("destination-port", 2, 0),
    OptDef::arg("dport", 2, 0),
    OptDef::flag("syn", 3, 0),
    OptDef::arg("tcp-flags", 4, 0),
    OptDef::arg("tcp-option", 5, 0),
];

impl Tcp {
    /// True when nothing is tested (all-default struct).
    pub fn all_zero(&self) -> bool {
        *self == Tcp::default()
    }
}

impl XtExt for Tcp {
    const NAME: &'static str = "tcp";
    const REVISION: u32 = 0;
    const SIZE: usize = 16;
    const X6: bool = false;
    const OPTIONS: &'static [OptDef] = OPTS;

    fn init(_: &Ctx<'_>) -> Self {
        Tcp::default()
    }

    fn parse(&mut self, c: &mut OptCall<'_>, _: &Ctx<'_>) -> Result<()> {
        let arg = c.arg().to_string();
        match c.def.id {
            1 => {
                if c.seen(1) {
                    return Err(IptError::param("Only one `--source-port' allowed"));
                }
                self.spts = parse_ports(&arg, "tcp")?;
                if c.invert {
                    self.invflags |= INV_SRCPT;
                }
            }
            2 => {
                if c.seen(2) {
                    return Err(IptError::param("Only one `--destination-port' allowed"));
                }
                self.dpts = parse_ports(&arg, "tcp")?;
                if c.invert {
                    self.invflags |= INV_DSTPT;
                }
            }
            3 | 4 => {
                if c.seen(3) || c.seen(4) {
                    return Err(IptError::param(
                        "Only one of `--syn' or `--tcp-flags'  allowed",
                    ));
                }
                let (mask, cmp) = if c.def.id == 3 {
                    ("SYN,RST,ACK,FIN".to_string(), "SYN".to_string())
                } else {
                    match c.argv.peek() {
                        Some(a) if !a.starts_with('-') && !a.starts_with('!') => {}
                        _ => return Err(IptError::param("--tcp-flags requires two args.")),
                    }
                    let cmp = c.argv.take().unwrap_or_default();
                    (arg.clone(), cmp)
                };
                self.flg_mask = parse_flag(&mask)?;
                self.flg_cmp = parse_flag(&cmp)?;
                if c.invert {
                    self.invflags |= INV_FLAGS;
                }
            }
            5 => {
                if c.seen(5) {
                    return Err(IptError::param("Only one `--tcp-option' allowed"));
                }
                self.option = num::strtoui(&arg, 1, 255)
                    .ok_or_else(|| IptError::param(format!("Bad TCP option \"{arg}\"")))?
                    as u8;
                if c.invert {
                    self.invflags |= INV_OPTION;
                }
            }
            _ => {}
        }
        Ok(())
    }

    fn to_info(&self, _: &Ctx<'_>) -> Vec<u8> {
        let mut b = Blob::new(Self::SIZE);
        b.u16(0, self.spts[0])
            .u16(2, self.spts[1])
            .u16(4, self.dpts[0])
            .u16(6, self.dpts[1])
            .u8(8, self.option)
            .u8(9, self.flg_mask)
            .u8(10, self.flg_cmp)
            .u8(11, self.invflags);
        b.into_vec()
    }

    fn from_info(info: &[u8], rev: u32, cx: &Ctx<'_>) -> Option<Self> {
        if rev != 0 || info.len() != Self::SIZE {
            return None;
        }
        let r = Rd(info);
        let t = Tcp {
            spts: [r.u16(0)?, r.u16(2)?],
            dpts: [r.u16(4)?, r.u16(6)?],
            option: r.u8(8)?,
            flg_mask: r.u8(9)?,
            flg_cmp: r.u8(10)?,
            invflags: r.u8(11)?,
        };
        (t.to_info(cx) == info).then_some(t)
    }

    fn save(&self, _: &Ctx<'_>, out: &mut String) {
        save_ports("sport", self.spts, self.invflags & INV_SRCPT != 0, out);
        save_ports("dport", self.dpts, self.invflags & INV_DSTPT != 0, out);
        if self.option != 0 || self.invflags & INV_OPTION != 0 {
            if self.invflags & INV_OPTION != 0 {
                out.push_str(" !");
            }
            let _ = write!(out, " --tcp-option {}", self.option);
        }
        if self.flg_mask != 0 || self.invflags & INV_FLAGS != 0 {
            if self.invflags & INV_FLAGS != 0 {
                out.push_str(" !");
            }
            let _ = write!(
                out,
                " --tcp-flags {} {}",
                flags_str(self.flg_mask),
                flags_str(self.flg_cmp)
            );
        }
    }

    fn print(&self, _: &Ctx<'_>, numeric: bool, out: &mut String) {
        out.push_str(" tcp");
        print_ports(
            "spt",
            self.spts,
            self.invflags & INV_SRCPT != 0,
            numeric,
            "tcp",
            out,
        );
        print_ports(
            "dpt",
            self.dpts,
            self.invflags & INV_DSTPT != 0,
            numeric,
            "tcp",
            out,
        );
        if self.option != 0 || self.invflags & INV_OPTION != 0 {
            let i = if self.invflags & INV_OPTION != 0 {
                "!"
            } else {
                ""
            };
            let _ = write!(out, " option={i}{}", self.option);
        }
        if self.flg_mask != 0 || self.invflags & INV_FLAGS != 0 {
            out.push_str(" flags:");
            if self.invflags & INV_FLAGS != 0 {
                out.push('!');
            }
            if numeric {
                let _ = write!(out, "0x{:02X}/0x{:02X}", self.flg_mask, self.flg_cmp);
            } else {
                let _ = write!(
                    out,
                    "{}/{}",
                    flags_str(self.flg_mask),
                    flags_str(self.flg_cmp)
                );
            }
        }
        if self.invflags & !INV_MASK != 0 {
            let _ = write!(out, " Unknown invflags: 0x{:X}", self.invflags & !INV_MASK);
        }
    }

    fn xlate(
        &self,
        x: &mut crate::iptables::xlate::Xlate,
        _: &crate::iptables::xlate::XlCtx,
    ) -> bool {
        use crate::iptables::xlate::ports;
        let mut done = ports(x, "tcp sport", self.spts, self.invflags & INV_SRCPT != 0);
        done |= ports(x, "tcp dport", self.dpts, self.invflags & INV_DSTPT != 0);
        if self.option != 0 {
            let state = if self.invflags & INV_OPTION != 0 {
                "missing"
            } else {
                "exists"
            };
            x.add(&format!("tcp option {} {state}", self.option));
            done = true;
        }
        if self.flg_mask != 0 || self.invflags & INV_FLAGS != 0 {
            let op = if self.invflags & INV_FLAGS != 0 {
                "!= "
            } else {
                ""
            };
            x.add(&format!("tcp flags {op}"));
            xlate_flags(x, self.flg_cmp);
            x.add(" / ");
            xlate_flags(x, self.flg_mask);
            done = true;
        }
        if !done {
            x.add("meta l4proto tcp");
        }
        true
    }
}

/// TCP flags in translation form (`syn,ack`, `0x0` for none).
fn xlate_flags(x: &mut crate::iptables::xlate::Xlate, flags: u8) {
    const NAMES: [&str; 6] = ["fin", "syn", "rst", "psh", "ack", "urg"];
    let mut first = true;
    for (i, n) in NAMES.iter().enumerate() {
        if flags & (1 << i) != 0 {
            x.add(&format!("{}{n}", if first { "" } else { "," }));
            first = false;
        }
    }
    if first {
        x.add("0x0");
    }
}
