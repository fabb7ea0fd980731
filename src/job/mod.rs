//! A job from end to end: `compose` (every record), `proof` (one record) and `check`.
//!
//! Pass 1 reads each record once to decide its fate (composed, suppressed or
//! rejected) and remembers only its position; pass 2 re-reads the records to
//! compose from the memory-mapped file, in parallel chunks, and a single writer
//! appends the pieces in plan order.
//!
//! A file named after a command runs it (`compose`, `reprint`; `prepare_cmd` and
//! `presort_cmd` for `pli prepare` and `pli presort`, whose plain names are stages);
//! a file named `pass1_<stage>` is that stage's part of pass 1 in every job.

mod compose;
mod exports;
mod feed;
mod fields;
mod job_file;
mod labels;
mod pass1;
mod pass1_prep;
mod pass1_presort;
mod prepare_cmd;
mod presort_cmd;
mod reprint;
mod writer;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::{Deserialize, Serialize};

pub use crate::date::Date;
pub use compose::{run_compose, run_compose_with, Progress};
pub use job_file::{JobFile, JOB_FILE, JOB_FILE_FORMAT};
pub use pass1_prep::PrepOptions;
pub use pass1_presort::{PresortOptions, PresortReport};
pub use prepare_cmd::{run_prepare, PrepareOptions, PrepareSummary, CLEAN_COLUMNS};
pub use presort_cmd::{run_quote, QuoteOptions, QuoteSummary};
pub use reprint::{piece_ids, run_reprint, Reprint, ReprintOptions};

use crate::compose::{compose_piece, JobValues, Layout, LayoutErrors};
use crate::data::{DataError, Source, SourceOptions};
use crate::pdf::{encode_page, encode_page_with, OutputIntent, PdfWriter, PdfX, Shared};
use crate::record::Rejection;
use crate::report::{Counts, FileEntry};
use fields::{AddressCheck, Fields, PrepNeeds};

/// What `pli compose` is asked to do; written to `job.json` ([`JobFile`]) for a reprint.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ComposeOptions {
    /// The layout file.
    pub layout: PathBuf,
    /// The contact file (`-` for standard input).
    pub data: PathBuf,
    /// How to read it, where detection is not wanted.
    pub source: SourceOptions,
    /// A mapping file binding the layout's fields to the file's columns.
    pub map: Option<PathBuf>,
    /// Where the PDFs, manifest and report go.
    pub out_dir: PathBuf,
    /// The letter's date.
    pub date: Date,
    /// Stop at the first rejected record.
    pub strict: bool,
    /// Stop when more than this many records are rejected.
    pub max_rejects: Option<u64>,
    /// Start a new PDF file before a piece that would take a file past this many pages.
    pub max_pages: u32,
    /// Start a new PDF file before a piece that would take a file past this many sheets.
    pub max_sheets: Option<u32>,
    /// The job's id, printed in the inserter's marks and control file (default: the
    /// layout file's name without its extension).
    pub job: Option<String>,
    /// Compose records whose text has characters the fonts lack (drawn as the font's
    /// missing-glyph box, with a warning) instead of rejecting them.
    pub allow_missing_glyphs: bool,
    /// Mail preparation: postcode base, suppression lists, de-duplication.
    pub prep: PrepOptions,
    /// Postal presort: pieces written in the carrier's order, with `presort.csv`,
    /// tray labels and postage.
    pub presort: Option<PresortOptions>,
    /// A layout composed once per household, for its first mailed member (e.g. one
    /// catalogue per household while each person keeps a letter).
    pub household_docs: Option<PathBuf>,
    /// A catalogue's products file, instead of the one its layout names.
    pub products: Option<PathBuf>,
    /// Compose only these pieces again, as they were (`pli reprint`); never in a job file.
    #[serde(skip)]
    pub reprint: Option<Reprint>,
    /// Write PDF/X-4 files (output intent, XMP metadata, page boxes, no RGB).
    pub pdfx4: bool,
    /// A production file whose `[production]` replaces the layout's (another line).
    pub production: Option<PathBuf>,
}

impl ComposeOptions {
    /// The job's id, checked: it is printed in marks an inserter's camera reads, so it
    /// is short plain ASCII (letters, digits, `-`, `_`, `.`; at most 32).
    pub fn checked_job_id(&self) -> Result<String, JobError> {
        let id = self.job_id();
        let plain = |c: char| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.');
        if id.is_empty() || id.len() > 32 || !id.chars().all(plain) {
            return Err(JobError::Options(format!(
                "job id {id:?}: use 1 to 32 letters, digits, '-', '_' or '.' (set it with --job)"
            )));
        }
        Ok(id)
    }

