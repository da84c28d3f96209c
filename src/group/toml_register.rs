//! Reading the entity register written as TOML: one `[[entity]]` table per holding, with the keys of the CSV
//! columns, each value checked as its CSV cell is and located at file:line:column.
//!
//! ```toml
//! [[entity]]
//! id = "sub"
//! name = "Subsidiary"
//! region = "DE"
//! parent = "hq"
//! equity = "51"              # in %, a string ("51", "51 %") or an integer
//! financial_control = true   # or "yes" / "no", as in the CSV
//! operational_control = true
//! from = 2024-07-01          # a TOML date, or a string: "2024-07-01" (a day), "2024-07" (a month)
//! to = "2024-12"
//! note = "bought on 1 July"
//! ```

use std::path::Path;

use rust_decimal::Decimal;
use toml::Spanned;
use toml::de::DeValue;

use super::register::{COLUMNS, Date, Register, RegisterRow, date_cell, equity_cell, flag_cell};
use crate::error::{Diagnostics, Error, ErrorKind, Location};
use crate::tomlx::{Src, TableReader, type_name};

/// Read a TOML register from text; `path` names it in messages. Every problem is reported together.
pub fn parse(path: &Path, text: &str) -> Result<Register, Diagnostics> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let src = Src { file: path, text };
    let doc = src.parse().map_err(|mut d| {
        for e in &mut d.0 {
            if e.kind == ErrorKind::Empty {
                e.message = "the entity register is empty".to_string();
                e.hint = Some(format!("write one [[entity]] table per holding, with the keys {}", COLUMNS.join(", ")));
            }
        }
        d
    })?;
    let mut d = Diagnostics::new();
    let mut top = TableReader::new(src, doc.get_ref(), doc.span(), "top level");
    let tables = top.tables_opt("entity", &mut d);
    top.finish(&mut d);
    let header_at = tables.first().map(|t| t.loc()).unwrap_or_else(|| Location::at(path, 1, Some(1)));
    let mut columns: Vec<String> = Vec::new();
    let mut rows = Vec::new();
    for mut t in tables {
        let table_at = t.loc();
        let row_at = Location { column: None, ..table_at.clone() };
        for c in COLUMNS {
            if t.has(c) && !columns.iter().any(|x| x == c) {
                columns.push(c.to_string());
            }
        }
        let id = t.str_req("id", &mut d);
        let name = t.str_opt("name", &mut d).map(|(s, _)| s);
        let region = t.str_opt("region", &mut d).map(|(s, _)| s);
        let parent = t.str_opt("parent", &mut d);
        t.allow("note");
        if let Some(v) = t.raw("note")
            && !matches!(v.get_ref(), DeValue::String(_))
        {
            d.push(wrong(&src, "note", &t, v, "a string"));
        }
        let Some((id, id_at)) = id else {
            // The other values cannot be named without the id; unknown keys are still reported.
            for k in ["equity", "financial_control", "operational_control", "from", "to"] {
                t.allow(k);
            }
            t.finish(&mut d);
            continue;
        };
        let id = id.trim().to_string();
        if id.is_empty() {
            d.push(
                Error::new(ErrorKind::BadValue, "entity id is empty")
                    .at(id_at)
                    .hint("write the entity as the ledgers name it"),
            );
            for k in ["equity", "financial_control", "operational_control", "from", "to"] {
                t.allow(k);
            }
            t.finish(&mut d);
            continue;
        }
        let (parent, parent_at) = match parent {
            Some((p, at)) => (Some(p.trim().to_string()).filter(|s| !s.is_empty()), at),
            None => (None, table_at.clone()),
        };
        let (equity, equity_at) = equity_value(&src, &mut t, &id, &mut d);
        let (financial_control, financial_at) = flag_value(&src, &mut t, "financial_control", &id, &mut d);
        let (operational_control, operational_at) = flag_value(&src, &mut t, "operational_control", &id, &mut d);
        let (from, from_at) = date_value(&src, &mut t, "from", &id, &mut d);
        let (to, to_at) = date_value(&src, &mut t, "to", &id, &mut d);
        t.finish(&mut d);
        rows.push(RegisterRow {
            at: row_at,
            id,
            name: name.map(|s| s.trim().to_string()).filter(|s| !s.is_empty()),
            region: region
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty())
                .map(|r| crate::region::normalize(&r)),
            parent,
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
    if rows.is_empty() && d.is_empty() {
        d.push(
            Error::new(ErrorKind::Empty, "the entity register has no [[entity]] table")
                .at(Location::file(path))
                .hint(format!("write one [[entity]] table per holding, with the keys {}", COLUMNS.join(", "))),
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

/// A value of the wrong TOML type.
fn wrong(src: &Src<'_>, key: &str, t: &TableReader<'_, '_, '_>, v: &Spanned<DeValue<'_>>, want: &str) -> Error {
    Error::new(ErrorKind::BadValue, format!("'{key}' in {} must be {want}, found {}", t.ctx(), type_name(v.get_ref())))
        .at(src.loc(&v.span()))
}

/// `equity`: a string read as the CSV cell is (`"51"`, `"51 %"`), or an integer (exact); a float is refused, as
/// every decimal of the project's TOML is, so that no digit passes through binary floating point.
fn equity_value(
    src: &Src<'_>,
    t: &mut TableReader<'_, '_, '_>,
    id: &str,
    d: &mut Diagnostics,
) -> (Option<Decimal>, Location) {
    let Some(v) = t.raw("equity") else { return (None, t.loc()) };
    let at = src.loc(&v.span());
    let value = match v.get_ref() {
        DeValue::String(s) => equity_cell(s.trim(), id, &at, d),
        DeValue::Integer(i) => equity_cell(i.as_str(), id, &at, d),
        DeValue::Float(f) => {
            d.push(
                Error::new(
                    ErrorKind::BadValue,
                    format!("equity of {id} is a TOML float ({}); decimals must be strings", f.as_str()),
                )
                .at(at.clone())
                .hint(format!("write equity = \"{}\" so no digit is lost through binary floating point", f.as_str())),
            );
            None
        }
        _ => {
            d.push(wrong(src, "equity", t, v, "the parent's equity in %, e.g. \"51\""));
            None
        }
    };
    (value, at)
}

/// `financial_control` or `operational_control`: a boolean, or a string as the CSV cell (`"yes"`, `"no"`, ...).
fn flag_value(
    src: &Src<'_>,
    t: &mut TableReader<'_, '_, '_>,
    key: &'static str,
    id: &str,
    d: &mut Diagnostics,
) -> (Option<bool>, Location) {
    let Some(v) = t.raw(key) else { return (None, t.loc()) };
    let at = src.loc(&v.span());
    let value = match v.get_ref() {
        DeValue::Boolean(b) => Some(*b),
        DeValue::String(s) => flag_cell(key, s.trim(), id, &at, d),
        _ => {
            d.push(wrong(src, key, t, v, "true or false"));
            None
        }
    };
    (value, at)
}

/// `from` or `to`: a TOML local date (`2024-07-01`), or a string as the CSV cell (`"2024-07-01"`, `"2024-07"`).
fn date_value(
    src: &Src<'_>,
    t: &mut TableReader<'_, '_, '_>,
    key: &'static str,
    id: &str,
    d: &mut Diagnostics,
) -> (Option<Date>, Location) {
    let Some(v) = t.raw(key) else { return (None, t.loc()) };
    let at = src.loc(&v.span());
    let value = match v.get_ref() {
        DeValue::String(s) => date_cell(key, s.trim(), id, &at, d),
        DeValue::Datetime(dt) if dt.date.is_some() && dt.time.is_none() && dt.offset.is_none() => {
            date_cell(key, &dt.to_string(), id, &at, d)
        }
        DeValue::Datetime(dt) => {
            d.push(
                Error::new(ErrorKind::BadValue, format!("{key} {dt} of {id} is not a day or a month"))
                    .at(at.clone())
                    .hint("write a day, 2024-07-01, or a month as a string, \"2024-07\""),
            );
            None
        }
        _ => {
            d.push(wrong(src, key, t, v, "a day (2024-07-01) or a month (\"2024-07\")"));
            None
        }
    };
    (value, at)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Register, Diagnostics> {
        super::parse(Path::new("entities.toml"), text)
    }

    #[test]
    fn a_toml_register_reads_each_holding_with_its_values() {
        let r = parse(
            "[[entity]]\nid = \"hq\"\nregion = \"中国\"\nequity = 100\noperational_control = true\n\n\
             [[entity]]\nid = \"sub\"\nname = \"Sub\"\nregion = \"DE\"\nparent = \"hq\"\nequity = \"51 %\"\n\
             operational_control = \"no\"\nfrom = \"2024-07\"\nto = 2024-12-31\nnote = \"bought\"\n",
        )
        .expect("valid");
        assert_eq!(r.rows.len(), 2);
        assert_eq!(r.rows[0].region.as_deref(), Some("CN"));
        assert_eq!(r.rows[0].equity, Some(Decimal::ONE));
        assert_eq!(r.rows[0].at.to_string(), "entities.toml:1");
        assert_eq!(r.rows[1].at.to_string(), "entities.toml:7");
        assert_eq!(r.rows[1].parent.as_deref(), Some("hq"));
        assert_eq!(r.rows[1].equity, Some(Decimal::new(51, 2)));
        assert_eq!(r.rows[1].equity_at.to_string(), "entities.toml:12:10");
        assert_eq!(r.rows[1].operational_control, Some(false));
        assert_eq!(r.rows[1].from, Some(Date { year: 2024, month: 7, day: None }));
        assert_eq!(r.rows[1].to, Some(Date { year: 2024, month: 12, day: Some(31) }));
        assert!(r.has_column("equity") && r.has_column("operational_control") && !r.has_column("financial_control"));
    }

    #[test]
    fn every_bad_value_is_reported_together_at_its_place() {
        let e = parse(
            "colour = 1\n[[entity]]\nid = \"a\"\nequity = \"101\"\nfinancial_control = \"maybe\"\n\
             from = \"2024-02-30\"\nto = 5\n[[entity]]\nid = \"\"\n[[entity]]\nequity = 0.5\nshade = \"red\"\n",
        )
        .expect_err("bad values");
        let msgs: Vec<String> =
            e.0.iter().map(|e| format!("{}: {}", e.location.as_ref().unwrap(), e.message)).collect();
        assert_eq!(
            msgs,
            [
                "entities.toml:1:1: unknown key 'colour' in top level",
                "entities.toml:4:10: equity '101' of a is outside 0-100 %",
                "entities.toml:5:21: financial_control 'maybe' of a is not yes or no",
                "entities.toml:6:8: from '2024-02-30' of a is not a day YYYY-MM-DD or a month YYYY-MM",
                "entities.toml:7:6: 'to' in [[entity]] #1 must be a day (2024-07-01) or a month (\"2024-07\"), found an integer",
                "entities.toml:9:6: entity id is empty",
                "entities.toml:10:1: [[entity]] #3 lacks required key 'id'",
                "entities.toml:12:1: unknown key 'shade' in [[entity]] #3",
            ]
        );
        let e = parse("[[entity]]\nid = \"a\"\nequity = 50.5\n").expect_err("a float");
        assert_eq!(e.0[0].message, "equity of a is a TOML float (50.5); decimals must be strings");
        assert_eq!(e.0[0].location.as_ref().unwrap().to_string(), "entities.toml:3:10");
        let e = parse("# nothing yet\n").expect_err("no entity");
        assert_eq!(e.0[0].message, "the entity register has no [[entity]] table");
        let e = parse(" \n").expect_err("empty");
        assert_eq!(e.0[0].message, "the entity register is empty");
        let e = parse("[entity]\nid = \"a\"\n").expect_err("a single table");
        assert_eq!(e.0[0].message, "'entity' in top level must be an array of tables ([[...]]), found a table");
    }
}
