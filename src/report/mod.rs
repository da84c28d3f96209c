//! Renderers: one function per format. Values are full precision inside; rounding happens only here,
//! half away from zero (四舍五入), to the places the user asks for.

mod compute_doc;
mod doc;
mod factors;
mod html;
mod json;
mod labels;
mod period;
mod reconcile;
mod reconcile_doc;
mod scenario;
mod scenario_doc;
mod scope2;
pub mod svg;
mod text;
mod uncertainty;
mod xlsx;

/// The version of the JSON outputs' layout (`schema_version` in every JSON object `ghg` writes): raised when a key
/// changes meaning or goes away, never for added keys.
pub const JSON_SCHEMA_VERSION: u32 = 1;

pub use compute_doc::{
    ComputeReport, HTML_LINES, LineDigest, SHEETS, chart_by_activity, chart_by_entity, compute_document,
    compute_findings, factors_table, provenance_stamp, summary_table,
};
pub use doc::{
    BarChart, Block, Cell, Chart, Column, ColumnKind, Document, Finding, KeyFigure, Lang, Section, Severity, Table,
    Waterfall,
};
pub use factors::{
    render_factor_diff, render_factor_list, render_factor_one, render_factor_show, render_factor_verify,
};
pub use html::html;
pub use json::{computation_json, lines_jsonl_row, trace_json, write_computation_json, write_computation_json_with};
pub use labels::{activity_label, figure_label};
pub use period::{
    ByPeriod, Granularity, PeriodDigest, PeriodRow, add_by_period, by_period_csv_rows, by_period_json,
    by_period_section, render_by_period,
};
pub use reconcile::{
    ATTRIBUTION_METHOD, reconcile_json, render_reconcile_markdown, render_reconcile_markdown_at,
    render_reconcile_table, render_reconcile_table_at,
};
pub use reconcile_doc::reconcile_document;
pub use scenario::{
    SWEEP_FIGURES, render_scenario, render_solution, render_sweep, scenario_json, solution_json, sweep_csv, sweep_json,
};
pub use scenario_doc::{scenario_document, scenario_waterfall};
pub use scope2::{render_scope2, scope2_csv_rows, scope2_json};
pub use text::{render_compute, render_explain};
pub use uncertainty::{
    csv_rows as uncertainty_csv_rows, describe as describe_spread, explain_line as uncertainty_explain_line,
    figure_json as uncertainty_json,
};
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

/// One CSV field holding text, ready to join with commas: guarded against formulas ([`csv_cell`]) and quoted as
/// the csv writer quotes (when it holds a comma, a quote, a line break or surrounding space), so a text can neither
/// start a formula nor add a cell or a row.
pub fn csv_text(s: &str) -> String {
    if s.is_empty() {
        return String::new();
    }
    csv_row(&[&csv_cell(s)]).trim_end_matches(['\r', '\n']).to_string()
}

/// One CSV record from fields that are already what the cells must hold (text passed through [`csv_cell`],
/// numbers as they are), written by the csv writer: quoted where needed, ending in a newline.
pub fn csv_row(fields: &[&str]) -> String {
    let mut w = csv::WriterBuilder::new().has_headers(false).from_writer(Vec::new());
    // Writing to memory cannot fail.
    let _ = w.write_record(fields);
    let bytes = w.into_inner().unwrap_or_default();
    String::from_utf8(bytes).unwrap_or_default()
}

/// Guard a text cell against being read as a formula by a spreadsheet (OWASP's advice): a cell starting with
/// `=`, `+`, `-`, `@`, a tab or a carriage return gets a leading `'`. Only for text: numbers (`-1.5`) are written
/// as they are. Quoting is the csv writer's job.
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

/// Text for a terminal: every control character (ESC, BEL, line breaks, DEL, C1 controls) and every bidirectional
/// override is shown escaped (`\x1b`, `\n`, `\u{202e}`), so a ledger field can neither send escape sequences to
/// the terminal nor forge a line of output.
pub fn term_text(s: &str) -> std::borrow::Cow<'_, str> {
    escape_controls(s, false)
}

/// [`term_text`] for a whole multi-line output: line breaks and tabs stay, every other control character is
/// escaped.
pub fn term_lines(s: &str) -> std::borrow::Cow<'_, str> {
    escape_controls(s, true)
}

fn needs_escape(c: char) -> bool {
    c.is_control() || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

fn escape_controls(s: &str, keep_newlines: bool) -> std::borrow::Cow<'_, str> {
    use std::fmt::Write as _;
    if !s.chars().any(|c| needs_escape(c) && !(keep_newlines && matches!(c, '\n' | '\t'))) {
        return std::borrow::Cow::Borrowed(s);
    }
    let mut o = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '\n' | '\t' if keep_newlines => o.push(c),
            '\n' => o.push_str("\\n"),
            '\r' => o.push_str("\\r"),
            '\t' => o.push_str("\\t"),
            c if needs_escape(c) && (c as u32) < 0x100 => {
                let _ = write!(o, "\\x{:02x}", c as u32);
            }
            c if needs_escape(c) => {
                let _ = write!(o, "\\u{{{:x}}}", c as u32);
            }
            c => o.push(c),
        }
    }
    std::borrow::Cow::Owned(o)
}

