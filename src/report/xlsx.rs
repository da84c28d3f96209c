//! A [`Document`] as an Excel workbook (.xlsx): one worksheet per table, a `Findings` sheet and a `Provenance`
//! sheet.
//!
//! Every table starts at A1 with a bold, frozen, filterable header row, so it reads back cleanly (by people and by
//! programs). Numbers are written as numbers with a display format of the column's places (`#,##0.00`); a
//! spreadsheet number is a binary double that holds about 15 significant digits, so builders that need the exact
//! value keep it beside, as text. Text is always written as text, never as a formula. The output is deterministic:
//! the same document gives the same bytes (the creation date is fixed).

use std::collections::HashSet;

use rust_decimal::Decimal;
use rust_xlsxwriter::{Color, DocProperties, ExcelDateTime, Format, FormatAlign, Workbook, Worksheet, XlsxError};

use super::doc::{Block, Cell, ColumnKind, Document, Table};
use super::full;
use crate::error::{Error, ErrorKind};

/// Rows per worksheet, header included (Excel's limit); longer tables continue on `<sheet> (2)`, ...
pub const MAX_ROWS: usize = 1_048_576;
/// Tables longer than this are written in rust_xlsxwriter's constant-memory mode.
const CONSTANT_MEMORY_ROWS: usize = 10_000;
/// Characters per cell (Excel's limit); longer text is cut with an ellipsis.
pub const MAX_CELL_CHARS: usize = 32_767;

fn xerr(e: XlsxError) -> Error {
    Error::new(ErrorKind::Io, format!("cannot write the workbook: {e}"))
}

/// A valid, unique worksheet name: at most 31 characters, none of `[]:*?/\`.
fn sheet_name(wanted: &str, used: &mut HashSet<String>) -> String {
    let clean: String =
        wanted.chars().map(|c| if matches!(c, '[' | ']' | ':' | '*' | '?' | '/' | '\\') { '_' } else { c }).collect();
    let clean = clean.trim_matches('\'').trim();
    let base: String = if clean.is_empty() { "Sheet".to_string() } else { clean.chars().take(31).collect() };
    let mut name = base.clone();
    let mut n = 2;
    while used.contains(&name.to_lowercase()) || name.eq_ignore_ascii_case("history") {
        let suffix = format!(" ({n})");
        name = format!("{}{suffix}", base.chars().take(31 - suffix.chars().count()).collect::<String>());
        n += 1;
    }
    used.insert(name.to_lowercase());
    name
}

/// The `#,##0.00` display format for `places` decimals.
pub fn number_format(places: u32) -> String {
    if places == 0 { "#,##0".to_string() } else { format!("#,##0.{}", "0".repeat(places as usize)) }
}

/// The spreadsheet number nearest to an exact decimal (the decimal's own digits, parsed correctly rounded).
pub fn to_number(x: Decimal) -> f64 {
    full(x).parse::<f64>().unwrap_or(0.0)
}

fn cut(s: &str) -> std::borrow::Cow<'_, str> {
    // Excel counts UTF-16 units; a char is at most two.
    if s.len() <= MAX_CELL_CHARS / 2 || s.encode_utf16().count() <= MAX_CELL_CHARS {
        return std::borrow::Cow::Borrowed(s);
    }
    let mut out = String::new();
    let mut units = 0;
    for c in s.chars() {
        units += c.len_utf16();
        if units > MAX_CELL_CHARS - 1 {
            break;
        }
        out.push(c);
    }
    out.push('…');
    std::borrow::Cow::Owned(out)
}

struct Formats {
    header: Format,
    title: Format,
    key: Format,
    wrap: Format,
}

/// Width of text in character cells (CJK and other wide characters take two).
fn display_width(s: &str) -> f64 {
    s.chars().map(|c| if (c as u32) < 0x2E80 { 1.0 } else { 2.0 }).sum()
}

fn estimate_width(t: &Table, col: usize) -> f64 {
    let header = t.columns[col].header.chars().count();
    let mut w = header.max(6);
    for row in t.rows.iter().take(500) {
        let n = match row.get(col) {
            Some(Cell::Text(s)) => display_width(s) as usize,
            Some(Cell::Number(x)) => full(*x).len() + 4,
            Some(Cell::Count(n)) => n.to_string().len() + 2,
            _ => 0,
        };
        w = w.max(n);
    }
    (w as f64 + 2.0).min(60.0)
}

