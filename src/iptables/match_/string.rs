//! `-m string` (revision 1, `struct xt_string_info`, 160 bytes; the
//! kernel's pointer after the first 152 is not compared): a byte pattern
//! searched with a kernel textsearch algorithm.

use crate::iptables::error::{IptError, Result};
use crate::iptables::ext::{Ctx, OptCall, OptDef, XtExt, F_INVERT, F_MAND};
use crate::iptables::family::Family;
use crate::iptables::text::parse_uint;
use crate::iptables::xtbuf::Blob;
use crate::iptables::xtbuf::Rd;
use std::fmt::Write as _;

/// `XT_STRING_MAX_PATTERN_SIZE`.
const PATTERN_MAX: usize = 128;
/// `XT_STRING_MAX_ALGO_NAME_SIZE`.
const ALGO_MAX: usize = 16;
const FLAG_INVERT: u8 = 0x01;
const FLAG_IGNORECASE: u8 = 0x02;
const F_STRING: u32 = 1 << 4;
const F_HEX_STRING: u32 = 1 << 5;

/// `struct xt_string_info` (revision 1 layout of the flags byte).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StringMatch {
    /// First offset searched.
    pub from_offset: u16,
    /// Last offset searched.
    pub to_offset: u16,
    /// Algorithm name (`bm`, `kmp`).
    pub algo: String,
    /// The pattern.
    pub pattern: Vec<u8>,
    /// `XT_STRING_FLAG_*`.
    pub flags: u8,
    /// The revision written: 1, or 0 where the kernel lacks it (the flags
    /// byte is then an inversion byte, and `--icase` is refused).
    pub rev: u32,
}

const OPTS: &[OptDef] = &[
    OptDef::arg("from", 0, 0),
    OptDef::arg("to", 1, 0),
    OptDef::arg("algo", 2, F_MAND),
    OptDef::arg("string", 4, F_INVERT).excl(F_HEX_STRING),
    OptDef::arg("hex-string", 5, F_INVERT).excl(F_STRING),
    OptDef::flag("icase", 3, 0),
];

