//! Printed numbers: a figure as a report prints it, and the interval its printed precision stands for.
//!
//! Audit reconciliation compares a figure printed in a report ("14,385.48 吨二氧化碳当量",
//! "1.8万 兆瓦时") with a recomputed one. A printed figure is not a point but an interval: "0.56" stands for
//! every value that rounds (half away from zero) to 0.56, i.e. `[0.555, 0.565)`.
//!
//! # Accepted syntax
//!
//! ```text
//! [space] [sign] digits [',' groups] ['.' digits] [space] [万 | 亿 | 万亿] [space] [unit text] [space]
//! ```
//!
//! * **Sign**: `-`, `+` or `−` (U+2212 MINUS SIGN), directly followed by a digit.
//! * **Digits**: ASCII `0`-`9` only; at least one digit before the decimal point (".5" is rejected).
//!   Full-width digits (`１２`), the full-width comma `，` and the full-width full stop `．` are
//!   **rejected** with [`PrintedError::NotANumber`] pointing at them (they are usually a sign of a copy from
//!   a PDF that should be retyped; silently accepting `，` would also confuse it with the Chinese comma).
//! * **Thousands separators**: `,` only in the integer part; the first group has 1 to 3 digits, every
//!   later group exactly 3 ("1,234,567"). Anything else is [`PrintedError::BadGrouping`] with the column
//!   of the offending `,`.
//! * **Decimal point**: one `.`, followed by at least one digit. Trailing zeros are significant:
//!   "51,758.70" has 2 places.
//! * **Scientific notation** ("1e5", "1.5E-3") is not accepted.
//! * **Multiplier**: a `万` (10⁴), `亿` (10⁸) or `万亿` (10¹²) right after the number, optionally after
//!   whitespace, is a multiplier; the unit text is what follows. So "1.8 万兆瓦时" is 18000 with unit
//!   "兆瓦时" and "376.66 万立方米" is 3,766,600 with unit "立方米". `千`, `百` and the like are never
//!   multipliers ("千克", "百万元" stay unit text). `%` is unit text, not a multiplier: "-3.6%" has value
//!   -3.6 and unit "%".
//! * **Unit text**: the rest, trimmed; it must not start with a digit, `.`, `,` or a sign. Letters glued
//!   directly to the digits ("100kWh") are accepted as a unit only when the glued word contains no digit
//!   and no `.`; so "12a.5", "1e5" and "1O0" (letter O) are rejected rather than misread.
//! * **Range**: at most 28 significant digits and 27 decimal places; the value (multiplier applied) and
//!   both interval bounds must be exactly representable as a [`Decimal`]. Otherwise
//!   [`PrintedError::Overflow`].
//!
//! Error columns are 1-based, counted in Unicode scalar values (chars) of the string exactly as passed to
//! [`PrintedNumber::parse`] (leading whitespace included), and the error's `text` is that string, so
//! callers can add the column to the position of the field in its file.
//!
//! # Rounding
//!
//! All rounding here is half away from zero ([`RoundingStrategy::MidpointAwayFromZero`]), the way
//! reports round; `rust_decimal`'s default `round_dp` is banker's rounding and is never used.

use std::fmt;
use std::str::FromStr;

use rust_decimal::{Decimal, RoundingStrategy};

/// Most significant digits a printed number may have (leading zeros do not count).
pub const MAX_SIGNIFICANT_DIGITS: usize = 28;

/// Most decimal places a printed number may have (one more is needed for the interval bounds).
pub const MAX_PLACES: u32 = 27;

/// Most decimal places [`format_grouped`] and the rendering methods print; larger requests are capped
/// here ([`Decimal`] cannot hold more than 28 decimal places, so further digits would only be zeros).
pub const MAX_FORMAT_PLACES: u32 = 28;

/// A number as a report prints it: value, printed precision, multiplier and unit text.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize)]
pub struct PrintedNumber {
    /// The input as given, with surrounding whitespace trimmed.
    pub text: String,
    /// The numeric value with the multiplier applied: "1.8万" -> 18000.
    pub value: Decimal,
    /// Decimal places as printed, before the multiplier: "51,758.70" -> 2, "1.8万" -> 1, "1,234" -> 0.
    pub places: u32,
    /// The multiplier: 1, 10000 (万), 100000000 (亿) or 10¹² (万亿).
    pub multiplier: Decimal,
    /// Half of the last printed digit, in value units: "1.8万" -> 500, "0.56" -> 0.005.
    pub half_unit: Decimal,
    /// The unit text after the number and multiplier, trimmed; "" if none.
    pub unit: String,
}

/// Why a printed number could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PrintedError {
    /// The input is empty or only whitespace.
    #[error("empty number: there is nothing to read")]
    Empty,
    /// The input is not a printed number; `column` (1-based, in chars of `text`) points at the problem.
    #[error("not a number: {text:?}, column {column}: {}", not_a_number_reason(.text, .column))]
    NotANumber {
        /// The input exactly as passed to [`PrintedNumber::parse`].
        text: String,
        /// 1-based char column of the problem in `text` (one past the end if the input stops too early).
        column: usize,
    },
    /// Thousands separators are misplaced; `column` points at the offending `,`.
    #[error(
        "bad thousands grouping in {text:?}, column {column}: ',' must separate groups of exactly 3 \
         digits in the integer part (the first group 1 to 3 digits)"
    )]
    BadGrouping {
        /// The input exactly as passed to [`PrintedNumber::parse`].
        text: String,
        /// 1-based char column of the offending `,` in `text`.
        column: usize,
    },
    /// The number has too many digits or decimal places, or does not fit a [`Decimal`] with its multiplier.
    #[error(
        "number out of range: {text:?} (at most {MAX_SIGNIFICANT_DIGITS} significant digits and \
         {MAX_PLACES} decimal places; the value with its multiplier must fit a 28-digit decimal)"
    )]
    Overflow {
        /// The input exactly as passed to [`PrintedNumber::parse`].
        text: String,
    },
}

