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
    // By hand (kg CO2e = quantity x DESNZ 2024 factor of uk-ghg-conversion@2024; / 1000 for t):
    // natural gas  (1,480,000 + 2,770,000) kWh(gross) x 0.1829 kgCO2e/kWh = 777,325 kg         -> 777.325
    // diesel       182,500 L x 2.51279 kgCO2e/L = 458,584.175 kg                               -> 458.584175
    // scope 1      777.325 + 458.584175                                                         = 1,235.909175
    // electricity  (1,265,000 + 1,915,000) kWh x 0.20705 kgCO2e/kWh = 658,419 kg                -> 658.419
    // total        1,235.909175 + 658.419                                                       = 1,894.328175
    // grey fleet   412,000 mi x 0.2686 kgCO2e/mi = 110,663.2 kg                                 -> 110.6632 (scope 3 cat 6)
    //              (activity in km, the built-in activity's unit: 412,000 x 1.609344 = 663,049.728 km)
    // per m2       1,894.328175 / 18,400 = 0.10295261820652173913043478260869...                (28 significant digits)
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
            ("activity.car_average_unknown_fuel", "663049.728", "km"),
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
    let lines = v["lines"].as_array().expect("lines");
    let line = |figure: &str, row: usize| {
        let source = format!("examples/uk-council-2024/ledger.csv:{row}");
        lines
            .iter()
            .find(|l| l["figure"] == figure && l["source"] == source.as_str())
            .unwrap_or_else(|| panic!("{figure} of {source} is traced"))
    };
    // 1,480,000 kWh(gross) x 0.1829 = 270,692 kg, priced with the shipped DESNZ factor on the gross basis.
    let gas = line("scope1.natural_gas", 2);
    assert_eq!(gas["value"].as_str(), Some("270.692"));
    let formula = gas["formula"].as_str().expect("formula");
    assert!(formula.contains("0.1829 kgCO2e/kWh [uk-ghg-conversion@2024:natural_gas.kwh_gross]"), "{formula}");
    assert!(formula.contains("none is added"), "{formula}");
    // 1,265,000 kWh x 0.20705 = 261,918.25 kg; 412,000 mi x 0.2686 = 110,663.2 kg, with the per-mile factor.
    let power = line("scope2.location", 4);
    assert_eq!(power["value"].as_str(), Some("261.91825"));
    assert!(power["formula"].as_str().is_some_and(|f| f.contains("[uk-ghg-conversion@2024:electricity.generation]")));
    let car = line("scope3.cat6", 7);
    assert_eq!(car["value"].as_str(), Some("110.6632"));
    assert!(
        car["formula"]
            .as_str()
            .is_some_and(|f| f.contains("0.2686 kgCO2e/mi [uk-ghg-conversion@2024:car.average_unknown.mile]"))
    );
    // No UK residual mix ships: market-based is not computed, and says why.
    for id in ["scope2.market", "total.market"] {
        let why = v["not_computed"][id].as_str().unwrap_or_else(|| panic!("{id} is listed as not computed"));
        assert!(why.contains("needs a residual factor"), "{why}");
        assert!(v["figures"][id].is_null(), "{id} has no value");
    }
    // Only built-in sets are used: the example ships no factor file.
    assert!(!root().join("examples/uk-council-2024/factors").exists());
    let prov = v["provenance"].to_string();
    assert!(prov.contains("factors/desnz/ghg-conversion-2024.toml"), "{prov}");
}

