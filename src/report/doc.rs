//! A report as data: titled sections of key figures, tables, findings and charts, in English or Chinese.
//!
//! Every command that hands a document over builds one [`Document`] and renders it with
//! [`workbook`](super::workbook) (`--format xlsx`) or [`html`](super::html) (`--format html`); the renderers know
//! nothing of inventories, reconciliations or scenarios. Values stay exact [`Decimal`]s here: the HTML shows them
//! rounded half away from zero to each column's places, the workbook stores them as numbers with a display format
//! (and the builder may add an "exact" text column, since a spreadsheet number holds about 15 significant digits).
//!
//! ```
//! use ghg::report::{Block, Cell, Column, Document, Lang, Section, Table, html, workbook};
//! use rust_decimal_macros::dec;
//!
//! let mut doc = Document::new("Plant A — 2024", Lang::En);
//! doc.stamp.push(("tool".into(), "ghg 0.1.0".into()));
//! let table = Table::new(
//!     "Summary",
//!     vec![Column::code("figure"), Column::number("value", 2), Column::text("unit")],
//!     vec![vec![Cell::text("scope1"), Cell::Number(dec!(5918.086)), Cell::text("tCO2e")]],
//! );
//! doc.sections.push(Section::new("Figures", vec![Block::Table(table)]));
//! let page = html(&doc);
//! assert!(page.contains("5,918.09"));
//! let xlsx: Vec<u8> = workbook(&doc).expect("writes");
//! assert!(xlsx.starts_with(b"PK")); // a zip container
//! ```

use std::fmt;
use std::str::FromStr;

use rust_decimal::Decimal;

/// The language of a report's labels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    /// English.
    #[default]
    En,
    /// Simplified Chinese.
    Zh,
}

impl Lang {
    /// The text in this language: `lang.pick("Figures", "数据")`.
    pub fn pick<'a>(self, en: &'a str, zh: &'a str) -> &'a str {
        match self {
            Lang::En => en,
            Lang::Zh => zh,
        }
    }
    /// The BCP 47 tag (`en`, `zh-CN`), for HTML's `lang` attribute.
    pub fn tag(self) -> &'static str {
        self.pick("en", "zh-CN")
    }
    /// A unit symbol for people: the Chinese unit in Chinese ("tCO2e" -> "吨二氧化碳当量", "tce/million CNY" ->
    /// "吨标煤/百万元"), the symbol itself in English or when a part has no Chinese name here.
    pub fn unit(self, symbol: &str) -> String {
        if self == Lang::En {
            return symbol.to_string();
        }
        let zh = |part: &str| -> Option<&'static str> {
            Some(match part.trim() {
                "tCO2e" => "吨二氧化碳当量",
                "tCO2" => "吨二氧化碳",
                "kgCO2e" => "千克二氧化碳当量",
                "tce" => "吨标煤",
                "kgce" => "千克标煤",
                "MWh" => "兆瓦时",
                "kWh" => "千瓦时",
                "GJ" => "吉焦",
                "TJ" => "太焦",
                "t" => "吨",
                "kg" => "千克",
                "m3" => "立方米",
                "10^4 m3" => "万立方米",
                "10^4 Nm3" => "万标准立方米",
                "L" => "升",
                "m2" => "平方米",
                "million CNY" => "百万元",
                "CNY" => "元",
                "pieces" => "件",
                "%" => "%",
                _ => return None,
            })
        };
        let parts: Option<Vec<&str>> = symbol.split('/').map(zh).collect();
        parts.map(|p| p.join("/")).unwrap_or_else(|| symbol.to_string())
    }
}

impl FromStr for Lang {
    type Err = String;
    fn from_str(s: &str) -> Result<Lang, String> {
        match s.trim().to_ascii_lowercase().as_str() {
            "en" | "english" => Ok(Lang::En),
            "zh" | "zh-cn" | "cn" | "chinese" | "中文" => Ok(Lang::Zh),
            other => Err(format!("unknown language '{other}' (en or zh)")),
        }
    }
}

impl fmt::Display for Lang {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.pick("en", "zh"))
    }
}

/// A report: a title, a provenance stamp and sections.
#[derive(Debug, Clone, PartialEq)]
pub struct Document {
    /// Title (the HTML `<h1>` and `<title>`, the workbook's title property).
    pub title: String,
    /// A line under the title.
    pub subtitle: Option<String>,
    /// Language of the labels.
    pub lang: Lang,
    /// The provenance stamp as (label, value) pairs: tool version, file hashes, row counts, scenario applied.
    pub stamp: Vec<(String, String)>,
    /// The sections, in order.
    pub sections: Vec<Section>,
}

impl Document {
    /// An empty document.
    pub fn new(title: impl Into<String>, lang: Lang) -> Document {
        Document { title: title.into(), subtitle: None, lang, stamp: Vec::new(), sections: Vec::new() }
    }
    /// Every table of the document, in order.
    pub fn tables(&self) -> impl Iterator<Item = &Table> {
        self.sections.iter().flat_map(|s| &s.blocks).filter_map(|b| match b {
            Block::Table(t) => Some(t),
            _ => None,
        })
    }
    /// Every finding of the document, in order.
    pub fn findings(&self) -> impl Iterator<Item = &Finding> {
        self.sections
            .iter()
            .flat_map(|s| &s.blocks)
            .filter_map(|b| match b {
                Block::Findings(f) => Some(f.iter()),
                _ => None,
            })
            .flatten()
    }
}

