//! The factor library against its reference table (`ghg factors verify`), whole-word and country search, and
//! `ghg factors show SET@EDITION:ID`.

use std::path::{Path, PathBuf};

use ghg::factor::verify::verify_dir;
use ghg::{Decimal, FactorLibrary, FactorRef};

use crate::util::{ghg, ghg_in, root};

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for e in std::fs::read_dir(from).expect("read dir") {
        let p = e.expect("entry").path();
        let dest = to.join(p.file_name().expect("name"));
        if p.is_dir() {
            copy_dir(&p, &dest);
        } else {
            std::fs::copy(&p, &dest).expect("copy");
        }
    }
}

/// A copy of factors/ in a temporary folder.
fn factors_copy() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("tempdir");
    let f = dir.path().join("factors");
    copy_dir(&root().join("factors"), &f);
    (dir, f)
}

/// Replace the first `old` in `file` by `new`; return the 1-based line where `old` was.
fn tamper(file: &Path, old: &str, new: &str) -> usize {
    let text = std::fs::read_to_string(file).expect("read");
    let at = text.find(old).unwrap_or_else(|| panic!("{old} not in {}", file.display()));
    let line = text[..at].matches('\n').count() + 1;
    std::fs::write(file, text.replacen(old, new, 1)).expect("write");
    line
}

/// 1-based line of the first line of `file` that starts with `start`.
fn line_of(file: &Path, start: &str) -> usize {
    let text = std::fs::read_to_string(file).expect("read");
    text.lines().position(|l| l.starts_with(start)).unwrap_or_else(|| panic!("{start} not in {}", file.display())) + 1
}

#[test]
fn every_factor_file_matches_the_reference_table_and_carries_its_provenance() {
    let r = verify_dir(&root().join("factors")).expect("readable");
    assert!(r.ok(), "{:#?}", r.problems);
    // Every built-in file is read, and each of its values is
    // compared: more than 500 values, a reference table of more than 450 rows.
    let files = walkdir_count(&root().join("factors"));
    assert_eq!(r.files, files);
    assert!(r.values > 500, "{}", r.values);
    assert!(r.reference_rows > 450, "{}", r.reference_rows);
    let cli = ghg(&["factors", "verify"]);
    assert_eq!(cli.code, 0, "{}{}", cli.stdout, cli.stderr);
    assert!(
        cli.stdout.ends_with("all match, every factor cited, graded and dated, every set licensed\n"),
        "{}",
        cli.stdout
    );
}

fn walkdir_count(dir: &Path) -> usize {
    let mut n = 0;
    for e in std::fs::read_dir(dir).expect("read dir") {
        let p = e.expect("entry").path();
        if p.is_dir() {
            n += walkdir_count(&p);
        } else if p.extension().is_some_and(|x| x == "toml") {
            n += 1;
        }
    }
    n
}

/// The start of the reference row of the 2023 national fossil-power factor (factors.md §1.2: 0.8273 kgCO2/kWh).
const FOSSIL_2023_ROW: &str = "mee-grid,2023,grid.national.fossil,0.8273,tCO2/MWh,";

