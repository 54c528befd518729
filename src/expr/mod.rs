//! Kernel expressions: every `NFTA_EXPR_NAME` nf_tables knows, typed, plus
//! [`RawExpr`] for names nftwire has never seen.
//!
//! Each expression lives in its own file as an [`crate::attr_struct!`] of its
//! `NFTA_<NAME>_*` attributes in the kernel's dump order, so decoding and
//! re-encoding are lossless by construction (see [`crate::nla`]). Each also
//! implements [`ExprBody::fmt_debug`], the `nft --debug=netlink` form.

use crate::nla::{sub_bytes, AttrIter, SliceIter, Writer};
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
            fn fmt_debug(&self, f: &mut String) -> std::fmt::Result {
                self.debug_body(f)
            }
        }
    };
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
                            Some(e) => Expr::$variant(e.into()),
                            None => raw(),
                        };
                    }
                )*
                raw()
            }

            fn write_typed(&self, w: &mut Writer) -> bool {
                match self {
                    $( Expr::$variant(e) => {
                        w.put_raw(NFTA_EXPR_NAME, concat_nul(<$ty as ExprBody>::NAME).as_bytes());
                        if <$ty as ExprBody>::HAS_DATA {
                            let n = w.begin(NFTA_EXPR_DATA);
                            e.write_data(w);
                            w.end(n);
                        }
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

fn concat_nul(s: &str) -> String {
    let mut o = String::with_capacity(s.len() + 1);
    o.push_str(s);
    o.push('\0');
    o
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
        if elem_type != NFTA_LIST_ELEM {
            return raw();
        }
        let mut it = SliceIter::new(body);
        let name = match it.next() {
            Some((NFTA_EXPR_NAME, name)) => name,
            _ => return raw(),
        };
        let data = it.next();
        if it.next().is_some() || it.malformed() {
            return raw();
        }
        let data = match data {
            Some((NFTA_EXPR_DATA, d)) => Some(d),
            Some(_) => return raw(),
            None => None,
        };
        // The name must end in its one NUL; comparing the rest with the
        // known names covers what `String`'s decoder checks (no other NUL,
        // UTF-8), as those names are such strings.
        let name = match name.split_last() {
            Some((0, n)) => n,
            _ => return raw(),
        };
        Expr::parse_typed(name, parent, data, raw)
    }

    /// Encode as one `NFTA_LIST_ELEM` attribute.
    pub fn write_elem(&self, w: &mut Writer) {
        match self {
            Expr::Raw(r) => w.put_raw(r.elem_type, &r.body),
            _ => {
                let n = w.begin(NFTA_LIST_ELEM);
                self.write_typed(w);
                w.end(n);
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
        // Near misses of known names stay raw.
        for bad in [&b"cmp"[..], b"cmp\0\0", b"cmq\0", b"cm\0", b"\0", b""] {
            let mut w = Writer::new();
            w.put_raw(NFTA_EXPR_NAME, bad);
            w.put_raw(NFTA_EXPR_DATA, &[]);
            assert!(Expr::parse_elem(NFTA_LIST_ELEM, Bytes::from(w.buf)).is_raw());
        }
    }
}
