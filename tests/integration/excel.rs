//! Where users work: spreadsheet ledgers in (xlsx, xls, ods), the workbook and the HTML report out (read back with
//! calamine, rendered in headless chromium, which the tests need: .ci/run installs it), `ghg init`, `ghg factors search`, completions,
//! the man page, help examples and the progress bar.
//!
//! The fixture tests/data/sheet has round test factors so every figure is checked by hand:
//!   diesel      1,909.06 t x 3.1 tCO2/t                       = 5,918.086 tCO2;  x 1.4571 tce/t = 2,781.691326 tce
//!   natural gas 2,000 m3 x 0.002 tCO2/m3                      = 4 tCO2;          x 1.2 kgce/m3  = 2.4 tce
//!   electricity 1,200 MWh (浙江) x 0.4 + 500 MWh (CN) x 0.5    = 730 tCO2 location; 1,700 x 0.6 = 1,020 market
//!   energy.indirect (1,700 + 100 PV) MWh x 0.1229 tce/MWh     = 221.22 tce
//! so scope1 = 5,922.086, total.market = 6,942.086, energy.direct = 2,784.091326, energy.total = 3,005.311326.

use std::path::{Path, PathBuf};
use std::process::Command;

use calamine::{Data, Reader};

use crate::util::{ghg, ghg_in, root};

const FIXTURE: &str = "tests/data/sheet";

fn fixture() -> PathBuf {
    root().join(FIXTURE)
}

fn json(args: &[&str]) -> serde_json::Value {
    let r = ghg(args);
    assert_eq!(r.code, 0, "{}", r.stderr);
    serde_json::from_str(&r.stdout).expect("valid JSON")
}

fn figure(v: &serde_json::Value, id: &str) -> String {
    v["figures"][id]["value"].as_str().unwrap_or_else(|| panic!("figure {id}")).to_string()
}

/// Hand-checked figures of the fixture (see the module comment).
const HAND_CHECKED: &[(&str, &str)] = &[
    ("scope1", "5922.086"),
    ("scope1.diesel", "5918.086"),
    ("scope1.natural_gas", "4"),
    ("scope2.location", "730"),
    ("scope2.market", "1020"),
    ("total.market", "6942.086"),
    ("energy.direct", "2784.091326"),
    ("energy.indirect", "221.22"),
    ("energy.total", "3005.311326"),
    ("electricity.total", "1800"),
    ("activity.diesel", "1909.06"),
];

#[test]
fn spreadsheet_ledgers_give_the_figures_of_the_csv_ledger() {
    let csv = json(&["compute", &format!("{FIXTURE}/inventory-csv.toml"), "--format", "json"]);
    for (id, want) in HAND_CHECKED {
        assert_eq!(figure(&csv, id), *want, "{id} from CSV");
    }
    for inv in ["inventory.toml", "inventory-ods.toml", "inventory-xls.toml"] {
        let v = json(&["compute", &format!("{FIXTURE}/{inv}"), "--format", "json"]);
        assert_eq!(v["figures"], csv["figures"], "{inv}: figures differ from the CSV ledger's");
        assert_eq!(v["by_entity"], csv["by_entity"], "{inv}: by_entity differs from the CSV ledger's");
        assert_eq!(v["provenance"]["rows"]["read"], 5, "{inv}");
    }
    // Lines of the xlsx ledger point at their rows: a merged title, a blank row, the header on row 3.
    let v = json(&["compute", &format!("{FIXTURE}/inventory.toml"), "--format", "json"]);
    let sources: Vec<&str> = v["lines"]
        .as_array()
        .expect("lines")
        .iter()
        .filter(|l| l["figure"] == "activity.diesel" || l["figure"] == "electricity.renewable")
        .map(|l| l["source"].as_str().expect("source"))
        .collect();
    assert_eq!(
        sources,
        [format!("{FIXTURE}/ledger.xlsx:ledger!4:4"), format!("{FIXTURE}/ledger.xlsx:ledger!8:8")],
        "diesel is on row 4; own PV (with a date cell as its period) on row 8"
    );
    // The row merged down from 'plant-b' is read as plant-b; the date cell 2024-06-01 as the period 2024-06.
    let pv = v["lines"].as_array().expect("lines").iter().find(|l| l["activity"] == "onsite_pv").expect("pv line");
    assert_eq!(pv["entity"], "plant-b");
    assert_eq!(pv["period"], "2024-06");
}

/// Write rows as a CSV ledger and as an xlsx ledger (every cell as text, except numbers typed as numbers).
fn write_both(dir: &Path, rows: &[[&str; 6]]) {
    let header = ["entity", "period", "activity", "quantity", "unit", "region"];
    let mut csv = header.join(",") + "\n";
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    for (c, h) in header.iter().enumerate() {
        ws.write_string(0, c as u16, *h).expect("write");
    }
    for (r, row) in rows.iter().enumerate() {
        csv.push_str(&row.join(","));
        csv.push('\n');
        for (c, v) in row.iter().enumerate() {
            let (r, c) = ((r + 1) as u32, c as u16);
            match v.parse::<f64>() {
                Ok(x) if c == 3 => ws.write_number(r, c, x).expect("write"),
                _ => ws.write_string(r, c, *v).expect("write"),
            };
        }
    }
    std::fs::write(dir.join("ledger.csv"), csv).expect("write csv");
    wb.save(dir.join("ledger.xlsx")).expect("write xlsx");
    let inv = std::fs::read_to_string(fixture().join("inventory.toml")).expect("inventory");
    let inv = inv.replace("factor_paths = [\"factors\"]", &format!("factor_paths = [{:?}]", fixture().join("factors")));
    std::fs::write(dir.join("inventory.toml"), &inv).expect("write");
    std::fs::write(dir.join("inventory-csv.toml"), inv.replace("ledger.xlsx", "ledger.csv")).expect("write");
}