/// `parse_hex_string`: text with `|hex bytes|` blocks and `\` literals.
fn parse_hex(s: &str) -> Result<Vec<u8>> {
    let b = s.as_bytes();
    let at = |i: usize| b.get(i).copied().unwrap_or(0);
    let slen = b.len();
    if slen == 0 {
        return Err(IptError::param("STRING must contain at least one char"));
    }
    let mut out = Vec::new();
    let (mut i, mut hex, mut literal) = (0usize, false, false);
    while i < slen {
        if out.len() >= PATTERN_MAX {
            return Err(IptError::param(format!("STRING too long \"{s}\"")));
        }
        if b[i] == b'\\' && !hex {
            literal = true;
        } else if b[i] == b'\\' {
            return Err(IptError::param("Cannot include literals in hex data"));
        } else if b[i] == b'|' {
            if hex {
                hex = false;
            } else {
                hex = true;
                while at(i + 1) == b' ' {
                    i += 1;
                }
            }
            if i + 1 >= slen {
                break;
            }
            i += 1;
        }
        if literal {
            if i + 1 >= slen {
                return Err(IptError::param("Bad literal placement at end of string"));
            }
            out.push(b[i + 1]);
            i += 2;
            literal = false;
        } else if hex {
            if i + 1 >= slen {
                return Err(IptError::param("Odd number of hex digits"));
            }
            if i + 2 >= slen {
                return Err(IptError::param("Invalid hex block"));
            }
            for k in [i, i + 1] {
                if !b[k].is_ascii_hexdigit() {
                    return Err(IptError::param(format!(
                        "Invalid hex char '{}'",
                        b[k] as char
                    )));
                }
            }
            let hexdigit = |c: u8| (c as char).to_digit(16).unwrap_or(0) as u8;
            out.push(hexdigit(b[i]) << 4 | hexdigit(b[i + 1]));
            i += if at(i + 2) == b' ' { 3 } else { 2 };
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    Ok(out)
}

impl StringMatch {
    /// `is_hex_string`: printed in hex when not all printable or ending
    /// in a backslash.
    fn needs_hex(&self) -> bool {
        self.pattern.iter().any(|&c| !(0x20..0x7f).contains(&c))
            || self.pattern.last() == Some(&b'\\')
    }
    fn pattern_text(&self, out: &mut String) {
        if self.needs_hex() {
            out.push_str(" \"|");
            for c in &self.pattern {
                let _ = write!(out, "{c:02x}");
            }
            out.push_str("|\"");
        } else {
            out.push_str(" \"");
            for &c in &self.pattern {
                if c == b'"' || c == b'\\' {
                    out.push('\\');
                }
                out.push(c as char);
            }
            out.push('"');
        }
    }
}

impl StringMatch {
    /// Revision 0's inversion byte, revision 1's inversion flag.
    fn inverted(&self) -> bool {
        if self.rev == 0 {
            self.flags != 0
        } else {
            self.flags & FLAG_INVERT != 0
        }
    }
}

impl XtExt for StringMatch {
    const NAME: &'static str = "string";
    const REVISION: u32 = 1;
    const SIZE: usize = 160;
    const USERSPACE: usize = 152;
    const OPTIONS: &'static [OptDef] = OPTS;

    fn init(_: &Ctx<'_>) -> Self {
        StringMatch {
            from_offset: 0,
            to_offset: u16::MAX,
            algo: String::new(),
            pattern: Vec::new(),
            flags: 0,
            rev: 1,
        }
    }
    fn revisions(_: Family) -> &'static [u32] {
        &[1, 0]
    }
    crate::revision_in_field!();
    fn parse(&mut self, c: &mut OptCall<'_>, _: &Ctx<'_>) -> Result<()> {
        let arg = c.arg();
        match c.def.id {
            0 => self.from_offset = parse_uint("string", c.def.name, arg, 0, 65535)? as u16,
            1 => self.to_offset = parse_uint("string", c.def.name, arg, 0, 65535)? as u16,
            2 => {
                let b = arg.as_bytes();
                self.algo = String::from_utf8_lossy(&b[..b.len().min(ALGO_MAX - 1)]).into_owned();
            }
            3 if self.rev == 0 => return Err(IptError::param("Kernel doesn't support --icase")),
            3 => self.flags |= FLAG_IGNORECASE,
            id => {
                if id == 4 {
                    if arg.len() > PATTERN_MAX {
                        return Err(IptError::param(format!("STRING too long \"{arg}\"")));
                    }
                    self.pattern = arg.as_bytes().to_vec();
                } else {
                    self.pattern = parse_hex(arg)?;
                }
                if c.invert {
                    self.flags |= FLAG_INVERT;
                }
            }
        }
        Ok(())
    }
    fn check(&mut self, seen: u32, _: &Ctx<'_>) -> Result<()> {
        if seen & (F_STRING | F_HEX_STRING) == 0 {
            return Err(IptError::param(
                "STRING match: You must specify `--string' or `--hex-string'",
            ));
        }
        Ok(())
    }
    fn to_info(&self, _: &Ctx<'_>) -> Vec<u8> {
        let mut b = Blob::new(Self::SIZE);
        b.u16(0, self.from_offset)
            .u16(2, self.to_offset)
            .str(4, ALGO_MAX, &self.algo)
            .bytes(20, &self.pattern[..self.pattern.len().min(PATTERN_MAX)])
            .u8(148, self.pattern.len().min(PATTERN_MAX) as u8)
            .u8(149, self.flags);
        b.into_vec()
    }
    fn from_info(info: &[u8], rev: u32, cx: &Ctx<'_>) -> Option<Self> {
        if rev > 1 || info.len() != Self::SIZE {
            return None;
        }
        let r = Rd(info);
        let n = (r.u8(148)? as usize).min(PATTERN_MAX);
        let m = StringMatch {
            from_offset: r.u16(0)?,
            to_offset: r.u16(2)?,
            algo: r.str(4, ALGO_MAX)?,
            pattern: r.bytes(20, n)?.to_vec(),
            flags: r.u8(149)?,
            rev,
        };
        m.info_is(cx, info).then_some(m)
    }
    fn save(&self, _: &Ctx<'_>, out: &mut String) {
        let bang = if self.inverted() { " !" } else { "" };
        let opt = if self.needs_hex() {
            "hex-string"
        } else {
            "string"
        };
        let _ = write!(out, "{bang} --{opt}");
        self.pattern_text(out);
        let _ = write!(out, " --algo {}", self.algo);
        if self.from_offset != 0 {
            let _ = write!(out, " --from {}", self.from_offset);
        }
        if self.to_offset != u16::MAX {
            let _ = write!(out, " --to {}", self.to_offset);
        }
        if self.rev > 0 && self.flags & FLAG_IGNORECASE != 0 {
            out.push_str(" --icase");
        }
    }
    fn print(&self, _: &Ctx<'_>, _: bool, out: &mut String) {
        let bang = if self.inverted() { "!" } else { "" };
        let _ = write!(out, " STRING match {bang}");
        self.pattern_text(out);
        let _ = write!(out, " ALGO name {}", self.algo);
        if self.from_offset != 0 {
            let _ = write!(out, " FROM {}", self.from_offset);
        }
        if self.to_offset != u16::MAX {
            let _ = write!(out, " TO {}", self.to_offset);
        }
        if self.rev > 0 && self.flags & FLAG_IGNORECASE != 0 {
            out.push_str(" ICASE");
        }
    }
}
