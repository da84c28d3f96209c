//! The inventory file: one organisation and year, its ledgers, denominators and factor choices.

use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::encoding::Encoding;
use crate::error::{Diagnostics, Error, ErrorKind, Location};
use crate::factor::{FactorRef, sha256_hex};
use crate::tomlx::{Src, TableReader};
use crate::units::{Dimension, Quantity, Unit};

/// A denominator for intensities (revenue, output, floor area, headcount, or any name): each gives its own
/// intensity figures (see [`crate::figure::FigureId::per_denominator`]).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Denominator {
    /// Name, e.g. `revenue`, `output`, `floor_area` (lower-case letters, digits, `_`).
    pub name: String,
    /// The quantity with its unit (money for revenue), positive.
    pub quantity: Quantity,
    /// Note or locator.
    pub note: Option<String>,
    /// Where the inventory states the quantity.
    #[serde(skip)]
    pub location: Location,
}

/// What a denominator in a unit no intensity is made per should be written in.
const DENOMINATOR_UNITS: &str = "write output in t, m3, MWh or pieces, floor area in m2, headcount in FTE or persons";

/// Whether intensities can be per a quantity of this dimension: money, output (mass, volume, energy, pieces),
/// floor area, headcount, distance. Not per an emission, standard coal or a ratio.
pub fn denominator_dimension(d: Dimension) -> bool {
    matches!(
        d,
        Dimension::Money(_)
            | Dimension::Mass
            | Dimension::Volume
            | Dimension::Energy
            | Dimension::Count
            | Dimension::Area
            | Dimension::Distance
    )
}

/// A factor choice as written, with where it was written.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Choice {
    /// The reference, `set@edition` or `set@edition:id`.
    pub factor: FactorRef,
    /// Where the inventory states it.
    #[serde(skip)]
    pub location: Location,
}

/// An explicit pick among alternatives: under choice `choice`, activity `activity` uses factor `id`. For the `gwp`
/// choice, `activity` is the gas the pick is for (`CH4`, as [`crate::units::Gas::symbol`] spells it), or `any`:
/// then the pick serves the gas of the factor it names, and no other.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Pick {
    /// The choice (`combustion`, `standard_coal`, `grid`, ...).
    pub choice: String,
    /// The ledger activity (for the `gwp` choice: the gas).
    pub activity: String,
    /// The factor id inside the chosen set.
    pub id: String,
    /// Where it is written.
    #[serde(skip)]
    pub location: Location,
}

/// The factor choices of an inventory.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct FactorChoices {
    /// CO2 of fuels (combustion parameters or direct factors).
    pub combustion: Option<Choice>,
    /// CH4 and N2O of fuels (optional; needs `gwp`).
    pub non_co2: Option<Choice>,
    /// GWP-100 set.
    pub gwp: Option<Choice>,
    /// Standard-coal coefficients.
    pub standard_coal: Option<Choice>,
    /// Grid factors for location-based scope 2 (electricity, and heat where the set has it): the one set of
    /// `grid = "set@edition"`, or the first of a list `grid = ["a@1", "b@2"]`.
    pub grid: Option<Choice>,
    /// The further sets of a list `grid = ["a@1", "b@2"]`: each row's region is searched in every set of the list,
    /// and two sets serving one region is an error.
    pub grid_more: Vec<Choice>,
    /// `[factors.grid]` as a table by region (`CN = "mee-grid@2022"`): the set of each region; a country code
    /// also serves its sub-regions unless they have their own key. `grid` is then `None`.
    pub grid_by_region: Vec<(String, Choice)>,
    /// Heat factors, if not in the grid set.
    pub heat: Option<Choice>,
    /// Market-based remainder factor, `set@edition:id`, for every market.
    pub residual: Option<Choice>,
    /// CH4 and N2O of fuels burned in vehicles (rows of a mobile activity, or stating `mobile`); without it they are
    /// priced under `non_co2`, which the trace names.
    pub mobile: Option<Choice>,
    /// Factors of process and fugitive activities measured otherwise than as the mass of their gas.
    pub process: Option<Choice>,
    /// Factors of scope 3 activities (business travel, freight, purchased goods, ...).
    pub scope3: Option<Choice>,
    /// `[factors.residual]` as a table by market (`DE = "aib-residual@2023:residual.de"`): the residual factor
    /// of each market. `residual` is then `None`.
    pub residual_by_market: Vec<(String, Choice)>,
    /// Whether factors valid for another year may be used (each use is listed).
    pub allow_year_mismatch: bool,
    /// Explicit picks among alternatives.
    pub pick: Vec<Pick>,
    /// Region fallbacks: ledger region (or `*`) to the region whose factor is used.
    pub region_fallback: Vec<(String, String, Location)>,
}

impl FactorChoices {
    /// Whether a residual factor is chosen (for every market, or by market).
    pub fn has_residual(&self) -> bool {
        self.residual.is_some() || !self.residual_by_market.is_empty()
    }

    /// Whether a grid set is chosen (one, a list or a table by region).
    pub fn has_grid(&self) -> bool {
        self.grid.is_some() || !self.grid_by_region.is_empty()
    }
}

