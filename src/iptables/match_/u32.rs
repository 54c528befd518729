//! `-m u32` (revision 0, `struct xt_u32`, 1984 bytes): tests of 32-bit
//! words at computed packet offsets (`LOCATION=VALUES&&...`).

use crate::iptables::error::{IptError, Result};
use crate::iptables::ext::{decode_exact, Ctx, OptCall, OptDef, XtExt, F_INVERT, F_MAND};
use crate::iptables::num::strtoui_prefix;
use crate::iptables::xtbuf::Blob;
use std::fmt::Write as _;

/// `XT_U32_MAXSIZE`: tests, operators and values per test (+1 each).
const MAXSIZE: usize = 10;
const TEST_SIZE: usize = 180;
const OPS: [&str; 4] = ["&", "<<", ">>", "@"];

/// `struct xt_u32_test`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct U32Test {
    /// `(number, nextop)` of each location element.
    pub location: [(u32, u8); MAXSIZE + 1],
    /// `(min, max)` value ranges.
    pub value: [(u32, u32); MAXSIZE + 1],
    /// Location elements used.
    pub nnums: u8,
    /// Value ranges used.
    pub nvalues: u8,
}

impl Default for U32Test {
    fn default() -> Self {
        U32Test {
            location: [(0, 0); MAXSIZE + 1],
            value: [(0, 0); MAXSIZE + 1],
            nnums: 0,
            nvalues: 0,
        }
    }
}

/// `struct xt_u32`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct U32 {
    /// Tests (`ntests` used).
    pub tests: Vec<U32Test>,
    /// Tests used.
    pub ntests: u8,
    /// `!`.
    pub invert: u8,
}

const OPTS: &[OptDef] = &[OptDef::arg("u32", 0, F_MAND | F_INVERT)];

fn err(m: String) -> IptError {
    IptError::param(format!("u32: {m}"))
}

/// `parse_number`: a C number (any base) at `*at`.
fn number(s: &[u8], at: &mut usize) -> Result<u32> {
    let pos = *at;
    let rest = std::str::from_utf8(&s[pos..]).unwrap_or("");
    let (v, n) = strtoui_prefix(rest, 0, u32::MAX as u64)
        .filter(|(_, n)| *n > 0)
        .ok_or_else(|| err(format!("at char {pos}: not a number or out of range")))?;
    *at += n;
    Ok(v as u32)
}

/// `u32_parse`.
fn parse_tests(arg: &str) -> Result<(Vec<U32Test>, u8)> {
    let s = arg.as_bytes();
    let at_ = |i: usize| s.get(i).copied().unwrap_or(0);
    let mut tests = vec![U32Test::default(); MAXSIZE + 1];
    let (mut testind, mut locind, mut valind) = (0usize, 0usize, 0usize);
    let mut state = 0;
    let mut i = 0usize;
    loop {
        while at_(i).is_ascii_whitespace() {
            i += 1;
        }
        if at_(i) == 0 {
            if state == 0 {
                return Err(err("abrupt end of input after location specifier".into()));
            }
            if valind == 0 {
                return Err(err("test ended with no value specified".into()));
            }
            tests[testind].nnums = locind as u8;
            tests[testind].nvalues = valind as u8;
            testind += 1;
            if testind > MAXSIZE {
                return Err(err(format!("at char {i}: too many \"&&\"s")));
            }
            tests.truncate(testind);
            return Ok((tests, testind as u8));
        }
        if state == 0 {
            if at_(i) == b'=' {
                if locind == 0 {
                    return Err(err(format!("at char {i}: location spec missing")));
                }
                i += 1;
                state = 1;
                continue;
            }
            if locind != 0 {
                let op = match at_(i) {
                    b'&' => 0,
                    b'<' | b'>' => {
                        let c = at_(i);
                        i += 1;
                        if at_(i) != c {
                            let w = if c == b'<' { '<' } else { '>' };
                            return Err(err(format!("at char {i}: a second '{w}' was expected")));
                        }
                        if c == b'<' {
                            1
                        } else {
                            2
                        }
                    }
                    b'@' => 3,
                    _ => return Err(err(format!("at char {i}: operator expected"))),
                };
                tests[testind].location[locind].1 = op;
                i += 1;
            }
            let n = number(s, &mut i)?;
            tests[testind].location[locind].0 = n;
            locind += 1;
            if locind > MAXSIZE {
                return Err(err(format!("at char {i}: too many operators")));
            }
        } else if at_(i) == b'&' {
            i += 1;
            if at_(i) != b'&' {
                return Err(err(format!("at char {i}: a second '&' was expected")));
            }
            if valind == 0 {
                return Err(err(format!("at char {i}: value spec missing")));
            }
            tests[testind].nnums = locind as u8;
            tests[testind].nvalues = valind as u8;
            testind += 1;
            if testind > MAXSIZE {
                return Err(err(format!("at char {i}: too many \"&&\"s")));
            }
            i += 1;
            state = 0;
            locind = 0;
            valind = 0;
        } else {
            if valind > 0 {
                if at_(i) != b',' {
                    return Err(err(format!("at char {i}: expected \",\" or \"&&\"")));
                }
                i += 1;
            }
            let min = number(s, &mut i)?;
            while at_(i).is_ascii_whitespace() {
                i += 1;
            }
            let max = if at_(i) == b':' {
                i += 1;
                number(s, &mut i)?
            } else {
                min
            };
            tests[testind].value[valind] = (min, max);
            valind += 1;
            if valind > MAXSIZE {
                return Err(err(format!("at char {i}: too many \",\"s")));
            }
        }
    }
}

