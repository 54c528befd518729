//! Many small dumps spread over several connections, with the results put
//! back in order.
//!
//! Reading a big ruleset is one rule dump per chain (the kernel resumes an
//! unfiltered dump by walking from the start again, so one big dump is
//! quadratic). Each dump runs the kernel's side in the `recvmsg` of the
//! thread that reads it, so dumping disjoint chains on one connection per
//! CPU, and decoding and rendering each chain on the thread that dumped it,
//! uses every core for both the kernel's and our own work. The results are
//! handed to one sink in item order, so the output is the same whatever the
//! number of threads. [`map_dump`] does the same for the parts of one long
//! dump: the calling thread receives while workers decode.
//!
//! Consistency is the caller's: it brackets the whole read with the
//! generation id ([`Conn::generation`]) as a single-connection read does;
//! a dump the kernel marks as interrupted still fails with
//! [`Error::GenerationChanged`](crate::Error::GenerationChanged).

use super::socket::Conn;
use crate::error::{Error, Result};
use std::collections::BTreeMap;
use std::ops::Range;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc;

/// Most worker threads used: each costs a socket and its buffers, and a
/// read rarely has enough parts to keep more busy.
pub const MAX_WORKERS: usize = 4;

/// Below this many items everything runs on the caller's connection: a
/// thread and a socket cost more than they save.
pub const MIN_PARALLEL_ITEMS: usize = 256;

/// How many worker threads to use: one per available CPU (affinity mask
/// and cgroup quota), at most [`MAX_WORKERS`]; `NFTWIRE_THREADS` (a number,
/// 1 = no threads) overrides it, for benchmarks and debugging. Worked out
/// once per process, and only when a read is big enough to use it.
pub fn workers() -> usize {
    static WORKERS: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
    *WORKERS.get_or_init(|| {
        if let Some(n) = std::env::var("NFTWIRE_THREADS")
            .ok()
            .and_then(|v| v.trim().parse::<usize>().ok())
        {
            return n.clamp(1, 64);
        }
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1)
            .min(MAX_WORKERS)
    })
}

/// Run `work` over `0..items` in ranges of `chunk` items and hand each
/// range's result to `sink`, in range order.
///
/// With more than one worker and at least [`MIN_PARALLEL_ITEMS`] items, the
/// ranges are taken in turn by worker threads, each with its own
/// connection (opened here, on the calling thread, so they are in the
/// caller's network namespace); the calling thread only runs `sink`.
/// Otherwise every range runs on `conn`, one after the other. The first
/// error (from `work` or `sink`) stops all workers and is returned.
pub fn ordered_chunks<T, W, S>(
    conn: &mut Conn,
    items: usize,
    chunk: usize,
    work: W,
    mut sink: S,
) -> Result<()>
where
    T: Send,
    W: Fn(&mut Conn, Range<usize>) -> Result<T> + Sync,
    S: FnMut(T) -> Result<()>,
{
    let chunk = chunk.max(1);
    let ranges = items.div_ceil(chunk);
    let range = |i: usize| i * chunk..((i + 1) * chunk).min(items);
    let n = if items < MIN_PARALLEL_ITEMS {
        1
    } else {
        workers().min(ranges)
    };
    if n <= 1 {
        for i in 0..ranges {
            sink(work(conn, range(i))?)?;
        }
        return Ok(());
    }
    let mut conns = Vec::with_capacity(n);
    for _ in 0..n {
        conns.push(Conn::open()?);
    }
    if run_ordered(conns, items, chunk, &work, &mut sink)? {
        return Ok(());
    }
    // No thread could be started (a process or cgroup limit): do it here.
    for i in 0..ranges {
        sink(work(conn, range(i))?)?;
    }
    Ok(())
}

