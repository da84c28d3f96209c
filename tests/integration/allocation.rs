//! Certificate allocation: the result does not depend on the order of the ledger rows; shares and deductions add
//! up to the last digit; a certificate that covers a pool fully leaves exactly 0; an overflow is a located error;
//! output grows with entities + certificates, not with their product.
//!
//! Factors are the round test sets of tests/integration/certificates.rs (residual and grid 0.5 tCO2/MWh), so
//! every expected number below is arithmetic shown in its comment.

use std::path::Path;

use ghg::calc::{self, Computation, ComputeOptions};
use proptest::prelude::*;
use rust_decimal::Decimal;
use rust_decimal_macros::dec;

use crate::certificates::{HEADER, lib, setup};
use crate::util::ghg_in;

fn compute(dir: &Path, rows: &str, strict: bool) -> Computation {
    let extra = if strict { "" } else { "\n[certificates]\nmarket = \"warning\"\n" };
    let inv = setup(dir, extra, rows);
    calc::compute(&inv, &lib(), ComputeOptions { strict, keep_lines: true }).unwrap_or_else(|d| panic!("computes: {d}"))
}

fn ok(rows: &str) -> Computation {
    let dir = tempfile::tempdir().expect("tempdir");
    compute(dir.path(), rows, true)
}

fn market(c: &Computation, e: &str) -> Decimal {
    c.by_entity[e]["scope2.market"].value
}

fn covered(c: &Computation, e: &str) -> Decimal {
    c.scope2.entities.iter().filter(|x| x.entity == e).map(|x| x.covered_mwh).sum()
}

#[test]
fn a_ppa_and_a_gec_give_the_same_result_in_either_order() {
    // Entity a: 1 MWh of grid electricity and two own certificates of 1 MWh. The GEC (zero emission) ranks before
    // the PPA (supplier factor 0.5), whichever row comes first: 1 x 0.5 - 1 x 0.5 = 0, and the PPA is the excess.
    let grid = "a,2024,electricity,1,MWh,CN,,,,,\n";
    let ppa = "a,2024,certificate,1,MWh,CN,,PPA,2024,,0.5\n";
    let gec = "a,2024,certificate,1,MWh,CN,,GEC,2024,,\n";
    for rows in [format!("{grid}{ppa}{gec}"), format!("{grid}{gec}{ppa}")] {
        let c = ok(&rows);
        assert_eq!(c.figures["scope2.market"].value, Decimal::ZERO, "{rows}");
        let a: Vec<(usize, String, Decimal)> =
            c.scope2.allocations.iter().map(|a| (a.rank, a.instrument.clone(), a.mwh)).collect();
        assert_eq!(a, vec![(1, "GEC".to_string(), dec!(1))]);
        let w = c.warnings.iter().find(|w| w.code == "certificate-excess").expect("excess");
        assert_eq!(
            w.location.as_ref().map(|l| l.line),
            Some(Some(if rows.find(ppa) < rows.find(gec) { 3 } else { 4 }))
        );
    }
    // The rule is stated where a user looks: once in the report (and beside `explain`), and every deduction line
    // names its place in that order.
    let c = ok(&format!("{grid}{ppa}{gec}"));
    assert!(c.scope2.rule.starts_with("own-entity rows before company-level rows; zero-emission before"));
    let t = calc::trace(&c, "scope2.market", None).expect("no overflow").expect("trace");
    assert!(t.lines.iter().any(|l| l.formula.ends_with("row 1 of 2 in the allocation order")));
}

#[test]
fn a_certificate_that_covers_its_pool_fully_leaves_exactly_zero() {
    // 1000 MWh over 709.450479746218 + 7.7084001789 = 717.158879925118 MWh: everything covered, 282.841120074882
    // MWh excess; each entity keeps exactly 0.
    let rows = "a,2024,electricity,709.450479746218,MWh,CN,,,,,\nb,2024,electricity,7.7084001789,MWh,CN,,,,,\ngroup,2024,certificate,1000,MWh,CN,,GEC,2024,,\n";
    let c = ok(rows);
    assert_eq!(market(&c, "a"), Decimal::ZERO);
    assert_eq!(market(&c, "b"), Decimal::ZERO);
    assert_eq!(c.figures["scope2.market"].value, Decimal::ZERO);
    assert_eq!(covered(&c, "a"), dec!(709.450479746218));
    assert_eq!(covered(&c, "b"), dec!(7.7084001789));
    assert_eq!(c.scope2.coverage[0].share, Decimal::ONE);
    assert_eq!(c.figures["electricity.renewable"].value, dec!(717.158879925118));
    let w = c.warnings.iter().find(|w| w.code == "certificate-excess").expect("excess");
    assert!(w.message.ends_with("by 282.841120074882 MWh; the excess is not used"), "{}", w.message);
    // As the CLI shows it: 100 %.
    let dir = tempfile::tempdir().expect("tempdir");
    setup(dir.path(), "", rows);
    let j = ghg_in(dir.path(), &["compute", "inventory.toml", "--format", "json"]);
    assert_eq!(j.code, 0, "{}", j.stderr);
    let v: serde_json::Value = serde_json::from_str(&j.stdout).expect("json");
    assert_eq!(v["scope2"]["coverage"][0]["share_percent"], "100");
    assert_eq!(v["scope2"]["methods"]["market"]["scope2"]["value"], "0");
}

