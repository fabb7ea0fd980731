//! The `pli` command: parses arguments, calls the library, prints diagnostics, sets the exit code.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressStyle};

use clap::{Args, Parser, Subcommand};
use pli::data::{Format, SourceOptions};
use pli::job::{
    self, ComposeOptions, DataInput, Date, JobError, PrepOptions, PrepareOptions, PresortOptions,
    PresortReport, Progress, QuoteOptions, ReprintOptions,
};
use pli::mailprep::{AddressPolicy, MatchLevel, Suppression};

/// Composition allocates and frees many small buffers on every worker thread; mimalloc's
/// per-thread free lists cost a fraction of the system allocator's locking and merging.
#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Exit code: the job could not run.
const EXIT_JOB: u8 = 2;
/// Exit code: the job finished but some records were rejected.
const EXIT_REJECTS: u8 = 3;

#[derive(Parser)]
#[command(
    name = "pli",
    version,
    about = "Variable-data print composition: personalised letters, print-ready PDF, every record accounted for",
    after_help = "Exit codes: 0 all records composed or deliberately suppressed; 3 the job finished but some records were rejected (see manifest.csv); 2 the job could not run."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

/// The arguments of `pli compose`.
#[derive(Args)]
struct ComposeArgs {
    /// The layout file (TOML).
    layout: PathBuf,
    /// The contact file: CSV (any delimiter and encoding), JSON Lines, Excel .xlsx, or - for standard input.
    data: PathBuf,
    #[command(flatten)]
    data_opts: DataOpts,
    #[command(flatten)]
    prep_opts: PrepOpts,
    /// Presort the mail with this carrier's rules file (e.g. presort/laposte-industriel.toml): pages
    /// are written in the carrier's order, with presort.csv, trays.pdf and the postage in report.json.
    #[arg(long, value_name = "RULES")]
    presort: Option<PathBuf>,
    /// The tray label layout (default: tray-label.toml beside the rules file, if there is one).
    #[arg(long, value_name = "LAYOUT", requires = "presort")]
    tray_labels: Option<PathBuf>,
    /// A document each household receives once, composed with this layout for its first mailed
    /// member (e.g. a catalogue), while each person keeps a letter. Households come from the file's
    /// `household` column, else from the household match (last name and address).
    #[arg(long, value_name = "LAYOUT")]
    household_docs: Option<PathBuf>,
    /// Output folder.
    #[arg(short, long)]
    out: PathBuf,
    /// The letter's date, YYYY-MM-DD (default: today).
    #[arg(long, value_parser = parse_date)]
    date: Option<Date>,
    /// Stop at the first rejected record instead of reporting it and going on.
    #[arg(long)]
    strict: bool,
    /// Stop when more than N records are rejected.
    #[arg(long, value_name = "N")]
    max_rejects: Option<u64>,
    /// Compose records with characters the fonts lack (drawn as a box, with a warning) instead of rejecting them.
    #[arg(long)]
    allow_missing_glyphs: bool,
    /// Start a new PDF file before a piece that would take a file past this many pages.
    #[arg(long, default_value_t = 10_000)]
    max_pages: u32,
    /// Start a new PDF file before a piece that would take a file past this many sheets.
    #[arg(long, value_name = "N")]
    max_sheets: Option<u32>,
    /// The job's id in the inserter's marks and control file (default: the layout file's name).
    #[arg(long, value_name = "ID")]
    job: Option<String>,
    /// A catalogue's products file (CSV or JSON Lines), instead of the one its layout names.
    #[arg(long, value_name = "FILE")]
    products: Option<PathBuf>,
    /// Write PDF/X-4 files: an output intent (the layout's [production.output_intent], else
    /// pli's generic CMYK profile), XMP metadata, TrimBox and BleedBox on every page, RGB
    /// colours converted to CMYK and RGB images tagged sRGB.
    #[arg(long)]
    pdfx4: bool,
    /// A production file (TOML, a [production] table) replacing the layout's: the same
    /// letter made up for another line (paper, duplex, OMR, DataMatrix, output intent).
    #[arg(long, value_name = "FILE")]
    production: Option<PathBuf>,
    /// Show progress even when standard error is not a terminal (one line every few seconds).
    #[arg(long, conflicts_with = "quiet")]
    progress: bool,
    /// Print nothing but errors (no progress bar, no summary).
    #[arg(short, long)]
    quiet: bool,
}

