//! The example inventories examples/fab-2024 (an electronics fab: fluorinated gases, diesel in litres, ERCOT grid)
//! and examples/group-4-countries-2024 (plants in CN, DE, IN and BR: grid and residual factors by market, energy in
//! GJ). Both price everything with the shipped factor sets. Every expected figure is computed by hand in the comments
//! from the factor values the example's README cites; the bad-input cases are the example with one choice or row
//! changed.

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
    // R-410A is split into its components by the blend of ipcc-gwp@AR5: 18 kg HFC-32 and 18 kg HFC-125.
    let v410: Vec<(String, String)> = v["lines"]
        .as_array()
        .expect("lines")
        .iter()
        .filter(|l| l["figure"] == "scope1.r410a_topup")
        .map(|l| {
            (l["gas"].as_str().unwrap_or_default().to_string(), l["value"].as_str().unwrap_or_default().to_string())
        })
        .collect();
    // 18 x 677 = 12 186 kg; 18 x 3170 = 57 060 kg.
    assert_eq!(v410.len(), 2, "{v410:?}");
    assert!(v410.contains(&("HFC-32".to_string(), "12.186".to_string())), "{v410:?}");
    assert!(v410.contains(&("HFC-125".to_string(), "57.06".to_string())), "{v410:?}");
    // The quantities of the gas activities, in kg as declared.
    assert_eq!(figure(&v, "activity.r410a_topup", "kg"), dec!(36));
    assert_eq!(figure(&v, "activity.sf6_topup", "kg"), dec!(3.2));
}

