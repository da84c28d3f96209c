//! Running sums: one figure's exact sum ([`Acc`]), and the summed quantities of rows whose lines are an exact
//! product ([`Pool`]), multiplied out once.

use std::collections::BTreeMap;

use rust_decimal::Decimal;

use super::exact::Exact;

/// The running sum of one figure: exact value, exact interval half-width (when rows state a precision), lines.
#[derive(Debug, Clone, Default)]
pub(super) struct Acc {
    pub(super) value: Exact,
    pub(super) half: Option<Exact>,
    pub(super) lines: u64,
    pub(super) unit: &'static str,
}

impl Acc {
    pub(super) fn new(unit: &'static str) -> Acc {
        Acc { unit, ..Acc::default() }
    }
    #[inline]
    pub(super) fn add(&mut self, v: Decimal, half: Option<Decimal>) {
        self.value.add(v);
        if let Some(h) = half {
            self.half.get_or_insert(Exact::ZERO).add(h);
        }
        self.lines += 1;
    }
    pub(super) fn merge(&mut self, o: &Acc) {
        self.value.merge(&o.value);
        if let Some(h) = &o.half {
            self.half.get_or_insert(Exact::ZERO).merge(h);
        }
        self.lines += o.lines;
        if self.unit.is_empty() {
            self.unit = o.unit;
        }
    }
}

/// Figure `f` among an entity's running sums, made on first use with the plan's unit.
#[inline]
pub(super) fn acc_at<'a>(accs: &'a mut Vec<Acc>, f: usize, unit: &'static str) -> &'a mut Acc {
    if accs.len() <= f {
        accs.resize_with(f + 1, Acc::default);
    }
    let a = &mut accs[f];
    if a.unit.is_empty() {
        a.unit = unit;
    }
    a
}

/// Figure id -> running sum.
pub(super) type Named = BTreeMap<String, Acc>;

/// The quantities of one entity's rows in one group, summed exactly (see `Group::pooled`): mantissas of the usual
/// scale in an integer, any others (and any overflow) in an exact sum.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct Pool {
    pub(super) sum: Exact,
    pub(super) fast: i128,
    /// The scale of `fast` plus one (0: not chosen yet).
    pub(super) fast_scale: u8,
    pub(super) rows: u64,
}

impl Pool {
    #[inline]
    pub(super) fn add(&mut self, q: Decimal) {
        let s = q.scale() as u8 + 1;
        if self.fast_scale == 0 {
            self.fast_scale = s;
        }
        if s == self.fast_scale
            && let Some(x) = self.fast.checked_add(q.mantissa())
        {
            self.fast = x;
        } else {
            self.sum.add(q);
        }
        self.rows += 1;
    }
    /// The summed quantity times an exact rate (mantissa below 2^32, at most LINE_SCALE places with the quantities'
    /// scale): the sum of the lines `q x rate`, exactly.
    pub(super) fn times(&self, r: Decimal) -> Option<Exact> {
        let (m, s) = (r.mantissa(), r.scale());
        let mut out = Exact::ZERO;
        if self.fast_scale > 0 {
            let scale = (self.fast_scale - 1) as u32 + s;
            match self.fast.checked_mul(m) {
                // The usual case: one product, no division.
                Some(p) if scale <= 28 => out.add_scaled(p, scale),
                _ => {
                    let mut e = Exact::ZERO;
                    e.add_scaled(self.fast, (self.fast_scale - 1) as u32);
                    out.merge(&e.mul_decimal(m as u64, s)?);
                }
            }
        }
        if !self.sum.is_zero() {
            out.merge(&self.sum.mul_decimal(m as u64, s)?);
        }
        Some(out)
    }
}
