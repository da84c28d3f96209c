//! Reading scenario files: every problem with file:line:column, all problems of a file together.

use std::path::Path;

use rust_decimal::Decimal;

use super::{CertFilter, Change, ChangeKind, Money, Price, Scenario, SweepSpec, TargetSpec};
use crate::activity::Activity;
use crate::calc::instrument_name;
use crate::error::{Diagnostics, Error, ErrorKind, Location};
use crate::factor::{FactorRef, sha256_hex};
use crate::inventory::CHOICES;
use crate::tomlx::{Src, TableReader};
use crate::units::{Dimension, Quantity, RateUnit, Unit};

/// Parse a price per MWh: `30 CNY/MWh`, `30 元/MWh`, `0.03 元/kWh`.
pub fn parse_price(s: &str) -> Result<Price, String> {
    let t = s.trim();
    let end = t.find(|c: char| !(c.is_ascii_digit() || c == '.' || c == ',')).unwrap_or(t.len());
    let (num, unit) = t.split_at(end);
    let v = crate::activity::parse_quantity(num).ok_or_else(|| format!("price '{t}' does not start with a number"))?;
    let from = RateUnit::parse(unit.trim()).map_err(|e| format!("price unit '{}': {e}", unit.trim()))?;
    let Dimension::Money(currency) = from.num.dimension() else {
        return Err(format!("price '{t}' is not money per energy (e.g. 30 CNY/MWh)"));
    };
    let to =
        RateUnit { num: Unit::base(Dimension::Money(currency)), den: Unit::parse("MWh").map_err(|e| e.to_string())? };
    let per_mwh = RateUnit::convert_value(v, &from, &to).map_err(|e| format!("price '{t}': {e}"))?;
    Ok(Price { per_mwh, currency })
}

/// Parse an amount of money: `1200000 元`, `120 万元`, `1.2 million CNY`.
pub fn parse_money(s: &str) -> Result<Money, String> {
    let q = Quantity::parse(s).map_err(|e| format!("cost '{}': {e}", s.trim()))?;
    let Dimension::Money(currency) = q.unit.dimension() else {
        return Err(format!("cost '{}' is not an amount of money (e.g. 1200000 元)", s.trim()));
    };
    let v =
        crate::units::convert(q.value, &q.unit, &Unit::base(Dimension::Money(currency))).map_err(|e| e.to_string())?;
    Ok(Money { value: v, currency })
}

/// Parse a share: `30%` or `0.3`, between 0 and 1.
pub fn parse_change_share(s: &str) -> Option<Decimal> {
    let t = s.trim();
    let v = match t.strip_suffix('%') {
        Some(p) => crate::tomlx::parse_decimal(p.trim())? / Decimal::ONE_HUNDRED,
        None => crate::tomlx::parse_decimal(t)?,
    };
    (Decimal::ZERO..=Decimal::ONE).contains(&v).then_some(v)
}

fn nonneg(r: &mut TableReader<'_, '_, '_>, key: &'static str, d: &mut Diagnostics) -> Option<Decimal> {
    let (v, loc) = r.decimal_opt(key, d)?;
    if v < Decimal::ZERO {
        d.push(Error::new(ErrorKind::Negative, format!("'{key}' in {} is negative: {v}", r.ctx())).at(loc));
        return None;
    }
    Some(v)
}

fn activity(r: &mut TableReader<'_, '_, '_>, key: &'static str, d: &mut Diagnostics) -> Option<Activity> {
    let (s, loc) = r.str_req(key, d)?;
    match s.parse::<Activity>() {
        Ok(a) => Some(a),
        Err(()) => {
            let names: Vec<&str> = crate::activity::ACTIVITIES.iter().map(|a| a.name()).collect();
            d.push(
                Error::new(ErrorKind::UnknownActivity, format!("unknown activity '{s}' in {}", r.ctx()))
                    .at(loc)
                    .hint(format!("activities are {}", names.join(", "))),
            );
            None
        }
    }
}

fn reference(
    r: &mut TableReader<'_, '_, '_>,
    key: &'static str,
    need_id: bool,
    d: &mut Diagnostics,
) -> Option<FactorRef> {
    let (s, loc) = r.str_req(key, d)?;
    match FactorRef::parse(&s) {
        Some(f) if !need_id || f.id.is_some() => Some(f),
        _ => {
            d.push(
                Error::new(
                    ErrorKind::BadValue,
                    format!(
                        "{key} = \"{s}\" in {} is not {}",
                        r.ctx(),
                        if need_id { "set@edition:id" } else { "set@edition" }
                    ),
                )
                .at(loc)
                .hint(if need_id {
                    "e.g. \"mee-grid@2022:grid.national.excl_market_nonfossil\""
                } else {
                    "e.g. \"mee-grid@2023\" (ghg factors list shows what exists)"
                }),
            );
            None
        }
    }
}

