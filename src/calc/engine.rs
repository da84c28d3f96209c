//! The one calculation entry: a [`Calculation`] (inventory, library, options, how to read, an optional overlay)
//! run against a [`Sink`], which hears lines, progress and warnings as they come (every method of it does nothing
//! unless implemented). The ledgers are read (see [`super::scan`]), certificates allocated, sums turned into
//! figures.

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet};

use rust_decimal::Decimal;

use super::certificates::{GridMap, GridUse, residual_check};
use super::merge::Merged;
use super::overlay::RowOverlay;
use super::plan::overflow;
// Certificates (see certificates.rs) plan their lines with these.
pub(super) use super::plan::{Chain, MWH, Resolver, T_CO2E, market_of};
use super::scan::{MAX_KEPT_REJECTED, SinkFn, Source};
use super::sums::{Acc, Named};
use super::{Computation, Fallback, Figure, FileHash, Line, Progress, Provenance, RowCounts, Warning};
use crate::error::{Diagnostics, Error, ErrorKind, Location};
use crate::factor::FactorLibrary;
use crate::figure::{
    ELECTRICITY_RENEWABLE, ELECTRICITY_TOTAL, ENERGY_DIRECT, ENERGY_INDIRECT, ENERGY_TOTAL, FigureId, PER_REVENUE,
    SCOPE1, SCOPE2_LOCATION, SCOPE2_MARKET, TOTAL_LOCATION, TOTAL_MARKET,
};
use crate::inventory::Inventory;
use crate::ledger::ReadOptions;
use crate::units::{Dimension, Unit};

/// Options of a calculation.
#[derive(Debug, Clone, Copy)]
pub struct ComputeOptions {
    /// Refuse to produce figures when any row was rejected (the default).
    pub strict: bool,
    /// Keep calculation lines in the result (needed by `explain` and the line renderers).
    pub keep_lines: bool,
}

impl Default for ComputeOptions {
    fn default() -> Self {
        ComputeOptions { strict: true, keep_lines: true }
    }
}

/// Everything a calculation is told besides its inputs: what to keep and how strict ([`ComputeOptions`]), and how to
/// read the ledgers ([`ReadOptions`]). A [`ComputeOptions`] alone converts into it (read with the defaults).
#[derive(Debug, Clone, Copy, Default)]
pub struct RunOptions {
    /// Strictness, and whether lines are kept in the result.
    pub compute: ComputeOptions,
    /// Threads, text encoding and chunk size of the ledger reading.
    pub read: ReadOptions,
}

impl From<ComputeOptions> for RunOptions {
    fn from(compute: ComputeOptions) -> Self {
        RunOptions { compute, read: ReadOptions::default() }
    }
}

/// Where a running calculation reports to. Every method does nothing by default: implement the ones wanted.
pub trait Sink {
    /// Whether calculation lines are wanted here. When they are (or the options keep them), every row takes the
    /// full check and each ledger is read on one thread, in order; otherwise no line is built at all.
    fn wants_lines(&self) -> bool {
        false
    }
    /// One calculation line, as it is made (only when [`Sink::wants_lines`]). An error stops the calculation.
    fn line(&mut self, _line: &Line) -> std::io::Result<()> {
        Ok(())
    }
    /// How far the calculation has got: every [`super::PROGRESS_EVERY`] rows or so, and exactly at the end of each
    /// ledger.
    fn progress(&mut self, _progress: &Progress<'_>) {}
    /// A warning, as soon as the calculation knows it: after each ledger for the rows' warnings, then those of
    /// the whole (identical ledgers, certificates, missing choices). Every warning of the result comes here once,
    /// in the result's order (the result keeps them all too).
    fn warning(&mut self, _warning: &Warning) {}
    /// A factor used for another region or year than the rows', once the ledgers are read (the result keeps them
    /// all too), in the result's order.
    fn fallback(&mut self, _fallback: &Fallback) {}
}

/// Warnings as the calculation produces them: kept, repeats next to each other dropped, and each new one handed to
/// the sink when [`Warned::flush`] is called.
#[derive(Default)]
struct Warned {
    list: Vec<Warning>,
    sent: usize,
}

impl Warned {
    fn flush(&mut self, sink: &RefCell<&mut dyn Sink>) {
        self.list.dedup();
        let mut s = sink.borrow_mut();
        for w in &self.list[self.sent..] {
            s.warning(w);
        }
        self.sent = self.list.len();
    }
}

/// A warning for each ledger whose content (SHA-256, as hashed for the provenance) equals an earlier ledger's:
/// listed once, a copy under another name counts every row twice. Two sheets of one workbook share the file's
/// hash and are not copies.
pub fn identical_ledgers(inputs: &[FileHash]) -> Vec<Warning> {
    let mut out = Vec::new();
    for (i, a) in inputs.iter().enumerate() {
        let (fa, _) = crate::sheet::split_sheet(&a.path);
        if let Some(b) = inputs[..i].iter().find(|b| b.sha256 == a.sha256 && crate::sheet::split_sheet(&b.path).0 != fa)
        {
            out.push(Warning {
                code: "identical-ledgers",
                message: format!(
                    "{} has the same content (SHA-256 {}...) as {}: if it is a copy, every row is counted twice",
                    a.path.display(),
                    a.sha256.chars().take(12).collect::<String>(),
                    b.path.display()
                ),
                location: Some(Location::file(&a.path)),
            });
        }
    }
    out
}

/// A sink that wants nothing.
impl Sink for () {}

/// A sink handing every line to a function: `Lines(|l: &Line| ...)`.
pub struct Lines<F: FnMut(&Line) -> std::io::Result<()>>(pub F);

impl<F: FnMut(&Line) -> std::io::Result<()>> Sink for Lines<F> {
    fn wants_lines(&self) -> bool {
        true
    }
    fn line(&mut self, line: &Line) -> std::io::Result<()> {
        (self.0)(line)
    }
}

/// A calculation to run: an inventory and its library, options, how to read, and an optional overlay.
///
/// ```
/// # use std::path::Path;
/// # let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/sheet");
/// let inv = ghg::Inventory::load(&dir.join("inventory.toml")).unwrap();
/// let lib = ghg::library_for(&inv, &[]).unwrap();
/// struct Rows(u64);
/// impl ghg::calc::Sink for Rows {
///     fn progress(&mut self, p: &ghg::calc::Progress<'_>) {
///         assert!(p.done <= p.total);
///         self.0 = p.rows;
///     }
/// }
/// let mut seen = Rows(0);
/// let options = ghg::calc::ComputeOptions { keep_lines: false, ..Default::default() };
/// let c = ghg::calc::Calculation::new(&inv, &lib).options(options).run(&mut seen).unwrap();
/// assert_eq!(seen.0, c.provenance.rows.read);
/// assert!(c.lines.is_empty());
/// ```
pub struct Calculation<'a> {
    inv: &'a Inventory,
    lib: &'a FactorLibrary,
    options: ComputeOptions,
    read: ReadOptions,
    overlay: Option<&'a mut dyn RowOverlay>,
}

