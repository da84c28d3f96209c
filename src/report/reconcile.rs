//! Renderings of a reconciliation: an aligned table, one JSON object, and the Markdown audit working paper.
//! Values are full precision inside; tables show each figure at its printed precision plus two digits.

use std::collections::BTreeMap;
use std::fmt::Write;

use rust_decimal::Decimal;
use serde_json::{Map, Value, json};

use super::{full, md_code, md_text, term_lines, term_text};
use crate::calc;
use crate::printed::format_grouped;
use crate::reconcile::{Attribution, FigureResult, Finding, FindingKind, Outcome, Reconciliation, Status, YearResult};

/// Display width in a terminal: CJK characters take two columns.
fn width(s: &str) -> usize {
    s.chars()
        .map(|c| {
            let u = c as u32;
            let wide = (0x1100..=0x115F).contains(&u)
                || (0x2E80..=0xA4CF).contains(&u)
                || (0xAC00..=0xD7A3).contains(&u)
                || (0xF900..=0xFAFF).contains(&u)
                || (0xFE30..=0xFE4F).contains(&u)
                || (0xFF00..=0xFF60).contains(&u)
                || (0xFFE0..=0xFFE6).contains(&u);
            if wide { 2 } else { 1 }
        })
        .sum()
}

fn pad(s: &str, w: usize) -> String {
    let n = width(s);
    if n >= w { s.to_string() } else { format!("{s}{}", " ".repeat(w - n)) }
}

fn lpad(s: &str, w: usize) -> String {
    let n = width(s);
    if n >= w { s.to_string() } else { format!("{}{s}", " ".repeat(w - n)) }
}

/// Aligned columns; `right[i]` right-aligns column i.
fn columns(rows: &[Vec<String>], right: &[bool], sep: &str) -> String {
    let n = rows.iter().map(Vec::len).max().unwrap_or(0);
    let widths: Vec<usize> =
        (0..n).map(|i| rows.iter().filter_map(|r| r.get(i)).map(|c| width(c)).max().unwrap_or(0)).collect();
    let mut o = String::new();
    for r in rows {
        let cells: Vec<String> = r
            .iter()
            .enumerate()
            .map(|(i, c)| if right.get(i).copied().unwrap_or(false) { lpad(c, widths[i]) } else { pad(c, widths[i]) })
            .collect();
        let _ = writeln!(o, "{}", cells.join(sep).trim_end());
    }
    o
}

fn signed(x: Decimal, places: u32) -> String {
    let s = format_grouped(x, places, true);
    if s.starts_with('-') || s.trim_start_matches(['0', '.', ',']).is_empty() { s } else { format!("+{s}") }
}

/// A relative difference in percent: two decimals, more (up to six) when two would show a non-zero as zero.
fn percent(r: Option<Decimal>) -> String {
    let Some(r) = r else { return "n/a".to_string() };
    let Some(x) = r.checked_mul(Decimal::ONE_HUNDRED) else {
        return format!("too large for a percent (difference / reported = {r})");
    };
    let mut places = 2;
    while places < 6 && !x.is_zero() && crate::printed::round_half_away(x, places).is_zero() {
        places += 1;
    }
    format!("{}%", signed(x, places))
}

fn reported_text(f: &FigureResult) -> String {
    f.printed.render_like(f.printed.value)
}

fn tolerance_text(f: &FigureResult) -> String {
    if f.tolerance_rule == "none" {
        "none".to_string()
    } else {
        format!("±{}", format_grouped(f.tolerance, f.detail_places(), true))
    }
}

fn status_counts(r: &Reconciliation) -> String {
    let mut counts: BTreeMap<Status, usize> = BTreeMap::new();
    for y in &r.years {
        for f in &y.figures {
            *counts.entry(f.status).or_default() += 1;
        }
    }
    let total: usize = counts.values().sum();
    let parts: Vec<String> = [Status::Exact, Status::Consistent, Status::Within, Status::Outside]
        .iter()
        .map(|s| format!("{} {}", counts.get(s).copied().unwrap_or(0), s))
        .collect();
    format!("{total} figure(s): {}", parts.join(", "))
}

/// What each status means, printed with every format.
pub const STATUS_LEGEND: &str = "statuses: exact = the recomputed value rounded as the report rounds (half away from zero, same places and 万/亿) is the printed value, even when the unrounded difference is visible; consistent = the printed interval overlaps the recomputed value widened by the precision of printed ledger inputs, or a finding explains the whole gap by printed precision (named beside the status); within = inside the stated tolerance; outside = none of these";

/// A figure's status for people: a `consistent` one names the finding that explains its gap, an `exact` one beside a
/// visible relative difference says at what it is exact.
pub(crate) fn status_text(f: &FigureResult) -> String {
    match (f.status, &f.explained_by) {
        (Status::Consistent, Some(e)) => {
            format!("consistent ({})", e.split(':').next().unwrap_or(e))
        }
        (Status::Exact, _) if visible_gap(f) => format!("exact (as printed: {})", f.at_precision()),
        (s, _) => s.name().to_string(),
    }
}

