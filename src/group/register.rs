//! Reading the entity register: a CSV file of `id,name,region,parent,equity,financial_control,operational_control,
//! from,to,note`, one row per holding (an entity held through two parents has two rows), each cell checked and
//! located. A register whose name ends in `.toml` is read by [`super::toml_register`] into the same rows.

use std::path::{Path, PathBuf};

use rust_decimal::Decimal;

use crate::error::{Diagnostics, Error, ErrorKind, Location};

/// The columns a register may have; only `id` is required (and the approach's own column, checked with the
/// approach).
pub const COLUMNS: &[&str] =
    &["id", "name", "region", "parent", "equity", "financial_control", "operational_control", "from", "to", "note"];

/// A day (or a whole month, `day` None) as a register row writes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Date {
    /// Year.
    pub year: i32,
    /// Month, 1-12.
    pub month: u32,
    /// Day of the month, or None for the whole month.
    pub day: Option<u32>,
}

impl Date {
    /// `YYYY-MM-DD` (a day) or `YYYY-MM` (a month), checked against the calendar.
    pub fn parse(s: &str) -> Option<Date> {
        let mut parts = s.trim().split('-');
        let y = parts.next()?;
        let m = parts.next()?;
        let d = parts.next();
        if parts.next().is_some() || y.len() != 4 || m.len() != 2 || d.is_some_and(|d| d.len() != 2) {
            return None;
        }
        let year: i32 = y.parse().ok()?;
        let month: u32 = m.parse().ok()?;
        if !(1..=12).contains(&month) {
            return None;
        }
        let day = match d {
            None => None,
            Some(d) => {
                let day: u32 = d.parse().ok()?;
                if day == 0 || day > days_in_month(year, month) {
                    return None;
                }
                Some(day)
            }
        };
        Some(Date { year, month, day })
    }
}

impl std::fmt::Display for Date {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.day {
            Some(d) => write!(f, "{}-{:02}-{d:02}", self.year, self.month),
            None => write!(f, "{}-{:02}", self.year, self.month),
        }
    }
}

/// Whether `year` is a leap year (Gregorian).
pub fn is_leap(year: i32) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

/// Days of a month.
pub fn days_in_month(year: i32, month: u32) -> u32 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// One row of the register: one holding of an entity, with where each cell is.
#[derive(Debug, Clone, PartialEq)]
pub struct RegisterRow {
    /// The row (file:line).
    pub at: Location,
    /// The entity id, as the ledgers name it.
    pub id: String,
    /// Its name.
    pub name: Option<String>,
    /// Its country or region (normalised as ledger regions are).
    pub region: Option<String>,
    /// The entity holding it, or None when the reporting group holds it directly.
    pub parent: Option<String>,
    /// Where the parent cell is.
    pub parent_at: Location,
    /// The equity the parent holds, as a fraction (the cell is in %: `51` or `51 %`).
    pub equity: Option<Decimal>,
    /// Where the equity cell is.
    pub equity_at: Location,
    /// Whether the group has financial control of it (through this parent).
    pub financial_control: Option<bool>,
    /// Where the financial control cell is.
    pub financial_at: Location,
    /// Whether the group has operational control of it (through this parent).
    pub operational_control: Option<bool>,
    /// Where the operational control cell is.
    pub operational_at: Location,
    /// First day (or month) of the year the holding counts, if not the year's start.
    pub from: Option<Date>,
    /// Where the from cell is.
    pub from_at: Location,
    /// Last day (or month) of the year the holding counts, if not the year's end.
    pub to: Option<Date>,
    /// Where the to cell is.
    pub to_at: Location,
}

/// The register as read: its rows, in file order, and its header.
#[derive(Debug, Clone, PartialEq)]
pub struct Register {
    /// The file.
    pub path: PathBuf,
    /// The header's columns, as written (lower-cased); for a TOML register, the keys any `[[entity]]` uses.
    pub columns: Vec<String>,
    /// Where the header is (a TOML register's first `[[entity]]`).
    pub header_at: Location,
    /// The rows.
    pub rows: Vec<RegisterRow>,
    /// SHA-256 of the file (lowercase hex), for the provenance.
    pub sha256: String,
}

