//! The uncertainty of the figures, in every text format: a section of the table and Markdown, rows of the CSV, an
//! object under each figure in JSON, a line of `explain`, and a section (a table, a worksheet) of the html and xlsx
//! reports.

use std::fmt::Write;

use serde_json::{Value, json};

use super::doc::{Block, Cell, Column, Lang, Section, Table};
use super::labels::figure_label;
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

/// The uncertainty section of the compute document (`--format html` and `xlsx`): what was done, an `Uncertainty`
/// table of every figure's 95 % interval beside its value (numbers, and the exact decimals as text as the Summary
/// has them) with the inputs it counts as exact, and an `Uncertain inputs` table. None when none was asked for.
pub fn document_section(c: &Computation, lang: Lang, places: u32) -> Option<Section> {
    let a = c.uncertainty.as_ref()?;
    let rows = c
        .ordered_ids()
        .into_iter()
        .filter_map(|id| {
            let (f, u) = (&c.figures[id], a.figures.get(id)?);
            Some(vec![
                Cell::text(id),
                Cell::text(figure_label(id, lang)),
                Cell::Number(f.value),
                Cell::Number(u.lower),
                Cell::Number(u.upper),
                Cell::text(lang.unit(&f.unit)),
                Cell::number(u.minus_percent),
                Cell::number(u.plus_percent),
                Cell::text(full(u.lower)),
                Cell::text(full(u.upper)),
                Cell::text(u.not_covered.join(", ")),
            ])
        })
        .collect();
    let figures = Table::new(
        "Uncertainty",
        vec![
            Column::code(lang.pick("figure", "指标代码")).width(26),
            Column::text(lang.pick("label", "名称")).width(36),
            Column::number(lang.pick("value", "数值"), places).width(18),
            Column::number(lang.pick("lower (95 %)", "下限（95 %）"), places).width(18),
            Column::number(lang.pick("upper (95 %)", "上限（95 %）"), places).width(18),
            Column::text(lang.pick("unit", "单位")).width(20),
            Column::number(lang.pick("− % of value", "低于数值 %"), 2).width(12),
            Column::number(lang.pick("+ % of value", "高于数值 %"), 2).width(12),
            Column::code(lang.pick("exact lower", "精确下限")).width(34),
            Column::code(lang.pick("exact upper", "精确上限")).width(34),
            Column::text(lang.pick("not covered (counted exact)", "未覆盖（按精确计）")).width(60),
        ],
        rows,
    );
    let inputs = Table::new(
        "Uncertain inputs",
        vec![
            Column::code(lang.pick("input", "输入")).width(40),
            Column::text(lang.pick("uncertainty", "不确定性")).width(36),
            Column::code(lang.pick("declared at", "声明位置")).width(50),
            Column::text(lang.pick("source", "来源")).width(60),
        ],
        a.inputs
            .iter()
            .map(|i| {
                vec![
                    Cell::text(&i.input),
                    Cell::text(describe(&i.uncertainty.spread)),
                    Cell::text(&i.declared_at),
                    i.uncertainty.source.as_ref().map(Cell::text).unwrap_or(Cell::Empty),
                ]
            })
            .collect(),
    );
    let how = match lang {
        Lang::En => format!(
            "95 % intervals by {}; central values unchanged. Each ledger row of an activity is an input of its own; an input given no uncertainty counts as exact and is named under 'not covered'.",
            a.method.describe()
        ),
        Lang::Zh => format!(
            "95 % 置信区间，方法：{}；核算数值不变。每个活动的每一台账行为独立输入；未给出不确定性的输入按精确值计，列于“未覆盖”。",
            a.method.describe()
        ),
    };
    let mut blocks = vec![Block::Text(how), Block::Table(figures)];
    if a.inputs.is_empty() {
        blocks.push(Block::Text(
            lang.pick(
                "Uncertain inputs: none; every factor and activity counts as exact.",
                "不确定输入：无；所有因子和活动数据均按精确值计。",
            )
            .to_string(),
        ));
    }
    blocks.push(Block::Table(inputs));
    Some(Section::new(lang.pick("Uncertainty", "不确定性"), blocks))
}

/// `95 % [lower .. upper]` of a figure, for the note under a key figure; None when it has no interval.
pub fn key_note(c: &Computation, id: &str, places: u32) -> Option<String> {
    let u = c.uncertainty.as_ref()?.figures.get(id)?;
    Some(format!("95 % [{} .. {}]", fmt_dec(u.lower, places), fmt_dec(u.upper, places)))
}
