//! Uncertainty of every figure: a 95 % interval around its central value, which never moves.
//!
//! Inputs are uncertain where a factor file gives a factor an `uncertainty`, where an inventory's `[uncertainty]`
//! table gives one to a factor (`[uncertainty.factor]`, winning over the file's) or to every ledger quantity of an
//! activity (`[uncertainty.activity]`). Two methods of IPCC 2006 Volume 1 chapter 3 combine them over the
//! calculation lines: [`approach1`] (error propagation, exact decimals) and [`approach2`] (Monte Carlo with a fixed
//! seed; floats only inside the simulation). Each ledger row is one input (its lines move together), each factor is
//! one input (every line it prices moves together). An input with no uncertainty counts as exact and is listed
//! under `not_covered`, so an interval never looks tighter than it says.

pub mod approach1;
pub mod approach2;
pub mod spec;

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use rust_decimal::prelude::{FromPrimitive, ToPrimitive};
use serde::Serialize;

use crate::calc::{Computation, LINE_SCALE};
use crate::error::{Diagnostics, Error, ErrorKind};
use crate::factor::{FactorLibrary, FactorRef};

pub use spec::{Declared, Spread, Uncertainty};

/// How the intervals are made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "approach", rename_all = "snake_case")]
pub enum Method {
    /// Error propagation (IPCC 2006 Vol. 1 ch. 3, Approach 1, equations 3.1 and 3.2).
    Approach1,
    /// Monte Carlo simulation (Approach 2) with this seed and number of draws.
    Approach2 {
        /// Seed of the generator.
        seed: u64,
        /// Number of draws.
        draws: usize,
    },
}

impl Method {
    /// Its name on the command line and in outputs.
    pub fn name(&self) -> &'static str {
        match self {
            Method::Approach1 => "approach1",
            Method::Approach2 { .. } => "approach2",
        }
    }
    /// A sentence for people: what was done.
    pub fn describe(&self) -> String {
        match self {
            Method::Approach1 => "IPCC 2006 Vol. 1 ch. 3 Approach 1 (error propagation, eq. 3.1 and 3.2)".into(),
            Method::Approach2 { seed, draws } => {
                format!("IPCC 2006 Vol. 1 ch. 3 Approach 2 (Monte Carlo, {draws} draws, seed {seed})")
            }
        }
    }
}

/// The 95 % interval of one figure.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FigureUncertainty {
    /// Lower end of the 95 % interval.
    pub lower: Decimal,
    /// Upper end of the 95 % interval.
    pub upper: Decimal,
    /// How far below the central value the lower end lies, in % of it (None for a figure of 0).
    pub minus_percent: Option<Decimal>,
    /// How far above the central value the upper end lies, in % of it.
    pub plus_percent: Option<Decimal>,
    /// Inputs of its lines given no uncertainty (counted as exact): `factor set@edition:id`, `activity <id>`.
    pub not_covered: Vec<String>,
}

/// One uncertain input as used: what it is, its spread and its source.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Input {
    /// `factor set@edition:id` or `activity <id>` (every row of it, each an input of its own).
    pub input: String,
    /// Its uncertainty.
    pub uncertainty: Uncertainty,
    /// Where it is declared (file:line:column).
    pub declared_at: String,
}

/// The uncertainty of every figure of a computation.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Assessment {
    /// How.
    pub method: Method,
    /// The uncertain inputs used, factors first, in name order.
    pub inputs: Vec<Input>,
    /// Figure id -> its interval (every figure; one of no lines is exact; an intensity's denominator counts as exact).
    pub figures: BTreeMap<String, FigureUncertainty>,
}

/// What moves one line: its central value and its uncertain inputs (indices into the input list).
struct LineInputs {
    figure: String,
    value: Decimal,
    inputs: Vec<usize>,
    uncovered: Vec<String>,
}

