//! Dimensions: what a unit measures.

use super::*;

/// What a unit measures. Conversions are only possible within one dimension.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Dimension {
    /// Mass; base unit t.
    Mass,
    /// Volume; base unit m3. A gas volume may state its reference conditions
    /// ([`Unit::volume_ref`]); `Nm3` and `Sm3` share the factor 1 and differ in their reference.
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
    /// Transport of passengers: passengers times distance; base unit passenger-km.
    PassengerDistance,
    /// Transport of freight: mass times distance; base unit tonne-km.
    FreightDistance,
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
            Dimension::PassengerDistance => f.write_str("passenger distance"),
            Dimension::FreightDistance => f.write_str("freight distance"),
            Dimension::Count => f.write_str("count"),
            Dimension::Area => f.write_str("area"),
            Dimension::Ratio => f.write_str("ratio"),
        }
    }
}
