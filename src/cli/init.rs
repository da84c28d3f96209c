//! `ghg init DIR`: an inventory, a ledger template (CSV or xlsx) and a reported-figures template.

use std::path::{Path, PathBuf};

use ghg::activity::{ACTIVITIES, REQUIRED_COLUMNS};
use ghg::{Diagnostics, Error, ErrorKind};

use super::Out;

/// Options of `ghg init`.
pub struct Options {
    /// Organisation name.
    pub organisation: String,
    /// Reporting year.
    pub year: i32,
    /// Ledger as xlsx instead of CSV.
    pub xlsx: bool,
    /// Overwrite existing files.
    pub force: bool,
}

fn toml_string(s: &str) -> String {
    let mut o = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => o.push_str("\\\""),
            '\\' => o.push_str("\\\\"),
            '\n' => o.push_str("\\n"),
            c if c.is_control() => o.push_str(&format!("\\u{:04X}", c as u32)),
            c => o.push(c),
        }
    }
    o.push('"');
    o
}

fn inventory_toml(o: &Options, ledger: &str) -> String {
    format!(
        r#"# The inventory: one organisation and year, its ledgers, denominators and factor choices.
# Check it with `ghg check inventory.toml`, compute with `ghg compute inventory.toml`.
organisation = {org}
year = {year}
boundary = "operational control: list the sites and subsidiaries included"
activity_files = ["{ledger}"]     # CSV or spreadsheets (.xlsx, .xls, .ods; "book.xlsx#Sheet2" names a sheet)
factor_paths = []                  # your own factor folders, e.g. ["my-factors"]
reported = "reported.toml"         # the figures as printed in your report, for `ghg reconcile`

# Intensities per million of revenue need the revenue in money.
[denominators.revenue]
quantity = "1000"
unit = "百万元"                     # 元, 万元, 百万元, 亿元, "million CNY", USD ...
note = "replace with the revenue of the year"

# Factor sets by set@edition (`ghg factors list`, `ghg factors search diesel`).
[factors]
combustion = "cn-guideline-fuels@2015"   # scope 1 CO2 of fuels
gwp = "ipcc-gwp@AR5"
standard_coal = "gbt2589@2020"           # energy in tce
grid = "mee-grid@2022"                   # location-based scope 2; several countries: a list of sets
                                         # (grid = ["mee-grid@2022", "my-de-grid@2023"]) or a table by region
residual = "mee-grid@2022:grid.national.excl_market_nonfossil"   # market-based remainder after certificates;
                                         # several markets: [factors.residual] CN = "...", DE = "set@edition:id"
allow_year_mismatch = true               # the latest published grid factors may be for an earlier year

[factors.pick]                           # where a set offers alternatives for one activity
"standard_coal.natural_gas" = "natural_gas.range_low"

# A row whose region no chosen set serves is an error naming the sets that would serve it. Pricing a region with
# another region's factor is written explicitly and reported as a warning:
# [factors.region_fallback]
# "CN-XZ" = "CN-Southwest"
"#,
        org = toml_string(&o.organisation),
        year = o.year,
    )
}

/// The certificate columns of the ledger templates, between the required columns and `note`: a certificate row's
/// instrument (GEC, I-REC, green-power-trade, PPA), vintage and id.
const CERTIFICATE_COLUMNS: [&str; 3] = ["instrument", "vintage", "certificate_id"];

/// The template's header: the required columns, the certificate columns, `note`.
fn ledger_header() -> Vec<&'static str> {
    REQUIRED_COLUMNS.iter().copied().chain(CERTIFICATE_COLUMNS).chain(["note"]).collect()
}

