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

/// Countries a multinational meets: ISO 3166 code (as factor files write the region) and the names a user may type, in
/// English and Chinese. A factor whose region is the code, or a subdivision of it (`CN-ZJ`, `US-CAMX`), is found by any
/// of them.
const COUNTRIES: &[(&str, &[&str])] = &[
    ("CN", &["China", "PRC", "中国", "中華人民共和國", "中华人民共和国"]),
    ("DE", &["Germany", "Deutschland", "德国", "德國"]),
    ("GB", &["United Kingdom", "UK", "Great Britain", "Britain", "England", "英国", "英國"]),
    ("US", &["United States", "United States of America", "USA", "America", "美国", "美國"]),
    ("IN", &["India", "印度"]),
    ("BR", &["Brazil", "Brasil", "巴西"]),
    ("TW", &["Taiwan", "台湾", "臺灣", "台灣"]),
    ("JP", &["Japan", "日本"]),
    ("FR", &["France", "法国", "法國"]),
    ("NL", &["Netherlands", "Holland", "荷兰", "荷蘭"]),
    ("ES", &["Spain", "España", "西班牙"]),
    ("IT", &["Italy", "Italia", "意大利", "義大利"]),
    ("PL", &["Poland", "Polska", "波兰", "波蘭"]),
    ("SE", &["Sweden", "Sverige", "瑞典"]),
    ("FI", &["Finland", "Suomi", "芬兰", "芬蘭"]),
    ("DK", &["Denmark", "Danmark", "丹麦", "丹麥"]),
    ("AT", &["Austria", "Österreich", "奥地利", "奧地利"]),
    ("NO", &["Norway", "Norge", "挪威"]),
    ("KR", &["South Korea", "Korea", "韩国", "韓國"]),
    ("HK", &["Hong Kong", "香港"]),
    ("SG", &["Singapore", "新加坡"]),
    ("MX", &["Mexico", "México", "墨西哥"]),
];

/// The country code a query word names: a country's name in any listed language (case-insensitive), or its code
/// written in capitals (`DE`; lower-case `de` stays a word, so `in` or `it` in a query are not India or Italy).
fn country_code(word: &str) -> Option<&'static str> {
    let lower = word.to_lowercase();
    COUNTRIES.iter().find_map(|(code, names)| {
        let named = names.iter().any(|n| n.to_lowercase() == lower) || (word == *code);
        named.then_some(*code)
    })
}

