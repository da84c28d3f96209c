//! Finding factors by what a user knows: an activity (in English or Chinese), a region (code or Chinese name),
//! a gas, a publisher, a set, a word of a citation.

use super::{Factor, FactorLibrary, FactorSet};
use crate::activity::Activity;

/// One factor found, with its set.
#[derive(Debug, Clone, Copy)]
pub struct FactorHit<'a> {
    /// The set it belongs to.
    pub set: &'a FactorSet,
    /// The factor.
    pub factor: &'a Factor,
}

impl FactorHit<'_> {
    /// `set@edition:id`.
    pub fn reference(&self) -> String {
        format!("{}@{}:{}", self.set.meta.id, self.set.meta.edition, self.factor.id)
    }
}

/// The texts a factor can be found by, lowercased.
fn haystack(set: &FactorSet, f: &Factor) -> Vec<String> {
    let m = &set.meta;
    let mut v = vec![
        set.key(),
        m.title.clone(),
        m.publisher.clone(),
        m.source.clone(),
        f.id.clone(),
        f.kind.name().to_string(),
        f.activity.clone(),
        f.region.clone(),
        f.citation.clone(),
    ];
    if let Some(g) = f.gas {
        v.push(g.to_string());
    }
    if let Some(a) = &f.alternative {
        v.push(a.clone());
    }
    if let Some(n) = &f.note {
        v.push(n.clone());
    }
    if let Ok(a) = f.activity.parse::<Activity>() {
        let (en, zh) = a.labels();
        v.push(en.to_string());
        v.push(zh.to_string());
    }
    if let Some((_, zh, en)) = crate::region::REGIONS.iter().find(|(code, _, _)| *code == f.region) {
        v.push(zh.to_string());
        v.push(en.to_string());
    }
    v.into_iter().map(|s| s.to_lowercase()).collect()
}

impl FactorLibrary {
    /// Every factor matching all the words of `query` (case-insensitive; each word must appear in the factor's set,
    /// id, kind, activity, region, gas, publisher, title, source or citation). A word naming a region in Chinese
    /// (`浙江省`) also matches its code. Built-in sets first, then file order.
    ///
    /// ```
    /// let lib = ghg::FactorLibrary::builtin().unwrap();
    /// let hits = lib.search("浙江省 2022"); // a province in Chinese, and an edition
    /// assert_eq!(hits.len(), 1);
    /// assert_eq!(hits[0].reference(), "mee-grid@2022:grid.province.zj");
    /// assert_eq!(hits[0].factor.rate().unwrap().to_string(), "0.5153");
    /// assert!(lib.search("no-such-thing-anywhere").is_empty());
    /// ```
    pub fn search(&self, query: &str) -> Vec<FactorHit<'_>> {
        let words: Vec<(String, String)> =
            query.split_whitespace().map(|w| (w.to_lowercase(), crate::region::normalize(w).to_lowercase())).collect();
        let mut out = Vec::new();
        if words.is_empty() {
            return out;
        }
        for set in self.sets() {
            for f in &set.factors {
                let hay = haystack(set, f);
                let region = f.region.to_lowercase();
                let all = words.iter().all(|(w, code)| hay.iter().any(|h| h.contains(w.as_str())) || *code == region);
                if all {
                    out.push(FactorHit { set, factor: f });
                }
            }
        }
        out
    }
}
