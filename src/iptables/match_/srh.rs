//! `-m srh` (IPv6 Segment Routing Header; revision 1, `struct ip6t_srh1`,
//! 112 bytes): header fields compared for equality or order, and the
//! previous, next and last segment identifiers under a mask. Where the
//! kernel lacks revision 1, revision 0 (`struct ip6t_srh`: the header
//! fields only, no segment identifiers, 16 bytes), as libxtables.

use super::conntrack::parse_hostmask;
use crate::iptables::addr::{mask_to_cidr, v6_str};
use crate::iptables::error::Result;
use crate::iptables::ext::{Ctx, OptCall, OptDef, XtExt, F_INVERT};
use crate::iptables::family::Family;
use crate::iptables::text::parse_uint;
use crate::iptables::xtbuf::{Blob, Rd};
use std::fmt::Write as _;

/// Which header field an integer test reads.
#[derive(Clone, Copy)]
enum Field {
    NextHdr,
    HdrLen,
    SegsLeft,
    LastEntry,
    Tag,
}

/// The integer tests in option-id order: option name, `-L` label, field.
/// Option id `i` sets (and inverts) bit `1 << i` of the flag words.
const INT_TESTS: [(&str, &str, Field); 11] = [
    ("srh-next-hdr", "next-hdr", Field::NextHdr),
    ("srh-hdr-len-eq", "hdr-len-eq", Field::HdrLen),
    ("srh-hdr-len-gt", "hdr-len-gt", Field::HdrLen),
    ("srh-hdr-len-lt", "hdr-len-lt", Field::HdrLen),
    ("srh-segs-left-eq", "segs-left-eq", Field::SegsLeft),
    ("srh-segs-left-gt", "segs-left-gt", Field::SegsLeft),
    ("srh-segs-left-lt", "segs-left-lt", Field::SegsLeft),
    ("srh-last-entry-eq", "last-entry-eq", Field::LastEntry),
    ("srh-last-entry-gt", "last-entry-gt", Field::LastEntry),
    ("srh-last-entry-lt", "last-entry-lt", Field::LastEntry),
    ("srh-tag", "tag", Field::Tag),
];
/// Option id of `--srh-psid` (then nsid, lsid); also their flag bits.
const SID_BASE: u8 = 11;
const SID_NAMES: [&str; 3] = ["psid", "nsid", "lsid"];
/// Offsets in `struct ip6t_srh1`.
const SID_ADDR: usize = 8;
const SID_MASK: usize = SID_ADDR + 3 * 16;
const MT_FLAGS: usize = SID_MASK + 3 * 16;

/// `struct ip6t_srh1`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Srh {
    /// Next header.
    pub next_hdr: u8,
    /// Header extension length.
    pub hdr_len: u8,
    /// Segments left.
    pub segs_left: u8,
    /// Last entry.
    pub last_entry: u8,
    /// Tag.
    pub tag: u16,
    /// Previous, next and last SID addresses.
    pub sid_addr: [[u8; 16]; 3],
    /// Their masks.
    pub sid_mask: [[u8; 16]; 3],
    /// `IP6T_SRH_*` (bit `i` for option id `i`).
    pub mt_flags: u16,
    /// `IP6T_SRH_INV_*`.
    pub mt_invflags: u16,
    /// The revision written (0 or 1).
    pub rev: u32,
}

const OPTS: &[OptDef] = &[
    OptDef::arg("srh-next-hdr", 0, F_INVERT),
    OptDef::arg("srh-hdr-len-eq", 1, F_INVERT),
    OptDef::arg("srh-hdr-len-gt", 2, F_INVERT),
    OptDef::arg("srh-hdr-len-lt", 3, F_INVERT),
    OptDef::arg("srh-segs-left-eq", 4, F_INVERT),
    OptDef::arg("srh-segs-left-gt", 5, F_INVERT),
    OptDef::arg("srh-segs-left-lt", 6, F_INVERT),
    OptDef::arg("srh-last-entry-eq", 7, F_INVERT),
    OptDef::arg("srh-last-entry-gt", 8, F_INVERT),
    OptDef::arg("srh-last-entry-lt", 9, F_INVERT),
    OptDef::arg("srh-tag", 10, F_INVERT),
    OptDef::arg("srh-psid", 11, F_INVERT),
    OptDef::arg("srh-nsid", 12, F_INVERT),
    OptDef::arg("srh-lsid", 13, F_INVERT),
];

impl Srh {
    fn field(&self, f: Field) -> u16 {
        match f {
            Field::NextHdr => self.next_hdr as u16,
            Field::HdrLen => self.hdr_len as u16,
            Field::SegsLeft => self.segs_left as u16,
            Field::LastEntry => self.last_entry as u16,
            Field::Tag => self.tag,
        }
    }
    fn inverted(&self, bit: usize) -> bool {
        self.mt_invflags & (1 << bit) != 0
    }
    /// The SID tests that are set: index, address text, prefix length
    /// (`(unsigned)-1` for a non-contiguous mask, as printed by 1.8.11).
    fn sids(&self) -> impl Iterator<Item = (usize, String, u32)> + '_ {
        (0..3)
            .filter(|i| self.mt_flags & (1 << (SID_BASE as usize + i)) != 0)
            .map(|i| {
                let cidr = mask_to_cidr(Family::V6, &self.sid_mask[i]).unwrap_or(u32::MAX);
                (i, v6_str(&self.sid_addr[i]), cidr)
            })
    }
}

impl XtExt for Srh {
    const NAME: &'static str = "srh";
    const REVISION: u32 = 1;
    const SIZE: usize = 112;
    const OPTIONS: &'static [OptDef] = OPTS;

