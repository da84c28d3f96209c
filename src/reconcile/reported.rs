//! The reported-figures file (`reported.toml`): figures exactly as a report prints them, tolerances, the
//! relations the report claims between its own figures, and the year-on-year changes it states.
//!
//! ```toml
//! source = "海康威视 2024 年 ESG 报告, 附录1 关键绩效表"
//! [tolerance]                       # optional; relative and/or absolute (in each figure's printed unit)
//! relative = "0.02"
//!
//! [[figure]]
//! id = "scope1"                     # an id of `ghg compute`, `denominator.<name>`, or any name with reconcile = false
//! printed = "14,385.48 吨二氧化碳当量"
//! locator = "附录1 关键绩效表, 温室气体排放, 范围 1"
//! tolerance = { relative = "0.001" } # optional, replaces the global tolerance for this figure
//! reconcile = true                  # optional; false = reported only, used by the internal checks (any unit)
//!
//! [[check]]                          # optional: a relation the report claims (sum, ratio, of-which)
//! kind = "sum"
//! total = "electricity.renewable"
//! parts = ["activity.certificate", "activity.onsite_pv"]
//! locator = "附录1 注: 光伏发电包含光伏发电绿证和自有生产基地光伏发电"
//!
//! [[change]]                         # optional: a stated year-on-year change
//! id = "energy.total"
//! printed = "+43.0%"                # a percentage, or an absolute change with its unit
//! from = "36,193.3 吨标煤"           # optional: the previous year as printed (default: the previous inventory's)
//! ```

use std::path::{Path, PathBuf};

use rust_decimal::Decimal;
use serde::Serialize;

use super::unit::FigureUnit;
use crate::error::{Diagnostics, Error, ErrorKind, Location};
use crate::factor::sha256_hex;
use crate::figure::{self, FigureId};
use crate::printed::PrintedNumber;
use crate::tomlx::{Src, TableReader};

/// A tolerance: an absolute allowance (in the figure's printed unit), a relative one, or both (the larger wins).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Tolerance {
    /// Absolute allowance in the printed unit of the figure.
    pub absolute: Option<Decimal>,
    /// Relative allowance, as a fraction of the reported value (0.02 = 2%).
    pub relative: Option<Decimal>,
}

impl Tolerance {
    /// Whether no allowance is stated.
    pub fn is_none(&self) -> bool {
        self.absolute.is_none() && self.relative.is_none()
    }
    /// The allowance for a reported value: the larger of the absolute one and relative x |reported|; None when
    /// relative x |reported| overflows 28 significant digits (an allowance of 0 would judge the figure wrongly).
    pub fn allowance(&self, reported: Decimal) -> Option<Decimal> {
        let a = self.absolute.unwrap_or_default().abs();
        let r = match self.relative {
            Some(r) => r.abs().checked_mul(reported.abs())?,
            None => Decimal::ZERO,
        };
        Some(a.max(r))
    }
    /// How the allowance is stated, e.g. "relative 0.02" or "absolute 0.5, relative 0.01".
    pub fn describe(&self) -> String {
        let mut parts = Vec::new();
        if let Some(a) = self.absolute {
            parts.push(format!("absolute {}", a.normalize()));
        }
        if let Some(r) = self.relative {
            parts.push(format!("relative {}", r.normalize()));
        }
        if parts.is_empty() { "none".to_string() } else { parts.join(", ") }
    }
}

/// One figure as printed in a report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReportedFigure {
    /// The figure id (`scope1`, `denominator.revenue`, or a free name when `reconcile` is false).
    pub id: String,
    /// The number exactly as printed, with its precision.
    pub printed: PrintedNumber,
    /// The printed unit, when the text names one.
    #[serde(skip)]
    pub unit: Option<FigureUnit>,
    /// Where in the report.
    pub locator: Option<String>,
    /// A tolerance for this figure only (replaces the global one).
    pub tolerance: Option<Tolerance>,
    /// Whether to compare with a recomputed figure (false: reported only, for the internal checks).
    pub reconcile: bool,
    /// Where it is written in the reported file.
    #[serde(skip)]
    pub location: Location,
}

