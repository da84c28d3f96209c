//! Group accounting: the entity register beside the ledgers and the consolidation approach of the GHG Protocol
//! Corporate Standard (chapter 3), which together give each ledger entity the share of its figures the group
//! reports.
//!
//! An inventory names its register (`entities = "entities.csv"`, or a TOML `entities.toml` of `[[entity]]` tables)
//! and its approach (`[consolidation] approach =
//! "equity_share" | "financial_control" | "operational_control"`). Under equity share an entity counts at the
//! group's equity in it, through its parents (60 % of a subsidiary that holds 50 % counts 30 %); under a control
//! approach it counts 100 % when the group controls it (through a chain of controlled parents) and 0 % otherwise.
//! An entity held for part of the year counts by the days (`2024-07-01`) or the months (`2024-07`) stated. The
//! calculation multiplies each line by its entity's [`Share`] (see [`crate::calc`]), and the trace shows it.

mod register;
mod share;
mod toml_register;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use rust_decimal::Decimal;
use serde::Serialize;

use crate::error::{Diagnostics, Error, ErrorKind, Location};
use crate::tomlx::TableReader;

pub use register::{Register, RegisterRow, is_toml};
pub use share::shares;

/// How the group consolidates its entities (GHG Protocol Corporate Standard, chapter 3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Approach {
    /// The group's share of an entity's figures is its equity in it, through its parents.
    EquityShare,
    /// 100 % of the entities the group controls financially, 0 % of the others.
    FinancialControl,
    /// 100 % of the entities the group controls operationally, 0 % of the others.
    OperationalControl,
}

impl Approach {
    /// The name as the inventory writes it.
    pub fn name(self) -> &'static str {
        match self {
            Approach::EquityShare => "equity_share",
            Approach::FinancialControl => "financial_control",
            Approach::OperationalControl => "operational_control",
        }
    }
    /// The register column the approach reads.
    pub fn column(self) -> &'static str {
        match self {
            Approach::EquityShare => "equity",
            Approach::FinancialControl => "financial_control",
            Approach::OperationalControl => "operational_control",
        }
    }
    /// In words, for the trace.
    pub fn words(self) -> &'static str {
        match self {
            Approach::EquityShare => "equity share",
            Approach::FinancialControl => "financial control",
            Approach::OperationalControl => "operational control",
        }
    }
}

/// The inventory's group choices: its entity register and its consolidation approach.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Consolidation {
    /// The register file, resolved against the inventory's folder.
    pub register: PathBuf,
    /// Where the inventory names it.
    #[serde(skip)]
    pub register_at: Location,
    /// The approach.
    pub approach: Approach,
    /// Where the inventory states it.
    #[serde(skip)]
    pub approach_at: Location,
}

/// Read `entities = "..."` and `[consolidation] approach = "..."` from the inventory's top level: both or neither.
/// Problems go to `d`, located in the inventory.
pub fn read_choice(
    top: &mut TableReader<'_, '_, '_>,
    resolve: &dyn Fn(&str) -> PathBuf,
    d: &mut Diagnostics,
) -> Option<Consolidation> {
    let register = top.str_opt("entities", d);
    let mut approach = None;
    let mut table_at = None;
    if let Some(mut t) = top.table_opt("consolidation", d) {
        table_at = Some(t.loc());
        match t.str_opt("approach", d) {
            Some((s, loc)) => match s.as_str() {
                "equity_share" => approach = Some((Approach::EquityShare, loc)),
                "financial_control" => approach = Some((Approach::FinancialControl, loc)),
                "operational_control" => approach = Some((Approach::OperationalControl, loc)),
                _ => d.push(
                    Error::new(
                        ErrorKind::BadValue,
                        format!(
                            "[consolidation] approach \"{s}\" is not equity_share, financial_control or \
                             operational_control"
                        ),
                    )
                    .at(loc)
                    .hint("choose one of the GHG Protocol's approaches, e.g. approach = \"operational_control\""),
                ),
            },
            None => {
                if !t.has("approach") {
                    d.push(
                        Error::new(ErrorKind::MissingKey, "[consolidation] lacks its approach")
                            .at(t.loc())
                            .hint("add approach = \"equity_share\", \"financial_control\" or \"operational_control\""),
                    );
                }
            }
        }
        t.finish(d);
    }
    match (register, approach, table_at) {
        (Some((file, register_at)), Some((approach, approach_at)), _) => {
            if file.trim().is_empty() {
                d.push(
                    Error::new(ErrorKind::BadValue, "entities = \"\" names no register")
                        .at(register_at)
                        .hint("name the entity register beside the ledgers, e.g. entities = \"entities.csv\""),
                );
                return None;
            }
            Some(Consolidation { register: resolve(&file), register_at, approach, approach_at })
        }
        (Some((_, at)), None, None) => {
            d.push(
                Error::new(ErrorKind::MissingKey, "an entity register needs a consolidation approach").at(at).hint(
                    "add [consolidation] approach = \"operational_control\" (or equity_share, financial_control)",
                ),
            );
            None
        }
        (None, Some(_), Some(at)) => {
            d.push(
                Error::new(ErrorKind::MissingKey, "a consolidation approach needs an entity register")
                    .at(at)
                    .hint("name the register at the top level: entities = \"entities.csv\""),
            );
            None
        }
        _ => None,
    }
}

