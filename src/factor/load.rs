//! Reading and validating one factor file. Raw TOML is walked with spans so that every problem of a file
//! is reported together, each with file:line:column.

use std::collections::HashMap;
use std::path::Path;

use rust_decimal::Decimal;
use toml::de::DeValue;

use super::{Confidence, Factor, FactorKind, FactorSet, FactorValue, Param, SetMeta, ValidYears, sha256_hex};
use crate::error::{Diagnostics, Error, ErrorKind, Location};
use crate::tomlx::{Src, TableReader};
use crate::units::{Dimension, Gas, RateUnit};

fn confidence(s: &str) -> Option<Confidence> {
    match s {
        "A" | "a" => Some(Confidence::A),
        "B" | "b" => Some(Confidence::B),
        "unconfirmed" | "UNCONFIRMED" => Some(Confidence::Unconfirmed),
        _ => None,
    }
}

fn bad(kind: ErrorKind, loc: Location, msg: String, hint: &str) -> Error {
    Error::new(kind, msg).at(loc).hint(hint.to_string())
}

fn read_confidence(r: &mut TableReader<'_, '_, '_>, d: &mut Diagnostics, kind: ErrorKind) -> Option<Confidence> {
    if !r.has("confidence") {
        r.allow("confidence");
        d.push(
            Error::new(kind, format!("{} lacks 'confidence'", r.ctx()))
                .at(r.loc())
                .hint("add confidence = \"A\", \"B\" or \"unconfirmed\""),
        );
        return None;
    }
    let (s, loc) = r.str_opt("confidence", d)?;
    match confidence(&s) {
        Some(c) => Some(c),
        None => {
            d.push(bad(
                ErrorKind::BadValue,
                loc,
                format!("confidence \"{s}\" in {} is not A, B or unconfirmed", r.ctx()),
                "A = two independent sources agree, B = one source, unconfirmed = not found in any source",
            ));
            None
        }
    }
}

fn read_valid_years(r: &mut TableReader<'_, '_, '_>, d: &mut Diagnostics) -> Option<ValidYears> {
    let Some(v) = r.raw("valid_years") else {
        d.push(
            Error::new(ErrorKind::MissingProvenance, format!("{} lacks 'valid_years'", r.ctx()))
                .at(r.loc())
                .hint("add valid_years = [2022] or valid_years = \"any\""),
        );
        return None;
    };
    let loc = r.src().loc(&v.span());
    match v.get_ref() {
        DeValue::String(s) if s == "any" => Some(ValidYears::Any),
        DeValue::Array(a) => {
            let mut years = Vec::new();
            for item in a.iter() {
                match item.get_ref() {
                    DeValue::Integer(i) => match i.as_str().parse::<i32>() {
                        Ok(y) if (1900..=2200).contains(&y) => years.push(y),
                        _ => d.push(bad(
                            ErrorKind::BadValue,
                            r.src().loc(&item.span()),
                            format!("valid_years in {} has a year out of range: {}", r.ctx(), i.as_str()),
                            "years are four-digit integers such as 2022",
                        )),
                    },
                    _ => d.push(bad(
                        ErrorKind::BadValue,
                        r.src().loc(&item.span()),
                        format!("valid_years in {} must list integer years", r.ctx()),
                        "write valid_years = [2021, 2022]",
                    )),
                }
            }
            if years.is_empty() {
                d.push(bad(
                    ErrorKind::MissingProvenance,
                    loc,
                    format!("valid_years in {} is empty", r.ctx()),
                    "list the years, or write valid_years = \"any\"",
                ));
                return None;
            }
            Some(ValidYears::Years(years))
        }
        _ => {
            d.push(bad(
                ErrorKind::BadValue,
                loc,
                format!("valid_years in {} must be a list of years or \"any\"", r.ctx()),
                "write valid_years = [2022] or valid_years = \"any\"",
            ));
            None
        }
    }
}

fn read_rate_unit(s: &str, loc: &Location, ctx: &str, d: &mut Diagnostics) -> Option<RateUnit> {
    match RateUnit::parse(s) {
        Ok(u) => Some(u),
        Err(e) => {
            d.push(
                Error::new(ErrorKind::UnknownUnit, format!("unit \"{s}\" in {ctx}: {e}"))
                    .at(loc.clone())
                    .hint("write numerator/denominator, e.g. \"tCO2/MWh\", \"kgce/kg\", \"GJ/t\""),
            );
            None
        }
    }
}

