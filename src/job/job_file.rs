//! `job.json`: how a compose job ran, written by the job itself into its output folder,
//! so that `pli reprint` (or any library caller) can run it again.
//!
//! The file is JSON, versioned by its `format` field:
//!
//! ```json
//! {
//!   "format": 1,
//!   "pli": "0.1.0",
//!   "compose": {
//!     "layout": "/srv/jobs/renewal/letter.toml",
//!     "data": "/srv/jobs/renewal/contacts.csv",
//!     "source": { "format": null, "encoding": null, "delimiter": ";", "sheet": null },
//!     "date": "2026-11-28",
//!     "prep": { "suppress": [{ "kind": "optout", "file": "/srv/lists/optouts.txt" }], … },
//!     …
//!   }
//! }
//! ```
//!
//! - `format` (1): the layout of this file. A reader refuses a format it does not know.
//! - `pli`: the version that wrote it.
//! - `compose`: the job's [`ComposeOptions`], every path made absolute against the folder
//!   the job ran from (so a reprint runs from anywhere, without changing folder), and the
//!   date it composed with, which the job always has (the command line's default is today).
//!   Unknown keys are refused here: an option this pli does not know could change the
//!   pages, so replaying without it would not reprint them as they were.
//!
//! Keys may be added at the top level without a new format (readers ignore those they do
//! not know): that is where a record of the input files' digests belongs. A change to the
//! meaning of an existing key takes a new `format`.
//!
//! A path that is not UTF-8 is recorded lossily: the job still runs, and a reprint then
//! names the file it cannot find.

use std::io;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::{ComposeOptions, JobError};
use crate::report::write_atomic;

/// The job file's name in a compose job's output folder.
pub const JOB_FILE: &str = "job.json";

/// The format of the job files this pli writes and reads.
pub const JOB_FILE_FORMAT: u32 = 1;

/// How a compose job ran, to run it again.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct JobFile {
    /// The file's format: [`JOB_FILE_FORMAT`].
    pub format: u32,
    /// The pli version that wrote it.
    pub pli: String,
    /// The compose job's options, with absolute paths.
    pub compose: ComposeOptions,
}

impl JobFile {
    /// The job file of a compose job about to run from the current folder: its options
    /// with every path made absolute.
    pub fn of(opts: &ComposeOptions) -> Result<JobFile, JobError> {
        Ok(JobFile {
            format: JOB_FILE_FORMAT,
            pli: env!("CARGO_PKG_VERSION").to_owned(),
            compose: absolute_paths(opts)?,
        })
    }

    /// Writes the job file into `out_dir`, atomically.
    pub fn write(&self, out_dir: &Path) -> io::Result<()> {
        write_atomic(&out_dir.join(JOB_FILE), |out| {
            serde_json::to_writer_pretty(&mut *out, self)?;
            io::Write::write_all(out, b"\n")
        })
    }

    /// Reads the job file of an output folder.
    pub fn read(out_dir: &Path) -> Result<JobFile, JobError> {
        let path = out_dir.join(JOB_FILE);
        let text = std::fs::read(&path).map_err(|e| {
            JobError::Options(format!(
                "cannot read {}: {e} (a reprint needs the output folder of a compose job)",
                path.display()
            ))
        })?;
        let bad = |why: String| JobError::Options(format!("{}: {why}", path.display()));
        let value: serde_json::Value =
            serde_json::from_slice(&text).map_err(|e| bad(format!("not a pli job file: {e}")))?;
        match value.get("format").and_then(serde_json::Value::as_u64) {
            Some(f) if f == u64::from(JOB_FILE_FORMAT) => {}
            Some(f) => {
                return Err(bad(format!(
                    "job file format {f} (written by pli {}), this pli reads format {JOB_FILE_FORMAT}",
                    value.get("pli").and_then(|v| v.as_str()).unwrap_or("?")
                )))
            }
            None if value.get("args").is_some() => {
                return Err(bad(
                    "written by an earlier pli, which recorded its command line only: reprint \
                     with that version, or compose the job again"
                        .into(),
                ))
            }
            None => return Err(bad("not a pli job file: no `format`".into())),
        }
        serde_json::from_value(value).map_err(|e| bad(format!("not a pli job file: {e}")))
    }
}

