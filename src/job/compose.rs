//! `pli compose`: two passes over the records, parallel composition, one ordered writer;
//! at the end, `job.json`, which a reprint runs again.

use std::path::Path;
use std::sync::mpsc;

use rayon::prelude::*;

use super::exports::Exports;
use super::feed::{Fed, Feed};
use super::fields::{AddressCheck, Fields, PrepNeeds};
use super::job_file::{JobFile, JOB_FILE};
use super::labels::write_labels;
use super::pass1::{first_pass, FirstPass};
use super::pass1_prep::{load_postcodes, offered_channels, preparer};
use super::pass1_presort::{Planner, PresortOptions, PresortReport, Presorted};
use super::writer::{stream_of, write_pieces, Outputs, StreamSpec};
use super::{
    compile_job, compile_with, mapping, pdfx_of, shared_with, ComposeOptions, JobError, JobSummary, Reprint,
};
use crate::compose::{compose_piece, Email, Layout, LayoutErrors, Sms};
use crate::data::Source;
use crate::mailprep::PostcodeBase;
use crate::mailprep::{EMAIL_FIELD, MOBILE_FIELD};
use crate::pdf::{encode_page_with, ColorMode, EncodedPage};
use crate::production::{datamatrix, make_sheets, ControlFile, SheetLabel};
use crate::record::{Channels, FinishedOutcomes, Outcome, Outcomes, PieceId, PieceKind, Records, Rejection};
use crate::report::{self, Report};

/// Records composed per parallel chunk; large enough to keep both cores busy, small
/// enough that the queue to the writer holds little.
const CHUNK: usize = 256;

/// What a record becomes on a worker: its letter's pages (none when it goes by e-mail or
/// SMS only), notes and warnings, and its messages with their recipients.
pub(crate) struct Sent {
    pub pages: Vec<EncodedPage>,
    pub notes: Vec<String>,
    pub email: Option<(String, Email)>,
    pub sms: Option<(String, Sms)>,
    /// The household's document, for the household's first mailed member.
    pub household_pages: Vec<EncodedPage>,
}

/// A record on its way to the writer, or why it failed.
pub(crate) type PieceResult = Result<Sent, Rejection>;

