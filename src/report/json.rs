//! JSON renderings. Decimals are strings at full precision.

use serde_json::{Map, Value, json};

use super::full;
use crate::calc::{Computation, Figure, Line, Trace};

fn figure_json(f: &Figure) -> Value {
    let mut m = Map::new();
    m.insert("value".into(), json!(full(f.value)));
    m.insert("unit".into(), json!(f.unit));
    if let Some(h) = f.half_width {
        m.insert("half_width".into(), json!(full(h)));
    }
    Value::Object(m)
}

/// One line as a JSON object (also one row of a JSON Lines file).
pub fn lines_jsonl_row(l: &Line) -> Value {
    let mut m = Map::new();
    m.insert("figure".into(), json!(l.figure));
    m.insert("source".into(), json!(l.source.to_string()));
    m.insert("entity".into(), json!(l.entity));
    m.insert("period".into(), json!(l.period.to_string()));
    m.insert("activity".into(), json!(l.activity.name()));
    m.insert("region".into(), json!(l.region));
    m.insert("gas".into(), json!(l.gas.map(|g| g.to_string())));
    m.insert("quantity".into(), json!(full(l.quantity)));
    m.insert("unit".into(), json!(l.unit));
    m.insert(
        "factors".into(),
        Value::Array(
            l.factors
                .iter()
                .map(|f| {
                    json!({
                        "ref": f.reference.to_string(),
                        "value": full(f.value),
                        "unit": f.unit,
                        "form": f.form,
                        "confidence": f.confidence.to_string(),
                        "citation": f.citation,
                    })
                })
                .collect(),
        ),
    );
    m.insert("formula".into(), json!(&*l.formula));
    m.insert("value".into(), json!(full(l.value)));
    m.insert("value_unit".into(), json!(l.value_unit));
    if let Some(h) = l.half_width {
        m.insert("half_width".into(), json!(full(h)));
    }
    Value::Object(m)
}

/// One entity's figures, in canonical order.
fn entity_json(m: &std::collections::BTreeMap<String, Figure>) -> Value {
    Value::Object(entity_ids(m).into_iter().map(|id| (id.clone(), figure_json(&m[id]))).collect())
}

fn entity_ids(m: &std::collections::BTreeMap<String, Figure>) -> Vec<&String> {
    let mut ids: Vec<&String> = m.keys().collect();
    ids.sort_by_key(|id| crate::figure::order_key(id));
    ids
}

/// [`entity_json`] pretty-printed at the depth of `by_entity` (each line after the first indented by four spaces),
/// exactly as `serde_json::to_string_pretty` prints it, but written straight out: a portfolio's ledger has
/// thousands of entities, and building and re-indenting each one's JSON value cost more than reading its rows.
fn write_entity_json(
    m: &std::collections::BTreeMap<String, Figure>,
    w: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    let s = |w: &mut dyn std::io::Write, t: &str| serde_json::to_writer(&mut *w, t).map_err(std::io::Error::other);
    if m.is_empty() {
        return w.write_all(b"{}");
    }
    for (j, id) in entity_ids(m).into_iter().enumerate() {
        let f = &m[id];
        w.write_all(if j == 0 { b"{\n      " } else { b",\n      " })?;
        s(w, id)?;
        w.write_all(b": {\n        \"value\": ")?;
        s(w, &full(f.value))?;
        w.write_all(b",\n        \"unit\": ")?;
        s(w, &f.unit)?;
        if let Some(h) = f.half_width {
            w.write_all(b",\n        \"half_width\": ")?;
            s(w, &full(h))?;
        }
        w.write_all(b"\n      }")?;
    }
    w.write_all(b"\n    }")
}

/// Write [`computation_json`] pretty-printed (exactly as `serde_json::to_string_pretty` prints it) without
/// building it: the parts that grow with the ledger (`by_entity`, `lines`) are written one entity or line at a
/// time, so memory stays small for large inputs. The computation is lent mutably only to set those parts aside.
pub fn write_computation_json(c: &mut Computation, w: &mut dyn std::io::Write) -> std::io::Result<()> {
    write_computation_json_with(c, None, w)
}

