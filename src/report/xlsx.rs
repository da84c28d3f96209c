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
use rust_xlsxwriter::{
    Color, DocProperties, ExcelDateTime, Format, FormatAlign, Formula, Workbook, Worksheet, XlsxError,
};

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

/// The spreadsheet number nearest to an exact decimal (the decimal's own digits, parsed correctly rounded). A
/// spreadsheet number is a binary float: it is a display copy, and the exact decimal stands beside it as text.
/// `None` if the digits do not parse (they always do: at most 28 significant digits and 7.9 x 10^28); the cell is
/// then written as the exact text, never as 0.
pub fn to_number(x: Decimal) -> Option<f64> {
    full(x).parse::<f64>().ok().filter(|f| f.is_finite())
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

/// Column widths and cell formats of a table's columns (`sample`: rows to measure text widths by).
fn layout(t: &Table) -> (Vec<f64>, Vec<Format>) {
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
                ColumnKind::Percent { places } => f.set_num_format(percent_format(places)),
                _ if *w >= 30.0 => f.set_text_wrap(),
                _ => f,
            }
        })
        .collect();
    (widths, cell_formats)
}

/// Add one worksheet of a table (continuation `k`, 0 for the first) with its header row.
fn start_sheet<'w>(
    wb: &'w mut Workbook,
    t: &Table,
    k: usize,
    constant_memory: bool,
    used: &mut HashSet<String>,
    widths: &[f64],
    f: &Formats,
) -> Result<&'w mut Worksheet, Error> {
    let wanted = if k == 0 { t.sheet.clone() } else { format!("{} ({})", t.sheet, k + 1) };
    let name = sheet_name(&wanted, used);
    // Large tables are streamed to a temporary file as they are written (rows in order), not held in memory.
    let ws: &mut Worksheet =
        if constant_memory { wb.add_worksheet_with_constant_memory().map_err(xerr)? } else { wb.add_worksheet() };
    ws.set_name(&name).map_err(xerr)?;
    for (c, col) in t.columns.iter().enumerate() {
        let c16 = c as u16;
        ws.write_string_with_format(0, c16, cut(&col.header), &f.header).map_err(xerr)?;
        ws.set_column_width(c16, widths[c]).map_err(xerr)?;
    }
    Ok(ws)
}

/// The display format of a fraction as a percentage with `places` decimals ("0.00%").
pub fn percent_format(places: u32) -> String {
    if places == 0 { "0%".to_string() } else { format!("0.{}%", "0".repeat(places.min(10) as usize)) }
}

/// The fill of a row that needs a look (a figure outside tolerance).
const HIGHLIGHT: Color = Color::RGB(0xFDE2E1);

/// Write one row (`r32`, 1 for the first under the header).
fn write_row(
    ws: &mut Worksheet,
    r32: u32,
    row: &[Cell],
    t: &Table,
    widths: &[f64],
    cell_formats: &[Format],
    heights: bool,
) -> Result<(), Error> {
    // Wrapped text needs a taller row; spreadsheet programs do not always measure it on opening. (Not in a streamed
    // sheet: the writer keeps every row's height in memory.)
    let lines = if !heights {
        1.0
    } else {
        row.iter()
            .zip(widths)
            .zip(&t.columns)
            .filter(|((_, w), col)| matches!(col.kind, ColumnKind::Text | ColumnKind::Code) && **w >= 30.0)
            .map(|((cell, w), _)| match cell {
                Cell::Text(s) => (display_width(s) / (w - 1.0)).ceil().max(1.0),
                _ => 1.0,
            })
            .fold(1.0_f64, f64::max)
            .min(20.0)
    };
    if lines > 1.0 {
        ws.set_row_height(r32, 15.0 * lines).map_err(xerr)?;
    }
    let highlighted: Vec<Format>;
    let cell_formats = if t.highlight.contains(&(r32 as usize - 1)) {
        highlighted = cell_formats.iter().map(|f| f.clone().set_background_color(HIGHLIGHT)).collect();
        &highlighted[..]
    } else {
        cell_formats
    };
    for (c, cell) in row.iter().enumerate().take(t.columns.len()) {
        let c16 = c as u16;
        let cf = &cell_formats[c];
        match cell {
            Cell::Empty if t.highlight.contains(&(r32 as usize - 1)) => {
                ws.write_blank(r32, c16, cf).map_err(xerr)?;
            }
            Cell::Empty => {}
            Cell::Formula { formula, value } => {
                // The saved result is the value as a spreadsheet number (what a recalculation gives), so a program
                // that reads saved results sees the same number as one that recalculates.
                let result = to_number(*value).map(|n| n.to_string()).unwrap_or_else(|| full(*value));
                ws.write_formula_with_format(r32, c16, Formula::new(formula).set_result(result), cf).map_err(xerr)?;
            }
            Cell::Text(s) => {
                ws.write_string_with_format(r32, c16, cut(s), cf).map_err(xerr)?;
            }
            Cell::Number(x) => match to_number(*x) {
                Some(n) => {
                    ws.write_number_with_format(r32, c16, n, cf).map_err(xerr)?;
                }
                None => {
                    ws.write_string_with_format(r32, c16, full(*x), cf).map_err(xerr)?;
                }
            },
            Cell::Count(n) => {
                ws.write_number_with_format(r32, c16, *n as f64, cf).map_err(xerr)?;
            }
        }
    }
    Ok(())
}

