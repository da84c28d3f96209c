//! The handover document of `ghg compute`: key figures, charts of scope 1 and 2 by activity and by entity, every
//! figure, findings, the factors used with their provenance, and the calculation lines with their citations.

use std::collections::{BTreeMap, BTreeSet};

use rust_decimal::Decimal;

use super::doc::{BarChart, Block, Cell, Chart, Column, Document, Finding, KeyFigure, Lang, Section, Severity, Table};
use super::full;
use super::labels::{activity_label, figure_label};
use crate::activity::{ACTIVITIES, Activity};
use crate::calc::{Computation, Line, UsedFactor};
use crate::factor::FactorLibrary;
use crate::figure::{
    ENERGY_TOTAL, FigureId, INTENSITY_TOTAL_MARKET, SCOPE1, SCOPE2_LOCATION, SCOPE2_MARKET, TOTAL_LOCATION,
    TOTAL_MARKET,
};

/// Lines shown in the HTML report (the workbook has all of them).
pub const HTML_LINES: usize = 200;

/// Sheet names of the compute workbook, in order (a contract: scripts read them).
pub const SHEETS: &[&str] = &["Summary", "By entity", "Factors", "Lines", "Findings", "Provenance"];

/// The provenance stamp of a computation as (label, value) pairs.
pub fn provenance_stamp(c: &Computation, lang: Lang) -> Vec<(String, String)> {
    let p = &c.provenance;
    let mut s = Vec::new();
    if let Some(b) = &c.boundary {
        s.push((lang.pick("boundary", "核算边界").to_string(), b.clone()));
    }
    s.extend([
        (lang.pick("tool", "工具").to_string(), p.tool.clone()),
        (
            lang.pick("inventory", "核算清单").to_string(),
            format!("{} sha256 {}", p.inventory.path.display(), p.inventory.sha256),
        ),
    ]);
    for f in &p.inputs {
        s.push((lang.pick("ledger", "活动数据台账").to_string(), format!("{} sha256 {}", f.path.display(), f.sha256)));
    }
    for f in &p.factor_files {
        s.push((
            lang.pick("factor file", "排放因子文件").to_string(),
            format!("{} sha256 {}", f.path.display(), f.sha256),
        ));
    }
    s.push((
        lang.pick("rows", "数据行").to_string(),
        match lang {
            Lang::En => format!("{} read, {} used, {} rejected", p.rows.read, p.rows.used, p.rows.rejected),
            Lang::Zh => format!("读取 {}，采用 {}，拒绝 {}", p.rows.read, p.rows.used, p.rows.rejected),
        },
    ));
    s
}

/// The findings of a computation: fallbacks (info), warnings, rejected rows (errors).
pub fn compute_findings(c: &Computation, lang: Lang) -> Vec<Finding> {
    let mut out = Vec::new();
    // A region fallback is a warning of its own (`region-fallback`); year fallbacks are worth knowing.
    for f in c.fallbacks.iter().filter(|f| f.kind != "region") {
        let what = if f.kind == "year" {
            match lang {
                Lang::En => format!("year {} (factor valid for {})", f.wanted, f.used),
                Lang::Zh => format!("{} 年（因子适用年份 {}）", f.wanted, f.used),
            }
        } else {
            match lang {
                Lang::En => format!("region {} (factor of {})", f.wanted, f.used),
                Lang::Zh => format!("地区 {}（采用 {} 的因子）", f.wanted, f.used),
            }
        };
        out.push(Finding {
            severity: Severity::Info,
            code: format!("fallback-{}", f.kind),
            message: match lang {
                Lang::En => format!(
                    "{} for {}: {} used for {what}, {} row{}",
                    f.choice,
                    f.activity,
                    f.factor,
                    f.rows,
                    if f.rows == 1 { "" } else { "s" }
                ),
                Lang::Zh => format!("{}（{}）：{} 用于{what}，共 {} 行", f.choice, f.activity, f.factor, f.rows),
            },
            location: Some(f.first_row.to_string()),
        });
    }
    for w in &c.warnings {
        out.push(Finding {
            severity: Severity::Warning,
            code: w.code.to_string(),
            message: w.message.clone(),
            location: w.location.as_ref().map(|l| l.to_string()),
        });
    }
    out.extend(c.rejected.iter().map(rejected_finding));
    out
}

