//! `-m policy` (revision 0, `struct xt_policy_info`, 312 bytes): the IPsec
//! policy a packet was (or will be) processed with, as up to four policy
//! elements.

use super::conntrack::parse_hostmask;
use crate::iptables::addr::{addr_str, mask_suffix};
use crate::iptables::error::{IptError, Result};
use crate::iptables::ext::{decode_exact, Ctx, OptCall, OptDef, XtExt, F_INVERT, F_MULTI};
use crate::iptables::family::Family;
use crate::iptables::num::{parse_protocol, proto_by_number};
use crate::iptables::text::parse_uint;
use crate::iptables::xlate::{XlCtx, Xlate};
use crate::iptables::xtbuf::Blob;
use std::fmt::Write as _;

/// `XT_POLICY_MAX_ELEM`.
const MAX_ELEM: usize = 4;
const ELEM_SIZE: usize = 76;
const MATCH_IN: u16 = 0x1;
const MATCH_OUT: u16 = 0x2;
const MATCH_NONE: u16 = 0x4;
const MATCH_STRICT: u16 = 0x8;
const MODE_TRANSPORT: u8 = 0;
const MODE_TUNNEL: u8 = 1;
// `struct xt_policy_spec` bits.
const S_SADDR: u8 = 0x01;
const S_DADDR: u8 = 0x02;
const S_PROTO: u8 = 0x04;
const S_MODE: u8 = 0x08;
const S_SPI: u8 = 0x10;
const S_REQID: u8 = 0x20;
const O_STRICT: u8 = 2;

/// `struct xt_policy_elem`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PolicyElem {
    /// Tunnel source, mask, destination, mask.
    pub addrs: [[u8; 16]; 4],
    /// SPI (host order, as iptables stores it).
    pub spi: u32,
    /// Request id.
    pub reqid: u32,
    /// Protocol.
    pub proto: u8,
    /// `XT_POLICY_MODE_*`.
    pub mode: u8,
    /// Tested fields (`xt_policy_spec` bits).
    pub matched: u8,
    /// Inverted fields.
    pub invert: u8,
}

/// `struct xt_policy_info`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Policy {
    /// Elements (`len` of them used after the final check).
    pub pol: [PolicyElem; MAX_ELEM],
    /// `XT_POLICY_MATCH_*`.
    pub flags: u16,
    /// Elements in use.
    pub len: u16,
}

const OPTS: &[OptDef] = &[
    OptDef::arg("dir", 0, 0),
    OptDef::arg("pol", 1, 0),
    OptDef::flag("strict", O_STRICT, 0),
    OptDef::arg("reqid", 3, F_MULTI | F_INVERT),
    OptDef::arg("spi", 4, F_MULTI | F_INVERT),
    OptDef::arg("tunnel-src", 7, F_MULTI | F_INVERT),
    OptDef::arg("tunnel-dst", 8, F_MULTI | F_INVERT),
    OptDef::arg("proto", 5, F_MULTI | F_INVERT),
    OptDef::arg("mode", 6, F_MULTI | F_INVERT),
    OptDef::flag("next", 9, F_MULTI).also(1 << O_STRICT),
];

fn entry(e: &PolicyElem, prefix: &str, numeric: bool, f: Family, out: &mut String) {
    let inv = |b: u8, out: &mut String| {
        if e.invert & b != 0 {
            out.push_str(" !");
        }
    };
    if e.matched & S_REQID != 0 {
        inv(S_REQID, out);
        let _ = write!(out, " {prefix}reqid {}", e.reqid);
    }
    if e.matched & S_SPI != 0 {
        inv(S_SPI, out);
        let _ = write!(out, " {prefix}spi 0x{:x}", e.spi);
    }
    if e.matched & S_PROTO != 0 {
        inv(S_PROTO, out);
        let _ = write!(out, " {prefix}proto ");
        match proto_by_number(e.proto).filter(|_| !numeric) {
            Some(n) => out.push_str(n),
            None => {
                let _ = write!(out, "{}", e.proto);
            }
        }
    }
    if e.matched & S_MODE != 0 {
        inv(S_MODE, out);
        let _ = write!(out, " {prefix}mode ");
        out.push_str(match e.mode {
            MODE_TRANSPORT => "transport",
            MODE_TUNNEL => "tunnel",
            _ => "???",
        });
    }
    let n = f.addr_len();
    for (bit, name, a, m) in [(S_DADDR, "tunnel-dst", 2, 3), (S_SADDR, "tunnel-src", 0, 1)] {
        if e.matched & bit != 0 {
            inv(bit, out);
            let _ = write!(
                out,
                " {prefix}{name} {}{}",
                addr_str(f, &e.addrs[a][..n]),
                mask_suffix(f, &e.addrs[m][..n])
            );
        }
    }
}

