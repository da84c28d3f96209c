//! The handover document of `ghg reconcile`: reported against recomputed figures for every year, the findings that
//! explain the gaps, and the year-on-year change attribution as waterfalls.

use rust_decimal::Decimal;

use super::doc::{
    BarChart, Block, Cell, Chart, Column, Document, Finding, KeyFigure, Lang, Section, Severity, Table, Waterfall,
};
use super::full;
use super::labels::figure_label;
use crate::factor::FactorLibrary;
use crate::reconcile::{Outcome, Reconciliation, Status};

/// The colour of a status in charts (Okabe–Ito: outside vermilion, within orange, consistent sky blue, exact green).
fn status_color(s: Status) -> &'static str {
    match s {
        Status::Outside => "#D55E00",
        Status::Within => "#E69F00",
        Status::Consistent => "#56B4E9",
        Status::Exact => "#009E73",
    }
}

fn status_severity(s: Status) -> Option<Severity> {
    match s {
        Status::Outside => Some(Severity::Error),
        Status::Within => Some(Severity::Warning),
        _ => None,
    }
}

/// The reconciliation as a document: key counts, a chart of the relative gaps, one table of every figure, the
/// change attribution (table and waterfalls), the findings, and the provenance of every year.
pub fn reconcile_document(r: &Reconciliation, _lib: Option<&FactorLibrary>, lang: Lang, places: u32) -> Document {
    let org = r.years.first().map(|y| y.organisation.clone()).unwrap_or_default();
    let years: Vec<String> = r.years.iter().map(|y| y.year.to_string()).collect();
    let title = match lang {
        Lang::En => format!("{org} — reported figures reconciled, {}", years.join(", ")),
        Lang::Zh => format!("{org} 报告数据核对（{} 年）", years.join("、")),
    };
    let mut doc = Document::new(title, lang);
    doc.subtitle = Some(
        lang.pick(
            "Every figure the report prints, against its recomputation from the ledger and published factors.",
            "报告所列每项数据与根据台账和公开排放因子重新核算的结果逐项对照。",
        )
        .to_string(),
    );
    // Each year's stamp leads with its boundary.
    for y in &r.years {
        for (k, v) in super::provenance_stamp(&y.computation, lang) {
            doc.stamp.push((format!("{} {k}", y.year), v));
        }
        doc.stamp
            .push((format!("{} {}", y.year, lang.pick("reported", "报告数据")), y.reported.path.display().to_string()));
    }
    // Key counts.
    let count = |s: Status| r.years.iter().flat_map(|y| &y.figures).filter(|f| f.status == s).count();
    let keys = [
        (Status::Exact, lang.pick("exact", "一致")),
        (Status::Consistent, lang.pick("consistent", "区间吻合")),
        (Status::Within, lang.pick("within tolerance", "容差内")),
        (Status::Outside, lang.pick("outside tolerance", "超出容差")),
    ]
    .into_iter()
    .map(|(s, label)| KeyFigure {
        label: label.to_string(),
        value: Decimal::from(count(s) as u64),
        unit: lang.pick("figures", "项").to_string(),
        places: 0,
        note: Some(s.name().to_string()),
    })
    .collect();
    doc.sections.push(Section::new(
        lang.pick("Verdict", "结论"),
        vec![
            Block::KeyFigures(keys),
            Block::Text(super::reconcile::verdict(r)),
            Block::Text(super::reconcile::STATUS_LEGEND.to_string()),
        ],
    ));
    // Relative gaps, one series per year.
    let mut ids: Vec<String> = Vec::new();
    for f in r.years.iter().flat_map(|y| &y.figures) {
        if !ids.contains(&f.id) {
            ids.push(f.id.clone());
        }
    }
    // Each bar in its figure's status colour; the tolerance, when every year states the same relative one, as a band.
    let colors: Vec<Vec<Option<String>>> = ids
        .iter()
        .map(|id| {
            r.years
                .iter()
                .map(|y| y.figures.iter().find(|f| &f.id == id).map(|f| status_color(f.status).to_string()))
                .collect()
        })
        .collect();
    let tolerances: Vec<&crate::reconcile::Tolerance> = r.years.iter().map(|y| &y.reported.tolerance).collect();
    let band = match tolerances.first() {
        Some(t) if t.absolute.is_none() && tolerances.iter().all(|x| x == t) => t.relative.and_then(|rel| {
            let pct = rel.checked_mul(Decimal::ONE_HUNDRED)?;
            Some((-pct, pct, format!("{} ±{}%", lang.pick("tolerance", "容差"), pct.normalize())))
        }),
        _ => None,
    };
    let legend: Vec<(String, String)> = [
        (Status::Exact, lang.pick("exact", "一致")),
        (Status::Consistent, lang.pick("consistent", "区间吻合")),
        (Status::Within, lang.pick("within tolerance", "容差内")),
        (Status::Outside, lang.pick("outside tolerance", "超出容差")),
    ]
    .into_iter()
    .map(|(s, label)| (label.to_string(), status_color(s).to_string()))
    .collect();
    let gap = BarChart {
        title: lang
            .pick("Recomputed against reported (relative difference)", "重新核算与报告数据的相对差异")
            .to_string(),
        unit: "%".into(),
        series: years.clone(),
        categories: ids
            .iter()
            .map(|id| {
                let vs = r
                    .years
                    .iter()
                    .map(|y| {
                        y.figures
                            .iter()
                            .find(|f| &f.id == id)
                            .and_then(|f| f.relative)
                            .map(|x| x.saturating_mul(Decimal::ONE_HUNDRED))
                            .unwrap_or_default()
                    })
                    .collect();
                (id.clone(), vs)
            })
            .collect(),
        stacked: false,
        places: 2,
        deductions: Vec::new(),
        colors,
        band,
        legend,
        gaps: Vec::new(),
    };
    // Every figure.
    let rows = r
        .years
        .iter()
        .flat_map(|y| y.figures.iter().map(move |f| (y.year, f)))
        .map(|(year, f)| {
            vec![
                Cell::Count(year as u64),
                Cell::text(&f.id),
                Cell::text(figure_label(&f.id, lang)),
                Cell::text(&f.printed.text),
                Cell::Number(f.printed.value),
                Cell::Number(f.recomputed),
                Cell::text(lang.unit(&f.unit)),
                Cell::Number(f.difference),
                // The fraction, shown as a percentage (the workbook's percent format multiplies by 100).
                match f.relative.map(|x| x.checked_mul(Decimal::ONE_HUNDRED)) {
                    Some(None) => Cell::text(format!(
                        "too large for a percent: difference / reported = {}",
                        f.relative.unwrap_or_default()
                    )),
                    _ => Cell::number(f.relative),
                },
                Cell::text(&f.tolerance_rule),
                Cell::text(f.status.name()),
                Cell::text(full(f.recomputed)),
                f.locator.as_ref().map(Cell::text).unwrap_or(Cell::Empty),
                match super::reconcile::status_text(f) {
                    t if t == f.status.name() => Cell::Empty,
                    t => Cell::text(t),
                },
            ]
        })
        .collect();
    // Figures outside tolerance stand out (filled in the workbook, marked in HTML).
    let highlight: Vec<usize> = r
        .years
        .iter()
        .flat_map(|y| &y.figures)
        .enumerate()
        .filter(|(_, f)| f.status == Status::Outside)
        .map(|(i, _)| i)
        .collect();
    let mut table = Table::new(
        "Reconciliation",
        vec![
            Column::integer(lang.pick("year", "年份")).width(7),
            Column::code(lang.pick("figure", "指标代码")).width(24),
            Column::text(lang.pick("label", "名称")).width(30),
            Column::text(lang.pick("printed", "报告原文")).width(26),
            Column::number(lang.pick("reported", "报告值"), places).width(16),
            Column::number(lang.pick("recomputed", "核算值"), places).width(16),
            Column::text(lang.pick("unit", "单位")).width(16),
            Column::number(lang.pick("difference", "差异"), places).width(14),
            Column::percent(lang.pick("relative %", "相对差异 %"), 2).width(11),
            Column::text(lang.pick("tolerance", "容差")).width(24),
            Column::code(lang.pick("status", "结果")).width(11),
            Column::code(lang.pick("exact recomputed", "核算精确值")).width(30),
            Column::text(lang.pick("locator", "出处")).width(50),
            Column::text(lang.pick("why this result", "结果说明")).width(40),
        ],
        rows,
    );
    table.highlight = highlight;
    doc.sections.push(Section::new(
        lang.pick("Reported and recomputed", "报告值与核算值"),
        vec![Block::Chart(Chart::Bars(gap)), Block::Table(table)],
    ));
    // Year-on-year change attribution.
    if !r.attributions.is_empty() {
        let mut blocks: Vec<Block> = r
            .attributions
            .iter()
            .filter(|a| !a.change.is_zero() || !a.from.is_zero())
            .map(|a| {
                let mut steps = vec![
                    (lang.pick("boundary", "边界").to_string(), a.boundary),
                    (lang.pick("activity", "活动量").to_string(), a.activity),
                    (lang.pick("factors", "排放因子").to_string(), a.factors),
                ];
                // From the reported figure when both years print it: reported, the recomputation's gap, the three
                // parts, the later report's gap, reported.
                let (start, end) = match a.reported {
                    Some((r0, r1)) => match (a.from.checked_sub(r0), r1.checked_sub(a.to)) {
                        (Some(g0), Some(g1)) => {
                            steps
                                .insert(0, (format!("{} {}", lang.pick("to recomputed", "至核算值"), a.from_year), g0));
                            steps.push((format!("{} {}", lang.pick("to reported", "至报告值"), a.to_year), g1));
                            let reported = lang.pick("reported", "报告");
                            ((format!("{} {reported}", a.from_year), r0), format!("{} {reported}", a.to_year))
                        }
                        _ => ((a.from_year.to_string(), a.from), a.to_year.to_string()),
                    },
                    None => ((a.from_year.to_string(), a.from), a.to_year.to_string()),
                };
                Block::Chart(Chart::Waterfall(Waterfall {
                    title: format!("{} {} → {}", figure_label(&a.figure, lang), a.from_year, a.to_year),
                    unit: lang.unit(&a.unit),
                    start,
                    steps,
                    end,
                    places,
                }))
            })
            .collect();
        let rows = r
            .attributions
            .iter()
            .map(|a| {
                vec![
                    Cell::text(&a.figure),
                    Cell::Count(a.from_year as u64),
                    Cell::Count(a.to_year as u64),
                    Cell::Number(a.from),
                    Cell::Number(a.to),
                    Cell::Number(a.change),
                    Cell::Number(a.boundary),
                    Cell::Number(a.activity),
                    Cell::Number(a.factors),
                    Cell::number(a.reported_change()),
                    Cell::text(lang.unit(&a.unit)),
                ]
            })
            .collect();
        blocks.push(Block::Table(Table::new(
            "Attribution",
            vec![
                Column::code(lang.pick("figure", "指标代码")).width(24),
                Column::integer(lang.pick("from", "基准年")).width(7),
                Column::integer(lang.pick("to", "比较年")).width(7),
                Column::number(lang.pick("from value", "基准值"), places).width(16),
                Column::number(lang.pick("to value", "比较值"), places).width(16),
                Column::number(lang.pick("change", "变化"), places).width(14),
                Column::number(lang.pick("boundary", "边界"), places).width(14),
                Column::number(lang.pick("activity", "活动量"), places).width(14),
                Column::number(lang.pick("factors", "排放因子"), places).width(14),
                Column::number(lang.pick("reported change", "报告变化"), places).width(14),
                Column::text(lang.pick("unit", "单位")).width(10),
            ],
            rows,
        )));
        doc.sections.push(Section::new(lang.pick("Year-on-year change", "同比变化归因"), blocks));
    }
    // Findings: statuses that need a look, then the explanations and internal checks.
    let mut findings: Vec<Finding> = Vec::new();
    for y in &r.years {
        for f in &y.figures {
            if let Some(sev) = status_severity(f.status) {
                findings.push(Finding {
                    severity: sev,
                    code: f.status.name().to_string(),
                    message: format!(
                        "{} {}: {} {} {} {} ({})",
                        f.id,
                        y.year,
                        lang.pick("reported", "报告"),
                        f.printed.text,
                        lang.pick("recomputed", "核算"),
                        super::fmt_dec(f.recomputed, f.detail_places()),
                        f.tolerance_rule
                    ),
                    location: f.locator.clone(),
                });
            }
        }
    }
    for f in r.findings() {
        findings.push(Finding {
            severity: match f.outcome {
                Outcome::Fails => Severity::Error,
                Outcome::DoesNotExplain | Outcome::Unchecked => Severity::Warning,
                _ => Severity::Info,
            },
            code: format!("{} ({})", f.kind.name(), f.outcome.name()),
            message: f.message.clone(),
            location: Some(format!("{} {}", f.year, f.figure.as_deref().unwrap_or(""))),
        });
    }
    // Outside figures and failing checks first, then what needs a look, then information (stable within each).
    findings.sort_by_key(|f| match f.severity {
        Severity::Error => 0,
        Severity::Warning => 1,
        Severity::Info => 2,
    });
    // The recomputations' fallbacks (factors used outside their year), as `ghg compute` reports them.
    for y in &r.years {
        for f in super::compute_findings(&y.computation, lang).into_iter().filter(|f| f.code.starts_with("fallback-")) {
            findings.push(Finding { message: format!("{} {}", y.year, f.message), ..f });
        }
    }
    // The recomputations' own warnings (identical ledgers, certificates, missing choices), each year's once.
    for y in &r.years {
        for w in &y.computation.warnings {
            findings.push(Finding {
                severity: Severity::Warning,
                code: w.code.to_string(),
                message: format!("{} {}", y.year, w.message),
                location: w.location.as_ref().map(|l| l.to_string()),
            });
        }
    }
    doc.sections.push(Section::new(lang.pick("Findings", "发现事项"), vec![Block::Findings(findings)]));
    doc
}
