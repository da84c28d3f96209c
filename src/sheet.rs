//! Ledgers kept in spreadsheets (.xlsx, .xlsm, .xls, .xlsb, .ods): the same columns and the same row checks as the
//! CSV ledger ([`crate::activity`]), with every message located at a cell, `ledger.xlsx:Sheet1!D7`.
//!
//! What a spreadsheet adds, and how it is treated:
//! - **Which sheet**: `ledger.xlsx#Sheet2` names one (when no file of that literal name exists); otherwise a sheet
//!   named `ledger` (any case) if there is one, else the first visible worksheet.
//! - **Title rows** above the header (a report title merged across the columns) are skipped: the header is the first
//!   of the first ten non-empty rows that names a ledger column.
//! - **Merged header cells** are rejected, naming the merged range: each column needs its own name in one row.
//!   Merged cells among the data rows (an entity name merged down a block of rows) are read as a person sees them:
//!   every cell of the merged range has the value of its top-left cell.
//! - **Numbers** in numeric cells are read as Excel shows them at full precision: the stored binary value rounded to
//!   15 significant digits (Excel keeps no more than 15 of the digits typed), then exact decimal arithmetic.
//!   **Numbers stored as text** (`"1,909.06"`, `" 1909.06 "`) are read exactly like CSV fields.
//! - **Dates**: a period cell holding a date (or a date serial formatted as a date) is read as the month of that
//!   date, `2024-03`; a bare serial in a period cell (`45444`, not formatted as a date) is rejected with the date it
//!   stands for. A date in any other column is rejected, since it is almost always a number formatted as a date.
//! - **Error cells** (`#DIV/0!`, `#REF!`, ...) are rejected with the error named; values past the last header column
//!   are rejected rather than dropped.
//! - **Limits** (a workbook can be a bomb: a few kilobytes that unpack to gigabytes): memory follows the cells that
//!   hold a value, never the sheet's dimensions. Every part of an .xlsx, .xlsm, .xlsb or .ods package may unpack to
//!   at most [`MAX_PART_BYTES`] (checked by unpacking it once before the workbook is read); a sheet may hold at most
//!   [`MAX_CELLS`] cells with a value (merged ranges counted by their size); a cell's text may be at most
//!   [`MAX_CELL_CHARS`] characters (Excel's own limit). .xlsx, .xlsm and .xlsb sheets are read cell by cell; an .ods
//!   sheet is read whole by the reader, so its declared grid (rows and columns repeated up to the last value) may be
//!   at most [`MAX_GRID_CELLS`]; an .xls file may be at most [`MAX_XLS_BYTES`], and the grid its cell records span
//!   (the reader builds it whole too; a damaged file can place a cell far past the format's 256 columns) at most
//!   [`MAX_GRID_CELLS`].
//!   Past a limit the workbook is refused, naming the part, sheet, row or cell.
//!
//! ```
//! use std::path::Path;
//! // A workbook written with rust_xlsxwriter; any .xlsx, .xls or .ods file reads the same way.
//! let mut wb = rust_xlsxwriter::Workbook::new();
//! let ws = wb.add_worksheet();
//! for (c, h) in ["entity", "period", "activity", "quantity", "unit", "region"].iter().enumerate() {
//!     ws.write_string(0, c as u16, *h).unwrap();
//! }
//! ws.write_string(1, 0, "plant-a").unwrap();
//! ws.write_number(1, 1, 2024).unwrap();
//! ws.write_string(1, 2, "diesel").unwrap();
//! ws.write_string(1, 3, "1,909.06").unwrap(); // a number stored as text
//! ws.write_string(1, 4, "吨").unwrap();
//! ws.write_string(1, 5, "浙江").unwrap();
//! ws.write_string(2, 0, "plant-a").unwrap();
//! ws.write_number(2, 1, 2024).unwrap();
//! ws.write_string(2, 2, "diesel").unwrap();
//! ws.write_number(2, 3, -3).unwrap();
//! ws.write_string(2, 4, "t").unwrap();
//! ws.write_string(2, 5, "CN").unwrap();
//! let bytes = wb.save_to_buffer().unwrap();
//!
//! let mut ledger = ghg::sheet::SheetLedger::from_bytes(Path::new("ledger.xlsx"), bytes, None).unwrap();
//! let first = ledger.next_record().unwrap().unwrap();
//! assert_eq!(first.quantity.value.to_string(), "1909.06");
//! assert_eq!(first.region, "CN-ZJ");
//! assert_eq!(first.source.to_string(), "ledger.xlsx:Sheet1!2:2");
//! let second = ledger.next_record().unwrap().unwrap_err();
//! assert_eq!(second.to_string(), "ledger.xlsx:Sheet1!D3: quantity -3 is negative \
//!     (ledger quantities are amounts consumed or bought; model removals as a scenario)");
//! assert!(ledger.next_record().is_none());
//! ```

use std::collections::{BTreeMap, BTreeSet};
use std::io::{Cursor, Read};
use std::path::{Path, PathBuf};

use calamine::{Data, DataRef, Reader, Sheets};
use rust_decimal::Decimal;

use crate::activity::{ActivityRecord, Columns, OPTIONAL_COLUMNS, REQUIRED_COLUMNS, RowCheck, columns_from_header};
use crate::error::{Error, ErrorKind, Location, column_name};

/// File extensions read as spreadsheets (compared without regard to case).
pub const SPREADSHEET_EXTENSIONS: &[&str] = &["xlsx", "xlsm", "xls", "xlsb", "ods"];

/// How many non-empty rows at the top may be titles before the header.
const TITLE_ROWS: usize = 10;

/// Most bytes one part of a workbook package (a sheet's XML, the shared strings, an .ods content.xml) may unpack
/// to: 128 MiB, about 300,000 ledger rows of an .xlsx sheet. Larger ledgers are read as CSV.
pub const MAX_PART_BYTES: u64 = 128 << 20;

