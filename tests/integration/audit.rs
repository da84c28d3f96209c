//! What an auditor sees in `ghg reconcile`: findings that blame only the parts that are off, gaps explained by
//! printed precision shown as consistent, internal checks of the report that count for the verdict, and stated
//! changes read as printed. Numbers checked by hand in the comments.

use std::path::Path;

use ghg::reconcile::{self, Direction, FindingKind, Outcome, ReportedFile, Status};
use ghg::{Inventory, calc};
use rust_decimal::Decimal;
use rust_decimal_macros::dec;

use super::util::{ghg_in, root};

fn seed(years: &[i32]) -> reconcile::Reconciliation {
    let invs: Vec<Inventory> = years
        .iter()
        .map(|y| Inventory::load(&root().join(format!("examples/hikvision-{y}/inventory.toml"))).expect("inventory"))
        .collect();
    let lib = ghg::library_for(&invs[0], &[]).expect("library");
    reconcile::reconcile_inventories(&invs, &lib, calc::ComputeOptions::default()).expect("reconciles")
}

fn findings<'a>(r: &'a reconcile::Reconciliation, year: i32, id: &str) -> Vec<&'a reconcile::Finding> {
    r.findings().filter(|f| f.year == year && f.figure.as_deref() == Some(id) && !f.kind.is_internal()).collect()
}

#[test]
fn a_gap_within_the_printed_factor_precision_is_consistent_and_names_its_finding() {
    let r = seed(&[2023]);
    let s2 = r.years[0].figures.iter().find(|f| f.id == "scope2.market").expect("scope2.market");
    // 270,899.4 MWh x 0.5568 = 150,836.78592 against the printed 150,848.8: -12.014. The factor is printed at four
    // places, ±0.00005 x 270,899.4 MWh = ±13.545 t, which covers the gap.
    assert_eq!(s2.difference, dec!(-12.01408));
    assert_eq!(s2.status, Status::Consistent);
    assert_eq!(s2.explained_by.as_deref(), Some("implied-factor: the factor used, within its printed precision"));
    // scope1 is 0.43 % off and nothing explains it: it stays within.
    let s1 = r.years[0].figures.iter().find(|f| f.id == "scope1").expect("scope1");
    assert_eq!((s1.status, s1.explained_by.as_deref()), (Status::Within, None));
}

#[test]
fn a_total_whose_parts_are_printed_is_blamed_on_the_part_that_is_off() {
    let r = seed(&[2022]);
    // energy.total 2022 is 1.338 tce under the printed 30,253.2; the gap is in energy.direct (natural gas), and
    // energy.indirect (electricity) is exact: no finding on energy.total may name electricity.
    let fs = findings(&r, 2022, "energy.total");
    assert!(fs.iter().all(|f| !matches!(f.kind, FindingKind::ImpliedFactor | FindingKind::ImpliedActivity)), "{fs:?}");
    assert!(fs.iter().all(|f| !f.message.contains("electricity")), "{fs:?}");
    let p = fs.iter().find(|f| f.kind == FindingKind::Propagated).expect("propagated");
    assert!(p.message.ends_with("the gap comes from energy.direct (within, -1.299)"), "{}", p.message);
    // scope1 2022 (-0.03 % on three fuels): no single fuel is offered as the explanation; each fuel's activity is
    // ruled out by the report's own activity figure, which reconciles.
    let fs = findings(&r, 2022, "scope1");
    assert!(fs.iter().all(|f| f.kind != FindingKind::ImpliedFactor), "{fs:?}");
    let ruled_out: Vec<_> = fs.iter().filter(|f| f.kind == FindingKind::ImpliedActivity).collect();
    assert_eq!(ruled_out.len(), 3);
    assert!(ruled_out.iter().all(|f| f.outcome == Outcome::DoesNotExplain
        && f.message.contains("reconciles (exact), so the gap is not in this activity")));
}

#[test]
fn an_energy_gap_says_how_much_activity_it_implies_at_the_factor_used() {
    let r = seed(&[2023]);
    let fs = findings(&r, 2023, "energy.indirect");
    let elec = fs
        .iter()
        .find(|f| f.kind == FindingKind::ImpliedActivity && f.message.contains("implied electricity"))
        .expect("implied electricity");
    // (32,740.5 tce - 1,540.39173 tce of PV) / 0.1229 kgce/kWh = 253,865.81 MWh; the ledger has 270,899.4.
    assert!(
        elec.message.contains(
            "the implied electricity is 253,865.81 MWh (interval [253,865.35, 253,866.27]) (the other lines held fixed); the ledger has 270,899.40 MWh, more by 17,033.59"
        ),
        "{}",
        elec.message
    );
    // The same gap put on the PV line alone would need a negative PV output.
    let pv = fs.iter().find(|f| f.message.contains("implied onsite_pv")).expect("implied onsite_pv");
    assert_eq!(pv.outcome, Outcome::DoesNotExplain);
    assert!(pv.message.contains("a negative activity is impossible"), "{}", pv.message);
    // No implied "factor" for electricity computed with the PV line held fixed.
    assert!(fs.iter().all(|f| f.kind != FindingKind::ImpliedFactor), "{fs:?}");
}

#[test]
fn when_no_library_factor_reproduces_a_figure_the_nearest_are_named_never_one_giving_0() {
    let r = seed(&[2022]);
    let f = findings(&r, 2022, "scope2.market")
        .into_iter()
        .find(|f| f.kind == FindingKind::ImpliedFactor)
        .expect("implied factor");
    assert!(f.candidates.is_empty());
    assert_eq!(f.nearest.len(), 3);
    assert!(f.nearest.iter().all(|c| !c.recomputed.is_zero()));
    // 218,563.8 MWh x 0.7075 = 154,633.8885 against the printed 154,300.2.
    assert_eq!(
        (f.nearest[0].factor.as_str(), f.nearest[0].recomputed),
        ("mee-grid@2021:grid.province.ah", dec!(154633.8885))
    );
    assert!(
        f.message.contains("nearest: mee-grid@2021:grid.province.ah 0.7075 gives 154,633.9 (+333.689, +0.22%)"),
        "{}",
        f.message
    );
}

