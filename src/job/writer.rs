//! The single writer of a compose job: pieces appended in plan order to their output
//! streams (the letters, and each household's document when the job has one), a new
//! file started when one is full, messages to their files, and every outcome recorded.

use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::sync::Arc;

use super::compose::{PieceResult, Sent};
use super::exports::Exports;
use super::prepare::rejection;
use super::JobError;
use crate::pdf::{EncodedPage, PdfWriter, Shared};
use crate::production::{ControlFile, PieceSheets};
use crate::report::{self, DocRef, Entry, Fate, FileEntry, Outcome, Outcomes};

/// An output stream's files: what they are named after, what they share, how big they get.
pub struct StreamSpec {
    /// File names are `<stem>-0001.pdf`, `<stem>-0002.pdf`, …
    pub stem: String,
    /// The PDF title.
    pub title: String,
    /// Fonts, images and forms of the stream's layout.
    pub shared: Arc<Shared>,
    /// Pages a file may hold before the next piece starts a new one.
    pub max_pages: u32,
    /// How a piece's id is written (`P0000001`, `D0000001`).
    pub piece_id: fn(u32) -> String,
}

/// Where the writer puts what it receives.
pub struct Outputs {
    /// The e-mail and SMS files.
    pub exports: Exports,
    /// The letters' stream.
    pub letters: StreamSpec,
    /// The household documents' stream, when the job has one.
    pub households: Option<StreamSpec>,
    /// The inserter control file, when the layout asks for one.
    pub control: Option<Control>,
}

/// The inserter control file of the letters' stream, and the pages of one sheet.
pub struct Control {
    /// The file being written.
    pub file: ControlFile,
    /// 1 (simplex) or 2 (duplex).
    pub pages_per_sheet: u32,
}

/// A stream being written.
struct Stream {
    spec: StreamSpec,
    current: Option<(PdfWriter, u32)>,
    files: Vec<FileEntry>,
    pieces: u32,
}

impl Stream {
    fn new(spec: StreamSpec) -> Stream {
        Stream {
            spec,
            current: None,
            files: Vec::new(),
            pieces: 0,
        }
    }

    /// Appends a piece, never splitting it across files; says where it went.
    fn add(&mut self, pages: &[EncodedPage], record_id: &str, out_dir: &Path) -> Result<DocRef, JobError> {
        let n = pages.len() as u32;
        if let Some((pdf, _)) = &self.current {
            if pdf.pages() > 0 && pdf.pages() + n > self.spec.max_pages {
                let (pdf, count) = self.current.take().expect("checked above");
                self.files.push(finish(pdf, count, out_dir)?);
            }
        }
        if self.current.is_none() {
            let name = format!("{}-{:04}.pdf", self.spec.stem, self.files.len() + 1);
            let path = out_dir.join(&name);
            let pdf = PdfWriter::create(&path, self.spec.shared.clone(), &self.spec.title)
                .map_err(|source| JobError::Output { path, source })?;
            self.current = Some((pdf, 0));
        }
        let (pdf, count) = self.current.as_mut().expect("created above");
        self.pieces += 1;
        pdf.begin_record(&(self.spec.piece_id)(self.pieces), record_id);
        let mut first_page = 0;
        for (k, page) in pages.iter().enumerate() {
            let at = pdf.add_page(page).map_err(|source| JobError::Output {
                path: out_dir.to_owned(),
                source,
            })?;
            if k == 0 {
                first_page = at;
            }
        }
        *count += 1;
        Ok(DocRef {
            piece: self.pieces,
            file: self.files.len() as u32,
            first_page,
            pages: n,
        })
    }

    fn finish(mut self, out_dir: &Path) -> Result<Vec<FileEntry>, JobError> {
        if let Some((pdf, count)) = self.current.take() {
            self.files.push(finish(pdf, count, out_dir)?);
        }
        Ok(self.files)
    }

    /// Drops the open file and removes the finished ones.
    fn abandon(mut self, out_dir: &Path) {
        drop(self.current.take());
        for f in &self.files {
            let _ = std::fs::remove_file(out_dir.join(&f.name));
        }
    }
}

/// What the writer leaves.
pub struct Written {
    /// Every sent record's outcome.
    pub outcomes: Outcomes,
    /// The letters' files.
    pub files: Vec<FileEntry>,
    /// The household documents' files.
    pub household_files: Vec<FileEntry>,
    /// The rejection that went past the limit, when the writer stopped: its line, record
    /// id, message, and the rejections counted then.
    pub stopped_at: Option<(u64, Box<str>, Box<str>, u64)>,
}