impl<'a> Calculation<'a> {
    /// A calculation of `inv` with `lib`: strict, keeping lines, ledgers read with the default [`ReadOptions`].
    pub fn new(inv: &'a Inventory, lib: &'a FactorLibrary) -> Calculation<'a> {
        Calculation { inv, lib, options: ComputeOptions::default(), read: ReadOptions::default(), overlay: None }
    }
    /// Strictness, and whether the result keeps its lines.
    pub fn options(mut self, options: ComputeOptions) -> Self {
        self.options = options;
        self
    }
    /// How to read the ledgers (threads, text encoding).
    pub fn read(mut self, read: ReadOptions) -> Self {
        self.read = read;
        self
    }
    /// Both [`Calculation::options`] and [`Calculation::read`].
    pub fn settings(self, settings: RunOptions) -> Self {
        self.options(settings.compute).read(settings.read)
    }
    /// Change the rows as they are read, and add records (scenarios).
    pub fn overlay(mut self, overlay: &'a mut dyn RowOverlay) -> Self {
        self.overlay = Some(overlay);
        self
    }
    /// Run, reporting to `sink`. The result keeps its lines when the options say so (and then they are built even
    /// for a sink that does not want them).
    pub fn run(self, sink: &mut dyn Sink) -> Result<Computation, Diagnostics> {
        let keep = self.options.keep_lines;
        let wants = sink.wants_lines();
        let sink = RefCell::new(sink);
        let mut kept = Vec::new();
        let mut hand = |l: &Line| {
            if keep {
                kept.push(l.clone());
            }
            if wants { sink.borrow_mut().line(l) } else { Ok(()) }
        };
        let lines: Option<&mut SinkFn<'_>> = if keep || wants { Some(&mut hand) } else { None };
        let c = engine(self.inv, self.lib, self.options, &self.read, self.overlay, lines, &sink);
        let mut c = c?;
        c.lines = kept;
        Ok(c)
    }
}

/// Compute an inventory with the default reading (the thin form of [`Calculation`]): lines are kept as
/// `options.keep_lines` says.
pub fn compute(inv: &Inventory, lib: &FactorLibrary, options: ComputeOptions) -> Result<Computation, Diagnostics> {
    Calculation::new(inv, lib).options(options).run(&mut ())
}

