//! IPCC 2006 Volume 1 chapter 3, Approach 2: Monte Carlo simulation with a fixed seed.
//!
//! Floats live only here: each draw gives every uncertain input a relative deviation from its spread, each line is
//! its central value times the factors (1 + deviation) of its inputs, each figure the sum of its lines; the 2.5th
//! and 97.5th percentiles of the draws bound its 95 % interval. The generator is xoshiro256** seeded through
//! SplitMix64 and inputs are drawn in a fixed order, so one seed gives the same bytes on every run.

use super::spec::Spread;

/// xoshiro256** (Blackman and Vigna), seeded by SplitMix64.
pub struct Rng {
    s: [u64; 4],
}

impl Rng {
    /// A generator whose sequence is fixed by `seed`.
    pub fn new(seed: u64) -> Self {
        let mut x = seed;
        let mut next = || {
            x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = x;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            z ^ (z >> 31)
        };
        Rng { s: [next(), next(), next(), next()] }
    }
    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        let s = &mut self.s;
        let result = s[1].wrapping_mul(5).rotate_left(7).wrapping_mul(9);
        let t = s[1] << 17;
        s[2] ^= s[0];
        s[3] ^= s[1];
        s[1] ^= s[2];
        s[0] ^= s[3];
        s[2] ^= t;
        s[3] = s[3].rotate_left(45);
        result
    }
    /// A uniform number strictly between 0 and 1.
    pub fn uniform(&mut self) -> f64 {
        ((self.next_u64() >> 11) as f64 + 0.5) / (1u64 << 53) as f64
    }
    /// A standard normal number (Box-Muller, one of the pair).
    pub fn normal(&mut self) -> f64 {
        let u1 = self.uniform();
        let u2 = self.uniform();
        (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
    }
}

/// A spread's parameters as floats, for drawing.
#[derive(Debug, Clone, Copy)]
pub enum Draw {
    /// Two-piece normal: standard deviations below and above.
    Split(f64, f64),
    /// Uniform between two relative deviations.
    Uniform(f64, f64),
    /// Triangular between two relative deviations, mode 0.
    Triangular(f64, f64),
}

impl Draw {
    /// The parameters of a spread.
    pub fn of(s: &Spread) -> Draw {
        use rust_decimal::prelude::ToPrimitive;
        let f = |d: rust_decimal::Decimal| d.to_f64().unwrap_or(0.0);
        match *s {
            Spread::Interval { low, high } => Draw::Split(-f(low) / 1.96, f(high) / 1.96),
            Spread::Normal { sd } => Draw::Split(f(sd), f(sd)),
            Spread::Uniform { low, high } => Draw::Uniform(f(low), f(high)),
            Spread::Triangular { low, high } => Draw::Triangular(f(low), f(high)),
        }
    }
    /// One relative deviation.
    pub fn sample(&self, rng: &mut Rng) -> f64 {
        match *self {
            Draw::Split(below, above) => {
                let z = rng.normal();
                z * if z < 0.0 { below } else { above }
            }
            Draw::Uniform(low, high) => low + rng.uniform() * (high - low),
            Draw::Triangular(low, high) => {
                let u = rng.uniform();
                let width = high - low;
                if width <= 0.0 {
                    return 0.0;
                }
                if u <= -low / width {
                    low + (u * width * -low).sqrt()
                } else {
                    high - ((1.0 - u) * width * high).sqrt()
                }
            }
        }
    }
}

/// One figure to simulate: its lines, each a central value and the inputs (indices) that move it.
pub struct Model {
    /// Lines: central value and input indices.
    pub lines: Vec<(f64, Vec<usize>)>,
}

/// Simulate `draws` draws of every model and return, per model, the 2.5th and 97.5th percentiles (nearest rank).
pub fn simulate(inputs: &[Draw], models: &[Model], seed: u64, draws: usize) -> Vec<(f64, f64)> {
    let mut rng = Rng::new(seed);
    let mut values: Vec<Vec<f64>> = models.iter().map(|_| Vec::with_capacity(draws)).collect();
    let mut m = vec![1.0f64; inputs.len()];
    for _ in 0..draws {
        for (slot, d) in m.iter_mut().zip(inputs) {
            *slot = 1.0 + d.sample(&mut rng);
        }
        for (model, out) in models.iter().zip(values.iter_mut()) {
            let mut y = 0.0;
            for (x, ins) in &model.lines {
                let mut v = *x;
                for &i in ins {
                    v *= m[i];
                }
                y += v;
            }
            out.push(y);
        }
    }
    values
        .into_iter()
        .map(|mut v| {
            if v.is_empty() {
                return (0.0, 0.0);
            }
            v.sort_by(f64::total_cmp);
            let n = v.len();
            let lo = ((0.025 * n as f64).ceil() as usize).clamp(1, n) - 1;
            let hi = ((0.975 * n as f64).ceil() as usize).clamp(1, n) - 1;
            (v[lo], v[hi])
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_generator_is_fixed_by_its_seed() {
        let a: Vec<u64> = {
            let mut r = Rng::new(7);
            (0..5).map(|_| r.next_u64()).collect()
        };
        let b: Vec<u64> = {
            let mut r = Rng::new(7);
            (0..5).map(|_| r.next_u64()).collect()
        };
        let c: Vec<u64> = {
            let mut r = Rng::new(8);
            (0..5).map(|_| r.next_u64()).collect()
        };
        assert_eq!(a, b);
        assert_ne!(a, c);
    }

    #[test]
    fn normal_draws_have_unit_spread() {
        let mut r = Rng::new(1);
        let n = 200_000;
        let xs: Vec<f64> = (0..n).map(|_| r.normal()).collect();
        let mean = xs.iter().sum::<f64>() / n as f64;
        let var = xs.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / n as f64;
        assert!(mean.abs() < 0.01, "mean {mean}");
        assert!((var - 1.0).abs() < 0.01, "variance {var}");
    }

    #[test]
    fn a_two_piece_normal_has_its_ends_at_the_percentiles() {
        // -5 % / +10 %: 2.5 % of draws below -5 %, 2.5 % above +10 %.
        let d = Draw::of(&Spread::Interval {
            low: rust_decimal::Decimal::new(-5, 2),
            high: rust_decimal::Decimal::new(10, 2),
        });
        let r = simulate(&[d], &[Model { lines: vec![(100.0, vec![0])] }], 3, 100_000);
        let (lo, hi) = r[0];
        assert!((lo - 95.0).abs() < 0.15, "{lo}");
        assert!((hi - 110.0).abs() < 0.3, "{hi}");
    }
}
