//! The single writer of a compose job: pieces appended in plan order to their output
//! streams (the letters, and each household's document when the job has one), a new
//! file started at a tray boundary or when one is full, messages to their files, and
//! every outcome recorded.
//!
//! A file's name says its stream, its sequence in the stream and the pieces it holds:
//! `letter-0003-P0000101-P0000180.pdf`. A piece never straddles two files.

use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::sync::Arc;

use super::compose::{PieceResult, Sent};
use super::exports::Exports;
use super::feed::Fed;
use super::JobError;
use crate::compose::layout_file::OmrSpec;
use crate::pdf::{EncodedPage, PdfWriter, RecordMeta, Shared};
use crate::production::{omr_overlay, ControlFile, OmrCode, PieceSheets};
use crate::record::{DocRef, Outcome, Outcomes, PieceId, PieceKind, PiecePlace};
use crate::report::FileEntry;

/// An output stream's files: what they are named after, what they share, how big they get.
pub struct StreamSpec {
    /// The stream's name, which starts its files' names.
    pub stem: String,
    /// The PDF title.
    pub title: String,
    /// Fonts, images and forms of the stream's layout.
    pub shared: Arc<Shared>,
    /// Pages a file may hold before the next piece starts a new one.
    pub max_pages: u32,
    /// Sheets a file may hold before the next piece starts a new one.
    pub max_sheets: u32,
    /// Pages printed on one sheet: 1 (simplex) or 2 (duplex).
    pub pages_per_sheet: u32,
    /// Which pieces it holds, and so how their ids are written (`P0000001`, `D0000001`).
    pub kind: PieceKind,
    /// Start a new file where the tray changes (a presorted job).
    pub split_trays: bool,
    /// The inserter's OMR marks on every sheet's front, when the layout has them.
    pub omr: Option<OmrSpec>,
}

impl StreamSpec {
    /// The name of file `seq` (from 1) holding pieces `first` to `last`.
    pub fn file_name(&self, seq: usize, first: u32, last: u32) -> String {
        format!(
            "{}-{seq:04}-{}-{}.pdf",
            self.stem,
            self.piece_id(first),
            self.piece_id(last)
        )
    }

    /// The id of the stream's piece `number`.
    pub fn piece_id(&self, number: u32) -> PieceId {
        PieceId {
            kind: self.kind,
            number,
        }
    }
}

/// Where the writer puts what it receives.
pub struct Outputs {
    /// The e-mail and SMS files.
    pub exports: Exports,
    /// The letters' stream.
    pub letters: StreamSpec,
    /// The letters that carry the household's document as an insert, when they go to a
    /// stream of their own (`[production] split_inserts`).
    pub with_inserts: Option<StreamSpec>,
    /// The household documents' stream, when the job has one.
    pub households: Option<StreamSpec>,
    /// The inserter control file, when the layout asks for one.
    pub control: Option<ControlFile>,
}

/// A piece waiting in an open file for its file's name, to go into the control file.
struct Pending {
    first_page: u32,
    sheets: u32,
    piece: u32,
    record_id: Box<str>,
    feeders: bool,
    divert: bool,
}

/// The file a stream is writing.
struct Open {
    pdf: PdfWriter,
    /// Its index in the job's file list.
    index: u32,
    seq: usize,
    pieces: u32,
    sheets: u32,
    tray: u32,
    first: u32,
    last: u32,
    pending: Vec<Pending>,
}

/// The files of the streams that share one numbering (the letters' streams).
#[derive(Default)]
struct Files {
    /// Indexed as recorded in the outcomes; `None` while a file is being written.
    entries: Vec<Option<FileEntry>>,
}

/// A stream being written.
struct Stream {
    spec: StreamSpec,
    current: Option<Open>,
    /// Files started so far.
    started: usize,
    /// Names given, for removal if the job stops.
    written: Vec<PathBuf>,
    /// The OMR overlays drawn so far, by code (a layout's pages are all one size).
    omr_ops: [Option<Vec<u8>>; 16],
}

impl Stream {
    fn new(spec: StreamSpec) -> Stream {
        Stream {
            spec,
            current: None,
            started: 0,
            written: Vec::new(),
            omr_ops: Default::default(),
        }
    }

