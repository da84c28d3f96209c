//! The one source of ledger records. Every caller (the calculation, scenarios, reconciliation) gets its rows here:
//!
//! - a CSV file in the declared text encoding (UTF-8 with or without a byte-order mark by default; GBK and GB18030
//!   decoded when declared; an undeclared GBK file refused as a whole, see [`crate::encoding`]);
//! - a spreadsheet (.xlsx, .xlsm, .xls, .xlsb, .ods; `book.xlsx#Sheet` names a sheet), see [`crate::sheet`];
//! - records made in memory ([`Memory`], e.g. the rows a scenario adds), each keeping its own location (the
//!   scenario file and line that made it).
//!
//! [`open`] reads one file record by record, with the same checks and locations as the calculation. The calculation
//! itself reads large CSV files faster: in byte ranges split at line starts ([`ReadOptions::threads`]), each range's
//! rows through a fast path; the pieces it needs for that (the record splitter, the split points, the file hash)
//! live here too.
//!
//! ```
//! use std::path::Path;
//! let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/sheet");
//! let mut rows = ghg::ledger::open(&dir.join("ledger.xlsx"), &Default::default()).unwrap();
//! let first = rows.next().unwrap().unwrap();
//! assert_eq!(first.source.file, dir.join("ledger.xlsx"));
//! ```

mod hash;
mod memory;
pub(crate) mod records;
pub(crate) mod rows;
mod split;

use std::io::Read;
use std::path::{Path, PathBuf};

pub(crate) use hash::{HashingReader, hash_file};
pub use memory::Memory;
pub(crate) use split::{RangeRead, read_ranges, split_points, threads_for};

use crate::activity::{ActivityRecord, Columns, header_columns};
use crate::encoding::{DecodingReader, Encoding};
use crate::error::{Error, ErrorKind, Location};
use crate::sheet::SheetLedger;
use records::{Checked, CsvRecords, Next};
use rows::{QuoteIssue, QuoteProblem, RowReader};

/// How ledgers are read: with how many threads, in which text encoding.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ReadOptions {
    /// Threads to read one ledger with; 0 means one per core. Results are identical for any number.
    pub threads: usize,
    /// Text encoding of CSV ledgers (UTF-8 by default; GBK and GB18030 are decoded when declared). Spreadsheets
    /// carry their own encoding.
    pub encoding: Encoding,
    /// Smallest part of a ledger a thread reads, in bytes (0: 4 MiB). Small values are for tests of splitting.
    pub chunk_bytes: u64,
}

/// One ledger's records, one by one: `Some(Ok)` a valid row, `Some(Err)` a row that failed its checks (the
/// caller decides whether to stop), `None` at the end. A problem of the whole file (unreadable bytes, an undeclared
/// GBK file) is returned once, and then the ledger ends.
pub struct Ledger {
    path: PathBuf,
    inner: Inner,
}

enum Inner {
    Csv(Box<CsvRows>),
    Sheet(Box<SheetLedger>),
    Memory { records: std::vec::IntoIter<ActivityRecord>, total: u64, sha256: String },
}

/// Open a ledger file: a spreadsheet by its extension, otherwise CSV in `opt.encoding`. The header is read and
/// checked here.
pub fn open(path: &Path, opt: &ReadOptions) -> Result<Ledger, Error> {
    if crate::sheet::is_spreadsheet(path) {
        let sheet = SheetLedger::open(path)?;
        return Ok(Ledger { path: path.to_path_buf(), inner: Inner::Sheet(Box::new(sheet)) });
    }
    let f = std::fs::File::open(path).map_err(|e| Error::io(path, &e))?;
    let size = f.metadata().map(|m| m.len()).unwrap_or(0);
    csv_ledger(path, Box::new(f), size, opt)
}

/// Read CSV text from `input` as the ledger `name` (in `opt.encoding`), with the same checks and locations as a
/// file of that name. The header is read and checked here.
///
/// ```
/// use std::path::Path;
/// let csv = "entity,period,activity,quantity,unit,region\nplant,2024-03,diesel,\"1,909.06\",吨,浙江\nplant,2024,petrole,1,t,CN\n";
/// let mut ledger = ghg::ledger::read_csv(Path::new("ledger.csv"), csv.as_bytes(), &Default::default()).unwrap();
/// let row = ledger.next().unwrap().unwrap();
/// assert_eq!((row.quantity.value.to_string(), row.region.as_str()), ("1909.06".to_string(), "CN-ZJ"));
/// let bad = ledger.next().unwrap().unwrap_err();
/// assert!(bad.to_string().starts_with("ledger.csv:3:12: unknown activity 'petrole'"));
/// assert!(ledger.next().is_none());
/// ```
pub fn read_csv(name: &Path, input: impl Read + 'static, opt: &ReadOptions) -> Result<Ledger, Error> {
    csv_ledger(name, Box::new(input), 0, opt)
}

