//! Exact sums: a figure is the sum of its lines, accumulated without any rounding, so the result does not depend
//! on the order of the lines (and hence not on how many threads read the ledger, nor on where it was split).
//!
//! Each [`Decimal`] is `m x 10^-s` with `|m| < 2^96` and `s <= 28`; it is added as the integer `m x 10^(28-s)`
//! (at most 190 bits) to a 256-bit two's-complement accumulator, which holds at least 2^60 such terms. The sum
//! is rounded once, at the end, to the nearest [`Decimal`] (ties to even, as rust_decimal rounds its own
//! arithmetic), and only if it needs more than 28 significant digits.

use rust_decimal::Decimal;

/// 10^k for k = 0..=28, as u128.
const POW10: [u128; 29] = {
    let mut t = [1u128; 29];
    let mut i = 1;
    while i < 29 {
        t[i] = t[i - 1] * 10;
        i += 1;
    }
    t
};

/// An exact sum of decimals: an integer count of 10^-28, in 256-bit two's complement (little-endian limbs).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Exact {
    limbs: [u64; 4],
}

/// Multiply a magnitude below 2^128 by 10^k (k <= 28) into three limbs (the product is below 2^190 when the
/// magnitude is below 2^96).
#[inline]
fn mul_pow10(m: u128, k: usize) -> [u64; 3] {
    let p = POW10[k];
    let (m0, m1) = (m as u64 as u128, (m >> 64) as u64 as u128);
    let (p0, p1) = (p as u64 as u128, (p >> 64) as u64 as u128);
    let lo = m0 * p0;
    let mid1 = m0 * p1;
    let mid2 = m1 * p0;
    let hi = m1 * p1;
    let l0 = lo as u64;
    let (mid, c1) = (lo >> 64).overflowing_add(mid1);
    let (mid, c2) = mid.overflowing_add(mid2);
    let l1 = mid as u64;
    let carry = ((c1 as u128) + (c2 as u128)) << 64;
    let l2 = ((mid >> 64) + carry + hi) as u64;
    [l0, l1, l2]
}

impl Exact {
    /// Zero.
    pub const ZERO: Exact = Exact { limbs: [0; 4] };

    /// The exact value of `d`.
    #[inline]
    pub fn of(d: Decimal) -> Exact {
        let mut e = Exact::ZERO;
        e.add(d);
        e
    }

    /// Add `d` exactly.
    #[inline]
    pub fn add(&mut self, d: Decimal) {
        let m = d.mantissa();
        if m == 0 {
            return;
        }
        let k = 28usize.saturating_sub(d.scale() as usize);
        let t = mul_pow10(m.unsigned_abs(), k);
        if m > 0 { self.add_mag(t) } else { self.sub_mag(t) }
    }

    /// Add the integer `m` times 10^-`scale` (scale at most 28) exactly.
    pub fn add_scaled(&mut self, m: i128, scale: u32) {
        if m == 0 {
            return;
        }
        let k = 28usize.saturating_sub(scale as usize);
        let mag = m.unsigned_abs();
        // mag < 2^128 = two 64-bit halves, each times 10^k (< 2^94) fits three limbs; combine with a shift.
        let lo = mul_pow10(mag as u64 as u128, k);
        let hi = mul_pow10(mag >> 64, k);
        let mut t = [lo[0], lo[1], lo[2], 0u64];
        let mut carry = 0u64;
        for (j, h) in hi.iter().enumerate() {
            let (s1, c1) = t[j + 1].overflowing_add(*h);
            let (s2, c2) = s1.overflowing_add(carry);
            t[j + 1] = s2;
            carry = (c1 | c2) as u64;
        }
        let e = Exact { limbs: t };
        if m > 0 { self.merge(&e) } else { self.merge(&e.neg()) }
    }

    #[inline]
    fn add_mag(&mut self, t: [u64; 3]) {
        let (a, c0) = self.limbs[0].overflowing_add(t[0]);
        let (b, c1a) = self.limbs[1].overflowing_add(t[1]);
        let (b, c1b) = b.overflowing_add(c0 as u64);
        let (c, c2a) = self.limbs[2].overflowing_add(t[2]);
        let (c, c2b) = c.overflowing_add((c1a | c1b) as u64);
        let d = self.limbs[3].wrapping_add((c2a | c2b) as u64);
        self.limbs = [a, b, c, d];
    }

    #[inline]
    fn sub_mag(&mut self, t: [u64; 3]) {
        let (a, b0) = self.limbs[0].overflowing_sub(t[0]);
        let (b, b1a) = self.limbs[1].overflowing_sub(t[1]);
        let (b, b1b) = b.overflowing_sub(b0 as u64);
        let (c, b2a) = self.limbs[2].overflowing_sub(t[2]);
        let (c, b2b) = c.overflowing_sub((b1a | b1b) as u64);
        let d = self.limbs[3].wrapping_sub((b2a | b2b) as u64);
        self.limbs = [a, b, c, d];
    }

