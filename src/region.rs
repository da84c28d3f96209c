//! Region codes: `CN`, the seven MEE grid regions, provinces by ISO 3166-2:CN, `GLOBAL`, and country codes.
//! Ledger rows may name a region in Chinese; it is mapped to its code here, and only here.

/// (code, Chinese name, English name) of every region the built-in library knows.
pub const REGIONS: &[(&str, &str, &str)] = &[
    ("GLOBAL", "全球", "global"),
    ("CN", "全国", "China (national)"),
    ("CN-North", "华北", "North China grid"),
    ("CN-Northeast", "东北", "Northeast China grid"),
    ("CN-East", "华东", "East China grid"),
    ("CN-Central", "华中", "Central China grid"),
    ("CN-Northwest", "西北", "Northwest China grid"),
    ("CN-South", "南方", "China Southern grid"),
    ("CN-Southwest", "西南", "Southwest China grid"),
    ("CN-BJ", "北京", "Beijing"),
    ("CN-TJ", "天津", "Tianjin"),
    ("CN-HE", "河北", "Hebei"),
    ("CN-SX", "山西", "Shanxi"),
    ("CN-NM", "内蒙古", "Inner Mongolia"),
    ("CN-LN", "辽宁", "Liaoning"),
    ("CN-JL", "吉林", "Jilin"),
    ("CN-HL", "黑龙江", "Heilongjiang"),
    ("CN-SH", "上海", "Shanghai"),
    ("CN-JS", "江苏", "Jiangsu"),
    ("CN-ZJ", "浙江", "Zhejiang"),
    ("CN-AH", "安徽", "Anhui"),
    ("CN-FJ", "福建", "Fujian"),
    ("CN-JX", "江西", "Jiangxi"),
    ("CN-SD", "山东", "Shandong"),
    ("CN-HA", "河南", "Henan"),
    ("CN-HB", "湖北", "Hubei"),
    ("CN-HN", "湖南", "Hunan"),
    ("CN-GD", "广东", "Guangdong"),
    ("CN-GX", "广西", "Guangxi"),
    ("CN-HI", "海南", "Hainan"),
    ("CN-CQ", "重庆", "Chongqing"),
    ("CN-SC", "四川", "Sichuan"),
    ("CN-GZ", "贵州", "Guizhou"),
    ("CN-YN", "云南", "Yunnan"),
    ("CN-XZ", "西藏", "Tibet"),
    ("CN-SN", "陕西", "Shaanxi"),
    ("CN-GS", "甘肃", "Gansu"),
    ("CN-QH", "青海", "Qinghai"),
    ("CN-NX", "宁夏", "Ningxia"),
    ("CN-XJ", "新疆", "Xinjiang"),
];

/// Normalise a region as written (code, Chinese name with or without 省/市/电网 suffixes, "中国")
/// to its code. Unknown regions are returned unchanged (a user's own factor folder may define them).
pub fn normalize(s: &str) -> String {
    let t = s.trim();
    if t.is_empty() {
        return String::new();
    }
    for (code, _, _) in REGIONS {
        if t.eq_ignore_ascii_case(code) {
            return (*code).to_string();
        }
    }
    if matches!(t, "中国" | "全国" | "China" | "china") {
        return "CN".to_string();
    }
    let stripped = t
        .trim_end_matches("电网")
        .trim_end_matches("区域")
        .trim_end_matches("地区")
        .trim_end_matches("省")
        .trim_end_matches("市")
        .trim_end_matches("自治区")
        .trim_end_matches("壮族")
        .trim_end_matches("回族")
        .trim_end_matches("维吾尔");
    for (code, zh, _) in REGIONS {
        if stripped == *zh {
            return (*code).to_string();
        }
    }
    t.to_string()
}

/// The Chinese name of a code, if known.
pub fn chinese_name(code: &str) -> Option<&'static str> {
    REGIONS.iter().find(|(c, _, _)| *c == code).map(|(_, zh, _)| *zh)
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn chinese_names_map_to_codes() {
        assert_eq!(normalize("浙江"), "CN-ZJ");
        assert_eq!(normalize("浙江省"), "CN-ZJ");
        assert_eq!(normalize("华东电网"), "CN-East");
        assert_eq!(normalize("重庆市"), "CN-CQ");
        assert_eq!(normalize("新疆维吾尔自治区"), "CN-XJ");
        assert_eq!(normalize("cn"), "CN");
        assert_eq!(normalize("中国"), "CN");
        assert_eq!(normalize("IN"), "IN");
    }
}
