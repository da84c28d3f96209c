//! Certificate ledger: each quality check as warning and as error, allocation rules, PPAs, coverage, residual
//! comparison, and the dual-reporting block in every compute format.
//!
//! Factors are the round test sets in tests/data/scenario/factors (grid 0.5 tCO2/MWh, residual excluding
//! market-traded non-fossil power 0.6, market IN 0.8; gasoline 3 tCO2/t), so every expected number below is
//! arithmetic shown in its comment.

use std::path::{Path, PathBuf};

use ghg::calc::{self, Computation, ComputeOptions};
use ghg::{Diagnostics, FactorLibrary, Inventory};
use rust_decimal::Decimal;
use rust_decimal_macros::dec;

use crate::util::root;

pub fn factors_dir() -> PathBuf {
    root().join("tests/data/scenario/factors")
}

/// An inventory over the test factors, with `extra` TOML appended (e.g. a [certificates] section).
pub fn inventory_text(extra: &str) -> String {
    format!(
        r#"organisation = "Test Co"
year = 2024
activity_files = ["ledger.csv"]
factor_paths = [{:?}]

[denominators.revenue]
quantity = "1000"
unit = "百万元"

[factors]
combustion = "test-fuels@1"
standard_coal = "test-coal@1"
grid = "test-grid@1"
residual = "test-grid@1:grid.national"

[factors.region_fallback]
"*" = "CN"
{extra}"#,
        factors_dir().display().to_string()
    )
}

pub const HEADER: &str =
    "entity,period,activity,quantity,unit,region,note,instrument,vintage,certificate_id,supplier_factor\n";

pub fn setup(dir: &Path, extra: &str, rows: &str) -> Inventory {
    std::fs::write(dir.join("inventory.toml"), inventory_text(extra)).expect("write inventory");
    std::fs::write(dir.join("ledger.csv"), format!("{HEADER}{rows}")).expect("write ledger");
    Inventory::load(&dir.join("inventory.toml")).expect("inventory")
}

pub fn lib() -> FactorLibrary {
    let mut l = FactorLibrary::empty();
    l.add_dir(&factors_dir()).expect("test factors");
    l
}

fn run(extra: &str, rows: &str, strict: bool) -> Result<Computation, Diagnostics> {
    let dir = tempfile::tempdir().expect("tempdir");
    let inv = setup(dir.path(), extra, rows);
    calc::compute(&inv, &lib(), ComputeOptions { strict, keep_lines: true })
}

fn ok(extra: &str, rows: &str) -> Computation {
    run(extra, rows, true).unwrap_or_else(|d| panic!("computes: {d}"))
}

fn f(c: &Computation, id: &str) -> Decimal {
    c.figures[id].value
}

fn codes(c: &Computation) -> Vec<&str> {
    c.warnings.iter().map(|w| w.code).collect()
}

fn message<'a>(c: &'a Computation, code: &str) -> &'a str {
    c.warnings.iter().find(|w| w.code == code).map(|w| w.message.as_str()).unwrap_or("")
}

const GRID: &str = "plant-a,2024,electricity,1000,MWh,CN,,,,,\n";

#[test]
fn vintage_inside_the_window_passes() {
    // Window around 2024: 6 months before, 3 after = 2023-07..2025-03.
    for v in ["2024", "2024-03", "2024-Q4", "2023-07..2024-06", "2025-03"] {
        let c = ok("", &format!("{GRID}plant-a,2024,certificate,100,MWh,CN,,GEC,{v},,\n"));
        assert!(!codes(&c).contains(&"certificate-vintage"), "vintage {v}: {:?}", c.warnings);
        // (1000 - 100) MWh x 0.5 tCO2/MWh = 450
        assert_eq!(f(&c, "scope2.market"), dec!(450), "vintage {v}");
    }
}

