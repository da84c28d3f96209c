//! Figures by month or by quarter: each figure's calculation lines summed by the period of their ledger rows.
//!
//! The sums are exact (the lines are carried at a fixed scale, so the periods of a figure add up to it). A row is
//! never split: a row dated by quarter keeps its quarter in a table by month, and a row dated by the whole year
//! keeps its own "whole year" column in both granularities. Rows dated by month are gathered into their quarter
//! in a table by quarter (an exact sum, not a split). Figures that are not sums of lines (intensities: ratios to a
//! yearly denominator) are named with the reason, not shown.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::str::FromStr;

use rust_decimal::Decimal;
use serde_json::{Map, Value, json};

use super::doc::{BarChart, Block, Cell, Chart, Column, Document, Lang, Section, Table};
use super::{csv_cell, csv_row, fmt_dec, full, lpad, md_code, md_text, pad, term_text};
use crate::activity::Period;
use crate::calc::{Computation, Line};
use crate::error::{Error, Location};
use crate::figure::{FigureId, SCOPE1, SCOPE2_LOCATION};

/// The periods figures are shown by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Granularity {
    /// Calendar months (rows dated by quarter or by year keep their own columns).
    Month,
    /// Quarters (rows dated by month are gathered into their quarter; rows dated by year keep their column).
    Quarter,
}

impl Granularity {
    /// `month` or `quarter`.
    pub fn name(self) -> &'static str {
        match self {
            Granularity::Month => "month",
            Granularity::Quarter => "quarter",
        }
    }
    /// The period a line of `p` is counted in: a month becomes its quarter by quarter; nothing is split.
    fn key(self, p: Period) -> Period {
        match self {
            Granularity::Quarter if (1..=12).contains(&p.part) => {
                Period { year: p.year, part: 100 + (p.part - 1) / 3 + 1 }
            }
            _ => p,
        }
    }
}

impl FromStr for Granularity {
    type Err = String;
    fn from_str(s: &str) -> Result<Granularity, String> {
        match s.trim().to_ascii_lowercase().as_str() {
            "month" | "monthly" | "months" => Ok(Granularity::Month),
            "quarter" | "quarterly" | "quarters" => Ok(Granularity::Quarter),
            other => Err(format!("unknown period '{other}' (month or quarter)")),
        }
    }
}

/// Column order: by year; within a year the months (1-12), then the quarters (101-104), then the whole year.
fn column_order(p: &Period) -> (i32, bool, u8) {
    (p.year, p.part == 0, p.part)
}

/// The lines' sums by line figure and period, gathered one line at a time (its size follows figures and periods,
/// never lines).
#[derive(Debug, Clone)]
pub struct PeriodDigest {
    granularity: Granularity,
    /// Line figure -> period -> sum (None once it overflows).
    sums: BTreeMap<String, BTreeMap<Period, Option<Decimal>>>,
    /// Line figure -> the units of its lines.
    units: BTreeMap<String, BTreeSet<&'static str>>,
    /// Periods as the rows are dated (before gathering months into quarters).
    dated: BTreeSet<Period>,
}

impl PeriodDigest {
    /// An empty digest.
    pub fn new(granularity: Granularity) -> PeriodDigest {
        PeriodDigest { granularity, sums: BTreeMap::new(), units: BTreeMap::new(), dated: BTreeSet::new() }
    }

    /// Count one more line.
    pub fn add(&mut self, l: &Line) {
        self.dated.insert(l.period);
        let key = self.granularity.key(l.period);
        let by = match self.sums.get_mut(l.figure.as_str()) {
            Some(m) => m,
            None => self.sums.entry(l.figure.clone()).or_default(),
        };
        let s = by.entry(key).or_insert(Some(Decimal::ZERO));
        *s = s.and_then(|v| v.checked_add(l.value));
        match self.units.get_mut(l.figure.as_str()) {
            Some(u) => {
                u.insert(l.value_unit);
            }
            None => {
                self.units.entry(l.figure.clone()).or_default().insert(l.value_unit);
            }
        }
    }

