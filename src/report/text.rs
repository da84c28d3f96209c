//! Text renderings for people: the compute table (also as Markdown and CSV) and the explain trace.

use std::fmt::Write;

use super::{Format, csv_cell, csv_row, fmt_dec, full, md_code, md_text, term_lines, term_text};
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
                let (value, display) = (full(f.value), fmt_dec(f.value, places));
                // The display column stays quoted as it always was (it holds thousands separators).
                let row = csv_row(&[&csv_cell(id), &value, &csv_cell(&f.unit)]);
                let _ = writeln!(o, "{},\"{display}\"", row.trim_end());
            }
            o.push_str(&super::scope2_csv_rows(c, places));
            return o;
        }
        Format::Markdown => {
            let _ = writeln!(o, "# {} — {}\n", md_text(&c.organisation), c.year);
            if let Some(b) = &c.boundary {
                let _ = writeln!(o, "Boundary: {}\n", md_text(b));
            }
            let _ = writeln!(o, "| figure | value | unit |\n|---|---:|---|");
            for id in &ids {
                let f = &c.figures[*id];
                let _ = writeln!(o, "| {} | {} | {} |", md_code(id), fmt_dec(f.value, places), md_text(&f.unit));
            }
            let _ = writeln!(
                o,
                "\nValues rounded half away from zero to {places} places; full precision in `--format json`.\n"
            );
            o.push_str(&basis_notes(c, true));
            o.push_str(&super::render_scope2(c, places, true));
        }
        Format::Table | Format::Json => {
            let _ = writeln!(o, "{} — {}", term_text(&c.organisation), c.year);
            if let Some(b) = &c.boundary {
                let _ = writeln!(o, "boundary: {}", term_text(b));
            }
            let w = ids.iter().map(|s| s.len()).max().unwrap_or(6).max(6);
            let vals: Vec<String> = ids.iter().map(|id| fmt_dec(c.figures[*id].value, places)).collect();
            let vw = vals.iter().map(|s| s.len()).max().unwrap_or(5).max(5);
            let _ = writeln!(o, "{}  {}  unit", pad("figure", w), lpad("value", vw));
            for (id, v) in ids.iter().zip(&vals) {
                let _ = writeln!(o, "{}  {}  {}", pad(&term_text(id), w), lpad(v, vw), term_text(&c.figures[*id].unit));
            }
            o.push('\n');
            o.push_str(&basis_notes(c, false));
            o.push_str(&super::render_scope2(c, places, false));
        }
    }
    let md = format == Format::Markdown;
    o.push_str(&super::uncertainty::section(c, places, md));
    let head = |o: &mut String, t: &str| {
        if md {
            let _ = writeln!(o, "## {t}\n");
        } else {
            let _ = writeln!(o, "{t}:");
        }
    };
    let item = if md { "- " } else { "  " };
    // User text (entity names, paths, messages quoting ledger fields) as Markdown text or terminal text.
    let t = |s: &str| if md { md_text(s) } else { term_text(s).into_owned() };
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
                t(&f.factor.to_string()),
                if f.kind == "year" {
                    format!("year {} (valid for {})", t(&f.wanted.to_string()), t(&f.used.to_string()))
                } else {
                    format!("region {} (factor of {})", t(&f.wanted.to_string()), t(&f.used.to_string()))
                },
                f.rows,
                if f.rows == 1 { "" } else { "s" },
                t(&f.first_row.to_string())
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
            let _ = writeln!(o, "{item}[{}] {}", w.code, t(&format!("{loc}{}", w.message)));
        }
        if md {
            o.push('\n');
        }
    }
    if !c.rejected.is_empty() {
        head(&mut o, "rejected rows");
        for e in &c.rejected {
            let _ = writeln!(o, "{item}{}", t(&e.to_string()));
        }
        if md {
            o.push('\n');
        }
    }
    head(&mut o, "provenance");
    let _ = writeln!(o, "{item}{}", p.tool);
    let _ = writeln!(o, "{item}inventory {} sha256 {}", t(&p.inventory.path.display().to_string()), p.inventory.sha256);
    for f in &p.inputs {
        let _ = writeln!(o, "{item}input {} sha256 {}", t(&f.path.display().to_string()), f.sha256);
    }
    for f in &p.factor_files {
        let _ = writeln!(o, "{item}factors {} sha256 {}", t(&f.path.display().to_string()), f.sha256);
    }
    if md { o } else { term_lines(&o).into_owned() }
}

