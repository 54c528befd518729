//! Set elements (`NFTA_SET_ELEM_LIST_*` and `NFTA_SET_ELEM_*`).

use super::lists::ExprAttr;
use super::{impl_kind, Obj};
use crate::attr_struct;
use crate::data::Data;
use crate::expr::{ExprList, NFTA_LIST_ELEM};
use crate::nla::{AttrIter, Attribute, SliceIter, Writer, NLA_TYPE_MASK};
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

/// How often an element dump torn by a concurrent change of the set is read
/// again before the last read is used as it is (without its repeats).
pub const ELEMENT_READS: usize = 8;

/// Dump the elements of one set, checked for a torn read.
///
/// The kernel resumes a multi-message element dump by skipping as many
/// elements as it already sent. A hash set the kernel is resizing in the
/// background (it grows after inserts, without changing the ruleset
/// generation) can change its walk order between two messages, so the dump
/// then repeats some elements and leaves out as many others. The walk
/// always yields as many positions as the set has elements, so a dump with
/// no element twice has them all; one with a repeat is read again, after a
/// short pause for the resize to finish.
///
/// A set that the packet path keeps changing (a dynamic set that rules add
/// to) may never read the same twice; after [`ELEMENT_READS`] reads the
/// last one is used with its repeats left out, which is as good as any
/// read of a set that changes while it is read.
pub fn dump_element_msgs(
    conn: &mut crate::netlink::Conn,
    family: u8,
    table: &str,
    set: &str,
) -> crate::Result<Vec<crate::netlink::NfMsg>> {
    let mut w = Writer::new();
    w.put(1, &table.to_string());
    w.put(2, &set.to_string());
    let mut attempt = 0;
    loop {
        let msgs = conn.dump(crate::consts::msg::GETSETELEM, family, w.buf.clone())?;
        if !has_repeats(&msgs) {
            return Ok(msgs);
        }
        attempt += 1;
        if attempt == ELEMENT_READS {
            return Ok(drop_repeats(&msgs));
        }
        // 1, 2, 4, ... 64 ms: 127 ms in all for the resize to finish.
        std::thread::sleep(std::time::Duration::from_millis(1 << (attempt - 1)));
    }
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

/// The attributes that make an element unique in its set, as raw payloads:
/// key, key end and flags (an interval's end may share its key with the
/// next interval's start).
fn element_id(elem: &[u8]) -> [&[u8]; 3] {
    let mut id: [&[u8]; 3] = [&[], &[], &[]];
    for (ty, payload) in SliceIter::new(elem) {
        match ty & NLA_TYPE_MASK {
            1 => id[0] = payload,
            10 => id[1] = payload,
            3 => id[2] = payload,
            _ => {}
        }
    }
    id
}

/// The element lists (`NFTA_SET_ELEM_LIST_ELEMENTS`) of the `NEWSETELEM`
/// messages of a dump, with their message.
fn element_lists(
    msgs: &[crate::netlink::NfMsg],
) -> impl Iterator<Item = (&crate::netlink::NfMsg, &[u8])> {
    msgs.iter()
        .filter(|m| m.msg() == crate::consts::msg::NEWSETELEM)
        .flat_map(|m| SliceIter::new(&m.body).map(move |a| (m, a)))
        .filter(|(_, (ty, _))| ty & NLA_TYPE_MASK == 3)
        .map(|(m, (_, list))| (m, list))
}

/// Whether some element (same key, key end and flags) appears twice in the
/// `NEWSETELEM` messages of a dump. Works on the raw attributes, without
/// decoding the elements.
pub fn has_repeats(msgs: &[crate::netlink::NfMsg]) -> bool {
    let mut seen = std::collections::HashSet::new();
    element_lists(msgs)
        .flat_map(|(_, list)| SliceIter::new(list))
        .any(|(_, elem)| !seen.insert(element_id(elem)))
}

/// The messages of a dump with each element that already appeared left
/// out; every other attribute is kept as it was.
pub fn drop_repeats(msgs: &[crate::netlink::NfMsg]) -> Vec<crate::netlink::NfMsg> {
    let mut seen = std::collections::HashSet::new();
    let mut out = Vec::with_capacity(msgs.len());
    for m in msgs {
        if m.msg() != crate::consts::msg::NEWSETELEM {
            out.push(m.clone());
            continue;
        }
        let mut body = Writer::with_capacity(m.body.len());
        for (ty, payload) in SliceIter::new(&m.body) {
            if ty & NLA_TYPE_MASK != 3 {
                body.put_raw(ty, payload);
                continue;
            }
            let mut list = Writer::with_capacity(payload.len());
            for (ety, elem) in SliceIter::new(payload) {
                if seen.insert(element_id(elem)) {
                    list.put_raw(ety, elem);
                }
            }
            body.put_raw(ty, &list.buf);
        }
        let mut kept = m.clone();
        kept.body = Bytes::from(body.buf);
        out.push(kept);
    }
    out
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

    #[test]
    fn dropping_repeats_keeps_first_appearances_and_other_attributes() {
        let torn = [msg(&[(1, None), (2, None)]), msg(&[(2, None), (3, None)])];
        let kept = drop_repeats(&torn);
        assert!(!has_repeats(&kept));
        assert_eq!(kept[0].body, torn[0].body);
        let second = SetElems::from_msg(&kept[1]).unwrap();
        let keys: Vec<_> = second
            .attrs
            .elems
            .as_ref()
            .unwrap()
            .0
            .iter()
            .map(|e| e.expiration)
            .collect();
        assert_eq!(keys, [Some(3)]);
        assert_eq!(second.attrs.table.as_deref(), Some("t"));
        assert_eq!(second.attrs.set.as_deref(), Some("s"));
        // Nothing repeated: nothing changes.
        assert_eq!(drop_repeats(&torn[..1])[0].body, torn[0].body);
    }
}