/// How to read the contact file, where detection should not decide.
#[derive(Args, Clone, Debug)]
struct DataOpts {
    /// Format: csv, jsonl or xlsx (default: from the extension, else from the content).
    #[arg(long, value_parser = parse_format)]
    format: Option<Format>,
    /// Text encoding of a CSV file: utf-8, utf-16le, utf-16be, windows-1252… (default: detected).
    #[arg(long)]
    encoding: Option<String>,
    /// Delimiter of a CSV file: `;`, `,`, `tab` or `|` (default: detected).
    #[arg(long, value_parser = parse_delimiter)]
    delimiter: Option<u8>,
    /// Sheet of an Excel workbook (default: the first).
    #[arg(long)]
    sheet: Option<String>,
    /// A mapping file (TOML, `[mapping]` with `field = "Column"`) binding the layout's fields to the file's columns.
    #[arg(long, value_name = "FILE")]
    map: Option<PathBuf>,
}

impl DataOpts {
    fn input(&self, path: PathBuf) -> DataInput {
        DataInput {
            path,
            source: SourceOptions {
                format: self.format,
                encoding: self.encoding.clone(),
                delimiter: self.delimiter,
                sheet: self.sheet.clone(),
            },
            map: self.map.clone(),
        }
    }
}

/// Mail preparation options, shared by `compose` (and `prepare`).
#[derive(Args, Clone, Debug, Default)]
struct PrepOpts {
    /// La Poste's postcode base ("base officielle des codes postaux", `;`-separated, Latin-1 or
    /// UTF-8): postcodes and towns are checked against it and the town written as its delivery name.
    #[arg(long, value_name = "FILE")]
    postcodes: Option<PathBuf>,
    /// What a postcode or town the base does not confirm does: reject the record, or warn and keep it.
    #[arg(long, value_name = "POLICY", default_value = "reject", value_parser = parse_policy)]
    address_policy: AddressPolicy,
    /// A suppression list, KIND=FILE (repeatable); KIND is optout, erasure, robinson, pnd or moved.
    /// One key per line: a name+address, e-mail or phone, in clear or as a SHA-256 hex digest.
    #[arg(long, value_name = "KIND=FILE", value_parser = parse_suppress)]
    suppress: Vec<(Suppression, PathBuf)>,
    /// Keep the first record of each person (individual), household or address; the others are
    /// suppressed as duplicate_of:<id>.
    #[arg(long, value_name = "LEVEL", value_parser = parse_dedupe)]
    dedupe: Option<MatchLevel>,
}

impl PrepOpts {
    fn options(&self) -> PrepOptions {
        PrepOptions {
            postcodes: self.postcodes.clone(),
            address_policy: self.address_policy,
            suppress: self.suppress.clone(),
            dedupe: self.dedupe,
            households: false,
        }
    }
}

fn parse_policy(s: &str) -> Result<AddressPolicy, String> {
    match s {
        "reject" => Ok(AddressPolicy::Reject),
        "warn" => Ok(AddressPolicy::Warn),
        _ => Err(format!("`{s}`: use reject or warn")),
    }
}

fn parse_suppress(s: &str) -> Result<(Suppression, PathBuf), String> {
    let (kind, file) = s
        .split_once('=')
        .ok_or_else(|| format!("`{s}`: write KIND=FILE, e.g. optout=optouts.txt"))?;
    let kinds: Vec<&str> = Suppression::ALL.iter().map(|k| k.code()).collect();
    let kind = Suppression::from_code(kind.trim())
        .ok_or_else(|| format!("unknown list kind `{kind}`: use {}", kinds.join(", ")))?;
    if file.is_empty() {
        return Err(format!("`{s}`: the list's file is missing after `=`"));
    }
    Ok((kind, PathBuf::from(file)))
}