    /// The line figures whose lines make up figure `id`: those it gathers, or its summands' when it gathers none.
    fn leaves(&self, id: &str) -> Vec<&str> {
        let mut out: Vec<&str> =
            self.sums.keys().filter(|k| FigureId::new(id).gathers_line(k)).map(String::as_str).collect();
        if out.is_empty()
            && let Some(parts) = FigureId::new(id).summands()
        {
            for p in parts {
                for k in self.leaves(p.as_str()) {
                    if !out.contains(&k) {
                        out.push(k);
                    }
                }
            }
        }
        out
    }

    /// The table of `c`'s figures by period. A sum that overflows is an error (never a 0).
    pub fn table(&self, c: &Computation) -> Result<ByPeriod, Error> {
        // An overflow is located at the inventory whose rows it sums.
        let overflow = |what: String| Error::overflow(what).at(Location::file(&c.provenance.inventory.path));
        // Columns: every month (quarter) of a year that has a row dated by month (by month or quarter), so that a
        // month without rows shows as a gap; then the periods that are not split, as the rows have them.
        let mut cols: BTreeSet<Period> = BTreeSet::new();
        for k in self.sums.values().flat_map(|m| m.keys()) {
            cols.insert(*k);
        }
        let full_years: BTreeSet<i32> = cols
            .iter()
            .filter(|p| match self.granularity {
                Granularity::Month => (1..=12).contains(&p.part),
                Granularity::Quarter => p.part > 0,
            })
            .map(|p| p.year)
            .collect();
        for y in full_years {
            match self.granularity {
                Granularity::Month => cols.extend((1..=12).map(|m| Period { year: y, part: m })),
                Granularity::Quarter => cols.extend((101..=104).map(|q| Period { year: y, part: q })),
            }
        }
        let mut periods: Vec<Period> = cols.into_iter().collect();
        periods.sort_by_key(column_order);
        let at: BTreeMap<Period, usize> = periods.iter().enumerate().map(|(i, p)| (*p, i)).collect();

        let mut rows = Vec::new();
        let mut not_shown = Vec::new();
        for id in c.ordered_ids() {
            let f = &c.figures[id];
            if FigureId::new(id).is_intensity() {
                not_shown.push((id.to_string(), "a ratio to a yearly denominator, not a sum of rows".to_string()));
                continue;
            }
            let leaves = self.leaves(id);
            if leaves.is_empty() {
                not_shown.push((id.to_string(), "no calculation line adds to it".to_string()));
                continue;
            }
            let units: BTreeSet<&str> = leaves.iter().flat_map(|l| self.units[*l].iter().copied()).collect();
            if units.len() != 1 || !units.contains(f.unit.as_str()) {
                not_shown.push((id.to_string(), "its lines are in another unit than the figure".to_string()));
                continue;
            }
            let mut values: Vec<Option<Decimal>> = vec![None; periods.len()];
            for l in &leaves {
                for (p, v) in &self.sums[*l] {
                    let v = v.ok_or_else(|| overflow(format!("{id} in {p}")))?;
                    let cell = &mut values[at[p]];
                    *cell = Some(
                        cell.unwrap_or(Decimal::ZERO).checked_add(v).ok_or_else(|| overflow(format!("{id} in {p}")))?,
                    );
                }
            }
            let total = values
                .iter()
                .flatten()
                .try_fold(Decimal::ZERO, |a, v| a.checked_add(*v))
                .ok_or_else(|| overflow(format!("{id} by period")))?;
            if total != f.value {
                not_shown.push((id.to_string(), "its lines do not add up to it".to_string()));
                continue;
            }
            rows.push(PeriodRow { id: id.to_string(), unit: f.unit.clone(), values, total });
        }
        let has_sub_year = self.dated.iter().any(|p| match self.granularity {
            Granularity::Month => (1..=12).contains(&p.part),
            Granularity::Quarter => p.part > 0,
        });
        Ok(ByPeriod { granularity: self.granularity, periods, rows, not_shown, has_sub_year })
    }
}

/// One figure by period.
#[derive(Debug, Clone, PartialEq)]
pub struct PeriodRow {
    /// Figure id.
    pub id: String,
    /// Its unit.
    pub unit: String,
    /// One value per period of [`ByPeriod::periods`]: the exact sum of its lines dated then; None when none is.
    pub values: Vec<Option<Decimal>>,
    /// The sum of the values: the figure itself.
    pub total: Decimal,
}

