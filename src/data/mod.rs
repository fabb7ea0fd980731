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

use std::fmt;
use std::path::PathBuf;

/// Where a record comes from: its physical line in the file (1-based) and its byte offset.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct RecordPos {
    /// Physical line of the record's first byte, counting from 1 (the header is line 1).
    pub line: u64,
    /// Byte offset of the record's first byte in the file.
    pub offset: u64,
}

/// Why a record could not be used, as printed in the manifest's `reason` column.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Rejection {
    /// The row has a different number of fields from the header.
    RaggedRow {
        /// Number of header columns.
        expected: usize,
        /// Number of fields in the row.
        found: usize,
    },
    /// A field's bytes are not valid UTF-8.
    InvalidUtf8 {
        /// Name of the column.
        field: String,
        /// Byte offset of the field in the file.
        byte: u64,
    },
    /// A field the job needs is empty and has no default.
    MissingField(String),
    /// A field has a value the job cannot use.
    InvalidField {
        /// Name of the field.
        field: String,
        /// What was expected.
        message: String,
    },
    /// The row holds nothing.
    EmptyRecord,
    /// The record cannot be parsed (e.g. a JSON Lines line that is not an object).
    InvalidRecord(String),
    /// The layout's template could not be rendered for this record.
    Template(String),
    /// Text did not fit in a frame of fixed size.
    TextOverflow {
        /// The frame's name in the layout.
        frame: String,
    },
    /// An image named by the record could not be used.
    Image(String),
    /// The text has characters the layout's fonts cannot draw.
    MissingGlyphs(Vec<char>),
    /// The piece's sheets cannot be marked for the inserter (e.g. its DataMatrix text
    /// does not fit the symbol).
    Production(String),
}

impl Rejection {
    /// The short reason code, e.g. `missing_field:postcode`.
    pub fn code(&self) -> String {
        match self {
            Rejection::RaggedRow { .. } => "ragged_row".into(),
            Rejection::InvalidUtf8 { field, .. } => format!("invalid_utf8:{field}"),
            Rejection::MissingField(f) => format!("missing_field:{f}"),
            Rejection::InvalidField { field, .. } => format!("invalid_field:{field}"),
            Rejection::EmptyRecord => "empty_record".into(),
            Rejection::InvalidRecord(_) => "invalid_record".into(),
            Rejection::Template(_) => "template".into(),
            Rejection::TextOverflow { frame } => format!("text_overflow:{frame}"),
            Rejection::Image(_) => "image".into(),
            Rejection::MissingGlyphs(_) => "missing_glyph".into(),
            Rejection::Production(_) => "production".into(),
        }
    }
}

impl fmt::Display for Rejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Rejection::RaggedRow { expected, found } => {
                write!(f, "ragged_row: expected {expected} fields, found {found}")
            }
            Rejection::InvalidUtf8 { field, byte } => {
                write!(f, "invalid_utf8:{field}: not UTF-8 text at byte {byte} (use --encoding if the file is in another encoding)")
            }
            Rejection::MissingField(name) => {
                write!(
                    f,
                    "missing_field:{name}: the field is empty and the layout gives no default"
                )
            }
            Rejection::InvalidField { field, message } => write!(f, "invalid_field:{field}: {message}"),
            Rejection::EmptyRecord => write!(f, "empty_record: the row holds no value"),
            Rejection::InvalidRecord(msg) => write!(f, "invalid_record: {msg}"),
            Rejection::Template(msg) => write!(f, "template: {msg}"),
            Rejection::TextOverflow { frame } => {
                write!(f, "text_overflow:{frame}: the text does not fit in the frame")
            }
            Rejection::Image(msg) => write!(f, "image: {msg}"),
            Rejection::MissingGlyphs(chars) => write!(
                f,
                "missing_glyph: the fonts have no glyph for {} (--allow-missing-glyphs draws a box instead)",
                describe_chars(chars)
            ),
            Rejection::Production(msg) => write!(f, "production: {msg}"),
        }
    }
}

/// Characters named by code point and shown, e.g. `U+05E9 'ש'`.
pub fn describe_chars(chars: &[char]) -> String {
    chars
        .iter()
        .map(|c| format!("U+{:04X} '{c}'", *c as u32))
        .collect::<Vec<_>>()
        .join(", ")
}

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
