//! Small helpers shared across the crate.

/// Lower-case hex of `b` without separators.
pub fn hex(b: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(b.len() * 2);
    for x in b {
        s.push(DIGITS[(x >> 4) as usize] as char);
        s.push(DIGITS[(x & 15) as usize] as char);
    }
    s
}

/// Parse lower- or upper-case hex without separators.
pub fn unhex(s: &str) -> Option<Vec<u8>> {
    if s.len() % 2 != 0 {
        return None;
    }
    let b = s.as_bytes();
    let nib = |c: u8| -> Option<u8> {
        match c {
            b'0'..=b'9' => Some(c - b'0'),
            b'a'..=b'f' => Some(c - b'a' + 10),
            b'A'..=b'F' => Some(c - b'A' + 10),
            _ => None,
        }
    };
    (0..b.len() / 2)
        .map(|i| Some(nib(b[2 * i])? << 4 | nib(b[2 * i + 1])?))
        .collect()
}

/// Runs of at least this many zero bytes are written as `(N)` by
/// [`hex_compact`].
pub const ZERO_RUN_MIN: usize = 8;

/// Append `b` as lower-case hex to `out`, writing each run of
/// [`ZERO_RUN_MIN`] or more zero bytes as `(N)` (N decimal). xt extension
/// blobs are mostly zero padding, so this keeps save files readable.
pub fn hex_compact_into(out: &mut String, b: &[u8]) {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut i = 0;
    while i < b.len() {
        if b[i] == 0 {
            let run = b[i..].iter().take_while(|&&x| x == 0).count();
            if run >= ZERO_RUN_MIN {
                out.push('(');
                out.push_str(&run.to_string());
                out.push(')');
                i += run;
                continue;
            }
        }
        out.push(DIGITS[(b[i] >> 4) as usize] as char);
        out.push(DIGITS[(b[i] & 15) as usize] as char);
        i += 1;
    }
}

/// Parse what [`hex_compact_into`] writes (plain hex is accepted too).
pub fn unhex_compact(s: &str) -> Option<Vec<u8>> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len() / 2);
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'(' {
            let end = i + 1 + b[i + 1..].iter().position(|&c| c == b')')?;
            let n: usize = s.get(i + 1..end)?.parse().ok()?;
            if n > (1 << 20) {
                return None;
            }
            out.resize(out.len() + n, 0);
            i = end + 1;
            continue;
        }
        let pair = s.get(i..i + 2)?;
        out.extend(unhex(pair)?);
        i += 2;
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    #[test]
    fn compact_hex_roundtrip() {
        let mut v = vec![1u8, 0, 0, 2];
        v.extend([0u8; 40]);
        v.push(0xab);
        let mut s = String::new();
        super::hex_compact_into(&mut s, &v);
        assert_eq!(s, "01000002(40)ab");
        assert_eq!(super::unhex_compact(&s).unwrap(), v);
        assert!(super::unhex_compact("(x)").is_none());
        assert!(super::unhex_compact("(3").is_none());
        assert!(super::unhex_compact("0").is_none());
    }

    #[test]
    fn hex_roundtrip() {
        assert_eq!(super::hex(&[0, 0xab, 0x10]), "00ab10");
        assert_eq!(super::unhex("00ab10").unwrap(), vec![0, 0xab, 0x10]);
        assert!(super::unhex("0g").is_none());
        assert!(super::unhex("abc").is_none());
    }
}
