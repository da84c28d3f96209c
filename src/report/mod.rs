//! Renderers: one function per format. Values are full precision inside; rounding happens only here,
//! half away from zero (四舍五入), to the places the user asks for.

mod compute_doc;
mod doc;
mod factors;
mod html;
mod json;
mod labels;
mod reconcile;
mod reconcile_doc;
mod scenario;
mod scenario_doc;
mod scope2;
pub mod svg;
mod text;
mod xlsx;

pub use compute_doc::{
    ComputeReport, HTML_LINES, LineDigest, SHEETS, chart_by_activity, chart_by_entity, compute_document,
    compute_findings, factors_table, provenance_stamp, summary_table,
};
pub use doc::{
    BarChart, Block, Cell, Chart, Column, ColumnKind, Document, Finding, KeyFigure, Lang, Section, Severity, Table,
    Waterfall,
};
pub use factors::{render_factor_diff, render_factor_list, render_factor_show};
pub use html::html;
pub use json::{computation_json, lines_jsonl_row, trace_json, write_computation_json};
pub use labels::{activity_label, figure_label};
pub use reconcile::{ATTRIBUTION_METHOD, reconcile_json, render_reconcile_markdown, render_reconcile_table};
pub use reconcile_doc::reconcile_document;
pub use scenario::{
    SWEEP_FIGURES, render_scenario, render_solution, render_sweep, scenario_json, solution_json, sweep_csv, sweep_json,
};
pub use scenario_doc::{scenario_document, scenario_waterfall};
pub use scope2::{render_scope2, scope2_csv_rows, scope2_json};
pub use text::{render_compute, render_explain};
pub use xlsx::{MAX_CELL_CHARS, MAX_ROWS, StreamedWorkbook, number_format, to_number, workbook};

use rust_decimal::Decimal;

/// Output formats of `ghg compute`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Aligned text for people.
    Table,
    /// One JSON object (decimals as strings, full precision).
    Json,
    /// CSV of figures.
    Csv,
    /// A Markdown document.
    Markdown,
}

/// Render a decimal rounded half away from zero to `places`, with thousands separators.
pub fn fmt_dec(x: Decimal, places: u32) -> String {
    crate::printed::format_grouped(x, places, true)
}

/// Whether `x` rounded half away from zero to `places` is zero.
pub(crate) fn printed_is_zero(x: Decimal, places: u32) -> bool {
    crate::printed::round_half_away(x, places).is_zero()
}

/// Render a decimal at full precision without trailing zeros (the JSON/CSV form).
pub fn full(x: Decimal) -> String {
    let n = x.normalize();
    if n.is_zero() { "0".to_string() } else { n.to_string() }
}

/// Escape a text cell for CSV so a spreadsheet never reads it as a formula.
pub fn csv_text(s: &str) -> String {
    csv_cell(s).into_owned()
}

/// [`csv_text`] without a copy when the text needs no escape (for writers of many rows).
pub fn csv_cell(s: &str) -> std::borrow::Cow<'_, str> {
    if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        std::borrow::Cow::Owned(format!("'{s}"))
    } else {
        std::borrow::Cow::Borrowed(s)
    }
}

/// Left-align `s` in `w` characters.
pub(crate) fn pad(s: &str, w: usize) -> String {
    let n = s.chars().count();
    if n >= w { s.to_string() } else { format!("{s}{}", " ".repeat(w - n)) }
}

/// Right-align `s` in `w` characters.
pub(crate) fn lpad(s: &str, w: usize) -> String {
    let n = s.chars().count();
    if n >= w { s.to_string() } else { format!("{}{s}", " ".repeat(w - n)) }
}