#[test]
fn spreadsheet_rows_fail_with_the_messages_of_csv_rows_at_their_cells() {
    let dir = tempfile::tempdir().expect("tempdir");
    write_both(
        dir.path(),
        &[
            ["plant-a", "2024", "diesel", "10", "t", "CN"],
            ["plant-a", "2024", "petrole", "1", "t", "CN"],
            ["plant-a", "2024", "diesel", "-3", "t", "CN"],
            ["plant-a", "2024", "electricity", "5", "t", "CN"],
            ["plant-a", "2024-13", "diesel", "1", "t", "CN"],
            ["plant-a", "2024", "diesel", "ten", "t", "CN"],
            ["", "2024", "diesel", "1", "t", "CN"],
            ["plant-a", "2023", "diesel", "1", "t", "CN"],
            ["plant-a", "2024", "diesel", "1", "桶", "CN"],
        ],
    );
    let run = |inv: &str| {
        let r = ghg_in(dir.path(), &["compute", inv, "--format", "json", "--lenient"]);
        assert_eq!(r.code, 0, "{}", r.stderr);
        let v: serde_json::Value = serde_json::from_str(&r.stdout).expect("json");
        let rejected: Vec<(String, String, String)> = v["rejected"]
            .as_array()
            .expect("rejected")
            .iter()
            .map(|e| {
                (
                    e["location"].as_str().unwrap_or("").to_string(),
                    e["message"].as_str().unwrap_or("").to_string(),
                    e["kind"].as_str().unwrap_or("").to_string(),
                )
            })
            .collect();
        (rejected, figure(&v, "scope1"))
    };
    let (csv, csv_scope1) = run("inventory-csv.toml");
    let (xlsx, xlsx_scope1) = run("inventory.toml");
    // Only the first row is valid: 10 t x 3.1 tCO2/t.
    assert_eq!((csv_scope1.as_str(), xlsx_scope1.as_str()), ("31", "31"));
    let messages = |v: &[(String, String, String)]| v.iter().map(|x| (x.1.clone(), x.2.clone())).collect::<Vec<_>>();
    assert_eq!(messages(&csv), messages(&xlsx), "same messages and kinds, whatever the ledger's format");
    let xlsx_locations: Vec<&str> = xlsx.iter().map(|x| x.0.as_str()).collect();
    assert_eq!(
        xlsx_locations,
        [
            "ledger.xlsx:Sheet1!C3",
            "ledger.xlsx:Sheet1!D4",
            "ledger.xlsx:Sheet1!E5",
            "ledger.xlsx:Sheet1!B6",
            "ledger.xlsx:Sheet1!D7",
            "ledger.xlsx:Sheet1!A8",
            "ledger.xlsx:Sheet1!9:9",
            "ledger.xlsx:Sheet1!E10",
        ]
    );
    let csv_locations: Vec<&str> = csv.iter().map(|x| x.0.as_str()).collect();
    assert_eq!(
        csv_locations,
        [
            "ledger.csv:3:14",
            "ledger.csv:4:21",
            "ledger.csv:5:28",
            "ledger.csv:6:9",
            "ledger.csv:7:21",
            "ledger.csv:8:1",
            "ledger.csv:9:9",
            "ledger.csv:10:23",
        ]
    );
    assert_eq!(xlsx[1].1, "quantity -3 is negative");
    assert_eq!(xlsx[6].1, "period 2023 is outside the inventory year 2024");
}

#[test]
fn numbers_stored_as_text_and_typed_numbers_read_alike() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    for (c, h) in ["entity", "period", "activity", "quantity", "unit", "region"].iter().enumerate() {
        ws.write_string(0, c as u16, *h).expect("write");
    }
    // 0.1 + 0.2 typed as a formula result would be 0.30000000000000004 in binary; Excel shows 0.3.
    let quantities: [Result<f64, &str>; 4] = [Ok(0.1 + 0.2), Err(" 1,000.5 "), Ok(1909.06), Err("1909.06")];
    for (r, q) in quantities.iter().enumerate() {
        let r = (r + 1) as u32;
        ws.write_string(r, 0, "plant").expect("write");
        ws.write_number(r, 1, 2024).expect("write");
        ws.write_string(r, 2, "diesel").expect("write");
        match q {
            Ok(x) => ws.write_number(r, 3, *x).expect("write"),
            Err(s) => ws.write_string(r, 3, *s).expect("write"),
        };
        ws.write_string(r, 4, "t").expect("write");
        ws.write_string(r, 5, "CN").expect("write");
    }
    let bytes = wb.save_to_buffer().expect("xlsx");
    let ledger = ghg::sheet::SheetLedger::from_bytes(Path::new("l.xlsx"), bytes, None).expect("opens");
    let q: Vec<String> = ledger.map(|r| r.expect("valid row").quantity.value.to_string()).collect();
    assert_eq!(q, ["0.3", "1000.5", "1909.06", "1909.06"]);
    drop(dir);
}

