//! The nf_tables object model: tables, chains, rules, sets, set elements,
//! stateful objects, flowtables and the generation. Each is a lossless
//! [`crate::attr_struct!`] of its `NFTA_*` attributes, wrapped in
//! [`Obj`] with the message's address family.

pub mod chain;
pub mod create_form;
pub mod element;
pub mod flowtable;
pub mod gen;
pub mod lists;
pub mod obj;
pub mod rule;
pub mod set;
pub mod table;

pub use chain::{Chain, ChainAttrs};
pub use element::{SetElem, SetElemList, SetElems};
pub use flowtable::{Flowtable, FlowtableAttrs};
pub use gen::GenAttrs;
pub use obj::{Object, ObjectAttrs};
pub use rule::{Rule, RuleAttrs};
pub use set::{Set, SetAttrs};
pub use table::{Table, TableAttrs};

use crate::netlink::NfMsg;
use bytes::Bytes;

/// The message numbers and codec of an nf_tables object kind.
pub trait Kind: Sized + Clone + std::fmt::Debug + PartialEq {
    /// `NFT_MSG_NEW*`.
    const NEW: u16;
    /// `NFT_MSG_GET*`.
    const GET: u16;
    /// `NFT_MSG_DEL*`.
    const DEL: u16;
    /// Decode a message body.
    fn parse_body(body: &Bytes) -> Option<Self>;
    /// Encode a message body.
    fn write_body(&self, w: &mut crate::nla::Writer);
}

/// Implement [`Kind`] for an attribute struct.
macro_rules! impl_kind {
    ($ty:ty, $new:ident, $get:ident, $del:ident) => {
        impl $crate::object::Kind for $ty {
            const NEW: u16 = $crate::consts::msg::$new;
            const GET: u16 = $crate::consts::msg::$get;
            const DEL: u16 = $crate::consts::msg::$del;
            fn parse_body(body: &bytes::Bytes) -> Option<Self> {
                Self::parse(body)
            }
            fn write_body(&self, w: &mut $crate::nla::Writer) {
                self.write_attrs(w)
            }
        }
    };
}
pub(crate) use impl_kind;

/// An object with the address family of its message.
#[derive(Clone, Debug, PartialEq)]
pub struct Obj<T> {
    /// `NFPROTO_*` family of the message.
    pub family: u8,
    /// The attributes.
    pub attrs: T,
}

impl<T> std::ops::Deref for Obj<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.attrs
    }
}

impl<T> std::ops::DerefMut for Obj<T> {
    fn deref_mut(&mut self) -> &mut T {
        &mut self.attrs
    }
}

impl<T: Kind> Obj<T> {
    /// Decode from a message of the matching kind; `None` if malformed.
    pub fn from_msg(m: &NfMsg) -> Option<Self> {
        Some(Obj {
            family: m.family,
            attrs: T::parse_body(&m.body)?,
        })
    }
    /// Encode the body.
    pub fn body(&self) -> Vec<u8> {
        let mut w = crate::nla::Writer::new();
        self.attrs.write_body(&mut w);
        w.buf
    }
    /// A request message of type `msg` (NEW/DEL/GET) carrying this object.
    pub fn to_msg(&self, msg: u16, flags: u16) -> NfMsg {
        NfMsg::nft(msg, flags, self.family, self.body())
    }
}

/// The attribute body that selects objects by name for a GET request or a
/// filtered dump: `(attribute number, name)` pairs such as
/// `[(1, table), (2, chain)]` (NFTA_RULE_TABLE, NFTA_RULE_CHAIN).
pub fn selector(attrs: &[(u16, &str)]) -> Vec<u8> {
    let mut w = crate::nla::Writer::new();
    for (k, v) in attrs {
        w.put(*k, &v.to_string());
    }
    w.buf
}

/// The name attribute `kind` (e.g. 1, the table, in every object) of a
/// message body, without decoding anything else and without its trailing
/// NUL: a cheap filter before a full decode.
pub fn raw_name(body: &[u8], kind: u16) -> Option<&[u8]> {
    crate::nla::SliceIter::new(body)
        .find(|(ty, _)| ty & crate::nla::NLA_TYPE_MASK == kind)
        .map(|(_, p)| p.strip_suffix(&[0]).unwrap_or(p))
}

/// Decode every message of type `want` in a dump as a `T`; a malformed
/// one is an error, never silently dropped.
pub fn parse_msgs<T: Kind>(msgs: Vec<NfMsg>, want: u16) -> crate::Result<Vec<Obj<T>>> {
    msgs.iter()
        .filter(|m| m.msg() == want)
        .map(decode_msg)
        .collect()
}

/// Decode one kernel message as a `T`; a malformed one is a protocol error
/// naming the message type.
pub fn decode_msg<T: Kind>(m: &NfMsg) -> crate::Result<Obj<T>> {
    Obj::<T>::from_msg(m).ok_or_else(|| {
        crate::Error::Protocol(format!(
            "malformed {} message from the kernel",
            crate::consts::msg::name(m.msg())
        ))
    })
}

/// Name of a family, or its number.
pub fn family_name(f: u8) -> String {
    crate::consts::family::name(f)
        .map(str::to_owned)
        .unwrap_or_else(|| f.to_string())
}
