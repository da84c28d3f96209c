//! The activity ledger: CSV rows of `entity,period,activity,quantity,unit,region,note`, each remembering file:line.

use std::fmt;
use std::path::Path;
use std::str::FromStr;

use rust_decimal::Decimal;
use serde::Serialize;

use crate::error::{Error, ErrorKind, Location};
use crate::units::{Dimension, Quantity, Unit};
use crate::vocab::{self, ActivityDef, Category};

/// What a ledger row measures: a handle on its definition ([`ActivityDef`]), built in or declared by a factor file.
///
/// Two handles are equal when they name the same activity in the same category (a row that states `mobile` for
/// diesel is diesel in the mobile category). The built-in activities are associated constants (`Activity::Diesel`).
#[derive(Debug, Clone, Copy)]
pub struct Activity(&'static ActivityDef);

/// Every built-in activity, in report order (declared activities follow them: [`crate::vocab::known`]).
pub const ACTIVITIES: &[Activity] = &[
    Activity::Gasoline,
    Activity::Diesel,
    Activity::NaturalGas,
    Activity::Lpg,
    Activity::FuelOil,
    Activity::Coal,
    Activity::Electricity,
    Activity::Heat,
    Activity::OnsitePv,
    Activity::Certificate,
];

#[allow(non_upper_case_globals)]
impl Activity {
    /// Motor gasoline burned.
    pub const Gasoline: Activity = Activity(&vocab::BUILTIN[0]);
    /// Diesel burned.
    pub const Diesel: Activity = Activity(&vocab::BUILTIN[1]);
    /// Natural gas burned.
    pub const NaturalGas: Activity = Activity(&vocab::BUILTIN[2]);
    /// Liquefied petroleum gas burned.
    pub const Lpg: Activity = Activity(&vocab::BUILTIN[3]);
    /// Fuel oil burned.
    pub const FuelOil: Activity = Activity(&vocab::BUILTIN[4]);
    /// Coal burned.
    pub const Coal: Activity = Activity(&vocab::BUILTIN[5]);
    /// Electricity bought from a grid.
    pub const Electricity: Activity = Activity(&vocab::BUILTIN[6]);
    /// Steam or hot water bought.
    pub const Heat: Activity = Activity(&vocab::BUILTIN[7]);
    /// Electricity generated and used on site by own PV.
    pub const OnsitePv: Activity = Activity(&vocab::BUILTIN[8]);
    /// Energy attribute certificates (GEC, I-REC, ...) in MWh.
    pub const Certificate: Activity = Activity(&vocab::BUILTIN[9]);
}

impl Activity {
    /// The handle of a definition.
    pub fn of(def: &'static ActivityDef) -> Activity {
        Activity(def)
    }
    /// The definition: names, category, dimensions, unit, gas, where it is declared.
    pub fn def(self) -> &'static ActivityDef {
        self.0
    }
    /// The ledger name (id).
    #[allow(clippy::misnamed_getters)]
    pub fn name(self) -> &'static str {
        self.0.id
    }
    /// What it is in the accounts.
    pub fn category(self) -> Category {
        self.0.category
    }
    /// The same activity in another category (a row's stated `stationary` or `mobile`).
    pub fn in_category(self, category: Category) -> Activity {
        Activity(vocab::variant(self.0, category))
    }
    /// Whether it is a fuel burned on site (scope 1, direct energy).
    pub fn is_fuel(self) -> bool {
        self.0.category.is_fuel()
    }
    /// The unit figures of this activity's quantity are reported in.
    pub fn canonical_unit(self) -> &'static str {
        self.0.unit
    }
    /// The dimensions a quantity of this activity may be measured in.
    pub fn accepts(self, dim: Dimension) -> bool {
        self.0.dimensions.contains(&dim)
    }
    /// What a quantity of it is measured in, for messages ("a mass, volume or energy").
    pub fn measured_in(self) -> String {
        let names: Vec<String> = self.0.dimensions.iter().map(|d| d.to_string()).collect();
        match names.as_slice() {
            [] => "nothing".into(),
            [one] if one == "energy" => "an energy (e.g. MWh, kWh, 兆瓦时)".into(),
            [one] => format!("a {one}"),
            [init @ .., last] => format!("a {} or {last}", init.join(", ")),
        }
    }
}