/// A relation the report claims between its own figures.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Relation {
    /// `total` = sum of `parts`.
    Sum {
        /// The total's figure id.
        total: String,
        /// The parts' figure ids.
        parts: Vec<String>,
    },
    /// `value` = `numerator` / `denominator` (an intensity).
    Ratio {
        /// The ratio's figure id.
        value: String,
        /// Numerator figure id.
        numerator: String,
        /// Denominator figure id.
        denominator: String,
    },
    /// `part` is "of which" `parent`: it cannot be larger.
    OfWhich {
        /// The parent figure id.
        parent: String,
        /// The part figure id.
        part: String,
    },
}

/// A relation with where it comes from.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Check {
    /// The relation.
    pub relation: Relation,
    /// Where the report states it (free text), if given.
    pub locator: Option<String>,
    /// Whether `ghg` added it on its own (the standard relations between figure ids).
    pub builtin: bool,
}

/// The direction a stated change names in words ("减少", "a reduction", "增长", "up").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Direction {
    /// The figure went up.
    Increase,
    /// The figure went down.
    Decrease,
}

/// A stated year-on-year change.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StatedChange {
    /// The figure whose change is stated.
    pub id: String,
    /// The change as printed ("+43.0%", "-1,234.5 吨标煤", "减少21.15%", "a 21.15% reduction"), its value signed as
    /// the words say ("减少21.15%" is -21.15 %). A change stated by its direction only ("下降") has the value 0 and
    /// `magnitude` false.
    pub printed: PrintedNumber,
    /// The direction named in words, if any.
    pub direction: Option<Direction>,
    /// Whether the change states an amount (false for "下降", "增长" alone: only the direction is checked).
    pub magnitude: bool,
    /// The previous year's value as printed, when given here.
    pub from: Option<PrintedNumber>,
    /// Where in the report.
    pub locator: Option<String>,
    /// Where it is written.
    #[serde(skip)]
    pub location: Location,
}

/// The parsed reported-figures file.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReportedFile {
    /// The file as named.
    pub path: PathBuf,
    /// SHA-256 of its bytes.
    pub sha256: String,
    /// What report the figures come from.
    pub source: Option<String>,
    /// The global tolerance.
    pub tolerance: Tolerance,
    /// Figures in file order.
    pub figures: Vec<ReportedFigure>,
    /// Relations to check (declared ones, then the built-in ones that apply).
    pub checks: Vec<Check>,
    /// Stated changes.
    pub changes: Vec<StatedChange>,
}

impl ReportedFile {
    /// The figure with this id.
    pub fn figure(&self, id: &str) -> Option<&ReportedFigure> {
        self.figures.iter().find(|f| f.id == id)
    }

    /// Read and validate a reported-figures file; every problem of the file is reported together.
    pub fn load(path: &Path) -> Result<ReportedFile, Diagnostics> {
        let bytes = crate::tomlx::read_input(path)?;
        let text = String::from_utf8(bytes).map_err(|_| {
            Diagnostics::from(
                Error::new(ErrorKind::Encoding, "reported figures are not UTF-8")
                    .at(Location::file(path))
                    .hint("save the file as UTF-8"),
            )
        })?;
        ReportedFile::parse(path, &text)
    }

