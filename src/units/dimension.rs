//! Dimensions: what a unit measures.

use super::*;

/// What a unit measures. Conversions are only possible within one dimension.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Dimension {
    /// Mass; base unit t.
    Mass,
    /// Volume; base unit m3 (Nm3 is treated as m3 at the factor's reference condition).
    Volume,
    /// Energy; base unit MJ.
    Energy,
    /// Standard coal equivalent; base unit tce.
    StandardCoal,
    /// Emitted mass of one gas; base unit t of that gas.
    Emission(Gas),
    /// Money in one currency; base unit 1 unit of that currency (元 for CNY).
    Money(Currency),
    /// Distance; base unit km.
    Distance,
    /// Count of items; base unit 1.
    Count,
    /// Area (floor area, a denominator of intensities); base unit m2.
    Area,
    /// Dimensionless ratio; base unit 1 ("%" = 0.01).
    Ratio,
}

impl fmt::Display for Dimension {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Dimension::Mass => f.write_str("mass"),
            Dimension::Volume => f.write_str("volume"),
            Dimension::Energy => f.write_str("energy"),
            Dimension::StandardCoal => f.write_str("standard coal"),
            Dimension::Emission(g) => write!(f, "{g} emissions"),
            Dimension::Money(c) => write!(f, "money ({c})"),
            Dimension::Distance => f.write_str("distance"),
            Dimension::Count => f.write_str("count"),
            Dimension::Area => f.write_str("area"),
            Dimension::Ratio => f.write_str("ratio"),
        }
    }
}
