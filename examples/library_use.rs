//! Using `ghg` as a library: load the factor library and an inventory, compute with a progress hook, trace a
//! figure to its ledger rows and factor citations, read a spreadsheet ledger row by row, and hand the result over
//! as an xlsx workbook and an HTML report (including a chart of your own).
//!
//! ```sh
//! cargo run --example library_use                       # the bundled 2024 seed example
//! cargo run --example library_use -- path/to/inventory.toml
//! ```

use std::path::{Path, PathBuf};

use ghg::report::{self, Block, Chart, Lang, Section, Waterfall};
use ghg::{Inventory, calc, printed::round_half_away};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let path: PathBuf = std::env::args()
        .nth(1)
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("examples/hikvision-2024/inventory.toml"));

    // 1. The inventory and its factor library (built-in sets plus the inventory's own folders).
    let inv = Inventory::load(&path)?;
    let lib = ghg::library_for(&inv, &[])?;
    println!("{} — {} ({} ledger file(s))", inv.organisation, inv.year, inv.activity_files.len());

    // 2. Which grid factor would a Zhejiang site use? Search the library as `ghg factors search` does.
    for hit in lib.search("浙江 2022") {
        println!("  factor {} = {} {}", hit.reference(), hit.factor.describe(), hit.factor.citation);
    }

    // 3. Compute, reporting to a sink: it counts the progress reports (a GUI would move a bar) and keeps the lines.
    struct Watch {
        reports: usize,
        lines: Vec<calc::Line>,
    }
    impl calc::Sink for Watch {
        fn wants_lines(&self) -> bool {
            true
        }
        fn line(&mut self, line: &calc::Line) -> std::io::Result<()> {
            self.lines.push(line.clone());
            Ok(())
        }
        fn progress(&mut self, _progress: &calc::Progress<'_>) {
            self.reports += 1;
        }
    }
    let mut watch = Watch { reports: 0, lines: Vec::new() };
    let options = calc::ComputeOptions { keep_lines: false, ..Default::default() };
    let c = calc::Calculation::new(&inv, &lib).options(options).run(&mut watch)?;
    let (reports, lines) = (watch.reports, watch.lines);
    let c = calc::Computation { lines, ..c };
    println!("rows: {} read, {} used ({reports} progress report(s))", c.provenance.rows.read, c.provenance.rows.used);
    for id in ["scope1", "scope2.location", "scope2.market", "energy.total"] {
        if let Some(f) = c.figure(id) {
            println!(
                "  {:<34} {:>14} {}  (exact {})",
                report::figure_label(id, Lang::En),
                round_half_away(f.value, 2),
                f.unit,
                f.value
            );
        }
    }

    // 4. Trace one figure to its rows and factor citations.
    if let Some(t) = calc::trace(&c, "scope1", None)? {
        println!("scope1 = {}:", t.formula);
        for l in &t.lines {
            let f = &l.factors[0];
            println!(
                "  {} {} {} {} -> {} tCO2e [{}: {}]",
                l.source, l.activity, l.quantity, l.unit, l.value, f.reference, f.citation
            );
        }
    }

    // 5. A spreadsheet ledger, row by row, with cell locations in every message.
    let sheet = root.join("tests/data/sheet/ledger.xlsx");
    if sheet.exists() {
        let ledger = ghg::sheet::SheetLedger::open(&sheet)?;
        let rows: Vec<_> = ledger.collect::<Result<_, _>>()?;
        println!("{} rows in {}, first at {}", rows.len(), sheet.display(), rows[0].source);
    }

    // 6. Hand it over: the compute document plus a chart of our own (a what-if waterfall), as xlsx and HTML.
    let mut doc = report::compute_document(&c, Some(&lib), Lang::Zh, 2);
    if let (Some(base), Some(s1)) = (c.figure("total.market"), c.figure("scope1")) {
        let saving = -round_half_away(s1.value / rust_decimal::Decimal::TEN, 2);
        doc.sections.push(Section::new(
            "What if scope 1 fell by a tenth",
            vec![Block::Chart(Chart::Waterfall(Waterfall {
                title: "基准 → 情景".into(),
                unit: "tCO2e".into(),
                start: ("baseline".into(), base.value),
                steps: vec![("scope 1 −10%".into(), saving)],
                end: "scenario".into(),
                places: 0,
            }))],
        ));
    }
    let out = std::env::temp_dir().join("ghg-library-use");
    std::fs::create_dir_all(&out)?;
    std::fs::write(out.join("report.xlsx"), report::workbook(&doc)?)?;
    std::fs::write(out.join("report.html"), report::html(&doc))?;
    println!("wrote {} and {}", out.join("report.xlsx").display(), out.join("report.html").display());
    Ok(())
}
