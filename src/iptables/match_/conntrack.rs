//! `-m conntrack` and its alias `-m state` (both `conntrack` revision 3,
//! `struct xt_conntrack_mtinfo3`, 168 bytes).

use crate::iptables::addr::{self, AddrMask};
use crate::iptables::error::{IptError, Result};
use crate::iptables::ext::{Ctx, OptCall, OptDef, XtExt, F_INVERT, F_MAND};
use crate::iptables::family::Family;
use crate::iptables::gai;
use crate::iptables::num;
use crate::iptables::text::ncase_eq;
use crate::iptables::xlate::{XlCtx, Xlate};
use crate::iptables::xtbuf::{Blob, Rd};
use std::fmt::Write as _;

const O_CTSTATE: u8 = 0;
const O_CTPROTO: u8 = 1;
const O_CTORIGSRC: u8 = 2;
const O_CTORIGDST: u8 = 3;
const O_CTREPLSRC: u8 = 4;
const O_CTREPLDST: u8 = 5;
const O_CTORIGSRCPORT: u8 = 6;
const O_CTORIGDSTPORT: u8 = 7;
const O_CTREPLSRCPORT: u8 = 8;
const O_CTREPLDSTPORT: u8 = 9;
const O_CTSTATUS: u8 = 10;
const O_CTEXPIRE: u8 = 11;
const O_CTDIR: u8 = 12;

/// `XT_CONNTRACK_*` match/invert flag bits.
pub mod flags {
    /// state
    pub const STATE: u16 = 1 << 0;
    /// protocol
    pub const PROTO: u16 = 1 << 1;
    /// original source
    pub const ORIGSRC: u16 = 1 << 2;
    /// original destination
    pub const ORIGDST: u16 = 1 << 3;
    /// reply source
    pub const REPLSRC: u16 = 1 << 4;
    /// reply destination
    pub const REPLDST: u16 = 1 << 5;
    /// status
    pub const STATUS: u16 = 1 << 6;
    /// expiry
    pub const EXPIRES: u16 = 1 << 7;
    /// original source port
    pub const ORIGSRC_PORT: u16 = 1 << 8;
    /// original destination port
    pub const ORIGDST_PORT: u16 = 1 << 9;
    /// reply source port
    pub const REPLSRC_PORT: u16 = 1 << 10;
    /// reply destination port
    pub const REPLDST_PORT: u16 = 1 << 11;
    /// direction
    pub const DIRECTION: u16 = 1 << 12;
    /// written by `-m state`
    pub const STATE_ALIAS: u16 = 1 << 13;
}

/// `struct xt_conntrack_mtinfo3`, or (`rev`) the older layouts the kernel
/// may have instead: `xt_conntrack_mtinfo2` (one big-endian port per
/// direction, 160 bytes) and `xt_conntrack_mtinfo1` (the same with 8-bit
/// state and status masks, 152 bytes). The older revisions refuse port
/// ranges and keep only the low 8 bits of the masks (revision 1), as
/// libxtables does.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Conntrack {
    /// The revision written (1 to 3).
    pub rev: u32,
    /// orig src, orig dst, repl src, repl dst (address/mask).
    pub addrs: [AddrMask; 4],
    /// `--ctexpire` min.
    pub expires_min: u32,
    /// `--ctexpire` max.
    pub expires_max: u32,
    /// `--ctproto`.
    pub l4proto: u16,
    /// Ports (low) orig src, orig dst, repl src, repl dst (host order).
    pub ports: [u16; 4],
    /// Ports (high), same order.
    pub ports_high: [u16; 4],
    /// `XT_CONNTRACK_*` set.
    pub match_flags: u16,
    /// `XT_CONNTRACK_*` inverted.
    pub invert_flags: u16,
    /// `XT_CONNTRACK_STATE_*` bits.
    pub state_mask: u16,
    /// `IPS_*` bits.
    pub status_mask: u16,
}

const STATES: &[(&str, u16)] = &[
    ("INVALID", 1),
    ("NEW", 1 << 3),
    ("ESTABLISHED", 1 << 1),
    ("RELATED", 1 << 2),
    ("UNTRACKED", 1 << 8),
    ("SNAT", 1 << 6),
    ("DNAT", 1 << 7),
];

const STATUSES: &[(&str, u16)] = &[
    ("NONE", 0),
    ("EXPECTED", 1),
    ("SEEN_REPLY", 2),
    ("ASSURED", 4),
    ("CONFIRMED", 8),
];

