//! The target extensions arptables-nft 1.8.11 offers (`mangle`, and the
//! ARP flavours of `MARK` and `CLASSIFY`), as xt target blobs.

use crate::iptables::addr::{to_anyname, v4_str};
use crate::iptables::{Family, IptError, Result};

/// `ARPT_MANGLE_SDEV` ... `ARPT_MANGLE_TIP`.
pub mod mangle_flags {
    /// `--mangle-mac-s`.
    pub const SDEV: u8 = 0x01;
    /// `--mangle-mac-d`.
    pub const TDEV: u8 = 0x02;
    /// `--mangle-ip-s`.
    pub const SIP: u8 = 0x04;
    /// `--mangle-ip-d`.
    pub const TIP: u8 = 0x08;
}

/// `struct arpt_mangle`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Mangle {
    /// Source hardware address.
    pub src_mac: [u8; 6],
    /// Target hardware address.
    pub dst_mac: [u8; 6],
    /// Source IP.
    pub src_ip: [u8; 4],
    /// Target IP.
    pub dst_ip: [u8; 4],
    /// `ARPT_MANGLE_*` bits.
    pub flags: u8,
    /// Verdict after mangling (`NF_ACCEPT` 1, `NF_DROP` 0, `XT_CONTINUE`).
    pub verdict: i32,
}

/// `XT_CONTINUE`.
const XT_CONTINUE: i32 = -1;

/// A target extension of an arptables rule.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ArpTarget {
    /// `-j mangle`.
    Mangle(Mangle),
    /// `-j MARK` (`xt_mark_tginfo2`, revision 2).
    Mark {
        /// Value.
        mark: u32,
        /// Mask.
        mask: u32,
    },
    /// `-j CLASSIFY` (`skb->priority`).
    Classify(u32),
}

/// The option names of a target, for the command line.
pub fn options(name: &str) -> &'static [&'static str] {
    match name {
        "mangle" => &[
            "mangle-ip-s",
            "mangle-ip-d",
            "mangle-mac-s",
            "mangle-mac-d",
            "mangle-target",
        ],
        "MARK" => &["set-mark", "and-mark", "or-mark"],
        "CLASSIFY" => &["set-class"],
        _ => &[],
    }
}

fn mac_str(m: &[u8]) -> String {
    m.iter()
        .map(|b| format!("{b:02x}"))
        .collect::<Vec<_>>()
        .join(":")
}

/// `ether_aton`: six hex bytes separated by colons.
pub fn parse_mac(s: &str) -> Option<[u8; 6]> {
    let mut out = [0u8; 6];
    let parts: Vec<&str> = s.split(':').collect();
    if parts.len() != 6 {
        return None;
    }
    for (o, p) in out.iter_mut().zip(parts) {
        if p.is_empty() || p.len() > 2 {
            return None;
        }
        *o = u8::from_str_radix(p, 16).ok()?;
    }
    Some(out)
}

impl ArpTarget {
    /// The target called `name` with its defaults (`init`), if it exists.
    pub fn load(name: &str) -> Option<ArpTarget> {
        Some(match name {
            "mangle" => ArpTarget::Mangle(Mangle {
                verdict: 1,
                ..Default::default()
            }),
            "MARK" => ArpTarget::Mark { mark: 0, mask: 0 },
            "CLASSIFY" => ArpTarget::Classify(0),
            _ => return None,
        })
    }

