//! Charts as self-contained SVG text: horizontal bars (grouped or stacked), waterfalls, and the two-panel line chart
//! of a scenario sweep ([`sweep`]). The escaping, tick steps and tick labels below serve all of them.
//!
//! Values are exact decimals; their labels are rounded half away from zero like every other rendering. Only the
//! pixel geometry is computed in floating point, after the numbers are fixed.
//!
//! ```
//! use ghg::report::{BarChart, Chart, svg};
//! use rust_decimal_macros::dec;
//!
//! let chart = Chart::Bars(BarChart {
//!     title: "Scope 1 by activity".into(),
//!     unit: "tCO2e".into(),
//!     series: vec!["Scope 1".into()],
//!     categories: vec![("Diesel".into(), vec![dec!(5918.086)]), ("Natural gas".into(), vec![dec!(4)])],
//!     stacked: false,
//!     places: 2,
//!     deductions: Vec::new(),
//!     colors: Vec::new(),
//!     band: None,
//!     legend: Vec::new(),
//!     gaps: Vec::new(),
//! });
//! let s = svg::chart(&chart);
//! assert!(s.starts_with("<svg"));
//! assert!(s.contains("5,918.09"));
//! ```

use std::fmt::Write;

use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;

use super::doc::{BarChart, Chart, Waterfall};
use super::fmt_dec;

pub mod sweep;

/// Colours of the series, in order (Okabe–Ito, distinguishable with colour-blindness).
pub const PALETTE: &[&str] = &["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#999999"];
/// Colour of increases in a waterfall.
pub const UP: &str = "#D55E00";
/// Colour of decreases in a waterfall.
pub const DOWN: &str = "#009E73";
/// Colour of steps that change nothing in a waterfall.
pub const NONE: &str = "#999999";
/// Colour of the start and end bars of a waterfall.
pub const TOTAL: &str = "#0072B2";

const WIDTH: f64 = 760.0;
const FONT: &str = "font-family=\"system-ui, -apple-system, 'Segoe UI', 'Noto Sans CJK SC', 'WenQuanYi Micro Hei', 'PingFang SC', 'Microsoft YaHei', sans-serif\"";

/// Render a chart.
pub fn chart(c: &Chart) -> String {
    match c {
        Chart::Bars(b) => bars(b),
        Chart::Waterfall(w) => waterfall(w),
    }
}

/// Escape text for XML and HTML.
pub fn esc(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&#39;"),
            c => o.push(c),
        }
    }
    o
}

/// Approximate width in pixels of text at a font size (CJK and other wide characters count double).
fn text_width(s: &str, size: f64) -> f64 {
    s.chars().map(|c| if (c as u32) < 0x2E80 { 0.58 } else { 1.0 }).sum::<f64>() * size
}

/// Cut text to fit a width, with an ellipsis.
fn fit(s: &str, width: f64, size: f64) -> String {
    if text_width(s, size) <= width {
        return s.to_string();
    }
    let mut out = String::new();
    for c in s.chars() {
        out.push(c);
        if text_width(&out, size) + size > width {
            out.pop();
            break;
        }
    }
    out.push('…');
    out
}

fn px(x: Decimal) -> f64 {
    x.to_f64().unwrap_or(0.0)
}

/// A "nice" tick step (1, 2 or 5 times a power of ten) giving about five ticks over `span`.
pub fn nice_step(span: Decimal) -> Decimal {
    let ten = Decimal::TEN;
    if span <= Decimal::ZERO {
        return Decimal::ONE;
    }
    let raw = span / Decimal::from(5);
    let mut p = Decimal::ONE;
    let tiny = Decimal::new(1, 20);
    while p.checked_mul(ten).is_some_and(|q| q <= raw) {
        p *= ten;
    }
    while p > raw && p > tiny {
        p /= ten;
    }
    for m in [1, 2, 5, 10] {
        let s = p * Decimal::from(m);
        if s >= raw {
            return s;
        }
    }
    p * ten
}