fn parse_list(arg: &str, table: &[(&str, u16)], what: &str) -> Result<u16> {
    let mut mask = 0u16;
    let bad = |a: &str| IptError::param(format!("Bad {what} \"{a}\""));
    let mut rest = arg;
    while let Some(p) = rest.find(',') {
        let w = &rest[..p];
        let v = table
            .iter()
            .find(|(n, _)| !w.is_empty() && ncase_eq(w, n))
            .ok_or_else(|| bad(rest))?;
        mask |= v.1;
        rest = &rest[p + 1..];
    }
    let v = table
        .iter()
        .find(|(n, _)| !rest.is_empty() && ncase_eq(rest, n))
        .ok_or_else(|| bad(rest))?;
    Ok(mask | v.1)
}

/// `XTTYPE_HOSTMASK`: a host (numeric or from the host table) with an
/// optional `/plen` or `/mask`.
pub fn parse_hostmask(f: Family, ext: &str, opt: &str, arg: &str) -> Result<AddrMask> {
    let (host, mask) = match arg.find('/') {
        Some(p) => (&arg[..p], Some(&arg[p + 1..])),
        None => (arg, None),
    };
    let a = parse_host(f, host)?;
    let hlen = (f.addr_len() * 8) as u64;
    // A bare host leaves all 16 mask bytes set (also for IPv4); a mask
    // that is no prefix keeps the set bytes beyond the IPv4 address.
    let m = match mask {
        None => [0xff; 16],
        Some(m) => match num::strtoui(m, 0, hlen) {
            Some(n) => addr::prefix_mask(f, n as u32),
            None => {
                let n = f.addr_len();
                let parsed = gai::resolve(f, m, true)
                    .ok()
                    .and_then(|v| v.first().copied())
                    .map(|a| {
                        let mut b = [0xffu8; 16];
                        b[..n].copy_from_slice(&a[..n]);
                        b
                    })
                    .map(|b| match prefix_len(&b[..f.addr_len()]) {
                        Some(n) => addr::prefix_mask(f, n),
                        None => b,
                    });
                parsed.ok_or_else(|| {
                    IptError::param(format!(
                        "{ext}: bad value for option \"--{opt}\", neither a valid network mask nor valid CIDR (0-{hlen}).\n"
                    ))
                })?
            }
        },
    };
    Ok(AddrMask { addr: a, mask: m })
}

/// The prefix length of a contiguous mask, `None` if it is no prefix.
fn prefix_len(m: &[u8]) -> Option<u32> {
    let ones: u32 = m.iter().map(|b| b.count_ones()).sum();
    (addr::prefix_mask(Family::V6, ones)[..m.len()] == *m).then_some(ones)
}

/// `XTTYPE_HOST`: one address as `getaddrinfo` reads it (numeric, or a
/// name of the host table that stands for one address).
pub fn parse_host(f: Family, host: &str) -> Result<[u8; 16]> {
    let v = gai::resolve(f, host, false)
        .map_err(|e| IptError::param(format!("getaddrinfo: {}\n", e.text())))?;
    if v.iter().any(|a| *a != v[0]) {
        return Err(IptError::param(format!(
            "{host} resolves to more than one address\n"
        )));
    }
    Ok(v[0])
}

/// `XTTYPE_PORTRC`: `port[:port]` with service names.
pub fn parse_portrc(ext: &str, opt: &str, arg: &str) -> Result<(u16, u16, usize)> {
    let mut vals = [0u16, u16::MAX];
    let mut n = 0usize;
    let mut prev = 0i64;
    for part in arg.split(':') {
        if n == 2 {
            return Err(IptError::param(format!(
                "{ext}: Too many components for option \"--{opt}\" (max: 2)\n"
            )));
        }
        if part.is_empty() {
            n += 1;
            continue;
        }
        let v = num::getportbyname(part).ok_or_else(|| {
            IptError::param(format!("Port \"{part}\" does not resolve to anything.\n"))
        })?;
        if (v as i64) < prev {
            return Err(IptError::param(format!(
                "Port range {prev}-{v} is negative.\n"
            )));
        }
        prev = v as i64;
        vals[n] = v;
        n += 1;
    }
    if n == 1 {
        vals[1] = vals[0];
        n = 2;
    }
    Ok((vals[0], vals[1], n))
}