#[test]
fn fab_diesel_in_litres_through_the_heat_content_per_gallon() {
    let v = compute_json(FAB);
    // Litres to US gallons (3.785411784 L each), x 0.138 MMBtu/gal (epa-hub@2024, Table 1, HHV):
    //   generators 15 000 L = 546.836148381367219836... MMBtu; trucks 24 000 L = 874.937837410187551738... MMBtu.
    // Generators, EPA Table 1: 73.96 kg CO2 + 3 g CH4 x 28 + 0.6 g N2O x 265 = 74.203 kg CO2e per MMBtu
    //   -> 546.836148381367219836 x 74.203 / 1000 = 40.576882718342591813... t.
    close(&v, "scope1.stationary", "tCO2e", dec!(40.576882718342591813));
    // Trucks: no mobile set (IPCC's road factors are on net CV, the Hub's heat content gross: ghg refuses to mix
    //   them), so the Hub's Table 1 factors price them too, the same 74.203 kg CO2e per MMBtu, and a
    //   mobile-non-co2 warning says so: 874.937837410187551738 x 74.203 / 1000 = 64.923012349348146901... t.
    close(&v, "scope1.mobile", "tCO2e", dec!(64.923012349348146902));
    close(&v, "scope1.diesel", "tCO2e", dec!(105.499895067690738715));
    let warned = v["warnings"].as_array().expect("warnings");
    assert!(warned.iter().any(|w| w["code"] == "mobile-non-co2"), "{warned:?}");
    // CO2 alone: (546.836... + 874.937...) x 73.96 / 1000.
    close(&v, "scope1.gas.co2", "tCO2e", dec!(105.154403989143390905));
    // scope1 = 105.499895067690738715 + 206.846 + 3011.7.
    close(&v, "scope1", "tCO2e", dec!(3324.045895067690738715));
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
fn fab_scope2_location_gas_by_gas_and_market_based_is_not_computed() {
    let v = compute_json(FAB);
    // eGRID2022 ERCT (epa-hub@2024, Table 6), lb per MWh, 1 lb = 0.45359237 kg, AR5 GWPs:
    //   CO2 60 000 x 771.083 lb = 46 264 980 lb = 20 985 441.9262026 kg
    //   CH4 60 000 x 0.049 lb = 2 940 lb = 1 333.5615678 kg x 28 = 37 339.7238984 kg CO2e
    //   N2O 60 000 x 0.007 lb = 420 lb = 190.5087954 kg x 265 = 50 484.830781 kg CO2e
    //   sum 60 000 x (771.083 + 1.372 + 1.855 = 774.31 lb CO2e) x 0.45359237 = 21 073 266.480882 kg.
    assert_eq!(figure(&v, "scope2.location", "tCO2e"), dec!(21073.266480882));
    let s2: Vec<(String, Decimal)> = v["lines"]
        .as_array()
        .expect("lines")
        .iter()
        .filter(|l| l["figure"] == "scope2.location")
        .map(|l| {
            let value = Decimal::from_str(l["value"].as_str().expect("line value")).expect("decimal");
            (l["gas"].as_str().unwrap_or_default().to_string(), value)
        })
        .collect();
    assert_eq!(
        s2,
        vec![
            ("CO2".to_string(), dec!(20985.4419262026)),
            ("CH4".to_string(), dec!(37.3397238984)),
            ("N2O".to_string(), dec!(50.484830781)),
        ]
    );
    assert_eq!(v["figures"]["scope2.location"]["basis"], "CO2, CH4, N2O (AR5)");
    // Each line cites eGRID's rate as printed, in pounds (no copy converted to kg).
    let rates: Vec<(&str, &str)> = v["lines"]
        .as_array()
        .expect("lines")
        .iter()
        .filter(|l| l["figure"] == "scope2.location")
        .map(|l| {
            (
                l["factors"][0]["value"].as_str().unwrap_or_default(),
                l["factors"][0]["unit"].as_str().unwrap_or_default(),
            )
        })
        .collect();
    assert_eq!(rates, vec![("771.083", "lbCO2/MWh"), ("0.049", "lbCH4/MWh"), ("0.007", "lbN2O/MWh")]);
    // total.location = 3324.045895067690738715 + 21073.266480882.
    close(&v, "total.location", "tCO2e", dec!(24397.312375949690738715));
    // No residual mix for ERCOT in the reference: market-based is not computed, with the reason.
    assert!(v["figures"].get("scope2.market").is_none() && v["figures"].get("total.market").is_none());
    assert_eq!(
        v["not_computed"]["scope2.market"],
        "market-based scope 2 needs a residual factor for grid electricity (60000 MWh), and the inventory chooses none"
    );
    // The table says which figures hold CO2 alone: scope 2 is no longer one of them.
    let r = ghg(&["compute", FAB]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.lines().any(|l| l.trim() == "CO2 only: scope1.gas.co2, scope2.location.gas.co2"), "{}", r.stdout);
}

#[test]
fn fab_golden_table() {
    let r = ghg(&["compute", FAB]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    golden("fab-2024.compute.txt", &r.stdout);
}

#[test]
fn fab_gas_without_a_gwp_in_the_chosen_set_is_a_located_error() {
    // The shipped SAR set lists no NF3 (factors/README.md): the NF3 row stops at its quantity cell, naming the sets
    // that have the GWP; the other gases of the fab all have a SAR value.
    let dir = copy_example("fab-2024", &[("inventory.toml", "gwp = \"ipcc-gwp@AR5\"", "gwp = \"ipcc-gwp@SAR\"")]);
    let r = ghg_in(dir.path(), &["compute", "inventory.toml"]);
    assert_eq!(r.code, 2, "{}", r.stdout);
    assert_eq!(
        r.stderr,
        "error: ledger.csv:5:29: NF3 needs a GWP, and factors.gwp (ipcc-gwp@SAR) has none for NF3 (factor choice at \
         inventory.toml:18:7) (choose a gwp set that lists NF3; sets with a GWP for NF3: ipcc-gwp@AR4, ipcc-gwp@AR5, \
         ipcc-gwp@AR6)\n"
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
            ("inventory.toml", "combustion = \"epa-hub@2024\"", "combustion = \"ipcc2006-stationary@2006\""),
            ("inventory.toml", "non_co2 = \"epa-hub@2024\"", "non_co2 = \"ipcc2006-stationary@2006\""),
        ],
    );
    let r = ghg_in(dir.path(), &["compute", "inventory.toml"]);
    assert_eq!(r.code, 2, "{}", r.stdout);
    let lines: Vec<&str> = r.stderr.lines().collect();
    assert_eq!(lines.len(), 3, "{}", r.stderr);
    for (line, row) in lines.iter().zip([7, 8]) {
        assert_eq!(
            *line,
            format!(
                "error: ledger.csv:{row}:23: diesel measured in L (volume) cannot be used with \
                 ipcc2006-stationary@2006:diesel.co2, which is per TJ (energy) (no density is defined for diesel in \
                 the chosen sets (combustion = ipcc2006-stationary@2006, non_co2 = ipcc2006-stationary@2006): give \
                 the quantity in TJ, or add a density factor (kind = \"density\", unit = \"kg/L\", with its source) to \
                 a set the inventory chooses)"
            )
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
    // Every factor used for another year than 2024 is listed: MEE 2022 (grid and residual), AIB 2023 and MCTI 2023
    // (grid and residual); UBA 2024 is not, nor CEA FY2023-24, which the shipped set declares valid for 2023 and 2024.
    let fallbacks: Vec<String> = v["fallbacks"]
        .as_array()
        .expect("fallbacks")
        .iter()
        .map(|f| f["factor"].as_str().unwrap_or_default().to_string())
        .collect();
    for used in [
        "mee-grid@2022:grid.national",
        "mee-grid@2022:grid.national.excl_market_nonfossil",
        "aib-residual-mix@2023:residual.de",
        "mcti-sin@2023:grid.national",
    ] {
        assert!(fallbacks.iter().any(|f| f == used), "{used} in {fallbacks:?}");
    }
    assert_eq!(fallbacks.len(), 5, "MEE x2, AIB, MCTI x2: {fallbacks:?}");
    assert!(!fallbacks.iter().any(|f| f.starts_with("uba-grid") || f.starts_with("cea-")), "{fallbacks:?}");
    // Each plant's electricity is priced by its own country's shipped factor.
    let priced: Vec<(String, String, String)> = v["lines"]
        .as_array()
        .expect("lines")
        .iter()
        .filter(|l| l["activity"] == "electricity")
        .map(|l| {
            let f = l["figure"].as_str().unwrap_or_default().to_string();
            (
                f,
                l["region"].as_str().unwrap_or_default().to_string(),
                l["factors"][0]["ref"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect();
    for want in [
        ("scope2.location", "CN", "mee-grid@2022:grid.national"),
        ("scope2.location", "DE", "uba-grid@2024:grid.national"),
        ("scope2.location", "IN", "cea-co2-baseline@v20.0:grid.weighted_average"),
        ("scope2.location", "BR", "mcti-sin@2023:grid.national"),
        ("scope2.market", "CN", "mee-grid@2022:grid.national.excl_market_nonfossil"),
        ("scope2.market", "DE", "aib-residual-mix@2023:residual.de"),
        ("scope2.market", "IN", "cea-co2-baseline@v20.0:grid.weighted_average"),
        ("scope2.market", "BR", "mcti-sin@2023:grid.national"),
    ] {
        let want = (want.0.to_string(), want.1.to_string(), want.2.to_string());
        assert!(priced.contains(&want), "{want:?} in {priced:?}");
    }
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
    // LPG is a built-in activity, but the chosen IPCC set has no LPG factor for any region: the row is refused (at
    // its region cell, column 22), and the message says the set lacks LPG altogether, not merely for India.
    let row = "in-pune,2024,lpg,5,t,IN,,,canteen\n";
    let dir = copy_example("group-4-countries-2024", &[("ledger.csv", "", row)]);
    let r = ghg_in(dir.path(), &["compute", "inventory.toml"]);
    assert_eq!(r.code, 2, "{}", r.stdout);
    assert!(
        r.stderr.starts_with(
            "error: ledger.csv:11:22: lpg in region IN needs a CO2 factor: factors.combustion \
             (ipcc2006-stationary@2006) has no factor for lpg in any region; "
        ),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("(factor choice at inventory.toml:11:14)"), "{}", r.stderr);
    assert_eq!(r.stderr.lines().count(), 1, "one row, one error: {}", r.stderr);
}

#[test]
fn both_examples_price_with_the_shipped_sets_only() {
    // Every factor of every line is a shipped set's (no `ex-` copy), and provenance lists files of the built-in
    // library (factors/...) and, for the fab, the file declaring its activities: no copies of values that ship.
    for inv in [FAB, GROUP] {
        let v = compute_json(inv);
        for line in v["lines"].as_array().expect("lines") {
            for f in line["factors"].as_array().expect("factors of a line") {
                let r = f["ref"].as_str().expect("factor ref");
                assert!(!r.starts_with("ex-"), "{inv}: {r} in {line}");
            }
        }
        for file in v["provenance"]["factor_files"].as_array().expect("factor files") {
            let path = file["path"].as_str().expect("path");
            assert!(
                path.starts_with("factors/") || path == "examples/fab-2024/factors/ex-fab-activities-2024.toml",
                "{inv}: {path}"
            );
        }
    }
    // The fab's own folder declares its gas activities and holds no factor value; the group has no folder at all.
    let fab = root().join("examples/fab-2024/factors");
    for e in std::fs::read_dir(&fab).expect("fab factors") {
        let text = std::fs::read_to_string(e.expect("entry").path()).expect("read");
        assert!(text.contains("[[activity]]") && !text.contains("[[factor]]"), "{text}");
    }
    assert!(!root().join("examples/group-4-countries-2024/factors").exists());
}
