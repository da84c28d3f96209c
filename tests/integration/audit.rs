//! What an auditor sees in `ghg reconcile`: findings that blame only the parts that are off, gaps explained by
//! printed precision shown as consistent, internal checks of the report that count for the verdict, and stated
//! changes read as printed. Numbers checked by hand in the comments.

use std::path::Path;

use ghg::reconcile::{self, Direction, FindingKind, Outcome, ReportedFile, Status};
use ghg::{Inventory, calc};
use rust_decimal::Decimal;
use rust_decimal_macros::dec;

use super::util::{ghg_in, root};

fn seed(years: &[i32]) -> reconcile::Reconciliation {
    let invs: Vec<Inventory> = years
        .iter()
        .map(|y| Inventory::load(&root().join(format!("examples/hikvision-{y}/inventory.toml"))).expect("inventory"))
        .collect();
    let lib = ghg::library_for(&invs[0], &[]).expect("library");
    reconcile::reconcile_inventories(&invs, &lib, calc::ComputeOptions::default()).expect("reconciles")
}

fn findings<'a>(r: &'a reconcile::Reconciliation, year: i32, id: &str) -> Vec<&'a reconcile::Finding> {
    r.findings().filter(|f| f.year == year && f.figure.as_deref() == Some(id) && !f.kind.is_internal()).collect()
}

#[test]
fn a_gap_within_the_printed_factor_precision_is_consistent_and_names_its_finding() {
    let r = seed(&[2023]);
    let s2 = r.years[0].figures.iter().find(|f| f.id == "scope2.market").expect("scope2.market");
    // 270,899.4 MWh x 0.5568 = 150,836.78592 against the printed 150,848.8: -12.014. The factor is printed at four
    // places, ±0.00005 x 270,899.4 MWh = ±13.545 t, which covers the gap.
    assert_eq!(s2.difference, dec!(-12.01408));
    assert_eq!(s2.status, Status::Consistent);
    assert_eq!(s2.explained_by.as_deref(), Some("implied-factor: the factor used, within its printed precision"));
    // scope1 is 0.43 % off and nothing explains it: it stays within.
    let s1 = r.years[0].figures.iter().find(|f| f.id == "scope1").expect("scope1");
    assert_eq!((s1.status, s1.explained_by.as_deref()), (Status::Within, None));
}

#[test]
fn a_total_whose_parts_are_printed_is_blamed_on_the_part_that_is_off() {
    let r = seed(&[2022]);
    // energy.total 2022 is 1.338 tce under the printed 30,253.2; the gap is in energy.direct (natural gas), and
    // energy.indirect (electricity) is exact: no finding on energy.total may name electricity.
    let fs = findings(&r, 2022, "energy.total");
    assert!(fs.iter().all(|f| !matches!(f.kind, FindingKind::ImpliedFactor | FindingKind::ImpliedActivity)), "{fs:?}");
    assert!(fs.iter().all(|f| !f.message.contains("electricity")), "{fs:?}");
    let p = fs.iter().find(|f| f.kind == FindingKind::Propagated).expect("propagated");
    assert!(p.message.ends_with("the gap comes from energy.direct (within, -1.299)"), "{}", p.message);
    // scope1 2022 (-0.03 % on three fuels): no single fuel is offered as the explanation; each fuel's activity is
    // ruled out by the report's own activity figure, which reconciles.
    let fs = findings(&r, 2022, "scope1");
    assert!(!fs.iter().any(|f| f.kind == FindingKind::ImpliedFactor && f.outcome == Outcome::Explains), "{fs:?}");
    let ruled_out: Vec<_> = fs.iter().filter(|f| f.kind == FindingKind::ImpliedActivity).collect();
    assert_eq!(ruled_out.len(), 3);
    assert!(ruled_out.iter().all(|f| f.outcome == Outcome::DoesNotExplain
        && f.message.contains("reconciles (exact), so the gap is not in this activity")));
    // So the gap is in the factors, which the report does not print: 5,153.9 / 5,152.179 = 1.000334.
    let factors = fs.iter().find(|f| f.kind == FindingKind::ImpliedFactor).expect("the factors' finding");
    assert_eq!(factors.outcome, Outcome::Info);
    assert!(
        factors
            .message
            .contains("so the gap of -1.721 is in the factors the report used (printed / recomputed = 1.000334"),
        "{}",
        factors.message
    );
}

#[test]
fn an_energy_gap_says_how_much_activity_it_implies_at_the_factor_used() {
    let r = seed(&[2023]);
    let fs = findings(&r, 2023, "energy.indirect");
    let elec = fs
        .iter()
        .find(|f| f.kind == FindingKind::ImpliedActivity && f.message.contains("implied electricity"))
        .expect("implied electricity");
    // (32,740.5 tce - 1,540.39173 tce of PV) / 0.1229 kgce/kWh = 253,865.81 MWh; the ledger has 270,899.4.
    assert!(
        elec.message.contains(
            "the implied electricity is 253,865.81 MWh (interval [253,865.35, 253,866.27]) (the other lines held fixed); the ledger has 270,899.40 MWh, more by 17,033.59"
        ),
        "{}",
        elec.message
    );
    // The same gap put on the PV line alone would need a negative PV output.
    let pv = fs.iter().find(|f| f.message.contains("implied onsite_pv")).expect("implied onsite_pv");
    assert_eq!(pv.outcome, Outcome::DoesNotExplain);
    assert!(pv.message.contains("a negative activity is impossible"), "{}", pv.message);
    // No implied "factor" for electricity computed with the PV line held fixed.
    assert!(fs.iter().all(|f| f.kind != FindingKind::ImpliedFactor), "{fs:?}");
}

