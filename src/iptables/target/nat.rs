//! The NAT targets of libxt_NAT: `SNAT`, `DNAT`, `MASQUERADE`, `REDIRECT`.
//! One range model, three kernel layouts: IPv4 `nf_nat_ipv4_multi_range_compat`
//! (24 bytes), `nf_nat_range` (40) and `nf_nat_range2` (48, DNAT rev 2).
//! Where the kernel lacks DNAT revision 2, DNAT falls back to revision 0
//! (IPv4, the compat layout) or 1 (IPv6, `nf_nat_range`), which refuse a
//! shifted port map as libxtables does.

use crate::iptables::error::{IptError, Result};
use crate::iptables::ext::{Ctx, OptCall, OptDef, XtExt, F_MAND};
use crate::iptables::family::Family;
use crate::iptables::num::{service_port, strtoui_prefix};
use crate::iptables::xtbuf::{Blob, Rd};
use std::fmt::Write as _;

/// `NF_NAT_RANGE_MAP_IPS`.
pub const MAP_IPS: u32 = 1;
/// `NF_NAT_RANGE_PROTO_SPECIFIED`.
pub const PROTO_SPECIFIED: u32 = 2;
/// `NF_NAT_RANGE_PROTO_RANDOM`.
pub const PROTO_RANDOM: u32 = 4;
/// `NF_NAT_RANGE_PERSISTENT`.
pub const PERSISTENT: u32 = 8;
/// `NF_NAT_RANGE_PROTO_RANDOM_FULLY`.
pub const PROTO_RANDOM_FULLY: u32 = 0x10;
/// `NF_NAT_RANGE_PROTO_OFFSET`.
pub const PROTO_OFFSET: u32 = 0x20;

/// `struct nf_nat_range2` (ports in host order here).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct NatRange {
    /// `NF_NAT_RANGE_*`.
    pub flags: u32,
    /// Lowest address.
    pub min_addr: [u8; 16],
    /// Highest address.
    pub max_addr: [u8; 16],
    /// Lowest port.
    pub min_port: u16,
    /// Highest port.
    pub max_port: u16,
    /// Base port (shifted port maps).
    pub base_port: u16,
    /// `rangesize` of the IPv4 compat layout (1 after the final check).
    pub rangesize: u32,
    /// The revision written (the target's for the family; DNAT may fall
    /// back to an older one).
    pub rev: u32,
}

fn port_ok(p: u8) -> bool {
    matches!(p, 6 | 17 | 132 | 33 | 1)
}

fn parse_ports(arg: &str, portok: bool, r: &mut NatRange) -> Result<()> {
    if !portok {
        return Err(IptError::param(
            "Need TCP, UDP, SCTP or DCCP with port specification",
        ));
    }
    r.flags |= PROTO_SPECIFIED;
    let (port, rest) = match strtoui_prefix(arg, 0, 65535) {
        Some((v, n)) => (v as u16, &arg[n..]),
        None => match service_port(arg, None) {
            Some(p) => (p, ""),
            None => return Err(IptError::param(format!("Port `{arg}' not valid"))),
        },
    };
    let arg = match rest.chars().next() {
        None => {
            r.min_port = port;
            r.max_port = port;
            return Ok(());
        }
        Some('-') => &rest[1..],
        Some(':') => return Err(IptError::param("Invalid port:port syntax - use dash")),
        Some(_) => {
            return Err(IptError::param(format!(
                "Garbage after port value: `{rest}'"
            )))
        }
    };
    let (maxport, n) = strtoui_prefix(arg, 0, 65535)
        .ok_or_else(|| IptError::param(format!("Port `{arg}' not valid")))?;
    let maxport = maxport as u16;
    if maxport < port {
        return Err(IptError::param(format!("Port range `{arg}' funky")));
    }
    r.min_port = port;
    r.max_port = maxport;
    let rest = &arg[n..];
    let arg = match rest.chars().next() {
        None => return Ok(()),
        Some('/') => &rest[1..],
        Some(_) => {
            return Err(IptError::param(format!(
                "Garbage after port range: `{rest}'"
            )))
        }
    };
    let base = match strtoui_prefix(arg, 1, 65535) {
        Some((v, n)) if n == arg.len() => v as u16,
        _ => service_port(arg, None)
            .ok_or_else(|| IptError::param(format!("Port `{arg}' not valid")))?,
    };
    r.flags |= PROTO_OFFSET;
    r.base_port = base;
    Ok(())
}

