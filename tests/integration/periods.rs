//! `ghg compute --by-period`: figures by month and by quarter, hand-checked; rows of another granularity are never
//! split; a section in every format.

use std::path::Path;
use std::str::FromStr;

use rust_decimal::Decimal;

use crate::util::{INVENTORY, Run, ghg_in};

/// Electricity by month (two entities in January), natural gas for the second quarter, diesel for the whole year
/// and for July. With the test inventory's factors (mee-grid@2022):
/// - grid 0.5366 tCO2/MWh: January (100 + 10) x 0.5366 = 59.026; February 120.5 x 0.5366 = 64.6603; March 80 x
///   0.5366 = 42.928; the first quarter 310.5 x 0.5366 = 166.6143.
/// - residual mix 0.5856 tCO2/MWh: January 110 x 0.5856 = 64.416.
/// - diesel (cn-guideline-fuels@2015) 42.652 GJ/t x 0.0202 tC/GJ x 0.98 x 44/12 = 3.0959096373333... tCO2/t, carried
///   to 12 places: July 1 t 3.095909637333, the whole year 10 t 30.959096373333; 1.4571 tce/t.
pub(crate) const LEDGER: &str = "entity,period,activity,quantity,unit,region,note
plant-a,2024-01,electricity,100,MWh,CN,jan
plant-a,2024-02,electricity,120.5,MWh,CN,feb
plant-a,2024-03,electricity,80,MWh,CN,mar
plant-b,2024-01,electricity,10,MWh,CN,jan b
plant-a,2024-Q2,natural_gas,2000,m3,CN,boiler
plant-a,2024,diesel,10,t,CN,year
plant-a,2024-07,diesel,1,t,CN,jul
";

fn dir_with(ledger: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("inventory.toml"), INVENTORY).expect("inventory");
    std::fs::write(dir.path().join("ledger.csv"), ledger).expect("ledger");
    dir
}

fn run(dir: &Path, args: &[&str]) -> Run {
    let mut a = vec!["compute", "inventory.toml"];
    a.extend_from_slice(args);
    let r = ghg_in(dir, &a);
    assert_eq!(r.code, 0, "{}", r.stderr);
    r
}

fn json(dir: &Path, by: &str) -> serde_json::Value {
    let r = run(dir, &["--format", "json", "--by-period", by]);
    serde_json::from_str(&r.stdout).expect("json")
}

fn dec(v: &serde_json::Value) -> Decimal {
    Decimal::from_str(v.as_str().unwrap_or_else(|| panic!("a decimal string: {v}"))).expect("decimal")
}

#[test]
fn figures_by_month_are_exact_sums_and_rows_of_a_quarter_or_year_keep_their_own_column() {
    let dir = dir_with(LEDGER);
    let v = json(dir.path(), "month");
    let b = &v["by_period"];
    assert_eq!(b["granularity"], "month");
    // Every month of the year (so that a month without rows shows as one), then the periods kept whole.
    let periods: Vec<&str> = b["periods"].as_array().expect("periods").iter().filter_map(|p| p.as_str()).collect();
    let mut want: Vec<String> = (1..=12).map(|m| format!("2024-{m:02}")).collect();
    want.extend(["2024-Q2".to_string(), "2024".to_string()]);
    assert_eq!(periods, want);
    assert_eq!(b["not_split"], serde_json::json!(["2024-Q2", "2024"]));
    let loc = &b["figures"]["scope2.location"];
    assert_eq!(loc["unit"], "tCO2e");
    assert_eq!(dec(&loc["values"]["2024-01"]), Decimal::from_str("59.026").expect("d"));
    assert_eq!(dec(&loc["values"]["2024-02"]), Decimal::from_str("64.6603").expect("d"));
    assert_eq!(dec(&loc["values"]["2024-03"]), Decimal::from_str("42.928").expect("d"));
    // A month without rows is absent, not 0.
    assert!(loc["values"].get("2024-04").is_none(), "{loc}");
    assert_eq!(dec(&loc["total"]), Decimal::from_str("166.6143").expect("d"));
    assert_eq!(dec(&b["figures"]["scope2.market"]["values"]["2024-01"]), Decimal::from_str("64.416").expect("d"));
    // Scope 1: July's diesel, the second quarter's gas (not split into months) and the year's diesel (not split).
    let s1 = &b["figures"]["scope1"]["values"];
    assert_eq!(dec(&s1["2024-07"]), Decimal::from_str("3.095909637333").expect("d"));
    assert_eq!(dec(&s1["2024"]), Decimal::from_str("30.959096373333").expect("d"));
    assert_eq!(dec(&s1["2024-Q2"]), dec(&v["figures"]["scope1.natural_gas"]["value"]));
    assert_eq!(s1.as_object().expect("values").len(), 3, "{s1}");
    let e = &b["figures"]["energy.direct"]["values"];
    assert_eq!(dec(&e["2024-07"]), Decimal::from_str("1.4571").expect("d"));
    assert_eq!(dec(&e["2024"]), Decimal::from_str("14.571").expect("d"));
    // Every figure shown: its periods add up to it exactly, and it is the figure of the computation.
    let figures = b["figures"].as_object().expect("figures");
    assert!(figures.contains_key("total.market") && figures.contains_key("activity.electricity"));
    for (id, f) in figures {
        let sum: Decimal = f["values"].as_object().expect("values").values().map(dec).sum();
        assert_eq!(sum, dec(&f["total"]), "{id}");
        assert_eq!(dec(&f["total"]), dec(&v["figures"][id]["value"]), "{id}");
    }
    // Intensities are ratios to a yearly denominator: named, not shown.
    assert_eq!(b["not_shown"]["intensity.total.market"], "a ratio to a yearly denominator, not a sum of rows");
    assert!(!figures.contains_key("intensity.total.market"));
}

