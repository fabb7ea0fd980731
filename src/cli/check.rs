//! `pli check`: every problem of a layout (and of a data file's columns) listed.

use std::path::PathBuf;

use clap::Args;
use pli::job::{self, Date, JobError};

use super::args::{parse_date, DataOpts};
use super::EXIT_JOB;

/// The arguments of `pli check`.
#[derive(Args)]
pub struct CheckArgs {
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
}

impl CheckArgs {
    /// Lists the problems found; exit code 2 if there are any.
    pub fn run(self) -> Result<u8, JobError> {
        let input = self.data.map(|d| self.data_opts.input(d));
        let date = self.date.unwrap_or_else(Date::today);
        let problems = job::run_check(&self.layout, input.as_ref(), date, self.production.as_deref())?;
        if problems.is_empty() {
            eprintln!("pli: {} is fine", self.layout.display());
            return Ok(0);
        }
        for p in &problems {
            eprintln!("pli: error: {p}");
        }
        eprintln!("pli: {} problem(s) found", problems.len());
        Ok(EXIT_JOB)
    }
}