impl Conntrack {
    fn dump(&self, prefix: &str, cx: &Ctx<'_>, numeric: bool, out: &mut String) {
        let inv = |f: u16, out: &mut String| {
            if self.invert_flags & f != 0 {
                out.push_str(" !");
            }
        };
        if self.match_flags & flags::STATE != 0 {
            inv(flags::STATE, out);
            let n = if self.match_flags & flags::STATE_ALIAS != 0 {
                "state"
            } else {
                "ctstate"
            };
            let _ = write!(out, " {prefix}{n}");
            print_states(self.state_mask, out);
        }
        if self.match_flags & flags::PROTO != 0 {
            inv(flags::PROTO, out);
            let _ = write!(out, " {prefix}ctproto {}", self.l4proto);
        }
        let names = ["ctorigsrc", "ctorigdst", "ctreplsrc", "ctrepldst"];
        let fl = [
            flags::ORIGSRC,
            flags::ORIGDST,
            flags::REPLSRC,
            flags::REPLDST,
        ];
        for i in 0..4 {
            if self.match_flags & fl[i] != 0 {
                inv(fl[i], out);
                let _ = write!(out, " {prefix}{}", names[i]);
                let a = &self.addrs[i];
                let zero = a.addr[..cx.family.addr_len()].iter().all(|&b| b == 0);
                if !numeric && zero {
                    out.push_str(" anywhere");
                } else {
                    let h = if numeric {
                        addr::addr_str(cx.family, &a.addr)
                    } else {
                        addr::to_anyname(cx.family, &a.addr)
                    };
                    let _ = write!(out, " {h}{}", addr::mask_suffix(cx.family, &a.mask));
                }
            }
        }
        let pn = [
            "ctorigsrcport",
            "ctorigdstport",
            "ctreplsrcport",
            "ctrepldstport",
        ];
        let pf = [
            flags::ORIGSRC_PORT,
            flags::ORIGDST_PORT,
            flags::REPLSRC_PORT,
            flags::REPLDST_PORT,
        ];
        for i in 0..4 {
            if self.match_flags & pf[i] != 0 {
                inv(pf[i], out);
                let (lo, hi) = (self.ports[i], self.ports_high[i]);
                if hi == 0 || lo == hi {
                    let _ = write!(out, " {prefix}{} {lo}", pn[i]);
                } else {
                    let _ = write!(out, " {prefix}{} {lo}:{hi}", pn[i]);
                }
            }
        }
        if self.match_flags & flags::STATUS != 0 {
            inv(flags::STATUS, out);
            let _ = write!(out, " {prefix}ctstatus");
            let mut sep = " ";
            for (n, b) in &STATUSES[1..] {
                if self.status_mask & b != 0 {
                    out.push_str(sep);
                    out.push_str(n);
                    sep = ",";
                }
            }
            if self.status_mask == 0 {
                out.push_str(sep);
                out.push_str("NONE");
            }
        }
        if self.match_flags & flags::EXPIRES != 0 {
            inv(flags::EXPIRES, out);
            let _ = write!(out, " {prefix}ctexpire ");
            if self.expires_max == self.expires_min {
                out.push_str(&self.expires_min.to_string());
            } else {
                let _ = write!(out, "{}:{}", self.expires_min, self.expires_max);
            }
        }
        if self.match_flags & flags::DIRECTION != 0 {
            if self.invert_flags & flags::DIRECTION != 0 {
                let _ = write!(out, " {prefix}ctdir REPLY");
            } else {
                let _ = write!(out, " {prefix}ctdir ORIGINAL");
            }
        }
    }
}

/// `print_state`: ` NEW,ESTABLISHED` in iptables' fixed order.
pub fn print_states(mask: u16, out: &mut String) {
    let order: [(&str, u16); 7] = [
        ("INVALID", 1),
        ("NEW", 1 << 3),
        ("RELATED", 1 << 2),
        ("ESTABLISHED", 1 << 1),
        ("UNTRACKED", 1 << 8),
        ("SNAT", 1 << 6),
        ("DNAT", 1 << 7),
    ];
    let mut sep = " ";
    for (n, b) in order {
        if mask & b != 0 {
            out.push_str(sep);
            out.push_str(n);
            sep = ",";
        }
    }
}