impl Register {
    /// Read and check a register file: UTF-8 CSV (with or without a byte-order mark), or TOML with one
    /// `[[entity]]` table per holding when its name ends in `.toml`. Every problem of the file is reported
    /// together.
    pub fn load(path: &Path) -> Result<Register, Diagnostics> {
        let bytes = crate::tomlx::read_input(path)?;
        let sha256 = crate::factor::sha256_hex(&bytes);
        let text = String::from_utf8(bytes).map_err(|_| {
            Diagnostics::from(
                Error::new(ErrorKind::Encoding, "the entity register is not UTF-8")
                    .at(Location::file(path))
                    .hint(if is_toml(path) { "save it as UTF-8 TOML" } else { "save it as UTF-8 CSV" }),
            )
        })?;
        let mut r =
            if is_toml(path) { super::toml_register::parse(path, &text)? } else { Register::parse(path, &text)? };
        r.sha256 = sha256;
        Ok(r)
    }

    /// Read a register from text; `path` names it in messages.
    pub fn parse(path: &Path, text: &str) -> Result<Register, Diagnostics> {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let mut d = Diagnostics::new();
        let mut rd = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(text.as_bytes());
        let mut rec = csv::StringRecord::new();
        let mut columns: Vec<String> = Vec::new();
        let mut header_at = Location::at(path, 1, Some(1));
        let mut rows = Vec::new();
        let mut idx: Vec<Option<usize>> = vec![None; COLUMNS.len()];
        loop {
            match rd.read_record(&mut rec) {
                Ok(false) => break,
                Ok(true) => {}
                Err(e) => {
                    let line = e.position().map(|p| p.line() as usize).unwrap_or(1);
                    d.push(
                        Error::new(ErrorKind::Csv, format!("the entity register is not valid CSV: {e}"))
                            .at(Location::at(path, line, None))
                            .hint("quote fields that contain commas and close every quote"),
                    );
                    return Err(d);
                }
            }
            let line = rec.position().map(|p| p.line() as usize).unwrap_or(1);
            let col_of = |i: usize| 1 + (0..i).map(|j| rec[j].chars().count() + 1).sum::<usize>();
            let at = |i: usize| Location::at(path, line, Some(col_of(i)));
            if rec.iter().all(|f| f.trim().is_empty()) {
                continue;
            }
            if columns.is_empty() {
                header_at = Location::at(path, line, Some(1));
                for (i, name) in rec.iter().enumerate() {
                    let name = name.trim().to_lowercase();
                    match COLUMNS.iter().position(|c| *c == name) {
                        Some(k) if idx[k].is_some() => d.push(
                            Error::new(ErrorKind::Csv, format!("the register's header names column {name} twice"))
                                .at(at(i))
                                .hint("keep one column of each name"),
                        ),
                        Some(k) => idx[k] = Some(i),
                        None => d.push(
                            Error::new(ErrorKind::Csv, format!("unknown column '{name}' in the entity register"))
                                .at(at(i))
                                .hint(format!("the columns are {}", COLUMNS.join(","))),
                        ),
                    }
                    columns.push(name);
                }
                if idx[0].is_none() {
                    d.push(
                        Error::new(ErrorKind::Csv, "the entity register's header lacks the id column")
                            .at(header_at.clone())
                            .hint(format!("the header must start with id; the columns are {}", COLUMNS.join(","))),
                    );
                    return Err(d);
                }
                continue;
            }
            let field = |k: usize| -> (&str, Location) {
                match idx[k] {
                    Some(i) if i < rec.len() => (rec[i].trim(), at(i)),
                    Some(i) => ("", Location::at(path, line, Some(col_of(rec.len().min(i))))),
                    None => ("", Location::at(path, line, None)),
                }
            };
            if rec.len() > columns.len() {
                d.push(
                    Error::new(
                        ErrorKind::Csv,
                        format!("the row has {} fields, the register's header has {}", rec.len(), columns.len()),
                    )
                    .at(at(columns.len()))
                    .hint("quote fields that contain commas and check for an extra comma"),
                );
                continue;
            }
            let (id, id_at) = field(0);
            if id.is_empty() {
                d.push(
                    Error::new(ErrorKind::BadValue, "entity id is empty")
                        .at(id_at)
                        .hint("write the entity as the ledgers name it"),
                );
                continue;
            }
            let text_of = |k: usize| Some(field(k).0.to_string()).filter(|s| !s.is_empty());
            let (parent, parent_at) = field(3);
            let (eq, equity_at) = field(4);
            let equity = equity_cell(eq, id, &equity_at, &mut d);
            let flag = |k: usize, d: &mut Diagnostics| -> (Option<bool>, Location) {
                let (s, loc) = field(k);
                (flag_cell(COLUMNS[k], s, id, &loc, d), loc)
            };
            let (financial_control, financial_at) = flag(5, &mut d);
            let (operational_control, operational_at) = flag(6, &mut d);
            let date = |k: usize, d: &mut Diagnostics| -> (Option<Date>, Location) {
                let (s, loc) = field(k);
                (date_cell(COLUMNS[k], s, id, &loc, d), loc)
            };
            let (from, from_at) = date(7, &mut d);
            let (to, to_at) = date(8, &mut d);
            rows.push(RegisterRow {
                at: Location::at(path, line, None),
                id: id.to_string(),
                name: text_of(1),
                region: text_of(2).map(|r| crate::region::normalize(&r)),
                parent: Some(parent.to_string()).filter(|s| !s.is_empty()),
                parent_at,
                equity,
                equity_at,
                financial_control,
                financial_at,
                operational_control,
                operational_at,
                from,
                from_at,
                to,
                to_at,
            });
        }
        if columns.is_empty() {
            d.push(
                Error::new(ErrorKind::Empty, "the entity register is empty")
                    .at(Location::file(path))
                    .hint(format!("write a header ({}) and one row per entity", COLUMNS.join(","))),
            );
        } else if rows.is_empty() && d.is_empty() {
            d.push(
                Error::new(ErrorKind::Empty, "the entity register has a header and no entity")
                    .at(header_at.clone())
                    .hint("add one row per entity the ledgers name"),
            );
        }
        d.into_result(Register {
            path: path.to_path_buf(),
            columns,
            header_at,
            rows,
            sha256: crate::factor::sha256_hex(text.as_bytes()),
        })
    }