/// A figure's status in the table of several years: marked `*` when [`status_text`] says more (explained below it).
fn status_mark(f: &FigureResult) -> String {
    if status_text(f) == f.status.name() { f.status.name().to_string() } else { format!("{}*", f.status.name()) }
}

/// The note under the table of several years for the statuses marked `*`.
const MARK_NOTE: &str = "* exact*: the recomputed value rounds to the printed one although the unrounded difference shows; consistent*: a finding explains the whole gap (see explained gaps)";

/// Whether the relative difference shows as non-zero at two places of a percent.
fn visible_gap(f: &FigureResult) -> bool {
    f.relative
        .and_then(|r| r.checked_mul(Decimal::ONE_HUNDRED))
        .is_some_and(|x| !crate::printed::round_half_away(x, 2).is_zero())
}

/// The verdict line: figures outside tolerance and failing internal checks of the report, and the exit code.
pub(crate) fn verdict(r: &Reconciliation) -> String {
    let (n, k) = (r.outside(), r.failing_checks());
    let code = if r.fails() { 1 } else { 0 };
    let checks = match (k, r.internal_checks_count) {
        (0, _) => String::new(),
        (k, true) => format!("{k} internal check(s) of the report fail"),
        (k, false) => format!("{k} internal check(s) of the report fail (not counted: --internal-checks report)"),
    };
    match (n, checks.is_empty()) {
        (0, true) => "verdict: every reported figure reconciles (exit code 0)".to_string(),
        (0, false) if !r.internal_checks_count => {
            format!("verdict: every reported figure reconciles; {checks} (exit code {code})")
        }
        (0, false) => format!("verdict: {checks} (exit code {code})"),
        (n, true) => format!("verdict: {n} figure(s) outside tolerance (exit code {code})"),
        (n, false) => format!("verdict: {n} figure(s) outside tolerance; {checks} (exit code {code})"),
    }
}

fn years_text(r: &Reconciliation) -> String {
    let ys: Vec<String> = r.years.iter().map(|y| y.year.to_string()).collect();
    ys.join(", ")
}

fn is_internal(f: &Finding) -> bool {
    matches!(
        f.kind,
        FindingKind::InternalSum
            | FindingKind::InternalRatio
            | FindingKind::InternalOfWhich
            | FindingKind::InternalChange
    )
}

/// A fallback of a year's recomputation as one line of text, as `ghg compute` prints it: `year grid for electricity:
/// mee-grid@2022:grid.national used for year 2024 (valid for 2022) (1 row, first ledger.csv:5)`.
fn fallback_text(f: &calc::Fallback) -> String {
    let what = if f.kind == "year" {
        format!("year {} (valid for {})", f.wanted, f.used)
    } else {
        format!("region {} (factor of {})", f.wanted, f.used)
    };
    format!(
        "{} {} for {}: {} used for {what} ({} row{}, first {})",
        f.kind,
        f.choice,
        f.activity.name(),
        f.factor,
        f.rows,
        if f.rows == 1 { "" } else { "s" },
        f.first_row
    )
}

/// A warning of a year's recomputation as one line of text: `[code] location: message`.
fn warning_text(w: &calc::Warning) -> String {
    let loc = w.location.as_ref().map(|l| format!("{l}: ")).unwrap_or_default();
    format!("[{}] {loc}{}", w.code, w.message)
}

/// How much a status needs a look: outside figures fail the reconciliation.
fn severity(s: Status) -> &'static str {
    match s {
        Status::Outside => "error",
        Status::Within => "warning",
        _ => "info",
    }
}

/// Findings under the figure they are about, figures by status (outside first), then by year and file order.
fn grouped<'a>(r: &'a Reconciliation, fs: &[&'a Finding]) -> Vec<(Option<&'a FigureResult>, Vec<&'a Finding>)> {
    let mut out: Vec<(Option<&FigureResult>, Vec<&Finding>)> = Vec::new();
    for f in fs {
        let fr = r
            .years
            .iter()
            .find(|y| y.year == f.year)
            .and_then(|y| y.figures.iter().find(|x| Some(&x.id) == f.figure.as_ref()));
        match out.iter_mut().find(|(g, _)| g.map(|g| (g.year, &g.id)) == fr.map(|g| (g.year, &g.id))) {
            Some((_, v)) => v.push(f),
            None => out.push((fr, vec![f])),
        }
    }
    out.sort_by_key(|(fr, _)| std::cmp::Reverse(fr.map(|f| f.status)));
    out
}

fn finding_line(f: &Finding) -> String {
    format!("{} [{}, {}] {}", f.year, f.kind.name(), f.outcome.name(), f.message)
}

/// Decimal places of a recomputed value: `places` when the user chose them, otherwise two digits beyond the printed
/// precision of the reported figure.
fn recomputed_places(f: &FigureResult, places: Option<u32>) -> u32 {
    places.unwrap_or_else(|| f.detail_places())
}