/// Most cells with a value one sheet may hold (cells of merged ranges counted): 2,000,000, a ledger of 200,000
/// rows of ten columns.
pub const MAX_CELLS: usize = 2_000_000;

/// Most characters in one cell: Excel's own limit.
pub const MAX_CELL_CHARS: usize = 32_767;

/// Most cells the grid of an .ods or .xls sheet may span (its rows times its columns, up to the last value, repeats
/// expanded): the reader builds that grid whole.
pub const MAX_GRID_CELLS: u64 = 4_000_000;

/// Largest .xls file read (the format is read whole).
pub const MAX_XLS_BYTES: u64 = 64 << 20;

/// Split `book.xlsx#Sheet` into the file and the sheet name, when the literal path does not exist.
pub fn split_sheet(path: &Path) -> (PathBuf, Option<String>) {
    if path.exists() {
        return (path.to_path_buf(), None);
    }
    let s = path.to_string_lossy();
    if let Some((file, sheet)) = s.rsplit_once('#') {
        let f = PathBuf::from(file);
        if has_spreadsheet_extension(&f) && !sheet.is_empty() {
            return (f, Some(sheet.to_string()));
        }
    }
    (path.to_path_buf(), None)
}

fn has_spreadsheet_extension(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| SPREADSHEET_EXTENSIONS.iter().any(|x| x.eq_ignore_ascii_case(e)))
}

/// Whether a ledger path names a spreadsheet (by its extension, `#Sheet` suffix allowed).
pub fn is_spreadsheet(path: &Path) -> bool {
    has_spreadsheet_extension(&split_sheet(path).0)
}

fn sheet_error(file: &Path, message: impl Into<String>) -> Error {
    Error::new(ErrorKind::Spreadsheet, message).at(Location::file(file))
}

/// The cells of a sheet that hold a value, by absolute (0-based) row and column.
type Cells = BTreeMap<(u32, u32), Data>;

/// Formula cells without a saved value, by position, with their formula as shown in a message.
type Unsaved = BTreeMap<(u32, u32), String>;

/// A formula as a message shows it: `=B2*1000`, or "a shared formula" for a cell that only points at one.
fn formula_text(f: &calamine::XlsxFormulaMetadata) -> String {
    match f {
        calamine::XlsxFormulaMetadata::Normal { formula } | calamine::XlsxFormulaMetadata::Shared { formula, .. } => {
            let t: String = formula.chars().take(80).collect();
            format!("={t}")
        }
        _ => "a shared formula".to_string(),
    }
}

/// The rows a merged range covers in one column (first, last) and its top-left cell.
type MergedRows = (u32, u32, (u32, u32));

/// A spreadsheet ledger being read: one worksheet, validated row by row.
pub struct SheetLedger {
    file: PathBuf,
    sheet: std::sync::Arc<String>,
    /// The cells that hold a value, by absolute (0-based) row and column.
    cells: BTreeMap<(u32, u32), Data>,
    /// Rows holding a value (their own, or a merged range's), in order.
    rows: Vec<u32>,
    /// First column holding a value: column indexes below are relative to it.
    origin_col: u32,
    /// Merged ranges of more than one cell, by each column they cover: (first row, last row, top-left cell).
    merged: BTreeMap<u32, Vec<MergedRows>>,
    cols: Columns,
    /// Index into `rows` of the next row to read.
    next: usize,
    sha256: String,
    /// Data rows read so far (blank rows are not counted).
    pub rows_read: u64,
    /// Formula cells (.xlsx) that carry no saved value, with their formula: read, they would be empty.
    unsaved: BTreeMap<(u32, u32), String>,
}

impl std::fmt::Debug for SheetLedger {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SheetLedger").field("file", &self.file).field("sheet", &self.sheet).finish_non_exhaustive()
    }
}

/// Unpack every part of a zip package once, refusing a part past [`MAX_PART_BYTES`] before any reader holds it.
fn check_parts(file: &Path, bytes: &[u8]) -> Result<(), Error> {
    // Not a zip (or a broken one): the workbook reader says what is wrong.
    let Ok(mut zip) = zip::ZipArchive::new(Cursor::new(bytes)) else { return Ok(()) };
    for i in 0..zip.len() {
        let Ok(mut part) = zip.by_index(i) else { continue };
        let name = part.name().map(|n| n.to_string()).unwrap_or_default();
        let mut sink = std::io::sink();
        let n = std::io::copy(&mut (&mut part).take(MAX_PART_BYTES + 1), &mut sink).unwrap_or(0);
        if n > MAX_PART_BYTES {
            return Err(sheet_error(
                file,
                format!("part '{name}' of the workbook unpacks to more than {} MiB", MAX_PART_BYTES >> 20),
            )
            .hint("a ledger this large is read as CSV: export the sheet as CSV UTF-8 (or check the file: a few kilobytes that unpack to gigabytes are a zip bomb)"));
        }
    }
    Ok(())
}