    /// Appends a piece, never splitting it across files; says where it went.
    fn add(
        &mut self,
        piece: Piece,
        files: &mut Files,
        control: &mut Option<ControlFile>,
        out_dir: &Path,
    ) -> Result<DocRef, JobError> {
        let n = piece.pages.len() as u32;
        let sheets = n.div_ceil(self.spec.pages_per_sheet);
        if let Some(open) = &self.current {
            let full =
                open.pdf.pages() + n > self.spec.max_pages || open.sheets + sheets > self.spec.max_sheets;
            if open.pieces > 0 && (full || (self.spec.split_trays && open.tray != piece.tray)) {
                self.close(files, control, out_dir)?;
            }
        }
        if self.current.is_none() {
            self.started += 1;
            // Named for now by its sequence; renamed for its pieces when it is full.
            let path = out_dir.join(format!("{}-{:04}.pdf", self.spec.stem, self.started));
            let pdf = PdfWriter::create(&path, self.spec.shared.clone(), &self.spec.title)
                .map_err(|source| JobError::Output { path, source })?;
            files.entries.push(None);
            self.current = Some(Open {
                pdf,
                index: files.entries.len() as u32 - 1,
                seq: self.started,
                pieces: 0,
                sheets: 0,
                tray: piece.tray,
                first: piece.number,
                last: piece.number,
                pending: Vec::new(),
            });
        }
        let open = self.current.as_mut().expect("created above");
        let piece_id = self.spec.piece_id(piece.number).to_string();
        open.pdf.begin_record(&RecordMeta {
            piece_id: &piece_id,
            record_id: piece.record_id,
            sheets,
            tray: piece.tray,
            bundle: piece.bundle,
        });
        let mut first_page = 0;
        let per_sheet = self.spec.pages_per_sheet as usize;
        for (k, page) in piece.pages.iter().enumerate() {
            // A sheet's front carries its code, whose sequence counts the file's sheets.
            let overlay = match &self.spec.omr {
                Some(spec) if k % per_sheet == 0 => {
                    let sheet = (k / per_sheet) as u32;
                    let code = OmrCode::of_sheet(sheet, sheets, open.sheets + sheet);
                    let ops = self.omr_ops[code.key() as usize]
                        .get_or_insert_with(|| omr_overlay(spec, code, page.height));
                    Some((code.key(), ops.as_slice()))
                }
                _ => None,
            };
            let at = open
                .pdf
                .add_page_with(page, overlay)
                .map_err(|source| JobError::Output {
                    path: out_dir.to_owned(),
                    source,
                })?;
            if k == 0 {
                first_page = at;
            }
        }
        open.pieces += 1;
        open.sheets += sheets;
        open.last = piece.number;
        if control.is_some() {
            open.pending.push(Pending {
                first_page,
                sheets,
                piece: piece.number,
                record_id: piece.record_id.into(),
                feeders: piece.with_insert,
                divert: piece.divert,
            });
        }
        Ok(DocRef {
            piece: piece.number,
            file: open.index,
            first_page,
            pages: n,
        })
    }

    /// Finishes the open file under its final name, and lists its sheets in the control file.
    fn close(
        &mut self,
        files: &mut Files,
        control: &mut Option<ControlFile>,
        out_dir: &Path,
    ) -> Result<(), JobError> {
        let Some(mut open) = self.current.take() else {
            return Ok(());
        };
        let name = self.spec.file_name(open.seq, open.first, open.last);
        let path = out_dir.join(&name);
        open.pdf.set_path(&path);
        let summary = open.pdf.finish().map_err(|source| JobError::Output {
            path: path.clone(),
            source,
        })?;
        self.written.push(path);
        if let Some(c) = control {
            for p in &open.pending {
                let piece = PieceSheets {
                    file: &name,
                    first_page: p.first_page,
                    pages_per_sheet: self.spec.pages_per_sheet,
                    sheets: p.sheets,
                    piece_id: self.spec.piece_id(p.piece),
                    record_id: &p.record_id,
                    feeders: if p.feeders { "household_doc" } else { "" },
                    divert: p.divert,
                };
                c.piece(&piece).map_err(|source| JobError::Output {
                    path: out_dir.to_owned(),
                    source,
                })?;
            }
        }
        files.entries[open.index as usize] = Some(FileEntry {
            name,
            pages: summary.pages,
            pieces: open.pieces,
            bytes: summary.bytes,
        });
        Ok(())
    }

    /// Drops the open file and removes the finished ones.
    fn abandon(mut self) {
        drop(self.current.take());
        for path in &self.written {
            let _ = std::fs::remove_file(path);
        }
    }
}

