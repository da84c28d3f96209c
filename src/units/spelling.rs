//! The spelling tables: every accepted spelling of a plain unit, and the generated emission units.

use super::*;

/// One accepted spelling of a plain unit.
pub(super) struct Spelling {
    pub(super) text: &'static str,
    pub(super) symbol: &'static str,
    pub(super) dim: Dimension,
    pub(super) to_base: Decimal,
}

pub(super) const fn row(text: &'static str, symbol: &'static str, dim: Dimension, to_base: Decimal) -> Spelling {
    Spelling { text, symbol, dim, to_base }
}

pub(super) const MASS: Dimension = Dimension::Mass;
pub(super) const VOLUME: Dimension = Dimension::Volume;
pub(super) const ENERGY: Dimension = Dimension::Energy;
pub(super) const COAL: Dimension = Dimension::StandardCoal;
pub(super) const CNY: Dimension = Dimension::Money(Currency::CNY);
pub(super) const USD: Dimension = Dimension::Money(Currency::USD);
pub(super) const EUR: Dimension = Dimension::Money(Currency::EUR);
pub(super) const DISTANCE: Dimension = Dimension::Distance;
pub(super) const COUNT: Dimension = Dimension::Count;
pub(super) const AREA: Dimension = Dimension::Area;
pub(super) const RATIO: Dimension = Dimension::Ratio;
pub(super) const E_CO2: Dimension = Dimension::Emission(Gas::CO2);
pub(super) const E_CO2E: Dimension = Dimension::Emission(Gas::CO2e);
pub(super) const E_C: Dimension = Dimension::Emission(Gas::C);

/// Plain units of the physical dimensions (listed before the emission units).
pub(super) static PHYSICAL: &[Spelling] = &[
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
pub(super) static OTHER: &[Spelling] = &[
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
    // Counts a denominator of intensities is written in; each keeps its own symbol (tCO2e/FTE).
    row("FTE", "FTE", COUNT, dec!(1)),
    row("persons", "persons", COUNT, dec!(1)),
    row("employees", "employees", COUNT, dec!(1)),
    row("pieces", "pieces", COUNT, dec!(1)),
    row("件", "pieces", COUNT, dec!(1)),
    // Area, base m2
    row("m2", "m2", AREA, dec!(1)),
    row("m²", "m2", AREA, dec!(1)),
    row("㎡", "m2", AREA, dec!(1)),
    row("平方米", "m2", AREA, dec!(1)),
    row("10^4 m2", "10^4 m2", AREA, dec!(10000)),
    row("万平方米", "10^4 m2", AREA, dec!(10000)),
    // Ratio, base 1
    row("1", "1", RATIO, dec!(1)),
    row("ratio", "1", RATIO, dec!(1)),
    row("fraction", "1", RATIO, dec!(1)),
    row("%", "%", RATIO, dec!(0.01)),
];

/// One ASCII emission unit `<mass prefix><gas>`; its text is also its canonical symbol.
pub(super) struct EmissionRow {
    pub(super) text: &'static str,
    pub(super) prefix: &'static str,
    pub(super) gas: Gas,
    pub(super) to_base: Decimal,
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
pub(super) static EMISSION_ROWS: [[EmissionRow; 6]; 8] = [
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
pub(super) const EMISSION_PREFIX_ALIASES: &[(&str, &str, Decimal, &str)] = &[
    ("吨", "t", dec!(1), ""),
    ("千克", "kg", dec!(1), ""),
    ("公斤", "kg", dec!(1), ""),
    ("克", "g", dec!(1), ""),
    ("万吨", "t", dec!(10000), "10^4 "),
    ("10^4 t", "t", dec!(10000), "10^4 "),
];

/// Scale prefixes accepted in front of a rate unit's denominator: (written, symbol prefix, scale).
pub(super) const DENOMINATOR_PREFIXES: &[(&str, &str, Decimal)] = &[
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

pub(super) fn all_spellings() -> impl Iterator<Item = (&'static str, Dimension)> {
    PHYSICAL
        .iter()
        .map(|s| (s.text, s.dim))
        .chain(EMISSION_ROWS.iter().flatten().map(|r| (r.text, Dimension::Emission(r.gas))))
        .chain(OTHER.iter().map(|s| (s.text, s.dim)))
}
