//! `-m multiport` (revision 1, `struct xt_multiport_v1`, 48 bytes).

use crate::iptables::error::{IptError, Result};
use crate::iptables::ext::{Ctx, OptCall, OptDef, XtExt, F_INVERT};
use crate::iptables::num;
use crate::iptables::xlate::{XlCtx, Xlate};
use crate::iptables::xtbuf::{Blob, Rd};

/// `XT_MULTIPORT_SOURCE`.
pub const SOURCE: u8 = 0;
/// `XT_MULTIPORT_DESTINATION`.
pub const DESTINATION: u8 = 1;
/// `XT_MULTIPORT_EITHER`.
pub const EITHER: u8 = 2;

/// `struct xt_multiport_v1`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Multiport {
    /// Which ports are compared.
    pub flags: u8,
    /// Number of used slots.
    pub count: u8,
    /// Ports (host order).
    pub ports: [u16; 15],
    /// 1 = the slot starts a range ending in the next slot.
    pub pflags: [u8; 15],
    /// `!`.
    pub invert: u8,
}

fn mp_proto(p: u8) -> Option<&'static str> {
    match p {
        6 => Some("tcp"),
        17 => Some("udp"),
        136 => Some("udplite"),
        132 => Some("sctp"),
        33 => Some("dccp"),
        _ => None,
    }
}

fn parse_port(p: &str, proto: &str) -> Result<u16> {
    if let Some(v) = num::strtoui(p, 0, 65535) {
        return Ok(v as u16);
    }
    num::service_port(p, Some(proto))
        .ok_or_else(|| IptError::param(format!("invalid port/service `{p}' specified")))
}

const ANY: u32 = 7;
const OPTS: &[OptDef] = &[
    OptDef::arg("source-ports", 0, F_INVERT).excl(ANY),
    OptDef::arg("sports", 0, F_INVERT).excl(ANY),
    OptDef::arg("destination-ports", 1, F_INVERT).excl(ANY),
    OptDef::arg("dports", 1, F_INVERT).excl(ANY),
    OptDef::arg("ports", 2, F_INVERT).excl(ANY),
];

impl Multiport {
    fn list(&self, proto: u8, numeric: bool, out: &mut String) {
        let port = |p: u16| -> String {
            if numeric {
                return p.to_string();
            }
            let name = match mp_proto(proto) {
                Some(pr) => num::service_name(p, pr),
                None => num::service_name(p, "tcp").or_else(|| num::service_name(p, "udp")),
            };
            name.map(str::to_owned).unwrap_or_else(|| p.to_string())
        };
        let mut i = 0usize;
        let n = (self.count as usize).min(15);
        while i < n {
            if i > 0 {
                out.push(',');
            }
            out.push_str(&port(self.ports[i]));
            if self.pflags[i] != 0 && i + 1 < 15 {
                i += 1;
                out.push(':');
                out.push_str(&port(self.ports[i]));
            }
            i += 1;
        }
    }
}

impl XtExt for Multiport {
    const NAME: &'static str = "multiport";
    const REVISION: u32 = 1;
    const SIZE: usize = 48;
    const OPTIONS: &'static [OptDef] = OPTS;

    fn init(_: &Ctx<'_>) -> Self {
        Multiport::default()
    }

    fn parse(&mut self, c: &mut OptCall<'_>, cx: &Ctx<'_>) -> Result<()> {
        if cx.proto_inv {
            return Err(IptError::param(
                "multiport only works with TCP, UDP, UDPLITE, SCTP and DCCP",
            ));
        }
        let proto = match mp_proto(cx.proto) {
            Some(p) => p,
            None if cx.proto == 0 => {
                return Err(IptError::param(
                    "multiport needs `-p tcp', `-p udp', `-p udplite', `-p sctp' or `-p dccp'",
                ))
            }
            None => {
                return Err(IptError::param(
                    "multiport only works with TCP, UDP, UDPLITE, SCTP and DCCP",
                ))
            }
        };
        self.pflags = [0; 15];
        let arg = c.arg().to_string();
        let parts: Vec<&str> = arg.split(',').collect();
        let mut i = 0usize;
        let mut idx = 0usize;
        while idx < parts.len() && i < 15 {
            let cp = parts[idx];
            idx += 1;
            let (a, range) = match cp.find(':') {
                Some(p) => {
                    if i == 14 {
                        return Err(IptError::param("too many ports specified"));
                    }
                    (&cp[..p], Some(&cp[p + 1..]))
                }
                None => (cp, None),
            };
            self.ports[i] = parse_port(a, proto)?;
            if let Some(r) = range {
                self.pflags[i] = 1;
                i += 1;
                self.ports[i] = parse_port(r, proto)?;
                if self.ports[i - 1] >= self.ports[i] {
                    return Err(IptError::param("invalid portrange specified"));
                }
            }
            i += 1;
        }
        self.count = i as u8;
        if idx < parts.len() {
            return Err(IptError::param("too many ports specified"));
        }
        self.flags = c.def.id;
        if c.invert {
            self.invert = 1;
        }
        Ok(())
    }

