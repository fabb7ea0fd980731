//! The job's accounts, rendered from its ledger ([`crate::record`]): `manifest.csv` (one row per
//! input record), `report.json` and `report.html`.

use std::collections::BTreeMap;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::record::{Channels, Fate, FinishedOutcomes, Outcome, PieceId, Records};

mod html;

pub use html::{render as render_html, write_html_report, JobReport, Postage, TrayFill, HTML_REPORT};

/// The reason of a record a job planned but never composed (a bug if it is ever seen).
const NOT_COMPOSED: &str = "internal:not_composed";

/// An output file as listed in the report.
#[derive(Clone, Debug, Serialize)]
pub struct FileEntry {
    /// File name inside the output folder.
    pub name: String,
    /// Pages in it.
    pub pages: u32,
    /// Mailpieces in it.
    pub pieces: u32,
    /// Size in bytes.
    pub bytes: u64,
}

/// Counts for `report.json` and the summary line.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Counts {
    /// Records read.
    pub records: u64,
    /// Records composed.
    pub composed: u64,
    /// Records suppressed.
    pub suppressed: u64,
    /// Records rejected.
    pub rejected: u64,
    /// Records sent by e-mail or SMS only (not mailed).
    pub exported: u64,
    /// Records per channel they go by (`post`, `email`, `sms`); a record may count in several.
    pub channels: BTreeMap<String, u64>,
    /// Composed records that carry a warning (see the manifest's reason column).
    pub warned: u64,
    /// Pages written.
    pub pages: u64,
    /// Sheets they are printed on.
    pub sheets: u64,
    /// Household documents composed (one per household, to its first mailed member).
    pub household_docs: u64,
    /// Their pages.
    pub household_pages: u64,
    /// Records per reason code (`suppressed:…` and rejection codes).
    pub reasons: BTreeMap<String, u64>,
}

/// The whole report.
#[derive(Clone, Debug, Serialize)]
pub struct Report {
    /// The layout's name.
    pub layout: String,
    /// The data file.
    pub data: String,
    /// How the data file was read: format, encoding, delimiter, and why.
    pub source: crate::data::Detection,
    /// The letter's date.
    pub date: String,
    /// Counts.
    pub counts: Counts,
    /// Output files.
    pub files: Vec<FileEntry>,
    /// The presort plan and postage, when the job was presorted.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub presort: Option<serde_json::Value>,
}

/// The manifest's columns.
pub const MANIFEST_COLUMNS: [&str; 17] = [
    "record_id",
    "line",
    "status",
    "reason",
    "piece_id",
    "file",
    "first_page",
    "pages",
    "channels",
    "household",
    "household_doc",
    "household_doc_file",
    "household_doc_first_page",
    "household_doc_pages",
    "sheets",
    "tray",
    "bundle",
];

