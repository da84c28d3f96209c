//! `ghg factors list|show|diff|search|verify`.

use std::path::PathBuf;

use ghg::report;
use ghg::{Diagnostics, Error, ErrorKind, FactorLibrary, FactorRef};

use super::Out;

fn library(dirs: &[PathBuf]) -> Result<FactorLibrary, Diagnostics> {
    let mut lib = FactorLibrary::builtin()?;
    let mut d = Diagnostics::new();
    for dir in dirs {
        if let Err(e) = lib.add_dir(dir) {
            d.0.extend(e.0);
        }
    }
    d.into_result(lib)
}

fn set_ref(s: &str) -> Result<FactorRef, Diagnostics> {
    match FactorRef::parse(s) {
        Some(r) if r.id.is_none() => Ok(r),
        _ => Err(Error::new(ErrorKind::Usage, format!("'{s}' is not SET@EDITION"))
            .hint("e.g. mee-grid@2022; ghg factors list shows them")
            .into()),
    }
}

/// `ghg factors list`.
pub fn list(out: &mut Out, dirs: &[PathBuf]) -> Result<u8, Diagnostics> {
    let lib = library(dirs)?;
    out.write(&report::render_factor_list(&lib));
    Ok(0)
}

/// `ghg factors show SET@EDITION` (the set) or `ghg factors show SET@EDITION:ID` (one factor with its source).
pub fn show(out: &mut Out, dirs: &[PathBuf], s: &str) -> Result<u8, Diagnostics> {
    let lib = library(dirs)?;
    let Some(r) = FactorRef::parse(s) else {
        return Err(Error::new(ErrorKind::Usage, format!("'{s}' is not SET@EDITION or SET@EDITION:ID"))
            .hint("e.g. mee-grid@2022 or mee-grid@2022:grid.national; ghg factors list shows the sets")
            .into());
    };
    if r.id.is_some() {
        let (set, f) = lib.factor(&r).map_err(Diagnostics::from)?;
        out.write(&report::render_factor_one(set, f));
    } else {
        let set = lib.set(&r).map_err(Diagnostics::from)?;
        out.write(&report::render_factor_show(set));
    }
    Ok(0)
}

/// `ghg factors verify [DIR]`: exit 1 when a value differs from its reference row or provenance is missing.
pub fn verify(out: &mut Out, dir: &std::path::Path) -> Result<u8, Diagnostics> {
    let rep = ghg::factor::verify::verify_dir(dir).map_err(|e| {
        Diagnostics::from(e.hint("ghg factors verify reads a folder of factor files with a reference/ table (e.g. the repository's factors/)"))
    })?;
    out.write(&report::render_factor_verify(&rep));
    Ok(if rep.ok() { 0 } else { 1 })
}

/// `ghg factors diff A B`.
pub fn diff(out: &mut Out, dirs: &[PathBuf], a: &str, b: &str) -> Result<u8, Diagnostics> {
    let lib = library(dirs)?;
    let (ra, rb) = (set_ref(a)?, set_ref(b)?);
    let sa = lib.set(&ra).map_err(Diagnostics::from)?;
    let sb = lib.set(&rb).map_err(Diagnostics::from)?;
    out.write(&report::render_factor_diff(sa, sb));
    Ok(0)
}

/// `ghg factors search WORDS...`.
pub fn search(out: &mut Out, dirs: &[PathBuf], words: &[String], format: super::FormatArg) -> Result<u8, Diagnostics> {
    let lib = library(dirs)?;
    let query = words.join(" ");
    let hits = lib.search(&query);
    if format == super::FormatArg::Json {
        let v: Vec<serde_json::Value> = hits
            .iter()
            .map(|h| {
                let f = h.factor;
                serde_json::json!({
                    "ref": h.reference(),
                    "kind": f.kind.name(),
                    "activity": f.activity,
                    "region": f.region,
                    "gas": f.gas.map(|g| g.to_string()),
                    "value": f.rate().map(report::full),
                    "unit": f.rate_unit().symbol(),
                    "form": f.describe(),
                    "confidence": f.confidence.to_string(),
                    "valid_years": f.valid_years.to_string(),
                    "citation": f.citation,
                    "publisher": h.set.meta.publisher,
                    "file": h.set.path.display().to_string(),
                })
            })
            .collect();
        let mut s = serde_json::to_string_pretty(&v).unwrap_or_default();
        s.push('\n');
        out.write(&s);
        return Ok(if hits.is_empty() { 1 } else { 0 });
    }
    if hits.is_empty() {
        out.write(&format!("no factor matches '{query}' (ghg factors list shows every set)\n"));
        return Ok(1);
    }
    let rows: Vec<[String; 6]> = hits
        .iter()
        .map(|h| {
            let f = h.factor;
            [
                h.reference(),
                f.kind.name().to_string(),
                f.region.clone(),
                f.gas.map(|g| g.to_string()).unwrap_or_default(),
                format!("{} {}", f.rate().map(report::full).unwrap_or_default(), f.rate_unit().symbol()),
                format!("{} ({})", h.set.meta.publisher, f.confidence),
            ]
        })
        .collect();
    let heads = ["factor", "kind", "region", "gas", "value", "publisher (confidence)"];
    let mut w = heads.map(|h| h.chars().count());
    for r in &rows {
        for (i, c) in r.iter().enumerate() {
            w[i] = w[i].max(c.chars().count());
        }
    }
    let line = |cells: [&str; 6]| -> String {
        let mut s = String::new();
        for (i, c) in cells.iter().enumerate() {
            if i == 5 {
                s.push_str(c);
            } else {
                s.push_str(c);
                s.push_str(&" ".repeat(w[i] - c.chars().count() + 2));
            }
        }
        s.push('\n');
        s
    };
    let mut o = line(heads);
    for r in &rows {
        o.push_str(&line([&r[0], &r[1], &r[2], &r[3], &r[4], &r[5]]));
    }
    o.push_str(&format!("{} factor{} found\n", hits.len(), if hits.len() == 1 { "" } else { "s" }));
    out.write(&o);
    Ok(0)
}
