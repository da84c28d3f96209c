//! Uncertainty: factor files and an inventory's `[uncertainty]` table give inputs a 95 % interval or a
//! distribution; `--uncertainty approach1|approach2` gives every figure an interval. Two scope 3 rows with test
//! factors (round numbers), so that every interval is checked by hand in its comment.

use std::path::Path;
use std::str::FromStr;

use rust_decimal::Decimal;

use crate::util::ghg_in;

fn d(s: &str) -> Decimal {
    Decimal::from_str(s).expect("decimal")
}

/// Two scope 3 activities and their factors; `air` and `rail` are the factors' `uncertainty` lines (or "").
fn set(air: &str, rail: &str) -> String {
    format!(
        "[set]\nid = \"u-test\"\nedition = \"2024\"\ntitle = \"Uncertainty test factors\"\npublisher = \"Test\"\n\
         published = \"unknown\"\nsource = \"test values, round numbers\"\nlicence = \"test\"\nconfidence = \"B\"\n\n\
         [[activity]]\nid = \"u_air\"\nname = \"Flights\"\ncategory = \"scope3.cat6\"\n\
         dimensions = [\"passenger_distance\"]\nunit = \"passenger-km\"\n\n\
         [[activity]]\nid = \"u_rail\"\nname = \"Rail\"\ncategory = \"scope3.cat6\"\n\
         dimensions = [\"passenger_distance\"]\nunit = \"passenger-km\"\n\n\
         [[factor]]\nid = \"air\"\nactivity = \"u_air\"\nregion = \"GLOBAL\"\ngas = \"CO2e\"\nvalue = \"0.15\"\n\
         unit = \"kgCO2e/passenger-km\"\ncitation = \"test\"\nconfidence = \"B\"\nvalid_years = \"any\"\n{air}\n\n\
         [[factor]]\nid = \"rail\"\nactivity = \"u_rail\"\nregion = \"GLOBAL\"\ngas = \"CO2e\"\nvalue = \"0.05\"\n\
         unit = \"kgCO2e/passenger-km\"\ncitation = \"test\"\nconfidence = \"B\"\nvalid_years = \"any\"\n{rail}\n"
    )
}

/// 20,000 passenger-km by air (x 0.15 kg = 3 t) and 10,000 by rail (x 0.05 kg = 0.5 t): scope3.cat6 = 3.5 t.
const LEDGER: &str = "entity,period,activity,quantity,unit,region\nco,2024,u_air,20000,passenger-km,GB\n\
                      co,2024,u_rail,10000,passenger-km,GB\n";

/// A folder with the factor set, the ledger and an inventory ending with `extra` (an `[uncertainty]` table).
fn folder(factors: &str, extra: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    let p = dir.path();
    std::fs::create_dir(p.join("f")).expect("mkdir");
    std::fs::write(p.join("f/u-test-2024.toml"), factors).expect("write");
    std::fs::write(
        p.join("inventory.toml"),
        format!(
            "organisation = \"Test\"\nyear = 2024\nactivity_files = [\"ledger.csv\"]\nfactor_paths = [\"f\"]\n\
             [factors]\nscope3 = \"u-test@2024\"\ngwp = \"ipcc-gwp@AR5\"\n{extra}"
        ),
    )
    .expect("write inventory");
    std::fs::write(p.join("ledger.csv"), LEDGER).expect("write ledger");
    dir
}

fn json(dir: &Path, extra: &[&str]) -> serde_json::Value {
    let mut args = vec!["compute", "inventory.toml", "--format", "json"];
    args.extend_from_slice(extra);
    let r = ghg_in(dir, &args);
    assert_eq!(r.code, 0, "{}", r.stderr);
    serde_json::from_str(&r.stdout).expect("JSON")
}

fn field(v: &serde_json::Value, id: &str, key: &str) -> Decimal {
    d(v["figures"][id]["uncertainty"][key].as_str().unwrap_or_else(|| panic!("{id}.{key}: {}", v["figures"][id])))
}

const ACTIVITIES_5: &str = "[uncertainty.activity]\nu_air = \"5%\"\nu_rail = \"5%\"\n";