/// A rejected row as a finding (an error): its kind, what is wrong and what to do, where.
pub(crate) fn rejected_finding(e: &crate::error::Error) -> Finding {
    Finding {
        severity: Severity::Error,
        code: format!("rejected-row ({})", e.kind.code()),
        message: match &e.hint {
            Some(h) => format!("{} ({h})", e.message),
            None => e.message.clone(),
        },
        location: e.location.as_ref().map(|l| l.to_string()),
    }
}

fn series(c: &Computation, lang: Lang) -> Vec<(&'static str, String)> {
    let mut s = vec![
        (SCOPE1.as_str(), lang.pick("Scope 1", "范围一").to_string()),
        (SCOPE2_LOCATION.as_str(), lang.pick("Scope 2 (location)", "范围二（基于位置）").to_string()),
    ];
    if c.figures.contains_key(SCOPE2_MARKET.as_str()) {
        s.push((SCOPE2_MARKET.as_str(), lang.pick("Scope 2 (market)", "范围二（基于市场）").to_string()));
    }
    s
}

/// Scope 1 and 2 by activity (scope 2 split by activity from the lines; from the totals when lines were not kept).
pub fn chart_by_activity(c: &Computation, lang: Lang, places: u32) -> BarChart {
    chart_by_activity_of(c, &LineDigest::of(&c.lines), lang, places)
}

fn chart_by_activity_of(c: &Computation, digest: &LineDigest, lang: Lang, places: u32) -> BarChart {
    let ser = series(c, lang);
    let mut by: BTreeMap<Activity, Vec<Decimal>> = BTreeMap::new();
    for a in ACTIVITIES {
        if let Some(f) = c.figures.get(&FigureId::scope1_of(a.name())) {
            by.entry(*a).or_insert_with(|| vec![Decimal::ZERO; ser.len()])[0] += f.value;
        }
    }
    let mut categories: Vec<(String, Vec<Decimal>)> = Vec::new();
    let mut deductions = Vec::new();
    if digest.count == 0 {
        let mut v = vec![Decimal::ZERO; ser.len()];
        for (i, (id, _)) in ser.iter().enumerate().skip(1) {
            v[i] = c.figures.get(*id).map(|f| f.value).unwrap_or_default();
        }
        for (a, vs) in &by {
            categories.push((activity_label(*a, lang).to_string(), vs.clone()));
        }
        if v.iter().any(|x| !x.is_zero()) {
            categories.push((lang.pick("Electricity and heat", "电力和热力").to_string(), v));
        }
    } else {
        for ((activity, figure), value) in &digest.by_activity {
            if let Some(i) = ser.iter().skip(1).position(|(id, _)| id == figure) {
                let v = &mut by.entry(*activity).or_insert_with(|| vec![Decimal::ZERO; ser.len()])[i + 1];
                *v = v.saturating_add(*value);
            }
        }
        for (a, vs) in &by {
            if vs.iter().any(|x| !x.is_zero()) {
                // Certificates lower scope 2 (market-based); they are not negative emissions: drawn hatched,
                // labelled so.
                if a.name() == "certificate" {
                    deductions.push(categories.len());
                    let label = format!("{} {}", activity_label(*a, lang), lang.pick("(deducted)", "（扣减）"));
                    categories.push((label, vs.clone()));
                } else {
                    categories.push((activity_label(*a, lang).to_string(), vs.clone()));
                }
            }
        }
    }
    BarChart {
        title: lang.pick("Scope 1 and 2 by activity", "按活动类型的范围一、范围二排放").to_string(),
        unit: lang.unit("tCO2e"),
        series: ser.into_iter().map(|s| s.1).collect(),
        categories,
        stacked: false,
        places,
        deductions,
        colors: Vec::new(),
        band: None,
        legend: Vec::new(),
        gaps: Vec::new(),
    }
}

