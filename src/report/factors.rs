//! Renderings of the factor library: list, show, diff.

use std::fmt::Write;

use rust_decimal::Decimal;

use super::full;
use crate::factor::{Factor, FactorLibrary, FactorSet, FactorValue};

/// A factor's effective value as written (direct values keep their printed trailing zeros). A combustion factor
/// whose product does not fit (refused when a factor file is loaded, but a program may build one) says so.
fn value_text(f: &Factor) -> String {
    match &f.value {
        FactorValue::Direct(p) => p.value.to_string(),
        FactorValue::Combustion { .. } => match f.rate() {
            Some(r) => full(r),
            None => "(overflows 28 significant digits)".to_string(),
        },
    }
}

/// `ghg factors list`.
pub fn render_factor_list(lib: &FactorLibrary) -> String {
    let mut o = String::new();
    let _ = writeln!(o, "{:<34} {:>7}  {:<11}  title (file)", "set@edition", "factors", "confidence");
    for s in lib.sets() {
        let _ = writeln!(
            o,
            "{:<34} {:>7}  {:<11}  {} ({}{})",
            s.key(),
            s.factors.len(),
            s.meta.confidence.to_string(),
            s.meta.title,
            s.path.display(),
            if s.builtin { ", built-in" } else { "" }
        );
    }
    // Titles and citations come from factor files, which may be anyone's: no control character reaches a terminal.
    super::term_lines(&o).into_owned()
}

/// `ghg factors show SET@EDITION`.
pub fn render_factor_show(s: &FactorSet) -> String {
    let mut o = String::new();
    let m = &s.meta;
    let _ = writeln!(o, "{}  {}", s.key(), m.title);
    let _ = writeln!(o, "publisher:  {}", m.publisher);
    let _ = writeln!(o, "published:  {}", m.published);
    let _ = writeln!(o, "source:     {}", m.source);
    let _ = writeln!(o, "licence:    {}", m.licence);
    let _ = writeln!(o, "confidence: {}", m.confidence);
    if let Some(n) = &m.notes {
        let _ = writeln!(o, "notes:      {}", n.trim());
    }
    let _ = writeln!(o, "file:       {} (sha256 {})\n", s.path.display(), s.sha256);
    for f in &s.factors {
        let gas = f.gas.map(|g| format!(" {g}")).unwrap_or_default();
        let _ = writeln!(
            o,
            "{}  [{} {} {}{gas}]  {}{}",
            f.id,
            f.kind.name(),
            f.activity,
            f.region,
            f.describe(),
            f.alternative.as_ref().map(|a| format!("  (alternative: {a})")).unwrap_or_default()
        );
        if let Some(r) = f.rate()
            && matches!(f.value, crate::factor::FactorValue::Combustion { .. })
        {
            let _ = writeln!(o, "    = {} {}", full(r), f.rate_unit().symbol());
        }
        let _ = writeln!(o, "    confidence {}; valid years {}; {}", f.confidence, f.valid_years, f.citation);
        if let Some(n) = &f.note {
            let _ = writeln!(o, "    note: {n}");
        }
    }
    // Titles and citations come from factor files, which may be anyone's: no control character reaches a terminal.
    super::term_lines(&o).into_owned()
}

/// `ghg factors show SET@EDITION:ID`: one factor with its value, how it is formed, its source, citation, licence,
/// confidence and validity.
pub fn render_factor_one(s: &FactorSet, f: &Factor) -> String {
    let mut o = String::new();
    let m = &s.meta;
    let _ = writeln!(o, "{}:{}", s.key(), f.id);
    let _ = writeln!(o, "value:       {} {}", value_text(f), f.rate_unit().symbol());
    if matches!(f.value, FactorValue::Combustion { .. }) {
        let _ = writeln!(o, "formed as:   {}", f.describe());
    }
    let _ = writeln!(o, "kind:        {}", f.kind.name());
    let _ = writeln!(o, "activity:    {}", f.activity);
    let _ = writeln!(o, "region:      {}", f.region);
    if let Some(g) = f.gas {
        let _ = writeln!(o, "gas:         {g}");
    }
    if let Some(a) = &f.alternative {
        let _ = writeln!(o, "alternative: {a}");
    }
    let _ = writeln!(o, "confidence:  {} (set {})", f.confidence, m.confidence);
    let _ = writeln!(o, "valid years: {}", f.valid_years);
    let _ = writeln!(o, "citation:    {}", f.citation);
    if let Some(n) = &f.note {
        let _ = writeln!(o, "note:        {}", n.trim());
    }
    let _ = writeln!(o, "set:         {}  {}", s.key(), m.title);
    let _ = writeln!(o, "publisher:   {}", m.publisher);
    let _ = writeln!(o, "published:   {}", m.published);
    let _ = writeln!(o, "source:      {}", m.source);
    let _ = writeln!(o, "licence:     {}", m.licence);
    let _ = writeln!(o, "file:        {}:{} (sha256 {})", s.path.display(), f.location.line.unwrap_or(1), s.sha256);
    super::term_lines(&o).into_owned()
}

