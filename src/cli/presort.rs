//! `pli presort`: the plan and postage of a mailing, for a quote.

use std::path::PathBuf;

use clap::Args;
use pli::job::{self, Date, JobError, PresortOptions, QuoteOptions};

use super::args::{parse_date, DataOpts, PrepOpts};
use super::summary;

/// The arguments of `pli presort`.
#[derive(Args)]
pub struct PresortArgs {
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
}

impl PresortArgs {
    /// Plans the mailing and prints its postage.
    pub fn run(self) -> Result<u8, JobError> {
        let opts = QuoteOptions {
            input: self.data_opts.input(self.data),
            layout: self.layout,
            presort: PresortOptions {
                rules: self.rules,
                labels: self.tray_labels,
            },
            prep: self.prep_opts.options(),
            out_dir: self.out.clone(),
            date: self.date.unwrap_or_else(Date::today),
        };
        let s = job::run_quote(&opts)?;
        summary::quote(&s, &self.out);
        Ok(0)
    }
}