    /// Parse a reported-figures file from text; `path` names it in messages.
    pub fn parse(path: &Path, text: &str) -> Result<ReportedFile, Diagnostics> {
        let src = Src { file: path, text };
        let doc = src.parse()?;
        let mut d = Diagnostics::new();
        let mut top = TableReader::new(src, doc.get_ref(), doc.span(), "top level");
        let source = top.str_opt("source", &mut d).map(|x| x.0);
        let tolerance = match top.table_opt("tolerance", &mut d) {
            Some(t) => read_tolerance(t, &mut d),
            None => Tolerance::default(),
        };
        let mut figures: Vec<ReportedFigure> = Vec::new();
        for mut fr in top.tables_opt("figure", &mut d) {
            let id = fr.str_req("id", &mut d);
            let printed = fr.str_req("printed", &mut d);
            let locator = fr.str_opt("locator", &mut d).map(|x| x.0);
            let tol = fr.table_opt("tolerance", &mut d).map(|t| read_tolerance(t, &mut d));
            let reconcile = fr.bool_opt("reconcile", &mut d).unwrap_or(true);
            let loc = fr.loc();
            fr.finish(&mut d);
            let (Some((id, id_loc)), Some((p, ploc))) = (id, printed) else { continue };
            if let Some(first) = figures.iter().find(|f| f.id == id) {
                d.push(
                    Error::new(
                        ErrorKind::DuplicateId,
                        format!("figure '{id}' is reported twice (first at {})", first.location),
                    )
                    .at(id_loc)
                    .hint("each figure id appears once per reported file"),
                );
                continue;
            }
            let Some((printed, unit)) = read_printed(&p, &ploc, "printed", !reconcile, &mut d) else { continue };
            // The allowance is relative x printed: one too large to hold is an error here, at the figure.
            let rule = tol.as_ref().unwrap_or(&tolerance);
            if rule.allowance(printed.value).is_none() {
                d.push(
                    Error::overflow(format!(
                        "the tolerance of figure '{id}' ({} x {})",
                        rule.describe(),
                        printed.value.normalize()
                    ))
                    .at(loc.clone())
                    .hint("a relative tolerance is a fraction of the figure: relative = \"0.02\" is 2%"),
                );
                continue;
            }
            figures.push(ReportedFigure { id, printed, unit, locator, tolerance: tol, reconcile, location: loc });
        }
        let known = |id: &str| figures.iter().any(|f| f.id == id);
        let mut checks = Vec::new();
        for mut cr in top.tables_opt("check", &mut d) {
            let kind = cr.str_req("kind", &mut d);
            let locator = cr.str_opt("locator", &mut d).map(|x| x.0);
            let mut ids: Vec<(String, Location)> = Vec::new();
            let relation = match kind.as_ref().map(|(k, l)| (k.as_str(), l.clone())) {
                Some(("sum", _)) => {
                    let total = cr.str_req("total", &mut d);
                    let parts = cr.str_array_opt("parts", &mut d);
                    if parts.is_none() && !cr.has("parts") {
                        d.push(
                            Error::new(ErrorKind::MissingKey, format!("{} (kind sum) lacks 'parts'", cr.ctx()))
                                .at(cr.loc())
                                .hint("add parts = [\"scope1\", \"scope2.market\"]"),
                        );
                    }
                    match (total, parts) {
                        (Some(t), Some(p)) if p.len() >= 2 => {
                            ids.push(t.clone());
                            ids.extend(p.iter().cloned());
                            Some(Relation::Sum { total: t.0, parts: p.into_iter().map(|x| x.0).collect() })
                        }
                        (Some(_), Some(_)) => {
                            d.push(
                                Error::new(
                                    ErrorKind::BadValue,
                                    format!("{}: a sum needs at least two parts", cr.ctx()),
                                )
                                .at(cr.loc()),
                            );
                            None
                        }
                        _ => None,
                    }
                }
                Some(("ratio", _)) => {
                    let v = cr.str_req("value", &mut d);
                    let n = cr.str_req("numerator", &mut d);
                    let den = cr.str_req("denominator", &mut d);
                    match (v, n, den) {
                        (Some(v), Some(n), Some(den)) => {
                            ids.extend([v.clone(), n.clone(), den.clone()]);
                            Some(Relation::Ratio { value: v.0, numerator: n.0, denominator: den.0 })
                        }
                        _ => None,
                    }
                }
                Some(("of-which", _)) => {
                    let parent = cr.str_req("parent", &mut d);
                    let part = cr.str_req("part", &mut d);
                    match (parent, part) {
                        (Some(a), Some(b)) => {
                            ids.extend([a.clone(), b.clone()]);
                            Some(Relation::OfWhich { parent: a.0, part: b.0 })
                        }
                        _ => None,
                    }
                }
                Some((k, l)) => {
                    d.push(
                        Error::new(ErrorKind::BadValue, format!("check kind \"{k}\" is unknown"))
                            .at(l)
                            .hint("kind is one of sum, ratio, of-which"),
                    );
                    None
                }
                None => None,
            };
            for k in ["total", "parts", "value", "numerator", "denominator", "parent", "part"] {
                cr.allow(k);
            }
            cr.finish(&mut d);
            let mut ok = true;
            for (id, loc) in &ids {
                if !known(id) {
                    ok = false;
                    d.push(
                        Error::new(
                            ErrorKind::BadValue,
                            format!("check refers to figure '{id}', which is not reported"),
                        )
                        .at(loc.clone())
                        .hint("add a [[figure]] with this id (reconcile = false if ghg cannot recompute it)"),
                    );
                }
            }
            if let (Some(relation), true) = (relation, ok) {
                checks.push(Check { relation, locator, builtin: false });
            }
        }
        let mut changes = Vec::new();
        for mut cr in top.tables_opt("change", &mut d) {
            let id = cr.str_req("id", &mut d);
            let printed = cr.str_req("printed", &mut d);
            let from = cr.str_opt("from", &mut d);
            let locator = cr.str_opt("locator", &mut d).map(|x| x.0);
            let loc = cr.loc();
            cr.finish(&mut d);
            let (Some((id, id_loc)), Some((p, ploc))) = (id, printed) else { continue };
            if !known(&id) {
                d.push(
                    Error::new(ErrorKind::BadValue, format!("change of figure '{id}', which is not reported"))
                        .at(id_loc)
                        .hint("add a [[figure]] with this id for the current year"),
                );
                continue;
            }
            let Some((printed, direction, magnitude)) = read_change(&p, &ploc, &mut d) else { continue };
            let from = match from {
                Some((f, floc)) => match read_printed(&f, &floc, "from", true, &mut d) {
                    Some((x, _)) => Some(x),
                    None => continue,
                },
                None => None,
            };
            changes.push(StatedChange { id, printed, direction, magnitude, from, locator, location: loc });
        }
        top.finish(&mut d);
        if !d.is_empty() {
            return Err(d);
        }
        add_builtin_checks(&figures, &mut checks);
        Ok(ReportedFile {
            path: path.to_path_buf(),
            sha256: sha256_hex(text.as_bytes()),
            source,
            tolerance,
            figures,
            checks,
            changes,
        })
    }
}

