//! IPCC 2006 Volume 1 chapter 3, Approach 1: error propagation, in exact decimals.
//!
//! Every uncertain input (a factor, a ledger row's quantity) is one variable. A line is a product of its inputs, so
//! each input moves it by the same fraction (equation 3.2: the squared relative uncertainties of a product add); a
//! figure is a sum of lines, so the absolute uncertainties of independent inputs add in quadrature (equation 3.1).
//! An input shared by several lines (one factor priced on many rows) moves them together: its contribution is its
//! relative uncertainty times the sum of the lines it enters. For lines that each have their own factor and row
//! this is exactly equations 3.1 and 3.2 combined. An asymmetric interval is propagated side by side: the low ends
//! give the figure's lower half-width, the high ends its upper one (an input entering with a negative sign, such as
//! a certificate deduction, moves the figure the other way).

use rust_decimal::Decimal;

use super::spec::Spread;

/// 1.96: the 97.5th percentile of the standard normal distribution, the ratio of a 95 % half-width to a standard
/// deviation (IPCC 2006 Volume 1 chapter 3).
pub const Z95: Decimal = Decimal::from_parts(196, 0, 0, false, 2);

/// The square root of a non-negative decimal by Newton's method, to the last digit a decimal holds; None for a
/// negative number.
pub fn sqrt(x: Decimal) -> Option<Decimal> {
    if x < Decimal::ZERO {
        return None;
    }
    if x.is_zero() {
        return Some(Decimal::ZERO);
    }
    let two = Decimal::TWO;
    let mut g = if x > Decimal::ONE { x / two } else { Decimal::ONE };
    for _ in 0..200 {
        let next = (g + x.checked_div(g)?) / two;
        if next == g {
            break;
        }
        g = next;
    }
    Some(g)
}

/// The relative lower and upper 95 % half-widths of a spread (both >= 0): how far below and above the central
/// value its 2.5 and 97.5 percentiles lie, as fractions.
pub fn half_widths(s: &Spread) -> (Decimal, Decimal) {
    let q = |p: Decimal| quantile(s, p);
    match *s {
        Spread::Interval { low, high } => (-low, high),
        Spread::Normal { sd } => (sd * Z95, sd * Z95),
        Spread::Uniform { .. } | Spread::Triangular { .. } => {
            let lo = q(Decimal::new(25, 3));
            let hi = q(Decimal::new(975, 3));
            ((-lo).max(Decimal::ZERO), hi.max(Decimal::ZERO))
        }
    }
}

/// The p-quantile of a uniform or triangular spread (relative deviation); 0 for the others.
fn quantile(s: &Spread, p: Decimal) -> Decimal {
    match *s {
        Spread::Uniform { low, high } => low + p * (high - low),
        Spread::Triangular { low, high } => {
            let width = high - low;
            if width.is_zero() {
                return Decimal::ZERO;
            }
            // Mode at 0: F(0) = -low / width.
            let p0 = -low / width;
            if p <= p0 {
                low + sqrt(p * width * -low).unwrap_or_default()
            } else {
                high - sqrt((Decimal::ONE - p) * width * high).unwrap_or_default()
            }
        }
        _ => Decimal::ZERO,
    }
}

/// The absolute lower and upper 95 % half-widths of a sum of lines: `inputs` holds, for each uncertain input, its
/// spread and the sum of the lines it enters. None when a square overflows.
pub fn propagate<'a>(inputs: impl Iterator<Item = (&'a Spread, Decimal)>) -> Option<(Decimal, Decimal)> {
    let (mut lo2, mut hi2) = (Decimal::ZERO, Decimal::ZERO);
    for (s, sum) in inputs {
        let (l, h) = half_widths(s);
        // An input entering with a negative sum moves the figure down when it moves up.
        let (l, h) = if sum < Decimal::ZERO { (h, l) } else { (l, h) };
        let a = sum.abs();
        let (dl, dh) = (l.checked_mul(a)?, h.checked_mul(a)?);
        lo2 = lo2.checked_add(dl.checked_mul(dl)?)?;
        hi2 = hi2.checked_add(dh.checked_mul(dh)?)?;
    }
    Some((sqrt(lo2)?, sqrt(hi2)?))
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    #[test]
    fn square_roots_are_exact_where_they_can_be() {
        assert_eq!(sqrt(dec!(144)), Some(dec!(12)));
        assert_eq!(sqrt(dec!(0.0025)), Some(dec!(0.05)));
        assert_eq!(sqrt(dec!(-1)), None);
        let r2 = sqrt(dec!(2)).unwrap();
        assert!((r2 * r2 - dec!(2)).abs() < dec!(1e-26));
    }

    #[test]
    fn half_widths_of_each_distribution() {
        assert_eq!(half_widths(&Spread::Interval { low: dec!(-0.05), high: dec!(0.08) }), (dec!(0.05), dec!(0.08)));
        assert_eq!(half_widths(&Spread::Normal { sd: dec!(0.01) }), (dec!(0.0196), dec!(0.0196)));
        // Uniform on ±10 %: 95 % of it lies within ±9.5 %.
        assert_eq!(half_widths(&Spread::Uniform { low: dec!(-0.1), high: dec!(0.1) }), (dec!(0.095), dec!(0.095)));
        // Symmetric triangular on ±10 %: the 2.5 % quantile is -10 % x (1 - sqrt(0.05)) = -7.7639 %.
        let (l, h) = half_widths(&Spread::Triangular { low: dec!(-0.1), high: dec!(0.1) });
        assert_eq!(l.round_dp(6), dec!(0.077639));
        assert_eq!(h.round_dp(6), dec!(0.077639));
    }

    #[test]
    fn quadrature_of_two_independent_inputs() {
        // 300 ± 3 % and 400 ± 1 %: sqrt(9^2 + 4^2) = sqrt(97).
        let a = Spread::Interval { low: dec!(-0.03), high: dec!(0.03) };
        let b = Spread::Interval { low: dec!(-0.01), high: dec!(0.01) };
        let (l, h) = propagate([(&a, dec!(300)), (&b, dec!(400))].into_iter()).unwrap();
        assert_eq!(l, h);
        assert_eq!(l.round_dp(10), dec!(9.8488578018));
        // A negative line swaps the sides of an asymmetric input.
        let c = Spread::Interval { low: dec!(-0.02), high: dec!(0.05) };
        let (l, h) = propagate([(&c, dec!(-100))].into_iter()).unwrap();
        assert_eq!((l, h), (dec!(5), dec!(2)));
    }
}