fn non_negative(x: Decimal, loc: &Location, what: &str, ctx: &str, d: &mut Diagnostics) {
    if x.is_sign_negative() && !x.is_zero() {
        d.push(bad(
            ErrorKind::Negative,
            loc.clone(),
            format!("{what} in {ctx} is negative ({x})"),
            "factors are non-negative; a removal belongs in the ledger or a scenario, not in a factor",
        ));
    }
}

fn read_param(r: &mut TableReader<'_, '_, '_>, key: &'static str, d: &mut Diagnostics) -> Option<Param> {
    let Some(mut t) = r.table_opt(key, d) else {
        if !r.has(key) {
            d.push(
                Error::new(ErrorKind::MissingKey, format!("{} lacks '{key}'", r.ctx()))
                    .at(r.loc())
                    .hint(format!("add {key} = {{ value = \"...\", unit = \"...\" }}")),
            );
        }
        return None;
    };
    let value = t.decimal_req("value", d);
    let unit = t.str_req("unit", d);
    let ctx = t.ctx().to_string();
    t.finish(d);
    let (value, vloc) = value?;
    non_negative(value, &vloc, "value", &ctx, d);
    let (u, uloc) = unit?;
    let unit = read_rate_unit(&u, &uloc, &ctx, d)?;
    Some(Param { value, unit })
}

/// Check that a factor's unit measures what its kind says; return the problem if not.
fn check_dimensions(kind: FactorKind, gas: Option<Gas>, value: &FactorValue) -> Option<String> {
    let is_fuel_amount = |dim: Dimension| matches!(dim, Dimension::Mass | Dimension::Volume | Dimension::Energy);
    match (kind, value) {
        (FactorKind::Combustion, FactorValue::Combustion { ncv, carbon_content, .. }) => {
            if ncv.unit.num.dimension() != Dimension::Energy
                || !matches!(ncv.unit.den.dimension(), Dimension::Mass | Dimension::Volume)
            {
                return Some(format!(
                    "ncv unit {} must be energy per mass or volume (e.g. GJ/t, GJ/10^4Nm3)",
                    ncv.unit.symbol()
                ));
            }
            if carbon_content.unit.num.dimension() != Dimension::Emission(Gas::C)
                || carbon_content.unit.den.dimension() != Dimension::Energy
            {
                return Some(format!(
                    "carbon_content unit {} must be carbon per energy (e.g. tC/GJ, tC/TJ)",
                    carbon_content.unit.symbol()
                ));
            }
            None
        }
        (FactorKind::Combustion, FactorValue::Direct(_)) => {
            Some("a combustion factor needs ncv, carbon_content and oxidation, not value".into())
        }
        (_, FactorValue::Combustion { .. }) => {
            Some("ncv/carbon_content/oxidation belong to kind = \"combustion\"".into())
        }
        (FactorKind::Emission, FactorValue::Direct(p)) => {
            let Some(g) = gas else { return Some("an emission factor needs gas".into()) };
            if p.unit.num.dimension() != Dimension::Emission(g) {
                return Some(format!("unit {} must have {g} mass in the numerator (e.g. t{g}/MWh)", p.unit.symbol()));
            }
            if matches!(p.unit.den.dimension(), Dimension::Emission(_) | Dimension::StandardCoal | Dimension::Ratio) {
                return Some(format!(
                    "unit {} must be per an amount of activity (mass, volume, energy, distance, passenger-km, \
                     tonne-km, count, area or money)",
                    p.unit.symbol()
                ));
            }
            None
        }
        (FactorKind::Ncv, FactorValue::Direct(p)) => {
            if p.unit.num.dimension() != Dimension::Energy
                || !matches!(p.unit.den.dimension(), Dimension::Mass | Dimension::Volume)
            {
                return Some(format!(
                    "ncv unit {} must be energy per mass or volume (e.g. GJ/t, TJ/Gg)",
                    p.unit.symbol()
                ));
            }
            None
        }
        (FactorKind::StandardCoal, FactorValue::Direct(p)) => {
            if p.unit.num.dimension() != Dimension::StandardCoal || !is_fuel_amount(p.unit.den.dimension()) {
                return Some(format!(
                    "standard-coal unit {} must be kgce or tce per mass, volume or energy (e.g. kgce/kg)",
                    p.unit.symbol()
                ));
            }
            None
        }
        (FactorKind::Density, FactorValue::Direct(p)) => {
            if p.unit.num.dimension() != Dimension::Mass || p.unit.den.dimension() != Dimension::Volume {
                return Some(format!("density unit {} must be mass per volume (e.g. kg/L, t/m3)", p.unit.symbol()));
            }
            None
        }
        (FactorKind::Gwp, FactorValue::Direct(p)) => {
            if gas.is_none() {
                return Some("a gwp factor needs gas".into());
            }
            if p.unit.num.dimension() != Dimension::Ratio || p.unit.den.dimension() != Dimension::Ratio {
                return Some(format!("gwp unit {} must be \"1\" (t CO2e per t of gas)", p.unit.symbol()));
            }
            None
        }
    }
}