/// Explains a [`PrintedError::NotANumber`] from the character its column points at.
fn not_a_number_reason(text: &str, column: &usize) -> String {
    let chars: Vec<char> = text.chars().collect();
    let index = column.saturating_sub(1);
    let before: String = chars.iter().take(index).collect();
    let before = before.trim();
    let at_start = before.is_empty() || matches!(before, "-" | "+" | "−");
    let Some(&c) = chars.get(index) else {
        return "the number is incomplete: a digit is expected".to_string();
    };
    if is_full_width_digit(c) {
        return format!("full-width digit {c:?}: type ASCII digits 0-9");
    }
    match c {
        '，' => "full-width comma '，': use ',' as the thousands separator".to_string(),
        '．' | '。' => format!("{c:?} is not a decimal point: use '.'"),
        _ if at_start && c.is_whitespace() => "a sign must be directly followed by a digit".to_string(),
        _ if at_start => format!("a printed number starts with an ASCII digit (after an optional sign), found {c:?}"),
        '.' => "misplaced decimal point: one '.' with digits on both sides".to_string(),
        '-' | '+' | '−' => format!("misplaced sign {c:?}"),
        'e' | 'E' if before.chars().last().is_some_and(|p| p.is_ascii_digit()) => {
            "scientific notation is not accepted".to_string()
        }
        _ if c.is_ascii_alphabetic() => format!(
            "letter {c:?} glued to the number: a unit written without a space may not contain digits \
             or '.'; separate the unit with a space"
        ),
        _ if c.is_ascii_digit() => {
            "a second number: write one number, with ',' (not spaces) as thousands separator".to_string()
        }
        _ => format!("unexpected character {c:?}"),
    }
}

/// Full-width digits U+FF10 to U+FF19.
fn is_full_width_digit(c: char) -> bool {
    ('\u{FF10}'..='\u{FF19}').contains(&c)
}

/// Characters that may not start the unit text (they look like part of a number).
fn is_numberish(c: char) -> bool {
    c.is_ascii_digit() || is_full_width_digit(c) || matches!(c, '.' | ',' | '+' | '-' | '−' | '，' | '．' | '－')
}

/// `n × 10^(k − places)` as an exact [`Decimal`], or `None` if it does not fit.
fn scaled(n: i128, places: u32, k: u32) -> Option<Decimal> {
    if places >= k {
        Decimal::try_from_i128_with_scale(n, places - k).ok()
    } else {
        let factor = 10i128.checked_pow(k - places)?;
        Decimal::try_from_i128_with_scale(n.checked_mul(factor)?, 0).ok()
    }
}

/// The multiplier for a power of ten `k` produced by the parser.
fn multiplier_for(k: u32) -> Decimal {
    scaled(1, 0, k).unwrap_or(Decimal::ONE)
}

/// `Some(k)` if `m` is exactly `10^k` for some `k >= 0`.
fn pow10_exponent(m: Decimal) -> Option<u32> {
    if m <= Decimal::ZERO {
        return None;
    }
    let n = m.normalize();
    if n.scale() != 0 {
        return None;
    }
    let mut v = n.mantissa();
    let mut k = 0u32;
    while v > 1 && v % 10 == 0 {
        v /= 10;
        k += 1;
    }
    (v == 1).then_some(k)
}

/// The printed suffix of the multiplier `10^k`.
fn suffix_for(k: u32) -> &'static str {
    match k {
        4 => "万",
        8 => "亿",
        12 => "万亿",
        _ => "",
    }
}

/// Sets the scale of `d` to at least `scale` (adding trailing zeros) when that is representable.
fn pad_scale(d: Decimal, scale: u32) -> Decimal {
    let scale = scale.min(MAX_FORMAT_PLACES);
    if d.scale() >= scale {
        return d;
    }
    10i128
        .checked_pow(scale - d.scale())
        .and_then(|f| d.mantissa().checked_mul(f))
        .and_then(|m| Decimal::try_from_i128_with_scale(m, scale).ok())
        .unwrap_or(d)
}

/// `x / 10^k` rounded half away from zero to at most `places` decimals, exactly:
/// the magnitude is `units × 10^-scale` with `scale <= places`.
#[derive(Debug, Clone, Copy)]
struct Grid {
    negative: bool,
    units: u128,
    scale: u32,
}

impl Grid {
    fn new(x: Decimal, k: u32, places: u32) -> Grid {
        let m = x.mantissa().unsigned_abs();
        let s = x.scale();
        let negative = x.mantissa() < 0;
        let target = i64::from(places) - i64::from(k);
        if target >= i64::from(s) {
            // Already on the grid: x / 10^k has s + k <= places decimals.
            return Grid { negative: negative && m != 0, units: m, scale: s + k };
        }
        // Drop d >= 1 decimal digits of the mantissa.
        let d = u32::try_from(i64::from(s) - target).unwrap_or(u32::MAX);
        // |m| < 2^96 < 5 × 10^29, so dropping 30 or more digits always rounds to 0.
        let units = match 10u128.checked_pow(d) {
            Some(p) if d < 30 => {
                let (q, r) = (m / p, m % p);
                if r * 2 >= p { q + 1 } else { q }
            }
            _ => 0,
        };
        Grid { negative: negative && units != 0, units, scale: places }
    }