fn parse_dedupe(s: &str) -> Result<MatchLevel, String> {
    match s {
        "individual" | "person" => Ok(MatchLevel::Individual),
        "household" => Ok(MatchLevel::Household),
        "address" => Ok(MatchLevel::Address),
        _ => Err(format!("`{s}`: use individual, household or address")),
    }
}

/// The presort's human report: pieces per level, trays, postage and saving.
fn print_presort(p: &PresortReport) {
    let levels: Vec<String> = p
        .pieces_per_level
        .iter()
        .map(|(l, n)| format!("{l} {n}"))
        .collect();
    let single: u32 = p.single_pieces.iter().map(|(_, n)| n).sum();
    eprintln!(
        "pli:   presort ({}): {}; {single} single-piece; {} bundle(s), {} tray(s), {:.1} kg",
        p.product,
        levels.join(", "),
        p.bundles,
        p.trays,
        p.total_weight_g as f64 / 1000.0
    );
    eprintln!(
        "pli:   postage {} EUR presorted against {} EUR single-piece: {} EUR saved ({} %)",
        p.postage_presorted_eur, p.postage_single_piece_eur, p.saving_eur, p.saving_percent
    );
    if p.below_deposit_minimum {
        eprintln!(
            "pli: warning: the deposit is below the carrier's minimum: every piece is priced single-piece"
        );
    }
}

fn parse_format(s: &str) -> Result<Format, String> {
    s.parse()
}

fn parse_delimiter(s: &str) -> Result<u8, String> {
    match s {
        "tab" | "\\t" | "\t" => Ok(b'\t'),
        ";" | "," | "|" => Ok(s.as_bytes()[0]),
        _ => Err(format!("`{s}`: use `;`, `,`, `tab` or `|`")),
    }
}

