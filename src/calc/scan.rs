//! Reading the ledgers into sums. A CSV ledger is read in byte ranges split at line starts, one thread per range
//! (see [`crate::ledger`]); each range keeps only exact per-entity sums (see [`super::tally`]), so memory does not
//! grow with the number of rows, and the ranges merge in file order (see [`super::merge`]) into results that are
//! identical, byte for byte, whatever the number of threads or where the file was split.
//!
//! When a sink wants calculation lines, every row takes the full check and the file is read on one thread, in
//! order; so it is for an overlay, a declared encoding other than UTF-8, a spreadsheet and records made in memory.
//!
//! A split is verified, not assumed: the range before it must end with a record that crosses the split point
//! exactly at a line start (only blank lines in between). A quoted field holding a newline at the split point
//! fails that check, and the file is then read again on one thread.

use std::io::{Seek, SeekFrom};
use std::path::Path;

use super::Line;
use super::merge::Merged;
use super::overlay::RowOverlay;
use super::plan::MWH;
use super::tally::Tally;
use crate::encoding::{DecodingReader, Encoding};
use crate::error::{Error, ErrorKind};
use crate::factor::FactorLibrary;
use crate::inventory::Inventory;
use crate::ledger::rows::RowReader;
use crate::ledger::{HashingReader, Memory, ReadOptions, hash_file, header, split_points, threads_for};
use crate::units::Unit;

/// At most this many rejected rows are kept with their reasons; all are counted.
pub const MAX_KEPT_REJECTED: usize = 1000;

/// Where calculation lines go, one by one.
pub(super) type SinkFn<'c> = dyn FnMut(&Line) -> std::io::Result<()> + 'c;

/// One range's result.
struct Part<'a> {
    tally: Tally<'a>,
    /// The record that crossed its end (absolute start, and its line counted from the range's start), if any.
    stopped: Option<(u64, u64)>,
}

/// Where a ledger's rows come from.
pub(super) enum Source {
    /// The file named (CSV, or a spreadsheet by its extension).
    File,
    /// Records made in memory (rows a scenario adds), each located where it was made.
    Memory(Memory),
}

/// Read one ledger into `out`, returning its SHA-256. Errors that stop the file (unreadable, bad header, an
/// undeclared GBK file) are returned; row problems are counted in `out`. `progress` hears (work done, work in all,
/// rows read in this ledger), exactly at the end.
#[allow(clippy::too_many_arguments)]
pub(super) fn scan_source<'a>(
    inv: &'a Inventory,
    lib: &'a FactorLibrary,
    file: &Path,
    source: Source,
    opt: &ReadOptions,
    overlay: Option<&mut (dyn RowOverlay + '_)>,
    sink: Option<&mut SinkFn<'_>>,
    progress: &mut dyn FnMut(u64, u64, u64),
    out: &mut Merged,
) -> Result<String, Error> {
    match source {
        Source::Memory(m) => {
            let sha256 = m.sha256();
            let (_, records) = m.into_parts();
            let size = records.len() as u64;
            let mut t = Tally::new(inv, lib, file);
            t.run_records(records, sink, &mut |done, rows| progress(done, size, rows));
            let rows = t.rows_read;
            out.absorb(t, 0)?;
            progress(size, size, rows);
            Ok(sha256)
        }
        Source::File if crate::sheet::is_spreadsheet(file) => {
            let mut sheet = crate::sheet::SheetLedger::open(file)?;
            let mut t = Tally::new(inv, lib, file);
            t.run_sheet(&mut sheet, overlay, sink, &mut |done, rows| progress(done, sheet_total(done), rows));
            let rows = t.rows_read;
            out.absorb(t, 0)?;
            let (done, total) = sheet.progress();
            progress(done, total, rows);
            Ok(sheet.sha256().to_string())
        }
        Source::File => scan_file(inv, lib, file, opt, overlay, sink, progress, out),
    }
}

/// A sheet's total work is only known to the sheet; mid-run reports say "at least this much".
fn sheet_total(done: u64) -> u64 {
    done
}