/// Like [`ordered_chunks`] for work that needs no connection (rendering):
/// the ranges run on one thread per CPU and reach `sink` in order.
pub fn ordered_map<T, W, S>(items: usize, chunk: usize, work: W, mut sink: S) -> Result<()>
where
    T: Send,
    W: Fn(Range<usize>) -> Result<T> + Sync,
    S: FnMut(T) -> Result<()>,
{
    let chunk = chunk.max(1);
    let ranges = items.div_ceil(chunk);
    let n = workers().min(ranges);
    if n > 1 && run_ordered(vec![(); n], items, chunk, &|_, r| work(r), &mut sink)? {
        return Ok(());
    }
    for i in 0..ranges {
        sink(work(i * chunk..((i + 1) * chunk).min(items))?)?;
    }
    Ok(())
}

/// One thread per element of `states`, taking ranges in turn; the calling
/// thread puts the results back in order and runs `sink`. `Ok(false)` when
/// not even one thread could be started (nothing was done then).
fn run_ordered<St, T, W, S>(
    states: Vec<St>,
    items: usize,
    chunk: usize,
    work: &W,
    sink: &mut S,
) -> Result<bool>
where
    St: Send,
    T: Send,
    W: Fn(&mut St, Range<usize>) -> Result<T> + Sync,
    S: FnMut(T) -> Result<()>,
{
    let ranges = items.div_ceil(chunk);
    let range = |i: usize| i * chunk..((i + 1) * chunk).min(items);
    let next = AtomicUsize::new(0);
    let stop = AtomicBool::new(false);
    let (tx, rx) = mpsc::channel::<(usize, Result<T>)>();
    std::thread::scope(|s| {
        let mut started = 0usize;
        for mut st in states {
            let tx = tx.clone();
            let (next, stop) = (&next, &stop);
            let spawned = std::thread::Builder::new().spawn_scoped(s, move || loop {
                if stop.load(Ordering::Relaxed) {
                    break;
                }
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= ranges {
                    break;
                }
                let r = work(&mut st, range(i));
                let failed = r.is_err();
                if tx.send((i, r)).is_err() || failed {
                    break;
                }
            });
            // Fewer threads than asked for is fine; none is the caller's.
            started += usize::from(spawned.is_ok());
        }
        drop(tx);
        if started == 0 {
            return Ok(false);
        }
        let mut pending: BTreeMap<usize, T> = BTreeMap::new();
        let mut want = 0usize;
        let mut result = Ok(());
        'recv: for (i, r) in rx.iter() {
            match r {
                Ok(t) => {
                    pending.insert(i, t);
                }
                Err(e) => {
                    result = Err(e);
                    break;
                }
            }
            while let Some(t) = pending.remove(&want) {
                want += 1;
                if let Err(e) = sink(t) {
                    result = Err(e);
                    break 'recv;
                }
            }
        }
        if result.is_err() {
            stop.store(true, Ordering::Relaxed);
        } else if want != ranges {
            result = Err(Error::Protocol(format!(
                "parallel work ended after {want} of {ranges} parts"
            )));
        }
        result.map(|()| true)
    })
}