/// The axis: from a multiple of `step` at or below `lo` to one at or above `hi`.
fn axis(lo: Decimal, hi: Decimal) -> (Decimal, Decimal, Decimal) {
    // Past ±10^27 a value is drawn at the axis's end. Within it nothing below can overflow: the span is at most
    // 2 x 10^27, the step at most the span, and a multiple of the step is found through the remainder (never the
    // quotient, which for a tiny step beside a large value would not fit), so it lies within a step of its value.
    let cap = Decimal::from_i128_with_scale(10i128.pow(27), 0);
    let (lo, hi) = (lo.clamp(-cap, cap), hi.clamp(-cap, cap));
    let step = nice_step(hi - lo);
    let (a, b) = (floor_to(lo, step), ceil_to(hi, step));
    if a == b { (a, a + step, step) } else { (a, b, step) }
}

/// The multiple of `step` (> 0) at or below `x`.
fn floor_to(x: Decimal, step: Decimal) -> Decimal {
    let r = x % step;
    if r < Decimal::ZERO { x - r - step } else { x - r }
}

/// The multiple of `step` (> 0) at or above `x`.
fn ceil_to(x: Decimal, step: Decimal) -> Decimal {
    let r = x % step;
    if r > Decimal::ZERO { x - r + step } else { x - r }
}

/// Where `v` falls between `lo` and `hi` on a chart (0 at `lo`, 1 at `hi`): exact when the decimals allow, else
/// through f64, where a span beyond any decimal still has a position. Only a drawing position comes out of it;
/// no figure flows through it, and every label is printed from its decimal.
pub(crate) fn fraction(v: Decimal, lo: Decimal, hi: Decimal) -> Decimal {
    if let Some(f) = v.checked_sub(lo).and_then(|d| d.checked_div(hi.checked_sub(lo)?)) {
        return f;
    }
    let f = (px(v) - px(lo)) / (px(hi) - px(lo));
    // A ratio of finite values, kept within the drawing (a degenerate span puts the point at `lo`).
    if !f.is_finite() {
        return Decimal::ZERO;
    }
    Decimal::from_f64_retain(f.clamp(-1.0, 2.0)).unwrap_or(Decimal::ZERO)
}

/// Ticks covering [lo, hi] at a nice step: (first tick, step, ticks), at most 40 of them. A range of one value is
/// widened by a tenth of it (at least 1) on each side; a range too large for a nice step falls back to its two ends.
pub(crate) fn ticks(lo: Decimal, hi: Decimal) -> (Decimal, Decimal, Vec<Decimal>) {
    nice_ticks(lo, hi).unwrap_or_else(|| {
        // The step only sets the labels' places: the larger end's magnitude, which cannot overflow as hi - lo can.
        let step = lo.abs().max(hi.abs()).max(Decimal::ONE);
        (lo, step, vec![lo, hi])
    })
}

fn nice_ticks(lo: Decimal, hi: Decimal) -> Option<(Decimal, Decimal, Vec<Decimal>)> {
    let (mut lo, mut hi) = (lo, hi);
    if hi <= lo {
        let pad = (lo.abs() / Decimal::TEN).max(Decimal::ONE);
        lo = lo.checked_sub(pad)?;
        hi = hi.checked_add(pad)?;
    }
    let step = nice_step(hi.checked_sub(lo)?);
    let first = lo.checked_div(step)?.floor().checked_mul(step)?;
    let last = hi.checked_div(step)?.ceil().checked_mul(step)?;
    let mut t = Vec::new();
    let mut x = first;
    while x <= last && t.len() < 40 {
        t.push(x);
        x = x.checked_add(step)?;
    }
    Some((first, step, t))
}

/// A tick's label: grouped thousands, with the decimal places of the step (none for a step of 1 or more).
pub(crate) fn tick_label(v: Decimal, step: Decimal) -> String {
    let places = if step >= Decimal::ONE { 0 } else { step.normalize().scale() };
    fmt_dec(v, places)
}

fn header(o: &mut String, title: &str, unit: &str, height: f64) {
    let _ = write!(
        o,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" role=\"img\" viewBox=\"0 0 {WIDTH} {height:.0}\" width=\"{WIDTH}\" height=\"{height:.0}\" {FONT} font-size=\"12\"><title>{} ({})</title>",
        esc(title),
        esc(unit)
    );
    let _ = write!(o, "<rect width=\"{WIDTH}\" height=\"{height:.0}\" fill=\"#ffffff\"/>");
    let _ = write!(
        o,
        "<text x=\"12\" y=\"22\" font-size=\"15\" font-weight=\"600\" fill=\"#1a1a1a\">{}</text>",
        esc(title)
    );
}

