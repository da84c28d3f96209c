//! Reading the ledgers into sums. A CSV ledger is read in byte ranges split at line starts, one thread per range,
//! every split verified (see [`crate::ledger`]); each range keeps only exact per-entity sums (see
//! [`super::tally`]), so memory does not grow with the number of rows, and the ranges merge in file order (see
//! [`super::merge`]) into results that are identical, byte for byte, whatever the number of threads or where the
//! file was split. A split that falls inside a quoted field makes the file be read again on one thread.
//!
//! When a sink wants calculation lines, every row takes the full check and the file is read on one thread, in
//! order; so it is for an overlay and a declared encoding other than UTF-8. Spreadsheets and records made in
//! memory are read record by record through [`crate::ledger::Ledger`].

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
use crate::ledger::records::CsvRecords;
use crate::ledger::rows::RowReader;
use crate::ledger::{HashingReader, Ledger, Memory, RangeRead, ReadOptions, read_ranges, split_points, threads_for};
use crate::units::Unit;

/// At most this many rejected rows are kept with their reasons; all are counted.
pub const MAX_KEPT_REJECTED: usize = 1000;

/// Where calculation lines go, one by one.
pub(super) type SinkFn<'c> = dyn FnMut(&Line) -> std::io::Result<()> + 'c;

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
    // The inventory's declarations (per file, then for all its ledgers) win over the options' encoding.
    let opt = &inv.read_options(file, opt);
    match source {
        Source::Memory(m) => scan_ledger(inv, lib, file, Ledger::memory(m), None, sink, progress, out),
        Source::File if crate::sheet::is_spreadsheet(file) => {
            scan_ledger(inv, lib, file, crate::ledger::open(file, opt)?, overlay, sink, progress, out)
        }
        Source::File => scan_file(inv, lib, file, opt, overlay, sink, progress, out),
    }
}

/// Read a ledger record by record (a spreadsheet, records made in memory), on this thread.
#[allow(clippy::too_many_arguments)]
fn scan_ledger<'a>(
    inv: &'a Inventory,
    lib: &'a FactorLibrary,
    file: &Path,
    mut ledger: Ledger,
    overlay: Option<&mut (dyn RowOverlay + '_)>,
    sink: Option<&mut SinkFn<'_>>,
    progress: &mut dyn FnMut(u64, u64, u64),
    out: &mut Merged,
) -> Result<String, Error> {
    let total = ledger.progress().1;
    let mut t = Tally::new(inv, lib, file);
    t.run_ledger(&mut ledger, overlay, sink, &mut |done, rows| progress(done, total, rows));
    let rows = t.rows_read;
    out.absorb(t, 0)?;
    let (done, total) = ledger.progress();
    progress(done, total, rows);
    // Spreadsheets and records in memory are hashed by their reader (only CSV is hashed as it is read, elsewhere).
    ledger.sha256().map(str::to_string).ok_or_else(|| Error::new(ErrorKind::Io, "the ledger's hash is unknown"))
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
    let read = |rows: &mut CsvRecords<std::fs::File>, limit: u64, report: &mut dyn FnMut(u64, u64)| {
        let mut t = Tally::new(inv, lib, file);
        let stopped = t.run(rows, limit, None, None, report);
        let failed = t.fatal.is_some();
        RangeRead { value: t, stopped, failed }
    };
    let Some(ranges) = read_ranges(file, size, &points, &read, progress)? else {
        // A split fell inside a quoted field: nothing of the file was merged yet.
        return scan_sequential(inv, lib, file, opt, None, None, progress, out);
    };
    let rows_before = out.rows_read;
    for (t, lines_before) in ranges.parts {
        out.absorb(t, lines_before)?;
    }
    progress(size, size, out.rows_read - rows_before);
    Ok(ranges.sha256)
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
        let mut rows = CsvRecords::open(file, RowReader::new(hr))?;
        t.run(&mut rows, u64::MAX, overlay, sink, &mut report);
        let read = t.rows_read;
        out.absorb(t, 0)?;
        progress(size, size, read);
        Ok(rows.into_inner().finish())
    } else {
        // Progress counts decoded bytes here; close enough for a bar, exact at the end.
        let mut rows = CsvRecords::open(file, RowReader::new(DecodingReader::new(hr, opt.encoding)))?;
        t.run(&mut rows, u64::MAX, overlay, sink, &mut report);
        let read = t.rows_read;
        out.absorb(t, 0)?;
        progress(size, size, read);
        Ok(rows.into_inner().into_inner().finish())
    }
}

/// The MWh unit (for certificates).
pub(super) fn mwh_unit() -> Result<Unit, Error> {
    Unit::parse(MWH).map_err(|e| Error::new(ErrorKind::UnknownUnit, e.to_string()))
}