impl PartialEq for Activity {
    fn eq(&self, other: &Activity) -> bool {
        std::ptr::eq(self.0, other.0) || (self.0.id == other.0.id && self.0.category == other.0.category)
    }
}

impl Eq for Activity {}

impl std::hash::Hash for Activity {
    fn hash<H: std::hash::Hasher>(&self, h: &mut H) {
        self.0.id.hash(h);
        self.0.category.hash(h);
    }
}

impl PartialOrd for Activity {
    fn partial_cmp(&self, other: &Activity) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Activity {
    /// Report order: the built-in activities in their order, then declared ones by id; then category.
    fn cmp(&self, other: &Activity) -> std::cmp::Ordering {
        (self.0.rank, self.0.id, self.0.category).cmp(&(other.0.rank, other.0.id, other.0.category))
    }
}

impl Serialize for Activity {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.0.id)
    }
}

impl fmt::Display for Activity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Activity {
    type Err = ();
    /// An activity by id, English or Chinese name or alias (case-insensitive): built in, or declared by a factor
    /// file loaded before.
    fn from_str(s: &str) -> Result<Self, ()> {
        vocab::lookup(s).map(Activity).ok_or(())
    }
}

impl Activity {
    /// The name of the activity for readers, in English and in Chinese (the terms of Chinese ESG reports):
    /// `diesel` -> ("Diesel", "柴油"). Reports pick one (`report::activity_label`); factor search matches both.
    pub fn labels(self) -> (&'static str, &'static str) {
        let zh = if self.0.name_zh.is_empty() { self.0.name } else { self.0.name_zh };
        (self.0.name, zh)
    }
}

/// A reporting period: a year, a month or a quarter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Period {
    /// The year.
    pub year: i32,
    /// 0 for a whole year, 1-12 for a month, 101-104 for quarters 1-4.
    pub part: u8,
}

impl Period {
    /// Parse `YYYY`, `YYYY-MM` or `YYYY-Qn`.
    pub fn parse(s: &str) -> Option<Period> {
        let s = s.trim();
        let (y, rest) = match s.split_once('-') {
            Some((y, r)) => (y, Some(r)),
            None => (s, None),
        };
        if y.len() != 4 || !y.chars().all(|c| c.is_ascii_digit()) {
            return None;
        }
        let year: i32 = y.parse().ok()?;
        let part = match rest {
            None => 0,
            Some(r) if r.len() == 2 && (r.starts_with('Q') || r.starts_with('q')) => {
                let q: u8 = r[1..].parse().ok()?;
                if !(1..=4).contains(&q) {
                    return None;
                }
                100 + q
            }
            Some(r) if r.len() == 2 && r.chars().all(|c| c.is_ascii_digit()) => {
                let m: u8 = r.parse().ok()?;
                if !(1..=12).contains(&m) {
                    return None;
                }
                m
            }
            _ => return None,
        };
        Some(Period { year, part })
    }
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.part {
            0 => write!(f, "{}", self.year),
            p if p > 100 => write!(f, "{}-Q{}", self.year, p - 100),
            m => write!(f, "{}-{m:02}", self.year),
        }
    }
}

impl Serialize for Period {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// One ledger row, validated, with where it came from.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ActivityRecord {
    /// File and line.
    pub source: Location,
    /// Reporting entity (site, subsidiary).
    pub entity: String,
    /// Period.
    pub period: Period,
    /// What was measured.
    pub activity: Activity,
    /// How much, in the unit written.
    pub quantity: Quantity,
    /// Region code (normalised; Chinese names accepted).
    pub region: String,
    /// Free note.
    pub note: Option<String>,
    /// Printed precision of a quantity copied from a report (e.g. 0.01), if stated.
    pub precision: Option<Decimal>,
    /// Certificate instrument type (GEC, I-REC, ...).
    pub instrument: Option<String>,
    /// Certificate vintage (period of generation).
    pub vintage: Option<String>,
    /// Certificate id.
    pub certificate_id: Option<String>,
    /// Supplier emission factor of a contract instrument (PPA), e.g. `0.12` (tCO2e/MWh) or `120 kgCO2/MWh`.
    pub supplier_factor: Option<String>,
}

