//! `pli prepare`: mail preparation without composition. One row per input record with its
//! status, reason, channels, household, the record it duplicates and its normalised
//! address lines: the cleaned file a mailing house hands back to its client.

use std::collections::BTreeMap;
use std::io::{self, Write};
use std::path::PathBuf;

use serde_json::json;

use super::pass1_prep::{setup, PrepOptions, Setup};
use super::{DataInput, Date, JobError};
use crate::mailprep::{Decision, MAX_LINES_ABROAD};
use crate::record::{Channels, Fate};
use crate::report::write_atomic;

/// What `pli prepare` is asked to do.
#[derive(Clone, Debug)]
pub struct PrepareOptions {
    /// The contact file, how to read it, and its mapping.
    pub input: DataInput,
    /// A layout, when the channels it offers (and its mapping) should apply; without
    /// one, post, e-mail and SMS are all offered.
    pub layout: Option<PathBuf>,
    /// The date a layout is compiled with.
    pub date: Date,
    /// Where the cleaned file goes (`-` for standard output); JSON Lines when it ends
    /// in `.jsonl`, else CSV.
    pub out: PathBuf,
    /// Mail preparation.
    pub prep: PrepOptions,
}

/// What `pli prepare` found.
#[derive(Clone, Debug, Default)]
pub struct PrepareSummary {
    /// Records read.
    pub records: u64,
    /// Records going by at least one channel.
    pub ready: u64,
    /// Records suppressed.
    pub suppressed: u64,
    /// Records rejected.
    pub rejected: u64,
    /// Ready records whose address block was changed by normalisation.
    pub normalised: u64,
    /// Records per reason code (`suppressed:…`, rejection codes).
    pub reasons: BTreeMap<String, u64>,
}

/// The cleaned file's columns (CSV); JSON Lines has the same keys, with `channels` and
/// `address_lines` as arrays.
pub const CLEAN_COLUMNS: [&str; 15] = [
    "record_id",
    "line",
    "status",
    "reason",
    "channels",
    "household",
    "duplicate_of",
    "address_normalised",
    "address_line1",
    "address_line2",
    "address_line3",
    "address_line4",
    "address_line5",
    "address_line6",
    "address_line7",
];

/// One record of the cleaned file.
struct Row<'a> {
    id: &'a str,
    line: u64,
    status: &'static str,
    reason: String,
    channels: Channels,
    household: &'a str,
    duplicate_of: &'a str,
    normalised: bool,
    lines: Vec<String>,
}

/// Runs `pli prepare`: every record prepared and written, none composed.
pub fn run_prepare(opts: &PrepareOptions) -> Result<PrepareSummary, JobError> {
    // Without a layout every channel is offered.
    let all = Channels::POST | Channels::EMAIL | Channels::SMS;
    let Setup {
        src,
        fields,
        mut prep,
        ..
    } = setup(
        opts.layout.as_deref(),
        &opts.input,
        &opts.prep,
        opts.date,
        all,
        false,
    )?;
    let jsonl = opts.out.extension().is_some_and(|e| e == "jsonl");
    let mut summary = PrepareSummary::default();
    let mut body = |out: &mut dyn Write| -> io::Result<()> {
        let mut sink = if jsonl {
            Sink::Json(out)
        } else {
            let mut w = csv::Writer::from_writer(out);
            w.write_record(CLEAN_COLUMNS)?;
            Sink::Csv(Box::new(w))
        };
        let mut values = Vec::new();
        let mut scan = src.scan(&fields.binding);
        while let Some((pos, read)) = scan.next_into(&mut values) {
            let id = fields.record_id(&values, pos);
            let decision = match read {
                Err(r) => Decision::unreadable(r),
                // The cleaned file checks the address alone, not a layout's fields.
                Ok(()) => prep.decide(&id, fields.contact(&values, prep.needs()), Ok(())),
            };
            let block = decision.address();
            summary.records += 1;
            let (status, reason) = match &decision.fate {
                Fate::Planned | Fate::Exported => {
                    summary.ready += 1;
                    ("ready", String::new())
                }
                Fate::Suppressed(why) => {
                    summary.suppressed += 1;
                    ("suppressed", format!("suppressed:{why}"))
                }
                Fate::Rejected { message, .. } => {
                    summary.rejected += 1;
                    ("rejected", message.to_string())
                }
            };
            let counted = match &decision.fate {
                Fate::Suppressed(why) if why.starts_with("duplicate_of:") => {
                    "suppressed:duplicate".to_owned()
                }
                Fate::Suppressed(_) => reason.clone(),
                Fate::Rejected { code, .. } => code.to_string(),
                _ => String::new(),
            };
            if !counted.is_empty() {
                *summary.reasons.entry(counted).or_default() += 1;
            }
            let normalised = block.is_some_and(|b| b.is_normalised());
            if status == "ready" && normalised {
                summary.normalised += 1;
            }
            let duplicate_of = match &decision.fate {
                Fate::Suppressed(why) => why.strip_prefix("duplicate_of:").unwrap_or(""),
                _ => "",
            };
            let row = Row {
                id: &id,
                line: pos.line,
                status,
                reason,
                channels: decision.channels,
                household: &decision.household,
                duplicate_of,
                normalised,
                lines: block.map_or_else(Vec::new, |b| b.lines().iter().map(|l| l.text.clone()).collect()),
            };
            match &mut sink {
                Sink::Csv(w) => write_csv(w, &row)?,
                Sink::Json(out) => write_json(*out, &row)?,
            }
        }
        match sink {
            Sink::Csv(mut w) => w.flush(),
            Sink::Json(out) => out.flush(),
        }
    };
    let written = if opts.out.as_os_str() == "-" {
        let stdout = io::stdout();
        let mut lock = io::BufWriter::new(stdout.lock());
        body(&mut lock).and_then(|()| lock.flush())
    } else {
        write_atomic(&opts.out, |out| body(out))
    };
    written.map_err(|source| JobError::Output {
        path: opts.out.clone(),
        source,
    })?;
    Ok(summary)
}

/// Where rows go: a CSV writer, or JSON Lines.
enum Sink<'a> {
    Csv(Box<csv::Writer<&'a mut dyn Write>>),
    Json(&'a mut dyn Write),
}

fn write_csv<W: Write>(w: &mut csv::Writer<W>, row: &Row) -> io::Result<()> {
    let line = row.line.to_string();
    let channels = if row.channels.is_empty() {
        String::new()
    } else {
        row.channels.to_string()
    };
    let mut record: Vec<&str> = vec![
        row.id,
        &line,
        row.status,
        &row.reason,
        &channels,
        row.household,
        row.duplicate_of,
        if row.normalised { "yes" } else { "no" },
    ];
    for k in 0..MAX_LINES_ABROAD {
        record.push(row.lines.get(k).map_or("", String::as_str));
    }
    w.write_record(&record)?;
    Ok(())
}

fn write_json(out: &mut dyn Write, row: &Row) -> io::Result<()> {
    let value = json!({
        "record_id": row.id,
        "line": row.line,
        "status": row.status,
        "reason": row.reason,
        "channels": row.channels.names().collect::<Vec<_>>(),
        "household": row.household,
        "duplicate_of": row.duplicate_of,
        "address_normalised": row.normalised,
        "address_lines": row.lines,
    });
    serde_json::to_writer(&mut *out, &value)?;
    out.write_all(b"\n")
}
