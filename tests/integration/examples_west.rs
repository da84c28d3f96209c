//! The UK council and US facility examples: their figures against hand computations (exact decimals, worked in each
//! example's README), and the bad inputs a user of each would meet, each a located error with exit code 2.

use std::path::Path;

use crate::util::{Run, ghg, ghg_in, golden, root};

const UK: &str = "examples/uk-council-2024/inventory.toml";
const US: &str = "examples/us-facility-2024/inventory.toml";

fn json(inventory: &str) -> serde_json::Value {
    let r = ghg(&["compute", inventory, "--format", "json"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    serde_json::from_str(&r.stdout).expect("valid JSON")
}

fn figure<'a>(v: &'a serde_json::Value, id: &str) -> &'a serde_json::Value {
    let f = &v["figures"][id];
    assert!(f.is_object(), "figure {id} is computed: {}", v["figures"]);
    f
}

/// Assert figures exactly: (id, value as printed by JSON, unit).
fn assert_figures(v: &serde_json::Value, expected: &[(&str, &str, &str)]) {
    for (id, value, unit) in expected {
        let f = figure(v, id);
        assert_eq!(f["value"].as_str(), Some(*value), "{id}");
        assert_eq!(f["unit"].as_str(), Some(*unit), "{id}");
    }
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for e in std::fs::read_dir(from).expect("dir").filter_map(|e| e.ok()) {
        let p = e.path();
        if p.is_dir() {
            copy_dir(&p, &to.join(e.file_name()));
        } else {
            std::fs::copy(&p, to.join(e.file_name())).expect("copy");
        }
    }
}

/// A copy of an example in a temporary folder, changed by `edit`, computed there with `args` after the inventory.
fn compute_changed_with(example: &str, args: &[&str], edit: impl FnOnce(&Path)) -> Run {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path().join(example);
    copy_dir(&root().join("examples").join(example), &d);
    edit(&d);
    let mut all = vec!["compute", "inventory.toml"];
    all.extend_from_slice(args);
    ghg_in(&d, &all)
}

fn compute_changed(example: &str, edit: impl FnOnce(&Path)) -> Run {
    compute_changed_with(example, &[], edit)
}

fn append(path: &Path, line: &str) {
    let mut text = std::fs::read_to_string(path).expect("read");
    text.push_str(line);
    text.push('\n');
    std::fs::write(path, text).expect("write");
}

fn replace(path: &Path, from: &str, to: &str) {
    let text = std::fs::read_to_string(path).expect("read");
    assert!(text.contains(from), "{} contains {from}", path.display());
    std::fs::write(path, text.replace(from, to)).expect("write");
}

/// A refused input: exit 2, nothing on stdout, one error at `at` saying each of `says`.
fn assert_refused(r: &Run, at: &str, says: &[&str]) {
    assert_eq!(r.code, 2, "stdout: {}\nstderr: {}", r.stdout, r.stderr);
    assert!(r.stdout.is_empty(), "{}", r.stdout);
    assert!(r.stderr.starts_with(&format!("error: {at}: ")), "{}", r.stderr);
    for s in says {
        assert!(r.stderr.contains(s), "expected {s:?} in: {}", r.stderr);
    }
}