fn ledger_rows(year: i32) -> Vec<[String; 10]> {
    let y = year.to_string();
    let row = |e: &str, p: String, a: &str, q: &str, u: &str, r: &str, n: &str| {
        let no = String::new;
        [e.to_string(), p, a.to_string(), q.to_string(), u.to_string(), r.to_string(), no(), no(), no(), n.to_string()]
    };
    let mut certificate = row(
        "head-office",
        y.clone(),
        "certificate",
        "200",
        "MWh",
        "CN",
        "example certificate row: green certificates (绿证) bought for the year's electricity",
    );
    certificate[6] = "GEC".to_string();
    certificate[7] = y.clone();
    certificate[8] = format!("GEC-{y}-0001");
    vec![
        row("head-office", y.clone(), "electricity", "1200", "MWh", "浙江", "example row: replace with your own"),
        row("head-office", format!("{y}-01"), "natural_gas", "3.5", "万立方米", "CN", "boiler, January"),
        row("fleet", format!("{y}-Q1"), "diesel", "12.5", "吨", "CN", "fuel cards"),
        row("fleet", y, "gasoline", "8.2", "t", "CN", ""),
        certificate,
    ]
}

fn ledger_csv(year: i32) -> String {
    let mut s = format!("{}\n", ledger_header().join(","));
    for r in ledger_rows(year) {
        let cells: Vec<String> = r
            .iter()
            .map(|c| if c.contains(',') { format!("\"{}\"", c.replace('"', "\"\"")) } else { c.clone() })
            .collect();
        s.push_str(&cells.join(","));
        s.push('\n');
    }
    s
}

fn ledger_xlsx(year: i32) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    use rust_xlsxwriter::{Color, DataValidation, Format, Workbook};
    let mut wb = Workbook::new();
    let bold = Format::new().set_bold().set_background_color(Color::RGB(0xDDEBF7));
    let ws = wb.add_worksheet();
    ws.set_name("ledger")?;
    let header = ledger_header();
    for (c, h) in header.iter().enumerate() {
        ws.write_string_with_format(0, c as u16, *h, &bold)?;
    }
    for (r, row) in ledger_rows(year).iter().enumerate() {
        let r = (r + 1) as u32;
        for (c, v) in row.iter().enumerate() {
            let c = c as u16;
            // Year-only periods and quantities are numbers, as people type them; other periods (and vintages) are
            // text; an empty cell stays empty.
            match (c, v.parse::<f64>()) {
                _ if v.is_empty() => continue,
                (1 | 3, Ok(x)) => ws.write_number(r, c, x)?,
                _ => ws.write_string(r, c, v)?,
            };
        }
    }
    let names: Vec<&str> = ACTIVITIES.iter().map(|a| a.name()).collect();
    let dv = DataValidation::new()
        .allow_list_strings(&names)?
        .set_input_title("activity")?
        .set_input_message("one of the ledger activities")?;
    ws.add_data_validation(1, 2, 10_000, 2, &dv)?;
    for (c, w) in [
        (0u16, 16.0),
        (1, 10.0),
        (2, 14.0),
        (3, 12.0),
        (4, 10.0),
        (5, 10.0),
        (6, 12.0),
        (7, 10.0),
        (8, 16.0),
        (9, 40.0),
    ] {
        ws.set_column_width(c, w)?;
    }
    ws.set_freeze_panes(1, 0)?;
    let help = wb.add_worksheet();
    help.set_name("README")?;
    help.set_column_width(0, 16)?;
    help.set_column_width(1, 100)?;
    let lines = [
        ("entity", "the site or subsidiary"),
        ("period", "YYYY, YYYY-MM or YYYY-Qn (a date cell is read as its month)"),
        ("activity", "gasoline, diesel, natural_gas, lpg, fuel_oil, coal, electricity, heat, onsite_pv, certificate"),
        ("quantity", "a non-negative number (a number cell, or text such as \"1,909.06\")"),
        ("unit", "t, 吨, m3, 万立方米, MWh, 兆瓦时, kWh, 度, 万千瓦时, GJ, ..."),
        ("region", "CN, a grid region (华东, CN-East) or a province (浙江, CN-ZJ)"),
        (
            "instrument",
            "certificate rows: GEC (绿证), I-REC, green-power-trade (绿电交易) or PPA; empty for other rows",
        ),
        ("vintage", "certificate rows: the period the certificates were generated in (YYYY, YYYY-MM, YYYY-Qn)"),
        ("certificate_id", "certificate rows: the certificate or batch id (optional; the same id twice is an error)"),
        ("note", "free text (optional)"),
        ("optional", "precision, supplier_factor, category: see the ghg README"),
        ("sheet", "ghg reads the sheet named 'ledger'; this README sheet is ignored"),
    ];
    for (r, (k, v)) in lines.iter().enumerate() {
        help.write_string_with_format(r as u32, 0, *k, &Format::new().set_bold())?;
        help.write_string(r as u32, 1, *v)?;
    }
    wb.save_to_buffer()
}