#[test]
fn when_no_library_factor_reproduces_a_figure_the_nearest_are_named_never_one_giving_0() {
    let r = seed(&[2022]);
    let f = findings(&r, 2022, "scope2.market")
        .into_iter()
        .find(|f| f.kind == FindingKind::ImpliedFactor)
        .expect("implied factor");
    assert!(f.candidates.is_empty());
    assert_eq!(f.nearest.len(), 3);
    assert!(f.nearest.iter().all(|c| !c.recomputed.is_zero()));
    // 218,563.8 MWh x 0.7075 = 154,633.8885 against the printed 154,300.2.
    assert_eq!(
        (f.nearest[0].factor.as_str(), f.nearest[0].recomputed),
        ("mee-grid@2021:grid.province.ah", dec!(154633.8885))
    );
    assert!(
        f.message.contains("nearest: mee-grid@2021:grid.province.ah 0.7075 gives 154,633.9 (+333.689, +0.22%)"),
        "{}",
        f.message
    );
}

fn parse(text: &str) -> Result<ReportedFile, Vec<String>> {
    ReportedFile::parse(Path::new("r.toml"), text).map_err(|d| d.0.iter().map(|e| e.to_string()).collect())
}

#[test]
fn stated_changes_are_read_as_printed_with_their_direction_words() {
    let head = "[[figure]]\nid = \"energy.total\"\nprinted = \"51,758.70 吨标煤\"\n";
    let change = |printed: &str| {
        let r = parse(&format!("{head}[[change]]\nid = \"energy.total\"\nprinted = \"{printed}\"\n")).expect("parses");
        let c = &r.changes[0];
        (c.printed.value, c.printed.unit.clone(), c.direction, c.magnitude)
    };
    assert_eq!(change("减少21.15%"), (dec!(-21.15), "%".to_string(), Some(Direction::Decrease), true));
    assert_eq!(change("a 21.15% reduction"), (dec!(-21.15), "%".to_string(), Some(Direction::Decrease), true));
    assert_eq!(change("同比下降 3.5%"), (dec!(-3.5), "%".to_string(), Some(Direction::Decrease), true));
    assert_eq!(change("增长 27%"), (dec!(27), "%".to_string(), Some(Direction::Increase), true));
    assert_eq!(change("up 1,234.5 吨标煤"), (dec!(1234.5), "吨标煤".to_string(), Some(Direction::Increase), true));
    assert_eq!(change("+43.0%"), (dec!(43.0), "%".to_string(), None, true));
    assert_eq!(change("下降"), (Decimal::ZERO, "%".to_string(), Some(Direction::Decrease), false));
    assert_eq!(change("增长"), (Decimal::ZERO, "%".to_string(), Some(Direction::Increase), false));
    let e = parse(&format!("{head}[[change]]\nid = \"energy.total\"\nprinted = \"减少+5%\"\n")).expect_err("sign");
    assert_eq!(
        e,
        vec![
            "r.toml:6:11: 'printed' change \"减少+5%\" is contradictory: its sign and its words point different ways (write the change as printed: \"+43.0%\", \"减少21.15%\", \"a 21.15% reduction\", \"下降\" or \"增长 27%\")"
        ]
    );
    let e = parse(&format!("{head}[[change]]\nid = \"energy.total\"\nprinted = \"增长下降\"\n")).expect_err("both");
    assert!(e[0].contains("is contradictory: it names both \"下降\" and \"增长\""), "{e:?}");
}

/// The 2024 seed year in a temporary folder, its reported file extended by `extra`.
fn year_2024_with(extra: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    let src = root().join("examples/hikvision-2024");
    for f in ["inventory.toml", "ledger.csv", "reported.toml"] {
        std::fs::copy(src.join(f), dir.path().join(f)).expect("copy");
    }
    let mut reported = std::fs::read_to_string(dir.path().join("reported.toml")).expect("read");
    reported.push_str(extra);
    std::fs::write(dir.path().join("reported.toml"), reported).expect("write");
    dir
}