/// A titled part of a document.
#[derive(Debug, Clone, PartialEq)]
pub struct Section {
    /// Heading.
    pub title: String,
    /// Content, in order.
    pub blocks: Vec<Block>,
}

impl Section {
    /// A section with content.
    pub fn new(title: impl Into<String>, blocks: Vec<Block>) -> Section {
        Section { title: title.into(), blocks }
    }
}

/// One piece of content.
#[derive(Debug, Clone, PartialEq)]
pub enum Block {
    /// A paragraph of plain text.
    Text(String),
    /// Headline numbers, shown large in HTML (the workbook has them in its tables).
    KeyFigures(Vec<KeyFigure>),
    /// A table: a worksheet of the workbook, a `<table>` in HTML.
    Table(Table),
    /// Findings (warnings, fallbacks, rejected rows, figures outside tolerance): a list in HTML, the
    /// `Findings` sheet of the workbook.
    Findings(Vec<Finding>),
    /// A chart: inline SVG in HTML (its numbers belong in a table too, for the workbook).
    Chart(Chart),
}

/// A headline number.
#[derive(Debug, Clone, PartialEq)]
pub struct KeyFigure {
    /// What it is.
    pub label: String,
    /// Its exact value.
    pub value: Decimal,
    /// Unit.
    pub unit: String,
    /// Decimal places shown.
    pub places: u32,
    /// A small line under it (figure id, interval, change).
    pub note: Option<String>,
}

/// How a column's cells are shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColumnKind {
    /// Plain text.
    Text,
    /// An identifier or formula (monospace in HTML).
    Code,
    /// A decimal number, rounded half away from zero to `places` when shown.
    Number {
        /// Decimal places shown (the workbook keeps the value; only its display format rounds).
        places: u32,
    },
    /// A whole number (a count of rows or lines), with thousands separators.
    Count,
    /// A whole number shown as it is, without separators (a year, a row number).
    Integer,
    /// A fraction shown as a percentage with `places` decimals (0.0123 shows as 1.23%); the workbook keeps the
    /// fraction under a percentage display format.
    Percent {
        /// Decimal places of the percentage shown.
        places: u32,
    },
}

/// A column of a table.
#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    /// Header.
    pub header: String,
    /// How its cells are shown.
    pub kind: ColumnKind,
    /// Width in characters in the workbook (estimated from the content when None).
    pub width: Option<u16>,
}

impl Column {
    /// A text column.
    pub fn text(header: impl Into<String>) -> Column {
        Column { header: header.into(), kind: ColumnKind::Text, width: None }
    }
    /// An identifier column.
    pub fn code(header: impl Into<String>) -> Column {
        Column { header: header.into(), kind: ColumnKind::Code, width: None }
    }
    /// A number column shown with `places` decimals.
    pub fn number(header: impl Into<String>, places: u32) -> Column {
        Column { header: header.into(), kind: ColumnKind::Number { places }, width: None }
    }
    /// A count column.
    pub fn count(header: impl Into<String>) -> Column {
        Column { header: header.into(), kind: ColumnKind::Count, width: None }
    }
    /// A column of fractions shown as percentages with `places` decimals.
    pub fn percent(header: impl Into<String>, places: u32) -> Column {
        Column { header: header.into(), kind: ColumnKind::Percent { places }, width: None }
    }
    /// A column of whole numbers shown without separators (years).
    pub fn integer(header: impl Into<String>) -> Column {
        Column { header: header.into(), kind: ColumnKind::Integer, width: None }
    }
    /// Set the width in the workbook.
    pub fn width(mut self, chars: u16) -> Column {
        self.width = Some(chars);
        self
    }
}

/// A cell value.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    /// Nothing.
    Empty,
    /// Text (written as text, never as a formula).
    Text(String),
    /// An exact decimal (a number in the workbook).
    Number(Decimal),
    /// A whole number.
    Count(u64),
    /// A spreadsheet formula (without the leading `=`) and the exact decimal it computes: the workbook writes the
    /// formula with that value as its saved result, so a reader sees how the value is made and a program that does
    /// not recalculate still reads it; other renderings show the value.
    Formula {
        /// The formula, e.g. `SUMIFS(Lines!$J:$J,Lines!$A:$A,"scope1.gasoline")`.
        formula: String,
        /// The value it computes, exactly.
        value: Decimal,
    },
}

impl Cell {
    /// A text cell.
    pub fn text(s: impl Into<String>) -> Cell {
        Cell::Text(s.into())
    }
    /// A number cell, or empty for None.
    pub fn number(x: Option<Decimal>) -> Cell {
        x.map(Cell::Number).unwrap_or(Cell::Empty)
    }
}

