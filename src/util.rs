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
// hex_compact_into finds runs by the four-byte words they cover whole.
const _: () = assert!(ZERO_RUN_MIN >= 7);

/// Append `b` as lower-case hex to `out`, writing each run of
/// [`ZERO_RUN_MIN`] or more zero bytes as `(N)` (N decimal). xt extension
/// blobs are mostly zero padding, so this keeps save files readable.
pub fn hex_compact_into(out: &mut String, b: &[u8]) {
    // SAFETY: only ASCII bytes (hex digits, parentheses, decimal digits)
    // are written, so `out` stays valid UTF-8.
    let v = unsafe { out.as_mut_vec() };
    let base = v.len();
    // Two digits per byte is the most this can take: a zero run of N >= 8
    // bytes becomes `(N)`, shorter than 2N.
    v.resize(base + 2 * b.len(), 0);
    let dst = &mut v[base..];
    // The input is read four bytes at a time. A run of eight or more zero
    // bytes always covers one of these words whole, so runs are only looked
    // for around an all-zero word: extended back over the zeros just written
    // (never before `lo`, the end of the last run) and forward.
    let (mut i, mut o, mut lo) = (0usize, 0usize, 0usize);
    while let Some(w) = b.get(i..i + 4) {
        if w != [0; 4] {
            for (d, &x) in dst[o..o + 8].chunks_exact_mut(2).zip(w) {
                d.copy_from_slice(&HEX_PAIRS[x as usize]);
            }
            o += 8;
            i += 4;
            continue;
        }
        let mut start = i;
        while start > lo && b[start - 1] == 0 {
            start -= 1;
        }
        let end = i + 4 + leading_zeros(&b[i + 4..]);
        if end - start >= ZERO_RUN_MIN {
            o -= 2 * (i - start);
            dst[o] = b'(';
            o += 1;
            o += write_decimal(&mut dst[o..], end - start);
            dst[o] = b')';
            o += 1;
            lo = end;
        } else {
            dst[o..o + 2 * (end - i)].fill(b'0');
            o += 2 * (end - i);
        }
        i = end;
    }
    // Fewer than four bytes left: too few to hold a run of their own.
    for (d, &x) in dst[o..].chunks_exact_mut(2).zip(&b[i..]) {
        d.copy_from_slice(&HEX_PAIRS[x as usize]);
    }
    o += 2 * (b.len() - i);
    v.truncate(base + o);
}

/// How many bytes at the start of `b` are zero (eight per step).
fn leading_zeros(b: &[u8]) -> usize {
    let mut words = b.chunks_exact(8);
    let mut n = 0;
    for w in words.by_ref() {
        let x = u64::from_le_bytes([w[0], w[1], w[2], w[3], w[4], w[5], w[6], w[7]]);
        if x != 0 {
            // The first byte is the least significant.
            return n + (x.trailing_zeros() / 8) as usize;
        }
        n += 8;
    }
    n + words.remainder().iter().take_while(|&&x| x == 0).count()
}

/// Whether `b` holds a `\n` or `\r` byte (eight bytes per step).
pub fn has_line_break(b: &[u8]) -> bool {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    // A byte of `x` is zero exactly when the same byte of this is set (the
    // classic test; borrows only ever flag bytes above a zero byte, which
    // makes no difference to "any").
    let zero_byte = |x: u64| x.wrapping_sub(ONES) & !x & HIGHS;
    let mut words = b.chunks_exact(8);
    for w in words.by_ref() {
        let x = u64::from_ne_bytes([w[0], w[1], w[2], w[3], w[4], w[5], w[6], w[7]]);
        if zero_byte(x ^ (ONES * u64::from(b'\n'))) | zero_byte(x ^ (ONES * u64::from(b'\r'))) != 0
        {
            return true;
        }
    }
    words.remainder().iter().any(|&c| c == b'\n' || c == b'\r')
}

/// The two lower-case hex digits of every byte value.
static HEX_PAIRS: [[u8; 2]; 256] = {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut t = [[0u8; 2]; 256];
    let mut i = 0;
    while i < 256 {
        t[i] = [DIGITS[i >> 4], DIGITS[i & 15]];
        i += 1;
    }
    t
};

