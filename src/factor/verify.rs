//! Checking a folder of factor files against the reference table kept beside them (`reference/*.csv`).
//!
//! Every factor file is read as raw TOML (`toml::Value`), not through the loader, so the check does not depend on
//! what the loader accepts: files waiting for a newer loader (`factors/pending/`) are checked too. A factor whose
//! value or unit differs from its reference row, a factor with no reference row, a factor lacking its citation, unit,
//! validity years or confidence, a set lacking its licence, a reference row naming a factor that is not there, and a
//! refrigerant blend whose component GWPs do not sum to the total its publisher prints are each one problem, located
//! at the file and line.

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use rust_decimal::{Decimal, RoundingStrategy};

use crate::error::{Error, ErrorKind, Location};

/// The columns of a reference table, in order.
pub const REFERENCE_COLUMNS: [&str; 8] = ["set", "edition", "factor_id", "value", "unit", "source", "locator", "grade"];

/// One problem found by [`verify_dir`].
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct VerifyProblem {
    /// The factor file or reference table.
    pub file: PathBuf,
    /// 1-based line, where known.
    pub line: Option<usize>,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for VerifyProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(l) => write!(f, "{}:{l}: {}", self.file.display(), self.message),
            None => write!(f, "{}: {}", self.file.display(), self.message),
        }
    }
}

/// What [`verify_dir`] checked and found.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct VerifyReport {
    /// Factor files read.
    pub files: usize,
    /// Values compared (a combustion factor counts its three parameters; a blend its components and total).
    pub values: usize,
    /// Rows of the reference tables.
    pub reference_rows: usize,
    /// Every problem, in file order (factor files first, then reference tables).
    pub problems: Vec<VerifyProblem>,
}

impl VerifyReport {
    /// True when nothing is wrong.
    pub fn ok(&self) -> bool {
        self.problems.is_empty()
    }
}

/// One reference row, with where it is.
#[derive(Debug, Clone)]
struct RefRow {
    value: String,
    unit: String,
    file: PathBuf,
    line: usize,
    used: bool,
}

type Key = (String, String, String);

/// A decimal as written in a factor file or a reference table ("0.5366", "12.1430", "1e-3").
fn decimal(s: &str) -> Option<Decimal> {
    let t = s.trim();
    Decimal::from_str(t).ok().or_else(|| Decimal::from_scientific(t).ok())
}