/// Scope 1 and 2 by entity.
pub fn chart_by_entity(c: &Computation, lang: Lang, places: u32) -> BarChart {
    let ser = series(c, lang);
    let categories = c
        .by_entity
        .iter()
        .map(|(e, m)| (e.clone(), ser.iter().map(|(id, _)| m.get(*id).map(|f| f.value).unwrap_or_default()).collect()))
        .collect();
    BarChart {
        title: lang.pick("Scope 1 and 2 by entity", "按主体的范围一、范围二排放").to_string(),
        unit: lang.unit("tCO2e"),
        series: ser.into_iter().map(|s| s.1).collect(),
        categories,
        stacked: false,
        places,
        deductions: Vec::new(),
        colors: Vec::new(),
        band: None,
        legend: Vec::new(),
        gaps: Vec::new(),
    }
}

/// The summary table: every figure with its label, value, unit, exact value, interval and line count.
pub fn summary_table(c: &Computation, lang: Lang, places: u32) -> Table {
    let rows = c
        .ordered_ids()
        .into_iter()
        .map(|id| {
            let f = &c.figures[id];
            vec![
                Cell::text(id),
                Cell::text(figure_label(id, lang)),
                Cell::Number(f.value),
                Cell::text(lang.unit(&f.unit)),
                Cell::text(full(f.value)),
                Cell::number(f.half_width),
                Cell::Count(f.lines as u64),
                Cell::text(c.basis.get(id).map(String::as_str).unwrap_or("")),
            ]
        })
        .collect();
    Table::new(
        "Summary",
        vec![
            Column::code(lang.pick("figure", "指标代码")).width(26),
            Column::text(lang.pick("label", "名称")).width(36),
            Column::number(lang.pick("value", "数值"), places).width(18),
            Column::text(lang.pick("unit", "单位")).width(20),
            Column::code(lang.pick("exact value", "精确值")).width(34),
            Column::number(lang.pick("± half width", "区间半宽"), places).width(14),
            Column::count(lang.pick("lines", "明细行数")).width(10),
            Column::text(lang.pick("gas basis", "气体口径")).width(24),
        ],
        rows,
    )
}

fn by_entity_table(c: &Computation, lang: Lang, places: u32) -> Table {
    let mut rows = Vec::new();
    for (e, m) in &c.by_entity {
        let mut ids: Vec<&String> = m.keys().collect();
        ids.sort_by_key(|id| crate::figure::order_key(id));
        for id in ids {
            let f = &m[id];
            rows.push(vec![
                Cell::text(e),
                Cell::text(id),
                Cell::text(figure_label(id, lang)),
                Cell::Number(f.value),
                Cell::text(lang.unit(&f.unit)),
                Cell::text(full(f.value)),
            ]);
        }
    }
    Table::new(
        "By entity",
        vec![
            Column::text(lang.pick("entity", "主体")).width(20),
            Column::code(lang.pick("figure", "指标代码")).width(26),
            Column::text(lang.pick("label", "名称")).width(36),
            Column::number(lang.pick("value", "数值"), places).width(18),
            Column::text(lang.pick("unit", "单位")).width(12),
            Column::code(lang.pick("exact value", "精确值")).width(34),
        ],
        rows,
    )
}

/// One calculation line as a row of the Lines table.
fn line_row(l: &Line) -> Vec<Cell> {
    {
        {
            let refs: Vec<String> = l.factors.iter().map(|f| f.reference.to_string()).collect();
            let cites: Vec<String> = l.factors.iter().map(|f| format!("{}: {}", f.reference, f.citation)).collect();
            vec![
                Cell::text(&l.figure),
                Cell::text(l.source.to_string()),
                Cell::text(&l.entity),
                Cell::text(l.period.to_string()),
                Cell::text(l.activity.name()),
                Cell::text(&l.region),
                l.gas.map(|g| Cell::text(g.to_string())).unwrap_or(Cell::Empty),
                Cell::Number(l.quantity),
                Cell::text(&l.unit),
                Cell::Number(l.value),
                Cell::text(l.value_unit),
                Cell::text(full(l.value)),
                Cell::text(&*l.formula),
                Cell::text(refs.join(" ")),
                Cell::text(cites.join(" | ")),
            ]
        }
    }
}

