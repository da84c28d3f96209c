//! The spelling tables: every accepted spelling of a plain unit, and the generated emission units.

use super::*;

/// One accepted spelling of a plain unit.
pub(super) struct Spelling {
    pub(super) text: &'static str,
    pub(super) symbol: &'static str,
    pub(super) dim: Dimension,
    pub(super) to_base: Decimal,
    /// The reference conditions of a gas volume that states them.
    pub(super) vref: Option<VolumeRef>,
}

pub(super) const fn row(text: &'static str, symbol: &'static str, dim: Dimension, to_base: Decimal) -> Spelling {
    Spelling { text, symbol, dim, to_base, vref: None }
}

/// A volume stated at reference conditions (`Nm3`, `Sm3`, `scf`).
pub(super) const fn gas_volume(
    text: &'static str,
    symbol: &'static str,
    to_base: Decimal,
    vref: VolumeRef,
) -> Spelling {
    Spelling { text, symbol, dim: Dimension::Volume, to_base, vref: Some(vref) }
}

const NORMAL: VolumeRef = VolumeRef::Normal;
const S15: VolumeRef = VolumeRef::Standard15;
const S20: VolumeRef = VolumeRef::Standard20;
const F60: VolumeRef = VolumeRef::Scf60F;

pub(super) const MASS: Dimension = Dimension::Mass;
pub(super) const VOLUME: Dimension = Dimension::Volume;
pub(super) const ENERGY: Dimension = Dimension::Energy;
pub(super) const COAL: Dimension = Dimension::StandardCoal;
pub(super) const CNY: Dimension = Dimension::Money(Currency::CNY);
pub(super) const USD: Dimension = Dimension::Money(Currency::USD);
pub(super) const EUR: Dimension = Dimension::Money(Currency::EUR);
pub(super) const DISTANCE: Dimension = Dimension::Distance;
pub(super) const PASSENGER_KM: Dimension = Dimension::PassengerDistance;
pub(super) const TONNE_KM: Dimension = Dimension::FreightDistance;
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
    // Avoirdupois pound: 0.45359237 kg exactly (international yard and pound agreement, 1959).
    row("lb", "lb", MASS, dec!(0.00045359237)),
    row("lbs", "lb", MASS, dec!(0.00045359237)),
    // Short (US) ton: 2000 lb = 907.18474 kg (NIST Handbook 44, appendix C). A bare "ton" is not
    // accepted: it may mean a tonne, a short ton or a long ton.
    row("short ton", "short ton", MASS, dec!(0.90718474)),
    row("short tons", "short ton", MASS, dec!(0.90718474)),
    row("ton (US)", "short ton", MASS, dec!(0.90718474)),
    // Long (imperial) ton: 2240 lb = 1016.0469088 kg (NIST Handbook 44, appendix C).
    row("long ton", "long ton", MASS, dec!(1.0160469088)),
    row("long tons", "long ton", MASS, dec!(1.0160469088)),
    // Volume, base m3. Plain m3 states no reference conditions (a liquid, or a gas whose
    // conditions are not stated).
    row("m3", "m3", VOLUME, dec!(1)),
    row("m³", "m3", VOLUME, dec!(1)),
    row("立方米", "m3", VOLUME, dec!(1)),
    // Normal cubic metre: gas at 0 °C, 101.325 kPa, the reference of China's accounting guidelines
    // (GJ/10^4Nm3). 标准立方米 keeps that meaning here, although GB/T 19205 puts the 标准参比条件 of
    // traded gas at 20 °C: a gas bill's volume is better written m3(20C).
    gas_volume("Nm3", "Nm3", dec!(1), NORMAL),
    gas_volume("Nm³", "Nm3", dec!(1), NORMAL),
    gas_volume("标准立方米", "Nm3", dec!(1), NORMAL),
    row("10^4 m3", "10^4 m3", VOLUME, dec!(10000)),
    row("万立方米", "10^4 m3", VOLUME, dec!(10000)),
    row("万m3", "10^4 m3", VOLUME, dec!(10000)),
    gas_volume("10^4 Nm3", "10^4 Nm3", dec!(10000), NORMAL),
    gas_volume("万Nm3", "10^4 Nm3", dec!(10000), NORMAL),
    // Standard cubic metre: gas at 15 °C, 101.325 kPa (ISO 13443).
    gas_volume("Sm3", "Sm3", dec!(1), S15),
    gas_volume("Sm³", "Sm3", dec!(1), S15),
    gas_volume("m3(15C)", "Sm3", dec!(1), S15),
    gas_volume("m3@15C", "Sm3", dec!(1), S15),
    gas_volume("10^4 Sm3", "10^4 Sm3", dec!(10000), S15),
    gas_volume("万Sm3", "10^4 Sm3", dec!(10000), S15),
    // Cubic metre of gas at 20 °C, 101.325 kPa: China's commercial reference (GB/T 19205).
    gas_volume("m3(20C)", "m3(20C)", dec!(1), S20),
    gas_volume("m3@20C", "m3(20C)", dec!(1), S20),
    gas_volume("10^4 m3(20C)", "10^4 m3(20C)", dec!(10000), S20),
    gas_volume("万m3(20C)", "10^4 m3(20C)", dec!(10000), S20),
    // Cubic foot: (0.3048 m)^3 = 0.028316846592 m3 exactly (international foot, 1959); no
    // reference conditions stated.
    row("ft3", "ft3", VOLUME, dec!(0.028316846592)),
    row("ft³", "ft3", VOLUME, dec!(0.028316846592)),
    row("cf", "ft3", VOLUME, dec!(0.028316846592)),
    row("cu ft", "ft3", VOLUME, dec!(0.028316846592)),
    // Standard cubic foot: a cubic foot of gas at 60 °F, 14.696 psia (US gas industry);
    // ccf = 100, Mcf = 10^3, MMcf = 10^6 of them (M is the Roman thousand).
    gas_volume("scf", "scf", dec!(0.028316846592), F60),
    gas_volume("ccf", "ccf", dec!(2.8316846592), F60),
    gas_volume("Mcf", "Mcf", dec!(28.316846592), F60),
    gas_volume("Mscf", "Mcf", dec!(28.316846592), F60),
    gas_volume("MMcf", "MMcf", dec!(28316.846592), F60),
    gas_volume("MMscf", "MMcf", dec!(28316.846592), F60),
    row("L", "L", VOLUME, dec!(0.001)),
    row("l", "L", VOLUME, dec!(0.001)),
    row("升", "L", VOLUME, dec!(0.001)),
    row("公升", "L", VOLUME, dec!(0.001)),
    row("kL", "kL", VOLUME, dec!(1)),
    row("千升", "kL", VOLUME, dec!(1)),
    // US gallon: 231 in3 = 3.785411784 L exactly (NIST Handbook 44, appendix C).
    row("gal", "gal", VOLUME, dec!(0.003785411784)),
    row("US gal", "gal", VOLUME, dec!(0.003785411784)),
    row("gal (US)", "gal", VOLUME, dec!(0.003785411784)),
    // Imperial gallon: 4.54609 L exactly (UK Weights and Measures Act 1985, schedule 1).
    row("Imp gal", "Imp gal", VOLUME, dec!(0.00454609)),
    row("gal (UK)", "Imp gal", VOLUME, dec!(0.00454609)),
    // US oil barrel: 42 US gallons = 158.987294928 L exactly (API; NIST Handbook 44).
    row("bbl", "bbl", VOLUME, dec!(0.158987294928)),
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
    row("kJ", "kJ", ENERGY, dec!(0.001)),
    row("千焦", "kJ", ENERGY, dec!(0.001)),
    row("PJ", "PJ", ENERGY, dec!(1000000000)),
    // Calories are International Table calories, 4.1868 J exactly (Fifth International Conference
    // on the Properties of Steam, London 1956), the calorie of Chinese statistics (GB/T 2589) and
    // of the IEA. A factor set whose heating values use the thermochemical calorie (4.184 J) must
    // say so and write kcal(th).
    row("kcal", "kcal", ENERGY, dec!(0.0041868)),
    row("千卡", "kcal", ENERGY, dec!(0.0041868)),
    row("大卡", "kcal", ENERGY, dec!(0.0041868)),
    row("Mcal", "Mcal", ENERGY, dec!(4.1868)),
    row("Gcal", "Gcal", ENERGY, dec!(4186.8)),
    row("百万千卡", "Gcal", ENERGY, dec!(4186.8)),
    // Thermochemical kilocalorie: 4.184 kJ exactly (NIST SP 811, B.8).
    row("kcal(th)", "kcal(th)", ENERGY, dec!(0.004184)),
    // British thermal unit (International Table): 1055.05585262 J exactly, the IT calorie per gram
    // kelvin x 1 lb x 5/9 K (NIST SP 811, B.8).
    row("Btu", "Btu", ENERGY, dec!(0.00105505585262)),
    row("BTU", "Btu", ENERGY, dec!(0.00105505585262)),
    row("MMBtu", "MMBtu", ENERGY, dec!(1055.05585262)),
    row("mmBtu", "MMBtu", ENERGY, dec!(1055.05585262)),
    row("MMBTU", "MMBtu", ENERGY, dec!(1055.05585262)),
    // Therm: 100 000 Btu (IT) = 105.505585262 MJ (the EC therm; the US therm of NIST SP 811 uses the
    // 59 °F Btu, 105.4804 MJ, 0.024 % less); dekatherm: 10 therms = 1 MMBtu.
    row("therm", "therm", ENERGY, dec!(105.505585262)),
    row("Dth", "Dth", ENERGY, dec!(1055.05585262)),
    row("dekatherm", "Dth", ENERGY, dec!(1055.05585262)),
    // Tonne of oil equivalent: 41.868 GJ = 10^7 kcal (IEA and OECD convention; Chinese 吨油当量).
    row("toe", "toe", ENERGY, dec!(41868)),
    row("吨油当量", "toe", ENERGY, dec!(41868)),
    row("ktoe", "ktoe", ENERGY, dec!(41868000)),
    row("Mtoe", "Mtoe", ENERGY, dec!(41868000000)),
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
    // International nautical mile: 1852 m exactly (International Hydrographic Conference, 1929).
    row("nmi", "nmi", DISTANCE, dec!(1.852)),
    row("海里", "nmi", DISTANCE, dec!(1.852)),
    // Passenger transport, base passenger-km (one passenger carried one km).
    row("passenger-km", "passenger-km", PASSENGER_KM, dec!(1)),
    row("pkm", "passenger-km", PASSENGER_KM, dec!(1)),
    row("p.km", "passenger-km", PASSENGER_KM, dec!(1)),
    row("人公里", "passenger-km", PASSENGER_KM, dec!(1)),
    row("人·公里", "passenger-km", PASSENGER_KM, dec!(1)),
    // One passenger carried one international mile (1.609344 km).
    row("passenger-mile", "passenger-mile", PASSENGER_KM, dec!(1.609344)),
    row("passenger-miles", "passenger-mile", PASSENGER_KM, dec!(1.609344)),
    // Freight transport, base tonne-km (one tonne carried one km).
    row("tonne-km", "tonne-km", TONNE_KM, dec!(1)),
    row("tkm", "tonne-km", TONNE_KM, dec!(1)),
    row("t.km", "tonne-km", TONNE_KM, dec!(1)),
    row("吨公里", "tonne-km", TONNE_KM, dec!(1)),
    row("吨·公里", "tonne-km", TONNE_KM, dec!(1)),
    // One short ton carried one mile: 0.90718474 t x 1.609344 km = 1.45997231821056 tonne-km
    // exactly (US usage, e.g. EPA's factors per ton-mile).
    row("ton-mile", "ton-mile", TONNE_KM, dec!(1.45997231821056)),
    row("ton-miles", "ton-mile", TONNE_KM, dec!(1.45997231821056)),
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
