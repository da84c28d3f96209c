//! One self-contained HTML file for a [`Document`]: inline CSS and SVG, no scripts, no network.

use std::fmt::Write;

use super::doc::{Block, Cell, ColumnKind, Document, Finding, KeyFigure, Lang, Table};
use super::svg::{self, esc};
use super::{fmt_dec, full};
use rust_decimal::Decimal;

const CSS: &str = r#"
:root { --ink: #1a1a1a; --muted: #5b6470; --line: #d9dde3; --accent: #0072B2; --bg: #ffffff; }
* { box-sizing: border-box; }
html { background: var(--bg); }
body { margin: 0 auto; max-width: 1240px; padding: 28px 32px 48px; color: var(--ink);
  font: 14px/1.5 system-ui, -apple-system, "Segoe UI", "Noto Sans CJK SC", "WenQuanYi Micro Hei", "PingFang SC",
  "Microsoft YaHei", sans-serif; }
h1 { font-size: 24px; margin: 0 0 4px; }
h2 { font-size: 18px; margin: 32px 0 12px; padding-bottom: 4px; border-bottom: 2px solid var(--accent); }
.subtitle { color: var(--muted); margin: 0 0 16px; }
.stamp { font-size: 12px; color: var(--muted); background: #f6f8fa; border: 1px solid var(--line); border-radius: 6px;
  padding: 8px 12px; margin: 12px 0 8px; }
.stamp dl { display: grid; grid-template-columns: max-content 1fr; gap: 2px 14px; margin: 0; }
.stamp dt { font-weight: 600; }
.stamp dd { margin: 0; font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace; word-break: break-all; }
.keyfigs { display: grid; grid-template-columns: repeat(auto-fill, minmax(200px, 1fr)); gap: 12px; }
.keyfig { border: 1px solid var(--line); border-radius: 8px; padding: 10px 14px; }
.keyfig .label { font-size: 12px; color: var(--muted); }
.keyfig .value { font-size: 22px; font-weight: 600; font-variant-numeric: tabular-nums; }
.keyfig .unit { font-size: 12px; color: var(--muted); margin-left: 4px; }
.keyfig .note { font-size: 11px; color: var(--muted); font-family: ui-monospace, Menlo, Consolas, monospace; }
.charts { display: flex; flex-wrap: wrap; gap: 16px; }
figure.chart-box { margin: 0; border: 1px solid var(--line); border-radius: 8px; padding: 6px; overflow-x: auto; }
figure.chart-box svg { display: block; max-width: 100%; height: auto; }
table { border-collapse: collapse; width: 100%; font-size: 13px; margin: 4px 0 8px; }
caption { text-align: left; font-weight: 600; padding: 4px 0; }
th, td { border-bottom: 1px solid var(--line); padding: 4px 8px; vertical-align: top; text-align: left;
  overflow-wrap: anywhere; }
th { background: #f0f3f6; position: sticky; top: 0; }
th { overflow-wrap: normal; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; overflow-wrap: normal; }
td.code { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace; font-size: 12px; }
.more { color: var(--muted); font-size: 12px; }
tr.hl td { background: #fde2e1; }
.table-wrap { overflow-x: auto; max-width: 100%; }
table.dense { font-size: 11px; }
table.dense th, table.dense td { padding: 3px 4px; }
table.dense th.num { white-space: normal; }
table.dense td.code { font-size: 10px; }
ul.findings { list-style: none; padding: 0; margin: 0; }
ul.findings li { border-left: 4px solid var(--line); padding: 4px 10px; margin: 6px 0; background: #fafbfc; }
ul.findings li.warning { border-color: #E69F00; }
ul.findings li.error { border-color: #D55E00; }
ul.findings li.info { border-color: #56B4E9; }
.badge { display: inline-block; font-size: 11px; font-weight: 600; text-transform: uppercase; margin-right: 6px; }
.loc { font-family: ui-monospace, Menlo, Consolas, monospace; font-size: 12px; color: var(--muted); }
footer { margin-top: 40px; font-size: 12px; color: var(--muted); }
@media print {
  @page { size: A4 landscape; margin: 10mm; }
  body { max-width: none; padding: 0; font-size: 10px; }
  h1 { font-size: 18px; } h2 { font-size: 14px; margin: 16px 0 8px; break-after: avoid; }
  .table-wrap { overflow: visible; }
  table { font-size: 7.5px; }
  th, td { padding: 2px 3px; }
  td.code { font-size: 7px; }
  table.dense { font-size: 7px; }
  table.dense td.code { font-size: 6.5px; }
  th { position: static; }
  thead { display: table-header-group; }
  tr, figure.chart-box, ul.findings li, .keyfig { break-inside: avoid; }
  figure.chart-box { overflow: visible; }
  tr.hl td, th { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}
"#;

/// Tables with more columns than this are set smaller ([`table`]).
const DENSE_COLUMNS: usize = 15;

/// Render a document as one HTML page.
pub fn html(doc: &Document) -> String {
    let lang = doc.lang;
    let mut o = String::with_capacity(64 * 1024);
    let _ = write!(
        o,
        "<!DOCTYPE html>\n<html lang=\"{}\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<meta name=\"generator\" content=\"ghg {}\">\n<title>{}</title>\n<style>{CSS}</style>\n</head>\n<body>\n",
        lang.tag(),
        env!("CARGO_PKG_VERSION"),
        esc(&doc.title)
    );
    let _ = writeln!(o, "<header>\n<h1>{}</h1>", esc(&doc.title));
    if let Some(s) = &doc.subtitle {
        let _ = writeln!(o, "<p class=\"subtitle\">{}</p>", esc(s));
    }
    if !doc.stamp.is_empty() {
        let _ = writeln!(o, "<section class=\"stamp\" id=\"provenance\"><dl>");
        for (k, v) in &doc.stamp {
            let _ = writeln!(o, "<dt>{}</dt><dd>{}</dd>", esc(k), esc(v));
        }
        let _ = writeln!(o, "</dl></section>");
    }
    o.push_str("</header>\n<main>\n");
    for (si, s) in doc.sections.iter().enumerate() {
        let _ = writeln!(o, "<section id=\"s{}\">\n<h2>{}</h2>", si + 1, esc(&s.title));
        let mut i = 0;
        while i < s.blocks.len() {
            // Consecutive charts share one flowing row.
            if matches!(s.blocks[i], Block::Chart(_)) {
                o.push_str("<div class=\"charts\">\n");
                while let Some(Block::Chart(c)) = s.blocks.get(i) {
                    let _ = writeln!(o, "<figure class=\"chart-box\">{}</figure>", svg::chart(c));
                    i += 1;
                }
                o.push_str("</div>\n");
                continue;
            }
            match &s.blocks[i] {
                Block::Text(t) => {
                    let _ = writeln!(o, "<p>{}</p>", esc(t));
                }
                Block::KeyFigures(k) => key_figures(&mut o, k),
                Block::Table(t) if t.in_html => table(&mut o, t, lang),
                Block::Table(_) => {}
                Block::Findings(f) => findings(&mut o, f, lang),
                Block::Chart(_) => {}
            }
            i += 1;
        }
        o.push_str("</section>\n");
    }
    let _ = write!(
        o,
        "</main>\n<footer>{} ghg {}. {}</footer>\n</body>\n</html>\n",
        lang.pick("Generated by", "生成工具："),
        env!("CARGO_PKG_VERSION"),
        esc(lang.pick(
            "Figures are exact decimals, rounded half away from zero only for display.",
            "数值以精确小数计算，仅在显示时四舍五入。"
        ))
    );
    o
}

fn key_figures(o: &mut String, k: &[KeyFigure]) {
    o.push_str("<div class=\"keyfigs\">\n");
    for f in k {
        let _ = write!(
            o,
            "<div class=\"keyfig\"><div class=\"label\">{}</div><div><span class=\"value\">{}</span><span class=\"unit\">{}</span></div>",
            esc(&f.label),
            fmt_dec(f.value, f.places),
            esc(&f.unit)
        );
        if let Some(n) = &f.note {
            let _ = write!(o, "<div class=\"note\">{}</div>", esc(n));
        }
        o.push_str("</div>\n");
    }
    o.push_str("</div>\n");
}

fn cell_html(c: &Cell, kind: ColumnKind) -> (String, &'static str) {
    let class = match kind {
        ColumnKind::Number { .. } | ColumnKind::Count | ColumnKind::Integer | ColumnKind::Percent { .. } => "num",
        ColumnKind::Code => "code",
        ColumnKind::Text => "",
    };
    let text = match (c, kind) {
        (Cell::Empty, _) => String::new(),
        (Cell::Text(s), _) => esc(s),
        (Cell::Number(x) | Cell::Formula { value: x, .. }, ColumnKind::Number { places }) => fmt_dec(*x, places),
        (Cell::Number(x) | Cell::Formula { value: x, .. }, ColumnKind::Percent { places }) => {
            match x.checked_mul(Decimal::ONE_HUNDRED) {
                Some(p) => format!("{}%", fmt_dec(p, places)),
                None => full(*x),
            }
        }
        (Cell::Number(x) | Cell::Formula { value: x, .. }, _) => full(*x),
        (Cell::Count(n), ColumnKind::Integer) => n.to_string(),
        (Cell::Count(n), _) => fmt_dec((*n).into(), 0),
    };
    (text, class)
}

fn table(o: &mut String, t: &Table, lang: Lang) {
    // A table of many number columns (figures by month) is set smaller, so that it fits the page.
    o.push_str(if t.columns.len() > DENSE_COLUMNS {
        "<div class=\"table-wrap\"><table class=\"dense\">\n"
    } else {
        "<div class=\"table-wrap\"><table>\n"
    });
    if let Some(c) = &t.caption {
        let _ = writeln!(o, "<caption>{}</caption>", esc(c));
    }
    o.push_str("<thead><tr>");
    for c in &t.columns {
        let class = if matches!(
            c.kind,
            ColumnKind::Number { .. } | ColumnKind::Count | ColumnKind::Integer | ColumnKind::Percent { .. }
        ) {
            " class=\"num\""
        } else {
            ""
        };
        let _ = write!(o, "<th{class}>{}</th>", esc(&c.header));
    }
    o.push_str("</tr></thead>\n<tbody>\n");
    let shown = t.html_rows.unwrap_or(usize::MAX).min(t.rows.len());
    // Rows in all: the table may hold only the first of them, the rest having been counted as they streamed past.
    let in_all = t.rows_in_all.unwrap_or(t.rows.len() as u64).max(t.rows.len() as u64);
    for (r, row) in t.rows[..shown].iter().enumerate() {
        o.push_str(if t.highlight.contains(&r) { "<tr class=\"hl\">" } else { "<tr>" });
        for (i, col) in t.columns.iter().enumerate() {
            let (text, class) = cell_html(row.get(i).unwrap_or(&Cell::Empty), col.kind);
            if class.is_empty() {
                let _ = write!(o, "<td>{text}</td>");
            } else {
                let _ = write!(o, "<td class=\"{class}\">{text}</td>");
            }
        }
        o.push_str("</tr>\n");
    }
    o.push_str("</tbody></table></div>\n");
    if (shown as u64) < in_all {
        let rest = in_all - shown as u64;
        let _ = writeln!(
            o,
            "<p class=\"more\">{}</p>",
            esc(&match lang {
                Lang::En => format!(
                    "{shown} of {} rows shown; all {} are in the workbook (--format xlsx, sheet \"{}\") and in --format json ({rest} more).",
                    in_all, in_all, t.sheet
                ),
                Lang::Zh => format!(
                    "显示 {} 行中的 {shown} 行；全部行见工作簿（--format xlsx，工作表“{}”）及 --format json（另有 {rest} 行）。",
                    in_all, t.sheet
                ),
            })
        );
    }
}

fn findings(o: &mut String, f: &[Finding], lang: Lang) {
    if f.is_empty() {
        let _ = writeln!(o, "<p>{}</p>", esc(lang.pick("None.", "无。")));
        return;
    }
    o.push_str("<ul class=\"findings\">\n");
    for x in f {
        let _ = write!(
            o,
            "<li class=\"{}\"><span class=\"badge\">{}</span><span class=\"loc\">[{}]</span> ",
            x.severity.code(),
            esc(x.severity.label(lang)),
            esc(&x.code)
        );
        if let Some(l) = &x.location {
            let _ = write!(o, "<span class=\"loc\">{}</span> ", esc(l));
        }
        let _ = writeln!(o, "{}</li>", esc(&x.message));
    }
    o.push_str("</ul>\n");
}