const OPTS: &[OptDef] = &[
    OptDef::arg("ctstate", O_CTSTATE, F_INVERT),
    OptDef::arg("ctproto", O_CTPROTO, F_INVERT),
    OptDef::arg("ctorigsrc", O_CTORIGSRC, F_INVERT),
    OptDef::arg("ctorigdst", O_CTORIGDST, F_INVERT),
    OptDef::arg("ctreplsrc", O_CTREPLSRC, F_INVERT),
    OptDef::arg("ctrepldst", O_CTREPLDST, F_INVERT),
    OptDef::arg("ctstatus", O_CTSTATUS, F_INVERT),
    OptDef::arg("ctexpire", O_CTEXPIRE, F_INVERT),
    OptDef::arg("ctorigsrcport", O_CTORIGSRCPORT, F_INVERT),
    OptDef::arg("ctorigdstport", O_CTORIGDSTPORT, F_INVERT),
    OptDef::arg("ctreplsrcport", O_CTREPLSRCPORT, F_INVERT),
    OptDef::arg("ctrepldstport", O_CTREPLDSTPORT, F_INVERT),
    OptDef::arg("ctdir", O_CTDIR, 0),
];

impl Conntrack {
    /// What the older layouts can hold: revision 1's masks are 8 bits
    /// (libxtables assigns the 16-bit values to them).
    fn narrow(&mut self) {
        if self.rev == 1 {
            self.state_mask &= 0xff;
            self.status_mask &= 0xff;
        }
    }

    /// `xt_conntrack_mtinfo1`/`2`: addresses, expiry and protocol as in
    /// revision 3, ports big-endian without a high end, masks of 8
    /// (revision 1) or 16 bits.
    fn old_info(&self) -> Vec<u8> {
        let size = if self.rev == 1 { 152 } else { 160 };
        let mut b = Blob::new(size);
        for (i, a) in self.addrs.iter().enumerate() {
            b.bytes(i * 32, &a.addr).bytes(i * 32 + 16, &a.mask);
        }
        b.u32(128, self.expires_min)
            .u32(132, self.expires_max)
            .u16(136, self.l4proto);
        for (i, p) in self.ports.iter().enumerate() {
            b.be16(138 + 2 * i, *p);
        }
        b.u16(146, self.match_flags).u16(148, self.invert_flags);
        if self.rev == 1 {
            b.u8(150, self.state_mask as u8)
                .u8(151, self.status_mask as u8);
        } else {
            b.u16(150, self.state_mask).u16(152, self.status_mask);
        }
        b.into_vec()
    }

    /// Read revision 1 or 2 (see [`Conntrack::old_info`]).
    fn from_old_info(info: &[u8], rev: u32, cx: &Ctx<'_>) -> Option<Self> {
        let size = match rev {
            1 => 152,
            2 => 160,
            _ => return None,
        };
        if info.len() != size {
            return None;
        }
        let r = Rd(info);
        let mut s = Conntrack {
            rev,
            ..Conntrack::default()
        };
        for i in 0..4 {
            s.addrs[i].addr.copy_from_slice(r.bytes(i * 32, 16)?);
            s.addrs[i].mask.copy_from_slice(r.bytes(i * 32 + 16, 16)?);
            s.ports[i] = r.be16(138 + 2 * i)?;
        }
        s.expires_min = r.u32(128)?;
        s.expires_max = r.u32(132)?;
        s.l4proto = r.u16(136)?;
        s.match_flags = r.u16(146)?;
        s.invert_flags = r.u16(148)?;
        if rev == 1 {
            s.state_mask = r.u8(150)?.into();
            s.status_mask = r.u8(151)?.into();
        } else {
            s.state_mask = r.u16(150)?;
            s.status_mask = r.u16(152)?;
        }
        (s.to_info(cx) == info).then_some(s)
    }
}

impl XtExt for Conntrack {
    const NAME: &'static str = "conntrack";
    const REVISION: u32 = 3;
    const SIZE: usize = 168;
    const OPTIONS: &'static [OptDef] = OPTS;

