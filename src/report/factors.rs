//! Renderings of the factor library: list, show, diff.

use std::fmt::Write;

use rust_decimal::Decimal;

use super::full;
use crate::factor::{Factor, FactorLibrary, FactorSet, FactorValue};

/// A factor's effective value as written (direct values keep their printed trailing zeros).
fn value_text(f: &Factor) -> String {
    match &f.value {
        FactorValue::Direct(p) => p.value.to_string(),
        FactorValue::Combustion { .. } => full(f.rate().unwrap_or_default()),
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
        let (ra, rb) = (ra.unwrap_or_default(), rb.unwrap_or_default());
        let rel = if !ra.is_zero() && ua == ub {
            let r = (rb - ra) / ra * Decimal::ONE_HUNDRED;
            format!(" ({}{}%)", if r > Decimal::ZERO { "+" } else { "" }, crate::printed::format_grouped(r, 2, false))
        } else {
            String::new()
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
