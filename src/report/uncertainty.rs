//! The uncertainty of the figures, in every text format: a section of the table and Markdown, rows of the CSV, an
//! object under each figure in JSON and a line of `explain`.

use std::fmt::Write;

use serde_json::{Value, json};

use super::{csv_cell, csv_row, fmt_dec, full, md_code, md_text, term_text};
use crate::calc::Computation;
use crate::uncertainty::{Assessment, FigureUncertainty};

fn pct(x: Option<rust_decimal::Decimal>) -> String {
    x.map(|p| format!("{}%", fmt_dec(p, 2))).unwrap_or_else(|| "-".into())
}

/// `-a% / +b%` of a figure; for a figure of 0, its half-widths in its unit (`-0 / +0` when exact).
fn spread(u: &FigureUncertainty, value: rust_decimal::Decimal, places: u32) -> String {
    match (u.minus_percent, u.plus_percent) {
        (Some(_), Some(_)) => format!("-{} / +{}", pct(u.minus_percent), pct(u.plus_percent)),
        _ => format!("-{} / +{}", fmt_dec(value - u.lower, places), fmt_dec(u.upper - value, places)),
    }
}

/// `figures.<id>.uncertainty` in JSON: the method, the interval at full precision and what it leaves out.
pub fn figure_json(c: &Computation, id: &str) -> Option<Value> {
    let a = c.uncertainty.as_ref()?;
    let u = a.figures.get(id)?;
    let mut v = json!({
        "approach": a.method.name(),
        "confidence": "95%",
        "lower": full(u.lower),
        "upper": full(u.upper),
        "minus_percent": u.minus_percent.map(full),
        "plus_percent": u.plus_percent.map(full),
        "not_covered": u.not_covered,
    });
    if let (crate::uncertainty::Method::Approach2 { seed, draws }, Value::Object(m)) = (a.method, &mut v) {
        m.insert("seed".into(), json!(seed));
        m.insert("draws".into(), json!(draws));
    }
    Some(v)
}

/// The inputs' uncertainties and each figure's 95 % interval, for the table (`md` false) or Markdown; empty when no
/// uncertainty was asked for.
pub fn section(c: &Computation, places: u32, md: bool) -> String {
    let Some(a) = &c.uncertainty else { return String::new() };
    let mut o = String::new();
    let t = |s: &str| if md { md_text(s) } else { term_text(s).into_owned() };
    let head = format!("uncertainty (95 % intervals; {}; central values unchanged)", a.method.describe());
    if md {
        let _ = writeln!(o, "## {head}\n");
        let _ = writeln!(o, "| figure | value | lower | upper | spread | not covered |\n|---|---:|---:|---:|---|---|");
    } else {
        let _ = writeln!(o, "{head}:");
    }
    let ids: Vec<&str> = c.ordered_ids().into_iter().filter(|id| a.figures.contains_key(*id)).collect();
    let w = ids.iter().map(|s| s.len()).max().unwrap_or(6).max(6);
    for id in &ids {
        let (f, u) = (&c.figures[*id], &a.figures[*id]);
        let nc = u.not_covered.join(", ");
        if md {
            let _ = writeln!(
                o,
                "| {} | {} | {} | {} | {} | {} |",
                md_code(id),
                fmt_dec(f.value, places),
                fmt_dec(u.lower, places),
                fmt_dec(u.upper, places),
                spread(u, f.value, places),
                md_text(&nc)
            );
        } else {
            let _ = writeln!(
                o,
                "  {}  {} [{} .. {}] {}  {}{}",
                super::pad(&term_text(id), w),
                fmt_dec(f.value, places),
                fmt_dec(u.lower, places),
                fmt_dec(u.upper, places),
                term_text(&f.unit),
                spread(u, f.value, places),
                if nc.is_empty() { String::new() } else { format!("  (not covered: {})", term_text(&nc)) }
            );
        }
    }
    if md {
        o.push('\n');
    }
    o.push_str(&inputs_list(a, md, &t));
    if md {
        o.push('\n');
    }
    o
}

fn inputs_list(a: &Assessment, md: bool, t: &dyn Fn(&str) -> String) -> String {
    let mut o = String::new();
    let item = if md { "- " } else { "  " };
    let _ = writeln!(o, "uncertain inputs (each ledger row of an activity is an input of its own):");
    if md {
        o.push('\n');
    }
    if a.inputs.is_empty() {
        let _ = writeln!(o, "{item}none: every factor and activity counts as exact");
    }
    for i in &a.inputs {
        let _ = writeln!(
            o,
            "{item}{}: {} (declared at {}){}",
            t(&i.input),
            describe(&i.uncertainty.spread),
            t(&i.declared_at),
            i.uncertainty.source.as_ref().map(|s| format!("; source: {}", t(s))).unwrap_or_default()
        );
    }
    o
}

/// A spread for people: `95 % interval -5% / +5%`, `normal, sd 2%`.
pub fn describe(s: &crate::uncertainty::Spread) -> String {
    use crate::uncertainty::Spread;
    let p = |x: rust_decimal::Decimal| format!("{}%", (x * rust_decimal::Decimal::ONE_HUNDRED).normalize());
    let signed = |x: rust_decimal::Decimal| if x < rust_decimal::Decimal::ZERO { p(x) } else { format!("+{}", p(x)) };
    match *s {
        Spread::Interval { low, high } => format!("95 % interval {} / {}", p(low), signed(high)),
        Spread::Normal { sd } => format!("normal, sd {}", p(sd)),
        Spread::Uniform { low, high } => format!("uniform {} .. {}", p(low), signed(high)),
        Spread::Triangular { low, high } => format!("triangular {} .. {}", p(low), signed(high)),
    }
}

/// Rows of the compute CSV: `<id>.uncertainty.lower` and `.upper` per figure (full precision, then the display).
pub fn csv_rows(c: &Computation, places: u32) -> String {
    let Some(a) = &c.uncertainty else { return String::new() };
    let mut o = String::new();
    for id in c.ordered_ids() {
        let Some(u) = a.figures.get(id) else { continue };
        let unit = &c.figures[id].unit;
        for (end, v) in [("lower", u.lower), ("upper", u.upper)] {
            let row = csv_row(&[&csv_cell(&format!("{id}.uncertainty.{end}")), &full(v), &csv_cell(unit)]);
            let _ = writeln!(o, "{},\"{}\"", row.trim_end(), fmt_dec(v, places));
        }
    }
    o
}

/// The `uncertainty:` line of `ghg explain` for one figure, or None when none was asked for.
pub fn explain_line(a: &Assessment, id: &str, value: rust_decimal::Decimal, unit: &str, places: u32) -> Option<String> {
    let u = a.figures.get(id)?;
    let mut s = format!(
        "uncertainty: 95 % interval [{} .. {}] {unit}, {} ({})",
        fmt_dec(u.lower, places),
        fmt_dec(u.upper, places),
        spread(u, value, places),
        a.method.describe()
    );
    if !u.not_covered.is_empty() {
        let _ = write!(s, "; not covered (counted exact): {}", u.not_covered.join(", "));
    }
    s.push('\n');
    Some(s)
}