    fn check(&mut self, seen: u32, _: &Ctx<'_>) -> Result<()> {
        if seen == 0 {
            return Err(IptError::param("no ports specified"));
        }
        Ok(())
    }

    fn to_info(&self, _: &Ctx<'_>) -> Vec<u8> {
        let mut b = Blob::new(Self::SIZE);
        b.u8(0, self.flags).u8(1, self.count);
        for i in 0..15 {
            b.u16(2 + 2 * i, self.ports[i]).u8(32 + i, self.pflags[i]);
        }
        b.u8(47, self.invert);
        b.into_vec()
    }

    fn from_info(info: &[u8], rev: u32, cx: &Ctx<'_>) -> Option<Self> {
        if rev != 1 || info.len() != Self::SIZE {
            return None;
        }
        let r = Rd(info);
        let mut m = Multiport {
            flags: r.u8(0)?,
            count: r.u8(1)?,
            invert: r.u8(47)?,
            ..Default::default()
        };
        for i in 0..15 {
            m.ports[i] = r.u16(2 + 2 * i)?;
            m.pflags[i] = r.u8(32 + i)?;
        }
        (m.to_info(cx) == info).then_some(m)
    }

    fn save(&self, cx: &Ctx<'_>, out: &mut String) {
        if self.invert != 0 {
            out.push_str(" !");
        }
        match self.flags {
            SOURCE => out.push_str(" --sports "),
            DESTINATION => out.push_str(" --dports "),
            EITHER => out.push_str(" --ports "),
            _ => {}
        }
        self.list(cx.proto, true, out);
    }

    fn print(&self, cx: &Ctx<'_>, numeric: bool, out: &mut String) {
        out.push_str(" multiport ");
        match self.flags {
            SOURCE => out.push_str("sports "),
            DESTINATION => out.push_str("dports "),
            EITHER => out.push_str("ports "),
            _ => out.push_str("ERROR "),
        }
        if self.invert != 0 {
            out.push_str(" !");
        }
        self.list(cx.proto, numeric, out);
    }

    fn xlate(&self, x: &mut Xlate, cx: &XlCtx) -> bool {
        let pname = match cx.proto {
            6 => "tcp",
            17 => "udp",
            136 => "udplite",
            132 => "sctp",
            33 => "dccp",
            _ => "(null)",
        };
        x.add(pname);
        match self.flags {
            SOURCE => x.add(" sport "),
            DESTINATION => x.add(" dport "),
            EITHER => {
                x.add(&format!(" sport . {pname} dport {{ "));
                for i in 0..self.count as usize {
                    if i != 0 {
                        x.add(", ");
                    }
                    let p = self.ports[i];
                    x.add(&format!("0-65535 . {p}, {p} . 0-65535"));
                }
                x.add(" }");
                return true;
            }
            _ => {}
        }
        if self.invert != 0 {
            x.add("!= ");
        }
        let n = self.count as usize;
        let braces = n > 2 || (n > 1 && self.pflags[0] == 0);
        if braces {
            x.add("{ ");
        }
        let mut i = 0;
        while i < n.min(15) {
            x.add(&format!(
                "{}{}",
                if i > 0 { ", " } else { "" },
                self.ports[i]
            ));
            if self.pflags[i] != 0 && i + 1 < 15 {
                i += 1;
                x.add(&format!("-{}", self.ports[i]));
            }
            i += 1;
        }
        if braces {
            x.add("}");
        }
        true
    }
}
