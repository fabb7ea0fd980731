//! The job report for people: `report.html`, one printable A4 page with the job's
//! counts, postage, the reasons records were suppressed or rejected, and a chart of
//! pieces per sort level and per tray. Self-contained (no script, no external file) and
//! free of personal data: it is built from the counts alone.

use std::fmt::Write as _;
use std::io::{self, Write};
use std::path::Path;

use super::{write_atomic, Counts, FileEntry};

/// The report's name in the output folder.
pub const HTML_REPORT: &str = "report.html";

/// A tray for the chart: its number, its level's name and its pieces.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct TrayFill {
    /// Its number, from 1.
    pub tray: u32,
    /// Its sort level.
    pub level: String,
    /// Pieces in it.
    pub pieces: u32,
}

/// Postage figures, as `report.json` gives them.
#[derive(Clone, Debug, Default)]
pub struct Postage {
    /// The carrier's product.
    pub product: String,
    /// Pieces per level, finest first.
    pub per_level: Vec<(String, u32)>,
    /// Single pieces per reason.
    pub single: Vec<(String, u32)>,
    /// Bundles and trays.
    pub bundles: u32,
    /// Trays.
    pub trays: Vec<TrayFill>,
    /// Euros presorted, single-piece, saved, and the saving in percent.
    pub presorted_eur: String,
    /// Euros if all went single-piece.
    pub single_piece_eur: String,
    /// Euros saved.
    pub saving_eur: String,
    /// Percent saved.
    pub saving_percent: String,
    /// Total weight in grams.
    pub weight_g: u64,
    /// The deposit is under the carrier's minimum.
    pub below_minimum: bool,
}

/// What the report shows.
pub struct JobReport<'a> {
    /// The job id.
    pub job: &'a str,
    /// The layout's name.
    pub layout: &'a str,
    /// The data file's name.
    pub data: &'a str,
    /// The composition date.
    pub date: &'a str,
    /// The counts.
    pub counts: &'a Counts,
    /// The PDF files.
    pub files: &'a [FileEntry],
    /// Postage, when presorted.
    pub postage: Option<&'a Postage>,
}

/// Writes `report.html` into `dir`, atomically.
pub fn write_html_report(dir: &Path, report: &JobReport) -> io::Result<()> {
    let html = render(report);
    write_atomic(&dir.join(HTML_REPORT), |out| out.write_all(html.as_bytes()))
}

/// Text made safe for HTML.
fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A count with thin spaces between thousands, as French print rooms write them.
fn n(v: u64) -> String {
    let digits = v.to_string();
    let mut out = String::new();
    for (k, c) in digits.chars().enumerate() {
        if k > 0 && (digits.len() - k) % 3 == 0 {
            out.push('\u{202f}');
        }
        out.push(c);
    }
    out
}

const STYLE: &str = "@page{size:A4;margin:12mm}\
body{font:10pt/1.35 system-ui,sans-serif;color:#111;max-width:186mm;margin:0 auto}\
h1{font-size:15pt;margin:0 0 2mm}h2{font-size:11pt;margin:4mm 0 1mm;border-bottom:1px solid #999}\
p.meta{margin:0;color:#444}table{border-collapse:collapse;width:100%}\
td,th{padding:0.6mm 2mm;text-align:left;vertical-align:top}td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}\
tr+tr td{border-top:1px solid #ddd}.cols{display:flex;gap:6mm}.cols>div{flex:1}\
.warn{color:#a00;font-weight:bold}svg text{font:8pt system-ui,sans-serif}";