/// A table.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    /// Name of its worksheet (made valid and unique by the workbook writer; keep it stable, scripts read it).
    pub sheet: String,
    /// A caption shown above it in HTML.
    pub caption: Option<String>,
    /// Columns.
    pub columns: Vec<Column>,
    /// Rows; each as long as `columns`.
    pub rows: Vec<Vec<Cell>>,
    /// Show at most this many rows in HTML, with a note on the rest (the workbook always has every row).
    pub html_rows: Option<usize>,
    /// How many rows the table has in all, when `rows` holds only the first of them (the rest streamed elsewhere).
    pub rows_in_all: Option<u64>,
    /// Whether the table becomes a worksheet.
    pub in_workbook: bool,
    /// Whether the table is shown in HTML.
    pub in_html: bool,
    /// Rows (0 for the first under the header) that need a look (figures outside tolerance): filled in the workbook,
    /// marked in HTML.
    pub highlight: Vec<usize>,
}

impl Table {
    /// A table shown in both renderings.
    pub fn new(sheet: impl Into<String>, columns: Vec<Column>, rows: Vec<Vec<Cell>>) -> Table {
        Table {
            sheet: sheet.into(),
            caption: None,
            columns,
            rows,
            html_rows: None,
            rows_in_all: None,
            in_workbook: true,
            in_html: true,
            highlight: Vec::new(),
        }
    }
}

/// How serious a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    /// Worth knowing (a fallback the inventory allowed).
    Info,
    /// Needs a look (a warning, a figure outside tolerance).
    Warning,
    /// Wrong (a rejected row).
    Error,
}

impl Severity {
    /// `info`, `warning`, `error`.
    pub fn code(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
    /// The label in a language.
    pub fn label(self, lang: Lang) -> &'static str {
        match self {
            Severity::Info => lang.pick("info", "提示"),
            Severity::Warning => lang.pick("warning", "警告"),
            Severity::Error => lang.pick("error", "错误"),
        }
    }
}

/// Something a reader should know about the figures.
#[derive(Debug, Clone, PartialEq)]
pub struct Finding {
    /// How serious.
    pub severity: Severity,
    /// Stable code (`certificate-excess`, `outside-tolerance`, `fallback-region`, `rejected-row`, ...).
    pub code: String,
    /// What it is.
    pub message: String,
    /// Where (file:line, file:Sheet!B7, figure id), if anywhere.
    pub location: Option<String>,
}

/// A chart, drawn as inline SVG by [`super::svg`].
#[derive(Debug, Clone, PartialEq)]
pub enum Chart {
    /// Horizontal bars per category, one bar per series (grouped) or one stacked bar.
    Bars(BarChart),
    /// A waterfall: a start value, signed steps, and the end value they lead to.
    Waterfall(Waterfall),
}

/// Horizontal bars: each category has one value per series.
#[derive(Debug, Clone, PartialEq)]
pub struct BarChart {
    /// Title.
    pub title: String,
    /// Unit of every value.
    pub unit: String,
    /// Series names (the legend).
    pub series: Vec<String>,
    /// (category, one value per series).
    pub categories: Vec<(String, Vec<Decimal>)>,
    /// Stack the series into one bar per category instead of grouping them.
    pub stacked: bool,
    /// Decimal places of the value labels.
    pub places: u32,
    /// Categories (by index) that are deductions, not emissions (certificates): drawn hatched and outlined, so that
    /// no reader takes them for negative emissions.
    pub deductions: Vec<usize>,
    /// Per category and series, a colour that replaces the series' (a status colour); empty: the series' colours.
    /// Bars so coloured carry their series' name in their value label.
    pub colors: Vec<Vec<Option<String>>>,
    /// A shaded band across the value axis, from and to, with its label (a tolerance).
    pub band: Option<(Decimal, Decimal, String)>,
    /// Legend entries (label, colour) after the series' own (the meaning of the status colours).
    pub legend: Vec<(String, String)>,
    /// Categories (by index) that have no data at all, with the text shown instead of a bar ("no rows"): a gap
    /// is not drawn as a zero.
    pub gaps: Vec<(usize, String)>,
}

/// A waterfall from a start value through signed steps to an end value.
#[derive(Debug, Clone, PartialEq)]
pub struct Waterfall {
    /// Title.
    pub title: String,
    /// Unit.
    pub unit: String,
    /// (label, value) of the starting bar, e.g. the baseline.
    pub start: (String, Decimal),
    /// (label, signed change), in order.
    pub steps: Vec<(String, Decimal)>,
    /// Label of the end bar (its value is start plus every step).
    pub end: String,
    /// Decimal places of the value labels.
    pub places: u32,
}

impl Waterfall {
    /// The end value: start plus every step (None on overflow).
    pub fn end_value(&self) -> Option<Decimal> {
        self.steps.iter().try_fold(self.start.1, |acc, (_, d)| acc.checked_add(*d))
    }
}

impl Chart {
    /// The chart's title.
    pub fn title(&self) -> &str {
        match self {
            Chart::Bars(b) => &b.title,
            Chart::Waterfall(w) => &w.title,
        }
    }
}