fn open_xlsx(path: &Path) -> calamine::Xlsx<std::io::BufReader<std::fs::File>> {
    calamine::open_workbook(path).expect("the workbook opens in calamine")
}

fn sheet(wb: &mut calamine::Xlsx<std::io::BufReader<std::fs::File>>, name: &str) -> Vec<Vec<Data>> {
    let range = wb.worksheet_range(name).unwrap_or_else(|e| panic!("sheet {name}: {e}"));
    range.rows().map(|r| r.to_vec()).collect()
}

fn text(d: &Data) -> String {
    match d {
        Data::String(s) => s.clone(),
        Data::Empty => String::new(),
        other => other.to_string(),
    }
}

/// Rows of a sheet as maps header -> cell.
fn records(rows: &[Vec<Data>]) -> Vec<std::collections::HashMap<String, Data>> {
    let header: Vec<String> = rows[0].iter().map(text).collect();
    rows[1..].iter().map(|r| header.iter().cloned().zip(r.iter().cloned()).collect()).collect()
}

#[test]
fn the_workbook_reads_back_with_figures_citations_and_provenance() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("report.xlsx");
    let r = ghg(&[
        "compute",
        &format!("{FIXTURE}/inventory.toml"),
        "--format",
        "xlsx",
        "--output",
        out.to_str().expect("utf-8"),
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.stdout, "", "the workbook goes to the file, nothing to stdout");
    assert!(!dir.path().join("report.xlsx.tmp").exists(), "written atomically");
    let mut wb = open_xlsx(&out);
    assert_eq!(wb.sheet_names(), ghg::report::SHEETS);

    // Summary: numbers as numbers, hand-checked, with units and the exact value beside.
    let summary = records(&sheet(&mut wb, "Summary"));
    for (id, want) in HAND_CHECKED {
        let row = summary.iter().find(|r| text(&r["figure"]) == *id).unwrap_or_else(|| panic!("row {id}"));
        let Data::Float(x) = row["value"] else { panic!("{id}: value is not a number: {:?}", row["value"]) };
        let want_f: f64 = want.parse().expect("number");
        assert_eq!(x, want_f, "{id}: the nearest double to the exact value");
        assert_eq!(text(&row["exact value"]), *want, "{id}");
    }
    let unit = |id: &str| text(&summary.iter().find(|r| text(&r["figure"]) == id).expect("row")["unit"]);
    assert_eq!((unit("scope1").as_str(), unit("energy.total").as_str()), ("tCO2e", "tce"));

    // Lines: every line with its source row and its factor citation.
    let lines = records(&sheet(&mut wb, "Lines"));
    let diesel: Vec<_> = lines.iter().filter(|l| text(&l["figure"]) == "scope1.diesel").collect();
    assert_eq!(diesel.len(), 1);
    assert_eq!(text(&diesel[0]["source"]), format!("{FIXTURE}/ledger.xlsx:ledger!4:4"));
    assert_eq!(diesel[0]["quantity"], Data::Float(1909.06));
    assert_eq!(diesel[0]["value"], Data::Float(5918.086));
    assert_eq!(text(&diesel[0]["factors"]), "test-fuels@1:diesel.co2");
    assert_eq!(text(&diesel[0]["citations"]), "test-fuels@1:diesel.co2: Test table 1, row diesel");
    let v = json(&["compute", &format!("{FIXTURE}/inventory.toml"), "--format", "json"]);
    assert_eq!(lines.len(), v["lines"].as_array().expect("lines").len(), "every calculation line is in the sheet");
    for l in &lines {
        let needs_factor = ["scope1", "scope2", "energy"].iter().any(|p| text(&l["figure"]).starts_with(p));
        let cites = text(&l["citations"]);
        assert_eq!(needs_factor, !cites.is_empty(), "{}: {cites}", text(&l["figure"]));
        for f in text(&l["factors"]).split_whitespace() {
            assert!(cites.contains(&format!("{f}: ")), "{f} is cited");
        }
    }

    // Factors: each factor used, with its set's provenance and the file's hash.
    let factors = records(&sheet(&mut wb, "Factors"));
    let zj = factors.iter().find(|f| text(&f["factor"]) == "test-grid@1:grid.province.zj").expect("zj factor");
    assert_eq!(zj["value"], Data::Float(0.4));
    assert_eq!(text(&zj["citation"]), "Test table 2, Zhejiang");
    assert_eq!(text(&zj["publisher"]), "ghg test suite");
    assert_eq!(zj["lines"], Data::Float(1.0));
    let grid_file = std::fs::read(fixture().join("factors/test-grid-1.toml")).expect("factor file");
    assert_eq!(text(&zj["sha256"]), ghg::factor::sha256_hex(&grid_file));
    assert_eq!(factors.len(), 9, "2 fuel, 2 grid and 1 residual emission factors, 4 standard-coal coefficients");

    // Provenance: the stamp names the ledger and its hash.
    let prov = sheet(&mut wb, "Provenance");
    let ledger_hash = ghg::factor::sha256_hex(&std::fs::read(fixture().join("ledger.xlsx")).expect("ledger"));
    assert!(
        prov.iter().any(|r| r.iter().any(|c| text(c).contains(&ledger_hash))),
        "the provenance sheet carries the ledger's sha256"
    );
}