/// The grid an .ods sheet spans, measured from its content.xml before the reader builds it: rows and columns
/// repeated up to the last value. Refused past [`MAX_GRID_CELLS`], naming the sheet and row.
fn check_ods_grid(file: &Path, bytes: &[u8]) -> Result<(), Error> {
    use quick_xml::events::Event;
    let Ok(mut zip) = zip::ZipArchive::new(Cursor::new(bytes)) else { return Ok(()) };
    let Ok(part) = zip.by_name("content.xml") else { return Ok(()) };
    let mut xml = quick_xml::Reader::from_reader(std::io::BufReader::new(part.take(MAX_PART_BYTES)));
    let mut buf = Vec::new();
    let attr = |e: &quick_xml::events::BytesStart, key: &str| -> u64 {
        e.attributes().flatten().find(|a| a.key.as_ref() == key).and_then(|a| a.value.trim().parse().ok()).unwrap_or(1)
    };
    let (mut table, mut row, mut rows_used, mut width) = (String::new(), 0u64, 0u64, 0u64);
    let (mut row_rep, mut col, mut row_width) = (1u64, 0u64, 0u64);
    // The open cell: its repeat count and whether it holds anything.
    let mut cell: Option<(u64, bool)> = None;
    loop {
        let ev = match xml.read_event_into(&mut buf) {
            Ok(Event::Eof) | Err(_) => return Ok(()),
            Ok(ev) => ev,
        };
        match ev {
            Event::Start(e) | Event::Empty(e) if e.name().as_ref() == "table:table" => {
                table = e
                    .attributes()
                    .flatten()
                    .find(|a| a.key.as_ref() == "table:name")
                    .map(|a| a.value.into_owned())
                    .unwrap_or_default();
                (row, rows_used, width) = (0, 0, 0);
            }
            Event::Start(e) if e.name().as_ref() == "table:table-row" => {
                (row_rep, col, row_width) = (attr(&e, "table:number-rows-repeated"), 0, 0);
            }
            Event::Empty(e) if e.name().as_ref() == "table:table-row" => {
                row = row.saturating_add(attr(&e, "table:number-rows-repeated"));
            }
            ref ev @ (Event::Start(ref e) | Event::Empty(ref e))
                if matches!(e.name().as_ref(), "table:table-cell" | "table:covered-table-cell") =>
            {
                let rep = attr(e, "table:number-columns-repeated");
                let valued = e.attributes().flatten().any(|a| a.key.as_ref() == "office:value-type");
                if matches!(ev, Event::Empty(_)) {
                    col = col.saturating_add(rep);
                    if valued {
                        row_width = col;
                    }
                } else {
                    cell = Some((rep, valued));
                }
            }
            Event::Text(_) | Event::Start(_) | Event::Empty(_) => {
                if let Some(c) = cell.as_mut() {
                    c.1 = true;
                }
            }
            Event::End(e) if matches!(e.name().as_ref(), "table:table-cell" | "table:covered-table-cell") => {
                if let Some((rep, valued)) = cell.take() {
                    col = col.saturating_add(rep);
                    if valued {
                        row_width = col;
                    }
                }
            }
            Event::End(e) if e.name().as_ref() == "table:table-row" => {
                let first = row;
                row = row.saturating_add(row_rep);
                if row_width > 0 {
                    rows_used = row;
                    width = width.max(row_width);
                }
                if rows_used.saturating_mul(width) > MAX_GRID_CELLS {
                    return Err(Error::new(
                        ErrorKind::Spreadsheet,
                        format!(
                            "sheet spans {rows_used} rows x {width} columns with its repeated cells, more than {MAX_GRID_CELLS} cells"
                        ),
                    )
                    .at(Location::cell(file, std::sync::Arc::new(table.clone()), first as usize + 1, None))
                    .hint("remove the repeated rows and columns (or export the sheet as CSV UTF-8)"));
                }
            }
            _ => {}
        }
        buf.clear();
    }
}

/// Whether an .xls (OLE compound file) is damaged in a way that makes its reader loop or allocate without end
/// (found by fuzzing): a sector listed twice as a FAT sector, more FAT sectors than the file has, or a sector
/// chain of the FAT or the mini FAT that runs in a circle. Anything else wrong is left to the reader.
fn cfb_is_circular(bytes: &[u8]) -> bool {
    const SPECIAL: u32 = 0xFFFF_FFFA;
    let u32_at =
        |b: &[u8], o: usize| b.get(o..o + 4).map_or(u32::MAX, |w| u32::from_le_bytes([w[0], w[1], w[2], w[3]]));
    let words = |b: &[u8]| b.chunks_exact(4).map(|w| u32::from_le_bytes([w[0], w[1], w[2], w[3]])).collect::<Vec<_>>();
    if bytes.len() < 512 || !bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) {
        return false;
    }
    let ss = match bytes.get(30..32).map(|w| u16::from_le_bytes([w[0], w[1]])) {
        Some(9) => 512,
        Some(12) => 4096,
        _ => return false,
    };
    let n = bytes.len() / ss;
    let sector =
        |id: u32| (id as usize).checked_add(1).and_then(|k| k.checked_mul(ss)).and_then(|o| bytes.get(o..o + ss));
    // The FAT sectors: 109 in the header, then the DIFAT chain (its length bounded by the file).
    let mut fat_sectors: Vec<u32> = (0..109).map(|k| u32_at(bytes, 76 + 4 * k)).collect();
    let mut id = u32_at(bytes, 68);
    let mut steps = 0;
    while id < SPECIAL {
        steps += 1;
        let Some(sec) = sector(id).filter(|_| steps <= n + 1) else { return steps > n + 1 };
        let w = words(sec);
        fat_sectors.extend_from_slice(&w[..w.len() - 1]);
        id = w[w.len() - 1];
    }
    fat_sectors.retain(|id| *id < SPECIAL && sector(*id).is_some());
    let distinct: BTreeSet<u32> = fat_sectors.iter().copied().collect();
    if distinct.len() != fat_sectors.len() || fat_sectors.len() > n {
        return true;
    }
    let fat: Vec<u32> = fat_sectors.iter().filter_map(|id| sector(*id)).flat_map(words).collect();
    let circular = |next: &[u32]| {
        // 0 not seen, 1 on the walk in progress, 2 known to end.
        let mut state = vec![0u8; next.len()];
        for start in 0..next.len() {
            let mut path = Vec::new();
            let mut i = start;
            while i < next.len() && state[i] == 0 {
                state[i] = 1;
                path.push(i);
                i = next[i] as usize;
            }
            if i < next.len() && state[i] == 1 {
                return true;
            }
            for p in path {
                state[p] = 2;
            }
        }
        false
    };
    if circular(&fat) {
        return true;
    }
    // The mini FAT, stored in a chain of the (now known acyclic) FAT.
    let mut minifat = Vec::new();
    let mut id = u32_at(bytes, 60);
    while id < SPECIAL && (id as usize) < fat.len() {
        let Some(sec) = sector(id) else { break };
        minifat.extend(words(sec));
        id = fat[id as usize];
    }
    circular(&minifat)
}