fn csv_ledger(path: &Path, input: Box<dyn Read>, size: u64, opt: &ReadOptions) -> Result<Ledger, Error> {
    let input: Box<dyn Read> = match opt.encoding {
        Encoding::Utf8 => input,
        enc => Box::new(DecodingReader::new(input, enc)),
    };
    let rows = CsvRecords::open(path, RowReader::new(input))?;
    let csv = CsvRows { rows, done: false, stopped: false, size };
    Ok(Ledger { path: path.to_path_buf(), inner: Inner::Csv(Box::new(csv)) })
}

impl Ledger {
    /// Records made in memory, read as a ledger.
    pub fn memory(m: Memory) -> Ledger {
        let sha256 = m.sha256();
        let (path, records) = m.into_parts();
        let total = records.len() as u64;
        Ledger { path, inner: Inner::Memory { records: records.into_iter(), total, sha256 } }
    }

    /// Whether its records carry their own locations (records made in memory), rather than a place in this file.
    pub fn own_locations(&self) -> bool {
        matches!(self.inner, Inner::Memory { .. })
    }

    /// Work done and work in all: bytes for CSV (decoded bytes of a declared encoding, against the file's size),
    /// rows looked at for spreadsheets, records for records made in memory.
    pub fn progress(&self) -> (u64, u64) {
        match &self.inner {
            Inner::Csv(c) => (c.rows.position(), c.size),
            Inner::Sheet(s) => s.progress(),
            Inner::Memory { records, total, .. } => (total - records.len() as u64, *total),
        }
    }

    /// The SHA-256 (lowercase hex) of a spreadsheet's bytes, or of records made in memory (see [`Memory::sha256`]);
    /// None for CSV, whose bytes the calculation hashes as it reads them.
    pub fn sha256(&self) -> Option<&str> {
        match &self.inner {
            Inner::Csv(_) => None,
            Inner::Sheet(s) => Some(s.sha256()),
            Inner::Memory { sha256, .. } => Some(sha256),
        }
    }

    /// The ledger's path (or the name of records made in memory).
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Whether reading stopped at a problem of the whole file (the last error returned): the rest of the file was
    /// not read.
    pub fn stopped(&self) -> bool {
        match &self.inner {
            Inner::Csv(c) => c.stopped,
            Inner::Sheet(_) | Inner::Memory { .. } => false,
        }
    }

    /// The next record (see [`Ledger`]).
    pub fn next_record(&mut self) -> Option<Result<ActivityRecord, Error>> {
        match &mut self.inner {
            Inner::Csv(c) => c.next_record(),
            Inner::Sheet(s) => s.next_record(),
            Inner::Memory { records, .. } => records.next().map(Ok),
        }
    }
}

impl Iterator for Ledger {
    type Item = Result<ActivityRecord, Error>;
    fn next(&mut self) -> Option<Self::Item> {
        self.next_record()
    }
}

impl std::fmt::Debug for Ledger {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Ledger").field("path", &self.path).finish_non_exhaustive()
    }
}

/// A CSV ledger read record by record, through the one row loop of [`records`].
struct CsvRows {
    rows: CsvRecords<Box<dyn Read>>,
    done: bool,
    stopped: bool,
    size: u64,
}

impl CsvRows {
    fn next_record(&mut self) -> Option<Result<ActivityRecord, Error>> {
        if self.done {
            return None;
        }
        let fatal = match self.rows.advance(u64::MAX) {
            Next::Row => match self.rows.check() {
                Checked::Record(r) => return Some(Ok(r)),
                Checked::Rejected(e) => return Some(Err(e)),
                Checked::Fatal(e) => e,
            },
            Next::End | Next::Limit(..) => {
                self.done = true;
                return None;
            }
            Next::Fatal(e) => e,
        };
        (self.done, self.stopped) = (true, true);
        Some(Err(fatal))
    }
}

/// A failed read as a problem of the file: bytes invalid in the declared encoding are located and explained.
pub(crate) fn read_error(file: &Path, e: &std::io::Error, line: u64) -> Error {
    if let Some(d) = e.get_ref().and_then(|x| x.downcast_ref::<crate::encoding::DecodeError>()) {
        return Error::new(ErrorKind::Encoding, format!("these bytes are not valid {} text", d.encoding))
            .at(Location::at(file, d.line as usize, Some(d.column as usize)))
            .hint("check --encoding: GB18030 reads everything GBK does and more; a UTF-8 file needs no option");
    }
    Error::io(file, e)
        .at(Location::at(file, line.max(1) as usize, None))
        .hint("check that the file is complete and readable")
}

/// Read the header of a CSV ledger from `rd` (a byte-order mark before it is skipped).
pub(crate) fn header<R: Read>(file: &Path, rd: &mut RowReader<R>) -> Result<Columns, Error> {
    rd.skip_bom().map_err(|e| read_error(file, &e, 1))?;
    let got = rd.next().map_err(|e| read_error(file, &e, 1))?;
    let mut rec = csv::ByteRecord::new();
    rd.to_record(&mut rec);
    header_columns(file, got.then_some(&rec))
}

/// Whether a row's problem is that the file is GBK text read as UTF-8.
pub(crate) fn is_undeclared_gbk(e: &Error) -> bool {
    e.kind == ErrorKind::Encoding && e.message.contains("GBK")
}

