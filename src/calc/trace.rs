//! The trace of one figure: the lines that sum to it, or the figures it is derived from.

use rust_decimal::Decimal;
use serde::Serialize;

use super::{Computation, Figure, Line};
use crate::error::Error;
use crate::figure::{self, FigureId};
use crate::inventory::Inventory;

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

/// The trace of `id` in the computation of `inv`: as [`trace`], with the denominator of an intensity written out
/// as the inventory states it (`total.market / output (12,000 t)`).
pub fn trace_in<'a>(c: &'a Computation, inv: &Inventory, id: &str) -> Result<Option<Trace<'a>>, Error> {
    let name = FigureId::new(id).ratio().map(|(_, name)| name);
    let text = name
        .and_then(|n| inv.denominator(n))
        .map(|d| format!(" ({} {})", crate::report::full(d.quantity.value), d.quantity.unit.symbol()));
    trace(c, id, text)
}

/// The trace of `id` in a computation (which must have kept its lines), or None if no such figure; an error when
/// the sum of its lines overflows 28 significant digits (never a sum of 0). `denominator_text` follows the
/// denominator's name in an intensity's formula (" (92495.53 million CNY)").
pub fn trace<'a>(c: &'a Computation, id: &str, denominator_text: Option<String>) -> Result<Option<Trace<'a>>, Error> {
    let Some(figure) = c.figures.get(id) else { return Ok(None) };
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
    } else if let Some((numerator, name)) = fid.ratio() {
        (
            format!("{numerator} / {name}{}", denominator_text.unwrap_or_default()),
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
    let lines_sum =
        sum.to_decimal().ok_or_else(|| Error::overflow(format!("the sum of the {} lines of {id}", lines.len())))?;
    Ok(Some(Trace { id: id.to_string(), figure, formula, parts, lines, lines_sum }))
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::{FactorLibrary, Inventory};

    fn hikvision() -> Computation {
        let lib = FactorLibrary::builtin().expect("the built-in factor files are valid");
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/hikvision-2024");
        let inv = Inventory::load(&dir.join("inventory.toml")).expect("the example inventory is valid");
        super::super::compute(&inv, &lib, super::super::ComputeOptions::default()).expect("it computes")
    }

    fn ids<'a>(t: &'a Trace) -> Vec<&'a str> {
        t.parts.iter().map(|(id, _)| id.as_str()).collect()
    }

    #[test]
    fn a_total_is_traced_to_its_parts_and_their_lines() {
        let c = hikvision();
        let t = trace(&c, "total.market", None).expect("no overflow").expect("total.market is computed");
        assert_eq!(t.formula, "scope1 + scope2.market");
        assert_eq!(ids(&t), ["scope1", "scope2.market"]);
        assert!(t.lines.iter().any(|l| l.figure == "scope2.market"));
        assert!(t.lines.iter().all(|l| l.figure == "scope2.market" || l.figure.starts_with("scope1.")));
        assert_eq!(t.lines_sum, t.figure.value);
        assert_eq!(t.figure.value, c.figures["scope1"].value + c.figures["scope2.market"].value);

        let t = trace(&c, "energy.total", None).expect("no overflow").expect("energy.total is computed");
        assert_eq!(t.formula, "energy.direct + energy.indirect");
        assert_eq!(ids(&t), ["energy.direct", "energy.indirect"]);
        assert_eq!(t.lines_sum, t.figure.value);
    }

    #[test]
    fn scope1_lists_its_activities_in_report_order_and_an_intensity_its_numerator() {
        let c = hikvision();
        let t = trace(&c, "scope1", None).expect("no overflow").expect("scope1 is computed");
        assert_eq!(t.formula, "sum of scope1.<activity> lines");
        // Report order (gasoline, diesel, natural gas), not alphabetical order.
        assert_eq!(ids(&t), ["scope1.gasoline", "scope1.diesel", "scope1.natural_gas"]);
        assert_eq!(t.lines.len(), 3);

        let t = trace(&c, "intensity.energy", Some(" (92495.53 million CNY)".into()))
            .expect("no overflow")
            .expect("computed");
        assert_eq!(t.formula, "energy.total / revenue (92495.53 million CNY)");
        assert_eq!(ids(&t), ["energy.total"]);
        let energy = trace(&c, "energy.total", None).expect("no overflow").expect("computed");
        assert_eq!(t.lines.len(), energy.lines.len());
        assert_eq!(t.lines_sum, c.figures["energy.total"].value);

        let t = trace(&c, "scope2.location", None).expect("no overflow").expect("computed");
        assert_eq!(t.formula, "sum of lines");
        assert!(t.parts.is_empty());
        assert!(t.lines.iter().all(|l| l.figure == "scope2.location"));
        assert!(trace(&c, "scope9", None).expect("no overflow").is_none());
    }

    #[test]
    fn a_sum_of_lines_that_overflows_is_an_error_not_0() {
        let mut c = hikvision();
        let mut big = c.lines.iter().find(|l| l.figure == "scope2.location").expect("a grid line").clone();
        big.value = Decimal::MAX;
        c.lines.push(big.clone());
        c.lines.push(big);
        let n = c.lines.iter().filter(|l| l.figure == "scope2.location").count();
        let e = trace(&c, "scope2.location", None).map(|_| ()).expect_err("MAX + MAX does not fit");
        assert_eq!(e.kind, crate::error::ErrorKind::Overflow);
        assert_eq!(e.message, format!("the sum of the {n} lines of scope2.location overflows 28 significant digits"));
    }
}