    /// `±units × 10^(k − scale)`, then padded to `places − k` decimals; saturates at the [`Decimal`] range.
    fn to_decimal(self, k: u32, places: u32) -> Decimal {
        let saturated = if self.negative { Decimal::MIN } else { Decimal::MAX };
        let Ok(n) = i128::try_from(self.units) else {
            return saturated;
        };
        let n = if self.negative { -n } else { n };
        match scaled(n, self.scale, k) {
            Some(d) => pad_scale(d, places.saturating_sub(k)),
            None => saturated,
        }
    }

    /// The digits with exactly `places` decimals (`places >= self.scale`).
    fn render(self, places: u32, group: bool) -> String {
        let mut digits = self.units.to_string();
        digits.extend(std::iter::repeat_n('0', places.saturating_sub(self.scale) as usize));
        let places = places as usize;
        if digits.len() <= places {
            let zeros = places + 1 - digits.len();
            digits.insert_str(0, &"0".repeat(zeros));
        }
        let (int, frac) = digits.split_at(digits.len() - places);
        let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 2);
        if self.negative {
            out.push('-');
        }
        for (i, c) in int.chars().enumerate() {
            if group && i > 0 && (int.len() - i) % 3 == 0 {
                out.push(',');
            }
            out.push(c);
        }
        if !frac.is_empty() {
            out.push('.');
            out.push_str(frac);
        }
        out
    }
}

/// Rounds `x` half away from zero to `places` decimal places (2.345 -> 2.35, -2.345 -> -2.35).
///
/// Unlike `rust_decimal`'s default `round_dp` (banker's rounding: 2.345 -> 2.34) this is the rounding
/// reports use. The result's scale is padded to `places` (capped at 28) when representable, so it
/// displays with trailing zeros ("2.3" at 2 places displays "2.30"); a zero result is never negative.
pub fn round_half_away(x: Decimal, places: u32) -> Decimal {
    let mut r = x.round_dp_with_strategy(places, RoundingStrategy::MidpointAwayFromZero);
    if r.is_zero() {
        r.set_sign_positive(true);
    }
    pad_scale(r, places)
}

/// Formats `x` rounded half away from zero to `places` decimals, keeping trailing zeros.
///
/// With `group`, the integer part gets "," thousands separators: `format_grouped(51758.7, 2, true)` is
/// "51,758.70". Negative numbers get a leading "-"; a result that rounds to zero has no sign. `places`
/// is capped at [`MAX_FORMAT_PLACES`].
pub fn format_grouped(x: Decimal, places: u32, group: bool) -> String {
    let places = places.min(MAX_FORMAT_PLACES);
    Grid::new(x, 0, places).render(places, group)
}

impl PrintedNumber {
    /// Reads a printed number such as "14,385.48 吨二氧化碳当量", "1.8万 兆瓦时" or "-3.6%".
    ///
    /// See the [module documentation](self) for the accepted syntax and the errors.
    pub fn parse(s: &str) -> Result<PrintedNumber, PrintedError> {
        let chars: Vec<char> = s.chars().collect();
        let not_a_number = |i: usize| PrintedError::NotANumber { text: s.to_string(), column: i + 1 };
        let bad_grouping = |i: usize| PrintedError::BadGrouping { text: s.to_string(), column: i + 1 };
        let overflow = || PrintedError::Overflow { text: s.to_string() };

        let mut i = 0;
        while i < chars.len() && chars[i].is_whitespace() {
            i += 1;
        }
        let mut end = chars.len();
        while end > i && chars[end - 1].is_whitespace() {
            end -= 1;
        }
        if i == end {
            return Err(PrintedError::Empty);
        }

        let negative = match chars[i] {
            '-' | '−' => {
                i += 1;
                true
            }
            '+' => {
                i += 1;
                false
            }
            _ => false,
        };

        // The number token: a maximal run of ASCII digits, ',' and '.'.
        let start = i;
        while i < end && (chars[i].is_ascii_digit() || chars[i] == ',' || chars[i] == '.') {
            i += 1;
        }
        let token_end = i;
        if start == token_end || !chars[start].is_ascii_digit() {
            return Err(not_a_number(start));
        }

        let mut dots = (start..token_end).filter(|&j| chars[j] == '.');
        let dot = dots.next();
        if let Some(second) = dots.next() {
            return Err(not_a_number(second));
        }
        let int_end = dot.unwrap_or(token_end);
        if let Some(dot) = dot {
            if let Some(comma) = (dot + 1..token_end).find(|&j| chars[j] == ',') {
                return Err(bad_grouping(comma));
            }
            if dot + 1 == token_end {
                return Err(not_a_number(dot));
            }
        }

        // Thousands grouping of the integer part.
        let commas: Vec<usize> = (start..int_end).filter(|&j| chars[j] == ',').collect();
        if let Some(&first) = commas.first() {
            if first - start > 3 {
                return Err(bad_grouping(first));
            }
            for (n, &comma) in commas.iter().enumerate() {
                let group_end = commas.get(n + 1).copied().unwrap_or(int_end);
                if group_end - comma - 1 != 3 {
                    return Err(bad_grouping(comma));
                }
            }
        }

        // The digits themselves follow the one number grammar of every input (exact, or refused).
        let token: String = chars[start..token_end].iter().collect();
        match crate::number::parse(&token) {
            Ok(_) => {}
            Err(e) if e.is_range() => return Err(overflow()),
            Err(_) => return Err(not_a_number(start)),
        }

        // Letters glued to the digits: a unit only if the glued word has no digit and no '.'.
        if token_end < end && chars[token_end].is_ascii_alphabetic() {
            let glued_bad = chars[token_end..end]
                .iter()
                .take_while(|c| !c.is_whitespace())
                .any(|&c| c.is_ascii_digit() || c == '.' || is_full_width_digit(c));
            if glued_bad {
                return Err(not_a_number(token_end));
            }
        }

        // Multiplier, then the unit text.
        let mut j = token_end;
        while j < end && chars[j].is_whitespace() {
            j += 1;
        }
        let k = match (chars.get(j), chars.get(j + 1)) {
            (Some('万'), Some('亿')) if j + 1 < end => {
                j += 2;
                12
            }
            (Some('万'), _) if j < end => {
                j += 1;
                4
            }
            (Some('亿'), _) if j < end => {
                j += 1;
                8
            }
            _ => 0,
        };
        while j < end && chars[j].is_whitespace() {
            j += 1;
        }
        if j < end && is_numberish(chars[j]) {
            return Err(not_a_number(j));
        }
        let unit: String = chars[j..end].iter().collect();

        // The digits.
        let int_digits = chars[start..int_end].iter().filter(|c| c.is_ascii_digit());
        let frac_digits = dot.map_or(&[][..], |d| &chars[d + 1..token_end]);
        let places = u32::try_from(frac_digits.len()).map_err(|_| overflow())?;
        let significant: Vec<u32> =
            int_digits.chain(frac_digits.iter()).filter_map(|c| c.to_digit(10)).skip_while(|&d| d == 0).collect();
        if significant.len() > MAX_SIGNIFICANT_DIGITS || places > MAX_PLACES {
            return Err(overflow());
        }
        let magnitude = significant
            .iter()
            .try_fold(0i128, |acc, &d| acc.checked_mul(10)?.checked_add(i128::from(d)))
            .ok_or_else(overflow)?;
        let m = if negative { -magnitude } else { magnitude };

        let value = scaled(m, places, k).ok_or_else(overflow)?;
        let half_unit = scaled(5, places + 1, k).ok_or_else(overflow)?;
        // Both bounds must be exactly representable, so that lower() and upper() are exact.
        let ten_m = m.checked_mul(10).ok_or_else(overflow)?;
        for bound in [ten_m - 5, ten_m + 5] {
            scaled(bound, places + 1, k).ok_or_else(overflow)?;
        }

        Ok(PrintedNumber { text: s.trim().to_string(), value, places, multiplier: multiplier_for(k), half_unit, unit })
    }

