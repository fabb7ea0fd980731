//! Suppression lists: contacts who objected, asked to be erased, refuse advertising,
//! whose mail came back or who moved away. A record on any list is not mailed, and
//! the manifest says which list (`suppressed:pnd`).
//!
//! # List files
//!
//! A list is a text file (UTF-8, or Latin-1), one key per line; blank lines and lines
//! starting with `#` are skipped. A line is either
//! - a SHA-256 digest of a normalised key, as 64 hexadecimal digits (either case), for
//!   lists shared without clear personal data; or
//! - a key in clear, normalised here the same way before it is hashed: a line with an
//!   `@` is an e-mail address; a line of digits (with spaces, dots, dashes, `+`,
//!   parentheses) holding 8 digits or more is a telephone number; any other line is a
//!   name and address (last name, first name, street, postcode, in that order, separated
//!   by spaces or `;`).
//!
//! # Normalised keys (what a hashed list must hash, UTF-8 encoded)
//!
//! - name and address: last name, first name, street and postcode joined by single
//!   spaces, in capitals without accents, every other character than a letter or a
//!   digit made a space, spaces collapsed: `Dupont`, `Jean-Pierre`, `12, rue de
//!   l'Église`, `75008` → `DUPONT JEAN PIERRE 12 RUE DE L EGLISE 75008`;
//! - e-mail: trimmed and lower-cased: `jean.dupont@exemple.fr`;
//! - telephone: digits only, `+33` or `0033` made `0`: `0612345678`.
//!
//! Only digests are kept in memory (32 bytes a key), so a list in clear and its hashed
//! form behave the same.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use super::normalise::{email_key, phone_key, postal_caps, utf8_or_latin1};
use super::Suppression;

/// A SHA-256 digest of a normalised key.
pub type KeyDigest = [u8; 32];

/// Why a list cannot be read: the file, the line (counting from 1) and what was expected.
#[derive(Debug, thiserror::Error)]
pub enum SuppressionListError {
    /// The file cannot be read.
    #[error("cannot read the {reason} list {path}: {source}")]
    Io {
        /// The list's reason code.
        reason: &'static str,
        /// The file.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// A line holds no usable key.
    #[error("{reason} list {path}, line {line}: {message}")]
    Line {
        /// The list's reason code.
        reason: &'static str,
        /// The file.
        path: PathBuf,
        /// The line.
        line: usize,
        /// What is wrong and what was expected.
        message: String,
    },
}

/// The normalised keys of one record, each present when its fields are.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RecordKeys {
    /// Last name, first name, street and postcode (present when last name, street and postcode are).
    pub name_address: Option<String>,
    /// E-mail address.
    pub email: Option<String>,
    /// Mobile or other telephone number.
    pub phone: Option<String>,
}

impl RecordKeys {
    /// The keys of a record, from its standard fields (`last_name`, `first_name`,
    /// `street`, `postcode`, `email`, `mobile`; absent = empty).
    pub fn of_record<'a>(get: impl Fn(&str) -> &'a str) -> RecordKeys {
        let email = email_key(get("email"));
        RecordKeys {
            name_address: name_address_key(
                get("last_name"),
                get("first_name"),
                get("street"),
                get("postcode"),
            ),
            email: (!email.is_empty()).then_some(email),
            phone: phone_key(get("mobile")),
        }
    }

    /// The digests of the keys present.
    pub fn digests(&self) -> Vec<KeyDigest> {
        [&self.name_address, &self.email, &self.phone]
            .into_iter()
            .flatten()
            .map(|k| digest(k))
            .collect()
    }
}

/// The name-and-address key, when last name, street and postcode are all given.
pub fn name_address_key(last_name: &str, first_name: &str, street: &str, postcode: &str) -> Option<String> {
    if [last_name, street, postcode]
        .iter()
        .any(|f| postal_caps(f).is_empty())
    {
        return None;
    }
    Some(postal_caps(&format!(
        "{last_name} {first_name} {street} {postcode}"
    )))
}

/// The SHA-256 digest of a normalised key.
pub fn digest(key: &str) -> KeyDigest {
    Sha256::digest(key.as_bytes()).into()
}

/// One suppression list: the digests of its keys.
#[derive(Clone, Debug)]
pub struct SuppressionList {
    reason: Suppression,
    digests: HashSet<KeyDigest>,
}

