//! The one source of ledger records: `ghg::ledger::open` and the calculation (on one thread, and split in byte
//! ranges on threads) give the same messages at the same places for broken CSV rows; a spreadsheet handed to the
//! ledger module is read as a spreadsheet; inventories declare the encoding of their ledgers.

use std::path::Path;

use crate::util::{ghg_in, root};

const INVENTORY: &str = "organisation = \"Ledger routes\"\nyear = 2024\nactivity_files = [\"ledger.csv\"]\n\
[denominators.revenue]\nquantity = \"1000\"\nunit = \"百万元\"\n[factors]\ncombustion = \"cn-guideline-fuels@2015\"\n\
standard_coal = \"gbt2589@2020\"\ngrid = \"mee-grid@2022\"\nresidual = \"mee-grid@2022:grid.national\"\n\
allow_year_mismatch = true\n[factors.pick]\n\"standard_coal.natural_gas\" = \"natural_gas.range_low\"\n";

const HEADER: &str = "entity,period,activity,quantity,unit,region,note\n";

/// Every message `ghg::ledger::open` gives for `ledger.csv` in `dir`, written as the CLI writes them.
fn library_messages(dir: &Path) -> Vec<String> {
    let prefix = format!("{}/", dir.display());
    let ledger = ghg::ledger::open(&dir.join("ledger.csv"), &Default::default()).expect("the header is valid");
    ledger.filter_map(Result::err).map(|e| format!("error: {}", e.to_string().replace(&prefix, ""))).collect()
}

/// The row messages of `ghg compute` with `args`, in the order printed.
fn cli_messages(dir: &Path, args: &[&str]) -> Vec<String> {
    let mut all = vec!["compute", "inventory.toml"];
    all.extend(args);
    let r = ghg_in(dir, &all);
    assert_eq!(r.code, 2, "{}", r.stderr);
    r.stderr.lines().filter(|l| l.starts_with("error: ledger.csv:")).map(str::to_string).collect()
}

fn setup(ledger: &[u8]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("inventory.toml"), INVENTORY).expect("inventory");
    std::fs::write(dir.path().join("ledger.csv"), ledger).expect("ledger");
    dir
}

/// The sequential path (`--threads 1`), the default, and the byte-range path on several threads with small ranges
/// (so that the file really is split) give `want`, as the library does.
fn every_route_gives(dir: &Path, want: &[&str]) {
    let lib = library_messages(dir);
    let want: Vec<String> = want.iter().map(|s| s.to_string()).collect();
    assert_eq!(lib, want, "ledger::open");
    assert_eq!(cli_messages(dir, &["--threads", "1"]), want, "compute --threads 1");
    assert_eq!(cli_messages(dir, &[]), want, "compute (default threads)");
    assert_eq!(cli_messages(dir, &["--threads", "4", "--chunk-bytes", "64"]), want, "compute split in ranges");
}