/// Give every figure of `c` (which must hold its lines) a 95 % interval by `method`, from the uncertainties the
/// factor files and `declared` give. A declaration naming a factor the library lacks or an activity no row has is
/// a located error.
pub fn assess(
    c: &Computation,
    declared: &Declared,
    lib: &FactorLibrary,
    method: Method,
) -> Result<Assessment, Diagnostics> {
    let mut d = Diagnostics::new();
    for (r, loc, _) in &declared.factor {
        if let Err(e) = lib.factor(r) {
            d.push(
                Error::new(ErrorKind::MissingFactor, format!("[uncertainty.factor] names {r}: {}", e.message))
                    .at(loc.clone())
                    .hint("name a factor of a set this inventory loads (ghg factors show SET@EDITION lists them)"),
            );
        }
    }
    for (a, loc, _) in &declared.activity {
        if !c.lines.iter().any(|l| l.activity.name() == a) {
            let near = c
                .lines
                .iter()
                .map(|l| l.activity.name())
                .filter(|n| strsim::jaro_winkler(n, a) > 0.85)
                .max_by(|x, y| strsim::jaro_winkler(x, a).total_cmp(&strsim::jaro_winkler(y, a)));
            let hint = match near {
                Some(n) => format!("did you mean '{n}'?"),
                None => "name an activity of the ledger (its id, as in the activity column), or remove the line".into(),
            };
            d.push(
                Error::new(
                    ErrorKind::UnknownActivity,
                    format!("[uncertainty.activity] names '{a}', which no ledger row has"),
                )
                .at(loc.clone())
                .hint(hint),
            );
        }
    }
    if !d.is_empty() {
        return Err(d);
    }
    if c.lines.is_empty() && c.figures.values().any(|f| f.lines > 0) {
        return Err(Error::new(ErrorKind::Usage, "the uncertainty of a figure needs its calculation lines")
            .hint("run without --no-lines")
            .into());
    }
    // Inputs: factors by reference, ledger rows by their location (one input per row, declared per activity).
    let mut factor_input: BTreeMap<String, usize> = BTreeMap::new();
    let mut inputs: Vec<Input> = Vec::new();
    let mut spreads: Vec<Spread> = Vec::new();
    let factor_uncertainty = |r: &FactorRef| -> Option<Uncertainty> {
        if let Some((_, _, u)) = declared.factor.iter().find(|(x, _, _)| x == r) {
            return Some(u.clone());
        }
        lib.factor(r).ok().and_then(|(_, f)| f.uncertainty.clone())
    };
    // Factor inputs first, in name order, so that the draws of Approach 2 are in a fixed order.
    let mut refs: Vec<&FactorRef> = c.lines.iter().flat_map(|l| l.factors.iter().map(|f| &f.reference)).collect();
    refs.sort_by_key(|r| r.to_string());
    refs.dedup();
    for r in refs {
        if let Some(u) = factor_uncertainty(r) {
            factor_input.insert(r.to_string(), spreads.len());
            spreads.push(u.spread);
            inputs.push(Input { input: format!("factor {r}"), declared_at: u.location.to_string(), uncertainty: u });
        }
    }
    for (a, _, u) in &declared.activity {
        inputs.push(Input {
            input: format!("activity {a}"),
            declared_at: u.location.to_string(),
            uncertainty: u.clone(),
        });
    }
    // Rows: one input each, numbered in the order of their place (file, sheet, line), whatever order the lines
    // came in, so that the draws of Approach 2 do not depend on how the ledgers were read.
    let row_key = |l: &crate::calc::Line| {
        let s = &l.source;
        (s.file.display().to_string(), s.sheet.as_deref().cloned().unwrap_or_default(), s.line, s.column)
    };
    let declared_spread =
        |l: &crate::calc::Line| declared.activity.iter().find(|(a, _, _)| a == l.activity.name()).map(|x| x.2.spread);
    let mut row_spread: BTreeMap<(String, String, Option<usize>, Option<usize>), Spread> = BTreeMap::new();
    for l in &c.lines {
        if let Some(spread) = declared_spread(l) {
            row_spread.entry(row_key(l)).or_insert(spread);
        }
    }
    let mut row_input = BTreeMap::new();
    for (k, spread) in row_spread {
        spreads.push(spread);
        row_input.insert(k, spreads.len() - 1);
    }
    let mut lines: Vec<LineInputs> = Vec::with_capacity(c.lines.len());
    for l in &c.lines {
        let mut ins = Vec::new();
        let mut uncovered = Vec::new();
        for f in l.factors.iter() {
            match factor_input.get(&f.reference.to_string()) {
                Some(&i) => ins.push(i),
                None => uncovered.push(format!("factor {}", f.reference)),
            }
        }
        match declared.activity.iter().find(|(a, _, _)| a == l.activity.name()) {
            Some(_) => {
                if let Some(&i) = row_input.get(&row_key(l)) {
                    ins.push(i);
                }
            }
            None => uncovered.push(format!("activity {}", l.activity.name())),
        }
        ins.sort_unstable();
        ins.dedup();
        lines.push(LineInputs { figure: l.figure.clone(), value: l.value, inputs: ins, uncovered });
    }
    // The lines in the order of their place, so that the simulation sums them in one order however they came.
    let mut order: Vec<usize> = (0..c.lines.len()).collect();
    order.sort_by_cached_key(|&i| {
        let l = &c.lines[i];
        (row_key(l), l.figure.clone(), l.gas.map(|g| g.to_string()), l.value)
    });
    // The lines of each figure, as its trace gathers them.
    let mut figures = BTreeMap::new();
    let mut models: Vec<(String, Decimal, Decimal, Vec<usize>)> = Vec::new();
    for id in c.ordered_ids() {
        let Some(t) = crate::calc::trace(c, id, None)? else { continue };
        let fid = crate::figure::FigureId::new(id);
        let basis = fid.ratio().map(|(n, _)| n).unwrap_or(fid);
        let idx: Vec<usize> = order.iter().copied().filter(|&i| basis.gathers_line(&lines[i].figure)).collect();
        models.push((id.to_string(), t.figure.value, t.lines_sum, idx));
    }
    let overflow = |id: &str| Diagnostics::from(Error::overflow(format!("the uncertainty of {id}")));
    let round = |x: Decimal| x.round_dp_with_strategy(LINE_SCALE, rust_decimal::RoundingStrategy::MidpointAwayFromZero);
    // Half-widths of each figure's sum of lines, by the method.
    let widths: Vec<(Decimal, Decimal)> = match method {
        Method::Approach1 => {
            let mut out = Vec::with_capacity(models.len());
            for (id, _, _, idx) in &models {
                let mut sums: BTreeMap<usize, Decimal> = BTreeMap::new();
                for &i in idx {
                    for &v in &lines[i].inputs {
                        let s = sums.entry(v).or_default();
                        *s = s.checked_add(lines[i].value).ok_or_else(|| overflow(id))?;
                    }
                }
                let w =
                    approach1::propagate(sums.iter().map(|(v, s)| (&spreads[*v], *s))).ok_or_else(|| overflow(id))?;
                out.push(w);
            }
            out
        }
        Method::Approach2 { seed, draws } => {
            let draw: Vec<approach2::Draw> = spreads.iter().map(approach2::Draw::of).collect();
            let ms: Vec<approach2::Model> = models
                .iter()
                .map(|(_, _, _, idx)| approach2::Model {
                    lines: idx
                        .iter()
                        .map(|&i| (lines[i].value.to_f64().unwrap_or(0.0), lines[i].inputs.clone()))
                        .collect(),
                })
                .collect();
            let bounds = approach2::simulate(&draw, &ms, seed, draws);
            let mut out = Vec::with_capacity(models.len());
            for ((id, _, sum, _), (lo, hi)) in models.iter().zip(bounds) {
                let dec = |x: f64| Decimal::from_f64(x).map(|v| v.round_dp(6)).ok_or_else(|| overflow(id));
                let (lo, hi) = (dec(lo)?, dec(hi)?);
                let below = sum.checked_sub(lo).ok_or_else(|| overflow(id))?;
                let above = hi.checked_sub(*sum).ok_or_else(|| overflow(id))?;
                out.push((below.max(Decimal::ZERO), above.max(Decimal::ZERO)));
            }
            out
        }
    };
    for ((id, value, sum, idx), (lo, hi)) in models.into_iter().zip(widths) {
        // An intensity is its numerator's lines over an exact denominator: its half-widths scale with it.
        let scale = if sum == value || sum.is_zero() {
            Decimal::ONE
        } else {
            value.checked_div(sum).ok_or_else(|| overflow(&id))?.abs()
        };
        let scaled = |h: Decimal| h.checked_mul(scale).map(round).ok_or_else(|| overflow(&id));
        let (lo, hi) = (scaled(lo)?, scaled(hi)?);
        let pct = |h: Decimal| {
            if value.is_zero() {
                return Ok(None);
            }
            let p = h.checked_mul(Decimal::ONE_HUNDRED).and_then(|x| x.checked_div(value.abs()));
            p.map(|p| Some(p.round_dp(4))).ok_or_else(|| overflow(&id))
        };
        let (minus_percent, plus_percent) = (pct(lo)?, pct(hi)?);
        let lower = value.checked_sub(lo).ok_or_else(|| overflow(&id))?;
        let upper = value.checked_add(hi).ok_or_else(|| overflow(&id))?;
        let mut not_covered: Vec<String> = idx.iter().flat_map(|&i| lines[i].uncovered.iter().cloned()).collect();
        not_covered.sort();
        not_covered.dedup();
        figures.insert(id, FigureUncertainty { lower, upper, minus_percent, plus_percent, not_covered });
    }
    Ok(Assessment { method, inputs, figures })
}