#[test]
fn vintage_outside_the_window_warns_by_default_and_the_certificate_is_used() {
    let c = ok("", &format!("{GRID}plant-a,2024,certificate,100,MWh,CN,,GEC,2023-06,,\n"));
    assert_eq!(
        message(&c, "certificate-vintage"),
        "vintage 2023-06 is outside the window 2023-07..2025-03 (6 months before to 3 after the consumption period 2024)"
    );
    assert_eq!(f(&c, "scope2.market"), dec!(450));
    let c = ok("", &format!("{GRID}plant-a,2024,certificate,100,MWh,CN,,GEC,,,\n"));
    assert_eq!(
        message(&c, "certificate-vintage"),
        "certificate vintage is not stated, so it cannot be checked against 2023-07..2025-03 (6 months before to 3 after the consumption period 2024)"
    );
}

#[test]
fn vintage_window_and_severity_follow_the_inventory() {
    let extra = "\n[certificates]\nvintage = \"error\"\nvintage_months_before = 0\nvintage_months_after = 0\n";
    let rows = format!("{GRID}plant-a,2024,certificate,100,MWh,CN,,GEC,2023-12,,\n");
    let d = run(extra, &rows, true).expect_err("strict mode stops on a certificate error");
    let msg = d.to_string();
    assert!(msg.contains("ledger.csv:3: vintage 2023-12"), "{msg}");
    assert!(
        msg.contains("vintage 2023-12 is outside the window 2024-01..2024-12 (0 months before to 0 after the consumption period 2024)"),
        "{msg}"
    );
    assert_eq!(d.0[0].kind.code(), "certificate");
    // Lenient: the row is rejected, the certificate is not used: 1000 x 0.5 = 500.
    let c = run(extra, &rows, false).expect("lenient computes");
    assert_eq!(c.rejected.len(), 1);
    assert_eq!(f(&c, "scope2.market"), dec!(500));
    assert_eq!(c.provenance.rows.rejected, 1);
}

#[test]
fn market_mismatch_is_an_error_by_default() {
    let rows = format!("{GRID}plant-a,2024,certificate,100,MWh,IN,,I-REC,2024,,\n");
    let d = run("", &rows, true).expect_err("certificate from another market");
    assert!(
        d.to_string().contains("certificate market IN differs from where entity plant-a used grid electricity (CN)"),
        "{d}"
    );
    // As a warning, it covers the entity's electricity anyway: (1000 - 100) x 0.5 = 450.
    let c = ok("\n[certificates]\nmarket = \"warning\"\n", &rows);
    assert!(codes(&c).contains(&"certificate-market"));
    assert_eq!(f(&c, "scope2.market"), dec!(450));
    assert_eq!(c.scope2.allocations[0].certificate_market, "IN");
    assert_eq!(c.scope2.allocations[0].market, "CN");
}

#[test]
fn a_certificate_id_claimed_twice() {
    let rows = format!(
        "{GRID}plant-a,2024,certificate,100,MWh,CN,,GEC,2024,GEC-7,\nplant-a,2024,certificate,100,MWh,CN,,GEC,2024,GEC-7,\n"
    );
    let d = run("", &rows, true).expect_err("duplicate id is an error by default");
    assert!(d.to_string().contains("ledger.csv:4: certificate id"), "{d}");
    assert!(d.to_string().contains("certificate id 'GEC-7' is already claimed at "), "{d}");
    assert!(d.to_string().contains("ledger.csv:3"), "{d}");
    // Lenient: the second claim is dropped: (1000 - 100) x 0.5 = 450.
    let c = run("", &rows, false).expect("lenient");
    assert_eq!(f(&c, "scope2.market"), dec!(450));
    // As a warning both are used: (1000 - 200) x 0.5 = 400.
    let c = ok("\n[certificates]\nduplicate_id = \"warning\"\n", &rows);
    assert!(codes(&c).contains(&"certificate-duplicate-id"));
    assert_eq!(f(&c, "scope2.market"), dec!(400));
}

#[test]
fn certificates_beyond_grid_electricity_are_reported_not_used() {
    let rows = format!("{GRID}plant-a,2024,certificate,1500,MWh,CN,,GEC,2024,,\n");
    let c = ok("", &rows);
    assert_eq!(
        message(&c, "certificate-excess"),
        "certificates of 1500 MWh exceed the uncovered grid electricity they may cover (1000 MWh in market CN) by 500 MWh; the excess is not used"
    );
    assert_eq!(f(&c, "scope2.market"), Decimal::ZERO);
    assert_eq!(f(&c, "electricity.renewable"), dec!(1000));
    assert_eq!(f(&c, "activity.certificate"), dec!(1500));
    assert_eq!(c.scope2.coverage[0].share, Decimal::ONE);
    let d = run("\n[certificates]\nexcess = \"error\"\n", &rows, true).expect_err("excess as error");
    assert!(d.to_string().contains("exceed the uncovered grid electricity"), "{d}");
}