/// Horizontal bars, grouped or stacked.
pub fn bars(b: &BarChart) -> String {
    let n_series = b.series.len().max(1);
    let label_w = b.categories.iter().map(|(c, _)| text_width(c, 12.0)).fold(60.0_f64, f64::max).min(220.0) + 16.0;
    let right = 96.0;
    let plot_x = label_w;
    let plot_w = (WIDTH - label_w - right).max(100.0);
    let bar_h = 16.0;
    // Grouped bars leave out zero values, so each category is as tall as its non-zero series.
    let shown = |vs: &[Decimal]| -> Vec<usize> {
        let v: Vec<usize> = (0..vs.len().min(n_series)).filter(|i| !vs[*i].is_zero()).collect();
        if v.is_empty() { vec![0] } else { v }
    };
    let group_h = |vs: &[Decimal]| if b.stacked { bar_h + 2.0 } else { shown(vs).len() as f64 * (bar_h + 3.0) };
    let gap = 12.0;
    let legend_y = 42.0;
    let top = 60.0;
    let plot_h: f64 = b.categories.iter().map(|(_, vs)| group_h(vs) + gap).sum::<f64>().max(bar_h + gap);
    let height = top + plot_h + 44.0;
    // Domain.
    let mut lo = Decimal::ZERO;
    let mut hi = Decimal::ZERO;
    for (_, vs) in &b.categories {
        if b.stacked {
            let pos: Decimal = vs.iter().filter(|v| **v > Decimal::ZERO).copied().sum();
            let neg: Decimal = vs.iter().filter(|v| **v < Decimal::ZERO).copied().sum();
            hi = hi.max(pos);
            lo = lo.min(neg);
        } else {
            for v in vs {
                hi = hi.max(*v);
                lo = lo.min(*v);
            }
        }
    }
    if let Some((from, to, _)) = &b.band {
        lo = lo.min(*from).min(*to);
        hi = hi.max(*from).max(*to);
    }
    let (a, z, step) = axis(lo, hi);
    let span = px(z.saturating_sub(a)).max(f64::MIN_POSITIVE);
    let x_of = |v: Decimal| plot_x + (px(v.saturating_sub(a)) / span) * plot_w;
    let mut o = String::new();
    header(&mut o, &b.title, &b.unit, height);
    // Deductions (certificates) are hatched in their series' colour and outlined: not a bar of negative emissions.
    if !b.deductions.is_empty() {
        o.push_str("<defs>");
        for (i, c) in PALETTE.iter().enumerate() {
            let _ = write!(
                o,
                "<pattern id=\"ghg-deduction-{i}\" patternUnits=\"userSpaceOnUse\" width=\"6\" height=\"6\" patternTransform=\"rotate(45)\"><rect width=\"6\" height=\"6\" fill=\"#ffffff\"/><line x1=\"0\" y1=\"0\" x2=\"0\" y2=\"6\" stroke=\"{c}\" stroke-width=\"3\"/></pattern>"
            );
        }
        o.push_str("</defs>");
    }
    // Legend.
    let mut lx = 12.0;
    // Bars in their own colours: the legend says what the colours mean, not which series they are.
    let series_legend: &[String] = if b.colors.is_empty() { &b.series } else { &[] };
    for (i, s) in series_legend.iter().enumerate() {
        let c = PALETTE[i % PALETTE.len()];
        let _ = write!(
            o,
            "<rect x=\"{lx:.1}\" y=\"{:.1}\" width=\"12\" height=\"12\" fill=\"{c}\"/><text x=\"{:.1}\" y=\"{:.1}\" fill=\"#333\">{}</text>",
            legend_y - 10.0,
            lx + 16.0,
            legend_y,
            esc(s)
        );
        lx += 16.0 + text_width(s, 12.0) + 18.0;
    }
    for (label, c) in &b.legend {
        let _ = write!(
            o,
            "<rect x=\"{lx:.1}\" y=\"{:.1}\" width=\"12\" height=\"12\" fill=\"{}\"/><text x=\"{:.1}\" y=\"{:.1}\" fill=\"#333\">{}</text>",
            legend_y - 10.0,
            esc(c),
            lx + 16.0,
            legend_y,
            esc(label)
        );
        lx += 16.0 + text_width(label, 12.0) + 18.0;
    }
    // A band across the values (a tolerance), under the grid and the bars.
    if let Some((from, to, label)) = &b.band {
        let (x0, x1) = (x_of(*from.min(to)), x_of(*from.max(to)));
        let _ = write!(
            o,
            "<rect class=\"band\" x=\"{x0:.1}\" y=\"{top:.1}\" width=\"{:.1}\" height=\"{plot_h:.1}\" fill=\"#009E73\" fill-opacity=\"0.12\"><title>{}</title></rect><text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\" fill=\"#2b6e58\" font-size=\"11\">{}</text>",
            (x1 - x0).max(1.0),
            esc(label),
            (x0 + x1) / 2.0,
            top - 4.0,
            esc(label)
        );
    }
    // Grid and ticks.
    let mut t = a;
    let mut guard = 0;
    while t <= z && guard < 50 {
        let x = x_of(t);
        let _ = write!(
            o,
            "<line x1=\"{x:.1}\" y1=\"{top:.1}\" x2=\"{x:.1}\" y2=\"{:.1}\" stroke=\"{}\" stroke-width=\"1\"/>",
            top + plot_h,
            if t.is_zero() { "#888" } else { "#e3e3e3" }
        );
        let _ = write!(
            o,
            "<text x=\"{x:.1}\" y=\"{:.1}\" text-anchor=\"middle\" fill=\"#555\" font-size=\"11\">{}</text>",
            top + plot_h + 16.0,
            tick_label(t, step)
        );
        let Some(next) = t.checked_add(step) else { break };
        t = next;
        guard += 1;
    }
    let _ = write!(
        o,
        "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\" fill=\"#555\" font-size=\"11\">{}</text>",
        plot_x + plot_w / 2.0,
        top + plot_h + 34.0,
        esc(&b.unit)
    );
    // Bars.
    let mut next_y = top;
    for (ci, (cat, vs)) in b.categories.iter().enumerate() {
        let deduction = b.deductions.contains(&ci);
        let own = |si: usize| b.colors.get(ci).and_then(|c| c.get(si)).cloned().flatten();
        let fill = |si: usize| -> String {
            let c = own(si).unwrap_or_else(|| PALETTE[si % PALETTE.len()].to_string());
            let c = c.as_str();
            if deduction {
                format!("url(#ghg-deduction-{})\" stroke=\"{c}\" stroke-width=\"1.5", si % PALETTE.len())
            } else {
                c.to_string()
            }
        };
        let gh = group_h(vs);
        let gy = next_y + gap / 2.0;
        next_y += gh + gap;
        let group_h = gh;
        let _ = write!(
            o,
            "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\" fill=\"#1a1a1a\">{}</text>",
            plot_x - 8.0,
            gy + group_h / 2.0 + 4.0,
            esc(&fit(cat, label_w - 16.0, 12.0))
        );
        if let Some((_, text)) = b.gaps.iter().find(|(i, _)| *i == ci) {
            let _ = write!(
                o,
                "<text class=\"gap\" x=\"{:.1}\" y=\"{:.1}\" fill=\"#777\" font-style=\"italic\" font-size=\"11\">{}</text>",
                x_of(Decimal::ZERO.max(a)) + 4.0,
                gy + bar_h - 4.0,
                esc(text)
            );
            continue;
        }
        if b.stacked {
            let (mut pos, mut neg) = (Decimal::ZERO, Decimal::ZERO);
            for (si, v) in vs.iter().enumerate() {
                let (from, to) = if *v >= Decimal::ZERO {
                    let f = pos;
                    pos += *v;
                    (f, pos)
                } else {
                    let f = neg;
                    neg += *v;
                    (neg, f)
                };
                let (x0, x1) = (x_of(from), x_of(to));
                let _ = write!(
                    o,
                    "<rect class=\"bar\" x=\"{:.1}\" y=\"{gy:.1}\" width=\"{:.1}\" height=\"{bar_h}\" fill=\"{}\"><title>{}: {} {}</title></rect>",
                    x0.min(x1),
                    (x1 - x0).abs(),
                    fill(si),
                    esc(b.series.get(si).map(String::as_str).unwrap_or("")),
                    fmt_dec(*v, b.places),
                    esc(&b.unit)
                );
            }
            let total: Decimal = vs.iter().copied().sum();
            let _ = write!(
                o,
                "<text x=\"{:.1}\" y=\"{:.1}\" fill=\"#1a1a1a\">{}</text>",
                x_of(pos) + 4.0,
                gy + bar_h - 3.0,
                fmt_dec(total, b.places)
            );
        } else {
            for (k, si) in shown(vs).into_iter().enumerate() {
                let v = &vs.get(si).copied().unwrap_or_default();
                let y = gy + k as f64 * (bar_h + 3.0);
                let (x0, x1) = (x_of(Decimal::ZERO.max(a)), x_of(*v));
                let _ = write!(
                    o,
                    "<rect class=\"bar\" x=\"{:.1}\" y=\"{y:.1}\" width=\"{:.1}\" height=\"{bar_h}\" fill=\"{}\"><title>{}: {} {}</title></rect>",
                    x0.min(x1),
                    (x1 - x0).abs(),
                    fill(si),
                    esc(b.series.get(si).map(String::as_str).unwrap_or("")),
                    fmt_dec(*v, b.places),
                    esc(&b.unit)
                );
                // A bar in its own (status) colour names its series in its label.
                let label = match own(si) {
                    Some(_) => {
                        format!("{}: {}", b.series.get(si).map(String::as_str).unwrap_or(""), fmt_dec(*v, b.places))
                    }
                    None => fmt_dec(*v, b.places),
                };
                let _ = write!(
                    o,
                    "<text x=\"{:.1}\" y=\"{:.1}\" fill=\"#1a1a1a\" font-size=\"11\">{}</text>",
                    x0.max(x1) + 4.0,
                    y + bar_h - 4.0,
                    esc(&label)
                );
            }
        }
    }
    o.push_str("</svg>");
    o
}