fn reported_toml(o: &Options) -> String {
    format!(
        r#"# The figures as printed in your report, for `ghg reconcile inventory.toml`: copy each exactly as printed,
# with its unit, and say where it is printed. Uncomment and edit.
source = {src}

[tolerance]
relative = "0.02"

# [[figure]]
# id = "scope1"
# printed = "14,385.48 吨二氧化碳当量"
# locator = "附录1 关键绩效表, 温室气体排放, 范围 1, {year} 年"

# [[figure]]
# id = "scope2.market"
# printed = "175,492.31 吨二氧化碳当量"
# locator = "附录1 关键绩效表, 温室气体排放, 范围 2, {year} 年"

# [[figure]]
# id = "energy.total"
# printed = "51,758.70 吨标煤"
# locator = "附录1 关键绩效表, 能耗, 综合能耗, {year} 年"
"#,
        src = toml_string(&format!("{} {} ESG report", o.organisation, o.year)),
        year = o.year
    )
}

/// `ghg init DIR`.
pub fn init(out: &mut Out, dir: &Path, o: &Options) -> Result<u8, Diagnostics> {
    let ledger = if o.xlsx { "ledger.xlsx" } else { "ledger.csv" };
    let ledger_bytes = if o.xlsx {
        ledger_xlsx(o.year)
            .map_err(|e| Error::new(ErrorKind::Io, format!("cannot write the ledger template: {e}")).with_source(e))?
    } else {
        ledger_csv(o.year).into_bytes()
    };
    let files: Vec<(PathBuf, Vec<u8>)> = vec![
        (dir.join("inventory.toml"), inventory_toml(o, ledger).into_bytes()),
        (dir.join(ledger), ledger_bytes),
        (dir.join("reported.toml"), reported_toml(o).into_bytes()),
    ];
    if !o.force {
        let existing: Vec<String> =
            files.iter().filter(|(p, _)| p.exists()).map(|(p, _)| p.display().to_string()).collect();
        if !existing.is_empty() {
            return Err(Error::new(ErrorKind::Usage, format!("will not overwrite {}", existing.join(", ")))
                .hint("choose another folder, or pass --force to overwrite")
                .into());
        }
    }
    std::fs::create_dir_all(dir).map_err(|e| Diagnostics::from(Error::io(dir, &e)))?;
    let mut msg = String::new();
    for (p, bytes) in &files {
        std::fs::write(p, bytes).map_err(|e| Diagnostics::from(Error::io_write(p, &e)))?;
        msg.push_str(&format!("created {}\n", p.display()));
    }
    let inv = dir.join("inventory.toml");
    msg.push_str(&format!(
        "next: replace the example rows of {}, then\n  ghg check {}\n  ghg compute {} --format html --output report.html\n",
        dir.join(ledger).display(),
        inv.display(),
        inv.display()
    ));
    out.write(&msg);
    Ok(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn organisation_names_are_quoted() {
        assert_eq!(toml_string("A \"B\" \\ C"), "\"A \\\"B\\\" \\\\ C\"");
        let o = Options { organisation: "X\"\nY".into(), year: 2024, xlsx: false, force: false };
        let text = inventory_toml(&o, "ledger.csv");
        let inv = ghg::Inventory::parse(Path::new("inventory.toml"), &text).expect("the template parses");
        assert_eq!(inv.organisation, "X\"\nY");
        assert_eq!(inv.year, 2024);
    }
}
