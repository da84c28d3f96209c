//! Units: a dimension and an exact factor to its base unit; parsing and exact conversion.

use super::*;

/// A unit of measure: a dimension and an exact factor to the dimension's base unit.
///
/// Equality compares dimension, factor and a gas volume's reference conditions ("t" == "吨" ==
/// "tonne", "kL" == "m3" and "Nm3" == "标准立方米", but "Nm3" != "Sm3" != "m3").
/// Serialises as its canonical symbol; deserialises through [`Unit::parse`].
#[derive(Clone, Debug)]
pub struct Unit {
    pub(super) symbol: Cow<'static, str>,
    pub(super) dim: Dimension,
    pub(super) to_base: Decimal,
    pub(super) vref: Option<VolumeRef>,
    pub(super) cv: Option<CvBasis>,
}

impl PartialEq for Unit {
    fn eq(&self, other: &Unit) -> bool {
        self.dim == other.dim && self.to_base == other.to_base && self.vref == other.vref && self.cv == other.cv
    }
}

impl Eq for Unit {}

impl Unit {
    /// Parses a unit spelling (surrounding whitespace trimmed, otherwise exact and
    /// case-sensitive). Emission units are `<g|kg|t|Gg|kt|Mt|吨|千克|公斤|克|万吨><gas>` with an
    /// optional space, the gas as written ("CO2e", "CO2eq", "CO₂e", ...) or in capitals.
    pub fn parse(s: &str) -> Result<Unit, UnitError> {
        let t = s.trim();
        if let Some(sp) = PHYSICAL.iter().chain(OTHER.iter()).find(|sp| sp.text == t) {
            return Ok(Unit {
                symbol: Cow::Borrowed(sp.symbol),
                dim: sp.dim,
                to_base: sp.to_base,
                vref: sp.vref,
                cv: None,
            });
        }
        if let Some(u) = parse_emission(t) {
            return Ok(u);
        }
        if let Some(u) = cv::parse_with_basis(t) {
            return Ok(u);
        }
        Err(UnitError::Unknown { input: t.to_string(), accepted: Unit::accepted_spellings(None) })
    }

    /// The canonical symbol, e.g. "t", "10^4 m3", "MWh", "tce", "tCO2e", "million CNY", "%".
    pub fn symbol(&self) -> &str {
        &self.symbol
    }

    /// What this unit measures.
    pub fn dimension(&self) -> Dimension {
        self.dim
    }

    /// The exact factor from this unit to its dimension's base unit (1 kWh -> 3.6 MJ gives 3.6).
    pub fn to_base(&self) -> Decimal {
        self.to_base
    }

    /// The reference conditions a gas volume is stated at: `Normal` for `Nm3`, `Standard15` for
    /// `Sm3`, `Standard20` for `m3(20C)`, `Scf60F` for `scf`, `Mcf`, `MMcf`, `ccf`; `None` for every
    /// other unit, including plain `m3`, `L`, `gal`, `bbl` and `ft3` (a liquid volume, or a gas volume
    /// whose conditions are not stated).
    pub fn volume_ref(&self) -> Option<VolumeRef> {
        self.vref
    }

    /// The calorific basis an energy unit states (`kWh(gross)`), if any.
    pub fn cv(&self) -> Option<CvBasis> {
        self.cv
    }

    /// The same energy unit on a stated calorific basis (energy reached through a gross or a net heating value);
    /// other units are returned as they are.
    pub fn with_cv(mut self, cv: Option<CvBasis>) -> Unit {
        if self.dim == Dimension::Energy && cv.is_some() {
            self.cv = cv;
        }
        self
    }

    /// The base unit of a dimension: t, m3, MJ, tce, t of the gas, 1 unit of the currency, km,
    /// passenger-km, tonne-km, count, m2, 1.
    pub fn base(dim: Dimension) -> Unit {
        let symbol: Cow<'static, str> = match dim {
            Dimension::Mass => Cow::Borrowed("t"),
            Dimension::Volume => Cow::Borrowed("m3"),
            Dimension::Energy => Cow::Borrowed("MJ"),
            Dimension::StandardCoal => Cow::Borrowed("tce"),
            Dimension::Emission(g) => EMISSION_ROWS
                .iter()
                .flatten()
                .find(|r| r.gas == g && r.prefix == "t")
                .map(|r| Cow::Borrowed(r.text))
                .unwrap_or_else(|| Cow::Owned(format!("t{g}"))),
            Dimension::Money(c) => Cow::Borrowed(c.code()),
            Dimension::Distance => Cow::Borrowed("km"),
            Dimension::PassengerDistance => Cow::Borrowed("passenger-km"),
            Dimension::FreightDistance => Cow::Borrowed("tonne-km"),
            Dimension::Count => Cow::Borrowed("count"),
            Dimension::Area => Cow::Borrowed("m2"),
            Dimension::Ratio => Cow::Borrowed("1"),
        };
        Unit { symbol, dim, to_base: Decimal::ONE, vref: None, cv: None }
    }

    /// Every accepted spelling (of one dimension, or of all with `None`), for error messages.
    /// Emission units also accept the variants described at [`Unit::parse`].
    pub fn accepted_spellings(dim: Option<Dimension>) -> Vec<&'static str> {
        all_spellings().filter(|(_, d)| dim.is_none_or(|want| want == *d)).map(|(t, _)| t).collect()
    }

    /// Whether this is its dimension's base unit (factor 1).
    pub fn is_base(&self) -> bool {
        self.to_base == Decimal::ONE
    }

    /// This unit multiplied by `scale`, with the given symbol prefix ("10^4" gives "10^4 m3").
    pub(super) fn scaled(&self, scale: Decimal, prefix: &str) -> Result<Unit, UnitError> {
        let to_base = self
            .to_base
            .checked_mul(scale)
            .ok_or_else(|| UnitError::Overflow { what: format!("scaling unit {} by {scale}", self.symbol) })?;
        Ok(Unit {
            symbol: Cow::Owned(format!("{prefix} {}", self.symbol)),
            dim: self.dim,
            to_base,
            vref: self.vref,
            cv: self.cv,
        })
    }
}