/// Run one dump and map each of its data messages with `f`, returning the
/// results that are `Some`, in dump order. The calling thread keeps receiving (the kernel
/// fills each datagram in its `recvmsg`) while up to [`workers`] threads
/// run `f` on the datagrams already received, so decoding a long chain
/// overlaps with the kernel's side of its dump. A dump that fits in one
/// datagram is mapped on the calling thread and starts no thread.
/// Messages of other types (`NLMSG_DONE`, errors) never reach `f`.
pub fn map_dump<T, F>(
    conn: &mut Conn,
    msg_type: u16,
    family: u8,
    body: bytes::Bytes,
    f: F,
) -> Result<Vec<T>>
where
    T: Send,
    F: Fn(&super::message::RawNlMsg) -> Result<Option<T>> + Sync,
{
    use super::message::RawNlMsg;
    use std::sync::Mutex;
    let map_all = |msgs: &[RawNlMsg]| -> Result<Vec<T>> {
        let mut v = Vec::with_capacity(msgs.len());
        for m in msgs {
            v.extend(f(m)?);
        }
        Ok(v)
    };
    let mut out: Vec<T> = Vec::new();
    let mut inline_err: Option<Error> = None;
    let (job_tx, job_rx) = mpsc::channel::<(usize, Vec<RawNlMsg>)>();
    let job_rx = Mutex::new(job_rx);
    let (res_tx, res_rx) = mpsc::channel::<(usize, Result<Vec<T>>)>();
    std::thread::scope(|s| -> Result<()> {
        let (mut first_done, mut started, mut sent) = (false, false, 0usize);
        // How many workers: asked when a second datagram shows the dump is
        // long (0 = not yet known).
        let mut n = 0usize;
        let dumped = conn.dump_stream(msg_type, family, body, &mut |msgs| {
            if first_done && n == 0 {
                n = workers();
            }
            // The first datagram (all of a short dump) is mapped right here;
            // the workers start with the second.
            let mut inline = !first_done || n <= 1;
            first_done = true;
            if !inline && !started {
                let mut spawned = 0usize;
                for _ in 0..n {
                    let (job_rx, res_tx, map_all) = (&job_rx, res_tx.clone(), &map_all);
                    let t = std::thread::Builder::new().spawn_scoped(s, move || loop {
                        let job = match job_rx.lock() {
                            Ok(rx) => rx.recv(),
                            Err(_) => break,
                        };
                        let Ok((i, msgs)) = job else { break };
                        if res_tx.send((i, map_all(&msgs))).is_err() {
                            break;
                        }
                    });
                    spawned += usize::from(t.is_ok());
                }
                started = spawned > 0;
                if !started {
                    // No thread could be started: map everything here.
                    n = 1;
                    inline = true;
                }
            }
            if inline {
                return match map_all(&msgs) {
                    Ok(v) => {
                        out.extend(v);
                        true
                    }
                    Err(e) => {
                        inline_err = Some(e);
                        false
                    }
                };
            }
            // The workers run until the sender is dropped, so a send cannot
            // fail.
            let _ = job_tx.send((sent, own_buffer(msgs)));
            sent += 1;
            true
        });
        drop(job_tx);
        drop(res_tx);
        if let Some(e) = inline_err.take() {
            return Err(e);
        }
        if !started {
            return dumped.map(|_| ());
        }
        // Results come back in any order; put them in dump order.
        let mut parts: Vec<Option<Vec<T>>> = Vec::new();
        parts.resize_with(sent, || None);
        for (i, r) in res_rx.iter() {
            if let Some(slot) = parts.get_mut(i) {
                *slot = Some(r?);
            }
        }
        dumped?;
        // Sized once: 15,000 chains are megabytes to regrow and copy.
        let total = parts.iter().flatten().map(Vec::len).sum::<usize>();
        out.reserve_exact(total);
        for p in parts {
            match p {
                Some(v) => out.extend(v),
                None => return Err(Error::Protocol("a dump part was not decoded".into())),
            }
        }
        Ok(())
    })?;
    Ok(out)
}

/// Dump every object of kind `T` (`T::GET`, filtered by `body`) and decode
/// them on worker threads while the dump is received ([`map_dump`]); a
/// malformed message is an error, never silently dropped.
pub fn dump_objects<T>(
    conn: &mut Conn,
    family: u8,
    body: Vec<u8>,
) -> Result<Vec<crate::object::Obj<T>>>
where
    T: crate::object::Kind + Send,
{
    dump_objects_where(conn, family, body, |_| true)
}

