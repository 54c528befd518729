//! Byte helpers for xt info blobs: the kernel structs as x86_64 C lays them
//! out (host byte order for plain integers, network order where the struct
//! says `__be16`/`__be32`), padded to `XT_ALIGN` (8 bytes).

/// `XT_ALIGN`: round up to 8 bytes.
pub const fn xt_align(n: usize) -> usize {
    (n + 7) & !7
}

/// True if every byte of `b` is zero (blobs end in long runs of padding).
pub fn all_zero(b: &[u8]) -> bool {
    const ZEROS: [u8; 512] = [0; 512];
    match ZEROS.get(..b.len()) {
        Some(z) => b == z,
        None => b.iter().all(|&x| x == 0),
    }
}

/// A fixed-size zeroed blob written at explicit offsets.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Blob(pub Vec<u8>);

impl Blob {
    /// `size` zero bytes.
    pub fn new(size: usize) -> Blob {
        Blob(vec![0; size])
    }
    fn put(&mut self, off: usize, b: &[u8]) {
        if let Some(dst) = self.0.get_mut(off..off + b.len()) {
            dst.copy_from_slice(b);
        }
    }
    /// A byte.
    pub fn u8(&mut self, off: usize, v: u8) -> &mut Self {
        self.put(off, &[v]);
        self
    }
    /// A host-order u16.
    pub fn u16(&mut self, off: usize, v: u16) -> &mut Self {
        self.put(off, &v.to_ne_bytes());
        self
    }
    /// A host-order u32.
    pub fn u32(&mut self, off: usize, v: u32) -> &mut Self {
        self.put(off, &v.to_ne_bytes());
        self
    }
    /// A host-order u64.
    pub fn u64(&mut self, off: usize, v: u64) -> &mut Self {
        self.put(off, &v.to_ne_bytes());
        self
    }
    /// A network-order u16.
    pub fn be16(&mut self, off: usize, v: u16) -> &mut Self {
        self.put(off, &v.to_be_bytes());
        self
    }
    /// A network-order u32.
    pub fn be32(&mut self, off: usize, v: u32) -> &mut Self {
        self.put(off, &v.to_be_bytes());
        self
    }
    /// Raw bytes.
    pub fn bytes(&mut self, off: usize, b: &[u8]) -> &mut Self {
        self.put(off, b);
        self
    }
    /// A string truncated to `cap - 1` bytes, NUL padded (strncpy-like).
    pub fn str(&mut self, off: usize, cap: usize, s: &str) -> &mut Self {
        let b = s.as_bytes();
        let n = b.len().min(cap.saturating_sub(1));
        self.put(off, &b[..n]);
        self
    }
    /// The bytes.
    pub fn into_vec(self) -> Vec<u8> {
        self.0
    }
}

/// Reads fields of a blob; every getter returns `None` past the end.
#[derive(Clone, Copy, Debug)]
pub struct Rd<'a>(pub &'a [u8]);

impl<'a> Rd<'a> {
    fn get<const N: usize>(&self, off: usize) -> Option<[u8; N]> {
        self.0.get(off..off + N)?.try_into().ok()
    }
    /// A byte.
    pub fn u8(&self, off: usize) -> Option<u8> {
        self.0.get(off).copied()
    }
    /// A host-order u16.
    pub fn u16(&self, off: usize) -> Option<u16> {
        self.get::<2>(off).map(u16::from_ne_bytes)
    }
    /// A host-order u32.
    pub fn u32(&self, off: usize) -> Option<u32> {
        self.get::<4>(off).map(u32::from_ne_bytes)
    }
    /// A host-order u64.
    pub fn u64(&self, off: usize) -> Option<u64> {
        self.get::<8>(off).map(u64::from_ne_bytes)
    }
    /// A network-order u16.
    pub fn be16(&self, off: usize) -> Option<u16> {
        self.get::<2>(off).map(u16::from_be_bytes)
    }
    /// A network-order u32.
    pub fn be32(&self, off: usize) -> Option<u32> {
        self.get::<4>(off).map(u32::from_be_bytes)
    }
    /// `n` raw bytes.
    pub fn bytes(&self, off: usize, n: usize) -> Option<&'a [u8]> {
        self.0.get(off..off + n)
    }
    /// A NUL-terminated string within `cap` bytes (lossy UTF-8).
    pub fn str(&self, off: usize, cap: usize) -> Option<String> {
        let b = self.0.get(off..off + cap)?;
        let end = b.iter().position(|&c| c == 0).unwrap_or(b.len());
        Some(String::from_utf8_lossy(&b[..end]).into_owned())
    }
}
