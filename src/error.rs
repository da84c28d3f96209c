//! Errors as data: every problem carries a kind, a location when one is known, what is wrong and what to do.
//!
//! The library never prints; the binary renders these values (see `src/cli`).

use std::fmt;
use std::path::{Path, PathBuf};

/// Where a problem was found: a file and, where known, a 1-based line and column.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Location {
    /// The file, as the user named it (relative paths stay relative).
    pub file: PathBuf,
    /// 1-based line, if known.
    pub line: Option<usize>,
    /// 1-based column (in characters), if known.
    pub column: Option<usize>,
    /// The worksheet, for spreadsheet ledgers: `line` is then the 1-based row and `column` the 1-based column,
    /// (an `Arc<String>`, a thin pointer, keeps `Error` small and clones cheap),
    /// shown as `file:Sheet!B7` (a cell) or `file:Sheet!7:7` (a whole row).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sheet: Option<std::sync::Arc<String>>,
}

impl Location {
    /// A location naming only a file.
    pub fn file(file: impl Into<PathBuf>) -> Self {
        Location { file: file.into(), line: None, column: None, sheet: None }
    }
    /// A location at a line (and optionally a column) of a file.
    pub fn at(file: impl Into<PathBuf>, line: usize, column: Option<usize>) -> Self {
        Location { file: file.into(), line: Some(line), column, sheet: None }
    }
    /// A cell (1-based row and column) or, with `column` None, a whole row of a worksheet.
    pub fn cell(
        file: impl Into<PathBuf>,
        sheet: impl Into<std::sync::Arc<String>>,
        row: usize,
        column: Option<usize>,
    ) -> Self {
        Location { file: file.into(), line: Some(row), column, sheet: Some(sheet.into()) }
    }
}

/// The spreadsheet name of a 1-based column: 1 -> `A`, 26 -> `Z`, 27 -> `AA`.
pub fn column_name(column: usize) -> String {
    let mut n = column;
    let mut out = Vec::new();
    while n > 0 {
        let r = (n - 1) % 26;
        out.push(b'A' + r as u8);
        n = (n - 1) / 26;
    }
    out.reverse();
    String::from_utf8(out).unwrap_or_default()
}

/// A sheet name as a formula would quote it: `Sheet1`, `'My ledger'`, `'it''s'`.
pub fn quote_sheet(name: &str) -> String {
    let plain = name.chars().next().is_some_and(|c| !c.is_ascii_digit())
        && name.chars().all(|c| c.is_alphanumeric() || c == '_' || c == '.');
    if plain { name.to_string() } else { format!("'{}'", name.replace('\'', "''")) }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file.display())?;
        if let Some(sheet) = &self.sheet {
            write!(f, ":{}!", quote_sheet(sheet))?;
            return match (self.line, self.column) {
                (Some(r), Some(c)) => write!(f, "{}{r}", column_name(c)),
                (Some(r), None) => write!(f, "{r}:{r}"),
                _ => Ok(()),
            };
        }
        if let Some(l) = self.line {
            write!(f, ":{l}")?;
            if let Some(c) = self.column {
                write!(f, ":{c}")?;
            }
        }
        Ok(())
    }
}

/// The kind of a problem. Scripts may match on the kebab-case name shown by [`ErrorKind::code`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[non_exhaustive]
pub enum ErrorKind {
    /// A file could not be read.
    Io,
    /// A file is not valid TOML.
    TomlSyntax,
    /// A TOML key is not one the schema knows.
    UnknownKey,
    /// A required key is missing.
    MissingKey,
    /// A value has the wrong type or form.
    BadValue,
    /// A factor id appears twice.
    DuplicateId,
    /// A factor lacks its citation, confidence or valid years.
    MissingProvenance,
    /// A negative value where only non-negative ones make sense.
    Negative,
    /// A unit string is unknown.
    UnknownUnit,
    /// A unit cannot measure what it is applied to.
    DimensionMismatch,
    /// The CSV is malformed (quoting, column count, header).
    Csv,
    /// An activity name is unknown.
    UnknownActivity,
    /// A period is not YYYY, YYYY-MM or YYYY-Qn.
    BadPeriod,
    /// A quantity is not a decimal number.
    BadNumber,
    /// A number is too large for 28 significant digits.
    Overflow,
    /// A file is empty.
    Empty,
    /// A file is not UTF-8.
    Encoding,
    /// A factor set or edition is not in the library.
    UnknownFactorSet,
    /// No factor was found for what a row needs.
    MissingFactor,
    /// More than one factor fits and the inventory did not pick one.
    AmbiguousFactor,
    /// A user factor would shadow a built-in id.
    Shadowing,
    /// A row falls outside the inventory's year.
    OutOfPeriod,
    /// An inconsistency in the inventory itself.
    Inventory,
    /// A command-line usage problem.
    Usage,
    /// A file recorded in `ghg.lock` changed (or the lock does not match what is used).
    LockMismatch,
    /// A certificate fails a quality check the inventory makes an error (vintage, market, duplicate id, excess).
    Certificate,
    /// A scenario file or overlay is invalid.
    Scenario,
    /// A spreadsheet cannot be read as a ledger (unreadable workbook, merged header, date or error cell).
    Spreadsheet,
}