/// Freeze the header, set up printing and the filter over `rows` data rows.
fn end_sheet(ws: &mut Worksheet, t: &Table, widths: &[f64], rows: usize) -> Result<(), Error> {
    ws.set_freeze_panes(1, 0).map_err(xerr)?;
    // Printed as a reviewer expects: A4 landscape, the header on every page, narrow tables one page wide.
    ws.set_paper_size(9).set_landscape().set_print_gridlines(true);
    if widths.iter().sum::<f64>() <= 200.0 {
        ws.set_print_fit_to_pages(1, 0);
    }
    ws.set_repeat_rows(0, 0).map_err(xerr)?;
    if !t.columns.is_empty() {
        ws.autofilter(0, 0, rows as u32, (t.columns.len() - 1) as u16).map_err(xerr)?;
    }
    Ok(())
}

fn write_table(wb: &mut Workbook, t: &Table, used: &mut HashSet<String>, f: &Formats) -> Result<(), Error> {
    let per_sheet = MAX_ROWS - 1;
    let chunks: Vec<&[Vec<Cell>]> = if t.rows.is_empty() { vec![&[][..]] } else { t.rows.chunks(per_sheet).collect() };
    let (widths, cell_formats) = layout(t);
    for (k, rows) in chunks.iter().enumerate() {
        let ws = start_sheet(wb, t, k, rows.len() > CONSTANT_MEMORY_ROWS, used, &widths, f)?;
        for (r, row) in rows.iter().enumerate() {
            write_row(ws, (r + 1) as u32, row, t, &widths, &cell_formats, true)?;
        }
        end_sheet(ws, t, &widths, rows.len())?;
    }
    Ok(())
}

/// A workbook whose one long table is written row by row as its rows are made (a constant-memory worksheet
/// streamed to a temporary file, continued on `<sheet> (2)`, ... past Excel's row limit), so memory does not grow
/// with the table. The rest of the document is added by [`StreamedWorkbook::finish`], and the streamed sheets take
/// the place of the document's table of the same sheet name.
pub struct StreamedWorkbook {
    wb: Workbook,
    /// The streamed table's sheet name and columns (its rows stay empty).
    table: Table,
    widths: Vec<f64>,
    cell_formats: Vec<Format>,
    f: Formats,
    used: HashSet<String>,
    /// Worksheets added for the table so far, and data rows in the last one.
    sheets: usize,
    rows_in_sheet: usize,
    /// Rows written in all.
    rows: u64,
}

impl std::fmt::Debug for StreamedWorkbook {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StreamedWorkbook").field("sheet", &self.table.sheet).field("rows", &self.rows).finish()
    }
}

impl StreamedWorkbook {
    /// Start a workbook with the streamed table `table` (its columns and sheet name; rows given are written first).
    pub fn new(table: Table) -> Result<StreamedWorkbook, Error> {
        let (widths, cell_formats) = layout(&table);
        let mut me = StreamedWorkbook {
            wb: Workbook::new(),
            table: Table { rows: Vec::new(), ..table.clone() },
            widths,
            cell_formats,
            f: formats(),
            used: HashSet::new(),
            sheets: 0,
            rows_in_sheet: 0,
            rows: 0,
        };
        start_sheet(&mut me.wb, &me.table, 0, true, &mut me.used, &me.widths, &me.f)?;
        me.sheets = 1;
        for row in &table.rows {
            me.push(row)?;
        }
        Ok(me)
    }

    /// Rows written so far.
    pub fn rows(&self) -> u64 {
        self.rows
    }

    fn last(&mut self) -> Result<&mut Worksheet, Error> {
        self.wb.worksheet_from_index(self.sheets - 1).map_err(xerr)
    }

