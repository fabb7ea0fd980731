//! `pli reprint`: the pieces an inserter spoiled, composed again exactly as they were.
//!
//! A compose job leaves `job.json` beside its manifest ([`JobFile`]): its options, with
//! absolute paths and the date it composed with. A reprint runs the same job again (pass
//! 1 decides every record's fate and the plan gives every piece its number, as before)
//! but composes only the pieces asked for, into a reprint file with its own control file.
//! The manifest says which record each piece was; a record that is not the same one any
//! more (the data or the options changed) stops the reprint.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::job_file::JobFile;
use super::{run_compose, JobError, JobSummary};
use crate::record::{PieceId, PieceKind};

/// What `pli reprint` is asked to do.
#[derive(Clone, Debug)]
pub struct ReprintOptions {
    /// The compose job's output folder, with its `job.json` and `manifest.csv`.
    pub job_dir: PathBuf,
    /// The pieces to compose again: letters (`P…`) and household documents (`D…`, which
    /// bring their letter with them), as [`piece_ids`] reads them.
    pub pieces: Vec<String>,
    /// The contact file, when the job read standard input or the file has moved.
    pub data: Option<PathBuf>,
    /// The folder for the reprint file and its control file (not the job's own).
    pub out_dir: PathBuf,
}

/// Runs `pli reprint`: the job recorded in `job_dir` again, composing only the pieces
/// asked for, with the same ids, marks and page content.
pub fn run_reprint(opts: &ReprintOptions) -> Result<JobSummary, JobError> {
    let absolute = |p: &Path| std::path::absolute(p).unwrap_or_else(|_| p.to_owned());
    let (job_dir, out) = (absolute(&opts.job_dir), absolute(&opts.out_dir));
    if job_dir == out {
        return Err(JobError::Options(
            "the reprint goes to a folder of its own, not the original run's (-o)".into(),
        ));
    }
    let recorded = JobFile::read(&job_dir)?;
    let wanted = Reprint::find(&job_dir.join("manifest.csv"), &opts.pieces)?;
    let mut job = recorded.compose;
    job.out_dir = out;
    job.reprint = Some(wanted);
    if let Some(d) = &opts.data {
        job.data = d.clone();
    }
    if job.data.as_os_str() == "-" {
        return Err(JobError::Options(
            "the job read its contacts from standard input: give the file with --data".into(),
        ));
    }
    run_compose(&job)
}

/// The pieces a reprint composes: letter numbers, with the record each one was.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Reprint {
    /// Letter piece number → the record id the manifest gives it.
    pub pieces: BTreeMap<u32, Box<str>>,
}

impl Reprint {
    /// The record a letter piece must be, if it is wanted.
    pub fn wants(&self, letter: u32) -> Option<&str> {
        self.pieces.get(&letter).map(|r| &**r)
    }