    /// The lower bound of the interval, `value − half_unit`.
    ///
    /// Included in the interval for positive values, excluded for zero and negative values (see
    /// [`contains`](Self::contains)). None when it does not fit a decimal (never for a parsed number, whose places
    /// are bounded so that it does; a hand-built value may overflow).
    pub fn lower(&self) -> Option<Decimal> {
        self.value.checked_sub(self.half_unit)
    }

    /// The upper bound of the interval, `value + half_unit`.
    ///
    /// Excluded from the interval for positive values and zero, included for negative values (see
    /// [`contains`](Self::contains)). None when it does not fit a decimal (see [`lower`](Self::lower)).
    pub fn upper(&self) -> Option<Decimal> {
        self.value.checked_add(self.half_unit)
    }

    /// Whether `x` would be printed as this number, i.e. rounds half away from zero to `value`.
    ///
    /// Because rounding is symmetric about zero, which bound is closed depends on the sign:
    /// * `value > 0`: `lower <= x < upper` ("0.56": `[0.555, 0.565)`);
    /// * `value < 0`: `lower < x <= upper` ("-3.6": `(-3.65, -3.55]`);
    /// * `value == 0`: `lower < x < upper` ("0": `(-0.5, 0.5)`).
    ///
    /// For a parsed number this agrees exactly with `round_like(x) == value`.
    /// An interval whose ends do not fit a decimal contains nothing.
    pub fn contains(&self, x: Decimal) -> bool {
        let (Some(lo), Some(hi)) = (self.lower(), self.upper()) else { return false };
        if self.value > Decimal::ZERO {
            lo <= x && x < hi
        } else if self.value < Decimal::ZERO {
            lo < x && x <= hi
        } else {
            lo < x && x < hi
        }
    }

    /// `x` at the reported precision: divided by the multiplier, rounded half away from zero to `places`,
    /// times the multiplier, computed exactly ("1.8万": 17,960.4 -> 18000; "2.05": 2.0604 -> 2.06).
    ///
    /// The result keeps `places` decimals when the multiplier is 1 (2.1 -> 2.10). Saturates at the
    /// [`Decimal`] range. A hand-built multiplier that is not a power of ten is applied by division,
    /// rounding and multiplication (a multiplier <= 0 counts as 1).
    pub fn round_like(&self, x: Decimal) -> Decimal {
        let places = self.places.min(MAX_FORMAT_PLACES);
        match pow10_exponent(self.multiplier) {
            Some(k) => Grid::new(x, k, places).to_decimal(k, places),
            None if self.multiplier <= Decimal::ZERO => round_half_away(x, places),
            None => {
                let scaled_down = x.checked_div(self.multiplier).unwrap_or(x);
                let r = round_half_away(scaled_down, places);
                r.checked_mul(self.multiplier).unwrap_or(if r < Decimal::ZERO { Decimal::MIN } else { Decimal::MAX })
            }
        }
    }

    /// Whether the printed number used "," thousands separators.
    pub fn grouped(&self) -> bool {
        let t = self.text.trim_start();
        let t = t.strip_prefix(['-', '+', '−']).unwrap_or(t);
        t.chars().take_while(|c| c.is_ascii_digit() || *c == ',' || *c == '.').any(|c| c == ',')
    }