/// A gas named in a table: a built-in gas, or a gas this file declares by naming it (`HFC-134a`).
fn read_gas(r: &mut TableReader<'_, '_, '_>, key: &'static str, d: &mut Diagnostics) -> Option<Gas> {
    let (g, loc) = r.str_opt(key, d)?;
    match Gas::declare(&g) {
        Ok(g) => Some(g),
        Err(why) => {
            d.push(bad(
                ErrorKind::BadValue,
                loc,
                format!("{key} in {}: {why}", r.ctx()),
                "built-in gases are CO2, CH4, N2O, CO2e, SF6, NF3, CF4; another is named as its publisher names it",
            ));
            None
        }
    }
}

fn read_factor(r: &mut TableReader<'_, '_, '_>, d: &mut Diagnostics) -> Option<Factor> {
    let before = d.0.len();
    let id = r.str_req("id", d);
    let kind = match r.str_opt("kind", d) {
        None => Some(FactorKind::Emission),
        Some((k, loc)) => match k.as_str() {
            "emission" => Some(FactorKind::Emission),
            "combustion" => Some(FactorKind::Combustion),
            "ncv" => Some(FactorKind::Ncv),
            "standard_coal" => Some(FactorKind::StandardCoal),
            "gwp" => Some(FactorKind::Gwp),
            "density" => Some(FactorKind::Density),
            _ => {
                d.push(bad(
                    ErrorKind::BadValue,
                    loc,
                    format!("kind \"{k}\" in {} is unknown", r.ctx()),
                    "kind is one of emission, combustion, ncv, standard_coal, gwp, density",
                ));
                None
            }
        },
    };
    let activity = r.str_req("activity", d);
    let region = r.str_req("region", d);
    let gas = read_gas(r, "gas", d);
    let is_combustion = kind == Some(FactorKind::Combustion);
    let value = if is_combustion || r.has("ncv") {
        let ncv = read_param(r, "ncv", d);
        let cc = read_param(r, "carbon_content", d);
        let of = read_param(r, "oxidation", d);
        r.allow("value");
        r.allow("unit");
        match (ncv, cc, of) {
            (Some(ncv), Some(cc), Some(of)) => {
                let oxidation = match RateUnit::convert_value(of.value, &of.unit, &RateUnit::parse("1").ok()?) {
                    Ok(x) => Some(x),
                    Err(e) => {
                        d.push(bad(
                            ErrorKind::DimensionMismatch,
                            r.loc(),
                            format!("oxidation in {} must be a ratio (\"1\" or \"%\"): {e}", r.ctx()),
                            "write oxidation = { value = \"0.98\", unit = \"1\" }",
                        ));
                        None
                    }
                };
                oxidation.map(|oxidation| FactorValue::Combustion { ncv, carbon_content: cc, oxidation })
            }
            _ => None,
        }
    } else {
        for k in ["ncv", "carbon_content", "oxidation"] {
            r.allow(k);
        }
        let v = r.decimal_req("value", d);
        let u = r.str_req("unit", d);
        if let Some((x, loc)) = &v {
            non_negative(*x, loc, "value", r.ctx(), d);
        }
        let unit = u.and_then(|(s, loc)| read_rate_unit(&s, &loc, r.ctx(), d));
        match (v, unit) {
            (Some((value, _)), Some(unit)) => Some(FactorValue::Direct(Param { value, unit })),
            _ => None,
        }
    };
    let citation = r.str_opt("citation", d);
    if citation.as_ref().is_none_or(|(c, _)| c.trim().is_empty()) {
        d.push(
            Error::new(ErrorKind::MissingProvenance, format!("{} lacks a citation", r.ctx()))
                .at(r.loc())
                .hint("add citation = \"<instrument>, <table/annex>, <source>\""),
        );
    }
    let conf = read_confidence(r, d, ErrorKind::MissingProvenance);
    let valid_years = read_valid_years(r, d);
    let note = r.str_opt("note", d).map(|x| x.0);
    let alternative = r.str_opt("alternative", d).map(|x| x.0);
    let aliases: Vec<String> = r.str_array_opt("aliases", d).unwrap_or_default().into_iter().map(|x| x.0).collect();
    let cv = match r.str_opt("cv", d) {
        None => None,
        Some((c, loc)) => match c.as_str() {
            "gross" => Some(super::CvBasis::Gross),
            "net" => Some(super::CvBasis::Net),
            _ => {
                d.push(bad(
                    ErrorKind::BadValue,
                    loc,
                    format!("cv \"{c}\" in {} is not gross or net", r.ctx()),
                    "cv = \"gross\" (higher heating value) or \"net\" (lower heating value, the default)",
                ));
                None
            }
        },
    };
    let uncertainty = r
        .raw("uncertainty")
        .and_then(|v| crate::uncertainty::spec::read(v, r.src(), &format!("uncertainty of {}", r.ctx()), d));
    if let (Some(k), Some(v)) = (kind, &value)
        && let Some(problem) = check_dimensions(k, gas, v)
    {
        d.push(bad(
            ErrorKind::DimensionMismatch,
            r.loc(),
            format!("{}: {problem}", r.ctx()),
            "see factors/README.md for the units each kind takes",
        ));
    }
    if d.0.len() > before {
        return None;
    }
    let factor = Factor {
        id: id?.0,
        kind: kind?,
        activity: activity?.0,
        region: crate::region::normalize(&region?.0),
        gas: if kind == Some(FactorKind::Combustion) { Some(Gas::CO2) } else { gas },
        value: value?,
        citation: citation?.0,
        confidence: conf?,
        valid_years: valid_years?,
        note,
        alternative,
        aliases,
        cv,
        uncertainty,
        location: r.loc(),
    };
    // A combustion factor's value is a product (NCV x CC x OF x 44/12): one too large to hold is refused here, at
    // the factor, rather than reaching `factors diff`, `search` or a calculation as a value that is not there.
    if matches!(factor.value, FactorValue::Combustion { .. }) && factor.rate().is_none() {
        d.push(
            Error::overflow(format!("the value of {} (NCV x CC x OF x 44/12)", r.ctx()))
                .at(factor.location.clone())
                .hint("check the units and magnitudes of ncv and carbon_content"),
        );
        return None;
    }
    Some(factor)
}

