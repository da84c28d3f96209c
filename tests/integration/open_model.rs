//! The open accounting model: activities and gases declared by factor files, scope 1 by category and gas, blends,
//! Montreal gases apart, scope 3 and biogenic CO2 beside the scopes, mobile rows, energy in GJ, gas volumes at
//! stated reference conditions, gross and net calorific values, and the located errors of each. Values are test
//! factors (round numbers, so that every expected figure is checked by hand in its comment).

use std::path::Path;
use std::str::FromStr;

use rust_decimal::Decimal;

use crate::util::ghg_in;

fn d(s: &str) -> Decimal {
    Decimal::from_str(s).expect("decimal")
}

/// Test factors: activities, gases, a blend and factors of every shape this file exercises.
const SET: &str = r#"[set]
id = "om-test"
edition = "2024"
title = "Open-model test factors"
publisher = "Test"
published = "unknown"
source = "test values, round numbers"
licence = "test"
confidence = "B"

[[activity]]
id = "om_r410a"
name = "R-410A top-up"
name_zh = "R-410A 制冷剂补充"
category = "fugitive"
dimensions = ["mass"]
unit = "kg"
gas = "R-410A"

[[activity]]
id = "om_hcfc22"
name = "HCFC-22 top-up"
category = "fugitive"
dimensions = ["mass"]
unit = "kg"
gas = "HCFC-22"

[[activity]]
id = "om_etch"
name = "Wafer etch"
category = "process"
dimensions = ["area"]
unit = "m2"

[[activity]]
id = "om_flights"
name = "Business flights"
category = "scope3.cat6"
dimensions = ["passenger_distance"]
unit = "passenger-km"

[[activity]]
id = "om_pellets"
name = "Wood pellets"
category = "biogenic"
dimensions = ["mass", "energy"]
unit = "t"

[[activity]]
id = "om_gas"
name = "Pipeline gas"
category = "stationary"
dimensions = ["volume", "energy"]
unit = "Nm3"

[[blend]]
id = "R-410A"
components = [{ gas = "HFC-32", fraction = "0.5" }, { gas = "HFC-125", fraction = "0.5" }]
citation = "ASHRAE 34 nominal composition"
published_gwp = { AR5 = "1924" }

[[gas]]
id = "CF4"
group = "PFC"

[[factor]]
id = "gwp.hfc32"
kind = "gwp"
activity = "any"
region = "GLOBAL"
gas = "HFC-32"
value = "677"
unit = "1"
citation = "test (AR5 value)"
confidence = "B"
valid_years = "any"

[[factor]]
id = "gwp.hfc125"
kind = "gwp"
activity = "any"
region = "GLOBAL"
gas = "HFC-125"
value = "3170"
unit = "1"
citation = "test (AR5 value)"
confidence = "B"
valid_years = "any"

[[factor]]
id = "gwp.hcfc22"
kind = "gwp"
activity = "any"
region = "GLOBAL"
gas = "HCFC-22"
value = "1760"
unit = "1"
citation = "test (AR5 value)"
confidence = "B"
valid_years = "any"

[[factor]]
id = "gwp.cf4"
kind = "gwp"
activity = "any"
region = "GLOBAL"
gas = "CF4"
value = "6630"
unit = "1"
citation = "test (AR5 value)"
confidence = "B"
valid_years = "any"

[[factor]]
id = "gwp.ch4"
kind = "gwp"
activity = "any"
region = "GLOBAL"
gas = "CH4"
value = "28"
unit = "1"
citation = "test (AR5 value)"
confidence = "B"
valid_years = "any"

[[factor]]
id = "gwp.n2o"
kind = "gwp"
activity = "any"
region = "GLOBAL"
gas = "N2O"
value = "265"
unit = "1"
citation = "test (AR5 value)"
confidence = "B"
valid_years = "any"

[[factor]]
id = "etch.cf4"
activity = "om_etch"
region = "GLOBAL"
gas = "CF4"
value = "2"
unit = "kgCF4/m2"
citation = "test"
confidence = "B"
valid_years = "any"

[[factor]]
id = "flights"
activity = "om_flights"
region = "GLOBAL"
gas = "CO2e"
value = "0.15"
unit = "kgCO2e/passenger-km"
citation = "test"
confidence = "B"
valid_years = "any"

