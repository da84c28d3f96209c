//! The SVG chart of a scenario sweep: scope 2 (location-based and market-based) and GHG intensity against the
//! parameter. Two panels sharing the x axis; location-based is a solid blue line with circles, market-based a dashed
//! red line with squares, so the methods stay apart in grey print too. Coordinates are computed in decimals.

use std::fmt::Write;

use rust_decimal::{Decimal, RoundingStrategy};

use super::{esc, fraction, tick_label, ticks};
use crate::scenario::{Param, SweepPoint, TargetSpec};

const W: i64 = 900;
const H: i64 = 660;
/// Height of each cost panel.
const COST_H: i64 = 170;
/// Colour of the cost lines.
const COST: &str = "#333333";
const LEFT: i64 = 110;
const RIGHT: i64 = 40;
const LOC: &str = "#1f5fa8";
const MKT: &str = "#c0392b";

/// A coordinate, rounded half away from zero to 2 places (the chart's geometry stays in decimals).
fn coord(x: Decimal) -> String {
    x.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero).normalize().to_string()
}

struct Series<'a> {
    name: &'a str,
    color: &'a str,
    dashed: bool,
    square: bool,
    ys: Vec<Option<Decimal>>,
}

#[allow(clippy::too_many_arguments)]
fn panel(
    o: &mut String,
    top: i64,
    height: i64,
    xs: &[Decimal],
    xr: (Decimal, Decimal),
    series: &[Series<'_>],
    ylabel: &str,
    show_x_labels: bool,
    xstep: Decimal,
    xticks: &[Decimal],
    target: Option<(Decimal, &str)>,
) {
    let (x0, x1) = xr;
    let right = W - RIGHT;
    let plot_w = Decimal::from(right - LEFT);
    let bottom = top + height;
    let mut values: Vec<Decimal> = series.iter().flat_map(|s| s.ys.iter().flatten().copied()).collect();
    let _ = writeln!(
        o,
        r##"<rect x="{LEFT}" y="{top}" width="{}" height="{height}" fill="#fbfbfb" stroke="#999"/>"##,
        right - LEFT
    );
    let tx = |x: Decimal| -> Decimal {
        if x1 == x0 {
            return Decimal::from(LEFT);
        }
        Decimal::from(LEFT) + fraction(x, x0, x1) * plot_w
    };
    for x in xticks {
        let p = coord(tx(*x));
        let _ = writeln!(o, r##"<line x1="{p}" y1="{top}" x2="{p}" y2="{bottom}" stroke="#e2e2e2"/>"##);
        if show_x_labels {
            let _ = writeln!(
                o,
                r##"<text x="{p}" y="{}" font-size="12" text-anchor="middle" fill="#333">{}</text>"##,
                bottom + 18,
                esc(&tick_label(*x, xstep))
            );
        }
    }
    let mid = top + height / 2;
    let _ = writeln!(
        o,
        r##"<text transform="translate(28,{mid}) rotate(-90)" font-size="13" text-anchor="middle" fill="#222">{}</text>"##,
        esc(ylabel)
    );
    if values.is_empty() {
        let _ = writeln!(
            o,
            r##"<text x="{}" y="{mid}" font-size="14" text-anchor="middle" fill="#666">not computed (see the inventory's warnings)</text>"##,
            (LEFT + right) / 2
        );
        return;
    }
    // The target is drawn inside the panel: its value widens the range.
    if let Some((t, _)) = target {
        values.push(t);
    }
    let lo = values.iter().copied().fold(values[0], Decimal::min);
    let hi = values.iter().copied().fold(values[0], Decimal::max);
    let (_, ystep, yt) = ticks(lo, hi);
    let (y0, y1) = (yt.first().copied().unwrap_or(lo), yt.last().copied().unwrap_or(hi));
    let ph = Decimal::from(height);
    let ty = |y: Decimal| -> Decimal {
        if y1 == y0 {
            return Decimal::from(mid);
        }
        Decimal::from(bottom) - fraction(y, y0, y1) * ph
    };
    for y in &yt {
        let p = coord(ty(*y));
        let _ = writeln!(o, r##"<line x1="{LEFT}" y1="{p}" x2="{right}" y2="{p}" stroke="#e2e2e2"/>"##);
        let _ = writeln!(
            o,
            r##"<text x="{}" y="{p}" font-size="12" text-anchor="end" dominant-baseline="middle" fill="#333">{}</text>"##,
            LEFT - 6,
            esc(&tick_label(*y, ystep))
        );
    }
    if let Some((t, label)) = target {
        let p = coord(ty(t));
        let _ = writeln!(
            o,
            r##"<line x1="{LEFT}" y1="{p}" x2="{right}" y2="{p}" stroke="#111" stroke-width="1.5" stroke-dasharray="2 4"><title>{}</title></line>"##,
            esc(label)
        );
        let _ = writeln!(
            o,
            r##"<text x="{}" y="{}" font-size="12" text-anchor="end" fill="#111">{}</text>"##,
            right - 6,
            coord(ty(t) - Decimal::from(6)),
            esc(label)
        );
    }
    let markers = xs.len() <= 60;
    for s in series {
        let pts: Vec<String> = xs
            .iter()
            .zip(&s.ys)
            .filter_map(|(x, y)| y.map(|y| format!("{},{}", coord(tx(*x)), coord(ty(y)))))
            .collect();
        let dash = if s.dashed { r#" stroke-dasharray="9 5""# } else { "" };
        let _ = writeln!(
            o,
            r#"<polyline points="{}" fill="none" stroke="{}" stroke-width="2.5"{dash}><title>{}</title></polyline>"#,
            pts.join(" "),
            s.color,
            esc(s.name)
        );
        if markers {
            for (x, y) in xs.iter().zip(&s.ys) {
                let Some(y) = y else { continue };
                let (cx, cy) = (tx(*x), ty(*y));
                if s.square {
                    let _ = writeln!(
                        o,
                        r##"<rect x="{}" y="{}" width="9" height="9" fill="{}" stroke="#fff"/>"##,
                        coord(cx - Decimal::new(45, 1)),
                        coord(cy - Decimal::new(45, 1)),
                        s.color
                    );
                } else {
                    let _ = writeln!(
                        o,
                        r##"<circle cx="{}" cy="{}" r="4.5" fill="{}" stroke="#fff"/>"##,
                        coord(cx),
                        coord(cy),
                        s.color
                    );
                }
            }
        }
    }
}

/// The chart of a sweep, as an SVG document.
pub fn chart(title: &str, param: &Param, points: &[SweepPoint]) -> String {
    chart_with_target(title, param, points, None)
}

/// The chart of a sweep with a target drawn as a line on the panel of its figure (scope 2 or intensity). A sweep
/// with costs gets two more panels: the cost, and the cost per tCO2e avoided (market-based).
pub fn chart_with_target(title: &str, param: &Param, points: &[SweepPoint], target: Option<&TargetSpec>) -> String {
    let xs: Vec<Decimal> = points.iter().map(|p| p.value).collect();
    let get =
        |id: &str| -> Vec<Option<Decimal>> { points.iter().map(|p| p.figures.get(id).map(|f| f.value)).collect() };
    let unit_of = |id: &str| points.iter().find_map(|p| p.figures.get(id).map(|f| f.unit.clone()));
    let (x0, x1) = (xs.first().copied().unwrap_or_default(), xs.last().copied().unwrap_or_default());
    let (_, xstep, xt) = ticks(x0, x1);
    let xr = if x1 > x0 { (x0, x1) } else { (xt.first().copied().unwrap_or(x0), xt.last().copied().unwrap_or(x1)) };
    let xt: Vec<Decimal> = xt.into_iter().filter(|x| *x >= xr.0 && *x <= xr.1).collect();
    let currency = points.iter().find_map(|p| p.cost.map(|c| c.currency.to_string()));
    // Two more panels of COST_H (and their gaps) when there are costs.
    let h = if currency.is_some() { H + 2 * (COST_H + 28) } else { H };
    let mut o = String::new();
    let _ = writeln!(
        o,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{h}" viewBox="0 0 {W} {h}" font-family="Helvetica, Arial, 'Noto Sans CJK SC', sans-serif">"#
    );
    let _ = writeln!(o, r##"<rect width="{W}" height="{h}" fill="#ffffff"/>"##);
    let _ = writeln!(
        o,
        r##"<text x="{}" y="24" font-size="17" font-weight="bold" text-anchor="middle" fill="#111">{}</text>"##,
        W / 2,
        esc(title)
    );
    let _ = writeln!(
        o,
        r##"<text x="{}" y="44" font-size="13" text-anchor="middle" fill="#444">scope 2 and GHG intensity, location-based and market-based{}, against {} ({})</text>"##,
        W / 2,
        if currency.is_some() { ", and cost" } else { "" },
        esc(&param.label),
        esc(&param.unit)
    );
    // Legend.
    let ly = 62;
    for (k, (name, color, dashed, square)) in
        [("location-based", LOC, false, false), ("market-based", MKT, true, true)].iter().enumerate()
    {
        let x = LEFT + 10 + 230 * k as i64;
        let dash = if *dashed { r#" stroke-dasharray="9 5""# } else { "" };
        let _ = writeln!(
            o,
            r#"<line x1="{x}" y1="{ly}" x2="{}" y2="{ly}" stroke="{color}" stroke-width="2.5"{dash}/>"#,
            x + 44
        );
        if *square {
            let _ = writeln!(o, r#"<rect x="{}" y="{}" width="9" height="9" fill="{color}"/>"#, x + 17, ly - 4);
        } else {
            let _ = writeln!(o, r#"<circle cx="{}" cy="{ly}" r="4.5" fill="{color}"/>"#, x + 22);
        }
        let _ = writeln!(o, r##"<text x="{}" y="{}" font-size="13" fill="#222">{name}</text>"##, x + 52, ly + 4);
    }
    let s2 = [
        Series {
            name: "scope 2, location-based",
            color: LOC,
            dashed: false,
            square: false,
            ys: get("scope2.location"),
        },
        Series { name: "scope 2, market-based", color: MKT, dashed: true, square: true, ys: get("scope2.market") },
    ];
    // The target as a line on the panel of its figure.
    let goal = target.map(|t| (t.value, format!("target {} {} {}", t.figure, t.cmp.symbol(), t.value.normalize())));
    let on = |ids: &[&str]| -> Option<(Decimal, &str)> {
        match (&goal, target) {
            (Some((v, label)), Some(t)) if ids.contains(&t.figure.as_str()) => Some((*v, label.as_str())),
            _ => None,
        }
    };
    let s2unit = unit_of("scope2.location").unwrap_or_else(|| "tCO2e".into());
    let s2goal = on(&["scope2.location", "scope2.market"]);
    panel(&mut o, 76, 226, &xs, xr, &s2, &format!("scope 2 ({s2unit})"), false, xstep, &xt, s2goal);
    let iu = unit_of("intensity.total.location")
        .or_else(|| unit_of("intensity.total.market"))
        .unwrap_or_else(|| "tCO2e/million CNY".into());
    let it = [
        Series {
            name: "GHG intensity, location-based",
            color: LOC,
            dashed: false,
            square: false,
            ys: get("intensity.total.location"),
        },
        Series {
            name: "GHG intensity, market-based",
            color: MKT,
            dashed: true,
            square: true,
            ys: get("intensity.total.market"),
        },
    ];
    let igoal = on(&["intensity.total.location", "intensity.total.market"]);
    let costed = currency.is_some();
    panel(&mut o, 330, 230, &xs, xr, &it, &format!("GHG intensity ({iu})"), !costed, xstep, &xt, igoal);
    if let Some(cur) = &currency {
        let cost = [Series {
            name: "cost",
            color: COST,
            dashed: false,
            square: false,
            ys: points.iter().map(|p| p.cost.map(|c| c.value)).collect(),
        }];
        let top = 330 + 230 + 28;
        panel(&mut o, top, COST_H, &xs, xr, &cost, &format!("cost ({cur})"), false, xstep, &xt, None);
        let per = [Series {
            name: "cost per tCO2e avoided (market-based)",
            color: COST,
            dashed: true,
            square: true,
            ys: points.iter().map(|p| p.cost_per_t).collect(),
        }];
        let top = top + COST_H + 28;
        panel(&mut o, top, COST_H, &xs, xr, &per, &format!("{cur} per tCO2e avoided"), true, xstep, &xt, None);
    }
    let _ = writeln!(
        o,
        r##"<text x="{}" y="{}" font-size="14" text-anchor="middle" fill="#222">{} ({})</text>"##,
        (LEFT + W - RIGHT) / 2,
        h - 38,
        esc(&param.label),
        esc(&param.unit)
    );
    let cost_note = if costed { "; cost per tCO2e avoided = cost / (baseline - scenario total.market)" } else { "" };
    let _ = writeln!(
        o,
        r##"<text x="{}" y="{}" font-size="11" text-anchor="end" fill="#777">ghg {}: scope 2 = purchased electricity and heat; intensity = (scope 1 + scope 2) / revenue{cost_note}</text>"##,
        W - RIGHT,
        h - 12,
        env!("CARGO_PKG_VERSION")
    );
    o.push_str("</svg>\n");
    o
}