/// [`write_computation_json`] with the figures by period (`by_period`, after `by_entity`) when given.
pub fn write_computation_json_with(
    c: &mut Computation,
    by_period: Option<&super::ByPeriod>,
    w: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    let by_entity = std::mem::take(&mut c.by_entity);
    let lines = std::mem::take(&mut c.lines);
    let warnings = std::mem::take(&mut c.warnings);
    let allocations = std::mem::take(&mut c.scope2.allocations);
    let entities = std::mem::take(&mut c.scope2.entities);
    let light = computation_json(c);
    c.by_entity = by_entity;
    c.lines = lines;
    c.warnings = warnings;
    c.scope2.allocations = allocations;
    c.scope2.entities = entities;
    let pretty = |v: &Value, indent: &str| -> String {
        let s = serde_json::to_string_pretty(v).unwrap_or_default();
        s.replace('\n', &format!("\n{indent}"))
    };
    // An array written element by element, each built and printed alone, as serde_json prints the whole array.
    fn array<T>(
        w: &mut dyn std::io::Write,
        items: &[T],
        indent: &str,
        element: impl Fn(&T) -> Value,
        pretty: &dyn Fn(&Value, &str) -> String,
    ) -> std::io::Result<()> {
        if items.is_empty() {
            return w.write_all(b"[]");
        }
        let inner = format!("{indent}  ");
        w.write_all(b"[")?;
        for (j, x) in items.iter().enumerate() {
            w.write_all(if j == 0 { b"\n" } else { b",\n" })?;
            w.write_all(inner.as_bytes())?;
            w.write_all(pretty(&element(x), &inner).as_bytes())?;
        }
        write!(w, "\n{indent}]")
    }
    let key = |k: &str| serde_json::to_string(k).unwrap_or_default();
    let Value::Object(mut top) = light else { return Ok(()) };
    if let Some(b) = by_period {
        let at = top.keys().position(|k| k == "by_entity").map_or(top.len(), |i| i + 1);
        top.shift_insert(at, "by_period".to_string(), super::by_period_json(b));
    }
    w.write_all(b"{")?;
    for (i, (k, v)) in top.iter().enumerate() {
        w.write_all(if i == 0 { b"\n  " } else { b",\n  " })?;
        write!(w, "{}: ", key(k))?;
        match k.as_str() {
            "by_entity" if !c.by_entity.is_empty() => {
                w.write_all(b"{")?;
                for (j, (e, m)) in c.by_entity.iter().enumerate() {
                    w.write_all(if j == 0 { b"\n    " } else { b",\n    " })?;
                    write!(w, "{}: ", key(e))?;
                    write_entity_json(m, w)?;
                }
                w.write_all(b"\n  }")?;
            }
            "lines" if !c.lines.is_empty() => {
                w.write_all(b"[")?;
                for (j, l) in c.lines.iter().enumerate() {
                    w.write_all(if j == 0 { b"\n    " } else { b",\n    " })?;
                    w.write_all(pretty(&lines_jsonl_row(l), "    ").as_bytes())?;
                }
                w.write_all(b"\n  ]")?;
            }
            "warnings" => array(w, &c.warnings, "  ", warning_json, &pretty)?,
            "scope2" => {
                // Its per-certificate and per-entity lists grow with the ledger: written element by element.
                let Value::Object(s2) = v else { return Ok(()) };
                w.write_all(b"{")?;
                for (j, (k2, v2)) in s2.iter().enumerate() {
                    w.write_all(if j == 0 { b"\n    " } else { b",\n    " })?;
                    write!(w, "{}: ", key(k2))?;
                    match k2.as_str() {
                        "allocations" => {
                            array(w, &c.scope2.allocations, "    ", super::scope2::allocation_json, &pretty)?
                        }
                        "entities" => array(w, &c.scope2.entities, "    ", super::scope2::entity_cover_json, &pretty)?,
                        _ => w.write_all(pretty(v2, "    ").as_bytes())?,
                    }
                }
                w.write_all(if s2.is_empty() { b"}" } else { b"\n  }" })?;
            }
            _ => w.write_all(pretty(v, "  ").as_bytes())?,
        }
    }
    w.write_all(if top.is_empty() { b"}" } else { b"\n}" })
}

/// The `ghg compute --format json` object: figures, lines, provenance, fallbacks, warnings.
pub fn computation_json(c: &Computation) -> Value {
    let mut figures = Map::new();
    for id in c.ordered_ids() {
        if let Some(f) = c.figures.get(id) {
            let mut v = figure_json(f);
            if let (Some(b), Value::Object(m)) = (c.basis.get(id), &mut v) {
                m.insert("basis".into(), json!(b));
            }
            if let (Some(u), Value::Object(m)) = (super::uncertainty::figure_json(c, id), &mut v) {
                m.insert("uncertainty".into(), u);
            }
            figures.insert(id.to_string(), v);
        }
    }
    let by_entity: Map<String, Value> = c.by_entity.iter().map(|(e, m)| (e.clone(), entity_json(m))).collect();
    let p = &c.provenance;
    json!({
        "schema_version": super::JSON_SCHEMA_VERSION,
        "organisation": c.organisation,
        "year": c.year,
        "boundary": c.boundary,
        "figures": figures,
        "by_entity": by_entity,
        "scope2": super::scope2_json(c),
        "lines": c.lines.iter().map(lines_jsonl_row).collect::<Vec<_>>(),
        "fallbacks": c.fallbacks.iter().map(|f| json!({
            "kind": f.kind, "choice": f.choice, "activity": f.activity.name(), "wanted": f.wanted,
            "used": f.used, "factor": f.factor.to_string(), "rows": f.rows, "first_row": f.first_row.to_string(),
        })).collect::<Vec<_>>(),
        "provenance": {
            "tool": p.tool,
            "inventory": {"path": p.inventory.path.display().to_string(), "sha256": p.inventory.sha256},
            "factor_files": p.factor_files.iter().map(|f| json!({"path": f.path.display().to_string(), "sha256": f.sha256})).collect::<Vec<_>>(),
            "inputs": p.inputs.iter().map(|f| json!({"path": f.path.display().to_string(), "sha256": f.sha256})).collect::<Vec<_>>(),
            "rows": rows_json(&p.rows),
        },
        "warnings": c.warnings.iter().map(warning_json).collect::<Vec<_>>(),
        "rejected": c.rejected.iter().map(rejected_json).collect::<Vec<_>>(),
        "not_computed": c.not_computed,
    })
}

