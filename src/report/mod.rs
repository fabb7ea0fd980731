//! The job's accounts: `manifest.csv` (one row per input record) and `report.json`.

use std::collections::BTreeMap;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use serde::Serialize;

/// What happened to one input record. Kept for every record of a job, so it is small:
/// a million of them fit in a few tens of megabytes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Status {
    /// Accepted by the first pass; its fate is decided when it is composed.
    Planned,
    /// Composed into a mailpiece.
    Composed {
        /// The piece's number (its id is `P` and this number on 7 digits).
        piece: u32,
        /// Index of the output file in the job's file list.
        file: u32,
        /// First page of the piece in that file (1-based).
        first_page: u32,
        /// Number of pages.
        pages: u32,
        /// Warnings, `; `-separated, if any.
        warnings: Option<Box<str>>,
    },
    /// Deliberately not mailed.
    Suppressed {
        /// Reason code, e.g. `optout`.
        reason: &'static str,
    },
    /// Could not be used.
    Rejected {
        /// Reason code, e.g. `missing_field:postcode`.
        code: Box<str>,
        /// Human message.
        message: Box<str>,
    },
}

/// The reason of a record a job planned but never composed (a bug if it is ever seen).
const NOT_COMPOSED: &str = "internal:not_composed";

/// A piece id as printed: `P0000042`.
pub fn piece_id(piece: u32) -> String {
    format!("P{piece:07}")
}

/// One manifest row.
#[derive(Clone, Debug)]
pub struct Row {
    /// The record's id (id column, or its line number).
    pub record_id: Box<str>,
    /// Physical line in the input file.
    pub line: u64,
    /// What happened.
    pub status: Status,
}

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
    /// Composed records that carry a warning (see the manifest's reason column).
    pub warned: u64,
    /// Pages written.
    pub pages: u64,
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
}

/// Tallies rows into counts.
pub fn count(rows: &[Row]) -> Counts {
    let mut c = Counts {
        records: rows.len() as u64,
        ..Counts::default()
    };
    for r in rows {
        match &r.status {
            Status::Composed { pages, warnings, .. } => {
                c.composed += 1;
                c.pages += *pages as u64;
                if warnings.is_some() {
                    c.warned += 1;
                }
            }
            Status::Planned => {
                // Never left by a finished job; counted rather than lost if it ever is.
                c.rejected += 1;
                *c.reasons.entry(NOT_COMPOSED.into()).or_default() += 1;
            }
            Status::Suppressed { reason } => {
                c.suppressed += 1;
                *c.reasons.entry(format!("suppressed:{reason}")).or_default() += 1;
            }
            Status::Rejected { code, .. } => {
                c.rejected += 1;
                *c.reasons.entry(code.to_string()).or_default() += 1;
            }
        }
    }
    c
}

/// Writes `manifest.csv`: `record_id,line,status,reason,piece_id,file,first_page,pages`.
pub fn write_manifest(path: &Path, rows: &[Row], files: &[FileEntry]) -> io::Result<()> {
    write_atomic(path, |out| {
        let mut w = csv::Writer::from_writer(out);
        w.write_record([
            "record_id",
            "line",
            "status",
            "reason",
            "piece_id",
            "file",
            "first_page",
            "pages",
        ])?;
        for r in rows {
            let line = r.line.to_string();
            match &r.status {
                Status::Composed {
                    piece,
                    file,
                    first_page,
                    pages,
                    warnings,
                } => {
                    let name = files.get(*file as usize).map_or("", |f| f.name.as_str());
                    w.write_record([
                        &*r.record_id,
                        &line,
                        "composed",
                        warnings.as_deref().unwrap_or(""),
                        &piece_id(*piece),
                        name,
                        &first_page.to_string(),
                        &pages.to_string(),
                    ])?;
                }
                Status::Suppressed { reason } => {
                    let reason = format!("suppressed:{reason}");
                    w.write_record([&*r.record_id, &line, "suppressed", &reason, "", "", "", ""])?;
                }
                Status::Rejected { message, .. } => {
                    w.write_record([&*r.record_id, &line, "rejected", message, "", "", "", ""])?;
                }
                Status::Planned => {
                    w.write_record([&*r.record_id, &line, "rejected", NOT_COMPOSED, "", "", "", ""])?;
                }
            }
        }
        w.flush()?;
        Ok(())
    })
}

/// Writes `report.json`.
pub fn write_report(path: &Path, report: &Report) -> io::Result<()> {
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

    #[test]
    fn counts_add_up() {
        let rows = vec![
            Row {
                record_id: "a".into(),
                line: 2,
                status: Status::Composed {
                    piece: 1,
                    file: 0,
                    first_page: 1,
                    pages: 2,
                    warnings: None,
                },
            },
            Row {
                record_id: "b".into(),
                line: 3,
                status: Status::Suppressed { reason: "optout" },
            },
            Row {
                record_id: "c".into(),
                line: 4,
                status: Status::Rejected {
                    code: "missing_field:city".into(),
                    message: "missing_field:city: …".into(),
                },
            },
        ];
        let c = count(&rows);
        assert_eq!(c.records, c.composed + c.suppressed + c.rejected);
        assert_eq!(c.pages, 2);
        assert_eq!(c.reasons["suppressed:optout"], 1);
        assert_eq!(c.reasons["missing_field:city"], 1);
    }
}