    /// Finds `ids` (letters `P…`, or household documents `D…`, which are reprinted with
    /// the letter they went with) in the original run's `manifest.csv`.
    pub fn find(manifest: &Path, ids: &[String]) -> Result<Reprint, JobError> {
        let bad =
            |e: &dyn std::fmt::Display| JobError::Options(format!("cannot read {}: {e}", manifest.display()));
        let mut r = csv::Reader::from_path(manifest).map_err(|e| bad(&e))?;
        let headers = r.headers().map_err(|e| bad(&e))?.clone();
        let column = |name: &str| {
            headers
                .iter()
                .position(|h| h == name)
                .ok_or_else(|| bad(&format!("no {name} column")))
        };
        let (record, piece, doc) = (
            column("record_id")?,
            column("piece_id")?,
            column("household_doc")?,
        );
        // An id that does not parse is never found, and is listed with the missing ones.
        let mut wanted: BTreeMap<PieceId, Option<(u32, Box<str>)>> = ids
            .iter()
            .filter_map(|id| id.parse().ok())
            .map(|id| (id, None))
            .collect();
        for row in r.records() {
            let row = row.map_err(|e| bad(&e))?;
            let letter = row.get(piece).and_then(|p| p.parse::<PieceId>().ok());
            let Some(letter) = letter.filter(|p| p.kind == PieceKind::Letter) else {
                continue;
            };
            let doc = row.get(doc).and_then(|d| d.parse::<PieceId>().ok());
            for id in std::iter::once(letter).chain(doc) {
                if let Some(slot) = wanted.get_mut(&id) {
                    *slot = Some((letter.number, row.get(record).unwrap_or("").into()));
                }
            }
        }
        let found = |id: &String| {
            id.parse()
                .is_ok_and(|id: PieceId| wanted.get(&id).is_some_and(Option::is_some))
        };
        let missing: Vec<&str> = ids.iter().filter(|id| !found(id)).map(String::as_str).collect();
        if !missing.is_empty() {
            return Err(JobError::Options(format!(
                "not composed in {}: {} (piece ids are P0000001 or D0000001, as in its piece_id and household_doc columns)",
                manifest.display(),
                missing.join(", ")
            )));
        }
        Ok(Reprint {
            pieces: wanted.into_values().flatten().collect(),
        })
    }
}

/// Piece ids from a list (`P0000003,P0000010`) and from a file of ids, one or more per
/// line, separated by commas, semicolons or spaces, as an inserter's outsort log gives
/// them (`#` starts a comment). Duplicates are read once.
pub fn piece_ids(list: &[String], file: Option<&Path>) -> Result<Vec<String>, JobError> {
    let mut text = list.join(",");
    if let Some(path) = file {
        let body = std::fs::read_to_string(path)
            .map_err(|e| JobError::Options(format!("cannot read {}: {e}", path.display())))?;
        for line in body.lines() {
            text.push(',');
            text.push_str(line.split('#').next().unwrap_or(""));
        }
    }
    let mut ids: Vec<String> = text
        .split([',', ';', ' ', '\t'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect();
    ids.sort();
    ids.dedup();
    if ids.is_empty() {
        return Err(JobError::Options(
            "no piece ids to reprint (--pieces or --pieces-file)".into(),
        ));
    }
    Ok(ids)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_come_from_the_list_and_an_outsort_log() {
        let dir = tempfile::tempdir().unwrap();
        let log = dir.path().join("outsort.txt");
        std::fs::write(
            &log,
            "# outsorted 2026-11-28\nP0000010; P0000003\n\nP0000042 # jam\n",
        )
        .unwrap();
        let ids = piece_ids(&["P0000003,D0000001".into()], Some(&log)).unwrap();
        assert_eq!(ids, ["D0000001", "P0000003", "P0000010", "P0000042"]);
        assert!(piece_ids(&[], None).is_err());
    }

    #[test]
    fn pieces_are_found_in_the_manifest_with_their_records() {
        let dir = tempfile::tempdir().unwrap();
        let manifest = dir.path().join("manifest.csv");
        std::fs::write(
            &manifest,
            "record_id,line,status,reason,piece_id,file,first_page,pages,channels,household,household_doc\n\
             C1,2,composed,,P0000001,a.pdf,1,1,post,H1,D0000001\n\
             C2,3,suppressed,suppressed:optout,,,,,,,\n\
             C3,4,composed,,P0000002,a.pdf,2,1,post,H2,\n",
        )
        .unwrap();
        let r = Reprint::find(&manifest, &["D0000001".into(), "P0000002".into()]).unwrap();
        assert_eq!(r.wants(1), Some("C1"), "a document comes with its letter");
        assert_eq!(r.wants(2), Some("C3"));
        assert_eq!(r.wants(3), None);
        let err = Reprint::find(&manifest, &["P0000009".into()]).unwrap_err();
        assert!(err.to_string().contains("P0000009"), "{err}");
    }
}
