//! The vocabulary of the accounts: activities and gases, declared by factor data.
//!
//! The ten built-in activities (`gasoline` ... `certificate`) are defined here, with the behaviour they always had.
//! Any other activity is declared by a factor file (`[[activity]]`: id, names, category, dimensions, unit, and for a
//! gas emitted as such, the gas), and gases are grouped (`[[gas]]`) and blended (`[[blend]]`) the same way. What an
//! activity does in the accounts follows from its [`Category`], never from its id: a declared `purchased_steam` of
//! category `purchased_steam` is priced like bought heat, a declared `r410a_topup` of category `fugitive` adds its gas
//! to scope 1.
//!
//! Declarations are kept for the life of the process (activities and gases are small `Copy` handles to them), keyed
//! by id: the factor library registers what its files declare when it loads, and the ledger reader resolves a row's
//! activity through them. At most [`MAX_DECLARED`] activities may be declared.

use std::collections::HashMap;
use std::fmt;
use std::sync::{Mutex, OnceLock};

use rust_decimal::Decimal;
use serde::Serialize;

use crate::units::{Dimension, Gas};

/// The most activities factor data may declare in one process.
pub const MAX_DECLARED: usize = 4096;

/// What an activity is in the accounts: where its emissions go and which factors price it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Category {
    /// A fuel burned, stationary unless the ledger row says `mobile` (the built-in fuels).
    Combustion,
    /// A fuel burned in stationary equipment (boilers, generators, furnaces).
    Stationary,
    /// A fuel burned in vehicles and mobile machinery.
    Mobile,
    /// A gas released by leaks and top-ups (refrigerants, SF6 in switchgear): scope 1.
    Fugitive,
    /// A gas released by an industrial process (etching, chamber cleaning, clinker): scope 1.
    Process,
    /// Electricity bought from a grid: scope 2.
    PurchasedElectricity,
    /// Heat or hot water bought: scope 2.
    PurchasedHeat,
    /// Steam bought: scope 2.
    PurchasedSteam,
    /// Cooling bought: scope 2.
    PurchasedCooling,
    /// Electricity generated and used on site (own PV): energy, no emissions.
    OnsiteGeneration,
    /// Energy attribute certificates in MWh: market-based scope 2.
    Certificate,
    /// A scope 3 category, 1 to 15 (GHG Protocol Scope 3 Standard): reported beside the scopes, never in a total.
    Scope3(u8),
    /// Biomass burned: its CO2 is reported outside the scopes (`biogenic.co2`), its CH4 and N2O in scope 1.
    Biogenic,
}

/// The category names a factor file may write, for messages.
pub const CATEGORY_NAMES: &str = "stationary, mobile, combustion, fugitive, process, purchased_electricity, \
                                  purchased_heat, purchased_steam, purchased_cooling, onsite_generation, certificate, \
                                  scope3.cat1 .. scope3.cat15, biogenic";

impl Category {
    /// Read a category name (`stationary`, `scope3.cat6`, ...).
    pub fn parse(s: &str) -> Option<Category> {
        Some(match s.trim() {
            "combustion" => Category::Combustion,
            "stationary" => Category::Stationary,
            "mobile" => Category::Mobile,
            "fugitive" => Category::Fugitive,
            "process" => Category::Process,
            "purchased_electricity" => Category::PurchasedElectricity,
            "purchased_heat" => Category::PurchasedHeat,
            "purchased_steam" => Category::PurchasedSteam,
            "purchased_cooling" => Category::PurchasedCooling,
            "onsite_generation" => Category::OnsiteGeneration,
            "certificate" => Category::Certificate,
            "biogenic" => Category::Biogenic,
            other => {
                let n: u8 = other.strip_prefix("scope3.cat")?.parse().ok()?;
                if !(1..=15).contains(&n) || other != format!("scope3.cat{n}") {
                    return None;
                }
                Category::Scope3(n)
            }
        })
    }

