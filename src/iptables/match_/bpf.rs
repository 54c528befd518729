//! `-m bpf` (revision 1, `struct xt_bpf_info_v1`, 528 bytes; the kernel's
//! pointer after the first 520 is not compared): a classic BPF program
//! given as `--bytecode "N,code jt jf k,..."`, or an eBPF program pinned
//! in a bpffs (`--object-pinned PATH`, mode `XT_BPF_MODE_FD_PINNED`): the
//! object is opened with `BPF_OBJ_GET` and its descriptor, written in the
//! match with the path, is kept open until the process exits (the kernel
//! takes the program from it when the rule is added), as iptables does.
//! Where the kernel lacks revision 1, revision 0 (`struct xt_bpf_info`:
//! bytecode only, the program from byte 4, 528 bytes; 520 compared).

use crate::iptables::error::{IptError, Result};
use crate::iptables::ext::{Ctx, OptCall, OptDef, XtExt};
use crate::iptables::family::Family;
use crate::iptables::num::c_strtoul;
use crate::iptables::xtbuf::Blob;
use crate::iptables::xtbuf::Rd;
use std::fmt::Write as _;

/// `XT_BPF_MAX_NUM_INSTR`.
const MAX_INSTR: usize = 64;
/// `XT_BPF_MODE_BYTECODE`.
const MODE_BYTECODE: u16 = 0;
/// `XT_BPF_MODE_FD_PINNED`.
const MODE_FD_PINNED: u16 = 1;

/// `struct sock_filter`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SockFilter {
    /// Opcode.
    pub code: u16,
    /// Jump if true.
    pub jt: u8,
    /// Jump if false.
    pub jf: u8,
    /// Operand.
    pub k: u32,
}

/// `struct xt_bpf_info_v1`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Bpf {
    /// `XT_BPF_MODE_*`.
    pub mode: u16,
    /// The program (the union's bytes beyond it are zero).
    pub program: Vec<SockFilter>,
    /// Object fd (pinned mode).
    pub fd: i32,
    /// The pinned object's path (pinned mode; the union's bytes beyond it
    /// are zero).
    pub path: String,
    /// The revision written (0 or 1).
    pub rev: u32,
}

/// `XT_BPF_PATH_MAX`.
const PATH_MAX: usize = 512;

const OPTS: &[OptDef] = &[
    OptDef::arg("bytecode", 0, 0),
    OptDef::arg("object-pinned", 1, 0),
];

/// `sscanf("%u")`-like: skip blanks, read a decimal number; (value, end).
fn scan_u(s: &str) -> Option<(u64, usize)> {
    let skip = s.len() - s.trim_start().len();
    let (v, n) = c_strtoul(&s[skip..], 10);
    (n > 0).then_some((v, skip + n))
}

/// `bpf_parse_string`.
fn parse_program(prog: &str) -> Result<Vec<SockFilter>> {
    let err = |m: &str| IptError::param(format!("bpf: {m}"));
    let (len, n) = scan_u(prog).ok_or_else(|| err("error parsing program length"))?;
    if prog.as_bytes().get(n) != Some(&b',') {
        return Err(err("error parsing program length"));
    }
    let len = len as u16;
    if len == 0 {
        return Err(err("illegal zero length program"));
    }
    if len as usize > MAX_INSTR {
        return Err(err("number of instructions exceeds maximum"));
    }
    let mut out = Vec::new();
    let mut token = prog;
    while let Some(p) = token.find(',') {
        token = &token[p + 1..];
        if token.is_empty() {
            break;
        }
        if out.len() >= len as usize {
            return Err(err(
                "real program length exceeds the encoded length parameter",
            ));
        }
        let i = out.len();
        let bad = || err(&format!("error at instr {i}"));
        let mut at = 0;
        let mut next = || -> Result<u64> {
            let (v, n) = scan_u(&token[at..]).ok_or_else(bad)?;
            at += n;
            Ok(v)
        };
        let (code, jt, jf, k) = (next()?, next()?, next()?, next()?);
        out.push(SockFilter {
            code: code as u16,
            jt: jt as u8,
            jf: jf as u8,
            k: k as u32,
        });
    }
    if out.len() != len as usize {
        return Err(err(
            "parsed program length is less than the encoded length parameter",
        ));
    }
    Ok(out)
}

impl Bpf {
    fn code(&self, tail: char, out: &mut String) {
        let n = self.program.len();
        for (i, f) in self.program.iter().enumerate() {
            let _ = write!(out, "{} {} {} {}", f.code, f.jt, f.jf, f.k);
            out.push(if i + 1 < n { ',' } else { tail });
        }
    }
}

impl XtExt for Bpf {
    const NAME: &'static str = "bpf";
    const REVISION: u32 = 1;
    const SIZE: usize = 528;
    const USERSPACE: usize = 520;
    const OPTIONS: &'static [OptDef] = OPTS;

