//! The hook scenarios use to change a calculation's inputs without touching the files: ledger rows are
//! adjusted as they are read, and records made in memory (each located where it was made) are read after the
//! inventory's own ledgers.

use crate::activity::ActivityRecord;
use crate::error::Error;
use crate::ledger::Memory;

/// Changes applied to the rows of a calculation (see `ghg::scenario`).
pub trait RowOverlay {
    /// Adjust one record of the inventory's ledgers before it is used (scale its quantity). An error (an amount
    /// that overflows, located at the row) rejects the row.
    fn adjust(&mut self, rec: &mut ActivityRecord) -> Result<(), Error>;
    /// Records made in memory, read after the inventory's ledgers (each keeps its own location).
    fn extra_records(&mut self) -> Vec<Memory>;
}