#[test]
fn a_tampered_copy_fails_naming_file_and_line() {
    let (_dir, f) = factors_copy();
    let grid = f.join("mee/grid-2022.toml");
    let uba = f.join("uba/strommix-2023.toml");
    let moea = f.join("moea/grid-2024.toml");
    let csv = f.join("reference/china.csv");
    // A value changed by one transposed digit (浙江 2022 is 0.5153 in factors.md §1.4).
    let zj = tamper(&grid, "value = \"0.5153\"", "value = \"0.5135\"");
    // A unit changed.
    let ets = tamper(&f.join("mee/ets-grid-2022.toml"), "unit = \"tCO2/MWh\"", "unit = \"kgCO2/MWh\"");
    // A citation removed (the factor table starts at its [[factor]] line).
    let uba_factor = line_of(&uba, "[[factor]]");
    tamper(&uba, "citation = \"Umweltbundesamt", "# citation = \"Umweltbundesamt");
    // A licence removed.
    tamper(&moea, "licence = ", "# licence = ");
    let moea_set = line_of(&moea, "[set]");
    // A factor dropped from a file: its reference row names it.
    let g23 = f.join("mee/grid-2023.toml");
    let text = std::fs::read_to_string(&g23).expect("read");
    let at = text.find("[[factor]]\nid = \"grid.national.fossil\"").expect("fossil");
    let end = text[at + 1..].find("[[factor]]").map_or(text.len(), |i| at + 1 + i);
    std::fs::write(&g23, format!("{}{}", &text[..at], &text[end..])).expect("write");
    let fossil_row = line_of(&csv, FOSSIL_2023_ROW);
    // A decimal written as a TOML float.
    let ar4 = f.join("ipcc/gwp-AR4.toml");
    let n2o = tamper(&ar4, "value = \"298\"", "value = 298.0");
    let r = verify_dir(&f).expect("readable");
    let p = |file: &Path, line: usize, msg: &str| format!("{}:{line}: {msg}", file.display());
    let got: Vec<String> = r.problems.iter().map(|x| x.to_string()).collect();
    let want = vec![
        p(&ar4, n2o, "ipcc-gwp@AR4:n2o: 'value' is a TOML float (write the decimal as a string, e.g. \"0.5366\")"),
        p(
            &f.join("mee/ets-grid-2022.toml"),
            ets,
            &format!(
                "mee-ets-grid@2022:grid.national: unit kgCO2/MWh, but the reference table gives tCO2/MWh ({}:{})",
                csv.display(),
                line_of(&csv, "mee-ets-grid,2022,grid.national,0.5703,tCO2/MWh,")
            ),
        ),
        p(
            &grid,
            zj,
            &format!(
                "mee-grid@2022:grid.province.zj = 0.5135 tCO2/MWh, but the reference table gives 0.5153 tCO2/MWh ({}:{})",
                csv.display(),
                line_of(&csv, "mee-grid,2022,grid.province.zj,0.5153,tCO2/MWh,")
            ),
        ),
        p(&moea, moea_set, "set moea-grid@2024 has no licence: 'licence' is missing"),
        p(&uba, uba_factor, "uba-grid@2023:grid.national lacks its citation ('citation' is missing)"),
        p(
            &csv,
            fossil_row,
            "mee-grid@2023:grid.national.fossil = 0.8273 tCO2/MWh is in the reference table but in no factor file",
        ),
        // The float cannot be read as the factor's value, so its reference row is left without one too.
        p(
            &f.join("reference/ipcc.csv"),
            line_of(&f.join("reference/ipcc.csv"), "ipcc-gwp,AR4,n2o,298,"),
            "ipcc-gwp@AR4:n2o = 298 is in the reference table but in no factor file",
        ),
    ];
    assert_eq!(got, want, "{got:#?}");
    // The command says the same and exits 1.
    let cli = ghg(&["factors", "verify", f.to_str().expect("utf-8 path")]);
    assert_eq!(cli.code, 1, "{}", cli.stderr);
    assert_eq!(cli.stdout.lines().take(want.len()).collect::<Vec<_>>(), want);
    assert!(cli.stdout.ends_with(": 7 problems\n"), "{}", cli.stdout);
    // A folder that is not there is bad input (2), not a mismatch (1).
    let none = ghg(&["factors", "verify", "no/such/folder"]);
    assert_eq!(none.code, 2);
    assert!(none.stderr.contains("no/such/folder"), "{}", none.stderr);
}