/// The layout of the document each household receives once, with the fields it reads.
struct HouseholdDoc {
    layout: Layout,
    fields: Fields,
    /// How its pages' colours are written (PDF/X-4 or not).
    colors: ColorMode,
}

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
    let job = opts.checked_job_id()?;
    // How the job runs, for a reprint, its paths made absolute from the folder it runs from.
    let job_file = match opts.reprint {
        None => Some(JobFile::of(opts)?),
        Some(_) => None,
    };
    let layout = compile_job(opts)?;
    if let Some(dm) = &layout.production.datamatrix {
        // Every sheet's symbol has one size: refuse a job id it cannot hold up front.
        datamatrix::check_job(&job, dm.size).map_err(|problem| {
            let shown = opts.layout.display();
            JobError::Layout(LayoutErrors(vec![format!(
                "{shown}: [production.datamatrix]: {problem} (or a shorter --job)"
            )]))
        })?;
    }
    let src = Source::open(&opts.data, &opts.source)?;
    let map = mapping(&layout, opts.map.as_deref())?;
    let postcodes = load_postcodes(&opts.prep)?;
    let offered = offered_channels(Some(&layout));
    // A household document needs households, hence the fields that make them.
    let mut prep_opts = opts.prep.clone();
    prep_opts.households |= opts.household_docs.is_some();
    let needs = PrepNeeds {
        keys: prep_opts.needs_keys(),
        email: offered.contains(Channels::EMAIL),
        sms: offered.contains(Channels::SMS),
        destination: opts.presort.is_some(),
    };
    let check = AddressCheck {
        postcodes: postcodes.clone(),
        policy: opts.prep.address_policy,
    };
    let planner = opts
        .presort
        .as_ref()
        .map(|p| Planner::new(p, &layout.production, layout.width, layout.height))
        .transpose()?;
    let fields =
        Fields::resolve(Some(&layout), &src, &map, needs, check.clone()).map_err(JobError::Columns)?;
    // The household's document (e.g. one catalogue per household) reads its own fields.
    let mut household = match &opts.household_docs {
        Some(path) => {
            // `--products` serves the catalogue, whichever stream it is in.
            let layout = compile_with(path, opts.date, opts.products.as_deref())?;
            let map = mapping(&layout, opts.map.as_deref())?;
            let fields = Fields::resolve(Some(&layout), &src, &map, PrepNeeds::default(), check)
                .map_err(JobError::Columns)?;
            Some(HouseholdDoc {
                layout,
                fields,
                colors: ColorMode::default(),
            })
        }
        None => None,
    };
    if layout.production.split_inserts && household.is_some() && opts.presort.is_some() {
        return Err(JobError::Options(
            "[production] split_inserts with --presort: the presort plans one stream of \
             mailpieces; splitting letters with inserts from the others would break its \
             trays. Drop split_inserts (the control file's feeders column says which \
             pieces take the insert) or presort each set as its own job"
                .into(),
        ));
    }
    let mut prep = preparer(&prep_opts, offered)?;
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
    let FirstPass {
        records,
        rejected,
        mut presorted,
    } = first_pass(&src, &fields, &mut prep, planner, &opts.out_dir, &stop, progress)?;

    // Pass 2: compose in parallel chunks; one writer appends in plan order.
    let production = &layout.production;
    let per_sheet = if production.duplex { 2 } else { 1 };
    // A reprint goes into one file per stream, whatever the original's splits.
    let reprint = opts.reprint.as_ref();
    if let Some(r) = reprint {
        // Every piece asked for is checked before anything is written.
        let feed = Feed::new(&records, presorted.as_ref(), household.is_some());
        check_reprint(r, feed, &opts.out_dir)?;
    }
    let limits = match reprint {
        Some(_) => (u32::MAX, u32::MAX),
        None => (opts.max_pages, opts.max_sheets.unwrap_or(u32::MAX)),
    };
    let mut letters = stream_of(
        &opts.layout,
        &layout.name,
        shared_with(&layout, pdfx_of(&layout, opts.pdfx4, opts.date)),
        limits,
        per_sheet,
        PieceKind::Letter,
    );
    letters.omr = production.omr.clone();
    // The workers encode pages in the colours their stream's files allow (PDF/X-4 or not).
    let letter_colors = letters.shared.color_mode();
    let households = match (&opts.household_docs, &mut household) {
        (Some(path), Some(h)) => {
            let p = &h.layout.production;
            let mut spec = stream_of(
                path,
                &h.layout.name,
                shared_with(&h.layout, pdfx_of(&h.layout, opts.pdfx4, opts.date)),
                limits,
                if p.duplex { 2 } else { 1 },
                PieceKind::HouseholdDoc,
            );
            h.colors = spec.shared.color_mode();
            // Two streams never share file names, even from one layout file name.
            if spec.stem == letters.stem {
                spec.stem.push_str("-household");
            }
            Some(spec)
        }
        _ => None,
    };
    // The letters that carry the household's document, as a stream of their own.
    let mut with_inserts = match &households {
        Some(h) if production.split_inserts => Some(StreamSpec {
            stem: format!("{}+{}", letters.stem, h.stem),
            title: letters.title.clone(),
            shared: letters.shared.clone(),
            omr: letters.omr.clone(),
            ..letters
        }),
        _ => None,
    };
    let mut households = households;
    if reprint.is_some() {
        for s in [Some(&mut letters), with_inserts.as_mut(), households.as_mut()]
            .into_iter()
            .flatten()
        {
            s.stem.insert_str(0, "reprint-");
            s.split_trays = false;
        }
    }
    let marked = production.omr.is_some() || production.datamatrix.is_some();
    let control = if marked || production.control_file || reprint.is_some() {
        Some(ControlFile::create(&opts.out_dir, &job).map_err(ledger_error)?)
    } else {
        None
    };
    let (tx, rx) = mpsc::sync_channel::<Vec<(Fed, PieceResult)>>(2);
    let outcomes = Outcomes::create(&opts.out_dir).map_err(ledger_error)?;
    // A reprint sends no message again.
    let (email, sms) = match reprint {
        Some(_) => (false, false),
        None => (layout.email().is_some(), layout.sms().is_some()),
    };
    let exports = Exports::create(&opts.out_dir, email, sms).map_err(ledger_error)?;

    let written = std::thread::scope(|scope| {
        let writer = scope.spawn(move || {
            let outputs = Outputs {
                exports,
                letters,
                with_inserts,
                households,
                control,
            };
            write_pieces(
                rx,
                outcomes,
                outputs,
                opts.out_dir.clone(),
                limit.map(|l| (l, rejected)),
            )
        });
        let (mut done, mut pages) = (0u64, 0u64);
        let mut feed = Feed::new(&records, presorted.as_ref(), household.is_some());
        let mut chunk = Vec::with_capacity(CHUNK);
        loop {
            while chunk.len() < CHUNK {
                match feed.next() {
                    Ok(Some(f)) => {
                        if reprint.is_none_or(|r| r.wants(f.place.letter).is_some()) {
                            chunk.push(f);
                        }
                    }
                    Ok(None) => break,
                    Err(e) => {
                        drop(tx);
                        let _ = writer.join();
                        return Err(ledger_error(e));
                    }
                }
            }
            let Some(first) = chunk.first() else { break };
            // In input order, the records before this chunk will not be read again; a
            // presorted order goes back and forth, and gives nothing back.
            if presorted.is_none() {
                src.release(first.entry.pos.offset);
            }
            let composed: Vec<_> = chunk
                .par_drain(..)
                .map(|f: Fed| {
                    let letters = Letters {
                        layout: &layout,
                        colors: letter_colors,
                        job: &job,
                    };
                    let result = compose_one(&src, &fields, &letters, household.as_ref(), &f, opts);
                    (f, result)
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
    if let Some(r) = reprint {
        let reprinted = r.pieces.len();
        let pages = written.files.iter().chain(&written.household_files);
        let counts = report::Counts {
            records: reprinted as u64,
            composed: reprinted as u64,
            pages: pages.map(|f| f.pages as u64).sum(),
            ..Default::default()
        };
        return Ok(JobSummary {
            counts,
            files: written.files.into_iter().chain(written.household_files).collect(),
            out_dir: opts.out_dir.clone(),
            presort: None,
        });
    }
    let presort_report = match &mut presorted {
        Some(p) => Some(write_presort(p, opts, &records, &outcomes, postcodes.as_deref())?),
        None => None,
    };

    let manifest = opts.out_dir.join("manifest.csv");
    let counts = report::write_manifest(
        &manifest,
        &records,
        &outcomes,
        &written.files,
        &written.household_files,
    )
    .map_err(|source| JobError::Output {
        path: manifest.clone(),
        source,
    })?;
    let report = Report {
        layout: layout.name.clone(),
        data: src.path().display().to_string(),
        source: src.detection().clone(),
        date: opts.date.to_string(),
        counts: counts.clone(),
        files: written
            .files
            .iter()
            .chain(&written.household_files)
            .cloned()
            .collect(),
        presort: presort_report
            .as_ref()
            .map(|r| serde_json::to_value(r).expect("plain data")),
    };
    let report_path = opts.out_dir.join("report.json");
    report::write_report(&report_path, &report).map_err(|source| JobError::Output {
        path: report_path.clone(),
        source,
    })?;
    let postage = presort_report.as_ref().map(PresortReport::postage);
    let data_name = src.path().file_name().map(|n| n.to_string_lossy().into_owned());
    let people = report::JobReport {
        job: &job,
        layout: &layout.name,
        data: data_name.as_deref().unwrap_or("-"),
        date: &report.date,
        counts: &counts,
        files: &report.files,
        postage: postage.as_ref(),
    };
    report::write_html_report(&opts.out_dir, &people).map_err(|source| JobError::Output {
        path: opts.out_dir.join(report::HTML_REPORT),
        source,
    })?;
    if let Some(file) = job_file {
        file.write(&opts.out_dir).map_err(|source| JobError::Output {
            path: opts.out_dir.join(JOB_FILE),
            source,
        })?;
    }
    Ok(JobSummary {
        counts,
        files: written.files.into_iter().chain(written.household_files).collect(),
        out_dir: opts.out_dir.clone(),
        presort: presort_report,
    })
}

/// Walks the feed as pass 2 will, checking that each piece a reprint asks for is still
/// planned, as the record the original run's manifest names.
fn check_reprint(r: &Reprint, mut feed: Feed, out_dir: &Path) -> Result<(), JobError> {
    let mut found = 0;
    let ledger_error = |source| JobError::Output {
        path: out_dir.to_owned(),
        source,
    };
    while let Some(f) = feed.next().map_err(ledger_error)? {
        match r.wants(f.place.letter) {
            Some(id) if id == &*f.entry.id => found += 1,
            Some(id) => {
                return Err(JobError::Options(format!(
                    "piece {} was record {id} and is now record {}: the data or the job's \
                     files changed since it ran, so it cannot be reprinted as it was",
                    PieceId::letter(f.place.letter),
                    f.entry.id
                )))
            }
            None => {}
        }
    }
    if found != r.pieces.len() {
        return Err(JobError::Options(format!(
            "{} of the {} pieces asked for are not planned when the job runs again: the data \
             or the job's files changed since it ran",
            r.pieces.len() - found,
            r.pieces.len()
        )));
    }
    Ok(())
}

/// Writes `presort.csv` and the tray labels of a composed, presorted job.
fn write_presort(
    presorted: &mut Presorted,
    opts: &ComposeOptions,
    records: &Records,
    outcomes: &FinishedOutcomes,
    postcodes: Option<&PostcodeBase>,
) -> Result<PresortReport, JobError> {
    let path = opts.out_dir.join("presort.csv");
    presorted.settle(outcomes).map_err(|source| JobError::Output {
        path: opts.out_dir.clone(),
        source,
    })?;
    presorted
        .write_csv(&path, records, Some(outcomes))
        .map_err(|source| JobError::Output { path, source })?;
    if let Some(labels) = opts.presort.as_ref().and_then(PresortOptions::label_layout) {
        let piece_at = |position: u32| -> Option<PieceId> {
            let (index, _) = presorted.at[presorted.plan.pieces[position as usize].index as usize];
            match outcomes.get(index) {
                Ok(Some(Outcome::Composed { piece, .. })) => Some(PieceId::letter(piece)),
                _ => None,
            }
        };
        let out = opts.out_dir.join("trays.pdf");
        write_labels(&labels, presorted, postcodes, &piece_at, &out, opts.date)?;
    }
    Ok(presorted.report())
}

/// What the letters are made with on the workers: the layout, the colours their files
/// allow, and the job id their sheets' DataMatrix names.
#[derive(Copy, Clone)]
struct Letters<'a> {
    layout: &'a Layout,
    colors: ColorMode,
    job: &'a str,
}

/// Re-reads a record and makes what its channels need (on a worker thread): its letter
/// composed, made into sheets and encoded for the post, its e-mail and SMS rendered.
fn compose_one(
    src: &Source,
    fields: &Fields,
    letters: &Letters,
    household: Option<&HouseholdDoc>,
    fed: &Fed,
    opts: &ComposeOptions,
) -> PieceResult {
    let Letters { layout, colors, job } = *letters;
    let e = &fed.entry;
    let mut values = Vec::with_capacity(fields.binding.len());
    src.read_at(&fields.binding, e.pos, &mut values)?;
    let mut notes = Vec::new();
    let post = e.channels.contains(Channels::POST);
    let data = fields.data(&values, layout, &e.id, &mut notes, post)?;
    let mut pages = Vec::new();
    if post {
        let mut piece = compose_piece(layout, &data, opts.allow_missing_glyphs)?;
        // Sheets for the inserter: a blank back after an odd last page in duplex, and the
        // DataMatrix naming the piece by the number it was given when fed.
        let label = SheetLabel {
            job,
            piece_id: PieceId::letter(fed.place.letter),
        };
        let (_, padding) = make_sheets(&mut piece.pages, &layout.production, label)
            .map_err(|e| Rejection::Production(e.to_string()))?;
        if padding > 0 {
            notes.push(format!("padding_pages:{padding}"));
        }
        pages = piece
            .pages
            .iter()
            .map(|p| encode_page_with(p, &layout.faces, colors))
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
    let mut household_pages = Vec::new();
    if let (Some(h), true) = (household, fed.place.household != 0) {
        let mut values = Vec::with_capacity(h.fields.binding.len());
        src.read_at(&h.fields.binding, e.pos, &mut values)?;
        let data = h.fields.data(&values, &h.layout, &e.id, &mut Vec::new(), true)?;
        let piece = compose_piece(&h.layout, &data, opts.allow_missing_glyphs)?;
        household_pages = piece
            .pages
            .iter()
            .map(|p| encode_page_with(p, &h.layout.faces, h.colors))
            .collect();
        notes.extend(piece.warnings);
    }
    Ok(Sent {
        pages,
        notes,
        email,
        sms,
        household_pages,
    })
}