/// A factor reference written in the inventory's `[factors]`, checked: `set@edition`, and for the residual
/// `set@edition:id`.
fn choice_ref(name: &str, s: &str, loc: &Location, d: &mut Diagnostics) -> Option<FactorRef> {
    match FactorRef::parse(s) {
        None => {
            d.push(
                Error::new(ErrorKind::BadValue, format!("factor choice {name} = \"{s}\" is not set@edition"))
                    .at(loc.clone())
                    .hint("write e.g. \"mee-grid@2022\" (ghg factors list shows what exists)"),
            );
            None
        }
        Some(r) => {
            if name.starts_with("residual") && r.id.is_none() {
                d.push(
                    Error::new(ErrorKind::BadValue, format!("{name} = \"{s}\" must name one factor: set@edition:id"))
                        .at(loc.clone())
                        .hint("e.g. \"mee-grid@2022:grid.national.excl_market_nonfossil\""),
                );
            }
            Some(r)
        }
    }
}

/// `[factors.grid]` or `[factors.residual]` as a table by region or market: each key a region code (or a
/// Chinese name), each value a factor reference; one key per region.
fn region_table(name: &'static str, mut t: TableReader<'_, '_, '_>, d: &mut Diagnostics) -> Vec<(String, Choice)> {
    let mut out: Vec<(String, Choice)> = Vec::new();
    for (k, v, loc) in t.string_entries(d) {
        let region = crate::region::normalize(&k);
        if k.trim() == "*" || region.is_empty() {
            d.push(
                Error::new(ErrorKind::BadValue, format!("[factors.{name}] key '{k}' is not a region")).at(loc).hint(
                    "name a region or market, e.g. CN = \"...\"; a fallback for every other region is written under \
                         [factors.region_fallback]",
                ),
            );
            continue;
        }
        if let Some((_, first)) = out.iter().find(|(r, _)| *r == region) {
            d.push(
                Error::new(
                    ErrorKind::BadValue,
                    format!("[factors.{name}] names region {region} twice (first at {})", first.location),
                )
                .at(loc)
                .hint("keep one choice per region"),
            );
            continue;
        }
        let label = format!("{name}.{region}");
        if let Some(r) = choice_ref(&label, &v, &loc, d) {
            out.push((region, Choice { factor: r, location: loc }));
        }
    }
    out
}

/// A parsed inventory.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Inventory {
    /// The inventory file as named by the user.
    pub path: PathBuf,
    /// Organisation.
    pub organisation: String,
    /// Reporting year.
    pub year: i32,
    /// Boundary note.
    pub boundary: Option<String>,
    /// Ledger files, resolved against the inventory's folder.
    pub activity_files: Vec<PathBuf>,
    /// The text encoding the inventory declares for its CSV ledgers (`encoding = "gbk"`), if it declares one.
    #[serde(skip)]
    pub encoding: Option<Encoding>,
    /// Per ledger, in the order of [`Inventory::activity_files`]: the encoding declared for that file
    /// (`{ path = "b.csv", encoding = "gbk" }`), if any.
    #[serde(skip)]
    pub ledger_encodings: Vec<Option<Encoding>>,
    /// User factor folders, resolved.
    pub factor_paths: Vec<PathBuf>,
    /// Reported-figures file, resolved.
    pub reported: Option<PathBuf>,
    /// Denominators by name.
    pub denominators: Vec<Denominator>,
    /// Factor choices.
    pub factors: FactorChoices,
    /// How certificates are checked and allocated (`[certificates]`; defaults when absent).
    pub certificates: CertificatePolicy,
    /// What the energy figures are in (`[energy] unit = "GJ"`; tce by default).
    pub energy: EnergyChoice,
    /// SHA-256 of the inventory file.
    pub sha256: String,
    /// The entity register and consolidation approach (`entities = "..."`, `[consolidation]`), if the inventory
    /// names them (see [`crate::group`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub consolidation: Option<crate::group::Consolidation>,
    /// The base-year inventory and recalculation policy (`[base_year]`), if the inventory names them (see
    /// [`crate::baseyear`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub base_year: Option<crate::baseyear::Policy>,
    /// The uncertainties of activities and factors its `[uncertainty]` table declares.
    #[serde(skip_serializing_if = "crate::uncertainty::Declared::is_empty")]
    pub uncertainty: crate::uncertainty::Declared,
}

/// The unit of the energy figures.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub enum EnergyUnit {
    /// Tonnes of standard coal equivalent, through the `standard_coal` choice's coefficients (China's GB/T 2589).
    #[default]
    Tce,
    /// Gigajoules: fuels through their heating values, electricity and heat as measured.
    GJ,
    /// Megawatt-hours, as GJ.
    MWh,
    /// Tonnes of oil equivalent (41.868 GJ, the IEA's convention), as GJ.
    Toe,
}

impl EnergyUnit {
    /// The unit's symbol.
    pub fn symbol(self) -> &'static str {
        match self {
            EnergyUnit::Tce => "tce",
            EnergyUnit::GJ => "GJ",
            EnergyUnit::MWh => "MWh",
            EnergyUnit::Toe => "toe",
        }
    }
}