[[factor]]
id = "pellets.co2"
activity = "om_pellets"
region = "GLOBAL"
gas = "CO2"
value = "100"
unit = "kgCO2/GJ"
citation = "test"
confidence = "B"
valid_years = "any"

[[factor]]
id = "pellets.ncv"
kind = "ncv"
activity = "om_pellets"
region = "GLOBAL"
value = "15"
unit = "GJ/t"
citation = "test"
confidence = "B"
valid_years = "any"

[[factor]]
id = "pellets.ch4"
activity = "om_pellets"
region = "GLOBAL"
gas = "CH4"
value = "30"
unit = "kgCH4/TJ"
citation = "test"
confidence = "B"
valid_years = "any"

[[factor]]
id = "gas.co2"
activity = "om_gas"
region = "GLOBAL"
gas = "CO2"
value = "2"
unit = "kgCO2/Nm3"
citation = "test"
confidence = "B"
valid_years = "any"

[[factor]]
id = "ng.gross"
activity = "natural_gas"
region = "GB"
gas = "CO2e"
value = "0.2"
unit = "kgCO2e/kWh"
cv = "gross"
citation = "test"
confidence = "B"
valid_years = "any"

[[factor]]
id = "diesel.co2"
activity = "diesel"
region = "GLOBAL"
gas = "CO2"
value = "3"
unit = "tCO2/t"
citation = "test"
confidence = "B"
valid_years = "any"

[[factor]]
id = "diesel.ncv"
kind = "ncv"
activity = "diesel"
region = "GLOBAL"
value = "40"
unit = "GJ/t"
citation = "test"
confidence = "B"
valid_years = "any"

[[factor]]
id = "diesel.ch4.stationary"
activity = "diesel"
region = "GLOBAL"
gas = "CH4"
value = "10"
unit = "kgCH4/TJ"
citation = "test"
confidence = "B"
valid_years = "any"
"#;

/// Mobile CH4 of diesel in a set of its own (the `mobile` choice).
const MOBILE: &str = r#"[set]
id = "om-mobile"
edition = "2024"
title = "Open-model mobile test factors"
publisher = "Test"
published = "unknown"
source = "test"
licence = "test"
confidence = "B"

[[factor]]
id = "diesel.density"
kind = "density"
activity = "diesel"
region = "GLOBAL"
value = "0.84"
unit = "kg/L"
citation = "test"
confidence = "B"
valid_years = "any"

[[factor]]
id = "diesel.ch4.road"
activity = "diesel"
region = "GLOBAL"
gas = "CH4"
value = "100"
unit = "kgCH4/TJ"
citation = "test"
confidence = "B"
valid_years = "any"
"#;

fn folder(factors: &str, rows: &str, extra: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    let p = dir.path();
    std::fs::create_dir(p.join("f")).expect("mkdir");
    std::fs::write(p.join("f/om-test-2024.toml"), SET).expect("write");
    std::fs::write(p.join("f/om-mobile-2024.toml"), MOBILE).expect("write");
    std::fs::write(
        p.join("inventory.toml"),
        format!(
            "organisation = \"Test\"\nyear = 2024\nactivity_files = [\"ledger.csv\"]\nfactor_paths = [\"f\"]\n\
             {extra}[factors]\n{factors}"
        ),
    )
    .expect("write inventory");
    std::fs::write(p.join("ledger.csv"), format!("entity,period,activity,quantity,unit,region,category\n{rows}"))
        .expect("write ledger");
    dir
}

fn compute(dir: &Path) -> ghg::calc::Computation {
    let inv = ghg::Inventory::load(&dir.join("inventory.toml")).expect("inventory");
    let lib = ghg::library_for(&inv, &[]).expect("library");
    ghg::compute(&inv, &lib, Default::default()).expect("compute")
}

fn try_compute(dir: &Path) -> String {
    let r = ghg_in(dir, &["compute", "inventory.toml"]);
    assert_eq!(r.code, 2, "a bad input exits 2: {}", r.stdout);
    r.stderr
}

fn value(c: &ghg::calc::Computation, id: &str) -> Decimal {
    c.figure(id).unwrap_or_else(|| panic!("no figure {id}")).value
}

const GASES: &str = "gwp = \"om-test@2024\"\nprocess = \"om-test@2024\"\nscope3 = \"om-test@2024\"\n";