fn pton(f: Family, s: &str) -> Option<[u8; 16]> {
    let mut b = [0u8; 16];
    match f {
        Family::V4 => {
            let a: std::net::Ipv4Addr = s.parse().ok()?;
            b[..4].copy_from_slice(&a.octets());
        }
        Family::V6 => {
            let a: std::net::Ipv6Addr = s.parse().ok()?;
            b = a.octets();
        }
    }
    Some(b)
}

fn parse_to(orig: &str, portok: bool, r: &mut NatRange, f: Family) -> Result<()> {
    let arg = orig.to_string();
    let (start, colon): (String, Option<usize>);
    if let Some(lb) = arg.find('[') {
        let s = &arg[lb + 1..];
        let Some(rb) = s.find(']') else {
            return Err(IptError::param("Invalid address format"));
        };
        if f == Family::V4 {
            return Err(IptError::param("Invalid address format"));
        }
        let after = lb + 1 + rb + 1;
        colon = arg[after..].find(':').map(|c| c + after);
        start = s[..rb].to_string();
    } else {
        let mut c = arg.find(':');
        if let Some(ci) = c {
            if arg[ci + 1..].contains(':') {
                c = None;
            }
        }
        colon = c;
        start = match c {
            Some(ci) => arg[..ci].to_string(),
            None => arg.clone(),
        };
    }
    if let Some(ci) = colon {
        parse_ports(&arg[ci + 1..], portok, r)?;
        if ci == 0 || ci == 2 {
            return Ok(());
        }
    }
    r.flags |= MAP_IPS;
    let (a, b) = match start.find('-') {
        Some(d) => (start[..d].to_string(), Some(start[d + 1..].to_string())),
        None => (start.clone(), None),
    };
    r.min_addr = pton(f, &a).ok_or_else(|| IptError::param(format!("Bad IP address \"{a}\"")))?;
    r.max_addr = match b {
        Some(b) => pton(f, &b).ok_or_else(|| IptError::param(format!("Bad IP address \"{b}\"")))?,
        None => r.min_addr,
    };
    Ok(())
}

impl NatRange {
    fn sprint(&self, f: Family) -> String {
        let brackets = f == Family::V6 && self.flags & PROTO_SPECIFIED != 0;
        let mut s = String::new();
        if self.flags & MAP_IPS != 0 {
            if brackets {
                s.push('[');
            }
            s.push_str(&crate::iptables::addr::addr_str(f, &self.min_addr));
            if self.min_addr != self.max_addr {
                s.push('-');
                s.push_str(&crate::iptables::addr::addr_str(f, &self.max_addr));
            }
            if brackets {
                s.push(']');
            }
        }
        if self.flags & PROTO_SPECIFIED != 0 {
            let _ = write!(s, ":{}", self.min_port);
            if self.max_port != self.min_port {
                let _ = write!(s, "-{}", self.max_port);
            }
            if self.flags & PROTO_OFFSET != 0 {
                let _ = write!(s, "/{}", self.base_port);
            }
        }
        s
    }

    fn show(&self, f: Family, rangeopt: &str, pfx: &str, skip_colon: bool, out: &mut String) {
        let s = self.sprint(f);
        if !s.is_empty() {
            let s = if skip_colon {
                s.strip_prefix(':').unwrap_or(&s).to_string()
            } else {
                s
            };
            let _ = write!(out, " {rangeopt}{s}");
        }
        if self.flags & PROTO_RANDOM != 0 {
            let _ = write!(out, " {pfx}random");
        }
        if self.flags & PROTO_RANDOM_FULLY != 0 {
            let _ = write!(out, " {pfx}random-fully");
        }
        if self.flags & PERSISTENT != 0 {
            let _ = write!(out, " {pfx}persistent");
        }
    }

