//! The base-year assessment as text, Markdown and JSON.

use rust_decimal::Decimal;

use super::{Assessment, Trigger};
use crate::report::{fmt_dec, md_code, md_text, term_text};

fn signed(x: Decimal, places: u32) -> String {
    let s = fmt_dec(x, places);
    if x > Decimal::ZERO && !s.starts_with('-') && s.chars().any(|c| c.is_ascii_digit() && c != '0') {
        format!("+{s}")
    } else {
        s
    }
}

fn pct(x: Decimal, places: u32) -> String {
    format!("{} %", fmt_dec(x, places))
}

fn yes(b: bool) -> &'static str {
    if b { "yes" } else { "no" }
}

fn step_header(t: Trigger) -> &'static str {
    match t {
        Trigger::Error => "with corrections",
        Trigger::Structural => "current boundary",
        Trigger::Method => "current factors",
    }
}

fn verdict(a: &Assessment, places: u32) -> String {
    let th = crate::report::full(a.policy.threshold);
    if a.required {
        format!("{} >= {th} %: the base year must be recalculated", pct(a.cumulative, places))
    } else {
        format!("{} < {th} %: no recalculation required; the base year stands", pct(a.cumulative, places))
    }
}

/// Lines shared by text and Markdown: (label, text).
fn entity_notes(a: &Assessment) -> Vec<String> {
    let mut v = Vec::new();
    if !a.acquired.is_empty() {
        v.push(format!(
            "joined since {}, base-year activity from the acquired ledgers (added): {}",
            a.base_year,
            a.acquired.join(", ")
        ));
    }
    if !a.without_base_year.is_empty() {
        v.push(format!(
            "joined since {} with no base-year activity in the acquired ledgers (organic growth or missing data: \
             nothing added): {}",
            a.base_year,
            a.without_base_year.join(", ")
        ));
    }
    if !a.divested.is_empty() {
        v.push(format!("left since {} (their base-year figures taken out): {}", a.base_year, a.divested.join(", ")));
    }
    v
}

