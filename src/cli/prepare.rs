//! `pli prepare`: the cleaned file, mail prepared without composing.

use std::path::PathBuf;

use clap::Args;
use pli::job::{self, Date, JobError, PrepareOptions};

use super::args::{parse_date, DataOpts, PrepOpts};
use super::{finished, summary};

/// The arguments of `pli prepare`.
#[derive(Args)]
pub struct PrepareArgs {
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
}

impl PrepareArgs {
    /// Writes the cleaned file and, unless quiet, its counts.
    pub fn run(self) -> Result<u8, JobError> {
        let opts = PrepareOptions {
            input: self.data_opts.input(self.data),
            layout: self.layout,
            date: self.date.unwrap_or_else(Date::today),
            out: self.out,
            prep: self.prep_opts.options(),
        };
        let s = job::run_prepare(&opts)?;
        if !self.quiet {
            summary::prepare(&s);
        }
        Ok(finished(s.rejected))
    }
}
