//! Gross and net calorific value: which heating value an energy quantity of a fuel is stated on.
//!
//! An energy unit may say it (`kWh(gross)`, `kWh (Gross CV)`, `MMBtu(HHV)`, `GJ(net)`, `GJ(NCV)`); a plain `kWh`
//! states nothing. The two are not convertible by units alone (the ratio depends on the fuel: about 0.90 for natural
//! gas, 0.95 for oils), so [`convert`](super::convert) refuses gross to net and the calculation compares a row's basis
//! with its factor's.

use super::*;

/// Gross (higher) or net (lower) calorific value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum CvBasis {
    /// Gross (higher) heating value, the latent heat of the water formed included (UK DESNZ per kWh of gas, US EPA
    /// heat contents).
    Gross,
    /// Net (lower) heating value (IPCC, China's guidelines).
    Net,
}

impl CvBasis {
    /// "gross" or "net".
    pub fn name(self) -> &'static str {
        match self {
            CvBasis::Gross => "gross",
            CvBasis::Net => "net",
        }
    }
}

impl fmt::Display for CvBasis {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            CvBasis::Gross => "gross CV",
            CvBasis::Net => "net CV",
        })
    }
}

/// The written suffixes of an energy unit that state its basis (after the unit, with or without a space).
const SUFFIXES: &[(&str, CvBasis)] = &[
    ("(gross)", CvBasis::Gross),
    ("(Gross CV)", CvBasis::Gross),
    ("(gross CV)", CvBasis::Gross),
    ("(GCV)", CvBasis::Gross),
    ("(HHV)", CvBasis::Gross),
    ("(net)", CvBasis::Net),
    ("(Net CV)", CvBasis::Net),
    ("(net CV)", CvBasis::Net),
    ("(NCV)", CvBasis::Net),
    ("(LHV)", CvBasis::Net),
];

/// An energy unit with a stated basis (`kWh(gross)`), or None when `t` has no such suffix or the rest is not an
/// energy unit.
pub(super) fn parse_with_basis(t: &str) -> Option<Unit> {
    let (rest, cv) = SUFFIXES.iter().find_map(|(s, cv)| t.strip_suffix(s).map(|r| (r.trim_end(), *cv)))?;
    let sp = PHYSICAL.iter().chain(OTHER.iter()).find(|sp| sp.text == rest && sp.dim == Dimension::Energy)?;
    Some(Unit {
        symbol: Cow::Owned(format!("{}({})", sp.symbol, cv.name())),
        dim: Dimension::Energy,
        to_base: sp.to_base,
        vref: None,
        cv: Some(cv),
    })
}