fn read_tolerance(mut t: TableReader<'_, '_, '_>, d: &mut Diagnostics) -> Tolerance {
    let absolute = t.decimal_opt("absolute", d);
    let relative = t.decimal_opt("relative", d);
    for (name, v) in [("absolute", &absolute), ("relative", &relative)] {
        if let Some((x, loc)) = v
            && x.is_sign_negative()
            && !x.is_zero()
        {
            d.push(
                Error::new(ErrorKind::Negative, format!("tolerance {name} is negative ({x})"))
                    .at(loc.clone())
                    .hint("a tolerance is an allowance, e.g. relative = \"0.02\" for 2%"),
            );
        }
    }
    if absolute.is_none() && relative.is_none() && !t.has("absolute") && !t.has("relative") {
        d.push(
            Error::new(ErrorKind::MissingKey, format!("{} states neither absolute nor relative", t.ctx()))
                .at(t.loc())
                .hint("write relative = \"0.02\" (2%) or absolute = \"0.5\" (in the figure's printed unit)"),
        );
    }
    t.finish(d);
    Tolerance { absolute: absolute.map(|x| x.0), relative: relative.map(|x| x.0) }
}

/// Words that name the direction of a change, longest first within each language so that "减少" is not read
/// as "减" followed by "少".
const DECREASE_WORDS: &[&str] = &[
    "减少",
    "下降",
    "降低",
    "减低",
    "下滑",
    "回落",
    "减",
    "降",
    "reduction",
    "decrease",
    "decreased",
    "decline",
    "declined",
    "lower",
    "down",
    "fall",
    "fell",
    "drop",
    "dropped",
    "less",
    "reduced",
];
const INCREASE_WORDS: &[&str] = &[
    "增长",
    "增加",
    "上升",
    "提高",
    "提升",
    "增",
    "升",
    "increase",
    "increased",
    "growth",
    "grew",
    "rise",
    "rose",
    "higher",
    "up",
    "more",
];
/// Words around a change that carry no meaning for its value ("同比", "a", "by", "year-on-year").
const FILLER_WORDS: &[&str] =
    &["同比", "较上年", "较去年", "比上年", "year-on-year", "yoy", "y/y", "a", "an", "of", "by", "compared", "than"];

