//! Intensities per every denominator the inventory declares, and an inventory without emission choices: its
//! energy computed, its emissions listed as not computed. Every expected value is worked out by hand below.

use std::path::Path;

use rust_decimal::Decimal;

use crate::util::ghg_in;

/// The ledger of every case: 1,000 MWh of grid electricity in China in 2022 and 10 t of diesel.
const LEDGER: &str = "entity,period,activity,quantity,unit,region\nA,2022,electricity,1000,MWh,CN\n";

/// Grid and residual factor mee-grid@2022:grid.national = 0.5366 tCO2/MWh; GB/T 2589-2020 electricity (当量值)
/// 0.1229 tce/MWh. So: scope2 = total = 1000 x 0.5366 = 536.6 t; energy.total = 1000 x 0.1229 = 122.9 tce.
const INVENTORY: &str = r#"organisation = "Intensity test"
year = 2022
activity_files = ["ledger.csv"]
[denominators.revenue]
quantity = "500"
unit = "百万元"
[denominators.output]
quantity = "8000"
unit = "t"
[denominators.floor_area]
quantity = "20000"
unit = "平方米"
[denominators.headcount]
quantity = "250"
unit = "FTE"
[factors]
standard_coal = "gbt2589@2020"
grid = "mee-grid@2022"
residual = "mee-grid@2022:grid.national"
"#;

fn folder(inventory: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("inventory.toml"), inventory).expect("write");
    std::fs::write(dir.path().join("ledger.csv"), LEDGER).expect("write");
    dir
}

fn compute(dir: &Path) -> ghg::Computation {
    let inv = ghg::Inventory::load(&dir.join("inventory.toml")).expect("valid inventory");
    let lib = ghg::library_for(&inv, &[]).expect("library");
    ghg::calc::compute(&inv, &lib, ghg::calc::ComputeOptions::default()).expect("computes")
}

fn d(s: &str) -> Decimal {
    s.parse().expect("decimal")
}

#[test]
fn every_denominator_gives_its_own_intensities_in_its_unit() {
    let dir = folder(INVENTORY);
    let c = compute(dir.path());
    let emission_unit = c.figures["total.market"].unit.clone();
    let expect = [
        // Revenue keeps its ids and its per-million convention: 536.6 / 500 = 1.0732; 122.9 / 500 = 0.2458.
        ("intensity.total.location", "1.0732", format!("{emission_unit}/million CNY")),
        ("intensity.total.market", "1.0732", format!("{emission_unit}/million CNY")),
        ("intensity.energy", "0.2458", "tce/million CNY".to_string()),
        // Output 8,000 t: 536.6 / 8000 = 0.067075; 122.9 / 8000 = 0.0153625.
        ("intensity.total.location.per.output", "0.067075", format!("{emission_unit}/t")),
        ("intensity.total.market.per.output", "0.067075", format!("{emission_unit}/t")),
        ("intensity.energy.per.output", "0.0153625", "tce/t".to_string()),
        // Floor area 20,000 m2 (written 平方米): 536.6 / 20000 = 0.02683; 122.9 / 20000 = 0.006145.
        ("intensity.total.location.per.floor_area", "0.02683", format!("{emission_unit}/m2")),
        ("intensity.total.market.per.floor_area", "0.02683", format!("{emission_unit}/m2")),
        ("intensity.energy.per.floor_area", "0.006145", "tce/m2".to_string()),
        // Headcount 250 FTE: 536.6 / 250 = 2.1464; 122.9 / 250 = 0.4916.
        ("intensity.total.location.per.headcount", "2.1464", format!("{emission_unit}/FTE")),
        ("intensity.total.market.per.headcount", "2.1464", format!("{emission_unit}/FTE")),
        ("intensity.energy.per.headcount", "0.4916", "tce/FTE".to_string()),
    ];
    assert_eq!(c.figures["total.market"].value, d("536.6"));
    assert_eq!(c.figures["energy.total"].value, d("122.9"));
    for (id, value, unit) in &expect {
        let f = c.figures.get(*id).unwrap_or_else(|| panic!("{id} is computed"));
        assert_eq!((f.value, f.unit.as_str()), (d(value), unit.as_str()), "{id}");
    }
    // No `.per.revenue` alias: revenue's intensities are the ids without `.per.`.
    assert!(c.figures.keys().all(|k| !k.ends_with(".per.revenue")));
    let intensities = c.figures.keys().filter(|k| k.starts_with("intensity.")).count();
    assert_eq!(intensities, expect.len());
    // Canonical order: the revenue intensities, then the others by id, before the quantities.
    let ids = c.ordered_ids();
    let at = |id: &str| ids.iter().position(|x| *x == id).expect("listed");
    assert!(at("intensity.energy") < at("intensity.energy.per.floor_area"));
    assert!(at("intensity.total.market.per.output") < at("activity.electricity"));
}

