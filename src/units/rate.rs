//! Rate units: a unit per unit (`tCO2/MWh`, `kgCO2e/万元`).

use super::*;

/// A rate unit `numerator/denominator`, e.g. "tCO2/MWh", "GJ/10^4Nm3", "tC/TJ".
/// A bare ratio ("1", "%") has a ratio numerator and the ratio "1" as denominator.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RateUnit {
    /// The numerator unit.
    pub num: Unit,
    /// The denominator unit (may carry a scale prefix such as "10^4" or "万").
    pub den: Unit,
}

impl RateUnit {
    /// Parses "num/den" (whitespace around either part ignored). The denominator may carry a
    /// scale prefix "10^3", "10^4", "10^6", "10^8", "1e3", "1e4", "1e6", "千", "万", "百万", "亿"
    /// with an optional space ("10^4Nm3", "10^4 m3", "万m3"). A ratio unit alone ("1", "%") is
    /// accepted as a bare ratio.
    pub fn parse(s: &str) -> Result<RateUnit, UnitError> {
        let t = s.trim();
        match t.split_once('/') {
            None => {
                let malformed = || UnitError::MalformedRate { input: t.to_string() };
                let num = Unit::parse(t).map_err(|_| malformed())?;
                if num.dim == Dimension::Ratio {
                    Ok(RateUnit { num, den: Unit::base(Dimension::Ratio) })
                } else {
                    Err(malformed())
                }
            }
            Some((n, d)) => {
                let num = Unit::parse(n)?;
                let den = parse_denominator(d)?;
                Ok(RateUnit { num, den })
            }
        }
    }

    /// The symbol "num/den" (a bare ratio is just its numerator, "1" or "%").
    pub fn symbol(&self) -> String {
        if self.is_bare_ratio() {
            self.num.symbol().to_string()
        } else {
            format!("{}/{}", self.num.symbol(), self.den.symbol())
        }
    }

    /// Whether this is a plain ratio ("1" or "%") rather than a quotient of two units.
    pub fn is_bare_ratio(&self) -> bool {
        self.num.dim == Dimension::Ratio && self.den.dim == Dimension::Ratio && self.den.symbol() == "1"
    }

    /// Converts a rate value between rate units with the same numerator and denominator
    /// dimensions: `value * from.num.to_base * to.den.to_base / (from.den.to_base *
    /// to.num.to_base)`, a single (last) division.
    ///
    /// Where both numerators, or both denominators, are gas volumes stating their reference
    /// conditions, the ideal-gas ratio of [`reference_ratio`] joins in as in [`convert`]: 1 GJ/Nm3
    /// is 273.15 / 288.15 GJ/Sm3 (a cubic metre at 15 °C holds less gas than one at 0 °C).
    pub fn convert_value(value: Decimal, from: &RateUnit, to: &RateUnit) -> Result<Decimal, UnitError> {
        if from.num.dim != to.num.dim {
            return Err(mismatch(&from.num, &to.num));
        }
        if from.den.dim != to.den.dim {
            return Err(mismatch(&from.den, &to.den));
        }
        let overflow = || UnitError::Overflow { what: format!("converting {value} {from} to {to}") };
        // The numerator converts like a quantity (x num_n / num_d); the denominator's
        // conversion divides (x den_d / den_n).
        let (num_n, num_d) = unit_reference_ratio(&from.num, &to.num);
        let (den_n, den_d) = unit_reference_ratio(&from.den, &to.den);
        let numerator = [from.num.to_base, to.den.to_base, num_n, den_d]
            .into_iter()
            .try_fold(value, |acc, x| acc.checked_mul(x))
            .ok_or_else(overflow)?;
        let denominator = [to.num.to_base, num_d, den_n]
            .into_iter()
            .try_fold(from.den.to_base, |acc, x| acc.checked_mul(x))
            .ok_or_else(overflow)?;
        numerator.checked_div(denominator).ok_or_else(overflow)
    }
}

pub(super) fn parse_denominator(d: &str) -> Result<Unit, UnitError> {
    let t = d.trim();
    if let Ok(u) = Unit::parse(t) {
        return Ok(u);
    }
    for (written, sym, scale) in DENOMINATOR_PREFIXES.iter().copied() {
        let Some(rest) = t.strip_prefix(written) else {
            continue;
        };
        let rest = rest.trim_start();
        if rest.is_empty() {
            continue;
        }
        if let Ok(inner) = Unit::parse(rest) {
            return inner.scaled(scale, sym);
        }
    }
    Err(UnitError::Unknown { input: t.to_string(), accepted: Unit::accepted_spellings(None) })
}

impl fmt::Display for RateUnit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.symbol())
    }
}

impl FromStr for RateUnit {
    type Err = UnitError;

    fn from_str(s: &str) -> Result<RateUnit, UnitError> {
        RateUnit::parse(s)
    }
}

impl serde::Serialize for RateUnit {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.symbol())
    }
}

impl<'de> serde::Deserialize<'de> for RateUnit {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<RateUnit, D::Error> {
        let s = <Cow<'de, str> as serde::Deserialize>::deserialize(d)?;
        RateUnit::parse(&s).map_err(serde::de::Error::custom)
    }
}
