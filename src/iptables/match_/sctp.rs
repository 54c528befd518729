//! `-m sctp` (revision 0, `struct xt_sctp_info`, 296 bytes): ports and
//! chunk types (with per-chunk flags) of SCTP packets.

use super::tcp::{parse_ports, print_ports, save_given_ports};
use crate::iptables::error::{IptError, Result};
use crate::iptables::ext::{decode_exact, Ctx, OptCall, OptDef, XtExt};
use crate::iptables::xlate::{XlCtx, Xlate};
use crate::iptables::xtbuf::Blob;
use std::fmt::Write as _;

const SRC_PORTS: u32 = 0x01;
const DEST_PORTS: u32 = 0x02;
const CHUNK_TYPES: u32 = 0x04;
/// `SCTP_CHUNK_MATCH_ANY`/`ALL`/`ONLY`.
const MATCH_TYPES: [(u32, &str); 3] = [(1, "any"), (2, "all"), (4, "only")];
/// `XT_NUM_SCTP_FLAGS`.
const NUM_FLAGS: usize = 4;
/// Words of `chunkmap` (the header sizes it in bytes, not bits).
const MAP_WORDS: usize = 64;
const MAP_AT: usize = 8;
const MATCH_TYPE_AT: usize = MAP_AT + 4 * MAP_WORDS;
const FLAG_INFO_AT: usize = MATCH_TYPE_AT + 4;
const FLAG_COUNT_AT: usize = FLAG_INFO_AT + 3 * NUM_FLAGS;

/// Chunk names, types and the flag letters (bit 7 first) each allows.
const CHUNKS: &[(&str, u32, &[u8; 8])] = &[
    ("DATA", 0, b"----IUBE"),
    ("INIT", 1, b"--------"),
    ("INIT_ACK", 2, b"--------"),
    ("SACK", 3, b"--------"),
    ("HEARTBEAT", 4, b"--------"),
    ("HEARTBEAT_ACK", 5, b"--------"),
    ("ABORT", 6, b"-------T"),
    ("SHUTDOWN", 7, b"--------"),
    ("SHUTDOWN_ACK", 8, b"--------"),
    ("ERROR", 9, b"--------"),
    ("COOKIE_ECHO", 10, b"--------"),
    ("COOKIE_ACK", 11, b"--------"),
    ("ECN_ECNE", 12, b"--------"),
    ("ECN_CWR", 13, b"--------"),
    ("SHUTDOWN_COMPLETE", 14, b"-------T"),
    ("I_DATA", 64, b"----IUBE"),
    ("RE_CONFIG", 130, b"--------"),
    ("PAD", 132, b"--------"),
    ("ASCONF", 193, b"--------"),
    ("ASCONF_ACK", 128, b"--------"),
    ("FORWARD_TSN", 192, b"--------"),
    ("I_FORWARD_TSN", 194, b"--------"),
];

/// `struct xt_sctp_flag_info`. As in iptables, `chunktype` holds the
/// chunk's index in the name table, not its type.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FlagInfo {
    /// Chunk (table index).
    pub chunktype: u8,
    /// Flag values.
    pub flag: u8,
    /// Flags tested.
    pub flag_mask: u8,
}

/// `struct xt_sctp_info`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Sctp {
    /// Destination ports.
    pub dpts: [u16; 2],
    /// Source ports.
    pub spts: [u16; 2],
    /// Chunk type bitmap.
    pub chunkmap: [u32; MAP_WORDS],
    /// `SCTP_CHUNK_MATCH_*`.
    pub chunk_match_type: u32,
    /// Per-chunk flag tests.
    pub flag_info: [FlagInfo; NUM_FLAGS],
    /// Used entries of `flag_info`.
    pub flag_count: i32,
    /// `XT_SCTP_*` tests present.
    pub flags: u32,
    /// `XT_SCTP_*` tests inverted.
    pub invflags: u32,
}

const OPTS: &[OptDef] = &[
    OptDef::arg("source-port", 1, 0),
    OptDef::arg("sport", 1, 0),
    OptDef::arg("destination-port", 2, 0),
    OptDef::arg("dport", 2, 0),
    OptDef::arg("chunk-types", 3, 0),
];