/// Figures by period: the columns and one row per figure that is a sum of lines.
#[derive(Debug, Clone, PartialEq)]
pub struct ByPeriod {
    /// Month or quarter.
    pub granularity: Granularity,
    /// The columns: months (quarters), then periods kept whole (quarters in a table by month, whole years).
    pub periods: Vec<Period>,
    /// The figures, in canonical order.
    pub rows: Vec<PeriodRow>,
    /// Figures not shown by period, with the reason.
    pub not_shown: Vec<(String, String)>,
    /// Whether any row is dated by a month (by month or quarter for quarters).
    pub has_sub_year: bool,
}

impl ByPeriod {
    /// Whether column `i` is a period of the granularity (a month by month, a quarter by quarter), not a period
    /// kept whole.
    pub fn is_regular(&self, i: usize) -> bool {
        let p = self.periods[i].part;
        match self.granularity {
            Granularity::Month => (1..=12).contains(&p),
            Granularity::Quarter => p > 100,
        }
    }

    /// The header of column `i`: `2024-01`, `2024-Q2`, `2024 whole year`.
    pub fn header(&self, i: usize, lang: Lang) -> String {
        let p = self.periods[i];
        if p.part == 0 { format!("{} {}", p.year, lang.pick("whole year", "全年")) } else { p.to_string() }
    }

    /// What the reader must know: how rows of another granularity are shown, and the figures left out.
    pub fn notes(&self, lang: Lang) -> Vec<String> {
        let mut n = Vec::new();
        let kept: Vec<String> =
            (0..self.periods.len()).filter(|i| !self.is_regular(*i)).map(|i| self.header(i, lang)).collect();
        n.push(match (lang, self.granularity) {
            (Lang::En, Granularity::Month) => "Exact sums of the calculation lines by the period of their ledger rows. A row dated by quarter or by year is not split into months: it is shown in its own column (a quarter, or 'whole year'). Rounded cells may not add up to the rounded total; the exact values do.".to_string(),
            (Lang::En, Granularity::Quarter) => "Exact sums of the calculation lines by the period of their ledger rows; rows dated by month are added into their quarter. A row dated by year is not split into quarters: it is shown in the column 'whole year'. Rounded cells may not add up to the rounded total; the exact values do.".to_string(),
            (Lang::Zh, Granularity::Month) => "按台账行所属期间对计算明细精确求和。按季度或按年填报的行不拆分到各月，单列显示（季度或“全年”）。四舍五入后的各列之和可能与合计略有差异，精确值相等。".to_string(),
            (Lang::Zh, Granularity::Quarter) => "按台账行所属期间对计算明细精确求和；按月填报的行计入所属季度。按年填报的行不拆分到各季度，列于“全年”。四舍五入后的各列之和可能与合计略有差异，精确值相等。".to_string(),
        });
        n.push(
            lang.pick(
                "An empty cell (- in text) means no ledger row of the figure is dated then.",
                "空白单元格（文本中为 -）表示该期间没有计入该数据的台账行。",
            )
            .to_string(),
        );
        if !kept.is_empty() {
            n.push(match lang {
                Lang::En => format!("Not split: {}.", kept.join(", ")),
                Lang::Zh => format!("未拆分：{}。", kept.join("，")),
            });
        }
        if self.rows.iter().any(|r| r.id == "activity.certificate") {
            n.push(
                lang.pick(
                    "A certificate's deduction from scope2.market is shown in the period of its certificate row, not spread over the months of the electricity it covers.",
                    "证书对范围二（基于市场）的扣减列于证书行所属期间，不分摊到其覆盖电量的各月。",
                )
                .to_string(),
            );
        }
        if !self.has_sub_year {
            n.push(match (lang, self.granularity) {
                (Lang::En, Granularity::Month) => "No ledger row is dated by month.".to_string(),
                (Lang::En, Granularity::Quarter) => "No ledger row is dated by month or quarter.".to_string(),
                (Lang::Zh, Granularity::Month) => "台账中没有按月填报的行。".to_string(),
                (Lang::Zh, Granularity::Quarter) => "台账中没有按月或按季度填报的行。".to_string(),
            });
        }
        for (id, why) in &self.not_shown {
            n.push(match lang {
                Lang::En => format!("{id} is not shown by period: {why}."),
                Lang::Zh => format!("{id} 不按期间列示：{}。", zh_reason(why)),
            });
        }
        n
    }