#[derive(Subcommand)]
enum Command {
    /// Compose every record into PDF letters, with manifest.csv and report.json.
    #[command(after_help = "Examples:
  pli compose layouts/letter.toml samples/contacts.csv -o out
  pli compose layouts/catalogue.toml samples/contacts.csv --products samples/products.csv -o out
  pli compose layouts/letter.toml contacts.csv -o out --date 2026-12-01 --strict
  pli compose layouts/letter.toml export.csv --map samples/mapping-fr.toml -o out
  pli compose layouts/letter.toml contacts.xlsx --sheet Clients -o out
  crm-export | pli compose layouts/letter.toml - --format jsonl -o out
  pli compose layouts/catalogue.toml samples/contacts.csv --pdfx4 -o out

Writes OUT/<layout>-0001-P0000001-P0000250.pdf (a file per tray when presorted, and a new one past
--max-pages or --max-sheets; the name says the stream, the sequence and the pieces), OUT/manifest.csv
with one row per input record (record_id,line,status,reason,piece_id,file,first_page,pages,…,sheets,
tray,bundle) and OUT/report.json with the counts.
Exit codes: 0 all composed or suppressed; 3 some records rejected; 2 the job could not run.")]
    Compose(ComposeArgs),
    /// Compose again, exactly as they were, the pieces an inserter spoiled.
    #[command(after_help = "Examples:
  pli reprint out --pieces P0000003,P0000010 -o reprint
  pli reprint out --pieces-file outsort.log -o reprint

Runs the job recorded in OUT_DIR/job.json again from the same layout and data, and composes only the
pieces asked for (a household document's D id brings its letter with it), with the same piece ids,
marks and page content, into DIR/reprint-<layout>-0001-<first>-<last>.pdf and DIR/inserter.csv.
The original run's manifest.csv says which record each piece was; if the data gives another record
now, the reprint stops. Exit codes: 0 reprinted; 2 the reprint could not run.")]
    Reprint {
        /// The output folder of the compose job (with its job.json and manifest.csv).
        out_dir: PathBuf,
        /// Piece ids, comma-separated (P0000003,D0000001).
        #[arg(long, value_delimiter = ',', required_unless_present = "pieces_file")]
        pieces: Vec<String>,
        /// A file of piece ids, one or more per line (an inserter's outsort log; # starts a comment).
        #[arg(long, value_name = "FILE")]
        pieces_file: Option<PathBuf>,
        /// The contact file, when the job read it from standard input or it has moved.
        #[arg(long, value_name = "FILE")]
        data: Option<PathBuf>,
        /// The folder for the reprint file and its control file.
        #[arg(short, long)]
        out: PathBuf,
    },
    /// Prepare the mail without composing: one row per record with its status, reason, channels,
    /// household, duplicate and normalised address lines (the cleaned file for the client).
    #[command(after_help = "Examples:
  pli prepare samples/contacts.csv -o cleaned.csv
  pli prepare contacts.csv --postcodes laposte_hexasmal.csv --suppress optout=optouts.txt \\
      --suppress pnd=returns.sha256 --dedupe household -o cleaned.jsonl
  pli prepare contacts.csv --layout layouts/letter.toml -o - | other-tool

Columns: record_id,line,status (ready|suppressed|rejected),reason,channels,household,duplicate_of,
address_normalised,address_line1..address_line7. JSON Lines when FILE ends in .jsonl; - writes to standard output.
Without --layout every channel (post, e-mail, SMS) is offered; with one, those it has templates for.
Exit codes: 0 written, none rejected; 3 some records rejected; 2 the job could not run.")]
    Prepare {
        /// The contact file: CSV, JSON Lines, Excel .xlsx, or - for standard input.
        data: PathBuf,
        #[command(flatten)]
        data_opts: DataOpts,
        #[command(flatten)]
        prep_opts: PrepOpts,
        /// A layout whose channels and mapping apply.
        #[arg(long)]
        layout: Option<PathBuf>,
        /// The cleaned file (CSV, or JSON Lines when it ends in .jsonl; - for standard output).
        #[arg(short, long)]
        out: PathBuf,
        /// The date a layout is compiled with, YYYY-MM-DD (default: today).
        #[arg(long, value_parser = parse_date)]
        date: Option<Date>,
        /// Print nothing but errors.
        #[arg(short, long)]
        quiet: bool,
    },
    /// Plan the presort and postage of a mailing without composing it, for quoting a job.
    #[command(after_help = "Examples:
  pli presort samples/contacts.csv --rules presort/laposte-industriel.toml -o quote
  pli presort contacts.csv --rules presort/laposte-industriel.toml --layout layouts/letter.toml \\
      --postcodes laposte_hexasmal.csv --dedupe household -o quote

Writes OUT/presort.csv (one row per mailpiece in the carrier's order: piece id, record id, level, key,
bundle, tray, weight, price), OUT/trays.pdf (one label per tray, from tray-label.toml beside the rules
or --tray-labels) and OUT/report.json (pieces per level, trays, weight, postage presorted vs single-piece).
The rules files shipped in presort/ are examples: adjust them to the mailing house's contract.")]
    Presort {
        /// The contact file: CSV, JSON Lines, Excel .xlsx, or - for standard input.
        data: PathBuf,
        #[command(flatten)]
        data_opts: DataOpts,
        #[command(flatten)]
        prep_opts: PrepOpts,
        /// The carrier's rules file.
        #[arg(long, value_name = "RULES")]
        rules: PathBuf,
        /// The tray label layout (default: tray-label.toml beside the rules file, if there is one).
        #[arg(long, value_name = "LAYOUT")]
        tray_labels: Option<PathBuf>,
        /// A layout whose production settings (paper, sheets, envelope), page size, channels and mapping apply.
        #[arg(long)]
        layout: Option<PathBuf>,
        /// Output folder.
        #[arg(short, long)]
        out: PathBuf,
        /// The date on the labels, YYYY-MM-DD (default: today).
        #[arg(long, value_parser = parse_date)]
        date: Option<Date>,
    },
    /// Compose one record into a proof PDF, without reading the rest of the file into memory.
    #[command(after_help = "Examples:
  pli proof layouts/letter.toml samples/contacts.csv --record C000042 -o proof.pdf

The record is found by its `id` column (or by its line number when the file has none).
Suppressions (opt-outs) are ignored for proofs. Exit codes: 0 written; 3 the record cannot be composed; 2 error.")]
    Proof {
        /// The layout file (TOML).
        layout: PathBuf,
        /// The contact file (CSV, JSON Lines, .xlsx, or - for standard input).
        data: PathBuf,
        #[command(flatten)]
        data_opts: DataOpts,
        /// The record's id.
        #[arg(long)]
        record: String,
        /// The proof PDF to write.
        #[arg(short, long)]
        out: PathBuf,
        /// The letter's date, YYYY-MM-DD (default: today).
        #[arg(long, value_parser = parse_date)]
        date: Option<Date>,
    },
    /// Check a layout (and that a data file has every field it uses) without composing.
    #[command(after_help = "Examples:
  pli check layouts/letter.toml
  pli check layouts/letter.toml samples/contacts.csv

Lists every problem found, not just the first. Exit codes: 0 no problem; 2 problems found.")]
    Check {
        /// The layout file (TOML).
        layout: PathBuf,
        /// A contact file whose header should have every field the layout uses.
        data: Option<PathBuf>,
        #[command(flatten)]
        data_opts: DataOpts,
        /// The date static text is laid out with, YYYY-MM-DD (default: today).
        #[arg(long, value_parser = parse_date)]
        date: Option<Date>,
        /// A production file to check with the layout, replacing its [production] table.
        #[arg(long, value_name = "FILE")]
        production: Option<PathBuf>,
    },
    /// Write synthetic French contacts (and the sample images) for tests and benchmarks.
    #[command(after_help = "Examples:
  pli samples --records 1000 -o samples/contacts.csv
  pli samples --records 1000000 -o /tmp/million.csv
  pli samples --assets layouts/assets")]
    Samples {
        /// Number of contacts.
        #[arg(long, default_value_t = 1000)]
        records: usize,
        /// The CSV file to write.
        #[arg(short, long)]
        out: Option<PathBuf>,
        /// Seed of the generator (the same seed gives the same file).
        #[arg(long, default_value_t = 2026)]
        seed: u64,
        /// Also write the sample images (logo.png, signature.jpg) into this folder.
        #[arg(long)]
        assets: Option<PathBuf>,
    },
}

/// The options of a compose job from its arguments, and how it reports progress.
fn compose_options(args: ComposeArgs) -> (ComposeOptions, bool, bool) {
    let ComposeArgs {
        layout,
        data,
        data_opts,
        prep_opts,
        presort,
        tray_labels,
        household_docs,
        out,
        date,
        strict,
        max_rejects,
        allow_missing_glyphs,
        max_pages,
        max_sheets,
        job,
        products,
        pdfx4,
        production,
        progress,
        quiet,
    } = args;
    let input = data_opts.input(data);
    let opts = ComposeOptions {
        layout,
        data: input.path,
        source: input.source,
        map: input.map,
        out_dir: out,
        date: date.unwrap_or_else(Date::today),
        strict,
        max_rejects,
        max_pages,
        max_sheets,
        job,
        allow_missing_glyphs,
        prep: prep_opts.options(),
        presort: presort.map(|rules| PresortOptions {
            rules,
            labels: tray_labels,
        }),
        household_docs,
        products,
        reprint: None,
        pdfx4,
        production,
    };
    (opts, quiet, progress)
}

fn parse_date(s: &str) -> Result<Date, String> {
    Date::parse(s)
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli.command) {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            for line in e.to_string().lines() {
                eprintln!("pli: error: {line}");
            }
            ExitCode::from(e.exit_code() as u8)
        }
    }
}

