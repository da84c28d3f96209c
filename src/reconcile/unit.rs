//! The unit of a reported or recomputed figure: a plain unit (吨二氧化碳当量, 兆瓦时) or an intensity
//! (吨二氧化碳当量 / 百万元), with exact conversions between compatible ones.

use rust_decimal::Decimal;

use crate::units::{Dimension, Gas, Unit, UnitError};

/// A plain unit, or a numerator over a denominator.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FigureUnit {
    /// The unit, or the numerator of an intensity.
    pub num: Unit,
    /// The denominator of an intensity.
    pub den: Option<Unit>,
}

/// Whether two dimensions measure the same thing. CO2 and CO2e count as one: a CO2 figure is CO2e with no other
/// gas (the engine relabels it the same way).
pub fn same_dimension(a: Dimension, b: Dimension) -> bool {
    let co2ish = |d: Dimension| matches!(d, Dimension::Emission(Gas::CO2) | Dimension::Emission(Gas::CO2e));
    a == b || (co2ish(a) && co2ish(b))
}

impl FigureUnit {
    /// Parse "吨二氧化碳当量", "tCO2e/million CNY" or "吨标煤 / 百万元" (numerator and denominator separately).
    pub fn parse(text: &str) -> Result<FigureUnit, UnitError> {
        match text.split_once('/') {
            None => Ok(FigureUnit { num: Unit::parse(text)?, den: None }),
            Some((n, d)) => Ok(FigureUnit { num: Unit::parse(n)?, den: Some(Unit::parse(d)?) }),
        }
    }

    /// The canonical symbol ("tCO2e", "tce/million CNY").
    pub fn symbol(&self) -> String {
        match &self.den {
            None => self.num.symbol().to_string(),
            Some(d) => format!("{}/{}", self.num.symbol(), d.symbol()),
        }
    }

    /// Whether values in `self` can be expressed in `other`.
    pub fn compatible(&self, other: &FigureUnit) -> bool {
        same_dimension(self.num.dimension(), other.num.dimension())
            && match (&self.den, &other.den) {
                (None, None) => true,
                (Some(a), Some(b)) => a.dimension() == b.dimension(),
                _ => false,
            }
    }

    /// `x` in this unit expressed in `to`: one multiplication chain and one final division.
    pub fn convert(&self, x: Decimal, to: &FigureUnit) -> Option<Decimal> {
        if !self.compatible(to) {
            return None;
        }
        let (fd, td) = match (&self.den, &to.den) {
            (Some(a), Some(b)) => (a.to_base(), b.to_base()),
            _ => (Decimal::ONE, Decimal::ONE),
        };
        if self.num.to_base() == to.num.to_base() && fd == td {
            return Some(x);
        }
        let n = x.checked_mul(self.num.to_base())?.checked_mul(td)?;
        let den = to.num.to_base().checked_mul(fd)?;
        n.checked_div(den)
    }

    /// `x` in the base units of the dimensions (t, tce, MJ, CNY; per CNY for intensities).
    pub fn to_base(&self, x: Decimal) -> Option<Decimal> {
        let v = x.checked_mul(self.num.to_base())?;
        match &self.den {
            None => Some(v),
            Some(d) => v.checked_div(d.to_base()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    #[test]
    fn chinese_and_ascii_units_convert() {
        let a = FigureUnit::parse("吨二氧化碳当量 / 百万元").expect("intensity");
        let b = FigureUnit::parse("tCO2e/million CNY").expect("intensity");
        assert_eq!(a, b);
        let c = FigureUnit::parse("千克二氧化碳当量/万元").expect("intensity");
        // 2.05 t/million = 2050 kg / 100 x 10^4 CNY = 20.5 kg/10^4 CNY
        assert_eq!(a.convert(dec!(2.05), &c), Some(dec!(20.5)));
        let mwh = FigureUnit::parse("兆瓦时").expect("MWh");
        let gwh = FigureUnit::parse("GWh").expect("GWh");
        assert_eq!(mwh.convert(dec!(18089.22), &gwh), Some(dec!(18.08922)));
        assert_eq!(mwh.convert(dec!(1), &a), None);
        let co2 = FigureUnit::parse("tCO2").expect("tCO2");
        assert!(co2.compatible(&FigureUnit::parse("吨二氧化碳当量").expect("t")));
    }
}