fn detail_rows(y: &YearResult, places: Option<u32>) -> Vec<Vec<String>> {
    let mut rows = vec![
        ["figure", "reported", "unit", "recomputed", "at precision", "difference", "relative", "tolerance", "status"]
            .iter()
            .map(|s| s.to_string())
            .collect(),
    ];
    for f in &y.figures {
        let p = recomputed_places(f, places);
        rows.push(vec![
            f.id.clone(),
            reported_text(f),
            f.unit.clone(),
            format_grouped(f.recomputed, p, true),
            f.at_precision(),
            signed(f.difference, p),
            percent(f.relative),
            tolerance_text(f),
            status_text(f),
        ]);
    }
    rows
}

/// Figure ids of all years: those of the year reporting the most figures first, in its file's order.
fn all_ids(r: &Reconciliation) -> Vec<String> {
    let mut ids: Vec<String> = Vec::new();
    let mut years: Vec<&YearResult> = r.years.iter().collect();
    years.sort_by_key(|y| std::cmp::Reverse(y.figures.len()));
    for y in years {
        for f in &y.figures {
            if !ids.contains(&f.id) {
                ids.push(f.id.clone());
            }
        }
    }
    ids
}

/// One row of the per-year table: how a figure result is shown.
type Measure<'a> = dyn Fn(&FigureResult) -> String + 'a;

