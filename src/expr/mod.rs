//! Kernel expressions: every `NFTA_EXPR_NAME` nf_tables knows, typed, plus
//! [`RawExpr`] for names nftwire has never seen.
//!
//! Each expression lives in its own file as an [`crate::attr_struct!`] of its
//! `NFTA_<NAME>_*` attributes in the kernel's dump order, so decoding and
//! re-encoding are lossless by construction (see [`crate::nla`]). Each also
//! implements [`ExprBody::fmt_debug`], the `nft --debug=netlink` form.

use crate::nla::{sub_bytes, AttrIter, SliceIter, Writer, NLA_TYPE_MASK};
use bytes::Bytes;
use std::fmt;
use std::fmt::Write as _;

/// Attribute numbers of an expression element (`NFTA_EXPR_*`).
pub const NFTA_EXPR_NAME: u16 = 1;
/// `NFTA_EXPR_DATA`.
pub const NFTA_EXPR_DATA: u16 = 2;
/// `NFTA_LIST_ELEM`.
pub const NFTA_LIST_ELEM: u16 = 1;

/// What every typed expression provides.
pub trait ExprBody: Sized {
    /// The kernel's expression name.
    const NAME: &'static str;
    /// Whether the kernel dumps an `NFTA_EXPR_DATA` nest for it (false only
    /// for expressions without a dump callback, such as `notrack`).
    const HAS_DATA: bool = true;
    /// Decode from the `NFTA_EXPR_DATA` payload.
    fn parse_data(data: &Bytes) -> Option<Self>;
    /// [`ExprBody::parse_data`] of `data`, a subslice of `parent` (see
    /// [`crate::nla::Attribute::decode_in`]).
    fn parse_data_in(parent: &Bytes, data: &[u8]) -> Option<Self> {
        Self::parse_data(&sub_bytes(parent, data))
    }
    /// Encode the `NFTA_EXPR_DATA` payload.
    fn write_data(&self, w: &mut Writer);
    /// How the attributes that wrap the expression were written: the NLA
    /// flag bits of its list element, `NFTA_EXPR_NAME` and
    /// `NFTA_EXPR_DATA`, 2 bits each in that order ([`outer_flags`] packs
    /// them), plus [`NAME_WITHOUT_NUL`]. The kernel's dumps have none of
    /// these; userspace requests do (libmnl and rustables set
    /// `NLA_F_NESTED` on the nests, rustables leaves out the name's NUL).
    fn outer_flags(&self) -> u8;
    /// Set what [`ExprBody::outer_flags`] returns.
    fn set_outer_flags(&mut self, flags: u8);
    /// The body of the `nft --debug=netlink` form, e.g. `payload load 4b @
    /// network header + 12 => reg 1` (without the brackets).
    /// Writing to a `String` cannot fail; the result is there for `?`.
    fn fmt_debug(&self, f: &mut String) -> fmt::Result;
}

/// Implement [`ExprBody`] for an [`crate::attr_struct!`] type.
#[macro_export]
macro_rules! impl_expr {
    ($ty:ty, $name:literal) => {
        $crate::impl_expr!($ty, $name, true);
    };
    ($ty:ty, $name:literal, $has_data:expr) => {
        impl $crate::expr::ExprBody for $ty {
            const NAME: &'static str = $name;
            const HAS_DATA: bool = $has_data;
            fn parse_data(data: &bytes::Bytes) -> Option<Self> {
                Self::parse(data)
            }
            fn parse_data_in(parent: &bytes::Bytes, data: &[u8]) -> Option<Self> {
                Self::parse_in(parent, data)
            }
            fn write_data(&self, w: &mut $crate::nla::Writer) {
                self.write_attrs(w)
            }
            fn outer_flags(&self) -> u8 {
                self.wire.outer()
            }
            fn set_outer_flags(&mut self, flags: u8) {
                self.wire.set_outer(flags)
            }
            fn fmt_debug(&self, f: &mut String) -> std::fmt::Result {
                self.debug_body(f)
            }
        }
    };
}