/// A unit compared as written, ignoring spaces ("GJ/10^4 Nm3" = "GJ/10^4Nm3").
fn unit_key(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

/// A value with its unit for a message; a plain ratio (unit "1") is shown as the number alone.
fn shown(value: &str, unit: &str) -> String {
    if unit.trim() == "1" { value.to_string() } else { format!("{value} {unit}") }
}

/// Every `*.toml` and, under `reference/`, every `*.csv` below `dir`, in path order.
/// A folder reached twice (a link back to a folder above it) is walked once.
fn walk(
    dir: &Path,
    tomls: &mut Vec<PathBuf>,
    csvs: &mut Vec<PathBuf>,
    seen: &mut std::collections::HashSet<PathBuf>,
) -> Result<(), Error> {
    if !seen.insert(std::fs::canonicalize(dir).map_err(|e| Error::io(dir, e))?) {
        return Ok(());
    }
    let mut entries = Vec::new();
    for e in std::fs::read_dir(dir).map_err(|e| Error::io(dir, e))? {
        entries.push(e.map_err(|e| Error::io(dir, e))?.path());
    }
    entries.sort();
    for p in entries {
        let meta = std::fs::metadata(&p).map_err(|e| Error::io(&p, e))?;
        if meta.is_dir() {
            walk(&p, tomls, csvs, seen)?;
        } else if p.extension().is_some_and(|e| e == "toml") {
            tomls.push(p);
        } else if p.extension().is_some_and(|e| e == "csv")
            && p.parent().and_then(|d| d.file_name()).is_some_and(|n| n == "reference")
        {
            csvs.push(p);
        }
    }
    Ok(())
}

fn read_text(p: &Path) -> Result<String, Error> {
    let bytes = std::fs::read(p).map_err(|e| Error::io(p, e))?;
    String::from_utf8(bytes).map_err(|_| {
        Error::new(ErrorKind::Encoding, "file is not UTF-8").at(Location::file(p)).hint("save it as UTF-8")
    })
}

/// The reference rows of every table, keyed by (set, edition, factor_id). Malformed rows are problems.
fn read_reference(csvs: &[PathBuf], report: &mut VerifyReport) -> Result<HashMap<Key, RefRow>, Error> {
    let mut rows: HashMap<Key, RefRow> = HashMap::new();
    for p in csvs {
        let text = read_text(p)?;
        let mut rd = csv::ReaderBuilder::new().has_headers(true).flexible(true).from_reader(text.as_bytes());
        let header: Vec<String> = match rd.headers() {
            Ok(h) => h.iter().map(|s| s.trim().to_string()).collect(),
            Err(e) => {
                report.problems.push(VerifyProblem { file: p.clone(), line: Some(1), message: format!("{e}") });
                continue;
            }
        };
        if header != REFERENCE_COLUMNS {
            report.problems.push(VerifyProblem {
                file: p.clone(),
                line: Some(1),
                message: format!(
                    "the header is \"{}\"; a reference table's columns are {}",
                    header.join(","),
                    REFERENCE_COLUMNS.join(",")
                ),
            });
            continue;
        }
        for rec in rd.records() {
            let rec = match rec {
                Ok(r) => r,
                Err(e) => {
                    let line = e.position().map(|p| p.line() as usize);
                    report.problems.push(VerifyProblem { file: p.clone(), line, message: format!("{e}") });
                    continue;
                }
            };
            let line = rec.position().map_or(0, |p| p.line() as usize);
            report.reference_rows += 1;
            let cell = |i: usize| rec.get(i).unwrap_or("").trim().to_string();
            let problem = |m: String| VerifyProblem { file: p.clone(), line: Some(line), message: m };
            if rec.len() != REFERENCE_COLUMNS.len() {
                report.problems.push(problem(format!(
                    "the row has {} cells; a reference row has {} ({})",
                    rec.len(),
                    REFERENCE_COLUMNS.len(),
                    REFERENCE_COLUMNS.join(",")
                )));
                continue;
            }
            let empty: Vec<&str> = [0, 1, 2, 3, 4, 5, 6, 7]
                .iter()
                .filter(|&&i| cell(i).is_empty())
                .map(|&i| REFERENCE_COLUMNS[i])
                .collect();
            if !empty.is_empty() {
                report.problems.push(problem(format!("the row lacks {}", empty.join(", "))));
                continue;
            }
            if decimal(&cell(3)).is_none() {
                report.problems.push(problem(format!("value \"{}\" is not a decimal number", cell(3))));
                continue;
            }
            let key = (cell(0), cell(1), cell(2));
            if let Some(first) = rows.get(&key) {
                report.problems.push(problem(format!(
                    "{}@{}:{} has a reference row already at {}:{}",
                    key.0,
                    key.1,
                    key.2,
                    first.file.display(),
                    first.line
                )));
                continue;
            }
            rows.insert(key, RefRow { value: cell(3), unit: cell(4), file: p.clone(), line, used: false });
        }
    }
    Ok(rows)
}

/// Where the tables of an array of tables start (`[[factor]]` lines), and each line's text, for locating keys.
struct Lines<'a> {
    lines: Vec<&'a str>,
}