impl Policy {
    fn flags_text(&self, prefix: &str, out: &mut String) {
        let dir = if self.flags & MATCH_IN != 0 {
            "in"
        } else {
            "out"
        };
        let pol = if self.flags & MATCH_NONE != 0 {
            "none"
        } else {
            "ipsec"
        };
        let _ = write!(out, " {prefix}dir {dir} {prefix}pol {pol}");
        if self.flags & MATCH_STRICT != 0 {
            let _ = write!(out, " {prefix}strict");
        }
    }
    fn used(&self) -> &[PolicyElem] {
        &self.pol[..(self.len as usize).min(MAX_ELEM)]
    }
}

impl XtExt for Policy {
    const NAME: &'static str = "policy";
    const REVISION: u32 = 0;
    const SIZE: usize = 312;
    const OPTIONS: &'static [OptDef] = OPTS;

    fn init(_: &Ctx<'_>) -> Self {
        Policy::default()
    }
    fn parse(&mut self, c: &mut OptCall<'_>, cx: &Ctx<'_>) -> Result<()> {
        let arg = c.arg().to_string();
        let idx = (self.len as usize).min(MAX_ELEM - 1);
        let e = &mut self.pol[idx];
        let double = |e: &PolicyElem, bit: u8, opt: &str| {
            if e.matched & bit != 0 {
                Err(IptError::param(format!(
                    "policy match: double --{opt} option"
                )))
            } else {
                Ok(())
            }
        };
        let set = |e: &mut PolicyElem, bit: u8| {
            e.matched |= bit;
            if c.invert {
                e.invert |= bit;
            }
        };
        match c.def.id {
            0 => {
                self.flags |= match arg.as_str() {
                    "in" => MATCH_IN,
                    "out" => MATCH_OUT,
                    _ => {
                        return Err(IptError::param(format!(
                            "policy_match: invalid dir \"{arg}\""
                        )))
                    }
                }
            }
            1 => {
                self.flags |= match arg.as_str() {
                    "none" => MATCH_NONE,
                    "ipsec" => 0,
                    _ => {
                        return Err(IptError::param(format!(
                            "policy match: invalid policy \"{arg}\""
                        )))
                    }
                }
            }
            O_STRICT => self.flags |= MATCH_STRICT,
            3 => {
                let v = parse_uint("policy", c.def.name, &arg, 0, u32::MAX as u64)? as u32;
                double(e, S_REQID, "reqid")?;
                set(e, S_REQID);
                e.reqid = v;
            }
            4 => {
                let v = parse_uint("policy", c.def.name, &arg, 0, u32::MAX as u64)? as u32;
                double(e, S_SPI, "spi")?;
                set(e, S_SPI);
                e.spi = v;
            }
            7 | 8 => {
                let am = parse_hostmask(cx.family, "policy", c.def.name, &arg)?;
                let (bit, a, opt) = if c.def.id == 7 {
                    (S_SADDR, 0, "tunnel-src")
                } else {
                    (S_DADDR, 2, "tunnel-dst")
                };
                double(e, bit, opt)?;
                set(e, bit);
                e.addrs[a] = am.addr;
                e.addrs[a + 1] = am.mask;
            }
            5 => {
                let p = parse_protocol(&arg).ok_or_else(|| {
                    IptError::param(format!("unknown protocol \"{arg}\" specified"))
                })?;
                double(e, S_PROTO, "proto")?;
                e.proto = p;
                if !matches!(p, 50 | 51 | 108) {
                    return Err(IptError::param(
                        "policy match: protocol must be ah/esp/ipcomp",
                    ));
                }
                set(e, S_PROTO);
            }
            6 => {
                double(e, S_MODE, "mode")?;
                set(e, S_MODE);
                e.mode = match arg.as_str() {
                    "transport" => MODE_TRANSPORT,
                    "tunnel" => MODE_TUNNEL,
                    _ => {
                        return Err(IptError::param(format!(
                            "policy match: invalid mode \"{arg}\""
                        )))
                    }
                };
            }
            _ => {
                self.len += 1;
                if self.len as usize == MAX_ELEM {
                    return Err(IptError::param(
                        "policy match: maximum policy depth reached",
                    ));
                }
            }
        }
        Ok(())
    }
    fn check(&mut self, _: u32, _: &Ctx<'_>) -> Result<()> {
        if self.flags & (MATCH_IN | MATCH_OUT) == 0 {
            return Err(IptError::param(
                "policy match: neither --dir in nor --dir out specified",
            ));
        }
        if self.flags & MATCH_NONE != 0 {
            if self.flags & MATCH_STRICT != 0 {
                return Err(IptError::param(
                    "policy match: policy none but --strict given",
                ));
            }
            if self.len != 0 {
                return Err(IptError::param(
                    "policy match: policy none but policy given",
                ));
            }
        } else {
            self.len += 1;
        }
        for (i, e) in self.used().iter().enumerate() {
            if self.flags & MATCH_STRICT != 0 && e.matched == 0 {
                return Err(IptError::param(format!(
                    "policy match: empty policy element {i}. --strict is in effect, but at least one of reqid, spi, tunnel-src, tunnel-dst, proto or mode is required."
                )));
            }
            let tunnel_addr = e.matched & (S_SADDR | S_DADDR) != 0;
            let inv_mode = e.invert & S_MODE != 0;
            if tunnel_addr
                && ((e.mode == MODE_TUNNEL && inv_mode) || (e.mode == MODE_TRANSPORT && !inv_mode))
            {
                return Err(IptError::param(
                    "policy match: --tunnel-src/--tunnel-dst is only valid in tunnel mode",
                ));
            }
        }
        Ok(())
    }
    fn to_info(&self, _: &Ctx<'_>) -> Vec<u8> {
        let mut b = Blob::new(Self::SIZE);
        for (i, e) in self.pol.iter().enumerate() {
            let at = i * ELEM_SIZE;
            for (k, a) in e.addrs.iter().enumerate() {
                b.bytes(at + 16 * k, a);
            }
            b.u32(at + 64, e.spi)
                .u32(at + 68, e.reqid)
                .u8(at + 72, e.proto)
                .u8(at + 73, e.mode)
                .u8(at + 74, e.matched)
                .u8(at + 75, e.invert);
        }
        b.u16(MAX_ELEM * ELEM_SIZE, self.flags)
            .u16(MAX_ELEM * ELEM_SIZE + 2, self.len);
        b.into_vec()
    }
    fn from_info(info: &[u8], rev: u32, cx: &Ctx<'_>) -> Option<Self> {
        decode_exact(info, rev, cx, |r| {
            let mut p = Policy::default();
            for (i, e) in p.pol.iter_mut().enumerate() {
                let at = i * ELEM_SIZE;
                for (k, a) in e.addrs.iter_mut().enumerate() {
                    *a = r.bytes(at + 16 * k, 16)?.try_into().ok()?;
                }
                e.spi = r.u32(at + 64)?;
                e.reqid = r.u32(at + 68)?;
                e.proto = r.u8(at + 72)?;
                e.mode = r.u8(at + 73)?;
                e.matched = r.u8(at + 74)?;
                e.invert = r.u8(at + 75)?;
            }
            p.flags = r.u16(MAX_ELEM * ELEM_SIZE)?;
            p.len = r.u16(MAX_ELEM * ELEM_SIZE + 2)?;
            Some(p)
        })
    }
    fn save(&self, cx: &Ctx<'_>, out: &mut String) {
        self.flags_text("--", out);
        let used = self.used();
        for (i, e) in used.iter().enumerate() {
            entry(e, "--", false, cx.family, out);
            if i + 1 < used.len() {
                out.push_str(" --next");
            }
        }
    }
    fn print(&self, cx: &Ctx<'_>, numeric: bool, out: &mut String) {
        out.push_str(" policy match");
        self.flags_text("", out);
        let used = self.used();
        for (i, e) in used.iter().enumerate() {
            if used.len() > 1 {
                let _ = write!(out, " [{i}]");
            }
            entry(e, "", numeric, cx.family, out);
        }
    }

    fn xlate(&self, x: &mut Xlate, cx: &XlCtx) -> bool {
        let _ = cx;
        // XT_POLICY_MATCH_IN | _NONE | _STRICT
        if self.flags & !(1 | 4 | 8) != 0 || self.len > 1 {
            return false;
        }
        if self.pol[0] != PolicyElem::default() {
            return false;
        }
        x.add("meta secpath ");
        x.add(if self.flags & 4 != 0 {
            "missing"
        } else {
            "exists"
        });
        true
    }
}