    fn init(_: &Ctx<'_>) -> Self {
        Bpf {
            rev: 1,
            ..Bpf::default()
        }
    }
    fn revisions(_: Family) -> &'static [u32] {
        &[1, 0]
    }
    crate::revision_in_field!();
    fn options_now(&self) -> &'static [OptDef] {
        if self.rev == 0 {
            &OPTS[..1]
        } else {
            OPTS
        }
    }
    fn parse(&mut self, c: &mut OptCall<'_>, _: &Ctx<'_>) -> Result<()> {
        if c.def.id == 1 {
            let arg = c.arg();
            // XTOPT_PUT: at most PATH_MAX - 1 bytes, cut at a byte
            let mut end = arg.len().min(PATH_MAX - 1);
            while !arg.is_char_boundary(end) {
                end -= 1;
            }
            self.path = arg[..end].to_string();
            let fd = crate::iptables::bpfobj::obj_get(arg)
                .map_err(|_| IptError::param("bpf: failed to get bpf object"))?;
            // kept open until exit, like iptables: the kernel reads it
            // when the rule is committed
            self.fd = std::os::fd::IntoRawFd::into_raw_fd(fd);
            self.program.clear();
            self.mode = MODE_FD_PINNED;
            return Ok(());
        }
        self.program = parse_program(c.arg())?;
        self.mode = MODE_BYTECODE;
        Ok(())
    }
    fn check(&mut self, seen: u32, _: &Ctx<'_>) -> Result<()> {
        if self.rev == 0 && seen & 1 == 0 {
            return Err(IptError::param("bpf: missing --bytecode parameter"));
        }
        let f = seen & 0b11;
        if f != 0b01 && f != 0b10 {
            return Err(IptError::param(
                "bpf: one of --bytecode or --pinned is required",
            ));
        }
        Ok(())
    }
    fn to_info(&self, _: &Ctx<'_>) -> Vec<u8> {
        if self.rev == 0 {
            let mut b = Blob::new(Self::SIZE);
            b.u16(0, self.program.len() as u16);
            for (i, f) in self.program.iter().enumerate() {
                let at = 4 + 8 * i;
                b.u16(at, f.code)
                    .u8(at + 2, f.jt)
                    .u8(at + 3, f.jf)
                    .u32(at + 4, f.k);
            }
            return b.into_vec();
        }
        let mut b = Blob::new(Self::SIZE);
        b.u16(0, self.mode)
            .u16(2, self.program.len() as u16)
            .u32(4, self.fd as u32);
        if self.mode == MODE_FD_PINNED {
            b.str(8, PATH_MAX, &self.path);
            return b.into_vec();
        }
        for (i, f) in self.program.iter().enumerate() {
            let at = 8 + 8 * i;
            b.u16(at, f.code)
                .u8(at + 2, f.jt)
                .u8(at + 3, f.jf)
                .u32(at + 4, f.k);
        }
        b.into_vec()
    }
    fn from_info(info: &[u8], rev: u32, cx: &Ctx<'_>) -> Option<Self> {
        if rev > 1 || info.len() != Self::SIZE {
            return None;
        }
        let r = Rd(info);
        let program = |n: usize, base: usize| -> Option<Vec<SockFilter>> {
            (0..n.min(MAX_INSTR))
                .map(|i| {
                    let at = base + 8 * i;
                    Some(SockFilter {
                        code: r.u16(at)?,
                        jt: r.u8(at + 2)?,
                        jf: r.u8(at + 3)?,
                        k: r.u32(at + 4)?,
                    })
                })
                .collect()
        };
        let b = if rev == 0 {
            Bpf {
                program: program(r.u16(0)? as usize, 4)?,
                rev,
                ..Bpf::default()
            }
        } else {
            let mode = r.u16(0)?;
            if mode == MODE_FD_PINNED && r.u16(2)? == 0 {
                Bpf {
                    mode,
                    fd: r.u32(4)? as i32,
                    path: r.str(8, PATH_MAX)?,
                    program: Vec::new(),
                    rev,
                }
            } else if mode == MODE_BYTECODE {
                Bpf {
                    mode,
                    fd: r.u32(4)? as i32,
                    path: String::new(),
                    program: program(r.u16(2)? as usize, 8)?,
                    rev,
                }
            } else {
                return None;
            }
        };
        (b.to_info(cx) == info).then_some(b)
    }
    fn save(&self, _: &Ctx<'_>, out: &mut String) {
        if self.mode == MODE_FD_PINNED {
            let _ = write!(out, " --object-pinned {}", self.path);
            return;
        }
        let _ = write!(out, " --bytecode \"{},", self.program.len());
        self.code('"', out);
    }
    fn print(&self, _: &Ctx<'_>, _: bool, out: &mut String) {
        out.push_str("match bpf ");
        if self.mode == MODE_FD_PINNED {
            let _ = write!(out, "pinned {}", self.path);
            return;
        }
        // iptables ends the list with the character '\0' (written out).
        self.code('\0', out);
    }
}