#[test]
fn the_workbook_is_deterministic_and_refuses_a_terminal() {
    let dir = tempfile::tempdir().expect("tempdir");
    let a = dir.path().join("a.xlsx");
    let b = dir.path().join("b.xlsx");
    for p in [&a, &b] {
        let r = ghg(&[
            "compute",
            &format!("{FIXTURE}/inventory.toml"),
            "--format",
            "xlsx",
            "-o",
            p.to_str().expect("utf-8"),
        ]);
        assert_eq!(r.code, 0, "{}", r.stderr);
    }
    assert_eq!(std::fs::read(&a).expect("a"), std::fs::read(&b).expect("b"), "same inputs, same bytes");
    // Redirected stdout receives the workbook itself.
    let r = Command::new(env!("CARGO_BIN_EXE_ghg"))
        .args(["compute", &format!("{FIXTURE}/inventory.toml"), "--format", "xlsx"])
        .current_dir(root())
        .output()
        .expect("run");
    assert!(r.status.success());
    assert_eq!(r.stdout, std::fs::read(&a).expect("a"));
}

#[test]
fn the_seed_example_workbook_matches_its_json() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("hik.xlsx");
    let inv = "examples/hikvision-2024/inventory.toml";
    let r = ghg(&["compute", inv, "--format", "xlsx", "--lang", "zh", "-o", out.to_str().expect("utf-8")]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let v = json(&["compute", inv, "--format", "json"]);
    let mut wb = open_xlsx(&out);
    let rows = sheet(&mut wb, "Summary");
    assert_eq!(text(&rows[0][0]), "指标代码", "Chinese headers with --lang zh");
    let figures = v["figures"].as_object().expect("figures");
    assert_eq!(rows.len() - 1, figures.len());
    for r in &rows[1..] {
        let id = text(&r[0]);
        let exact = figures[&id]["value"].as_str().expect("value");
        assert_eq!(text(&r[4]), exact, "{id}: exact value");
        let Data::Float(x) = r[2] else { panic!("{id}: not a number") };
        assert_eq!(x, exact.parse::<f64>().expect("f64"), "{id}: the nearest double");
    }
    let lines = records(&sheet(&mut wb, "Lines"));
    let gasoline = lines.iter().find(|l| text(&l["指标代码"]) == "scope1.gasoline").expect("gasoline line");
    assert!(text(&gasoline["出处"]).starts_with("cn-guideline-fuels@2015:gasoline.co2: "), "{:?}", gasoline["出处"]);
}

fn html_of(args: &[&str]) -> String {
    let r = ghg(args);
    assert_eq!(r.code, 0, "{}", r.stderr);
    r.stdout
}

