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
//! number of threads.
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

/// Most worker threads used (beyond this the kernel's own locking, not the
/// CPUs, limits a dump).
pub const MAX_WORKERS: usize = 4;

/// Below this many items everything runs on the caller's connection: a
/// thread and a socket cost more than they save.
pub const MIN_PARALLEL_ITEMS: usize = 256;

/// How many worker threads to use: one per available CPU, at most
/// [`MAX_WORKERS`]. `NFTWIRE_THREADS` (a number, 1 = no threads) overrides
/// it, for benchmarks and debugging.
pub fn workers() -> usize {
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
    let n = workers().min(ranges);
    if n <= 1 || items < MIN_PARALLEL_ITEMS {
        for i in 0..ranges {
            sink(work(conn, range(i))?)?;
        }
        return Ok(());
    }
    let mut conns = Vec::with_capacity(n);
    for _ in 0..n {
        conns.push(Conn::open()?);
    }
    run_ordered(conns, items, chunk, work, sink)
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
    if n <= 1 {
        for i in 0..ranges {
            sink(work(i * chunk..((i + 1) * chunk).min(items))?)?;
        }
        return Ok(());
    }
    run_ordered(vec![(); n], items, chunk, |_, r| work(r), sink)
}

/// One thread per element of `states`, taking ranges in turn; the calling
/// thread puts the results back in order and runs `sink`.
fn run_ordered<St, T, W, S>(
    states: Vec<St>,
    items: usize,
    chunk: usize,
    work: W,
    mut sink: S,
) -> Result<()>
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
        for mut st in states {
            let tx = tx.clone();
            let (next, stop, work) = (&next, &stop, &work);
            s.spawn(move || loop {
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
        }
        drop(tx);
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
        result
    })
}