#[test]
fn uk_council_figures_match_the_hand_computation() {
    let v = json(UK);
    // By hand (kg CO2e = quantity x DESNZ 2024 factor; / 1000 for t):
    // natural gas  (1,480,000 + 2,770,000) kWh x 0.1829 kgCO2e/kWh = 777,325 kg             -> 777.325
    // diesel       182,500 L x 2.51279 kgCO2e/L = 458,584.175 kg                           -> 458.584175
    // scope 1      777.325 + 458.584175                                                     = 1,235.909175
    // electricity  (1,265,000 + 1,915,000) kWh x 0.20705 kgCO2e/kWh = 658,419 kg            -> 658.419
    // total        1,235.909175 + 658.419                                                   = 1,894.328175
    // grey fleet   412,000 mi x 0.2686 kgCO2e/mi = 110,663.2 kg                             -> 110.6632 (scope 3 cat 6)
    // per m2       1,894.328175 / 18,400 = 0.10295261820652173913043478260869...            (28 significant digits)
    assert_figures(
        &v,
        &[
            ("scope1.natural_gas", "777.325", "tCO2e"),
            ("scope1.stationary", "777.325", "tCO2e"),
            ("scope1.diesel", "458.584175", "tCO2e"),
            ("scope1.mobile", "458.584175", "tCO2e"),
            ("scope1", "1235.909175", "tCO2e"),
            ("scope1.gas.co2e", "1235.909175", "tCO2e"),
            ("scope2.location", "658.419", "tCO2e"),
            ("total.location", "1894.328175", "tCO2e"),
            ("scope3", "110.6632", "tCO2e"),
            ("scope3.cat6", "110.6632", "tCO2e"),
            ("electricity.total", "3180", "MWh"),
            ("activity.business_travel_car", "412000", "mi"),
            ("intensity.total.location.per.floor_area", "0.1029526182065217391304347826", "tCO2e/m2"),
        ],
    );
    // Scope 3 stays beside the totals: total.location is scope 1 + scope 2 only (checked above).
    // Every DESNZ factor is a CO2e total: the basis says so, and no per-gas CO2/CH4/N2O figure is invented.
    for id in ["scope1", "scope2.location", "total.location", "scope3.cat6"] {
        assert_eq!(figure(&v, id)["basis"].as_str(), Some("CO2e factor"), "{id}");
    }
    for id in ["scope1.gas.co2", "scope1.gas.ch4", "scope1.gas.n2o"] {
        assert!(v["figures"][id].is_null(), "{id} is not computed from CO2e factors");
    }
    let gas_line = v["lines"]
        .as_array()
        .expect("lines")
        .iter()
        .find(|l| l["figure"] == "scope1.natural_gas" && l["source"] == "examples/uk-council-2024/ledger.csv:2")
        .expect("the Civic Centre gas row is traced");
    // 1,480,000 kWh x 0.1829 = 270,692 kg.
    assert_eq!(gas_line["value"].as_str(), Some("270.692"));
    let formula = gas_line["formula"].as_str().expect("formula");
    assert!(formula.contains("0.1829 kgCO2e/kWh [ex-desnz@2024:natural_gas.kwh_gross]"), "{formula}");
    assert!(formula.contains("none is added"), "{formula}");
    // No UK residual mix exists in the reference: market-based is not computed, and says why.
    for id in ["scope2.market", "total.market"] {
        let why = v["not_computed"][id].as_str().unwrap_or_else(|| panic!("{id} is listed as not computed"));
        assert!(why.contains("needs a residual factor"), "{why}");
        assert!(v["figures"][id].is_null(), "{id} has no value");
    }
}

