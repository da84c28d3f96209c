//! Exact shares: an amount split in proportion to weights, in integer units of 10^-12 (the line scale), so that
//! the shares add up to the amount to the last digit (largest remainder: every share is first cut down, then the
//! units left over go one each to the shares with the largest remainders, ties to the earlier share).
//!
//! The products `amount x weight` are formed in 256 bits, so nothing overflows while amounts and weights fit
//! 128 bits (3.4 x 10^26 of the unit); beyond that the caller gets `None` and reports a located overflow.

use rust_decimal::Decimal;

use crate::calc::LINE_SCALE;

/// A non-negative decimal of at most [`LINE_SCALE`] places as a count of 10^-12; `None` when it is negative,
/// has more places, or needs more than 128 bits.
pub(super) fn units(d: Decimal) -> Option<u128> {
    if d.is_sign_negative() && !d.is_zero() {
        return None;
    }
    let s = d.scale();
    if s > LINE_SCALE {
        return None;
    }
    d.mantissa().unsigned_abs().checked_mul(10u128.pow(LINE_SCALE - s))
}

/// A count of 10^-12 as a decimal (trailing zeros dropped); `None` when it needs more than 28 digits.
pub(super) fn decimal(mut u: u128) -> Option<Decimal> {
    let mut s = LINE_SCALE;
    while s > 0 && u.is_multiple_of(10) {
        u /= 10;
        s -= 1;
    }
    Decimal::try_from_i128_with_scale(i128::try_from(u).ok()?, s).ok()
}

const LOW: u128 = u64::MAX as u128;

/// `a x b` as (high, low) 128-bit halves.
fn mul_wide(a: u128, b: u128) -> (u128, u128) {
    let (a0, a1) = (a & LOW, a >> 64);
    let (b0, b1) = (b & LOW, b >> 64);
    let (p00, p01, p10, p11) = (a0 * b0, a0 * b1, a1 * b0, a1 * b1);
    let (mid, c1) = p01.overflowing_add(p10);
    let (lo, c2) = p00.overflowing_add(mid << 64);
    let hi = p11 + (mid >> 64) + (u128::from(c1) << 64) + u128::from(c2);
    (hi, lo)
}

/// `(a x b) / c` and `(a x b) mod c`, exactly, for `c > 0` and a quotient below 2^128 (as when `b <= c`).
fn mul_div(a: u128, b: u128, c: u128) -> (u128, u128) {
    let (hi, lo) = mul_wide(a, b);
    if hi == 0 {
        return (lo / c, lo % c);
    }
    // Long division, one bit at a time; `hi < c` because the quotient fits 128 bits.
    let (mut r, mut q) = (hi, 0u128);
    for i in (0..128).rev() {
        let carry = r >> 127;
        r = (r << 1) | ((lo >> i) & 1);
        q <<= 1;
        if carry == 1 || r >= c {
            r = r.wrapping_sub(c);
            q |= 1;
        }
    }
    (q, r)
}

/// `total` split in proportion to `weights`: the parts add up to exactly `total`, a weight's part is its exact
/// pro-rata share cut down or raised by one unit, and a part equals its weight when `total` is the weights' sum.
/// `None` when the weights' sum needs more than 128 bits. All zeros when every weight is zero.
pub(super) fn split(total: u128, weights: &[u128]) -> Option<Vec<u128>> {
    let sum = weights.iter().try_fold(0u128, |a, w| a.checked_add(*w))?;
    if sum == 0 {
        return Some(vec![0; weights.len()]);
    }
    let mut parts = Vec::with_capacity(weights.len());
    let mut rems = Vec::with_capacity(weights.len());
    let mut given = 0u128;
    for w in weights {
        let (q, r) = mul_div(total, *w, sum);
        given += q;
        parts.push(q);
        rems.push(r);
    }
    let left = total - given;
    if left > 0 {
        let mut order: Vec<usize> = (0..weights.len()).filter(|i| rems[*i] > 0).collect();
        order.sort_by(|a, b| rems[*b].cmp(&rems[*a]).then(a.cmp(b)));
        for i in order.into_iter().take(left as usize) {
            parts[i] += 1;
        }
    }
    Some(parts)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    #[test]
    fn thirds_add_up_and_the_largest_remainders_take_the_units_left() {
        // 1 MWh over three equal weights: 0.333333333333 each, the one unit left to the first.
        let p = split(units(dec!(1)).unwrap(), &[5, 5, 5]).unwrap();
        assert_eq!(p, vec![333_333_333_334, 333_333_333_333, 333_333_333_333]);
        assert_eq!(p.iter().sum::<u128>(), 1_000_000_000_000);
    }

    #[test]
    fn a_total_equal_to_the_weights_gives_each_its_weight() {
        let w = [units(dec!(709.450479746218)).unwrap(), units(dec!(7.7084001789)).unwrap()];
        assert_eq!(split(w[0] + w[1], &w).unwrap(), w.to_vec());
    }

    #[test]
    fn wide_products_are_exact() {
        // Pools of 10^14 MWh: 10^26 units; their product needs 173 bits.
        let big = units(dec!(100000000000000)).unwrap();
        let p = split(big, &[big, big, big]).unwrap();
        assert_eq!(p.iter().sum::<u128>(), big);
        assert_eq!(p[1], big / 3);
        assert_eq!(mul_div(u128::MAX, u128::MAX, u128::MAX), (u128::MAX, 0));
        assert_eq!(mul_div(u128::MAX, 3, 6), (u128::MAX / 2, 3));
    }

    #[test]
    fn out_of_range_is_none() {
        assert_eq!(units(dec!(-1)), None);
        assert_eq!(units(dec!(0.0000000000001)), None);
        assert_eq!(units(dec!(40000000000000000000000000000)), None);
        assert_eq!(split(1, &[u128::MAX, 1]), None);
        assert_eq!(decimal(units(dec!(1.5)).unwrap()), Some(dec!(1.5)));
    }
}