const SEVENTHS: &str =
    "e1,2024,electricity,1,MWh,CN,,,,,\ne2,2024,electricity,2,MWh,CN,,,,,\ne4,2024,electricity,4,MWh,CN,,,,,\n";

#[test]
fn the_deductions_of_one_certificate_add_up_to_its_covered_mwh_times_the_factor() {
    // 1 MWh over 1, 2 and 4 MWh: 1/7, 2/7, 4/7 = 0.142857142857|14, 0.285714285714|29, 0.571428571428|57; the one
    // 10^-12 MWh left goes to the largest remainder (e4). Deduction 1 x 0.5 = 0.5 split the same way:
    // 0.071428571428|5, 0.142857142857, 0.285714285714|5, the unit left to the first of the equal remainders (e1).
    let c = ok(&format!("{SEVENTHS}group,2024,certificate,1,MWh,CN,,GEC,2024,,\n"));
    let e: Vec<(String, Decimal, Decimal)> =
        c.scope2.entities.iter().map(|e| (e.entity.clone(), e.covered_mwh, e.deducted_t)).collect();
    assert_eq!(
        e,
        vec![
            ("e1".into(), dec!(0.142857142857), dec!(0.071428571429)),
            ("e2".into(), dec!(0.285714285714), dec!(0.142857142857)),
            ("e4".into(), dec!(0.571428571429), dec!(0.285714285714)),
        ]
    );
    // 0.5 - 0.071428571429, 1 - 0.142857142857, 2 - 0.285714285714; together 3.5 - 0.5 = 3 exactly.
    assert_eq!(market(&c, "e1"), dec!(0.428571428571));
    assert_eq!(market(&c, "e2"), dec!(0.857142857143));
    assert_eq!(market(&c, "e4"), dec!(1.714285714286));
    assert_eq!(c.figures["scope2.market"].value, dec!(3));
    assert_eq!(c.scope2.allocations[0].deducted_t, dec!(0.5));
    // The lines of the row say the same: covered MWh add up to 1, deductions to -0.5.
    let t = calc::trace(&c, "scope2.market", None).expect("no overflow").expect("trace");
    let cert: Decimal = t.lines.iter().filter(|l| l.source.line == Some(5)).map(|l| l.value).sum();
    assert_eq!(cert, dec!(-0.5));

    // A PPA at 0.3 tCO2e/MWh adds 1 x 0.3 = 0.3, split 0.042857142857|1, 0.085714285714|2, 0.171428571428|7, the
    // unit left to e4: 0.5 - 0.071428571429 + 0.042857142857 = 0.471428571428, 1 - 0.142857142857 +
    // 0.085714285714 = 0.942857142857, 2 - 0.285714285714 + 0.171428571429 = 1.885714285715; together 3.3.
    let c = ok(&format!("{SEVENTHS}group,2024,certificate,1,MWh,CN,,PPA,2024,,0.3\n"));
    assert_eq!(market(&c, "e1"), dec!(0.471428571428));
    assert_eq!(market(&c, "e2"), dec!(0.942857142857));
    assert_eq!(market(&c, "e4"), dec!(1.885714285715));
    assert_eq!(c.figures["scope2.market"].value, dec!(3.3));
    assert_eq!((c.scope2.allocations[0].deducted_t, c.scope2.allocations[0].added_t), (dec!(0.5), dec!(0.3)));
}

#[test]
fn pools_of_10_to_the_14_mwh_are_allocated_exactly() {
    // 10^14 MWh over three entities of 10^14: 10^26 units of 10^-12 MWh split in three, the unit left to the first;
    // market-based (3 x 10^14 - 10^14) x 0.5 = 10^14 exactly (covered x uncovered needs 173 bits).
    let e = "100000000000000";
    let c = ok(&format!(
        "a,2024,electricity,{e},MWh,CN,,,,,\nb,2024,electricity,{e},MWh,CN,,,,,\nc,2024,electricity,{e},MWh,CN,,,,,\ngroup,2024,certificate,{e},MWh,CN,,GEC,2024,,\n"
    ));
    assert_eq!(covered(&c, "a"), dec!(33333333333333.333333333334));
    assert_eq!(covered(&c, "b"), dec!(33333333333333.333333333333));
    assert_eq!(c.scope2.coverage[0].covered_mwh, dec!(100000000000000));
    assert_eq!(c.figures["scope2.market"].value, dec!(100000000000000));
    assert_eq!(market(&c, "a"), dec!(33333333333333.333333333333));
}

