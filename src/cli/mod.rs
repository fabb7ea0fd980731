//! The `pli` command line: each subcommand's arguments, their conversion into the
//! library's options, the progress display and the summaries printed on standard error.
//!
//! A module of the binary, not of the library: the library takes options
//! ([`pli::job::ComposeOptions`] and the others), which a server or a script builds
//! as well as this command line does, and never depends on how a terminal shows them.

mod args;
mod check;
mod compose;
mod prepare;
mod presort;
mod progress;
mod proof;
mod reprint;
mod samples;
mod summary;

use clap::{Parser, Subcommand};
use pli::job::JobError;

use check::CheckArgs;
use compose::ComposeArgs;
use prepare::PrepareArgs;
use presort::PresortArgs;
use proof::ProofArgs;
use reprint::ReprintArgs;
use samples::SamplesArgs;

/// Exit code: the job could not run.
pub const EXIT_JOB: u8 = 2;
/// Exit code: the job finished but some records were rejected.
pub const EXIT_REJECTS: u8 = 3;

/// The exit code of a job that finished, from its rejected records.
fn finished(rejected: u64) -> u8 {
    if rejected > 0 {
        EXIT_REJECTS
    } else {
        0
    }
}

#[derive(Parser)]
#[command(
    name = "pli",
    version,
    about = "Variable-data print composition: personalised letters, print-ready PDF, every record accounted for",
    after_help = "Exit codes: 0 all records composed or deliberately suppressed; 3 the job finished but some records were rejected (see manifest.csv); 2 the job could not run."
)]
// (Plain comments here: clap would show doc comments in the help.)
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

// The subcommands, with the examples their help shows.
#[derive(Subcommand)]
pub enum Command {
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
    Reprint(ReprintArgs),
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
    Prepare(PrepareArgs),
    /// Plan the presort and postage of a mailing without composing it, for quoting a job.
    #[command(after_help = "Examples:
  pli presort samples/contacts.csv --rules presort/laposte-industriel.toml -o quote
  pli presort contacts.csv --rules presort/laposte-industriel.toml --layout layouts/letter.toml \\
      --postcodes laposte_hexasmal.csv --dedupe household -o quote

Writes OUT/presort.csv (one row per mailpiece in the carrier's order: piece id, record id, level, key,
bundle, tray, weight, price), OUT/trays.pdf (one label per tray, from tray-label.toml beside the rules
or --tray-labels) and OUT/report.json (pieces per level, trays, weight, postage presorted vs single-piece).
The rules files shipped in presort/ are examples: adjust them to the mailing house's contract.")]
    Presort(PresortArgs),
    /// Compose one record into a proof PDF, without reading the rest of the file into memory.
    #[command(after_help = "Examples:
  pli proof layouts/letter.toml samples/contacts.csv --record C000042 -o proof.pdf

The record is found by its `id` column (or by its line number when the file has none).
Suppressions (opt-outs) are ignored for proofs. Exit codes: 0 written; 3 the record cannot be composed; 2 error.")]
    Proof(ProofArgs),
    /// Check a layout (and that a data file has every field it uses) without composing.
    #[command(after_help = "Examples:
  pli check layouts/letter.toml
  pli check layouts/letter.toml samples/contacts.csv

Lists every problem found, not just the first. Exit codes: 0 no problem; 2 problems found.")]
    Check(CheckArgs),
    /// Write synthetic French contacts (and the sample images) for tests and benchmarks.
    #[command(after_help = "Examples:
  pli samples --records 1000 -o samples/contacts.csv
  pli samples --records 1000000 -o /tmp/million.csv
  pli samples --assets layouts/assets")]
    Samples(SamplesArgs),
}

impl Command {
    /// Runs the subcommand; returns the exit code of a job that ran.
    pub fn run(self) -> Result<u8, JobError> {
        match self {
            Command::Compose(args) => args.run(),
            Command::Reprint(args) => args.run(),
            Command::Prepare(args) => args.run(),
            Command::Presort(args) => args.run(),
            Command::Proof(args) => args.run(),
            Command::Check(args) => args.run(),
            Command::Samples(args) => args.run(),
        }
    }
}