    /// `__NAT_xlate`: `tgt` (`snat`, `dnat`, ...) with its range and flags;
    /// shifted port maps have no translation.
    fn xlate(&self, x: &mut crate::iptables::xlate::Xlate, f: Family, tgt: &str) -> bool {
        if self.flags & PROTO_OFFSET != 0 {
            return false;
        }
        let range = self.sprint(f);
        x.add(tgt);
        if !range.is_empty() {
            x.add(&format!(" to {range}"));
        }
        let mut sep = " ";
        for (flag, word) in [
            (PROTO_RANDOM, "random"),
            (PROTO_RANDOM_FULLY, "fully-random"),
            (PERSISTENT, "persistent"),
        ] {
            if self.flags & flag != 0 {
                x.add(&format!("{sep}{word}"));
                sep = ",";
            }
        }
        true
    }

    fn handle(&mut self, c: &OptCall<'_>, cx: &Ctx<'_>) -> Result<()> {
        let portok = port_ok(cx.proto);
        match c.def.id {
            0 | 1 => parse_to(c.arg(), portok, self, cx.family)?,
            2 => parse_ports(c.arg(), portok, self)?,
            3 => self.flags |= PROTO_RANDOM,
            4 => self.flags |= PROTO_RANDOM_FULLY,
            _ => self.flags |= PERSISTENT,
        }
        Ok(())
    }

    /// IPv4 `nf_nat_ipv4_multi_range_compat`.
    pub(crate) fn v4_compat(&self) -> Vec<u8> {
        let mut b = Blob::new(24);
        b.u32(0, self.rangesize)
            .u32(4, self.flags)
            .bytes(8, &self.min_addr[..4])
            .bytes(12, &self.max_addr[..4])
            .be16(16, self.min_port)
            .be16(18, self.max_port);
        b.into_vec()
    }
    pub(crate) fn from_v4_compat(info: &[u8]) -> Option<NatRange> {
        if info.len() != 24 {
            return None;
        }
        let r = Rd(info);
        let mut n = NatRange {
            rangesize: r.u32(0)?,
            flags: r.u32(4)?,
            min_port: r.be16(16)?,
            max_port: r.be16(18)?,
            ..Default::default()
        };
        n.min_addr[..4].copy_from_slice(r.bytes(8, 4)?);
        n.max_addr[..4].copy_from_slice(r.bytes(12, 4)?);
        (n.v4_compat() == info).then_some(n)
    }
    /// `nf_nat_range` (40) or `nf_nat_range2` (48).
    pub(crate) fn range(&self, v2: bool) -> Vec<u8> {
        let mut b = Blob::new(if v2 { 48 } else { 40 });
        b.u32(0, self.flags)
            .bytes(4, &self.min_addr)
            .bytes(20, &self.max_addr)
            .be16(36, self.min_port)
            .be16(38, self.max_port);
        if v2 {
            b.be16(40, self.base_port);
        }
        b.into_vec()
    }
    pub(crate) fn from_range(info: &[u8], v2: bool) -> Option<NatRange> {
        if info.len() != if v2 { 48 } else { 40 } {
            return None;
        }
        let r = Rd(info);
        let mut n = NatRange {
            flags: r.u32(0)?,
            min_port: r.be16(36)?,
            max_port: r.be16(38)?,
            base_port: if v2 { r.be16(40)? } else { 0 },
            ..Default::default()
        };
        n.min_addr.copy_from_slice(r.bytes(4, 16)?);
        n.max_addr.copy_from_slice(r.bytes(20, 16)?);
        (n.range(v2) == info).then_some(n)
    }
}