    fn title(&self, lang: Lang) -> &'static str {
        match self.granularity {
            Granularity::Month => lang.pick("By month", "按月"),
            Granularity::Quarter => lang.pick("By quarter", "按季度"),
        }
    }
}

fn zh_reason(why: &str) -> &str {
    match why {
        "a ratio to a yearly denominator, not a sum of rows" => "为与年度分母之比，非各行之和",
        "no calculation line adds to it" => "没有计入它的计算明细",
        "its lines are in another unit than the figure" => "其明细单位与该数据不同",
        "its lines do not add up to it" => "其明细之和与该数据不符",
        other => other,
    }
}

/// The `by_period` object of `ghg compute --format json`: decimals as strings at full precision; a period with no
/// line of a figure is absent from its `values`.
pub fn by_period_json(b: &ByPeriod) -> Value {
    let mut figures = Map::new();
    for r in &b.rows {
        let values: Map<String, Value> =
            b.periods.iter().zip(&r.values).filter_map(|(p, v)| v.map(|v| (p.to_string(), json!(full(v))))).collect();
        figures.insert(r.id.clone(), json!({"unit": r.unit, "values": values, "total": full(r.total)}));
    }
    json!({
        "granularity": b.granularity.name(),
        "periods": b.periods.iter().map(|p| p.to_string()).collect::<Vec<_>>(),
        "not_split": (0..b.periods.len()).filter(|i| !b.is_regular(*i)).map(|i| b.periods[i].to_string()).collect::<Vec<_>>(),
        "figures": figures,
        "not_shown": b.not_shown.iter().map(|(id, why)| (id.clone(), json!(why))).collect::<Map<String, Value>>(),
    })
}

/// CSV rows in the figures' columns (`figure,value,unit,display`): `by_period.<period>.<figure>` for each period
/// with lines of the figure (a year kept whole is `by_period.2024.<figure>`).
pub fn by_period_csv_rows(b: &ByPeriod, places: u32) -> String {
    let mut o = String::new();
    for r in &b.rows {
        for (p, v) in b.periods.iter().zip(&r.values) {
            let Some(v) = v else { continue };
            let id = format!("by_period.{p}.{}", r.id);
            let row = csv_row(&[&csv_cell(&id), &full(*v), &csv_cell(&r.unit)]);
            let _ = writeln!(o, "{},\"{}\"", row.trim_end(), fmt_dec(*v, places));
        }
    }
    o
}

