//! `pli proof`: one record composed into a proof PDF.

use std::path::PathBuf;

use clap::Args;
use pli::job::{self, Date, JobError};

use super::args::{parse_date, DataOpts};

/// The arguments of `pli proof`.
#[derive(Args)]
pub struct ProofArgs {
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
}

impl ProofArgs {
    /// Writes the proof and says how many pages it has.
    pub fn run(self) -> Result<u8, JobError> {
        let input = self.data_opts.input(self.data);
        let date = self.date.unwrap_or_else(Date::today);
        let pages = job::run_proof(&self.layout, &input, &self.record, &self.out, date)?;
        eprintln!(
            "pli: proof of record {}: {pages} page(s) in {}",
            self.record,
            self.out.display()
        );
        Ok(0)
    }
}
