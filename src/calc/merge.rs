//! What reading every ledger gave, merged in file order: per-entity sums, grid use for certificates, fallbacks,
//! warnings and rejected rows (their lines shifted by the lines of the ranges before them).

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use super::certificates::CertRow;
use super::exact::Exact;
use super::scan::MAX_KEPT_REJECTED;
use super::sums::{Acc, Named};
use super::tally::Tally;
use super::{Fallback, Warning};
use crate::activity::Activity;
use crate::error::{Error, Location};

/// What reading all ledgers gave, merged in file order.
#[derive(Default)]
pub(super) struct Merged {
    pub(super) by_entity: BTreeMap<String, Named>,
    /// Grid use by (market, entity): MWh and market-based tCO2e of electricity rows.
    pub(super) grid: BTreeMap<(String, String), (Exact, Exact)>,
    pub(super) fallbacks: BTreeMap<(String, String, Activity, String, String, String), Fallback>,
    pub(super) warnings: Vec<Warning>,
    pub(super) rejected: Vec<Error>,
    pub(super) rejected_count: u64,
    pub(super) certs: Vec<CertRow>,
    pub(super) rows_read: u64,
    pub(super) sets_used: BTreeSet<(PathBuf, String)>,
    /// The gas basis of each emission figure's contributions, one text per distinct group basis (see plan.rs).
    pub(super) bases: BTreeMap<String, BTreeSet<String>>,
    pub(super) sink_err: Option<std::io::Error>,
}

impl Merged {
    /// Add one range's tally; `lines_before` is the number of lines of its file before the range (0 for the first).
    pub(super) fn absorb(&mut self, mut t: Tally<'_>, lines_before: u64) -> Result<(), Error> {
        t.settle_pools()?;
        let file = t.file.clone();
        let fix = |l: &mut Location| {
            if lines_before > 0
                && l.file == file
                && let Some(line) = l.line.as_mut()
            {
                *line += lines_before as usize;
            }
        };
        if let Some(mut e) = t.fatal {
            if let Some(l) = e.location.as_mut() {
                fix(l);
            }
            return Err(e);
        }
        self.rows_read += t.rows_read;
        for (e, accs) in t.entities.iter().zip(&t.accs) {
            if accs.iter().all(|a| a.lines == 0) {
                continue; // every row of it was rejected
            }
            let named = self.by_entity.entry(e.clone()).or_default();
            for (f, a) in accs.iter().enumerate() {
                if a.lines == 0 {
                    continue;
                }
                let (id, unit) = &t.figs[f];
                named.entry(id.clone()).or_insert_with(|| Acc::new(unit)).merge(a);
            }
        }
        for g in &t.groups {
            if g.rows == 0 {
                continue;
            }
            self.sets_used.extend(g.sets.iter().cloned());
            for (fig, b) in super::plan::group_bases(&g.plans) {
                self.bases.entry(fig).or_default().insert(b);
            }
            let Some(mut first) = g.first_row.clone() else { continue };
            fix(&mut first);
            for p in g.plans.iter() {
                for fb in &p.fallbacks {
                    let k = (
                        fb.kind.to_string(),
                        fb.choice.clone(),
                        g.activity,
                        fb.wanted.clone(),
                        fb.used.clone(),
                        fb.factor.to_string(),
                    );
                    let entry = self.fallbacks.entry(k).or_insert_with(|| Fallback {
                        kind: fb.kind,
                        choice: fb.choice.clone(),
                        activity: g.activity,
                        wanted: fb.wanted.clone(),
                        used: fb.used.clone(),
                        factor: fb.factor.clone(),
                        rows: 0,
                        first_row: first.clone(),
                    });
                    entry.rows += g.rows;
                    if entry.first_row.file == first.file && entry.first_row.line > first.line {
                        entry.first_row = first.clone();
                    }
                }
            }
        }
        let mut parts: Vec<_> = t.grid.iter().collect();
        parts.sort_by_key(|(k, _)| **k);
        for ((eid, gid), (m, mt)) in parts {
            let key = (t.groups[*gid as usize].market.clone(), t.entities[*eid as usize].clone());
            let e = self.grid.entry(key).or_default();
            e.0.merge(m);
            e.1.merge(mt);
        }
        for w in t.warnings {
            if !self.warnings.contains(&w) {
                self.warnings.push(w);
            }
        }
        for mut e in t.rejected {
            if let Some(l) = e.location.as_mut() {
                fix(l);
            }
            if self.rejected.len() < MAX_KEPT_REJECTED {
                self.rejected.push(e);
            }
        }
        self.rejected_count += t.rejected_count;
        for mut c in t.certs {
            fix(&mut c.rec.source);
            self.certs.push(c);
        }
        if self.sink_err.is_none() {
            self.sink_err = t.sink_err;
        }
        Ok(())
    }
}