impl<'a> Lines<'a> {
    fn new(text: &'a str) -> Self {
        Lines { lines: text.lines().collect() }
    }
    /// 1-based lines of the headers `[[name]]`, in order.
    fn headers(&self, name: &str) -> Vec<usize> {
        let h = format!("[[{name}]]");
        self.lines
            .iter()
            .enumerate()
            .filter(|(_, l)| {
                let t = l.trim_start();
                t.strip_prefix(&h).is_some_and(|rest| {
                    let rest = rest.trim_start();
                    rest.is_empty() || rest.starts_with('#')
                })
            })
            .map(|(i, _)| i + 1)
            .collect()
    }
    /// 1-based line of the header `[name]`.
    fn table(&self, name: &str) -> Option<usize> {
        let h = format!("[{name}]");
        self.lines.iter().position(|l| l.trim_start().starts_with(&h)).map(|i| i + 1)
    }
    /// 1-based line of `key =` at or after `from` and before the next table header.
    fn key(&self, from: usize, key: &str) -> Option<usize> {
        for (i, l) in self.lines.iter().enumerate().skip(from) {
            let t = l.trim_start();
            if t.starts_with('[') {
                return None;
            }
            if let Some(rest) = t.strip_prefix(key)
                && rest.trim_start().starts_with('=')
            {
                return Some(i + 1);
            }
        }
        None
    }
}

/// The text of a string value, or what it is instead.
fn string(v: Option<&toml::Value>) -> Result<&str, &'static str> {
    match v {
        None => Err("missing"),
        Some(toml::Value::String(s)) if s.trim().is_empty() => Err("empty"),
        Some(toml::Value::String(s)) => Ok(s),
        Some(toml::Value::Float(_)) => Err("a TOML float (write the decimal as a string, e.g. \"0.5366\")"),
        Some(_) => Err("not a string"),
    }
}

struct FileCheck<'r> {
    path: PathBuf,
    set: String,
    edition: String,
    refs: &'r mut HashMap<Key, RefRow>,
    problems: Vec<VerifyProblem>,
    values: usize,
}

impl FileCheck<'_> {
    fn problem(&mut self, line: Option<usize>, message: String) {
        self.problems.push(VerifyProblem { file: self.path.clone(), line, message });
    }

    /// Compare one value (and its unit) with the reference row `id`; `line` is the value's line, `unit_line` the
    /// unit's.
    fn compare(&mut self, id: &str, value: &str, unit: &str, line: Option<usize>, unit_line: Option<usize>) {
        self.values += 1;
        let key = (self.set.clone(), self.edition.clone(), id.to_string());
        let r = format!("{}@{}:{id}", self.set, self.edition);
        let Some(row) = self.refs.get_mut(&key) else {
            self.problem(line, format!("{r} = {} has no row in the reference table", shown(value, unit)));
            return;
        };
        row.used = true;
        let (rv, ru, rloc) = (row.value.clone(), row.unit.clone(), format!("{}:{}", row.file.display(), row.line));
        match decimal(value) {
            None => self.problem(line, format!("{r}: value \"{value}\" is not a decimal number")),
            Some(v) if Some(v) != decimal(&rv) => self.problem(
                line,
                format!("{r} = {}, but the reference table gives {} ({rloc})", shown(value, unit), shown(&rv, &ru)),
            ),
            Some(_) => {}
        }
        if unit_key(unit) != unit_key(&ru) {
            self.problem(unit_line, format!("{r}: unit {unit}, but the reference table gives {ru} ({rloc})"));
        }
    }
}

