//! The open units through the public API: quantities as a user writes them in the units of US, UK and IEA
//! inventories, and gas volumes at their stated reference conditions. Every expected value is worked out by hand
//! from the unit's definition.

use ghg::units::{Dimension, Quantity, RateUnit, Unit, VolumeRef, convert, reference_ratio};
use rust_decimal::Decimal;
use rust_decimal_macros::dec;

fn unit(s: &str) -> Unit {
    Unit::parse(s).unwrap_or_else(|e| panic!("{s}: {e}"))
}

/// `text` read as a quantity and expressed in `to`.
fn value_in(text: &str, to: &str) -> Decimal {
    let q = Quantity::parse(text).unwrap_or_else(|e| panic!("{text}: {e}"));
    q.to(&unit(to)).unwrap_or_else(|e| panic!("{text} -> {to}: {e}")).value
}

#[test]
fn quantities_from_the_definitions() {
    // 1 Mcf = 1000 x 0.3048^3 m3 = 1000 x 0.028316846592 m3
    assert_eq!(value_in("1 Mcf", "m3"), dec!(28.316846592));
    assert_eq!(value_in("2,500 ft3", "m3"), dec!(70.79211648));
    // 1 therm = 100 000 x 1055.05585262 J = 105.505585262 MJ
    assert_eq!(value_in("1 therm", "MJ"), dec!(105.505585262));
    assert_eq!(value_in("3 Dth", "MMBtu"), dec!(3));
    // 1 short ton = 2000 x 0.45359237 kg = 907.18474 kg
    assert_eq!(value_in("1 short ton", "t"), dec!(0.90718474));
    assert_eq!(value_in("4,000 lbs", "short tons"), dec!(2));
    // 1 bbl = 42 x 3.785411784 L = 158.987294928 L
    assert_eq!(value_in("1 bbl", "L"), dec!(158.987294928));
    assert_eq!(value_in("10 Imp gal", "L"), dec!(45.4609));
    assert_eq!(value_in("2 toe", "GJ"), dec!(83.736));
    // 1 Gcal = 10^6 x 4.1868 kJ = 4186800 J / 4.184 J per thermochemical calorie: 1000669.2160611854684512428298...
    let th = value_in("1 Gcal", "kcal(th)");
    assert!((th - dec!(1000669.21606118546845124283)).abs() < dec!(1e-20), "{th}");
    assert_eq!(value_in("26.2 miles", "km"), dec!(42.1648128));
    assert_eq!(value_in("120 passenger-miles", "pkm"), dec!(193.12128));
    assert_eq!(value_in("1 ton-mile", "tonne-km"), dec!(1.45997231821056));
    assert_eq!(unit("吨公里").dimension(), Dimension::FreightDistance);
}

#[test]
fn gas_volumes_at_their_references() {
    // 1000 Nm3 at 0 °C warms to 15 °C at the same pressure: 1000 x 288.15 / 273.15 = 288150 / 273.15
    // = 1054.91488193300384404173531026908... Sm3 (hand division; 29 significant digits kept, the next is 2)
    assert_eq!(value_in("1,000 Nm3", "Sm3"), dec!(1054.9148819330038440417353103));
    assert_eq!(value_in("27315 Nm3", "m3(20C)"), dec!(29315));
    assert_eq!(unit("m3@15C").volume_ref(), Some(VolumeRef::Standard15));
    assert_eq!(unit("MMcf").volume_ref(), Some(VolumeRef::Scf60F));
    assert_eq!(unit("m3").volume_ref(), None);
    assert_eq!(unit("ft3").volume_ref(), None);
    // unstated conditions: converted by the factors alone, the calculation decides whether that is acceptable
    assert_eq!(value_in("1 Nm3", "m3"), dec!(1));
    let (num, den) = reference_ratio(VolumeRef::Scf60F, VolumeRef::Standard20);
    // 60 °F = 2598.35 / 9 K; to 293.15 K: 293.15 x 9 / 2598.35
    assert_eq!((num, den), (dec!(2638.35), dec!(2598.35)));
    assert_eq!(convert(dec!(2598.35), &unit("scf"), &unit("scf")).unwrap(), dec!(2598.35));
    assert_eq!(VolumeRef::Scf60F.to_string(), "60 °F");
}

#[test]
fn rate_units_on_both_sides() {
    for (text, symbol) in [
        ("kgCO2/MMBtu", "kgCO2/MMBtu"),
        ("Btu/scf", "Btu/scf"),
        ("kgCO2e/passenger-km", "kgCO2e/passenger-km"),
        ("kgCO2e/tonne-km", "kgCO2e/tonne-km"),
        ("GJ/Sm3", "GJ/Sm3"),
        ("kgCO2e/short ton", "kgCO2e/short ton"),
        ("kgCO2e/mile", "kgCO2e/mi"),
        ("MMBtu/Mcf", "MMBtu/Mcf"),
    ] {
        let rate = RateUnit::parse(text).unwrap_or_else(|e| panic!("{text}: {e}"));
        assert_eq!(rate.symbol(), symbol);
        let json = serde_json::to_string(&rate).unwrap();
        assert_eq!(serde_json::from_str::<RateUnit>(&json).unwrap(), rate, "{text}");
    }
    // 1 MMBtu/Mcf = 10^3 Btu/scf
    let (from, to) = (RateUnit::parse("MMBtu/Mcf").unwrap(), RateUnit::parse("Btu/scf").unwrap());
    assert_eq!(RateUnit::convert_value(dec!(1.037), &from, &to).unwrap(), dec!(1037));
}