#[test]
fn the_html_report_is_self_contained_with_charts_findings_and_stamp() {
    let en = html_of(&["compute", &format!("{FIXTURE}/inventory.toml"), "--format", "html"]);
    assert!(en.starts_with("<!DOCTYPE html>") && en.contains("<html lang=\"en\">"));
    assert_eq!(en.matches("<svg ").count(), 2, "charts by activity and by entity");
    assert!(en.contains("Scope 1 and 2 by activity") && en.contains("Scope 1 and 2 by entity"));
    // Key figures, rounded half away from zero; the stamp with the ledger's hash.
    assert!(en.contains("<span class=\"value\">5,922.09</span>"), "scope 1 key figure");
    let ledger_hash = ghg::factor::sha256_hex(&std::fs::read(fixture().join("ledger.xlsx")).expect("ledger"));
    assert!(en.contains(&ledger_hash));
    // Citations and cell locations of the lines.
    assert!(en.contains("Test table 1, row diesel") && en.contains("ledger.xlsx:ledger!4:4"));
    // Nothing loaded from anywhere: no scripts, no external references.
    for bad in ["<script", "src=", "href=", "@import", "url("] {
        assert!(!en.contains(bad), "the report must not contain {bad}");
    }
    let zh = html_of(&["compute", &format!("{FIXTURE}/inventory.toml"), "--format", "html", "--lang", "zh"]);
    assert!(zh.contains("<html lang=\"zh-CN\">"));
    for label in ["范围一排放", "按活动类型的范围一、范围二排放", "按主体的范围一、范围二排放", "所用排放因子", "柴油"]
    {
        assert!(zh.contains(label), "zh report lacks {label}");
    }
    // Findings: the seed example lists its year fallbacks.
    let hik = html_of(&["compute", "examples/hikvision-2024/inventory.toml", "--format", "html"]);
    assert!(hik.contains("fallback-year"), "fallbacks are findings");
    // Text from the inputs is escaped.
    let dir = tempfile::tempdir().expect("tempdir");
    write_both(dir.path(), &[["<b>plant</b>", "2024", "diesel", "10", "t", "CN"]]);
    let r = ghg_in(dir.path(), &["compute", "inventory.toml", "--format", "html"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("&lt;b&gt;plant&lt;/b&gt;") && !r.stdout.contains("<b>plant"));
}

/// Headless chromium. The HTML report test needs it and fails, saying what to install, without it (.ci/run
/// installs it): a report that is never rendered must not pass as checked.
fn chromium() -> PathBuf {
    for c in ["chromium", "chromium-browser", "google-chrome"] {
        if let Ok(o) = Command::new("which").arg(c).output()
            && o.status.success()
        {
            return PathBuf::from(String::from_utf8_lossy(&o.stdout).trim());
        }
    }
    panic!("chromium is not installed, and this test renders the HTML report in it: apt-get install chromium");
}

fn headless(browser: &Path, profile: &Path, extra: &[&str], page: &Path) -> std::process::Output {
    Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--enable-logging=stderr",
            "--v=0",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(extra)
        .arg(format!("file://{}", page.display()))
        .output()
        .expect("run chromium")
}

#[test]
fn the_html_report_renders_in_headless_chromium() {
    let browser = chromium();
    let dir = tempfile::tempdir().expect("tempdir");
    for (lang, inv) in
        [("en", format!("{FIXTURE}/inventory.toml")), ("zh", "examples/hikvision-2024/inventory.toml".into())]
    {
        let page = dir.path().join(format!("report-{lang}.html"));
        let r = ghg(&["compute", &inv, "--format", "html", "--lang", lang, "-o", page.to_str().expect("utf-8")]);
        assert_eq!(r.code, 0, "{}", r.stderr);
        let profile = tempfile::tempdir().expect("profile");
        let dom = headless(&browser, profile.path(), &["--dump-dom"], &page);
        assert!(dom.status.success(), "chromium failed: {}", String::from_utf8_lossy(&dom.stderr));
        let text = String::from_utf8_lossy(&dom.stdout);
        assert_eq!(text.matches("<svg").count(), 2, "{lang}: both charts are in the rendered page");
        assert!(text.matches("class=\"bar\"").count() >= 4, "{lang}: the charts have bars");
        let log = String::from_utf8_lossy(&dom.stderr);
        let console: Vec<&str> = log.lines().filter(|l| l.contains("CONSOLE") || l.contains("Uncaught")).collect();
        assert!(console.is_empty(), "{lang}: console messages: {console:?}");
        let png = dir.path().join(format!("report-{lang}.png"));
        let profile = tempfile::tempdir().expect("profile");
        let shot = headless(
            &browser,
            profile.path(),
            &[&format!("--screenshot={}", png.display()), "--window-size=1200,1600", "--hide-scrollbars"],
            &page,
        );
        assert!(shot.status.success(), "screenshot failed: {}", String::from_utf8_lossy(&shot.stderr));
        let bytes = std::fs::read(&png).expect("a screenshot");
        assert!(bytes.starts_with(b"\x89PNG"), "{lang}: a PNG");
        // A blank page compresses to a few kilobytes; text, tables and charts do not.
        assert!(bytes.len() > 40_000, "{lang}: the screenshot looks empty ({} bytes)", bytes.len());
    }
}

#[test]
fn init_scaffolds_an_inventory_that_checks() {
    let dir = tempfile::tempdir().expect("tempdir");
    for (name, extra) in [("csv", vec![]), ("xlsx", vec!["--xlsx"])] {
        let target = dir.path().join(name);
        let t = target.to_str().expect("utf-8");
        let mut args = vec!["init", t, "--organisation", "Example \"Quoted\" Co.", "--year", "2024"];
        args.extend(extra.iter().copied());
        let r = ghg(&args);
        assert_eq!(r.code, 0, "{}", r.stderr);
        let ledger = if name == "xlsx" { "ledger.xlsx" } else { "ledger.csv" };
        for f in ["inventory.toml", ledger, "reported.toml"] {
            assert!(target.join(f).is_file(), "{f} created");
            assert!(r.stdout.contains(&format!("created {}", target.join(f).display())), "{}", r.stdout);
        }
        let r = ghg(&["check", &format!("{t}/inventory.toml")]);
        assert_eq!(r.code, 0, "{name}: the scaffold checks: {}", r.stderr);
        assert!(r.stdout.contains("rows: 5 read, 5 used, 0 rejected"), "{}", r.stdout);
        // Never overwritten by accident.
        let mut again = args.clone();
        let r = ghg(&again);
        assert_eq!(r.code, 2);
        assert_eq!(
            r.stderr,
            format!(
                "error: will not overwrite {}, {}, {} (choose another folder, or pass --force to overwrite)\n",
                target.join("inventory.toml").display(),
                target.join(ledger).display(),
                target.join("reported.toml").display()
            )
        );
        again.push("--force");
        assert_eq!(ghg(&again).code, 0);
    }
    let inv = std::fs::read_to_string(dir.path().join("csv/inventory.toml")).expect("inventory");
    assert!(inv.contains("organisation = \"Example \\\"Quoted\\\" Co.\""));
    // The reported-figures template is valid TOML with a tolerance.
    let rep: toml::Table =
        std::fs::read_to_string(dir.path().join("csv/reported.toml")).expect("reported").parse().expect("toml");
    assert_eq!(rep["tolerance"]["relative"].as_str(), Some("0.02"));
}

#[test]
fn factors_search_finds_by_activity_region_and_publisher() {
    let r = ghg(&["factors", "search", "浙江省", "2022"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stdout.contains("mee-grid@2022:grid.province.zj  emission  CN-ZJ   CO2  0.5153 tCO2/MWh"),
        "{}",
        r.stdout
    );
    assert!(r.stdout.ends_with("1 factor found\n"), "{}", r.stdout);
    let r = ghg(&["factors", "search", "柴油", "combustion"]);
    assert!(r.stdout.contains("cn-guideline-fuels@2015:diesel.co2"), "{}", r.stdout);
    let r = ghg(&["factors", "search", "electricity", "CN-East", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).expect("json");
    let refs: Vec<&str> = v.as_array().expect("array").iter().map(|h| h["ref"].as_str().expect("ref")).collect();
    assert!(refs.contains(&"mee-grid@2022:grid.region.east"), "{refs:?}");
    assert!(v.as_array().expect("array").iter().all(|h| h["region"] == "CN-East"), "{refs:?}");
    let r = ghg(&["factors", "search", "--factors", "tests/data/sheet/factors", "ghg test suite", "zhejiang"]);
    assert!(r.stdout.contains("test-grid@1:grid.province.zj"), "{}", r.stdout);
    let r = ghg(&["factors", "search", "unobtainium"]);
    assert_eq!(
        (r.code, r.stdout.as_str()),
        (1, "no factor matches 'unobtainium' (ghg factors list shows every set)\n")
    );
}

#[test]
fn completions_and_man_pages_come_from_the_cli_definitions() {
    let r = ghg(&["completions", "bash"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    for word in ["compute", "explain", "factors", "search", "init", "--format", "xlsx", "html", "--lang"] {
        assert!(r.stdout.contains(word), "bash completion lacks {word}");
    }
    assert!(ghg(&["completions", "zsh"]).stdout.starts_with("#compdef ghg"));
    assert!(ghg(&["completions", "fish"]).stdout.contains("complete -c ghg"));
    let man = ghg(&["man"]);
    assert_eq!(man.code, 0, "{}", man.stderr);
    assert!(man.stdout.contains(".TH ghg 1"), "{}", &man.stdout[..200.min(man.stdout.len())]);
    assert!(man.stdout.contains("ghg\\-compute(1)") || man.stdout.contains("compute"), "subcommands listed");
    let dir = tempfile::tempdir().expect("tempdir");
    let r = ghg(&["man", "--dir", dir.path().to_str().expect("utf-8")]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    for page in ["ghg.1", "ghg-compute.1", "ghg-factors-search.1", "ghg-init.1", "ghg-completions.1"] {
        let text = std::fs::read_to_string(dir.path().join(page)).unwrap_or_else(|_| panic!("{page}"));
        assert!(text.contains(".TH"), "{page}");
    }
    let compute = std::fs::read_to_string(dir.path().join("ghg-compute.1")).expect("page");
    assert!(compute.contains("\\-\\-format xlsx \\-\\-output report.xlsx"), "the examples are in the page");
}

/// Subcommand names listed under "Commands:" in a help text.
fn commands(help: &str) -> Vec<String> {
    help.lines()
        .skip_while(|l| !l.starts_with("Commands:"))
        .skip(1)
        .take_while(|l| l.starts_with("  "))
        .filter_map(|l| l.split_whitespace().next().map(str::to_string))
        .filter(|c| c != "help")
        .collect()
}

#[test]
fn every_command_has_examples_in_its_help() {
    let top = ghg(&["--help"]);
    assert!(top.stdout.contains("Examples:"), "ghg --help");
    let mut checked = 0;
    for c in commands(&top.stdout) {
        let h = ghg(&[&c, "--help"]);
        assert_eq!(h.code, 0, "{c}");
        assert!(h.stdout.contains("Examples:\n  ghg "), "ghg {c} --help has no examples:\n{}", h.stdout);
        checked += 1;
        for s in commands(&h.stdout) {
            let h = ghg(&[&c, &s, "--help"]);
            assert!(h.stdout.contains("Examples:\n  ghg "), "ghg {c} {s} --help has no examples:\n{}", h.stdout);
            checked += 1;
        }
    }
    assert!(checked >= 11, "{checked} commands checked");
}

/// A ledger of `n` rows in a temporary folder, with the fixture's factors.
fn big_ledger(n: usize) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut s = String::from("entity,period,activity,quantity,unit,region,note\n");
    for i in 0..n {
        s.push_str(&format!("site{},2024-{:02},diesel,{}.5,t,CN,\n", i % 7, i % 12 + 1, i % 100));
    }
    std::fs::write(dir.path().join("ledger.csv"), s).expect("write");
    let inv = std::fs::read_to_string(fixture().join("inventory-csv.toml")).expect("inventory");
    let inv = inv.replace("factor_paths = [\"factors\"]", &format!("factor_paths = [{:?}]", fixture().join("factors")));
    std::fs::write(dir.path().join("inventory.toml"), inv).expect("write");
    dir
}

#[test]
fn progress_is_reported_to_the_hook_and_drawn_only_on_a_terminal() {
    let dir = big_ledger(20_000);
    let inv = ghg::Inventory::load(&dir.path().join("inventory.toml")).expect("inventory");
    let lib = ghg::library_for(&inv, &[]).expect("library");
    let mut reports = Vec::new();
    struct Hook<'a>(&'a mut Vec<(u64, u64, u64)>);
    impl ghg::calc::Sink for Hook<'_> {
        fn progress(&mut self, p: &ghg::calc::Progress<'_>) {
            self.0.push((p.done, p.total, p.rows));
        }
    }
    let c = ghg::calc::Calculation::new(&inv, &lib).run(&mut Hook(&mut reports)).expect("computes");
    // Every 4,096 rows and at the end: 4 + 1 reports, rows and bytes never going back, the last at the end.
    assert_eq!(reports.len(), 20_000 / ghg::calc::PROGRESS_EVERY as usize + 1);
    assert!(reports.windows(2).all(|w| w[0].0 <= w[1].0 && w[0].2 <= w[1].2));
    let size = std::fs::metadata(dir.path().join("ledger.csv")).expect("size").len();
    assert_eq!(reports.last().copied(), Some((size, size, 20_000)));
    assert_eq!(c.provenance.rows.read, 20_000);

    // Not a terminal: nothing on stderr, even with no delay.
    let out = Command::new(env!("CARGO_BIN_EXE_ghg"))
        .args(["check", "inventory.toml"])
        .env("GHG_PROGRESS_AFTER_MS", "0")
        .current_dir(dir.path())
        .output()
        .expect("run");
    assert!(out.status.success());
    assert_eq!(String::from_utf8_lossy(&out.stderr), "", "no progress bar when stderr is not a terminal");

    // A terminal (util-linux `script` gives a pseudo-terminal): the bar, unless --quiet. Without `script` the test
    // fails rather than leave the bar unchecked (.ci/run installs it).
    assert!(
        Command::new("script").arg("--version").output().is_ok(),
        "`script` is not installed, and this test draws the progress bar on a terminal through it: \
         apt-get install bsdutils (Debian, Ubuntu) or util-linux"
    );
    let on_tty = |extra: &str| -> String {
        let cmd = format!("{} check inventory.toml {extra}", env!("CARGO_BIN_EXE_ghg"));
        let o = Command::new("script")
            .args(["-qec", &cmd, "/dev/null"])
            .env("GHG_PROGRESS_AFTER_MS", "0")
            .current_dir(dir.path())
            .output()
            .expect("run script");
        String::from_utf8_lossy(&o.stdout).into_owned()
    };
    let shown = on_tty("");
    assert!(shown.contains("ledger.csv (1/1)") && shown.contains('%'), "the bar is drawn: {shown:?}");
    assert!(shown.contains("ok: inventory.toml"), "{shown:?}");
    let quiet = on_tty("--quiet");
    assert!(!quiet.contains("ledger.csv (1/1)"), "--quiet hides the bar: {quiet:?}");
}

/// The building blocks other commands (reconcile, scenario) hand over with: a document of key figures, tables,
/// findings and a waterfall renders to HTML and to a workbook that reads back.
#[test]
fn generic_documents_render_waterfalls_tables_and_findings() {
    use ghg::report::{
        Block, Cell, Chart, Column, Document, Finding, KeyFigure, Lang, Section, Severity, Table, Waterfall, html,
        workbook,
    };
    use rust_decimal_macros::dec;
    let mut doc = Document::new("Plant A — 2023 to 2024", Lang::En);
    doc.stamp.push(("scenario".into(), "more-gec.toml sha256 00ff".into()));
    let w = Waterfall {
        title: "total.market 2023 → 2024".into(),
        unit: "tCO2e".into(),
        start: ("2023".into(), dec!(100.5)),
        steps: vec![("boundary".into(), dec!(0)), ("activity".into(), dec!(30.25)), ("factors".into(), dec!(-50))],
        end: "2024".into(),
        places: 2,
    };
    // 100.5 + 0 + 30.25 - 50 = 80.75
    assert_eq!(w.end_value(), Some(dec!(80.75)));
    let table = Table::new(
        "Attribution",
        vec![Column::integer("year"), Column::code("figure"), Column::number("change", 2), Column::text("note")],
        vec![
            vec![Cell::Count(2024), Cell::text("total.market"), Cell::Number(dec!(-19.75)), Cell::text("=SUM(A1)")],
            vec![Cell::Count(2024), Cell::text("scope1"), Cell::Number(dec!(1234567.125)), Cell::Empty],
        ],
    );
    doc.sections.push(Section::new(
        "Change",
        vec![
            Block::KeyFigures(vec![KeyFigure {
                label: "change".into(),
                value: dec!(-19.75),
                unit: "tCO2e".into(),
                places: 2,
                note: None,
            }]),
            Block::Chart(Chart::Waterfall(w)),
            Block::Table(table),
            Block::Findings(vec![Finding {
                severity: Severity::Error,
                code: "outside".into(),
                message: "scope1 2024: reported 14,385.48, recomputed 14,245.41".into(),
                location: Some("附录1".into()),
            }]),
        ],
    ));
    let page = html(&doc);
    assert_eq!(page.matches("class=\"bar\"").count(), 5, "start, three steps, end");
    for text in [">+30.25<", ">-50.00<", ">80.75<", ">100.50<", "<td class=\"num\">2024</td>", "1,234,567.13"] {
        assert!(page.contains(text), "the page lacks {text}");
    }
    assert!(page.contains("<li class=\"error\">") && page.contains("[outside]"));
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("doc.xlsx");
    std::fs::write(&path, workbook(&doc).expect("workbook")).expect("write");
    let mut wb = open_xlsx(&path);
    assert_eq!(wb.sheet_names(), ["Attribution", "Findings", "Provenance"]);
    let rows = records(&sheet(&mut wb, "Attribution"));
    assert_eq!(rows[0]["year"], Data::Float(2024.0));
    assert_eq!(rows[0]["change"], Data::Float(-19.75));
    assert_eq!(rows[1]["change"], Data::Float(1234567.125));
    assert_eq!(text(&rows[0]["note"]), "=SUM(A1)", "text that looks like a formula stays text");
    let findings = records(&sheet(&mut wb, "Findings"));
    assert_eq!(text(&findings[0]["code"]), "outside");
    assert_eq!(text(&findings[0]["location"]), "附录1");
}

/// Long tables are streamed to the workbook (constant-memory mode) and still read back whole and the same bytes.
#[test]
fn long_line_sheets_read_back_whole() {
    let dir = big_ledger(4_000);
    let run = |name: &str| {
        let r = ghg_in(dir.path(), &["compute", "inventory.toml", "--format", "xlsx", "-o", name]);
        assert_eq!(r.code, 0, "{}", r.stderr);
        std::fs::read(dir.path().join(name)).expect("workbook")
    };
    let (a, b) = (run("a.xlsx"), run("b.xlsx"));
    assert_eq!(a, b, "deterministic in constant-memory mode too");
    let mut wb = open_xlsx(&dir.path().join("a.xlsx"));
    let lines = sheet(&mut wb, "Lines");
    // Each diesel row gives five lines (scope1.diesel, its copies in scope1.stationary and scope1.gas.co2,
    // energy.direct, activity.diesel): 20,000 > 10,000 rows.
    assert_eq!(lines.len() - 1, 5 * 4_000);
    let summary = records(&sheet(&mut wb, "Summary"));
    let diesel = summary.iter().find(|r| text(&r["figure"]) == "activity.diesel").expect("row");
    // Quantities are i % 100 + 0.5 for i in 0..4000: 40 cycles of (0+1+...+99) + 4000 x 0.5 = 40 x 4950 + 2000.
    assert_eq!(text(&diesel["exact value"]), "200000");
}

/// `reconcile` and `scenario` write the same kinds of documents: a workbook whose reconciliation rows carry the
/// statuses of the JSON output, and self-contained HTML with their charts.
#[test]
fn reconcile_and_scenario_write_workbooks_and_html() {
    let dir = tempfile::tempdir().expect("tempdir");
    let inv = "examples/hikvision-2024/inventory.toml";
    let out = dir.path().join("rec.xlsx");
    let r = ghg(&["reconcile", inv, "--format", "xlsx", "--output", out.to_str().expect("utf-8")]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let mut wb = open_xlsx(&out);
    let rows = records(&sheet(&mut wb, "Reconciliation"));
    let j = ghg(&["reconcile", inv, "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&j.stdout).expect("json");
    let figs = v["figures"].as_array().expect("figures");
    assert_eq!(rows.len(), figs.len(), "one workbook row per reconciled figure");
    let status_of = |id: &str| -> String {
        rows.iter()
            .find(|r| r.values().any(|c| text(c) == id))
            .and_then(|r| r.iter().find(|(k, _)| k.to_lowercase().contains("status")).map(|(_, c)| text(c)))
            .unwrap_or_default()
    };
    for f in figs {
        let id = f["id"].as_str().expect("id");
        assert_eq!(status_of(id), f["status"].as_str().expect("status"), "{id}");
    }
    // Two years: 2023 has figures outside tolerance, so the verdict is exit 1, and the report is still written.
    let r = ghg(&["reconcile", "examples/hikvision-2023/inventory.toml", inv, "--format", "html"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    let rec_html = r.stdout;
    assert!(rec_html.contains("<svg") && !rec_html.contains("<script") && !rec_html.contains("http://example"));
    let sc_html =
        html_of(&["scenario", inv, "examples/hikvision-2024/scenarios/more-gec-50000.toml", "--format", "html"]);
    assert!(sc_html.contains("<svg") && sc_html.contains("149,500.41"), "the scenario's market scope 2 is shown");
}

/// A fallback's first row in a spreadsheet is located as every spreadsheet row is (`ledger.xlsx:ledger!6:6`), in
/// the fallbacks list and in the warning, never as a bare line number of the workbook file.
#[test]
fn a_fallback_in_a_spreadsheet_names_its_row_as_every_spreadsheet_location_does() {
    let dir = tempfile::tempdir().expect("tempdir");
    for f in ["inventory.toml", "ledger.xlsx"] {
        std::fs::copy(fixture().join(f), dir.path().join(f)).expect("copy");
    }
    std::fs::create_dir(dir.path().join("factors")).expect("mkdir");
    for f in ["test-fuels-1.toml", "test-coal-1.toml", "test-grid-1.toml"] {
        let text = std::fs::read_to_string(fixture().join("factors").join(f)).expect("read");
        // No factor for Zhejiang: the plant-b row there is priced with the national one, by a fallback.
        std::fs::write(dir.path().join("factors").join(f), text.replace("region = \"CN-ZJ\"", "region = \"CN-XZ\""))
            .expect("write");
    }
    let inv = dir.path().join("inventory.toml");
    let text = std::fs::read_to_string(&inv).expect("read");
    std::fs::write(&inv, format!("{text}\n[factors.region_fallback]\n\"CN-ZJ\" = \"CN\"\n")).expect("write");
    let r = ghg_in(dir.path(), &["compute", "inventory.toml"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("(1 row, first ledger.xlsx:ledger!6:6)"), "{}", r.stdout);
    assert!(
        r.stdout.contains("[region-fallback] ledger.xlsx:ledger!6:6: 1 row of electricity in region CN-ZJ"),
        "{}",
        r.stdout
    );
}