#[test]
fn declared_fugitive_process_and_scope3_activities_make_their_figures() {
    let rows = "fab,2024,om_r410a,10,kg,US,\nfab,2024,R-410A 制冷剂补充,2,kg,US,\nfab,2024,om_etch,5,m2,US,\n\
                fab,2024,om_hcfc22,1,kg,US,\nfab,2024,om_flights,10000,passenger-km,US,\n";
    let dir = folder(GASES, rows, "");
    let c = compute(dir.path());
    // R-410A: 12 kg (10 + 2, the second row by its Chinese name) = 0.012 t, half HFC-32 (GWP 677), half HFC-125
    // (GWP 3170): 0.006 x 677 + 0.006 x 3170 = 4.062 + 19.02 = 23.082 tCO2e (1923.5 per t: the published 1924
    // is this, rounded).
    assert_eq!(value(&c, "scope1.om_r410a"), d("23.082"));
    assert_eq!(value(&c, "scope1.fugitive"), d("23.082"));
    assert_eq!(value(&c, "scope1.gas.hfcs"), d("23.082"));
    // Etch: 5 m2 x 2 kgCF4/m2 = 10 kg = 0.01 t CF4 x 6630 = 66.3 tCO2e, a PFC.
    assert_eq!(value(&c, "scope1.om_etch"), d("66.3"));
    assert_eq!(value(&c, "scope1.process"), d("66.3"));
    assert_eq!(value(&c, "scope1.gas.pfcs"), d("66.3"));
    // Scope 1 is the two: 23.082 + 66.3 = 89.382; HCFC-22 (a Montreal gas) is apart: 0.001 t x 1760 = 1.76.
    assert_eq!(value(&c, "scope1"), d("89.382"));
    assert_eq!(value(&c, "montreal"), d("1.76"));
    // Scope 3 category 6: 10,000 passenger-km x 0.15 kg = 1.5 t, beside the totals, never in them.
    assert_eq!(value(&c, "scope3.cat6"), d("1.5"));
    assert_eq!(value(&c, "scope3"), d("1.5"));
    assert_eq!(value(&c, "total.location"), d("89.382"));
    assert_eq!(c.basis["scope1.om_r410a"], "HFC-125, HFC-32 (2024)");
    // Each line of a blend names its component and fraction.
    let ex = ghg_in(dir.path(), &["explain", "inventory.toml", "scope1.om_r410a"]);
    assert!(
        ex.stdout.contains("x 0.5 tHFC-32/tR-410A (mass fraction in the blend) x 677 tCO2e/tHFC-32 (GWP)"),
        "{}",
        ex.stdout
    );
    let sum: Decimal = ["scope1.fugitive", "scope1.process"].iter().map(|id| value(&c, id)).sum();
    assert_eq!(sum, value(&c, "scope1"), "the categories add up to scope 1");
    let gases: Decimal = ["scope1.gas.hfcs", "scope1.gas.pfcs"].iter().map(|id| value(&c, id)).sum();
    assert_eq!(gases, value(&c, "scope1"), "the gases add up to scope 1");
}

#[test]
fn biomass_co2_is_outside_the_scopes_and_its_ch4_inside() {
    let dir = folder(
        &format!("{GASES}combustion = \"om-test@2024\"\nnon_co2 = \"om-test@2024\"\n"),
        "site,2024,om_pellets,10,t,GB,\n",
        "",
    );
    let c = compute(dir.path());
    // 10 t x 15 GJ/t = 150 GJ; CO2 150 x 100 kg = 15 t, biogenic; CH4 0.15 TJ x 30 kg = 4.5 kg x 28 = 0.126 t.
    assert_eq!(value(&c, "biogenic.co2"), d("15"));
    assert_eq!(value(&c, "scope1"), d("0.126"));
    assert_eq!(value(&c, "scope1.gas.ch4"), d("0.126"));
    assert_eq!(value(&c, "scope1.stationary"), d("0.126"));
}