/// The grid each sheet of an .xls spans, refused past [`MAX_GRID_CELLS`] before the reader runs: the reader builds
/// that grid whole from the cells it keeps, and a damaged file can claim a cell at column 65,536 (a 137 GB grid,
/// found by fuzzing). The sheets are walked as the reader walks them: from the position each BoundSheet record
/// gives, nested substreams skipped, the cell records it keeps (not blanks). A DIMENSIONS record past the format's
/// own 65,536 x 256 cells, or inverted, is refused too: the reader reserves that much. A workbook whose container
/// or stream cannot be read here is refused rather than left to the reader.
fn check_xls_grid(file: &Path, bytes: &[u8]) -> Result<(), Error> {
    let unreadable = |why: String| {
        sheet_error(file, format!("cannot read the workbook: {why}"))
            .hint("open and save it again in a spreadsheet program, or save it as .xlsx or CSV UTF-8")
    };
    let mut book = cfb::CompoundFile::open(Cursor::new(bytes)).map_err(|e| unreadable(e.to_string()))?;
    let name = ["/Workbook", "/Book"]
        .into_iter()
        .find(|n| book.is_stream(n))
        .ok_or_else(|| unreadable("it holds no Workbook stream".into()))?;
    let mut stream = Vec::new();
    book.open_stream(name)
        .and_then(|s| s.take(MAX_XLS_BYTES).read_to_end(&mut stream))
        .map_err(|e| unreadable(e.to_string()))?;
    let u16_at = |d: &[u8], o: usize| d.get(o..o + 2).map(|w| u32::from(u16::from_le_bytes([w[0], w[1]])));
    let u32_at = |d: &[u8], o: usize| d.get(o..o + 4).map(|w| u32::from_le_bytes([w[0], w[1], w[2], w[3]]));
    // Records from `at` on, as (type, data), ending where a record runs past the stream.
    let stream = stream.as_slice();
    let records = |mut at: usize| {
        std::iter::from_fn(move || {
            let (kind, len) = (u16_at(stream, at)?, u16_at(stream, at + 2)? as usize);
            let data = stream.get(at + 4..at + 4 + len)?;
            at += 4 + len;
            Some((kind, data))
        })
    };
    let damaged =
        "an .xls has at most 65,536 rows and 256 columns: the file is damaged, or save it as .xlsx or CSV UTF-8";
    // The workbook globals: where each sheet's records begin.
    let mut sheets = Vec::new();
    for (kind, data) in records(0) {
        match kind {
            0x0085 => sheets.extend(u32_at(data, 0)),
            0x000A => break,
            _ => {}
        }
    }
    for pos in sheets {
        // (first row, last row, first column, last column) of the cells the reader keeps.
        let mut span: Option<(u32, u32, u32, u32)> = None;
        let mut cell = |row: Option<u32>, col: Option<u32>| {
            if let (Some(r), Some(c)) = (row, col) {
                let (r0, r1, c0, c1) = span.unwrap_or((r, r, c, c));
                span = Some((r0.min(r), r1.max(r), c0.min(c), c1.max(c)));
            }
        };
        let (mut seen_bof, mut depth) = (false, 0usize);
        for (kind, data) in records(pos as usize) {
            if depth > 0 {
                match kind {
                    0x0809 => depth += 1,
                    0x000A => depth -= 1,
                    _ => {}
                }
                continue;
            }
            match kind {
                0x0809 if seen_bof => depth += 1,
                0x0809 => seen_bof = true,
                0x000A => break,
                // DIMENSIONS: the reader reserves rows x columns cells.
                0x0200 => {
                    let (r0, r1, c0, c1) = match data.len() {
                        10 => (u16_at(data, 0), u16_at(data, 2), u16_at(data, 4), u16_at(data, 6)),
                        14 | 16 => (u32_at(data, 0), u32_at(data, 4), u16_at(data, 8), u16_at(data, 10)),
                        _ => continue,
                    };
                    let (Some(r0), Some(r1), Some(c0), Some(c1)) = (r0, r1, c0, c1) else { continue };
                    let c0 = if c0 > 0xFF || c1 < c0 { 0 } else { c0 };
                    if r1 >= 1 && c1 >= 1 {
                        let rows = u64::from(r1).checked_sub(u64::from(r0)).unwrap_or(u64::MAX);
                        let cols = u64::from(c1) - u64::from(c0);
                        if rows.saturating_mul(cols) > 65_536 * 256 {
                            let size = if rows == u64::MAX {
                                "an inverted row range".to_string()
                            } else {
                                format!("{rows} rows x {cols} columns")
                            };
                            return Err(sheet_error(
                                file,
                                format!("a sheet declares a size (DIMENSIONS) of {size}, past the .xls format's 65,536 x 256 cells"),
                            )
                            .hint(damaged));
                        }
                    }
                }
                // NUMBER, LABEL, RSTRING, BOOLERR, RK, LABELSST, FORMULA: row, column.
                0x0203 | 0x0204 | 0x00D6 | 0x0205 | 0x027E | 0x00FD | 0x0006 => cell(u16_at(data, 0), u16_at(data, 2)),
                // MULRK: row, first column, ..., last column.
                0x00BD => {
                    cell(u16_at(data, 0), u16_at(data, 2));
                    cell(u16_at(data, 0), data.len().checked_sub(2).and_then(|o| u16_at(data, o)));
                }
                _ => {}
            }
        }
        if let Some((r0, r1, c0, c1)) = span {
            let (rows, cols) = (u64::from(r1 - r0) + 1, u64::from(c1 - c0) + 1);
            if rows * cols > MAX_GRID_CELLS {
                return Err(sheet_error(
                    file,
                    format!(
                        "a sheet's cells span {rows} rows x {cols} columns (to row {}, column {}), more than \
                         {MAX_GRID_CELLS} cells",
                        r1 + 1,
                        c1 + 1
                    ),
                )
                .hint(damaged));
            }
        }
    }
    Ok(())
}