/// Splits a stated change into its direction word and the printed number ("减少21.15%" -> (Decrease, "21.15%"),
/// "a 21.15% reduction" -> (Decrease, "21.15%"), "下降" -> (Decrease, "")). Err names a second, contradicting
/// direction word.
fn split_direction(text: &str) -> Result<(Option<Direction>, String), String> {
    let mut rest = text.to_string();
    let mut found: Option<(Direction, &str)> = None;
    // Chinese words are glued to the number: remove them where they stand (longest first).
    for (dir, words) in [(Direction::Decrease, DECREASE_WORDS), (Direction::Increase, INCREASE_WORDS)] {
        for w in words.iter().filter(|w| !w.is_ascii()) {
            if let Some(i) = rest.find(w) {
                if let Some((d, other)) = found
                    && d != dir
                {
                    return Err(format!("it names both \"{other}\" and \"{w}\""));
                }
                found = Some((dir, w));
                rest.replace_range(i..i + w.len(), " ");
            }
        }
    }
    // English words stand apart: drop them (and the filler words) token by token.
    let mut kept = Vec::new();
    for token in rest.split_whitespace() {
        let lower = token.to_ascii_lowercase();
        let bare = lower.trim_matches(|c: char| matches!(c, ',' | ';' | ':' | '(' | ')'));
        let dir = if DECREASE_WORDS.contains(&bare) {
            Some(Direction::Decrease)
        } else if INCREASE_WORDS.contains(&bare) {
            Some(Direction::Increase)
        } else {
            None
        };
        match dir {
            Some(d) => {
                if let Some((prev, other)) = found
                    && prev != d
                {
                    return Err(format!("it names both \"{other}\" and \"{token}\""));
                }
                let w = if d == Direction::Decrease { DECREASE_WORDS } else { INCREASE_WORDS };
                found = Some((d, w.iter().find(|x| **x == bare).copied().unwrap_or("")));
            }
            None if FILLER_WORDS.contains(&bare) || (!token.is_ascii() && FILLER_WORDS.contains(&token)) => {}
            None => kept.push(token.to_string()),
        }
    }
    let mut number = kept.join(" ");
    for w in FILLER_WORDS.iter().filter(|w| !w.is_ascii()) {
        number = number.replace(w, "");
    }
    Ok((found.map(|(d, _)| d), number.trim().to_string()))
}