/// The engine behind [`Calculation::run`]: how to read, an optional overlay (scenarios), an optional function for
/// lines (which makes every row take the full path, in order), and the sink for progress reports.
fn engine(
    inv: &Inventory,
    lib: &FactorLibrary,
    options: ComputeOptions,
    read: &ReadOptions,
    mut overlay: Option<&mut (dyn RowOverlay + '_)>,
    mut lines: Option<&mut SinkFn<'_>>,
    sink: &RefCell<&mut dyn Sink>,
) -> Result<Computation, Diagnostics> {
    let mut res = Resolver { inv, lib, sets_used: BTreeSet::new() };
    // Fail early on choices that name nothing, each reported at its line in the inventory.
    let mut d = Diagnostics::new();
    for name in crate::inventory::CHOICES {
        if let Some(c) = res.choice(name) {
            match &c.factor.id {
                Some(_) => {
                    if let Err(e) = lib.factor(&c.factor) {
                        let mut e = e.at(c.location.clone());
                        e.message = format!("factors.{name}: {}", e.message);
                        d.push(e);
                    }
                }
                None => {
                    if let Err(e) = res.set_of(name, c) {
                        d.push(e);
                    }
                }
            }
        }
    }
    for p in &inv.factors.pick {
        if let Err(e) = check_pick(&res, p) {
            d.push(e.at(p.location.clone()));
        }
    }
    if !d.is_empty() {
        return Err(d);
    }
    // An entity register: every line is scaled by its entity's share on its way (see `Consolidated`).
    let shares = crate::group::shares_of(inv)?;
    let mut consolidated = shares.as_ref().map(|sh| Consolidated::new(sh, inv));
    let mut outer = if consolidated.is_some() { lines.take() } else { None };
    let mut through = |l: &Line| match consolidated.as_mut() {
        Some(c) => c.take(l, outer.as_deref_mut()),
        None => Ok(()),
    };
    let mut lines: Option<&mut SinkFn<'_>> = match lines {
        _ if shares.is_some() => Some(&mut through),
        Some(f) => Some(f),
        None => None,
    };
    let mwh = super::scan::mwh_unit().map_err(Diagnostics::from)?;
    let mut merged = Merged::default();
    let mut inputs = Vec::new();
    let mut warned = Warned::default();
    // The inventory's ledgers, then the records an overlay adds (scenario rows), each keeping its own location.
    let extra = overlay.as_mut().map(|o| o.extra_records()).unwrap_or_default();
    let files = inv.activity_files.len() + extra.len();
    let sources = inv
        .activity_files
        .iter()
        .map(|f| (f.clone(), Source::File))
        .chain(extra.into_iter().map(|m| (m.name().to_path_buf(), Source::Memory(m))));
    for (file_index, (file, source)) in sources.enumerate() {
        let rows_before = merged.rows_read;
        let mut report = |done: u64, total: u64, rows: u64| {
            sink.borrow_mut().progress(&super::Progress {
                file: &file,
                file_index,
                files,
                done,
                total,
                rows: rows_before + rows,
            })
        };
        let sha256 = super::scan::scan_source(
            inv,
            lib,
            &file,
            source,
            read,
            overlay.as_deref_mut(),
            lines.as_deref_mut(),
            &mut report,
            &mut merged,
        )
        .map_err(Diagnostics::from)?;
        inputs.push(FileHash { path: file.clone(), sha256 });
        // The rows' warnings so far (merged ones are kept once, in order of first appearance).
        warned.list.extend(merged.warnings[warned.list.len()..].iter().cloned());
        // A ledger of the inventory with a header and no row adds nothing: said, so that an export cut short is
        // not taken for a year with no activity. (Records a scenario makes may be none.)
        if file_index < inv.activity_files.len() && merged.rows_read == rows_before {
            let w = Warning {
                code: "no-data-rows",
                message: "the ledger has a header and no data rows: it adds nothing to any figure".into(),
                location: Some(Location::file(&file)),
            };
            merged.warnings.push(w.clone());
            warned.list.push(w);
        }
        warned.flush(sink);
    }
    warned.list.extend(identical_ledgers(&inputs));
    warned.flush(sink);
    let mut warnings = std::mem::take(&mut warned.list);
    let mut rejected = std::mem::take(&mut merged.rejected);
    let mut rejected_count = merged.rejected_count;
    res.sets_used.extend(std::mem::take(&mut merged.sets_used));
    let mut grid = GridMap::new();
    for (key, (m, t)) in &merged.grid {
        let too_big = || Diagnostics::from(overflow("grid electricity"));
        grid.insert(
            key.clone(),
            GridUse { mwh: m.to_decimal().ok_or_else(too_big)?, market_t: t.to_decimal().ok_or_else(too_big)? },
        );
    }

    // Certificates: each covers grid electricity of its market, never beyond it (see certificates.rs).
    let certs = std::mem::take(&mut merged.certs);
    let outcome =
        super::certificates::allocate(&mut res, &inv.certificates, certs, &grid, &mwh).map_err(Diagnostics::from)?;
    warnings.extend(outcome.warnings);
    warned.list = std::mem::take(&mut warnings);
    warned.flush(sink);
    let mut warnings = std::mem::take(&mut warned.list);
    for e in outcome.rejected {
        rejected_count += 1;
        if rejected.len() < MAX_KEPT_REJECTED {
            rejected.push(e);
        }
    }
    let mut sink_err = merged.sink_err.take();
    for l in outcome.lines {
        let l = l.map_err(Diagnostics::from)?;
        if l.figure == SCOPE2_MARKET.as_str() && l.factors.is_empty() && l.value > Decimal::ZERO {
            // Certificate MWh priced at the supplier's own factor (tCO2 or tCO2e per MWh, as the ledger states it).
            merged.bases.entry(l.figure.clone()).or_default().insert("supplier factor".to_string());
        }
        merged
            .by_entity
            .entry(l.entity.clone())
            .or_default()
            .entry(l.figure.clone())
            .or_insert_with(|| Acc::new(l.value_unit))
            .add(l.value, l.half_width);
        if sink_err.is_none()
            && let Some(s) = lines.as_deref_mut()
            && let Err(e) = s(&l)
        {
            sink_err = Some(e);
        }
    }
    if let Some(e) = sink_err {
        return Err(Error::new(ErrorKind::Io, format!("cannot write calculation lines: {e}")).with_source(e).into());
    }
    let rows = RowCounts {
        read: merged.rows_read,
        used: merged.rows_read.saturating_sub(rejected_count),
        rejected: rejected_count,
    };
    if rejected_count > rejected.len() as u64 {
        let first = inv.activity_files.first().map(Location::file).unwrap_or_else(|| Location::file(&inv.path));
        rejected.push(
            Error::new(
                ErrorKind::BadValue,
                format!("{rejected_count} rows were rejected in all; the first {MAX_KEPT_REJECTED} are listed"),
            )
            .at(first)
            .hint("fix the first problems and run again; rows with the same problem usually share one cause"),
        );
    }
    if options.strict && rejected_count > 0 {
        return Err(Diagnostics(rejected));
    }
    if let (Some(c), Some(sh)) = (consolidated, shares.as_ref()) {
        merged.by_entity = c.finish(inv, &merged.by_entity)?;
        inputs.push(FileHash { path: sh.register.clone(), sha256: sh.sha256.clone() });
    }
    let mut total = Named::new();
    for named in merged.by_entity.values() {
        for (id, a) in named {
            total.entry(id.clone()).or_insert_with(|| Acc::new(a.unit)).merge(a);
        }
    }
    // Energy is computed in tce through a standard_coal choice, and in GJ, MWh or toe through heating values.
    let has_sc = inv.factors.standard_coal.is_some() || inv.energy.unit != crate::inventory::EnergyUnit::Tce;
    let has_res = inv.factors.has_residual();
    let has_emissions = res.emissions_chosen();
    let denominators = ratio_denominators(inv);
    let has_revenue = denominators.iter().any(|d| d.name == crate::figure::REVENUE);
    let kinds = Kinds {
        standard_coal: has_sc,
        energy_unit: inv.energy.unit.symbol(),
        residual: has_res,
        emissions: has_emissions,
    };
    // Market-based scope 2 prices grid electricity at a residual factor: without one it is not computable, and
    // what does have a market-based factor (bought heat, supplier-priced certificates) is not a partial figure.
    let mut not_computed = BTreeMap::new();
    let grid_mwh = grid.values().try_fold(Decimal::ZERO, |a, g| a.checked_add(g.mwh));
    let market_ok = has_res || grid.is_empty() || !has_emissions;
    if !market_ok {
        let partial = total.remove(SCOPE2_MARKET.as_str());
        for named in merged.by_entity.values_mut() {
            named.remove(SCOPE2_MARKET.as_str());
        }
        let mwh_text = grid_mwh.map(|m| format!(" ({} MWh)", m.normalize())).unwrap_or_default();
        let partial_text = match partial.as_ref().and_then(|a| a.value.to_decimal()) {
            Some(v) if !v.is_zero() => format!(
                "; the market-based lines that do have a factor (bought heat, supplier-priced certificates: {} tCO2e) \
                 are not a partial scope2.market",
                v.normalize()
            ),
            _ => String::new(),
        };
        let reason = format!(
            "market-based scope 2 needs a residual factor for grid electricity{mwh_text}, and the inventory chooses \
             none{partial_text}"
        );
        for id in [SCOPE2_MARKET, TOTAL_MARKET] {
            not_computed.insert(id.to_string(), reason.clone());
        }
        for (intensity, numerator) in PER_REVENUE {
            if *numerator == TOTAL_MARKET {
                let because = format!("{numerator} is not computed: {reason}");
                for d in &denominators {
                    let id = if d.name == crate::figure::REVENUE {
                        intensity.to_string()
                    } else {
                        FigureId::per_denominator_of(*intensity, &d.name)
                    };
                    not_computed.insert(id, because.clone());
                }
            }
        }
        warnings.push(Warning {
            code: "no-residual",
            message: format!(
                "no residual choice: scope2.market and total.market are not computed: {reason} (choose one under \
                 [factors] for every market, or a [factors.residual] table by market, e.g. DE = \
                 \"aib-residual-mix@2023:residual.de\"; `ghg factors search residual` lists those that ship)"
            ),
            location: None,
        });
    }
    let figures = figures_of(total, kinds, &denominators).map_err(Diagnostics::from)?;
    let mut scope2 = outcome.report;
    let uncovered = match shares.as_ref() {
        Some(sh) => group_uncovered(sh, &grid, &scope2.entities).map_err(Diagnostics::from)?,
        None => outcome.uncovered,
    };
    residual_check(&mut res, inv, lib, &mut scope2, &uncovered, &figures, &mwh, &mut warnings);
    if !has_revenue {
        let others: Vec<&str> = denominators.iter().map(|d| d.name.as_str()).collect();
        let message = if others.is_empty() {
            "no [denominators.revenue] in money: intensity figures are not computed".to_string()
        } else {
            format!(
                "no [denominators.revenue] in money: intensity.total.location, intensity.total.market and \
                 intensity.energy are not computed (the intensities per {} are)",
                others.join(", ")
            )
        };
        warnings.push(Warning { code: "no-revenue", message, location: None });
    }
    if !has_sc {
        warnings.push(Warning {
            code: "no-standard-coal",
            message: "no standard_coal choice: energy figures are not computed".into(),
            location: None,
        });
    }
    if !has_emissions {
        warnings.push(Warning {
            code: "no-emission-choices",
            message: format!(
                "no emission factor choice (combustion, non_co2, gwp, grid, heat, residual, mobile, process, scope3): scope1, scope2.location, \
                 scope2.market, total.location, total.market and their intensities are not computed{}",
                if has_sc { "; energy is" } else { "" }
            ),
            location: None,
        });
    }
    let mut by_entity = BTreeMap::new();
    for (e, named) in merged.by_entity {
        by_entity.insert(e, figures_of(named, kinds, &[]).map_err(Diagnostics::from)?);
    }
    let basis = bases_of(&figures, &merged.bases);
    let mut factor_files: Vec<FileHash> =
        res.sets_used.into_iter().map(|(path, sha256)| FileHash { path, sha256 }).collect();
    factor_files.sort_by(|a, b| a.path.cmp(&b.path));
    let fallbacks: Vec<Fallback> = merged.fallbacks.into_values().collect();
    warnings.extend(super::plan::fallback_warnings(inv, &fallbacks));
    warnings.extend(super::placeholder::warnings(inv));
    warned.list = warnings;
    warned.flush(sink);
    let warnings = warned.list;
    for f in &fallbacks {
        sink.borrow_mut().fallback(f);
    }
    Ok(Computation {
        organisation: inv.organisation.clone(),
        year: inv.year,
        boundary: inv.boundary.clone(),
        figures,
        by_entity,
        lines: Vec::new(),
        provenance: Provenance {
            tool: format!("ghg {}", env!("CARGO_PKG_VERSION")),
            inventory: FileHash { path: inv.path.clone(), sha256: inv.sha256.clone() },
            factor_files,
            inputs,
            rows,
        },
        fallbacks,
        warnings,
        rejected,
        scope2,
        basis,
        not_computed,
        uncertainty: None,
    })
}