#[test]
fn figures_by_quarter_gather_the_months_and_keep_the_year_whole() {
    let dir = dir_with(LEDGER);
    let b = &json(dir.path(), "quarter")["by_period"];
    assert_eq!(b["granularity"], "quarter");
    assert_eq!(b["periods"], serde_json::json!(["2024-Q1", "2024-Q2", "2024-Q3", "2024-Q4", "2024"]));
    assert_eq!(b["not_split"], serde_json::json!(["2024"]));
    let loc = &b["figures"]["scope2.location"]["values"];
    assert_eq!(dec(&loc["2024-Q1"]), Decimal::from_str("166.6143").expect("d"));
    assert_eq!(loc.as_object().expect("values").len(), 1);
    let s1 = &b["figures"]["scope1"]["values"];
    assert_eq!(dec(&s1["2024-Q3"]), Decimal::from_str("3.095909637333").expect("d"));
    assert_eq!(dec(&s1["2024"]), Decimal::from_str("30.959096373333").expect("d"));
    assert!(s1.get("2024-Q4").is_none() && s1.get("2024-Q1").is_none(), "{s1}");
    // Without kept lines (`--no-lines`) the sums are the same: they are gathered as the lines are made.
    let r = run(dir.path(), &["--format", "json", "--by-period", "quarter", "--no-lines"]);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).expect("json");
    assert_eq!(v["lines"], serde_json::json!([]));
    assert_eq!(&v["by_period"], b);
}

#[test]
fn the_table_markdown_and_csv_show_the_periods_with_a_note_on_rows_not_split() {
    let dir = dir_with(LEDGER);
    let t = run(dir.path(), &["--by-period", "month"]).stdout;
    assert!(t.contains("by month (figures by the period of their ledger rows):"), "{t}");
    let header = t.lines().find(|l| l.trim_start().starts_with("figure") && l.contains("2024-01")).expect("header");
    assert!(header.ends_with("2024-12   2024-Q2  2024 whole year     total"), "{header}");
    let loc = t.lines().find(|l| l.trim_start().starts_with("scope2.location ") && l.contains("59.03")).expect("row");
    assert!(loc.contains("59.03    64.66    42.93        -"), "{loc}");
    assert!(loc.ends_with("166.61"), "{loc}");
    assert!(t.contains("A row dated by quarter or by year is not split into months"), "{t}");
    assert!(t.contains("Not split: 2024-Q2, 2024 whole year."), "{t}");
    assert!(t.contains("intensity.energy is not shown by period: a ratio to a yearly denominator"), "{t}");

    let md = run(dir.path(), &["--by-period", "quarter", "--format", "markdown"]).stdout;
    assert!(md.contains(
        "## By quarter\n\n| figure | unit | 2024-Q1 | 2024-Q2 | 2024-Q3 | 2024-Q4 | 2024 whole year | total |"
    ));
    assert!(md.contains("| `scope2.location` | tCO2e | 166.61 | - | - | - | - | 166.61 |"), "{md}");

    let csv = run(dir.path(), &["--by-period", "month", "--format", "csv"]).stdout;
    assert!(csv.contains("\nby_period.2024-01.scope2.location,59.026,tCO2e,\"59.03\"\n"), "{csv}");
    assert!(csv.contains("\nby_period.2024-Q2.scope1.natural_gas,"), "{csv}");
    assert!(csv.contains("\nby_period.2024.scope1.diesel,30.959096373333,tCO2e,\"30.96\"\n"), "{csv}");
    assert!(!csv.contains("by_period.2024-04."), "a month without rows has no row: {csv}");
    // Without the option, nothing changes.
    let plain = run(dir.path(), &["--format", "csv"]).stdout;
    assert!(!plain.contains("by_period"), "{plain}");
}