/// The required columns, in their usual order.
pub const REQUIRED_COLUMNS: &[&str] = &["entity", "period", "activity", "quantity", "unit", "region"];
/// The optional columns.
pub const OPTIONAL_COLUMNS: &[&str] =
    &["note", "precision", "instrument", "vintage", "certificate_id", "supplier_factor", "category"];

/// Index of the `category` column among [`OPTIONAL_COLUMNS`].
pub(crate) const CATEGORY_COLUMN: usize = 6;

/// Where each column of a ledger is (0-based field indices).
#[derive(Debug, Clone, Default)]
pub(crate) struct Columns {
    pub(crate) idx: [usize; 6],
    pub(crate) opt: [Option<usize>; 7],
    pub(crate) count: usize,
}

/// Parse a quantity as written in a ledger: digits with an optional decimal point and optional
/// well-formed thousands separators ("1,909.06"). Returns None if malformed.
pub fn parse_quantity(s: &str) -> Option<Decimal> {
    crate::number::parse(s).ok()
}

fn looks_like_gbk(bytes: &[u8]) -> bool {
    // Valid UTF-8 fails, and the bytes pair up as GBK lead (0x81-0xFE) + trail (0x40-0xFE).
    let mut i = 0;
    let mut pairs = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b < 0x80 {
            i += 1;
        } else if (0x81..=0xFE).contains(&b) && i + 1 < bytes.len() && (0x40..=0xFE).contains(&bytes[i + 1]) {
            pairs += 1;
            i += 2;
        } else {
            return false;
        }
    }
    pairs > 0
}

/// Check one CSV record of a ledger (at `line` of `file`): the row as a validated record, or what is wrong.
pub(crate) fn check_record(
    file: &Path,
    line: usize,
    cols: &Columns,
    rec: &csv::ByteRecord,
) -> Result<ActivityRecord, Error> {
    if rec.len() != cols.count {
        return Err(Error::new(ErrorKind::Csv, format!("row has {} fields, the header has {}", rec.len(), cols.count))
            .at(Location::at(file, line, Some(1)))
            .hint("quote fields that contain commas (\"1,909.06\") and check for a missing or extra comma"));
    }
    // Column (1-based, in characters) where field i starts, counted on the unquoted fields.
    let col_of =
        |i: usize| -> usize { 1 + (0..i).map(|j| String::from_utf8_lossy(&rec[j]).chars().count() + 1).sum::<usize>() };
    let field = |i: usize| -> Result<&str, Error> {
        std::str::from_utf8(&rec[i]).map_err(|_| encoding_error(file, line, &rec[i]))
    };
    let at = |i: usize| Location::at(file, line, Some(col_of(i)));
    RowCheck { cols, source: Location::at(file, line, None) }.validate(&field, &at)
}

/// The checks every ledger row passes, whatever file it came from (CSV or spreadsheet): fields are read through
/// `field(i)` and located through `at(i)`, so the messages are the same and only the locations differ.
pub(crate) struct RowCheck<'c> {
    /// Where each column is.
    pub(crate) cols: &'c Columns,
    /// The row, as the record's source.
    pub(crate) source: Location,
}