fn write_table(wb: &mut Workbook, t: &Table, used: &mut HashSet<String>, f: &Formats) -> Result<(), Error> {
    let per_sheet = MAX_ROWS - 1;
    let chunks: Vec<&[Vec<Cell>]> = if t.rows.is_empty() { vec![&[][..]] } else { t.rows.chunks(per_sheet).collect() };
    let widths: Vec<f64> = t
        .columns
        .iter()
        .enumerate()
        .map(|(c, col)| col.width.map(f64::from).unwrap_or_else(|| estimate_width(t, c)))
        .collect();
    // Every cell aligned to the top; numbers with their display format; long text wrapped inside its column (text
    // running over into the next cells would widen the printed page).
    let cell_formats: Vec<Format> = t
        .columns
        .iter()
        .zip(&widths)
        .map(|(c, w)| {
            let f = Format::new().set_align(FormatAlign::Top);
            match c.kind {
                ColumnKind::Number { places } => f.set_num_format(number_format(places)),
                ColumnKind::Count => f.set_num_format("#,##0"),
                ColumnKind::Integer => f.set_num_format("0"),
                _ if *w >= 30.0 => f.set_text_wrap(),
                _ => f,
            }
        })
        .collect();
    for (k, rows) in chunks.iter().enumerate() {
        let wanted = if k == 0 { t.sheet.clone() } else { format!("{} ({})", t.sheet, k + 1) };
        let name = sheet_name(&wanted, used);
        // Large tables are streamed to a temporary file as they are written (rows in order), not held in memory.
        let ws: &mut Worksheet = if rows.len() > CONSTANT_MEMORY_ROWS {
            wb.add_worksheet_with_constant_memory().map_err(xerr)?
        } else {
            wb.add_worksheet()
        };
        ws.set_name(&name).map_err(xerr)?;
        for (c, col) in t.columns.iter().enumerate() {
            let c16 = c as u16;
            ws.write_string_with_format(0, c16, cut(&col.header), &f.header).map_err(xerr)?;
            ws.set_column_width(c16, widths[c]).map_err(xerr)?;
        }
        for (r, row) in rows.iter().enumerate() {
            let r32 = (r + 1) as u32;
            // Wrapped text needs a taller row; spreadsheet programs do not always measure it on opening.
            let lines = row
                .iter()
                .zip(&widths)
                .zip(&t.columns)
                .filter(|((_, w), col)| matches!(col.kind, ColumnKind::Text | ColumnKind::Code) && **w >= 30.0)
                .map(|((cell, w), _)| match cell {
                    Cell::Text(s) => (display_width(s) / (w - 1.0)).ceil().max(1.0),
                    _ => 1.0,
                })
                .fold(1.0_f64, f64::max)
                .min(20.0);
            if lines > 1.0 {
                ws.set_row_height(r32, 15.0 * lines).map_err(xerr)?;
            }
            for (c, cell) in row.iter().enumerate().take(t.columns.len()) {
                let c16 = c as u16;
                let cf = &cell_formats[c];
                match cell {
                    Cell::Empty => {}
                    Cell::Text(s) => {
                        ws.write_string_with_format(r32, c16, cut(s), cf).map_err(xerr)?;
                    }
                    Cell::Number(x) => {
                        ws.write_number_with_format(r32, c16, to_number(*x), cf).map_err(xerr)?;
                    }
                    Cell::Count(n) => {
                        ws.write_number_with_format(r32, c16, *n as f64, cf).map_err(xerr)?;
                    }
                }
            }
        }
        ws.set_freeze_panes(1, 0).map_err(xerr)?;
        // Printed as a reviewer expects: A4 landscape, the header on every page, narrow tables one page wide.
        ws.set_paper_size(9).set_landscape().set_print_gridlines(true);
        if widths.iter().sum::<f64>() <= 200.0 {
            ws.set_print_fit_to_pages(1, 0);
        }
        ws.set_repeat_rows(0, 0).map_err(xerr)?;
        if !t.columns.is_empty() {
            ws.autofilter(0, 0, rows.len() as u32, (t.columns.len() - 1) as u16).map_err(xerr)?;
        }
    }
    Ok(())
}