#[test]
fn broken_rows_give_the_same_messages_on_every_route() {
    let good = "a,2024,diesel,10,t,CN,padding so that ranges split between the broken rows\n";
    let rows = [
        "a,2024,diesel,\"1,000\"x,t,CN,text after the closing quote\n",
        "a,2024,diesel,abc,t,CN,\n",
        "a,2024,diesel,1,furlong,CN,\n",
        "a,2024,diesel,1,t\n",
    ];
    let mut text = HEADER.to_string();
    for r in rows {
        text.push_str(good);
        text.push_str(r);
    }
    text.push_str(good);
    let dir = setup(text.as_bytes());
    // Hand-counted columns: `a,2024,diesel,"1,000"` is 21 characters, so the stray x is column 22; the quantity
    // starts after `a,2024,diesel,` (14 characters), the unit after `a,2024,diesel,1,` (16).
    every_route_gives(
        dir.path(),
        &[
            "error: ledger.csv:3:22: the quantity field has text after its closing quote, which CSV would silently join to the quoted text (a quoted field ends at its closing quote: write \"123\" or 123; a quote inside quotes is doubled, as in \"5\"\" pipe\")",
            "error: ledger.csv:5:15: quantity 'abc' is not a decimal number: 'a' is not a digit (write digits with an optional decimal point, e.g. 1909.06 or \"1,909.06\")",
            &format!(
                "error: ledger.csv:7:17: unknown unit 'furlong' for diesel (accepted: {})",
                [
                    "t, tonne, tonnes, 吨, kg, 千克, 公斤, g, 克, Gg, kt, Mt, 10^4 t, 万吨, lb, lbs, short ton, short tons",
                    "ton (US), long ton, long tons, m3, m³, 立方米, Nm3, Nm³, 标准立方米, 10^4 m3, 万立方米, 万m3, 10^4 Nm3, 万Nm3, Sm3",
                    "Sm³, m3(15C), m3@15C, 10^4 Sm3, 万Sm3, m3(20C), m3@20C, 10^4 m3(20C), 万m3(20C), ft3, ft³, cf, cu ft",
                    "scf, ccf, Mcf, Mscf, MMcf, MMscf, L, l, 升, 公升, kL, 千升, gal, US gal, gal (US), Imp gal, gal (UK), bbl",
                    "kWh, 度, 千瓦时, MWh, 千度, 兆瓦时, 10^4 MWh, 万兆瓦时, GWh, 吉瓦时, 10^4 kWh, 万千瓦时, 10^8 kWh, 亿千瓦时, MJ, 兆焦, GJ, 吉焦",
                    "TJ, 太焦, kJ, 千焦, PJ, kcal, 千卡, 大卡, Mcal, Gcal, 百万千卡, kcal(th), Btu, BTU, MMBtu, mmBtu, MMBTU, therm",
                    "Dth, dekatherm, toe, 吨油当量, ktoe, Mtoe",
                ].join(", ")
            ),
            "error: ledger.csv:9:1: row has 5 fields, the header has 7 (quote fields that contain commas (\"1,909.06\") and check for a missing or extra comma)",
        ],
    );
}

#[test]
fn a_quote_never_closed_is_the_same_message_on_every_route() {
    let mut text = HEADER.to_string();
    for _ in 0..6 {
        text.push_str("a,2024,diesel,10,t,CN,a good row before the broken one\n");
    }
    text.push_str("b,2024,diesel,\"1,5,t,CN,\nb,2024,diesel,1,t,CN,\n");
    let dir = setup(text.as_bytes());
    // `b,2024,diesel,` is 14 characters: the quote opens the quantity at column 15 of line 8.
    every_route_gives(
        dir.path(),
        &[
            "error: ledger.csv:8:15: the quote opening the quantity field is never closed, so the rest of the file would be read as one field (close the quote or remove it; a quote inside quotes is doubled, as in \"5\"\" pipe\")",
        ],
    );
}

#[test]
fn undeclared_gbk_is_the_same_message_on_every_route() {
    let mut text = HEADER.to_string();
    for _ in 0..6 {
        text.push_str("a,2024,diesel,10,t,CN,ascii rows first\n");
    }
    text.push_str("a,2024,diesel,10,吨,浙江,\n");
    let (gbk, _, bad) = encoding_rs::GBK.encode(&text);
    assert!(!bad);
    let dir = setup(&gbk);
    every_route_gives(
        dir.path(),
        &[
            "error: ledger.csv:8: the ledger is not UTF-8: it looks like GBK/GB18030 (a Chinese spreadsheet export); no row of it was used (rerun with --encoding gbk, or save the file as UTF-8 (Excel: Save As > CSV UTF-8))",
        ],
    );
}