    fn init(_: &Ctx<'_>) -> Self {
        Conntrack {
            rev: 3,
            ..Conntrack::default()
        }
    }
    fn revisions(_: Family) -> &'static [u32] {
        &[3, 2, 1]
    }
    crate::revision_in_field!();

    fn parse(&mut self, c: &mut OptCall<'_>, cx: &Ctx<'_>) -> Result<()> {
        let id = c.def.id;
        let arg = c.arg().to_string();
        let set = |s: &mut Conntrack, f: u16| {
            s.match_flags |= f;
            if c.invert {
                s.invert_flags |= f;
            }
        };
        match id {
            O_CTSTATE => {
                self.state_mask |= parse_list(&arg, STATES, "ctstate")?;
                set(self, flags::STATE);
            }
            O_CTPROTO => {
                let p = num::parse_protocol(&arg).ok_or_else(|| {
                    IptError::param(format!("unknown protocol \"{arg}\" specified"))
                })?;
                if p == 0 {
                    return Err(IptError::param(if c.invert {
                        "conntrack: condition would always match protocol"
                    } else {
                        "conntrack: rule would never match protocol"
                    }));
                }
                self.l4proto = p as u16;
                set(self, flags::PROTO);
            }
            O_CTORIGSRC..=O_CTREPLDST => {
                let i = (id - O_CTORIGSRC) as usize;
                self.addrs[i] = parse_hostmask(cx.family, "conntrack", c.def.name, &arg)?;
                set(
                    self,
                    [
                        flags::ORIGSRC,
                        flags::ORIGDST,
                        flags::REPLSRC,
                        flags::REPLDST,
                    ][i],
                );
            }
            O_CTSTATUS => {
                self.status_mask |= parse_list(&arg, STATUSES, "ctstatus")?;
                set(self, flags::STATUS);
            }
            O_CTEXPIRE => {
                let (lo, hi, n) = parse_u32rc("conntrack", c.def.name, &arg)?;
                self.expires_min = lo;
                self.expires_max = if n >= 2 { hi } else { lo };
                set(self, flags::EXPIRES);
            }
            O_CTORIGSRCPORT..=O_CTREPLDSTPORT => {
                let i = (id - O_CTORIGSRCPORT) as usize;
                let (lo, hi, n) = parse_portrc("conntrack", c.def.name, &arg)?;
                let hi = if n >= 2 { hi } else { lo };
                if self.rev < 3 && lo != hi {
                    return Err(IptError::param(format!(
                        "conntrack rev {} does not support port ranges",
                        self.rev
                    )));
                }
                self.ports[i] = lo;
                self.ports_high[i] = if self.rev < 3 { 0 } else { hi };
                set(
                    self,
                    [
                        flags::ORIGSRC_PORT,
                        flags::ORIGDST_PORT,
                        flags::REPLSRC_PORT,
                        flags::REPLDST_PORT,
                    ][i],
                );
            }
            O_CTDIR => {
                if arg.eq_ignore_ascii_case("ORIGINAL") {
                    self.match_flags |= flags::DIRECTION;
                    self.invert_flags &= !flags::DIRECTION;
                } else if arg.eq_ignore_ascii_case("REPLY") {
                    self.match_flags |= flags::DIRECTION;
                    self.invert_flags |= flags::DIRECTION;
                } else {
                    return Err(IptError::param(format!(
                        "conntrack: Bad value for \"--ctdir\" option: \"{arg}\""
                    )));
                }
            }
            _ => {}
        }
        Ok(())
    }

    fn check(&mut self, seen: u32, _: &Ctx<'_>) -> Result<()> {
        if seen == 0 {
            return Err(IptError::param(
                "conntrack: At least one option is required",
            ));
        }
        self.narrow();
        Ok(())
    }

    fn to_info(&self, _: &Ctx<'_>) -> Vec<u8> {
        if self.rev < 3 {
            return self.old_info();
        }
        let mut b = Blob::new(Self::SIZE);
        for (i, a) in self.addrs.iter().enumerate() {
            b.bytes(i * 32, &a.addr).bytes(i * 32 + 16, &a.mask);
        }
        b.u32(128, self.expires_min)
            .u32(132, self.expires_max)
            .u16(136, self.l4proto)
            .u16(138, self.ports[0])
            .u16(140, self.ports[1])
            .u16(142, self.ports[2])
            .u16(144, self.ports[3])
            .u16(146, self.match_flags)
            .u16(148, self.invert_flags)
            .u16(150, self.state_mask)
            .u16(152, self.status_mask)
            .u16(154, self.ports_high[0])
            .u16(156, self.ports_high[1])
            .u16(158, self.ports_high[2])
            .u16(160, self.ports_high[3]);
        b.into_vec()
    }

    fn from_info(info: &[u8], rev: u32, cx: &Ctx<'_>) -> Option<Self> {
        if rev < 3 {
            return Conntrack::from_old_info(info, rev, cx);
        }
        if rev != 3 || info.len() != Self::SIZE {
            return None;
        }
        let r = Rd(info);
        let mut s = Conntrack {
            rev,
            ..Conntrack::default()
        };
        for i in 0..4 {
            s.addrs[i].addr.copy_from_slice(r.bytes(i * 32, 16)?);
            s.addrs[i].mask.copy_from_slice(r.bytes(i * 32 + 16, 16)?);
        }
        s.expires_min = r.u32(128)?;
        s.expires_max = r.u32(132)?;
        s.l4proto = r.u16(136)?;
        for i in 0..4 {
            s.ports[i] = r.u16(138 + 2 * i)?;
            s.ports_high[i] = r.u16(154 + 2 * i)?;
        }
        s.match_flags = r.u16(146)?;
        s.invert_flags = r.u16(148)?;
        s.state_mask = r.u16(150)?;
        s.status_mask = r.u16(152)?;
        (s.to_info(&Ctx {
            family: Family::V4,
            proto: 0,
            proto_inv: false,
            table: "",
        }) == info)
            .then_some(s)
    }

    fn save(&self, cx: &Ctx<'_>, out: &mut String) {
        self.dump("--", cx, true, out)
    }

    fn print(&self, cx: &Ctx<'_>, numeric: bool, out: &mut String) {
        self.dump("", cx, numeric, out)
    }

    fn alias(&self) -> &'static str {
        if self.match_flags & flags::STATE_ALIAS != 0 {
            "state"
        } else {
            "conntrack"
        }
    }

    fn xlate(&self, x: &mut Xlate, cx: &XlCtx) -> bool {
        self.xlate_all(x, cx);
        true
    }
}

