//! Units of measure: dimensions, units, exact conversions and rate units.
//!
//! Every unit is a dimension plus an exact decimal factor to that dimension's base unit
//! (see `docs/DESIGN.md`, section "Units"). Conversions multiply first and divide last, so the
//! division is the only step that can be inexact (28 significant digits).
//!
//! All accepted spellings of plain units live in one static table ([`Unit::parse`] and
//! [`Unit::accepted_spellings`] both read it), plus a generated table of emission units
//! (`<g|kg|t|Gg|kt|Mt><gas>`).

use std::borrow::Cow;
use std::fmt;
use std::str::FromStr;

use rust_decimal::Decimal;
use rust_decimal_macros::dec;

// ---------------------------------------------------------------------------------------------
// Gas
// ---------------------------------------------------------------------------------------------

/// A greenhouse gas (or carbon, or CO2-equivalent) whose mass an emission unit measures.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
pub enum Gas {
    /// Carbon dioxide.
    CO2,
    /// Methane.
    CH4,
    /// Nitrous oxide.
    N2O,
    /// Carbon dioxide equivalent (several gases weighted by GWP).
    CO2e,
    /// Carbon (mass of C, e.g. carbon content factors in tC/TJ).
    C,
    /// Sulphur hexafluoride.
    SF6,
    /// Nitrogen trifluoride.
    NF3,
    /// Tetrafluoromethane.
    CF4,
}

/// Written forms of gas names (canonical case). `Gas::from_str` compares them
/// case-insensitively; emission units accept them as written or in all capitals.
const GAS_FORMS: &[(&str, Gas)] = &[
    ("CO2", Gas::CO2),
    ("CO₂", Gas::CO2),
    ("CO2e", Gas::CO2e),
    ("CO2eq", Gas::CO2e),
    ("CO₂e", Gas::CO2e),
    ("CO₂eq", Gas::CO2e),
    ("CH4", Gas::CH4),
    ("N2O", Gas::N2O),
    ("C", Gas::C),
    ("SF6", Gas::SF6),
    ("NF3", Gas::NF3),
    ("CF4", Gas::CF4),
];

impl Gas {
    /// All gases, in declaration order.
    pub const ALL: [Gas; 8] = [Gas::CO2, Gas::CH4, Gas::N2O, Gas::CO2e, Gas::C, Gas::SF6, Gas::NF3, Gas::CF4];

    /// The canonical symbol: "CO2", "CH4", "N2O", "CO2e", "C", "SF6", "NF3", "CF4".
    pub fn symbol(self) -> &'static str {
        match self {
            Gas::CO2 => "CO2",
            Gas::CH4 => "CH4",
            Gas::N2O => "N2O",
            Gas::CO2e => "CO2e",
            Gas::C => "C",
            Gas::SF6 => "SF6",
            Gas::NF3 => "NF3",
            Gas::CF4 => "CF4",
        }
    }

    /// Spellings accepted by `Gas::from_str` (compared case-insensitively).
    pub fn accepted_spellings() -> Vec<&'static str> {
        GAS_FORMS.iter().map(|(s, _)| *s).collect()
    }
}

/// Gas of an emission-unit suffix: a written form exactly, or a written form in all capitals.
fn gas_from_suffix(s: &str) -> Option<Gas> {
    GAS_FORMS.iter().find(|(form, _)| s == *form || s == form.to_uppercase()).map(|(_, g)| *g)
}

impl fmt::Display for Gas {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.symbol())
    }
}

impl FromStr for Gas {
    type Err = UnitError;

    /// Case-insensitive; accepts "CO2", "CO2e", "CO2eq", "CO₂", "CO₂e", "CH4", "N2O", "C", ...
    fn from_str(s: &str) -> Result<Gas, UnitError> {
        let t = s.trim();
        let lower = t.to_lowercase();
        GAS_FORMS
            .iter()
            .find(|(form, _)| form.to_lowercase() == lower)
            .map(|(_, g)| *g)
            .ok_or_else(|| UnitError::UnknownGas { input: t.to_string(), accepted: Gas::accepted_spellings() })
    }
}

impl<'de> serde::Deserialize<'de> for Gas {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Gas, D::Error> {
        let s = <Cow<'de, str> as serde::Deserialize>::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

// ---------------------------------------------------------------------------------------------
// Currency
// ---------------------------------------------------------------------------------------------

/// A currency; money units are amounts of one currency (never converted between currencies).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
pub enum Currency {
    /// Chinese yuan renminbi (元).
    CNY,
    /// US dollar.
    USD,
    /// Euro.
    EUR,
}

impl Currency {
    /// ISO 4217 code: "CNY", "USD", "EUR".
    pub fn code(self) -> &'static str {
        match self {
            Currency::CNY => "CNY",
            Currency::USD => "USD",
            Currency::EUR => "EUR",
        }
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

// ---------------------------------------------------------------------------------------------
// Dimension
// ---------------------------------------------------------------------------------------------

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
            Dimension::Ratio => f.write_str("ratio"),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------------------------

/// Errors from parsing units and converting quantities.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum UnitError {
    /// The unit text is not one of the accepted spellings.
    #[error("unknown unit '{input}'; accepted: {}", .accepted.join(", "))]
    Unknown {
        /// The (trimmed) text that was not recognised.
        input: String,
        /// Every accepted spelling, for the message.
        accepted: Vec<&'static str>,
    },
    /// The gas name is not recognised.
    #[error("unknown gas '{input}'; accepted: {}", .accepted.join(", "))]
    UnknownGas {
        /// The (trimmed) text that was not recognised.
        input: String,
        /// Every accepted gas spelling.
        accepted: Vec<&'static str>,
    },
    /// The two units measure different things.
    #[error("cannot convert {from} ({from_dim}) to {to} ({to_dim})")]
    DimensionMismatch {
        /// Symbol of the source unit.
        from: String,
        /// Dimension of the source unit.
        from_dim: Dimension,
        /// Symbol of the target unit.
        to: String,
        /// Dimension of the target unit.
        to_dim: Dimension,
    },
    /// A rate unit was expected ("<numerator>/<denominator>", or a bare ratio such as "1").
    #[error(
        "'{input}' is not a rate unit; expected <numerator>/<denominator> such as tCO2/MWh, or 1 for a plain ratio"
    )]
    MalformedRate {
        /// The (trimmed) text.
        input: String,
    },
    /// The number part of a quantity could not be read.
    #[error("invalid number in quantity '{input}'")]
    InvalidNumber {
        /// The (trimmed) quantity text.
        input: String,
    },
    /// A decimal operation overflowed (or divided by zero).
    #[error("numeric overflow while {what}")]
    Overflow {
        /// What was being computed.
        what: String,
    },
}

