//! Line values: `quantity x K_num / K_den` rounded to the line scale, in integers where that is provably the same
//! (the fast path), and the plain quantities and periods the fast path parses without allocating.

use rust_decimal::Decimal;

use super::plan::Plan;
use crate::activity::Period;

/// The value of one line, as [`super::line_value`] gives it (`q x K_num / K_den`, the division last, rounded half
/// away from zero to [`super::LINE_SCALE`] places) but without stripping trailing zeros, which sums do not need.
/// When `K_num / K_den` is an exact decimal (`rate`), `q x rate` is the same exact product and skips the division.
#[inline]
pub(super) fn line_value(q: Decimal, p: &Plan, rate: Option<Decimal>) -> Option<Decimal> {
    let v = match rate {
        Some(r) => q.checked_mul(r)?,
        None => q.checked_mul(p.k_num)?.checked_div(p.k_den)?,
    };
    if v.scale() <= super::LINE_SCALE {
        return Some(v);
    }
    Some(v.round_dp_with_strategy(super::LINE_SCALE, rust_decimal::RoundingStrategy::MidpointAwayFromZero))
}

/// `K_num` and `K_den` as integers with scales, for [`int_line_value`] (None when either mantissa needs more than
/// 64 bits).
pub(super) fn int_ratio(num: Decimal, den: Decimal) -> Option<(u64, u32, u64, u32)> {
    let (mn, md) = (num.mantissa(), den.mantissa());
    if mn < 0 || md <= 0 || mn > u64::MAX as i128 || md > u64::MAX as i128 {
        return None;
    }
    Some((mn as u64, num.scale(), md as u64, den.scale()))
}

/// [`line_value`] in integers for the usual case: `q x K_num / K_den` rounded half away from zero to LINE_SCALE
/// places in one step. That equals [`super::line_value`] (which divides to 28 significant digits, then rounds)
/// whenever the product is exact in a decimal (below 2^96), the value is below 10^12 (so the first rounding is
/// below 10^-16) and the exact value is not within 10^-3 of a last place of a tie; otherwise None, and the caller
/// takes the decimal path.
#[inline]
pub(super) fn int_line_value(q: Decimal, r: (u64, u32, u64, u32)) -> Option<Decimal> {
    let (mkn, skn, mkd, skd) = r;
    let mq = q.mantissa();
    if mq < 0 {
        return None;
    }
    let prod = (mq as u128).checked_mul(mkn as u128)?;
    if prod >> 96 != 0 {
        return None;
    }
    let e = super::LINE_SCALE as i64 + skd as i64 - q.scale() as i64 - skn as i64;
    let (n, d) = if e >= 0 {
        (prod.checked_mul(10u128.checked_pow(e as u32)?)?, mkd as u128)
    } else {
        (prod, (mkd as u128).checked_mul(10u128.checked_pow((-e) as u32)?)?)
    };
    let (quot, rem) = (n / d, n % d);
    if quot >= 1_000_000_000_000 * 1_000_000_000_000 {
        return None;
    }
    // Distance from a tie, in thousandths of the last place: |2 rem - d| / (2 d) > 10^-3.
    let twice = rem.checked_mul(2)?;
    let off = twice.abs_diff(d);
    if off.checked_mul(1000)? <= d {
        return None;
    }
    let v = quot + (twice > d) as u128;
    Some(Decimal::from_parts(v as u32, (v >> 32) as u32, (v >> 64) as u32, false, super::LINE_SCALE))
}

/// `K_num / K_den` when that quotient is an exact decimal, proven in integers (any overflow says "not proven").
pub(super) fn exact_rate(num: Decimal, den: Decimal) -> Option<Decimal> {
    let r = num.checked_div(den)?;
    let (mr, sr) = (r.mantissa().unsigned_abs(), r.scale());
    let (md, sd) = (den.mantissa().unsigned_abs(), den.scale());
    let (mn, sn) = (num.mantissa().unsigned_abs(), num.scale());
    let p = mr.checked_mul(md)?;
    let ps = sr + sd;
    let pow = |k: u32| 10u128.checked_pow(k);
    let equal =
        if ps >= sn { Some(p) == mn.checked_mul(pow(ps - sn)?) } else { p.checked_mul(pow(sn - ps)?) == Some(mn) };
    let sign_ok = (r.is_sign_negative() == (num.is_sign_negative() != den.is_sign_negative())) || r.is_zero();
    (equal && sign_ok).then_some(r)
}