/// `XTTYPE_UINT32RC`: `a[:b]` (missing parts default to 0 / max).
pub fn parse_u32rc(ext: &str, opt: &str, arg: &str) -> Result<(u32, u32, usize)> {
    parse_u32rc_max(ext, opt, arg, u32::MAX as u64)
}

/// `-m state`: the alias of conntrack that only knows `--state` (revisions
/// 3, 2, 1 of `conntrack`), or, where the kernel has no `conntrack` match,
/// revision 0 of the kernel's own `state` match (`struct xt_state_info`: a
/// state mask word, inverted bitwise by `!`, 8 bytes), as libxtables. The
/// second field is that word.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct State(pub Conntrack, pub u32);

const STATE_OPTS: &[OptDef] = &[OptDef::arg("state", O_CTSTATE, F_MAND | F_INVERT)];

impl XtExt for State {
    const NAME: &'static str = "state";
    const REAL_NAME: &'static str = "conntrack";
    const REVISION: u32 = 3;
    const SIZE: usize = 168;
    const OPTIONS: &'static [OptDef] = STATE_OPTS;

    fn init(cx: &Ctx<'_>) -> Self {
        State(Conntrack::init(cx), 0)
    }
    fn revisions(_: Family) -> &'static [u32] {
        &[3, 2, 1, 0]
    }
    fn kernel_name(rev: u32) -> &'static str {
        if rev == 0 {
            "state"
        } else {
            "conntrack"
        }
    }
    fn real_name_now(&self) -> &'static str {
        Self::kernel_name(self.0.rev)
    }
    fn userspace_now(&self) -> usize {
        if self.0.rev == 0 {
            8
        } else {
            Self::USERSPACE
        }
    }
    fn revision_of(&self, f: Family) -> u32 {
        self.0.revision_of(f)
    }
    fn set_revision(&mut self, rev: u32) {
        self.0.set_revision(rev);
    }

    fn parse(&mut self, c: &mut OptCall<'_>, _: &Ctx<'_>) -> Result<()> {
        let arg = c.arg().to_string();
        let states: &[(&str, u16)] = &STATES[..5];
        self.0.match_flags = flags::STATE | flags::STATE_ALIAS;
        let mut mask = 0u16;
        let mut rest = arg.as_str();
        let bad = |a: &str| IptError::param(format!("Bad state \"{a}\""));
        while let Some(p) = rest.find(',') {
            let w = &rest[..p];
            let v = states
                .iter()
                .find(|(n, _)| !w.is_empty() && ncase_eq(w, n))
                .ok_or_else(|| bad(rest))?;
            mask |= v.1;
            rest = &rest[p + 1..];
        }
        if rest.is_empty() {
            return Err(IptError::param(
                "\"--state\" requires a list of states with no spaces, e.g. ESTABLISHED,RELATED",
            ));
        }
        let v = states
            .iter()
            .find(|(n, _)| ncase_eq(rest, n))
            .ok_or_else(|| bad(rest))?;
        if self.0.rev == 0 {
            let m = u32::from(mask | v.1);
            self.1 = if c.invert { !m } else { m };
            self.0.match_flags = 0;
            return Ok(());
        }
        self.0.state_mask = mask | v.1;
        if c.invert {
            self.0.invert_flags |= flags::STATE;
        }
        self.0.narrow();
        Ok(())
    }

    fn to_info(&self, cx: &Ctx<'_>) -> Vec<u8> {
        if self.0.rev == 0 {
            let mut b = Blob::new(8);
            b.u32(0, self.1);
            return b.into_vec();
        }
        self.0.to_info(cx)
    }

    fn from_info(info: &[u8], rev: u32, cx: &Ctx<'_>) -> Option<Self> {
        if rev == 0 {
            if info.len() != 8 || info[4..].iter().any(|&b| b != 0) {
                return None;
            }
            let mut c = Conntrack::init(cx);
            c.rev = 0;
            return Some(State(c, Rd(info).u32(0)?));
        }
        let c = Conntrack::from_info(info, rev, cx)?;
        (c.match_flags & flags::STATE_ALIAS != 0).then_some(State(c, 0))
    }

    fn save(&self, cx: &Ctx<'_>, out: &mut String) {
        if self.0.rev == 0 {
            out.push_str(" --state");
            print_states(self.1 as u16, out);
            return;
        }
        self.0.save(cx, out)
    }

    fn print(&self, cx: &Ctx<'_>, numeric: bool, out: &mut String) {
        if self.0.rev == 0 {
            out.push_str(" state");
            print_states(self.1 as u16, out);
            return;
        }
        self.0.print(cx, numeric, out)
    }

    fn alias(&self) -> &'static str {
        "state"
    }

    fn xlate(&self, x: &mut Xlate, cx: &XlCtx) -> bool {
        let _ = cx;
        x.add("ct state ");
        xlate_states(
            x,
            self.0.state_mask,
            self.0.invert_flags & flags::STATE != 0,
        );
        true
    }
}