    /// Whether the header has this column.
    pub fn has_column(&self, name: &str) -> bool {
        self.columns.iter().any(|c| c == name)
    }
}

/// The `equity` cell of entity `id` (empty: None), as a fraction; a bad one is reported at `at`.
pub(super) fn equity_cell(s: &str, id: &str, at: &Location, d: &mut Diagnostics) -> Option<Decimal> {
    if s.is_empty() {
        return None;
    }
    match percent(s) {
        Ok(v) => Some(v),
        Err(msg) => {
            d.push(
                Error::new(ErrorKind::BadValue, format!("equity '{s}' of {id} {msg}"))
                    .at(at.clone())
                    .hint("write the parent's equity in % from 0 to 100, e.g. 51 or 51 %"),
            );
            None
        }
    }
}

/// A control cell (`financial_control` or `operational_control`, named `key`) of entity `id` written as text
/// (empty: None); a bad one is reported at `at`.
pub(super) fn flag_cell(key: &str, s: &str, id: &str, at: &Location, d: &mut Diagnostics) -> Option<bool> {
    if s.is_empty() {
        return None;
    }
    match s.to_lowercase().as_str() {
        "yes" | "y" | "true" | "1" | "是" => Some(true),
        "no" | "n" | "false" | "0" | "否" => Some(false),
        _ => {
            d.push(
                Error::new(ErrorKind::BadValue, format!("{key} '{s}' of {id} is not yes or no"))
                    .at(at.clone())
                    .hint("write yes or no (true/false, 1/0, 是/否)"),
            );
            None
        }
    }
}