// ---------------------------------------------------------------------------------------------
// Spelling tables
// ---------------------------------------------------------------------------------------------

/// One accepted spelling of a plain unit.
struct Spelling {
    text: &'static str,
    symbol: &'static str,
    dim: Dimension,
    to_base: Decimal,
}

const fn row(text: &'static str, symbol: &'static str, dim: Dimension, to_base: Decimal) -> Spelling {
    Spelling { text, symbol, dim, to_base }
}

const MASS: Dimension = Dimension::Mass;
const VOLUME: Dimension = Dimension::Volume;
const ENERGY: Dimension = Dimension::Energy;
const COAL: Dimension = Dimension::StandardCoal;
const CNY: Dimension = Dimension::Money(Currency::CNY);
const USD: Dimension = Dimension::Money(Currency::USD);
const EUR: Dimension = Dimension::Money(Currency::EUR);
const DISTANCE: Dimension = Dimension::Distance;
const COUNT: Dimension = Dimension::Count;
const RATIO: Dimension = Dimension::Ratio;
const E_CO2: Dimension = Dimension::Emission(Gas::CO2);
const E_CO2E: Dimension = Dimension::Emission(Gas::CO2e);
const E_C: Dimension = Dimension::Emission(Gas::C);

/// Plain units of the physical dimensions (listed before the emission units).
static PHYSICAL: &[Spelling] = &[
    // Mass, base t
    row("t", "t", MASS, dec!(1)),
    row("tonne", "t", MASS, dec!(1)),
    row("tonnes", "t", MASS, dec!(1)),
    row("吨", "t", MASS, dec!(1)),
    row("kg", "kg", MASS, dec!(0.001)),
    row("千克", "kg", MASS, dec!(0.001)),
    row("公斤", "kg", MASS, dec!(0.001)),
    row("g", "g", MASS, dec!(0.000001)),
    row("克", "g", MASS, dec!(0.000001)),
    row("Gg", "Gg", MASS, dec!(1000)),
    row("kt", "kt", MASS, dec!(1000)),
    row("Mt", "Mt", MASS, dec!(1000000)),
    row("10^4 t", "10^4 t", MASS, dec!(10000)),
    row("万吨", "10^4 t", MASS, dec!(10000)),
    // Volume, base m3
    row("m3", "m3", VOLUME, dec!(1)),
    row("m³", "m3", VOLUME, dec!(1)),
    row("立方米", "m3", VOLUME, dec!(1)),
    row("Nm3", "Nm3", VOLUME, dec!(1)),
    row("Nm³", "Nm3", VOLUME, dec!(1)),
    row("标准立方米", "Nm3", VOLUME, dec!(1)),
    row("10^4 m3", "10^4 m3", VOLUME, dec!(10000)),
    row("万立方米", "10^4 m3", VOLUME, dec!(10000)),
    row("万m3", "10^4 m3", VOLUME, dec!(10000)),
    row("10^4 Nm3", "10^4 Nm3", VOLUME, dec!(10000)),
    row("万Nm3", "10^4 Nm3", VOLUME, dec!(10000)),
    row("L", "L", VOLUME, dec!(0.001)),
    row("l", "L", VOLUME, dec!(0.001)),
    row("升", "L", VOLUME, dec!(0.001)),
    row("公升", "L", VOLUME, dec!(0.001)),
    row("kL", "kL", VOLUME, dec!(1)),
    row("千升", "kL", VOLUME, dec!(1)),
    row("gal", "gal", VOLUME, dec!(0.003785411784)),
    // Energy, base MJ
    row("kWh", "kWh", ENERGY, dec!(3.6)),
    row("度", "kWh", ENERGY, dec!(3.6)),
    row("千瓦时", "kWh", ENERGY, dec!(3.6)),
    row("MWh", "MWh", ENERGY, dec!(3600)),
    row("千度", "MWh", ENERGY, dec!(3600)),
    row("兆瓦时", "MWh", ENERGY, dec!(3600)),
    row("10^4 MWh", "10^4 MWh", ENERGY, dec!(36000000)),
    row("万兆瓦时", "10^4 MWh", ENERGY, dec!(36000000)),
    row("GWh", "GWh", ENERGY, dec!(3600000)),
    row("吉瓦时", "GWh", ENERGY, dec!(3600000)),
    row("10^4 kWh", "10^4 kWh", ENERGY, dec!(36000)),
    row("万千瓦时", "10^4 kWh", ENERGY, dec!(36000)),
    row("10^8 kWh", "10^8 kWh", ENERGY, dec!(360000000)),
    row("亿千瓦时", "10^8 kWh", ENERGY, dec!(360000000)),
    row("MJ", "MJ", ENERGY, dec!(1)),
    row("兆焦", "MJ", ENERGY, dec!(1)),
    row("GJ", "GJ", ENERGY, dec!(1000)),
    row("吉焦", "GJ", ENERGY, dec!(1000)),
    row("TJ", "TJ", ENERGY, dec!(1000000)),
    row("太焦", "TJ", ENERGY, dec!(1000000)),
    row("kcal", "kcal", ENERGY, dec!(0.0041868)),
    row("千卡", "kcal", ENERGY, dec!(0.0041868)),
    row("大卡", "kcal", ENERGY, dec!(0.0041868)),
    row("Btu", "Btu", ENERGY, dec!(0.00105505585262)),
    row("MMBtu", "MMBtu", ENERGY, dec!(1055.05585262)),
    row("therm", "therm", ENERGY, dec!(105.505585262)),
    // Standard coal, base tce
    row("kgce", "kgce", COAL, dec!(0.001)),
    row("千克标准煤", "kgce", COAL, dec!(0.001)),
    row("千克标煤", "kgce", COAL, dec!(0.001)),
    row("tce", "tce", COAL, dec!(1)),
    row("吨标煤", "tce", COAL, dec!(1)),
    row("吨标准煤", "tce", COAL, dec!(1)),
    row("10^4 tce", "10^4 tce", COAL, dec!(10000)),
    row("万吨标煤", "10^4 tce", COAL, dec!(10000)),
    row("万吨标准煤", "10^4 tce", COAL, dec!(10000)),
];