    /// The name after `-j`.
    pub fn name(&self) -> &'static str {
        match self {
            ArpTarget::Mangle(_) => "mangle",
            ArpTarget::Mark { .. } => "MARK",
            ArpTarget::Classify(_) => "CLASSIFY",
        }
    }

    /// The revision written.
    pub fn revision(&self) -> u32 {
        match self {
            ArpTarget::Mark { .. } => 2,
            _ => 0,
        }
    }

    /// The xt info blob (x86_64 layout, `XT_ALIGN`ed).
    pub fn to_info(&self) -> Vec<u8> {
        match self {
            ArpTarget::Mangle(m) => {
                let mut b = vec![0u8; 48];
                b[0..6].copy_from_slice(&m.src_mac);
                b[16..22].copy_from_slice(&m.dst_mac);
                b[32..36].copy_from_slice(&m.src_ip);
                b[36..40].copy_from_slice(&m.dst_ip);
                b[40] = m.flags;
                b[44..48].copy_from_slice(&m.verdict.to_ne_bytes());
                b
            }
            ArpTarget::Mark { mark, mask } => {
                let mut b = mark.to_ne_bytes().to_vec();
                b.extend_from_slice(&mask.to_ne_bytes());
                b
            }
            ArpTarget::Classify(p) => {
                let mut b = p.to_ne_bytes().to_vec();
                b.extend_from_slice(&[0; 4]);
                b
            }
        }
    }

    /// The target an xt blob holds (None: not one of arptables').
    pub fn from_info(name: &str, rev: u32, info: &[u8]) -> Option<ArpTarget> {
        let u32_at = |o: usize| -> Option<u32> {
            Some(u32::from_ne_bytes(info.get(o..o + 4)?.try_into().ok()?))
        };
        let t = match (name, rev, info.len()) {
            ("mangle", 0, 48) => {
                let mut m = Mangle::default();
                m.src_mac.copy_from_slice(&info[0..6]);
                m.dst_mac.copy_from_slice(&info[16..22]);
                m.src_ip.copy_from_slice(&info[32..36]);
                m.dst_ip.copy_from_slice(&info[36..40]);
                m.flags = info[40];
                m.verdict = u32_at(44)? as i32;
                ArpTarget::Mangle(m)
            }
            ("MARK", 2, 8) => ArpTarget::Mark {
                mark: u32_at(0)?,
                mask: u32_at(4)?,
            },
            ("CLASSIFY", 0, 8) => ArpTarget::Classify(u32_at(0)?),
            _ => return None,
        };
        // Anything the model would write differently is not its own.
        (t.to_info() == info).then_some(t)
    }

    /// Parse one option (`hlen` is the rule's `--h-length` value, mask and
    /// inversion, which the MAC options check).
    pub fn parse(&mut self, opt: &str, arg: &str, hlen: (u8, u8, bool)) -> Result<()> {
        let bad = |what: &str| {
            IptError::param(format!(
                "{}: Bad value for \"{opt}\" option: \"{arg}\"",
                what
            ))
        };
        match self {
            ArpTarget::Mangle(m) => {
                let ip = || -> Result<[u8; 4]> {
                    let v = crate::iptables::addr::parse_multiple(Family::V4, arg)?;
                    let mut o = [0u8; 4];
                    o.copy_from_slice(&v[0].addr[..4]);
                    Ok(o)
                };
                let hopts = || -> Result<()> {
                    if hlen.1 == 0 {
                        return Err(IptError::param("no --h-length defined"));
                    }
                    if hlen.2 {
                        return Err(IptError::param(format!("! hln not allowed for --{opt}")));
                    }
                    if hlen.0 != 6 {
                        return Err(IptError::param("only --h-length 6 supported"));
                    }
                    Ok(())
                };
                match opt {
                    "mangle-ip-s" => {
                        m.src_ip = ip()?;
                        m.flags |= mangle_flags::SIP;
                    }
                    "mangle-ip-d" => {
                        m.dst_ip = ip()?;
                        m.flags |= mangle_flags::TIP;
                    }
                    "mangle-mac-s" | "mangle-mac-d" => {
                        let mac = parse_mac(arg).ok_or_else(|| bad("mangle"))?;
                        hopts()?;
                        if opt == "mangle-mac-s" {
                            // 1.8.11 falls through to the destination case.
                            m.flags |= mangle_flags::SDEV;
                            m.src_mac = mac;
                        } else {
                            m.flags |= mangle_flags::TDEV;
                        }
                        m.dst_mac = mac;
                    }
                    _ => {
                        m.verdict = match arg {
                            "DROP" => 0,
                            "ACCEPT" => 1,
                            "CONTINUE" => XT_CONTINUE,
                            _ => return Err(IptError::param("bad target for --mangle-target")),
                        }
                    }
                }
            }
            ArpTarget::Mark { mark, mask } => {
                let (v, n) = crate::iptables::num::c_strtoul(arg, 16);
                if n == 0 || n != arg.len() || v > u32::MAX as u64 {
                    return Err(IptError::param(format!(
                        "MARK: bad value for option \"--{opt}\", or out of range (0-4294967295).\n"
                    )));
                }
                let v = v as u32;
                match opt {
                    "set-mark" => (*mark, *mask) = (v, u32::MAX),
                    "and-mark" => (*mark, *mask) = (0, !v),
                    _ => (*mark, *mask) = (v, v),
                }
            }
            ArpTarget::Classify(p) => {
                let (a, b) = arg
                    .split_once(':')
                    .ok_or_else(|| IptError::param(format!("Bad class value \"{arg}\"")))?;
                let hex = |s: &str| {
                    let (v, n) = crate::iptables::num::c_strtoul(s, 16);
                    (n > 0).then_some(v as u32)
                };
                match (hex(a), hex(b)) {
                    (Some(x), Some(y)) => *p = (x << 16) | (y & 0xffff),
                    _ => return Err(IptError::param(format!("Bad class value \"{arg}\""))),
                }
            }
        }
        Ok(())
    }

    /// The final check (`x6_fcheck`, mandatory options); `seen` counts the
    /// options given.
    pub fn check(&self, seen: usize) -> Result<()> {
        match self {
            ArpTarget::Mark { .. } if seen == 0 => Err(IptError::param(
                "MARK: One of the --set-xmark, --{and,or,xor,set}-mark options is required",
            )),
            ArpTarget::Classify(_) if seen == 0 => Err(IptError::param(
                "CLASSIFY: option \"--set-class\" must be specified\n",
            )),
            _ => Ok(()),
        }
    }

    /// The target's options as `-L` (`numeric` false: names from
    /// `/etc/hosts`) or save (`numeric` true for everything but mangle's
    /// addresses, which save resolves too) print them.
    pub fn write(&self, numeric: bool, out: &mut String) {
        match self {
            ArpTarget::Mangle(m) => {
                let ip = |b: &[u8]| {
                    if numeric {
                        v4_str(b)
                    } else {
                        to_anyname(Family::V4, b)
                    }
                };
                if m.flags & mangle_flags::SIP != 0 {
                    out.push_str(&format!(" --mangle-ip-s {}", ip(&m.src_ip)));
                }
                if m.flags & mangle_flags::SDEV != 0 {
                    out.push_str(&format!(" --mangle-mac-s {}", mac_str(&m.src_mac)));
                }
                if m.flags & mangle_flags::TIP != 0 {
                    out.push_str(&format!(" --mangle-ip-d {}", ip(&m.dst_ip)));
                }
                if m.flags & mangle_flags::TDEV != 0 {
                    out.push_str(&format!(" --mangle-mac-d {}", mac_str(&m.dst_mac)));
                }
                if m.verdict != 1 {
                    let v = if m.verdict == 0 { "DROP" } else { "CONTINUE" };
                    out.push_str(&format!(" --mangle-target {v}"));
                }
            }
            ArpTarget::Mark { mark, mask } => {
                if *mark == 0 {
                    out.push_str(&format!(" --and-mark {:x}", !mask));
                } else if mark == mask {
                    out.push_str(&format!(" --or-mark {mark:x}"));
                } else {
                    out.push_str(&format!(" --set-mark {mark:x}"));
                }
            }
            ArpTarget::Classify(p) => {
                out.push_str(&format!(" --set-class {:x}:{:x}", p >> 16, p & 0xffff));
            }
        }
    }
}

/// Hardware address text (`xtables_print_mac`).
pub fn mac_text(m: &[u8]) -> String {
    mac_str(m)
}
