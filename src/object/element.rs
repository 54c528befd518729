//! Set elements (`NFTA_SET_ELEM_LIST_*` and `NFTA_SET_ELEM_*`).

use super::lists::ExprAttr;
use super::{impl_kind, Obj};
use crate::attr_struct;
use crate::data::Data;
use crate::expr::{ExprList, NFTA_LIST_ELEM};
use crate::nla::{AttrIter, Attribute, Writer};
use bytes::Bytes;

attr_struct! {
    /// One element, in the kernel's dump order.
    pub struct SetElem {
        /// `NFTA_SET_ELEM_KEY`
        1 => key: Data,
        /// `NFTA_SET_ELEM_KEY_END`
        10 => key_end: Data,
        /// `NFTA_SET_ELEM_DATA`
        2 => data: Data,
        /// `NFTA_SET_ELEM_EXPR`
        7 => expr: ExprAttr,
        /// `NFTA_SET_ELEM_EXPRESSIONS`
        11 => exprs: ExprList,
        /// `NFTA_SET_ELEM_OBJREF`
        9 => objref: String,
        /// `NFTA_SET_ELEM_FLAGS` (interval end 1, catch-all 2)
        3 => flags: u32,
        /// `NFTA_SET_ELEM_TIMEOUT` (ms)
        4 => timeout: u64,
        /// `NFTA_SET_ELEM_EXPIRATION` (ms; read-only)
        5 => expiration: u64,
        /// `NFTA_SET_ELEM_USERDATA`
        6 => userdata: Bytes,
    }
}

/// A list of elements; each item keeps the full type of its list attribute.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SetElemList(pub Vec<SetElem>);

impl Attribute for SetElemList {
    fn decode(p: &Bytes) -> Option<Self> {
        let mut it = AttrIter::new(p.clone());
        let mut v = Vec::new();
        for a in it.by_ref() {
            if a.ty != NFTA_LIST_ELEM {
                return None;
            }
            v.push(SetElem::parse(&a.payload)?);
        }
        (!it.malformed()).then_some(SetElemList(v))
    }
    fn encode(&self, w: &mut Writer) {
        for e in &self.0 {
            w.put(NFTA_LIST_ELEM, e);
        }
    }
}

attr_struct! {
    /// A `NEWSETELEM`/`GETSETELEM` message body.
    pub struct SetElemsAttrs {
        /// `NFTA_SET_ELEM_LIST_TABLE`
        1 => table: String,
        /// `NFTA_SET_ELEM_LIST_SET`
        2 => set: String,
        /// `NFTA_SET_ELEM_LIST_ELEMENTS`
        3 => elems: SetElemList,
        /// `NFTA_SET_ELEM_LIST_SET_ID`
        4 => set_id: u32,
    }
}

impl_kind!(SetElemsAttrs, NEWSETELEM, GETSETELEM, DELSETELEM);

/// A batch of elements of one set, with the family.
pub type SetElems = Obj<SetElemsAttrs>;

/// Dump the elements of one set, checked for a torn read.
///
/// The kernel resumes a multi-message element dump by skipping as many
/// elements as it already sent. A hash set the kernel is resizing in the
/// background (it grows after inserts, without changing the ruleset
/// generation) can change its walk order between two messages, so the dump
/// then repeats some elements and leaves out as many others. The walk
/// always yields as many positions as the set has elements, so a dump with
/// no element twice has them all; one with a repeat is read again (after a
/// short pause for the resize to finish), up to
/// [`DUMP_RETRIES`](crate::netlink::socket::DUMP_RETRIES) times, then
/// fails with [`crate::Error::GenerationChanged`].
pub fn dump_element_msgs(
    conn: &mut crate::netlink::Conn,
    family: u8,
    table: &str,
    set: &str,
) -> crate::Result<Vec<crate::netlink::NfMsg>> {
    let mut w = Writer::new();
    w.put(1, &table.to_string());
    w.put(2, &set.to_string());
    for attempt in 0..crate::netlink::socket::DUMP_RETRIES {
        if attempt > 0 {
            std::thread::sleep(std::time::Duration::from_millis(attempt as u64));
        }
        let msgs = conn.dump(crate::consts::msg::GETSETELEM, family, w.buf.clone())?;
        if !has_repeats(&msgs) {
            return Ok(msgs);
        }
    }
    Err(crate::Error::GenerationChanged)
}

/// [`dump_element_msgs`], decoded.
pub fn dump_elements(
    conn: &mut crate::netlink::Conn,
    family: u8,
    table: &str,
    set: &str,
) -> crate::Result<Vec<SetElems>> {
    let msgs = dump_element_msgs(conn, family, table, set)?;
    super::parse_msgs(msgs, crate::consts::msg::NEWSETELEM)
}

/// Whether some element (same key, key end and flags) appears twice in the
/// `NEWSETELEM` messages of a dump. Works on the raw attributes, without
/// decoding the elements.
pub fn has_repeats(msgs: &[crate::netlink::NfMsg]) -> bool {
    use crate::nla::{SliceIter, NLA_TYPE_MASK};
    let mut seen = std::collections::HashSet::new();
    let lists = msgs
        .iter()
        .filter(|m| m.msg() == crate::consts::msg::NEWSETELEM)
        .flat_map(|m| SliceIter::new(&m.body))
        .filter(|(ty, _)| ty & NLA_TYPE_MASK == 3);
    for (_, list) in lists {
        for (_, elem) in SliceIter::new(list) {
            // (key, key end, flags) as raw payloads.
            let mut id: [&[u8]; 3] = [&[], &[], &[]];
            for (ty, payload) in SliceIter::new(elem) {
                match ty & NLA_TYPE_MASK {
                    1 => id[0] = payload,
                    10 => id[1] = payload,
                    3 => id[2] = payload,
                    _ => {}
                }
            }
            if !seen.insert(id) {
                return true;
            }
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::netlink::NfMsg;
    use crate::object::Kind;

    /// A NEWSETELEM message with one element per (key, flags).
    fn msg(elems: &[(u32, Option<u32>)]) -> NfMsg {
        let list = SetElemList(
            elems
                .iter()
                .map(|&(k, flags)| SetElem {
                    key: Some(Data {
                        value: Some(Bytes::copy_from_slice(&k.to_be_bytes())),
                        ..Default::default()
                    }),
                    flags,
                    expiration: Some(u64::from(k)),
                    ..Default::default()
                })
                .collect(),
        );
        let attrs = SetElemsAttrs {
            table: Some("t".into()),
            set: Some("s".into()),
            elems: Some(list),
            ..Default::default()
        };
        let mut w = Writer::new();
        attrs.write_body(&mut w);
        NfMsg::nft(crate::consts::msg::NEWSETELEM, 0, 2, w.buf)
    }

    #[test]
    fn repeats_are_found_within_and_across_messages() {
        assert!(!has_repeats(&[]));
        assert!(!has_repeats(&[
            msg(&[(1, None), (2, None)]),
            msg(&[(3, None)])
        ]));
        assert!(has_repeats(&[msg(&[(1, None), (1, None)])]));
        assert!(has_repeats(&[
            msg(&[(1, None), (2, None)]),
            msg(&[(2, None)])
        ]));
        // The end of one interval may share its key with the start of the
        // next: different flags, not a repeat.
        assert!(!has_repeats(&[msg(&[(5, None), (5, Some(1))])]));
    }
}