#[test]
fn a_row_stating_mobile_uses_the_mobile_choice_and_its_category() {
    let f = format!("{GASES}combustion = \"om-test@2024\"\nnon_co2 = \"om-test@2024\"\nmobile = \"om-mobile@2024\"\n");
    let dir = folder(&f, "site,2024,diesel,1,t,GB,\nsite,2024,diesel,1,t,GB,mobile\n", "");
    let c = compute(dir.path());
    // Each row: CO2 1 t x 3 = 3 t. CH4: 40 GJ = 0.04 TJ; stationary 0.04 x 10 kg = 0.4 kg x 28 = 0.0112 t;
    // mobile (road) 0.04 x 100 kg = 4 kg x 28 = 0.112 t.
    assert_eq!(value(&c, "scope1.stationary"), d("3.0112"));
    assert_eq!(value(&c, "scope1.mobile"), d("3.112"));
    assert_eq!(value(&c, "scope1.diesel"), d("6.1232"));
    assert_eq!(value(&c, "scope1.gas.ch4"), d("0.1232"));
    // Only a fuel may state a category, and only stationary or mobile.
    let dir = folder(&f, "site,2024,electricity,1,MWh,GB,mobile\n", "");
    let e = try_compute(dir.path());
    assert!(e.contains("ledger.csv:2:"), "{e}");
    assert!(e.contains("category 'mobile' cannot be stated for electricity (purchased_electricity)"), "{e}");
}

#[test]
fn energy_in_gj_goes_through_heating_values() {
    let f = format!("{GASES}combustion = \"om-test@2024\"\n");
    let dir = folder(&f, "site,2024,diesel,2,t,GB,\n", "[energy]\nunit = \"GJ\"\n");
    let c = compute(dir.path());
    // 2 t x 40 GJ/t = 80 GJ.
    assert_eq!(value(&c, "energy.direct"), d("80"));
    assert_eq!(c.figure("energy.direct").map(|f| f.unit.as_str()), Some("GJ"));
}

#[test]
fn gas_volumes_at_another_reference_are_converted_and_unstated_ones_said() {
    let f = format!("{GASES}combustion = \"om-test@2024\"\n");
    // 1000 Sm3 (15 °C) = 1000 x 273.15 / 288.15 Nm3 = 947.9437792816241541 Nm3; x 2 kg = 1.8958875585632483 t.
    let dir = folder(&f, "site,2024,om_gas,1000,Sm3,GB,\n", "");
    let c = compute(dir.path());
    assert_eq!(value(&c, "scope1.om_gas").round_dp(12), d("1.895887558563"));
    assert!(c.warnings.iter().all(|w| w.code != "volume-reference"));
    // Plain m3: taken at the factor's 0 °C, and said.
    let dir = folder(&f, "site,2024,om_gas,1000,m3,GB,\n", "");
    let c = compute(dir.path());
    assert_eq!(value(&c, "scope1.om_gas"), d("2"));
    let w = c.warnings.iter().find(|w| w.code == "volume-reference").expect("warning");
    assert!(w.message.contains("volumes in m3 state no reference conditions and are taken at 0 °C"), "{}", w.message);
}

#[test]
fn gross_and_net_calorific_values_are_never_mixed() {
    let f = format!("{GASES}combustion = \"om-test@2024\"\n");
    // A CO2e factor per kWh on gross CV: 10,000 kWh(gross) x 0.2 kg = 2 t, and no CH4 or N2O is added.
    let dir = folder(&f, "site,2024,natural_gas,10000,kWh(gross),GB,\n", "");
    let c = compute(dir.path());
    assert_eq!(value(&c, "scope1.natural_gas"), d("2"));
    assert_eq!(c.basis["scope1.natural_gas"], "CO2e factor");
    let ex = ghg_in(dir.path(), &["explain", "inventory.toml", "scope1.natural_gas"]);
    assert!(ex.stdout.contains("(a CO2e factor: the fuel's CH4 and N2O are in it, none is added)"), "{}", ex.stdout);
    // Net CV energy against a gross factor: refused at the row.
    let dir = folder(&f, "site,2024,natural_gas,10000,kWh(net),GB,\n", "");
    let e = try_compute(dir.path());
    assert!(e.contains("ledger.csv:2:"), "{e}");
    assert!(
        e.contains("natural_gas measured in kWh(net) (net CV) cannot be priced with om-test@2024:ng.gross, which is per energy on gross CV"),
        "{e}"
    );
    // Unstated: taken on the factor's basis, and said.
    let dir = folder(&f, "site,2024,natural_gas,10000,kWh,GB,\n", "");
    let c = compute(dir.path());
    assert_eq!(value(&c, "scope1.natural_gas"), d("2"));
    assert!(c.warnings.iter().any(|w| w.code == "calorific-basis" && w.message.contains("taken on gross CV")));
}