/// Writes `manifest.csv` ([`MANIFEST_COLUMNS`]), one row per input record in file order,
/// from the ledger; returns the job's counts. Every record is `composed`, `exported`
/// (e-mail or SMS only), `suppressed` or `rejected`; `channels` lists those it goes by.
pub fn write_manifest(
    path: &Path,
    records: &Records,
    outcomes: &FinishedOutcomes,
    files: &[FileEntry],
    household_files: &[FileEntry],
) -> io::Result<Counts> {
    let mut c = Counts {
        records: records.records(),
        ..Counts::default()
    };
    write_atomic(path, |out| {
        let mut w = csv::Writer::from_writer(out);
        w.write_record(MANIFEST_COLUMNS)?;
        let mut entries = records.read();
        let mut slots = outcomes.read();
        let mut reason = String::new();
        while let Some(e) = entries.next_entry()? {
            let outcome = slots.next_outcome()?;
            let line = e.pos.line.to_string();
            // The channels a record went by, as sent; none when it was not sent.
            let by = match &outcome {
                Some(Outcome::Composed { channels, .. } | Outcome::Exported { channels }) => *channels,
                _ => Channels::NONE,
            };
            for name in by.names() {
                bump(&mut c.channels, name);
            }
            let channels = if by.is_empty() {
                String::new()
            } else {
                by.to_string()
            };
            let doc: [String; 4] = match &outcome {
                Some(Outcome::Composed {
                    household_doc: Some(d),
                    ..
                }) => {
                    c.household_docs += 1;
                    c.household_pages += d.pages as u64;
                    let name = household_files
                        .get(d.file as usize)
                        .map_or("", |f| f.name.as_str());
                    [
                        PieceId::household_doc(d.piece).to_string(),
                        name.to_owned(),
                        d.first_page.to_string(),
                        d.pages.to_string(),
                    ]
                }
                _ => Default::default(),
            };
            // Sheets, and tray and bundle when presorted.
            let place: [String; 3] = match &outcome {
                Some(Outcome::Composed { place: p, .. }) => {
                    c.sheets += p.sheets as u64;
                    let n = |v: u32| if v == 0 { String::new() } else { v.to_string() };
                    [p.sheets.to_string(), n(p.tray), n(p.bundle)]
                }
                _ => Default::default(),
            };
            let mut row = |status: &str, reason: &str, piece: [&str; 4]| {
                w.write_record([
                    &*e.id,
                    &line,
                    status,
                    reason,
                    piece[0],
                    piece[1],
                    piece[2],
                    piece[3],
                    &channels,
                    &e.household,
                    &doc[0],
                    &doc[1],
                    &doc[2],
                    &doc[3],
                    &place[0],
                    &place[1],
                    &place[2],
                ])
            };
            match (&e.fate, outcome.as_ref()) {
                (Fate::Suppressed(why), _) => {
                    c.suppressed += 1;
                    reason.clear();
                    reason.push_str("suppressed:");
                    reason.push_str(why);
                    // Each duplicate names its survivor; they are counted together.
                    let counted = if why.starts_with("duplicate_of:") {
                        "suppressed:duplicate"
                    } else {
                        &reason
                    };
                    bump(&mut c.reasons, counted);
                    row("suppressed", &reason, [""; 4])?;
                }
                (Fate::Exported, Some(Outcome::Exported { .. })) => {
                    c.exported += 1;
                    row("exported", "", [""; 4])?;
                }
                (Fate::Rejected { code, message }, _)
                | (Fate::Planned | Fate::Exported, Some(Outcome::Rejected { code, message })) => {
                    c.rejected += 1;
                    bump(&mut c.reasons, code);
                    row("rejected", message, [""; 4])?;
                }
                (
                    Fate::Planned,
                    Some(Outcome::Composed {
                        piece,
                        file,
                        first_page,
                        pages,
                        warnings,
                        ..
                    }),
                ) => {
                    c.composed += 1;
                    c.pages += *pages as u64;
                    c.warned += warnings.is_some() as u64;
                    let name = files.get(*file as usize).map_or("", |f| f.name.as_str());
                    row(
                        "composed",
                        warnings.as_deref().unwrap_or(""),
                        [
                            &PieceId::letter(*piece).to_string(),
                            name,
                            &first_page.to_string(),
                            &pages.to_string(),
                        ],
                    )?;
                }
                (Fate::Planned | Fate::Exported, _) => {
                    // Never left by a finished job; counted rather than lost if it ever is.
                    c.rejected += 1;
                    bump(&mut c.reasons, NOT_COMPOSED);
                    row("rejected", NOT_COMPOSED, [""; 4])?;
                }
            }
        }
        w.flush()?;
        Ok(())
    })?;
    Ok(c)
}

fn bump(counts: &mut BTreeMap<String, u64>, key: &str) {
    match counts.get_mut(key) {
        Some(n) => *n += 1,
        None => {
            counts.insert(key.to_owned(), 1);
        }
    }
}

/// Writes `report.json`.
pub fn write_report(path: &Path, report: &Report) -> io::Result<()> {
    write_report_json(path, report)
}

/// Writes any report as pretty JSON, atomically.
pub fn write_report_json(path: &Path, report: &impl Serialize) -> io::Result<()> {
    write_atomic(path, |out| {
        serde_json::to_writer_pretty(&mut *out, report)?;
        out.write_all(b"\n")
    })
}