/// Read one CSV ledger file (see [`scan_source`]).
#[allow(clippy::too_many_arguments)]
fn scan_file<'a>(
    inv: &'a Inventory,
    lib: &'a FactorLibrary,
    file: &Path,
    opt: &ReadOptions,
    overlay: Option<&mut (dyn RowOverlay + '_)>,
    sink: Option<&mut SinkFn<'_>>,
    progress: &mut dyn FnMut(u64, u64, u64),
    out: &mut Merged,
) -> Result<String, Error> {
    let size = std::fs::metadata(file).map_err(|e| Error::io(file, &e))?.len();
    let threads = threads_for(size, opt);
    if sink.is_some() || overlay.is_some() || opt.encoding != Encoding::Utf8 || threads < 2 {
        return scan_sequential(inv, lib, file, opt, overlay, sink, progress, out);
    }
    let points = split_points(file, size, threads);
    if points.is_empty() {
        return scan_sequential(inv, lib, file, opt, None, None, progress, out);
    }
    let f = std::fs::File::open(file).map_err(|e| Error::io(file, &e))?;
    let mut first = RowReader::new(f);
    let cols = header(file, &mut first)?;
    let mut bounds = points.clone();
    bounds.push(u64::MAX);
    let parts_n = (points.len() + 1) as u64;
    let (parts, hash) = std::thread::scope(|s| {
        let hasher = s.spawn(|| hash_file(file));
        let mut handles = Vec::new();
        for k in 0..points.len() {
            let (start, end) = (bounds[k], bounds[k + 1]);
            let cols = &cols;
            handles.push(s.spawn(move || -> Result<Part<'a>, Error> {
                let mut f = std::fs::File::open(file).map_err(|e| Error::io(file, &e))?;
                f.seek(SeekFrom::Start(start)).map_err(|e| Error::io(file, &e))?;
                let mut rd = RowReader::new(f);
                let mut t = Tally::new(inv, lib, file);
                let stopped = t.run(&mut rd, cols, end.saturating_sub(start), None, None, &mut |_, _| {});
                Ok(Part { tally: t, stopped: stopped.map(|(at, line)| (start + at, line)) })
            }));
        }
        // The first range, on this thread, which also reports progress: the other ranges go at about its pace,
        // so its share times the number of ranges estimates the whole (the report at the end is exact).
        let mut t = Tally::new(inv, lib, file);
        let share = |x: u64| x.saturating_mul(parts_n);
        let stopped = t.run(&mut first, &cols, bounds[0], None, None, &mut |done, rows| {
            progress(share(done).min(size), size, share(rows))
        });
        let mut parts = vec![Ok(Part { tally: t, stopped })];
        for h in handles {
            parts.push(h.join().unwrap_or_else(|_| Err(Error::new(ErrorKind::Io, "a reading thread failed"))));
        }
        let hash = hasher.join().unwrap_or_else(|_| Err(Error::new(ErrorKind::Io, "the hashing thread failed")));
        (parts, hash)
    });
    let hash = hash?;
    let mut ok_parts = Vec::new();
    for p in parts {
        ok_parts.push(p?);
    }
    // Verify every split: the range before it must have stopped at a record starting exactly there. (Otherwise
    // the split fell inside a quoted field: read the file again on one thread; nothing of it was merged yet.)
    let valid = ok_parts.iter().zip(&points).all(|(p, &b)| match p.stopped {
        Some((at, _)) => at == b,
        None => p.tally.fatal.is_some(),
    });
    if !valid {
        return scan_sequential(inv, lib, file, opt, None, None, progress, out);
    }
    let rows_before = out.rows_read;
    let mut lines_before = 0;
    for p in ok_parts {
        let n = p.stopped.map(|(_, line)| line - 1).unwrap_or(0);
        out.absorb(p.tally, lines_before)?;
        lines_before += n;
    }
    progress(size, size, out.rows_read - rows_before);
    Ok(hash)
}

/// Read one CSV ledger on this thread, in order (lines for a sink, an overlay, declared encodings, small files).
#[allow(clippy::too_many_arguments)]
fn scan_sequential<'a>(
    inv: &'a Inventory,
    lib: &'a FactorLibrary,
    file: &Path,
    opt: &ReadOptions,
    overlay: Option<&mut (dyn RowOverlay + '_)>,
    sink: Option<&mut SinkFn<'_>>,
    progress: &mut dyn FnMut(u64, u64, u64),
    out: &mut Merged,
) -> Result<String, Error> {
    let size = std::fs::metadata(file).map(|m| m.len()).unwrap_or(0);
    let f = std::fs::File::open(file).map_err(|e| Error::io(file, &e))?;
    let hr = HashingReader::new(f);
    let mut t = Tally::new(inv, lib, file);
    let mut report = |done: u64, rows: u64| progress(done.min(size), size, rows);
    if opt.encoding == Encoding::Utf8 {
        let mut rd = RowReader::new(hr);
        let cols = header(file, &mut rd)?;
        t.run(&mut rd, &cols, u64::MAX, overlay, sink, &mut report);
        let rows = t.rows_read;
        out.absorb(t, 0)?;
        progress(size, size, rows);
        Ok(rd.into_inner().finish())
    } else {
        // Progress counts decoded bytes here; close enough for a bar, exact at the end.
        let mut rd = RowReader::new(DecodingReader::new(hr, opt.encoding));
        let cols = header(file, &mut rd)?;
        t.run(&mut rd, &cols, u64::MAX, overlay, sink, &mut report);
        let rows = t.rows_read;
        out.absorb(t, 0)?;
        progress(size, size, rows);
        Ok(rd.into_inner().into_inner().finish())
    }
}

/// The MWh unit (for certificates).
pub(super) fn mwh_unit() -> Result<Unit, Error> {
    Unit::parse(MWH).map_err(|e| Error::new(ErrorKind::UnknownUnit, e.to_string()))
}