#[test]
fn what_is_missing_is_a_located_error_naming_the_fix() {
    // A gas without a GWP in the chosen set: the EPA Hub's GWP set lists CO2, CH4 and N2O only.
    let dir = folder("gwp = \"epa-hub-gwp@2024\"\n", "fab,2024,om_r410a,1,kg,US,\n", "");
    let e = try_compute(dir.path());
    assert!(e.contains("ledger.csv:2:"), "{e}");
    assert!(e.contains("HFC-32 needs a GWP, and factors.gwp (epa-hub-gwp@2024) has none for HFC-32"), "{e}");
    assert!(e.contains("ipcc-gwp@AR5") && e.contains("om-test@2024"), "names the sets that have one: {e}");
    // An activity the chosen sets do not serve.
    let dir =
        folder("gwp = \"om-test@2024\"\nscope3 = \"om-mobile@2024\"\n", "x,2024,om_flights,1,passenger-km,US,\n", "");
    let e = try_compute(dir.path());
    assert!(e.contains("om_flights in region US needs a scope 3 emission factor: factors.scope3 (om-mobile@2024) has no factor for om_flights in any region"), "{e}");
    assert!(e.contains("om-test@2024"), "{e}");
    // Litres of a fuel whose factors are per mass or energy: no density.
    let dir = folder(&format!("{GASES}combustion = \"om-test@2024\"\n"), "site,2024,diesel,100,L,GB,\n", "");
    let e = try_compute(dir.path());
    assert!(e.contains("ledger.csv:2:"), "{e}");
    assert!(
        e.contains("diesel measured in L (volume) cannot be used with om-test@2024:diesel.co2, which is per t (mass)"),
        "{e}"
    );
    assert!(e.contains("no density is defined"), "{e}");
    // A misspelt declared activity gets "did you mean".
    let dir = folder(GASES, "fab,2024,om_r410,1,kg,US,\n", "");
    let e = try_compute(dir.path());
    assert!(e.contains("unknown activity 'om_r410' (did you mean om_r410a?"), "{e}");
}

#[test]
fn a_factor_file_cannot_redefine_a_built_in_activity_or_break_a_blend() {
    let dir = tempfile::tempdir().expect("tempdir");
    let bad = SET
        .replace("id = \"om_gas\"\nname = \"Pipeline gas\"", "id = \"diesel\"\nname = \"Diesel\"")
        .replace("{ gas = \"HFC-125\", fraction = \"0.5\" }", "{ gas = \"HFC-125\", fraction = \"0.4\" }");
    let p = dir.path().join("om-test-2024.toml");
    std::fs::write(&p, bad).expect("write");
    let e = ghg::factor::parse_set(&p, &std::fs::read_to_string(&p).expect("read"), false).expect_err("refused");
    let text = e.to_string();
    assert!(text.contains("the mass fractions of blend R-410A sum to 0.9, not 1"), "{text}");
    assert!(text.contains("activity \"diesel\" is built in (combustion"), "{text}");
}

/// A grid set that gives CO2, CH4 and N2O apart, in pounds per MWh (as eGRID does).
const SPLIT_GRID: &str = r#"[set]
id = "om-grid"
edition = "2024"
title = "Open-model split grid test factors"
publisher = "Test"
published = "unknown"
source = "test"
licence = "test"
confidence = "B"

[[factor]]
id = "camx.co2"
activity = "electricity"
region = "US-CAMX"
gas = "CO2"
value = "500"
unit = "lbCO2/MWh"
citation = "test"
confidence = "B"
valid_years = "any"

[[factor]]
id = "camx.ch4"
activity = "electricity"
region = "US-CAMX"
gas = "CH4"
value = "0.03"
unit = "lbCH4/MWh"
citation = "test"
confidence = "B"
valid_years = "any"

[[factor]]
id = "camx.n2o"
activity = "electricity"
region = "US-CAMX"
gas = "N2O"
value = "0.004"
unit = "lbN2O/MWh"
citation = "test"
confidence = "B"
valid_years = "any"
"#;