/// Whether `region` is `code` or a subdivision of it (`CN-ZJ` of `CN`).
fn in_country(region: &str, code: &str) -> bool {
    region == code || region.strip_prefix(code).is_some_and(|rest| rest.starts_with('-'))
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

/// Whether `word` (lowercased) occurs in `text` (lowercased) as a whole word: where the word begins or ends with an
/// ASCII letter or digit, the text must not continue it with another (`de` is not found in `defra` or `needed`;
/// `2022` is found in `mee-grid@2022` and in `2022年`). Chinese has no spaces between words, so a word of Chinese
/// characters is found inside a longer run of them (`柴油` in `柴油低位发热量`).
pub(crate) fn contains_word(text: &str, word: &str) -> bool {
    if word.is_empty() {
        return false;
    }
    let first_alnum = word.chars().next().is_some_and(|c| c.is_ascii_alphanumeric());
    let last_alnum = word.chars().next_back().is_some_and(|c| c.is_ascii_alphanumeric());
    let mut from = 0;
    while let Some(i) = text[from..].find(word) {
        let start = from + i;
        let end = start + word.len();
        let before_ok = !first_alnum || !text[..start].chars().next_back().is_some_and(|c| c.is_ascii_alphanumeric());
        let after_ok = !last_alnum || !text[end..].chars().next().is_some_and(|c| c.is_ascii_alphanumeric());
        if before_ok && after_ok {
            return true;
        }
        // Step past the first character of this occurrence (char boundary safe).
        from = start + text[start..].chars().next().map_or(1, char::len_utf8);
    }
    false
}

/// One word of a query: its text (lowercased), the region code it names (a Chinese province or grid, `CN-ZJ`),
/// and the country it names (`DE` for `Germany`, `德国` or `DE`).
struct QueryWord {
    text: String,
    region: String,
    country: Option<&'static str>,
    /// The word is a country code written in capitals (`DE`): it matches by region only.
    is_code: bool,
}

/// The words of a query. Country names of more than one word (`United Kingdom`) are kept together.
fn query_words(query: &str) -> Vec<QueryWord> {
    let raw: Vec<&str> = query.split_whitespace().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < raw.len() {
        // The longest run of words (up to four) that names a country.
        let mut taken = None;
        for n in (2..=4.min(raw.len() - i)).rev() {
            let phrase = raw[i..i + n].join(" ");
            if let Some(code) = country_code(&phrase) {
                taken = Some((n, phrase, code));
                break;
            }
        }
        let (n, text, country) = match taken {
            Some((n, phrase, code)) => (n, phrase, Some(code)),
            None => (1, raw[i].to_string(), country_code(raw[i])),
        };
        out.push(QueryWord {
            region: crate::region::normalize(&text).to_lowercase(),
            is_code: country.is_some_and(|c| c == text),
            text: text.to_lowercase(),
            country,
        });
        i += n;
    }
    out
}

impl FactorLibrary {
    /// Every factor matching all the words of `query` (case-insensitive, whole words; each word must appear in the
    /// factor's set, id, kind, activity, region, gas, publisher, title, source, citation or note). A word naming a
    /// region in Chinese (`浙江省`) also matches its code; a country's name in English or Chinese, or its code in
    /// capitals (`Germany`, `德国`, `DE`), matches the factors of that country and its subdivisions. Built-in sets
    /// first, then file order.
    ///
    /// ```
    /// let lib = ghg::FactorLibrary::builtin().unwrap();
    /// let hits = lib.search("浙江省 2022"); // a province in Chinese, and an edition
    /// assert_eq!(hits.len(), 1);
    /// assert_eq!(hits[0].reference(), "mee-grid@2022:grid.province.zj");
    /// assert_eq!(hits[0].factor.rate().unwrap().to_string(), "0.5153");
    /// assert!(lib.search("no-such-thing-anywhere").is_empty());
    /// // Whole words: `DE` is Germany, not the "de" inside other words.
    /// assert!(lib.search("DE").iter().all(|h| h.factor.region == "DE"));
    /// assert_eq!(lib.search("德国 2023").len(), lib.search("Germany 2023").len());
    /// ```
    pub fn search(&self, query: &str) -> Vec<FactorHit<'_>> {
        let words = query_words(query);
        let mut out = Vec::new();
        if words.is_empty() {
            return out;
        }
        for set in self.sets() {
            for f in &set.factors {
                let hay = haystack(set, f);
                let region = f.region.to_lowercase();
                let all = words.iter().all(|w| {
                    w.region == region
                        || w.country.is_some_and(|c| in_country(&f.region, c))
                        // A country code in capitals is a region, not text: `DE` is not Portuguese "de".
                        || (!w.is_code && hay.iter().any(|h| contains_word(h, &w.text)))
                });
                if all {
                    out.push(FactorHit { set, factor: f });
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whole_words_only_for_latin_letters_and_digits() {
        assert!(contains_word("uba-strommix@2023", "2023"));
        assert!(contains_word("grid.province.zj", "zj"));
        assert!(contains_word("2022年电力二氧化碳排放因子", "2022"));
        assert!(!contains_word("defra", "de"));
        assert!(!contains_word("factors needed here", "de"));
        assert!(!contains_word("mee-grid@20221", "2022"));
        assert!(contains_word("柴油低位发热量", "柴油"));
        assert!(contains_word("生态环境部、国家统计局", "生态环境部"));
        // A repeated prefix: the second occurrence is the whole word.
        assert!(contains_word("dede de", "de"));
        assert!(!contains_word("", "de"));
    }

    #[test]
    fn countries_by_name_in_english_and_chinese_and_by_code_in_capitals() {
        for (w, code) in [
            ("Germany", "DE"),
            ("德国", "DE"),
            ("DE", "DE"),
            ("uk", "GB"),
            ("GB", "GB"),
            ("英国", "GB"),
            ("USA", "US"),
            ("美国", "US"),
            ("中国", "CN"),
            ("印度", "IN"),
            ("巴西", "BR"),
            ("台湾", "TW"),
            ("日本", "JP"),
            ("法国", "FR"),
        ] {
            assert_eq!(country_code(w), Some(code), "{w}");
        }
        assert_eq!(country_code("de"), None);
        assert_eq!(country_code("in"), None);
        let q = query_words("electricity United Kingdom 2024");
        assert_eq!(q.iter().map(|w| w.text.as_str()).collect::<Vec<_>>(), ["electricity", "united kingdom", "2024"]);
        assert_eq!(q[1].country, Some("GB"));
        assert!(in_country("US-CAMX", "US"));
        assert!(!in_country("USX", "US"));
    }
}