/// The gas basis of the emission figures (grouped by basis, in figure order) and the figures not computed, with
/// the reason: a section after the figures of the table and of Markdown.
pub fn basis_notes(c: &Computation, md: bool) -> String {
    let mut o = String::new();
    let t = |s: &str| if md { md_text(s) } else { term_text(s).into_owned() };
    let item = if md { "- " } else { "  " };
    // Emission figures' gas basis, then energy figures' basis (their unit and how rows reached it).
    for energy in [false, true] {
        let mut groups: Vec<(&str, Vec<&str>)> = Vec::new();
        for id in c.ordered_ids() {
            let is_energy = crate::figure::FigureId::new(id).is_energy()
                || crate::figure::FigureId::new(id).ratio().is_some_and(|(n, _)| n.is_energy());
            if is_energy != energy {
                continue;
            }
            if let Some(b) = c.basis.get(id) {
                match groups.iter_mut().find(|(g, _)| *g == b.as_str()) {
                    Some((_, ids)) => ids.push(id),
                    None => groups.push((b.as_str(), vec![id])),
                }
            }
        }
        if groups.is_empty() {
            continue;
        }
        let head = match (energy, md) {
            (false, true) => "Gas basis (tCO2e counts CO2 with GWP 1; the gases each figure holds):\n",
            (false, false) => "gas basis (tCO2e counts CO2 with GWP 1; the gases each figure holds):",
            (true, true) => "Energy basis (the unit of each energy figure and how its rows reached it):\n",
            (true, false) => "energy basis (the unit of each energy figure and how its rows reached it):",
        };
        let _ = writeln!(o, "{head}");
        for (b, ids) in groups {
            let ids: Vec<String> =
                ids.iter().map(|id| if md { md_code(id) } else { term_text(id).into_owned() }).collect();
            let _ = writeln!(o, "{item}{}: {}", t(b), ids.join(", "));
        }
        o.push('\n');
    }
    if !c.not_computed.is_empty() {
        let _ = writeln!(o, "{}", if md { "Not computed:\n" } else { "not computed:" });
        let mut ids: Vec<(&String, &String)> = c.not_computed.iter().collect();
        ids.sort_by_key(|(id, _)| crate::figure::order_key(id));
        for (id, why) in ids {
            let id = if md { md_code(id) } else { term_text(id).into_owned() };
            let _ = writeln!(o, "{item}{id}: {}", t(why));
        }
        o.push('\n');
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
    if let Some(b) = t.basis {
        let _ = writeln!(o, "gas basis: {} (tCO2e counts CO2 with GWP 1)", term_text(b));
    }
    for (id, f) in &t.parts {
        let _ = writeln!(o, "  {id} = {} {}", fmt_dec(f.value, places), f.unit);
    }
    let _ = writeln!(o, "lines ({}):", t.lines.len());
    for l in &t.lines {
        let gas = l.gas.map(|g| format!(" {g}")).unwrap_or_default();
        let _ = writeln!(
            o,
            "  {}  {} {} {}{gas}: {} {} -> {} = {} {}",
            term_text(&l.source.to_string()),
            term_text(&l.entity),
            l.period,
            l.activity,
            full(l.quantity),
            term_text(&l.unit),
            term_text(&l.figure),
            fmt_dec(l.value, places),
            l.value_unit
        );
        let _ = writeln!(o, "      formula: {}", term_text(&l.formula));
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
            let _ = writeln!(o, "        citation: {}", term_text(&f.citation));
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
    term_lines(&o).into_owned()
}