/// A `[[gas]]` table: a gas and the group it is reported in.
fn read_gas_table(r: &mut TableReader<'_, '_, '_>, set: &str, d: &mut Diagnostics) {
    let gas = read_gas(r, "id", d);
    let group = r.str_req("group", d);
    let _ = r.str_opt("name", d);
    let _ = r.str_opt("name_zh", d);
    let _ = r.str_opt("note", d);
    if let (Some(g), Some((group, loc))) = (gas, group)
        && let Err(why) = crate::vocab::declare_gas(g, &group, &format!("{set} ({})", r.loc()))
    {
        d.push(bad(ErrorKind::BadValue, loc, format!("{}: {why}", r.ctx()), "see factors/README.md, [[gas]]"));
    }
}

/// A `[[blend]]` table: a refrigerant blend as mass fractions of its components.
fn read_blend(r: &mut TableReader<'_, '_, '_>, set: &str, d: &mut Diagnostics) {
    let gas = read_gas(r, "id", d);
    let mut components = Vec::new();
    let mut ok = true;
    for mut c in r.tables_opt("components", d) {
        let g = read_gas(&mut c, "gas", d);
        let f = c.decimal_req("fraction", d);
        c.finish(d);
        match (g, f) {
            (Some(g), Some((f, loc))) => {
                if f <= Decimal::ZERO || f > Decimal::ONE {
                    d.push(bad(
                        ErrorKind::BadValue,
                        loc,
                        format!("fraction {f} of {g} in {} is not between 0 and 1", r.ctx()),
                        "a mass fraction, e.g. fraction = \"0.5\" for 50 %",
                    ));
                    ok = false;
                }
                components.push((g, f));
            }
            _ => ok = false,
        }
    }
    let _ = r.str_opt("citation", d);
    let _ = r.str_opt("note", d);
    if let Some(mut p) = r.table_opt("published_gwp", d) {
        for (_, v, loc) in p.string_entries(d) {
            if crate::tomlx::parse_decimal(&v).is_none() {
                d.push(bad(
                    ErrorKind::BadNumber,
                    loc,
                    format!("published_gwp in {}: \"{v}\" is not a decimal", r.ctx()),
                    "write the total as printed, e.g. AR5 = \"1924\"",
                ));
            }
        }
    }
    if components.is_empty() && ok {
        d.push(bad(
            ErrorKind::MissingKey,
            r.loc(),
            format!("{} lists no components", r.ctx()),
            "components = [{ gas = \"HFC-32\", fraction = \"0.5\" }, { gas = \"HFC-125\", fraction = \"0.5\" }]",
        ));
        return;
    }
    if let (Some(g), true) = (gas, ok)
        && let Err(why) = crate::vocab::declare_blend(g, components, &format!("{set} ({})", r.loc()))
    {
        d.push(bad(
            ErrorKind::BadValue,
            r.loc(),
            format!("{}: {why}", r.ctx()),
            "list each pure gas once, fractions summing to 1",
        ));
    }
}

