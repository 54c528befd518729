//! Stateful objects (`NFTA_OBJ_DATA` per type) decoded for printing.

use crate::nla::{AttrIter, Attribute};
use crate::object::Object;
use bytes::Bytes;

/// The decoded object data.
#[derive(Clone, Debug, PartialEq)]
#[allow(missing_docs)]
pub enum ObjData {
    Counter {
        packets: u64,
        bytes: u64,
    },
    Quota {
        bytes: u64,
        used: u64,
        flags: u32,
    },
    Secmark {
        ctx: String,
    },
    CtHelper {
        name: String,
        l3proto: u16,
        l4proto: u8,
    },
    CtTimeout {
        l3proto: u16,
        l4proto: u8,
        timeout: Vec<u32>,
    },
    Limit {
        rate: u64,
        unit: u64,
        burst: u32,
        ty: u32,
        flags: u32,
    },
    CtExpect {
        l3proto: u16,
        l4proto: u8,
        dport: u16,
        timeout: u32,
        size: u8,
    },
    Synproxy {
        mss: u16,
        wscale: u8,
        flags: u32,
    },
    /// A type nft does not know.
    Unknown(u32),
}

fn attrs(b: &Bytes) -> Vec<(u16, Bytes)> {
    AttrIter::new(b.clone())
        .map(|a| (a.kind(), a.payload))
        .collect()
}

fn get(a: &[(u16, Bytes)], k: u16) -> Option<&Bytes> {
    a.iter().find(|(n, _)| *n == k).map(|(_, p)| p)
}

fn u64z(a: &[(u16, Bytes)], k: u16) -> u64 {
    get(a, k).and_then(u64::decode).unwrap_or(0)
}
fn u32z(a: &[(u16, Bytes)], k: u16) -> u32 {
    get(a, k).and_then(u32::decode).unwrap_or(0)
}
fn u16z(a: &[(u16, Bytes)], k: u16) -> u16 {
    get(a, k).and_then(u16::decode).unwrap_or(0)
}
fn u8z(a: &[(u16, Bytes)], k: u16) -> u8 {
    get(a, k).and_then(u8::decode).unwrap_or(0)
}
fn strz(a: &[(u16, Bytes)], k: u16) -> String {
    match get(a, k) {
        Some(p) => {
            let end = p.iter().position(|&c| c == 0).unwrap_or(p.len());
            String::from_utf8_lossy(&p[..end]).into_owned()
        }
        None => String::new(),
    }
}

/// Decode an object's data.
pub fn decode(o: &Object) -> ObjData {
    let ty = o.attrs.obj_type.map(|t| t.value()).unwrap_or(0);
    let empty = Bytes::new();
    let a = attrs(o.attrs.data.as_ref().unwrap_or(&empty));
    match ty {
        1 => ObjData::Counter {
            bytes: u64z(&a, 1),
            packets: u64z(&a, 2),
        },
        2 => ObjData::Quota {
            bytes: u64z(&a, 1),
            flags: u32z(&a, 2),
            used: u64z(&a, 4),
        },
        3 => ObjData::CtHelper {
            name: strz(&a, 1),
            l3proto: u16z(&a, 2),
            l4proto: u8z(&a, 3),
        },
        4 => ObjData::Limit {
            rate: u64z(&a, 1),
            unit: u64z(&a, 2),
            burst: u32z(&a, 3),
            ty: u32z(&a, 4),
            flags: u32z(&a, 5),
        },
        7 => {
            let mut timeout = vec![0u32; 16];
            if let Some(d) = get(&a, 3) {
                for (k, v) in attrs(d) {
                    let i = k as usize;
                    if i >= 1 && i <= timeout.len() {
                        timeout[i - 1] = u32::decode(&v).unwrap_or(0);
                    }
                }
            }
            ObjData::CtTimeout {
                l3proto: u16z(&a, 1),
                l4proto: u8z(&a, 2),
                timeout,
            }
        }
        8 => ObjData::Secmark { ctx: strz(&a, 1) },
        9 => ObjData::CtExpect {
            l3proto: u16z(&a, 1),
            l4proto: u8z(&a, 2),
            dport: u16z(&a, 3),
            timeout: get(&a, 4)
                .and_then(|p| <[u8; 4]>::try_from(p.as_ref()).ok())
                .map(u32::from_ne_bytes)
                .unwrap_or(0),
            size: u8z(&a, 5),
        },
        10 => ObjData::Synproxy {
            mss: u16z(&a, 1),
            wscale: u8z(&a, 2),
            flags: u32z(&a, 3),
        },
        t => ObjData::Unknown(t),
    }
}

/// Names and default timeouts of the ct timeout states of a protocol.
pub fn timeout_states(l4: u8) -> &'static [(&'static str, u32)] {
    match l4 {
        6 => &[
            ("syn_sent", 120),
            ("syn_recv", 60),
            ("established", 432000),
            ("fin_wait", 120),
            ("close_wait", 60),
            ("last_ack", 30),
            ("time_wait", 120),
            ("close", 10),
            ("syn_sent2", 120),
            ("retrans", 300),
            ("unack", 300),
        ],
        17 => &[("unreplied", 30), ("replied", 120)],
        _ => &[],
    }
}