fn too_many_cells(file: &Path, sheet: &str, at: (u32, u32)) -> Error {
    Error::new(ErrorKind::Spreadsheet, format!("sheet holds more than {MAX_CELLS} cells with a value"))
        .at(Location::cell(file, std::sync::Arc::new(sheet.to_string()), at.0 as usize + 1, Some(at.1 as usize + 1)))
        .hint("a ledger this large is read as CSV: export the sheet as CSV UTF-8")
}

/// Keep one cell: empty cells are dropped, long texts and too many cells refused.
fn keep(
    cells: &mut BTreeMap<(u32, u32), Data>,
    file: &Path,
    sheet: &str,
    at: (u32, u32),
    d: Data,
) -> Result<(), Error> {
    if matches!(d, Data::Empty) {
        return Ok(());
    }
    if let Data::String(t) = &d
        && t.len() > MAX_CELL_CHARS
        && t.chars().count() > MAX_CELL_CHARS
    {
        return Err(Error::new(
            ErrorKind::Spreadsheet,
            format!("cell holds {} characters, more than {MAX_CELL_CHARS}", t.chars().count()),
        )
        .at(Location::cell(file, std::sync::Arc::new(sheet.to_string()), at.0 as usize + 1, Some(at.1 as usize + 1)))
        .hint("a ledger cell holds a name, a number or a short note"));
    }
    if cells.len() >= MAX_CELLS {
        return Err(too_many_cells(file, sheet, at));
    }
    cells.insert(at, d);
    Ok(())
}

impl SheetLedger {
    /// Open a spreadsheet ledger; `path` may end in `#Sheet` to name the worksheet.
    pub fn open(path: &Path) -> Result<SheetLedger, Error> {
        let (file, sheet) = split_sheet(path);
        let bytes = std::fs::read(&file).map_err(|e| Error::io(&file, &e))?;
        SheetLedger::from_bytes(&file, bytes, sheet.as_deref())
    }

