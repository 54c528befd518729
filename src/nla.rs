//! Netlink attributes: a zero-copy reader, a writer, and the [`Attribute`]
//! trait that typed values implement.
//!
//! Every netlink attribute is `len:u16 | type:u16 | payload | pad to 4`. The
//! top two bits of `type` are flags (`NLA_F_NESTED`, `NLA_F_NET_BYTEORDER`).
//! nftwire keeps the full 16-bit type (flags included) wherever it keeps raw
//! attributes, so that re-encoding reproduces the original bytes.

use bytes::Bytes;

/// Size of an attribute header.
pub const NLA_HDRLEN: usize = 4;
/// Flag: the payload is a nested attribute stream.
pub const NLA_F_NESTED: u16 = 0x8000;
/// Flag: the payload is in network byte order.
pub const NLA_F_NET_BYTEORDER: u16 = 0x4000;
/// Mask of the attribute number without flags.
pub const NLA_TYPE_MASK: u16 = !(NLA_F_NESTED | NLA_F_NET_BYTEORDER);

/// Round `n` up to the netlink alignment (4).
#[inline]
pub const fn align(n: usize) -> usize {
    (n + 3) & !3
}

/// One attribute as it was on the wire: its full type (with flags) and its
/// payload (without padding). Unknown attributes are carried as this.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct RawAttr {
    /// The 16-bit type including `NLA_F_*` flag bits.
    pub ty: u16,
    /// The payload bytes, unpadded.
    pub payload: Bytes,
}

impl RawAttr {
    /// The attribute number without flags.
    pub fn kind(&self) -> u16 {
        self.ty & NLA_TYPE_MASK
    }
    /// The flag bits (`NLA_F_NESTED | NLA_F_NET_BYTEORDER`).
    pub fn flags(&self) -> u16 {
        self.ty & !NLA_TYPE_MASK
    }
    /// Encode header, payload and padding.
    pub fn write(&self, w: &mut Writer) {
        w.put_raw(self.ty, &self.payload);
    }
}

impl std::fmt::Debug for RawAttr {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "RawAttr({:#06x}, {})",
            self.ty,
            crate::util::hex(&self.payload)
        )
    }
}

/// Iterator over the attributes in a buffer. It never panics: a truncated or
/// malformed trailer is reported once through [`AttrIter::trailing`] and ends
/// the iteration.
pub struct AttrIter {
    buf: Bytes,
    pos: usize,
    bad: bool,
}

impl AttrIter {
    /// Iterate over the attributes of `buf`.
    pub fn new(buf: Bytes) -> Self {
        AttrIter {
            buf,
            pos: 0,
            bad: false,
        }
    }
    /// Bytes left after iteration that do not form a valid attribute.
    pub fn trailing(&self) -> Bytes {
        if self.pos >= self.buf.len() {
            Bytes::new()
        } else {
            self.buf.slice(self.pos..)
        }
    }
    /// True when iteration stopped at malformed bytes.
    pub fn malformed(&self) -> bool {
        self.bad
    }
}

impl Iterator for AttrIter {
    type Item = RawAttr;
    fn next(&mut self) -> Option<RawAttr> {
        if self.bad || self.pos >= self.buf.len() {
            return None;
        }
        let rest = &self.buf[self.pos..];
        if rest.len() < NLA_HDRLEN {
            self.bad = true;
            return None;
        }
        let len = u16::from_ne_bytes([rest[0], rest[1]]) as usize;
        let ty = u16::from_ne_bytes([rest[2], rest[3]]);
        if len < NLA_HDRLEN || len > rest.len() {
            self.bad = true;
            return None;
        }
        let payload = self.buf.slice(self.pos + NLA_HDRLEN..self.pos + len);
        let next = self.pos + align(len);
        // Padding must be present and zero, or re-encoding would not
        // reproduce it: such a stream counts as malformed (and is kept raw
        // by the caller).
        if next > self.buf.len() || self.buf[self.pos + len..next].iter().any(|&b| b != 0) {
            self.bad = true;
            return None;
        }
        self.pos = next;
        Some(RawAttr { ty, payload })
    }
}

/// Parse all attributes of `buf`, or `None` when the stream is malformed
/// (so the caller keeps the bytes raw).
pub fn parse_all(buf: &Bytes) -> Option<Vec<RawAttr>> {
    let mut it = AttrIter::new(buf.clone());
    let v: Vec<RawAttr> = it.by_ref().collect();
    if it.malformed() {
        None
    } else {
        Some(v)
    }
}

