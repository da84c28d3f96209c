//! Hand-checked vectors (tests/data/vectors.csv): one ledger row, one factor, the expected result computed by
//! hand (python decimal) independently of this code. Each row is run through the real engine with an inventory
//! that picks exactly that factor.

use ghg::calc::{self, ComputeOptions};
use ghg::{FactorLibrary, FactorRef, Inventory};
use rust_decimal::Decimal;

fn choice_for(figure: &str, kind: ghg::factor::FactorKind, gas: Option<ghg::Gas>) -> &'static str {
    use ghg::factor::FactorKind::*;
    match (figure, kind, gas) {
        (_, StandardCoal, _) => "standard_coal",
        (f, _, _) if f.starts_with("scope2") => "grid",
        (_, Emission, Some(ghg::Gas::CH4 | ghg::Gas::N2O)) => "non_co2",
        _ => "combustion",
    }
}

#[test]
fn hand_checked_vectors() {
    let lib = FactorLibrary::builtin().expect("library");
    let path = crate::util::root().join("tests/data/vectors.csv");
    let mut rdr = csv::Reader::from_path(&path).expect("vectors.csv");
    let mut n = 0;
    let mut failures = Vec::new();
    for rec in rdr.records() {
        let rec = rec.expect("record");
        let get = |k: &str| {
            rec.get(
                ["name", "activity", "quantity", "unit", "factor", "figure", "expected", "expected_unit"]
                    .iter()
                    .position(|x| *x == k)
                    .expect("column"),
            )
            .unwrap_or("")
            .to_string()
        };
        let (name, activity, quantity, unit, factor, figure, expected, expected_unit) = (
            get("name"),
            get("activity"),
            get("quantity"),
            get("unit"),
            get("factor"),
            get("figure"),
            get("expected"),
            get("expected_unit"),
        );
        let fref = FactorRef::parse(&factor).expect("factor ref");
        let (set, f) = lib.factor(&fref).unwrap_or_else(|e| panic!("{name}: {e}"));
        let choice = choice_for(&figure, f.kind, f.gas);
        let dir = tempfile::tempdir().expect("tempdir");
        let region = if f.region == "GLOBAL" { "CN".to_string() } else { f.region.clone() };
        std::fs::write(
            dir.path().join("ledger.csv"),
            format!("entity,period,activity,quantity,unit,region\nv,2024,{activity},{quantity},{unit},{region}\n"),
        )
        .expect("ledger");
        let mut inv = format!(
            "organisation = \"v\"\nyear = 2024\nactivity_files = [\"ledger.csv\"]\n[factors]\nallow_year_mismatch = true\n{choice} = \"{}\"\n",
            set.key()
        );
        // Every row of a fuel also needs scope 1 CO2; every electricity row needs a grid factor. A row has one heating
        // value for all its gases: CH4 and N2O vectors are bridged through the guideline's NCV, as its CO2 is.
        let fuel = ["gasoline", "diesel", "natural_gas", "lpg", "fuel_oil", "coal"].contains(&activity.as_str());
        if fuel && choice != "combustion" {
            inv.push_str("combustion = \"cn-guideline-fuels@2015\"\n");
        }
        if choice == "non_co2" {
            inv.push_str("gwp = \"ipcc-gwp@AR5\"\n");
        }
        if activity == "electricity" && choice != "grid" {
            inv.push_str("grid = \"mee-grid@2022\"\n");
        }
        inv.push_str(&format!("[factors.pick]\n\"{choice}.{activity}\" = \"{}\"\n", f.id));
        std::fs::write(dir.path().join("inventory.toml"), inv).expect("inventory");
        let inv = Inventory::load(&dir.path().join("inventory.toml")).expect("inventory parses");
        let c = match calc::compute(&inv, &lib, ComputeOptions::default()) {
            Ok(c) => c,
            Err(e) => {
                failures.push(format!("{name}: {e}"));
                continue;
            }
        };
        let got: Decimal = c
            .lines
            .iter()
            .filter(|l| l.figure == figure && (choice != "non_co2" || l.gas == f.gas))
            .map(|l| l.value)
            .sum();
        let unit_got = c.figures.get(&figure).map(|x| x.unit.clone()).unwrap_or_default();
        let want: Decimal = expected.parse().expect("expected decimal");
        if got.normalize() != want.normalize() || unit_got != expected_unit {
            failures.push(format!("{name}: expected {want} {expected_unit}, got {} {unit_got}", got.normalize()));
        }
        n += 1;
    }
    assert!(n >= 20, "only {n} vectors");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