    /// `x` formatted the way this number is printed: same places, "," separators if the input had them,
    /// the multiplier suffix (万, 亿, 万亿) directly after the digits if the input had one; no unit.
    ///
    /// "51,758.70": 51758.7 -> "51,758.70"; "1.8万 兆瓦时": 17960.4 -> "1.8万". The sign is always
    /// ASCII "-". A hand-built multiplier that is not 1, 万, 亿 or 万亿 is written as "×multiplier".
    pub fn render_like(&self, x: Decimal) -> String {
        let places = self.places.min(MAX_FORMAT_PLACES);
        let group = self.grouped();
        match pow10_exponent(self.multiplier) {
            Some(k) if k == 0 || !suffix_for(k).is_empty() => {
                let mut out = Grid::new(x, k, places).render(places, group);
                out.push_str(suffix_for(k));
                out
            }
            _ if self.multiplier <= Decimal::ZERO => format_grouped(x, places, group),
            _ => {
                let scaled_down = x.checked_div(self.multiplier).unwrap_or(x);
                format!("{}×{}", format_grouped(scaled_down, places, group), self.multiplier.normalize())
            }
        }
    }
}

impl FromStr for PrintedNumber {
    type Err = PrintedError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        PrintedNumber::parse(s)
    }
}

impl fmt::Display for PrintedNumber {
    /// Writes the number as it was printed (the trimmed input).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use rust_decimal_macros::dec;

    fn p(s: &str) -> PrintedNumber {
        PrintedNumber::parse(s).unwrap_or_else(|e| panic!("{s:?}: {e}"))
    }

    /// input, value, places, multiplier, half_unit, unit, lower, upper
    type Example = (&'static str, Decimal, u32, Decimal, Decimal, &'static str, Decimal, Decimal);

    #[test]
    fn examples() {
        let cases: &[Example] = &[
            (
                "14,385.48 吨二氧化碳当量",
                dec!(14385.48),
                2,
                dec!(1),
                dec!(0.005),
                "吨二氧化碳当量",
                dec!(14385.475),
                dec!(14385.485),
            ),
            ("1.8万 兆瓦时", dec!(18000), 1, dec!(10000), dec!(500), "兆瓦时", dec!(17500), dec!(18500)),
            ("1.8 万兆瓦时", dec!(18000), 1, dec!(10000), dec!(500), "兆瓦时", dec!(17500), dec!(18500)),
            ("1.8万 MWh", dec!(18000), 1, dec!(10000), dec!(500), "MWh", dec!(17500), dec!(18500)),
            (
                "2.05 吨二氧化碳当量/百万元",
                dec!(2.05),
                2,
                dec!(1),
                dec!(0.005),
                "吨二氧化碳当量/百万元",
                dec!(2.045),
                dec!(2.055),
            ),
            ("0.56", dec!(0.56), 2, dec!(1), dec!(0.005), "", dec!(0.555), dec!(0.565)),
            ("51,758.70", dec!(51758.70), 2, dec!(1), dec!(0.005), "", dec!(51758.695), dec!(51758.705)),
            ("92,495.53 百万元", dec!(92495.53), 2, dec!(1), dec!(0.005), "百万元", dec!(92495.525), dec!(92495.535)),
            ("1.59万", dec!(15900), 2, dec!(10000), dec!(50), "", dec!(15850), dec!(15950)),
            ("-3.6%", dec!(-3.6), 1, dec!(1), dec!(0.05), "%", dec!(-3.65), dec!(-3.55)),
            ("−3.6%", dec!(-3.6), 1, dec!(1), dec!(0.05), "%", dec!(-3.65), dec!(-3.55)),
            ("+3.6 %", dec!(3.6), 1, dec!(1), dec!(0.05), "%", dec!(3.55), dec!(3.65)),
            ("0", dec!(0), 0, dec!(1), dec!(0.5), "", dec!(-0.5), dec!(0.5)),
            ("1,234", dec!(1234), 0, dec!(1), dec!(0.5), "", dec!(1233.5), dec!(1234.5)),
            ("1.2亿", dec!(120000000), 1, dec!(100000000), dec!(5000000), "", dec!(115000000), dec!(125000000)),
            ("18.048 兆瓦", dec!(18.048), 3, dec!(1), dec!(0.0005), "兆瓦", dec!(18.0475), dec!(18.0485)),
            ("  7,195.65 tce ", dec!(7195.65), 2, dec!(1), dec!(0.005), "tce", dec!(7195.645), dec!(7195.655)),
            ("376.66 万立方米", dec!(3766600), 2, dec!(10000), dec!(50), "立方米", dec!(3766550), dec!(3766650)),
            ("92,495.53 万元", dec!(924955300), 2, dec!(10000), dec!(50), "元", dec!(924955250), dec!(924955350)),
            (
                "3.5万亿元",
                dec!(3500000000000),
                1,
                dec!(1000000000000),
                dec!(50000000000),
                "元",
                dec!(3450000000000),
                dec!(3550000000000),
            ),
            ("12 千克", dec!(12), 0, dec!(1), dec!(0.5), "千克", dec!(11.5), dec!(12.5)),
            ("100kWh", dec!(100), 0, dec!(1), dec!(0.5), "kWh", dec!(99.5), dec!(100.5)),
            ("1,234,567.000", dec!(1234567), 3, dec!(1), dec!(0.0005), "", dec!(1234566.9995), dec!(1234567.0005)),
            ("0.000 t", dec!(0), 3, dec!(1), dec!(0.0005), "t", dec!(-0.0005), dec!(0.0005)),
        ];
        for &(input, value, places, multiplier, half_unit, unit, lower, upper) in cases {
            let n = p(input);
            assert_eq!(n.text, input.trim(), "{input}");
            assert_eq!(n.value, value, "{input}");
            assert_eq!(n.places, places, "{input}");
            assert_eq!(n.multiplier, multiplier, "{input}");
            assert_eq!(n.half_unit, half_unit, "{input}");
            assert_eq!(n.unit, unit, "{input}");
            assert_eq!(n.lower(), Some(lower), "{input}");
            assert_eq!(n.upper(), Some(upper), "{input}");
        }
    }