/// A growable output buffer for attributes and messages.
#[derive(Default, Debug, Clone)]
pub struct Writer {
    /// The bytes written so far.
    pub buf: Vec<u8>,
}

/// A nest opened with [`Writer::begin`], closed with [`Writer::end`].
#[must_use]
pub struct Nest(usize);

impl Writer {
    /// An empty writer.
    pub fn new() -> Self {
        Writer { buf: Vec::new() }
    }
    /// A writer with room for `n` bytes.
    pub fn with_capacity(n: usize) -> Self {
        Writer {
            buf: Vec::with_capacity(n),
        }
    }
    /// Pad the buffer to the netlink alignment.
    pub fn pad(&mut self) {
        let n = align(self.buf.len()) - self.buf.len();
        self.buf.resize(self.buf.len() + n, 0);
    }
    /// Append an attribute with the given full type and payload.
    pub fn put_raw(&mut self, ty: u16, payload: &[u8]) {
        let len = (NLA_HDRLEN + payload.len()).min(u16::MAX as usize) as u16;
        self.buf.extend_from_slice(&len.to_ne_bytes());
        self.buf.extend_from_slice(&ty.to_ne_bytes());
        self.buf.extend_from_slice(payload);
        self.pad();
    }
    /// Start a nested attribute of full type `ty`.
    pub fn begin(&mut self, ty: u16) -> Nest {
        let at = self.buf.len();
        self.buf.extend_from_slice(&[0, 0]);
        self.buf.extend_from_slice(&ty.to_ne_bytes());
        Nest(at)
    }
    /// Finish a nested attribute, fixing its length.
    pub fn end(&mut self, nest: Nest) {
        let len = (self.buf.len() - nest.0).min(u16::MAX as usize) as u16;
        self.buf[nest.0..nest.0 + 2].copy_from_slice(&len.to_ne_bytes());
        self.pad();
    }
    /// Append an attribute whose payload is produced by a typed value.
    pub fn put<A: Attribute>(&mut self, ty: u16, value: &A) {
        let at = self.buf.len();
        self.buf.extend_from_slice(&[0, 0]);
        self.buf.extend_from_slice(&ty.to_ne_bytes());
        value.encode(self);
        let len = (self.buf.len() - at).min(u16::MAX as usize) as u16;
        self.buf[at..at + 2].copy_from_slice(&len.to_ne_bytes());
        self.pad();
    }
}

/// A typed attribute payload: decodes from the exact payload bytes and
/// encodes back to them. `decode` returns `None` when the bytes do not have
/// the expected shape, and the caller then keeps the attribute raw, so no
/// input is ever lost or causes a panic.
pub trait Attribute: Sized {
    /// Decode a payload (unpadded).
    fn decode(payload: &Bytes) -> Option<Self>;
    /// Append the payload (unpadded) to `w`.
    fn encode(&self, w: &mut Writer);
}

impl Attribute for u8 {
    fn decode(p: &Bytes) -> Option<Self> {
        (p.len() == 1).then(|| p[0])
    }
    fn encode(&self, w: &mut Writer) {
        w.buf.push(*self);
    }
}

impl Attribute for u16 {
    /// Network byte order, as nf_tables sends 16-bit values.
    fn decode(p: &Bytes) -> Option<Self> {
        (p.len() == 2).then(|| u16::from_be_bytes([p[0], p[1]]))
    }
    fn encode(&self, w: &mut Writer) {
        w.buf.extend_from_slice(&self.to_be_bytes());
    }
}

impl Attribute for u32 {
    /// Network byte order, as nf_tables sends 32-bit values.
    fn decode(p: &Bytes) -> Option<Self> {
        (p.len() == 4).then(|| u32::from_be_bytes([p[0], p[1], p[2], p[3]]))
    }
    fn encode(&self, w: &mut Writer) {
        w.buf.extend_from_slice(&self.to_be_bytes());
    }
}

impl Attribute for i32 {
    /// Network byte order (chain priorities, verdict codes).
    fn decode(p: &Bytes) -> Option<Self> {
        (p.len() == 4).then(|| i32::from_be_bytes([p[0], p[1], p[2], p[3]]))
    }
    fn encode(&self, w: &mut Writer) {
        w.buf.extend_from_slice(&self.to_be_bytes());
    }
}

impl Attribute for u64 {
    /// Network byte order (handles, counters).
    fn decode(p: &Bytes) -> Option<Self> {
        let a: [u8; 8] = p.as_ref().try_into().ok()?;
        Some(u64::from_be_bytes(a))
    }
    fn encode(&self, w: &mut Writer) {
        w.buf.extend_from_slice(&self.to_be_bytes());
    }
}