impl U32 {
    fn dump(&self, out: &mut String) {
        out.push_str(" \"");
        for (ti, t) in self.tests.iter().take(self.ntests as usize).enumerate() {
            if ti > 0 {
                out.push_str("&&");
            }
            let _ = write!(out, "0x{:x}", t.location[0].0);
            for (n, op) in t.location.iter().take(t.nnums as usize).skip(1) {
                out.push_str(OPS.get(*op as usize).copied().unwrap_or(""));
                let _ = write!(out, "0x{n:x}");
            }
            out.push('=');
            for (vi, (lo, hi)) in t.value.iter().take(t.nvalues as usize).enumerate() {
                if vi > 0 {
                    out.push(',');
                }
                if lo == hi {
                    let _ = write!(out, "0x{lo:x}");
                } else {
                    let _ = write!(out, "0x{lo:x}:0x{hi:x}");
                }
            }
        }
        out.push('"');
    }
}

impl XtExt for U32 {
    const NAME: &'static str = "u32";
    const REVISION: u32 = 0;
    const SIZE: usize = 1984;
    const OPTIONS: &'static [OptDef] = OPTS;

    fn init(_: &Ctx<'_>) -> Self {
        U32::default()
    }
    fn parse(&mut self, c: &mut OptCall<'_>, _: &Ctx<'_>) -> Result<()> {
        self.invert = c.invert as u8;
        (self.tests, self.ntests) = parse_tests(c.arg())?;
        Ok(())
    }
    fn to_info(&self, _: &Ctx<'_>) -> Vec<u8> {
        let mut b = Blob::new(Self::SIZE);
        for (ti, t) in self.tests.iter().take(MAXSIZE + 1).enumerate() {
            let at = ti * TEST_SIZE;
            for (k, (n, op)) in t.location.iter().enumerate() {
                b.u32(at + 8 * k, *n).u8(at + 8 * k + 4, *op);
            }
            for (k, (lo, hi)) in t.value.iter().enumerate() {
                b.u32(at + 88 + 8 * k, *lo).u32(at + 92 + 8 * k, *hi);
            }
            b.u8(at + 176, t.nnums).u8(at + 177, t.nvalues);
        }
        let end = (MAXSIZE + 1) * TEST_SIZE;
        b.u8(end, self.ntests).u8(end + 1, self.invert);
        b.into_vec()
    }
    fn from_info(info: &[u8], rev: u32, cx: &Ctx<'_>) -> Option<Self> {
        decode_exact(info, rev, cx, |r| {
            let end = (MAXSIZE + 1) * TEST_SIZE;
            let ntests = r.u8(end)?;
            let mut tests = Vec::new();
            for ti in 0..=MAXSIZE {
                let at = ti * TEST_SIZE;
                let mut t = U32Test::default();
                for k in 0..=MAXSIZE {
                    t.location[k] = (r.u32(at + 8 * k)?, r.u8(at + 8 * k + 4)?);
                    t.value[k] = (r.u32(at + 88 + 8 * k)?, r.u32(at + 92 + 8 * k)?);
                }
                t.nnums = r.u8(at + 176)?;
                t.nvalues = r.u8(at + 177)?;
                tests.push(t);
            }
            // Trailing all-default tests are not kept (parsing stops there).
            while tests.len() > ntests as usize && tests.last() == Some(&U32Test::default()) {
                tests.pop();
            }
            Some(U32 {
                tests,
                ntests,
                invert: r.u8(end + 1)?,
            })
        })
    }
    fn save(&self, _: &Ctx<'_>, out: &mut String) {
        if self.invert != 0 {
            out.push_str(" !");
        }
        out.push_str(" --u32");
        self.dump(out);
    }
    fn print(&self, _: &Ctx<'_>, _: bool, out: &mut String) {
        out.push_str(" u32");
        if self.invert != 0 {
            out.push_str(" !");
        }
        self.dump(out);
    }
}