    fn init(_: &Ctx<'_>) -> Self {
        Srh {
            rev: 1,
            ..Srh::default()
        }
    }
    fn revisions(_: Family) -> &'static [u32] {
        &[1, 0]
    }
    crate::revision_in_field!();
    fn options_now(&self) -> &'static [OptDef] {
        if self.rev == 0 {
            &OPTS[..SID_BASE as usize]
        } else {
            OPTS
        }
    }

    fn parse(&mut self, c: &mut OptCall<'_>, cx: &Ctx<'_>) -> Result<()> {
        let id = c.def.id;
        let name = c.def.name;
        let arg = c.arg().to_string();
        if id >= SID_BASE {
            let i = (id - SID_BASE) as usize;
            let am = parse_hostmask(cx.family, "srh", name, &arg)?;
            self.sid_addr[i] = am.addr;
            self.sid_mask[i] = am.mask;
        } else {
            let (_, _, field) = INT_TESTS[id as usize];
            match field {
                Field::Tag => self.tag = parse_uint("srh", name, &arg, 0, u16::MAX as u64)? as u16,
                _ => {
                    let v = parse_uint("srh", name, &arg, 0, u8::MAX as u64)? as u8;
                    match field {
                        Field::NextHdr => self.next_hdr = v,
                        Field::HdrLen => self.hdr_len = v,
                        Field::SegsLeft => self.segs_left = v,
                        _ => self.last_entry = v,
                    }
                }
            }
        }
        self.mt_flags |= 1 << id;
        if c.invert {
            self.mt_invflags |= 1 << id;
        }
        Ok(())
    }

    fn to_info(&self, _: &Ctx<'_>) -> Vec<u8> {
        if self.rev == 0 {
            let mut b = Blob::new(16);
            b.u8(0, self.next_hdr)
                .u8(1, self.hdr_len)
                .u8(2, self.segs_left)
                .u8(3, self.last_entry)
                .u16(4, self.tag)
                .u16(6, self.mt_flags)
                .u16(8, self.mt_invflags);
            return b.into_vec();
        }
        let mut b = Blob::new(Self::SIZE);
        b.u8(0, self.next_hdr)
            .u8(1, self.hdr_len)
            .u8(2, self.segs_left)
            .u8(3, self.last_entry)
            .u16(4, self.tag);
        for i in 0..3 {
            b.bytes(SID_ADDR + 16 * i, &self.sid_addr[i])
                .bytes(SID_MASK + 16 * i, &self.sid_mask[i]);
        }
        b.u16(MT_FLAGS, self.mt_flags)
            .u16(MT_FLAGS + 2, self.mt_invflags);
        b.into_vec()
    }

    fn from_info(info: &[u8], rev: u32, cx: &Ctx<'_>) -> Option<Self> {
        let r = Rd(info);
        let x = match (rev, info.len()) {
            (0, 16) => Srh {
                next_hdr: r.u8(0)?,
                hdr_len: r.u8(1)?,
                segs_left: r.u8(2)?,
                last_entry: r.u8(3)?,
                tag: r.u16(4)?,
                // revision 0 has no identifiers to print
                mt_flags: r.u16(6)? & ((1 << SID_BASE) - 1),
                mt_invflags: r.u16(8)?,
                rev,
                ..Srh::default()
            },
            (1, Self::SIZE) => {
                let v6 = |off: usize| -> Option<[u8; 16]> { r.bytes(off, 16)?.try_into().ok() };
                Srh {
                    next_hdr: r.u8(0)?,
                    hdr_len: r.u8(1)?,
                    segs_left: r.u8(2)?,
                    last_entry: r.u8(3)?,
                    tag: r.u16(4)?,
                    sid_addr: [v6(SID_ADDR)?, v6(SID_ADDR + 16)?, v6(SID_ADDR + 32)?],
                    sid_mask: [v6(SID_MASK)?, v6(SID_MASK + 16)?, v6(SID_MASK + 32)?],
                    mt_flags: r.u16(MT_FLAGS)?,
                    mt_invflags: r.u16(MT_FLAGS + 2)?,
                    rev,
                }
            }
            _ => return None,
        };
        (x.to_info(cx) == info).then_some(x)
    }

    fn save(&self, _: &Ctx<'_>, out: &mut String) {
        for (bit, (opt, _, field)) in INT_TESTS.iter().enumerate() {
            if self.mt_flags & (1 << bit) != 0 {
                let inv = if self.inverted(bit) { " !" } else { "" };
                let _ = write!(out, "{inv} --{opt} {}", self.field(*field));
            }
        }
        for (i, addr, cidr) in self.sids() {
            let inv = if self.inverted(SID_BASE as usize + i) {
                " !"
            } else {
                ""
            };
            let _ = write!(out, "{inv} --srh-{} {addr}/{cidr}", SID_NAMES[i]);
        }
    }

    fn print(&self, _: &Ctx<'_>, _: bool, out: &mut String) {
        out.push_str(" srh");
        for (bit, (_, label, field)) in INT_TESTS.iter().enumerate() {
            if self.mt_flags & (1 << bit) != 0 {
                let inv = if self.inverted(bit) { "!" } else { "" };
                let _ = write!(out, " {label}:{inv}{}", self.field(*field));
            }
        }
        for (i, addr, cidr) in self.sids() {
            let inv = if self.inverted(SID_BASE as usize + i) {
                "!"
            } else {
                ""
            };
            // 1.8.11 leaves a space for the (empty) inversion mark.
            let _ = write!(out, " {} {inv} {addr}/{cidr}", SID_NAMES[i]);
        }
    }
}
