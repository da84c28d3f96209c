//! The one decimal-number grammar of every input: ledger quantities, factor values, inventory, scenario and
//! reported-figure numbers, and numbers given on the command line.
//!
//! ```text
//! [space] ['+' | '-'] digits [',' groups] ['.' digits] [space]
//! ```
//!
//! * ASCII digits only; at least one digit on each side of a decimal point: `.5` and `5.` are refused (write `0.5`
//!   and `5`), as a printed report never shows them and a lost digit is the likelier cause.
//! * Thousands separators: `,` in the integer part only, the first group of 1 to 3 digits, every later group of
//!   exactly 3 (`1,909.06`, `+1,234`).
//! * No exponent (`1e3`), no second point (`1.2.3`).
//! * Range: the number must be held exactly by a decimal: at most 28 decimal places, and a value whose digits fit
//!   (at most 28 significant digits, 29 below 79,228,162,514,264,337,593,543,950,335). Nothing is rounded:
//!   `9999999999999999999999999999.9` and `0.000000000000000000000000000001` are refused rather than read as
//!   10^28 and 0.
//!
//! ```
//! use ghg::number::{parse, NumberError};
//! assert_eq!(parse("+1,909.06").unwrap().to_string(), "1909.06");
//! assert_eq!(parse(".5"), Err(NumberError::NoLeadingDigit));
//! assert_eq!(parse("1.2.3"), Err(NumberError::SecondPoint));
//! assert_eq!(parse("9999999999999999999999999999.9"), Err(NumberError::TooManyDigits));
//! ```

use rust_decimal::Decimal;

/// Most decimal places a number may have.
pub const MAX_PLACES: usize = 28;

/// Why a text is not a number of the grammar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NumberError {
    /// Nothing but whitespace.
    Empty,
    /// Starts with the decimal point (`.5`).
    NoLeadingDigit,
    /// Ends with the decimal point (`5.`).
    NoDigitAfterPoint,
    /// A second decimal point (`1.2.3`).
    SecondPoint,
    /// Thousands separators not in groups of three in the integer part.
    BadGrouping,
    /// An exponent (`1e3`).
    Exponent,
    /// Any other character where a digit is expected.
    NotADigit(char),
    /// More than 28 decimal places.
    TooManyPlaces,
    /// More significant digits than a decimal holds.
    TooManyDigits,
}

impl NumberError {
    /// Whether the text is a well-formed number that a decimal cannot hold exactly (an overflow, not a typo).
    pub fn is_range(self) -> bool {
        matches!(self, NumberError::TooManyPlaces | NumberError::TooManyDigits)
    }
}

impl std::fmt::Display for NumberError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            NumberError::Empty => f.write_str("it is empty"),
            NumberError::NoLeadingDigit => f.write_str("it starts with the decimal point (write 0.5, not .5)"),
            NumberError::NoDigitAfterPoint => f.write_str("the decimal point has no digit after it (write 5, not 5.)"),
            NumberError::SecondPoint => f.write_str("it has more than one decimal point"),
            NumberError::BadGrouping => f.write_str(
                "its thousands separators are misplaced (',' separates groups of 3 digits before the point)",
            ),
            NumberError::Exponent => f.write_str("scientific notation is not accepted (write the digits)"),
            NumberError::NotADigit(c) => write!(f, "{c:?} is not a digit"),
            NumberError::TooManyPlaces => write!(f, "it has more than {MAX_PLACES} decimal places"),
            NumberError::TooManyDigits => f.write_str("it has more than 28 significant digits"),
        }
    }
}

impl std::error::Error for NumberError {}