/// The Lines table of the given lines (`in_all`: how many there are, when `lines` are only the first of them).
fn lines_table(lines: &[Line], in_all: u64, lang: Lang, places: u32) -> Table {
    let rows = lines.iter().map(line_row).collect();
    let mut t = Table::new(
        "Lines",
        vec![
            Column::code(lang.pick("figure", "指标代码")).width(20),
            Column::code(lang.pick("source", "来源")).width(30),
            Column::text(lang.pick("entity", "主体")).width(16),
            Column::text(lang.pick("period", "期间")).width(9),
            Column::code(lang.pick("activity", "活动")).width(12),
            Column::text(lang.pick("region", "地区")).width(9),
            Column::text(lang.pick("gas", "气体")).width(6),
            Column::number(lang.pick("quantity", "活动量"), places).width(14),
            Column::text(lang.pick("unit", "单位")).width(8),
            Column::number(lang.pick("value", "结果"), places).width(14),
            Column::text(lang.pick("value unit", "结果单位")).width(9),
            Column::code(lang.pick("exact value", "精确值")).width(30),
            Column::code(lang.pick("formula", "公式")).width(50),
            Column::code(lang.pick("factors", "因子")).width(34),
            Column::text(lang.pick("citations", "出处")).width(80),
        ],
        rows,
    );
    t.html_rows = Some(HTML_LINES);
    t.rows_in_all = Some(in_all);
    t
}

/// Every factor the lines used, with how often, its citation and its set's provenance (when `lib` is given).
pub fn factors_table(c: &Computation, lib: Option<&FactorLibrary>, lang: Lang) -> Table {
    factors_table_of(&LineDigest::of(&c.lines), lib, lang)
}

fn factors_table_of(digest: &LineDigest, lib: Option<&FactorLibrary>, lang: Lang) -> Table {
    let used = digest.factors.clone();
    let places = used.values().map(|(f, _)| f.value.normalize().scale()).max().unwrap_or(4).clamp(2, 10);
    let rows = used
        .into_iter()
        .map(|(key, (f, n))| {
            let set = lib.and_then(|l| l.get(&f.reference.set, &f.reference.edition));
            let meta =
                |g: &dyn Fn(&crate::factor::FactorSet) -> String| set.map(|s| Cell::text(g(s))).unwrap_or(Cell::Empty);
            vec![
                Cell::text(key),
                Cell::Number(f.value),
                Cell::text(&f.unit),
                Cell::text(&f.form),
                Cell::text(f.confidence.to_string()),
                Cell::text(&f.citation),
                Cell::Count(n),
                meta(&|s| s.meta.title.clone()),
                meta(&|s| s.meta.publisher.clone()),
                meta(&|s| s.meta.published.clone()),
                meta(&|s| s.meta.source.clone()),
                meta(&|s| s.meta.licence.clone()),
                meta(&|s| s.path.display().to_string()),
                meta(&|s| s.sha256.clone()),
            ]
        })
        .collect();
    Table::new(
        "Factors",
        vec![
            Column::code(lang.pick("factor", "因子")).width(40),
            Column::number(lang.pick("value", "数值"), places).width(14),
            Column::text(lang.pick("unit", "单位")).width(12),
            Column::code(lang.pick("form", "构成")).width(40),
            Column::text(lang.pick("confidence", "可信度")).width(11),
            Column::text(lang.pick("citation", "出处")).width(60),
            Column::count(lang.pick("lines", "明细行数")).width(8),
            Column::text(lang.pick("set title", "因子集")).width(36),
            Column::text(lang.pick("publisher", "发布机构")).width(30),
            Column::text(lang.pick("published", "发布日期")).width(12),
            Column::text(lang.pick("source", "来源文件")).width(50),
            Column::text(lang.pick("licence", "许可")).width(30),
            Column::code(lang.pick("file", "文件")).width(34),
            Column::code("sha256").width(66),
        ],
        rows,
    )
}

/// A small non-zero value with enough places to show a significant digit (up to six more than asked).
fn small(x: Decimal, places: u32) -> String {
    let mut p = places;
    while p < places + 6 && super::printed_is_zero(x, p) {
        p += 1;
    }
    super::fmt_dec(x, p)
}