#[test]
fn explain_writes_the_denominator_as_the_inventory_states_it() {
    let dir = folder(INVENTORY);
    let r = ghg_in(dir.path(), &["explain", "inventory.toml", "intensity.total.market.per.output"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("(full precision 0.067075)"), "{}", r.stdout);
    assert!(r.stdout.contains("formula: total.market / output (8000 t)\n"), "{}", r.stdout);
    let r = ghg_in(dir.path(), &["explain", "inventory.toml", "intensity.energy.per.floor_area"]);
    assert!(r.stdout.contains("formula: energy.total / floor_area (20000 m2)\n"), "{}", r.stdout);
    // Revenue's formula is as before.
    let r = ghg_in(dir.path(), &["explain", "inventory.toml", "intensity.energy"]);
    assert!(r.stdout.contains("formula: energy.total / revenue (500 million CNY)\n"), "{}", r.stdout);
}

#[test]
fn a_reported_intensity_per_output_is_reconciled_and_checked_against_its_parts() {
    let dir = folder(INVENTORY);
    let inv = std::fs::read_to_string(dir.path().join("inventory.toml")).expect("read");
    let inv = inv.replacen("activity_files", "reported = \"reported.toml\"\nactivity_files", 1);
    std::fs::write(dir.path().join("inventory.toml"), inv).expect("write");
    // 536.6 / 8000 = 0.067075, printed at 4 places: 0.0671. The printed ratio 536.6 / 8,000 = 0.067075 holds.
    std::fs::write(
        dir.path().join("reported.toml"),
        "[[figure]]\nid = \"total.market\"\nprinted = \"536.6 tCO2e\"\n\
         [[figure]]\nid = \"denominator.output\"\nprinted = \"8,000 t\"\n\
         [[figure]]\nid = \"intensity.total.market.per.output\"\nprinted = \"0.0671 tCO2e/t\"\n",
    )
    .expect("write");
    let r = ghg_in(dir.path(), &["reconcile", "inventory.toml", "--format", "json"]);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).expect("json");
    let text = v.to_string();
    assert!(text.contains("intensity.total.market.per.output = total.market / denominator.output"), "{text}");
    assert!(!text.contains("\"fails\""), "{text}");
}

#[test]
fn a_denominator_in_no_unit_an_intensity_can_be_per_is_refused_at_its_unit() {
    for (unit, dim) in [("%", "ratio"), ("tCO2e", "CO2e emissions"), ("吨标煤", "standard coal")] {
        let dir = folder(&INVENTORY.replace("unit = \"FTE\"", &format!("unit = \"{unit}\"")));
        let r = ghg_in(dir.path(), &["compute", "inventory.toml"]);
        assert_eq!(r.code, 2, "{unit}");
        assert_eq!(
            r.stderr,
            format!(
                "error: inventory.toml:15:8: denominator 'headcount' is in '{unit}' ({dim}): no intensity is made per \
                 {dim} (write output in t, m3, MWh or pieces, floor area in m2, headcount in FTE or persons)\n"
            )
        );
    }
    let dir = folder(&INVENTORY.replace("[denominators.headcount]", "[denominators.Head-count]"));
    let r = ghg_in(dir.path(), &["compute", "inventory.toml"]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.starts_with(
            "error: inventory.toml:13:15: denominator name 'Head-count' cannot be part of a figure id (use lower-case"
        ),
        "{}",
        r.stderr
    );
}

#[test]
fn an_inventory_without_emission_choices_computes_energy_and_lists_emissions_as_not_computed() {
    // Only standard_coal: 1000 MWh x 0.1229 tce/MWh = 122.9 tce; per output 122.9 / 8000 = 0.0153625 tce/t.
    let inv =
        INVENTORY.replace("grid = \"mee-grid@2022\"\n", "").replace("residual = \"mee-grid@2022:grid.national\"\n", "");
    let dir = folder(&inv);
    let c = compute(dir.path());
    assert_eq!(c.figures["energy.total"].value, d("122.9"));
    assert_eq!(c.figures["intensity.energy"].value, d("0.2458"));
    assert_eq!(c.figures["intensity.energy.per.output"].value, d("0.0153625"));
    for id in ["scope1", "scope2.location", "scope2.market", "total.location", "total.market"] {
        assert!(!c.figures.contains_key(id), "{id} is not computed, not 0");
        assert!(!c.figures.contains_key(&format!("intensity.{id}.per.output")), "{id}");
    }
    assert!(!c.figures.contains_key("intensity.total.market"));
    let reason = "no emission factor choice (combustion, non_co2, gwp, grid, heat, residual, mobile, process, scope3): scope1, scope2.location, \
                  scope2.market, total.location, total.market and their intensities are not computed; energy is";
    let w: Vec<(&str, &str)> = c.warnings.iter().map(|w| (w.code, w.message.as_str())).collect();
    assert_eq!(w, [("no-emission-choices", reason)]);
    // Every format states it: on stdout for table, markdown and JSON, on stderr beside CSV.
    for format in ["table", "markdown", "json"] {
        let r = ghg_in(dir.path(), &["compute", "inventory.toml", "--format", format]);
        assert_eq!(r.code, 0, "{format}: {}", r.stderr);
        assert!(r.stdout.contains(reason), "{format}: {}", r.stdout);
    }
    let r = ghg_in(dir.path(), &["compute", "inventory.toml", "--format", "csv"]);
    assert_eq!(r.code, 0);
    assert!(r.stderr.contains(&format!("warning: [no-emission-choices] {reason}")), "{}", r.stderr);
}