/// `XTTYPE_UINT16RC`/`UINT32RC`/`UINT64RC` with an explicit maximum: the
/// values and how many were given.
pub fn parse_u64rc_max(ext: &str, opt: &str, arg: &str, lmax: u64) -> Result<(u64, u64, usize)> {
    let mut vals = [0u64; 2];
    let mut n = 0usize;
    let mut lmin = 0u64;
    let mut rest = arg;
    loop {
        if n == 2 {
            return Err(IptError::param(format!(
                "{ext}: Too many components for option \"--{opt}\" (max: 2)\n"
            )));
        }
        let consumed;
        let value;
        if rest.is_empty() || rest.starts_with(':') {
            consumed = 0;
            value = if n == 1 { lmax } else { lmin };
        } else {
            let (v, k) = num::strtoul_prefix_base(rest, lmin, lmax, 0).ok_or_else(|| {
                IptError::param(format!(
                    "{ext}: bad value for option \"--{opt}\" near \"{rest}\", or out of range ({lmin}-{lmax}).\n"
                ))
            })?;
            let after = &rest[k..];
            if !after.is_empty() && !after.starts_with(':') {
                return Err(IptError::param(format!(
                    "{ext}: Argument to \"--{opt}\" has unexpected characters near \"{after}\".\n"
                )));
            }
            consumed = k;
            value = v;
            lmin = v;
        }
        vals[n] = value;
        n += 1;
        let after = &rest[consumed..];
        if after.is_empty() {
            break;
        }
        rest = &after[1..];
    }
    Ok((vals[0], vals[1], n))
}

/// [`parse_u64rc_max`] for ranges of 32 bits or less.
pub fn parse_u32rc_max(ext: &str, opt: &str, arg: &str, lmax: u64) -> Result<(u32, u32, usize)> {
    let (lo, hi, n) = parse_u64rc_max(ext, opt, arg, lmax)?;
    Ok((lo as u32, hi as u32, n))
}

