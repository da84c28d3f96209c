//! The one row loop of a CSV ledger: records split from the bytes (see [`super::rows`]), blank lines skipped, and
//! each record given the one per-row check (quoting mistakes, the field count, every field) with its messages
//! located at line and column. [`super::open`]'s CSV records and the calculation's reading (on one thread, or in
//! byte ranges on threads, where the fast path hands every row it is not sure about to [`CsvRecords::check`]) all
//! go through it, so every route gives the same records and the same messages at the same columns.

use std::io::Read;
use std::path::{Path, PathBuf};

use super::rows::RowReader;
use super::{field_column, gbk_file, header, is_undeclared_gbk, quote_error, read_error};
use crate::activity::{ActivityRecord, Columns, check_record};
use crate::error::{Error, Location};

/// Where the row loop stands after [`CsvRecords::advance`].
pub(crate) enum Next {
    /// A record that is not blank is current.
    Row,
    /// The input ended.
    End,
    /// The next record starts at or after the limit: its start and line, from where the reader began.
    Limit(u64, u64),
    /// Reading failed (unreadable bytes, bytes invalid in the declared encoding): the rest is not read.
    Fatal(Error),
}

/// What the per-row check made of the current record. (A valid row is kept inline: boxing it would allocate once per
/// row, and a record is moved only once.)
#[allow(clippy::large_enum_variant)]
pub(crate) enum Checked {
    /// A valid row.
    Record(ActivityRecord),
    /// A row that failed its checks (counted, the reading goes on).
    Rejected(Error),
    /// A problem of the whole file (an undeclared GBK file): the rest is not read.
    Fatal(Error),
}

/// A CSV ledger's records, one by one (from the start of the file, after its header, or from a line start inside
/// it).
pub(crate) struct CsvRecords<R> {
    file: PathBuf,
    rd: RowReader<R>,
    cols: Columns,
    rec: csv::ByteRecord,
}

impl<R: Read> CsvRecords<R> {
    /// Start at the beginning of a file: its header (after a byte-order mark) is read and checked here.
    pub(crate) fn open(file: &Path, mut rd: RowReader<R>) -> Result<Self, Error> {
        let cols = header(file, &mut rd)?;
        Ok(CsvRecords::resume(file, rd, cols))
    }

    /// Go on from a line start inside a file whose header gave `cols`.
    pub(crate) fn resume(file: &Path, rd: RowReader<R>, cols: Columns) -> Self {
        CsvRecords { file: file.to_path_buf(), rd, cols, rec: csv::ByteRecord::new() }
    }

    /// Move to the next record that is not blank, unless it starts `limit` bytes or more after where the reader
    /// began.
    #[inline]
    pub(crate) fn advance(&mut self, limit: u64) -> Next {
        loop {
            match self.rd.next() {
                Ok(true) => {}
                Ok(false) => return Next::End,
                Err(e) => return Next::Fatal(read_error(&self.file, &e, self.rd.line())),
            }
            if self.rd.start() >= limit {
                return Next::Limit(self.rd.start(), self.rd.line());
            }
            if !self.rd.is_blank() {
                return Next::Row;
            }
        }
    }

    /// The full check of the current record: its quoting, its field count, every field.
    pub(crate) fn check(&mut self) -> Checked {
        if let Some(issue) = self.rd.quote_issue() {
            return Checked::Rejected(quote_error(&self.file, issue, &self.cols));
        }
        self.rd.to_record(&mut self.rec);
        match check_record(&self.file, self.rd.line() as usize, &self.cols, &self.rec) {
            Ok(r) => Checked::Record(r),
            Err(e) if is_undeclared_gbk(&e) => Checked::Fatal(gbk_file(e)),
            Err(e) => Checked::Rejected(e),
        }
    }

    /// Whether the current record has a quoting mistake (which only [`CsvRecords::check`] may explain).
    #[inline]
    pub(crate) fn has_quote_issue(&self) -> bool {
        self.rd.quote_issue().is_some()
    }

    /// The current record's fields (for the fast path).
    #[inline]
    pub(crate) fn reader(&self) -> &RowReader<R> {
        &self.rd
    }

    /// Where each column is.
    #[inline]
    pub(crate) fn columns(&self) -> &Columns {
        &self.cols
    }

    /// Where field `i` of the current record is (counted as [`CsvRecords::check`] counts).
    pub(crate) fn at(&self, i: usize) -> Location {
        Location::at(&self.file, self.rd.line() as usize, Some(field_column(&self.rd, i)))
    }

    /// Bytes read so far (the current record's start), from where the reader began.
    pub(crate) fn position(&self) -> u64 {
        self.rd.start()
    }

    /// The underlying reader (after the last record), e.g. to finish a hash of the bytes read.
    pub(crate) fn into_inner(self) -> R {
        self.rd.into_inner()
    }
}