/// What the group reports of one entity: `numerator / denominator` of its figures (a fraction from 0 to 1, exact:
/// a part-year owner's share is a sum over the days or months of the year, divided by their number), and how it
/// was formed, for the trace.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Share {
    /// The numerator: the sum over the year's days (or months) of the share held that day (or month); the share
    /// itself when it is the same all year (then `denominator` is 1).
    pub numerator: Decimal,
    /// 1, or the number of days (months) of the year.
    pub denominator: Decimal,
    /// The share as a decimal fraction, rounded half away from zero to [`crate::calc::LINE_SCALE`] places (exact
    /// when `denominator` is 1).
    pub fraction: Decimal,
    /// How it is formed: `x 0.3 (equity share of sub-b: entities.csv:5)`, added to each line's formula.
    pub text: String,
    /// The entity's first row in the register.
    #[serde(skip)]
    pub location: Location,
}

impl Share {
    /// `value x numerator / denominator` at [`crate::calc::LINE_SCALE`] places, rounded toward positive infinity:
    /// a scaled line is never below its exact value, so no figure is understated and a figure whose exact value is
    /// not negative (market-based scope 2, certificates deducted from the electricity they cover) never shows a
    /// negative rounding residue; a sum of n scaled lines exceeds the exact sum by less than n x 10^-12. None when
    /// it overflows.
    pub fn apply(&self, value: Decimal) -> Option<Decimal> {
        if self.denominator == Decimal::ONE && self.numerator == Decimal::ONE {
            return Some(value);
        }
        let exact = value.checked_mul(self.numerator)?.checked_div(self.denominator)?;
        Some(exact.round_dp_with_strategy(crate::calc::LINE_SCALE, rust_decimal::RoundingStrategy::ToPositiveInfinity))
    }
}

/// Each registered entity's share, by entity id, under the inventory's approach.
#[derive(Debug, Clone, PartialEq)]
pub struct Shares {
    /// The approach the shares follow.
    pub approach: Approach,
    /// The register file.
    pub register: PathBuf,
    /// SHA-256 of the register file.
    pub sha256: String,
    /// Entity id -> its share.
    pub by_entity: BTreeMap<String, Share>,
}

/// The shares of the inventory's register, or None when it names no register. Every problem of the register is
/// reported together, located at its cell.
pub fn shares_of(inv: &crate::Inventory) -> Result<Option<Shares>, Diagnostics> {
    let Some(c) = &inv.consolidation else { return Ok(None) };
    let reg = Register::load(&c.register).map_err(|mut d| {
        for e in &mut d.0 {
            if e.location.is_none() {
                e.location = Some(c.register_at.clone());
            }
        }
        d
    })?;
    shares(&reg, c.approach, inv.year).map(Some)
}

/// Where the entity cell of a ledger row is: for a CSV ledger, the row's line with the column of its `entity`
/// field (read again from the file, in the encoding the inventory declares for it); otherwise the row as located.
pub fn entity_cell(inv: &crate::Inventory, row: &Location) -> Location {
    if row.column.is_some() {
        return row.clone();
    }
    if let Some(sheet) = &row.sheet {
        let column = sheet_entity_column(&row.file, sheet);
        return Location { column: column.or(row.column), ..row.clone() };
    }
    if crate::sheet::is_spreadsheet(&row.file) {
        return row.clone();
    }
    let Some(line) = row.line else { return row.clone() };
    let column = entity_column(inv, &row.file, line);
    Location { column: column.or(row.column), ..row.clone() }
}

/// The 1-based column of the `entity` header cell of a worksheet (the header is among its first rows).
fn sheet_entity_column(file: &Path, sheet: &str) -> Option<usize> {
    use calamine::Reader;
    let mut book = calamine::open_workbook_auto(file).ok()?;
    let range = book.worksheet_range(sheet).ok()?;
    let (_, c0) = range.start()?;
    range
        .rows()
        .take(10)
        .find_map(|r| r.iter().position(|d| d.to_string().trim() == "entity").map(|c| c0 as usize + c + 1))
}

/// The 1-based column (in characters, counted on the fields as read) of the `entity` field on `line` of a CSV
/// ledger.
fn entity_column(inv: &crate::Inventory, file: &Path, line: usize) -> Option<usize> {
    let f = std::fs::File::open(file).ok()?;
    let enc = inv.read_options(file, &crate::ledger::ReadOptions::default()).encoding;
    let reader: Box<dyn std::io::Read> = if enc == crate::encoding::Encoding::Utf8 {
        Box::new(f)
    } else {
        Box::new(crate::encoding::DecodingReader::new(f, enc))
    };
    let mut rd = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(reader);
    let mut header: Option<usize> = None;
    let mut rec = csv::ByteRecord::new();
    while rd.read_byte_record(&mut rec).ok()? {
        let at = rec.position().map(|p| p.line() as usize)?;
        let text = |i: usize| String::from_utf8_lossy(&rec[i]).trim_start_matches('\u{feff}').trim().to_string();
        match header {
            None => header = (0..rec.len()).find(|&i| text(i).eq_ignore_ascii_case("entity")),
            Some(ie) if at == line && ie < rec.len() => {
                return Some(1 + (0..ie).map(|j| String::from_utf8_lossy(&rec[j]).chars().count() + 1).sum::<usize>());
            }
            Some(_) if at > line => return None,
            Some(_) => {}
        }
    }
    None
}