#[test]
fn approach1_combines_equations_3_1_and_3_2_by_hand() {
    let dir = folder(&set("uncertainty = { low = \"-10%\", high = \"+10%\" }", "uncertainty = \"20%\""), ACTIVITIES_5);
    let v = json(dir.path(), &["--uncertainty", "approach1"]);
    // Central values never move.
    assert_eq!(d(v["figures"]["scope3.cat6"]["value"].as_str().unwrap()), d("3.5"));
    // Eq. 3.2, each line a product: air sqrt(10^2 + 5^2) = 11.180340 %, of 3 t = 0.335410 t; rail sqrt(20^2 + 5^2)
    // = 20.615528 %, of 0.5 t = 0.103078 t. Eq. 3.1, the sum: sqrt(9 x 0.0125 + 0.25 x 0.0425) = sqrt(0.123125)
    // = 0.350891721 t, i.e. 10.0255 % of 3.5 t.
    assert_eq!(field(&v, "scope3.cat6", "lower").round_dp(6), d("3.149108"));
    assert_eq!(field(&v, "scope3.cat6", "upper").round_dp(6), d("3.850892"));
    assert_eq!(field(&v, "scope3.cat6", "plus_percent"), d("10.0255"));
    assert_eq!(field(&v, "scope3.cat6", "minus_percent"), d("10.0255"));
    assert_eq!(v["figures"]["scope3.cat6"]["uncertainty"]["approach"], "approach1");
    // The activity figure carries the activity's 5 % only: 20,000 x 1.05.
    assert_eq!(field(&v, "activity.u_air", "upper"), d("21000"));
    assert_eq!(v["figures"]["activity.u_air"]["uncertainty"]["not_covered"], serde_json::json!([]));
}

#[test]
fn an_asymmetric_interval_is_propagated_side_by_side_and_what_is_missing_is_said() {
    // Air -5 % / +15 %, rail without uncertainty (listed as not covered), activities exact (listed too).
    let dir = folder(&set("uncertainty = { low = \"-5%\", high = \"+15%\" }", ""), "");
    let v = json(dir.path(), &["--uncertainty", "approach1"]);
    // 3 t: -0.15 / +0.45; rail adds nothing.
    assert_eq!(field(&v, "scope3.cat6", "lower"), d("3.35"));
    assert_eq!(field(&v, "scope3.cat6", "upper"), d("3.95"));
    assert_eq!(
        v["figures"]["scope3.cat6"]["uncertainty"]["not_covered"],
        serde_json::json!(["activity u_air", "activity u_rail", "factor u-test@2024:rail"])
    );
}

#[test]
fn an_inventory_factor_uncertainty_wins_over_the_files_and_shows_in_table_csv_markdown_and_explain() {
    let dir = folder(
        &set("uncertainty = \"50%\"", ""),
        "[uncertainty.factor]\n\"u-test@2024:air\" = { low = \"-10%\", high = \"+10%\", source = \"test source\" }\n",
    );
    let t = ghg_in(dir.path(), &["compute", "inventory.toml", "--uncertainty", "approach1"]);
    assert_eq!(t.code, 0, "{}", t.stderr);
    // 3 t x 10 % = 0.3 (not the file's 50 %).
    assert!(t.stdout.contains("scope3.cat6            3.50 [3.20 .. 3.80] tCO2e  -8.57% / +8.57%  (not covered: activity u_air, activity u_rail, \
         factor u-test@2024:rail)"), "{}", t.stdout);
    assert!(
        t.stdout.contains("factor u-test@2024:air: 95 % interval -10% / +10% (declared at inventory.toml:9:"),
        "{}",
        t.stdout
    );
    assert!(t.stdout.contains("; source: test source"), "{}", t.stdout);
    // A figure of no lines is exact: its half-widths in its unit.
    assert!(t.stdout.contains("  scope1                 0.00 [0.00 .. 0.00] tCO2e  -0.00 / +0.00\n"), "{}", t.stdout);
    let m = ghg_in(dir.path(), &["compute", "inventory.toml", "--uncertainty", "approach1", "--format", "markdown"]);
    assert!(m.stdout.contains("| `scope3.cat6` | 3.50 | 3.20 | 3.80 | -8.57% / +8.57% |"), "{}", m.stdout);
    let c = ghg_in(dir.path(), &["compute", "inventory.toml", "--uncertainty", "approach1", "--format", "csv"]);
    assert!(c.stdout.contains("scope3.cat6.uncertainty.lower,3.2,tCO2e,\"3.20\"\n"), "{}", c.stdout);
    assert!(c.stdout.contains("scope3.cat6.uncertainty.upper,3.8,tCO2e,\"3.80\"\n"), "{}", c.stdout);
    let e = ghg_in(dir.path(), &["explain", "inventory.toml", "scope3.cat6", "--uncertainty", "approach1"]);
    assert_eq!(e.code, 0, "{}", e.stderr);
    assert!(
        e.stdout.contains("uncertainty: 95 % interval [3.20 .. 3.80] tCO2e, -8.57% / +8.57% (IPCC 2006"),
        "{}",
        e.stdout
    );
    let ej = ghg_in(
        dir.path(),
        &["explain", "inventory.toml", "scope3.cat6", "--format", "json", "--uncertainty", "approach1"],
    );
    let ej: serde_json::Value = serde_json::from_str(&ej.stdout).expect("JSON");
    assert_eq!((ej["uncertainty"]["lower"].as_str(), ej["uncertainty"]["upper"].as_str()), (Some("3.2"), Some("3.8")));
    // Without the flag nothing changes: no section, no key.
    let plain = ghg_in(dir.path(), &["compute", "inventory.toml"]);
    assert!(!plain.stdout.contains("uncertainty"), "{}", plain.stdout);
}

