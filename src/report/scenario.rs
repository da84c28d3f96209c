//! Renderings of `ghg scenario`: baseline / scenario / delta per figure with the delta by change, costs;
//! sweeps (table, CSV); target solutions. JSON keeps decimals as full-precision strings.

use std::fmt::Write;

use rust_decimal::Decimal;
use serde_json::{Value, json};

use super::json::{rejected_json, rows_json};
use super::{Format, csv_text, fmt_dec, full, md_code, md_text, term_lines, term_text};
use crate::calc::{Computation, RowCounts};
use crate::error::Error;
use crate::figure::{
    INTENSITY_TOTAL_LOCATION, INTENSITY_TOTAL_MARKET, SCOPE2_LOCATION, SCOPE2_MARKET, TOTAL_LOCATION, TOTAL_MARKET,
};
use crate::scenario::{Money, Param, ScenarioRun, Solution, SweepPoint};

use super::{lpad, pad};

fn opt(x: Option<Decimal>, places: u32) -> String {
    x.map(|v| fmt_dec(v, places)).unwrap_or_else(|| "-".into())
}

fn opt_full(x: Option<Decimal>) -> String {
    x.map(full).unwrap_or_default()
}

fn money(m: Option<Money>, places: u32) -> String {
    m.map(|m| format!("{} {}", fmt_dec(m.value, places), m.currency)).unwrap_or_else(|| "-".into())
}

fn money_json(m: Option<Money>) -> Value {
    m.map(|m| json!({"value": full(m.value), "currency": m.currency.to_string()})).unwrap_or(Value::Null)
}

/// Columns of an aligned table: the first left-aligned, the rest right-aligned.
fn table(rows: &[Vec<String>]) -> String {
    let cols = rows.iter().map(Vec::len).max().unwrap_or(0);
    let w: Vec<usize> =
        (0..cols).map(|k| rows.iter().filter_map(|r| r.get(k)).map(|c| c.chars().count()).max().unwrap_or(0)).collect();
    let mut o = String::new();
    for r in rows {
        let cells: Vec<String> =
            r.iter().enumerate().map(|(k, c)| if k == 0 { pad(c, w[k]) } else { lpad(c, w[k]) }).collect();
        let _ = writeln!(o, "  {}", cells.join("  ").trim_end());
    }
    o
}

/// `7 read, 6 used, 1 rejected`.
fn counts(c: &RowCounts) -> String {
    format!("{} read, {} used, {} rejected", c.read, c.used, c.rejected)
}

/// `<what>: 7 read, 6 used, 1 rejected` as a table or Markdown line. `what` names whose rows they are.
fn counts_line(o: &mut String, what: &str, c: &RowCounts, md: bool) {
    let _ = writeln!(o, "{}{what}: {}", if md { "\n" } else { "" }, counts(c));
}

/// The rejected rows with their reasons, as `ghg compute` lists them, under `head` (nothing when there are none).
fn rejected_list<'e>(o: &mut String, head: &str, rejected: impl IntoIterator<Item = &'e Error>, md: bool) {
    let t = |s: &str| if md { md_text(s) } else { term_text(s).into_owned() };
    let mut rejected = rejected.into_iter().peekable();
    if rejected.peek().is_none() {
        return;
    }
    let _ = writeln!(o, "{}{head}:{}", if md { "\n" } else { "" }, if md { "\n" } else { "" });
    for e in rejected {
        let _ = writeln!(o, "{}{}", if md { "- " } else { "  " }, t(&e.to_string()));
    }
}

/// Row counts, then the rejected rows.
fn rows_block(o: &mut String, what: &str, c: &RowCounts, rejected: &[Error], rejected_head: &str, md: bool) {
    counts_line(o, what, c, md);
    rejected_list(o, rejected_head, rejected, md);
}

/// The rows of a scenario run: the baseline's, then the scenario's where they differ, with every rejected row.
fn scenario_rows(o: &mut String, r: &ScenarioRun, md: bool) {
    rows_block(o, "rows", &r.rows, &r.rejected, "rejected rows", md);
    if r.scenario_rows != r.rows || !r.scenario_rejected.is_empty() {
        rows_block(
            o,
            "rows of the scenario (the ledgers' rows as the changes leave them, and the rows the scenario adds)",
            &r.scenario_rows,
            &r.scenario_rejected,
            "rejected in the scenario only",
            md,
        );
    }
}