fn run(command: Command) -> Result<u8, JobError> {
    match command {
        Command::Compose(args) => {
            let (opts, quiet, progress) = compose_options(args);
            let started = Instant::now();
            let mut display = ProgressDisplay::new(quiet, progress);
            let result = job::run_compose_with(&opts, &mut |p| display.update(p));
            display.finish();
            let s = result?;
            let c = &s.counts;
            if quiet {
                return Ok(if c.rejected > 0 { EXIT_REJECTS } else { 0 });
            }
            let secs = started.elapsed().as_secs_f64();
            let files: Vec<&str> = s.files.iter().map(|f| f.name.as_str()).collect();
            eprintln!(
                "pli: {} records: {} composed, {}{} suppressed, {} rejected; {} pages in {} file(s) in {}{}; {:.2} s, {:.0} pages/s",
                c.records,
                c.composed,
                if c.exported > 0 {
                    format!("{} sent by e-mail or SMS only, ", c.exported)
                } else {
                    String::new()
                },
                c.suppressed,
                c.rejected,
                c.pages,
                files.len(),
                s.out_dir.display(),
                if files.len() > 3 {
                    format!(" ({} … {})", files[0], files[files.len() - 1])
                } else if files.is_empty() {
                    String::new()
                } else {
                    format!(" ({})", files.join(", "))
                },
                secs,
                c.pages as f64 / secs.max(1e-6)
            );
            for (reason, n) in &c.reasons {
                eprintln!("pli:   {reason}: {n}");
            }
            if c.warned > 0 {
                eprintln!(
                    "pli:   {} composed with a note or warning (see the reason column of manifest.csv)",
                    c.warned
                );
            }
            if let Some(p) = &s.presort {
                print_presort(p);
            }
            for (file, channel) in [("emails.jsonl", "email"), ("sms.jsonl", "sms")] {
                if let Some(n) = c.channels.get(channel) {
                    eprintln!(
                        "pli:   {n} {channel} message(s) in {}",
                        s.out_dir.join(file).display()
                    );
                }
            }
            Ok(if c.rejected > 0 { EXIT_REJECTS } else { 0 })
        }
        Command::Reprint {
            out_dir,
            pieces,
            pieces_file,
            data,
            out,
        } => {
            let pieces = job::piece_ids(&pieces, pieces_file.as_deref())?;
            let s = job::run_reprint(&ReprintOptions {
                job_dir: out_dir,
                pieces,
                data,
                out_dir: out,
            })?;
            let files: Vec<&str> = s.files.iter().map(|f| f.name.as_str()).collect();
            eprintln!(
                "pli: reprinted {} piece(s), {} page(s) in {} ({}) with {}",
                s.counts.composed,
                s.counts.pages,
                s.out_dir.display(),
                files.join(", "),
                pli::production::CONTROL_FILE
            );
            Ok(0)
        }
        Command::Proof {
            layout,
            data,
            data_opts,
            record,
            out,
            date,
        } => {
            let input = data_opts.input(data);
            let pages = job::run_proof(&layout, &input, &record, &out, date.unwrap_or_else(Date::today))?;
            eprintln!(
                "pli: proof of record {record}: {pages} page(s) in {}",
                out.display()
            );
            Ok(0)
        }
        Command::Prepare {
            data,
            data_opts,
            prep_opts,
            layout,
            out,
            date,
            quiet,
        } => {
            let opts = PrepareOptions {
                input: data_opts.input(data),
                layout,
                date: date.unwrap_or_else(Date::today),
                out,
                prep: prep_opts.options(),
            };
            let s = job::run_prepare(&opts)?;
            if !quiet {
                eprintln!(
                    "pli: {} records: {} ready ({} addresses normalised), {} suppressed, {} rejected",
                    s.records, s.ready, s.normalised, s.suppressed, s.rejected
                );
                for (reason, n) in &s.reasons {
                    eprintln!("pli:   {reason}: {n}");
                }
            }
            Ok(if s.rejected > 0 { EXIT_REJECTS } else { 0 })
        }
        Command::Presort {
            data,
            data_opts,
            prep_opts,
            rules,
            tray_labels,
            layout,
            out,
            date,
        } => {
            let opts = QuoteOptions {
                input: data_opts.input(data),
                layout,
                presort: PresortOptions {
                    rules,
                    labels: tray_labels,
                },
                prep: prep_opts.options(),
                out_dir: out.clone(),
                date: date.unwrap_or_else(Date::today),
            };
            let s = job::run_quote(&opts)?;
            eprintln!(
                "pli: {} records: {} mailpieces planned, {} not mailed; {} tray label(s); plan in {}",
                s.records,
                s.mailpieces,
                s.not_mailed,
                s.labels,
                out.join("presort.csv").display()
            );
            print_presort(&s.presort);
            Ok(0)
        }
        Command::Check {
            layout,
            data,
            data_opts,
            date,
            production,
        } => {
            let input = data.map(|d| data_opts.input(d));
            let date = date.unwrap_or_else(Date::today);
            let problems = job::run_check(&layout, input.as_ref(), date, production.as_deref())?;
            if problems.is_empty() {
                eprintln!("pli: {} is fine", layout.display());
                return Ok(0);
            }
            for p in &problems {
                eprintln!("pli: error: {p}");
            }
            eprintln!("pli: {} problem(s) found", problems.len());
            Ok(EXIT_JOB)
        }
        Command::Samples {
            records,
            out,
            seed,
            assets,
        } => {
            if let Some(dir) = assets {
                pli::samples::write_assets(&dir).map_err(|source| JobError::Output {
                    path: dir.clone(),
                    source,
                })?;
            }
            if let Some(path) = out {
                pli::report::write_atomic(&path, |w| pli::samples::write_contacts(records, seed, w))
                    .map_err(|source| JobError::Output {
                        path: path.clone(),
                        source,
                    })?;
                eprintln!("pli: {records} contacts written to {}", path.display());
            }
            Ok(0)
        }
    }
}

