//! The accounting model's meaning: market-based scope 2 is absent (with its reason) when grid electricity has no
//! residual factor, every emission figure states its gas basis, a row has one heating value for all its gases,
//! and a pick of one gas's GWP serves that gas only.

use std::path::Path;
use std::str::FromStr;

use rust_decimal::Decimal;

use crate::util::ghg_in;

fn d(s: &str) -> Decimal {
    Decimal::from_str(s).expect("decimal")
}

/// A folder with `inventory.toml` (the given `[factors]` body), `ledger.csv` and a user factor folder holding a heat
/// factor (0.11 tCO2/GJ, CN) and a grid factor in CO2e (0.6 tCO2e/MWh, CN).
fn folder(factors: &str, rows: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    let p = dir.path();
    std::fs::create_dir(p.join("my-factors")).expect("mkdir");
    std::fs::write(
        p.join("my-factors/acme-2024.toml"),
        r#"[set]
id = "acme"
edition = "2024"
title = "Test factors"
publisher = "Test"
published = "unknown"
source = "test"
licence = "test"
confidence = "B"

[[factor]]
id = "heat.cn"
activity = "heat"
region = "CN"
gas = "CO2"
value = "0.11"
unit = "tCO2/GJ"
citation = "test"
confidence = "B"
valid_years = "any"

[[factor]]
id = "grid.cn.co2e"
activity = "electricity"
region = "CN"
gas = "CO2e"
value = "0.6"
unit = "tCO2e/MWh"
citation = "test"
confidence = "B"
valid_years = "any"
"#,
    )
    .expect("write factors");
    std::fs::write(
        p.join("inventory.toml"),
        format!(
            "organisation = \"Test\"\nyear = 2024\nactivity_files = [\"ledger.csv\"]\nfactor_paths = [\"my-factors\"]\n\
             [denominators.revenue]\nquantity = \"100\"\nunit = \"百万元\"\n[factors]\n{factors}"
        ),
    )
    .expect("write inventory");
    std::fs::write(p.join("ledger.csv"), format!("entity,period,activity,quantity,unit,region\n{rows}"))
        .expect("write ledger");
    dir
}

fn compute(dir: &Path) -> ghg::calc::Computation {
    let inv = ghg::Inventory::load(&dir.join("inventory.toml")).expect("inventory");
    let lib = ghg::library_for(&inv, &[]).expect("library");
    ghg::compute(&inv, &lib, Default::default()).expect("compute")
}

fn value(c: &ghg::calc::Computation, id: &str) -> Decimal {
    c.figure(id).unwrap_or_else(|| panic!("no figure {id}")).value
}

const GRID_AND_HEAT: &str = "site,2024,electricity,1000,MWh,CN\nsite,2024,heat,500,GJ,CN\n";
const HEAT_CHOICES: &str = "grid = \"mee-grid@2022\"\nheat = \"acme@2024\"\nallow_year_mismatch = true\n";

