//! Scope 2 dual reporting in every output of `ghg compute`: location-based and market-based side by side,
//! instrument coverage (MWh and % of grid electricity) per market, certificate allocations (one row per
//! certificate row and market, in allocation order, and one per entity covered; every share of a pro-rata row is
//! in the calculation lines: `ghg explain`, `--lines`), and the residual factor comparison.

use std::fmt::Write;

use rust_decimal::Decimal;
use serde_json::{Value, json};

use super::{csv_text, fmt_dec, full, md_text};
use crate::calc::Computation;
use crate::figure::{
    INTENSITY_TOTAL_LOCATION, INTENSITY_TOTAL_MARKET, SCOPE2_LOCATION, SCOPE2_MARKET, TOTAL_LOCATION, TOTAL_MARKET,
};

const METHODS: [(&str, &str, &str, &str); 2] = [
    ("location-based", SCOPE2_LOCATION.as_str(), TOTAL_LOCATION.as_str(), INTENSITY_TOTAL_LOCATION.as_str()),
    ("market-based", SCOPE2_MARKET.as_str(), TOTAL_MARKET.as_str(), INTENSITY_TOTAL_MARKET.as_str()),
];

fn percent(share: Decimal) -> Decimal {
    share * Decimal::ONE_HUNDRED
}

use super::{lpad, pad};

fn cell(c: &Computation, id: &str, places: u32) -> String {
    c.figures.get(id).map(|f| fmt_dec(f.value, places)).unwrap_or_else(|| "not computed".into())
}

fn instruments(by: &[(String, Decimal)], places: u32) -> String {
    if by.is_empty() {
        return "none".into();
    }
    by.iter().map(|(i, m)| format!("{i} {}", fmt_dec(*m, places))).collect::<Vec<_>>().join(", ")
}

