//! "Did you mean": the known names nearest to a misspelt one, for the hint of an error.
//!
//! Activities have their own (see [`crate::vocab::did_you_mean`], which also knows their aliases); this serves the
//! other names a user types: units, factor sets, figure ids.

/// The candidates nearest to `want` (at most three, those at the smallest distance), compared without regard to
/// case: within an edit distance of 2, or a third of the name's length for longer names. None for an exact match (it is no
/// misspelling) or a text longer than any name (64 characters).
pub fn nearest<'a>(want: &str, candidates: impl IntoIterator<Item = &'a str>) -> Vec<&'a str> {
    let want = want.trim();
    if want.is_empty() || want.chars().count() > 64 {
        return Vec::new();
    }
    let w = want.to_lowercase();
    let limit = 2.max(w.chars().count() / 3);
    let mut scored: Vec<(usize, &str)> = Vec::new();
    for c in candidates {
        if c == want {
            return Vec::new();
        }
        let d = strsim::levenshtein(&w, &c.to_lowercase());
        if d <= limit && !scored.iter().any(|(_, x)| *x == c) {
            scored.push((d, c));
        }
    }
    scored.sort();
    // Only the nearest: `kwhh` suggests kWh, not MWh and GWh a letter further.
    let best = scored.first().map_or(0, |(d, _)| *d);
    scored.into_iter().take_while(|(d, _)| *d == best).take(3).map(|(_, c)| c).collect()
}

/// `did you mean 'a'?` or `did you mean 'a' or 'b'?`; empty when there is nothing near.
pub fn did_you_mean(names: &[&str]) -> String {
    match names {
        [] => String::new(),
        [one] => format!("did you mean '{one}'?"),
        [rest @ .., last] => {
            let quoted: Vec<String> = rest.iter().map(|n| format!("'{n}'")).collect();
            format!("did you mean {} or '{last}'?", quoted.join(", "))
        }
    }
}

/// A hint led by "did you mean" when something is near `want`: `did you mean 'MWh'? <rest>`, else `rest`.
pub fn hint<'a>(want: &str, candidates: impl IntoIterator<Item = &'a str>, rest: &str) -> String {
    let near = nearest(want, candidates);
    match (near.is_empty(), rest.is_empty()) {
        (true, _) => rest.to_string(),
        (false, true) => did_you_mean(&near),
        (false, false) => format!("{} {rest}", did_you_mean(&near)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_nearest_names_come_first_and_far_ones_not_at_all() {
        let units = ["kWh", "MWh", "GWh", "MJ", "GJ", "t", "kg"];
        assert_eq!(nearest("MWhh", units), ["MWh"]);
        assert_eq!(nearest("mwh", units), ["MWh"]);
        assert_eq!(nearest("Gwh", units), ["GWh"]);
        assert_eq!(nearest("xWh", units), ["GWh", "MWh", "kWh"]);
        assert!(nearest("MWh", units).is_empty(), "an exact match is no misspelling");
        assert!(nearest("barrels of oil", units).is_empty());
        let figures = ["scope1", "scope2.location", "scope2.market", "total.market"];
        assert_eq!(nearest("scope2.markt", figures), ["scope2.market"]);
        assert_eq!(nearest("scope3.market", figures), ["scope2.market"]);
        assert!(nearest(&"x".repeat(100), figures).is_empty());
    }

    #[test]
    fn the_hint_reads_as_a_question() {
        assert_eq!(did_you_mean(&["a"]), "did you mean 'a'?");
        assert_eq!(did_you_mean(&["a", "b", "c"]), "did you mean 'a', 'b' or 'c'?");
        assert_eq!(
            hint("mee-gird", ["mee-grid", "uba-grid"], "known sets: ..."),
            "did you mean 'mee-grid'? known sets: ..."
        );
        assert_eq!(hint("zzz", ["mee-grid"], "known sets: ..."), "known sets: ...");
    }
}