impl RowCheck<'_> {
    /// Validate one row.
    pub(crate) fn validate<'f>(
        &self,
        field: &dyn Fn(usize) -> Result<&'f str, Error>,
        at: &dyn Fn(usize) -> Location,
    ) -> Result<ActivityRecord, Error> {
        let [ie, ip, ia, iq, iu, ir] = self.cols.idx;
        let entity = field(ie)?.trim().to_string();
        if entity.is_empty() {
            return Err(Error::new(ErrorKind::BadValue, "entity is empty")
                .at(at(ie))
                .hint("name the site or subsidiary"));
        }
        let ptxt = field(ip)?.trim();
        let period = Period::parse(ptxt).ok_or_else(|| {
            Error::new(ErrorKind::BadPeriod, format!("period '{ptxt}' is not YYYY, YYYY-MM or YYYY-Qn"))
                .at(at(ip))
                .hint("write 2024, 2024-03 or 2024-Q1")
        })?;
        let atxt = field(ia)?.trim();
        let activity: Activity = atxt.parse().map_err(|_| unknown_activity(atxt).at(at(ia)))?;
        // A fuel's row may say whether it burned in stationary equipment or a vehicle.
        let activity = match self.cols.opt[CATEGORY_COLUMN] {
            None => activity,
            Some(ic) => {
                let ctxt = field(ic)?.trim();
                if ctxt.is_empty() {
                    activity
                } else {
                    match Category::parse(ctxt) {
                        Some(c) if c.row_may_state(activity.category()) => activity.in_category(c),
                        _ => {
                            return Err(Error::new(
                                ErrorKind::BadValue,
                                format!("category '{ctxt}' cannot be stated for {activity} ({})", activity.category()),
                            )
                            .at(at(ic))
                            .hint(if activity.is_fuel() {
                                "a fuel's row may say stationary or mobile; leave it empty for the activity's own"
                            } else {
                                "only a fuel's row may state a category (stationary or mobile); leave it empty"
                            }));
                        }
                    }
                }
            }
        };
        let qtxt = field(iq)?.trim();
        let value = match crate::number::parse(qtxt) {
            Ok(v) => v,
            Err(crate::number::NumberError::Empty) => {
                return Err(Error::new(ErrorKind::BadNumber, "quantity is empty")
                    .at(at(iq))
                    .hint("write the quantity as a decimal number, e.g. 1909.06"));
            }
            Err(why) if why.is_range() => {
                let (what, hint) = match why {
                    crate::number::NumberError::TooManyPlaces => {
                        ("decimal places", "a decimal holds at most 28 decimal places; use a smaller unit")
                    }
                    _ => ("significant digits", "a decimal holds at most 28 significant digits; use a larger unit"),
                };
                return Err(Error::new(ErrorKind::Overflow, format!("quantity '{qtxt}' has more than 28 {what}"))
                    .at(at(iq))
                    .hint(hint));
            }
            Err(why) => {
                return Err(Error::new(
                    ErrorKind::BadNumber,
                    format!("quantity '{qtxt}' is not a decimal number: {why}"),
                )
                .at(at(iq))
                .hint("write digits with an optional decimal point, e.g. 1909.06 or \"1,909.06\""));
            }
        };
        if value.is_sign_negative() && !value.is_zero() {
            return Err(Error::new(ErrorKind::Negative, format!("quantity {qtxt} is negative"))
                .at(at(iq))
                .hint("ledger quantities are amounts consumed or bought; model removals as a scenario"));
        }
        let utxt = field(iu)?.trim();
        let unit = Unit::parse(utxt).map_err(|_| {
            let accepted: Vec<&str> =
                activity.def().dimensions.iter().flat_map(|d| Unit::accepted_spellings(Some(*d))).collect();
            Error::new(ErrorKind::UnknownUnit, format!("unknown unit '{utxt}' for {activity}")).at(at(iu)).hint(
                crate::suggest::hint(utxt, accepted.iter().copied(), &format!("accepted: {}", accepted.join(", "))),
            )
        })?;
        if !activity.accepts(unit.dimension()) {
            return Err(Error::new(
                ErrorKind::DimensionMismatch,
                format!("unit '{utxt}' ({}) cannot measure {activity}", unit.dimension()),
            )
            .at(at(iu))
            .hint(format!("{activity} is measured in {}", activity.measured_in())));
        }
        let region = crate::region::normalize(field(ir)?);
        let opt = |k: usize| -> Result<Option<String>, Error> {
            match self.cols.opt[k] {
                None => Ok(None),
                Some(i) => {
                    let s = field(i)?.trim();
                    Ok(if s.is_empty() { None } else { Some(s.to_string()) })
                }
            }
        };
        let precision = match opt(1)? {
            None => None,
            Some(p) => match crate::tomlx::parse_decimal(&p) {
                Some(x) if x > Decimal::ZERO => Some(x),
                _ => {
                    let i = self.cols.opt[1].unwrap_or(0);
                    return Err(Error::new(ErrorKind::BadNumber, format!("precision '{p}' is not a positive decimal"))
                        .at(at(i))
                        .hint("write the printed resolution of the quantity, e.g. 0.01 or 100"));
                }
            },
        };
        Ok(ActivityRecord {
            source: self.source.clone(),
            entity,
            period,
            activity,
            quantity: Quantity { value, unit },
            region,
            note: opt(0)?,
            precision,
            instrument: opt(2)?,
            vintage: opt(3)?,
            certificate_id: opt(4)?,
            supplier_factor: opt(5)?,
        })
    }
}