/// The CSV rows of the row counts: `rows.read,rows,<baseline>,<scenario>,<delta>` and the same for used and
/// rejected, with empty per-change cells (`changes` of them).
fn rows_csv(o: &mut String, base: &RowCounts, scen: &RowCounts, changes: usize) {
    for (id, b, s) in [
        ("rows.read", base.read, scen.read),
        ("rows.used", base.used, scen.used),
        ("rows.rejected", base.rejected, scen.rejected),
    ] {
        let delta = i128::from(s) - i128::from(b);
        let _ = writeln!(o, "{id},rows,{b},{s},{delta}{}", ",".repeat(changes));
    }
}

fn provenance_lines(r: &ScenarioRun) -> Vec<String> {
    let mut v = vec![format!("{}", r.baseline.provenance.tool)];
    v.push(format!(
        "inventory {} sha256 {}",
        r.baseline.provenance.inventory.path.display(),
        r.baseline.provenance.inventory.sha256
    ));
    if let (Some(p), Some(h)) = (&r.scenario.path, &r.scenario.sha256) {
        v.push(format!("scenario {} sha256 {}", p.display(), h));
    }
    for f in &r.result.provenance.inputs {
        v.push(format!("input {} sha256 {}", f.path.display(), f.sha256));
    }
    for f in &r.result.provenance.factor_files {
        v.push(format!("factors {} sha256 {}", f.path.display(), f.sha256));
    }
    v
}

