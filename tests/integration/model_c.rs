//! Choices by region and market: the grid factor of each country and the residual factor of each market in one
//! inventory; a region no chosen set serves is an error naming the sets that would serve it; a region fallback the
//! user writes is a warning; `ghg init` writes none.
//!
//! The German factors are written in the test's own factor folder, from shared/reference/factors-international.md:
//! UBA "Emissionsfaktor Strommix" 2023, 386 g CO2/kWh (preliminary; UBA Climate Change 13/2025, via I12b, grade C)
//! and the AIB European Residual Mixes 2023 DE residual mix, 719.90 g CO2/kWh (v1.0 2024-05-30, Table 2 p.7, via
//! I11, grade C). The Chinese ones are the built-in MEE/NBS 2023 national factors: 0.5306 tCO2/MWh (grid average)
//! and 0.6096 tCO2/MWh (excluding market-traded non-fossil power).

use std::path::Path;

use rust_decimal::Decimal;

use crate::util::ghg_in;

const UBA: &str = r#"[set]
id = "uba-strommix"
edition = "2023"
title = "Entwicklung der spezifischen Treibhausgas-Emissionen des deutschen Strommix 1990-2024"
publisher = "Umweltbundesamt (UBA)"
published = "2025"
source = "UBA Climate Change 13/2025, pp.21 and 29 (via I12b, shared/reference/factors-international.md §4.2)"
licence = "Public agency publication; figures are facts, quoted with citation"
confidence = "B"

[[factor]]
id = "grid.de"
activity = "electricity"
region = "DE"
gas = "CO2"
value = "386"
unit = "gCO2/kWh"
citation = "UBA Climate Change 13/2025, Strommix 2023 (preliminary), direct CO2 per kWh of domestic consumption (via I12b)"
confidence = "B"
valid_years = [2023]
"#;

const AIB: &str = r#"[set]
id = "aib-residual"
edition = "2023"
title = "European Residual Mixes 2023"
publisher = "Association of Issuing Bodies (AIB)"
published = "2024-05-30"
source = "AIB European Residual Mixes 2023, Version 1.0, Table 2 (via I11, shared/reference/factors-international.md §4.1)"
licence = "Public association publication; figures are facts, quoted with citation"
confidence = "B"

[[factor]]
id = "residual.de"
activity = "electricity"
region = "DE"
gas = "CO2"
value = "719.90"
unit = "gCO2/kWh"
citation = "AIB European Residual Mixes 2023 v1.0, Table 2 p.7, residual mix DE, direct CO2 (via I11)"
confidence = "B"
valid_years = [2023]
"#;

const LEDGER: &str = "entity,period,activity,quantity,unit,region,note
site-cn,2023,electricity,1000,MWh,CN,
site-de,2023,electricity,500,MWh,DE,
";

/// A folder with the two German factor sets under `f/`, the ledger and an inventory with these `[factors]`.
fn case(factors: &str, ledger: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    let p = dir.path();
    std::fs::create_dir(p.join("f")).expect("mkdir");
    std::fs::write(p.join("f/uba-strommix-2023.toml"), UBA).expect("write");
    std::fs::write(p.join("f/aib-residual-2023.toml"), AIB).expect("write");
    std::fs::write(p.join("ledger.csv"), ledger).expect("write");
    let inventory = format!(
        "organisation = \"Two countries\"\nyear = 2023\nactivity_files = [\"ledger.csv\"]\nfactor_paths = [\"f\"]\n\n[factors]\n{factors}"
    );
    std::fs::write(p.join("inventory.toml"), inventory).expect("write");
    dir
}