#[test]
fn an_overflow_in_allocation_is_a_located_error_not_zero_nor_a_panic() {
    // Two entities of 4 x 10^28 MWh each: their sum does not fit 28 digits.
    let grid = "a,2024,electricity,40000000000000000000000000000,MWh,CN,,,,,\nb,2024,electricity,40000000000000000000000000000,MWh,CN,,,,,\n";
    for (rows, at) in [
        (format!("{grid}group,2024,certificate,1,MWh,CN,,GEC,2024,,\n"), "ledger.csv:4: "),
        (grid.to_string(), "ledger.csv: "),
    ] {
        let dir = tempfile::tempdir().expect("tempdir");
        setup(dir.path(), "", &rows);
        let r = ghg_in(dir.path(), &["compute", "inventory.toml"]);
        assert_eq!(r.code, 2, "{}{}", r.stdout, r.stderr);
        assert!(r.stderr.contains(&format!("error: {at}")), "{}", r.stderr);
        assert!(r.stderr.contains("too large to allocate certificates exactly"), "{}", r.stderr);
        assert!(!r.stderr.contains("panicked"), "{}", r.stderr);
    }
}

/// One certificate row of the property test: entity, MWh (hundredths), instrument, supplier factor, id, vintage,
/// market.
type Row = (usize, u64, usize, usize, usize, usize, usize);

fn cert_row((e, q, i, sf, id, v, m): &Row) -> String {
    let entity = ["plant-a", "plant-b", "plant-c", "group", "holding"][*e];
    let market = ["CN", "CN", "IN", "US"][*m];
    let instrument = ["GEC", "PPA", "I-REC", ""][*i];
    let sf = ["", "0.2", "0.5", "0"][*sf];
    let id = ["", "X1", "X2"][*id];
    let vintage = ["2024", "2024-03", ""][*v];
    format!("{entity},2024,certificate,{},MWh,{market},,{instrument},{vintage},{id},{sf}\n", Decimal::new(*q as i64, 2))
}

fn rows_strategy() -> impl Strategy<Value = (Vec<Row>, Vec<Row>)> {
    prop::collection::vec((0usize..5, 0u64..300_000, 0usize..4, 0usize..4, 0usize..3, 0usize..3, 0usize..4), 1..9)
        .prop_flat_map(|rows| (Just(rows.clone()), Just(rows).prop_shuffle()))
}

/// Everything a user sees of a computation except the ledger locations (which move with the rows).
fn seen(c: &Computation) -> String {
    let mut lines: Vec<String> = c
        .lines
        .iter()
        .map(|l| format!("{} {} {} {} {} {}", l.figure, l.entity, l.region, l.quantity, l.value, l.formula))
        .collect();
    lines.sort();
    let allocations: Vec<String> = c
        .scope2
        .allocations
        .iter()
        .map(|a| {
            let mut a = a.clone();
            a.source = ghg::Location::file("-");
            format!("{a:?}")
        })
        .collect();
    let mut warnings: Vec<&str> = c.warnings.iter().map(|w| w.code).collect();
    warnings.sort();
    format!(
        "{:?}\n{:?}\n{:?}\n{:?}\n{allocations:?}\n{warnings:?}\n{}\n{lines:?}",
        c.figures,
        c.by_entity,
        c.scope2.coverage,
        c.scope2.entities,
        c.rejected.len()
    )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, .. ProptestConfig::default() })]

    #[test]
    fn every_order_of_the_certificate_rows_gives_the_same_result((rows, shuffled) in rows_strategy()) {
        // Two markets; certificates of a third (US) cover grid electricity elsewhere, as the market check is a
        // warning here; duplicate ids are rejected (lenient mode computes without them).
        let grid = "plant-a,2024,electricity,1000,MWh,CN-ZJ,,,,,\nplant-b,2024,electricity,3000,MWh,CN-GD,,,,,\nplant-c,2024,electricity,700,MWh,IN,,,,,\n";
        let text = |rows: &[Row]| format!("{grid}{}", rows.iter().map(cert_row).collect::<String>());
        let dir = tempfile::tempdir().expect("tempdir");
        let a = compute(dir.path(), &text(&rows), false);
        let b = compute(dir.path(), &text(&shuffled), false);
        prop_assert_eq!(seen(&a), seen(&b));
        // Certificates never take market-based scope 2 below zero.
        prop_assert!(a.figures["scope2.market"].value >= Decimal::ZERO);
    }
}