/// The section for a terminal (`markdown` false) or a Markdown document.
pub fn render_by_period(b: &ByPeriod, places: u32, markdown: bool) -> String {
    let mut o = String::new();
    let heads: Vec<String> = (0..b.periods.len()).map(|i| b.header(i, Lang::En)).collect();
    let cell = |v: &Option<Decimal>| v.map(|v| fmt_dec(v, places)).unwrap_or_else(|| "-".to_string());
    let title = format!("{} (figures by the period of their ledger rows)", b.title(Lang::En).to_lowercase());
    if markdown {
        let _ = writeln!(o, "\n## {}\n", b.title(Lang::En));
        let _ = writeln!(o, "| figure | unit | {} | total |", heads.join(" | "));
        let _ = writeln!(o, "|---|---|{}---:|", "---:|".repeat(heads.len()));
        for r in &b.rows {
            let cells: Vec<String> = r.values.iter().map(cell).collect();
            let _ = writeln!(
                o,
                "| {} | {} | {} | {} |",
                md_code(&r.id),
                md_text(&r.unit),
                cells.join(" | "),
                fmt_dec(r.total, places)
            );
        }
        o.push('\n');
        for n in b.notes(Lang::En) {
            let _ = writeln!(o, "{}\n", md_text(&n));
        }
        return o;
    }
    let _ = writeln!(o, "\n{title}:");
    let idw = b.rows.iter().map(|r| r.id.chars().count()).max().unwrap_or(6).max(6);
    let uw = b.rows.iter().map(|r| r.unit.chars().count()).max().unwrap_or(4).max(4);
    let table: Vec<Vec<String>> = b.rows.iter().map(|r| r.values.iter().map(cell).collect()).collect();
    let totals: Vec<String> = b.rows.iter().map(|r| fmt_dec(r.total, places)).collect();
    let widths: Vec<usize> = (0..heads.len())
        .map(|i| table.iter().map(|r| r[i].chars().count()).chain([heads[i].chars().count()]).max().unwrap_or(1))
        .collect();
    let tw = totals.iter().map(|s| s.chars().count()).max().unwrap_or(5).max(5);
    let mut line = format!("  {}  {}", pad("figure", idw), pad("unit", uw));
    for (h, w) in heads.iter().zip(&widths) {
        let _ = write!(line, "  {}", lpad(h, *w));
    }
    let _ = writeln!(o, "{line}  {}", lpad("total", tw));
    for ((r, cells), t) in b.rows.iter().zip(&table).zip(&totals) {
        let mut line = format!("  {}  {}", pad(&term_text(&r.id), idw), pad(&term_text(&r.unit), uw));
        for (c, w) in cells.iter().zip(&widths) {
            let _ = write!(line, "  {}", lpad(c, *w));
        }
        let _ = writeln!(o, "{line}  {}", lpad(t, tw));
    }
    for n in b.notes(Lang::En) {
        let _ = writeln!(o, "  {n}");
    }
    o
}

/// The section of the html and xlsx reports: the table (a `By month` or `By quarter` sheet), the notes, and a
/// chart of scope 1 and scope 2 (location-based) by month (quarter).
pub fn by_period_section(b: &ByPeriod, lang: Lang, places: u32) -> Section {
    let mut columns = vec![Column::code(lang.pick("figure", "数据项")), Column::text(lang.pick("unit", "单位"))];
    for i in 0..b.periods.len() {
        columns.push(Column::number(b.header(i, lang), places));
    }
    columns.push(Column::number(lang.pick("total", "合计"), places));
    let rows: Vec<Vec<Cell>> = b
        .rows
        .iter()
        .map(|r| {
            let mut row = vec![Cell::text(&r.id), Cell::text(lang.unit(&r.unit))];
            row.extend(r.values.iter().map(|v| Cell::number(*v)));
            row.push(Cell::Number(r.total));
            row
        })
        .collect();
    let mut blocks = Vec::new();
    if let Some(chart) = chart(b, lang, places) {
        blocks.push(Block::Chart(Chart::Bars(chart)));
    }
    blocks.push(Block::Table(Table::new(b.title(Lang::En), columns, rows)));
    blocks.extend(b.notes(lang).into_iter().map(Block::Text));
    let kept: Vec<String> = (0..b.periods.len()).filter(|i| !b.is_regular(*i)).map(|i| b.header(i, lang)).collect();
    if b.has_sub_year && !kept.is_empty() {
        blocks.push(Block::Text(match (lang, b.granularity) {
            (Lang::En, Granularity::Month) => {
                format!("The chart draws the months only; the rows of {} are in the table.", kept.join(", "))
            }
            (Lang::En, Granularity::Quarter) => {
                format!("The chart draws the quarters only; the rows of {} are in the table.", kept.join(", "))
            }
            (Lang::Zh, _) => format!("图中仅绘出各期间；{} 的行见上表。", kept.join("，")),
        }));
    }
    Section::new(b.title(lang), blocks)
}

