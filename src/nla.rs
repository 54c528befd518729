//! Netlink attributes: zero-copy readers ([`AttrIter`] of `Bytes`,
//! [`SliceIter`] of borrowed slices), a writer, and the [`Attribute`] trait
//! that typed values implement.
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

/// Check the attribute at the start of `rest` (which must not be empty):
/// its full type, payload length and padded length, or `None` when it is
/// truncated, shorter than its header, or followed by missing or non-zero
/// padding (re-encoding could not reproduce such a stream, so it counts as
/// malformed and the caller keeps it raw).
#[inline]
fn step(rest: &[u8]) -> Option<(u16, usize, usize)> {
    let hdr: &[u8; NLA_HDRLEN] = rest.first_chunk()?;
    let len = u16::from_ne_bytes([hdr[0], hdr[1]]) as usize;
    let ty = u16::from_ne_bytes([hdr[2], hdr[3]]);
    let padded = align(len);
    if len < NLA_HDRLEN || padded > rest.len() {
        return None;
    }
    // The last word ends with the `padded - len` (0 to 3) padding bytes: its
    // high bytes when read little-endian.
    let pad = padded - len;
    if pad != 0 {
        let last: [u8; 4] = rest[padded - 4..padded].try_into().ok()?;
        if u32::from_le_bytes(last) >> (8 * (4 - pad)) != 0 {
            return None;
        }
    }
    Some((ty, len, padded))
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
        let Some((ty, len, padded)) = step(&self.buf[self.pos..]) else {
            self.bad = true;
            return None;
        };
        let payload = self.buf.slice(self.pos + NLA_HDRLEN..self.pos + len);
        self.pos += padded;
        Some(RawAttr { ty, payload })
    }
}

/// Borrowing iterator over the attributes in a buffer: yields each full
/// type (flags included) with its unpadded payload as a subslice of the
/// buffer, without touching any reference count. Same rules as
/// [`AttrIter`]: it stops at the first malformed attribute and reports it
/// through [`SliceIter::malformed`].
#[derive(Clone)]
pub struct SliceIter<'a> {
    rest: &'a [u8],
    bad: bool,
}

impl<'a> SliceIter<'a> {
    /// Iterate over the attributes of `buf`.
    #[inline]
    pub fn new(buf: &'a [u8]) -> Self {
        SliceIter {
            rest: buf,
            bad: false,
        }
    }
    /// True when iteration stopped at malformed bytes.
    #[inline]
    pub fn malformed(&self) -> bool {
        self.bad
    }
}