#[test]
fn a_spreadsheet_given_to_the_ledger_module_is_read_as_a_spreadsheet() {
    let dir = root().join("tests/data/sheet");
    let rows = |name: &str| -> Vec<(String, String, String, String)> {
        ghg::ledger::open(&dir.join(name), &Default::default())
            .expect("opens")
            .map(|r| {
                let r = r.expect("every row of the fixture is valid");
                (r.entity, r.period.to_string(), r.quantity.value.to_string(), r.region)
            })
            .collect()
    };
    let xlsx = rows("ledger.xlsx");
    // The first row of the fixture, as written in ledger.csv: plant-a,2024-01,diesel,"1,909.06",吨,CN.
    assert_eq!(xlsx[0], ("plant-a".into(), "2024-01".into(), "1909.06".into(), "CN".into()));
    assert_eq!(xlsx, rows("ledger.csv"), "the workbook holds the rows of the CSV fixture");
    let first = ghg::ledger::open(&dir.join("ledger.xlsx"), &Default::default()).expect("opens").next();
    let first = first.expect("a row").expect("valid");
    assert_eq!(first.source.file, dir.join("ledger.xlsx"));
}

/// Two ledgers with Chinese text: `a.csv` (UTF-8) and `b.csv` (GBK when `b_gbk`); `top` goes before the list.
fn two_ledgers(activity_files: &str, top: &str, b_gbk: bool) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    let inv =
        INVENTORY.replace("activity_files = [\"ledger.csv\"]", &format!("{top}activity_files = {activity_files}"));
    std::fs::write(dir.path().join("inventory.toml"), inv).expect("inventory");
    let a = format!("{HEADER}site-a,2024,diesel,10,吨,浙江,柴油\n");
    let b = format!("{HEADER}site-b,2024,electricity,100,兆瓦时,浙江,电\n");
    std::fs::write(dir.path().join("a.csv"), a).expect("a");
    let b = if b_gbk { encoding_rs::GBK.encode(&b).0.into_owned() } else { b.into_bytes() };
    std::fs::write(dir.path().join("b.csv"), b).expect("b");
    dir
}

fn compute_json(dir: &Path, extra: &[&str]) -> String {
    let mut args = vec!["compute", "inventory.toml", "--format", "json"];
    args.extend(extra);
    let r = ghg_in(dir, &args);
    assert_eq!(r.code, 0, "{}", r.stderr);
    // The inventory's hash differs between the runs compared; everything else must not.
    r.stdout.lines().filter(|l| !l.contains("sha256")).collect::<Vec<_>>().join("\n")
}

#[test]
fn an_inventory_mixing_utf8_and_gbk_ledgers_computes() {
    let plain = two_ledgers("[\"a.csv\", \"b.csv\"]", "", false);
    let want = compute_json(plain.path(), &[]);
    assert!(want.contains("site-b") || want.contains("scope2"), "{want}");
    // Declared per file.
    let mixed = two_ledgers("[\"a.csv\", { path = \"b.csv\", encoding = \"gbk\" }]", "", true);
    assert_eq!(compute_json(mixed.path(), &[]), want);
    // Without the declaration the GBK file is refused, naming the option.
    let undeclared = two_ledgers("[\"a.csv\", \"b.csv\"]", "", true);
    let r = ghg_in(undeclared.path(), &["compute", "inventory.toml"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("b.csv:2: the ledger is not UTF-8"), "{}", r.stderr);
    // Declared for the whole inventory, with the UTF-8 file declaring its own: the file's declaration wins.
    let top = two_ledgers("[{ path = \"a.csv\", encoding = \"utf-8\" }, \"b.csv\"]", "encoding = \"gbk\"\n", true);
    assert_eq!(compute_json(top.path(), &[]), want);
    // The flag applies only to ledgers with no declaration: a.csv stays UTF-8 under --encoding gbk.
    let flag = two_ledgers("[{ path = \"a.csv\", encoding = \"utf-8\" }, \"b.csv\"]", "", true);
    assert_eq!(compute_json(flag.path(), &["--encoding", "gbk"]), want);
}

#[test]
fn reconcile_reads_a_utf8_year_and_a_gbk_year() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let copy = |year: &str, gbk: bool| {
        let from = root().join("examples").join(format!("hikvision-{year}"));
        let to = tmp.path().join(year);
        std::fs::create_dir_all(&to).expect("mkdir");
        for f in ["inventory.toml", "reported.toml"] {
            std::fs::copy(from.join(f), to.join(f)).expect("copy");
        }
        let ledger = std::fs::read_to_string(from.join("ledger.csv")).expect("ledger");
        assert!(!ledger.is_ascii(), "the example ledger has Chinese text");
        if gbk {
            let (bytes, _, bad) = encoding_rs::GBK.encode(&ledger);
            assert!(!bad);
            std::fs::write(to.join("ledger.csv"), bytes).expect("write");
            let inv = std::fs::read_to_string(to.join("inventory.toml")).expect("inventory");
            std::fs::write(to.join("inventory.toml"), format!("encoding = \"gbk\"\n{inv}")).expect("write");
        } else {
            std::fs::write(to.join("ledger.csv"), ledger).expect("write");
        }
    };
    copy("2023", true);
    copy("2024", false);
    let r = ghg_in(tmp.path(), &["reconcile", "2023/inventory.toml", "2024/inventory.toml"]);
    let base = ghg_in(
        &root().join("examples"),
        &["reconcile", "hikvision-2023/inventory.toml", "hikvision-2024/inventory.toml"],
    );
    assert_eq!(r.code, base.code, "{}", r.stderr);
    assert!(!r.stderr.contains("not UTF-8"), "{}", r.stderr);
    let strip = |s: &str| s.replace("hikvision-", "");
    assert_eq!(strip(&r.stdout), strip(&base.stdout));
}

