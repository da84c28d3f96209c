//! Printed numbers, ledger quantities, periods, regions, units and rate units: parsing and converting
//! never panics, whatever the text.
#![no_main]

use libfuzzer_sys::fuzz_target;

use ghg::printed::PrintedNumber;
use ghg::units::{self, Quantity, RateUnit, Unit};

fuzz_target!(|data: &[u8]| {
    let Ok(s) = std::str::from_utf8(data) else { return };
    // Split into up to three parts so that pairs of units can be converted.
    let mut parts = s.splitn(3, '|');
    let a = parts.next().unwrap_or("");
    let b = parts.next().unwrap_or("");
    let c = parts.next().unwrap_or("");
    if let Ok(p) = PrintedNumber::parse(a) {
        let _ = (p.lower(), p.upper(), p.grouped());
        let _ = p.contains(p.value);
        let _ = p.round_like(p.value);
        let _ = p.render_like(p.value);
        let _ = ghg::printed::format_grouped(p.value, p.places, true);
        let _ = ghg::printed::round_half_away(p.value, p.places);
    }
    let _ = ghg::activity::parse_quantity(a);
    let _ = ghg::tomlx::parse_decimal(a);
    let _ = ghg::Period::parse(a);
    let _ = ghg::region::normalize(a);
    let _ = Quantity::parse(a);
    let ua = Unit::parse(a);
    let ub = Unit::parse(b);
    if let (Ok(ua), Ok(ub)) = (&ua, &ub) {
        if let Ok(v) = ghg::tomlx::parse_decimal(c).ok_or(()) {
            let _ = units::convert(v, ua, ub);
        }
        let _ = units::convert(rust_decimal::Decimal::MAX, ua, ub);
    }
    let ra = RateUnit::parse(a);
    let rb = RateUnit::parse(b);
    if let (Ok(ra), Ok(rb)) = (&ra, &rb) {
        let _ = ra.symbol();
        if let Some(v) = ghg::tomlx::parse_decimal(c) {
            let _ = RateUnit::convert_value(v, ra, rb);
        }
        let _ = RateUnit::convert_value(rust_decimal::Decimal::MAX, ra, rb);
    }
});
