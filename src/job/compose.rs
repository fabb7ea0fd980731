//! `pli compose`: two passes over the records, parallel composition, one ordered writer.

use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::sync::Arc;

use rayon::prelude::*;

use super::exports::Exports;
use super::fields::{AddressCheck, Fields, PrepNeeds};
use super::prepare::{load_postcodes, offered_channels, rejection, Decision, Prep};
use super::{compile_with, mapping, shared, ComposeOptions, JobError, JobSummary};
use crate::compose::{compose_piece, Email, Layout, Sms};
use crate::data::{Rejection, Source};
use crate::mailprep::{Channels, EMAIL_FIELD, MOBILE_FIELD};
use crate::pdf::{encode_page, EncodedPage, PdfWriter, Shared};
use crate::report::{self, Entry, Fate, FileEntry, Outcome, Outcomes, RecordLog, Report};

/// Records composed per parallel chunk; large enough to keep both cores busy, small
/// enough that the queue to the writer holds little.
const CHUNK: usize = 256;

/// What a record becomes on a worker: its letter's pages (none when it goes by e-mail or
/// SMS only), notes and warnings, and its messages with their recipients.
struct Sent {
    pages: Vec<EncodedPage>,
    notes: Vec<String>,
    email: Option<(String, Email)>,
    sms: Option<(String, Sms)>,
}

/// A record on its way to the writer, or why it failed.
type PieceResult = Result<Sent, Rejection>;

/// Where a compose job is, for a progress display.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Progress {
    /// Pass 1: records read so far.
    Reading {
        /// Records read.
        records: u64,
    },
    /// Pass 2: pieces composed so far, of how many, and their pages.
    Composing {
        /// Pieces composed (or rejected while composing).
        done: u64,
        /// Pieces planned.
        total: u64,
        /// Pages composed.
        pages: u64,
    },
}

/// Runs `pli compose`: every record composed, suppressed or rejected, and accounted for.
pub fn run_compose(opts: &ComposeOptions) -> Result<JobSummary, JobError> {
    run_compose_with(opts, &mut |_| {})
}