/// A stated change as printed: signed by its direction word, or only a direction. A signed number that contradicts
/// its word ("减少-5%") is an error, as is a word for each direction.
fn read_change(text: &str, loc: &Location, d: &mut Diagnostics) -> Option<(PrintedNumber, Option<Direction>, bool)> {
    let hint =
        "write the change as printed: \"+43.0%\", \"减少21.15%\", \"a 21.15% reduction\", \"下降\" or \"增长 27%\"";
    let (direction, number) = match split_direction(text) {
        Ok(x) => x,
        Err(why) => {
            d.push(
                Error::new(ErrorKind::BadValue, format!("'printed' change \"{text}\" is contradictory: {why}"))
                    .at(loc.clone())
                    .hint(hint),
            );
            return None;
        }
    };
    if number.is_empty() {
        let Some(dir) = direction else {
            d.push(Error::new(ErrorKind::BadValue, "'printed' change is empty").at(loc.clone()).hint(hint));
            return None;
        };
        let printed = PrintedNumber {
            text: text.trim().to_string(),
            value: Decimal::ZERO,
            places: 0,
            multiplier: Decimal::ONE,
            half_unit: Decimal::ZERO,
            unit: "%".to_string(),
        };
        return Some((printed, Some(dir), false));
    }
    if direction.is_none() {
        let (p, _) = read_printed(text, loc, "printed", true, d)?;
        return Some((p, None, true));
    }
    let (mut p, _) = match PrintedNumber::parse(&number) {
        Ok(p) => (p, ()),
        Err(e) => {
            d.push(
                Error::new(ErrorKind::BadNumber, format!("'printed' change \"{text}\" has no printed number: {e}"))
                    .at(loc.clone())
                    .hint(hint),
            );
            return None;
        }
    };
    let signed = number.starts_with(['+', '-', '−']);
    if signed && (p.value.is_sign_negative() != (direction == Some(Direction::Decrease))) && !p.value.is_zero() {
        d.push(
            Error::new(
                ErrorKind::BadValue,
                format!("'printed' change \"{text}\" is contradictory: its sign and its words point different ways"),
            )
            .at(loc.clone())
            .hint(hint),
        );
        return None;
    }
    if direction == Some(Direction::Decrease) && !p.value.is_sign_negative() {
        p.value = -p.value;
    }
    p.text = text.trim().to_string();
    Some((p, direction, true))
}

/// Parse a printed number and its unit; problems are reported at the column inside the TOML string. With
/// `any_unit`, a unit ghg does not know is kept as text only (reported-only figures, stated changes).
fn read_printed(
    text: &str,
    loc: &Location,
    key: &str,
    any_unit: bool,
    d: &mut Diagnostics,
) -> Option<(PrintedNumber, Option<FigureUnit>)> {
    // The string's location points at its opening quote; the text starts one column later.
    let at = |column: usize| {
        let mut l = loc.clone();
        l.column = l.column.map(|c| c + column);
        l
    };
    match PrintedNumber::parse(text) {
        Err(e) => {
            let column = match &e {
                crate::printed::PrintedError::NotANumber { column, .. }
                | crate::printed::PrintedError::BadGrouping { column, .. } => *column,
                _ => 1,
            };
            d.push(
                Error::new(ErrorKind::BadNumber, format!("'{key}' is not a printed number: {e}")).at(at(column)).hint(
                    "copy the figure as the report prints it, e.g. \"14,385.48 吨二氧化碳当量\" or \"1.8万 兆瓦时\"",
                ),
            );
            None
        }
        Ok(p) => {
            if p.unit.is_empty() {
                return Some((p, None));
            }
            match FigureUnit::parse(&p.unit) {
                Ok(u) => Some((p, Some(u))),
                Err(_) if any_unit => Some((p, None)),
                Err(e) => {
                    let column = text.chars().count() - text.trim_start().chars().count() + text.trim().chars().count()
                        - p.unit.chars().count()
                        + 1;
                    d.push(
                        Error::new(ErrorKind::UnknownUnit, format!("unit '{}' of '{key}' is unknown: {e}", p.unit))
                            .at(at(column))
                            .hint(crate::suggest::hint(
                                &p.unit,
                                crate::units::Unit::accepted_spellings(None),
                                "use a unit ghg knows (吨二氧化碳当量, 吨标煤, 兆瓦时, 吨, 万立方米, 百万元, %), or leave it out",
                            )),
                    );
                    None
                }
            }
        }
    }
}

