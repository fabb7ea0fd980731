//! Why a record could not be used, whichever stage found it: the data reader (a ragged
//! row, bad UTF-8), mail preparation (a missing field, an address), composition (a
//! template, an image, text that overflows, missing glyphs) or production (marks).

use std::fmt;

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