impl Sctp {
    fn map_set(&mut self, ty: u32) {
        self.chunkmap[(ty / 32) as usize] |= 1 << (ty % 32);
    }
    fn map_has(&self, ty: u32) -> bool {
        self.chunkmap[(ty / 32) as usize] & (1 << (ty % 32)) != 0
    }
    /// `save_chunk_flag_info`.
    fn add_flag(&mut self, index: u8, bit: u8, set: bool) -> Result<()> {
        let n = self.flag_count.clamp(0, NUM_FLAGS as i32) as usize;
        let slot = match self.flag_info[..n]
            .iter()
            .position(|f| f.chunktype == index)
        {
            Some(i) => i,
            None => {
                if n == NUM_FLAGS {
                    return Err(IptError::param(
                        "Number of chunk types with flags exceeds currently allowed limit. Increasing this limit involves changing IPT_NUM_SCTP_FLAGS and recompiling both the kernel space and user space modules",
                    ));
                }
                self.flag_info[n].chunktype = index;
                self.flag_count += 1;
                n
            }
        };
        let f = &mut self.flag_info[slot];
        f.flag_mask |= 1 << bit;
        if set {
            f.flag |= 1 << bit;
        }
        Ok(())
    }
    /// `parse_sctp_chunk`.
    fn parse_chunks(&mut self, list: &str) -> Result<()> {
        self.chunkmap = [0; MAP_WORDS];
        if list.eq_ignore_ascii_case("ALL") {
            self.chunkmap = [u32::MAX; MAP_WORDS];
            return Ok(());
        }
        if list.eq_ignore_ascii_case("NONE") {
            return Ok(());
        }
        for word in list.split(',').filter(|w| !w.is_empty()) {
            let (name, flags) = match word.split_once(':') {
                Some((n, f)) => (n, Some(f)),
                None => (word, None),
            };
            let index = CHUNKS
                .iter()
                .position(|(n, _, _)| n.eq_ignore_ascii_case(name))
                .ok_or_else(|| IptError::param(format!("Unknown sctp chunk `{name}'")))?;
            let (_, ty, valid) = CHUNKS[index];
            self.map_set(ty);
            for ch in flags.unwrap_or("").bytes() {
                let up = ch.to_ascii_uppercase();
                let pos = valid.iter().position(|&v| v == up).ok_or_else(|| {
                    IptError::param(format!("Invalid flags for chunk type {index}"))
                })?;
                self.add_flag(index as u8, 7 - pos as u8, ch.is_ascii_uppercase())?;
            }
        }
        Ok(())
    }
    /// `print_chunks`.
    fn chunks(&self, numeric: bool, out: &mut String) {
        match MATCH_TYPES
            .iter()
            .find(|(v, _)| *v == self.chunk_match_type)
        {
            Some((_, n)) => {
                let _ = write!(out, " {n}");
            }
            None => out.push_str("Never reach here\n"),
        }
        if self.chunkmap.iter().all(|&w| w == 0) {
            out.push_str(" NONE");
            return;
        }
        if self.chunkmap.iter().all(|&w| w == u32::MAX) {
            out.push_str(" ALL");
            return;
        }
        let mut first = true;
        for ty in 0..256u32 {
            if !self.map_has(ty) {
                continue;
            }
            out.push(if first { ' ' } else { ',' });
            first = false;
            if numeric {
                let _ = write!(out, "0x{ty:04X}");
            } else if let Some((n, _, _)) = CHUNKS.iter().find(|c| c.1 == ty) {
                out.push_str(n);
            }
            let n = self.flag_count.clamp(0, NUM_FLAGS as i32) as usize;
            for f in self.flag_info[..n]
                .iter()
                .filter(|f| f.chunktype as u32 == ty)
            {
                if f.flag_mask != 0 {
                    out.push(':');
                }
                let Some((_, _, valid)) = CHUNKS.get(ty as usize) else {
                    continue;
                };
                for bit in (0..8).rev() {
                    if f.flag_mask & (1 << bit) != 0 {
                        let c = valid[7 - bit] as char;
                        out.push(if f.flag & (1 << bit) != 0 {
                            c
                        } else {
                            c.to_ascii_lowercase()
                        });
                    }
                }
            }
        }
    }
}