/// Render a scenario run as table, Markdown or CSV (JSON: [`scenario_json`]).
pub fn render_scenario(r: &ScenarioRun, format: Format, places: u32) -> String {
    let mut o = String::new();
    let n = r.changes.len();
    if format == Format::Csv {
        let mut head = vec!["figure".to_string(), "unit".into(), "baseline".into(), "scenario".into(), "delta".into()];
        head.extend((1..=n).map(|k| format!("change_{k}")));
        let _ = writeln!(o, "{}", head.join(","));
        for f in &r.figures {
            let mut row =
                vec![csv_text(&f.id), csv_text(&f.unit), opt_full(f.baseline), opt_full(f.scenario), opt_full(f.delta)];
            row.extend(f.by_change.iter().map(|x| opt_full(*x)));
            let _ = writeln!(o, "{}", row.join(","));
        }
        if let Some(c) = r.cost {
            let mut row = vec!["cost".to_string(), c.currency.to_string(), String::new(), full(c.value), full(c.value)];
            row.extend(r.changes.iter().map(|x| x.cost.map(|m| full(m.value)).unwrap_or_default()));
            let _ = writeln!(o, "{}", row.join(","));
            for (id, total, per) in [
                (
                    "cost_per_tco2e_avoided.market",
                    r.cost_per_t_market,
                    r.changes.iter().map(|x| x.cost_per_t_market).collect::<Vec<_>>(),
                ),
                (
                    "cost_per_tco2e_avoided.location",
                    r.cost_per_t_location,
                    r.changes.iter().map(|x| x.cost_per_t_location).collect(),
                ),
            ] {
                let mut row = vec![
                    id.to_string(),
                    format!("{}/tCO2e", c.currency),
                    String::new(),
                    opt_full(total),
                    opt_full(total),
                ];
                row.extend(per.iter().map(|x| opt_full(*x)));
                let _ = writeln!(o, "{}", row.join(","));
            }
        }
        // Counts only (numbers stay numbers): the reasons of rejected rows go to stderr, as for `ghg compute`.
        rows_csv(&mut o, &r.rows, &r.scenario_rows, n);
        return o;
    }
    let md = format == Format::Markdown;
    // Text from the inputs: Markdown text, or terminal text with control characters shown escaped.
    let t = |s: &str| if md { md_text(s) } else { term_text(s).into_owned() };
    let title = format!("{} — {}: scenario \"{}\"", t(&r.baseline.organisation), r.baseline.year, t(&r.scenario.name));
    if md {
        let _ = writeln!(o, "# {title}\n");
    } else {
        let _ = writeln!(o, "{title}");
    }
    if let Some(d) = &r.scenario.description {
        let _ = writeln!(o, "{}{}", t(d), if md { "\n" } else { "" });
    }
    if n == 0 {
        let _ = writeln!(o, "changes: none (the scenario reproduces the baseline){}", if md { "\n" } else { "" });
    } else {
        let _ = writeln!(o, "{}", if md { "Changes, applied in order:\n" } else { "changes, applied in order:" });
        for c in &r.changes {
            let _ = writeln!(
                o,
                "{}{}. {}  [{}]",
                if md { "" } else { "  " },
                c.n,
                t(&c.description),
                t(&c.location.to_string())
            );
        }
        if md {
            o.push('\n');
        }
    }
    let mut head = vec!["figure".to_string(), "baseline".into(), "scenario".into(), "delta".into()];
    head.extend((1..=n).map(|k| format!("by change {k}")));
    head.push("unit".into());
    let rows: Vec<Vec<String>> = r
        .figures
        .iter()
        .map(|f| {
            let mut row = vec![
                if md { md_code(&f.id) } else { term_text(&f.id).into_owned() },
                opt(f.baseline, places),
                opt(f.scenario, places),
                opt(f.delta, places),
            ];
            row.extend(f.by_change.iter().map(|x| opt(*x, places)));
            row.push(t(&f.unit));
            row
        })
        .collect();
    if md {
        let _ = writeln!(o, "| {} |", head.join(" | "));
        let align: Vec<&str> =
            head.iter().enumerate().map(|(k, _)| if k == 0 || k + 1 == head.len() { "---" } else { "---:" }).collect();
        let _ = writeln!(o, "|{}|", align.join("|"));
        for row in &rows {
            let _ = writeln!(o, "| {} |", row.join(" | "));
        }
        o.push('\n');
    } else {
        let mut all = vec![head];
        all.extend(rows);
        o.push_str(&table(&all));
    }
    // Coverage side by side.
    let cov = |c: &Computation| -> String {
        c.scope2
            .coverage
            .iter()
            .map(|m| {
                format!(
                    "{} {} of {} MWh ({} %)",
                    t(&m.market),
                    fmt_dec(m.covered_mwh, places),
                    fmt_dec(m.grid_mwh, places),
                    fmt_dec(m.share * Decimal::ONE_HUNDRED, places)
                )
            })
            .collect::<Vec<_>>()
            .join("; ")
    };
    let item = if md { "- " } else { "  " };
    let _ = writeln!(
        o,
        "{}",
        if md { "Instrument coverage of grid electricity:\n" } else { "instrument coverage of grid electricity:" }
    );
    let _ = writeln!(o, "{item}baseline: {}", cov(&r.baseline));
    let _ = writeln!(o, "{item}scenario: {}", cov(&r.result));
    if r.cost.is_some() || r.changes.iter().any(|c| c.cost.is_some()) {
        let _ = writeln!(o, "{}", if md { "\nCost:\n" } else { "cost:" });
        for c in &r.changes {
            if c.cost.is_none() {
                continue;
            }
            let cur = c.cost.map(|m| m.currency.to_string()).unwrap_or_default();
            let _ = writeln!(
                o,
                "{item}change {}: {}; avoided {} tCO2e market-based, {} tCO2e location-based; {} market-based, {} location-based",
                c.n,
                money(c.cost, places),
                opt(c.avoided_market, places),
                opt(c.avoided_location, places),
                c.cost_per_t_market
                    .map(|v| format!("{} {cur}/tCO2e", fmt_dec(v, places)))
                    .unwrap_or_else(|| "no reduction".into()),
                c.cost_per_t_location
                    .map(|v| format!("{} {cur}/tCO2e", fmt_dec(v, places)))
                    .unwrap_or_else(|| "no reduction".into()),
            );
        }
        let cur = r.cost.map(|m| m.currency.to_string()).unwrap_or_default();
        let _ = writeln!(
            o,
            "{item}total: {}; avoided {} tCO2e market-based, {} tCO2e location-based; cost per tCO2e avoided: {} market-based, {} location-based",
            money(r.cost, places),
            opt(r.avoided_market, places),
            opt(r.avoided_location, places),
            r.cost_per_t_market
                .map(|v| format!("{} {cur}", fmt_dec(v, places)))
                .unwrap_or_else(|| "no reduction".into()),
            r.cost_per_t_location
                .map(|v| format!("{} {cur}", fmt_dec(v, places)))
                .unwrap_or_else(|| "no reduction".into()),
        );
    }
    let warns: Vec<String> = r
        .warnings
        .iter()
        .chain(r.result.warnings.iter().filter(|w| !r.baseline.warnings.contains(w)))
        .map(|w| {
            let loc = w.location.as_ref().map(|l| format!("{l}: ")).unwrap_or_default();
            format!("[{}] {}", w.code, t(&format!("{loc}{}", w.message)))
        })
        .collect();
    if !warns.is_empty() {
        let _ = writeln!(
            o,
            "{}",
            if md {
                "\nWarnings of the scenario (beyond the baseline's):\n"
            } else {
                "warnings of the scenario (beyond the baseline's):"
            }
        );
        for w in warns {
            let _ = writeln!(o, "{item}{w}");
        }
    }
    scenario_rows(&mut o, r, md);
    let _ = writeln!(
        o,
        "{}",
        if md {
            "\nDeltas are attributed to the changes in the order written (an interaction between two changes goes to the later one); they sum to the delta exactly.\n\nProvenance:\n"
        } else {
            "deltas are attributed to the changes in the order written; they sum to the delta exactly\nprovenance:"
        }
    );
    for p in provenance_lines(r) {
        let _ = writeln!(o, "{item}{}", t(&p));
    }
    if md { o } else { term_lines(&o).into_owned() }
}