/// A plain quantity ("1909.06", "12", "0.5"): ASCII digits with at most one inner point, at most 18 digits; the
/// same decimal (value and scale) as [`crate::tomlx::parse_decimal`] gives. Anything else is left to the full
/// parser.
#[inline]
pub(super) fn plain_quantity(b: &[u8]) -> Option<Decimal> {
    if b.is_empty() || b.len() > 19 || !b[0].is_ascii_digit() || !b[b.len() - 1].is_ascii_digit() {
        return None;
    }
    let mut m: u64 = 0;
    let mut scale = None;
    for (i, &c) in b.iter().enumerate() {
        if c.is_ascii_digit() {
            m = m * 10 + (c - b'0') as u64;
        } else if c == b'.' && scale.is_none() {
            scale = Some((b.len() - 1 - i) as u32);
        } else {
            return None;
        }
    }
    let digits = b.len() - scale.map_or(0, |_| 1);
    if digits > 18 {
        return None;
    }
    Some(Decimal::from_parts(m as u32, (m >> 32) as u32, 0, false, scale.unwrap_or(0)))
}

/// A period written plainly as `YYYY-MM` or `YYYY` (the common cases), else the full parser.
#[inline]
pub(super) fn fast_period(b: &[u8]) -> Option<Period> {
    let digit = |i: usize| b[i].is_ascii_digit();
    let year = |b: &[u8]| {
        (b[0] - b'0') as i32 * 1000 + (b[1] - b'0') as i32 * 100 + (b[2] - b'0') as i32 * 10 + (b[3] - b'0') as i32
    };
    if b.len() == 7 && digit(0) && digit(1) && digit(2) && digit(3) && b[4] == b'-' && digit(5) && digit(6) {
        let m = (b[5] - b'0') * 10 + (b[6] - b'0');
        return (1..=12).contains(&m).then(|| Period { year: year(b), part: m });
    }
    if b.len() == 4 && digit(0) && digit(1) && digit(2) && digit(3) {
        return Some(Period { year: year(b), part: 0 });
    }
    Period::parse(std::str::from_utf8(b).ok()?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    #[test]
    fn plain_quantities_parse_like_the_full_parser() {
        for s in ["0", "12", "1909.06", "0.50", "007", "123456789012345678", "1.00000000000000001", "99999999.99"] {
            let fast = plain_quantity(s.as_bytes()).expect("plain");
            let full = crate::tomlx::parse_decimal(s).expect("valid");
            assert_eq!((fast.mantissa(), fast.scale()), (full.mantissa(), full.scale()), "{s}");
        }
        for s in ["", ".5", "5.", "1,000", "-1", "+1", "1e3", " 1", "1.2.3", "1234567890123456789"] {
            assert_eq!(plain_quantity(s.as_bytes()), None, "{s}");
        }
    }

    #[test]
    fn integer_line_values_equal_the_decimal_ones() {
        let d = |s: &str| Decimal::from_str(s).expect("decimal");
        // K of real plans: combustion (x 44 / 12), kWh to MWh, a GJ/t NCV route, and awkward divisors.
        let ks = [
            ("35.10067176", "12"),
            ("1.93176", "3600"),
            ("3.512496", "12"),
            ("1", "7"),
            ("22.3", "3.6"),
            ("0.000123", "97"),
            ("1234567.891", "12000"),
        ];
        let mut seed = 3u64;
        let mut checked = 0;
        for (kn, kd) in ks {
            let (kn, kd) = (d(kn), d(kd));
            let r = int_ratio(kn, kd).expect("small");
            for _ in 0..20000 {
                seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                let q = Decimal::new(((seed >> 20) % 10_000_000_000) as i64, ((seed >> 8) % 5) as u32);
                let want = crate::calc::line_value(q, kn, kd).expect("fits");
                if let Some(got) = int_line_value(q, r) {
                    assert_eq!(got, want, "{q} x {kn} / {kd}");
                    checked += 1;
                }
            }
        }
        assert!(checked > 130_000, "the integer path is taken nearly always: {checked}");
    }

    #[test]
    fn exact_rates_are_proven_and_inexact_ones_refused() {
        let d = |s: &str| Decimal::from_str(s).expect("decimal");
        assert_eq!(exact_rate(d("0.5366"), d("1")), Some(d("0.5366")));
        // kWh -> MWh: 3.6 x 0.5366 / 3600 = 0.0005366 exactly.
        assert_eq!(exact_rate(d("1.93176"), d("3600")), Some(d("0.0005366")));
        // 44/12 does not terminate; its 28-digit quotient x 12 rounds back to 44 in Decimal, which must not fool us.
        assert_eq!(exact_rate(d("44"), d("12")), None);
        assert_eq!(exact_rate(d("1"), d("3")), None);
        assert_eq!(exact_rate(d("35.10067176"), d("12")), Some(d("2.92505598")));
    }
}
