//! Conventions every command keeps: what goes to a file is also told on stderr, and a misspelt name is answered
//! with the nearest known one.

use std::path::Path;

use crate::util::{INVENTORY, ghg_in};

/// One row in m3 (a volume-reference warning), grid electricity (a year fallback: mee-grid@2022 for 2024) and,
/// with `bad`, a row whose quantity is not a number.
fn dir_with(bad: bool) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("inventory.toml"), INVENTORY).expect("inventory");
    let mut ledger = String::from(
        "entity,period,activity,quantity,unit,region,note\nplant,2024,natural_gas,2000,m3,CN,\nplant,2024,electricity,100,MWh,CN,\n",
    );
    if bad {
        ledger.push_str("plant,2024,electricity,abc,MWh,CN,\n");
    }
    std::fs::write(dir.path().join("ledger.csv"), ledger).expect("ledger");
    dir
}

#[test]
fn warnings_fallbacks_and_rejected_rows_reach_stderr_in_every_format_written_to_a_file() {
    let dir = dir_with(true);
    for format in ["table", "json", "csv", "markdown", "xlsx", "html"] {
        let out = format!("out.{format}");
        let r = ghg_in(dir.path(), &["compute", "inventory.toml", "--lenient", "--format", format, "-o", &out]);
        assert_eq!(r.code, 0, "{format}: {}", r.stderr);
        assert!(r.stdout.is_empty(), "{format}: {}", r.stdout);
        assert!(r.stderr.contains("warning: [volume-reference] natural_gas rows"), "{format}: {}", r.stderr);
        assert!(
            r.stderr.contains("fallback: year grid for electricity: mee-grid@2022:grid.national used for year 2024"),
            "{format}: {}",
            r.stderr
        );
        let rejected: Vec<&str> = r.stderr.lines().filter(|l| l.starts_with("rejected: ")).collect();
        assert_eq!(
            rejected,
            [
                "rejected: ledger.csv:4:24: quantity 'abc' is not a decimal number: 'a' is not a digit (write digits with an optional decimal point, e.g. 1909.06 or \"1,909.06\")"
            ],
            "{format}: each rejected row once"
        );
        assert!(Path::new(&dir.path().join(&out)).exists());
    }
    // On a terminal's stdout the table shows them itself: nothing is said twice.
    let r = ghg_in(dir.path(), &["compute", "inventory.toml", "--lenient"]);
    assert!(!r.stderr.contains("rejected: "), "{}", r.stderr);
    assert!(r.stdout.contains("quantity 'abc' is not a decimal number"), "{}", r.stdout);
}

