//! `-j REJECT` (revision 0; `struct ipt_reject_info` / `ip6t_reject_info`,
//! a u32 reply type, 8 bytes).

use crate::iptables::error::{IptError, Result};
use crate::iptables::ext::{Ctx, OptCall, OptDef, XtExt};
use crate::iptables::family::Family;
use crate::iptables::xlate::{XlCtx, Xlate};
use crate::iptables::xtbuf::{Blob, Rd};
use std::fmt::Write as _;

/// `(name, alias)` by `IPT_*` value (None = unused slot).
const V4: &[Option<(&str, &str)>] = &[
    Some(("icmp-net-unreachable", "net-unreach")),
    Some(("icmp-host-unreachable", "host-unreach")),
    Some(("icmp-proto-unreachable", "proto-unreach")),
    Some(("icmp-port-unreachable", "port-unreach")),
    None,
    Some(("icmp-net-prohibited", "net-prohib")),
    Some(("icmp-host-prohibited", "host-prohib")),
    Some(("tcp-reset", "tcp-rst")),
    Some(("icmp-admin-prohibited", "admin-prohib")),
];

/// `(name, alias)` by `IP6T_*` value.
const V6: &[Option<(&str, &str)>] = &[
    Some(("icmp6-no-route", "no-route")),
    Some(("icmp6-adm-prohibited", "adm-prohibited")),
    None,
    Some(("icmp6-addr-unreachable", "addr-unreach")),
    Some(("icmp6-port-unreachable", "port-unreach")),
    None,
    Some(("tcp-reset", "tcp-reset")),
    Some(("icmp6-policy-fail", "policy-fail")),
    Some(("icmp6-reject-route", "reject-route")),
];

/// The reply type.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Reject {
    /// `IPT_*`/`IP6T_*` value.
    pub with: u32,
}

fn table(f: Family) -> &'static [Option<(&'static str, &'static str)>] {
    match f {
        Family::V4 => V4,
        Family::V6 => V6,
    }
}

const OPTS: &[OptDef] = &[OptDef::arg("reject-with", 0, 0)];

impl Reject {
    fn name(&self, f: Family) -> String {
        table(f)
            .get(self.with as usize)
            .copied()
            .flatten()
            .map(|n| n.0.to_string())
            .unwrap_or_else(|| "(null)".into())
    }
}

impl XtExt for Reject {
    const NAME: &'static str = "REJECT";
    const REVISION: u32 = 0;
    const SIZE: usize = 8;
    const OPTIONS: &'static [OptDef] = OPTS;

    fn init(cx: &Ctx<'_>) -> Self {
        Reject {
            with: match cx.family {
                Family::V4 => 3,
                Family::V6 => 4,
            },
        }
    }

    fn parse(&mut self, c: &mut OptCall<'_>, cx: &Ctx<'_>) -> Result<()> {
        let a = c.arg();
        let pre = |n: &str| n.len() >= a.len() && n[..a.len()].eq_ignore_ascii_case(a);
        for (i, e) in table(cx.family).iter().enumerate() {
            if let Some((n, al)) = e {
                if pre(n) || pre(al) {
                    self.with = i as u32;
                    return Ok(());
                }
            }
        }
        if cx.family == Family::V4 && (pre("echo-reply") || pre("echoreply")) {
            crate::iptables::warn::warn("--reject-with echo-reply no longer supported");
        }
        Err(IptError::param(format!("unknown reject type \"{a}\"")))
    }

    fn to_info(&self, _: &Ctx<'_>) -> Vec<u8> {
        let mut b = Blob::new(Self::SIZE);
        b.u32(0, self.with);
        b.into_vec()
    }

    fn from_info(info: &[u8], rev: u32, cx: &Ctx<'_>) -> Option<Self> {
        if rev != 0 || info.len() != Self::SIZE || info[4..].iter().any(|&b| b != 0) {
            return None;
        }
        let with = Rd(info).u32(0)?;
        table(cx.family).get(with as usize).copied().flatten()?;
        Some(Reject { with })
    }

    fn save(&self, cx: &Ctx<'_>, out: &mut String) {
        let _ = write!(out, " --reject-with {}", self.name(cx.family));
    }

    fn print(&self, cx: &Ctx<'_>, _: bool, out: &mut String) {
        let _ = write!(out, " reject-with {}", self.name(cx.family));
    }

    fn xlate(&self, x: &mut Xlate, cx: &XlCtx) -> bool {
        const V4X: [&str; 9] = [
            "net-unreachable",
            "host-unreachable",
            "prot-unreachable",
            "port-unreachable",
            "echo-reply",
            "net-prohibited",
            "host-prohibited",
            "tcp reset",
            "admin-prohibited",
        ];
        const V6X: [&str; 9] = [
            "no-route",
            "admin-prohibited",
            "(null)",
            "addr-unreachable",
            "port-unreachable",
            "(null)",
            "tcp reset",
            "policy-fail",
            "reject-route",
        ];
        let (names, port, reset, kind) = match cx.family {
            Family::V4 => (&V4X, 3, 7, "icmp"),
            Family::V6 => (&V6X, 4, 6, "icmpv6"),
        };
        let name = names.get(self.with as usize).copied().unwrap_or("(null)");
        if self.with == port {
            x.add("reject");
        } else if self.with == reset {
            x.add(&format!("reject with {name}"));
        } else {
            x.add(&format!("reject with {kind} type {name}"));
        }
        true
    }
}