/// The flexible emission-unit reader (ASCII mass prefixes, Chinese aliases, gas variants).
pub(super) fn parse_emission(t: &str) -> Option<Unit> {
    // Pounds of a gas (US eGRID and EPA factors: lb CO2/MWh): 1 lb = 0.45359237 kg exactly.
    if let Some(rest) = t.strip_prefix("lb")
        && let Some(gas) = gas_from_suffix(rest.trim_start())
    {
        return Some(Unit {
            symbol: Cow::Owned(format!("lb{gas}")),
            dim: Dimension::Emission(gas),
            to_base: dec!(0.00045359237),
            vref: None,
            cv: None,
        });
    }
    let direct = EMISSION_ROWS[0].iter().map(|r| (r.prefix, r.prefix, Decimal::ONE, ""));
    let aliases = EMISSION_PREFIX_ALIASES.iter().copied();
    for (written, row_prefix, scale, sym_prefix) in direct.chain(aliases) {
        let Some(rest) = t.strip_prefix(written) else {
            continue;
        };
        let Some(gas) = gas_from_suffix(rest.trim_start()) else {
            continue;
        };
        // A built-in gas has a row; a declared gas takes the scale of the same prefix (the CO2 row's).
        let row = EMISSION_ROWS.iter().flatten().find(|r| r.gas == gas && r.prefix == row_prefix);
        let Some(prefix_row) = row.or_else(|| EMISSION_ROWS[0].iter().find(|r| r.prefix == row_prefix)) else {
            continue;
        };
        let Some(to_base) = prefix_row.to_base.checked_mul(scale) else {
            continue;
        };
        let text: Cow<'static, str> = match row {
            Some(r) => Cow::Borrowed(r.text),
            None => Cow::Owned(format!("{row_prefix}{gas}")),
        };
        let symbol = if sym_prefix.is_empty() { text } else { Cow::Owned(format!("{sym_prefix}{text}")) };
        return Some(Unit { symbol, dim: Dimension::Emission(gas), to_base, vref: None, cv: None });
    }
    None
}

impl fmt::Display for Unit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.symbol)
    }
}

impl FromStr for Unit {
    type Err = UnitError;

    fn from_str(s: &str) -> Result<Unit, UnitError> {
        Unit::parse(s)
    }
}

impl serde::Serialize for Unit {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.symbol())
    }
}

impl<'de> serde::Deserialize<'de> for Unit {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Unit, D::Error> {
        let s = <Cow<'de, str> as serde::Deserialize>::deserialize(d)?;
        Unit::parse(&s).map_err(serde::de::Error::custom)
    }
}

pub(super) fn mismatch(from: &Unit, to: &Unit) -> UnitError {
    UnitError::DimensionMismatch {
        from: from.symbol().to_string(),
        from_dim: from.dim,
        to: to.symbol().to_string(),
        to_dim: to.dim,
    }
}

/// Converts `value` from one unit to another of the same dimension:
/// `value * from.to_base / to.to_base` (multiplication first, the division last).
///
/// Between two gas volumes that both state their reference conditions the ideal-gas ratio of
/// [`reference_ratio`] joins in: `value * from.to_base * num / (to.to_base * den)`, still one
/// division (1000 Nm3 is 1000 x 288.15 / 273.15 Sm3). A volume that states its reference and one
/// that does not (`Nm3` and `m3`) convert by their factors only; whether that is acceptable is for
/// the calculation to decide ([`Unit::volume_ref`]).
pub fn convert(value: Decimal, from: &Unit, to: &Unit) -> Result<Decimal, UnitError> {
    if from.dim != to.dim {
        return Err(mismatch(from, to));
    }
    if let (Some(a), Some(b)) = (from.cv, to.cv)
        && a != b
    {
        return Err(UnitError::CvMismatch { from: from.symbol().to_string(), to: to.symbol().to_string() });
    }
    let overflow = || UnitError::Overflow { what: format!("converting {value} {from} to {to}") };
    let (num, den) = unit_reference_ratio(from, to);
    let numerator = value.checked_mul(from.to_base).and_then(|v| v.checked_mul(num)).ok_or_else(overflow)?;
    let denominator = to.to_base.checked_mul(den).ok_or_else(overflow)?;
    numerator.checked_div(denominator).ok_or_else(overflow)
}