/// Scope 1 and scope 2 (location-based) per month (quarter), stacked; None when no row is dated so.
fn chart(b: &ByPeriod, lang: Lang, places: u32) -> Option<BarChart> {
    if !b.has_sub_year {
        return None;
    }
    let series: Vec<(&str, &str)> = [
        (SCOPE1.as_str(), lang.pick("Scope 1", "范围一")),
        (SCOPE2_LOCATION.as_str(), lang.pick("Scope 2 (location)", "范围二（基于位置）")),
    ]
    .into_iter()
    .filter(|(id, _)| b.rows.iter().any(|r| r.id == *id))
    .collect();
    if series.is_empty() {
        return None;
    }
    let rows: Vec<&PeriodRow> = series.iter().filter_map(|(id, _)| b.rows.iter().find(|r| r.id == *id)).collect();
    let regular: Vec<usize> = (0..b.periods.len()).filter(|i| b.is_regular(*i)).collect();
    let categories: Vec<(String, Vec<Decimal>)> = regular
        .iter()
        .map(|i| (b.header(*i, lang), rows.iter().map(|r| r.values[*i].unwrap_or(Decimal::ZERO)).collect()))
        .collect();
    // A period without any row of these figures is a gap, not a zero.
    let gaps: Vec<(usize, String)> = regular
        .iter()
        .enumerate()
        .filter(|(_, i)| rows.iter().all(|r| r.values[**i].is_none()))
        .map(|(k, _)| (k, lang.pick("no rows", "无台账行").to_string()))
        .collect();
    let stacked = categories.iter().all(|(_, v)| v.iter().all(|x| !x.is_sign_negative()));
    let title = match (lang, b.granularity) {
        (Lang::En, Granularity::Month) => "Scope 1 and scope 2 (location-based) by month".to_string(),
        (Lang::En, Granularity::Quarter) => "Scope 1 and scope 2 (location-based) by quarter".to_string(),
        (Lang::Zh, Granularity::Month) => "范围一与范围二（基于位置）逐月排放".to_string(),
        (Lang::Zh, Granularity::Quarter) => "范围一与范围二（基于位置）逐季排放".to_string(),
    };
    let unit = b.rows.iter().find(|r| r.id == series[0].0).map(|r| lang.unit(&r.unit)).unwrap_or_default();
    Some(BarChart {
        title,
        unit,
        series: series.iter().map(|(_, s)| s.to_string()).collect(),
        categories,
        stacked,
        places,
        deductions: Vec::new(),
        colors: Vec::new(),
        band: None,
        legend: Vec::new(),
        gaps,
    })
}

/// Put the by-period section into a compute document, before its findings (at the end when it has none).
pub fn add_by_period(doc: &mut Document, b: &ByPeriod, places: u32) {
    let lang = doc.lang;
    let at =
        doc.sections.iter().position(|s| s.title == lang.pick("Findings", "发现事项")).unwrap_or(doc.sections.len());
    doc.sections.insert(at, by_period_section(b, lang, places));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> Period {
        Period::parse(s).expect("a period")
    }

    #[test]
    fn months_gather_into_their_quarter_and_nothing_is_split() {
        let q = Granularity::Quarter;
        assert_eq!(q.key(p("2024-01")), p("2024-Q1"));
        assert_eq!(q.key(p("2024-03")), p("2024-Q1"));
        assert_eq!(q.key(p("2024-04")), p("2024-Q2"));
        assert_eq!(q.key(p("2024-12")), p("2024-Q4"));
        assert_eq!(q.key(p("2024-Q3")), p("2024-Q3"));
        assert_eq!(q.key(p("2024")), p("2024"));
        let m = Granularity::Month;
        assert_eq!(m.key(p("2024-Q3")), p("2024-Q3"));
        assert_eq!(m.key(p("2024")), p("2024"));
        assert_eq!(m.key(p("2024-07")), p("2024-07"));
    }

    #[test]
    fn columns_run_by_month_then_quarter_then_the_whole_year() {
        let mut v = [p("2024"), p("2024-Q2"), p("2024-12"), p("2023-05"), p("2024-01"), p("2023")];
        v.sort_by_key(column_order);
        let shown: Vec<String> = v.iter().map(|x| x.to_string()).collect();
        assert_eq!(shown, ["2023-05", "2023", "2024-01", "2024-12", "2024-Q2", "2024"]);
        assert_eq!("Quarter".parse::<Granularity>(), Ok(Granularity::Quarter));
        assert_eq!("month".parse::<Granularity>(), Ok(Granularity::Month));
        assert!("week".parse::<Granularity>().is_err());
    }
}