/// The whole handover document of a computation. `lib` adds each factor set's provenance to the factors table.
///
/// ```
/// # use std::path::Path;
/// # let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/sheet");
/// use ghg::report::{Lang, compute_document, html, workbook};
/// let inv = ghg::Inventory::load(&dir.join("inventory.toml")).unwrap();
/// let lib = ghg::library_for(&inv, &[]).unwrap();
/// let c = ghg::compute(&inv, &lib, Default::default()).unwrap();
/// let doc = compute_document(&c, Some(&lib), Lang::Zh, 2);
/// assert!(html(&doc).contains("范围一排放"));
/// let bytes = workbook(&doc).unwrap();
/// assert!(bytes.len() > 1000);
/// ```
pub fn compute_document(c: &Computation, lib: Option<&FactorLibrary>, lang: Lang, places: u32) -> Document {
    compute_document_of(c, &LineDigest::of(&c.lines), &c.lines, lib, lang, places)
}

/// The compute document from a digest of the lines and the first of them (`first`; the rest are counted only).
fn compute_document_of(
    c: &Computation,
    digest: &LineDigest,
    first: &[Line],
    lib: Option<&FactorLibrary>,
    lang: Lang,
    places: u32,
) -> Document {
    let title = match lang {
        Lang::En => format!("{} — greenhouse-gas inventory {}", c.organisation, c.year),
        Lang::Zh => format!("{} {} 年温室气体排放核算报告", c.organisation, c.year),
    };
    let mut doc = Document::new(title, lang);
    doc.subtitle = Some(
        lang.pick(
            "Scope 1 and 2 emissions and energy, recomputed by ghg from the activity ledger and published emission factors; every figure traced to its ledger rows and factor citations.",
            "范围一、范围二排放及能耗由 ghg 根据活动数据台账和公开排放因子重新核算；每项数据均可追溯至台账行及因子出处。",
        )
        .to_string(),
    );
    doc.stamp = provenance_stamp(c, lang);
    let key_ids =
        [SCOPE1, SCOPE2_LOCATION, SCOPE2_MARKET, TOTAL_MARKET, TOTAL_LOCATION, ENERGY_TOTAL, INTENSITY_TOTAL_MARKET]
            .map(FigureId::as_str);
    let keys: Vec<KeyFigure> = key_ids
        .iter()
        .filter(|id| !(**id == TOTAL_LOCATION && c.figures.contains_key(TOTAL_MARKET.as_str())))
        .filter_map(|id| {
            c.figures.get(*id).map(|f| KeyFigure {
                label: figure_label(id, lang),
                value: f.value,
                unit: lang.unit(&f.unit),
                places,
                note: Some({
                    let mut n = match f.half_width {
                        Some(h) if !h.is_zero() => format!("{id} ± {}", small(h, places)),
                        _ => id.to_string(),
                    };
                    if let Some(b) = c.basis.get(*id) {
                        n.push_str(&format!(" · {b}"));
                    }
                    if let Some(u) = super::uncertainty::key_note(c, id, places) {
                        n.push_str(&format!(" · {u}"));
                    }
                    n
                }),
            })
        })
        .collect();
    doc.sections.push(Section::new(lang.pick("Key figures", "主要数据"), vec![Block::KeyFigures(keys)]));
    let mut charts = vec![Block::Chart(Chart::Bars(chart_by_activity_of(c, digest, lang, places)))];
    if !c.by_entity.is_empty() {
        charts.push(Block::Chart(Chart::Bars(chart_by_entity(c, lang, places))));
    }
    doc.sections.push(Section::new(lang.pick("Scope 1 and 2", "范围一与范围二"), charts));
    let mut summary = summary_table(c, lang, places);
    summary_formulas(&mut summary, c, digest);
    let mut notes = vec![Block::Table(summary)];
    notes.push(Block::Text(
        match lang {
            Lang::En => format!(
                "Values rounded half away from zero to {places} places; exact values in the workbook's 'exact value' column and in --format json."
            ),
            Lang::Zh => format!("数值按四舍五入保留 {places} 位小数；精确值见工作簿“精确值”列及 --format json。"),
        },
    ));
    notes.push(Block::Text(
        lang.pick(
            "Gas basis: the gases each emission figure holds; tCO2e counts CO2 with GWP 1, so a figure of CO2 only is in tCO2e too.",
            "气体口径：每项排放数据所含的温室气体；二氧化碳按 GWP 1 计入二氧化碳当量，故仅含二氧化碳的数据亦以 tCO2e 表示。",
        )
        .to_string(),
    ));
    for (id, why) in &c.not_computed {
        notes.push(Block::Text(match lang {
            Lang::En => format!("{id} is not computed: {why}."),
            Lang::Zh => format!("{id} 未计算：{why}。"),
        }));
    }
    doc.sections.push(Section::new(lang.pick("Figures", "核算结果"), notes));
    if let Some(u) = super::uncertainty::document_section(c, lang, places) {
        doc.sections.push(u);
    }
    if !c.by_entity.is_empty() {
        doc.sections
            .push(Section::new(lang.pick("By entity", "按主体"), vec![Block::Table(by_entity_table(c, lang, places))]));
    }
    doc.sections
        .push(Section::new(lang.pick("Findings", "发现事项"), vec![Block::Findings(compute_findings(c, lang))]));
    doc.sections.push(Section::new(
        lang.pick("Factors used", "所用排放因子"),
        vec![Block::Table(factors_table_of(digest, lib, lang))],
    ));
    doc.sections.push(Section::new(
        lang.pick("Calculation lines", "计算明细"),
        vec![Block::Table(lines_table(first, digest.count, lang, places))],
    ));
    doc
}