fn read_change(mut r: TableReader<'_, '_, '_>, d: &mut Diagnostics) -> Option<Change> {
    let location = r.loc();
    let label = r.str_opt("label", d).map(|x| x.0);
    let cost = r.str_opt("cost", d).and_then(|(s, loc)| match parse_money(&s) {
        Ok(m) => Some(m),
        Err(m) => {
            d.push(Error::new(ErrorKind::BadValue, m).at(loc).hint("write cost = \"1200000 元\" or \"120 万元\""));
            None
        }
    });
    let (kind_text, kind_loc) = r.str_req("kind", d)?;
    let entity = r.str_opt("entity", d).map(|x| x.0.trim().to_string());
    let region = |r: &mut TableReader<'_, '_, '_>, d: &mut Diagnostics| {
        r.str_opt("region", d).map(|x| crate::region::normalize(&x.0))
    };
    let kind = match kind_text.as_str() {
        "add_certificates" | "certificates" => {
            let mwh = nonneg(&mut r, "mwh", d);
            if !r.has("mwh") {
                r.decimal_req("mwh", d);
            }
            let instrument = instrument_name(r.str_opt("instrument", d).map(|x| x.0).as_deref().or(Some("GEC")));
            let market = r.str_opt("market", d).map(|x| crate::region::normalize(&x.0));
            let vintage = r.str_opt("vintage", d).map(|x| x.0);
            let supplier_factor = nonneg(&mut r, "supplier_factor", d);
            let price = r.str_opt("price", d).and_then(|(s, loc)| match parse_price(&s) {
                Ok(p) => Some(p),
                Err(m) => {
                    d.push(
                        Error::new(ErrorKind::BadValue, m)
                            .at(loc)
                            .hint("write price = \"30 CNY/MWh\" or \"30 元/MWh\""),
                    );
                    None
                }
            });
            ChangeKind::AddCertificates { mwh: mwh?, instrument, market, entity, vintage, supplier_factor, price }
        }
        "remove_certificates" => {
            let filter = CertFilter {
                instrument: r.str_opt("instrument", d).map(|x| instrument_name(Some(&x.0))),
                market: r.str_opt("market", d).map(|x| crate::region::normalize(&x.0)),
                entity,
                certificate_id: r.str_opt("certificate_id", d).map(|x| x.0),
            };
            ChangeKind::RemoveCertificates { filter, mwh: nonneg(&mut r, "mwh", d) }
        }
        "onsite_pv" | "pv" => {
            let mwh = nonneg(&mut r, "mwh", d);
            let mw = nonneg(&mut r, "mw", d);
            let hours = nonneg(&mut r, "hours", d);
            let region = region(&mut r, d);
            let displaces_grid = r.bool_opt("displaces_grid", d).unwrap_or(true);
            if mwh.is_some() == (mw.is_some() || hours.is_some())
                || (mwh.is_none() && (mw.is_none() || hours.is_none()))
            {
                d.push(
                    Error::new(ErrorKind::BadValue, format!("{} needs mwh, or mw and hours (not both)", r.ctx()))
                        .at(location.clone())
                        .hint("write mwh = \"10000\", or mw = \"10\" and hours = \"1100\" (full-load hours)"),
                );
                return None;
            }
            ChangeKind::OnsitePv { mwh, mw, hours, entity, region, displaces_grid }
        }
        "scale" => {
            let a = activity(&mut r, "activity", d);
            let f = nonneg(&mut r, "factor", d);
            if !r.has("factor") {
                r.decimal_req("factor", d);
            }
            let region = region(&mut r, d);
            ChangeKind::Scale { activity: a?, factor: f?, entity, region }
        }
        "switch" | "replace" => {
            let from = activity(&mut r, "from", d);
            let to = activity(&mut r, "to", d);
            let share = r.str_req("share", d).and_then(|(s, loc)| {
                let v = parse_change_share(&s);
                if v.is_none() {
                    d.push(
                        Error::new(ErrorKind::BadValue, format!("share '{s}' is not between 0 and 1 (or 0% and 100%)"))
                            .at(loc)
                            .hint("write share = \"30%\" or \"0.3\""),
                    );
                }
                v
            });
            let ratio = r.str_req("ratio", d).and_then(|(s, loc)| {
                let t = s.trim();
                let end = t.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(t.len());
                let (num, unit) = t.split_at(end);
                match (crate::tomlx::parse_decimal(num), RateUnit::parse(unit.trim())) {
                    (Some(v), Ok(u)) => Some((v, u, loc)),
                    _ => {
                        d.push(
                            Error::new(ErrorKind::BadValue, format!("ratio '{s}' is not a number with a rate unit"))
                                .at(loc)
                                .hint("write ratio = \"2.9 MWh/t\": units of the new activity per unit of the old"),
                        );
                        None
                    }
                }
            });
            let region = region(&mut r, d);
            let (from, to, (ratio, ratio_unit, rloc)) = (from?, to?, ratio?);
            let mut ok = share.is_some();
            if !from.accepts(ratio_unit.den.dimension()) || !to.accepts(ratio_unit.num.dimension()) {
                d.push(
                    Error::new(
                        ErrorKind::DimensionMismatch,
                        format!("ratio unit {ratio_unit} does not turn {from} into {to}"),
                    )
                    .at(rloc.clone())
                    .hint(format!("the unit is <{to} unit>/<{from} unit>, e.g. MWh/t")),
                );
                ok = false;
            }
            if from == to || from == Activity::Certificate || to == Activity::Certificate {
                d.push(
                    Error::new(ErrorKind::BadValue, format!("cannot switch {from} to {to}"))
                        .at(rloc)
                        .hint("use add_certificates / remove_certificates for certificates"),
                );
                ok = false;
            }
            if !ok {
                return None;
            }
            ChangeKind::Switch { from, share: share?, to, ratio, ratio_unit, entity, region }
        }
        "factor" => {
            let (choice, cloc) = r.str_req("choice", d)?;
            if !CHOICES.contains(&choice.as_str()) || choice == "residual" {
                d.push(
                    Error::new(ErrorKind::BadValue, format!("choice '{choice}' is not a factor choice")).at(cloc).hint(
                        "choices: combustion, non_co2, gwp, standard_coal, grid, heat (residual has its own kind)",
                    ),
                );
                return None;
            }
            let reference = if r.has("edition") {
                let (ed, _) = r.str_req("edition", d)?;
                FactorRef { set: String::new(), edition: ed, id: None }
            } else {
                reference(&mut r, "use", false, d)?
            };
            ChangeKind::Factor { choice, reference }
        }
        "residual" => ChangeKind::Residual { reference: reference(&mut r, "use", true, d)? },
        other => {
            d.push(
                Error::new(ErrorKind::BadValue, format!("unknown change kind '{other}'"))
                    .at(kind_loc)
                    .hint("kinds: add_certificates, remove_certificates, onsite_pv, scale, switch, factor, residual"),
            );
            return None;
        }
    };
    r.finish(d);
    Some(Change { kind, location, label, cost })
}

