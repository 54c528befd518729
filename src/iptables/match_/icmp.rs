//! `-m icmp` (IPv4, `struct ipt_icmp`) and `-m icmp6` (IPv6, `struct
//! ip6t_icmp`): both 8 bytes, revision 0. IPv4 `-p icmp --icmp-type` is
//! read back from native payload/cmp pairs too.

use crate::iptables::error::{IptError, Result};
use crate::iptables::ext::{Ctx, OptCall, OptDef, XtExt, F_INVERT, F_MAND};
use crate::iptables::num::strtoui_prefix;
use crate::iptables::xlate::{XlCtx, Xlate};
use crate::iptables::xtbuf::{Blob, Rd};
use std::fmt::Write as _;

/// `(name, type, code_min, code_max)`.
pub type IcmpName = (&'static str, u8, u8, u8);

/// ICMP names (`icmp_codes`).
pub const ICMP_CODES: &[IcmpName] = &[
    ("any", 0xFF, 0, 0xFF),
    ("echo-reply", 0, 0, 0xFF),
    ("pong", 0, 0, 0xFF),
    ("destination-unreachable", 3, 0, 0xFF),
    ("network-unreachable", 3, 0, 0),
    ("host-unreachable", 3, 1, 1),
    ("protocol-unreachable", 3, 2, 2),
    ("port-unreachable", 3, 3, 3),
    ("fragmentation-needed", 3, 4, 4),
    ("source-route-failed", 3, 5, 5),
    ("network-unknown", 3, 6, 6),
    ("host-unknown", 3, 7, 7),
    ("network-prohibited", 3, 9, 9),
    ("host-prohibited", 3, 10, 10),
    ("TOS-network-unreachable", 3, 11, 11),
    ("TOS-host-unreachable", 3, 12, 12),
    ("communication-prohibited", 3, 13, 13),
    ("host-precedence-violation", 3, 14, 14),
    ("precedence-cutoff", 3, 15, 15),
    ("source-quench", 4, 0, 0xFF),
    ("redirect", 5, 0, 0xFF),
    ("network-redirect", 5, 0, 0),
    ("host-redirect", 5, 1, 1),
    ("TOS-network-redirect", 5, 2, 2),
    ("TOS-host-redirect", 5, 3, 3),
    ("echo-request", 8, 0, 0xFF),
    ("ping", 8, 0, 0xFF),
    ("router-advertisement", 9, 0, 0xFF),
    ("router-solicitation", 10, 0, 0xFF),
    ("time-exceeded", 11, 0, 0xFF),
    ("ttl-exceeded", 11, 0, 0xFF),
    ("ttl-zero-during-transit", 11, 0, 0),
    ("ttl-zero-during-reassembly", 11, 1, 1),
    ("parameter-problem", 12, 0, 0xFF),
    ("ip-header-bad", 12, 0, 0),
    ("required-option-missing", 12, 1, 1),
    ("timestamp-request", 13, 0, 0xFF),
    ("timestamp-reply", 14, 0, 0xFF),
    ("address-mask-request", 17, 0, 0xFF),
    ("address-mask-reply", 18, 0, 0xFF),
];

/// ICMPv6 names (`icmpv6_codes`).
pub const ICMPV6_CODES: &[IcmpName] = &[
    ("destination-unreachable", 1, 0, 0xFF),
    ("no-route", 1, 0, 0),
    ("communication-prohibited", 1, 1, 1),
    ("beyond-scope", 1, 2, 2),
    ("address-unreachable", 1, 3, 3),
    ("port-unreachable", 1, 4, 4),
    ("failed-policy", 1, 5, 5),
    ("reject-route", 1, 6, 6),
    ("packet-too-big", 2, 0, 0xFF),
    ("time-exceeded", 3, 0, 0xFF),
    ("ttl-exceeded", 3, 0, 0xFF),
    ("ttl-zero-during-transit", 3, 0, 0),
    ("ttl-zero-during-reassembly", 3, 1, 1),
    ("parameter-problem", 4, 0, 0xFF),
    ("bad-header", 4, 0, 0),
    ("unknown-header-type", 4, 1, 1),
    ("unknown-option", 4, 2, 2),
    ("echo-request", 128, 0, 0xFF),
    ("ping", 128, 0, 0xFF),
    ("echo-reply", 129, 0, 0xFF),
    ("pong", 129, 0, 0xFF),
    ("mld-listener-query", 130, 0, 0xFF),
    ("mld-listener-report", 131, 0, 0xFF),
    ("mld-listener-done", 132, 0, 0xFF),
    ("mld-listener-reduction", 132, 0, 0xFF),
    ("router-solicitation", 133, 0, 0xFF),
    ("router-advertisement", 134, 0, 0xFF),
    ("neighbour-solicitation", 135, 0, 0xFF),
    ("neighbor-solicitation", 135, 0, 0xFF),
    ("neighbour-advertisement", 136, 0, 0xFF),
    ("neighbor-advertisement", 136, 0, 0xFF),
    ("redirect", 137, 0, 0xFF),
];

/// `parse_range`: `N[:M]` (0-255) and the bytes it used.
pub fn parse_range(s: &str) -> Option<([u8; 2], usize)> {
    let (a, n) = strtoui_prefix(s, 0, 255)?;
    let mut r = [a as u8, a as u8];
    let mut used = n;
    if s[n..].starts_with(':') {
        let (b, m) = strtoui_prefix(&s[n + 1..], 0, 255)?;
        r[1] = b as u8;
        used = n + 1 + m;
    }
    Some((r, used))
}

/// The entry of `codes` whose name starts with `s` (case-insensitive); an
/// error if several do.
pub fn icmp_name(codes: &[IcmpName], what: &str, s: &str) -> Result<Option<IcmpName>> {
    let mut found: Option<usize> = None;
    for (i, c) in codes.iter().enumerate() {
        let n = s.len();
        let name = c.0.as_bytes();
        let prefix_ok = name.len() >= n && name[..n].eq_ignore_ascii_case(s.as_bytes());
        if !prefix_ok {
            continue;
        }
        if let Some(m) = found {
            return Err(IptError::param(format!(
                "Ambiguous {what} type `{s}': `{}' or `{}'?",
                codes[m].0, c.0
            )));
        }
        found = Some(i);
    }
    Ok(found.map(|m| codes[m]))
}

/// `__ipt_parse_icmp`: a type name or `type[/code]`.
pub fn parse_icmp(codes: &[IcmpName], what: &str, s: &str) -> Result<(u8, [u8; 2])> {
    if let Some(c) = icmp_name(codes, what, s)? {
        return Ok((c.1, [c.2, c.3]));
    }
    let (types, n) =
        parse_range(s).ok_or_else(|| IptError::param(format!("Unknown {what} type `{s}'")))?;
    let rest = &s[n..];
    let mut code = [0u8, 255u8];
    if let Some(r) = rest.strip_prefix('/') {
        let (c, m) =
            parse_range(r).ok_or_else(|| IptError::param(format!("Unknown {what} code `{s}'")))?;
        code = c;
        if let Some(ch) = r[m..].chars().next() {
            return Err(IptError::param(format!("unknown character {ch}")));
        }
    } else if let Some(ch) = rest.chars().next() {
        return Err(IptError::param(format!("unknown character {ch}")));
    }
    if types[0] != types[1] {
        return Err(IptError::param(format!("{what} type range not supported")));
    }
    Ok((types[0], code))
}

/// `struct ipt_icmp`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Icmp {
    /// Type (0xff = any).
    pub icmp_type: u8,
    /// Code range.
    pub code: [u8; 2],
    /// `IPT_ICMP_INV` (1).
    pub invflags: u8,
}