    /// Read a workbook from bytes; `file` names it in messages (its extension chooses the format) and `sheet`
    /// chooses the worksheet (see the module documentation for the default).
    pub fn from_bytes(file: &Path, bytes: Vec<u8>, sheet: Option<&str>) -> Result<SheetLedger, Error> {
        let sha256 = crate::factor::sha256_hex(&bytes);
        let looks_like_text = !bytes.is_empty()
            && !bytes.starts_with(b"PK")
            && !bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0])
            && bytes.iter().take(4096).all(|b| *b >= 0x09 && *b != 0x7F);
        let ext = file.extension().and_then(|e| e.to_str()).unwrap_or("").to_ascii_lowercase();
        if bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) && cfb_is_circular(&bytes) {
            return Err(sheet_error(
                file,
                "cannot read the workbook: it is damaged (its sector chains run in a circle)",
            )
            .hint("open and save it again in a spreadsheet program, or export the sheet as CSV UTF-8"));
        }
        if ext == "xls" && bytes.len() as u64 > MAX_XLS_BYTES {
            return Err(sheet_error(
                file,
                format!("an .xls workbook of more than {} MiB is not read", MAX_XLS_BYTES >> 20),
            )
            .hint("save it as .xlsx, or export the sheet as CSV UTF-8"));
        }
        if ext == "xls" && bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) {
            check_xls_grid(file, &bytes)?;
        }
        if bytes.starts_with(b"PK") {
            check_parts(file, &bytes)?;
            if ext == "ods" {
                check_ods_grid(file, &bytes)?;
            }
        }
        // The workbook reader can panic on a damaged file (an index out of bounds in its OLE reader, found by
        // fuzzing); that is this file's problem, reported as such, never a crash.
        let read = || -> Result<(String, Cells, Vec<calamine::Dimensions>, Unsaved), Error> {
            let cur = Cursor::new(bytes);
            let opened: Result<Sheets<Cursor<Vec<u8>>>, String> = match ext.as_str() {
                "xls" => calamine::open_workbook_from_rs(cur).map(Sheets::Xls).map_err(|e| e.to_string()),
                "xlsb" => calamine::open_workbook_from_rs(cur).map(Sheets::Xlsb).map_err(|e| e.to_string()),
                "ods" => calamine::open_workbook_from_rs(cur).map(Sheets::Ods).map_err(|e| e.to_string()),
                _ => calamine::open_workbook_from_rs(cur).map(Sheets::Xlsx).map_err(|e| e.to_string()),
            };
            let mut book = opened.map_err(|e| {
                if looks_like_text {
                    sheet_error(file, "is not a workbook: it holds plain text (a CSV file with a spreadsheet's name?)")
                        .hint("rename it to .csv, or save it from the spreadsheet program as .xlsx")
                } else {
                    sheet_error(file, format!("cannot read the workbook: {e}"))
                        .hint("save it as .xlsx, .xls or .ods (not encrypted), or export the sheet as CSV UTF-8")
                }
            })?;
            let names: Vec<String> = book.sheet_names();
            let visible: Vec<String> = book
                .sheets_metadata()
                .iter()
                .filter(|s| s.typ == calamine::SheetType::WorkSheet && s.visible == calamine::SheetVisible::Visible)
                .map(|s| s.name.clone())
                .collect();
            let chosen = match sheet {
                Some(s) => names.iter().find(|n| *n == s).cloned().ok_or_else(|| {
                    sheet_error(file, format!("the workbook has no sheet '{s}'"))
                        .hint(format!("its sheets are {}", names.join(", ")))
                })?,
                None => names
                    .iter()
                    .find(|n| n.eq_ignore_ascii_case("ledger"))
                    .or_else(|| visible.first())
                    .or_else(|| names.first())
                    .cloned()
                    .ok_or_else(|| sheet_error(file, "the workbook has no worksheet"))?,
            };
            let cannot = |e: String| {
                sheet_error(file, format!("cannot read sheet '{chosen}': {e}")).hint("check that it is a worksheet")
            };
            let mut cells = BTreeMap::new();
            let mut unsaved = Unsaved::new();
            // .xlsx and .xlsb are read cell by cell; the other formats come as a whole grid from the reader.
            macro_rules! stream {
                ($reader:expr) => {{
                    let mut rd = $reader.map_err(|e| cannot(e.to_string()))?;
                    while let Some(c) = rd.next_cell().map_err(|e| cannot(e.to_string()))? {
                        let at = c.get_position();
                        let d: Data = match c.get_value() {
                            DataRef::Empty => continue,
                            v => Data::from(v.clone()),
                        };
                        keep(&mut cells, file, &chosen, at, d)?;
                    }
                }};
            }
            match &mut book {
                // With the formulas, to tell a formula whose value was never saved from an empty cell.
                Sheets::Xlsx(x) => {
                    let mut rd = x.worksheet_cells_reader(&chosen).map_err(|e| cannot(e.to_string()))?;
                    while let Some(c) = rd.next_cell_with_formula_metadata().map_err(|e| cannot(e.to_string()))? {
                        match (c.value, c.formula) {
                            (DataRef::Empty, None) => {}
                            (DataRef::Empty, Some(f)) => {
                                if unsaved.len() + cells.len() >= MAX_CELLS {
                                    return Err(too_many_cells(file, &chosen, c.pos));
                                }
                                unsaved.insert(c.pos, formula_text(&f));
                            }
                            (v, _) => keep(&mut cells, file, &chosen, c.pos, Data::from(v))?,
                        }
                    }
                }
                Sheets::Xlsb(x) => stream!(x.worksheet_cells_reader(&chosen)),
                _ => {
                    let range = book.worksheet_range(&chosen).map_err(|e| cannot(e.to_string()))?;
                    let (r0, c0) = range.start().unwrap_or((0, 0));
                    for (r, c, d) in range.used_cells() {
                        keep(&mut cells, file, &chosen, (r0 + r as u32, c0 + c as u32), d.clone())?;
                    }
                }
            }
            let merges: Vec<calamine::Dimensions> = match &mut book {
                Sheets::Xlsx(x) => x.merge_cells_by_sheet_name(&chosen).unwrap_or_default(),
                Sheets::Xls(x) => x.merge_cells_by_sheet_name(&chosen).unwrap_or_default(),
                _ => Vec::new(),
            };
            drop(book);
            Ok((chosen, cells, merges, unsaved))
        };
        let (chosen, cells, merges, unsaved) = match std::panic::catch_unwind(std::panic::AssertUnwindSafe(read)) {
            Ok(r) => r?,
            Err(_) => {
                return Err(sheet_error(
                    file,
                    "cannot read the workbook: the spreadsheet reader failed on it (a damaged file?)",
                )
                .hint("open and save it again in a spreadsheet program, or export the sheet as CSV UTF-8"));
            }
        };
        let mut me = SheetLedger::new(file, chosen.into(), cells, &merges, sha256, &unsaved)?;
        me.unsaved = unsaved;
        Ok(me)
    }

    fn new(
        file: &Path,
        sheet: std::sync::Arc<String>,
        cells: BTreeMap<(u32, u32), Data>,
        merges: &[calamine::Dimensions],
        sha256: String,
        unsaved: &Unsaved,
    ) -> Result<SheetLedger, Error> {
        let mut rows: BTreeSet<u32> = cells.iter().filter(|(_, d)| !is_blank(d)).map(|((r, _), _)| *r).collect();
        // A row of formulas without saved values is no blank row: it is read, and its cells reported.
        rows.extend(unsaved.keys().map(|(r, _)| *r));
        let mut origin_col = cells.keys().map(|(_, c)| *c).min().unwrap_or(0);
        let mut merged: BTreeMap<u32, Vec<MergedRows>> = BTreeMap::new();
        let mut covered: u64 = 0;
        for m in merges.iter().filter(|m| m.len() > 1) {
            covered = covered.saturating_add(m.len());
            if covered.saturating_add(cells.len() as u64) > MAX_CELLS as u64 {
                return Err(too_many_cells(file, &sheet, m.start));
            }
            origin_col = origin_col.min(m.start.1);
            for c in m.start.1..=m.end.1 {
                merged.entry(c).or_default().push((m.start.0, m.end.0, m.start));
            }
            // A merged range shows its top-left value in every row it covers.
            if cells.get(&m.start).is_some_and(|d| !is_blank(d)) {
                rows.extend(m.start.0..=m.end.0);
            }
        }
        for v in merged.values_mut() {
            v.sort_unstable();
        }
        let mut me = SheetLedger {
            file: file.to_path_buf(),
            sheet,
            cells,
            rows: rows.into_iter().collect(),
            origin_col,
            merged,
            cols: Columns::default(),
            next: 0,
            sha256,
            rows_read: 0,
            unsaved: Unsaved::new(),
        };
        me.read_header(merges)?;
        Ok(me)
    }

    /// The worksheet read.
    pub fn sheet_name(&self) -> &str {
        &self.sheet
    }

    /// SHA-256 of the workbook file's bytes, lowercase hex.
    pub fn sha256(&self) -> &str {
        &self.sha256
    }

    /// Rows with a value looked at so far and in all (for progress reports).
    pub fn progress(&self) -> (u64, u64) {
        (self.next as u64, self.rows.len() as u64)
    }

    /// `row` is absolute; `rel_col` relative to the first column holding a value.
    fn cell_loc(&self, row: u32, rel_col: usize) -> Location {
        Location::cell(&self.file, self.sheet.clone(), row as usize + 1, Some(self.origin_col as usize + rel_col + 1))
    }

    fn row_loc(&self, row: u32) -> Location {
        Location::cell(&self.file, self.sheet.clone(), row as usize + 1, None)
    }

    /// The value a person sees (merged cells show their top-left value).
    fn value(&self, row: u32, rel_col: usize) -> &Data {
        let Some(col) = u32::try_from(rel_col).ok().and_then(|c| self.origin_col.checked_add(c)) else {
            return &Data::Empty;
        };
        let mut at = (row, col);
        if let Some(v) = self.merged.get(&col) {
            let i = v.partition_point(|m| m.0 <= row);
            if let Some(m) = i.checked_sub(1).and_then(|i| v.get(i))
                && m.1 >= row
            {
                at = m.2;
            }
        }
        self.cells.get(&at).unwrap_or(&Data::Empty)
    }

    /// The cells of one row that hold a value, by relative column.
    fn row_cells(&self, row: u32) -> impl Iterator<Item = (usize, &Data)> {
        self.cells.range((row, 0)..=(row, u32::MAX)).map(|((_, c), d)| ((c - self.origin_col) as usize, d))
    }

    /// One past the last relative column of a row holding a value.
    fn row_width(&self, row: u32) -> usize {
        let own = self.row_cells(row).filter(|(_, d)| !is_blank(d)).map(|(c, _)| c + 1).max().unwrap_or(0);
        let merged = self
            .merged
            .iter()
            .filter(|(_, v)| {
                v.iter().any(|m| m.0 <= row && row <= m.1 && self.cells.get(&m.2).is_some_and(|d| !is_blank(d)))
            })
            .map(|(c, _)| (c - self.origin_col) as usize + 1)
            .max()
            .unwrap_or(0);
        own.max(merged)
    }

    fn read_header(&mut self, merges: &[calamine::Dimensions]) -> Result<(), Error> {
        let known = |d: &Data| -> bool {
            let t = plain_text(d);
            let t = t.trim();
            REQUIRED_COLUMNS.contains(&t) || OPTIONAL_COLUMNS.contains(&t)
        };
        let mut header = None;
        for (i, &r) in self.rows.iter().take(TITLE_ROWS).enumerate() {
            if (0..self.row_width(r)).any(|c| known(self.value(r, c))) {
                header = Some(i);
                break;
            }
        }
        let Some(hi) = header.or(if self.rows.is_empty() { None } else { Some(0) }) else {
            return Err(Error::new(ErrorKind::Empty, "ledger is empty: no header line")
                .at(Location::cell(&self.file, self.sheet.clone(), 1, Some(1)))
                .hint(format!("the first line must be the header {},note", REQUIRED_COLUMNS.join(","))));
        };
        let h = self.rows[hi];
        // A merged range touching the header row that is more than one cell: the header is ambiguous.
        for m in merges {
            if m.start.0 <= h && h <= m.end.0 && m.len() > 1 {
                let name = plain_text(self.cells.get(&m.start).unwrap_or(&Data::Empty));
                let range_text = format!(
                    "{}{}:{}{}",
                    column_name(m.start.1 as usize + 1),
                    m.start.0 + 1,
                    column_name(m.end.1 as usize + 1),
                    m.end.0 + 1
                );
                return Err(Error::new(
                    ErrorKind::Spreadsheet,
                    format!("header cell '{}' is merged across {range_text}", name.trim()),
                )
                .at(Location::cell(
                    &self.file,
                    self.sheet.clone(),
                    m.start.0 as usize + 1,
                    Some(m.start.1 as usize + 1),
                ))
                .hint("unmerge the header cells: each column needs its own name, in one row"));
            }
        }
        let width = self.row_width(h);
        let names: Vec<String> = (0..width).map(|c| plain_text(self.value(h, c)).trim().to_string()).collect();
        if let Some(i) = names.iter().position(|n| n.is_empty()) {
            return Err(Error::new(ErrorKind::Spreadsheet, "header cell is empty between named columns")
                .at(self.cell_loc(h, i))
                .hint("give every column a name in the header row (were header cells merged?)"));
        }
        let whole = self.row_loc(h);
        let cols = {
            let at = |i: usize| self.cell_loc(h, i);
            columns_from_header(&names, &at, whole)?
        };
        self.cols = cols;
        self.next = hi + 1;
        Ok(())
    }

    /// The next row: `None` at the end, `Some(Err)` for a row that failed validation (the caller decides whether
    /// to stop), `Some(Ok)` for a valid row. Blank rows are skipped and not counted.
    pub fn next_record(&mut self) -> Option<Result<ActivityRecord, Error>> {
        let r = *self.rows.get(self.next)?;
        self.next += 1;
        self.rows_read += 1;
        Some(self.validate(r))
    }

    fn validate(&self, r: u32) -> Result<ActivityRecord, Error> {
        let count = self.cols.count;
        let beyond = self.row_cells(r).find(|(c, d)| *c >= count && !is_blank(d)).map(|(c, _)| c);
        if let Some(c) = beyond.or_else(|| Some(self.row_width(r)).filter(|w| *w > count).map(|w| w - 1)) {
            return Err(Error::new(
                ErrorKind::Spreadsheet,
                format!("cell has a value but its column has no header (the header has {count} columns)"),
            )
            .at(self.cell_loc(r, c))
            .hint("name the column in the header row, or clear the cell"));
        }
        let period_col = self.cols.idx[1];
        let mut texts = Vec::with_capacity(count);
        for c in 0..count {
            texts.push(self.cell_text(r, c, c == period_col)?);
        }
        let field = |i: usize| -> Result<&str, Error> { Ok(texts.get(i).map(String::as_str).unwrap_or("")) };
        let at = |i: usize| self.cell_loc(r, i);
        RowCheck { cols: &self.cols, source: self.row_loc(r) }.validate(&field, &at)
    }

    /// The text of a cell as the CSV reader would see it.
    fn cell_text(&self, r: u32, c: usize, is_period: bool) -> Result<String, Error> {
        let d = self.value(r, c);
        if matches!(d, Data::Empty)
            && let Some(f) = self.unsaved.get(&(r, self.origin_col.saturating_add(c as u32)))
        {
            return Err(Error::new(
                ErrorKind::Spreadsheet,
                format!("cell holds a formula ({f}) with no saved value: read, it would be empty"),
            )
            .at(self.cell_loc(r, c))
            .hint("the workbook was written by a program that does not calculate: open and save it in Excel or LibreOffice (they save each formula's value), or type the value"));
        }
        let date_error = |shown: String| {
            Error::new(ErrorKind::Spreadsheet, format!("cell holds a date ({shown}), not a number or text"))
                .at(self.cell_loc(r, c))
                .hint("format the cell as a number or as text, not as a date")
        };
        // A period typed as a plain number that is not a year is most likely a date serial without a date format.
        if is_period {
            let v = match d {
                Data::Int(i) => Some(*i as f64),
                Data::Float(f) => Some(*f),
                _ => None,
            };
            if let Some(v) =
                v.filter(|v| v.fract() == 0.0 && !(1900.0..=2200.0).contains(v) && (1.0..=2958465.0).contains(v))
            {
                let dt = calamine::ExcelDateTime::new(v, calamine::ExcelDateTimeType::DateTime, false);
                let (y, m, day, ..) = dt.to_ymd_hms_milli();
                return Err(Error::new(
                    ErrorKind::Spreadsheet,
                    format!(
                        "period {} looks like a date serial ({y:04}-{m:02}-{day:02}) in a cell not formatted as a date",
                        excel_number_text(v)
                    ),
                )
                .at(self.cell_loc(r, c))
                .hint(format!("format the cell as a date, or type the period as text: {y:04}-{m:02}")));
            }
        }
        Ok(match d {
            Data::Empty => String::new(),
            Data::String(s) => s.clone(),
            Data::Int(i) => i.to_string(),
            Data::Float(f) => excel_number_text(*f),
            Data::Bool(b) => if *b { "TRUE" } else { "FALSE" }.to_string(),
            Data::DateTime(dt) => {
                if dt.is_duration() {
                    return Err(date_error(format!("a duration, serial {}", excel_number_text(dt.as_f64()))));
                }
                let (y, m, day, ..) = dt.to_ymd_hms_milli();
                if is_period {
                    format!("{y:04}-{m:02}")
                } else {
                    return Err(date_error(format!(
                        "{y:04}-{m:02}-{day:02}, serial {}",
                        excel_number_text(dt.as_f64())
                    )));
                }
            }
            Data::DateTimeIso(s) => {
                let ymd = s.get(..7).filter(|p| p.len() == 7 && p.as_bytes()[4] == b'-');
                match ymd {
                    Some(p) if is_period => p.to_string(),
                    _ => return Err(date_error(s.clone())),
                }
            }
            Data::DurationIso(s) => return Err(date_error(format!("a duration, {s}"))),
            Data::Error(e) => {
                return Err(Error::new(ErrorKind::Spreadsheet, format!("cell holds the error {e}"))
                    .at(self.cell_loc(r, c))
                    .hint("fix the formula in the workbook, or type the value"));
            }
        })
    }
}

