//! Set `typeof` keys: nft stores the expression a set was declared with in
//! the set userdata (`NFTNL_UDATA_SET_KEY_TYPEOF`/`DATA_TYPEOF`); this
//! rebuilds it (each expression kind's `parse_udata`).

use super::dtype::{concat_add, padded_len, Bo, Dt};
use super::expr::{Expr, Kind};
use super::keys;
use super::payload;
use super::proto::ProtoId;
use super::udata::{tlvs, u32_of, Tlv};

/// `EXPR_*` ids used in the userdata.
mod etype {
    pub const VERDICT: u32 = 1;
    pub const PAYLOAD: u32 = 7;
    pub const EXTHDR: u32 = 8;
    pub const META: u32 = 9;
    pub const SOCKET: u32 = 10;
    pub const OSF: u32 = 11;
    pub const CT: u32 = 12;
    pub const CONCAT: u32 = 13;
    pub const NUMGEN: u32 = 23;
    pub const HASH: u32 = 24;
    pub const RT: u32 = 25;
    pub const FIB: u32 = 26;
    pub const XFRM: u32 = 27;
}

/// Collect u32 TLVs of types `< n` (a TLV of the right type with the wrong
/// length makes the whole parse fail, as in nft).
fn u32s(b: &[u8], n: usize) -> Option<Vec<Option<u32>>> {
    let mut v = vec![None; n];
    for t in tlvs(b) {
        let i = t.ty as usize;
        if i < n {
            v[i] = Some(u32_of(&t)?);
        }
    }
    Some(v)
}

/// `set_make_key`: the expression in a `*_TYPEOF` TLV.
pub fn make_key(val: &[u8]) -> Option<Expr> {
    let mut ety = None;
    let mut data: Option<Tlv<'_>> = None;
    for t in tlvs(val) {
        match t.ty {
            0 => ety = Some(u32_of(&t)?),
            1 => data = Some(t),
            _ => {}
        }
    }
    parse(ety?, data?.val)
}

fn parse(ety: u32, d: &[u8]) -> Option<Expr> {
    match ety {
        etype::PAYLOAD => parse_payload(d),
        etype::META => {
            let v = u32s(d, 1)?;
            keys::meta_expr(v[0]?)
        }
        etype::CT => {
            let v = u32s(d, 2)?;
            keys::ct_expr(v[0]?, v[1]? as i32 as i8)
        }
        etype::RT => {
            let v = u32s(d, 1)?;
            let key = v[0]?;
            let (_, dt, bo, len) = keys::rt_tmpl(key)?;
            Some(Expr::new(Kind::Rt { key }, dt, bo, len))
        }
        etype::SOCKET => {
            let v = u32s(d, 1)?;
            let key = v[0]?;
            let (_, dt, bo, len) = keys::socket_tmpl(key)?;
            Some(Expr::new(Kind::Socket { key, level: 0 }, dt, bo, len))
        }
        etype::FIB => {
            let v = u32s(d, 2)?;
            keys::fib_expr(v[1]?, v[0]?)
        }
        etype::OSF => Some(Expr::new(
            Kind::Osf { ttl: 0, flags: 0 },
            Dt::String,
            Bo::Host,
            16 * 8,
        )),
        etype::NUMGEN => {
            let v = u32s(d, 3)?;
            Some(Expr::new(
                Kind::Numgen {
                    ty: v[0]?,
                    modulus: v[1]?,
                    offset: v[2]?,
                },
                Dt::Integer,
                Bo::Host,
                32,
            ))
        }
        etype::HASH => {
            let v = u32s(d, 5)?;
            Some(Expr::new(
                Kind::Hash {
                    ty: v[0]?,
                    offset: v[1]?,
                    modulus: v[2]?,
                    seed: if v[4]? != 0 { Some(v[3]?) } else { None },
                    expr: None,
                },
                Dt::Integer,
                Bo::Host,
                32,
            ))
        }
        etype::XFRM => {
            let v = u32s(d, 3)?;
            let key = v[0]?;
            let (_, dt, bo, len) = keys::xfrm_tmpl(key)?;
            Some(Expr::new(
                Kind::Xfrm {
                    key,
                    spnum: v[1]?,
                    dir: v[2]? as u8,
                },
                dt,
                bo,
                len,
            ))
        }
        etype::EXTHDR => super::exthdr::parse_udata(d),
        etype::CONCAT => parse_concat(d),
        etype::VERDICT => Some(Expr::new(
            Kind::Symbol("verdict".into()),
            Dt::Verdict,
            Bo::Invalid,
            128,
        )),
        _ => None,
    }
}

fn parse_payload(d: &[u8]) -> Option<Expr> {
    let v = u32s(d, 5)?;
    let desc_id = v[0]?;
    let ty = v[1]? as usize;
    let len = v[4].unwrap_or(0);
    match ProtoId::from_id(desc_id) {
        Some(desc) => {
            if ty >= desc.ntmpl() {
                return None;
            }
            let mut e = payload::alloc(desc, ty);
            if len != 0 {
                e.len = len;
            }
            Some(e)
        }
        None => {
            let base = v[2]?;
            let offset = v[3]?;
            let mut e = Expr::new(
                Kind::Payload(super::expr::Payload {
                    base: base as u8,
                    offset,
                    desc: None,
                    tmpl: None,
                    is_raw: true,
                }),
                Dt::XInteger,
                Bo::Big,
                len,
            );
            e.len = len;
            Some(e)
        }
    }
}

fn parse_concat(d: &[u8]) -> Option<Expr> {
    let mut nests: [Option<&[u8]>; 4] = [None; 4];
    for t in tlvs(d) {
        if t.ty as usize >= 4 || t.val.len() <= 4 {
            return None;
        }
        nests[t.ty as usize] = Some(t.val);
    }
    let mut parts = Vec::new();
    let mut dt = 0u32;
    let mut len = 0u32;
    for n in nests.iter() {
        let Some(n) = n else { break };
        let mut sub_ty = None;
        let mut sub_data = None;
        for t in tlvs(n) {
            match t.ty {
                0 => {
                    if t.val.len() != 4 {
                        return None;
                    }
                    sub_ty = u32_of(&t);
                }
                1 => {
                    if t.val.len() <= 4 {
                        return None;
                    }
                    sub_data = Some(t.val);
                }
                _ => {}
            }
        }
        let e = parse(sub_ty?, sub_data?)?;
        dt = concat_add(dt, e.dt.id());
        len += padded_len(e.len);
        parts.push(e);
    }
    super::dtype::concat_subtypes(dt)?;
    Some(Expr::new(
        Kind::Concat(parts),
        Dt::Concat(dt),
        Bo::Invalid,
        len,
    ))
}
