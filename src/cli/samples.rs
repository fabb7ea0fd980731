//! `pli samples`: synthetic contacts and the sample images.

use std::path::PathBuf;

use clap::Args;
use pli::job::JobError;

/// The arguments of `pli samples`.
#[derive(Args)]
pub struct SamplesArgs {
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
}

impl SamplesArgs {
    /// Writes the images and the contacts asked for.
    pub fn run(self) -> Result<u8, JobError> {
        if let Some(dir) = self.assets {
            pli::samples::write_assets(&dir).map_err(|source| JobError::Output {
                path: dir.clone(),
                source,
            })?;
        }
        if let Some(path) = self.out {
            let (records, seed) = (self.records, self.seed);
            pli::report::write_atomic(&path, |w| pli::samples::write_contacts(records, seed, w)).map_err(
                |source| JobError::Output {
                    path: path.clone(),
                    source,
                },
            )?;
            eprintln!("pli: {records} contacts written to {}", path.display());
        }
        Ok(0)
    }
}