    /// The name a factor file writes.
    pub fn name(self) -> String {
        match self {
            Category::Combustion => "combustion".into(),
            Category::Stationary => "stationary".into(),
            Category::Mobile => "mobile".into(),
            Category::Fugitive => "fugitive".into(),
            Category::Process => "process".into(),
            Category::PurchasedElectricity => "purchased_electricity".into(),
            Category::PurchasedHeat => "purchased_heat".into(),
            Category::PurchasedSteam => "purchased_steam".into(),
            Category::PurchasedCooling => "purchased_cooling".into(),
            Category::OnsiteGeneration => "onsite_generation".into(),
            Category::Certificate => "certificate".into(),
            Category::Scope3(n) => format!("scope3.cat{n}"),
            Category::Biogenic => "biogenic".into(),
        }
    }

    /// A fuel burned on site: its amount may be mass, volume or energy, bridged by a heating value.
    pub fn is_fuel(self) -> bool {
        matches!(self, Category::Combustion | Category::Stationary | Category::Mobile | Category::Biogenic)
    }

    /// Energy bought and priced by a grid or heat factor (scope 2).
    pub fn is_purchased(self) -> bool {
        matches!(
            self,
            Category::PurchasedElectricity
                | Category::PurchasedHeat
                | Category::PurchasedSteam
                | Category::PurchasedCooling
        )
    }

    /// The scope 1 figure by category a row of this category adds to (`scope1.stationary`, ...): fuels without a
    /// stated mode count as stationary.
    pub fn scope1_figure(self) -> Option<&'static str> {
        match self {
            Category::Combustion | Category::Stationary | Category::Biogenic => Some("scope1.stationary"),
            Category::Mobile => Some("scope1.mobile"),
            Category::Fugitive => Some("scope1.fugitive"),
            Category::Process => Some("scope1.process"),
            _ => None,
        }
    }

    /// Whether a row may state this category instead of its activity's (`category` column): only between the
    /// modes of a fuel.
    pub fn row_may_state(self, activity: Category) -> bool {
        activity.is_fuel() && matches!(self, Category::Stationary | Category::Mobile)
    }
}

impl fmt::Display for Category {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name())
    }
}

impl Serialize for Category {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// What an activity is: its id, names, category, the dimensions its quantity may be measured in, the unit its
/// quantity figure sums in, and for a gas emitted as such, the gas.
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct ActivityDef {
    /// The ledger id (`diesel`).
    pub id: &'static str,
    /// English name.
    pub name: &'static str,
    /// Chinese name.
    pub name_zh: &'static str,
    /// Other names a ledger may use.
    pub aliases: &'static [&'static str],
    /// What it is in the accounts.
    pub category: Category,
    /// Dimensions a ledger quantity of it may be measured in.
    pub dimensions: &'static [Dimension],
    /// The unit its quantity figure (`activity.<id>`) sums in.
    pub unit: &'static str,
    /// The gas a fugitive or process activity measured by mass emits (the quantity is that gas).
    pub gas: Option<Gas>,
    /// Where it is declared: "built in", or the factor set (`set@edition`) and file:line.
    pub declared_in: &'static str,
    /// Position in report order (built-in activities first).
    pub rank: u16,
}

const FUEL_DIMS: &[Dimension] = &[Dimension::Mass, Dimension::Volume, Dimension::Energy];
const ENERGY_DIMS: &[Dimension] = &[Dimension::Energy];

const fn builtin(
    id: &'static str,
    name: &'static str,
    name_zh: &'static str,
    aliases: &'static [&'static str],
    category: Category,
    unit: &'static str,
    rank: u16,
) -> ActivityDef {
    let dimensions = if matches!(category, Category::Combustion) { FUEL_DIMS } else { ENERGY_DIMS };
    ActivityDef { id, name, name_zh, aliases, category, dimensions, unit, gas: None, declared_in: "built in", rank }
}