impl Default for Icmp {
    fn default() -> Self {
        Icmp {
            icmp_type: 0xff,
            code: [0, 0xff],
            invflags: 0,
        }
    }
}

impl Icmp {
    fn blob(&self) -> Vec<u8> {
        let mut b = Blob::new(8);
        b.u8(0, self.icmp_type)
            .u8(1, self.code[0])
            .u8(2, self.code[1])
            .u8(3, self.invflags);
        b.into_vec()
    }
    fn unblob(info: &[u8]) -> Option<Icmp> {
        if info.len() != 8 || info[4..].iter().any(|&b| b != 0) {
            return None;
        }
        let r = Rd(info);
        Some(Icmp {
            icmp_type: r.u8(0)?,
            code: [r.u8(1)?, r.u8(2)?],
            invflags: r.u8(3)?,
        })
    }
    fn print_type(&self, codes: &[IcmpName], numeric: bool, out: &mut String) {
        let inv = self.invflags & 1 != 0;
        if !numeric {
            if let Some(c) = codes
                .iter()
                .find(|c| c.1 == self.icmp_type && c.2 == self.code[0] && c.3 == self.code[1])
            {
                let _ = write!(out, " {}{}", if inv { "!" } else { "" }, c.0);
                return;
            }
        }
        if inv {
            out.push_str(" !");
        }
        let _ = write!(out, "type {}", self.icmp_type);
        if self.code[0] == self.code[1] {
            let _ = write!(out, " code {}", self.code[0]);
        } else if self.code[0] != 0 || self.code[1] != 0xff {
            let _ = write!(out, " codes {}-{}", self.code[0], self.code[1]);
        }
    }
}

const OPTS: &[OptDef] = &[OptDef::arg("icmp-type", 0, F_MAND | F_INVERT)];

impl XtExt for Icmp {
    const NAME: &'static str = "icmp";
    const REVISION: u32 = 0;
    const SIZE: usize = 8;
    const OPTIONS: &'static [OptDef] = OPTS;

    fn init(_: &Ctx<'_>) -> Self {
        Icmp::default()
    }