impl ErrorKind {
    /// Stable kebab-case code of the kind, for JSON output and scripts.
    pub fn code(self) -> &'static str {
        match self {
            ErrorKind::Io => "io",
            ErrorKind::TomlSyntax => "toml-syntax",
            ErrorKind::UnknownKey => "unknown-key",
            ErrorKind::MissingKey => "missing-key",
            ErrorKind::BadValue => "bad-value",
            ErrorKind::DuplicateId => "duplicate-id",
            ErrorKind::MissingProvenance => "missing-provenance",
            ErrorKind::Negative => "negative",
            ErrorKind::UnknownUnit => "unknown-unit",
            ErrorKind::DimensionMismatch => "dimension-mismatch",
            ErrorKind::Csv => "csv",
            ErrorKind::UnknownActivity => "unknown-activity",
            ErrorKind::BadPeriod => "bad-period",
            ErrorKind::BadNumber => "bad-number",
            ErrorKind::Overflow => "overflow",
            ErrorKind::Empty => "empty",
            ErrorKind::Encoding => "encoding",
            ErrorKind::UnknownFactorSet => "unknown-factor-set",
            ErrorKind::MissingFactor => "missing-factor",
            ErrorKind::AmbiguousFactor => "ambiguous-factor",
            ErrorKind::Shadowing => "shadowing",
            ErrorKind::OutOfPeriod => "out-of-period",
            ErrorKind::Inventory => "inventory",
            ErrorKind::Usage => "usage",
            ErrorKind::LockMismatch => "lock-mismatch",
            ErrorKind::Certificate => "certificate",
            ErrorKind::Scenario => "scenario",
            ErrorKind::Spreadsheet => "spreadsheet",
        }
    }
}

/// One problem: what kind, where, what is wrong and what to do about it.
///
/// An error made from another one (an [`std::io::Error`] above all) keeps it as its
/// [`source`](std::error::Error::source), so a program can still ask the operating system's error code.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Error {
    /// The kind of problem.
    pub kind: ErrorKind,
    /// Where it was found, if anywhere in particular.
    pub location: Option<Location>,
    /// What is wrong.
    pub message: String,
    /// What to do about it, if the library knows.
    pub hint: Option<String>,
    /// The error this one was made from (an `Arc` of a box: a thin pointer, so `Error` stays small and clones
    /// cheaply). Its text is already part of `message`.
    #[serde(skip)]
    source: Option<std::sync::Arc<Box<dyn std::error::Error + Send + Sync + 'static>>>,
}

/// Two errors are equal when they say the same thing at the same place: the source they were made from is not
/// compared (its text is part of the message).
impl PartialEq for Error {
    fn eq(&self, other: &Self) -> bool {
        self.kind == other.kind
            && self.location == other.location
            && self.message == other.message
            && self.hint == other.hint
    }
}

impl Eq for Error {}

impl Error {
    /// A problem of `kind` with a message and no location.
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Error { kind, location: None, message: message.into(), hint: None, source: None }
    }
    /// Attach a location.
    pub fn at(mut self, location: Location) -> Self {
        self.location = Some(location);
        self
    }
    /// Attach what to do.
    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }
    /// Keep the error this one was made from, as its [`source`](std::error::Error::source).
    pub fn with_source(mut self, source: impl std::error::Error + Send + Sync + 'static) -> Self {
        self.source = Some(std::sync::Arc::new(Box::new(source)));
        self
    }
    /// An I/O problem on a file: "cannot read: ..." at the file, keeping the I/O error as the source (an owned
    /// error as it is, a borrowed one as a copy with the same kind, OS error code and text).
    pub fn io(path: &Path, err: impl IoSource) -> Self {
        let err = err.into_io_error();
        Error::new(ErrorKind::Io, format!("cannot read: {err}")).at(Location::file(path)).with_source(err)
    }
    /// A value too large for a decimal (28 significant digits): "<what> overflows 28 significant digits", so that
    /// an overflow is an error where it happens, never a 0 or a clamped value. Locate it with [`Error::at`].
    pub fn overflow(what: impl fmt::Display) -> Self {
        Error::new(ErrorKind::Overflow, format!("{what} overflows 28 significant digits"))
            .hint("a value this large is most likely a unit or magnitude mistake in the input")
    }
    /// An I/O problem writing a file: "cannot write: ..." at the file, keeping the I/O error as the source.
    pub fn io_write(path: &Path, err: impl IoSource) -> Self {
        let err = err.into_io_error();
        Error::new(ErrorKind::Io, format!("cannot write: {err}")).at(Location::file(path)).with_source(err)
    }
}

