//! A batch the kernel refused, reported as iptables-nft 1.8.11 reports it.
//!
//! The kernel goes on checking a failed batch after the first refusal and
//! acks every message it refuses. iptables prints one `OP failed (ERR):
//! WHAT` piece per refused message, in batch order; in a restore each op
//! name starts with `\nline N:`, so each failing input line gets a line of
//! its own. The pieces are gathered in a message buffer of 1,024 bytes: a
//! piece that does not fit is cut to the room left, and the next piece is
//! written over it (so the last piece tried is the cut one shown). After a
//! piece for an op that has no input line, no further piece is added.

use crate::run::batch_err;
use nftwire::iptables::{ExitCode, IptError};
use nftwire::netlink::{BatchOp, Conn};

/// Size of iptables' buffer for the gathered error pieces (NUL included).
const MESSAGE_ROOM: usize = 1024;

/// The error for a batch refused with `e` on `conn` (which kept every
/// refusal of that batch), `ops` being the batch sent.
pub fn report(e: nftwire::Error, conn: &Conn, ops: &[BatchOp]) -> IptError {
    if !matches!(e, nftwire::Error::Kernel { .. }) {
        return batch_err(e);
    }
    let mut refused: Vec<(usize, i32)> = conn
        .last_errors()
        .iter()
        .filter_map(|f| f.at.op.filter(|&i| i < ops.len()).map(|i| (i, f.errno)))
        .collect();
    if refused.is_empty() {
        return batch_err(e);
    }
    refused.sort_by_key(|&(i, _)| i);
    let mut buf = Gathered::default();
    for (i, errno) in refused {
        let o = &ops[i];
        buf.add(&format!(
            "{} failed ({}): {}",
            o.op,
            nftwire::error::strerror(errno),
            o.what
        ));
        if !o.op.starts_with('\n') {
            break;
        }
    }
    IptError::xt(ExitCode::Resource, buf.text())
}

/// Pieces written one after another into a bounded buffer, as `snprintf`
/// at the end of what fit so far does.
#[derive(Default)]
struct Gathered {
    /// What fit whole (or exactly filled the buffer).
    kept: Vec<u8>,
    /// The last piece that did not fit, cut to the room left.
    cut: Vec<u8>,
}

impl Gathered {
    fn room(&self) -> usize {
        MESSAGE_ROOM.saturating_sub(self.kept.len())
    }

    fn add(&mut self, piece: &str) {
        let room = self.room();
        if room == 0 {
            return;
        }
        let p = piece.as_bytes();
        // at most room - 1 bytes are written (the NUL takes the last one)
        let written = &p[..p.len().min(room - 1)];
        if p.len() <= room {
            self.kept.extend_from_slice(written);
            if p.len() == room {
                // the buffer is full: its NUL takes the last byte
                self.kept.push(0);
            }
            self.cut.clear();
        } else {
            self.cut = written.to_vec();
        }
    }

    fn text(&self) -> String {
        let mut all = self.kept.clone();
        all.extend_from_slice(&self.cut);
        if let Some(nul) = all.iter().position(|&b| b == 0) {
            all.truncate(nul);
        }
        String::from_utf8_lossy(&all).into_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pieces_that_fit_are_kept_whole() {
        let mut g = Gathered::default();
        g.add("\nline 2: A failed (x): y");
        g.add("\nline 3: A failed (x): y");
        assert_eq!(
            g.text(),
            "\nline 2: A failed (x): y\nline 3: A failed (x): y"
        );
    }

    #[test]
    fn a_piece_too_long_is_cut_and_written_over_by_the_next() {
        let mut g = Gathered::default();
        g.add(&"a".repeat(1000));
        g.add(&"b".repeat(30)); // does not fit in the 24 bytes left
        g.add(&"c".repeat(40)); // neither: written over the b's
        let t = g.text();
        assert_eq!(t.len(), MESSAGE_ROOM - 1);
        assert_eq!(&t[1000..], "c".repeat(23));
    }

    #[test]
    fn a_piece_filling_the_room_exactly_ends_the_message() {
        let mut g = Gathered::default();
        g.add(&"a".repeat(1000));
        g.add(&"b".repeat(24)); // exactly the room: its last byte is lost
        g.add("c");
        let t = g.text();
        assert_eq!(t.len(), MESSAGE_ROOM - 1);
        assert!(t.ends_with(&"b".repeat(23)));
    }
}