impl XtExt for Sctp {
    const NAME: &'static str = "sctp";
    const REVISION: u32 = 0;
    const SIZE: usize = 296;
    const X6: bool = false;
    const OPTIONS: &'static [OptDef] = OPTS;

    fn init(_: &Ctx<'_>) -> Self {
        Sctp {
            dpts: [0, 0],
            spts: [0, 0],
            chunkmap: [0; MAP_WORDS],
            chunk_match_type: 0,
            // iptables' init marks the unused flag slots with chunk type -1.
            flag_info: [FlagInfo {
                chunktype: 0xff,
                flag: 0,
                flag_mask: 0,
            }; NUM_FLAGS],
            flag_count: 0,
            flags: 0,
            invflags: 0,
        }
    }
    fn parse(&mut self, c: &mut OptCall<'_>, _: &Ctx<'_>) -> Result<()> {
        let bit = match c.def.id {
            1 => SRC_PORTS,
            2 => DEST_PORTS,
            _ => CHUNK_TYPES,
        };
        if self.flags & bit != 0 {
            return Err(IptError::param(match bit {
                SRC_PORTS => "Only one `--source-port' allowed",
                DEST_PORTS => "Only one `--destination-port' allowed",
                _ => "Only one `--chunk-types' allowed",
            }));
        }
        let arg = c.arg().to_string();
        match bit {
            SRC_PORTS => self.spts = parse_ports(&arg, "sctp")?,
            DEST_PORTS => self.dpts = parse_ports(&arg, "sctp")?,
            _ => {
                match c.argv.peek() {
                    Some(a) if !a.starts_with('-') && !a.starts_with('!') => {}
                    _ => return Err(IptError::param("--chunk-types requires two args")),
                }
                let list = c.argv.take().unwrap_or_default();
                self.chunk_match_type = MATCH_TYPES
                    .iter()
                    .find(|(_, n)| n.eq_ignore_ascii_case(&arg))
                    .map(|(v, _)| *v)
                    .ok_or_else(|| {
                        IptError::param("Match type has to be one of \"ALL\", \"ANY\" or \"ONLY\"")
                    })?;
                self.parse_chunks(&list)?;
            }
        }
        self.flags |= bit;
        if c.invert {
            self.invflags |= bit;
        }
        Ok(())
    }
    fn to_info(&self, _: &Ctx<'_>) -> Vec<u8> {
        let mut b = Blob::new(Self::SIZE);
        b.u16(0, self.dpts[0])
            .u16(2, self.dpts[1])
            .u16(4, self.spts[0])
            .u16(6, self.spts[1]);
        for (i, w) in self.chunkmap.iter().enumerate() {
            b.u32(MAP_AT + 4 * i, *w);
        }
        b.u32(MATCH_TYPE_AT, self.chunk_match_type);
        for (i, f) in self.flag_info.iter().enumerate() {
            let at = FLAG_INFO_AT + 3 * i;
            b.u8(at, f.chunktype)
                .u8(at + 1, f.flag)
                .u8(at + 2, f.flag_mask);
        }
        b.u32(FLAG_COUNT_AT, self.flag_count as u32)
            .u32(FLAG_COUNT_AT + 4, self.flags)
            .u32(FLAG_COUNT_AT + 8, self.invflags);
        b.into_vec()
    }
    fn from_info(info: &[u8], rev: u32, cx: &Ctx<'_>) -> Option<Self> {
        decode_exact(info, rev, cx, |r| {
            let mut s = Sctp::init(cx);
            s.dpts = [r.u16(0)?, r.u16(2)?];
            s.spts = [r.u16(4)?, r.u16(6)?];
            for (i, w) in s.chunkmap.iter_mut().enumerate() {
                *w = r.u32(MAP_AT + 4 * i)?;
            }
            s.chunk_match_type = r.u32(MATCH_TYPE_AT)?;
            for (i, f) in s.flag_info.iter_mut().enumerate() {
                let at = FLAG_INFO_AT + 3 * i;
                *f = FlagInfo {
                    chunktype: r.u8(at)?,
                    flag: r.u8(at + 1)?,
                    flag_mask: r.u8(at + 2)?,
                };
            }
            s.flag_count = r.u32(FLAG_COUNT_AT)? as i32;
            s.flags = r.u32(FLAG_COUNT_AT + 4)?;
            s.invflags = r.u32(FLAG_COUNT_AT + 8)?;
            Some(s)
        })
    }
    fn save(&self, _: &Ctx<'_>, out: &mut String) {
        if self.flags & SRC_PORTS != 0 {
            save_given_ports(out, "sport", self.spts, self.invflags & SRC_PORTS != 0);
        }
        if self.flags & DEST_PORTS != 0 {
            save_given_ports(out, "dport", self.dpts, self.invflags & DEST_PORTS != 0);
        }
        if self.flags & CHUNK_TYPES != 0 {
            if self.invflags & CHUNK_TYPES != 0 {
                out.push_str(" !");
            }
            out.push_str(" --chunk-types");
            self.chunks(false, out);
        }
    }
    fn print(&self, _: &Ctx<'_>, numeric: bool, out: &mut String) {
        out.push_str(" sctp");
        if self.flags & SRC_PORTS != 0 {
            let inv = self.invflags & SRC_PORTS != 0;
            print_ports("spt", self.spts, inv, numeric, "sctp", out);
        }
        if self.flags & DEST_PORTS != 0 {
            let inv = self.invflags & DEST_PORTS != 0;
            print_ports("dpt", self.dpts, inv, numeric, "sctp", out);
        }
        if self.flags & CHUNK_TYPES != 0 {
            if self.invflags & CHUNK_TYPES != 0 {
                out.push_str(" !");
            }
            self.chunks(numeric, out);
        }
    }