#[test]
fn without_a_residual_market_based_scope2_is_not_computed_rather_than_heat_alone() {
    let dir = folder(HEAT_CHOICES, GRID_AND_HEAT);
    let c = compute(dir.path());
    // Location-based: 1000 MWh x 0.5366 + 500 GJ x 0.11 = 536.6 + 55 = 591.6.
    assert_eq!(value(&c, "scope2.location"), d("591.6"));
    // Market-based would need a residual factor for the 1000 MWh: no partial figure of heat's 55 t.
    for id in ["scope2.market", "total.market", "intensity.total.market"] {
        assert!(c.figure(id).is_none(), "{id} must be absent");
        assert!(!c.by_entity["site"].contains_key(id), "{id} of site must be absent");
        let why = &c.not_computed[id];
        assert!(why.contains("residual factor for grid electricity (1000 MWh)"), "{id}: {why}");
    }
    assert!(c.not_computed["scope2.market"].contains("bought heat, supplier-priced certificates: 55 tCO2e"));
    let w = c.warnings.iter().find(|w| w.code == "no-residual").expect("no-residual warning");
    assert!(w.message.starts_with("no residual choice: scope2.market and total.market are not computed:"));
    assert!(w.message.contains("55 tCO2e"), "{}", w.message);

    // Every format says so.
    let table = ghg_in(dir.path(), &["compute", "inventory.toml"]);
    assert_eq!(table.code, 0, "{}", table.stderr);
    assert!(!table.stdout.contains("\nscope2.market "), "{}", table.stdout);
    assert!(table.stdout.contains("not computed:\n  scope2.market: market-based scope 2 needs a residual factor"));
    let md = ghg_in(dir.path(), &["compute", "inventory.toml", "--format", "markdown"]);
    assert!(md.stdout.contains("Not computed:\n\n- `scope2.market`: market-based scope 2 needs"), "{}", md.stdout);
    assert!(md.stdout.contains("- `total.market`: market-based scope 2 needs"), "{}", md.stdout);
    let json = ghg_in(dir.path(), &["compute", "inventory.toml", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&json.stdout).expect("json");
    assert!(v["figures"].get("scope2.market").is_none());
    assert!(v["not_computed"]["total.market"].as_str().unwrap_or_default().contains("1000 MWh"));
    let csv = ghg_in(dir.path(), &["compute", "inventory.toml", "--format", "csv"]);
    assert!(!csv.stdout.contains("scope2.market,"), "{}", csv.stdout);
    assert!(csv.stderr.contains("scope2.market and total.market are not computed"), "{}", csv.stderr);
    // Explain tells why, with heat's market-based contribution.
    let ex = ghg_in(dir.path(), &["explain", "inventory.toml", "scope2.market"]);
    assert_eq!(ex.code, 2);
    assert!(
        ex.stderr.contains("\nerror: scope2.market is not computed: market-based scope 2 needs a residual factor"),
        "{}",
        ex.stderr
    );
    assert!(ex.stderr.contains("55 tCO2e"), "{}", ex.stderr);
}

#[test]
fn with_a_residual_market_based_scope2_holds_electricity_and_heat() {
    let dir = folder(&format!("{HEAT_CHOICES}residual = \"mee-grid@2022:grid.national\"\n"), GRID_AND_HEAT);
    let c = compute(dir.path());
    assert_eq!(value(&c, "scope2.market"), d("591.6"));
    assert_eq!(value(&c, "total.market"), d("591.6"));
    assert!(c.not_computed.is_empty());
    assert!(!c.warnings.iter().any(|w| w.code == "no-residual"));
}

#[test]
fn heat_alone_needs_no_residual_and_its_market_based_figure_is_complete() {
    let dir = folder(HEAT_CHOICES, "site,2024,heat,500,GJ,CN\n");
    let c = compute(dir.path());
    assert_eq!(value(&c, "scope2.market"), d("55"));
    assert!(c.not_computed.is_empty());
    assert!(!c.warnings.iter().any(|w| w.code == "no-residual"), "{:?}", c.warnings);
}

const DIESEL_NON_CO2: &str = "combustion = \"cn-guideline-fuels@2015\"\nnon_co2 = \"ipcc2006-stationary@2006\"\n\
                              gwp = \"ipcc-gwp@AR5\"\n";

#[test]
fn a_row_uses_one_heating_value_for_all_its_gases() {
    let dir = folder(DIESEL_NON_CO2, "site,2024,diesel,100,t,CN\n");
    let c = compute(dir.path());
    // 100 t x 42.652 GJ/t (the guideline's NCV, as for CO2) = 4.2652 TJ, not IPCC's 43.0 TJ/Gg (4.3 TJ):
    // CO2 = 4265.2 GJ x 0.0202 tC/GJ x 0.98 x 44/12 = 309.590963733333 (12 places);
    // CH4 = 4.2652 TJ x 3 kg/TJ = 0.0127956 t x 28 = 0.3582768; N2O = 4.2652 x 0.6 kg = 0.00255912 t x 265 = 0.6781668.
    assert_eq!(value(&c, "scope1.diesel"), d("310.627407333333"));
    let by_gas =
        |g: &str| c.lines.iter().find(|l| l.gas.map(|x| x.to_string()).as_deref() == Some(g)).expect("line").value;
    assert_eq!(by_gas("CH4"), d("0.3582768"));
    assert_eq!(by_gas("N2O"), d("0.6781668"));
    // The trace names the heating value used.
    let ex = ghg_in(dir.path(), &["explain", "inventory.toml", "scope1.diesel"]);
    assert_eq!(ex.code, 0, "{}", ex.stderr);
    assert!(
        ex.stdout.contains("42.652 GJ/t (NCV of the row, as for its CO2) [cn-guideline-fuels@2015:diesel.co2]"),
        "{}",
        ex.stdout
    );
    assert!(!ex.stdout.contains("43.0 TJ/Gg"), "{}", ex.stdout);
}

#[test]
fn every_emission_figure_states_its_gas_basis() {
    // Seed example: CO2-only scope 1 (no non_co2 set) and MEE CO2 grid factors.
    let seed = crate::util::ghg(&["compute", "examples/hikvision-2024/inventory.toml", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&seed.stdout).expect("json");
    for id in ["scope1", "scope1.diesel", "scope2.location", "scope2.market", "total.market", "intensity.total.market"]
    {
        assert_eq!(v["figures"][id]["basis"], "CO2 only", "{id}");
        let unit = v["figures"][id]["unit"].as_str().unwrap_or_default();
        assert!(unit.starts_with("tCO2e"), "{id}: the unit text stays: {unit}");
    }
    // Energy has no gas basis; its basis says its unit and how its rows reached it.
    let eb = v["figures"]["energy.total"]["basis"].as_str().unwrap_or_default();
    assert!(eb.starts_with("tce: "), "energy basis: {eb}");

    // CO2, CH4 and N2O with AR5; a grid factor already in CO2e.
    let dir = folder(
        &format!("{DIESEL_NON_CO2}grid = \"acme@2024\"\nresidual = \"acme@2024:grid.cn.co2e\"\n"),
        "site,2024,diesel,100,t,CN\nsite,2024,electricity,10,MWh,CN\n",
    );
    let c = compute(dir.path());
    assert_eq!(c.basis["scope1"], "CO2, CH4, N2O (AR5)");
    assert_eq!(c.basis["scope2.location"], "CO2e factor");
    assert_eq!(c.basis["total.location"], "mixed: CO2, CH4, N2O (AR5) / CO2e factor");
    let table = ghg_in(dir.path(), &["compute", "inventory.toml"]);
    assert!(table.stdout.contains("gas basis (tCO2e counts CO2 with GWP 1; the gases each figure holds):\n"));
    assert!(
        table.stdout.contains("  CO2, CH4, N2O (AR5): scope1, scope1.diesel, scope1.stationary\n"),
        "{}",
        table.stdout
    );
    // Scope 1 by gas: each gas group is its own figure, with its own basis.
    assert!(table.stdout.contains("  CO2 only: scope1.gas.co2\n"), "{}", table.stdout);
    assert!(table.stdout.contains("  CH4 (AR5): scope1.gas.ch4\n"), "{}", table.stdout);
    assert!(table.stdout.contains("  CO2e factor: scope2.location, scope2.market\n"), "{}", table.stdout);
    let md = ghg_in(dir.path(), &["compute", "inventory.toml", "--format", "markdown"]);
    assert!(md.stdout.contains("- CO2e factor: `scope2.location`, `scope2.market`\n"), "{}", md.stdout);
    let ex = ghg_in(dir.path(), &["explain", "inventory.toml", "scope1"]);
    assert!(ex.stdout.contains("gas basis: CO2, CH4, N2O (AR5) (tCO2e counts CO2 with GWP 1)\n"), "{}", ex.stdout);
    let exj = ghg_in(dir.path(), &["explain", "inventory.toml", "scope2.location", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&exj.stdout).expect("json");
    assert_eq!(v["basis"], "CO2e factor");

    // No non_co2 set: scope 1 is CO2 only; no electricity row: scope 2 has no gas basis to state.
    let dir = folder("combustion = \"cn-guideline-fuels@2015\"\ngrid = \"acme@2024\"\n", "site,2024,diesel,1,t,CN\n");
    let c = compute(dir.path());
    assert_eq!(c.basis["scope1"], "CO2 only");
    assert_eq!(c.basis.get("scope2.location"), None, "no electricity rows: no basis");
}

#[test]
fn a_gwp_pick_is_per_gas_and_hides_no_other_gas() {
    // "gwp.any" = "ch4.fossil": CH4 at 30, N2O still found (265).
    for key in ["gwp.any", "gwp.CH4", "gwp.ch4"] {
        let dir = folder(
            &format!("{DIESEL_NON_CO2}[factors.pick]\n\"{key}\" = \"ch4.fossil\"\n"),
            "site,2024,diesel,100,t,CN\n",
        );
        let c = compute(dir.path());
        let by_gas =
            |g: &str| c.lines.iter().find(|l| l.gas.map(|x| x.to_string()).as_deref() == Some(g)).map(|l| l.value);
        // 0.0127956 t CH4 x 30 = 0.383868.
        assert_eq!(by_gas("CH4"), Some(d("0.383868")), "{key}");
        assert_eq!(by_gas("N2O"), Some(d("0.6781668")), "{key}: N2O is not hidden");
    }
}

#[test]
fn a_pick_that_matches_nothing_is_a_located_error_naming_what_it_could_match() {
    let dir =
        folder(&format!("{DIESEL_NON_CO2}[factors.pick]\n\"gwp.N2O\" = \"ch4.fossil\"\n"), "site,2024,diesel,1,t,CN\n");
    let r = ghg_in(dir.path(), &["compute", "inventory.toml"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.starts_with("error: inventory.toml:13:1: "), "{}", r.stderr);
    assert!(r.stderr.contains("pick gwp.N2O: ipcc-gwp@AR5:ch4.fossil is for CH4, not for the gas N2O"), "{}", r.stderr);
    assert!(r.stderr.contains("ipcc-gwp@AR5 offers for the gas N2O: n2o"), "{}", r.stderr);
    let dir = folder(
        &format!("{DIESEL_NON_CO2}[factors.pick]\n\"non_co2.disel\" = \"diesel.ch4\"\n"),
        "site,2024,diesel,1,t,CN\n",
    );
    let r = ghg_in(dir.path(), &["compute", "inventory.toml"]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("pick non_co2.disel: ipcc2006-stationary@2006:diesel.ch4 is for diesel, not for disel"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("its activities: diesel, gasoline, natural_gas"), "{}", r.stderr);
    assert!(r.stderr.contains("or write the key as \"non_co2.diesel\""), "{}", r.stderr);
}

#[test]
fn reconciling_a_market_based_figure_that_is_not_computed_says_why() {
    let dir = folder(HEAT_CHOICES, GRID_AND_HEAT);
    let inv = std::fs::read_to_string(dir.path().join("inventory.toml")).expect("inventory");
    std::fs::write(dir.path().join("inventory.toml"), format!("reported = \"reported.toml\"\n{inv}")).expect("write");
    std::fs::write(
        dir.path().join("reported.toml"),
        "source = \"test\"\n[[figure]]\nid = \"scope2.market\"\nprinted = \"55 tCO2e\"\nlocator = \"p. 1\"\n",
    )
    .expect("write reported");
    let r = ghg_in(dir.path(), &["reconcile", "inventory.toml"]);
    assert_eq!(r.code, 2, "{}", r.stdout);
    assert!(
        r.stderr.contains(
            "reported.toml:2:1: reported figure 'scope2.market' is not computed: market-based scope 2 needs a \
             residual factor for grid electricity (1000 MWh)"
        ),
        "{}",
        r.stderr
    );
}