#[test]
fn a_failing_internal_check_fails_the_reconciliation_unless_relaxed() {
    // 36,193.3 -> 51,758.70 tce is +43.006 %: "下降" (went down) fails, "增长 43.0%" and "a 43.0% increase" hold.
    let fails = year_2024_with("\n[[change]]\nid = \"energy.total\"\nprinted = \"下降\"\nfrom = \"36,193.3 吨标煤\"\n");
    let run = ghg_in(fails.path(), &["reconcile", "inventory.toml"]);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("[internal-change, fails] energy.total 下降: from 36,193.3 吨标煤 to 51,758.70 吨标煤 the change is +43.0% (as stated with the change); fails"), "{}", run.stdout);
    assert!(run.stdout.ends_with("verdict: 1 internal check(s) of the report fail (exit code 1)\n"), "{}", run.stdout);
    let relaxed = ghg_in(fails.path(), &["reconcile", "inventory.toml", "--internal-checks", "report"]);
    assert_eq!(relaxed.code, 0, "{}{}", relaxed.stdout, relaxed.stderr);
    assert!(relaxed.stdout.ends_with(
        "verdict: every reported figure reconciles; 1 internal check(s) of the report fail (not counted: --internal-checks report) (exit code 0)\n"
    ), "{}", relaxed.stdout);
    let json = ghg_in(fails.path(), &["reconcile", "inventory.toml", "--format", "json"]);
    assert_eq!(json.code, 1);
    let v: serde_json::Value = serde_json::from_str(&json.stdout).expect("json");
    assert_eq!(v["summary"]["exit_code"], 1, "{}", v["summary"]);
    assert_eq!(v["summary"]["failing_internal_checks"], 1);
    for holds in ["增长 43.0%", "a 43.0% increase", "增长"] {
        let dir = year_2024_with(&format!(
            "\n[[change]]\nid = \"energy.total\"\nprinted = \"{holds}\"\nfrom = \"36,193.3 吨标煤\"\n"
        ));
        let run = ghg_in(dir.path(), &["reconcile", "inventory.toml"]);
        assert_eq!(run.code, 0, "{holds}: {}{}", run.stdout, run.stderr);
        assert!(run.stdout.contains(&format!("[internal-change, holds] energy.total {holds}:")), "{}", run.stdout);
    }
}

/// The `SUMIFS(<sheet>!$J:$J,<sheet>!$A:$A,"<figure>")` terms of a Summary formula, as (sheet, line figure).
fn sumifs_terms(formula: &str) -> Vec<(String, String)> {
    formula
        .split('+')
        .map(|t| {
            let inner = t.strip_prefix("SUMIFS(").and_then(|t| t.strip_suffix(')')).unwrap_or_else(|| panic!("{t}"));
            let parts: Vec<&str> = inner.splitn(3, ',').collect();
            let (sheet, col) = parts[0].rsplit_once('!').expect("sheet!range");
            assert_eq!(col, "$J:$J", "sums the Lines value column: {t}");
            assert_eq!(parts[1], format!("{sheet}!$A:$A"), "by the Lines figure column: {t}");
            let id = parts[2].trim_matches('"').to_string();
            (sheet.trim_matches('\'').to_string(), id)
        })
        .collect()
}