impl SuppressionList {
    /// Reads a list file for this reason.
    pub fn load(reason: Suppression, path: &Path) -> Result<SuppressionList, SuppressionListError> {
        let bytes = std::fs::read(path).map_err(|source| SuppressionListError::Io {
            reason: reason.code(),
            path: path.to_owned(),
            source,
        })?;
        let text = utf8_or_latin1(&bytes);
        SuppressionList::parse(reason, &text, path)
    }

    /// Reads a list from its text; `path` only names the file in errors.
    pub fn parse(
        reason: Suppression,
        text: &str,
        path: &Path,
    ) -> Result<SuppressionList, SuppressionListError> {
        let mut digests = HashSet::new();
        for (i, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let d = parse_line(line).ok_or_else(|| SuppressionListError::Line {
                reason: reason.code(),
                path: path.to_owned(),
                line: i + 1,
                message: "neither a SHA-256 digest (64 hexadecimal digits) nor a key in clear".into(),
            })?;
            digests.insert(d);
        }
        Ok(SuppressionList { reason, digests })
    }

    /// Why the list suppresses.
    pub fn reason(&self) -> Suppression {
        self.reason
    }

    /// Distinct keys on the list.
    pub fn len(&self) -> usize {
        self.digests.len()
    }

    /// Whether the list holds no key.
    pub fn is_empty(&self) -> bool {
        self.digests.is_empty()
    }

    /// Whether any of a record's key digests is on the list.
    pub fn contains_any(&self, digests: &[KeyDigest]) -> bool {
        digests.iter().any(|d| self.digests.contains(d))
    }
}

/// The line's digest: given, or computed from the key in clear.
fn parse_line(line: &str) -> Option<KeyDigest> {
    if line.len() == 64 && line.bytes().all(|b| b.is_ascii_hexdigit()) {
        let mut out = [0u8; 32];
        for (i, pair) in line.as_bytes().chunks(2).enumerate() {
            let hex = std::str::from_utf8(pair).ok()?;
            out[i] = u8::from_str_radix(hex, 16).ok()?;
        }
        return Some(out);
    }
    let key = if line.contains('@') {
        email_key(line)
    } else if line.chars().all(|c| c.is_ascii_digit() || " .-+()".contains(c))
        && line.chars().filter(char::is_ascii_digit).count() >= 8
    {
        phone_key(line)?
    } else {
        postal_caps(line)
    };
    (!key.is_empty()).then(|| digest(&key))
}

/// The lists of a job, checked in order of precedence: erasure, opt-out, Stop Publicité,
/// undeliverable, moved (a record on several is reported under the first).
#[derive(Clone, Debug, Default)]
pub struct SuppressionLists {
    lists: Vec<SuppressionList>,
}

impl SuppressionLists {
    /// The lists, ordered by precedence.
    pub fn new(mut lists: Vec<SuppressionList>) -> SuppressionLists {
        lists.sort_by_key(|l| l.reason.precedence());
        SuppressionLists { lists }
    }

    /// Whether the job has no list.
    pub fn is_empty(&self) -> bool {
        self.lists.is_empty()
    }