    /// Write the next row of the table.
    pub fn push(&mut self, row: &[Cell]) -> Result<(), Error> {
        if self.rows_in_sheet == MAX_ROWS - 1 {
            let (t, w, n) = (self.table.clone(), self.widths.clone(), self.rows_in_sheet);
            end_sheet(self.last()?, &t, &w, n)?;
            start_sheet(&mut self.wb, &self.table, self.sheets, true, &mut self.used, &self.widths, &self.f)?;
            self.sheets += 1;
            self.rows_in_sheet = 0;
        }
        let r32 = (self.rows_in_sheet + 1) as u32;
        let k = self.sheets - 1;
        let ws = self.wb.worksheet_from_index(k).map_err(xerr)?;
        write_row(ws, r32, row, &self.table, &self.widths, &self.cell_formats, false)?;
        self.rows_in_sheet += 1;
        self.rows += 1;
        Ok(())
    }

    /// Add the rest of `doc` and write the workbook to `out`, through a temporary file (so the workbook is never
    /// held in memory whole).
    pub fn finish_into(self, doc: &Document, out: &mut dyn std::io::Write) -> Result<(), Error> {
        let path = std::env::temp_dir().join(format!(
            "ghg-{}-{}.xlsx",
            std::process::id(),
            std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or(0)
        ));
        let io = |e: std::io::Error| Error::new(ErrorKind::Io, format!("cannot write the workbook: {e}"));
        let mut file = std::fs::OpenOptions::new().read(true).write(true).create_new(true).open(&path).map_err(io)?;
        // Removed at once: the open file stays readable, and nothing is left behind whatever happens next.
        let _ = std::fs::remove_file(&path);
        let wb = self.into_workbook(doc)?;
        let mut wb = wb;
        wb.save_to_writer(&mut file).map_err(xerr)?;
        use std::io::Seek;
        file.rewind().map_err(io)?;
        std::io::copy(&mut file, out).map_err(io)?;
        Ok(())
    }

    /// Add the rest of `doc` and return the workbook's bytes.
    pub fn finish(self, doc: &Document) -> Result<Vec<u8>, Error> {
        self.into_workbook(doc)?.save_to_buffer().map_err(xerr)
    }

    fn into_workbook(mut self, doc: &Document) -> Result<Workbook, Error> {
        let (t, w, n) = (self.table.clone(), self.widths.clone(), self.rows_in_sheet);
        end_sheet(self.last()?, &t, &w, n)?;
        // Where the streamed sheets go: in place of the document's table of that name.
        let place = doc.tables().filter(|t| t.in_workbook).position(|t| t.sheet == self.table.sheet);
        let skip = self.table.sheet.clone();
        let streamed = self.sheets;
        let mut wb = self.wb;
        write_document(&mut wb, doc, &mut self.used, &self.f, &|t: &Table| t.sheet != skip)?;
        let sheets = wb.worksheets_mut();
        let moved: Vec<Worksheet> = sheets.drain(..streamed).collect();
        let at = place.unwrap_or(sheets.len()).min(sheets.len());
        sheets.splice(at..at, moved);
        Ok(wb)
    }
}

fn formats() -> Formats {
    Formats {
        header: Format::new()
            .set_bold()
            .set_background_color(Color::RGB(0xDDEBF7))
            .set_align(FormatAlign::Center)
            .set_text_wrap(),
        title: Format::new().set_bold().set_font_size(14),
        key: Format::new().set_bold().set_align(FormatAlign::Top),
        wrap: Format::new().set_text_wrap().set_align(FormatAlign::Top),
    }
}

/// Write a document as an .xlsx workbook, returned as bytes.
pub fn workbook(doc: &Document) -> Result<Vec<u8>, Error> {
    let mut wb = Workbook::new();
    write_document(&mut wb, doc, &mut HashSet::new(), &formats(), &|_| true)?;
    wb.save_to_buffer().map_err(xerr)
}

/// Add the properties, the tables (those `include` accepts), the findings and the provenance of `doc`.
fn write_document(
    wb: &mut Workbook,
    doc: &Document,
    used: &mut HashSet<String>,
    f: &Formats,
    include: &dyn Fn(&Table) -> bool,
) -> Result<(), Error> {
    let lang = doc.lang;
    let created = ExcelDateTime::from_ymd(2000, 1, 1).map_err(xerr)?;
    wb.set_properties(
        &DocProperties::new()
            .set_title(&doc.title)
            .set_subject(doc.subtitle.as_deref().unwrap_or(""))
            .set_author("ghg")
            .set_comment(format!("ghg {}", env!("CARGO_PKG_VERSION")))
            .set_creation_datetime(&created),
    );
    for t in doc.tables().filter(|t| t.in_workbook && include(t)) {
        write_table(wb, t, used, f)?;
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
        write_table(wb, &t, used, f)?;
    }
    // Provenance: title, stamp, notes.
    let name = sheet_name("Provenance", used);
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
    Ok(())
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
        assert_eq!(to_number(rust_decimal_macros::dec!(5918.086)), Some(5918.086));
    }
}