/// The built-in activities, in report order.
pub static BUILTIN: [ActivityDef; 10] = [
    builtin("gasoline", "Gasoline", "汽油", &["petrol", "motor gasoline"], Category::Combustion, "t", 0),
    builtin("diesel", "Diesel", "柴油", &["gas oil", "diesel oil"], Category::Combustion, "t", 1),
    builtin("natural_gas", "Natural gas", "天然气", &[], Category::Combustion, "m3", 2),
    builtin("lpg", "LPG", "液化石油气", &["liquefied petroleum gas"], Category::Combustion, "t", 3),
    builtin("fuel_oil", "Fuel oil", "燃料油", &["heavy fuel oil"], Category::Combustion, "t", 4),
    builtin("coal", "Coal", "煤炭", &[], Category::Combustion, "t", 5),
    builtin(
        "electricity",
        "Purchased electricity",
        "外购电力",
        &["grid electricity", "外购电"],
        Category::PurchasedElectricity,
        "MWh",
        6,
    ),
    builtin("heat", "Purchased heat", "外购热力", &["外购热"], Category::PurchasedHeat, "GJ", 7),
    builtin("onsite_pv", "On-site PV", "自有光伏发电", &["光伏发电"], Category::OnsiteGeneration, "MWh", 8),
    builtin("certificate", "Green certificates", "绿色电力证书", &["绿证"], Category::Certificate, "MWh", 9),
];

/// Ids an activity may not take: they name the scope 1 figures by category and by gas (`scope1.mobile`,
/// `scope1.gas.co2`).
pub const RESERVED_IDS: &[&str] = &["stationary", "mobile", "fugitive", "process", "gas", "combustion"];

#[derive(Default)]
struct Registry {
    /// Id -> definition (the latest declared).
    by_id: HashMap<&'static str, &'static ActivityDef>,
    /// Lower-cased id, names and aliases -> id.
    by_name: HashMap<String, &'static str>,
    /// (id, category) -> the same activity in another category (a row's stated mode).
    variants: HashMap<(&'static str, Category), &'static ActivityDef>,
    declared: usize,
    /// Gas -> group, declared name, blend components.
    gases: HashMap<Gas, GasInfo>,
}

fn registry() -> &'static Mutex<Registry> {
    static R: OnceLock<Mutex<Registry>> = OnceLock::new();
    R.get_or_init(|| {
        let mut r = Registry::default();
        for d in &BUILTIN {
            r.by_id.insert(d.id, d);
            for n in [d.id, d.name, d.name_zh].into_iter().chain(d.aliases.iter().copied()) {
                r.by_name.insert(n.to_lowercase(), d.id);
            }
        }
        Mutex::new(r)
    })
}

fn lock() -> std::sync::MutexGuard<'static, Registry> {
    registry().lock().unwrap_or_else(|p| p.into_inner())
}

fn leak(s: &str) -> &'static str {
    Box::leak(s.to_string().into_boxed_str())
}

/// An activity as a factor file declares it (owned text; [`declare`] keeps it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Declared {
    /// Id.
    pub id: String,
    /// English name.
    pub name: String,
    /// Chinese name (may be empty).
    pub name_zh: String,
    /// Other names.
    pub aliases: Vec<String>,
    /// Category.
    pub category: Category,
    /// Dimensions a quantity may be measured in.
    pub dimensions: Vec<Dimension>,
    /// Unit of its quantity figure.
    pub unit: String,
    /// Gas emitted as such (fugitive, process).
    pub gas: Option<Gas>,
    /// Where it is declared.
    pub declared_in: String,
}