/// The inventory's energy choices (`[energy]`).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct EnergyChoice {
    /// The unit of the energy figures.
    pub unit: EnergyUnit,
}

/// The names of factor choices, in the order they are documented.
pub const CHOICES: &[&str] =
    &["combustion", "non_co2", "gwp", "standard_coal", "grid", "heat", "residual", "mobile", "process", "scope3"];

impl Inventory {
    /// Read and validate an inventory file.
    pub fn load(path: &Path) -> Result<Inventory, Diagnostics> {
        let bytes = crate::tomlx::read_input(path)?;
        let text = String::from_utf8(bytes).map_err(|_| {
            Diagnostics::from(
                Error::new(ErrorKind::Encoding, "inventory is not UTF-8")
                    .at(Location::file(path))
                    .hint("save it as UTF-8"),
            )
        })?;
        Inventory::parse(path, &text)
    }

    /// Parse an inventory from text; `path` names it in messages and anchors relative paths.
    pub fn parse(path: &Path, text: &str) -> Result<Inventory, Diagnostics> {
        let src = Src { file: path, text };
        let doc = src.parse()?;
        let mut d = Diagnostics::new();
        let dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
        let resolve = |p: &str| -> PathBuf { if Path::new(p).is_absolute() { PathBuf::from(p) } else { dir.join(p) } };
        let mut top = TableReader::new(src, doc.get_ref(), doc.span(), "top level");
        let organisation = top.str_req("organisation", &mut d);
        let year = match top.int_opt("year", &mut d) {
            Some((y, loc)) if !(1900..=2200).contains(&y) => {
                d.push(Error::new(ErrorKind::BadValue, format!("year {y} is out of range")).at(loc));
                None
            }
            Some((y, _)) => Some(y as i32),
            None => {
                if !top.has("year") {
                    d.push(
                        Error::new(ErrorKind::MissingKey, "inventory lacks 'year'")
                            .at(Location::at(path, 1, Some(1)))
                            .hint("add year = 2024"),
                    );
                }
                None
            }
        };
        let boundary = top.str_opt("boundary", &mut d).map(|x| x.0);
        let encoding = top.str_opt("encoding", &mut d).and_then(|(name, loc)| encoding_named(&name, loc, &mut d));
        let files = ledger_list(&mut top, &mut d);
        if files.as_ref().is_none_or(|f| f.is_empty()) && !d.0.iter().any(|e| e.message.contains("activity_files")) {
            d.push(
                Error::new(ErrorKind::MissingKey, "inventory lists no activity_files")
                    .at(Location::at(path, 1, Some(1)))
                    .hint("add activity_files = [\"ledger.csv\"]"),
            );
        }
        let (files, ledger_encodings): (Vec<_>, Vec<_>) =
            files.unwrap_or_default().into_iter().map(|(f, loc, enc)| ((f, loc), enc)).unzip();
        let activity_files: Vec<PathBuf> = files.iter().map(|(f, _)| resolve(f)).collect();
        check_ledgers(&files, &activity_files, &mut d);
        let factor_paths: Vec<PathBuf> =
            top.str_array_opt("factor_paths", &mut d).unwrap_or_default().iter().map(|(f, _)| resolve(f)).collect();
        let reported = top.str_opt("reported", &mut d).map(|(f, loc)| {
            let p = resolve(&f);
            if let Ok(m) = std::fs::metadata(&p)
                && !m.is_file()
            {
                d.push(located(crate::tomlx::not_regular(&p, &m), loc));
            }
            p
        });
        let mut denominators = Vec::new();
        if let Some(mut dt) = top.table_opt("denominators", &mut d) {
            for (name, loc, v) in dt.entries() {
                let toml::de::DeValue::Table(t) = v.get_ref() else {
                    d.push(
                        Error::new(ErrorKind::BadValue, format!("denominator '{name}' must be a table"))
                            .at(loc)
                            .hint("write [denominators.revenue] quantity = \"92495.53\", unit = \"百万元\""),
                    );
                    continue;
                };
                if !crate::figure::is_denominator_name(&name) {
                    d.push(
                        Error::new(
                            ErrorKind::BadValue,
                            format!("denominator name '{name}' cannot be part of a figure id"),
                        )
                        .at(loc.clone())
                        .hint("use lower-case letters, digits and _, starting with a letter: output, floor_area"),
                    );
                }
                let mut r = TableReader::new(src, t, v.span(), format!("[denominators.{name}]"));
                let q = r.decimal_req("quantity", &mut d);
                let u = r.str_req("unit", &mut d);
                let note = r.str_opt("note", &mut d).map(|x| x.0);
                r.finish(&mut d);
                if let (Some((q, qloc)), Some((u, uloc))) = (q, u) {
                    if q <= rust_decimal::Decimal::ZERO {
                        d.push(
                            Error::new(
                                ErrorKind::BadValue,
                                format!("denominator '{name}' must be positive, found {q}"),
                            )
                            .at(qloc)
                            .hint("an intensity per 0 does not exist; write the year's quantity or remove the table"),
                        );
                        continue;
                    }
                    match Unit::parse(&u) {
                        Ok(unit) => {
                            if name == crate::figure::REVENUE && !matches!(unit.dimension(), Dimension::Money(_)) {
                                d.push(
                                    Error::new(
                                        ErrorKind::DimensionMismatch,
                                        format!("revenue unit '{u}' is not money ({})", unit.dimension()),
                                    )
                                    .at(uloc)
                                    .hint("use 元, 万元, 百万元, 亿元, million CNY, USD ..."),
                                );
                            } else if !denominator_dimension(unit.dimension()) {
                                d.push(
                                    Error::new(
                                        ErrorKind::DimensionMismatch,
                                        format!(
                                            "denominator '{name}' is in '{u}' ({}): no intensity is made per {}",
                                            unit.dimension(),
                                            unit.dimension()
                                        ),
                                    )
                                    .at(uloc)
                                    .hint(DENOMINATOR_UNITS),
                                );
                            } else {
                                denominators.push(Denominator {
                                    name: name.clone(),
                                    quantity: Quantity { value: q, unit },
                                    note,
                                    location: qloc,
                                });
                            }
                        }
                        Err(e) => d.push(Error::new(ErrorKind::UnknownUnit, format!("unit '{u}': {e}")).at(uloc)),
                    }
                }
            }
        }
        let certificates = match top.table_opt("certificates", &mut d) {
            Some(t) => CertificatePolicy::read(t, &mut d),
            None => CertificatePolicy::default(),
        };
        let mut energy = EnergyChoice::default();
        if let Some(mut et) = top.table_opt("energy", &mut d) {
            if let Some((u, loc)) = et.str_opt("unit", &mut d) {
                match u.as_str() {
                    "tce" => energy.unit = EnergyUnit::Tce,
                    "GJ" => energy.unit = EnergyUnit::GJ,
                    "MWh" => energy.unit = EnergyUnit::MWh,
                    "toe" => energy.unit = EnergyUnit::Toe,
                    _ => d.push(
                        Error::new(ErrorKind::BadValue, format!("[energy] unit \"{u}\" is not tce, GJ, MWh or toe"))
                            .at(loc)
                            .hint("write unit = \"GJ\" (or tce, MWh, toe)"),
                    ),
                }
            }
            et.finish(&mut d);
        }
        let consolidation = crate::group::read_choice(&mut top, &resolve, &mut d);
        let base_year = crate::baseyear::read_policy(&mut top, &resolve, &mut d);
        let mut choices = FactorChoices::default();
        match top.table_opt("factors", &mut d) {
            None => {
                if !top.has("factors") {
                    d.push(
                        Error::new(ErrorKind::MissingKey, "inventory lacks its [factors] choices")
                            .at(Location::at(path, 1, Some(1)))
                            .hint(
                                "add [factors] with combustion, standard_coal, grid, residual, gwp = \"set@edition\"",
                            ),
                    );
                }
            }
            Some(mut ft) => {
                for name in CHOICES {
                    let c = match (*name, ft.raw(name).map(|v| v.get_ref())) {
                        ("grid", Some(toml::de::DeValue::Array(_))) => {
                            let mut sets = Vec::new();
                            for (s, loc) in ft.str_array_opt(name, &mut d).unwrap_or_default() {
                                if let Some(r) = choice_ref(name, &s, &loc, &mut d) {
                                    sets.push(Choice { factor: r, location: loc });
                                }
                            }
                            if sets.is_empty() && d.is_empty() {
                                let loc = ft.raw(name).map(|v| src.loc(&v.span())).unwrap_or_else(|| ft.loc());
                                d.push(
                                    Error::new(ErrorKind::BadValue, "grid = [] names no grid set")
                                        .at(loc)
                                        .hint("write grid = [\"mee-grid@2022\", \"my-de-grid@2023\"], or one set"),
                                );
                            }
                            let mut sets = sets.into_iter();
                            let first = sets.next();
                            choices.grid_more = sets.collect();
                            first
                        }
                        ("grid" | "residual", Some(toml::de::DeValue::Table(_))) => {
                            if let Some(t) = ft.table_opt(name, &mut d) {
                                let by = region_table(name, t, &mut d);
                                if *name == "grid" {
                                    choices.grid_by_region = by;
                                } else {
                                    choices.residual_by_market = by;
                                }
                            }
                            None
                        }
                        _ => ft
                            .str_opt(name, &mut d)
                            .and_then(|(s, loc)| choice_ref(name, &s, &loc, &mut d).map(|r| (r, loc)))
                            .map(|(factor, location)| Choice { factor, location }),
                    };
                    if c.is_none() {
                        continue;
                    }
                    match *name {
                        "combustion" => choices.combustion = c,
                        "non_co2" => choices.non_co2 = c,
                        "gwp" => choices.gwp = c,
                        "standard_coal" => choices.standard_coal = c,
                        "grid" => choices.grid = c,
                        "heat" => choices.heat = c,
                        "mobile" => choices.mobile = c,
                        "process" => choices.process = c,
                        "scope3" => choices.scope3 = c,
                        _ => choices.residual = c,
                    }
                }
                choices.allow_year_mismatch = ft.bool_opt("allow_year_mismatch", &mut d).unwrap_or(false);
                if let Some(mut pt) = ft.table_opt("pick", &mut d) {
                    for (k, v, loc) in pt.string_entries(&mut d) {
                        match k.split_once('.') {
                            // A GWP set serves every activity: its picks are per gas ("gwp.CH4"), any spelling.
                            Some(("gwp", a)) => match (a == "any", crate::units::Gas::declare(a)) {
                                (false, Err(_)) => d.push(
                                    Error::new(
                                        ErrorKind::BadValue,
                                        format!("pick key '{k}': '{a}' is not a gas; a gwp pick is gwp.<gas>"),
                                    )
                                    .at(loc)
                                    .hint(format!(
                                        "e.g. \"gwp.CH4\" = \"{v}\"; gases: {}",
                                        crate::units::Gas::ALL
                                            .iter()
                                            .filter(|g| !matches!(**g, crate::units::Gas::C | crate::units::Gas::CO2e))
                                            .map(|g| g.symbol())
                                            .collect::<Vec<_>>()
                                            .join(", ")
                                    )),
                                ),
                                (any, g) => choices.pick.push(Pick {
                                    choice: "gwp".to_string(),
                                    activity: match g {
                                        Ok(g) if !any => g.symbol().to_string(),
                                        _ => "any".to_string(),
                                    },
                                    id: v,
                                    location: loc,
                                }),
                            },
                            Some((c, a)) if CHOICES.contains(&c) && !a.is_empty() => choices.pick.push(Pick {
                                choice: c.to_string(),
                                activity: a.to_string(),
                                id: v,
                                location: loc,
                            }),
                            _ => d.push(
                                Error::new(ErrorKind::BadValue, format!("pick key '{k}' is not <choice>.<activity>"))
                                    .at(loc)
                                    .hint(format!(
                                        "e.g. \"standard_coal.natural_gas\"; choices are {}",
                                        CHOICES.join(", ")
                                    )),
                            ),
                        }
                    }
                }
                if let Some(mut rt) = ft.table_opt("region_fallback", &mut d) {
                    for (k, v, loc) in rt.string_entries(&mut d) {
                        let from = if k == "*" { k } else { crate::region::normalize(&k) };
                        choices.region_fallback.push((from, crate::region::normalize(&v), loc));
                    }
                }
                ft.finish(&mut d);
            }
        }
        let uncertainty = crate::uncertainty::spec::read_inventory(&mut top, &mut d);
        top.finish(&mut d);
        if !d.is_empty() {
            return Err(d);
        }
        match (organisation, year) {
            (Some(o), Some(y)) => Ok(Inventory {
                path: path.to_path_buf(),
                organisation: o.0,
                year: y,
                boundary,
                activity_files,
                encoding,
                ledger_encodings,
                factor_paths,
                reported,
                denominators,
                factors: choices,
                certificates,
                energy,
                sha256: sha256_hex(text.as_bytes()),
                consolidation,
                base_year,
                uncertainty,
            }),
            _ => Err(d),
        }
    }