/// The error for an activity name no built-in or declared activity has: the nearest names, and how to declare one.
pub fn unknown_activity(name: &str) -> Error {
    let near = vocab::did_you_mean(name);
    let known: Vec<&str> = vocab::known().iter().map(|d| d.id).collect();
    let hint = if near.is_empty() {
        format!(
            "activities are {}; another activity is declared by a factor file ([[activity]], factors/README.md)",
            known.join(", ")
        )
    } else {
        format!(
            "did you mean {}? Activities are {}; another is declared by a factor file's [[activity]]",
            near.join(" or "),
            known.join(", ")
        )
    };
    Error::new(ErrorKind::UnknownActivity, format!("unknown activity '{name}'")).hint(hint)
}

/// Map a ledger's header record (None: the file has none) to its columns, or say what is wrong with it.
pub(crate) fn header_columns(file: &Path, header: Option<&csv::ByteRecord>) -> Result<Columns, Error> {
    let loc1 = Location::at(file, 1, Some(1));
    let Some(header) = header.filter(|h| !(h.len() == 1 && h[0].iter().all(|b| b.is_ascii_whitespace()))) else {
        return Err(Error::new(ErrorKind::Empty, "ledger is empty: no header line")
            .at(loc1)
            .hint(format!("the first line must be the header {},note", REQUIRED_COLUMNS.join(","))));
    };
    let mut names = Vec::with_capacity(header.len());
    let mut starts = Vec::with_capacity(header.len());
    let mut col_start = 1;
    for raw in header.iter() {
        let name = std::str::from_utf8(raw).map_err(|_| encoding_error(file, 1, raw))?;
        names.push(name.to_string());
        starts.push(col_start);
        col_start += name.chars().count() + 1;
    }
    // One header check for every ledger: the spreadsheet reader's, with cells located at their columns here.
    columns_from_header(&names, &|i| Location::at(file, 1, Some(starts[i])), loc1)
}

/// The required columns a header lacks, as one error located at the header.
fn missing_columns(found: [bool; 6], at: Location) -> Result<(), Error> {
    let missing: Vec<&str> = REQUIRED_COLUMNS.iter().zip(found).filter(|(_, f)| !f).map(|(c, _)| *c).collect();
    if missing.is_empty() {
        return Ok(());
    }
    Err(Error::new(
        ErrorKind::Csv,
        format!("header lacks required column{} {}", if missing.len() > 1 { "s" } else { "" }, missing.join(", ")),
    )
    .at(at)
    .hint(format!("the header must be {},note", REQUIRED_COLUMNS.join(","))))
}

/// Map header names to columns, with the same messages as the CSV header check; `at(i)` locates header cell `i`
/// and `whole` the header as a whole. Used by the spreadsheet reader.
pub(crate) fn columns_from_header(
    names: &[String],
    at: &dyn Fn(usize) -> Location,
    whole: Location,
) -> Result<Columns, Error> {
    let mut cols = Columns { count: names.len(), ..Default::default() };
    let mut found = [false; 6];
    for (i, name) in names.iter().enumerate() {
        let name = name.trim();
        if let Some(k) = REQUIRED_COLUMNS.iter().position(|c| *c == name) {
            if found[k] {
                return Err(Error::new(ErrorKind::Csv, format!("column '{name}' appears twice in the header"))
                    .at(at(i))
                    .hint("keep one of them: each column may appear once"));
            }
            found[k] = true;
            cols.idx[k] = i;
        } else if let Some(k) = OPTIONAL_COLUMNS.iter().position(|c| *c == name) {
            cols.opt[k] = Some(i);
        } else {
            return Err(Error::new(ErrorKind::Csv, format!("unknown column '{name}' in the header")).at(at(i)).hint(
                format!("columns are {} and optionally {}", REQUIRED_COLUMNS.join(", "), OPTIONAL_COLUMNS.join(", ")),
            ));
        }
    }
    missing_columns(found, whole)?;
    Ok(cols)
}