/// Whether an id can name an activity: lower-case ASCII letters, digits and `_`, starting with a letter.
pub fn is_valid_id(id: &str) -> bool {
    id.chars().next().is_some_and(|c| c.is_ascii_lowercase())
        && id.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

/// Declare an activity (from a factor file). A built-in id may be declared again only as it is (same category,
/// dimensions and unit: a file may restate it to add names); another declaration of the same id with other
/// properties replaces the earlier one for rows read afterwards. Fails with the reason for an id or name that cannot
/// be used.
pub fn declare(d: Declared) -> Result<&'static ActivityDef, String> {
    if !is_valid_id(&d.id) {
        return Err(format!(
            "activity id \"{}\" must be lower-case letters, digits and '_', starting with a letter",
            d.id
        ));
    }
    if RESERVED_IDS.contains(&d.id.as_str()) {
        return Err(format!(
            "activity id \"{}\" is reserved: scope1.{} names the scope 1 figure by category or gas",
            d.id, d.id
        ));
    }
    let mut r = lock();
    if let Some(b) = BUILTIN.iter().find(|b| b.id == d.id)
        && (b.category != d.category || b.dimensions != d.dimensions.as_slice() || b.unit != d.unit || d.gas.is_some())
    {
        return Err(format!(
            "activity \"{}\" is built in ({}, measured in {}, summed in {}): a factor file may add names to it but \
             not change it; declare a new id for a different activity",
            d.id,
            b.category,
            b.dimensions.iter().map(|x| x.to_string()).collect::<Vec<_>>().join(", "),
            b.unit
        ));
    }
    for n in std::iter::once(&d.name).chain(std::iter::once(&d.name_zh)).chain(d.aliases.iter()) {
        let key = n.trim().to_lowercase();
        if key.is_empty() {
            continue;
        }
        if let Some(other) = r.by_name.get(&key)
            && *other != d.id
            && BUILTIN.iter().any(|b| b.id == *other)
        {
            return Err(format!("name \"{n}\" already names the built-in activity {other}"));
        }
    }
    if let Some(old) = r.by_id.get(d.id.as_str()) {
        let same = old.category == d.category
            && old.dimensions == d.dimensions.as_slice()
            && old.unit == d.unit
            && old.gas == d.gas
            && old.name == d.name
            && old.name_zh == d.name_zh
            && old.aliases.len() == d.aliases.len()
            && old.aliases.iter().zip(&d.aliases).all(|(a, b)| *a == b.as_str());
        if same {
            return Ok(old);
        }
        // Two sets may not declare one activity differently (a set declaring it again, changed, replaces it).
        let set_of = |d: &str| d.split(' ').next().unwrap_or("").to_string();
        if set_of(old.declared_in) != set_of(&d.declared_in) && !BUILTIN.iter().any(|b| b.id == d.id) {
            return Err(format!(
                "activity \"{}\" is declared differently by {}: declare it the same way in both, or use another id",
                d.id, old.declared_in
            ));
        }
    }
    if r.declared >= MAX_DECLARED {
        return Err(format!("one activity too many: factor data may declare at most {MAX_DECLARED}"));
    }
    r.declared += 1;
    let builtin_rank = BUILTIN.iter().find(|b| b.id == d.id).map(|b| b.rank);
    let def: &'static ActivityDef = Box::leak(Box::new(ActivityDef {
        id: leak(&d.id),
        name: leak(&d.name),
        name_zh: leak(&d.name_zh),
        aliases: Box::leak(d.aliases.iter().map(|a| leak(a)).collect::<Vec<_>>().into_boxed_slice()),
        category: d.category,
        dimensions: Box::leak(d.dimensions.clone().into_boxed_slice()),
        unit: leak(&d.unit),
        gas: d.gas,
        declared_in: leak(&d.declared_in),
        rank: builtin_rank.unwrap_or(1000),
    }));
    r.by_id.insert(def.id, def);
    for n in [def.id, def.name, def.name_zh].into_iter().chain(def.aliases.iter().copied()) {
        let key = n.trim().to_lowercase();
        if !key.is_empty() {
            r.by_name.insert(key, def.id);
        }
    }
    Ok(def)
}

/// The activity a ledger names: its id, English or Chinese name or an alias (case-insensitive).
pub fn lookup(name: &str) -> Option<&'static ActivityDef> {
    let r = lock();
    let id = r.by_name.get(&name.trim().to_lowercase())?;
    r.by_id.get(id).copied()
}

/// The same activity in another category (a ledger row's stated mode, `mobile` diesel).
pub fn variant(def: &'static ActivityDef, category: Category) -> &'static ActivityDef {
    if def.category == category {
        return def;
    }
    let mut r = lock();
    if let Some(v) = r.variants.get(&(def.id, category)) {
        return v;
    }
    let v: &'static ActivityDef = Box::leak(Box::new(ActivityDef {
        id: def.id,
        name: def.name,
        name_zh: def.name_zh,
        aliases: def.aliases,
        category,
        dimensions: def.dimensions,
        unit: def.unit,
        gas: def.gas,
        declared_in: def.declared_in,
        rank: def.rank,
    }));
    r.variants.insert((def.id, category), v);
    v
}