impl<'a> Iterator for SliceIter<'a> {
    type Item = (u16, &'a [u8]);
    #[inline]
    fn next(&mut self) -> Option<(u16, &'a [u8])> {
        if self.bad || self.rest.is_empty() {
            return None;
        }
        let Some((ty, len, padded)) = step(self.rest) else {
            self.bad = true;
            return None;
        };
        let payload = &self.rest[NLA_HDRLEN..len];
        self.rest = &self.rest[padded..];
        Some((ty, payload))
    }
}

/// `part` (a subslice of `parent`, such as a payload from [`SliceIter`]) as
/// a `Bytes` sharing `parent`'s storage: what `parent.slice(..)` of the same
/// range gives. A slice from elsewhere is copied rather than panicking.
#[inline]
pub fn sub_bytes(parent: &Bytes, part: &[u8]) -> Bytes {
    if part.is_empty() {
        return Bytes::new();
    }
    let base = parent.as_ptr() as usize;
    let start = part.as_ptr() as usize;
    match start.checked_sub(base) {
        Some(off) if off <= parent.len() && part.len() <= parent.len() - off => {
            parent.slice(off..off + part.len())
        }
        _ => Bytes::copy_from_slice(part),
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

/// The length field of an attribute of `n` bytes (header included): `n`,
/// or 0 when `n` does not fit in 16 bits. An attribute is never silently
/// cut short: 0 is below the header's own size, so the stream no longer
/// parses, and [`check_lengths`] (which every batch runs before sending)
/// reports it as too long.
pub fn attr_len(n: usize) -> u16 {
    u16::try_from(n).unwrap_or(0)
}

/// Check that `buf` is a stream of whole attributes, as [`Writer`] makes
/// them: the error names the first attribute that is too long for netlink
/// (written with length 0 by [`attr_len`]) or otherwise malformed, by its
/// type and byte offset.
pub fn check_lengths(buf: &[u8]) -> Result<(), String> {
    let mut pos = 0usize;
    while pos < buf.len() {
        let Some(hdr) = buf[pos..].first_chunk::<NLA_HDRLEN>() else {
            return Err(format!("{} stray bytes at offset {pos}", buf.len() - pos));
        };
        let len = u16::from_ne_bytes([hdr[0], hdr[1]]) as usize;
        let ty = u16::from_ne_bytes([hdr[2], hdr[3]]) & NLA_TYPE_MASK;
        if len == 0 {
            return Err(format!(
                "attribute {ty} at offset {pos} is longer than the 65,535 bytes a netlink \
                 attribute can hold"
            ));
        }
        if len < NLA_HDRLEN || pos + len > buf.len() {
            return Err(format!(
                "attribute {ty} at offset {pos} has a bad length ({len})"
            ));
        }
        pos += align(len);
    }
    Ok(())
}

/// nf_tables attribute numbers are below this: no attribute set has more
/// than about 25 members (room is left for later kernels). A higher number
/// is a corrupted type, which the kernel would silently ignore, so
/// [`Attribute::undecoded`] reports it.
pub const ATTR_NUMBER_LIMIT: u16 = 64;

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
    /// Append an attribute with the given full type and payload. A payload
    /// too long for an attribute's 16-bit length is written with length 0
    /// (see [`attr_len`]).
    pub fn put_raw(&mut self, ty: u16, payload: &[u8]) {
        let len = attr_len(NLA_HDRLEN + payload.len());
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
        let len = attr_len(self.buf.len() - nest.0);
        self.buf[nest.0..nest.0 + 2].copy_from_slice(&len.to_ne_bytes());
        self.pad();
    }
    /// Append an attribute whose payload is produced by a typed value.
    pub fn put<A: Attribute>(&mut self, ty: u16, value: &A) {
        self.put_with(ty, |w| value.encode(w));
    }
    /// [`Writer::put`], or with the payload in its alternative form
    /// ([`Attribute::encode_alt`]) when `alt`.
    #[inline]
    pub fn put_form<A: Attribute>(&mut self, ty: u16, value: &A, alt: bool) {
        self.put_with(ty, |w| {
            if alt {
                value.encode_alt(w)
            } else {
                value.encode(w)
            }
        });
    }
    #[inline]
    fn put_with(&mut self, ty: u16, payload: impl FnOnce(&mut Writer)) {
        let at = self.buf.len();
        self.buf.extend_from_slice(&[0, 0]);
        self.buf.extend_from_slice(&ty.to_ne_bytes());
        payload(self);
        let len = attr_len(self.buf.len() - at);
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
    /// Decode a payload given as a subslice of `parent` (as [`SliceIter`]
    /// yields it); same result as [`Attribute::decode`] of that range.
    /// Typed structures decode this way without a `Bytes` (and its reference
    /// count) per attribute; only values that keep bytes share `parent`'s
    /// storage, via [`sub_bytes`]. The default makes the `Bytes` first.
    #[inline]
    fn decode_in(parent: &Bytes, payload: &[u8]) -> Option<Self> {
        Self::decode(&sub_bytes(parent, payload))
    }
    /// Append the payload (unpadded) to `w`.
    fn encode(&self, w: &mut Writer);
    /// True for values that are never an attribute stream (integers,
    /// strings, enumerations): such an attribute flagged `NLA_F_NESTED` is
    /// corrupt (see [`Attribute::undecoded`]).
    const SCALAR: bool = false;
    /// The first attribute, here or nested within, whose number is known but
    /// whose payload did not decode as that field's type (or that repeats):
    /// a description such as `attribute 4 (exprs)`. Such attributes are kept
    /// raw, so this is how a check tells a corrupted encoding from a merely
    /// unusual one. `None` for values without nested attributes.
    fn undecoded(&self) -> Option<String> {
        None
    }
    /// Decode a payload that [`Attribute::decode_in`] rejects but that has
    /// a second reading the type can write back exactly with
    /// [`Attribute::encode_alt`]: a string without its trailing NUL, as
    /// some userspace libraries send names (the kernel accepts both). The
    /// default has none.
    #[inline]
    fn decode_alt_in(_parent: &Bytes, _payload: &[u8]) -> Option<Self> {
        None
    }
    /// Append the payload (unpadded) in the form
    /// [`Attribute::decode_alt_in`] read.
    fn encode_alt(&self, w: &mut Writer) {
        self.encode(w)
    }
}

impl Attribute for u8 {
    const SCALAR: bool = true;
    fn decode(p: &Bytes) -> Option<Self> {
        Self::decode_in(p, p)
    }
    #[inline]
    fn decode_in(_parent: &Bytes, p: &[u8]) -> Option<Self> {
        (p.len() == 1).then(|| p[0])
    }
    fn encode(&self, w: &mut Writer) {
        w.buf.push(*self);
    }
}

/// Implement [`Attribute`] for integers in network byte order, as nf_tables
/// sends them (16/32-bit values, chain priorities, verdict codes, handles,
/// counters).
macro_rules! be_int_attribute {
    ($($ty:ty),*) => {$(
        impl Attribute for $ty {
            const SCALAR: bool = true;
            fn decode(p: &Bytes) -> Option<Self> {
                Self::decode_in(p, p)
            }
            #[inline]
            fn decode_in(_parent: &Bytes, p: &[u8]) -> Option<Self> {
                Some(<$ty>::from_be_bytes(p.try_into().ok()?))
            }
            fn encode(&self, w: &mut Writer) {
                w.buf.extend_from_slice(&self.to_be_bytes());
            }
        }
    )*};
}

be_int_attribute!(u16, u32, i32, u64);

impl Attribute for String {
    const SCALAR: bool = true;
    /// A NUL-terminated string; exactly one trailing NUL and valid UTF-8,
    /// otherwise the attribute stays raw.
    fn decode(p: &Bytes) -> Option<Self> {
        Self::decode_in(p, p)
    }
    #[inline]
    fn decode_in(_parent: &Bytes, p: &[u8]) -> Option<Self> {
        let (last, body) = p.split_last()?;
        if *last != 0 {
            return None;
        }
        if is_ascii_no_nul(body) {
            // SAFETY: every byte is in 1..=0x7f (checked just above), and
            // ASCII is valid UTF-8.
            return Some(unsafe { String::from_utf8_unchecked(body.to_vec()) });
        }
        if body.contains(&0) {
            return None;
        }
        std::str::from_utf8(body).ok().map(str::to_owned)
    }
    fn encode(&self, w: &mut Writer) {
        w.buf.extend_from_slice(self.as_bytes());
        w.buf.push(0);
    }
    /// A string without the trailing NUL (rustables writes names so): no
    /// NUL at all and valid UTF-8.
    #[cold]
    #[inline(never)]
    fn decode_alt_in(_parent: &Bytes, p: &[u8]) -> Option<Self> {
        if p.contains(&0) {
            return None;
        }
        std::str::from_utf8(p).ok().map(str::to_owned)
    }
    #[cold]
    #[inline(never)]
    fn encode_alt(&self, w: &mut Writer) {
        w.buf.extend_from_slice(self.as_bytes());
    }
}

/// True when every byte of `b` is ASCII and not NUL (the common case of a
/// name), checked 8 bytes at a time: faster than `contains(&0)` plus
/// `str::from_utf8` on short strings.
#[inline]
fn is_ascii_no_nul(b: &[u8]) -> bool {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let words = b.chunks_exact(8);
    let tail = words.remainder();
    let mut acc = 0u64;
    for w in words {
        let x = u64::from_le_bytes(w.try_into().unwrap_or_default());
        // A byte >= 0x80 has its high bit set in `x`; the lowest 0 byte
        // becomes 0xff in `x - ONES` (no borrow reaches it from below, as
        // the bytes below are not 0). Bytes 1..=0x7f set neither.
        acc |= x.wrapping_sub(ONES) | x;
    }
    for &t in tail {
        acc |= u64::from(t.wrapping_sub(1) | t);
    }
    acc & HIGH == 0
}

impl Attribute for Bytes {
    fn decode(p: &Bytes) -> Option<Self> {
        Some(p.clone())
    }
    #[inline]
    fn decode_in(parent: &Bytes, p: &[u8]) -> Option<Self> {
        Some(sub_bytes(parent, p))
    }
    fn encode(&self, w: &mut Writer) {
        w.buf.extend_from_slice(self);
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
    /// Fields whose payload was in their type's alternative form
    /// ([`Attribute::decode_alt_in`]), one bit per field.
    pub alt: u64,
    /// Field indices in wire order, when it differs from the declared order.
    pub order: Vec<u8>,
    /// Attributes kept raw, with their original positions.
    pub extra: Vec<Extra>,
    /// NLA flag bits of the attributes that wrap the structure, for a
    /// structure whose owner writes those headers from its own fields: an
    /// expression's list element, `NFTA_EXPR_NAME` and `NFTA_EXPR_DATA`
    /// (2 bits each, in that order), and whether the name lacked its NUL
    /// (see [`crate::expr::ExprBody::outer_flags`]).
    pub outer: u8,
}

const NO_EXTRA: &[Extra] = &[];

impl Wire {
    /// Build from parts; stays unallocated when they are all empty.
    #[inline]
    pub fn from_parts(flags: u64, order: Vec<u8>, extra: Vec<Extra>) -> Wire {
        if flags == 0 && order.is_empty() && extra.is_empty() {
            Wire(None)
        } else {
            Wire(Some(Box::new(WireInfo {
                flags,
                alt: 0,
                order,
                extra,
                outer: 0,
            })))
        }
    }
    /// Flag bits per field.
    pub fn flags(&self) -> u64 {
        self.0.as_ref().map_or(0, |w| w.flags)
    }
    /// Fields in their type's alternative form, one bit each.
    pub fn alt(&self) -> u64 {
        self.0.as_ref().map_or(0, |w| w.alt)
    }
    /// Field order when non-canonical (else empty).
    pub fn order(&self) -> &[u8] {
        self.0.as_ref().map_or(&[], |w| w.order.as_slice())
    }
    /// Unknown attributes with their positions.
    pub fn extra(&self) -> &[Extra] {
        self.0.as_ref().map_or(NO_EXTRA, |w| w.extra.as_slice())
    }
    /// Flag bits of the wrapping attributes ([`WireInfo::outer`]).
    pub fn outer(&self) -> u8 {
        self.0.as_ref().map_or(0, |w| w.outer)
    }
    /// Set the flag bits of the wrapping attributes; setting 0 on a
    /// canonical structure allocates nothing. (Out of line: decoding calls
    /// it from every expression kind's arm, only for unusual input.)
    #[inline(never)]
    pub fn set_outer(&mut self, outer: u8) {
        if outer != 0 || self.0.is_some() {
            self.info_mut().outer = outer;
        }
    }
    /// Mutable access (allocates).
    pub fn info_mut(&mut self) -> &mut WireInfo {
        self.0.get_or_insert_with(Default::default)
    }
    /// True when the structure was canonical.
    pub fn is_plain(&self) -> bool {
        self.flags() == 0
            && self.alt() == 0
            && self.order().is_empty()
            && self.extra().is_empty()
            && self.outer() == 0
    }
}

impl PartialEq for Wire {
    #[inline]
    fn eq(&self, o: &Wire) -> bool {
        match (&self.0, &o.0) {
            // The common case (both canonical), without comparing slices.
            (None, None) => true,
            _ => {
                self.flags() == o.flags()
                    && self.alt() == o.alt()
                    && self.order() == o.order()
                    && self.extra() == o.extra()
                    && self.outer() == o.outer()
            }
        }
    }
}

impl std::fmt::Debug for Wire {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "Wire {{ wire_flags: {}, alt: {:#x}, wire_order: {:?}, extra: {:?}, outer: {} }}",
            self.flags(),
            self.alt(),
            self.order(),
            self.extra(),
            self.outer()
        )
    }
}

impl<T: Attribute> Attribute for Box<T> {
    const SCALAR: bool = T::SCALAR;
    fn decode(p: &Bytes) -> Option<Self> {
        T::decode(p).map(Box::new)
    }
    #[inline]
    fn decode_in(parent: &Bytes, p: &[u8]) -> Option<Self> {
        T::decode_in(parent, p).map(Box::new)
    }
    fn encode(&self, w: &mut Writer) {
        (**self).encode(w)
    }
    fn undecoded(&self) -> Option<String> {
        (**self).undecoded()
    }
    #[inline]
    fn decode_alt_in(parent: &Bytes, p: &[u8]) -> Option<Self> {
        T::decode_alt_in(parent, p).map(Box::new)
    }
    fn encode_alt(&self, w: &mut Writer) {
        (**self).encode_alt(w)
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
            pub fn parse(buf: &bytes::Bytes) -> Option<Self> {
                Self::parse_in(buf, buf)
            }

            /// [`Self::parse`] of `buf`, a subslice of `parent`: attributes
            /// are walked as borrowed slices, and fields (or unknown
            /// attributes) that keep bytes share `parent`'s storage.
            #[allow(unused_assignments, unused_mut, unused_variables)]
            pub fn parse_in(parent: &bytes::Bytes, buf: &[u8]) -> Option<Self> {
                let mut s = Self::default();
                let mut it = $crate::nla::SliceIter::new(buf);
                let mut seen = [0u8; 64];
                let mut nseen = 0usize;
                // The last index recorded in `seen` (0 before any).
                let mut last = 0usize;
                let mut in_order = true;
                let mut pos: u16 = 0;
                let mut wflags: u64 = 0;
                let mut walt: u64 = 0;
                let mut extra: Vec<$crate::nla::Extra> = Vec::new();
                for (ty, payload) in it.by_ref() {
                    let kind = ty & $crate::nla::NLA_TYPE_MASK;
                    let flags = (ty >> 14) as u64;
                    let mut taken = false;
                    let mut idx: usize = 0;
                    $(
                        if !taken && kind == $num && s.$field.is_none() {
                            let mut v = <$ty as $crate::nla::Attribute>::decode_in(parent, payload);
                            if v.is_none() && idx < 64 {
                                v = <$ty as $crate::nla::Attribute>::decode_alt_in(parent, payload);
                                if v.is_some() {
                                    walt |= 1 << idx;
                                }
                            }
                            if let Some(v) = v {
                                s.$field = Some(v);
                                wflags |= flags << (2 * idx);
                                if last > idx {
                                    in_order = false;
                                }
                                if nseen < seen.len() {
                                    seen[nseen] = idx as u8;
                                    nseen += 1;
                                    last = idx;
                                }
                                taken = true;
                            }
                        }
                        idx += 1;
                    )*
                    if !taken {
                        let payload = $crate::nla::sub_bytes(parent, payload);
                        let attr = $crate::nla::RawAttr { ty, payload };
                        extra.push($crate::nla::Extra { pos, attr });
                    }
                    pos = pos.saturating_add(1);
                }
                if it.malformed() {
                    return None;
                }
                let order = if in_order { Vec::new() } else { seen[..nseen].to_vec() };
                s.wire = $crate::nla::Wire::from_parts(wflags, order, extra);
                if walt != 0 {
                    s.wire.info_mut().alt = walt;
                }
                Some(s)
            }

            #[allow(unused_assignments, unused_mut, unused_variables)]
            fn write_field(&self, want: usize, w: &mut $crate::nla::Writer) -> bool {
                let mut idx: usize = 0;
                $(
                    if idx == want {
                        if let Some(v) = &self.$field {
                            let fl = (((self.wire.flags() >> (2 * idx)) & 3) as u16) << 14;
                            let alt = self.wire.alt().checked_shr(idx as u32).unwrap_or(0) & 1 != 0;
                            w.put_form(($num as u16) | fl, v, alt);
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

            /// The attribute numbers of the known fields.
            pub const ATTR_NUMBERS: &'static [u16] = &[ $( $num ),* ];

            /// See [`$crate::nla::Attribute::undecoded`].
            #[allow(unused_assignments)]
            pub fn undecoded_attr(&self) -> Option<String> {
                if let Some(x) = self.wire.extra().iter().find(|x| {
                    Self::ATTR_NUMBERS.contains(&x.attr.kind())
                        || x.attr.kind() >= $crate::nla::ATTR_NUMBER_LIMIT
                }) {
                    let k = x.attr.kind();
                    #[allow(unused_mut)]
                    let mut field = "";
                    $( if k == $num && field.is_empty() { field = stringify!($field); } )*
                    return Some(if field.is_empty() {
                        format!("attribute {k} (a number no kernel uses)")
                    } else {
                        format!("attribute {k} ({field}: malformed or repeated)")
                    });
                }
                #[allow(unused_mut, unused_variables)]
                let mut idx = 0usize;
                $(
                    let nested = (self.wire.flags() >> (2 * idx)) & 2 != 0;
                    if self.$field.is_some() && nested && <$ty as $crate::nla::Attribute>::SCALAR {
                        return Some(format!("attribute {} ({}, flagged nested but a value)", $num, stringify!($field)));
                    }
                    idx += 1;
                    if let Some(v) = &self.$field {
                        if let Some(inner) = $crate::nla::Attribute::undecoded(v) {
                            return Some(format!("{} ({}) > {inner}", $num, stringify!($field)));
                        }
                    }
                )*
                None
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
            fn decode_in(parent: &bytes::Bytes, p: &[u8]) -> Option<Self> {
                Self::parse_in(parent, p)
            }
            fn encode(&self, w: &mut $crate::nla::Writer) {
                self.write_attrs(w)
            }
            fn undecoded(&self) -> Option<String> {
                self.undecoded_attr()
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
            const SCALAR: bool = true;
            fn decode(p: &bytes::Bytes) -> Option<Self> {
                <$repr as $crate::nla::Attribute>::decode(p).map(Self::from_value)
            }
            #[inline]
            fn decode_in(parent: &bytes::Bytes, p: &[u8]) -> Option<Self> {
                <$repr as $crate::nla::Attribute>::decode_in(parent, p).map(Self::from_value)
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
    fn string_without_nul_is_typed_and_kept() {
        // rustables writes names without their NUL: typed, marked, and
        // written back the same way; a NUL inside is still unknown.
        let c = enc(&[(1, &[0, 0, 0, 5]), (0x8002, b"no-nul")]);
        let t = T::parse(&c).unwrap();
        assert_eq!(t.b.as_deref(), Some("no-nul"));
        assert!(t.extra().is_empty());
        assert_eq!(t.wire.alt(), 0b10);
        assert_eq!(t.wire_flags(), 2 << 2);
        assert_eq!(t.to_bytes(), c.to_vec());
        let mut canonical = t.clone();
        canonical.wire = Wire::default();
        assert_ne!(canonical, t);
        assert_eq!(
            canonical.to_bytes(),
            enc(&[(1, &[0, 0, 0, 5]), (2, b"no-nul\0")]).to_vec()
        );
        for bad in [&b"two\0\0"[..], b"a\0b", b"\xff"] {
            let c = enc(&[(2, bad)]);
            let t = T::parse(&c).unwrap();
            assert!(t.b.is_none(), "{bad:?}");
            assert_eq!(t.extra().len(), 1);
            assert_eq!(t.to_bytes(), c.to_vec());
        }
        // The empty payload is the empty string without its NUL.
        let c = enc(&[(2, b"")]);
        let t = T::parse(&c).unwrap();
        assert_eq!(t.b.as_deref(), Some(""));
        assert_eq!(t.to_bytes(), c.to_vec());
    }

    #[test]
    fn malformed_is_none_not_panic() {
        assert!(T::parse(&Bytes::from_static(&[8, 0, 1])).is_none());
        assert!(T::parse(&Bytes::from_static(&[2, 0, 1, 0])).is_none());
        assert!(T::parse(&Bytes::from_static(&[200, 0, 1, 0, 0])).is_none());
    }

    #[test]
    fn string_decode_matches_reference() {
        // The ASCII fast path must accept and reject exactly what the plain
        // rule (one trailing NUL, no other NUL, UTF-8) does.
        let reference = |p: &[u8]| {
            let (last, body) = p.split_last()?;
            if *last != 0 || body.contains(&0) {
                return None;
            }
            std::str::from_utf8(body).ok().map(str::to_owned)
        };
        for len in 0..20 {
            for at in 0..len {
                for b in [0u8, 1, b'a', 0x7f, 0x80, 0xc3, 0xff] {
                    let mut p = vec![b'k'; len];
                    p[at] = b;
                    for end in [None, Some(0u8), Some(b'x')] {
                        let mut q = p.clone();
                        q.extend(end);
                        let got = String::decode(&Bytes::from(q.clone()));
                        assert_eq!(got, reference(&q), "{q:?}");
                    }
                }
            }
        }
        let utf8 = Bytes::from_static("hé\0".as_bytes());
        assert_eq!(String::decode(&utf8).as_deref(), Some("hé"));
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