#[test]
fn uk_gas_in_plain_kwh_is_taken_on_the_gross_basis_with_a_warning_and_net_kwh_is_refused() {
    // The same gas read as plain kWh: priced on the factor's gross basis, as before, but the output says so.
    let r = compute_changed_with("uk-council-2024", &["--format", "json"], |d| {
        replace(&d.join("ledger.csv"), "1480000,kWh(gross)", "1480000,kWh");
    });
    assert_eq!(r.code, 0, "{}", r.stderr);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).expect("valid JSON");
    assert_figures(&v, &[("scope1.natural_gas", "777.325", "tCO2e")]);
    let warnings = v["warnings"].to_string();
    assert!(warnings.contains("calorific-basis"), "{warnings}");
    assert!(
        warnings.contains(
            "energy in kWh states no calorific basis and is taken on gross CV, the basis of \
             uk-ghg-conversion@2024:natural_gas.kwh_gross"
        ),
        "{warnings}"
    );
    // A meter read on the net basis cannot be priced with the gross factor: no ratio is assumed.
    let r = compute_changed("uk-council-2024", |d| {
        append(&d.join("ledger.csv"), "Depot,2024,natural_gas,52000,kWh(net),GB,,workshop heaters");
    });
    assert_refused(
        &r,
        "ledger.csv:8:30",
        &[
            "natural_gas measured in kWh(net) (net CV) cannot be priced with \
             uk-ghg-conversion@2024:natural_gas.kwh_gross, which is per energy on gross CV",
            "give the quantity on the factor's basis (gross), or choose a factor on net CV",
        ],
    );
}