/// What the compute document takes from the calculation lines, gathered one line at a time: how many, the sums by
/// activity and figure (for the chart) and each factor used with its line count. Its size follows activities,
/// figures and factors, never lines.
#[derive(Debug, Default, Clone)]
pub struct LineDigest {
    /// Lines seen.
    pub count: u64,
    by_activity: BTreeMap<(Activity, String), Decimal>,
    factors: BTreeMap<String, (UsedFactor, u64)>,
    /// Each line figure's sum (None once it overflows) and the units its lines are in.
    by_figure: BTreeMap<String, (Option<Decimal>, BTreeSet<&'static str>)>,
}

impl LineDigest {
    /// The digest of lines kept in memory.
    pub fn of(lines: &[Line]) -> LineDigest {
        let mut d = LineDigest::default();
        for l in lines {
            d.add(l);
        }
        d
    }

    /// Count one more line.
    pub fn add(&mut self, l: &Line) {
        self.count += 1;
        match self.by_activity.get_mut(&(l.activity, l.figure.clone())) {
            Some(v) => *v = v.saturating_add(l.value),
            None => {
                self.by_activity.insert((l.activity, l.figure.clone()), l.value);
            }
        }
        for f in l.factors.iter() {
            self.factors.entry(f.reference.to_string()).or_insert_with(|| (f.clone(), 0)).1 += 1;
        }
        let e = self.by_figure.entry(l.figure.clone()).or_insert((Some(Decimal::ZERO), BTreeSet::new()));
        e.0 = e.0.and_then(|v| v.checked_add(l.value));
        e.1.insert(l.value_unit);
    }
}

/// The line figures whose lines make up figure `id`: its own, its sub-figures' (`scope1.gasoline` of `scope1`), and
/// its summands' (`scope1` and `scope2.market` of `total.market`).
fn line_figures<'a>(id: &str, digest: &'a LineDigest) -> Vec<&'a str> {
    let mut out: Vec<&str> = digest
        .by_figure
        .keys()
        .filter(|k| crate::figure::FigureId::new(id).gathers_line(k))
        .map(String::as_str)
        .collect();
    if out.is_empty()
        && let Some(parts) = crate::figure::FigureId::new(id).summands()
    {
        for p in parts {
            for k in line_figures(p.as_str(), digest) {
                if !out.contains(&k) {
                    out.push(k);
                }
            }
        }
    }
    out
}

/// Rows per worksheet of the Lines table (its header aside); the rest continue on `Lines (2)`, ...
const LINES_PER_SHEET: u64 = super::xlsx::MAX_ROWS as u64 - 1;