/// Conntrack states in translation form (`! new,established`).
fn xlate_states(x: &mut Xlate, mask: u16, inv: bool) {
    if inv {
        x.add("! ");
    }
    let names = [
        (1u16, "invalid"),
        (1 << 3, "new"),
        (1 << 2, "related"),
        (1 << 1, "established"),
        (1 << 8, "untracked"),
    ];
    xlate_list(x, mask, &names);
}

/// Conntrack status bits in translation form.
fn xlate_statuses(x: &mut Xlate, mask: u16, inv: bool) {
    if inv {
        x.add("! ");
    }
    let names = [
        (1u16, "expected"),
        (2, "seen-reply"),
        (4, "assured"),
        (8, "confirmed"),
    ];
    xlate_list(x, mask, &names);
}

fn xlate_list(x: &mut Xlate, mask: u16, names: &[(u16, &str)]) {
    let mut sep = "";
    for (bit, n) in names {
        if mask & bit != 0 {
            x.add(&format!("{sep}{n}"));
            sep = ",";
        }
    }
}

impl Conntrack {
    /// `_conntrack3_mt_xlate`.
    fn xlate_all(&self, x: &mut Xlate, cx: &XlCtx) {
        let inv = |f: u16| self.invert_flags & f != 0;
        let neq = |f: u16| if inv(f) { "!= " } else { "" };
        let has = |f: u16| self.match_flags & f != 0;
        let mut space = "";
        let dir = if inv(flags::DIRECTION) {
            "reply"
        } else {
            "original"
        };
        if has(flags::DIRECTION) {
            x.add(&format!("ct direction {dir}"));
            space = " ";
        }
        if has(flags::PROTO) {
            x.add(&format!(
                "{space}ct {dir} protocol {}{}",
                neq(flags::PROTO),
                self.l4proto
            ));
            space = " ";
        }
        if has(flags::STATE) {
            let (snat, dnat) = (1u16 << 6, 1u16 << 7);
            if self.state_mask & (snat | dnat) != 0 {
                x.add(&format!(
                    "{space}ct status {}{}",
                    if inv(flags::STATUS) { "!=" } else { "" },
                    if self.state_mask & snat != 0 {
                        "snat"
                    } else {
                        "dnat"
                    }
                ));
            } else {
                x.add(&format!("{space}ct state "));
                xlate_states(x, self.state_mask, inv(flags::STATE));
            }
            space = " ";
        }
        if has(flags::STATUS) {
            x.add(&format!("{space}ct status "));
            xlate_statuses(x, self.status_mask, inv(flags::STATUS));
            space = " ";
        }
        if has(flags::EXPIRES) {
            x.add(&format!("{space}ct expiration {}", neq(flags::EXPIRES)));
            if self.expires_max == self.expires_min {
                x.add(&self.expires_min.to_string());
            } else {
                x.add(&format!("{}-{}", self.expires_min, self.expires_max));
            }
            space = " ";
        }
        let f = cx.family;
        let addr_names = [
            (flags::ORIGSRC, "original saddr"),
            (flags::ORIGDST, "original daddr"),
            (flags::REPLSRC, "reply saddr"),
            (flags::REPLDST, "reply daddr"),
        ];
        for (i, (flag, what)) in addr_names.iter().enumerate() {
            if has(*flag) {
                let a = &self.addrs[i];
                x.add(&format!("{space}ct {what} {}", neq(*flag)));
                x.add(&format!(
                    "{}{}",
                    addr::addr_str(f, &a.addr[..f.addr_len()]),
                    addr::mask_suffix(f, &a.mask)
                ));
                space = " ";
            }
        }
        let port_names = [
            (flags::ORIGSRC_PORT, "original proto-src"),
            (flags::ORIGDST_PORT, "original proto-dst"),
            (flags::REPLSRC_PORT, "reply proto-src"),
            (flags::REPLDST_PORT, "reply proto-dst"),
        ];
        for (i, (flag, what)) in port_names.iter().enumerate() {
            if has(*flag) {
                x.add(&format!("{space}ct {what} {}", neq(*flag)));
                if self.ports[i] == self.ports_high[i] {
                    x.add(&self.ports[i].to_string());
                } else {
                    x.add(&format!("{}-{}", self.ports[i], self.ports_high[i]));
                }
                space = " ";
            }
        }
    }
}