/// The relations between standard figure ids that hold by definition; added when all their figures are reported
/// and the file does not already declare a check with the same total, ratio or part.
fn add_builtin_checks(figures: &[ReportedFigure], checks: &mut Vec<Check>) {
    let has = |id: &str| figures.iter().any(|f| f.id == id);
    // A declared check of the same kind about the same figure replaces the built-in one.
    let declared = |checks: &[Check], kind: &str, head: &str| {
        checks.iter().any(|c| match &c.relation {
            Relation::Sum { total, .. } => kind == "sum" && total == head,
            Relation::Ratio { value, .. } => kind == "ratio" && value == head,
            Relation::OfWhich { part, .. } => kind == "of-which" && part == head,
        })
    };
    let mut add = Vec::new();
    for (total, parts) in figure::SUMS {
        if has(total.as_str()) && parts.iter().all(|p| has(p.as_str())) && !declared(checks, "sum", total.as_str()) {
            add.push(Relation::Sum { total: total.to_string(), parts: parts.iter().map(|p| p.to_string()).collect() });
        }
    }
    for (value, num) in figure::PER_REVENUE {
        if has(value.as_str())
            && has(num.as_str())
            && has(figure::DENOMINATOR_REVENUE)
            && !declared(checks, "ratio", value.as_str())
        {
            add.push(Relation::Ratio {
                value: value.to_string(),
                numerator: num.to_string(),
                denominator: figure::DENOMINATOR_REVENUE.to_string(),
            });
        }
    }
    // The same ratios to every other denominator the file reports (`intensity.energy.per.floor_area` =
    // `energy.total` / `denominator.floor_area`).
    for f in figures {
        let Some((numerator, name)) = FigureId::new(&f.id).ratio() else { continue };
        let denominator = format!("denominator.{name}");
        if name != figure::REVENUE
            && has(numerator.as_str())
            && has(&denominator)
            && !declared(checks, "ratio", &f.id)
            && !add.iter().any(|r| matches!(r, Relation::Ratio { value, .. } if *value == f.id))
        {
            add.push(Relation::Ratio { value: f.id.clone(), numerator: numerator.to_string(), denominator });
        }
    }
    let (total, renewable) = (figure::ELECTRICITY_TOTAL, figure::ELECTRICITY_RENEWABLE);
    if has(renewable.as_str()) && has(total.as_str()) && !declared(checks, "of-which", renewable.as_str()) {
        add.push(Relation::OfWhich { parent: total.to_string(), part: renewable.to_string() });
    }
    for f in figures {
        if FigureId::new(&f.id).is_scope1_part() && has(figure::SCOPE1.as_str()) && !declared(checks, "of-which", &f.id)
        {
            add.push(Relation::OfWhich { parent: figure::SCOPE1.to_string(), part: f.id.clone() });
        }
    }
    checks.extend(add.into_iter().map(|relation| Check { relation, locator: None, builtin: true }));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<ReportedFile, Vec<String>> {
        ReportedFile::parse(Path::new("r.toml"), text).map_err(|d| d.0.iter().map(|e| e.to_string()).collect())
    }

    #[test]
    fn figures_keep_their_printed_precision_and_builtin_checks_are_added() {
        let r = parse(
            "[tolerance]\nrelative = \"0.02\"\n[[figure]]\nid = \"scope1\"\nprinted = \"14,385.48 吨二氧化碳当量\"\n\
             [[figure]]\nid = \"scope2.market\"\nprinted = \"175,492.31 吨二氧化碳当量\"\n\
             [[figure]]\nid = \"total.market\"\nprinted = \"189,877.79 吨二氧化碳当量\"\n\
             [[figure]]\nid = \"activity.certificate\"\nprinted = \"1.8万 兆瓦时\"\ntolerance = { absolute = \"100\" }\n",
        )
        .expect("valid");
        assert_eq!(r.tolerance.relative, Some(Decimal::new(2, 2)));
        let c = r.figure("activity.certificate").expect("figure");
        assert_eq!((c.printed.value, c.printed.half_unit), (Decimal::from(18000), Decimal::from(500)));
        assert_eq!(c.tolerance.as_ref().and_then(|t| t.absolute), Some(Decimal::from(100)));
        assert_eq!(r.checks.len(), 1);
        assert_eq!(
            r.checks[0].relation,
            Relation::Sum { total: "total.market".into(), parts: vec!["scope1".into(), "scope2.market".into()] }
        );
    }

    #[test]
    fn an_intensity_per_another_denominator_is_checked_against_its_numerator_and_denominator() {
        let r = parse(
            "[[figure]]\nid = \"energy.total\"\nprinted = \"1,200 吨标煤\"\n\
             [[figure]]\nid = \"denominator.floor_area\"\nprinted = \"60,000 平方米\"\n\
             [[figure]]\nid = \"intensity.energy.per.floor_area\"\nprinted = \"0.02 tce/m2\"\n\
             [[figure]]\nid = \"intensity.energy.per.output\"\nprinted = \"0.1 tce/t\"\n",
        )
        .expect("valid");
        // Only the ratio whose denominator is reported is checked.
        assert_eq!(
            r.checks.iter().map(|c| &c.relation).collect::<Vec<_>>(),
            [&Relation::Ratio {
                value: "intensity.energy.per.floor_area".into(),
                numerator: "energy.total".into(),
                denominator: "denominator.floor_area".into(),
            }]
        );
    }

    #[test]
    fn a_tolerance_that_overflows_is_an_error_at_the_figure() {
        // 1e10 x 1e19 = 1e29: more than a decimal holds (about 7.9e28); it used to become an allowance of 0.
        let e = parse(
            "[tolerance]\nrelative = \"10000000000\"\n[[figure]]\nid = \"scope1\"\nprinted = \"10000000000000000000\"\n",
        )
        .expect_err("overflow");
        assert_eq!(
            e,
            [
                "r.toml:3:1: the tolerance of figure 'scope1' (relative 10000000000 x 10000000000000000000) overflows 28 significant digits (a relative tolerance is a fraction of the figure: relative = \"0.02\" is 2%)"
            ]
        );
        // The figure's own tolerance replaces the global one, so the same figure with an absolute one loads.
        let r = parse(
            "[tolerance]\nrelative = \"10000000000\"\n[[figure]]\nid = \"scope1\"\nprinted = \"10000000000000000000\"\n\
             tolerance = { absolute = \"1\" }\n",
        )
        .expect("valid");
        assert_eq!(
            r.figures[0].tolerance.as_ref().map(|t| t.allowance(r.figures[0].printed.value)),
            Some(Some(Decimal::ONE))
        );
    }

    #[test]
    fn problems_name_line_and_column_inside_the_string() {
        let e = parse("[[figure]]\nid = \"scope1\"\nprinted = \"14,38.48 吨\"\n").expect_err("bad grouping");
        assert_eq!(e.len(), 1);
        assert!(e[0].starts_with("r.toml:3:14: 'printed' is not a printed number: bad thousands grouping"), "{e:?}");
        let e = parse("[[figure]]\nid = \"scope1\"\nprinted = \"14.5 吨煤\"\n").expect_err("unit");
        assert!(e[0].starts_with("r.toml:3:17: unit '吨煤' of 'printed' is unknown"), "{e:?}");
        let e = parse("[tolerance]\nrelative = 0.02\n[[figure]]\nid = \"a\"\nprinted = \"1\"\nvalue = \"2\"\n")
            .expect_err("float, unknown key");
        assert_eq!(e.len(), 2, "{e:?}");
        assert!(e[0].starts_with("r.toml:2:12: 'relative' in [tolerance] is a TOML float"), "{e:?}");
        assert!(e[1].starts_with("r.toml:6:1: unknown key 'value' in [[figure]] #1"), "{e:?}");
        let e = parse("[[figure]]\nid = \"a\"\nprinted = \"1\"\n[[check]]\nkind = \"sum\"\ntotal = \"a\"\nparts = [\"b\", \"c\"]\n")
            .expect_err("unknown ids");
        assert_eq!(e.len(), 2, "{e:?}");
        assert!(e[0].contains("check refers to figure 'b', which is not reported"), "{e:?}");
    }
}
