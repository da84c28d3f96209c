//! Unit tests of units, conversions, rate units and quantities.

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