/// A piece for a stream.
struct Piece<'a> {
    pages: &'a [EncodedPage],
    number: u32,
    record_id: &'a str,
    tray: u32,
    bundle: u32,
    /// It carries the household's document as an insert.
    with_insert: bool,
    /// It leaves the stream at the divert bin.
    divert: bool,
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
    rx: mpsc::Receiver<Vec<(Fed, PieceResult)>>,
    outcomes: Outcomes,
    outputs: Outputs,
    out_dir: PathBuf,
    limit: Option<(u64, u64)>,
) -> Result<Written, JobError> {
    let Outputs {
        mut exports,
        letters,
        with_inserts,
        households,
        mut control,
    } = outputs;
    let ledger_error = |source| JobError::Output {
        path: out_dir.clone(),
        source,
    };
    let mut outcomes = outcomes;
    let mut letters = Stream::new(letters);
    let mut with_inserts = with_inserts.map(Stream::new);
    let mut households = households.map(Stream::new);
    let (mut letter_files, mut household_files) = (Files::default(), Files::default());
    let mut rejected = limit.map_or(0, |(_, r)| r);
    for batch in rx {
        for (fed, result) in batch {
            let Fed { entry, place } = fed;
            let sent: Sent = match result {
                Ok(sent) => sent,
                Err(r) => {
                    let (code, message) = (r.code().into_boxed_str(), r.to_string().into_boxed_str());
                    rejected += 1;
                    if limit.is_some_and(|(l, _)| rejected > l) {
                        for s in [Some(letters), with_inserts, households].into_iter().flatten() {
                            s.abandon();
                        }
                        exports.abandon();
                        if let Some(c) = control {
                            c.abandon();
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
            let with_insert = !sent.household_pages.is_empty();
            let stream = match (&mut with_inserts, with_insert) {
                (Some(s), true) => s,
                _ => &mut letters,
            };
            let piece = Piece {
                pages: &sent.pages,
                number: place.letter,
                record_id: &entry.id,
                tray: place.tray,
                bundle: place.bundle,
                with_insert: with_insert && households.is_some(),
                divert: place.divert,
            };
            let letter = stream.add(piece, &mut letter_files, &mut control, &out_dir)?;
            let household_doc = match (&mut households, with_insert) {
                (Some(stream), true) => {
                    let doc = Piece {
                        pages: &sent.household_pages,
                        number: place.household,
                        record_id: &entry.id,
                        tray: place.tray,
                        bundle: place.bundle,
                        with_insert: false,
                        divert: place.divert,
                    };
                    Some(stream.add(doc, &mut household_files, &mut None, &out_dir)?)
                }
                _ => None,
            };
            let warnings = sent.notes;
            let outcome = Outcome::Composed {
                piece: letter.piece,
                file: letter.file,
                first_page: letter.first_page,
                pages: letter.pages,
                warnings: (!warnings.is_empty()).then(|| warnings.join("; ").into_boxed_str()),
                channels: entry.channels,
                household_doc,
                place: PiecePlace {
                    sheets: letter.pages.div_ceil(letters.spec.pages_per_sheet),
                    tray: place.tray,
                    bundle: place.bundle,
                },
            };
            outcomes.set(entry.index, &outcome).map_err(ledger_error)?;
        }
    }
    letters.close(&mut letter_files, &mut control, &out_dir)?;
    if let Some(s) = &mut with_inserts {
        s.close(&mut letter_files, &mut control, &out_dir)?;
    }
    if let Some(s) = &mut households {
        s.close(&mut household_files, &mut None, &out_dir)?;
    }
    exports.finish().map_err(ledger_error)?;
    if let Some(c) = control {
        c.finish().map_err(ledger_error)?;
    }
    let listed = |f: Files| {
        f.entries
            .into_iter()
            .map(|e| e.expect("every file closed"))
            .collect()
    };
    Ok(Written {
        outcomes,
        files: listed(letter_files),
        household_files: listed(household_files),
        stopped_at: None,
    })
}

/// The stream spec of a layout's letters or documents.
pub fn stream_of(
    layout_path: &Path,
    title: &str,
    shared: Arc<Shared>,
    limits: (u32, u32),
    pages_per_sheet: u32,
    kind: PieceKind,
) -> StreamSpec {
    StreamSpec {
        stem: layout_path
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or("pli")
            .to_owned(),
        title: title.to_owned(),
        shared,
        max_pages: limits.0.max(1),
        max_sheets: limits.1.max(1),
        pages_per_sheet,
        kind,
        split_trays: true,
        omr: None,
    }
}