/// Split a label into at most two lines that fit `width`.
fn two_lines(s: &str, width: f64, size: f64) -> Vec<String> {
    if text_width(s, size) <= width {
        return vec![s.to_string()];
    }
    let mut first = String::new();
    let mut rest = s;
    for (i, c) in s.char_indices() {
        if text_width(&first, size) + text_width(&c.to_string(), size) > width {
            // Prefer breaking at the last space.
            if let Some(sp) = first.rfind(' ') {
                rest = &s[sp + 1..];
                first.truncate(sp);
            } else {
                rest = &s[i..];
            }
            break;
        }
        first.push(c);
    }
    vec![first, fit(rest.trim(), width, size)]
}

/// A chart that cannot be drawn, saying why (never a chart of substituted values).
fn not_drawn(title: &str, why: &str) -> String {
    let mut o = String::new();
    header(&mut o, title, "", 90.0);
    let _ = write!(
        o,
        "<text x=\"{:.1}\" y=\"60\" text-anchor=\"middle\" fill=\"#555\" font-size=\"12\">not drawn: {}</text></svg>",
        WIDTH / 2.0,
        esc(why)
    );
    o
}

/// A waterfall: start bar, one floating bar per step (up in one colour, down in another), end bar.
pub fn waterfall(w: &Waterfall) -> String {
    let n = w.steps.len() + 2;
    let height = 380.0;
    let top = 52.0;
    let bottom = 70.0;
    let left = 70.0;
    let plot_w = WIDTH - left - 20.0;
    let plot_h = height - top - bottom;
    let slot = plot_w / n as f64;
    let bar_w = (slot * 0.62).min(90.0);
    // Every running total, once: a chart whose totals do not fit a decimal is not drawn, and says so.
    let mut runs = Vec::with_capacity(w.steps.len());
    let mut run = w.start.1;
    for (_, d) in &w.steps {
        let Some(next) = run.checked_add(*d) else {
            return not_drawn(&w.title, "a running total does not fit a decimal");
        };
        runs.push(next);
        run = next;
    }
    let end = run;
    // Domain over every running total.
    let lo = runs.iter().fold(Decimal::ZERO.min(w.start.1), |a, r| a.min(*r));
    let hi = runs.iter().fold(Decimal::ZERO.max(w.start.1), |a, r| a.max(*r));
    let (a, z, step) = axis(lo, hi);
    let span = px(z.saturating_sub(a)).max(f64::MIN_POSITIVE);
    let y_of = |v: Decimal| top + plot_h - (px(v.saturating_sub(a)) / span) * plot_h;
    let mut o = String::new();
    header(&mut o, &w.title, &w.unit, height);
    let mut t = a;
    let mut guard = 0;
    while t <= z && guard < 50 {
        let y = y_of(t);
        let _ = write!(
            o,
            "<line x1=\"{left:.1}\" y1=\"{y:.1}\" x2=\"{:.1}\" y2=\"{y:.1}\" stroke=\"{}\" stroke-width=\"1\"/><text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\" fill=\"#555\" font-size=\"11\">{}</text>",
            left + plot_w,
            if t.is_zero() { "#888" } else { "#e3e3e3" },
            left - 6.0,
            y + 4.0,
            tick_label(t, step)
        );
        let Some(next) = t.checked_add(step) else { break };
        t = next;
        guard += 1;
    }
    let _ = write!(
        o,
        "<text x=\"14\" y=\"{:.1}\" fill=\"#555\" font-size=\"11\" transform=\"rotate(-90 14 {:.1})\" text-anchor=\"middle\">{}</text>",
        top + plot_h / 2.0,
        top + plot_h / 2.0,
        esc(&w.unit)
    );
    let mut bars: Vec<(String, Decimal, Decimal, &str, String)> = Vec::with_capacity(n);
    bars.push((w.start.0.clone(), Decimal::ZERO, w.start.1, TOTAL, fmt_dec(w.start.1, w.places)));
    let mut run = w.start.1;
    for ((label, d), next) in w.steps.iter().zip(runs.iter().copied()) {
        let sign = if *d > Decimal::ZERO { "+" } else { "" };
        bars.push((
            label.clone(),
            run,
            next,
            if d.is_zero() {
                NONE
            } else if *d > Decimal::ZERO {
                UP
            } else {
                DOWN
            },
            format!("{sign}{}", fmt_dec(*d, w.places)),
        ));
        run = next;
    }
    bars.push((w.end.clone(), Decimal::ZERO, end, TOTAL, fmt_dec(end, w.places)));
    let mut prev_top: Option<(f64, f64)> = None;
    for (i, (label, from, to, colour, text)) in bars.iter().enumerate() {
        let cx = left + slot * (i as f64 + 0.5);
        let x = cx - bar_w / 2.0;
        let (y0, y1) = (y_of(*from), y_of(*to));
        let (yt, h) = (y0.min(y1), (y0 - y1).abs().max(1.0));
        let _ = write!(
            o,
            "<rect class=\"bar\" x=\"{x:.1}\" y=\"{yt:.1}\" width=\"{bar_w:.1}\" height=\"{h:.1}\" fill=\"{colour}\"><title>{}: {text} {}</title></rect>",
            esc(label),
            esc(&w.unit)
        );
        if let Some((px_, py)) = prev_top {
            let _ = write!(
                o,
                "<line x1=\"{px_:.1}\" y1=\"{py:.1}\" x2=\"{x:.1}\" y2=\"{py:.1}\" stroke=\"#999\" stroke-dasharray=\"3 3\"/>"
            );
        }
        prev_top = Some((x + bar_w, y1));
        let _ = write!(
            o,
            "<text x=\"{cx:.1}\" y=\"{:.1}\" text-anchor=\"middle\" fill=\"#1a1a1a\" font-size=\"11\">{}</text>",
            yt - 5.0,
            esc(text)
        );
        for (li, line) in two_lines(label, slot - 6.0, 11.0).iter().enumerate() {
            let _ = write!(
                o,
                "<text x=\"{cx:.1}\" y=\"{:.1}\" text-anchor=\"middle\" fill=\"#333\" font-size=\"11\">{}</text>",
                top + plot_h + 18.0 + li as f64 * 14.0,
                esc(line)
            );
        }
    }
    o.push_str("</svg>");
    o
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    #[test]
    fn steps_are_nice() {
        assert_eq!(nice_step(dec!(5922.09)), dec!(2000));
        assert_eq!(nice_step(dec!(100)), dec!(20));
        assert_eq!(nice_step(dec!(0.37)), dec!(0.1));
        assert_eq!(nice_step(Decimal::ZERO), Decimal::ONE);
        assert_eq!(axis(dec!(0), dec!(5922.09)), (dec!(0), dec!(6000), dec!(2000)));
        assert_eq!(axis(dec!(-120), dec!(730)), (dec!(-200), dec!(800), dec!(200)));
    }

    #[test]
    fn sweep_ticks_cover_the_range_at_a_nice_step() {
        // 0..4000: a raw step of 800 rounds up to 1000.
        let (first, step, t) = ticks(dec!(0), dec!(4000));
        assert_eq!((first, step), (dec!(0), dec!(1000)));
        assert_eq!(t, vec![dec!(0), dec!(1000), dec!(2000), dec!(3000), dec!(4000)]);
        // One value, 5: widened by 1 each side to 4..6, a raw step of 0.4 rounds up to 0.5.
        let (_, step, t) = ticks(dec!(5), dec!(5));
        assert_eq!(step, dec!(0.5));
        assert_eq!(t, vec![dec!(4), dec!(4.5), dec!(5), dec!(5.5), dec!(6)]);
        assert_eq!(tick_label(dec!(4.5), step), "4.5");
        assert_eq!(tick_label(dec!(12000), dec!(2000)), "12,000");
        // A range wider than any decimal keeps its two ends instead of panicking.
        let (_, _, t) = ticks(Decimal::MIN, Decimal::MAX);
        assert_eq!(t, vec![Decimal::MIN, Decimal::MAX]);
        // A bar axis is capped at ±10^27 (values past it are drawn at its end), so stepping its ticks cannot overflow.
        let (a, z, _) = axis(Decimal::MIN, Decimal::MAX);
        let cap = Decimal::from_i128_with_scale(10i128.pow(27), 0);
        assert_eq!((a, z), (-cap, cap));
    }

    #[test]
    fn axis_ends_are_multiples_of_the_step_found_without_the_quotient() {
        assert_eq!((floor_to(dec!(-5), dec!(2)), ceil_to(dec!(-5), dec!(2))), (dec!(-6), dec!(-4)));
        assert_eq!((floor_to(dec!(5), dec!(2)), ceil_to(dec!(5), dec!(2))), (dec!(4), dec!(6)));
        assert_eq!((floor_to(dec!(4), dec!(2)), ceil_to(dec!(4), dec!(2))), (dec!(4), dec!(4)));
        // A tiny step beside a value near the cap: the quotient 10^47 would not fit in a decimal.
        let cap = Decimal::from_i128_with_scale(10i128.pow(27), 0);
        let tiny = Decimal::new(1, 20);
        assert_eq!(floor_to(cap, tiny), cap);
        assert_eq!(ceil_to(-cap, tiny), -cap);
        let (a, z, step) = axis(cap - tiny, cap);
        assert!(a <= cap - tiny && z >= cap && step > Decimal::ZERO);
        // A position between ends whose difference is beyond any decimal still has its place.
        assert_eq!(fraction(dec!(5), dec!(0), dec!(10)), dec!(0.5));
        let f = fraction(Decimal::ZERO, Decimal::MIN, Decimal::MAX);
        assert!((f - dec!(0.5)).abs() < dec!(0.000001), "{f}");
    }

    #[test]
    fn waterfall_ends_at_the_sum() {
        let w = Waterfall {
            title: "t".into(),
            unit: "tCO2e".into(),
            start: ("2023".into(), dec!(100)),
            steps: vec![("more diesel".into(), dec!(30)), ("certificates".into(), dec!(-50))],
            end: "2024".into(),
            places: 0,
        };
        assert_eq!(w.end_value(), Some(dec!(80)));
        let s = waterfall(&w);
        assert_eq!(s.matches("class=\"bar\"").count(), 4);
        assert!(s.contains(">+30<") && s.contains(">-50<") && s.contains(">80<"), "{s}");
        // Running totals beyond a decimal: the chart says it is not drawn, with no bar at a substituted value.
        let big = Waterfall { steps: vec![("a".into(), Decimal::MAX), ("b".into(), Decimal::MAX)], ..w };
        let s = waterfall(&big);
        assert!(s.contains("not drawn: a running total does not fit a decimal"), "{s}");
        assert_eq!(s.matches("class=\"bar\"").count(), 0);
    }

    #[test]
    fn deductions_are_hatched_and_outlined_not_drawn_as_negative_emissions() {
        let b = BarChart {
            title: "by activity".into(),
            unit: "tCO2e".into(),
            series: vec!["Scope 1".into(), "Scope 2 (market)".into()],
            categories: vec![
                ("Electricity".into(), vec![dec!(0), dec!(100)]),
                ("Certificates (deducted)".into(), vec![dec!(0), dec!(-20)]),
            ],
            stacked: false,
            places: 0,
            deductions: vec![1],
            colors: Vec::new(),
            band: None,
            legend: Vec::new(),
            gaps: Vec::new(),
        };
        let s = bars(&b);
        assert!(s.contains("<pattern id=\"ghg-deduction-1\""), "{s}");
        // The electricity bar is solid; the certificates' bar is hatched in its series' colour and outlined.
        assert!(s.contains("fill=\"#E69F00\"><title>Scope 2 (market): 100 tCO2e"), "{s}");
        assert!(
            s.contains(
                "fill=\"url(#ghg-deduction-1)\" stroke=\"#E69F00\" stroke-width=\"1.5\"><title>Scope 2 (market): -20"
            ),
            "{s}"
        );
        // Without deductions, no pattern at all.
        assert!(!bars(&BarChart { deductions: Vec::new(), ..b }).contains("<pattern"));
    }

    #[test]
    fn status_colours_and_a_tolerance_band() {
        let b = BarChart {
            title: "gaps".into(),
            unit: "%".into(),
            series: vec!["2022".into(), "2023".into()],
            categories: vec![("scope2.market".into(), vec![dec!(-23.99), dec!(-0.01)])],
            stacked: false,
            places: 2,
            deductions: Vec::new(),
            colors: vec![vec![Some("#D55E00".into()), Some("#56B4E9".into())]],
            band: Some((dec!(-2), dec!(2), "tolerance ±2%".into())),
            legend: vec![("outside tolerance".into(), "#D55E00".into())],
            gaps: Vec::new(),
        };
        let s = bars(&b);
        // Each bar in its status colour, labelled with its year; the legend names the colours, not the years.
        assert!(s.contains("fill=\"#D55E00\"><title>2022: -23.99 %</title>"), "{s}");
        assert!(s.contains(">2022: -23.99</text>") && s.contains(">2023: -0.01</text>"), "{s}");
        assert!(s.contains(">outside tolerance</text>") && !s.contains("fill=\"#333\">2022</text>"), "{s}");
        // The band spans -2 to +2 on the value axis, under its label.
        assert_eq!(s.matches("class=\"band\"").count(), 1);
        assert!(s.contains("<title>tolerance ±2%</title>"), "{s}");
    }

    #[test]
    fn text_is_escaped() {
        let b = BarChart {
            title: "<script>".into(),
            unit: "t".into(),
            series: vec!["a&b".into()],
            categories: vec![("\"x\"".into(), vec![dec!(1)])],
            stacked: true,
            places: 0,
            deductions: Vec::new(),
            colors: Vec::new(),
            band: None,
            legend: Vec::new(),
            gaps: Vec::new(),
        };
        let s = bars(&b);
        assert!(!s.contains("<script>") && s.contains("&lt;script&gt;") && s.contains("a&amp;b"));
    }
}
