//! The ids a job prints for what it makes: mailpieces (`P0000042`), household documents
//! (`D0000042`) and trays (`T0003`). Each is a number inside and is written, read and
//! compared through its type, so the manifest, the control file, the DataMatrix, the
//! file names and a reprint's piece list all spell it the same way.

use std::fmt;
use std::str::FromStr;

/// Digits of a piece number, zero-padded (a larger number simply has more).
const PIECE_DIGITS: usize = 7;
/// Digits of a tray number, zero-padded.
const TRAY_DIGITS: usize = 4;

/// Which stream a piece belongs to; each numbers its pieces from 1.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PieceKind {
    /// A letter: one per mailed record (`P…`).
    Letter,
    /// A household's document, sent once to its first mailed member (`D…`).
    HouseholdDoc,
}

impl PieceKind {
    /// The letter its ids start with.
    pub fn prefix(self) -> char {
        match self {
            PieceKind::Letter => 'P',
            PieceKind::HouseholdDoc => 'D',
        }
    }
}

/// A mailpiece's id: its stream and its number in that stream, from 1, written
/// `P0000042` for a letter and `D0000042` for a household document.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PieceId {
    /// The stream.
    pub kind: PieceKind,
    /// The number, from 1.
    pub number: u32,
}

impl PieceId {
    /// Letter `number`.
    pub fn letter(number: u32) -> PieceId {
        PieceId {
            kind: PieceKind::Letter,
            number,
        }
    }

    /// Household document `number`.
    pub fn household_doc(number: u32) -> PieceId {
        PieceId {
            kind: PieceKind::HouseholdDoc,
            number,
        }
    }
}

/// `P0000042`, `D0000042`.
impl fmt::Display for PieceId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}{:0width$}",
            self.kind.prefix(),
            self.number,
            width = PIECE_DIGITS
        )
    }
}

/// An id that is not written as pli writes them.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("`{text}` is not {what}: expected {example}")]
pub struct IdError {
    /// The text read.
    pub text: String,
    /// What it should have been.
    pub what: &'static str,
    /// How one is written.
    pub example: &'static str,
}

/// Reads an id exactly as [`fmt::Display`] writes it (`P0000042`, not `P42` or `p0000042`),
/// so that a parsed id and the text it came from always match in the manifest.
impl FromStr for PieceId {
    type Err = IdError;

    fn from_str(s: &str) -> Result<PieceId, IdError> {
        let bad = || IdError {
            text: s.to_owned(),
            what: "a piece id",
            example: "P or D and 7 digits, e.g. P0000001",
        };
        let kind = match s.chars().next() {
            Some('P') => PieceKind::Letter,
            Some('D') => PieceKind::HouseholdDoc,
            _ => return Err(bad()),
        };
        let number = canonical_number(&s[1..], PIECE_DIGITS).ok_or_else(bad)?;
        Ok(PieceId { kind, number })
    }
}

/// A tray's id in a presorted deposit, from 1: `T0003`.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TrayId(pub u32);

/// `T0003`.
impl fmt::Display for TrayId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "T{:0width$}", self.0, width = TRAY_DIGITS)
    }
}

/// Reads a tray id exactly as [`fmt::Display`] writes it.
impl FromStr for TrayId {
    type Err = IdError;

    fn from_str(s: &str) -> Result<TrayId, IdError> {
        s.strip_prefix('T')
            .and_then(|n| canonical_number(n, TRAY_DIGITS))
            .map(TrayId)
            .ok_or_else(|| IdError {
                text: s.to_owned(),
                what: "a tray id",
                example: "T and 4 digits, e.g. T0001",
            })
    }
}

/// The number written in `digits`, if it is written as a zero-padded number of that
/// width would be: ASCII digits only, and no more leading zeros than the padding gives.
fn canonical_number(digits: &str, width: usize) -> Option<u32> {
    if digits.len() < width || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    if digits.len() > width && digits.starts_with('0') {
        return None;
    }
    digits.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn piece_ids_are_written_and_read_back_the_same() {
        for id in [
            PieceId::letter(1),
            PieceId::letter(42),
            PieceId::household_doc(9_999_999),
            PieceId::letter(12_345_678),
        ] {
            assert_eq!(id.to_string().parse::<PieceId>(), Ok(id));
        }
        assert_eq!(PieceId::letter(42).to_string(), "P0000042");
        assert_eq!(PieceId::household_doc(1).to_string(), "D0000001");
        assert_eq!(PieceId::letter(12_345_678).to_string(), "P12345678");
    }

    #[test]
    fn piece_ids_not_written_as_pli_writes_them_are_refused() {
        for text in [
            "",
            "P",
            "P42",
            "p0000042",
            "X0000042",
            "P00000042",
            "P000004a",
            "P+000042",
            "P99999999999",
        ] {
            let err = text.parse::<PieceId>().unwrap_err();
            assert_eq!(err.text, text);
            assert!(err.to_string().contains("e.g. P0000001"), "{err}");
        }
    }

    #[test]
    fn tray_ids_are_written_and_read_back_the_same() {
        assert_eq!(TrayId(3).to_string(), "T0003");
        assert_eq!("T0003".parse(), Ok(TrayId(3)));
        assert_eq!("T12345".parse(), Ok(TrayId(12_345)));
        assert!("T3".parse::<TrayId>().is_err());
        assert!("P0003".parse::<TrayId>().is_err());
    }
}
