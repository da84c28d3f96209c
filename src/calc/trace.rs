//! The trace of one figure: the lines that sum to it, or the figures it is derived from.

use rust_decimal::Decimal;
use serde::Serialize;

use super::{Computation, Figure, Line};
use crate::figure::{self, FigureId};

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

/// The trace of `id` in a computation (which must have kept its lines), or None if no such figure.
pub fn trace<'a>(c: &'a Computation, id: &str, revenue_text: Option<String>) -> Option<Trace<'a>> {
    let figure = c.figures.get(id)?;
    let part = |p: FigureId| c.figures.get(p.as_str()).map(|f| (p.to_string(), f));
    let fid = FigureId::new(id);
    // `basis`: the figure whose lines are listed (an intensity lists the lines of its numerator).
    let (formula, mut parts, basis): (String, Vec<(String, &Figure)>, FigureId) = if fid == figure::SCOPE1 {
        (
            format!("sum of {}<activity> lines", figure::SCOPE1_PREFIX),
            c.figures.iter().filter(|(k, _)| FigureId::new(k).is_scope1_part()).map(|(k, f)| (k.clone(), f)).collect(),
            fid,
        )
    } else if let Some(summands) = fid.summands() {
        let formula = summands.iter().map(|p| p.as_str()).collect::<Vec<_>>().join(" + ");
        (formula, summands.iter().filter_map(|p| part(*p)).collect(), fid)
    } else if let Some(numerator) = fid.per_revenue_of() {
        (
            format!("{numerator} / revenue{}", revenue_text.unwrap_or_default()),
            part(numerator).into_iter().collect(),
            numerator,
        )
    } else {
        ("sum of lines".into(), Vec::new(), fid)
    };
    parts.sort_by(|(a, _), (b, _)| figure::order_key(a).cmp(&figure::order_key(b)));
    let lines: Vec<&Line> = c.lines.iter().filter(|l| basis.gathers_line(&l.figure)).collect();
    // Summed exactly, as the figures are (see exact.rs), so a summed figure equals its lines' sum to the last digit.
    let mut sum = super::Exact::ZERO;
    for l in &lines {
        sum.add(l.value);
    }
    let lines_sum = sum.to_decimal().unwrap_or_default();
    Some(Trace { id: id.to_string(), figure, formula, parts, lines, lines_sum })
}