#[test]
fn us_facility_figures_match_the_hand_computation() {
    let v = json(US);
    // By hand (EPA Hub 2024; AR5 GWPs CH4 28, N2O 265, HFC-32 677, HFC-125 3170; 1 lb = 0.45359237 kg):
    // natural gas  18,500,000 scf x 0.001026 mmBtu/scf = 18,981 mmBtu
    //   CO2  18,981 x 53.06 kg = 1,007,131.86 kg                           -> 1,007.13186
    //   CH4  18,981 x 1 g = 18.981 kg x 28 = 531.468 kg                     -> 0.531468
    //   N2O  18,981 x 0.1 g = 1.8981 kg x 265 = 502.9965 kg                 -> 0.5029965
    //   sum                                                                  = 1,008.1663245
    // generator    2,400 gal x 0.138 mmBtu/gal = 331.2 mmBtu
    //   CO2  331.2 x 73.96 kg = 24,495.552 kg                               -> 24.495552
    //   CH4  331.2 x 3 g = 0.9936 kg x 28 = 27.8208 kg                      -> 0.0278208
    //   N2O  331.2 x 0.6 g = 0.19872 kg x 265 = 52.6608 kg                  -> 0.0526608
    //   sum                                                                  = 24.5760336
    // trucks       36,000 gal x 10.21 kg CO2 = 367,560 kg (CO2 only)        -> 367.56
    // R-410A       25 lb = 11.33980925 kg; x 0.5 x 677 = 3,838.525431125 kg; x 0.5 x 3,170 = 17,973.59766125 kg
    //                                                                        = 21.812123092375
    // stationary   1,008.1663245 + 24.5760336                                = 1,032.7423581
    // scope 1      1,032.7423581 + 367.56 + 21.812123092375                  = 1,422.114481192375
    // by gas       CO2 1,007.13186 + 24.495552 + 367.56 = 1,399.187412; CH4 0.531468 + 0.0278208 = 0.5592888;
    //              N2O 0.5029965 + 0.0526608 = 0.5556573; HFCs 21.812123092375
    assert_figures(
        &v,
        &[
            ("scope1.natural_gas", "1008.1663245", "tCO2e"),
            ("scope1.distillate_fuel_oil", "24.5760336", "tCO2e"),
            ("scope1.diesel", "367.56", "tCO2e"),
            ("scope1.refrigerant_r410a", "21.812123092375", "tCO2e"),
            ("scope1.stationary", "1032.7423581", "tCO2e"),
            ("scope1.mobile", "367.56", "tCO2e"),
            ("scope1.fugitive", "21.812123092375", "tCO2e"),
            ("scope1.gas.co2", "1399.187412", "tCO2e"),
            ("scope1.gas.ch4", "0.5592888", "tCO2e"),
            ("scope1.gas.n2o", "0.5556573", "tCO2e"),
            ("scope1.gas.hfcs", "21.812123092375", "tCO2e"),
            ("scope1", "1422.114481192375", "tCO2e"),
            ("total.location", "1422.114481192375", "tCO2e"),
            ("activity.distillate_fuel_oil", "2400", "gal"),
            ("activity.refrigerant_r410a", "25", "lb"),
        ],
    );
    // The trucks have no CH4/N2O factor in the reference read: their figure says CO2 only, never a bare tCO2e.
    assert_eq!(figure(&v, "scope1.mobile")["basis"].as_str(), Some("CO2 only"));
    assert_eq!(figure(&v, "scope1.stationary")["basis"].as_str(), Some("CO2, CH4, N2O (AR5)"));
    assert_eq!(figure(&v, "scope1.fugitive")["basis"].as_str(), Some("HFC-125, HFC-32 (AR5)"));
    let lines = v["lines"].as_array().expect("lines");
    // One heating value per row: the natural gas CH4 line converts scf with the heat content its CO2 used.
    let ch4 = lines
        .iter()
        .find(|l| l["figure"] == "scope1.natural_gas" && l["gas"] == "CH4")
        .expect("natural gas CH4 is traced");
    assert_eq!(ch4["value"].as_str(), Some("0.531468"));
    let formula = ch4["formula"].as_str().expect("formula");
    assert!(formula.contains("0.001026 MMBtu/scf (NCV of the row, as for its CO2)"), "{formula}");
    assert!(formula.contains("28 tCO2e/tCH4 (GWP) [ex-us-gwp@AR5:gwp.ch4]"), "{formula}");
    // The blend is split by mass fraction, each component weighted by its own GWP.
    let hfc32 = lines
        .iter()
        .find(|l| l["figure"] == "scope1.refrigerant_r410a" && l["gas"] == "HFC-32")
        .expect("HFC-32 of the R-410A top-up is traced");
    assert_eq!(hfc32["value"].as_str(), Some("3.838525431125"));
    assert!(hfc32["formula"].as_str().is_some_and(|f| f.contains("0.5 tHFC-32/tR-410A")), "{hfc32}");
}

#[test]
fn us_facility_scope2_waits_for_pound_units_and_per_gas_grid_rates() {
    // The eGRID2022 RFCE rates as the Hub prints them (lb/MWh, per gas) and the plant's 4,200 MWh, put in place.
    let r = compute_changed_with("us-facility-2024", &["--format", "json"], |d| {
        std::fs::rename(d.join("pending/egrid-2022.toml"), d.join("factors/egrid-2022.toml")).expect("move");
        let row = std::fs::read_to_string(d.join("pending/ledger-electricity.csv")).expect("pending row");
        append(&d.join("ledger.csv"), row.lines().nth(1).expect("one row"));
        replace(&d.join("inventory.toml"), "# grid = \"ex-egrid@2022\"", "grid = \"ex-egrid@2022\" #");
    });
    if r.code == 0 {
        // Once pounds of a gas and per-gas grid rates are accepted (then move pending/ into the example, as its
        // README says), by hand:
        // CO2 4,200 x 657.386 lb = 2,761,021.2 lb x 0.45359237 = 1,252,378.149728244 kg
        // CH4 4,200 x 0.045 lb = 189 lb = 85.72895793 kg x 28 = 2,400.41082204 kg
        // N2O 4,200 x 0.006 lb = 25.2 lb = 11.430527724 kg x 265 = 3,029.08984686 kg
        // scope 2 = 1,257.807650397144 t; total = 1,422.114481192375 + 1,257.807650397144 = 2,679.922131589519 t
        let v: serde_json::Value = serde_json::from_str(&r.stdout).expect("valid JSON");
        assert_figures(
            &v,
            &[
                ("scope2.location", "1257.807650397144", "tCO2e"),
                ("total.location", "2679.922131589519", "tCO2e"),
                ("electricity.total", "4200", "MWh"),
            ],
        );
        return;
    }
    // Today: the pound-based rates are refused where they are written, naming the unit; nothing is computed.
    assert_refused(&r, "factors/egrid-2022.toml:24:8", &["unit \"lbCO2/MWh\"", "unknown unit 'lbCO2'"]);
}