fn parse(text: &str) -> Result<ReportedFile, Vec<String>> {
    ReportedFile::parse(Path::new("r.toml"), text).map_err(|d| d.0.iter().map(|e| e.to_string()).collect())
}

#[test]
fn stated_changes_are_read_as_printed_with_their_direction_words() {
    let head = "[[figure]]\nid = \"energy.total\"\nprinted = \"51,758.70 吨标煤\"\n";
    let change = |printed: &str| {
        let r = parse(&format!("{head}[[change]]\nid = \"energy.total\"\nprinted = \"{printed}\"\n")).expect("parses");
        let c = &r.changes[0];
        (c.printed.value, c.printed.unit.clone(), c.direction, c.magnitude)
    };
    assert_eq!(change("减少21.15%"), (dec!(-21.15), "%".to_string(), Some(Direction::Decrease), true));
    assert_eq!(change("a 21.15% reduction"), (dec!(-21.15), "%".to_string(), Some(Direction::Decrease), true));
    assert_eq!(change("同比下降 3.5%"), (dec!(-3.5), "%".to_string(), Some(Direction::Decrease), true));
    assert_eq!(change("增长 27%"), (dec!(27), "%".to_string(), Some(Direction::Increase), true));
    assert_eq!(change("up 1,234.5 吨标煤"), (dec!(1234.5), "吨标煤".to_string(), Some(Direction::Increase), true));
    assert_eq!(change("+43.0%"), (dec!(43.0), "%".to_string(), None, true));
    assert_eq!(change("下降"), (Decimal::ZERO, "%".to_string(), Some(Direction::Decrease), false));
    assert_eq!(change("增长"), (Decimal::ZERO, "%".to_string(), Some(Direction::Increase), false));
    let e = parse(&format!("{head}[[change]]\nid = \"energy.total\"\nprinted = \"减少+5%\"\n")).expect_err("sign");
    assert_eq!(
        e,
        vec![
            "r.toml:6:11: 'printed' change \"减少+5%\" is contradictory: its sign and its words point different ways (write the change as printed: \"+43.0%\", \"减少21.15%\", \"a 21.15% reduction\", \"下降\" or \"增长 27%\")"
        ]
    );
    let e = parse(&format!("{head}[[change]]\nid = \"energy.total\"\nprinted = \"增长下降\"\n")).expect_err("both");
    assert!(e[0].contains("is contradictory: it names both \"下降\" and \"增长\""), "{e:?}");
}

/// The 2024 seed year in a temporary folder, its reported file extended by `extra`.
fn year_2024_with(extra: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    let src = root().join("examples/hikvision-2024");
    for f in ["inventory.toml", "ledger.csv", "reported.toml"] {
        std::fs::copy(src.join(f), dir.path().join(f)).expect("copy");
    }
    let mut reported = std::fs::read_to_string(dir.path().join("reported.toml")).expect("read");
    reported.push_str(extra);
    std::fs::write(dir.path().join("reported.toml"), reported).expect("write");
    dir
}

#[test]
fn a_failing_internal_check_fails_the_reconciliation_unless_relaxed() {
    // 36,193.3 -> 51,758.70 tce is +43.006 %: "下降" (went down) fails, "增长 43.0%" and "a 43.0% increase" hold.
    let fails = year_2024_with("\n[[change]]\nid = \"energy.total\"\nprinted = \"下降\"\nfrom = \"36,193.3 吨标煤\"\n");
    let run = ghg_in(fails.path(), &["reconcile", "inventory.toml"]);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("[internal-change, fails] energy.total 下降: from 36,193.3 吨标煤 to 51,758.70 吨标煤 the change is +43.0% (as stated with the change); fails"), "{}", run.stdout);
    assert!(run.stdout.ends_with("verdict: 1 internal check(s) of the report fail (exit code 1)\n"), "{}", run.stdout);
    let relaxed = ghg_in(fails.path(), &["reconcile", "inventory.toml", "--internal-checks", "report"]);
    assert_eq!(relaxed.code, 0, "{}{}", relaxed.stdout, relaxed.stderr);
    assert!(relaxed.stdout.ends_with(
        "verdict: every reported figure reconciles; 1 internal check(s) of the report fail (not counted: --internal-checks report) (exit code 0)\n"
    ), "{}", relaxed.stdout);
    let json = ghg_in(fails.path(), &["reconcile", "inventory.toml", "--format", "json"]);
    assert_eq!(json.code, 1);
    let v: serde_json::Value = serde_json::from_str(&json.stdout).expect("json");
    assert_eq!(v["summary"]["exit_code"], 1, "{}", v["summary"]);
    assert_eq!(v["summary"]["failing_internal_checks"], 1);
    for holds in ["增长 43.0%", "a 43.0% increase", "增长"] {
        let dir = year_2024_with(&format!(
            "\n[[change]]\nid = \"energy.total\"\nprinted = \"{holds}\"\nfrom = \"36,193.3 吨标煤\"\n"
        ));
        let run = ghg_in(dir.path(), &["reconcile", "inventory.toml"]);
        assert_eq!(run.code, 0, "{holds}: {}{}", run.stdout, run.stderr);
        assert!(run.stdout.contains(&format!("[internal-change, holds] energy.total {holds}:")), "{}", run.stdout);
    }
}