/// The options with every path absolute (standard input, `-`, stays as it is), recorded
/// lossily where a path is not UTF-8.
fn absolute_paths(opts: &ComposeOptions) -> Result<ComposeOptions, JobError> {
    let abs = |p: &Path| -> Result<PathBuf, JobError> {
        if p.as_os_str() == "-" {
            return Ok(p.to_owned());
        }
        let full = std::path::absolute(p).map_err(|e| {
            JobError::Options(format!(
                "{}: cannot make the path absolute for {JOB_FILE}: {e}",
                p.display()
            ))
        })?;
        Ok(PathBuf::from(full.to_string_lossy().into_owned()))
    };
    let opt = |p: &Option<PathBuf>| p.as_deref().map(abs).transpose();
    let mut o = opts.clone();
    o.layout = abs(&opts.layout)?;
    o.data = abs(&opts.data)?;
    o.map = opt(&opts.map)?;
    o.out_dir = abs(&opts.out_dir)?;
    o.prep.postcodes = opt(&opts.prep.postcodes)?;
    for (_, file) in &mut o.prep.suppress {
        *file = abs(file)?;
    }
    if let Some(p) = &mut o.presort {
        p.rules = abs(&p.rules)?;
        p.labels = opt(&p.labels)?;
    }
    o.household_docs = opt(&opts.household_docs)?;
    o.products = opt(&opts.products)?;
    o.production = opt(&opts.production)?;
    o.reprint = None;
    Ok(o)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::{Format, SourceOptions};
    use crate::job::{PrepOptions, PresortOptions};
    use crate::mailprep::{AddressPolicy, MatchLevel, Suppression};

    fn options() -> ComposeOptions {
        ComposeOptions {
            layout: "layouts/letter.toml".into(),
            data: "contacts.csv".into(),
            source: SourceOptions {
                format: Some(Format::Csv),
                encoding: Some("windows-1252".into()),
                delimiter: Some(b'\t'),
                sheet: None,
            },
            map: Some("mapping.toml".into()),
            out_dir: "out".into(),
            date: crate::date::Date::parse("2026-11-28").unwrap(),
            strict: true,
            max_rejects: Some(12),
            max_pages: 500,
            max_sheets: None,
            job: Some("renewal".into()),
            allow_missing_glyphs: false,
            prep: PrepOptions {
                postcodes: Some("/srv/base.csv".into()),
                address_policy: AddressPolicy::Warn,
                suppress: vec![(Suppression::OptOut, "optouts.txt".into())],
                dedupe: Some(MatchLevel::Household),
                households: false,
            },
            presort: Some(PresortOptions {
                rules: "presort/laposte-industriel.toml".into(),
                labels: None,
            }),
            household_docs: None,
            products: None,
            reprint: None,
            pdfx4: true,
            production: None,
        }
    }

    #[test]
    fn the_job_file_holds_the_options_with_absolute_paths() {
        let dir = tempfile::tempdir().unwrap();
        let opts = options();
        let file = JobFile::of(&opts).unwrap();
        let here = std::env::current_dir().unwrap();
        let c = &file.compose;
        assert_eq!(c.layout, here.join("layouts/letter.toml"));
        assert_eq!(c.data, here.join("contacts.csv"));
        assert_eq!(c.map.as_deref(), Some(&*here.join("mapping.toml")));
        assert_eq!(c.prep.postcodes.as_deref(), Some(Path::new("/srv/base.csv")));
        assert_eq!(c.prep.suppress[0].1, here.join("optouts.txt"));
        assert_eq!(
            c.presort.as_ref().unwrap().rules,
            here.join("presort/laposte-industriel.toml")
        );
        // Everything else as it was.
        let mut back = c.clone();
        (back.layout, back.data, back.map, back.out_dir) = (
            opts.layout.clone(),
            opts.data.clone(),
            opts.map.clone(),
            opts.out_dir.clone(),
        );
        back.prep.suppress = opts.prep.suppress.clone();
        back.presort = opts.presort.clone();
        assert_eq!(back, opts);

        file.write(dir.path()).unwrap();
        assert_eq!(JobFile::read(dir.path()).unwrap(), file);
        let text = std::fs::read_to_string(dir.path().join(JOB_FILE)).unwrap();
        let json: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(json["format"], 1);
        assert_eq!(json["compose"]["date"], "2026-11-28");
        assert_eq!(json["compose"]["source"]["delimiter"], "\t");
        assert_eq!(json["compose"]["prep"]["suppress"][0]["kind"], "optout");
        assert_eq!(json["compose"]["prep"]["dedupe"], "household");
    }

    #[test]
    fn standard_input_stays_standard_input() {
        let mut opts = options();
        opts.data = "-".into();
        assert_eq!(JobFile::of(&opts).unwrap().compose.data, Path::new("-"));
    }

    #[test]
    fn job_files_of_another_format_are_refused_with_the_reason() {
        let dir = tempfile::tempdir().unwrap();
        let read = |text: &str| {
            std::fs::write(dir.path().join(JOB_FILE), text).unwrap();
            JobFile::read(dir.path()).unwrap_err().to_string()
        };
        let old = read(r#"{"args": ["compose", "letter.toml"], "cwd": "/tmp", "version": "0.1.0"}"#);
        assert!(old.contains("earlier pli"), "{old}");
        let newer = read(r#"{"format": 2, "pli": "9.0.0", "compose": {}}"#);
        assert!(newer.contains("format 2 (written by pli 9.0.0)"), "{newer}");
        let unknown = read(r#"{"format": 1, "pli": "0.1.0", "compose": {"layout": "a", "colour": "red"}}"#);
        assert!(unknown.contains("not a pli job file"), "{unknown}");
        // Keys added at the top level are no reason to refuse a file.
        let mut value = serde_json::to_value(JobFile::of(&options()).unwrap()).unwrap();
        value["inputs"] = serde_json::json!([]);
        std::fs::write(dir.path().join(JOB_FILE), value.to_string()).unwrap();
        assert!(JobFile::read(dir.path()).is_ok());
    }
}