/// The lines of an inventory with an entity register, on their way to the sink: each scaled by its entity's share
/// (value and half-width, rounded to the line scale as every line is; the formula says how the share is formed),
/// and summed again by entity from the scaled lines, so that every figure is exactly the sum of its traced lines.
/// The unscaled lines are summed too, to check that every sum the ledgers gave came through a line.
struct Consolidated<'s> {
    shares: &'s crate::group::Shares,
    /// The inventory's ledgers (a workbook by its file): a line from elsewhere is a record an overlay adds.
    ledgers: Vec<std::path::PathBuf>,
    scaled: BTreeMap<String, Named>,
    unscaled: BTreeMap<String, Named>,
    /// Ledger entities the register lacks, each with its first row.
    missing: BTreeMap<String, Location>,
    /// The first line whose scaled value overflows.
    overflow: Option<Error>,
}

impl<'s> Consolidated<'s> {
    fn new(shares: &'s crate::group::Shares, inv: &Inventory) -> Self {
        Consolidated {
            shares,
            ledgers: inv.activity_files.iter().map(|f| crate::sheet::split_sheet(f).0).collect(),
            scaled: BTreeMap::new(),
            unscaled: BTreeMap::new(),
            missing: BTreeMap::new(),
            overflow: None,
        }
    }