    /// Every file this inventory reads, with its role: the inventory, its ledgers, the reported figures and the
    /// lock. (Factor folders are [`Inventory::factor_paths`].)
    pub fn input_files(&self) -> Vec<(&'static str, PathBuf)> {
        let mut v = vec![("inventory", self.path.clone())];
        v.extend(self.activity_files.iter().map(|p| ("ledger", crate::sheet::split_sheet(p).0)));
        v.extend(self.reported.iter().map(|p| ("reported figures", p.clone())));
        v.extend(crate::lock::lock_files(self).into_iter().map(|p| ("lock", p)));
        v
    }

    /// How to read `ledger`: in the encoding declared for that file, else in the inventory's declared encoding,
    /// else as `opt` says (the `--encoding` flag, UTF-8 by default). A declaration in the inventory wins over the
    /// flag, which applies only to ledgers without one.
    pub fn read_options(&self, ledger: &Path, opt: &crate::ledger::ReadOptions) -> crate::ledger::ReadOptions {
        let own = self.activity_files.iter().position(|p| p == ledger).and_then(|i| self.ledger_encodings.get(i));
        match own.copied().flatten().or(self.encoding) {
            Some(encoding) => crate::ledger::ReadOptions { encoding, ..*opt },
            None => *opt,
        }
    }