#[test]
fn the_workbook_has_a_sheet_by_month_and_the_html_a_chart_with_gaps_for_months_without_rows() {
    use calamine::{Data, Reader};
    let dir = dir_with(LEDGER);
    run(dir.path(), &["--by-period", "month", "--format", "xlsx", "-o", "r.xlsx"]);
    let mut wb: calamine::Xlsx<_> = calamine::open_workbook(dir.path().join("r.xlsx")).expect("opens");
    let rows: Vec<Vec<Data>> =
        wb.worksheet_range("By month").expect("By month sheet").rows().map(|r| r.to_vec()).collect();
    let header: Vec<String> = rows[0].iter().map(|d| d.to_string()).collect();
    assert_eq!(header[..3], ["figure", "unit", "2024-01"]);
    assert_eq!(header[header.len() - 3..], ["2024-Q2", "2024 whole year", "total"]);
    let loc = rows.iter().find(|r| r[0] == calamine::Data::String("scope2.location".into())).expect("row");
    assert_eq!(loc[2], Data::Float(59.026));
    assert_eq!(loc[5], Data::Empty, "April has no rows");
    assert_eq!(loc[loc.len() - 1], Data::Float(166.6143));
    // The same without kept lines: the digest is fed from the lines as they are made.
    run(dir.path(), &["--by-period", "month", "--format", "xlsx", "--no-lines", "-o", "n.xlsx"]);
    let mut wb: calamine::Xlsx<_> = calamine::open_workbook(dir.path().join("n.xlsx")).expect("opens");
    assert!(wb.worksheet_range("By month").is_ok());

    run(dir.path(), &["--by-period", "month", "--format", "html", "-o", "r.html"]);
    let html = std::fs::read_to_string(dir.path().join("r.html")).expect("html");
    assert!(html.contains("Scope 1 and scope 2 (location-based) by month"), "the chart");
    // The eight months without rows (April to June, August to December) are marked, not drawn as zeros.
    assert_eq!(html.matches("class=\"gap\"").count(), 8);
    assert!(html.contains("The chart draws the months only; the rows of 2024-Q2, 2024 whole year are in the table."));
    let zh = run(dir.path(), &["--by-period", "quarter", "--format", "html", "--lang", "zh", "-o", "zh.html"]);
    drop(zh);
    let zh = std::fs::read_to_string(dir.path().join("zh.html")).expect("html");
    assert!(zh.contains("按季度") && zh.contains("2024 全年"), "Chinese labels");
}

#[test]
fn a_ledger_without_monthly_rows_says_so_and_draws_no_chart() {
    let dir = dir_with("entity,period,activity,quantity,unit,region\nplant-a,2024,electricity,100,MWh,CN\n");
    let t = run(dir.path(), &["--by-period", "month"]).stdout;
    assert!(t.contains("No ledger row is dated by month."), "{t}");
    // The whole year is its one column (100 MWh x 0.5366 = 53.66), then the total.
    let section = t.split("by month (").nth(1).expect("the section");
    let words = |prefix: &str| -> Vec<String> {
        let l = section.lines().find(|l| l.trim_start().starts_with(prefix)).expect("a row");
        l.split_whitespace().map(str::to_string).collect()
    };
    assert_eq!(words("figure "), ["figure", "unit", "2024", "whole", "year", "total"]);
    assert_eq!(words("scope2.location "), ["scope2.location", "tCO2e", "53.66", "53.66"]);
    let v = json(dir.path(), "month");
    assert_eq!(v["by_period"]["periods"], serde_json::json!(["2024"]));
    run(dir.path(), &["--by-period", "month", "--format", "html", "-o", "r.html"]);
    let html = std::fs::read_to_string(dir.path().join("r.html")).expect("html");
    assert!(!html.contains("by month</title>"), "no chart of months when no row is dated by month");
    assert!(html.contains("No ledger row is dated by month."));
}

#[test]
fn a_certificate_deduction_is_shown_in_the_period_of_its_row() {
    // 100 MWh in each of January and February at 0.5856 tCO2/MWh (residual): 58.56 each; 50 MWh of certificates
    // for the year deduct 50 x 0.5856 = 29.28 in the whole-year column; 117.12 - 29.28 = 87.84.
    let dir = dir_with(
        "entity,period,activity,quantity,unit,region,instrument,vintage,certificate_id
plant,2024-01,electricity,100,MWh,CN,,,
plant,2024-02,electricity,100,MWh,CN,,,
plant,2024,certificate,50,MWh,CN,GEC,2024,G1
",
    );
    let v = json(dir.path(), "month");
    let m = &v["by_period"]["figures"]["scope2.market"];
    assert_eq!(dec(&m["values"]["2024-01"]), Decimal::from_str("58.56").expect("d"));
    assert_eq!(dec(&m["values"]["2024"]), Decimal::from_str("-29.28").expect("d"));
    assert_eq!(dec(&m["total"]), Decimal::from_str("87.84").expect("d"));
    let t = run(dir.path(), &["--by-period", "month"]).stdout;
    assert!(t.contains("A certificate's deduction from scope2.market is shown in the period of its certificate row"));
}
