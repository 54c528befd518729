//! One nfnetlink message: the netlink header, the `nfgenmsg` header and the
//! attribute body (a zero-copy slice of the receive chunk).

use crate::nla::Writer;
use bytes::Bytes;

/// Size of `struct nlmsghdr`.
pub const NLMSG_HDRLEN: usize = 16;
/// Size of `struct nfgenmsg`.
pub const NFGENMSG_LEN: usize = 4;

/// A netfilter netlink message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NfMsg {
    /// Full netlink type: `(subsystem << 8) | msg`.
    pub ty: u16,
    /// `NLM_F_*` flags.
    pub flags: u16,
    /// Sequence number.
    pub seq: u32,
    /// Port id.
    pub pid: u32,
    /// `nfgen_family`.
    pub family: u8,
    /// `version` (NFNETLINK_V0 = 0).
    pub version: u8,
    /// `res_id` (big-endian on the wire; for dumps, the low 16 bits of the
    /// generation id).
    pub res_id: u16,
    /// Attribute stream.
    pub body: Bytes,
}

impl NfMsg {
    /// A request for nf_tables message `msg` with the given family and body.
    pub fn nft(msg: u16, flags: u16, family: u8, body: Vec<u8>) -> Self {
        NfMsg {
            ty: (crate::consts::NFNL_SUBSYS_NFTABLES << 8) | msg,
            flags,
            seq: 0,
            pid: 0,
            family,
            version: 0,
            res_id: 0,
            body: Bytes::from(body),
        }
    }

    /// The subsystem-local message number (low byte of the type).
    pub fn msg(&self) -> u16 {
        self.ty & 0xff
    }

    /// The nfnetlink subsystem (high byte of the type).
    pub fn subsys(&self) -> u16 {
        self.ty >> 8
    }

    /// Append the encoded message to `w`.
    pub fn write(&self, w: &mut Writer) {
        let len = (NLMSG_HDRLEN + NFGENMSG_LEN + self.body.len()) as u32;
        let b = &mut w.buf;
        b.extend_from_slice(&len.to_ne_bytes());
        b.extend_from_slice(&self.ty.to_ne_bytes());
        b.extend_from_slice(&self.flags.to_ne_bytes());
        b.extend_from_slice(&self.seq.to_ne_bytes());
        b.extend_from_slice(&self.pid.to_ne_bytes());
        b.push(self.family);
        b.push(self.version);
        b.extend_from_slice(&self.res_id.to_be_bytes());
        b.extend_from_slice(&self.body);
        w.pad();
    }

    /// Encode to a fresh vector.
    pub fn to_vec(&self) -> Vec<u8> {
        let mut w = Writer::with_capacity(NLMSG_HDRLEN + NFGENMSG_LEN + self.body.len());
        self.write(&mut w);
        w.buf
    }
}

/// A raw netlink message (any type, e.g. `NLMSG_ERROR`), as received.
#[derive(Clone, Debug)]
pub struct RawNlMsg {
    /// Type.
    pub ty: u16,
    /// Flags.
    pub flags: u16,
    /// Sequence number.
    pub seq: u32,
    /// Port id.
    pub pid: u32,
    /// Payload after the netlink header.
    pub payload: Bytes,
}

impl RawNlMsg {
    /// Interpret as an nfnetlink message (payload starts with `nfgenmsg`).
    pub fn to_nf(&self) -> Option<NfMsg> {
        if self.payload.len() < NFGENMSG_LEN {
            return None;
        }
        let p = &self.payload;
        Some(NfMsg {
            ty: self.ty,
            flags: self.flags,
            seq: self.seq,
            pid: self.pid,
            family: p[0],
            version: p[1],
            res_id: u16::from_be_bytes([p[2], p[3]]),
            body: self.payload.slice(NFGENMSG_LEN..),
        })
    }
}

/// Split a receive buffer into netlink messages. Malformed framing ends the
/// iteration and is reported as `Err` with a description.
pub fn split(buf: &Bytes) -> Result<Vec<RawNlMsg>, String> {
    let mut out = Vec::new();
    let mut pos = 0usize;
    while pos + NLMSG_HDRLEN <= buf.len() {
        let h = &buf[pos..];
        let len = u32::from_ne_bytes([h[0], h[1], h[2], h[3]]) as usize;
        if len < NLMSG_HDRLEN || pos + len > buf.len() {
            return Err(format!("bad netlink length {len} at offset {pos}"));
        }
        out.push(RawNlMsg {
            ty: u16::from_ne_bytes([h[4], h[5]]),
            flags: u16::from_ne_bytes([h[6], h[7]]),
            seq: u32::from_ne_bytes([h[8], h[9], h[10], h[11]]),
            pid: u32::from_ne_bytes([h[12], h[13], h[14], h[15]]),
            payload: buf.slice(pos + NLMSG_HDRLEN..pos + len),
        });
        pos += crate::nla::align(len);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn write_then_split() {
        let mut m = NfMsg::nft(
            crate::consts::msg::GETGEN,
            1,
            2,
            vec![8, 0, 1, 0, 1, 2, 3, 4],
        );
        m.seq = 7;
        m.res_id = 0x1234;
        let b = Bytes::from(m.to_vec());
        let v = split(&b).unwrap();
        assert_eq!(v.len(), 1);
        let back = v[0].to_nf().unwrap();
        assert_eq!(back, m);
        assert!(split(&Bytes::from_static(&[
            200, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0
        ]))
        .is_err());
    }
}