    #[test]
    fn value_keeps_printed_scale() {
        assert_eq!(p("51,758.70").value.to_string(), "51758.70");
        assert_eq!(p("1.8万").value.to_string(), "18000");
        assert_eq!(p("1.23456万").value.to_string(), "12345.6");
        assert_eq!(p("-0").value.to_string(), "0");
    }

    #[test]
    fn interval_bounds() {
        let n = p("0.56");
        assert!(n.contains(dec!(0.555)));
        assert!(!n.contains(dec!(0.565)));
        assert!(n.contains(dec!(0.5649999)));
        assert!(!n.contains(dec!(0.5549999)));

        let n = p("1.8万 MWh");
        assert!(n.contains(dec!(17500)));
        assert!(!n.contains(dec!(18500)));
        assert!(n.contains(dec!(18499.99)));
        assert!(!n.contains(dec!(17499.99)));

        // Negative: (lower, upper].
        let n = p("-3.6%");
        assert!(!n.contains(dec!(-3.65)));
        assert!(n.contains(dec!(-3.55)));
        assert!(n.contains(dec!(-3.6499)));
        assert_eq!(n.round_like(dec!(-3.65)), dec!(-3.7));
        assert_eq!(n.round_like(dec!(-3.55)), dec!(-3.6));

        // Zero: (lower, upper).
        let n = p("0");
        assert!(!n.contains(dec!(-0.5)));
        assert!(!n.contains(dec!(0.5)));
        assert!(n.contains(dec!(0.4999)));
        assert!(n.contains(dec!(-0.4999)));
        assert!(n.contains(dec!(0)));
    }

    #[test]
    fn round_like_examples() {
        assert_eq!(p("2.05").round_like(dec!(2.0604)), dec!(2.06));
        assert_eq!(p("2.05").round_like(dec!(2.0604)).to_string(), "2.06");
        assert_eq!(p("2.05").round_like(dec!(2.1)).to_string(), "2.10");
        assert_eq!(p("2.05").round_like(dec!(2.045)), dec!(2.05));
        assert_eq!(p("1.8万").round_like(dec!(17960.4)), dec!(18000));
        assert_eq!(p("1.8万").round_like(dec!(17449.99)), dec!(17000));
        assert_eq!(p("1.59万").round_like(dec!(15850)), dec!(15900));
        assert_eq!(p("1.2亿").round_like(dec!(124999999.99)), dec!(120000000));
        assert_eq!(p("1,234").round_like(dec!(1234.5)), dec!(1235));
        assert_eq!(p("1.23456万").round_like(dec!(12345.65)).to_string(), "12345.7");
        // Extremes saturate or stay exact, never panic.
        assert_eq!(p("1万").round_like(Decimal::MAX), dec!(79228162514264337593543950000));
        assert_eq!(p("1亿").round_like(Decimal::MIN), dec!(-79228162514264337593500000000));
        assert_eq!(p("1").round_like(Decimal::MAX), Decimal::MAX);
        let tiny = Decimal::new(1, 28);
        assert_eq!(p("0.5").round_like(tiny), dec!(0));
    }

    #[test]
    fn render_like_examples() {
        assert_eq!(p("51,758.70").render_like(dec!(51758.7)), "51,758.70");
        assert_eq!(p("51758.70").render_like(dec!(51758.7)), "51758.70");
        assert_eq!(p("1.8万 兆瓦时").render_like(dec!(17960.4)), "1.8万");
        assert_eq!(p("1.8 万兆瓦时").render_like(dec!(17449)), "1.7万");
        assert_eq!(p("1.2亿").render_like(dec!(123456789)), "1.2亿");
        assert_eq!(p("1,234.5万").render_like(dec!(12345678)), "1,234.6万");
        assert_eq!(p("3.5万亿").render_like(dec!(3500000000000)), "3.5万亿");
        assert_eq!(p("-3.6%").render_like(dec!(-3.6449)), "-3.6");
        assert_eq!(p("−3.6%").render_like(dec!(0.04)), "0.0");
        assert_eq!(p("0.56").render_like(dec!(0.5650)), "0.57");
        assert_eq!(p("1,234").render_like(dec!(-1234567.5)), "-1,234,568");
        for s in ["14,385.48", "1.8万", "0.56", "-3.6", "0", "1,234", "1.2亿", "18.048", "7,195.65"] {
            let n = p(s);
            assert_eq!(n.render_like(n.value), s);
        }
        let hand = PrintedNumber { multiplier: dec!(1000), ..p("1.5") };
        assert_eq!(hand.render_like(dec!(1540)), "1.5×1000");
        assert_eq!(hand.round_like(dec!(1560)), dec!(1600));
        let odd = PrintedNumber { multiplier: dec!(3), ..p("1.5") };
        assert_eq!(odd.round_like(dec!(4)), dec!(3.9));
        let zero = PrintedNumber { multiplier: dec!(0), ..p("1.5") };
        assert_eq!(zero.round_like(dec!(4.04)), dec!(4.0));
        assert_eq!(zero.render_like(dec!(4.04)), "4.0");
    }