    /// Scale one line, sum it, and hand it on.
    fn take(&mut self, l: &Line, out: Option<&mut SinkFn<'_>>) -> std::io::Result<()> {
        let add = |m: &mut BTreeMap<String, Named>, v: Decimal, h: Option<Decimal>| {
            m.entry(l.entity.clone())
                .or_default()
                .entry(l.figure.clone())
                .or_insert_with(|| Acc::new(l.value_unit))
                .add(v, h)
        };
        add(&mut self.unscaled, l.value, l.half_width);
        let added;
        let share = match self.shares.by_entity.get(&l.entity) {
            Some(share) => share,
            // A record a scenario adds (a company-level purchase) belongs to no register entity: the group's own.
            None if !self.ledgers.contains(&l.source.file) => {
                added = crate::group::Share {
                    numerator: Decimal::ONE,
                    denominator: Decimal::ONE,
                    fraction: Decimal::ONE,
                    text: format!("x 1 ({}: added by the scenario, no register entity, counted in full)", l.entity),
                    location: l.source.clone(),
                };
                &added
            }
            None => {
                self.missing.entry(l.entity.clone()).or_insert_with(|| l.source.clone());
                return out.map_or(Ok(()), |f| f(l));
            }
        };
        let value = share.apply(l.value);
        let half = l.half_width.map(|h| share.apply(h));
        let (Some(value), None | Some(Some(_))) = (value, half) else {
            if self.overflow.is_none() {
                self.overflow = Some(
                    overflow(&format!("{} {} x the share of {}", l.value, l.value_unit, l.entity)).at(l.source.clone()),
                );
            }
            return out.map_or(Ok(()), |f| f(l));
        };
        let half = half.flatten();
        add(&mut self.scaled, value, half);
        let Some(f) = out else { return Ok(()) };
        let mut scaled = l.clone();
        scaled.value = value;
        scaled.half_width = half;
        scaled.share = Some(share.fraction);
        scaled.formula = format!("{} {}", l.formula, share.text).into();
        f(&scaled)
    }

