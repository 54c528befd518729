//! `-j SNPT` and `-j DNPT` (IPv6 network prefix translation; revision 0,
//! `struct ip6t_npt_tginfo`, 40 bytes; the kernel's checksum adjustment
//! after the first 34 is not compared).

use crate::iptables::addr::v6_str;
use crate::iptables::error::Result;
use crate::iptables::ext::{decode_exact, Ctx, OptCall, OptDef, XtExt, F_MAND};
use crate::iptables::match_::conntrack::parse_hostmask;
use crate::iptables::xtbuf::Blob;
use std::fmt::Write as _;

/// `struct ip6t_npt_tginfo`; `DST` selects `-j DNPT` over `-j SNPT`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Npt<const DST: bool> {
    /// Source prefix.
    pub src_pfx: [u8; 16],
    /// Destination prefix.
    pub dst_pfx: [u8; 16],
    /// Source prefix length.
    pub src_pfx_len: u8,
    /// Destination prefix length.
    pub dst_pfx_len: u8,
}

/// `-j SNPT`.
pub type Snpt = Npt<false>;
/// `-j DNPT`.
pub type Dnpt = Npt<true>;

// iptables numbers these options 1 and 2 (bit values used as ids).
const OPTS: &[OptDef] = &[
    OptDef::arg("src-pfx", 1, F_MAND),
    OptDef::arg("dst-pfx", 2, F_MAND),
];

impl<const DST: bool> XtExt for Npt<DST> {
    const NAME: &'static str = if DST { "DNPT" } else { "SNPT" };
    const REVISION: u32 = 0;
    const SIZE: usize = 40;
    const USERSPACE: usize = 34;
    const OPTIONS: &'static [OptDef] = OPTS;

    fn init(_: &Ctx<'_>) -> Self {
        Npt::default()
    }
    fn parse(&mut self, c: &mut OptCall<'_>, cx: &Ctx<'_>) -> Result<()> {
        let am = parse_hostmask(cx.family, Self::NAME, c.def.name, c.arg())?;
        let len = am.mask.iter().map(|b| b.count_ones()).sum::<u32>() as u8;
        if c.def.id == 1 {
            (self.src_pfx, self.src_pfx_len) = (am.addr, len);
        } else {
            (self.dst_pfx, self.dst_pfx_len) = (am.addr, len);
        }
        Ok(())
    }
    fn to_info(&self, _: &Ctx<'_>) -> Vec<u8> {
        let mut b = Blob::new(Self::SIZE);
        b.bytes(0, &self.src_pfx)
            .bytes(16, &self.dst_pfx)
            .u8(32, self.src_pfx_len)
            .u8(33, self.dst_pfx_len);
        b.into_vec()
    }
    fn from_info(info: &[u8], rev: u32, cx: &Ctx<'_>) -> Option<Self> {
        decode_exact(info, rev, cx, |r| {
            Some(Npt {
                src_pfx: r.bytes(0, 16)?.try_into().ok()?,
                dst_pfx: r.bytes(16, 16)?.try_into().ok()?,
                src_pfx_len: r.u8(32)?,
                dst_pfx_len: r.u8(33)?,
            })
        })
    }
    fn save(&self, _: &Ctx<'_>, out: &mut String) {
        if self.src_pfx != [0; 16] || self.src_pfx_len != 0 {
            let _ = write!(
                out,
                " --src-pfx {}/{}",
                v6_str(&self.src_pfx),
                self.src_pfx_len
            );
        }
        if self.dst_pfx != [0; 16] || self.dst_pfx_len != 0 {
            let _ = write!(
                out,
                " --dst-pfx {}/{}",
                v6_str(&self.dst_pfx),
                self.dst_pfx_len
            );
        }
    }
    fn print(&self, _: &Ctx<'_>, _: bool, out: &mut String) {
        let _ = write!(
            out,
            " {} src-pfx {}/{} dst-pfx {}/{}",
            Self::NAME,
            v6_str(&self.src_pfx),
            self.src_pfx_len,
            v6_str(&self.dst_pfx),
            self.dst_pfx_len
        );
    }
}