    /// The denominator named `name`.
    pub fn denominator(&self, name: &str) -> Option<&Denominator> {
        self.denominators.iter().find(|x| x.name == name)
    }
}

/// An encoding named in the inventory, or a located error.
fn encoding_named(name: &str, loc: Location, d: &mut Diagnostics) -> Option<Encoding> {
    match name.parse::<Encoding>() {
        Ok(e) => Some(e),
        Err(msg) => {
            d.push(
                Error::new(ErrorKind::BadValue, msg)
                    .at(loc)
                    .hint("write encoding = \"gbk\" for a Chinese spreadsheet export; UTF-8 needs no declaration"),
            );
            None
        }
    }
}

/// `activity_files`: each entry a path (`"a.csv"`) or a table `{ path = "b.csv", encoding = "gbk" }` declaring
/// that file's encoding; with where each is written.
fn ledger_list(
    top: &mut TableReader<'_, '_, '_>,
    d: &mut Diagnostics,
) -> Option<Vec<(String, Location, Option<Encoding>)>> {
    use toml::de::DeValue;
    let src = top.src();
    let v = top.raw("activity_files")?;
    let wrong = |span: std::ops::Range<usize>, found: &str, d: &mut Diagnostics| {
        d.push(
            Error::new(
                ErrorKind::BadValue,
                format!(
                    "'activity_files' must be a list of paths or {{ path = ..., encoding = ... }} tables, found {found}"
                ),
            )
            .at(src.loc(&span))
            .hint("write activity_files = [\"a.csv\", { path = \"b.csv\", encoding = \"gbk\" }]"),
        );
    };
    let kind = crate::tomlx::type_name;
    let DeValue::Array(items) = v.get_ref() else {
        wrong(v.span(), kind(v.get_ref()), d);
        return None;
    };
    let mut out = Vec::new();
    for (n, item) in items.iter().enumerate() {
        match item.get_ref() {
            DeValue::String(s) => out.push((s.to_string(), src.loc(&item.span()), None)),
            DeValue::Table(t) => {
                let mut tr = TableReader::new(src, t, item.span(), format!("activity_files entry {}", n + 1));
                let path = tr.str_req("path", d);
                let enc = tr.str_opt("encoding", d).and_then(|(name, loc)| encoding_named(&name, loc, d));
                tr.finish(d);
                if let Some((p, loc)) = path {
                    out.push((p, loc, enc));
                }
            }
            other => wrong(item.span(), kind(other), d),
        }
    }
    Some(out)
}