#[test]
fn a_blend_whose_printed_total_is_not_the_sum_of_its_components_fails() {
    let (_dir, f) = factors_copy();
    let ar5 = f.join("ipcc/gwp-AR5.toml");
    // R-410A under AR5: 0.5 x 677 (HFC-32) + 0.5 x 3170 (HFC-125) = 338.5 + 1585 = 1923.5, printed 1924 by DESNZ.
    assert!(verify_dir(&f).expect("readable").ok());
    let line = tamper(&ar5, "AR5 = \"1924\"", "AR5 = \"1923\"");
    let got: Vec<String> = verify_dir(&f).expect("readable").problems.iter().map(|x| x.to_string()).collect();
    let csv = f.join("reference/ipcc.csv");
    assert_eq!(
        got,
        [
            format!(
                "{}:{line}: ipcc-gwp@AR5:blend.R-410A = 1923, but the reference table gives 1924 ({}:{})",
                ar5.display(),
                csv.display(),
                line_of(&csv, "ipcc-gwp,AR5,blend.R-410A,1924,1,")
            ),
            format!(
                "{}:{line}: blend R-410A: the AR5 total printed by its publisher is 1923, but the sum of fraction x GWP is 1923.5 (rounds to 1924)",
                ar5.display()
            ),
        ]
    );
}

#[test]
fn search_matches_whole_words_and_countries_in_english_and_chinese() {
    let lib = FactorLibrary::builtin().expect("library");
    let refs = |q: &str| lib.search(q).iter().map(|h| h.reference()).collect::<Vec<_>>();
    // Germany: the AIB residual mix and the UBA Strommix of three years (2022 also as its first estimate).
    let de = refs("DE");
    assert_eq!(
        de,
        [
            "aib-residual-mix@2023:residual.de",
            "uba-grid@2022-first-estimate:grid.national",
            "uba-grid@2022:grid.national",
            "uba-grid@2023:grid.national",
            "uba-grid@2024:grid.national"
        ]
    );
    assert_eq!(refs("Germany"), de);
    assert_eq!(refs("德国"), de);
    assert_eq!(refs("德国 residual"), ["aib-residual-mix@2023:residual.de"]);
    assert_eq!(refs("India"), ["cea-co2-baseline@v20.0:grid.weighted_average"]);
    assert_eq!(refs("印度"), refs("IN"));
    assert_eq!(refs("巴西"), ["mcti-sin@2023:grid.national"]);
    assert_eq!(refs("台湾 2023"), ["moea-grid@2023:grid.national"]);
    assert_eq!(refs("Taiwan").len(), 3);
    // The calorific equivalent of electricity (3600 kJ/kWh, "heat equivalent") is found by "heat" too.
    assert_eq!(
        refs("中国 heat"),
        ["gbt2589@2020:electricity.calorific_3600kj", "gbt2589@2020:heat", "gbt32150-heat@2025:heat.co2"]
    );
    // China and its provinces and grids: every factor with region CN or CN-*.
    let cn = lib.search("China");
    assert!(cn.iter().all(|h| h.factor.region == "CN" || h.factor.region.starts_with("CN-")));
    assert_eq!(cn.len(), lib.search("中国").len());
    assert_eq!(cn.len(), lib.search("CN").len());
    // `de` in lower case is a word, and whole words only: not the "de" of Portuguese text, of DEFRA or of needed.
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        dir.path().join("t-1.toml"),
        "[set]\nid = \"t\"\nedition = \"1\"\ntitle = \"DEFRA-style test\"\npublisher = \"p\"\npublished = \"unknown\"\n\
         source = \"values needed for a test\"\nlicence = \"l\"\nconfidence = \"B\"\n\n[[factor]]\nid = \"grid.gb\"\n\
         activity = \"electricity\"\nregion = \"GB\"\ngas = \"CO2e\"\nvalue = \"0.2\"\nunit = \"kgCO2e/kWh\"\n\
         citation = \"DEFRA, as needed\"\nconfidence = \"B\"\nvalid_years = \"any\"\n",
    )
    .expect("write");
    let mut lib2 = FactorLibrary::builtin().expect("library");
    lib2.add_dir(dir.path()).expect("user set");
    assert!(lib2.search("DE").iter().all(|h| h.factor.region == "DE"));
    // `de` is a word of Portuguese titles (mcti-sin@2023), never the start of DEFRA.
    assert!(lib2.search("de").iter().all(|h| h.reference() != "t@1:grid.gb"));
    assert!(lib2.search("DEFRA").iter().any(|h| h.reference() == "t@1:grid.gb"));
    // The UK: the test set's factor among the shipped DESNZ sets, every hit of region GB.
    for q in ["United Kingdom", "英国", "UK"] {
        let hits = lib2.search(q);
        assert!(hits.iter().any(|h| h.reference() == "t@1:grid.gb"), "{q}");
        // "UK" is also a word of other texts (DESNZ notes on overseas flights); the names are the country.
        if q != "UK" {
            assert!(hits.iter().all(|h| h.factor.region == "GB"), "{q}");
        }
    }
}