/// Runs `pli compose`, telling `progress` how far it is now and then.
pub fn run_compose_with(
    opts: &ComposeOptions,
    progress: &mut dyn FnMut(Progress),
) -> Result<JobSummary, JobError> {
    let layout = compile_with(&opts.layout, opts.date, opts.products.as_deref())?;
    let src = Source::open(&opts.data, &opts.source)?;
    let map = mapping(&layout, opts.map.as_deref())?;
    let postcodes = load_postcodes(&opts.prep)?;
    let offered = offered_channels(Some(&layout));
    let needs = PrepNeeds {
        keys: opts.prep.needs_keys(),
        email: offered.contains(Channels::EMAIL),
        sms: offered.contains(Channels::SMS),
    };
    let check = AddressCheck {
        postcodes,
        policy: opts.prep.address_policy,
    };
    let fields = Fields::resolve(Some(&layout), &src, &map, needs, check).map_err(JobError::Columns)?;
    let mut prep = Prep::new(&opts.prep, offered)?;
    std::fs::create_dir_all(&opts.out_dir).map_err(|source| JobError::Output {
        path: opts.out_dir.clone(),
        source,
    })?;
    let limit = if opts.strict { Some(0) } else { opts.max_rejects };
    let stop = |line: u64, id: &str, message: &str, rejected: u64| -> Option<JobError> {
        if opts.strict {
            return Some(JobError::Strict {
                file: src.path().to_owned(),
                line,
                record: id.to_owned(),
                reason: message.to_owned(),
            });
        }
        match limit {
            Some(limit) if rejected > limit => Some(JobError::TooManyRejects {
                limit,
                file: src.path().to_owned(),
                line,
                reason: message.to_owned(),
            }),
            _ => None,
        }
    };
    let ledger_error = |source| JobError::Output {
        path: opts.out_dir.clone(),
        source,
    };

    // Pass 1: each record's fate, logged to a file with its id, line and position.
    let mut log = RecordLog::create(&opts.out_dir).map_err(ledger_error)?;
    let mut rejected = 0u64;
    let mut values = Vec::new();
    let mut scan = src.scan(&fields.binding);
    while let Some((pos, read)) = scan.next_into(&mut values) {
        let id = fields.record_id(&values, pos);
        let decision = match read {
            Err(r) => Decision::unreadable(r),
            Ok(()) => {
                let got = fields.prep_values(&values);
                prep.decide(&id, |k| got.get(k), || fields.check(&values))
            }
        };
        let fate = decision.fate;
        if let Fate::Rejected { message, .. } = &fate {
            rejected += 1;
            if let Some(e) = stop(pos.line, &id, message, rejected) {
                return Err(e);
            }
        }
        log.push(pos, &id, &fate, decision.channels, &decision.household)
            .map_err(ledger_error)?;
        if log.records() % 10_000 == 0 {
            src.release(pos.offset);
            progress(Progress::Reading {
                records: log.records(),
            });
        }
    }
    let records = log.finish().map_err(ledger_error)?;

    // Pass 2: compose in parallel chunks; one writer appends in plan order.
    let shared = shared(&layout);
    let stem = opts
        .layout
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or("pli")
        .to_owned();
    let (tx, rx) = mpsc::sync_channel::<Vec<(Entry, PieceResult)>>(2);
    let writer_opts = WriterOpts {
        out_dir: opts.out_dir.clone(),
        stem,
        title: layout.name.clone(),
        max_pages: opts.max_pages.max(1),
    };
    let outcomes = Outcomes::create(&opts.out_dir).map_err(ledger_error)?;
    let exports = Exports::create(&opts.out_dir, layout.email().is_some(), layout.sms().is_some())
        .map_err(ledger_error)?;
    let written = std::thread::scope(|scope| {
        let writer = scope.spawn(move || {
            write_pieces(
                rx,
                outcomes,
                exports,
                shared,
                writer_opts,
                limit.map(|l| (l, rejected)),
            )
        });
        let (mut done, mut pages) = (0u64, 0u64);
        let mut plan = records.read();
        let mut chunk = Vec::with_capacity(CHUNK);
        loop {
            while chunk.len() < CHUNK {
                match plan.next_to_send() {
                    Ok(Some(e)) => chunk.push(e),
                    Ok(None) => break,
                    Err(e) => {
                        drop(tx);
                        let _ = writer.join();
                        return Err(ledger_error(e));
                    }
                }
            }
            let Some(first) = chunk.first() else { break };
            // The records before this chunk will not be read again (the plan is in input
            // order; a presorted plan will release by its own lowest offset).
            src.release(first.pos.offset);
            let composed: Vec<_> = chunk
                .par_drain(..)
                .map(|e| {
                    let result = compose_one(&src, &fields, &layout, &e, opts);
                    (e, result)
                })
                .collect();
            done += composed.len() as u64;
            pages += composed
                .iter()
                .map(|(_, o)| o.as_ref().map_or(0, |sent| sent.pages.len() as u64))
                .sum::<u64>();
            if tx.send(composed).is_err() {
                break; // the writer stopped (an error or the reject limit); it says why
            }
            progress(Progress::Composing {
                done,
                total: records.planned() + records.exported(),
                pages,
            });
        }
        drop(tx);
        writer.join().expect("the PDF writer thread panicked")
    })?;
    if let Some((line, id, message, rejected)) = written.stopped_at {
        return Err(stop(line, &id, &message, rejected).expect("the writer stops only past the limit"));
    }
    let outcomes = written.outcomes.finish(records.records()).map_err(ledger_error)?;

    let manifest = opts.out_dir.join("manifest.csv");
    let counts =
        report::write_manifest(&manifest, &records, &outcomes, &written.files).map_err(|source| {
            JobError::Output {
                path: manifest.clone(),
                source,
            }
        })?;
    let report = Report {
        layout: layout.name.clone(),
        data: src.path().display().to_string(),
        source: src.detection().clone(),
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

/// Re-reads a record and makes what its channels need (on a worker thread): its letter
/// composed and encoded for the post, its e-mail and SMS rendered.
fn compose_one(
    src: &Source,
    fields: &Fields,
    layout: &Layout,
    e: &Entry,
    opts: &ComposeOptions,
) -> PieceResult {
    let mut values = Vec::with_capacity(fields.binding.len());
    src.read_at(&fields.binding, e.pos, &mut values)?;
    let mut notes = Vec::new();
    let post = e.channels.contains(Channels::POST);
    let data = fields.data(&values, layout, &e.id, &mut notes, post)?;
    let mut pages = Vec::new();
    if post {
        let piece = compose_piece(layout, &data, opts.allow_missing_glyphs)?;
        pages = piece
            .pages
            .iter()
            .map(|p| encode_page(p, &layout.faces))
            .collect();
        notes.extend(piece.warnings);
    }
    let contact = fields.prep_values(&values);
    let email = match e.channels.contains(Channels::EMAIL) {
        true => Some((
            contact.get(EMAIL_FIELD).trim().to_owned(),
            layout.render_email(&data).map_err(Rejection::Template)?,
        )),
        false => None,
    };
    let sms = match e.channels.contains(Channels::SMS) {
        true => Some((
            contact.get(MOBILE_FIELD).trim().to_owned(),
            layout.render_sms(&data).map_err(Rejection::Template)?,
        )),
        false => None,
    };
    Ok(Sent {
        pages,
        notes,
        email,
        sms,
    })
}

struct WriterOpts {
    out_dir: PathBuf,
    stem: String,
    title: String,
    max_pages: u32,
}

struct Written {
    outcomes: Outcomes,
    /// The message files written, if any.
    exported: Vec<PathBuf>,
    files: Vec<FileEntry>,
    /// The rejection that went past the limit, when the writer stopped: its line, record
    /// id, message, and the rejections counted then.
    stopped_at: Option<(u64, Box<str>, Box<str>, u64)>,
}

/// The single writer: appends pieces in order, starting a new file when one is full, and
/// records each planned record's outcome.
///
/// With a reject limit `(limit, rejected in pass 1)`, it stops at the rejection that
/// goes past it and removes the files it wrote, so nothing looks complete that is not.
fn write_pieces(
    rx: mpsc::Receiver<Vec<(Entry, PieceResult)>>,
    outcomes: Outcomes,
    mut exports: Exports,
    shared: Arc<Shared>,
    o: WriterOpts,
    limit: Option<(u64, u64)>,
) -> Result<Written, JobError> {
    let mut w = Written {
        outcomes,
        exported: Vec::new(),
        files: Vec::new(),
        stopped_at: None,
    };
    let ledger_error = |source| JobError::Output {
        path: o.out_dir.clone(),
        source,
    };
    let mut rejected = limit.map_or(0, |(_, r)| r);
    let mut current: Option<(PdfWriter, u32)> = None;
    let mut pieces = 0u32;
    for batch in rx {
        for (entry, result) in batch {
            let sent = match result {
                Ok(sent) => sent,
                Err(r) => {
                    let Fate::Rejected { code, message } = rejection(r) else {
                        unreachable!("rejection() gives a rejected fate")
                    };
                    rejected += 1;
                    if limit.is_some_and(|(l, _)| rejected > l) {
                        drop(current.take());
                        for f in &w.files {
                            let _ = std::fs::remove_file(o.out_dir.join(&f.name));
                        }
                        w.files.clear();
                        exports.abandon();
                        w.stopped_at = Some((entry.pos.line, entry.id, message, rejected));
                        return Ok(w);
                    }
                    w.outcomes
                        .set(entry.index, &Outcome::Rejected { code, message })
                        .map_err(ledger_error)?;
                    continue;
                }
            };
            let messages = |exports: &mut Exports| -> std::io::Result<()> {
                if let Some((to, email)) = &sent.email {
                    exports.email(&entry.id, to, email)?;
                }
                if let Some((to, sms)) = &sent.sms {
                    exports.sms(&entry.id, to, sms)?;
                }
                Ok(())
            };
            messages(&mut exports).map_err(ledger_error)?;
            if sent.pages.is_empty() {
                let outcome = Outcome::Exported {
                    channels: entry.channels,
                };
                w.outcomes.set(entry.index, &outcome).map_err(ledger_error)?;
                continue;
            }
            let (pages, warnings) = (sent.pages, sent.notes);
            let n = pages.len() as u32;
            if let Some((pdf, _)) = &current {
                if pdf.pages() > 0 && pdf.pages() + n > o.max_pages {
                    let (pdf, count) = current.take().expect("checked above");
                    w.files.push(finish(pdf, count, &o.out_dir)?);
                }
            }
            if current.is_none() {
                let name = format!("{}-{:04}.pdf", o.stem, w.files.len() + 1);
                let path = o.out_dir.join(&name);
                let pdf = PdfWriter::create(&path, shared.clone(), &o.title).map_err(|source| {
                    JobError::Output {
                        path: path.clone(),
                        source,
                    }
                })?;
                current = Some((pdf, 0));
            }
            let (pdf, count) = current.as_mut().expect("created above");
            pieces += 1;
            pdf.begin_piece(&report::piece_id(pieces));
            let mut first_page = 0;
            for (k, page) in pages.iter().enumerate() {
                let at = pdf.add_page(page).map_err(|source| JobError::Output {
                    path: o.out_dir.clone(),
                    source,
                })?;
                if k == 0 {
                    first_page = at;
                }
            }
            *count += 1;
            let outcome = Outcome::Composed {
                piece: pieces,
                file: w.files.len() as u32,
                first_page,
                pages: n,
                warnings: (!warnings.is_empty()).then(|| warnings.join("; ").into_boxed_str()),
                channels: entry.channels,
            };
            w.outcomes.set(entry.index, &outcome).map_err(ledger_error)?;
        }
    }
    if let Some((pdf, count)) = current {
        w.files.push(finish(pdf, count, &o.out_dir)?);
    }
    w.exported = exports.finish().map_err(ledger_error)?;
    Ok(w)
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
