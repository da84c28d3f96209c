//! Splitting one CSV ledger into byte ranges that several threads read: how many threads a file gets, and the line
//! starts to split it at. A split is only a guess here; the reader of the range before it verifies it (see
//! `calc::scan`).

use std::io::{Read, Seek, SeekFrom};
use std::path::Path;

use super::ReadOptions;

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