/// [`dump_objects`] of the messages whose body passes `keep` (checked
/// before decoding, e.g. with [`crate::object::raw_name`]; some dumps, such
/// as chains, cannot be filtered by the kernel).
pub fn dump_objects_where<T>(
    conn: &mut Conn,
    family: u8,
    body: Vec<u8>,
    keep: impl Fn(&[u8]) -> bool + Sync,
) -> Result<Vec<crate::object::Obj<T>>>
where
    T: crate::object::Kind + Send,
{
    map_dump(conn, T::GET, family, body.into(), |m| {
        let Some(nf) = m.to_nf() else {
            return Ok(None);
        };
        if nf.msg() != T::NEW || !keep(&nf.body) {
            return Ok(None);
        }
        crate::object::decode_msg::<T>(&nf).map(Some)
    })
}

/// The messages of one datagram moved into a buffer of their own. Received
/// messages are slices of one shared receive chunk, whose reference count
/// every slice, clone and drop updates; threads decoding different
/// datagrams of the same chunk would fight over that one cache line.
fn own_buffer(msgs: Vec<super::message::RawNlMsg>) -> Vec<super::message::RawNlMsg> {
    let total: usize = msgs.iter().map(|m| m.payload.len()).sum();
    let mut buf = bytes::BytesMut::with_capacity(total);
    for m in &msgs {
        buf.extend_from_slice(&m.payload);
    }
    let buf = buf.freeze();
    let mut at = 0usize;
    msgs.into_iter()
        .map(|mut m| {
            let len = m.payload.len();
            m.payload = buf.slice(at..at + len);
            at += len;
            m
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn results_come_back_in_order_whatever_the_threads() {
        for threads in [1usize, 2, 3, 7] {
            for (items, chunk) in [(0usize, 4usize), (1, 4), (100, 1), (1000, 7), (64, 64)] {
                let mut got = Vec::new();
                let done = run_ordered(
                    vec![(); threads],
                    items,
                    chunk,
                    &|_, r: Range<usize>| Ok(r.collect::<Vec<usize>>()),
                    &mut |v: Vec<usize>| {
                        got.extend(v);
                        Ok(())
                    },
                )
                .unwrap();
                assert!(done);
                assert_eq!(
                    got,
                    (0..items).collect::<Vec<_>>(),
                    "{threads} {items} {chunk}"
                );
            }
        }
    }

    #[test]
    fn the_first_error_stops_the_work() {
        let r = run_ordered(
            vec![(); 3],
            10_000,
            10,
            &|_, r: Range<usize>| {
                if r.contains(&5000) {
                    Err(Error::Protocol("part 500 failed".into()))
                } else {
                    Ok(r.len())
                }
            },
            &mut |_| Ok(()),
        );
        assert!(matches!(r, Err(Error::Protocol(m)) if m.contains("500")));
        let mut seen = 0;
        let r = run_ordered(
            vec![(); 2],
            1000,
            10,
            &|_, r: Range<usize>| Ok(r.len()),
            &mut |n| {
                seen += n;
                if seen >= 100 {
                    return Err(Error::Input("sink full".into()));
                }
                Ok(())
            },
        );
        assert!(matches!(r, Err(Error::Input(_))));
        assert_eq!(seen, 100);
    }

    #[test]
    fn own_buffer_keeps_every_message() {
        use super::super::message::RawNlMsg;
        let chunk = bytes::Bytes::from_static(b"aaaabbbbbbcc");
        let msgs: Vec<RawNlMsg> = [(0, 4), (4, 10), (10, 12)]
            .iter()
            .map(|&(a, b)| RawNlMsg {
                ty: 16,
                flags: 2,
                seq: 7,
                pid: 0,
                payload: chunk.slice(a..b),
            })
            .collect();
        let own = own_buffer(msgs.clone());
        let view = |v: &[RawNlMsg]| -> Vec<(u16, u16, u32, Vec<u8>)> {
            v.iter()
                .map(|m| (m.ty, m.flags, m.seq, m.payload.to_vec()))
                .collect()
        };
        assert_eq!(view(&own), view(&msgs));
    }
}