    #[test]
    fn round_half_away_examples() {
        assert_eq!(round_half_away(dec!(2.345), 2), dec!(2.35));
        assert_eq!(round_half_away(dec!(-2.345), 2), dec!(-2.35));
        assert_eq!(dec!(2.345).round_dp(2), dec!(2.34)); // banker's, for contrast
        assert_eq!(round_half_away(dec!(2.5), 0), dec!(3));
        assert_eq!(round_half_away(dec!(-2.5), 0), dec!(-3));
        assert_eq!(round_half_away(dec!(2.3), 2).to_string(), "2.30");
        assert_eq!(round_half_away(dec!(-0.001), 2).to_string(), "0.00");
        assert_eq!(round_half_away(Decimal::MAX, 2), Decimal::MAX);
        assert_eq!(round_half_away(dec!(1.5), u32::MAX), dec!(1.5));
    }

    #[test]
    fn format_grouped_examples() {
        assert_eq!(format_grouped(dec!(51758.7), 2, true), "51,758.70");
        assert_eq!(format_grouped(dec!(51758.7), 2, false), "51758.70");
        assert_eq!(format_grouped(dec!(2.345), 2, true), "2.35");
        assert_eq!(format_grouped(dec!(-2.345), 2, true), "-2.35");
        assert_eq!(format_grouped(dec!(-1234567.891), 1, true), "-1,234,567.9");
        assert_eq!(format_grouped(dec!(999.5), 0, true), "1,000");
        assert_eq!(format_grouped(dec!(100), 0, true), "100");
        assert_eq!(format_grouped(dec!(123456), 0, true), "123,456");
        assert_eq!(format_grouped(dec!(0.004), 2, true), "0.00");
        assert_eq!(format_grouped(dec!(-0.004), 2, true), "0.00");
        assert_eq!(format_grouped(dec!(0.05), 4, true), "0.0500");
        assert_eq!(format_grouped(dec!(0), 0, true), "0");
        assert_eq!(format_grouped(Decimal::new(1, 28), 28, false), format!("0.{}1", "0".repeat(27)));
        assert_eq!(format_grouped(dec!(1), u32::MAX, false).len(), 30);
        assert_eq!(format_grouped(Decimal::MAX, 2, true), "79,228,162,514,264,337,593,543,950,335.00");
        assert_eq!(format_grouped(Decimal::MIN, 0, false), "-79228162514264337593543950335");
    }

    fn not_a_number(s: &str, column: usize) -> PrintedError {
        PrintedError::NotANumber { text: s.to_string(), column }
    }

    fn bad_grouping(s: &str, column: usize) -> PrintedError {
        PrintedError::BadGrouping { text: s.to_string(), column }
    }

    #[test]
    fn errors_with_columns() {
        let cases: &[(&str, PrintedError)] = &[
            ("", PrintedError::Empty),
            ("   ", PrintedError::Empty),
            ("12a.5", not_a_number("12a.5", 3)),
            ("1,23.5", bad_grouping("1,23.5", 2)),
            ("1,2345", bad_grouping("1,2345", 2)),
            ("1234,567", bad_grouping("1234,567", 5)),
            ("1,234,56", bad_grouping("1,234,56", 6)),
            ("1,,234", bad_grouping("1,,234", 2)),
            ("1,234,", bad_grouping("1,234,", 6)),
            ("1,234.5,6", bad_grouping("1,234.5,6", 8)),
            ("12,5 t", bad_grouping("12,5 t", 3)),
            ("1e5", not_a_number("1e5", 2)),
            ("1.5E-3", not_a_number("1.5E-3", 4)),
            ("1O0", not_a_number("1O0", 2)),
            ("1.2.3", not_a_number("1.2.3", 4)),
            ("12.", not_a_number("12.", 3)),
            ("12. t", not_a_number("12. t", 3)),
            (".5", not_a_number(".5", 1)),
            (",5", not_a_number(",5", 1)),
            ("-", not_a_number("-", 2)),
            ("- 5", not_a_number("- 5", 2)),
            ("--5", not_a_number("--5", 2)),
            ("  x", not_a_number("  x", 3)),
            ("１２", not_a_number("１２", 1)),
            ("1２", not_a_number("1２", 2)),
            ("1，234", not_a_number("1，234", 2)),
            ("1．5", not_a_number("1．5", 2)),
            ("－5", not_a_number("－5", 1)),
            ("1 234", not_a_number("1 234", 3)),
            ("1.8万5", not_a_number("1.8万5", 5)),
            ("1.8万 -", not_a_number("1.8万 -", 6)),
            ("万", not_a_number("万", 1)),
            ("(3.6)", not_a_number("(3.6)", 1)),
            ("NaN", not_a_number("NaN", 1)),
        ];
        for (input, expected) in cases {
            assert_eq!(&PrintedNumber::parse(input).unwrap_err(), expected, "{input:?}");
        }
    }

    #[test]
    fn overflow() {
        for s in [
            "12345678901234567890123456789",
            "79228162514264337593543950335",
            "1,000,000,000,000,000,000,000亿",
            "100000000000000000万亿",
            "0.0000000000000000000000000001",
            "9999999999999999999999999999",
        ] {
            assert_eq!(PrintedNumber::parse(s), Err(PrintedError::Overflow { text: s.to_string() }), "{s}");
        }
        // Leading zeros are not significant; 27 places and 28 digits (when the bounds fit) are fine.
        let n = p("0000000000000000000000000000000000001.5");
        assert_eq!(n.value, dec!(1.5));
        let n = p("0.000000000000000000000000001");
        assert_eq!(n.places, 27);
        assert_eq!(n.half_unit, Decimal::new(5, 28));
        let n = p("1234567890123456789012345678");
        assert_eq!(n.upper(), Some(Decimal::from_i128_with_scale(12345678901234567890123456785, 1)));
    }