impl Scenario {
    /// Read and validate a scenario file.
    pub fn load(path: &Path) -> Result<Scenario, Diagnostics> {
        let bytes = crate::tomlx::read_input(path)?;
        let text = String::from_utf8(bytes).map_err(|_| {
            Diagnostics::from(
                Error::new(ErrorKind::Encoding, "scenario is not UTF-8")
                    .at(Location::file(path))
                    .hint("save it as UTF-8"),
            )
        })?;
        Scenario::parse(path, &text)
    }

    /// Parse a scenario from text; `path` names it in messages.
    pub fn parse(path: &Path, text: &str) -> Result<Scenario, Diagnostics> {
        let stem = || path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_else(|| "scenario".into());
        if text.trim().is_empty() {
            // An empty scenario is valid: it reproduces the baseline.
            return Ok(Scenario {
                name: stem(),
                path: Some(path.to_path_buf()),
                sha256: Some(sha256_hex(text.as_bytes())),
                ..Default::default()
            });
        }
        let src = Src { file: path, text };
        let doc = src.parse()?;
        let mut d = Diagnostics::new();
        let mut top = TableReader::new(src, doc.get_ref(), doc.span(), "top level");
        let name = top.str_opt("name", &mut d).map(|x| x.0).unwrap_or_else(stem);
        let description = top.str_opt("description", &mut d).map(|x| x.0);
        let mut changes = Vec::new();
        for t in top.tables_opt("change", &mut d) {
            if let Some(c) = read_change(t, &mut d) {
                changes.push(c);
            }
        }
        let sweep = top.table_opt("sweep", &mut d).and_then(|mut t| {
            let r = t.str_req("range", &mut d);
            t.finish(&mut d);
            let (s, loc) = r?;
            match SweepSpec::parse(&s) {
                Ok(x) => Some(x),
                Err(m) => {
                    d.push(
                        Error::new(ErrorKind::BadValue, m)
                            .at(loc)
                            .hint("write range = \"certificates=0..100000:10000\""),
                    );
                    None
                }
            }
        });
        let target = top.table_opt("target", &mut d).and_then(|mut t| {
            let g = t.str_req("goal", &mut d);
            let lever = t.str_opt("lever", &mut d).map(|x| x.0);
            let max = t.decimal_opt("lever_max", &mut d).map(|x| x.0);
            t.finish(&mut d);
            let (s, loc) = g?;
            match TargetSpec::parse(&s) {
                Ok(mut x) => {
                    x.lever = lever;
                    x.lever_max = max;
                    Some(x)
                }
                Err(m) => {
                    d.push(
                        Error::new(ErrorKind::BadValue, m)
                            .at(loc)
                            .hint("write goal = \"intensity.total.market<=1.80\""),
                    );
                    None
                }
            }
        });
        top.finish(&mut d);
        d.into_result(Scenario {
            name,
            description,
            path: Some(path.to_path_buf()),
            sha256: Some(sha256_hex(text.as_bytes())),
            changes,
            sweep,
            target,
        })
    }
}
