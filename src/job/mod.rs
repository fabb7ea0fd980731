//! A job from end to end: `compose` (every record), `proof` (one record) and `check`.
//!
//! Pass 1 reads each record once to decide its fate (composed, suppressed or
//! rejected) and remembers only its position; pass 2 re-reads the records to
//! compose from the memory-mapped file, in parallel chunks, and a single writer
//! appends the pieces in plan order.

pub mod date;

use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::sync::Arc;

use csv::ByteRecord;
use rayon::prelude::*;
use serde_json::{Map, Value};

pub use date::Date;

use crate::compose::{compose_piece, JobValues, Layout, LayoutErrors};
use crate::data::{CsvSource, DataError, RecordPos, Rejection};
use crate::mailprep::{self, Suppression, ADDRESS_FIELDS, OPTOUT_FIELD};
use crate::pdf::{encode_page, EncodedPage, PdfWriter, Shared};
use crate::report::{self, Counts, FileEntry, Report, Row, Status};

/// What `pli compose` is asked to do.
#[derive(Clone, Debug)]
pub struct ComposeOptions {
    /// The layout file.
    pub layout: PathBuf,
    /// The contact file.
    pub data: PathBuf,
    /// Where the PDFs, manifest and report go.
    pub out_dir: PathBuf,
    /// The letter's date.
    pub date: Date,
    /// Stop at the first rejected record.
    pub strict: bool,
    /// Start a new PDF file before a piece that would take a file past this many pages.
    pub max_pages: u32,
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
    /// An output cannot be written.
    #[error("cannot write {path}: {source}")]
    Output {
        /// The file or folder.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
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
}

/// How the job reads the fields it needs from a record.
struct Fields {
    /// (field name, column, default) for every field the layout's templates use.
    template: Vec<(String, Option<usize>, Option<String>)>,
    /// Address fields by standard name, when the file has them.
    address: Vec<(&'static str, Option<usize>)>,
    id: Option<usize>,
    optout: Option<usize>,
    /// Whether the layout uses the address block.
    wants_address: bool,
}

impl Fields {
    /// Binds the layout's fields to the file's columns; lists every missing column.
    fn resolve(layout: &Layout, src: &CsvSource) -> Result<Fields, Vec<String>> {
        let mut missing = Vec::new();
        let mut template = Vec::new();
        for (name, default) in &layout.fields {
            let col = src.column(name);
            if col.is_none() && default.is_none() {
                missing.push(name.clone());
            }
            template.push((name.clone(), col, default.clone()));
        }
        let wants_address = layout.templates_use("address_lines");
        let address: Vec<_> = ADDRESS_FIELDS.iter().map(|&f| (f, src.column(f))).collect();
        let has = |f: &str| src.column(f).is_some();
        let available = src.header().join(", ");
        let mut problems: Vec<String> = missing
            .into_iter()
            .map(|m| {
                format!(
                    "{}: no column `{m}` in the header (columns: {available}); add it to the file or give the field a default in the layout's [fields]",
                    src.path().display()
                )
            })
            .collect();
        if wants_address {
            for group in [
                &["last_name", "company"][..],
                &["street", "address5"],
                &["postcode"],
                &["city"],
            ] {
                if !group.iter().any(|f| has(f)) {
                    let names: Vec<String> = group.iter().map(|f| format!("`{f}`")).collect();
                    problems.push(format!(
                        "{}: the address block (address_lines) needs a column {} (columns: {available})",
                        src.path().display(),
                        names.join(" or ")
                    ));
                }
            }
        }
        if !problems.is_empty() {
            return Err(problems);
        }
        Ok(Fields {
            template,
            address,
            id: src.column("id"),
            optout: src.column(OPTOUT_FIELD),
            wants_address,
        })
    }

    fn record_id(&self, src: &CsvSource, rec: &ByteRecord, pos: RecordPos) -> String {
        self.id
            .and_then(|i| src.field(rec, pos, i).ok())
            .map(|s| s.trim().to_owned())
            .filter(|s| !s.is_empty())
            .unwrap_or_else(|| pos.line.to_string())
    }

    fn suppression(&self, src: &CsvSource, rec: &ByteRecord, pos: RecordPos) -> Option<Suppression> {
        let v = src.field(rec, pos, self.optout?).ok()?;
        mailprep::is_yes(v).then_some(Suppression::OptOut)
    }