#[test]
fn an_unknown_encoding_in_the_inventory_is_located() {
    let dir = two_ledgers("[\"a.csv\", { path = \"b.csv\", encoding = \"latin1\" }]", "", false);
    let r = ghg_in(dir.path(), &["compute", "inventory.toml"]);
    assert_eq!(r.code, 2);
    // Line 3 holds activity_files; `activity_files = ["a.csv", { path = "b.csv", encoding = ` is 56 characters,
    // so the value starts (at its quote) in column 57.
    assert!(
        r.stderr.contains(
            "inventory.toml:3:57: unknown encoding 'latin1' (use utf-8, gbk, gb18030, utf-16, utf-16le or utf-16be)"
        ),
        "{}",
        r.stderr
    );
}

#[test]
fn a_scenario_reads_a_ledger_the_inventory_declares_gbk() {
    let from = root().join("examples/hikvision-2024");
    let ledger = std::fs::read_to_string(from.join("ledger.csv")).expect("ledger");
    let inv = std::fs::read_to_string(from.join("inventory.toml")).expect("inventory");
    // The same example twice, its ledger in UTF-8 and in GBK, each declared (so lines in the inventory match).
    let copy = |encoding: &str| {
        let dir = tempfile::tempdir().expect("tempdir");
        let bytes = if encoding == "gbk" {
            let (bytes, _, bad) = encoding_rs::GBK.encode(&ledger);
            assert!(!bad && !ledger.is_ascii());
            bytes.into_owned()
        } else {
            ledger.clone().into_bytes()
        };
        std::fs::write(dir.path().join("ledger.csv"), bytes).expect("write");
        std::fs::write(dir.path().join("inventory.toml"), format!("encoding = \"{encoding}\"\n{inv}")).expect("write");
        std::fs::copy(from.join("reported.toml"), dir.path().join("reported.toml")).expect("copy");
        dir
    };
    let (utf8, gbk) = (copy("utf-8"), copy("gbk"));
    // Added certificates: the overlay's run and the baseline's both read the GBK rows.
    let scenario = from.join("scenarios/more-gec-50000.toml");
    let scenario = scenario.to_str().expect("a UTF-8 path");
    let run = |dir: &Path| {
        let r = ghg_in(dir, &["scenario", "inventory.toml", scenario]);
        assert_eq!(r.code, 0, "{}", r.stderr);
        // The files' hashes differ (the ledger's bytes, the inventory's declaration); nothing else may.
        r.stdout.lines().filter(|l| !l.contains("sha256")).collect::<Vec<_>>().join("\n")
    };
    let want = run(utf8.path());
    assert!(want.contains("scope2.market"), "{want}");
    assert_eq!(run(gbk.path()), want);
}