impl Attribute for Bytes {
    fn decode(p: &Bytes) -> Option<Self> {
        Some(p.clone())
    }
    fn encode(&self, w: &mut Writer) {
        w.buf.extend_from_slice(self);
    }
}

impl Attribute for String {
    /// A NUL-terminated string; exactly one trailing NUL and valid UTF-8,
    /// otherwise the attribute stays raw.
    fn decode(p: &Bytes) -> Option<Self> {
        let (last, body) = p.split_last()?;
        if *last != 0 || body.contains(&0) {
            return None;
        }
        std::str::from_utf8(body).ok().map(str::to_owned)
    }
    fn encode(&self, w: &mut Writer) {
        w.buf.extend_from_slice(self.as_bytes());
        w.buf.push(0);
    }
}

/// An unknown attribute kept in a typed structure, with its position among
/// all attributes of the original stream, so it is re-emitted in place.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Extra {
    /// Index of this attribute in the original attribute stream.
    pub pos: u16,
    /// The attribute itself.
    pub attr: RawAttr,
}

/// Wire details of a typed structure that differ from its canonical
/// encoding: NLA flag bits, field order, unknown attributes. Absent (no
/// allocation) in the common case where the input was canonical.
#[derive(Clone, Default)]
pub struct Wire(Option<Box<WireInfo>>);

/// The contents of a non-canonical [`Wire`].
#[derive(Clone, Debug, Default, PartialEq)]
pub struct WireInfo {
    /// NLA flag bits seen per field (2 bits each, in field order).
    pub flags: u64,
    /// Field indices in wire order, when it differs from the declared order.
    pub order: Vec<u8>,
    /// Attributes kept raw, with their original positions.
    pub extra: Vec<Extra>,
}

const NO_EXTRA: &[Extra] = &[];

impl Wire {
    /// Build from parts; stays unallocated when they are all empty.
    pub fn from_parts(flags: u64, order: Vec<u8>, extra: Vec<Extra>) -> Wire {
        if flags == 0 && order.is_empty() && extra.is_empty() {
            Wire(None)
        } else {
            Wire(Some(Box::new(WireInfo {
                flags,
                order,
                extra,
            })))
        }
    }
    /// Flag bits per field.
    pub fn flags(&self) -> u64 {
        self.0.as_ref().map_or(0, |w| w.flags)
    }
    /// Field order when non-canonical (else empty).
    pub fn order(&self) -> &[u8] {
        self.0.as_ref().map_or(&[], |w| w.order.as_slice())
    }
    /// Unknown attributes with their positions.
    pub fn extra(&self) -> &[Extra] {
        self.0.as_ref().map_or(NO_EXTRA, |w| w.extra.as_slice())
    }
    /// Mutable access (allocates).
    pub fn info_mut(&mut self) -> &mut WireInfo {
        self.0.get_or_insert_with(Default::default)
    }
    /// True when the structure was canonical.
    pub fn is_plain(&self) -> bool {
        self.flags() == 0 && self.order().is_empty() && self.extra().is_empty()
    }
}

impl PartialEq for Wire {
    fn eq(&self, o: &Wire) -> bool {
        self.flags() == o.flags() && self.order() == o.order() && self.extra() == o.extra()
    }
}

impl std::fmt::Debug for Wire {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "Wire {{ wire_flags: {}, wire_order: {:?}, extra: {:?} }}",
            self.flags(),
            self.order(),
            self.extra()
        )
    }
}

impl<T: Attribute> Attribute for Box<T> {
    fn decode(p: &Bytes) -> Option<Self> {
        T::decode(p).map(Box::new)
    }
    fn encode(&self, w: &mut Writer) {
        (**self).encode(w)
    }
}

/// Emit extras whose position is due before attribute number `n`.
#[doc(hidden)]
#[inline]
pub fn emit_due(w: &mut Writer, extras: &[Extra], ei: &mut usize, n: &mut usize) {
    while *ei < extras.len() && (extras[*ei].pos as usize) <= *n {
        extras[*ei].attr.write(w);
        *ei += 1;
        *n += 1;
    }
}