/// Chinese emission units and the remaining dimensions (listed after the emission units).
static OTHER: &[Spelling] = &[
    // Emissions (Chinese spellings; ASCII ones are in EMISSION_ROWS)
    row("吨二氧化碳", "tCO2", E_CO2, dec!(1)),
    row("吨二氧化碳当量", "tCO2e", E_CO2E, dec!(1)),
    row("千克二氧化碳", "kgCO2", E_CO2, dec!(0.001)),
    row("千克二氧化碳当量", "kgCO2e", E_CO2E, dec!(0.001)),
    row("10^4 tCO2", "10^4 tCO2", E_CO2, dec!(10000)),
    row("万吨二氧化碳", "10^4 tCO2", E_CO2, dec!(10000)),
    row("10^4 tCO2e", "10^4 tCO2e", E_CO2E, dec!(10000)),
    row("万吨二氧化碳当量", "10^4 tCO2e", E_CO2E, dec!(10000)),
    row("吨碳", "tC", E_C, dec!(1)),
    // Money, base 1 unit of the currency
    row("CNY", "CNY", CNY, dec!(1)),
    row("元", "CNY", CNY, dec!(1)),
    row("RMB", "CNY", CNY, dec!(1)),
    row("人民币元", "CNY", CNY, dec!(1)),
    row("10^4 CNY", "10^4 CNY", CNY, dec!(10000)),
    row("万元", "10^4 CNY", CNY, dec!(10000)),
    row("million CNY", "million CNY", CNY, dec!(1000000)),
    row("百万元", "million CNY", CNY, dec!(1000000)),
    row("MCNY", "million CNY", CNY, dec!(1000000)),
    row("10^8 CNY", "10^8 CNY", CNY, dec!(100000000)),
    row("亿元", "10^8 CNY", CNY, dec!(100000000)),
    row("USD", "USD", USD, dec!(1)),
    row("million USD", "million USD", USD, dec!(1000000)),
    row("EUR", "EUR", EUR, dec!(1)),
    row("million EUR", "million EUR", EUR, dec!(1000000)),
    // Distance, base km
    row("km", "km", DISTANCE, dec!(1)),
    row("公里", "km", DISTANCE, dec!(1)),
    row("千米", "km", DISTANCE, dec!(1)),
    row("m", "m", DISTANCE, dec!(0.001)),
    row("mi", "mi", DISTANCE, dec!(1.609344)),
    row("mile", "mi", DISTANCE, dec!(1.609344)),
    row("miles", "mi", DISTANCE, dec!(1.609344)),
    // Count, base 1
    row("count", "count", COUNT, dec!(1)),
    row("pcs", "count", COUNT, dec!(1)),
    row("个", "count", COUNT, dec!(1)),
    row("台", "count", COUNT, dec!(1)),
    row("辆", "count", COUNT, dec!(1)),
    row("人", "count", COUNT, dec!(1)),
    // Ratio, base 1
    row("1", "1", RATIO, dec!(1)),
    row("ratio", "1", RATIO, dec!(1)),
    row("fraction", "1", RATIO, dec!(1)),
    row("%", "%", RATIO, dec!(0.01)),
];

/// One ASCII emission unit `<mass prefix><gas>`; its text is also its canonical symbol.
struct EmissionRow {
    text: &'static str,
    prefix: &'static str,
    gas: Gas,
    to_base: Decimal,
}

macro_rules! emission_rows {
    ($gas:ident, $g:literal) => {
        [
            EmissionRow { text: concat!("g", $g), prefix: "g", gas: Gas::$gas, to_base: dec!(0.000001) },
            EmissionRow { text: concat!("kg", $g), prefix: "kg", gas: Gas::$gas, to_base: dec!(0.001) },
            EmissionRow { text: concat!("t", $g), prefix: "t", gas: Gas::$gas, to_base: dec!(1) },
            EmissionRow { text: concat!("Gg", $g), prefix: "Gg", gas: Gas::$gas, to_base: dec!(1000) },
            EmissionRow { text: concat!("kt", $g), prefix: "kt", gas: Gas::$gas, to_base: dec!(1000) },
            EmissionRow { text: concat!("Mt", $g), prefix: "Mt", gas: Gas::$gas, to_base: dec!(1000000) },
        ]
    };
}

/// Emission units: every mass prefix with every gas.
static EMISSION_ROWS: [[EmissionRow; 6]; 8] = [
    emission_rows!(CO2, "CO2"),
    emission_rows!(CH4, "CH4"),
    emission_rows!(N2O, "N2O"),
    emission_rows!(CO2e, "CO2e"),
    emission_rows!(C, "C"),
    emission_rows!(SF6, "SF6"),
    emission_rows!(NF3, "NF3"),
    emission_rows!(CF4, "CF4"),
];

/// Mass prefixes of emission units that are not literally the prefix of an `EmissionRow`:
/// (written prefix, row prefix, extra scale, symbol prefix).
const EMISSION_PREFIX_ALIASES: &[(&str, &str, Decimal, &str)] = &[
    ("吨", "t", dec!(1), ""),
    ("千克", "kg", dec!(1), ""),
    ("公斤", "kg", dec!(1), ""),
    ("克", "g", dec!(1), ""),
    ("万吨", "t", dec!(10000), "10^4 "),
    ("10^4 t", "t", dec!(10000), "10^4 "),
];

/// Scale prefixes accepted in front of a rate unit's denominator: (written, symbol prefix, scale).
const DENOMINATOR_PREFIXES: &[(&str, &str, Decimal)] = &[
    ("10^3", "10^3", dec!(1000)),
    ("10^4", "10^4", dec!(10000)),
    ("10^6", "10^6", dec!(1000000)),
    ("10^8", "10^8", dec!(100000000)),
    ("1e3", "10^3", dec!(1000)),
    ("1e4", "10^4", dec!(10000)),
    ("1e6", "10^6", dec!(1000000)),
    ("千", "10^3", dec!(1000)),
    ("万", "10^4", dec!(10000)),
    ("百万", "10^6", dec!(1000000)),
    ("亿", "10^8", dec!(100000000)),
];

fn all_spellings() -> impl Iterator<Item = (&'static str, Dimension)> {
    PHYSICAL
        .iter()
        .map(|s| (s.text, s.dim))
        .chain(EMISSION_ROWS.iter().flatten().map(|r| (r.text, Dimension::Emission(r.gas))))
        .chain(OTHER.iter().map(|s| (s.text, s.dim)))
}

// ---------------------------------------------------------------------------------------------
// Unit
// ---------------------------------------------------------------------------------------------

/// A unit of measure: a dimension and an exact factor to the dimension's base unit.
///
/// Equality compares dimension and factor only ("t" == "吨" == "tonne", and "kL" == "m3").
/// Serialises as its canonical symbol; deserialises through [`Unit::parse`].
#[derive(Clone, Debug)]
pub struct Unit {
    symbol: Cow<'static, str>,
    dim: Dimension,
    to_base: Decimal,
}

impl PartialEq for Unit {
    fn eq(&self, other: &Unit) -> bool {
        self.dim == other.dim && self.to_base == other.to_base
    }
}

impl Eq for Unit {}

