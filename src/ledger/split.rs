//! Reading one CSV ledger in byte ranges, one thread per range: how many threads a file gets, the line starts to
//! split it at, and the verification of every split. A split is verified, not assumed: the range before it must
//! end with a record that crosses the split point exactly at a line start (only blank lines in between). A quoted
//! field holding a newline at the split point fails that check, and the file is then read on one thread.

use std::io::{Read, Seek, SeekFrom};
use std::path::Path;

use super::records::CsvRecords;
use super::rows::RowReader;
use super::{ReadOptions, hash_file};
use crate::error::{Error, ErrorKind};

/// A ledger smaller than this per thread is read on fewer threads.
const MIN_CHUNK: u64 = 4 << 20;

/// How many threads to read a file of `size` bytes with.
pub(crate) fn threads_for(size: u64, opt: &ReadOptions) -> usize {
    let want =
        if opt.threads == 0 { std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1) } else { opt.threads };
    let chunk = if opt.chunk_bytes == 0 { MIN_CHUNK } else { opt.chunk_bytes };
    want.clamp(1, 64).min((size / chunk).max(1) as usize)
}

/// Line starts near `k/n` of the file at which to split it: right after a newline, at a byte that is not itself
/// a line end (so the line there is not blank).
pub(crate) fn split_points(path: &Path, size: u64, n: usize) -> Vec<u64> {
    let mut out = Vec::new();
    let Ok(mut f) = std::fs::File::open(path) else { return out };
    let mut buf = vec![0u8; 1 << 16];
    for k in 1..n {
        let nominal = size / n as u64 * k as u64;
        if f.seek(SeekFrom::Start(nominal)).is_err() {
            break;
        }
        let Ok(got) = read_full(&mut f, &mut buf) else { break };
        let w = &buf[..got];
        let mut found = None;
        for i in memchr::memchr_iter(b'\n', w) {
            if let Some(&next) = w.get(i + 1)
                && next != b'\n'
                && next != b'\r'
            {
                found = Some(nominal + i as u64 + 1);
                break;
            }
        }
        match found {
            Some(b) if out.last().is_none_or(|l| *l < b) => out.push(b),
            _ => {}
        }
    }
    out
}

fn read_full(f: &mut std::fs::File, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        let k = f.read(&mut buf[n..])?;
        if k == 0 {
            break;
        }
        n += k;
    }
    Ok(n)
}

/// What the reader of one byte range made of it.
pub(crate) struct RangeRead<T> {
    /// The reader's result.
    pub(crate) value: T,
    /// The record that crossed the range's end: its start (from where the reader began) and its line (counted from
    /// there), if one did.
    pub(crate) stopped: Option<(u64, u64)>,
    /// Reading stopped at a problem of the file, before the range's end.
    pub(crate) failed: bool,
}

/// A CSV ledger read in byte ranges: each range's result in file order with the number of the file's lines before
/// the range, and the file's SHA-256.
pub(crate) struct Ranges<T> {
    pub(crate) parts: Vec<(T, u64)>,
    pub(crate) sha256: String,
}

/// How one range is read: `read(records, limit, progress)` reads records until one starts `limit` bytes or more
/// after where the reader began; `progress` hears (bytes read, rows read) now and then.
pub(crate) type ReadRange<'r, T> =
    dyn Fn(&mut CsvRecords<std::fs::File>, u64, &mut dyn FnMut(u64, u64)) -> RangeRead<T> + Sync + 'r;

/// Read `file` (`size` bytes) in ranges split at `points` (see [`split_points`]), one thread per range and one
/// more for the file's hash. The first range is read on this thread and reports `progress` (work done, work in all,
/// rows), scaled to the whole file: the other ranges go at about its pace. `None` when a split is not a record
/// boundary (nothing is kept then: read the file on one thread).
pub(crate) fn read_ranges<T: Send>(
    file: &Path,
    size: u64,
    points: &[u64],
    read: &ReadRange<'_, T>,
    progress: &mut dyn FnMut(u64, u64, u64),
) -> Result<Option<Ranges<T>>, Error> {
    let f = std::fs::File::open(file).map_err(|e| Error::io(file, &e))?;
    let mut first = CsvRecords::open(file, RowReader::new(f))?;
    let cols = first.columns().clone();
    let mut bounds = points.to_vec();
    bounds.push(u64::MAX);
    let parts_n = (points.len() + 1) as u64;
    let (parts, hash) = std::thread::scope(|s| {
        let hasher = s.spawn(|| hash_file(file));
        let mut handles = Vec::new();
        for k in 0..points.len() {
            let (start, end) = (bounds[k], bounds[k + 1]);
            let cols = &cols;
            handles.push(s.spawn(move || -> Result<RangeRead<T>, Error> {
                let mut f = std::fs::File::open(file).map_err(|e| Error::io(file, &e))?;
                f.seek(SeekFrom::Start(start)).map_err(|e| Error::io(file, &e))?;
                let mut rows = CsvRecords::resume(file, RowReader::new(f), cols.clone());
                let mut r = read(&mut rows, end.saturating_sub(start), &mut |_, _| {});
                r.stopped = r.stopped.map(|(at, line)| (start + at, line));
                Ok(r)
            }));
        }
        let share = |x: u64| x.saturating_mul(parts_n);
        let r = read(&mut first, bounds[0], &mut |done, rows| progress(share(done).min(size), size, share(rows)));
        let mut parts = vec![Ok(r)];
        for h in handles {
            parts.push(h.join().unwrap_or_else(|_| Err(Error::new(ErrorKind::Io, "a reading thread failed"))));
        }
        let hash = hasher.join().unwrap_or_else(|_| Err(Error::new(ErrorKind::Io, "the hashing thread failed")));
        (parts, hash)
    });
    let sha256 = hash?;
    let mut ok = Vec::new();
    for p in parts {
        ok.push(p?);
    }
    // Every split: the range before it must have stopped at a record starting exactly there.
    let valid = ok.iter().zip(points).all(|(p, &b)| match p.stopped {
        Some((at, _)) => at == b,
        None => p.failed,
    });
    if !valid {
        return Ok(None);
    }
    let mut lines_before = 0;
    let mut out = Vec::new();
    for p in ok {
        let n = p.stopped.map(|(_, line)| line - 1).unwrap_or(0);
        out.push((p.value, lines_before));
        lines_before += n;
    }
    Ok(Some(Ranges { parts: out, sha256 }))
}