    /// The template data of a record, or why it cannot be composed.
    fn values(
        &self,
        src: &CsvSource,
        rec: &ByteRecord,
        pos: RecordPos,
        layout: &Layout,
        id: &str,
    ) -> Result<Value, Rejection> {
        let mut map = layout.job_json();
        map.insert("record_id".into(), id.into());
        for (name, col, default) in &self.template {
            let raw = match col {
                Some(i) => src.field(rec, pos, *i)?.trim(),
                None => "",
            };
            let value = if raw.is_empty() {
                default
                    .clone()
                    .ok_or_else(|| Rejection::MissingField(name.clone()))?
            } else {
                raw.to_owned()
            };
            map.insert(name.clone(), Value::String(value));
        }
        if self.wants_address {
            let mut got: Vec<(&str, &str)> = Vec::with_capacity(self.address.len());
            for &(name, col) in &self.address {
                let value = match col {
                    Some(i) => src.field(rec, pos, i)?,
                    None => "",
                };
                let value = match layout.address_defaults.get(name) {
                    Some(default) if value.trim().is_empty() => default.as_str(),
                    _ => value,
                };
                got.push((name, value));
            }
            let lines =
                mailprep::address_lines(|k| got.iter().find(|(n, _)| *n == k).map_or("", |(_, v)| v))?;
            map.insert(
                "address_lines".into(),
                Value::Array(lines.into_iter().map(Value::String).collect()),
            );
        }
        Ok(Value::Object(map))
    }
}

impl Layout {
    /// Whether any template uses `field` (such as the computed `address_lines`).
    pub fn templates_use(&self, field: &str) -> bool {
        self.computed_used.contains(field)
    }
}

fn job_values(date: Date) -> JobValues {
    JobValues {
        date_iso: date.to_string(),
        date: date.french(),
    }
}

fn compile(layout: &Path, date: Date) -> Result<Layout, JobError> {
    Layout::compile(layout, &job_values(date)).map_err(JobError::Layout)
}

fn shared(layout: &Layout) -> Arc<Shared> {
    let forms = layout
        .forms
        .iter()
        .map(|f| encode_page(&f.page, &layout.faces))
        .collect();
    Arc::new(Shared {
        faces: layout.faces.clone(),
        images: layout.images.clone(),
        forms,
    })
}

/// A record's fate after pass 1.
enum Fate {
    Planned,
    Done(Status),
}

/// Records composed per parallel chunk; large enough to keep both cores busy, small
/// enough that the queue to the writer holds little.
const CHUNK: usize = 256;

/// Runs `pli compose`: every record composed, suppressed or rejected, and accounted for.
pub fn run_compose(opts: &ComposeOptions) -> Result<JobSummary, JobError> {
    let layout = compile(&opts.layout, opts.date)?;
    let src = CsvSource::open(&opts.data)?;
    let fields = Fields::resolve(&layout, &src).map_err(JobError::Columns)?;
    std::fs::create_dir_all(&opts.out_dir).map_err(|source| JobError::Output {
        path: opts.out_dir.clone(),
        source,
    })?;

    // Pass 1: each record's fate, keeping only its position.
    let mut rows: Vec<Row> = Vec::new();
    let mut positions: Vec<RecordPos> = Vec::new();
    let mut plan: Vec<usize> = Vec::new();
    let mut rec = ByteRecord::new();
    let mut it = src.records();
    while let Some((pos, shape)) = it.next_into(&mut rec) {
        let id = fields.record_id(&src, &rec, pos);
        let fate = match shape {
            Err(rejection) => Fate::Done(rejected(rejection)),
            Ok(()) => match fields.suppression(&src, &rec, pos) {
                Some(s) => Fate::Done(Status::Suppressed {
                    reason: s.code().into(),
                }),
                None => match fields.values(&src, &rec, pos, &layout, &id) {
                    Ok(_) => Fate::Planned,
                    Err(rejection) => Fate::Done(rejected(rejection)),
                },
            },
        };
        if let (true, Fate::Done(Status::Rejected { message, .. })) = (opts.strict, &fate) {
            return Err(JobError::Strict {
                file: opts.data.clone(),
                line: pos.line,
                record: id,
                reason: message.clone(),
            });
        }
        let status = match fate {
            Fate::Planned => {
                plan.push(rows.len());
                Status::Suppressed {
                    reason: String::new(),
                } // placeholder, set in pass 2
            }
            Fate::Done(s) => s,
        };
        rows.push(Row {
            record_id: id,
            line: pos.line,
            status,
        });
        positions.push(pos);
    }

    // Pass 2: compose in parallel chunks; one writer appends in plan order.
    let shared = shared(&layout);
    let stem = opts
        .layout
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or("pli")
        .to_owned();
    let (tx, rx) = mpsc::sync_channel::<Vec<(usize, Result<Vec<EncodedPage>, Rejection>)>>(2);
    let writer_opts = WriterOpts {
        out_dir: opts.out_dir.clone(),
        stem,
        title: layout.name.clone(),
        max_pages: opts.max_pages.max(1),
        strict: opts.strict,
    };
    let written = std::thread::scope(|scope| {
        let writer = scope.spawn(move || write_pieces(rx, shared, writer_opts));
        for chunk in plan.chunks(CHUNK) {
            let composed: Vec<_> = chunk
                .par_iter()
                .map(|&row| {
                    let pos = positions[row];
                    let mut rec = ByteRecord::new();
                    let pages = if src.read_at(pos, &mut rec) {
                        fields
                            .values(&src, &rec, pos, &layout, &rows[row].record_id)
                            .and_then(|data| compose_piece(&layout, &data))
                            .map(|pages| pages.iter().map(|p| encode_page(p, &layout.faces)).collect())
                    } else {
                        Err(Rejection::EmptyRecord)
                    };
                    (row, pages)
                })
                .collect();
            if tx.send(composed).is_err() {
                break; // the writer stopped (error or --strict); it says why
            }
        }
        drop(tx);
        writer.join().expect("the PDF writer thread panicked")
    })?;
    for (row, status) in written.statuses {
        if let (true, Status::Rejected { message, .. }) = (opts.strict, &status) {
            return Err(JobError::Strict {
                file: opts.data.clone(),
                line: rows[row].line,
                record: rows[row].record_id.clone(),
                reason: message.clone(),
            });
        }
        rows[row].status = status;
    }

    let counts = report::count(&rows);
    let manifest = opts.out_dir.join("manifest.csv");
    report::write_manifest(&manifest, &rows, &written.files).map_err(|source| JobError::Output {
        path: manifest.clone(),
        source,
    })?;
    let report = Report {
        layout: layout.name.clone(),
        data: opts.data.display().to_string(),
        delimiter: match src.delimiter() {
            b'\t' => "tab".into(),
            d => (d as char).to_string(),
        },
        date: opts.date.to_string(),
        counts: counts.clone(),
        files: written.files.clone(),
    };
    let report_path = opts.out_dir.join("report.json");
    report::write_report(&report_path, &report).map_err(|source| JobError::Output {
        path: report_path.clone(),
        source,
    })?;
    Ok(JobSummary {
        counts,
        files: written.files,
        out_dir: opts.out_dir.clone(),
    })
}

fn rejected(r: Rejection) -> Status {
    Status::Rejected {
        code: r.code(),
        message: r.to_string(),
    }
}

struct WriterOpts {
    out_dir: PathBuf,
    stem: String,
    title: String,
    max_pages: u32,
    strict: bool,
}

struct Written {
    statuses: Vec<(usize, Status)>,
    files: Vec<FileEntry>,
}

type Batch = Vec<(usize, Result<Vec<EncodedPage>, Rejection>)>;

/// The single writer: appends pieces in order, starting a new file when one is full.
fn write_pieces(rx: mpsc::Receiver<Batch>, shared: Arc<Shared>, o: WriterOpts) -> Result<Written, JobError> {
    let mut statuses = Vec::new();
    let mut files: Vec<FileEntry> = Vec::new();
    let mut current: Option<(PdfWriter, u32)> = None;
    let mut pieces = 0u64;
    let io = |path: &Path| {
        let path = path.to_owned();
        move |source| JobError::Output { path, source }
    };
    for batch in rx {
        for (row, result) in batch {
            let pages = match result {
                Ok(pages) => pages,
                Err(rejection) => {
                    statuses.push((row, rejected(rejection)));
                    if o.strict {
                        return Ok(Written { statuses, files });
                    }
                    continue;
                }
            };
            let n = pages.len() as u32;
            if let Some((w, _)) = &current {
                if w.pages() > 0 && w.pages() + n > o.max_pages {
                    let (w, count) = current.take().expect("checked above");
                    files.push(finish(w, count)?);
                }
            }
            if current.is_none() {
                let name = format!("{}-{:04}.pdf", o.stem, files.len() + 1);
                let path = o.out_dir.join(&name);
                let w = PdfWriter::create(&path, shared.clone(), &o.title).map_err(io(&path))?;
                current = Some((w, 0));
            }
            let (w, count) = current.as_mut().expect("created above");
            pieces += 1;
            let piece_id = format!("P{pieces:07}");
            w.begin_piece(&piece_id);
            let mut first_page = 0;
            for (k, page) in pages.iter().enumerate() {
                let at = w.add_page(page).map_err(|source| JobError::Output {
                    path: o.out_dir.clone(),
                    source,
                })?;
                if k == 0 {
                    first_page = at;
                }
            }
            *count += 1;
            statuses.push((
                row,
                Status::Composed {
                    piece_id,
                    file: files.len() as u32,
                    first_page,
                    pages: n,
                },
            ));
        }
    }
    if let Some((w, count)) = current {
        files.push(finish(w, count)?);
    }
    Ok(Written { statuses, files })
}

fn finish(w: PdfWriter, pieces: u32) -> Result<FileEntry, JobError> {
    let summary = w.finish().map_err(|source| JobError::Output {
        path: PathBuf::from("(pdf)"),
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

/// Runs `pli proof`: one record, found by id, composed into `out` (suppressions ignored).
pub fn run_proof(
    layout_path: &Path,
    data: &Path,
    record: &str,
    out: &Path,
    date: Date,
) -> Result<u32, JobError> {
    let layout = compile(layout_path, date)?;
    let src = CsvSource::open(data)?;
    let fields = Fields::resolve(&layout, &src).map_err(JobError::Columns)?;
    let mut rec = ByteRecord::new();
    let mut it = src.records();
    while let Some((pos, shape)) = it.next_into(&mut rec) {
        let id = fields.record_id(&src, &rec, pos);
        if id != record {
            continue;
        }
        let fail = |reason| JobError::ProofRejected {
            file: data.to_owned(),
            line: pos.line,
            record: id.clone(),
            reason,
        };
        shape.map_err(fail)?;
        let values = fields.values(&src, &rec, pos, &layout, &id).map_err(fail)?;
        let pages = compose_piece(&layout, &values).map_err(fail)?;
        let mut w =
            PdfWriter::create(out, shared(&layout), &layout.name).map_err(|source| JobError::Output {
                path: out.to_owned(),
                source,
            })?;
        w.begin_piece("P0000001");
        for p in &pages {
            w.add_page(&encode_page(p, &layout.faces))
                .map_err(|source| JobError::Output {
                    path: out.to_owned(),
                    source,
                })?;
        }
        w.finish().map_err(|source| JobError::Output {
            path: out.to_owned(),
            source,
        })?;
        return Ok(pages.len() as u32);
    }
    Err(JobError::NoSuchRecord {
        record: record.to_owned(),
        file: data.to_owned(),
    })
}

/// Runs `pli check`: every problem of the layout, and of the data's columns when given.
pub fn run_check(layout_path: &Path, data: Option<&Path>, date: Date) -> Result<Vec<String>, JobError> {
    let layout = match compile(layout_path, date) {
        Ok(l) => l,
        Err(JobError::Layout(errors)) => return Ok(errors.0),
        Err(e) => return Err(e),
    };
    let mut problems = Vec::new();
    if let Some(data) = data {
        match CsvSource::open(data) {
            Ok(src) => {
                if let Err(missing) = Fields::resolve(&layout, &src) {
                    problems.extend(missing);
                }
            }
            Err(e) => problems.push(e.to_string()),
        }
    }
    Ok(problems)
}

/// Template data for tests and tools: a JSON object from pairs.
pub fn data_from_pairs(pairs: &[(&str, &str)]) -> Value {
    let mut m = Map::new();
    for (k, v) in pairs {
        m.insert((*k).into(), (*v).into());
    }
    Value::Object(m)
}