/// Check one factor file's text. Returns its (set, edition) when it has one.
fn check_file(
    path: &Path,
    text: &str,
    refs: &mut HashMap<Key, RefRow>,
    activities: &mut BTreeMap<String, (toml::Value, String)>,
    report: &mut VerifyReport,
) -> Option<(String, String)> {
    let lines = Lines::new(text);
    let doc: toml::Table = match text.parse() {
        Ok(t) => t,
        Err(e) => {
            let line = e
                .span()
                .map(|s| text.as_bytes()[..s.start.min(text.len())].iter().filter(|b| **b == b'\n').count() + 1);
            report.problems.push(VerifyProblem {
                file: path.to_path_buf(),
                line,
                message: format!("invalid TOML: {}", e.message()),
            });
            return None;
        }
    };
    let set_line = lines.table("set");
    let Some(toml::Value::Table(set)) = doc.get("set") else {
        report.problems.push(VerifyProblem {
            file: path.to_path_buf(),
            line: Some(1),
            message: "the file has no [set] table".to_string(),
        });
        return None;
    };
    let id = string(set.get("id")).unwrap_or("").to_string();
    let edition = string(set.get("edition")).unwrap_or("").to_string();
    let mut fc = FileCheck {
        path: path.to_path_buf(),
        set: id.clone(),
        edition: edition.clone(),
        refs,
        problems: Vec::new(),
        values: 0,
    };
    for key in ["id", "edition"] {
        if let Err(why) = string(set.get(key)) {
            fc.problem(set_line, format!("[set] {key} is {why}"));
        }
    }
    if let Err(why) = string(set.get("licence")) {
        fc.problem(set_line, format!("set {id}@{edition} has no licence: 'licence' is {why}"));
    }
    let headers = lines.headers("factor");
    let factors: Vec<&toml::Table> = match doc.get("factor") {
        Some(toml::Value::Array(a)) => a.iter().filter_map(|v| v.as_table()).collect(),
        _ => Vec::new(),
    };
    for (i, f) in factors.iter().enumerate() {
        let at = headers.get(i).copied();
        let key_line = |k: &str| at.and_then(|h| lines.key(h, k)).or(at);
        let fid = match string(f.get("id")) {
            Ok(s) => s.to_string(),
            Err(why) => {
                fc.problem(at, format!("[[factor]] #{} id is {why}", i + 1));
                continue;
            }
        };
        let name = format!("{id}@{edition}:{fid}");
        for k in ["citation", "confidence"] {
            if let Err(why) = string(f.get(k)) {
                fc.problem(at, format!("{name} lacks its {k} ('{k}' is {why})"));
            }
        }
        match f.get("valid_years") {
            Some(toml::Value::String(s)) if s == "any" => {}
            Some(toml::Value::Array(a)) if !a.is_empty() && a.iter().all(|y| y.as_integer().is_some()) => {}
            Some(_) => {
                fc.problem(key_line("valid_years"), format!("{name}: valid_years is not a list of years or \"any\""))
            }
            None => fc.problem(at, format!("{name} lacks its validity years ('valid_years' is missing)")),
        }
        // A renamed factor keeps its old ids as aliases: a reference row under an old id is this factor's too.
        if let Some(toml::Value::Array(aliases)) = f.get("aliases")
            && let (Ok(v), Ok(u)) = (string(f.get("value")), string(f.get("unit")))
        {
            for alias in aliases.iter().filter_map(|a| a.as_str()) {
                if fc.refs.contains_key(&(id.clone(), edition.clone(), alias.to_string())) {
                    fc.compare(alias, v, u, key_line("value"), key_line("unit"));
                }
            }
        }
        let params: Vec<&str> =
            ["ncv", "carbon_content", "oxidation"].into_iter().filter(|k| f.contains_key(*k)).collect();
        if params.is_empty() {
            let value = string(f.get("value"));
            let unit = string(f.get("unit"));
            match (&value, &unit) {
                (Ok(v), Ok(u)) => fc.compare(&fid, v, u, key_line("value"), key_line("unit")),
                _ => {
                    if let Err(why) = value {
                        fc.problem(key_line("value"), format!("{name}: 'value' is {why}"));
                    }
                    if let Err(why) = unit {
                        fc.problem(key_line("unit"), format!("{name} lacks its unit ('unit' is {why})"));
                    }
                }
            }
        } else {
            for k in ["ncv", "carbon_content", "oxidation"] {
                let line = key_line(k);
                let Some(toml::Value::Table(p)) = f.get(k) else {
                    fc.problem(line, format!("{name}: '{k}' is missing or not {{ value = \"...\", unit = \"...\" }}"));
                    continue;
                };
                match (string(p.get("value")), string(p.get("unit"))) {
                    (Ok(v), Ok(u)) => fc.compare(&format!("{fid}#{k}"), v, u, line, line),
                    (Err(why), _) => fc.problem(line, format!("{name}: the value of {k} is {why}")),
                    (_, Err(why)) => fc.problem(line, format!("{name} lacks the unit of {k} ('unit' is {why})")),
                }
            }
        }
    }
    check_blends(&doc, &lines, &factors, &mut fc);
    check_activities(&doc, &lines, activities, &mut fc);
    report.values += fc.values;
    report.problems.append(&mut fc.problems);
    Some((id, edition))
}