/// The dual-reporting block of the table and Markdown renderings.
pub fn render_scope2(c: &Computation, places: u32, markdown: bool) -> String {
    let mut o = String::new();
    let s2 = &c.scope2;
    let int_unit = c.figures.get("intensity.total.location").map(|f| f.unit.clone());
    if markdown {
        let _ = writeln!(o, "## Scope 2, dual reporting\n");
        let iu = int_unit.clone().unwrap_or_else(|| "not computed".into());
        let _ = writeln!(o, "| method | scope 2 (tCO2e) | total (tCO2e) | intensity ({iu}) |\n|---|---:|---:|---:|");
        for (name, s, t, i) in METHODS {
            let _ =
                writeln!(o, "| {name} | {} | {} | {} |", cell(c, s, places), cell(c, t, places), cell(c, i, places));
        }
        o.push('\n');
        if !s2.coverage.is_empty() {
            let _ = writeln!(
                o,
                "Instrument coverage of grid electricity:\n\n| market | grid MWh | covered MWh | share | instruments (MWh) |\n|---|---:|---:|---:|---|"
            );
            for m in &s2.coverage {
                let _ = writeln!(
                    o,
                    "| {} | {} | {} | {} % | {} |",
                    md_text(&m.market),
                    fmt_dec(m.grid_mwh, places),
                    fmt_dec(m.covered_mwh, places),
                    fmt_dec(percent(m.share), places),
                    md_text(&instruments(&m.by_instrument, places))
                );
            }
            o.push('\n');
        }
        if !s2.allocations.is_empty() {
            let _ = writeln!(
                o,
                "Certificate allocation, in allocation order ({}):\n\n| # | certificate row | instrument | from | market | to | market used | MWh | rule |\n|---:|---|---|---|---|---|---|---:|---|",
                s2.rule
            );
            for a in &s2.allocations {
                let _ = writeln!(
                    o,
                    "| {} | {} | {} | {} | {} | {} | {} | {} | {} ({}) |",
                    a.rank,
                    md_text(&a.source.to_string()),
                    md_text(&a.instrument),
                    md_text(&a.from_entity),
                    md_text(&a.certificate_market),
                    md_text(&a.entity),
                    md_text(&a.market),
                    fmt_dec(a.mwh, places),
                    a.rule,
                    a.basis
                );
            }
            o.push('\n');
        }
        if !s2.entities.is_empty() {
            let _ = writeln!(
                o,
                "Certificate cover per entity:\n\n| entity | market | grid MWh | covered MWh | certificate rows | tCO2e deducted | tCO2e at supplier factors |\n|---|---|---:|---:|---:|---:|---:|"
            );
            for e in &s2.entities {
                let _ = writeln!(
                    o,
                    "| {} | {} | {} | {} | {} | {} | {} |",
                    md_text(&e.entity),
                    md_text(&e.market),
                    fmt_dec(e.grid_mwh, places),
                    fmt_dec(e.covered_mwh, places),
                    e.certificates,
                    fmt_dec(e.deducted_t, places),
                    fmt_dec(e.added_t, places)
                );
            }
            o.push('\n');
        }
        if let Some(r) = &s2.residual {
            let _ = writeln!(
                o,
                "Residual factor for the {} uncovered grid MWh:\n\n| residual factor | tCO2e/MWh | kind | scope2.market (tCO2e) |\n|---|---:|---|---:|\n| `{}` (chosen) | {} | {} | {} |\n| `{}` | {} | {} | {} |\n",
                fmt_dec(r.uncovered_mwh, places),
                r.chosen,
                full(r.chosen_value),
                r.chosen_kind,
                fmt_dec(r.scope2_market, places),
                r.alternative,
                full(r.alternative_value),
                r.alternative_kind,
                fmt_dec(r.scope2_market_alternative, places)
            );
        }
        return o;
    }
    let _ = writeln!(o, "scope 2, dual reporting (location-based and market-based side by side):");
    let rows: Vec<[String; 4]> = METHODS
        .iter()
        .map(|(n, s, t, i)| [n.to_string(), cell(c, s, places), cell(c, t, places), cell(c, i, places)])
        .collect();
    let head = ["method", "scope 2 tCO2e", "total tCO2e", "intensity"];
    let w: Vec<usize> =
        (0..4).map(|k| rows.iter().map(|r| r[k].chars().count()).chain([head[k].len()]).max().unwrap_or(0)).collect();
    let _ = writeln!(
        o,
        "  {}  {}  {}  {}",
        pad(head[0], w[0]),
        lpad(head[1], w[1]),
        lpad(head[2], w[2]),
        lpad(head[3], w[3])
    );
    for r in &rows {
        let _ =
            writeln!(o, "  {}  {}  {}  {}", pad(&r[0], w[0]), lpad(&r[1], w[1]), lpad(&r[2], w[2]), lpad(&r[3], w[3]));
    }
    if let Some(u) = int_unit {
        let _ = writeln!(o, "  (intensity in {u})");
    }
    if !s2.coverage.is_empty() {
        let _ = writeln!(o, "instrument coverage of grid electricity:");
        let rows: Vec<[String; 5]> = s2
            .coverage
            .iter()
            .map(|m| {
                [
                    m.market.clone(),
                    fmt_dec(m.grid_mwh, places),
                    fmt_dec(m.covered_mwh, places),
                    format!("{} %", fmt_dec(percent(m.share), places)),
                    instruments(&m.by_instrument, places),
                ]
            })
            .collect();
        let head = ["market", "grid MWh", "covered MWh", "share", "instruments (MWh)"];
        let w: Vec<usize> = (0..5)
            .map(|k| rows.iter().map(|r| r[k].chars().count()).chain([head[k].len()]).max().unwrap_or(0))
            .collect();
        let _ = writeln!(
            o,
            "  {}  {}  {}  {}  {}",
            pad(head[0], w[0]),
            lpad(head[1], w[1]),
            lpad(head[2], w[2]),
            lpad(head[3], w[3]),
            head[4]
        );
        for r in &rows {
            let _ = writeln!(
                o,
                "  {}  {}  {}  {}  {}",
                pad(&r[0], w[0]),
                lpad(&r[1], w[1]),
                lpad(&r[2], w[2]),
                lpad(&r[3], w[3]),
                r[4]
            );
        }
    }
    if !s2.allocations.is_empty() {
        let _ = writeln!(o, "certificate allocation, in allocation order:\n  (rule: {})", s2.rule);
        for a in &s2.allocations {
            let _ = writeln!(
                o,
                "  {}. {} {} of {} (market {}) -> {} in {}: {} MWh, {} ({})",
                a.rank,
                a.source,
                a.instrument,
                a.from_entity,
                a.certificate_market,
                a.entity,
                a.market,
                fmt_dec(a.mwh, places),
                a.rule,
                a.basis
            );
        }
    }
    if !s2.entities.is_empty() {
        let _ = writeln!(o, "certificate cover per entity (every share: ghg explain INVENTORY electricity.renewable):");
        for e in &s2.entities {
            let _ = writeln!(
                o,
                "  {} in {}: {} of {} grid MWh covered by {} certificate row{}, {} tCO2e deducted, {} tCO2e at supplier factors",
                e.entity,
                e.market,
                fmt_dec(e.covered_mwh, places),
                fmt_dec(e.grid_mwh, places),
                e.certificates,
                if e.certificates == 1 { "" } else { "s" },
                fmt_dec(e.deducted_t, places),
                fmt_dec(e.added_t, places)
            );
        }
    }
    if let Some(r) = &s2.residual {
        let _ = writeln!(o, "residual factor for the {} uncovered grid MWh:", fmt_dec(r.uncovered_mwh, places));
        let _ = writeln!(
            o,
            "  chosen   {} = {} tCO2e/MWh ({}): scope2.market {} tCO2e",
            r.chosen,
            full(r.chosen_value),
            r.chosen_kind,
            fmt_dec(r.scope2_market, places)
        );
        let _ = writeln!(
            o,
            "  compare  {} = {} tCO2e/MWh ({}): scope2.market {} tCO2e",
            r.alternative,
            full(r.alternative_value),
            r.alternative_kind,
            fmt_dec(r.scope2_market_alternative, places)
        );
    }
    o.push('\n');
    o
}

