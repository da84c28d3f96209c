//! Gases and their spellings (`CO2`, `CO2e`, `C`, ...).

use super::*;

/// A greenhouse gas (or carbon, or CO2-equivalent) whose mass an emission unit measures.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
pub enum Gas {
    /// Carbon dioxide.
    CO2,
    /// Methane.
    CH4,
    /// Nitrous oxide.
    N2O,
    /// Carbon dioxide equivalent (several gases weighted by GWP).
    CO2e,
    /// Carbon (mass of C, e.g. carbon content factors in tC/TJ).
    C,
    /// Sulphur hexafluoride.
    SF6,
    /// Nitrogen trifluoride.
    NF3,
    /// Tetrafluoromethane.
    CF4,
}

/// Written forms of gas names (canonical case). `Gas::from_str` compares them
/// case-insensitively; emission units accept them as written or in all capitals.
pub(super) const GAS_FORMS: &[(&str, Gas)] = &[
    ("CO2", Gas::CO2),
    ("CO₂", Gas::CO2),
    ("CO2e", Gas::CO2e),
    ("CO2eq", Gas::CO2e),
    ("CO₂e", Gas::CO2e),
    ("CO₂eq", Gas::CO2e),
    ("CH4", Gas::CH4),
    ("N2O", Gas::N2O),
    ("C", Gas::C),
    ("SF6", Gas::SF6),
    ("NF3", Gas::NF3),
    ("CF4", Gas::CF4),
];

impl Gas {
    /// All gases, in declaration order.
    pub const ALL: [Gas; 8] = [Gas::CO2, Gas::CH4, Gas::N2O, Gas::CO2e, Gas::C, Gas::SF6, Gas::NF3, Gas::CF4];

    /// The canonical symbol: "CO2", "CH4", "N2O", "CO2e", "C", "SF6", "NF3", "CF4".
    pub fn symbol(self) -> &'static str {
        match self {
            Gas::CO2 => "CO2",
            Gas::CH4 => "CH4",
            Gas::N2O => "N2O",
            Gas::CO2e => "CO2e",
            Gas::C => "C",
            Gas::SF6 => "SF6",
            Gas::NF3 => "NF3",
            Gas::CF4 => "CF4",
        }
    }

    /// Spellings accepted by `Gas::from_str` (compared case-insensitively).
    pub fn accepted_spellings() -> Vec<&'static str> {
        GAS_FORMS.iter().map(|(s, _)| *s).collect()
    }
}

/// Gas of an emission-unit suffix: a written form exactly, or a written form in all capitals.
pub(super) fn gas_from_suffix(s: &str) -> Option<Gas> {
    GAS_FORMS.iter().find(|(form, _)| s == *form || s == form.to_uppercase()).map(|(_, g)| *g)
}

impl fmt::Display for Gas {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.symbol())
    }
}

impl FromStr for Gas {
    type Err = UnitError;

    /// Case-insensitive; accepts "CO2", "CO2e", "CO2eq", "CO₂", "CO₂e", "CH4", "N2O", "C", ...
    fn from_str(s: &str) -> Result<Gas, UnitError> {
        let t = s.trim();
        let lower = t.to_lowercase();
        GAS_FORMS
            .iter()
            .find(|(form, _)| form.to_lowercase() == lower)
            .map(|(_, g)| *g)
            .ok_or_else(|| UnitError::UnknownGas { input: t.to_string(), accepted: Gas::accepted_spellings() })
    }
}

impl<'de> serde::Deserialize<'de> for Gas {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Gas, D::Error> {
        let s = <Cow<'de, str> as serde::Deserialize>::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}