/// The report's HTML.
pub fn render(r: &JobReport) -> String {
    let c = r.counts;
    let mut h = String::with_capacity(16 * 1024);
    let _ = write!(
        h,
        "<!DOCTYPE html>\n<html lang=\"fr\"><head><meta charset=\"utf-8\"><title>pli job {job}</title>\
         <style>{STYLE}</style></head><body>\n<h1>Job {job}</h1>\n\
         <p class=\"meta\">Layout <b>{layout}</b> · data <b>{data}</b> · composed for {date}</p>\n",
        job = esc(r.job),
        layout = esc(r.layout),
        data = esc(r.data),
        date = esc(r.date),
    );
    let added = c.composed + c.exported + c.suppressed + c.rejected;
    let trays = r.postage.map_or(0, |p| p.trays.len() as u64);
    let rows: [(&str, u64); 11] = [
        ("Records read", c.records),
        ("Composed (mailpieces)", c.composed),
        ("Sent by e-mail or SMS only", c.exported),
        ("Suppressed", c.suppressed),
        ("Rejected", c.rejected),
        ("Pages", c.pages),
        ("Sheets", c.sheets),
        ("Household documents", c.household_docs),
        ("PDF files", r.files.len() as u64),
        ("Trays", trays),
        ("Bundles", r.postage.map_or(0, |p| p.bundles as u64)),
    ];
    h.push_str("<div class=\"cols\"><div><h2>Counts</h2><table>\n");
    for (label, v) in rows {
        let _ = writeln!(h, "<tr><td>{label}</td><td class=\"n\">{}</td></tr>", n(v));
    }
    h.push_str("</table>\n");
    if added != c.records {
        let _ = writeln!(
            h,
            "<p class=\"warn\">The statuses add up to {} for {} records read.</p>",
            n(added),
            n(c.records)
        );
    }
    h.push_str("</div><div><h2>Suppressions and rejections</h2><table>\n");
    if c.reasons.is_empty() {
        h.push_str("<tr><td>none</td></tr>\n");
    }
    for (reason, v) in &c.reasons {
        let _ = writeln!(
            h,
            "<tr><td>{}</td><td class=\"n\">{}</td></tr>",
            esc(reason),
            n(*v)
        );
    }
    h.push_str("</table>\n");
    if let Some(p) = r.postage {
        postage(&mut h, p);
    }
    h.push_str("</div></div>\n");
    if let Some(p) = r.postage {
        h.push_str("<h2>Pieces per sort level</h2>\n");
        bars(
            &mut h,
            &p.per_level.iter().chain(&p.single).cloned().collect::<Vec<_>>(),
        );
        let _ = writeln!(h, "<h2>Pieces per tray ({} trays)</h2>", p.trays.len());
        tray_chart(&mut h, &p.trays);
    }
    h.push_str("<h2>Files</h2><table>\n");
    let shown = 8;
    for f in r.files.iter().take(shown) {
        let _ = writeln!(
            h,
            "<tr><td>{}</td><td class=\"n\">{} pieces</td><td class=\"n\">{} pages</td></tr>",
            esc(&f.name),
            n(f.pieces as u64),
            n(f.pages as u64)
        );
    }
    if r.files.len() > shown {
        let _ = writeln!(
            h,
            "<tr><td>… and {} more (see report.json)</td></tr>",
            r.files.len() - shown
        );
    }
    h.push_str("</table>\n</body></html>\n");
    h
}

fn postage(h: &mut String, p: &Postage) {
    let _ = write!(
        h,
        "<h2>Postage: {}</h2><table>\n\
         <tr><td>Presorted</td><td class=\"n\">{} EUR</td></tr>\n\
         <tr><td>All single-piece</td><td class=\"n\">{} EUR</td></tr>\n\
         <tr><td>Saving</td><td class=\"n\">{} EUR ({} %)</td></tr>\n\
         <tr><td>Weight</td><td class=\"n\">{} kg</td></tr>\n</table>\n",
        esc(&p.product),
        esc(&p.presorted_eur),
        esc(&p.single_piece_eur),
        esc(&p.saving_eur),
        esc(&p.saving_percent),
        esc(&format!("{:.1}", p.weight_g as f64 / 1000.0)),
    );
    if p.below_minimum {
        h.push_str("<p class=\"warn\">Below the carrier's deposit minimum: priced single-piece.</p>\n");
    }
}

/// Horizontal bars, one per (label, value).
fn bars(h: &mut String, rows: &[(String, u32)]) {
    let max = rows.iter().map(|r| r.1).max().unwrap_or(0).max(1);
    let (label_w, bar_w, row_h) = (120.0, 520.0, 16.0);
    let height = row_h * rows.len() as f64 + 4.0;
    let _ = writeln!(
        h,
        "<svg class=\"levels\" width=\"100%\" viewBox=\"0 0 700 {height}\" role=\"img\" aria-label=\"pieces per sort level\">"
    );
    for (k, (label, v)) in rows.iter().enumerate() {
        let y = 2.0 + row_h * k as f64;
        let w = bar_w * *v as f64 / max as f64;
        let _ = writeln!(
            h,
            "<text x=\"0\" y=\"{ty}\">{label}</text><rect class=\"bar\" x=\"{label_w}\" y=\"{y}\" width=\"{w:.1}\" height=\"{bh}\" fill=\"#4a6fa5\"/>\
             <text x=\"{tx:.1}\" y=\"{ty}\">{v}</text>",
            ty = y + 11.0,
            label = esc(label),
            bh = row_h - 4.0,
            tx = label_w + w + 4.0,
            v = n(*v as u64),
        );
    }
    h.push_str("</svg>\n");
}

