//! nft's userdata TLVs (`type:u8 len:u8 value`) on tables, chains, rules,
//! sets, elements and objects: comments, set key byte orders, `typeof`
//! expressions.

/// One TLV.
#[derive(Clone, Copy, Debug)]
pub struct Tlv<'a> {
    /// Type.
    pub ty: u8,
    /// Value.
    pub val: &'a [u8],
}

/// All TLVs of a buffer; `None` when the callback logic of nft would
/// reject it (a comment without NUL) is not checked here.
pub fn tlvs(b: &[u8]) -> Vec<Tlv<'_>> {
    let mut v = Vec::new();
    let mut i = 0usize;
    while i + 2 <= b.len() {
        let ty = b[i];
        let len = b[i + 1] as usize;
        let Some(val) = b.get(i + 2..i + 2 + len) else {
            break;
        };
        v.push(Tlv { ty, val });
        i += 2 + len;
    }
    v
}

/// A host-order u32 TLV value.
pub fn u32_of(t: &Tlv<'_>) -> Option<u32> {
    let a: [u8; 4] = t.val.try_into().ok()?;
    Some(u32::from_ne_bytes(a))
}

/// Result of looking for a NUL-terminated comment of type `ty`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Comment {
    /// No comment TLV.
    None,
    /// A comment.
    Some(String),
    /// A TLV of that type that is not NUL-terminated: nft rejects the
    /// whole userdata.
    Invalid,
}

/// The comment TLV of type `ty` (the last one wins, as in nft).
pub fn comment(b: &[u8], ty: u8) -> Comment {
    let mut out = Comment::None;
    let mut i = 0usize;
    while i + 2 <= b.len() {
        let t = b[i];
        let len = b[i + 1] as usize;
        let val = b.get(i + 2..i + 2 + len);
        if t == ty {
            match val {
                Some(v) if !v.is_empty() && v[v.len() - 1] == 0 => {
                    let s = &v[..v.len() - 1];
                    let end = s.iter().position(|&c| c == 0).unwrap_or(s.len());
                    out = Comment::Some(String::from_utf8_lossy(&s[..end]).into_owned());
                }
                _ => return Comment::Invalid,
            }
        }
        if val.is_none() {
            break;
        }
        i += 2 + len;
    }
    out
}

/// The comment as an option.
pub fn comment_opt(b: Option<&[u8]>, ty: u8) -> Option<String> {
    match comment(b?, ty) {
        Comment::Some(s) => Some(s),
        _ => None,
    }
}