/// Writes a file through a temporary name, renamed into place when complete.
pub fn write_atomic(
    path: &Path,
    body: impl FnOnce(&mut io::BufWriter<std::fs::File>) -> io::Result<()>,
) -> io::Result<()> {
    let tmp = tmp_path(path);
    let result = (|| {
        let mut out = io::BufWriter::new(std::fs::File::create(&tmp)?);
        body(&mut out)?;
        out.into_inner().map_err(|e| e.into_error())?.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

fn tmp_path(path: &Path) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(".tmp");
    path.with_file_name(name)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::{DocRef, Outcomes, PiecePlace, RecordLog, RecordPos, Routing};

    #[test]
    fn manifest_counts_add_up() {
        let dir = tempfile::tempdir().unwrap();
        let mut log = RecordLog::create(dir.path()).unwrap();
        let at = |line| RecordPos { line, offset: 0 };
        let post = Channels::POST;
        let to = |channels, household| Routing {
            channels,
            household,
            household_lead: household == "H1",
        };
        log.push(at(2), "a", &Fate::Planned, to(post | Channels::EMAIL, "H1"))
            .unwrap();
        log.push(
            at(3),
            "b",
            &Fate::Suppressed("optout".into()),
            to(Channels::NONE, ""),
        )
        .unwrap();
        let rejected = Fate::Rejected {
            code: "missing_field:city".into(),
            message: "missing_field:city: …".into(),
        };
        log.push(at(4), "c", &rejected, to(post, "")).unwrap();
        log.push(at(5), "d", &Fate::Planned, to(post, "")).unwrap();
        log.push(at(6), "e", &Fate::Planned, to(post, "")).unwrap();
        log.push(at(7), "f", &Fate::Exported, to(Channels::SMS, ""))
            .unwrap();
        let dup = Fate::Suppressed("duplicate_of:a".into());
        log.push(at(8), "g", &dup, to(post, "H2")).unwrap();
        log.push(
            at(9),
            "h",
            &Fate::Suppressed("duplicate_of:d".into()),
            to(post, ""),
        )
        .unwrap();
        let records = log.finish().unwrap();
        let mut out = Outcomes::create(dir.path()).unwrap();
        let composed = Outcome::Composed {
            piece: 1,
            file: 0,
            first_page: 1,
            pages: 2,
            warnings: None,
            channels: post | Channels::EMAIL,
            household_doc: Some(DocRef {
                piece: 1,
                file: 0,
                first_page: 1,
                pages: 8,
            }),
            place: PiecePlace {
                sheets: 1,
                tray: 3,
                bundle: 0,
            },
        };
        out.set(0, &composed).unwrap();
        let sent = Outcome::Exported {
            channels: Channels::SMS,
        };
        out.set(5, &sent).unwrap();
        let failed = Outcome::Rejected {
            code: "missing_glyph".into(),
            message: "no glyph".into(),
        };
        out.set(3, &failed).unwrap();
        // Record 4 planned but never composed: accounted for, not lost.
        let outcomes = out.finish(records.records()).unwrap();
        let files = [FileEntry {
            name: "letter-0001.pdf".into(),
            pages: 2,
            pieces: 1,
            bytes: 1000,
        }];
        let path = dir.path().join("manifest.csv");
        let household_files = [FileEntry {
            name: "catalogue-0001.pdf".into(),
            pages: 8,
            pieces: 1,
            bytes: 9000,
        }];
        let c = write_manifest(&path, &records, &outcomes, &files, &household_files).unwrap();
        assert_eq!((c.household_docs, c.household_pages), (1, 8));
        assert_eq!(c.records, 8);
        assert_eq!(c.records, c.composed + c.exported + c.suppressed + c.rejected);
        assert_eq!(
            (c.composed, c.exported, c.suppressed, c.rejected, c.pages),
            (1, 1, 3, 3, 2)
        );
        assert_eq!(c.reasons["suppressed:duplicate"], 2);
        // Rejected records go by no channel: a (composed), f (exported) only.
        assert_eq!(
            (c.channels["post"], c.channels["email"], c.channels["sms"]),
            (1, 1, 1)
        );
        assert_eq!(c.reasons["suppressed:optout"], 1);
        assert_eq!(c.reasons["missing_field:city"], 1);
        assert_eq!(c.reasons["missing_glyph"], 1);
        assert_eq!(c.reasons[NOT_COMPOSED], 1);
        let text = std::fs::read_to_string(&path).unwrap();
        let lines: Vec<_> = text.lines().collect();
        assert_eq!(lines.len(), 9);
        assert_eq!(lines[0], MANIFEST_COLUMNS.join(","));
        assert_eq!(
            lines[1],
            "a,2,composed,,P0000001,letter-0001.pdf,1,2,post+email,H1,D0000001,catalogue-0001.pdf,1,8,1,3,"
        );
        assert_eq!(lines[2], "b,3,suppressed,suppressed:optout,,,,,,,,,,,,,");
        assert_eq!(lines[4], "d,5,rejected,no glyph,,,,,,,,,,,,,");
        assert_eq!(lines[5], format!("e,6,rejected,{NOT_COMPOSED},,,,,,,,,,,,,"));
        assert_eq!(lines[6], "f,7,exported,,,,,,sms,,,,,,,,");
        assert_eq!(
            lines[7],
            "g,8,suppressed,suppressed:duplicate_of:a,,,,,,H2,,,,,,,"
        );
    }
}
