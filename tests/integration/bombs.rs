//! Hostile inputs built here: spreadsheet bombs, a giant quoted field, numbers a decimal cannot hold, extreme
//! sweeps and relative differences. Each must end in a located error or a safe output, in bounded memory (the
//! child's peak RSS, read from /proc while it runs, is asserted against the budget in docs/RESOURCES.md).

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

use crate::util::root;

/// A finished run of the binary with its peak resident memory.
struct Measured {
    code: i32,
    stderr: String,
    peak_mb: u64,
}

/// Run `ghg args...` in `dir` and measure the child's own peak RSS: VmHWM of /proc/<pid>/status, read every few
/// milliseconds while it runs (a high-water mark, so only growth in its last moments could be missed; the rusage of
/// a child started by fork carries the parent's peak, so it cannot be used here).
fn measured(dir: &Path, args: &[&str]) -> Measured {
    let err_path = dir.join(format!("stderr-{}.txt", args.join("_").replace(['/', '.', '='], "_")));
    let err = std::fs::File::create(&err_path).expect("stderr file");
    let mut child = Command::new(env!("CARGO_BIN_EXE_ghg"))
        .args(args)
        .current_dir(dir)
        .stdout(Stdio::null())
        .stderr(err)
        .spawn()
        .expect("run ghg");
    let status_path = format!("/proc/{}/status", child.id());
    let mut peak_kb = 0u64;
    let status = loop {
        if let Some(s) = child.try_wait().expect("wait") {
            break s;
        }
        if let Ok(text) = std::fs::read_to_string(&status_path)
            && let Some(kb) = text
                .lines()
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        {
            peak_kb = peak_kb.max(kb);
        }
        std::thread::sleep(std::time::Duration::from_millis(2));
    };
    // Shown with --nocapture: the measurements docs/RESOURCES.md records.
    eprintln!("peak RSS {} MB: ghg {} ({})", peak_kb / 1024, args.join(" "), dir.display());
    Measured {
        code: status.code().unwrap_or(-1),
        stderr: std::fs::read_to_string(&err_path).expect("stderr"),
        peak_mb: peak_kb / 1024,
    }
}

/// A folder holding the catalogue's inventory, reading `ledger` as its ledger.
fn folder(ledger: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    let inv = std::fs::read_to_string(root().join("tests/errors/09-quantity-overflow/inventory.toml")).expect("inv");
    std::fs::write(dir.path().join("inventory.toml"), inv.replace("ledger.csv", ledger)).expect("write inv");
    dir
}

const HEADER: [&str; 6] = ["entity", "period", "activity", "quantity", "unit", "region"];

/// A valid ledger workbook with one more cell written by `extra`.
fn workbook(extra: impl FnOnce(&mut rust_xlsxwriter::Worksheet)) -> Vec<u8> {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    for (c, h) in HEADER.iter().enumerate() {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    for (c, v) in ["site", "2024", "gasoline", "1", "t", "CN"].iter().enumerate() {
        ws.write_string(1, c as u16, *v).unwrap();
    }
    extra(ws);
    wb.save_to_buffer().unwrap()
}

/// A zip package of the given parts, written by hand (deflated).
fn package(parts: &[(&str, &[u8])]) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    for (name, bytes) in parts {
        w.start_file(*name, opts).unwrap();
        w.write_all(bytes).unwrap();
    }
    w.finish().unwrap().into_inner()
}

/// Budget for a refused or small spreadsheet: far below what the bombs took before (549 GB to 6.3 GB).
const SMALL_MB: u64 = 200;

