//! `NFTA_DATA_*`: the value/verdict container used by cmp, immediate,
//! range, bitwise, set elements and more.

use crate::{attr_struct, wire_enum};
use bytes::Bytes;

wire_enum! {
    /// A verdict code (`NF_*` and `NFT_*` verdicts); queue verdicts with a
    /// queue number and future codes stay `Unknown`.
    pub enum VerdictCode: i32 {
        /// `drop`
        Drop = 0,
        /// `accept`
        Accept = 1,
        /// `stolen`
        Stolen = 2,
        /// `queue`
        Queue = 3,
        /// `repeat`
        Repeat = 4,
        /// `stop`
        Stop = 5,
        /// `continue`
        Continue = -1,
        /// `break`
        Break = -2,
        /// `jump CHAIN`
        Jump = -3,
        /// `goto CHAIN`
        Goto = -4,
        /// `return`
        Return = -5,
    }
}

impl VerdictCode {
    /// The keyword nft and libnftnl use.
    pub fn keyword(self) -> String {
        match self {
            VerdictCode::Drop => "drop".into(),
            VerdictCode::Accept => "accept".into(),
            VerdictCode::Stolen => "stolen".into(),
            VerdictCode::Queue => "queue".into(),
            VerdictCode::Repeat => "repeat".into(),
            VerdictCode::Stop => "stop".into(),
            VerdictCode::Continue => "continue".into(),
            VerdictCode::Break => "break".into(),
            VerdictCode::Jump => "jump".into(),
            VerdictCode::Goto => "goto".into(),
            VerdictCode::Return => "return".into(),
            VerdictCode::Unknown(n) => format!("unknown-verdict-{n}"),
        }
    }
}

attr_struct! {
    /// `NFTA_VERDICT_*`: a verdict with an optional target chain.
    pub struct Verdict {
        /// `NFTA_VERDICT_CODE`
        1 => code: VerdictCode,
        /// `NFTA_VERDICT_CHAIN`
        2 => chain: String,
        /// `NFTA_VERDICT_CHAIN_ID` (transaction-local chain id)
        3 => chain_id: u32,
    }
}

attr_struct! {
    /// `NFTA_DATA_*`: either a value or a verdict.
    pub struct Data {
        /// `NFTA_DATA_VALUE`
        1 => value: Bytes,
        /// `NFTA_DATA_VERDICT` (boxed: rare, and keeps `Data` small)
        2 => verdict: Box<Verdict>,
    }
}

impl Data {
    /// A data container holding raw value bytes.
    pub fn value(b: impl Into<Bytes>) -> Self {
        Data {
            value: Some(b.into()),
            ..Default::default()
        }
    }
    /// A data container holding a verdict (and a chain for jump/goto).
    pub fn verdict(code: VerdictCode, chain: Option<&str>) -> Self {
        Data {
            verdict: Some(Box::new(Verdict {
                code: Some(code),
                chain: chain.map(str::to_owned),
                ..Default::default()
            })),
            ..Default::default()
        }
    }
    /// The value bytes, if this is a value.
    pub fn bytes(&self) -> Option<&[u8]> {
        self.value.as_deref()
    }
    /// Whether the debug form (`Display`) is empty: no value bytes, no
    /// verdict and no unknown attribute.
    pub fn is_blank(&self) -> bool {
        self.value.as_ref().is_none_or(|v| v.is_empty())
            && self.verdict.is_none()
            && self.extra().is_empty()
    }
}

/// libnftnl's debug form of a value: 32-bit little-endian-read words as
/// `0x%08x`, space separated (this is how `nft --debug=netlink` shows data).
pub fn words(b: &[u8]) -> String {
    let mut out = String::with_capacity(b.len().div_ceil(4) * 11);
    let _ = write_words(&mut out, b);
    out
}

/// [`words`], written to `f` without building a string.
pub fn write_words(f: &mut impl std::fmt::Write, b: &[u8]) -> std::fmt::Result {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    for (i, chunk) in b.chunks(4).enumerate() {
        let mut w = [0u8; 4];
        w[..chunk.len()].copy_from_slice(chunk);
        // ` 0x` and the word as a little-endian u32, most significant digit
        // first (no space before the first word).
        let mut text = *b" 0x00000000";
        for (k, &x) in w.iter().rev().enumerate() {
            text[3 + 2 * k] = DIGITS[usize::from(x >> 4)];
            text[4 + 2 * k] = DIGITS[usize::from(x & 15)];
        }
        let text = if i == 0 { &text[1..] } else { &text[..] };
        f.write_str(std::str::from_utf8(text).map_err(|_| std::fmt::Error)?)?;
    }
    Ok(())
}

/// Write a space and the debug form of `d` ([`Data`]'s `Display`), or
/// nothing when `d` is absent or its form is empty: how libnftnl follows
/// a register with its data.
pub fn write_spaced(f: &mut String, d: Option<&Data>) -> std::fmt::Result {
    match d {
        Some(d) if !d.is_blank() => {
            f.push(' ');
            d.write_debug(f)
        }
        _ => Ok(()),
    }
}

/// libnftnl's name of a verdict code (`nftnl_verdict2str`): the keyword,
/// or `unknown` for codes it does not know (queue verdicts with a number).
pub fn verdict_debug_name(code: VerdictCode) -> &'static str {
    match code {
        VerdictCode::Drop => "drop",
        VerdictCode::Accept => "accept",
        VerdictCode::Stolen => "stolen",
        VerdictCode::Queue => "queue",
        VerdictCode::Repeat => "repeat",
        VerdictCode::Stop => "stop",
        VerdictCode::Continue => "continue",
        VerdictCode::Break => "break",
        VerdictCode::Jump => "jump",
        VerdictCode::Goto => "goto",
        VerdictCode::Return => "return",
        VerdictCode::Unknown(_) => "unknown",
    }
}

impl std::fmt::Display for Data {
    /// libnftnl's debug form: value words, or the verdict name with `->
    /// CHAIN` (a verdict without a code prints as code 0, `drop`).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.write_debug(f)
    }
}

impl Data {
    /// Write the debug form ([`Data`]'s `Display`) to `f`.
    pub fn write_debug(&self, f: &mut impl std::fmt::Write) -> std::fmt::Result {
        if let Some(v) = &self.value {
            write_words(f, v)?;
        }
        if let Some(v) = &self.verdict {
            if self.value.as_ref().is_some_and(|b| !b.is_empty()) {
                f.write_str(" ")?;
            }
            f.write_str(verdict_debug_name(v.code.unwrap_or(VerdictCode::Drop)))?;
            if let Some(c) = &v.chain {
                f.write_str(" -> ")?;
                f.write_str(c)?;
            }
        }
        for e in self.extra() {
            write!(f, " {:?}", e.attr)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn words_are_little_endian_u32s_in_hex() {
        assert_eq!(super::words(&[0x0a, 0x00, 0xf4, 0x00]), "0x00f4000a");
        assert_eq!(super::words(&[6]), "0x00000006");
        assert_eq!(
            super::words(&[1, 2, 3, 4, 0xff, 0xfe]),
            "0x04030201 0x0000feff"
        );
        assert_eq!(super::words(&[]), "");
    }

    #[test]
    fn blank_is_an_empty_debug_form() {
        use super::{Data, VerdictCode};
        let cases = [
            Data::default(),
            Data::value(Vec::new()),
            Data::value(vec![1u8]),
            Data::verdict(VerdictCode::Accept, None),
            Data::verdict(VerdictCode::Jump, Some("x")),
        ];
        for d in cases {
            assert_eq!(d.is_blank(), d.to_string().is_empty(), "{d:?}");
        }
    }
}