/// A column per tray, coloured by level: how full each tray is, at a glance.
fn tray_chart(h: &mut String, trays: &[TrayFill]) {
    if trays.is_empty() {
        h.push_str("<p>No trays: every piece goes single-piece.</p>\n");
        return;
    }
    let max = trays.iter().map(|t| t.pieces).max().unwrap_or(1).max(1);
    let (width, height) = (700.0, 90.0);
    let step = width / trays.len() as f64;
    let palette = ["#4a6fa5", "#6b9e5a", "#c98b2f", "#9b5aa5", "#a54a4a", "#4aa59b"];
    let mut levels: Vec<&str> = Vec::new();
    let _ = writeln!(
        h,
        "<svg class=\"trays\" width=\"100%\" viewBox=\"0 0 {width} {total}\" role=\"img\" aria-label=\"pieces per tray\">",
        total = height + 16.0
    );
    for (k, t) in trays.iter().enumerate() {
        let level = match levels.iter().position(|l| *l == t.level) {
            Some(i) => i,
            None => {
                levels.push(&t.level);
                levels.len() - 1
            }
        };
        let bar = height * t.pieces as f64 / max as f64;
        let _ = writeln!(
            h,
            "<rect class=\"tray\" x=\"{x:.2}\" y=\"{y:.2}\" width=\"{w:.2}\" height=\"{bar:.2}\" fill=\"{fill}\"><title>tray {tray}: {pieces} pieces, {level}</title></rect>",
            x = step * k as f64,
            y = height - bar,
            w = (step * 0.85).max(0.5),
            fill = palette[level % palette.len()],
            tray = t.tray,
            pieces = t.pieces,
            level = esc(&t.level),
        );
    }
    let mut x = 0.0;
    for (i, level) in levels.iter().enumerate() {
        let _ = writeln!(
            h,
            "<rect x=\"{x}\" y=\"{y}\" width=\"8\" height=\"8\" fill=\"{}\"/><text x=\"{tx}\" y=\"{ty}\">{}</text>",
            palette[i % palette.len()],
            esc(level),
            y = height + 6.0,
            tx = x + 11.0,
            ty = height + 14.0,
        );
        x += 20.0 + 6.0 * level.chars().count() as f64;
    }
    h.push_str("</svg>\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    fn counts() -> Counts {
        let mut c = Counts {
            records: 1_234_567,
            composed: 1_234_000,
            suppressed: 500,
            rejected: 67,
            pages: 1_234_000,
            sheets: 1_234_000,
            ..Counts::default()
        };
        c.reasons.insert("suppressed:optout".into(), 500);
        c.reasons.insert("missing_field:city".into(), 67);
        c
    }

    #[test]
    fn the_report_shows_counts_reasons_postage_and_a_bar_per_tray() {
        let c = counts();
        let postage = Postage {
            product: "Lettre <verte>".into(),
            per_level: vec![("postcode".into(), 900), ("departement".into(), 100)],
            trays: vec![
                TrayFill {
                    tray: 1,
                    level: "postcode".into(),
                    pieces: 600,
                },
                TrayFill {
                    tray: 2,
                    level: "postcode".into(),
                    pieces: 300,
                },
                TrayFill {
                    tray: 3,
                    level: "departement".into(),
                    pieces: 100,
                },
            ],
            presorted_eur: "263.75".into(),
            ..Postage::default()
        };
        let html = render(&JobReport {
            job: "spring",
            layout: "Lettre",
            data: "contacts.csv",
            date: "2026-11-28",
            counts: &c,
            files: &[],
            postage: Some(&postage),
        });
        assert!(html.contains("1\u{202f}234\u{202f}567"), "thousands grouped");
        assert!(html.contains("suppressed:optout"));
        assert!(html.contains("263.75 EUR"));
        assert!(html.contains("Lettre &lt;verte&gt;"), "escaped");
        assert_eq!(html.matches("<rect class=\"tray\"").count(), 3);
        assert_eq!(html.matches("<rect class=\"bar\"").count(), 2);
        assert!(!html.contains("class=\"warn\""), "the counts add up");
    }

    #[test]
    fn counts_that_do_not_add_up_are_shown() {
        let mut c = counts();
        c.records += 1;
        let html = render(&JobReport {
            job: "j",
            layout: "l",
            data: "d",
            date: "2026-11-28",
            counts: &c,
            files: &[],
            postage: None,
        });
        assert!(html.contains("class=\"warn\""));
    }
}
