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

/// The `ghg compute --format json` object: figures, lines, provenance, fallbacks, warnings.
pub fn computation_json(c: &Computation) -> Value {
    let mut figures = Map::new();
    for id in c.ordered_ids() {
        if let Some(f) = c.figures.get(id) {
            figures.insert(id.to_string(), figure_json(f));
        }
    }
    let by_entity: Map<String, Value> = c
        .by_entity
        .iter()
        .map(|(e, m)| {
            let mut ids: Vec<&String> = m.keys().collect();
            ids.sort_by_key(|id| crate::calc::figure_order(id));
            (e.clone(), Value::Object(ids.into_iter().map(|id| (id.clone(), figure_json(&m[id]))).collect()))
        })
        .collect();
    let p = &c.provenance;
    json!({
        "organisation": c.organisation,
        "year": c.year,
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
            "rows": {"read": p.rows.read, "used": p.rows.used, "rejected": p.rows.rejected},
        },
        "warnings": c.warnings.iter().map(|w| json!({
            "code": w.code, "message": w.message, "location": w.location.as_ref().map(|l| l.to_string()),
        })).collect::<Vec<_>>(),
        "rejected": c.rejected.iter().map(|e| json!({
            "kind": e.kind.code(), "location": e.location.as_ref().map(|l| l.to_string()), "message": e.message, "hint": e.hint,
        })).collect::<Vec<_>>(),
    })
}

/// The `ghg explain --format json` object.
pub fn trace_json(t: &Trace<'_>) -> Value {
    json!({
        "id": t.id,
        "value": full(t.figure.value),
        "unit": t.figure.unit,
        "formula": t.formula,
        "parts": t.parts.iter().map(|(id, f)| json!({"id": id, "value": full(f.value), "unit": f.unit})).collect::<Vec<_>>(),
        "lines": t.lines.iter().map(|l| lines_jsonl_row(l)).collect::<Vec<_>>(),
        "lines_sum": full(t.lines_sum),
    })
}