const TWO_PLANTS: &str = "plant-a,2024,electricity,1000,MWh,CN-ZJ,,,,,\nplant-b,2024,electricity,3000,MWh,CN-GD,,,,,\n";

fn entity(c: &Computation, e: &str, id: &str) -> Decimal {
    c.by_entity[e][id].value
}

#[test]
fn company_purchase_pro_rata_by_grid_mwh() {
    let c = ok("", &format!("{TWO_PLANTS}group,2024,certificate,800,MWh,CN,,GEC,2024,,\n"));
    // 800 x 1000/4000 = 200 to plant-a, 800 x 3000/4000 = 600 to plant-b: one allocation for the row, the
    // shares per entity.
    let a: Vec<(String, Decimal, String, usize)> =
        c.scope2.allocations.iter().map(|a| (a.entity.clone(), a.mwh, a.rule.clone(), a.entities)).collect();
    assert_eq!(a, vec![("2 entities".into(), dec!(800), "pro rata".into(), 2)]);
    let e: Vec<(String, Decimal)> = c.scope2.entities.iter().map(|e| (e.entity.clone(), e.covered_mwh)).collect();
    assert_eq!(e, vec![("plant-a".into(), dec!(200)), ("plant-b".into(), dec!(600))]);
    // plant-a (1000 - 200) x 0.5 = 400; plant-b (3000 - 600) x 0.5 = 1200.
    assert_eq!(entity(&c, "plant-a", "scope2.market"), dec!(400));
    assert_eq!(entity(&c, "plant-b", "scope2.market"), dec!(1200));
    // The trace of scope2.market shows the allocation.
    let t = calc::trace(&c, "scope2.market", None).expect("trace");
    let f: Vec<&str> = t.lines.iter().map(|l| &*l.formula).collect();
    assert!(f.iter().any(|x| x.starts_with("- 200 MWh covered (pro rata: 1000/4000 of 800 MWh)")), "{f:?}");
    assert_eq!(t.lines_sum, dec!(1600));
}

#[test]
fn company_purchase_to_a_named_entity() {
    let c = ok(
        "\n[certificates]\nallocation = \"named\"\nallocate_to = \"plant-b\"\n",
        &format!("{TWO_PLANTS}group,2024,certificate,800,MWh,CN,,GEC,2024,,\n"),
    );
    // All 800 to plant-b: (3000 - 800) x 0.5 = 1100; plant-a keeps 1000 x 0.5 = 500.
    assert_eq!(entity(&c, "plant-b", "scope2.market"), dec!(1100));
    assert_eq!(entity(&c, "plant-a", "scope2.market"), dec!(500));
    assert_eq!(c.scope2.allocations[0].rule, "named");
}

#[test]
fn an_entitys_own_purchase_covers_only_its_own_electricity() {
    let c = ok("", &format!("{TWO_PLANTS}plant-a,2024,certificate,1200,MWh,CN,,GEC,2024,,\n"));
    // plant-a covers its 1000 MWh; 200 MWh excess even though plant-b has room.
    assert_eq!(entity(&c, "plant-a", "scope2.market"), Decimal::ZERO);
    assert_eq!(entity(&c, "plant-b", "scope2.market"), dec!(1500));
    assert!(message(&c, "certificate-excess").contains("by 200 MWh"));
}