#[test]
fn a_grid_given_gas_by_gas_is_applied_gas_by_gas() {
    let dir = folder(&format!("{GASES}grid = \"om-grid@2024\"\n"), "plant,2024,electricity,1000,MWh,US-CAMX,\n", "");
    std::fs::write(dir.path().join("f/om-grid-2024.toml"), SPLIT_GRID).expect("write");
    let c = compute(dir.path());
    // 1000 MWh: CO2 500,000 lb; CH4 30 lb x 28 = 840 lb; N2O 4 lb x 265 = 1060 lb; 501,900 lb x 0.45359237 kg/lb
    // = 227,658.010503 kg = 227.658010503 t.
    assert_eq!(value(&c, "scope2.location"), d("227.658010503"));
    assert_eq!(c.basis["scope2.location"], "CO2, CH4, N2O (2024)");
    // And each gas as a figure of its own: 500,000 lb CO2 = 226.796185 t; 840 lb CO2e of CH4 = 0.3810175908 t;
    // 1060 lb CO2e of N2O = 0.4808079122 t.
    assert_eq!(value(&c, "scope2.location.gas.co2"), d("226.796185"));
    assert_eq!(value(&c, "scope2.location.gas.ch4"), d("0.3810175908"));
    assert_eq!(value(&c, "scope2.location.gas.n2o"), d("0.4808079122"));
}

#[test]
fn litres_of_a_fuel_priced_per_tonne_go_through_its_density() {
    let dir = folder(
        "combustion = \"om-test@2024\"\nnon_co2 = \"om-mobile@2024\"\ngwp = \"om-test@2024\"\n",
        "site,2024,diesel,1000,L,GB,\n",
        "",
    );
    let c = compute(dir.path());
    // 1000 L x 0.84 kg/L = 840 kg = 0.84 t; CO2 0.84 x 3 = 2.52 t; CH4 0.84 t x 40 GJ/t = 33.6 GJ = 0.0336 TJ
    // x 100 kg (the road factor, the only one in om-mobile) = 3.36 kg x 28 = 0.09408 t.
    assert_eq!(value(&c, "scope1.gas.co2"), d("2.52"));
    assert_eq!(value(&c, "scope1.gas.ch4"), d("0.09408"));
    let ex = ghg_in(dir.path(), &["explain", "inventory.toml", "scope1.diesel"]);
    assert!(ex.stdout.contains("0.84 kg/L (density) [om-mobile@2024:diesel.density]"), "{}", ex.stdout);
}

#[test]
fn two_sets_may_not_declare_one_activity_differently() {
    let dir = folder(GASES, "fab,2024,om_r410a,1,kg,US,\n", "");
    std::fs::write(
        dir.path().join("f/om-other-2024.toml"),
        "[set]\nid = \"om-other\"\nedition = \"2024\"\ntitle = \"t\"\npublisher = \"p\"\npublished = \"unknown\"\n\
         source = \"s\"\nlicence = \"l\"\nconfidence = \"B\"\n\n[[activity]]\nid = \"om_etch\"\nname = \"Wafer etch\"\n\
         category = \"process\"\ndimensions = [\"count\"]\nunit = \"count\"\n",
    )
    .expect("write");
    // Located at the declaration read second (which file that is depends on what the process read before).
    let e = try_compute(dir.path());
    assert!(
        e.contains("activity \"om_etch\" is declared differently by om-test@2024")
            || e.contains("activity \"om_etch\" is declared differently by om-other@2024"),
        "{e}"
    );
    assert!(e.contains("declare it the same way in both, or use another id"), "{e}");
}

#[test]
fn business_flights_per_passenger_mile_from_the_shipped_epa_hub() {
    let dir = folder(
        "scope3 = \"epa-hub@2024\"\ngwp = \"ipcc-gwp@AR5\"\n",
        "office,2024,air_short_haul_us,1000,passenger-mile,US-CAMX,\n",
        "",
    );
    let c = compute(dir.path());
    // EPA Hub 2024 Table 10, short haul: 0.207 kg CO2, 0.0064 g CH4, 0.0066 g N2O per passenger-mile. 1000 mi:
    // 207 kg + 6.4 g x 28 + 6.6 g x 265 = 207 + 0.1792 + 1.749 = 208.9282 kg = 0.2089282 t, beside the totals.
    assert_eq!(value(&c, "scope3.cat6"), d("0.2089282"));
    assert_eq!(value(&c, "scope3"), d("0.2089282"));
    assert!(c.figure("total.location").is_none_or(|f| f.value.is_zero()));
}