/// The dimensions an `[[activity]]` may name.
const DIMENSION_NAMES: &[(&str, Dimension)] = &[
    ("mass", Dimension::Mass),
    ("volume", Dimension::Volume),
    ("energy", Dimension::Energy),
    ("distance", Dimension::Distance),
    ("passenger_distance", Dimension::PassengerDistance),
    ("freight_distance", Dimension::FreightDistance),
    ("count", Dimension::Count),
    ("area", Dimension::Area),
];

/// An `[[activity]]` table: the activity is declared (see [`crate::vocab`]); its id is returned.
fn read_activity(r: &mut TableReader<'_, '_, '_>, set: &str, d: &mut Diagnostics) -> Option<String> {
    let before = d.0.len();
    let id = r.str_req("id", d);
    let name = r.str_req("name", d);
    let name_zh = r.str_opt("name_zh", d).map(|x| x.0).unwrap_or_default();
    let aliases: Vec<String> = r.str_array_opt("aliases", d).unwrap_or_default().into_iter().map(|x| x.0).collect();
    let category = match r.str_req("category", d) {
        None => None,
        Some((c, loc)) => match crate::vocab::Category::parse(&c) {
            Some(c) => Some(c),
            None => {
                d.push(bad(
                    ErrorKind::BadValue,
                    loc,
                    format!("category \"{c}\" in {} is unknown", r.ctx()),
                    &format!("a category is one of {}", crate::vocab::CATEGORY_NAMES),
                ));
                None
            }
        },
    };
    let mut dims = Vec::new();
    for (n, loc) in r.str_array_opt("dimensions", d).unwrap_or_default() {
        match DIMENSION_NAMES.iter().find(|(k, _)| *k == n) {
            Some((_, dim)) => dims.push(*dim),
            None => d.push(bad(
                ErrorKind::BadValue,
                loc,
                format!("dimension \"{n}\" in {} is unknown", r.ctx()),
                &format!(
                    "a dimension is one of {}",
                    DIMENSION_NAMES.iter().map(|x| x.0).collect::<Vec<_>>().join(", ")
                ),
            )),
        }
    }
    if dims.is_empty() && d.0.len() == before {
        d.push(bad(
            ErrorKind::MissingKey,
            r.loc(),
            format!("{} lists no dimensions", r.ctx()),
            "dimensions = [\"mass\", \"volume\", \"energy\"] (what a ledger quantity of it may be measured in)",
        ));
    }
    let unit = r.str_req("unit", d);
    let gas = read_gas(r, "gas", d);
    let _ = r.str_opt("note", d);
    if let Some((u, loc)) = &unit {
        match crate::units::Unit::parse(u) {
            Ok(x) if !dims.is_empty() && !dims.contains(&x.dimension()) => d.push(bad(
                ErrorKind::DimensionMismatch,
                loc.clone(),
                format!("unit \"{u}\" of {} measures {}, which is not among its dimensions", r.ctx(), x.dimension()),
                "the unit its quantity figure sums in must measure one of its dimensions",
            )),
            Ok(_) => {}
            Err(e) => d.push(bad(
                ErrorKind::UnknownUnit,
                loc.clone(),
                format!("unit \"{u}\" in {}: {e}", r.ctx()),
                "e.g. unit = \"t\"",
            )),
        }
    }
    if let (Some(g), Some(c)) = (gas, category)
        && !matches!(c, crate::vocab::Category::Fugitive | crate::vocab::Category::Process)
    {
        d.push(bad(
            ErrorKind::BadValue,
            r.loc(),
            format!("{} names gas {g}, but only a fugitive or process activity is the mass of a gas", r.ctx()),
            "remove gas, or make the category fugitive or process",
        ));
    }
    if d.0.len() > before {
        return None;
    }
    let (id, idloc) = id?;
    let declared = crate::vocab::Declared {
        id: id.clone(),
        name: name?.0,
        name_zh,
        aliases,
        category: category?,
        dimensions: dims,
        unit: unit?.0,
        gas,
        declared_in: format!("{set} ({})", r.loc()),
    };
    match crate::vocab::declare(declared) {
        Ok(_) => Some(id),
        Err(why) => {
            d.push(bad(
                ErrorKind::BadValue,
                idloc,
                format!("{}: {why}", r.ctx()),
                "see factors/README.md, [[activity]]",
            ));
            None
        }
    }
}