/// The decimal digits of `n`, written at the end of `buf`.
fn decimal_digits(n: u64, buf: &mut [u8; 20]) -> &[u8] {
    let mut at = buf.len();
    let mut n = n;
    loop {
        at -= 1;
        buf[at] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    &buf[at..]
}

/// Write `n` in decimal at the start of `dst` (which has room: callers
/// give at least 2 bytes per digit of a run length); returns its length.
fn write_decimal(dst: &mut [u8], n: usize) -> usize {
    let mut buf = [0u8; 20];
    let digits = decimal_digits(n as u64, &mut buf);
    dst[..digits.len()].copy_from_slice(digits);
    digits.len()
}

/// Append `n` in decimal to `out` (what `write!(out, "{n}")` gives, without
/// the formatting machinery).
pub fn push_decimal(out: &mut String, n: u64) {
    let mut buf = [0u8; 20];
    // Only ASCII digits were written.
    out.push_str(std::str::from_utf8(decimal_digits(n, &mut buf)).unwrap_or_default());
}

/// Append an IPv4 address in dotted decimal (what `Ipv4Addr`'s `Display`
/// gives).
pub fn push_ipv4(out: &mut String, a: [u8; 4]) {
    for (i, x) in a.into_iter().enumerate() {
        if i > 0 {
            out.push('.');
        }
        push_decimal(out, u64::from(x));
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
    fn has_line_break_finds_every_position() {
        for len in 0..40 {
            let clean: Vec<u8> = (0..len).map(|i| b"ab\x0b\x0c\x09 x\xff"[i % 8]).collect();
            assert!(!super::has_line_break(&clean), "{clean:?}");
            for at in 0..len {
                for c in [b'\n', b'\r'] {
                    let mut v = clean.clone();
                    v[at] = c;
                    assert!(super::has_line_break(&v), "{v:?}");
                }
            }
        }
    }

    #[test]
    fn leading_zeros_counts_bytes() {
        for len in 0..30 {
            for first in 0..=len {
                let mut v = vec![0u8; len];
                if first < len {
                    v[first] = 0x80;
                }
                assert_eq!(super::leading_zeros(&v), first, "{v:?}");
            }
        }
    }

    #[test]
    fn push_ipv4_is_display() {
        for a in [
            [0, 0, 0, 0],
            [10, 99, 0, 1],
            [255, 255, 255, 255],
            [1, 20, 100, 9],
        ] {
            let mut s = String::from("x");
            super::push_ipv4(&mut s, a);
            assert_eq!(s, format!("x{}", std::net::Ipv4Addr::from(a)));
        }
    }

    #[test]
    fn push_decimal_is_display() {
        let mut n = 1u64;
        let mut cases = vec![0, u64::MAX, u64::from(u32::MAX)];
        while n < u64::MAX / 7 {
            cases.extend([n - 1, n, n + 1]);
            n *= 7;
        }
        for n in cases {
            let mut s = String::from("x");
            super::push_decimal(&mut s, n);
            assert_eq!(s, format!("x{n}"));
        }
    }

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

    /// The format spelled out byte by byte, to check the fast writer.
    fn reference(b: &[u8]) -> String {
        let mut s = String::new();
        let mut i = 0;
        while i < b.len() {
            let run = b[i..].iter().take_while(|&&x| x == 0).count();
            if run >= super::ZERO_RUN_MIN {
                s.push_str(&format!("({run})"));
                i += run;
            } else {
                s.push_str(&format!("{:02x}", b[i]));
                i += 1;
            }
        }
        s
    }

    #[test]
    fn compact_hex_matches_the_reference() {
        // Zero runs of every length around the threshold, at the start, in
        // the middle and at the end, from a fixed pseudo-random sequence.
        let mut seed = 0x2545_f491_u32;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 17;
            seed ^= seed << 5;
            seed
        };
        for _ in 0..20_000 {
            let len = (next() % 96) as usize;
            let mut v = Vec::with_capacity(len);
            while v.len() < len {
                let r = next();
                if r % 3 == 0 {
                    v.extend(std::iter::repeat_n(0u8, (r >> 8) as usize % 20));
                } else {
                    v.push((r >> 8) as u8);
                }
            }
            let mut s = String::from("x");
            super::hex_compact_into(&mut s, &v);
            assert_eq!(&s[1..], reference(&v), "{v:?}");
            assert_eq!(super::unhex_compact(&s[1..]).unwrap(), v);
        }
    }

    #[test]
    fn hex_roundtrip() {
        assert_eq!(super::hex(&[0, 0xab, 0x10]), "00ab10");
        assert_eq!(super::unhex("00ab10").unwrap(), vec![0, 0xab, 0x10]);
        assert!(super::unhex("0g").is_none());
        assert!(super::unhex("abc").is_none());
    }
}