#[test]
fn a_cell_at_the_last_row_and_column_is_one_cell_not_a_grid() {
    // A 5 KB workbook whose one stray value sits at XFD1048576 (before: a 549 GB allocation and an abort).
    let dir = folder("ledger.xlsx");
    let bytes = workbook(|ws| {
        ws.write_string(1_048_575, 16_383, "x").unwrap();
    });
    assert!(bytes.len() < 10_000, "{}", bytes.len());
    std::fs::write(dir.path().join("ledger.xlsx"), bytes).unwrap();
    let r = measured(dir.path(), &["compute", "inventory.toml"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert_eq!(
        r.stderr.trim(),
        "error: ledger.xlsx:Sheet1!XFD1048576: cell has a value but its column has no header (the header has 6 \
         columns) (name the column in the header row, or clear the cell)"
    );
    assert!(r.peak_mb < SMALL_MB, "peak {} MB", r.peak_mb);
}

#[test]
fn a_cell_a_million_rows_down_costs_nothing_for_the_rows_between() {
    // Before: 820 MB for a sheet whose only far value is Z1000000.
    let dir = folder("ledger.xlsx");
    let bytes = workbook(|ws| {
        ws.write_string(999_999, 25, "x").unwrap();
    });
    std::fs::write(dir.path().join("ledger.xlsx"), bytes).unwrap();
    let r = measured(dir.path(), &["compute", "inventory.toml"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.starts_with("error: ledger.xlsx:Sheet1!Z1000000: cell has a value but its column has no header"));
    assert!(r.peak_mb < SMALL_MB, "peak {} MB", r.peak_mb);
}

/// An .ods package around the given content.xml table rows.
fn ods(rows: &str) -> Vec<u8> {
    let content = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><office:document-content \
         xmlns:office=\"urn:oasis:names:tc:opendocument:xmlns:office:1.0\" \
         xmlns:table=\"urn:oasis:names:tc:opendocument:xmlns:table:1.0\" \
         xmlns:text=\"urn:oasis:names:tc:opendocument:xmlns:text:1.0\" office:version=\"1.2\"><office:body>\
         <office:spreadsheet><table:table table:name=\"Sheet1\">{rows}</table:table></office:spreadsheet>\
         </office:body></office:document-content>"
    );
    let manifest = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><manifest:manifest \
        xmlns:manifest=\"urn:oasis:names:tc:opendocument:xmlns:manifest:1.0\" manifest:version=\"1.2\">\
        <manifest:file-entry manifest:full-path=\"/\" manifest:media-type=\"application/vnd.oasis.opendocument.spreadsheet\"/>\
        <manifest:file-entry manifest:full-path=\"content.xml\" manifest:media-type=\"text/xml\"/></manifest:manifest>";
    package(&[
        ("mimetype", b"application/vnd.oasis.opendocument.spreadsheet"),
        ("META-INF/manifest.xml", manifest.as_bytes()),
        ("content.xml", content.as_bytes()),
    ])
}

fn ods_row(cells: &[&str]) -> String {
    let mut s = String::from("<table:table-row>");
    for c in cells {
        s += &format!("<table:table-cell office:value-type=\"string\"><text:p>{c}</text:p></table:table-cell>");
    }
    s + "</table:table-row>"
}

#[test]
fn an_ods_of_repeated_cells_is_refused_before_it_is_built() {
    // 9,999 rows x 10,000 repeated cells in under a kilobyte (before: memory exhausted).
    let dir = folder("ledger.ods");
    let rows = format!(
        "{}<table:table-row table:number-rows-repeated=\"9999\"><table:table-cell \
         table:number-columns-repeated=\"10000\" office:value-type=\"float\" office:value=\"1\"/></table:table-row>",
        ods_row(&HEADER)
    );
    let bytes = ods(&rows);
    assert!(bytes.len() < 2_000, "{}", bytes.len());
    std::fs::write(dir.path().join("ledger.ods"), bytes).unwrap();
    let r = measured(dir.path(), &["compute", "inventory.toml"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    // Row 2 is where the repeated rows start; 1 + 9,999 rows by 10,000 columns.
    assert_eq!(
        r.stderr.trim(),
        "error: ledger.ods:Sheet1!2:2: sheet spans 10000 rows x 10000 columns with its repeated cells, more than \
         4000000 cells (remove the repeated rows and columns (or export the sheet as CSV UTF-8))"
    );
    assert!(r.peak_mb < SMALL_MB, "peak {} MB", r.peak_mb);
}

#[test]
fn an_ods_with_the_usual_trailing_empty_rows_still_reads() {
    // Spreadsheet programs end a sheet with a million repeated empty rows and columns: not a bomb.
    let dir = folder("ledger.ods");
    let rows = format!(
        "{}{}<table:table-row table:number-rows-repeated=\"1048573\"><table:table-cell \
         table:number-columns-repeated=\"1024\"/></table:table-row>",
        ods_row(&HEADER),
        ods_row(&["site", "2024", "gasoline", "1", "t", "CN"])
    );
    std::fs::write(dir.path().join("ledger.ods"), ods(&rows)).unwrap();
    let r = measured(dir.path(), &["compute", "inventory.toml", "--format", "json"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.peak_mb < SMALL_MB, "peak {} MB", r.peak_mb);
}

#[test]
fn a_huge_cell_is_refused_by_the_size_of_its_part() {
    // 160 MiB of text in one cell (before: a 2 GiB cell took 6.3 GB): its sheet part passes the 128 MiB limit.
    let dir = folder("ledger.xlsx");
    let big = "x".repeat(160 << 20);
    let sheet = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><worksheet \
         xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\"><sheetData><row r=\"1\">\
         <c r=\"A1\" t=\"inlineStr\"><is><t>{big}</t></is></c></row></sheetData></worksheet>"
    );
    drop(big);
    let bytes = xlsx_with_sheet(sheet.as_bytes());
    drop(sheet);
    assert!(bytes.len() < 2 << 20, "{}", bytes.len());
    std::fs::write(dir.path().join("ledger.xlsx"), bytes).unwrap();
    let r = measured(dir.path(), &["compute", "inventory.toml"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr.starts_with(
            "error: ledger.xlsx: part 'xl/worksheets/sheet1.xml' of the workbook unpacks to more than 128 MiB"
        ),
        "{}",
        r.stderr
    );
    assert!(r.peak_mb < SMALL_MB, "peak {} MB", r.peak_mb);
}

#[test]
fn a_cell_longer_than_excel_allows_is_refused_at_the_cell() {
    let dir = folder("ledger.xlsx");
    // A spreadsheet program refuses to write such a cell; a hand-made package need not.
    let long = "s".repeat(40_000);
    let rows = [HEADER.to_vec(), vec![long.as_str(), "2024", "gasoline", "1", "t", "CN"]];
    let mut xml = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><worksheet \
         xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\"><sheetData>",
    );
    for (r, row) in rows.iter().enumerate() {
        xml += &format!("<row r=\"{}\">", r + 1);
        for (c, v) in row.iter().enumerate() {
            let col = (b'A' + c as u8) as char;
            xml += &format!("<c r=\"{col}{}\" t=\"inlineStr\"><is><t>{v}</t></is></c>", r + 1);
        }
        xml += "</row>";
    }
    xml += "</sheetData></worksheet>";
    std::fs::write(dir.path().join("ledger.xlsx"), xlsx_with_sheet(xml.as_bytes())).unwrap();
    let r = measured(dir.path(), &["compute", "inventory.toml"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert_eq!(
        r.stderr.trim(),
        "error: ledger.xlsx:Sheet1!A2: cell holds 40000 characters, more than 32767 (a ledger cell holds a name, a \
         number or a short note)"
    );
}

/// A minimal .xlsx package around one sheet's XML.
fn xlsx_with_sheet(sheet: &[u8]) -> Vec<u8> {
    let types = br#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>"#;
    let rels = br#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#;
    let workbook = br#"<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>"#;
    let wb_rels = br#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>"#;
    package(&[
        ("[Content_Types].xml", types),
        ("_rels/.rels", rels),
        ("xl/workbook.xml", workbook),
        ("xl/_rels/workbook.xml.rels", wb_rels),
        ("xl/worksheets/sheet1.xml", sheet),
    ])
}

#[test]
fn a_giant_quoted_field_is_refused_at_its_line() {
    // 64 MiB in one quoted field (before: 500 MB took 6.2 GB); records are at most 1 MiB.
    let dir = folder("ledger.csv");
    let mut f = std::fs::File::create(dir.path().join("ledger.csv")).unwrap();
    writeln!(f, "entity,period,activity,quantity,unit,region,note").unwrap();
    writeln!(f, "site,2024,gasoline,1,t,CN,").unwrap();
    write!(f, "site,2024,gasoline,1,t,CN,\"").unwrap();
    let chunk = vec![b'x'; 1 << 20];
    for _ in 0..64 {
        f.write_all(&chunk).unwrap();
    }
    writeln!(f, "\"").unwrap();
    drop(f);
    let r = measured(dir.path(), &["compute", "inventory.toml"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert_eq!(
        r.stderr.trim(),
        "error: ledger.csv:3: cannot read: a single record (row) is longer than 1 MiB: this is not a ledger row (an \
         unclosed quote?) (check that the file is complete and readable)"
    );
    assert!(r.peak_mb < 100, "peak {} MB", r.peak_mb);
}

#[test]
fn a_sweep_up_to_the_largest_decimal_is_a_usage_error() {
    let r = crate::util::ghg(&[
        "scenario",
        "examples/hikvision-2024/inventory.toml",
        "--sweep",
        "certificates=0..79228162514264337593543950335:1",
    ]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("has too many points; at most 1001"), "{}", r.stderr);
}

#[test]
fn an_extreme_relative_difference_is_shown_not_a_panic() {
    // Reported 10^-23 against a recomputed scope 1 of 14,245 t: difference / reported = 1.4 x 10^27, which times
    // 100 no longer fits a decimal.
    let dir = tempfile::tempdir().unwrap();
    let src = root().join("examples/hikvision-2024");
    for f in ["inventory.toml", "ledger.csv"] {
        std::fs::copy(src.join(f), dir.path().join(f)).unwrap();
    }
    std::fs::write(
        dir.path().join("reported.toml"),
        "source = \"x\"\n[[figure]]\nid = \"scope1\"\nprinted = \"0.00000000000000000000001 吨二氧化碳当量\"\n",
    )
    .unwrap();
    for format in ["html", "xlsx"] {
        let out = format!("r.{format}");
        let r = crate::util::ghg_in(dir.path(), &["reconcile", "inventory.toml", "--format", format, "-o", &out]);
        assert_eq!(r.code, 1, "{format}: {}", r.stderr);
    }
    let html = std::fs::read_to_string(dir.path().join("r.html")).unwrap();
    assert!(html.contains("too large for a percent: difference / reported = 1424541040117110699999999999"));
}

#[test]
fn a_workbook_the_reader_panics_on_is_an_error_about_the_file() {
    // Found by the spreadsheet fuzz target: an .xls whose sector chain runs past its end makes calamine index out
    // of bounds (a panic, caught). Its container is now checked first, and refused with the reason. The first byte
    // of a fuzz input picks the format (2: .xls).
    let input = std::fs::read(root().join("fuzz/corpus/spreadsheet/regression-xls-cfb-sector-out-of-bounds")).unwrap();
    assert_eq!(input[0], 2);
    let e = ghg::sheet::SheetLedger::from_bytes(Path::new("ledger.xls"), input[1..].to_vec(), None).unwrap_err();
    assert_eq!(
        e.to_string(),
        "ledger.xls: cannot read the workbook: Malformed FAT (FAT has 128 entries, but file has only 10 sectors) \
         (open and save it again in a spreadsheet program, or save it as .xlsx or CSV UTF-8)"
    );
}

#[test]
fn an_xls_whose_sector_chain_runs_in_a_circle_is_refused_before_it_is_read() {
    // Found by the spreadsheet fuzz target: a 15 KB .xls whose FAT chain loops made the reader grow one buffer
    // until memory ran out.
    let input = std::fs::read(root().join("fuzz/corpus/spreadsheet/regression-xls-cfb-circular-chain")).unwrap();
    let e = ghg::sheet::SheetLedger::from_bytes(Path::new("ledger.xls"), input[1..].to_vec(), None).unwrap_err();
    assert_eq!(
        e.to_string(),
        "ledger.xls: cannot read the workbook: it is damaged (its sector chains run in a circle) (open and save it \
         again in a spreadsheet program, or export the sheet as CSV UTF-8)"
    );
}

#[test]
fn an_xls_cell_past_the_formats_last_column_is_refused_before_the_grid_is_built() {
    // Found by the spreadsheet fuzz target: an .xls whose cell records claim column 65,536 made the reader ask for
    // a grid of 137 GB and abort. The grid its cell records span is measured first and refused like an .ods grid.
    let input = std::fs::read(root().join("fuzz/corpus/spreadsheet/regression-xls-cell-past-column-256")).unwrap();
    assert_eq!(input[0], 2);
    let e = ghg::sheet::SheetLedger::from_bytes(Path::new("ledger.xls"), input[1..].to_vec(), None).unwrap_err();
    assert_eq!(
        e.to_string(),
        "ledger.xls: a sheet's cells span 65282 rows x 65536 columns (to row 65282, column 65536), more than 4000000 \
         cells (an .xls has at most 65,536 rows and 256 columns: the file is damaged, or save it as .xlsx or CSV UTF-8)"
    );
    // Found next: a container with a mini sector listed twice, which the reader read anyway (into the same
    // 137 GB grid). A container that cannot be read soundly is refused before the reader sees it.
    let input =
        std::fs::read(root().join("fuzz/corpus/spreadsheet/regression-xls-container-the-reader-misreads")).unwrap();
    let e = ghg::sheet::SheetLedger::from_bytes(Path::new("ledger.xls"), input[1..].to_vec(), None).unwrap_err();
    assert_eq!(
        e.to_string(),
        "ledger.xls: cannot read the workbook: Malformed MiniFAT (mini sector 50 pointed to twice) (open and save it \
         again in a spreadsheet program, or save it as .xlsx or CSV UTF-8)"
    );
    // A real .xls ledger still reads.
    let r = crate::util::ghg(&["compute", "tests/data/sheet/inventory-xls.toml"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
}