/// An error about a named file, placed where the inventory names it.
fn located(mut e: Error, loc: Location) -> Error {
    e.location = Some(loc);
    e
}

/// Device, inode and (where there are no inodes) canonical path of a file.
pub type FileIdentity = (u64, u64, PathBuf);

/// The identity of an existing file: device and inode (so a link, a hard link or `./x` is the same file), or its
/// canonical path where there are no inodes.
pub fn file_identity(path: &Path) -> Option<FileIdentity> {
    let m = std::fs::metadata(path).ok()?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        Some((m.dev(), m.ino(), PathBuf::new()))
    }
    #[cfg(not(unix))]
    {
        let _ = m;
        Some((0, 0, std::fs::canonicalize(path).ok()?))
    }
}

/// Where `path` finally leads once links are followed, even when the file does not exist yet (then its folder
/// is canonicalised). For comparing an output with the inputs of a run.
pub fn resolve_path(path: &Path) -> PathBuf {
    if let Ok(p) = std::fs::canonicalize(path) {
        return p;
    }
    let mut p = path.to_path_buf();
    for _ in 0..40 {
        match std::fs::read_link(&p) {
            Ok(to) => {
                p = match p.parent() {
                    Some(dir) if to.is_relative() => dir.join(to),
                    _ => to,
                }
            }
            Err(_) => break,
        }
    }
    match (p.parent(), p.file_name()) {
        (Some(dir), Some(name)) => {
            let dir = if dir.as_os_str().is_empty() { Path::new(".") } else { dir };
            std::fs::canonicalize(dir).map(|d| d.join(name)).unwrap_or(p)
        }
        _ => p,
    }
}

/// Whether two paths name the same file (existing: same device and inode; otherwise the same resolved path).
pub fn same_file(a: &Path, b: &Path) -> bool {
    match (file_identity(a), file_identity(b)) {
        (Some(x), Some(y)) => x == y,
        _ => resolve_path(a) == resolve_path(b),
    }
}

/// Each ledger once, and only regular files: the same file listed twice (`ledger.csv` and `./ledger.csv`, or a
/// link to it) would count every row twice; a FIFO could block the run forever.
fn check_ledgers(files: &[(String, Location)], resolved: &[PathBuf], d: &mut Diagnostics) {
    // Each ledger seen: its file, its sheet (two sheets of one workbook are two ledgers) and its index.
    let mut seen: Vec<(FileIdentity, Option<String>, usize)> = Vec::new();
    for (i, ((name, loc), path)) in files.iter().zip(resolved).enumerate() {
        let (file, sheet) = crate::sheet::split_sheet(path);
        let Ok(m) = std::fs::metadata(&file) else { continue };
        if !m.is_file() {
            d.push(located(crate::tomlx::not_regular(&file, &m), loc.clone()));
            continue;
        }
        let Some(id) = file_identity(&file) else { continue };
        match seen.iter().find(|(j, s, _)| *j == id && *s == sheet) {
            Some((_, _, first)) => {
                let (first_name, first_loc) = &files[*first];
                let at = match (first_loc.line, first_loc.column) {
                    (Some(l), Some(c)) => format!(" (listed at {l}:{c})"),
                    (Some(l), None) => format!(" (listed at line {l})"),
                    _ => String::new(),
                };
                d.push(
                    Error::new(
                        ErrorKind::BadValue,
                        format!(
                            "ledger \"{name}\" is the same file as \"{first_name}\"{at}: its rows would be counted twice"
                        ),
                    )
                    .at(loc.clone())
                    .hint("list each ledger once"),
                )
            }
            None => seen.push((id, sheet, i)),
        }
    }
}