/// Pack the NLA flag bits (`NLA_F_NESTED`, `NLA_F_NET_BYTEORDER`) of an
/// expression's list element, `NFTA_EXPR_NAME` and `NFTA_EXPR_DATA` types
/// into the form [`ExprBody::outer_flags`] keeps.
pub const fn outer_flags(elem_type: u16, name_type: u16, data_type: u16) -> u8 {
    ((elem_type >> 14) | ((name_type >> 14) << 2) | ((data_type >> 14) << 4)) as u8
}

/// In [`ExprBody::outer_flags`]: `NFTA_EXPR_NAME` was written without its
/// trailing NUL.
pub const NAME_WITHOUT_NUL: u8 = 0x40;

/// The flag bits of attribute `i` (0 element, 1 name, 2 data) in `outer`
/// (as [`outer_flags`] packs them), placed back in a type's top two bits.
const fn outer_bits(outer: u8, i: u8) -> u16 {
    (((outer >> (2 * i)) & 3) as u16) << 14
}

/// Print the unknown attributes of a typed expression in debug output.
pub fn fmt_extras(f: &mut String, extra: &[crate::nla::Extra]) -> fmt::Result {
    for e in extra {
        write!(
            f,
            " attr{}{}={}",
            e.attr.kind(),
            if e.attr.flags() != 0 { "*" } else { "" },
            crate::util::hex(&e.attr.payload)
        )?;
    }
    Ok(())
}

/// An expression element nftwire cannot (or chose not to) type: the whole
/// `NFTA_LIST_ELEM` payload is kept and re-emitted unchanged.
#[derive(Clone, Debug, PartialEq)]
pub struct RawExpr {
    /// Full type of the list element attribute (normally `NFTA_LIST_ELEM`).
    pub elem_type: u16,
    /// The element payload (`NFTA_EXPR_NAME`, `NFTA_EXPR_DATA`, ...).
    pub body: Bytes,
}

impl RawExpr {
    /// The expression name, when the element carries a readable one.
    pub fn name(&self) -> Option<String> {
        AttrIter::new(self.body.clone())
            .find(|a| a.kind() == NFTA_EXPR_NAME)
            .and_then(|a| <String as crate::nla::Attribute>::decode(&a.payload))
    }
    /// The attributes of `NFTA_EXPR_DATA`, if present and well formed.
    pub fn data_attrs(&self) -> Option<Vec<crate::nla::RawAttr>> {
        let d = AttrIter::new(self.body.clone()).find(|a| a.kind() == NFTA_EXPR_DATA)?;
        crate::nla::parse_all(&d.payload)
    }
}

pub mod bitwise;
pub mod byteorder;
pub mod cmp;
pub mod connlimit;
pub mod counter;
pub mod ct;
pub mod dup;
pub mod dynset;
pub mod exthdr;
pub mod fib;
pub mod flow_offload;
pub mod fwd;
pub mod hash;
pub mod immediate;
pub mod inner;
pub mod last;
pub mod limit;
pub mod log;
pub mod lookup;
pub mod masq;
pub mod meta;
pub mod nat;
pub mod nftnl_fmt;
pub mod notrack;
pub mod numgen;
pub mod objref;
pub mod osf;
pub mod payload;
pub mod queue;
pub mod quota;
pub mod range;
pub mod redir;
pub mod reject;
pub mod rt;
pub mod socket;
pub mod synproxy;
pub mod tproxy;
pub mod tunnel;
pub mod xfrm;
pub mod xt;

pub use crate::data::{Data, Verdict, VerdictCode};
pub use cmp::CmpOp;
pub use meta::MetaKey;
pub use payload::PayloadBase;

