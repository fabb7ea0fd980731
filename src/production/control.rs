//! The inserter control file: one row per sheet, so that an inserting machine (or the
//! software that drives it) knows every sheet of every piece: `inserter.csv` beside the
//! PDFs, written as the pieces are, and renamed into place when complete.

use std::fs::File;
use std::io::{self, BufWriter};
use std::path::{Path, PathBuf};

use crate::record::PieceId;

/// Its name in the output folder.
pub const CONTROL_FILE: &str = "inserter.csv";

/// The control file's columns.
pub const CONTROL_COLUMNS: [&str; 10] = [
    "job",
    "file",
    "page",
    "piece_id",
    "record_id",
    "sheet",
    "sheets",
    "end_of_collation",
    "feeders",
    "divert",
];

/// One mailpiece, as the control file lists its sheets.
pub struct PieceSheets<'a> {
    /// The PDF file.
    pub file: &'a str,
    /// The piece's first page in it.
    pub first_page: u32,
    /// Pages of one sheet: 1 (simplex) or 2 (duplex).
    pub pages_per_sheet: u32,
    /// Its sheets.
    pub sheets: u32,
    /// Its id.
    pub piece_id: PieceId,
    /// Its record's id.
    pub record_id: &'a str,
    /// Inserts the machine pulls from its feeders for this piece (e.g. `catalogue`).
    pub feeders: &'a str,
    /// The piece leaves the stream at the inserter's divert bin (in a presorted job, a
    /// piece that goes at the single-piece rate, outside the trays: abroad, overweight).
    pub divert: bool,
}

/// The control file being written.
pub struct ControlFile {
    out: csv::Writer<BufWriter<File>>,
    tmp: PathBuf,
    path: PathBuf,
    job: String,
}

impl ControlFile {
    /// Starts `inserter.csv` in `dir` for job `job`.
    pub fn create(dir: &Path, job: &str) -> io::Result<ControlFile> {
        let path = dir.join(CONTROL_FILE);
        let tmp = dir.join(format!("{CONTROL_FILE}.tmp"));
        let mut out = csv::Writer::from_writer(BufWriter::new(File::create(&tmp)?));
        out.write_record(CONTROL_COLUMNS)?;
        Ok(ControlFile {
            out,
            tmp,
            path,
            job: job.to_owned(),
        })
    }

    /// Adds a piece's sheets.
    pub fn piece(&mut self, p: &PieceSheets) -> io::Result<()> {
        let piece_id = p.piece_id.to_string();
        for sheet in 0..p.sheets {
            let page = p.first_page + sheet * p.pages_per_sheet;
            let last = sheet + 1 == p.sheets;
            self.out.write_record([
                self.job.as_str(),
                p.file,
                &page.to_string(),
                &piece_id,
                p.record_id,
                &(sheet + 1).to_string(),
                &p.sheets.to_string(),
                if last { "1" } else { "0" },
                p.feeders,
                if p.divert { "1" } else { "0" },
            ])?;
        }
        Ok(())
    }

    /// Renames the complete file into place.
    pub fn finish(self) -> io::Result<()> {
        let file = self.out.into_inner().map_err(|e| e.into_error())?;
        file.into_inner().map_err(|e| e.into_error())?.sync_all()?;
        std::fs::rename(&self.tmp, &self.path)
    }

    /// Removes the unfinished file (the job stopped).
    pub fn abandon(self) {
        drop(self.out);
        let _ = std::fs::remove_file(&self.tmp);
    }
}
