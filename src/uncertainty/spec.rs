//! How an uncertainty is written: on a factor (`uncertainty = ...` in a factor file) or for an activity or a
//! factor in an inventory's `[uncertainty]` table. Every value is relative to the central value, in percent.

use rust_decimal::Decimal;
use serde::Serialize;
use toml::Spanned;
use toml::de::DeValue;

use crate::error::{Diagnostics, Error, ErrorKind, Location};
use crate::tomlx::{Src, TableReader, type_name};

/// The spread of a quantity around its central value, as fractions of it (`-0.05` is -5 %).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "distribution", rename_all = "snake_case")]
pub enum Spread {
    /// A 95 % interval `[1 + low, 1 + high]` x central, symmetric or not (`low <= 0 <= high`). Approach 2 draws it
    /// from a normal distribution, a different standard deviation on each side when it is asymmetric (a
    /// two-piece normal whose 2.5 and 97.5 percentiles are the interval's ends).
    Interval {
        /// Lower end, a fraction <= 0.
        low: Decimal,
        /// Upper end, a fraction >= 0.
        high: Decimal,
    },
    /// A normal distribution with this relative standard deviation.
    Normal {
        /// Standard deviation, a fraction of the central value.
        sd: Decimal,
    },
    /// A uniform distribution between `1 + low` and `1 + high` times the central value.
    Uniform {
        /// Lower end, a fraction <= 0.
        low: Decimal,
        /// Upper end, a fraction >= 0.
        high: Decimal,
    },
    /// A triangular distribution between `1 + low` and `1 + high` times the central value, its mode at the central
    /// value.
    Triangular {
        /// Lower end, a fraction <= 0.
        low: Decimal,
        /// Upper end, a fraction >= 0.
        high: Decimal,
    },
}

/// An uncertainty as declared: its spread, where it is written and the source it cites.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Uncertainty {
    /// The spread.
    #[serde(flatten)]
    pub spread: Spread,
    /// Where the value comes from (`source = "..."`), if the declaration says.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// Where it is declared.
    #[serde(skip)]
    pub location: Location,
}

/// The distributions an uncertainty may name.
pub const DISTRIBUTIONS: &str = "normal (sd), uniform (low, high), triangular (low, high)";

/// A percentage written as a string (`"-5%"`, `"+2.5%"`, `"5%"`) as a fraction.
fn percent(s: &str) -> Result<Decimal, String> {
    let t = s.trim();
    let Some(num) = t.strip_suffix('%') else {
        return Err(format!("\"{s}\" is not a percentage (write it with %, e.g. \"5%\")"));
    };
    let num = num.trim();
    let num = num.strip_prefix('+').unwrap_or(num);
    let x = crate::number::parse(num).map_err(|why| format!("\"{s}\" is not a percentage: {why}"))?;
    x.checked_div(Decimal::ONE_HUNDRED).ok_or_else(|| format!("\"{s}\" is out of range"))
}