/// What a failed certificate quality check does: warn and use the certificate, or reject the row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// Report a warning; the certificate is used as written (an excess is never used).
    Warning,
    /// Reject the certificate row (strict mode stops; `--lenient` computes without it).
    Error,
}

impl Severity {
    /// `warning` or `error`.
    pub fn name(self) -> &'static str {
        match self {
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

/// How a company-level certificate purchase (a row whose entity uses no grid electricity) reaches entities.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AllocationRule {
    /// Spread over every entity's uncovered grid electricity of the certificate's market, in proportion to it.
    ProRata,
    /// All to one named entity.
    Named(String),
}

/// The `[certificates]` section: quality checks (GHG Protocol Scope 2 Quality Criteria 3-5) and allocation.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CertificatePolicy {
    /// Vintage outside the window around the consumption period, or not stated.
    pub vintage: Severity,
    /// Months before the consumption period a vintage may start.
    pub vintage_months_before: u32,
    /// Months after the consumption period a vintage may end.
    pub vintage_months_after: u32,
    /// Certificate market different from the market where the covered electricity was used.
    pub market: Severity,
    /// The same certificate id claimed twice.
    pub duplicate_id: Severity,
    /// Certificates exceeding the grid electricity they may cover (the excess is never used).
    pub excess: Severity,
    /// How company-level purchases are allocated to entities.
    pub allocation: AllocationRule,
    /// A second residual factor to show market-based scope 2 under, beside the chosen one.
    pub compare_residual: Option<Choice>,
}

impl Default for CertificatePolicy {
    fn default() -> Self {
        CertificatePolicy {
            vintage: Severity::Warning,
            vintage_months_before: 6,
            vintage_months_after: 3,
            market: Severity::Error,
            duplicate_id: Severity::Error,
            excess: Severity::Warning,
            allocation: AllocationRule::ProRata,
            compare_residual: None,
        }
    }
}

