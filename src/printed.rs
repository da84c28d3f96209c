//! Printed numbers (temporary: the full module is being written).
use rust_decimal::{Decimal, RoundingStrategy};
/// Round half away from zero.
pub fn round_half_away(x: Decimal, places: u32) -> Decimal {
    x.round_dp_with_strategy(places, RoundingStrategy::MidpointAwayFromZero)
}
/// Format with grouping.
pub fn format_grouped(x: Decimal, places: u32, group: bool) -> String {
    let r = round_half_away(x, places);
    let s = format!("{:.*}", places as usize, r);
    if !group { return s; }
    let (sign, body) = if let Some(b) = s.strip_prefix('-') { ("-", b) } else { ("", s.as_str()) };
    let (int, frac) = match body.split_once('.') { Some((i, f)) => (i, Some(f)), None => (body, None) };
    let mut g = String::new();
    for (i, ch) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 { g.push(','); }
        g.push(ch);
    }
    match frac { Some(f) => format!("{sign}{g}.{f}"), None => format!("{sign}{g}") }
}