    /// Add another exact sum.
    pub fn merge(&mut self, o: &Exact) {
        let mut carry = 0u64;
        for i in 0..4 {
            let (s, c1) = self.limbs[i].overflowing_add(o.limbs[i]);
            let (s, c2) = s.overflowing_add(carry);
            self.limbs[i] = s;
            carry = (c1 | c2) as u64;
        }
    }

    /// The negation.
    pub fn neg(&self) -> Exact {
        let mut r = Exact { limbs: self.limbs.map(|l| !l) };
        r.add_mag([1, 0, 0]);
        r
    }

    fn is_negative(&self) -> bool {
        self.limbs[3] >> 63 == 1
    }

    /// Whether the sum is zero.
    pub fn is_zero(&self) -> bool {
        self.limbs == [0; 4]
    }

    /// This sum times the decimal `m x 10^-scale` (`m < 2^64`), when that product has at most 28 decimal places (so
    /// the result is exact); None if it has more, or does not fit.
    pub fn mul_decimal(&self, m: u64, scale: u32) -> Option<Exact> {
        let neg = self.is_negative();
        let mag = if neg { self.neg().limbs } else { self.limbs };
        // 256 x 64 bits into 320 bits.
        let mut wide = [0u64; 5];
        let mut carry: u128 = 0;
        for i in 0..4 {
            let p = mag[i] as u128 * m as u128 + carry;
            wide[i] = p as u64;
            carry = p >> 64;
        }
        wide[4] = carry as u64;
        for _ in 0..scale {
            let mut rem: u128 = 0;
            for i in (0..5).rev() {
                let cur = (rem << 64) | wide[i] as u128;
                wide[i] = (cur / 10) as u64;
                rem = cur % 10;
            }
            if rem != 0 {
                return None;
            }
        }
        if wide[4] != 0 || wide[3] >> 63 != 0 {
            return None;
        }
        let r = Exact { limbs: [wide[0], wide[1], wide[2], wide[3]] };
        Some(if neg { r.neg() } else { r })
    }

    /// The sum as the nearest decimal (ties to even) with trailing zeros removed, or None when its magnitude
    /// exceeds what a decimal holds (about 7.9 x 10^28).
    pub fn to_decimal(&self) -> Option<Decimal> {
        let neg = self.is_negative();
        let mut mag = if neg { self.neg().limbs } else { self.limbs };
        if mag[3] >> 63 == 1 {
            return None; // only -2^255, unreachable from sums of decimals
        }
        // Divide by 10 until the magnitude fits 96 bits, remembering what was dropped, for the rounding.
        let mut scale: u32 = 28;
        let mut last = 0u64; // the last digit dropped
        let mut sticky = false; // any nonzero digit dropped before it
        while mag[3] != 0 || mag[2] != 0 || mag[1] >> 32 != 0 {
            if scale == 0 {
                return None;
            }
            sticky |= last != 0;
            last = div10(&mut mag);
            scale -= 1;
        }
        let mut m = ((mag[1] as u128) << 64) | mag[0] as u128;
        let round_up = last > 5 || (last == 5 && (sticky || m & 1 == 1));
        if round_up {
            m += 1;
            if m >> 96 != 0 {
                // Rounding up reached 2^96 (= ...336): drop one more digit, rounding ...33.6 up.
                if scale == 0 {
                    return None;
                }
                m = (m + 5) / 10;
                scale -= 1;
            }
        }
        let m = m as i128;
        let d = Decimal::try_from_i128_with_scale(if neg { -m } else { m }, scale).ok()?;
        Some(d.normalize())
    }
}