#[test]
fn approach2_is_reproducible_and_agrees_with_approach1_on_a_linear_case() {
    // Activities exact: the figure is linear in the two factors (3 t ± 10 %, 0.5 t ± 20 %, normal).
    let dir =
        folder(&set("uncertainty = \"10%\"", "uncertainty = { distribution = \"normal\", sd = \"10.204%\" }"), "");
    let args = ["compute", "inventory.toml", "--format", "json", "--uncertainty", "approach2", "--seed", "42"];
    let a = ghg_in(dir.path(), &[&args[..], &["--draws", "20000"]].concat());
    let b = ghg_in(dir.path(), &[&args[..], &["--draws", "20000"]].concat());
    assert_eq!(a.code, 0, "{}", a.stderr);
    assert_eq!(a.stdout, b.stdout, "the same seed gives the same bytes");
    let other = ghg_in(
        dir.path(),
        &[
            "compute",
            "inventory.toml",
            "--format",
            "json",
            "--uncertainty",
            "approach2",
            "--seed",
            "43",
            "--draws",
            "20000",
        ],
    );
    assert_ne!(a.stdout, other.stdout, "another seed gives other draws");
    let v: serde_json::Value = serde_json::from_str(&a.stdout).expect("JSON");
    assert_eq!(d(v["figures"]["scope3.cat6"]["value"].as_str().unwrap()), d("3.5"));
    assert_eq!(v["figures"]["scope3.cat6"]["uncertainty"]["seed"], 42);
    // Approach 1: sqrt((3 x 0.10)^2 + (0.5 x 1.96 x 0.10204)^2) = sqrt(0.09 + 0.0100) = 0.3162 t.
    let one = json(dir.path(), &["--uncertainty", "approach1"]);
    let h1 = field(&one, "scope3.cat6", "upper") - d("3.5");
    assert_eq!(h1.round_dp(4), d("0.3162"));
    let (lo, hi) = (field(&v, "scope3.cat6", "lower"), field(&v, "scope3.cat6", "upper"));
    for (h2, side) in [(d("3.5") - lo, "lower"), (hi - d("3.5"), "upper")] {
        let rel = ((h2 - h1) / h1).abs();
        assert!(rel < d("0.03"), "{side} half-width {h2} vs approach 1 {h1}");
    }
}

fn error_of(dir: &Path, extra: &[&str]) -> String {
    let mut args = vec!["compute", "inventory.toml", "--uncertainty", "approach1"];
    args.extend_from_slice(extra);
    let r = ghg_in(dir, &args);
    assert_eq!(r.code, 2, "stdout: {}\nstderr: {}", r.stdout, r.stderr);
    r.stderr
}