    fn xlate(&self, x: &mut Xlate, cx: &XlCtx) -> bool {
        let _ = cx;
        if self.flags == 0 {
            return false;
        }
        let neq = |f: u32| if self.invflags & f != 0 { " !=" } else { "" };
        for (f, what, r) in [
            (SRC_PORTS, "sport", self.spts),
            (DEST_PORTS, "dport", self.dpts),
        ] {
            if self.flags & f != 0 {
                if r[0] != r[1] {
                    x.add(&format!("sctp {what}{} {}-{}", neq(f), r[0], r[1]));
                } else {
                    x.add(&format!("sctp {what}{} {}", neq(f), r[0]));
                }
            }
        }
        if self.flags & CHUNK_TYPES != 0 {
            if self.chunk_match_type == 1 {
                return false;
            }
            self.xlate_chunks(x);
        }
        true
    }
}

/// Chunk types with their nft names, in 1.8.11's order.
const XLATE_CHUNKS: [(u8, &str); 22] = [
    (0, "data"),
    (1, "init"),
    (2, "init-ack"),
    (3, "sack"),
    (4, "heartbeat"),
    (5, "heartbeat-ack"),
    (6, "abort"),
    (7, "shutdown"),
    (8, "shutdown-ack"),
    (9, "error"),
    (10, "cookie-echo"),
    (11, "cookie-ack"),
    (12, "ecne"),
    (13, "cwr"),
    (14, "shutdown-complete"),
    (64, "i-data"),
    (130, "re-config"),
    (132, "pad"),
    (193, "asconf"),
    (128, "asconf-ack"),
    (192, "forward-tsn"),
    (194, "i-forward-tsn"),
];

impl Sctp {
    /// `sctp chunk NAME exists|missing` or a flags test per chunk type.
    fn xlate_chunks(&self, x: &mut Xlate) {
        let inv = self.invflags & CHUNK_TYPES != 0;
        for (ty, name) in XLATE_CHUNKS {
            let set = self.chunkmap[usize::from(ty) / 32] & (1 << (ty % 32)) != 0;
            if !set {
                if self.chunk_match_type == 4 {
                    let s = if inv { "exists" } else { "missing" };
                    x.add(&format!("sctp chunk {name} {s}"));
                }
                continue;
            }
            let n = usize::try_from(self.flag_count).unwrap_or(0).min(NUM_FLAGS);
            match self.flag_info[..n].iter().find(|f| f.chunktype == ty) {
                None => {
                    let s = if inv { "missing" } else { "exists" };
                    x.add(&format!("sctp chunk {name} {s}"));
                }
                Some(f) => {
                    let op = if inv { "!=" } else { "==" };
                    x.add(&format!(
                        "sctp chunk {name} flags & 0x{:x} {op} 0x{:x}",
                        f.flag_mask, f.flag
                    ));
                }
            }
        }
    }
}