/// Extra rows of the figures CSV: coverage per market and the residual comparison.
pub fn scope2_csv_rows(c: &Computation, places: u32) -> String {
    let mut o = String::new();
    let mut row = |id: String, v: Decimal, unit: &str| {
        let _ = writeln!(o, "{},{},{},\"{}\"", csv_text(&id), full(v), csv_text(unit), fmt_dec(v, places));
    };
    for m in &c.scope2.coverage {
        row(format!("coverage.{}.grid", m.market), m.grid_mwh, "MWh");
        row(format!("coverage.{}.covered", m.market), m.covered_mwh, "MWh");
        row(format!("coverage.{}.share", m.market), percent(m.share), "%");
        for (i, v) in &m.by_instrument {
            row(format!("coverage.{}.{i}", m.market), *v, "MWh");
        }
    }
    if let Some(r) = &c.scope2.residual {
        row(format!("compare.scope2.market@{}", r.alternative), r.scope2_market_alternative, "tCO2e");
    }
    o
}

/// The `scope2` object of `ghg compute --format json`.
pub fn scope2_json(c: &Computation) -> Value {
    let fig = |id: &str| c.figures.get(id).map(|f| json!({"value": full(f.value), "unit": f.unit}));
    let methods: serde_json::Map<String, Value> = METHODS
        .iter()
        .map(|(n, s, t, i)| {
            (n.trim_end_matches("-based").to_string(), json!({"scope2": fig(s), "total": fig(t), "intensity": fig(i)}))
        })
        .collect();
    let s2 = &c.scope2;
    json!({
        "methods": methods,
        "coverage": s2.coverage.iter().map(|m| json!({
            "market": m.market,
            "grid_mwh": full(m.grid_mwh),
            "covered_mwh": full(m.covered_mwh),
            "share_percent": full(percent(m.share)),
            "by_instrument": m.by_instrument.iter().map(|(i, v)| json!({"instrument": i, "mwh": full(*v)})).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
        "allocations": s2.allocations.iter().map(allocation_json).collect::<Vec<_>>(),
        "allocation_rule": s2.rule,
        "entities": s2.entities.iter().map(entity_cover_json).collect::<Vec<_>>(),
        "residual": s2.residual.as_ref().map(|r| json!({
            "chosen": {"factor": r.chosen.to_string(), "value": full(r.chosen_value), "unit": "tCO2e/MWh", "kind": r.chosen_kind, "scope2_market": full(r.scope2_market)},
            "alternative": {"factor": r.alternative.to_string(), "value": full(r.alternative_value), "unit": "tCO2e/MWh", "kind": r.alternative_kind, "scope2_market": full(r.scope2_market_alternative)},
            "uncovered_mwh": full(r.uncovered_mwh),
        })),
    })
}

/// One certificate row's allocation summary in JSON (an element of `scope2.allocations`).
pub(crate) fn allocation_json(a: &crate::calc::Allocation) -> Value {
    json!({
        "source": a.source.to_string(),
        "instrument": a.instrument,
        "from_entity": a.from_entity,
        "certificate_market": a.certificate_market,
        "entity": a.entity,
        "market": a.market,
        "mwh": full(a.mwh),
        "rule": a.rule,
        "basis": a.basis,
        "entities": a.entities,
        "rank": a.rank,
        "supplier_factor": a.supplier_factor.map(full),
        "deducted_t": full(a.deducted_t),
        "added_t": full(a.added_t),
    })
}

/// One entity's certificate cover in JSON (an element of `scope2.entities`).
pub(crate) fn entity_cover_json(e: &crate::calc::EntityCoverage) -> Value {
    json!({
        "entity": e.entity,
        "market": e.market,
        "grid_mwh": full(e.grid_mwh),
        "covered_mwh": full(e.covered_mwh),
        "certificates": e.certificates,
        "deducted_t": full(e.deducted_t),
        "added_t": full(e.added_t),
    })
}