/// Text for Markdown: shown as written, never as markup. What Markdown or inline HTML would read as markup is
/// backslash-escaped: `\ ` * < > | ~` anywhere, `]` before `(`, `[` or `:` (a link or a link definition), `_` at
/// a word boundary, `&` before a name (an entity), and `# + - =` or `1. ` at the start. So `<script>`, a link
/// `[x](javascript:...)` or a `|` that would add a table cell stay text. A line break becomes a space (it would
/// end a table row or a list item) and other control characters are escaped as for a terminal.
pub fn md_text(s: &str) -> String {
    let s = escape_controls(s, true);
    let chars: Vec<char> = s.chars().collect();
    let mut o = String::with_capacity(s.len() + 8);
    let mut start = true;
    let mut digits = false;
    for (i, &c) in chars.iter().enumerate() {
        let prev = if i == 0 { None } else { chars.get(i - 1).copied() };
        let next = chars.get(i + 1).copied();
        let word = |x: Option<char>| x.is_some_and(char::is_alphanumeric);
        let escape = match c {
            '\\' | '`' | '*' | '<' | '>' | '|' | '~' => true,
            // A link, an image or a link definition needs `](`, `][` or `]:`.
            ']' => next.is_some_and(|n| matches!(n, '(' | '[' | ':')),
            '_' => !(word(prev) && word(next)),
            '&' => next.is_some_and(|n| n.is_ascii_alphanumeric() || n == '#'),
            '#' | '+' | '-' | '=' => start,
            '.' | ')' => digits && next.is_none_or(|n| n == ' '),
            _ => false,
        };
        if c == '\n' {
            o.push(' ');
        } else {
            if escape {
                o.push('\\');
            }
            o.push(c);
        }
        digits = c.is_ascii_digit() && (start || digits);
        start = (start && c == ' ') || c == '\n';
    }
    o
}

/// A figure id, path or other name for Markdown: as inline code when it is plain (letters, digits and `. _ - @ :
/// / +`), otherwise as escaped text ([`md_text`]): a backtick cannot be escaped inside code.
pub fn md_code(s: &str) -> String {
    if !s.is_empty() && s.chars().all(|c| c.is_alphanumeric() || "._-@:/+".contains(c)) {
        format!("`{s}`")
    } else {
        md_text(s)
    }
}

#[cfg(test)]
mod escape_tests {
    use super::*;

    #[test]
    fn csv_text_neither_starts_a_formula_nor_adds_a_cell() {
        assert_eq!(csv_text("coverage.CN.GEC"), "coverage.CN.GEC");
        assert_eq!(csv_text("=1+2"), "'=1+2");
        assert_eq!(csv_text("GEC,=HYPERLINK(\"x\")"), "\"GEC,=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(csv_text("a\nb"), "\"a\nb\"");
        assert_eq!(csv_row(&["-1.5", &csv_cell("-x")]), "-1.5,'-x\n");
    }

    #[test]
    fn terminal_text_shows_control_characters() {
        assert_eq!(term_text("a\u{1b}[31mb\u{7}"), "a\\x1b[31mb\\x07");
        assert_eq!(term_text("x\ny"), "x\\ny");
        assert_eq!(term_lines("x\ny\u{9b}\tz"), "x\ny\\x9b\tz");
        assert_eq!(term_text("\u{202e}abc"), "\\u{202e}abc");
        assert_eq!(term_text("浙江 site"), "浙江 site");
    }

    #[test]
    fn markdown_text_stays_text() {
        assert_eq!(md_text("<script>alert(1)</script>"), "\\<script\\>alert(1)\\</script\\>");
        assert_eq!(md_text("[x](javascript:alert(1))"), "[x\\](javascript:alert(1))");
        assert_eq!(md_text("[x]: javascript:alert(1)"), "[x\\]: javascript:alert(1)");
        assert_eq!(md_text("[standard relation]"), "[standard relation]");
        assert_eq!(md_text("excl_market _em_ R&D &amp;"), "excl_market \\_em\\_ R\\&D \\&amp;");
        assert_eq!(md_text("a | b\n| c"), "a \\| b \\| c");
        assert_eq!(md_text("- item"), "\\- item");
        assert_eq!(md_text("2024. year"), "2024\\. year");
        assert_eq!(md_text("CN-JS 1.5"), "CN-JS 1.5");
        assert_eq!(md_text("1.5 吨"), "1.5 吨");
        assert_eq!(md_code("scope2.market"), "`scope2.market`");
        assert_eq!(md_code("coverage.CN.a`b"), "coverage.CN.a\\`b");
    }
}