/// Every activity known now, in report order.
pub fn known() -> Vec<&'static ActivityDef> {
    let r = lock();
    let mut v: Vec<&'static ActivityDef> = r.by_id.values().copied().collect();
    v.sort_by_key(|d| (d.rank, d.id));
    v
}

/// The known activity ids, names and aliases nearest to a misspelt one (at most three), for "did you mean".
pub fn did_you_mean(name: &str) -> Vec<String> {
    // No name is longer than this: a longer text is no misspelling of one, and comparing it would cost time.
    if name.len() > 64 {
        return Vec::new();
    }
    let want = name.trim().to_lowercase();
    // A ledger of many rows with the same misspelling asks many times: the answer is kept (for a bounded number of
    // names; it changes only when an activity is declared, which clears it).
    static MEMO: OnceLock<Mutex<HashMap<String, Vec<String>>>> = OnceLock::new();
    let memo = MEMO.get_or_init(|| Mutex::new(HashMap::new()));
    let generation = lock().declared;
    let key = format!("{generation}\u{0}{want}");
    if let Some(v) = memo.lock().unwrap_or_else(|p| p.into_inner()).get(&key) {
        return v.clone();
    }
    let out = nearest(&want);
    let mut m = memo.lock().unwrap_or_else(|p| p.into_inner());
    if m.len() < 4096 {
        m.insert(key, out.clone());
    }
    out
}

fn nearest(want: &str) -> Vec<String> {
    let r = lock();
    let mut scored: Vec<(usize, &str)> = r
        .by_name
        .iter()
        .map(|(n, id)| (strsim::levenshtein(want, n), *id))
        .filter(|(d, _)| *d <= 2.max(want.chars().count() / 3))
        .collect();
    scored.sort();
    let mut out: Vec<String> = Vec::new();
    for (_, id) in scored {
        if !out.iter().any(|x| x == id) {
            out.push(id.to_string());
        }
        if out.len() == 3 {
            break;
        }
    }
    out
}

/// What the figures need to know of a gas: the group it is reported in, and a blend's components.
#[derive(Debug, Clone, PartialEq)]
pub struct GasInfo {
    /// The group (`hfcs`, `pfcs`, ...), the last part of its `scope1.gas.<group>` figure.
    pub group: &'static str,
    /// A blend's components and their mass fractions (summing to 1).
    pub blend: Option<Vec<(Gas, Decimal)>>,
    /// Where it is declared.
    pub declared_in: String,
}

/// The gas groups a `[[gas]]` table may name, and their figure part.
pub const GAS_GROUPS: &[(&str, &str)] = &[
    ("CO2", "co2"),
    ("CH4", "ch4"),
    ("N2O", "n2o"),
    ("HFC", "hfcs"),
    ("PFC", "pfcs"),
    ("SF6", "sf6"),
    ("NF3", "nf3"),
    ("other", "other"),
    ("montreal", "montreal"),
];

/// Declare a gas's group (from a `[[gas]]` table).
pub fn declare_gas(gas: Gas, group: &str, declared_in: &str) -> Result<(), String> {
    let Some((_, part)) = GAS_GROUPS.iter().find(|(g, _)| g.eq_ignore_ascii_case(group)) else {
        return Err(format!(
            "group \"{group}\" is not one of {}",
            GAS_GROUPS.iter().map(|g| g.0).collect::<Vec<_>>().join(", ")
        ));
    };
    let mut r = lock();
    let blend = r.gases.get(&gas).and_then(|i| i.blend.clone());
    r.gases.insert(gas, GasInfo { group: part, blend, declared_in: declared_in.to_string() });
    Ok(())
}