/// `ghg factors verify`: every problem on its own line (`file:line: what`), then what was checked.
pub fn render_factor_verify(r: &crate::factor::verify::VerifyReport) -> String {
    let mut o = String::new();
    for p in &r.problems {
        let _ = writeln!(o, "{p}");
    }
    let _ = writeln!(
        o,
        "{} value{} in {} factor file{} checked against {} reference row{}: {}",
        r.values,
        if r.values == 1 { "" } else { "s" },
        r.files,
        if r.files == 1 { "" } else { "s" },
        r.reference_rows,
        if r.reference_rows == 1 { "" } else { "s" },
        match r.problems.len() {
            0 => "all match, every factor cited, graded and dated, every set licensed".to_string(),
            1 => "1 problem".to_string(),
            n => format!("{n} problems"),
        }
    );
    super::term_lines(&o).into_owned()
}

/// `ghg factors diff A B`: changed, added and removed factors by id.
pub fn render_factor_diff(a: &FactorSet, b: &FactorSet) -> String {
    let mut o = String::new();
    let _ = writeln!(o, "diff {} -> {}", a.key(), b.key());
    let mut changed = Vec::new();
    let mut removed = Vec::new();
    for fa in &a.factors {
        match b.get(&fa.id) {
            None => removed.push(fa),
            Some(fb) => {
                let (ra, rb) = (fa.rate(), fb.rate());
                let (ua, ub) = (fa.rate_unit().symbol(), fb.rate_unit().symbol());
                if ra != rb || ua != ub || fa.region != fb.region {
                    changed.push((fa, fb, ra, rb, ua, ub));
                }
            }
        }
    }
    let added: Vec<_> = b.factors.iter().filter(|f| a.get(&f.id).is_none()).collect();
    let _ = writeln!(o, "changed ({}):", changed.len());
    for (fa, fb, ra, rb, ua, ub) in &changed {
        // The relative change when both values exist in one unit; one that does not fit (from 1e-20 to 1e20)
        // says so rather than vanish.
        let rel = match (ra, rb) {
            (Some(ra), Some(rb)) if !ra.is_zero() && ua == ub => {
                match rb
                    .checked_sub(*ra)
                    .and_then(|d| d.checked_div(*ra))
                    .and_then(|x| x.checked_mul(Decimal::ONE_HUNDRED))
                {
                    Some(r) => format!(
                        " ({}{}%)",
                        if r > Decimal::ZERO { "+" } else { "" },
                        crate::printed::format_grouped(r, 2, false)
                    ),
                    None => " (change overflows 28 significant digits)".to_string(),
                }
            }
            _ => String::new(),
        };
        let _ = writeln!(o, "  {}: {} {} -> {} {}{rel}", fa.id, value_text(fa), ua, value_text(fb), ub);
    }
    let _ = writeln!(o, "added ({}):", added.len());
    for f in &added {
        let _ = writeln!(o, "  {}: {} {}", f.id, value_text(f), f.rate_unit().symbol());
    }
    let _ = writeln!(o, "removed ({}):", removed.len());
    for f in &removed {
        let _ = writeln!(o, "  {}: {} {}", f.id, value_text(f), f.rate_unit().symbol());
    }
    // Titles and citations come from factor files, which may be anyone's: no control character reaches a terminal.
    super::term_lines(&o).into_owned()
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::factor::parse_set;

    fn set(edition: &str, value: &str) -> FactorSet {
        let text = format!(
            "[set]\nid = \"t\"\nedition = \"{edition}\"\ntitle = \"t\"\npublisher = \"p\"\npublished = \"2024\"\n\
             source = \"s\"\nlicence = \"l\"\nconfidence = \"A\"\n\n[[factor]]\nid = \"grid\"\nactivity = \"electricity\"\n\
             region = \"CN\"\ngas = \"CO2\"\nvalue = \"{value}\"\nunit = \"tCO2/MWh\"\ncitation = \"c\"\nconfidence = \"A\"\n\
             valid_years = \"any\"\n"
        );
        parse_set(Path::new(&format!("t-{edition}.toml")), &text, false).expect("valid")
    }

    #[test]
    fn a_relative_change_too_large_for_a_decimal_is_said_not_dropped() {
        // (1e20 - 1e-20) / 1e-20 x 100 = about 1e42 %: no decimal holds it.
        let d = render_factor_diff(&set("1", "0.00000000000000000001"), &set("2", "100000000000000000000"));
        assert!(
            d.contains(
                "grid: 0.00000000000000000001 tCO2/MWh -> 100000000000000000000 tCO2/MWh (change overflows 28 significant digits)"
            ),
            "{d}"
        );
        // An ordinary change: (0.55 - 0.5) / 0.5 = +10 %.
        let d = render_factor_diff(&set("1", "0.5"), &set("2", "0.55"));
        assert!(d.contains("grid: 0.5 tCO2/MWh -> 0.55 tCO2/MWh (+10.00%)"), "{d}");
    }
}
