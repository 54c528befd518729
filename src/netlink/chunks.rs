//! Receive buffers: datagrams are read into large chunks and their messages
//! are slices of them, so receiving allocates nothing per datagram. A chunk
//! whose slices have all been dropped is taken back, so a long dump cycles
//! through a few chunks already in memory instead of faulting in fresh
//! pages for every megabyte it reads.

use bytes::{Bytes, BytesMut};

/// Size of one chunk (the kernel's dump datagrams are at most 32 KiB; error
/// replies that quote a big request can be larger).
pub const CHUNK: usize = 512 << 10;
/// Room a chunk must have left to take another datagram.
const MIN_ROOM: usize = CHUNK / 4;
/// Used-up chunks kept to be taken back.
const SPARES: usize = 8;

/// The chunk being filled and the used-up ones waiting to be reused.
#[derive(Default)]
pub struct RecvChunks {
    /// The chunk the next datagram goes into.
    current: BytesMut,
    /// Used-up chunks whose slices may still be alive.
    spare: Vec<BytesMut>,
    /// How many chunks were allocated.
    allocated: usize,
}

impl RecvChunks {
    /// The buffer to receive the next datagram into (at least
    /// a quarter of a chunk of room).
    pub fn room(&mut self) -> &mut BytesMut {
        if self.current.capacity() - self.current.len() < MIN_ROOM {
            self.next_chunk();
        }
        &mut self.current
    }

    /// What was received since the last call, as shared bytes.
    pub fn take(&mut self) -> Bytes {
        self.current.split().freeze()
    }

    /// Make `current` a chunk with room: itself or a spare taken back if
    /// nothing refers to it any more, else a new one (the used-up one is
    /// kept as a spare while there is room for it).
    fn next_chunk(&mut self) {
        if self.current.try_reclaim(CHUNK) {
            return;
        }
        if let Some(i) = self.spare.iter_mut().position(|c| c.try_reclaim(CHUNK)) {
            let reused = self.spare.swap_remove(i);
            let old = std::mem::replace(&mut self.current, reused);
            self.spare.push(old);
            return;
        }
        self.allocated += 1;
        let old = std::mem::replace(&mut self.current, BytesMut::with_capacity(CHUNK));
        if self.spare.len() < SPARES && old.capacity() > 0 {
            self.spare.push(old);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Fill the room with `n` bytes of `x` and take them.
    fn receive(c: &mut RecvChunks, n: usize, x: u8) -> Bytes {
        let room = c.room();
        assert!(room.capacity() - room.len() >= n.min(MIN_ROOM));
        room.extend_from_slice(&vec![x; n]);
        c.take()
    }

    #[test]
    fn a_chunk_is_reused_once_its_slices_are_dropped() {
        let mut c = RecvChunks::default();
        let first = receive(&mut c, 1000, 1);
        let start = first.as_ptr();
        drop(first);
        // Use up the first chunk; every slice is dropped at once.
        for _ in 0..(CHUNK - MIN_ROOM) / 30_000 + 1 {
            drop(receive(&mut c, 30_000, 2));
        }
        let again = receive(&mut c, 10, 3);
        assert_eq!(again.as_ptr(), start, "the first chunk was not reused");
        assert_eq!(&again[..], &[3; 10]);
    }

    #[test]
    fn a_chunk_still_referred_to_is_never_written_over() {
        let mut c = RecvChunks::default();
        let kept: Vec<Bytes> = (0..64).map(|i| receive(&mut c, 30_000, i as u8)).collect();
        for (i, b) in kept.iter().enumerate() {
            assert!(b.iter().all(|&x| x == i as u8), "slice {i} was overwritten");
        }
        // Once they are gone, their chunks come back into use: receiving as
        // much again allocates nothing.
        let allocated = c.allocated;
        assert!(allocated > 1);
        drop(kept);
        for _ in 0..64 {
            drop(receive(&mut c, 30_000, 9));
        }
        assert_eq!(c.allocated, allocated, "a new chunk was allocated");
        assert!(c.spare.len() <= SPARES);
    }
}
