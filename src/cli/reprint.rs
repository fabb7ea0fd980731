//! `pli reprint`: the pieces an inserter spoiled, composed again from the job's folder.

use std::path::PathBuf;

use clap::Args;
use pli::job::{self, JobError, ReprintOptions};

use super::summary;

/// The arguments of `pli reprint`.
#[derive(Args)]
pub struct ReprintArgs {
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
}

impl ReprintArgs {
    /// Reprints the pieces asked for and says where they went.
    pub fn run(self) -> Result<u8, JobError> {
        let pieces = job::piece_ids(&self.pieces, self.pieces_file.as_deref())?;
        let s = job::run_reprint(&ReprintOptions {
            job_dir: self.out_dir,
            pieces,
            data: self.data,
            out_dir: self.out,
        })?;
        summary::reprint(&s);
        Ok(0)
    }
}
