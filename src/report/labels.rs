//! Names of figures and activities for readers, in English and Chinese (the terms of Chinese ESG reports).

use super::doc::Lang;
use crate::activity::Activity;
use crate::figure::{
    ELECTRICITY_RENEWABLE, ELECTRICITY_TOTAL, ENERGY_DIRECT, ENERGY_INDIRECT, ENERGY_TOTAL, Family, FigureId,
    INTENSITY_ENERGY, INTENSITY_TOTAL_LOCATION, INTENSITY_TOTAL_MARKET, SCOPE1, SCOPE2_LOCATION, SCOPE2_MARKET,
    TOTAL_LOCATION, TOTAL_MARKET,
};

/// The name of an activity: `diesel` -> "Diesel" / "柴油" (the names live with [`Activity::labels`], where the
/// factor search finds them too).
pub fn activity_label(a: Activity, lang: Lang) -> &'static str {
    let (en, zh) = a.labels();
    lang.pick(en, zh)
}

/// The name of a figure id for readers: `scope2.market` -> "Scope 2 (market-based)" / "范围二排放（基于市场）".
/// Unknown ids are returned as they are.
pub fn figure_label(id: &str, lang: Lang) -> String {
    let fid = FigureId::new(id);
    let fixed = match fid {
        SCOPE1 => Some(lang.pick("Scope 1 emissions", "范围一排放")),
        SCOPE2_LOCATION => Some(lang.pick("Scope 2 emissions (location-based)", "范围二排放（基于位置）")),
        SCOPE2_MARKET => Some(lang.pick("Scope 2 emissions (market-based)", "范围二排放（基于市场）")),
        TOTAL_LOCATION => Some(lang.pick("Scope 1 + 2 (location-based)", "排放总量（范围一+范围二，基于位置）")),
        TOTAL_MARKET => Some(lang.pick("Scope 1 + 2 (market-based)", "排放总量（范围一+范围二，基于市场）")),
        ENERGY_DIRECT => Some(lang.pick("Direct energy consumption", "直接能源消耗量")),
        ENERGY_INDIRECT => Some(lang.pick("Indirect energy consumption", "间接能源消耗量")),
        ENERGY_TOTAL => Some(lang.pick("Total energy consumption", "综合能耗")),
        ELECTRICITY_TOTAL => Some(lang.pick("Electricity consumed", "用电总量")),
        ELECTRICITY_RENEWABLE => Some(lang.pick("Renewable electricity", "可再生能源电力")),
        INTENSITY_TOTAL_LOCATION => Some(lang.pick("Emission intensity (location-based)", "排放密度（基于位置）")),
        INTENSITY_TOTAL_MARKET => Some(lang.pick("Emission intensity (market-based)", "排放密度（基于市场）")),
        INTENSITY_ENERGY => Some(lang.pick("Energy intensity", "能耗密度")),
        _ => None,
    };
    if let Some(f) = fixed {
        return f.to_string();
    }
    if let Some((base, name)) = fid.per_denominator() {
        let (en, zh) = denominator_label(name);
        let of = figure_label(base.as_str(), lang);
        return match lang {
            Lang::En => format!("{of} per {en}"),
            Lang::Zh => format!("{of}（每{zh}）"),
        };
    }
    let Some(a) = fid.activity().and_then(|s| s.parse::<Activity>().ok()).map(|a| activity_label(a, lang)) else {
        return id.to_string();
    };
    match (fid.family(), lang) {
        (Family::Scope1Part, _) => format!("{}{a}", lang.pick("Scope 1: ", "范围一：")),
        (Family::Activity, Lang::En) => format!("{a} (quantity)"),
        (Family::Activity, Lang::Zh) => format!("{a}消耗量"),
        _ => id.to_string(),
    }
}

/// The name of a denominator in English and Chinese: the usual ones by name, any other as written.
fn denominator_label(name: &str) -> (String, String) {
    let known = match name {
        "output" => Some(("output", "产量")),
        "floor_area" => Some(("floor area", "建筑面积")),
        "headcount" => Some(("headcount", "员工人数")),
        "employees" => Some(("employee", "员工")),
        _ => None,
    };
    match known {
        Some((en, zh)) => (en.to_string(), zh.to_string()),
        None => (name.replace('_', " "), name.to_string()),
    }
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
        assert_eq!(
            figure_label("intensity.total.market.per.output", Lang::En),
            "Emission intensity (market-based) per output"
        );
        assert_eq!(figure_label("intensity.energy.per.floor_area", Lang::Zh), "能耗密度（每建筑面积）");
        assert_eq!(figure_label("intensity.energy.per.beds", Lang::En), "Energy intensity per beds");
        assert_eq!(figure_label("intensity.energy.per.revenue", Lang::En), "intensity.energy.per.revenue");
    }
}
