//! Asking the kernel whether it has an xt extension revision
//! (`NFNL_SUBSYS_NFT_COMPAT` / `NFNL_MSG_COMPAT_GET`), the question
//! libxtables asks before it uses a revision of a match or target.

use super::family::Family;
use crate::consts::NFNL_SUBSYS_NFT_COMPAT;
use crate::netlink::message::NfMsg;
use crate::netlink::Conn;
use crate::nla::Writer;

/// `NFNL_MSG_COMPAT_GET`.
const COMPAT_GET: u16 = 0;
/// `NFTA_COMPAT_NAME` (NUL-terminated string).
const NFTA_COMPAT_NAME: u16 = 1;
/// `NFTA_COMPAT_REV` (big-endian u32).
const NFTA_COMPAT_REV: u16 = 2;
/// `NFTA_COMPAT_TYPE` (big-endian u32: 0 match, 1 target).
const NFTA_COMPAT_TYPE: u16 = 3;

/// Whether the kernel has revision `rev` of the match (or, with `target`,
/// the target) `name` for `family`. `Ok(())` means it has; the kernel's
/// error (e.g. `ENOENT`, `EPROTONOSUPPORT`, `EPERM`) otherwise.
pub fn probe(
    conn: &mut Conn,
    family: Family,
    name: &str,
    rev: u32,
    target: bool,
) -> crate::Result<()> {
    let mut w = Writer::new();
    let mut z = name.as_bytes().to_vec();
    z.push(0);
    w.put_raw(NFTA_COMPAT_NAME, &z);
    w.put_raw(NFTA_COMPAT_REV, &rev.to_be_bytes());
    w.put_raw(NFTA_COMPAT_TYPE, &u32::from(target).to_be_bytes());
    let mut m = NfMsg::nft(0, 0, family.nfproto(), w.buf);
    m.ty = (NFNL_SUBSYS_NFT_COMPAT << 8) | COMPAT_GET;
    conn.request(m).map(|_| ())
}
