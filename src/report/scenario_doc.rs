//! The handover document of `ghg scenario`: baseline against scenario for every figure, a waterfall from the
//! baseline through each change to the scenario, and what each change costs per tonne avoided.

use super::doc::{Block, Cell, Chart, Column, Document, Finding, KeyFigure, Lang, Section, Severity, Table, Waterfall};
use super::labels::figure_label;
use crate::factor::FactorLibrary;
use crate::figure::{FigureId, SCOPE2_MARKET, TOTAL_LOCATION, TOTAL_MARKET};
use crate::scenario::ScenarioRun;

/// A change's label on one line: a line break in a multi-line label becomes a space, as in the table and Markdown.
fn one_line(s: &str) -> String {
    s.replace("\r\n", " ").replace(['\n', '\r'], " ")
}

/// The waterfall of one figure: baseline, the delta of each change, scenario (None if the figure is missing).
pub fn scenario_waterfall(r: &ScenarioRun, id: &str, lang: Lang, places: u32) -> Option<Waterfall> {
    let f = r.figures.iter().find(|f| f.id == id)?;
    let base = f.baseline?;
    let steps = r
        .changes
        .iter()
        .zip(&f.by_change)
        .map(|(c, d)| (format!("{}. {}", c.n, one_line(&c.description)), d.unwrap_or_default()))
        .collect();
    Some(Waterfall {
        title: match lang {
            Lang::En => format!("{}: baseline to scenario", figure_label(id, lang)),
            Lang::Zh => format!("{}：基准到情景", figure_label(id, lang)),
        },
        unit: lang.unit(&f.unit),
        start: (lang.pick("baseline", "基准").to_string(), base),
        steps,
        end: r.scenario.name.clone(),
        places,
    })
}

