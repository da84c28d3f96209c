//! Versioned, cited emission-factor sets and the library that holds them.
//!
//! A factor set is one TOML file `factors/<publisher>/<name>-<edition>.toml` (schema in `factors/README.md`).
//! Sets are validated on load; every problem of a file is reported together with file:line:column.

mod library;
mod load;
mod search;
pub mod verify;

pub use library::{FactorLibrary, FactorRef};
pub use load::parse_set;
pub use search::FactorHit;

use std::fmt;
use std::path::PathBuf;

use rust_decimal::Decimal;
use serde::Serialize;

use crate::error::Location;
use crate::units::{Gas, RateUnit};

/// How sure we are of a published value (see `../shared/reference/factors.md`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Confidence {
    /// Two or more independent sources agree, or one careful transcription citing table and page.
    A,
    /// One source.
    B,
    /// Not confirmed in any source read; shipped only with a note.
    #[serde(rename = "unconfirmed")]
    Unconfirmed,
}

impl fmt::Display for Confidence {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Confidence::A => "A",
            Confidence::B => "B",
            Confidence::Unconfirmed => "unconfirmed",
        })
    }
}

/// What a factor converts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FactorKind {
    /// Mass of a gas per unit of activity (or per unit of energy, bridged by an NCV).
    Emission,
    /// CO2 from NCV x carbon content x oxidation rate x 44/12.
    Combustion,
    /// Net calorific value: energy per mass or volume of fuel.
    Ncv,
    /// Standard-coal coefficient: tce (or kgce) per unit of energy carrier.
    StandardCoal,
    /// Global warming potential: t CO2e per t of gas.
    Gwp,
    /// Density of a fuel: mass per volume (an activity constant bridging litres and tonnes).
    Density,
}

impl FactorKind {
    /// The name used in factor files.
    pub fn name(self) -> &'static str {
        match self {
            FactorKind::Emission => "emission",
            FactorKind::Combustion => "combustion",
            FactorKind::Ncv => "ncv",
            FactorKind::StandardCoal => "standard_coal",
            FactorKind::Gwp => "gwp",
            FactorKind::Density => "density",
        }
    }
}

/// The years a factor applies to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum ValidYears {
    /// Not tied to a year (physical constants, GWP sets, standards).
    Any,
    /// Only these years.
    Years(Vec<i32>),
}

impl ValidYears {
    /// Whether `year` is covered.
    pub fn covers(&self, year: i32) -> bool {
        match self {
            ValidYears::Any => true,
            ValidYears::Years(v) => v.contains(&year),
        }
    }
}

impl fmt::Display for ValidYears {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ValidYears::Any => f.write_str("any"),
            ValidYears::Years(v) => {
                let s: Vec<String> = v.iter().map(|y| y.to_string()).collect();
                f.write_str(&s.join(", "))
            }
        }
    }
}

/// A value with its unit, as written in a factor file.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Param {
    /// The decimal value.
    pub value: Decimal,
    /// Its unit.
    pub unit: RateUnit,
}

/// How a factor's value is given.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "form", rename_all = "snake_case")]
pub enum FactorValue {
    /// A value given directly.
    Direct(Param),
    /// CO2 = NCV x carbon content x oxidation x 44/12 (oxidation as a fraction).
    Combustion {
        /// Net calorific value per unit of fuel.
        ncv: Param,
        /// Carbon content per unit of energy (tC per energy unit).
        carbon_content: Param,
        /// Oxidation rate as a fraction (0.98).
        oxidation: Decimal,
    },
}

/// Set-level metadata of a factor file.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SetMeta {
    /// Set id, e.g. `mee-grid`.
    pub id: String,
    /// Edition, e.g. `2022`.
    pub edition: String,
    /// Title as published.
    pub title: String,
    /// Publisher.
    pub publisher: String,
    /// Publication date as printed by the source, or "unknown".
    pub published: String,
    /// Source and locator.
    pub source: String,
    /// Licence note.
    pub licence: String,
    /// Confidence of the set as a whole.
    pub confidence: Confidence,
    /// Free notes.
    pub notes: Option<String>,
}