/// The `ghg scenario --format json` object.
pub fn scenario_json(r: &ScenarioRun) -> Value {
    let mut figures = serde_json::Map::new();
    for f in &r.figures {
        figures.insert(
            f.id.clone(),
            json!({
                "unit": f.unit,
                "baseline": f.baseline.map(full),
                "scenario": f.scenario.map(full),
                "delta": f.delta.map(full),
                "by_change": f.by_change.iter().map(|x| x.map(full)).collect::<Vec<_>>(),
            }),
        );
    }
    let cov = |c: &Computation| -> Value { super::scope2_json(c)["coverage"].clone() };
    json!({
        "schema_version": super::JSON_SCHEMA_VERSION,
        "organisation": r.baseline.organisation,
        "year": r.baseline.year,
        "scenario": {
            "name": r.scenario.name,
            "description": r.scenario.description,
            "file": r.scenario.path.as_ref().map(|p| p.display().to_string()),
            "sha256": r.scenario.sha256,
        },
        "changes": r.changes.iter().map(|c| json!({
            "n": c.n,
            "kind": c.kind,
            "description": c.description,
            "location": c.location.to_string(),
            "cost": money_json(c.cost),
            "avoided_tco2e": {"market": c.avoided_market.map(full), "location": c.avoided_location.map(full)},
            "cost_per_tco2e_avoided": {"market": c.cost_per_t_market.map(full), "location": c.cost_per_t_location.map(full)},
        })).collect::<Vec<_>>(),
        "figures": figures,
        "coverage": {"baseline": cov(&r.baseline), "scenario": cov(&r.result)},
        "cost": money_json(r.cost),
        "avoided_tco2e": {"market": r.avoided_market.map(full), "location": r.avoided_location.map(full)},
        "cost_per_tco2e_avoided": {"market": r.cost_per_t_market.map(full), "location": r.cost_per_t_location.map(full)},
        "warnings": r.warnings.iter().chain(r.result.warnings.iter()).map(|w| json!({
            "code": w.code, "message": w.message, "location": w.location.as_ref().map(|l| l.to_string()),
        })).collect::<Vec<_>>(),
        "rows": rows_json(&r.rows),
        "rejected": r.rejected.iter().map(rejected_json).collect::<Vec<_>>(),
        "scenario_rows": rows_json(&r.scenario_rows),
        "scenario_rejected": r.scenario_rejected.iter().map(rejected_json).collect::<Vec<_>>(),
        "provenance": provenance_lines(r),
    })
}

/// The figures a sweep reports, in order.
pub const SWEEP_FIGURES: &[&str] = &[
    SCOPE2_LOCATION.as_str(),
    SCOPE2_MARKET.as_str(),
    TOTAL_LOCATION.as_str(),
    TOTAL_MARKET.as_str(),
    INTENSITY_TOTAL_LOCATION.as_str(),
    INTENSITY_TOTAL_MARKET.as_str(),
];