/// Define a lossless typed attribute set: a struct with one `Option` field per
/// known attribute (declared in the kernel's dump order), the NLA flag bits
/// seen on each field, the original field order when it differs from the
/// declared one, and the unknown attributes with their positions.
///
/// Decoding puts an attribute into `extra` when its number is unknown, when
/// its payload does not decode as the field's type, or when it repeats.
/// Encoding emits the fields in the order they were seen (declared order for
/// values built in code) with the extras re-inserted where they were, so
/// decode-then-encode reproduces the input byte for byte.
#[macro_export]
macro_rules! attr_struct {
    (
        $(#[$meta:meta])*
        pub struct $name:ident {
            $( $(#[$fmeta:meta])* $num:literal => $field:ident : $ty:ty ),* $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Debug, Default, PartialEq)]
        pub struct $name {
            $( $(#[$fmeta])* pub $field: Option<$ty>, )*
            /// Flags, order and unknown attributes of the original encoding.
            pub wire: $crate::nla::Wire,
        }

        #[allow(dead_code)]
        impl $name {
            /// Decode from an attribute stream; `None` if it is malformed.
            #[allow(unused_assignments, unused_mut, unused_variables)]
            pub fn parse(buf: &bytes::Bytes) -> Option<Self> {
                let mut s = Self::default();
                let mut it = $crate::nla::AttrIter::new(buf.clone());
                let mut seen = [0u8; 64];
                let mut nseen = 0usize;
                let mut in_order = true;
                let mut pos: u16 = 0;
                let mut wflags: u64 = 0;
                let mut extra: Vec<$crate::nla::Extra> = Vec::new();
                for a in it.by_ref() {
                    let kind = a.kind();
                    let flags = (a.flags() >> 14) as u64;
                    let mut taken = false;
                    let mut idx: usize = 0;
                    $(
                        if !taken && kind == $num && s.$field.is_none() {
                            if let Some(v) = <$ty as $crate::nla::Attribute>::decode(&a.payload) {
                                s.$field = Some(v);
                                wflags |= flags << (2 * idx);
                                if nseen > 0 && (seen[nseen - 1] as usize) > idx {
                                    in_order = false;
                                }
                                if nseen < seen.len() {
                                    seen[nseen] = idx as u8;
                                    nseen += 1;
                                }
                                taken = true;
                            }
                        }
                        idx += 1;
                    )*
                    if !taken {
                        extra.push($crate::nla::Extra { pos, attr: a });
                    }
                    pos = pos.saturating_add(1);
                }
                if it.malformed() {
                    return None;
                }
                let order = if in_order { Vec::new() } else { seen[..nseen].to_vec() };
                s.wire = $crate::nla::Wire::from_parts(wflags, order, extra);
                Some(s)
            }

            #[allow(unused_assignments, unused_mut, unused_variables)]
            fn write_field(&self, want: usize, w: &mut $crate::nla::Writer) -> bool {
                let mut idx: usize = 0;
                $(
                    if idx == want {
                        if let Some(v) = &self.$field {
                            let fl = (((self.wire.flags() >> (2 * idx)) & 3) as u16) << 14;
                            w.put(($num as u16) | fl, v);
                            return true;
                        }
                        return false;
                    }
                    idx += 1;
                )*
                false
            }

            /// Number of known fields.
            #[allow(unused_mut)]
            pub const FIELD_COUNT: usize = { let mut n = 0usize; $( let _ = $num; n += 1; )* n };

            /// Unknown attributes kept raw, with their positions.
            pub fn extra(&self) -> &[$crate::nla::Extra] {
                self.wire.extra()
            }
            /// Mutable unknown attributes (for building unusual messages).
            pub fn extra_mut(&mut self) -> &mut Vec<$crate::nla::Extra> {
                &mut self.wire.info_mut().extra
            }
            /// Field order seen on the wire, when not the declared one.
            pub fn wire_order(&self) -> &[u8] {
                self.wire.order()
            }
            /// NLA flag bits seen per field (2 bits each).
            pub fn wire_flags(&self) -> u64 {
                self.wire.flags()
            }
            /// Set the NLA flag bits per field (2 bits each).
            pub fn set_wire_flags(&mut self, flags: u64) {
                self.wire.info_mut().flags = flags;
            }

            /// Encode as an attribute stream.
            pub fn write_attrs(&self, w: &mut $crate::nla::Writer) {
                let extra = self.wire.extra();
                let mut ei = 0usize;
                let mut n = 0usize;
                let mut done = [false; 64];
                for &i in self.wire.order().iter() {
                    let i = i as usize;
                    if i < done.len() && !done[i] {
                        $crate::nla::emit_due(w, extra, &mut ei, &mut n);
                        if self.write_field(i, w) {
                            n += 1;
                        }
                        done[i] = true;
                    }
                }
                for i in 0..Self::FIELD_COUNT.min(done.len()) {
                    if !done[i] {
                        $crate::nla::emit_due(w, extra, &mut ei, &mut n);
                        if self.write_field(i, w) {
                            n += 1;
                        }
                    }
                }
                while ei < extra.len() {
                    extra[ei].attr.write(w);
                    ei += 1;
                }
            }

            /// Encode to a fresh buffer.
            pub fn to_bytes(&self) -> Vec<u8> {
                let mut w = $crate::nla::Writer::new();
                self.write_attrs(&mut w);
                w.buf
            }
        }

        impl $crate::nla::Attribute for $name {
            fn decode(p: &bytes::Bytes) -> Option<Self> {
                Self::parse(p)
            }
            fn encode(&self, w: &mut $crate::nla::Writer) {
                self.write_attrs(w)
            }
        }
    };
}

/// Define an integer-coded enum with an `Unknown(n)` variant, so unknown
/// values survive decoding; it encodes as its underlying integer type.
#[macro_export]
macro_rules! wire_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident : $repr:ty {
            $( $(#[$vmeta:meta])* $variant:ident = $val:expr ),* $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum $name {
            $( $(#[$vmeta])* $variant, )*
            /// A value nftwire does not know, kept as is.
            Unknown($repr),
        }

        impl $name {
            /// The wire value.
            pub fn value(self) -> $repr {
                match self {
                    $( $name::$variant => $val, )*
                    $name::Unknown(v) => v,
                }
            }
            /// From a wire value.
            #[allow(unreachable_patterns)]
            pub fn from_value(v: $repr) -> Self {
                match v {
                    $( x if x == $val => $name::$variant, )*
                    other => $name::Unknown(other),
                }
            }
        }

        impl From<$repr> for $name {
            fn from(v: $repr) -> Self {
                Self::from_value(v)
            }
        }

        impl $crate::nla::Attribute for $name {
            fn decode(p: &bytes::Bytes) -> Option<Self> {
                <$repr as $crate::nla::Attribute>::decode(p).map(Self::from_value)
            }
            fn encode(&self, w: &mut $crate::nla::Writer) {
                <$repr as $crate::nla::Attribute>::encode(&self.value(), w)
            }
        }
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    attr_struct! {
        /// test struct
        pub struct T {
            1 => a: u32,
            2 => b: String,
            3 => c: Bytes,
        }
    }

    fn enc(attrs: &[(u16, &[u8])]) -> Bytes {
        let mut w = Writer::new();
        for (t, p) in attrs {
            w.put_raw(*t, p);
        }
        Bytes::from(w.buf)
    }

    #[test]
    fn roundtrip_with_unknown_and_reordered() {
        let cases: Vec<Bytes> = vec![
            enc(&[(1, &[0, 0, 0, 5]), (2, b"hi\0"), (3, &[1, 2, 3])]),
            enc(&[(9, &[7]), (1, &[0, 0, 0, 5]), (0x8003, &[1]), (2, b"x\0")]),
            enc(&[(2, b"x\0"), (1, &[0, 0, 0, 5])]),
            enc(&[(1, &[0, 0, 5]), (1, &[0, 0, 0, 5]), (1, &[0, 0, 0, 6])]),
            enc(&[(2, b"no-nul"), (2, b"two\0\0")]),
        ];
        for c in cases {
            let t = T::parse(&c).unwrap();
            assert_eq!(t.to_bytes(), c.to_vec(), "{t:?}");
        }
        let t = T::parse(&enc(&[(2, b"x\0"), (1, &[0, 0, 0, 5])])).unwrap();
        assert_eq!(t.b.as_deref(), Some("x"));
        assert_eq!(t.a, Some(5));
        assert!(t.extra().is_empty());
        assert_eq!(t.wire_order(), &[1, 0]);
    }

    #[test]
    fn malformed_is_none_not_panic() {
        assert!(T::parse(&Bytes::from_static(&[8, 0, 1])).is_none());
        assert!(T::parse(&Bytes::from_static(&[2, 0, 1, 0])).is_none());
        assert!(T::parse(&Bytes::from_static(&[200, 0, 1, 0, 0])).is_none());
    }

    wire_enum! {
        /// test enum
        pub enum E: u32 { A = 0, B = 7 }
    }

    #[test]
    fn enum_unknown_kept() {
        assert_eq!(E::from_value(7), E::B);
        assert_eq!(E::from_value(9), E::Unknown(9));
        assert_eq!(E::Unknown(9).value(), 9);
    }
}