impl Unit {
    /// Parses a unit spelling (surrounding whitespace trimmed, otherwise exact and
    /// case-sensitive). Emission units are `<g|kg|t|Gg|kt|Mt|吨|千克|公斤|克|万吨><gas>` with an
    /// optional space, the gas as written ("CO2e", "CO2eq", "CO₂e", ...) or in capitals.
    pub fn parse(s: &str) -> Result<Unit, UnitError> {
        let t = s.trim();
        if let Some(sp) = PHYSICAL.iter().chain(OTHER.iter()).find(|sp| sp.text == t) {
            return Ok(Unit { symbol: Cow::Borrowed(sp.symbol), dim: sp.dim, to_base: sp.to_base });
        }
        if let Some(u) = parse_emission(t) {
            return Ok(u);
        }
        Err(UnitError::Unknown { input: t.to_string(), accepted: Unit::accepted_spellings(None) })
    }

    /// The canonical symbol, e.g. "t", "10^4 m3", "MWh", "tce", "tCO2e", "million CNY", "%".
    pub fn symbol(&self) -> &str {
        &self.symbol
    }

    /// What this unit measures.
    pub fn dimension(&self) -> Dimension {
        self.dim
    }

    /// The exact factor from this unit to its dimension's base unit (1 kWh -> 3.6 MJ gives 3.6).
    pub fn to_base(&self) -> Decimal {
        self.to_base
    }

    /// The base unit of a dimension: t, m3, MJ, tce, t of the gas, 1 unit of the currency, km,
    /// count, 1.
    pub fn base(dim: Dimension) -> Unit {
        let symbol: Cow<'static, str> = match dim {
            Dimension::Mass => Cow::Borrowed("t"),
            Dimension::Volume => Cow::Borrowed("m3"),
            Dimension::Energy => Cow::Borrowed("MJ"),
            Dimension::StandardCoal => Cow::Borrowed("tce"),
            Dimension::Emission(g) => EMISSION_ROWS
                .iter()
                .flatten()
                .find(|r| r.gas == g && r.prefix == "t")
                .map(|r| Cow::Borrowed(r.text))
                .unwrap_or_else(|| Cow::Owned(format!("t{g}"))),
            Dimension::Money(c) => Cow::Borrowed(c.code()),
            Dimension::Distance => Cow::Borrowed("km"),
            Dimension::Count => Cow::Borrowed("count"),
            Dimension::Ratio => Cow::Borrowed("1"),
        };
        Unit { symbol, dim, to_base: Decimal::ONE }
    }

    /// Every accepted spelling (of one dimension, or of all with `None`), for error messages.
    /// Emission units also accept the variants described at [`Unit::parse`].
    pub fn accepted_spellings(dim: Option<Dimension>) -> Vec<&'static str> {
        all_spellings().filter(|(_, d)| dim.is_none_or(|want| want == *d)).map(|(t, _)| t).collect()
    }

    /// Whether this is its dimension's base unit (factor 1).
    pub fn is_base(&self) -> bool {
        self.to_base == Decimal::ONE
    }

    /// This unit multiplied by `scale`, with the given symbol prefix ("10^4" gives "10^4 m3").
    fn scaled(&self, scale: Decimal, prefix: &str) -> Result<Unit, UnitError> {
        let to_base = self
            .to_base
            .checked_mul(scale)
            .ok_or_else(|| UnitError::Overflow { what: format!("scaling unit {} by {scale}", self.symbol) })?;
        Ok(Unit { symbol: Cow::Owned(format!("{prefix} {}", self.symbol)), dim: self.dim, to_base })
    }
}

/// The flexible emission-unit reader (ASCII mass prefixes, Chinese aliases, gas variants).
fn parse_emission(t: &str) -> Option<Unit> {
    let direct = EMISSION_ROWS[0].iter().map(|r| (r.prefix, r.prefix, Decimal::ONE, ""));
    let aliases = EMISSION_PREFIX_ALIASES.iter().copied();
    for (written, row_prefix, scale, sym_prefix) in direct.chain(aliases) {
        let Some(rest) = t.strip_prefix(written) else {
            continue;
        };
        let Some(gas) = gas_from_suffix(rest.trim_start()) else {
            continue;
        };
        let Some(r) = EMISSION_ROWS.iter().flatten().find(|r| r.gas == gas && r.prefix == row_prefix) else {
            continue;
        };
        let Some(to_base) = r.to_base.checked_mul(scale) else {
            continue;
        };
        let symbol =
            if sym_prefix.is_empty() { Cow::Borrowed(r.text) } else { Cow::Owned(format!("{sym_prefix}{}", r.text)) };
        return Some(Unit { symbol, dim: Dimension::Emission(gas), to_base });
    }
    None
}

impl fmt::Display for Unit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.symbol)
    }
}

impl FromStr for Unit {
    type Err = UnitError;

    fn from_str(s: &str) -> Result<Unit, UnitError> {
        Unit::parse(s)
    }
}

impl serde::Serialize for Unit {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.symbol())
    }
}

impl<'de> serde::Deserialize<'de> for Unit {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Unit, D::Error> {
        let s = <Cow<'de, str> as serde::Deserialize>::deserialize(d)?;
        Unit::parse(&s).map_err(serde::de::Error::custom)
    }
}

fn mismatch(from: &Unit, to: &Unit) -> UnitError {
    UnitError::DimensionMismatch {
        from: from.symbol().to_string(),
        from_dim: from.dim,
        to: to.symbol().to_string(),
        to_dim: to.dim,
    }
}

/// Converts `value` from one unit to another of the same dimension:
/// `value * from.to_base / to.to_base` (multiplication first, the division last).
pub fn convert(value: Decimal, from: &Unit, to: &Unit) -> Result<Decimal, UnitError> {
    if from.dim != to.dim {
        return Err(mismatch(from, to));
    }
    let overflow = || UnitError::Overflow { what: format!("converting {value} {from} to {to}") };
    value.checked_mul(from.to_base).ok_or_else(overflow)?.checked_div(to.to_base).ok_or_else(overflow)
}

// ---------------------------------------------------------------------------------------------
// RateUnit
// ---------------------------------------------------------------------------------------------

/// A rate unit `numerator/denominator`, e.g. "tCO2/MWh", "GJ/10^4Nm3", "tC/TJ".
/// A bare ratio ("1", "%") has a ratio numerator and the ratio "1" as denominator.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RateUnit {
    /// The numerator unit.
    pub num: Unit,
    /// The denominator unit (may carry a scale prefix such as "10^4" or "万").
    pub den: Unit,
}