/// A `from` or `to` cell (named `key`) of entity `id` (empty: None); a bad one is reported at `at`.
pub(super) fn date_cell(key: &str, s: &str, id: &str, at: &Location, d: &mut Diagnostics) -> Option<Date> {
    if s.is_empty() {
        return None;
    }
    match Date::parse(s) {
        Some(v) => Some(v),
        None => {
            d.push(
                Error::new(
                    ErrorKind::BadValue,
                    format!("{key} '{s}' of {id} is not a day YYYY-MM-DD or a month YYYY-MM"),
                )
                .at(at.clone())
                .hint("write 2024-07-01 to count days, or 2024-07 to count whole months"),
            );
            None
        }
    }
}

/// Whether the register is written as TOML (its name ends in `.toml`, in any case).
pub fn is_toml(path: &Path) -> bool {
    path.extension().is_some_and(|e| e.eq_ignore_ascii_case("toml"))
}

/// A percentage as a fraction: `51`, `51%`, `51 %`, `33.33`; from 0 to 100.
fn percent(s: &str) -> Result<Decimal, String> {
    let t = s.trim().trim_end_matches(['%', '％']).trim();
    let v = crate::number::parse(t).map_err(|e| format!("is not a number ({e})"))?;
    if v < Decimal::ZERO || v > Decimal::ONE_HUNDRED {
        return Err("is outside 0-100 %".to_string());
    }
    Ok((v / Decimal::ONE_HUNDRED).normalize())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Register, Diagnostics> {
        Register::parse(Path::new("entities.csv"), text)
    }

    #[test]
    fn a_register_reads_each_holding_with_its_cells() {
        let r = parse("\u{feff}id,name,region,parent,equity,operational_control,from,to\nhq,HQ,中国,,100,yes,,\nsub,Sub,DE,hq,51 %,no,2024-07,2024-12-31\n")
            .expect("valid");
        assert_eq!(r.rows.len(), 2);
        assert_eq!(r.rows[0].region.as_deref(), Some("CN"));
        assert_eq!(r.rows[1].parent.as_deref(), Some("hq"));
        assert_eq!(r.rows[1].equity, Some(Decimal::new(51, 2)));
        assert_eq!(r.rows[1].operational_control, Some(false));
        assert_eq!(r.rows[1].from, Some(Date { year: 2024, month: 7, day: None }));
        assert_eq!(r.rows[1].to, Some(Date { year: 2024, month: 12, day: Some(31) }));
        assert_eq!(r.rows[1].equity_at.to_string(), "entities.csv:3:15");
    }

    #[test]
    fn every_bad_cell_is_reported_together_at_its_place() {
        let e = parse("id,parent,equity,financial_control,from,colour\na,,101,maybe,2024-02-30,red\n,a,5,,,\n")
            .expect_err("bad cells");
        let msgs: Vec<String> =
            e.0.iter().map(|e| format!("{}: {}", e.location.as_ref().unwrap(), e.message)).collect();
        assert_eq!(
            msgs,
            [
                "entities.csv:1:41: unknown column 'colour' in the entity register",
                "entities.csv:2:4: equity '101' of a is outside 0-100 %",
                "entities.csv:2:8: financial_control 'maybe' of a is not yes or no",
                "entities.csv:2:14: from '2024-02-30' of a is not a day YYYY-MM-DD or a month YYYY-MM",
                "entities.csv:3:1: entity id is empty",
            ]
        );
        let e = parse("id,equity\na,-1\n").expect_err("negative");
        assert_eq!(e.0[0].message, "equity '-1' of a is outside 0-100 %");
    }

    #[test]
    fn days_follow_the_calendar() {
        assert!(Date::parse("2024-02-29").is_some());
        assert!(Date::parse("2023-02-29").is_none());
        assert!(Date::parse("2024-13").is_none());
        assert!(Date::parse("2024-7").is_none());
        assert_eq!(days_in_month(2100, 2), 28);
        assert!(is_leap(2000));
    }
}