/// Read one uncertainty: a string (`"5%"`, a symmetric 95 % interval) or an inline table (`{ low = "-5%", high =
/// "+5%" }`, `{ distribution = "normal", sd = "2%" }`, ...). Every problem is pushed to `d`, located.
pub fn read(v: &Spanned<DeValue<'_>>, src: Src<'_>, ctx: &str, d: &mut Diagnostics) -> Option<Uncertainty> {
    let loc = src.loc(&v.span());
    let bad = |d: &mut Diagnostics, loc: Location, msg: String, hint: &str| {
        d.push(Error::new(ErrorKind::BadValue, msg).at(loc).hint(hint.to_string()))
    };
    match v.get_ref() {
        DeValue::String(s) => match percent(s) {
            Ok(h) if h >= Decimal::ZERO && h < Decimal::ONE => {
                Some(Uncertainty { spread: Spread::Interval { low: -h, high: h }, source: None, location: loc })
            }
            Ok(_) => {
                bad(
                    d,
                    loc,
                    format!("{ctx}: \"{s}\" must be a half-width from 0% to below 100%"),
                    "write \"5%\" for a 95 % interval of ±5 %, or { low = \"-5%\", high = \"+8%\" }",
                );
                None
            }
            Err(why) => {
                bad(d, loc, format!("{ctx}: {why}"), "write \"5%\" or { low = \"-5%\", high = \"+5%\" }");
                None
            }
        },
        DeValue::Table(t) => {
            let mut r = TableReader::new(src, t, v.span(), ctx.to_string());
            let before = d.0.len();
            let dist = r.str_opt("distribution", d);
            let pct = |r: &mut TableReader<'_, '_, '_>, key: &'static str, d: &mut Diagnostics| {
                let (s, loc) = r.str_opt(key, d)?;
                match percent(&s) {
                    Ok(x) => Some((x, loc)),
                    Err(why) => {
                        d.push(
                            Error::new(ErrorKind::BadValue, format!("'{key}' in {ctx}: {why}"))
                                .at(loc)
                                .hint(format!("write {key} = \"{}5%\"", if key == "low" { "-" } else { "+" })),
                        );
                        None
                    }
                }
            };
            let low = pct(&mut r, "low", d);
            let high = pct(&mut r, "high", d);
            let sd = pct(&mut r, "sd", d);
            let source = r.str_opt("source", d).map(|x| x.0);
            r.allow("note");
            let table_loc = r.loc();
            r.finish(d);
            if d.0.len() > before {
                return None;
            }
            let kind = dist.as_ref().map(|(k, _)| k.as_str());
            let need = |d: &mut Diagnostics, what: &str, key: &str, example: &str| {
                d.push(
                    Error::new(ErrorKind::MissingKey, format!("{ctx}: {what} needs {key}"))
                        .at(table_loc.clone())
                        .hint(format!("add {example}")),
                )
            };
            let refuse = |d: &mut Diagnostics, what: &str, key: &str, loc: &Location, takes: &str| {
                d.push(
                    Error::new(ErrorKind::BadValue, format!("{ctx}: {what} takes {takes}, not {key}"))
                        .at(loc.clone())
                        .hint(format!("remove {key}")),
                )
            };
            let ends = |d: &mut Diagnostics, what: &str| -> Option<(Decimal, Decimal)> {
                match (&low, &high) {
                    (Some((l, ll)), Some((h, hl))) => {
                        let mut ok = true;
                        if *l > Decimal::ZERO || *l <= -Decimal::ONE {
                            bad(
                                d,
                                ll.clone(),
                                format!("{ctx}: low must be from 0% down to above -100%, found {}%", pc(*l)),
                                "low is how far below the central value the range reaches, e.g. low = \"-5%\"",
                            );
                            ok = false;
                        }
                        if *h < Decimal::ZERO || *h > Decimal::TEN {
                            bad(
                                d,
                                hl.clone(),
                                format!("{ctx}: high must be from 0% to 1000%, found {}%", pc(*h)),
                                "high is how far above the central value the range reaches, e.g. high = \"+5%\"",
                            );
                            ok = false;
                        }
                        ok.then_some((*l, *h))
                    }
                    (None, _) => {
                        need(d, what, "low", "low = \"-5%\"");
                        None
                    }
                    (_, None) => {
                        need(d, what, "high", "high = \"+5%\"");
                        None
                    }
                }
            };
            let spread = match kind {
                None => {
                    if let Some((_, l)) = &sd {
                        refuse(d, "a 95 % interval", "sd", l, "low and high");
                        return None;
                    }
                    let (low, high) = ends(d, "a 95 % interval")?;
                    Spread::Interval { low, high }
                }
                Some("normal") => {
                    for (key, v) in [("low", &low), ("high", &high)] {
                        if let Some((_, l)) = v {
                            refuse(d, "distribution \"normal\"", key, l, "sd");
                        }
                    }
                    let Some((sd, l)) = sd else {
                        need(d, "distribution \"normal\"", "sd (its standard deviation)", "sd = \"2.5%\"");
                        return None;
                    };
                    if sd <= Decimal::ZERO || sd > Decimal::TEN {
                        bad(
                            d,
                            l,
                            format!("{ctx}: sd must be above 0% and at most 1000%, found {}%", pc(sd)),
                            "e.g. sd = \"2.5%\"",
                        );
                        return None;
                    }
                    if d.0.len() > before {
                        return None;
                    }
                    Spread::Normal { sd }
                }
                Some(k @ ("uniform" | "triangular")) => {
                    let what = format!("distribution \"{k}\"");
                    if let Some((_, l)) = &sd {
                        refuse(d, &what, "sd", l, "low and high");
                        return None;
                    }
                    let (low, high) = ends(d, &what)?;
                    if k == "uniform" { Spread::Uniform { low, high } } else { Spread::Triangular { low, high } }
                }
                Some(other) => {
                    let l = dist.as_ref().map(|x| x.1.clone()).unwrap_or(table_loc);
                    bad(
                        d,
                        l,
                        format!("{ctx}: unknown distribution \"{other}\""),
                        &format!(
                            "distributions: {DISTRIBUTIONS}; or no distribution and low, high for a 95 % interval"
                        ),
                    );
                    return None;
                }
            };
            Some(Uncertainty { spread, source, location: loc })
        }
        other => {
            bad(
                d,
                loc,
                format!("{ctx} must be a percentage string or a table, found {}", type_name(other)),
                "write uncertainty = \"5%\" or { low = \"-5%\", high = \"+5%\" }",
            );
            None
        }
    }
}