impl RateUnit {
    /// Parses "num/den" (whitespace around either part ignored). The denominator may carry a
    /// scale prefix "10^3", "10^4", "10^6", "10^8", "1e3", "1e4", "1e6", "千", "万", "百万", "亿"
    /// with an optional space ("10^4Nm3", "10^4 m3", "万m3"). A ratio unit alone ("1", "%") is
    /// accepted as a bare ratio.
    pub fn parse(s: &str) -> Result<RateUnit, UnitError> {
        let t = s.trim();
        match t.split_once('/') {
            None => {
                let malformed = || UnitError::MalformedRate { input: t.to_string() };
                let num = Unit::parse(t).map_err(|_| malformed())?;
                if num.dim == Dimension::Ratio {
                    Ok(RateUnit { num, den: Unit::base(Dimension::Ratio) })
                } else {
                    Err(malformed())
                }
            }
            Some((n, d)) => {
                let num = Unit::parse(n)?;
                let den = parse_denominator(d)?;
                Ok(RateUnit { num, den })
            }
        }
    }

    /// The symbol "num/den" (a bare ratio is just its numerator, "1" or "%").
    pub fn symbol(&self) -> String {
        if self.is_bare_ratio() {
            self.num.symbol().to_string()
        } else {
            format!("{}/{}", self.num.symbol(), self.den.symbol())
        }
    }

    /// Whether this is a plain ratio ("1" or "%") rather than a quotient of two units.
    pub fn is_bare_ratio(&self) -> bool {
        self.num.dim == Dimension::Ratio && self.den.dim == Dimension::Ratio && self.den.symbol() == "1"
    }

    /// Converts a rate value between rate units with the same numerator and denominator
    /// dimensions: `value * from.num.to_base * to.den.to_base / (from.den.to_base *
    /// to.num.to_base)`, a single (last) division.
    pub fn convert_value(value: Decimal, from: &RateUnit, to: &RateUnit) -> Result<Decimal, UnitError> {
        if from.num.dim != to.num.dim {
            return Err(mismatch(&from.num, &to.num));
        }
        if from.den.dim != to.den.dim {
            return Err(mismatch(&from.den, &to.den));
        }
        let overflow = || UnitError::Overflow { what: format!("converting {value} {from} to {to}") };
        let numerator =
            value.checked_mul(from.num.to_base).and_then(|v| v.checked_mul(to.den.to_base)).ok_or_else(overflow)?;
        let denominator = from.den.to_base.checked_mul(to.num.to_base).ok_or_else(overflow)?;
        numerator.checked_div(denominator).ok_or_else(overflow)
    }
}

fn parse_denominator(d: &str) -> Result<Unit, UnitError> {
    let t = d.trim();
    if let Ok(u) = Unit::parse(t) {
        return Ok(u);
    }
    for (written, sym, scale) in DENOMINATOR_PREFIXES.iter().copied() {
        let Some(rest) = t.strip_prefix(written) else {
            continue;
        };
        let rest = rest.trim_start();
        if rest.is_empty() {
            continue;
        }
        if let Ok(inner) = Unit::parse(rest) {
            return inner.scaled(scale, sym);
        }
    }
    Err(UnitError::Unknown { input: t.to_string(), accepted: Unit::accepted_spellings(None) })
}

impl fmt::Display for RateUnit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.symbol())
    }
}

impl FromStr for RateUnit {
    type Err = UnitError;

    fn from_str(s: &str) -> Result<RateUnit, UnitError> {
        RateUnit::parse(s)
    }
}

impl serde::Serialize for RateUnit {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.symbol())
    }
}

impl<'de> serde::Deserialize<'de> for RateUnit {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<RateUnit, D::Error> {
        let s = <Cow<'de, str> as serde::Deserialize>::deserialize(d)?;
        RateUnit::parse(&s).map_err(serde::de::Error::custom)
    }
}

// ---------------------------------------------------------------------------------------------
// Quantity
// ---------------------------------------------------------------------------------------------

/// A value with its unit. Equality is exact: 1 t and 1000 kg are *not* equal (compare after
/// [`Quantity::to`]).
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Quantity {
    /// The number.
    pub value: Decimal,
    /// Its unit.
    pub unit: Unit,
}

impl Quantity {
    /// A quantity of `value` in `unit`.
    pub fn new(value: Decimal, unit: Unit) -> Quantity {
        Quantity { value, unit }
    }

    /// This quantity expressed in another unit of the same dimension.
    pub fn to(&self, unit: &Unit) -> Result<Quantity, UnitError> {
        Ok(Quantity { value: convert(self.value, &self.unit, unit)?, unit: unit.clone() })
    }

    /// Parses "<number><optional space><unit>", e.g. "1,909.06 t", "1.5 万吨标煤", "15000tce",
    /// "12%". The number is a plain decimal with an optional sign and optional thousands
    /// separators in groups of three ("1,909.06"); no exponents.
    pub fn parse(s: &str) -> Result<Quantity, UnitError> {
        let t = s.trim();
        let end = t
            .char_indices()
            .find(|&(i, c)| !(c.is_ascii_digit() || c == ',' || c == '.' || (i == 0 && (c == '+' || c == '-'))))
            .map_or(t.len(), |(i, _)| i);
        let (num_text, unit_text) = t.split_at(end);
        let value = parse_plain_number(num_text).ok_or_else(|| UnitError::InvalidNumber { input: t.to_string() })?;
        let unit = Unit::parse(unit_text)?;
        Ok(Quantity { value, unit })
    }
}

/// A number of the one grammar ([`crate::number`]); `None` for anything else.
fn parse_plain_number(text: &str) -> Option<Decimal> {
    crate::number::parse(text).ok()
}

impl fmt::Display for Quantity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.value, self.unit.symbol())
    }
}

impl FromStr for Quantity {
    type Err = UnitError;

    fn from_str(s: &str) -> Result<Quantity, UnitError> {
        Quantity::parse(s)
    }
}