/// An activity declared by several files must be declared the same way in each (the loader takes one declaration).
fn check_activities(
    doc: &toml::Table,
    lines: &Lines<'_>,
    activities: &mut BTreeMap<String, (toml::Value, String)>,
    fc: &mut FileCheck<'_>,
) {
    let Some(toml::Value::Array(decls)) = doc.get("activity") else { return };
    let headers = lines.headers("activity");
    for (i, a) in decls.iter().enumerate() {
        let at = headers.get(i).copied();
        let Ok(id) = string(a.get("id")) else {
            fc.problem(at, format!("[[activity]] #{} has no id", i + 1));
            continue;
        };
        let here = format!("{}:{}", fc.path.display(), at.unwrap_or(1));
        match activities.get(id) {
            Some((first, there)) if first != a => {
                let there = there.clone();
                fc.problem(at, format!("activity {id} is declared differently here and at {there}"));
            }
            Some(_) => {}
            None => {
                activities.insert(id.to_string(), (a.clone(), here));
            }
        }
    }
}

/// A blend's components and printed totals against the reference table, and the printed total of this file's
/// edition against the sum of fraction x component GWP from this file's gwp factors, rounded as printed.
fn check_blends(doc: &toml::Table, lines: &Lines<'_>, factors: &[&toml::Table], fc: &mut FileCheck<'_>) {
    let Some(toml::Value::Array(blends)) = doc.get("blend") else { return };
    let headers = lines.headers("blend");
    // GWP of each gas in this file (default values only: a factor with an alternative is not the gas's GWP).
    let mut gwp: BTreeMap<String, Decimal> = BTreeMap::new();
    for f in factors {
        if f.get("kind").and_then(|k| k.as_str()) == Some("gwp")
            && !f.contains_key("alternative")
            && let (Ok(g), Ok(v)) = (string(f.get("gas")), string(f.get("value")))
            && let Some(v) = decimal(v)
        {
            gwp.insert(g.to_string(), v);
        }
    }
    for (i, b) in blends.iter().enumerate() {
        let at = headers.get(i).copied();
        let Some(b) = b.as_table() else { continue };
        let Ok(bid) = string(b.get("id")) else {
            fc.problem(at, format!("[[blend]] #{} has no id", i + 1));
            continue;
        };
        let bid = bid.to_string();
        if let Err(why) = string(b.get("citation")) {
            fc.problem(at, format!("blend {bid} lacks its citation ('citation' is {why})"));
        }
        let comp_line = at.and_then(|h| lines.key(h, "components")).or(at);
        let mut sum = Some(Decimal::ZERO);
        let mut total = Decimal::ZERO;
        let comps = b.get("components").and_then(|c| c.as_array()).cloned().unwrap_or_default();
        if comps.is_empty() {
            fc.problem(comp_line, format!("blend {bid} lists no components"));
            continue;
        }
        for c in &comps {
            let (Ok(g), Ok(x)) = (string(c.get("gas")), string(c.get("fraction"))) else {
                fc.problem(comp_line, format!("blend {bid}: a component lacks gas or fraction"));
                sum = None;
                continue;
            };
            fc.compare(&format!("blend.{bid}#{g}"), x, "1", comp_line, comp_line);
            let Some(x) = decimal(x) else {
                sum = None;
                continue;
            };
            total += x;
            match gwp.get(g) {
                Some(v) => sum = sum.and_then(|s| s.checked_add(x.checked_mul(*v)?)),
                None => {
                    if !gwp.is_empty() {
                        fc.problem(comp_line, format!("blend {bid}: component {g} has no gwp factor in this file"));
                    }
                    sum = None;
                }
            }
        }
        if total != Decimal::ONE {
            fc.problem(comp_line, format!("blend {bid}: the component fractions sum to {total}, not 1"));
        }
        let pub_line = at.and_then(|h| lines.key(h, "published_gwp")).or(at);
        let Some(toml::Value::Table(published)) = b.get("published_gwp") else { continue };
        for (ed, v) in published {
            let Ok(v) = string(Some(v)) else {
                fc.problem(pub_line, format!("blend {bid}: published_gwp {ed} is not a decimal string"));
                continue;
            };
            // The printed total of each edition is checked against that edition's reference row.
            let edition = std::mem::replace(&mut fc.edition, ed.clone());
            fc.compare(&format!("blend.{bid}"), v, "1", pub_line, pub_line);
            fc.edition = edition;
            if *ed != fc.edition {
                continue;
            }
            let (Some(printed), Some(sum)) = (decimal(v), sum) else { continue };
            let dp = printed.scale();
            let computed = sum.round_dp_with_strategy(dp, RoundingStrategy::MidpointAwayFromZero);
            if computed != printed {
                fc.problem(
                    pub_line,
                    format!(
                        "blend {bid}: the {ed} total printed by its publisher is {v}, but the sum of fraction x GWP is {} (rounds to {computed})",
                        sum.normalize()
                    ),
                );
            }
        }
    }
}