    fn parse(&mut self, c: &mut OptCall<'_>, _: &Ctx<'_>) -> Result<()> {
        let (t, code) = parse_icmp(ICMP_CODES, "ICMP", c.arg())?;
        self.icmp_type = t;
        self.code = code;
        if c.invert {
            self.invflags |= 1;
        }
        Ok(())
    }

    fn to_info(&self, _: &Ctx<'_>) -> Vec<u8> {
        self.blob()
    }

    fn from_info(info: &[u8], rev: u32, _: &Ctx<'_>) -> Option<Self> {
        if rev != 0 {
            return None;
        }
        Icmp::unblob(info)
    }

    fn save(&self, _: &Ctx<'_>, out: &mut String) {
        if self.invflags & 1 != 0 {
            out.push_str(" !");
        }
        if self.icmp_type == 0xff && self.code == [0, 0xff] {
            out.push_str(" --icmp-type any");
        } else {
            let _ = write!(out, " --icmp-type {}", self.icmp_type);
            if self.code != [0, 0xff] {
                let _ = write!(out, "/{}", self.code[0]);
            }
        }
    }

    fn print(&self, _: &Ctx<'_>, numeric: bool, out: &mut String) {
        out.push_str(" icmp");
        self.print_type(ICMP_CODES, numeric, out);
        if self.invflags & !1 != 0 {
            let _ = write!(out, " Unknown invflags: 0x{:X}", self.invflags & !1);
        }
    }

    fn xlate(&self, x: &mut Xlate, cx: &XlCtx) -> bool {
        let _ = cx;
        if self.icmp_type == 0xff {
            x.add("ip protocol icmp");
            return true;
        }
        let op = if self.invflags & 1 != 0 { " !=" } else { "" };
        x.add(&format!("icmp type{op} "));
        if self.code[0] == self.code[1] {
            return false;
        }
        let name = ICMP_CODES
            .iter()
            .find(|c| c.1 == self.icmp_type && c.2 == self.code[0] && c.3 == self.code[1]);
        match name {
            Some(n) => {
                x.add(n.0);
                true
            }
            None => false,
        }
    }
}

/// `struct ip6t_icmp` (`-m icmp6`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Icmp6(pub Icmp);

const OPTS6: &[OptDef] = &[OptDef::arg("icmpv6-type", 0, F_MAND | F_INVERT)];

impl XtExt for Icmp6 {
    const NAME: &'static str = "icmp6";
    const REVISION: u32 = 0;
    const SIZE: usize = 8;
    const OPTIONS: &'static [OptDef] = OPTS6;

    fn init(_: &Ctx<'_>) -> Self {
        Icmp6(Icmp {
            icmp_type: 0,
            code: [0, 0xff],
            invflags: 0,
        })
    }

    fn parse(&mut self, c: &mut OptCall<'_>, _: &Ctx<'_>) -> Result<()> {
        let (t, code) = parse_icmp(ICMPV6_CODES, "ICMPv6", c.arg())?;
        self.0.icmp_type = t;
        self.0.code = code;
        if c.invert {
            self.0.invflags |= 1;
        }
        Ok(())
    }

    fn to_info(&self, _: &Ctx<'_>) -> Vec<u8> {
        self.0.blob()
    }

    fn from_info(info: &[u8], rev: u32, _: &Ctx<'_>) -> Option<Self> {
        if rev != 0 {
            return None;
        }
        Icmp::unblob(info).map(Icmp6)
    }

    fn save(&self, _: &Ctx<'_>, out: &mut String) {
        if self.0.invflags & 1 != 0 {
            out.push_str(" !");
        }
        let _ = write!(out, " --icmpv6-type {}", self.0.icmp_type);
        if self.0.code != [0, 0xff] {
            let _ = write!(out, "/{}", self.0.code[0]);
        }
    }

    fn print(&self, _: &Ctx<'_>, numeric: bool, out: &mut String) {
        out.push_str(" ipv6-icmp");
        self.0.print_type(ICMPV6_CODES, numeric, out);
        if self.0.invflags & !1 != 0 {
            let _ = write!(out, " Unknown invflags: 0x{:X}", self.0.invflags & !1);
        }
    }

    fn xlate(&self, x: &mut Xlate, cx: &XlCtx) -> bool {
        let _ = cx;
        let i = &self.0;
        let op = if i.invflags & 1 != 0 { " !=" } else { "" };
        x.add(&format!("icmpv6 type{op} "));
        if i.code[0] == i.code[1] {
            return false;
        }
        let nd = match i.icmp_type {
            133 => Some("nd-router-solicit"),
            134 => Some("nd-router-advert"),
            135 => Some("nd-neighbor-solicit"),
            136 => Some("nd-neighbor-advert"),
            137 => Some("nd-redirect"),
            _ => None,
        };
        let name = nd.or_else(|| {
            ICMPV6_CODES
                .iter()
                .find(|c| c.1 == i.icmp_type && c.2 == i.code[0] && c.3 == i.code[1])
                .map(|c| c.0)
        });
        match name {
            Some(n) => {
                x.add(n);
                true
            }
            None => false,
        }
    }
}
