//! `ghg` recomputes a company's energy and greenhouse-gas figures from activity data and published,
//! versioned emission factors, in exact decimal arithmetic, with every figure traced to the ledger rows
//! (file:line) and factor editions (`set@edition:id`) that produced it.
//!
//! ```
//! use std::path::Path;
//! use ghg::{FactorLibrary, Inventory, calc};
//!
//! let lib = FactorLibrary::builtin().expect("the built-in factor files are valid");
//! let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/hikvision-2024");
//! let inv = Inventory::load(&dir.join("inventory.toml")).expect("the example inventory is valid");
//! let result = calc::compute(&inv, &lib, calc::ComputeOptions::default()).expect("it computes");
//! let indirect = &result.figures[ghg::figure::ENERGY_INDIRECT.as_str()]; // the figure `energy.indirect`
//! assert_eq!(ghg::printed::round_half_away(indirect.value, 2).to_string(), "44563.05");
//! ```
//!
//! Figure ids (`scope1`, `scope2.market`, `intensity.energy`, ...) are named by the constants of [`figure`], which
//! also knows their canonical order and which figures each total sums.
//!
//! Ledgers may also be spreadsheets ([`sheet`]: .xlsx, .xls, .ods, with the same row checks located at cells);
//! every ledger, CSV or spreadsheet, is read through [`ledger::open`]. Results are handed over as a workbook or a
//! self-contained HTML report built from a [`report::Document`] ([`report::compute_document`], [`report::workbook`],
//! [`report::html`]); a [`calc::Calculation`] run against a [`calc::Sink`] streams calculation lines and reports
//! [`calc::Progress`] as it goes. `cargo run --example library_use` shows them together.
#![deny(missing_docs)]

pub mod activity;
pub mod atomic;
pub mod baseyear;
pub mod calc;
pub mod encoding;
pub mod error;
pub mod factor;
pub mod figure;
pub mod group;
pub mod inventory;
pub mod ledger;
pub mod lock;
pub mod number;
pub mod printed;
pub mod reconcile;
pub mod region;
pub mod report;
pub mod scenario;
pub mod sheet;
pub mod suggest;
pub mod tomlx;
pub mod uncertainty;
pub mod units;
pub mod vocab;

pub use activity::{Activity, ActivityRecord, Period};
pub use calc::{Computation, ComputeOptions, Figure, Line, compute};
pub use error::{Diagnostics, Error, ErrorKind, Location};
pub use factor::{Factor, FactorLibrary, FactorRef, FactorSet};
pub use inventory::Inventory;
/// The exact decimal type of every value (re-exported so that programs need not depend on rust_decimal).
pub use rust_decimal::Decimal;
pub use units::{Dimension, Gas, Quantity, RateUnit, Unit};

/// Load the library an inventory needs: the built-in sets, the inventory's `factor_paths`, and `extra` folders.
pub fn library_for(inv: &Inventory, extra: &[std::path::PathBuf]) -> Result<FactorLibrary, Diagnostics> {
    let mut lib = FactorLibrary::builtin()?;
    let mut d = Diagnostics::new();
    for dir in inv.factor_paths.iter().chain(extra) {
        if let Err(e) = lib.add_dir(dir) {
            d.0.extend(e.0);
        }
    }
    d.into_result(lib)
}
