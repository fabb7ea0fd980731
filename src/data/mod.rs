//! Contact data: reading record files and addressing each record by its byte offset.

mod csv_source;
pub mod decode;
mod jsonl;
pub mod products;
mod source;
mod xlsx;

pub use csv_source::{CsvSource, RecordIter};
pub use jsonl::{JsonlIter, JsonlSource};
pub use products::Products;
pub use source::{Binding, Detection, Format, Scan, Source, SourceOptions};

use std::path::PathBuf;

/// A problem with a data file as a whole: the job cannot read it.
#[derive(Debug, thiserror::Error)]
pub enum DataError {
    /// The file cannot be opened or mapped.
    #[error("cannot read {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// The file has no header line.
    #[error("{path} is empty: a header line naming the columns is expected")]
    Empty {
        /// The file.
        path: PathBuf,
    },
    /// The header line is unusable.
    #[error("{path}, line 1: {message}")]
    BadHeader {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// A workbook that cannot be used as asked.
    #[error("{path}: {message}")]
    Workbook {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// A row of a reference file (such as products) that cannot be used.
    #[error("{path}, line {line}: {message}")]
    BadRow {
        /// The file.
        path: PathBuf,
        /// The row's line.
        line: u64,
        /// What is wrong.
        message: String,
    },
    /// A column the job needs is not in the header.
    #[error("{path}: no column `{column}` in the header (columns: {available}); add it to the file or give the field a default in the layout")]
    MissingColumn {
        /// The file.
        path: PathBuf,
        /// The column asked for.
        column: String,
        /// The header's columns, comma-separated.
        available: String,
    },
}