fn table(rows: &[Vec<String>], right: &[bool]) -> String {
    let n = rows.iter().map(Vec::len).max().unwrap_or(0);
    let mut w = vec![0; n];
    for r in rows {
        for (i, c) in r.iter().enumerate() {
            w[i] = w[i].max(c.chars().count());
        }
    }
    let mut out = String::new();
    for r in rows {
        let mut line = String::new();
        for (i, c) in r.iter().enumerate() {
            let pad = w[i] - c.chars().count();
            if i > 0 {
                line.push_str("  ");
            }
            if right.get(i).copied().unwrap_or(false) {
                line.push_str(&" ".repeat(pad));
                line.push_str(c);
            } else {
                line.push_str(c);
                line.push_str(&" ".repeat(pad));
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

fn trigger_rows(a: &Assessment, places: u32) -> Vec<Vec<String>> {
    let mut rows = vec![vec![
        "trigger".to_string(),
        "in policy".to_string(),
        format!("change ({})", a.attribution.unit),
        format!("share of {} {}", a.base_year, a.policy.figure),
    ]];
    for t in &a.tests {
        rows.push(vec![
            t.trigger.name().to_string(),
            yes(t.in_policy).to_string(),
            signed(t.change, places),
            pct(t.share, places),
        ]);
    }
    rows
}

fn figure_rows(a: &Assessment, places: u32) -> Vec<Vec<String>> {
    let mut head = vec!["figure".to_string(), "unit".to_string(), format!("{} as computed", a.base_year)];
    if let Some(f) = a.figures.first() {
        head.extend(f.steps.iter().map(|s| format!("{} ({})", step_header(s.trigger), s.trigger.name())));
    }
    head.push(format!("{} recalculated", a.base_year));
    head.push(format!("{}", a.year));
    let mut rows = vec![head];
    for f in &a.figures {
        let mut r = vec![f.id.clone(), f.unit.clone(), fmt_dec(f.original, places)];
        r.extend(f.steps.iter().map(|s| fmt_dec(s.value, places)));
        r.push(fmt_dec(f.recalculated, places));
        r.push(f.current.map(|c| fmt_dec(c, places)).unwrap_or_else(|| "-".into()));
        rows.push(r);
    }
    rows
}

/// The assessment as aligned text.
pub fn render_text(a: &Assessment, places: u32) -> String {
    let at = &a.attribution;
    let mut s = String::new();
    s.push_str(&format!(
        "Base year of {}: {} against {} ({})\n",
        term_text(&a.organisation),
        a.base_year,
        a.year,
        term_text(&a.base_inventory.display().to_string())
    ));
    let names: Vec<&str> = a.policy.triggers.iter().map(|t| t.name()).collect();
    s.push_str(&format!(
        "policy: threshold {} %, triggers {}; test on {}\n",
        crate::report::full(a.policy.threshold),
        names.join(", "),
        a.policy.figure
    ));
    s.push_str(&format!("rule: {}\n\n", a.rule));
    s.push_str(&format!(
        "{} ({}): {} {} -> {} {}, change {} = boundary {} + activity {} + factors {} (sequential substitution, activity first)\n\n",
        a.policy.figure,
        at.unit,
        a.base_year,
        fmt_dec(at.from, places),
        a.year,
        fmt_dec(at.to, places),
        signed(at.change, places),
        signed(at.boundary, places),
        signed(at.activity, places),
        signed(at.factors, places)
    ));
    s.push_str(&table(&trigger_rows(a, places), &[false, false, true, true]));
    s.push_str(&format!("cumulative (policy's triggers): {}\n", verdict(a, places)));
    let notes = entity_notes(a);
    if !notes.is_empty() {
        s.push('\n');
        for n in notes {
            s.push_str(&format!("entities {}\n", term_text(&n)));
        }
    }
    let what = if a.required { "recalculated" } else { "as it would be recalculated (not required)" };
    s.push_str(&format!("\nbase year {} {what}, step by step:\n", a.base_year));
    let rows = figure_rows(a, places);
    let right: Vec<bool> = (0..rows[0].len()).map(|i| i >= 2).collect();
    s.push_str(&table(&rows, &right));
    s.push_str(&format!("\nrows: {}\n", rows_text(a)));
    for e in &a.rejected {
        s.push_str(&format!("  rejected: {}\n", term_text(&e.to_string())));
    }
    s
}

fn rows_text(a: &Assessment) -> String {
    a.rows
        .iter()
        .map(|r| {
            format!("{} read {}, used {}, rejected {}", r.calculation, r.counts.read, r.counts.used, r.counts.rejected)
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// The assessment as a Markdown document.
pub fn render_markdown(a: &Assessment, places: u32) -> String {
    let at = &a.attribution;
    let mut s = String::new();
    s.push_str(&format!("# Base year of {}: {} against {}\n\n", md_text(&a.organisation), a.base_year, a.year));
    let names: Vec<&str> = a.policy.triggers.iter().map(|t| t.name()).collect();
    s.push_str(&format!(
        "Base-year inventory {}; threshold {} %; triggers {}; test on `{}`.\n\n",
        md_code(&a.base_inventory.display().to_string()),
        crate::report::full(a.policy.threshold),
        names.join(", "),
        a.policy.figure
    ));
    s.push_str(&format!("**Rule.** {}\n\n", md_text(&a.rule)));
    s.push_str(&format!(
        "`{}` ({}): {} {} → {} {}, change {} = boundary {} + activity {} + factors {} (sequential substitution, \
         activity first).\n\n",
        a.policy.figure,
        at.unit,
        a.base_year,
        fmt_dec(at.from, places),
        a.year,
        fmt_dec(at.to, places),
        signed(at.change, places),
        signed(at.boundary, places),
        signed(at.activity, places),
        signed(at.factors, places)
    ));
    let md_table = |rows: &[Vec<String>], first_right: usize| {
        let mut t = String::new();
        for (i, r) in rows.iter().enumerate() {
            // Numbers are ours and shown as they are; any other cell is escaped.
            let cell = |c: &String| {
                if c.chars().all(|x| x.is_ascii_digit() || ",.+-% ".contains(x)) { c.clone() } else { md_text(c) }
            };
            t.push_str(&format!("| {} |\n", r.iter().map(cell).collect::<Vec<_>>().join(" | ")));
            if i == 0 {
                let sep: Vec<&str> = (0..r.len()).map(|j| if j >= first_right { "---:" } else { "---" }).collect();
                t.push_str(&format!("|{}|\n", sep.join("|")));
            }
        }
        t
    };
    s.push_str(&md_table(&trigger_rows(a, places), 2));
    s.push_str(&format!("\n**Verdict.** Cumulative share of the policy's triggers {}.\n", verdict(a, places)));
    let notes = entity_notes(a);
    if !notes.is_empty() {
        s.push('\n');
        for n in notes {
            s.push_str(&format!("- Entities {}\n", md_text(&n)));
        }
    }
    let what = if a.required { "recalculated" } else { "as it would be recalculated (not required)" };
    s.push_str(&format!("\n## Base year {} {what}\n\n", a.base_year));
    s.push_str(&md_table(&figure_rows(a, places), 2));
    s.push_str(&format!("\nRows: {}.\n", md_text(&rows_text(a))));
    for e in &a.rejected {
        s.push_str(&format!("\n- Rejected: {}", md_text(&e.to_string())));
    }
    if !a.rejected.is_empty() {
        s.push('\n');
    }
    s
}

/// The assessment as one JSON object (decimals as strings at full precision), starting with `schema_version`.
pub fn render_json(a: &Assessment) -> serde_json::Value {
    let mut m = serde_json::Map::new();
    m.insert("schema_version".into(), serde_json::json!(crate::report::JSON_SCHEMA_VERSION));
    if let Ok(serde_json::Value::Object(o)) = serde_json::to_value(a) {
        m.extend(o);
    }
    serde_json::Value::Object(m)
}