    /// The sums by entity of the scaled lines, after checking that every ledger entity is in the register (each
    /// missing one is an error at its first row's entity cell) and that the lines sum to what the ledgers gave.
    fn finish(
        self,
        inv: &Inventory,
        by_entity: &BTreeMap<String, Named>,
    ) -> Result<BTreeMap<String, Named>, Diagnostics> {
        let register = self.shares.register.display();
        let mut d = Diagnostics::new();
        for (entity, row) in &self.missing {
            d.push(
                Error::new(ErrorKind::Inventory, format!("entity '{entity}' is not in the entity register {register}"))
                    .at(crate::group::entity_cell(inv, row))
                    .hint(if crate::group::is_toml(&self.shares.register) {
                        format!("add an [[entity]] with id = \"{entity}\" to {register}, or correct the entity in the ledger")
                    } else {
                        format!("add a row for {entity} to {register}, or correct the entity in the ledger")
                    }),
            );
        }
        if let Some(e) = self.overflow {
            d.push(e);
        }
        if !d.is_empty() {
            return Err(d);
        }
        let same = |a: &Acc, b: &Acc| a.value == b.value && a.half == b.half && a.lines == b.lines;
        let all_through = by_entity.len() == self.unscaled.len()
            && by_entity.iter().all(|(e, named)| {
                self.unscaled.get(e).is_some_and(|u| {
                    u.len() == named.len() && named.iter().all(|(f, a)| u.get(f).is_some_and(|b| same(a, b)))
                })
            });
        if !all_through {
            return Err(Error::new(
                ErrorKind::Inventory,
                "the calculation lines do not add up to the ledgers' sums, so the entities' shares cannot be applied",
            )
            .at(Location::file(&self.shares.register))
            .hint("this is a defect of ghg: please report it with the inventory")
            .into());
        }
        Ok(self.scaled)
    }
}

/// The grid electricity no certificate covers, by market, at the group's share of each entity (what the residual
/// comparison prices at a second factor, as scope2.market holds each entity's share).
fn group_uncovered(
    shares: &crate::group::Shares,
    grid: &GridMap,
    covered: &[super::EntityCoverage],
) -> Result<BTreeMap<String, Decimal>, Error> {
    let mut out: BTreeMap<String, Decimal> = BTreeMap::new();
    for ((market, entity), g) in grid {
        let too_big = || overflow(&format!("the uncovered grid electricity of {entity} in {market}"));
        let cov = covered.iter().filter(|c| c.market == *market && c.entity == *entity).map(|c| c.covered_mwh);
        let mut left = g.mwh;
        for c in cov {
            left = left.checked_sub(c).ok_or_else(too_big)?;
        }
        let scaled = match shares.by_entity.get(entity) {
            Some(share) => share.apply(left).ok_or_else(too_big)?,
            None => left,
        };
        let sum = out.entry(market.clone()).or_default();
        *sum = sum.checked_add(scaled).ok_or_else(too_big)?;
    }
    Ok(out)
}

/// Which kinds of figures the inventory's choices make.
#[derive(Debug, Clone, Copy)]
struct Kinds {
    /// Energy (a standard_coal choice, or an energy unit other than tce).
    standard_coal: bool,
    /// The symbol of the energy figures' unit.
    energy_unit: &'static str,
    /// Market-based scope 2 (a residual choice).
    residual: bool,
    /// Emissions at all (any emission choice; without one only energy and quantities are computed).
    emissions: bool,
}

impl Resolver<'_> {
    /// Whether the inventory chooses any emission factors. Without one, rows are planned for energy and quantities
    /// only, and the emission figures are listed as not computed instead of every row being refused.
    pub(super) fn emissions_chosen(&self) -> bool {
        ["combustion", "non_co2", "gwp", "grid", "heat", "residual", "mobile", "process", "scope3"]
            .iter()
            .any(|c| self.chosen(c))
    }
}

