//! `pli compose`: every record composed, with a progress display and a summary.

use std::path::PathBuf;
use std::time::Instant;

use clap::Args;
use pli::job::{self, ComposeOptions, Date, JobError, PresortOptions};

use super::args::{parse_date, DataOpts, PrepOpts};
use super::progress::ProgressDisplay;
use super::{finished, summary};

/// The arguments of `pli compose`.
#[derive(Args)]
pub struct ComposeArgs {
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

impl ComposeArgs {
    /// Runs the job (the library writes its outputs and `job.json`) and prints its summary.
    pub fn run(self) -> Result<u8, JobError> {
        let (opts, quiet, progress) = compose_options(self);
        let started = Instant::now();
        let mut display = ProgressDisplay::new(quiet, progress);
        let result = job::run_compose_with(&opts, &mut |p| display.update(p));
        display.finish();
        let s = result?;
        if !quiet {
            summary::compose(&s, started.elapsed());
        }
        Ok(finished(s.counts.rejected))
    }
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