#[test]
fn own_purchases_first_then_company_purchases_pro_rata_on_what_is_left() {
    let c = ok(
        "",
        &format!(
            "{TWO_PLANTS}group,2024,certificate,1000,MWh,CN,,GEC,2024,,\nplant-a,2024,certificate,500,MWh,CN,,GEC,2024,,\n"
        ),
    );
    // plant-a's own 500 first; then 1000 over the uncovered 500 (plant-a) and 3000 (plant-b).
    let group: Decimal = c.scope2.allocations.iter().filter(|a| a.from_entity == "group").map(|a| a.mwh).sum();
    assert_eq!(group, dec!(1000), "shares add up exactly");
    let share = |e: &str| {
        let t = calc::trace(&c, "electricity.renewable", None).expect("trace");
        t.lines.iter().filter(|l| l.entity == e && l.formula.contains("pro rata")).map(|l| l.value).sum::<Decimal>()
    };
    // 1000 x 500 / 3500 = 142.857142857142|857... and 1000 x 3000 / 3500 = 857.142857142857|142..., cut at 12
    // places, leave one 10^-12 MWh; it goes to the larger remainder (0.857 of a unit, plant-a's).
    assert_eq!(share("plant-a"), dec!(142.857142857143));
    assert_eq!(share("plant-b"), dec!(857.142857142857));
    // Market-based: (4000 - 1500) x 0.5 = 1250, exactly.
    assert_eq!(f(&c, "scope2.market"), dec!(1250));
}

#[test]
fn a_ppa_is_priced_at_its_supplier_factor() {
    for sf in ["0.2", "200 kgCO2/MWh", "0.2 tCO2e/MWh"] {
        let c = ok("", &format!("{TWO_PLANTS}plant-b,2024,certificate,500,MWh,CN,,PPA,2024,,{sf}\n"));
        // 4000 x 0.5 - 500 x 0.5 + 500 x 0.2 = 2000 - 250 + 100 = 1850
        assert_eq!(f(&c, "scope2.market"), dec!(1850), "supplier factor {sf}");
        assert_eq!(c.scope2.coverage[0].by_instrument, vec![("PPA".to_string(), dec!(500))]);
    }
    let d = run("", &format!("{TWO_PLANTS}plant-b,2024,certificate,500,MWh,CN,,PPA,2024,,0.2 t\n"), true)
        .expect_err("bad unit");
    assert!(d.to_string().contains("supplier factor unit 't'"), "{d}");
}

#[test]
fn coverage_per_market_in_mwh_and_share() {
    let c = ok(
        "",
        &format!(
            "{TWO_PLANTS}plant-c,2024,electricity,1000,MWh,IN,,,,,\ngroup,2024,certificate,800,MWh,CN,,GEC,2024,,\nplant-c,2024,certificate,250,MWh,IN,,I-REC,2024,,\n"
        ),
    );
    let cov: Vec<(String, Decimal, Decimal, Decimal)> =
        c.scope2.coverage.iter().map(|m| (m.market.clone(), m.grid_mwh, m.covered_mwh, m.share)).collect();
    // CN 800 of 4000 = 0.2; IN 250 of 1000 = 0.25
    assert_eq!(
        cov,
        vec![("CN".into(), dec!(4000), dec!(800), dec!(0.2)), ("IN".into(), dec!(1000), dec!(250), dec!(0.25))]
    );
    // IN is priced at its own factor... the residual is pinned to grid.national for every market (falls back):
    // market-based = (4000 - 800) x 0.5 + (1000 - 250) x 0.5 = 1600 + 375 = 1975.
    assert_eq!(f(&c, "scope2.market"), dec!(1975));
    // Location-based: 4000 x 0.5 + 1000 x 0.8 = 2800.
    assert_eq!(f(&c, "scope2.location"), dec!(2800));
}