/// Progress on standard error: a bar on a terminal, a line every few seconds with
/// `--progress` elsewhere, nothing with `--quiet` or on a pipe. Counts only, never names.
struct ProgressDisplay {
    bar: Option<ProgressBar>,
    lines: bool,
    last_line: Instant,
    started: Instant,
}

impl ProgressDisplay {
    fn new(quiet: bool, forced: bool) -> ProgressDisplay {
        let terminal = std::io::stderr().is_terminal();
        let bar = (!quiet && terminal).then(|| {
            let bar = ProgressBar::new_spinner();
            bar.enable_steady_tick(Duration::from_millis(200));
            bar.set_message("reading records");
            bar
        });
        ProgressDisplay {
            bar,
            lines: !quiet && !terminal && forced,
            // The first update is shown at once, later ones every two seconds.
            last_line: Instant::now() - Duration::from_secs(2),
            started: Instant::now(),
        }
    }

    fn update(&mut self, p: Progress) {
        if let Some(bar) = &self.bar {
            match p {
                Progress::Reading { records } => bar.set_message(format!("reading records: {records}")),
                Progress::Composing { done, total, pages } => {
                    if bar.length() != Some(total) {
                        bar.set_length(total);
                        bar.set_style(
                            ProgressStyle::with_template(
                                "{bar:30} {pos}/{len} pieces · {per_sec} · ETA {eta} · {msg}",
                            )
                            .unwrap_or_else(|_| ProgressStyle::default_bar()),
                        );
                    }
                    bar.set_position(done);
                    bar.set_message(format!("{pages} pages"));
                }
            }
        }
        if self.lines && self.last_line.elapsed() >= Duration::from_secs(2) {
            self.last_line = Instant::now();
            let secs = self.started.elapsed().as_secs_f64().max(1e-6);
            match p {
                Progress::Reading { records } => eprintln!("pli: progress: {records} records read"),
                Progress::Composing { done, total, pages } => eprintln!(
                    "pli: progress: {done}/{total} pieces, {pages} pages, {:.0} pages/s",
                    pages as f64 / secs
                ),
            }
        }
    }

    fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}