/// Divide a 256-bit magnitude by 10 in place, returning the remainder.
fn div10(mag: &mut [u64; 4]) -> u64 {
    let mut rem: u128 = 0;
    for i in (0..4).rev() {
        let cur = (rem << 64) | mag[i] as u128;
        mag[i] = (cur / 10) as u64;
        rem = cur % 10;
    }
    rem as u64
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).expect("decimal")
    }

    #[test]
    fn exact_sums_of_mixed_scales() {
        let mut e = Exact::ZERO;
        for x in ["1909.06", "0.5366", "-12.5", "0.0000000000000000000000000001", "79228162514264337593543950335"] {
            e.add(d(x));
        }
        e.add(d("-79228162514264337593543950335"));
        // by hand: 1909.06 + 0.5366 - 12.5 + 1e-28 = 1897.0966000...0001 (32 significant digits), which rounds to
        // 28 significant digits: 1897.096600000000000000000000
        assert_eq!(e.to_decimal().map(|x| x.to_string()), Some("1897.0966".into()));
        let mut f = Exact::ZERO;
        f.add(d("0.1"));
        f.add(d("0.2"));
        assert_eq!(f.to_decimal(), Some(d("0.3")));
    }

    #[test]
    fn order_does_not_matter_where_decimal_addition_would_round() {
        // Values with 28 significant digits at scale 24: adding them in rust_decimal rounds away digits, so
        // (a + b) + c and a + (b + c) can differ; the exact sum cannot.
        let xs = ["3333.333333333333333333333333", "6666.666666666666666666666667", "0.000000000000000000000000001"];
        let mut a = Exact::ZERO;
        for x in xs {
            a.add(d(x));
        }
        let mut b = Exact::ZERO;
        for x in xs.iter().rev() {
            b.add(d(x));
        }
        assert_eq!(a, b);
        // by hand: 3333.333...3333 + 6666.666...6667 = 10000.000000000000000000000000 exactly; + 1e-27 needs 32
        // digits: 10000.000000000000000000000001 has 32 significant digits, so it rounds to 10000.
        assert_eq!(a.to_decimal(), Some(d("10000")));
        let mut parts = [Exact::ZERO; 3];
        for (i, x) in xs.iter().enumerate() {
            parts[i].add(d(x));
        }
        let mut m = Exact::ZERO;
        for p in parts.iter().rev() {
            m.merge(p);
        }
        assert_eq!(m, a);
    }

    #[test]
    fn rounding_is_half_to_even_and_overflow_is_none() {
        // 0.5 at scale 0 cannot arise (scale 28 always fits small values); test via a large sum:
        // 79228162514264337593543950335 (2^96 - 1) + 0.5 = ...335.5 -> ties to even -> ...336, which is 2^96: too big.
        let mut e = Exact::of(Decimal::MAX);
        e.add(d("0.5"));
        assert_eq!(e.to_decimal(), None);
        let mut e = Exact::of(d("7922816251426433759354395033"));
        e.add(d("0.45")); // 7922816251426433759354395033.45 -> 28 digits: ...033.4 + rounding of 5 tie -> even 4
        assert_eq!(e.to_decimal(), Some(d("7922816251426433759354395033.4")));
        let mut e = Exact::of(d("7922816251426433759354395033"));
        // 7922816251426433759354395033.55: at scale 1 the tie rounds to ...0336 = 2^96, one too many for 96 bits,
        // so the value is rounded to scale 0: ...033.55 -> ...034.
        e.add(d("0.55"));
        assert_eq!(e.to_decimal(), Some(d("7922816251426433759354395034")));
        let mut e = Exact::of(Decimal::MAX);
        e.add(Decimal::MAX);
        assert_eq!(e.to_decimal(), None);
        let mut e = Exact::of(Decimal::MIN);
        e.add(Decimal::MAX);
        assert_eq!(e.to_decimal(), Some(Decimal::ZERO));
        assert_eq!(Exact::of(Decimal::MIN).to_decimal(), Some(Decimal::MIN));
    }

    #[test]
    fn adding_wide_integers_is_exact() {
        let mut e = Exact::ZERO;
        e.add_scaled(i128::MAX, 2);
        e.add_scaled(-i128::MAX, 2);
        e.add_scaled(12345, 2);
        assert_eq!(e.to_decimal(), Some(d("123.45")));
        let mut big = Exact::ZERO;
        big.add_scaled(1 << 100, 28);
        // by hand (python decimal): 2^100 x 10^-28 = 126.7650600228229401496703205376; the largest mantissa below
        // 2^96 has 29 digits here, 12676506002282294014967032053.76 -> ...054 at scale 26.
        assert_eq!(big.to_decimal(), Some(d("126.76506002282294014967032054")));
    }

    #[test]
    fn multiplying_a_sum_by_a_rate_is_exact() {
        // by hand: (12.25 + 0.75 - 3.5) x 0.5366 = 9.5 x 0.5366 = 5.0977
        let mut e = Exact::of(d("12.25"));
        e.add(d("0.75"));
        e.add(d("-3.5"));
        assert_eq!(e.mul_decimal(5366, 4).and_then(|x| x.to_decimal()), Some(d("5.0977")));
        // Products with more than 28 decimal places are refused, not rounded.
        assert_eq!(Exact::of(d("0.0000000000000000000000000001")).mul_decimal(5, 1), None);
        let neg = Exact::of(d("-2"));
        assert_eq!(neg.mul_decimal(15, 1).and_then(|x| x.to_decimal()), Some(d("-3")));
    }

    #[test]
    fn matches_decimal_addition_when_that_is_exact() {
        let mut seed = 7u64;
        let mut next = || {
            seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            seed >> 11
        };
        for _ in 0..2000 {
            let a = Decimal::new((next() % 1_000_000_000) as i64 - 500_000_000, (next() % 10) as u32);
            let b = Decimal::new((next() % 1_000_000_000) as i64 - 500_000_000, (next() % 10) as u32);
            let mut e = Exact::of(a);
            e.add(b);
            assert_eq!(e.to_decimal(), Some((a + b).normalize()), "{a} + {b}");
        }
    }
}