/// Write a document as an .xlsx workbook, returned as bytes.
pub fn workbook(doc: &Document) -> Result<Vec<u8>, Error> {
    let lang = doc.lang;
    let mut wb = Workbook::new();
    let created = ExcelDateTime::from_ymd(2000, 1, 1).map_err(xerr)?;
    wb.set_properties(
        &DocProperties::new()
            .set_title(&doc.title)
            .set_subject(doc.subtitle.as_deref().unwrap_or(""))
            .set_author("ghg")
            .set_comment(format!("ghg {}", env!("CARGO_PKG_VERSION")))
            .set_creation_datetime(&created),
    );
    let f = Formats {
        header: Format::new()
            .set_bold()
            .set_background_color(Color::RGB(0xDDEBF7))
            .set_align(FormatAlign::Center)
            .set_text_wrap(),
        title: Format::new().set_bold().set_font_size(14),
        key: Format::new().set_bold().set_align(FormatAlign::Top),
        wrap: Format::new().set_text_wrap().set_align(FormatAlign::Top),
    };
    let mut used = HashSet::new();
    for t in doc.tables().filter(|t| t.in_workbook) {
        write_table(&mut wb, t, &mut used, &f)?;
    }
    let findings: Vec<_> = doc.findings().collect();
    let has_findings = doc.sections.iter().flat_map(|s| &s.blocks).any(|b| matches!(b, Block::Findings(_)));
    if has_findings {
        let t = Table::new(
            "Findings",
            vec![
                super::doc::Column::text(lang.pick("severity", "级别")).width(10),
                super::doc::Column::code(lang.pick("code", "代码")).width(26),
                super::doc::Column::text(lang.pick("location", "位置")).width(40),
                super::doc::Column::text(lang.pick("message", "说明")).width(100),
            ],
            findings
                .iter()
                .map(|x| {
                    vec![
                        Cell::text(x.severity.label(lang)),
                        Cell::text(&x.code),
                        x.location.as_ref().map(Cell::text).unwrap_or(Cell::Empty),
                        Cell::text(&x.message),
                    ]
                })
                .collect(),
        );
        write_table(&mut wb, &t, &mut used, &f)?;
    }
    // Provenance: title, stamp, notes.
    let name = sheet_name("Provenance", &mut used);
    let ws = wb.add_worksheet();
    ws.set_name(&name).map_err(xerr)?;
    ws.set_paper_size(9).set_landscape().set_print_fit_to_pages(1, 0);
    ws.set_column_width(0, 28).map_err(xerr)?;
    ws.set_column_width(1, 110).map_err(xerr)?;
    ws.write_string_with_format(0, 0, cut(&doc.title), &f.title).map_err(xerr)?;
    let mut r = 1u32;
    if let Some(s) = &doc.subtitle {
        ws.write_string(r, 0, cut(s)).map_err(xerr)?;
        r += 1;
    }
    r += 1;
    for (k, v) in &doc.stamp {
        ws.write_string_with_format(r, 0, cut(k), &f.key).map_err(xerr)?;
        ws.write_string_with_format(r, 1, cut(v), &f.wrap).map_err(xerr)?;
        r += 1;
    }
    let notes: Vec<&String> = doc
        .sections
        .iter()
        .flat_map(|s| &s.blocks)
        .filter_map(|b| if let Block::Text(t) = b { Some(t) } else { None })
        .collect();
    if !notes.is_empty() {
        r += 1;
        ws.write_string_with_format(r, 0, lang.pick("notes", "说明"), &f.key).map_err(xerr)?;
        for n in notes {
            ws.write_string_with_format(r, 1, cut(n), &f.wrap).map_err(xerr)?;
            r += 1;
        }
    }
    r += 1;
    ws.write_string(
        r,
        0,
        lang.pick(
            "Numbers are stored as spreadsheet numbers (about 15 significant digits) and shown rounded; exact values are in the 'exact' columns.",
            "数值以表格数字保存（约 15 位有效数字）并按显示格式四舍五入；精确值见“精确值”列。",
        ),
    )
    .map_err(xerr)?;
    wb.save_to_buffer().map_err(xerr)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sheet_names_are_valid_and_unique() {
        let mut used = HashSet::new();
        assert_eq!(sheet_name("Lines", &mut used), "Lines");
        assert_eq!(sheet_name("lines", &mut used), "lines (2)");
        assert_eq!(sheet_name("a/b:c", &mut used), "a_b_c");
        assert_eq!(sheet_name(&"x".repeat(40), &mut used).chars().count(), 31);
        assert_eq!(sheet_name("History", &mut used), "History (2)");
    }

    #[test]
    fn formats_and_numbers() {
        assert_eq!(number_format(2), "#,##0.00");
        assert_eq!(number_format(0), "#,##0");
        assert_eq!(to_number(rust_decimal_macros::dec!(5918.086)), 5918.086);
    }
}