/// The Summary's values as live formulas over the Lines sheet(s): each figure that is the sum of its lines becomes
/// `SUMIFS(Lines!$J:$J,Lines!$A:$A,"<line figure>")+...` (one term per line figure and Lines sheet), with the exact
/// value its saved result; a figure that is not such a sum (intensities, ledger quantities, a sum that overflows or
/// mixes units) keeps its number.
fn summary_formulas(t: &mut Table, c: &Computation, digest: &LineDigest) {
    let sheets = digest.count.div_ceil(LINES_PER_SHEET).max(1);
    let names: Vec<String> =
        (0..sheets).map(|k| if k == 0 { "Lines".to_string() } else { format!("'Lines ({})'", k + 1) }).collect();
    for row in &mut t.rows {
        let Some(Cell::Text(id)) = row.first() else { continue };
        let Some(f) = c.figures.get(id.as_str()) else { continue };
        let leaves = line_figures(id, digest);
        if leaves.is_empty() {
            continue;
        }
        let mut sum = Some(Decimal::ZERO);
        let mut units: BTreeSet<&str> = BTreeSet::new();
        for l in &leaves {
            let (v, u) = &digest.by_figure[*l];
            sum = sum.and_then(|s| s.checked_add((*v)?));
            units.extend(u.iter().copied());
        }
        if sum != Some(f.value) || units.len() != 1 || !units.contains(f.unit.as_str()) {
            continue;
        }
        let terms: Vec<String> = leaves
            .iter()
            .flat_map(|l| {
                names.iter().map(move |s| format!("SUMIFS({s}!$J:$J,{s}!$A:$A,\"{}\")", l.replace('"', "\"\"")))
            })
            .collect();
        let formula = terms.join("+");
        // Excel's limit on a formula's length.
        if formula.chars().count() > 8000 {
            continue;
        }
        row[2] = Cell::Formula { formula, value: f.value };
    }
}

/// The compute report (`--format html` or `xlsx`) made while the lines are computed, in memory that does not grow
/// with them: HTML keeps the first [`HTML_LINES`] lines it shows; the workbook streams every line to its Lines
/// sheet as it comes.
#[derive(Debug)]
pub struct ComputeReport {
    digest: LineDigest,
    first: Vec<Line>,
    book: Option<super::xlsx::StreamedWorkbook>,
    lang: Lang,
    places: u32,
    by_period: Option<super::ByPeriod>,
}

impl ComputeReport {
    /// An HTML report.
    pub fn html(lang: Lang, places: u32) -> ComputeReport {
        ComputeReport { digest: LineDigest::default(), first: Vec::new(), book: None, lang, places, by_period: None }
    }

    /// An .xlsx workbook.
    pub fn xlsx(lang: Lang, places: u32) -> Result<ComputeReport, crate::error::Error> {
        let book = super::xlsx::StreamedWorkbook::new(lines_table(&[], 0, lang, places))?;
        Ok(ComputeReport {
            digest: LineDigest::default(),
            first: Vec::new(),
            book: Some(book),
            lang,
            places,
            by_period: None,
        })
    }

    /// Add the figures by period (a section before the findings, a `By month` or `By quarter` sheet).
    pub fn set_by_period(&mut self, b: super::ByPeriod) {
        self.by_period = Some(b);
    }

    /// Take one calculation line.
    pub fn line(&mut self, l: &Line) -> Result<(), crate::error::Error> {
        self.digest.add(l);
        match &mut self.book {
            Some(b) => b.push(&line_row(l))?,
            None if self.first.len() < HTML_LINES => self.first.push(l.clone()),
            None => {}
        }
        Ok(())
    }

    /// Write the finished report to `out`, for the computation the lines came from.
    pub fn finish_into(
        self,
        c: &Computation,
        lib: Option<&FactorLibrary>,
        out: &mut dyn std::io::Write,
    ) -> Result<(), crate::error::Error> {
        let mut doc = compute_document_of(c, &self.digest, &self.first, lib, self.lang, self.places);
        if let Some(b) = &self.by_period {
            super::add_by_period(&mut doc, b, self.places);
        }
        match self.book {
            Some(b) => b.finish_into(&doc, out),
            None => out.write_all(super::html::html(&doc).as_bytes()).map_err(|e| {
                crate::error::Error::new(crate::error::ErrorKind::Io, format!("cannot write the report: {e}"))
            }),
        }
    }
}