/// The rows rejected at any point of a sweep, each once, in the order first met.
fn sweep_rejected(points: &[SweepPoint]) -> Vec<&Error> {
    let mut out: Vec<&Error> = Vec::new();
    for e in points.iter().flat_map(|p| &p.rejected) {
        if !out.contains(&e) {
            out.push(e);
        }
    }
    out
}

/// The rows of a sweep as table or Markdown text: one line when every point read the same rows, else one per point;
/// then every row rejected at any point.
fn sweep_rows(o: &mut String, param: &Param, points: &[SweepPoint], md: bool) {
    match points.first() {
        Some(p0) if points.iter().all(|p| p.rows == p0.rows) => counts_line(o, "rows (at every point)", &p0.rows, md),
        _ => {
            for p in points {
                counts_line(o, &format!("rows at {} {}", p.value.normalize(), param.unit), &p.rows, md);
            }
        }
    }
    rejected_list(o, "rejected rows", sweep_rejected(points), md);
}

fn unit_of(points: &[SweepPoint], id: &str) -> String {
    points.iter().find_map(|p| p.figures.get(id).map(|f| f.unit.clone())).unwrap_or_default()
}

/// A sweep as CSV: one row per value, full precision; units in the header.
pub fn sweep_csv(param: &Param, points: &[SweepPoint]) -> String {
    let mut o = String::new();
    let mut head = vec![format!("{} [{}]", param.name, param.unit)];
    head.extend(SWEEP_FIGURES.iter().map(|id| format!("{id} [{}]", unit_of(points, id))));
    let cur = points.iter().find_map(|p| p.cost.map(|c| c.currency.to_string()));
    head.push(format!("cost [{}]", cur.clone().unwrap_or_else(|| "-".into())));
    head.extend(["rows.read [rows]".into(), "rows.used [rows]".into(), "rows.rejected [rows]".into()]);
    // With costs: what each point avoids and at what cost per tonne, after the original columns (scripts read
    // them by position too).
    let costed = cur.is_some();
    if let Some(c) = &cur {
        head.push("avoided.market [tCO2e]".into());
        head.push(format!("cost_per_t_avoided [{c}/tCO2e]"));
    }
    let _ = writeln!(o, "{}", head.iter().map(|h| csv_text(h)).collect::<Vec<_>>().join(","));
    for p in points {
        let mut row = vec![full(p.value)];
        row.extend(SWEEP_FIGURES.iter().map(|id| p.figures.get(*id).map(|f| full(f.value)).unwrap_or_default()));
        row.push(p.cost.map(|c| full(c.value)).unwrap_or_default());
        row.extend([p.rows.read.to_string(), p.rows.used.to_string(), p.rows.rejected.to_string()]);
        if costed {
            row.push(p.avoided.map(full).unwrap_or_default());
            row.push(p.cost_per_t.map(full).unwrap_or_default());
        }
        let _ = writeln!(o, "{}", row.join(","));
    }
    o
}

