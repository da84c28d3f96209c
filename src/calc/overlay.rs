//! The hook scenarios use to change a calculation's inputs without touching the files: ledger rows are
//! adjusted as they are read, and extra ledgers (synthetic rows) are read after the inventory's own.

use std::path::PathBuf;

use crate::activity::ActivityRecord;

/// Changes applied to the rows of a calculation (see `ghg::scenario`).
pub trait RowOverlay {
    /// Adjust one record before it is used (scale its quantity, point a synthetic row at its scenario line).
    fn adjust(&mut self, rec: &mut ActivityRecord);
    /// Extra ledgers, read after the inventory's own: (name shown in provenance, CSV text with a header).
    fn extra_ledgers(&mut self) -> Vec<(PathBuf, String)>;
}