/// A warning in JSON: its code, message and location.
pub(crate) fn warning_json(w: &crate::calc::Warning) -> Value {
    json!({"code": w.code, "message": w.message, "location": w.location.as_ref().map(|l| l.to_string())})
}

/// A rejected row in JSON: the kind of problem, where, what, and what to do.
pub(crate) fn rejected_json(e: &crate::error::Error) -> Value {
    json!({
        "kind": e.kind.code(), "location": e.location.as_ref().map(|l| l.to_string()), "message": e.message, "hint": e.hint,
    })
}

/// Row counts in JSON.
pub(crate) fn rows_json(r: &crate::calc::RowCounts) -> Value {
    json!({"read": r.read, "used": r.used, "rejected": r.rejected})
}

/// The `ghg explain --format json` object.
pub fn trace_json(t: &Trace<'_>) -> Value {
    let mut v = json!({
        "schema_version": super::JSON_SCHEMA_VERSION,
        "id": t.id,
        "value": full(t.figure.value),
        "unit": t.figure.unit,
        "formula": t.formula,
        "parts": t.parts.iter().map(|(id, f)| json!({"id": id, "value": full(f.value), "unit": f.unit})).collect::<Vec<_>>(),
        "lines": t.lines.iter().map(|l| lines_jsonl_row(l)).collect::<Vec<_>>(),
        "lines_sum": full(t.lines_sum),
    });
    if let (Some(b), Value::Object(m)) = (t.basis, &mut v) {
        m.insert("basis".into(), json!(b));
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal::Decimal;
    use std::collections::BTreeMap;
    use std::str::FromStr;

    fn fig(v: &str, unit: &str, half: Option<&str>) -> Figure {
        let d = |s: &str| Decimal::from_str(s).expect("decimal");
        Figure { value: d(v), unit: unit.into(), half_width: half.map(d), lines: 1 }
    }

    /// The streamed entity object is byte for byte what pretty-printing its JSON value and indenting it gives.
    #[test]
    fn the_streamed_computation_prints_like_serde_json() {
        // The seed example: lines, per-entity figures, a certificate allocation, per-entity cover and warnings.
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/hikvision-2024");
        let inv = crate::Inventory::load(&dir.join("inventory.toml")).expect("inventory");
        let lib = crate::library_for(&inv, &[]).expect("library");
        let mut c = crate::calc::compute(&inv, &lib, crate::calc::ComputeOptions::default()).expect("computes");
        assert!(!c.scope2.allocations.is_empty() && !c.scope2.entities.is_empty() && !c.warnings.is_empty());
        for _ in 0..2 {
            let want = serde_json::to_string_pretty(&computation_json(&c)).expect("json");
            let mut got = Vec::new();
            write_computation_json(&mut c, &mut got).expect("write");
            assert_eq!(String::from_utf8(got).expect("utf-8"), want);
            // And with the lists empty.
            c.warnings.clear();
            c.scope2.allocations.clear();
            c.scope2.entities.clear();
            c.lines.clear();
        }
    }

    #[test]
    fn streamed_entities_print_like_serde_json() {
        let mut m = BTreeMap::new();
        m.insert("activity.diesel".to_string(), fig("12.500", "t", None));
        m.insert("scope1".to_string(), fig("3.1", "tCO2e", Some("0.05")));
        m.insert("scope1.diesel".to_string(), fig("3.1", "tCO2e", Some("0.05")));
        m.insert("energy.total".to_string(), fig("0", "tce", None));
        m.insert("x \"quoted\"\n".to_string(), fig("-1", "t", None));
        for m in [m, BTreeMap::new()] {
            let want = serde_json::to_string_pretty(&entity_json(&m)).expect("json").replace('\n', "\n    ");
            let mut got = Vec::new();
            write_entity_json(&m, &mut got).expect("write");
            assert_eq!(String::from_utf8(got).expect("utf-8"), want);
        }
    }
}