/// Parse and validate one factor file. `path` is the name shown in messages.
pub fn parse_set(path: &Path, text: &str, builtin: bool) -> Result<FactorSet, Diagnostics> {
    let src = Src { file: path, text };
    let doc = src.parse()?;
    let mut d = Diagnostics::new();
    let mut top = TableReader::new(src, doc.get_ref(), doc.span(), "top level");
    let meta = match top.table_opt("set", &mut d) {
        None => {
            d.push(
                Error::new(ErrorKind::MissingKey, "factor file lacks its [set] table")
                    .at(Location::at(path, 1, Some(1)))
                    .hint("start the file with [set] id, edition, title, publisher, published, source, licence, confidence"),
            );
            None
        }
        Some(mut s) => {
            let id = s.str_req("id", &mut d);
            let edition = s.str_req("edition", &mut d);
            let title = s.str_req("title", &mut d);
            let publisher = s.str_req("publisher", &mut d);
            let published = s.str_req("published", &mut d);
            let source = s.str_req("source", &mut d);
            let licence = s.str_req("licence", &mut d);
            let conf = read_confidence(&mut s, &mut d, ErrorKind::MissingKey);
            let notes = s.str_opt("notes", &mut d).map(|x| x.0);
            if let Some((id, loc)) = &id
                && (id.is_empty() || !id.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'))
            {
                d.push(bad(
                    ErrorKind::BadValue,
                    loc.clone(),
                    format!("set id \"{id}\" must use lowercase letters, digits and '-'"),
                    "e.g. id = \"mee-grid\"",
                ));
            }
            if let Some((e, loc)) = &edition
                && (e.is_empty() || e.contains(['@', ':', ' ']))
            {
                d.push(bad(
                    ErrorKind::BadValue,
                    loc.clone(),
                    format!("edition \"{e}\" must not be empty or contain '@', ':' or spaces"),
                    "e.g. edition = \"2022\"",
                ));
            }
            s.finish(&mut d);
            match (id, edition, title, publisher, published, source, licence, conf) {
                (Some(id), Some(ed), Some(ti), Some(pu), Some(pd), Some(so), Some(li), Some(c)) => Some(SetMeta {
                    id: id.0,
                    edition: ed.0,
                    title: ti.0,
                    publisher: pu.0,
                    published: pd.0,
                    source: so.0,
                    licence: li.0,
                    confidence: c,
                    notes,
                }),
                _ => None,
            }
        }
    };
    let mut factors = Vec::new();
    let mut seen: HashMap<String, Location> = HashMap::new();
    for mut fr in top.tables_opt("factor", &mut d) {
        if let Some(f) = read_factor(&mut fr, &mut d) {
            if let Some(first) = seen.get(&f.id) {
                d.push(bad(
                    ErrorKind::DuplicateId,
                    f.location.clone(),
                    format!("factor id \"{}\" is defined twice (first at {first})", f.id),
                    "ids are unique within a set; a corrected value belongs in a new edition file",
                ));
            } else {
                seen.insert(f.id.clone(), f.location.clone());
                factors.push(f);
            }
        }
        fr.finish(&mut d);
    }
    let key = meta.as_ref().map(|m| format!("{}@{}", m.id, m.edition)).unwrap_or_else(|| path.display().to_string());
    let mut gas_tables = 0;
    for mut gt in top.tables_opt("gas", &mut d) {
        gas_tables += 1;
        read_gas_table(&mut gt, &key, &mut d);
        gt.finish(&mut d);
    }
    for mut bt in top.tables_opt("blend", &mut d) {
        gas_tables += 1;
        read_blend(&mut bt, &key, &mut d);
        bt.finish(&mut d);
    }
    let top_declares = gas_tables > 0;
    let mut activities = Vec::new();
    for mut at in top.tables_opt("activity", &mut d) {
        if let Some(id) = read_activity(&mut at, &key, &mut d) {
            activities.push(id);
        }
        at.finish(&mut d);
    }
    top.finish(&mut d);
    if let Some(m) = &meta {
        let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or("");
        if !stem.ends_with(&format!("-{}", m.edition)) && !stem.eq_ignore_ascii_case(&m.edition) {
            d.push(
                Error::new(ErrorKind::BadValue, format!("file name does not end with the edition \"-{}\"", m.edition))
                    .at(Location::file(path))
                    .hint(format!(
                        "name the file <name>-{}.toml (factors/<publisher>/<name>-<edition>.toml)",
                        m.edition
                    )),
            );
        }
    }
    let declares = !activities.is_empty() || top_declares;
    if factors.is_empty() && !declares && d.is_empty() {
        d.push(
            Error::new(ErrorKind::Empty, "factor file defines no [[factor]] and declares nothing")
                .at(Location::file(path))
                .hint("add at least one [[factor]], [[activity]], [[gas]] or [[blend]] table"),
        );
    }
    let meta = match meta {
        Some(m) if d.is_empty() => m,
        _ => return Err(d),
    };
    Ok(FactorSet { meta, factors, path: path.to_path_buf(), sha256: sha256_hex(text.as_bytes()), builtin, activities })
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r#"[set]
id = "t-grid"
edition = "2022"
title = "test"
publisher = "p"
published = "2024-12-23"
source = "s"
licence = "l"
confidence = "A"

[[factor]]
id = "grid.national"
activity = "electricity"
region = "CN"
gas = "CO2"
value = "0.5366"
unit = "tCO2/MWh"
citation = "c"
confidence = "A"
valid_years = [2022]

[[factor]]
id = "gasoline.co2"
kind = "combustion"
activity = "gasoline"
region = "CN"
gas = "CO2"
ncv = { value = "43.070", unit = "GJ/t" }
carbon_content = { value = "18.9", unit = "tC/TJ" }
oxidation = { value = "98", unit = "%" }
citation = "c"
confidence = "B"
valid_years = "any"
"#;

    fn errors(text: &str) -> Vec<String> {
        match parse_set(Path::new("f/t-2022.toml"), text, false) {
            Ok(_) => Vec::new(),
            Err(d) => d.0.iter().map(|e| e.to_string()).collect(),
        }
    }

    #[test]
    fn a_good_file_loads_and_combustion_is_ncv_cc_of_44_12() {
        let s = parse_set(Path::new("f/t-2022.toml"), GOOD, false).expect("valid");
        assert_eq!(s.key(), "t-grid@2022");
        let f = s.get("gasoline.co2").expect("factor");
        // hand: 43.070 x 0.0189 = 0.814023; x 0.98 = 0.79774254; x 44 = 35.10067176; / 12 = 2.92505598 tCO2/t
        assert_eq!(f.combustion_product().map(|d| d.normalize().to_string()), Some("35.10067176".into()));
        assert_eq!(f.rate_unit().symbol(), "tCO2/t");
        assert!(f.rate().is_some_and(|r| r.round_dp(6).to_string() == "2.925056"));
    }

    #[test]
    fn a_combustion_factor_whose_value_overflows_is_refused_at_the_factor() {
        // 9e15 GJ/t x 9e15 tC/TJ = 9e15 x 9e12 tC/t = 8.1e28, more than a decimal holds (about 7.9e28).
        let text = GOOD.replace("\"43.070\"", "\"9000000000000000\"").replace("\"18.9\"", "\"9000000000000000\"");
        assert_eq!(
            errors(&text),
            [
                "f/t-2022.toml:22:1: the value of [[factor]] #2 (NCV x CC x OF x 44/12) overflows 28 significant digits (check the units and magnitudes of ncv and carbon_content)"
            ]
        );
        // The product is formed as NCV x CC x OF x 44 before the division by 12: with NCV = 9e13 it is
        // 8.1e26 x 0.98 x 44 = 3.49272e28, which fits, and the factor loads.
        let text = GOOD.replace("\"43.070\"", "\"90000000000000\"").replace("\"18.9\"", "\"9000000000000000\"");
        assert_eq!(errors(&text), Vec::<String>::new());
    }

    #[test]
    fn every_problem_of_a_file_is_reported_together_with_line_and_column() {
        let text = GOOD
            .replace("value = \"0.5366\"", "value = 0.5366\nvaule = \"1\"")
            .replace("citation = \"c\"\nconfidence = \"B\"", "confidence = \"B\"")
            .replace("id = \"gasoline.co2\"", "id = \"grid.national\"");
        let e = errors(&text);
        assert_eq!(
            e,
            vec![
                "f/t-2022.toml:16:9: 'value' in [[factor]] #1 is a TOML float (0.5366); decimals must be strings (write value = \"0.5366\" so no digit is lost through binary floating point)".to_string(),
                "f/t-2022.toml:17:1: unknown key 'vaule' in [[factor]] #1 (known keys: activity, aliases, alternative, carbon_content, citation, confidence, cv, gas, id, kind, ncv, note, oxidation, region, uncertainty, unit, valid_years, value)".to_string(),
                "f/t-2022.toml:23:1: [[factor]] #2 lacks a citation (add citation = \"<instrument>, <table/annex>, <source>\")".to_string(),
            ],
            "{e:#?}"
        );
    }

    #[test]
    fn a_problem_inside_a_factor_parameter_names_the_parameter_and_the_factor() {
        let text = GOOD.replace("\"43.070\"", "43.070");
        let e = errors(&text);
        assert_eq!(e.len(), 1, "{e:?}");
        assert!(e[0].contains("'value' in ncv of [[factor]] #2 is a TOML float"), "{}", e[0]);
    }

    #[test]
    fn duplicate_ids_negative_values_and_bad_units() {
        let dup = GOOD.replace("id = \"gasoline.co2\"", "id = \"grid.national\"");
        assert_eq!(
            errors(&dup),
            vec![
                "f/t-2022.toml:22:1: factor id \"grid.national\" is defined twice (first at f/t-2022.toml:11:1) (ids are unique within a set; a corrected value belongs in a new edition file)"
            ]
        );
        let neg = GOOD.replace("\"0.5366\"", "\"-0.5366\"");
        assert_eq!(
            errors(&neg),
            vec![
                "f/t-2022.toml:16:9: value in [[factor]] #1 is negative (-0.5366) (factors are non-negative; a removal belongs in the ledger or a scenario, not in a factor)"
            ]
        );
        let unit = GOOD.replace("tCO2/MWh", "tCO2/MWhh");
        let e = errors(&unit);
        assert_eq!(e.len(), 1);
        assert!(
            e[0].starts_with("f/t-2022.toml:17:8: unit \"tCO2/MWhh\" in [[factor]] #1: unknown unit 'MWhh'"),
            "{e:?}"
        );
        let dim = GOOD.replace("tCO2/MWh", "tce/MWh");
        assert_eq!(
            errors(&dim),
            vec![
                "f/t-2022.toml:11:1: [[factor]] #1: unit tce/MWh must have CO2 mass in the numerator (e.g. tCO2/MWh) (see factors/README.md for the units each kind takes)"
            ]
        );
    }

    #[test]
    fn syntax_errors_and_empty_files() {
        let e = errors("[set\nid = 1");
        assert_eq!(e.len(), 1);
        assert!(e[0].starts_with("f/t-2022.toml:1:5: invalid TOML"), "{e:?}");
        assert_eq!(
            errors("  \n"),
            vec!["f/t-2022.toml: file is empty (see factors/README.md or examples/ for the expected content)"]
        );
        let wrong_name = parse_set(Path::new("f/t-2021.toml"), GOOD, false).expect_err("edition mismatch");
        assert_eq!(
            wrong_name.to_string(),
            "error: f/t-2021.toml: file name does not end with the edition \"-2022\" (name the file <name>-2022.toml (factors/<publisher>/<name>-<edition>.toml))"
        );
    }
}
