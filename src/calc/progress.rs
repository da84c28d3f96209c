//! Progress of a long calculation, reported to a hook the caller supplies: the library only counts, a program
//! decides whether and how to show it (the `ghg` binary draws a bar on stderr).

use std::path::Path;

/// How far a calculation has got. Reported every few thousand rows and at the end of each ledger.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Progress<'a> {
    /// The ledger being read.
    pub file: &'a Path,
    /// Its index among the inventory's ledgers (0-based).
    pub file_index: usize,
    /// How many ledgers the inventory lists.
    pub files: usize,
    /// Work done in this ledger: bytes read for CSV, rows looked at for spreadsheets.
    pub done: u64,
    /// Work in this ledger in all, in the same measure (0 when unknown).
    pub total: u64,
    /// Data rows read so far, over all ledgers.
    pub rows: u64,
}

/// How often (in rows) the hook is called.
pub const PROGRESS_EVERY: u64 = 4096;