/// An I/O error that [`Error::io`] can keep as its source: `std::io::Error` itself, or a reference to one, which
/// is copied (an `io::Error` cannot be cloned) with its kind, OS error code and text.
pub trait IoSource {
    /// The error to keep.
    fn into_io_error(self) -> std::io::Error;
}

impl IoSource for std::io::Error {
    fn into_io_error(self) -> std::io::Error {
        self
    }
}

impl IoSource for &std::io::Error {
    fn into_io_error(self) -> std::io::Error {
        match self.raw_os_error() {
            Some(code) => std::io::Error::from_raw_os_error(code),
            None => std::io::Error::new(self.kind(), self.to_string()),
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(loc) = &self.location {
            write!(f, "{loc}: ")?;
        }
        write!(f, "{}", self.message)?;
        if let Some(h) = &self.hint {
            write!(f, " ({h})")?;
        }
        Ok(())
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source.as_deref().map(|b| &**b as &(dyn std::error::Error + 'static))
    }
}

/// Every problem found in one run, in the order found. A file's problems are all reported together.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Diagnostics(pub Vec<Error>);

impl Diagnostics {
    /// No problems yet.
    pub fn new() -> Self {
        Diagnostics(Vec::new())
    }
    /// Record a problem.
    pub fn push(&mut self, e: Error) {
        self.0.push(e);
    }
    /// True when nothing was recorded.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
    /// Ok(value) when there were no problems, else the problems.
    pub fn into_result<T>(self, value: T) -> Result<T, Diagnostics> {
        if self.0.is_empty() { Ok(value) } else { Err(self) }
    }
}

impl From<Error> for Diagnostics {
    fn from(e: Error) -> Self {
        Diagnostics(vec![e])
    }
}

impl fmt::Display for Diagnostics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "error: {e}")?;
        }
        Ok(())
    }
}

/// A single problem's source is the run's source; of several problems, none is singled out.
impl std::error::Error for Diagnostics {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self.0.as_slice() {
            [one] => std::error::Error::source(one),
            _ => None,
        }
    }
}

/// Convert a byte offset into `text` to a 1-based (line, column in characters).
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = &text.as_bytes()[..offset];
    // memchr counts newlines many bytes at a time: factor files locate every factor they load.
    let line = memchr::memchr_iter(b'\n', before).count() + 1;
    let line_start = memchr::memrchr(b'\n', before).map_or(0, |i| i + 1);
    let col = text.get(line_start..offset).map(|s| s.chars().count()).unwrap_or(0) + 1;
    (line, col)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::error::Error as _;

    #[test]
    fn an_error_stays_small() {
        // clippy.toml allows an `Err` of this size; a larger one would need boxing.
        assert!(std::mem::size_of::<Error>() <= 128, "Error is {} bytes", std::mem::size_of::<Error>());
    }

    #[test]
    fn an_io_error_stays_the_source() {
        let missing = Path::new("no/such/ledger.csv");
        let io = std::fs::read(missing).expect_err("the file does not exist");
        let code = io.raw_os_error();
        assert!(code.is_some(), "reading a missing file fails with an OS error code");
        // Borrowed: a copy with the same kind, OS error code and text.
        let e = Error::io(missing, &io);
        assert_eq!(e.to_string(), format!("no/such/ledger.csv: cannot read: {io}"));
        let src = e.source().and_then(|s| s.downcast_ref::<std::io::Error>()).expect("the io::Error is the source");
        assert_eq!((src.kind(), src.raw_os_error(), src.to_string()), (io.kind(), code, io.to_string()));
        // It survives a clone and a Diagnostics of one problem.
        let d = Diagnostics::from(e.clone());
        let src = d.source().and_then(|s| s.downcast_ref::<std::io::Error>()).expect("the one problem's source");
        assert_eq!(src.kind(), std::io::ErrorKind::NotFound);
        // Owned: kept as it is (a custom error keeps its inner error too).
        let inner = std::io::Error::other("disk on fire");
        let e = Error::io_write(Path::new("out.json"), inner);
        assert_eq!(e.to_string(), "out.json: cannot write: disk on fire");
        let src = e.source().and_then(|s| s.downcast_ref::<std::io::Error>()).expect("kept");
        assert_eq!(src.get_ref().map(|i| i.to_string()).as_deref(), Some("disk on fire"));
        // Errors compare by what they say, not by what they were made from.
        assert_eq!(
            Error::new(ErrorKind::Io, "cannot read: x"),
            Error::new(ErrorKind::Io, "cannot read: x").with_source(io)
        );
        assert!(Error::new(ErrorKind::Usage, "bad").source().is_none());
        let two = Diagnostics(vec![e.clone(), e]);
        assert!(two.source().is_none(), "of several problems none is singled out");
    }
}
