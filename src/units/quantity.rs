//! Quantities: a decimal value in a unit, and their parsing.

use super::*;

/// A value with its unit. Equality is exact: 1 t and 1000 kg are *not* equal (compare after
/// [`Quantity::to`]).
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Quantity {
    /// The number.
    pub value: Decimal,
    /// Its unit.
    pub unit: Unit,
}

impl Quantity {
    /// A quantity of `value` in `unit`.
    pub fn new(value: Decimal, unit: Unit) -> Quantity {
        Quantity { value, unit }
    }

    /// This quantity expressed in another unit of the same dimension.
    pub fn to(&self, unit: &Unit) -> Result<Quantity, UnitError> {
        Ok(Quantity { value: convert(self.value, &self.unit, unit)?, unit: unit.clone() })
    }

    /// Parses "<number><optional space><unit>", e.g. "1,909.06 t", "1.5 万吨标煤", "15000tce",
    /// "12%". The number is a plain decimal with an optional sign and optional thousands
    /// separators in groups of three ("1,909.06"); no exponents.
    pub fn parse(s: &str) -> Result<Quantity, UnitError> {
        let t = s.trim();
        let end = t
            .char_indices()
            .find(|&(i, c)| !(c.is_ascii_digit() || c == ',' || c == '.' || (i == 0 && (c == '+' || c == '-'))))
            .map_or(t.len(), |(i, _)| i);
        let (num_text, unit_text) = t.split_at(end);
        let value = parse_plain_number(num_text).ok_or_else(|| UnitError::InvalidNumber { input: t.to_string() })?;
        let unit = Unit::parse(unit_text)?;
        Ok(Quantity { value, unit })
    }
}

/// A number of the one grammar ([`crate::number`]); `None` for anything else.
pub(super) fn parse_plain_number(text: &str) -> Option<Decimal> {
    crate::number::parse(text).ok()
}

impl fmt::Display for Quantity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.value, self.unit.symbol())
    }
}

impl FromStr for Quantity {
    type Err = UnitError;

    fn from_str(s: &str) -> Result<Quantity, UnitError> {
        Quantity::parse(s)
    }
}