/// A fraction as a percentage for messages.
fn pc(x: Decimal) -> Decimal {
    (x * Decimal::ONE_HUNDRED).normalize()
}

/// The uncertainties an inventory declares in its `[uncertainty]` table: per activity (`[uncertainty.activity]`,
/// activity id = uncertainty of every ledger quantity of that activity) and per factor (`[uncertainty.factor]`,
/// `"set@edition:id"` = uncertainty, which wins over the factor file's own).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Declared {
    /// Activity id -> uncertainty of its ledger quantities, with the key's location.
    pub activity: Vec<(String, Location, Uncertainty)>,
    /// Factor reference -> uncertainty, with the key's location.
    pub factor: Vec<(crate::factor::FactorRef, Location, Uncertainty)>,
}

impl Declared {
    /// Whether nothing is declared.
    pub fn is_empty(&self) -> bool {
        self.activity.is_empty() && self.factor.is_empty()
    }
}

/// Read an inventory's optional `[uncertainty]` table (`activity` and `factor` sub-tables).
pub fn read_inventory(top: &mut TableReader<'_, '_, '_>, d: &mut Diagnostics) -> Declared {
    let mut out = Declared::default();
    let Some(mut t) = top.table_opt("uncertainty", d) else { return out };
    let src = t.src();
    if let Some(mut a) = t.table_opt("activity", d) {
        for (k, loc, v) in a.entries() {
            if let Some(u) = read(v, src, &format!("[uncertainty.activity] {k}"), d) {
                out.activity.push((k, loc, u));
            }
        }
    }
    if let Some(mut f) = t.table_opt("factor", d) {
        for (k, loc, v) in f.entries() {
            let r = crate::factor::FactorRef::parse(&k).filter(|r| r.id.is_some());
            let Some(r) = r else {
                d.push(
                    Error::new(
                        ErrorKind::BadValue,
                        format!("[uncertainty.factor] key \"{k}\" does not name one factor"),
                    )
                    .at(loc)
                    .hint("write \"set@edition:id\", e.g. \"mee-grid@2022:grid.national\""),
                );
                continue;
            };
            if let Some(u) = read(v, src, &format!("[uncertainty.factor] \"{k}\""), d) {
                out.factor.push((r, loc, u));
            }
        }
    }
    t.finish(d);
    out
}