/// A sweep for people (table or Markdown), or as CSV / JSON.
pub fn render_sweep(title: &str, param: &Param, points: &[SweepPoint], format: Format, places: u32) -> String {
    match format {
        Format::Csv => return sweep_csv(param, points),
        Format::Json => {
            let mut s = serde_json::to_string_pretty(&sweep_json(title, param, points)).unwrap_or_default();
            s.push('\n');
            return s;
        }
        _ => {}
    }
    let md = format == Format::Markdown;
    let mut o = String::new();
    let _ = writeln!(
        o,
        "{}{}: sweep of {} ({}){}",
        if md { "# " } else { "" },
        if md { md_text(title) } else { term_text(title).into_owned() },
        param.label,
        param.name,
        if md { "\n" } else { "" }
    );
    let mut head = vec![format!("{} ({})", param.label, param.unit)];
    head.extend(SWEEP_FIGURES.iter().map(|s| s.to_string()));
    head.push("cost".into());
    let cur = points.iter().find_map(|p| p.cost.map(|c| c.currency.to_string()));
    let costed = cur.is_some();
    if costed {
        head.push("avoided (market)".into());
        head.push("cost per tCO2e avoided".into());
    }
    let rows: Vec<Vec<String>> = points
        .iter()
        .map(|p| {
            let mut r = vec![fmt_dec(p.value, if p.value.normalize().scale() > 0 { places } else { 0 })];
            r.extend(
                SWEEP_FIGURES
                    .iter()
                    .map(|id| p.figures.get(*id).map(|f| fmt_dec(f.value, places)).unwrap_or_else(|| "-".into())),
            );
            r.push(money(p.cost, places));
            if costed {
                r.push(p.avoided.map(|x| fmt_dec(x, places)).unwrap_or_else(|| "-".into()));
                r.push(p.cost_per_t.map(|x| fmt_dec(x, places)).unwrap_or_else(|| "-".into()));
            }
            r
        })
        .collect();
    let mut units: Vec<String> = std::iter::once(String::new())
        .chain(SWEEP_FIGURES.iter().map(|id| unit_of(points, id)))
        .chain(std::iter::once(String::new()))
        .collect();
    if let Some(c) = &cur {
        units.push("tCO2e".into());
        units.push(format!("{c}/tCO2e"));
    }
    if md {
        let _ = writeln!(o, "| {} |", head.join(" | "));
        let _ = writeln!(o, "|{}|", vec!["---:"; head.len()].join("|"));
        for r in &rows {
            let _ = writeln!(o, "| {} |", r.join(" | "));
        }
        let _ = writeln!(
            o,
            "\nUnits: {}.",
            SWEEP_FIGURES.iter().map(|id| format!("`{id}` {}", unit_of(points, id))).collect::<Vec<_>>().join(", ")
        );
    } else {
        let mut all = vec![head, units];
        all.extend(rows);
        o.push_str(&table(&all));
    }
    sweep_rows(&mut o, param, points, md);
    if md { o } else { term_lines(&o).into_owned() }
}

/// The JSON of a sweep.
pub fn sweep_json(title: &str, param: &Param, points: &[SweepPoint]) -> Value {
    json!({
        "schema_version": super::JSON_SCHEMA_VERSION,
        "title": title,
        "parameter": {"name": param.name, "label": param.label, "unit": param.unit, "change": param.index + 1},
        "points": points.iter().map(|p| {
            let figs: serde_json::Map<String, Value> = p.figures.iter().map(|(k, f)| (k.clone(), json!({"value": full(f.value), "unit": f.unit}))).collect();
            json!({"value": full(p.value), "figures": figs, "cost": money_json(p.cost), "rows": rows_json(&p.rows),
                "avoided_market": p.avoided.map(full), "cost_per_t_avoided": p.cost_per_t.map(full)})
        }).collect::<Vec<_>>(),
        "rejected": sweep_rejected(points).into_iter().map(rejected_json).collect::<Vec<_>>(),
    })
}