/// Check every factor file under `dir` (any depth, `*.toml`) against the reference tables `dir/reference/*.csv`.
/// An unreadable folder or file is an error; everything else found is a problem in the report.
///
/// ```
/// let report = ghg::factor::verify::verify_dir(std::path::Path::new("factors")).unwrap();
/// assert!(report.ok(), "{:#?}", report.problems);
/// assert!(report.values > 100);
/// ```
pub fn verify_dir(dir: &Path) -> Result<VerifyReport, Error> {
    let (mut tomls, mut csvs) = (Vec::new(), Vec::new());
    walk(dir, &mut tomls, &mut csvs, &mut std::collections::HashSet::new())?;
    let mut report = VerifyReport::default();
    if csvs.is_empty() {
        report.problems.push(VerifyProblem {
            file: dir.join("reference"),
            line: None,
            message: "no reference table (reference/*.csv) to check the factors against".to_string(),
        });
    }
    let mut refs = read_reference(&csvs, &mut report)?;
    let mut seen: Vec<(String, String)> = Vec::new();
    let mut activities = BTreeMap::new();
    for p in &tomls {
        let text = read_text(p)?;
        report.files += 1;
        if let Some(k) = check_file(p, &text, &mut refs, &mut activities, &mut report) {
            seen.push(k);
        }
    }
    // A reference row of a set@edition present here whose factor is not: a value dropped from a file.
    let mut orphans: Vec<(&Key, &RefRow)> = refs
        .iter()
        .filter(|((s, e, id), r)| {
            !r.used && !id.starts_with("blend.") && seen.iter().any(|(ss, ee)| ss == s && ee == e)
        })
        .collect();
    orphans.sort_by(|a, b| (&a.1.file, a.1.line).cmp(&(&b.1.file, b.1.line)));
    for ((s, e, id), r) in orphans {
        report.problems.push(VerifyProblem {
            file: r.file.clone(),
            line: Some(r.line),
            message: format!(
                "{s}@{e}:{id} = {} is in the reference table but in no factor file",
                shown(&r.value, &r.unit)
            ),
        });
    }
    Ok(report)
}