#[test]
fn us_facility_figures_match_the_hand_computation() {
    let v = json(US);
    // By hand (EPA Hub 2024 Table 1 in epa-hub@2024; eGRID2022 in the same set; AR5 GWPs of ipcc-gwp@AR5: CH4 28,
    // N2O 265, HFC-32 677, HFC-125 3170; 1 lb = 0.45359237 kg exactly):
    // natural gas  18,500,000 scf x 0.001026 MMBtu/scf (HHV) = 18,981 MMBtu
    //   CO2  18,981 x 53.06 kg = 1,007,131.86 kg                           -> 1,007.13186
    //   CH4  18,981 x 1 g = 18.981 kg x 28 = 531.468 kg                     -> 0.531468
    //   N2O  18,981 x 0.1 g = 1.8981 kg x 265 = 502.9965 kg                 -> 0.5029965
    //   sum                                                                  = 1,008.1663245
    // generator    2,400 gal x 0.138 MMBtu/gal (distillate No. 2, HHV) = 331.2 MMBtu
    //   CO2  331.2 x 73.96 kg = 24,495.552 kg                               -> 24.495552
    //   CH4  331.2 x 3 g = 0.9936 kg x 28 = 27.8208 kg                      -> 0.0278208
    //   N2O  331.2 x 0.6 g = 0.19872 kg x 265 = 52.6608 kg                  -> 0.0526608
    //   sum                                                                  = 24.5760336
    // trucks       36,000 gal x 0.138 = 4,968 MMBtu x 73.96 kg = 367,433.28 kg (CO2 only)  -> 367.43328
    // R-410A       25 lb = 11.33980925 kg; x 0.5 x 677 = 3,838.525431125 kg; x 0.5 x 3,170 = 17,973.59766125 kg
    //                                                                        = 21.812123092375
    // diesel       24.5760336 + 367.43328                                    = 392.0093136
    // stationary   1,008.1663245 + 24.5760336                                = 1,032.7423581
    // scope 1      1,032.7423581 + 367.43328 + 21.812123092375               = 1,421.987761192375
    // by gas       CO2 1,007.13186 + 24.495552 + 367.43328 = 1,399.060692; CH4 0.531468 + 0.0278208 = 0.5592888;
    //              N2O 0.5029965 + 0.0526608 = 0.5556573; HFCs 21.812123092375
    // scope 2      4,200 MWh in US-RFCE (eGRID2022, lb/MWh):
    //   CO2  4,200 x 657.386 lb = 2,761,021.2 lb x 0.45359237 = 1,252,378.149728244 kg
    //   CH4  4,200 x 0.045 lb = 189 lb = 85.72895793 kg x 28 = 2,400.41082204 kg
    //   N2O  4,200 x 0.006 lb = 25.2 lb = 11.430527724 kg x 265 = 3,029.08984686 kg
    //   sum                                                                  = 1,257.807650397144
    // total        1,421.987761192375 + 1,257.807650397144                  = 2,679.795411589519
    assert_figures(
        &v,
        &[
            ("scope1.natural_gas", "1008.1663245", "tCO2e"),
            ("scope1.diesel", "392.0093136", "tCO2e"),
            ("scope1.refrigerant_r410a", "21.812123092375", "tCO2e"),
            ("scope1.stationary", "1032.7423581", "tCO2e"),
            ("scope1.mobile", "367.43328", "tCO2e"),
            ("scope1.fugitive", "21.812123092375", "tCO2e"),
            ("scope1.gas.co2", "1399.060692", "tCO2e"),
            ("scope1.gas.ch4", "0.5592888", "tCO2e"),
            ("scope1.gas.n2o", "0.5556573", "tCO2e"),
            ("scope1.gas.hfcs", "21.812123092375", "tCO2e"),
            ("scope1", "1421.987761192375", "tCO2e"),
            ("scope2.location", "1257.807650397144", "tCO2e"),
            ("total.location", "2679.795411589519", "tCO2e"),
            ("electricity.total", "4200", "MWh"),
            ("activity.refrigerant_r410a", "25", "lb"),
        ],
    );
    // The trucks have no CH4/N2O factor in the chosen mobile set: their figure says CO2 only, never a bare tCO2e.
    assert_eq!(figure(&v, "scope1.mobile")["basis"].as_str(), Some("CO2 only"));
    assert_eq!(figure(&v, "scope1.stationary")["basis"].as_str(), Some("CO2, CH4, N2O (AR5)"));
    assert_eq!(figure(&v, "scope1.fugitive")["basis"].as_str(), Some("HFC-125, HFC-32 (AR5)"));
    // Scope 2 now holds eGRID's CH4 and N2O beside its CO2.
    assert_eq!(figure(&v, "scope2.location")["basis"].as_str(), Some("CO2, CH4, N2O (AR5)"));
    let lines = v["lines"].as_array().expect("lines");
    let find = |figure: &str, gas: &str, row: usize| {
        let source = format!("examples/us-facility-2024/ledger.csv:{row}");
        lines
            .iter()
            .find(|l| l["figure"] == figure && l["gas"] == gas && l["source"] == source.as_str())
            .unwrap_or_else(|| panic!("{gas} of {figure} at {source} is traced"))
    };
    // One heating value per row: the natural gas CH4 line converts scf with the heat content its CO2 used.
    let ch4 = find("scope1.natural_gas", "CH4", 2);
    assert_eq!(ch4["value"].as_str(), Some("0.531468"));
    let formula = ch4["formula"].as_str().expect("formula");
    assert!(formula.contains("0.001026 MMBtu/scf"), "{formula}");
    assert!(formula.contains("[epa-hub@2024:natural_gas.heat_content]"), "{formula}");
    assert!(formula.contains("28 tCO2e/tCH4 (GWP) [ipcc-gwp@AR5:ch4]"), "{formula}");
    // The CO2 line labels the Hub's heat content a gross value.
    let co2 = find("scope1.natural_gas", "CO2", 2);
    assert!(co2["formula"].as_str().is_some_and(|f| f.contains("0.001026 MMBtu/scf (GCV)")), "{co2}");
    // The blend is split by mass fraction, each component weighted by its own GWP.
    let hfc32 = find("scope1.refrigerant_r410a", "HFC-32", 5);
    assert_eq!(hfc32["value"].as_str(), Some("3.838525431125"));
    assert!(hfc32["formula"].as_str().is_some_and(|f| f.contains("0.5 tHFC-32/tR-410A")), "{hfc32}");
    assert!(hfc32["formula"].as_str().is_some_and(|f| f.contains("677 tCO2e/tHFC-32 (GWP) [ipcc-gwp@AR5:hfc-32]")));
    // eGRID gas by gas, in pounds as the Hub prints them.
    for (gas, value, factor) in [
        ("CO2", "1252.378149728244", "657.386 lbCO2/MWh [epa-hub@2024:grid.egrid.rfce.co2]"),
        ("CH4", "2.40041082204", "0.045 lbCH4/MWh [epa-hub@2024:grid.egrid.rfce.ch4]"),
        ("N2O", "3.02908984686", "0.006 lbN2O/MWh [epa-hub@2024:grid.egrid.rfce.n2o]"),
    ] {
        let l = find("scope2.location", gas, 6);
        assert_eq!(l["value"].as_str(), Some(value), "{gas}");
        assert!(l["formula"].as_str().is_some_and(|f| f.contains(factor)), "{l}");
    }
    // eGRID is not a residual mix, and no US residual ships: market-based is not computed, and says why.
    let why = v["not_computed"]["scope2.market"].as_str().expect("scope2.market is listed as not computed");
    assert!(why.contains("needs a residual factor"), "{why}");
    // Every value is built in: the example's one factor file declares an activity and holds no factor.
    let local = std::fs::read_to_string(root().join("examples/us-facility-2024/factors/activities-2024.toml"))
        .expect("activities file");
    assert!(!local.contains("[[factor]]") && !local.contains("[[blend]]"), "{local}");
}