/// An undeclared GBK ledger is refused as a whole: reading it as UTF-8 would reject every row with Chinese text and
/// keep the others, which would quietly change the figures.
pub(crate) fn gbk_file(e: Error) -> Error {
    Error::new(
        ErrorKind::Encoding,
        "the ledger is not UTF-8: it looks like GBK/GB18030 (a Chinese spreadsheet export); no row of it was used",
    )
    .at(e.location.unwrap_or_else(|| Location::file("")))
    .hint("rerun with --encoding gbk, or save the file as UTF-8 (Excel: Save As > CSV UTF-8)")
}

/// How a message names field `i` of a ledger.
fn field_name(cols: &Columns, i: usize) -> String {
    let req = cols.idx.iter().position(|&x| x == i).map(|k| crate::activity::REQUIRED_COLUMNS[k]);
    let opt = cols.opt.iter().position(|&x| x == Some(i)).map(|k| crate::activity::OPTIONAL_COLUMNS[k]);
    match req.or(opt) {
        Some(name) => format!("the {name} field"),
        None => format!("field {}", i + 1),
    }
}

/// A quoting mistake as a row problem.
pub(crate) fn quote_error(file: &Path, issue: QuoteIssue, cols: &Columns) -> Error {
    let at = Location::at(file, issue.line as usize, Some(issue.column as usize));
    let name = field_name(cols, issue.field);
    match issue.problem {
        QuoteProblem::TextAfterClosingQuote => Error::new(
            ErrorKind::Csv,
            format!("{name} has text after its closing quote, which CSV would silently join to the quoted text"),
        )
        .at(at)
        .hint("a quoted field ends at its closing quote: write \"123\" or 123; a quote inside quotes is doubled, as in \"5\"\" pipe\""),
        QuoteProblem::NeverClosed => Error::new(
            ErrorKind::Csv,
            format!("the quote opening {name} is never closed, so the rest of the file would be read as one field"),
        )
        .at(at)
        .hint("close the quote or remove it; a quote inside quotes is doubled, as in \"5\"\" pipe\""),
    }
}

/// The 1-based column (in characters) where field `i` of the reader's record starts, counted on the fields as read
/// (as the row checks count).
pub(crate) fn field_column<R: Read>(rd: &RowReader<R>, i: usize) -> usize {
    1 + (0..i.min(rd.len())).map(|j| String::from_utf8_lossy(rd.field(j)).chars().count() + 1).sum::<usize>()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
        let p = dir.join(name);
        std::fs::write(&p, bytes).expect("write");
        p
    }

    const TEXT: &str = "entity,period,activity,quantity,unit,region\nsite,2024,gasoline,\"1,909.06\",吨,浙江\n\nsite,2024,petrole,1,t,CN\n";

    #[test]
    fn csv_rows_in_any_declared_encoding_are_the_same_records() {
        let dir = tempfile::tempdir().expect("tempdir");
        let utf8 = write(dir.path(), "a.csv", format!("\u{feff}{TEXT}").as_bytes());
        let (gbk_bytes, _, bad) = encoding_rs::GBK.encode(TEXT);
        assert!(!bad);
        let gbk = write(dir.path(), "b.csv", &gbk_bytes);
        let read = |p: &Path, encoding| {
            let l = open(p, &ReadOptions { encoding, ..ReadOptions::default() }).expect("opens");
            l.map(|r| r.map(|r| (r.source.line, r.quantity.value.to_string(), r.region)).map_err(|e| e.to_string()))
                .collect::<Vec<_>>()
        };
        let a = read(&utf8, Encoding::Utf8);
        assert_eq!(a[0], Ok((Some(2), "1909.06".to_string(), "CN-ZJ".to_string())));
        // The blank line counts: the bad row is on line 4, its activity in column 11 (after "site,2024,").
        let bad = a[1].as_ref().expect_err("rejected");
        assert!(bad.contains("a.csv:4:11: unknown activity 'petrole'"), "{bad}");
        assert_eq!(a.len(), 2);
        let b = read(&gbk, Encoding::Gbk);
        assert_eq!(b[0], a[0]);
        // Undeclared, a GBK file stops at its first row with Chinese text, naming the option.
        let mut l = open(&gbk, &ReadOptions::default()).expect("opens");
        let e = l.next().expect("an item").expect_err("refused");
        assert!(l.stopped());
        assert!(e.to_string().contains("--encoding gbk"), "{e}");
        assert!(l.next().is_none());
    }

    #[test]
    fn records_made_in_memory_keep_their_own_location() {
        let dir = tempfile::tempdir().expect("tempdir");
        let p = write(dir.path(), "a.csv", TEXT.as_bytes());
        let mut rec = open(&p, &ReadOptions::default()).expect("opens").next().expect("row").expect("valid");
        rec.source = Location::at("s.toml", 7, None);
        let m = Memory::new("s.toml (scenario rows)", vec![rec.clone()]);
        let hash = m.sha256();
        let got: Vec<_> = Ledger::memory(m).collect();
        assert_eq!(got, vec![Ok(rec)]);
        assert_eq!(hash.len(), 64);
    }
}
