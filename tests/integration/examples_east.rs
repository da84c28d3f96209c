//! The example inventories examples/fab-2024 (an electronics fab: fluorinated gases, diesel in litres, ERCOT grid)
//! and examples/group-4-countries-2024 (plants in CN, DE, IN and BR: grid and residual factors by market, energy in
//! GJ). Every expected figure is computed by hand in the comments from the factor values the example's README cites;
//! the bad-input cases are the example with one choice or row changed.

use std::path::Path;
use std::str::FromStr;

use rust_decimal::Decimal;
use rust_decimal_macros::dec;

use crate::util::{ghg, ghg_in, golden, root};

const FAB: &str = "examples/fab-2024/inventory.toml";
const GROUP: &str = "examples/group-4-countries-2024/inventory.toml";

/// `ghg compute INV --format json`, which must succeed.
fn compute_json(inv: &str) -> serde_json::Value {
    let r = ghg(&["compute", inv, "--format", "json"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    serde_json::from_str(&r.stdout).expect("valid JSON")
}

/// The value of figure `id`, with its unit checked.
fn figure(v: &serde_json::Value, id: &str, unit: &str) -> Decimal {
    let f = &v["figures"][id];
    assert_eq!(f["unit"].as_str(), Some(unit), "unit of {id}: {f}");
    let s = f["value"].as_str().unwrap_or_else(|| panic!("figure {id} is computed: {}", v["figures"]));
    Decimal::from_str(s).unwrap_or_else(|e| panic!("{id} = {s}: {e}"))
}

/// A figure whose hand value is a quotient carried further than the engine's 12 decimals: equal within 10^-9.
fn close(v: &serde_json::Value, id: &str, unit: &str, hand: Decimal) {
    let got = figure(v, id, unit);
    assert!((got - hand).abs() < dec!(0.000000001), "{id}: {got}, by hand {hand}");
}

/// A copy of example `name` in a fresh folder, with `edit` applied to (file, text) pairs.
fn copy_example(name: &str, edits: &[(&str, &str, &str)]) -> tempfile::TempDir {
    fn copy(from: &Path, to: &Path) {
        std::fs::create_dir_all(to).expect("mkdir");
        for e in std::fs::read_dir(from).expect("read example") {
            let e = e.expect("entry");
            let p = e.path();
            if p.is_dir() {
                copy(&p, &to.join(e.file_name()));
            } else {
                std::fs::copy(&p, to.join(e.file_name())).expect("copy");
            }
        }
    }
    let dir = tempfile::tempdir().expect("tempdir");
    copy(&root().join("examples").join(name), dir.path());
    for (file, from, to) in edits {
        let path = dir.path().join(file);
        let text = std::fs::read_to_string(&path).expect("read");
        let changed = if from.is_empty() { format!("{text}{to}") } else { text.replacen(from, to, 1) };
        assert_ne!(changed, text, "the edit of {file} applies");
        std::fs::write(&path, changed).expect("write");
    }
    dir
}

#[test]
fn fab_gases_by_mass_times_ar5_gwp() {
    let v = compute_json(FAB);
    // kg of gas x AR5 GWP / 1000:
    //   HFC-134a 48 x 1300 = 62 400 kg; SF6 3.2 x 23 500 = 75 200 kg; NF3 150 x 16 100 = 2 415 000 kg;
    //   CF4 90 x 6630 = 596 700 kg; R-410A 36 x (0.5 x 677 + 0.5 x 3170 = 1923.5) = 69 246 kg.
    assert_eq!(figure(&v, "scope1.hfc134a_topup", "tCO2e"), dec!(62.4));
    assert_eq!(figure(&v, "scope1.r410a_topup", "tCO2e"), dec!(69.246));
    assert_eq!(figure(&v, "scope1.sf6_topup", "tCO2e"), dec!(75.2));
    assert_eq!(figure(&v, "scope1.nf3_emitted", "tCO2e"), dec!(2415));
    assert_eq!(figure(&v, "scope1.cf4_emitted", "tCO2e"), dec!(596.7));
    // fugitive = 62.4 + 69.246 + 75.2; process = 2415 + 596.7.
    assert_eq!(figure(&v, "scope1.fugitive", "tCO2e"), dec!(206.846));
    assert_eq!(figure(&v, "scope1.process", "tCO2e"), dec!(3011.7));
    assert_eq!(figure(&v, "scope1.gas.hfcs", "tCO2e"), dec!(131.646));
    assert_eq!(figure(&v, "scope1.gas.pfcs", "tCO2e"), dec!(596.7));
    assert_eq!(figure(&v, "scope1.gas.sf6", "tCO2e"), dec!(75.2));
    assert_eq!(figure(&v, "scope1.gas.nf3", "tCO2e"), dec!(2415));
    // The quantities of the gas activities, in kg as declared.
    assert_eq!(figure(&v, "activity.r410a_topup", "kg"), dec!(36));
    assert_eq!(figure(&v, "activity.sf6_topup", "kg"), dec!(3.2));
}

#[test]
fn fab_diesel_in_litres_through_the_heat_content_per_gallon() {
    let v = compute_json(FAB);
    // Litres to US gallons (3.785411784 L each), x 0.138 MMBtu/gal (EPA Hub 2024 Table 1, HHV):
    //   generators 15 000 L = 546.836148381367219836... MMBtu; trucks 24 000 L = 874.937837410187551738... MMBtu.
    // Generators, EPA Table 1: 73.96 kg CO2 + 3 g CH4 x 28 + 0.6 g N2O x 265 = 74.203 kg CO2e per MMBtu
    //   -> 546.836148381367219836 x 74.203 / 1000 = 40.576882718342591813... t.
    close(&v, "scope1.stationary", "tCO2e", dec!(40.576882718342591813));
    // Trucks: CO2 73.96 kg/MMBtu; CH4 and N2O 3.9 kg/TJ each (IPCC 2006 road diesel) on the row's energy,
    //   1 MMBtu = 0.00105505585262 TJ: 3.9 x (28 + 265) x 0.00105505585262 = 1.205612322788... kg per MMBtu
    //   -> 874.937837410187551738 x 75.165612322788 / 1000 = 65.765238293313441718... t.
    close(&v, "scope1.mobile", "tCO2e", dec!(65.765238293313441718));
    close(&v, "scope1.diesel", "tCO2e", dec!(106.342121011656033532));
    // CO2 alone: (546.836... + 874.937...) x 73.96 / 1000.
    close(&v, "scope1.gas.co2", "tCO2e", dec!(105.154403989143390905));
    // scope1 = 106.342121011656033532 + 206.846 + 3011.7.
    close(&v, "scope1", "tCO2e", dec!(3324.888121011656033532));
    // Energy at the HHV: 1421.773985791554771574 MMBtu x 1.05505585262 GJ; electricity 60 000 MWh x 3.6 GJ.
    close(&v, "energy.direct", "GJ", dec!(1500.050964812244585119));
    assert_eq!(figure(&v, "energy.indirect", "GJ"), dec!(216000));
    close(&v, "energy.total", "GJ", dec!(217500.050964812244585119));
    // Litres are not summed into activity.diesel (in t): no density turns them into tonnes, and the output says so.
    assert!(v["figures"].get("activity.diesel").is_none(), "{}", v["figures"]);
    let warned = v["warnings"].as_array().expect("warnings");
    assert!(
        warned.iter().any(|w| w["message"]
            == "activity.diesel sums quantities in t; rows in L (volume) are not included in it (their emissions are)"),
        "{warned:?}"
    );
    // Energy in GJ needs no standard_coal choice, and no warning says it is not computed.
    assert!(!warned.iter().any(|w| w["code"] == "no-standard-coal"), "{warned:?}");
}

#[test]
fn fab_scope2_location_is_co2_only_and_market_based_is_not_computed() {
    let v = compute_json(FAB);
    // 60 000 MWh x 771.083 lb CO2/MWh x 0.45359237 kg/lb = 60 000 x 349.75736543671 kg = 20 985.4419262026 t.
    assert_eq!(figure(&v, "scope2.location", "tCO2e"), dec!(20985.4419262026));
    // total.location = 3324.888121011656033532 + 20985.4419262026.
    close(&v, "total.location", "tCO2e", dec!(24310.330047214256033532));
    // No residual mix for ERCOT in the reference: market-based is not computed, with the reason.
    assert!(v["figures"].get("scope2.market").is_none() && v["figures"].get("total.market").is_none());
    assert_eq!(
        v["not_computed"]["scope2.market"],
        "market-based scope 2 needs a residual factor for grid electricity (60000 MWh), and the inventory chooses none"
    );
    // The table says which figures hold CO2 alone.
    let r = ghg(&["compute", FAB]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.lines().any(|l| l.trim() == "CO2 only: scope1.gas.co2, scope2.location"), "{}", r.stdout);
}

#[test]
fn fab_golden_table() {
    let r = ghg(&["compute", FAB]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    golden("fab-2024.compute.txt", &r.stdout);
}

#[test]
fn fab_gas_without_a_gwp_in_the_chosen_set_is_a_located_error() {
    // The built-in AR5 set has no HFCs: each HFC row stops at its quantity, naming the set that has the GWP.
    let dir = copy_example("fab-2024", &[("inventory.toml", "gwp = \"ex-fab-gwp@AR5\"", "gwp = \"ipcc-gwp@AR5\"")]);
    let r = ghg_in(dir.path(), &["compute", "inventory.toml"]);
    assert_eq!(r.code, 2, "{}", r.stdout);
    assert_eq!(
        r.stderr,
        "error: ledger.csv:2:30: HFC-134a needs a GWP, and factors.gwp (ipcc-gwp@AR5) has none for HFC-134a (factor \
         choice at inventory.toml:17:7) (choose a gwp set that lists HFC-134a; sets with a GWP for HFC-134a: \
         ex-fab-gwp@AR5)\n\
         error: ledger.csv:3:49: HFC-32 needs a GWP, and factors.gwp (ipcc-gwp@AR5) has none for HFC-32 (factor \
         choice at inventory.toml:17:7) (choose a gwp set that lists HFC-32; sets with a GWP for HFC-32: \
         ex-fab-gwp@AR5)\n\
         2 problems found\n"
    );
    assert!(r.stdout.is_empty(), "no figures on error: {}", r.stdout);
}

#[test]
fn fab_litres_with_no_heating_value_per_volume_is_a_located_error() {
    // IPCC 2006 prices diesel per TJ and gives its NCV per mass (TJ/Gg): litres cannot reach either without a
    // density, and neither row is priced.
    let dir = copy_example(
        "fab-2024",
        &[
            ("inventory.toml", "combustion = \"ex-epa-hub@2024\"", "combustion = \"ipcc2006-stationary@2006\""),
            ("inventory.toml", "non_co2 = \"ex-epa-hub@2024\"", "non_co2 = \"ipcc2006-stationary@2006\""),
        ],
    );
    let r = ghg_in(dir.path(), &["compute", "inventory.toml"]);
    assert_eq!(r.code, 2, "{}", r.stdout);
    let lines: Vec<&str> = r.stderr.lines().collect();
    assert_eq!(lines.len(), 3, "{}", r.stderr);
    for (line, row) in lines.iter().zip([7, 8]) {
        assert!(
            line.starts_with(&format!(
                "error: ledger.csv:{row}:23: diesel measured in L (volume) cannot be used with \
                 ipcc2006-stationary@2006:diesel.co2, which is per TJ (energy) ("
            )),
            "{line}"
        );
    }
    assert_eq!(lines[2], "2 problems found");
}

#[test]
fn group_scope2_by_country_and_market() {
    let v = compute_json(GROUP);
    // Location-based, each country's grid factor (tCO2/MWh):
    //   CN 120 000 x 0.5366 = 64 392; DE 30 000 x 0.363 = 10 890; IN 45 000 x 0.727 = 32 715;
    //   BR 25 000 x 0.0385 = 962.5; sum 108 959.5.
    assert_eq!(figure(&v, "scope2.location", "tCO2e"), dec!(108959.5));
    // Market-based, each market's residual factor on the MWh no certificate covers:
    //   CN 120 000 x 0.5856 = 70 272; DE (30 000 - 10 000 GO) x 0.71990 = 14 398;
    //   IN and BR at their grid averages (no residual mix published): 32 715 and 962.5; sum 118 347.5.
    assert_eq!(figure(&v, "scope2.market", "tCO2e"), dec!(118347.5));
    // Diesel, IPCC 2006: 43.0 GJ/t x (74.1 + 0.003 x 28 + 0.0006 x 265) kg/GJ = 3196.749 kg CO2e/t; x 125 t.
    assert_eq!(figure(&v, "scope1", "tCO2e"), dec!(399.593625));
    assert_eq!(figure(&v, "scope1.gas.co2", "tCO2e"), dec!(398.2875));
    assert_eq!(figure(&v, "scope1.gas.ch4", "tCO2e"), dec!(0.4515));
    assert_eq!(figure(&v, "scope1.gas.n2o", "tCO2e"), dec!(0.854625));
    assert_eq!(figure(&v, "total.location", "tCO2e"), dec!(109359.093625));
    assert_eq!(figure(&v, "total.market", "tCO2e"), dec!(118747.093625));
    // Energy in GJ: 125 t x 43.0 GJ/t = 5375; 220 000 MWh x 3.6 = 792 000.
    assert_eq!(figure(&v, "energy.direct", "GJ"), dec!(5375));
    assert_eq!(figure(&v, "energy.indirect", "GJ"), dec!(792000));
    assert_eq!(figure(&v, "energy.total", "GJ"), dec!(797375));
    assert_eq!(figure(&v, "electricity.renewable", "MWh"), dec!(10000));
    // The German GOs cover a third of that plant's grid electricity.
    let coverage = v["scope2"]["coverage"].as_array().expect("coverage");
    let de = coverage.iter().find(|c| c["market"] == "DE").expect("DE coverage");
    assert_eq!((de["grid_mwh"].as_str(), de["covered_mwh"].as_str()), (Some("30000"), Some("10000")));
    // Every factor used for another year than 2024 is listed: MEE 2022 (grid and residual), AIB 2023, CEA
    // FY2023-24 and MCTI 2023 (grid and residual); UBA 2024 is not.
    let fallbacks: Vec<String> = v["fallbacks"]
        .as_array()
        .expect("fallbacks")
        .iter()
        .map(|f| f["factor"].as_str().unwrap_or_default().to_string())
        .collect();
    for used in [
        "mee-grid@2022:grid.national",
        "mee-grid@2022:grid.national.excl_market_nonfossil",
        "ex-aib-residual@2023:residual.de",
        "ex-cea-grid@v20.0:grid.national",
        "ex-mcti-grid@2023:grid.national",
    ] {
        assert!(fallbacks.iter().any(|f| f == used), "{used} in {fallbacks:?}");
    }
    assert!(!fallbacks.iter().any(|f| f.starts_with("ex-uba-grid")), "{fallbacks:?}");
}

#[test]
fn group_golden_table() {
    let r = ghg(&["compute", GROUP]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    golden("group-4-countries-2024.compute.txt", &r.stdout);
}

#[test]
fn group_region_without_a_grid_choice_is_a_located_error() {
    // A fifth country the [factors.grid] table does not name: the row is refused, naming the region and the table's
    // regions; nothing is priced with another country's factor.
    let row = "jp-osaka,2024,electricity,1000,MWh,JP,,,sales office\n";
    let dir = copy_example("group-4-countries-2024", &[("ledger.csv", "", row)]);
    let r = ghg_in(dir.path(), &["compute", "inventory.toml"]);
    assert_eq!(r.code, 2, "{}", r.stdout);
    assert_eq!(
        r.stderr,
        "error: ledger.csv:11:36: electricity in region JP needs a location-based factor: [factors.grid] has no entry \
         for region JP (it has CN, DE, IN, BR); no set in the factor library serves JP (factor choice at \
         inventory.toml:21:1) (write a factor set for JP, with its citation, in a folder listed in factor_paths and \
         choose it (factors/README.md, \"Adding your own factors\"); or price these rows with another region's factor \
         under [factors.region_fallback]: \"JP\" = \"<region>\" (reported as a warning))\n"
    );
}

#[test]
fn group_activity_the_chosen_sets_do_not_serve_is_a_located_error() {
    // LPG is a built-in activity, but the chosen IPCC set has no LPG factor: the row is refused at its activity.
    let row = "in-pune,2024,lpg,5,t,IN,,,canteen\n";
    let dir = copy_example("group-4-countries-2024", &[("ledger.csv", "", row)]);
    let r = ghg_in(dir.path(), &["compute", "inventory.toml"]);
    assert_eq!(r.code, 2, "{}", r.stdout);
    // (The message then says the set has "no factor for IN", although the set is region-free and lacks LPG.)
    assert!(
        r.stderr.starts_with(
            "error: ledger.csv:11:22: lpg in region IN needs a CO2 factor: factors.combustion \
             (ipcc2006-stationary@2006) has no factor"
        ),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("(factor choice at inventory.toml:12:14)"), "{}", r.stderr);
    assert_eq!(r.stderr.lines().count(), 1, "one row, one error: {}", r.stderr);
}
