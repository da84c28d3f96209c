//! Names of figures and activities for readers, in English and Chinese (the terms of Chinese ESG reports).

use super::doc::Lang;
use crate::activity::Activity;

/// The name of an activity: `diesel` -> "Diesel" / "柴油" (the names live with [`Activity::labels`], where the
/// factor search finds them too).
pub fn activity_label(a: Activity, lang: Lang) -> &'static str {
    let (en, zh) = a.labels();
    lang.pick(en, zh)
}

/// The name of a figure id for readers: `scope2.market` -> "Scope 2 (market-based)" / "范围二排放（基于市场）".
/// Unknown ids are returned as they are.
pub fn figure_label(id: &str, lang: Lang) -> String {
    let fixed = match id {
        "scope1" => Some(lang.pick("Scope 1 emissions", "范围一排放")),
        "scope2.location" => Some(lang.pick("Scope 2 emissions (location-based)", "范围二排放（基于位置）")),
        "scope2.market" => Some(lang.pick("Scope 2 emissions (market-based)", "范围二排放（基于市场）")),
        "total.location" => Some(lang.pick("Scope 1 + 2 (location-based)", "排放总量（范围一+范围二，基于位置）")),
        "total.market" => Some(lang.pick("Scope 1 + 2 (market-based)", "排放总量（范围一+范围二，基于市场）")),
        "energy.direct" => Some(lang.pick("Direct energy consumption", "直接能源消耗量")),
        "energy.indirect" => Some(lang.pick("Indirect energy consumption", "间接能源消耗量")),
        "energy.total" => Some(lang.pick("Total energy consumption", "综合能耗")),
        "electricity.total" => Some(lang.pick("Electricity consumed", "用电总量")),
        "electricity.renewable" => Some(lang.pick("Renewable electricity", "可再生能源电力")),
        "intensity.total.location" => Some(lang.pick("Emission intensity (location-based)", "排放密度（基于位置）")),
        "intensity.total.market" => Some(lang.pick("Emission intensity (market-based)", "排放密度（基于市场）")),
        "intensity.energy" => Some(lang.pick("Energy intensity", "能耗密度")),
        _ => None,
    };
    if let Some(f) = fixed {
        return f.to_string();
    }
    let activity = |s: &str| s.parse::<Activity>().ok().map(|a| activity_label(a, lang));
    if let Some(a) = id.strip_prefix("scope1.").and_then(activity) {
        return format!("{}{a}", lang.pick("Scope 1: ", "范围一："));
    }
    if let Some(a) = id.strip_prefix("activity.").and_then(activity) {
        return match lang {
            Lang::En => format!("{a} (quantity)"),
            Lang::Zh => format!("{a}消耗量"),
        };
    }
    id.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels() {
        assert_eq!(figure_label("scope1.diesel", Lang::Zh), "范围一：柴油");
        assert_eq!(figure_label("activity.natural_gas", Lang::En), "Natural gas (quantity)");
        assert_eq!(figure_label("energy.total", Lang::Zh), "综合能耗");
        assert_eq!(figure_label("something.new", Lang::Zh), "something.new");
    }
}