    /// The list that suppresses the record, if any.
    pub fn check(&self, keys: &RecordKeys) -> Option<Suppression> {
        if self.lists.is_empty() {
            return None;
        }
        let digests = keys.digests();
        self.lists
            .iter()
            .find(|l| l.contains_any(&digests))
            .map(|l| l.reason)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(pairs: &[(&str, &str)]) -> RecordKeys {
        RecordKeys::of_record(|k| pairs.iter().find(|(n, _)| *n == k).map_or("", |(_, v)| *v))
    }

    fn dupont() -> RecordKeys {
        keys(&[
            ("last_name", "Dupont"),
            ("first_name", "Jean-Pierre"),
            ("street", "12, rue de l'Église"),
            ("postcode", "75008"),
            ("email", " Jean.Dupont@Exemple.FR "),
            ("mobile", "+33 6 12 34 56 78"),
        ])
    }

    fn list(reason: Suppression, text: &str) -> SuppressionList {
        SuppressionList::parse(reason, text, Path::new("list.txt")).unwrap()
    }

    #[test]
    fn keys_are_normalised() {
        let k = dupont();
        assert_eq!(
            k.name_address.as_deref(),
            Some("DUPONT JEAN PIERRE 12 RUE DE L EGLISE 75008")
        );
        assert_eq!(k.email.as_deref(), Some("jean.dupont@exemple.fr"));
        assert_eq!(k.phone.as_deref(), Some("0612345678"));
        assert_eq!(
            keys(&[("last_name", "Dupont"), ("postcode", "75008")]),
            RecordKeys::default()
        );
    }

    #[test]
    fn the_digest_is_sha256_of_the_key() {
        // sha256("jean.dupont@exemple.fr"), computed independently.
        let hex: String = digest("jean.dupont@exemple.fr")
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        assert_eq!(
            hex,
            "6ae70714ca3d84e03e584e4cc0b1743d32fe8cb833e6419e4e6651d9e0be56a6"
        );
    }

    #[test]
    fn plain_lists_match_any_key() {
        let by_email = list(Suppression::OptOut, "# opt-outs\n\nJEAN.DUPONT@exemple.fr\n");
        let by_phone = list(Suppression::Robinson, "06.12.34.56.78\r\n");
        let by_address = list(Suppression::Pnd, "Dupont;Jean Pierre;12 rue de l Eglise;75008\n");
        for l in [&by_email, &by_phone, &by_address] {
            assert_eq!(l.len(), 1);
            assert!(l.contains_any(&dupont().digests()), "{:?}", l.reason());
        }
        let other = keys(&[("email", "marie@exemple.fr"), ("mobile", "0700000000")]);
        assert!(!by_email.contains_any(&other.digests()) && !by_phone.contains_any(&other.digests()));
    }

    #[test]
    fn hashed_lists_match_the_same_keys() {
        let hex = |k: &str| digest(k).iter().map(|b| format!("{b:02x}")).collect::<String>();
        let text = format!(
            "{}\n{}\n",
            hex("DUPONT JEAN PIERRE 12 RUE DE L EGLISE 75008").to_uppercase(),
            hex("0799999999")
        );
        let hashed = list(Suppression::Erasure, &text);
        assert_eq!(hashed.len(), 2);
        assert!(hashed.contains_any(&dupont().digests()));
        assert!(hashed.contains_any(&keys(&[("mobile", "+33 7 99 99 99 99")]).digests()));
        assert!(!hashed.contains_any(&keys(&[("mobile", "07 99 99 99 98")]).digests()));
    }

    #[test]
    fn the_first_list_by_precedence_is_named() {
        let lists = SuppressionLists::new(vec![
            list(Suppression::Moved, "0612345678\n"),
            list(Suppression::Pnd, "jean.dupont@exemple.fr\n"),
            list(Suppression::Erasure, "nobody@exemple.fr\n"),
        ]);
        assert_eq!(lists.check(&dupont()), Some(Suppression::Pnd));
        assert_eq!(lists.check(&dupont()).map(Suppression::code), Some("pnd"));
        assert_eq!(lists.check(&keys(&[("email", "x@y.fr")])), None);
        assert_eq!(SuppressionLists::default().check(&dupont()), None);
    }

    #[test]
    fn errors_name_the_file_and_line_but_not_the_key() {
        let err = SuppressionList::parse(Suppression::OptOut, "a@b.fr\n,;.\n", Path::new("optout.txt"))
            .unwrap_err();
        let message = err.to_string();
        assert!(
            message.starts_with("optout list optout.txt, line 2:"),
            "{message}"
        );
        let err = SuppressionList::load(Suppression::Moved, Path::new("/nonexistent/moved.txt")).unwrap_err();
        assert!(err.to_string().contains("/nonexistent/moved.txt"), "{err}");
    }

    #[test]
    fn latin1_files_are_read() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("pnd.txt");
        std::fs::write(&path, b"H\xc9LOU;\xc9lodie;3 all\xe9e des Pins;35000\n").unwrap();
        let l = SuppressionList::load(Suppression::Pnd, &path).unwrap();
        let k = keys(&[
            ("last_name", "Hélou"),
            ("first_name", "Élodie"),
            ("street", "3 allée des Pins"),
            ("postcode", "35000"),
        ]);
        assert!(l.contains_any(&k.digests()));
    }
}