macro_rules! expressions {
    (@field $ty:ident) => { $ty };
    (@field $ty:ident, $wrap:ident) => { $wrap<$ty> };
    ($( $(#[$m:meta])* $variant:ident($module:ident :: $ty:ident $(in $wrap:ident)?) ),* $(,)?) => {
        $( pub use $module::$ty; )*

        /// One kernel expression.
        #[derive(Clone, Debug, PartialEq)]
        pub enum Expr {
            $( $(#[$m])* $variant(expressions!(@field $ty $(, $wrap)?)), )*
            /// Unknown name or a shape the typed decoder does not reproduce.
            Raw(RawExpr),
        }

        impl Expr {
            /// The kernel's name for this expression.
            pub fn name(&self) -> String {
                match self {
                    $( Expr::$variant(_) => <$ty as ExprBody>::NAME.to_string(), )*
                    Expr::Raw(r) => r.name().unwrap_or_else(|| "?".into()),
                }
            }

            /// The NLA flag bits its list element, `NFTA_EXPR_NAME` and
            /// `NFTA_EXPR_DATA` were seen with ([`ExprBody::outer_flags`]);
            /// 0 for [`Expr::Raw`], which keeps them in its bytes.
            pub fn outer_flags(&self) -> u8 {
                match self {
                    $( Expr::$variant(e) => e.outer_flags(), )*
                    Expr::Raw(_) => 0,
                }
            }

            /// Set the flag bits [`Expr::outer_flags`] returns, e.g. to
            /// write `NLA_F_NESTED` on the nests as libmnl does (pack them
            /// with [`outer_flags`]); no effect on [`Expr::Raw`].
            pub fn set_outer_flags(&mut self, flags: u8) {
                match self {
                    $( Expr::$variant(e) => e.set_outer_flags(flags), )*
                    Expr::Raw(_) => {}
                }
            }

            /// Every expression name nftwire types.
            pub const KNOWN: &'static [&'static str] = &[ $( <$ty as ExprBody>::NAME, )* ];

            /// Decode a typed expression from its name (the `NFTA_EXPR_NAME`
            /// payload without its trailing NUL) and `NFTA_EXPR_DATA`
            /// payload (subslices of `parent`); `raw()` for unknown names
            /// and data the typed decoder does not take. (Returning `Expr`
            /// rather than `Option<Expr>` saves moving the large value.)
            fn parse_typed(
                name: &[u8],
                parent: &Bytes,
                data: Option<&[u8]>,
                outer: u8,
                raw: impl FnOnce() -> Expr,
            ) -> Expr {
                // Dispatch on a key that differs for every known name (see
                // `name_key`; a test checks it), then confirm the full name.
                // LLVM turns this chain of comparisons into a switch.
                let key = name_key(name);
                $(
                    if key == const { name_key(<$ty as ExprBody>::NAME.as_bytes()) } {
                        if name != <$ty as ExprBody>::NAME.as_bytes()
                            || data.is_some() != <$ty as ExprBody>::HAS_DATA
                        {
                            return raw();
                        }
                        return match <$ty as ExprBody>::parse_data_in(parent, data.unwrap_or(&[])) {
                            Some(mut e) => {
                                if outer != 0 {
                                    e.set_outer_flags(outer);
                                }
                                Expr::$variant(e.into())
                            }
                            None => raw(),
                        };
                    }
                )*
                raw()
            }

            /// Write a typed expression as one list element, with the flag
            /// bits its wrapping attributes were seen with; `false` (and
            /// nothing written) for [`Expr::Raw`].
            fn write_typed(&self, w: &mut Writer) -> bool {
                match self {
                    $( Expr::$variant(e) => {
                        let outer = e.outer_flags();
                        let elem = w.begin(NFTA_LIST_ELEM | outer_bits(outer, 0));
                        let name = w.begin(NFTA_EXPR_NAME | outer_bits(outer, 1));
                        w.buf.extend_from_slice(<$ty as ExprBody>::NAME.as_bytes());
                        if outer & NAME_WITHOUT_NUL == 0 {
                            w.buf.push(0);
                        }
                        w.end(name);
                        if <$ty as ExprBody>::HAS_DATA {
                            let n = w.begin(NFTA_EXPR_DATA | outer_bits(outer, 2));
                            e.write_data(w);
                            w.end(n);
                        }
                        w.end(elem);
                        true
                    } )*
                    Expr::Raw(_) => false,
                }
            }

            /// What in this expression did not decode although its name
            /// is known (see [`crate::nla::Attribute::undecoded`]): an
            /// element of a known name kept raw, or a known attribute of
            /// its data kept raw.
            pub fn undecoded(&self) -> Option<String> {
                match self {
                    $( Expr::$variant(e) => e.undecoded_attr(), )*
                    Expr::Raw(r) => r
                        .name()
                        .filter(|n| Self::KNOWN.contains(&n.as_str()))
                        .map(|_| "its element does not have the shape of one".to_string()),
                }
            }

            fn fmt_typed(&self, f: &mut String) -> fmt::Result {
                match self {
                    $( Expr::$variant(e) => e.fmt_debug(f), )*
                    Expr::Raw(r) => fmt_raw(r, f),
                }
            }
        }

        $(
            impl From<$ty> for Expr {
                fn from(e: $ty) -> Expr { Expr::$variant(e.into()) }
            }
        )*
    };
}

/// A dispatch key for an expression name: its length, first and last byte
/// (unique among the names nftwire types; 0 for an empty name).
const fn name_key(n: &[u8]) -> u32 {
    match (n.first(), n.last()) {
        (Some(&first), Some(&last)) => {
            ((n.len() as u32) << 16) | ((first as u32) << 8) | last as u32
        }
        _ => 0,
    }
}

fn fmt_raw(r: &RawExpr, f: &mut String) -> fmt::Result {
    match r.name() {
        Some(n) => f.push_str(&n),
        None => f.push('?'),
    }
    match r.data_attrs() {
        Some(attrs) => {
            for a in attrs {
                write!(
                    f,
                    " attr{}{}={}",
                    a.kind(),
                    if a.flags() != 0 { "*" } else { "" },
                    crate::util::hex(&a.payload)
                )?;
            }
        }
        None => write!(f, " raw={}", crate::util::hex(&r.body))?,
    }
    Ok(())
}

expressions! {
    /// `immediate`: load data or a verdict into a register.
    Immediate(immediate::Immediate),
    /// `cmp`: compare a register with data.
    Cmp(cmp::Cmp),
    /// `lookup`: set membership / map lookup.
    Lookup(lookup::Lookup),
    /// `bitwise`: mask/xor/shift.
    Bitwise(bitwise::Bitwise in Box),
    /// `byteorder`: host/network conversion.
    Byteorder(byteorder::Byteorder),
    /// `payload`: packet data load/store.
    Payload(payload::Payload),
    /// `dynset`: add/update set elements from the packet path.
    Dynset(dynset::Dynset in Box),
    /// `range`: range comparison.
    Range(range::Range in Box),
    /// `meta`: packet metadata load/store.
    Meta(meta::Meta),
    /// `rt`: routing information.
    Rt(rt::Rt),
    /// `exthdr`: IPv6/TCP/SCTP/IP option headers.
    Exthdr(exthdr::Exthdr),
    /// `last`: last-used timestamp.
    Last(last::Last),
    /// `counter`: packet/byte counter.
    Counter(counter::Counter),
    /// `objref`: reference to a stateful object.
    Objref(objref::Objref),
    /// `inner`: inner header matching (tunnels).
    Inner(inner::Inner),
    /// `ct`: conntrack load/store.
    Ct(ct::Ct),
    /// `notrack`: skip conntrack.
    Notrack(notrack::Notrack),
    /// `limit`: rate limit.
    Limit(limit::Limit),
    /// `quota`: byte quota.
    Quota(quota::Quota),
    /// `connlimit`: connection count limit.
    Connlimit(connlimit::Connlimit),
    /// `log`: packet logging.
    Log(log::Log),
    /// `queue`: queue to userspace.
    Queue(queue::Queue),
    /// `nat`: snat/dnat.
    Nat(nat::Nat),
    /// `masq`: masquerade.
    Masq(masq::Masq),
    /// `redir`: redirect.
    Redir(redir::Redir),
    /// `reject`: reject with icmp/tcp reset.
    Reject(reject::Reject),
    /// `match`: xtables compat match (info kept byte-exact).
    Match(xt::Match),
    /// `target`: xtables compat target (info kept byte-exact).
    Target(xt::Target),
    /// `hash`: jhash/symhash.
    Hash(hash::Hash in Box),
    /// `numgen`: number generator.
    Numgen(numgen::Numgen),
    /// `fib`: FIB lookup.
    Fib(fib::Fib),
    /// `dup`: duplicate packet.
    Dup(dup::Dup),
    /// `fwd`: forward packet.
    Fwd(fwd::Fwd),
    /// `flow_offload`: add to flowtable.
    FlowOffload(flow_offload::FlowOffload),
    /// `socket`: socket lookup.
    Socket(socket::Socket),
    /// `osf`: passive OS fingerprinting.
    Osf(osf::Osf),
    /// `tproxy`: transparent proxy.
    Tproxy(tproxy::Tproxy),
    /// `xfrm`: IPsec state.
    Xfrm(xfrm::Xfrm),
    /// `synproxy`: SYN proxy.
    Synproxy(synproxy::Synproxy),
    /// `tunnel`: tunnel metadata.
    Tunnel(tunnel::Tunnel),
}

impl Expr {
    /// Decode one `NFTA_LIST_ELEM` (its full type and payload). Never fails:
    /// anything the typed decoder does not reproduce exactly becomes
    /// [`Expr::Raw`].
    pub fn parse_elem(elem_type: u16, body: Bytes) -> Expr {
        Expr::parse_elem_in(elem_type, &body, &body)
    }

    /// [`Expr::parse_elem`] of `body`, a subslice of `parent`: only a raw
    /// element or typed fields that keep bytes share `parent`'s storage.
    pub fn parse_elem_in(elem_type: u16, parent: &Bytes, body: &[u8]) -> Expr {
        let raw = || {
            Expr::Raw(RawExpr {
                elem_type,
                body: sub_bytes(parent, body),
            })
        };
        if elem_type & NLA_TYPE_MASK != NFTA_LIST_ELEM {
            return raw();
        }
        let mut it = SliceIter::new(body);
        let (name_type, name) = match it.next() {
            Some((ty, name)) if ty & NLA_TYPE_MASK == NFTA_EXPR_NAME => (ty, name),
            _ => return raw(),
        };
        let data = it.next();
        if it.next().is_some() || it.malformed() {
            return raw();
        }
        let (data_type, data) = match data {
            Some((ty, d)) if ty & NLA_TYPE_MASK == NFTA_EXPR_DATA => (ty, Some(d)),
            Some(_) => return raw(),
            None => (0, None),
        };
        // Flag bits on the wrapping attributes (userspace requests set
        // NLA_F_NESTED) are kept with the expression, so it re-encodes
        // exactly.
        let mut outer = outer_flags(elem_type, name_type, data_type);
        // The name ends in its one NUL, or has none (as rustables sends
        // it); comparing the rest with the known names covers what
        // `String`'s decoder checks (no other NUL, UTF-8), as those names
        // are such strings.
        let name = match name.split_last() {
            Some((0, n)) => n,
            _ => {
                outer |= NAME_WITHOUT_NUL;
                name
            }
        };
        Expr::parse_typed(name, parent, data, outer, raw)
    }

    /// Encode as one `NFTA_LIST_ELEM` attribute.
    pub fn write_elem(&self, w: &mut Writer) {
        match self {
            Expr::Raw(r) => w.put_raw(r.elem_type, &r.body),
            _ => {
                self.write_typed(w);
            }
        }
    }

    /// True when this is an expression nftwire could not type.
    pub fn is_raw(&self) -> bool {
        matches!(self, Expr::Raw(_))
    }
}

impl Expr {
    /// Append the `nft --debug=netlink` form, `[ payload load ... ]`, to
    /// `out` (what `Display` shows, without a formatter in between).
    pub fn write_debug(&self, out: &mut String) {
        out.push_str("[ ");
        // Writing to a String cannot fail.
        let _ = self.fmt_typed(out);
        out.push_str(" ]");
    }
}

impl fmt::Display for Expr {
    /// The `nft --debug=netlink` form: `[ payload load ... ]`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut s = String::with_capacity(64);
        self.write_debug(&mut s);
        f.write_str(&s)
    }
}

/// A list of expressions (`NFTA_RULE_EXPRESSIONS`, set element expressions).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ExprList(pub Vec<Expr>);

impl crate::nla::Attribute for ExprList {
    fn decode(p: &Bytes) -> Option<Self> {
        Self::decode_in(p, p)
    }
    fn decode_in(parent: &Bytes, p: &[u8]) -> Option<Self> {
        let mut it = SliceIter::new(p);
        // Counting the elements first (headers only) saves regrowing.
        let mut v = Vec::with_capacity(it.clone().count());
        for (ty, body) in it.by_ref() {
            v.push(Expr::parse_elem_in(ty, parent, body));
        }
        if it.malformed() {
            return None;
        }
        Some(ExprList(v))
    }
    fn encode(&self, w: &mut Writer) {
        for e in &self.0 {
            e.write_elem(w);
        }
    }
    fn undecoded(&self) -> Option<String> {
        self.0.iter().enumerate().find_map(|(i, e)| {
            Some(format!(
                "expression #{i} ({}): {}",
                e.name(),
                e.undecoded()?
            ))
        })
    }
}

/// The set an expression refers to by name (lookup, dynset, objref map).
pub fn set_name_of(e: &Expr) -> Option<String> {
    match e {
        Expr::Lookup(l) => l.set.clone(),
        Expr::Dynset(d) => d.set.clone(),
        Expr::Objref(o) => o.set_name(),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Several expressions as the kernel dumps them (no flags), the boxed
    /// ones and the one without DATA included.
    fn samples() -> Vec<Expr> {
        vec![
            Counter::new(3, 1500).into(),
            Cmp::new(1, CmpOp::Eq, vec![6u8]).into(),
            Payload::load(PayloadBase::Network, 12, 4, 1).into(),
            Immediate::verdict(VerdictCode::Jump, Some("svc")).into(),
            bitwise::Bitwise::mask_xor(1, 1, 4, vec![255u8, 255, 0, 0], vec![0u8; 4]).into(),
            Meta::load(MetaKey::IifName, 1).into(),
            notrack::Notrack::default().into(),
        ]
    }

    /// Encode `e` as one list element.
    fn elem_bytes(e: &Expr) -> Vec<u8> {
        let mut w = Writer::new();
        e.write_elem(&mut w);
        w.buf
    }

    /// `elem` (one list element, as the kernel dumps it) written again
    /// with the flag bits of its element, NAME and DATA types as `outer`
    /// packs them, and without the name's NUL for [`NAME_WITHOUT_NUL`].
    fn with_outer(elem: &[u8], outer: u8) -> Vec<u8> {
        let (ty, body) = SliceIter::new(elem).next().expect("one element");
        assert_eq!(ty, NFTA_LIST_ELEM);
        let mut it = SliceIter::new(body);
        let (ty, name) = it.next().expect("name");
        assert_eq!(ty, NFTA_EXPR_NAME);
        let name = if outer & NAME_WITHOUT_NUL != 0 {
            &name[..name.len() - 1]
        } else {
            name
        };
        let mut w = Writer::new();
        let n = w.begin(NFTA_LIST_ELEM | outer_bits(outer, 0));
        w.put_raw(NFTA_EXPR_NAME | outer_bits(outer, 1), name);
        if let Some((ty, data)) = it.next() {
            assert_eq!(ty, NFTA_EXPR_DATA);
            w.put_raw(NFTA_EXPR_DATA | outer_bits(outer, 2), data);
        }
        w.end(n);
        w.buf
    }

    /// Decode one list element given with its header.
    fn parse_whole(b: &[u8]) -> Expr {
        let (ty, body) = SliceIter::new(b).next().expect("one element");
        let parent = Bytes::copy_from_slice(b);
        let body = sub_bytes(&parent, body);
        Expr::parse_elem(ty, body)
    }

    #[test]
    fn flagged_wrappers_decode_typed_and_reencode_exactly() {
        for e in samples() {
            let plain = elem_bytes(&e);
            let has_data = e.name() != "notrack";
            for outer in 0..128u8 {
                if !has_data && outer & 0x30 != 0 {
                    continue;
                }
                let flagged = with_outer(&plain, outer);
                let d = parse_whole(&flagged);
                assert!(
                    !d.is_raw(),
                    "{} with flags {outer:#x} decoded raw",
                    e.name()
                );
                assert_eq!(d.name(), e.name());
                assert_eq!(d.outer_flags(), outer, "{}", e.name());
                assert_eq!(
                    elem_bytes(&d),
                    flagged,
                    "{} with flags {outer:#x}",
                    e.name()
                );
                // Same rendering, and equal to the unflagged form once the
                // flags are cleared.
                assert_eq!(d.to_string(), e.to_string());
                let mut cleared = d.clone();
                cleared.set_outer_flags(0);
                assert_eq!(cleared, e, "{}", e.name());
                assert_eq!(elem_bytes(&cleared), plain);
                // Flags set in code come out on the wire.
                let mut built = e.clone();
                built.set_outer_flags(outer);
                assert_eq!(elem_bytes(&built), flagged);
                assert_eq!(built == e, outer == 0);
            }
        }
    }

    #[test]
    fn userspace_style_request_element() {
        // libmnl and rustables write NLA_F_NESTED on the element and on
        // NFTA_EXPR_DATA: 0x8001 and 0x8002.
        let e: Expr = Counter::new(0, 0).into();
        let b = with_outer(&elem_bytes(&e), outer_flags(0x8001, NFTA_EXPR_NAME, 0x8002));
        assert_eq!(&b[2..4], &0x8001u16.to_ne_bytes());
        assert_eq!(&b[6..8], &NFTA_EXPR_NAME.to_ne_bytes());
        let d = parse_whole(&b);
        assert!(matches!(d, Expr::Counter(_)), "{d:?}");
        assert_eq!(d.outer_flags(), 0b10_00_10);
        assert_eq!(elem_bytes(&d), b);
        // rustables also leaves out the name's NUL (and the strings' in
        // DATA, which the typed fields keep the same way).
        let mut l = Lookup {
            sreg: Some(1),
            set: Some("blk".into()),
            ..Default::default()
        };
        let canonical = elem_bytes(&l.clone().into());
        l.wire.info_mut().alt = 1; // `set` is field 0
        let mut e: Expr = l.into();
        e.set_outer_flags(0b10_00_10 | NAME_WITHOUT_NUL);
        let b = elem_bytes(&e);
        let mut want = Writer::new();
        let n = want.begin(0x8001);
        want.put_raw(NFTA_EXPR_NAME, b"lookup");
        let data = want.begin(0x8002);
        want.put_raw(1, b"blk");
        want.put_raw(2, &1u32.to_be_bytes());
        want.end(data);
        want.end(n);
        assert_eq!(b, want.buf);
        let d = parse_whole(&b);
        assert_eq!(d, e);
        assert_eq!(d.to_string(), parse_whole(&canonical).to_string());
        assert_eq!(elem_bytes(&d), b);
    }

    #[test]
    fn flags_on_other_element_types_stay_raw() {
        // Only the list element number (1) is an expression, whatever its
        // flags; other numbers are kept raw as before.
        let plain = elem_bytes(&Counter::new(1, 2).into());
        for ty in [0u16, 2, 0x8002, 0x4003, 0xc000] {
            let mut b = plain.clone();
            b[2..4].copy_from_slice(&ty.to_ne_bytes());
            let d = parse_whole(&b);
            assert!(d.is_raw(), "{ty:#x}");
            assert_eq!(elem_bytes(&d), b);
        }
    }

    #[test]
    fn random_outer_and_inner_flags_roundtrip() {
        // Flags on any attribute of an element (the wrappers and the
        // DATA attributes at every depth): what decodes typed keeps its
        // flags, and everything re-encodes byte for byte.
        fn flip_all(b: &mut [u8], rng: &mut u64, depth: usize) {
            let mut at = 0;
            while at + 4 <= b.len() {
                let len = u16::from_ne_bytes([b[at], b[at + 1]]) as usize;
                if len < 4 || at + len > b.len() {
                    return;
                }
                *rng ^= *rng << 13;
                *rng ^= *rng >> 7;
                *rng ^= *rng << 17;
                let ty = u16::from_ne_bytes([b[at + 2], b[at + 3]]) & NLA_TYPE_MASK;
                let ty = ty | (((*rng & 3) as u16) << 14);
                b[at + 2..at + 4].copy_from_slice(&ty.to_ne_bytes());
                // Payloads of 4 bytes and more may be nests: walk them too
                // (a non-nest just stops the walk at its first bad header).
                if depth < 4 && len > 8 {
                    flip_all(&mut b[at + 4..at + len], rng, depth + 1);
                }
                at += crate::nla::align(len);
            }
        }
        let mut rng = 0x9e37_79b9_7f4a_7c15u64;
        let mut typed = 0;
        for e in samples() {
            let plain = elem_bytes(&e);
            for _ in 0..200 {
                let mut b = plain.clone();
                flip_all(&mut b, &mut rng, 0);
                let d = parse_whole(&b);
                assert_eq!(elem_bytes(&d), b, "{}: {d:?}", e.name());
                if !d.is_raw() {
                    typed += 1;
                    assert_eq!(d.to_string(), e.to_string());
                }
            }
        }
        assert!(typed > 7 * 200 / 2, "only {typed} typed");
    }

    #[test]
    fn expr_stays_small() {
        // A rule holds a Vec of these; the wire details (flags included)
        // live behind one pointer and the large kinds are boxed.
        assert!(
            std::mem::size_of::<Expr>() <= 88,
            "Expr grew to {} bytes: box the large kind (`in Box`)",
            std::mem::size_of::<Expr>()
        );
        assert_eq!(std::mem::size_of::<crate::nla::Wire>(), 8);
    }

    #[test]
    fn name_keys_are_unique() {
        let mut keys: Vec<u32> = Expr::KNOWN.iter().map(|n| name_key(n.as_bytes())).collect();
        keys.sort_unstable();
        keys.dedup();
        assert_eq!(keys.len(), Expr::KNOWN.len());
    }

    #[test]
    fn names_dispatch_exactly() {
        for name in Expr::KNOWN {
            let mut w = Writer::new();
            let mut n = name.as_bytes().to_vec();
            n.push(0);
            w.put_raw(NFTA_EXPR_NAME, &n);
            if *name != "notrack" {
                w.put_raw(NFTA_EXPR_DATA, &[]);
            }
            let e = Expr::parse_elem(NFTA_LIST_ELEM, Bytes::from(w.buf));
            assert!(!e.is_raw(), "{name}");
            assert_eq!(e.name(), *name);
        }
        // Near misses of known names stay raw (a name without its NUL is
        // not one: rustables writes them so).
        for bad in [&b"cmp\0\0"[..], b"cmq\0", b"cm\0", b"cmpx", b"\0", b""] {
            let mut w = Writer::new();
            w.put_raw(NFTA_EXPR_NAME, bad);
            w.put_raw(NFTA_EXPR_DATA, &[]);
            assert!(Expr::parse_elem(NFTA_LIST_ELEM, Bytes::from(w.buf)).is_raw());
        }
    }
}