/// Declare a blend (from a `[[blend]]` table): components and mass fractions, which must sum to exactly 1.
pub fn declare_blend(gas: Gas, components: Vec<(Gas, Decimal)>, declared_in: &str) -> Result<(), String> {
    let sum = components.iter().try_fold(Decimal::ZERO, |a, (_, f)| a.checked_add(*f));
    if sum != Some(Decimal::ONE) {
        return Err(format!(
            "the mass fractions of blend {gas} sum to {}, not 1",
            sum.map(|s| s.normalize().to_string()).unwrap_or_else(|| "more than a decimal holds".into())
        ));
    }
    if components.iter().any(|(g, _)| *g == gas) {
        return Err(format!("blend {gas} lists itself as a component"));
    }
    let mut r = lock();
    if components.iter().any(|(g, _)| r.gases.get(g).is_some_and(|i| i.blend.is_some())) {
        return Err(format!("a component of blend {gas} is itself a blend: list the pure gases"));
    }
    r.gases.insert(gas, GasInfo { group: "blend", blend: Some(components), declared_in: declared_in.to_string() });
    Ok(())
}

/// A blend's components and mass fractions, if the gas is a declared blend.
pub fn blend_of(gas: Gas) -> Option<Vec<(Gas, Decimal)>> {
    lock().gases.get(&gas).and_then(|i| i.blend.clone())
}

/// The group a gas is reported in (`scope1.gas.<group>`): declared by a `[[gas]]` table, else by its name
/// (`HFC-` hydrofluorocarbons, `HCFC-`/`CFC-` Montreal gases, reported apart), else `other`.
pub fn gas_group(gas: Gas) -> &'static str {
    match gas {
        Gas::CO2 => return "co2",
        Gas::CH4 => return "ch4",
        Gas::N2O => return "n2o",
        Gas::SF6 => return "sf6",
        Gas::NF3 => return "nf3",
        Gas::CF4 => return "pfcs",
        Gas::CO2e => return "co2e",
        _ => {}
    }
    if let Some(i) = lock().gases.get(&gas)
        && i.group != "blend"
    {
        return i.group;
    }
    let s = gas.symbol();
    if s.starts_with("HFC-") {
        "hfcs"
    } else if s.starts_with("HCFC-") || s.starts_with("CFC-") {
        "montreal"
    } else {
        "other"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn categories_read_and_write_their_names() {
        for c in [
            Category::Combustion,
            Category::Stationary,
            Category::Mobile,
            Category::Fugitive,
            Category::Process,
            Category::PurchasedElectricity,
            Category::PurchasedHeat,
            Category::PurchasedSteam,
            Category::PurchasedCooling,
            Category::OnsiteGeneration,
            Category::Certificate,
            Category::Scope3(1),
            Category::Scope3(15),
            Category::Biogenic,
        ] {
            assert_eq!(Category::parse(&c.name()), Some(c));
        }
        for bad in ["scope3.cat0", "scope3.cat16", "scope3.cat06", "scope3", "Stationary", ""] {
            assert_eq!(Category::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn built_in_activities_are_found_by_id_and_names_and_cannot_be_changed() {
        assert_eq!(lookup("柴油").map(|d| d.id), Some("diesel"));
        assert_eq!(lookup(" Natural gas ").map(|d| d.id), Some("natural_gas"));
        let changed = Declared {
            id: "diesel".into(),
            name: "Diesel".into(),
            name_zh: String::new(),
            aliases: vec![],
            category: Category::Mobile,
            dimensions: vec![Dimension::Volume],
            unit: "L".into(),
            gas: None,
            declared_in: "t".into(),
        };
        let e = declare(changed).expect_err("built in");
        assert!(e.starts_with("activity \"diesel\" is built in (combustion"), "{e}");
        assert_eq!(did_you_mean("desel"), vec!["diesel".to_string()]);
    }

    #[test]
    fn blends_must_sum_to_one() {
        let b = Gas::declare("R-test-blend").expect("name");
        let c = Gas::declare("HFC-test-32").expect("name");
        let e = declare_blend(b, vec![(c, Decimal::new(5, 1))], "t").expect_err("half");
        assert_eq!(e, "the mass fractions of blend R-test-blend sum to 0.5, not 1");
        assert!(declare_blend(b, vec![(c, Decimal::ONE)], "t").is_ok());
        assert_eq!(gas_group(c), "hfcs");
    }
}