#[test]
fn summary_totals_are_live_formulas_over_the_lines_that_recompute_to_the_figures() {
    use calamine::{Data, Reader};
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("c.xlsx");
    let inv = root().join("examples/hikvision-2024/inventory.toml");
    let run = ghg_in(dir.path(), &["compute", inv.to_str().expect("utf-8"), "--format", "xlsx", "-o", "c.xlsx"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let mut wb: calamine::Xlsx<_> = calamine::open_workbook(&out).expect("opens");
    let formulas = wb.worksheet_formula("Summary").expect("formulas");
    let summary = wb.worksheet_range("Summary").expect("summary");
    let lines = wb.worksheet_range("Lines").expect("lines");
    let text = |d: &Data| match d {
        Data::String(s) => s.clone(),
        other => other.to_string(),
    };
    // Lines: figure (A), value (J), exact value (L).
    let line_rows: Vec<(String, f64, Decimal)> = lines
        .rows()
        .skip(1)
        .map(|r| {
            let Data::Float(v) = r[9] else { panic!("value {:?}", r[9]) };
            (text(&r[0]), v, text(&r[11]).parse::<Decimal>().expect("exact"))
        })
        .collect();
    let mut with_formula = Vec::new();
    for (i, row) in summary.rows().enumerate().skip(1) {
        let id = text(&row[0]);
        let exact: Decimal = text(&row[4]).parse().expect("exact value beside");
        let formula = formulas.get_value((i as u32, 2)).cloned().unwrap_or_default();
        if formula.is_empty() {
            continue;
        }
        // Recompute the formula: the exact decimals of the lines it selects add up to the figure, exactly; the
        // doubles a spreadsheet sums give the saved result to the double's precision.
        let mut sum = Decimal::ZERO;
        let mut float = 0.0_f64;
        for (sheet, figure) in sumifs_terms(&formula) {
            assert_eq!(sheet, "Lines");
            for (f, v, x) in line_rows.iter().filter(|(f, _, _)| *f == figure) {
                assert_eq!(f, &figure);
                sum += *x;
                float += *v;
            }
        }
        assert_eq!(sum, exact, "{id}: {formula}");
        let Data::Float(saved) = row[2] else { panic!("{id}: saved result {:?}", row[2]) };
        assert!((saved - float).abs() <= 1e-9 * saved.abs().max(1.0), "{id}: {saved} against {float}");
        with_formula.push(id);
    }
    // Totals are formulas over their lines (scope 1 = its three fuels; total.market = those and scope 2 market);
    // intensities (a total over revenue) are not sums of lines and stay numbers.
    for id in ["scope1", "scope1.gasoline", "scope2.market", "total.market", "energy.total", "electricity.total"] {
        assert!(with_formula.iter().any(|x| x == id), "{id} has no formula: {with_formula:?}");
    }
    assert!(with_formula.iter().all(|x| !x.starts_with("intensity.")), "{with_formula:?}");
    let scope1 = formulas.get_value((1, 2)).expect("scope1 formula");
    assert_eq!(
        scope1,
        "SUMIFS(Lines!$J:$J,Lines!$A:$A,\"scope1.diesel\")+SUMIFS(Lines!$J:$J,Lines!$A:$A,\"scope1.gasoline\")+SUMIFS(Lines!$J:$J,Lines!$A:$A,\"scope1.natural_gas\")"
    );
}

#[test]
fn the_reconcile_report_highlights_outside_figures_and_shows_relative_differences_as_percentages() {
    let dir = tempfile::tempdir().expect("tempdir");
    let years: Vec<String> = (2022..=2024)
        .map(|y| root().join(format!("examples/hikvision-{y}/inventory.toml")).display().to_string())
        .collect();
    let mut args: Vec<&str> = vec!["reconcile"];
    args.extend(years.iter().map(String::as_str));
    let html = ghg_in(dir.path(), &[&args[..], &["--format", "html"]].concat());
    assert_eq!(html.code, 1, "{}", html.stderr);
    // Six figures are outside tolerance over the three years: six marked rows.
    assert_eq!(html.stdout.matches("<tr class=\"hl\">").count(), 6);
    // 2022 scope2.market: 117,281.335 against 154,300.2 is -23.99 %.
    assert!(html.stdout.contains("<td class=\"num\">-23.99%</td>"), "no percentage");
    let xlsx = ghg_in(dir.path(), &[&args[..], &["--format", "xlsx", "-o", "r.xlsx"]].concat());
    assert_eq!(xlsx.code, 1, "{}", xlsx.stderr);
    // In the workbook: the relative difference is the fraction under a percent format, and the outside rows are
    // filled. Read the sheet's XML: each cell names its style, and styles.xml says which styles have a fill.
    let file = std::fs::File::open(dir.path().join("r.xlsx")).expect("open");
    let mut zip = zip::ZipArchive::new(file).expect("zip");
    let mut read = |name: &str| {
        let mut s = String::new();
        std::io::Read::read_to_string(&mut zip.by_name(name).expect(name), &mut s).expect("read");
        s
    };
    let workbook = read("xl/workbook.xml");
    let sheets: Vec<&str> = workbook.split("<sheet ").skip(1).collect();
    let n = sheets.iter().position(|s| s.contains("name=\"Reconciliation\"")).expect("sheet") + 1;
    let sheet = read(&format!("xl/worksheets/sheet{n}.xml"));
    let styles = read("xl/styles.xml");
    let xfs = styles.split("<cellXfs").nth(1).expect("cellXfs").split("</cellXfs>").next().expect("end");
    let xf: Vec<&str> = xfs.split("<xf ").skip(1).collect();
    let filled = |s: usize| xf[s].contains("fillId=\"") && !xf[s].contains("fillId=\"0\"");
    let percent_ids: Vec<String> = styles
        .split("<numFmt ")
        .skip(1)
        .filter(|f| f.contains("formatCode=\"0.00%\""))
        .filter_map(|f| f.split("numFmtId=\"").nth(1).and_then(|x| x.split('"').next()).map(str::to_string))
        .collect();
    // The rows (1-based, the header is row 1) whose status, column K, is outside.
    use calamine::Reader;
    let mut wb: calamine::Xlsx<_> = calamine::open_workbook(dir.path().join("r.xlsx")).expect("opens");
    let range = wb.worksheet_range("Reconciliation").expect("sheet");
    let outside: Vec<usize> = range
        .rows()
        .enumerate()
        .filter(|(_, r)| r[10] == calamine::Data::String("outside".into()))
        .map(|(i, _)| i + 1)
        .collect();
    assert_eq!(outside.len(), 6);
    let mut filled_rows = Vec::new();
    for row in sheet.split("<row ").skip(2) {
        let number: usize = row
            .split("r=\"")
            .nth(1)
            .and_then(|x| x.split('"').next())
            .and_then(|x| x.parse().ok())
            .expect("row number");
        let style_of = |col: &str| -> usize {
            row.split(&format!("<c r=\"{col}{number}\""))
                .nth(1)
                .and_then(|c| c.split('>').next())
                .and_then(|c| c.split("s=\"").nth(1))
                .and_then(|s| s.split('"').next())
                .and_then(|s| s.parse().ok())
                .unwrap_or(0)
        };
        if filled(style_of("B")) {
            filled_rows.push(number);
        }
        // The relative difference (column I) has a percent format (0.00%, built in as 10).
        let i = style_of("I");
        let fmt = xf[i].split("numFmtId=\"").nth(1).and_then(|x| x.split('"').next()).unwrap_or("");
        assert!(fmt == "10" || percent_ids.iter().any(|p| p == fmt), "row {number}: relative format {fmt}: {}", xf[i]);
    }
    assert_eq!(filled_rows, outside);
    // 2022 scope2.market's relative difference is the fraction -0.2399..., shown as -23.99%.
    let rel = range
        .rows()
        .find(|r| r[0] == calamine::Data::Float(2022.0) && r[1] == calamine::Data::String("scope2.market".into()))
        .map(|r| r[8].clone());
    let Some(calamine::Data::Float(x)) = rel else { panic!("{rel:?}") };
    assert!((x - -0.239914).abs() < 1e-6, "{x}");
}

#[test]
fn a_non_co2_line_gets_an_implied_factor_finding_and_its_library_alternatives() {
    // 100 t diesel at the guideline's 42.652 GJ/t = 4.2652 TJ. CO2 309.590963733333; CH4 4.2652 x 3 kg/TJ x 28 =
    // 0.3582768; N2O 4.2652 x 0.6 kg/TJ x 265 = 0.6781668: scope1 = 310.627407333333 tCO2e. A report that used the
    // IPCC mobile-combustion N2O factor (3.9 kg/TJ) prints 309.949240533333 + 4.2652 x 3.9 x 0.265 =
    // 314.357324733 -> 314.36.
    let dir = tempfile::tempdir().expect("tempdir");
    let p = dir.path();
    std::fs::write(
        p.join("inventory.toml"),
        "organisation = \"Test\"\nyear = 2024\nactivity_files = [\"ledger.csv\"]\nreported = \"reported.toml\"\n\
         [factors]\ncombustion = \"cn-guideline-fuels@2015\"\nnon_co2 = \"ipcc2006-stationary@2006\"\n\
         gwp = \"ipcc-gwp@AR5\"\nallow_year_mismatch = true\n",
    )
    .expect("write");
    std::fs::write(p.join("ledger.csv"), "entity,period,activity,quantity,unit,region\nsite,2024,diesel,100,t,CN\n")
        .expect("write");
    std::fs::write(p.join("reported.toml"), "[[figure]]\nid = \"scope1\"\nprinted = \"314.36 tCO2e\"\n")
        .expect("write");
    let inv = Inventory::load(&p.join("inventory.toml")).expect("inventory");
    let lib = ghg::library_for(&inv, &[]).expect("library");
    let r = reconcile::reconcile_inventories(&[inv], &lib, calc::ComputeOptions::default()).expect("reconciles");
    let s1 = &r.years[0].figures[0];
    assert_eq!((s1.recomputed, s1.status), (dec!(310.627407333333), Status::Outside));
    let fs = findings(&r, 2024, "scope1");
    let n2o = fs
        .iter()
        .find(|f| {
            f.kind == FindingKind::ImpliedFactor
                && f.values.iter().any(|(k, v)| k == "factor_used" && v.ends_with(":diesel.n2o"))
        })
        .unwrap_or_else(|| panic!("no N2O implied factor: {fs:?}"));
    assert_eq!(n2o.outcome, Outcome::Explains);
    let exact: Vec<(&str, Decimal)> =
        n2o.candidates.iter().filter(|c| c.exact).map(|c| (c.factor.as_str(), c.recomputed)).collect();
    assert_eq!(exact, vec![("ipcc2006-mobile@2006:diesel.n2o", dec!(314.357324733333))]);
    // implied N2O factor: (314.36 - 309.949240533333) / 265 / 4.2652 TJ = 3.9024 kg/TJ
    assert!(n2o.message.contains("implied factor 3.9024 kgN2O/TJ"), "{}", n2o.message);
    // The implied diesel moves all three gases: 100 t x 314.36 / 310.627407333333 = 101.2016 t (not the 101.21 t
    // that the CO2 line alone would need); none from the N2O line alone (its share is not an amount of diesel).
    let act: Vec<_> = fs.iter().filter(|f| f.kind == FindingKind::ImpliedActivity).collect();
    assert_eq!(act.len(), 1, "{act:?}");
    assert!(
        act[0]
            .message
            .contains("the implied diesel is 101.20 t (interval [101.200, 101.203]); the ledger has 100.00 t"),
        "{}",
        act[0].message
    );
}

#[test]
fn spreadsheet_rows_are_located_in_one_format_in_the_working_paper() {
    let dir = tempfile::tempdir().expect("tempdir");
    let init = ghg_in(dir.path(), &["init", "books", "--organisation", "X", "--year", "2024", "--xlsx"]);
    assert_eq!(init.code, 0, "{}", init.stderr);
    let books = dir.path().join("books");
    std::fs::write(books.join("reported.toml"), "[[figure]]\nid = \"scope1\"\nprinted = \"138.4 tCO2e\"\n")
        .expect("write");
    let md = ghg_in(&books, &["reconcile", "inventory.toml", "--format", "markdown"]);
    assert!(md.code == 0 || md.code == 1, "{}", md.stderr);
    // The trace summary names scope 1's three rows as every other output names a spreadsheet row (file:Sheet!3:3),
    // never as a line of a text file (ledger.xlsx:3).
    assert!(md.stdout.contains("| ledger.xlsx:ledger!3:3, 4:4, 5:5 |"), "{}", md.stdout);
    assert!(!md.stdout.contains("ledger.xlsx:3"), "{}", md.stdout);
    let explain = ghg_in(&books, &["explain", "inventory.toml", "scope1"]);
    assert!(explain.stdout.contains("ledger.xlsx:ledger!3:3  "), "{}", explain.stdout);
}

/// Headless chromium (`.ci/run` installs it); the print test fails, saying what to install, without it.
fn chromium() -> std::path::PathBuf {
    for c in ["chromium", "chromium-browser", "google-chrome"] {
        if let Ok(o) = std::process::Command::new("which").arg(c).output()
            && o.status.success()
        {
            return std::path::PathBuf::from(String::from_utf8_lossy(&o.stdout).trim());
        }
    }
    panic!("chromium is not installed, and this test prints the HTML reports in it: apt-get install chromium");
}

fn headless(extra: &[&str], page: &Path) -> std::process::Output {
    let profile = tempfile::tempdir().expect("profile");
    std::process::Command::new(chromium())
        .args(["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .args(extra)
        .arg(format!("file://{}", page.display()))
        .output()
        .expect("run chromium")
}

/// A measuring script for a copy of a report (the reports themselves carry none): for every table, its number of
/// header cells, and whether it or its last column reaches past the page, written into the page as text.
const MEASURE: &str = r#"<script>
(function () {
  var vw = document.documentElement.clientWidth, out = [];
  document.querySelectorAll('table').forEach(function (t, i) {
    var th = t.querySelectorAll('thead th');
    var last = th.length ? th[th.length - 1].getBoundingClientRect().right : 0;
    var wrap = t.parentElement;
    var over = t.getBoundingClientRect().right > vw + 0.5 || last > vw + 0.5 || wrap.scrollWidth > wrap.clientWidth + 0.5;
    out.push('table ' + i + ' columns ' + th.length + (over ? ' cut' : ' whole'));
  });
  var p = document.createElement('pre'); p.id = 'measured'; p.textContent = out.join('\n');
  document.body.appendChild(p);
})();
</script>"#;

fn measured(html: &str, print: bool, width: u32, dir: &Path, name: &str) -> Vec<String> {
    // Print rules applied on screen at the printable width of the page: what the printed page lays out.
    let page = if print { html.replace("@media print", "@media all") } else { html.to_string() };
    let page = page.replace("</body>", &format!("{MEASURE}</body>"));
    let path = dir.join(name);
    std::fs::write(&path, page).expect("write");
    let out = headless(&["--dump-dom", &format!("--window-size={width},1000")], &path);
    assert!(out.status.success(), "chromium failed: {}", String::from_utf8_lossy(&out.stderr));
    let dom = String::from_utf8_lossy(&out.stdout).into_owned();
    let text = dom.split("<pre id=\"measured\">").nth(1).and_then(|x| x.split("</pre>").next()).expect("measured");
    text.lines().map(str::to_string).collect()
}

#[test]
fn the_html_reports_print_on_a4_with_every_column_of_every_table() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    let inv = |y: i32| root().join(format!("examples/hikvision-{y}/inventory.toml")).display().to_string();
    let compute = ghg_in(d, &["compute", &inv(2024), "--format", "html", "-o", "compute.html"]);
    assert_eq!(compute.code, 0, "{}", compute.stderr);
    let rec = ghg_in(d, &["reconcile", &inv(2022), &inv(2023), &inv(2024), "--format", "html", "-o", "reconcile.html"]);
    assert_eq!(rec.code, 1, "{}", rec.stderr);
    // A ledger by month: the table by month has a column per month besides the figure, unit and total.
    std::fs::write(d.join("inventory.toml"), crate::util::INVENTORY).expect("inventory");
    std::fs::write(d.join("ledger.csv"), crate::periods::LEDGER).expect("ledger");
    let month =
        ghg_in(d, &["compute", "inventory.toml", "--by-period", "month", "--format", "html", "-o", "month.html"]);
    assert_eq!(month.code, 0, "{}", month.stderr);
    for (name, tables) in [("compute.html", 4), ("reconcile.html", 2), ("month.html", 5)] {
        let html = std::fs::read_to_string(d.join(name)).expect("report");
        // Printed: A4 landscape with 10 mm margins leaves 277 mm, 1047 CSS pixels; on screen at 1300 pixels too.
        for (print, width) in [(true, 1047), (false, 1300)] {
            let m = measured(&html, print, width, d, &format!("m-{print}-{name}"));
            assert!(m.len() >= tables, "{name}: every table measured: {m:?}");
            assert!(m.iter().all(|t| t.ends_with(" whole")), "{name} at {width} px (print: {print}): {m:?}");
        }
        // The real print: every page of the PDF is A4 landscape (841.92 x 594.96 pt), and there is more than one.
        let pdf = d.join(name.replace(".html", ".pdf"));
        let out = headless(&["--no-pdf-header-footer", &format!("--print-to-pdf={}", pdf.display())], &d.join(name));
        assert!(out.status.success(), "print failed: {}", String::from_utf8_lossy(&out.stderr));
        let bytes = std::fs::read(&pdf).expect("a PDF");
        assert!(bytes.starts_with(b"%PDF"), "{name}: a PDF");
        let text = String::from_utf8_lossy(&bytes);
        let pages = text.matches("/Type /Page\n").count()
            + text.matches("/Type /Page/").count()
            + text.matches("/Type /Page ").count()
            + text.matches("/Type /Page>").count();
        assert!(pages >= 2, "{name}: {pages} page(s)");
        let boxes: Vec<&str> = text.split("/MediaBox [").skip(1).filter_map(|x| x.split(']').next()).collect();
        assert!(!boxes.is_empty(), "{name}: no page sizes");
        for b in boxes {
            let v: Vec<f64> = b.split_whitespace().filter_map(|x| x.parse().ok()).collect();
            assert!(v.len() == 4 && (v[2] - 841.9).abs() < 1.0 && (v[3] - 595.0).abs() < 1.0, "{name}: page {b}");
        }
    }
}

#[test]
fn a_target_answer_visibly_meets_the_target_and_a_price_costs_it() {
    let inv = root().join("examples/hikvision-2024/inventory.toml").display().to_string();
    let dir = tempfile::tempdir().expect("tempdir");
    let run = ghg_in(dir.path(), &["scenario", &inv, "--target", "intensity.total.market<1.9", "--price", "30"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    // 27,646 MWh give 1.8999942557...: shown as 1.89999 (1.90 would not read as < 1.9), at 30 CNY/MWh 829,380 CNY.
    assert!(run.stdout.contains("answer: 27,646 MWh of certificates added"), "{}", run.stdout);
    assert!(run.stdout.contains("intensity.total.market 1.89999 tCO2e/million CNY"), "{}", run.stdout);
    assert!(!run.stdout.contains("intensity.total.market 1.90 "), "{}", run.stdout);
    assert!(run.stdout.contains("cost at the answer: 829,380.00 CNY"), "{}", run.stdout);
    // A price with nothing to price is a usage error.
    let bad = ghg_in(dir.path(), &["scenario", &inv, "--price", "30"]);
    assert_eq!(bad.code, 2, "{}", bad.stdout);
    assert!(
        bad.stderr.contains(
            "--price prices certificates: it needs --add-certificates, or --target with certificates as the lever"
        ),
        "{}",
        bad.stderr
    );
}

#[test]
fn a_price_sweep_tabulates_and_charts_cost_per_tonne_and_a_target_is_a_line() {
    let inv = root().join("examples/hikvision-2024/inventory.toml").display().to_string();
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    let run = ghg_in(
        d,
        &[
            "scenario",
            &inv,
            "--add-certificates",
            "50000",
            "--sweep",
            "certificates.price=0..60:20",
            "--csv",
            "p.csv",
            "--svg",
            "p.svg",
        ],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    // 50,000 MWh x 0.5366 tCO2/MWh = 26,830 tCO2e avoided at every price; at 20 CNY/MWh 1,000,000 CNY, 37.27 CNY/t.
    assert!(run.stdout.contains("cost per tCO2e avoided"), "{}", run.stdout);
    let row20 = run.stdout.lines().find(|l| l.trim_start().starts_with("20 ")).expect("the 20 CNY/MWh row");
    assert!(row20.ends_with("1,000,000.00 CNY         26,830.00                   37.27"), "{row20}");
    let csv = std::fs::read_to_string(d.join("p.csv")).expect("csv");
    let head = csv.lines().next().expect("header");
    assert!(head.ends_with(",rows.rejected [rows],avoided.market [tCO2e],cost_per_t_avoided [CNY/tCO2e]"), "{head}");
    let at20 = csv.lines().find(|l| l.starts_with("20,")).expect("20");
    let per_t: Decimal = at20.rsplit(',').next().expect("last").parse().expect("decimal");
    assert_eq!(per_t.round_dp(6), dec!(37.271711), "1,000,000 / 26,830");
    assert!(at20.contains(",26830,"), "{at20}");
    // The chart is titled by the lever, not by a flag, and draws the cost and the cost per tonne.
    let svg = std::fs::read_to_string(d.join("p.svg")).expect("svg");
    assert!(svg.contains("(Hikvision) 2024: certificate price</text>"), "title");
    assert!(!svg.contains("--add-certificates"));
    assert!(svg.contains(">cost (CNY)</text>") && svg.contains(">CNY per tCO2e avoided</text>"));
    assert_eq!(svg.matches("<polyline").count(), 6, "scope 2 x2, intensity x2, cost, cost per tonne");
    // A target with a sweep: a line on the intensity panel.
    let run = ghg_in(
        d,
        &[
            "scenario",
            &inv,
            "--sweep",
            "certificates=0..60000:10000",
            "--target",
            "intensity.total.market<=1.80",
            "--svg",
            "t.svg",
        ],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let svg = std::fs::read_to_string(d.join("t.svg")).expect("svg");
    assert!(svg.contains("<title>target intensity.total.market &lt;= 1.8</title></line>"), "no target line");
    assert!(svg.contains("(Hikvision) 2024: certificates added</text>"), "title");
}

#[test]
fn certificates_are_attributed_to_factors_and_a_waterfall_starts_from_the_reported_figure() {
    let r = seed(&[2023, 2024]);
    let a = |id: &str| r.attributions.iter().find(|a| a.figure == id).expect(id);
    let (loc, mkt) = (a("scope2.location"), a("scope2.market"));
    // The 2024 certificates (18,089.22 MWh x 0.5366 = -9,706.675452 t) change the market-based factor: the activity
    // part is the same for both methods, and the market-based factors part is the location-based one plus them.
    assert_eq!(loc.activity, mkt.activity);
    assert_eq!(mkt.factors - loc.factors, dec!(-9706.675452));
    let dir = tempfile::tempdir().expect("tempdir");
    let inv = |y: i32| root().join(format!("examples/hikvision-{y}/inventory.toml")).display().to_string();
    let html = ghg_in(dir.path(), &["reconcile", &inv(2023), &inv(2024), "--format", "html"]);
    assert_eq!(html.code, 1, "{}", html.stderr);
    // scope2.market: 150,848.80 reported in 2023, -12.01 to the recomputation, the three parts, -838.10 to the
    // printed 175,492.31 of 2024.
    let i = html.stdout.find("Scope 2 emissions (market-based) 2023 → 2024</text>").expect("waterfall");
    let svg = &html.stdout[i..i + html.stdout[i..].find("</svg>").expect("end")];
    for label in
        ["2023 reported", "to recomputed 2023", "boundary", "activity", "factors", "to reported 2024", "2024 reported"]
    {
        assert!(svg.contains(&format!(">{label}<")) || svg.contains(label), "{label}: {svg}");
    }
    assert!(svg.contains(">150,848.80<") && svg.contains(">-12.01<") && svg.contains(">-838.10<"), "{svg}");
    assert!(svg.contains(">175,492.31<"), "{svg}");
}

#[test]
fn statuses_are_coloured_on_a_terminal_unless_no_color_and_as_color_says() {
    let inv = root().join("examples/hikvision-2024/inventory.toml").display().to_string();
    let dir = tempfile::tempdir().expect("tempdir");
    // Piped: no colour unless --color always.
    let plain = ghg_in(dir.path(), &["reconcile", &inv]);
    assert!(!plain.stdout.contains('\x1b'), "{}", plain.stdout);
    let always = ghg_in(dir.path(), &["reconcile", &inv, "--color", "always"]);
    assert_eq!(always.code, 0, "{}", always.stderr);
    let row = always.stdout.lines().find(|l| l.starts_with("scope1 ")).expect("scope1");
    assert!(row.ends_with("\x1b[33mwithin\x1b[0m"), "{row:?}");
    let row = always.stdout.lines().find(|l| l.starts_with("energy.indirect ")).expect("energy.indirect");
    assert!(row.ends_with("\x1b[32mexact\x1b[0m"), "{row:?}");
    assert!(always.stdout.contains("\x1b[1;32mverdict: every reported figure reconciles (exit code 0)\x1b[0m"));
    // A message that says "within the precision" stays uncoloured; without the escapes the text is the plain table.
    assert!(always.stdout.contains("holds within the precision of the printed figures"));
    let stripped = always.stdout.replace("\x1b[33m", "").replace("\x1b[32m", "").replace("\x1b[36m", "");
    let stripped =
        stripped.replace("\x1b[31m", "").replace("\x1b[1;32m", "").replace("\x1b[1;31m", "").replace("\x1b[0m", "");
    assert_eq!(stripped, plain.stdout);
    assert!(!ghg_in(dir.path(), &["reconcile", &inv, "--color", "never"]).stdout.contains('\x1b'));
    // On a terminal (util-linux `script` gives one): coloured, unless NO_COLOR is set.
    let on_tty = |no_color: bool| -> String {
        let cmd = format!("{} reconcile {inv}", env!("CARGO_BIN_EXE_ghg"));
        let mut c = std::process::Command::new("script");
        c.args(["-qec", &cmd, "/dev/null"]).current_dir(dir.path());
        if no_color {
            c.env("NO_COLOR", "1");
        } else {
            c.env_remove("NO_COLOR");
        }
        String::from_utf8_lossy(&c.output().expect("`script` (bsdutils or util-linux) runs").stdout).into_owned()
    };
    assert!(on_tty(false).contains("\x1b[33mwithin\x1b[0m"), "coloured on a terminal");
    assert!(!on_tty(true).contains("\x1b[33m"), "NO_COLOR honoured");
}

#[test]
fn chinese_reports_print_chinese_units() {
    let inv = root().join("examples/hikvision-2024/inventory.toml").display().to_string();
    let dir = tempfile::tempdir().expect("tempdir");
    let zh = ghg_in(dir.path(), &["compute", &inv, "--format", "html", "--lang", "zh"]);
    assert_eq!(zh.code, 0, "{}", zh.stderr);
    // Key figures and the figures table: 吨二氧化碳当量, 吨标煤, 吨二氧化碳当量/百万元, 兆瓦时.
    assert!(zh.stdout.contains("<span class=\"unit\">吨二氧化碳当量</span>"), "key figure unit");
    assert!(zh.stdout.contains("<span class=\"unit\">吨二氧化碳当量/百万元</span>"), "intensity unit");
    for u in ["<td>吨标煤</td>", "<td>兆瓦时</td>", "<td>立方米</td>"] {
        assert!(zh.stdout.contains(u), "{u}");
    }
    let en = ghg_in(dir.path(), &["compute", &inv, "--format", "html"]);
    assert!(en.stdout.contains("<span class=\"unit\">tCO2e</span>") && !en.stdout.contains("吨二氧化碳当量</span>"));
    // The reconcile report too.
    let rec = ghg_in(dir.path(), &["reconcile", &inv, "--format", "html", "--lang", "zh"]);
    assert!(rec.stdout.contains("<td>吨二氧化碳当量</td>"), "reconcile unit column");
}

#[test]
fn a_scenario_format_renders_what_it_is_given_or_refuses() {
    let inv = root().join("examples/hikvision-2024/inventory.toml").display().to_string();
    let dir = tempfile::tempdir().expect("tempdir");
    for (extra, what) in [
        (vec!["--sweep", "certificates=0..20000:10000"], "a sweep"),
        (vec!["--target", "intensity.total.market<=1.80"], "a target"),
    ] {
        for f in ["xlsx", "html"] {
            let mut args = vec!["scenario", inv.as_str(), "--format", f, "-o", "out"];
            args.extend(extra.iter().copied());
            let r = ghg_in(dir.path(), &args);
            assert_eq!(r.code, 2, "{f} {what}: {}", r.stdout);
            assert!(
                r.stderr.contains(&format!(
                    "error: --format {f} renders a scenario against its baseline, not {what} (use --format table, markdown, json or csv for a sweep or target; --csv FILE and --svg FILE write a sweep's table and chart)"
                )),
                "{}",
                r.stderr
            );
            assert!(!dir.path().join("out").exists(), "nothing written");
        }
    }
}