#[test]
fn grid_average_residual_warns_and_shows_both_figures() {
    let rows = format!("{TWO_PLANTS}group,2024,certificate,800,MWh,CN,,GEC,2024,,\n");
    let c = ok("", &rows);
    let r = c.scope2.residual.as_ref().expect("comparison");
    // Chosen: (4000 - 800) x 0.5 = 1600; alternative: 3200 x 0.6 = 1920.
    assert_eq!((r.scope2_market, r.scope2_market_alternative, r.uncovered_mwh), (dec!(1600), dec!(1920), dec!(3200)));
    assert!(message(&c, "residual-is-grid-average").ends_with(
        "scope2.market = 1,600.00 tCO2e with test-grid@1:grid.national (grid average, as chosen), 1,920.00 tCO2e with test-grid@1:grid.national.excl_market_nonfossil (excludes market-traded non-fossil power)"
    ));
    // The alternative figure is what the calculation gives with that residual.
    let dir = tempfile::tempdir().expect("tempdir");
    let text = inventory_text("").replace(
        "residual = \"test-grid@1:grid.national\"",
        "residual = \"test-grid@1:grid.national.excl_market_nonfossil\"",
    );
    std::fs::write(dir.path().join("inventory.toml"), text).expect("write");
    std::fs::write(dir.path().join("ledger.csv"), format!("{HEADER}{rows}")).expect("write");
    let inv = Inventory::load(&dir.path().join("inventory.toml")).expect("inventory");
    let c2 = calc::compute(&inv, &lib(), ComputeOptions::default()).expect("computes");
    assert_eq!(f(&c2, "scope2.market"), r.scope2_market_alternative);
    assert!(!c2.warnings.iter().any(|w| w.code == "residual-is-grid-average"));
    // No certificates: no warning.
    let c3 = ok("", TWO_PLANTS);
    assert!(!codes(&c3).contains(&"residual-is-grid-average"));
}

#[test]
fn certificates_policy_errors_have_locations() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        dir.path().join("inventory.toml"),
        inventory_text("\n[certificates]\nvintage = \"fatal\"\nallocation = \"named\"\nfoo = 1\n"),
    )
    .expect("write");
    let d = Inventory::load(&dir.path().join("inventory.toml")).expect_err("bad policy");
    let m = d.to_string();
    assert!(m.contains("inventory.toml:20:11: certificates.vintage = \"fatal\" is not warning or error"), "{m}");
    assert!(m.contains("certificates.allocation = \"named\" needs allocate_to"), "{m}");
    assert!(m.contains("unknown key 'foo' in [certificates]"), "{m}");
}

#[test]
fn dual_reporting_in_every_compute_format() {
    let dir = tempfile::tempdir().expect("tempdir");
    setup(dir.path(), "", &format!("{TWO_PLANTS}group,2024,certificate,800,MWh,CN,,GEC,2024,,\n"));
    let inv = dir.path().join("inventory.toml");
    let inv = inv.to_str().expect("utf-8 path");
    let t = crate::util::ghg(&["compute", inv]);
    assert_eq!(t.code, 0, "{}", t.stderr);
    // No fuels: totals equal scope 2; intensity = total / 1000 million CNY.
    assert!(t.stdout.contains("  location-based       2,000.00     2,000.00       2.00\n"), "{}", t.stdout);
    assert!(t.stdout.contains("  market-based         1,600.00     1,600.00       1.60\n"), "{}", t.stdout);
    assert!(t.stdout.contains("  CN      4,000.00       800.00  20.00 %  GEC 800.00\n"), "{}", t.stdout);
    let m = crate::util::ghg(&["compute", inv, "--format", "markdown"]);
    assert!(m.stdout.contains("| market-based | 1,600.00 | 1,600.00 | 1.60 |"), "{}", m.stdout);
    assert!(m.stdout.contains("| CN | 4,000.00 | 800.00 | 20.00 % | GEC 800.00 |"), "{}", m.stdout);
    let c = crate::util::ghg(&["compute", inv, "--format", "csv"]);
    for row in [
        "coverage.CN.grid,4000,MWh,\"4,000.00\"",
        "coverage.CN.covered,800,MWh,\"800.00\"",
        "coverage.CN.share,20,%,\"20.00\"",
        "coverage.CN.GEC,800,MWh,\"800.00\"",
    ] {
        assert!(c.stdout.lines().any(|l| l == row), "missing {row} in\n{}", c.stdout);
    }
    let j = crate::util::ghg(&["compute", inv, "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&j.stdout).expect("json");
    assert_eq!(v["scope2"]["methods"]["location"]["scope2"]["value"], "2000");
    assert_eq!(v["scope2"]["methods"]["market"]["scope2"]["value"], "1600");
    assert_eq!(v["scope2"]["coverage"][0]["share_percent"], "20");
    assert_eq!(v["scope2"]["allocations"][0]["mwh"], "800");
    assert_eq!(v["scope2"]["entities"][1]["covered_mwh"], "600");
    assert_eq!(v["scope2"]["residual"]["alternative"]["scope2_market"], "1920");
}