impl CertificatePolicy {
    fn read(mut t: TableReader<'_, '_, '_>, d: &mut Diagnostics) -> CertificatePolicy {
        let mut p = CertificatePolicy::default();
        let sev = |t: &mut TableReader<'_, '_, '_>, key: &'static str, d: &mut Diagnostics, into: &mut Severity| {
            if let Some((s, loc)) = t.str_opt(key, d) {
                match s.as_str() {
                    "warning" => *into = Severity::Warning,
                    "error" => *into = Severity::Error,
                    _ => d.push(
                        Error::new(
                            ErrorKind::BadValue,
                            format!("certificates.{key} = \"{s}\" is not warning or error"),
                        )
                        .at(loc)
                        .hint(format!("write {key} = \"warning\" or {key} = \"error\"")),
                    ),
                }
            }
        };
        sev(&mut t, "vintage", d, &mut p.vintage);
        sev(&mut t, "market", d, &mut p.market);
        sev(&mut t, "duplicate_id", d, &mut p.duplicate_id);
        sev(&mut t, "excess", d, &mut p.excess);
        for (key, into) in [
            ("vintage_months_before", &mut p.vintage_months_before),
            ("vintage_months_after", &mut p.vintage_months_after),
        ] {
            if let Some((n, loc)) = t.int_opt(key, d) {
                match u32::try_from(n) {
                    Ok(n) if n <= 120 => *into = n,
                    _ => d.push(
                        Error::new(ErrorKind::BadValue, format!("certificates.{key} = {n} is not between 0 and 120"))
                            .at(loc),
                    ),
                }
            }
        }
        let rule = t.str_opt("allocation", d);
        let to = t.str_opt("allocate_to", d);
        match (rule, to) {
            (None, None) => {}
            (Some((r, _)), None) if r == "pro_rata" => p.allocation = AllocationRule::ProRata,
            (Some((r, loc)), None) if r == "named" => d.push(
                Error::new(ErrorKind::MissingKey, "certificates.allocation = \"named\" needs allocate_to")
                    .at(loc)
                    .hint("add allocate_to = \"<entity>\""),
            ),
            (Some((r, loc)), Some(_)) if r == "pro_rata" => d.push(
                Error::new(ErrorKind::BadValue, "certificates.allocation = \"pro_rata\" contradicts allocate_to")
                    .at(loc)
                    .hint("write allocation = \"named\" or drop allocate_to"),
            ),
            (None, Some((e, loc))) | (Some(_), Some((e, loc))) if e.trim().is_empty() => {
                d.push(Error::new(ErrorKind::BadValue, "certificates.allocate_to is empty").at(loc))
            }
            (Some((r, _)), Some((e, _))) if r == "named" => p.allocation = AllocationRule::Named(e.trim().to_string()),
            (None, Some((e, _))) => p.allocation = AllocationRule::Named(e.trim().to_string()),
            (Some((r, loc)), _) => d.push(
                Error::new(ErrorKind::BadValue, format!("certificates.allocation = \"{r}\" is not pro_rata or named"))
                    .at(loc)
                    .hint("pro_rata spreads company-level purchases by grid MWh; named gives them to allocate_to"),
            ),
        }
        if let Some((s, loc)) = t.str_opt("compare_residual", d) {
            match FactorRef::parse(&s) {
                Some(r) if r.id.is_some() => p.compare_residual = Some(Choice { factor: r, location: loc }),
                _ => d.push(
                    Error::new(
                        ErrorKind::BadValue,
                        format!("certificates.compare_residual = \"{s}\" must name one factor: set@edition:id"),
                    )
                    .at(loc)
                    .hint("e.g. \"mee-grid@2022:grid.national.excl_market_nonfossil\""),
                ),
            }
        }
        t.finish(d);
        p
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(factors: &str) -> Result<Inventory, Diagnostics> {
        let text = format!("organisation = \"x\"\nyear = 2023\nactivity_files = [\"l.csv\"]\n[factors]\n{factors}");
        Inventory::parse(Path::new("inv.toml"), &text)
    }

    fn messages(factors: &str) -> Vec<String> {
        parse(factors).expect_err("an error").0.iter().map(|e| e.to_string()).collect()
    }

    #[test]
    fn grid_as_one_set_a_list_or_a_table_by_region() {
        let one = parse("grid = \"mee-grid@2022\"").expect("one");
        assert_eq!(one.factors.grid.as_ref().map(|c| c.factor.to_string()), Some("mee-grid@2022".into()));
        assert!(one.factors.grid_more.is_empty() && one.factors.grid_by_region.is_empty());

        let list = parse("grid = [\"mee-grid@2022\", \"uba@2023\"]").expect("list");
        assert_eq!(list.factors.grid.as_ref().map(|c| c.factor.to_string()), Some("mee-grid@2022".into()));
        let more: Vec<String> = list.factors.grid_more.iter().map(|c| c.factor.to_string()).collect();
        assert_eq!(more, ["uba@2023"]);

        let table = parse("[factors.grid]\n\"中国\" = \"mee-grid@2022\"\nDE = \"uba@2023\"").expect("table");
        assert!(table.factors.grid.is_none() && table.factors.has_grid());
        let keys: Vec<(String, String)> =
            table.factors.grid_by_region.iter().map(|(k, c)| (k.clone(), c.factor.to_string())).collect();
        assert_eq!(keys, [("CN".to_string(), "mee-grid@2022".to_string()), ("DE".into(), "uba@2023".into())]);
        // The location of each choice is its key.
        assert_eq!(table.factors.grid_by_region[1].1.location.to_string(), "inv.toml:7:1");
    }

    #[test]
    fn residual_as_one_factor_or_a_table_by_market() {
        let one = parse("residual = \"mee-grid@2022:grid.national\"").expect("one");
        assert!(one.factors.has_residual() && one.factors.residual_by_market.is_empty());
        let table = parse("[factors.residual]\nCN = \"mee-grid@2022:grid.national\"\nDE = \"aib@2023:residual.de\"")
            .expect("table");
        assert!(table.factors.residual.is_none() && table.factors.has_residual());
        assert_eq!(table.factors.residual_by_market.len(), 2);
        assert!(!parse("grid = \"mee-grid@2022\"").expect("none").factors.has_residual());
    }

    #[test]
    fn bad_region_choices_are_located_errors() {
        assert_eq!(
            messages("[factors.residual]\nDE = \"aib@2023\""),
            [
                "inv.toml:6:1: residual.DE = \"aib@2023\" must name one factor: set@edition:id (e.g. \"mee-grid@2022:grid.national.excl_market_nonfossil\")"
            ]
        );
        assert_eq!(
            messages("[factors.grid]\n\"*\" = \"mee-grid@2022\""),
            [
                "inv.toml:6:1: [factors.grid] key '*' is not a region (name a region or market, e.g. CN = \"...\"; a fallback for every other region is written under [factors.region_fallback])"
            ]
        );
        assert_eq!(
            messages("[factors.grid]\nCN = \"mee-grid@2022\"\n\"中国\" = \"mee-grid@2023\""),
            ["inv.toml:7:1: [factors.grid] names region CN twice (first at inv.toml:6:1) (keep one choice per region)"]
        );
        assert_eq!(
            messages("grid = []"),
            [
                "inv.toml:5:8: grid = [] names no grid set (write grid = [\"mee-grid@2022\", \"my-de-grid@2023\"], or one set)"
            ]
        );
        assert_eq!(
            messages("grid = [\"mee-grid\"]"),
            [
                "inv.toml:5:9: factor choice grid = \"mee-grid\" is not set@edition (write e.g. \"mee-grid@2022\" (ghg factors list shows what exists))"
            ]
        );
    }
}
