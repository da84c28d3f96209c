//! Text renderings for people: the compute table (also as Markdown and CSV) and the explain trace.

use std::fmt::Write;

use super::{Format, csv_text, fmt_dec, full};
use crate::calc::{Computation, Trace};

use super::{lpad, pad};

/// Render `ghg compute` as table, CSV or Markdown (JSON is [`super::computation_json`]).
pub fn render_compute(c: &Computation, format: Format, places: u32) -> String {
    let mut o = String::new();
    let ids = c.ordered_ids();
    let p = &c.provenance;
    match format {
        Format::Csv => {
            o.push_str("figure,value,unit,display\n");
            for id in ids {
                let f = &c.figures[id];
                let _ = writeln!(
                    o,
                    "{},{},{},\"{}\"",
                    csv_text(id),
                    full(f.value),
                    csv_text(&f.unit),
                    fmt_dec(f.value, places)
                );
            }
            o.push_str(&super::scope2_csv_rows(c, places));
            return o;
        }
        Format::Markdown => {
            let _ = writeln!(o, "# {} — {}\n", c.organisation, c.year);
            let _ = writeln!(o, "| figure | value | unit |\n|---|---:|---|");
            for id in &ids {
                let f = &c.figures[*id];
                let _ = writeln!(o, "| `{id}` | {} | {} |", fmt_dec(f.value, places), f.unit);
            }
            let _ = writeln!(
                o,
                "\nValues rounded half away from zero to {places} places; full precision in `--format json`.\n"
            );
            o.push_str(&super::render_scope2(c, places, true));
        }
        Format::Table | Format::Json => {
            let _ = writeln!(o, "{} — {}", c.organisation, c.year);
            let w = ids.iter().map(|s| s.len()).max().unwrap_or(6).max(6);
            let vals: Vec<String> = ids.iter().map(|id| fmt_dec(c.figures[*id].value, places)).collect();
            let vw = vals.iter().map(|s| s.len()).max().unwrap_or(5).max(5);
            let _ = writeln!(o, "{}  {}  unit", pad("figure", w), lpad("value", vw));
            for (id, v) in ids.iter().zip(&vals) {
                let _ = writeln!(o, "{}  {}  {}", pad(id, w), lpad(v, vw), c.figures[*id].unit);
            }
            o.push('\n');
            o.push_str(&super::render_scope2(c, places, false));
        }
    }
    let md = format == Format::Markdown;
    let head = |o: &mut String, t: &str| {
        if md {
            let _ = writeln!(o, "## {t}\n");
        } else {
            let _ = writeln!(o, "{t}:");
        }
    };
    let item = if md { "- " } else { "  " };
    let _ = writeln!(o, "rows: {} read, {} used, {} rejected", p.rows.read, p.rows.used, p.rows.rejected);
    if md {
        o.push('\n');
    }
    if !c.fallbacks.is_empty() {
        head(&mut o, "fallbacks");
        for f in &c.fallbacks {
            let _ = writeln!(
                o,
                "{item}{} {} for {}: {} used for {} ({} row{}, first {})",
                f.kind,
                f.choice,
                f.activity,
                f.factor,
                if f.kind == "year" {
                    format!("year {} (valid for {})", f.wanted, f.used)
                } else {
                    format!("region {} (factor of {})", f.wanted, f.used)
                },
                f.rows,
                if f.rows == 1 { "" } else { "s" },
                f.first_row
            );
        }
        if md {
            o.push('\n');
        }
    }
    if !c.warnings.is_empty() {
        head(&mut o, "warnings");
        for w in &c.warnings {
            let loc = w.location.as_ref().map(|l| format!("{l}: ")).unwrap_or_default();
            let _ = writeln!(o, "{item}[{}] {loc}{}", w.code, w.message);
        }
        if md {
            o.push('\n');
        }
    }
    if !c.rejected.is_empty() {
        head(&mut o, "rejected rows");
        for e in &c.rejected {
            let _ = writeln!(o, "{item}{e}");
        }
        if md {
            o.push('\n');
        }
    }
    head(&mut o, "provenance");
    let _ = writeln!(o, "{item}{}", p.tool);
    let _ = writeln!(o, "{item}inventory {} sha256 {}", p.inventory.path.display(), p.inventory.sha256);
    for f in &p.inputs {
        let _ = writeln!(o, "{item}input {} sha256 {}", f.path.display(), f.sha256);
    }
    for f in &p.factor_files {
        let _ = writeln!(o, "{item}factors {} sha256 {}", f.path.display(), f.sha256);
    }
    o
}

/// Render the trace of one figure for people.
pub fn render_explain(t: &Trace<'_>, places: u32) -> String {
    let mut o = String::new();
    let _ = writeln!(
        o,
        "{} = {} {}  (full precision {})",
        t.id,
        fmt_dec(t.figure.value, places),
        t.figure.unit,
        full(t.figure.value)
    );
    let _ = writeln!(o, "formula: {}", t.formula);
    for (id, f) in &t.parts {
        let _ = writeln!(o, "  {id} = {} {}", fmt_dec(f.value, places), f.unit);
    }
    let _ = writeln!(o, "lines ({}):", t.lines.len());
    for l in &t.lines {
        let gas = l.gas.map(|g| format!(" {g}")).unwrap_or_default();
        let _ = writeln!(
            o,
            "  {}  {} {} {}{gas}: {} {} -> {} = {} {}",
            l.source,
            l.entity,
            l.period,
            l.activity,
            full(l.quantity),
            l.unit,
            l.figure,
            fmt_dec(l.value, places),
            l.value_unit
        );
        let _ = writeln!(o, "      formula: {}", l.formula);
        for f in l.factors.iter() {
            let _ = writeln!(
                o,
                "      factor {} = {} {} ({}; confidence {})",
                f.reference,
                full(f.value),
                f.unit,
                f.form,
                f.confidence
            );
            let _ = writeln!(o, "        citation: {}", f.citation);
        }
        let _ = writeln!(o, "      value (full precision): {}", full(l.value));
    }
    if t.formula.starts_with("sum") || t.formula.contains('+') {
        let _ = writeln!(
            o,
            "sum of lines = {} {}{}",
            full(t.lines_sum),
            t.figure.unit,
            if t.lines_sum == t.figure.value { " (equals the figure)" } else { "" }
        );
    }
    o
}