/// The line of `needle` in the factor file (1-based).
fn line_of(text: &str, needle: &str) -> usize {
    text.lines().position(|l| l.contains(needle)).expect("needle") + 1
}

#[test]
fn a_distribution_without_its_parameters_is_a_located_error() {
    let text = set(
        "uncertainty = { distribution = \"normal\" }",
        "uncertainty = { distribution = \"uniform\", low = \"-5%\" }",
    );
    let dir = folder(&text, "");
    let e = error_of(dir.path(), &[]);
    let n = line_of(&text, "\"normal\"");
    assert!(
        e.contains(&format!(
            "u-test-2024.toml:{n}:15: uncertainty of [[factor]] #1: distribution \"normal\" needs sd (its standard deviation)"
        )),
        "{e}"
    );
    assert!(e.contains("add sd = \"2.5%\""), "{e}");
    let n = line_of(&text, "\"uniform\"");
    assert!(
        e.contains(&format!(
            "u-test-2024.toml:{n}:15: uncertainty of [[factor]] #2: distribution \"uniform\" needs high"
        )),
        "{e}"
    );
}

#[test]
fn malformed_uncertainties_are_located_errors() {
    let text = set(
        "uncertainty = { distribution = \"lognormal\", sd = \"5%\" }",
        "uncertainty = { low = \"5%\", high = \"+5%\", spread = \"x\" }",
    );
    let dir = folder(&text, "");
    let e = error_of(dir.path(), &[]);
    assert!(e.contains("uncertainty of [[factor]] #1: unknown distribution \"lognormal\""), "{e}");
    assert!(e.contains("distributions: normal (sd), uniform (low, high), triangular (low, high)"), "{e}");
    assert!(e.contains("unknown key 'spread' in uncertainty of [[factor]] #2"), "{e}");
    // A percentage without % and a low end above 0.
    let dir = folder(&set("uncertainty = \"5\"", "uncertainty = { low = \"5%\", high = \"+5%\" }"), "");
    let e = error_of(dir.path(), &[]);
    assert!(
        e.contains("uncertainty of [[factor]] #1: \"5\" is not a percentage (write it with %, e.g. \"5%\")"),
        "{e}"
    );
    assert!(e.contains("uncertainty of [[factor]] #2: low must be from 0% down to above -100%, found 5%"), "{e}");
}

#[test]
fn an_inventory_naming_what_is_not_there_is_a_located_error() {
    let dir = folder(
        &set("", ""),
        "[uncertainty.activity]\nu_bus = \"5%\"\n[uncertainty.factor]\n\"u-test@2024:bus\" = \"5%\"\n\"u-test\" = \"5%\"\n",
    );
    let e = error_of(dir.path(), &[]);
    assert!(e.contains("inventory.toml:12:1: [uncertainty.factor] key \"u-test\" does not name one factor"), "{e}");
    // The other two once the file parses.
    let dir = folder(
        &set("", ""),
        "[uncertainty.activity]\nu_bus = \"5%\"\n[uncertainty.factor]\n\"u-test@2024:bus\" = \"5%\"\n",
    );
    let e = error_of(dir.path(), &[]);
    assert!(e.contains("inventory.toml:9:1: [uncertainty.activity] names 'u_bus', which no ledger row has"), "{e}");
    assert!(e.contains("inventory.toml:11:1: [uncertainty.factor] names u-test@2024:bus"), "{e}");
}

