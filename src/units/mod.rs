//! Units of measure: dimensions, units, exact conversions and rate units.
//!
//! Every unit is a dimension plus an exact decimal factor to that dimension's base unit
//! (see `docs/DESIGN.md`, section "Units"). Conversions multiply first and divide last, so the
//! division is the only step that can be inexact (28 significant digits).
//!
//! All accepted spellings of plain units live in one static table ([`Unit::parse`] and
//! [`Unit::accepted_spellings`] both read it), plus a generated table of emission units
//! (`<g|kg|t|Gg|kt|Mt><gas>`).
//!
//! A gas volume may state the conditions it is measured at ([`VolumeRef`]: `Nm3` at 0 °C, `Sm3` at
//! 15 °C, `m3(20C)`, `scf` at 60 °F); two stated volumes convert through the ideal-gas law.

use std::borrow::Cow;
use std::fmt;
use std::str::FromStr;

use rust_decimal::Decimal;
use rust_decimal_macros::dec;

mod currency;
mod cv;
mod dimension;
mod error;
mod gas;
mod quantity;
mod rate;
mod spelling;
#[cfg(test)]
mod tests;
mod unit;
mod volume_ref;

pub use currency::Currency;
pub use cv::CvBasis;
pub use dimension::Dimension;
pub use error::UnitError;
pub use gas::Gas;
pub use quantity::Quantity;
pub use rate::RateUnit;
pub use unit::{Unit, convert};
pub use volume_ref::{VolumeRef, reference_ratio};

use gas::*;
use spelling::*;
use unit::*;
use volume_ref::*;