#[test]
fn a_fuel_row_in_an_egrid_subregion_is_priced_with_the_national_factor() {
    // The ledger writes every row in US-RFCE; the Hub's fuel factors are national (US) and serve it. Written US,
    // the gas row gives the same figure: no other factor is reached for.
    let ledger = std::fs::read_to_string(root().join("examples/us-facility-2024/ledger.csv")).expect("ledger");
    assert!(ledger.contains("18500000,scf,US-RFCE,"), "{ledger}");
    let r = compute_changed_with("us-facility-2024", &["--format", "json"], |d| {
        replace(&d.join("ledger.csv"), "scf,US-RFCE,,", "scf,US,,");
    });
    assert_eq!(r.code, 0, "{}", r.stderr);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).expect("valid JSON");
    assert_figures(&v, &[("scope1.natural_gas", "1008.1663245", "tCO2e")]);
    // The grid is not national: a row in a region the chosen grid set has no rate for is refused, by name.
    let r = compute_changed("us-facility-2024", |d| {
        append(&d.join("ledger.csv"), "Warehouse,2024,electricity,310,MWh,CA,,Ontario warehouse");
    });
    assert_refused(
        &r,
        "ledger.csv:7:36",
        &["electricity in region CA needs a location-based factor: factors.grid (epa-hub@2024) has no factor for CA"],
    );
}

#[test]
fn us_facility_energy_in_gj_through_the_hub_heat_contents() {
    // [energy] unit = "GJ" on a copy (the table's figures are the same: the test below). By hand, 1 MMBtu = 1.05505585262 GJ (IT Btu, 1,055.05585262 J), 1 MWh = 3.6 GJ:
    // natural gas  18,981 MMBtu x 1.05505585262 = 20,026.01513858022 GJ
    // generator    331.2 MMBtu x 1.05505585262 = 349.434498387744 GJ
    // trucks       4,968 MMBtu x 1.05505585262 = 5,241.51747581616 GJ
    // direct       20,026.01513858022 + 349.434498387744 + 5,241.51747581616 = 25,616.967112784124 GJ (gross CV)
    // indirect     4,200 MWh x 3.6 = 15,120 GJ
    // total        25,616.967112784124 + 15,120 = 40,736.967112784124 GJ
    let r = compute_changed_with("us-facility-2024", &["--format", "json"], |d| {
        append(&d.join("inventory.toml"), "\n[energy]\nunit = \"GJ\"");
    });
    assert_eq!(r.code, 0, "{}", r.stderr);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).expect("valid JSON");
    assert_figures(
        &v,
        &[
            ("energy.direct", "25616.967112784124", "GJ"),
            ("energy.indirect", "15120", "GJ"),
            ("energy.total", "40736.967112784124", "GJ"),
        ],
    );
    let basis = figure(&v, "energy.direct")["basis"].as_str().expect("energy states its basis");
    assert!(basis.contains("epa-hub@2024:natural_gas.heat_content"), "{basis}");
    // The emissions do not move.
    assert_figures(&v, &[("total.location", "2679.795411589519", "tCO2e")]);
}