macro_rules! nat_target {
    ($(#[$m:meta])* $name:ident, $str:literal, $opts:ident, $rev4:expr, $rev6:expr,
     $revs4:expr, $revs6:expr, $print:literal, $save:literal, $skip:expr, $xl:literal) => {
        $(#[$m])*
        #[derive(Clone, Debug, Default, PartialEq, Eq)]
        pub struct $name(pub NatRange);

        impl XtExt for $name {
            const NAME: &'static str = $str;
            const REVISION: u32 = $rev4;
            const SIZE: usize = 48;
            const OPTIONS: &'static [OptDef] = $opts;

            fn init(cx: &Ctx<'_>) -> Self {
                $name(NatRange {
                    rev: Self::rev(cx.family),
                    ..NatRange::default()
                })
            }
            fn rev(f: Family) -> u32 {
                match f {
                    Family::V4 => $rev4,
                    Family::V6 => $rev6,
                }
            }
            fn revisions(f: Family) -> &'static [u32] {
                match f {
                    Family::V4 => $revs4,
                    Family::V6 => $revs6,
                }
            }
            fn revision_of(&self, _: Family) -> u32 {
                self.0.rev
            }
            fn set_revision(&mut self, rev: u32) {
                self.0.rev = rev;
            }
            fn parse(&mut self, c: &mut OptCall<'_>, cx: &Ctx<'_>) -> Result<()> {
                self.0.handle(c, cx)
            }
            fn check(&mut self, _: u32, cx: &Ctx<'_>) -> Result<()> {
                self.finish(cx)
            }
            fn to_info(&self, cx: &Ctx<'_>) -> Vec<u8> {
                self.encode(cx)
            }
            fn from_info(info: &[u8], rev: u32, cx: &Ctx<'_>) -> Option<Self> {
                let mut x = Self::decode(info, rev, cx)?;
                x.0.rev = rev;
                Some(x)
            }
            fn save(&self, cx: &Ctx<'_>, out: &mut String) {
                self.0.show(cx.family, $save, "--", $skip, out)
            }
            fn print(&self, cx: &Ctx<'_>, _: bool, out: &mut String) {
                self.0.show(cx.family, $print, "", $skip, out)
            }
            fn xlate(&self, x: &mut crate::iptables::xlate::Xlate, cx: &crate::iptables::xlate::XlCtx) -> bool {
                self.0.xlate(x, cx.family, $xl)
            }
        }
    };
}

const SNAT_OPTS: &[OptDef] = &[
    OptDef::arg("to-source", 1, F_MAND),
    OptDef::flag("random", 3, 0),
    OptDef::flag("random-fully", 4, 0),
    OptDef::flag("persistent", 5, 0),
];
const DNAT_OPTS: &[OptDef] = &[
    OptDef::arg("to-destination", 0, F_MAND),
    OptDef::flag("random", 3, 0),
    OptDef::flag("persistent", 5, 0),
];
const MASQ_OPTS: &[OptDef] = &[
    OptDef::arg("to-ports", 2, 0),
    OptDef::flag("random", 3, 0),
    OptDef::flag("random-fully", 4, 0),
];
const REDIR_OPTS: &[OptDef] = &[OptDef::arg("to-ports", 2, 0), OptDef::flag("random", 3, 0)];

nat_target!(
    /// `-j SNAT` (IPv4 rev 0 compat layout, IPv6 rev 1 `nf_nat_range`).
    Snat, "SNAT", SNAT_OPTS, 0, 1, &[0], &[1], "to:", "--to-source ", false, "snat"
);
nat_target!(
    /// `-j DNAT` (rev 2, `nf_nat_range2`, both families; falling back to
    /// IPv4 rev 0 or IPv6 rev 1).
    Dnat, "DNAT", DNAT_OPTS, 2, 2, &[2, 0], &[2, 1], "to:", "--to-destination ", false, "dnat"
);
nat_target!(
    /// `-j MASQUERADE` (rev 0; IPv4 compat layout, IPv6 `nf_nat_range`).
    Masquerade, "MASQUERADE", MASQ_OPTS, 0, 0, &[0], &[0], "masq ports: ", "--to-ports ", true, "masquerade"
);
nat_target!(
    /// `-j REDIRECT` (rev 0; IPv4 compat layout, IPv6 `nf_nat_range`).
    Redirect, "REDIRECT", REDIR_OPTS, 0, 0, &[0], &[0], "redir ports ", "--to-ports ", true, "redirect"
);

impl Snat {
    fn finish(&mut self, cx: &Ctx<'_>) -> Result<()> {
        if cx.family == Family::V4 {
            self.0.rangesize = 1;
        }
        Ok(())
    }
    fn encode(&self, cx: &Ctx<'_>) -> Vec<u8> {
        match cx.family {
            Family::V4 => self.0.v4_compat(),
            Family::V6 => self.0.range(false),
        }
    }
    fn decode(info: &[u8], rev: u32, cx: &Ctx<'_>) -> Option<Self> {
        match (cx.family, rev) {
            (Family::V4, 0) => NatRange::from_v4_compat(info).map(Snat),
            (Family::V6, 1) => NatRange::from_range(info, false).map(Snat),
            _ => None,
        }
    }
}

impl Dnat {
    fn finish(&mut self, cx: &Ctx<'_>) -> Result<()> {
        if self.0.rev < 2 {
            if cx.family == Family::V4 {
                self.0.rangesize = 1;
            }
            if self.0.flags & PROTO_OFFSET != 0 {
                return Err(IptError::param(
                    "Shifted portmap ranges not supported with this kernel",
                ));
            }
        }
        Ok(())
    }
    fn encode(&self, cx: &Ctx<'_>) -> Vec<u8> {
        match (self.0.rev, cx.family) {
            (0, Family::V4) => self.0.v4_compat(),
            (1, Family::V6) => self.0.range(false),
            _ => self.0.range(true),
        }
    }
    fn decode(info: &[u8], rev: u32, cx: &Ctx<'_>) -> Option<Self> {
        match (cx.family, rev) {
            (_, 2) => NatRange::from_range(info, true).map(Dnat),
            (Family::V4, 0) => NatRange::from_v4_compat(info).map(Dnat),
            (Family::V6, 1) => NatRange::from_range(info, false).map(Dnat),
            _ => None,
        }
    }
}

impl Masquerade {
    fn finish(&mut self, cx: &Ctx<'_>) -> Result<()> {
        if cx.family == Family::V4 {
            self.0.rangesize = 1;
        }
        Ok(())
    }
    fn encode(&self, cx: &Ctx<'_>) -> Vec<u8> {
        match cx.family {
            Family::V4 => self.0.v4_compat(),
            Family::V6 => self.0.range(false),
        }
    }
    fn decode(info: &[u8], rev: u32, cx: &Ctx<'_>) -> Option<Self> {
        match (cx.family, rev) {
            (Family::V4, 0) => NatRange::from_v4_compat(info).map(Masquerade),
            (Family::V6, 0) => NatRange::from_range(info, false).map(Masquerade),
            _ => None,
        }
    }
}

impl Redirect {
    fn finish(&mut self, cx: &Ctx<'_>) -> Result<()> {
        if self.0.flags & PROTO_OFFSET != 0 {
            return Err(IptError::param(
                "Shifted portmap ranges not supported with this kernel",
            ));
        }
        if cx.family == Family::V4 {
            self.0.rangesize = 1;
        }
        Ok(())
    }
    fn encode(&self, cx: &Ctx<'_>) -> Vec<u8> {
        match cx.family {
            Family::V4 => self.0.v4_compat(),
            Family::V6 => self.0.range(false),
        }
    }
    fn decode(info: &[u8], rev: u32, cx: &Ctx<'_>) -> Option<Self> {
        match (cx.family, rev) {
            (Family::V4, 0) => NatRange::from_v4_compat(info).map(Redirect),
            (Family::V6, 0) => NatRange::from_range(info, false).map(Redirect),
            _ => None,
        }
    }
}