#[test]
fn seed_and_draws_belong_to_approach2() {
    let dir = folder(&set("", ""), "");
    let e = error_of(dir.path(), &["--seed", "3"]);
    assert!(e.contains("--seed and --draws belong to --uncertainty approach2"), "{e}");
    let r = ghg_in(dir.path(), &["compute", "inventory.toml", "--uncertainty", "approach2", "--draws", "5"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
}

#[test]
fn the_seed_2024_with_its_sourced_default_uncertainties() {
    let inv = "examples/hikvision-2024-uncertainty/inventory.toml";
    let r = crate::util::ghg(&["compute", inv, "--format", "json", "--uncertainty", "approach1"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).expect("JSON");
    // The seed's central values, untouched.
    let seed = crate::util::ghg(&["compute", "examples/hikvision-2024/inventory.toml", "--format", "json"]);
    let s: serde_json::Value = serde_json::from_str(&seed.stdout).expect("JSON");
    for (id, f) in s["figures"].as_object().expect("figures") {
        assert_eq!(v["figures"][id]["value"], f["value"], "{id}");
    }
    // Gasoline: row ±5 %, factor -4.0632 % / +1.1287 % (IPCC NCV range): -sqrt(4.0632^2 + 25) = -6.4428 %,
    // +sqrt(1.1287^2 + 25) = +5.1258 %.
    assert_eq!(field(&v, "scope1.gasoline", "minus_percent").round_dp(2), d("6.44"));
    assert_eq!(field(&v, "scope1.gasoline", "plus_percent").round_dp(2), d("5.13"));
    // Scope 1, the three fuels in quadrature (README.md of the example): 600.885 below, 643.616 above.
    assert_eq!(field(&v, "scope1", "lower").round_dp(2), d("13644.53"));
    assert_eq!(field(&v, "scope1", "upper").round_dp(2), d("14889.03"));
    // The grid factor's uncertainty was not found: scope 2 is said to leave it out, never silently exact.
    assert_eq!(field(&v, "scope2.location", "lower"), field(&v, "scope2.location", "upper"));
    assert_eq!(
        v["figures"]["scope2.location"]["uncertainty"]["not_covered"],
        serde_json::json!(["activity electricity", "factor mee-grid@2022:grid.national"])
    );
    // Approach 2 with the seed of the README, twice: the same bytes, and the README's scope 1 interval.
    let a2 = ["compute", inv, "--uncertainty", "approach2", "--seed", "2024"];
    let (x, y) = (crate::util::ghg(&a2), crate::util::ghg(&a2));
    assert_eq!(x.stdout, y.stdout);
    assert!(
        x.stdout.contains("scope1                    14,245.41 [13,634.40 .. 14,870.22] tCO2e  -4.29% / +4.39%"),
        "{}",
        x.stdout
    );
}

#[test]
fn a_factor_moves_every_row_it_prices_together_while_rows_vary_apart() {
    let dir = folder(&set("uncertainty = \"10%\"", ""), "[uncertainty.activity]\nu_air = \"5%\"\n");
    std::fs::write(
        dir.path().join("ledger.csv"),
        "entity,period,activity,quantity,unit,region\nco,2024,u_air,10000,passenger-km,GB\n\
         co,2024,u_air,10000,passenger-km,GB\n",
    )
    .expect("write ledger");
    let v = json(dir.path(), &["--uncertainty", "approach1"]);
    // Two rows of 1.5 t priced by one factor: the factor's 10 % applies to their sum, 0.3 t (not sqrt(2) x 0.15 as
    // if independent); each row's 5 % is its own: sqrt(0.3^2 + 0.075^2 + 0.075^2) = sqrt(0.10125) = 0.318198 t.
    assert_eq!(field(&v, "scope3.cat6", "upper").round_dp(6), d("3.318198"));
    // The activity figure of 20,000 pkm: each row 5 % of 10,000 = 500 pkm, apart:
    // sqrt(2) x 500 = 707.106781.
    assert_eq!(field(&v, "activity.u_air", "upper").round_dp(6), d("20707.106781"));
}

/// The row of figure `id` on sheet `sheet` of the workbook at `path`, as the cells calamine reads.
fn sheet_row(path: &Path, sheet: &str, id: &str) -> Vec<calamine::Data> {
    use calamine::Reader;
    let mut wb: calamine::Xlsx<_> = calamine::open_workbook(path).expect("opens");
    let range = wb.worksheet_range(sheet).unwrap_or_else(|e| panic!("sheet {sheet}: {e}"));
    range
        .rows()
        .find(|r| r.first() == Some(&calamine::Data::String(id.into())))
        .unwrap_or_else(|| panic!("no row {id} on {sheet}"))
        .to_vec()
}

fn text(c: &calamine::Data) -> String {
    match c {
        calamine::Data::String(s) => s.clone(),
        other => panic!("not text: {other:?}"),
    }
}

fn number(c: &calamine::Data) -> f64 {
    match c {
        calamine::Data::Float(x) => *x,
        calamine::Data::Int(x) => *x as f64,
        other => panic!("not a number: {other:?}"),
    }
}

#[test]
fn the_workbook_and_the_html_show_each_interval_beside_its_figure_as_the_json_has_it() {
    // Air -5 % / +15 % (3 t: -0.15 / +0.45), rail and the activities exact and named as not covered.
    let dir = folder(&set("uncertainty = { low = \"-5%\", high = \"+15%\" }", ""), "");
    let p = dir.path();
    for method in
        [&["--uncertainty", "approach1"][..], &["--uncertainty", "approach2", "--seed", "7", "--draws", "2000"]]
    {
        let v = json(p, method);
        let lower = v["figures"]["scope3.cat6"]["uncertainty"]["lower"].as_str().expect("lower").to_string();
        let upper = v["figures"]["scope3.cat6"]["uncertainty"]["upper"].as_str().expect("upper").to_string();
        if method[1] == "approach1" {
            assert_eq!((d(&lower), d(&upper)), (d("3.35"), d("3.95")));
        }
        let mut args = vec!["compute", "inventory.toml", "--format", "xlsx", "--output", "r.xlsx"];
        args.extend_from_slice(method);
        let r = ghg_in(p, &args);
        assert_eq!(r.code, 0, "{}", r.stderr);
        let row = sheet_row(&p.join("r.xlsx"), "Uncertainty", "scope3.cat6");
        // value, lower, upper as numbers; the exact decimals as text beside; what is counted exact.
        assert_eq!(number(&row[2]), 3.5);
        assert_eq!(number(&row[3]), lower.parse::<f64>().expect("f64"));
        assert_eq!(number(&row[4]), upper.parse::<f64>().expect("f64"));
        assert_eq!(text(&row[5]), "tCO2e");
        assert_eq!((text(&row[8]), text(&row[9])), (lower.clone(), upper.clone()));
        assert_eq!(text(&row[10]), "activity u_air, activity u_rail, factor u-test@2024:rail");
        let input = sheet_row(&p.join("r.xlsx"), "Uncertain inputs", "factor u-test@2024:air");
        assert_eq!(text(&input[1]), "95 % interval -5% / +15%");
        assert!(text(&input[2]).starts_with("f/u-test-2024.toml:"), "{input:?}");
        // The Summary sheet is as it was: the interval has its own sheet.
        let summary = sheet_row(&p.join("r.xlsx"), "Summary", "scope3.cat6");
        assert_eq!(text(&summary[4]), "3.5");

        let mut args = vec!["compute", "inventory.toml", "--format", "html"];
        args.extend_from_slice(method);
        let h = ghg_in(p, &args);
        assert_eq!(h.code, 0, "{}", h.stderr);
        let at = h.stdout.find(">Uncertainty<").unwrap_or_else(|| panic!("no section: {}", h.stdout));
        let section = &h.stdout[at..];
        let row_at = section.find(">scope3.cat6<").expect("the figure's row");
        let row = &section[row_at..row_at + section[row_at..].find("</tr>").expect("row end")];
        assert!(row.contains(&format!(">{lower}<")) && row.contains(&format!(">{upper}<")), "{row}");
        assert!(row.contains("activity u_air, activity u_rail, factor u-test@2024:rail"), "{row}");
        assert!(section.contains("95 % interval -5% / +15%"), "{section}");
        let how = if method[1] == "approach1" { "Approach 1 (error propagation" } else { "2000 draws, seed 7" };
        assert!(section.contains(how), "{section}");
    }
    // Without the flag neither shows a word of it.
    let r = ghg_in(p, &["compute", "inventory.toml", "--format", "html"]);
    assert!(!r.stdout.contains(">Uncertainty<") && !r.stdout.contains("95 % interval"), "{}", r.stdout);
    let r = ghg_in(p, &["compute", "inventory.toml", "--format", "xlsx", "--output", "plain.xlsx"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    use calamine::Reader;
    let wb: calamine::Xlsx<_> = calamine::open_workbook(p.join("plain.xlsx")).expect("opens");
    assert!(!wb.sheet_names().iter().any(|s| s.starts_with("Uncertain")), "{:?}", wb.sheet_names());
}