#[test]
fn search_with_no_match_exits_1_and_show_names_one_factor_with_its_source() {
    let r = ghg(&["factors", "search", "unobtainium"]);
    assert_eq!(
        (r.code, r.stdout.as_str()),
        (1, "no factor matches 'unobtainium' (ghg factors list shows every set)\n")
    );
    let r = ghg(&["factors", "search", "unobtainium", "--format", "json"]);
    assert_eq!((r.code, r.stdout.as_str()), (1, "[]\n"));
    let r = ghg(&["factors", "search", "Germany", "uba-grid@2024"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("uba-grid@2024:grid.national  emission  DE      CO2  363 gCO2/kWh"), "{}", r.stdout);
    assert!(r.stdout.ends_with("\n1 factor found\n"), "{}", r.stdout);
    let r = ghg(&["factors", "show", "gbt32150-heat@2025:heat.co2"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    for line in [
        "gbt32150-heat@2025:heat.co2\n",
        "\nvalue:       0.11 tCO2/GJ\n",
        "\nactivity:    heat\n",
        "\nconfidence:  B (set B)\n",
        "\nvalid years: any\n",
        "\ncitation:    GB/T 32150—2025 §7.5.6–7.5.7, 热力排放因子缺省值 0.11 tCO2/GJ;",
        "\nlicence:     National standard; figures are facts, quoted with citation\n",
        "\nfile:        factors/sac/gbt32150-heat-2025.toml:",
    ] {
        assert!(r.stdout.contains(line), "{line:?} not in\n{}", r.stdout);
    }
    // A combustion factor shows how its value is formed: 47.31 GJ/t x 0.01720 tC/GJ x 0.99 x 44/12
    // = 0.813732 x 0.99 = 0.80559468 tC/t, x 44/12 = 2.95384716 tCO2/t.
    let r = ghg(&["factors", "show", "cn-industry-other-fuels@2015:lpg.co2"]);
    assert!(r.stdout.contains("\nvalue:       2.95384716 tCO2/t\n"), "{}", r.stdout);
    assert!(r.stdout.contains("\nformed as:   NCV 47.31 GJ/t x CC 0.01720 tC/GJ x OF 0.99 x 44/12\n"), "{}", r.stdout);
    let r = ghg(&["factors", "show", "mee-grid@2022:no.such.id"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("factor mee-grid@2022:no.such.id is not in factors/mee/grid-2022.toml"), "{}", r.stderr);
    let r = ghg_in(&root(), &["factors", "show", "not-a-ref"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("'not-a-ref' is not SET@EDITION or SET@EDITION:ID"), "{}", r.stderr);
}

#[test]
fn new_factors_have_the_values_their_sources_print() {
    let lib = FactorLibrary::builtin().expect("library");
    let v = |r: &str| {
        let (_, f) = lib.factor(&FactorRef::parse(r).expect("ref")).unwrap_or_else(|e| panic!("{r}: {e}"));
        (f.rate().expect("rate"), f.rate_unit().symbol().to_string())
    };
    let d = |s: &str| s.parse::<Decimal>().expect("decimal");
    // factors-international.md §6: 热力 0.11 tCO2/GJ; 原煤 0.7143 kgce/kg; 热力(百万千焦) 0.0341.
    assert_eq!(v("gbt32150-heat@2025:heat.co2"), (d("0.11"), "tCO2/GJ".into()));
    assert_eq!(v("gbt2589@2020:coal"), (d("0.7143"), "kgce/kg".into()));
    assert_eq!(v("gbt2589@2020:heat"), (d("0.0341"), "kgce/MJ".into()));
    // §4.1 AIB 2023 DE 719.90 g CO2/kWh; §5 India 0.727 t CO2/MWh, Brazil 0.0385, Taiwan 2023 0.494 kg CO2e/kWh.
    assert_eq!(v("aib-residual-mix@2023:residual.de"), (d("719.90"), "gCO2/kWh".into()));
    assert_eq!(v("cea-co2-baseline@v20.0:grid.weighted_average"), (d("0.727"), "tCO2/MWh".into()));
    assert_eq!(v("mcti-sin@2023:grid.national"), (d("0.0385"), "tCO2/MWh".into()));
    assert_eq!(v("moea-grid@2023:grid.national"), (d("0.494"), "kgCO2e/kWh".into()));
    // §3: the EPA Hub 2024 applies AR5 GWPs, CH4 28 and N2O 265.
    assert_eq!(v("epa-hub-gwp@2024:ch4").0, d("28"));
    assert_eq!(v("epa-hub-gwp@2024:n2o").0, d("265"));
    // Fuel oil, 工业其他行业 table: 40.19 x 0.02110 = 0.848009; x 0.98 = 0.83104882; x 44 = 36.56614808; / 12.
    let (fo, unit) = v("cn-industry-other-fuels@2015:fuel_oil.co2");
    assert_eq!((fo.round_dp(8), unit.as_str()), (d("3.04717901"), "tCO2/t"));
}

#[test]
fn a_group_in_china_germany_and_taiwan_computes_with_the_shipped_sets_alone() {
    // No factor folder of the user's own: every factor comes from the built-in library.
    let dir = tempfile::tempdir().expect("tempdir");
    let p = dir.path();
    std::fs::write(
        p.join("ledger.csv"),
        "entity,period,activity,quantity,unit,region\n\
         site-cn,2023,electricity,1000,MWh,CN\n\
         site-de,2023,electricity,500,MWh,DE\n\
         site-tw,2023,electricity,200,MWh,TW\n",
    )
    .expect("ledger");
    std::fs::write(
        p.join("inventory.toml"),
        "organisation = \"Group\"\nyear = 2023\nactivity_files = [\"ledger.csv\"]\n\n[factors]\n\
         grid = [\"mee-grid@2023\", \"uba-grid@2023\", \"moea-grid@2023\"]\n\
         [factors.residual]\n\
         CN = \"mee-grid@2023:grid.national.excl_market_nonfossil\"\n\
         DE = \"aib-residual-mix@2023:residual.de\"\n\
         TW = \"moea-grid@2023:grid.national\"\n",
    )
    .expect("inventory");
    let r = ghg_in(p, &["compute", "inventory.toml", "--format", "json"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).expect("json");
    let fig = |entity: &str, id: &str| -> Decimal {
        v["by_entity"][entity][id]["value"]
            .as_str()
            .unwrap_or_else(|| panic!("{entity} {id}: {v}"))
            .parse()
            .expect("decimal")
    };
    let d = |s: &str| s.parse::<Decimal>().expect("decimal");
    // CN: 1000 MWh x 0.5306 = 530.6 t (location); x 0.6096 = 609.6 t (market, MEE 2023 excluding traded non-fossil).
    assert_eq!(fig("site-cn", "scope2.location"), d("530.6"));
    assert_eq!(fig("site-cn", "scope2.market"), d("609.6"));
    // DE: 500 MWh x 386 g/kWh = 193 t (UBA 2023); x 719.90 g/kWh = 359.95 t (AIB residual mix 2023).
    assert_eq!(fig("site-de", "scope2.location"), d("193"));
    assert_eq!(fig("site-de", "scope2.market"), d("359.95"));
    // TW: 200 MWh x 0.494 kgCO2e/kWh = 98.8 t, both ways (the one published factor).
    assert_eq!(fig("site-tw", "scope2.location"), d("98.8"));
    assert_eq!(fig("site-tw", "scope2.market"), d("98.8"));
}

#[test]
fn broken_files_and_reference_rows_are_problems_at_their_line_never_skipped() {
    let dir = tempfile::tempdir().expect("tempdir");
    let p = dir.path();
    std::fs::create_dir(p.join("reference")).expect("mkdir");
    std::fs::write(
        p.join("a-1.toml"),
        "[set]\nid = \"a\"\nedition = \"1\"\nlicence = \"l\"\n\n[[factor]\nid = \"x\"\n",
    )
    .expect("write");
    std::fs::write(p.join("b-1.toml"), "title = \"no set table\"\n").expect("write");
    std::fs::write(
        p.join("reference/r.csv"),
        "set,edition,factor_id,value,unit,source,locator,grade\n\
         a,1,x,one,1,s,l,A\n\
         a,1,y,2,1,s,l\n\
         a,1,z,3,1,,l,A\n",
    )
    .expect("write");
    let r = verify_dir(p).expect("readable");
    let got: Vec<String> = r.problems.iter().map(|x| x.to_string()).collect();
    let a = p.join("a-1.toml");
    let b = p.join("b-1.toml");
    let csv = p.join("reference/r.csv");
    assert_eq!(
        got,
        [
            format!("{}:2: value \"one\" is not a decimal number", csv.display()),
            format!(
                "{}:3: the row has 7 cells; a reference row has 8 (set,edition,factor_id,value,unit,source,locator,grade)",
                csv.display()
            ),
            format!("{}:4: the row lacks source", csv.display()),
            format!("{}:6: invalid TOML: unclosed array table, expected `]`", a.display()),
            format!("{}:1: the file has no [set] table", b.display()),
        ]
    );
    // And the command exits 1 with each of them.
    let cli = ghg(&["factors", "verify", p.to_str().expect("utf-8")]);
    assert_eq!(cli.code, 1);
    assert!(
        cli.stdout.ends_with("0 values in 2 factor files checked against 3 reference rows: 5 problems\n"),
        "{}",
        cli.stdout
    );
}

#[cfg(unix)]
#[test]
fn a_link_back_to_a_folder_above_is_walked_once() {
    let (_dir, f) = factors_copy();
    std::os::unix::fs::symlink(&f, f.join("ipcc/back")).expect("symlink");
    let r = verify_dir(&f).expect("readable");
    assert!(r.ok(), "{:#?}", r.problems);
    assert_eq!(r.files, walkdir_count_no_links(&f));
}

fn walkdir_count_no_links(dir: &Path) -> usize {
    let mut n = 0;
    for e in std::fs::read_dir(dir).expect("read dir") {
        let p = e.expect("entry").path();
        if std::fs::symlink_metadata(&p).expect("meta").file_type().is_symlink() {
            continue;
        }
        if p.is_dir() {
            n += walkdir_count_no_links(&p);
        } else if p.extension().is_some_and(|x| x == "toml") {
            n += 1;
        }
    }
    n
}

#[test]
fn an_activity_two_files_declare_differently_is_a_problem_at_the_second() {
    let (_dir, f) = factors_copy();
    let uk = f.join("desnz/ghg-conversion-2023.toml");
    let gbt = f.join("sac/gbt2589-2020.toml");
    // burning_oil (煤油) is declared by the UK sets, the EPA Hub, GB/T 2589 and the 工业其他行业 table, identically.
    let text = std::fs::read_to_string(&gbt).expect("read");
    let at = text.find("[[activity]]\nid = \"burning_oil\"").expect("burning_oil declared");
    let line = text[..at].matches('\n').count() + 1;
    std::fs::write(
        &gbt,
        format!("{}{}", &text[..at], text[at..].replacen("name_zh = \"煤油\"", "name_zh = \"灯油\"", 1)),
    )
    .expect("write");
    let got: Vec<String> = verify_dir(&f).expect("readable").problems.iter().map(|x| x.to_string()).collect();
    let uk_text = std::fs::read_to_string(&uk).expect("read");
    let uk_line =
        uk_text[..uk_text.find("[[activity]]\nid = \"burning_oil\"").expect("uk declares it")].matches('\n').count()
            + 1;
    assert_eq!(
        got,
        [format!(
            "{}:{line}: activity burning_oil is declared differently here and at {}:{uk_line}",
            gbt.display(),
            uk.display()
        )]
    );
}