#[test]
fn a_misspelt_figure_or_unit_of_a_reported_file_or_a_target_is_answered_with_the_nearest() {
    let dir = dir_with(false);
    let d = dir.path();
    std::fs::write(d.join("inv.toml"), format!("reported = \"reported.toml\"\n{INVENTORY}")).expect("inventory");
    std::fs::write(
        d.join("reported.toml"),
        "source = \"test\"\n[[figure]]\nid = \"scope2.locaton\"\nprinted = \"53.66 tCO2e\"\n",
    )
    .expect("reported");
    let r = ghg_in(d, &["reconcile", "inv.toml"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr.contains(
            "reported.toml:2:1: reported figure 'scope2.locaton' is not a figure of this inventory (did you mean 'scope2.location'? ids are: scope1,"
        ),
        "{}",
        r.stderr
    );
    std::fs::write(
        d.join("reported.toml"),
        "source = \"test\"\n[[figure]]\nid = \"scope2.location\"\nprinted = \"53.66 tCO2ee\"\n",
    )
    .expect("reported");
    let r = ghg_in(d, &["reconcile", "inv.toml"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("unit 'tCO2ee' of 'printed' is unknown"), "{}", r.stderr);
    assert!(r.stderr.contains("(did you mean 'tCO2e'? use a unit ghg knows"), "{}", r.stderr);
    let r = ghg_in(d, &["scenario", "inventory.toml", "--target", "intensity.total.markt<=0.1"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr.contains(
            "no figure 'intensity.total.markt' in this inventory (did you mean 'intensity.total.market'? figures:"
        ),
        "{}",
        r.stderr
    );
    // A far name gets no guess, only the list.
    let r = ghg_in(d, &["explain", "inventory.toml", "carbon"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("no figure 'carbon' in this inventory (figures: scope1,"), "{}", r.stderr);
}

/// An .xlsx ledger whose quantity cell D3 is a formula; with `saved` false its saved value is taken out, as in a
/// workbook written by a program that does not calculate.
fn formula_ledger(saved: bool) -> Vec<u8> {
    use std::io::{Read, Write};
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("ledger").expect("name");
    for (c, h) in ["entity", "period", "activity", "quantity", "unit", "region"].iter().enumerate() {
        ws.write_string(0, c as u16, *h).expect("write");
    }
    for r in [1u32, 2] {
        ws.write_string(r, 0, "plant").expect("write");
        ws.write_string(r, 1, "2024").expect("write");
        ws.write_string(r, 2, "electricity").expect("write");
        ws.write_string(r, 4, "MWh").expect("write");
        ws.write_string(r, 5, "CN").expect("write");
    }
    ws.write_number(1, 3, 100).expect("write");
    ws.write_formula(2, 3, rust_xlsxwriter::Formula::new("=D2*2").set_result("200")).expect("write");
    let bytes = wb.save_to_buffer().expect("xlsx");
    if saved {
        return bytes;
    }
    let mut zin = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("zip");
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for i in 0..zin.len() {
        let mut f = zin.by_index(i).expect("entry");
        let name = f.name().expect("entry name").to_string();
        let mut data = Vec::new();
        f.read_to_end(&mut data).expect("read");
        if name == "xl/worksheets/sheet1.xml" {
            let xml = String::from_utf8(data).expect("utf-8");
            assert!(xml.contains("<f>D2*2</f><v>200</v>"), "{xml}");
            data = xml.replace("<f>D2*2</f><v>200</v>", "<f>D2*2</f>").into_bytes();
        }
        out.start_file(name, zip::write::SimpleFileOptions::default()).expect("start");
        out.write_all(&data).expect("write");
    }
    out.finish().expect("zip").into_inner()
}

#[test]
fn a_formula_cell_without_a_saved_value_is_reported_as_such_not_as_an_empty_quantity() {
    let path = Path::new("ledger.xlsx");
    // With its value saved, the formula's value is read.
    let ledger = ghg::sheet::SheetLedger::from_bytes(path, formula_ledger(true), None).expect("opens");
    let q: Vec<String> = ledger.map(|r| r.expect("valid row").quantity.value.to_string()).collect();
    assert_eq!(q, ["100", "200"]);
    // Without, the row is an error at the cell, naming the formula.
    let ledger = ghg::sheet::SheetLedger::from_bytes(path, formula_ledger(false), None).expect("opens");
    let rows: Vec<_> = ledger.collect();
    assert_eq!(rows.len(), 2, "the row is read, not skipped as blank");
    assert!(rows[0].is_ok());
    let e = rows[1].as_ref().expect_err("an error");
    assert_eq!(
        e.to_string(),
        "ledger.xlsx:ledger!D3: cell holds a formula (=D2*2) with no saved value: read, it would be empty (the workbook was written by a program that does not calculate: open and save it in Excel or LibreOffice (they save each formula's value), or type the value)"
    );
}

#[test]
fn the_init_templates_carry_the_certificate_columns_with_a_row_that_is_counted() {
    use calamine::{Data, Reader};
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    for (name, xlsx) in [("csv", false), ("xlsx", true)] {
        let mut args = vec!["init", name, "--organisation", "Acme", "--year", "2024"];
        if xlsx {
            args.push("--xlsx");
        }
        let r = ghg_in(d, &args);
        assert_eq!(r.code, 0, "{}", r.stderr);
        let header: Vec<String> = if xlsx {
            let mut wb: calamine::Xlsx<_> = calamine::open_workbook(d.join("xlsx/ledger.xlsx")).expect("opens");
            let range = wb.worksheet_range("ledger").expect("ledger sheet");
            let rows: Vec<Vec<Data>> = range.rows().map(|r| r.to_vec()).collect();
            // The certificate row, last, with its instrument, vintage and id; the other rows leave them empty.
            let last = rows.last().expect("rows");
            assert_eq!(last[2], Data::String("certificate".into()));
            assert_eq!(
                last[6..9],
                [Data::String("GEC".into()), Data::String("2024".into()), Data::String("GEC-2024-0001".into())]
            );
            assert_eq!(rows[1][6], Data::Empty);
            rows[0].iter().map(|c| c.to_string()).collect()
        } else {
            let text = std::fs::read_to_string(d.join("csv/ledger.csv")).expect("ledger");
            assert!(text.contains("\nhead-office,2024,certificate,200,MWh,CN,GEC,2024,GEC-2024-0001,"), "{text}");
            text.lines().next().expect("header").split(',').map(str::to_string).collect()
        };
        assert_eq!(
            header,
            [
                "entity",
                "period",
                "activity",
                "quantity",
                "unit",
                "region",
                "instrument",
                "vintage",
                "certificate_id",
                "note"
            ],
            "{name}"
        );
        // The certificate row is read and allocated: 200 of the 1,200 grid MWh are covered.
        let inv = format!("{name}/inventory.toml");
        let v: serde_json::Value =
            serde_json::from_str(&ghg_in(d, &["compute", &inv, "--format", "json"]).stdout).expect("json");
        assert_eq!(v["figures"]["electricity.renewable"]["value"], "200", "{name}");
        assert_eq!(v["provenance"]["rows"]["used"], 5, "{name}");
    }
}

#[test]
fn a_placeholder_revenue_is_warned_about_and_a_plain_one_is_not() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    assert_eq!(ghg_in(d, &["init", "new", "--organisation", "Acme", "--year", "2024"]).code, 0);
    let warnings = |inv: &str| -> Vec<serde_json::Value> {
        let r = ghg_in(d, &["compute", inv, "--format", "json"]);
        assert_eq!(r.code, 0, "{}", r.stderr);
        let v: serde_json::Value = serde_json::from_str(&r.stdout).expect("json");
        v["warnings"]
            .as_array()
            .expect("warnings")
            .iter()
            .filter(|w| w["code"] == "placeholder-denominator")
            .cloned()
            .collect()
    };
    // The template's note says "replace with the revenue of the year".
    let w = warnings("new/inventory.toml");
    assert_eq!(w.len(), 1, "{w:?}");
    assert_eq!(
        w[0]["message"],
        "denominator revenue (1000 million CNY) looks like a placeholder: its note says \"replace with the revenue of the year\"; the intensities per it are not the organisation's until the real revenue is written"
    );
    assert_eq!(w[0]["location"], "new/inventory.toml:12:12");
    // A revenue of 1, whatever its note.
    let text = std::fs::read_to_string(d.join("new/inventory.toml")).expect("inventory");
    let one = text
        .replace("quantity = \"1000\"", "quantity = \"1\"")
        .replace("replace with the revenue of the year", "group revenue");
    std::fs::write(d.join("new/one.toml"), one).expect("write");
    let w = warnings("new/one.toml");
    assert_eq!(w.len(), 1, "{w:?}");
    assert!(
        w[0]["message"].as_str().expect("text").contains(
            "(1 million CNY) looks like a placeholder: a quantity of 1 makes every intensity per it equal its numerator"
        ),
        "{w:?}"
    );
    // A round revenue with a plain note is taken as written.
    let plain = text.replace("replace with the revenue of the year", "annual report, p. 12");
    std::fs::write(d.join("new/plain.toml"), plain).expect("write");
    assert!(warnings("new/plain.toml").is_empty());
}

#[test]
fn the_boundary_is_in_every_compute_report() {
    let dir = dir_with(false);
    let d = dir.path();
    std::fs::write(d.join("inventory.toml"), format!("boundary = \"Two plants, operational control\"\n{INVENTORY}"))
        .expect("inventory");
    let out = |args: &[&str]| {
        let mut a = vec!["compute", "inventory.toml"];
        a.extend_from_slice(args);
        let r = ghg_in(d, &a);
        assert_eq!(r.code, 0, "{}", r.stderr);
        r.stdout
    };
    assert!(out(&[]).starts_with("Test — 2024\nboundary: Two plants, operational control\n"));
    assert!(out(&["--format", "markdown"]).starts_with("# Test — 2024\n\nBoundary: Two plants, operational control\n"));
    let v: serde_json::Value = serde_json::from_str(&out(&["--format", "json"])).expect("json");
    assert_eq!(v["boundary"], "Two plants, operational control");
    out(&["--format", "html", "-o", "r.html"]);
    let html = std::fs::read_to_string(d.join("r.html")).expect("html");
    assert!(html.contains("<dt>boundary</dt><dd>Two plants, operational control</dd>"), "the stamp");
    // Without one, JSON says null.
    std::fs::write(d.join("inventory.toml"), INVENTORY).expect("inventory");
    let v: serde_json::Value = serde_json::from_str(&out(&["--format", "json"])).expect("json");
    assert!(v["boundary"].is_null());
}