/// The natural gas row with `[energy]` makes 11 lines, some pooled: the table's path once read them from the wrong
/// slot past the eighth (a panic, or a wrong value in bounds). The table gives the JSON's figures.
#[test]
fn us_facility_energy_in_gj_in_the_table() {
    let r = compute_changed("us-facility-2024", |d| {
        append(&d.join("inventory.toml"), "\n[energy]\nunit = \"GJ\"");
    });
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("energy.total                 40,736.97  GJ"), "{}", r.stdout);
    assert!(r.stdout.contains("total.location                2,679.80  tCO2e"), "{}", r.stdout);
}

#[test]
fn an_activity_the_chosen_sets_do_not_serve_is_a_located_error_naming_the_choice() {
    // Coal at the council's depot: the DESNZ set chosen has no coal, and no set in the library serves GB.
    let r = compute_changed("uk-council-2024", |d| {
        append(&d.join("ledger.csv"), "Depot,2024,coal,12,t,GB,,workshop stove");
    });
    assert_refused(
        &r,
        "ledger.csv:8:22",
        &[
            "coal in region GB needs a CO2 factor",
            "factors.combustion (uk-ghg-conversion@2024) has no factor for coal in any region",
            "no set in the factor library serves GB",
            "factor choice at inventory.toml:11:14",
            "write a factor set for GB, with its citation, in a folder listed in factor_paths and choose it",
        ],
    );
    // Coal at the US plant: the Hub set chosen ships no coal row either.
    let r = compute_changed("us-facility-2024", |d| {
        append(&d.join("ledger.csv"), "Plant,2024,coal,40,short ton,US-RFCE,,boiler");
    });
    assert_refused(
        &r,
        "ledger.csv:7:30",
        &[
            "coal in region US-RFCE needs a CO2 factor",
            "factors.combustion (epa-hub@2024) has no factor for coal in any region",
        ],
    );
}

#[test]
fn a_gas_without_a_gwp_in_the_chosen_set_names_the_sets_that_have_one() {
    // The Hub's own GWP set lists CO2, CH4 and N2O only: not the components of R-410A.
    let r = compute_changed("us-facility-2024", |d| {
        replace(&d.join("inventory.toml"), "gwp = \"ipcc-gwp@AR5\"", "gwp = \"epa-hub-gwp@2024\"");
    });
    assert_refused(
        &r,
        "ledger.csv:5:36",
        &[
            "HFC-32 needs a GWP, and factors.gwp (epa-hub-gwp@2024) has none for HFC-32",
            "factor choice at inventory.toml:23:7",
            "choose a gwp set that lists HFC-32; sets with a GWP for HFC-32: ",
            "ipcc-gwp@AR5",
        ],
    );
}

#[test]
fn a_unit_the_factor_cannot_take_is_refused_with_no_density_assumed() {
    // Diesel in kg against DESNZ's per-litre factor (the pick): no density is invented.
    let r = compute_changed("uk-council-2024", |d| {
        append(&d.join("ledger.csv"), "Depot,2024,diesel,950,kg,GB,,standby generator");
    });
    assert_refused(
        &r,
        "ledger.csv:8:23",
        &[
            "diesel measured in kg (mass) cannot be used with uk-ghg-conversion@2024:diesel.l, which is per L (volume)",
            "no density is defined for diesel in the chosen sets (combustion = uk-ghg-conversion@2024)",
            "give the quantity in L, or add a density factor",
        ],
    );
    // Diesel in tonnes at the US plant: the Hub gives a heat content per gallon only.
    let r = compute_changed("us-facility-2024", |d| {
        append(&d.join("ledger.csv"), "Fleet,2024,diesel,30,t,US-RFCE,mobile,bulk delivery");
    });
    assert_refused(
        &r,
        "ledger.csv:7:22",
        &[
            "diesel measured in t (mass) cannot be used with epa-hub@2024:distillate_no2.co2, which is per MMBtu (energy)",
        ],
    );
    // R-410A in litres: the activity is the mass of the gas emitted.
    let r = compute_changed("us-facility-2024", |d| {
        append(&d.join("ledger.csv"), "Plant,2024,refrigerant_r410a,3,L,US-RFCE,,top-up");
    });
    assert_refused(
        &r,
        "ledger.csv:7:32",
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