/// One validated emission factor with its provenance.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Factor {
    /// Id, unique within its set.
    pub id: String,
    /// What it converts.
    pub kind: FactorKind,
    /// Ledger activity it applies to (`any` for GWP).
    pub activity: String,
    /// Region code.
    pub region: String,
    /// Gas, for emission, combustion and GWP factors.
    pub gas: Option<Gas>,
    /// The value and how it is given.
    pub value: FactorValue,
    /// Citation: instrument, table, page, sources.
    pub citation: String,
    /// Confidence grade.
    pub confidence: Confidence,
    /// Years it applies to.
    pub valid_years: ValidYears,
    /// Optional note.
    pub note: Option<String>,
    /// Name of the alternative, where a set offers several values for one activity.
    pub alternative: Option<String>,
    /// Other ids it answers to (an id renamed in a later release keeps working).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<String>,
    /// For a heating value or a factor per energy of a fuel: whether the energy is gross or net calorific value.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cv: Option<CvBasis>,
    /// Its uncertainty (`uncertainty = ...`: a 95 % interval or a distribution), if the file gives one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub uncertainty: Option<crate::uncertainty::Uncertainty>,
    /// Where it is defined.
    #[serde(skip)]
    pub location: Location,
}

pub use crate::units::CvBasis;

/// The constant 44/12 is applied as "x 44, then / 12", the division last, so that it is the only inexact step.
pub const CO2_PER_C_NUM: Decimal = Decimal::from_parts(44, 0, 0, false, 0);
/// Denominator of the CO2/C molar-mass ratio.
pub const CO2_PER_C_DEN: Decimal = Decimal::from_parts(12, 0, 0, false, 0);

impl Factor {
    /// The unit of the factor's effective rate (for combustion: tCO2 per unit of fuel).
    pub fn rate_unit(&self) -> RateUnit {
        match &self.value {
            FactorValue::Direct(p) => p.unit.clone(),
            FactorValue::Combustion { ncv, .. } => RateUnit {
                num: crate::units::Unit::base(crate::units::Dimension::Emission(Gas::CO2)),
                den: ncv.unit.den.clone(),
            },
        }
    }
    /// The effective rate in [`Factor::rate_unit`]. For combustion factors this is
    /// NCV x CC x OF x 44 / 12 with CC converted to t C per NCV energy unit.
    pub fn rate(&self) -> Option<Decimal> {
        match &self.value {
            FactorValue::Direct(p) => Some(p.value),
            FactorValue::Combustion { .. } => self.combustion_product().and_then(|p| p.checked_div(CO2_PER_C_DEN)),
        }
    }
    /// For combustion factors, NCV x CC x OF x 44 (per unit of fuel), before the final division by 12.
    pub fn combustion_product(&self) -> Option<Decimal> {
        let FactorValue::Combustion { ncv, carbon_content, oxidation } = &self.value else { return None };
        let cc = combustion_cc_per_ncv_energy(ncv, carbon_content)?;
        ncv.value.checked_mul(cc)?.checked_mul(*oxidation)?.checked_mul(CO2_PER_C_NUM)
    }
    /// A one-line human description of how the value is formed.
    pub fn describe(&self) -> String {
        match &self.value {
            FactorValue::Direct(p) => format!("{} {}", p.value, p.unit.symbol()),
            FactorValue::Combustion { ncv, carbon_content, oxidation } => format!(
                "NCV {} {} x CC {} {} x OF {} x 44/12",
                ncv.value,
                ncv.unit.symbol(),
                carbon_content.value,
                carbon_content.unit.symbol(),
                oxidation.normalize()
            ),
        }
    }
}

/// The carbon content converted to tC per the NCV's energy unit.
pub(crate) fn combustion_cc_per_ncv_energy(ncv: &Param, cc: &Param) -> Option<Decimal> {
    let target = RateUnit { num: cc.unit.num.clone(), den: ncv.unit.num.clone() };
    RateUnit::convert_value(cc.value, &cc.unit, &target).ok()
}

/// A validated factor file.
#[derive(Debug, Clone, Serialize)]
pub struct FactorSet {
    /// Metadata.
    pub meta: SetMeta,
    /// The factors, in file order.
    pub factors: Vec<Factor>,
    /// Path as shown to users (`factors/mee/grid-2022.toml` for built-ins).
    pub path: PathBuf,
    /// SHA-256 of the file bytes, lowercase hex.
    pub sha256: String,
    /// Whether it ships with ghg.
    pub builtin: bool,
    /// The activities the file declares (`[[activity]]`), by id.
    pub activities: Vec<String>,
}

impl FactorSet {
    /// `set@edition`.
    pub fn key(&self) -> String {
        format!("{}@{}", self.meta.id, self.meta.edition)
    }
    /// The factor with this id.
    pub fn get(&self, id: &str) -> Option<&Factor> {
        self.factors
            .iter()
            .find(|f| f.id == id)
            .or_else(|| self.factors.iter().find(|f| f.aliases.iter().any(|a| a == id)))
    }
}

/// Lowercase hex SHA-256 of bytes.
pub fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    let d = sha2::Sha256::digest(bytes);
    let mut s = String::with_capacity(64);
    for b in d.iter() {
        s.push_str(&format!("{b:02x}"));
    }
    s
}