#[test]
fn an_activity_the_chosen_sets_do_not_serve_is_a_located_error_naming_the_choice() {
    // Petrol (an alias of gasoline) in the UK council's ledger: ex-desnz@2024 ships no petrol row.
    let r = compute_changed("uk-council-2024", |d| {
        append(&d.join("ledger.csv"), "Depot,2024,petrol,1200,L,GB,mobile,pool cars");
    });
    assert_refused(
        &r,
        "ledger.csv:8:26",
        &[
            "gasoline in region GB needs a CO2 factor",
            "factors.combustion (ex-desnz@2024) has no factor for GB",
            "factor choice at inventory.toml:12:14",
        ],
    );
    // LPG at the US plant: ex-epa-hub@2024 ships no LPG row.
    let r = compute_changed("us-facility-2024", |d| {
        append(&d.join("ledger.csv"), "Plant,2024,lpg,500,US gal,US,,forklifts");
    });
    assert_refused(
        &r,
        "ledger.csv:6:27",
        &["lpg in region US needs a CO2 factor: factors.combustion (ex-epa-hub@2024) has no factor for US"],
    );
}

#[test]
fn a_fuel_row_in_an_egrid_subregion_is_priced_with_the_national_factor_or_refused() {
    // The plant's gas row written in its eGRID subregion. Today a US factor does not serve US-RFCE (only China's
    // national factors serve its provinces), and the row is refused; if national fuel factors come to serve their
    // subregions, the figure must be the same as for the row written US, never another publisher's factor.
    let r = compute_changed_with("us-facility-2024", &["--format", "json"], |d| {
        replace(&d.join("ledger.csv"), "scf,US,,", "scf,US-RFCE,,");
    });
    if r.code == 0 {
        let v: serde_json::Value = serde_json::from_str(&r.stdout).expect("valid JSON");
        assert_figures(&v, &[("scope1.natural_gas", "1008.1663245", "tCO2e")]);
        return;
    }
    assert_refused(
        &r,
        "ledger.csv:2:37",
        &["natural_gas in region US-RFCE needs a CO2 factor", "has no factor for US-RFCE"],
    );
}

#[test]
fn a_gas_without_a_gwp_in_the_chosen_set_names_the_sets_that_have_one() {
    // The GWP set the UK example ships lists CO2, CH4 and N2O only: not the components of R-410A.
    let r = compute_changed("us-facility-2024", |d| {
        let uk = root().join("examples/uk-council-2024/factors/gwp-AR5.toml");
        std::fs::copy(uk, d.join("factors/uk-gwp-AR5.toml")).expect("copy");
        replace(&d.join("inventory.toml"), "gwp = \"ex-us-gwp@AR5\"", "gwp = \"ex-uk-gwp@AR5\"");
    });
    assert_refused(
        &r,
        "ledger.csv:5:36",
        &[
            "HFC-32 needs a GWP, and factors.gwp (ex-uk-gwp@AR5) has none for HFC-32",
            "factor choice at inventory.toml:15:7",
            "choose a gwp set that lists HFC-32; sets with a GWP for HFC-32: ",
            "ex-us-gwp@AR5",
        ],
    );
}

#[test]
fn a_unit_the_factor_cannot_take_is_refused_with_no_density_assumed() {
    // Diesel in kg against DESNZ's per-litre factor: no density is invented.
    let r = compute_changed("uk-council-2024", |d| {
        append(&d.join("ledger.csv"), "Depot,2024,diesel,950,kg,GB,,standby generator");
    });
    assert_refused(
        &r,
        "ledger.csv:8:23",
        &[
            "diesel measured in kg (mass) cannot be used with ex-desnz@2024:diesel.litre, which is per L (volume)",
            "no density is defined: give the quantity in the factor's unit",
        ],
    );
    // R-410A in litres: the activity is the mass of the gas emitted.
    let r = compute_changed("us-facility-2024", |d| {
        append(&d.join("ledger.csv"), "Plant,2024,refrigerant_r410a,3,L,US,,top-up");
    });
    assert_refused(
        &r,
        "ledger.csv:6:32",
        &["unit 'L' (volume) cannot measure refrigerant_r410a (refrigerant_r410a is measured in a mass)"],
    );
}

#[test]
fn compute_tables_of_the_west_examples() {
    for (inv, name) in [(UK, "uk-council-2024.compute.txt"), (US, "us-facility-2024.compute.txt")] {
        let r = ghg(&["compute", inv]);
        assert_eq!(r.code, 0, "{}", r.stderr);
        golden(name, &r.stdout);
    }
}