/// A denominator as intensities divide by it: its value (revenue in millions of its currency), the unit the
/// intensity is per ("million CNY", "t", "m2", "FTE") and where the inventory states it.
#[derive(Debug, Clone)]
pub(crate) struct RatioDenominator {
    /// The denominator's name (`revenue`, `output`).
    pub name: String,
    /// The value divided by.
    pub value: Decimal,
    /// What the intensity is per.
    pub per: String,
    /// Where the inventory states the quantity.
    pub location: Location,
}

/// Every denominator the inventory declares, as the intensities divide by it, in the inventory's order: revenue
/// in millions of its currency (the convention of the `intensity.*` ids), the others in their unit as written.
pub(crate) fn ratio_denominators(inv: &Inventory) -> Vec<RatioDenominator> {
    let mut out = Vec::new();
    for d in &inv.denominators {
        let unit = &d.quantity.unit;
        if d.name == crate::figure::REVENUE {
            let Dimension::Money(cur) = unit.dimension() else { continue };
            let Ok(million) = Unit::parse(&format!("million {cur}")) else { continue };
            let Ok(v) = crate::units::convert(d.quantity.value, unit, &million) else { continue };
            out.push(RatioDenominator {
                name: d.name.clone(),
                value: v,
                per: million.symbol().to_string(),
                location: d.location.clone(),
            });
        } else {
            out.push(RatioDenominator {
                name: d.name.clone(),
                value: d.quantity.value,
                per: unit.symbol().to_string(),
                location: d.location.clone(),
            });
        }
    }
    out
}

/// A pick must name a factor of its chosen set that serves what its key says (`<choice>.<activity>`, or
/// `gwp.<gas>`): one that matches nothing is an error naming what it could match.
fn check_pick(res: &Resolver<'_>, p: &crate::inventory::Pick) -> Result<(), Error> {
    let key = format!("{}.{}", p.choice, p.activity);
    let Some(choice) = res.choice(&p.choice) else {
        return Err(Error::new(
            ErrorKind::Inventory,
            format!("pick for {key} but the inventory chooses no {} set", p.choice),
        )
        .hint(format!("choose a {} set under [factors], or remove the pick", p.choice)));
    };
    if let Some(id) = &choice.factor.id {
        return Err(Error::new(
            ErrorKind::Inventory,
            format!("pick for {key}, but factors.{} names one factor ({id}): there is nothing to pick", p.choice),
        )
        .hint(format!(
            "name the set alone (factors.{} = \"{}@{}\") or remove the pick",
            p.choice, choice.factor.set, choice.factor.edition
        )));
    }
    // A set that does not load is reported at its choice.
    let Ok(set) = res.set_of(&p.choice, choice) else { return Ok(()) };
    let gwp = p.choice == "gwp";
    // What the key could name: the factors for its activity (for gwp: its gas; `any`: every gas).
    let serves = |f: &crate::factor::Factor| {
        if gwp {
            f.kind == crate::factor::FactorKind::Gwp
                && (p.activity == "any" || f.gas.is_some_and(|g| g.symbol() == p.activity))
        } else {
            f.activity == p.activity
        }
    };
    let could: Vec<String> = set.factors.iter().filter(|f| serves(f)).map(|f| f.id.clone()).collect();
    let what = if gwp && p.activity != "any" { format!("the gas {}", p.activity) } else { p.activity.clone() };
    let listing = |could: &[String]| -> String {
        if !could.is_empty() {
            return format!("{} offers for {what}: {}", set.key(), could.join(", "));
        }
        let mut others: Vec<String> = set
            .factors
            .iter()
            .map(|f| if gwp { f.gas.map(|g| g.symbol().to_string()).unwrap_or_default() } else { f.activity.clone() })
            .filter(|a| !a.is_empty())
            .collect();
        others.sort();
        others.dedup();
        format!(
            "{} has no factor for {what}; its {}: {}",
            set.key(),
            if gwp { "gases" } else { "activities" },
            others.join(", ")
        )
    };
    match set.get(&p.id) {
        None => Err(Error::new(
            ErrorKind::MissingFactor,
            format!("pick {key}: factor {}:{} does not exist", set.key(), p.id),
        )
        .hint(listing(&could))),
        Some(f) if !serves(f) => Err(Error::new(
            ErrorKind::MissingFactor,
            format!(
                "pick {key}: {}:{} is for {}, not for {what}",
                set.key(),
                f.id,
                if gwp { f.gas.map(|g| g.symbol().to_string()).unwrap_or_default() } else { f.activity.clone() }
            ),
        )
        .hint(if gwp {
            format!("{}; or write the key as \"gwp.{}\"", listing(&could), f.gas.map(|g| g.symbol()).unwrap_or("any"))
        } else {
            format!("{}; or write the key as \"{}.{}\"", listing(&could), p.choice, f.activity)
        })),
        Some(_) => Ok(()),
    }
}