/// Read a number of the grammar (surrounding whitespace ignored), exactly or not at all.
pub fn parse(text: &str) -> Result<Decimal, NumberError> {
    let t = text.trim();
    if t.is_empty() {
        return Err(NumberError::Empty);
    }
    let (neg, body) = match t.as_bytes()[0] {
        b'-' => (true, &t[1..]),
        b'+' => (false, &t[1..]),
        _ => (false, t),
    };
    if let Some(c) = body.chars().find(|c| !(c.is_ascii_digit() || *c == '.' || *c == ',')) {
        return Err(if matches!(c, 'e' | 'E') && body.starts_with(|d: char| d.is_ascii_digit()) {
            NumberError::Exponent
        } else {
            NumberError::NotADigit(c)
        });
    }
    if body.matches('.').count() > 1 {
        return Err(NumberError::SecondPoint);
    }
    let (int, frac) = match body.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (body, None),
    };
    if int.is_empty() {
        return Err(if frac.is_some() { NumberError::NoLeadingDigit } else { NumberError::Empty });
    }
    if frac.is_some_and(|f| f.is_empty()) {
        return Err(NumberError::NoDigitAfterPoint);
    }
    if frac.is_some_and(|f| f.contains(',')) {
        return Err(NumberError::BadGrouping);
    }
    if int.contains(',') {
        let mut groups = int.split(',');
        let first = groups.next().unwrap_or("");
        if !(1..=3).contains(&first.len()) || !groups.all(|g| g.len() == 3) {
            return Err(NumberError::BadGrouping);
        }
    }
    let frac = frac.unwrap_or("");
    if frac.len() > MAX_PLACES {
        return Err(NumberError::TooManyPlaces);
    }
    // The mantissa: every digit written, leading zeros dropped; it must fit the decimal's 96 bits.
    let digits = int.bytes().filter(|b| *b != b',').chain(frac.bytes()).skip_while(|b| *b == b'0');
    let mut m: u128 = 0;
    for d in digits {
        m = m.checked_mul(10).and_then(|m| m.checked_add(u128::from(d - b'0'))).ok_or(NumberError::TooManyDigits)?;
        if m >> 96 != 0 {
            return Err(NumberError::TooManyDigits);
        }
    }
    let m = i128::try_from(m).map_err(|_| NumberError::TooManyDigits)?;
    let d = Decimal::try_from_i128_with_scale(if neg { -m } else { m }, frac.len() as u32)
        .map_err(|_| NumberError::TooManyDigits)?;
    // "-0" keeps its sign, as a decimal parsed from text does.
    Ok(if neg && m == 0 { -d } else { d })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(s: &str) -> String {
        parse(s).unwrap().to_string()
    }

    #[test]
    fn accepted() {
        assert_eq!(ok("1909.06"), "1909.06");
        assert_eq!(ok(" 1,909.06 "), "1909.06");
        assert_eq!(ok("+1,234"), "1234");
        assert_eq!(ok("+1234"), "1234");
        assert_eq!(ok("-1,234,567.5"), "-1234567.5");
        assert_eq!(ok("0.50"), "0.50");
        assert_eq!(ok("007"), "7");
        // The largest decimal, 29 digits, fits exactly.
        assert_eq!(ok("79228162514264337593543950335"), "79228162514264337593543950335");
        assert_eq!(ok("0.0000000000000000000000000001"), "0.0000000000000000000000000001");
        assert!(parse("-0").unwrap().is_zero());
    }

    #[test]
    fn refused_with_the_reason() {
        assert_eq!(parse(".5"), Err(NumberError::NoLeadingDigit));
        assert_eq!(parse("5."), Err(NumberError::NoDigitAfterPoint));
        assert_eq!(parse("1.2.3"), Err(NumberError::SecondPoint));
        assert_eq!(parse("1e3"), Err(NumberError::Exponent));
        assert_eq!(parse("1,90.06"), Err(NumberError::BadGrouping));
        assert_eq!(parse("1.000,5"), Err(NumberError::BadGrouping));
        assert_eq!(parse("12a"), Err(NumberError::NotADigit('a')));
        assert_eq!(parse("  "), Err(NumberError::Empty));
        assert_eq!(parse("-"), Err(NumberError::Empty));
        assert_eq!(parse("--1"), Err(NumberError::NotADigit('-')));
        // Rounded silently by a decimal's own parser; refused here.
        assert_eq!(parse("9999999999999999999999999999.9"), Err(NumberError::TooManyDigits));
        assert_eq!(parse("0.000000000000000000000000000001"), Err(NumberError::TooManyPlaces));
        assert_eq!(parse("79228162514264337593543950336"), Err(NumberError::TooManyDigits));
        assert_eq!(parse("123456789012345678901234567890"), Err(NumberError::TooManyDigits));
        assert_eq!(NumberError::NoLeadingDigit.to_string(), "it starts with the decimal point (write 0.5, not .5)");
    }
}