    #[test]
    fn error_messages() {
        let e = PrintedNumber::parse("12a.5").unwrap_err().to_string();
        assert!(e.contains("column 3") && e.contains("'a'"), "{e}");
        let e = PrintedNumber::parse("1e5").unwrap_err().to_string();
        assert!(e.contains("scientific"), "{e}");
        let e = PrintedNumber::parse("１２").unwrap_err().to_string();
        assert!(e.contains("full-width"), "{e}");
        let e = PrintedNumber::parse("1,23.5").unwrap_err().to_string();
        assert!(e.contains("column 2") && e.contains("3"), "{e}");
        let e = PrintedNumber::parse("-").unwrap_err().to_string();
        assert!(e.contains("incomplete"), "{e}");
        assert!(!PrintedError::Empty.to_string().is_empty());
        let e = PrintedNumber::parse("99999999999999999999999999999").unwrap_err();
        assert!(e.to_string().contains("out of range"));
    }

    #[test]
    fn from_str_and_display() {
        let n: PrintedNumber = "  1.8万 兆瓦时 ".parse().unwrap();
        assert_eq!(n.to_string(), "1.8万 兆瓦时");
        assert!(!n.grouped());
        assert!(p("-1,234.5").grouped());
    }

    /// A Decimal with up to `int_digits` integer digits and `scale` decimals.
    fn decimal(int_digits: u32, max_scale: u32) -> impl Strategy<Value = Decimal> {
        (0..=max_scale).prop_flat_map(move |scale| {
            let bound = 10i128.pow(int_digits + scale) - 1;
            (-bound..=bound).prop_map(move |m| Decimal::from_i128_with_scale(m, scale))
        })
    }

    proptest! {
        #[test]
        fn format_then_parse_contains(d in decimal(10, 8), places in 0u32..=4, group in any::<bool>()) {
            let s = format_grouped(d, places, group);
            let n = PrintedNumber::parse(&s).unwrap();
            prop_assert!(n.contains(d), "{} -> {} [{:?}, {:?})", d, s, n.lower(), n.upper());
            prop_assert_eq!(n.places, places);
            prop_assert_eq!(n.round_like(d), n.value);
            prop_assert_eq!(n.render_like(d), s);
        }

        #[test]
        fn contains_agrees_with_round_like(
            m in -10i64.pow(12)..10i64.pow(12),
            places in 0u32..=4,
            suffix in prop::sample::select(vec!["", "万", "亿", "万亿"]),
            j in -300i64..=300,
            nudge in prop::sample::select(vec![0i64, 1, -1]),
        ) {
            let printed = format_grouped(Decimal::new(m, places), places, true);
            let n = PrintedNumber::parse(&format!("{printed}{suffix} t")).unwrap();
            // x = value + half_unit × j/100 (exactly on a bound at j = ±100), nudged by 1e-12.
            let x = n.value + n.half_unit * Decimal::new(j, 2) + Decimal::new(nudge, 12);
            prop_assert_eq!(n.contains(x), n.round_like(x) == n.value, "{} {}", printed, x);
            prop_assert_eq!(n.lower().is_some_and(|l| l < n.value) && n.upper().is_some_and(|u| n.value < u), true);
        }

        #[test]
        fn grid_agrees_with_round_half_away(d in decimal(18, 10), places in 0u32..=12) {
            let expected = round_half_away(d, places);
            let n = PrintedNumber { places, ..p("1") };
            prop_assert_eq!(n.round_like(d), expected);
            let formatted = format_grouped(d, places, false);
            let shown = expected.to_string();
            if expected.scale() == places {
                prop_assert_eq!(formatted, shown);
            } else {
                // Too many digits to pad the Decimal itself: the text carries the trailing zeros.
                let rest = formatted.strip_prefix(shown.as_str()).unwrap_or("x");
                prop_assert!(rest.trim_start_matches(['.', '0']).is_empty(), "{} {}", formatted, shown);
            }
        }

        #[test]
        fn parse_never_panics(s in "[ \\-+−0-9,.万亿a-zE%１，．]{0,40}") {
            if let Ok(n) = PrintedNumber::parse(&s) {
                let _ = (n.lower(), n.upper(), n.contains(n.value), n.round_like(n.value), n.render_like(n.value));
                prop_assert!(n.contains(n.value));
            }
        }

        #[test]
        fn parse_never_panics_any(s in any::<String>()) {
            let _ = PrintedNumber::parse(&s).map(|n| n.render_like(n.value));
        }

        #[test]
        fn methods_never_panic_on_extremes(
            v in decimal(28, 0),
            places in 0u32..=40,
            mult in prop::sample::select(vec![dec!(1), dec!(10000), dec!(100000000), dec!(0), dec!(-3), dec!(0.001), Decimal::MAX]),
            x in prop::sample::select(vec![Decimal::MAX, Decimal::MIN, dec!(0), Decimal::new(1, 28), Decimal::new(-5, 28)]),
        ) {
            let n = PrintedNumber {
                text: "x".to_string(),
                value: v,
                places,
                multiplier: mult,
                half_unit: Decimal::MAX,
                unit: String::new(),
            };
            let _ = (n.lower(), n.upper(), n.contains(x), n.round_like(x), n.render_like(x), n.grouped());
            let _ = (format_grouped(x, places, true), round_half_away(x, places));
        }
    }
}