fn encoding_error(file: &Path, line: usize, raw: &[u8]) -> Error {
    if let Some(e) = crate::encoding::looks_like_utf16(raw) {
        return Error::new(
            ErrorKind::Encoding,
            format!("text is not UTF-8: it is UTF-16 ({e}, Excel's \"Unicode text\")"),
        )
        .at(Location::at(file, line, None))
        .hint("rerun with --encoding utf-16, or save the file as UTF-8 (Excel: Save As > CSV UTF-8)");
    }
    let gbk = looks_like_gbk(raw);
    Error::new(
        ErrorKind::Encoding,
        if gbk { "text is not UTF-8 (it looks like GBK/GB18030)".to_string() } else { "text is not UTF-8".to_string() },
    )
    .at(Location::at(file, line, None))
    .hint("save the file as UTF-8 (Excel: Save As > CSV UTF-8), or pass --encoding gbk")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &[u8]) -> Vec<Result<ActivityRecord, Error>> {
        match crate::ledger::read_csv(Path::new("l.csv"), std::io::Cursor::new(text.to_vec()), &Default::default()) {
            Ok(r) => r.collect(),
            Err(e) => vec![Err(e)],
        }
    }

    #[test]
    fn periods() {
        assert_eq!(Period::parse("2024").map(|p| p.to_string()), Some("2024".into()));
        assert_eq!(Period::parse("2024-03").map(|p| p.to_string()), Some("2024-03".into()));
        assert_eq!(Period::parse("2024-Q2").map(|p| p.to_string()), Some("2024-Q2".into()));
        assert_eq!(Period::parse("2024-13"), None);
        assert_eq!(Period::parse("2024-Q5"), None);
        assert_eq!(Period::parse("24"), None);
    }

    #[test]
    fn quantities_with_separators() {
        assert_eq!(parse_quantity("1,909.06").map(|d| d.to_string()), Some("1909.06".into()));
        assert_eq!(parse_quantity("362,596.02").map(|d| d.to_string()), Some("362596.02".into()));
        assert_eq!(parse_quantity("1,90.06"), None);
        assert_eq!(parse_quantity("1e3"), None);
    }

    #[test]
    fn bom_and_lines() {
        let rows = read("\u{feff}entity,period,activity,quantity,unit,region,note\na,2024,gasoline,\"1,909.06\",吨,CN,x\n\nb,2024,electricity,5,兆瓦时,浙江,\n".as_bytes());
        assert_eq!(rows.len(), 2);
        let a = rows[0].as_ref().expect("row 1 valid");
        assert_eq!(a.source.line, Some(2));
        assert_eq!(a.quantity.value.to_string(), "1909.06");
        let b = rows[1].as_ref().expect("row 2 valid");
        assert_eq!(b.source.line, Some(4));
        assert_eq!(b.region, "CN-ZJ");
    }

    #[test]
    fn row_errors_name_line_and_column() {
        let rows = read(b"entity,period,activity,quantity,unit,region\na,2024,gasolene,1,t,CN\na,2024,electricity,1,t,CN\na,2024,diesel,-1,t,CN\n");
        let msgs: Vec<String> =
            rows.iter().map(|r| r.as_ref().err().map(|e| e.to_string()).unwrap_or_default()).collect();
        assert!(msgs[0].starts_with("l.csv:2:8: unknown activity 'gasolene'"), "{}", msgs[0]);
        assert!(msgs[1].starts_with("l.csv:3:22: unit 't' (mass) cannot measure electricity"), "{}", msgs[1]);
        assert!(msgs[2].starts_with("l.csv:4:15: quantity -1 is negative"), "{}", msgs[2]);
    }

    #[test]
    fn header_problems() {
        let e = read(b"entity,period,activity,quantity,unit\n").remove(0).expect_err("missing region");
        assert_eq!(
            e.to_string(),
            "l.csv:1:1: header lacks required column region (the header must be entity,period,activity,quantity,unit,region,note)"
        );
        let e = read(b"").remove(0).expect_err("empty");
        assert_eq!(e.kind, ErrorKind::Empty);
    }
}
