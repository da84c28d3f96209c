//! Records made in memory (the rows a scenario adds): each keeps its own location, so every message and line about
//! it points where it was made (a scenario file's line), however the records are listed.

use std::path::{Path, PathBuf};

use crate::activity::ActivityRecord;

/// Records made in memory, read after the inventory's ledgers under one name (shown in provenance).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Memory {
    name: PathBuf,
    records: Vec<ActivityRecord>,
}

impl Memory {
    /// Records under a name; each record's `source` says where it was made.
    pub fn new(name: impl Into<PathBuf>, records: Vec<ActivityRecord>) -> Memory {
        Memory { name: name.into(), records }
    }

    /// The name shown in provenance.
    pub fn name(&self) -> &Path {
        &self.name
    }

    /// The records.
    pub fn records(&self) -> &[ActivityRecord] {
        &self.records
    }

    pub(crate) fn into_parts(self) -> (PathBuf, Vec<ActivityRecord>) {
        (self.name, self.records)
    }

    /// SHA-256 (lowercase hex) of the records written out as a ledger CSV (columns entity, period, activity,
    /// quantity, unit, region, note, instrument, vintage, supplier_factor; quantities without trailing zeros): what
    /// the provenance of a calculation lists for them.
    pub fn sha256(&self) -> String {
        let mut w = csv::Writer::from_writer(Vec::new());
        let mut row = |fields: [&str; 10]| w.write_record(fields).is_ok();
        let mut ok = row([
            "entity",
            "period",
            "activity",
            "quantity",
            "unit",
            "region",
            "note",
            "instrument",
            "vintage",
            "supplier_factor",
        ]);
        for r in &self.records {
            let q = r.quantity.value.normalize();
            let q = if q.is_zero() { "0".to_string() } else { q.to_string() };
            let opt = |s: &Option<String>| s.clone().unwrap_or_default();
            ok &= row([
                &r.entity,
                &r.period.to_string(),
                r.activity.name(),
                &q,
                r.quantity.unit.symbol(),
                &r.region,
                &opt(&r.note),
                &opt(&r.instrument),
                &opt(&r.vintage),
                &opt(&r.supplier_factor),
            ]);
        }
        // Writing into memory cannot fail; should it, the hash still names these records (of an empty text).
        let bytes = if ok { w.into_inner().unwrap_or_default() } else { Vec::new() };
        crate::factor::sha256_hex(&bytes)
    }
}
