//! The trace of one figure: the lines that sum to it, or the figures it is derived from.

use rust_decimal::Decimal;
use serde::Serialize;

use super::{Computation, Figure, Line};

/// The trace of one figure.
#[derive(Debug, Clone, Serialize)]
pub struct Trace<'a> {
    /// The figure id.
    pub id: String,
    /// The figure.
    pub figure: &'a Figure,
    /// How it is formed: "sum of lines", or a formula over other figures.
    pub formula: String,
    /// Figures it is derived from (for totals and intensities).
    pub parts: Vec<(String, &'a Figure)>,
    /// The contributing lines (for totals: the lines of its parts).
    pub lines: Vec<&'a Line>,
    /// Sum of the lines (equals the figure for summed figures).
    pub lines_sum: Decimal,
}

/// Which line figures make up a figure id.
fn line_matches(id: &str, line_figure: &str) -> bool {
    match id {
        "scope1" => line_figure.starts_with("scope1."),
        "total.location" => line_figure.starts_with("scope1.") || line_figure == "scope2.location",
        "total.market" => line_figure.starts_with("scope1.") || line_figure == "scope2.market",
        "energy.total" => line_figure == "energy.direct" || line_figure == "energy.indirect",
        _ => line_figure == id,
    }
}

/// The trace of `id` in a computation (which must have kept its lines), or None if no such figure.
pub fn trace<'a>(c: &'a Computation, id: &str, revenue_text: Option<String>) -> Option<Trace<'a>> {
    let figure = c.figures.get(id)?;
    let part = |p: &str| c.figures.get(p).map(|f| (p.to_string(), f));
    let (formula, parts, basis): (String, Vec<(String, &Figure)>, &str) = match id {
        "scope1" => (
            "sum of scope1.<activity> lines".into(),
            c.figures.iter().filter(|(k, _)| k.starts_with("scope1.")).map(|(k, f)| (k.clone(), f)).collect(),
            id,
        ),
        "total.location" => (
            "scope1 + scope2.location".into(),
            ["scope1", "scope2.location"].iter().filter_map(|p| part(p)).collect(),
            id,
        ),
        "total.market" => {
            ("scope1 + scope2.market".into(), ["scope1", "scope2.market"].iter().filter_map(|p| part(p)).collect(), id)
        }
        "energy.total" => (
            "energy.direct + energy.indirect".into(),
            ["energy.direct", "energy.indirect"].iter().filter_map(|p| part(p)).collect(),
            id,
        ),
        "intensity.total.location" => (
            format!("total.location / revenue{}", revenue_text.clone().unwrap_or_default()),
            part("total.location").into_iter().collect(),
            "total.location",
        ),
        "intensity.total.market" => (
            format!("total.market / revenue{}", revenue_text.clone().unwrap_or_default()),
            part("total.market").into_iter().collect(),
            "total.market",
        ),
        "intensity.energy" => (
            format!("energy.total / revenue{}", revenue_text.unwrap_or_default()),
            part("energy.total").into_iter().collect(),
            "energy.total",
        ),
        _ => ("sum of lines".into(), Vec::new(), id),
    };
    let mut parts = parts;
    parts.sort_by_key(|(id, _)| super::figure_order(id));
    let lines: Vec<&Line> = c.lines.iter().filter(|l| line_matches(basis, &l.figure)).collect();
    let lines_sum = lines.iter().map(|l| l.value).sum();
    Some(Trace { id: id.to_string(), figure, formula, parts, lines, lines_sum })
}