fn year_rows(r: &Reconciliation, places: Option<u32>) -> Vec<Vec<String>> {
    let mut head = vec!["figure".to_string(), String::new()];
    head.extend(r.years.iter().map(|y| y.year.to_string()));
    let mut rows = vec![head];
    for id in all_ids(r) {
        let cells: Vec<Option<&FigureResult>> = r.years.iter().map(|y| y.figures.iter().find(|f| f.id == id)).collect();
        // One figure's recomputed values at the same places in every year (the most any year's printing needs).
        let places = places.or_else(|| cells.iter().flatten().map(|f| f.detail_places()).max());
        let measures: [(&str, &Measure<'_>); 4] = [
            ("reported", &|f| format!("{} {}", reported_text(f), f.unit)),
            ("recomputed", &|f| format_grouped(f.recomputed, recomputed_places(f, places), true)),
            ("difference", &|f| {
                format!("{} ({})", signed(f.difference, recomputed_places(f, places)), percent(f.relative))
            }),
            ("status", &|f| status_mark(f)),
        ];
        for (i, (name, get)) in measures.iter().enumerate() {
            let mut row = vec![if i == 0 { id.clone() } else { String::new() }, name.to_string()];
            row.extend(cells.iter().map(|c| c.map(get).unwrap_or_else(|| "-".to_string())));
            rows.push(row);
        }
    }
    rows
}

/// The change attribution: recomputed values at `places` (2 unless the user chose).
fn attribution_rows(r: &Reconciliation, places: Option<u32>) -> Vec<Vec<String>> {
    let p = places.unwrap_or(2);
    let mut rows = vec![
        [
            "figure",
            "years",
            "from",
            "to",
            "change",
            "boundary",
            "activity",
            "factors",
            "reported change",
            "not reproduced",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect(),
    ];
    for a in &r.attributions {
        let rc = a.reported_change();
        rows.push(vec![
            a.figure.clone(),
            format!("{}→{}", a.from_year, a.to_year),
            format_grouped(a.from, p, true),
            format_grouped(a.to, p, true),
            signed(a.change, p),
            signed(a.boundary, p),
            signed(a.activity, p),
            signed(a.factors, p),
            rc.map(|x| signed(x, p)).unwrap_or_else(|| "-".into()),
            rc.map(|x| signed(x.saturating_sub(a.change), p)).unwrap_or_else(|| "-".into()),
        ]);
    }
    rows
}

fn factor_change_lines(a: &Attribution) -> Option<String> {
    if a.factors_dropped.is_empty() && a.factors_added.is_empty() {
        return None;
    }
    let mut s = format!("{} {}→{}:", a.figure, a.from_year, a.to_year);
    if !a.factors_dropped.is_empty() {
        let _ = write!(s, " no longer {}", a.factors_dropped.join(", "));
    }
    if !a.factors_added.is_empty() {
        if !a.factors_dropped.is_empty() {
            s.push(';');
        }
        let _ = write!(s, " now {}", a.factors_added.join(", "));
    }
    Some(s)
}

/// The method note printed with every attribution.
pub const ATTRIBUTION_METHOD: &str = "sequential substitution on the recomputed lines: boundary (entities in one year only), then activity (new activity at the earlier year's effective factor), then factors (the rest: editions, methods, regions, and certificates, which change the market-based factor); the parts add up exactly to the change (values at 10 decimal places)";

/// `ghg reconcile` as an aligned table: recomputed values two digits beyond each reported figure's printed precision
/// (see [`render_reconcile_table_at`]).
pub fn render_reconcile_table(r: &Reconciliation) -> String {
    render_reconcile_table_at(r, None)
}

/// `ghg reconcile` as an aligned table, recomputed values (recomputed, difference, attribution) at `places` decimal
/// places when given; reported values stay as printed.
pub fn render_reconcile_table_at(r: &Reconciliation, places: Option<u32>) -> String {
    let mut o = String::new();
    let org = r.years.first().map(|y| y.organisation.as_str()).unwrap_or("");
    let _ = writeln!(o, "Reconciliation — {} — {}", term_text(org), years_text(r));
    for y in &r.years {
        let src = y.reported.source.as_deref().map(|s| format!(" ({})", term_text(s))).unwrap_or_default();
        let _ = writeln!(
            o,
            "{}: {} against {}{src}; tolerance {}",
            y.year,
            y.inventory.display(),
            y.reported.path.display(),
            y.reported.tolerance.describe()
        );
        if let Some(b) = &y.boundary {
            let _ = writeln!(o, "  boundary: {}", term_text(b));
        }
    }
    o.push('\n');
    if r.years.len() == 1 {
        o.push_str(&columns(
            &detail_rows(&r.years[0], places),
            &[false, true, false, true, true, true, true, true, false],
            "  ",
        ));
    } else {
        let right: Vec<bool> = (0..r.years.len() + 2).map(|i| i >= 2).collect();
        o.push_str(&columns(&year_rows(r, places), &right, "  "));
        if r.years.iter().flat_map(|y| &y.figures).any(|f| status_mark(f).ends_with('*')) {
            let _ = writeln!(o, "{MARK_NOTE}");
        }
    }
    let _ = writeln!(o, "{}", status_counts(r));
    let _ = writeln!(o, "{STATUS_LEGEND}");
    let explained: Vec<String> = r
        .years
        .iter()
        .flat_map(|y| &y.figures)
        .filter_map(|f| f.explained_by.as_ref().map(|e| format!("{} {} consistent: {e}", f.year, f.id)))
        .collect();
    if !explained.is_empty() {
        let _ = writeln!(o, "\nexplained gaps:");
        for s in explained {
            let _ = writeln!(o, "  {s}");
        }
    }
    let only: Vec<String> = r
        .years
        .iter()
        .flat_map(|y| {
            y.reported_only().map(move |f| format!("{} {} {}", y.year, term_text(&f.id), term_text(&f.printed.text)))
        })
        .collect();
    if !only.is_empty() {
        let _ = writeln!(o, "\nreported only (used by the internal checks):");
        for s in only {
            let _ = writeln!(o, "  {s}");
        }
    }
    let (internal, explain): (Vec<&Finding>, Vec<&Finding>) = r.findings().partition(|f| is_internal(f));
    if !explain.is_empty() {
        let _ = writeln!(o, "\nfindings, under their figure (outside figures first):");
        for (fr, fs) in grouped(r, &explain) {
            match fr {
                Some(fr) => {
                    let _ = writeln!(
                        o,
                        "  {} {} [{}] {}: {} ({}) against the printed {}",
                        fr.year,
                        fr.id,
                        severity(fr.status),
                        status_text(fr),
                        signed(fr.difference, fr.detail_places()),
                        percent(fr.relative),
                        term_text(&fr.printed.text)
                    );
                }
                None => {
                    let _ = writeln!(o, "  other:");
                }
            }
            for f in fs {
                let _ = writeln!(o, "    [{}, {}] {}", f.kind.name(), f.outcome.name(), f.message);
            }
        }
    }
    if !internal.is_empty() {
        let _ = writeln!(o, "\ninternal consistency of the report:");
        for f in internal {
            let _ = writeln!(o, "  {}", finding_line(f));
        }
    }
    if !r.attributions.is_empty() {
        let _ = writeln!(o, "\nchange attribution ({ATTRIBUTION_METHOD}):");
        let right = [false, false, true, true, true, true, true, true, true, true];
        o.push_str(&columns(&attribution_rows(r, places), &right, "  "));
        for a in &r.attributions {
            if let Some(s) = factor_change_lines(a) {
                let _ = writeln!(o, "  {s}");
            }
        }
    }
    // The recomputations' own warnings (identical ledgers, certificates, missing choices), as `compute` shows them.
    let warnings: Vec<String> = r
        .years
        .iter()
        .flat_map(|y| y.computation.warnings.iter().map(move |w| format!("{} {}", y.year, term_text(&warning_text(w)))))
        .collect();
    if !warnings.is_empty() {
        let _ = writeln!(o, "\nwarnings of the recomputation:");
        for w in warnings {
            let _ = writeln!(o, "  {w}");
        }
    }
    // Factors used outside their year or region, as the inventory allows: `ghg compute` lists them too.
    let fallbacks: Vec<String> = r
        .years
        .iter()
        .flat_map(|y| {
            y.computation.fallbacks.iter().map(move |f| format!("{} {}", y.year, term_text(&fallback_text(f))))
        })
        .collect();
    if !fallbacks.is_empty() {
        let _ = writeln!(o, "\nfallbacks of the recomputation:");
        for f in fallbacks {
            let _ = writeln!(o, "  {f}");
        }
    }
    let _ = writeln!(o, "\n{}", verdict(r));
    // Text from the inputs never reaches the terminal as control characters.
    term_lines(&o).into_owned()
}

fn figure_json(f: &FigureResult) -> Value {
    json!({
        "year": f.year,
        "id": f.id,
        "printed": f.printed.text,
        "reported": full(f.printed.value),
        "unit": f.unit,
        "interval": [f.printed.lower().map(full), f.printed.upper().map(full)],
        "recomputed": full(f.recomputed),
        "recomputed_at_precision": f.at_precision(),
        "half_width": f.half_width.map(full),
        "difference": full(f.difference),
        "relative": f.relative.map(full),
        "tolerance": full(f.tolerance),
        "tolerance_rule": f.tolerance_rule,
        "status": f.status.name(),
        "explained_by": f.explained_by,
        "locator": f.locator,
    })
}

fn finding_json(f: &Finding) -> Value {
    let values: Map<String, Value> = f.values.iter().map(|(k, v)| (k.clone(), json!(v))).collect();
    let mut m = Map::new();
    m.insert("kind".into(), json!(f.kind.name()));
    m.insert("year".into(), json!(f.year));
    m.insert("figure".into(), json!(f.figure));
    m.insert("outcome".into(), json!(f.outcome.name()));
    m.insert("message".into(), json!(f.message));
    m.insert("values".into(), Value::Object(values));
    if f.kind == FindingKind::ImpliedFactor {
        m.insert(
            "candidates".into(),
            Value::Array(
                f.candidates
                    .iter()
                    .map(|c| {
                        json!({
                            "factor": c.factor, "value": full(c.value), "unit": c.unit, "relation": c.relation,
                            "recomputed": full(c.recomputed), "exact": c.exact,
                        })
                    })
                    .collect(),
            ),
        );
        m.insert("tried".into(), json!(f.tried));
        m.insert(
            "nearest".into(),
            Value::Array(
                f.nearest
                    .iter()
                    .map(|c| {
                        json!({
                            "factor": c.factor, "value": full(c.value), "unit": c.unit, "relation": c.relation,
                            "recomputed": full(c.recomputed),
                        })
                    })
                    .collect(),
            ),
        );
    }
    Value::Object(m)
}

fn file_json(path: &std::path::Path, sha: &str) -> Value {
    json!({"path": path.display().to_string(), "sha256": sha})
}

/// `ghg reconcile --format json`: `figures`, `findings`, `provenance`, plus `reported_only`, `attribution` and
/// `summary`. Decimals are strings at full precision.
pub fn reconcile_json(r: &Reconciliation) -> Value {
    let mut counts = Map::new();
    for s in [Status::Exact, Status::Consistent, Status::Within, Status::Outside] {
        let n = r.years.iter().flat_map(|y| &y.figures).filter(|f| f.status == s).count();
        counts.insert(s.name().into(), json!(n));
    }
    counts.insert("failing_internal_checks".into(), json!(r.failing_checks()));
    counts.insert("internal_checks_count".into(), json!(r.internal_checks_count));
    counts.insert("exit_code".into(), json!(if r.fails() { 1 } else { 0 }));
    counts.insert("statuses".into(), json!(STATUS_LEGEND.trim_start_matches("statuses: ")));
    json!({
        "schema_version": super::JSON_SCHEMA_VERSION,
        "organisation": r.years.first().map(|y| y.organisation.clone()),
        "boundary": r.years.iter().map(|y| (y.year.to_string(), json!(y.boundary))).collect::<Map<String, Value>>(),
        "years": r.years.iter().map(|y| y.year).collect::<Vec<_>>(),
        "figures": r.years.iter().flat_map(|y| y.figures.iter().map(figure_json)).collect::<Vec<_>>(),
        "reported_only": r.years.iter().flat_map(|y| y.reported_only().map(move |f| json!({
            "year": y.year, "id": f.id, "printed": f.printed.text, "reported": full(f.printed.value),
            "interval": [f.printed.lower().map(full), f.printed.upper().map(full)], "locator": f.locator,
        }))).collect::<Vec<_>>(),
        "findings": r.findings().map(finding_json).collect::<Vec<_>>(),
        "attribution": r.attributions.iter().map(|a| json!({
            "figure": a.figure, "unit": a.unit, "from_year": a.from_year, "to_year": a.to_year,
            "from": full(a.from), "to": full(a.to), "change": full(a.change),
            "boundary": full(a.boundary), "activity": full(a.activity), "factors": full(a.factors),
            "reported_change": a.reported_change().map(full),
            "factors_dropped": a.factors_dropped, "factors_added": a.factors_added,
            "entities_added": a.entities_added, "entities_removed": a.entities_removed,
        })).collect::<Vec<_>>(),
        "attribution_method": ATTRIBUTION_METHOD,
        "warnings": r.years.iter().flat_map(|y| y.computation.warnings.iter().map(move |w| json!({
            "year": y.year, "code": w.code, "message": w.message,
            "location": w.location.as_ref().map(|l| l.to_string()),
        }))).collect::<Vec<_>>(),
        "fallbacks": r.years.iter().flat_map(|y| y.computation.fallbacks.iter().map(move |f| json!({
            "year": y.year, "kind": f.kind, "choice": f.choice, "activity": f.activity.name(), "wanted": f.wanted,
            "used": f.used, "factor": f.factor.to_string(), "rows": f.rows, "first_row": f.first_row.to_string(),
        }))).collect::<Vec<_>>(),
        "provenance": {
            "tool": r.years.first().map(|y| y.computation.provenance.tool.clone()).unwrap_or_else(|| format!("ghg {}", env!("CARGO_PKG_VERSION"))),
            "inventories": r.years.iter().map(|y| {
                let p = &y.computation.provenance;
                json!({
                    "year": y.year,
                    "inventory": file_json(&p.inventory.path, &p.inventory.sha256),
                    "reported": file_json(&y.reported.path, &y.reported.sha256),
                    "factor_files": p.factor_files.iter().map(|f| file_json(&f.path, &f.sha256)).collect::<Vec<_>>(),
                    "inputs": p.inputs.iter().map(|f| file_json(&f.path, &f.sha256)).collect::<Vec<_>>(),
                    "rows": {"read": p.rows.read, "used": p.rows.used, "rejected": p.rows.rejected},
                })
            }).collect::<Vec<_>>(),
        },
        "summary": counts,
    })
}

/// Escape the `|` of generated text in a table cell (one already escaped by [`md_text`] stays as it is).
fn md_escape(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    let mut prev = ' ';
    for c in s.chars() {
        if c == '|' && prev != '\\' {
            o.push('\\');
        }
        o.push(c);
        prev = c;
    }
    o
}

/// Compress ledger locations: "ledger.csv:2, 3, 5"; spreadsheet rows in the one format of every location,
/// "ledger.xlsx:ledger!2:2, 3:3".
fn sources(lines: &[&calc::Line]) -> String {
    let mut by_file: Vec<(String, Vec<String>)> = Vec::new();
    for l in lines {
        // The location without its row: "ledger.csv", or "ledger.xlsx:ledger!" for a sheet.
        let f = crate::error::Location { line: None, column: None, ..l.source.clone() }.to_string();
        let line = match (&l.source.sheet, l.source.line) {
            (Some(_), Some(r)) => format!("{r}:{r}"),
            (_, r) => r.unwrap_or(0).to_string(),
        };
        match by_file.iter_mut().find(|(k, _)| *k == f) {
            Some((_, v)) => {
                if !v.contains(&line) {
                    v.push(line);
                }
            }
            None => by_file.push((f, vec![line])),
        }
    }
    by_file
        .into_iter()
        .map(|(f, mut v)| {
            // Rows in order (by their number, not as text).
            v.sort_by_key(|x| x.split(':').next().and_then(|n| n.parse::<usize>().ok()).unwrap_or(0));
            let sep = if f.ends_with('!') { "" } else { ":" };
            format!("{}{sep}{}", md_code(&f), v.join(", "))
        })
        .collect::<Vec<_>>()
        .join("; ")
}

fn trace_row(y: &YearResult, f: &FigureResult) -> Vec<String> {
    if let Some(name) = f.id.strip_prefix("denominator.") {
        let d = y.computation.provenance.inventory.path.display().to_string();
        return vec![
            format!("`{}`", f.id),
            format!("[denominators.{name}] of the inventory"),
            "0".into(),
            md_code(&d),
            "-".into(),
        ];
    }
    // Revenue in the formula of its intensities only (one per another denominator is traced by that name alone).
    let per_other = crate::figure::FigureId::new(&f.id).per_denominator().is_some();
    let inv_rev =
        y.revenue.as_ref().filter(|_| !per_other).map(|r| format!(" ({} million {})", full(r.million), r.currency));
    let t = match calc::trace(&y.computation, &f.id, inv_rev) {
        Ok(Some(t)) => t,
        Ok(None) => return vec![format!("`{}`", f.id), "-".into(), "0".into(), "-".into(), "-".into()],
        Err(e) => return vec![format!("`{}`", f.id), md_escape(&e.message), "-".into(), "-".into(), "-".into()],
    };
    let mut factors: Vec<String> = Vec::new();
    for l in &t.lines {
        for u in l.factors.iter() {
            // Values computed from parameters (combustion: NCV x CC x OF x 44/12) are shown at 6 places.
            let v = if u.value.scale() > 8 {
                format!("{} (computed)", format_grouped(u.value, 6, false))
            } else {
                u.value.to_string()
            };
            let s = format!("`{}` {v} {}", u.reference, u.unit);
            if !factors.contains(&s) {
                factors.push(s);
            }
        }
    }
    vec![
        format!("`{}`", f.id),
        md_escape(&t.formula),
        t.lines.len().to_string(),
        if t.lines.is_empty() { "-".into() } else { sources(&t.lines) },
        if factors.is_empty() { "none (ledger quantities)".into() } else { factors.join("<br>") },
    ]
}

fn md_table(o: &mut String, rows: &[Vec<String>], right: &[bool]) {
    let Some(head) = rows.first() else { return };
    let _ = writeln!(o, "| {} |", head.join(" | "));
    let aligns: Vec<&str> =
        (0..head.len()).map(|i| if right.get(i).copied().unwrap_or(false) { "---:" } else { "---" }).collect();
    let _ = writeln!(o, "|{}|", aligns.join("|"));
    for r in &rows[1..] {
        let cells: Vec<String> = r.iter().map(|c| md_escape(c)).collect();
        let _ = writeln!(o, "| {} |", cells.join(" | "));
    }
}

fn md_finding(o: &mut String, f: &Finding) {
    let _ = writeln!(o, "- **{}** ({}) — {}", f.kind.name(), f.outcome.name(), md_text(&f.message));
    for c in &f.candidates {
        let _ = writeln!(
            o,
            "  - {} {} {} ({}): gives {}{}",
            md_code(&c.factor.to_string()),
            md_text(&c.value_text),
            md_text(&c.unit.to_string()),
            c.relation,
            full(c.recomputed),
            if c.exact { ", exact at printed precision" } else { ", within printed precision" }
        );
    }
}

/// `ghg reconcile --format markdown`: the audit working paper, recomputed values two digits beyond each reported
/// figure's printed precision (see [`render_reconcile_markdown_at`]).
pub fn render_reconcile_markdown(r: &Reconciliation) -> String {
    render_reconcile_markdown_at(r, None)
}

/// The audit working paper, recomputed values (recomputed, its half-width, difference, attribution) at `places`
/// decimal places when given; reported values and their intervals stay at the printed precision.
pub fn render_reconcile_markdown_at(r: &Reconciliation, places: Option<u32>) -> String {
    let mut o = String::new();
    let org = r.years.first().map(|y| y.organisation.as_str()).unwrap_or("");
    let _ = writeln!(
        o,
        "# Audit working paper: reconciliation of reported figures — {}, {}\n",
        md_text(org),
        years_text(r)
    );
    let _ = writeln!(o, "{}. {}.\n", status_counts(r), verdict(r));
    let _ = writeln!(
        o,
        "Statuses: **exact** = equal at the printed precision (rounded half away from zero); **consistent** = the printed interval overlaps the recomputed one widened by the precision of printed ledger inputs, or a finding explains the whole gap by printed precision (named beside the status); **within** = inside the stated tolerance; **outside** = none of these.\n"
    );
    let _ = writeln!(o, "## Provenance\n");
    let tool = r.years.first().map(|y| y.computation.provenance.tool.clone()).unwrap_or_default();
    let _ = writeln!(o, "- tool: `{tool}`");
    let mut factor_files: Vec<(String, String, Vec<i32>)> = Vec::new();
    for y in &r.years {
        let p = &y.computation.provenance;
        let _ = writeln!(o, "- {}:", y.year);
        let path = |p: &std::path::Path| md_code(&p.display().to_string());
        let _ = writeln!(o, "  - inventory {} sha256 `{}`", path(&p.inventory.path), p.inventory.sha256);
        let _ = writeln!(o, "  - reported figures {} sha256 `{}`", path(&y.reported.path), y.reported.sha256);
        if let Some(s) = &y.reported.source {
            let _ = writeln!(o, "  - source: {}", md_text(s));
        }
        if let Some(b) = &y.boundary {
            let _ = writeln!(o, "  - boundary: {}", md_text(b));
        }
        for i in &p.inputs {
            let _ = writeln!(o, "  - ledger {} sha256 `{}`", path(&i.path), i.sha256);
        }
        let _ = writeln!(o, "  - rows: {} read, {} used, {} rejected", p.rows.read, p.rows.used, p.rows.rejected);
        for f in &p.factor_files {
            let path = f.path.display().to_string();
            match factor_files.iter_mut().find(|(k, s, _)| *k == path && *s == f.sha256) {
                Some((_, _, ys)) => ys.push(y.year),
                None => factor_files.push((path, f.sha256.clone(), vec![y.year])),
            }
        }
    }
    if !factor_files.is_empty() {
        let _ = writeln!(o, "\nFactor files used:\n");
        let mut rows = vec![vec!["file".to_string(), "sha256".to_string(), "years".to_string()]];
        for (p, s, ys) in &factor_files {
            let ys: Vec<String> = ys.iter().map(|y| y.to_string()).collect();
            rows.push(vec![md_code(p), format!("`{s}`"), ys.join(", ")]);
        }
        md_table(&mut o, &rows, &[]);
    }
    if r.years.len() > 1 {
        let _ = writeln!(o, "\n## Reconciliation, one column per year\n");
        let rows = year_rows(r, places);
        let right: Vec<bool> = (0..r.years.len() + 2).map(|i| i >= 2).collect();
        md_table(&mut o, &rows, &right);
    }
    for y in &r.years {
        let _ = writeln!(o, "\n## {}\n", y.year);
        let shown = match places {
            None => "two digits beyond the printed precision".to_string(),
            Some(p) => format!("at {p} decimal place{}", if p == 1 { "" } else { "s" }),
        };
        let _ = writeln!(o, "Tolerance: {}. Recomputed values are shown {shown}.\n", y.reported.tolerance.describe());
        let mut rows = vec![
            [
                "figure",
                "reported",
                "interval",
                "unit",
                "recomputed",
                "at precision",
                "difference",
                "relative",
                "tolerance",
                "status",
                "locator",
            ]
            .iter()
            .map(|s| s.to_string())
            .collect::<Vec<String>>(),
        ];
        for f in &y.figures {
            // The printed interval stays at the printed precision; recomputed values follow `places`.
            let d = f.detail_places();
            let p = recomputed_places(f, places);
            let hw = f.half_width.map(|h| format!(" ± {}", format_grouped(h, p, true))).unwrap_or_default();
            rows.push(vec![
                md_code(&f.id),
                md_text(&f.printed.text),
                format!(
                    "[{}, {})",
                    f.printed.lower().map_or_else(|| "beyond a decimal".into(), |x| format_grouped(x, d, true)),
                    f.printed.upper().map_or_else(|| "beyond a decimal".into(), |x| format_grouped(x, d, true))
                ),
                md_text(&f.unit),
                format!("{}{hw}", format_grouped(f.recomputed, p, true)),
                f.at_precision(),
                signed(f.difference, p),
                percent(f.relative),
                tolerance_text(f),
                format!("**{}**", status_text(f)),
                md_text(f.locator.as_deref().unwrap_or_default()),
            ]);
        }
        md_table(&mut o, &rows, &[false, true, false, false, true, true, true, true, true, false, false]);
        let only: Vec<_> = y.reported_only().collect();
        if !only.is_empty() {
            let _ = writeln!(o, "\nReported only (used by the internal checks):\n");
            for f in only {
                let _ = writeln!(
                    o,
                    "- {} {}{}",
                    md_code(&f.id),
                    md_text(&f.printed.text),
                    f.locator.as_ref().map(|l| format!(" — {}", md_text(l))).unwrap_or_default()
                );
            }
        }
        let (internal, explain): (Vec<&Finding>, Vec<&Finding>) = y.findings.iter().partition(|f| is_internal(f));
        let _ = writeln!(o, "\n### Findings\n");
        if explain.is_empty() {
            let _ = writeln!(o, "Every figure is exact or consistent: nothing to explain.");
        }
        for (fr, fs) in grouped(r, &explain) {
            if let Some(fr) = fr {
                let _ = writeln!(
                    o,
                    "#### `{}` — {} ({}): {} ({}) against the printed {}\n",
                    fr.id,
                    md_text(&status_text(fr)),
                    severity(fr.status),
                    signed(fr.difference, fr.detail_places()),
                    percent(fr.relative),
                    md_text(&fr.printed.text)
                );
            }
            for f in fs {
                md_finding(&mut o, f);
            }
            o.push('\n');
        }
        let _ = writeln!(o, "\n### Internal consistency of the report\n");
        if internal.is_empty() {
            let _ = writeln!(o, "No relation between the reported figures to check.");
        }
        for f in &internal {
            md_finding(&mut o, f);
        }
        let fails = internal.iter().filter(|f| f.outcome == Outcome::Fails).count();
        if !internal.is_empty() {
            let _ = writeln!(o, "\n{} check(s), {} fail(s).", internal.len(), fails);
        }
        if !y.computation.warnings.is_empty() {
            let _ = writeln!(o, "\n### Warnings of the recomputation\n");
            for w in &y.computation.warnings {
                let _ = writeln!(o, "- {}", md_text(&warning_text(w)));
            }
        }
        if !y.computation.fallbacks.is_empty() {
            let _ = writeln!(o, "\n### Fallbacks of the recomputation\n");
            for f in &y.computation.fallbacks {
                let _ = writeln!(o, "- {}", md_text(&fallback_text(f)));
            }
        }
        let _ = writeln!(o, "\n### Trace summary\n");
        let mut rows = vec![
            ["figure", "formula", "lines", "ledger rows", "factors"].iter().map(|s| s.to_string()).collect::<Vec<_>>(),
        ];
        for f in &y.figures {
            rows.push(trace_row(y, f));
        }
        md_table(&mut o, &rows, &[false, false, true, false, false]);
    }
    if !r.attributions.is_empty() {
        let _ = writeln!(o, "\n## Change attribution\n");
        let _ =
            writeln!(o, "Method: {ATTRIBUTION_METHOD}. \"not reproduced\" = reported change − recomputed change.\n");
        let right = [false, false, true, true, true, true, true, true, true, true];
        md_table(&mut o, &attribution_rows(r, places), &right);
        let changes: Vec<String> = r.attributions.iter().filter_map(factor_change_lines).collect();
        if !changes.is_empty() {
            let _ = writeln!(o, "\nFactor changes:\n");
            for c in changes {
                let _ = writeln!(o, "- {c}");
            }
        }
        let boundary: Vec<String> = r
            .attributions
            .iter()
            .filter(|a| !a.entities_added.is_empty() || !a.entities_removed.is_empty())
            .map(|a| {
                format!(
                    "- {} {}→{}: entities added {}, removed {}",
                    a.figure,
                    a.from_year,
                    a.to_year,
                    md_text(&format!("{:?}", a.entities_added)),
                    md_text(&format!("{:?}", a.entities_removed))
                )
            })
            .collect();
        if !boundary.is_empty() {
            let _ = writeln!(o, "\nBoundary changes:\n");
            for b in boundary {
                let _ = writeln!(o, "{b}");
            }
        }
    }
    o
}