// ---------------------------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------------------------

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    fn u(s: &str) -> Unit {
        match Unit::parse(s) {
            Ok(u) => u,
            Err(e) => panic!("{s}: {e}"),
        }
    }

    fn r(s: &str) -> RateUnit {
        match RateUnit::parse(s) {
            Ok(r) => r,
            Err(e) => panic!("{s}: {e}"),
        }
    }

    fn conv(v: Decimal, from: &str, to: &str) -> Decimal {
        convert(v, &u(from), &u(to)).unwrap()
    }

    fn rconv(v: Decimal, from: &str, to: &str) -> Decimal {
        RateUnit::convert_value(v, &r(from), &r(to)).unwrap()
    }

    #[test]
    fn table_is_consistent() {
        let mut seen = HashSet::new();
        for (text, dim) in all_spellings() {
            assert!(seen.insert(text), "duplicate spelling {text}");
            let unit = u(text);
            assert_eq!(unit.dimension(), dim, "{text}");
            // the canonical symbol parses back to the same unit and the same symbol
            let again = u(unit.symbol());
            assert_eq!(again, unit, "{text}");
            assert_eq!(again.symbol(), unit.symbol(), "{text}");
            assert!(unit.to_base() > Decimal::ZERO);
        }
        for sp in PHYSICAL.iter().chain(OTHER.iter()) {
            let unit = u(sp.text);
            assert_eq!(unit.to_base(), sp.to_base);
            assert_eq!(unit.symbol(), sp.symbol);
        }
        for row in EMISSION_ROWS.iter().flatten() {
            let unit = u(row.text);
            assert_eq!(unit.to_base(), row.to_base);
            assert_eq!(unit.symbol(), row.text);
            assert_eq!(unit.dimension(), Dimension::Emission(row.gas));
        }
        assert_eq!(Unit::accepted_spellings(None).len(), seen.len());
    }

    #[test]
    fn chinese_spellings() {
        let cases: &[(&str, Dimension, Decimal, &str)] = &[
            ("吨", MASS, dec!(1), "t"),
            ("千克", MASS, dec!(0.001), "kg"),
            ("公斤", MASS, dec!(0.001), "kg"),
            ("克", MASS, dec!(0.000001), "g"),
            ("万吨", MASS, dec!(10000), "10^4 t"),
            ("立方米", VOLUME, dec!(1), "m3"),
            ("标准立方米", VOLUME, dec!(1), "Nm3"),
            ("万立方米", VOLUME, dec!(10000), "10^4 m3"),
            ("万m3", VOLUME, dec!(10000), "10^4 m3"),
            ("万Nm3", VOLUME, dec!(10000), "10^4 Nm3"),
            ("升", VOLUME, dec!(0.001), "L"),
            ("公升", VOLUME, dec!(0.001), "L"),
            ("千升", VOLUME, dec!(1), "kL"),
            ("度", ENERGY, dec!(3.6), "kWh"),
            ("千瓦时", ENERGY, dec!(3.6), "kWh"),
            ("千度", ENERGY, dec!(3600), "MWh"),
            ("兆瓦时", ENERGY, dec!(3600), "MWh"),
            ("万兆瓦时", ENERGY, dec!(36000000), "10^4 MWh"),
            ("吉瓦时", ENERGY, dec!(3600000), "GWh"),
            ("万千瓦时", ENERGY, dec!(36000), "10^4 kWh"),
            ("亿千瓦时", ENERGY, dec!(360000000), "10^8 kWh"),
            ("兆焦", ENERGY, dec!(1), "MJ"),
            ("吉焦", ENERGY, dec!(1000), "GJ"),
            ("太焦", ENERGY, dec!(1000000), "TJ"),
            ("千卡", ENERGY, dec!(0.0041868), "kcal"),
            ("大卡", ENERGY, dec!(0.0041868), "kcal"),
            ("千克标准煤", COAL, dec!(0.001), "kgce"),
            ("千克标煤", COAL, dec!(0.001), "kgce"),
            ("吨标煤", COAL, dec!(1), "tce"),
            ("吨标准煤", COAL, dec!(1), "tce"),
            ("万吨标煤", COAL, dec!(10000), "10^4 tce"),
            ("万吨标准煤", COAL, dec!(10000), "10^4 tce"),
            ("吨二氧化碳", E_CO2, dec!(1), "tCO2"),
            ("吨二氧化碳当量", E_CO2E, dec!(1), "tCO2e"),
            ("千克二氧化碳", E_CO2, dec!(0.001), "kgCO2"),
            ("千克二氧化碳当量", E_CO2E, dec!(0.001), "kgCO2e"),
            ("万吨二氧化碳当量", E_CO2E, dec!(10000), "10^4 tCO2e"),
            ("万吨二氧化碳", E_CO2, dec!(10000), "10^4 tCO2"),
            ("吨碳", E_C, dec!(1), "tC"),
            ("元", CNY, dec!(1), "CNY"),
            ("人民币元", CNY, dec!(1), "CNY"),
            ("万元", CNY, dec!(10000), "10^4 CNY"),
            ("百万元", CNY, dec!(1000000), "million CNY"),
            ("亿元", CNY, dec!(100000000), "10^8 CNY"),
            ("公里", DISTANCE, dec!(1), "km"),
            ("千米", DISTANCE, dec!(1), "km"),
            ("个", COUNT, dec!(1), "count"),
            ("台", COUNT, dec!(1), "count"),
            ("辆", COUNT, dec!(1), "count"),
            ("人", COUNT, dec!(1), "count"),
            // Chinese mass prefix with an ASCII gas
            ("吨CO2e", E_CO2E, dec!(1), "tCO2e"),
            ("吨 CO2", E_CO2, dec!(1), "tCO2"),
            ("千克CO2", E_CO2, dec!(0.001), "kgCO2"),
            ("万吨CO2e", E_CO2E, dec!(10000), "10^4 tCO2e"),
            ("万吨CH4", Dimension::Emission(Gas::CH4), dec!(10000), "10^4 tCH4"),
        ];
        for (text, dim, factor, symbol) in cases {
            let unit = u(text);
            assert_eq!(unit.dimension(), *dim, "{text}");
            assert_eq!(unit.to_base(), *factor, "{text}");
            assert_eq!(unit.symbol(), *symbol, "{text}");
        }
        // scaled emission symbols parse back
        assert_eq!(u("10^4 tCH4").to_base(), dec!(10000));
        assert_eq!(u("10^4 tCH4").symbol(), "10^4 tCH4");
    }

    #[test]
    fn other_spellings() {
        assert_eq!(u(" tonnes ").symbol(), "t");
        assert_eq!(u("tonne"), u("t"));
        assert_eq!(u("Gg").to_base(), dec!(1000));
        assert_eq!(u("kt").to_base(), dec!(1000));
        assert_eq!(u("m³"), u("m3"));
        assert_eq!(u("Nm³").symbol(), "Nm3");
        assert_eq!(u("l").symbol(), "L");
        assert_eq!(u("RMB").dimension(), CNY);
        assert_eq!(u("MCNY").symbol(), "million CNY");
        assert_eq!(u("million USD").dimension(), USD);
        assert_eq!(u("million EUR").to_base(), dec!(1000000));
        assert_eq!(u("m").dimension(), DISTANCE);
        assert_eq!(u("miles").to_base(), dec!(1.609344));
        assert_eq!(u("pcs").dimension(), COUNT);
        assert_eq!(u("%").to_base(), dec!(0.01));
        assert_eq!(u("fraction").symbol(), "1");
        assert_eq!(u("therm").to_base(), dec!(105.505585262));
        assert_eq!(u("MMBtu").to_base(), dec!(1055.05585262));
        // case-sensitive
        assert!(Unit::parse("KWH").is_err());
        assert!(Unit::parse("T").is_err());
    }

    #[test]
    fn emission_variants() {
        let co2e = Dimension::Emission(Gas::CO2e);
        for s in ["tCO2e", "t CO2e", "tCO2eq", "tCO₂e", "tCO2E", "tCO2EQ", "tCO₂E", "t  CO₂eq"] {
            let unit = u(s);
            assert_eq!(unit.dimension(), co2e, "{s}");
            assert_eq!(unit.to_base(), dec!(1), "{s}");
            assert_eq!(unit.symbol(), "tCO2e", "{s}");
        }
        assert_eq!(u("tCO₂").dimension(), E_CO2);
        assert_eq!(u("GgCH4").to_base(), dec!(1000));
        assert_eq!(u("kgN2O").to_base(), dec!(0.001));
        assert_eq!(u("gCO2").to_base(), dec!(0.000001));
        assert_eq!(u("MtCO2e").to_base(), dec!(1000000));
        assert_eq!(u("ktSF6").dimension(), Dimension::Emission(Gas::SF6));
        assert_eq!(u("tC").dimension(), E_C);
        assert_eq!(u("kgce").dimension(), COAL);
        // gas neither as written nor in capitals; lowercase or wrong mass prefix
        for s in ["tco2e", "tCo2", "TCO2", "tCO2x", "t", "tCO2e/", "CO2e", "mgCO2"] {
            if s == "t" {
                assert_eq!(u(s).dimension(), MASS);
                continue;
            }
            assert!(Unit::parse(s).is_err(), "{s}");
        }
    }

    #[test]
    fn gas_and_display() {
        for g in Gas::ALL {
            assert_eq!(g.to_string().parse::<Gas>().unwrap(), g);
            assert_eq!(Unit::base(Dimension::Emission(g)).symbol(), format!("t{g}"));
        }
        assert_eq!("co2eq".parse::<Gas>().unwrap(), Gas::CO2e);
        assert_eq!("CO₂".parse::<Gas>().unwrap(), Gas::CO2);
        assert_eq!("co₂e".parse::<Gas>().unwrap(), Gas::CO2e);
        assert_eq!(" ch4 ".parse::<Gas>().unwrap(), Gas::CH4);
        assert!(matches!("H2O".parse::<Gas>(), Err(UnitError::UnknownGas { .. })));
        assert_eq!(Gas::CO2e.to_string(), "CO2e");
        assert_eq!(Currency::CNY.to_string(), "CNY");
        assert_eq!(Dimension::StandardCoal.to_string(), "standard coal");
        assert_eq!(Dimension::Emission(Gas::CO2).to_string(), "CO2 emissions");
        assert_eq!(Dimension::Money(Currency::USD).to_string(), "money (USD)");
    }

    #[test]
    fn bases() {
        let dims = [MASS, VOLUME, ENERGY, COAL, E_CO2E, CNY, USD, EUR, DISTANCE, COUNT, RATIO];
        let symbols = ["t", "m3", "MJ", "tce", "tCO2e", "CNY", "USD", "EUR", "km", "count", "1"];
        for (d, s) in dims.iter().zip(symbols) {
            let b = Unit::base(*d);
            assert_eq!(b.symbol(), s);
            assert!(b.is_base());
            assert_eq!(b, u(s));
            assert!(Unit::accepted_spellings(Some(*d)).contains(&s));
        }
    }

    #[test]
    fn round_trips() {
        assert_eq!(conv(dec!(1), "10^4 m3", "m3"), dec!(10000));
        assert_eq!(conv(dec!(10000), "m3", "万立方米"), dec!(1));
        assert_eq!(conv(dec!(1), "MWh", "MJ"), dec!(3600));
        assert_eq!(conv(dec!(1), "MWh", "kWh"), dec!(1000));
        assert_eq!(conv(dec!(3600), "MJ", "MWh"), dec!(1));
        assert_eq!(conv(dec!(1), "kcal", "MJ"), dec!(0.0041868));
        assert_eq!(conv(dec!(1), "gal", "L"), dec!(3.785411784));
        assert_eq!(conv(dec!(1.5), "万吨标煤", "tce"), dec!(15000));
        assert_eq!(conv(dec!(92495.53), "百万元", "元"), dec!(92495530000));
        assert_eq!(conv(dec!(1), "therm", "Btu"), dec!(100000));
        assert_eq!(conv(dec!(1), "MMBtu", "Btu"), dec!(1000000));
        assert_eq!(conv(dec!(1), "mi", "m"), dec!(1609.344));
        assert_eq!(conv(dec!(12.5), "%", "1"), dec!(0.125));
        assert_eq!(conv(dec!(1), "亿千瓦时", "万千瓦时"), dec!(10000));
        assert_eq!(conv(dec!(14385.48), "吨二氧化碳当量", "kgCO2e"), dec!(14385480));
        assert_eq!(conv(dec!(2), "TJ", "GJ"), dec!(2000));
        let q = Quantity::new(dec!(1909.06), u("t"));
        let kg = q.to(&u("kg")).unwrap();
        assert_eq!(kg.value, dec!(1909060));
        assert_eq!(kg.to(&u("吨")).unwrap().value, dec!(1909.06));
    }

    #[test]
    fn mismatch_and_overflow() {
        let err = convert(dec!(1), &u("kWh"), &u("t")).unwrap_err();
        assert!(matches!(err, UnitError::DimensionMismatch { .. }));
        assert_eq!(err.to_string(), "cannot convert kWh (energy) to t (mass)");
        assert!(convert(dec!(1), &u("tCO2"), &u("tCO2e")).is_err());
        assert!(convert(dec!(1), &u("CNY"), &u("USD")).is_err());
        let err = convert(Decimal::MAX, &u("Mt"), &u("g")).unwrap_err();
        assert!(matches!(err, UnitError::Overflow { .. }));
        assert!(err.to_string().starts_with("numeric overflow while converting"));
    }

    #[test]
    fn unknown_lists_spellings() {
        let err = Unit::parse(" kwhh ").unwrap_err();
        let UnitError::Unknown { input, accepted } = &err else {
            panic!("wrong error {err:?}");
        };
        assert_eq!(input, "kwhh");
        assert!(accepted.contains(&"兆瓦时"));
        assert!(accepted.contains(&"tCO2e"));
        let msg = err.to_string();
        assert!(msg.starts_with("unknown unit 'kwhh'; accepted: t, tonne, tonnes, 吨, kg"));
        assert!(msg.contains("兆瓦时"));
        let energy = Unit::accepted_spellings(Some(ENERGY));
        assert!(energy.contains(&"kWh") && !energy.contains(&"t"));
        let co2 = Unit::accepted_spellings(Some(E_CO2));
        assert!(co2.contains(&"吨二氧化碳") && co2.contains(&"GgCO2"));
        assert!(!co2.contains(&"tCO2e"));
    }

    #[test]
    fn rate_units() {
        assert_eq!(rconv(dec!(21.62), "tCO2/10^4Nm3", "kgCO2/m3"), dec!(2.162));
        assert_eq!(rconv(dec!(18.9), "tC/TJ", "tC/GJ"), dec!(0.0189));
        assert_eq!(rconv(dec!(0.0189), "tC/GJ", "tC/TJ"), dec!(18.9));
        assert_eq!(rconv(dec!(0.5366), "tCO2/MWh", "kgCO2/kWh"), dec!(0.5366));
        assert_eq!(rconv(dec!(1), "tce/10^4m3", "tce/万m3"), dec!(1));
        assert_eq!(rconv(dec!(13.3), "tce/10^4m3", "kgce/m3"), dec!(1.33));
        assert_eq!(rconv(dec!(389.31), "GJ/10^4Nm3", "MJ/m3"), dec!(38.931));
        assert_eq!(rconv(dec!(1), "TJ/Gg", "GJ/t"), dec!(1));
        assert_eq!(rconv(dec!(3), "kgCH4/TJ", "tCH4/TJ"), dec!(0.003));
        assert_eq!(rconv(dec!(0.1229), "kgce/kWh", "tce/MWh"), dec!(0.1229));
        assert_eq!(rconv(dec!(98), "%", "1"), dec!(0.98));
        assert_eq!(rconv(dec!(1), "tCO2e/百万元", "kgCO2e/元"), dec!(0.001));

        let t = r(" tCO2 / 10^4 Nm3 ");
        assert_eq!(t.den.to_base(), dec!(10000));
        assert_eq!(t.symbol(), "tCO2/10^4 Nm3");
        assert_eq!(r(&t.symbol()), t);
        assert_eq!(r("tce/10^4m3").symbol(), "tce/10^4 m3");
        assert_eq!(r("tce/万m3").symbol(), "tce/10^4 m3");
        assert_eq!(r("GJ/1e4Nm3").den.to_base(), dec!(10000));
        assert_eq!(r("GJ/千m3").den.to_base(), dec!(1000));
        assert_eq!(r("t/百万 m3").den.to_base(), dec!(1000000));
        assert_eq!(r("kgCO2e/10^6 kWh").den.to_base(), dec!(3600000));
        assert_eq!(r("tCO2/MWh").symbol(), "tCO2/MWh");
        assert_eq!(r("kgce/kg").num.dimension(), COAL);

        let one = r("1");
        assert!(one.is_bare_ratio());
        assert_eq!(one.symbol(), "1");
        assert_eq!(one.num.dimension(), RATIO);
        assert_eq!(one.den.dimension(), RATIO);
        assert_eq!(r("%").symbol(), "%");

        assert!(matches!(RateUnit::parse("tCO2"), Err(UnitError::MalformedRate { .. })));
        assert!(matches!(
            RateUnit::parse("tCO2/kwhh"),
            Err(UnitError::Unknown { input, .. }) if input == "kwhh"
        ));
        let err = RateUnit::convert_value(dec!(1), &r("tCO2/MWh"), &r("tCO2/t")).unwrap_err();
        assert_eq!(err.to_string(), "cannot convert MWh (energy) to t (mass)");
        assert!(RateUnit::convert_value(dec!(1), &r("tCO2/MWh"), &r("tCH4/MWh")).is_err());
    }

    #[test]
    fn quantities() {
        let q = Quantity::parse("1,909.06 t").unwrap();
        assert_eq!(q.value, dec!(1909.06));
        assert_eq!(q.unit.symbol(), "t");
        let q = Quantity::parse(" 1.5 万吨标煤 ").unwrap();
        assert_eq!(q.to(&u("tce")).unwrap().value, dec!(15000));
        assert_eq!(Quantity::parse("15000tce").unwrap().value, dec!(15000));
        assert_eq!(Quantity::parse("12%").unwrap().unit.symbol(), "%");
        assert_eq!(Quantity::parse("-3 kg").unwrap().value, dec!(-3));
        assert_eq!(Quantity::parse("1,234,567 kWh").unwrap().to_string(), "1234567 kWh");
        for bad in ["1,90.0 t", "1..2 t", "t", ",1 t", "1. t", ".5 t", "1,2345 t", "- t", ""] {
            assert!(matches!(Quantity::parse(bad), Err(UnitError::InvalidNumber { .. })), "{bad}");
        }
        assert!(matches!(Quantity::parse("3 kwhh"), Err(UnitError::Unknown { .. })));
        assert!(Quantity::parse("99999999999999999999999999999999 t").is_err());
    }

    #[test]
    fn serde_round_trip() {
        let unit = u("吨二氧化碳当量");
        assert_eq!(serde_json::to_string(&unit).unwrap(), "\"tCO2e\"");
        let back: Unit = serde_json::from_str("\"万m3\"").unwrap();
        assert_eq!(back.symbol(), "10^4 m3");
        assert!(serde_json::from_str::<Unit>("\"kwhh\"").is_err());
        let rate: RateUnit = serde_json::from_str("\"tCO2/10^4Nm3\"").unwrap();
        assert_eq!(serde_json::to_string(&rate).unwrap(), "\"tCO2/10^4 Nm3\"");
        let gas: Gas = serde_json::from_str("\"co2eq\"").unwrap();
        assert_eq!(gas, Gas::CO2e);
        assert_eq!(serde_json::to_string(&Gas::CO2e).unwrap(), "\"CO2e\"");
    }

    #[test]
    fn no_panics_on_odd_input() {
        let inputs = [
            "",
            " ",
            "/",
            "//",
            "1/",
            "/1",
            "10^4",
            "万",
            "百万",
            "10^4 ",
            "t/",
            "/t",
            "tCO2/10^4",
            "tCO2/万",
            "tCO2/10^4/MWh",
            "吨",
            "吨吨",
            "万万m3",
            "\u{0}",
            "🙂",
            "t🙂",
            "10^4🙂",
            "1e4",
            "1e4 ",
            "-",
            "+",
            ".",
            ",",
            "1,",
            "1,000,",
            "ｔ",
            "tCO₂",
            "₂",
            "Gg",
            "g",
        ];
        for s in inputs {
            let _ = Unit::parse(s);
            let _ = RateUnit::parse(s);
            let _ = Quantity::parse(s);
            let _ = s.parse::<Gas>();
        }
        // nested prefixes are well-defined
        assert_eq!(r("t/万万m3").den.to_base(), dec!(100000000));
    }
}