/// A ledger of `entities` entities with grid electricity and `certs` company-level certificate rows.
fn big_ledger(dir: &Path, entities: usize, certs: usize) {
    let mut rows = String::new();
    for e in 0..entities {
        rows.push_str(&format!("e{e:05},2024,electricity,{},MWh,CN,,,,,\n", 1000 + 7 * e));
    }
    for c in 0..certs {
        rows.push_str(&format!("group,2024,certificate,{},MWh,CN,,GEC,2024,G{c},\n", 1 + c % 5));
    }
    setup(dir, "", &rows);
}

#[test]
fn output_grows_with_entities_plus_certificates_not_their_product() {
    // 100 certificate rows, each pro rata over every entity: 100 x E shares if each were spread alone. Rows priced
    // alike are spread together (at most E + 100 shares), the table shows one allocation per row and one summary
    // per entity, so doubling the entities about doubles every output, the JSON with every line included.
    let size = |entities: usize, args: &[&str]| {
        let dir = tempfile::tempdir().expect("tempdir");
        big_ledger(dir.path(), entities, 100);
        let mut a = vec!["compute", "inventory.toml"];
        a.extend_from_slice(args);
        let r = ghg_in(dir.path(), &a);
        assert_eq!(r.code, 0, "{}", r.stderr);
        r.stdout
    };
    for args in [&[][..], &["--format", "json"][..], &["--format", "json", "--no-lines"][..]] {
        let (small, large) = (size(150, args), size(300, args));
        assert!(large.len() < small.len() * 22 / 10, "{args:?}: {} then {} bytes", small.len(), large.len());
        // Well under a line per share (30,000 shares): at most 8,000 bytes per entity or certificate row.
        assert!(large.len() < 8000 * (300 + 100), "{args:?}: {} bytes", large.len());
    }
    let table = size(300, &[]);
    assert!(table.contains("certificate allocation, in allocation order"), "{table}");
    // Rows of equal rank key up to the certificate id go by id: G99 (ledger line 401) is the last of the 100.
    assert!(table.contains("  100. ledger.csv:401 GEC of group (market CN) -> "), "{table}");
    assert_eq!(table.lines().filter(|l| l.contains(" grid MWh covered by ")).count(), 300);
    // `check` too: it succeeds and prints a line, not the shares.
    let dir = tempfile::tempdir().expect("tempdir");
    big_ledger(dir.path(), 300, 100);
    let r = ghg_in(dir.path(), &["check", "inventory.toml"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.len() < 2000, "{}", r.stdout);
}

#[test]
fn every_share_is_in_the_lines_on_request() {
    // Rows G0, G1, G2 of 1, 2 and 3 MWh, priced alike, over 1000, 1007, 1014 and 1021 MWh (4042): spread together,
    // 6 MWh x 1000/4042 = 1.484413656605|64, x 1007/4042 = 1.494804552201|88, x 1014/4042 = 1.505195447798|12,
    // x 1021/4042 = 1.515586343394|36; the two units left go to the largest remainders (e00001, e00000). G0 takes
    // 1 of e00000's, G1 the rest of e00000's (0.484413656606), e00001's and 2 - 0.484413656606 - 1.494804552202 =
    // 0.020781791192 of e00002's, G2 the rest: 1 + 3 + 2 = 6 shares, not 3 x 4.
    let dir = tempfile::tempdir().expect("tempdir");
    big_ledger(dir.path(), 4, 3);
    let r = ghg_in(dir.path(), &["explain", "inventory.toml", "electricity.renewable"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("lines (6):"), "{}", r.stdout);
    for (line, entity, mwh) in [
        (6, "e00000", "1"),
        (7, "e00000", "0.484413656606"),
        (7, "e00001", "1.494804552202"),
        (7, "e00002", "0.020781791192"),
        (8, "e00002", "1.484413656606"),
        (8, "e00003", "1.515586343394"),
    ] {
        let want = format!("ledger.csv:{line}  {entity} 2024 certificate: {mwh} MWh -> electricity.renewable");
        assert!(r.stdout.contains(&want), "{want} in\n{}", r.stdout);
    }
    assert!(r.stdout.contains("pro rata: 1000/4042 of the 6 MWh of 3 company-level rows priced alike"), "{}", r.stdout);
    let r = ghg_in(dir.path(), &["compute", "inventory.toml", "--lines", "lines.csv"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let csv = std::fs::read_to_string(dir.path().join("lines.csv")).expect("lines");
    assert_eq!(csv.lines().filter(|l| l.starts_with("electricity.renewable,")).count(), 6);
}

#[test]
fn header_only_keeps_the_certificates_module_linked() {
    // The ledger header of the certificate tests is the one used here.
    assert!(HEADER.contains("supplier_factor"));
}