#[test]
fn an_inventory_with_no_choices_at_all_still_computes_its_quantities() {
    let dir = folder("organisation = \"Nothing chosen\"\nyear = 2022\nactivity_files = [\"ledger.csv\"]\n[factors]\n");
    let c = compute(dir.path());
    assert_eq!(c.figures["electricity.total"].value, d("1000"));
    assert!(!c.figures.contains_key("energy.total") && !c.figures.contains_key("scope2.location"));
    let codes: Vec<&str> = c.warnings.iter().map(|w| w.code).collect();
    assert_eq!(codes, ["no-revenue", "no-standard-coal", "no-emission-choices"]);
    assert!(c.warnings[2].message.ends_with("are not computed"), "{}", c.warnings[2].message);
}

#[test]
fn without_revenue_the_warning_names_the_intensities_that_are_computed() {
    let dir = folder(&INVENTORY.replace("[denominators.revenue]\nquantity = \"500\"\nunit = \"百万元\"\n", ""));
    let c = compute(dir.path());
    assert!(!c.figures.contains_key("intensity.energy"));
    assert_eq!(c.figures["intensity.energy.per.headcount"].value, d("0.4916"));
    let w = c.warnings.iter().find(|w| w.code == "no-revenue").expect("warned");
    assert_eq!(
        w.message,
        "no [denominators.revenue] in money: intensity.total.location, intensity.total.market and intensity.energy \
         are not computed (the intensities per output, floor_area, headcount are)"
    );
}

#[test]
fn an_intensity_beyond_28_digits_is_an_error_at_its_denominator_never_absent() {
    // 10^20 MWh x 0.5366 = 5.366 x 10^19 t fits; divided by 10^-10 t it is 5.366 x 10^29, beyond the largest
    // decimal (about 7.9 x 10^28). total.location is the first intensity made per output.
    let inv = INVENTORY.replace("quantity = \"8000\"", "quantity = \"0.0000000001\"");
    let dir = folder(&inv);
    std::fs::write(
        dir.path().join("ledger.csv"),
        "entity,period,activity,quantity,unit,region\nA,2022,electricity,100000000000000000000,MWh,CN\n",
    )
    .expect("write");
    let r = ghg_in(dir.path(), &["compute", "inventory.toml"]);
    assert_eq!(r.code, 2, "{}", r.stdout);
    assert_eq!(
        r.stderr,
        "error: inventory.toml:8:12: intensity.total.location.per.output = total.location / output overflows 28 \
         significant digits (write output in a larger unit)\n"
    );
}

#[test]
fn the_intensity_demo_example_gives_the_values_its_readme_works_out() {
    let c = compute(&crate::util::root().join("examples/intensity-demo"));
    // energy.total = 20 t x 1.4571 + 2400 MWh x 0.1229 = 29.142 + 294.96 = 324.102 tce.
    assert_eq!(c.figures["energy.total"].value, d("324.102"));
    // 324.102 / 6000 = 0.054017; / 15000 = 0.0216068; / 120 = 2.70085.
    assert_eq!(c.figures["intensity.energy.per.output"].value, d("0.054017"));
    assert_eq!(c.figures["intensity.energy.per.floor_area"].value, d("0.0216068"));
    assert_eq!(c.figures["intensity.energy.per.headcount"].value, d("2.70085"));
    // total.market = 20 x 42.652 x 0.0202 x 0.98 x 44/12 + 2400 x 0.5366 = 61.918192746667 + 1287.84.
    assert_eq!(c.figures["total.market"].value, d("1349.758192746667"));
    // 1349.758192746667 / 6000 = 0.224959698791111166..., / 120 = 11.247984939555558333...
    let at6 = |id: &str| c.figures[id].value.round_dp(6);
    assert_eq!(at6("intensity.total.market.per.output"), d("0.224960"));
    assert_eq!(at6("intensity.total.location.per.headcount"), d("11.247985"));
    assert_eq!(at6("intensity.total.market.per.floor_area"), d("0.089984"));
    assert!(c.warnings.is_empty(), "{:?}", c.warnings);
}