/// The gas basis of every emission figure: the bases of the groups of rows whose lines it gathers (an intensity:
/// its numerator's).
fn bases_of(
    figures: &BTreeMap<String, Figure>,
    bases: &BTreeMap<String, BTreeSet<String>>,
) -> BTreeMap<String, String> {
    let of = |id: FigureId| -> Option<String> {
        let mut all = BTreeSet::new();
        for (line_fig, b) in bases {
            if id.gathers_line(line_fig) {
                all.extend(b.iter().cloned());
            }
        }
        if id.is_energy() {
            // An energy figure's basis: its unit and each way its rows reached it.
            let unit = figures.get(id.as_str()).map(|f| f.unit.as_str()).unwrap_or("");
            return (!all.is_empty()).then(|| format!("{unit}: {}", all.into_iter().collect::<Vec<_>>().join("; ")));
        }
        super::plan::describe_bases(&all)
    };
    let mut out = BTreeMap::new();
    for id in figures.keys() {
        let fid = FigureId::new(id);
        let b = match fid.per_revenue_of() {
            Some(numerator) => of(numerator),
            None => of(fid),
        };
        if let Some(b) = b {
            out.insert(id.clone(), b);
        }
    }
    out
}

/// Figures from running sums: the roll-ups (scope1, totals, energy.total) summed exactly, each figure rounded once,
/// then intensities: per revenue (in millions) under the `intensity.*` ids, per every other denominator under
/// `<intensity>.per.<name>`. A ratio that overflows is an error at the denominator, never absent.
fn figures_of(
    mut m: Named,
    kinds: Kinds,
    denominators: &[RatioDenominator],
) -> Result<BTreeMap<String, Figure>, Error> {
    let sum = |a: &Acc, b: &Acc, unit: &'static str| {
        let mut s = a.clone();
        s.merge(b);
        s.unit = unit;
        s
    };
    let part =
        |m: &Named, id: FigureId, unit: &'static str| m.get(id.as_str()).cloned().unwrap_or_else(|| Acc::new(unit));
    if kinds.emissions {
        let mut scope1 = Acc::new(T_CO2E);
        for (id, a) in &m {
            if FigureId::new(id).is_scope1_part() {
                scope1.merge(a);
            }
        }
        m.insert(SCOPE1.to_string(), scope1.clone());
        let loc = part(&m, SCOPE2_LOCATION, T_CO2E);
        m.insert(SCOPE2_LOCATION.to_string(), loc.clone());
        m.insert(TOTAL_LOCATION.to_string(), sum(&scope1, &loc, T_CO2E));
        if kinds.residual || m.contains_key(SCOPE2_MARKET.as_str()) {
            let mk = part(&m, SCOPE2_MARKET, T_CO2E);
            m.insert(SCOPE2_MARKET.to_string(), mk.clone());
            m.insert(TOTAL_MARKET.to_string(), sum(&scope1, &mk, T_CO2E));
        }
    }
    if kinds.standard_coal {
        let d = part(&m, ENERGY_DIRECT, kinds.energy_unit);
        let i = part(&m, ENERGY_INDIRECT, kinds.energy_unit);
        m.insert(ENERGY_DIRECT.to_string(), d.clone());
        m.insert(ENERGY_INDIRECT.to_string(), i.clone());
        m.insert(ENERGY_TOTAL.to_string(), sum(&d, &i, kinds.energy_unit));
    }
    for id in [ELECTRICITY_TOTAL, ELECTRICITY_RENEWABLE] {
        if !m.contains_key(id.as_str()) {
            m.insert(id.to_string(), Acc::new(MWH));
        }
    }
    let mut out = BTreeMap::new();
    for (id, a) in m {
        let too_big = || overflow(&format!("figure {id}"));
        let value = a.value.to_decimal().ok_or_else(too_big)?;
        let half_width = match a.half {
            None => None,
            Some(h) => Some(h.to_decimal().ok_or_else(too_big)?),
        };
        out.insert(id, Figure { value, unit: a.unit.to_string(), half_width, lines: a.lines as usize });
    }
    let mut ratios = Vec::new();
    for den in denominators {
        for (intensity, numerator) in PER_REVENUE {
            let Some(t) = out.get(numerator.as_str()) else { continue };
            let id = if den.name == crate::figure::REVENUE {
                intensity.to_string()
            } else {
                FigureId::per_denominator_of(*intensity, &den.name)
            };
            let too_big = || {
                Error::new(
                    ErrorKind::Overflow,
                    format!("{id} = {numerator} / {} overflows 28 significant digits", den.name),
                )
                .at(den.location.clone())
                .hint(format!("write {} in a larger unit", den.name))
            };
            let value = t.value.checked_div(den.value).ok_or_else(too_big)?;
            let half_width = match t.half_width {
                None => None,
                Some(h) => Some(h.checked_div(den.value).ok_or_else(too_big)?),
            };
            ratios.push((id, Figure { value, unit: format!("{}/{}", t.unit, den.per), half_width, lines: 0 }));
        }
    }
    out.extend(ratios);
    Ok(out)
}