fn json(dir: &Path) -> serde_json::Value {
    let r = ghg_in(dir, &["compute", "inventory.toml", "--format", "json"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    serde_json::from_str(&r.stdout).expect("json")
}

fn figure(v: &serde_json::Value, id: &str) -> Decimal {
    let s = v["figures"][id]["value"].as_str().unwrap_or_else(|| panic!("no figure {id}"));
    s.parse().expect("decimal")
}

fn entity_figure(v: &serde_json::Value, entity: &str, id: &str) -> Decimal {
    let s = v["by_entity"][entity][id]["value"].as_str().unwrap_or_else(|| panic!("no figure {id} of {entity}: {v}"));
    s.parse().expect("decimal")
}

/// Location-based: 1000 MWh x 0.5306 + 500 MWh x 386 g/kWh = 530.6 + 193.0 = 723.6 tCO2.
/// Market-based: 1000 MWh x 0.6096 + 500 MWh x 719.90 g/kWh = 609.6 + 359.95 = 969.55 tCO2.
fn assert_two_countries(v: &serde_json::Value) {
    assert_eq!(figure(v, "scope2.location"), Decimal::new(7236, 1));
    assert_eq!(figure(v, "scope2.market"), Decimal::new(96955, 2));
    assert_eq!(figure(v, "total.market"), Decimal::new(96955, 2));
    assert_eq!(entity_figure(v, "site-de", "scope2.location"), Decimal::new(193, 0));
    assert_eq!(entity_figure(v, "site-de", "scope2.market"), Decimal::new(35995, 2));
    assert_eq!(entity_figure(v, "site-cn", "scope2.location"), Decimal::new(5306, 1));
    assert_eq!(entity_figure(v, "site-cn", "scope2.market"), Decimal::new(6096, 1));
    assert_eq!(v["warnings"].as_array().map(|w| w.iter().any(|w| w["code"] == "region-fallback")), Some(false));
}

#[test]
fn a_list_of_grid_sets_and_a_residual_per_market_price_each_country_with_its_own_factors() {
    let dir = case(
        "grid = [\"mee-grid@2023\", \"uba-strommix@2023\"]\n\
         [factors.residual]\n\
         CN = \"mee-grid@2023:grid.national.excl_market_nonfossil\"\n\
         DE = \"aib-residual@2023:residual.de\"\n",
        LEDGER,
    );
    let v = json(dir.path());
    assert_two_countries(&v);
    // Every line names the factor of its own country.
    let r = ghg_in(dir.path(), &["explain", "inventory.toml", "scope2.market"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("aib-residual@2023:residual.de"), "{}", r.stdout);
    assert!(r.stdout.contains("mee-grid@2023:grid.national.excl_market_nonfossil"), "{}", r.stdout);
}

#[test]
fn a_grid_table_by_region_gives_the_same_figures() {
    let dir = case(
        "[factors.grid]\n\
         CN = \"mee-grid@2023\"\n\
         DE = \"uba-strommix@2023\"\n\
         [factors.residual]\n\
         CN = \"mee-grid@2023:grid.national.excl_market_nonfossil\"\n\
         DE = \"aib-residual@2023:residual.de\"\n",
        LEDGER,
    );
    assert_two_countries(&json(dir.path()));
}

#[test]
fn a_country_key_serves_its_provinces_and_a_province_key_wins_over_it() {
    // mee-grid@2022 has a 浙江 factor (0.5153); mee-grid@2023 has none: the CN-ZJ key says which set to use.
    let ledger = "entity,period,activity,quantity,unit,region,note\nzj,2023,electricity,100,MWh,浙江,\n";
    let dir =
        case("allow_year_mismatch = true\n[factors.grid]\nCN = \"mee-grid@2023\"\nCN-ZJ = \"mee-grid@2022\"\n", ledger);
    let v = json(dir.path());
    assert_eq!(figure(&v, "scope2.location"), Decimal::new(5153, 2));
}

#[test]
fn two_grid_sets_serving_one_region_is_an_error_naming_both() {
    let dir = case("grid = [\"mee-grid@2023\", \"mee-grid@2022\"]\nallow_year_mismatch = true\n", LEDGER);
    let r = ghg_in(dir.path(), &["compute", "inventory.toml"]);
    assert_eq!(r.code, 2, "{}", r.stdout);
    assert!(
        r.stderr.contains(
            "ledger.csv:2:14: electricity in region CN: two sets of factors.grid serve it, mee-grid@2023 \
             (mee-grid@2023:grid.national) and mee-grid@2022 (mee-grid@2022:grid.national)"
        ),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("[factors.grid] as a table by region: CN = \"mee-grid@2023\""), "{}", r.stderr);
}

#[test]
fn a_region_no_chosen_set_serves_is_an_error_naming_the_sets_that_would() {
    let dir = case("grid = \"mee-grid@2023\"\n", LEDGER);
    let r = ghg_in(dir.path(), &["compute", "inventory.toml"]);
    assert_eq!(r.code, 2, "{}", r.stdout);
    // Located at the region field of the German row (line 3, column 34).
    assert!(
        r.stderr.starts_with(
            "error: ledger.csv:3:34: electricity in region DE needs a location-based factor: factors.grid \
             (mee-grid@2023) has no factor for DE; the factor library has sets that serve it: \
             uba-grid@2022-first-estimate, uba-grid@2022, uba-grid@2023, uba-grid@2024, uba-strommix@2023"
        ),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("grid = [\"mee-grid@2023\", \"uba-strommix@2023\"]"), "{}", r.stderr);
    // No row is priced with another country's factor, and no figure is printed.
    assert_eq!(r.stdout, "");
}

#[test]
fn a_market_without_a_residual_factor_is_an_error_naming_the_market() {
    let dir = case(
        "grid = [\"mee-grid@2023\", \"uba-strommix@2023\"]\n\
         residual = \"mee-grid@2023:grid.national.excl_market_nonfossil\"\n",
        LEDGER,
    );
    let r = ghg_in(dir.path(), &["compute", "inventory.toml"]);
    assert_eq!(r.code, 2, "{}", r.stdout);
    assert!(
        r.stderr.contains(
            "ledger.csv:3:34: electricity in market DE needs a residual factor (market-based scope 2): \
             factors.residual (mee-grid@2023:grid.national.excl_market_nonfossil) has no factor for market DE; \
             the factor library has factors that serve it: aib-residual-mix@2023:residual.de, \
             aib-residual@2023:residual.de"
        ),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("[factors.residual] DE = \"aib-residual@2023:residual.de\""), "{}", r.stderr);
}

#[test]
fn a_region_fallback_the_user_writes_is_a_warning_in_every_format() {
    let dir = case(
        "grid = \"mee-grid@2023\"\n\
         residual = \"mee-grid@2023:grid.national.excl_market_nonfossil\"\n\
         [factors.region_fallback]\n\
         DE = \"CN\"\n",
        LEDGER,
    );
    // The German row is priced with the Chinese factors (as the user wrote): 1500 MWh x 0.5306 and x 0.6096.
    let v = json(dir.path());
    assert_eq!(figure(&v, "scope2.location"), Decimal::new(7959, 1));
    assert_eq!(figure(&v, "scope2.market"), Decimal::new(9144, 1));
    let warnings: Vec<&serde_json::Value> =
        v["warnings"].as_array().expect("warnings").iter().filter(|w| w["code"] == "region-fallback").collect();
    // One warning per use: the grid factor and the residual factor.
    assert_eq!(warnings.len(), 2, "{:?}", v["warnings"]);
    let grid = "1 row of electricity in region DE priced under factors.grid with mee-grid@2023:grid.national, a \
                factor of region CN, by [factors.region_fallback] \"DE\" = \"CN\" (inventory.toml:10:1): choose a \
                set that serves DE to price them with their own region's factor";
    assert!(warnings.iter().any(|w| w["message"] == grid), "{warnings:?}");
    assert!(
        warnings.iter().any(|w| w["message"]
            .as_str()
            .is_some_and(|m| m.contains("factors.residual with mee-grid@2023:grid.national.excl_market_nonfossil"))),
        "{warnings:?}"
    );
    assert!(warnings.iter().all(|w| w["location"] == "ledger.csv:3"), "{warnings:?}");
    for format in ["table", "markdown"] {
        let r = ghg_in(dir.path(), &["compute", "inventory.toml", "--format", format]);
        assert_eq!(r.code, 0, "{}", r.stderr);
        assert!(r.stdout.contains("warnings"), "{format}: {}", r.stdout);
        assert!(
            r.stdout.contains("priced under factors.grid with mee-grid@2023:grid.national, a factor of region CN"),
            "{format}: {}",
            r.stdout
        );
    }
    // The HTML report lists it among its findings as a warning.
    let r = ghg_in(dir.path(), &["compute", "inventory.toml", "--format", "html", "--output", "r.html"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let html = std::fs::read_to_string(dir.path().join("r.html")).expect("html");
    let at = html.find("region-fallback").unwrap_or_else(|| panic!("no region-fallback finding:\n{html}"));
    let around = &html[at.saturating_sub(400)..(at + 400).min(html.len())];
    assert!(around.to_lowercase().contains("warning"), "{around}");
    assert!(!html.contains("fallback-region"), "listed once, as a warning, not again as info");
    // CSV has no place for warnings: they go to stderr.
    let r = ghg_in(dir.path(), &["compute", "inventory.toml", "--format", "csv"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stderr.contains("priced under factors.grid with mee-grid@2023:grid.national, a factor of region CN"),
        "{}",
        r.stderr
    );
}

#[test]
fn ghg_init_writes_no_region_fallback() {
    let dir = tempfile::tempdir().expect("tempdir");
    let r = ghg_in(dir.path(), &["init", "new", "--organisation", "Acme", "--year", "2024"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let inv = std::fs::read_to_string(dir.path().join("new/inventory.toml")).expect("inventory");
    for line in inv.lines().filter(|l| !l.trim_start().starts_with('#')) {
        assert!(!line.contains("\"*\""), "init writes a wildcard: {line}");
        assert!(!line.contains("region_fallback"), "init writes a fallback table: {line}");
    }
    // Its template ledger computes without one.
    let r = ghg_in(&dir.path().join("new"), &["compute", "inventory.toml", "--format", "json"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(!r.stdout.contains("region-fallback"), "{}", r.stdout);
}

#[test]
fn certificates_deduct_at_the_residual_factor_of_their_own_market() {
    let ledger = "entity,period,activity,quantity,unit,region,instrument,note
site-cn,2023,electricity,1000,MWh,CN,,
site-de,2023,electricity,500,MWh,DE,,
site-cn,2023,certificate,100,MWh,CN,GEC,
";
    let dir = case(
        "grid = [\"mee-grid@2023\", \"uba-strommix@2023\"]\n\
         [factors.residual]\n\
         CN = \"mee-grid@2023:grid.national\"\n\
         DE = \"aib-residual@2023:residual.de\"\n",
        ledger,
    );
    let v = json(dir.path());
    // (1000 - 100) MWh x 0.5306 + 500 MWh x 719.90 g/kWh = 477.54 + 359.95 = 837.49 tCO2.
    assert_eq!(figure(&v, "scope2.market"), Decimal::new(83749, 2));
    assert_eq!(figure(&v, "scope2.location"), Decimal::new(7236, 1));
    // The CN remainder is priced at a grid average that contains the certified power: said, for that market.
    let w: Vec<&serde_json::Value> = v["warnings"]
        .as_array()
        .expect("warnings")
        .iter()
        .filter(|w| w["code"] == "residual-is-grid-average")
        .collect();
    assert_eq!(w.len(), 1, "{:?}", v["warnings"]);
    assert!(
        w[0]["message"].as_str().is_some_and(|m| m.starts_with(
            "certificates are deducted in market CN but its remainder is priced at mee-grid@2023:grid.national"
        )),
        "{w:?}"
    );
}

#[test]
fn a_fuel_in_a_region_the_combustion_set_does_not_serve_names_the_global_set_that_would() {
    let ledger = "entity,period,activity,quantity,unit,region,note\nsite-de,2023,diesel,1,t,DE,\n";
    let dir = case("combustion = \"cn-guideline-fuels@2015\"\n", ledger);
    let r = ghg_in(dir.path(), &["compute", "inventory.toml"]);
    assert_eq!(r.code, 2, "{}", r.stdout);
    assert!(
        r.stderr.starts_with(
            "error: ledger.csv:2:25: diesel in region DE needs a CO2 factor: factors.combustion \
             (cn-guideline-fuels@2015) has no factor for DE; the factor library has one set that serves it: \
             ipcc2006-stationary@2006"
        ),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("combustion = \"ipcc2006-stationary@2006\""), "{}", r.stderr);
}
