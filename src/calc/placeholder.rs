//! Denominators that look like placeholders: an intensity per them would be no intensity of the organisation.
//!
//! The rule, stated in the README: a denominator is a placeholder when its note says so (it holds one of
//! [`PLACEHOLDER_WORDS`], as the `ghg init` template's "replace with the revenue of the year" does), or when its
//! quantity is exactly 1 (every intensity per it equals its numerator). A round number alone (1000 million CNY) is
//! not taken for one: real revenues are sometimes round.

use super::Warning;
use crate::inventory::Inventory;

/// Words of a note that mark its quantity as a placeholder (compared without regard to case).
pub const PLACEHOLDER_WORDS: &[&str] = &[
    "placeholder",
    "replace",
    "todo",
    "tbd",
    "dummy",
    "example",
    "sample",
    "占位",
    "示例",
    "待填",
    "待定",
    "替换",
    "样例",
];

/// One `placeholder-denominator` warning per denominator that looks like a placeholder, at its place in the
/// inventory.
pub(super) fn warnings(inv: &Inventory) -> Vec<Warning> {
    let mut out = Vec::new();
    for d in &inv.denominators {
        let note = d.note.as_deref().unwrap_or("");
        let lower = note.to_lowercase();
        let said = PLACEHOLDER_WORDS.iter().find(|w| lower.contains(*w));
        let why = match said {
            Some(_) => format!("its note says \"{}\"", note.trim()),
            None if d.quantity.value == rust_decimal::Decimal::ONE => {
                "a quantity of 1 makes every intensity per it equal its numerator".to_string()
            }
            None => continue,
        };
        out.push(Warning {
            code: "placeholder-denominator",
            message: format!(
                "denominator {} ({} {}) looks like a placeholder: {why}; the intensities per it are not the \
                 organisation's until the real {} is written",
                d.name,
                crate::report::full(d.quantity.value),
                d.quantity.unit,
                d.name.replace('_', " ")
            ),
            location: Some(d.location.clone()),
        });
    }
    out
}