impl Iterator for SheetLedger {
    type Item = Result<ActivityRecord, Error>;
    fn next(&mut self) -> Option<Self::Item> {
        self.next_record()
    }
}

fn is_blank(d: &Data) -> bool {
    match d {
        Data::Empty => true,
        Data::String(s) => s.trim().is_empty(),
        _ => false,
    }
}

fn plain_text(d: &Data) -> String {
    match d {
        Data::String(s) => s.clone(),
        Data::Empty => String::new(),
        Data::Float(f) => excel_number_text(*f),
        other => other.to_string(),
    }
}

/// The decimal text of a number stored in a cell, as Excel shows it at full precision: the binary value rounded to
/// 15 significant digits, without trailing zeros. Values a decimal cannot hold keep their digits (and are then
/// rejected with the ledger's overflow message).
pub fn excel_number_text(f: f64) -> String {
    if !f.is_finite() {
        return f.to_string();
    }
    if f == 0.0 {
        return "0".to_string();
    }
    let sci = format!("{f:.14e}");
    match Decimal::from_scientific(&sci) {
        Ok(d) => {
            let n = d.normalize();
            if n.is_zero() { "0".to_string() } else { n.to_string() }
        }
        Err(_) if f.abs() >= 1.0 => format!("{f:.0}"),
        Err(_) => sci,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fifteen_significant_digits() {
        assert_eq!(excel_number_text(1909.06), "1909.06");
        assert_eq!(excel_number_text(0.1 + 0.2), "0.3");
        assert_eq!(excel_number_text(2024.0), "2024");
        assert_eq!(excel_number_text(-3.0), "-3");
        assert_eq!(excel_number_text(376.66 * 10000.0), "3766600");
        assert_eq!(excel_number_text(1.0 / 3.0), "0.333333333333333");
        assert_eq!(excel_number_text(123456789012345.0), "123456789012345");
        // Too large for a decimal: every digit is kept, so the ledger check reports an overflow.
        assert_eq!(excel_number_text(1e30), "1000000000000000019884624838656");
    }

    #[test]
    fn locations_render_as_cells() {
        let l = Location::cell("l.xlsx", String::from("能源台账"), 7, Some(28));
        assert_eq!(l.to_string(), "l.xlsx:能源台账!AB7");
        let l = Location::cell("l.xlsx", String::from("My ledger"), 7, None);
        assert_eq!(l.to_string(), "l.xlsx:'My ledger'!7:7");
        let l = Location::cell("l.xlsx", String::from("2024"), 1, Some(1));
        assert_eq!(l.to_string(), "l.xlsx:'2024'!A1");
    }

    #[test]
    fn sheet_suffix() {
        let (f, s) = split_sheet(Path::new("/nonexistent/book.xlsx#能源"));
        assert_eq!(f, PathBuf::from("/nonexistent/book.xlsx"));
        assert_eq!(s.as_deref(), Some("能源"));
        assert!(is_spreadsheet(Path::new("x/ledger.XLSX")));
        assert!(is_spreadsheet(Path::new("x/ledger.ods#s")));
        assert!(!is_spreadsheet(Path::new("x/ledger.csv")));
    }
}