/// A target solution for people (table or Markdown), or as JSON / CSV.
pub fn render_solution(s: &Solution, format: Format, places: u32) -> String {
    let t = &s.target;
    let goal = format!("{} {} {}", t.figure, t.cmp.symbol(), t.value.normalize());
    match format {
        Format::Json => {
            let mut o = serde_json::to_string_pretty(&solution_json(s)).unwrap_or_default();
            o.push('\n');
            return o;
        }
        Format::Csv => {
            let mut o = String::from(
                "target,lever,lever_unit,reachable,amount,exact_threshold,figure_at_amount,figure_below_amount,figure_at_zero,lever_max,figure_at_max,cost,rows_read,rows_used,rows_rejected\n",
            );
            let _ = writeln!(
                o,
                "{},{},{},{},{},{},{},{},{},{},{},{},{},{},{}",
                csv_text(&goal),
                csv_text(&s.lever.name),
                csv_text(&s.lever.unit),
                s.reachable,
                opt_full(s.amount),
                opt_full(s.exact),
                opt_full(s.at_amount),
                opt_full(s.below_amount),
                full(s.at_zero),
                full(s.max),
                full(s.at_max),
                s.cost.map(|c| full(c.value)).unwrap_or_default(),
                s.rows.read,
                s.rows.used,
                s.rows.rejected
            );
            return o;
        }
        _ => {}
    }
    let md = format == Format::Markdown;
    let item = if md { "- " } else { "  " };
    let mut o = String::new();
    let _ = writeln!(o, "{}target: {goal}{}", if md { "# " } else { "" }, if md { "\n" } else { "" });
    let _ = writeln!(
        o,
        "{item}lever: {} ({}, in {}; change {})",
        s.lever.label,
        s.lever.name,
        s.lever.unit,
        s.lever.index + 1
    );
    let _ = writeln!(o, "{item}at 0 {}: {} = {} {}", s.lever.unit, t.figure, fmt_dec(s.at_zero, places.max(4)), s.unit);
    let _ = writeln!(o, "{item}lever maximum: {} {} ({})", fmt_dec(s.max, places), s.lever.unit, s.max_reason);
    if s.reachable {
        let a = s.amount.unwrap_or_default();
        let _ = writeln!(
            o,
            "{item}answer: {} {} of {} (smallest amount in steps of {} {})",
            fmt_dec(a, if a.normalize().scale() > 0 { places.max(s.quantum.normalize().scale()) } else { 0 }),
            s.lever.unit,
            s.lever.label,
            s.quantum.normalize(),
            s.lever.unit
        );
        if let Some(e) = s.exact {
            let _ = writeln!(
                o,
                "{item}exact threshold: {} {} (full precision {})",
                fmt_dec(e, places.max(4)),
                s.lever.unit,
                full(e)
            );
        }
        if let Some(v) = s.at_amount {
            let _ =
                writeln!(o, "{item}check: at {} {} {} = {} (meets {goal})", full(a), s.lever.unit, t.figure, full(v));
        }
        if let (Some(v), Some(_)) = (s.below_amount, s.exact) {
            let below = a - s.quantum;
            let _ = writeln!(
                o,
                "{item}check: at {} {} {} = {} (does not)",
                full(below.max(Decimal::ZERO)),
                s.lever.unit,
                t.figure,
                full(v)
            );
        }
        if s.cost.is_some() {
            let _ = writeln!(o, "{item}cost at the answer: {}", money(s.cost, places));
        }
        // The figures a sweep reports.
        let shown: Vec<String> = SWEEP_FIGURES
            .iter()
            .filter_map(|id| {
                s.figures.get(*id).map(|f| {
                    // The target's figure at enough places that it visibly meets the target (1.899994 for < 1.9,
                    // never 1.90).
                    let p = if *id == t.figure { target_places(f.value, t, places) } else { places };
                    format!("{id} {} {}", fmt_dec(f.value, p), f.unit)
                })
            })
            .collect();
        let _ = writeln!(o, "{item}figures at the answer: {}", shown.join("; "));
    } else {
        let _ = writeln!(o, "{item}OUT OF REACH: {}", s.explanation);
    }
    let _ = writeln!(o, "{item}computations: {}", s.evaluations);
    rows_block(&mut o, "rows (lever at 0)", &s.rows, &s.rejected, "rejected rows", md);
    if md { o } else { term_lines(&o).into_owned() }
}

/// Places at which `v`, rounded half away from zero, still meets the target as the rounded number itself reads (at
/// least `places` and the target's own places, at most 12).
fn target_places(v: Decimal, t: &crate::scenario::TargetSpec, places: u32) -> u32 {
    let mut p = places.max(t.value.normalize().scale());
    while p < 12 && !t.cmp.meets(crate::printed::round_half_away(v, p), t.value) {
        p += 1;
    }
    p
}

/// The JSON of a target solution.
pub fn solution_json(s: &Solution) -> Value {
    let t = &s.target;
    json!({
        "schema_version": super::JSON_SCHEMA_VERSION,
        "target": {"figure": t.figure, "comparison": t.cmp.symbol(), "value": full(t.value), "unit": s.unit},
        "lever": {"name": s.lever.name, "label": s.lever.label, "unit": s.lever.unit, "change": s.lever.index + 1, "quantum": full(s.quantum), "max": full(s.max), "max_reason": s.max_reason},
        "reachable": s.reachable,
        "amount": s.amount.map(full),
        "exact_threshold": s.exact.map(full),
        "figure_at_amount": s.at_amount.map(full),
        "figure_below_amount": s.below_amount.map(full),
        "figure_at_zero": full(s.at_zero),
        "figure_at_max": full(s.at_max),
        "cost": money_json(s.cost),
        "figures": s.figures.iter().map(|(k, f)| (k.clone(), json!({"value": full(f.value), "unit": f.unit}))).collect::<serde_json::Map<String, Value>>(),
        "explanation": s.explanation,
        "computations": s.evaluations,
        "rows": rows_json(&s.rows),
        "rejected": s.rejected.iter().map(rejected_json).collect::<Vec<_>>(),
    })
}
