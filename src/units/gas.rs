//! Gases and their spellings (`CO2`, `CO2e`, `C`, `HFC-134a`, `R-410A`, ...).
//!
//! The gases are open: besides the built-in ones (CO2, CH4, N2O, CO2e, carbon, SF6, NF3, CF4), any gas a factor file
//! names (`gas = "HFC-134a"` in a GWP, emission or activity table) is declared by that file and can then be written
//! in units (`kgHFC-134a/t`) and ledgers. A declared gas is interned once for the life of the process (its name is
//! kept; at most [`MAX_DECLARED`] names), so that `Gas` stays a small `Copy` value.

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

use super::*;

/// A greenhouse gas (or carbon, or CO2-equivalent) whose mass an emission unit measures, by its symbol.
///
/// The built-in gases are associated constants (`Gas::CO2`) and can be used in `match` patterns; any other gas is
/// declared by factor data ([`Gas::declare`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Gas(&'static str);

/// Written forms of the built-in gases (canonical case). `Gas::from_str` compares them case-insensitively; emission
/// units accept them as written or in all capitals.
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

/// The most gas names factor data may declare in one process (a bound on what hostile files can make us keep).
pub const MAX_DECLARED: usize = 4096;

fn declared() -> &'static Mutex<HashMap<String, &'static str>> {
    static D: OnceLock<Mutex<HashMap<String, &'static str>>> = OnceLock::new();
    D.get_or_init(|| Mutex::new(HashMap::new()))
}

impl Gas {
    /// Carbon dioxide.
    pub const CO2: Gas = Gas("CO2");
    /// Methane.
    pub const CH4: Gas = Gas("CH4");
    /// Nitrous oxide.
    pub const N2O: Gas = Gas("N2O");
    /// Carbon dioxide equivalent (several gases weighted by GWP).
    #[allow(non_upper_case_globals)]
    pub const CO2e: Gas = Gas("CO2e");
    /// Carbon (mass of C, e.g. carbon content factors in tC/TJ).
    pub const C: Gas = Gas("C");
    /// Sulphur hexafluoride.
    pub const SF6: Gas = Gas("SF6");
    /// Nitrogen trifluoride.
    pub const NF3: Gas = Gas("NF3");
    /// Tetrafluoromethane (PFC-14).
    pub const CF4: Gas = Gas("CF4");

    /// The built-in gases, in report order.
    pub const ALL: [Gas; 8] = [Gas::CO2, Gas::CH4, Gas::N2O, Gas::CO2e, Gas::C, Gas::SF6, Gas::NF3, Gas::CF4];

    /// The canonical symbol: "CO2", "CH4", "N2O", "CO2e", "C", "SF6", "NF3", "CF4", or a declared gas's name.
    pub fn symbol(self) -> &'static str {
        self.0
    }

    /// Whether this is one of the built-in gases.
    pub fn is_builtin(self) -> bool {
        Gas::ALL.contains(&self)
    }

    /// Spellings of the built-in gases accepted by `Gas::from_str` (compared case-insensitively).
    pub fn accepted_spellings() -> Vec<&'static str> {
        GAS_FORMS.iter().map(|(s, _)| *s).collect()
    }

    /// Whether `name` can name a gas: an ASCII letter (or `c-` for a cyclic compound, as in `c-C4F8`), then ASCII
    /// letters, digits, `-` and `.`; at most 32 characters. (`HFC-134a`, `R-410A`, `HCFC-22`, `c-C4F8`.)
    pub fn is_valid_name(name: &str) -> bool {
        let body = name.strip_prefix("c-").unwrap_or(name);
        name.len() <= 32
            && body.chars().next().is_some_and(|c| c.is_ascii_uppercase())
            && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.')
    }

    /// The gas of this name, declaring it if it is new: a built-in gas (any accepted spelling), a gas declared
    /// before (compared case-insensitively; the first spelling declared is the symbol), or a new name (see
    /// [`Gas::is_valid_name`]). Fails with the reason for a name that cannot be a gas, or when factor data has
    /// declared [`MAX_DECLARED`] gases already.
    pub fn declare(name: &str) -> Result<Gas, String> {
        let t = name.trim();
        if let Ok(g) = t.parse::<Gas>() {
            return Ok(g);
        }
        if !Gas::is_valid_name(t) {
            return Err(format!(
                "\"{t}\" cannot name a gas: a gas is named by a capital letter, then letters, digits, '-' and '.' \
                 (HFC-134a, R-410A, c-C4F8), at most 32 characters"
            ));
        }
        let mut d = declared().lock().unwrap_or_else(|p| p.into_inner());
        if let Some(s) = d.get(&t.to_ascii_lowercase()) {
            return Ok(Gas(s));
        }
        if d.len() >= MAX_DECLARED {
            return Err(format!("\"{t}\" is one gas too many: factor data may declare at most {MAX_DECLARED} gases"));
        }
        let s: &'static str = Box::leak(t.to_string().into_boxed_str());
        d.insert(t.to_ascii_lowercase(), s);
        Ok(Gas(s))
    }

    /// A gas declared before (or built in), by name, without declaring it.
    fn known(name: &str) -> Option<Gas> {
        let lower = name.to_lowercase();
        if let Some((_, g)) = GAS_FORMS.iter().find(|(form, _)| form.to_lowercase() == lower) {
            return Some(*g);
        }
        declared().lock().unwrap_or_else(|p| p.into_inner()).get(&lower).map(|s| Gas(s))
    }

    /// Position in report order: the built-in gases first, in their order.
    fn rank(self) -> usize {
        Gas::ALL.iter().position(|g| *g == self).unwrap_or(Gas::ALL.len())
    }
}

impl PartialOrd for Gas {
    fn partial_cmp(&self, other: &Gas) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Gas {
    /// Built-in gases in their order (CO2, CH4, N2O, CO2e, ...), then declared gases by name.
    fn cmp(&self, other: &Gas) -> std::cmp::Ordering {
        (self.rank(), self.0).cmp(&(other.rank(), other.0))
    }
}

impl serde::Serialize for Gas {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.0)
    }
}

/// Gas of an emission-unit suffix: a built-in written form exactly or in all capitals, or a declared gas's name as
/// written.
pub(super) fn gas_from_suffix(s: &str) -> Option<Gas> {
    if let Some((_, g)) = GAS_FORMS.iter().find(|(form, _)| s == *form || s == form.to_uppercase()) {
        return Some(*g);
    }
    if !Gas::is_valid_name(s) {
        return None;
    }
    Gas::known(s).filter(|g| g.0 == s)
}

impl fmt::Display for Gas {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.symbol())
    }
}

impl FromStr for Gas {
    type Err = UnitError;

    /// Case-insensitive; accepts "CO2", "CO2e", "CO2eq", "CO₂", "CO₂e", "CH4", "N2O", "C", ..., and any gas factor
    /// data has declared ("HFC-134a").
    fn from_str(s: &str) -> Result<Gas, UnitError> {
        let t = s.trim();
        Gas::known(t).ok_or_else(|| UnitError::UnknownGas { input: t.to_string(), accepted: Gas::accepted_spellings() })
    }
}

impl<'de> serde::Deserialize<'de> for Gas {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Gas, D::Error> {
        let s = <Cow<'de, str> as serde::Deserialize>::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}