/// The scenario run as a document.
pub fn scenario_document(r: &ScenarioRun, _lib: Option<&FactorLibrary>, lang: Lang, places: u32) -> Document {
    let c = &r.baseline;
    let title = match lang {
        Lang::En => format!("{} {} — scenario: {}", c.organisation, c.year, r.scenario.name),
        Lang::Zh => format!("{} {} 年情景分析：{}", c.organisation, c.year, r.scenario.name),
    };
    let mut doc = Document::new(title, lang);
    doc.subtitle = r.scenario.description.clone();
    doc.stamp = super::provenance_stamp(c, lang);
    if let Some(p) = &r.scenario.path {
        doc.stamp.push((
            lang.pick("scenario", "情景文件").to_string(),
            format!("{} sha256 {}", p.display(), r.scenario.sha256.as_deref().unwrap_or("")),
        ));
    }
    if r.scenario_rows != r.rows {
        let n = &r.scenario_rows;
        doc.stamp.push((
            lang.pick("rows of the scenario", "情景数据行").to_string(),
            match lang {
                Lang::En => format!("{} read, {} used, {} rejected", n.read, n.used, n.rejected),
                Lang::Zh => format!("读取 {}，采用 {}，拒绝 {}", n.read, n.used, n.rejected),
            },
        ));
    }
    for ch in &r.changes {
        doc.stamp.push((format!("{} {}", lang.pick("change", "变更"), ch.n), one_line(&ch.description)));
    }
    let mut keys = Vec::new();
    for id in [TOTAL_MARKET, TOTAL_LOCATION].map(FigureId::as_str) {
        if let Some(f) = r.figures.iter().find(|f| f.id == id)
            && let (Some(b), Some(s)) = (f.baseline, f.scenario)
        {
            keys.push(KeyFigure {
                label: format!("{}{}", lang.pick("Scenario: ", "情景："), figure_label(id, lang)),
                value: s,
                unit: lang.unit(&f.unit),
                places,
                note: Some(format!("{} {} → {}", id, super::fmt_dec(b, places), super::fmt_dec(s, places))),
            });
        }
    }
    if let Some(a) = r.avoided_market {
        keys.push(KeyFigure {
            label: lang.pick("Avoided (market-based)", "减排量（基于市场）").to_string(),
            value: a,
            unit: "tCO2e".into(),
            places,
            note: None,
        });
    }
    if let Some(m) = r.cost {
        keys.push(KeyFigure {
            label: lang.pick("Cost", "成本").to_string(),
            value: m.value,
            unit: m.currency.to_string(),
            places: 0,
            note: r.cost_per_t_market.map(|x| format!("{} {}/tCO2e", super::fmt_dec(x, 2), m.currency)),
        });
    }
    doc.sections.push(Section::new(lang.pick("Key figures", "主要数据"), vec![Block::KeyFigures(keys)]));
    let charts: Vec<Block> = [TOTAL_MARKET, SCOPE2_MARKET, TOTAL_LOCATION]
        .map(FigureId::as_str)
        .iter()
        .filter_map(|id| scenario_waterfall(r, id, lang, places))
        .filter(|w| w.steps.iter().any(|(_, d)| !d.is_zero()))
        .map(|w| Block::Chart(Chart::Waterfall(w)))
        .collect();
    if !charts.is_empty() {
        doc.sections.push(Section::new(lang.pick("Baseline to scenario", "基准到情景"), charts));
    }
    // Every figure, with the delta of each change.
    let mut cols = vec![
        Column::code(lang.pick("figure", "指标代码")).width(26),
        Column::text(lang.pick("label", "名称")).width(34),
        Column::number(lang.pick("baseline", "基准"), places).width(16),
        Column::number(lang.pick("scenario", "情景"), places).width(16),
        Column::number(lang.pick("delta", "变化"), places).width(14),
        Column::text(lang.pick("unit", "单位")).width(16),
    ];
    for ch in &r.changes {
        cols.push(Column::number(format!("{} {}", lang.pick("change", "变更"), ch.n), places).width(12));
    }
    let rows = r
        .figures
        .iter()
        .map(|f| {
            let mut row = vec![
                Cell::text(&f.id),
                Cell::text(figure_label(&f.id, lang)),
                Cell::number(f.baseline),
                Cell::number(f.scenario),
                Cell::number(f.delta),
                Cell::text(lang.unit(&f.unit)),
            ];
            row.extend(f.by_change.iter().map(|d| Cell::number(*d)));
            row
        })
        .collect();
    doc.sections
        .push(Section::new(lang.pick("Figures", "核算结果"), vec![Block::Table(Table::new("Scenario", cols, rows))]));
    let rows = r
        .changes
        .iter()
        .map(|ch| {
            vec![
                Cell::Count(ch.n as u64),
                Cell::text(ch.kind),
                Cell::text(&ch.description),
                Cell::text(ch.location.to_string()),
                Cell::number(ch.cost.map(|m| m.value)),
                ch.cost.map(|m| Cell::text(m.currency.to_string())).unwrap_or(Cell::Empty),
                Cell::number(ch.avoided_market),
                Cell::number(ch.avoided_location),
                Cell::number(ch.cost_per_t_market),
            ]
        })
        .collect();
    doc.sections.push(Section::new(
        lang.pick("Changes", "变更"),
        vec![Block::Table(Table::new(
            "Changes",
            vec![
                Column::count("#").width(4),
                Column::code(lang.pick("kind", "类型")).width(20),
                Column::text(lang.pick("description", "说明")).width(50),
                Column::code(lang.pick("where", "位置")).width(30),
                Column::number(lang.pick("cost", "成本"), 0).width(14),
                Column::text(lang.pick("currency", "币种")).width(8),
                Column::number(lang.pick("avoided (market)", "减排（基于市场）"), places).width(14),
                Column::number(lang.pick("avoided (location)", "减排（基于位置）"), places).width(14),
                Column::number(lang.pick("cost per tCO2e (market)", "单位减排成本（基于市场）"), 2).width(14),
            ],
            rows,
        ))],
    ));
    let mut findings: Vec<Finding> = r
        .warnings
        .iter()
        .chain(&r.result.warnings)
        .map(|w| Finding {
            severity: Severity::Warning,
            code: w.code.to_string(),
            message: w.message.clone(),
            location: w.location.as_ref().map(|l| l.to_string()),
        })
        .collect();
    findings.dedup();
    findings.extend(r.rejected.iter().chain(&r.scenario_rejected).map(super::compute_doc::rejected_finding));
    doc.sections.push(Section::new(lang.pick("Findings", "发现事项"), vec![Block::Findings(findings)]));
    doc
}