/// The single writer: appends pieces in order and records each sent record's outcome.
///
/// With a reject limit `(limit, rejected in pass 1)`, it stops at the rejection that
/// goes past it and removes the files it wrote, so nothing looks complete that is not.
pub fn write_pieces(
    rx: mpsc::Receiver<Vec<(Entry, PieceResult)>>,
    outcomes: Outcomes,
    outputs: Outputs,
    out_dir: PathBuf,
    limit: Option<(u64, u64)>,
) -> Result<Written, JobError> {
    let Outputs {
        mut exports,
        letters,
        households,
        mut control,
    } = outputs;
    let ledger_error = |source| JobError::Output {
        path: out_dir.clone(),
        source,
    };
    let mut outcomes = outcomes;
    let mut letters = Stream::new(letters);
    let mut households = households.map(Stream::new);
    let mut rejected = limit.map_or(0, |(_, r)| r);
    for batch in rx {
        for (entry, result) in batch {
            let sent: Sent = match result {
                Ok(sent) => sent,
                Err(r) => {
                    let Fate::Rejected { code, message } = rejection(r) else {
                        unreachable!("rejection() gives a rejected fate")
                    };
                    rejected += 1;
                    if limit.is_some_and(|(l, _)| rejected > l) {
                        letters.abandon(&out_dir);
                        if let Some(h) = households {
                            h.abandon(&out_dir);
                        }
                        exports.abandon();
                        if let Some(c) = control {
                            c.file.abandon();
                        }
                        return Ok(Written {
                            outcomes,
                            files: Vec::new(),
                            household_files: Vec::new(),
                            stopped_at: Some((entry.pos.line, entry.id, message, rejected)),
                        });
                    }
                    outcomes
                        .set(entry.index, &Outcome::Rejected { code, message })
                        .map_err(ledger_error)?;
                    continue;
                }
            };
            if let Some((to, email)) = &sent.email {
                exports.email(&entry.id, to, email).map_err(ledger_error)?;
            }
            if let Some((to, sms)) = &sent.sms {
                exports.sms(&entry.id, to, sms).map_err(ledger_error)?;
            }
            if sent.pages.is_empty() {
                let outcome = Outcome::Exported {
                    channels: entry.channels,
                };
                outcomes.set(entry.index, &outcome).map_err(ledger_error)?;
                continue;
            }
            let letter = letters.add(&sent.pages, &entry.id, &out_dir)?;
            let household_doc = match (&mut households, sent.household_pages.is_empty()) {
                (Some(stream), false) => Some(stream.add(&sent.household_pages, &entry.id, &out_dir)?),
                _ => None,
            };
            if let Some(c) = &mut control {
                let name = format!("{}-{:04}.pdf", letters.spec.stem, letter.file + 1);
                let sheets = PieceSheets {
                    file: &name,
                    first_page: letter.first_page,
                    pages_per_sheet: c.pages_per_sheet,
                    sheets: letter.pages.div_ceil(c.pages_per_sheet),
                    piece_id: &(letters.spec.piece_id)(letter.piece),
                    record_id: &entry.id,
                    feeders: if household_doc.is_some() {
                        "household_doc"
                    } else {
                        ""
                    },
                };
                c.file.piece(&sheets).map_err(ledger_error)?;
            }
            let warnings = sent.notes;
            let outcome = Outcome::Composed {
                piece: letter.piece,
                file: letter.file,
                first_page: letter.first_page,
                pages: letter.pages,
                warnings: (!warnings.is_empty()).then(|| warnings.join("; ").into_boxed_str()),
                channels: entry.channels,
                household_doc,
            };
            outcomes.set(entry.index, &outcome).map_err(ledger_error)?;
        }
    }
    exports.finish().map_err(ledger_error)?;
    if let Some(c) = control {
        c.file.finish().map_err(ledger_error)?;
    }
    Ok(Written {
        outcomes,
        files: letters.finish(&out_dir)?,
        household_files: match households {
            Some(h) => h.finish(&out_dir)?,
            None => Vec::new(),
        },
        stopped_at: None,
    })
}

fn finish(pdf: PdfWriter, pieces: u32, out_dir: &Path) -> Result<FileEntry, JobError> {
    let summary = pdf.finish().map_err(|source| JobError::Output {
        path: out_dir.to_owned(),
        source,
    })?;
    Ok(FileEntry {
        name: summary
            .path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default(),
        pages: summary.pages,
        pieces,
        bytes: summary.bytes,
    })
}

/// The stream spec of a layout's letters or documents.
pub fn stream_of(
    layout_path: &Path,
    title: &str,
    shared: Arc<Shared>,
    max_pages: u32,
    piece_id: fn(u32) -> String,
) -> StreamSpec {
    StreamSpec {
        stem: layout_path
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or("pli")
            .to_owned(),
        title: title.to_owned(),
        shared,
        max_pages: max_pages.max(1),
        piece_id,
    }
}

/// Letters' piece ids.
pub fn letter_id(piece: u32) -> String {
    report::piece_id(piece)
}