    /// The job's id: as given, or the layout file's name without its extension.
    pub fn job_id(&self) -> String {
        match &self.job {
            Some(j) => j.clone(),
            None => self
                .layout
                .file_stem()
                .and_then(|s| s.to_str())
                .unwrap_or("pli")
                .to_owned(),
        }
    }
}

/// Where a data file is and how to read it, for `proof` and `check`.
#[derive(Clone, Debug)]
pub struct DataInput {
    /// The contact file (`-` for standard input).
    pub path: PathBuf,
    /// How to read it.
    pub source: SourceOptions,
    /// A mapping file.
    pub map: Option<PathBuf>,
}

/// A job that could not run (exit code 2), or a proof that could not be made.
#[derive(Debug, thiserror::Error)]
pub enum JobError {
    /// The layout has problems.
    #[error("{0}")]
    Layout(LayoutErrors),
    /// The data file cannot be used.
    #[error(transparent)]
    Data(#[from] DataError),
    /// Columns the layout needs are missing from the data.
    #[error("{}", .0.join("\n"))]
    Columns(Vec<String>),
    /// Options that cannot go together.
    #[error("{0}")]
    Options(String),
    /// A mail-preparation file (postcode base, suppression list) cannot be used.
    #[error("{0}")]
    Prep(String),
    /// An output cannot be written.
    #[error("cannot write {path}: {source}")]
    Output {
        /// The file or folder.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// `--max-rejects` stopped the job.
    #[error("stopped: more than {limit} records rejected (--max-rejects); the last at {file}, line {line}: {reason}")]
    TooManyRejects {
        /// The limit.
        limit: u64,
        /// The data file.
        file: PathBuf,
        /// The line of the rejection that went over.
        line: u64,
        /// Its reason.
        reason: String,
    },
    /// `--strict` stopped the job at a rejected record.
    #[error("stopped by --strict at {file}, line {line} (record {record}): {reason}")]
    Strict {
        /// The data file.
        file: PathBuf,
        /// Its line.
        line: u64,
        /// The record id.
        record: String,
        /// Why it was rejected.
        reason: String,
    },
    /// The record asked for a proof is not in the file.
    #[error("no record `{record}` in {file} (records are found by their `id` column, or by line number when there is none)")]
    NoSuchRecord {
        /// The id asked for.
        record: String,
        /// The data file.
        file: PathBuf,
    },
    /// The record asked for a proof cannot be composed.
    #[error("{file}, line {line} (record {record}) cannot be composed: {reason}")]
    ProofRejected {
        /// The data file.
        file: PathBuf,
        /// Its line.
        line: u64,
        /// The record id.
        record: String,
        /// Why.
        reason: Rejection,
    },
}

impl JobError {
    /// The process exit code for this error: 3 for a rejected proof record, 2 otherwise.
    pub fn exit_code(&self) -> i32 {
        match self {
            JobError::ProofRejected { .. } => 3,
            _ => 2,
        }
    }
}

/// What a finished compose job did.
#[derive(Clone, Debug)]
pub struct JobSummary {
    /// Counts per status and reason.
    pub counts: Counts,
    /// The PDF files written.
    pub files: Vec<FileEntry>,
    /// The output folder.
    pub out_dir: PathBuf,
    /// The presort plan and postage, when the job was presorted.
    pub presort: Option<PresortReport>,
}

/// A mapping file: `[mapping]` with `field = "Column name"` lines.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct MapFile {
    mapping: BTreeMap<String, String>,
}

/// The layout's mapping, with a mapping file's entries over it.
fn mapping(layout: &Layout, file: Option<&Path>) -> Result<BTreeMap<String, String>, JobError> {
    let mut map = layout.mapping.clone();
    map.extend(mapping_file(file)?);
    Ok(map)
}

/// The `[mapping]` of a mapping file, if one is given.
fn mapping_file(file: Option<&Path>) -> Result<BTreeMap<String, String>, JobError> {
    let Some(path) = file else {
        return Ok(BTreeMap::new());
    };
    let bad = |message: String| JobError::Columns(vec![format!("{}: {message}", path.display())]);
    let text = std::fs::read_to_string(path).map_err(|e| bad(format!("cannot read the mapping: {e}")))?;
    let parsed: MapFile = toml::from_str(&text).map_err(|e| bad(e.message().to_owned()))?;
    Ok(parsed.mapping)
}

fn job_values(date: Date) -> JobValues {
    JobValues {
        date_iso: date.to_string(),
        date: date.french(),
    }
}

fn compile(layout: &Path, date: Date) -> Result<Layout, JobError> {
    compile_with(layout, date, None)
}

/// Compiles the layout, a catalogue's products taken from `products` when given.
fn compile_with(layout: &Path, date: Date, products: Option<&Path>) -> Result<Layout, JobError> {
    Layout::compile_with(layout, &job_values(date), products).map_err(JobError::Layout)
}

/// Compiles a job's main layout: its products and its production file, when given.
fn compile_job(opts: &ComposeOptions) -> Result<Layout, JobError> {
    let job = job_values(opts.date);
    Layout::compile_for(
        &opts.layout,
        &job,
        opts.products.as_deref(),
        opts.production.as_deref(),
    )
    .map_err(JobError::Layout)
}

/// What the files of a layout share: plain PDF.
fn shared(layout: &Layout) -> Arc<Shared> {
    shared_with(layout, None)
}

/// What the files of a layout share, PDF/X-4 when `pdfx` is given (the forms' colours then
/// follow its output intent, as the pages' must: see [`Shared::color_mode`]).
fn shared_with(layout: &Layout, pdfx: Option<PdfX>) -> Arc<Shared> {
    let colors = pdfx.as_ref().map_or_else(Default::default, PdfX::color_mode);
    let forms = layout
        .forms
        .iter()
        .map(|f| encode_page_with(&f.page, &layout.faces, colors))
        .collect();
    Arc::new(Shared {
        faces: layout.faces.clone(),
        images: layout.images.clone(),
        forms,
        pdfx,
    })
}

/// PDF/X-4 settings for a layout's files when asked for: its output intent, else pli's
/// generic CMYK one, and the job's date.
fn pdfx_of(layout: &Layout, pdfx4: bool, date: Date) -> Option<PdfX> {
    pdfx4.then(|| PdfX {
        intent: layout.output_intent.clone().unwrap_or_else(OutputIntent::builtin),
        date,
    })
}

/// Runs `pli proof`: one record, found by id, composed into `out` (suppressions ignored).
pub fn run_proof(
    layout_path: &Path,
    data: &DataInput,
    record: &str,
    out: &Path,
    date: Date,
) -> Result<u32, JobError> {
    let layout = compile(layout_path, date)?;
    let src = Source::open(&data.path, &data.source)?;
    let map = mapping(&layout, data.map.as_deref())?;
    let fields = Fields::resolve(
        Some(&layout),
        &src,
        &map,
        PrepNeeds::default(),
        AddressCheck::default(),
    )
    .map_err(JobError::Columns)?;
    let mut values = Vec::new();
    let mut scan = src.scan(&fields.binding);
    while let Some((pos, read)) = scan.next_into(&mut values) {
        let id = fields.record_id(&values, pos);
        if id != record {
            continue;
        }
        let fail = |reason| JobError::ProofRejected {
            file: src.path().to_owned(),
            line: pos.line,
            record: id.clone(),
            reason,
        };
        read.map_err(fail)?;
        let mut notes = Vec::new();
        let data = fields
            .data(&values, &layout, &id, &mut notes, true)
            .map_err(fail)?;
        let piece = compose_piece(&layout, &data, true).map_err(fail)?;
        let output = |source| JobError::Output {
            path: out.to_owned(),
            source,
        };
        let mut w = PdfWriter::create(out, shared(&layout), &layout.name).map_err(output)?;
        w.begin_record(&crate::pdf::RecordMeta {
            piece_id: &crate::record::PieceId::letter(1).to_string(),
            record_id: &id,
            ..Default::default()
        });
        for p in &piece.pages {
            w.add_page(&encode_page(p, &layout.faces)).map_err(output)?;
        }
        w.finish().map_err(output)?;
        for warning in notes.iter().chain(&piece.warnings) {
            eprintln!("pli: warning: record {id}: {warning}");
        }
        return Ok(piece.pages.len() as u32);
    }
    Err(JobError::NoSuchRecord {
        record: record.to_owned(),
        file: src.path().to_owned(),
    })
}

/// Runs `pli check`: every problem of the layout, and of the data's columns when given.
/// A production file, when given, replaces the layout's `[production]` and is checked with it.
pub fn run_check(
    layout_path: &Path,
    data: Option<&DataInput>,
    date: Date,
    production: Option<&Path>,
) -> Result<Vec<String>, JobError> {
    let compiled = Layout::compile_for(layout_path, &job_values(date), None, production);
    let layout = match compiled.map_err(JobError::Layout) {
        Ok(l) => l,
        Err(JobError::Layout(errors)) => return Ok(errors.0),
        Err(e) => return Err(e),
    };
    let mut problems = Vec::new();
    if let Some(data) = data {
        match Source::open(&data.path, &data.source) {
            Ok(src) => match mapping(&layout, data.map.as_deref()) {
                Ok(map) => {
                    let resolved = Fields::resolve(
                        Some(&layout),
                        &src,
                        &map,
                        PrepNeeds::default(),
                        AddressCheck::default(),
                    );
                    if let Err(missing) = resolved {
                        problems.extend(missing);
                    }
                }
                Err(e) => problems.push(e.to_string()),
            },
            Err(e) => problems.push(e.to_string()),
        }
    }
    Ok(problems)
}
